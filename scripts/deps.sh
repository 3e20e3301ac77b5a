#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install everything vipc's build, tests and demo need on Debian bookworm.
# Idempotent and quiet when all is present. libbpf 1.4 and bpftool 7.5 come
# from bookworm-backports: bookworm's libbpf 1.1 lacks the UNIX cgroup hooks.
set -euo pipefail

BACKPORTS_LIST=/etc/apt/sources.list.d/vipc-bookworm-backports.list
BACKPORT_PKGS=(libbpf-dev bpftool)
PKGS=(make pkg-config clang-19 llvm-19 libelf-dev zlib1g-dev libcap-dev libyaml-dev
      libjson-c-dev libcriterion-dev runc busybox-static iproute2 util-linux socat jq
      gnuplot-nox qemu-system-x86 cpio valgrind man-db systemd)
# The metrics endpoint's HTTP library, and curl its integration test drives.
PKGS+=(libmicrohttpd-dev curl)
# top's terminal library, and the terminal its integration test drives it in.
PKGS+=(libncurses-dev tmux)
# sd_notify for vipc.service (Type=notify); python3-yaml checks deploy/kubernetes.
PKGS+=(libsystemd-dev python3-yaml)
# Servers the tests start themselves: the container engines (scripts/engines.sh)
# and the real Prometheus (and promtool) of test_metrics; installed without
# their recommends and without starting their services.
ENGINE_PKGS=(docker.io podman containerd conmon prometheus)
POLICY_RC=/usr/sbin/policy-rc.d

log() { printf 'deps: %s\n' "$*" >&2; }

# Phase 1: is everything already there at the right version?
have_all() {
	local n
	n=$(dpkg-query -W -f='${Status}\n' "${PKGS[@]}" "${ENGINE_PKGS[@]}" "${BACKPORT_PKGS[@]}" \
		2>/dev/null | grep -c '^install ok installed$' || true)
	[ "$n" -eq $((${#PKGS[@]} + ${#ENGINE_PKGS[@]} + ${#BACKPORT_PKGS[@]})) ] || return 1
	dpkg --compare-versions "$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null)" ge 1:1.4 || return 1
	return 0
}

[ "$(id -u)" -eq 0 ] || { log "must run as root (apt-get)"; exit 77; }
have_all && exit 0

# Phase 2: add bookworm-backports if no source lists it.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding bookworm-backports"
	echo 'deb http://deb.debian.org/debian bookworm-backports main' >"$BACKPORTS_LIST"
fi

# Their maintainer scripts start dockerd, containerd and prometheus (invoke-rc.d,
# or systemd when it is PID 1): a policy-rc.d that refuses, unless one is in place.
OWN_POLICY_RC=
install_engines() {
	if [ ! -e "$POLICY_RC" ]; then
		OWN_POLICY_RC=$POLICY_RC
		printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC" && chmod 0755 "$POLICY_RC"
	fi
	apt install -y --no-install-recommends "${ENGINE_PKGS[@]}"
	if [ "$(cat /proc/1/comm)" = systemd ]; then
		systemctl disable --now docker.socket docker.service containerd.service \
			prometheus.service \
			>>"$APT_LOG" 2>&1 || true
	fi
}

# Phase 3: install.
export DEBIAN_FRONTEND=noninteractive
log "installing packages"
APT_LOG=$(mktemp)
trap 'rm -f "$APT_LOG" $OWN_POLICY_RC' EXIT
apt() { apt-get "$@" >>"$APT_LOG" 2>&1 || { cat "$APT_LOG" >&2; exit 1; }; }
apt update
apt install -y -t bookworm-backports "${BACKPORT_PKGS[@]}"
apt install -y "${PKGS[@]}"
install_engines
have_all || { log "packages still missing after install"; exit 1; }
