// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vipc-probe mq and fifo: open a POSIX message queue or a FIFO and use it
 * once.
 *
 *   vipc-probe mq /NAME r|w|rw [--create] [--send MSG] [--recv] [--unlink]
 *   vipc-probe fifo PATH r|w|rw [--send MSG]
 *
 * --create makes the queue (O_CREAT | O_EXCL, mode 0666). --send sends MSG
 * once opened; --recv waits up to 5 s for a message and prints "got MSG";
 * --unlink removes the queue's name at the end. A FIFO is opened
 * O_NONBLOCK (for writing, a reader must be there: else ENXIO), --send
 * writes MSG to it.
 * Exits with the errno of the failing call (EPERM -> 1, EACCES -> 13)
 * after one line on stderr, 0 on success, 254 on a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "probe_file.h"

#define EXIT_USAGE 254

static int fail_with(const char *what, int err)
{
	fprintf(stderr, "%s: %s\n", what, strerror(err));
	return err ? err : 1;
}

/* "r", "w" or "rw" as open flags; -1 for anything else. */
static int open_flags(const char *mode)
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
		return fail_with("mq_receive", errno);
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

	if (argc < 2 || (flags = open_flags(argv[1])) < 0)
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
		return fail_with("mq_open", errno);
	if (send && mq_send(q, send, strlen(send), 0))
		err = fail_with("mq_send", errno);
	if (!err && recv)
		err = mq_recv_one(q);
	mq_close(q);
	if (unlink && mq_unlink(argv[0]) && !err)
		err = fail_with("mq_unlink", errno);
	return err;
}

int probe_fifo(int argc, char **argv)
{
	int flags, fd, err = 0;

	if ((argc != 2 && argc != 4) || (flags = open_flags(argv[1])) < 0 ||
	    (argc == 4 && strcmp(argv[2], "--send")))
		return EXIT_USAGE;
	fd = open(argv[0], flags | O_NONBLOCK);
	if (fd < 0)
		return fail_with("open", errno);
	if (argc == 4 && write(fd, argv[3], strlen(argv[3])) < 0)
		err = fail_with("write", errno);
	close(fd);
	return err;
}
