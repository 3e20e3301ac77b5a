// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The name broker: the connect hook's run time for a connect to vipc/NAME
 * against one to the same socket by its path, and the cut-over: 1,000
 * reloads moving the endpoint round three sockets under a connect loop,
 * counting the connections refused and those that reached the socket of a
 * policy older than the last reload done before they began.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "bench.h"
#include "err.h"
#include "registry.h"
#include "state.h"

#define BR_SRV B_CGROUP "/broker-server"
#define BR_CLI B_CGROUP "/broker-client"
#define BR_CONNECTS 20000 /* connects per hook-time sample */
#define BR_ROUNDS 5
#define BR_RELOADS 1000
#define BR_LOG 8000000 /* connections the cut-over loop records at most (128 MB) */

/* One connection of the cut-over loop: when it began, who answered. */
struct br_conn {
	double start;
	char who; /* 'A', 'B', or 0: refused */
};

#define BR_SOCKS 3

/* The sockets of one run, answering 'A', 'B', 'C'. */
struct br_socks {
	char path[BR_SOCKS][108];
};

static socklen_t br_addr(struct sockaddr_un *sun, const char *path, bool abstract)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (abstract)
		memcpy(sun->sun_path + 1, path, strlen(path));
	else
		memcpy(sun->sun_path, path, strlen(path));
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + abstract;
}

/* One connect and the byte the server answers: 'A', 'B', or 0. */
static char br_ask(const struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char who = 0;

	if (fd < 0)
		return 0;
	if (connect(fd, (const struct sockaddr *)sun, len) || read(fd, &who, 1) != 1)
		who = 0;
	close(fd);
	return who;
}

static int br_listen(const char *path)
{
	struct sockaddr_un sun;
	socklen_t len = br_addr(&sun, path, false);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 4096))
		return -1;
	return fd;
}

/* The server, in BR_SRV: each connection to socket i answered 'A' + i. */
static pid_t br_server(const struct br_socks *s)
{
	struct pollfd p[BR_SOCKS];
	pid_t pid = fork();
	char who;
	int i, c;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (b_cgroup_enter(BR_SRV))
		_exit(1);
	for (i = 0; i < BR_SOCKS; i++) {
		p[i].fd = br_listen(s->path[i]);
		p[i].events = POLLIN;
		if (p[i].fd < 0)
			_exit(1);
	}
	for (;;) {
		if (poll(p, BR_SOCKS, -1) < 0)
			continue;
		for (i = 0; i < BR_SOCKS; i++) {
			if (!(p[i].revents & POLLIN) || (c = accept(p[i].fd, NULL, NULL)) < 0)
				continue;
			who = 'A' + i;
			if (write(c, &who, 1) < 0)
				who = 0; /* the client went: nothing to do */
			close(c);
		}
	}
}

/* Apply the policy with endpoint bweb at @path, the client granted. */
static int br_apply(const char *path)
{
	char yaml[512], msg[256];
	struct vipc_policy_error perr;
	struct vipc_policy *pol = NULL;
	struct vipc_state st;
	int err;

	snprintf(yaml, sizeof(yaml),
		 "version: 1\ncontainers:\n  srv: { cgroup: %s }\n  cli: { cgroup: %s }\n"
		 "endpoints:\n  bweb: { owner: srv, unix: %s }\n"
		 "grants:\n  - { container: cli, endpoint: bweb, allow: [connect] }\n",
		 BR_SRV, BR_CLI, path);
	err = vipc_policy_parse_string(yaml, strlen(yaml), "broker", &pol, &perr) ?:
	      vipc_policy_resolve(pol, b_cgroot(), "/proc", &perr) ?: vipc_state_open(&st, true);
	if (err) {
		vipc_policy_free(pol);
		return err;
	}
	err = vipc_apply(&st, pol);
	if (err)
		fprintf(stderr, "bench: broker apply: %s\n", vipc_err_take(&st.err, err, msg, sizeof(msg)));
	vipc_state_close(&st);
	vipc_policy_free(pol);
	return err;
}

/* The connect hook's ns per run over BR_CONNECTS connects to @sun, made by
 * a child in BR_CLI; -1 when a connect failed.
 */
static double br_hook_ns(const struct sockaddr_un *sun, socklen_t len)
{
	__u64 ns0, cnt0, ns1, cnt1;
	int i, status;
	pid_t pid;

	b_hook_stats(&ns0, &cnt0);
	pid = fork();
	if (!pid) {
		if (b_cgroup_enter(BR_CLI))
			_exit(1);
		for (i = 0; i < BR_CONNECTS; i++)
			if (!br_ask(sun, len))
				_exit(1);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		return -1;
	b_hook_stats(&ns1, &cnt1);
	return cnt1 > cnt0 ? (double)(ns1 - ns0) / (cnt1 - cnt0) : -1;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Direct and brokered connects, BR_ROUNDS each interleaved: the medians. */
static int br_hook_times(const struct br_socks *s, double *direct, double *brokered)
{
	double d[BR_ROUNDS], b[BR_ROUNDS];
	struct sockaddr_un path, name;
	socklen_t pl = br_addr(&path, s->path[0], false), nl = br_addr(&name, "vipc/bweb", true);
	int r;

	for (r = 0; r < BR_ROUNDS; r++) {
		d[r] = br_hook_ns(&path, pl);
		b[r] = br_hook_ns(&name, nl);
		if (d[r] < 0 || b[r] < 0)
			return -EIO;
	}
	qsort(d, BR_ROUNDS, sizeof(*d), dbl_cmp);
	qsort(b, BR_ROUNDS, sizeof(*b), dbl_cmp);
	*direct = d[BR_ROUNDS / 2];
	*brokered = b[BR_ROUNDS / 2];
	return 0;
}

/* The connect loop of the cut-over, in BR_CLI, until *@stop. */
static void br_loop(struct br_conn *log, volatile long *n, volatile int *stop)
{
	struct sockaddr_un name;
	socklen_t nl = br_addr(&name, "vipc/bweb", true);
	long i;

	if (b_cgroup_enter(BR_CLI))
		_exit(1);
	for (i = 0; !*stop && i < BR_LOG; i++) {
		log[i].start = b_now();
		log[i].who = br_ask(&name, nl);
		*n = i + 1;
	}
	_exit(0);
}

/* The answer of the policy after reload @r (-1: the first policy). */
static char br_target(long r)
{
	return 'A' + (r + 1) % BR_SOCKS;
}

/* 1,000 reloads moving bweb A -> B -> C -> A ... under the loop; the
 * connections refused, and those that began after reload k was done and
 * reached neither its socket nor the next one's (a reload under way).
 */
static int br_cutover(const struct br_socks *s, struct b_broker *res)
{
	size_t size = BR_LOG * sizeof(struct br_conn) + 64;
	char *shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct br_conn *log = (struct br_conn *)(shm + 64);
	volatile long *n = (volatile long *)shm;
	volatile int *stop = (volatile int *)(shm + 8);
	static double flip[BR_RELOADS];
	double t0 = b_now();
	long i, k = -1;
	int r, err = 0;
	pid_t pid;

	if (shm == MAP_FAILED)
		return -errno;
	pid = fork();
	if (!pid)
		br_loop(log, n, stop);
	while (*n < 100 && pid > 0)
		usleep(1000);
	for (r = 0; r < BR_RELOADS && !err && pid > 0; r++) {
		err = br_apply(s->path[br_target(r) - 'A']);
		flip[r] = b_now();
	}
	*stop = 1;
	waitpid(pid, NULL, 0);
	res->secs = b_now() - t0;
	res->connections = *n;
	res->refused = res->misrouted = 0;
	for (i = 0; i < *n; i++) {
		while (k + 1 < r && flip[k + 1] <= log[i].start)
			k++;
		res->refused += !log[i].who;
		res->misrouted += log[i].who && log[i].who != br_target(k) &&
				  log[i].who != br_target(k + 1);
	}
	munmap(shm, size);
	return pid < 0 ? -errno : err;
}

/* The figures, to @f. */
static void br_print(FILE *f, const struct b_broker *res)
{
	fprintf(f, "broker: connect hook %.0f ns by path, %.0f ns by vipc/NAME (%+.0f ns); "
		"cut-over: %d reloads in %.1f s under %ld connects: %ld refused, %ld misrouted\n",
		res->direct_ns, res->brokered_ns, res->brokered_ns - res->direct_ns, BR_RELOADS,
		res->secs, res->connections, res->refused, res->misrouted);
}

int b_broker_run(const char *loader, const char *dir, const char *out, struct b_broker *res)
{
	int stats = b_bpf_stats_enable(), err, i;
	char path[PATH_MAX];
	struct br_socks s;
	pid_t srv = -1;
	FILE *f;

	for (i = 0; i < BR_SOCKS; i++)
		snprintf(s.path[i], sizeof(s.path[i]), "%s/broker-%c.sock", dir, 'a' + i);
	err = stats < 0 ? stats : b_cgroup_make(BR_SRV) ?: b_cgroup_make(BR_CLI) ?:
				  b_vipc_load(loader, false, true);
	if (!err) {
		srv = br_server(&s);
		usleep(200 * 1000);
		err = br_apply(s.path[0]) ?: br_hook_times(&s, &res->direct_ns, &res->brokered_ns) ?:
		      br_cutover(&s, res);
	}
	if (srv > 0) {
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
	}
	b_vipc_unload(loader);
	for (i = 0; i < BR_SOCKS; i++)
		unlink(s.path[i]);
	if (stats >= 0)
		close(stats);
	if (!err) {
		snprintf(path, sizeof(path), "%s/broker.txt", out);
		f = fopen(path, "w");
		br_print(stdout, res);
		if (f) {
			br_print(f, res);
			fclose(f);
		}
	}
	return err;
}
