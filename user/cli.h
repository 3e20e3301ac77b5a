/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The loader's command line: global options into a struct, nothing else.
 * Never exits and never touches BPF, so it can be fuzzed.
 */
#ifndef __VIPC_CLI_H
#define __VIPC_CLI_H

#include <linux/types.h>
#include <stdbool.h>
#include "state.h"

struct vipc_cli {
	const char *config;
	const char *cgroup;
	const char *cgroup_root; /* --cgroup-root: the cgroup2 mount; NULL: found */
	const char *endpoint;
	int pid;
	bool detach, json, interval_set, verbose, help;
	__u8 mode, unknown;
	__u32 capacity;
	__u32 backends; /* enum vipc_backend bits asked for; 0 = every one available */
	long count;
	int timeout_s, watch_s;
	__u64 interval_ms;
	struct vipc_limits limits;
	int cmd_index; /* argv index of the command word; argc when none */
};

/* Parse the options of @argv (getopt_long, which moves the command and its
 * arguments after them) into @out: 0, or VIPC_EXIT_USAGE after one line on
 * stderr. -h/--help sets out->help and stops.
 */
int vipc_cli_parse(int argc, char **argv, struct vipc_cli *out);

/* "vipc: MESSAGE" and a pointer to help on stderr; returns VIPC_EXIT_USAGE. */
int vipc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* __VIPC_CLI_H */
