#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# `make install` into a scratch PREFIX: every file lands where it should,
# the unit passes `systemd-analyze verify` (its ExecStart= and ExecReload=
# point at the installed loader, its man page is found), the man page
# renders, and the installed loader answers --version. Prints
# "install: N passed, N failed" and exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

passed=0 failed=0
check() { # NAME CMD...
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		passed=$((passed + 1)); echo "[PASS] install::$name"
	else
		failed=$((failed + 1)); echo "[FAIL] install::$name"; printf '%s\n' "$out" | tail -n 20
	fi
}

d=$(mktemp -d /tmp/vipc-install.XXXXXX)
trap 'rm -rf "$d"' EXIT
check make_install make --no-print-directory install PREFIX="$d" SYSCONFDIR="$d/etc"
for f in sbin/vipc-loader lib/systemd/system/vipc.service share/man/man8/vipc-loader.8 \
	etc/vipc/policy.yaml.example; do
	check "installed_$(basename "$f")" test -s "$d/$f"
done
check unit_points_at_the_loader grep -qx "ExecReload=$d/sbin/vipc-loader reload -c $d/etc/vipc/policy.yaml" \
	"$d/lib/systemd/system/vipc.service"
check systemd_analyze_verify env MANPATH="$d/share/man" \
	systemd-analyze verify "$d/lib/systemd/system/vipc.service"
check man_page_renders sh -c "MANWIDTH=80 man -l '$d/share/man/man8/vipc-loader.8' | grep -q 'EXIT STATUS'"
# The installed page is the command table's: each command help lists is in it.
check man_page_has_every_command sh -c "MANWIDTH=200 man -l '$d/share/man/man8/vipc-loader.8' >'$d/man.txt' &&
	'$d/sbin/vipc-loader' help | sed -n 's/^  \\([a-z]\\+\\).*/\\1/p' | sort -u |
	while read -r c; do grep -q \"^ *\$c\\b\" '$d/man.txt' || { echo \"no \$c\"; exit 1; }; done"
check version "$d/sbin/vipc-loader" --version
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
