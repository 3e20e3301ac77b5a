/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Binds, on every backend: a registered name is bound by its owner and
 * the holders of `bind`; their binds teach vipc_homes where the owner's
 * names live, and (LSM and fmodret backends) count the sockets bound at a
 * UNIX name until they are freed (vipc_bound).
 */
#ifndef __VIPC_HOME_BPF_H
#define __VIPC_HOME_BPF_H

/* Learn that the owner of @ep binds its names of @kind at @place; a new
 * home bumps the change count, so that no remembered verdict outlives it.
 * Fails closed: with no room in the table, nothing is learned; with no
 * room in the entry, the kind is full.
 */
static __always_inline void vipc_home_add(const struct vipc_endpoint *ep, __u32 kind, __u64 place)
{
	static const struct vipc_home none; /* nothing learned: every place a home */
	struct vipc_registry_stats *reg = vipc_reg();
	__u32 owner = ep->owner, k = vipc_home_sort(kind), i;
	struct vipc_home *h;

	if (!place)
		return;
	h = bpf_map_lookup_elem(&vipc_homes, &owner);
	if (!h) {
		bpf_map_update_elem(&vipc_homes, &owner, &none, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&vipc_homes, &owner);
	}
	if (!h)
		return;
	for (i = 0; i < VIPC_HOMES; i++) {
		if (h->at[k][i] == place)
			return;
		if (!h->at[k][i] && !__sync_val_compare_and_swap(&h->at[k][i], 0, place))
			goto added;
		if (h->at[k][i] == place)
			return;
	}
	__sync_fetch_and_or(&h->full, 1ULL << k);
added:
	if (reg)
		__sync_fetch_and_add(&reg->policy_changes, 1);
}

/* The bind of socket @sk at the registered UNIX name of @key was let
 * through as its server's (@admitted 1, vipc_bind_decide's): count it under
 * the name until it is freed, once (a socket binds once; a second bind
 * fails). A function of its own, called after the decision: its stack is
 * not on a bind's deepest chain, which 6.1 holds to 512 bytes. With no room
 * to count, the name's state is unknown, not dead. 0 or the decision's error.
 */
static __noinline int vipc_bound_add(int admitted, __u64 sk, const struct vipc_endpoint_key *key)
{
	struct vipc_endpoint_key name = *key;
	static const __s64 none;
	__s64 *n;
	long err;

	if (admitted <= 0 || !sk)
		return admitted < 0 ? admitted : 0;
	/* Phase 1: the socket, once. */
	name.slot = 0;
	err = bpf_map_update_elem(&vipc_bound_socks, &sk, &name, BPF_NOEXIST);
	if (err == -EEXIST)
		return 0;
	/* Phase 2: its name's count, made at 0 when new. */
	if (!err)
		bpf_map_update_elem(&vipc_bound, &name, &none, BPF_NOEXIST);
	n = err ? NULL : bpf_map_lookup_elem(&vipc_bound, &name);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	/* No room in either: the socket uncounted, its name's state unknown. */
	bpf_map_delete_elem(&vipc_bound, &name);
	bpf_map_delete_elem(&vipc_bound_socks, &sk);
	return 0;
}

/* Socket @sk is freed: no longer bound at the name it was counted under. */
static __always_inline void vipc_bound_drop(__u64 sk)
{
	struct vipc_endpoint_key *name = bpf_map_lookup_elem(&vipc_bound_socks, &sk);
	__s64 *n;

	if (!name)
		return;
	n = bpf_map_lookup_elem(&vipc_bound, name);
	if (n)
		__sync_fetch_and_add(n, -1);
	bpf_map_delete_elem(&vipc_bound_socks, &sk);
}

/* Bind of the name in c->key at @place: a registered name is its owner's
 * and bind holders' in its owner's homes, which its owner's binds teach;
 * elsewhere it is that place's own name. @coarse as for vipc_finish_clock.
 * -EPERM, 0, or 1: let through as the registered name's owner's or bind
 * holder's (vipc_bound_add counts a UNIX socket then).
 */
static __always_inline int vipc_bind_decide(struct vipc_call *c, __u64 place, int coarse)
{
	enum vipc_reason reason;

	vipc_lookup(c);
	if (c->ep && !(c->caller && c->caller->id == c->ep->owner))
		vipc_away(c, place);
	reason = vipc_decide_bind(c->caller, c->ep, c->grant);
	if (!vipc_finish_clock(c, reason, coarse))
		return -EPERM;
	if (!c->ep || (reason != VIPC_R_OWNER && reason != VIPC_R_GRANTED))
		return 0;
	vipc_home_add(c->ep, c->key.kind, place);
	return 1;
}

#endif /* __VIPC_HOME_BPF_H */
