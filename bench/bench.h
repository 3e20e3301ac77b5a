/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc benchmarks: IPC workloads under ten configurations run interleaved,
 * the cost of table size and of many bound cgroups, binding at mkdir and
 * cgroup churn, policy operations, and where the hooks' time goes step by
 * step. `make bench` runs it all; `--quick` (`make bench-vm`) only connect
 * and sendto, small enough for a VM; `--steps` only the steps.
 */
#ifndef __VIPC_BENCH_H
#define __VIPC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include "policy.h"

#define B_CGROUP "vipc-bench" /* every bench cgroup lives below this */
#define B_ROUNDS 7	      /* interleaved rounds of the main comparison */

/* The configurations compared, in the order of the table. */
enum b_config {
	C_BASELINE,  /* no vipc loaded */
	C_EMPTY,     /* no vipc; programs that only allow on the same hooks (the floor) */
	C_VIPC,	     /* vipc, small policy, caller granted */
	C_UNLISTED,  /* the same, caller in no container, endpoints `others: allow` */
	C_NOCOUNT,   /* the same, loaded --no-decisions: no per-container counters */
	C_VIPC_1M,   /* the same with 1,000,000 grants and 100,000 endpoints */
	C_AUDIT,     /* vipc, caller in audit mode and not granted: would-denies, aggregated */
	C_AUDIT_ALL, /* the same with events: { rate: all }: one event per would-deny */
	C_SOCAT,     /* a userspace broker: socat in front of the server */
	C_LANDLOCK,  /* Landlock's abstract UNIX socket scope, server in the domain */
	C__COUNT,
};

/* The workloads, each for a pathname and an abstract socket. */
enum b_work {
	W_CONNECT_PATH, /* connect + accept + close, µs per connection */
	W_CONNECT_ABS,
	W_PINGPONG_PATH, /* 64-byte round trip on an open stream, µs */
	W_PINGPONG_ABS,
	W_DGRAM_PATH, /* sendto of 64-byte datagrams, k/s */
	W_DGRAM_ABS,
	W_STREAM_PATH, /* stream throughput with 64 KiB writes, MiB/s */
	W_STREAM_ABS,
	W__COUNT,
};

extern const char *const b_config_names[C__COUNT];
extern const char *const b_work_names[W__COUNT];
/* Rates (higher is better) rather than latencies. */
bool b_work_is_rate(enum b_work w);
const char *b_work_unit(enum b_work w);
/* A figure of workload @w in its unit as nanoseconds per operation. */
double b_work_ns_per_op(enum b_work w, double v);
/* Whether the configuration applies to the workload (Landlock: abstract only). */
bool b_config_runs(enum b_config c, enum b_work w);
/* The workloads whose every operation runs a vipc hook, which --quick
 * runs: connect+accept and sendto, pathname and abstract.
 */
#define B_HOOKED_WORK                                                                     \
	(1u << W_CONNECT_PATH | 1u << W_CONNECT_ABS | 1u << W_DGRAM_PATH | 1u << W_DGRAM_ABS)

/* Socket addresses of one run: the server's, and socat's in front of them. */
struct b_addrs {
	char stream_path[108], dgram_path[108];
	char stream_abs[64], dgram_abs[64]; /* without the leading NUL */
	char proxy_dir[64];		    /* socat's pathname sockets live here */
};
void b_addrs_init(struct b_addrs *a, const char *dir);
/* The address a client uses for workload @w: the server's or socat's. */
socklen_t b_addr(const struct b_addrs *a, enum b_work w, bool proxy, void *sun);

/* CLOCK_MONOTONIC in seconds. */
double b_now(void);

/* work.c: the server (forked) and the client loop, one sample each. */
pid_t b_server_start(const struct b_addrs *a);
/* Run @w for about @budget_ms; per-op µs (latencies) or per-s rate. The
 * client's context switches per op go to *csw.
 */
double b_work_run(const struct b_addrs *a, enum b_work w, bool proxy, int budget_ms, double *csw);

/* broker.c: the name broker's connect against a direct one, and the
 * cut-over under a connect loop.
 */
struct b_broker {
	double direct_ns, brokered_ns; /* the connect hook's run time, median of rounds */
	long connections, refused, misrouted; /* of the cut-over's connect loop */
	double secs;			      /* the cut-over's reloads took */
};
/* Load vipc, measure, unload; sockets in @dir, the figures printed and
 * written to @out/broker.txt.
 */
int b_broker_run(const char *loader, const char *dir, const char *out, struct b_broker *res);

/* setup.c: cgroups, loading vipc, policies in memory, socat, Landlock. */
/* The cgroup2 mount, found as the loader finds it (user/policy/cgroup.c). */
const char *b_cgroot(void);
/* Cgroups by their path relative to it. */
int b_cgroup_make(const char *rel);
int b_cgroup_enter(const char *rel);
__u64 b_cgroup_id(const char *rel);
/* Remove @rel and every cgroup below it, their processes killed. */
void b_cgroup_remove(const char *rel);
/* Load with tables for the largest policy the bench applies; without the
 * per-container decision counters unless @counters.
 */
int b_vipc_load(const char *loader, bool prealloc_grants, bool counters);
/* The same, every decision's steps timed (--time-steps). */
int b_vipc_load_timed(const char *loader);
int b_vipc_unload(const char *loader);
bool b_vipc_loaded(void);

/* A policy built in memory: the bench's own containers and endpoints, plus
 * @fill_containers, @fill_endpoints and @fill_grants of filler (fake cgroup
 * ids, names nobody uses). Grant j: endpoint j % endpoints, container
 * (j / endpoints) % containers.
 */
struct b_spec {
	const struct b_addrs *addrs; /* NULL: no bench endpoints */
	bool audit;		     /* client in audit mode */
	bool granted;		     /* client granted on the bench endpoints */
	bool unlisted;		     /* client in no container; endpoints `others: allow` */
	bool every_event;	     /* events: { rate: all }, else one per key and second */
	size_t fill_containers, fill_endpoints, fill_grants;
	/* One more container, B_SELECTED, selecting this cgroup path or glob
	 * (relative to the cgroup2 mount) as a policy's `cgroup:` does; NULL: none.
	 */
	const char *selector;
};
#define B_SELECTED "selected"
/* @grants grants in all: the bench's four (when @a) and filler, a tenth as
 * many endpoints.
 */
struct b_spec b_spec_for(const struct b_addrs *a, size_t grants, bool audit);
struct vipc_policy *b_policy(const struct b_spec *s);
int b_apply(const struct b_spec *s);
pid_t b_socat_start(const struct b_addrs *a);
int b_landlock_scope(void);
/* bpf_stats: total run time and count of the hooks deciding a connect and
 * a sendto (socket backend: connect_unix, sendmsg_unix; LSM backend:
 * unix_stream_connect, unix_may_send).
 */
void b_hook_stats(__u64 *ns, __u64 *cnt);
/* The same for the programs named @names (as the kernel keeps them: 15
 * bytes), NULL-terminated.
 */
void b_prog_stats(const char *const *names, __u64 *ns, __u64 *cnt);
int b_bpf_stats_enable(void);
/* Programs that only allow, on the hooks vipc decides connect and sendto
 * at, attached to a cgroup: the cost any program there has (the floor).
 */
struct b_floor {
	int prog[2], cg;
	enum bpf_attach_type type[2];
};
int b_floor_attach(struct b_floor *f, const char *rel);
void b_floor_detach(struct b_floor *f);

/* events: drain the ring buffer while would-denies flow. */
int b_events_start(void);
long b_events_stop(void);

/* report.c: medians, spread, the table, CSV and the plot. */
struct b_samples {
	double v[256];
	int n;
};
void b_samples_add(struct b_samples *s, double v);
double b_median(const struct b_samples *s);
double b_min(const struct b_samples *s);
double b_max(const struct b_samples *s);

#define B_NR_SWEEP 5 /* table sizes of the sweep */
#define B_NR_OPS 10  /* policy operations */

struct b_op {
	const char *what;
	double entries;
	double seconds;
	long rss_kib; /* peak RSS of the process doing it */
};

/* bind.c: cgroups bound by the kernel at mkdir (tp_btf/cgroup_mkdir, exact
 * path and glob selectors), what that adds to mkdir, and cgroup churn.
 */
enum b_mkdir {
	M_NONE,	 /* no vipc loaded: no mkdir program */
	M_MISS,	 /* vipc loaded, no selector watching the parent */
	M_EXACT, /* an exact path selected, made again and again (a restart) */
	M_GLOB,	 /* new names matching a glob (new containers) */
	M__COUNT,
};
extern const char *const b_mkdir_names[M__COUNT];

struct b_bind {
	struct b_samples mkdir_us[M__COUNT]; /* mkdir alone, µs: each round's median */
	struct b_samples pair_us[M__COUNT];  /* mkdir + rmdir */
	long made;			     /* selected cgroups made (M_EXACT, M_GLOB) */
	long at_return;			     /* of those, bound when mkdir returned */
	long late;			     /* bound only later (within B_LATE_MS) */
	double late_max_us;		     /* the longest wait of those */
	long reg_bound, reg_unbound;	     /* registry cgroups_bound, _unbound added */
	struct b_samples churn;		     /* cgroup starts per second, per round */
	long starts;			     /* cgroups made with a process cloned into each */
	long starts_bound;		     /* bound when mkdir returned */
	long starts_denied;		     /* whose first call, a denied sendto, got EPERM */
	long churn_bound, churn_unbound;     /* registry counters added meanwhile */
	double mkdir_prog_ns, rmdir_prog_ns; /* per run during the churn (bpf_stats) */
};
#define B_LATE_MS 100 /* how long a cgroup not bound at mkdir's return is watched */
/* The binding measurements, @rounds interleaved; leaves vipc unloaded. */
int b_bind_run(const char *loader, const struct b_addrs *a, int rounds, struct b_bind *out);

#define B_MANY 10000 /* cgroups bound for the hook cost with many bindings */

struct b_results {
	struct b_broker broker;
	int rounds;
	int cpu;    /* --cpu: the CPU everything runs on, or -1 */
	int policy; /* scheduling policy everything runs under (SCHED_*) */
	struct b_samples work[C__COUNT][W__COUNT];
	struct b_samples csw[C__COUNT][W__COUNT]; /* client context switches per op */
	struct b_samples hook[C__COUNT][W__COUNT]; /* ns per hook run (bpf_stats) */
	long events[C__COUNT];		 /* ring buffer records read (audit modes) */
	struct b_samples sweep_base[2];	 /* connect µs, sendto k/s without vipc */
	struct b_samples sweep[B_NR_SWEEP][2];
	struct b_samples sweep_hook[B_NR_SWEEP][2]; /* connect, sendto */
	struct b_op ops[B_NR_OPS];
	struct b_bind bind;
	/* Connect and sendto ([][0], [][1]) with 10 and B_MANY cgroups bound
	 * ([0], [1]) by one glob, and the bindings in the live slot then.
	 */
	struct b_samples many[2][2], many_hook[2][2];
	long many_bindings[2];
	/* Per configuration and workload, each step's ns per hook run, one
	 * sample a round ([VIPC_STEP_clock]: one clock read; [VIPC_STEP__COUNT]:
	 * the steps added up).
	 */
	struct b_samples steps[C__COUNT][W__COUNT][VIPC_STEP__COUNT + 1];
	bool has_steps;
};

/* steps.c: where the hooks' time goes (vipc loaded with --time-steps). */
extern const char *const b_step_names[VIPC_STEP__COUNT];
/* vipc_steps of the loaded instance, summed over CPUs. */
int b_steps_read(struct vipc_step_times *out);
/* What ran between @before and @after as samples into @out: each step's
 * ns per hook run, its clock read taken off ([VIPC_STEP_clock]: one clock
 * read's ns; [VIPC_STEP__COUNT]: the steps added up).
 */
void b_steps_add(struct b_samples out[VIPC_STEP__COUNT + 1], const struct vipc_step_times *before,
		 const struct vipc_step_times *after);
/* The configurations whose steps --steps times: a granted caller, one in no
 * container, one listed without a grant (audit: every call a would-deny).
 */
#define B_STEP_CONFIGS (1u << C_VIPC | 1u << C_UNLISTED | 1u << C_AUDIT)

int b_report(const struct b_results *r, const char *out, const size_t *sweep, int nr_sweep);
/* The binding measurements and their targets alone (--binding), on stdout
 * and in @out/binding.txt and binding.csv, which b_report() writes too.
 */
int b_report_binding(const struct b_results *r, const char *out);
/* The comparison table alone (what --quick prints), on stdout. */
void b_report_table(const struct b_results *r);
/* The steps' table alone (what --steps prints), on stdout. */
void b_report_steps(const struct b_results *r);

/* ops.c: policy operations, each in a fresh process (peak RSS is its own). */
int b_ops_main(int argc, char **argv);
int b_ops_run(const char *self, const char *loader, struct b_results *r);

#endif /* __VIPC_BENCH_H */
