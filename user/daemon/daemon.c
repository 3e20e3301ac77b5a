// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one daemon: a pidfile under /run/vipc held with an open file
 * description lock (it follows the file across fork, so a --detach hands it
 * to its watcher without a gap, and dies with the last process holding it,
 * so a killed daemon leaves no stale claim); detaching; stopping; and the
 * inotify watch of the policy file.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "daemon.h"
#include "log.h"
#include "policy.h"
#include "registry.h"
#include "state.h"

#define QUIET_MS 100 /* a change is whole once its directory was quiet this long */

/* Our pid namespace (its inode): a pid means something only inside it. */
static unsigned long pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : st.st_ino;
}

/* "PID PIDNS" as the pidfile's whole text. */
static int write_pid(int fd, pid_t pid)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %lu\n", (int)pid, pid_ns());

	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n)
		return -errno;
	return 0;
}

/* The pid in the pidfile @fd: 0 when none is written (yet), -1 when it is
 * of another pid namespace (a daemon in a pod, seen from the host).
 */
static pid_t read_pid(int fd)
{
	char buf[64] = "";
	unsigned long ns = 0;
	int pid = 0;

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0 || sscanf(buf, "%d %lu", &pid, &ns) != 2)
		return 0;
	return ns == pid_ns() ? pid : -1;
}

int vipc_daemon_claim(int *fd, pid_t *running)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat a, b;
	int err;

	if (mkdir(VIPC_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	/* Retry when the daemon that held it removed the file we locked. */
	for (;;) {
		*fd = open(VIPC_PID_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (*fd < 0)
			return -errno;
		if (fcntl(*fd, F_OFD_SETLK, &fl)) {
			err = errno == EAGAIN || errno == EACCES ? -EALREADY : -errno;
			close(*fd);
			*fd = -1;
			*running = err == -EALREADY ? vipc_daemon_running() : 0;
			return err;
		}
		if (!fstat(*fd, &a) && !stat(VIPC_PID_FILE, &b) && a.st_ino == b.st_ino)
			break;
		close(*fd);
	}
	err = write_pid(*fd, getpid());
	if (err) {
		vipc_daemon_release(*fd);
		*fd = -1;
	}
	return err;
}

void vipc_daemon_release(int fd)
{
	if (fd < 0)
		return;
	unlink(VIPC_PID_FILE);
	close(fd);
	rmdir(VIPC_RUN_DIR); /* only when empty: a watcher's log stays */
}

pid_t vipc_daemon_running(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(VIPC_PID_FILE, O_RDONLY | O_CLOEXEC), tries;
	pid_t pid = 0;

	if (fd < 0)
		return 0;
	/* Locked: its holder writes its pid right after taking the lock. */
	if (!fcntl(fd, F_OFD_GETLK, &fl) && fl.l_type != F_UNLCK)
		for (tries = 0; !(pid = read_pid(fd)) && tries < 100; tries++)
			usleep(1000);
	close(fd);
	return pid;
}

/* Wait up to @ms for daemon @pid to let go of the pidfile: 0 or -ETIMEDOUT. */
static int wait_gone(pid_t pid, int ms)
{
	__u64 end = vipc_now_ms() + ms;

	while (vipc_daemon_running() == pid) {
		if (vipc_now_ms() >= end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

/* A pidfile no daemon holds (its daemon was killed): claimed and released,
 * so removed the way a daemon that ends removes it.
 */
static void forget_stale(void)
{
	pid_t running;
	int fd;

	if (!access(VIPC_PID_FILE, F_OK) && !vipc_daemon_claim(&fd, &running))
		vipc_daemon_release(fd);
}

int vipc_daemon_stop(int timeout_ms, pid_t *pid, struct vipc_err *e)
{
	int err;

	*pid = vipc_daemon_running();
	if (!*pid) {
		forget_stale();
		return 0;
	}
	if (*pid < 0)
		return vipc_fail(e, -EXDEV,
				 "the vipc daemon runs in another pid namespace (a container): "
				 "stop it there (in Kubernetes, delete its pod or DaemonSet)");
	if (kill(*pid, SIGTERM) && errno != ESRCH)
		return -errno;
	if (!wait_gone(*pid, timeout_ms))
		return 0;
	pr_warn("daemon pid %d did not stop within %d ms: killing it\n", (int)*pid, timeout_ms);
	if (kill(*pid, SIGKILL) && errno != ESRCH)
		return -errno;
	err = wait_gone(*pid, 2000);
	if (!err)
		forget_stale();
	return err;
}

/* The watcher's side: a new session, no terminal, output to the log. */
static int become_watcher(int fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int log = open(VIPC_LOG_FILE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	int err = 0;

	if (null < 0 || log < 0 || setsid() < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
		err = -errno;
	if (null >= 0)
		close(null);
	if (log >= 0)
		close(log);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return err ?: write_pid(fd, getpid());
}

pid_t vipc_daemon_detach(int fd, int *ready, int *status)
{
	unsigned char word = VIPC_EXIT_DENIED;
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	/* The parent: the watcher's word, or its death (no word) as a failure. */
	if (pid) {
		close(p[1]);
		if (read(p[0], &word, 1) != 1)
			pr_warn("the watcher (pid %d) died before it was ready: see %s\n", (int)pid,
				VIPC_LOG_FILE);
		close(p[0]);
		*status = word;
		return pid;
	}
	close(p[0]);
	*ready = p[1];
	err = become_watcher(fd);
	if (err) {
		pr_warn("watcher: %s: %s\n", VIPC_LOG_FILE, strerror(-err));
		vipc_daemon_ready(*ready, VIPC_EXIT_DENIED);
		vipc_daemon_release(fd);
		_exit(VIPC_EXIT_DENIED);
	}
	pr_info("watcher pid %d started\n", (int)getpid());
	return 0;
}

void vipc_daemon_ready(int ready, int status)
{
	unsigned char c = status;

	if (ready < 0)
		return;
	if (write(ready, &c, 1) != 1)
		pr_warn("watcher: telling the parent: %s\n", strerror(errno));
	close(ready);
}

/* The file's text now, or NULL when it cannot be read (mid-swap, removed). */
static char *read_text(const char *path, size_t *len)
{
	struct vipc_policy_error perr = {};
	char *text = NULL;

	if (!vipc_policy_read_file(path, &text, len, &perr))
		return text;
	free(text);
	pr_warn("watch-config: %s: %s; the loaded policy stays\n", path, perr.msg);
	return NULL;
}

int vipc_confwatch_open(struct vipc_confwatch *w, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int err;

	/* The directory: a ConfigMap's file is a symlink that never changes itself. */
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	*w = (struct vipc_confwatch){ .path = path };
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	if (inotify_add_watch(w->fd, dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) < 0) {
		err = -errno;
		vipc_confwatch_close(w);
		return err;
	}
	w->text = read_text(path, &w->len);
	return 0;
}

bool vipc_confwatch_changed(struct vipc_confwatch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	__u64 now = vipc_now_ms();
	bool seen = false;
	size_t len = 0;
	char *text;

	/* Phase 1: every event so far; a change is looked at once it is quiet. */
	while (read(w->fd, buf, sizeof(buf)) > 0)
		seen = true;
	if (seen)
		w->due_ms = now + QUIET_MS;
	if (!w->due_ms || now < w->due_ms)
		return false;
	w->due_ms = 0;

	/* Phase 2: a new text is a change; none, or the same, is not. */
	text = read_text(w->path, &len);
	if (!text || (w->text && len == w->len && !memcmp(text, w->text, len))) {
		free(text);
		return false;
	}
	free(w->text);
	w->text = text;
	w->len = len;
	return true;
}

void vipc_confwatch_close(struct vipc_confwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->text);
	w->text = NULL;
}
