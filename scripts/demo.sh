#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc demo: four runc containers (server, granted client, intruder, and a
# stranger the policy does not list), vipc loaded with examples/policy.yaml,
# a transcript of allowed and denied calls and the live counters. Cleans up
# after itself, also on failure.
set -euo pipefail

cd "$(dirname "$0")/.."
LOADER=./vipc-loader
ROOTFS=$PWD/build/rootfs
NAMES=(server client intruder stranger)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The cgroup2 mount as the loader finds it: /sys/fs/cgroup (unified hosts),
# /sys/fs/cgroup/unified (hybrid ones), else the first in mountinfo.
cgroup2_root() {
	local d
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && mountpoint -q "$d"; then
			echo "$d"
			return
		fi
	done
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup2" && $4 == "/") { print $5; exit } }' \
		/proc/self/mountinfo
}
CG=$(cgroup2_root)
[ -n "$CG" ] || { echo "demo: no cgroup2 mount" >&2; exit 11; }
WORK=$(mktemp -d /tmp/vipc-demo.XXXXXX)

cleanup() {
	[ -z "${ENGINES:-}" ] || scripts/engines.sh stop docker >/dev/null 2>&1 || true
	for n in "${NAMES[@]}"; do runc delete --force "vipc-demo-$n" >/dev/null 2>&1 || true; done
	$LOADER unload >/dev/null 2>&1 || true
	for d in "$CG"/vipc-demo/* "$CG"/vipc-demo /sys/fs/cgroup/*/vipc-demo/* /sys/fs/cgroup/*/vipc-demo; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	rm -f /run/vipc/vipc.log # the demo's watcher's
	rmdir /run/vipc 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# Phase 1: one OCI bundle per container, in its own cgroup, /shared in common.
bundle() {
	local n=$1 dir=$WORK/$n
	mkdir -p "$dir" "$CG/vipc-demo/$n"
	(cd "$dir" && runc spec)
	jq --arg root "$ROOTFS" --arg cg "/vipc-demo/$n" --arg shared "$WORK/shared" '
		.root = {path: $root, readonly: false}
		| .process.terminal = false
		| .process.args = ["sleep", "3600"]
		| .hostname = "'"$n"'"
		| .linux.cgroupsPath = $cg
		| .mounts += [{destination: "/shared", type: "bind", source: $shared,
			       options: ["rbind", "rw"]},
			      {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"]}]
		' "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
	runc run -d --bundle "$dir" "vipc-demo-$n" </dev/null >/dev/null 2>&1
}

run_in() {
	local n=$1; shift
	printf '%-9s $ %s ' "$n" "$*"
	if runc exec "vipc-demo-$n" "$@" 2>"$WORK/err"; then
		printf '\033[32m-> allowed\033[0m\n'
	else
		printf '\033[31m-> %s\033[0m\n' "$(cat "$WORK/err")"
	fi
}

# `check` computes the same decision from the pinned maps, without a call.
check() {
	printf '%-9s $ vipc-loader check %s -> %s\n' "" "$*" "$($LOADER check "$@" || true)"
}

mkdir -p "$WORK/shared"
say "starting four containers: server, client, intruder, and stranger (no policy names it)"
for n in "${NAMES[@]}"; do bundle "$n"; done
runc list | grep vipc-demo

say "loading vipc with examples/policy.yaml (the watcher it leaves knows where Docker keeps its state)"
eval "$(scripts/engines.sh paths)"
RT_ROOTS=(--runtime-root "docker=$docker_data" --runtime-root "containerd=$docker_containerd_state")
$LOADER --detach -c examples/policy.yaml "${RT_ROOTS[@]}"
$LOADER status

say "server listens on /shared/echo.sock"
runc exec -d "vipc-demo-server" /bin/vipc-probe listen /shared/echo.sock >/dev/null
for _ in $(seq 50); do [ -S "$WORK/shared/echo.sock" ] && break; sleep 0.1; done

say "calls"
run_in client /bin/vipc-probe connect /shared/echo.sock --send hello
run_in intruder /bin/vipc-probe connect /shared/echo.sock --send hello
run_in stranger /bin/vipc-probe connect /shared/echo.sock --send hello
run_in server /bin/vipc-probe connect /shared/echo.sock
check client echo connect
check intruder echo connect
check --cgroup vipc-demo/stranger echo connect

say "revoking every grant on the endpoint (one generation bump)"
$LOADER revoke --endpoint echo
run_in client /bin/vipc-probe connect /shared/echo.sock

say "deny events from the ring buffer"
$LOADER events --count 3 --timeout 2

say "counters"
$LOADER stats
say "the same counters with bpftool"
bpftool map dump pinned /sys/fs/bpf/vipc/vipc_stats | grep -E '"(cpu|allowed|denied_no_grant|denied_revoked)"'

say "a Docker container selected by name (docker: vipc-demo-web), restarted"
ENGINES=1
scripts/engines.sh start docker --rootfs "$ROOTFS" >/dev/null
sed 's/^  intruder: .*/&\n  web:      { docker: vipc-demo-web }/' examples/policy.yaml >"$WORK/docker.yaml"
$LOADER reload -c "$WORK/docker.yaml" "${RT_ROOTS[@]}"
scripts/engines.sh docker run -d --name vipc-demo-web --network none -v "$WORK/shared:/shared" \
	vipc-test-img sh -c 'while :; do /bin/vipc-probe connect /shared/echo.sock; sleep 1; done' \
	>/dev/null
sleep 2
$LOADER container ls | grep '^web'
scripts/engines.sh docker restart -t 0 vipc-demo-web >/dev/null
sleep 2
echo "after docker restart:"
$LOADER container ls | grep '^web'
scripts/engines.sh docker logs vipc-demo-web 2>&1 | sort | uniq -c
$LOADER stats | grep -E 'denied_(held|no_grant)|cgroups_(held|bound)'

say "unloading and cleaning up"
