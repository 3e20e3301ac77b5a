// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The three-container scene shared by the integration suites. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

struct scene sc;

void s_init(void)
{
	h_setup();
	v_unload();
	memset(&sc, 0, sizeof(sc));
	cr_assert_eq(h_cgroup_make("vipc-test/srv"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/cli"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/bad"), 0);
	sc.shared = h_tmpdir();
	cr_assert_not_null(sc.shared);
}

void s_fini(void)
{
	v_unload();
	h_cleanup_all();
}

/* Start @name, in the network and IPC namespaces of @pod as a pod's
 * containers are (NULL: its own).
 */
static struct h_container *start(const char *name, struct h_container *pod)
{
	struct h_container_opts o = { .name = name, .shared_dir = sc.shared,
				      .share_netns_with = pod, .share_ipcns_with = pod };
	struct h_container *c = h_container_start(&o);

	cr_assert_not_null(c, "container %s did not start", name);
	return c;
}

void s_start(const char *policy, int shared_netns)
{
	s_start_opts(policy, shared_netns, NULL);
}

void s_start_live(const char *policy, int shared_netns)
{
	char want[64];

	s_start(policy, shared_netns);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "\"%s\":\"live\"", v_backend());
	cr_assert(strstr(v_out, want), "the %s backend is not live: %s", v_backend(), v_out);
}

void s_start_opts(const char *policy, int shared_netns, const char *const *load_opts)
{
	s_start_by(V_LOADER, policy, shared_netns, load_opts);
}

void s_start_by(const char *loader, const char *policy, int shared_netns,
		const char *const *load_opts)
{
	v_require_root();
	v_load_by(loader, policy, load_opts);
	sc.srv = start("srv", NULL);
	sc.cli = start("cli", shared_netns ? sc.srv : NULL);
	sc.bad = start("bad", shared_netns ? sc.srv : NULL);
}

int s_probe(struct h_container *c, const char *arg, ...)
{
	const char *argv[16] = { V_PROBE };
	va_list ap;
	int n = 1, rc;

	va_start(ap, arg);
	for (; arg && n < 15; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	rc = h_container_exec(c, argv, NULL, 0);
	cr_assert_geq(rc, 0, "runc exec of vipc-probe failed (%d)", rc);
	return rc;
}

void s_listen(const char *addr, const char *type)
{
	const char *argv[] = { V_PROBE, "listen", addr, type, NULL };

	cr_assert_gt(h_container_spawn(sc.srv, argv, "ready"), 0, "listener on %s", addr);
}

/* One HTTP/1.0 answer, given once the request's headers are read: a
 * server that closes with the request unread resets the connection.
 */
static const char http_answer[] =
	"#!/bin/sh\n"
	"cr=$(printf '\\r')\n"
	"while read -r line && [ -n \"$line\" ] && [ \"$line\" != \"$cr\" ]; do :; done\n"
	"printf 'HTTP/1.0 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n'\n";

void s_http_serve(const char *path)
{
	const char *argv[] = { "socat", "-d", "-d", NULL, NULL, NULL };
	char listen[PATH_MAX + 32], exec[PATH_MAX + 8];
	const char *script = v_tmp_file("http-answer", http_answer);

	cr_assert_eq(chmod(script, 0755), 0);
	snprintf(listen, sizeof(listen), "UNIX-LISTEN:%s,fork,unlink-early", path);
	snprintf(exec, sizeof(exec), "EXEC:%s", script);
	argv[3] = listen;
	argv[4] = exec;
	cr_assert_gt(h_spawn("vipc-test/srv", argv, "listening on"), 0, "socat did not start");
}

/* The host pid of the process of @c other than its init running @comm, or 0. */
static pid_t find_in(struct h_container *c, const char *comm)
{
	char path[PATH_MAX + 32], name[64], procs[4096], *p;
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", h_cgroup2(), h_container_cgroup(c));
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	procs[fread(procs, 1, sizeof(procs) - 1, f)] = 0;
	fclose(f);
	for (p = procs; (pid = strtol(p, &p, 10)) > 0;) {
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, comm, strlen(comm)) &&
		    name[strlen(comm)] == '\n' && pid != h_container_pid(c)) {
			fclose(f);
			return pid;
		}
		fclose(f);
	}
	return 0;
}

pid_t s_spawn_moved(struct h_container *c, const char *rel, const char *cmd)
{
	char script[512];
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	pid_t h, pid = 0;
	int tries;

	snprintf(script, sizeof(script), "sleep 2; exec %s", cmd);
	h = h_container_spawn(c, argv, NULL);
	cr_assert_gt(h, 0);
	for (tries = 0; tries < h_scale_ms(100) && !(pid = find_in(c, "sh")); tries++)
		usleep(10 * 1000);
	cr_assert_gt(pid, 0, "the shell never showed up in %s's cgroup", h_container_id(c));
	cr_assert_eq(h_cgroup_enter(rel, pid), 0, "moving the shell into %s", rel);
	return h;
}

pid_t s_loop_start(struct h_container *c, int pause_us)
{
	char pause[16];
	const char *argv[] = { V_PROBE, "loop", S_SOCK, "600", "--pause", pause, NULL };
	pid_t pid;

	snprintf(pause, sizeof(pause), "%d", pause_us);
	pid = h_container_spawn(c, argv, NULL);

	cr_assert_gt(pid, 0);
	return pid;
}

void s_loop_stop(pid_t pid, unsigned long *ok, unsigned long *eperm)
{
	unsigned long other;
	char out[256];

	cr_assert_eq(h_spawn_stop(pid), 0, "the connect loop did not stop on SIGTERM");
	h_spawn_output(pid, out, sizeof(out));
	cr_assert_eq(sscanf(out, "ok=%lu eperm=%lu other=%lu", ok, eperm, &other), 3, "%s", out);
}

void s_loops_check(pid_t bad, pid_t cli, const char *what)
{
	unsigned long ok, eperm;

	s_loop_stop(bad, &ok, &eperm);
	fprintf(stderr, "%s: bad: %lu refused, %lu let through\n", what, eperm, ok);
	cr_assert_eq(ok, 0, "%s: bad connected %lu times", what, ok);
	cr_assert_gt(eperm, 0);
	s_loop_stop(cli, &ok, &eperm);
	fprintf(stderr, "%s: cli: %lu connected, %lu refused\n", what, ok, eperm);
	cr_assert_eq(eperm, 0, "%s: cli was refused %lu times", what, eperm);
	cr_assert_gt(ok, 0);
}
