// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The daemon: the watcher a --detach leaves behind, the one-daemon guard,
 * status and unload, a killed watcher, and --watch-config reloading the
 * policy file as an editor or the kubelet (a ConfigMap's `..data` symlink
 * swap) changes it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include "fixture.h"
#include "scene.h"

#define PID_FILE "/run/vipc/vipc.pid"
#define LOG_FILE "/run/vipc/vipc.log"

static long log_start; /* the watcher's log as it was before this test */

static void d_init(void)
{
	struct stat st;

	s_init();
	log_start = stat(LOG_FILE, &st) ? 0 : st.st_size;
}

/* Unload (which stops the daemon), then the log the watchers wrote. */
static void d_fini(void)
{
	s_fini();
	unlink(LOG_FILE);
	rmdir("/run/vipc");
}

TestSuite(daemon, .init = d_init, .fini = d_fini, .timeout = 180);

/* The pid in the pidfile, 0 when there is none. */
static pid_t pidfile(void)
{
	FILE *f = fopen(PID_FILE, "r");
	int pid = 0;

	if (f && fscanf(f, "%d", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	return pid;
}

/* Is @pid a live process (not gone, not a zombie nobody reaped yet)? */
static bool alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool live = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		live = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return live;
}

/* Wait up to 5 s for @pid to be gone. */
static bool gone(pid_t pid)
{
	int i;

	for (i = 0; i < h_scale_ms(500) && alive(pid); i++)
		usleep(10000);
	return !alive(pid);
}

/* What the watchers logged since the test began. */
static const char *watcher_log(void)
{
	static char buf[65536];
	size_t n = 0;
	FILE *f = fopen(LOG_FILE, "r");

	buf[0] = 0;
	if (!f)
		return buf;
	if (!fseek(f, log_start, SEEK_SET))
		n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Occurrences of @needle in @s. */
static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* Wait up to 5 s until the watcher's log holds @n times @needle. */
static bool log_has(const char *needle, int n)
{
	int i;

	for (i = 0; i < h_scale_ms(500) && count(watcher_log(), needle) < n; i++)
		usleep(10000);
	return count(watcher_log(), needle) >= n;
}

/* --detach -c @policy (and --watch-config): its exit status, the watcher's pid in *@pid. */
static int detach(const char *policy, pid_t *pid, bool watch)
{
	int rc = v_loader("--detach", "-c", policy, watch ? "--watch-config" : NULL, NULL);

	*pid = pidfile();
	return rc;
}

/* @yaml into @path, whole (written in place, as `cat > FILE` does). */
static void write_file(const char *path, const char *yaml)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(yaml, f);
	cr_assert_eq(fclose(f), 0);
}

Test(daemon, detach_leaves_one_watcher_that_status_shows_and_unload_stops)
{
	char want[64];
	pid_t pid;

	v_require_root();
	cr_assert_eq(detach(v_policy_file(S_POLICY), &pid, false), 0, "%s", v_out);
	cr_assert(strstr(v_out, "enforcing"), "returns once enforcement is in place: %s", v_out);
	cr_assert_gt(pid, 0, "no pid in " PID_FILE);
	cr_assert(alive(pid), "the watcher %d does not run", pid);
	cr_assert(log_has("watcher pid", 1), "log: %s", watcher_log());

	/* Status names it; a second daemon, detached or not, is refused. */
	snprintf(want, sizeof(want), "daemon: pid %d", pid);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, want), "%s", v_out);
	snprintf(want, sizeof(want), "\"daemon_pid\":%d", pid);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, want), "%s", v_out);
	cr_assert_eq(v_loader("--detach", NULL), VIPC_EXIT_RUNNING, "%s", v_out);
	snprintf(want, sizeof(want), "already runs (pid %d", pid);
	cr_assert(strstr(v_out, want), "%s", v_out);
	cr_assert_eq(v_loader("-i", "0", NULL), VIPC_EXIT_RUNNING, "%s", v_out);
	cr_assert(alive(pid), "a refused daemon stopped the running one");

	/* Unload stops it first and leaves no daemon, no pidfile. */
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "stopped the vipc daemon (pid %d)", pid);
	cr_assert(strstr(v_out, want), "%s", v_out);
	cr_assert(gone(pid), "the watcher %d outlived unload", pid);
	cr_assert_eq(access(PID_FILE, F_OK), -1, PID_FILE " left behind");
	cr_assert(strstr(watcher_log(), "stopping; enforcement stays"), "%s", watcher_log());
}

Test(daemon, killed_watcher_leaves_enforcement_and_a_new_one_takes_its_place)
{
	unsigned long long denied;
	pid_t pid, next;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(detach(v_policy_file(S_POLICY), &pid, false), 0, "%s", v_out);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert(gone(pid), "SIGKILL did not end the watcher");

	/* Enforcement is pinned: the deny stands and counts. */
	denied = v_stat("denied_no_grant");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), denied + 1);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "daemon: none"), "a dead watcher is not shown as running: %s",
		  v_out);

	/* Its pidfile is no claim: the next --detach adopts and runs. */
	cr_assert_eq(detach(v_policy_file(S_POLICY), &next, false), 0, "%s", v_out);
	cr_assert(strstr(v_out, "adopted"), "%s", v_out);
	cr_assert_neq(next, pid);
	cr_assert(alive(next));
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
}

/* The watcher leaves the ring buffer (one reader takes each record) to
 * `vipc-loader events`: every deny event reaches it while a watcher runs.
 */
Test(daemon, events_reach_vipc_loader_events_while_a_watcher_runs)
{
	const char *argv[] = { V_LOADER, "events", "--count", "5", "--timeout", "20", NULL };
	pid_t pid, ev;
	int i;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("--detach", "-c", v_policy_file(S_POLICY), "--event-rate", "all",
			      NULL), 0, "%s", v_out);
	pid = pidfile();
	cr_assert(alive(pid));
	ev = h_spawn(NULL, argv, NULL);
	cr_assert_gt(ev, 0);
	usleep(h_scale_ms(500) * 1000); /* events has opened the ring buffer */
	for (i = 0; i < 5; i++)
		cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(h_spawn_wait(ev, 30000), 0, "events saw fewer than 5 of the 5 denies");
	cr_assert_eq(v_loader("--detach", "-i", "500", NULL), VIPC_EXIT_USAGE, "%s", v_out);
}

/* A killed daemon cannot remove its pidfile: unload does, nothing left behind. */
Test(daemon, unload_after_a_killed_watcher_removes_its_stale_pidfile)
{
	pid_t pid;

	s_start(S_POLICY, 0);
	cr_assert_eq(detach(v_policy_file(S_POLICY), &pid, false), 0, "%s", v_out);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert(gone(pid), "SIGKILL did not end the watcher");
	cr_assert_eq(access(PID_FILE, F_OK), 0, "the killed watcher's pidfile is there");
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
	cr_assert_neq(access(PID_FILE, F_OK), 0, "unload left the stale pidfile");
}

/* A ConfigMap volume as the kubelet writes it: DIR/..data -> ..N (the
 * files), DIR/policy.yaml -> ..data/policy.yaml; a new version swaps ..data
 * with one rename, then the old directory goes.
 */
static void configmap_write(const char *dir, int version, const char *yaml)
{
	char path[512], data[512], tmp[512];

	snprintf(path, sizeof(path), "%s/..%d", dir, version);
	cr_assert_eq(mkdir(path, 0755), 0, "%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/..%d/policy.yaml", dir, version);
	write_file(path, yaml);
	snprintf(path, sizeof(path), "..%d", version);
	snprintf(tmp, sizeof(tmp), "%s/..data_tmp", dir);
	snprintf(data, sizeof(data), "%s/..data", dir);
	cr_assert_eq(symlink(path, tmp), 0, "%s", strerror(errno));
	cr_assert_eq(rename(tmp, data), 0, "%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	if (version == 1)
		cr_assert_eq(symlink("..data/policy.yaml", path), 0, "%s", strerror(errno));
	snprintf(path, sizeof(path), "rm -rf %s/..%d", dir, version - 1);
	cr_assert_eq(system(path), 0);
}

/* The scene's policy, with bad granted connect to sock too. */
#define BAD_GRANTED S_POLICY "  - { container: bad, endpoint: sock, allow: [connect] }\n"
#define BROKEN "version: 1\ncontainers:\n  srv: { cgroupp: vipc-test/srv }\n"

Test(daemon, watch_config_follows_a_configmap_symlink_swap_and_keeps_a_good_policy)
{
	const char *dir = h_tmpdir();
	unsigned long long allowed, denied;
	char path[512];
	pid_t pid;

	/* Phase 1: the watcher on a ConfigMap-style directory; bad is denied. */
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	configmap_write(dir, 1, S_POLICY);
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	cr_assert_eq(detach(path, &pid, true), 0, "%s", v_out);
	cr_assert(strstr(v_out, "watching"), "%s", v_out);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);

	/* Phase 2: a new version grants bad: live once the watcher logged it. */
	configmap_write(dir, 2, BAD_GRANTED);
	cr_assert(log_has("changed: reloading", 1), "%s", watcher_log());
	cr_assert(log_has(" applied", 1), "%s", watcher_log());
	allowed = v_stat("allowed");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_stat("allowed"), allowed + 1);

	/* Phase 3: a broken version is logged where it is wrong; the last good stays. */
	configmap_write(dir, 3, BROKEN);
	cr_assert(log_has("/policy.yaml:3:10: unknown key 'cgroupp'", 1), "%s", watcher_log());
	cr_assert(log_has("not applied, the loaded policy stays", 1), "%s", watcher_log());
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_stat("allowed"), allowed + 2);
	cr_assert_eq(v_loader("check", "bad", "sock", "connect", NULL), 0, "%s", v_out);

	/* Phase 4: fixed again, back to the first: bad is denied, and it counts. */
	configmap_write(dir, 4, S_POLICY);
	cr_assert(log_has("changed: reloading", 3), "%s", watcher_log());
	cr_assert(log_has(" applied", 2), "%s", watcher_log());
	denied = v_stat("denied_no_grant");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), denied + 1);
	cr_assert(alive(pid), "the watcher survived every change");
}

/* Wait up to 5 s until the output of @pid holds @n times @needle. */
static bool spawn_has(pid_t pid, const char *needle, int n)
{
	static char out[65536];
	int i;

	for (i = 0; i < h_scale_ms(500); i++) {
		h_spawn_output(pid, out, sizeof(out));
		if (count(out, needle) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

Test(daemon, foreground_watch_config_reloads_a_rewritten_and_a_renamed_file)
{
	const char *dir = h_tmpdir();
	char path[512], tmp[512], applied[640];
	unsigned long long denied, allowed;
	const char *argv[] = { V_LOADER, "--watch-config", "-c", path, "-i", "0", NULL };
	pid_t pid;

	/* Phase 1: the foreground daemon on a plain file; cli may connect. */
	snprintf(path, sizeof(path), "%s/policy.yaml", dir);
	snprintf(applied, sizeof(applied), "changed: reloading\nvipc: policy %s applied", path);
	write_file(path, S_POLICY);
	v_require_root();
	pid = h_spawn(NULL, argv, "enforcing");
	cr_assert_gt(pid, 0, "the foreground daemon did not start");
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);

	/* Phase 2: rewritten in place without cli's grants: denied. */
	write_file(path, "version: 1\n" S_CONTAINERS S_ENDPOINTS);
	cr_assert(spawn_has(pid, applied, 1), "the rewritten file was not reloaded");
	denied = v_stat("denied_no_grant");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), denied + 1);

	/* Phase 3: an editor's save (a new file renamed over it) grants again. */
	snprintf(tmp, sizeof(tmp), "%s/.policy.yaml.swp", dir);
	write_file(tmp, S_POLICY);
	cr_assert_eq(rename(tmp, path), 0);
	cr_assert(spawn_has(pid, applied, 2), "the renamed file was not reloaded");
	allowed = v_stat("allowed");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_stat("allowed"), allowed + 1);
	cr_assert_eq(h_spawn_stop(pid), 0, "SIGTERM stops it cleanly");
	cr_assert_eq(access(PID_FILE, F_OK), -1, "its pidfile goes with it");
}

/* A datagram from the daemon on @fd within 5 s, into @buf: 0 or -errno. */
static int notify_recv(int fd, char *buf, size_t size)
{
	struct timeval tv = { .tv_sec = h_scale_ms(5000) / 1000 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, buf, size - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

Test(daemon, foreground_tells_systemd_ready_once_enforcing_and_stopping_at_the_end)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *argv[] = { V_LOADER, "-c", v_policy_file(S_POLICY), "-i", "0", NULL };
	char msg[256], want[64];
	pid_t pid;
	int fd;

	/* Phase 1: a notify socket as systemd gives a Type=notify service. */
	v_require_root();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", h_tmpdir());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	pid = h_spawn(NULL, argv, NULL);
	unsetenv("NOTIFY_SOCKET");
	cr_assert_gt(pid, 0);

	/* Phase 2: READY=1 comes with the hooks attached and the policy applied. */
	cr_assert_eq(notify_recv(fd, msg, sizeof(msg)), 0, "no READY=1 from the daemon");
	cr_assert(strstr(msg, "READY=1"), "%s", msg);
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "\"%s\":true", v_hook_prog(0));
	cr_assert(strstr(v_out, want), "the connect hook attached: %s", v_out);

	/* Phase 3: SIGTERM (systemctl stop): STOPPING=1, a clean exit. */
	kill(pid, SIGTERM);
	cr_assert_eq(notify_recv(fd, msg, sizeof(msg)), 0, "no STOPPING=1 from the daemon");
	cr_assert(strstr(msg, "STOPPING=1"), "%s", msg);
	cr_assert_eq(h_spawn_wait(pid, h_scale_ms(5000)), 0);
	close(fd);
}

Test(daemon, a_daemon_in_another_pid_namespace_is_named_so_and_never_signalled_by_pid)
{
	const char *argv[] = { "unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
			       V_LOADER, "-c", v_policy_file(S_POLICY), "-i", "0", NULL };
	pid_t pid;

	/* A pod's loader as the host sees it: its pidfile names pid 1 of its namespace. */
	v_require_root();
	pid = h_spawn(NULL, argv, "enforcing");
	cr_assert_gt(pid, 0, "the namespaced daemon did not start");
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "daemon: in another pid namespace"), "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"daemon_running\":true,\"daemon_pid\":null"), "%s", v_out);
	cr_assert_eq(v_loader("-i", "0", NULL), VIPC_EXIT_RUNNING, "%s", v_out);
	cr_assert(strstr(v_out, "already runs (in another pid namespace"), "%s", v_out);

	/* unload refuses rather than signal this namespace's pid 1. */
	cr_assert_eq(v_loader("unload", NULL), VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert(strstr(v_out, "runs in another pid namespace (a container): stop it there"),
		  "%s", v_out);
	cr_assert_eq(h_spawn_wait(pid, 200), -ETIMEDOUT, "the daemon was stopped");
	cr_assert_eq(v_loader("check", "bad", "sock", "connect", NULL), VIPC_EXIT_DENIED,
		     "still loaded: %s", v_out);
	h_spawn_stop(pid);
}

Test(daemon, a_pod_like_loader_with_only_its_capabilities_enforces_the_host_tree)
{
	const char *mnt = h_tmpdir(), *policy = v_policy_file(S_POLICY);
	char script[2048], want[128];
	const char *argv[] = { "sh", "-c", script, NULL };
	pid_t pid;

	/* Phase 1: as the DaemonSet runs it: its own mount and cgroup namespaces,
	 * the host's cgroup2 root bind-mounted elsewhere (--cgroup-root), and the
	 * four capabilities of deploy/kubernetes, no other.
	 */
	v_require_root();
	snprintf(script, sizeof(script),
		 "exec unshare -m --propagation private sh -c 'mount --bind %s %s && "
		 "exec unshare -C setpriv --inh-caps=-all "
		 "--bounding-set=-all,+sys_admin,+bpf,+perfmon,+net_admin "
		 "%s --cgroup-root %s -i 0 --watch-config -c %s'",
		 h_cgroup2(), mnt, V_LOADER, mnt, policy);
	pid = h_spawn(NULL, argv, "enforcing");
	cr_assert_gt(pid, 0, "the pod-like loader did not start");

	/* Phase 2: the policy bound the host's cgroups, by their real ids. */
	cr_assert_eq(v_loader("container", "ls", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "/vipc-test/cli (%llu)", h_cgroup_id("vipc-test/cli"));
	cr_assert(strstr(v_out, want), "want %s in %s", want, v_out);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "cgroup/connect_unix on %s", h_cgroup2());
	cr_assert(v_lsm() || strstr(v_out, want), "the hooks are on the host's root: %s", v_out);

	/* Phase 3: real calls are decided: bad denied, cli allowed. */
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(h_spawn_stop(pid), 0);
}
