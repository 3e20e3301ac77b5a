// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The policy parser of user/policy/policy.h: good policies land field by field in
 * the structs, flow and block style alike; every bad policy is refused with
 * -EINVAL, no policy, and "NAME:LINE:COL: msg" pointing at the offending
 * node; policy files that cannot be read; cgroup resolution against a fake
 * cgroup2 mount and /proc in a temporary directory; the look-ups.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EXAMPLE "examples/policy.yaml" /* tests run from the repository root */
#define NAME "test.yaml"	       /* the name errors carry */
#define MSG_MAX (PATH_MAX + 600)

/* Long names: X31 is the longest label, X107/X108 the longest abstract/unix. */
#define X4 "xxxx"
#define X16 X4 X4 X4 X4
#define X31 X16 X4 X4 X4 "xxx"
#define X32 X16 X16
#define X107 X32 X32 X32 X4 X4 "xxx"
#define X108 X107 "x"
#define LONG256 X32 X32 X32 X32 X32 X32 X32 X32
#define REL255 X107 "/" X107 "/" X32 X4 "xxx" /* 256 bytes as "/" REL255 */

static struct vipc_policy *parse_ok(const char *text)
{
	struct vipc_policy *pol = NULL;
	struct vipc_policy_error err;
	char msg[MSG_MAX];
	int ret;

	ret = vipc_policy_parse_string(text, strlen(text), NAME, &pol, &err);
	vipc_policy_error_format(&err, msg, sizeof(msg));
	cr_assert_eq(ret, 0, "%s\n--- policy:\n%s", msg, text);
	cr_assert_not_null(pol);
	return pol;
}

/* ---- good policies ---- */

static void expect_container(const struct vipc_policy *pol, size_t i, const char *name,
			     const char *cgroup, int pid, __u8 mode, __u8 unknown, int line)
{
	const struct vipc_policy_container *c;

	cr_assert_lt(i, pol->nr_containers);
	c = &pol->containers[i];
	cr_expect_str_eq(c->name, name);
	cr_expect_str_eq(c->cgroup, cgroup, "container %s", name);
	cr_expect_eq(c->pid, pid, "container %s", name);
	cr_expect_eq(c->mode, mode, "container %s", name);
	cr_expect_eq(c->unknown, unknown, "container %s", name);
	cr_expect_eq(c->cgroup_id, 0, "container %s: resolved before resolve()", name);
	cr_expect_eq(c->pos.line, line, "container %s", name);
	cr_expect_eq(c->pos.column, 3, "container %s", name);
}

static void expect_endpoint(const struct vipc_policy *pol, size_t i, const char *name,
			    const char *owner, __u8 kind, const char *addr, int line)
{
	const struct vipc_policy_endpoint *e;
	char zero[VIPC_NAME_MAX] = {};
	size_t len = strlen(addr);

	cr_assert_lt(i, pol->nr_endpoints);
	e = &pol->endpoints[i];
	cr_expect_str_eq(e->name, name);
	cr_expect_str_eq(e->owner, owner, "endpoint %s", name);
	cr_expect_eq(e->kind, kind, "endpoint %s", name);
	cr_assert_eq(e->len, len, "endpoint %s", name);
	cr_expect_arr_eq(e->addr, addr, len, "endpoint %s", name);
	cr_expect_arr_eq(e->addr + len, zero, VIPC_NAME_MAX - len, "endpoint %s: tail", name);
	cr_expect_eq(e->pos.line, line, "endpoint %s", name);
	cr_expect_eq(e->pos.column, 3, "endpoint %s", name);
}

static void expect_channel(const struct vipc_policy *pol, size_t i, const char *name,
			   const char *endpoint, const char *receiver, const char *const *senders,
			   size_t nr_senders, __u32 capacity, int line)
{
	const struct vipc_policy_channel *c;
	size_t j;

	cr_assert_lt(i, pol->nr_channels);
	c = &pol->channels[i];
	cr_expect_str_eq(c->name, name);
	cr_expect_str_eq(c->endpoint, endpoint, "channel %s", name);
	cr_expect_str_eq(c->receiver, receiver, "channel %s", name);
	cr_assert_eq(c->nr_senders, nr_senders, "channel %s", name);
	for (j = 0; j < nr_senders; j++)
		cr_expect_str_eq(c->senders[j], senders[j], "channel %s, sender %zu", name, j);
	cr_expect_eq(c->capacity, capacity, "channel %s", name);
	cr_expect_eq(c->pos.line, line, "channel %s", name);
	cr_expect_eq(c->pos.column, 3, "channel %s", name);
}

static void expect_grant(const struct vipc_policy *pol, size_t i, const char *container,
			 const char *endpoint, __u32 perms, int line, int column)
{
	const struct vipc_policy_grant *g;

	cr_assert_lt(i, pol->nr_grants);
	g = &pol->grants[i];
	cr_expect_str_eq(g->container, container, "grant %zu", i);
	cr_expect_str_eq(g->endpoint, endpoint, "grant %zu", i);
	cr_expect_eq(g->perms, perms, "grant %zu: perms %#x", i, g->perms);
	cr_expect_eq(g->pos.line, line, "grant %zu", i);
	cr_expect_eq(g->pos.column, column, "grant %zu", i);
}

Test(good, example_file_parses)
{
	static const char *const jobq_senders[] = { "client" };
	struct vipc_policy *pol = NULL;
	struct vipc_policy_error err;
	char msg[MSG_MAX];
	int ret;

	ret = vipc_policy_parse_file(EXAMPLE, &pol, &err);
	vipc_policy_error_format(&err, msg, sizeof(msg));
	cr_assert_eq(ret, 0, "%s", msg);
	cr_expect_eq(pol->default_mode, VIPC_MODE_ENFORCE);
	cr_expect_eq(pol->default_unknown, VIPC_UNKNOWN_ALLOW);
	cr_expect_eq(pol->events_interval_ms, 1000);
	cr_expect_eq(pol->nr_containers, 3);
	expect_container(pol, 0, "server", "vipc-demo/server", 0, VIPC_MODE_ENFORCE,
			 VIPC_UNKNOWN_ALLOW, 54);
	expect_container(pol, 1, "client", "vipc-demo/client", 0, VIPC_MODE_ENFORCE,
			 VIPC_UNKNOWN_ALLOW, 55);
	expect_container(pol, 2, "intruder", "vipc-demo/intruder", 0, VIPC_MODE_ENFORCE,
			 VIPC_UNKNOWN_ALLOW, 56);
	cr_expect_eq(pol->nr_endpoints, 2);
	expect_endpoint(pol, 0, "echo", "server", VIPC_KIND_UNIX_PATH, "/shared/echo.sock", 74);
	expect_endpoint(pol, 1, "jobs", "server", VIPC_KIND_UNIX_PATH, "/shared/jobs.sock", 75);
	cr_expect_eq(pol->endpoints[0].others, VIPC_OTHERS_DENY);
	cr_expect(pol->endpoints[0].others_set, "the example says others: deny");
	cr_expect_eq(pol->nr_channels, 1);
	expect_channel(pol, 0, "jobq", "jobs", "server", jobq_senders, 1, 16, 85);
	cr_expect_eq(pol->nr_grants, 1);
	expect_grant(pol, 0, "client", "echo", VIPC_PERM_CONNECT | VIPC_PERM_SEND, 96, 5);
	vipc_policy_free(pol);
}

/* Every feature, block style. Defaults audit/deny; web overrides the mode,
 * ops the unknown default.
 */
static const char block_policy[] =
	"version: 1\n"			/* 1 */
	"defaults:\n"			/* 2 */
	"  unknown: deny\n"		/* 3 */
	"  mode: audit\n"		/* 4 */
	"containers:\n"			/* 5 */
	"  db:\n"			/* 6 */
	"    cgroup: vipc-demo/db\n"	/* 7 */
	"  web:\n"			/* 8 */
	"    cgroup: /vipc-demo/web\n"	/* 9 */
	"    mode: enforce\n"		/* 10 */
	"  ops:\n"			/* 11 */
	"    pid: 4242\n"		/* 12 */
	"    unknown: allow\n"		/* 13 */
	"endpoints:\n"			/* 14 */
	"  pg:\n"			/* 15 */
	"    owner: db\n"		/* 16 */
	"    unix: /shared/pg.sock\n"	/* 17 */
	"  metrics:\n"			/* 18 */
	"    owner: web\n"		/* 19 */
	"    abstract: vipc-metrics\n"	/* 20 */
	"channels:\n"			/* 21 */
	"  jobs:\n"			/* 22 */
	"    endpoint: pg\n"		/* 23 */
	"    senders:\n"		/* 24 */
	"      - web\n"			/* 25 */
	"      - ops\n"			/* 26 */
	"    receiver: db\n"		/* 27 */
	"    capacity: 4294967295\n"	/* 28 */
	"  logs:\n"			/* 29 */
	"    endpoint: metrics\n"	/* 30 */
	"    senders:\n"		/* 31 */
	"      - db\n"			/* 32 */
	"    receiver: web\n"		/* 33 */
	"grants:\n"			/* 34 */
	"  - container: ops\n"		/* 35 */
	"    endpoint: metrics\n"	/* 36 */
	"    allow:\n"			/* 37 */
	"      - connect\n"		/* 38 */
	"      - pass-fd\n"		/* 39 */
	"  - container: web\n"		/* 40 */
	"    endpoint: pg\n"		/* 41 */
	"    allow:\n"			/* 42 */
	"      - send\n"		/* 43 */
	"      - bind\n"		/* 44 */
	"      - pass-fd\n"		/* 45 */
	"      - connect\n";		/* 46 */

/* The same policy, flow style, as one mapping. */
static const char flow_policy[] =
	"{ version: 1, defaults: { unknown: deny, mode: audit },\n"
	"  containers: { db: { cgroup: vipc-demo/db },\n"
	"                web: { cgroup: /vipc-demo/web, mode: enforce },\n"
	"                ops: { pid: 4242, unknown: allow } },\n"
	"  endpoints: { pg: { owner: db, unix: /shared/pg.sock },\n"
	"               metrics: { owner: web, abstract: vipc-metrics } },\n"
	"  channels: { jobs: { endpoint: pg, senders: [web, ops], receiver: db,\n"
	"                      capacity: 4294967295 },\n"
	"              logs: { endpoint: metrics, senders: [db], receiver: web } },\n"
	"  grants: [ { container: ops, endpoint: metrics, allow: [connect, pass-fd] },\n"
	"            { container: web, endpoint: pg, allow: [send, bind, pass-fd, connect] } ] }\n";

Test(good, every_field_lands_in_the_struct)
{
	static const char *const jobs_senders[] = { "web", "ops" };
	static const char *const logs_senders[] = { "db" };
	struct vipc_policy *pol = parse_ok(block_policy);

	cr_expect_eq(pol->default_mode, VIPC_MODE_AUDIT);
	cr_expect_eq(pol->default_unknown, VIPC_UNKNOWN_DENY);
	cr_expect_eq(pol->nr_containers, 3);
	expect_container(pol, 0, "db", "vipc-demo/db", 0, VIPC_MODE_AUDIT, VIPC_UNKNOWN_DENY, 6);
	expect_container(pol, 1, "web", "/vipc-demo/web", 0, VIPC_MODE_ENFORCE, VIPC_UNKNOWN_DENY,
			 8);
	expect_container(pol, 2, "ops", "", 4242, VIPC_MODE_AUDIT, VIPC_UNKNOWN_ALLOW, 11);
	cr_expect_eq(pol->nr_endpoints, 2);
	expect_endpoint(pol, 0, "pg", "db", VIPC_KIND_UNIX_PATH, "/shared/pg.sock", 15);
	expect_endpoint(pol, 1, "metrics", "web", VIPC_KIND_UNIX_ABSTRACT, "vipc-metrics", 18);
	cr_expect_eq(pol->nr_channels, 2);
	expect_channel(pol, 0, "jobs", "pg", "db", jobs_senders, 2, 4294967295u, 22);
	expect_channel(pol, 1, "logs", "metrics", "web", logs_senders, 1, 0, 29);
	cr_expect_eq(pol->nr_grants, 2);
	expect_grant(pol, 0, "ops", "metrics", VIPC_PERM_CONNECT | VIPC_PERM_PASS_FD, 35, 5);
	expect_grant(pol, 1, "web", "pg", VIPC_PERM_UNIX, 40, 5);
	vipc_policy_free(pol);
}

static void expect_same_containers(const struct vipc_policy *a, const struct vipc_policy *b)
{
	size_t i;

	cr_assert_eq(a->nr_containers, b->nr_containers);
	for (i = 0; i < a->nr_containers; i++) {
		cr_expect_str_eq(a->containers[i].name, b->containers[i].name);
		cr_expect_str_eq(a->containers[i].cgroup, b->containers[i].cgroup);
		cr_expect_eq(a->containers[i].pid, b->containers[i].pid);
		cr_expect_eq(a->containers[i].mode, b->containers[i].mode);
		cr_expect_eq(a->containers[i].unknown, b->containers[i].unknown);
	}
}

static void expect_same_endpoints(const struct vipc_policy *a, const struct vipc_policy *b)
{
	size_t i;

	cr_assert_eq(a->nr_endpoints, b->nr_endpoints);
	for (i = 0; i < a->nr_endpoints; i++) {
		cr_expect_str_eq(a->endpoints[i].name, b->endpoints[i].name);
		cr_expect_str_eq(a->endpoints[i].owner, b->endpoints[i].owner);
		cr_expect_eq(a->endpoints[i].kind, b->endpoints[i].kind);
		cr_expect_eq(a->endpoints[i].len, b->endpoints[i].len);
		cr_expect_arr_eq(a->endpoints[i].addr, b->endpoints[i].addr, VIPC_NAME_MAX);
	}
}

static void expect_same_channels(const struct vipc_policy *a, const struct vipc_policy *b)
{
	size_t i, j;

	cr_assert_eq(a->nr_channels, b->nr_channels);
	for (i = 0; i < a->nr_channels; i++) {
		cr_expect_str_eq(a->channels[i].name, b->channels[i].name);
		cr_expect_str_eq(a->channels[i].endpoint, b->channels[i].endpoint);
		cr_expect_str_eq(a->channels[i].receiver, b->channels[i].receiver);
		cr_expect_eq(a->channels[i].capacity, b->channels[i].capacity);
		cr_assert_eq(a->channels[i].nr_senders, b->channels[i].nr_senders);
		for (j = 0; j < a->channels[i].nr_senders; j++)
			cr_expect_str_eq(a->channels[i].senders[j], b->channels[i].senders[j]);
	}
}

static void expect_same_grants(const struct vipc_policy *a, const struct vipc_policy *b)
{
	size_t i;

	cr_assert_eq(a->nr_grants, b->nr_grants);
	for (i = 0; i < a->nr_grants; i++) {
		cr_expect_str_eq(a->grants[i].container, b->grants[i].container);
		cr_expect_str_eq(a->grants[i].endpoint, b->grants[i].endpoint);
		cr_expect_eq(a->grants[i].perms, b->grants[i].perms);
	}
}

Test(good, flow_and_block_style_are_equivalent)
{
	struct vipc_policy *block = parse_ok(block_policy), *flow = parse_ok(flow_policy);

	cr_expect_eq(block->default_mode, flow->default_mode);
	cr_expect_eq(block->default_unknown, flow->default_unknown);
	expect_same_containers(block, flow);
	expect_same_endpoints(block, flow);
	expect_same_channels(block, flow);
	expect_same_grants(block, flow);
	/* Positions follow the text: flow "ops" and the second grant. */
	cr_expect_eq(flow->containers[2].pos.line, 4);
	cr_expect_eq(flow->containers[2].pos.column, 17);
	cr_expect_eq(flow->grants[1].pos.line, 11);
	cr_expect_eq(flow->grants[1].pos.column, 13);
	vipc_policy_free(block);
	vipc_policy_free(flow);
}

/* Policies with nothing in them: every count zero, the default defaults. */
static const char *const empty_policies[] = {
	"version: 1\n",
	"{ version: 1 }",
	"# a comment\nversion: 1 # and another\n",
	"version: 1\ncontainers:\nendpoints:\nchannels:\ngrants:\ndefaults:\n",
	"version: 1\ncontainers: {}\nendpoints: {}\nchannels: {}\ngrants: []\ndefaults: {}\n",
	"version: 1\ncontainers: ~\nendpoints: null\nchannels: ~\ngrants: null\ndefaults: ~\n",
	"---\nversion: 1\n...\n",
	"version: 1\n---\n", /* a trailing empty document */
	"version: \"1\"\n",
};

Test(good, empty_sections_and_version_only)
{
	struct vipc_policy *pol;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(empty_policies); i++) {
		pol = parse_ok(empty_policies[i]);
		cr_expect_eq(pol->default_mode, VIPC_MODE_ENFORCE, "policy %zu", i);
		cr_expect_eq(pol->default_unknown, VIPC_UNKNOWN_ALLOW, "policy %zu", i);
		cr_expect_eq(pol->nr_containers, 0, "policy %zu", i);
		cr_expect_eq(pol->nr_endpoints, 0, "policy %zu", i);
		cr_expect_eq(pol->nr_channels, 0, "policy %zu", i);
		cr_expect_eq(pol->nr_grants, 0, "policy %zu", i);
		vipc_policy_free(pol);
	}
}

Test(good, event_rate_defaults_to_a_second_and_takes_all_ms_and_s)
{
	static const struct {
		const char *text;
		__u64 ms;
	} cases[] = {
		{ "version: 1\n", VIPC_EVENTS_INTERVAL_MS },
		{ "version: 1\nevents: {}\n", VIPC_EVENTS_INTERVAL_MS },
		{ "version: 1\nevents: { rate: all }\n", 0 },
		{ "version: 1\nevents: { rate: 250ms }\n", 250 },
		{ "version: 1\nevents:\n  rate: 2s\n", 2000 },
		{ "version: 1\nevents: { rate: 3600s }\n", 3600000 },
	};
	struct vipc_policy *pol;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pol = parse_ok(cases[i].text);
		cr_expect_eq(pol->events_interval_ms, cases[i].ms, "%s", cases[i].text);
		vipc_policy_free(pol);
	}
}

/* Sections are read in dependency order whatever their order in the text,
 * so references may come first and defaults last.
 */
static const char reversed_policy[] =
	"grants: [{ container: b, endpoint: e, allow: [send] }]\n"
	"channels: { c: { endpoint: e, senders: [b], receiver: a } }\n"
	"endpoints: { e: { owner: a, abstract: e } }\n"
	"containers: { a: { pid: 1 }, b: { pid: 2, mode: enforce } }\n"
	"defaults: { mode: audit, unknown: deny }\n"
	"version: 1\n";

Test(good, section_order_does_not_matter)
{
	struct vipc_policy *pol = parse_ok(reversed_policy);

	cr_expect_eq(pol->containers[0].mode, VIPC_MODE_AUDIT);
	cr_expect_eq(pol->containers[0].unknown, VIPC_UNKNOWN_DENY);
	cr_expect_eq(pol->containers[1].mode, VIPC_MODE_ENFORCE);
	cr_expect_eq(pol->containers[1].unknown, VIPC_UNKNOWN_DENY);
	cr_expect_eq(pol->nr_grants, 1);
	cr_expect_eq(pol->nr_channels, 1);
	vipc_policy_free(pol);
}

/* The longest labels and names; a pathname and an abstract name with the
 * same bytes do not clash; each permission word alone gives its bit.
 */
static const char limits_policy[] =
	"version: 1\n"
	"containers: { " X31 ": { pid: 1 } }\n"
	"endpoints:\n"
	"  p: { owner: " X31 ", unix: /" X107 " }\n"
	"  a: { owner: " X31 ", abstract: " X107 " }\n"
	"  slash: { owner: " X31 ", abstract: /e }\n"
	"  e: { owner: " X31 ", unix: /e }\n"
	"  at: { owner: " X31 ", abstract: \"@e\" }\n"
	"grants:\n"
	"  - { container: " X31 ", endpoint: p, allow: [connect] }\n"
	"  - { container: " X31 ", endpoint: a, allow: [send] }\n"
	"  - { container: " X31 ", endpoint: e, allow: [bind] }\n"
	"  - { container: " X31 ", endpoint: at, allow: [pass-fd] }\n";

Test(good, limits_and_distinct_kinds)
{
	struct vipc_policy *pol = parse_ok(limits_policy);

	cr_expect_eq(strlen(pol->containers[0].name), 31);
	cr_expect_eq(pol->endpoints[0].len, 108);
	cr_expect_eq(pol->endpoints[1].len, 107);
	cr_expect_eq(pol->endpoints[1].kind, VIPC_KIND_UNIX_ABSTRACT);
	cr_expect_eq(pol->endpoints[2].kind, VIPC_KIND_UNIX_ABSTRACT);
	cr_expect_eq(pol->endpoints[3].kind, VIPC_KIND_UNIX_PATH);
	/* An abstract name may itself begin with '@': only the YAML value is kept. */
	cr_expect_eq(pol->endpoints[4].len, 2);
	cr_expect_arr_eq(pol->endpoints[4].addr, "@e", 2);
	cr_expect_eq(pol->grants[0].perms, VIPC_PERM_CONNECT);
	cr_expect_eq(pol->grants[1].perms, VIPC_PERM_SEND);
	cr_expect_eq(pol->grants[2].perms, VIPC_PERM_BIND);
	cr_expect_eq(pol->grants[3].perms, VIPC_PERM_PASS_FD);
	vipc_policy_free(pol);
}

/* The runtime selectors: what each container matches, as the pinned one holds it. */
static const char runtime_policy[] = "version: 1\n"
				     "containers:\n"
				     "  web: { docker: web-1 }\n"
				     "  db: { podman: db_2.x }\n"
				     "  pod:\n"
				     "    annotations:\n"
				     "      io.kubernetes.pod.name: api\n"
				     "      io.kubernetes.pod.namespace: \"\"\n"
				     "  ops: { cgroup: ops }\n";

Test(good, runtime_selectors_keep_what_they_match)
{
	static const char pairs[] = "io.kubernetes.pod.name\0api\0io.kubernetes.pod.namespace\0\0";
	struct vipc_policy *pol = parse_ok(runtime_policy);
	const struct vipc_policy_container *c = pol->containers;

	cr_expect(pol->runtimes);
	cr_expect_eq(c[0].runtime, VIPC_SEL_DOCKER);
	cr_expect_eq(c[0].match_len, 5);
	cr_expect_arr_eq(c[0].match, "web-1", 5);
	cr_expect_eq(c[1].runtime, VIPC_SEL_PODMAN);
	cr_expect_arr_eq(c[1].match, "db_2.x", 6);
	cr_expect_eq(c[2].runtime, VIPC_SEL_ANNOTATIONS);
	cr_expect_eq(c[2].match_len, sizeof(pairs) - 1);
	cr_expect_arr_eq(c[2].match, pairs, sizeof(pairs) - 1);
	cr_expect_eq(c[3].runtime, 0);
	cr_expect_str_eq(c[3].cgroup, "ops");
	vipc_policy_free(pol);
}

/* `others:`: deny unless the endpoint or the defaults say otherwise; only
 * endpoints that neither names are closed by default.
 */
static const char others_policy[] = "version: 1\n"
				    "defaults: { others: audit }\n"
				    "containers:\n"
				    "  a: { cgroup: a }\n"
				    "endpoints:\n"
				    "  d: { owner: a, unix: /d }\n"
				    "  p: { owner: a, unix: /p, others: allow }\n"
				    "  x: { owner: a, abstract: x, others: deny }\n";

Test(good, others_come_from_the_endpoint_else_the_defaults)
{
	struct vipc_policy *pol = parse_ok(others_policy), *plain;
	char names[64];

	cr_expect_eq(pol->endpoints[0].others, VIPC_OTHERS_AUDIT);
	cr_expect_eq(pol->endpoints[1].others, VIPC_OTHERS_ALLOW);
	cr_expect_eq(pol->endpoints[2].others, VIPC_OTHERS_DENY);
	cr_expect_eq(vipc_policy_closed_by_default(pol, names, sizeof(names)), 0);
	plain = parse_ok("version: 1\ncontainers:\n  a: { cgroup: a }\nendpoints:\n"
			 "  d: { owner: a, unix: /d }\n  e: { owner: a, abstract: e }\n"
			 "  p: { owner: a, unix: /p, others: allow }\n");
	cr_expect_eq(plain->endpoints[0].others, VIPC_OTHERS_DENY);
	cr_expect_eq(vipc_policy_closed_by_default(plain, names, sizeof(names)), 2);
	cr_expect_str_eq(names, "d, e");
	vipc_policy_free(plain);
	vipc_policy_free(pol);
}

/* `unix:` or `abstract:` as a list: the first instance in addr, the others after. */
Test(good, a_list_of_names_is_the_endpoints_instances)
{
	struct vipc_policy *pol = parse_ok("version: 1\ncontainers:\n  a: { cgroup: a }\n"
					   "endpoints:\n  p: { owner: a, unix: [/p/1, /p/2] }\n"
					   "  q: { owner: a, abstract: [q] }\n");

	cr_assert_eq(pol->nr_endpoints, 2);
	cr_expect_eq(pol->endpoints[0].len, 4);
	cr_expect_eq(memcmp(pol->endpoints[0].addr, "/p/1", 4), 0);
	cr_assert_eq(pol->endpoints[0].nr_more, 1);
	cr_expect_eq(pol->endpoints[0].more_len[0], 4);
	cr_expect_eq(memcmp(pol->endpoints[0].more[0], "/p/2", 4), 0);
	cr_expect_eq(pol->endpoints[1].kind, VIPC_KIND_UNIX_ABSTRACT);
	cr_expect_eq(pol->endpoints[1].nr_more, 0);
	vipc_policy_free(pol);
}

/* `views:`: per container, the socket its calls to the endpoint go to. */
Test(good, views_name_a_socket_per_container)
{
	struct vipc_policy *pol = parse_ok("version: 1\ncontainers:\n  a: { cgroup: a }\n"
					   "  b: { cgroup: b }\nendpoints:\n"
					   "  log: { owner: a, unix: /dev/log, views: { b: \"@b-log\" } }\n");
	const struct vipc_policy_view *v = pol->endpoints[0].views;

	cr_assert_eq(pol->endpoints[0].nr_views, 1);
	cr_expect_str_eq(v->container, "b");
	cr_expect_eq(v->kind, VIPC_KIND_UNIX_ABSTRACT);
	cr_expect_eq(v->len, 5);
	cr_expect_eq(memcmp(v->addr, "b-log", 5), 0);
	vipc_policy_free(pol);
}

Test(good, a_policy_without_runtime_selectors_holds_nothing)
{
	struct vipc_policy *pol = parse_ok("version: 1\ncontainers:\n  a: { cgroup: a }\n");

	cr_expect(!pol->runtimes);
	vipc_policy_free(pol);
}

/* Ports: an IPv4 address mapped into IPv6, then the port, network order;
 * the same address may be a TCP and a UDP endpoint.
 */
Test(good, ports)
{
	static const char text[] = "version: 1\n"
				   "containers:\n"
				   "  a: { cgroup: a }\n"
				   "  b: { cgroup: b }\n"
				   "endpoints:\n"
				   "  web: { owner: a, tcp: \"127.0.0.1:8080\" }\n"
				   "  dns: { owner: a, udp: \"127.0.0.1:8080\" }\n"
				   "  six: { owner: a, tcp: \"[::1]:443\" }\n"
				   "grants:\n"
				   "  - { container: b, endpoint: web, allow: [connect, bind] }\n"
				   "  - { container: b, endpoint: dns, allow: [send] }\n";
	static const char v4[] = "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01\x1f\x90";
	static const char v6[] = "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x01\xbb";
	struct vipc_policy *pol = parse_ok(text);
	const struct vipc_policy_endpoint *e = pol->endpoints;

	cr_assert_eq(pol->nr_endpoints, 3);
	cr_expect_eq(e[0].kind, VIPC_KIND_TCP);
	cr_expect_eq(e[1].kind, VIPC_KIND_UDP);
	cr_expect_eq(e[2].kind, VIPC_KIND_TCP);
	cr_expect_eq(e[0].len, VIPC_INET_NAME_LEN);
	cr_expect_arr_eq(e[0].addr, v4, VIPC_INET_NAME_LEN);
	cr_expect_arr_eq(e[1].addr, v4, VIPC_INET_NAME_LEN);
	cr_expect_arr_eq(e[2].addr, v6, VIPC_INET_NAME_LEN);
	cr_expect_eq(pol->grants[0].perms, VIPC_PERM_CONNECT | VIPC_PERM_BIND);
	cr_expect_eq(pol->grants[1].perms, VIPC_PERM_SEND);
	vipc_policy_free(pol);
}

/* A POSIX message queue: its name without the '/', send, receive and bind. */
Test(good, queues)
{
	static const char text[] = "version: 1\n"
				   "containers:\n"
				   "  a: { cgroup: a }\n"
				   "  b: { cgroup: b }\n"
				   "endpoints:\n"
				   "  jobs: { owner: a, mqueue: /jobs }\n"
				   "grants:\n"
				   "  - { container: b, endpoint: jobs, allow: [send, receive, bind] }\n";
	struct vipc_policy *pol = parse_ok(text);
	const struct vipc_policy_endpoint *e = pol->endpoints;

	cr_assert_eq(pol->nr_endpoints, 1);
	cr_expect_eq(e[0].kind, VIPC_KIND_MQUEUE);
	cr_expect_eq(e[0].len, 4);
	cr_expect_arr_eq(e[0].addr, "jobs", 4);
	cr_expect_eq(pol->grants[0].perms, VIPC_PERM_SEND | VIPC_PERM_RECEIVE | VIPC_PERM_BIND);
	vipc_policy_free(pol);
}

/* A FIFO: the one at its path when parsed, by its inode (device, number). */
Test(good, fifos)
{
	char path[] = "/tmp/vipc-fifo-XXXXXX", fifo[64], text[512];
	struct vipc_policy *pol;
	struct stat st;
	__u64 id[2];

	cr_assert_not_null(mkdtemp(path));
	snprintf(fifo, sizeof(fifo), "%s/f", path);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(stat(fifo, &st), 0);
	snprintf(text, sizeof(text),
		 "version: 1\ncontainers:\n  a: { cgroup: a }\n  b: { cgroup: b }\n"
		 "endpoints:\n  f: { owner: a, fifo: %s }\n"
		 "grants:\n  - { container: b, endpoint: f, allow: [send, receive] }\n", fifo);
	pol = parse_ok(text);
	unlink(fifo);
	rmdir(path);
	memcpy(id, pol->endpoints[0].addr, sizeof(id));
	cr_expect_eq(pol->endpoints[0].kind, VIPC_KIND_FIFO);
	cr_expect_eq(pol->endpoints[0].len, VIPC_FIFO_NAME_LEN);
	cr_expect_eq(id[0], (__u64)major(st.st_dev) << 20 | minor(st.st_dev));
	cr_expect_eq(id[1], st.st_ino);
	cr_expect_eq(pol->grants[0].perms, VIPC_PERM_SEND | VIPC_PERM_RECEIVE);
	vipc_policy_free(pol);
}

/* ---- bad policies ---- */

struct bad_case {
	const char *what;
	const char *text;
	int line; /* 0: about the whole file, "NAME: msg" */
	int column;
	const char *msg; /* a substring of the message */
};

/* Two containers (lines 1-4) and an endpoint of "a" (lines 5-6); CHANNEL
 * and GRANT open their section on line 7, so what follows starts on line 8.
 */
#define HEAD "version: 1\ncontainers:\n  a: { cgroup: a }\n  b: { cgroup: b }\n"
#define EPS "endpoints:\n  e: { owner: a, unix: /e }\n"
#define CHANNEL HEAD EPS "channels:\n"
#define GRANT HEAD EPS "grants:\n"

static void expect_bad(const struct bad_case *c)
{
	struct vipc_policy *pol = (struct vipc_policy *)&pol; /* must be reset */
	struct vipc_policy_error err;
	char msg[MSG_MAX], want[64];
	size_t n;
	int ret;

	ret = vipc_policy_parse_string(c->text, strlen(c->text), NAME, &pol, &err);
	vipc_policy_error_format(&err, msg, sizeof(msg));
	cr_expect_eq(ret, -EINVAL, "%s: returned %d (%s)", c->what, ret, msg);
	cr_expect_null(pol, "%s: a policy despite the error", c->what);
	if (!ret)
		vipc_policy_free(pol);
	if (c->line)
		snprintf(want, sizeof(want), NAME ":%d:%d: ", c->line, c->column);
	else
		snprintf(want, sizeof(want), NAME ": ");
	n = strlen(want);
	cr_expect(!strncmp(msg, want, n), "%s: got \"%s\", want \"%s...\"", c->what, msg, want);
	cr_expect_not_null(strstr(msg + (n < strlen(msg) ? n : 0), c->msg),
			   "%s: got \"%s\", want \"%s\" in it", c->what, msg, c->msg);
	cr_expect_eq(err.line, c->line, "%s", c->what);
	cr_expect_eq(err.column, c->column, "%s", c->what);
}

static void expect_all_bad(const struct bad_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		expect_bad(&cases[i]);
}

static const struct bad_case bad_documents[] = {
	{ "indented key after a scalar", "version: 1\n  bad: 2\n", 2, 6,
	  "invalid YAML: mapping values are not allowed" },
	{ "tab indentation", "version: 1\ncontainers:\n\ta: { pid: 1 }\n", 3, 1,
	  "invalid YAML: found character that cannot start any token" },
	{ "unclosed flow mapping", "version: 1\ndefaults: { mode: audit\n", 3, 1,
	  "invalid YAML: did not find expected ',' or '}'" },
	{ "unclosed quote", "version: \"1\n", 2, 1,
	  "invalid YAML: found unexpected end of stream" },
	{ "empty document", "", 0, 0, "empty policy" },
	{ "only a comment", "# nothing here\n", 0, 0, "empty policy" },
	{ "only a document marker", "---\n", 0, 0, "empty policy" },
	{ "a second document", "version: 1\n---\nversion: 1\n", 2, 1,
	  "expected a single YAML document" },
	{ "bad YAML in a second document", "version: 1\n---\nversion: [1\n", 4, 1,
	  "invalid YAML: did not find expected ',' or ']'" },
	{ "top level a list", "- version: 1\n", 1, 1,
	  "expected a mapping with 'version: 1' at the top, got a list" },
	{ "top level a scalar", "version 1\n", 1, 1,
	  "expected a mapping with 'version: 1' at the top, got a scalar" },
	{ "missing version", "# policy\ndefaults: {}\n", 2, 1, "missing 'version: 1'" },
	{ "missing version, indented", "\n  containers: {}\n", 2, 3, "missing 'version: 1'" },
	{ "version 2", "version: 2\n", 1, 10, "unsupported version 2 (expected 1)" },
	{ "version \"x\"", "version: \"x\"\n", 1, 10,
	  "version: expected a whole number from 0 to 4294967295, got 'x'" },
	{ "version empty", "version:\n", 1, 9, "version: expected a whole number" },
	{ "version a list", "version: [1]\n", 1, 10, "expected version, got a list" },
	{ "unknown top-level key", "version: 1\nendpoint: {}\n", 2, 1,
	  "unknown key 'endpoint' (expected version, defaults, events, containers, endpoints, "
	  "channels or grants)" },
	{ "top-level key twice", "version: 1\ngrants: []\nversion: 1\n", 3, 1,
	  "duplicate key 'version' (first at line 1)" },
	{ "key not a scalar", "version: 1\n[a]: 1\n", 2, 1, "expected a name, got a list" },
	{ "unknown key in defaults", "version: 1\ndefaults: { mode: audit, unkown: deny }\n", 2,
	  26, "unknown key 'unkown' (expected unknown, mode or others)" },
	{ "defaults a list", "version: 1\ndefaults: [audit]\n", 2, 11,
	  "expected a mapping for defaults, got a list" },
	{ "bad default mode", "version: 1\ndefaults: { mode: strict }\n", 2, 19,
	  "mode: expected enforce or audit, got 'strict'" },
	{ "bad default unknown", "version: 1\ndefaults: { unknown: maybe }\n", 2, 22,
	  "unknown: expected allow or deny, got 'maybe'" },
	{ "bad default others", "version: 1\ndefaults: { others: yes }\n", 2, 21,
	  "others: expected deny, allow or audit, got 'yes'" },
	{ "mode a list", "version: 1\ndefaults:\n  mode: [audit]\n", 3, 9,
	  "expected mode, got a list" },
	{ "events a list", "version: 1\nevents: [all]\n", 2, 9,
	  "expected a mapping for events, got a list" },
	{ "events unknown key", "version: 1\nevents: { burst: 3 }\n", 2, 11,
	  "unknown key 'burst' (expected rate)" },
	{ "rate without a unit", "version: 1\nevents: { rate: 100 }\n", 2, 17,
	  "rate: expected 'all' or an interval from 1ms to 3600s (e.g. 500ms, 2s), got '100'" },
	{ "rate of zero", "version: 1\nevents: { rate: 0ms }\n", 2, 17, "got '0ms'" },
	{ "rate past an hour", "version: 1\nevents: { rate: 3601s }\n", 2, 17, "got '3601s'" },
	{ "rate negative", "version: 1\nevents: { rate: -5ms }\n", 2, 17, "got '-5ms'" },
	{ "rate a list", "version: 1\nevents: { rate: [1s] }\n", 2, 17,
	  "expected an event rate, got a list" },
};

Test(bad, documents_and_header)
{
	expect_all_bad(bad_documents, ARRAY_SIZE(bad_documents));
}

static const struct bad_case bad_containers[] = {
	{ "containers a list", "version: 1\ncontainers:\n  - a\n", 3, 3,
	  "expected a mapping of containers by name, got a list" },
	{ "containers a scalar", "version: 1\ncontainers: a\n", 2, 13,
	  "expected a mapping of containers by name, got a scalar" },
	{ "container a scalar", "version: 1\ncontainers:\n  a: x\n", 3, 6,
	  "expected a mapping for a container, got a scalar" },
	{ "container without a value", "version: 1\ncontainers:\n  a:\n  b: { pid: 1 }\n", 3, 5,
	  "expected a mapping for a container, got a scalar" },
	{ "unknown key", "version: 1\ncontainers:\n  a: { cgroup: a, pids: 1 }\n", 3, 19,
	  "unknown key 'pids' (expected cgroup, pid, docker, podman, annotations, mode or "
	  "unknown)" },
	{ "duplicate name", "version: 1\ncontainers:\n  a: { cgroup: a }\n  a: { cgroup: b }\n", 4,
	  3, "duplicate key 'a' (first at line 3)" },
	{ "duplicate key in a container", "version: 1\ncontainers:\n  a: { pid: 1, pid: 2 }\n", 3,
	  16, "duplicate key 'pid' (first at line 3)" },
	{ "cgroup and pid", "version: 1\ncontainers:\n  a: { cgroup: a, pid: 1 }\n", 3, 6,
	  "container 'a': expected exactly one of 'cgroup', 'pid', 'docker', 'podman' or 'annotations'" },
	{ "neither cgroup nor pid", "version: 1\ncontainers:\n  a: { mode: audit }\n", 3, 6,
	  "container 'a': expected exactly one of 'cgroup', 'pid', 'docker', 'podman' or 'annotations'" },
	{ "neither, block style", "version: 1\ncontainers:\n  a:\n    mode: audit\n", 4, 5,
	  "container 'a': expected exactly one of 'cgroup', 'pid', 'docker', 'podman' or 'annotations'" },
	{ "pid as text", "version: 1\ncontainers:\n  a: { pid: init }\n", 3, 13,
	  "pid: expected a whole number from 0 to 2147483647, got 'init'" },
	{ "negative pid", "version: 1\ncontainers:\n  a: { pid: -1 }\n", 3, 13,
	  "pid: expected a whole number from 0 to 2147483647, got '-1'" },
	{ "pid 0", "version: 1\ncontainers:\n  a: { pid: 0 }\n", 3, 13,
	  "pid: expected a process id above 0" },
	{ "pid above INT_MAX", "version: 1\ncontainers:\n  a: { pid: 2147483648 }\n", 3, 13,
	  "got '2147483648'" },
	{ "pid a list", "version: 1\ncontainers:\n  a: { pid: [1] }\n", 3, 13,
	  "expected pid, got a list" },
	{ "empty cgroup", "version: 1\ncontainers:\n  a: { cgroup: \"\" }\n", 3, 16,
	  "cgroup: expected a path of 1 to 255 bytes" },
	{ "cgroup too long to select",
	  "version: 1\ncontainers:\n  a: { cgroup: " LONG256 " }\n", 3, 16,
	  "cgroup: expected a path of 1 to 255 bytes" },
	{ "cgroup a mapping", "version: 1\ncontainers:\n  a: { cgroup: { x: 1 } }\n", 3, 16,
	  "expected a cgroup path, got a mapping" },
	{ "glob in a directory", "version: 1\ncontainers:\n  a: { cgroup: \"x-*/web\" }\n", 3, 16,
	  "cgroup: expected '*' and '?' in the last path component only, got 'x-*/web'" },
	{ "glob ? in a directory", "version: 1\ncontainers:\n  a: { cgroup: /x?/y/web-* }\n", 3,
	  16, "in the last path component only, got '/x?/y/web-*'" },
	{ "glob with two stars", "version: 1\ncontainers:\n  a: { cgroup: \"x/*-*\" }\n", 3, 16,
	  "cgroup: expected at most one '*' in a glob, got 'x/*-*'" },
	{ "glob with a class", "version: 1\ncontainers:\n  a: { cgroup: \"x/web-[0-9]*\" }\n", 3,
	  16, "cgroup: '[' classes are not supported in a glob, got 'x/web-[0-9]*'" },
	{ "bad mode", "version: 1\ncontainers:\n  a: { cgroup: a, mode: enforcing }\n", 3, 25,
	  "mode: expected enforce or audit, got 'enforcing'" },
	{ "bad unknown", "version: 1\ncontainers:\n  a: { cgroup: a, unknown: yes }\n", 3, 28,
	  "unknown: expected allow or deny, got 'yes'" },
	{ "label of 32 bytes", "version: 1\ncontainers:\n  " X32 ": { cgroup: a }\n", 3, 3,
	  "container '" X32 "': expected 1 to 31 letters, digits, '.', '_' or '-'" },
	{ "label with a space", "version: 1\ncontainers:\n  \"a b\": { cgroup: a }\n", 3, 3,
	  "container 'a b': expected 1 to 31" },
	{ "label with a slash", "version: 1\ncontainers:\n  a/b: { cgroup: a }\n", 3, 3,
	  "container 'a/b': expected 1 to 31" },
	{ "empty label", "version: 1\ncontainers:\n  \"\": { cgroup: a }\n", 3, 3,
	  "container '': expected 1 to 31" },
	{ "label with a NUL", "version: 1\ncontainers:\n  \"a\\0b\": { cgroup: a }\n", 3, 3,
	  "expected a name, got a scalar with a NUL byte" },
	{ "docker and cgroup", "version: 1\ncontainers:\n  a: { docker: web, cgroup: a }\n", 3, 6,
	  "container 'a': expected exactly one of 'cgroup', 'pid', 'docker', 'podman' or "
	  "'annotations'" },
	{ "docker and annotations",
	  "version: 1\ncontainers:\n  a: { docker: web, annotations: { k: v } }\n", 3, 6,
	  "expected exactly one of" },
	{ "empty docker name", "version: 1\ncontainers:\n  a: { docker: \"\" }\n", 3, 16,
	  "docker: expected a container name of 1 to 255 letters, digits, '_', '.' or '-' (not "
	  "first), got ''" },
	{ "docker name with a slash", "version: 1\ncontainers:\n  a: { docker: /web }\n", 3, 16,
	  "docker: expected a container name of 1 to 255 letters, digits, '_', '.' or '-' (not "
	  "first), got '/web'" },
	{ "podman name starting with a dot", "version: 1\ncontainers:\n  a: { podman: .web }\n", 3,
	  16, "podman: expected a container name of 1 to 255" },
	{ "podman name too long", "version: 1\ncontainers:\n  a: { podman: " LONG256 " }\n", 3, 16,
	  "podman: expected a container name of 1 to 255" },
	{ "docker a list", "version: 1\ncontainers:\n  a: { docker: [web] }\n", 3, 16,
	  "expected a container name, got a list" },
	{ "annotations a scalar", "version: 1\ncontainers:\n  a: { annotations: x }\n", 3, 21,
	  "expected a mapping of annotations (KEY: VALUE), got a scalar" },
	{ "annotations empty", "version: 1\ncontainers:\n  a: { annotations: {} }\n", 3, 21,
	  "annotations: expected one KEY: VALUE pair or more" },
	{ "annotation value a list",
	  "version: 1\ncontainers:\n  a: { annotations: { k: [v] } }\n", 3, 26,
	  "expected an annotation value, got a list" },
	{ "annotation empty key", "version: 1\ncontainers:\n  a: { annotations: { \"\": v } }\n",
	  3, 23, "annotations: expected a key of 1 byte or more" },
	{ "annotation duplicate key",
	  "version: 1\ncontainers:\n  a: { annotations: { k: v, k: w } }\n", 3, 29,
	  "duplicate key 'k' (first at line 3)" },
	{ "annotations too long",
	  "version: 1\ncontainers:\n  a: { annotations: { k: " X108 ", l: " X108 ", m: " X32 " } }\n",
	  3, 249, "annotations: expected keys and values of at most 255 bytes in all, 2 more per pair" },
};

Test(bad, containers)
{
	expect_all_bad(bad_containers, ARRAY_SIZE(bad_containers));
}

static const struct bad_case bad_endpoints[] = {
	{ "endpoints a list", HEAD "endpoints: [e]\n", 5, 12,
	  "expected a mapping of endpoints by name, got a list" },
	{ "unknown key", HEAD "endpoints:\n  e: { owner: a, unix: /e, kind: x }\n", 6, 28,
	  "unknown key 'kind' (expected owner, unix, abstract, tcp, udp, mqueue, fifo, others or views)" },
	{ "duplicate name", HEAD EPS "  e: { owner: b, unix: /f }\n", 7, 3,
	  "duplicate key 'e' (first at line 6)" },
	{ "same address", HEAD EPS "  f: { owner: b, unix: /e }\n", 7, 24,
	  "endpoint 'f': same address as endpoint 'e' (line 6)" },
	{ "same abstract name",
	  HEAD "endpoints:\n  e: { owner: a, abstract: x }\n  f: { owner: a, abstract: x }\n", 7,
	  28, "endpoint 'f': same address as endpoint 'e' (line 6)" },
	{ "missing owner", HEAD "endpoints:\n  e: { unix: /e }\n", 6, 6, "e: missing 'owner'" },
	{ "undefined owner", HEAD "endpoints:\n  e: { owner: c, unix: /e }\n", 6, 15,
	  "owner 'c' is not a defined container" },
	{ "owner not a label", HEAD "endpoints:\n  e: { owner: a b, unix: /e }\n", 6, 15,
	  "owner 'a b': expected 1 to 31" },
	{ "bad endpoint name", HEAD "endpoints:\n  e/f: { owner: a, unix: /e }\n", 6, 3,
	  "endpoint 'e/f': expected 1 to 31" },
	{ "unix and abstract", HEAD "endpoints:\n  e: { owner: a, unix: /e, abstract: e }\n", 6,
	  6, "endpoint 'e': expected exactly one of 'unix', 'abstract', 'tcp', 'udp', 'mqueue' or 'fifo'" },
	{ "neither unix nor abstract", HEAD "endpoints:\n  e: { owner: a }\n", 6, 6,
	  "endpoint 'e': expected exactly one of 'unix', 'abstract', 'tcp', 'udp', 'mqueue' or 'fifo'" },
	{ "relative unix path", HEAD "endpoints:\n  e: { owner: a, unix: e.sock }\n", 6, 24,
	  "unix: expected an absolute path, got 'e.sock'" },
	{ "empty unix path", HEAD "endpoints:\n  e: { owner: a, unix: \"\" }\n", 6, 24,
	  "unix: expected an absolute path, got ''" },
	{ "unix path not in normal form", HEAD "endpoints:\n  e: { owner: a, unix: /s//x/../e/ }\n",
	  6, 24, "unix: '/s//x/../e/' is not in normal form: write '/s/e' (vipc compares pathnames "
	  "without '//', '.', '..' or a trailing '/')" },
	{ "unix path of 109 bytes", HEAD "endpoints:\n  e: { owner: a, unix: /" X108 " }\n", 6, 24,
	  "unix: expected 1 to 108 bytes (the size of a sun_path), got 109" },
	{ "abstract name of 108 bytes", HEAD "endpoints:\n  e: { owner: a, abstract: " X108 " }\n",
	  6, 28, "abstract: expected 1 to 107 bytes (the size of a sun_path), got 108" },
	{ "abstract name of the broker", HEAD "endpoints:\n  e: { owner: a, abstract: vipc/x }\n",
	  6, 28, "abstract: 'vipc/x' is the broker's: names under 'vipc/' reach the endpoints by "
	  "their names" },
	{ "empty abstract name", HEAD "endpoints:\n  e: { owner: a, abstract: \"\" }\n", 6, 28,
	  "abstract: expected 1 to 107 bytes (the size of a sun_path), got 0" },
	{ "abstract name a list of lists", HEAD "endpoints:\n  e: { owner: a, abstract: [[e]] }\n",
	  6, 29, "expected a socket name, got a list" },
	{ "view of an undefined container", HEAD EPS "  f: { owner: a, unix: /f, views: { c: /g } }\n",
	  7, 37, "view 'c' is not a defined container" },
	{ "view a relative path", HEAD EPS "  f: { owner: a, unix: /f, views: { b: g } }\n", 7, 40,
	  "view: expected /path or @abstract of at most 108 bytes, got 'g'" },
	{ "view not in normal form", HEAD EPS "  f: { owner: a, unix: /f, views: { b: /g/ } }\n",
	  7, 40, "view: '/g/' is not in normal form: write '/g'" },
	{ "no instance", HEAD "endpoints:\n  e: { owner: a, unix: [] }\n", 6, 24,
	  "unix: expected 1 to 8 socket names (the endpoint's instances), got 0" },
	{ "nine instances", HEAD "endpoints:\n  e: { owner: a, abstract: [a, b, c, d, e, f, g, h, i] }\n",
	  6, 28, "abstract: expected 1 to 8 socket names (the endpoint's instances), got 9" },
	{ "an instance twice", HEAD "endpoints:\n  e: { owner: a, unix: [/e, /f, /e] }\n", 6, 33,
	  "endpoint 'e': same address as endpoint 'e' (line 6)" },
	{ "an instance another endpoint's", HEAD EPS "  f: { owner: a, unix: [/f, /e] }\n", 7, 29,
	  "endpoint 'f': same address as endpoint 'e' (line 6)" },
	{ "NUL in an abstract name", HEAD "endpoints:\n  e: { owner: a, abstract: \"e\\0f\" }\n", 6,
	  28, "expected a socket name, got a scalar with a NUL byte" },
	{ "NUL in a unix path", HEAD "endpoints:\n  e: { owner: a, unix: \"/e\\0f\" }\n", 6, 24,
	  "expected a socket name, got a scalar with a NUL byte" },
	{ "tcp and udp", HEAD "endpoints:\n  e: { owner: a, tcp: \"127.0.0.1:1\", udp: "
	  "\"127.0.0.1:1\" }\n", 6, 6, "expected exactly one of 'unix', 'abstract', 'tcp', 'udp', 'mqueue' or 'fifo'" },
	{ "tcp without a port", HEAD "endpoints:\n  e: { owner: a, tcp: 127.0.0.1 }\n", 6, 23,
	  "tcp: expected ADDR:PORT (127.0.0.1:8080 or [::1]:8080, a port of 1 to 65535), got "
	  "'127.0.0.1'" },
	{ "port 0", HEAD "endpoints:\n  e: { owner: a, udp: \"127.0.0.1:0\" }\n", 6, 23,
	  "udp: expected ADDR:PORT" },
	{ "port 65536", HEAD "endpoints:\n  e: { owner: a, tcp: \"127.0.0.1:65536\" }\n", 6, 23,
	  "got '127.0.0.1:65536'" },
	{ "IPv6 without brackets", HEAD "endpoints:\n  e: { owner: a, tcp: \"::1:80\" }\n", 6, 23,
	  "got '::1:80'" },
	{ "a host name", HEAD "endpoints:\n  e: { owner: a, tcp: \"localhost:80\" }\n", 6, 23,
	  "got 'localhost:80'" },
	{ "IPv4-mapped address", HEAD "endpoints:\n  e: { owner: a, tcp: \"[::ffff:127.0.0.1]:80\" }\n",
	  6, 23, "tcp: '[::ffff:127.0.0.1]:80' is not in normal form: write '127.0.0.1:80'" },
	{ "IPv6 not compressed", HEAD "endpoints:\n  e: { owner: a, tcp: \"[0:0::1]:080\" }\n", 6,
	  23, "tcp: '[0:0::1]:080' is not in normal form: write '[::1]:80'" },
	{ "same port twice",
	  HEAD "endpoints:\n  e: { owner: a, tcp: \"[::1]:80\" }\n  f: { owner: b, tcp: \"[::1]:80\" }\n",
	  7, 23, "endpoint 'f': same address as endpoint 'e' (line 6)" },
	{ "queue without '/'", HEAD "endpoints:\n  e: { owner: a, mqueue: jobs }\n", 6, 26,
	  "mqueue: expected '/' and a name of 1 to 108 bytes without '/', got 'jobs'" },
	{ "queue name with '/'", HEAD "endpoints:\n  e: { owner: a, mqueue: /a/b }\n", 6, 26,
	  "got '/a/b'" },
	{ "same queue twice",
	  HEAD "endpoints:\n  e: { owner: a, mqueue: /q }\n  f: { owner: b, mqueue: /q }\n",
	  7, 26, "endpoint 'f': same address as endpoint 'e' (line 6)" },
	{ "fifo relative", HEAD "endpoints:\n  e: { owner: a, fifo: tmp/f }\n", 6, 24,
	  "fifo: expected the absolute path of a FIFO, got 'tmp/f'" },
	{ "fifo missing", HEAD "endpoints:\n  e: { owner: a, fifo: /nonexistent/f }\n", 6, 24,
	  "fifo: '/nonexistent/f': No such file or directory (vipc names a FIFO by its inode: "
	  "make it before the policy is applied)" },
	{ "fifo not a FIFO", HEAD "endpoints:\n  e: { owner: a, fifo: /dev/null }\n", 6, 24,
	  "fifo: '/dev/null': Operation not supported" },
	{ "views on a queue",
	  HEAD "endpoints:\n  e: { owner: a, mqueue: /q, views: { b: /v } }\n", 6, 37,
	  "endpoint 'e': views are for unix and abstract endpoints" },
	{ "bad others", HEAD "endpoints:\n  e: { owner: a, unix: /e, others: open }\n", 6, 36,
	  "others: expected deny, allow or audit, got 'open'" },
	{ "others a list", HEAD "endpoints:\n  e: { owner: a, unix: /e, others: [allow] }\n", 6,
	  36, "expected others, got a list" },
};

Test(bad, endpoints)
{
	expect_all_bad(bad_endpoints, ARRAY_SIZE(bad_endpoints));
}

static const struct bad_case bad_channels[] = {
	{ "channels a list", HEAD EPS "channels: []\n", 7, 11,
	  "expected a mapping of channels by name, got a list" },
	{ "channel a list", CHANNEL "  c: [e]\n", 8, 6,
	  "expected a mapping for a channel, got a list" },
	{ "unknown key", CHANNEL "  c: { endpoint: e, receiver: a, senders: [b], size: 1 }\n", 8,
	  48, "unknown key 'size' (expected endpoint, senders, receiver or capacity)" },
	{ "duplicate name",
	  CHANNEL "  c: { endpoint: e, receiver: a, senders: [b] }\n"
		  "  c: { endpoint: e, receiver: a, senders: [b] }\n",
	  9, 3, "duplicate key 'c' (first at line 8)" },
	{ "bad channel name", CHANNEL "  c d: { endpoint: e, receiver: a, senders: [b] }\n", 8, 3,
	  "channel 'c d': expected 1 to 31" },
	{ "missing endpoint", CHANNEL "  c: { receiver: a, senders: [b] }\n", 8, 6,
	  "c: missing 'endpoint'" },
	{ "missing senders", CHANNEL "  c: { endpoint: e, receiver: a }\n", 8, 6,
	  "c: missing 'senders'" },
	{ "missing receiver", CHANNEL "  c: { endpoint: e, senders: [b] }\n", 8, 6,
	  "c: missing 'receiver'" },
	{ "undefined endpoint", CHANNEL "  c: { endpoint: x, receiver: a, senders: [b] }\n", 8, 18,
	  "endpoint 'x' is not a defined endpoint" },
	{ "undefined receiver", CHANNEL "  c: { endpoint: e, receiver: z, senders: [b] }\n", 8, 31,
	  "receiver 'z' is not a defined container" },
	{ "undefined sender", CHANNEL "  c: { endpoint: e, receiver: a, senders: [b, z] }\n", 8, 47,
	  "sender 'z' is not a defined container" },
	{ "receiver does not own the endpoint",
	  CHANNEL "  c: { endpoint: e, receiver: b, senders: [a] }\n", 8, 31,
	  "channel 'c': receiver 'b' does not own endpoint 'e' (its owner is 'a')" },
	{ "sender listed twice", CHANNEL "  c: { endpoint: e, receiver: a, senders: [b, b] }\n", 8,
	  47, "sender 'b' listed twice" },
	{ "senders a scalar", CHANNEL "  c: { endpoint: e, receiver: a, senders: b }\n", 8, 43,
	  "expected a list of sender containers, got a scalar" },
	{ "no senders", CHANNEL "  c: { endpoint: e, receiver: a, senders: [] }\n", 8, 43,
	  "senders: expected at least one container" },
	{ "sender a mapping", CHANNEL "  c: { endpoint: e, receiver: a, senders: [{ b: 1 }] }\n", 8,
	  44, "expected sender, got a mapping" },
	{ "capacity -1",
	  CHANNEL "  c: { endpoint: e, receiver: a, senders: [b], capacity: -1 }\n", 8, 58,
	  "capacity: expected a whole number from 0 to 4294967295, got '-1'" },
	{ "capacity too big",
	  CHANNEL "  c: { endpoint: e, receiver: a, senders: [b], capacity: 4294967296 }\n", 8, 58,
	  "capacity: expected a whole number from 0 to 4294967295, got '4294967296'" },
	{ "channel on a port",
	  HEAD "endpoints:\n  t: { owner: a, tcp: \"127.0.0.1:80\" }\nchannels:\n"
	       "  c: { endpoint: t, receiver: a, senders: [b] }\n",
	  8, 18, "channel 'c': endpoint 't' is a tcp endpoint: channels carry UNIX sockets" },
	{ "capacity in hex",
	  CHANNEL "  c: { endpoint: e, receiver: a, senders: [b], capacity: 0x10 }\n", 8, 58,
	  "got '0x10'" },
};

Test(bad, channels)
{
	expect_all_bad(bad_channels, ARRAY_SIZE(bad_channels));
}

static const struct bad_case bad_grants[] = {
	{ "grants a mapping", GRANT "  g: { container: b, endpoint: e, allow: [send] }\n", 8, 3,
	  "expected a list of grants, got a mapping" },
	{ "grant a scalar", GRANT "  - b\n", 8, 5, "expected a mapping for a grant, got a scalar" },
	{ "unknown key", GRANT "  - { container: b, endpoint: e, allow: [send], why: x }\n", 8, 49,
	  "unknown key 'why' (expected container, endpoint or allow)" },
	{ "missing container", GRANT "  - { endpoint: e, allow: [send] }\n", 8, 5,
	  "grant: missing 'container'" },
	{ "missing allow", GRANT "  - { container: b, endpoint: e }\n", 8, 5,
	  "grant: missing 'allow'" },
	{ "missing allow, block style", GRANT "  - container: b\n    endpoint: e\n", 8, 5,
	  "grant: missing 'allow'" },
	{ "undefined container", GRANT "  - { container: c, endpoint: e, allow: [send] }\n", 8, 18,
	  "container 'c' is not a defined container" },
	{ "undefined endpoint", GRANT "  - { container: b, endpoint: x, allow: [send] }\n", 8, 31,
	  "endpoint 'x' is not a defined endpoint" },
	{ "duplicate grant",
	  GRANT "  - { container: b, endpoint: e, allow: [send] }\n"
		"  - { container: b, endpoint: e, allow: [connect] }\n",
	  9, 5, "duplicate grant of 'e' to 'b' (first at line 8)" },
	{ "allow a scalar", GRANT "  - { container: b, endpoint: e, allow: send }\n", 8, 41,
	  "expected a list of permissions, got a scalar" },
	{ "empty allow list", GRANT "  - { container: b, endpoint: e, allow: [] }\n", 8, 41,
	  "allow: expected at least one of connect, send, bind, pass-fd, receive" },
	{ "unknown permission", GRANT "  - { container: b, endpoint: e, allow: [send, recv] }\n", 8,
	  48, "unknown permission 'recv' (expected connect, send, bind, pass-fd or receive)" },
	{ "permission list in one word",
	  GRANT "  - { container: b, endpoint: e, allow: [\"connect,send\"] }\n", 8, 42,
	  "unknown permission 'connect,send'" },
	{ "permission a list", GRANT "  - { container: b, endpoint: e, allow: [[send]] }\n", 8, 42,
	  "expected a permission, got a list" },
	{ "pass-fd on a tcp port",
	  HEAD "endpoints:\n  t: { owner: a, tcp: \"127.0.0.1:80\" }\ngrants:\n"
	       "  - { container: b, endpoint: t, allow: [connect, pass-fd] }\n",
	  8, 51, "permission 'pass-fd' means nothing for endpoint 't', a tcp endpoint (expected connect "
	  "or bind)" },
	{ "send on a tcp port",
	  HEAD "endpoints:\n  t: { owner: a, tcp: \"127.0.0.1:80\" }\ngrants:\n"
	       "  - { container: b, endpoint: t, allow: [send] }\n",
	  8, 42, "permission 'send' means nothing for endpoint 't', a tcp endpoint" },
	{ "connect on a udp port",
	  HEAD "endpoints:\n  u: { owner: a, udp: \"127.0.0.1:53\" }\ngrants:\n"
	       "  - { container: b, endpoint: u, allow: [bind, connect] }\n",
	  8, 48, "permission 'connect' means nothing for endpoint 'u', a udp endpoint (expected send or "
	  "bind)" },
	{ "connect on a queue",
	  HEAD "endpoints:\n  q: { owner: a, mqueue: /jobs }\ngrants:\n"
	       "  - { container: b, endpoint: q, allow: [receive, connect] }\n",
	  8, 51, "permission 'connect' means nothing for endpoint 'q', a mqueue endpoint (expected "
	  "send, receive or bind)" },
	{ "receive on a UNIX socket",
	  HEAD "endpoints:\n  e: { owner: a, unix: /run/e.sock }\ngrants:\n"
	       "  - { container: b, endpoint: e, allow: [receive] }\n",
	  8, 42, "permission 'receive' means nothing for endpoint 'e', a unix endpoint" },
};

Test(bad, grants)
{
	expect_all_bad(bad_grants, ARRAY_SIZE(bad_grants));
}

/* ---- errors in general ---- */

Test(error, format_with_and_without_a_position)
{
	struct vipc_policy_error err = { .file = "p.yaml", .line = 3, .column = 7, .msg = "bad" };
	char buf[64];

	vipc_policy_error_format(&err, buf, sizeof(buf));
	cr_expect_str_eq(buf, "p.yaml:3:7: bad");
	err.line = 0;
	vipc_policy_error_format(&err, buf, sizeof(buf));
	cr_expect_str_eq(buf, "p.yaml: bad");
	vipc_policy_error_format(&err, buf, 5);
	cr_expect_str_eq(buf, "p.ya");
}

/* The text need not be NUL-terminated: only @len bytes are read. */
Test(error, only_len_bytes_are_read)
{
	static const char text[] = "version: 1\nversion: 2\n";
	struct vipc_policy_error err;
	struct vipc_policy *pol;

	cr_assert_eq(vipc_policy_parse_string(text, strlen("version: 1\n"), NAME, &pol, &err), 0);
	vipc_policy_free(pol);
	cr_expect_eq(vipc_policy_parse_string(text, sizeof(text) - 1, NAME, &pol, &err), -EINVAL);
	cr_expect_null(pol);
	cr_expect_str_eq(err.file, NAME);
}

/* ---- files ---- */

static char tmp[64]; /* /tmp/vipc-test-policy.XXXXXX */

static void tmp_make(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/vipc-test-policy.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp), "mkdtemp: %s", strerror(errno));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tmp_remove(void)
{
	if (tmp[0])
		nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* @rel under the temporary directory, into @buf. */
static const char *tmp_path(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", tmp, rel);
	return buf;
}

static void tmp_write(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f = fopen(tmp_path(path, rel), "we");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

/* A sparse file of @size bytes. */
static void tmp_sparse(const char *rel, off_t size)
{
	char path[PATH_MAX];
	int fd = open(tmp_path(path, rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(ftruncate(fd, size), 0, "%s: %s", path, strerror(errno));
	close(fd);
}

static const char *make_missing(char *path)
{
	return tmp_path(path, "missing.yaml");
}

static const char *make_dir(char *path)
{
	cr_assert_eq(mkdir(tmp_path(path, "dir.yaml"), 0700), 0);
	return path;
}

static const char *make_too_big(char *path)
{
	tmp_sparse("big.yaml", VIPC_POLICY_MAX_BYTES + 1);
	return tmp_path(path, "big.yaml");
}

static const char *make_fifo(char *path)
{
	cr_assert_eq(mkfifo(tmp_path(path, "fifo.yaml"), 0600), 0);
	return path;
}

static const char *make_device(char *path)
{
	return strcpy(path, "/dev/null");
}

static const char *make_unreadable(char *path)
{
	tmp_write("secret.yaml", "version: 1\n");
	cr_assert_eq(chmod(tmp_path(path, "secret.yaml"), 0), 0);
	return path;
}

struct file_case {
	const char *what;
	const char *(*make)(char *path);
	int ret;
	const char *msg; /* the whole message after "PATH: " */
	bool unprivileged; /* only meaningful when not root */
};

static const struct file_case file_cases[] = {
	{ "missing", make_missing, -ENOENT, "cannot open: No such file or directory", false },
	{ "directory", make_dir, -EISDIR, "is a directory, expected a policy file", false },
	{ "over 16 MiB", make_too_big, -EFBIG, "larger than the 16 MiB a policy may be", false },
	{ "fifo", make_fifo, -EINVAL, "not a regular file", false },
	{ "character device", make_device, -EINVAL, "not a regular file", false },
	{ "unreadable", make_unreadable, -EACCES, "cannot open: Permission denied", true },
};

static void expect_file_error(const struct file_case *c)
{
	struct vipc_policy *pol = (struct vipc_policy *)&pol;
	struct vipc_policy_error err;
	char path[PATH_MAX], want[MSG_MAX], msg[MSG_MAX];
	int ret;

	c->make(path);
	ret = vipc_policy_parse_file(path, &pol, &err);
	cr_expect_eq(ret, c->ret, "%s: returned %d, want %d", c->what, ret, c->ret);
	cr_expect_null(pol, "%s", c->what);
	cr_expect_eq(err.line, 0, "%s", c->what);
	vipc_policy_error_format(&err, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s: %s", path, c->msg);
	cr_expect_str_eq(msg, want, "%s", c->what);
}

/* The fifo must be refused, not waited on: hence the timeout. */
Test(file, unusable_files_are_refused, .init = tmp_make, .fini = tmp_remove, .timeout = 10)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(file_cases); i++)
		if (!file_cases[i].unprivileged || geteuid())
			expect_file_error(&file_cases[i]);
}

/* Exactly 16 MiB is read (and then refused as YAML: it is all NULs). */
Test(file, sixteen_mib_is_still_read, .init = tmp_make, .fini = tmp_remove)
{
	struct vipc_policy_error err;
	struct vipc_policy *pol;
	char path[PATH_MAX];

	tmp_sparse("max.yaml", VIPC_POLICY_MAX_BYTES);
	cr_expect_eq(vipc_policy_parse_file(tmp_path(path, "max.yaml"), &pol, &err), -EINVAL);
	cr_expect_null(pol);
	cr_expect_neq(err.line, 0, "%s", err.msg);
	cr_expect_not_null(strstr(err.msg, "invalid YAML"), "%s", err.msg);
}

/* A parse error in a file names the file, then line and column. */
Test(file, parse_errors_name_the_file, .init = tmp_make, .fini = tmp_remove)
{
	struct vipc_policy *pol = (struct vipc_policy *)&pol;
	struct vipc_policy_error err;
	char path[PATH_MAX], want[MSG_MAX], msg[MSG_MAX];

	tmp_write("p.yaml", "# v2\nversion: 2\n");
	tmp_path(path, "p.yaml");
	cr_expect_eq(vipc_policy_parse_file(path, &pol, &err), -EINVAL);
	cr_expect_null(pol);
	vipc_policy_error_format(&err, msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s:2:10: unsupported version 2 (expected 1)", path);
	cr_expect_str_eq(msg, want);
}

Test(file, good_file_parses, .init = tmp_make, .fini = tmp_remove)
{
	struct vipc_policy_error err;
	struct vipc_policy *pol;
	char path[PATH_MAX];

	tmp_write("p.yaml", "version: 1\ncontainers: { a: { pid: 1 } }\n");
	cr_assert_eq(vipc_policy_parse_file(tmp_path(path, "p.yaml"), &pol, &err), 0, "%s",
		     err.msg);
	cr_expect_eq(pol->nr_containers, 1);
	vipc_policy_free(pol);
}

/* ---- resolving cgroups ---- */

/* mkdir -p of @rel under the temporary directory; its inode number. */
static ino_t tmp_mkdirs(const char *rel)
{
	char path[PATH_MAX], *p;
	struct stat st;

	tmp_path(path, rel);
	for (p = path + strlen(tmp) + 1; (p = strchr(p, '/')); *p++ = '/') {
		*p = '\0';
		cr_assert(!mkdir(path, 0700) || errno == EEXIST, "%s: %s", path, strerror(errno));
	}
	cr_assert(!mkdir(path, 0700) || errno == EEXIST, "%s: %s", path, strerror(errno));
	cr_assert_eq(stat(path, &st), 0);
	return st.st_ino;
}

static char cgroot[128], procroot[128];

static void fake_roots(void)
{
	tmp_make();
	tmp_mkdirs("cg");
	tmp_mkdirs("proc/4242");
	tmp_path(cgroot, "cg");
	tmp_path(procroot, "proc");
	tmp_write("proc/4242/cgroup", "1:name=systemd:/foo\n0::/a/b\n");
}

/* Parse @text and resolve it against the fake roots; the formatted error. */
static int resolve(const char *text, struct vipc_policy **pol, char *msg)
{
	struct vipc_policy_error err;
	int ret;

	ret = vipc_policy_parse_string(text, strlen(text), NAME, pol, &err);
	vipc_policy_error_format(&err, msg, MSG_MAX);
	cr_assert_eq(ret, 0, "%s", msg);
	ret = vipc_policy_resolve(*pol, cgroot, procroot, &err);
	vipc_policy_error_format(&err, msg, MSG_MAX);
	return ret;
}

static __u64 resolve_one(const char *container)
{
	char text[2 * PATH_MAX], msg[MSG_MAX];
	struct vipc_policy *pol;
	__u64 id;

	snprintf(text, sizeof(text), "version: 1\ncontainers:\n  c: %s\n", container);
	cr_assert_eq(resolve(text, &pol, msg), 0, "%s: %s", container, msg);
	id = pol->containers[0].cgroup_id;
	vipc_policy_free(pol);
	return id;
}

Test(resolve, globs_split_at_their_last_component, .init = fake_roots, .fini = tmp_remove)
{
	const char *text = "version: 1\ncontainers:\n  a: { cgroup: \"x/web-*\" }\n"
			   "  b: { cgroup: /x/db-?/ }\n  c: { cgroup: \"top*\" }\n"
			   "  d: { cgroup: x/web-1 }\n";
	const struct vipc_policy_container *c;
	struct vipc_policy *pol;
	char msg[MSG_MAX];

	tmp_mkdirs("cg/x/web-1");
	cr_assert_eq(resolve(text, &pol, msg), 0, "%s", msg);
	c = pol->containers;
	cr_expect(c[0].glob && c[1].glob && c[2].glob && !c[3].glob);
	cr_expect_str_eq(c[0].path, "/x/web-*");
	cr_expect_eq(c[0].cgroup_id, 0, "a glob has no one cgroup");
	cr_expect_eq(c[0].parent_len, 2);
	cr_expect_eq(c[0].pattern.len, 5);
	cr_expect_eq(c[0].pattern.star, 4);
	cr_expect_str_eq(c[0].pattern.pat, "web-*");
	cr_expect_eq(c[0].glob_index, 0);
	cr_expect_str_eq(c[1].path, "/x/db-?");
	cr_expect_eq(c[1].pattern.star, VIPC_GLOB_NO_STAR);
	cr_expect_eq(c[1].glob_index, 1, "the second glob in /x");
	cr_expect_eq(c[2].parent_len, 0, "a child of the root");
	cr_expect_eq(c[2].glob_index, 0);
	cr_expect_neq(c[3].cgroup_id, 0);
	vipc_policy_free(pol);
}

Test(resolve, equal_globs_and_too_many_in_a_directory_are_errors, .init = fake_roots,
     .fini = tmp_remove)
{
	char text[1024], msg[MSG_MAX];
	struct vipc_policy *pol;
	size_t n;
	int i;

	cr_expect_neq(resolve("version: 1\ncontainers:\n  a: { cgroup: \"x/w*\" }\n"
			      "  b: { cgroup: \"/x/w*/\" }\n", &pol, msg), 0);
	cr_expect_str_eq(msg, NAME ":4:3: container 'b': cgroup /x/w* is container 'a''s glob too");
	vipc_policy_free(pol);
	n = snprintf(text, sizeof(text), "version: 1\ncontainers:\n");
	for (i = 0; i <= VIPC_GLOB_PER_PARENT; i++)
		n += snprintf(text + n, sizeof(text) - n, "  c%d: { cgroup: \"x/c%d-*\" }\n", i, i);
	cr_expect_neq(resolve(text, &pol, msg), 0);
	cr_expect_str_eq(msg, NAME ":11:3: container 'c8': cgroup /x/c8-*: expected at most 8 "
			 "globs in one directory");
	vipc_policy_free(pol);
}

Test(resolve, relative_cgroup_is_under_cgroot, .init = fake_roots, .fini = tmp_remove)
{
	ino_t ino = tmp_mkdirs("cg/x/y");

	cr_expect_eq(resolve_one("{ cgroup: x/y }"), ino);
	cr_expect_eq(resolve_one("{ cgroup: x/y/ }"), ino);
}

Test(resolve, absolute_cgroup_is_under_cgroot, .init = fake_roots, .fini = tmp_remove)
{
	ino_t ino = tmp_mkdirs("cg/x/y");

	cr_expect_eq(resolve_one("{ cgroup: /x/y }"), ino);
	cr_expect_eq(resolve_one("{ cgroup: / }"), tmp_mkdirs("cg"));
}

Test(resolve, path_within_cgroot_is_used_as_is, .init = fake_roots, .fini = tmp_remove)
{
	ino_t ino = tmp_mkdirs("cg/x/y");
	char container[PATH_MAX + 32];

	snprintf(container, sizeof(container), "{ cgroup: \"%s/x/y\" }", cgroot);
	cr_expect_eq(resolve_one(container), ino);
	snprintf(container, sizeof(container), "{ cgroup: \"%s\" }", cgroot);
	cr_expect_eq(resolve_one(container), tmp_mkdirs("cg"));
}

/* The container's path and id after resolving @container. */
static __u64 resolve_path(const char *container, char *path)
{
	char text[2 * PATH_MAX], msg[MSG_MAX];
	struct vipc_policy *pol;
	__u64 id;

	snprintf(text, sizeof(text), "version: 1\ncontainers:\n  c: %s\n", container);
	cr_assert_eq(resolve(text, &pol, msg), 0, "%s: %s", container, msg);
	id = pol->containers[0].cgroup_id;
	strcpy(path, pol->containers[0].path);
	vipc_policy_free(pol);
	return id;
}

/* CGROOT "T/cg" is not a prefix of "T/cgx/y": that path is under CGROOT. */
Test(resolve, cgroot_prefix_stops_at_a_slash, .init = fake_roots, .fini = tmp_remove)
{
	char container[PATH_MAX + 32], path[VIPC_CGROUP_PATH_MAX], want[PATH_MAX];

	tmp_mkdirs("cgx/y");
	snprintf(container, sizeof(container), "{ cgroup: \"%sx/y\" }", cgroot);
	cr_expect_eq(resolve_path(container, path), 0, "not the directory beside CGROOT");
	snprintf(want, sizeof(want), "%sx/y", cgroot);
	cr_expect_str_eq(path, want);
}

/* The kernel's form of the path: one slash between components, none trailing. */
Test(resolve, path_is_the_hierarchy_path, .init = fake_roots, .fini = tmp_remove)
{
	char path[VIPC_CGROUP_PATH_MAX], container[PATH_MAX + 32];
	ino_t ino = tmp_mkdirs("cg/x/y");

	cr_expect_eq(resolve_path("{ cgroup: x//y/ }", path), ino);
	cr_expect_str_eq(path, "/x/y");
	snprintf(container, sizeof(container), "{ cgroup: \"%s/x/y\" }", cgroot);
	cr_expect_eq(resolve_path(container, path), ino);
	cr_expect_str_eq(path, "/x/y");
	cr_expect_eq(resolve_path("{ cgroup: / }", path), tmp_mkdirs("cg"));
	cr_expect_str_eq(path, "/");
}

static void expect_unresolved(const char *text, int line, int column, const char *what)
{
	char msg[MSG_MAX], want[64];
	struct vipc_policy *pol;

	cr_expect_eq(resolve(text, &pol, msg), -ENOENT, "%s", msg);
	snprintf(want, sizeof(want), NAME ":%d:%d: ", line, column);
	cr_expect(!strncmp(msg, want, strlen(want)), "got \"%s\", want \"%s...\"", msg, want);
	cr_expect_not_null(strstr(msg, what), "got \"%s\", want \"%s\" in it", msg, what);
	vipc_policy_free(pol);
}

/* A cgroup that does not exist yet resolves, unbound, to its path. */
Test(resolve, missing_cgroup_resolves_unbound, .init = fake_roots, .fini = tmp_remove)
{
	char path[VIPC_CGROUP_PATH_MAX];

	tmp_write("cg/file", "");
	cr_expect_eq(resolve_path("{ cgroup: gone/away }", path), 0);
	cr_expect_str_eq(path, "/gone/away");
	cr_expect_eq(resolve_path("{ cgroup: file }", path), 0, "not a directory");
}

/* A path the kernel never gives cannot select: an error at the container. */
Test(resolve, unselectable_path_is_an_error_at_the_container, .init = fake_roots,
     .fini = tmp_remove)
{
	expect_unresolved("version: 1\ncontainers:\n  ok: { cgroup: here }\n"
			  "  up: { cgroup: a/../b }\n", 4, 3,
			  "container 'up': cgroup a/../b: expected a path without . or ..");
	expect_unresolved("version: 1\ncontainers:\n  l: { cgroup: " REL255 " }\n", 3, 3,
			  "expected at most 255 bytes within the cgroup2 hierarchy");
}

Test(resolve, pid_reads_its_cgroup2_line, .init = fake_roots, .fini = tmp_remove)
{
	ino_t ino = tmp_mkdirs("cg/a/b");

	cr_expect_eq(resolve_one("{ pid: 4242 }"), ino);
}

Test(resolve, pid_in_the_root_cgroup, .init = fake_roots, .fini = tmp_remove)
{
	tmp_mkdirs("proc/7");
	tmp_write("proc/7/cgroup", "0::/\n");
	cr_expect_eq(resolve_one("{ pid: 7 }"), tmp_mkdirs("cg"));
}

Test(resolve, pid_errors, .init = fake_roots, .fini = tmp_remove)
{
	tmp_mkdirs("proc/8");
	tmp_write("proc/8/cgroup", "1:name=systemd:/foo\n2:cpu:/bar\n");
	tmp_mkdirs("proc/9");
	tmp_write("proc/9/cgroup", "0::/not/there\n");
	expect_unresolved("version: 1\ncontainers:\n  p: { pid: 4243 }\n", 3, 3,
			  "container 'p': no process 4243");
	expect_unresolved("version: 1\ncontainers:\n  p: { pid: 8 }\n", 3, 3,
			  "container 'p': no process 8 (or it has no cgroup2 cgroup)");
	expect_unresolved("version: 1\ncontainers:\n  p: { pid: 9 }\n", 3, 3,
			  "container 'p': missing cgroup");
}

/* ---- look-ups ---- */

Test(lookup, containers_and_endpoints_by_name)
{
	struct vipc_policy *pol = parse_ok(block_policy);

	cr_expect_eq(vipc_policy_container(pol, "db"), &pol->containers[0]);
	cr_expect_eq(vipc_policy_container(pol, "ops"), &pol->containers[2]);
	cr_expect_null(vipc_policy_container(pol, "pg"));
	cr_expect_null(vipc_policy_container(pol, "Db"));
	cr_expect_null(vipc_policy_container(pol, ""));
	cr_expect_eq(vipc_policy_endpoint(pol, "pg"), &pol->endpoints[0]);
	cr_expect_eq(vipc_policy_endpoint(pol, "metrics"), &pol->endpoints[1]);
	cr_expect_null(vipc_policy_endpoint(pol, "db"));
	cr_expect_null(vipc_policy_endpoint(pol, "jobs")); /* a channel, not an endpoint */
	vipc_policy_free(pol);
}

Test(lookup, empty_policy_finds_nothing)
{
	struct vipc_policy *pol = parse_ok("version: 1\n");

	cr_expect_null(vipc_policy_container(pol, "a"));
	cr_expect_null(vipc_policy_endpoint(pol, "a"));
	vipc_policy_free(pol);
}

Test(lookup, free_null_is_a_no_op)
{
	vipc_policy_free(NULL);
}
