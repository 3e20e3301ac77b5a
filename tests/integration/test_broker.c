// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The name broker on the socket backend: a client reaches endpoint NAME at
 * the abstract name vipc/NAME, decided as the endpoint itself (grant,
 * others:, counters, events) and sent to its socket; a name no endpoint
 * has is refused (ECONNREFUSED); a reload that moves the endpoint sends
 * every connection after the flip to the new socket. Real clients nobody
 * here wrote (curl, socat, Python's socket) in the scene's cgroups.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(broker, .init = s_init, .fini = s_fini, .timeout = 180);

/* Python's socket as the servers and the clients:
 *   serve PATH WHO        answer each stream connection with WHO
 *   recv PATH             print each datagram received
 *   send NAME MSG...      sendto the abstract NAME from one socket, each MSG
 *   loop NAME FLAG N      connect to the abstract NAME until N connections
 *                         began after FLAG existed; count who answered
 *   ask ADDR              connect to ADDR (a path, else abstract), print who
 *                         answered (ERRn: the errno)
 */
static const char peer_py[] =
	"import os, socket, sys\n"
	"def listen(path, kind):\n"
	"    s = socket.socket(socket.AF_UNIX, kind)\n"
	"    if os.path.exists(path): os.unlink(path)\n"
	"    s.bind(path)\n"
	"    return s\n"
	"def ask(name):\n"
	"    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"    try:\n"
	"        s.connect(name.encode() if name[0] == '/' else b'\\0' + name.encode())\n"
	"        return s.recv(16).decode().strip() or 'EOF'\n"
	"    except OSError as e:\n"
	"        return 'ERR%d' % e.errno\n"
	"    finally:\n"
	"        s.close()\n"
	"mode, arg = sys.argv[1], sys.argv[2]\n"
	"if mode == 'serve':\n"
	"    s = listen(arg, socket.SOCK_STREAM); s.listen(512); print('ready', flush=True)\n"
	"    while True:\n"
	"        c, _ = s.accept(); c.sendall(sys.argv[3].encode() + b'\\n'); c.close()\n"
	"elif mode == 'recv':\n"
	"    s = listen(arg, socket.SOCK_DGRAM); print('ready', flush=True)\n"
	"    while True: print('got', s.recv(256).decode(), flush=True)\n"
	"elif mode == 'send':\n"
	"    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n"
	"    for m in sys.argv[3:]:\n"
	"        try: s.sendto(m.encode(), b'\\0' + arg.encode()); print('sent', m)\n"
	"        except OSError as e: print('errno', e.errno)\n"
	"elif mode == 'ask':\n"
	"    print('answer', ask(arg))\n"
	"else:\n"
	"    count, post = {}, 0\n"
	"    while post < int(sys.argv[4]):\n"
	"        after = os.path.exists(sys.argv[3])\n"
	"        who = ('post ' if after else 'pre ') + ask(arg)\n"
	"        count[who] = count.get(who, 0) + 1\n"
	"        post += after\n"
	"        if sum(count.values()) == 1: print('looping', flush=True)\n"
	"    print(' '.join('%s=%d' % (k.replace(' ', '_'), v) for k, v in sorted(count.items())))\n";

static char web_a[PATH_MAX], web_b[PATH_MAX], web_c[PATH_MAX], dgram_path[PATH_MAX];

/* The scene's containers and endpoints, `web` at @web and `dg` at
 * dgram_path, cli granted both, and `others:` for web (@others, "" for
 * the default).
 */
static const char *policy(const char *web, const char *others)
{
	static char yaml[5 * PATH_MAX + 1024];

	snprintf(yaml, sizeof(yaml),
		 "version: 1\n" S_CONTAINERS
		 "endpoints:\n"
		 "  web: { owner: srv, unix: %s%s }\n"
		 "  dg: { owner: srv, unix: %s }\n"
		 "grants:\n"
		 "  - { container: cli, endpoint: web, allow: [connect] }\n"
		 "  - { container: cli, endpoint: dg, allow: [send] }\n",
		 web, others, dgram_path);
	return yaml;
}

/* The script's path (v_tmp_file's buffer is its next call's). */
static const char *peer(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", v_tmp_file("broker-peer.py", peer_py));
	return path;
}

/* The socket paths, in the scene's shared directory. */
static void paths(void)
{
	snprintf(web_a, sizeof(web_a), "%s/a.sock", sc.shared);
	snprintf(web_b, sizeof(web_b), "%s/b.sock", sc.shared);
	snprintf(web_c, sizeof(web_c), "%s/c.sock", sc.shared);
	snprintf(dgram_path, sizeof(dgram_path), "%s/d.sock", sc.shared);
}

/* A counter of the socket backend's hooks, where the broker decides. */
static unsigned long long sock_stat(const char *field)
{
	return v_stat_hook("connect_unix", field) + v_stat_hook("sendmsg_unix", field);
}

/* Load @yaml; under the LSM or fmodret backend with the socket backend
 * beside it (the broker's), whose rewritten calls they decide again.
 */
static void load(const char *yaml)
{
	char backends[32];

	snprintf(backends, sizeof(backends), "sock,%s", v_backend());
	v_require_root();
	v_load_opts(yaml, v_lsm() ? (const char *const[]){ "--backend", backends, NULL } : NULL);
}

/* Load the policy with web at @web (NULL: web_a). */
static void start(const char *web, const char *others)
{
	paths();
	load(policy(web ?: web_a, others));
}

/* A stream server in srv answering WHO on @path. */
static void serve(const char *path, const char *who)
{
	const char *argv[] = { "python3", peer(), "serve", path, who, NULL };

	cr_assert_gt(h_spawn("vipc-test/srv", argv, "ready"), 0, "server %s", who);
}

/* socat serving HTTP on web_a, as srv. */
static void http_serve(void)
{
	s_http_serve(web_a);
}

/* curl to vipc/@name from cgroup @rel ("" the root): the HTTP status
 * ("000" when it could not connect), curl's exit status in *@rc.
 */
static const char *curl_from(const char *rel, const char *name, int *rc)
{
	static char out[256];
	char abs[64];
	const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
			       "--max-time", "10", "--abstract-unix-socket", abs, "http://vipc/",
			       NULL };

	snprintf(abs, sizeof(abs), "vipc/%s", name);
	*rc = h_run_cg(rel, argv, out, sizeof(out));
	return out;
}

/* socat to vipc/@name from cgroup @rel: its exit status, stderr in @out. */
static int socat_from(const char *rel, const char *name, char *out, size_t size)
{
	char addr[64];
	const char *argv[] = { "socat", "-u", addr, "-", NULL };

	snprintf(addr, sizeof(addr), "ABSTRACT-CONNECT:vipc/%s", name);
	return h_run_cg(rel, argv, out, size);
}

/* The granted container's curl is served through the broker, decided and
 * counted as a connect to the endpoint itself.
 */
Test(broker, curl_reaches_the_endpoint_by_its_name)
{
	unsigned long long brokered;
	int rc;

	start(NULL, "");
	http_serve();
	brokered = sock_stat("brokered");
	cr_assert_str_eq(curl_from("vipc-test/cli", "web", &rc), "200", "curl exit %d", rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(sock_stat("brokered"), brokered + 1);
	/* Counted as the endpoint's, as a direct connect is. */
	cr_assert_eq(v_loader("stats", "--by-container", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"cli\",\"container_id\":2,\"endpoint\":\"web\",\"endpoint_id\":1,\"hook\":\"connect_unix\",\"verdict\":\"allow\",\"reason\":\"granted\",\"count\":1"),
		  "%s", v_out);
	/* With the LSM backend beside it, its hook decided on the real socket. */
	if (v_lsm())
		cr_assert_gt(v_stat_hook(v_hook(0), "allowed"), 0);
	/* The owner reaches its own endpoint by name too. */
	cr_assert_str_eq(curl_from("vipc-test/srv", "web", &rc), "200", "curl exit %d", rc);
}

/* A listed container without the grant: EPERM (curl 7, socat's error),
 * counted and evented under the endpoint, nothing brokered.
 */
Test(broker, a_caller_without_the_grant_gets_eperm)
{
	unsigned long long denied, brokered;
	char err[1024];
	int rc;

	start(NULL, "");
	http_serve();
	denied = sock_stat("denied_no_grant");
	brokered = sock_stat("brokered");
	cr_assert_str_eq(curl_from("vipc-test/bad", "web", &rc), "000");
	cr_assert_eq(rc, 7, "curl exit %d", rc);
	cr_assert_neq(socat_from("vipc-test/bad", "web", err, sizeof(err)), 0);
	cr_assert(strstr(err, "Operation not permitted"), "%s", err);
	cr_assert_eq(sock_stat("denied_no_grant"), denied + 2);
	cr_assert_eq(sock_stat("brokered"), brokered);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "10", NULL), 0,
		     "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"bad\"") && strstr(v_out, "\"name\":\"@vipc/web\"") &&
		  strstr(v_out, "\"reason\":\"no-grant\""), "%s", v_out);
	cr_assert_null(strstr(v_out, "\"endpoint_id\":0"), "%s", v_out);
}

/* A caller no container holds gets the endpoint's others: denied by
 * default, served with `others: allow`.
 */
Test(broker, an_unlisted_caller_gets_what_others_says)
{
	int rc;

	start(NULL, "");
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	cr_assert_str_eq(curl_from("vipc-test/stranger", "web", &rc), "000");
	cr_assert_eq(rc, 7, "curl exit %d", rc);
	cr_assert_str_eq(curl_from("", "web", &rc), "000");
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(policy(web_a, ", others: allow")),
			      NULL), 0, "%s", v_out);
	cr_assert_str_eq(curl_from("vipc-test/stranger", "web", &rc), "200", "curl exit %d", rc);
	cr_assert_str_eq(curl_from("", "web", &rc), "200", "curl exit %d", rc);
}

/* A vipc/ name no endpoint has: ECONNREFUSED for every caller, counted,
 * even with a socket bound at that abstract name.
 */
Test(broker, an_unknown_name_is_refused)
{
	const char *argv[] = { "socat", "ABSTRACT-LISTEN:vipc/nope,fork", "SYSTEM:echo squat",
			       NULL };
	unsigned long long unknown;
	char err[1024];

	start(NULL, "");
	cr_assert_gt(h_spawn("vipc-test/bad", argv, NULL), 0);
	usleep(300 * 1000);
	unknown = sock_stat("broker_unknown");
	cr_assert_neq(socat_from("vipc-test/cli", "nope", err, sizeof(err)), 0);
	cr_assert(strstr(err, "Connection refused"), "%s", err);
	cr_assert_neq(socat_from("", "nope", err, sizeof(err)), 0);
	cr_assert(strstr(err, "Connection refused"), "%s", err);
	cr_assert_eq(sock_stat("broker_unknown"), unknown + 2);
}

/* Datagrams: sendto vipc/dg reaches the endpoint's socket, the second from
 * the same socket too (answered from its remembered verdict); a sender
 * without the grant gets EPERM.
 */
Test(broker, datagrams_reach_the_endpoint_by_its_name)
{
	const char *recv[] = { "python3", peer(), "recv", dgram_path, NULL };
	const char *cli[] = { "python3", peer(), "send", "vipc/dg", "one", "two", NULL };
	const char *bad[] = { "python3", peer(), "send", "vipc/dg", "three", NULL };
	char out[1024];
	pid_t rx;

	start(NULL, "");
	rx = h_spawn("vipc-test/srv", recv, "ready");
	cr_assert_gt(rx, 0);
	cr_assert_eq(h_run_cg("vipc-test/cli", cli, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "sent one") && strstr(out, "sent two"), "%s", out);
	cr_assert_eq(h_spawn_expect(rx, "got two", 5000), 0);
	cr_assert_eq(h_run_cg("vipc-test/bad", bad, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "errno 1"), "%s", out);
	cr_assert_eq(v_stat_hook("sendmsg_unix", "cached"), 1);
	h_spawn_output(rx, out, sizeof(out));
	cr_assert_null(strstr(out, "three"), "%s", out);
}

/* Endpoints added and removed at run time have their broker name with
 * them; no endpoint may take a broker name as its address.
 */
Test(broker, a_run_time_endpoint_has_its_name_while_it_exists)
{
	char err[1024];
	int rc;

	start(NULL, "");
	http_serve();
	cr_assert_eq(v_loader("endpoint", "rm", "web", "srv", NULL), 0, "%s", v_out);
	cr_assert_neq(socat_from("vipc-test/cli", "web", err, sizeof(err)), 0);
	cr_assert(strstr(err, "Connection refused"), "%s", err);
	cr_assert_eq(v_loader("endpoint", "add", "web2", "srv", web_a, "--others", "allow", NULL),
		     0, "%s", v_out);
	cr_assert_str_eq(curl_from("", "web2", &rc), "200", "curl exit %d", rc);
	cr_assert_eq(v_loader("endpoint", "add", "x", "srv", "@vipc/x", NULL), 2, "%s", v_out);
	cr_assert(strstr(v_out, "is the broker's"), "%s", v_out);
}

/* Cut-over: web moves from a.sock to b.sock by a reload while a client
 * connects in a loop, both servers up. No connect fails, and none that
 * began after the reload returned reaches the old server.
 */
Test(broker, a_reload_moves_every_new_connection_with_no_window)
{
	const char *loop[] = { "python3", peer(), "loop", "vipc/web", NULL, "300", NULL };
	char out[4096], flag[PATH_MAX];
	pid_t pid;

	snprintf(flag, sizeof(flag), "%s", v_tmp_file("flipped", ""));
	cr_assert_eq(unlink(flag), 0);
	loop[4] = flag;
	start(NULL, "");
	serve(web_a, "A");
	serve(web_b, "B");
	pid = h_spawn("vipc-test/cli", loop, "looping");
	cr_assert_gt(pid, 0);
	usleep(200 * 1000);
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(policy(web_b, "")), NULL), 0, "%s",
		     v_out);
	cr_assert_eq(close(open(flag, O_CREAT | O_WRONLY, 0600)), 0);
	cr_assert_eq(h_spawn_wait(pid, 60000), 0);
	h_spawn_output(pid, out, sizeof(out));
	cr_assert(strstr(out, "pre_A="), "%s", out);
	cr_assert(strstr(out, "post_B=300"), "%s", out);
	cr_assert_null(strstr(out, "ERR"), "%s", out);
	cr_assert_null(strstr(out, "post_A"), "%s", out);
}

/* The count of @who ("post_A") in a loop's summary @out. */
static long answered(const char *out, const char *who)
{
	const char *at = strstr(out, who);

	return at ? strtol(at + strlen(who) + 1, NULL, 10) : 0;
}

/* The sum of every "sent":N in @json. */
static long sent_total(const char *json)
{
	const char *p = json;
	long sum = 0;

	while ((p = strstr(p, "\"sent\":"))) {
		p += strlen("\"sent\":");
		sum += strtol(p, NULL, 10);
	}
	return sum;
}

/* web with three instances: 300 connections by name are spread round-robin
 * on each CPU, so each instance gets 100 within one per CPU; an instance's
 * own name is the endpoint's (a caller without the grant gets EPERM), and
 * `endpoint ls` lists the instances.
 */
Test(broker, new_connections_spread_over_the_instances)
{
	const char *loop[] = { "python3", peer(), "loop", "vipc/web", NULL, "300", NULL };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), n;
	char list[3 * PATH_MAX + 8], out[4096], flag[PATH_MAX], addr[PATH_MAX + 16];
	const char *direct[] = { "socat", "-u", addr, "-", NULL };
	const char *who[] = { "post_A", "post_B", "post_C" };
	pid_t pid;
	int i;

	paths();
	snprintf(list, sizeof(list), "[%s, %s, %s]", web_a, web_b, web_c);
	load(policy(list, ""));
	serve(web_a, "A");
	serve(web_b, "B");
	serve(web_c, "C");
	snprintf(flag, sizeof(flag), "%s", v_tmp_file("flipped", ""));
	loop[4] = flag;
	pid = h_spawn("vipc-test/cli", loop, NULL);
	cr_assert_gt(pid, 0);
	cr_assert_eq(h_spawn_wait(pid, 60000), 0);
	h_spawn_output(pid, out, sizeof(out));
	cr_assert_null(strstr(out, "ERR"), "%s", out);
	for (i = 0; i < 3; i++) {
		n = answered(out, who[i]);
		cr_assert(n >= 100 - cpus && n <= 100 + cpus, "%s: %ld of 300 (%ld CPUs): %s", who[i],
			  n, cpus, out);
	}
	/* stats --broker: the calls sent to each instance, 300 in all. */
	cr_assert_eq(v_loader("stats", "--broker", "--json", NULL), 0, "%s", v_out);
	cr_assert_eq(v_occurrences(v_out, "\"endpoint\":\"web\""), 3, "%s", v_out);
	cr_assert_eq(sent_total(v_out), 300, "%s", v_out);
	snprintf(addr, sizeof(addr), "UNIX-CONNECT:%s", web_b);
	cr_assert_neq(h_run_cg("vipc-test/bad", direct, out, sizeof(out)), 0);
	cr_assert(strstr(out, "Operation not permitted"), "%s", out);
	cr_assert_eq(v_loader("endpoint", "ls", NULL), 0, "%s", v_out);
	cr_assert_eq(v_occurrences(v_out, "(instance)"), 2, "%s", v_out);
}

/* Field @field of instance @index of web in `stats --broker --json`: -1
 * for null (unknown).
 */
static long web_stat(int index, const char *field)
{
	char key[64];
	const char *at;

	cr_assert_eq(v_loader("stats", "--broker", "--json", NULL), 0, "%s", v_out);
	snprintf(key, sizeof(key), "\"endpoint\":\"web\",\"index\":%d,", index);
	at = strstr(v_out, key);
	cr_assert_not_null(at, "%s", v_out);
	snprintf(key, sizeof(key), "\"%s\":", field);
	at = strstr(at, key);
	cr_assert_not_null(at, "%s", v_out);
	at += strlen(key);
	return strncmp(at, "null", 4) ? strtol(at, NULL, 10) : -1;
}

/* Until instance @index of web shows @want sockets bound, 5 s at most. */
static void until_bound(int index, long want)
{
	int i;

	for (i = 0; i < 100 && web_stat(index, "bound") != want; i++)
		usleep(h_scale_ms(50) * 1000);
	cr_assert_eq(web_stat(index, "bound"), want, "instance %d", index);
}

/* vipc-probe listening on @path as srv (the VM has no Python). */
static pid_t listen_on(const char *path)
{
	const char *argv[] = { h_path("build/rootfs/bin/vipc-probe"), "listen", path, NULL };
	pid_t pid = h_spawn("vipc-test/srv", argv, "ready");

	cr_assert_gt(pid, 0, "listener on %s", path);
	return pid;
}

/* Connects to vipc/web from cli for half a second, one every 10 ms: those
 * refused (any error) in *@refused, and the calls the broker sent to each
 * instance meanwhile in @sent. The connects made.
 */
static long connect_loop(long *refused, long sent[3])
{
	const char *argv[] = { h_path("build/rootfs/bin/vipc-probe"), "loop", "@vipc/web", "0.5",
			       "--pause", "10000", NULL };
	unsigned long ok, eperm, other;
	char out[256];
	int i;

	for (i = 0; i < 3; i++)
		sent[i] = -web_stat(i, "sent");
	cr_assert_eq(h_run_cg("vipc-test/cli", argv, out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(sscanf(out, "ok=%lu eperm=%lu other=%lu", &ok, &eperm, &other), 3, "%s", out);
	for (i = 0; i < 3; i++)
		sent[i] += web_stat(i, "sent");
	*refused = eperm + other;
	return ok + *refused;
}

/* Is @n within one per CPU of @want (each CPU's turn goes on where it stopped)? */
static bool near(long n, long want)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return n >= want - cpus && n <= want + cpus;
}

/* web with three instances, b's server stopped: the LSM and fmodret
 * backends saw its socket freed, and the broker sends every connection to
 * a and c; the socket backend alone knows nothing (every instance's state
 * unknown), so b's turns fail with ECONNREFUSED and the next goes on. b's
 * server again (its socket bound): b has its share again.
 */
Test(broker, an_instance_whose_server_is_gone_is_skipped_where_known)
{
	char list[3 * PATH_MAX + 8];
	long known = v_lsm() ? 1 : -1, sent[3], refused, n;
	pid_t b;

	/* Phase 1: three servers, each counted bound where the backend sees binds. */
	paths();
	snprintf(list, sizeof(list), "[%s, %s, %s]", web_a, web_b, web_c);
	load(policy(list, ""));
	listen_on(web_a);
	b = listen_on(web_b);
	listen_on(web_c);
	until_bound(1, known);

	/* Phase 2: b's server gone (its socket freed): skipped where known. */
	h_spawn_stop(b);
	until_bound(1, v_lsm() ? 0 : -1);
	cr_assert_eq(v_loader("endpoint", "ls", NULL), 0, "%s", v_out);
	cr_assert_eq(v_occurrences(v_out, "(no socket)"), v_lsm(), "%s", v_out);
	n = connect_loop(&refused, sent);
	cr_assert_eq(sent[0] + sent[1] + sent[2], n);
	cr_assert_eq(sent[1], v_lsm() ? 0 : refused, "b got %ld, %ld refused", sent[1], refused);
	cr_assert(near(sent[0], v_lsm() ? n / 2 : n / 3) && near(sent[2], sent[0]),
		  "a %ld b %ld c %ld of %ld", sent[0], sent[1], sent[2], n);

	/* Phase 3: b's server again: every instance has its share. */
	listen_on(web_b);
	until_bound(1, known);
	n = connect_loop(&refused, sent);
	cr_assert_eq(refused, 0);
	cr_assert(near(sent[0], n / 3) && near(sent[1], n / 3) && near(sent[2], n / 3),
		  "a %ld b %ld c %ld of %ld", sent[0], sent[1], sent[2], n);
}

/* Who answers @addr for a caller in cgroup @rel: "A", "ERR1", ... */
static const char *who_answers(const char *rel, const char *addr)
{
	static char out[256];
	const char *argv[] = { "python3", peer(), "ask", addr, NULL };
	char *at;

	cr_assert_eq(h_run_cg(rel, argv, out, sizeof(out)), 0, "%s", out);
	at = strstr(out, "answer ");
	cr_assert_not_null(at, "%s", out);
	at += strlen("answer ");
	at[strcspn(at, "\n")] = 0;
	return at;
}

/* Views (the /dev/log case): one registered path every container calls,
 * each of cli and bad sent to its own collector, by that path or by the
 * broker name; the owner, without a view, reaches the path itself; a
 * caller with neither view nor grant is denied.
 */
Test(broker, each_container_reaches_its_own_view)
{
	char yaml[8 * PATH_MAX], log[PATH_MAX], cli[PATH_MAX], bad[PATH_MAX];

	paths();
	snprintf(log, sizeof(log), "%s/log.sock", sc.shared);
	snprintf(cli, sizeof(cli), "%s/cli-log.sock", sc.shared);
	snprintf(bad, sizeof(bad), "%s/bad-log.sock", sc.shared);
	snprintf(yaml, sizeof(yaml),
		 "version: 1\n" S_CONTAINERS
		 "endpoints:\n"
		 "  log: { owner: srv, unix: %s, views: { cli: %s, bad: %s } }\n",
		 log, cli, bad);
	load(yaml);
	serve(log, "L");
	serve(cli, "C");
	serve(bad, "B");
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	cr_assert_str_eq(who_answers("vipc-test/cli", log), "C");
	cr_assert_str_eq(who_answers("vipc-test/cli", "vipc/log"), "C");
	cr_assert_str_eq(who_answers("vipc-test/bad", log), "B");
	cr_assert_str_eq(who_answers("vipc-test/bad", "vipc/log"), "B");
	cr_assert_str_eq(who_answers("vipc-test/srv", log), "L");
	cr_assert_str_eq(who_answers("vipc-test/srv", "vipc/log"), "L");
	cr_assert_str_eq(who_answers("vipc-test/stranger", log), "ERR1");
	cr_assert_str_eq(who_answers("vipc-test/stranger", "vipc/log"), "ERR1");
	cr_assert_eq(v_loader("endpoint", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "view cli") && strstr(v_out, cli) && strstr(v_out, "view bad"),
		  "%s", v_out);
}
