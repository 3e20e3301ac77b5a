#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run one stage of `make test` within its time budget:
#   scripts/stage.sh NAME BUDGET_SECONDS CMD [ARGS...]
# prints the stage's time against its budget and fails the stage (status 1)
# when CMD failed or took longer than BUDGET_SECONDS; else exits 0. With
# $VIPC_STAGES set, each stage adds "NAME SECONDS BUDGET STATUS" to that file;
#   scripts/stage.sh --total
# then prints the stages' sum against the sum of their budgets, and fails
# when any stage failed.
set -uo pipefail

# Phase 1: --total: sum what the stages wrote.
if [ "${1:-}" = --total ]; then
	[ -s "${VIPC_STAGES:-}" ] || { echo "stage: no stages recorded in '${VIPC_STAGES:-}'"; exit 2; }
	awk '{ t += $2; b += $3; if ($4 != 0) bad = bad " " $1 }
	END { printf "== total: %d s of %d s (%d min of %d)%s\n", t, b, t / 60, b / 60,
		bad ? ", failed:" bad : ""; exit bad ? 1 : 0 }' "$VIPC_STAGES"
	exit
fi

# Phase 2: the stage, timed.
[ $# -ge 3 ] && [ "$2" -gt 0 ] 2>/dev/null || { echo "usage: $0 NAME BUDGET_SECONDS CMD..." >&2; exit 2; }
name=$1 budget=$2
shift 2
start=$(date +%s)
echo "== stage $name: start $(date -u +%H:%M:%S), budget $budget s"
"$@"
rc=$?
secs=$(($(date +%s) - start))

# Phase 3: the verdict: CMD's failure, or the budget overrun.
status=$rc
if [ "$secs" -gt "$budget" ]; then
	echo "!! stage $name took $secs s: over its budget of $budget s"
	status=1
fi
echo "== stage $name: $secs s of $budget s (exit $rc)"
[ -z "${VIPC_STAGES:-}" ] || echo "$name $secs $budget $status" >>"$VIPC_STAGES"
[ "$status" = 0 ] || exit 1
