#!/usr/bin/env bash
# Stages the runnable application into DEST (shared by the .deb and the Synology package):
#   DEST/bin/alcoved                          the launcher (packaging/alcoved)
#   DEST/dist/{daemon,storage-adapters,tui}   the compiled daemon, adapters and TUI
#   DEST/package.json                         version rewritten to the package version
#   DEST/node_modules                         production dependencies for the TARGET arch
#   DEST/node                                 the Node 20 runtime for the TARGET arch
#
# usage: stage-app.sh DEST NODE_ARCH VERSION       (NODE_ARCH: x64 | arm64 | arm)
#
# Environment:
#   ALCOVE_PKG_NODE_MODULES  a production node_modules tree installed ON the target arch
#                            (required when NODE_ARCH is not this machine's arch; see
#                            docs/OPERATIONS.md, "Other architectures")
#   ALCOVE_PKG_NODE          the node binary to bundle (default: `command -v node`); must be
#                            Node 20 for the target arch
#   ALCOVE_PKG_KEEP_FFMPEG   1: keep the bundled static ffmpeg (default: removed)
#   ALCOVE_PKG_CACHE         where `npm ci --omit=dev` results are kept, keyed by the lock
#                            file, the arch and the Node ABI (default dist/pkg-cache)
#
# Every native file staged (*.node and the node binary) is checked to be an ELF for the
# target machine, so a package can never ship another architecture's addon by mistake.
set -euo pipefail
DEST=$1 NODE_ARCH=$2 VERSION=$3
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HOST_ARCH=$(node -p process.arch)
NODE_BIN=${ALCOVE_PKG_NODE:-$(command -v node)}

case "$NODE_ARCH" in
  x64) ELF_MACHINE=62 ;;
  arm64) ELF_MACHINE=183 ;;
  arm) ELF_MACHINE=40 ;;
  *) echo "stage-app: unknown Node arch '$NODE_ARCH' (x64, arm64, arm)" >&2; exit 2 ;;
esac

elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }
is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

for f in "$REPO/dist/daemon/main.js" "$REPO/dist/daemon/cli/alcove.js"; do
  [ -f "$f" ] || { echo "stage-app: $f is missing: run npm run build first" >&2; exit 1; }
done

install -D -m 0755 "$REPO/packaging/alcoved" "$DEST/bin/alcoved"
mkdir -p "$DEST/dist"
# The daemon, adapters and TUI only: no tests, benchmarks, source maps or build state.
for part in daemon storage-adapters tui; do
  [ -d "$REPO/dist/$part" ] || continue
  (cd "$REPO/dist" && find "$part" -type f -name '*.js' -exec cp --parents -p -t "$DEST/dist/" {} +)
done
node -e '
  const fs = require("fs");
  const [src, dst, version] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(src, "utf8"));
  pkg.version = version;
  delete pkg.devDependencies; delete pkg.scripts; delete pkg.tap;
  fs.writeFileSync(dst, JSON.stringify(pkg, null, 2) + "\n");
' "$REPO/package.json" "$DEST/package.json" "$VERSION"

# --- production node_modules -------------------------------------------------------------
if [ -n "${ALCOVE_PKG_NODE_MODULES:-}" ]; then
  [ -d "$ALCOVE_PKG_NODE_MODULES" ] || { echo "stage-app: ALCOVE_PKG_NODE_MODULES=$ALCOVE_PKG_NODE_MODULES is not a directory" >&2; exit 1; }
  cp -a "$ALCOVE_PKG_NODE_MODULES" "$DEST/node_modules"
else
  if [ "$NODE_ARCH" != "$HOST_ARCH" ]; then
    echo "stage-app: building for $NODE_ARCH on $HOST_ARCH: set ALCOVE_PKG_NODE_MODULES to a production node_modules installed on $NODE_ARCH (npm ci --omit=dev there) and ALCOVE_PKG_NODE to its Node 20 binary" >&2
    exit 1
  fi
  CACHE=${ALCOVE_PKG_CACHE:-$REPO/dist/pkg-cache}
  ABI=$(node -p process.versions.modules)
  KEY=$( (cat "$REPO/package-lock.json"; node -p 'JSON.stringify(require(process.argv[1]).allowScripts)' "$REPO/package.json") | sha256sum | cut -c1-16)
  CACHED="$CACHE/node_modules-$NODE_ARCH-$ABI-$KEY"
  mkdir -p "$CACHE"
  # One builder at a time per cache (the .deb and .spk tests may run side by side).
  exec 9>"$CACHE/.lock"
  flock 9
  if [ ! -d "$CACHED" ]; then
    echo "stage-app: npm ci --omit=dev (production dependencies, builds mdns and unix-dgram)" >&2
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/alcove-npm-ci.XXXXXX")
    # Same package.json (and so the same allowScripts) and lock file as the repository.
    cp "$REPO/package.json" "$REPO/package-lock.json" "$WORK/"
    (cd "$WORK" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error >&2)
    find "$CACHE" -maxdepth 1 -name "node_modules-$NODE_ARCH-*" ! -name "${CACHED##*/}" -exec rm -rf {} +   # older lock files' trees
    mv "$WORK/node_modules" "$CACHED"
    rm -rf "$WORK"
  fi
  cp -a "$CACHED" "$DEST/node_modules"
  exec 9>&-
fi

NM="$DEST/node_modules"
# npm ci --omit=dev keeps a dev dependency that a production package names as an optional
# peer (the lock marks it "devOptional"): typescript, through valibot. Nothing at run time
# needs it, so it goes.
node -e '
  const lock = require(process.argv[1]);
  for (const [path, meta] of Object.entries(lock.packages ?? {})) {
    if (path && meta.devOptional && !meta.optional) console.log(path);
  }
' "$REPO/package-lock.json" | while IFS= read -r rel; do rm -rf "${DEST:?}/$rel"; done
# uWebSockets.js ships every platform's binary (~92 MiB) plus copies under dist/: keep the
# one this runtime loads (linux, target arch, ABI 115 = Node 20).
UWS="$NM/uWebSockets.js"
[ -f "$UWS/binaries/uws_linux_${NODE_ARCH}_115.node" ] || { echo "stage-app: uWebSockets.js has no uws_linux_${NODE_ARCH}_115.node" >&2; exit 1; }
find "$UWS/binaries" "$UWS/dist" -name '*.node' ! -path "*/binaries/uws_linux_${NODE_ARCH}_115.node" -delete
# The .deb depends on the system ffmpeg (hardware encoders): the bundled 2018 static ffmpeg
# would never be chosen there. Packages for systems without a usable ffmpeg (Synology)
# keep it with ALCOVE_PKG_KEEP_FFMPEG=1. The bundled static ffprobe always stays: it starts
# ~15x faster than Debian's.
if [ "${ALCOVE_PKG_KEEP_FFMPEG:-}" = 1 ]; then
  find "$NM/@ffmpeg-installer" -type f -name ffmpeg -exec chmod 0755 {} +
else
  rm -rf "$NM/@ffmpeg-installer/linux-$NODE_ARCH"
fi
# @ffprobe-installer ships its binary 0644 and only sets u+x at install time.
find "$NM/@ffprobe-installer" -type f -name ffprobe -exec chmod 0755 {} +
# lmdb's prebuilt addons for other Node ABIs and for musl libc.
find "$NM/@lmdb" -type f \( -name '*.musl.node' -o -name 'node.abi*.node' ! -name 'node.abi115.*' \) -delete 2>/dev/null || true
# node-gyp intermediates of the compiled addons are not needed at run time.
find "$NM" -type d -name obj.target -prune -exec rm -rf {} +
find "$NM" -type f \( -name '*.map' -o -name '*.ts' ! -name '*.d.ts' \) -delete

# --- Node runtime ------------------------------------------------------------------------
[ -x "$NODE_BIN" ] || { echo "stage-app: node binary $NODE_BIN not found (set ALCOVE_PKG_NODE)" >&2; exit 1; }
if [ "$NODE_ARCH" = "$HOST_ARCH" ]; then
  MAJOR=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
  [ "$MAJOR" = 20 ] || { echo "stage-app: $NODE_BIN is Node $MAJOR; the package needs Node 20 (uWebSockets.js ABI 115, sharp >= 20.9)" >&2; exit 1; }
fi
install -m 0755 "$NODE_BIN" "$DEST/node"

# --- every native file must be for the target machine ------------------------------------
bad=0
while IFS= read -r -d '' f; do
  is_elf "$f" || continue
  m=$(elf_machine "$f")
  if [ "$m" != "$ELF_MACHINE" ]; then echo "stage-app: $f is ELF machine $m, not $ELF_MACHINE ($NODE_ARCH)" >&2; bad=1; fi
done < <(find "$DEST/node" "$NM" -type f \( -name '*.node' -o -name 'node' -o -name 'ffprobe' -o -name '*.so*' \) -print0)
[ "$bad" = 0 ] || exit 1
