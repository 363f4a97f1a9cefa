#!/usr/bin/env bash
# Installs the Debian packages the test suite's real servers and media need, when run as
# root and when something is missing. Idempotent and quiet when all is present.
set -euo pipefail
need=()
command -v ffmpeg  >/dev/null 2>&1 || need+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v tmux    >/dev/null 2>&1 || need+=(tmux)
command -v smbd    >/dev/null 2>&1 || need+=(samba)
command -v smbclient >/dev/null 2>&1 || need+=(smbclient)
command -v pure-ftpd >/dev/null 2>&1 || need+=(pure-ftpd)
command -v apache2 >/dev/null 2>&1 || need+=(apache2)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v curl    >/dev/null 2>&1 || need+=(curl)
command -v avahi-daemon >/dev/null 2>&1 || need+=(avahi-daemon)
command -v avahi-browse >/dev/null 2>&1 || need+=(avahi-utils)
command -v dbus-daemon  >/dev/null 2>&1 || need+=(dbus)
# The mdns addon builds against Avahi's Bonjour compatibility headers during npm ci.
[ -f /usr/include/dns_sd.h ] || need+=(libavahi-compat-libdnssd-dev)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root, or: apt-get install -y ${need[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts packaged daemons on install where it can; the suite starts its own private
# instances on 127.0.0.1, so nothing else needs to run.
