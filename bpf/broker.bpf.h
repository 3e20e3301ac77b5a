/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The name broker (socket backend): a call to the abstract name
 * "vipc/LABEL" is decided as a call to endpoint LABEL, then sent to one of
 * its sockets by rewriting the address before the kernel looks it up; a
 * container with a view of an endpoint is sent to its own socket, whichever
 * of the endpoint's names it called.
 */
#ifndef __VIPC_BROKER_BPF_H
#define __VIPC_BROKER_BPF_H

#define ECONNREFUSED 111
/* "vipc/" as the low bytes of a little-endian word. */
#define VIPC_BROKER_WORD                                                                   \
	((__u64)'/' << 32 | (__u64)'c' << 24 | (__u64)'p' << 16 | (__u64)'i' << 8 | (__u64)'v')

/* Is the name in @c the broker's, "vipc/" and a label? */
static __always_inline int vipc_is_broker(const struct vipc_call *c)
{
	return c->key.kind == VIPC_KIND_UNIX_ABSTRACT && c->key.len > VIPC_BROKER_PREFIX_LEN &&
	       (c->name.words[0] & 0xffffffffffULL) == VIPC_BROKER_WORD;
}

/* The route of the broker name in @c (looked up by @key), NULL when no
 * endpoint has that label.
 */
static __always_inline struct vipc_route *vipc_route_find(const struct vipc_call *c,
							  const struct vipc_endpoint_key *key)
{
	struct vipc_route *r = bpf_map_lookup_elem(&vipc_routes, key);

	if (r && !vipc_name_eq(&r->name, &c->name, c->key.len))
		return NULL; /* another name that hashes alike */
	return r;
}

/* Phase 2 of a brokered call: the endpoint of route @r, as a call to its
 * own name finds it, and the caller's grant on it; 0 when it is gone.
 */
static __always_inline int vipc_broker_lookup(struct vipc_call *c, const struct vipc_route *r)
{
	c->ep = bpf_map_lookup_elem(&vipc_endpoints, &r->target);
	if (c->ep && c->ep->id != r->endpoint)
		c->ep = NULL;
	vipc_count_lookup(c->stats, c->ep != NULL);
	vipc_lookup_grant(c);
	return c->ep != NULL;
}

/* A broker name no endpoint has: refused as a name nobody bound is, and
 * counted.
 */
static __always_inline int vipc_broker_refuse(const struct vipc_call *c)
{
	if (c->stats)
		c->stats->broker_unknown++;
	bpf_set_retval(-ECONNREFUSED);
	return 0;
}

/* Is instance @i of @r known to have no socket bound at its name (the LSM
 * or fmodret backend saw every one bound there freed)? Unknown is alive.
 */
static __always_inline int vipc_instance_dead(const struct vipc_route *r, __u32 i)
{
	__s64 *n;

	if (!peer_backend)
		return 0; /* nothing counted: no lookup */
	n = bpf_map_lookup_elem(&vipc_bound, &r->bound[i & (VIPC_INSTANCES - 1)]);
	return n && *n <= 0;
}

/* The instance of @r this call goes to: this CPU's next in turn that is
 * not known dead (the next in turn when all are), counted.
 */
static __always_inline __u32 vipc_broker_pick(const struct vipc_route *r)
{
	__u32 row = r->endpoint & (VIPC_SPREAD_ROWS - 1), nr = r->nr, i = 0, k;
	struct vipc_spread *s = bpf_map_lookup_elem(&vipc_spread, &row);

	if (!s)
		return 0;
	if (s->endpoint != r->endpoint) {
		__builtin_memset(s, 0, sizeof(*s));
		s->endpoint = r->endpoint;
	}
	if (nr > 1 && nr <= VIPC_INSTANCES) {
		i = s->next % nr;
		for (k = 0; k < VIPC_INSTANCES && k < nr && vipc_instance_dead(r, i); k++)
			i = (i + 1) % nr;
		s->next = i + 1;
	}
	i &= VIPC_INSTANCES - 1;
	s->sent[i]++;
	return i;
}

/* The caller's view of the endpoint in @c: its own socket, or NULL. */
static __always_inline const struct vipc_instance *vipc_view_find(const struct vipc_call *c)
{
	struct vipc_view_key key = { .slot = c->key.slot };
	struct vipc_view *v;

	if (!c->ep || !c->caller || !(c->ep->flags & VIPC_EP_VIEWS))
		return NULL;
	key.endpoint = c->ep->id;
	key.container = c->caller->id;
	v = bpf_map_lookup_elem(&vipc_views, &key);
	return v ? &v->sock : NULL;
}

/* Send the call to socket @in; a rewrite the kernel refuses fails it (EPERM). */
static __always_inline int vipc_broker_rewrite(struct bpf_sock_addr *ctx,
					       const struct vipc_call *c,
					       const struct vipc_instance *in)
{
	__u32 len = in->len;

	if (!len || len > VIPC_NAME_MAX ||
	    bpf_sock_addr_set_sun_path(bpf_cast_to_kern_ctx(ctx), (const __u8 *)in->path, len))
		return 0;
	if (c->stats)
		c->stats->brokered++;
	return 1;
}

/* Phase 4 of an allowed call: to the caller's view of the endpoint, else
 * (a broker name, route @r) to an instance of it, else where it was going.
 */
static __always_inline int vipc_broker_send(struct bpf_sock_addr *ctx, const struct vipc_call *c,
					    const struct vipc_route *r)
{
	const struct vipc_instance *view = vipc_view_find(c);

	if (view)
		return vipc_broker_rewrite(ctx, c, view);
	if (r)
		return vipc_broker_rewrite(ctx, c, &r->inst[vipc_broker_pick(r)]);
	return 1;
}

#endif /* __VIPC_BROKER_BPF_H */
