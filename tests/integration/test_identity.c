// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Containers are identities bound to cgroups: a policy naming a cgroup not
 * made yet loads and binds it when runc makes it, a restart at the same
 * path is confined again with no window, an owner's restart keeps its
 * endpoints, containers added by cgroup at run time go with it, every
 * binding and unbinding is an event and a counter, and a process (or a
 * socket) in a cgroup any number of levels below a bound one is its
 * nearest bound ancestor's.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(identity, .init = s_init, .fini = s_fini, .timeout = 240);

/* Restarts and new replicas in the no-window tests: the 50 and 20
 * in a full run (h_runs).
 */
#define RESTARTS h_runs(50)

static struct h_container *start(const char *name, const char *const *argv)
{
	struct h_container_opts o = { .name = name, .shared_dir = sc.shared, .argv = argv };
	struct h_container *c = h_container_start(&o);

	cr_assert_not_null(c, "container %s did not start", name);
	return c;
}

/* runc delete, then runc run at the same cgroupsPath: a new cgroup there. */
static struct h_container *restart(struct h_container *c, const char *name)
{
	char rel[64];
	unsigned long long before;

	snprintf(rel, sizeof(rel), "vipc-test/%s", name);
	before = h_cgroup_id(rel);
	h_container_destroy(c);
	c = start(name, NULL);
	cr_assert_neq(h_cgroup_id(rel), before, "runc made %s a new cgroup", rel);
	return c;
}

/* `container ls --json` has @text in it. */
static void expect_ls(const char *text)
{
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, text), "want %s in %s", text, v_out);
}

Test(identity, policy_naming_a_cgroup_not_made_yet_binds_it_when_made)
{
	char bound[128];
	struct h_container *late;

	s_start("version: 1\n" S_CONTAINERS "  late: { cgroup: vipc-test/late }\n" S_ENDPOINTS, 0);
	expect_ls("\"name\":\"late\",\"id\":4,\"mode\":\"enforce\",\"unknown\":\"allow\","
		  "\"selector\":\"cgroup /vipc-test/late\",\"runtime\":false,\"cgroups\":[]}");
	s_listen(S_SOCK, NULL);
	late = start("late", NULL);
	cr_assert_eq(s_probe(late, "connect", S_SOCK, NULL), EPERM);
	snprintf(bound, sizeof(bound), "\"cgroups\":[{\"path\":\"/vipc-test/late\",\"id\":%llu}]",
		 h_cgroup_id("vipc-test/late"));
	expect_ls(bound);
}

Test(identity, restart_at_the_same_cgroup_path_stays_denied)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	sc.bad = restart(sc.bad, "bad");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	sc.cli = restart(sc.cli, "cli");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0, "cli keeps its grant");
	cr_assert_eq(v_stat("denied_no_grant"), 2);
}

Test(identity, owner_restart_keeps_its_endpoints_closed_to_others)
{
	s_start(S_POLICY, 0);
	sc.srv = restart(sc.srv, "srv");
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"sock\",\"id\":1,\"owner\":\"srv\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"dgram\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"name\":\"abs\""), "%s", v_out);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.srv, "connect", S_SOCK, NULL), 0, "the owner reaches its own");
	cr_assert_eq(v_stat("endpoints_destroyed"), 0);
	cr_assert_eq(v_stat("grants_revoked"), 0);
}

/* The loop's "ok=N eperm=N other=N", once its container's init printed it. */
static void loop_counts(struct h_container *c, unsigned long *ok, unsigned long *eperm)
{
	char out[4096], *line = NULL;
	int i;

	for (i = 0; i < h_scale_ms(10000) / 20 && !line; i++) {
		h_container_log(c, out, sizeof(out));
		line = strstr(out, "ok=");
		if (!line)
			usleep(20 * 1000);
	}
	cr_assert_not_null(line, "no loop result from the container: %s", out);
	cr_assert_eq(sscanf(line, "ok=%lu eperm=%lu", ok, eperm), 2, "%s", line);
}

/* The container's init connects from its first instruction on, in a fresh
 * cgroup each time: the cgroup is bound before its first process runs.
 */
Test(identity, no_window_across_fifty_restarts, .timeout = 900)
{
	const char *const loop[] = { V_PROBE, "loop", S_SOCK, "0.2", NULL };
	unsigned long ok, eperm, total = 0;
	struct h_container *c;
	int i;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	h_container_destroy(sc.bad);
	sc.bad = NULL;
	for (i = 0; i < RESTARTS; i++) {
		c = start("bad", loop);
		loop_counts(c, &ok, &eperm);
		h_container_destroy(c);
		cr_assert_eq(ok, 0, "restart %d: %lu connects got through", i, ok);
		cr_assert_gt(eperm, 0, "restart %d: no connect tried", i);
		total += eperm;
	}
	cr_assert_eq(v_stat("cgroups_bound"), 3 + RESTARTS);
	cr_assert_eq(v_stat("cgroups_unbound"), 1 + RESTARTS);
	cr_assert_eq(v_stat("denied_no_grant"), total);
}

Test(identity, container_added_by_cgroup_goes_with_its_cgroup)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(h_cgroup_make("vipc-test/seed"), 0);
	cr_assert_eq(v_loader("container", "add", "seed", "--cgroup", "vipc-test/seed", NULL), 0,
		     "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "add", "own", "seed", "/shared/seed.sock", NULL), 0,
		     "%s", v_out);
	expect_ls("\"selector\":\"cgroup /vipc-test/seed\",\"runtime\":true,");
	cr_assert_eq(h_cgroup_remove("vipc-test/seed"), 0);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "\"name\":\"seed\""), "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "\"name\":\"own\""), "%s", v_out);
	cr_assert_eq(v_stat("containers_removed"), 1);
	cr_assert_eq(v_stat("endpoints_destroyed"), 1);

	/* Nothing selects its path: a new cgroup there is not bound. */
	cr_assert_eq(h_cgroup_make("vipc-test/seed"), 0);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "\"name\":\"seed\""), "%s", v_out);
	cr_assert_eq(v_stat("cgroups_bound"), 4, "three by the policy, one by container add");
}

Test(identity, binding_and_unbinding_are_events_and_counters)
{
	const char *const events[] = { V_LOADER, "events", "--json", "--timeout", "120", NULL };
	char want[256];
	pid_t ev;

	s_start(S_POLICY, 0);
	cr_assert_eq(v_stat("cgroups_bound"), 3, "the policy bound the three cgroups there");
	cr_assert_eq(v_stat("cgroups_unbound"), 0);
	ev = h_spawn(NULL, events, NULL);
	cr_assert_gt(ev, 0);
	sc.bad = restart(sc.bad, "bad");
	cr_assert_eq(h_spawn_expect(ev, "{\"type\":\"cgroup-unbound\",", h_scale_ms(5000)), 0);
	cr_assert_eq(h_spawn_expect(ev, "{\"type\":\"cgroup-bound\",", h_scale_ms(5000)), 0);
	snprintf(want, sizeof(want), "\"container\":\"bad\",\"container_id\":3,\"cgroup_id\":%llu,"
		 "\"path\":\"/vipc-test/bad\"}", h_cgroup_id("vipc-test/bad"));
	cr_assert_eq(h_spawn_expect(ev, want, h_scale_ms(5000)), 0, "the bound event names it");
	h_spawn_stop(ev);
	cr_assert_eq(v_stat("cgroups_bound"), 4);
	cr_assert_eq(v_stat("cgroups_unbound"), 1);
	cr_assert_eq(v_stat("containers_removed"), 0);
}

Test(identity, reload_keeps_ids_and_the_container_limit_holds)
{
	const char *reordered = "version: 1\ncontainers:\n  bad: { cgroup: vipc-test/bad }\n"
				"  srv: { cgroup: vipc-test/srv }\n  cli: { cgroup: vipc-test/cli }\n";

	v_require_root();
	cr_assert_eq(v_loader("load", "--max-containers", "3", "-c", v_policy_file(S_POLICY), NULL),
		     0, "%s", v_out);
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(reordered), NULL), 0, "%s", v_out);
	expect_ls("\"name\":\"bad\",\"id\":3,");
	expect_ls("\"name\":\"srv\",\"id\":1,");
	cr_assert_eq(v_loader("reload", "-c",
			      v_policy_file("version: 1\n" S_CONTAINERS
					    "  late: { cgroup: vipc-test/late }\n"), NULL),
		     VIPC_EXIT_FULL, "%s", v_out);
	cr_assert(strstr(v_out, "the containers table is full (3 per slot); raise it with "
			 "--max-containers"), "%s", v_out);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert_null(strstr(v_out, "\"name\":\"late\""), "%s", v_out);
}

/* ---- glob selectors ---- */

#define GLOB_STARTS h_runs(20)
#define S_WEB_GLOB "  web: { cgroup: \"vipc-test/web-*\" }\n"

/* A container named @name in cgroup vipc-test/@name, running @argv. */
static struct h_container *start_at(const char *name, const char *const *argv)
{
	char rel[64];
	struct h_container_opts o = { .name = name, .cgroup = rel, .shared_dir = sc.shared,
				      .argv = argv };
	struct h_container *c;

	snprintf(rel, sizeof(rel), "vipc-test/%s", name);
	c = h_container_start(&o);
	cr_assert_not_null(c, "container %s did not start", name);
	return c;
}

/* `container ls --json` lists cgroup vipc-test/@name among the bindings. */
static void expect_bound(const char *name)
{
	char rel[64], want[128];

	snprintf(rel, sizeof(rel), "vipc-test/%s", name);
	snprintf(want, sizeof(want), "{\"path\":\"/%s\",\"id\":%llu}", rel, h_cgroup_id(rel));
	expect_ls(want);
}

Test(identity, glob_binds_replicas_at_mkdir_and_not_others)
{
	const char *const names[] = { "web-1", "web-2", "web-3" };
	struct h_container *web[3], *other;
	int i;

	s_start("version: 1\n" S_CONTAINERS S_WEB_GLOB S_ENDPOINTS, 0);
	expect_ls("\"name\":\"web\",\"id\":4,\"mode\":\"enforce\",\"unknown\":\"allow\","
		  "\"selector\":\"glob /vipc-test/web-*\",\"runtime\":false,\"cgroups\":[]}");
	s_listen(S_SOCK, NULL);
	for (i = 0; i < 3; i++)
		web[i] = start_at(names[i], NULL);
	other = start_at("webx", NULL);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(s_probe(web[i], "connect", S_SOCK, NULL), EPERM, "%s", names[i]);
		expect_bound(names[i]);
	}
	/* webx matches no glob: no container, refused by sock's others: deny. */
	cr_assert_eq(s_probe(other, "connect", S_SOCK, NULL), EPERM, "webx");
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/webx", "sock", "connect", NULL),
		     VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert_str_eq(v_out, "deny (no-grant), no container\n", "webx does not match web-*");
	cr_assert_eq(v_loader("container", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "glob /vipc-test/web-*: /vipc-test/web-"), "%s", v_out);
	cr_assert_null(strstr(v_out, "webx"), "%s", v_out);
	cr_assert_eq(v_stat("cgroups_bound"), 6, "srv, cli, bad and the three replicas");
	cr_assert_eq(v_stat("denied_no_grant"), 4);
	for (i = 0; i < 3; i++)
		h_container_destroy(web[i]);
	h_container_destroy(other);
	cr_assert_eq(v_stat("cgroups_unbound"), 3);
}

/* New containers at new matching paths, each connecting from its init's
 * first instruction: every one is bound before its first process runs.
 */
Test(identity, no_window_for_new_containers_matching_a_glob, .timeout = 600)
{
	const char *const loop[] = { V_PROBE, "loop", S_SOCK, "0.2", NULL };
	unsigned long ok, eperm, total = 0;
	struct h_container *c;
	char name[32];
	int i;

	s_start("version: 1\n" S_CONTAINERS S_WEB_GLOB S_ENDPOINTS, 0);
	s_listen(S_SOCK, NULL);
	for (i = 0; i < GLOB_STARTS; i++) {
		snprintf(name, sizeof(name), "web-%d", i);
		c = start_at(name, loop);
		loop_counts(c, &ok, &eperm);
		h_container_destroy(c);
		cr_assert_eq(ok, 0, "%s: %lu connects got through", name, ok);
		cr_assert_gt(eperm, 0, "%s: no connect tried", name);
		total += eperm;
	}
	cr_assert_eq(v_stat("cgroups_bound"), 3 + GLOB_STARTS);
	cr_assert_eq(v_stat("denied_no_grant"), total);
}

/* Cgroups there before the policy are bound by it; an exact selector wins
 * over a glob; two globs on one existing cgroup refuse the policy.
 */
Test(identity, glob_binds_existing_cgroups_and_exact_wins)
{
	struct h_container *a;
	char want[256];

	v_require_root();
	cr_assert_eq(h_cgroup_make("vipc-test/web-a"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/bad"), 0);
	s_start("version: 1\n" S_CONTAINERS "  any: { cgroup: \"vipc-test/*\" }\n" S_ENDPOINTS, 0);
	a = start_at("web-a", NULL);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(a, "connect", S_SOCK, NULL), EPERM);
	expect_bound("web-a");
	expect_ls("\"name\":\"bad\",\"id\":3,\"mode\":\"enforce\",\"unknown\":\"allow\","
		  "\"selector\":\"cgroup /vipc-test/bad\",\"runtime\":false,\"cgroups\":[{");
	snprintf(want, sizeof(want), "\"selector\":\"glob /vipc-test/*\",\"runtime\":false,"
		 "\"cgroups\":[{\"path\":\"/vipc-test/web-a\",\"id\":%llu}]}",
		 h_cgroup_id("vipc-test/web-a"));
	expect_ls(want);
	sc.bad = restart(sc.bad, "bad");
	expect_bound("bad");
	expect_ls(want);
	cr_assert_eq(v_loader("reload", "-c",
			      v_policy_file("version: 1\n" S_CONTAINERS S_WEB_GLOB
					    "  a2: { cgroup: \"vipc-test/*-a\" }\n"), NULL),
		     VIPC_EXIT_USAGE, "%s", v_out);
	cr_assert(strstr(v_out, "container 'a2': cgroup /vipc-test/web-a matches container "
			 "'web''s glob too"), "%s", v_out);
	h_container_destroy(a);
}

/* A full bindings table cannot veto a mkdir: what it leaves unconfined is
 * counted (cgroups_unbindable), sent as an event and warned of by
 * `status`, never silent.
 */
Test(identity, a_full_bindings_table_counts_and_warns_of_what_it_leaves_unconfined)
{
	char rel[64];
	int i;

	v_require_root();
	cr_assert_eq(v_loader("load", "--max-containers", "2", "-c",
			      v_policy_file("version: 1\ncontainers:\n" S_WEB_GLOB), NULL),
		     0, "%s", v_out);
	for (i = 0; i < 6; i++) {
		snprintf(rel, sizeof(rel), "vipc-test/web-%d", i);
		cr_assert_eq(h_cgroup_make(rel), 0);
	}
	/* 2 x 2 entries, the slots' together; the idle slot watches nothing after a load. */
	cr_assert_eq(v_stat("cgroups_bound"), 4);
	cr_assert_eq(v_stat("cgroups_unbindable"), 2);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "2 selected cgroups were left unconfined: the bindings table is "
			 "full; raise it with --max-containers"), "%s", v_out);
}

/* ---- depth: every level up to the root is looked up ---- */

/* @top and @levels more components "c" below it, in @buf. */
static const char *below(char *buf, size_t size, const char *top, int levels)
{
	int n = snprintf(buf, size, "%s", top);

	while (levels-- > 0 && n + 2 < (int)size)
		n += snprintf(buf + n, size - n, "/c");
	return buf;
}

/* The policy of the scene with @extra containers and @grants (printf
 * formats with one %s: @path), in @buf.
 */
static const char *policy_with(char *buf, size_t size, const char *extra, const char *grants,
			       const char *path)
{
	char more[512];

	snprintf(more, sizeof(more), extra, path);
	snprintf(buf, size, "version: 1\n" S_CONTAINERS "%s" S_ENDPOINTS S_GRANTS "%s", more,
		 grants);
	return buf;
}

/* @c's process moved into @rel, connecting to sock: its exit status. */
static int connect_from(struct h_container *c, const char *rel)
{
	return h_spawn_wait(s_spawn_moved(c, rel, V_PROBE " connect " S_SOCK), h_scale_ms(10000));
}

/* A container whose cgroup is 34 levels deep, without a grant: processes
 * 40 levels below it (their cgroups made before the policy) and 100 levels
 * below it (made after) are that container.
 */
Test(identity, processes_far_below_a_container_bound_deep_are_that_container)
{
	char top[256], rel40[PATH_MAX], rel100[PATH_MAX], policy[2048];

	v_require_root();
	below(top, sizeof(top), "vipc-test/deep", 32);
	cr_assert_eq(h_cgroup_make(below(rel40, sizeof(rel40), top, 40)), 0);
	s_start(policy_with(policy, sizeof(policy), "  deep: { cgroup: %s }\n", "", top), 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(h_cgroup_make(below(rel100, sizeof(rel100), top, 100)), 0);
	cr_assert_eq(connect_from(sc.cli, rel40), EPERM, "40 levels below deep");
	cr_assert_eq(connect_from(sc.cli, rel100), EPERM, "100 levels below deep");
	cr_assert_eq(v_stat("denied_no_grant"), 2, "decided as deep, not unconfined");
	cr_assert_eq(v_stat("allowed"), 0);
}

/* A granted container bound 35 levels deep inside bad: a process 100
 * levels below it is that container (allowed), not bad.
 */
Test(identity, the_nearest_bound_ancestor_is_the_container_at_any_depth)
{
	char top[256], rel[PATH_MAX], policy[2048];

	v_require_root();
	below(top, sizeof(top), "vipc-test/bad", 32);
	s_start(policy_with(policy, sizeof(policy), "  inner: { cgroup: %s }\n",
			    "  - { container: inner, endpoint: sock, allow: [connect] }\n", top),
		0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(h_cgroup_make(below(rel, sizeof(rel), top, 100)), 0);
	cr_assert_eq(connect_from(sc.bad, rel), 0, "decided as inner");
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 0);
}

/* srv's listener runs 100 levels below srv: the socket it binds is srv's
 * (on the LSM backend, not an impostor's), so cli reaches it and bad does not.
 */
Test(identity, a_socket_made_far_below_its_owner_is_the_owners)
{
	char rel[PATH_MAX];
	pid_t srv;

	s_start(S_POLICY, 0);
	cr_assert_eq(h_cgroup_make(below(rel, sizeof(rel), "vipc-test/srv", 100)), 0);
	srv = s_spawn_moved(sc.srv, rel, V_PROBE " listen " S_SOCK);
	cr_assert_eq(h_spawn_expect(srv, "ready", h_scale_ms(10000)), 0, "srv's listener");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--send", "deep", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat_total("denied_impostor"), 0);
	cr_assert_eq(v_stat("allowed"), 1);
}
