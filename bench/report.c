// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Medians and spread, the table (stdout and results/summary.txt), CSV, the
 * plot of overhead against table size, and the targets met or missed; the
 * bindings' part also in results/binding.txt and binding.csv (alone with
 * --binding); with --quick the table of what ran, on stdout only.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "bench.h"

static FILE *summary, *section;

/* printf to stdout, to the summary file and to the section's own file. */
__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	if (summary)
		vfprintf(summary, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	if (section)
		vfprintf(section, fmt, ap);
	va_end(ap);
}

void b_samples_add(struct b_samples *s, double v)
{
	if (s->n < (int)(sizeof(s->v) / sizeof(s->v[0])))
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double b_median(const struct b_samples *s)
{
	struct b_samples t = *s;

	if (!t.n)
		return 0;
	qsort(t.v, t.n, sizeof(t.v[0]), cmp_double);
	return t.n % 2 ? t.v[t.n / 2] : (t.v[t.n / 2 - 1] + t.v[t.n / 2]) / 2;
}

double b_min(const struct b_samples *s)
{
	double m = s->n ? s->v[0] : 0;
	int i;

	for (i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

double b_max(const struct b_samples *s)
{
	double m = s->n ? s->v[0] : 0;
	int i;

	for (i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

/* Extra time per operation of @v over @base, in percent (rates inverted). */
static double overhead(double v, double base, bool rate)
{
	if (v <= 0 || base <= 0)
		return 0;
	return (rate ? base / v - 1 : v / base - 1) * 100;
}

/* Median over rounds of @a's overhead against @b in the same round: a
 * round runs both within seconds, so drift between rounds cancels out.
 */
static double paired(const struct b_samples *a, const struct b_samples *b, bool rate)
{
	struct b_samples d = {};
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		b_samples_add(&d, overhead(a->v[i], b->v[i], rate));
	return b_median(&d);
}

static double work_overhead(const struct b_results *r, enum b_config c, enum b_config base,
			    enum b_work w)
{
	return paired(&r->work[c][w], &r->work[base][w], b_work_is_rate(w));
}

/* "; pinned to CPU 0, SCHED_BATCH": what --cpu set and a policy other than
 * SCHED_OTHER, or "".
 */
static void placement(const struct b_results *r, char *buf, size_t size)
{
	int n = 0;

	buf[0] = 0;
	if (r->cpu >= 0)
		n = snprintf(buf, size, "; pinned to CPU %d", r->cpu);
	if (r->policy == SCHED_BATCH)
		snprintf(buf + n, size - n, "%s SCHED_BATCH", n ? "," : ";");
	else if (r->policy != SCHED_OTHER)
		snprintf(buf + n, size - n, "%s scheduling policy %d", n ? "," : ";", r->policy);
}

static void print_machine(const struct b_results *r)
{
	char model[128] = "?", line[256], where[64];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(model, sizeof(model), "%s", strchr(line, ':') + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	placement(r, where, sizeof(where));
	out("vipc benchmarks: Linux %s, %s, %ld CPUs; %d interleaved rounds%s; median [min - max]\n\n",
	    u.release, model, sysconf(_SC_NPROCESSORS_ONLN), r->rounds, where);
}

/* The table shows only the configurations and workloads that ran. */
static bool config_ran(const struct b_results *r, int c)
{
	int w;

	for (w = 0; w < W__COUNT; w++)
		if (r->work[c][w].n)
			return true;
	return false;
}

static bool work_ran(const struct b_results *r, int w)
{
	int c;

	for (c = 0; c < C__COUNT; c++)
		if (r->work[c][w].n)
			return true;
	return false;
}

/* One header line: @first, then the name of every configuration that ran. */
static void print_header(const struct b_results *r, const char *first)
{
	int c;

	out("%s", first);
	for (c = 0; c < C__COUNT; c++)
		if (config_ran(r, c))
			out(" %22s", b_config_names[c]);
	out("\n");
}

/* One cell: median [min - max] with @prec decimals (the range in at most
 * five digits when @prec is 2), or "-" without samples.
 */
static void print_cell(const struct b_samples *s, int prec)
{
	if (!s->n)
		out(" %22s", "-");
	else if (prec == 2)
		out(" %8.2f [%5.5g-%5.5g]", b_median(s), b_min(s), b_max(s));
	else
		out(" %8.*f [%5.*f-%5.*f]", prec, b_median(s), prec, b_min(s), prec, b_max(s));
}

/* A row per workload in @mask that ran: its label, then a cell per
 * configuration.
 */
static void print_rows(const struct b_results *r, const struct b_samples (*s)[W__COUNT],
		       unsigned mask, int prec, bool unit)
{
	int c, w;

	for (w = 0; w < W__COUNT; w++) {
		if (!(mask & (1u << w)) || !work_ran(r, w))
			continue;
		if (unit)
			out("%-24s %-6s", b_work_names[w], b_work_unit(w));
		else
			out("%-31s", b_work_names[w]);
		for (c = 0; c < C__COUNT; c++)
			if (config_ran(r, c))
				print_cell(&s[c][w], prec);
		out("\n");
	}
	out("\n");
}

static void print_workloads(const struct b_results *r)
{
	char first[64];

	snprintf(first, sizeof(first), "%-24s %-6s", "workload", "unit");
	print_header(r, first);
	print_rows(r, r->work, ~0u, 2, true);
}

/* Extra time per op against @base (the median of per-round pairs). */
static void print_overhead_table(const struct b_results *r, enum b_config base, const char *title)
{
	int c, w;

	if (!config_ran(r, base))
		return;
	print_header(r, title);
	for (w = 0; w < W__COUNT; w++) {
		if (!work_ran(r, w))
			continue;
		out("%-31s", b_work_names[w]);
		for (c = 0; c < C__COUNT; c++)
			if (!config_ran(r, c))
				continue;
			else if (r->work[c][w].n && r->work[base][w].n && c != (int)base)
				out(" %21.1f%%", work_overhead(r, c, base, w));
			else
				out(" %22s", "-");
		out("\n");
	}
	out("\n");
}

/* Extra time per op against no program and against the floor (programs
 * that only allow), then the hooks' own run time, each workload alone.
 */
static void print_overheads(const struct b_results *r)
{
	print_overhead_table(r, C_BASELINE, "extra time per op vs baseline  ");
	print_overhead_table(r, C_EMPTY, "extra time vs empty programs   ");
	print_header(r, "hooks, ns per run              ");
	print_rows(r, r->hook, B_HOOKED_WORK, 0, false);
}

/* Median over rounds of @a less @b in the same round. */
static double paired_diff(const struct b_samples *a, const struct b_samples *b)
{
	struct b_samples d = {};
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		b_samples_add(&d, a->v[i] - b->v[i]);
	return b_median(&d);
}

/* Audit's hook run time above enforce's as a share of a baseline op, in
 * percent: the cost wall-clock noise cannot hide or inflate.
 */
static double audit_share(const struct b_results *r, enum b_config c, enum b_work w)
{
	double base = b_work_ns_per_op(w, b_median(&r->work[C_BASELINE][w]));

	return base > 0 ? 100 * paired_diff(&r->hook[c][w], &r->hook[C_VIPC][w]) / base : 0;
}

/* One cell of the audit table: @v with @unit, or "-" when @c did not run @w. */
static void audit_cell(const struct b_results *r, enum b_config c, enum b_work w, double v,
		       const char *unit)
{
	if (r->work[c][w].n)
		out(" %20.1f%-2s", v, unit);
	else
		out(" %22s", "-");
}

/* Audit mode (not granted: every call a would-deny) against enforce mode
 * (granted), paired by round, events aggregated and every event sent:
 * extra time per op, extra hook ns per run, and that as a share of an op.
 */
static void print_audit(const struct b_results *r)
{
	static const enum b_config audit[2] = { C_AUDIT, C_AUDIT_ALL };
	int i, w;

	if (!config_ran(r, C_VIPC) || (!config_ran(r, C_AUDIT) && !config_ran(r, C_AUDIT_ALL)))
		return;
	out("%-31s %22s %22s\n", "audit vs enforce (vipc)", b_config_names[C_AUDIT],
	    b_config_names[C_AUDIT_ALL]);
	for (w = 0; w < W__COUNT; w++) {
		if (!(B_HOOKED_WORK & (1u << w)) || !work_ran(r, w))
			continue;
		out("%-24s %-6s", b_work_names[w], "op");
		for (i = 0; i < 2; i++)
			audit_cell(r, audit[i], w, work_overhead(r, audit[i], C_VIPC, w), "%");
		out("\n%-24s %-6s", "", "hook");
		for (i = 0; i < 2; i++)
			audit_cell(r, audit[i], w, paired_diff(&r->hook[audit[i]][w], &r->hook[C_VIPC][w]),
				   "ns");
		out("\n%-24s %-6s", "", "share");
		for (i = 0; i < 2; i++)
			audit_cell(r, audit[i], w, audit_share(r, audit[i], w), "%");
		out("\n");
	}
	out("ring buffer records read: %ld aggregated (events and summaries), %ld every event\n\n",
	    r->events[C_AUDIT], r->events[C_AUDIT_ALL]);
}

/* What the per-container decision counters add to a hook run: vipc's ns
 * per run less vipc --no-decisions', paired by round.
 */
static void print_counter_cost(const struct b_results *r)
{
	int w;

	if (!config_ran(r, C_VIPC) || !config_ran(r, C_NOCOUNT))
		return;
	out("%-31s %12s %12s %12s\n", "decision counters, ns per run", "with", "without",
	    "added");
	for (w = 0; w < W__COUNT; w++)
		if (r->hook[C_VIPC][w].n && r->hook[C_NOCOUNT][w].n)
			out("%-31s %12.0f %12.0f %12.1f\n", b_work_names[w],
			    b_median(&r->hook[C_VIPC][w]), b_median(&r->hook[C_NOCOUNT][w]),
			    paired_diff(&r->hook[C_VIPC][w], &r->hook[C_NOCOUNT][w]));
	out("\n");
}

/* The client's context switches per op: where wake-up preemption shows. */
static void print_csw(const struct b_results *r)
{
	print_header(r, "client context switches per op ");
	print_rows(r, r->csw, ~0u, 3, false);
}

static void print_sweep(const struct b_results *r, const size_t *sweep, int nr, FILE *csv)
{
	double base_c = b_median(&r->sweep_base[0]), base_d = b_median(&r->sweep_base[1]);
	double c, d, oc, od;
	int i;

	out("table size sweep (baseline: connect %.2f us, sendto %.1f k/s)\n", base_c, base_d);
	out("%10s %12s %10s %12s %10s %14s %14s\n", "grants", "connect us", "overhead", "sendto k/s",
	    "overhead", "connect hook", "sendto hook");
	fprintf(csv, "grants,endpoints,connect_us,connect_overhead_pct,sendto_kps,sendto_overhead_pct,"
		     "connect_hook_ns,sendto_hook_ns\n");
	for (i = 0; i < nr; i++) {
		c = b_median(&r->sweep[i][0]);
		d = b_median(&r->sweep[i][1]);
		oc = paired(&r->sweep[i][0], &r->sweep_base[0], false);
		od = paired(&r->sweep[i][1], &r->sweep_base[1], true);
		out("%10zu %12.2f %9.1f%% %12.1f %9.1f%% %11.0f ns %11.0f ns\n", sweep[i], c, oc, d,
		    od, b_median(&r->sweep_hook[i][0]), b_median(&r->sweep_hook[i][1]));
		fprintf(csv, "%zu,%zu,%.3f,%.2f,%.1f,%.2f,%.0f,%.0f\n", sweep[i], sweep[i] / 10 ?: 1,
			c, oc, d, od, b_median(&r->sweep_hook[i][0]), b_median(&r->sweep_hook[i][1]));
	}
	out("\n");
}

static void print_ops(const struct b_results *r, FILE *csv)
{
	int i;

	out("%-50s %10s %12s %12s\n", "policy operation", "entries", "time ms", "peak RSS MiB");
	fprintf(csv, "operation,entries,seconds,peak_rss_mib\n");
	for (i = 0; i < B_NR_OPS; i++) {
		out("%-50s %10.0f %12.3f %12.1f\n", r->ops[i].what, r->ops[i].entries,
		    r->ops[i].seconds * 1e3, r->ops[i].rss_kib / 1024.0);
		fprintf(csv, "\"%s\",%.0f,%.6f,%.1f\n", r->ops[i].what, r->ops[i].entries,
			r->ops[i].seconds, r->ops[i].rss_kib / 1024.0);
	}
	out("\n");
}

static void target(const char *what, double v, const char *unit, double limit, bool upper)
{
	out("  [%s] %-52s %8.2f%s (target %s %g%s)\n", (upper ? v <= limit : v >= limit) ? "met   " : "MISSED",
	    what, v, unit, upper ? "<=" : ">=", limit, unit);
}

static double worst(const struct b_results *r, enum b_config c, enum b_config base, enum b_work a,
		    enum b_work b)
{
	double x = work_overhead(r, c, base, a), y = work_overhead(r, c, base, b);

	return x > y ? x : y;
}

static double ratio(const struct b_results *r, enum b_work w, bool rate)
{
	double v = b_median(&r->work[C_VIPC][w]), s = b_median(&r->work[C_SOCAT][w]);

	return rate ? v / s : v / s;
}

/* The vipc hooks' run time above the floor (empty programs) as a
 * share of a baseline op, the worse of @a and @b, in percent: a cost that
 * wall-clock noise cannot hide or inflate.
 */
static double hook_share(const struct b_results *r, enum b_work a, enum b_work b)
{
	enum b_work w[2] = { a, b };
	double most = 0, base, share;
	int i;

	for (i = 0; i < 2; i++) {
		base = b_work_ns_per_op(w[i], b_median(&r->work[C_BASELINE][w[i]]));
		share = paired_diff(&r->hook[C_VIPC][w[i]], &r->hook[C_EMPTY][w[i]]);
		share = base > 0 ? 100 * share / base : 0;
		most = share > most ? share : most;
	}
	return most;
}

/* The most @c's hook runs above the floor's, ns, over workloads @a and @b. */
static double above_floor(const struct b_results *r, enum b_config c, enum b_work a, enum b_work b)
{
	double x = paired_diff(&r->hook[c][a], &r->hook[C_EMPTY][a]);
	double y = paired_diff(&r->hook[c][b], &r->hook[C_EMPTY][b]);

	return x > y ? x : y;
}

/* The most @c adds to an op over the floor configuration, any workload. */
static double worst_over_floor(const struct b_results *r, enum b_config c)
{
	double most = 0, v;
	int w;

	for (w = 0; w < W__COUNT; w++) {
		if (!r->work[c][w].n || !r->work[C_EMPTY][w].n)
			continue;
		v = work_overhead(r, c, C_EMPTY, w);
		most = v > most ? v : most;
	}
	return most;
}

/* The worst of audit_share() over connect and sendto. */
static double audit_hook_share(const struct b_results *r)
{
	double most = 0, v;
	int w;

	for (w = 0; w < W__COUNT; w++) {
		if (!(B_HOOKED_WORK & (1u << w)))
			continue;
		v = audit_share(r, C_AUDIT, w);
		most = v > most ? v : most;
	}
	return most;
}

/* The most the decision counters add to a connect or sendto hook run, ns. */
static double counter_cost(const struct b_results *r)
{
	double most = 0, d;
	int w;

	for (w = 0; w < W__COUNT; w++) {
		if (!(B_HOOKED_WORK & (1u << w)))
			continue;
		d = paired_diff(&r->hook[C_VIPC][w], &r->hook[C_NOCOUNT][w]);
		most = d > most ? d : most;
	}
	return most;
}

/* The worse of the sweep's connect and sendto hooks, 1M grants against 10. */
static double sweep_hook_growth(const struct b_results *r)
{
	double c = paired(&r->sweep_hook[B_NR_SWEEP - 1][0], &r->sweep_hook[0][0], false);
	double d = paired(&r->sweep_hook[B_NR_SWEEP - 1][1], &r->sweep_hook[0][1], false);

	return c > d ? c : d;
}

static void print_targets(const struct b_results *r)
{
	double thr = ratio(r, W_STREAM_PATH, true), rtt = ratio(r, W_PINGPONG_PATH, false);

	out("targets (worse of pathname and abstract):\n");
	target("connect+accept overhead", worst(r, C_VIPC, C_BASELINE, W_CONNECT_PATH, W_CONNECT_ABS), "%", 3, true);
	target("connect+accept: hook above the floor, share of an op", hook_share(r, W_CONNECT_PATH, W_CONNECT_ABS), "%", 3, true);
	target("datagram sendto overhead", worst(r, C_VIPC, C_BASELINE, W_DGRAM_PATH, W_DGRAM_ABS), "%", 5, true);
	target("datagram sendto: hook above the floor, share of an op", hook_share(r, W_DGRAM_PATH, W_DGRAM_ABS), "%", 5, true);
	target("audit vs enforce: connect+accept time per op", worst(r, C_AUDIT, C_VIPC, W_CONNECT_PATH, W_CONNECT_ABS), "%", 10, true);
	target("audit vs enforce: sendto time per op", worst(r, C_AUDIT, C_VIPC, W_DGRAM_PATH, W_DGRAM_ABS), "%", 10, true);
	target("audit vs enforce: hook above enforce's, share of an op", audit_hook_share(r), "%", 10, true);
	target("decision counters: ns added to a hook run", counter_cost(r), " ns", 10, true);
	target("connect hook above the floor, granted caller", above_floor(r, C_VIPC, W_CONNECT_PATH, W_CONNECT_ABS), " ns", 150, true);
	target("connect hook above the floor, caller in no container", above_floor(r, C_UNLISTED, W_CONNECT_PATH, W_CONNECT_ABS), " ns", 150, true);
	target("sendto hook above the floor, granted caller", above_floor(r, C_VIPC, W_DGRAM_PATH, W_DGRAM_ABS), " ns", 50, true);
	target("sendto hook above the floor, caller in no container", above_floor(r, C_UNLISTED, W_DGRAM_PATH, W_DGRAM_ABS), " ns", 50, true);
	target("every workload vs empty programs, granted caller", worst_over_floor(r, C_VIPC), "%", 3, true);
	target("every workload vs empty programs, caller in no container", worst_over_floor(r, C_UNLISTED), "%", 3, true);
	target("1M grants vs 10: connect time per op", worst(r, C_VIPC_1M, C_VIPC, W_CONNECT_PATH, W_CONNECT_ABS), "%", 5, true);
	target("1M grants vs 10: sendto time per op", worst(r, C_VIPC_1M, C_VIPC, W_DGRAM_PATH, W_DGRAM_ABS), "%", 5, true);
	target("1M grants vs 10: hook ns per run (sweep)", sweep_hook_growth(r), "%", 5, true);
	if (ratio(r, W_STREAM_ABS, true) < thr)
		thr = ratio(r, W_STREAM_ABS, true);
	if (ratio(r, W_PINGPONG_ABS, false) > rtt)
		rtt = ratio(r, W_PINGPONG_ABS, false);
	target("stream throughput vs socat broker", thr, "x", 3, false);
	target("64B round trip vs socat broker", rtt, "x", 0.5, true);
	target("apply 1M grants", r->ops[2].seconds, " s", 2, true);
	target("apply 1M grants, --prealloc-grants", r->ops[9].seconds, " s", 2, true);
	target("revoke an endpoint holding 100k grants", r->ops[4].seconds * 1e3, " ms", 1, true);
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "w");
}

static void write_workloads_csv(const struct b_results *r, FILE *f)
{
	const struct b_samples *s;
	int c, w;

	fprintf(f, "config,workload,unit,median,min,max,samples,csw_per_op,hook_ns_per_run\n");
	for (c = 0; c < C__COUNT; c++)
		for (w = 0; w < W__COUNT; w++) {
			s = &r->work[c][w];
			if (s->n)
				fprintf(f, "%s,%s,%s,%.3f,%.3f,%.3f,%d,%.3f,%.0f\n", b_config_names[c],
					b_work_names[w], b_work_unit(w), b_median(s), b_min(s),
					b_max(s), s->n, b_median(&r->csw[c][w]),
					b_median(&r->hook[c][w]));
		}
}

static int plot(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "gnuplot -e \"in='%s/sweep.csv'; out='%s/overhead.png'\" bench/plot.gp",
		 dir, dir);
	return system(cmd) ? -EIO : 0;
}

/* mkdir and rmdir under each configuration, and whether every selected
 * cgroup was bound when its mkdir returned.
 */
static void print_mkdir(const struct b_bind *b)
{
	int m;

	out("cgroup binding at mkdir (tp_btf/cgroup_mkdir): %d rounds of each configuration's "
	    "mkdir+rmdir pairs; median of the rounds' medians [min - max]\n%-31s",
	    b->pair_us[M_NONE].n, "");
	for (m = 0; m < M__COUNT; m++)
		out(" %22s", b_mkdir_names[m]);
	out("\n%-31s", "mkdir us");
	for (m = 0; m < M__COUNT; m++)
		print_cell(&b->mkdir_us[m], 2);
	out("\n%-31s", "mkdir+rmdir us");
	for (m = 0; m < M__COUNT; m++)
		print_cell(&b->pair_us[m], 2);
	out("\n%-31s %22s", "mkdir+rmdir vs no vipc (paired)", "-");
	for (m = M_MISS; m < M__COUNT; m++)
		out(" %21.1f%%", paired(&b->pair_us[m], &b->pair_us[M_NONE], false));
	out("\nselected cgroups made: %ld; bound when mkdir returned: %ld; bound later: %ld (longest "
	    "wait %.0f us); not within %d ms: %ld\nregistry: cgroups_bound +%ld, cgroups_unbound "
	    "+%ld\n\n",
	    b->made, b->at_return, b->late, b->late_max_us, B_LATE_MS,
	    b->made - b->at_return - b->late, b->reg_bound, b->reg_unbound);
}

static void print_churn(const struct b_bind *b)
{
	out("cgroup churn: mkdir, a process cloned into it (CLONE_INTO_CGROUP) whose first call is a "
	    "denied sendto, exit, rmdir; one glob selects every cgroup\n%-31s", "starts per second");
	print_cell(&b->churn, 0);
	out("\nstarts: %ld; bound when mkdir returned: %ld; first call denied (EPERM): %ld; "
	    "registry: cgroups_bound +%ld, cgroups_unbound +%ld\n"
	    "cgroup_mkdir program %.0f ns per run, cgroup_rmdir %.0f ns per run (bpf_stats)\n\n",
	    b->starts, b->starts_bound, b->starts_denied, b->churn_bound, b->churn_unbound,
	    b->mkdir_prog_ns, b->rmdir_prog_ns);
}

/* Connect and sendto, time per op and hook ns per run, with 10 and B_MANY
 * cgroups bound; the last column paired by round.
 */
static void print_many(const struct b_results *r)
{
	static const enum b_work work[2] = { W_CONNECT_PATH, W_DGRAM_PATH };
	int j;

	out("hook cost with 10 and %d cgroups bound by one glob (bindings in the live slot: %ld and "
	    "%ld)\n%-31s %22s %22s %22s\n",
	    B_MANY, r->many_bindings[0], r->many_bindings[1], "", "10 bound", "10000 bound",
	    "extra (paired)");
	for (j = 0; j < 2; j++) {
		out("%-24s %-6s", b_work_names[work[j]], b_work_unit(work[j]));
		print_cell(&r->many[0][j], 2);
		print_cell(&r->many[1][j], 2);
		out(" %21.1f%%\n%-24s %-6s", paired(&r->many[1][j], &r->many[0][j],
						    b_work_is_rate(work[j])), "", "hook");
		print_cell(&r->many_hook[0][j], 0);
		print_cell(&r->many_hook[1][j], 0);
		out(" %21.1f%%\n", paired(&r->many_hook[1][j], &r->many_hook[0][j], false));
	}
	out("\n");
}

/* 100 when @n is exactly @want, less the further it is from it. */
static double exact_share(long n, long want)
{
	return want > 0 ? 100.0 * (want - labs(n - want)) / want : 0;
}

static double lesser(double a, double b)
{
	return a < b ? a : b;
}

/* The worse of connect's and sendto's paired growth, B_MANY bound against
 * 10: of the hook's ns per run (@hook) or of the time per op.
 */
static double many_growth(const struct b_results *r, bool hook)
{
	const struct b_samples(*s)[2] = hook ? r->many_hook : r->many;
	double c = paired(&s[1][0], &s[0][0], false);
	double d = paired(&s[1][1], &s[0][1], !hook); /* sendto: a rate */

	return c > d ? c : d;
}

static void print_bind_targets(const struct b_results *r)
{
	const struct b_bind *b = &r->bind;
	double wait = b->made - b->at_return - b->late ? B_LATE_MS : b->late_max_us / 1e3;
	double counted = lesser(exact_share(b->reg_bound, b->made),
				exact_share(b->reg_unbound, b->made));
	double churned = lesser(lesser(exact_share(b->starts_bound, b->starts),
				       exact_share(b->starts_denied, b->starts)),
				lesser(exact_share(b->churn_bound, b->starts),
				       exact_share(b->churn_unbound, b->starts)));

	out("binding targets:\n");
	target("selected cgroups bound when mkdir(2) returned", exact_share(b->at_return, b->made), "%", 100, false);
	target("longest wait from mkdir's return to binding", wait, " ms", 1, true);
	target("registry counted each selected mkdir and rmdir", counted, "%", 100, false);
	target("cgroup churn: starts per second, all selected", b_median(&b->churn), "/s", 100, false);
	target("churn: bound at mkdir, first call denied, counted", churned, "%", 100, false);
	target("10k bound cgroups vs 10: hook ns per run", many_growth(r, true), "%", 5, true);
	target("10k bound cgroups vs 10: time per op", many_growth(r, false), "%", 5, true);
}

static void write_samples_csv(FILE *f, const char *what, const char *config, const char *unit,
			      const struct b_samples *s)
{
	fprintf(f, "\"%s\",\"%s\",%s,%.3f,%.3f,%.3f,%d\n", what, config, unit, b_median(s),
		b_min(s), b_max(s), s->n);
}

static void write_count_csv(FILE *f, const char *what, const char *config, long n)
{
	fprintf(f, "\"%s\",\"%s\",count,%ld,%ld,%ld,1\n", what, config, n, n, n);
}

static void write_binding_csv(const struct b_results *r, FILE *f)
{
	const struct b_bind *b = &r->bind;
	static const char *const bound[2] = { "10 bound", "10000 bound" };
	int m, i;

	fprintf(f, "measure,config,unit,median,min,max,samples\n");
	for (m = 0; m < M__COUNT; m++) {
		write_samples_csv(f, "mkdir", b_mkdir_names[m], "us", &b->mkdir_us[m]);
		write_samples_csv(f, "mkdir+rmdir", b_mkdir_names[m], "us", &b->pair_us[m]);
	}
	write_samples_csv(f, "churn", "glob", "starts/s", &b->churn);
	for (i = 0; i < 2; i++) {
		write_samples_csv(f, "connect+accept path", bound[i], "us", &r->many[i][0]);
		write_samples_csv(f, "connect hook", bound[i], "ns", &r->many_hook[i][0]);
		write_samples_csv(f, "sendto dgram path", bound[i], "k/s", &r->many[i][1]);
		write_samples_csv(f, "sendto hook", bound[i], "ns", &r->many_hook[i][1]);
	}
	write_count_csv(f, "selected cgroups made", "exact+glob", b->made);
	write_count_csv(f, "bound at mkdir return", "exact+glob", b->at_return);
	write_count_csv(f, "bound later", "exact+glob", b->late);
	write_count_csv(f, "registry cgroups_bound added", "exact+glob", b->reg_bound);
	write_count_csv(f, "registry cgroups_unbound added", "exact+glob", b->reg_unbound);
	write_count_csv(f, "starts", "churn", b->starts);
	write_count_csv(f, "bound at mkdir return", "churn", b->starts_bound);
	write_count_csv(f, "first call denied", "churn", b->starts_denied);
	write_count_csv(f, "registry cgroups_bound added", "churn", b->churn_bound);
	write_count_csv(f, "registry cgroups_unbound added", "churn", b->churn_unbound);
	write_count_csv(f, "bindings in the live slot", "10 bound", r->many_bindings[0]);
	write_count_csv(f, "bindings in the live slot", "10000 bound", r->many_bindings[1]);
}

int b_report_binding(const struct b_results *r, const char *dir)
{
	FILE *csv = open_out(dir, "binding.csv");
	int err = 0;

	section = open_out(dir, "binding.txt");
	if (!csv || !section)
		err = -errno;
	print_mkdir(&r->bind);
	print_churn(&r->bind);
	print_many(r);
	print_bind_targets(r);
	if (csv) {
		write_binding_csv(r, csv);
		fclose(csv);
	}
	if (section)
		fclose(section);
	section = NULL;
	return err;
}

/* Per caller class and hooked workload, each step's ns per hook run (its
 * clock read taken off), and their sum: medians of the rounds.
 */
static void print_steps(const struct b_results *r)
{
	enum b_config c;
	int s, w;

	out("where the hooks' time goes (vipc load --time-steps): ns per hook run, median of %d "
	    "rounds, one clock read (%.0f ns) taken off each step; a step not taken reads ~0\n",
	    r->steps[C_VIPC][W_CONNECT_PATH][0].n,
	    b_median(&r->steps[C_VIPC][W_CONNECT_PATH][VIPC_STEP_clock]));
	for (c = 0; c < C__COUNT; c++) {
		if (!(B_STEP_CONFIGS & (1u << c)))
			continue;
		out("%-31s", b_config_names[c]);
		for (w = 0; w < W__COUNT; w++)
			if (B_HOOKED_WORK & (1u << w))
				out(" %22s", b_work_names[w]);
		for (s = 0; s <= VIPC_STEP__COUNT; s++) {
			if (s == VIPC_STEP_clock)
				continue;
			out("\n  %-29s", s < VIPC_STEP__COUNT ? b_step_names[s] : "sum");
			for (w = 0; w < W__COUNT; w++) {
				if (!(B_HOOKED_WORK & (1u << w)))
					continue;
				out(" %22.1f", b_median(&r->steps[c][w][s]));
			}
		}
		out("\n");
	}
	out("\n");
}

void b_report_steps(const struct b_results *r)
{
	print_machine(r);
	print_steps(r);
}

void b_report_table(const struct b_results *r)
{
	print_machine(r);
	print_workloads(r);
	print_overheads(r);
	print_counter_cost(r);
	print_audit(r);
	print_csw(r);
}

int b_report(const struct b_results *r, const char *dir, const size_t *sweep, int nr_sweep)
{
	FILE *work = open_out(dir, "workloads.csv"), *sw = open_out(dir, "sweep.csv");
	FILE *ops = open_out(dir, "ops.csv");
	int err = 0;

	summary = open_out(dir, "summary.txt");
	if (!work || !sw || !ops || !summary) {
		err = -errno;
		goto cleanup;
	}
	b_report_table(r);
	print_sweep(r, sweep, nr_sweep, sw);
	if (r->has_steps)
		print_steps(r);
	print_ops(r, ops);
	print_targets(r);
	out("\n");
	err = b_report_binding(r, dir);
	write_workloads_csv(r, work);
cleanup:
	if (work)
		fclose(work);
	if (sw)
		fclose(sw);
	if (ops)
		fclose(ops);
	if (summary)
		fclose(summary);
	summary = NULL;
	return err ?: plot(dir);
}
