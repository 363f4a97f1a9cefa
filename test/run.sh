#!/usr/bin/env bash
# The whole test suite: installs what it needs (Debian packages when root, npm packages),
# builds, runs every test file with tap, and ends with the line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/servers/install-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
set +e
npx tap --reporter=tap "$@" 2>&1 | node test/helpers/tap-summary.mjs
status=${PIPESTATUS[0]}
exit "$status"
