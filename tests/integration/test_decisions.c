// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Who talks to whom: the per-container decision counters (vipc_decisions,
 * `stats --by-container`, bpftool, the metrics family vipc_decisions_total
 * in a textfile) and the in-kernel aggregation of deny
 * events (one event per key and interval, the rest counted and summarized),
 * with real containers on either backend.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fixture.h"
#include "scene.h"
#include "vipc.h"

TestSuite(decisions, .init = s_init, .fini = s_fini, .timeout = 180);

/* The policy of the scene with bad in audit mode and events at @rate. */
#define AUDIT_POLICY(rate)                                        \
	"version: 1\n"                                            \
	"events: { rate: " rate " }\n"                            \
	"containers:\n"                                           \
	"  srv: { cgroup: vipc-test/srv }\n"                      \
	"  cli: { cgroup: vipc-test/cli }\n"                      \
	"  bad: { cgroup: vipc-test/bad, mode: audit }\n" S_ENDPOINTS
/* The usual policy (bad enforced, not granted) with events at @rate. */
#define ENFORCE_POLICY(rate) \
	"version: 1\nevents: { rate: " rate " }\n" S_CONTAINERS S_ENDPOINTS S_GRANTS

/* The hook that decides a connect() on a datagram socket. */
static const char *dgram_connect_hook(void)
{
	return v_lsm() ? v_hook(1) : v_hook(0);
}

/* `vipc-probe loop S_DGRAM SECONDS --dgram` in @c: its "ok=N eperm=N" counts. */
static void dgram_loop(struct h_container *c, const char *seconds, unsigned long *ok,
		       unsigned long *eperm)
{
	const char *argv[] = { V_PROBE, "loop", S_DGRAM, seconds, "--dgram", NULL };
	unsigned long other = 1;
	char out[256];

	cr_assert_eq(h_container_exec(c, argv, out, sizeof(out)), 0, "loop: %s", out);
	cr_assert_eq(sscanf(out, "ok=%lu eperm=%lu other=%lu", ok, eperm, &other), 3, "%s", out);
	cr_assert_eq(other, 0, "%s", out);
}

/* What `events --json --timeout S` printed: deny/would-deny events (the
 * first one kept), summaries, and the calls their "suppressed" stand for.
 */
struct seen {
	int events, summaries;
	unsigned long long suppressed;
	json_object *first;
};

static const char *member(json_object *obj, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(obj, key, &v), "no \"%s\": %s", key,
		  json_object_to_json_string(obj));
	return json_object_get_string(v);
}

static void read_events(const char *timeout, struct seen *s)
{
	char *line, *save = NULL;
	json_object *ev;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(v_loader("events", "--json", "--timeout", timeout, NULL), 0, "%s", v_out);
	for (line = strtok_r(v_out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{' || !(ev = json_tokener_parse(line)))
			continue;
		if (!json_object_object_get_ex(ev, "suppressed", NULL)) {
			json_object_put(ev); /* a snapshot or a cgroup removal */
			continue;
		}
		s->suppressed += strtoull(member(ev, "suppressed"), NULL, 10);
		if (!strcmp(member(ev, "type"), "summary")) {
			s->summaries++;
			json_object_put(ev);
		} else if (s->events++) {
			json_object_put(ev);
		} else {
			s->first = ev;
		}
	}
}

Test(decisions, audit_calls_in_one_interval_send_one_event_and_a_summary)
{
	unsigned long ok, eperm;
	struct seen s;

	/* Phase 1: a second of would-deny connects, well within the 4 s interval. */
	s_start(AUDIT_POLICY("4s"), 0);
	s_listen(S_DGRAM, "--dgram");
	dgram_loop(sc.bad, "1", &ok, &eperm);
	cr_assert_eq(eperm, 0);
	cr_assert_gt(ok, 1, "a loop of one call tests nothing");

	/* Phase 2: one event with the first call's data, then summaries of the rest. */
	read_events("6", &s);
	cr_assert_eq(s.events, 1, "one event in the interval: %d", s.events);
	cr_assert_str_eq(member(s.first, "type"), "would-deny");
	cr_assert_str_eq(member(s.first, "container"), "bad");
	cr_assert_str_eq(member(s.first, "comm"), "vipc-probe");
	cr_assert_str_eq(member(s.first, "name"), S_DGRAM);
	cr_assert_str_eq(member(s.first, "reason"), "no-grant");
	cr_assert_str_eq(member(s.first, "verdict"), "audit");
	cr_assert_str_eq(member(s.first, "hook"), dgram_connect_hook());
	cr_assert_str_eq(member(s.first, "suppressed"), "0");
	json_object_put(s.first);
	cr_assert_geq(s.summaries, 1);
	cr_assert_eq(s.suppressed, ok - 1, "summaries carry N-1: %llu of %lu", s.suppressed, ok);

	/* Phase 3: the counters add up. */
	cr_assert_eq(v_stat("audited"), ok);
	cr_assert_eq(v_stat("events_suppressed"), ok - 1);
	cr_assert_eq(v_stat("events_dropped"), 0);
}

Test(decisions, events_plus_suppressed_equal_the_would_denies_over_many_intervals)
{
	unsigned long ok, eperm;
	struct seen s;

	s_start(AUDIT_POLICY("300ms"), 0);
	s_listen(S_DGRAM, "--dgram");
	dgram_loop(sc.bad, "2", &ok, &eperm);
	read_events("2", &s);
	cr_assert_geq(s.events, 2, "two seconds span several 300 ms intervals");
	cr_assert_eq(s.events + s.suppressed, ok, "%d events + %llu suppressed != %lu calls",
		     s.events, s.suppressed, ok);
	cr_assert_eq(v_stat("audited"), ok);
	cr_assert_eq(v_stat("events_suppressed"), s.suppressed);
	json_object_put(s.first);
}

Test(decisions, rate_all_sends_every_event)
{
	struct seen s;
	int i;

	s_start(AUDIT_POLICY("all"), 0);
	s_listen(S_DGRAM, "--dgram");
	for (i = 0; i < 3; i++)
		cr_assert_eq(s_probe(sc.bad, "connect", S_DGRAM, "--dgram", NULL), 0);
	read_events("1", &s);
	cr_assert_eq(s.events, 3);
	cr_assert_eq(s.summaries, 0);
	cr_assert_eq(s.suppressed, 0);
	cr_assert_eq(v_stat("events_suppressed"), 0);
	json_object_put(s.first);
}

Test(decisions, the_load_flag_overrides_the_policy_rate)
{
	const char *path;
	struct seen s;
	int i;

	s_start(AUDIT_POLICY("3600s"), 0);
	path = v_policy_file(AUDIT_POLICY("3600s"));
	cr_assert_eq(v_loader("reload", "-c", path, "--event-rate", "all", NULL), 0, "%s", v_out);
	unlink(path);
	s_listen(S_DGRAM, "--dgram");
	for (i = 0; i < 2; i++)
		cr_assert_eq(s_probe(sc.bad, "connect", S_DGRAM, "--dgram", NULL), 0);
	read_events("1", &s);
	cr_assert_eq(s.events, 2);
	json_object_put(s.first);
}

Test(decisions, enforce_denies_aggregate_the_same_way)
{
	unsigned long ok, eperm;
	struct seen s;

	s_start(ENFORCE_POLICY("4s"), 0);
	s_listen(S_DGRAM, "--dgram");
	dgram_loop(sc.bad, "1", &ok, &eperm);
	cr_assert_eq(ok, 0);
	cr_assert_gt(eperm, 1);
	read_events("6", &s);
	cr_assert_eq(s.events, 1);
	cr_assert_str_eq(member(s.first, "type"), "deny");
	cr_assert_str_eq(member(s.first, "verdict"), "deny");
	cr_assert_eq(s.suppressed, eperm - 1);
	cr_assert_eq(v_stat("denied_no_grant"), eperm);
	cr_assert_eq(v_stat("events_suppressed"), eperm - 1);
	json_object_put(s.first);
}

/* ---- decision counters ---- */

/* The rows of `stats --by-container --json`. */
static json_object *rows(void)
{
	json_object *doc, *list;

	cr_assert_eq(v_loader("stats", "--by-container", "--json", NULL), 0, "%s", v_out);
	doc = json_tokener_parse(v_out);
	cr_assert_not_null(doc, "not JSON: %s", v_out);
	cr_assert(json_object_object_get_ex(doc, "decisions", &list), "%s", v_out);
	json_object_get(list);
	json_object_put(doc);
	return list;
}

/* The count of one row (NULL matches any value), summed; 0 when absent. */
static unsigned long long count(const char *container, const char *endpoint, const char *hook,
				const char *verdict, const char *reason)
{
	const char *want[5] = { container, endpoint, hook, verdict, reason };
	static const char *const keys[5] = { "container", "endpoint", "hook", "verdict",
					     "reason" };
	json_object *list = rows(), *row;
	unsigned long long sum = 0;
	size_t i, k;

	for (i = 0; i < json_object_array_length(list); i++) {
		row = json_object_array_get_idx(list, i);
		for (k = 0; k < 5 && (!want[k] || !strcmp(member(row, keys[k]), want[k])); k++)
			;
		if (k == 5)
			sum += strtoull(member(row, "count"), NULL, 10);
	}
	json_object_put(list);
	return sum;
}

/* The scene's known sequence: 2 granted connects, a denied one, the
 * owner's, an unregistered name, a granted sendto, and a connect of a host
 * process (no container) to a name nobody registered.
 */
static void known_sequence(void)
{
	char host_sock[256];
	const char *argv[] = { h_path("build/tests/vipc-probe"), "connect", host_sock, NULL };
	char out[256];

	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	s_listen("/shared/other.sock", NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.srv, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/other.sock", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "x", NULL), 0);
	snprintf(host_sock, sizeof(host_sock), "%s/other.sock", sc.shared);
	cr_assert_eq(h_run(argv, out, sizeof(out)), 0, "unconfined connect: %s", out);
}

Test(decisions, counters_count_exact_numbers_per_container_endpoint_and_reason)
{
	const char *c = v_hook(0), *s = v_hook(1);

	s_start(S_POLICY, 0);
	known_sequence();
	cr_assert_eq(count("cli", "sock", c, "allow", "granted"), 2);
	cr_assert_eq(count("bad", "sock", c, "deny", "no-grant"), 1);
	cr_assert_eq(count("srv", "sock", c, "allow", "owner"), 1);
	cr_assert_eq(count("bad", "-", c, "allow", "unknown-allow"), 1);
	cr_assert_eq(count("cli", "dgram", s, "allow", "granted"), 1);
	/* Nothing else on the call hooks; the unconfined caller has no row. */
	cr_assert_eq(count(NULL, NULL, c, NULL, NULL) + count(NULL, NULL, s, NULL, NULL), 6);
	cr_assert_eq(count("-", NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(v_stat("decisions_missed"), 0);
}

/* The exposition `metrics --textfile` writes, into @out. */
static void exposition(char *out, size_t size)
{
	char path[4200];
	const char *cat[] = { "cat", path, NULL };
	const char *dir = h_tmpdir();

	cr_assert_not_null(dir);
	snprintf(path, sizeof(path), "%s/vipc.prom", dir);
	cr_assert_eq(v_loader("metrics", "--textfile", path, NULL), 0, "%s", v_out);
	cr_assert_eq(h_run(cat, out, size), 0, "%s", out);
}

/* The sample of vipc_decisions_total for (@container, @endpoint, @verdict,
 * @reason or NULL): its value, -1 when absent. It must equal the rows of
 * `stats --by-container` summed over the hooks.
 */
static long long series(const char *out, const char *container, const char *endpoint,
			const char *verdict, const char *reason)
{
	char want[256], r[64] = "";
	const char *at;
	long long v;

	if (reason)
		snprintf(r, sizeof(r), ",reason=\"%s\"", reason);
	snprintf(want, sizeof(want),
		 "\nvipc_decisions_total{container=\"%s\",endpoint=\"%s\",verdict=\"%s\"%s} ",
		 container, endpoint, verdict, r);
	at = strstr(out, want);
	if (!at)
		return -1;
	v = strtoll(at + strlen(want), NULL, 10);
	cr_expect_eq((unsigned long long)v, count(container, endpoint, NULL, verdict, reason),
		     "%s: the rows summed over hooks", want + 1);
	return v;
}

Test(decisions, the_metrics_family_counts_per_container_endpoint_verdict_and_reason)
{
	static char out[1 << 16];

	s_start(S_POLICY, 0);
	known_sequence();
	exposition(out, sizeof(out));
	cr_expect_eq(series(out, "cli", "sock", "allow", NULL), 2, "%s", out);
	cr_expect_eq(series(out, "bad", "sock", "deny", "no-grant"), 1);
	cr_expect_eq(series(out, "bad", "-", "allow", NULL), 1, "an unregistered name");
	cr_expect_eq(series(out, "cli", "dgram", "allow", NULL), 1);
	/* srv's connect to its own endpoint; the LSM backend decides its binds too. */
	cr_expect_eq(series(out, "srv", "sock", "allow", NULL), v_lsm() ? 2 : 1);
	cr_expect_eq(series(out, "srv", "dgram", "allow", NULL), v_lsm() ? 1 : -1);
	cr_expect_null(strstr(out, "vipc_decisions_total{container=\"-\""),
		       "an unconfined caller's allows have no series");
	cr_expect_null(strstr(out, "verdict=\"allow\",reason="), "allows carry no reason");
}

/* `bpftool map dump pinned` of a vipc map, into @out. */
static void bpftool_dump(const char *map, char *out, size_t size)
{
	char path[128];
	const char *argv[] = { "bpftool", "map", "dump", "pinned", path, NULL };

	snprintf(path, sizeof(path), "/sys/fs/bpf/vipc/%s", map);
	cr_assert_eq(h_run(argv, out, size), 0, "%s", out);
}

/* bad's denied connect to sock, as bpftool shows its key (BTF names). */
static void assert_bad_row(const char *out)
{
	char reason[32];

	snprintf(reason, sizeof(reason), "\"reason\": %d,", VIPC_R_NO_GRANT);
	cr_assert(strstr(out, "\"container\": 3,"), "%s", out);
	cr_assert(strstr(out, "\"endpoint\": 1,"), "%s", out);
	cr_assert(strstr(out, "\"owner\": 1,"), "%s", out);
	cr_assert(strstr(out, reason), "no-grant: %s", out);
	cr_assert(strstr(out, "\"verdict\": 1,"), "deny: %s", out);
}

Test(decisions, bpftool_shows_a_hot_row_with_its_field_names)
{
	static char out[1 << 18];

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	bpftool_dump("vipc_decisions_hot", out, sizeof(out));
	assert_bad_row(out);
	cr_assert(strstr(out, "\"count\": 1"), "%s", out);
}

/* Take every hot row of every CPU with a key of no container. */
static void fill_hot(void)
{
	int cpus = libbpf_num_possible_cpus(), fd, c, i, w;
	struct vipc_hot_table *t;
	__u32 zero = 0;

	fd = bpf_obj_get("/sys/fs/bpf/vipc/vipc_decisions_hot");
	cr_assert_geq(fd, 0);
	t = calloc(cpus, sizeof(*t));
	cr_assert_not_null(t);
	for (c = 0; c < cpus; c++)
		for (i = 0; i < VIPC_HOT_BUCKETS; i++)
			for (w = 0; w < VIPC_HOT_WAYS; w++)
				t[c].bucket[i].row[w].key = (struct vipc_decision_key){
					.container = 2000000 + i * VIPC_HOT_WAYS + w,
					.reason = VIPC_R_GRANTED };
	cr_assert_eq(bpf_map_update_elem(fd, &zero, t, BPF_ANY), 0, "%s", strerror(errno));
	free(t);
	close(fd);
}

Test(decisions, past_the_hot_rows_a_key_counts_in_vipc_decisions)
{
	static char out[1 << 18];

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	fill_hot();
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	bpftool_dump("vipc_decisions", out, sizeof(out));
	assert_bad_row(out);
	cr_assert(strstr(out, "\"values\": ["), "per CPU: %s", out);
	cr_assert_eq(count("bad", "sock", v_hook(0), "deny", "no-grant"), 2);
}

Test(decisions, a_watch_started_before_a_reload_names_the_rows_it_kept)
{
	const char *argv[] = { V_LOADER, "stats", "--by-container", "--watch", "1", "--json",
			       NULL };
	static char out[1 << 16];
	const char *path;
	int n, i;
	pid_t pid;

	/* Phase 1: a row of bad, watched; then a reload that keeps bad. */
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	pid = h_spawn(NULL, argv, "\"container\":\"bad\"");
	cr_assert_gt(pid, 0, "stats --watch did not show bad");
	n = h_spawn_output(pid, out, sizeof(out));
	path = v_policy_file(S_POLICY);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);

	/* Phase 2: two rounds later (the second read after the reload), still bad. */
	for (i = 0; i < h_scale_ms(5000) / 100 && v_occurrences(out + n, "{\"decisions\":") < 2;
	     i++, usleep(100000))
		h_spawn_output(pid, out, sizeof(out));
	cr_assert_geq(v_occurrences(out + n, "{\"decisions\":"), 2, "%s", out);
	cr_assert_geq(v_occurrences(out + n, "\"container\":\"bad\""), 2, "%s", out + n);
	cr_assert_null(strstr(out + n, "\"container\":\"#"), "%s", out + n);
	h_spawn_stop(pid);
}

Test(decisions, removal_takes_the_counters_with_it)
{
	const char *path;
	int i;

	/* Phase 1: container rm (the kernel sweep), then endpoint rm (the loader). */
	s_start(S_POLICY, 0);
	known_sequence();
	cr_assert_eq(v_loader("container", "rm", "bad", NULL), 0, "%s", v_out);
	cr_assert_eq(count("bad", NULL, NULL, NULL, NULL), 0);
	cr_assert_eq(count("cli", NULL, NULL, NULL, NULL), 3);
	cr_assert_eq(v_loader("endpoint", "rm", "sock", "srv", NULL), 0, "%s", v_out);
	cr_assert_eq(count(NULL, "sock", NULL, NULL, NULL), 0);
	cr_assert_eq(count("cli", "dgram", NULL, NULL, NULL), 1);

	/* Phase 2: a reload without dgram drops its rows. */
	path = v_policy_file("version: 1\n" S_CONTAINERS);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);
	cr_assert_eq(count(NULL, "dgram", NULL, NULL, NULL), 0);

	/* Phase 3: a policy container's cgroup removed (runc delete) only
	 * unbinds it: the identity and its rows stay, under its name.
	 */
	cr_assert_eq(s_probe(sc.cli, "connect", "/shared/other.sock", NULL), 0);
	cr_assert_eq(count("cli", NULL, NULL, NULL, NULL), 1);
	h_container_destroy(sc.cli);
	sc.cli = NULL;
	for (i = 0; i < 50 && v_stat("cgroups_unbound") < 1; i++)
		usleep(h_scale_ms(100) * 1000);
	cr_assert_geq(v_stat("cgroups_unbound"), 1, "%s", v_out);
	cr_assert_eq(count("cli", NULL, NULL, NULL, NULL), 1, "%s", v_out);
	cr_assert_eq(count("#2", NULL, NULL, NULL, NULL), 0, "%s", v_out);
	/* ... and a reload keeps the rows of the unbound container. */
	path = v_policy_file("version: 1\n" S_CONTAINERS);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);
	cr_assert_eq(count("cli", NULL, NULL, NULL, NULL), 1, "%s", v_out);
}

/* Fill vipc_decisions with rows of no container until the kernel refuses one. */
static void fill_decisions(void)
{
	struct vipc_decision_key key = { .endpoint = 0, .reason = VIPC_R_GRANTED };
	int cpus = libbpf_num_possible_cpus(), fd;
	__u64 *zero;

	fd = bpf_obj_get("/sys/fs/bpf/vipc/vipc_decisions");
	cr_assert_geq(fd, 0);
	zero = calloc(cpus, sizeof(*zero));
	cr_assert_not_null(zero);
	for (key.container = 1000000; !bpf_map_update_elem(fd, &key, zero, BPF_NOEXIST);
	     key.container++)
		;
	cr_assert_eq(errno, E2BIG, "%s", strerror(errno));
	free(zero);
	close(fd);
}

Test(decisions, a_full_table_counts_misses_and_never_fails_a_call)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	fill_hot();
	fill_decisions();
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("decisions_missed"), 2);
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
}

Test(decisions, rows_missed_by_a_full_table_are_a_status_warning)
{
	json_object *doc;
	char *p;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	fill_hot();
	fill_decisions();
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat_total("decisions_missed"), 1);

	/* Text: a warning that says what was missed and how to make room. */
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "vipc: decisions_missed 1: decisions not counted per container"),
		  "%s", v_out);
	cr_assert(strstr(v_out, "--max-grants"), "the options that size it: %s", v_out);
	cr_assert(strstr(v_out, "--max-containers"), "%s", v_out);

	/* JSON: the count as a field. */
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	p = v_out[0] == '{' ? v_out : strstr(v_out, "\n{");
	cr_assert_not_null(p, "%s", v_out);
	doc = json_tokener_parse(p + (*p == '\n'));
	cr_assert_not_null(doc, "%s", v_out);
	cr_assert_str_eq(member(doc, "decisions_missed"), "1", "%s", v_out);
	cr_assert_str_eq(member(doc, "events_dropped"), "0", "%s", v_out);
	json_object_put(doc);
}
