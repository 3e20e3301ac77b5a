// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* suggest (user/suggest/suggest.h): event-log lines summed per container and name,
 * suppressed counts, bad and hostile lines refused, and the policy and the
 * fragment written from the sums: merged grants that parse back, what a
 * grant cannot fix only as comments, names escaped. Callers no container
 * held, summed per cgroup and name, become containers: labels, selectors
 * (`cgroup:`, or the runtime's name from fixture state), YAML.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "suggest.h"
#include "runtime.h"

#define NAME "pol.yaml"
#define FIXTURES "tests/unit/fixtures/runtime" /* tests run from the repository root */

/* A record of `events --json` with every field the loader prints; NAME
 * stands for the name's text and hex (SOCK...), so REC expands it first.
 */
#define REC(...) REC_(__VA_ARGS__)
#define REC_(type, container, name, hex, perm, reason, extra)                                    \
	"{\"type\":\"" type "\",\"ts_ns\":1,\"container\":\"" container "\",\"cgroup_id\":9,"    \
	"\"pid\":7,\"comm\":\"p\",\"comm_hex\":\"70\",\"endpoint_id\":1,\"name\":\"" name "\","  \
	"\"name_hex\":\"" hex "\",\"perm\":\"" perm "\",\"reason\":\"" reason "\","              \
	"\"hook\":\"connect_unix\"" extra "}\n"
#define SOCK "/shared/s.sock", "2f7368617265642f732e736f636b"
#define DGRAM "/shared/d.sock", "2f7368617265642f642e736f636b"
#define ABS "@vipc-abs", "766970632d616273"
#define OTHER "/shared/o.sock", "2f7368617265642f6f2e736f636b"

#define POLICY                                                       \
	"version: 1\n"                                               \
	"defaults: { mode: audit }\n"                                \
	"containers:\n"                                              \
	"  srv: { cgroup: vipc-test/srv }\n"                         \
	"  cli: { cgroup: vipc-test/cli }\n"                         \
	"  bad: { cgroup: vipc-test/bad }\n"                         \
	"endpoints:\n"                                               \
	"  sock:  { owner: srv, unix: /shared/s.sock }\n"            \
	"  dgram: { owner: srv, unix: /shared/d.sock }\n"            \
	"  abs:   { owner: srv, abstract: vipc-abs }\n"              \
	"grants:\n"                                                  \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"

static struct vipc_suggest *s;
static char *out;
static size_t out_len;

static void setup(void)
{
	cr_assert_eq(vipc_suggest_new(&s), 0);
}

static void teardown(void)
{
	vipc_suggest_free(s);
	free(out);
}

TestSuite(suggest, .init = setup, .fini = teardown);

/* Feed @log through vipc_suggest_read, as `suggest --from` does. */
static void feed(const char *log)
{
	FILE *f = fmemopen((void *)log, strlen(log), "r");

	cr_assert_not_null(f);
	cr_assert_eq(vipc_suggest_read(s, f, "log"), 0);
	fclose(f);
}

/* The policy @pol with the sums merged: its text in `out`; the return value. */
static int merge(const char *pol)
{
	struct vipc_policy_error perr = {};
	FILE *f = open_memstream(&out, &out_len);
	int ret;

	cr_assert_not_null(f);
	ret = vipc_suggest_policy(s, pol, strlen(pol), NAME, f, &perr);
	fclose(f);
	return ret;
}

/* The merged policy parses; returns it. */
static struct vipc_policy *merge_ok(const char *pol)
{
	struct vipc_policy_error perr = {};
	struct vipc_policy *back = NULL;

	cr_assert_eq(merge(pol), 0);
	cr_assert_eq(vipc_policy_parse_string(out, out_len, "out", &back, &perr), 0, "%s\n%s",
		     perr.msg, out);
	return back;
}

/* The perms @back grants @c on @e (0: no grant). */
static __u32 perms_of(const struct vipc_policy *back, const char *c, const char *e)
{
	size_t i;

	for (i = 0; i < back->nr_grants; i++)
		if (!strcmp(back->grants[i].container, c) && !strcmp(back->grants[i].endpoint, e))
			return back->grants[i].perms;
	return 0;
}

/* Lines that are not comments in `out` hold @needle? */
static bool in_yaml(const char *needle)
{
	char *copy = strndup(out, out_len), *line, *save = NULL;
	bool found = false;

	for (line = strtok_r(copy, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
		found = line[0] != '#' && strstr(line, needle);
	free(copy);
	return found;
}

/* Each of the @n lines is refused alone, and nothing is summed. */
static void refused(const char *const *lines, size_t n)
{
	char why[128];
	size_t i;

	for (i = 0; i < n; i++)
		cr_expect_eq(vipc_suggest_line(s, lines[i], strlen(lines[i]), why, sizeof(why)),
			     -EINVAL, "%s", lines[i]);
	cr_expect_eq(vipc_suggest_counts(s)->calls, 0);
}
#define REFUSED(lines) refused(lines, sizeof(lines) / sizeof(lines[0]))

Test(suggest, a_would_deny_becomes_a_grant)
{
	struct vipc_policy *back;

	feed(REC("would-deny", "bad", SOCK, "connect", "no-grant", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(perms_of(back, "bad", "sock"), VIPC_PERM_CONNECT, "%s", out);
	cr_expect_eq(perms_of(back, "cli", "sock"), VIPC_PERM_CONNECT, "untouched: %s", out);
	cr_expect_eq(back->nr_grants, 2);
	cr_expect_eq(back->default_mode, VIPC_MODE_AUDIT, "the mode is the reviewer's to change");
	vipc_policy_free(back);
}

Test(suggest, permissions_merge_per_container_and_endpoint)
{
	struct vipc_policy *back;

	feed(REC("would-deny", "bad", SOCK, "connect", "no-grant", "")
	     REC("would-deny", "bad", SOCK, "send", "no-grant", "")
	     REC("deny", "bad", SOCK, "connect", "no-grant", "")
	     REC("deny", "bad", DGRAM, "send", "no-grant", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(perms_of(back, "bad", "sock"), VIPC_PERM_CONNECT | VIPC_PERM_SEND, "%s", out);
	cr_expect_eq(perms_of(back, "bad", "dgram"), VIPC_PERM_SEND, "%s", out);
	cr_expect_eq(back->nr_grants, 3, "one grant per pair: %s", out);
	cr_expect(strstr(out, "#   bad -> sock (/shared/s.sock): +connect,send [3 calls: 1 denied, "
			      "2 would-deny; no-grant 3]"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, a_missing_permission_widens_the_grant_in_place)
{
	struct vipc_policy *back;

	feed(REC("deny", "cli", SOCK, "send", "no-permission", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_grants, 1, "widened, not duplicated: %s", out);
	cr_expect_eq(perms_of(back, "cli", "sock"), VIPC_PERM_CONNECT | VIPC_PERM_SEND, "%s", out);
	cr_expect(strstr(out, "+send, has connect"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, suppressed_counts_are_summed)
{
	feed(REC("would-deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":41")
	     REC("would-deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":0")
	     REC("would-deny", "bad", SOCK, "connect", "no-grant", ""));
	cr_expect_eq(vipc_suggest_counts(s)->records, 3);
	cr_expect_eq(vipc_suggest_counts(s)->calls, 44);
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "[44 calls: 0 denied, 44 would-deny; no-grant 44]"), "%s", out);
}

/* The kernel's aggregation: one event opens a key's interval, a summary
 * carries the calls suppressed after it (and no call of its own), its
 * verdict saying whether they were denied or let through in audit mode.
 */
Test(suggest, summaries_add_their_suppressed_calls)
{
	feed(REC("would-deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":0")
	     REC("summary", "bad", SOCK, "connect", "no-grant", ",\"verdict\":\"audit\",\"suppressed\":2")
	     REC("deny", "bad", SOCK, "send", "no-permission", ",\"suppressed\":0")
	     REC("summary", "bad", SOCK, "send", "no-permission", ",\"verdict\":\"deny\",\"suppressed\":4"));
	cr_expect_eq(vipc_suggest_counts(s)->records, 4);
	cr_expect_eq(vipc_suggest_counts(s)->calls, 8);
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "8 calls: 5 denied, 3 would-deny;"), "%s", out);
}

/* The flush and a new event of the key race for its count: the summary may
 * carry none. It stands for no call: skipped, never a grant.
 */
Test(suggest, a_summary_of_no_calls_is_skipped)
{
	feed(REC("summary", "bad", SOCK, "connect", "no-grant",
		 ",\"verdict\":\"deny\",\"suppressed\":0"));
	cr_expect_eq(vipc_suggest_counts(s)->records, 0);
	cr_expect_eq(vipc_suggest_counts(s)->skipped, 1);
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(!strstr(out, "bad -> sock"), "%s", out);
}

Test(suggest, a_summary_without_a_verdict_refuses_the_line)
{
	const char *line = REC("summary", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":2");
	char why[128];

	cr_expect_eq(vipc_suggest_line(s, line, strlen(line), why, sizeof(why)), -EINVAL);
	cr_expect_eq(vipc_suggest_counts(s)->calls, 0);
}

Test(suggest, a_huge_suppressed_count_saturates)
{
	feed(REC("deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":18446744073709551615")
	     REC("deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":5"));
	cr_expect_eq(vipc_suggest_counts(s)->calls, UINT64_MAX);
	cr_expect_eq(vipc_suggest_counts(s)->bad, 0);
}

Test(suggest, a_bad_suppressed_count_refuses_the_line)
{
	const char *bad[] = {
		REC("deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":-1"),
		REC("deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":\"3\""),
		REC("deny", "bad", SOCK, "connect", "no-grant", ",\"suppressed\":1.5"),
	};

	REFUSED(bad);
}

Test(suggest, bad_lines_are_counted_and_skipped_the_rest_is_used)
{
	struct vipc_policy *back;

	feed("not json\n"
	     "[1,2]\n"
	     "{\"type\":\"deny\"}\n"
	     "{\"type\":\"deny\",\"container\":\"bad\"} trailing\n"
	     "{\"type\":\"deny\",\"container\":\"bad\",\"name\":\"/x\",\"name_hex\":\"2f79\","
	     "\"perm\":\"connect\",\"reason\":\"no-grant\"}\n" /* the hex is "/y" */
	     "{\"type\":\"deny\",\"container\":\"bad\",\"name\":\"/x\",\"name_hex\":\"2F78\","
	     "\"perm\":\"connect\",\"reason\":\"no-grant\"}\n" /* upper-case hex */
	     REC("deny", "bad", SOCK, "connect", "no-such-reason", "")
	     REC("deny", "bad", SOCK, "connect,send", "no-grant", "")
	     REC("deny", "bad", SOCK, "bind", "no-grant", "")
	     "{\"type\":\"deny\",\"container\":\"b\\u0000ad\",\"name\":\"/x\","
	     "\"name_hex\":\"2f78\",\"perm\":\"connect\",\"reason\":\"no-grant\"}\n"
	     "{\"type\":\"deny\",\"container\":\"0123456789012345678901234567890123\","
	     "\"name\":\"/x\",\"name_hex\":\"2f78\",\"perm\":\"connect\",\"reason\":\"no-grant\"}\n"
	     "\n"
	     "{\"decisions\":{\"lookups\":3}}\n"
	     "{\"type\":\"cgroup-gone\",\"container_id\":3,\"cgroup_id\":4}\n");
	cr_expect_eq(vipc_suggest_counts(s)->lines, 14);
	cr_expect_eq(vipc_suggest_counts(s)->bad, 10);
	cr_expect_eq(vipc_suggest_counts(s)->skipped, 3, "blank, snapshot, cgroup-gone");
	cr_expect_eq(vipc_suggest_counts(s)->records, 1, "only the bind line is good");
	back = merge_ok(POLICY);
	cr_expect_eq(perms_of(back, "bad", "sock"), VIPC_PERM_BIND, "%s", out);
	vipc_policy_free(back);
}

Test(suggest, a_line_longer_than_the_buffer_is_refused_alone)
{
	size_t n = 40000;
	char *log = malloc(n + 512);

	cr_assert_not_null(log);
	memset(log, ' ', n);
	strcpy(log + n, "\n" REC("deny", "bad", SOCK, "connect", "no-grant", ""));
	feed(log);
	free(log);
	cr_expect_eq(vipc_suggest_counts(s)->lines, 2);
	cr_expect_eq(vipc_suggest_counts(s)->bad, 1);
	cr_expect_eq(vipc_suggest_counts(s)->records, 1, "the next line is read whole");
}

Test(suggest, deep_json_is_refused)
{
	char why[128];
	const char *deep = "{\"type\":\"deny\",\"x\":[[[[[[[[[[[[1]]]]]]]]]]]]}";

	cr_expect_eq(vipc_suggest_line(s, deep, strlen(deep), why, sizeof(why)), -EINVAL);
}

Test(suggest, reasons_a_grant_cannot_fix_are_only_comments)
{
	struct vipc_policy *back;

	feed(REC("deny", "bad", ABS, "connect", "impostor", ",\"suppressed\":2")
	     REC("deny", "cli", SOCK, "connect", "channel-full", "")
	     REC("deny", "bad", DGRAM, "send", "unconfined", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_grants, 1, "no grant added: %s", out);
	cr_expect(strstr(out, "# Not fixable by a grant"), "%s", out);
	cr_expect(strstr(out, "#   bad -> @vipc-abs [3 calls: 3 denied, 0 would-deny; impostor 3]"),
		  "%s", out);
	cr_expect(strstr(out, "#   cli -> /shared/s.sock [1 call: 1 denied, 0 would-deny; "
			      "channel-full 1]"), "%s", out);
	cr_expect(strstr(out, "unconfined 1"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, a_revoked_grant_is_granted_already)
{
	feed(REC("deny", "cli", SOCK, "connect", "revoked", ""));
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "# Granted already"), "%s", out);
	cr_expect(strstr(out, "#   cli -> sock (/shared/s.sock): has connect"), "%s", out);
}

Test(suggest, unknown_containers_are_only_comments)
{
	struct vipc_policy *back;

	feed(REC("deny", "#12", SOCK, "connect", "no-grant", "")
	     REC("deny", "web", SOCK, "connect", "no-grant", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_grants, 1, "%s", out);
	cr_expect(strstr(out, "#   #12 -> /shared/s.sock [1 call"), "%s", out);
	cr_expect(strstr(out, "#   web -> /shared/s.sock [1 call"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, an_unregistered_name_is_a_commented_endpoint)
{
	struct vipc_policy *back;

	feed(REC("deny", "bad", OTHER, "connect", "unknown-deny", "")
	     REC("deny", "cli", OTHER, "send", "unknown-deny", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_endpoints, 3, "not registered for the reviewer: %s", out);
	cr_expect_eq(back->nr_grants, 1, "%s", out);
	cr_expect(strstr(out, "#     o.sock: {owner: OWNER, unix: /shared/o.sock}\n"), "%s", out);
	cr_expect(strstr(out, "#   - {container: bad, endpoint: o.sock, allow: [connect]}\n"), "%s",
		  out);
	cr_expect(strstr(out, "#   - {container: cli, endpoint: o.sock, allow: [send]}\n"), "%s",
		  out);
	vipc_policy_free(back);
}

/* A port nobody registered: a `tcp:` endpoint labelled by its port, which
 * parses back once uncommented.
 */
Test(suggest, an_unregistered_port_is_a_tcp_endpoint)
{
	feed(REC("deny", "bad", "tcp:127.0.0.1:8080", "00000000000000000000ffff7f0000011f90",
		 "connect", "unknown-deny", ""));
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "#     tcp-8080: {owner: OWNER, tcp: '127.0.0.1:8080'}\n"), "%s", out);
	cr_expect(strstr(out, "#   - {container: bad, endpoint: tcp-8080, allow: [connect]}\n"),
		  "%s", out);
}

Test(suggest, suggested_labels_do_not_collide)
{
	/* "/a/sock" and "/b/sock" both end in "sock", an endpoint of the policy. */
	feed(REC("deny", "bad", "/a/sock", "2f612f736f636b", "connect", "unknown-deny", "")
	     REC("deny", "bad", "/b/sock", "2f622f736f636b", "connect", "unknown-deny", ""));
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "#     sock-2: {owner: OWNER, unix: /a/sock}\n"), "%s", out);
	cr_expect(strstr(out, "#     sock-3: {owner: OWNER, unix: /b/sock}\n"), "%s", out);
}

/* A socket name with a newline, a quote, a '#' and a byte >= 0x80: the
 * comment shows it escaped on one line, the YAML quotes it, and uncommented
 * it parses back to the very bytes.
 */
Test(suggest, a_hostile_name_stays_on_its_line_and_round_trips)
{
	struct vipc_policy *back = NULL;
	struct vipc_policy_error perr = {};
	const char *prefix = "#     x-----: {owner: OWNER, unix: \"";
	char pol[4096], *snip, *value;

	feed(REC("deny", "bad", "/x\\\\x0a#\\\"\\\\xc3\\\\xa9", "2f780a2322c3a9", "connect",
		 "unknown-deny", ""));
	cr_assert_eq(merge(POLICY), 0);
	cr_expect(strstr(out, "#   bad -> /x\\x0a#\"\\xc3\\xa9: connect, as endpoint x----- ["),
		  "%s", out);
	/* Uncomment the suggestion and add it to the policy's endpoints. */
	snip = strstr(out, prefix);
	cr_assert_not_null(snip, "%s", out);
	value = strstr(snip, "{owner: OWNER, ");
	cr_assert_not_null(value, "%s", out);
	value += strlen("{owner: OWNER, ");
	snprintf(pol, sizeof(pol), "%.*s  x-----: {owner: srv, %.*s\n",
		 (int)(strstr(POLICY, "grants:") - POLICY), POLICY,
		 (int)(strchr(value, '\n') - value), value);
	cr_assert_eq(vipc_policy_parse_string(pol, strlen(pol), "pol", &back, &perr), 0,
		     "%s\n%s", perr.msg, pol);
	cr_expect_eq(back->endpoints[3].len, 7);
	cr_expect_eq(memcmp(back->endpoints[3].addr, "/x\n#\"\xc3\xa9", 7), 0, "%s", pol);
	vipc_policy_free(back);
}

Test(suggest, names_no_policy_can_hold_are_only_comments)
{
	struct vipc_policy *back;

	feed(REC("deny", "bad", "@a\\\\x00b", "610062", "connect", "unknown-deny", "")
	     REC("deny", "bad", "/x\\\\xff", "2f78ff", "connect", "unknown-deny", "")
	     REC("deny", "bad", "rel.sock", "72656c2e736f636b", "connect", "unknown-deny", ""));
	back = merge_ok(POLICY);
	cr_expect(strstr(out, "# Names a policy cannot hold"), "%s", out);
	cr_expect(strstr(out, "#   bad -> @a\\x00b ["), "%s", out);
	cr_expect(strstr(out, "#   bad -> /x\\xff ["), "%s", out);
	cr_expect(strstr(out, "#   bad -> rel.sock ["), "%s", out);
	cr_expect(!strstr(out, "endpoints:\n#"), "no endpoint suggested: %s", out);
	vipc_policy_free(back);
}

Test(suggest, the_output_is_sorted_whatever_the_order_of_the_log)
{
	char *first;

	feed(REC("deny", "cli", DGRAM, "send", "no-grant", "")
	     REC("deny", "bad", SOCK, "connect", "no-grant", "")
	     REC("deny", "bad", DGRAM, "send", "no-grant", ""));
	cr_assert_eq(merge(POLICY), 0);
	first = strdup(out);
	vipc_suggest_free(s);
	free(out);
	out = NULL;
	cr_assert_eq(vipc_suggest_new(&s), 0);
	feed(REC("deny", "bad", DGRAM, "send", "no-grant", "")
	     REC("deny", "bad", SOCK, "connect", "no-grant", "")
	     REC("deny", "cli", DGRAM, "send", "no-grant", ""));
	cr_assert_eq(merge(POLICY), 0);
	cr_expect_str_eq(out, first);
	cr_expect(strstr(out, "bad -> dgram") < strstr(out, "bad -> sock") &&
		  strstr(out, "bad -> sock") < strstr(out, "cli -> dgram"), "%s", out);
	free(first);
}

Test(suggest, a_policy_without_grants_gets_a_grants_list)
{
	struct vipc_policy *back;
	const char *pol = "version: 1\ncontainers:\n  srv: { cgroup: a }\n  bad: { cgroup: b }\n"
			  "endpoints:\n  sock: { owner: srv, unix: /shared/s.sock }\ngrants:\n";

	feed(REC("deny", "bad", SOCK, "connect", "no-grant", ""));
	back = merge_ok(pol);
	cr_expect_eq(perms_of(back, "bad", "sock"), VIPC_PERM_CONNECT, "%s", out);
	vipc_policy_free(back);
}

Test(suggest, nothing_to_add_prints_the_policy_as_it_was)
{
	struct vipc_policy *back;

	feed(REC("deny", "bad", ABS, "connect", "impostor", ""));
	back = merge_ok("version: 1\ncontainers:\n  srv: { cgroup: a }\n  bad: { cgroup: b }\n"
			"endpoints:\n  abs: { owner: srv, abstract: vipc-abs }\n");
	cr_expect(!in_yaml("grants"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, a_bad_policy_is_refused_with_its_position)
{
	struct vipc_policy_error perr = {};
	const char *pol = "version: 1\ncontainers:\n  srv: { cgroup: a, nope: 1 }\n";

	feed(REC("deny", "bad", SOCK, "connect", "no-grant", ""));
	cr_expect_eq(vipc_suggest_policy(s, pol, strlen(pol), NAME, stdout, &perr), -EINVAL);
	cr_expect_eq(perr.line, 3);
}

Test(suggest, a_fragment_names_each_grant_whole)
{
	struct vipc_policy *base = NULL;
	struct vipc_policy_error perr = {};
	FILE *f = open_memstream(&out, &out_len);

	cr_assert_eq(vipc_policy_parse_string(POLICY, strlen(POLICY), NAME, &base, &perr), 0);
	feed(REC("deny", "cli", SOCK, "send", "no-permission", "")
	     REC("would-deny", "bad", DGRAM, "send", "no-grant", ""));
	cr_assert_eq(vipc_suggest_fragment(s, base, f), 0);
	fclose(f);
	vipc_policy_free(base);
	cr_expect(strstr(out, "\ngrants:\n"
			      "- {container: bad, endpoint: dgram, allow: [send]}\n"
			      "- {container: cli, endpoint: sock, allow: [connect, send]}\n"),
		  "%s", out);
}

/* ---- callers no container held: their cgroups become containers ---- */

/* A caller no container held ("-"), in cgroup @cg (the loader's text). */
#define CG(cg) ",\"verdict\":\"audit\",\"cgroup\":\"" cg "\""
#define STRANGER CG("/vipc-test/stranger")
#define HEX8(c) c c c c c c c c
#define HEX64(c) HEX8(c) HEX8(c) HEX8(c) HEX8(c) HEX8(c) HEX8(c) HEX8(c) HEX8(c)
#define HEX64_31(c) HEX8(c) HEX8(c) HEX8(c) c c c c c c c /* a label's 31 bytes of it */
#define LONG_PATH HEX64("l") "/" HEX64("o") "/" HEX64("n") "/" HEX64("g") /* 259 bytes */

/* The container @name of @back, or NULL. */
static const struct vipc_policy_container *container_of(const struct vipc_policy *back,
							const char *name)
{
	return vipc_policy_container(back, name);
}

Test(suggest, a_cgroup_no_container_held_becomes_a_container_with_its_grants)
{
	const struct vipc_policy_container *c;
	struct vipc_policy *back;

	feed(REC("would-deny", "-", SOCK, "connect", "no-grant", STRANGER ",\"suppressed\":2")
	     REC("would-deny", "-", SOCK, "send", "no-grant", STRANGER)
	     REC("would-deny", "-", DGRAM, "send", "no-grant", STRANGER));
	back = merge_ok(POLICY);
	c = container_of(back, "stranger");
	cr_assert_not_null(c, "%s", out);
	cr_expect_str_eq(c->cgroup, "/vipc-test/stranger");
	cr_expect_eq(back->nr_containers, 4, "one container for the cgroup: %s", out);
	cr_expect_eq(perms_of(back, "stranger", "sock"), VIPC_PERM_CONNECT | VIPC_PERM_SEND, "%s",
		     out);
	cr_expect_eq(perms_of(back, "stranger", "dgram"), VIPC_PERM_SEND, "%s", out);
	cr_expect(in_yaml("  stranger: {cgroup: /vipc-test/stranger}"), "%s", out);
	cr_expect(strstr(out, "# Containers added (no container held these callers; each takes the "
			      "policy's defaults, and the grants below):\n"
			      "#   stranger: cgroup /vipc-test/stranger\n"), "%s", out);
	cr_expect(strstr(out, "#   stranger -> sock (/shared/s.sock): +connect,send [4 calls: 0 "
			      "denied, 4 would-deny; no-grant 4]\n"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, calls_of_no_container_are_summed_per_cgroup_and_name)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/a/web"))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/b/web"))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/a/web")));
	back = merge_ok(POLICY);
	cr_expect_str_eq(container_of(back, "web")->cgroup, "/a/web", "%s", out);
	cr_expect_str_eq(container_of(back, "web-2")->cgroup, "/b/web", "%s", out);
	cr_expect(strstr(out, "#   web -> sock (/shared/s.sock): +connect [2 calls: 2 denied"),
		  "%s", out);
	cr_expect(strstr(out, "#   web-2 -> sock (/shared/s.sock): +connect [1 call: 1 denied"),
		  "%s", out);
	vipc_policy_free(back);
}

Test(suggest, no_container_without_a_cgroup_stays_a_comment)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", ""));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_containers, 3, "%s", out);
	cr_expect_eq(back->nr_grants, 1, "%s", out);
	cr_expect(strstr(out, "#   - -> /shared/s.sock [1 call: 1 denied"), "%s", out);
	cr_expect(!strstr(out, "Containers added"), "%s", out);
	vipc_policy_free(back);
}

/* Labels: the last component in label characters, unique against the
 * policy's containers and each other, at most 31 bytes (a suffix cuts it).
 */
Test(suggest, container_labels_are_unique_and_fit)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/x/cli"))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/x/we\\\\x20b:c"))
	     REC("deny", "-", SOCK, "connect", "no-grant",
		 CG("/x/0123456789012345678901234567890123456789"))
	     REC("deny", "-", SOCK, "connect", "no-grant",
		 CG("/y/0123456789012345678901234567890123456789")));
	back = merge_ok(POLICY);
	cr_expect_str_eq(container_of(back, "cli-2")->cgroup, "/x/cli", "%s", out);
	cr_expect_str_eq(container_of(back, "we-b-c")->cgroup, "/x/we b:c", "%s", out);
	cr_expect_str_eq(container_of(back, "0123456789012345678901234567890")->cgroup,
			 "/x/0123456789012345678901234567890123456789", "%s", out);
	cr_expect_str_eq(container_of(back, "01234567890123456789012345678-2")->cgroup,
			 "/y/0123456789012345678901234567890123456789", "%s", out);
	vipc_policy_free(back);
}

/* A cgroup the policy selects now (by its exact path, however written): its
 * container gets the grant, no new one is made; run on its own output,
 * suggest adds nothing.
 */
Test(suggest, a_cgroup_the_policy_selects_is_its_container)
{
	struct vipc_policy *back;
	char *first;

	feed(REC("deny", "-", SOCK, "send", "no-grant", CG("/vipc-test/cli"))
	     REC("deny", "-", DGRAM, "send", "no-grant", STRANGER));
	back = merge_ok(POLICY);
	cr_expect_eq(perms_of(back, "cli", "sock"), VIPC_PERM_CONNECT | VIPC_PERM_SEND, "%s", out);
	cr_expect_eq(back->nr_containers, 4, "only the stranger added: %s", out);
	vipc_policy_free(back);
	first = strndup(out, out_len);
	free(out);
	out = NULL;
	back = merge_ok(first); /* the comments are YAML comments */
	cr_expect_eq(back->nr_containers, 4, "nothing added again: %s", out);
	cr_expect(!strstr(out, "Containers added") && !strstr(out, "+send"), "%s", out);
	cr_expect(strstr(out, "#   stranger -> dgram (/shared/d.sock): has send"), "%s", out);
	vipc_policy_free(back);
	free(first);
}

/* The root cgroup (every process is under it), a wildcard (a glob) and bytes
 * that are not UTF-8: no selector names them as they are.
 */
Test(suggest, cgroups_no_selector_names_are_only_comments)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/"))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/a/b*c"))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/a/\\\\xff")));
	back = merge_ok(POLICY);
	cr_expect_eq(back->nr_containers, 3, "%s", out);
	cr_expect(strstr(out, "# No container, in a cgroup no selector names as it is"), "%s", out);
	cr_expect(strstr(out, "#   - (cgroup /) -> /shared/s.sock [1 call"), "%s", out);
	cr_expect(strstr(out, "#   - (cgroup /a/b*c) -> /shared/s.sock [1 call"), "%s", out);
	cr_expect(strstr(out, "#   - (cgroup /a/\\xff) -> /shared/s.sock [1 call"), "%s", out);
	vipc_policy_free(back);
}

/* A cgroup path with a newline and a quote: escaped on its comment line,
 * quoted in the YAML, and parsed back to the very bytes.
 */
Test(suggest, a_hostile_cgroup_path_stays_on_its_line_and_round_trips)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/a/x\\\\x0a\\\"#y")));
	back = merge_ok(POLICY);
	cr_expect_str_eq(container_of(back, "x---y")->cgroup, "/a/x\n\"#y", "%s", out);
	cr_expect(strstr(out, "#   x---y: cgroup /a/x\\x0a\"#y\n"), "%s", out);
	vipc_policy_free(back);
}

/* Docker and Podman know these cgroups (fixture state, whose bundles name
 * them): selected by the runtime's name, labelled by it; a policy that
 * selects that name already gets the grant instead.
 */
Test(suggest, a_cgroup_a_runtime_knows_is_selected_by_its_name)
{
	static const struct vipc_rt_roots roots = {
		.docker = FIXTURES "/docker",
		.podman = FIXTURES "/podman",
		.containerd = { FIXTURES "/containerd", FIXTURES "/docker-containerd" },
	};
	struct vipc_policy *back;

	vipc_suggest_where(s, NULL, &roots);
	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/docker/" HEX64("1")))
	     REC("deny", "-", SOCK, "connect", "no-grant", CG("/libpod_parent/libpod-" HEX64("a")))
	     REC("deny", "-", DGRAM, "send", "no-grant", CG("/docker/" HEX64("9"))));
	back = merge_ok(POLICY);
	cr_expect(in_yaml("  dweb: {docker: dweb}"), "%s", out);
	cr_expect(in_yaml("  pweb: {podman: pweb}"), "%s", out);
	cr_expect(strstr(out, "#   dweb: docker dweb (cgroup /docker/" HEX64("1") ")\n"), "%s",
		  out);
	cr_expect_str_eq(container_of(back, HEX64_31("9"))->cgroup, "/docker/" HEX64("9"),
			 "no state for it: by cgroup: %s", out);
	cr_expect_eq(perms_of(back, "dweb", "sock"), VIPC_PERM_CONNECT, "%s", out);
	vipc_policy_free(back);
	free(out);
	out = NULL;
	back = merge_ok("version: 1\ncontainers:\n  srv: { cgroup: a }\n  api: { docker: dweb }\n"
			"endpoints:\n  sock: { owner: srv, unix: /shared/s.sock }\n"
			"  dgram: { owner: srv, unix: /shared/d.sock }\n");
	cr_expect(!in_yaml("dweb:"), "%s", out);
	cr_expect_eq(perms_of(back, "api", "sock"), VIPC_PERM_CONNECT, "%s", out);
	vipc_policy_free(back);
}

Test(suggest, bad_cgroup_fields_refuse_the_line)
{
	const char *bad[] = {
		REC("deny", "-", SOCK, "connect", "no-grant", ",\"cgroup\":7"),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("a/b")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a\\\\x0A")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a\\\\x41")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a\\\\x00")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a\\\\x4")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a b")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/a\\\\")),
		REC("deny", "-", SOCK, "connect", "no-grant", CG("/\\u00e9")),
	};

	REFUSED(bad);
}

/* A path longer than a selector holds counts as none; a container's own
 * calls keep their container, whatever "cgroup" says.
 */
Test(suggest, a_cgroup_too_long_to_select_is_none)
{
	struct vipc_policy *back;

	feed(REC("deny", "-", SOCK, "connect", "no-grant", CG("/" LONG_PATH))
	     REC("deny", "bad", SOCK, "connect", "no-grant", STRANGER));
	back = merge_ok(POLICY);
	cr_expect(strstr(out, "#   - -> /shared/s.sock [1 call"), "%s", out);
	cr_expect_eq(perms_of(back, "bad", "sock"), VIPC_PERM_CONNECT, "%s", out);
	cr_expect(!container_of(back, "stranger"), "%s", out);
	vipc_policy_free(back);
}

Test(suggest, a_fragment_has_the_containers_to_add)
{
	struct vipc_policy *base = NULL;
	struct vipc_policy_error perr = {};
	FILE *f = open_memstream(&out, &out_len);

	cr_assert_eq(vipc_policy_parse_string(POLICY, strlen(POLICY), NAME, &base, &perr), 0);
	feed(REC("would-deny", "-", SOCK, "connect", "no-grant", STRANGER));
	cr_assert_eq(vipc_suggest_fragment(s, base, f), 0);
	fclose(f);
	vipc_policy_free(base);
	cr_expect(strstr(out, "#   stranger: cgroup /vipc-test/stranger\n"), "%s", out);
	cr_expect(strstr(out, "\ncontainers:\n"
			      "  stranger: {cgroup: /vipc-test/stranger}\n"
			      "grants:\n"
			      "- {container: stranger, endpoint: sock, allow: [connect]}\n"),
		  "%s", out);
}
