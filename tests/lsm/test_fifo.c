// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* FIFOs as endpoints, on the LSM and fmodret backends (the socket backend
 * has no hook for them): srv owns the FIFO the host made at /shared/f, cli
 * may send to it (open it for writing), bad may not; the FIFO is named by
 * its inode, whatever path reaches it, as the policy was applied. Real
 * runc containers, vipc-probe's fifo command (tests/probe_file.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fixture.h"
#include "scene.h"

TestSuite(fifo, .init = s_init, .fini = s_fini, .timeout = 300);

#define F "/shared/f"

static char host_fifo[PATH_MAX]; /* F as the host sees it */
static char policy[PATH_MAX + 512];

/* Make the FIFO on the host, then load a policy naming it (bad in @mode). */
static void fifo_start(const char *mode)
{
	snprintf(host_fifo, sizeof(host_fifo), "%s/f", sc.shared);
	cr_assert_eq(mkfifo(host_fifo, 0666), 0, "mkfifo %s: %s", host_fifo, strerror(errno));
	snprintf(policy, sizeof(policy),
		 "version: 1\n"
		 "containers:\n"
		 "  srv: { cgroup: vipc-test/srv }\n"
		 "  cli: { cgroup: vipc-test/cli }\n"
		 "  bad: { cgroup: vipc-test/bad, mode: %s }\n"
		 "endpoints:\n"
		 "  f: { owner: srv, fifo: %s }\n"
		 "grants:\n"
		 "  - { container: cli, endpoint: f, allow: [send] }\n",
		 mode, host_fifo);
	s_start_live(policy, 0);
}

/* `vipc-probe fifo PATH MODE` in @c: its exit status. */
static int fifo(struct h_container *c, const char *path, const char *mode)
{
	return s_probe(c, "fifo", path, mode, NULL);
}

/* A read open of the FIFO by this host process, which no container holds. */
static int host_open(void)
{
	int fd = open(host_fifo, O_RDONLY | O_NONBLOCK), err = fd < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	return err;
}

/* Run @cmd with sh in @c: its exit status. */
static int sh(struct h_container *c, const char *cmd)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

	return h_container_exec(c, argv, NULL, 0);
}

Test(fifo, an_open_asks_send_to_write_and_receive_to_read_until_revoked)
{
	const char *reader[] = { "/bin/sh", "-c", "cat " F " > /shared/out", NULL };
	char out[PATH_MAX], got[16] = "";
	int rc = ENXIO, tries;
	FILE *f;
	pid_t pid;

	fifo_start("enforce");
	pid = h_container_spawn(sc.srv, reader, NULL);
	cr_assert_gt(pid, 0);
	/* cli writes once srv's reader has the FIFO open (no reader: ENXIO). */
	for (tries = 0; rc == ENXIO && tries < h_scale_ms(50); tries++, usleep(100 * 1000))
		rc = s_probe(sc.cli, "fifo", F, "w", "--send", "hi", NULL);
	cr_assert_eq(rc, 0);
	cr_assert_eq(h_spawn_wait(pid, h_scale_ms(5000)), 0);
	snprintf(out, sizeof(out), "%s/out", sc.shared);
	f = fopen(out, "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(got, sizeof(got), f));
	fclose(f);
	cr_assert_str_eq(got, "hi");
	cr_assert_eq(fifo(sc.cli, F, "r"), EPERM, "send is not receive");
	cr_assert_eq(fifo(sc.cli, F, "rw"), EPERM, "read and write need both");
	cr_assert_eq(fifo(sc.bad, F, "w"), EPERM);
	cr_assert_eq(host_open(), EPERM, "an unlisted caller");
	cr_assert_eq(v_stat_hook("file_open", "denied_no_perm"), 2);
	cr_assert_eq(v_stat_hook("file_open", "denied_no_grant"), 2);
	/* Revoked: the next open is refused. */
	cr_assert_eq(v_loader("grant", "cli", "f", "send,receive", NULL), 0, "%s", v_out);
	cr_assert_eq(fifo(sc.cli, F, "r"), 0);
	cr_assert_eq(v_loader("revoke", "--endpoint", "f", NULL), 0, "%s", v_out);
	cr_assert_eq(fifo(sc.cli, F, "r"), EPERM);
	cr_assert_eq(v_stat_hook("file_open", "denied_revoked"), 1);
}

/* Other paths to the FIFO: a symlink, a hard link, a second bind mount. */
static const char *const aliases[] = { "/shared/sym", "/shared/hard", H_SHARED_ALIAS "/f" };

Test(fifo, every_path_to_the_fifo_is_the_endpoint_until_it_is_made_again)
{
	size_t i;

	fifo_start("enforce");
	cr_assert_eq(sh(sc.bad, "ln -s " F " /shared/sym && ln " F " /shared/hard"), 0);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		cr_assert_eq(fifo(sc.bad, aliases[i], "r"), EPERM, "%s let bad through", aliases[i]);
	cr_assert_eq(fifo(sc.srv, "/shared/sym", "r"), 0, "its owner, by a symlink");
	/* Made again: a new inode, nobody's until the policy is applied again. */
	cr_assert_eq(unlink(host_fifo), 0);
	cr_assert_eq(mkfifo(host_fifo, 0666), 0);
	cr_assert_eq(fifo(sc.bad, F, "r"), 0, "the new FIFO is not the endpoint yet");
	cr_assert_eq(fifo(sc.bad, "/shared/hard", "r"), EPERM, "the old one still is");
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(policy), NULL), 0, "%s", v_out);
	cr_assert_eq(fifo(sc.bad, F, "r"), EPERM);
}

Test(fifo, audit_mode_lets_an_open_through_and_reports_it)
{
	fifo_start("audit");
	cr_assert_eq(fifo(sc.bad, F, "r"), 0);
	cr_assert_eq(v_stat_hook("file_open", "audited"), 1);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"name\":\"fifo:"), "%s", v_out);
	cr_assert(strstr(v_out, "\"hook\":\"file_open\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"verdict\":\"audit\""), "%s", v_out);
}
