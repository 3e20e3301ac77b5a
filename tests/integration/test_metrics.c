// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The metrics endpoint against a real Prometheus: known allowed and denied
 * calls from real runc containers, `vipc-loader metrics --listen`, Debian's
 * prometheus scraping it every second, and the exact counts read back from
 * Prometheus's HTTP API; bad requests answered and survived; curl's
 * scrape answered within 2 s under floods of idle, slow and abandoned
 * connections, and pipelined requests all answered; the textfile accepted
 * by promtool. Prometheus, the server and the attackers run in test
 * cgroups, killed with them and their directory removed even when a test
 * fails.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <json-c/json.h>
#include <linux/types.h>
#include "vipc.h"
#include "fixture.h"
#include "scene.h"

TestSuite(metrics, .init = s_init, .fini = s_fini, .timeout = 180);

/* cli may connect to sock and send to dgram; bad may only send to sock.
 * Deny events of one key aggregate for an hour: the test's denies of a key
 * are one event and the rest suppressed, however slow the machine.
 */
#define M_POLICY                                                         \
	"version: 1\nevents: { rate: 3600s }\n" S_CONTAINERS S_ENDPOINTS \
	"grants:\n"                                                       \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"       \
	"  - { container: cli, endpoint: dgram, allow: [send] }\n"         \
	"  - { container: bad, endpoint: sock, allow: [send] }\n"

/* The known calls: cli's 2 connects to sock and its sendto to dgram
 * allowed, bad's 3 connects to sock denied no-permission and its sendto to
 * dgram denied no-grant.
 */
static void known_calls(void)
{
	int i;

	s_start(M_POLICY, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	for (i = 0; i < 2; i++)
		cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	for (i = 0; i < 3; i++)
		cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "ping", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "ping", NULL), EPERM);
}

static char server_url[64]; /* http://127.0.0.1:PORT */

/* `vipc-loader metrics --listen 127.0.0.1:0` in a test cgroup; its URL. */
static pid_t start_server(void)
{
	const char *argv[] = { V_LOADER, "metrics", "--listen", "127.0.0.1:0", NULL };
	char out[4096], *at;
	pid_t pid;

	cr_assert_eq(h_cgroup_make(H_CGROUP_ROOT "/metrics"), 0);
	pid = h_spawn(H_CGROUP_ROOT "/metrics", argv, "serving http://");
	cr_assert_gt(pid, 0, "vipc-loader metrics did not start");
	h_spawn_output(pid, out, sizeof(out));
	at = strstr(out, "serving http://");
	cr_assert_not_null(at, "%s", out);
	snprintf(server_url, sizeof(server_url), "http://%.*s", (int)strcspn(at + 15, "/"),
		 at + 15);
	return pid;
}

/* A TCP port free on 127.0.0.1 now. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static char prom_url[64];

/* Debian's prometheus scraping the server every second, data in a temp dir. */
static void start_prometheus(void)
{
	const char *dir = h_tmpdir();
	char cfg[4096], data[4096], flag[3][4200];
	const char *argv[] = { "prometheus", flag[0], flag[1], flag[2], NULL };
	FILE *f;
	pid_t pid;

	cr_assert_not_null(dir);
	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", dir);
	snprintf(data, sizeof(data), "%s/data", dir);
	f = fopen(cfg, "w");
	cr_assert_not_null(f);
	fprintf(f, "global: { scrape_interval: 1s, scrape_timeout: 1s }\n"
		   "scrape_configs:\n"
		   "  - job_name: vipc\n"
		   "    static_configs: [ { targets: ['%s'] } ]\n", server_url + 7);
	fclose(f);
	snprintf(prom_url, sizeof(prom_url), "127.0.0.1:%d", free_port());
	snprintf(flag[0], sizeof(flag[0]), "--config.file=%s", cfg);
	snprintf(flag[1], sizeof(flag[1]), "--storage.tsdb.path=%s", data);
	snprintf(flag[2], sizeof(flag[2]), "--web.listen-address=%s", prom_url);
	cr_assert_eq(h_cgroup_make(H_CGROUP_ROOT "/prometheus"), 0);
	pid = h_spawn(H_CGROUP_ROOT "/prometheus", argv, NULL);
	cr_assert_gt(pid, 0, "prometheus did not start");
	cr_assert_eq(h_spawn_expect(pid, "Server is ready to receive web requests",
				    h_scale_ms(30000)), 0, "prometheus never became ready");
}

/* curl's output for ARGS (after curl -s --max-time MS): its exit status. */
static int curl_for(int ms, const char *const *args, char *out, size_t size)
{
	char max[16];
	const char *argv[16] = { "curl", "-s", "--max-time", max };
	int n = 4;

	snprintf(max, sizeof(max), "%d.%03d", ms / 1000, ms % 1000);
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return h_run(argv, out, size);
}

/* curl's output for ARGS, given 10 s. */
static int curl(const char *const *args, char *out, size_t size)
{
	return curl_for(10000, args, out, size);
}

/* The one value of instant query @q in Prometheus, or -1 when it has none. */
static double query(const char *q)
{
	char url[128], arg[512], out[65536];
	const char *args[] = { "-G", "--data-urlencode", arg, url, NULL };
	json_object *doc, *status, *data, *result, *value;
	double v = -1;

	snprintf(url, sizeof(url), "http://%s/api/v1/query", prom_url);
	snprintf(arg, sizeof(arg), "query=%s", q);
	cr_assert_eq(curl(args, out, sizeof(out)), 0, "query %s: %s", q, out);
	doc = json_tokener_parse(out);
	cr_assert_not_null(doc, "not JSON: %s", out);
	cr_assert(json_object_object_get_ex(doc, "status", &status) &&
		  !strcmp(json_object_get_string(status), "success"), "%s: %s", q, out);
	cr_assert(json_object_object_get_ex(doc, "data", &data) &&
		  json_object_object_get_ex(data, "result", &result), "%s", out);
	cr_assert_leq(json_object_array_length(result), 1, "%s has many series: %s", q, out);
	if (json_object_array_length(result) == 1 &&
	    json_object_object_get_ex(json_object_array_get_idx(result, 0), "value", &value))
		v = strtod(json_object_get_string(json_object_array_get_idx(value, 1)), NULL);
	json_object_put(doc);
	return v;
}

/* Wait until Prometheus has scraped the server successfully. */
static void wait_scraped(void)
{
	int waited;

	for (waited = 0; waited < h_scale_ms(30000); waited += 250) {
		if (query("up{job=\"vipc\"}") == 1)
			return;
		usleep(250 * 1000);
	}
	cr_assert_fail("Prometheus never scraped %s", server_url);
}

/* vipc_hook_decisions_total of @hook for @verdict (and @reason, NULL: none). */
static double hook_decisions(const char *hook, const char *verdict, const char *reason)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "vipc_hook_decisions_total{hook=\"%s\",verdict=\"%s\",reason=\"%s\"}", hook,
		 verdict, reason ? reason : "");
	return query(q);
}

/* vipc_decisions_total of @container on @endpoint for @verdict (and
 * @reason, NULL: none).
 */
static double decisions(const char *container, const char *endpoint, const char *verdict,
			const char *reason)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "vipc_decisions_total{container=\"%s\",endpoint=\"%s\",verdict=\"%s\","
		 "reason=\"%s\"}", container, endpoint, verdict, reason ? reason : "");
	return query(q);
}

/* Prometheus has scraped the known calls. */
static void scraped_known_calls(void)
{
	known_calls();
	start_server();
	start_prometheus();
	wait_scraped();
}

Test(metrics, prometheus_reads_the_exact_counts_per_container)
{
	scraped_known_calls();

	/* The calls, by container, endpoint, verdict and (denials) reason. */
	cr_expect_eq(decisions("cli", "sock", "allow", NULL), 2);
	cr_expect_eq(decisions("bad", "sock", "deny", "no-permission"), 3);
	cr_expect_eq(decisions("cli", "dgram", "allow", NULL), 1);
	cr_expect_eq(decisions("bad", "dgram", "deny", "no-grant"), 1);
	cr_expect_eq(query("count(vipc_decisions_total)"), 4, "no other series");
	cr_expect_eq(query("sum(vipc_decisions_total)"), 7);
	cr_expect_eq(query("sum(vipc_decisions_total{verdict=\"allow\",reason!=\"\"})"), -1,
		     "allows carry no reason");

	/* The cgroups bound to each container, and the tables they fill. */
	cr_expect_eq(query("vipc_container_bindings{container=\"cli\"}"), 1);
	cr_expect_eq(query("sum(vipc_container_bindings)"), 3);
	cr_expect_eq(query("vipc_table_entries{table=\"bindings\"}"), 3);
	cr_expect_eq(query("vipc_table_limit{table=\"bindings\"}"), 4096);
	cr_expect_eq(query("vipc_table_limit{table=\"decisions\"}"), 65536 + 8 * 4096);
	cr_expect_geq(query("vipc_table_entries{table=\"decisions\"}"), 0);
	cr_expect_eq(query("sum(vipc_decisions_missed_total)"), 0);
}

Test(metrics, prometheus_reads_the_exact_counts_per_hook)
{
	char q[128];

	scraped_known_calls();

	/* The calls, by hook, verdict and reason. */
	cr_expect_eq(hook_decisions(v_hook(0), "allow", NULL), 2);
	cr_expect_eq(hook_decisions(v_hook(0), "deny", "no-permission"), 3);
	cr_expect_eq(hook_decisions(v_hook(0), "deny", "no-grant"), 0);
	cr_expect_eq(hook_decisions(v_hook(0), "audit", NULL), 0);
	cr_expect_eq(hook_decisions(v_hook(1), "allow", NULL), 1);
	cr_expect_eq(hook_decisions(v_hook(1), "deny", "no-grant"), 1);
	cr_expect_eq(query("sum(vipc_hook_decisions_total{verdict=\"deny\"})"), 4);

	/* Events: of bad's 3 denies on sock one sent, 2 suppressed; none lost. */
	cr_expect_eq(query("sum(vipc_events_suppressed_total)"), 2);
	cr_expect_eq(query("sum(vipc_events_dropped_total)"), 0);

	/* The tables, the registry, the hooks and the build. */
	cr_expect_eq(query("vipc_table_entries{table=\"containers\"}"), 3);
	cr_expect_eq(query("vipc_table_entries{table=\"grants\"}"), 3);
	cr_expect_eq(query("vipc_table_limit{table=\"grants\"}"), 65536);
	cr_expect_eq(query("vipc_policy_loads_total"), 1);
	cr_expect_eq(query("vipc_registry_grants_issued_total"), 3);
	cr_expect_eq(query("vipc_registry_cgroups_bound_total"), 3);
	snprintf(q, sizeof(q), "vipc_hook_attached{hook=\"%s\",backend=\"%s\"}", v_hook(0),
		 v_backend());
	cr_expect_eq(query(q), 1);
	snprintf(q, sizeof(q), "vipc_build_info{abi=\"%u\"}", VIPC_ABI_VERSION);
	cr_expect_eq(query(q), 1);
}

/* The HTTP status curl got for ARGS. */
static int status_of(const char *const *args)
{
	char out[64];

	cr_assert_eq(curl(args, out, sizeof(out)), 0, "curl: %s", out);
	return atoi(out);
}

/* A new TCP connection to the server. */
static int connect_server(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(atoi(strrchr(server_url, ':') + 1)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "connect: %s",
		     strerror(errno));
	return fd;
}

/* Send @raw on a new connection to the server: the status of its reply. */
static int raw_status(const char *raw)
{
	char reply[256] = "";
	int fd = connect_server(), st = -1;
	ssize_t n;

	cr_assert_eq(write(fd, raw, strlen(raw)), (ssize_t)strlen(raw));
	n = read(fd, reply, sizeof(reply) - 1);
	close(fd);
	if (n > 0 && sscanf(reply, "HTTP/1.%*d %d", &st) != 1)
		st = -1;
	return st;
}

Test(metrics, bad_requests_get_their_status_and_the_server_survives)
{
	static char big[20100];
	char url[128], nope[128], root[128], out[8192];
	const char *code[] = { "-o", "/dev/null", "-w", "%{http_code}" };
	pid_t pid;

	v_require_root();
	v_load(M_POLICY);
	pid = start_server();
	snprintf(url, sizeof(url), "%s/metrics", server_url);
	snprintf(nope, sizeof(nope), "%s/nope", server_url);
	snprintf(root, sizeof(root), "%s/", server_url);
	snprintf(big, sizeof(big), "X-Big: %0*d", 20000, 0);

#define STATUS(...) status_of((const char *[]){ code[0], code[1], code[2], code[3], __VA_ARGS__, NULL })
	cr_expect_eq(STATUS(url), 200);
	cr_expect_eq(STATUS("-I", url), 200, "HEAD");
	cr_expect_eq(STATUS(root), 200);
	cr_expect_eq(STATUS(nope), 404);
	cr_expect_eq(STATUS("-X", "POST", url), 405);
	cr_expect_eq(STATUS("-X", "DELETE", url), 405);
	cr_expect_eq(STATUS("--data", "x=1", "-X", "GET", url), 413, "no body accepted");
	cr_expect_eq(STATUS("-H", big, url), 431, "oversized header");
	cr_expect_eq(raw_status("GET /metrics HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n"), 400);
	cr_expect_eq(raw_status("GET /metrics HTTP/1.1\r\n\r\n"), 400, "no Host");
	cr_expect_eq(raw_status("GET /metrics HTTP/7.0\r\nHost: x\r\n\r\n"), 505);
	cr_expect_eq(raw_status("GARBAGE\r\n\r\n"), -1, "not HTTP: closed unanswered");
	cr_expect_eq(STATUS(url), 200, "still serving");

	/* Each refusal logged on one line, the server still running. */
	cr_assert_eq(h_spawn_wait(pid, -1), -ETIMEDOUT, "the server exited");
	h_spawn_output(pid, out, sizeof(out));
	cr_expect(strstr(out, "GET /nope: 404\n"), "%s", out);
	cr_expect(strstr(out, "POST /metrics: 405\n"), "%s", out);
	cr_expect(strstr(out, "HTTP response code is 431)\n"), "%s", out);
	cr_expect(strstr(out, "connection closed without a well-formed request\n"), "%s", out);
}

/* curl, a client not written here, scrapes /metrics: 200 within 2 s. */
static void expect_scrape_within_2s(const char *under)
{
	char url[128], out[64] = "";
	const char *args[] = { "-o", "/dev/null", "-w", "%{http_code}", url, NULL };
	int rc;

	snprintf(url, sizeof(url), "%s/metrics", server_url);
	rc = curl_for(h_scale_ms(2000), args, out, sizeof(out));
	cr_expect(rc == 0 && !strcmp(out, "200"),
		  "no scrape within 2 s with %s: curl exit %d, status '%s'", under, rc, out);
}

/* vipc loaded and the server started: where the attacks below aim. */
static void serve_loaded(void)
{
	v_require_root();
	v_load(M_POLICY);
	start_server();
}

Test(metrics, a_scrape_is_answered_with_500_idle_connections_open)
{
	int fd[500], i;

	serve_loaded();
	for (i = 0; i < 500; i++)
		fd[i] = connect_server();
	expect_scrape_within_2s("500 idle connections open");
	for (i = 0; i < 500; i++)
		close(fd[i]);
}

/* A child trickling a request, a byte every 2 s, on @n new connections:
 * in a test cgroup (killed at cleanup) and killed with this test's process.
 */
static pid_t slowloris(int n)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
	int fd[64], i, k;
	pid_t pid;

	cr_assert_leq(n, 64);
	for (i = 0; i < n; i++)
		fd[i] = connect_server();
	cr_assert_eq(h_cgroup_make(H_CGROUP_ROOT "/attack"), 0);
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (k = 0; req[k]; k++, sleep(2))
			for (i = 0; i < n; i++)
				send(fd[i], req + k, 1, MSG_NOSIGNAL);
		for (;;)
			pause();
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	cr_assert_eq(h_cgroup_enter(H_CGROUP_ROOT "/attack", pid), 0);
	return pid;
}

Test(metrics, a_scrape_is_answered_under_a_slowloris_of_40)
{
	pid_t pid;

	serve_loaded();
	pid = slowloris(40);
	expect_scrape_within_2s("a slowloris of 40 connections");
	/* Still so once the slowloris has outlived the 10 s idle timeout. */
	sleep(11);
	expect_scrape_within_2s("a slowloris of 40 connections after 11 s");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(metrics, a_scrape_is_answered_after_200_connections_closed_mid_request_line)
{
	int fd, i;

	serve_loaded();
	for (i = 0; i < 200; i++) {
		fd = connect_server();
		cr_assert_eq(write(fd, "GET /metr", 9), 9);
		close(fd);
	}
	expect_scrape_within_2s("200 connections just closed mid request line");
}

/* The complete 200 responses (headers, then Content-Length bytes) that
 * @s (@n bytes, NUL-terminated) starts with.
 */
static int responses_200(const char *s, size_t n)
{
	const char *end = s + n, *body, *cl;
	int count = 0;

	while (s < end && !strncmp(s, "HTTP/1.1 200 ", 13)) {
		body = memmem(s, end - s, "\r\n\r\n", 4);
		cl = memmem(s, end - s, "\r\nContent-Length: ", 18);
		if (!body || !cl || cl > body || body + 4 + atol(cl + 18) > end)
			break;
		s = body + 4 + atol(cl + 18);
		count++;
	}
	return count;
}

Test(metrics, pipelined_requests_are_all_answered)
{
	static const char get[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
			  last[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	static char in[1 << 20];
	struct timeval tv = { .tv_sec = h_scale_ms(10000) / 1000 };
	char out[sizeof(get) * 2 + sizeof(last)];
	size_t len = 0;
	ssize_t n;
	int fd;

	serve_loaded();
	fd = connect_server();
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	/* Three requests in one write; the server closes after the last. */
	snprintf(out, sizeof(out), "%s%s%s", get, get, last);
	cr_assert_eq(write(fd, out, strlen(out)), (ssize_t)strlen(out));
	while (len < sizeof(in) - 1 && (n = read(fd, in + len, sizeof(in) - 1 - len)) > 0)
		len += n;
	close(fd);
	in[len] = '\0';
	cr_expect_eq(responses_200(in, len), 3, "%d of 3 pipelined requests answered:\n%.600s",
		     responses_200(in, len), in);
}

Test(metrics, textfile_is_written_atomically_and_passes_promtool)
{
	char path[4200], cmd[8500], out[65536];
	const char *check[] = { "sh", "-c", cmd, NULL };
	const char *dir;
	FILE *f;
	size_t n;

	known_calls();
	dir = h_tmpdir();
	cr_assert_not_null(dir);
	snprintf(path, sizeof(path), "%s/vipc.prom", dir);
	cr_assert_eq(v_loader("metrics", "--textfile", path, NULL), 0, "%s", v_out);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", path);
	cr_expect_eq(h_run(check, out, sizeof(out)), 0, "promtool: %s", out);
	f = fopen(path, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	snprintf(cmd, sizeof(cmd), "vipc_hook_decisions_total{hook=\"%s\",verdict=\"deny\","
		 "reason=\"no-permission\"} 3\n", v_hook(0));
	cr_expect(strstr(out, cmd), "%s", out);
	cr_expect(strstr(out, "\nvipc_decisions_total{container=\"bad\",endpoint=\"sock\","
			      "verdict=\"deny\",reason=\"no-permission\"} 3\n"), "%s", out);
	cr_expect_null(strstr(out, "# EOF"), "the text format, not OpenMetrics");
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	cr_assert_eq(h_run(check, out, sizeof(out)), 0);
	cr_expect_str_eq(out, "vipc.prom\n", "no temporary file left");
}

Test(metrics, not_loaded_is_503_and_exit_status_5)
{
	char url[128];
	const char *code[] = { "-o", "/dev/null", "-w", "%{http_code}", url, NULL };

	v_require_root();
	start_server();
	snprintf(url, sizeof(url), "%s/metrics", server_url);
	cr_expect_eq(status_of(code), 503);
	cr_expect_eq(v_loader("metrics", "--textfile", "/nonexistent/x.prom", NULL),
		     VIPC_EXIT_NOT_LOADED, "%s", v_out);
}
