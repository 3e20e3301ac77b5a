/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Registry operations on the pinned maps: containers, endpoints, grants and
 * channels in the live slot, whole policies through the idle slot, and the
 * decision as the kernel would take it. Every call expects the lock held
 * when it changes state. Errors are -errno: -ENOENT no such name, -EEXIST
 * name taken, -EACCES not the owner, -E2BIG table full.
 */
#ifndef __VIPC_REGISTRY_H
#define __VIPC_REGISTRY_H

#include "state.h"
#include "table.h"
#include "policy.h"

/* The calls below record what went wrong with the error they return in
 * @st->err (vipc_fail, err.h).
 */

struct vipc_container_info {
	struct vipc_container_key key;
	struct vipc_container val;
};

struct vipc_endpoint_info {
	struct vipc_endpoint_key key;
	struct vipc_endpoint val;
};

/* By name: -ENOENT "no container NAME". By id: -ENOENT and no message (a
 * look-up for display, whose failure is no error).
 */
int vipc_container_find(struct vipc_state *st, const char *name, struct vipc_container_info *out);
int vipc_container_by_id(struct vipc_state *st, __u32 id, struct vipc_container_info *out);
/* A run-time container bound to @c's (existing) cgroup, removed with it. */
int vipc_container_add(struct vipc_state *st, const char *name,
		       const struct vipc_policy_container *c);
int vipc_container_rm(struct vipc_state *st, const char *name);

/* @name: the endpoint's label, or its address as "/path" or "@name". By id,
 * as vipc_container_by_id().
 */
int vipc_endpoint_find(struct vipc_state *st, const char *name, struct vipc_endpoint_info *out);
int vipc_endpoint_by_id(struct vipc_state *st, __u32 id, struct vipc_endpoint_info *out);
/* @others: what callers no container holds get (enum vipc_others). */
int vipc_endpoint_add(struct vipc_state *st, const char *name, const char *owner,
		      const char *addr, __u8 others);
/* Only the owner removes an endpoint; its grants and channel go with it. */
int vipc_endpoint_rm(struct vipc_state *st, const char *name, const char *owner);

int vipc_grant_set(struct vipc_state *st, const char *container, const char *endpoint,
		   __u32 perms);
int vipc_grant_revoke(struct vipc_state *st, const char *container, const char *endpoint);
/* Generation bump: every grant on the endpoint dies; *killed counts them. */
int vipc_endpoint_revoke(struct vipc_state *st, const char *endpoint, __u32 *killed);
/* The bump alone, one map update: in force on return. */
int vipc_endpoint_bump(struct vipc_state *st, struct vipc_endpoint_info *ep);

int vipc_channel_add(struct vipc_state *st, const char *name, const char *endpoint,
		     char senders[][VIPC_LABEL_MAX], size_t nr_senders, __u32 capacity);
int vipc_channel_rm(struct vipc_state *st, const char *name);
/* LSM backend: delete the connection counts (vipc_chan_live) at zero of
 * endpoints that are channels in no slot, after a grace period. The lock
 * must be held; call before a channel is added.
 */
int vipc_chan_sweep(struct vipc_state *st);

/* The decision for (container, endpoint, perm), computed from the maps. */
int vipc_check(struct vipc_state *st, const char *container, const char *endpoint, __u32 perm,
	       enum vipc_reason *reason, bool *allowed);

/* The decision for a caller in a cgroup, whichever container holds it. */
struct vipc_check_result {
	bool contained;		      /* a container holds the cgroup: @caller */
	struct vipc_principal caller; /* its binding, or its nearest bound ancestor's */
	enum vipc_reason reason;
	bool allowed;
};

/* For the cgroup at @path, its path within the hierarchy mounted at
 * @cgroot ("/a/b"); -ENOENT when there is no such cgroup.
 */
int vipc_check_cgroup(struct vipc_state *st, const char *cgroot, const char *path,
		      const char *endpoint, __u32 perm, struct vipc_check_result *out);

/* Apply a resolved policy atomically: fill the idle slot, flip, clear the
 * old slot. On error the live policy is untouched.
 */
int vipc_apply(struct vipc_state *st, const struct vipc_policy *pol);


/* The live slot's endpoints counted by their enum vipc_others. */
void vipc_others_count(const struct vipc_state *st, long n[VIPC_OTHERS__COUNT]);
/* The live slot's endpoints the attached backends cannot enforce (message
 * queues and FIFOs: only the LSM and fmodret backends have their hooks): how many,
 * their labels into @buf (", " between them, cut to @size).
 */
size_t vipc_unenforced(const struct vipc_state *st, char *buf, size_t size);

/* Shared by the registry's files. */
int vipc_map_clear_slot(int fd, __u32 slot);
int vipc_update_err(struct vipc_state *st, const char *table, __u32 limit, const char *opt);
void vipc_reg_add(struct vipc_state *st, __u64 *counter, long n);
void vipc_policy_changed(struct vipc_state *st);
/* Return once no BPF program still runs that began before the call. */
void vipc_wait_for_readers(void);
int vipc_check_label(struct vipc_state *st, const char *what, const char *name);
/* Copy a label into a zero-padded map field. */
void vipc_label_copy(char dst[VIPC_LABEL_MAX], const char *src);
int vipc_run_remove(struct vipc_state *st, __u32 container, __u32 slot);
/* The container entry @c selects, as the loader writes it. */
void vipc_container_make(struct vipc_container *out, const struct vipc_policy_container *c,
			 __u32 id, __u32 flags);

#endif /* __VIPC_REGISTRY_H */
