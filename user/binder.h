/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Runtime selectors (`docker:`, `podman:`, `annotations:`) bound to the
 * cgroups the kernel held at mkdir: each held cgroup is resolved to its
 * runtime's container (user/runtime.c) and its binding rewritten to the
 * policy container selecting it, or deleted (released: unconfined, as any
 * cgroup no container selects). The pinned state is the truth: the
 * selectors are read from vipc_containers, the holds from vipc_principals,
 * so a restarted loader or one after a reload carries on where it stood.
 * Entry points are loop-agnostic: an event loop calls vipc_binder_event()
 * for each cgroup-held event and vipc_binder_tick() every turn.
 */
#ifndef __VIPC_BINDER_H
#define __VIPC_BINDER_H

#include <stdbool.h>
#include "runtime.h"
#include "state.h"

#define VIPC_BINDER_RETRY_MS 50 /* a cgroup whose state is not whole yet is tried again */

struct vipc_binder {
	struct vipc_state *st; /* opened, unlocked: each rewrite takes the lock */
	const char *cgroot;    /* the cgroup2 mount */
	const struct vipc_rt_roots *roots;
	__u64 held_seen; /* the registry's cgroups_held when the last pass began */
	__u64 retry_at;	 /* vipc_now_ms() of the next pass for holds kept, 0: none due */
	bool started;	 /* the first pass (every hold in the map) is done */
};

void vipc_binder_init(struct vipc_binder *b, struct vipc_state *st, const char *cgroot,
		      const struct vipc_rt_roots *roots);
/* A VIPC_EV_CGROUP_HELD event: settle that cgroup now. Other events: nothing. */
int vipc_binder_event(struct vipc_binder *b, const struct vipc_event *e);
/* Settle every held binding of the map when the kernel made holds the
 * events did not bring, when a retry is due, and on the first call (a
 * restarted loader reconciles what was held while none ran).
 */
int vipc_binder_tick(struct vipc_binder *b);

/* Does container @c's runtime selector select the container @info? */
bool vipc_binder_selects(const struct vipc_container *c, const struct vipc_rt_info *info);
/* Of the @n containers @stride bytes apart at @vals, the one with the
 * lowest id whose runtime selector selects @info; NULL when none.
 */
const struct vipc_container *vipc_binder_pick(const void *vals, size_t n, size_t stride,
					      const struct vipc_rt_info *info);

#endif /* __VIPC_BINDER_H */
