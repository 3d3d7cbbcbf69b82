#!/usr/bin/env bash
# Validates deploy/ offline: prepares the tools, then runs deploy/check.py.
#
#   bash deploy/check.sh
#
# Tools go into a virtualenv (KCOST_DEPLOY_CHECK_VENV, default ~/.cache/kcost-deploy-check):
#   PyYAML                 required (the system's is used if pip cannot install it);
#   helm-python-sdk        Helm v4's Go SDK as a library (no helm binary is packaged in the
#                          registries reachable here): `helm lint` and template rendering;
#   kubernetes-validate    Kubernetes JSON schemas, to validate the rendered manifests.
# The last two are optional: without them the chart gets a structural check only, and the
# output says so.
#
# With a PostgreSQL reachable at KCOST_CHECK_DATABASE_URL (else KCOST_TEST_DATABASE_URL, as
# in CI; a server URL whose user may CREATE DATABASE), it also builds `kcost`, migrates a
# scratch database with `kcost migrate` and runs every dashboard query on it; set
# KCOST_BIN to use an already built binary. Set KCOST_DEPLOY_CHECK_NO_DB=1 to skip that.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '  %s\n' "$*"; }

venv="${KCOST_DEPLOY_CHECK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kcost-deploy-check}"
python=python3
if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1; then
  python="$venv/bin/python"
  pip_install() { "$venv/bin/pip" install -q --disable-pip-version-check "$@" >/dev/null 2>&1; }
  "$python" -c 'import yaml' 2>/dev/null || pip_install pyyaml ||
    log "pip could not install PyYAML; trying the system python"
  "$python" -c 'import helm_python' 2>/dev/null || pip_install 'helm-python-sdk>=0.2.2,<0.3' ||
    log "pip could not install helm-python-sdk: the chart will get a structural check only"
  "$python" -c 'import kubernetes_validate' 2>/dev/null || pip_install 'kubernetes-validate>=1.30' ||
    log "pip could not install kubernetes-validate: manifests will not be schema-validated"
fi
if ! "$python" -c 'import yaml' 2>/dev/null; then
  if python3 -c 'import yaml' 2>/dev/null; then
    python=python3
  else
    echo "deploy/check.sh: PyYAML is needed (pip install pyyaml, or apt-get install python3-yaml)" >&2
    exit 1
  fi
fi

args=()
db_server="${KCOST_CHECK_DATABASE_URL:-${KCOST_TEST_DATABASE_URL:-}}"
scratch=""
cleanup() {
  if [ -n "$scratch" ]; then
    psql -X -q -d "$db_server" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
if [ -z "${KCOST_DEPLOY_CHECK_NO_DB:-}" ] && [ -n "$db_server" ] && command -v psql >/dev/null &&
   psql -X -q -d "$db_server" -c 'SELECT 1' >/dev/null 2>&1; then
  kcost="${KCOST_BIN:-}"
  if [ -z "$kcost" ]; then
    cargo build --locked -q -p kcost-server --bin kcost
    kcost="$(pwd)/target/debug/kcost"
  fi
  scratch="kcost_deploy_check_$$"
  psql -X -q -d "$db_server" -c "CREATE DATABASE $scratch" >/dev/null
  # Same server and credentials, another database name (URL: …/<db>[?params]).
  scratch_url=$(printf '%s' "$db_server" | sed -E "s#^([a-z]+://[^/]+)(/[^?]*)?#\1/$scratch#")
  KCOST_ENV=test KCOST_CONFIG_DIR="$(pwd)/config" KCOST_DATABASE__URL="$scratch_url" \
    "$kcost" migrate >/dev/null
  args+=(--database-url "$scratch_url" --kcost "$kcost")
else
  log "no PostgreSQL for the dashboard queries (set KCOST_CHECK_DATABASE_URL): SQL checked statically only"
fi

"$python" deploy/check.py "${args[@]}"
