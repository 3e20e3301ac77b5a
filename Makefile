# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc: `make` builds ./vipc-loader; `make test` runs every suite (root for
# integration, and the VM kernel matrix: `make vmtest`); `make demo` runs the
# demo; `make vmlinux` regenerates vmlinux.h.

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
.PHONY: all clean test all-tests unit integration integration-unified demo vmlinux deps vmtest unit-asan fuzz fuzz-regress

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
$(OUTPUT)/tests/vipc-probe: tests/probe.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $^ $(LIBS) -lcriterion $(UNIT_LDFLAGS) -o $@

# test_errors fails the loader's allocations in turn: it wraps malloc and calloc.
ERRORS_TESTS := $(OUTPUT)/tests/test_errors $(OUTPUT)/asan/tests/test_errors
$(ERRORS_TESTS): UNIT_LDFLAGS := -Wl,--wrap=malloc,--wrap=calloc

$(OUTPUT)/tests/%: tests/integration/%.c $(HARNESS_SRCS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/harness $^ $(LIBS) -lcriterion -o $@

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

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c user/log.c user/out/names.c user/out/text.c user/policy/policy.c user/policy/runtime.c user/out/jsonout.c \
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
# runs them in a private mount namespace. `all-tests` runs UNIFIED_SUITES there.
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

# Everything a fresh machine needs first, then every suite.
# Each stage prints its time (scripts/stage.sh): CI allows 90 minutes, and
# `make test` is kept within 60 on a 2-vCPU machine.
test:
	$(Q)scripts/stage.sh deps scripts/deps.sh
	$(Q)scripts/stage.sh all-tests $(MAKE) --no-print-directory all-tests

all-tests:
	$(Q)scripts/stage.sh build $(MAKE) --no-print-directory vipc-loader $(UNIT_TESTS) \
		$(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)scripts/stage.sh unit-asan $(MAKE) --no-print-directory unit-asan
	$(Q)scripts/stage.sh fuzz-regress $(MAKE) --no-print-directory fuzz-regress
	$(Q)scripts/stage.sh install tests/install/test_install.sh
	$(Q)scripts/stage.sh kubernetes tests/deploy/test_kubernetes.py
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)echo "== host kernel $$(uname -r): backend sock"
	$(Q)VIPC_BACKEND=sock scripts/stage.sh host scripts/run-tests.sh $(UNIT_TESTS) $(INTEG_TESTS)
	$(Q)echo "== host kernel $$(uname -r): backend sock, cgroup2 at /sys/fs/cgroup (unified.sh)"
	$(Q)VIPC_BACKEND=sock scripts/stage.sh host-unified scripts/unified.sh scripts/run-tests.sh \
		$(UNIFIED_TESTS)
	$(Q)scripts/stage.sh vmtest $(MAKE) --no-print-directory vmtest

# The kernel matrix in qemu VMs (scripts/vmtest.sh), KERNEL:BACKEND:SET
# each, one boot each. The LSM backend runs only here, so 6.12 (Debian's
# newest) runs the whole set with it; bookworm's 6.1 (the oldest, strictest
# verifier, no UNIX cgroup hooks) and the socket backend on 6.12 (which the
# host also runs natively on its own kernel) run the short set: every
# program is loaded and verified by each suite, and emulation makes a suite
# minutes. tests/lsm/ runs with the lsm backend only; the loader's own
# suites (faults, crash, leaks, metrics, runtime) run on the host only.
VM_MATRIX ?= 6.1:lsm:short 6.12:lsm:full 6.12:sock:short
LSM_TESTS := $(patsubst tests/lsm/%.c,$(OUTPUT)/tests/%,$(wildcard tests/lsm/*.c))
VM_SUITES := enforce registry observe lifecycle bypass identity decisions
VM_SHORT_SUITES := enforce bypass identity
VM_TESTS_full := $(VM_SUITES:%=$(OUTPUT)/tests/test_%) $(LSM_TESTS)
VM_TESTS_short := $(VM_SHORT_SUITES:%=$(OUTPUT)/tests/test_%) $(LSM_TESTS)
vm_field = $(word $(1),$(subst :, ,$(2)))

$(OUTPUT)/tests/%: tests/lsm/%.c $(HARNESS_SRCS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/harness $^ $(LIBS) -lcriterion -o $@

vmtest: vipc-loader $(OUTPUT)/tests/vipc-probe $(VM_TESTS_full)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)status=0; $(foreach e,$(VM_MATRIX),scripts/stage.sh vm-$(e) scripts/vmtest.sh \
		--kernel $(call vm_field,1,$(e)) --backend $(call vm_field,2,$(e)) \
		-- $(VM_TESTS_$(call vm_field,3,$(e))) || status=1;) exit $$status

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
