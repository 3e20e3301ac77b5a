// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The loader's global options, parsed with getopt_long into struct vipc_cli. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "log.h"

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

enum {
	OPT_MAX_CONTAINERS = 256,
	OPT_MAX_ENDPOINTS,
	OPT_MAX_GRANTS,
	OPT_MAX_CHANNELS,
	OPT_MAX_CONNECTIONS,
	OPT_CGROUP,
	OPT_PID,
	OPT_MODE,
	OPT_UNKNOWN,
	OPT_ENDPOINT,
	OPT_CAPACITY,
	OPT_WATCH,
	OPT_COUNT,
	OPT_TIMEOUT,
	OPT_BACKEND,
	OPT_PREALLOC_GRANTS,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "detach", no_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "interval", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ "max-containers", required_argument, NULL, OPT_MAX_CONTAINERS },
	{ "max-endpoints", required_argument, NULL, OPT_MAX_ENDPOINTS },
	{ "max-grants", required_argument, NULL, OPT_MAX_GRANTS },
	{ "max-channels", required_argument, NULL, OPT_MAX_CHANNELS },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "prealloc-grants", no_argument, NULL, OPT_PREALLOC_GRANTS },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "unknown", required_argument, NULL, OPT_UNKNOWN },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{},
};

/* Options that take a number: where it goes and its bounds. Table sizes
 * start at 1 (a map of 0 entries does not load); the rest fit an int.
 */
static int set_num(struct vipc_cli *o, int c, const char *arg)
{
	unsigned long v, min = 0, max = INT_MAX;
	const char *name = "value";

	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == c)
			name = lo->name;
	if (c >= OPT_MAX_CONTAINERS && c <= OPT_MAX_CONNECTIONS) {
		min = 1;
		max = 1UL << 24;
	}
	if (parse_num(arg, name, min, max, &v))
		return -EINVAL;
	switch (c) {
	case OPT_MAX_CONTAINERS: o->limits.principals = v; break;
	case OPT_MAX_ENDPOINTS: o->limits.endpoints = v; break;
	case OPT_MAX_GRANTS: o->limits.grants = v; break;
	case OPT_MAX_CHANNELS: o->limits.channels = v; break;
	case OPT_MAX_CONNECTIONS: o->limits.connections = v; break;
	case OPT_PID: o->pid = v; break;
	case OPT_CAPACITY: o->capacity = v; break;
	case OPT_WATCH: o->watch_s = v; break;
	case OPT_COUNT: o->count = v; break;
	case OPT_TIMEOUT: o->timeout_s = v; break;
	case 'i': o->interval_ms = v; o->interval_set = true; break;
	}
	return 0;
}

/* --backend auto|sock|lsm|both into enum vipc_backend bits (0 = auto). */
static int set_backend(struct vipc_cli *o, const char *arg)
{
	/* Indexed by their bits: sock 1, lsm 2, both 3. */
	static const char *const words[] = { "auto", "sock", "lsm", "both" };
	__u32 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!strcmp(arg, words[i])) {
			o->backends = i;
			return 0;
		}
	}
	return vipc_usage_error("--backend takes auto, sock, lsm or both, not '%s'", arg);
}

static int set_word(struct vipc_cli *o, int c, const char *arg)
{
	if (c == OPT_MODE && !strcmp(arg, "enforce"))
		o->mode = VIPC_MODE_ENFORCE;
	else if (c == OPT_MODE && !strcmp(arg, "audit"))
		o->mode = VIPC_MODE_AUDIT;
	else if (c == OPT_UNKNOWN && !strcmp(arg, "allow"))
		o->unknown = VIPC_UNKNOWN_ALLOW;
	else if (c == OPT_UNKNOWN && !strcmp(arg, "deny"))
		o->unknown = VIPC_UNKNOWN_DENY;
	else
		return vipc_usage_error("--%s takes %s, not '%s'", c == OPT_MODE ? "mode" : "unknown",
					c == OPT_MODE ? "enforce or audit" : "allow or deny", arg);
	return 0;
}

int vipc_cli_parse(int argc, char **argv, struct vipc_cli *out)
{
	int c;

	*out = (struct vipc_cli){
		.interval_ms = 1000,
		.limits = { .principals = VIPC_MAX_PRINCIPALS,
			    .endpoints = VIPC_MAX_ENDPOINTS,
			    .grants = VIPC_MAX_GRANTS,
			    .channels = VIPC_MAX_CHANNELS,
			    .connections = VIPC_MAX_CONNECTIONS },
	};
	/* The environment's VIPC_BACKEND is the default --backend. */
	if (getenv("VIPC_BACKEND") && set_backend(out, getenv("VIPC_BACKEND")))
		return VIPC_EXIT_USAGE;
	optind = 0; /* glibc: start afresh, whatever an earlier parse left */
	while ((c = getopt_long(argc, argv, "c:djvi:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': out->config = optarg; break;
		case 'd': out->detach = true; break;
		case 'j': out->json = true; break;
		case 'v': out->verbose = true; break;
		case 'h': out->help = true; return 0;
		case OPT_CGROUP: out->cgroup = optarg; break;
		case OPT_ENDPOINT: out->endpoint = optarg; break;
		case OPT_PREALLOC_GRANTS: out->limits.prealloc_grants = true; break;
		case OPT_BACKEND:
			if (set_backend(out, optarg))
				return VIPC_EXIT_USAGE;
			break;
		case OPT_MODE:
		case OPT_UNKNOWN:
			if (set_word(out, c, optarg))
				return VIPC_EXIT_USAGE;
			break;
		case '?': return vipc_usage_error("unknown option");
		default:
			if (set_num(out, c, optarg))
				return VIPC_EXIT_USAGE;
		}
	}
	out->cmd_index = optind;
	return 0;
}
