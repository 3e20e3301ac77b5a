/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The loader's command line: the command and its options into a struct,
 * nothing else. Never exits and never touches BPF, so it can be fuzzed.
 */
#ifndef __VIPC_CLI_H
#define __VIPC_CLI_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdio.h>
#include "log.h"
#include "runtime.h"
#include "state.h"

#define VIPC_DEFAULT_POLICY "/etc/vipc/policy.yaml"

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

/* Every option, by its index in vipc_options[]; VIPC_OPTS(O) is its bit in a
 * command's set.
 */
enum vipc_opt {
	VIPC_OPT_CONFIG, VIPC_OPT_DETACH, VIPC_OPT_JSON, VIPC_OPT_VERBOSE, VIPC_OPT_QUIET,
	VIPC_OPT_HELP, VIPC_OPT_VERSION, VIPC_OPT_INTERVAL, VIPC_OPT_BACKEND,
	VIPC_OPT_MAX_CONTAINERS, VIPC_OPT_MAX_ENDPOINTS, VIPC_OPT_MAX_GRANTS,
	VIPC_OPT_MAX_CHANNELS, VIPC_OPT_MAX_CONNECTIONS, VIPC_OPT_PREALLOC_GRANTS,
	VIPC_OPT_CGROUP_ROOT, VIPC_OPT_CGROUP, VIPC_OPT_PID, VIPC_OPT_MODE, VIPC_OPT_UNKNOWN,
	VIPC_OPT_ENDPOINT, VIPC_OPT_CAPACITY, VIPC_OPT_WATCH, VIPC_OPT_COUNT, VIPC_OPT_TIMEOUT,
	VIPC_OPT_LISTEN, VIPC_OPT_TEXTFILE, VIPC_OPT_METRICS, VIPC_OPT_FROM, VIPC_OPT_POLICY,
	VIPC_OPT_EVENT_RATE, VIPC_OPT_NO_DECISIONS, VIPC_OPT_TIME_STEPS, VIPC_OPT_BY_CONTAINER,
	VIPC_OPT_BROKER,
	VIPC_OPT_WATCH_CONFIG, VIPC_OPT_RUNTIME_ROOT, VIPC_OPT_OTHERS,
	VIPC_OPT__COUNT
};
_Static_assert(VIPC_OPT__COUNT <= 64, "a command's options are a 64-bit set");
#define VIPC_OPTS(o) (1ULL << VIPC_OPT_##o)

/* Every command takes these; loading takes the backend and the table sizes. */
#define VIPC_GLOBAL_OPTS (VIPC_OPTS(VERBOSE) | VIPC_OPTS(QUIET) | VIPC_OPTS(HELP) | VIPC_OPTS(VERSION))
#define VIPC_LOAD_OPTS                                                                    \
	(VIPC_OPTS(CONFIG) | VIPC_OPTS(CGROUP_ROOT) | VIPC_OPTS(BACKEND) |                 \
	 VIPC_OPTS(MAX_CONTAINERS) | VIPC_OPTS(MAX_ENDPOINTS) | VIPC_OPTS(MAX_GRANTS) |     \
	 VIPC_OPTS(MAX_CHANNELS) | VIPC_OPTS(MAX_CONNECTIONS) | VIPC_OPTS(PREALLOC_GRANTS) | \
	 VIPC_OPTS(EVENT_RATE) | VIPC_OPTS(NO_DECISIONS) | VIPC_OPTS(TIME_STEPS) |          \
	 VIPC_OPTS(RUNTIME_ROOT))

/* An option: its long and short name (0: none), the word its value stands
 * for (NULL: none), and what it does, for --help and the man page.
 */
struct vipc_option {
	const char *name;
	char short_name;
	const char *arg;
	const char *help;
};

extern const struct vipc_option vipc_options[VIPC_OPT__COUNT];

struct vipc_state;

/* The command line's one table: a row per command, subcommand and variant,
 * from which the parser, the argument checks, the dispatch, --help and the
 * man page's COMMANDS and OPTIONS come (user/cmd/verbs.c).
 */
struct vipc_verb {
	enum vipc_cmd cmd;
	const char *name; /* the command word; NULL: no command (the daemon) */
	const char *sub;  /* the subcommand word, or NULL */
	const char *args; /* the words after them (and options it needs), as shown */
	int nargs;	  /* how many words follow */
	__u64 needs;	  /* the row for when all these options are given */
	__u64 one_of;	  /* of these options it needs exactly one */
	__u64 opts;	  /* what else it takes, besides VIPC_GLOBAL_OPTS */
	bool privileged;  /* it needs the capabilities */
	int (*fn)(char **argv);				 /* run on the words after it */
	int (*edit)(struct vipc_state *st, char **argv); /* or: a registry edit, under the lock */
	const char *help; /* --help's line */
	const char *doc;  /* the man page's paragraph (NULL: the help line) */
};

extern const struct vipc_verb vipc_verbs[];
extern const size_t vipc_nr_verbs;

/* Every option row @v takes, needs or takes one of (VIPC_GLOBAL_OPTS aside). */
static inline __u64 vipc_verb_opts(const struct vipc_verb *v)
{
	return v->opts | v->needs | v->one_of;
}

/* "container add", "status", "vipc-loader" (no command): @v's words. */
const char *vipc_verb_name(const struct vipc_verb *v, char *buf, size_t size);

/* --help: the grammar, the options and the exit statuses, from the tables. */
void vipc_cli_usage(FILE *out);

/* The man page: @in (deploy/vipc-loader.8.in) with its @COMMANDS@,
 * @OPTIONS@ and @EXIT_STATUS@ lines made from the tables: 0 or -errno.
 */
int vipc_cli_man(FILE *in, FILE *out);

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
	bool broker;	     /* stats --broker */
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
	const struct vipc_verb *verb; /* its row of vipc_verbs[] */
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
