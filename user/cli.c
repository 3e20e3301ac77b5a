// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The loader's command line: the command word, then its options, parsed
 * with getopt_long into struct vipc_cli; each command takes only its own.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "log.h"
#include "policy.h"

enum vipc_log_level vipc_log_level = VIPC_LOG_INFO;

/* The backends by bit index (enum vipc_backend), as --backend and status name them. */
const char *const vipc_backend_names[VIPC_NR_BACKENDS] = { "sock", "lsm", "fmodret" };

int vipc_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "vipc: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(see 'vipc-loader help')\n");
	va_end(ap);
	return VIPC_EXIT_USAGE;
}

int vipc_exit_status(int err)
{
	switch (err) {
	case 0:
		return VIPC_EXIT_OK;
	case -ENOENT:
		return VIPC_EXIT_NOT_FOUND;
	case -EACCES:
		return VIPC_EXIT_NOT_OWNER;
	case -EPROTO:
		return VIPC_EXIT_INCOMPATIBLE;
	case -E2BIG:
		return VIPC_EXIT_FULL;
	case -EEXIST:
		return VIPC_EXIT_EXISTS;
	case -EINVAL:
		return VIPC_EXIT_USAGE;
	case -ENOMEM:
		return VIPC_EXIT_NO_MEMORY;
	default:
		return VIPC_EXIT_DENIED;
	}
}

/* Every option, by its index in long_opts; F() is its bit in a command's set. */
enum opt {
	O_CONFIG, O_DETACH, O_JSON, O_VERBOSE, O_QUIET, O_HELP, O_VERSION, O_INTERVAL, O_BACKEND,
	O_MAX_CONTAINERS, O_MAX_ENDPOINTS, O_MAX_GRANTS, O_MAX_CHANNELS, O_MAX_CONNECTIONS,
	O_PREALLOC_GRANTS,
	O_CGROUP_ROOT, O_CGROUP, O_PID, O_MODE, O_UNKNOWN, O_ENDPOINT, O_CAPACITY, O_WATCH,
	O_COUNT, O_TIMEOUT, O_LISTEN, O_TEXTFILE, O_METRICS, O_FROM, O_POLICY,
	O_EVENT_RATE, O_NO_DECISIONS, O_BY_CONTAINER, O_WATCH_CONFIG, O_RUNTIME_ROOT, O_OTHERS,
	O__COUNT
};
_Static_assert(O__COUNT <= 64, "a command's options are a 64-bit set");
#define F(o) (1ULL << (o))

/* getopt_long's value for an option without a short form. */
#define LONG_ONLY 256
#define LONG(o, name, arg) [o] = { name, arg, NULL, LONG_ONLY + (o) }

static const struct option long_opts[O__COUNT + 1] = {
	[O_CONFIG] = { "config", required_argument, NULL, 'c' },
	[O_DETACH] = { "detach", no_argument, NULL, 'd' },
	[O_JSON] = { "json", no_argument, NULL, 'j' },
	[O_VERBOSE] = { "verbose", no_argument, NULL, 'v' },
	[O_QUIET] = { "quiet", no_argument, NULL, 'q' },
	[O_HELP] = { "help", no_argument, NULL, 'h' },
	LONG(O_VERSION, "version", no_argument),
	[O_INTERVAL] = { "interval", required_argument, NULL, 'i' },
	LONG(O_BACKEND, "backend", required_argument),
	LONG(O_MAX_CONTAINERS, "max-containers", required_argument),
	LONG(O_MAX_ENDPOINTS, "max-endpoints", required_argument),
	LONG(O_MAX_GRANTS, "max-grants", required_argument),
	LONG(O_MAX_CHANNELS, "max-channels", required_argument),
	LONG(O_MAX_CONNECTIONS, "max-connections", required_argument),
	LONG(O_PREALLOC_GRANTS, "prealloc-grants", no_argument),
	LONG(O_CGROUP_ROOT, "cgroup-root", required_argument),
	LONG(O_CGROUP, "cgroup", required_argument),
	LONG(O_PID, "pid", required_argument),
	LONG(O_MODE, "mode", required_argument),
	LONG(O_UNKNOWN, "unknown", required_argument),
	LONG(O_ENDPOINT, "endpoint", required_argument),
	LONG(O_CAPACITY, "capacity", required_argument),
	LONG(O_WATCH, "watch", required_argument),
	LONG(O_COUNT, "count", required_argument),
	LONG(O_TIMEOUT, "timeout", required_argument),
	LONG(O_LISTEN, "listen", required_argument),
	LONG(O_TEXTFILE, "textfile", required_argument),
	LONG(O_METRICS, "metrics", required_argument),
	LONG(O_FROM, "from", required_argument),
	LONG(O_POLICY, "policy", required_argument),
	LONG(O_EVENT_RATE, "event-rate", required_argument),
	LONG(O_NO_DECISIONS, "no-decisions", no_argument),
	LONG(O_BY_CONTAINER, "by-container", no_argument),
	LONG(O_WATCH_CONFIG, "watch-config", no_argument),
	LONG(O_RUNTIME_ROOT, "runtime-root", required_argument),
	LONG(O_OTHERS, "others", required_argument),
	{},
};

/* Every command takes these; loading takes the backend and the table sizes. */
#define GLOBAL_OPTS (F(O_VERBOSE) | F(O_QUIET) | F(O_HELP) | F(O_VERSION))
#define LOAD_OPTS                                                                    \
	(F(O_CONFIG) | F(O_CGROUP_ROOT) | F(O_BACKEND) | F(O_MAX_CONTAINERS) |        \
	 F(O_MAX_ENDPOINTS) | F(O_MAX_GRANTS) | F(O_MAX_CHANNELS) | F(O_MAX_CONNECTIONS) |  \
	 F(O_PREALLOC_GRANTS) | F(O_EVENT_RATE) | F(O_NO_DECISIONS) | F(O_RUNTIME_ROOT))

/* The grammar: each command word (and subcommand) and the options it takes
 * besides GLOBAL_OPTS. A command's first row has its name.
 */
static const struct grammar {
	enum vipc_cmd cmd;
	const char *name;
	const char *sub; /* NULL: the command whatever follows */
	__u64 opts;
} grammar[] = {
	{ VIPC_CMD_RUN, "vipc-loader with no command", NULL,
	  LOAD_OPTS | F(O_DETACH) | F(O_JSON) | F(O_INTERVAL) | F(O_METRICS) | F(O_WATCH_CONFIG) },
	{ VIPC_CMD_LOAD, "load", NULL, LOAD_OPTS },
	{ VIPC_CMD_RELOAD, "reload", NULL,
	  F(O_CONFIG) | F(O_CGROUP_ROOT) | F(O_EVENT_RATE) | F(O_RUNTIME_ROOT) },
	{ VIPC_CMD_UNLOAD, "unload", NULL, 0 },
	{ VIPC_CMD_STATUS, "status", NULL, F(O_JSON) | F(O_CGROUP_ROOT) },
	{ VIPC_CMD_STATS, "stats", NULL, F(O_JSON) | F(O_WATCH) | F(O_BY_CONTAINER) },
	{ VIPC_CMD_EVENTS, "events", NULL,
	  F(O_JSON) | F(O_COUNT) | F(O_TIMEOUT) | F(O_INTERVAL) | F(O_CGROUP_ROOT) },
	{ VIPC_CMD_CONTAINER, "container", "add",
	  F(O_CGROUP_ROOT) | F(O_CGROUP) | F(O_PID) | F(O_MODE) | F(O_UNKNOWN) },
	{ VIPC_CMD_CONTAINER, "container", "rm", 0 },
	{ VIPC_CMD_CONTAINER, "container", "ls", F(O_JSON) },
	{ VIPC_CMD_ENDPOINT, "endpoint", "add", F(O_OTHERS) },
	{ VIPC_CMD_ENDPOINT, "endpoint", "rm", 0 },
	{ VIPC_CMD_ENDPOINT, "endpoint", "ls", F(O_JSON) },
	{ VIPC_CMD_GRANT, "grant", NULL, 0 },
	{ VIPC_CMD_REVOKE, "revoke", NULL, F(O_ENDPOINT) },
	{ VIPC_CMD_CHANNEL, "channel", "add", F(O_CAPACITY) },
	{ VIPC_CMD_CHANNEL, "channel", "rm", 0 },
	{ VIPC_CMD_CHANNEL, "channel", "ls", F(O_JSON) },
	{ VIPC_CMD_CHECK, "check", NULL, F(O_JSON) | F(O_CGROUP) | F(O_CGROUP_ROOT) },
	{ VIPC_CMD_METRICS, "metrics", NULL, F(O_LISTEN) | F(O_TEXTFILE) | F(O_INTERVAL) },
	{ VIPC_CMD_SUGGEST, "suggest", NULL,
	  F(O_FROM) | F(O_POLICY) | F(O_TIMEOUT) | F(O_CGROUP_ROOT) | F(O_RUNTIME_ROOT) },
	{ VIPC_CMD_TOP, "top", NULL, F(O_JSON) | F(O_INTERVAL) | F(O_COUNT) },
	{ VIPC_CMD_HELP, "help", NULL, 0 },
};
#define NR_RULES (sizeof(grammar) / sizeof(grammar[0]))

/* The command @word names: exactly, else as the prefix of one command only
 * (each command once: its first row; row 0, no command, has no word).
 */
static int find_cmd(const char *word, enum vipc_cmd *cmd)
{
	size_t i, n = strlen(word);
	int hits = 0;

	for (i = 1; i < NR_RULES; i++) {
		if (grammar[i].cmd == grammar[i - 1].cmd)
			continue;
		if (!strcmp(grammar[i].name, word)) {
			*cmd = grammar[i].cmd;
			return 0;
		}
		if (!strncmp(grammar[i].name, word, n)) {
			*cmd = grammar[i].cmd;
			hits++;
		}
	}
	return hits == 1 ? 0 : vipc_usage_error("unknown or ambiguous command '%s'", word);
}

/* What @cmd followed by @sub (NULL: nothing) takes; *@rule is its row, or
 * NULL when @sub is none of its subcommands: then it takes what any of them
 * takes, and the command itself says what is wrong.
 */
static __u64 takes(enum vipc_cmd cmd, const char *sub, const struct grammar **rule)
{
	__u64 any = 0;
	size_t i;

	*rule = NULL;
	for (i = 0; i < NR_RULES && !*rule; i++) {
		if (grammar[i].cmd != cmd)
			continue;
		any |= grammar[i].opts;
		if (!grammar[i].sub || (sub && !strcmp(grammar[i].sub, sub)))
			*rule = &grammar[i];
	}
	return GLOBAL_OPTS | (*rule ? (*rule)->opts : any);
}

/* Refuse the first option @given that @cmd (with @sub) does not take. */
static int check_opts(enum vipc_cmd cmd, const char *sub, __u64 given, __u64 *ok)
{
	const struct grammar *rule;
	size_t i;

	*ok = takes(cmd, sub, &rule);
	for (i = 0; i < O__COUNT; i++) {
		if (!(given & ~*ok & F(i)))
			continue;
		sub = rule ? rule->sub : NULL;
		for (rule = grammar; rule->cmd != cmd; rule++)
			;
		return vipc_usage_error("%s%s%s does not take --%s", rule->name, sub ? " " : "",
					sub ?: "", long_opts[i].name);
	}
	return 0;
}

static int parse_num(const char *arg, const char *what, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *out < min || *out > max) {
		vipc_usage_error("%s must be a number from %lu to %lu, not '%s'", what, min, max, arg);
		return -EINVAL;
	}
	return 0;
}

/* Options that take a number: where it goes and its bounds. Table sizes
 * start at 1 (a map of 0 entries does not load); the rest fit an int.
 */
static int set_num(struct vipc_cli *o, enum opt id, const char *arg)
{
	unsigned long v, min = 0, max = INT_MAX;

	if (id >= O_MAX_CONTAINERS && id <= O_MAX_CONNECTIONS) {
		min = 1;
		max = 1UL << 24;
	}
	if (parse_num(arg, long_opts[id].name, min, max, &v))
		return -EINVAL;
	switch (id) {
	case O_MAX_CONTAINERS: o->limits.principals = v; break;
	case O_MAX_ENDPOINTS: o->limits.endpoints = v; break;
	case O_MAX_GRANTS: o->limits.grants = v; break;
	case O_MAX_CHANNELS: o->limits.channels = v; break;
	case O_MAX_CONNECTIONS: o->limits.connections = v; break;
	case O_PID: o->pid = v; break;
	case O_CAPACITY: o->capacity = v; break;
	case O_WATCH: o->watch_s = v; break;
	case O_COUNT: o->count = v; break;
	case O_TIMEOUT: o->timeout_s = v; break;
	case O_INTERVAL: o->interval_ms = v; o->interval_set = true; break;
	default: break;
	}
	return 0;
}

/* --backend auto, both (sock,lsm) or a list of sock, lsm and fmodret into
 * enum vipc_backend bits (0 = auto).
 */
static int set_backend(struct vipc_cli *o, const char *arg)
{
	char list[64], *rest = list, *word;
	__u32 i, bits = 0;

	if (!strcmp(arg, "auto") || !strcmp(arg, "both")) {
		o->backends = arg[0] == 'a' ? 0 : VIPC_BACKEND_SOCK | VIPC_BACKEND_LSM;
		return 0;
	}
	snprintf(list, sizeof(list), "%s", arg);
	while ((word = strsep(&rest, ","))) {
		for (i = 0; i < VIPC_NR_BACKENDS && strcmp(word, vipc_backend_names[i]); i++)
			;
		if (i == VIPC_NR_BACKENDS)
			break;
		bits |= 1U << i;
	}
	if (word || !bits || strlen(arg) >= sizeof(list) ||
	    (bits & VIPC_BACKEND_PEER) == VIPC_BACKEND_PEER)
		return vipc_usage_error("--backend takes auto, both, or one or more of sock, lsm and "
					"fmodret (lsm or fmodret, not both: \"sock,fmodret\"), not '%s'",
					arg);
	o->backends = bits;
	return 0;
}

/* --mode, --unknown and --others: one of their words, by its enum value. */
static int set_word(struct vipc_cli *o, enum opt id, const char *arg)
{
	static const char *const modes[] = { "enforce", "audit", NULL };
	static const char *const unknowns[] = { "allow", "deny", NULL };
	static const char *const others[] = { "deny", "allow", "audit", NULL };
	const char *const *words = id == O_MODE ? modes : id == O_UNKNOWN ? unknowns : others;
	__u8 *out = id == O_MODE ? &o->mode : id == O_UNKNOWN ? &o->unknown : &o->others;
	__u8 i;

	for (i = 0; words[i]; i++) {
		if (!strcmp(arg, words[i])) {
			*out = i;
			return 0;
		}
	}
	return vipc_usage_error("--%s takes %s, not '%s'", long_opts[id].name,
				id == O_MODE ? "enforce or audit" :
				id == O_UNKNOWN ? "allow or deny" : "deny, allow or audit", arg);
}

/* One option into @o; 0 or VIPC_EXIT_USAGE. */
static int set_opt(struct vipc_cli *o, enum opt id, const char *arg)
{
	switch (id) {
	case O_CONFIG: o->config = arg; break;
	case O_DETACH: o->detach = true; break;
	case O_JSON: o->json = true; break;
	case O_VERBOSE: o->log_level = VIPC_LOG_DEBUG; break;
	case O_QUIET: o->log_level = VIPC_LOG_WARN; break;
	case O_HELP: o->help = true; break;
	case O_VERSION: o->version = true; break;
	case O_CGROUP_ROOT: o->cgroup_root = arg; break;
	case O_CGROUP: o->cgroup = arg; break;
	case O_ENDPOINT: o->endpoint = arg; break;
	case O_LISTEN: o->listen = arg; break;
	case O_TEXTFILE: o->textfile = arg; break;
	case O_METRICS: o->metrics = arg; break;
	case O_FROM: o->from = arg; break;
	case O_POLICY: o->policy = arg; break;
	case O_PREALLOC_GRANTS: o->limits.prealloc_grants = true; break;
	case O_NO_DECISIONS: o->limits.no_decisions = true; break;
	case O_BY_CONTAINER: o->by_container = true; break;
	case O_WATCH_CONFIG: o->watch_config = true; break;
	case O_EVENT_RATE:
		o->event_rate_set = true;
		if (!vipc_rate_parse(arg, &o->event_rate_ms))
			break;
		return vipc_usage_error("--event-rate takes all or an interval from 1ms to %ds "
					"(e.g. 500ms, 2s), not '%s'", VIPC_RATE_MAX_MS / 1000, arg);
	case O_RUNTIME_ROOT:
		if (!vipc_rt_roots_set(&o->rt_roots, arg, &o->nr_containerd))
			break;
		return vipc_usage_error("--runtime-root takes docker=DIR, podman=DIR or "
					"containerd=DIR (at most %d), not '%s'",
					VIPC_RT_MAX_STATES - 1, arg);
	case O_BACKEND: return set_backend(o, arg) ? VIPC_EXIT_USAGE : 0;
	case O_MODE:
	case O_UNKNOWN:
	case O_OTHERS: return set_word(o, id, arg) ? VIPC_EXIT_USAGE : 0;
	default: return set_num(o, id, arg) ? VIPC_EXIT_USAGE : 0;
	}
	return 0;
}

/* getopt_long's return value as an option, or O__COUNT when unknown. */
static enum opt opt_of(int c)
{
	int i;

	if (c >= LONG_ONLY && c < LONG_ONLY + O__COUNT)
		return c - LONG_ONLY;
	for (i = 0; i < O__COUNT && long_opts[i].val != c; i++)
		;
	return i;
}

int vipc_cli_parse(int argc, char **argv, struct vipc_cli *out)
{
	__u64 given = 0, ok;
	enum opt id;
	int c, ret;

	*out = (struct vipc_cli){
		.interval_ms = 1000,
		.log_level = VIPC_LOG_INFO,
		.limits = { .principals = VIPC_MAX_PRINCIPALS,
			    .endpoints = VIPC_MAX_ENDPOINTS,
			    .grants = VIPC_MAX_GRANTS,
			    .channels = VIPC_MAX_CHANNELS,
			    .connections = VIPC_MAX_CONNECTIONS },
	};
	vipc_rt_roots_default(&out->rt_roots);
	/* Phase 1: the options, wherever they are; -h and --version stop at once. */
	optind = 0; /* glibc: start afresh, whatever an earlier parse left */
	while (!out->help && !out->version &&
	       (c = getopt_long(argc, argv, "c:djvqi:h", long_opts, NULL)) != -1) {
		id = opt_of(c);
		if (id == O__COUNT)
			return vipc_usage_error("unknown option");
		given |= F(id);
		ret = set_opt(out, id, optarg);
		if (ret)
			return ret;
	}
	if (out->help || out->version)
		return 0;
	if ((given & F(O_VERBOSE)) && (given & F(O_QUIET)))
		return vipc_usage_error("-v and -q exclude each other");

	/* Phase 2: the command, which must take every option given. */
	out->cmd_index = optind;
	if (optind < argc && find_cmd(argv[optind], &out->cmd))
		return VIPC_EXIT_USAGE;
	ret = check_opts(out->cmd, optind + 1 < argc ? argv[optind + 1] : NULL, given, &ok);
	if (ret)
		return ret;

	/* Phase 3: the environment's VIPC_BACKEND is the default --backend. */
	if ((ok & ~given & F(O_BACKEND)) && getenv("VIPC_BACKEND") &&
	    set_backend(out, getenv("VIPC_BACKEND")))
		return VIPC_EXIT_USAGE;
	return 0;
}
