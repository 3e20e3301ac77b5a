// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Lifecycle: adopt, unload, incompatible and interrupted pins, bad policies
 * that change nothing, the cgroup2 mount found or given, privilege, and
 * atomic reload under load.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "vipc.h"
#include "fixture.h"
#include "scene.h"

TestSuite(lifecycle, .init = s_init, .fini = s_fini, .timeout = 180);

/* Rewrite one field of the pinned config, as a foreign or broken loader would. */
static void poke_config(size_t offset, __u32 value)
{
	struct vipc_config cfg;
	__u32 zero = 0;
	int fd = bpf_obj_get("/sys/fs/bpf/vipc/vipc_config");

	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_map_lookup_elem(fd, &zero, &cfg), 0);
	memcpy((char *)&cfg + offset, &value, sizeof(value));
	cr_assert_eq(bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY), 0);
	close(fd);
}

Test(lifecycle, unload_leaves_no_pin_and_lifts_enforcement)
{
	struct stat st;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
	cr_assert_eq(stat("/sys/fs/bpf/vipc", &st), -1, "pin directory still there");
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(v_loader("unload", NULL), VIPC_EXIT_NOT_LOADED);
	cr_assert_eq(v_loader("status", NULL), VIPC_EXIT_NOT_LOADED);
}

Test(lifecycle, pins_are_private)
{
	struct dirent *de;
	struct stat st;
	int pins = 0;
	DIR *dir;

	s_start(S_POLICY, 0);
	cr_assert_eq(stat("/sys/fs/bpf/vipc", &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	/* Every pin: maps, links and programs. */
	dir = opendir("/sys/fs/bpf/vipc");
	cr_assert_not_null(dir);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		cr_assert_eq(fstatat(dirfd(dir), de->d_name, &st, 0), 0, "%s", de->d_name);
		cr_assert_eq(st.st_mode & 0777, 0600, "%s is %o", de->d_name, st.st_mode & 0777);
		pins++;
	}
	closedir(dir);
	cr_assert_geq(pins, 10, "maps, links and programs are all pinned");
}

/* The pinned grants table's map flags. */
static __u32 grants_map_flags(void)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get("/sys/fs/bpf/vipc/vipc_grants");

	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_map_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	return info.map_flags;
}

Test(lifecycle, prealloc_grants_reserves_the_table_and_decides_the_same)
{
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	cr_assert(grants_map_flags() & BPF_F_NO_PREALLOC, "by default allocated as used");
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("load", "--prealloc-grants", "-c", v_policy_file(S_POLICY), NULL), 0,
		     "%s", v_out);
	cr_assert_not(grants_map_flags() & BPF_F_NO_PREALLOC, "not preallocated");
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), EPERM);
	cr_assert_eq(v_loader("revoke", "cli", "sock", NULL), 0, "%s", v_out);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), EPERM);
}

Test(lifecycle, second_load_adopts_and_keeps_the_registry)
{
	char want[64];

	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("load", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "adopted"), "%s", v_out);
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0);
	snprintf(want, sizeof(want), "\"%s\":true", v_hook_prog(0));
	cr_assert(strstr(v_out, want), "the connect hook attached: %s", v_out);
	cr_assert(strstr(v_out, "\"grants\":3"), "%s", v_out);
}

static const char *layout_of(const char *root)
{
	if (!strcmp(root, "/sys/fs/cgroup"))
		return "unified";
	return strcmp(root, "/sys/fs/cgroup/unified") ? "custom" : "hybrid";
}

/* Status names the cgroup2 mount found, its layout, and the cgroup the
 * socket hooks' links are really on (the mount's root).
 */
Test(lifecycle, status_names_the_cgroup2_root_and_where_the_hooks_are)
{
	char want[PATH_MAX + 128];

	s_start(S_POLICY, 0);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "  cgroup2 at %s (%s)\n", h_cgroup2(), layout_of(h_cgroup2()));
	cr_assert(strstr(v_out, want), "want \"%s\" in:\n%s", want, v_out);
	if (v_lsm())
		snprintf(want, sizeof(want), "  off   cgroup/connect_unix\n");
	else
		snprintf(want, sizeof(want), "  live  cgroup/connect_unix on %s\n", h_cgroup2());
	cr_assert(strstr(v_out, want), "want \"%s\" in:\n%s", want, v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	snprintf(want, sizeof(want), "\"cgroup_root\":\"%s\",\"cgroup_layout\":\"%s\"",
		 h_cgroup2(), layout_of(h_cgroup2()));
	cr_assert(strstr(v_out, want), "want %s in:\n%s", want, v_out);
}

/* A queue endpoint: the LSM and fmodret backends enforce it; the socket
 * backend has no hook for it, which its load and status say by name. The
 * registry commands take queues and FIFOs.
 */
Test(lifecycle, a_queue_endpoint_loads_on_the_socket_backend_with_a_warning)
{
	const char *warn = "1 endpoint is not enforced: the socket backend has no hook for "
			   "message queues or FIFOs (load with --backend lsm or fmodret): jobs\n";
	char fifo[PATH_MAX], addr[PATH_MAX + 8];

	v_require_root();
	v_load("version: 1\n" S_CONTAINERS S_ENDPOINTS "  jobs: { owner: srv, mqueue: /vipc-jobs }\n");
	cr_assert_eq(!strstr(v_out, warn), v_lsm(), "%s", v_out);
	cr_assert_eq(v_loader("status", NULL), 0, "%s", v_out);
	cr_assert_eq(!strstr(v_out, warn), v_lsm(), "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, v_lsm() ? "\"unenforced\":\"\"" : "\"unenforced\":\"jobs\""), "%s",
		  v_out);
	/* Registry commands: a FIFO by its inode, permissions by kind. */
	snprintf(fifo, sizeof(fifo), "%s/f", sc.shared);
	snprintf(addr, sizeof(addr), "fifo:%s", fifo);
	cr_assert_eq(v_loader("endpoint", "add", "spool", "srv", addr, NULL), VIPC_EXIT_USAGE,
		     "no FIFO there yet: %s", v_out);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(v_loader("endpoint", "add", "spool", "srv", addr, NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("grant", "cli", "jobs", "connect", NULL), VIPC_EXIT_USAGE, "%s", v_out);
	cr_assert_eq(v_loader("grant", "cli", "jobs", "receive", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("check", "cli", "mqueue:/vipc-jobs", "receive", NULL), 0, "%s", v_out);
	cr_assert_eq(v_loader("check", "cli", addr, "send", NULL), VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert_eq(v_loader("endpoint", "ls", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"address\":\"mqueue:/vipc-jobs\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"address\":\"fifo:"), "%s", v_out);
}

/* --backend auto: the socket backend where the kernel has it, beside the
 * LSM one where BPF LSM is active, else the fmodret one (the VM boots the
 * kernel with bpf in lsm= for the lsm runs and without it for the fmodret
 * ones, so the backend under test is the one auto must pick); with neither,
 * the load says what the socket backend alone cannot stop.
 */
Test(lifecycle, auto_picks_lsm_else_fmodret_beside_sock)
{
	const char *peers[] = { "lsm", "fmodret" };
	char want[64];
	int i;

	s_start(S_POLICY, 0);
	v_unload();
	cr_assert_eq(v_loader("load", "--backend", "auto", "-c", v_policy_file(S_POLICY), NULL), 0,
		     "%s", v_out);
	if (!v_lsm())
		cr_assert(strstr(v_out, "vipc: only the socket backend"), "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	for (i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "\"%s\":\"live\"", peers[i]);
		cr_assert_eq(!!strstr(v_out, want), !strcmp(v_backend(), peers[i]), "%s: %s",
			     peers[i], v_out);
	}

	/* A backend asked for by name (the socket one too) is a choice, not a
	 * fallback: nothing to warn of.
	 */
	v_unload();
	cr_assert_eq(v_loader("load", "--backend", v_backend(), "-c", v_policy_file(S_POLICY), NULL),
		     0, "%s", v_out);
	cr_assert_null(strstr(v_out, "only the socket backend"), "%s", v_out);
}

/* --cgroup-root must name a cgroup2 mount: not another file system, not a
 * cgroup inside one; nothing is loaded then. The mount itself, however
 * named, is taken, and absolute policy paths inside it resolve.
 */
Test(lifecycle, cgroup_root_must_be_a_cgroup2_mount)
{
	char inside[PATH_MAX + 32], named[PATH_MAX + 8], policy[2 * PATH_MAX];

	snprintf(inside, sizeof(inside), "%s/vipc-test/cli", h_cgroup2());
	cr_assert_eq(v_loader("--cgroup-root", "/tmp", "load", NULL), VIPC_EXIT_NO_CGROUP2, "%s",
		     v_out);
	cr_assert(strstr(v_out, "--cgroup-root /tmp: not a cgroup2 mount"), "%s", v_out);
	cr_assert_eq(v_loader("--cgroup-root", inside, "load", NULL), VIPC_EXIT_NO_CGROUP2, "%s",
		     v_out);
	cr_assert_eq(v_loader("status", NULL), VIPC_EXIT_NOT_LOADED, "%s", v_out);

	snprintf(named, sizeof(named), "%s/", h_cgroup2());
	snprintf(policy, sizeof(policy), "version: 1\ncontainers:\n  cli: { cgroup: %s }\n", inside);
	cr_assert_eq(v_loader("--cgroup-root", named, "load", "-c", v_policy_file(policy), NULL), 0,
		     "%s", v_out);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0, "%s", v_out);
	snprintf(policy, sizeof(policy), "\"cgroups\":[{\"path\":\"/vipc-test/cli\",\"id\":%llu}]",
		 h_cgroup_id("vipc-test/cli"));
	cr_assert(strstr(v_out, policy), "want %s in %s", policy, v_out);
}

Test(lifecycle, incompatible_pin_is_refused_with_a_way_out)
{
	s_start(S_POLICY, 0);
	poke_config(offsetof(struct vipc_config, abi_version), VIPC_ABI_VERSION + 1);
	cr_assert_eq(v_loader("load", NULL), VIPC_EXIT_INCOMPATIBLE, "%s", v_out);
	cr_assert(strstr(v_out, "vipc-loader unload"), "%s", v_out);
	cr_assert_eq(v_loader("grant", "bad", "sock", "connect", NULL), VIPC_EXIT_INCOMPATIBLE);
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
}

/* Replace the pinned config with one of another layout: @size bytes, the
 * identity of ABI version @abi first, as an older or newer loader pinned it
 * (without this version's vipc_settings).
 */
static void pin_config_of_size(__u32 size, __u32 abi)
{
	static char val[4096];
	struct vipc_config id = { .magic = VIPC_MAGIC, .abi_version = abi };
	const char *pin = "/sys/fs/bpf/vipc/vipc_config";
	__u32 zero = 0;
	int fd;

	cr_assert_leq(size, sizeof(val));
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vipc_config", 4, size, 1, NULL);
	cr_assert_geq(fd, 0, "map of %u-byte values: %s", size, strerror(errno));
	memcpy(val, &id, 8);
	cr_assert_eq(bpf_map_update_elem(fd, &zero, val, BPF_ANY), 0);
	cr_assert_eq(unlink(pin), 0);
	cr_assert_eq(unlink("/sys/fs/bpf/vipc/vipc_settings"), 0);
	cr_assert_eq(bpf_obj_pin(fd, pin), 0, "%s", strerror(errno));
	close(fd);
}

Test(lifecycle, pin_of_another_layout_is_refused_unread_and_unloaded)
{
	/* ABI 4's 32-byte config, and a larger one a newer loader might pin. */
	static const __u32 sizes[][2] = { { 32, 4 }, { 4096, VIPC_ABI_VERSION + 1 } };
	struct stat st;
	size_t i;
	int rc;

	v_require_root();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		v_load(S_POLICY);
		pin_config_of_size(sizes[i][0], sizes[i][1]);
		rc = v_loader("load", NULL);
		cr_assert_eq(rc, VIPC_EXIT_INCOMPATIBLE, "%u bytes: exit %d: %s", sizes[i][0], rc,
			     v_out);
		cr_assert(strstr(v_out, "vipc-loader unload"), "%s", v_out);
		rc = v_loader("status", NULL);
		cr_assert_eq(rc, VIPC_EXIT_INCOMPATIBLE, "status: exit %d: %s", rc, v_out);
		cr_assert_eq(v_loader("unload", NULL), 0, "%u bytes: %s", sizes[i][0], v_out);
		cr_assert_eq(stat("/sys/fs/bpf/vipc", &st), -1, "unload left the pins");
	}
}

Test(lifecycle, interrupted_load_is_replaced)
{
	s_start(S_POLICY, 0);
	poke_config(offsetof(struct vipc_config, magic), 0); /* identity never written */
	cr_assert_eq(v_loader("load", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "incomplete"), "%s", v_out);
	cr_assert(strstr(v_out, "loaded and pinned"), "%s", v_out);
	cr_assert_eq(v_loader("container", "ls", "--json", NULL), 0);
	cr_assert_str_eq(v_out, "[]\n");
}

Test(lifecycle, bad_policy_changes_nothing)
{
	char before[65536];
	const char *argv[] = { "bpftool", "map", "dump", "pinned", "/sys/fs/bpf/vipc/vipc_grants",
			       NULL };
	const char *bad;

	s_start(S_POLICY, 0);
	cr_assert_eq(h_run(argv, before, sizeof(before)), 0);
	bad = v_policy_file("version: 1\n" S_CONTAINERS "grants:\n"
			    "  - { container: cli, endpoint: nosuch, allow: [connect] }\n");
	cr_assert_eq(v_loader("reload", "-c", bad, NULL), VIPC_EXIT_USAGE);
	cr_assert(strstr(v_out, ":7:33: endpoint 'nosuch' is not a defined endpoint"),
		  "file:line:col of the reference expected: %s", v_out);
	unlink(bad);
	cr_assert_eq(h_run(argv, v_out, sizeof(v_out)), 0);
	cr_assert_str_eq(v_out, before, "grants changed by a refused policy");
	cr_assert_eq(v_stat("policy_loads"), 1);
}

Test(lifecycle, missing_capabilities_are_named)
{
	const char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
			       "--inh-caps=-all", h_path("vipc-loader"), "status", NULL };
	char out[1024];

	v_require_root();
	cr_assert_eq(h_run(argv, out, sizeof(out)), VIPC_EXIT_NO_PRIVILEGE, "%s", out);
	cr_assert(strstr(out, "missing capabilities CAP_SYS_ADMIN"), "%s", out);
	cr_assert(strstr(out, "run with sudo"), "%s", out);
	cr_assert_null(strstr(out, "libbpf"), "no libbpf noise: %s", out);
}

#define RELOAD_A S_POLICY
#define RELOAD_B                                                     \
	"version: 1\n" S_CONTAINERS S_ENDPOINTS "grants:\n"           \
	"  - { container: cli, endpoint: sock, allow: [connect, send] }\n"

Test(lifecycle, reload_under_a_connect_loop_is_atomic)
{
	const char *bad_loop[] = { V_PROBE, "loop", S_SOCK, "4", NULL };
	const char *cli_loop[] = { V_PROBE, "loop", S_SOCK, "4", NULL };
	const char *a, *b;
	char out[512];
	pid_t pb, pc;
	int i;

	s_start(RELOAD_A, 0);
	s_listen(S_SOCK, NULL);
	a = strdup(v_policy_file(RELOAD_A));
	b = strdup(v_policy_file(RELOAD_B));
	pb = h_container_spawn(sc.bad, bad_loop, NULL);
	pc = h_container_spawn(sc.cli, cli_loop, NULL);
	cr_assert(pb > 0 && pc > 0);

	/* Both policies deny bad and allow cli: no reload may change that. */
	for (i = 0; i < 20; i++)
		cr_assert_eq(v_loader("reload", "-c", i % 2 ? a : b, NULL), 0, "%s", v_out);
	cr_assert_eq(h_spawn_wait(pb, 15000), 0);
	cr_assert_eq(h_spawn_wait(pc, 15000), 0);
	h_spawn_output(pb, out, sizeof(out));
	cr_assert(strstr(out, " ok=0 ") || !strncmp(out, "ok=0 ", 5), "bad got through: %s", out);
	h_spawn_output(pc, out, sizeof(out));
	cr_assert(strstr(out, "eperm=0"), "cli was refused: %s", out);
	cr_assert_eq(v_stat("policy_loads"), 21);
	unlink(a);
	unlink(b);
}
