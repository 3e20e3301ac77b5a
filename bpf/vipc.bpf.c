// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* vipc enforcement: the socket backend's cgroup UNIX hooks, the cleanup of a
 * removed container, and the periodic statistics snapshot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vipc.h"
#include "vipc_decide.h"

#define SOCK_DGRAM 2
#define CLOCK_MONOTONIC 1
#define SUN_PATH_OFFSET 2 /* offsetof(struct sockaddr_un, sun_path) */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the loader before load. */
const volatile __u32 nr_cpus = 1;

/* Identity of the pinned instance and live settings. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_config SEC(".maps");

/* cgroup id -> container, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_PRINCIPALS * VIPC_SLOTS);
	__type(key, struct vipc_principal_key);
	__type(value, struct vipc_principal);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_principals SEC(".maps");

/* (kind, exact name) -> endpoint, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_ENDPOINTS * VIPC_SLOTS);
	__type(key, struct vipc_endpoint_key);
	__type(value, struct vipc_endpoint);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_endpoints SEC(".maps");

/* (container, endpoint) -> permissions and generation, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_GRANTS * VIPC_SLOTS);
	__type(key, struct vipc_grant_key);
	__type(value, struct vipc_grant);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_grants SEC(".maps");

/* Channel name -> endpoint, receiver and capacity, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CHANNELS * VIPC_SLOTS);
	__type(key, struct vipc_channel_key);
	__type(value, struct vipc_channel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_channels SEC(".maps");

/* Decision counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_stats SEC(".maps");

/* Registry counters, shared with the loader through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct vipc_registry_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_registry SEC(".maps");

/* Deny and would-deny events, cgroup removals and stats snapshots. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VIPC_RINGBUF_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_events SEC(".maps");

struct vipc_timer_slot {
	struct bpf_timer timer;
};

/* Timer driving the statistics snapshots. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_timer_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_timer SEC(".maps");

static __always_inline struct vipc_config *vipc_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_config, &zero);
}

static __always_inline struct vipc_stats *vipc_cpu_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_stats, &zero);
}

/* The nearest registered cgroup: the caller's own, else its deepest
 * registered ancestor.
 */
static __always_inline struct vipc_principal *vipc_find_principal(__u32 slot, __u64 *cgid)
{
	struct vipc_principal_key key = { .slot = slot };
	struct vipc_principal *p;
	int level;

	key.cgroup_id = bpf_get_current_cgroup_id();
	*cgid = key.cgroup_id;
	p = bpf_map_lookup_elem(&vipc_principals, &key);
	if (p)
		return p;
	for (level = VIPC_CGROUP_DEPTH - 1; level >= 0; level--) {
		key.cgroup_id = bpf_get_current_ancestor_cgroup_id(level);
		if (!key.cgroup_id || key.cgroup_id == *cgid)
			continue;
		p = bpf_map_lookup_elem(&vipc_principals, &key);
		if (p)
			return p;
	}
	return NULL;
}

/* Endpoint key from the address the caller passed: exact bytes, pathname
 * names cut at their first NUL, abstract names without the leading NUL.
 */
static __always_inline int vipc_addr_key(struct bpf_sock_addr *ctx, struct vipc_endpoint_key *key)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	const char *path = (const char *)sa->uaddr + SUN_PATH_OFFSET;
	__u32 n = sa->uaddrlen, tail;
	int i, cut = 0;
	__u8 len = 0;

	if (n <= SUN_PATH_OFFSET)
		return -1;
	n -= SUN_PATH_OFFSET;
	if (n > VIPC_NAME_MAX)
		n = VIPC_NAME_MAX;
	if (bpf_probe_read_kernel(key->name, n, path))
		return -1;
	if (!key->name[0]) {
		/* Abstract: everything after the leading NUL is significant. */
		__builtin_memset(key->name, 0, sizeof(key->name));
		key->kind = VIPC_KIND_UNIX_ABSTRACT;
		tail = n - 1;
		barrier_var(tail);
		tail &= 0x7f;
		key->len = tail;
		if (tail && bpf_probe_read_kernel(key->name, tail, path + 1))
			return -1;
		return 0;
	}
	for (i = 0; i < VIPC_NAME_MAX; i++) {
		if (!key->name[i])
			cut = 1;
		if (cut)
			key->name[i] = 0;
		else
			len++;
	}
	key->kind = VIPC_KIND_UNIX_PATH;
	key->len = len;
	return 0;
}

/* Count a decision in the per-CPU counters. */
static __always_inline void vipc_count(enum vipc_reason reason, int audit)
{
	struct vipc_stats *s = vipc_cpu_stats();

	if (!s)
		return;
	if (reason == VIPC_R_UNCONFINED)
		s->unconfined++;
	else if (!vipc_reason_denies(reason))
		s->allowed++;
	else if (audit)
		s->audited++;
	else if (reason == VIPC_R_UNKNOWN_DENY)
		s->denied_unknown++;
	else if (reason == VIPC_R_NO_GRANT)
		s->denied_no_grant++;
	else if (reason == VIPC_R_NO_PERM)
		s->denied_no_perm++;
	else
		s->denied_revoked++;
}

static __always_inline void vipc_count_lookup(int hit)
{
	struct vipc_stats *s = vipc_cpu_stats();

	if (!s)
		return;
	s->lookups++;
	if (hit)
		s->hits++;
}

/* Report a deny or would-deny on the ring buffer; count it when lost. */
static __always_inline void vipc_report(const struct vipc_endpoint_key *key,
					const struct vipc_principal *caller,
					const struct vipc_endpoint *ep, __u64 cgid, __u32 perm,
					enum vipc_reason reason, enum vipc_hook hook, int audit)
{
	struct vipc_stats *s;
	struct vipc_event *e;

	e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
	if (!e) {
		s = vipc_cpu_stats();
		if (s)
			s->events_dropped++;
		return;
	}
	e->type = audit ? VIPC_EV_AUDIT : VIPC_EV_DENY;
	e->hook = hook;
	e->reason = reason;
	e->perm = perm;
	e->kind = key->kind;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = cgid;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->container = caller->id;
	e->endpoint = ep ? ep->id : 0;
	e->name_len = key->len;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->name, key->name, sizeof(e->name));
	bpf_ringbuf_submit(e, 0);
}

/* The decision for one IPC attempt: 1 lets it through, 0 fails it (EPERM). */
static __always_inline int vipc_check(struct bpf_sock_addr *ctx, __u32 perm, enum vipc_hook hook)
{
	struct vipc_endpoint_key key = {};
	struct vipc_grant_key gkey = {};
	struct vipc_principal *caller;
	struct vipc_endpoint *ep = NULL;
	struct vipc_grant *grant = NULL;
	struct vipc_config *cfg;
	enum vipc_reason reason;
	__u64 cgid = 0;
	__u32 slot;
	int allow;

	/* Phase 1: who is calling, under the live slot (read once: a reload
	 * flips it, and one decision must not mix two policies).
	 */
	cfg = vipc_cfg();
	if (!cfg || cfg->magic != VIPC_MAGIC)
		return 1;
	slot = *(volatile __u32 *)&cfg->active_slot;
	caller = vipc_find_principal(slot, &cgid);
	if (!caller) {
		vipc_count(VIPC_R_UNCONFINED, 0);
		return 1;
	}

	/* Phase 2: which endpoint, and the caller's grant on it. */
	key.slot = slot;
	if (!vipc_addr_key(ctx, &key)) {
		ep = bpf_map_lookup_elem(&vipc_endpoints, &key);
		vipc_count_lookup(ep != NULL);
	}
	if (vipc_needs_grant(caller, ep)) {
		gkey.slot = key.slot;
		gkey.container = caller->id;
		gkey.endpoint = ep->id;
		grant = bpf_map_lookup_elem(&vipc_grants, &gkey);
		vipc_count_lookup(grant != NULL);
	}

	/* Phase 3: decide, count, report. */
	reason = vipc_decide(caller, ep, grant, perm);
	allow = vipc_verdict_allows(caller, reason);
	vipc_count(reason, allow);
	if (vipc_reason_denies(reason))
		vipc_report(&key, caller, ep, cgid, perm, reason, hook, allow);
	return allow;
}

SEC("cgroup/connect_unix")
int vipc_connect_unix(struct bpf_sock_addr *ctx)
{
	__u32 perm = ctx->type == SOCK_DGRAM ? VIPC_PERM_SEND : VIPC_PERM_CONNECT;

	return vipc_check(ctx, perm, VIPC_HOOK_CONNECT_UNIX);
}

SEC("cgroup/sendmsg_unix")
int vipc_sendmsg_unix(struct bpf_sock_addr *ctx)
{
	return vipc_check(ctx, VIPC_PERM_SEND, VIPC_HOOK_SENDMSG_UNIX);
}

struct vipc_sweep {
	__u32 container;
	__u32 slot;
	__u32 counted; /* the slot is live: count what is removed */
	__u32 removed;
};

static __always_inline struct vipc_registry_stats *vipc_reg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_registry, &zero);
}

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

static long vipc_sweep_principal(void *map, struct vipc_principal_key *key,
				 struct vipc_principal *p, struct vipc_sweep *sw)
{
	struct vipc_registry_stats *reg;

	if (key->slot != sw->slot || p->id != sw->container)
		return 0;
	if (bpf_map_delete_elem(map, key) || !sw->counted)
		return 0;
	reg = vipc_reg();
	if (reg)
		__sync_fetch_and_add(&reg->containers_removed, 1);
	return 0;
}

/* Remove a container from one slot with everything it owns and holds. */
static __always_inline void vipc_remove(__u32 container, __u32 slot)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_sweep sw = { .container = container, .slot = slot };

	sw.counted = cfg && cfg->active_slot == slot;
	bpf_for_each_map_elem(&vipc_channels, vipc_sweep_channel, &sw, 0);
	bpf_for_each_map_elem(&vipc_grants, vipc_sweep_grant, &sw, 0);
	bpf_for_each_map_elem(&vipc_endpoints, vipc_sweep_endpoint, &sw, 0);
	bpf_for_each_map_elem(&vipc_principals, vipc_sweep_principal, &sw, 0);
}

/* Run by the loader (BPF_PROG_TEST_RUN) for `container rm`. */
SEC("syscall")
int vipc_remove_container(struct vipc_remove_args *args)
{
	vipc_remove(args->container, args->slot);
	return 0;
}

/* A registered container's cgroup went away: drop it from every slot. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(vipc_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	struct vipc_principal_key key = {};
	struct vipc_principal *p;
	struct vipc_event *e;
	__u32 slot;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0; /* a cgroup v1 hierarchy */
	key.cgroup_id = BPF_CORE_READ(cgrp, kn, id);
	for (slot = 0; slot < VIPC_SLOTS; slot++) {
		key.slot = slot;
		p = bpf_map_lookup_elem(&vipc_principals, &key);
		if (!p)
			continue;
		e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
		if (e) {
			__builtin_memset(e, 0, sizeof(*e));
			e->type = VIPC_EV_CGROUP_GONE;
			e->ts_ns = bpf_ktime_get_ns();
			e->cgroup_id = key.cgroup_id;
			e->container = p->id;
			bpf_ringbuf_submit(e, 0);
		}
		vipc_remove(p->id, slot);
	}
	return 0;
}

/* Sum the per-CPU counters into one snapshot. */
static __always_inline void vipc_sum_stats(struct vipc_stats *out)
{
	struct vipc_stats *s;
	__u32 zero = 0, cpu;

	for (cpu = 0; cpu < VIPC_MAX_CPUS && cpu < nr_cpus; cpu++) {
		s = bpf_map_lookup_percpu_elem(&vipc_stats, &zero, cpu);
		if (!s)
			continue;
		out->lookups += s->lookups;
		out->hits += s->hits;
		out->allowed += s->allowed;
		out->unconfined += s->unconfined;
		out->audited += s->audited;
		out->denied_unknown += s->denied_unknown;
		out->denied_no_grant += s->denied_no_grant;
		out->denied_no_perm += s->denied_no_perm;
		out->denied_revoked += s->denied_revoked;
		out->events_dropped += s->events_dropped;
		out->snapshots_dropped += s->snapshots_dropped;
	}
}

/* Timer tick: emit a snapshot and re-arm while an interval is set. */
static int vipc_tick(void *map, __u32 *key, struct vipc_timer_slot *slot)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_snapshot *snap;
	struct vipc_stats *s;

	if (!cfg || !cfg->stats_interval_ns)
		return 0;
	snap = bpf_ringbuf_reserve(&vipc_events, sizeof(*snap), 0);
	if (snap) {
		__builtin_memset(snap, 0, sizeof(*snap));
		snap->type = VIPC_EV_STATS;
		snap->ts_ns = bpf_ktime_get_ns();
		vipc_sum_stats(&snap->stats);
		bpf_ringbuf_submit(snap, 0);
	} else {
		s = vipc_cpu_stats();
		if (s)
			s->snapshots_dropped++;
	}
	bpf_timer_start(&slot->timer, cfg->stats_interval_ns, 0);
	return 0;
}

/* Run by the loader after setting stats_interval_ns: start the snapshots. */
SEC("syscall")
int vipc_start_stats(void *ctx)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_timer_slot *slot;
	__u32 zero = 0;

	slot = bpf_map_lookup_elem(&vipc_timer, &zero);
	if (!slot || !cfg || !cfg->stats_interval_ns)
		return 0;
	bpf_timer_init(&slot->timer, &vipc_timer, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&slot->timer, vipc_tick);
	return bpf_timer_start(&slot->timer, cfg->stats_interval_ns, 0);
}
