#!/usr/bin/busybox sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# /init of the test VM that scripts/vmtest.sh boots: mounts what the host has
# (cgroups, proc, sysfs, devtmpfs) on a tmpfs root, then runs the
# suites once per backend (VIPC_BACKEND set to it) with
# scripts/run-tests.sh, or the command RUN instead when set, their output
# on the second serial port (/dev/ttyS1), and powers off. Reads /vm.conf
# (written by vmtest.sh): REPO, BACKENDS, TESTS_<backend>, RUN, CGROUPS,
# CGROUP_V1, CI, VERBOSE; and vipc.time_scale=N from the
# kernel command line (VIPC_TIME_SCALE for the harness's waits).
# Markers on ttyS1: "VIPC-VM-RUN <backend>", "VIPC-VM-RESULT <backend> <status>",
# "VIPC-VM-INFO <text>", and last "VIPC-VM-EXIT <status>".

# Phase 1: busybox applets (last in PATH: the copied host tools come first).
/usr/bin/busybox mkdir -p /busybox
/usr/bin/busybox --install -s /busybox
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox
export HOME=/root TERM=dumb LANG=C.UTF-8
. /vm.conf

# Phase 1b: move to a tmpfs root: runc's pivot_root fails on the initramfs.
if [ ! -e /.tmpfs-root ]; then
	mkdir /newroot
	mount -t tmpfs -o mode=755 tmpfs /newroot
	for e in /* /.[!.]*; do
		[ -e "$e" ] && [ "$e" != /newroot ] && cp -a "$e" /newroot/
	done
	touch /newroot/.tmpfs-root
	exec switch_root /newroot /init
fi

# Phase 2: the pseudo file systems.
mkdir -p /proc /sys /dev /run /tmp /root
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=755 devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=000 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
chmod 1777 /tmp # /run and /tmp stay on the tmpfs root: the repository may be below them
mount -t securityfs securityfs /sys/kernel/security
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
ip link set lo up 2>/dev/null
hostname vipc-vm

# Results go to ttyS1; with VERBOSE also to the console.
OUT=/dev/ttyS1
say() {
	if [ "$VERBOSE" = 1 ]; then echo "$*" | tee -a $OUT; else echo "$*" >>$OUT; fi
}

# Phase 3: cgroups. CGROUPS=unified: cgroup2 at /sys/fs/cgroup, no v1, as
# on current distributions. hybrid: laid out as on the host: tmpfs, the v1
# hierarchies this kernel still has, cgroup2 at /sys/fs/cgroup/unified.
v1=
if [ "$CGROUPS" = unified ]; then
	cg2=/sys/fs/cgroup
else
	cg2=/sys/fs/cgroup/unified
	mount -t tmpfs -o nosuid,nodev,noexec,mode=755 tmpfs /sys/fs/cgroup
	for h in $CGROUP_V1; do
		name=${h%%=*} opts=${h#*=}
		mkdir -p /sys/fs/cgroup/$name
		if mount -t cgroup -o "$opts" cgroup /sys/fs/cgroup/$name 2>/dev/null; then
			v1="$v1 $name"
		else
			rmdir /sys/fs/cgroup/$name
		fi
	done
	mkdir -p $cg2
fi
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 $cg2
TIME_SCALE=1
for a in $(cat /proc/cmdline); do
	case $a in vipc.time_scale=*) TIME_SCALE=${a#*=} ;; esac
done
say "VIPC-VM-INFO kernel $(uname -r), $(nproc) cpus, time scale $TIME_SCALE, lsm=$(cat /sys/kernel/security/lsm)"
say "VIPC-VM-INFO cgroup v1:${v1:- none}; cgroup2 at $cg2 ($CGROUPS)"

# Phase 4: each backend's run of the suites (or of RUN), from the
# repository's path.
cd "$REPO" || { say "VIPC-VM-EXIT 1"; poweroff -f; }
status=0
export CI VIPC_TIME_SCALE=$TIME_SCALE
for b in $BACKENDS; do
	say "VIPC-VM-RUN $b"
	eval "tests=\$TESTS_$b"
	cmd=${RUN:-bash scripts/run-tests.sh $tests}
	export VIPC_BACKEND=$b
	if [ "$VERBOSE" = 1 ]; then
		{ bash -c "$cmd" 2>&1; echo "rc=$?" >/tmp/rc; } | tee -a $OUT
		rc=$(sed -n 's/^rc=//p' /tmp/rc)
	else
		bash -c "$cmd" >>$OUT 2>&1
		rc=$?
	fi
	say "VIPC-VM-RESULT $b $rc"
	[ "$rc" = 0 ] || status=1
done

# Phase 5: the exit marker, then power off (the host's qemu exits).
say "VIPC-VM-EXIT $status"
sync
poweroff -f
