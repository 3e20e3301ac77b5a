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
#include "names.h"
#include "daemon.h"
#include "log.h"
#include "policy.h"

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

/* getopt_long's value for an option without a short form. */
#define LONG_ONLY 256

#define OPT(o, n, s, a, h) [VIPC_OPT_##o] = { n, s, a, h }

const struct vipc_option vipc_options[VIPC_OPT__COUNT] = {
	OPT(CONFIG, "config", 'c', "FILE",
	    "policy file (default " VIPC_DEFAULT_POLICY " if present)"),
	OPT(DETACH, "detach", 'd', NULL,
	    "return once enforcement is in place, leaving a watcher that runs on, logging to "
	    VIPC_LOG_FILE " (it reads no ring buffer record: -i is not for it)"),
	OPT(JSON, "json", 'j', NULL,
	    "data as JSON; a failure as one document {\"error\": MESSAGE, \"exit\": STATUS} on "
	    "stdout (the message also on stderr as text)"),
	OPT(VERBOSE, "verbose", 'v', NULL, "debug messages, and libbpf's debug log"),
	OPT(QUIET, "quiet", 'q', NULL, "warnings and errors only (not with -v)"),
	OPT(HELP, "help", 'h', NULL, "this text"),
	OPT(VERSION, "version", 0, NULL, "the release and the pinned-state ABI version"),
	OPT(INTERVAL, "interval", 'i', "MS",
	    "statistics snapshot period (default 1000, 0 = off); top's and metrics "
	    "--textfile's period"),
	OPT(BACKEND, "backend", 0, "B",
	    "auto (default: sock where the kernel has it, beside lsm where BPF LSM is active, "
	    "else fmodret), or a list of sock, lsm, fmodret (\"sock,fmodret\"; both = "
	    "sock,lsm); VIPC_BACKEND in the environment sets the default"),
	OPT(MAX_CONTAINERS, "max-containers", 0, "N", "containers table size, fixed at load"),
	OPT(MAX_ENDPOINTS, "max-endpoints", 0, "N", "endpoints table size, fixed at load"),
	OPT(MAX_GRANTS, "max-grants", 0, "N", "grants table size, fixed at load"),
	OPT(MAX_CHANNELS, "max-channels", 0, "N", "channels table size, fixed at load"),
	OPT(MAX_CONNECTIONS, "max-connections", 0, "N",
	    "live channel connections the LSM backend counts (default 65536); over it, "
	    "connects are channel-full"),
	OPT(PREALLOC_GRANTS, "prealloc-grants", 0, NULL,
	    "reserve the grants table's memory at load (~80 bytes per entry, two slots): "
	    "large policies apply faster"),
	OPT(CGROUP_ROOT, "cgroup-root", 0, "PATH",
	    "the cgroup2 mount (default: found at /sys/fs/cgroup, /sys/fs/cgroup/unified, or in "
	    "/proc/self/mountinfo); it must be the root of a cgroup2 mount"),
	OPT(CGROUP, "cgroup", 0, "PATH",
	    "a cgroup, relative to the cgroup2 mount (as a policy's cgroup:)"),
	OPT(PID, "pid", 0, "PID", "the cgroup of process PID"),
	OPT(MODE, "mode", 0, "MODE", "enforce (the default) or audit"),
	OPT(UNKNOWN, "unknown", 0, "WHAT",
	    "what the container gets for a socket no endpoint names: allow (the default) or deny"),
	OPT(ENDPOINT, "endpoint", 0, "ENDPOINT",
	    "revoke every grant on ENDPOINT at once (its generation bumped)"),
	OPT(CAPACITY, "capacity", 0, "N", "at most N live connections (LSM backend)"),
	OPT(WATCH, "watch", 0, "SECONDS", "print again every SECONDS until stopped"),
	OPT(COUNT, "count", 0, "N", "stop after N events (events) or snapshots (top)"),
	OPT(TIMEOUT, "timeout", 0, "S",
	    "stop after S seconds (events: exit 1 when fewer than --count came); suggest: "
	    "read S seconds of live events"),
	OPT(LISTEN, "listen", 0, "[ADDR:]PORT",
	    "serve Prometheus metrics on /metrics (ADDR default 127.0.0.1; [ADDR6]:PORT for "
	    "IPv6) until stopped; reads the pins read-only"),
	OPT(TEXTFILE, "textfile", 0, "PATH",
	    "write the metrics to PATH atomically (node_exporter's textfile collector), once "
	    "or every -i MS"),
	OPT(METRICS, "metrics", 0, "[ADDR:]PORT",
	    "also serve Prometheus metrics there (as metrics --listen)"),
	OPT(FROM, "from", 0, "FILE", "the event log (events --json lines; - for stdin)"),
	OPT(POLICY, "policy", 0, "FILE", "the policy to merge the suggested grants into"),
	OPT(EVENT_RATE, "event-rate", 0, "RATE",
	    "deny events per key: one per interval (500ms, 2s; the rest counted) or all; "
	    "overrides the policy's events.rate"),
	OPT(NO_DECISIONS, "no-decisions", 0, NULL,
	    "no per-container decision counters (vipc_decisions)"),
	OPT(TIME_STEPS, "time-steps", 0, NULL,
	    "time each step of every decision into vipc_steps, for vipc-bench --steps "
	    "(two clock reads a step: for measuring only)"),
	OPT(BY_CONTAINER, "by-container", 0, NULL,
	    "the decisions per container, endpoint and verdict"),
	OPT(BROKER, "broker", 0, NULL,
	    "the calls the name broker sent to each instance of each endpoint, and the sockets "
	    "bound at it"),
	OPT(WATCH_CONFIG, "watch-config", 0, NULL,
	    "reload the policy file when it (or its directory's ..data symlink, as in a "
	    "ConfigMap) changes; a bad file is logged and the loaded policy stays"),
	OPT(RUNTIME_ROOT, "runtime-root", 0, "RT=DIR",
	    "where a runtime keeps its state, for docker:, podman: and annotations: selectors: "
	    "docker=DIR (/var/lib/docker), podman=DIR (/var/lib/containers/storage), "
	    "containerd=DIR, repeatable (/run/containerd, /run/docker/containerd/daemon)"),
	OPT(OTHERS, "others", 0, "WHAT",
	    "what callers no container holds get: deny (the default), allow (connect and "
	    "send) or audit (let through, reported as a would-deny with its cgroup)"),
};

/* getopt_long's table and short options, from vipc_options[]. */
static void getopt_tables(struct option *longs, char *shorts)
{
	const struct vipc_option *o;
	int i;

	for (i = 0; i < VIPC_OPT__COUNT; i++) {
		o = &vipc_options[i];
		longs[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					    o->short_name ?: LONG_ONLY + i };
		if (!o->short_name)
			continue;
		*shorts++ = o->short_name;
		if (o->arg)
			*shorts++ = ':';
	}
	longs[i] = (struct option){};
	*shorts = 0;
}

const char *vipc_verb_name(const struct vipc_verb *v, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", v->name ?: "vipc-loader", v->sub ? " " : "", v->sub ?: "");
	return buf;
}

/* The command @word names: exactly, else as the prefix of one command only
 * (each command once: its first row; row 0, no command, has no word).
 */
static int find_cmd(const char *word, enum vipc_cmd *cmd)
{
	size_t i, n = strlen(word);
	int hits = 0;

	for (i = 1; i < vipc_nr_verbs; i++) {
		if (vipc_verbs[i].cmd == vipc_verbs[i - 1].cmd)
			continue;
		if (!strcmp(vipc_verbs[i].name, word)) {
			*cmd = vipc_verbs[i].cmd;
			return 0;
		}
		if (!strncmp(vipc_verbs[i].name, word, n)) {
			*cmd = vipc_verbs[i].cmd;
			hits++;
		}
	}
	return hits == 1 ? 0 : vipc_usage_error("unknown or ambiguous command '%s'", word);
}

/* Does row @v stand for @cmd followed by @sub (NULL: nothing)? */
static bool is_row(const struct vipc_verb *v, enum vipc_cmd cmd, const char *sub)
{
	return v->cmd == cmd && (!v->sub || (sub && !strcmp(v->sub, sub)));
}

/* What @cmd followed by @sub takes: that row's options (all its variants'),
 * or, when @sub is none of its subcommands, what any of them takes, and
 * the row check says what is wrong.
 */
static __u64 takes(enum vipc_cmd cmd, const char *sub, const char **name)
{
	__u64 any = 0, mine = 0;
	bool found = false;
	size_t i;

	*name = NULL;
	for (i = 0; i < vipc_nr_verbs; i++) {
		if (vipc_verbs[i].cmd != cmd)
			continue;
		any |= vipc_verb_opts(&vipc_verbs[i]);
		if (is_row(&vipc_verbs[i], cmd, sub)) {
			mine |= vipc_verb_opts(&vipc_verbs[i]);
			*name = vipc_verbs[i].sub;
			found = true;
		}
	}
	return VIPC_GLOBAL_OPTS | (found ? mine : any);
}

/* Refuse the first option @given that @cmd (with @sub) does not take. */
static int check_opts(enum vipc_cmd cmd, const char *sub, __u64 given, __u64 *ok)
{
	const struct vipc_verb *v;
	size_t i;

	*ok = takes(cmd, sub, &sub);
	for (i = 0; i < VIPC_OPT__COUNT; i++) {
		if (!(given & ~*ok & (1ULL << i)))
			continue;
		for (v = vipc_verbs; v->cmd != cmd; v++)
			;
		return vipc_usage_error("%s%s%s does not take --%s",
					v->name ?: "vipc-loader with no command", sub ? " " : "",
					sub ?: "", vipc_options[i].name);
	}
	return 0;
}

/* "usage: vipc-loader ROW | vipc-loader ROW ...": each row of @cmd. */
static int row_usage(enum vipc_cmd cmd)
{
	char line[512], name[64];
	size_t i, off = 0;

	for (i = 0; i < vipc_nr_verbs && off < sizeof(line); i++)
		if (vipc_verbs[i].cmd == cmd)
			off += snprintf(line + off, sizeof(line) - off, "%svipc-loader %s%s%s",
					off ? " | " : "",
					vipc_verb_name(&vipc_verbs[i], name, sizeof(name)),
					vipc_verbs[i].args ? " " : "", vipc_verbs[i].args ?: "");
	return vipc_usage_error("usage: %s", line);
}

/* "NAME needs exactly one of --a and --b" unless @given has one of @v's pair. */
static int check_one_of(const struct vipc_verb *v, __u64 given)
{
	int first = v->one_of ? __builtin_ctzll(v->one_of) : 0;
	int second = v->one_of ? __builtin_ctzll(v->one_of & ~(1ULL << first)) : 0;
	char name[64];

	if (!v->one_of || __builtin_popcountll(given & v->one_of) == 1)
		return 0;
	return vipc_usage_error("%s needs exactly one of --%s and --%s",
				vipc_verb_name(v, name, sizeof(name)), vipc_options[first].name,
				vipc_options[second].name);
}

/* The row of @cmd the words @argv (@argc of them, after the command word)
 * and the options @given stand for, its words counted: 0 or VIPC_EXIT_USAGE.
 */
static int find_row(enum vipc_cmd cmd, int argc, char **argv, __u64 given,
		    const struct vipc_verb **row)
{
	const struct vipc_verb *v;
	size_t i;

	for (i = 0; i < vipc_nr_verbs; i++) {
		v = &vipc_verbs[i];
		if (!is_row(v, cmd, argc ? argv[0] : NULL) || (v->needs & ~given))
			continue;
		if (argc - !!v->sub != v->nargs)
			break;
		*row = v;
		return check_one_of(v, given);
	}
	return row_usage(cmd);
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
static int set_num(struct vipc_cli *o, enum vipc_opt id, const char *arg)
{
	unsigned long v, min = 0, max = INT_MAX;

	if (id >= VIPC_OPT_MAX_CONTAINERS && id <= VIPC_OPT_MAX_CONNECTIONS) {
		min = 1;
		max = 1UL << 24;
	}
	if (parse_num(arg, vipc_options[id].name, min, max, &v))
		return -EINVAL;
	switch (id) {
	case VIPC_OPT_MAX_CONTAINERS: o->limits.principals = v; break;
	case VIPC_OPT_MAX_ENDPOINTS: o->limits.endpoints = v; break;
	case VIPC_OPT_MAX_GRANTS: o->limits.grants = v; break;
	case VIPC_OPT_MAX_CHANNELS: o->limits.channels = v; break;
	case VIPC_OPT_MAX_CONNECTIONS: o->limits.connections = v; break;
	case VIPC_OPT_PID: o->pid = v; break;
	case VIPC_OPT_CAPACITY: o->capacity = v; break;
	case VIPC_OPT_WATCH: o->watch_s = v; break;
	case VIPC_OPT_COUNT: o->count = v; break;
	case VIPC_OPT_TIMEOUT: o->timeout_s = v; break;
	case VIPC_OPT_INTERVAL: o->interval_ms = v; o->interval_set = true; break;
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
	__u32 bits = 0;
	int i;

	if (!strcmp(arg, "auto") || !strcmp(arg, "both")) {
		o->backends = arg[0] == 'a' ? 0 : VIPC_BACKEND_SOCK | VIPC_BACKEND_LSM;
		return 0;
	}
	snprintf(list, sizeof(list), "%s", arg);
	while ((word = strsep(&rest, ","))) {
		i = vipc_name_index(vipc_backend_names, word);
		if (i < 0)
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
static int set_word(struct vipc_cli *o, enum vipc_opt id, const char *arg)
{
	const char *const *words = id == VIPC_OPT_MODE	  ? vipc_mode_names :
				   id == VIPC_OPT_UNKNOWN ? vipc_unknown_names :
							    vipc_others_names;
	__u8 *out = id == VIPC_OPT_MODE ? &o->mode : id == VIPC_OPT_UNKNOWN ? &o->unknown : &o->others;
	int i = vipc_name_index(words, arg);

	if (i >= 0) {
		*out = i;
		return 0;
	}
	return vipc_usage_error("--%s takes %s, not '%s'", vipc_options[id].name,
				id == VIPC_OPT_MODE ? "enforce or audit" :
				id == VIPC_OPT_UNKNOWN ? "allow or deny" : "deny, allow or audit", arg);
}

/* One option into @o; 0 or VIPC_EXIT_USAGE. */
static int set_opt(struct vipc_cli *o, enum vipc_opt id, const char *arg)
{
	switch (id) {
	case VIPC_OPT_CONFIG: o->config = arg; break;
	case VIPC_OPT_DETACH: o->detach = true; break;
	case VIPC_OPT_JSON: o->json = true; break;
	case VIPC_OPT_VERBOSE: o->log_level = VIPC_LOG_DEBUG; break;
	case VIPC_OPT_QUIET: o->log_level = VIPC_LOG_WARN; break;
	case VIPC_OPT_HELP: o->help = true; break;
	case VIPC_OPT_VERSION: o->version = true; break;
	case VIPC_OPT_CGROUP_ROOT: o->cgroup_root = arg; break;
	case VIPC_OPT_CGROUP: o->cgroup = arg; break;
	case VIPC_OPT_ENDPOINT: o->endpoint = arg; break;
	case VIPC_OPT_LISTEN: o->listen = arg; break;
	case VIPC_OPT_TEXTFILE: o->textfile = arg; break;
	case VIPC_OPT_METRICS: o->metrics = arg; break;
	case VIPC_OPT_FROM: o->from = arg; break;
	case VIPC_OPT_POLICY: o->policy = arg; break;
	case VIPC_OPT_PREALLOC_GRANTS: o->limits.prealloc_grants = true; break;
	case VIPC_OPT_NO_DECISIONS: o->limits.no_decisions = true; break;
	case VIPC_OPT_TIME_STEPS: o->limits.time_steps = true; break;
	case VIPC_OPT_BY_CONTAINER: o->by_container = true; break;
	case VIPC_OPT_BROKER: o->broker = true; break;
	case VIPC_OPT_WATCH_CONFIG: o->watch_config = true; break;
	case VIPC_OPT_EVENT_RATE:
		o->event_rate_set = true;
		if (!vipc_rate_parse(arg, &o->event_rate_ms))
			break;
		return vipc_usage_error("--event-rate takes all or an interval from 1ms to %ds "
					"(e.g. 500ms, 2s), not '%s'", VIPC_RATE_MAX_MS / 1000, arg);
	case VIPC_OPT_RUNTIME_ROOT:
		if (!vipc_rt_roots_set(&o->rt_roots, arg, &o->nr_containerd))
			break;
		return vipc_usage_error("--runtime-root takes docker=DIR, podman=DIR or "
					"containerd=DIR (at most %d), not '%s'",
					VIPC_RT_MAX_STATES - 1, arg);
	case VIPC_OPT_BACKEND: return set_backend(o, arg) ? VIPC_EXIT_USAGE : 0;
	case VIPC_OPT_MODE:
	case VIPC_OPT_UNKNOWN:
	case VIPC_OPT_OTHERS: return set_word(o, id, arg) ? VIPC_EXIT_USAGE : 0;
	default: return set_num(o, id, arg) ? VIPC_EXIT_USAGE : 0;
	}
	return 0;
}

/* getopt_long's return value as an option, or VIPC_OPT__COUNT when unknown. */
static enum vipc_opt opt_of(int c)
{
	int i;

	if (c >= LONG_ONLY && c < LONG_ONLY + VIPC_OPT__COUNT)
		return c - LONG_ONLY;
	for (i = 0; i < VIPC_OPT__COUNT && vipc_options[i].short_name != c; i++)
		;
	return i;
}

int vipc_cli_parse(int argc, char **argv, struct vipc_cli *out)
{
	struct option longs[VIPC_OPT__COUNT + 1];
	char shorts[2 * VIPC_OPT__COUNT + 1];
	__u64 given = 0, ok;
	enum vipc_opt id;
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
	getopt_tables(longs, shorts);
	/* Phase 1: the options, wherever they are; -h and --version stop at once. */
	optind = 0; /* glibc: start afresh, whatever an earlier parse left */
	while (!out->help && !out->version &&
	       (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		id = opt_of(c);
		if (id == VIPC_OPT__COUNT)
			return vipc_usage_error("unknown option");
		given |= 1ULL << id;
		ret = set_opt(out, id, optarg);
		if (ret)
			return ret;
	}
	if (out->help || out->version)
		return 0;
	if ((given & VIPC_OPTS(VERBOSE)) && (given & VIPC_OPTS(QUIET)))
		return vipc_usage_error("-v and -q exclude each other");

	/* Phase 2: the command, which must take every option given, and its row. */
	out->cmd_index = optind;
	if (optind < argc && find_cmd(argv[optind], &out->cmd))
		return VIPC_EXIT_USAGE;
	ret = check_opts(out->cmd, optind + 1 < argc ? argv[optind + 1] : NULL, given, &ok);
	if (!ret && out->cmd == VIPC_CMD_RUN)
		out->verb = &vipc_verbs[0];
	else if (!ret)
		ret = find_row(out->cmd, argc - optind - 1, argv + optind + 1, given, &out->verb);
	if (ret)
		return ret;

	/* Phase 3: the environment's VIPC_BACKEND is the default --backend. */
	if ((ok & ~given & VIPC_OPTS(BACKEND)) && getenv("VIPC_BACKEND") &&
	    set_backend(out, getenv("VIPC_BACKEND")))
		return VIPC_EXIT_USAGE;
	return 0;
}
