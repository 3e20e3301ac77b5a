# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc: `make` builds ./vipc-loader; `make test` runs every suite (root for
# integration, and the VM kernel matrix: `make vmtest`); `make demo` runs the
# demo; `make vmlinux` regenerates vmlinux.h.

OUTPUT := build
CLANG ?= clang-19
CC ?= gcc
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

INCLUDES := -Iinclude -Iuser -I$(OUTPUT) -I.
CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror
LIBS := -lbpf -lelf -lz -lcap -lyaml

LOADER_SRCS := $(wildcard user/*.c)
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
.PHONY: all clean test all-tests unit integration demo vmlinux deps vmtest unit-asan fuzz fuzz-regress

all: vipc-loader

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF object, then its skeleton.
$(OUTPUT)/vipc.bpf.o: bpf/vipc.bpf.c $(wildcard bpf/*.bpf.h) include/vipc.h include/vipc_decide.h vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(INCLUDES) -c $< -o $(@:.bpf.o=.tmp.bpf.o)
	$(Q)$(BPFTOOL) gen object $@ $(@:.bpf.o=.tmp.bpf.o)

$(OUTPUT)/vipc.skel.h: $(OUTPUT)/vipc.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vipc_bpf > $@

$(OUTPUT)/user/%.o: user/%.c $(wildcard user/*.h) include/vipc.h include/vipc_decide.h $(OUTPUT)/vipc.skel.h | $(OUTPUT)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c $< -o $@

vipc-loader: $(LIB_OBJS) $(OUTPUT)/user/main.o
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# Tests: unit suites link the loader's objects; integration suites also the harness.
$(OUTPUT)/tests/vipc-probe: tests/probe.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -static $< -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) $^ $(LIBS) -lcriterion -o $@

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

$(OUTPUT)/asan/user $(OUTPUT)/asan/tests $(OUTPUT)/fuzz:
	$(Q)mkdir -p $@

$(OUTPUT)/asan/user/%.o: user/%.c $(wildcard user/*.h) include/vipc.h include/vipc_decide.h $(OUTPUT)/vipc.skel.h | $(OUTPUT)/asan/user
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/asan/tests/%: tests/unit/%.c $(ASAN_OBJS) | $(OUTPUT)/asan/tests
	$(call msg,TEST-ASAN,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(INCLUDES) $^ $(LIBS) -lcriterion -o $@

unit-asan: $(ASAN_OBJS) $(ASAN_TESTS)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		scripts/run-tests.sh $(ASAN_TESTS)

# libFuzzer targets: the policy parser and the command line. `make fuzz`
# runs each for FUZZ_SECONDS on the seeds in tests/fuzz/corpus/<target>;
# `make fuzz-regress` replays the seeds and every input that once failed.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := policy cli
FUZZ_BINS := $(patsubst %,$(OUTPUT)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c user/cli.c user/policy.c $(wildcard user/*.h) include/vipc.h | $(OUTPUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(INCLUDES) $(filter %.c,$^) -lyaml -o $@

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

# The LSM backend against the socket backend in a qemu VM (scripts/vmtest.sh
# --run): `vipc-bench --quick` (baseline and vipc, connect and sendto) once
# per backend of BENCH_VM_KERNEL; the output goes to
# bench/results/vm-<kernel>.txt. Emulated CPU: compare ratios, not times.
BENCH_VM_KERNEL ?= 6.12
BENCH_VM_ROUNDS ?= 5
BENCH_VM_BUDGET_MS ?= 300
BENCH_VM_OUT := bench/results/vm-$(BENCH_VM_KERNEL).txt

.PHONY: bench-vm

bench-vm: vipc-loader $(OUTPUT)/tests/vipc-probe $(OUTPUT)/bench/vipc-bench
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/vmtest.sh --kernel $(BENCH_VM_KERNEL) --timeout 3600 \
		--run '$(OUTPUT)/bench/vipc-bench --quick --rounds $(BENCH_VM_ROUNDS) --budget $(BENCH_VM_BUDGET_MS) $(BENCH_PLACEMENT)' \
		-- $(OUTPUT)/bench/vipc-bench >$(BENCH_VM_OUT); \
		status=$$?; cat $(BENCH_VM_OUT); exit $$status

# Everything a fresh machine needs first, then every suite.
test:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all-tests

all-tests: vipc-loader $(UNIT_TESTS) $(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)$(MAKE) --no-print-directory unit-asan fuzz-regress
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)echo "== host kernel $$(uname -r): backend sock"
	$(Q)VIPC_BACKEND=sock scripts/run-tests.sh $(UNIT_TESTS) $(INTEG_TESTS)
	$(Q)$(MAKE) --no-print-directory vmtest

# The kernel matrix in qemu VMs (scripts/vmtest.sh), KERNEL:BACKENDS each:
# bookworm's 6.1 has no UNIX cgroup hooks (lsm only); 6.12 runs both.
# The suites that exercise a backend run there (tests/lsm/ with the lsm
# backend only); the loader's own suites (faults, crash, leaks) run on the
# host only, as emulation makes them minutes each and they do not depend on
# the backend.
VM_MATRIX ?= 6.1:lsm 6.12:both
LSM_TESTS := $(patsubst tests/lsm/%.c,$(OUTPUT)/tests/%,$(wildcard tests/lsm/*.c))
VM_SUITES := enforce registry observe lifecycle bypass identity
VM_TESTS ?= $(VM_SUITES:%=$(OUTPUT)/tests/test_%) $(LSM_TESTS)

$(OUTPUT)/tests/%: tests/lsm/%.c $(HARNESS_SRCS) $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/harness $^ $(LIBS) -lcriterion -o $@

vmtest: vipc-loader $(OUTPUT)/tests/vipc-probe $(VM_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)status=0; for kb in $(VM_MATRIX); do \
		scripts/vmtest.sh --kernel $${kb%%:*} --backend $${kb#*:} -- $(VM_TESTS) || status=1; \
	done; exit $$status

demo:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory vipc-loader $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/demo.sh

deps:
	$(Q)scripts/deps.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

clean:
	rm -rf $(OUTPUT) vipc-loader
