// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Runtime selectors on real engines (scripts/engines.sh starts Docker,
 * Podman and containerd once for the suite, with their own state, and
 * stops them after): a policy container selected by `docker: NAME`,
 * `podman: NAME` or `annotations:` binds the engine's container when its
 * cgroup appears. The kernel holds the cgroup at its mkdir (every call
 * denied, reason held) until the foreground loader, run here as the
 * daemon, has resolved it: a container whose first instruction connects
 * never gets through, across restarts and while the daemon is dead.
 * Counters are read through the loader; the loop's own output says how
 * many connects got through. Run with --jobs 1 (shared container names).
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "fixture.h"
#include "scene.h"

#define IMAGE "vipc-test-img"
#define CTR_IMAGE "docker.io/library/" IMAGE ":latest"

static char out[16384];
static pid_t daemon_pid;

/* scripts/engines.sh ARGS... (NULL-terminated): its exit status, output in out. */
#define ENGINES(...) \
	h_run((const char *const[]){ h_path("scripts/engines.sh"), __VA_ARGS__, NULL }, out, \
	      sizeof(out))


ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	h_engines_up("test_selectors");
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	h_engines_down("test_selectors");
}

static const char *const docker_names[] = { "vipc-dk", "vipc-dcli", "vipc-b0", "vipc-b1",
					    "vipc-b2", "vipc-b3", "vipc-b4", "vipc-web",
					    "vipc-late", NULL };

static const char *const ctr_names[] = { "vipc-api", "vipc-other", "vipc-warm", NULL };

static void remove_containers(void)
{
	const char *const *n;

	for (n = docker_names; *n; n++)
		ENGINES("docker", "rm", "-f", *n);
	ENGINES("podman", "rm", "-f", "-t", "0", "vipc-pm");
	for (n = ctr_names; *n; n++) {
		ENGINES("ctr", "tasks", "delete", "-f", *n);
		ENGINES("ctr", "containers", "delete", *n);
	}
}

static void stop_daemon(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		h_spawn_wait(daemon_pid, 10000);
	}
	daemon_pid = 0;
}

static void t_init(void)
{
	remove_containers();
	s_init();
}

static void t_fini(void)
{
	stop_daemon();
	remove_containers();
	s_fini(); /* the unload stops a --detach watcher */
	unlink("/run/vipc/vipc.log"); /* its log, and the directory when empty */
	rmdir("/run/vipc");
}

TestSuite(selectors, .init = t_init, .fini = t_fini, .timeout = 600);

static const char *fake_ctrd; /* a containerd state dir of the test's own, or NULL */

/* The loader on @policy (already loaded) with the engines' state (and
 * fake_ctrd) as its runtime roots: the foreground daemon, started once it
 * enforces, or with @detach a `--detach` that leaves the watcher (stopped
 * by the unload at the end of the test).
 */

static void run_daemon(const char *policy, bool detach)
{
	static char file[PATH_MAX], docker[PATH_MAX], podman[PATH_MAX], ctrd[PATH_MAX],
		dctrd[PATH_MAX], fake[PATH_MAX];
	const char *d = h_engines_dir();
	const char *argv[16] = { V_LOADER, "-c", file, "--runtime-root", docker, "--runtime-root",
				 podman, "--runtime-root", ctrd, "--runtime-root", dctrd };
	int n = 11;

	snprintf(file, sizeof(file), "%s", v_policy_file(policy));
	snprintf(docker, sizeof(docker), "docker=%s/docker/data", d);
	snprintf(podman, sizeof(podman), "podman=%s/podman/root", d);
	snprintf(ctrd, sizeof(ctrd), "containerd=%s/containerd/state", d);
	snprintf(dctrd, sizeof(dctrd), "containerd=%s/docker/exec/containerd/daemon", d);
	snprintf(fake, sizeof(fake), "containerd=%s", fake_ctrd ?: "");
	if (fake_ctrd) {
		argv[n++] = "--runtime-root";
		argv[n++] = fake;
	}
	argv[n] = detach ? "--detach" : NULL;
	if (detach) {
		cr_assert_eq(h_run(argv, out, sizeof(out)), 0, "--detach: %s", out);
		return;
	}
	daemon_pid = h_spawn(NULL, argv, "enforcing");
	cr_assert_gt(daemon_pid, 0, "the foreground loader did not start");
}

static void start_daemon(const char *policy)
{
	run_daemon(policy, false);
}

/* The docker run options every container here takes: no network, /shared. */
#define DOCKER_RUN(name) "docker", "run", "--name", name, "--network", "none", "-v", shared_mount()

static const char *shared_mount(void)
{
	static char m[PATH_MAX];

	snprintf(m, sizeof(m), "%s:/shared", sc.shared);
	return m;
}

#define S_DOCKER_POLICY                                                   \
	"version: 1\n" S_CONTAINERS                                       \
	"  dk: { docker: vipc-dk }\n"                                     \
	"  dcli: { docker: vipc-dcli }\n" S_ENDPOINTS S_GRANTS            \
	"  - { container: dcli, endpoint: sock, allow: [connect] }\n"

/* The loop's "ok=N eperm=N" in out. */
static void loop_counts(unsigned long *ok, unsigned long *eperm)
{
	const char *line = strstr(out, "ok=");

	cr_assert_not_null(line, "no loop result: %s", out);
	cr_assert_eq(sscanf(line, "ok=%lu eperm=%lu", ok, eperm), 2, "%s", line);
}

/* Wait until `status` lists no held cgroup. */
static void wait_unheld(void)
{
	int i;

	for (i = 0; i < h_scale_ms(10000) / 50; i++) {
		cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
		if (strstr(v_out, "\"held\":[]"))
			return;
		usleep(50 * 1000);
	}
	cr_assert_fail("cgroups still held: %s", v_out);
}

Test(selectors, docker_names_bind_containers_started_after_the_policy)
{
	s_start(S_DOCKER_POLICY, 0);
	start_daemon(S_DOCKER_POLICY);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"dk\",\"id\":4,\"mode\":\"enforce\",\"unknown\":"
			 "\"allow\",\"selector\":\"docker vipc-dk\",\"runtime\":false,\"cgroups\":[]"),
		  "%s", v_out);

	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-dk"), IMAGE, "sh", "-c",
			     "sleep 1; exec " V_PROBE " connect " S_SOCK),
		     EPERM, "%s", out);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-dcli"), IMAGE, "sh", "-c",
			     "sleep 1; exec " V_PROBE " connect " S_SOCK),
		     0, "the granted container connects once bound: %s", out);
	cr_assert_eq(v_stat("cgroups_held"), 2);
	cr_assert_eq(v_stat("cgroups_bound"), 3 + 2, "the daemon bound both");
	cr_assert_eq(v_stat("cgroups_released"), 0);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat("denied_held"), 0);
}

Test(selectors, docker_container_bound_while_it_runs_is_listed)
{
	char id[128], want[256];

	s_start(S_DOCKER_POLICY, 0);
	start_daemon(S_DOCKER_POLICY);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-dk"), "-d", IMAGE, "sleep", "60"), 0, "%s", out);
	snprintf(id, sizeof(id), "%.64s", out);
	wait_unheld();
	snprintf(want, sizeof(want), "\"selector\":\"docker vipc-dk\",\"runtime\":false,"
		 "\"cgroups\":[{\"path\":\"/docker/%s\",\"id\":", id);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, want), "want %s in %s", want, v_out);
	cr_assert_eq(v_stat("cgroups_bound"), 4, "three by the policy, one by the daemon");
}

/* `docker start -a` again and again: a new cgroup at docker/<id> each time,
 * its entrypoint connecting from its first instruction.
 */
Test(selectors, no_window_across_docker_restarts, .timeout = 900)
{
	unsigned long ok, eperm, total = 0;
	int i;

	s_start(S_DOCKER_POLICY, 0);
	start_daemon(S_DOCKER_POLICY);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(ENGINES("docker", "create", "--name", "vipc-dk", "--network", "none", "-v",
			     shared_mount(), IMAGE, V_PROBE, "loop", S_SOCK, "0.2"),
		     0, "%s", out);
	for (i = 0; i < h_runs(50); i++) {
		cr_assert_eq(ENGINES("docker", "start", "-a", "vipc-dk"), 0, "%s", out);
		loop_counts(&ok, &eperm);
		cr_assert_eq(ok, 0, "start %d: %lu connects got through", i, ok);
		cr_assert_gt(eperm, 0, "start %d: no connect tried", i);
		total += eperm;
	}
	cr_assert_eq(v_stat("denied_held") + v_stat("denied_no_grant"), total);
	cr_assert_eq(v_stat("cgroups_held"), h_runs(50));
}

/* `ENGINE logs NAME` (docker or podman) until it has @n lines with @text. */
static void wait_logs(const char *engine, const char *name, const char *text, int n)
{
	const char *p;
	int i, seen = 0;

	for (i = 0; i < h_scale_ms(20000) / 50; i++) {
		cr_assert_eq(ENGINES(engine, "logs", name), 0, "%s", out);
		for (p = out, seen = 0; (p = strstr(p, text)); p++)
			seen++;
		if (seen >= n)
			return;
		usleep(50 * 1000);
	}
	cr_assert_fail("%s logs %s: %d of %d '%s': %s", engine, name, seen, n, text, out);
}

/* Every "ok=N eperm=N" line of out: the sums, and how many lines. */
static int loop_sums(unsigned long *ok, unsigned long *eperm)
{
	unsigned long o, e;
	const char *p;
	int n = 0;

	*ok = *eperm = 0;
	for (p = out; (p = strstr(p, "ok=")); p++, n++) {
		cr_assert_eq(sscanf(p, "ok=%lu eperm=%lu", &o, &e), 2, "%s", p);
		*ok += o;
		*eperm += e;
	}
	return n;
}

/* `ENGINE restart` a container whose entrypoint loops on a denied connect
 * from its first instruction, then sleeps: no connect of any run got through.
 */
static void restarts_stay_denied(const char *engine, const char *name, int restarts)
{
	unsigned long ok, eperm;
	int i;

	wait_logs(engine, name, "ok=", 1);
	for (i = 1; i <= restarts; i++) {
		cr_assert_eq(ENGINES(engine, "restart", "-t", "0", name), 0, "%s", out);
		wait_logs(engine, name, "ok=", i + 1);
	}
	cr_assert_eq(ENGINES(engine, "logs", name), 0, "%s", out);
	cr_assert_eq(loop_sums(&ok, &eperm), restarts + 1, "%s", out);
	cr_assert_eq(ok, 0, "%lu connects got through: %s", ok, out);
	cr_assert_eq(v_stat("denied_held") + v_stat("denied_no_grant"), eperm);
	cr_assert_eq(v_stat("cgroups_held"), restarts + 1);
}

#define LOOP_THEN_SLEEP V_PROBE " loop " S_SOCK " 0.2; exec sleep 3600"

Test(selectors, docker_restart_stays_denied)
{
	s_start(S_DOCKER_POLICY, 0);
	start_daemon(S_DOCKER_POLICY);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-dk"), "-d", IMAGE, "sh", "-c", LOOP_THEN_SLEEP), 0,
		     "%s", out);
	restarts_stay_denied("docker", "vipc-dk", h_runs(10));
}

#define S_PODMAN_POLICY \
	"version: 1\n" S_CONTAINERS "  pm: { podman: vipc-pm }\n" S_ENDPOINTS S_GRANTS

Test(selectors, podman_name_binds_and_podman_restart_stays_denied)
{
	char want[128];

	s_start(S_PODMAN_POLICY, 0);
	start_daemon(S_PODMAN_POLICY);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(ENGINES("podman", "run", "-d", "--name", "vipc-pm", "--network", "none",
			     "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
			     "--pids-limit", "0", "-v", shared_mount(), IMAGE, "sh", "-c",
			     LOOP_THEN_SLEEP),
		     0, "%s", out);
	snprintf(want, sizeof(want), "\"cgroups\":[{\"path\":\"/libpod_parent/libpod-%.64s\"", out);
	restarts_stay_denied("podman", "vipc-pm", h_runs(10));
	wait_unheld();
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"selector\":\"podman vipc-pm\""), "%s", v_out);
	cr_assert(strstr(v_out, want), "want %s in %s", want, v_out);
}

#define S_ANNOTATION_POLICY                                                         \
	"version: 1\n" S_CONTAINERS                                                 \
	"  api: { annotations: { io.kubernetes.pod.name: api, tier: back } }\n"     \
	S_ENDPOINTS S_GRANTS

/* `ctr run` NAME with annotations, /shared mounted, running sh -c @script. */
static int ctr_run(const char *name, const char *pod, const char *script)
{
	char mount[PATH_MAX + 64], ann[128];

	snprintf(mount, sizeof(mount), "type=bind,src=%s,dst=/shared,options=rbind:rw", sc.shared);
	snprintf(ann, sizeof(ann), "io.kubernetes.pod.name=%s", pod);
	return ENGINES("ctr-run", "--rm", "--cpu-shares", "0", "--annotation", ann, "--annotation",
		       "tier=back", "--mount", mount, CTR_IMAGE, name, "sh", "-c", script);
}

Test(selectors, annotations_select_a_ctr_container_and_others_are_released)
{
	unsigned long ok, eperm;

	/* A task in ctr's namespace first: applying the policy holds its directory. */
	cr_assert_eq(ctr_run("vipc-warm", "warm", "true"), 0, "%s", out);
	s_start(S_ANNOTATION_POLICY, 0);
	start_daemon(S_ANNOTATION_POLICY);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("container", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "annotations {io.kubernetes.pod.name=api,tier=back}: unbound"), "%s",
		  v_out);
	cr_assert_eq(ctr_run("vipc-api", "api", V_PROBE " loop " S_SOCK " 0.2"), 0, "%s", out);
	cr_assert_eq(loop_sums(&ok, &eperm), 1, "%s", out);
	cr_assert_eq(ok, 0, "%lu connects got through", ok);
	cr_assert_eq(v_stat("denied_held") + v_stat("denied_no_grant"), eperm);
	cr_assert_eq(v_stat("cgroups_bound"), 3 + 1, "the pod's container bound");
	/* Released: no container holds it, so sock's others: deny refuses it. */
	cr_assert_eq(ctr_run("vipc-other", "other", "sleep 1; exec " V_PROBE " connect " S_SOCK),
		     EPERM, "another pod's container is released: %s", out);
	cr_assert_eq(v_stat("cgroups_held"), 2);
	cr_assert_eq(v_stat("cgroups_released"), 1);
}

#define S_OWNER_POLICY                                                          \
	"version: 1\n" S_CONTAINERS                                             \
	"  dsrv: { docker: vipc-dk }\n"                                         \
	"endpoints:\n"                                                          \
	"  dsock: { owner: dsrv, unix: /shared/ds.sock }\n"                     \
	"grants:\n"                                                             \
	"  - { container: cli, endpoint: dsock, allow: [connect] }\n"

Test(selectors, an_owner_restart_keeps_its_endpoints_and_grants)
{
	s_start(S_OWNER_POLICY, 0);
	start_daemon(S_OWNER_POLICY);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-dk"), "-d", IMAGE, V_PROBE, "listen",
			     "/shared/ds.sock"),
		     0, "%s", out);
	wait_logs("docker", "vipc-dk", "ready", 1);
	cr_assert_eq(s_probe(sc.cli, "connect", "/shared/ds.sock", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/ds.sock", NULL), EPERM);
	cr_assert_eq(ENGINES("docker", "restart", "-t", "0", "vipc-dk"), 0, "%s", out);
	wait_logs("docker", "vipc-dk", "ready", 2);
	wait_unheld();
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"dsock\",\"id\":1,\"owner\":\"dsrv\""), "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", "/shared/ds.sock", NULL), 0, "cli keeps its grant");
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/ds.sock", NULL), EPERM);
	cr_assert_eq(v_stat("grants_revoked"), 0);
	cr_assert_eq(v_stat("endpoints_destroyed"), 0);
}

#define BURST 5
#define S_BURST_POLICY                                                         \
	"version: 1\n" S_CONTAINERS                                            \
	"  b0: { docker: vipc-b0 }\n  b1: { docker: vipc-b1 }\n"                \
	"  b2: { docker: vipc-b2 }\n  b3: { docker: vipc-b3 }\n"                \
	"  b4: { docker: vipc-b4 }\n" S_ENDPOINTS S_GRANTS

/* The daemon dies (SIGKILL) as a burst of containers starts: each is held,
 * never unconfined; the daemon restarted binds every one.
 */
Test(selectors, a_daemon_killed_during_a_burst_leaves_the_burst_held_then_a_watcher_binds_it)
{
	char script[4096], name[64];
	const char *sh[] = { "sh", "-c", script, NULL };
	unsigned long ok, eperm;
	pid_t burst;
	int i, n = 0;

	s_start(S_BURST_POLICY, 0);
	start_daemon(S_BURST_POLICY);
	s_listen(S_SOCK, NULL);
	for (i = 0; i < BURST; i++)
		n += snprintf(script + n, sizeof(script) - n,
			      "%s docker run -d --name vipc-b%d --network none -v %s %s sh -c '%s' "
			      ">/dev/null || exit 1; ", h_path("scripts/engines.sh"), i, shared_mount(),
			      IMAGE, V_PROBE " loop " S_SOCK " 1; exec sleep 3600");
	snprintf(script + n, sizeof(script) - n, "echo burst-done");
	burst = h_spawn(NULL, sh, NULL);
	cr_assert_gt(burst, 0);
	usleep(300 * 1000);
	stop_daemon();
	cr_assert_eq(h_spawn_expect(burst, "burst-done", h_scale_ms(60000)), 0, "the burst failed");
	for (i = 0; i < BURST; i++) {
		snprintf(name, sizeof(name), "vipc-b%d", i);
		wait_logs("docker", name, "ok=", 1);
		loop_sums(&ok, &eperm);
		cr_assert_eq(ok, 0, "%s: %lu connects got through", name, ok);
		cr_assert_gt(eperm, 0, "%s tried", name);
	}
	cr_assert_gt(v_stat("denied_held"), 0, "held while no daemon ran");
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "/docker/"), "the burst is held: %s", v_out);

	run_daemon(S_BURST_POLICY, true); /* the detached watcher settles them */
	wait_unheld();
	cr_assert_eq(v_loader("container", "ls", NULL), 0, "%s", v_out);
	for (i = 0; i < BURST; i++) {
		snprintf(name, sizeof(name), "docker vipc-b%d: /docker/", i);
		cr_assert(strstr(v_out, name), "want %s in %s", name, v_out);
	}
	cr_assert_eq(v_stat("cgroups_held"), BURST);
	cr_assert_eq(v_stat("cgroups_released"), 0);
}

/* ---- hostile cgroups: a subtree delegated to an unprivileged user ---- */

#define NOBODY 65534 /* the user the attacks run as */

/* Delegate cgroup @rel to NOBODY as systemd's Delegate= does: the directory
 * and the files that let it make children and move processes between them.
 */
static void delegate(const char *rel)
{
	static const char *const files[] = { "", "/cgroup.procs", "/cgroup.subtree_control",
					     "/cgroup.threads" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s%s", h_cgroup2(), rel, files[i]);
		cr_assert_eq(chown(path, NOBODY, NOBODY), 0, "chown %s: %s", path, strerror(errno));
	}
}

#define S_WEB_POLICY                                                      \
	"version: 1\n" S_CONTAINERS                                       \
	"  web: { docker: vipc-web }\n" S_ENDPOINTS S_GRANTS              \
	"  - { container: web, endpoint: abs, allow: [connect] }\n"

/* As NOBODY, in bad's cgroup (delegated to it) and in srv's network
 * namespace (where srv listens on @vipc-abs): make cgroup @leaf below bad's,
 * wait for a daemon to settle it, move in and connect with the host's
 * probe. The probe's exit status (90, 91: the mkdir, the move failed).
 */
static int bad_claims(const char *leaf)
{
	char script[3 * PATH_MAX], netns[64];
	const char *argv[] = { "nsenter", netns, "setpriv", "--reuid", "65534", "--regid", "65534",
			       "--clear-groups", "sh", "-c", script, NULL };

	snprintf(netns, sizeof(netns), "--net=/proc/%d/ns/net", h_container_pid(sc.srv));
	snprintf(script, sizeof(script),
		 "cg=%s/vipc-test/bad/%s; mkdir -p $cg || exit 90; sleep 1; "
		 "echo $$ >$cg/cgroup.procs || exit 91; exec %s connect " S_ABSTRACT,
		 h_cgroup2(), leaf, h_path("build/tests/vipc-probe"));
	return h_run_cg("vipc-test/bad", argv, out, sizeof(out));
}

/* bad, listed without a grant, names cgroups of its delegated subtree
 * after the Docker container web (docker-<id>.scope, docker/<id>) and
 * moves in: it stays bad (its nearest bound ancestor), never web.
 */
Test(selectors, a_delegated_cgroup_named_after_a_docker_container_is_not_that_container)
{
	char id[128], leaf[256];
	int rc;

	s_start(S_WEB_POLICY, 0);
	start_daemon(S_WEB_POLICY);
	s_listen(S_ABSTRACT, NULL);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-web"), "-d", IMAGE, "sleep", "3600"), 0, "%s", out);
	snprintf(id, sizeof(id), "%.64s", out);
	wait_unheld();
	delegate("vipc-test/bad");
	snprintf(leaf, sizeof(leaf), "docker-%s.scope", id);
	rc = bad_claims(leaf);
	cr_assert_eq(rc, EPERM, "bad in %s: exit %d %s", leaf, rc, out);
	snprintf(leaf, sizeof(leaf), "docker/%s", id);
	rc = bad_claims(leaf);
	cr_assert_eq(rc, EPERM, "bad in %s: exit %d %s", leaf, rc, out);
	cr_assert_eq(v_loader("stats", "--by-container", "--json", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "\"container\":\"web\""), "bad counted as web: %s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"bad\""), "bad's denies: %s", v_out);
	cr_assert_eq(v_stat("cgroups_held"), 1, "only web's own cgroup was held");
}

/* As NOBODY, make @n cgroups docker-<64 random hex>.scope in @rel (delegated
 * to it), as fast as it can: asserts every mkdir worked.
 */
static void flood(const char *rel, int n)
{
	char path[PATH_MAX], hex[65];
	unsigned char rnd[32];
	pid_t pid;
	int i, k, st;

	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(2);
		for (i = 0; i < n; i++) {
			if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
				_exit(3);
			for (k = 0; k < 32; k++)
				sprintf(hex + 2 * k, "%02x", rnd[k]);
			snprintf(path, sizeof(path), "%s/%s/docker-%s.scope", h_cgroup2(), rel, hex);
			if (mkdir(path, 0755))
				_exit(4);
		}
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && !WEXITSTATUS(st), "the flood failed (%d)", st);
}

/* utime + stime of process @pid, in ms. */
static long cpu_ms(pid_t pid)
{
	unsigned long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	cr_assert(p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			      &st) == 2, "%s: %s", path, buf);
	return (long)((ut + st) * 1000 / sysconf(_SC_CLK_TCK));
}

/* The CPU time @pid takes over @ms of idleness: near none once its work is done. */
static void expect_idle(pid_t pid, const char *who)
{
	long before = cpu_ms(pid), used;

	usleep(2000 * 1000);
	used = cpu_ms(pid) - before;
	fprintf(stderr, "selectors: %s: %ld ms of CPU in 2 s idle\n", who, used);
	cr_assert_lt(used, 100, "%s spins: %ld ms of CPU in 2 s with nothing to do", who, used);
}

#define S_LATE_POLICY                                                     \
	"version: 1\n" S_CONTAINERS                                       \
	"  late: { docker: vipc-late, unknown: deny }\n" S_ENDPOINTS S_GRANTS
#define S_UNREG "/shared/u.sock" /* no endpoint's */
#define LATE_PROBES                                                                     \
	"sleep 1; " V_PROBE " connect " S_SOCK "; echo registered=$?; " V_PROBE " connect " \
	S_UNREG "; echo unregistered=$?; exec sleep 3600"

/* NOBODY makes @n cgroups named as Docker's in its delegated subtree, then
 * the Docker container late (`unknown: deny`, no grant) starts: it is
 * bound, and denied a registered and an unregistered socket.
 */
static void flood_then_late(const char *const *load_opts, int n)
{
	s_start_opts(S_LATE_POLICY, 0, load_opts);
	start_daemon(S_LATE_POLICY);
	s_listen(S_SOCK, NULL);
	s_listen(S_UNREG, NULL);
	cr_assert_eq(h_cgroup_make("vipc-test/flood"), 0);
	delegate("vipc-test/flood");
	flood("vipc-test/flood", n);
	cr_assert_eq(ENGINES(DOCKER_RUN("vipc-late"), "-d", IMAGE, "sh", "-c", LATE_PROBES), 0,
		     "%s", out);
	wait_logs("docker", "vipc-late", "unregistered=", 1);
	cr_assert(strstr(out, "registered=1\n"), "late reached a registered socket: %s", out);
	cr_assert(strstr(out, "unregistered=1\n"), "late reached an unregistered one: %s", out);
	cr_assert_eq(v_loader("container", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "docker vipc-late: /docker/"), "late is unbound: %s", v_out);
	cr_assert_eq(v_stat("cgroups_unbindable"), 0);
	expect_idle(daemon_pid, "the daemon after the flood");
}

Test(selectors, a_flood_of_cgroups_named_as_dockers_leaves_later_containers_confined)
{
	flood_then_late(NULL, 8300);
}

Test(selectors, forty_such_cgroups_do_not_fill_a_small_bindings_table)
{
	flood_then_late((const char *const[]){ "--max-containers", "16", NULL }, 40);
}

#define MANY 10000

/* A containerd state directory of the test's own whose namespace
 * "vipc-test" has no task: a new cgroup /vipc-test/<name> (ctr's
 * /<namespace>/<id>) is held, and its state never comes.
 */
static const char *ctrd_without_tasks(void)
{
	static char dir[PATH_MAX];
	char ns[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s", h_tmpdir());
	snprintf(ns, sizeof(ns), "%s/io.containerd.runtime.v2.task", dir);
	cr_assert_eq(mkdir(ns, 0700), 0, "%s: %s", ns, strerror(errno));
	snprintf(ns, sizeof(ns), "%s/io.containerd.runtime.v2.task/" H_CGROUP_ROOT, dir);
	cr_assert_eq(mkdir(ns, 0700), 0, "%s: %s", ns, strerror(errno));
	return dir;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* `vipc-loader status [--json]` with MANY holds: its time, under a second. */
static void status_in_time(const char *json)
{
	static char big[4 << 20];
	const char *argv[] = { V_LOADER, "status", json, NULL };
	int saved = h_timeout_ms, rc;
	long long t = now_ms();

	h_timeout_ms = 20000;
	rc = h_run(argv, big, sizeof(big));
	t = now_ms() - t;
	h_timeout_ms = saved;
	fprintf(stderr, "selectors: status %s with %d holds: %lld ms\n", json ?: "", MANY, t);
	cr_assert_eq(rc, 0, "status: %.2000s", big);
	cr_assert(strstr(big, "/" H_CGROUP_ROOT "/h9999"), "a hold not listed: %.2000s", big);
	cr_assert_lt(t, 1000, "status took %lld ms", t);
}

/* Wait until the registry counter @field reaches @n, for up to @ms. */
static void wait_stat(const char *field, unsigned long long n, int ms)
{
	int i;

	for (i = 0; i < h_scale_ms(ms) / 100 && v_stat(field) < n; i++)
		usleep(100 * 1000);
	cr_assert_geq(v_stat(field), n, "%s: %llu of %llu", field, v_stat(field), n);
}

/* MANY held cgroups whose state never comes (made by root where a runtime
 * makes its containers'): `status` lists them in well under a second; the
 * watcher settles them in a bounded time and then takes no CPU.
 */
Test(selectors, ten_thousand_holds_are_listed_at_once_and_end)
{
	char path[PATH_MAX + 16];
	long cpu0;
	pid_t pid;
	int i;

	fake_ctrd = ctrd_without_tasks();
	snprintf(path, sizeof(path), "containerd=%s", fake_ctrd);
	s_start_opts(S_WEB_POLICY, 0,
		     (const char *const[]){ "--max-containers", "16384", "--runtime-root", path,
					    NULL });
	for (i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "%s/" H_CGROUP_ROOT "/h%d", h_cgroup2(), i);
		cr_assert_eq(mkdir(path, 0755), 0, "%s: %s", path, strerror(errno));
	}
	cr_assert_eq(v_stat("cgroups_held"), MANY);
	status_in_time(NULL);
	status_in_time("--json");

	run_daemon(S_WEB_POLICY, true);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%.2000s", v_out);
	pid = atoi(strstr(v_out, "\"daemon_pid\":") + strlen("\"daemon_pid\":"));
	cr_assert_gt(pid, 0, "no watcher: %.2000s", v_out);
	cpu0 = cpu_ms(pid);
	wait_stat("cgroups_released", MANY, 60000);
	fprintf(stderr, "selectors: the watcher settled %d holds with %ld ms of CPU\n", MANY,
		cpu_ms(pid) - cpu0);
	expect_idle(pid, "the watcher");
}
