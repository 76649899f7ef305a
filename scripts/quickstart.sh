#!/usr/bin/env bash
# Installs Coffer and runs it on the embedded file storage, initialised and unsealed.
#
#   bash scripts/quickstart.sh
#
# Data lives in ./coffer-data (COFFER_DATA overrides it), the server listens on 127.0.0.1:8200
# (COFFER_QUICKSTART_PORT overrides the port). The first run initialises the server with 5 key
# shares, threshold 3, and keeps them in coffer-data/init.json so later runs can unseal: that is a
# demo convenience — in production the shares go to different people and never sit beside the data.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

echo "==> Installing npm packages"
npm ci --no-audit --no-fund --loglevel=error
echo "==> Building"
npx nx run @coffer/cli:build --output-style=static >/dev/null

DATA=${COFFER_DATA:-$ROOT/coffer-data}
PORT=${COFFER_QUICKSTART_PORT:-8200}
mkdir -p "$DATA"
chmod 700 "$DATA"
if [[ ! -f "$DATA/coffer.hcl" ]]; then
  cat >"$DATA/coffer.hcl" <<HCL
storage "file" {
  path = "$DATA/storage"
}

listener "tcp" {
  address     = "127.0.0.1:$PORT"
  tls_disable = true
}

api_addr      = "http://127.0.0.1:$PORT"
disable_mlock = true
log_level     = "info"
HCL
fi

coffer() { node "$ROOT/packages/cli/dist/main.js" "$@"; }
export COFFER_ADDR="http://127.0.0.1:$PORT"
unset COFFER_TOKEN VAULT_TOKEN

echo "==> Starting coffer server --config $DATA/coffer.hcl"
node "$ROOT/packages/cli/dist/main.js" server --config "$DATA/coffer.hcl" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null' INT TERM EXIT

# Wait until the server answers (status exits 0 unsealed, 2 sealed, 1 unreachable).
for _ in $(seq 1 100); do
  set +e
  coffer status >/dev/null 2>&1
  code=$?
  set -e
  [[ $code -ne 1 ]] && break
  kill -0 "$SERVER" 2>/dev/null || { echo "the server exited; see the log above"; exit 1; }
  sleep 0.2
done

json() { node -e "const d=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log($1)"; }

if [[ "$(coffer status -format=json | json 'd.initialized')" != "true" ]]; then
  echo "==> Initialising (5 key shares, threshold 3)"
  (umask 077 && coffer operator init -key-shares=5 -key-threshold=3 -format=json >"$DATA/init.json")
  FIRST_RUN=1
fi
ROOT_TOKEN=$(json 'd.root_token' <"$DATA/init.json")

echo "==> Unsealing with 3 of the 5 key shares"
for i in 0 1 2; do
  coffer operator unseal "$(json "d.unseal_keys_b64[$i]" <"$DATA/init.json")" >/dev/null
done

if [[ -n "${FIRST_RUN:-}" ]]; then
  COFFER_TOKEN=$ROOT_TOKEN coffer secrets enable -path=secret -version=2 kv >/dev/null
fi

cat <<BANNER

Coffer is running on the file storage in $DATA, unsealed.

    export COFFER_ADDR='$COFFER_ADDR'
    export COFFER_TOKEN='$ROOT_TOKEN'

    npx coffer kv put secret/hello value=world
    npx coffer kv get secret/hello
    curl -s -H "X-Vault-Token: \$COFFER_TOKEN" \$COFFER_ADDR/v1/secret/data/hello

The root token and the 5 unseal key shares are in $DATA/init.json (mode 0600).
Press Ctrl-C to stop the server; run this script again to start and unseal it.

BANNER

wait "$SERVER"
