// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Statistics from the per-CPU map, and the ring buffer stream of deny
 * events, cgroup removals and in-kernel statistics snapshots.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "stream.h"
#include "binder.h"
#include "cgroup.h"
#include "jsonout.h"
#include "registry.h"
#include "decisions.h"
#include "log.h"
#include "text.h"

volatile sig_atomic_t vipc_stop;

#define NR_STATS VIPC_NR_STATS
#define NR_REG VIPC_NR_REGISTRY

/* Field names, in struct order, from the one list in include/vipc.h. */
#define FIELD_NAME(name) #name,
static const char *const stat_names[NR_STATS] = { VIPC_STAT_FIELDS(FIELD_NAME) };
static const char *const reg_names[NR_REG] = { VIPC_REGISTRY_FIELDS(FIELD_NAME) };
#undef FIELD_NAME

/* Add @n counters of @src to @dst. */
static void add_fields(__u64 *dst, const __u64 *src, size_t n)
{
	size_t f;

	for (f = 0; f < n; f++)
		dst[f] += src[f];
}

int vipc_stats_read(struct vipc_state *st, struct vipc_stats_all *out)
{
	int cpus = libbpf_num_possible_cpus(), i, err = 0;
	struct vipc_stats *per;
	__u32 hook;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	per = calloc(cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (hook = 0; hook < VIPC_HOOK__COUNT && !err; hook++) {
		if (bpf_map_lookup_elem(st->stats_fd, &hook, per)) {
			err = -errno;
			break;
		}
		for (i = 0; i < cpus; i++)
			add_fields((__u64 *)&out->hook[hook], (__u64 *)&per[i], NR_STATS);
		add_fields((__u64 *)&out->total, (__u64 *)&out->hook[hook], NR_STATS);
	}
	free(per);
	return err;
}

static void print_fields(const char *const *names, const __u64 *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("  %-20s %llu\n", names[i], (unsigned long long)v[i]);
}

/* Text: one line per hook that counted anything, its non-zero counters. */
static void print_hook_line(const char *name, const struct vipc_stats *s)
{
	const __u64 *v = (const __u64 *)s;
	size_t i;

	printf("  %-20s", name);
	for (i = 0; i < NR_STATS; i++)
		if (v[i])
			printf(" %s=%llu", stat_names[i], (unsigned long long)v[i]);
	printf("\n");
}

static bool any_counted(const struct vipc_stats *s)
{
	static const struct vipc_stats zero;

	return memcmp(s, &zero, sizeof(zero));
}

static void print_hooks(const struct vipc_stats *hooks)
{
	int h, counted = 0;

	for (h = 0; h < VIPC_HOOK__COUNT; h++)
		counted += any_counted(&hooks[h]);
	if (!counted)
		return;
	printf("per hook:\n");
	for (h = 0; h < VIPC_HOOK__COUNT; h++)
		if (any_counted(&hooks[h]))
			print_hook_line(vipc_hook_name(h), &hooks[h]);
}

/* @n counters named @names as members of @obj. */
static int json_fields(json_object *obj, const char *const *names, const __u64 *v, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = vipc_json_add_u64(obj, names[i], v[i]);
	return err;
}

/* {"decisions":{...,"hit_rate":R},"hooks":{"<hook>":{...},...},"registry":{...}} */
static json_object *stats_json(const struct vipc_stats *s, const struct vipc_stats *hooks,
			       const struct vipc_registry_stats *r, double rate)
{
	json_object *doc = json_object_new_object(), *dec = vipc_json_child(doc, "decisions");
	json_object *by_hook = hooks ? vipc_json_child(doc, "hooks") : NULL;
	char num[32];
	int h, err;

	/* The hit rate as the text shows it, two decimals. */
	snprintf(num, sizeof(num), "%.2f", rate);
	err = json_fields(dec, stat_names, (const __u64 *)s, NR_STATS);
	err = err ?: vipc_json_add(dec, "hit_rate", json_object_new_double_s(rate, num));
	for (h = 0; hooks && h < VIPC_HOOK__COUNT && !err; h++)
		err = json_fields(vipc_json_child(by_hook, vipc_hook_name(h)), stat_names,
				 (const __u64 *)&hooks[h], NR_STATS);
	if (r && !err)
		err = json_fields(vipc_json_child(doc, "registry"), reg_names, (const __u64 *)r, NR_REG);
	return vipc_json_done(doc, err);
}

int vipc_stats_print(const struct vipc_stats *s, const struct vipc_stats *hooks,
		     const struct vipc_registry_stats *r, bool json)
{
	double rate = s->lookups ? 100.0 * s->hits / s->lookups : 0;

	if (json)
		return vipc_json_print(stats_json(s, hooks, r, rate));
	printf("decisions:\n");
	print_fields(stat_names, (const __u64 *)s, NR_STATS);
	printf("  %-20s %.2f%%\n", "hit_rate", rate);
	if (hooks)
		print_hooks(hooks);
	if (r) {
		printf("registry:\n");
		print_fields(reg_names, (const __u64 *)r, NR_REG);
	}
	fflush(stdout);
	return 0;
}

int vipc_timers_start(struct vipc_state *st)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(st->stats_prog_fd, &opts))
		return -errno;
	return (int)opts.retval == 0 || (int)opts.retval == -EBUSY ? 0 : (int)opts.retval;
}

/* Only this writes vipc_settings, whole, without the lock; vipc_config
 * (the live slot) it leaves alone.
 */
int vipc_stats_interval(struct vipc_state *st, __u64 interval_ms)
{
	struct vipc_settings set = { .stats_interval_ns = interval_ms * 1000000ULL };
	__u32 zero = 0;

	if (bpf_map_update_elem(st->settings_fd, &zero, &set, BPF_ANY))
		return -errno;
	return interval_ms ? vipc_timers_start(st) : 0;
}

int vipc_events_rate_set(struct vipc_state *st, __u64 interval_ms)
{
	int err = vipc_config_read(st);

	if (err)
		return err;
	st->cfg.events_interval_ns = interval_ms * 1000000ULL;
	return vipc_config_write(st) ?: vipc_timers_start(st);
}

int vipc_stats_interval_get(const struct vipc_state *st, __u64 *interval_ms)
{
	struct vipc_settings set;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->settings_fd, &zero, &set))
		return -errno;
	*interval_ms = set.stats_interval_ns / 1000000;
	return 0;
}

#define NAMED_CGROUPS 32 /* cgroup paths of callers in no container kept, the latest */

/* A cgroup's path as text, found once: a cgroup id is never reused. */
struct named_cgroup {
	__u64 id;
	char text[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
};

struct stream_ctx {
	struct vipc_state *st;
	const struct vipc_stream_opts *o;
	long seen;
	struct named_cgroup named[NAMED_CGROUPS]; /* without a capability, each is a walk */
	unsigned int next_named;
};

/* The container's label as text, "(held)" for a held cgroup, "-" for no
 * container, or "#id".
 */
static void container_name(struct vipc_state *st, __u32 id, bool held, char *buf, size_t size)
{
	struct vipc_container_info c;

	if (held)
		snprintf(buf, size, "(held)");
	else if (!id)
		snprintf(buf, size, "-");
	else if (!vipc_container_by_id(st, id, &c))
		vipc_label_format(c.val.principal.name, buf, size);
	else
		snprintf(buf, size, "#%u", id);
}

/* An event's type as text: "deny", "would-deny" or "summary". */
static const char *event_type(const struct vipc_event *e)
{
	if (e->type == VIPC_EV_SUMMARY)
		return "summary";
	return e->type == VIPC_EV_DENY ? "deny" : "would-deny";
}

/* Text: who, what, why; a summary says how many calls it stands for. */
static void print_event_text(const struct vipc_event *e, const struct vipc_event_names *n)
{
	struct vipc_event_text t;

	vipc_event_format(e, &t);
	if (e->type == VIPC_EV_SUMMARY) {
		printf("%-10s %s %s %s: %s [%s] %s %u more, first pid %u (%s)\n", n->type,
		       n->container, t.perms, t.name, n->reason, n->hook, vipc_outcome_str(e->verdict),
		       e->suppressed, e->pid, t.comm);
		return;
	}
	printf("%-10s %s%s%s%s pid %u (%s) %s %s: %s [%s]", n->type, n->container,
	       n->cgroup ? " (cgroup " : "", n->cgroup ?: "", n->cgroup ? ")" : "", e->pid, t.comm,
	       t.perms, t.name, n->reason, n->hook);
	if (e->suppressed)
		printf(" (+%u suppressed before)", e->suppressed);
	printf("\n");
}

/* The cgroup path of a caller no container holds, as text (kept in @sc's
 * latest); NULL for a container's call, or when it cannot be found (gone
 * already).
 */
static const char *caller_cgroup(struct stream_ctx *sc, const struct vipc_event *e)
{
	struct named_cgroup *n;
	char path[PATH_MAX];
	unsigned int i;

	if (e->container || e->reason == VIPC_R_HELD || !sc->o->cgroot || !e->cgroup_id)
		return NULL;
	for (i = 0; i < NAMED_CGROUPS; i++)
		if (sc->named[i].id == e->cgroup_id)
			return sc->named[i].text;
	if (vipc_cgroup_path(sc->o->cgroot, e->cgroup_id, path, sizeof(path)))
		return NULL;
	n = &sc->named[sc->next_named++ % NAMED_CGROUPS];
	n->id = e->cgroup_id;
	vipc_bytes_format(path, strlen(path), n->text, sizeof(n->text));
	return n->text;
}

static int print_event(struct stream_ctx *sc, const struct vipc_event *e)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	struct vipc_event_names n = {
		.type = event_type(e),
		.container = who,
		.cgroup = caller_cgroup(sc, e),
		.hook = vipc_hook_name(e->hook),
		.reason = vipc_reason_str(e->reason),
	};

	container_name(sc->st, e->container, e->reason == VIPC_R_HELD, who, sizeof(who));
	if (sc->o->sink)
		return sc->o->sink(sc->o->sink_ctx, e, &n);
	if (sc->o->json)
		return vipc_json_print(vipc_event_json(e, &n));
	print_event_text(e, &n);
	return 0;
}

/* The cgroup events: their type in JSON and what the text says. */
static const struct {
	__u32 type;
	const char *json, *what;
} cgroup_events[] = {
	{ VIPC_EV_CGROUP_GONE, "cgroup-gone", "removed with its endpoints and grants" },
	{ VIPC_EV_CGROUP_BOUND, "cgroup-bound", "bound" },
	{ VIPC_EV_CGROUP_UNBOUND, "cgroup-unbound", "unbound (the container stays)" },
	{ VIPC_EV_CGROUP_HELD, "cgroup-held", "held (denied) until its container is known" },
	{ VIPC_EV_CGROUP_UNBINDABLE, "cgroup-unbindable",
	  "NOT bound, unconfined: the bindings table is full (--max-containers)" },
};

/* Index of @type in cgroup_events, or -1. */
static int cgroup_event_index(__u32 type)
{
	size_t i;

	for (i = 0; i < sizeof(cgroup_events) / sizeof(cgroup_events[0]); i++)
		if (cgroup_events[i].type == type)
			return i;
	return -1;
}

/* A cgroup removed with its run-time container, bound, unbound or held. */
static int print_cgroup_event(struct stream_ctx *sc, const struct vipc_event *e, int t)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], path[VIPC_TEXT_SIZE(VIPC_NAME_MAX)];
	unsigned int len = e->name_len;
	json_object *doc;
	int err;

	container_name(sc->st, e->container, e->container == VIPC_HELD_ID, who, sizeof(who));
	vipc_bytes_format(e->name, len < VIPC_NAME_MAX ? len : VIPC_NAME_MAX, path, sizeof(path));
	if (!sc->o->json) {
		printf("%-10s container %s (#%u): cgroup %llu%s%s %s\n",
		       e->type == VIPC_EV_CGROUP_GONE ? "cleanup" : "binding", who, e->container,
		       (unsigned long long)e->cgroup_id, len ? " at " : "", path,
		       cgroup_events[t].what);
		return 0;
	}
	doc = json_object_new_object();
	err = vipc_json_add_str(doc, "type", cgroup_events[t].json);
	err = err ?: vipc_json_add_u64(doc, "ts_ns", e->ts_ns);
	err = err ?: vipc_json_add_str(doc, "container", who);
	err = err ?: vipc_json_add_u64(doc, "container_id", e->container);
	err = err ?: vipc_json_add_u64(doc, "cgroup_id", e->cgroup_id);
	err = err ?: vipc_json_add_str(doc, "path", path);
	return vipc_json_print(vipc_json_done(doc, err));
}

/* The binder's errors are its own: the stream goes on, the cgroup stays held. */
static void bind_held(struct stream_ctx *sc, const struct vipc_event *e)
{
	int err;

	if (!sc->o->binder)
		return;
	err = e ? vipc_binder_event(sc->o->binder, e) : vipc_binder_tick(sc->o->binder);
	if (err)
		pr_warn("binder: %s (held cgroups stay held)\n", strerror(-err));
}

/* Print a record (a sink takes only denies and would-denies). */
static int show_record(struct stream_ctx *sc, const void *data, size_t size)
{
	const struct vipc_event *e = data;
	const struct vipc_snapshot *snap = data;
	int err = 0, t = cgroup_event_index(e->type);

	if (sc->o->sink && e->type != VIPC_EV_DENY && e->type != VIPC_EV_AUDIT)
		return 0;
	if (e->type == VIPC_EV_STATS && size >= sizeof(*snap)) {
		err = vipc_stats_print(&snap->stats, NULL, NULL, sc->o->json);
	} else if (t >= 0 && size >= sizeof(*e)) {
		err = print_cgroup_event(sc, e, t);
	} else if (size >= sizeof(*e)) {
		err = print_event(sc, e);
		sc->seen += e->type != VIPC_EV_SUMMARY;
	}
	fflush(stdout);
	return err;
}

/* One record: shown, then a hold settled. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct stream_ctx *sc = ctx;
	const struct vipc_event *e = data;
	int err;

	if (size < sizeof(__u32))
		return 0;
	err = show_record(sc, data, size);
	if (e->type == VIPC_EV_CGROUP_HELD && size >= sizeof(*e))
		bind_held(sc, e);
	return err;
}

/* The loop without the ring buffer: the binder and the tick, turn by turn. */
static int turns_only(struct stream_ctx *sc, __u64 end)
{
	const struct vipc_stream_opts *o = sc->o;
	int err = 0;

	while (!err && !vipc_stop && (!end || vipc_now_ms() < end)) {
		bind_held(sc, NULL);
		err = o->tick ? o->tick(o->tick_ctx) : 0;
		if (!err)
			usleep(VIPC_TURN_MS * 1000);
	}
	return err;
}

int vipc_events_stream(struct vipc_state *st, const struct vipc_stream_opts *o)
{
	struct stream_ctx sc = { .st = st, .o = o };
	struct ring_buffer *rb;
	__u64 end = o->timeout_s ? vipc_now_ms() + o->timeout_s * 1000ULL : 0;
	int err = 0;

	if (o->leave_ring)
		return turns_only(&sc, end);
	rb = ring_buffer__new(st->events_fd, on_record, &sc, NULL);
	if (!rb)
		return -errno;
	if (o->interval_ms)
		err = vipc_stats_interval(st, o->interval_ms);
	/* Aggregated events come without a wake-up: read what is there every 100 ms. */
	while (!err && !vipc_stop && (!end || vipc_now_ms() < end)) {
		bind_held(&sc, NULL);
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR || err >= 0)
			err = ring_buffer__consume(rb);
		if (err >= 0)
			err = o->tick ? o->tick(o->tick_ctx) : 0;
		if (o->count && sc.seen >= o->count)
			break;
	}
	if (o->interval_ms)
		vipc_stats_interval(st, 0);
	ring_buffer__free(rb);
	if (!err && o->count && sc.seen < o->count)
		err = -ETIMEDOUT;
	return err;
}
