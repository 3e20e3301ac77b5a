// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Settling held cgroups: resolve each to its runtime's container without
 * the lock (files only), then, under the pin-directory lock, rewrite each
 * binding still held to the container that selects it in that slot, or
 * delete it. A reload holds the same lock while it fills the idle slot and
 * flips, so a rewrite never mixes two policies, and a binding the kernel
 * removed meanwhile (rmdir) is not written again (BPF_EXIST).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "binder.h"
#include "cgroup.h"
#include "log.h"
#include "registry.h"
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

/* A held cgroup being settled: where it is and what its runtime says. */
struct held {
	__u64 cgid;
	char path[PATH_MAX];
	int err; /* of vipc_rt_resolve; -ESRCH while its path is not found */
	struct vipc_rt_info info;
};

/* Rewrite the binding of @h in @slot, if still held, to the container of
 * @cts selecting it, or delete it: 1 when changed, 0 when kept.
 */
static int settle_slot(struct vipc_binder *b, const struct held *h, const struct vipc_table *cts,
		       __u32 slot, bool live)
{
	struct vipc_principal_key key = { .cgroup_id = h->cgid, .slot = slot };
	const struct vipc_container *c = NULL;
	struct vipc_principal p;

	if (bpf_map_lookup_elem(b->st->principals_fd, &key, &p) || p.id != VIPC_HELD_ID)
		return 0;
	if (!h->err)
		c = vipc_binder_pick(cts->vals, cts->n, cts->vsz, &h->info);
	else if (h->err != -ENOENT)
		return 0; /* not whole yet, or unreadable: held, tried again */
	if (c && bpf_map_update_elem(b->st->principals_fd, &key, &c->principal, BPF_EXIST))
		return 0; /* removed meanwhile */
	if (!c && bpf_map_delete_elem(b->st->principals_fd, &key))
		return 0;
	if (live)
		vipc_reg_add(b->st, c ? &b->st->reg->cgroups_bound : &b->st->reg->cgroups_released, 1);
	if (live && c)
		pr_info("binder: cgroup %s (%llu): %s %s -> container %s\n", h->path,
			(unsigned long long)h->cgid, vipc_rt_runtime_name(h->info.runtime),
			h->info.name, c->principal.name);
	else if (live)
		pr_info("binder: cgroup %s (%llu): %s, released\n", h->path,
			(unsigned long long)h->cgid, h->err ? "no container" : "no selector");
	return 1;
}

/* Settle @n resolved holds in every slot, under the lock: how many are
 * still held to retry (a cgroup whose path was not found is not retried:
 * held until the next pass), or -errno.
 */
static int settle(struct vipc_binder *b, struct held *hs, size_t n)
{
	struct vipc_table cts[VIPC_SLOTS] = {};
	int slot, changed = 0, kept = 0, err;
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
		for (slot = 0; slot < VIPC_SLOTS; slot++)
			changed += settle_slot(b, &hs[i], &cts[slot], slot,
					       (__u32)slot == b->st->cfg.active_slot);
		kept += hs[i].err && hs[i].err != -ENOENT && hs[i].err != -ESRCH;
	}
	if (changed)
		vipc_policy_changed(b->st);
	for (slot = 0; slot < VIPC_SLOTS; slot++)
		vipc_table_free(&cts[slot]);
	vipc_unlock(b->st->lock_fd);
	b->st->lock_fd = -1;
	return err ?: kept;
}

/* Resolve each hold (no lock: the runtimes' files only), then settle them. */
static int resolve_and_settle(struct vipc_binder *b, struct held *hs, size_t n)
{
	struct vipc_rt_roots defaults;
	size_t i;
	int kept;

	vipc_rt_roots_default(&defaults);
	for (i = 0; i < n; i++)
		if (!hs[i].err)
			hs[i].err = vipc_rt_resolve(b->roots ?: &defaults, hs[i].path, &hs[i].info);
	kept = settle(b, hs, n);
	for (i = 0; i < n; i++)
		vipc_rt_info_free(&hs[i].info);
	if (kept > 0 && !b->retry_at)
		b->retry_at = vipc_now_ms() + VIPC_BINDER_RETRY_MS;
	return kept < 0 ? kept : 0;
}

int vipc_binder_event(struct vipc_binder *b, const struct vipc_event *e)
{
	struct held *h;
	int err;

	if (e->type != VIPC_EV_CGROUP_HELD)
		return 0;
	b->held_seen++;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cgid = e->cgroup_id;
	/* A path the event cut short is found by the cgroup's id. */
	if (e->name_len < VIPC_NAME_MAX)
		memcpy(h->path, e->name, e->name_len);
	else if (vipc_cgroup_path(b->cgroot, h->cgid, h->path, sizeof(h->path)))
		h->err = -ESRCH;
	err = resolve_and_settle(b, h, 1);
	free(h);
	return err;
}

/* The holds of a pass: every held binding of the map, with its path. */
struct pass {
	struct held *hs;
	size_t n;
};

static int held_visit(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal_key *k = key;
	struct pass *ps = ctx;
	struct held *hs;
	size_t i;

	if (((const struct vipc_principal *)val)->id != VIPC_HELD_ID)
		return 0;
	for (i = 0; i < ps->n; i++)
		if (ps->hs[i].cgid == k->cgroup_id)
			return 0; /* held in both slots */
	hs = realloc(ps->hs, (ps->n + 1) * sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	ps->hs = hs;
	memset(&hs[ps->n], 0, sizeof(*hs));
	hs[ps->n].cgid = k->cgroup_id;
	hs[ps->n++].err = -ESRCH; /* until the walk finds it */
	return 0;
}

/* Give each hold the path of its cgroup. */
static int path_visit(const char *path, __u64 cgid, void *ctx)
{
	struct pass *ps = ctx;
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (ps->hs[i].cgid == cgid) {
			snprintf(ps->hs[i].path, sizeof(ps->hs[i].path), "%s", path);
			ps->hs[i].err = 0;
		}
	return 0;
}

int vipc_binder_tick(struct vipc_binder *b)
{
	__u64 held = __atomic_load_n(&b->st->reg->cgroups_held, __ATOMIC_ACQUIRE);
	struct pass ps = {};
	int err;

	if (b->started && held == b->held_seen && (!b->retry_at || vipc_now_ms() < b->retry_at))
		return 0;
	b->started = true;
	b->held_seen = held;
	b->retry_at = 0;
	err = vipc_map_visit(b->st->principals_fd, -1, held_visit, &ps);
	if (!err && ps.n)
		err = vipc_cgroup_walk(b->cgroot, path_visit, &ps);
	if (!err && ps.n)
		err = resolve_and_settle(b, ps.hs, ps.n);
	free(ps.hs);
	return err;
}
