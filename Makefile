# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# vipc: `make` builds ./vipc-loader; `make test` runs every suite (root for
# integration); `make demo` runs the demo; `make vmlinux` regenerates vmlinux.h.

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
.PHONY: all clean test all-tests unit integration demo vmlinux deps

all: vipc-loader

$(OUTPUT) $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF object, then its skeleton.
$(OUTPUT)/vipc.bpf.o: bpf/vipc.bpf.c include/vipc.h include/vipc_decide.h vmlinux.h | $(OUTPUT)
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

integration: vipc-loader $(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/run-tests.sh $(INTEG_TESTS)

# Everything a fresh machine needs first, then every suite.
test:
	$(Q)scripts/deps.sh
	$(Q)$(MAKE) --no-print-directory all-tests

all-tests: vipc-loader $(UNIT_TESTS) $(OUTPUT)/tests/vipc-probe $(INTEG_TESTS)
	$(Q)scripts/rootfs.sh $(OUTPUT)/rootfs $(OUTPUT)/tests/vipc-probe
	$(Q)scripts/run-tests.sh $(UNIT_TESTS) $(INTEG_TESTS)

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
