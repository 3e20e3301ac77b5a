#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run one stage of `make test` and print how long it took:
#   scripts/stage.sh NAME CMD [ARGS...]
# Exits with CMD's status; the time line is printed either way.
set -uo pipefail

name=$1
shift
start=$(date +%s)
echo "== stage $name: start $(date -u +%H:%M:%S)"
"$@"
rc=$?
echo "== stage $name: $(($(date +%s) - start)) s (exit $rc)"
exit $rc
