// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* POSIX message queues as endpoints, on the LSM and fmodret backends (the
 * socket backend has no hook for them): srv owns /vipc-q, cli may send to
 * it, bad may not; an open asks send to write and receive to read, a
 * creation is a bind (squatting refused), and a queue is its endpoint only
 * in its owner's IPC namespace. Real runc containers sharing an IPC
 * namespace as a pod's do, vipc-probe's mq command (tests/probe_mq.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fixture.h"
#include "scene.h"

TestSuite(mqueue, .init = s_init, .fini = s_fini, .timeout = 300);

#define Q "/vipc-q"
#define MQ_POLICY(mode)                                              \
	"version: 1\n"                                               \
	"containers:\n"                                              \
	"  srv: { cgroup: vipc-test/srv }\n"                         \
	"  cli: { cgroup: vipc-test/cli }\n"                         \
	"  bad: { cgroup: vipc-test/bad, mode: " mode " }\n"         \
	"endpoints:\n"                                               \
	"  q: { owner: srv, mqueue: " Q " }\n"                       \
	"grants:\n"                                                  \
	"  - { container: cli, endpoint: q, allow: [send] }\n"

/* `vipc-probe mq NAME MODE [ARG]` in @c: its exit status. */
static int mq(struct h_container *c, const char *mode, const char *arg)
{
	return s_probe(c, "mq", Q, mode, arg, NULL);
}

/* The same as a host process no container holds, in the IPC namespace of
 * @c (NULL: the host's own).
 */
static int host_mq(struct h_container *c, const char *mode, const char *a1, const char *a2)
{
	char pid[16];
	const char *probe = h_path("build/tests/vipc-probe");
	const char *in[] = { "nsenter", "-t", pid, "-i", probe, "mq", Q, mode, a1, a2, NULL };
	const char *own[] = { probe, "mq", Q, mode, a1, a2, NULL };

	snprintf(pid, sizeof(pid), "%d", c ? h_container_pid(c) : 0);
	return h_run(c ? in : own, NULL, 0);
}

Test(mqueue, an_open_asks_send_to_write_and_receive_to_read_until_revoked)
{
	char out[256] = "";
	const char *recv[] = { V_PROBE, "mq", Q, "r", "--recv", NULL };

	s_start_live(MQ_POLICY("enforce"), 1);
	cr_assert_eq(mq(sc.srv, "r", "--create"), 0);
	cr_assert_eq(s_probe(sc.cli, "mq", Q, "w", "--send", "hi", NULL), 0);
	cr_assert_eq(h_container_exec(sc.srv, recv, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "got hi"), "%s", out);
	cr_assert_eq(mq(sc.cli, "r", NULL), EPERM, "send is not receive");
	cr_assert_eq(mq(sc.cli, "rw", NULL), EPERM, "read and write need both");
	cr_assert_eq(mq(sc.bad, "w", NULL), EPERM);
	cr_assert_eq(host_mq(sc.srv, "w", NULL, NULL), EPERM, "an unlisted caller in the pod");
	cr_assert_eq(v_stat_hook("file_open", "allowed"), 3);
	cr_assert_eq(v_stat_hook("file_open", "denied_no_perm"), 2);
	cr_assert_eq(v_stat_hook("file_open", "denied_no_grant"), 2);
	/* Revoked: the next open is refused; granted again, let through. */
	cr_assert_eq(v_loader("revoke", "--endpoint", "q", NULL), 0, "%s", v_out);
	cr_assert_eq(mq(sc.cli, "w", NULL), EPERM);
	cr_assert_eq(v_stat_hook("file_open", "denied_revoked"), 1);
	cr_assert_eq(v_loader("grant", "cli", "q", "send", NULL), 0, "%s", v_out);
	cr_assert_eq(mq(sc.cli, "w", NULL), 0);
}

Test(mqueue, only_the_owner_creates_a_registered_queue)
{
	s_start_live(MQ_POLICY("enforce"), 1);
	cr_assert_eq(mq(sc.bad, "rw", "--create"), EPERM);
	cr_assert_eq(mq(sc.cli, "w", "--create"), EPERM, "send is not bind");
	cr_assert_eq(host_mq(sc.srv, "rw", "--create", NULL), EPERM, "an unlisted squatter");
	cr_assert_eq(s_probe(sc.bad, "mq", "/vipc-free", "rw", "--create", NULL), 0);
	cr_assert_eq(mq(sc.srv, "r", "--create"), 0);
	cr_assert_eq(v_stat_hook("inode_create", "denied_no_grant"), 2);
	cr_assert_eq(v_stat_hook("inode_create", "denied_no_perm"), 1);
	cr_assert_eq(v_stat_hook("inode_create", "allowed"), 2);
}

Test(mqueue, audit_mode_lets_an_open_through_and_reports_it)
{
	s_start_live(MQ_POLICY("audit"), 1);
	cr_assert_eq(mq(sc.srv, "r", "--create"), 0);
	cr_assert_eq(mq(sc.bad, "w", NULL), 0);
	cr_assert_eq(v_stat_hook("file_open", "audited"), 1);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"name\":\"mqueue:" Q "\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"hook\":\"file_open\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"verdict\":\"audit\""), "%s", v_out);
}

Test(mqueue, a_queue_of_the_same_name_in_another_ipc_namespace_is_not_the_endpoint)
{
	s_start_live(MQ_POLICY("enforce"), 0);
	cr_assert_eq(mq(sc.srv, "r", "--create"), 0);
	cr_assert_eq(mq(sc.bad, "rw", "--create"), 0, "bad's own namespace");
	cr_assert_eq(mq(sc.bad, "rw", NULL), 0);
	cr_assert_eq(host_mq(NULL, "rw", "--create", "--unlink"), 0, "the host's namespace");
	cr_assert_eq(host_mq(sc.srv, "w", NULL, NULL), EPERM, "srv's namespace");
	cr_assert_eq(v_stat_hook("file_open", "denied_no_grant"), 1);
}
