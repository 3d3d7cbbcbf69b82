#!/usr/bin/env bash
# The OpenAPI document as the contract: Schemathesis (PyPI) runs every check against a
# kcost serving an empty SQLite store, 25 examples per operation, with a fixed seed:
# tenant operations with a tenant key (scopes `*`), admin operations with the admin token.
# The hooks (kcost_hooks.py) state the few rules a schema cannot. Exits non-zero on any
# failure. Usage: tools/schemathesis/run.sh [path to the kcost binary]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-target/debug/kcost}"
seed="${SCHEMATHESIS_SEED:-20261207}"
venv=$(realpath -m "${SCHEMATHESIS_VENV:-$HOME/.cache/kcost-schemathesis}")
version="4.32.5"

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version"
fi

work=$(mktemp -d)
port=18700
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
admin="schemathesis-admin-token-0123456789abcdef"
base="http://127.0.0.1:$port"
(
  cd "$work"
  KCOST_DATABASE__URL="sqlite://$work/kcost.db?mode=rwc" KCOST_SERVER__PORT="$port" \
    KCOST_SERVER__RATE_LIMIT_PER_MINUTE=0 KCOST_SECURITY__ADMIN_TOKEN="$admin" \
    KCOST_TELEMETRY__LOG_FORMAT=json KCOST_TELEMETRY__LOG_LEVEL=warn \
    exec "$OLDPWD/$binary" serve >"$work/server.log" 2>&1
) &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 60); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done

json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
tenant=$(curl -fs -X POST "$base/v1/admin/tenants" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d '{"name":"schemathesis"}' | json tenant_id)
key=$(curl -fs -X POST "$base/v1/admin/api_keys" -H "Authorization: Bearer $admin" \
  -H 'Content-Type: application/json' -d "{\"tenant_id\":\"$tenant\",\"scopes\":[\"*\"]}" | json api_key)

# From the scratch directory: Schemathesis keeps a cache of past failures in the working
# directory, which would make runs depend on earlier ones.
run() {
  (cd "$work" && PYTHONPATH="$here" SCHEMATHESIS_HOOKS=kcost_hooks "$venv/bin/schemathesis" run \
    "$base/openapi.json" --checks all --max-examples 25 --seed "$seed" --no-color "$@")
}
status=0
run -H "Authorization: ApiKey $key" --exclude-path-regex '^/v1/admin/' || status=1
run -H "Authorization: Bearer $admin" --include-path-regex '^/v1/admin/' || status=1
if [ "$status" -ne 0 ]; then
  echo "schemathesis found failures; server log:" >&2
  tail -n 50 "$work/server.log" >&2
fi
exit "$status"
