// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Binding at mkdir: the kernel's cgroup_mkdir program binds a cgroup that
 * an exact-path or glob selector names before mkdir(2) returns. Measured
 * three ways: right after each mkdir returns, the new cgroup's id looked
 * up in the pinned vipc_principals (and, were it missing, polled until it
 * is there); mkdir and rmdir timed without vipc, with vipc watching
 * another directory, and with the cgroup selected; and cgroup churn, as
 * fast as one thread goes: mkdir, a process cloned into the cgroup
 * (CLONE_INTO_CGROUP) whose first call is a sendto the policy denies,
 * rmdir. The registry's cgroups_bound and cgroups_unbound must count every
 * one.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "bench.h"
#include "registry.h"

#define PAIRS 200     /* mkdir + rmdir pairs per configuration and round */
#define CHURN_S 1.0   /* seconds of churn per round */
#define BIND_DIR B_CGROUP "/bind"   /* where the selectors look */
#define FREE_DIR B_CGROUP "/free"   /* watched by nothing: the same work, unselected */
#define CHURN_DIR B_CGROUP "/churn" /* the churn's cgroups, all selected by one glob */

const char *const b_mkdir_names[M__COUNT] = { "no vipc", "vipc, not watched", "exact path",
					      "glob" };

/* What each configuration's policy selects. */
static const char *const selectors[M__COUNT] = { NULL, NULL, BIND_DIR "/x", BIND_DIR "/g-*" };

struct bind_ctx {
	const char *loader;
	const struct b_addrs *addrs;
	struct vipc_state st; /* the live instance, opened after each apply */
	bool open;
	long seq; /* names new cgroups */
	struct b_bind *b;
};

/* Is cgroup @cgid bound to B_SELECTED in the live slot? */
static bool bound(const struct vipc_state *st, __u64 cgid)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = st->cfg.active_slot };
	struct vipc_principal p;

	return !bpf_map_lookup_elem(st->principals_fd, &key, &p) && !strcmp(p.name, B_SELECTED);
}

/* A registry counter (vipc_registry is mmapped; the kernel adds to it). */
static __u64 reg_now(const __u64 *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* vipc unloaded, or (@loaded) loaded with the bench's small policy and
 * @sel (NULL: no selector); then the live instance opened.
 */
static int prepare(struct bind_ctx *x, bool loaded, const char *sel)
{
	struct b_spec s = b_spec_for(x->addrs, 10, false);
	int err;

	if (x->open)
		vipc_state_close(&x->st);
	x->open = false;
	if (!loaded)
		return b_vipc_unload(x->loader);
	s.selector = sel;
	err = (b_vipc_loaded() ? 0 : b_vipc_load(x->loader, false, true)) ?: b_apply(&s) ?:
	      vipc_state_open(&x->st, false);
	x->open = !err;
	return err;
}

/* A selected cgroup @cgid, made at @t: bound when mkdir returned, or when. */
static void check_bound(struct bind_ctx *x, __u64 cgid, double t)
{
	struct b_bind *b = x->b;
	double waited;

	b->made++;
	if (bound(&x->st, cgid)) {
		b->at_return++;
		return;
	}
	do {
		waited = (b_now() - t) * 1e6;
		if (bound(&x->st, cgid)) {
			b->late++;
			b->late_max_us = waited > b->late_max_us ? waited : b->late_max_us;
			return;
		}
	} while (waited < B_LATE_MS * 1e3);
}

/* The path configuration @m makes its next cgroup at. */
static void next_path(struct bind_ctx *x, enum b_mkdir m, char *path, size_t size)
{
	if (m == M_EXACT)
		snprintf(path, size, "%s/%s", b_cgroot(), selectors[M_EXACT]);
	else
		snprintf(path, size, "%s/%s/g-%ld", b_cgroot(), m == M_MISS ? FREE_DIR : BIND_DIR,
			 x->seq++);
}

static int rmdir_retry(const char *path)
{
	int i;

	for (i = 0; i < 100 && rmdir(path); i++)
		if (errno != EBUSY)
			return -errno;
		else
			usleep(1000);
	return i < 100 ? 0 : -EBUSY;
}

/* One cgroup made and removed under @m: µs of mkdir into @mk, of both into @pair. */
static int mkdir_pair(struct bind_ctx *x, enum b_mkdir m, double *mk, double *pair)
{
	char path[PATH_MAX + 64];
	double t0, t1, t2, t3;
	struct stat st;

	next_path(x, m, path, sizeof(path));
	t0 = b_now();
	if (mkdir(path, 0755))
		return -errno;
	t1 = b_now();
	if (stat(path, &st))
		return -errno;
	if (m >= M_EXACT)
		check_bound(x, st.st_ino, t1);
	t2 = b_now();
	if (rmdir(path))
		return -errno;
	t3 = b_now();
	*mk = (t1 - t0) * 1e6;
	*pair = (t1 - t0 + t3 - t2) * 1e6;
	return 0;
}

/* PAIRS cgroups under @m: the medians into the results, the registry's count checked. */
static int mkdir_config(struct bind_ctx *x, enum b_mkdir m)
{
	struct b_samples mk = {}, pair = {};
	__u64 bound0 = 0, unbound0 = 0;
	double a = 0, b = 0;
	int i, err;

	if (x->open) {
		bound0 = reg_now(&x->st.reg->cgroups_bound);
		unbound0 = reg_now(&x->st.reg->cgroups_unbound);
	}
	for (i = 0; i < PAIRS; i++) {
		err = mkdir_pair(x, m, &a, &b);
		if (err)
			return err;
		b_samples_add(&mk, a);
		b_samples_add(&pair, b);
	}
	b_samples_add(&x->b->mkdir_us[m], b_median(&mk));
	b_samples_add(&x->b->pair_us[m], b_median(&pair));
	if (m >= M_EXACT) {
		x->b->reg_bound += reg_now(&x->st.reg->cgroups_bound) - bound0;
		x->b->reg_unbound += reg_now(&x->st.reg->cgroups_unbound) - unbound0;
	}
	return 0;
}

/* A round: every configuration, in an order rotated by @r. */
static int mkdir_round(struct bind_ctx *x, int r)
{
	enum b_mkdir m;
	int k, err = 0;

	for (k = 0; k < M__COUNT && !err; k++) {
		m = (k + r) % M__COUNT;
		err = prepare(x, m != M_NONE, selectors[m]) ?: mkdir_config(x, m);
		if (err)
			fprintf(stderr, "bench: mkdir under %s: %s\n", b_mkdir_names[m], strerror(-err));
	}
	return err;
}

/* In a churn cgroup, the first thing its first process does: a sendto to
 * an endpoint the churn's container holds no grant on. 0 when denied.
 */
static int churn_child(const struct b_addrs *a)
{
	struct sockaddr_un sun;
	socklen_t len = b_addr(a, W_DGRAM_ABS, false, &sun);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char c = 0;

	return fd >= 0 && sendto(fd, &c, 1, 0, (struct sockaddr *)&sun, len) < 0 && errno == EPERM ?
		       0 : 1;
}

/* A child process born in the cgroup @cgfd (clone3, CLONE_INTO_CGROUP). */
static pid_t clone_into(int cgfd)
{
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD,
				   .cgroup = cgfd };

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* One container start: mkdir, its binding looked up, a process cloned in
 * that must be denied, reaped, rmdir.
 */
static int churn_one(struct bind_ctx *x)
{
	char path[PATH_MAX + 64];
	int cgfd, status, err = 0;
	struct stat st;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/" CHURN_DIR "/c-%ld", b_cgroot(), x->seq++);
	if (mkdir(path, 0755))
		return -errno;
	cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0 || fstat(cgfd, &st))
		err = -errno;
	x->b->starts_bound += !err && bound(&x->st, st.st_ino);
	pid = err ? -1 : clone_into(cgfd);
	if (!pid)
		_exit(churn_child(x->addrs));
	if (pid < 0 && !err)
		err = -errno;
	if (cgfd >= 0)
		close(cgfd);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		x->b->starts_denied += !WEXITSTATUS(status);
	x->b->starts++;
	return rmdir_retry(path) ?: err;
}

/* Starts for CHURN_S: their rate into the results. */
static int churn_round(struct bind_ctx *x)
{
	long n0 = x->b->starts;
	double t0 = b_now(), t;
	int err = 0;

	do
		err = churn_one(x);
	while (!err && (t = b_now() - t0) < CHURN_S);
	if (!err)
		b_samples_add(&x->b->churn, (x->b->starts - n0) / t);
	return err;
}

/* Churn rounds under a glob selecting every churn cgroup, with the mkdir
 * and rmdir programs' run time (bpf_stats on meanwhile).
 */
static int churn(struct bind_ctx *x, int rounds)
{
	static const char *const mk[] = { "vipc_cgroup_mkd", NULL }, *const rm[] = {
		"vipc_cgroup_rmd", NULL };
	__u64 bound0, unbound0, ns[4], cnt[4];
	int r, stats, err;

	err = b_cgroup_make(CHURN_DIR) ?: prepare(x, true, CHURN_DIR "/c-*");
	if (err)
		return err;
	stats = b_bpf_stats_enable();
	bound0 = reg_now(&x->st.reg->cgroups_bound);
	unbound0 = reg_now(&x->st.reg->cgroups_unbound);
	b_prog_stats(mk, &ns[0], &cnt[0]);
	b_prog_stats(rm, &ns[1], &cnt[1]);
	for (r = 0; r < rounds && !err; r++) {
		fprintf(stderr, "bench: cgroup churn round %d/%d\n", r + 1, rounds);
		err = churn_round(x);
	}
	b_prog_stats(mk, &ns[2], &cnt[2]);
	b_prog_stats(rm, &ns[3], &cnt[3]);
	x->b->churn_bound = reg_now(&x->st.reg->cgroups_bound) - bound0;
	x->b->churn_unbound = reg_now(&x->st.reg->cgroups_unbound) - unbound0;
	x->b->mkdir_prog_ns = cnt[2] > cnt[0] ? (double)(ns[2] - ns[0]) / (cnt[2] - cnt[0]) : 0;
	x->b->rmdir_prog_ns = cnt[3] > cnt[1] ? (double)(ns[3] - ns[1]) / (cnt[3] - cnt[1]) : 0;
	if (stats >= 0)
		close(stats);
	return err;
}

int b_bind_run(const char *loader, const struct b_addrs *a, int rounds, struct b_bind *out)
{
	struct bind_ctx x = { .loader = loader, .addrs = a, .b = out };
	int r, err;

	/* Phase 1: mkdir and rmdir under each configuration, rounds interleaved. */
	err = b_cgroup_make(BIND_DIR) ?: b_cgroup_make(FREE_DIR);
	for (r = 0; r < rounds && !err; r++) {
		fprintf(stderr, "bench: mkdir binding round %d/%d\n", r + 1, rounds);
		err = mkdir_round(&x, r);
	}

	/* Phase 2: churn; then vipc unloaded and the cgroups gone. */
	err = err ?: churn(&x, rounds);
	if (x.open)
		vipc_state_close(&x.st);
	b_vipc_unload(loader);
	b_cgroup_remove(BIND_DIR);
	b_cgroup_remove(FREE_DIR);
	b_cgroup_remove(CHURN_DIR);
	return err;
}
