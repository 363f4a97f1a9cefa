#!/usr/bin/env bash
# Installs the system tools the benchmarks compare against or drive (Debian/Ubuntu).
# Run as root (or with sudo); installs only what is missing. Safe to run again.
set -euo pipefail

declare -A PKG_FOR=(
  [wrk]=wrk
  [nginx]=nginx-light
  [minidlnad]=minidlna
  [vipsthumbnail]=libvips-tools
  [ffmpeg]=ffmpeg
  [curl]=curl
  [sqlite3]=sqlite3
  [find]=findutils
  [xargs]=findutils
)

missing=()
for cmd in "${!PKG_FOR[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    missing+=("${PKG_FOR[$cmd]}")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "bench deps: all present"
  exit 0
fi

# De-duplicate package names.
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "bench deps: installing ${pkgs[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: run 'sudo $0' or install: apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends keeps nginx/minidlna from pulling extra services; neither is
# started by the package on a machine without systemd, and the benchmarks never use the
# system instances (they run private configs on 127.0.0.1 high ports).
apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
