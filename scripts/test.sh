#!/usr/bin/env bash
# Installs what the tests need (system packages when missing, npm packages) and runs every test
# of every package through Nx. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# System packages the tests start or drive for real. Each entry: package:file-that-proves-it.
REQUIRED=(
  "openssl:/usr/bin/openssl"
  "etcd-server:/usr/bin/etcd"
  "python3-hvac:/usr/lib/python3/dist-packages/hvac/__init__.py"
  "postgresql:/usr/lib/postgresql/15/bin/postgres"
  "mariadb-server:/usr/sbin/mariadbd"
)
missing=()
for entry in "${REQUIRED[@]}"; do
  [[ -e "${entry#*:}" ]] || missing+=("${entry%%:*}")
done
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "could not install: ${missing[*]}"
    echo "0 passed, 1 failed"
    exit 1
  }
fi

npm ci --no-audit --no-fund --loglevel=error || {
  echo "npm ci failed"
  echo "0 passed, 1 failed"
  exit 1
}

log=$(mktemp)
CI=true npx nx run-many -t build,typecheck,test --skip-nx-cache --output-style=static 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum vitest's per-package summaries ("Tests  2 failed | 40 passed (42)").
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\s*Tests\s+[0-9]')
passed=$(grep -oE '[0-9]+ passed' <<<"$summary" | awk '{s+=$1} END {print s+0}')
failed=$(grep -oE '[0-9]+ failed' <<<"$summary" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
# A build or runner failure that no test counted still fails the run.
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
