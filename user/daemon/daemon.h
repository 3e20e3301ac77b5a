/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The one daemon: the process that consumes the ring buffer (the foreground
 * loader, or the watcher a --detach leaves), guarded by a locked pidfile;
 * detaching; stopping it; and watching the policy file for changes.
 */
#ifndef __VIPC_DAEMON_H
#define __VIPC_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include "err.h"

#define VIPC_RUN_DIR "/run/vipc"
#define VIPC_PID_FILE VIPC_RUN_DIR "/vipc.pid" /* the daemon's pid, OFD-locked while it runs */
#define VIPC_LOG_FILE VIPC_RUN_DIR "/vipc.log" /* a detached watcher's output, appended */

/* Become the one daemon: 0 with *@fd holding the locked pidfile (our pid
 * and pid namespace in it), or -EALREADY with *@running the pid of the one
 * that holds it (as vipc_daemon_running() gives it).
 */
int vipc_daemon_claim(int *fd, pid_t *running);
/* Drop the claim (NULL-safe: -1): remove the pidfile, then the lock. */
void vipc_daemon_release(int fd);
/* The pid of the running daemon, 0 when none holds the pidfile, -1 when it
 * runs in another pid namespace (its pid there means nothing here).
 */
pid_t vipc_daemon_running(void);
/* Stop the running daemon: SIGTERM, SIGKILL when it has not let go of the
 * pidfile within @timeout_ms; its pid in *@pid (0: none ran). 0 or -errno
 * (-EXDEV, why recorded in @e, when it runs in another pid namespace).
 */
int vipc_daemon_stop(int timeout_ms, pid_t *pid, struct vipc_err *e);

/* Fork a watcher that holds the claim @fd. In the parent: wait for the
 * watcher's word, put it in *@status (0: running, else its exit status) and
 * return the watcher's pid. In the watcher: return 0 in a new session,
 * stdin on /dev/null, stdout and stderr appended to VIPC_LOG_FILE, the
 * pidfile rewritten with its pid; *@ready is what vipc_daemon_ready()
 * tells the parent through. -errno when the fork failed.
 */
pid_t vipc_daemon_detach(int fd, int *ready, int *status);
/* The watcher's word to the waiting parent: its exit status (0: running). */
void vipc_daemon_ready(int ready, int status);

/* The policy file watched for changes: its directory through inotify (a
 * Kubernetes ConfigMap volume swaps a `..data` symlink there, an editor
 * renames a new file over it), its text to tell a real change.
 */
struct vipc_confwatch {
	int fd;		  /* inotify, non-blocking */
	const char *path; /* the policy file as named */
	char *text;	  /* its text when last seen (NULL: unreadable) */
	size_t len;
	__u64 due_ms; /* a change seen: look again once quiet until then; 0 none */
};

/* Watch @path's directory, and remember the file's text now: 0 or -errno. */
int vipc_confwatch_open(struct vipc_confwatch *w, const char *path);
/* Drain the events; true when the file's text differs from what was last
 * seen, once its directory stayed quiet for a moment (a write in steps, a
 * symlink swap in three, are one change).
 */
bool vipc_confwatch_changed(struct vipc_confwatch *w);
void vipc_confwatch_close(struct vipc_confwatch *w);

#endif /* __VIPC_DAEMON_H */
