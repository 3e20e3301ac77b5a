/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Runtime selectors (`docker:`, `podman:`, `annotations:`) bound to the
 * cgroups the kernel held at mkdir: each held cgroup is resolved to its
 * runtime's container (user/policy/runtime.c) and its binding rewritten to the
 * policy container selecting it, or deleted (released: in no container, as any
 * cgroup no container selects). The pinned state is the truth: the
 * selectors are read from vipc_containers, the holds from vipc_principals,
 * so a restarted loader or one after a reload carries on where it stood.
 * A hold not settled at once (its runtime's state is not whole yet) is
 * tried again, each time twice as late, and expires after
 * VIPC_BINDER_EXPIRE_MS: a turn costs the holds due, plus one map dump and
 * one cgroup walk when holds appeared that no event brought.
 * Entry points are loop-agnostic: an event loop calls vipc_binder_event()
 * for each cgroup-held event and vipc_binder_tick() every turn.
 */
#ifndef __VIPC_BINDER_H
#define __VIPC_BINDER_H

#include <stdbool.h>
#include "runtime.h"
#include "state.h"

#define VIPC_BINDER_RETRY_MS 50 /* the first retry of a hold not settled; each waits twice as long */
/* A hold whose runtime state is not whole this long after the binder saw it
 * expires: released, as a cgroup no container selects (cgroups_expired).
 */
#define VIPC_BINDER_EXPIRE_MS 10000

/* A hold being settled: its cgroup, where, and when it is tried. */
struct vipc_hold {
	__u64 cgid;
	__u64 since; /* vipc_now_ms() when the binder first saw it */
	__u64 next;  /* vipc_now_ms() of its next try */
	__u32 tries;
	char path[VIPC_CGROUP_PATH_MAX]; /* "" until found */
};

struct vipc_binder {
	struct vipc_state *st; /* opened, unlocked: each rewrite takes the lock */
	const char *cgroot;    /* the cgroup2 mount */
	const struct vipc_rt_roots *roots;
	__u64 held_seen;  /* the registry's cgroups_held as the holds were last collected */
	__u64 loads_seen; /* its policy_loads then (a reload may hold existing cgroups) */
	__u64 next_try;	  /* vipc_now_ms() of the earliest try due, 0: no hold pending */
	bool started;	  /* the first collection (every hold in the map) is done */
	struct vipc_hold *pending; /* holds not settled yet, sorted by cgroup id */
	size_t nr_pending, cap_pending;
};

void vipc_binder_init(struct vipc_binder *b, struct vipc_state *st, const char *cgroot,
		      const struct vipc_rt_roots *roots);
void vipc_binder_fini(struct vipc_binder *b);
/* A VIPC_EV_CGROUP_HELD event: settle that cgroup now. Other events: nothing. */
int vipc_binder_event(struct vipc_binder *b, const struct vipc_event *e);
/* Collect every held binding of the map when the kernel made holds the
 * events did not bring, after a reload, and on the first call (a
 * restarted loader reconciles what was held while none ran); then try
 * the holds that are due.
 */
int vipc_binder_tick(struct vipc_binder *b);

/* The ids of the cgroups held in @slot (-1: either) into *@ids (sorted,
 * distinct; the caller frees it), *@n of them: 0, or -errno.
 */
int vipc_binder_held(const struct vipc_state *st, int slot, __u64 **ids, size_t *n);

/* Does container @c's runtime selector select the container @info? */
bool vipc_binder_selects(const struct vipc_container *c, const struct vipc_rt_info *info);
/* Of the @n containers @stride bytes apart at @vals, the one with the
 * lowest id whose runtime selector selects @info; NULL when none.
 */
const struct vipc_container *vipc_binder_pick(const void *vals, size_t n, size_t stride,
					      const struct vipc_rt_info *info);

#endif /* __VIPC_BINDER_H */
