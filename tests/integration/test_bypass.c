// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bypass attempts, and what really happens to each on the backend under
 * test (VIPC_BACKEND): other names for a registered socket, other
 * spellings of its name, a registered name pointed elsewhere, abstract-name
 * squatting, a connection passed to or inherited by another process, moved
 * and child cgroups, connections older than the policy. The socket backend
 * sees only the address a client passes to connect/sendto, so several get
 * through there; the LSM backend sees the peer socket and re-checks each
 * send. These tests pin down exactly which, with the errno and the counters.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(bypass, .init = s_init, .fini = s_fini, .timeout = 120);

#define ALLOW_UNKNOWN S_POLICY "defaults: { unknown: allow }\n"
#define DENY_UNKNOWN S_POLICY "defaults: { unknown: deny }\n"
#define SETUP_FAILED 99 /* exit status of a shell step before the probe */

/* Run @cmd with sh in @c: its exit status; @out gets its output. */
static int sh_in(struct h_container *c, const char *cmd, char *out, size_t size)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int rc = h_container_exec(c, argv, out, size);

	cr_assert_geq(rc, 0, "runc exec failed (%d)", rc);
	cr_assert_neq(rc, SETUP_FAILED, "setup failed: %s: %s", cmd, out);
	return rc;
}

static int bad_sh(const char *cmd, char *out, size_t size)
{
	return sh_in(sc.bad, cmd, out, size);
}

static void reload(const char *yaml)
{
	const char *file = v_policy_file(yaml);

	cr_assert_eq(v_loader("reload", "-c", file, NULL), 0, "%s", v_out);
	unlink(file);
}

/* bad reaches srv's sock by another name with @cmd. The socket backend
 * sees an unknown endpoint: let through (and echoed by srv's listener)
 * under unknown: allow, refused under unknown: deny. The LSM backend sees
 * srv's socket: refused as bad's, whatever the default. The registered
 * name is refused either way.
 */
static void alias(const char *cmd)
{
	char out[1024];

	s_start(ALLOW_UNKNOWN, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(bad_sh(cmd, out, sizeof(out)), v_lsm() ? EPERM : 0, "unknown: allow: %s", out);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 0 : 1, "let through as an unknown endpoint");
	cr_assert_eq(v_stat("denied_no_grant"), v_lsm() ? 2 : 1);

	reload(DENY_UNKNOWN);
	cr_assert_eq(bad_sh(cmd, out, sizeof(out)), EPERM, "unknown: deny: %s", out);
	cr_assert_eq(v_stat("denied_unknown"), v_lsm() ? 0 : 1);
	cr_assert_eq(v_stat("denied_no_grant"), v_lsm() ? 3 : 1);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 0 : 1);
}

/* A shell step that makes or checks the alias, then an echo through it. */
#define VIA(setup, addr) \
	setup " || exit 99; exec " V_PROBE " connect " addr " --send via-alias"

Test(bypass, symlink)
{
	alias(VIA("ln -sf " S_SOCK " /tmp/l.sock", "/tmp/l.sock"));
}

Test(bypass, hard_link)
{
	alias(VIA("ln -f " S_SOCK " /shared/h.sock", "/shared/h.sock"));
}

Test(bypass, relative_path)
{
	alias(VIA("cd /shared", "s.sock"));
}

Test(bypass, proc_root_path)
{
	alias(VIA("test -S /proc/1/root" S_SOCK, "/proc/1/root" S_SOCK));
}

Test(bypass, second_bind_mount)
{
	alias(VIA("test -S " H_SHARED_ALIAS "/s.sock", H_SHARED_ALIAS "/s.sock"));
}

/* LSM backend: the squatter's bind is refused, the owner binds its name. */
static void squat_refused(void)
{
	cr_assert_eq(s_probe(sc.bad, "listen", S_ABSTRACT, NULL), EPERM);
	s_listen(S_ABSTRACT, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_ABSTRACT, "--send", "for-srv", NULL), 0);
	cr_assert_eq(v_stat_total("denied_no_grant"), 1);
}

/* The kernel names a pathname socket up to its first NUL: the registered
 * path followed by a NUL and other bytes, passed at the full length of
 * sockaddr_un, is the same endpoint, for a connect and for a sendto.
 */
Test(bypass, pathname_padded_after_its_nul)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--padded", NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--padded", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "x", "--padded", NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "x", "--padded", NULL), 0);
	cr_assert_eq(v_stat("denied_no_grant"), 2);
}

/* Other spellings of srv's pathnames that the kernel's lookup takes to
 * them ("%s": the socket's file name), passed from the root ("cd /"). A
 * trailing '/' or "/." is ENOTDIR from the kernel (a socket is no
 * directory), which comes before the LSM backend's hooks.
 */
static const struct {
	const char *spelling;
	int notdir;
} spellings[] = {
	{ "//shared/%s", 0 },	       { "/shared//%s", 0 },	{ "/shared/./%s", 0 },
	{ "/./shared/%s", 0 },	       { "/shared/../shared/%s", 0 }, { "/../shared/%s", 0 },
	{ "shared/%s", 0 },	       { "./shared/%s", 0 },	{ "../shared/%s", 0 },
	{ "/shared/%s/", 1 },	       { "/shared/%s/.", 1 },
};
#define NR_SPELLINGS (sizeof(spellings) / sizeof(spellings[0]))

/* @c connects to sock (an echo) and sends to dgram by spelling @i: the
 * exit statuses.
 */
static void spelled(struct h_container *c, size_t i, int *conn, int *send)
{
	char name[64], cmd[256], out[512];

	snprintf(name, sizeof(name), spellings[i].spelling, "s.sock");
	snprintf(cmd, sizeof(cmd), "cd / && exec " V_PROBE " connect %s --send spelled", name);
	*conn = sh_in(c, cmd, out, sizeof(out));
	snprintf(name, sizeof(name), spellings[i].spelling, "d.sock");
	snprintf(cmd, sizeof(cmd), "cd / && exec " V_PROBE " sendto %s spelled", name);
	*send = sh_in(c, cmd, out, sizeof(out));
}

/* What a spelling gets when vipc lets it through: 0, or the kernel's ENOTDIR. */
static int reached(size_t i)
{
	return spellings[i].notdir ? ENOTDIR : 0;
}

/* Under unknown: allow, bad is refused every spelling of srv's names as
 * it is the registered one: each is that endpoint (the socket backend
 * compares pathnames in normal form; the LSM backend decides by the name
 * srv bound).
 */
Test(bypass, every_spelling_of_a_registered_path_is_that_endpoint)
{
	int conn, send, want;
	unsigned long long denied = 0;
	size_t i;

	s_start(ALLOW_UNKNOWN, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	for (i = 0; i < NR_SPELLINGS; i++) {
		want = v_lsm() && spellings[i].notdir ? ENOTDIR : EPERM;
		spelled(sc.bad, i, &conn, &send);
		cr_expect_eq(conn, want, "bad connects by %s", spellings[i].spelling);
		cr_expect_eq(send, want, "bad sends by %s", spellings[i].spelling);
		denied += want == EPERM ? 2 : 0;
	}
	cr_assert_eq(v_stat("denied_no_grant"), denied);
	cr_assert_eq(v_stat("allowed"), 0);
}

/* Under unknown: deny, cli reaches srv by every spelling of the names it
 * is granted: none is an unknown endpoint.
 */
Test(bypass, a_granted_client_reaches_its_endpoints_by_every_spelling)
{
	unsigned long long allowed = 0;
	int conn, send;
	size_t i;

	s_start(DENY_UNKNOWN, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	for (i = 0; i < NR_SPELLINGS; i++) {
		spelled(sc.cli, i, &conn, &send);
		cr_expect_eq(conn, reached(i), "cli connects by %s", spellings[i].spelling);
		cr_expect_eq(send, reached(i), "cli sends by %s", spellings[i].spelling);
		allowed += v_lsm() && spellings[i].notdir ? 0 : 2;
	}
	cr_assert_eq(v_stat("allowed"), allowed);
	cr_assert_eq(v_stat("denied_unknown"), 0);
}

/* bad owns a registered name in a directory it can write and makes it a
 * symlink to srv's socket. The socket backend decides by the name passed:
 * bad is its owner, allowed even under unknown: deny, and srv echoes. The
 * LSM backend decides by the name srv bound: no grant.
 */
Test(bypass, an_owner_points_its_registered_name_at_another_socket)
{
	char out[1024];

	s_start("version: 1\n" S_CONTAINERS S_ENDPOINTS
		"  own: { owner: bad, unix: /shared/own.sock }\n" S_GRANTS
		"defaults: { unknown: deny }\n",
		0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(bad_sh(VIA("ln -sf " S_SOCK " /shared/own.sock", "/shared/own.sock"), out,
			    sizeof(out)),
		     v_lsm() ? EPERM : 0, "%s", out);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 0 : 1, "as the owner of own");
	cr_assert_eq(v_stat("denied_no_grant"), v_lsm() ? 1 : 0);
}

/* cli, granted sock, under unknown: deny, makes /shared/l a symlink to
 * /shared/x/y and connects to /shared/l/../s.sock: the kernel goes up from
 * /shared/x/y and reaches /shared/x/s.sock, where srv listens unregistered.
 * The socket backend decides by the name's lexical form, /shared/s.sock:
 * granted, let through. The LSM backend decides by the name the socket
 * reached was bound to: unknown, refused.
 */
Test(bypass, dot_dot_after_a_symlink_is_decided_by_its_lexical_form)
{
	char out[1024];

	s_start(DENY_UNKNOWN, 0);
	cr_assert_eq(sh_in(sc.srv, "mkdir -p /shared/x/y", out, sizeof(out)), 0, "%s", out);
	s_listen("/shared/x/s.sock", NULL);
	cr_assert_eq(sh_in(sc.cli, VIA("ln -s /shared/x/y /shared/l", "/shared/l/../s.sock"), out,
			   sizeof(out)),
		     v_lsm() ? EPERM : 0, "%s", out);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 0 : 1, "as granted sock");
	cr_assert_eq(v_stat("denied_unknown"), v_lsm() ? 1 : 0);
}

Test(bypass, abstract_name_squatting)
{
	const char *squat[] = { V_PROBE, "listen", S_ABSTRACT, NULL };
	pid_t pid;

	s_start(S_POLICY, 1);
	if (v_lsm()) {
		squat_refused();
		return;
	}
	/* bad binds srv's registered name first: no bind hook stops it. */
	pid = h_container_spawn(sc.bad, squat, "ready");
	cr_assert_gt(pid, 0, "bad could not bind " S_ABSTRACT);
	cr_assert_eq(s_probe(sc.srv, "listen", S_ABSTRACT, NULL), EADDRINUSE,
		     "the owner could still bind its name");

	/* cli, granted abs, is allowed by name and talks to bad. */
	cr_assert_eq(s_probe(sc.cli, "connect", S_ABSTRACT, "--send", "for-srv", NULL), 0);
	cr_assert_eq(h_spawn_expect(pid, "got for-srv", 3000), 0, "cli did not reach the squatter");
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 0);
}

/* srv's private path: in its own /tmp (each container has its own). */
#define S_PRIVATE "/tmp/app.sock"
/* The usual policy, srv owning S_PRIVATE too, cli granted it. */
#define PRIVATE_POLICY                                                     \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS                            \
	"  priv: { owner: srv, unix: " S_PRIVATE " }\n" S_GRANTS             \
	"  - { container: cli, endpoint: priv, allow: [connect] }\n"

/* @c binds @addr, a name srv registered, in its own namespaces (no bind
 * hook stops it on the socket backend; the LSM backend lets it, its place
 * being none of srv's homes) and connects to it: the exit status.
 */
static int own_name(struct h_container *c, const char *addr)
{
	const char *argv[] = { V_PROBE, "listen", addr, NULL };

	cr_assert_gt(h_container_spawn(c, argv, "ready"), 0, "%s could not bind its own %s",
		     h_container_id(c), addr);
	return s_probe(c, "connect", addr, "--send", "own", NULL);
}

/* A container the policy does not list, in srv's network namespace. */
static struct h_container *unlisted_beside_srv(void)
{
	struct h_container_opts o = { .name = "other", .share_netns_with = sc.srv };
	struct h_container *c = h_container_start(&o);

	cr_assert_not_null(c);
	return c;
}

/* An abstract name belongs to a network namespace, a pathname socket is a
 * file. bad, in its own namespaces, binds srv's registered abstract name
 * and srv's private path (in its own /tmp) and connects to each. The LSM
 * backend learnt srv's namespace and directories at srv's binds: bad's
 * sockets are not the endpoints, and bad's unknown: allow lets it through.
 * The socket backend alone learns nothing (no bind hook) and sees only the
 * names: they are the endpoints wherever they are called, and bad is
 * refused (fail closed). srv's own sockets stay closed: to a caller the
 * policy does not list in srv's namespace, and (LSM) to a bind of a
 * registered name in srv's directory /shared.
 */
Test(bypass, a_registered_name_in_other_namespaces_is_not_the_endpoint)
{
	s_start(PRIVATE_POLICY "defaults: { unknown: allow }\n", 0);
	s_listen(S_ABSTRACT, NULL);
	s_listen(S_PRIVATE, NULL);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(own_name(sc.bad, S_ABSTRACT), v_lsm() ? 0 : EPERM);
	cr_assert_eq(own_name(sc.bad, S_PRIVATE), v_lsm() ? 0 : EPERM);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 2 : 0, "bad's unknown: allow");
	cr_assert_eq(v_stat("denied_no_grant"), v_lsm() ? 0 : 2);
	cr_assert_eq(s_probe(unlisted_beside_srv(), "connect", S_ABSTRACT, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), v_lsm() ? 1 : 3);
	if (v_lsm())
		cr_assert_eq(s_probe(sc.bad, "listen", S_DGRAM, "--dgram", NULL), EPERM,
			     "bad bound a registered name in srv's directory");
}

/* cli, granted srv's abstract and private endpoints, under unknown: deny,
 * binds the same names in its own namespaces and connects to them. The
 * LSM backend does not take cli's sockets for srv's endpoints: unknown
 * names, refused. The socket backend alone decides by the names: granted.
 */
Test(bypass, a_grant_does_not_reach_a_same_named_socket_in_other_namespaces)
{
	s_start(PRIVATE_POLICY "defaults: { unknown: deny }\n", 0);
	s_listen(S_ABSTRACT, NULL);
	s_listen(S_PRIVATE, NULL);
	cr_assert_eq(own_name(sc.cli, S_ABSTRACT), v_lsm() ? EPERM : 0);
	cr_assert_eq(own_name(sc.cli, S_PRIVATE), v_lsm() ? EPERM : 0);
	cr_assert_eq(v_stat("denied_unknown"), v_lsm() ? 2 : 0);
	cr_assert_eq(v_stat("allowed"), v_lsm() ? 0 : 2, "as granted abs and priv");
}

Test(bypass, a_connection_passed_to_an_ungranted_container)
{
	const char *take[] = { V_PROBE, "recvfd", "/shared/side.sock", "smuggled", NULL };
	pid_t pid;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);

	/* cli connects (granted) and hands the socket to bad over a side socket. */
	pid = h_container_spawn(sc.bad, take, "ready");
	cr_assert_gt(pid, 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--pass-over", "/shared/side.sock", NULL),
		     0);
	/* Socket backend: nothing sees bad's traffic. LSM backend: the passed
	 * connection is re-checked on bad's send, as bad.
	 */
	cr_assert_eq(h_spawn_wait(pid, 5000), v_lsm() ? EPERM : 0,
		     "bad's send over the passed socket");
	/* Decided: bad's connect, cli's connect and cli's side connect (unknown). */
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat("allowed"), 2);
	cr_assert_eq(v_stat_total("denied_no_grant"), v_lsm() ? 2 : 1);
}

Test(bypass, socketpair_across_exec_meets_no_hook)
{
	s_start(DENY_UNKNOWN, 0);
	cr_assert_eq(s_probe(sc.bad, "pair", "paired", NULL), 0);
	cr_assert_eq(v_stat("lookups"), 0, "no decision for a socket without an address");
	cr_assert_eq(v_stat("allowed"), 0);
	cr_assert_eq(v_stat("denied_unknown"), 0);
}

Test(bypass, a_container_cannot_reach_cgroupfs_to_move_itself)
{
	char out[1024], move[PATH_MAX + 64];

	s_start(S_POLICY, 0);
	cr_assert_eq(bad_sh("grep cgroup /proc/self/mounts", out, sizeof(out)), 1,
		     "a cgroup fs is mounted in bad: %s", out);
	snprintf(move, sizeof(move), "echo $$ > %s/vipc-test/cli/cgroup.procs", h_cgroup2());
	cr_assert_neq(bad_sh(move, out, sizeof(out)), 0, "bad moved itself");
	cr_assert_neq(bad_sh("mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg 2>&1", out,
			     sizeof(out)),
		      0, "bad mounted cgroup2");
	cr_assert(strstr(out, "permission denied"), "no CAP_SYS_ADMIN in bad: %s", out);
}

/* A process of bad, moved by the host into @rel, then connecting to sock:
 * its exit status.
 */
static int connect_after_move(const char *rel)
{
	return h_spawn_wait(s_spawn_moved(sc.bad, rel, V_PROBE " connect " S_SOCK), 10000);
}

Test(bypass, a_process_the_host_moves_into_cli_is_cli)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(connect_after_move(h_container_cgroup(sc.cli)), 0);
	cr_assert_eq(v_stat("allowed"), 1, "decided as cli");
	cr_assert_eq(v_stat("denied_no_grant"), 0);
}

Test(bypass, a_child_cgroup_of_bad_is_still_bad)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(h_cgroup_make("vipc-test/bad/child"), 0);
	cr_assert_eq(connect_after_move("vipc-test/bad/child"), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1, "decided as bad");
	cr_assert_eq(v_stat("allowed"), 0);
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* @c holds a session on sock across @change, after which new connects
 * from @c are refused: the session goes on echoing (five more echoes,
 * however long the change took), then ends on SIGTERM with status 0.
 */
static void session_outlives(struct h_container *c, void (*change)(void))
{
	const char *argv[] = { V_PROBE, "session", S_SOCK, "600", NULL };
	static char out[8192];
	char more[32];
	pid_t pid;

	pid = h_container_spawn(c, argv, "connected");
	cr_assert_gt(pid, 0, "session did not connect");
	change();
	h_spawn_output(pid, out, sizeof(out));
	cr_assert_eq(s_probe(c, "connect", S_SOCK, NULL), EPERM, "new connects are refused");
	snprintf(more, sizeof(more), "ok %d\n", count(out, "ok ") + 5);
	cr_assert_eq(h_spawn_expect(pid, more, 10000), 0, "no '%s' after the change: %s", more,
		     out);
	cr_assert_eq(h_spawn_stop(pid), 0, "the established connection was cut");
}

static void load_policy(void)
{
	v_load(S_POLICY);
}

Test(bypass, a_connection_made_before_the_policy_keeps_working)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	v_unload();
	session_outlives(sc.bad, load_policy);
	cr_assert_eq(v_stat("denied_no_grant"), 1, "only the new connect was decided");
}

static void revoke_sock(void)
{
	cr_assert_eq(v_loader("revoke", "--endpoint", "sock", NULL), 0, "%s", v_out);
}

/* LSM backend: the revocation cuts the session at its next send. */
static void session_cut(void)
{
	const char *argv[] = { V_PROBE, "session", S_SOCK, "30", NULL };
	pid_t pid = h_container_spawn(sc.cli, argv, "ok 2");

	cr_assert_gt(pid, 0, "session did not get going");
	revoke_sock();
	cr_assert_eq(h_spawn_wait(pid, 10000), EPERM, "the established connection goes on");
	cr_assert_eq(v_stat_total("denied_revoked"), 1);
}

Test(bypass, revoking_while_connected)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	if (v_lsm()) {
		session_cut();
		return;
	}
	session_outlives(sc.cli, revoke_sock);
	cr_assert_eq(v_stat("denied_revoked"), 1);
	cr_assert_eq(v_stat("allowed"), 1, "the session's connect");
}

/* The usual policy without cli's send grant on dgram. */
#define NO_DGRAM_GRANT                                             \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"         \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n" \
	"  - { container: cli, endpoint: abs, allow: [connect] }\n"

/* cli connects a datagram socket to dgram while granted send, then a
 * reload takes the grant away. The socket backend decides the connect
 * only (sendmsg_unix runs when an address is passed): the connected socket
 * keeps sending. The LSM backend decides every datagram (unix_may_send):
 * the next ones get EPERM. An unconnected send is refused on both.
 */
Test(bypass, a_connected_datagram_socket_after_the_grant_is_gone)
{
	const char *recv[] = { V_PROBE, "listen", S_DGRAM, "--dgram", NULL };
	const char *send[] = { V_PROBE, "dgram-session", S_DGRAM, "120", "--connect", NULL };
	static char out[16384];
	char more[32];
	pid_t srv, cli;
	int oks, eperms;

	s_start(S_POLICY, 0);
	srv = h_container_spawn(sc.srv, recv, "ready");
	cr_assert_gt(srv, 0, "listener on %s", S_DGRAM);
	cli = h_container_spawn(sc.cli, send, "ok 2");
	cr_assert_gt(cli, 0, "the connected socket did not send");
	cr_assert_eq(h_spawn_expect(srv, "got x", 5000), 0, "srv received nothing");
	reload(NO_DGRAM_GRANT);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "x", NULL), EPERM, "the grant is gone");

	/* Five more sends after the change, all delivered or all refused. */
	h_spawn_output(cli, out, sizeof(out));
	oks = count(out, "ok ");
	snprintf(more, sizeof(more), v_lsm() ? "eperm %d\n" : "ok %d\n", oks + 5);
	cr_assert_eq(h_spawn_expect(cli, more, 10000), 0, "no '%s' after the change: %s", more,
		     out);
	cr_assert_eq(h_spawn_stop(cli), 0);
	h_spawn_output(cli, out, sizeof(out));
	oks = count(out, "ok ");
	eperms = count(out, "eperm ");
	if (v_lsm()) {
		cr_assert_null(strstr(strstr(out, "eperm "), "ok "),
			       "delivered after a refusal: %s", out);
		cr_assert_eq(v_stat("allowed"), 1 + oks, "the connect and each delivered datagram");
		cr_assert_eq(v_stat("denied_no_grant"), eperms + 1,
			     "each refused one and the sendto");
		return;
	}
	cr_assert_eq(eperms, 0, "%s", out);
	cr_assert_eq(v_stat("allowed"), 1, "the connect only");
	cr_assert_eq(v_stat("denied_no_grant"), 1, "the unconnected sendto only");
}
