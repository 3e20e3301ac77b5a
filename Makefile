# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc: `make` builds ./vipc-loader; `make test` runs every suite (root for
# integration, and the VM kernel matrix: `make vmtest`) in budgeted stages;
# `make check` the unit and host suites quickly; `make demo` runs the demo;
# `make vmlinux` regenerates vmlinux.h.

OUTPUT := build
CLANG ?= clang-19
CC ?= gcc
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

# The loader's folders (docs/source.md: the commands apart from the core they call);
# each header is included by its name alone.
USER_DIRS := user user/cmd user/core user/policy user/daemon user/out user/metrics user/suggest
INCLUDES := -Iinclude $(USER_DIRS:%=-I%) -I$(OUTPUT) -I.
CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror
LIBS := -lbpf -lelf -lz -lcap -lyaml -ljson-c -lmicrohttpd -lncurses -lsystemd

LOADER_SRCS := $(wildcard $(USER_DIRS:%=%/*.c))
LOADER_HDRS := $(wildcard $(USER_DIRS:%=%/*.h))
LIB_SRCS := $(filter-out user/main.c,$(LOADER_SRCS))
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(LIB_SRCS))

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/*.c))
INTEG_TESTS := $(patsubst tests/integration/%.c,$(OUTPUT)/tests/%,$(wildcard tests/integration/*.c))
HARNESS_SRCS := $(wildcard tests/harness/*.c)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all clean test all-tests check unit integration integration-unified demo vmlinux deps vmtest unit-asan fuzz fuzz-regress

all: vipc-loader $(OUTPUT)/vipc-loader.8

$(OUTPUT) $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF object, then its skeleton.
$(OUTPUT)/vipc.bpf.o: bpf/vipc.bpf.c $(wildcard bpf/*.bpf.h) $(wildcard include/*.h) vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(INCLUDES) -c $< -o $(@:.bpf.o=.tmp.bpf.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.bpf.o=.tmp.bpf.o)

$(OUTPUT)/vipc.skel.h: $(OUTPUT)/vipc.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vipc_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(LOADER_HDRS) $(wildcard include/*.h) $(OUTPUT)/vipc.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c $< -o $@

vipc-loader: $(LIB_OBJS) $(OUTPUT)/user/main.o
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# The man page: its commands, options and exit statuses from the loader's
# command table (deploy/mangen.c), the rest from deploy/vipc-loader.8.in.
$(OUTPUT)/mangen: deploy/mangen.c $(LIB_OBJS) | $(OUTPUT)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $^ $(LIBS) -o $@

$(OUTPUT)/vipc-loader.8: deploy/vipc-loader.8.in $(OUTPUT)/mangen
	$(call msg,MAN,$@)
	$(Q)$(OUTPUT)/mangen $< >$@

# Tests: unit suites link the loader's objects; integration suites also the harness.
$(OUTPUT)/tests/vipc-probe: tests/probe.c tests/probe_file.c tests/probe_file.h | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -static $(filter %.c,$^) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $^ $(LIBS) -lcriterion $(UNIT_LDFLAGS) -o $@

# test_errors fails the loader's allocations in turn: it wraps malloc and calloc.
ERRORS_TESTS := $(OUTPUT)/tests/test_errors $(OUTPUT)/asan/tests/test_errors
$(ERRORS_TESTS): UNIT_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc

$(OUTPUT)/tests/%: tests/integration/%.c $(HARNESS_SRCS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/harness $^ $(LIBS) -lcriterion -o $@

# The upgrade suite's other sides (scripts/other-release.sh): the previous
# releases from git, build/old/<commit>/vipc-loader (0.8.0, ABI 9; 0.7.0,
# ABI 8), and this tree at the next ABI, build/abi/<N>/vipc-loader.
UPGRADE_FROM := d0d61f7 f04a9f7
ABI := $(shell sed -n 's/^\#define VIPC_ABI_VERSION \([0-9]*\).*/\1/p' include/vipc.h)
UPGRADE_SIDES := $(UPGRADE_FROM:%=$(OUTPUT)/old/%/vipc-loader) $(OUTPUT)/abi/$(shell echo $$(($(ABI) + 1)))/vipc-loader

# Rebuilt with this tree: a release the clone lacks, or of this tree's ABI, is
# this tree at ABI - 1.
OTHER_DEPS := scripts/other-release.sh $(LOADER_SRCS) $(LOADER_HDRS) $(wildcard bpf/*) \
	$(wildcard include/*.h) vmlinux.h

$(OUTPUT)/old/%/vipc-loader: $(OTHER_DEPS)
	$(call msg,RELEASE,$@)
	$(Q)scripts/other-release.sh $(@D) $*

$(OUTPUT)/abi/%/vipc-loader: $(OTHER_DEPS)
	$(call msg,ABI,$@)
	$(Q)scripts/other-release.sh $(@D) abi:$*

$(OUTPUT)/tests/test_upgrade $(OUTPUT)/tests/test_crash: | $(UPGRADE_SIDES)

unit: $(UNIT_TESTS)
	$(Q)scripts/run-tests.sh $^

# The unit suites again, built with AddressSanitizer and UBSan.
ASAN_CFLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
ASAN_OBJS := $(patsubst user/%.c,$(OUTPUT)/asan/user/%.o,$(LIB_SRCS))
ASAN_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/asan/tests/%,$(wildcard tests/unit/*.c))

$(OUTPUT)/asan/tests $(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/asan/user/%.o: user/%.c $(LOADER_HDRS) $(wildcard include/*.h) $(OUTPUT)/vipc.skel.h
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ASAN_CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/asan/tests/%: tests/unit/%.c $(ASAN_OBJS) | $(OUTPUT)/asan/tests
	$(call msg,TEST-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(INCLUDES) $^ $(LIBS) -lcriterion $(UNIT_LDFLAGS) -o $@

unit-asan: $(ASAN_OBJS) $(ASAN_TESTS)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests.sh $(ASAN_TESTS)

# libFuzzer targets: the policy parser, the command line, deny events
# as JSON (with the one writer, user/out/jsonout.c), the metrics endpoint's
# routing, negotiation, label escaping and metric families (user/metrics/httpd.c,
# user/metrics/metrics.c) and suggest's event-log reader (these two name reasons
# through the registry: the loader's objects). `make fuzz` runs each for FUZZ_SECONDS on the seeds in
# tests/fuzz/corpus/<target>; `make fuzz-regress` replays the seeds and every
# input that once failed.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := policy cli event http suggest
FUZZ_BINS := $(patsubst %,$(OUTPUT)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c user/log.c user/out/names.c user/out/text.c user/out/inet.c user/policy/policy.c user/policy/runtime.c user/out/jsonout.c \
		user/metrics/httpd.c user/metrics/promtext.c $(LOADER_HDRS) include/vipc.h | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(INCLUDES) $(filter %.c,$^) -lyaml -ljson-c -lmicrohttpd -o $@

$(OUTPUT)/fuzz/fuzz_suggest $(OUTPUT)/fuzz/fuzz_http $(OUTPUT)/fuzz/fuzz_cli: $(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRCS) $(LOADER_HDRS) include/vipc.h $(OUTPUT)/vipc.skel.h | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(INCLUDES) $(filter %.c,$^) $(LIBS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$t $(OUTPUT)/fuzz/artifacts-$$t && \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s" && \
		$(OUTPUT)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=8192 \
			-close_fd_mask=2 -print_final_stats=1 -dict=tests/fuzz/$$t.dict \
			-artifact_prefix=$(OUTPUT)/fuzz/artifacts-$$t/ \
			$(OUTPUT)/fuzz/corpus-$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t \
			>$(OUTPUT)/fuzz/fuzz-$$t.log 2>&1; \
		rc=$$?; grep -E '^(stat::|Done)' $(OUTPUT)/fuzz/fuzz-$$t.log; \
		[ $$rc -eq 0 ] || { tail -n 60 $(OUTPUT)/fuzz/fuzz-$$t.log; \
			echo "!! fuzz_$$t failed: keep the input in tests/fuzz/regressions/$$t"; exit 1; }; \
	done

fuzz-regress: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		$(OUTPUT)/fuzz/fuzz_$$t -runs=0 -timeout=10 -close_fd_mask=2 \
			$$(ls -d tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t 2>/dev/null) \
			>$(OUTPUT)/fuzz/regress-$$t.log 2>&1 \
			|| { cat $(OUTPUT)/fuzz/regress-$$t.log; exit 1; }; \
		echo "fuzz_$$t: every seed and regression input passes"; \
	done

integration: vipc-loader $(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/run-tests.sh $(INTEG_TESTS)

# The host suites on the pure cgroup2 layout of current distributions
# (cgroup2 at /sys/fs/cgroup, no v1), whatever this host's: scripts/unified.sh
# runs them in a private mount namespace. `all-tests` runs UNIFIED_SUITES there,
# their stress loops short (VIPC_QUICK=1): the host stage ran them whole.
UNIFIED_SUITES ?= enforce registry lifecycle bypass runtime selectors
UNIFIED_TESTS := $(UNIFIED_SUITES:%=$(OUTPUT)/tests/test_%)

integration-unified: vipc-loader $(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/unified.sh scripts/run-tests.sh $(INTEG_TESTS)

# Benchmarks (root): the bench links the loader's objects; `make bench`
# prints one table and writes CSV and a plot under bench/results/.
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_ROUNDS ?= 7
BENCH_BUDGET_MS ?= 300
# Client, server and brokers on one CPU without wake-up preemption: both
# sides take turns the same way in every configuration, and no idle-vCPU
# wake-up (tens of µs on a VM) hides what the hooks cost.
BENCH_PLACEMENT ?= --cpu 0 --sched batch

.PHONY: bench

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/vipc-bench: $(BENCH_SRCS) bench/bench.h $(LIB_OBJS) | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Ibench $(filter %.c %.o,$^) $(LIBS) -lpthread -o $@

bench: vipc-loader $(OUTPUT)/bench/vipc-bench
	$(Q)$(OUTPUT)/bench/vipc-bench --loader ./vipc-loader --out bench/results \
		--rounds $(BENCH_ROUNDS) --budget $(BENCH_BUDGET_MS) $(BENCH_PLACEMENT)

# The socket, LSM and fmodret backends side by side in one qemu VM boot
# (scripts/vmtest.sh --backend all --run): `vipc-bench --quick` (baseline and
# vipc, connect and sendto) once per backend of BENCH_VM_KERNEL; the output
# goes to bench/results/vm-<kernel>.txt. Emulated CPU: compare ratios, not times.
BENCH_VM_KERNEL ?= 6.12
BENCH_VM_ROUNDS ?= 5
BENCH_VM_BUDGET_MS ?= 300
BENCH_VM_OUT := bench/results/vm-$(BENCH_VM_KERNEL).txt

.PHONY: bench-vm

bench-vm: vipc-loader $(OUTPUT)/tests/vipc-probe $(OUTPUT)/bench/vipc-bench
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/vmtest.sh --kernel $(BENCH_VM_KERNEL) --backend all --timeout 5400 \
		--run '$(OUTPUT)/bench/vipc-bench --quick --rounds $(BENCH_VM_ROUNDS) --budget $(BENCH_VM_BUDGET_MS) $(BENCH_PLACEMENT)' \
		-- $(OUTPUT)/bench/vipc-bench >$(BENCH_VM_OUT); \
		status=$$?; cat $(BENCH_VM_OUT); exit $$status

# Everything a fresh machine needs first, then every suite, stage by stage
# (scripts/stage.sh): each stage has a budget in seconds and fails when it
# takes longer; the last line sums them. CI allows 90 minutes; the budgets
# (about 10 % over the times measured on a 2-vCPU machine) sum to 44 min
# 50 s, within the 45 minutes `make test` must keep to (docs/testing.md).
STAGES := $(abspath $(OUTPUT))/stages.txt
BUDGET_deps ?= 90
BUDGET_build ?= 95
BUDGET_unit-asan ?= 50
BUDGET_fuzz-regress ?= 45
BUDGET_install ?= 10
BUDGET_kubernetes ?= 10
BUDGET_host ?= 670
BUDGET_host-unified ?= 190
BUDGET_check ?= 300
stage = scripts/stage.sh $(1) $(BUDGET_$(1))

test:
	$(Q)mkdir -p $(OUTPUT) && rm -f $(STAGES)
	$(Q)export VIPC_STAGES=$(STAGES); status=0; \
		$(call stage,deps) scripts/deps.sh && \
		$(MAKE) --no-print-directory all-tests || status=1; \
		scripts/stage.sh --total || status=1; exit $$status

all-tests:
	$(Q)$(call stage,build) $(MAKE) --no-print-directory vipc-loader $(UNIT_TESTS) \
		$(OUTPUT)/tests/vipc-probe $(INTEG_TESTS) $(LSM_TESTS)
	$(Q)$(call stage,unit-asan) $(MAKE) --no-print-directory unit-asan
	$(Q)$(call stage,fuzz-regress) $(MAKE) --no-print-directory fuzz-regress
	$(Q)$(call stage,install) tests/install/test_install.sh
	$(Q)$(call stage,kubernetes) tests/deploy/test_kubernetes.py
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)echo "== host kernel $$(uname -r): backend sock"
	$(Q)VIPC_BACKEND=sock $(call stage,host) scripts/run-tests.sh $(UNIT_TESTS) $(INTEG_TESTS)
	$(Q)echo "== host kernel $$(uname -r): backend sock, cgroup2 at /sys/fs/cgroup (unified.sh)"
	$(Q)VIPC_BACKEND=sock VIPC_QUICK=1 $(call stage,host-unified) scripts/unified.sh \
		scripts/run-tests.sh $(UNIFIED_TESTS)
	$(Q)$(MAKE) --no-print-directory vmtest

# The edit-test loop: build, the unit suites and the host suites within
# BUDGET_check: every test, the stress loops (restarts, kills, reloads) a
# fifth as long (VIPC_QUICK=1, h_runs), and without the suites that are slow
# by nature (CHECK_SKIP: container engines started, 100 killed loads,
# valgrind, prometheus); `make test` runs them all whole.
CHECK_SKIP ?= selectors crash leaks metrics
CHECK_TESTS := $(filter-out $(CHECK_SKIP:%=$(OUTPUT)/tests/test_%),$(INTEG_TESTS))

.PHONY: check

check: vipc-loader $(OUTPUT)/tests/vipc-probe $(UNIT_TESTS) $(CHECK_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)VIPC_BACKEND=sock VIPC_QUICK=1 scripts/stage.sh check $(BUDGET_check) \
		scripts/run-tests.sh $(UNIT_TESTS) $(CHECK_TESTS)

# The kernel matrix in qemu VMs (scripts/vmtest.sh), one boot per entry
# KERNEL:BACKENDS:SET[:nobpf]: BACKENDS one after another (joined by +),
# each running VM_<SET>_<backend>; nobpf boots without bpf in lsm= (as
# Ubuntu's kernels), where auto picks fmodret. A test takes 15-25 s under
# emulation, so the VMs run only what differs per backend and kernel; the
# decision logic (unit suites) and the socket backend (every suite) are
# proved natively on the host:
#  - full, 6.12: the LSM backend's every behaviour: tests/lsm/, test_bypass
#    (every spelling, alias and passed connection, decided by the socket),
#    the socket types of test_enforce the others do not reach,
#    and the tests that name hooks or count per hook; fmodret (the same
#    bodies on the security_ functions, its own fentry/fexit tagging) runs
#    a test per program of its own (bind, connect and its re-check, sk_free,
#    fds in streams and datagrams, file_open, inode_create, a port), auto's
#    pick and the upgrade; the socket programs load and decide on a kernel
#    older than the host's;
#  - load, 6.1 (the oldest, strictest verifier; no UNIX cgroup hooks): every
#    LSM and fmodret program loads, and connect, send, live re-check and fd
#    passing decide once each; auto picks fmodret there too.
VM_MATRIX ?= 6.1:lsm:load 6.1:fmodret:load:nobpf 6.12:lsm:full 6.12:sock+fmodret:full:nobpf
VM_NOBPF_LSM := lockdown,capability,landlock,yama
LSM_TESTS := $(patsubst tests/lsm/%.c,$(OUTPUT)/tests/%,$(wildcard tests/lsm/*.c))
T := $(OUTPUT)/tests/test_
VM_AUTO := $(T)lifecycle@auto_picks_lsm_else_fmodret_beside_sock
# 0.8.0 replaced in place under a connect loop: two instances' trampoline programs on each hook.
VM_UPGRADE := $(T)upgrade@a_load_replaces_0_8_and_lets_nothing_through
VM_LOAD := $(T)enforce@ungranted_connect_gets_eperm,datagram_sendto_denied \
	$(T)lsm@closing_an_endpoint_to_others_cuts_their_connections,passing_fds_needs_pass_fd
VM_load_lsm := $(VM_LOAD)
VM_load_fmodret := $(VM_LOAD) $(VM_AUTO)
VM_full_lsm := $(T)mqueue $(T)fifo \
	$(T)lsm@aliases_*,deny_event_*,only_the_owner_*,closing_*,a_name_bound_*,generation_bump_*,channel_capacity_*,released_channel_*,a_full_*,passing_fds_*,fds_behind_* \
	$(T)bypass@pathname_padded_after_its_nul,an_owner_points_*,dot_dot_after_a_symlink_*,abstract_name_squatting,a_connection_*,a_connected_datagram_socket_*,a_registered_name_in_other_*,a_grant_does_not_reach_* \
	$(T)enforce@datagram_connect_needs_send,seqpacket_connect_needs_connect \
	$(T)decisions@counters_count_exact_numbers_per_container_endpoint_and_reason \
	$(T)observe@datagram_deny_event_names_the_sendmsg_hook \
	$(T)lifecycle@status_names_*,auto_picks_* \
	$(T)identity@a_socket_made_far_below_its_owner_is_the_owners \
	$(T)broker@curl_reaches_the_endpoint_by_its_name,an_instance_whose_server_is_gone_is_skipped_where_known \
	$(VM_UPGRADE)
VM_full_fmodret := $(VM_AUTO) $(VM_UPGRADE) $(T)inet@a_registered_port_is_bound_by_its_owner_only \
	$(T)mqueue@an_open_asks_*,only_the_owner_creates_* $(T)fifo@every_path_to_the_fifo_* \
	$(T)lsm@only_the_owner_binds_a_registered_name,closing_an_endpoint_*,channel_capacity_*,passing_fds_needs_pass_fd,passing_fds_in_datagrams_*
VM_full_sock := $(T)enforce@granted_connect_succeeds,ungranted_connect_gets_eperm,datagram_sendto_denied
BUDGET_vm ?= 600
BUDGET_vm_6.1_lsm_load ?= 100
BUDGET_vm_6.1_fmodret_load_nobpf ?= 135
BUDGET_vm_6.12_lsm_full ?= 950
BUDGET_vm_6.12_sock+fmodret_full_nobpf ?= 345
comma := ,
empty :=
space := $(empty) $(empty)
vm_field = $(word $(1),$(subst :, ,$(2)))
vm_backends = $(subst +, ,$(call vm_field,2,$(1)))
vm_tests = $(foreach b,$(call vm_backends,$(1)),$(addprefix $(b):,$(VM_$(call vm_field,3,$(1))_$(b))))
vm_lsm = $(if $(filter nobpf,$(call vm_field,4,$(1))),--lsm $(VM_NOBPF_LSM))
vm_budget = $(or $(BUDGET_vm_$(subst :,_,$(1))),$(BUDGET_vm))
VM_BINARIES := $(sort $(foreach e,$(VM_MATRIX),$(foreach t,$(call vm_tests,$(e)),$(firstword $(subst @, ,$(lastword $(subst :, ,$(t))))))))

$(OUTPUT)/tests/%: tests/lsm/%.c $(HARNESS_SRCS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/harness $^ $(LIBS) -lcriterion -o $@

vmtest: vipc-loader $(OUTPUT)/tests/vipc-probe $(VM_BINARIES)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)status=0; $(foreach e,$(VM_MATRIX),scripts/stage.sh vm-$(e) $(call vm_budget,$(e)) \
		scripts/vmtest.sh --kernel $(call vm_field,1,$(e)) \
		--backend $(subst $(space),$(comma),$(call vm_backends,$(e))) $(call vm_lsm,$(e)) \
		-- $(foreach t,$(call vm_tests,$(e)),'$(t)') || status=1;) exit $$status

demo:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory vipc-loader $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/demo.sh

# Install: the loader, the systemd unit, the example policy (as
# /etc/vipc/policy.yaml.example, never over a policy in place) and the man page.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR ?=

.PHONY: install

install: vipc-loader deploy/vipc.service $(OUTPUT)/vipc-loader.8 examples/policy.yaml
	$(Q)install -D -m 0755 vipc-loader $(DESTDIR)$(SBINDIR)/vipc-loader
	$(Q)install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/vipc
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		deploy/vipc.service >$(DESTDIR)$(UNITDIR)/vipc.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/vipc.service
	$(Q)install -m 0644 $(OUTPUT)/vipc-loader.8 $(DESTDIR)$(MANDIR)/man8/vipc-loader.8
	$(Q)install -m 0644 examples/policy.yaml $(DESTDIR)$(SYSCONFDIR)/vipc/policy.yaml.example
	$(Q)echo "installed under $(DESTDIR)$(PREFIX); copy $(SYSCONFDIR)/vipc/policy.yaml.example to policy.yaml"

deps:
	$(Q)scripts/deps.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

clean:
	rm -rf $(OUTPUT) vipc-loader
