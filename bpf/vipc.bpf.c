// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* vipc enforcement: the socket backend's cgroup UNIX hooks, the LSM
 * backend's hooks, the cleanup of a removed container, and the periodic
 * statistics snapshot. Every hook decides through include/vipc_decide.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "vipc.h"
#include "vipc_decide.h"

#define SOCK_DGRAM 2
#define AF_UNIX 1
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define EPERM 1
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

/* Decision counters, per hook and per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIPC_HOOK__COUNT);
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

/* The nearest registered cgroup: the caller's own, else its deepest
 * registered ancestor.
 */
static __always_inline struct vipc_principal *vipc_find_principal(__u32 slot, __u64 cgid)
{
	struct vipc_principal_key key = { .slot = slot, .cgroup_id = cgid };
	struct vipc_principal *p;
	int level;

	p = bpf_map_lookup_elem(&vipc_principals, &key);
	if (p)
		return p;
	for (level = VIPC_CGROUP_DEPTH - 1; level >= 0; level--) {
		key.cgroup_id = bpf_get_current_ancestor_cgroup_id(level);
		if (!key.cgroup_id || key.cgroup_id == cgid)
			continue;
		p = bpf_map_lookup_elem(&vipc_principals, &key);
		if (p)
			return p;
	}
	return NULL;
}

/* The container of the cgroup a socket was created in (its nearest
 * registered ancestor), 0 when none: who really bound a name.
 */
static __always_inline __u32 vipc_sock_owner(struct sock *sk, __u32 slot)
{
	struct vipc_principal_key key = { .slot = slot };
	struct cgroup *cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup), *anc;
	struct vipc_principal *p;
	int i, level;

	if (!cg)
		return 0;
	level = BPF_CORE_READ(cg, level);
	for (i = 0; i < VIPC_CGROUP_DEPTH; i++) {
		if (level - i < 0)
			break;
		anc = NULL;
		bpf_core_read(&anc, sizeof(anc), &cg->ancestors[(level - i) & (VIPC_CGROUP_DEPTH * 8 - 1)]);
		key.cgroup_id = BPF_CORE_READ(anc, kn, id);
		p = bpf_map_lookup_elem(&vipc_principals, &key);
		if (p)
			return p->id;
	}
	return 0;
}

/* One decision in progress: the live slot, the caller, what was found. */
struct vipc_call {
	struct vipc_endpoint_key key;
	union vipc_name name; /* the exact name c->key hashes */
	struct vipc_principal *caller;
	struct vipc_endpoint *ep;
	struct vipc_grant *grant;
	struct vipc_stats *stats; /* this CPU's counters of the hook */
	__u64 cgid;
	__u64 changes; /* the policy's change count when the decision began */
	__u32 perm;
	enum vipc_hook hook;
};

/* Copy @len (< 109) bytes at kernel address @src into the zeroed @name;
 * with @cut, only up to the first NUL. The bytes copied, or -1.
 * @direct: @src is an untrusted pointer into the kernel's sockaddr_storage
 * copy of a caller's address, read by plain loads a word at a time (a
 * load cannot fault, and one past the address stays inside the storage),
 * stopping at the word that ends the name. Otherwise through the probe
 * helper, whole, then cut.
 */
static __always_inline long vipc_copy(union vipc_name *name, const char *src, long len,
				      int cut, int direct)
{
	__u32 k;
	__u64 w;
	long i;

	if (!direct) {
		barrier_var(len);
		if (len > VIPC_NAME_MAX)
			len = VIPC_NAME_MAX;
		if (len > 0 && bpf_probe_read_kernel(name->bytes, len, src))
			return -1;
		return cut ? vipc_name_cut(name, len) : len;
	}
#pragma clang loop unroll(full)
	for (i = 0; i < VIPC_NAME_WORDS; i++) {
		if (i * 8 >= len)
			break;
		w = *(const __u64 *)(src + i * 8);
		if (len - i * 8 < 8)
			w = vipc_word_keep(w, len - i * 8);
		k = cut ? vipc_word_nul(w) : 8;
		if (k < 8) {
			name->words[i] = vipc_word_keep(w, k);
			return i * 8 + k;
		}
		name->words[i] = w;
	}
	return len;
}

/* The name in a sun_path of @n bytes at kernel address @path, whose first
 * byte the caller has read into @lead, into the zeroed c->name, its kind
 * and length into c->key. @direct as for vipc_copy.
 */
static __always_inline int vipc_name_read(const char *path, __u32 n, char lead,
					  struct vipc_call *c, int direct)
{
	struct vipc_endpoint_key *key = &c->key;
	long len;

	if (!n)
		return -1;
	if (n > VIPC_NAME_MAX)
		n = VIPC_NAME_MAX;
	/* Abstract: everything after the leading NUL is significant;
	 * pathname: up to the first NUL, or all @n bytes.
	 */
	key->kind = lead ? VIPC_KIND_UNIX_PATH : VIPC_KIND_UNIX_ABSTRACT;
	len = lead ? vipc_copy(&c->name, path, n, 1, direct) :
		     vipc_copy(&c->name, path + 1, n - 1, 0, direct);
	if (len < 0)
		return -1;
	key->len = len;
	return 0;
}

/* LSM backend: endpoint key and exact name from a sun_path of @n bytes at
 * @path, read through the probe helper.
 */
static __always_inline int vipc_name_key(const char *path, __u32 n, char lead,
					 struct vipc_call *c)
{
	if (vipc_name_read(path, n, lead, c, 0))
		return -1;
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	return 0;
}

/* Socket backend: the name the caller passed, as the kernel copied it
 * (its hash is left to the caller: a remembered verdict needs none).
 */
static __always_inline int vipc_addr_name(struct bpf_sock_addr *ctx, struct vipc_call *c)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	const char *ss = (const char *)bpf_core_cast(sa->uaddr, struct __kernel_sockaddr_storage);
	__u32 n = sa->uaddrlen;

	if (n <= SUN_PATH_OFFSET)
		return -1;
	return vipc_name_read(ss + SUN_PATH_OFFSET, n - SUN_PATH_OFFSET, ss[SUN_PATH_OFFSET], c, 1);
}

/* LSM backend: the address the peer socket was really bound to. */
static __always_inline int vipc_bound_key(struct sock *sk, struct vipc_call *c)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	const char *path;
	char lead;
	int n;

	if (!addr)
		return -1;
	n = BPF_CORE_READ(addr, len);
	path = (const char *)addr + bpf_core_field_offset(struct unix_address, name) +
	       SUN_PATH_OFFSET;
	if (n <= SUN_PATH_OFFSET || bpf_probe_read_kernel(&lead, 1, path))
		return -1;
	return vipc_name_key(path, n - SUN_PATH_OFFSET, lead, c);
}

/* Count a decision in the per-CPU counters of its hook. */
static __always_inline void vipc_count(struct vipc_stats *s, enum vipc_reason reason, int audit)
{
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
	else if (reason == VIPC_R_REVOKED)
		s->denied_revoked++;
	else if (reason == VIPC_R_IMPOSTOR)
		s->denied_impostor++;
	else
		s->denied_full++;
}

static __always_inline void vipc_count_lookup(struct vipc_stats *s, int hit)
{
	if (!s)
		return;
	s->lookups++;
	if (hit)
		s->hits++;
}

/* Report a deny or would-deny on the ring buffer; count it when lost. */
static __always_inline void vipc_report(const struct vipc_call *c, enum vipc_reason reason,
					int audit)
{
	struct vipc_event *e;

	e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
	if (!e) {
		if (c->stats)
			c->stats->events_dropped++;
		return;
	}
	e->type = audit ? VIPC_EV_AUDIT : VIPC_EV_DENY;
	e->hook = c->hook;
	e->reason = reason;
	e->perm = c->perm;
	e->kind = c->key.kind;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = c->cgid;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->container = c->caller ? c->caller->id : 0;
	e->endpoint = c->ep ? c->ep->id : 0;
	e->name_len = c->key.len;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->name, c->name.bytes, sizeof(e->name));
	bpf_ringbuf_submit(e, 0);
}

/* Phase 1 of every decision: the policy's change count, then the live
 * slot (each read once: a reload flips the slot, and one decision must not
 * mix two policies), and the caller's cgroup. 0 when vipc holds no policy.
 * The count comes before any table: writers bump it after writing, so a
 * verdict kept under it was decided on a policy at least that new.
 */
static __always_inline int vipc_start(struct vipc_call *c, __u32 perm, enum vipc_hook hook)
{
	struct vipc_registry_stats *reg = vipc_reg();
	struct vipc_config *cfg = vipc_cfg();

	if (!cfg || !reg || cfg->magic != VIPC_MAGIC)
		return 0;
	c->changes = *(volatile __u64 *)&reg->policy_changes;
	c->key.slot = *(volatile __u32 *)&cfg->active_slot;
	c->cgid = bpf_get_current_cgroup_id();
	c->perm = perm;
	c->hook = hook;
	c->stats = vipc_cpu_stats(hook);
	return 1;
}

/* Phase 1 with the caller's container found. */
static __always_inline int vipc_begin(struct vipc_call *c, __u32 perm, enum vipc_hook hook)
{
	if (!vipc_start(c, perm, hook))
		return 0;
	c->caller = vipc_find_principal(c->key.slot, c->cgid);
	return 1;
}

/* Phase 2: the endpoint named by c->key, and the caller's grant on it. */
static __always_inline void vipc_lookup(struct vipc_call *c)
{
	struct vipc_grant_key gkey = { .slot = c->key.slot };

	c->ep = bpf_map_lookup_elem(&vipc_endpoints, &c->key);
	if (c->ep && !vipc_name_eq(&c->ep->name, &c->name, c->key.len))
		c->ep = NULL; /* another name that hashes alike */
	vipc_count_lookup(c->stats, c->ep != NULL);
	if (!vipc_needs_grant(c->caller, c->ep))
		return;
	gkey.container = c->caller->id;
	gkey.endpoint = c->ep->id;
	c->grant = bpf_map_lookup_elem(&vipc_grants, &gkey);
	vipc_count_lookup(c->stats, c->grant != NULL);
}

/* Phase 3: count and report the decision; 1 lets the call through. */
static __always_inline int vipc_finish(struct vipc_call *c, enum vipc_reason reason)
{
	int allow = vipc_verdict_allows(c->caller, reason);

	vipc_count(c->stats, reason, allow && vipc_reason_denies(reason));
	if (vipc_reason_denies(reason))
		vipc_report(c, reason, allow);
	return allow;
}

/* Socket backend, sendto: the last call a socket was let through, so that a
 * stream of datagrams to one address is decided once per policy change.
 * It holds only for the same cgroup, name and policy change count, and is
 * kept only for allows: denies are reported every time. The hook runs under
 * the socket lock, so an entry has one writer at a time.
 */
struct vipc_verdict {
	__u64 changes;	 /* vipc_registry policy_changes it was decided under */
	__u64 cgroup_id; /* the sender's cgroup */
	struct vipc_endpoint_key key;
	union vipc_name name;
	__u32 reason;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_verdict);
} vipc_verdicts SEC(".maps");

/* Does @v answer the call in @c? */
static __always_inline int vipc_verdict_holds(const struct vipc_verdict *v,
					       const struct vipc_call *c)
{
	return v->changes == c->changes && v->cgroup_id == c->cgid &&
	       v->key.slot == c->key.slot && v->key.kind == c->key.kind &&
	       v->key.len == c->key.len && vipc_name_eq(&v->name, &c->name, c->key.len);
}

/* Remember an allow in @v, or in a new entry of @sk. */
static __always_inline void vipc_remember(struct bpf_sock *sk, struct vipc_verdict *v,
					  const struct vipc_call *c, enum vipc_reason reason)
{
	if (!v)
		v = bpf_sk_storage_get(&vipc_verdicts, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return;
	v->changes = c->changes;
	v->cgroup_id = c->cgid;
	v->reason = reason;
	__builtin_memcpy(&v->key, &c->key, sizeof(v->key));
	__builtin_memcpy(&v->name, &c->name, sizeof(v->name));
}

/* Socket backend: decide on the name the caller passed; with @remember,
 * answer from and keep the socket's last verdict.
 */
static __always_inline int vipc_check_addr(struct bpf_sock_addr *ctx, __u32 perm,
					   enum vipc_hook hook, int remember)
{
	struct vipc_verdict *v = NULL;
	struct vipc_call c = {};
	enum vipc_reason reason;
	int named;

	/* Phase 1: the name; an unchanged policy answers as it did last time. */
	if (!vipc_start(&c, perm, hook))
		return 1;
	named = !vipc_addr_name(ctx, &c);
	if (named && remember)
		v = bpf_sk_storage_get(&vipc_verdicts, ctx->sk, 0, 0);
	if (v && vipc_verdict_holds(v, &c)) {
		if (c.stats)
			c.stats->cached++;
		return vipc_finish(&c, v->reason);
	}

	/* Phase 2: the caller, its endpoint and grant; remember an allow. */
	c.caller = vipc_find_principal(c.key.slot, c.cgid);
	if (named && c.caller) {
		c.key.hash = vipc_name_hash(&c.name, c.key.len);
		vipc_lookup(&c);
	}
	reason = vipc_decide(c.caller, c.ep, c.grant, perm);
	if (named && remember && !vipc_reason_denies(reason))
		vipc_remember(ctx->sk, v, &c, reason);
	return vipc_finish(&c, reason);
}

SEC("cgroup/connect_unix")
int vipc_connect_unix(struct bpf_sock_addr *ctx)
{
	__u32 perm = ctx->type == SOCK_DGRAM ? VIPC_PERM_SEND : VIPC_PERM_CONNECT;

	return vipc_check_addr(ctx, perm, VIPC_HOOK_CONNECT_UNIX, 0);
}

SEC("cgroup/sendmsg_unix")
int vipc_sendmsg_unix(struct bpf_sock_addr *ctx)
{
	return vipc_check_addr(ctx, VIPC_PERM_SEND, VIPC_HOOK_SENDMSG_UNIX, 1);
}

/* LSM backend. Connections admitted to an endpoint carry a tag, so a
 * later send re-checks them; channel connections are counted until the
 * socket is freed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_conn_tag);
} vipc_conn_tags SEC(".maps");

/* Live connections per channel endpoint id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CHANNELS);
	__type(key, __u32);
	__type(value, __s64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_chan_live SEC(".maps");

/* Counted socket -> endpoint id, released by sk_free_security. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIPC_MAX_CONNECTIONS);
	__type(key, __u64);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} vipc_chan_conns SEC(".maps");

/* Decide on the peer socket: its bound name and who bound it. */
static __always_inline enum vipc_reason vipc_peer_decide(struct vipc_call *c, struct sock *peer)
{
	if (vipc_bound_key(peer, c))
		return c->caller ? vipc_decide(c->caller, NULL, NULL, c->perm) : VIPC_R_UNCONFINED;
	vipc_lookup(c);
	return vipc_decide_peer(c->caller, c->ep, c->grant, c->perm,
				c->ep ? vipc_sock_owner(peer, c->key.slot) : 0);
}

/* Take a place in a bounded channel for @sk, or VIPC_R_FULL. */
static __always_inline enum vipc_reason vipc_admit(struct vipc_call *c, struct sock *sk,
						   enum vipc_reason reason)
{
	__u64 ptr = (__u64)sk;
	__s64 zero = 0, *live;

	if (!vipc_takes_place(reason, c->ep))
		return reason;
	bpf_map_update_elem(&vipc_chan_live, &c->ep->id, &zero, BPF_NOEXIST);
	live = bpf_map_lookup_elem(&vipc_chan_live, &c->ep->id);
	if (!live)
		return VIPC_R_FULL;
	reason = vipc_decide_capacity(reason, c->ep, __sync_fetch_and_add(live, 1));
	if (reason == VIPC_R_FULL) {
		__sync_fetch_and_add(live, -1);
		return reason;
	}
	if (bpf_map_update_elem(&vipc_chan_conns, &ptr, &c->ep->id, BPF_ANY))
		__sync_fetch_and_add(live, -1);
	return reason;
}

/* Remember what a connection was admitted under. */
static __always_inline void vipc_tag(struct vipc_call *c, struct sock *sk)
{
	struct vipc_conn_tag *tag;

	if (!c->ep || !c->caller)
		return;
	tag = bpf_sk_storage_get(&vipc_conn_tags, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!tag)
		return;
	tag->endpoint = c->ep->id;
	tag->generation = c->ep->generation;
	tag->container = c->caller->id;
	tag->perm = c->perm;
	__builtin_memcpy(&tag->key, &c->key, sizeof(tag->key));
	__builtin_memcpy(&tag->name, &c->name, sizeof(tag->name));
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(vipc_stream_connect, struct sock *sock, struct sock *other, struct sock *newsk,
	     int ret)
{
	struct vipc_call c = {};
	enum vipc_reason reason;

	if (ret)
		return ret;
	if (!vipc_begin(&c, VIPC_PERM_CONNECT, VIPC_HOOK_STREAM_CONNECT))
		return 0;
	reason = vipc_admit(&c, sock, vipc_peer_decide(&c, other));
	if (!vipc_finish(&c, reason))
		return -EPERM;
	vipc_tag(&c, sock);
	return 0;
}

SEC("lsm/unix_may_send")
int BPF_PROG(vipc_may_send, struct socket *sock, struct socket *other, int ret)
{
	struct sock *peer = other->sk;
	struct vipc_call c = {};

	if (ret)
		return ret;
	if (!peer || !vipc_begin(&c, VIPC_PERM_SEND, VIPC_HOOK_MAY_SEND))
		return 0;
	return vipc_finish(&c, vipc_peer_decide(&c, peer)) ? 0 : -EPERM;
}

SEC("lsm/socket_bind")
int BPF_PROG(vipc_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct vipc_call c = {};

	if (ret)
		return ret;
	if (address->sa_family != AF_UNIX || addrlen <= SUN_PATH_OFFSET)
		return 0;
	if (!vipc_begin(&c, VIPC_PERM_BIND, VIPC_HOOK_BIND))
		return 0;
	if (vipc_name_key((const char *)address + SUN_PATH_OFFSET, addrlen - SUN_PATH_OFFSET,
			  address->sa_data[0], &c))
		return 0;
	vipc_lookup(&c);
	return vipc_finish(&c, vipc_decide_bind(c.caller, c.ep, c.grant)) ? 0 : -EPERM;
}

/* Does a message carry file descriptors (SCM_RIGHTS)? */
static __always_inline int vipc_passes_fds(struct msghdr *msg)
{
	struct cmsghdr cm;
	__u64 off = 0, len;
	char *ctl;
	int i;

	if (BPF_CORE_READ_BITFIELD_PROBED(msg, msg_control_is_user))
		return 0;
	ctl = BPF_CORE_READ(msg, msg_control);
	len = BPF_CORE_READ(msg, msg_controllen);
	for (i = 0; i < 4 && ctl && off + sizeof(cm) <= len; i++) {
		if (bpf_probe_read_kernel(&cm, sizeof(cm), ctl + off))
			return 0;
		if (cm.cmsg_level == SOL_SOCKET && cm.cmsg_type == SCM_RIGHTS)
			return 1;
		if (cm.cmsg_len < sizeof(cm))
			return 0;
		off += (cm.cmsg_len + sizeof(long) - 1) & ~(sizeof(long) - 1);
	}
	return 0;
}

/* Re-check a tagged connection: a generation bump or a revoked grant
 * cuts it; fd passing needs pass-fd on top.
 */
static __always_inline int vipc_recheck(struct socket *sock, struct msghdr *msg,
					enum vipc_hook hook)
{
	struct vipc_conn_tag *tag;
	struct sock *sk = sock->sk;
	enum vipc_reason reason;
	struct vipc_call c = {};
	int fds;

	if (!sk)
		return 0;
	tag = bpf_sk_storage_get(&vipc_conn_tags, sk, 0, 0);
	if (!tag)
		return 0;
	fds = hook == VIPC_HOOK_SENDMSG && vipc_passes_fds(msg);
	if (!vipc_begin(&c, fds ? VIPC_PERM_PASS_FD : tag->perm, hook) || !c.caller)
		return 0;
	c.key.kind = tag->key.kind;
	c.key.len = tag->key.len;
	c.key.hash = tag->key.hash;
	__builtin_memcpy(&c.name, &tag->name, sizeof(c.name));
	vipc_lookup(&c);
	reason = vipc_decide(c.caller, c.ep, c.grant, c.perm);
	if (!c.ep || (reason != VIPC_R_OWNER && c.ep->generation != tag->generation))
		reason = VIPC_R_REVOKED;
	return vipc_finish(&c, reason) ? 0 : -EPERM;
}

SEC("lsm/socket_sendmsg")
int BPF_PROG(vipc_sendmsg, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	if (ret)
		return ret;
	return vipc_recheck(sock, msg, VIPC_HOOK_SENDMSG);
}

SEC("lsm/socket_recvmsg")
int BPF_PROG(vipc_recvmsg, struct socket *sock, struct msghdr *msg, int size, int flags, int ret)
{
	if (ret)
		return ret;
	return vipc_recheck(sock, msg, VIPC_HOOK_RECVMSG);
}

/* A counted channel connection is gone: give its place back. */
SEC("lsm/sk_free_security")
int BPF_PROG(vipc_sk_free, struct sock *sk)
{
	__u64 ptr = (__u64)sk;
	__s64 *live;
	__u32 *ep;

	ep = bpf_map_lookup_elem(&vipc_chan_conns, &ptr);
	if (!ep)
		return 0;
	live = bpf_map_lookup_elem(&vipc_chan_live, ep);
	if (live)
		__sync_fetch_and_add(live, -1);
	bpf_map_delete_elem(&vipc_chan_conns, &ptr);
	return 0;
}

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
	struct vipc_registry_stats *reg;

	sw.counted = cfg && cfg->active_slot == slot;
	bpf_for_each_map_elem(&vipc_channels, vipc_sweep_channel, &sw, 0);
	bpf_for_each_map_elem(&vipc_grants, vipc_sweep_grant, &sw, 0);
	bpf_for_each_map_elem(&vipc_endpoints, vipc_sweep_endpoint, &sw, 0);
	bpf_for_each_map_elem(&vipc_principals, vipc_sweep_principal, &sw, 0);
	reg = vipc_reg();
	if (reg)
		__sync_fetch_and_add(&reg->policy_changes, 1);
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
	out->lookups += s->lookups;
	out->hits += s->hits;
	out->cached += s->cached;
	out->allowed += s->allowed;
	out->unconfined += s->unconfined;
	out->audited += s->audited;
	out->denied_unknown += s->denied_unknown;
	out->denied_no_grant += s->denied_no_grant;
	out->denied_no_perm += s->denied_no_perm;
	out->denied_revoked += s->denied_revoked;
	out->denied_impostor += s->denied_impostor;
	out->denied_full += s->denied_full;
	out->events_dropped += s->events_dropped;
	out->snapshots_dropped += s->snapshots_dropped;
	return 0;
}

static int vipc_tick(void *map, __u32 *key, struct vipc_timer_slot *slot)
{
	struct vipc_config *cfg = vipc_cfg();
	struct vipc_snapshot *snap;
	struct vipc_stats sum = {}, *s;

	if (!cfg || !cfg->stats_interval_ns)
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
