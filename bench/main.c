// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-bench: binding at mkdir and cgroup churn (bind.c); then the ten
 * configurations run interleaved (one sample of every workload per
 * configuration per round, the order rotating each round), then the cost
 * against table size and against 10,000 bound cgroups, then the policy
 * operations; prints one table and writes CSV and a plot. --binding runs
 * only the bindings' measurements (mkdir, churn, many bound). --quick runs
 * only the comparison of baseline, the floor (empty programs) and vipc with
 * a granted caller and with one in no container, on connect and sendto, and
 * only prints its table (for the VM harness, where
 * vipc-loader takes the backend from VIPC_BACKEND). --cpu and --sched batch
 * put the bench and all it forks on one CPU and under SCHED_BATCH (no
 * wake-up preemption), so client and server take turns the same way with
 * and without vipc. --steps runs only the timing of each decision step
 * (vipc loaded --time-steps) per caller class, which the full run ends
 * with. Removes every cgroup, pin and process it made, also on
 * failure and on Ctrl-C.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "bench.h"
#include "registry.h"

const char *const b_config_names[C__COUNT] = {
	"baseline",	    "empty programs", "vipc",	       "vipc, no container",
	"vipc no counters", "vipc 1M grants", "vipc audit",    "audit, all events",
	"socat broker",	    "landlock scope",
};

/* The configurations as --configs names them. */
static const char *const config_keys[C__COUNT] = {
	"baseline", "empty",   "vipc",	    "unlisted", "nocount",
	"vipc-1m",  "audit",   "audit-all", "socat",    "landlock",
};

/* Table sizes of the scaling sweep (grants; endpoints a tenth of them). */
static const size_t sweep_grants[B_NR_SWEEP] = { 10, 1000, 10000, 100000, 1000000 };

static struct {
	const char *loader;
	const char *out;
	int rounds;
	int budget_ms;
	bool quick;
	bool binding; /* --binding: the binding measurements alone */
	bool broker;  /* --broker: the name broker's measurements alone */
	bool steps;   /* --steps: the decision steps' timing alone */
	bool timed;   /* the instance loaded times its steps (--time-steps) */
	unsigned configs; /* bit per enum b_config; 0: the mode's default */
	unsigned work;	  /* bit per enum b_work */
	int cpu;	  /* --cpu, or -1 */
	int policy;	  /* --sched: SCHED_BATCH or SCHED_OTHER (left as it is) */
	struct b_addrs addrs;
	char dir[64];
	pid_t worker;
	int stats_fd; /* BPF run-time stats are on while it is open */
	bool counters; /* the instance loaded has per-container decision counters */
} opt = { .loader = "./vipc-loader", .out = "bench/results", .rounds = B_ROUNDS, .budget_ms = 300,
	  .cpu = -1, .policy = SCHED_OTHER, .stats_fd = -1 };

static struct b_results res;
static struct b_floor floor_progs = { .prog = { -1, -1 }, .cg = -1 };

/* What a worker sends back: per workload, the figure and the client's
 * context switches per op.
 */
struct figures {
	double v[W__COUNT];
	double csw[W__COUNT];
};

bool b_config_runs(enum b_config c, enum b_work w)
{
	return c != C_LANDLOCK || w % 2;
}

static void cleanup(void)
{
	if (opt.worker > 0)
		kill(opt.worker, SIGKILL);
	b_events_stop();
	b_floor_detach(&floor_progs);
	b_vipc_unload(opt.loader);
	b_cgroup_remove(B_CGROUP);
	if (opt.dir[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", opt.dir);
		if (system(cmd))
			fprintf(stderr, "bench: could not remove %s\n", opt.dir);
	}
}

static void on_signal(int sig)
{
	fprintf(stderr, "bench: signal %d, cleaning up\n", sig);
	cleanup();
	_exit(130);
}

/* Does configuration @c run with vipc loaded? */
static bool has_vipc(enum b_config c)
{
	return c != C_BASELINE && c != C_EMPTY && c != C_SOCAT && c != C_LANDLOCK;
}

/* Does a program run at the connect and sendto hooks under @c? */
static bool has_hooks(enum b_config c)
{
	return has_vipc(c) || c == C_EMPTY;
}

static bool is_audit(enum b_config c)
{
	return c == C_AUDIT || c == C_AUDIT_ALL;
}

/* vipc loaded with (or, for C_NOCOUNT, without) the decision counters;
 * timing its steps while @timing.
 */
static bool timing;

static int load_for(enum b_config c)
{
	bool counters = c != C_NOCOUNT;

	if (b_vipc_loaded() && opt.counters == counters && opt.timed == timing)
		return 0;
	if (b_vipc_unload(opt.loader) ||
	    (timing ? b_vipc_load_timed(opt.loader) : b_vipc_load(opt.loader, false, counters)))
		return -EIO;
	opt.counters = counters;
	opt.timed = timing;
	return 0;
}

/* Bring vipc into the state configuration @c needs. */
static int prepare(enum b_config c, size_t grants)
{
	struct b_spec s;
	int err;

	b_floor_detach(&floor_progs);
	if (!has_vipc(c))
		return b_vipc_unload(opt.loader) ?:
		       c == C_EMPTY ? b_floor_attach(&floor_progs, B_CGROUP "/client") : 0;
	err = load_for(c);
	if (err)
		return err;
	s = b_spec_for(&opt.addrs, c == C_VIPC_1M ? 1000000 : grants, is_audit(c));
	s.every_event = c == C_AUDIT_ALL;
	s.unlisted = c == C_UNLISTED;
	s.granted = s.granted && !s.unlisted;
	err = b_apply(&s);
	if (!err && is_audit(c))
		err = b_events_start();
	return err;
}

/* The worker: in the client cgroup (and Landlock domain), with its own
 * server (and socat), runs the workloads in @mask and writes one figure each.
 */
static void worker(enum b_config c, unsigned mask, int out)
{
	struct figures f = {};
	int w;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (b_cgroup_enter(B_CGROUP "/client") || (c == C_LANDLOCK && b_landlock_scope()))
		_exit(1);
	if (b_server_start(&opt.addrs) < 0 || (c == C_SOCAT && b_socat_start(&opt.addrs)))
		_exit(1);
	for (w = 0; w < W__COUNT; w++)
		if (mask & (1u << w) && b_config_runs(c, w))
			f.v[w] = b_work_run(&opt.addrs, w, c == C_SOCAT, opt.budget_ms, &f.csw[w]);
	_exit(write(out, &f, sizeof(f)) == sizeof(f) ? 0 : 1);
}

/* One sample of each workload in @mask under @c; hook ns per run in *hook. */
static int sample(enum b_config c, unsigned mask, struct figures *f, double *hook)
{
	__u64 ns0, cnt0, ns1, cnt1;
	int fds[2], status, w, err = 0;

	if (pipe(fds))
		return -errno;
	b_hook_stats(&ns0, &cnt0);
	opt.worker = fork();
	if (!opt.worker)
		worker(c, mask, fds[1]);
	close(fds[1]);
	if (read(fds[0], f, sizeof(*f)) != sizeof(*f))
		err = -EIO;
	close(fds[0]);
	waitpid(opt.worker, &status, 0);
	opt.worker = 0;
	/* Every round must hold every figure: overheads pair them by round. */
	for (w = 0; w < W__COUNT && !err; w++)
		if (mask & (1u << w) && b_config_runs(c, w) && f->v[w] <= 0) {
			fprintf(stderr, "bench: %s failed under %s\n", b_work_names[w], b_config_names[c]);
			err = -EIO;
		}
	b_hook_stats(&ns1, &cnt1);
	*hook = cnt1 > cnt0 ? (double)(ns1 - ns0) / (cnt1 - cnt0) : 0;
	return err;
}

static void record(enum b_config c, const struct figures *f, long events)
{
	int w;

	for (w = 0; w < W__COUNT; w++) {
		if (f->v[w] <= 0)
			continue;
		b_samples_add(&res.work[c][w], f->v[w]);
		b_samples_add(&res.csw[c][w], f->csw[w]);
	}
	res.events[c] += events;
}

/* Under @c, each workload that runs a hook per op, alone: the hooks' ns
 * per run (the others run one at connect, if any).
 */
static int sample_hooks(enum b_config c)
{
	struct figures f;
	double hook;
	int w, err;

	for (w = 0; w < W__COUNT; w++) {
		if (!(opt.work & B_HOOKED_WORK & (1u << w)) || !b_config_runs(c, w))
			continue;
		err = sample(c, 1u << w, &f, &hook);
		if (err)
			return err;
		if (hook > 0)
			b_samples_add(&res.hook[c][w], hook);
	}
	return 0;
}

/* One round over the configurations in rotated order: the figures of
 * each into res (@timed), or only the hooks' ns per run of each vipc one.
 */
static int run_round(int r, bool timed)
{
	struct figures f;
	enum b_config c;
	double hook;
	long events;
	int k, err;

	for (k = 0; k < C__COUNT; k++) {
		c = (k + r) % C__COUNT;
		if (!(opt.configs & (1u << c)) || (!timed && !has_hooks(c)))
			continue;
		err = prepare(c, 10) ?: timed ? sample(c, opt.work, &f, &hook) : sample_hooks(c);
		if (err) {
			fprintf(stderr, "bench: %s: %s\n", b_config_names[c], strerror(-err));
			return err;
		}
		events = is_audit(c) ? b_events_stop() : 0;
		if (timed)
			record(c, &f, events);
	}
	return 0;
}

/* Phase 1: every configuration, every workload, rounds interleaved, with
 * run-time stats off (their clock reads cost ~50 ns per program run); then
 * as many more with them on for the hooks' own cost. They stay on for
 * the sweep, which compares hook costs.
 */
static int run_main(void)
{
	int r, err = 0;

	for (r = 0; r < opt.rounds && !err; r++) {
		fprintf(stderr, "bench: round %d/%d\n", r + 1, opt.rounds);
		err = run_round(r, true);
	}
	if (err)
		return err;
	opt.stats_fd = b_bpf_stats_enable();
	if (opt.stats_fd < 0)
		return opt.stats_fd;
	for (r = 0; r < opt.rounds && !err; r++) {
		fprintf(stderr, "bench: hook cost round %d/%d (kernel.bpf_stats_enabled)\n", r + 1,
			opt.rounds);
		err = run_round(r, false);
	}
	return err;
}

/* What the sweeps measure: connect and sendto on a pathname. */
static const enum b_work sweep_work[2] = { W_CONNECT_PATH, W_DGRAM_PATH };

/* Under C_VIPC as prepared, each of sweep_work alone: its figure into
 * @v[j], its hook's ns per run into @hook[j].
 */
static int sample_sweep(struct b_samples v[2], struct b_samples hook[2])
{
	struct figures f;
	double ns;
	int j, err;

	for (j = 0; j < 2; j++) {
		err = sample(C_VIPC, 1u << sweep_work[j], &f, &ns);
		if (err)
			return err;
		b_samples_add(&v[j], f.v[sweep_work[j]]);
		b_samples_add(&hook[j], ns);
	}
	return 0;
}

/* Phase 2: connect and sendto against table size, with a baseline each
 * round; each workload alone, for its hook's ns per run.
 */
static int run_sweep(void)
{
	const enum b_work *work = sweep_work;
	struct figures f;
	double hook;
	size_t i, j;
	int r, err;

	for (r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "bench: table size round %d/%d\n", r + 1, opt.rounds);
		err = prepare(C_BASELINE, 0) ?: sample(C_BASELINE, 1u << work[0] | 1u << work[1], &f, &hook);
		for (j = 0; j < 2 && !err; j++)
			b_samples_add(&res.sweep_base[j], f.v[work[j]]);
		for (i = 0; i < B_NR_SWEEP && !err; i++)
			err = prepare(C_VIPC, sweep_grants[i]) ?:
			      sample_sweep(res.sweep[i], res.sweep_hook[i]);
		if (err)
			return err;
	}
	return 0;
}

#define MANY_DIR B_CGROUP "/many" /* B_MANY cgroups, m-0 to m-9999 */

/* The bindings in the live slot now, or -errno. */
static long bindings(void)
{
	struct vipc_state st;
	long n;
	int err = vipc_state_open(&st, false);

	if (err)
		return err;
	n = vipc_map_count(st.principals_fd, st.cfg.active_slot);
	vipc_state_close(&st);
	return n;
}

/* One glob over the B_MANY cgroups binding 10 of them ("m-?") or all
 * ("m-*") beside the small policy; the bindings that makes into res.
 */
static int apply_many(int i)
{
	static const char *const globs[2] = { MANY_DIR "/m-?", MANY_DIR "/m-*" };
	struct b_spec s = b_spec_for(&opt.addrs, 10, false);
	int err;

	s.selector = globs[i];
	err = load_for(C_VIPC) ?: b_apply(&s);
	res.many_bindings[i] = err ?: bindings();
	return res.many_bindings[i] < 0 ? (int)res.many_bindings[i] : 0;
}

/* Phase 3: connect and sendto, each alone for its hook's ns per run, with
 * 10 and with B_MANY cgroups bound, the order alternating by round.
 */
static int run_many(void)
{
	char rel[64];
	int r, k, i, err = b_cgroup_make(MANY_DIR);

	if (opt.stats_fd < 0)
		opt.stats_fd = b_bpf_stats_enable(); /* --binding: not on yet */
	if (opt.stats_fd < 0)
		err = err ?: opt.stats_fd;
	for (i = 0; i < B_MANY && !err; i++) {
		snprintf(rel, sizeof(rel), MANY_DIR "/m-%d", i);
		err = b_cgroup_make(rel);
	}
	for (r = 0; r < opt.rounds && !err; r++) {
		fprintf(stderr, "bench: %d bound cgroups round %d/%d\n", B_MANY, r + 1, opt.rounds);
		for (k = 0; k < 2 && !err; k++) {
			i = (k + r) % 2;
			err = apply_many(i) ?: sample_sweep(res.many[i], res.many_hook[i]);
		}
	}
	b_vipc_unload(opt.loader);
	b_cgroup_remove(MANY_DIR);
	return err;
}

/* Under @c as prepared, each hooked workload alone, its steps' time a
 * sample in res.
 */
static int sample_steps(enum b_config c)
{
	struct vipc_step_times before, after;
	struct figures f;
	double hook;
	int w, err = 0;

	for (w = 0; w < W__COUNT && !err; w++) {
		if (!(B_HOOKED_WORK & (1u << w)))
			continue;
		err = b_steps_read(&before) ?: sample(c, 1u << w, &f, &hook) ?: b_steps_read(&after);
		if (!err)
			b_steps_add(res.steps[c][w], &before, &after);
	}
	return err;
}

/* Phase 4: where the hooks' time goes: vipc loaded with --time-steps, each
 * caller class of B_STEP_CONFIGS in rotated order per round.
 */
static int run_steps(void)
{
	enum b_config c;
	int r, k, err = 0;

	timing = true;
	for (r = 0; r < opt.rounds && !err; r++) {
		fprintf(stderr, "bench: steps round %d/%d (--time-steps)\n", r + 1, opt.rounds);
		for (k = 0; k < C__COUNT && !err; k++) {
			c = (k + r) % C__COUNT;
			if (!(B_STEP_CONFIGS & (1u << c)))
				continue;
			err = prepare(c, 10) ?: sample_steps(c);
			if (is_audit(c))
				b_events_stop();
		}
	}
	timing = false;
	b_vipc_unload(opt.loader);
	res.has_steps = !err;
	return err;
}

static int setup(void)
{
	int err;

	snprintf(opt.dir, sizeof(opt.dir), "/tmp/vipc-bench-%d", getpid());
	if (mkdir(opt.dir, 0755))
		return -errno;
	b_addrs_init(&opt.addrs, opt.dir);
	err = b_cgroup_make(B_CGROUP) ?: b_cgroup_make(B_CGROUP "/client") ?:
	      b_cgroup_make(B_CGROUP "/server");
	return err;
}

/* --configs LIST: comma-separated config_keys into opt.configs. */
static int parse_configs(char *list)
{
	char *name, *save = NULL;
	int c;

	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < C__COUNT && strcmp(name, config_keys[c]); c++)
			;
		if (c == C__COUNT)
			return -EINVAL;
		opt.configs |= 1u << c;
	}
	return opt.configs ? 0 : -EINVAL;
}

/* --cpu N: a CPU number below CPU_SETSIZE into opt.cpu. */
static int parse_cpu(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (end == arg || *end || n < 0 || n >= CPU_SETSIZE) {
		fprintf(stderr, "bench: --cpu %s: not a CPU number (0 to %d)\n", arg,
			CPU_SETSIZE - 1);
		return -EINVAL;
	}
	opt.cpu = n;
	return 0;
}

/* --sched batch|other into opt.policy. */
static int parse_sched(const char *arg)
{
	if (strcmp(arg, "batch") && strcmp(arg, "other")) {
		fprintf(stderr, "bench: --sched %s: not batch or other\n", arg);
		return -EINVAL;
	}
	opt.policy = strcmp(arg, "batch") ? SCHED_OTHER : SCHED_BATCH;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "loader", required_argument, NULL, 'l' }, { "out", required_argument, NULL, 'o' },
		{ "rounds", required_argument, NULL, 'r' }, { "budget", required_argument, NULL, 'b' },
		{ "quick", no_argument, NULL, 'q' },	    { "configs", required_argument, NULL, 'c' },
		{ "binding", no_argument, NULL, 'B' },	    { "broker", no_argument, NULL, 'K' },
		{ "steps", no_argument, NULL, 's' },
		{ "sched", required_argument, NULL, 'S' },  { "cpu", required_argument, NULL, 'C' },
		{},
	};
	int c, err = 0;

	while ((c = getopt_long(argc, argv, "l:o:r:b:qc:", longopts, NULL)) != -1) {
		if (c == 'l')
			opt.loader = optarg;
		else if (c == 'o')
			opt.out = optarg;
		else if (c == 'r')
			opt.rounds = atoi(optarg) < 64 ? atoi(optarg) : 63;
		else if (c == 'b')
			opt.budget_ms = atoi(optarg);
		else if (c == 'q')
			opt.quick = true;
		else if (c == 'B')
			opt.binding = true;
		else if (c == 'K')
			opt.broker = true;
		else if (c == 's')
			opt.steps = true;
		else if (c == 'C')
			err = parse_cpu(optarg);
		else if (c == 'S')
			err = parse_sched(optarg);
		else
			err = c == 'c' ? parse_configs(optarg) : -EINVAL;
		if (err)
			return err;
	}
	/* --quick: baseline, the floor, and vipc with a granted caller and one
	 * in no container, on connect and sendto, unless --configs says.
	 */
	if (!opt.configs)
		opt.configs = opt.quick ? 1u << C_BASELINE | 1u << C_EMPTY | 1u << C_VIPC |
						  1u << C_UNLISTED :
					  (1u << C__COUNT) - 1;
	opt.work = opt.quick ? B_HOOKED_WORK : (1u << W__COUNT) - 1;
	res.rounds = opt.rounds;
	res.cpu = opt.cpu;
	return opt.rounds > 0 && opt.budget_ms > 0 &&
		       opt.quick + opt.binding + opt.broker + opt.steps <= 1 ?
		       0 :
		       -EINVAL;
}

/* --cpu: the bench on that CPU alone; what it forks later inherits it. */
static int pin_cpu(void)
{
	cpu_set_t set;
	int err;

	if (opt.cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(opt.cpu, &set);
	if (!sched_setaffinity(0, sizeof(set), &set))
		return 0;
	err = -errno;
	fprintf(stderr, "bench: --cpu %d: not a CPU this process may run on (%s)\n", opt.cpu,
		strerror(-err));
	return err;
}

/* --sched batch: SCHED_BATCH, inherited the same way; the policy in effect
 * goes to the report.
 */
static int set_policy(void)
{
	int err;

	if (opt.policy == SCHED_BATCH &&
	    sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){ 0 })) {
		err = -errno;
		fprintf(stderr, "bench: --sched batch: %s\n", strerror(-err));
		return err;
	}
	res.policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	return 0;
}

/* Clean up; the exit status of @err. */
static int finish(int err)
{
	cleanup();
	if (opt.stats_fd >= 0)
		close(opt.stats_fd);
	if (err)
		fprintf(stderr, "bench: failed: %s\n", strerror(-err));
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	int err;

	if (argc > 1 && !strcmp(argv[1], "op"))
		return b_ops_main(argc - 1, argv + 1);
	if (parse_args(argc, argv)) {
		fprintf(stderr, "usage: vipc-bench [--loader PATH] [--out DIR] [--rounds N] [--budget MS]\n"
				"                  [--quick | --binding | --broker | --steps] [--configs baseline,empty,vipc,unlisted,\n"
				"                   nocount,vipc-1m,audit,audit-all,socat,landlock]\n"
				"                  [--cpu N] [--sched batch|other]\n");
		return 2;
	}
	/* --cpu and --sched before anything forks, so everything inherits them. */
	if (pin_cpu())
		return 2;
	if (set_policy())
		return 1;
	if (geteuid() || b_vipc_loaded()) {
		fprintf(stderr, "bench: needs root and no vipc instance pinned (vipc-loader unload)\n");
		return 1;
	}

	/* Phase 1: cgroups, sockets' directory, signals. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = setup();

	/* Phase 2: binding at mkdir and churn first, while this process is
	 * small: each churn start clones it, and a clone copies its address
	 * space (with 300 MB of heap, 1,700 starts/s fall to 100); mkdir is
	 * timed before the run-time stats go on. Then the comparison (not with
	 * --binding); unless --quick, the sweep, many bindings, the decision
	 * steps and the policy operations. --steps: the steps alone.
	 */
	if (opt.broker)
		return finish(b_broker_run(opt.loader, opt.dir, opt.out, &res.broker));
	if (opt.steps)
		err = err ?: run_steps();
	else if (!opt.quick)
		err = err ?: b_bind_run(opt.loader, &opt.addrs, opt.rounds, &res.bind);
	if (!opt.binding && !opt.steps)
		err = err ?: run_main();
	if (!opt.quick && !opt.steps) {
		err = err ?: opt.binding ? 0 : run_sweep();
		err = err ?: run_many();
		err = err ?: opt.binding ? 0 : run_steps();
		b_vipc_unload(opt.loader);
		err = err ?: opt.binding ? 0 : b_broker_run(opt.loader, opt.dir, opt.out, &res.broker);
		err = err ?: opt.binding ? 0 : b_ops_run(argv[0], opt.loader, &res);
	}

	/* Phase 3: report, clean up. */
	if (!err && opt.steps)
		b_report_steps(&res);
	else if (!err && opt.quick)
		b_report_table(&res);
	else if (!err && opt.binding)
		err = b_report_binding(&res, opt.out);
	else if (!err)
		err = b_report(&res, opt.out, sweep_grants, B_NR_SWEEP);
	return finish(err);
}
