/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The maps every part of vipc shares: identity and settings, the registry
 * tables, counters, the ring buffer and the snapshot timer; and their
 * accessors. Backend-private maps live with their backend.
 */
#ifndef __VIPC_MAPS_BPF_H
#define __VIPC_MAPS_BPF_H

/* Set by the loader before load. */
const volatile __u32 nr_cpus = 1;
/* Count every decision in vipc_decisions (off: the loader's --no-decisions). */
const volatile __u32 count_decisions = 1;
/* The LSM or fmodret backend is attached: binds are counted (vipc_bound). */
const volatile __u32 peer_backend = 1;

/* Identity of the pinned instance, the live slot and the id counters. Its
 * writers read, change and rewrite the whole value, so every one of them
 * holds the pin-directory lock: load (the identity), reload (the slot flip),
 * container add and endpoint add (the next ids). Nothing unlocked writes it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_config SEC(".maps");

/* Settings changed without the lock, apart from vipc_config so that setting
 * one never rewrites the live slot: the statistics interval, written only by
 * the interval code (`events -i`, the foreground loader).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_settings);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_settings SEC(".maps");

/* Containers by id, bound or not, per slot: the identities a policy names. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_PRINCIPALS * VIPC_SLOTS);
	__type(key, struct vipc_container_key);
	__type(value, struct vipc_container);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_containers SEC(".maps");

/* Exact cgroup path -> the principal a new cgroup there is bound to, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_PRINCIPALS * VIPC_SLOTS);
	__type(key, struct vipc_watch_key);
	__type(value, struct vipc_watch);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_watch SEC(".maps");

/* (parent directory, pattern index) -> the principal a new cgroup there
 * whose name matches the pattern is bound to, per slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_PRINCIPALS * VIPC_SLOTS);
	__type(key, struct vipc_glob_key);
	__type(value, struct vipc_glob_watch);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_watch_glob SEC(".maps");

/* Bindings: cgroup id -> container, per slot. */
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

/* The broker: (the key of "vipc/LABEL") -> endpoint LABEL's row and
 * sockets, per slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_ENDPOINTS * VIPC_SLOTS);
	__type(key, struct vipc_endpoint_key);
	__type(value, struct vipc_route);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_routes SEC(".maps");

/* (endpoint, container) -> the container's own socket behind the
 * endpoint's names, per slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_GRANTS * VIPC_SLOTS);
	__type(key, struct vipc_view_key);
	__type(value, struct vipc_view);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_views SEC(".maps");

/* (container, endpoint) -> permissions and generation, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_GRANTS * VIPC_SLOTS);
	__type(key, struct vipc_grant_key);
	__type(value, struct vipc_grant);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_grants SEC(".maps");

/* Container id -> the places it bound registered names in: directories
 * and network namespaces (include/vipc.h), learned by the LSM and fmodret
 * backends' bind hooks, read by every backend; an entry goes with any
 * cgroup of its container (cgroup_rmdir) or the container. Sized by the
 * loader; full: nothing learned, so every place is a home.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_PRINCIPALS * VIPC_SLOTS);
	__type(key, __u32);
	__type(value, struct vipc_home);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_homes SEC(".maps");

/* Channel name -> endpoint, receiver and capacity, per slot. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CHANNELS * VIPC_SLOTS);
	__type(key, struct vipc_channel_key);
	__type(value, struct vipc_channel);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_channels SEC(".maps");

/* Decision counters, per hook and per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIPC_HOOK__COUNT);
	__type(key, __u32);
	__type(value, struct vipc_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_stats SEC(".maps");

/* Decisions per (container, endpoint, hook, reason, verdict), per CPU. Sized
 * by the loader from the table limits; a full table counts decisions_missed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, VIPC_MAX_GRANTS + VIPC_DECISION_ROWS_PER_CONTAINER * VIPC_MAX_PRINCIPALS);
	__type(key, struct vipc_decision_key);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_decisions SEC(".maps");

/* Per CPU, the first keys counted in each bucket: counters found without a
 * hash lookup. Other keys of a full bucket go to vipc_decisions.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_hot_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_decisions_hot SEC(".maps");

/* Per CPU, the broker's round-robin and calls sent, per endpoint's instance. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIPC_SPREAD_ROWS);
	__type(key, __u32);
	__type(value, struct vipc_spread);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_spread SEC(".maps");

/* Registered UNIX names -> the sockets bound at them (include/vipc.h);
 * socket -> the name it was counted under, until it is freed. Sized by the
 * loader; full: nothing more is known (the broker skips no instance for it).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_ENDPOINTS * VIPC_SLOTS);
	__type(key, struct vipc_endpoint_key);
	__type(value, __s64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_bound SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_ENDPOINTS * VIPC_SLOTS);
	__type(key, __u64);
	__type(value, struct vipc_endpoint_key);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_bound_socks SEC(".maps");

/* Deny events aggregated per key over vipc_config's events interval; keys
 * idle for two intervals are dropped by the flush. Full: events go out alone.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_GRANTS + VIPC_DECISION_ROWS_PER_CONTAINER * VIPC_MAX_PRINCIPALS);
	__type(key, struct vipc_agg_key);
	__type(value, struct vipc_agg);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_agg SEC(".maps");

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

enum vipc_timer_id {
	VIPC_TIMER_STATS = 0, /* the statistics snapshots */
	VIPC_TIMER_FLUSH = 1, /* the aggregated events' summaries */
	VIPC_TIMER__COUNT,
};

/* Timers driving the statistics snapshots and the event flush. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIPC_TIMER__COUNT);
	__type(key, __u32);
	__type(value, struct vipc_timer_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_timer SEC(".maps");

static __always_inline struct vipc_config *vipc_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_config, &zero);
}

static __always_inline struct vipc_settings *vipc_set(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_settings, &zero);
}

static __always_inline struct vipc_registry_stats *vipc_reg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&vipc_registry, &zero);
}

static __always_inline struct vipc_stats *vipc_cpu_stats(enum vipc_hook hook)
{
	__u32 key = hook;

	return bpf_map_lookup_elem(&vipc_stats, &key);
}

#endif /* __VIPC_MAPS_BPF_H */
