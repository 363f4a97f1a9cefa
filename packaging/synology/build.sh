#!/usr/bin/env bash
# Builds a Synology DSM 7 package: npm run package:spk [-- --arch x86_64|armv8|armv7]
#
# The .spk is a plain tar of:
#   INFO                   package metadata (key="value" lines)
#   package.tgz            extracted by DSM to /var/packages/alcove/target (SYNOPKG_PKGDEST):
#                          node, dist/, node_modules/ (with the static ffmpeg: DSM has no
#                          usable system one), package.json, etc/alcove.yaml, alcove.sc
#   scripts/               preinst postinst preuninst postuninst preupgrade postupgrade
#                          start-stop-status (+ common, sourced by them)
#   conf/privilege         run-as: package (DSM 7 runs everything as the 'alcove' user)
#   conf/resource          port-config (the firewall/port-forwarding entry, alcove.sc)
#   PACKAGE_ICON.PNG, PACKAGE_ICON_256.PNG   rendered with sharp (make-icon.mjs)
#
# Environment: ALCOVE_PKG_VERSION, ALCOVE_PKG_OUT (default dist/packages),
# ALCOVE_PKG_SKIP_BUILD=1, ALCOVE_SPK_GZIP_LEVEL (default 6), and stage-app.sh's variables
# for other architectures (docs/OPERATIONS.md). Prints the .spk path on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

case "$(node -p process.arch)" in
  x64) SYNO_ARCH=x86_64 ;; arm64) SYNO_ARCH=armv8 ;; arm) SYNO_ARCH=armv7 ;; *) SYNO_ARCH=unknown ;;
esac
SYNO_ARCH=${ALCOVE_PKG_ARCH:-$SYNO_ARCH}
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) SYNO_ARCH=$2; shift 2 ;;
    --arch=*) SYNO_ARCH=${1#--arch=}; shift ;;
    *) echo "usage: build.sh [--arch x86_64|armv8|armv7]" >&2; exit 2 ;;
  esac
done
case "$SYNO_ARCH" in
  x86_64) NODE_ARCH=x64 ;;
  armv8) NODE_ARCH=arm64 ;;
  armv7) NODE_ARCH=arm ;;
  *) echo "build.sh: unsupported Synology arch '$SYNO_ARCH' (x86_64, armv8, armv7)" >&2; exit 2 ;;
esac
BASE_VERSION=$(node -p "require('$REPO/package.json').version")
VERSION=${ALCOVE_PKG_VERSION:-$BASE_VERSION-0001}
# DSM compares versions as dotted numbers with a -build suffix.
[[ "$VERSION" =~ ^[0-9]+(\.[0-9]+)*-[0-9]+$ ]] || { echo "build.sh: DSM versions look like 1.2.3-0004, got '$VERSION'" >&2; exit 2; }
OUT=${ALCOVE_PKG_OUT:-$REPO/dist/packages}
LEVEL=${ALCOVE_SPK_GZIP_LEVEL:-6}

if [ "${ALCOVE_PKG_SKIP_BUILD:-}" != 1 ]; then
  (cd "$REPO" && npm run build --silent >&2)
fi

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/alcove-spk.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
TARGET=$STAGE/target
SPK=$STAGE/spk
ALCOVE_PKG_KEEP_FFMPEG=1 bash "$REPO/packaging/deb/stage-app.sh" "$TARGET" "$NODE_ARCH" "$VERSION"
install -D -m 0644 "$HERE/alcove.yaml" "$TARGET/etc/alcove.yaml"
install -m 0644 "$HERE/alcove.sc" "$TARGET/alcove.sc"

mkdir -p "$SPK/scripts" "$SPK/conf"
install -m 0755 "$HERE"/scripts/{preinst,postinst,preuninst,postuninst,preupgrade,postupgrade,start-stop-status} "$SPK/scripts/"
install -m 0644 "$HERE/scripts/common" "$SPK/scripts/common"
install -m 0644 "$HERE/conf/privilege" "$HERE/conf/resource" "$SPK/conf/"
node "$HERE/make-icon.mjs" "$SPK"
[ -f "$REPO/LICENSE" ] && install -m 0644 "$REPO/LICENSE" "$SPK/LICENSE"

(cd "$TARGET" && tar --owner=0 --group=0 -cf - . | gzip -"$LEVEL" > "$SPK/package.tgz")
EXTRACT_KB=$(du -sk "$TARGET" | cut -f1)
cat > "$SPK/INFO" <<EOF
package="alcove"
version="$VERSION"
os_min_ver="7.0-40000"
arch="$SYNO_ARCH"
displayname="Alcove"
description="A fast, light media server: indexes local folders and SMB/FTP/WebDAV shares, streams and transcodes to TVs, apps and browsers, announces itself over mDNS."
maintainer="Alcove maintainers"
distributor="Alcove"
thirdparty="yes"
startable="yes"
ctl_stop="yes"
adminport="8080"
adminprotocol="http"
adminurl="/health"
extractsize="$EXTRACT_KB"
checksum="$(md5sum "$SPK/package.tgz" | cut -d' ' -f1)"
EOF

mkdir -p "$OUT"
FILE="$OUT/alcove-${SYNO_ARCH}-${VERSION}.spk"
(cd "$SPK" && tar --owner=0 --group=0 -cf "$FILE" INFO package.tgz scripts conf PACKAGE_ICON.PNG PACKAGE_ICON_256.PNG $( [ -f LICENSE ] && echo LICENSE ))
echo "build.sh: $FILE ($(du -h "$FILE" | cut -f1), extracts to $((EXTRACT_KB / 1024)) MiB)" >&2
echo "$FILE"
