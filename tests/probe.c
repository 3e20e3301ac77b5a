// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vipc-probe: make one UNIX socket call and report how it went, inside a
 * container or on the host. Built static so it runs in the busybox rootfs.
 *
 *   vipc-probe listen ADDR [--dgram|--seqpacket] [--count N]
 *   vipc-probe connect ADDR [--dgram|--seqpacket] [--send MSG]
 *   vipc-probe sendto ADDR MSG
 *   vipc-probe loop ADDR SECONDS [--dgram|--seqpacket]
 *
 * ADDR is "/path" (pathname socket) or "@name" (abstract). connect and sendto
 * exit with the errno of the failing call (EPERM -> 1, ENOENT -> 2,
 * ECONNREFUSED -> 111) after one line on stderr such as
 * "connect: Operation not permitted"; 0 means success. A stream echo that
 * comes back different exits EBADMSG; a bad command line exits 254.
 *
 * listen prints "ready" once bound, then "got MSG" for every message it
 * receives (stream and seqpacket messages are echoed back), and runs until
 * killed or until --count connections/datagrams have been handled.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 254
#define BUF_SZ 4096

struct opts {
	int type;	  /* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	long count;	  /* listen: stop after this many; 0 = forever */
	const char *send; /* connect: message to send */
};

static int usage(void)
{
	fprintf(stderr, "usage: vipc-probe listen ADDR [--dgram|--seqpacket] [--count N]\n"
			"       vipc-probe connect ADDR [--dgram|--seqpacket] [--send MSG]\n"
			"       vipc-probe sendto ADDR MSG\n"
			"       vipc-probe loop ADDR SECONDS [--dgram|--seqpacket]\n"
			"ADDR: /path (pathname) or @name (abstract)\n");
	return EXIT_USAGE;
}

/* Report the failing call and turn its errno into the exit status. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	return err ? err : 1;
}

/* Fill a sockaddr_un from "/path" or "@name"; return its length or -1. */
static socklen_t parse_addr(const char *s, struct sockaddr_un *sa)
{
	size_t n = strlen(s);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (s[0] == '@') {
		if (n < 2 || n > sizeof(sa->sun_path))
			return 0;
		memcpy(sa->sun_path + 1, s + 1, n - 1);
		return offsetof(struct sockaddr_un, sun_path) + n;
	}
	if (s[0] != '/' || n >= sizeof(sa->sun_path))
		return 0;
	memcpy(sa->sun_path, s, n);
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	o->type = SOCK_STREAM;
	o->count = 0;
	o->send = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dgram")) {
			o->type = SOCK_DGRAM;
		} else if (!strcmp(argv[i], "--seqpacket")) {
			o->type = SOCK_SEQPACKET;
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			o->count = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--send") && i + 1 < argc) {
			o->send = argv[++i];
		} else {
			fprintf(stderr, "vipc-probe: unknown option '%s'\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

static void print_got(const char *buf, ssize_t n)
{
	printf("got %.*s\n", (int)n, buf);
	fflush(stdout);
}

/* Serve one accepted connection: read one message, echo it, close. */
static void serve_conn(int cfd)
{
	char buf[BUF_SZ];
	ssize_t n = read(cfd, buf, sizeof(buf));

	if (n > 0) {
		print_got(buf, n);
		if (write(cfd, buf, n) < 0)
			perror("write");
	}
	close(cfd);
}

static int cmd_listen(const char *addr, const struct opts *o)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	char buf[BUF_SZ];
	int fd;

	if (!len)
		return usage();
	/* Bind (and listen), then say so. */
	fd = socket(AF_UNIX, o->type, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (addr[0] == '/')
		unlink(addr);
	if (bind(fd, (struct sockaddr *)&sa, len))
		return fail("bind", errno);
	if (o->type != SOCK_DGRAM && listen(fd, 128))
		return fail("listen", errno);
	printf("ready\n");
	fflush(stdout);

	/* Serve until killed or until --count is reached. */
	for (long done = 0; !o->count || done < o->count; done++) {
		if (o->type == SOCK_DGRAM) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n < 0)
				return fail("recv", errno);
			print_got(buf, n);
		} else {
			int cfd = accept(fd, NULL, NULL);

			if (cfd < 0)
				return fail("accept", errno);
			serve_conn(cfd);
		}
	}
	close(fd);
	return 0;
}

/* Send MSG over a connected stream and check that it comes back. */
static int echo_check(int fd, const char *msg)
{
	size_t len = strlen(msg);
	char buf[BUF_SZ];
	ssize_t n;

	if (write(fd, msg, len) < 0)
		return fail("write", errno);
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		return fail("read", errno);
	if ((size_t)n != len || memcmp(buf, msg, len))
		return fail("echo", EBADMSG);
	return 0;
}

static int cmd_connect(const char *addr, const struct opts *o)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd, err = 0;

	if (!len)
		return usage();
	fd = socket(AF_UNIX, o->type, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (connect(fd, (struct sockaddr *)&sa, len))
		return fail("connect", errno);
	if (o->send && o->type == SOCK_DGRAM) {
		if (send(fd, o->send, strlen(o->send), 0) < 0)
			err = fail("send", errno);
	} else if (o->send) {
		err = echo_check(fd, o->send);
	}
	close(fd);
	return err;
}

static int cmd_sendto(const char *addr, const char *msg)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd;

	if (!len)
		return usage();
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0)
		return fail("sendto", errno);
	close(fd);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Connect over and over for SECONDS and count how each attempt ended. */
static int cmd_loop(const char *addr, const char *secs, const struct opts *o)
{
	unsigned long ok = 0, eperm = 0, other = 0;
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	double end = now() + strtod(secs, NULL);

	if (!len)
		return usage();
	while (now() < end) {
		int fd = socket(AF_UNIX, o->type, 0);

		if (fd < 0)
			return fail("socket", errno);
		if (!connect(fd, (struct sockaddr *)&sa, len))
			ok++;
		else if (errno == EPERM)
			eperm++;
		else
			other++;
		close(fd);
	}
	printf("ok=%lu eperm=%lu other=%lu\n", ok, eperm, other);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "sendto"))
		return argc == 4 ? cmd_sendto(argv[2], argv[3]) : usage();
	if (!strcmp(argv[1], "loop")) {
		if (argc < 4 || parse_opts(argc - 4, argv + 4, &o))
			return usage();
		return cmd_loop(argv[2], argv[3], &o);
	}
	if (parse_opts(argc - 3, argv + 3, &o))
		return usage();
	if (!strcmp(argv[1], "listen"))
		return cmd_listen(argv[2], &o);
	if (!strcmp(argv[1], "connect"))
		return cmd_connect(argv[2], &o);
	return usage();
}
