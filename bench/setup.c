// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What the configurations need: cgroups registered as containers, vipc
 * loaded and unloaded through the loader, policies built in memory and
 * applied with the loader's own vipc_apply, socat, Landlock, BPF run-time
 * statistics and a ring buffer reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "cgroup.h"
#include "registry.h"

#define FAKE_CGROUP (1ULL << 48) /* filler containers' cgroup ids: no such cgroup */

/* ---- cgroups ---- */

/* Exits when there is no cgroup2 mount. */
const char *b_cgroot(void)
{
	static struct vipc_cgroot root;

	if (!root.path[0] && vipc_cgroup_find(NULL, &root))
		exit(1);
	return root.path;
}

int b_cgroup_make(const char *rel)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", b_cgroot(), rel);
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

int b_cgroup_enter(const char *rel)
{
	char path[PATH_MAX + 64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", b_cgroot(), rel);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

__u64 b_cgroup_id(const char *rel)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", b_cgroot(), rel);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* Kill what is left in cgroup @path and below, then remove them, deepest
 * first (retrying while the killed processes exit).
 */
static void cgroup_remove(const char *path)
{
	char sub[PATH_MAX + 64];
	struct dirent *e;
	int fd, i;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/cgroup.kill", path);
	fd = open(sub, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			perror("bench: cgroup.kill");
		close(fd);
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		cgroup_remove(sub);
	}
	if (d)
		closedir(d);
	for (i = 0; i < 200 && rmdir(path) && errno == EBUSY; i++)
		usleep(10 * 1000);
}

void b_cgroup_remove(const char *rel)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", b_cgroot(), rel);
	cgroup_remove(path);
}

/* ---- vipc ---- */

static int run(const char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -EINTR;
}

bool b_vipc_loaded(void)
{
	return !access(VIPC_PIN_DIR "/vipc_config", F_OK);
}

/* Load with tables for the largest policy and the options @opts (the
 * booleans' flags, in order; NULL for off).
 */
static int load_with(const char *loader, const char *const opts[3])
{
	const char *argv[13] = { loader, "--max-containers", "110000", "--max-endpoints", "110000",
				 "--max-grants", "1100000", "load", "-q" };
	int n = 9, i;

	for (i = 0; i < 3; i++)
		if (opts[i])
			argv[n++] = opts[i];
	return run(argv) ? -EIO : 0;
}

int b_vipc_load(const char *loader, bool prealloc_grants, bool counters)
{
	const char *opts[3] = { prealloc_grants ? "--prealloc-grants" : NULL,
				counters ? NULL : "--no-decisions" };

	return load_with(loader, opts);
}

int b_vipc_load_timed(const char *loader)
{
	const char *opts[3] = { [2] = "--time-steps" };

	return load_with(loader, opts);
}

int b_vipc_unload(const char *loader)
{
	const char *argv[] = { loader, "unload", "-q", NULL };

	return b_vipc_loaded() && run(argv) ? -EIO : 0;
}

/* ---- policies in memory ---- */

static void add_container(struct vipc_policy *p, const char *name, __u64 cgid, bool audit)
{
	struct vipc_policy_container *c = &p->containers[p->nr_containers++];

	snprintf(c->name, sizeof(c->name), "%s", name);
	c->cgroup_id = cgid;
	c->mode = audit ? VIPC_MODE_AUDIT : VIPC_MODE_ENFORCE;
}

static void add_endpoint(struct vipc_policy *p, const char *name, const char *owner,
			 const char *addr, enum vipc_others others)
{
	struct vipc_policy_endpoint *e = &p->endpoints[p->nr_endpoints++];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->others = others;
	e->others_set = true;
	snprintf(e->owner, sizeof(e->owner), "%s", owner);
	vipc_addr_parse(addr, &e->kind, e->addr, &e->len);
}

static void add_grant(struct vipc_policy *p, const char *container, const char *endpoint)
{
	struct vipc_policy_grant *g = &p->grants[p->nr_grants++];

	snprintf(g->container, sizeof(g->container), "%s", container);
	snprintf(g->endpoint, sizeof(g->endpoint), "%s", endpoint);
	g->perms = VIPC_PERM_CONNECT | VIPC_PERM_SEND;
}

/* The bench's client (unless unlisted) and server and its four sockets. */
static void add_bench(struct vipc_policy *p, const struct b_spec *s)
{
	const char *names[] = { "stream-path", "stream-abs", "dgram-path", "dgram-abs" };
	char addr[4][128];
	int i;

	if (!s->unlisted)
		add_container(p, "client", b_cgroup_id(B_CGROUP "/client"), s->audit);
	add_container(p, "server", b_cgroup_id(B_CGROUP "/server"), false);
	snprintf(addr[0], sizeof(addr[0]), "%s", s->addrs->stream_path);
	snprintf(addr[1], sizeof(addr[1]), "@%s", s->addrs->stream_abs);
	snprintf(addr[2], sizeof(addr[2]), "%s", s->addrs->dgram_path);
	snprintf(addr[3], sizeof(addr[3]), "@%s", s->addrs->dgram_abs);
	for (i = 0; i < 4; i++) {
		add_endpoint(p, names[i], "server", addr[i],
			     s->unlisted ? VIPC_OTHERS_ALLOW : VIPC_OTHERS_DENY);
		if (s->granted)
			add_grant(p, "client", names[i]);
	}
}

/* Container B_SELECTED by @sel, resolved by the loader's own
 * vipc_policy_resolve() (alone: the others are built with their ids), and
 * the cgroup root the policy is then resolved under.
 */
static int add_selector(struct vipc_policy *p, const char *sel)
{
	struct vipc_policy_container *c = &p->containers[p->nr_containers];
	struct vipc_policy one = { .containers = c, .nr_containers = 1 };
	struct vipc_policy_error perr;
	int err;

	add_container(p, B_SELECTED, 0, false);
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", sel);
	c->glob = strpbrk(sel, "*?");
	err = vipc_policy_resolve(&one, b_cgroot(), "/proc", &perr);
	if (err)
		fprintf(stderr, "bench: selector %s: %s\n", sel, perr.msg);
	snprintf(p->cgroot, sizeof(p->cgroot), "%s", one.cgroot);
	return err;
}

struct b_spec b_spec_for(const struct b_addrs *a, size_t grants, bool audit)
{
	struct b_spec s = { .addrs = a, .audit = audit, .granted = !audit };

	s.fill_grants = a && grants > 4 && grants < 1000000 ? grants - 4 : grants;
	s.fill_endpoints = s.fill_grants / 10 ?: 1;
	s.fill_containers = s.fill_endpoints < 10 ? 10 : s.fill_endpoints > 1000 ? 1000 :
						     s.fill_endpoints;
	return s;
}

struct vipc_policy *b_policy(const struct b_spec *s)
{
	struct vipc_policy *p = calloc(1, sizeof(*p));
	char a[32], b[32], addr[64];
	size_t i;

	if (!p)
		return NULL;
	p->events_interval_ms = s->every_event ? 0 : VIPC_EVENTS_INTERVAL_MS;
	p->containers = calloc(s->fill_containers + 3, sizeof(*p->containers));
	p->endpoints = calloc(s->fill_endpoints + 4, sizeof(*p->endpoints));
	p->grants = calloc(s->fill_grants + 4, sizeof(*p->grants));
	if (!p->containers || !p->endpoints || !p->grants) {
		vipc_policy_free(p);
		return NULL;
	}
	if (s->addrs)
		add_bench(p, s);
	for (i = 0; i < s->fill_containers; i++) {
		snprintf(a, sizeof(a), "f%zu", i);
		add_container(p, a, FAKE_CGROUP + i, false);
	}
	for (i = 0; i < s->fill_endpoints; i++) {
		snprintf(a, sizeof(a), "e%zu", i);
		snprintf(b, sizeof(b), "f%zu", i % s->fill_containers);
		snprintf(addr, sizeof(addr), "/vipc-bench/fill/%zu.sock", i);
		add_endpoint(p, a, b, addr, VIPC_OTHERS_DENY);
	}
	for (i = 0; i < s->fill_grants; i++) {
		snprintf(a, sizeof(a), "f%zu", (i / s->fill_endpoints) % s->fill_containers);
		snprintf(b, sizeof(b), "e%zu", i % s->fill_endpoints);
		add_grant(p, a, b);
	}
	if (s->selector && add_selector(p, s->selector)) {
		vipc_policy_free(p);
		return NULL;
	}
	return p;
}

int b_apply(const struct b_spec *s)
{
	struct vipc_policy *p = b_policy(s);
	struct vipc_state st;
	char msg[256];
	int err;

	if (!p)
		return -ENOMEM;
	err = vipc_state_open(&st, true);
	if (!err) {
		err = vipc_apply(&st, p);
		if (err)
			fprintf(stderr, "bench: apply: %s\n", vipc_err_take(&st.err, err, msg, sizeof(msg)));
		vipc_state_close(&st);
	}
	vipc_policy_free(p);
	return err;
}

/* ---- socat ---- */

static pid_t spawn_socat(const char *listen, const char *connect)
{
	const char *argv[] = { "socat", listen, connect, NULL };
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp("socat", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* One socat per socket, in front of the server; waits until they listen. */
pid_t b_socat_start(const struct b_addrs *a)
{
	char l[4][160], c[4][160];
	int i;

	snprintf(l[0], sizeof(l[0]), "UNIX-LISTEN:%s/pstream.sock,fork,unlink-early", a->proxy_dir);
	snprintf(c[0], sizeof(c[0]), "UNIX-CONNECT:%s", a->stream_path);
	snprintf(l[1], sizeof(l[1]), "ABSTRACT-LISTEN:p%s,fork", a->stream_abs);
	snprintf(c[1], sizeof(c[1]), "ABSTRACT-CONNECT:%s", a->stream_abs);
	snprintf(l[2], sizeof(l[2]), "UNIX-RECV:%s/pdgram.sock,unlink-early", a->proxy_dir);
	snprintf(c[2], sizeof(c[2]), "UNIX-SENDTO:%s", a->dgram_path);
	snprintf(l[3], sizeof(l[3]), "ABSTRACT-RECV:p%s", a->dgram_abs);
	snprintf(c[3], sizeof(c[3]), "ABSTRACT-SENDTO:%s", a->dgram_abs);
	for (i = 0; i < 4; i++)
		if (spawn_socat(l[i], c[i]) < 0)
			return -1;
	usleep(300 * 1000);
	return 0;
}

/* ---- Landlock ---- */

#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif

/* The ABI 6 ruleset attribute (newer than this system's headers). */
struct b_landlock_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net;
	__u64 scoped;
};

/* A domain that only scopes abstract UNIX sockets, for this process and
 * what it forks next.
 */
int b_landlock_scope(void)
{
	struct b_landlock_ruleset_attr attr = { .scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET };
	int fd, err = 0;

	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_landlock_restrict_self, fd, 0))
		err = -errno;
	close(fd);
	return err;
}

/* ---- BPF run-time statistics ---- */

int b_bpf_stats_enable(void)
{
	int fd = syscall(__NR_bpf, BPF_ENABLE_STATS, &(union bpf_attr){ .enable_stats.type = BPF_STATS_RUN_TIME },
			 sizeof(union bpf_attr));

	return fd < 0 ? -errno : fd; /* on while the fd stays open */
}

/* The floor: programs that do nothing but allow (r0 = 1; exit), as the
 * connect and sendto hooks of cgroup @rel. What bpf_stats gives them per
 * run is the cost any program at those hooks has, measuring included.
 */
int b_floor_attach(struct b_floor *f, const char *rel)
{
	static const char *const sec[2] = { "cgroup/connect_unix", "cgroup/sendmsg_unix" };
	const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	enum bpf_prog_type type;
	char path[PATH_MAX + 64];
	int i, err = 0;

	f->prog[0] = f->prog[1] = -1;
	snprintf(path, sizeof(path), "%s/%s", b_cgroot(), rel);
	f->cg = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->cg < 0)
		return -errno;
	for (i = 0; i < 2 && !err; i++) {
		if (libbpf_prog_type_by_name(sec[i], &type, &f->type[i])) {
			err = -EOPNOTSUPP;
			break;
		}
		opts.expected_attach_type = f->type[i];
		f->prog[i] = bpf_prog_load(type, "vipc_floor", "GPL", prog, 2, &opts);
		if (f->prog[i] < 0 || bpf_prog_attach(f->prog[i], f->cg, f->type[i], BPF_F_ALLOW_MULTI))
			err = -errno;
	}
	if (err)
		b_floor_detach(f);
	return err;
}

/* Detach and close the floor programs. */
void b_floor_detach(struct b_floor *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (f->prog[i] >= 0 && f->cg >= 0)
			bpf_prog_detach2(f->prog[i], f->cg, f->type[i]);
		if (f->prog[i] >= 0)
			close(f->prog[i]);
		f->prog[i] = -1;
	}
	if (f->cg >= 0)
		close(f->cg);
	f->cg = -1;
}

static bool listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(name, *names))
			return true;
	return false;
}

void b_prog_stats(const char *const *names, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info;
	__u32 id = 0, len;
	int fd;

	*ns = *cnt = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) && listed(names, info.name)) {
			*ns += info.run_time_ns;
			*cnt += info.run_cnt;
		}
		close(fd);
	}
}

/* The deciding hooks' programs (or the floor's), by the name the kernel
 * keeps (15 bytes).
 */
void b_hook_stats(__u64 *ns, __u64 *cnt)
{
	static const char *const progs[] = { "vipc_connect_un", "vipc_sendmsg_un", "vipc_stream_con",
					     "vipc_may_send",	"vipc_fr_stream_", "vipc_fr_may_sen",
					     "vipc_floor",	NULL };

	b_prog_stats(progs, ns, cnt);
}

/* ---- ring buffer ---- */

static struct ring_buffer *rb;
static pthread_t rb_thread;
static volatile int rb_stop;
static long rb_events;

static int count_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	rb_events++;
	return 0;
}

static void *poll_events(void *arg)
{
	(void)arg;
	while (!rb_stop)
		ring_buffer__poll(rb, 50);
	return NULL;
}

int b_events_start(void)
{
	int fd = bpf_obj_get(VIPC_PIN_DIR "/vipc_events");

	if (fd < 0)
		return -errno;
	rb = ring_buffer__new(fd, count_event, NULL, NULL);
	close(fd);
	if (!rb)
		return -errno;
	rb_stop = 0;
	return pthread_create(&rb_thread, NULL, poll_events, NULL) ? -EAGAIN : 0;
}

long b_events_stop(void)
{
	long n;

	if (!rb)
		return 0;
	rb_stop = 1;
	pthread_join(rb_thread, NULL);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	rb = NULL;
	n = rb_events;
	rb_events = 0;
	return n;
}
