/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Lifecycle: remove a container with what it owns (`container rm`), bind
 * and unbind cgroups as they are made and removed (the cgroup_mkdir and
 * cgroup_rmdir tracepoints), and the periodic statistics snapshot.
 */
#ifndef __VIPC_LIFECYCLE_BPF_H
#define __VIPC_LIFECYCLE_BPF_H

struct vipc_sweep {
	__u32 container;
	__u32 slot;
	__u32 counted; /* the slot is live: count what is removed */
	__u32 removed;
};

static long vipc_sweep_endpoint(void *map, struct vipc_endpoint_key *key,
				struct vipc_endpoint *ep, struct vipc_sweep *sw)
{
	struct vipc_registry_stats *reg;

	if (key->slot != sw->slot || ep->owner != sw->container)
		return 0;
	if (bpf_map_delete_elem(map, key) || !sw->counted)
		return 0;
	reg = vipc_reg();
	if (reg)
		__sync_fetch_and_add(&reg->endpoints_destroyed, 1);
	return 0;
}

static long vipc_sweep_grant(void *map, struct vipc_grant_key *key, struct vipc_grant *g,
			     struct vipc_sweep *sw)
{
	struct vipc_registry_stats *reg;

	if (key->slot != sw->slot ||
	    (key->container != sw->container && g->endpoint_owner != sw->container))
		return 0;
	if (bpf_map_delete_elem(map, key) || !sw->counted)
		return 0;
	reg = vipc_reg();
	if (reg)
		__sync_fetch_and_add(&reg->grants_revoked, 1);
	return 0;
}

static long vipc_sweep_channel(void *map, struct vipc_channel_key *key, struct vipc_channel *ch,
			       struct vipc_sweep *sw)
{
	struct vipc_registry_stats *reg;

	if (key->slot != sw->slot || ch->receiver != sw->container)
		return 0;
	if (bpf_map_delete_elem(map, key) || !sw->counted)
		return 0;
	reg = vipc_reg();
	if (reg)
		__sync_fetch_and_add(&reg->channels_destroyed, 1);
	return 0;
}

/* Count one in a registry counter when @counted (the slot is live). */
static __always_inline void vipc_reg_count(__u64 *counter, int counted)
{
	if (counted)
		__sync_fetch_and_add(counter, 1);
}

static long vipc_sweep_watch(void *map, struct vipc_watch_key *key, struct vipc_watch *w,
			     struct vipc_sweep *sw)
{
	if (key->slot == sw->slot && w->principal.id == sw->container)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long vipc_sweep_glob(void *map, struct vipc_glob_key *key, struct vipc_glob_watch *w,
			    struct vipc_sweep *sw)
{
	if (key->slot == sw->slot && w->principal.id == sw->container)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long vipc_sweep_principal(void *map, struct vipc_principal_key *key,
				 struct vipc_principal *p, struct vipc_sweep *sw)
{
	struct vipc_registry_stats *reg;

	if (key->slot != sw->slot || p->id != sw->container)
		return 0;
	if (bpf_map_delete_elem(map, key))
		return 0;
	reg = vipc_reg();
	if (reg)
		vipc_reg_count(&reg->cgroups_unbound, sw->counted);
	return 0;
}

/* Remove a container from one slot with everything it owns and holds:
 * what it owns first, then what selects it, its bindings, itself.
 */
static __always_inline void vipc_remove(__u32 container, __u32 slot)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_sweep sw = { .container = container, .slot = slot };
	struct vipc_container_key ckey = { .slot = slot, .id = container };
	struct vipc_registry_stats *reg;

	sw.counted = cfg && cfg->active_slot == slot;
	bpf_for_each_map_elem(&vipc_channels, vipc_sweep_channel, &sw, 0);
	bpf_for_each_map_elem(&vipc_grants, vipc_sweep_grant, &sw, 0);
	bpf_for_each_map_elem(&vipc_endpoints, vipc_sweep_endpoint, &sw, 0);
	bpf_for_each_map_elem(&vipc_watch, vipc_sweep_watch, &sw, 0);
	bpf_for_each_map_elem(&vipc_watch_glob, vipc_sweep_glob, &sw, 0);
	bpf_for_each_map_elem(&vipc_principals, vipc_sweep_principal, &sw, 0);
	reg = vipc_reg();
	if (!reg)
		return;
	if (!bpf_map_delete_elem(&vipc_containers, &ckey))
		vipc_reg_count(&reg->containers_removed, sw.counted);
	__sync_fetch_and_add(&reg->policy_changes, 1);
}

/* Run by the loader (BPF_PROG_TEST_RUN) for `container rm`. */
SEC("syscall")
int vipc_remove_container(struct vipc_remove_args *args)
{
	vipc_remove(args->container, args->slot);
	return 0;
}

/* A cgroup event on the ring buffer: @path (may be NULL) in its name. */
static __always_inline void vipc_cgroup_event(__u32 type, __u64 cgid, __u32 container,
					      const union vipc_path *path, __u32 len)
{
	struct vipc_event *e;

	e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgid;
	e->container = container;
	if (path) {
		e->name_len = len < VIPC_NAME_MAX ? len : VIPC_NAME_MAX;
		__builtin_memcpy(e->name, path->bytes, VIPC_NAME_MAX);
	}
	bpf_ringbuf_submit(e, 0);
}

/* A bound cgroup went away. A container added by it at run time goes with
 * it (and all it owns); a policy container only loses the binding.
 */
static __always_inline void vipc_unbind(__u64 cgid, __u32 slot, int live)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = slot };
	struct vipc_container_key ckey = { .slot = slot };
	struct vipc_registry_stats *reg;
	struct vipc_container *ct;
	struct vipc_principal *p;

	p = bpf_map_lookup_elem(&vipc_principals, &key);
	if (!p)
		return;
	ckey.id = p->id;
	ct = bpf_map_lookup_elem(&vipc_containers, &ckey);
	if (ct && ct->flags & VIPC_CT_SEED) {
		if (live)
			vipc_cgroup_event(VIPC_EV_CGROUP_GONE, cgid, ckey.id, NULL, 0);
		vipc_remove(ckey.id, slot);
		return;
	}
	if (bpf_map_delete_elem(&vipc_principals, &key))
		return;
	reg = vipc_reg();
	if (reg) {
		vipc_reg_count(&reg->cgroups_unbound, live);
		__sync_fetch_and_add(&reg->policy_changes, 1);
	}
	if (live)
		vipc_cgroup_event(VIPC_EV_CGROUP_UNBOUND, cgid, ckey.id, NULL, 0);
}

static __always_inline __u32 vipc_live_slot(void)
{
	struct vipc_config *cfg = vipc_cfg();

	return cfg ? cfg->active_slot : VIPC_SLOTS;
}

/* A cgroup v2 directory went away: unbind it in every slot. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(vipc_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	__u32 slot, live = vipc_live_slot();
	__u64 cgid;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a cgroup v1 hierarchy */
	cgid = BPF_CORE_READ(cgrp, kn, id);
	for (slot = 0; slot < VIPC_SLOTS; slot++)
		vipc_unbind(cgid, slot, slot == live);
	return 0;
}

/* Where a new cgroup's path splits: its last '/' (0 for a child of the
 * root) and the hash of the parent's path before it.
 */
struct vipc_split {
	__u32 slash;
	__u64 hash;
};

/* The container of @slot a new cgroup at @path (@len bytes) is bound to:
 * the one selecting that exact path, else the first glob of its parent
 * directory its name matches; NULL if none.
 */
static __always_inline const struct vipc_principal *
vipc_selecting(const union vipc_path *path, __u32 len, const struct vipc_split *sp, __u32 slot)
{
	struct vipc_watch_key wkey = { .slot = slot, .len = len };
	struct vipc_glob_key gkey = { .slot = slot, .len = sp->slash, .hash = sp->hash };
	struct vipc_glob_watch *g;
	struct vipc_watch *w;
	__u32 i;

	wkey.hash = vipc_path_hash(path, len);
	w = bpf_map_lookup_elem(&vipc_watch, &wkey);
	if (w && vipc_path_eq(&w->path, path, len))
		return &w->principal; /* not another path that hashes alike */
	for (i = 0; i < VIPC_GLOB_PER_PARENT; i++) {
		gkey.index = i;
		g = bpf_map_lookup_elem(&vipc_watch_glob, &gkey);
		if (!g)
			return NULL; /* the indices are dense */
		if (vipc_path_eq(&g->parent, path, sp->slash) &&
		    vipc_glob_match(&g->glob, path, sp->slash + 1, len - sp->slash - 1))
			return &g->principal;
	}
	return NULL;
}

/* Bind a new cgroup at @path (@len bytes) if a container of @slot selects it. */
static __always_inline void vipc_bind_new(__u64 cgid, const union vipc_path *path, __u32 len,
					  const struct vipc_split *sp, __u32 slot, int live)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = slot };
	const struct vipc_principal *p = vipc_selecting(path, len, sp, slot);
	struct vipc_registry_stats *reg;

	if (!p || bpf_map_update_elem(&vipc_principals, &key, p, BPF_ANY))
		return;
	reg = vipc_reg();
	if (reg) {
		vipc_reg_count(&reg->cgroups_bound, live);
		__sync_fetch_and_add(&reg->policy_changes, 1);
	}
	if (live)
		vipc_cgroup_event(VIPC_EV_CGROUP_BOUND, cgid, p->id, path, len);
}

/* Split a path of @len bytes at its last '/'. */
static __always_inline void vipc_split(const union vipc_path *path, __u32 len,
				       struct vipc_split *sp)
{
	__u32 i;

	sp->slash = 0;
	for (i = 1; i < VIPC_CGROUP_PATH_MAX && i < len; i++)
		if (path->bytes[i] == '/')
			sp->slash = i;
	sp->hash = vipc_path_hash(path, sp->slash);
}

/* A cgroup v2 directory is being made. The tracepoint fires before the
 * kernel activates the directory (kernfs_activate), so before any process
 * can join it: a cgroup a container selects is confined from its first
 * process on. @path is relative to the hierarchy's root.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(vipc_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	__u32 slot, live = vipc_live_slot();
	struct vipc_split sp;
	union vipc_path buf;
	char more = 0;
	long n;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a cgroup v1 hierarchy */
	__builtin_memset(&buf, 0, sizeof(buf));
	n = bpf_probe_read_kernel_str(buf.bytes, sizeof(buf.bytes), path);
	if (n <= 1)
		return 0;
	if (n == sizeof(buf.bytes) &&
	    (bpf_probe_read_kernel(&more, 1, path + n - 1) || more))
		return 0; /* longer than any selector */
	vipc_split(&buf, n - 1, &sp);
	for (slot = 0; slot < VIPC_SLOTS; slot++)
		vipc_bind_new(BPF_CORE_READ(cgrp, kn, id), &buf, n - 1, &sp, slot, slot == live);
	return 0;
}

/* Add the counters of one (CPU, hook) pair, @i = cpu * hooks + hook, to @data. */
static long vipc_sum_one(__u32 i, void *data)
{
	struct vipc_stats *s, *out = data;
	__u32 cpu = i / VIPC_HOOK__COUNT, hook = i % VIPC_HOOK__COUNT;

	if (cpu >= nr_cpus)
		return 1;
	s = bpf_map_lookup_percpu_elem(&vipc_stats, &hook, cpu);
	if (!s)
		return 0;
#define VIPC_SUM_FIELD(name) out->name += s->name;
	VIPC_STAT_FIELDS(VIPC_SUM_FIELD)
#undef VIPC_SUM_FIELD
	return 0;
}

static int vipc_tick(void *map, __u32 *key, struct vipc_timer_slot *slot)
{
	struct vipc_settings *set = vipc_set();
	struct vipc_snapshot *snap;
	struct vipc_stats sum = {}, *s;

	if (!set || !set->stats_interval_ns)
		return 0;
	bpf_loop(VIPC_MAX_CPUS * VIPC_HOOK__COUNT, vipc_sum_one, &sum, 0);
	snap = bpf_ringbuf_reserve(&vipc_events, sizeof(*snap), 0);
	if (snap) {
		snap->type = VIPC_EV_STATS;
		snap->pad = 0;
		snap->ts_ns = bpf_ktime_get_ns();
		__builtin_memcpy(&snap->stats, &sum, sizeof(sum));
		bpf_ringbuf_submit(snap, 0);
	} else {
		s = vipc_cpu_stats(VIPC_HOOK_CONNECT_UNIX);
		if (s)
			s->snapshots_dropped++;
	}
	bpf_timer_start(&slot->timer, set->stats_interval_ns, 0);
	return 0;
}

/* Run by the loader after setting vipc_settings: start the snapshots. */
SEC("syscall")
int vipc_start_stats(void *ctx)
{
	struct vipc_settings *set = vipc_set();
	struct vipc_timer_slot *slot;
	__u32 zero = 0;

	slot = bpf_map_lookup_elem(&vipc_timer, &zero);
	if (!slot || !set || !set->stats_interval_ns)
		return 0;
	bpf_timer_init(&slot->timer, &vipc_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&slot->timer, vipc_tick);
	return bpf_timer_start(&slot->timer, set->stats_interval_ns, 0);
}

#endif /* __VIPC_LIFECYCLE_BPF_H */
