/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The commands: one function per `vipc-loader COMMAND` (in user/cmd/), run
 * on the words after the command's, and what they share: the parsed
 * command line, the cgroup2 mount, and errors reported as exit statuses.
 */
#ifndef __VIPC_CMD_H
#define __VIPC_CMD_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroup.h"
#include "cli.h"
#include "policy.h"
#include "state.h"

extern struct vipc_cli vipc_opt;	   /* the command line, parsed */
extern struct vipc_cgroot vipc_cgmount; /* the cgroup2 mount, once vipc_find_cgroot() found it */

/* An error from the registry or the pinned state: its message, taken from
 * @e (NULL: none; else strerror), and its exit status. 0 reports nothing.
 */
int vipc_report(struct vipc_err *e, int err, const char *what);
/* How opening the pinned instance went: not loaded and incompatible get
 * their own status.
 */
int vipc_opened(int err);
int vipc_open_state(struct vipc_state *st, bool lock);
/* The cgroup2 mount, found once (or --cgroup-root's): 0 or its exit status. */
int vipc_find_cgroot(void);
/* A policy error as file:line:col: what; its exit status. */
int vipc_report_policy(int err, const struct vipc_policy_error *perr);
/* Parse and resolve the policy file: 0, or an exit status after the error. */
int vipc_read_policy(const char *path, struct vipc_policy **pol);
/* -c FILE, else the default policy if present, else NULL. */
const char *vipc_policy_path(void);
/* "pid N" of a running daemon, or where it runs when its pid means nothing here. */
const char *vipc_daemon_name(pid_t pid, char *buf, size_t size);
/* Run one registry change under the lock: its exit status. */
int vipc_with_lock(int (*fn)(struct vipc_state *, char **), char **argv, const char *what);

/* Load, adopt or upgrade, then apply the policy; leaves @st open and locked. */
int vipc_do_load(struct vipc_state *st);
/* Under the pin directory lock: an interrupted upgrade finished, and an
 * instance of another ABI version replaced by this release's with the
 * policy @path (NULL: refused, exit 6) and no gap in enforcement (upgrade.h).
 * *@applied when @path went into the new instance. 0 or an exit status.
 */
int vipc_upgrade(const char *path, __u32 backends, bool *applied);
/* Is there an upgrade to make (or finish)? Read without the lock. */
bool vipc_upgrade_pending(void);
/* Parse, resolve and apply the policy file @path to @st (locked): 0 or an
 * exit status, the outcome printed.
 */
int vipc_apply_file(struct vipc_state *st, const char *path);
/* On stderr, the endpoints the attached backends cannot enforce (load, status). */
void vipc_warn_unenforced(const struct vipc_state *st);
/* Stop the running daemon, unless it is this process: 0 or an exit status. */
int vipc_stop_daemon(void);
/* Apply @path as `reload -c FILE` does: under the lock, whole or not at all. */
int vipc_reload_file(const char *path);

/* --json in @argv: from now on, remember the last message on stderr. */
void vipc_failure_watch(int argc, char **argv);
/* Under --json, a failed command's @status as {"error": MESSAGE, "exit":
 * STATUS} on stdout (none when @decided: a denied check printed its
 * decision, and said nothing on stderr); returns @status.
 */
int vipc_failure_report(int status, bool decided);

/* The registry edits, each run under the lock on the words after its command. */
int vipc_container_rm_edit(struct vipc_state *st, char **argv);
int vipc_endpoint_add_edit(struct vipc_state *st, char **argv);
int vipc_endpoint_rm_edit(struct vipc_state *st, char **argv);
int vipc_grant_edit(struct vipc_state *st, char **argv);
int vipc_revoke_edit(struct vipc_state *st, char **argv);
int vipc_channel_add_edit(struct vipc_state *st, char **argv);
int vipc_channel_rm_edit(struct vipc_state *st, char **argv);

/* The commands, each run on the words after its command (and subcommand). */
int cmd_run(char **argv);
int cmd_load(char **argv);
int cmd_reload(char **argv);
int cmd_unload(char **argv);
int cmd_status(char **argv);
int cmd_stats(char **argv);
int cmd_events(char **argv);
int cmd_container_add(char **argv);
int cmd_ls(char **argv);
int cmd_check(char **argv);
int cmd_metrics(char **argv);
int cmd_suggest(char **argv);
int cmd_top(char **argv);
int cmd_help(char **argv);

#endif /* __VIPC_CMD_H */
