// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Observability: audit mode, deny events on the ring buffer, exact counters
 * through the loader and through bpftool, in-kernel snapshots, and the
 * foreground loader.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
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

static void assert_counter(const char *field, unsigned long long want)
{
	cr_assert_eq(v_stat(field), want, "loader: %s", field);
	cr_assert_eq(v_bpftool_stat("vipc_stats", field), want, "bpftool: %s", field);
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
