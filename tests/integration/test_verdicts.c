// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The socket backend remembers a socket's last allowed sendto and answers
 * the next ones from it while the policy is unchanged. Every change that
 * can turn that allow into a deny must reach the very socket that keeps
 * sending: a grant revoked, an endpoint's generation bumped, a reload, the
 * owner removed in the kernel, the sender moved to another cgroup. The LSM
 * backend decides every send afresh; the same tests hold for it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(verdicts, .init = s_init, .fini = s_fini, .timeout = 120);

#define SENDER_SECS "60"

/* cli and bad may send to dgram, both denied unknown names. */
#define BOTH_SEND                                                    \
	"version: 1\ndefaults: { unknown: deny }\n" S_CONTAINERS S_ENDPOINTS \
	"grants:\n"                                                     \
	"  - { container: cli, endpoint: dgram, allow: [send] }\n"      \
	"  - { container: bad, endpoint: sock, allow: [connect] }\n"

/* The policy after the reload: cli no longer sends to dgram. */
#define NO_SEND "version: 1\n" S_CONTAINERS S_ENDPOINTS "grants: []\n"

/* Wait until @pid sent three times from its one socket; on the socket
 * backend the last two were answered from the remembered verdict.
 */
static void sender_running(pid_t pid)
{
	cr_assert_gt(pid, 0);
	cr_assert_eq(h_spawn_expect(pid, "ok 3", 5000), 0);
	if (!v_lsm())
		cr_assert_geq(v_stat("cached"), 2, "no send was answered from the socket");
}

/* cli sends to dgram from one socket every 100 ms. */
static pid_t sender_start(void)
{
	const char *argv[] = { V_PROBE, "dgram-session", S_DGRAM, SENDER_SECS, NULL };
	pid_t pid;

	s_listen(S_DGRAM, "--dgram");
	pid = h_container_spawn(sc.cli, argv, NULL);
	sender_running(pid);
	return pid;
}

/* The change has returned: the same socket is denied from its next send
 * on, never allowed again, and the deny is counted under @counter.
 */
static void sender_cut(pid_t pid, const char *counter)
{
	char out[16384];
	const char *first;

	cr_assert_eq(h_spawn_expect(pid, "eperm", 2000), 0, "the change did not reach the socket");
	usleep(300 * 1000);
	cr_assert_eq(h_spawn_stop(pid), 0);
	h_spawn_output(pid, out, sizeof(out));
	first = strstr(out, "eperm");
	cr_assert(!strstr(first, "ok "), "allowed again after a deny: %s", out);
	cr_assert_geq(v_stat(counter), 1);
}

/* cli keeps sending while the loader runs @...: its deny is @counter. */
#define CUT_BY(counter, ...)                                                   \
	do {                                                                   \
		pid_t pid;                                                     \
		s_start(BOTH_SEND, 0);                                         \
		pid = sender_start();                                          \
		cr_assert_eq(v_loader(__VA_ARGS__, NULL), 0, "%s", v_out);      \
		sender_cut(pid, counter);                                      \
	} while (0)

Test(verdicts, grant_revoked)
{
	CUT_BY("denied_no_grant", "revoke", "cli", "dgram");
}

Test(verdicts, endpoint_generation_bumped)
{
	CUT_BY("denied_revoked", "revoke", "--endpoint", "dgram");
}

/* `container rm` runs the in-kernel sweep, which the cgroup-removal hook
 * also runs: the endpoint goes with its owner, and cli denies unknown names.
 */
Test(verdicts, owner_removed_in_the_kernel)
{
	CUT_BY("denied_unknown", "container", "rm", "srv");
}

Test(verdicts, reload_without_the_grant)
{
	pid_t pid;

	s_start(BOTH_SEND, 0);
	pid = sender_start();
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(NO_SEND), NULL), 0, "%s", v_out);
	cr_assert_eq(h_spawn_expect(pid, "eperm", 2000), 0, "the reload did not reach the socket");
	/* Back in the slot the allow was made in: the change count tells. */
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(NO_SEND), NULL), 0, "%s", v_out);
	sender_cut(pid, "denied_no_grant");
}

/* The verdict was cli's: the same socket sending from bad's cgroup is
 * bad's call. Both run on the host, in the containers' cgroups.
 */
Test(verdicts, sender_moved_to_another_cgroup)
{
	const char *probe = h_path("build/tests/vipc-probe");
	const char *listen[] = { probe, "listen", "@vipc-abs", "--dgram", NULL };
	const char *send[] = { probe, "dgram-session", "@vipc-abs", SENDER_SECS, NULL };
	pid_t pid;

	s_start("version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"
		"  - { container: cli, endpoint: abs, allow: [send] }\n", 0);
	cr_assert_gt(h_spawn("vipc-test/srv", listen, "ready"), 0);
	pid = h_spawn("vipc-test/cli", send, NULL);
	sender_running(pid);
	cr_assert_eq(h_cgroup_enter("vipc-test/bad", pid), 0);
	sender_cut(pid, "denied_no_grant");
}
