#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Load and unload vipc over and over while datagrams flow through its hooks:
#
#   scripts/unload-stress.sh [CYCLES [SECONDS]]
#
# Two processes of a registered container ("client") connect a datagram
# socket to an endpoint of another ("server") in a tight loop (vipc-probe
# loop --dgram: socket, connect through unix_may_send or sendmsg_unix,
# close), while `vipc-loader load -c POLICY` and `vipc-loader unload`
# alternate, CYCLES times (default 100) or until SECONDS (default 600) have
# passed. Prints a line after each step ("cycle N: load MS ms", "cycle N:
# unload MS ms", with how long unload waited for the kernel to free the
# old trampolines), last "unload-stress: N cycles completed in S s" and the
# flood's counts; exits 1 on the first failing load or unload, or when the
# flood died. A kernel that panics stops the VM instead (--keep keeps its
# console log, with the oops):
#
#   VIPC_VM_CACHE=/work/vm-cache flock /tmp/vipc-vm.lock scripts/vmtest.sh \
#     --kernel 6.12 --backend lsm --accel tcg --keep --timeout 1100 \
#     --run 'bash scripts/unload-stress.sh 1000 780' -- scripts/unload-stress.sh
#
# Needs root; the backend is VIPC_BACKEND's (auto when unset).
set -uo pipefail

cd "$(dirname "$0")/.."
CYCLES=${1:-100}
SECONDS_MAX=${2:-600}
CG2=/sys/fs/cgroup/unified
[ -d "$CG2" ] || CG2=/sys/fs/cgroup
CG=$CG2/vipc-stress
ADDR=@vipc-stress
WORK=$(mktemp -d /tmp/vipc-stress.XXXXXX)
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	grep -h '^ok=' "$WORK"/out.* 2>/dev/null | sed 's/^/unload-stress: flood /'
	./vipc-loader unload >/dev/null 2>&1
	rmdir "$CG/client" "$CG/server" "$CG" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# Phase 1: the containers' cgroups and the policy.
mkdir -p "$CG/server" "$CG/client" || exit 1
cat >"$WORK/policy.yaml" <<EOF
version: 1
defaults: { unknown: deny, mode: enforce }
containers:
  server: { cgroup: $CG/server }
  client: { cgroup: $CG/client }
endpoints:
  sink: { owner: server, abstract: "${ADDR#@}" }
grants:
  - { container: client, endpoint: sink, allow: [connect, send] }
EOF

# Phase 2: the receiver and two flooding senders, each in its cgroup.
in_cgroup() {
	local cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@" >"$WORK/out.${#PIDS[@]}" 2>&1 &
	PIDS+=($!)
}
in_cgroup "$CG/server" build/tests/vipc-probe listen "$ADDR" --dgram
sleep 0.5
in_cgroup "$CG/client" build/tests/vipc-probe loop "$ADDR" 100000 --dgram
in_cgroup "$CG/client" build/tests/vipc-probe loop "$ADDR" 100000 --dgram

# Phase 3: load and unload under the flood.
start=$(date +%s) n=0
while [ "$n" -lt "$CYCLES" ] && [ $(($(date +%s) - start)) -lt "$SECONDS_MAX" ]; do
	t0=$(ms)
	./vipc-loader load -c "$WORK/policy.yaml" >"$WORK/load.log" 2>&1 ||
		{ cat "$WORK/load.log"; echo "unload-stress: load failed at cycle $((n + 1))"; exit 1; }
	t1=$(ms)
	echo "cycle $((n + 1)): load $((t1 - t0)) ms"
	./vipc-loader -v unload >"$WORK/unload.log" 2>&1 ||
		{ cat "$WORK/unload.log"; echo "unload-stress: unload failed at cycle $((n + 1))"; exit 1; }
	t2=$(ms)
	n=$((n + 1))
	echo "cycle $n: unload $((t2 - t1)) ms $(grep -i trampoline "$WORK/unload.log")"
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null || { cat "$WORK"/out.*; echo "unload-stress: the flood died"; exit 1; }
	done
done
echo "unload-stress: $n cycles completed in $(($(date +%s) - start)) s"
