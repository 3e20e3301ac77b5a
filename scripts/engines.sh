#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Container engines for the tests, each with its own state under one
# directory ($VIPC_ENGINES_DIR, default /run/vipc-engines), never the host's:
#
#   scripts/engines.sh start ENGINE... [--rootfs DIR]   (docker podman containerd)
#   scripts/engines.sh stop [ENGINE...]                 (default: all three)
#   scripts/engines.sh docker|podman|ctr ARGS...        (the CLI, on that state)
#   scripts/engines.sh ctr-run ARGS...                  (`ctr run`, with this state's runc
#                                                        root and snapshotter)
#   scripts/engines.sh paths                            (where each keeps its state)
#
# `start` installs nothing (scripts/deps.sh does): it checks the binaries,
# starts the daemon with the flags this sandbox needs (dockerd, containerd;
# podman has none), waits for its socket and imports the image vipc-test-img
# from the rootfs (default build/rootfs, made by scripts/rootfs.sh). A failed
# start stops what it started. `stop` removes every container, ends the
# daemon and every shim it left, unmounts and deletes the state, even after a
# crash. Containers run with --network none (no bridge, no iptables).
set -euo pipefail

BASE=${VIPC_ENGINES_DIR:-/run/vipc-engines}
IMAGE=vipc-test-img
CTR_NS=vipc
DOCKER=/usr/bin/docker # not a client earlier in PATH (API versions)

die() { printf 'engines: %s\n' "$*" >&2; exit 1; }
log() { printf 'engines: %s\n' "$*" >&2; }

# ---- the CLIs, bound to this state ----
dk() { "$DOCKER" -H "unix://$BASE/docker/docker.sock" "$@"; }
pm() {
	podman --root "$BASE/podman/root" --runroot "$BASE/podman/run" --tmpdir "$BASE/podman/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --runtime runc \
		--events-backend file "$@"
}
ct() { ctr --address "$BASE/containerd/containerd.sock" --namespace "$CTR_NS" "$@"; }

need() {
	local b
	for b in "$@"; do
		command -v "$b" >/dev/null || die "$b missing: run scripts/deps.sh"
	done
}

# wait_for SECONDS CMD...: until CMD succeeds, or fail.
wait_for() {
	local n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# ---- the image: the rootfs as one layer ----
rootfs_tar() {
	[ -x "$ROOTFS/bin/busybox" ] || die "no rootfs at $ROOTFS (scripts/rootfs.sh)"
	tar -C "$ROOTFS" --exclude ./.vipc-rootfs -c .
}

# A descriptor of blob FILE (moved into BLOBS under its digest) of MEDIATYPE.
blob() {
	local digest size
	digest=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	mv "$1" "$BLOBS/$digest"
	printf '{"mediaType":"%s","digest":"sha256:%s","size":%s}' "$2" "$digest" "$size"
}

# An OCI image archive of the rootfs, by hand (containerd imports no bare tar).
oci_archive() {
	local dir=$1 oci=application/vnd.oci.image layer cfg man
	BLOBS=$dir/oci/blobs/sha256
	mkdir -p "$BLOBS"
	rootfs_tar >"$dir/layer.tar"
	layer=$(blob "$dir/layer.tar" "$oci.layer.v1.tar")
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"]},%s}' \
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$(ls "$BLOBS")\"]}" \
		>"$dir/cfg"
	cfg=$(blob "$dir/cfg" "$oci.config.v1+json")
	printf '{"schemaVersion":2,"mediaType":"%s","config":%s,"layers":[%s]}' \
		"$oci.manifest.v1+json" "$cfg" "$layer" >"$dir/man"
	man=$(blob "$dir/man" "$oci.manifest.v1+json")
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci/oci-layout"
	printf '{"schemaVersion":2,"manifests":[%s]}' \
		"${man%\}},\"annotations\":{\"io.containerd.image.name\":\"docker.io/library/$IMAGE:latest\"}}" \
		>"$dir/oci/index.json"
	tar -C "$dir/oci" -cf "$dir/image.tar" .
	rm -rf "$dir/oci"
}

# ---- start ----
start_docker() {
	local d=$BASE/docker
	need dockerd containerd runc "$DOCKER"
	mkdir -p "$d"
	setsid dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
		-H "unix://$d/docker.sock" --iptables=false --ip6tables=false --bridge=none \
		--storage-driver=vfs --exec-opt native.cgroupdriver=cgroupfs \
		</dev/null >"$d/dockerd.log" 2>&1 &
	echo $! >"$d/daemon.pid"
	wait_for 30 dk version || { tail -n 20 "$d/dockerd.log" >&2; die "dockerd did not start"; }
	rootfs_tar | dk import -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
}

start_podman() {
	need podman conmon runc
	mkdir -p "$BASE/podman/tmp"
	rootfs_tar | pm import -q -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
}

start_containerd() {
	local d=$BASE/containerd
	need containerd ctr runc
	mkdir -p "$d"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
		[debug]
		  address = "$d/debug.sock"
	EOF
	setsid containerd --config "$d/config.toml" </dev/null >"$d/containerd.log" 2>&1 &
	echo $! >"$d/daemon.pid"
	wait_for 30 ct version || { tail -n 20 "$d/containerd.log" >&2; die "containerd did not start"; }
	oci_archive "$d"
	ct images import --snapshotter native "$d/image.tar" >/dev/null
	rm -f "$d/image.tar"
}

# ---- stop ----
# End PID (TERM, then KILL after 15 s) if it is still the process we started.
end_pid() {
	local pid=$1 comm=$2 n=150
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	while [ -d "/proc/$pid" ] && [ "$n" -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill -KILL "$pid" 2>/dev/null || true
}

# The shims whose command line names our state directory DIR.
end_shims() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = containerd-shim ] ||
			[ "$(cat "$p/comm" 2>/dev/null)" = containerd-shim-runc-v2 ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$1/" || continue
		kill -KILL "${p#/proc/}" 2>/dev/null || true
	done
}

# Unmount everything below DIR, deepest first, then delete it.
remove_tree() {
	local m
	[ -e "$1" ] || return 0
	awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$1"
}

stop_docker() {
	local d=$BASE/docker
	[ -d "$d" ] || return 0
	if [ -S "$d/docker.sock" ]; then
		dk ps -aq | xargs -r "$DOCKER" -H "unix://$d/docker.sock" rm -f >/dev/null 2>&1 || true
	fi
	end_pid "$(cat "$d/daemon.pid" 2>/dev/null)" dockerd
	end_pid "$(cat "$d/exec/containerd/containerd.pid" 2>/dev/null)" containerd
	end_shims "$d"
	remove_tree "$d"
}

stop_podman() {
	[ -d "$BASE/podman" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1 || true
	pm system reset -f >/dev/null 2>&1 || true
	remove_tree "$BASE/podman"
}

stop_containerd() {
	local d=$BASE/containerd c
	[ -d "$d" ] || return 0
	if [ -S "$d/containerd.sock" ]; then
		for c in $(ct containers ls -q 2>/dev/null); do
			ct tasks delete -f "$c" >/dev/null 2>&1 || true
			ct containers delete "$c" >/dev/null 2>&1 || true
		done
	fi
	end_pid "$(cat "$d/daemon.pid" 2>/dev/null)" containerd
	end_shims "$d"
	remove_tree "$d"
}

# What the engines made outside their state, if empty now: the base dir,
# the parents in every cgroup hierarchy, ctr's FIFO and the shims' socket dirs.
remove_parents() {
	local m p
	rmdir "$BASE" /run/containerd/fifo /run/containerd/s /run/containerd 2>/dev/null || true
	for m in $(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break
		if ($(i + 1) ~ /^cgroup2?$/) print $5 }' /proc/self/mountinfo); do
		for p in docker libpod_parent/conmon libpod_parent "$CTR_NS"; do
			[ -d "$m/$p" ] && rmdir "$m/$p" 2>/dev/null || true
		done
	done
}

# ---- main ----
[ $# -gt 0 ] || { sed -n '5,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
cmd=$1
shift
case $cmd in
start)
	ROOTFS=build/rootfs
	engines=()
	while [ $# -gt 0 ]; do
		case $1 in
		--rootfs) ROOTFS=$2; shift 2 ;;
		docker | podman | containerd) engines+=("$1"); shift ;;
		*) die "unknown engine '$1' (docker, podman, containerd)" ;;
		esac
	done
	[ ${#engines[@]} -gt 0 ] || die "start which engine? (docker, podman, containerd)"
	mkdir -p "$BASE"
	started=()
	trap 'rc=$?; [ $rc -eq 0 ] || for e in "${started[@]}"; do stop_$e; done; remove_parents' EXIT
	for e in "${engines[@]}"; do
		started+=("$e")
		"start_$e"
	done
	;;
stop)
	[ $# -gt 0 ] || set -- docker podman containerd
	for e in "$@"; do
		case $e in docker | podman | containerd) "stop_$e" ;; *) die "unknown engine '$e'" ;; esac
	done
	remove_parents
	;;
docker) dk "$@" ;;
podman) pm "$@" ;;
ctr) ct "$@" ;;
ctr-run) ct run --snapshotter native --runc-root "$BASE/containerd/runc" "$@" ;;
paths)
	printf 'docker_data=%s\ndocker_exec=%s\n' "$BASE/docker/data" "$BASE/docker/exec"
	printf 'docker_containerd_state=%s\n' "$BASE/docker/exec/containerd/daemon"
	printf 'podman_storage=%s\n' "$BASE/podman/root"
	printf 'containerd_state=%s\ncontainerd_runc=%s\n' "$BASE/containerd/state" \
		"$BASE/containerd/runc"
	;;
*) die "unknown command '$cmd' (start, stop, docker, podman, ctr, ctr-run, paths)" ;;
esac
