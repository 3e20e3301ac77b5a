// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The socket backend remembers a socket's last allowed sendto and answers
 * the next ones from it while the policy is unchanged. Every change that
 * can turn that allow into a deny must reach the very socket that keeps
 * sending: a grant revoked, an endpoint's generation bumped, a reload, the
 * owner removed in the kernel, the sender moved to another cgroup. A
 * cgroup remembers its container the same way (Linux 6.2+): every binding
 * made, removed or reloaded reaches a sender denied before it. The LSM
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

/* ---- the caller's container, remembered per cgroup ----
 * A cgroup keeps which ancestor's binding (or none) is its container under
 * the policy's change count and live slot: a deny is not remembered, so a
 * sender denied from one socket gets each change at its next send.
 */

/* The policy with cli's grant on abs, and @more containers. */
#define ABS_SEND(more)                                                     \
	"version: 1\n" S_CONTAINERS more S_ENDPOINTS "grants:\n"           \
	"  - { container: cli, endpoint: abs, allow: [send] }\n"

/* A sender to abs from one socket, on the host, in cgroup @rel (made when
 * missing), abs's listener in srv's cgroup.
 */
static pid_t host_sender(const char *rel)
{
	const char *probe = h_path("build/tests/vipc-probe");
	const char *listen[] = { probe, "listen", "@vipc-abs", "--dgram", NULL };
	const char *send[] = { probe, "dgram-session", "@vipc-abs", SENDER_SECS, NULL };
	pid_t pid;

	cr_assert_eq(h_cgroup_make(rel), 0);
	cr_assert_gt(h_spawn("vipc-test/srv", listen, "ready"), 0);
	pid = h_spawn(rel, send, NULL);
	cr_assert_gt(pid, 0);
	return pid;
}

/* A sender in @rel denied from its first sends on (@why). */
static pid_t denied_sender(const char *rel, const char *why)
{
	pid_t pid = host_sender(rel);

	cr_assert_eq(h_spawn_expect(pid, "eperm 3", 5000), 0, "%s", why);
	return pid;
}

/* @pid's sends turn from @from to @to: @to is printed after its first @from. */
static void sends_turn(pid_t pid, const char *from, const char *to)
{
	char out[16384];
	const char *at = NULL;
	int i;

	for (i = 0; i < h_scale_ms(3000) / 20 && !(at && strstr(at, to)); i++) {
		usleep(20 * 1000);
		h_spawn_output(pid, out, sizeof(out));
		at = strstr(out, from);
	}
	cr_assert(at && strstr(at, to), "no '%s' after '%s': %s", to, from, out);
}

Test(verdicts, a_cgroup_bound_then_removed_between_two_sends)
{
	pid_t pid;

	s_start(ABS_SEND(""), 0);
	pid = denied_sender("vipc-test/free", "no container: others deny");
	cr_assert_eq(v_loader("container", "add", "free", "--cgroup", "vipc-test/free", NULL), 0,
		     "%s", v_out);
	cr_assert_eq(v_loader("grant", "free", "abs", "send", NULL), 0, "%s", v_out);
	sends_turn(pid, "eperm", "ok ");
	cr_assert_eq(v_loader("container", "rm", "free", NULL), 0, "%s", v_out);
	sends_turn(pid, "ok ", "eperm");
	cr_assert_eq(h_spawn_stop(pid), 0);
}

Test(verdicts, a_nearer_binding_below_the_senders_container)
{
	pid_t pid;

	s_start(ABS_SEND(""), 0);
	pid = host_sender("vipc-test/cli/sub");
	sender_running(pid);
	cr_assert_eq(v_loader("container", "add", "inner", "--cgroup", "vipc-test/cli/sub", NULL),
		     0, "%s", v_out);
	sender_cut(pid, "denied_no_grant");
}

Test(verdicts, a_reload_binding_the_senders_cgroup)
{
	pid_t pid;

	s_start(ABS_SEND(""), 0);
	pid = denied_sender("vipc-test/free", "no container: others deny");
	cr_assert_eq(v_loader("reload", "-c",
			      v_policy_file(ABS_SEND("  free: { cgroup: vipc-test/free }\n")
					    "  - { container: free, endpoint: abs, allow: [send] }\n"),
			      NULL),
		     0, "%s", v_out);
	sends_turn(pid, "eperm", "ok ");
	cr_assert_eq(h_spawn_stop(pid), 0);
}

Test(verdicts, a_denied_sender_moved_into_a_granted_cgroup)
{
	pid_t pid;

	s_start(ABS_SEND(""), 0);
	pid = denied_sender("vipc-test/bad", "bad has no grant");
	cr_assert_eq(h_cgroup_enter("vipc-test/cli", pid), 0);
	sends_turn(pid, "eperm", "ok ");
	cr_assert_eq(h_spawn_stop(pid), 0);
}
