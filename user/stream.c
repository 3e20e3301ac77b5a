// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Statistics from the per-CPU map, and the ring buffer stream of deny
 * events, cgroup removals and in-kernel statistics snapshots.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "stream.h"
#include "registry.h"
#include "log.h"

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

static void print_fields(const char *const *names, const __u64 *v, size_t n, bool json)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (json)
			printf("%s\"%s\":%llu", i ? "," : "", names[i], (unsigned long long)v[i]);
		else
			printf("  %-20s %llu\n", names[i], (unsigned long long)v[i]);
	}
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

static void print_hooks(const struct vipc_stats *hooks, bool json)
{
	int h, counted = 0;

	for (h = 0; h < VIPC_HOOK__COUNT; h++)
		counted += any_counted(&hooks[h]);
	if (!json && !counted)
		return;
	printf(json ? ",\"hooks\":{" : "per hook:\n");
	for (h = 0; h < VIPC_HOOK__COUNT; h++) {
		if (json) {
			printf("%s\"%s\":{", h ? "," : "", vipc_hook_name(h));
			print_fields(stat_names, (const __u64 *)&hooks[h], NR_STATS, true);
			printf("}");
		} else if (any_counted(&hooks[h])) {
			print_hook_line(vipc_hook_name(h), &hooks[h]);
		}
	}
	printf(json ? "}" : "");
}

void vipc_stats_print(const struct vipc_stats *s, const struct vipc_stats *hooks,
		      const struct vipc_registry_stats *r, bool json)
{
	double rate = s->lookups ? 100.0 * s->hits / s->lookups : 0;

	printf(json ? "{\"decisions\":{" : "decisions:\n");
	print_fields(stat_names, (const __u64 *)s, NR_STATS, json);
	if (json)
		printf(",\"hit_rate\":%.2f}", rate);
	else
		printf("  %-20s %.2f%%\n", "hit_rate", rate);
	if (hooks)
		print_hooks(hooks, json);
	if (r) {
		printf(json ? ",\"registry\":{" : "registry:\n");
		print_fields(reg_names, (const __u64 *)r, NR_REG, json);
		printf(json ? "}" : "");
	}
	printf(json ? "}\n" : "");
	fflush(stdout);
}

int vipc_stats_interval(struct vipc_state *st, __u64 interval_ms)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	err = vipc_config_read(st);
	if (err)
		return err;
	st->cfg.stats_interval_ns = interval_ms * 1000000ULL;
	err = vipc_config_write(st);
	if (err || !interval_ms)
		return err;
	if (bpf_prog_test_run_opts(st->stats_prog_fd, &opts))
		return -errno;
	return (int)opts.retval == 0 || (int)opts.retval == -EBUSY ? 0 : (int)opts.retval;
}

struct stream_ctx {
	struct vipc_state *st;
	const struct vipc_stream_opts *o;
	long seen;
};

static void container_name(struct vipc_state *st, __u32 id, char *buf, size_t size)
{
	struct vipc_container_info c;

	if (!vipc_container_by_id(st, id, &c))
		snprintf(buf, size, "%s", c.val.principal.name);
	else
		snprintf(buf, size, "#%u", id);
}

static void print_event(struct stream_ctx *sc, const struct vipc_event *e)
{
	char who[VIPC_LABEL_MAX + 8], name[4 * VIPC_NAME_MAX + 2], perms[64], comm[17];
	const char *type = e->type == VIPC_EV_DENY ? "deny" : "would-deny";
	const char *hook = vipc_hook_name(e->hook);

	container_name(sc->st, e->container, who, sizeof(who));
	vipc_addr_format(e->kind, e->name, e->name_len, name, sizeof(name));
	vipc_perms_format(e->perm, perms, sizeof(perms));
	snprintf(comm, sizeof(comm), "%.16s", e->comm);
	if (sc->o->json)
		printf("{\"type\":\"%s\",\"ts_ns\":%llu,\"container\":\"%s\",\"cgroup_id\":%llu,"
		       "\"pid\":%u,\"comm\":\"%s\",\"endpoint_id\":%u,\"name\":\"%s\","
		       "\"perm\":\"%s\",\"reason\":\"%s\",\"hook\":\"%s\"}\n",
		       type, (unsigned long long)e->ts_ns, who, (unsigned long long)e->cgroup_id,
		       e->pid, comm, e->endpoint, name, perms, vipc_reason_str(e->reason), hook);
	else
		printf("%-10s %s pid %u (%s) %s %s: %s [%s]\n", type, who, e->pid, comm, perms,
		       name, vipc_reason_str(e->reason), hook);
}

/* A cgroup removed with its run-time container, bound, or unbound. */
static void print_cgroup_event(struct stream_ctx *sc, const struct vipc_event *e)
{
	static const char *const types[] = { "cgroup-gone", "cgroup-bound", "cgroup-unbound" };
	static const char *const what[] = { "removed with its endpoints and grants",
					    "bound", "unbound (the container stays)" };
	unsigned int t = e->type - VIPC_EV_CGROUP_GONE;
	char who[VIPC_LABEL_MAX + 8];

	if (t > 2)
		return;
	container_name(sc->st, e->container, who, sizeof(who));
	if (sc->o->json)
		printf("{\"type\":\"%s\",\"ts_ns\":%llu,\"container\":\"%s\","
		       "\"container_id\":%u,\"cgroup_id\":%llu,\"path\":\"%.*s\"}\n", types[t],
		       (unsigned long long)e->ts_ns, who, e->container,
		       (unsigned long long)e->cgroup_id, e->name_len, e->name);
	else
		printf("%-10s container %s (#%u): cgroup %llu%s%.*s %s\n", t ? "binding" : "cleanup",
		       who, e->container, (unsigned long long)e->cgroup_id, e->name_len ? " at " : "",
		       e->name_len, e->name, what[t]);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct stream_ctx *sc = ctx;
	const struct vipc_event *e = data;
	const struct vipc_snapshot *snap = data;

	if (size < sizeof(__u32))
		return 0;
	if (e->type == VIPC_EV_STATS && size >= sizeof(*snap)) {
		vipc_stats_print(&snap->stats, NULL, NULL, sc->o->json);
	} else if (e->type >= VIPC_EV_CGROUP_GONE && size >= sizeof(*e)) {
		print_cgroup_event(sc, e);
	} else if (size >= sizeof(*e)) {
		print_event(sc, e);
		sc->seen++;
	}
	fflush(stdout);
	return 0;
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

int vipc_events_stream(struct vipc_state *st, const struct vipc_stream_opts *o)
{
	struct stream_ctx sc = { .st = st, .o = o };
	struct ring_buffer *rb;
	__u64 end = o->timeout_s ? now_ms() + o->timeout_s * 1000ULL : 0;
	int err = 0;

	rb = ring_buffer__new(st->events_fd, on_record, &sc, NULL);
	if (!rb)
		return -errno;
	if (o->interval_ms)
		err = vipc_stats_interval(st, o->interval_ms);
	while (!err && !vipc_stop && (!end || now_ms() < end)) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR || err >= 0)
			err = 0;
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
