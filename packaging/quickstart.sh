#!/usr/bin/env bash
# One command on a fresh Debian 12 machine (as root): installs what the daemon needs
# (ffmpeg; Node 20 must already be present), installs npm dependencies, builds, and runs
# alcoved on its embedded defaults (state in ./alcove-data, 0.0.0.0:8080). Extra arguments
# go to alcoved, e.g. --library Photos=/srv/photos:photo
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ffmpeg >/dev/null 2>&1 || ! command -v ffprobe >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
  else
    echo "note: system ffmpeg not found; the bundled static ffmpeg/ffprobe will be used" >&2
  fi
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
exec packaging/alcoved "$@"
