// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vipc-probe mq: open a POSIX message queue and use it once.
 *
 *   vipc-probe mq /NAME r|w|rw [--create] [--send MSG] [--recv] [--unlink]
 *
 * --create makes the queue (O_CREAT | O_EXCL, mode 0666). --send sends MSG
 * once opened; --recv waits up to 5 s for a message and prints "got MSG";
 * --unlink removes the queue's name at the end.
 * Exits with the errno of the failing call (EPERM -> 1, EACCES -> 13)
 * after one line on stderr, 0 on success, 254 on a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "probe_mq.h"

#define EXIT_USAGE 254

static int mq_fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	return err ? err : 1;
}

/* "r", "w" or "rw" as open flags; -1 for anything else. */
static int mq_flags(const char *mode)
{
	if (!strcmp(mode, "r"))
		return O_RDONLY;
	if (!strcmp(mode, "w"))
		return O_WRONLY;
	return strcmp(mode, "rw") ? -1 : O_RDWR;
}

/* Wait for one message on @q and print it. */
static int mq_recv_one(mqd_t q)
{
	char msg[8192 + 1];
	struct timespec t;
	ssize_t n;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 5;
	n = mq_timedreceive(q, msg, sizeof(msg) - 1, NULL, &t);
	if (n < 0)
		return mq_fail("mq_receive", errno);
	msg[n] = 0;
	printf("got %s\n", msg);
	return 0;
}

int probe_mq(int argc, char **argv)
{
	struct mq_attr attr = { .mq_maxmsg = 8, .mq_msgsize = 8192 };
	const char *send = NULL;
	int flags, recv = 0, unlink = 0, i, err = 0;
	mqd_t q;

	if (argc < 2 || (flags = mq_flags(argv[1])) < 0)
		return EXIT_USAGE;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--create"))
			flags |= O_CREAT | O_EXCL;
		else if (!strcmp(argv[i], "--recv"))
			recv = 1;
		else if (!strcmp(argv[i], "--unlink"))
			unlink = 1;
		else if (!strcmp(argv[i], "--send") && i + 1 < argc)
			send = argv[++i];
		else
			return EXIT_USAGE;
	}
	q = mq_open(argv[0], flags, 0666, &attr);
	if (q == (mqd_t)-1)
		return mq_fail("mq_open", errno);
	if (send && mq_send(q, send, strlen(send), 0))
		err = mq_fail("mq_send", errno);
	if (!err && recv)
		err = mq_recv_one(q);
	mq_close(q);
	if (unlink && mq_unlink(argv[0]) && !err)
		err = mq_fail("mq_unlink", errno);
	return err;
}
