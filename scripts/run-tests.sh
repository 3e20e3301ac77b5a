#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run Criterion test binaries one after another, print each one's time and
# one closing line summing them up: "N passed, N failed, N skipped". Exit
# non-zero on any failure, crash or (under CI=true) skip.
#   scripts/run-tests.sh BINARY[@[-]TEST[,TEST...]]...
# BINARY@TEST,... runs only the binary's tests of those names (globs, as
# auto_picks_*; Criterion's --filter), BINARY@-TEST,... all but those.
set -uo pipefail

passed=0 failed=0 skipped=0 status=0
for arg in "$@"; do
	t=${arg%%@*} filter=()
	names=${arg#*@} match=@
	case $names in -*) names=${names#-} match=! ;; esac
	[ "$t" = "$arg" ] || filter=(--filter "*/$match(${names//,/|})")
	echo "== ${arg##*/}"
	start=$(date +%s)
	out=$("$t" --jobs 1 --verbose=0 "${filter[@]}" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "== ${arg##*/}: $(($(date +%s) - start)) s"
	line=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g')
	if [ -z "$line" ]; then
		echo "!! ${t##*/}: no Criterion summary (exit $rc)"
		failed=$((failed + 1)); status=1; continue
	fi
	num() { printf '%s\n' "$line" | sed -n "s/.*$1: \([0-9]*\).*/\1/p"; }
	p=$(num Passing) f=$(num Failing) c=$(num Crashing)
	# A test a filter leaves out is "disabled": not a skip.
	s=$(printf '%s\n' "$out" | grep '\[SKIP\]' | grep -vc ': Test is disabled$')
	passed=$((passed + p)); failed=$((failed + f + c)); skipped=$((skipped + s))
	[ "$rc" -eq 0 ] && [ "$((f + c))" -eq 0 ] || status=1
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "!! under CI no test may skip on this machine"
	status=1
fi
exit $status
