// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Observability: audit mode, deny events on the ring buffer, exact counters
 * through the loader and through bpftool, in-kernel snapshots, and the
 * foreground loader.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(observe, .init = s_init, .fini = s_fini, .timeout = 120);

Test(observe, audit_mode_allows_and_reports_a_would_deny)
{
	s_start("version: 1\n"
		"containers:\n"
		"  srv: { cgroup: vipc-test/srv }\n"
		"  cli: { cgroup: vipc-test/cli }\n"
		"  bad: { cgroup: vipc-test/bad, mode: audit }\n" S_ENDPOINTS, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_stat("audited"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 0);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"type\":\"would-deny\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"bad\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"reason\":\"no-grant\""), "%s", v_out);
}

/* The last events output names @hook. */
static void assert_hook(const char *hook)
{
	char want[64];

	snprintf(want, sizeof(want), "\"hook\":\"%s\"", hook);
	cr_assert(strstr(v_out, want), "%s expected: %s", want, v_out);
}

Test(observe, deny_event_carries_who_what_and_why)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"type\":\"deny\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"bad\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"comm\":\"vipc-probe\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"" S_SOCK "\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"endpoint_id\":1"), "%s", v_out);
	cr_assert(strstr(v_out, "\"perm\":\"connect\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"reason\":\"no-grant\""), "%s", v_out);
	assert_hook(v_hook(0));
}

Test(observe, datagram_deny_event_names_the_sendmsg_hook)
{
	s_start(S_POLICY, 0);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "x", NULL), EPERM);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0);
	assert_hook(v_hook(1));
	cr_assert(strstr(v_out, "\"perm\":\"send\""), "%s", v_out);
}

/* @line (up to its newline) parsed as one strict JSON value, nothing after it. */
static json_object *parse_line(char *line)
{
	struct json_tokener *tok = json_tokener_new();
	char *end = strchr(line, '\n');
	json_object *obj;

	cr_assert_not_null(tok);
	if (end)
		*end = 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, line, strlen(line));
	cr_assert_not_null(obj, "not JSON (%s): %s",
			   json_tokener_error_desc(json_tokener_get_error(tok)), line);
	cr_assert_eq(json_tokener_get_parse_end(tok), strlen(line), "after the JSON: %s", line);
	json_tokener_free(tok);
	return obj;
}

/* The one event `events --json --count 1` prints, parsed; @line keeps its text. */
static json_object *one_event(char *line, size_t size)
{
	json_object *ev;
	char *p;

	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	p = v_out[0] == '{' ? v_out : strstr(v_out, "\n{");
	cr_assert_not_null(p, "no JSON line: %s", v_out);
	p += *p == '\n';
	ev = parse_line(p);
	snprintf(line, size, "%s", p);
	return ev;
}

static const char *field(json_object *obj, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(obj, key, &v), "no \"%s\": %s", key,
		  json_object_to_json_string(obj));
	return json_object_get_string(v);
}

/* Lowercase hex of @n bytes into @out. */
static const char *hex(const char *bytes, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)bytes[i]);
	out[2 * n] = 0;
	return out;
}

Test(observe, a_hostile_comm_cannot_forge_the_json_event)
{
	/* --comm argument (\xNN decoded), the bytes the kernel keeps, their text. */
	static const struct {
		const char *arg, *bytes, *text;
	} names[] = {
		{ "x\"y\\z", "x\"y\\z", "x\"y\\x5cz" },
		{ "a\",\"reason\":\"owner", "a\",\"reason\":\"ow", "a\",\"reason\":\"ow" },
		{ "\\x01\n\\xff\\xc3\\xa9\"}", "\x01\n\xff\xc3\xa9\"}",
		  "\\x01\\x0a\\xff\\xc3\\xa9\"}" },
	};
	char line[4096], want[64];
	json_object *ev;
	size_t i;

	/* Every event, not one per interval: each comm must come out. */
	s_start("version: 1\nevents: { rate: all }\n" S_CONTAINERS S_ENDPOINTS S_GRANTS, 0);
	s_listen(S_SOCK, NULL);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--comm", names[i].arg, NULL), EPERM);
		ev = one_event(line, sizeof(line));
		cr_assert_str_eq(field(ev, "comm"), names[i].text, "%s", line);
		cr_assert_str_eq(field(ev, "comm_hex"),
				 hex(names[i].bytes, strlen(names[i].bytes), want), "%s", line);
		cr_assert_str_eq(field(ev, "container"), "bad", "%s", line);
		cr_assert_str_eq(field(ev, "reason"), "no-grant", "%s", line);
		cr_assert_str_eq(field(ev, "name"), S_SOCK, "%s", line);
		cr_assert_eq(v_occurrences(line, "\"reason\":"), 1, "%s", line);
		json_object_put(ev);
	}
}

Test(observe, a_newline_in_comm_cannot_forge_a_text_line)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--comm", "ev\nallow x", NULL), EPERM);
	cr_assert_eq(v_loader("events", "--count", "1", "--timeout", "5", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "(ev\\x0aallow\\x20x)"), "%s", v_out);
	cr_assert_eq(v_occurrences(v_out, "\n"), 1, "one line: %s", v_out);
}

/* An unregistered abstract name with a quote, a backslash, a NUL, control
 * bytes, UTF-8 and a byte that is not UTF-8, as the probe writes it.
 */
#define HOSTILE_ABS "@q\"\\x5c\\x00\\x01\\x0a\\xc3\\xa9\\xffz"

Test(observe, a_hostile_endpoint_name_round_trips_in_json)
{
	char line[4096];
	json_object *ev;

	s_start("version: 1\n"
		"containers:\n"
		"  srv: { cgroup: vipc-test/srv }\n"
		"  cli: { cgroup: vipc-test/cli }\n"
		"  bad: { cgroup: vipc-test/bad, unknown: deny }\n" S_ENDPOINTS, 1);
	s_listen(HOSTILE_ABS, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", HOSTILE_ABS, NULL), EPERM);
	ev = one_event(line, sizeof(line));
	cr_assert_str_eq(field(ev, "name"), HOSTILE_ABS, "%s", line);
	cr_assert_str_eq(field(ev, "name_hex"), "71225c00010ac3a9ff7a", "%s", line);
	cr_assert_str_eq(field(ev, "reason"), "unknown-deny", "%s", line);
	json_object_put(ev);
}

Test(observe, a_hostile_registered_address_round_trips_in_ls_and_events)
{
	char line[4096], *p;
	json_object *ls, *ep, *ev;
	size_t i;

	s_start(S_POLICY, 1);
	cr_assert_eq(v_loader("endpoint", "add", "weird", "srv", "@q\"\\\x01\n\xc3\xa9\xff", NULL),
		     0, "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, " @q\"\\x5c\\x01\\x0a\\xc3\\xa9\\xff\n"), "%s", v_out);
	cr_assert_eq(v_occurrences(v_out, "\n"), 4, "one line per endpoint: %s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	p = strchr(v_out, '[');
	cr_assert_not_null(p, "%s", v_out);
	ls = parse_line(p);
	for (i = 0, ep = NULL; i < json_object_array_length(ls); i++)
		if (!strcmp(field(json_object_array_get_idx(ls, i), "name"), "weird"))
			ep = json_object_array_get_idx(ls, i);
	cr_assert_not_null(ep, "no endpoint weird: %s", v_out);
	cr_assert_str_eq(field(ep, "address"), "@q\"\\x5c\\x01\\x0a\\xc3\\xa9\\xff");
	cr_assert_str_eq(field(ep, "address_hex"), "71225c010ac3a9ff");
	json_object_put(ls);

	s_listen("@q\"\\x5c\\x01\\x0a\\xc3\\xa9\\xff", NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", "@q\"\\x5c\\x01\\x0a\\xc3\\xa9\\xff", NULL), EPERM);
	ev = one_event(line, sizeof(line));
	cr_assert_str_eq(field(ev, "name"), "@q\"\\x5c\\x01\\x0a\\xc3\\xa9\\xff", "%s", line);
	cr_assert_str_eq(field(ev, "name_hex"), "71225c010ac3a9ff", "%s", line);
	cr_assert_str_eq(field(ev, "reason"), "no-grant", "%s", line);
	cr_assert_neq(json_object_get_int(json_object_object_get(ev, "endpoint_id")), 0, "%s", line);
	json_object_put(ev);
}

/* A reader started before a reload names a container the reload kept: ids
 * survive a reload, names follow the slot live when an event is printed.
 */
Test(observe, a_reader_started_before_a_reload_names_the_containers_it_kept)
{
	const char *argv[] = { V_LOADER, "events", "--json", "-i", "200", "--timeout", "60", NULL };
	const char *path;
	char out[65536];
	pid_t ev;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	/* Its first snapshot: the reader has opened the pinned state. */
	ev = h_spawn(NULL, argv, "{\"decisions\":");
	cr_assert_gt(ev, 0, "events did not start");
	path = v_policy_file(S_POLICY);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(h_spawn_expect(ev, "\"type\":\"deny\"", 5000), 0, "no deny event");
	h_spawn_output(ev, out, sizeof(out));
	cr_assert(strstr(out, "\"type\":\"deny\",\"ts_ns\":"), "%s", out);
	cr_assert(strstr(out, "\"container\":\"bad\",\"cgroup_id\":"), "named: %s", out);
	cr_assert_null(strstr(out, "\"container\":\"#"), "bad is live, not removed: %s", out);
	cr_assert_eq(h_spawn_stop(ev), 0);
}

/* `#id` stays for what is really gone: an event of a container a reload
 * removed, read afterwards.
 */
Test(observe, an_event_of_a_removed_container_names_its_id)
{
	const char *path;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	path = v_policy_file("version: 1\n"
			     "containers:\n"
			     "  srv: { cgroup: vipc-test/srv }\n"
			     "  cli: { cgroup: vipc-test/cli }\n" S_ENDPOINTS);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "5", NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "\"container\":\"#3\""), "%s", v_out);
}

static void assert_counter(const char *field, unsigned long long want)
{
	cr_assert_eq(v_stat(field), want, "loader: %s", field);
	cr_assert_eq(v_bpftool_stat("vipc_stats", field), want, "bpftool: %s", field);
}

/* The line of `status --json` in v_out, parsed. */
static json_object *status_doc(void)
{
	char *p;

	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	p = v_out[0] == '{' ? v_out : strstr(v_out, "\n{");
	cr_assert_not_null(p, "no JSON line: %s", v_out);
	return parse_line(p + (*p == '\n'));
}

static unsigned long long u64_field(json_object *obj, const char *key)
{
	return strtoull(field(obj, key), NULL, 10);
}

Test(observe, events_lost_to_a_full_ring_buffer_are_a_status_warning)
{
	const char *flood[] = { V_PROBE, "loop", S_SOCK, "2", NULL };
	unsigned long long dropped;
	char want[160];
	json_object *doc;
	pid_t pid;

	/* Phase 1: every event, nobody reading, a burst of denies: the ring fills. */
	s_start("version: 1\nevents: { rate: all }\n" S_CONTAINERS S_ENDPOINTS S_GRANTS, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "events_dropped"), "nothing lost yet: %s", v_out);
	pid = h_container_spawn(sc.bad, flood, NULL);
	cr_assert_gt(pid, 0);
	cr_assert_eq(h_spawn_wait(pid, 20000), 0, "the connect loop was held up");
	dropped = v_stat_total("events_dropped");
	cr_assert_gt(dropped, 0, "the burst did not fill the ring buffer");

	/* Phase 2: status says how many, what they were and what to do. */
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "vipc: events_dropped %llu: deny and would-deny events lost "
		 "to a full ring buffer", dropped);
	cr_assert(strstr(v_out, want), "%s expected: %s", want, v_out);
	cr_assert(strstr(v_out, "vipc-loader events"), "who reads them: %s", v_out);
	cr_assert(strstr(v_out, "events: { rate: }"), "how to send fewer: %s", v_out);
	doc = status_doc();
	cr_assert_eq(u64_field(doc, "events_dropped"), dropped, "%s", v_out);
	cr_assert_eq(u64_field(doc, "snapshots_dropped"), v_stat_total("snapshots_dropped"), "%s",
		     v_out);
	cr_assert_eq(u64_field(doc, "decisions_missed"), 0, "%s", v_out);
	json_object_put(doc);
}

Test(observe, exact_counters_after_a_known_sequence)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	s_listen("/shared/other.sock", NULL);
	/* granted: 2 lookups 2 hits; denied: 2 lookups 1 hit; owner: 1 and 1;
	 * unknown: 1 lookup 0 hits; granted sendto: 2 and 2.
	 */
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.srv, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/other.sock", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "x", NULL), 0);
	assert_counter("lookups", 8);
	assert_counter("hits", 6);
	assert_counter("allowed", 4);
	assert_counter("denied_no_grant", 1);
	assert_counter("denied_no_perm", 0);
	assert_counter("denied_revoked", 0);
	assert_counter("audited", 0);
	assert_counter("events_dropped", 0);
	cr_assert_eq(v_stat("hit_rate"), 75);
	cr_assert_eq(v_bpftool_stat("vipc_registry", "containers_added"), 3);
	cr_assert_eq(v_bpftool_stat("vipc_registry", "endpoints_created"), 3);
	cr_assert_eq(v_bpftool_stat("vipc_registry", "grants_issued"), 3);
	cr_assert_eq(v_bpftool_stat("vipc_registry", "policy_loads"), 1);
}

Test(observe, kernel_timer_streams_statistics_snapshots)
{
	int lines = 0;
	const char *p;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("events", "--json", "-i", "100", "--timeout", "1", NULL), 0, "%s",
		     v_out);
	for (p = v_out; (p = strstr(p, "\"decisions\":")); p++)
		lines++;
	cr_assert_geq(lines, 5, "about ten snapshots in a second at 100 ms: %s", v_out);
	cr_assert(strstr(v_out, "\"denied_no_grant\":1"), "%s", v_out);
}

Test(observe, foreground_loader_streams_then_leaves_enforcement_on)
{
	const char *path = v_policy_file(S_POLICY);
	const char *argv[] = { V_LOADER, "-c", path, "-i", "200", NULL };
	char status[4096], line[256];
	unsigned long long capeff = 1, capprm = 1;
	FILE *f;
	pid_t pid;

	v_require_root();
	pid = h_spawn(NULL, argv, "enforcing");
	unlink(path);
	cr_assert_gt(pid, 0, "foreground loader did not start");
	/* Once attached it keeps no capability. */
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	f = fopen(status, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "CapEff: %llx", &capeff);
		sscanf(line, "CapPrm: %llx", &capprm);
	}
	fclose(f);
	cr_assert_eq(capeff, 0, "effective capabilities after attach");
	cr_assert_eq(capprm, 0, "permitted capabilities after attach: none to take back");

	sc.srv = NULL;
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(h_spawn_expect(pid, "deny", 5000), 0, "the deny event was not shown");
	cr_assert_eq(h_spawn_expect(pid, "denied_no_grant", 5000), 0, "no snapshot shown");
	cr_assert_eq(h_spawn_stop(pid), 0, "Ctrl-C exits cleanly");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM, "still enforced");
}

/* The one JSON document among the lines of v_out (stderr's text around it),
 * checked to be {"error": @msg..., "exit": @status}.
 */
static void expect_error_doc(int status, const char *msg)
{
	char line[4096], *p = v_out[0] == '{' ? v_out : strstr(v_out, "\n{");
	json_object *doc, *v;

	cr_assert_not_null(p, "no JSON document: %s", v_out);
	snprintf(line, sizeof(line), "%s", p + (*p == '\n'));
	doc = parse_line(line);
	cr_assert(json_object_object_get_ex(doc, "exit", &v), "%s", line);
	cr_expect_eq(json_object_get_int(v), status, "%s", line);
	cr_assert(json_object_object_get_ex(doc, "error", &v), "%s", line);
	cr_expect(!strncmp(json_object_get_string(v), msg, strlen(msg)), "%s", line);
	json_object_put(doc);
}

/* Under --json every failure is a document on stdout, with its exit status:
 * bad usage, a name not registered, too few events, vipc not loaded; a
 * denied check prints its decision and no error.
 */
Test(observe, every_failure_under_json_is_a_json_document)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("grant", "cli", "sock", "--json", NULL), VIPC_EXIT_USAGE, "%s", v_out);
	expect_error_doc(VIPC_EXIT_USAGE, "grant does not take --json");
	cr_assert_eq(v_loader("check", "nobody", "sock", "connect", "--json", NULL),
		     VIPC_EXIT_NOT_FOUND, "%s", v_out);
	expect_error_doc(VIPC_EXIT_NOT_FOUND, "check: ");
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "1", NULL),
		     VIPC_EXIT_DENIED, "%s", v_out);
	expect_error_doc(VIPC_EXIT_DENIED, "events: fewer than 1 events within 1 s");
	cr_assert_eq(v_loader("check", "bad", "sock", "connect", "--json", NULL), VIPC_EXIT_DENIED,
		     "%s", v_out);
	cr_expect(!strstr(v_out, "\"error\""), "a decision, not an error: %s", v_out);
	cr_expect(strstr(v_out, "\"allowed\":false"), "%s", v_out);
	v_unload();
	cr_assert_eq(v_loader("status", "--json", NULL), VIPC_EXIT_NOT_LOADED, "%s", v_out);
	expect_error_doc(VIPC_EXIT_NOT_LOADED, "vipc is not loaded");
}
