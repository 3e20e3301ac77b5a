// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Registry operations through the CLI, seen by real connects: revoke,
 * generation bump, ownership, container removal, channels, check.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <linux/types.h>
#include "vipc.h"
#include "fixture.h"
#include "registry.h"
#include "scene.h"

TestSuite(registry, .init = s_init, .fini = s_fini, .timeout = 120);

#define BOTH_GRANTED                                                 \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"           \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"   \
	"  - { container: bad, endpoint: sock, allow: [connect] }\n"

Test(registry, revoke_one_grant)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_loader("revoke", "cli", "sock", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat("grants_revoked"), 1);
	cr_assert_eq(v_loader("revoke", "cli", "sock", NULL), VIPC_EXIT_NOT_FOUND, "%s", v_out);
}

Test(registry, generation_bump_kills_every_grant_on_the_endpoint)
{
	s_start(BOTH_GRANTED, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_loader("revoke", "--endpoint", "sock", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "2 grant(s) revoked"), "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_revoked"), 2);
	cr_assert_eq(v_stat("generation_bumps"), 1);

	/* A grant issued after the bump carries the new generation. */
	cr_assert_eq(v_loader("grant", "cli", "sock", "connect", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
}

Test(registry, grant_at_run_time_takes_effect)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("grant", "bad", "sock", "connect,send", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_loader("grant", "bad", "sock", "fly", NULL), VIPC_EXIT_USAGE);
}

Test(registry, endpoint_rm_refuses_a_non_owner)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("endpoint", "rm", "sock", "cli", NULL), VIPC_EXIT_NOT_OWNER);
	cr_assert(strstr(v_out, "does not own"), "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0, "still registered and granted");
	cr_assert_eq(v_loader("endpoint", "rm", "sock", "srv", NULL), 0, "%s", v_out);
	cr_assert_eq(v_stat("endpoints_destroyed"), 1);
	cr_assert_eq(v_stat("grants_revoked"), 1, "cli's grant went with the endpoint");
	cr_assert_eq(v_loader("endpoint", "rm", "nosuch", "srv", NULL), VIPC_EXIT_NOT_FOUND);
}

Test(registry, container_rm_removes_its_endpoints_and_grants)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("container", "rm", "srv", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0);
	cr_assert_str_eq(v_out, "[]\n");
	cr_assert_eq(v_bpftool_stat("vipc_grants", "perms"), 0);
	cr_assert_eq(v_stat("containers_removed"), 1);
	cr_assert_eq(v_stat("endpoints_destroyed"), 3);
	cr_assert_eq(v_stat("grants_revoked"), 3);
	cr_assert_eq(v_loader("container", "rm", "srv", NULL), VIPC_EXIT_NOT_FOUND);
}

/* A policy container outlives its cgroup: only the binding goes. */
Test(registry, removed_cgroup_only_unbinds_a_policy_container)
{
	s_start(S_POLICY, 0);
	/* runc removes the container's cgroup: the rmdir hook unbinds it. */
	h_container_destroy(sc.cli);
	sc.cli = NULL;
	cr_assert_eq(h_cgroup_remove("vipc-test/cli"), 0);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0);
	cr_assert(strstr(v_out, "\"name\":\"cli\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"selector\":\"cgroup /vipc-test/cli\",\"runtime\":false,"
			 "\"cgroups\":[]"), "%s", v_out);
	cr_assert_eq(v_stat("containers_removed"), 0);
	cr_assert_eq(v_stat("cgroups_unbound"), 1);
	cr_assert_eq(v_stat("grants_revoked"), 0, "cli keeps its three grants");
	cr_assert_eq(v_bpftool_stat("vipc_grants", "perms"), 2 * VIPC_PERM_CONNECT + VIPC_PERM_SEND);
}

Test(registry, channel_gives_its_senders_connect_and_send)
{
	s_start("version: 1\n" S_CONTAINERS S_ENDPOINTS "channels:\n"
		"  jobs: { endpoint: sock, senders: [bad], receiver: srv, capacity: 4 }\n", 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--send", "job", NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("channel", "ls", "--json", NULL), 0);
	cr_assert(strstr(v_out, "\"name\":\"jobs\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"capacity\":4"), "%s", v_out);
	cr_assert_eq(v_loader("channel", "rm", "jobs", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("channels_created"), 1);
	cr_assert_eq(v_stat("channels_destroyed"), 1);
}

Test(registry, container_and_endpoint_added_at_run_time)
{
	char pid[16];

	s_start("version: 1\n" S_CONTAINERS, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(v_loader("endpoint", "add", "late", "srv", S_SOCK, NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("endpoint", "add", "late", "srv", "/x", NULL),
		     VIPC_EXIT_EXISTS);
	cr_assert_eq(v_loader("endpoint", "add", "odd", "srv", "/shared//o.sock", NULL),
		     VIPC_EXIT_USAGE);
	cr_assert(strstr(v_out, "/shared//o.sock is not in normal form: write /shared/o.sock"),
		  "%s", v_out);
	/* A container named by a pid lands on that process's cgroup. */
	cr_assert_eq(v_loader("container", "rm", "cli", NULL), 0, "%s", v_out);
	snprintf(pid, sizeof(pid), "%d", h_container_pid(sc.cli));
	cr_assert_eq(v_loader("container", "add", "again", "--pid", pid, "--unknown", "deny", NULL),
		     0, "%s", v_out);
	/* Something listens there: the LSM backend decides only on a found peer. */
	s_listen("/shared/other.sock", NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", "/shared/other.sock", NULL), EPERM);
	cr_assert_eq(v_stat("denied_unknown"), 1);
}

Test(registry, check_tells_the_decision_and_its_reason)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0);
	cr_assert_str_eq(v_out, "allow (granted)\n");
	cr_assert_eq(v_loader("check", "bad", "sock", "connect", NULL), 1);
	cr_assert_str_eq(v_out, "deny (no-grant)\n");
	cr_assert_eq(v_loader("check", "cli", "sock", "send", NULL), 1);
	cr_assert_str_eq(v_out, "deny (no-permission)\n");
	cr_assert_eq(v_loader("check", "srv", S_SOCK, "connect", NULL), 0);
	cr_assert_str_eq(v_out, "allow (owner)\n");
	cr_assert_eq(v_loader("check", "bad", "/shared/./x/../s.sock", "connect", NULL), 1);
	cr_assert_str_eq(v_out, "deny (no-grant)\n", "another spelling of sock is sock");
	cr_assert_eq(v_loader("check", "nobody", "sock", "connect", NULL), VIPC_EXIT_NOT_FOUND);
}

Test(registry, each_failure_is_reported_with_its_own_message)
{
	enum vipc_reason reason;
	struct vipc_state st;
	char msg[256];
	bool allowed;
	int err;

	s_start(S_POLICY, 0);
	/* The CLI: each failure names its cause, with its status. */
	cr_assert_eq(v_loader("grant", "nosuch", "sock", "connect", NULL), VIPC_EXIT_NOT_FOUND);
	cr_assert(strstr(v_out, "vipc: grant: no container nosuch\n"), "%s", v_out);
	cr_assert_eq(v_loader("grant", "cli", "nosuch", "connect", NULL), VIPC_EXIT_NOT_FOUND);
	cr_assert(strstr(v_out, "vipc: grant: no endpoint nosuch\n"), "%s", v_out);
	cr_assert_eq(v_loader("status", "--capacity", "5", NULL), VIPC_EXIT_USAGE);
	cr_assert(strstr(v_out, "vipc: status does not take --capacity\n"), "%s", v_out);

	/* In one process, as the loader's steps run: a look-up that finds
	 * nothing records nothing; a failure's message is not given for the
	 * next, unrelated failure.
	 */
	cr_assert_eq(vipc_state_open(&st, false), 0);
	cr_assert_eq(vipc_check(&st, "cli", "nosuch", VIPC_PERM_CONNECT, &reason, &allowed), 0);
	cr_assert_str_eq(vipc_err_take(&st.err, -ENOENT, msg, sizeof(msg)), strerror(ENOENT));
	cr_assert_eq(vipc_grant_set(&st, "nosuch", "sock", VIPC_PERM_CONNECT), -ENOENT);
	err = vipc_map_visit(-1, 0, NULL, NULL);
	cr_assert_lt(err, 0);
	cr_assert_str_eq(vipc_err_take(&st.err, err, msg, sizeof(msg)), strerror(-err));
	cr_assert_eq(vipc_grant_set(&st, "cli", "nosuch", VIPC_PERM_CONNECT), -ENOENT);
	cr_assert_str_eq(vipc_err_take(&st.err, -ENOENT, msg, sizeof(msg)), "no endpoint nosuch");
	vipc_state_close(&st);
}

Test(registry, quiet_keeps_notes_off_and_warnings_on)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("load", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "vipc: adopted"), "%s", v_out);
	cr_assert_eq(v_loader("load", "-q", NULL), 0, "%s", v_out);
	cr_assert_str_eq(v_out, "");
	cr_assert_eq(v_loader("revoke", "--endpoint", "sock", "--quiet", NULL), 0, "%s", v_out);
	cr_assert_str_eq(v_out, "");
	cr_assert_eq(v_loader("revoke", "cli", "nosuch", "-q", NULL), VIPC_EXIT_NOT_FOUND);
	cr_assert_str_eq(v_out, "vipc: revoke: no endpoint nosuch\n");
}
