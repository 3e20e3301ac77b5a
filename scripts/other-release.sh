#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Build the other side of an upgrade test (tests/integration/test_upgrade.c):
#   scripts/other-release.sh OUT_DIR COMMIT   a release from git: OUT_DIR/vipc-loader
#   scripts/other-release.sh OUT_DIR abi:N    this tree at pinned-state ABI N
# A release whose commit this clone lacks (a shallow clone), or whose ABI is
# this tree's (no upgrade to make), is replaced by this tree at its ABI - 1.
# OUT_DIR/SOURCE says which was built, in one line, also printed.
set -euo pipefail

die() { printf 'other-release: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 OUT_DIR COMMIT|abi:N"
out=$1 what=$2
top=$(cd "$(dirname "$0")/.." && pwd)
abi_of() { sed -n 's/^#define VIPC_ABI_VERSION \([0-9][0-9]*\).*/\1/p'; }
ours=$(abi_of <"$top/include/vipc.h")
[ -n "$ours" ] || die "no VIPC_ABI_VERSION in include/vipc.h"

# Phase 1: which source: the release from git, or this tree at another ABI.
abi= source=
case $what in
abi:*) abi=${what#abi:} source="this tree at ABI $abi" ;;
*)
	if ! git -C "$top" cat-file -e "$what^{commit}" 2>/dev/null; then
		abi=$((ours - 1))
		source="this tree at ABI $abi (commit $what is not in this clone)"
	elif [ "$(git -C "$top" show "$what:include/vipc.h" | abi_of)" = "$ours" ]; then
		abi=$((ours - 1))
		source="this tree at ABI $abi (commit $what has this tree's ABI $ours)"
	else
		version=$(git -C "$top" show "$what:user/version.h" | sed -n 's/.*VIPC_VERSION "\(.*\)".*/\1/p')
		source="release $version (commit $what, ABI $(git -C "$top" show "$what:include/vipc.h" | abi_of))"
	fi
	;;
esac

# Phase 2: its tree under OUT_DIR/src, then its loader.
rm -rf "$out" && mkdir -p "$out/src"
if [ -n "$abi" ]; then
	tar -C "$top" -c Makefile vmlinux.h bpf include user | tar -C "$out/src" -x
	sed -i "s/^#define VIPC_ABI_VERSION [0-9]*/#define VIPC_ABI_VERSION $abi/" "$out/src/include/vipc.h"
else
	git -C "$top" archive "$what" | tar -C "$out/src" -x
fi
"${MAKE:-make}" -C "$out/src" --no-print-directory vipc-loader >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log" >&2; die "building $source failed"; }
cp "$out/src/vipc-loader" "$out/vipc-loader" && rm -rf "$out/src"
printf '%s\n' "$source" | tee "$out/SOURCE"
