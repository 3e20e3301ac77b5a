// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What only the LSM backend does: identify an endpoint by the socket its
 * owner bound (aliases do not help), refuse squatters, cut established
 * connections on revocation, bound channels, and guard fd passing. Runs in
 * the VM harness with VIPC_BACKEND=lsm: this host's kernel refuses BPF LSM.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(lsm, .init = s_init, .fini = s_fini, .timeout = 300);

/* Run a shell command line inside @c: its exit status. */
static int sh(struct h_container *c, const char *cmd)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int rc = h_container_exec(c, argv, NULL, 0);

	cr_assert_geq(rc, 0, "runc exec sh -c '%s' failed", cmd);
	return rc;
}

/* Every other name for srv's socket that a client could pass. */
static const struct alias {
	const char *what;
	const char *setup; /* run once in bad before connecting, or NULL */
	const char *connect;
} aliases[] = {
	{ "symlink", "ln -s " S_SOCK " /shared/sym", "vipc-probe connect /shared/sym" },
	{ "hard link", "ln " S_SOCK " /shared/hard", "vipc-probe connect /shared/hard" },
	{ "relative path", NULL, "cd /shared && vipc-probe connect s.sock" },
	{ "/proc/PID/root", NULL, "vipc-probe connect /proc/1/root" S_SOCK },
	{ "second bind mount", NULL, "vipc-probe connect " H_SHARED_ALIAS "/s.sock" },
};
#define NR_ALIASES (sizeof(aliases) / sizeof(aliases[0]))

Test(lsm, aliases_reach_the_endpoint_by_its_bound_name)
{
	size_t i;

	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	for (i = 0; i < NR_ALIASES; i++) {
		if (aliases[i].setup)
			cr_assert_eq(sh(sc.bad, aliases[i].setup), 0, "%s", aliases[i].what);
		cr_assert_eq(sh(sc.bad, aliases[i].connect), EPERM, "%s let bad through",
			     aliases[i].what);
		cr_assert_eq(sh(sc.cli, aliases[i].connect), 0, "%s refused cli", aliases[i].what);
	}
	cr_assert_eq(v_stat("denied_no_grant"), NR_ALIASES);
	cr_assert_eq(v_stat("allowed"), NR_ALIASES);
}

Test(lsm, deny_event_names_the_bound_socket_not_the_alias)
{
	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(sh(sc.bad, "ln -s " S_SOCK " /shared/sym"), 0);
	cr_assert_eq(sh(sc.bad, "vipc-probe connect /shared/sym"), EPERM);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"name\":\"" S_SOCK "\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"hook\":\"unix_stream_connect\""), "%s", v_out);
}

/* bind(2) an abstract name from this (unconfined, host) process. */
static int host_bind_abstract(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), err = 0;

	cr_assert_geq(fd, 0);
	memcpy(sa.sun_path + 1, name, strlen(name));
	if (bind(fd, (struct sockaddr *)&sa, len))
		err = errno;
	close(fd);
	return err;
}

Test(lsm, only_the_owner_binds_a_registered_name)
{
	s_start_live(S_POLICY, 1);
	cr_assert_eq(s_probe(sc.bad, "listen", S_ABSTRACT, NULL), EPERM);
	cr_assert_eq(s_probe(sc.bad, "listen", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "listen", S_ABSTRACT, NULL), EPERM, "connect is not bind");
	cr_assert_eq(host_bind_abstract(S_ABSTRACT + 1), EPERM, "unconfined squatter");
	cr_assert_eq(host_bind_abstract("vipc-unregistered"), 0);
	s_listen(S_ABSTRACT, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_ABSTRACT, NULL), 0);
	cr_assert_eq(v_stat_total("denied_no_grant"), 3);
	cr_assert_eq(v_stat_total("denied_no_perm"), 1);
}

/* sock and abs open to others: connect and send, never bind. */
#define PUBLIC_POLICY                                                              \
	"version: 1\ndefaults: { others: allow }\n" S_CONTAINERS S_ENDPOINTS S_GRANTS

Test(lsm, a_public_endpoint_is_still_bound_by_its_owner_only)
{
	s_start_live(PUBLIC_POLICY, 1);
	cr_assert_eq(host_bind_abstract(S_ABSTRACT + 1), EPERM, "others: allow is not bind");
	s_listen(S_ABSTRACT, NULL);
	cr_assert_eq(v_stat_hook("socket_bind", "denied_no_grant"), 1);
}

/* A connection a caller no container holds made to a public endpoint is
 * re-checked like any other: the endpoint closed to others, its next send
 * fails.
 */
Test(lsm, closing_an_endpoint_to_others_cuts_their_connections)
{
	char path[512];
	const char *argv[] = { h_path("build/tests/vipc-probe"), "session", path, "60", NULL };
	pid_t pid;

	s_start_live(PUBLIC_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	snprintf(path, sizeof(path), "%s/s.sock", sc.shared);
	pid = h_spawn("vipc-test/stranger", argv, "ok 2");
	cr_assert_gt(pid, 0, "the stranger's session did not get going");
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(S_POLICY), NULL), 0, "%s", v_out);
	cr_assert_eq(h_spawn_wait(pid, 10000), EPERM, "the next send must fail");
	cr_assert_geq(v_stat_hook("socket_sendmsg", "denied_no_grant"), 1);
}

Test(lsm, a_name_bound_before_load_by_another_container_is_an_impostor)
{
	const char *argv[] = { V_PROBE, "listen", S_SOCK, NULL };

	s_start_live(S_POLICY, 0);
	v_unload();
	cr_assert_gt(h_container_spawn(sc.bad, argv, "ready"), 0);
	v_load(S_POLICY);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_impostor"), 1);
}

/* Hold a connection from cli, sending every 100 ms; returns the spawn. */
static pid_t session(void)
{
	const char *argv[] = { V_PROBE, "session", S_SOCK, "60", NULL };
	pid_t pid = h_container_spawn(sc.cli, argv, "ok 2");

	cr_assert_gt(pid, 0, "session did not get going");
	return pid;
}

Test(lsm, generation_bump_cuts_an_established_connection)
{
	pid_t pid;

	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	pid = session();
	cr_assert_eq(v_loader("revoke", "--endpoint", "sock", NULL), 0, "%s", v_out);
	cr_assert_eq(h_spawn_wait(pid, 10000), EPERM, "the next send must fail");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("grant", "cli", "sock", "connect", NULL), 0, "%s", v_out);
	h_spawn_stop(session());
	cr_assert_eq(v_stat_total("denied_revoked"), 2, "the cut send and the new connect");
}

Test(lsm, revoking_one_grant_cuts_its_connection)
{
	pid_t pid;

	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	pid = session();
	cr_assert_eq(v_loader("revoke", "cli", "sock", NULL), 0, "%s", v_out);
	cr_assert_eq(h_spawn_wait(pid, 10000), EPERM);
	cr_assert_eq(v_stat_total("denied_no_grant"), 1);
}

#define CHANNEL_POLICY                                                              \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "channels:\n"                        \
	"  jobq: { endpoint: sock, senders: [cli], receiver: srv, capacity: 1 }\n"

/* Connect from cli until it succeeds or @tries run out (sockets are freed
 * after close, asynchronously); the last status.
 */
static int connect_retrying(int tries)
{
	int rc;

	while ((rc = s_probe(sc.cli, "connect", S_SOCK, NULL)) && --tries)
		usleep(100 * 1000);
	return rc;
}

Test(lsm, channel_capacity_bounds_live_connections)
{
	pid_t pid;

	s_start_live(CHANNEL_POLICY, 0);
	s_listen(S_SOCK, NULL);
	pid = session();
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM, "capacity 1, one held");
	cr_assert_eq(v_stat("denied_full"), 1);
	h_spawn_stop(pid);
	cr_assert_eq(connect_retrying(50), 0, "closing the held connection frees its place");
}

/* Load vipc afresh with @policy and the load option @opt @val. */
static void load_with(const char *policy, const char *opt, const char *val)
{
	const char *file;
	int rc;

	v_unload();
	file = v_policy_file(policy);
	rc = v_loader("load", opt, val, "-c", file, NULL);
	unlink(file);
	cr_assert_eq(rc, 0, "load %s %s: %s", opt, val, v_out);
}

static void reload(const char *policy)
{
	const char *file = v_policy_file(policy);
	int rc = v_loader("reload", "-c", file, NULL);

	unlink(file);
	cr_assert_eq(rc, 0, "reload: %s", v_out);
}

/* Without the endpoint sock: a reload to it and back gives sock a new id. */
#define NO_SOCK_POLICY                                     \
	"version: 1\n" S_CONTAINERS "endpoints:\n"           \
	"  dgram: { owner: srv, unix: " S_DGRAM " }\n"

/* A new endpoint id for sock, a channel on it, and a connect: by registry
 * commands in even rounds, by two reloads in odd ones.
 */
static void channel_round(int i)
{
	if (i % 2) {
		reload(NO_SOCK_POLICY);
		reload(CHANNEL_POLICY);
	} else {
		cr_assert_eq(v_loader("endpoint", "rm", "sock", "srv", NULL), 0, "%s", v_out);
		cr_assert_eq(v_loader("endpoint", "add", "sock", "srv", S_SOCK, NULL), 0, "%s",
			     v_out);
		cr_assert_eq(v_loader("channel", "add", "jobq", "sock", "cli", "--capacity", "1",
				      NULL),
			     0, "%s", v_out);
	}
	cr_assert_eq(connect_retrying(50), 0, "round %d: the channel's count found no place", i);
}

Test(lsm, released_channel_counts_make_room_for_new_channels)
{
	int i;

	s_start_live(CHANNEL_POLICY, 0);
	load_with(CHANNEL_POLICY, "--max-channels", "2");
	s_listen(S_SOCK, NULL);
	/* Two slots of 2 channels: 4 counts; 12 channel endpoints in turn. */
	for (i = 0; i < 12; i++)
		channel_round(i);
	cr_assert_eq(v_stat("denied_full"), 0);
}

#define WIDE_CHANNEL_POLICY                                                         \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "channels:\n"                        \
	"  jobq: { endpoint: sock, senders: [cli], receiver: srv, capacity: 10 }\n"

Test(lsm, a_full_connection_table_refuses_channel_connects)
{
	pid_t a, b;

	s_start_live(WIDE_CHANNEL_POLICY, 0);
	load_with(WIDE_CHANNEL_POLICY, "--max-connections", "2");
	s_listen(S_SOCK, NULL);
	a = session();
	b = session();
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM, "2 connections counted: full");
	cr_assert_eq(v_stat("denied_full"), 1);
	h_spawn_stop(a);
	cr_assert_eq(connect_retrying(50), 0, "closing one frees its place in the table");
	h_spawn_stop(b);
}

Test(lsm, passing_fds_needs_pass_fd)
{
	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--send", "x", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--pass-fd", NULL), EPERM);
	cr_assert_eq(v_stat_total("denied_no_perm"), 1);
	cr_assert_eq(v_loader("grant", "cli", "sock", "connect,pass-fd", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--pass-fd", NULL), 0);
}

/* Control messages around an SCM_RIGHTS (vipc-probe --cmsgs), and the same
 * messages without it: "other" is an empty message of level 0, which the
 * kernel skips on AF_UNIX; "fill" and "bigfill" take the control buffer up
 * to net.core.optmem_max, as many small messages or one large one.
 */
static const struct arrangement {
	const char *fds, *none;
} arrangements[] = {
	{ "other*4,rights", "other*4" },
	{ "other*5,rights", "other*5" },
	{ "other*2,rights,other*2", "other*2,other*2" },
	{ "rights,other*4", "other*4" },
	{ "creds,rights", "creds" },
	{ "other*3,creds,rights", "other*3,creds" },
	{ "other*200,rights", "other*200" },
	{ "fill,rights", "fill" },
	{ "bigfill,rights", "bigfill" },
	{ "rights,fill", "fill" },
};
#define NR_ARRANGEMENTS (sizeof(arrangements) / sizeof(arrangements[0]))

static int connect_with(const char *cmsgs)
{
	return s_probe(sc.cli, "connect", S_SOCK, "--cmsgs", cmsgs, NULL);
}

Test(lsm, fds_behind_other_control_messages_need_pass_fd)
{
	size_t i;

	s_start_live(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	for (i = 0; i < NR_ARRANGEMENTS; i++) {
		cr_assert_eq(connect_with(arrangements[i].fds), EPERM, "%s", arrangements[i].fds);
		cr_assert_eq(connect_with(arrangements[i].none), 0, "%s", arrangements[i].none);
	}
	cr_assert_eq(v_stat_hook("socket_sendmsg", "denied_no_perm"), NR_ARRANGEMENTS);
	cr_assert_eq(v_stat_total("denied_no_perm"), NR_ARRANGEMENTS);
	cr_assert_eq(v_loader("grant", "cli", "sock", "connect,pass-fd", NULL), 0, "%s", v_out);
	for (i = 0; i < NR_ARRANGEMENTS; i++)
		cr_assert_eq(connect_with(arrangements[i].fds), 0, "%s", arrangements[i].fds);
	cr_assert_eq(v_stat_total("denied_no_perm"), NR_ARRANGEMENTS);
}

/* A datagram listener on S_DGRAM in srv, reporting the fds it receives. */
static pid_t dgram_listener(void)
{
	const char *argv[] = { V_PROBE, "listen", S_DGRAM, "--dgram", NULL };
	pid_t pid = h_container_spawn(sc.srv, argv, "ready");

	cr_assert_gt(pid, 0, "listener on " S_DGRAM);
	return pid;
}

/* Send @msg from cli to S_DGRAM with the control messages @cmsgs, on an
 * unconnected socket (sendto) or a connected one: the exit status.
 */
static int dgram_with(int connected, const char *msg, const char *cmsgs)
{
	if (connected)
		return s_probe(sc.cli, "connect", S_DGRAM, "--dgram", "--send", msg, "--cmsgs",
			       cmsgs, NULL);
	return s_probe(sc.cli, "sendto", S_DGRAM, msg, "--cmsgs", cmsgs, NULL);
}

/* Has the listener printed @needle by now (after a short wait when @want)? */
static int heard(pid_t pid, const char *needle, int want)
{
	static char out[16384];

	h_spawn_expect(pid, needle, want ? 5000 : 500);
	h_spawn_output(pid, out, sizeof(out));
	return strstr(out, needle) != NULL;
}

Test(lsm, passing_fds_in_datagrams_needs_pass_fd)
{
	pid_t pid;
	int conn;

	s_start_live(S_POLICY, 0);
	pid = dgram_listener();
	for (conn = 0; conn < 2; conn++) {
		cr_assert_eq(dgram_with(conn, conn ? "c-plain" : "plain", "other"), 0);
		cr_assert_eq(dgram_with(conn, conn ? "c-fd" : "fd", "rights"), EPERM);
		cr_assert_eq(dgram_with(conn, conn ? "c-fd4" : "fd4", "other*4,rights"), EPERM);
	}
	cr_assert(heard(pid, "got c-plain", 1) && heard(pid, "got plain", 0));
	cr_assert(!heard(pid, "fd received", 0), "an fd reached srv without pass-fd");
	cr_assert(!heard(pid, "got fd", 0) && !heard(pid, "got c-fd", 0));
	cr_assert_eq(v_stat_hook("unix_may_send", "denied_no_perm"), 4);

	cr_assert_eq(v_loader("grant", "cli", "dgram", "send,pass-fd", NULL), 0, "%s", v_out);
	cr_assert_eq(dgram_with(0, "fd-ok", "rights"), 0);
	cr_assert(heard(pid, "got fd-ok\nfd received", 1), "sendto's fd did not arrive");
	cr_assert_eq(dgram_with(1, "c-fd-ok", "other*4,rights"), 0);
	cr_assert(heard(pid, "got c-fd-ok\nfd received", 1), "the connected send's fd did not arrive");
	cr_assert_eq(v_stat_total("denied_no_perm"), 4);
}
