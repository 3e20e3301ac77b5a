/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The socket backend: cgroup/connect_unix and cgroup/sendmsg_unix decide on
 * the address the caller passed; sendto remembers its last allowed verdict.
 */
#ifndef __VIPC_SOCK_BPF_H
#define __VIPC_SOCK_BPF_H

/* Socket backend: the name the caller passed, as the kernel copied it, a
 * pathname in its normal form (its hash is left to the caller: a
 * remembered verdict needs none).
 */
static __always_inline int vipc_addr_name(struct bpf_sock_addr *ctx, struct vipc_call *c)
{
	struct bpf_sock_addr_kern *sa = bpf_cast_to_kern_ctx(ctx);
	const char *ss = (const char *)bpf_core_cast(sa->uaddr, struct __kernel_sockaddr_storage);
	__u32 n = sa->uaddrlen;

	if (n <= SUN_PATH_OFFSET)
		return -1;
	return vipc_name_read(ss + SUN_PATH_OFFSET, n - SUN_PATH_OFFSET, ss[SUN_PATH_OFFSET], c, 1,
			      1);
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
	struct vipc_drow row; /* where it is counted in the decision counters */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vipc_verdict);
} vipc_verdicts SEC(".maps");

/* Does @v answer the call in @c? */
static __always_inline int vipc_verdict_holds(const struct vipc_verdict *v, struct vipc_call *c)
{
	return v->changes == c->changes && v->cgroup_id == vipc_cgid(c) &&
	       v->key.slot == c->key.slot && v->key.kind == c->key.kind &&
	       v->key.len == c->key.len && vipc_name_eq(&v->name, &c->name, c->key.len);
}

/* Remember an allow in @v, or in a new entry of @sk. */
static __always_inline void vipc_remember(struct bpf_sock *sk, struct vipc_verdict *v,
					  struct vipc_call *c, enum vipc_reason reason)
{
	if (!v)
		v = bpf_sk_storage_get(&vipc_verdicts, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!v)
		return;
	v->changes = c->changes;
	v->cgroup_id = vipc_cgid(c);
	v->reason = reason;
	v->pad = 0;
	vipc_drow_make(&v->row, c, reason, VIPC_V_ALLOW);
	__builtin_memcpy(&v->key, &c->key, sizeof(v->key));
	__builtin_memcpy(&v->name, &c->name, sizeof(v->name));
}

/* Is a name of @kind its endpoint only in its owner's network namespaces?
 * A port, always (the port binds teach them, on every backend); an
 * abstract name, where a bind hook learns them (LSM, fmodret): elsewhere
 * every namespace is a home, and the lookup is left out.
 */
static __always_inline int vipc_netns_homed(__u32 kind)
{
	return kind == VIPC_KIND_TCP || kind == VIPC_KIND_UDP ||
	       (kind == VIPC_KIND_UNIX_ABSTRACT && vipc_homes_learned());
}

/* Phase 2: the endpoint and grant of the name in @c, hashed: a broker
 * name's route (*@route; 0 when no endpoint has it), else the name's own
 * (an abstract name or a port where its owner binds it).
 */
static __always_inline int vipc_addr_lookup(struct bpf_sock_addr *ctx, struct vipc_call *c,
					    struct vipc_route **route)
{
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	vipc_step(VIPC_STEP_hash);
	if (route && vipc_is_broker(c)) {
		*route = vipc_route_find(c, &c->key);
		return *route && vipc_broker_lookup(c, *route);
	}
	vipc_lookup(c);
	if (vipc_netns_homed(c->key.kind))
		vipc_away(c, bpf_get_netns_cookie(ctx));
	return 1;
}

/* Socket backend: decide on the name the caller passed, read into @c
 * (@named: it has one; an abstract name or a port in the caller's network
 * namespace); with @remember, answer from and keep the socket's last
 * verdict (not for an endpoint with views: its socket depends on the
 * caller). With @route (UNIX names only), a broker name is decided as its
 * endpoint and, allowed, sent to the endpoint's socket; a caller's view
 * sends it to its own.
 */
static __always_inline int vipc_check_call(struct bpf_sock_addr *ctx, struct vipc_call *c,
					   int named, int remember, struct vipc_route **route)
{
	struct vipc_verdict *v = NULL;
	enum vipc_reason reason;
	int allow;

	/* Phase 1: an unchanged policy answers as it did last time. */
	if (named && remember)
		v = bpf_sk_storage_get(&vipc_verdicts, ctx->sk, 0, 0);
	if (v && vipc_verdict_holds(v, c)) {
		if (c->stats)
			c->stats->cached++;
		c->known = &v->row;
		vipc_step(VIPC_STEP_verdict);
		if (route)
			*route = vipc_is_broker(c) ? vipc_route_find(c, &v->key) : NULL;
		allow = vipc_finish_clock(c, v->reason, 1);
		return allow && (!route || vipc_broker_send(ctx, c, *route));
	}
	vipc_step(VIPC_STEP_verdict);

	/* Phase 2: the caller, the endpoint and the grant; remember an allow. */
	c->caller = vipc_caller(c);
	vipc_step(VIPC_STEP_principal);
	if (named && !vipc_addr_lookup(ctx, c, route))
		return vipc_broker_refuse(c);
	reason = vipc_decide(c->caller, c->ep, c->grant, c->perm);
	vipc_step(VIPC_STEP_decide);
	if (named && remember && !vipc_reason_denies(reason) &&
	    !(c->ep && (c->ep->flags & VIPC_EP_VIEWS)))
		vipc_remember(ctx->sk, v, c, reason);
	vipc_step(VIPC_STEP_remember);

	/* Phase 3: count and report; Phase 4: a brokered call to its socket. */
	allow = vipc_finish_clock(c, reason, 1);
	return allow && (!route || vipc_broker_send(ctx, c, *route));
}

/* Socket backend: decide on the UNIX name the caller passed. */
static __always_inline int vipc_check_addr(struct bpf_sock_addr *ctx, __u32 perm,
					   enum vipc_hook hook, int remember)
{
	struct vipc_route *route = NULL;
	struct vipc_call c = {};

	if (!vipc_start(&c, perm, hook))
		return 1;
	return vipc_check_call(ctx, &c, !vipc_addr_name(ctx, &c), remember, &route);
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

#endif /* __VIPC_SOCK_BPF_H */
