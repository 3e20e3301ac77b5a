/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The loader's command line: the command and its options into a struct,
 * nothing else. Never exits and never touches BPF, so it can be fuzzed.
 */
#ifndef __VIPC_CLI_H
#define __VIPC_CLI_H

#include <linux/types.h>
#include <stdbool.h>
#include "log.h"
#include "runtime.h"
#include "state.h"

enum vipc_cmd {
	VIPC_CMD_RUN, /* no command word: load, then stream until Ctrl-C */
	VIPC_CMD_LOAD,
	VIPC_CMD_RELOAD,
	VIPC_CMD_UNLOAD,
	VIPC_CMD_STATUS,
	VIPC_CMD_STATS,
	VIPC_CMD_EVENTS,
	VIPC_CMD_CONTAINER,
	VIPC_CMD_ENDPOINT,
	VIPC_CMD_GRANT,
	VIPC_CMD_REVOKE,
	VIPC_CMD_CHANNEL,
	VIPC_CMD_CHECK,
	VIPC_CMD_METRICS,
	VIPC_CMD_SUGGEST,
	VIPC_CMD_TOP,
	VIPC_CMD_HELP,
	VIPC_NR_CMDS,
};

struct vipc_cli {
	enum vipc_cmd cmd;
	const char *config;
	const char *cgroup;
	const char *cgroup_root; /* --cgroup-root: the cgroup2 mount; NULL: found */
	const char *endpoint;
	const char *listen;   /* metrics --listen ADDR:PORT */
	const char *textfile; /* metrics --textfile PATH */
	const char *metrics;  /* no command: --metrics ADDR:PORT */
	const char *from;   /* suggest: the event log, "-" for stdin */
	const char *policy; /* suggest: the policy to merge into */
	int pid;
	bool detach, json, interval_set, help, version;
	bool watch_config;   /* --watch-config: reload the policy file when it changes */
	bool by_container;   /* stats --by-container */
	bool event_rate_set; /* --event-rate given: event_rate_ms overrides the policy's */
	__u64 event_rate_ms;
	enum vipc_log_level log_level;
	__u8 mode, unknown, others;
	__u32 capacity;
	__u32 backends; /* enum vipc_backend bits asked for; 0 = every one available */
	long count; /* events, top: --count N */
	int timeout_s, watch_s;
	__u64 interval_ms;
	struct vipc_limits limits;
	struct vipc_rt_roots rt_roots; /* --runtime-root: where the runtimes keep their state */
	int nr_containerd;	       /* containerd state dirs given */
	int cmd_index; /* argv index of the command word; argc when none */
};

/* Parse @argv (getopt_long, which moves the command and its arguments
 * after the options) into @out: the command, by any unambiguous prefix,
 * and the options, each of which the command (or subcommand) must take;
 * VIPC_BACKEND in the environment is the default --backend of those that
 * take it. 0, or VIPC_EXIT_USAGE after one line on stderr. -h/--help sets
 * out->help and stops, --version out->version.
 */
int vipc_cli_parse(int argc, char **argv, struct vipc_cli *out);

/* "vipc: MESSAGE" and a pointer to help on stderr; returns VIPC_EXIT_USAGE. */
int vipc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit status for a -errno of the registry or the pinned state. */
int vipc_exit_status(int err);

#endif /* __VIPC_CLI_H */
