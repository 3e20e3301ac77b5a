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

/* The scene, with the LSM backend live (a test here proves nothing without it). */
static void lsm_start(const char *policy, int shared_netns)
{
	s_start(policy, shared_netns);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"lsm\":\"live\""), "LSM backend not live: %s", v_out);
}

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

	lsm_start(S_POLICY, 0);
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
	lsm_start(S_POLICY, 0);
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
	lsm_start(S_POLICY, 1);
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

Test(lsm, a_name_bound_before_load_by_another_container_is_an_impostor)
{
	const char *argv[] = { V_PROBE, "listen", S_SOCK, NULL };

	lsm_start(S_POLICY, 0);
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

	lsm_start(S_POLICY, 0);
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

	lsm_start(S_POLICY, 0);
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

	lsm_start(CHANNEL_POLICY, 0);
	s_listen(S_SOCK, NULL);
	pid = session();
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM, "capacity 1, one held");
	cr_assert_eq(v_stat("denied_full"), 1);
	h_spawn_stop(pid);
	cr_assert_eq(connect_retrying(50), 0, "closing the held connection frees its place");
}

Test(lsm, passing_fds_needs_pass_fd)
{
	lsm_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--send", "x", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--pass-fd", NULL), EPERM);
	cr_assert_eq(v_stat_total("denied_no_perm"), 1);
	cr_assert_eq(v_loader("grant", "cli", "sock", "connect,pass-fd", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--pass-fd", NULL), 0);
}
