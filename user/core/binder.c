// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Settling held cgroups: resolve each to its runtime's container without
 * the lock (files only), then, under the pin-directory lock, rewrite each
 * binding still held to the container that selects it in that slot, or
 * delete it. A reload holds the same lock while it fills the idle slot and
 * flips, so a rewrite never mixes two policies, and a binding the kernel
 * removed meanwhile (rmdir) is not written again (BPF_EXIST). A hold whose
 * state is not whole is kept (sorted by cgroup id) and tried again when
 * due, until it expires.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "binder.h"
#include "cgroup.h"
#include "log.h"
#include "registry.h"
#include "grow.h"
#include "table.h"

/* The selector's name against the resolved container's runtime and name. */
static bool name_selects(const struct vipc_container *c, enum vipc_runtime rt,
			 const struct vipc_rt_info *info)
{
	return info->runtime == rt && strlen(info->name) == c->path_len &&
	       !memcmp(info->name, c->path.bytes, c->path_len);
}

/* Every KEY\0VALUE\0 pair of the selector among the container's annotations. */
static bool annotations_select(const struct vipc_container *c, const struct vipc_rt_info *info)
{
	const char *p = c->path.bytes, *end = p + (c->path_len < VIPC_CGROUP_PATH_MAX ?
						    c->path_len : 0);
	const char *key, *val, *have;

	if (p == end)
		return false;
	while (p < end) {
		key = p;
		val = key + strnlen(key, end - key) + 1;
		if (val >= end)
			return false; /* a key without a value: written by no loader */
		have = vipc_rt_annotation(info, key);
		if (!have || strncmp(have, val, end - val) || have[strnlen(val, end - val)])
			return false;
		p = val + strnlen(val, end - val) + 1;
	}
	return true;
}

bool vipc_binder_selects(const struct vipc_container *c, const struct vipc_rt_info *info)
{
	switch (c->selector) {
	case VIPC_SEL_DOCKER:
		return name_selects(c, VIPC_RT_DOCKER, info);
	case VIPC_SEL_PODMAN:
		return name_selects(c, VIPC_RT_PODMAN, info);
	case VIPC_SEL_ANNOTATIONS:
		return annotations_select(c, info);
	default:
		return false;
	}
}

const struct vipc_container *vipc_binder_pick(const void *vals, size_t n, size_t stride,
					      const struct vipc_rt_info *info)
{
	const struct vipc_container *c, *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (const struct vipc_container *)((const char *)vals + i * stride);
		if (vipc_binder_selects(c, info) && (!best || c->principal.id < best->principal.id))
			best = c;
	}
	return best;
}

void vipc_binder_init(struct vipc_binder *b, struct vipc_state *st, const char *cgroot,
		      const struct vipc_rt_roots *roots)
{
	*b = (struct vipc_binder){ .st = st, .cgroot = cgroot, .roots = roots };
}

void vipc_binder_fini(struct vipc_binder *b)
{
	free(b->pending);
	b->pending = NULL;
	b->nr_pending = b->cap_pending = 0;
}

/* A hold tried in this turn: what its runtime says, and whether it stays. */
struct try {
	struct vipc_hold *h;
	int err; /* of vipc_rt_resolve; -ESRCH: its path not found; -ETIME: expired */
	bool kept; /* still held in a slot, to try again */
	struct vipc_rt_info info;
};

/* Is @err the end of a hold: its container known, none, or expired? */
static bool settles(int err)
{
	return !err || err == -ENOENT || err == -ETIME;
}

/* What settle_slot did in one slot. */
enum { SLOT_NOT_HELD, SLOT_CHANGED, SLOT_KEPT };

static void log_settled(const struct try *t, const struct vipc_container *c)
{
	const struct vipc_hold *h = t->h;

	if (c)
		pr_info("binder: cgroup %s (%llu): %s %s -> container %s\n", h->path,
			(unsigned long long)h->cgid, vipc_rt_runtime_name(t->info.runtime),
			t->info.name, c->principal.name);
	else
		pr_info("binder: cgroup %s (%llu): %s, released\n", h->path,
			(unsigned long long)h->cgid,
			t->err == -ETIME ? "no runtime state in time (expired)" :
			t->err		 ? "no container" : "no selector");
}

/* Rewrite the binding of @t in @slot, if still held, to the container of
 * @cts selecting it, or delete it.
 */
static int settle_slot(struct vipc_binder *b, const struct try *t, const struct vipc_table *cts,
		       __u32 slot, bool live)
{
	struct vipc_principal_key key = { .cgroup_id = t->h->cgid, .slot = slot };
	const struct vipc_container *c = NULL;
	struct vipc_registry_stats *reg = b->st->reg;
	struct vipc_principal p;

	if (bpf_map_lookup_elem(b->st->principals_fd, &key, &p) || p.id != VIPC_HELD_ID)
		return SLOT_NOT_HELD;
	if (!settles(t->err))
		return SLOT_KEPT; /* not whole yet, or unreadable: held, tried again */
	if (!t->err)
		c = vipc_binder_pick(cts->vals, cts->n, cts->vsz, &t->info);
	if (c ? bpf_map_update_elem(b->st->principals_fd, &key, &c->principal, BPF_EXIST) :
		bpf_map_delete_elem(b->st->principals_fd, &key))
		return SLOT_NOT_HELD; /* removed meanwhile */
	if (!live)
		return SLOT_CHANGED;
	vipc_reg_add(b->st, c ? &reg->cgroups_bound : &reg->cgroups_released, 1);
	vipc_reg_add(b->st, &reg->cgroups_expired, t->err == -ETIME);
	log_settled(t, c);
	return SLOT_CHANGED;
}

/* Settle @n tried holds in every slot, under the lock: each is kept when
 * a slot still holds it. 0, or -errno.
 */
static int settle(struct vipc_binder *b, struct try *ts, size_t n)
{
	struct vipc_table cts[VIPC_SLOTS] = {};
	int slot, changed = 0, r, err;
	size_t i;

	err = vipc_lock(&b->st->lock_fd);
	if (err) {
		b->st->lock_fd = -1;
		return err;
	}
	err = vipc_config_read(b->st);
	for (slot = 0; slot < VIPC_SLOTS && !err; slot++)
		err = vipc_table_init(&cts[slot], b->st->containers_fd) ?:
		      vipc_table_dump(&cts[slot], slot);
	for (i = 0; i < n && !err; i++) {
		for (slot = 0; slot < VIPC_SLOTS; slot++) {
			r = settle_slot(b, &ts[i], &cts[slot], slot,
					(__u32)slot == b->st->cfg.active_slot);
			changed += r == SLOT_CHANGED;
			ts[i].kept |= r == SLOT_KEPT;
		}
	}
	if (changed)
		vipc_policy_changed(b->st);
	for (slot = 0; slot < VIPC_SLOTS; slot++)
		vipc_table_free(&cts[slot]);
	vipc_unlock(b->st->lock_fd);
	b->st->lock_fd = -1;
	return err;
}

static int path_found(const char *path, size_t i, void *ctx)
{
	struct try *ts = ctx;

	snprintf(ts[i].h->path, sizeof(ts[i].h->path), "%s", path);
	return 0;
}

/* The paths of the @n holds tried (sorted by id) that have none yet: one walk. */
static int find_paths(struct vipc_binder *b, struct try *ts, size_t n)
{
	struct try *lost = calloc(n + 1, sizeof(*lost));
	__u64 *ids = calloc(n + 1, sizeof(*ids));
	size_t i, k = 0;
	int err = lost && ids ? 0 : -ENOMEM;

	for (i = 0; i < n && !err; i++)
		if (!ts[i].h->path[0]) {
			lost[k].h = ts[i].h;
			ids[k++] = ts[i].h->cgid;
		}
	err = err ?: vipc_cgroup_paths(b->cgroot, ids, k, path_found, lost);
	free(lost);
	free(ids);
	return err;
}

/* Try each hold of @ts: resolve it (no lock: the runtimes' files only),
 * expire it when its time is up, then settle them all.
 */
static int try_holds(struct vipc_binder *b, struct try *ts, size_t n, __u64 now)
{
	struct vipc_rt_roots defaults;
	size_t i;
	int err;

	vipc_rt_roots_default(&defaults);
	err = find_paths(b, ts, n);
	for (i = 0; i < n && !err; i++) {
		ts[i].err = ts[i].h->path[0] ?
				    vipc_rt_resolve(b->roots ?: &defaults, ts[i].h->path, &ts[i].info) :
				    -ESRCH;
		if (!settles(ts[i].err) && now >= ts[i].h->since + VIPC_BINDER_EXPIRE_MS)
			ts[i].err = -ETIME;
	}
	err = err ?: settle(b, ts, n);
	for (i = 0; i < n; i++)
		vipc_rt_info_free(&ts[i].info);
	return err;
}

/* After a try: each hold kept waits twice as long as before (not past its
 * expiry), the others leave; the earliest next try.
 */
static void reschedule(struct vipc_binder *b, const struct try *ts, size_t n, __u64 now)
{
	size_t i, k = 0, t = 0;
	struct vipc_hold *h;

	b->next_try = 0;
	for (i = 0; i < b->nr_pending; i++) {
		h = &b->pending[i];
		if (t < n && ts[t].h == h && !ts[t++].kept)
			continue; /* settled, or its binding gone */
		if (h->next <= now) {
			h->next = now + ((__u64)VIPC_BINDER_RETRY_MS << (h->tries < 16 ? h->tries : 16));
			h->next = h->next < h->since + VIPC_BINDER_EXPIRE_MS ?
					  h->next : h->since + VIPC_BINDER_EXPIRE_MS;
			h->tries++;
		}
		b->next_try = !b->next_try || h->next < b->next_try ? h->next : b->next_try;
		b->pending[k++] = *h;
	}
	b->nr_pending = k;
}

/* Try the holds that are due, in one batch. */
static int run_due(struct vipc_binder *b)
{
	__u64 now = vipc_now_ms();
	struct try *ts;
	size_t i, n = 0;
	int err;

	if (!b->next_try || now < b->next_try)
		return 0;
	for (i = 0; i < b->nr_pending; i++)
		n += b->pending[i].next <= now;
	ts = calloc(n + 1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	for (i = 0, n = 0; i < b->nr_pending; i++)
		if (b->pending[i].next <= now)
			ts[n++].h = &b->pending[i];
	err = n ? try_holds(b, ts, n, now) : 0;
	if (err)
		for (i = 0; i < n; i++)
			ts[i].kept = true; /* tried again on the next turn */
	reschedule(b, ts, n, now);
	free(ts);
	return err;
}

static int hold_cmp(const void *a, const void *b)
{
	__u64 x = ((const struct vipc_hold *)a)->cgid, y = ((const struct vipc_hold *)b)->cgid;

	return x < y ? -1 : x > y;
}

/* Is hold @cgid among the first @n pending (sorted)? */
static bool pending(const struct vipc_binder *b, size_t n, __u64 cgid)
{
	struct vipc_hold key = { .cgid = cgid };

	return bsearch(&key, b->pending, n, sizeof(key), hold_cmp);
}

/* Append hold @cgid (its path the @len bytes of @path, or none), due now. */
static int hold_push(struct vipc_binder *b, __u64 cgid, const char *path, size_t len)
{
	struct vipc_hold *h = vipc_grow(b->pending, b->nr_pending, &b->cap_pending, sizeof(*h));

	if (!h)
		return -ENOMEM;
	b->pending = h;
	h = &h[b->nr_pending++];
	*h = (struct vipc_hold){ .cgid = cgid, .since = vipc_now_ms() };
	h->next = h->since;
	memcpy(h->path, path, len < sizeof(h->path) ? len : 0);
	b->next_try = b->next_try && b->next_try < h->next ? b->next_try : h->next;
	return 0;
}

/* Sort the pending holds again after pushes from @n on (ids grow with each
 * new cgroup, so seldom needed).
 */
static void pending_sort(struct vipc_binder *b, size_t n)
{
	size_t i;

	for (i = n ? n : 1; i < b->nr_pending; i++)
		if (b->pending[i - 1].cgid > b->pending[i].cgid) {
			qsort(b->pending, b->nr_pending, sizeof(*b->pending), hold_cmp);
			return;
		}
}

int vipc_binder_event(struct vipc_binder *b, const struct vipc_event *e)
{
	int err;

	if (e->type != VIPC_EV_CGROUP_HELD)
		return 0;
	b->held_seen++;
	if (pending(b, b->nr_pending, e->cgroup_id))
		return run_due(b);
	/* A path the event cut short is found by the cgroup's id. */
	err = hold_push(b, e->cgroup_id, e->name, e->name_len < VIPC_NAME_MAX ? e->name_len : 0);
	if (!err)
		pending_sort(b, b->nr_pending - 1);
	return err ?: run_due(b);
}

/* The held bindings' cgroup ids, as they are collected. */
struct collect {
	__u64 *ids;
	size_t n, cap;
};

static int held_visit(const void *key, const void *val, void *ctx)
{
	struct collect *c = ctx;
	__u64 *ids;

	if (((const struct vipc_principal *)val)->id != VIPC_HELD_ID)
		return 0;
	ids = vipc_grow(c->ids, c->n, &c->cap, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	c->ids = ids;
	ids[c->n++] = ((const struct vipc_principal_key *)key)->cgroup_id;
	return 0;
}

int vipc_binder_held(const struct vipc_state *st, int slot, __u64 **ids, size_t *n)
{
	struct collect c = {};
	int err;

	err = vipc_map_visit(st->principals_fd, slot, held_visit, &c);
	if (!err)
		vipc_cgroup_ids_sort(c.ids, &c.n);
	*ids = err ? NULL : c.ids;
	*n = err ? 0 : c.n;
	if (err)
		free(c.ids);
	return err;
}

/* Every hold of the map that is not pending yet becomes pending. */
static int collect(struct vipc_binder *b)
{
	size_t i, n = b->nr_pending, nr_ids;
	__u64 *ids;
	int err;

	err = vipc_binder_held(b->st, -1, &ids, &nr_ids);
	for (i = 0; i < nr_ids && !err; i++)
		if (!pending(b, n, ids[i]))
			err = hold_push(b, ids[i], "", 0);
	pending_sort(b, n);
	free(ids);
	return err;
}

int vipc_binder_tick(struct vipc_binder *b)
{
	__u64 held = __atomic_load_n(&b->st->reg->cgroups_held, __ATOMIC_ACQUIRE);
	__u64 loads = __atomic_load_n(&b->st->reg->policy_loads, __ATOMIC_ACQUIRE);
	int err = 0;

	if (!b->started || held != b->held_seen || loads != b->loads_seen) {
		b->started = true;
		b->held_seen = held;
		b->loads_seen = loads;
		err = collect(b);
	}
	return err ?: run_due(b);
}
