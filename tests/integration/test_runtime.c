// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The runtime resolver (user/policy/runtime.h) on real engines: Docker, Podman and
 * containerd started for this suite by scripts/engines.sh (own state under
 * $VIPC_ENGINES_DIR, stopped and removed when the suite ends), a container
 * of each found by its init's /proc/PID/cgroup and resolved to its runtime,
 * id, name and annotations, also after a restart at a new cgroup. Each start
 * prints how long after the cgroup's mkdir (inotify) the state resolved: that
 * is how long a new cgroup is held fail-closed. Run it with --jobs 1 (as
 * scripts/run-tests.sh does): the tests share the container names. No limit
 * of pids or cpu shares is set, so that the pure cgroup2 layout made by
 * scripts/unified.sh (its controllers still bound to v1) runs them too.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "runtime.h"

#define IMAGE "vipc-test-img"
#define CTR_IMAGE "docker.io/library/" IMAGE ":latest"
#define CTR_NS "vipc" /* scripts/engines.sh's: ctr's containers go to /vipc/<id> */
#define RESOLVE_WAIT_US 5000000

static char out[8192];

/* scripts/engines.sh ARGS... (NULL-terminated): its exit status, output in out. */
#define ENGINES(...) \
	h_run((const char *const[]){ h_path("scripts/engines.sh"), __VA_ARGS__, NULL }, out, \
	      sizeof(out))

/* The engines for the whole suite: started once before the first test, stopped after the last. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	h_engines_up("test_runtime");
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	h_engines_down("test_runtime");
}

/* Each test's containers, gone whatever it left. */
static void s_remove(void)
{
	ENGINES("docker", "rm", "-f", "dcli");
	ENGINES("podman", "rm", "-f", "-t", "0", "pcli");
	ENGINES("ctr", "tasks", "delete", "-f", "cweb");
	ENGINES("ctr", "containers", "delete", "cweb");
}

static void s_fini(void)
{
	h_cleanup_all();
	s_remove();
}

TestSuite(runtime, .init = s_remove, .fini = s_fini, .timeout = 120);

static struct vipc_rt_roots roots(void)
{
	static char docker[PATH_MAX], podman[PATH_MAX], ctrd[PATH_MAX], dctrd[PATH_MAX];
	const char *d = h_engines_dir();

	snprintf(docker, sizeof(docker), "%s/docker/data", d);
	snprintf(podman, sizeof(podman), "%s/podman/root", d);
	snprintf(ctrd, sizeof(ctrd), "%s/containerd/state", d);
	snprintf(dctrd, sizeof(dctrd), "%s/docker/exec/containerd/daemon", d);
	return (struct vipc_rt_roots){ .docker = docker, .podman = podman,
				       .containerd = { ctrd, dctrd } };
}

/* out, first line only, as a number or a word. */
static const char *first_line(void)
{
	out[strcspn(out, "\n")] = 0;
	return out;
}

/* The cgroup2 path of @pid ("0::PATH" in /proc/PID/cgroup) into @buf. */
static void cgroup_of(pid_t pid, char *buf, size_t size)
{
	char path[64], line[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	buf[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3))
			snprintf(buf, size, "%.*s", (int)strcspn(line + 3, "\n"), line + 3);
	fclose(f);
	cr_assert(buf[0], "%s: no cgroup2 line", path);
}

/* The inode of cgroup @rel: its cgroup id. */
static unsigned long long cgroup_ino(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", h_cgroup2(), rel);
	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_ino;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Resolve @cg, expecting @rt, @id and @name. Caller frees @info. */
static void expect_container(const char *cg, enum vipc_runtime rt, const char *id,
			     const char *name, struct vipc_rt_info *info)
{
	struct vipc_rt_roots r = roots();
	int err = vipc_rt_resolve(&r, cg, info);

	cr_assert_eq(err, 0, "resolve %s: %s", cg, strerror(-err));
	cr_expect_eq(info->runtime, rt, "%s: runtime %d", cg, info->runtime);
	cr_expect_str_eq(info->id, id, "%s", cg);
	cr_expect_str_eq(info->name, name, "%s", cg);
	cr_assert_not_null(info->annotations, "%s", cg);
}

/* Wait for IN_CREATE of @leaf on the watch @fd: 0, or -ETIMEDOUT. */
static int wait_create(int fd, const char *leaf)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	const struct inotify_event *ev;
	ssize_t n;
	char *at;

	while (poll(&p, 1, h_scale_ms(20000)) == 1) {
		n = read(fd, buf, sizeof(buf));
		for (at = buf; n > 0 && at < buf + n; at += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)at;
			if (ev->len && !strcmp(ev->name, leaf))
				return 0;
		}
	}
	return -ETIMEDOUT;
}

/*
 * Run @argv (an engine starting the container whose cgroup is @parent/@leaf)
 * and measure from the cgroup's mkdir to the first successful resolve, polling
 * every 20 µs. Prints and returns the µs. @what names the case.
 */
static long long time_to_state(const char *what, const char *parent, const char *leaf,
			       const char *const argv[])
{
	struct vipc_rt_roots r = roots();
	struct vipc_rt_info info;
	char dir[PATH_MAX], cg[PATH_MAX];
	long long t0, t = 0;
	int fd, wd, err = -EAGAIN, tries = 0;
	pid_t pid;

	/* Phase 1: watch the parent (made now if the engine has not yet), then start. */
	snprintf(dir, sizeof(dir), "%s%s", h_cgroup2(), parent);
	cr_assert(!mkdir(dir, 0755) || errno == EEXIST, "%s: %s", dir, strerror(errno));
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	cr_assert_geq(fd, 0);
	wd = inotify_add_watch(fd, dir, IN_CREATE);
	cr_assert_geq(wd, 0, "%s: %s", dir, strerror(errno));
	pid = h_spawn(NULL, argv, NULL);
	cr_assert_gt(pid, 0);
	/* Phase 2: from the mkdir, resolve until the state is there. */
	cr_assert_eq(wait_create(fd, leaf), 0, "%s: no mkdir of %s/%s", what, parent, leaf);
	t0 = now_us();
	snprintf(cg, sizeof(cg), "%s/%s", parent, leaf);
	while (t < RESOLVE_WAIT_US && (err = vipc_rt_resolve(&r, cg, &info)) == -EAGAIN) {
		tries++;
		usleep(20);
		t = now_us() - t0;
	}
	t = now_us() - t0;
	close(fd);
	if (h_spawn_wait(pid, h_scale_ms(60000))) {
		h_spawn_output(pid, out, sizeof(out));
		cr_assert_fail("%s failed: %s", what, out);
	}
	cr_assert_eq(err, 0, "%s: resolve %s: %s after %lld us", what, cg, strerror(-err), t);
	vipc_rt_info_free(&info);
	fprintf(stderr, "runtime: %s: resolved %lld us after the cgroup's mkdir (%d retries)\n",
		what, t, tries);
	return t;
}

static pid_t docker_pid(const char *name)
{
	cr_assert_eq(ENGINES("docker", "inspect", "-f", "{{.State.Pid}}", name), 0, "%s", out);
	return atoi(first_line());
}

static pid_t podman_pid(const char *name)
{
	cr_assert_eq(ENGINES("podman", "inspect", "-f", "{{.State.Pid}}", name), 0, "%s", out);
	return atoi(first_line());
}

/* ---- Docker ---- */

/* docker create + start dcli (timed); its id into @id. */
static void docker_start_dcli(char *id, size_t size)
{
	cr_assert_eq(ENGINES("docker", "create", "--name", "dcli", "--network", "none", IMAGE,
			     "sleep", "3600"),
		     0, "%s", out);
	snprintf(id, size, "%.64s", first_line()); /* a 64-hex id */
	time_to_state("docker start", "/docker", id,
		      (const char *const[]){ h_path("scripts/engines.sh"), "docker", "start",
					     "dcli", NULL });
}

Test(runtime, docker_container_resolves_to_its_id_and_name)
{
	struct vipc_rt_info info;
	char id[128], cg[PATH_MAX], want[PATH_MAX];

	docker_start_dcli(id, sizeof(id));
	cgroup_of(docker_pid("dcli"), cg, sizeof(cg));
	snprintf(want, sizeof(want), "/docker/%s", id);
	cr_expect_str_eq(cg, want);
	expect_container(cg, VIPC_RT_DOCKER, id, "dcli", &info);
	cr_expect_str_eq(info.ns, "moby");
	vipc_rt_info_free(&info);
}

Test(runtime, docker_restart_keeps_id_and_name_at_a_new_cgroup)
{
	struct vipc_rt_info info;
	char id[128], cg[PATH_MAX], cg2[PATH_MAX];
	unsigned long long before;

	docker_start_dcli(id, sizeof(id));
	cgroup_of(docker_pid("dcli"), cg, sizeof(cg));
	before = cgroup_ino(cg);
	time_to_state("docker restart", "/docker", id,
		      (const char *const[]){ h_path("scripts/engines.sh"), "docker", "restart",
					     "-t", "0", "dcli", NULL });
	cgroup_of(docker_pid("dcli"), cg2, sizeof(cg2));
	cr_expect_str_eq(cg2, cg, "the same path");
	cr_expect_neq(cgroup_ino(cg2), before, "a new cgroup");
	expect_container(cg2, VIPC_RT_DOCKER, id, "dcli", &info);
	vipc_rt_info_free(&info);
}

/* ---- Podman ---- */

/* podman create + start pcli (timed); its id into @id. */
static void podman_start_pcli(char *id, size_t size)
{
	char leaf[PATH_MAX];

	cr_assert_eq(ENGINES("podman", "create", "--name", "pcli", "--network", "none", "--ulimit",
			     "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--pids-limit", "0",
			     IMAGE, "sleep", "3600"),
		     0, "%s", out);
	snprintf(id, size, "%.64s", first_line()); /* a 64-hex id */
	snprintf(leaf, sizeof(leaf), "libpod-%s", id);
	time_to_state("podman start", "/libpod_parent", leaf,
		      (const char *const[]){ h_path("scripts/engines.sh"), "podman", "start",
					     "pcli", NULL });
}

Test(runtime, podman_container_resolves_to_its_id_name_and_annotations)
{
	struct vipc_rt_info info;
	char id[128], cg[PATH_MAX], want[PATH_MAX];

	podman_start_pcli(id, sizeof(id));
	cgroup_of(podman_pid("pcli"), cg, sizeof(cg));
	snprintf(want, sizeof(want), "/libpod_parent/libpod-%s", id);
	cr_expect_str_eq(cg, want);
	expect_container(cg, VIPC_RT_PODMAN, id, "pcli", &info);
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.container.manager"), "libpod");
	vipc_rt_info_free(&info);
}

Test(runtime, podman_restart_keeps_id_and_name_at_a_new_cgroup)
{
	struct vipc_rt_info info;
	char id[128], cg[PATH_MAX], cg2[PATH_MAX], leaf[PATH_MAX];
	unsigned long long before;

	podman_start_pcli(id, sizeof(id));
	cgroup_of(podman_pid("pcli"), cg, sizeof(cg));
	before = cgroup_ino(cg);
	snprintf(leaf, sizeof(leaf), "libpod-%s", id);
	time_to_state("podman restart", "/libpod_parent", leaf,
		      (const char *const[]){ h_path("scripts/engines.sh"), "podman", "restart",
					     "-t", "0", "pcli", NULL });
	cgroup_of(podman_pid("pcli"), cg2, sizeof(cg2));
	cr_expect_str_eq(cg2, cg, "the same path");
	cr_expect_neq(cgroup_ino(cg2), before, "a new cgroup");
	expect_container(cg2, VIPC_RT_PODMAN, id, "pcli", &info);
	vipc_rt_info_free(&info);
}

/* ---- containerd ---- */

Test(runtime, ctr_container_resolves_to_its_id_and_kubernetes_annotations)
{
	struct vipc_rt_info info;
	char path[PATH_MAX], cg[PATH_MAX];
	FILE *f;
	int pid = 0;

	time_to_state("ctr run", "/" CTR_NS, "cweb",
		      (const char *const[]){ h_path("scripts/engines.sh"), "ctr-run", "-d",
					     "--cpu-shares", "0",
					     "--annotation", "io.kubernetes.pod.name=web",
					     "--annotation", "io.kubernetes.pod.namespace=prod",
					     CTR_IMAGE, "cweb", "sleep", "3600", NULL });
	/* Phase 2: its init's cgroup, by the pid the shim wrote. */
	snprintf(path, sizeof(path), "%s/containerd/state/io.containerd.runtime.v2.task/" CTR_NS
		 "/cweb/init.pid", h_engines_dir());
	f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	cgroup_of(pid, cg, sizeof(cg));
	cr_expect_str_eq(cg, "/" CTR_NS "/cweb");
	expect_container(cg, VIPC_RT_CONTAINERD, "cweb", "cweb", &info);
	cr_expect_str_eq(info.ns, CTR_NS);
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.pod.name"), "web");
	cr_expect_str_eq(vipc_rt_annotation(&info, "io.kubernetes.pod.namespace"), "prod");
	vipc_rt_info_free(&info);
}

/* ---- no container ---- */

Test(runtime, a_plain_cgroup_is_no_container)
{
	struct vipc_rt_roots r = roots();
	struct vipc_rt_info info;
	char cg[PATH_MAX];

	cgroup_of(getpid(), cg, sizeof(cg));
	cr_expect_eq(vipc_rt_resolve(&r, cg, &info), -ENOENT, "%s", cg);
	cr_expect_eq(vipc_rt_resolve(&r, "/" H_CGROUP_ROOT "/web", &info), -ENOENT);
}
