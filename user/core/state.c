// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The pinned instance under /sys/fs/bpf/vipc (or an upgrade's directory):
 * load or adopt, open, lock, unload; capabilities and bpffs.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include <sys/capability.h>
#include "state.h"
#include "log.h"
#include "vipc.skel.h"

#define SOCK VIPC_BACKEND_SOCK
#define LSM VIPC_BACKEND_LSM
#define FMODRET VIPC_BACKEND_FMODRET
#define CONNECT VIPC_PERM_CONNECT
#define SEND VIPC_PERM_SEND
const struct vipc_hook_info vipc_hooks[] = {
	{ "vipc_connect_unix", "link_connect_unix", "cgroup/connect_unix", SOCK,
	  VIPC_HOOK_CONNECT_UNIX, "connect_unix", CONNECT },
	{ "vipc_sendmsg_unix", "link_sendmsg_unix", "cgroup/sendmsg_unix", SOCK,
	  VIPC_HOOK_SENDMSG_UNIX, "sendmsg_unix", SEND },
	{ "vipc_connect4", "link_connect4", "cgroup/connect4", SOCK, VIPC_HOOK_CONNECT_INET,
	  "connect_inet", CONNECT },
	{ "vipc_connect6", "link_connect6", "cgroup/connect6", SOCK, VIPC_HOOK_CONNECT_INET,
	  "connect_inet", CONNECT },
	{ "vipc_sendmsg4", "link_sendmsg4", "cgroup/sendmsg4", SOCK, VIPC_HOOK_SENDMSG_INET,
	  "sendmsg_inet", SEND },
	{ "vipc_sendmsg6", "link_sendmsg6", "cgroup/sendmsg6", SOCK, VIPC_HOOK_SENDMSG_INET,
	  "sendmsg_inet", SEND },
	{ "vipc_bind4", "link_bind4", "cgroup/bind4", SOCK, VIPC_HOOK_BIND_INET, "bind_inet", 0 },
	{ "vipc_bind6", "link_bind6", "cgroup/bind6", SOCK, VIPC_HOOK_BIND_INET, "bind_inet", 0 },
	{ "vipc_stream_connect", "link_stream_connect", "lsm/unix_stream_connect", LSM,
	  VIPC_HOOK_STREAM_CONNECT, "unix_stream_connect", CONNECT },
	{ "vipc_may_send", "link_may_send", "lsm/unix_may_send", LSM, VIPC_HOOK_MAY_SEND,
	  "unix_may_send", SEND },
	{ "vipc_bind", "link_bind", "lsm/socket_bind", LSM, VIPC_HOOK_BIND, "socket_bind", 0 },
	{ "vipc_mknod", "link_mknod", "lsm/inode_mknod (pathname binds, by directory)", LSM, -1,
	  NULL, 0 },
	{ "vipc_sendmsg", "link_sendmsg", "lsm/socket_sendmsg (UDP ports, live re-check, fd passing)", LSM,
	  VIPC_HOOK_SENDMSG, "socket_sendmsg", 0 },
	{ "vipc_recvmsg", "link_recvmsg", "lsm/socket_recvmsg (live re-check)", LSM,
	  VIPC_HOOK_RECVMSG, "socket_recvmsg", 0 },
	{ "vipc_socket_connect", "link_socket_connect",
	  "lsm/socket_connect (TCP and UDP ports, datagram fd passing)", LSM,
	  VIPC_HOOK_SOCKET_CONNECT, "socket_connect", CONNECT },
	{ "vipc_sk_free", "link_sk_free", "lsm/sk_free_security (channel capacity)", LSM, -1, NULL,
	  0 },
	{ "vipc_file_open", "link_file_open", "lsm/file_open (message queues, FIFOs)", LSM,
	  VIPC_HOOK_FILE_OPEN, "file_open", 0 },
	{ "vipc_inode_create", "link_inode_create", "lsm/inode_create (a message queue's creation)",
	  LSM, VIPC_HOOK_INODE_CREATE, "inode_create", 0 },
	{ "vipc_fr_stream_connect", "link_fr_stream_connect",
	  "fmod_ret/security_unix_stream_connect", FMODRET, VIPC_HOOK_STREAM_CONNECT,
	  "unix_stream_connect", CONNECT },
	{ "vipc_fr_may_send", "link_fr_may_send", "fmod_ret/security_unix_may_send", FMODRET,
	  VIPC_HOOK_MAY_SEND, "unix_may_send", SEND },
	{ "vipc_fr_bind", "link_fr_bind", "fmod_ret/security_socket_bind", FMODRET, VIPC_HOOK_BIND,
	  "socket_bind", 0 },
	{ "vipc_fr_mknod", "link_fr_mknod", "fmod_ret/security_inode_mknod (pathname binds, by directory)",
	  FMODRET, -1, NULL, 0 },
	{ "vipc_fr_sendmsg", "link_fr_sendmsg",
	  "fmod_ret/security_socket_sendmsg (UDP ports, live re-check, fd passing)", FMODRET,
	  VIPC_HOOK_SENDMSG, "socket_sendmsg", 0 },
	{ "vipc_fr_recvmsg", "link_fr_recvmsg", "fmod_ret/security_socket_recvmsg (live re-check)",
	  FMODRET, VIPC_HOOK_RECVMSG, "socket_recvmsg", 0 },
	{ "vipc_fr_socket_connect", "link_fr_socket_connect",
	  "fmod_ret/security_socket_connect (TCP and UDP ports, datagram fd passing)", FMODRET,
	  VIPC_HOOK_SOCKET_CONNECT, "socket_connect", CONNECT },
	{ "vipc_fr_sk_free", "link_fr_sk_free", "fentry/security_sk_free (channel capacity)",
	  FMODRET, -1, NULL, 0 },
	{ "vipc_fr_file_open", "link_fr_file_open", "fmod_ret/security_file_open (message queues, FIFOs)",
	  FMODRET, VIPC_HOOK_FILE_OPEN, "file_open", 0 },
	{ "vipc_fr_inode_create", "link_fr_inode_create",
	  "fmod_ret/security_inode_create (a message queue's creation)", FMODRET,
	  VIPC_HOOK_INODE_CREATE, "inode_create", 0 },
	{ "vipc_fr_sendmsg_in", "link_fr_sendmsg_in",
	  "fentry/security_socket_sendmsg (a connection's tag in)", FMODRET, -1, NULL, 0 },
	{ "vipc_fr_recvmsg_in", "link_fr_recvmsg_in",
	  "fentry/security_socket_recvmsg (a connection's tag in)", FMODRET, -1, NULL, 0 },
	{ "vipc_fr_stream_connect_out", "link_fr_stream_connect_out",
	  "fexit/security_unix_stream_connect (an admitted connection's tag out)", FMODRET, -1,
	  NULL, 0 },
	{ "vipc_fr_socket_connect_out", "link_fr_socket_connect_out",
	  "fexit/security_socket_connect (an admitted port connection's tag out)", FMODRET, -1,
	  NULL, 0 },
	{ "vipc_cgroup_mkdir", "link_cgroup_mkdir", "tp_btf/cgroup_mkdir (binds selected cgroups)",
	  0, -1, NULL, 0 },
	{ "vipc_cgroup_rmdir", "link_cgroup_rmdir", "tp_btf/cgroup_rmdir (unbinds, cleanup)", 0,
	  -1, NULL, 0 },
};
const int vipc_nr_hooks = sizeof(vipc_hooks) / sizeof(vipc_hooks[0]);

const char *vipc_hook_name(unsigned int hook)
{
	int i;

	for (i = 0; i < vipc_nr_hooks; i++)
		if (vipc_hooks[i].stat >= 0 && (unsigned int)vipc_hooks[i].stat == hook)
			return vipc_hooks[i].name;
	return "?";
}

#define SECURITYFS "/sys/kernel/security"

/* VIPC_PINS by index: where each fd is, its pin's name and its program. */
static const struct pin {
	size_t fd; /* offset in struct vipc_state */
	const char *name;
	const char *prog; /* NULL: a map */
} pins[VIPC_NR_PINS] = {
#define PIN_ROW(NAME, field, pin, prog) { offsetof(struct vipc_state, field##_fd), pin, prog },
	VIPC_PINS(PIN_ROW)
#undef PIN_ROW
};

/* @dir/@name into @path (PATH_MAX bytes). */
static const char *pin_path(char *path, const char *dir, const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	return path;
}

int *vipc_pin_fd(struct vipc_state *st, enum vipc_pin i)
{
	return (int *)((char *)st + pins[i].fd);
}

static const cap_value_t needed_caps[] = { CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN };

int vipc_caps_check(char *missing, size_t size)
{
	cap_flag_value_t v;
	size_t i, off = 0;
	cap_t caps;
	char *name;

	missing[0] = 0;
	caps = cap_get_proc();
	if (!caps)
		return -errno;
	for (i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++) {
		if (!cap_get_flag(caps, needed_caps[i], CAP_EFFECTIVE, &v) && v == CAP_SET)
			continue;
		name = cap_to_name(needed_caps[i]);
		off += snprintf(missing + off, off < size ? size - off : 0, "%s%s",
				off ? " " : "", name ? name : "?");
		cap_free(name);
	}
	cap_free(caps);
	for (i = 0; missing[i]; i++)
		if (missing[i] >= 'a' && missing[i] <= 'z')
			missing[i] -= 'a' - 'A';
	return missing[0] ? -EPERM : 0;
}

int vipc_caps_drop(void)
{
	cap_t none = cap_init();
	int err = 0;

	if (!none)
		return -errno;
	if (cap_set_proc(none))
		err = -errno;
	cap_free(none);
	return err;
}

int vipc_mount_bpffs(void)
{
	struct statfs sfs;

	if (!statfs(VIPC_BPFFS, &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", VIPC_BPFFS, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

static int lock_dir(const char *dir, int *fd)
{
	struct stat a, b;
	int err;

	/* Retry when an unload (or an upgrade's rename) replaced the directory
	 * while we waited.
	 */
	for (;;) {
		err = vipc_mount_bpffs();
		if (err)
			return err;
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
		*fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0)
			return -errno;
		if (flock(*fd, LOCK_EX)) {
			err = -errno;
			close(*fd);
			return err;
		}
		if (!fstat(*fd, &a) && !stat(dir, &b) && a.st_ino == b.st_ino)
			return 0;
		close(*fd);
	}
}

int vipc_lock(int *fd)
{
	return lock_dir(VIPC_PIN_DIR, fd);
}

void vipc_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Remove every pin in the directory: links first, so enforcement ends
 * before the maps it reads go away.
 */
static int unpin_all(const char *dir)
{
	struct dirent *de;
	char path[PATH_MAX];
	int pass, err = 0;
	DIR *d;

	for (pass = 0; pass < 2; pass++) {
		d = opendir(dir);
		if (!d)
			return errno == ENOENT ? 0 : -errno;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if ((pass == 0) != !strncmp(de->d_name, "link_", 5))
				continue;
			if (unlink(pin_path(path, dir, de->d_name)) && !err)
				err = -errno;
		}
		closedir(d);
	}
	return err;
}

/* vipc_config[0] from @fd into @cfg. Another ABI version's config may have
 * another size, and looking it up would write past @cfg: -EPROTO then.
 */
static int config_lookup(int fd, struct vipc_config *cfg)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;

	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(*cfg))
		return -EPROTO;
	return bpf_map_lookup_elem(fd, &zero, cfg) ? -errno : 0;
}

/* Read the identity pinned at @dir, or with @write, write @cfg over it. */
static int pinned_config(const char *dir, struct vipc_config *cfg, bool write)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err;

	fd = bpf_obj_get(pin_path(path, dir, pins[VIPC_PIN_CONFIG].name));
	if (fd < 0)
		return -errno;
	if (write)
		err = bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) ? -errno : 0;
	else
		err = config_lookup(fd, cfg);
	close(fd);
	return err;
}

int vipc_pinned_abi(const char *dir)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, *value = NULL;
	char path[PATH_MAX];
	int fd, ret;

	/* Read whole, at its own size: another release's vipc_config may differ. */
	fd = bpf_obj_get(pin_path(path, dir, pins[VIPC_PIN_CONFIG].name));
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = bpf_map_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	if (!ret && info.value_size < 2 * sizeof(__u32))
		ret = -EPROTO;
	if (!ret && !(value = malloc(info.value_size)))
		ret = -ENOMEM;
	if (!ret && bpf_map_lookup_elem(fd, &zero, value))
		ret = -errno;
	if (!ret)
		ret = value[0] == VIPC_MAGIC ? (int)value[1] : 0;
	free(value);
	close(fd);
	return ret;
}

static bool links_pinned(const char *dir, __u32 backends)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < vipc_nr_hooks; i++)
		if ((!vipc_hooks[i].backend || (vipc_hooks[i].backend & backends)) &&
		    access(pin_path(path, dir, vipc_hooks[i].link), F_OK))
			return false;
	for (i = 0; i < VIPC_NR_PINS; i++)
		if (pins[i].prog && access(pin_path(path, dir, pins[i].name), F_OK))
			return false;
	return true;
}

/* Is there a complete, compatible instance at @dir? 1 yes, 0 none (stale
 * pins removed), -EPROTO for another ABI version.
 */
static int probe_pinned(const char *dir)
{
	struct vipc_config cfg = {};
	int err = pinned_config(dir, &cfg, false);

	if (err == -EPROTO)
		return err;
	if (err)
		return unpin_all(dir);
	if (cfg.magic == VIPC_MAGIC && cfg.abi_version != VIPC_ABI_VERSION)
		return -EPROTO;
	if (cfg.magic == VIPC_MAGIC && links_pinned(dir, cfg.backends))
		return 1;
	pr_info("removing an incomplete instance left by an interrupted load\n");
	return unpin_all(dir);
}

/* Rows of vipc_decisions and vipc_agg: a grant's pair, and per container
 * its owner calls, unregistered names and denies.
 */
static __u32 decision_rows(const struct vipc_limits *l)
{
	return l->grants + VIPC_DECISION_ROWS_PER_CONTAINER * l->principals;
}

static void size_maps(struct vipc_bpf *skel, const struct vipc_limits *l)
{
	bpf_map__set_max_entries(skel->maps.vipc_containers, l->principals * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_watch, l->principals * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_decisions, decision_rows(l));
	bpf_map__set_max_entries(skel->maps.vipc_agg, decision_rows(l));
	bpf_map__set_max_entries(skel->maps.vipc_watch_glob, l->principals * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_principals, l->principals * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_endpoints, l->endpoints * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_routes, l->endpoints * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_grants, l->grants * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_views, l->grants * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_channels, l->channels * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_homes, l->principals * VIPC_SLOTS);
	/* The names of both slots, and a socket bound at each. */
	bpf_map__set_max_entries(skel->maps.vipc_bound, l->endpoints * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_bound_socks, l->endpoints * VIPC_SLOTS);
	/* Channel endpoints of both slots; counted connections. */
	bpf_map__set_max_entries(skel->maps.vipc_chan_live, l->channels * VIPC_SLOTS);
	bpf_map__set_max_entries(skel->maps.vipc_chan_conns, l->connections);
	if (l->prealloc_grants)
		bpf_map__set_map_flags(skel->maps.vipc_grants,
				       bpf_map__map_flags(skel->maps.vipc_grants) & ~BPF_F_NO_PREALLOC);
}

static int pin_with_mode(int (*pin)(void *, const char *), void *obj, const char *dir,
			 const char *name)
{
	char path[PATH_MAX];

	if (pin(obj, pin_path(path, dir, name)))
		return -errno;
	return chmod(path, 0600) ? -errno : 0;
}

/* Load only the programs of the chosen backends: one object for every kernel. */
/* The callers' containers remembered per cgroup where the kernel has
 * cgroup local storage (Linux 6.2+); elsewhere the map is not made and
 * every call climbs (the programs' use of it is dead code then).
 */
static void select_pcache(struct vipc_bpf *skel)
{
	bool have = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_CGRP_STORAGE, NULL) == 1;

	skel->rodata->have_cgrp_storage = have;
	if (!have)
		bpf_map__set_autocreate(skel->maps.vipc_pcache, false);
}

static void select_programs(struct vipc_bpf *skel, __u32 backends)
{
	struct bpf_program *prog;
	int i;

	for (i = 0; i < vipc_nr_hooks; i++) {
		prog = bpf_object__find_program_by_name(skel->obj, vipc_hooks[i].prog);
		if (vipc_hooks[i].backend && !(vipc_hooks[i].backend & backends))
			bpf_program__set_autoload(prog, false);
	}
}

static int attach_hooks(struct vipc_bpf *skel, const char *dir, const char *cgroot)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	int i, cgfd, err = 0;
	bool cg;

	cgfd = open(cgroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return -errno;
	for (i = 0; i < vipc_nr_hooks && !err; i++) {
		prog = bpf_object__find_program_by_name(skel->obj, vipc_hooks[i].prog);
		if (!bpf_program__autoload(prog))
			continue;
		cg = bpf_program__type(prog) == BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
		link = cg ? bpf_program__attach_cgroup(prog, cgfd) : bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			pr_warn("attach %s%s%s: %s\n", vipc_hooks[i].what, cg ? " on " : "",
				cg ? cgroot : "", strerror(-err));
			break;
		}
		err = pin_with_mode((int (*)(void *, const char *))bpf_link__pin, link, dir,
				    vipc_hooks[i].link);
		bpf_link__destroy(link);
	}
	close(cgfd);
	return err;
}

static int pin_syscall_progs(struct vipc_bpf *skel, const char *dir)
{
	struct bpf_program *prog;
	char path[PATH_MAX];
	int i;

	for (i = 0; i < VIPC_NR_PINS; i++) {
		if (!pins[i].prog)
			continue;
		prog = bpf_object__find_program_by_name(skel->obj, pins[i].prog);
		if (!prog || bpf_obj_pin(bpf_program__fd(prog), pin_path(path, dir, pins[i].name)) ||
		    chmod(path, 0600))
			return prog ? -errno : -ENOENT;
	}
	return 0;
}

/* Maps are pinned by libbpf at load; chmod them to 0600. */
static int restrict_map_pins(struct vipc_bpf *skel)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__pin_path(map) && chmod(bpf_map__pin_path(map), 0600))
			return -errno;
	}
	return 0;
}

static int write_identity(struct vipc_bpf *skel, __u32 backends)
{
	struct vipc_config cfg = {
		.magic = VIPC_MAGIC,
		.abi_version = VIPC_ABI_VERSION,
		.next_container = 1,
		.next_endpoint = 1,
		.backends = backends,
		.events_interval_ns = VIPC_EVENTS_INTERVAL_MS * 1000000ULL,
	};
	LIBBPF_OPTS(bpf_test_run_opts, run);
	__u32 zero = 0;

	/* The identity, then the flush of the events it aggregates. */
	if (bpf_map__update_elem(skel->maps.vipc_config, &zero, sizeof(zero), &cfg, sizeof(cfg),
				 BPF_ANY))
		return -errno;
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.vipc_start_stats), &run))
		return -errno;
	return (int)run.retval;
}

static int load_fresh(const char *dir, const struct vipc_limits *limits, __u32 backends,
		      const char *cgroot)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dir);
	struct vipc_bpf *skel;
	int err, cpus;

	/* Phase 1: open, size, load (libbpf pins the maps). */
	skel = vipc_bpf__open_opts(&opts);
	if (!skel)
		return -errno;
	cpus = libbpf_num_possible_cpus();
	skel->rodata->nr_cpus = cpus > 0 ? cpus : 1;
	skel->rodata->count_decisions = !limits->no_decisions;
	skel->rodata->peer_backend = !!(backends & VIPC_BACKEND_PEER);
	skel->rodata->time_steps = limits->time_steps;
	size_maps(skel, limits);
	select_pcache(skel);
	select_programs(skel, backends);
	err = vipc_bpf__load(skel);
	if (err) {
		pr_warn("loading BPF programs: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Phase 2: attach and pin; the identity last marks the pin complete. */
	err = restrict_map_pins(skel);
	if (!err)
		err = attach_hooks(skel, dir, cgroot);
	if (!err)
		err = pin_syscall_progs(skel, dir);
	if (!err)
		err = write_identity(skel, backends);
cleanup:
	vipc_bpf__destroy(skel);
	if (err)
		unpin_all(dir);
	return err;
}

int vipc_load(const char *dir, const struct vipc_limits *limits, __u32 backends,
	      const char *cgroot, bool *adopted)
{
	int err;

	err = probe_pinned(dir);
	if (err < 0)
		return err;
	*adopted = err == 1;
	return *adopted ? 0 : load_fresh(dir, limits, backends, cgroot);
}

/* A two-instruction program: r0 = @ret; exit. */
static int trial_load(enum bpf_prog_type type, struct bpf_prog_load_opts *opts, int ret)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(type, NULL, "GPL", insns, 2, opts);
}

/* Socket backend: does the kernel know the cgroup UNIX connect hook? */
static bool probe_sock(char *why, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_CGROUP_UNIX_CONNECT);
	int fd = trial_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, &opts, 1);

	if (fd < 0) {
		snprintf(why, size, "no cgroup UNIX socket hooks in this kernel (Linux 6.7+): %s",
			 strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* Is "bpf" in the active LSM list (mounting securityfs to read it)? */
static bool bpf_lsm_active(char *why, size_t size)
{
	char list[512] = "", *tok, *save;
	struct statfs sfs;
	ssize_t n;
	int fd;

	if (statfs(SECURITYFS, &sfs) || sfs.f_type != SECURITYFS_MAGIC)
		mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	fd = open(SECURITYFS "/lsm", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, list, sizeof(list) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		snprintf(why, size, "cannot read %s/lsm: %s", SECURITYFS, strerror(errno));
		return false;
	}
	list[n] = 0;
	for (tok = strtok_r(list, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save))
		if (!strcmp(tok, "bpf"))
			return true;
	snprintf(why, size, "bpf is not an active LSM (boot with lsm=...,bpf)");
	return false;
}

/* The vmlinux BTF id of function @name, or 0 (@why says so). */
static __u32 kernel_func(const char *name, char *why, size_t size)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) : -1;

	btf__free(btf);
	if (id > 0)
		return id;
	snprintf(why, size, "no BTF for %s", name);
	return 0;
}

/* A trial program of @type attached to kernel function @func and let go:
 * whether the kernel takes it; when not, @why says which step failed.
 */
static bool trial_attach(enum bpf_prog_type type, enum bpf_attach_type at, const char *func,
			 const char *what, char *why, size_t size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = at);
	int fd, link;

	opts.attach_btf_id = kernel_func(func, why, size);
	if (!opts.attach_btf_id)
		return false;
	fd = trial_load(type, &opts, 0);
	link = fd >= 0 ? bpf_link_create(fd, 0, at, NULL) : -1;
	if (link < 0)
		snprintf(why, size, "the kernel refused a trial %s program (%s): %s", what,
			 fd < 0 ? "load" : "attach", strerror(errno));
	if (link >= 0)
		close(link);
	if (fd >= 0)
		close(fd);
	return link >= 0;
}

/* LSM backend: active, and a trial program loads and attaches. */
static bool probe_lsm(char *why, size_t size)
{
	return bpf_lsm_active(why, size) &&
	       trial_attach(BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "bpf_lsm_socket_bind", "BPF LSM", why,
			    size);
}

/* fmodret backend: BPF trampolines take an fmod_ret program on a security_
 * function (whatever LSMs are active).
 */
static bool probe_fmodret(char *why, size_t size)
{
	return trial_attach(BPF_PROG_TYPE_TRACING, BPF_MODIFY_RETURN, "security_socket_bind",
			    "fmod_ret", why, size);
}

void vipc_probe_backends(struct vipc_probe *p)
{
	static bool (*const probe[VIPC_NR_BACKENDS])(char *, size_t) = {
		probe_sock, probe_lsm, probe_fmodret,
	};
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < VIPC_NR_BACKENDS; i++)
		if (probe[i](p->why_not[i], sizeof(p->why_not[i])))
			p->available |= 1U << i;
}

/* auto: the socket backend where the kernel has it, beside the LSM one
 * where BPF LSM is active, else the fmodret one where trampolines load.
 */
static __u32 auto_backends(__u32 available)
{
	__u32 peer = available & VIPC_BACKEND_LSM ?: available & VIPC_BACKEND_FMODRET;

	return (available & VIPC_BACKEND_SOCK) | peer;
}

int vipc_pick_backends(__u32 asked, __u32 *out)
{
	struct vipc_probe p;
	__u32 missing;
	int i;

	vipc_probe_backends(&p);
	missing = asked & ~p.available;
	for (i = 0; i < VIPC_NR_BACKENDS; i++)
		if (missing & (1U << i))
			pr_warn("%s backend unavailable: %s\n", vipc_backend_names[i], p.why_not[i]);
	if (missing)
		return -ENOTSUP;
	*out = asked ?: auto_backends(p.available);
	if (!*out) {
		pr_warn("no enforcement backend: %s; %s; %s\n", p.why_not[0], p.why_not[1],
			p.why_not[2]);
		return -ENOTSUP;
	}
	if (!asked && !(*out & VIPC_BACKEND_PEER))
		pr_warn("only the socket backend (lsm: %s; fmodret: %s): it decides by the name a "
			"client passes, so it cannot stop a socket reached by another name (links, "
			"relative paths, /proc, mounts), a name squatted first, fds passed, or calls "
			"on a connection made earlier\n", p.why_not[1], p.why_not[2]);
	return 0;
}

/* Linux 7.3 (bpf merge 564b7e8e09ec, queued for 7.2.y in October 2026)
 * keeps a program detached from a BPF trampoline until no task can still
 * call it; Debian's 6.1.192 and 6.12.117 lack it.
 */
int vipc_kernel_frees_busy_progs(const char *release)
{
	unsigned int major, minor;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return -1;
	if (major > 7 || (major == 7 && minor > 3))
		return 0;
	if (major == 7 && minor == 3)
		return strstr(release, "-rc") ? -1 : 0;
	return major == 7 && minor == 2 ? -1 : 1;
}

void vipc_warn_kernel(__u32 backends)
{
	struct utsname u;
	int frees;

	if (!(backends & VIPC_BACKEND_PEER) || uname(&u))
		return;
	frees = vipc_kernel_frees_busy_progs(u.release);
	if (frees)
		pr_warn("warning: Linux %s %s the fix for BPF programs freed while a trampoline "
			"still runs them (Linux 7.3): unload keeps vipc's programs until the old "
			"trampolines are freed, but other BPF LSM, fentry or fmod_ret programs "
			"unloaded under traffic can crash it (docs/backends.md)\n",
			u.release, frees > 0 ? "lacks (unless backported)" : "may lack");
}

int vipc_hook_link_open(int i)
{
	char path[PATH_MAX];

	return bpf_obj_get(pin_path(path, VIPC_PIN_DIR, vipc_hooks[i].link));
}

__u64 vipc_hook_cgroup_id(int fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_link_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_CGROUP)
		return 0;
	return info.cgroup.cgroup_id;
}

/* Of each pinned link, what unload holds: its program, open until no
 * trampoline image can call it, and its trampoline's key (0 for none).
 */
struct held_prog {
	__u64 tramp;
	__u32 id;
	int fd;
};

#define KALLSYMS "/proc/kallsyms"
#define TRAMP_KERNEL_BIT 0x80000000ULL /* in a key on kernel BTF, not in link info */
#define MAX_IMAGES 32
#define MAX_HELD 64 /* links of one instance, whatever release pinned it */
#define IMAGES_WAIT_MS 30000

__u64 vipc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Open the programs behind the links pinned at @dir (link_*, whichever
 * release pinned them), at most MAX_HELD. An LSM link goes through its
 * hook's trampoline, keyed BTF object id << 32 | BTF id (its link info).
 */
static int hold_progs(const char *dir, struct held_prog *h)
{
	struct bpf_link_info info;
	char path[PATH_MAX];
	struct dirent *de;
	int fd, n = 0;
	__u32 len;
	DIR *d;

	d = opendir(dir);
	while (d && n < MAX_HELD && (de = readdir(d))) {
		if (strncmp(de->d_name, "link_", 5))
			continue;
		fd = bpf_obj_get(pin_path(path, dir, de->d_name));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_link_get_info_by_fd(fd, &info, &len)) {
			h[n].id = info.prog_id;
			h[n].fd = bpf_prog_get_fd_by_id(info.prog_id);
			h[n].tramp = info.type != BPF_LINK_TYPE_TRACING ? 0 :
				     (__u64)info.tracing.target_obj_id << 32 |
					     info.tracing.target_btf_id;
			n++;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	return n;
}

/* The addresses of the images of @h's trampolines that exist now
 * ("bpf_trampoline_KEY" in kallsyms; 0 where kallsyms hides addresses),
 * at most @max; 0 when @h has no trampoline, -ENOENT when none is listed.
 */
static int tramp_images(const struct held_prog *h, int n, unsigned long *addr, int max)
{
	unsigned long long key;
	unsigned long a;
	char line[256];
	int i, found = 0;
	FILE *f;

	for (i = 0; i < n && !h[i].tramp; i++)
		;
	if (i == n)
		return 0;
	f = fopen(KALLSYMS, "re");
	if (!f)
		return -errno;
	while (found < max && fgets(line, sizeof(line), f)) {
		if (!strstr(line, " bpf_trampoline_") ||
		    sscanf(line, "%lx %*c bpf_trampoline_%llu", &a, &key) != 2)
			continue;
		for (i = 0; i < n; i++)
			if (h[i].tramp && h[i].tramp == (key & ~TRAMP_KERNEL_BIT)) {
				addr[found++] = a;
				break;
			}
	}
	fclose(f);
	return found ?: -ENOENT;
}

/* Wait until none of the @n images at @addr is left. The kernel frees an
 * image once no task can be in it (RCU tasks grace periods, and for hooks
 * that return a value, every caller gone); until then it may still call the
 * programs it was built with, which kernels before 7.3 free as soon as their
 * link is gone (see docs/backends.md, "Unloading under traffic").
 */
static void wait_images(const struct held_prog *h, int nh, const unsigned long *addr, int n)
{
	unsigned long now[MAX_IMAGES];
	__u64 start = vipc_now_ms();
	int i, j, m, left = n;

	while (left && vipc_now_ms() - start < IMAGES_WAIT_MS) {
		usleep(100 * 1000);
		m = tramp_images(h, nh, now, MAX_IMAGES);
		for (i = 0, left = 0; i < n; i++)
			for (j = 0; j < m; j++)
				if (now[j] == addr[i]) {
					left++;
					break;
				}
	}
	if (left)
		pr_warn("%d BPF trampoline image(s) still in use after %d s: their programs are "
			"let go anyway\n", left, IMAGES_WAIT_MS / 1000);
	else if (n)
		pr_debug("trampolines freed after %llu ms\n", (unsigned long long)(vipc_now_ms() - start));
}

/* The kernel frees a program some time after the last reference is gone
 * (a work item): wait, up to 10 s, until none of @h is left, so enforcement
 * has ended when unload returns.
 */
static void wait_released(const struct held_prog *h, int n)
{
	int i, fd, tries, left = n;

	for (tries = 0; left && tries < 1000; tries++) {
		for (i = 0, left = 0; i < n; i++) {
			fd = bpf_prog_get_fd_by_id(h[i].id);
			if (fd >= 0) {
				left++;
				close(fd);
			}
		}
		if (left)
			usleep(10 * 1000);
	}
	if (left)
		pr_warn("%d program(s) still held by the kernel after 10 s\n", left);
}

/* Clear the identity: every hook's first step (vipc_start) sees no policy
 * and lets the call through, at once on every hook; an instance left so by
 * a failed unload reads as not loaded, and the next load replaces it.
 */
static int quiesce(const char *dir)
{
	struct vipc_config cfg;
	int err;

	/* None, or another ABI's (unpinned as it is): nothing to clear. */
	err = pinned_config(dir, &cfg, false);
	if (err)
		return err == -EPROTO || err == -ENOENT ? 0 : err;
	cfg.magic = 0;
	return pinned_config(dir, &cfg, true);
}

/* Hold the programs, enforcement off, every pin removed one at a time
 * (links first: the kernel rebuilds each hook's trampoline without vipc),
 * the programs let go once no old trampoline image can call them; the
 * maps go with the last program.
 */
int vipc_unload_dir(const char *dir)
{
	struct held_prog h[MAX_HELD];
	unsigned long images[MAX_IMAGES];
	int i, n, ni, err;

	n = hold_progs(dir, h);
	ni = tramp_images(h, n, images, MAX_IMAGES);
	if (ni < 0)
		pr_warn("no BPF trampoline image of vipc's hooks in %s (%s): not waiting for them\n",
			KALLSYMS, strerror(-ni));
	err = quiesce(dir);
	if (err)
		pr_warn("clearing the identity: %s\n", strerror(-err));
	err = unpin_all(dir);
	wait_images(h, n, images, ni > 0 ? ni : 0);
	for (i = 0; i < n; i++)
		if (h[i].fd >= 0)
			close(h[i].fd);
	wait_released(h, n);
	return err;
}

/* End the instance at @dir and remove the directory: -ENOENT when none is
 * pinned there.
 */
static int unload_at(const char *dir)
{
	struct vipc_config cfg;
	int err;

	if (pinned_config(dir, &cfg, false) == -ENOENT &&
	    !links_pinned(dir, VIPC_BACKEND_SOCK | VIPC_BACKEND_PEER))
		err = -ENOENT;
	else
		err = vipc_unload_dir(dir);
	if (!err && rmdir(dir))
		err = -errno;
	if (err == -ENOENT)
		rmdir(dir);
	return err;
}

int vipc_unload(void)
{
	/* An interrupted upgrade's instances too: each enforces while pinned. */
	static const char *const dirs[] = { VIPC_NEW_DIR, VIPC_NEXT_DIR, VIPC_PIN_DIR };
	int fd, i, ret, err;

	err = vipc_lock(&fd);
	if (err)
		return err;
	/* -ENOENT unless one was pinned; then 0 or the first failure. */
	for (i = 0, err = -ENOENT; i < 3; i++) {
		ret = unload_at(dirs[i]);
		if (ret != -ENOENT && (err == -ENOENT || !err))
			err = ret;
	}
	vipc_unlock(fd);
	return err;
}

int vipc_config_read(struct vipc_state *st)
{
	return config_lookup(st->config_fd, &st->cfg);
}

bool vipc_slot_moved(struct vipc_state *st)
{
	struct vipc_config cfg;
	__u32 zero = 0;

	/* Only the slot: a writer's st->cfg may hold changes not yet written. */
	if (bpf_map_lookup_elem(st->config_fd, &zero, &cfg) ||
	    cfg.active_slot == st->cfg.active_slot)
		return false;
	st->cfg.active_slot = cfg.active_slot;
	return true;
}

int vipc_config_write(struct vipc_state *st)
{
	__u32 zero = 0;

	if (st->lock_fd < 0)
		return -ENOLCK; /* it rewrites the live slot: unlocked, it could undo a reload */
	return bpf_map_update_elem(st->config_fd, &zero, &st->cfg, BPF_ANY) ? -errno : 0;
}

static __u32 slot_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries / VIPC_SLOTS;
}

static int open_pins(struct vipc_state *st, bool rdonly)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	char path[PATH_MAX];
	int i, *fd;

	for (i = 0; i < VIPC_NR_PINS; i++) {
		/* Programs open read-write only; a reader needs none. */
		if (rdonly && pins[i].prog)
			continue;
		fd = vipc_pin_fd(st, i);
		*fd = bpf_obj_get_opts(pin_path(path, st->dir, pins[i].name), rdonly ? &ro : NULL);
		if (*fd < 0)
			return errno == ENOENT ? -ENOENT : -errno;
	}
	return 0;
}

/* The pinned identity: -ENOENT when never written, -EPROTO for another ABI. */
static int check_identity(struct vipc_state *st)
{
	int err = vipc_config_read(st);

	if (err)
		return err;
	if (st->cfg.magic != VIPC_MAGIC)
		return -ENOENT;
	return st->cfg.abi_version == VIPC_ABI_VERSION ? 0 : -EPROTO;
}

static int state_open(struct vipc_state *st, const char *dir, bool lock, bool rdonly)
{
	int i, err;

	memset(st, 0, sizeof(*st));
	st->dir = dir;
	st->lock_fd = -1;
	for (i = 0; i < VIPC_NR_PINS; i++)
		*vipc_pin_fd(st, i) = -1;

	/* Phase 1: lock and open every pin; a missing one means not loaded,
	 * unless the identity says another ABI version (which may lack one).
	 */
	err = lock ? lock_dir(dir, &st->lock_fd) : rdonly ? 0 : vipc_mount_bpffs();
	if (!err)
		err = open_pins(st, rdonly);
	if (st->config_fd >= 0)
		err = check_identity(st) ?: err;
	if (err)
		goto err_close;

	/* Phase 2: map the registry counters (a read-only fd maps no shared memory). */
	if (!rdonly)
		st->reg = mmap(NULL, sizeof(*st->reg), PROT_READ | PROT_WRITE, MAP_SHARED,
			       st->registry_fd, 0);
	if (st->reg == MAP_FAILED) {
		st->reg = NULL;
		err = -errno;
		goto err_close;
	}
	st->limits.principals = slot_entries(st->principals_fd);
	st->limits.endpoints = slot_entries(st->endpoints_fd);
	st->limits.grants = slot_entries(st->grants_fd);
	st->limits.channels = slot_entries(st->channels_fd);
	return 0;
err_close:
	vipc_state_close(st);
	return err;
}

int vipc_state_open(struct vipc_state *st, bool lock)
{
	return state_open(st, VIPC_PIN_DIR, lock, false);
}

int vipc_state_open_at(struct vipc_state *st, const char *dir, bool lock)
{
	return state_open(st, dir, lock, false);
}

int vipc_state_open_ro(struct vipc_state *st)
{
	return state_open(st, VIPC_PIN_DIR, false, true);
}

/* The id of the map @fd refers to; 0 when it cannot be read. */
static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_map_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

bool vipc_state_pinned(const struct vipc_state *st)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	char path[PATH_MAX];
	int fd = bpf_obj_get_opts(pin_path(path, st->dir, pins[VIPC_PIN_CONFIG].name), &ro);
	__u32 id;

	if (fd < 0)
		return false;
	id = map_id(fd);
	close(fd);
	return id && id == map_id(st->config_fd);
}

void vipc_state_close(struct vipc_state *st)
{
	int i, *fd;

	if (st->reg)
		munmap(st->reg, sizeof(*st->reg));
	st->reg = NULL;
	for (i = 0; i < VIPC_NR_PINS; i++) {
		fd = vipc_pin_fd(st, i);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	vipc_unlock(st->lock_fd);
	st->lock_fd = -1;
}
