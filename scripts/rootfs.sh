#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Build the minimal container rootfs the integration tests run in:
#   scripts/rootfs.sh OUT_DIR PROBE_BINARY
# busybox (static) with its applet links, vipc-probe, and the empty mount
# points. Idempotent: does nothing when OUT_DIR is complete and newer than the
# probe. Quiet on success.
set -euo pipefail

die() { printf 'rootfs: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 OUT_DIR PROBE_BINARY"
out=$1 probe=$2
busybox=${BUSYBOX:-/bin/busybox}
stamp=$out/.vipc-rootfs

[ -x "$probe" ] || die "probe binary '$probe' missing (make build/tests/vipc-probe)"
[ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
case $(ldd "$busybox" 2>&1 || true) in
*'not a dynamic executable'*) ;;
*) die "$busybox is not static (apt-get install busybox-static)" ;;
esac

# Phase 1: up to date?
if [ -f "$stamp" ] && [ "$stamp" -nt "$probe" ] && [ "$stamp" -nt "$busybox" ] &&
	[ "$stamp" -nt "$0" ]; then
	exit 0
fi

# Phase 2: directories, busybox and its applet links (relative), the probe.
mkdir -p "$out"/{bin,proc,sys,dev,tmp,shared,etc,root}
chmod 1777 "$out/tmp"
cp -f "$busybox" "$out/bin/busybox.new" && mv -f "$out/bin/busybox.new" "$out/bin/busybox"
for applet in $("$busybox" --list); do
	case $applet in busybox | */*) continue ;; esac
	ln -sfn busybox "$out/bin/$applet"
done
cp -f "$probe" "$out/bin/vipc-probe.new" && mv -f "$out/bin/vipc-probe.new" "$out/bin/vipc-probe"

# Phase 3: the few files programs look for.
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$out/etc/passwd"
printf 'root:x:0:\n' >"$out/etc/group"
printf '127.0.0.1 localhost\n' >"$out/etc/hosts"
touch "$stamp"
