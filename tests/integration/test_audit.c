// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* From audit to policy with real containers: bad, in audit mode, makes
 * calls it has no grant for; `events --json` records them; `suggest
 * --policy` turns the record into a policy that `reload -c` applies; with
 * bad switched to enforce, the recorded calls are allowed and a call that
 * was not recorded is still denied. Live, `suggest --timeout` reads the
 * ring buffer and writes a fragment against the loaded registry, as live
 * at its end, whatever reload came meanwhile.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(audit, .init = s_init, .fini = s_fini, .timeout = 120);

/* The scene's policy with bad in audit mode and granted nothing. */
#define AUDIT_POLICY                                                \
	"version: 1\n"                                              \
	"containers:\n"                                             \
	"  srv: { cgroup: vipc-test/srv }\n"                        \
	"  cli: { cgroup: vipc-test/cli }\n"                        \
	"  bad: { cgroup: vipc-test/bad, mode: audit }\n" S_ENDPOINTS \
	"grants:\n"                                                 \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"

/* Run @cmd with sh, its stdout into the file @path: the exit status. */
static int sh_to(const char *cmd, const char *path)
{
	char line[4096], out[4096];
	const char *argv[] = { "sh", "-c", line, NULL };

	snprintf(line, sizeof(line), "%s >%s", cmd, path);
	return h_run(argv, out, sizeof(out));
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Lines of @text holding @needle. */
static int count_lines(const char *text, const char *needle)
{
	const char *p = text;
	int n = 0;

	for (; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

Test(audit, the_suggested_policy_allows_what_the_audit_recorded_and_nothing_more)
{
	char cmd[1024], log[256], pol[256], next[256], enforced[65536], *text, *mode;

	snprintf(log, sizeof(log), "%s/audit.jsonl", h_tmpdir());
	snprintf(pol, sizeof(pol), "%s/policy.yaml", h_tmpdir());
	snprintf(next, sizeof(next), "%s/next.yaml", h_tmpdir());
	write_file(pol, AUDIT_POLICY);

	/* Phase 1: in audit mode, bad's three connects get through and are recorded. */
	s_start(AUDIT_POLICY, 0);
	s_listen(S_SOCK, NULL);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--send", "hi", NULL), 0);
	cr_assert_eq(v_stat("audited"), 3);
	/* The kernel sends the first of them and, at its interval's end (1 s
	 * by default), a summary of the two it suppressed.
	 */
	snprintf(cmd, sizeof(cmd), "%s events --json --timeout 3", V_LOADER);
	cr_assert_eq(sh_to(cmd, log), 0, "%s", slurp(log));
	cr_assert_eq(count_lines(slurp(log), "\"type\":\"would-deny\""), 1, "%s", slurp(log));
	cr_assert_eq(count_lines(slurp(log), "\"type\":\"summary\""), 1, "%s", slurp(log));
	cr_assert(strstr(slurp(log), "\"suppressed\":2"), "%s", slurp(log));

	/* Phase 2: suggest merges the grant into the policy; reload takes it. */
	snprintf(cmd, sizeof(cmd), "%s suggest --from %s --policy %s", V_LOADER, log, pol);
	cr_assert_eq(sh_to(cmd, next), 0, "%s", slurp(next));
	text = slurp(next);
	cr_assert(strstr(text, "#   bad -> sock (/shared/s.sock): +connect [3 calls: 0 denied, "
			       "3 would-deny; no-grant 3]\n"), "%s", text);
	cr_assert(strstr(text, "- {container: bad, endpoint: sock, allow: [connect]}\n"), "%s",
		  text);
	cr_assert_eq(v_loader("reload", "-c", next, NULL), 0, "%s", v_out);

	/* Phase 3: the reviewer switches bad to enforce. */
	mode = strstr(text, "mode: audit");
	cr_assert_not_null(mode, "%s", text);
	snprintf(enforced, sizeof(enforced), "%.*smode: enforce%s", (int)(mode - text), text,
		 mode + strlen("mode: audit"));
	write_file(next, enforced);
	cr_assert(strstr(slurp(next), "bad: {cgroup: vipc-test/bad, mode: enforce}"), "%s",
		  slurp(next));
	cr_assert_eq(v_loader("reload", "-c", next, NULL), 0, "%s", v_out);

	/* Phase 4: the recorded call is allowed; a call not recorded is denied. */
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--send", "hi", NULL), 0);
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "ping", NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat("audited"), 3, "no more would-denies: bad is enforced");
}

Test(audit, live_events_make_a_fragment_against_the_registry)
{
	char cmd[1024], out[256], *text;

	snprintf(out, sizeof(out), "%s/fragment.yaml", h_tmpdir());
	s_start(AUDIT_POLICY, 0);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "ping", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "ping", NULL), EPERM, "enforced, no grant");
	/* The ring buffer holds the events until the live read takes them. */
	snprintf(cmd, sizeof(cmd), "%s suggest --timeout 2", V_LOADER);
	cr_assert_eq(sh_to(cmd, out), 0, "%s", slurp(out));
	text = slurp(out);
	cr_assert(strstr(text, "\ngrants:\n"
			       "- {container: bad, endpoint: dgram, allow: [send]}\n"
			       "- {container: cli, endpoint: dgram, allow: [send]}\n"), "%s", text);
	cr_assert(strstr(text, "#   bad -> dgram (/shared/d.sock): +send [1 call: 0 denied, "
			       "1 would-deny; no-grant 1]\n"), "%s", text);
}

/* Wait until @pid maps a BPF map: the loader maps the registry counters
 * once it has opened the pinned state and read the live slot.
 */
static void wait_opened(pid_t pid)
{
	char path[64], *maps = "";
	int i;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	for (i = 0; i < h_scale_ms(5000) / 10; i++, usleep(10000)) {
		maps = slurp(path);
		if (strstr(maps, "anon_inode:bpf-map"))
			return;
	}
	cr_assert_fail("pid %d never opened the pinned state: %s", (int)pid, maps);
}

/* `suggest --timeout 5` started and reading, @before, the scene's policy
 * reloaded, @after: the fragment grants @who send on dgram, and every
 * container it names is one the live policy has.
 */
static void suggest_over_a_reload(void (*before)(void), void (*after)(void), const char *who)
{
	const char *argv[] = { V_LOADER, "suggest", "--timeout", "5", NULL };
	char out[65536], want[128];
	const char *path;
	pid_t pid;

	s_start(AUDIT_POLICY, 0);
	s_listen(S_DGRAM, "--dgram");
	pid = h_spawn(NULL, argv, NULL);
	cr_assert_gt(pid, 0);
	wait_opened(pid);
	before();
	path = v_policy_file(AUDIT_POLICY);
	cr_assert_eq(v_loader("reload", "-c", path, NULL), 0, "%s", v_out);
	unlink(path);
	after();
	cr_assert_eq(h_spawn_wait(pid, 20000), 0);
	h_spawn_output(pid, out, sizeof(out));
	snprintf(want, sizeof(want),
		 "\ngrants:\n- {container: %s, endpoint: dgram, allow: [send]}\n", who);
	cr_assert(strstr(out, want), "%s", out);
	cr_assert_null(strstr(out, "Containers the policy does not have"), "%s", out);
}

static void nothing(void)
{
}

/* bad's would-deny, taken by the reader (it reads every 100 ms). */
static void bad_sends(void)
{
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "ping", NULL), 0);
	usleep(h_scale_ms(500) * 1000);
}

static void cli_sends(void)
{
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "ping", NULL), EPERM, "enforced, no grant");
}

Test(audit, a_live_suggest_names_the_containers_a_reload_kept)
{
	suggest_over_a_reload(nothing, cli_sends, "cli");
}

Test(audit, a_live_suggest_judges_by_the_registry_live_at_its_end)
{
	suggest_over_a_reload(bad_sends, nothing, "bad");
}
