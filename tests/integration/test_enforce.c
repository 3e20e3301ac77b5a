// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Socket backend enforcement: real runc containers, real connect and
 * sendto, the errno and the counters asserted.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include "fixture.h"
#include "scene.h"

TestSuite(enforce, .init = s_init, .fini = s_fini, .timeout = 120);

Test(enforce, granted_connect_succeeds)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--send", "hi", NULL), 0);
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 0);
}

Test(enforce, ungranted_connect_gets_eperm)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
	cr_assert_eq(v_stat("allowed"), 0);
}

/* A host process (no container) reaches a registered socket only as its
 * others: say (deny): the LSM backend sees the socket whatever the path;
 * the socket backend sees the host's path, a name nobody registered, which
 * is free to a caller no container holds.
 */
Test(enforce, host_process_gets_what_others_allow)
{
	char path[512], out[256];
	const char *argv[] = { h_path("build/tests/vipc-probe"), "connect", path, NULL };
	unsigned long long before;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	snprintf(path, sizeof(path), "%s/s.sock", sc.shared);
	before = v_stat(v_lsm() ? "denied_no_grant" : "unconfined");
	cr_assert_eq(h_run(argv, out, sizeof(out)), v_lsm() ? EPERM : 0, "host connect: %s", out);
	cr_assert_geq(v_stat(v_lsm() ? "denied_no_grant" : "unconfined"), before + 1);
	cr_assert_eq(v_stat("allowed"), 0, "a host call is not a confined allow");
}

Test(enforce, owner_connects_to_its_own_endpoint)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.srv, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("lookups"), 1, "the owner needs no grant lookup");
}

Test(enforce, child_cgroup_belongs_to_its_container)
{
	char out[256];
	const char *argv[] = { h_path("build/tests/vipc-probe"), "connect", NULL, NULL };
	char path[512];

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	snprintf(path, sizeof(path), "%s/s.sock", sc.shared);
	argv[2] = path;
	cr_assert_eq(h_cgroup_make("vipc-test/bad/sub"), 0);
	/* The host path is not the registered name: on the socket backend bad's
	 * default decides; the LSM backend sees the endpoint and denies bad.
	 */
	cr_assert_eq(h_run_cg("vipc-test/bad/sub", argv, out, sizeof(out)), v_lsm() ? EPERM : 0,
		     "%s", out);
	cr_assert_eq(v_stat(v_lsm() ? "denied_no_grant" : "allowed"), 1,
		     "counted as bad (confined), not unconfined");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
}

Test(enforce, datagram_sendto_granted)
{
	s_start(S_POLICY, 0);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.cli, "sendto", S_DGRAM, "ping", NULL), 0);
	cr_assert_eq(v_stat("allowed"), 1);
}

Test(enforce, datagram_sendto_denied)
{
	s_start(S_POLICY, 0);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.bad, "sendto", S_DGRAM, "ping", NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
}

Test(enforce, datagram_connect_needs_send)
{
	s_start("version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"
		"  - { container: cli, endpoint: dgram, allow: [connect] }\n", 0);
	s_listen(S_DGRAM, "--dgram");
	cr_assert_eq(s_probe(sc.cli, "connect", S_DGRAM, "--dgram", NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_perm"), 1);
}

Test(enforce, stream_connect_needs_connect)
{
	s_start("version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"
		"  - { container: cli, endpoint: sock, allow: [send] }\n", 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_stat("denied_no_perm"), 1);
}

Test(enforce, seqpacket_connect_needs_connect)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, "--seqpacket");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, "--seqpacket", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, "--seqpacket", NULL), EPERM);
}

Test(enforce, abstract_socket_between_containers_sharing_netns)
{
	s_start(S_POLICY, 1);
	s_listen(S_ABSTRACT, NULL);
	cr_assert_eq(s_probe(sc.cli, "connect", S_ABSTRACT, "--send", "x", NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_ABSTRACT, NULL), EPERM);
	cr_assert_eq(v_stat("allowed"), 1);
	cr_assert_eq(v_stat("denied_no_grant"), 1);
}

Test(enforce, abstract_name_differs_by_one_byte)
{
	s_start(S_POLICY, 1);
	s_listen("@vipc-ab", NULL);
	/* A prefix of a registered name is another endpoint: unknown, allowed. */
	cr_assert_eq(s_probe(sc.bad, "connect", "@vipc-ab", NULL), 0);
	cr_assert_eq(v_stat("lookups"), 1);
	cr_assert_eq(v_stat("hits"), 0);
}

Test(enforce, unknown_endpoint_default_allow)
{
	s_start(S_POLICY, 0);
	s_listen("/shared/other.sock", NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/other.sock", NULL), 0);
	cr_assert_eq(v_stat("allowed"), 1);
}

Test(enforce, unknown_endpoint_default_deny)
{
	s_start("version: 1\n"
		"defaults: { unknown: deny }\n" S_CONTAINERS S_ENDPOINTS, 0);
	s_listen("/shared/other.sock", NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", "/shared/other.sock", NULL), EPERM);
	cr_assert_eq(v_stat("denied_unknown"), 1);
}
