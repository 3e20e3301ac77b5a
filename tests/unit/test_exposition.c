// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The Prometheus exposition: the label escaper on hostile names, the
 * writer's exact text in both formats, the metric families from a known
 * snapshot, and the HTTP side's routing, content negotiation, listen
 * addresses and log rate limit.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include "httpd.h"
#include "metrics.h"
#include "promtext.h"

/* @len bytes of @in escaped as a label value. */
static char *escaped(const char *in, size_t len)
{
	static char out[256];
	struct vipc_prom p;

	vipc_prom_init(&p, false);
	vipc_prom_escape(&p, in, len);
	cr_assert_eq(vipc_prom_finish(&p), 0);
	snprintf(out, sizeof(out), "%s", p.buf);
	vipc_prom_free(&p);
	return out;
}

static const struct {
	const char *what, *in;
	size_t len;
	const char *out;
} hostile[] = {
	{ "plain", "web-1", 5, "web-1" },
	{ "quote ends the value", "a\"} 1\nvipc_x 2", 14, "a\\\"} 1\\nvipc_x 2" },
	{ "backslash", "c:\\x", 4, "c:\\\\x" },
	{ "backslash before quote", "\\\"", 2, "\\\\\\\"" },
	{ "newline forges a sample", "x\nvipc_decisions_total 9", 24,
	  "x\\nvipc_decisions_total 9" },
	{ "UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", 14,
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3" },
	{ "stray byte", "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
	{ "truncated sequence", "a\xe2\x82", 3, "a\xef\xbf\xbd\xef\xbf\xbd" },
	{ "overlong slash", "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "surrogate", "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 4,
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	{ "NUL", "a\0b", 3, "a\xef\xbf\xbd" "b" },
	{ "tab and CR stay", "a\tb\rc", 5, "a\tb\rc" },
};

Test(escape, hostile_label_values_stay_one_valid_value)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		cr_expect_str_eq(escaped(hostile[i].in, hostile[i].len), hostile[i].out, "%s",
				 hostile[i].what);
}

/* A document with one counter and one gauge family, in @openmetrics or not. */
static char *document(bool openmetrics, const char *label)
{
	static char out[1024];
	struct vipc_prom_label l[2] = { { "hook", "connect_unix" }, { "name", label } };
	struct vipc_prom p;

	vipc_prom_init(&p, openmetrics);
	vipc_prom_family(&p, "vipc_x", VIPC_PROM_COUNTER, "Xs seen.");
	vipc_prom_sample(&p, l, 2, 18446744073709551615ULL);
	vipc_prom_sample(&p, NULL, 0, 0);
	vipc_prom_family(&p, "vipc_y", VIPC_PROM_GAUGE, "A level.");
	vipc_prom_sample(&p, l, 1, 7);
	cr_assert_eq(vipc_prom_finish(&p), 0);
	snprintf(out, sizeof(out), "%s", p.buf);
	vipc_prom_free(&p);
	return out;
}

Test(writer, text_format_names_the_samples_in_help_and_type)
{
	cr_expect_str_eq(document(false, "a\"b"),
			 "# HELP vipc_x_total Xs seen.\n"
			 "# TYPE vipc_x_total counter\n"
			 "vipc_x_total{hook=\"connect_unix\",name=\"a\\\"b\"} 18446744073709551615\n"
			 "vipc_x_total 0\n"
			 "# HELP vipc_y A level.\n"
			 "# TYPE vipc_y gauge\n"
			 "vipc_y{hook=\"connect_unix\"} 7\n");
}

Test(writer, openmetrics_names_the_family_and_ends_with_eof)
{
	cr_expect_str_eq(document(true, "n"),
			 "# HELP vipc_x Xs seen.\n"
			 "# TYPE vipc_x counter\n"
			 "vipc_x_total{hook=\"connect_unix\",name=\"n\"} 18446744073709551615\n"
			 "vipc_x_total 0\n"
			 "# HELP vipc_y A level.\n"
			 "# TYPE vipc_y gauge\n"
			 "vipc_y{hook=\"connect_unix\"} 7\n"
			 "# EOF\n");
}

Test(writer, an_empty_document_is_an_empty_string)
{
	struct vipc_prom p;

	vipc_prom_init(&p, false);
	cr_assert_eq(vipc_prom_finish(&p), 0);
	cr_expect_str_eq(p.buf, "");
	vipc_prom_free(&p);
}

/* The families from a snapshot: the socket backend attached, known counts. */
static char *families(struct vipc_metrics_src *s)
{
	static char out[32768];
	struct vipc_prom p;

	vipc_prom_init(&p, false);
	vipc_metrics_write(s, &p);
	cr_assert_eq(vipc_prom_finish(&p), 0);
	cr_assert_lt(p.len, sizeof(out));
	memcpy(out, p.buf, p.len + 1);
	vipc_prom_free(&p);
	return out;
}

Test(families, decisions_by_hook_verdict_and_reason)
{
	struct vipc_metrics_src s = { .backends = VIPC_BACKEND_SOCK, .attached = 1 };
	char *out, abi[32];

	s.stats.hook[VIPC_HOOK_CONNECT_UNIX].allowed = 2;
	s.stats.hook[VIPC_HOOK_CONNECT_UNIX].denied_no_perm = 3;
	s.stats.hook[VIPC_HOOK_SENDMSG_UNIX].denied_no_grant = 1;
	s.stats.hook[VIPC_HOOK_SENDMSG_UNIX].lookups = 5;
	s.stats.hook[VIPC_HOOK_SENDMSG_UNIX].events_suppressed = 7;
	s.stats.hook[VIPC_HOOK_CONNECT_UNIX].decisions_missed = 8;
	s.stats.total.snapshots_dropped = 4;
	s.reg.policy_loads = 6;
	s.entries[VIPC_TABLE_GRANTS] = 3;
	s.limits[VIPC_TABLE_GRANTS] = 65536;
	s.entries[VIPC_TABLE_BINDINGS] = 2;
	s.limits[VIPC_TABLE_BINDINGS] = 4096;
	s.entries[VIPC_TABLE_DECISIONS] = 9;
	s.limits[VIPC_TABLE_DECISIONS] = 98304;
	out = families(&s);
	cr_expect(strstr(out, "\nvipc_hook_decisions_total{hook=\"connect_unix\",verdict=\"allow\"} 2\n"));
	cr_expect(strstr(out, "\nvipc_hook_decisions_total{hook=\"connect_unix\",verdict=\"deny\","
			      "reason=\"no-permission\"} 3\n"));
	cr_expect(strstr(out, "\nvipc_hook_decisions_total{hook=\"sendmsg_unix\",verdict=\"deny\","
			      "reason=\"no-grant\"} 1\n"));
	cr_expect(strstr(out, "\nvipc_hook_decisions_total{hook=\"sendmsg_unix\",verdict=\"unconfined\"} 0\n"));
	cr_expect(strstr(out, "\nvipc_hook_decisions_total{hook=\"sendmsg_unix\",verdict=\"audit\"} 0\n"));
	cr_expect(strstr(out, "\nvipc_table_lookups_total{hook=\"sendmsg_unix\"} 5\n"));
	cr_expect(strstr(out, "\nvipc_events_suppressed_total{hook=\"sendmsg_unix\"} 7\n"));
	cr_expect(strstr(out, "\nvipc_decisions_missed_total{hook=\"connect_unix\"} 8\n"));
	cr_expect(strstr(out, "\nvipc_snapshots_dropped_total 4\n"));
	cr_expect(strstr(out, "\nvipc_registry_policy_loads_total 6\n"));
	cr_expect(strstr(out, "\nvipc_policy_loads_total 6\n"));
	cr_expect(strstr(out, "\nvipc_table_entries{table=\"grants\"} 3\n"));
	cr_expect(strstr(out, "\nvipc_table_limit{table=\"grants\"} 65536\n"));
	cr_expect(strstr(out, "\nvipc_table_entries{table=\"bindings\"} 2\n"));
	cr_expect(strstr(out, "\nvipc_table_limit{table=\"bindings\"} 4096\n"));
	cr_expect(strstr(out, "\nvipc_table_entries{table=\"decisions\"} 9\n"));
	cr_expect(strstr(out, "\nvipc_table_limit{table=\"decisions\"} 98304\n"));
	cr_expect(strstr(out, "\nvipc_hook_attached{hook=\"connect_unix\",backend=\"sock\"} 1\n"));
	cr_expect(strstr(out, "\nvipc_hook_attached{hook=\"sendmsg_unix\",backend=\"sock\"} 0\n"));
	cr_expect(strstr(out, "\nvipc_build_info{version=\""));
	snprintf(abi, sizeof(abi), "\",abi=\"%u\"} 1\n", VIPC_ABI_VERSION);
	cr_expect(strstr(out, abi), "the ABI of include/vipc.h");
}

Test(families, decisions_by_container_endpoint_verdict_and_reason)
{
	struct vipc_metrics_decision d[] = {
		{ "cli", "sock", VIPC_V_ALLOW, 0, 2 },
		{ "bad", "sock", VIPC_V_DENY, VIPC_R_NO_PERM, 3 },
		{ "-", "sock", VIPC_V_DENY, VIPC_R_IMPOSTOR, 1 },
		{ "web", "-", VIPC_V_AUDIT, VIPC_R_UNKNOWN_DENY, 4 },
		{ "a\"} 1\nvipc_x", "e\\p", VIPC_V_ALLOW, 0, 5 },
	};
	struct vipc_metrics_src s = { .decisions = d, .nr_decisions = 5 };
	char *out = families(&s);

	cr_expect(strstr(out, "\n# TYPE vipc_decisions_total counter\n"
			      "vipc_decisions_total{container=\"cli\",endpoint=\"sock\","
			      "verdict=\"allow\"} 2\n"), "%s", out);
	cr_expect(strstr(out, "\nvipc_decisions_total{container=\"bad\",endpoint=\"sock\","
			      "verdict=\"deny\",reason=\"no-permission\"} 3\n"));
	cr_expect(strstr(out, "\nvipc_decisions_total{container=\"-\",endpoint=\"sock\","
			      "verdict=\"deny\",reason=\"impostor\"} 1\n"), "an unconfined caller");
	cr_expect(strstr(out, "\nvipc_decisions_total{container=\"web\",endpoint=\"-\","
			      "verdict=\"audit\",reason=\"unknown-deny\"} 4\n"), "a would-deny's reason");
	cr_expect(strstr(out, "\nvipc_decisions_total{container=\"a\\\"} 1\\nvipc_x\","
			      "endpoint=\"e\\\\p\",verdict=\"allow\"} 5\n"), "escaped: %s", out);
}

Test(families, bindings_per_container_zero_included)
{
	struct vipc_metrics_binding b[] = { { "cli", 2, 1 }, { "web", 4, 3 }, { "idle", 5, 0 } };
	struct vipc_metrics_src s = { .bindings = b, .nr_bindings = 3 };
	char *out = families(&s);

	cr_expect(strstr(out, "\n# TYPE vipc_container_bindings gauge\n"
			      "vipc_container_bindings{container=\"cli\"} 1\n"
			      "vipc_container_bindings{container=\"web\"} 3\n"
			      "vipc_container_bindings{container=\"idle\"} 0\n"), "%s", out);
}

Test(families, hooks_of_a_backend_not_attached_are_left_out)
{
	struct vipc_metrics_src s = { .backends = VIPC_BACKEND_SOCK };
	char *out = families(&s);

	cr_expect_null(strstr(out, "vipc_hook_decisions_total{hook=\"unix_stream_connect\""));
	cr_expect(strstr(out, "vipc_hook_attached{hook=\"unix_stream_connect\",backend=\"lsm\"} 0\n"));
}

Test(families, every_sample_has_its_type_line_first)
{
	struct vipc_metrics_decision d = { "cli", "sock", VIPC_V_DENY, VIPC_R_NO_GRANT, 1 };
	struct vipc_metrics_binding b = { "cli", 2, 1 };
	struct vipc_metrics_src s = { .backends = VIPC_BACKEND_SOCK | VIPC_BACKEND_LSM,
				      .decisions = &d, .nr_decisions = 1, .bindings = &b,
				      .nr_bindings = 1 };
	char *out = families(&s), *line, *save = NULL, typed[128] = "";
	size_t n;

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# TYPE ", 7)) {
			n = strcspn(line + 7, " ");
			snprintf(typed, sizeof(typed), "%.*s", (int)n, line + 7);
		} else if (line[0] != '#') {
			n = strcspn(line, "{ ");
			cr_expect(n == strlen(typed) && !strncmp(line, typed, n),
				  "sample '%s' after TYPE of '%s'", line, typed);
		}
	}
}

Test(families, the_broker_sends_to_each_instance_and_counts_its_sockets_where_known)
{
	struct vipc_broker_row b[2] = { { .endpoint = "api", .instance = "/run/a.sock", .sent = 7,
					  .bound = 0 },
					{ .endpoint = "api", .instance = "@b", .index = 1,
					  .sent = 2, .bound = -1 } };
	struct vipc_metrics_src s = { .backends = VIPC_BACKEND_SOCK, .broker = b, .nr_broker = 2 };
	char *out = families(&s);

	cr_assert(strstr(out, "vipc_broker_connections_total{endpoint=\"api\","
			      "instance=\"/run/a.sock\"} 7\n"
			      "vipc_broker_connections_total{endpoint=\"api\",instance=\"@b\"} 2\n"),
		  "%s", out);
	cr_assert(strstr(out, "# TYPE vipc_broker_sockets gauge\n"
			      "vipc_broker_sockets{endpoint=\"api\",instance=\"/run/a.sock\"} 0\n#"),
		  "unknown @b left out: %s", out);
}

/* ---- HTTP ---- */

static struct vipc_http_reply route(const char *method, const char *url, const char *cl,
				    bool te)
{
	struct vipc_http_request rq = { .method = method, .url = url, .content_length = cl,
					.transfer_encoding = te };
	struct vipc_http_reply r;

	vipc_http_route(&rq, &r);
	return r;
}

Test(route, get_and_head_of_metrics_and_index)
{
	cr_expect_eq(route("GET", "/metrics", NULL, false).page, VIPC_PAGE_METRICS);
	cr_expect_eq(route("HEAD", "/metrics", NULL, false).status, 200);
	cr_expect_eq(route("GET", "/", NULL, false).page, VIPC_PAGE_INDEX);
	cr_expect_eq(route("GET", "/metrics", "0", false).status, 200, "an empty body is none");
}

Test(route, other_paths_404_other_methods_405_bodies_413)
{
	cr_expect_eq(route("GET", "/metrics/", NULL, false).status, 404);
	cr_expect_eq(route("GET", "//metrics", NULL, false).status, 404);
	cr_expect_eq(route("GET", "/Metrics", NULL, false).status, 404);
	cr_expect_eq(route("GET", "", NULL, false).status, 404);
	cr_expect_eq(route("POST", "/metrics", NULL, false).status, 405);
	cr_expect_eq(route("get", "/metrics", NULL, false).status, 405, "methods are case-sensitive");
	cr_expect_eq(route("OPTIONS", "*", NULL, false).status, 405);
	cr_expect_eq(route("GET", "/metrics", "12", false).status, 413);
	cr_expect_eq(route("GET", "/metrics", NULL, true).status, 413);
	cr_expect_eq(route("POST", "/nope", "5", false).status, 405, "the method first");
}

Test(route, openmetrics_when_ranked_above_the_text_format)
{
	/* What Prometheus 2.42 sends. */
	cr_expect(vipc_http_wants_openmetrics(
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
		"version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
	cr_expect(vipc_http_wants_openmetrics("application/openmetrics-text"));
	cr_expect(vipc_http_wants_openmetrics(" Application/OpenMetrics-Text ; q=0.9 , text/plain;q=0.3"));
	cr_expect_not(vipc_http_wants_openmetrics(NULL));
	cr_expect_not(vipc_http_wants_openmetrics(""));
	cr_expect_not(vipc_http_wants_openmetrics("*/*"));
	cr_expect_not(vipc_http_wants_openmetrics("text/plain, application/openmetrics-text"),
		      "a tie goes to the text format");
	cr_expect_not(vipc_http_wants_openmetrics("application/openmetrics-text;version=2.0.0"));
	cr_expect_not(vipc_http_wants_openmetrics("application/openmetrics-text;q=0"));
	cr_expect_not(vipc_http_wants_openmetrics("application/openmetrics-text;q=2"));
	cr_expect_not(vipc_http_wants_openmetrics("application/openmetrics-text;q"));
	cr_expect_not(vipc_http_wants_openmetrics("application/openmetrics-text;q=0.5,*/*"));
}

static int listen_at(const char *s, char *out, size_t size)
{
	struct sockaddr_storage ss;
	int err = vipc_listen_parse(s, &ss);

	if (!err)
		vipc_sockaddr_format((struct sockaddr *)&ss, out, size);
	return err;
}

Test(listen, port_alone_is_loopback_and_v6_in_brackets)
{
	char buf[64];

	cr_assert_eq(listen_at("9464", buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "127.0.0.1:9464");
	cr_assert_eq(listen_at("0.0.0.0:80", buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "0.0.0.0:80");
	cr_assert_eq(listen_at("[::1]:65535", buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "[::1]:65535");
	cr_assert_eq(listen_at("127.0.0.1:0", buf, sizeof(buf)), 0);
}

Test(listen, bad_addresses_are_refused)
{
	static const char *const bad[] = { "", ":", "65536", "-1", "80a", "localhost:80",
					   "::1:80", "[::1]", "[::1]80", "1.2.3:80", "1.2.3.4:",
					   "[1.2.3.4]:80", "1.2.3.4:+80", "123456" };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(listen_at(bad[i], buf, sizeof(buf)), -EINVAL, "'%s'", bad[i]);
}

Test(ratelimit, a_burst_per_window_then_the_count_held_back)
{
	struct vipc_ratelimit rl = { 0 };
	unsigned int held = 99, i;

	for (i = 0; i < VIPC_RATELIMIT_BURST; i++) {
		cr_assert(vipc_ratelimit_ok(&rl, 100, &held));
		cr_expect_eq(held, 0);
	}
	cr_expect_not(vipc_ratelimit_ok(&rl, 100, &held));
	cr_expect_not(vipc_ratelimit_ok(&rl, 100 + VIPC_RATELIMIT_S - 1, &held));
	cr_assert(vipc_ratelimit_ok(&rl, 100 + VIPC_RATELIMIT_S, &held));
	cr_expect_eq(held, 2, "the lines held back are counted in the next");
	cr_assert(vipc_ratelimit_ok(&rl, 100 + VIPC_RATELIMIT_S, &held));
	cr_expect_eq(held, 0);
}
