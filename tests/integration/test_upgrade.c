// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Upgrades across ABI versions with no gap in enforcement: a previous
 * release enforcing (built from git: 0.8.0, ABI 9; 0.7.0, ABI 8), this
 * release's load, or its daemon's start, replaces it in place while a
 * container no grant lets in connects in a loop (never let through) and a
 * granted one keeps connecting (never refused); afterwards one instance of
 * this release's ABI, no link of the old one. A downgrade (from this tree
 * at the next ABI) the same; without a policy file it is refused. The
 * crash suite kills upgrades midway (test_crash).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "daemon.h"
#include "fixture.h"
#include "instance.h"
#include "scene.h"
#include "state.h"

TestSuite(upgrade, .init = s_init, .fini = s_fini, .timeout = 180);

#define V_0_8 "d0d61f7" /* 0.8.0, ABI 9 */
#define V_0_7 "f04a9f7" /* 0.7.0, ABI 8 */
#define SETTLE_US 300000 /* the loops run this long before and after */

/* @old's instance enforcing S_POLICY, srv listening, bad and cli in their
 * loops (cli's connects fork srv's listener: paced).
 */
static void start(const char *old, pid_t *bad, pid_t *cli)
{
	s_start_by(old, S_POLICY, 0, NULL);
	s_listen(S_SOCK, NULL);
	*bad = s_loop_start(sc.bad, 0);
	*cli = s_loop_start(sc.cli, 1000);
	usleep(SETTLE_US);
}

/* This release's @cmd (-c the policy) replaces the instance pinned: it says
 * so, and leaves one instance of its ABI, no link of the old one.
 */
static void upgrade_by(const char *cmd)
{
	__u32 old[V_MAX_LINKS];
	int n = v_pinned_links(VIPC_PIN_DIR, old), rc;

	cr_assert_gt(n, 0);
	rc = v_loader(cmd, "-c", v_policy_file(S_POLICY), NULL);
	cr_assert_eq(rc, 0, "%s: %s", cmd, v_out);
	cr_assert(strstr(v_out, "upgrading the instance pinned at " VIPC_PIN_DIR), "%s", v_out);
	v_assert_one_instance(VIPC_ABI_VERSION, old, n);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
}

/* Has @pid exited (gone, or a zombie its reaper has not collected yet),
 * within 2 s?
 */
static bool exited(pid_t pid)
{
	char path[64], stat[256] = "", *state;
	int tries;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (tries = 0; tries < h_scale_ms(200); tries++, usleep(10 * 1000)) {
		f = fopen(path, "r");
		if (!f)
			return true;
		stat[fread(stat, 1, sizeof(stat) - 1, f)] = 0;
		fclose(f);
		state = strrchr(stat, ')');
		if (state && state[1] == ' ' && state[2] == 'Z')
			return true;
	}
	return false;
}

/* @old's instance replaced by this release's load under the loops. */
static void load_replaces(const char *old)
{
	pid_t bad, cli;

	start(old, &bad, &cli);
	upgrade_by("load");
	usleep(SETTLE_US);
	s_loops_check(bad, cli, "upgrade");
}

Test(upgrade, a_load_replaces_0_8_and_lets_nothing_through)
{
	load_replaces(v_other_loader(V_0_8));
}

Test(upgrade, a_downgrade_replaces_a_higher_abi)
{
	load_replaces(v_other_loader(NULL));
}

Test(upgrade, the_daemon_replaces_0_7_and_its_watcher)
{
	const char *old = v_other_loader(V_0_7);
	const char *argv[] = { old, "--detach", "-c", NULL, NULL };
	pid_t bad, cli, watcher;

	/* 0.7.0's watcher serves its instance; this release's --detach takes over. */
	start(old, &bad, &cli);
	argv[3] = v_policy_file(S_POLICY);
	cr_assert_eq(h_run(argv, v_out, sizeof(v_out)), 0, "%s", v_out);
	watcher = vipc_daemon_running();
	cr_assert_gt(watcher, 0, "0.7.0's watcher is not running");
	upgrade_by("--detach");
	cr_assert(exited(watcher), "0.7.0's watcher %d still runs", watcher);
	cr_assert_gt(vipc_daemon_running(), 0, "no watcher after the upgrade");
	cr_assert_neq(vipc_daemon_running(), watcher);
	usleep(SETTLE_US);
	s_loops_check(bad, cli, "upgrade");
}

Test(upgrade, without_a_policy_file_it_is_refused_and_the_old_one_stays)
{
	const char *old = v_other_loader(V_0_8);
	int abi;

	s_start_by(old, S_POLICY, 0, NULL);
	s_listen(S_SOCK, NULL);
	abi = vipc_pinned_abi(VIPC_PIN_DIR);
	cr_assert_eq(v_loader("load", NULL), VIPC_EXIT_INCOMPATIBLE, "%s", v_out);
	cr_assert(strstr(v_out, "-c FILE to upgrade it in place"), "%s", v_out);
	cr_assert_eq(vipc_pinned_abi(VIPC_PIN_DIR), abi);
	cr_assert(access(VIPC_NEW_DIR, F_OK) && errno == ENOENT, VIPC_NEW_DIR " is left");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
}
