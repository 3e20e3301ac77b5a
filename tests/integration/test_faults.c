// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Hardening: bad policies through the real loader leave every pinned map as
 * it was, a full table names its limit and keeps the old policy, concurrent
 * commands are serialized, a flood of denies overflows the ring buffer
 * without blocking the kernel, and missing capabilities are named.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "vipc.h"
#include "fixture.h"
#include "scene.h"

TestSuite(faults, .init = s_init, .fini = s_fini, .timeout = 240);

#define PIN_DIR "/sys/fs/bpf/vipc"

/* Every pinned map, dumped by bpftool, in name order, into @out. The live
 * decision counters (vipc_stats) move with any host connect and the ring
 * buffer cannot be dumped; everything else must stay byte for byte.
 */
static void dump_maps(char *out, size_t size)
{
	static char one[1 << 20];
	const char *argv[] = { "bpftool", "map", "dump", "pinned", NULL, NULL };
	struct dirent **names;
	char path[512];
	size_t off = 0;
	int i, n;

	n = scandir(PIN_DIR, &names, NULL, alphasort);
	cr_assert_gt(n, 0, "no pins under " PIN_DIR);
	for (i = 0; i < n; i++) {
		const char *d = names[i]->d_name;

		if (!strncmp(d, "vipc_", 5) && strcmp(d, "vipc_stats") && strcmp(d, "vipc_events")) {
			snprintf(path, sizeof(path), PIN_DIR "/%s", d);
			argv[4] = path;
			cr_assert_eq(h_run(argv, one, sizeof(one)), 0, "bpftool %s: %s", d, one);
			off += snprintf(out + off, size - off, "== %s\n%s", d, one);
			cr_assert_lt(off, size, "dump buffer too small");
		}
		free(names[i]);
	}
	free(names);
}

struct bad_policy {
	const char *what;
	const char *yaml; /* NULL: the case makes its own file */
	const char *where; /* ":LINE:COL: " expected after the file name, or ": " */
	const char *msg;
};

static const struct bad_policy bad_policies[] = {
	{ "malformed YAML", "version: 1\ncontainers: [\n", ":3:1: ", "invalid YAML" },
	{ "unknown key", "version: 1\nfrobs: {}\n", ":2:1: ", "unknown key 'frobs'" },
	{ "wrong type", "version: 1\ncontainers:\n  - srv\n", ":3:3: ",
	  "expected a mapping of containers by name, got a list" },
	{ "duplicate container", "version: 1\ncontainers:\n  a: { cgroup: vipc-test/srv }\n"
	  "  a: { cgroup: vipc-test/cli }\n", ":4:3: ", "duplicate key 'a' (first at line 3)" },
	{ "duplicate grant", "version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"
	  "  - { container: cli, endpoint: sock, allow: [connect] }\n"
	  "  - { container: cli, endpoint: sock, allow: [send] }\n", ":12:5: ",
	  "duplicate grant of 'sock' to 'cli' (first at line 11)" },
	{ "dangling reference", "version: 1\n" S_CONTAINERS "grants:\n"
	  "  - { container: cli, endpoint: nosuch, allow: [connect] }\n", ":7:33: ",
	  "endpoint 'nosuch' is not a defined endpoint" },
	{ "over-long name", "version: 1\ncontainers:\n"
	  "  abcdefghijabcdefghijabcdefghijab: { cgroup: vipc-test/srv }\n", ":3:3: ",
	  "container 'abcdefghijabcdefghijabcdefghijab': expected 1 to 31 letters" },
	{ "over-long socket path", "version: 1\n" S_CONTAINERS "endpoints:\n  e: { owner: srv, unix: "
	  "/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxx }\n", ":7:26: ", "unix: expected 1 to 108 bytes" },
	{ "unknown permission", "version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"
	  "  - { container: cli, endpoint: sock, allow: [connect, fly] }\n", ":11:56: ",
	  "unknown permission 'fly'" },
	{ "cgroup path no cgroup has", "version: 1\ncontainers:\n  up: { cgroup: vipc-test/../x }\n",
	  ":3:3: ", "container 'up': cgroup vipc-test/../x: expected a path without . or .." },
	{ "100 MB file", NULL, ": ", "larger than the 16 MiB a policy may be" },
	{ "a directory", NULL, ": ", "is a directory, expected a policy file" },
	{ "no read permission", NULL, ": ", "cannot open: Permission denied" },
};

/* The file a case without YAML text is about. */
static const char *special_file(const struct bad_policy *b)
{
	static char path[256];
	int fd;

	if (!strcmp(b->what, "a directory"))
		return h_tmpdir();
	snprintf(path, sizeof(path), "%s/policy.yaml", h_tmpdir());
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	if (!strcmp(b->what, "100 MB file"))
		cr_assert_eq(ftruncate(fd, 100 << 20), 0);
	else /* readable by its owner only, and the loader below is not it */
		cr_assert_eq(fchown(fd, 65534, 65534), 0);
	close(fd);
	return path;
}

/* The loader, as root but without the capabilities that bypass file
 * permissions: a policy it may not read is refused like any other.
 */
static int reload_without_dac(const char *path, char *out, size_t size)
{
	const char *argv[] = { "setpriv", "--inh-caps=-dac_override,-dac_read_search",
			       "--bounding-set=-dac_override,-dac_read_search", V_LOADER, "reload",
			       "-c", path, NULL };

	return h_run(argv, out, size);
}

Test(faults, bad_policies_name_the_spot_exit_2_and_change_no_map)
{
	static char before[1 << 21], after[1 << 21];
	char want[PATH_MAX + 64];
	const struct bad_policy *b;
	const char *path;
	size_t i;
	int rc;

	s_start(S_POLICY, 0);
	dump_maps(before, sizeof(before));
	for (i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++) {
		b = &bad_policies[i];
		path = b->yaml ? v_policy_file(b->yaml) : special_file(b);
		rc = reload_without_dac(path, v_out, sizeof(v_out));
		cr_assert_eq(rc, VIPC_EXIT_USAGE, "%s: exit %d: %s", b->what, rc, v_out);
		snprintf(want, sizeof(want), "%s%s", path, b->where);
		cr_assert(!strncmp(v_out, want, strlen(want)), "%s: want '%s...': %s", b->what, want,
			  v_out);
		cr_assert(strstr(v_out, b->msg), "%s: want '%s': %s", b->what, b->msg, v_out);
		cr_assert_eq(strchr(v_out, '\n'), v_out + strlen(v_out) - 1, "%s: one line: %s",
			     b->what, v_out);
		dump_maps(after, sizeof(after));
		cr_assert_str_eq(after, before, "%s changed a pinned map", b->what);
		if (b->yaml)
			unlink(path);
	}
	cr_assert_eq(v_stat("policy_loads"), 1);
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0, "old policy in force");
}

#define TWO_GRANTS                                                   \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"           \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"   \
	"  - { container: cli, endpoint: dgram, allow: [send] }\n"

Test(faults, full_table_names_its_limit_and_keeps_the_old_policy)
{
	static char before[1 << 21], after[1 << 21];
	const char *two = strdup(v_policy_file(TWO_GRANTS));
	const char *three = strdup(v_policy_file(S_POLICY));

	v_require_root();
	cr_assert_eq(v_loader("load", "--max-grants", "2", "-c", two, NULL), 0, "%s", v_out);
	sc.srv = h_container_start(&(struct h_container_opts){ .name = "srv",
							       .shared_dir = sc.shared });
	sc.cli = h_container_start(&(struct h_container_opts){ .name = "cli",
							       .shared_dir = sc.shared });
	cr_assert(sc.srv && sc.cli);
	s_listen(S_SOCK, NULL);
	dump_maps(before, sizeof(before));

	cr_assert_eq(v_loader("reload", "-c", three, NULL), VIPC_EXIT_FULL, "%s", v_out);
	cr_assert(strstr(v_out, "grants table is full (2 per slot)"), "%s", v_out);
	cr_assert(strstr(v_out, "--max-grants"), "the option that raises it: %s", v_out);
	dump_maps(after, sizeof(after));
	cr_assert_str_eq(after, before, "a refused policy changed a pinned map");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0, "old policy still in force");
	cr_assert_eq(v_loader("grant", "bad", "abs", "connect", NULL), VIPC_EXIT_FULL, "%s", v_out);
	cr_assert(strstr(v_out, "--max-grants"), "%s", v_out);
	unlink(two);
	unlink(three);
}

/* Run @script with sh in the background on the host. */
static pid_t sh_spawn(const char *script)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	pid_t pid = h_spawn(NULL, argv, NULL);

	cr_assert_gt(pid, 0, "spawn: %s", script);
	return pid;
}

Test(faults, concurrent_commands_are_serialized)
{
	char script[4][1024], out[4096];
	unsigned long long cgsum, perms;
	const char *a, *b;
	pid_t pid[4];
	int i, rc;

	s_start(S_POLICY, 0);
	a = strdup(v_policy_file(S_POLICY));
	b = strdup(v_policy_file(TWO_GRANTS));
	/* Two reloaders (A, B) and two granters race for 15 rounds each. */
	for (i = 0; i < 4; i++)
		snprintf(script[i], sizeof(script[i]), "for i in $(seq 15); do %s %s %s || exit 1; done",
			 V_LOADER, i < 2 ? "reload -c" : "grant bad abs", i == 0 ? a : i == 1 ? b : "send");
	for (i = 0; i < 4; i++)
		pid[i] = sh_spawn(script[i]);
	for (i = 0; i < 4; i++) {
		rc = h_spawn_wait(pid[i], 200000);
		h_spawn_output(pid[i], out, sizeof(out));
		cr_assert_eq(rc, 0, "racer %d failed: %s", i, out);
	}

	/* One policy, whole, in the live slot only; every load counted. */
	cr_assert_eq(v_stat("policy_loads"), 31);
	cgsum = h_cgroup_id("vipc-test/srv") + h_cgroup_id("vipc-test/cli") +
		h_cgroup_id("vipc-test/bad");
	cr_assert_eq(v_bpftool_stat("vipc_principals", "cgroup_id"), cgsum, "stray principals");
	cr_assert_eq(v_bpftool_stat("vipc_endpoints", "generation"), 3, "stray endpoints");
	/* Grants: A's 4 permission bits or B's 3, and bad's send if a grant came last. */
	perms = v_loader("check", "cli", "abs", "connect", NULL) == 0 ? 4 : 3;
	perms += v_loader("check", "bad", "abs", "send", NULL) == 0 ? VIPC_PERM_SEND : 0;
	cr_assert_eq(v_bpftool_stat("vipc_grants", "perms"), perms, "stray or missing grants");
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0, "%s", v_out);
	unlink(a);
	unlink(b);
}

Test(faults, deny_flood_overflows_the_ring_buffer_without_blocking)
{
	const char *flood[] = { V_PROBE, "loop", S_SOCK, "3", NULL };
	unsigned long long ok = 1, eperm = 0, other = 1, denied, dropped, shown;
	char out[256], count[512];
	const char *argv[] = { "/bin/sh", "-c", count, NULL };
	pid_t pid;

	/* Every event (not one per interval), so that the flood fills the buffer. */
	s_start("version: 1\nevents: { rate: all }\n" S_CONTAINERS S_ENDPOINTS S_GRANTS, 0);
	s_listen(S_SOCK, NULL);
	/* Nobody reads the ring buffer while bad connects as fast as it can. */
	pid = h_container_spawn(sc.bad, flood, NULL);
	cr_assert_gt(pid, 0);
	cr_assert_eq(h_spawn_wait(pid, 20000), 0, "the connect loop was held up");
	h_spawn_output(pid, out, sizeof(out));
	cr_assert_eq(sscanf(out, "ok=%llu eperm=%llu other=%llu", &ok, &eperm, &other), 3, "%s", out);
	cr_assert_eq(ok + other, 0, "%s", out);

	/* Every deny is either in the buffer or counted as lost. */
	denied = v_stat("denied_no_grant");
	dropped = v_stat("events_dropped");
	cr_assert_eq(denied, eperm);
	cr_assert_gt(eperm, 20000, "too few connects to overflow: %s", out);
	cr_assert_gt(dropped, 0);
	snprintf(count, sizeof(count), "%s events --json --timeout 2 | grep -c '\"type\":\"deny\"'",
		 V_LOADER);
	cr_assert_eq(h_run(argv, out, sizeof(out)), 0, "%s", out);
	shown = strtoull(out, NULL, 10);
	cr_assert_eq(shown + dropped, denied, "%llu shown + %llu lost != %llu denied", shown,
		     dropped, denied);
	cr_assert_eq(v_loader("stats", NULL), 0);
	cr_assert(strstr(v_out, "events_dropped"), "lost events shown by stats: %s", v_out);
}

Test(faults, missing_capabilities_are_named_exactly)
{
	const char *argv[] = { "setpriv", "--inh-caps=-bpf,-perfmon",
			       "--bounding-set=-bpf,-perfmon", V_LOADER, "status", NULL };
	char out[1024];

	v_require_root();
	cr_assert_eq(h_run(argv, out, sizeof(out)), VIPC_EXIT_NO_PRIVILEGE, "%s", out);
	cr_assert_str_eq(out, "vipc: missing capabilities CAP_BPF CAP_PERFMON (run with sudo)\n");
}
