// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The workloads: a server with one thread per socket, and a client that
 * runs one workload for a time budget and returns its figure.
 *
 * Stream protocol: the server accepts and writes one byte; the client then
 * closes (connect workload), or sends 'P' and 64-byte messages the server
 * echoes (ping-pong), or 'T' and data until it shuts down its side, which
 * the server acknowledges with one byte (throughput).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "bench.h"

#define MSG 64		   /* ping-pong and datagram size */
#define CHUNK (64 * 1024) /* throughput write size */

const char *const b_work_names[W__COUNT] = {
	"connect+accept path", "connect+accept abstract", "ping-pong 64B path",
	"ping-pong 64B abstract", "sendto dgram path", "sendto dgram abstract",
	"stream 64KiB path", "stream 64KiB abstract",
};

bool b_work_is_rate(enum b_work w)
{
	return w >= W_DGRAM_PATH;
}

const char *b_work_unit(enum b_work w)
{
	return w >= W_STREAM_PATH ? "MiB/s" : w >= W_DGRAM_PATH ? "k/s" : "us";
}

double b_work_ns_per_op(enum b_work w, double v)
{
	if (v <= 0)
		return 0;
	if (w >= W_STREAM_PATH)
		return CHUNK / (v * (1 << 20)) * 1e9;
	return b_work_is_rate(w) ? 1e6 / v : v * 1e3;
}

static bool is_abstract(enum b_work w)
{
	return w % 2;
}

void b_addrs_init(struct b_addrs *a, const char *dir)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->stream_path, sizeof(a->stream_path), "%s/stream.sock", dir);
	snprintf(a->dgram_path, sizeof(a->dgram_path), "%s/dgram.sock", dir);
	snprintf(a->stream_abs, sizeof(a->stream_abs), "vipc-bench-%d-stream", getpid());
	snprintf(a->dgram_abs, sizeof(a->dgram_abs), "vipc-bench-%d-dgram", getpid());
	snprintf(a->proxy_dir, sizeof(a->proxy_dir), "%s", dir);
}

/* sockaddr_un for a pathname or an abstract name; returns its length. */
static socklen_t make_sun(struct sockaddr_un *sun, const char *name, bool abstract)
{
	size_t n = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + abstract, name, n);
	return offsetof(struct sockaddr_un, sun_path) + abstract + n + !abstract;
}

socklen_t b_addr(const struct b_addrs *a, enum b_work w, bool proxy, void *sun)
{
	bool dgram = w == W_DGRAM_PATH || w == W_DGRAM_ABS;
	const char *name = dgram ? (is_abstract(w) ? a->dgram_abs : a->dgram_path) :
				   (is_abstract(w) ? a->stream_abs : a->stream_path);
	char buf[128];

	/* socat listens on the same name with a "p" in front of the file or name. */
	if (proxy && is_abstract(w))
		snprintf(buf, sizeof(buf), "p%s", name);
	else if (proxy)
		snprintf(buf, sizeof(buf), "%s/p%s", a->proxy_dir, strrchr(name, '/') + 1);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	return make_sun(sun, buf, is_abstract(w));
}

static int full_io(int fd, void *buf, size_t n, bool wr)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = wr ? write(fd, (char *)buf + done, n - done) : read(fd, (char *)buf + done, n - done);
		if (r <= 0)
			return r < 0 && errno == EINTR ? 0 : -1;
		done += r;
	}
	return 0;
}

/* ---- server ---- */

static void serve_conn(int c)
{
	static char buf[CHUNK];
	char mode = 'R';
	ssize_t r;

	if (full_io(c, &mode, 1, true) || read(c, &mode, 1) != 1)
		return;
	if (mode == 'P') {
		while (!full_io(c, buf, MSG, false) && !full_io(c, buf, MSG, true))
			;
		return;
	}
	while ((r = read(c, buf, sizeof(buf))) > 0)
		;
	if (!r)
		full_io(c, &mode, 1, true);
}

static void *serve_stream(void *arg)
{
	int fd = (long)arg, c;

	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_conn(c);
		close(c);
	}
	return NULL;
}

static void *serve_dgram(void *arg)
{
	char buf[MSG];

	for (;;)
		recv((long)arg, buf, sizeof(buf), 0);
	return NULL;
}

static int bound(const struct b_addrs *a, enum b_work w)
{
	bool dgram = w == W_DGRAM_PATH || w == W_DGRAM_ABS;
	struct sockaddr_un sun;
	socklen_t len = b_addr(a, w, false, &sun);
	int fd = socket(AF_UNIX, dgram ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (!is_abstract(w))
		unlink(sun.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len) || (!dgram && listen(fd, 128))) {
		perror("bench: server socket");
		exit(1);
	}
	return fd;
}

/* Fork the server (in its own cgroup) and return once it listens. */
pid_t b_server_start(const struct b_addrs *a)
{
	static const enum b_work socks[] = { W_CONNECT_PATH, W_CONNECT_ABS, W_DGRAM_PATH, W_DGRAM_ABS };
	int ready[2], i;
	pthread_t t;
	pid_t pid;
	char c;

	if (pipe(ready))
		return -errno;
	pid = fork();
	if (pid)
		goto parent;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	b_cgroup_enter(B_CGROUP "/server");
	for (i = 0; i < 4; i++)
		pthread_create(&t, NULL, i < 2 ? serve_stream : serve_dgram, (void *)(long)bound(a, socks[i]));
	if (write(ready[1], "r", 1) != 1)
		exit(1);
	for (;;)
		pause();
parent:
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

/* ---- client ---- */

double b_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stream_open(const struct sockaddr_un *sun, socklen_t len, char mode)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char r;

	if (fd < 0 || connect(fd, (const struct sockaddr *)sun, len) || read(fd, &r, 1) != 1 ||
	    (mode && write(fd, &mode, 1) != 1)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One operation of @w; bytes moved are added to *bytes. -1 on failure. */
static int op(enum b_work w, int fd, const struct sockaddr_un *sun, socklen_t len, long *bytes)
{
	static char buf[CHUNK];

	switch (w) {
	case W_CONNECT_PATH:
	case W_CONNECT_ABS:
		fd = stream_open(sun, len, 0);
		return fd < 0 ? -1 : close(fd);
	case W_PINGPONG_PATH:
	case W_PINGPONG_ABS:
		return full_io(fd, buf, MSG, true) ?: full_io(fd, buf, MSG, false);
	case W_DGRAM_PATH:
	case W_DGRAM_ABS:
		return sendto(fd, buf, MSG, 0, (const struct sockaddr *)sun, len) == MSG ? 0 : -1;
	default:
		*bytes += CHUNK;
		return full_io(fd, buf, CHUNK, true);
	}
}

/* The socket a workload runs on, opened before the clock starts. */
static int setup(enum b_work w, const struct sockaddr_un *sun, socklen_t len)
{
	if (w == W_DGRAM_PATH || w == W_DGRAM_ABS)
		return socket(AF_UNIX, SOCK_DGRAM, 0);
	if (w == W_CONNECT_PATH || w == W_CONNECT_ABS)
		return 0;
	return stream_open(sun, len, w >= W_STREAM_PATH ? 'T' : 'P');
}

/* Run ops for @seconds; returns how many, or -1. */
static long run_for(enum b_work w, int fd, const struct sockaddr_un *sun, socklen_t len,
		    double seconds, long *bytes)
{
	double end = b_now() + seconds;
	long n = 0;

	do {
		if (op(w, fd, sun, len, bytes))
			return -1;
		n++;
	} while ((n & 7) || b_now() < end);
	return n;
}

/* Context switches of this process so far, voluntary and involuntary. */
static long csw_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

double b_work_run(const struct b_addrs *a, enum b_work w, bool proxy, int budget_ms, double *csw)
{
	struct sockaddr_un sun;
	socklen_t len = b_addr(a, w, proxy, &sun);
	long n, csw0, bytes = 0;
	double t0, t;
	char ack;
	int fd;

	/* Phase 1: open, warm up for a fifth of the budget. */
	fd = setup(w, &sun, len);
	if (fd < 0 || run_for(w, fd, &sun, len, budget_ms / 5000.0, &bytes) < 0)
		return -1;

	/* Phase 2: the timed run; throughput waits for the server's ack. */
	bytes = 0;
	csw0 = csw_now();
	t0 = b_now();
	n = run_for(w, fd, &sun, len, budget_ms / 1000.0, &bytes);
	if (n > 0 && w >= W_STREAM_PATH &&
	    (shutdown(fd, SHUT_WR) || read(fd, &ack, 1) != 1))
		n = -1;
	t = b_now() - t0;
	*csw = n > 0 ? (double)(csw_now() - csw0) / n : 0;
	if (fd > 0)
		close(fd);
	if (n < 0)
		return -1;
	if (w >= W_STREAM_PATH)
		return bytes / t / (1 << 20);
	return b_work_is_rate(w) ? n / t / 1e3 : t / n * 1e6;
}
