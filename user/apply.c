// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Applying a whole policy atomically: build it in the idle slot, flip the
 * live slot with one map update, wait out every BPF program still reading
 * the old slot, then clear it. A failure before the flip clears the idle
 * slot and leaves the live policy as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "registry.h"

/* Ids given to the policy's containers and endpoints, by index. */
struct build {
	struct vipc_state *st;
	const struct vipc_policy *pol;
	__u32 slot; /* the idle slot being filled */
	__u32 *cid;
	struct vipc_endpoint *ep;
};

/* Index of a name the parser has already checked to be defined. */
static size_t container_index(const struct vipc_policy *pol, const char *name)
{
	return vipc_policy_container(pol, name) - pol->containers;
}

static size_t endpoint_index(const struct vipc_policy *pol, const char *name)
{
	return vipc_policy_endpoint(pol, name) - pol->endpoints;
}

/* Containers keep their id across reloads when their name stays. */
static int put_containers(struct build *b)
{
	const struct vipc_policy_container *pc;
	struct vipc_container_info old;
	struct vipc_principal_key key;
	struct vipc_principal val;
	size_t i;

	for (i = 0; i < b->pol->nr_containers; i++) {
		pc = &b->pol->containers[i];
		if (!vipc_container_find(b->st, pc->name, &old))
			b->cid[i] = old.val.id;
		else
			b->cid[i] = b->st->cfg.next_container++;
		key = (struct vipc_principal_key){ .cgroup_id = pc->cgroup_id, .slot = b->slot };
		val = (struct vipc_principal){ .id = b->cid[i], .mode = pc->mode,
					       .unknown = pc->unknown };
		vipc_label_copy(val.name, pc->name);
		if (!bpf_map_update_elem(b->st->principals_fd, &key, &val, BPF_NOEXIST))
			continue;
		if (errno == EEXIST)
			return vipc_fail(-EINVAL, "container %s: its cgroup is another container's too",
					 pc->name);
		return vipc_update_err(b->st, "containers", b->st->limits.principals,
				       "--max-containers");
	}
	return 0;
}

static bool carries_channel(const struct vipc_policy *pol, const char *endpoint)
{
	size_t i;

	for (i = 0; i < pol->nr_channels; i++)
		if (!strcmp(pol->channels[i].endpoint, endpoint))
			return true;
	return false;
}

/* Endpoints keep their id and generation when their address stays. */
static int put_endpoints(struct build *b)
{
	const struct vipc_policy_endpoint *pe;
	struct vipc_endpoint_key key;
	struct vipc_endpoint *ep;
	size_t i;

	for (i = 0; i < b->pol->nr_endpoints; i++) {
		pe = &b->pol->endpoints[i];
		ep = &b->ep[i];
		vipc_endpoint_key_make(&key, b->st->cfg.active_slot, pe->kind, pe->addr, pe->len);
		if (bpf_map_lookup_elem(b->st->endpoints_fd, &key, ep)) {
			memset(ep, 0, sizeof(*ep));
			ep->id = b->st->cfg.next_endpoint++;
			ep->generation = 1;
		}
		ep->owner = b->cid[container_index(b->pol, pe->owner)];
		ep->flags = carries_channel(b->pol, pe->name) ? VIPC_EP_CHANNEL : 0;
		vipc_label_copy(ep->label, pe->name);
		key.slot = b->slot;
		if (bpf_map_update_elem(b->st->endpoints_fd, &key, ep, BPF_NOEXIST))
			return vipc_update_err(b->st, "endpoints", b->st->limits.endpoints,
					       "--max-endpoints");
	}
	return 0;
}

/* Add @perms for (container, endpoint) to the idle slot, merging. */
static int put_grant(struct build *b, const char *container, const char *endpoint, __u32 perms,
		     __u32 flags)
{
	const struct vipc_endpoint *ep = &b->ep[endpoint_index(b->pol, endpoint)];
	struct vipc_grant_key key = { .slot = b->slot, .endpoint = ep->id };
	struct vipc_grant val = {};

	key.container = b->cid[container_index(b->pol, container)];
	bpf_map_lookup_elem(b->st->grants_fd, &key, &val);
	val.perms |= perms;
	val.flags |= flags;
	val.generation = ep->generation;
	val.endpoint_owner = ep->owner;
	if (bpf_map_update_elem(b->st->grants_fd, &key, &val, BPF_ANY))
		return vipc_update_err(b->st, "grants", b->st->limits.grants, "--max-grants");
	return 0;
}

static int put_grants_and_channels(struct build *b)
{
	const struct vipc_policy_channel *pc;
	struct vipc_channel_key key;
	struct vipc_channel val;
	size_t i, j;
	int err = 0;

	for (i = 0; i < b->pol->nr_grants && !err; i++)
		err = put_grant(b, b->pol->grants[i].container, b->pol->grants[i].endpoint,
				b->pol->grants[i].perms, 0);
	for (i = 0; i < b->pol->nr_channels && !err; i++) {
		pc = &b->pol->channels[i];
		memset(&key, 0, sizeof(key));
		key.slot = b->slot;
		vipc_label_copy(key.name, pc->name);
		val = (struct vipc_channel){ .capacity = pc->capacity };
		val.endpoint = b->ep[endpoint_index(b->pol, pc->endpoint)].id;
		val.receiver = b->cid[container_index(b->pol, pc->receiver)];
		if (bpf_map_update_elem(b->st->channels_fd, &key, &val, BPF_NOEXIST))
			return vipc_update_err(b->st, "channels", b->st->limits.channels,
					       "--max-channels");
		for (j = 0; j < pc->nr_senders && !err; j++)
			err = put_grant(b, pc->senders[j], pc->endpoint,
					VIPC_PERM_CONNECT | VIPC_PERM_SEND, VIPC_GRANT_CHANNEL);
	}
	return err;
}

struct missing_ctx {
	int fd;
	int off;
	__u32 other;
	long n;
};

static int count_if_missing(const void *key, const void *val, void *ctx)
{
	struct missing_ctx *m = ctx;
	char k[128], v[64];

	(void)val;
	memcpy(k, key, sizeof(k));
	memcpy(k + m->off, &m->other, sizeof(m->other));
	if (bpf_map_lookup_elem(m->fd, k, v))
		m->n++;
	return 0;
}

/* Entries of @fd in slot @from with no twin in slot @other. */
static long count_missing(int fd, __u32 from, __u32 other)
{
	struct missing_ctx m = { .fd = fd, .other = other };
	__u32 ksz, vsz;

	m.off = vipc_map_slot_offset(fd, &ksz, &vsz);
	if (m.off < 0)
		return m.off;
	vipc_map_visit(fd, from, count_if_missing, &m);
	return m.n;
}

/* Registry counters: what the new slot adds and what the old one loses. */
static void count_changes(struct vipc_state *st, __u32 old, __u32 new)
{
	struct vipc_registry_stats *r = st->reg;

	vipc_reg_add(st, &r->containers_added, count_missing(st->principals_fd, new, old));
	vipc_reg_add(st, &r->containers_removed, count_missing(st->principals_fd, old, new));
	vipc_reg_add(st, &r->endpoints_created, count_missing(st->endpoints_fd, new, old));
	vipc_reg_add(st, &r->endpoints_destroyed, count_missing(st->endpoints_fd, old, new));
	vipc_reg_add(st, &r->grants_issued, count_missing(st->grants_fd, new, old));
	vipc_reg_add(st, &r->grants_revoked, count_missing(st->grants_fd, old, new));
	vipc_reg_add(st, &r->channels_created, count_missing(st->channels_fd, new, old));
	vipc_reg_add(st, &r->channels_destroyed, count_missing(st->channels_fd, old, new));
	vipc_reg_add(st, &r->policy_loads, 1);
}

static int clear_slot_all(struct vipc_state *st, __u32 slot)
{
	int fds[] = { st->grants_fd, st->channels_fd, st->endpoints_fd, st->principals_fd };
	int err = 0, e;
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		e = vipc_map_clear_slot(fds[i], slot);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Every BPF program runs inside an RCU read section: once a grace period
 * has passed since the flip, none still reads the old slot.
 */
static void wait_for_readers(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
}

static int build_idle(struct build *b)
{
	int err;

	err = clear_slot_all(b->st, b->slot);
	if (!err)
		err = put_containers(b);
	if (!err)
		err = put_endpoints(b);
	if (!err)
		err = put_grants_and_channels(b);
	return err;
}

int vipc_apply(struct vipc_state *st, const struct vipc_policy *pol)
{
	struct build b = { .st = st, .pol = pol };
	__u32 old;
	int err;

	/* Phase 1: fill the idle slot; on failure clear it and stop. */
	err = vipc_config_read(st);
	if (err)
		return err;
	old = st->cfg.active_slot;
	b.slot = !old;
	b.cid = calloc(pol->nr_containers + 1, sizeof(*b.cid));
	b.ep = calloc(pol->nr_endpoints + 1, sizeof(*b.ep));
	if (!b.cid || !b.ep) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = build_idle(&b);
	if (err) {
		clear_slot_all(st, b.slot);
		goto cleanup;
	}

	/* Phase 2: flip in one update, wait out old readers, clear the old slot. */
	count_changes(st, old, b.slot);
	st->cfg.active_slot = b.slot;
	err = vipc_config_write(st);
	if (err) {
		clear_slot_all(st, b.slot);
		goto cleanup;
	}
	wait_for_readers();
	err = clear_slot_all(st, old);
cleanup:
	free(b.cid);
	free(b.ep);
	return err;
}
