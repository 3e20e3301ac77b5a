// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* TCP and UDP ports as endpoints, with real containers sharing one network
 * namespace as a pod's do: srv owns 127.0.0.1:PORT (TCP, an HTTP server)
 * and 127.0.0.1:PORT (UDP); cli is granted, bad is not, out is no
 * container of the policy, aud is bad in audit mode; far is a container of
 * another network namespace (another pod). The clients are real: curl,
 * socat, python3 (the host's tools, bound read-only into the containers).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

#define WEB "127.0.0.1:18080"
#define DNS "127.0.0.1:18053"

static const char policy[] = "version: 1\n"
			     "containers:\n"
			     "  srv: { cgroup: vipc-test/srv }\n"
			     "  cli: { cgroup: vipc-test/cli }\n"
			     "  bad: { cgroup: vipc-test/bad }\n"
			     "  aud: { cgroup: vipc-test/aud, mode: audit }\n"
			     "  far: { cgroup: vipc-test/far }\n"
			     "endpoints:\n"
			     "  web: { owner: srv, tcp: \"" WEB "\" }\n"
			     "  dns: { owner: srv, udp: \"" DNS "\" }\n"
			     "grants:\n"
			     "  - { container: cli, endpoint: web, allow: [connect] }\n"
			     "  - { container: cli, endpoint: dns, allow: [send] }\n";

/* The host's tools, for the containers (merged /usr: the rest are links). */
static const char *const host_dirs[] = { "/usr", "/lib", "/lib64", NULL };

/* The containers' PATH holds /bin only: the host's tools first. */
#define TOOLS "PATH=/usr/bin:/bin; "

static struct h_container *srv, *cli, *bad, *out, *aud, *far;

static struct h_container *start(const char *name, struct h_container *netns)
{
	struct h_container_opts o = { .name = name, .shared_dir = sc.shared,
				      .share_netns_with = netns, .host_dirs = host_dirs };
	struct h_container *c = h_container_start(&o);

	cr_assert_not_null(c, "container %s did not start", name);
	return c;
}

/* vipc loaded with the policy; the pod srv, cli, bad, out, aud; far alone. */
static void setup(void)
{
	s_init();
	cr_assert_eq(h_cgroup_make("vipc-test/out"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/aud"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/far"), 0);
	v_require_root();
	v_load(policy);
	srv = start("srv", NULL);
	cli = start("cli", srv);
	bad = start("bad", srv);
	out = start("out", srv);
	aud = start("aud", srv);
	far = start("far", NULL);
}

TestSuite(inet, .init = setup, .fini = s_fini, .timeout = 120);

/* Run the shell line @fmt in @c, stderr with stdout into v_out: its status. */
__attribute__((format(printf, 2, 3))) static int sh(struct h_container *c, const char *fmt, ...)
{
	char line[1024];
	const char *argv[] = { "/bin/sh", "-c", line, NULL };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(line + strlen(TOOLS), sizeof(line) - strlen(TOOLS), fmt, ap);
	va_end(ap);
	memcpy(line, TOOLS, strlen(TOOLS));
	strncat(line, " 2>&1", sizeof(line) - strlen(line) - 1);
	rc = h_container_exec(c, argv, v_out, sizeof(v_out));
	cr_assert_geq(rc, 0, "runc exec of %s failed (%d)", line, rc);
	return rc;
}

/* Start the shell line @cmd in @c and wait until its output holds @ready. */
static void serve(struct h_container *c, const char *cmd, const char *ready)
{
	char line[1024];
	const char *argv[] = { "/bin/sh", "-c", line, NULL };

	snprintf(line, sizeof(line), "%s%s", TOOLS, cmd);

	cr_assert_gt(h_container_spawn(c, argv, ready), 0, "%s did not start", cmd);
}

/* An HTTP server on WEB in @c: a socat sending each connection the
 * response in /shared/@file, made here with @body.
 */
static void web_in(struct h_container *c, const char *file, const char *body)
{
	char path[512], cmd[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sc.shared, file);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fprintf(f, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "exec socat -d -d -U TCP-LISTEN:18080,bind=127.0.0.1,reuseaddr,fork "
		 "OPEN:/shared/%s,rdonly", file);
	serve(c, cmd, "listening on");
}

/* srv's HTTP server. */
static void web(void)
{
	web_in(srv, "srv.http", "hello\n");
}

/* curl from @c to WEB: its exit status (7: it could not connect). */
static int curl(struct h_container *c)
{
	return sh(c, "curl -sS -m 10 http://" WEB "/");
}

/* srv's UDP socket on DNS, printing what it receives. */
static pid_t dns(void)
{
	const char *argv[] = { "/bin/sh", "-c",
			       TOOLS "exec socat -d -d -u UDP-RECV:18053,bind=127.0.0.1 STDOUT",
			       NULL };
	pid_t p = h_container_spawn(srv, argv, "starting data transfer loop");

	cr_assert_gt(p, 0, "the UDP receiver did not start");
	return p;
}

/* A datagram from @c to DNS with sendto (@connected 0) or connect and
 * write: socat's exit status.
 */
static int udp(struct h_container *c, const char *msg, int connected)
{
	return sh(c, "echo %s | socat -u - %s:" DNS, msg, connected ? "UDP" : "UDP-SENDTO");
}

/* A bind of @c to @addr ("TCP-LISTEN:18080,bind=127.0.0.1"): 0 when it
 * was refused with EPERM, 1 when socat listened (and was stopped).
 */
static int bound(struct h_container *c, const char *addr)
{
	int rc = sh(c, "timeout 1 socat -u %s -", addr);

	if (strstr(v_out, "Permission denied") || strstr(v_out, "Operation not permitted"))
		return 0;
	cr_assert_neq(rc, 0, "socat on %s ended without a connection: %s", addr, v_out);
	return 1;
}

/* The backend's hook name for a connect, a sendto and a bind. */
static const char *hook(char which)
{
	if (v_lsm())
		return which == 'c' ? "socket_connect" : which == 's' ? "socket_sendmsg" :
									 "socket_bind";
	return which == 'c' ? "connect_inet" : which == 's' ? "sendmsg_inet" : "bind_inet";
}

Test(inet, tcp_connect_is_the_grant_holders_and_the_owners)
{
	web();
	cr_assert_eq(curl(cli), 0, "%s", v_out);
	cr_assert(strstr(v_out, "hello"), "%s", v_out);
	cr_assert_eq(curl(srv), 0, "the owner reaches its own port: %s", v_out);
	cr_assert_eq(curl(bad), 7, "%s", v_out);
	cr_assert_eq(curl(out), 7, "a caller no container holds: %s", v_out);
	cr_assert_eq(v_stat_hook(hook('c'), "allowed"), 2);
	cr_assert_eq(v_stat_hook(hook('c'), "denied_no_grant"), 2);
}

Test(inet, wildcard_and_mapped_addresses_are_the_same_port)
{
	web();
	cr_assert_eq(sh(bad, "curl -sS -m 10 http://0.0.0.0:18080/"), 7, "%s", v_out);
	cr_assert_eq(sh(bad, "curl -sS -m 10 -g 'http://[::ffff:127.0.0.1]:18080/'"), 7, "%s",
		     v_out);
	cr_assert_eq(v_stat_hook(hook('c'), "denied_no_grant"), 2);
	cr_assert_eq(sh(cli, "curl -sS -m 10 -g 'http://[::ffff:127.0.0.1]:18080/'"), 0, "%s",
		     v_out);
}

Test(inet, udp_send_is_the_grant_holders)
{
	char got[4096];
	pid_t p = dns();

	cr_assert_eq(udp(cli, "granted-sendto", 0), 0, "%s", v_out);
	cr_assert_eq(udp(cli, "granted-connected", 1), 0, "%s", v_out);
	cr_assert_neq(udp(bad, "denied-sendto", 0), 0, "%s", v_out);
	cr_assert(strstr(v_out, "not permitted"), "%s", v_out);
	cr_assert_neq(udp(bad, "denied-connected", 1), 0, "%s", v_out);
	cr_assert_neq(udp(out, "unlisted", 0), 0, "%s", v_out);
	cr_assert_eq(h_spawn_expect(p, "granted-connected", h_scale_ms(5000)), 0);
	h_spawn_output(p, got, sizeof(got));
	cr_assert(strstr(got, "granted-sendto"), "%s", got);
	cr_assert(!strstr(got, "denied") && !strstr(got, "unlisted"), "%s", got);
	cr_assert_eq(v_stat_hook(hook('s'), "denied_no_grant"), 2);
}

Test(inet, a_registered_port_is_bound_by_its_owner_only)
{
	cr_assert_eq(bound(bad, "TCP-LISTEN:18080,bind=127.0.0.1"), 0, "%s", v_out);
	cr_assert_eq(bound(bad, "TCP-LISTEN:18080,bind=0.0.0.0"), 0, "%s", v_out);
	cr_assert_eq(bound(bad, "TCP6-LISTEN:18080,bind=[::]"), 0, "%s", v_out);
	cr_assert_eq(bound(cli, "UDP-RECV:18053,bind=127.0.0.1"), 0, "connect is no bind: %s",
		     v_out);
	cr_assert_eq(bound(out, "TCP-LISTEN:18080,bind=127.0.0.1"), 0, "%s", v_out);
	cr_assert_eq(v_stat_hook(hook('b'), "denied_no_grant"), 4);
	cr_assert_eq(v_stat_hook(hook('b'), "denied_no_perm"), 1, "cli holds send, not bind");
	cr_assert_eq(bound(bad, "TCP-LISTEN:18081,bind=127.0.0.1"), 1, "another port: %s", v_out);
	cr_assert_eq(bound(srv, "TCP-LISTEN:18080,bind=127.0.0.1"), 1, "the owner: %s", v_out);
}

Test(inet, revoking_the_endpoint_stops_new_connects)
{
	web();
	cr_assert_eq(curl(cli), 0, "%s", v_out);
	cr_assert_eq(v_loader("revoke", "--endpoint", "web", NULL), 0, "%s", v_out);
	cr_assert_eq(curl(cli), 7, "%s", v_out);
	cr_assert_eq(v_stat_hook(hook('c'), "denied_revoked"), 1);
	cr_assert_eq(v_loader("grant", "cli", "web", "connect", NULL), 0, "%s", v_out);
	cr_assert_eq(curl(cli), 0, "%s", v_out);
	cr_assert_eq(v_loader("grant", "cli", "web", "pass-fd", NULL), VIPC_EXIT_USAGE, "%s",
		     v_out);
}

Test(inet, audit_lets_through_and_reports)
{
	web();
	cr_assert_eq(curl(aud), 0, "%s", v_out);
	cr_assert_eq(v_stat_hook(hook('c'), "audited"), 1);
	cr_assert_eq(curl(bad), 7, "%s", v_out);
	cr_assert_eq(v_loader("events", "--json", "--count", "2", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"type\":\"would-deny\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"tcp:" WEB "\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"bad\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"perm\":\"connect\""), "%s", v_out);
}

Test(inet, another_network_namespace_has_its_own_port)
{
	web();
	/* srv's bind taught vipc where its port lives: far's own netns is not there. */
	web_in(far, "far.http", "far\n");
	cr_assert_eq(curl(far), 0, "%s", v_out);
	cr_assert(strstr(v_out, "far"), "%s", v_out);
	cr_assert_eq(curl(bad), 7, "in the pod it is still srv's: %s", v_out);
	cr_assert_eq(v_stat_hook(hook('b'), "denied_no_grant"), 0);
}

/* The real thing on the host: Python's HTTP server and socket module. */
Test(inet, python_http_server_and_socket)
{
	const char *py = "/usr/bin/python3";

	if (access(py, X_OK))
		cr_skip_test("no %s", py);
	serve(srv, "exec python3 -u -m http.server --bind 127.0.0.1 --directory /tmp 18080",
	      "Serving HTTP");
	cr_assert_eq(curl(cli), 0, "%s", v_out);
	cr_assert_eq(curl(bad), 7, "%s", v_out);
	/* MPTCP reaches TCP ports: it is TCP to vipc. */
	cr_assert_eq(sh(bad, "%s -c \"import socket; s = socket.socket(socket.AF_INET, "
			"socket.SOCK_STREAM, 262); s.connect(('127.0.0.1', 18080))\"", py),
		     1, "%s", v_out);
	cr_assert(strstr(v_out, "PermissionError"), "%s", v_out);
	cr_assert_eq(sh(bad, "%s -c \"import socket; s = socket.socket(socket.AF_INET, "
			"socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', 18053))\"", py),
		     1, "%s", v_out);
	cr_assert(strstr(v_out, "PermissionError"), "%s", v_out);
	cr_assert_eq(sh(cli, "%s -c \"import socket; s = socket.socket(socket.AF_INET, "
			"socket.SOCK_DGRAM); s.sendto(b'x', ('127.0.0.1', 18053))\"", py),
		     0, "%s", v_out);
}

Test(inet, endpoint_add_grant_and_check_take_ports)
{
	cr_assert_eq(v_loader("endpoint", "add", "stats", "srv", "udp:127.0.0.1:18125", NULL), 0,
		     "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "add", "x", "srv", "udp:127.0.0.1:0", NULL),
		     VIPC_EXIT_USAGE, "%s", v_out);
	cr_assert_eq(v_loader("grant", "cli", "stats", "send", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("check", "cli", "udp:127.0.0.1:18125", "send", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("check", "bad", "stats", "send", NULL), VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"address\":\"udp:127.0.0.1:18125\""), "%s", v_out);
	cr_assert_eq(sh(cli, "echo hi | socat -u - UDP-SENDTO:127.0.0.1:18125"), 0, "%s", v_out);
	cr_assert_neq(sh(bad, "echo hi | socat -u - UDP-SENDTO:127.0.0.1:18125"), 0, "%s", v_out);
	cr_assert_eq(v_stat_hook(hook('s'), "denied_no_grant"), 1);
}

/* A TCP connection cli opened before its grant is revoked: the socket
 * backend decided its connect only, so it keeps talking; the LSM and
 * fmodret backends re-check every send on it, and cut it.
 */
Test(inet, revoking_while_connected)
{
	char go[512], got[4096];
	const char *argv[] = { "/bin/sh", "-c",
			       TOOLS "(echo one; while [ ! -e /shared/go ]; do sleep 0.1; done; "
				     "echo two; sleep 1) | socat -t 2 - TCP:" WEB " 2>&1",
			       NULL };
	pid_t p;
	int rc;

	serve(srv, "exec socat -d -d TCP-LISTEN:18080,bind=127.0.0.1,reuseaddr,fork EXEC:cat",
	      "listening on");
	p = h_container_spawn(cli, argv, "one");
	cr_assert_gt(p, 0, "the client did not connect");
	cr_assert_eq(v_loader("revoke", "--endpoint", "web", NULL), 0, "%s", v_out);
	snprintf(go, sizeof(go), "%s/go", sc.shared);
	cr_assert_eq(close(open(go, O_CREAT | O_WRONLY, 0644)), 0, "%s", go);
	rc = h_spawn_wait(p, h_scale_ms(10000));
	h_spawn_output(p, got, sizeof(got));
	if (!v_lsm()) {
		cr_assert_eq(rc, 0, "%s", got);
		cr_assert(strstr(got, "two"), "the socket backend decides at connect: %s", got);
		return;
	}
	cr_assert_neq(rc, 0, "%s", got);
	cr_assert(!strstr(got, "two"), "%s", got);
	cr_assert(strstr(got, "not permitted"), "%s", got);
	cr_assert_geq(v_stat_hook("socket_sendmsg", "denied_revoked"), 1);
}
