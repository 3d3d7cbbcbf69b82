#!/bin/sh
# Copies the workspace's manifests into DEST with empty sources for every target, so that
# `cargo build` there compiles only the dependencies (cargo-chef's idea, without it).
# Used by deploy/Dockerfile; run from the repository root:  sh deploy/cargo-skeleton.sh DEST
set -eu
dest=$1
mkdir -p "$dest"
cp Cargo.toml Cargo.lock "$dest/"
# Patched dependencies (see vendor/README.md) are dependencies: copied whole.
cp -R vendor "$dest/vendor"
# Build settings (the allocator's options) apply to the dependencies too.
cp -R .cargo "$dest/.cargo"
for manifest in $(find crates migrations -name Cargo.toml -not -path '*/target/*'); do
  dir=$(dirname "$manifest")
  mkdir -p "$dest/$dir/src"
  cp "$manifest" "$dest/$dir/"
  echo '' > "$dest/$dir/src/lib.rs"
  # Explicit targets ([[bin]], [[bench]], [[test]], [[example]]): their `path`, else the
  # default location. A stub `fn main` compiles for any of them.
  awk '
    function flush() {
      if (kind != "") {
        if (path != "") print path
        else if (kind == "bin") print "src/bin/" name ".rs"
        else if (kind == "bench") print "benches/" name ".rs"
        else print kind "s/" name ".rs"
      }
      kind = ""; name = ""; path = ""
    }
    /^\[\[(bin|bench|test|example)\]\]/ { flush(); kind = $0; gsub(/[][]/, "", kind); next }
    /^\[/ { flush(); next }
    kind != "" && /^name *=/ { v = $0; sub(/^name *= *"/, "", v); sub(/".*/, "", v); name = v }
    kind != "" && /^path *=/ { v = $0; sub(/^path *= *"/, "", v); sub(/".*/, "", v); path = v }
    END { flush() }
  ' "$manifest" | while read -r target; do
    mkdir -p "$(dirname "$dest/$dir/$target")"
    echo 'fn main() {}' > "$dest/$dir/$target"
  done
done
