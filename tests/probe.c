// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vipc-probe: make one UNIX socket call and report how it went, inside a
 * container or on the host. Built static so it runs in the busybox rootfs.
 *
 *   vipc-probe listen ADDR [--dgram|--seqpacket] [--count N]
 *   vipc-probe connect ADDR [--dgram|--seqpacket] [--send MSG] [--pass-fd]
 *                          [--cmsgs SPEC] [--pass-over SIDE] [--comm NAME]
 *   vipc-probe sendto ADDR MSG [--padded] [--cmsgs SPEC]
 *   vipc-probe loop ADDR SECONDS [--dgram|--seqpacket] [--pause US]
 *   vipc-probe session ADDR SECONDS
 *   vipc-probe dgram-session ADDR SECONDS [--connect]
 *   vipc-probe recvfd SIDE MSG
 *   vipc-probe pair MSG
 *   vipc-probe mq /NAME r|w|rw [--create] [--send MSG] [--recv] [--unlink]
 *   vipc-probe fifo PATH r|w|rw [--send MSG]        (both: tests/probe_file.c)
 *
 * ADDR is a path (pathname socket; relative ones resolve from the working
 * directory) or "@name" (abstract; in it, and in --comm's NAME, "\xNN" is
 * the byte NN, so a name can hold a NUL or bytes that are not UTF-8).
 * --padded passes a pathname at the full length of sockaddr_un, with 'x'
 * bytes after its NUL (the kernel names the socket up to the NUL).
 * connect and sendto exit with the errno of the failing call (EPERM -> 1, ENOENT -> 2,
 * ECONNREFUSED -> 111) after one line on stderr such as
 * "connect: Operation not permitted"; 0 means success. A stream echo that
 * comes back different exits EBADMSG; a bad command line exits 254.
 *
 * --comm sets the process name (prctl PR_SET_NAME, 15 bytes kept) before
 * connecting.
 * --pass-fd sends one byte with its stdout attached (SCM_RIGHTS) instead:
 * --cmsgs rights. --cmsgs SPEC sends one byte (connect) or MSG (sendto) with
 * the control messages SPEC lists in order, comma-separated, each item
 * optionally repeated with "*N": "rights" (SCM_RIGHTS carrying stdout),
 * "creds" (SCM_CREDENTIALS of the caller), "other" (an empty message of
 * level 0, which the kernel skips on AF_UNIX), "fill" (as many "other" as
 * fit in the room the kernel allows, net.core.optmem_max, less what the
 * rest of SPEC takes) and "bigfill" (one level-0 message taking that room).
 * A datagram listener prints "fd received" after "got MSG" when a message
 * carried file descriptors.
 * --pass-over SIDE connects a stream to SIDE as well and sends the connected
 * socket over it; recvfd listens on SIDE, takes one such socket from its
 * first connection, and echoes MSG through it (exit 0 when it comes back).
 * pair makes a socketpair, execs /bin/cat on one end (its stdin and stdout)
 * and echoes MSG through the other.
 * session connects once, prints "connected", then every 100 ms sends a byte
 * and reads the echo, printing "ok N", for SECONDS; the first failure exits
 * with its errno. dgram-session sends a datagram to ADDR every 100 ms from
 * one unconnected socket for SECONDS (or until SIGTERM), printing "ok N" or
 * "eperm N" for each; another failure exits with its errno. With --connect
 * it connects that socket to ADDR first (printing "connected"; a failure
 * exits with its errno) and sends without an address. loop connects over
 * and over (--pause US: that long between connects) and prints
 * "ok=N eperm=N other=N" at the end, or as soon as a SIGTERM stops it early.
 *
 * listen prints "ready" once bound, then "got MSG" for every message it
 * receives (stream and seqpacket messages are echoed back, each connection
 * served by its own child until the peer closes), and runs until killed or
 * until --count connections/datagrams have been handled.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "probe_file.h"

#define EXIT_USAGE 254
#define BUF_SZ 4096

struct opts {
	int type;	  /* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	long count;	  /* listen: stop after this many; 0 = forever */
	long pause_us;	  /* loop: microseconds between connects */
	const char *send; /* connect: message to send */
	const char *pass_over; /* connect: send the connected socket to this address */
	const char *comm; /* connect: process name to take first */
	const char *cmsgs; /* connect, sendto: control messages to send (--cmsgs) */
};

static int usage(void)
{
	fprintf(stderr, "usage: vipc-probe listen ADDR [--dgram|--seqpacket] [--count N]\n"
			"       vipc-probe connect ADDR [--dgram|--seqpacket] [--send MSG] [--pass-fd]\n"
			"                          [--cmsgs SPEC] [--pass-over SIDE] [--comm NAME]\n"
			"       vipc-probe sendto ADDR MSG [--padded] [--cmsgs SPEC]\n"
			"       vipc-probe loop ADDR SECONDS [--dgram|--seqpacket] [--pause US]\n"
			"       vipc-probe session ADDR SECONDS\n"
			"       vipc-probe dgram-session ADDR SECONDS [--connect]\n"
			"       vipc-probe recvfd SIDE MSG\n"
			"       vipc-probe pair MSG\n"
			"ADDR: a path (pathname) or @name (abstract, \\xNN: byte NN)\n");
	return EXIT_USAGE;
}

/* Report the failing call and turn its errno into the exit status. */
static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	return err ? err : 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Copy @s into @out (at most @size bytes) with each "\xNN" turned into byte
 * NN; the number of bytes, or size + 1 when it does not fit.
 */
static size_t unescape(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n < size; n++) {
		if (s[0] == '\\' && s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
			out[n] = hexval(s[2]) << 4 | hexval(s[3]);
			s += 4;
		} else {
			out[n] = *s++;
		}
	}
	return *s ? size + 1 : n;
}

/* Fill a sockaddr_un from a path or "@name"; return its length or 0. */
static int padded; /* --padded */

static socklen_t parse_addr(const char *s, struct sockaddr_un *sa)
{
	size_t n = strlen(s);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (s[0] == '@') {
		n = unescape(s + 1, sa->sun_path + 1, sizeof(sa->sun_path) - 1);
		if (!n || n >= sizeof(sa->sun_path))
			return 0;
		return offsetof(struct sockaddr_un, sun_path) + 1 + n;
	}
	if (!n || n >= sizeof(sa->sun_path))
		return 0;
	memcpy(sa->sun_path, s, n);
	if (padded) {
		memset(sa->sun_path + n + 1, 'x', sizeof(sa->sun_path) - n - 1);
		return sizeof(*sa);
	}
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	o->type = SOCK_STREAM;
	o->count = 0;
	o->pause_us = 0;
	o->send = NULL;
	o->pass_over = NULL;
	o->comm = NULL;
	o->cmsgs = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--dgram")) {
			o->type = SOCK_DGRAM;
		} else if (!strcmp(argv[i], "--seqpacket")) {
			o->type = SOCK_SEQPACKET;
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			o->count = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--pause") && i + 1 < argc) {
			o->pause_us = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--pass-fd")) {
			o->cmsgs = "rights";
		} else if (!strcmp(argv[i], "--cmsgs") && i + 1 < argc) {
			o->cmsgs = argv[++i];
		} else if (!strcmp(argv[i], "--pass-over") && i + 1 < argc) {
			o->pass_over = argv[++i];
		} else if (!strcmp(argv[i], "--comm") && i + 1 < argc) {
			o->comm = argv[++i];
		} else if (!strcmp(argv[i], "--send") && i + 1 < argc) {
			o->send = argv[++i];
		} else if (!strcmp(argv[i], "--padded")) {
			padded = 1;
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

/* Serve one accepted connection in a child: echo every message until the
 * peer closes.
 */
static void serve_conn(int cfd)
{
	char buf[BUF_SZ];
	ssize_t n;

	if (fork()) {
		close(cfd);
		return;
	}
	while ((n = read(cfd, buf, sizeof(buf))) > 0) {
		print_got(buf, n);
		if (write(cfd, buf, n) < 0)
			break;
	}
	_exit(0);
}

/* Bind ADDR (and listen), say "ready": the socket, or -errno after one line. */
static int bind_ready(const char *addr, int type)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd;

	if (!len)
		return -EXIT_USAGE;
	fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -fail("socket", errno);
	if (addr[0] != '@')
		unlink(addr);
	if (bind(fd, (struct sockaddr *)&sa, len))
		return -fail("bind", errno);
	if (type != SOCK_DGRAM && listen(fd, 128))
		return -fail("listen", errno);
	printf("ready\n");
	fflush(stdout);
	return fd;
}

/* Receive one datagram: "got MSG", then "fd received" when it carried
 * file descriptors (closed here).
 */
static int recv_dgram(int fd)
{
	char buf[BUF_SZ], ctl[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(fd, &m, 0);
	int fds = 0, *p;

	if (n < 0)
		return fail("recv", errno);
	print_got(buf, n);
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (p = (int *)CMSG_DATA(cm); (char *)(p + 1) <= (char *)cm + cm->cmsg_len; p++)
			close(*p);
		fds = 1;
	}
	if (fds) {
		printf("fd received\n");
		fflush(stdout);
	}
	return 0;
}

static int cmd_listen(const char *addr, const struct opts *o)
{
	int fd = bind_ready(addr, o->type);

	if (fd < 0)
		return fd == -EXIT_USAGE ? usage() : -fd;

	/* Serve until killed or until --count is reached. */
	for (long done = 0; !o->count || done < o->count; done++) {
		if (o->type == SOCK_DGRAM) {
			int err = recv_dgram(fd);

			if (err)
				return err;
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

/* One byte with @passed attached as SCM_RIGHTS. */
static int send_fd(int fd, int passed)
{
	char byte = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &passed, sizeof(int));
	return sendmsg(fd, &msg, 0) < 0 ? fail("sendmsg", errno) : 0;
}

/* One control message of @level and @type with @len data bytes (@data, or
 * zeros) at @buf + @off when @buf is set: the offset after it.
 */
static size_t put_cmsg(char *buf, size_t off, int level, int type, const void *data, size_t len)
{
	struct cmsghdr cm = { .cmsg_len = CMSG_LEN(len), .cmsg_level = level, .cmsg_type = type };

	if (buf) {
		memcpy(buf + off, &cm, sizeof(cm));
		if (data)
			memcpy(buf + off + CMSG_LEN(0), data, len);
	}
	return off + CMSG_SPACE(len);
}

/* One --cmsgs item @word at @off, with @room bytes for a fill: the offset after it, or -1. */
static ssize_t put_item(char *buf, size_t off, const char *word, size_t room)
{
	struct ucred cred = { .pid = getpid(), .uid = getuid(), .gid = getgid() };
	int out = STDOUT_FILENO;

	if (!strcmp(word, "rights"))
		return put_cmsg(buf, off, SOL_SOCKET, SCM_RIGHTS, &out, sizeof(out));
	if (!strcmp(word, "creds"))
		return put_cmsg(buf, off, SOL_SOCKET, SCM_CREDENTIALS, &cred, sizeof(cred));
	if (!strcmp(word, "other"))
		return put_cmsg(buf, off, 0, 0, NULL, 0);
	if (!strcmp(word, "fill")) {
		for (; room >= CMSG_SPACE(0); room -= CMSG_SPACE(0))
			off = put_cmsg(buf, off, 0, 0, NULL, 0);
		return off;
	}
	if (!strcmp(word, "bigfill"))
		return room >= CMSG_SPACE(0) ? put_cmsg(buf, off, 0, 0, NULL, room - CMSG_SPACE(0)) : off;
	return -1;
}

/* Lay the --cmsgs @spec out in @buf (NULL: only measure), a fill taking
 * @room bytes: the length, or -1 for a bad SPEC.
 */
static ssize_t lay_cmsgs(const char *spec, char *buf, size_t room)
{
	char *copy = strdup(spec), *save, *tok, *star;
	ssize_t off = 0;
	long n;

	for (tok = strtok_r(copy, ",", &save); tok && off >= 0; tok = strtok_r(NULL, ",", &save)) {
		star = strchr(tok, '*');
		n = star ? strtol(star + 1, NULL, 10) : 1;
		if (star)
			*star = 0;
		while (n-- > 0 && off >= 0)
			off = put_item(buf, off, tok, room);
	}
	free(copy);
	return off;
}

/* The room the kernel gives a control buffer: net.core.optmem_max, less
 * a margin (sock_kmalloc wants the socket's option memory below it).
 */
static size_t ctl_room(void)
{
	FILE *f = fopen("/proc/sys/net/core/optmem_max", "r");
	long max = 0;

	if (f && fscanf(f, "%ld", &max) != 1)
		max = 0;
	if (f)
		fclose(f);
	return max > 1024 ? (size_t)(max - 512) & ~7UL : 0;
}

/* @data with the control messages of @spec, to @sa (NULL: the peer). */
static int send_cmsgs(int fd, const char *spec, const char *data, const struct sockaddr_un *sa,
		      socklen_t salen)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };
	struct msghdr msg = { .msg_name = (void *)sa, .msg_namelen = salen, .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t fixed = lay_cmsgs(spec, NULL, 0), len;
	size_t room = ctl_room();
	int err = 0;

	if (fixed < 0)
		return usage();
	room = room > (size_t)fixed ? room - fixed : 0;
	len = lay_cmsgs(spec, NULL, room);
	msg.msg_control = calloc(1, len ? len : 1);
	msg.msg_controllen = len;
	if (!msg.msg_control)
		return fail("calloc", ENOMEM);
	lay_cmsgs(spec, msg.msg_control, room);
	if (sendmsg(fd, &msg, 0) < 0)
		err = fail("sendmsg", errno);
	free(msg.msg_control);
	return err;
}

/* A connected socket of @o->type to ADDR, or -errno after one line. */
static int connect_to(const char *addr, const struct opts *o)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd;

	if (!len)
		return -EXIT_USAGE;
	fd = socket(AF_UNIX, o->type, 0);
	if (fd < 0)
		return -fail("socket", errno);
	if (connect(fd, (struct sockaddr *)&sa, len))
		return -fail("connect", errno);
	return fd;
}

/* Send the connected socket @fd over a new stream connection to @side. */
static int pass_over(int fd, const char *side)
{
	struct opts o = { .type = SOCK_STREAM };
	int sfd = connect_to(side, &o), err;

	if (sfd < 0)
		return sfd == -EXIT_USAGE ? usage() : -sfd;
	err = send_fd(sfd, fd);
	close(sfd);
	return err;
}

/* Take @escaped (with \xNN escapes) as the process name, cut to 15 bytes. */
static int set_comm(const char *escaped)
{
	char name[16] = {};

	unescape(escaped, name, sizeof(name) - 1);
	return prctl(PR_SET_NAME, name) ? fail("prctl", errno) : 0;
}

static int cmd_connect(const char *addr, const struct opts *o)
{
	int fd, err = 0;

	if (o->comm && (err = set_comm(o->comm)))
		return err;
	fd = connect_to(addr, o);

	if (fd == -EXIT_USAGE)
		return usage();
	if (fd < 0)
		return -fd;
	if (o->cmsgs) {
		err = send_cmsgs(fd, o->cmsgs, o->send ? o->send : "f", NULL, 0);
	} else if (o->pass_over) {
		err = pass_over(fd, o->pass_over);
	} else if (o->send && o->type == SOCK_DGRAM) {
		if (send(fd, o->send, strlen(o->send), 0) < 0)
			err = fail("send", errno);
	} else if (o->send) {
		err = echo_check(fd, o->send);
	}
	close(fd);
	return err;
}

/* The socket passed with the one byte of the first connection to SIDE. */
static int cmd_recvfd(const char *side, const char *msg)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int lfd = bind_ready(side, SOCK_STREAM), cfd, fd;

	if (lfd < 0)
		return lfd == -EXIT_USAGE ? usage() : -lfd;
	cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		return fail("accept", errno);
	if (recvmsg(cfd, &m, 0) < 0)
		return fail("recvmsg", errno);
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return fail("recvmsg: no fd", EBADMSG);
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return echo_check(fd, msg);
}

/* Echo MSG through a socketpair whose other end /bin/cat got across exec. */
static int cmd_pair(const char *msg)
{
	int sv[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return fail("socketpair", errno);
	if (!fork()) {
		dup2(sv[1], STDIN_FILENO);
		dup2(sv[1], STDOUT_FILENO);
		close(sv[0]);
		execl("/bin/cat", "cat", (char *)NULL);
		_exit(fail("exec /bin/cat", errno));
	}
	close(sv[1]);
	err = echo_check(sv[0], msg);
	close(sv[0]);
	return err;
}

static int cmd_sendto(const char *addr, const char *msg, const struct opts *o)
{
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd, err = 0;

	if (!len)
		return usage();
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (o->cmsgs)
		err = send_cmsgs(fd, o->cmsgs, msg, &sa, len);
	else if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0)
		err = fail("sendto", errno);
	close(fd);
	return err;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Hold one connection for SECONDS (or until SIGTERM: exit 0), sending a
 * byte every 100 ms.
 */
static int cmd_session(const char *addr, const char *secs)
{
	struct sigaction term = { .sa_handler = on_term, .sa_flags = SA_RESTART };
	struct opts o = { .type = SOCK_STREAM };
	int fd = connect_to(addr, &o), err = 0;
	double end = now() + strtod(secs, NULL);
	long n;

	if (fd == -EXIT_USAGE)
		return usage();
	if (fd < 0)
		return -fd;
	printf("connected\n");
	fflush(stdout);
	sigaction(SIGTERM, &term, NULL);
	for (n = 1; !err && !stop && now() < end; n++) {
		err = echo_check(fd, "x");
		if (!err)
			printf("ok %ld\n", n);
		fflush(stdout);
		usleep(100 * 1000);
	}
	close(fd);
	return err;
}

/* Send from one socket (connected to @addr if @connected) every 100 ms
 * for SECONDS; report each send.
 */
static int cmd_dgram_session(const char *addr, const char *secs, int connected)
{
	struct sigaction term = { .sa_handler = on_term }; /* no SA_RESTART */
	double end = now() + strtod(secs, NULL);
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	int fd, err = 0;
	long n;

	if (!len)
		return usage();
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (connected && connect(fd, (struct sockaddr *)&sa, len))
		return fail("connect", errno);
	if (connected)
		printf("connected\n");
	sigaction(SIGTERM, &term, NULL);
	for (n = 1; !err && !stop && now() < end; n++) {
		if (connected ? send(fd, "x", 1, 0) == 1 :
				sendto(fd, "x", 1, 0, (struct sockaddr *)&sa, len) == 1)
			printf("ok %ld\n", n);
		else if (errno == EPERM)
			printf("eperm %ld\n", n);
		else
			err = fail("sendto", errno);
		fflush(stdout);
		usleep(100 * 1000);
	}
	close(fd);
	return err;
}

/* Connect over and over for SECONDS and count how each attempt ended. */
static int cmd_loop(const char *addr, const char *secs, const struct opts *o)
{
	struct sigaction term = { .sa_handler = on_term }; /* no SA_RESTART */
	unsigned long ok = 0, eperm = 0, other = 0;
	struct sockaddr_un sa;
	socklen_t len = parse_addr(addr, &sa);
	double end = now() + strtod(secs, NULL);

	if (!len)
		return usage();
	sigaction(SIGTERM, &term, NULL);
	while (!stop && now() < end) {
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
		if (o->pause_us)
			usleep(o->pause_us);
	}
	printf("ok=%lu eperm=%lu other=%lu\n", ok, eperm, other);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* listen's children reap themselves */
	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "mq"))
		return probe_mq(argc - 2, argv + 2);
	if (!strcmp(argv[1], "fifo"))
		return probe_fifo(argc - 2, argv + 2);
	if (!strcmp(argv[1], "sendto")) {
		if (argc < 4 || parse_opts(argc - 4, argv + 4, &o))
			return usage();
		return cmd_sendto(argv[2], argv[3], &o);
	}
	if (!strcmp(argv[1], "recvfd"))
		return argc == 4 ? cmd_recvfd(argv[2], argv[3]) : usage();
	if (!strcmp(argv[1], "pair"))
		return argc == 3 ? cmd_pair(argv[2]) : usage();
	if (!strcmp(argv[1], "session"))
		return argc == 4 ? cmd_session(argv[2], argv[3]) : usage();
	if (!strcmp(argv[1], "dgram-session"))
		return argc == 4 || (argc == 5 && !strcmp(argv[4], "--connect")) ?
			       cmd_dgram_session(argv[2], argv[3], argc == 5) :
			       usage();
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
