/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Lifecycle: remove a container with what it owns (`container rm`), bind
 * and unbind cgroups as they are made and removed (the cgroup_mkdir and
 * cgroup_rmdir tracepoints), the periodic statistics snapshot, and the
 * flush of aggregated deny events.
 */
#ifndef __VIPC_LIFECYCLE_BPF_H
#define __VIPC_LIFECYCLE_BPF_H

struct vipc_sweep {
	__u32 container;
	__u32 slot;
	__u32 counted; /* the slot is live: count what is removed */
	__u32 endpoint; /* counters only: with container 0, this endpoint's */
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

static long vipc_sweep_route(void *map, struct vipc_endpoint_key *key, struct vipc_route *r,
			     struct vipc_sweep *sw)
{
	if (key->slot == sw->slot && r->owner == sw->container)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long vipc_sweep_view(void *map, struct vipc_view_key *key, struct vipc_view *v,
			    struct vipc_sweep *sw)
{
	if (key->slot == sw->slot && (key->container == sw->container || v->owner == sw->container))
		bpf_map_delete_elem(map, key);
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

/* Do the counters of (@container, @endpoint owned by @owner) go? Those of
 * the container swept and of its endpoints, or of the endpoint swept.
 */
static __always_inline int vipc_forgets(const struct vipc_sweep *sw, __u32 container,
					__u32 endpoint, __u32 owner)
{
	if (sw->container)
		return container == sw->container || owner == sw->container;
	return endpoint == sw->endpoint;
}

static long vipc_sweep_decision(void *map, struct vipc_decision_key *key, __u64 *n,
				struct vipc_sweep *sw)
{
	if (vipc_forgets(sw, key->container, key->endpoint, key->owner))
		bpf_map_delete_elem(map, key);
	return 0;
}

/* Hot bucket @i = cpu * VIPC_HOT_BUCKETS + index: its rows cleared on its
 * CPU's copy.
 */
static long vipc_sweep_hot(__u32 i, struct vipc_sweep *sw)
{
	__u32 cpu = i / VIPC_HOT_BUCKETS, idx = i % VIPC_HOT_BUCKETS, zero = 0;
	struct vipc_hot_table *t;
	struct vipc_hot_bucket *b;
	struct vipc_hot_row *r;
	int w;

	if (cpu >= nr_cpus)
		return 1;
	t = bpf_map_lookup_percpu_elem(&vipc_decisions_hot, &zero, cpu);
	if (!t)
		return 0;
	b = &t->bucket[idx];
	for (w = 0; w < VIPC_HOT_WAYS; w++) {
		r = &b->row[w];
		if (vipc_forgets(sw, r->key.container, r->key.endpoint, r->key.owner))
			__builtin_memset(r, 0, sizeof(*r));
	}
	return 0;
}

/* Send @a's pending count as a summary (waking the reader): 1 when the ring
 * is full, the count left pending for the next try.
 */
static __always_inline int vipc_summarize(struct vipc_agg *a)
{
	struct vipc_event *e;

	if (!a->pending)
		return 0;
	e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
	if (!e)
		return 1;
	__builtin_memcpy(e, &a->last, sizeof(*e));
	e->type = VIPC_EV_SUMMARY;
	e->ts_ns = bpf_ktime_get_ns();
	e->suppressed = vipc_take_pending(a);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Aggregates go too, once their pending count is sent. */
static long vipc_sweep_agg(void *map, struct vipc_agg_key *key, struct vipc_agg *a,
			   struct vipc_sweep *sw)
{
	if (!vipc_forgets(sw, key->container, key->endpoint, a->owner))
		return 0;
	vipc_summarize(a);
	bpf_map_delete_elem(map, key);
	return 0;
}

/* Drop the counters (decision rows, hot rows, event aggregates) @sw names. */
static __always_inline void vipc_forget(struct vipc_sweep *sw)
{
	bpf_for_each_map_elem(&vipc_decisions, vipc_sweep_decision, sw, 0);
	bpf_loop(VIPC_MAX_CPUS * VIPC_HOT_BUCKETS, vipc_sweep_hot, sw, 0);
	bpf_for_each_map_elem(&vipc_agg, vipc_sweep_agg, sw, 0);
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
	bpf_for_each_map_elem(&vipc_routes, vipc_sweep_route, &sw, 0);
	bpf_for_each_map_elem(&vipc_views, vipc_sweep_view, &sw, 0);
	bpf_for_each_map_elem(&vipc_endpoints, vipc_sweep_endpoint, &sw, 0);
	bpf_for_each_map_elem(&vipc_watch, vipc_sweep_watch, &sw, 0);
	bpf_for_each_map_elem(&vipc_watch_glob, vipc_sweep_glob, &sw, 0);
	bpf_for_each_map_elem(&vipc_principals, vipc_sweep_principal, &sw, 0);
	if (sw.counted)
		vipc_forget(&sw);
	bpf_map_delete_elem(&vipc_homes, &container);
	reg = vipc_reg();
	if (!reg)
		return;
	if (!bpf_map_delete_elem(&vipc_containers, &ckey))
		vipc_reg_count(&reg->containers_removed, sw.counted);
	__sync_fetch_and_add(&reg->policy_changes, 1);
}

/* Run by the loader (BPF_PROG_TEST_RUN) for `container rm`, and with
 * VIPC_REMOVE_COUNTERS for the counters of what a reload or `endpoint rm`
 * removed.
 */
SEC("syscall")
int vipc_remove_container(struct vipc_remove_args *args)
{
	struct vipc_sweep sw = { .container = args->container, .endpoint = args->endpoint };

	if (args->flags & VIPC_REMOVE_COUNTERS)
		vipc_forget(&sw);
	else
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
 * it (and all it owns); a policy container only loses the binding; a hold
 * ends (released).
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
	/* Its places go with it: nothing learned, every place is a home. */
	bpf_map_delete_elem(&vipc_homes, &ckey.id);
	reg = vipc_reg();
	if (reg) {
		vipc_reg_count(ckey.id == VIPC_HELD_ID ? &reg->cgroups_released :
							 &reg->cgroups_unbound, live);
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

/* A new cgroup's path, where it splits, and the glob being tried, as
 * bpf_loop() passes them to its callbacks. Callbacks, so the verifier
 * sees one step once: a bounded loop over the bytes would give it a state
 * per position of the last '/', or per range of the pattern's lengths.
 */
struct vipc_mkdir {
	union vipc_path buf;
	struct vipc_glob_key gkey; /* len: the last '/' (0: a child of the root) */
	struct vipc_glob_key tkey; /* the glob being tried */
	__u32 len;		   /* bytes of the path */
	__u32 prev;		   /* the '/' before the last one */
	__u32 depth;		   /* components of the path: its '/'s */
	__u32 off;		   /* where the bytes the glob is tried on start */
	__u32 ok;		   /* vipc_glob_step: no byte failed yet */
	__u32 found;		   /* a glob at m->tkey selects the path */
};

/* One byte of the path: remember the last two '/', count them all. */
static long vipc_split_byte(__u32 i, struct vipc_mkdir *m)
{
	if (m->buf.bytes[i & (VIPC_CGROUP_PATH_MAX - 1)] == '/') {
		m->prev = m->gkey.len;
		m->gkey.len = i;
		m->depth++;
	}
	return 0;
}

/* Byte @i of the name against the glob at m->tkey (looked up again: a
 * callback gets no map value from its caller).
 */
static long vipc_glob_step(__u32 i, struct vipc_mkdir *m)
{
	struct vipc_glob_watch *g = bpf_map_lookup_elem(&vipc_watch_glob, &m->tkey);
	__u32 off = m->off & (VIPC_CGROUP_PATH_MAX - 1);

	if (g && vipc_glob_byte(&g->glob, &m->buf, off, m->len - off, i))
		return 0;
	m->ok = 0;
	return 1;
}

/* Does the glob at m->tkey match the path's bytes from m->off on? */
static __always_inline int vipc_glob_tries(struct vipc_mkdir *m, const struct vipc_glob *g)
{
	__u32 nl = m->len - (m->off & (VIPC_CGROUP_PATH_MAX - 1));

	if (m->off > m->len || !vipc_glob_fits(g, nl))
		return 0;
	m->ok = 1;
	bpf_loop(nl, vipc_glob_step, m, 0);
	return m->ok;
}

/* Glob @i of the new cgroup's parent directory (m->gkey): does the
 * new cgroup's name match it? Stops at the first that does (m->found,
 * its key in m->tkey) or past the last: the indices are dense.
 */
static long vipc_glob_try(__u32 i, struct vipc_mkdir *m)
{
	struct vipc_glob_watch *g;

	m->tkey = m->gkey;
	m->tkey.index = i;
	g = bpf_map_lookup_elem(&vipc_watch_glob, &m->tkey);
	if (!g)
		return 1;
	m->off = m->gkey.len + 1;
	m->found = vipc_path_eq(&g->parent, &m->buf, m->gkey.len) && vipc_glob_tries(m, &g->glob);
	return m->found;
}

/* Hold @i of m->gkey.slot (a runtime's pattern): is the path below its
 * top directory, at one of its depths, and does its glob match the
 * path's last one or two components? Only the runtime (root) makes
 * cgroups there: a name made alike in a delegated subtree is not held.
 */
static long vipc_hold_try(__u32 i, struct vipc_mkdir *m)
{
	struct vipc_glob_key key = { .slot = m->gkey.slot, .len = VIPC_GLOB_HOLD, .index = i };
	struct vipc_glob_watch *g;

	m->tkey = key;
	g = bpf_map_lookup_elem(&vipc_watch_glob, &key);
	if (!g)
		return 1;
	if (m->depth < g->glob.depth_min || m->depth > g->glob.depth_max ||
	    !vipc_path_eq(&g->parent, &m->buf, g->glob.top))
		return 0;
	m->off = (g->glob.parts == 2 ? m->prev : m->gkey.len) + 1;
	m->found = vipc_glob_tries(m, &g->glob);
	return m->found;
}

/* The container of the first of @slot's globs of the parent directory,
 * else of its holds, that selects the new cgroup; NULL if none. Each
 * tried in a bpf_loop() step: the verifier sees one step once, not one
 * per glob and slot.
 */
static __always_inline const struct vipc_principal *vipc_glob_selecting(struct vipc_mkdir *m,
									__u32 slot)
{
	struct vipc_glob_watch *g;

	m->gkey.slot = slot;
	m->found = 0;
	bpf_loop(VIPC_GLOB_PER_PARENT, vipc_glob_try, m, 0);
	if (!m->found)
		bpf_loop(VIPC_GLOB_PER_PARENT, vipc_hold_try, m, 0);
	if (!m->found)
		return NULL;
	g = bpf_map_lookup_elem(&vipc_watch_glob, &m->tkey);
	return g ? &g->principal : NULL;
}

/* The container of @slot the new cgroup is bound to: the one selecting
 * its exact path, else the first glob of its parent its name matches,
 * else the hold of a runtime's pattern.
 */
static __always_inline const struct vipc_principal *vipc_selecting(struct vipc_mkdir *m,
								   __u32 slot)
{
	struct vipc_watch_key wkey = { .slot = slot, .len = m->len };
	struct vipc_watch *w;

	wkey.hash = vipc_path_hash(&m->buf, m->len);
	w = bpf_map_lookup_elem(&vipc_watch, &wkey);
	if (w && vipc_path_eq(&w->path, &m->buf, m->len))
		return &w->principal; /* not another path that hashes alike */
	return vipc_glob_selecting(m, slot);
}

/* Bind (or hold) a new cgroup if a container of @slot selects it. */
static __always_inline void vipc_bind_new(__u64 cgid, struct vipc_mkdir *m, __u32 slot, int live)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = slot };
	const struct vipc_principal *p = vipc_selecting(m, slot);
	struct vipc_registry_stats *reg;
	int held;

	if (!p)
		return;
	reg = vipc_reg();
	/* No room (mkdir cannot be refused from here): counted and told, never silent. */
	if (bpf_map_update_elem(&vipc_principals, &key, p, BPF_ANY)) {
		if (reg)
			vipc_reg_count(&reg->cgroups_unbindable, live);
		if (live)
			vipc_cgroup_event(VIPC_EV_CGROUP_UNBINDABLE, cgid, p->id, &m->buf, m->len);
		return;
	}
	held = p->id == VIPC_HELD_ID;
	if (reg) {
		vipc_reg_count(held ? &reg->cgroups_held : &reg->cgroups_bound, live);
		__sync_fetch_and_add(&reg->policy_changes, 1);
	}
	if (live)
		vipc_cgroup_event(held ? VIPC_EV_CGROUP_HELD : VIPC_EV_CGROUP_BOUND, cgid, p->id,
				  &m->buf, m->len);
}

/* Split the path at its last '/': the parent's length and hash. */
static __always_inline void vipc_split(struct vipc_mkdir *m)
{
	m->gkey.len = 0;
	m->prev = 0;
	m->depth = 0;
	bpf_loop(m->len, vipc_split_byte, m, 0);
	m->gkey.len &= VIPC_CGROUP_PATH_MAX - 1;
	m->prev &= VIPC_CGROUP_PATH_MAX - 1;
	m->gkey.hash = vipc_path_hash(&m->buf, m->gkey.len);
}

/* A cgroup v2 directory is being made. The tracepoint fires before the
 * kernel activates the directory (kernfs_activate), so before any process
 * can join it: a cgroup a container selects is confined from its first
 * process on, and one a runtime's pattern matches is held until the
 * loader has looked it up. @path is relative to the hierarchy's root.
 */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(vipc_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	__u32 slot, live = vipc_live_slot();
	struct vipc_mkdir m;
	char more = 0;
	long n;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a cgroup v1 hierarchy */
	__builtin_memset(&m, 0, sizeof(m));
	n = bpf_probe_read_kernel_str(m.buf.bytes, sizeof(m.buf.bytes), path);
	if (n <= 1)
		return 0;
	if (n == sizeof(m.buf.bytes) &&
	    (bpf_probe_read_kernel(&more, 1, path + n - 1) || more))
		return 0; /* longer than any selector */
	m.len = n - 1;
	vipc_split(&m);
	for (slot = 0; slot < VIPC_SLOTS; slot++)
		vipc_bind_new(BPF_CORE_READ(cgrp, kn, id), &m, slot, slot == live);
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

struct vipc_flush {
	__u64 now;
	__u64 interval;
};

/* Each aggregate's pending count as a summary; an aggregate idle for two
 * intervals (or any, once every event goes out alone) is dropped, and the
 * next call of its key opens a new interval. A full ring stops the pass.
 */
static long vipc_flush_one(void *map, struct vipc_agg_key *key, struct vipc_agg *a,
			   struct vipc_flush *f)
{
	if (vipc_summarize(a))
		return 1;
	if (a->window && !a->pending && f->now - a->window >= 2 * f->interval)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* Every events interval: flush the aggregates; stops once the interval is 0. */
static int vipc_flush_tick(void *map, __u32 *key, struct vipc_timer_slot *slot)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_flush f = { .now = bpf_ktime_get_ns() }; /* never behind the coarse clock */

	f.interval = cfg ? cfg->events_interval_ns : 0;
	bpf_for_each_map_elem(&vipc_agg, vipc_flush_one, &f, 0);
	if (f.interval)
		bpf_timer_start(&slot->timer, f.interval, 0);
	return 0;
}

/* Run by the loader after setting vipc_settings or vipc_config's events
 * interval: start the snapshots and the flush, each when its period is set.
 */
SEC("syscall")
int vipc_start_stats(void *ctx)
{
	struct vipc_settings *set = vipc_set();
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_timer_slot *slot;
	__u32 id = VIPC_TIMER_FLUSH;
	long err = 0;

	slot = bpf_map_lookup_elem(&vipc_timer, &id);
	if (slot && cfg && cfg->events_interval_ns) {
		bpf_timer_init(&slot->timer, &vipc_timer, CLOCK_MONOTONIC);
		bpf_timer_set_callback(&slot->timer, vipc_flush_tick);
		err = bpf_timer_start(&slot->timer, cfg->events_interval_ns, 0);
	}
	id = VIPC_TIMER_STATS;
	slot = bpf_map_lookup_elem(&vipc_timer, &id);
	if (err || !slot || !set || !set->stats_interval_ns)
		return err;
	bpf_timer_init(&slot->timer, &vipc_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&slot->timer, vipc_tick);
	return bpf_timer_start(&slot->timer, set->stats_interval_ns, 0);
}

#endif /* __VIPC_LIFECYCLE_BPF_H */
