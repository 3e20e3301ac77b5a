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

/* Exit statuses: each error class of the registry has its own. X(NAME,
 * value, what it means) makes the enum, --help's list and the man page's.
 */
#define VIPC_EXITS(X)                                                                     \
	X(OK, 0, "ok")                                                                   \
	X(DENIED, 1, "denied (check) or other failure")                                  \
	X(USAGE, 2, "bad usage or bad policy (nothing applied)")                         \
	X(NOT_FOUND, 3, "no such container, endpoint, channel or grant")                 \
	X(NOT_OWNER, 4, "not the endpoint's owner")                                      \
	X(NOT_LOADED, 5, "vipc is not loaded")                                           \
	X(INCOMPATIBLE, 6, "a pinned instance of another ABI version (load -c FILE upgrades it)") \
	X(FULL, 7, "a table is full")                                                    \
	X(EXISTS, 8, "the name is already registered")                                  \
	X(KERNEL, 9, "the kernel refused (load, attach, map update)")                    \
	X(NO_MEMORY, 10, "out of memory")                                                \
	X(NO_CGROUP2, 11, "no cgroup2 mount, or --cgroup-root is not one")               \
	X(RUNNING, 12, "a vipc daemon already runs")                                     \
	X(NO_PRIVILEGE, 77, "missing capabilities")

#define VIPC_EXIT_ENUM(name, value, what) VIPC_EXIT_##name = value,
enum vipc_exit { VIPC_EXITS(VIPC_EXIT_ENUM) };
#undef VIPC_EXIT_ENUM

#endif /* __VIPC_LOG_H */
