#!/usr/bin/env bash
# Builds the Debian package: npm run package:deb [-- --arch amd64|arm64|armhf]
#
#   /usr/lib/alcove/{node,dist,node_modules,package.json}   app + bundled Node 20 runtime
#   /usr/lib/alcove/bin/alcoved                             daemon wrapper (the unit's ExecStart)
#   /usr/bin/alcove                                         admin CLI / TUI wrapper
#   /lib/systemd/system/alcove.service                      the hardened unit
#   /etc/alcove/alcove.yaml                                 default config (a conffile)
#   DEBIAN/{control,conffiles,md5sums,postinst,prerm,postrm}
#
# Environment:
#   ALCOVE_PKG_VERSION    package version (default: package.json's version)
#   ALCOVE_PKG_ARCH       amd64 | arm64 | armhf (default: this machine's; --arch wins)
#   ALCOVE_PKG_OUT        output directory (default dist/packages)
#   ALCOVE_PKG_COMPRESS   dpkg-deb compressor: xz (default), zstd, gzip, none
#   ALCOVE_PKG_SKIP_BUILD 1: use the existing dist/ (test/run.sh has just built it)
#   and those of stage-app.sh (ALCOVE_PKG_NODE_MODULES, ALCOVE_PKG_NODE, ALCOVE_PKG_CACHE)
#   for other architectures: see docs/OPERATIONS.md.
# Prints the path of the .deb on stdout (everything else goes to stderr).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

ARCH=${ALCOVE_PKG_ARCH:-$(dpkg --print-architecture)}
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) ARCH=$2; shift 2 ;;
    --arch=*) ARCH=${1#--arch=}; shift ;;
    *) echo "usage: build.sh [--arch amd64|arm64|armhf]" >&2; exit 2 ;;
  esac
done
case "$ARCH" in
  amd64) NODE_ARCH=x64 ;;
  arm64) NODE_ARCH=arm64 ;;
  armhf) NODE_ARCH=arm ;;
  *) echo "build.sh: unsupported architecture '$ARCH' (amd64, arm64, armhf)" >&2; exit 2 ;;
esac
VERSION=${ALCOVE_PKG_VERSION:-$(node -p "require('$REPO/package.json').version")}
if ! dpkg --validate-version "$VERSION" 2>/dev/null; then
  echo "build.sh: '$VERSION' is not a valid Debian version" >&2; exit 2
fi
OUT=${ALCOVE_PKG_OUT:-$REPO/dist/packages}
COMPRESS=${ALCOVE_PKG_COMPRESS:-xz}
for tool in dpkg-deb node npm; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is required" >&2; exit 1; }
done

if [ "${ALCOVE_PKG_SKIP_BUILD:-}" != 1 ]; then
  (cd "$REPO" && npm run build --silent >&2)
fi

# The unit must start what the package installs.
grep -q '^ExecStart=/usr/lib/alcove/bin/alcoved ' "$REPO/systemd/alcove.service" || {
  echo "build.sh: systemd/alcove.service's ExecStart is not /usr/lib/alcove/bin/alcoved" >&2; exit 1; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/alcove-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/root
APP=$ROOT/usr/lib/alcove
bash "$HERE/stage-app.sh" "$APP" "$NODE_ARCH" "$VERSION"

install -D -m 0755 "$HERE/alcove" "$ROOT/usr/bin/alcove"
install -D -m 0644 "$REPO/systemd/alcove.service" "$ROOT/lib/systemd/system/alcove.service"
install -D -m 0640 "$HERE/alcove.yaml" "$ROOT/etc/alcove/alcove.yaml"
install -D -m 0644 "$REPO/README.md" "$ROOT/usr/share/doc/alcove/README.md"
[ -f "$REPO/docs/OPERATIONS.md" ] && install -D -m 0644 "$REPO/docs/OPERATIONS.md" "$ROOT/usr/share/doc/alcove/OPERATIONS.md"
cat > "$ROOT/usr/share/doc/alcove/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: alcove
License: MIT
Comment: /usr/lib/alcove/node is the Node.js runtime (MIT and bundled third-party
 licenses, see https://github.com/nodejs/node/blob/main/LICENSE); /usr/lib/alcove/node_modules
 holds the npm dependencies, each with its license file.
EOF

DEBIAN=$ROOT/DEBIAN
mkdir -p "$DEBIAN"
install -m 0755 "$HERE/postinst" "$HERE/prerm" "$HERE/postrm" "$DEBIAN/"
echo /etc/alcove/alcove.yaml > "$DEBIAN/conffiles"
SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" "$HERE/control.in" > "$DEBIAN/control"
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's#  \./#  #') > "$DEBIAN/md5sums"

mkdir -p "$OUT"
DEB="$OUT/alcove_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESS" --build "$ROOT" "$DEB" >&2
echo "build.sh: $DEB ($(du -h "$DEB" | cut -f1), installed $((SIZE / 1024)) MiB)" >&2
echo "$DEB"
