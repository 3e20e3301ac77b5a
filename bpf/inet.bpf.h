/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* TCP and UDP ports: the name of an address and port (include/vipc.h,
 * VIPC_INET_NAME_LEN), the socket backend's cgroup/connect4/6,
 * sendmsg4/6 and bind4/6 programs, and the LSM and fmodret backends'
 * decisions on an address, which their socket_connect, socket_sendmsg and
 * socket_bind bodies (lsm.bpf.h) take for AF_INET and AF_INET6.
 */
#ifndef __VIPC_INET_BPF_H
#define __VIPC_INET_BPF_H

#define AF_INET 2
#define AF_INET6 10

/* Is @family IPv4 or IPv6? */
static __always_inline int vipc_is_inet(__u16 family)
{
	return family == AF_INET || family == AF_INET6;
}

/* The kind of a socket of @type and @protocol: TCP (MPTCP too: it reaches
 * TCP ports), UDP, else 0 (vipc brokers no other).
 */
static __always_inline __u8 vipc_inet_kind(__u32 type, __u32 protocol)
{
	if (type == SOCK_STREAM && (protocol == IPPROTO_TCP || protocol == IPPROTO_MPTCP))
		return VIPC_KIND_TCP;
	if (type == SOCK_DGRAM && protocol == IPPROTO_UDP)
		return VIPC_KIND_UDP;
	return 0;
}

/* What a call of a socket of @kind asks: connect for TCP, send for UDP
 * (a datagram connect names where its sends go); binds ask bind.
 */
static __always_inline __u32 vipc_inet_perm(__u8 kind, int bind)
{
	return bind ? VIPC_PERM_BIND : kind == VIPC_KIND_TCP ? VIPC_PERM_CONNECT : VIPC_PERM_SEND;
}

/* The IPv6 address @a0..@a3 (network order words; an IPv4 one mapped) and
 * @port (network order) as the name of @kind in c->key and c->name: words,
 * not an array, so that no copy of the address takes the hook's stack. A
 * wildcard address (0.0.0.0, [::]) reaches and binds the port on loopback:
 * it is named as 127.0.0.1 or [::1]. 1 for [::], which binds 127.0.0.1 too
 * on a dual-stack socket; else 0.
 */
static __always_inline int vipc_inet_name(struct vipc_call *c, __u8 kind, __u32 a0, __u32 a1,
					  __u32 a2, __u32 a3, __u16 port)
{
	__u32 mapped = bpf_htonl(0xffff);
	int any = !a0 && !a1 && !a3 && (!a2 || a2 == mapped);

	if (any)
		a3 = a2 ? bpf_htonl(0x7f000001) : bpf_htonl(1);
	c->key.kind = kind;
	c->key.len = VIPC_INET_NAME_LEN;
	c->name.words[0] = a0 | (__u64)a1 << 32;
	c->name.words[1] = a2 | (__u64)a3 << 32;
	c->name.words[2] = port;
	return any && !a2;
}

/* The name of IPv4 address @ip4 (network order) and @port. */
static __always_inline int vipc_inet4_name(struct vipc_call *c, __u8 kind, __u32 ip4, __u16 port)
{
	return vipc_inet_name(c, kind, 0, 0, bpf_htonl(0xffff), ip4, port);
}

/* A bind of the port in @c at @place (a network namespace): the endpoint
 * of its address; for [::] (@any6), 127.0.0.1's when registered, else
 * [::1]'s. @coarse as for vipc_finish_clock.
 */
static __always_inline int vipc_inet_bind(struct vipc_call *c, __u64 place, int any6, int coarse)
{
	__u64 loop6 = c->name.words[1];

	if (any6)
		c->name.words[1] = bpf_htonl(0xffff) | (__u64)bpf_htonl(0x7f000001) << 32;
	c->key.hash = vipc_name_hash(&c->name, c->key.len);
	if (any6 && !bpf_map_lookup_elem(&vipc_endpoints, &c->key)) {
		c->name.words[1] = loop6;
		c->key.hash = vipc_name_hash(&c->name, c->key.len);
	}
	return vipc_bind_decide(c, place, coarse) < 0 ? -EPERM : 0;
}

/* Socket backend: begin the call of @ctx's TCP or UDP socket on the port
 * it passed (@v6: an AF_INET6 program's). 0 when vipc decides nothing: no
 * policy, another protocol, port 0.
 */
static __always_inline int vipc_sock_inet(struct bpf_sock_addr *ctx, struct vipc_call *c,
					  enum vipc_hook hook, int bind, int v6, int *any6)
{
	__u8 kind = vipc_inet_kind(ctx->type, ctx->protocol);
	__u16 port = ctx->user_port;

	if (!kind || !port || !vipc_start(c, vipc_inet_perm(kind, bind), hook))
		return 0;
	if (!v6) {
		*any6 = vipc_inet4_name(c, kind, ctx->user_ip4, port);
		return 1;
	}
	*any6 = vipc_inet_name(c, kind, ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3], port);
	return 1;
}

/* Socket backend, connect and sendto (remembered, as for UNIX names). */
static __always_inline int vipc_sock_inet_call(struct bpf_sock_addr *ctx, enum vipc_hook hook,
					       int v6, int remember)
{
	struct vipc_call c = {};
	int any6;

	if (!vipc_sock_inet(ctx, &c, hook, 0, v6, &any6))
		return 1;
	return vipc_check_call(ctx, &c, 1, remember, NULL);
}

/* Socket backend, bind: in the binder's network namespace. */
static __always_inline int vipc_sock_inet_bind(struct bpf_sock_addr *ctx, int v6)
{
	struct vipc_call c = {};
	int any6;

	if (!vipc_sock_inet(ctx, &c, VIPC_HOOK_BIND_INET, 1, v6, &any6))
		return 1;
	c.caller = vipc_caller(&c);
	return !vipc_inet_bind(&c, bpf_get_netns_cookie(ctx), any6, 1);
}

/* One program per cgroup hook, named after it: vipc_connect4 on cgroup/connect4. */
#define VIPC_INET_PROG(hook, call)                                                     \
	SEC("cgroup/" #hook)                                                           \
	int vipc_##hook(struct bpf_sock_addr *ctx)                                     \
	{                                                                              \
		return call;                                                           \
	}

VIPC_INET_PROG(connect4, vipc_sock_inet_call(ctx, VIPC_HOOK_CONNECT_INET, 0, 0))
VIPC_INET_PROG(connect6, vipc_sock_inet_call(ctx, VIPC_HOOK_CONNECT_INET, 1, 0))
VIPC_INET_PROG(sendmsg4, vipc_sock_inet_call(ctx, VIPC_HOOK_SENDMSG_INET, 0, 1))
VIPC_INET_PROG(sendmsg6, vipc_sock_inet_call(ctx, VIPC_HOOK_SENDMSG_INET, 1, 1))
VIPC_INET_PROG(bind4, vipc_sock_inet_bind(ctx, 0))
VIPC_INET_PROG(bind6, vipc_sock_inet_bind(ctx, 1))

/* LSM and fmodret backends: begin the call of @sock, a TCP or UDP socket,
 * on the address of @len bytes at kernel address @addr. 0 when vipc
 * decides nothing (as vipc_sock_inet; or an address too short to hold
 * one, which the kernel refuses).
 */
static __always_inline int vipc_lsm_inet(struct socket *sock, const void *addr, int len,
					 struct vipc_call *c, enum vipc_hook hook, int bind,
					 int *any6)
{
	/* The address is read into the name's bytes, which it then becomes:
	 * no copy of it takes the hook's stack, tight on 6.1.
	 */
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)c->name.bytes;
	struct sockaddr_in *in = (struct sockaddr_in *)c->name.bytes;
	const __u32 *a6 = in6->sin6_addr.in6_u.u6_addr32;
	struct sock *sk = sock->sk;
	__u8 kind;

	if (!sk || !addr || !vipc_is_inet(BPF_CORE_READ(sk, __sk_common.skc_family)) ||
	    bpf_probe_read_kernel(&in->sin_family, sizeof(in->sin_family), addr))
		return 0;
	kind = vipc_inet_kind(sock->type, BPF_CORE_READ(sk, sk_protocol));
	if (!kind)
		return 0;
	if (in->sin_family == AF_INET) {
		if (len < (int)sizeof(*in) || bpf_probe_read_kernel(in, sizeof(*in), addr) ||
		    !in->sin_port || !vipc_begin(c, vipc_inet_perm(kind, bind), hook))
			return 0;
		*any6 = vipc_inet4_name(c, kind, in->sin_addr.s_addr, in->sin_port);
		c->name.words[3] = 0;
		return 1;
	}
	if (in->sin_family != AF_INET6 || len < (int)sizeof(*in6) ||
	    bpf_probe_read_kernel(in6, sizeof(*in6), addr) || !in6->sin6_port ||
	    !vipc_begin(c, vipc_inet_perm(kind, bind), hook))
		return 0;
	*any6 = vipc_inet_name(c, kind, a6[0], a6[1], a6[2], a6[3], in6->sin6_port);
	c->name.words[3] = 0;
	return 1;
}

static __always_inline void vipc_tag(struct vipc_call *c, struct sock *sk, int fr);

/* LSM and fmodret backends, connect and sendto on @sock: 0 or -EPERM. An
 * admitted connect is tagged (lsm.bpf.h), so that its later sends and
 * receives are re-checked as a UNIX connection's are (@fr: the fmodret
 * backend's way, a constant the verifier follows). A function of its own:
 * its call's stack is not that of the UNIX one beside.
 */
static __noinline int vipc_lsm_inet_call(struct socket *sock, const void *addr, int len,
					 enum vipc_hook hook, int fr)
{
	struct sock *sk = sock->sk;
	struct vipc_call c = {};
	enum vipc_reason reason;
	int any6;

	if (!sk || !vipc_lsm_inet(sock, addr, len, &c, hook, 0, &any6))
		return 0;
	c.key.hash = vipc_name_hash(&c.name, c.key.len);
	vipc_lookup(&c);
	vipc_away(&c, BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie));
	reason = vipc_decide(c.caller, c.ep, c.grant, c.perm);
	if (!vipc_finish(&c, reason))
		return -EPERM;
	if (hook == VIPC_HOOK_SOCKET_CONNECT)
		vipc_tag(&c, sk, fr);
	return 0;
}

/* LSM and fmodret backends, bind of @sock in its network namespace (a
 * function of its own, as vipc_lsm_inet_call).
 */
static __noinline int vipc_lsm_inet_bind(struct socket *sock, const void *addr, int len)
{
	struct vipc_call c = {};
	int any6;

	if (!vipc_lsm_inet(sock, addr, len, &c, VIPC_HOOK_BIND, 1, &any6))
		return 0;
	return vipc_inet_bind(&c, BPF_CORE_READ(sock, sk, __sk_common.skc_net.net, net_cookie),
			      any6, 0);
}

#endif /* __VIPC_INET_BPF_H */
