#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run the integration suites inside a qemu VM that boots a Debian cloud kernel
# with BPF LSM enabled (lsm=lockdown,capability,landlock,yama,bpf):
#
#   scripts/vmtest.sh --kernel 6.12|6.1 [--backend sock|lsm|fmodret[,...]|both|all] [--accel kvm|tcg]
#                     [--lsm LIST] [--cgroups hybrid|unified] [--timeout SECONDS]
#                     [--run 'CMD'] [--keep] [-v] [-- [BACKEND:]TEST_BINARY[@TEST,...]...]
#
# --kernel   6.12: bookworm-backports' cloud kernel (both backends);
#            6.1: bookworm's (lsm only: no UNIX cgroup hooks before 6.7).
# --backend  which backend(s) to test, each a run of the suites with
#            VIPC_BACKEND=<backend>, one after another in one boot: sock,
#            lsm, fmodret (the LSM suites as fmod_ret programs) or a comma
#            list of them; both (default) = sock (where the kernel has it)
#            and lsm; all = the three.
# --lsm      the guest's lsm= boot list (default
#            lockdown,capability,landlock,yama,bpf; without bpf, as Ubuntu's
#            kernels and `lsm=` lists that leave it out, BPF LSM is off).
# --accel    kvm or tcg, and nothing else. Without it: kvm when a test boot of
#            the kernel under kvm reaches its panic for want of a root file
#            system (the verdict cached in the cache's kvm-verdict for this
#            host boot), else tcg; a kvm run that ends without a result
#            (qemu aborted, hung, or kvm failed the guest) runs again under
#            tcg. Each says why. A guest that dies before its /init runs
#            is booted once more under tcg.
# --cgroups  the VM's layout: hybrid (default, as this host: the v1
#            hierarchies it has, cgroup2 at /sys/fs/cgroup/unified) or
#            unified (cgroup2 at /sys/fs/cgroup, no v1).
# --timeout  for the whole VM run (default 300 s per suite and backend);
#            a hang or a kernel panic fails the run.
# --run      run CMD (bash -c, from the repository's path, once per backend
#            with VIPC_BACKEND set) instead of the suites, and print all
#            its output; the TEST_BINARY arguments are then the binaries to
#            copy in (none by default), e.g.
#            --run 'build/bench/vipc-bench --quick' -- build/bench/vipc-bench
# --keep     keep the work directory (initramfs, console logs); -v streams
#            the console and the suites' output.
# TEST_BINARY defaults to every integration suite (build/tests/test_<name> of
# tests/integration/<name>.c and tests/lsm/<name>.c; the latter run with the
# lsm and fmodret backends only); `make vmtest` builds them first. Each runs
# with every backend of the boot; BACKEND:TEST_BINARY with that backend only;
# TEST_BINARY@TEST,... only its tests of those names (globs allowed).
#
# The kernel is fetched once with `apt-get download` + `dpkg -x` into
# build/vm/kernels/<package>/ (nothing is installed on the host). The
# initramfs holds static busybox (/init, tests/vm/init.sh), sh, bash, runc,
# bpftool, setpriv, grep, sed (and valgrind's memcheck) with their shared
# libraries, and the repository's binaries (the upgrade suite's other
# loaders under build/old and build/abi too) and build/rootfs at the same
# absolute paths as here, so the suites run unchanged, with real runc
# containers. Their output comes back on the VM's second serial port. Prints the suites' summary lines (all
# of a failing run, or the console's tail when the VM died) and exits with
# the suites' status: 0 passed, 1 failed, 2 usage or setup error. Under tcg
# the harness's waits are stretched 4 times (VIPC_TIME_SCALE overrides).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
CACHE=${VIPC_VM_CACHE:-$REPO/build/vm}
LSM_CMDLINE=lockdown,capability,landlock,yama,bpf
SOCK_MIN_KERNEL=6.7 # cgroup/connect_unix and friends
HOST_TOOLS=(sh bash runc bpftool setpriv grep sed curl socat)
VALGRIND_FILES=(valgrind.bin memcheck-amd64-linux vgpreload_core-amd64-linux.so
		vgpreload_memcheck-amd64-linux.so default.supp)

die() { printf 'vmtest: %s\n' "$*" >&2; exit 2; }
log() { printf 'vmtest: %s\n' "$*"; }

usage() { sed -n '3,/^#  *the console/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# Phase 1: arguments.
series= backend=both accel= cgroups=hybrid timeout_s= run= keep=0 verbose=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) series=${2:-}; shift 2 ;;
	--backend) backend=${2:-}; shift 2 ;;
	--accel) accel=${2:-}; shift 2 ;;
	--cgroups) cgroups=${2:-}; shift 2 ;;
	--lsm) LSM_CMDLINE=${2:-}; [ -n "$LSM_CMDLINE" ] || usage; shift 2 ;;
	--timeout) timeout_s=${2:-}; shift 2 ;;
	--run) run=${2:-}; [ -n "$run" ] || usage; shift 2 ;;
	--keep) keep=1; shift ;;
	-v | --verbose) verbose=1; shift ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
case $series in 6.1 | 6.12) ;; *) usage ;; esac
case $backend in both | all) ;; *)
	for b in ${backend//,/ }; do
		case $b in sock | lsm | fmodret) ;; *) usage ;; esac
	done
	[ -n "${backend//,/}" ] || usage ;;
esac
case $LSM_CMDLINE in *[!a-z0-9,_]*) usage ;; esac
case $accel in '' | kvm | tcg) ;; *) usage ;; esac
case $cgroups in hybrid | unified) ;; *) usage ;; esac
[ "$(id -u)" -eq 0 ] || { log "must run as root (apt-get download, qemu)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null && command -v cpio >/dev/null ||
	die "qemu-system-x86_64 or cpio missing: scripts/deps.sh"

if [ $# -eq 0 ] && [ -z "$run" ]; then
	for src in tests/integration/*.c tests/lsm/*.c; do
		[ -e "$src" ] || continue
		n=${src##*/}
		set -- "$@" "build/tests/${n%.c}"
	done
fi
# Each test runs with every backend of the boot, those built from tests/lsm/
# with the lsm and fmodret backends only; BACKEND:TEST with that one only.
# TEST@NAME,... runs only the tests of those names (scripts/run-tests.sh).
TESTS=() TESTS_sock= TESTS_lsm= TESTS_fmodret=
for arg in "$@"; do
	only=
	case $arg in sock:* | lsm:* | fmodret:*) only=${arg%%:*} arg=${arg#*:} ;; esac
	t=${arg%%@*} names=${arg#"${arg%%@*}"}
	case $names in *[!A-Za-z0-9_,*@-]*) die "'$names': test names hold letters, digits, _ * only" ;; esac
	[ -x "$t" ] || die "binary '$t' missing (make $t)"
	t=$(realpath "$t")
	case $t in "$REPO"/*) ;; *) die "$t is outside $REPO" ;; esac
	case " ${TESTS[*]} " in *" $t "*) ;; *) TESTS+=("$t") ;; esac
	for b in ${only:-sock lsm fmodret}; do
		[ "$b" != sock ] || [ -n "$only" ] || [ ! -e "tests/lsm/${t##*/}.c" ] || continue
		eval "TESTS_$b=\"\$TESTS_$b $t$names\""
	done
done
for f in vipc-loader build/tests/vipc-probe build/rootfs/bin/vipc-probe; do
	[ -x "$f" ] || die "$f missing: make vipc-loader build/tests/vipc-probe, then scripts/rootfs.sh"
done
case $REPO in *"'"* | *' '*) die "the repository path must hold no quote or space" ;; esac
case $run in *"'"*) die "--run: CMD must hold no single quote" ;; esac

WORK=$(mktemp -d /tmp/vipc-vm.XXXXXX)
QPID=
# cleanup STATUS COMMAND: say why the script stops when a command failed,
# stop qemu if it still runs, drop the work directory.
cleanup() {
	case $1:$2 in
	0:* | *:exit*) ;;
	*) log "stopped by a failing command (status $1): $2" ;;
	esac
	if [ -n "$QPID" ]; then
		log "stopping qemu (timeout pid $QPID)"
		kill "$QPID" 2>/dev/null || true
		wait "$QPID" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap 'cleanup $? "$BASH_COMMAND"' EXIT
trap 'log "caught SIGINT"; exit 130' INT
trap 'log "caught SIGTERM"; exit 143' TERM

# Phase 2: the kernel package: the cloud image the series' meta-package
# depends on (apt-get update once if unknown), else the newest one cached.
resolve_kernel() {
	local meta=linux-image-cloud-amd64
	[ "$series" = 6.1 ] || meta=linux-image-$series-cloud-amd64
	apt-cache depends "$meta" 2>/dev/null |
		sed -n "s/^  Depends: \(linux-image-${series//./\\.}[.-][^ ]*-cloud-amd64\)$/\1/p" | head -n 1
}

fetch_kernel() {
	local pkg dir dl
	pkg=$(resolve_kernel)
	if [ -z "$pkg" ]; then
		apt-get update -qq >"$WORK/apt.log" 2>&1 || true
		pkg=$(resolve_kernel)
	fi
	if [ -z "$pkg" ]; then
		dir=$(ls -d "$CACHE/kernels/linux-image-$series"[.-]* 2>/dev/null | sort -V | tail -n 1)
		[ -n "$dir" ] || die "no linux-image-$series cloud kernel known to apt (is bookworm-backports listed?)"
		KDIR=$dir
		return
	fi
	KDIR=$CACHE/kernels/$pkg
	[ -f "$KDIR/vmlinuz" ] && return
	dl=$WORK/dl
	mkdir -p "$dl" "$CACHE/kernels"
	(cd "$dl" && { apt-get download -o APT::Sandbox::User=root "$pkg-unsigned" ||
		apt-get download -o APT::Sandbox::User=root "$pkg"; }) >"$WORK/apt.log" 2>&1 ||
		{ cat "$WORK/apt.log" >&2; die "apt-get download $pkg failed"; }
	dpkg -x "$dl"/*.deb "$dl/x"
	mkdir -p "$KDIR.new"
	cp "$dl"/x/boot/vmlinuz-* "$KDIR.new/vmlinuz"
	cp "$dl"/x/boot/config-* "$KDIR.new/config"
	basename "$dl"/*.deb >"$KDIR.new/package"
	rm -rf "$KDIR" && mv "$KDIR.new" "$KDIR"
}

fetch_kernel
KREL=${KDIR##*/linux-image-}
KVER=$(printf '%s\n' "$KREL" | grep -o '^[0-9]*\.[0-9]*')
for opt in BPF_LSM BPF_SYSCALL CGROUP_BPF DEBUG_INFO_BTF UNIX SECURITYFS SERIAL_8250_CONSOLE; do
	grep -q "^CONFIG_$opt=y" "$KDIR/config" || die "$KREL: CONFIG_$opt is not built in"
done

# Phase 3: the backends this kernel can run.
has_sock=0
[ "$(printf '%s\n%s\n' "$SOCK_MIN_KERNEL" "$KVER" | sort -V | head -n 1)" = "$SOCK_MIN_KERNEL" ] && has_sock=1
case $backend in
both) BACKENDS=lsm; [ "$has_sock" = 0 ] || BACKENDS="sock lsm" ;;
all) BACKENDS="lsm fmodret"; [ "$has_sock" = 0 ] || BACKENDS="sock lsm fmodret" ;;
*) BACKENDS=${backend//,/ }
	case " $BACKENDS " in *" sock "*) [ "$has_sock" = 1 ] ||
		die "$KREL has no UNIX cgroup hooks (need >= $SOCK_MIN_KERNEL): no sock backend" ;;
	esac ;;
esac

# 300 s per suite (or --run) and backend under emulation, unless --timeout says.
runs=0
for b in $BACKENDS; do
	eval "set -- \$TESTS_$b"
	runs=$((runs + ($# > 1 ? $# : 1)))
done
: "${timeout_s:=$((60 + 300 * runs))}"

# Phase 4: the initramfs: usr-merge links as here, busybox, host tools and
# every shared library they load, the repository's files at their own paths.
ST=$WORK/root
mkdir -p "$ST"/{dev,proc,sys,run,tmp,root,etc} "$ST"/usr/{bin,sbin,lib,lib64}
for d in bin sbin lib lib64; do
	if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$ST/$d"; else mkdir -p "$ST/$d"; fi
done

copy_file() {
	mkdir -p "$ST$(dirname "$1")"
	cp -L --preserve=mode "$1" "$ST$1"
}

copy_elf() {
	local lib
	copy_file "$1"
	for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		[ -e "$ST$lib" ] || copy_file "$lib"
	done
}

busybox=${BUSYBOX:-/bin/busybox}
case $(ldd "$busybox" 2>&1 || true) in
*'not a dynamic executable'*) cp "$busybox" "$ST/usr/bin/busybox" ;;
*) die "$busybox is not static (apt-get install busybox-static)" ;;
esac
for tool in "${HOST_TOOLS[@]}"; do
	p=$(command -v "$tool") || die "$tool missing: scripts/deps.sh"
	copy_elf "$(realpath "$p")"
	[ -e "$ST$p" ] || ln -s "$(realpath "$p")" "$ST$p"
done
# valgrind (test_leaks), when this machine has it: memcheck only.
if p=$(command -v valgrind); then
	copy_file "$p"
	for f in "${VALGRIND_FILES[@]}"; do
		for d in /usr/bin /usr/libexec/valgrind /usr/lib/x86_64-linux-gnu/valgrind; do
			[ -e "$d/$f" ] && copy_elf "$d/$f"
		done
	done
	# memcheck needs the dynamic loader's symbols (libc6-dbg).
	for lib in /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6; do
		id=$(readelf -n "$lib" 2>/dev/null | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
		dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
		[ -z "$id" ] || [ ! -e "$dbg" ] || copy_file "$dbg"
	done
fi
for f in "$REPO/vipc-loader" "$REPO/build/tests/vipc-probe" "${TESTS[@]}"; do copy_elf "$f"; done
# The upgrade suite's other sides (previous releases, this tree at the next ABI), when built.
for f in "$REPO"/build/{old,abi}/*/vipc-loader; do
	if [ -e "$f" ]; then copy_elf "$f" && copy_file "$(dirname "$f")/SOURCE"; fi
done
copy_file "$REPO/Makefile"
copy_file "$REPO/scripts/run-tests.sh"
mkdir -p "$ST$REPO/build"
cp -a "$REPO/build/rootfs" "$ST$REPO/build/rootfs"
cp tests/vm/init.sh "$ST/init"
chmod 755 "$ST/init"
mknod -m 600 "$ST/dev/console" c 5 1
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$ST/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ST/etc/group"

# The v1 hierarchies this machine has, as NAME=OPTIONS for init's mount.
v1=$(awk '$3 == "cgroup" {
	n = split($2, p, "/"); o = ""; k = split($4, a, ",")
	for (i = 1; i <= k; i++)
		if (a[i] !~ /^(rw|ro|relatime|noatime|nosuid|nodev|noexec)$/) o = o (o ? "," : "") a[i]
	if (o ~ /^name=[^,]*$/) o = "none," o # a named hierarchy without controllers
	printf "%s%s=%s", (s++ ? " " : ""), p[n], o
}' /proc/mounts)
cat >"$ST/vm.conf" <<EOF
REPO='$REPO'
BACKENDS='$BACKENDS'
TESTS_sock='$TESTS_sock'
TESTS_lsm='$TESTS_lsm'
TESTS_fmodret='$TESTS_fmodret'
RUN='$run'
CGROUPS=$cgroups
CGROUP_V1='$v1'
CI='${CI:-}'
VERBOSE=$verbose
EOF
(cd "$ST" && find . -print0 | cpio --null -o -H newc --quiet) >"$WORK/initramfs.cpio"

# Phase 5: boot: kvm when it really runs a guest here (auto: probed once per
# host boot, the verdict cached), else software emulation (tcg); in auto, a
# kvm run that ends without the exit marker runs again under tcg. What qemu
# says when kvm cannot run the guest: Intel, an internal error (qemu then
# hangs); AMD nested, an MSR it cannot set (qemu aborts).
KVM_FAILURE='KVM internal error|emulation failure|failed to set MSR'
KVM_VERDICT=$CACHE/kvm-verdict
BOOT_ID=$(cat /proc/sys/kernel/random/boot_id)

# qemu_watch ACCEL SECONDS QEMU_ARGS...: qemu under timeout in the
# background, stopped as soon as kvm says it cannot run the guest; returns
# qemu's status.
qemu_watch() {
	local accel=$1 secs=$2 cpu=max rc=0
	shift 2
	[ "$accel" = tcg ] || cpu=host
	timeout -k 10 "$secs" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -nodefaults \
		-display none -no-reboot "$@" </dev/null 2>"$WORK/qemu.err" &
	QPID=$!
	while kill -0 "$QPID" 2>/dev/null; do
		if grep -qE "$KVM_FAILURE" "$WORK/qemu.err"; then
			kill "$QPID" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	wait "$QPID" || rc=$?
	QPID=
	return "$rc"
}

# qemu_failure STATUS: why the last qemu run failed: kvm's complaint, else
# the timeout or qemu's status.
qemu_failure() {
	local msg
	msg=$(grep -m1 -oE "($KVM_FAILURE).*" "$WORK/qemu.err" || true)
	if [ -z "$msg" ]; then
		msg="qemu status $1"
		[ "$1" != 124 ] || msg="timed out"
	fi
	printf '%s\n' "$msg"
}

# kvm_probe: verdict "ok" when kvm boots this kernel, without an
# initramfs, up to its panic for want of a root file system; else why not.
kvm_probe() {
	local rc=0
	verdict="/dev/kvm missing or not writable"
	[ -w /dev/kvm ] || return 0
	qemu_watch kvm 60 -smp 1 -m 256M -kernel "$KDIR/vmlinuz" -append "console=ttyS0 panic=-1" \
		-serial "file:$WORK/probe.log" || rc=$?
	verdict=ok
	grep -q 'Kernel panic - not syncing: VFS: Unable to mount root fs' "$WORK/probe.log" ||
		verdict="a test boot failed: $(qemu_failure "$rc")"
}

# save_verdict TEXT: kvm's verdict ("ok" or why not) for this host boot.
save_verdict() {
	mkdir -p "$CACHE"
	printf '%s %s\n' "$BOOT_ID" "$1" >"$KVM_VERDICT.$$"
	mv "$KVM_VERDICT.$$" "$KVM_VERDICT"
}

# choose_accel: kvm when this host boot's verdict (cached, else probed) is ok.
choose_accel() {
	local verdict
	verdict=$(sed -n "s/^$BOOT_ID //p" "$KVM_VERDICT" 2>/dev/null || true)
	if [ -z "$verdict" ]; then
		kvm_probe
		save_verdict "$verdict"
	fi
	accel=kvm
	[ "$verdict" = ok ] && return
	accel=tcg
	log "kvm cannot run the guest here ($verdict): using tcg"
}

# run_vm ACCEL: the suites' VM; returns qemu's status.
run_vm() {
	local scale=${VIPC_TIME_SCALE:-4} console=file:$WORK/console.log
	[ "$1" = tcg ] || scale=${VIPC_TIME_SCALE:-1}
	[ "$verbose" = 0 ] || console=stdio
	: >"$WORK/console.log"
	: >"$WORK/results.log"
	qemu_watch "$1" "$timeout_s" -smp 2 -m 2G \
		-kernel "$KDIR/vmlinuz" -initrd "$WORK/initramfs.cpio" \
		-append "console=ttyS0 lsm=$LSM_CMDLINE panic=-1 mitigations=off quiet vipc.time_scale=$scale" \
		-serial "$console" -serial "file:$WORK/results.log"
}

has_result() { grep -aq 'VIPC-VM-EXIT [0-9]' "$WORK/results.log"; }

auto=0
[ -n "$accel" ] || { auto=1; choose_accel; }
start=$(date +%s)
qrc=0
run_vm "$accel" || qrc=$?
if [ "$auto" = 1 ] && [ "$accel" = kvm ] && ! has_result; then
	why=$(qemu_failure "$qrc")
	log "the kvm run ended without a result ($why): running it again under tcg"
	accel=tcg start=$(date +%s) qrc=0
	run_vm tcg || qrc=$?
	has_result && save_verdict "a run ended without a result: $why"
fi
# A guest that crashed before its /init ran (tcg has, once in a while, in
# the kernel's boot) is booted once more.
if [ "$accel" = tcg ] && [ "$qrc" != 124 ] && ! grep -aq VIPC-VM- "$WORK/results.log"; then
	log "the guest died before its /init ran ($(qemu_failure "$qrc")): booting it once more"
	start=$(date +%s) qrc=0
	run_vm tcg || qrc=$?
fi
secs=$(($(date +%s) - start))

# Phase 6: the markers: summary lines of each run; all of a failing one
# (and all of a --run).
tr -d '\r' <"$WORK/results.log" | sed 's/\x1b\[[0-9;]*m//g' >"$WORK/results.txt"
exit_status=$(sed -n 's/^VIPC-VM-EXIT \([0-9]*\)$/\1/p' "$WORK/results.txt" | tail -n 1)
if [ -z "$exit_status" ]; then
	[ "$qrc" = 124 ] && log "the VM did not finish within $timeout_s s" ||
		log "the VM stopped without a result (qemu status $qrc)"
	echo "--- qemu"; cat "$WORK/qemu.err"
	echo "--- console (tail)"; tr -d '\r' <"$WORK/console.log" | tail -n 40
	echo "--- suites' output (tail)"; tail -n 40 "$WORK/results.txt"
	exit 1
fi
sed -n 's/^VIPC-VM-INFO /vm: /p' "$WORK/results.txt"
ran=
for b in $BACKENDS; do
	rc=$(sed -n "s/^VIPC-VM-RESULT $b \([0-9]*\)$/\1/p" "$WORK/results.txt")
	section=$(sed -n "/^VIPC-VM-RUN $b\$/,/^VIPC-VM-RESULT $b /p" "$WORK/results.txt" | sed '1d;$d')
	echo "== backend $b on $KREL"
	if [ "$rc" = 0 ] && [ -z "$run" ]; then
		printf '%s\n' "$section" | grep -E '^(== |\[====\] Synthesis|tests: )' || true
	else
		printf '%s\n' "$section"
	fi
	ran="$ran $b(${rc:-none})"
done
log "kernel $KREL ($accel, ${secs} s): backends ran:$ran"
exit "$exit_status"
