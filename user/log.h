/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Logging to stderr with a subsystem prefix, and the CLI's exit statuses. */
#ifndef __VIPC_LOG_H
#define __VIPC_LOG_H

#include <stdio.h>

/* What reaches stderr: warnings always, notes unless -q, debug with -v. */
enum vipc_log_level {
	VIPC_LOG_WARN,
	VIPC_LOG_INFO,
	VIPC_LOG_DEBUG,
};

extern enum vipc_log_level vipc_log_level; /* VIPC_LOG_INFO unless set */

/* An expression, as fprintf: bytes written, 0 when below the level. */
#define vipc_log(level, fmt, ...)                                                   \
	(vipc_log_level >= (level) ? fprintf(stderr, "vipc: " fmt, ##__VA_ARGS__) : 0)
#define pr_warn(fmt, ...) vipc_log(VIPC_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) vipc_log(VIPC_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) vipc_log(VIPC_LOG_DEBUG, fmt, ##__VA_ARGS__)

/* Exit statuses: each error class of the registry has its own. */
enum vipc_exit {
	VIPC_EXIT_OK = 0,
	VIPC_EXIT_DENIED = 1,	     /* `check`: the call would be denied; generic failure */
	VIPC_EXIT_USAGE = 2,	     /* bad command line or bad policy: nothing applied */
	VIPC_EXIT_NOT_FOUND = 3,     /* no such container, endpoint, channel or grant */
	VIPC_EXIT_NOT_OWNER = 4,     /* the container does not own the endpoint */
	VIPC_EXIT_NOT_LOADED = 5,    /* vipc is not loaded */
	VIPC_EXIT_INCOMPATIBLE = 6,  /* a pinned instance of another ABI version */
	VIPC_EXIT_FULL = 7,	     /* a table is full */
	VIPC_EXIT_EXISTS = 8,	     /* the name is already registered */
	VIPC_EXIT_KERNEL = 9,	     /* the kernel refused (load, attach, map update) */
	VIPC_EXIT_NO_MEMORY = 10,    /* out of memory */
	VIPC_EXIT_NO_CGROUP2 = 11,   /* no cgroup2 mount found, or --cgroup-root is not one */
	VIPC_EXIT_RUNNING = 12,	     /* a vipc daemon already runs (the pidfile is held) */
	VIPC_EXIT_NO_PRIVILEGE = 77, /* missing capabilities */
};

#endif /* __VIPC_LOG_H */
