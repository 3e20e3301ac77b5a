/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Binds, on every backend: a registered name is bound by its owner and
 * the holders of `bind`; their binds teach vipc_homes where the owner's
 * names live.
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

/* Bind of the name in c->key at @place: a registered name is its owner's
 * and bind holders' in its owner's homes, which its owner's binds teach;
 * elsewhere it is that place's own name. @coarse as for vipc_finish_clock.
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
	if (c->ep && (reason == VIPC_R_OWNER || reason == VIPC_R_GRANTED))
		vipc_home_add(c->ep, c->key.kind, place);
	return 0;
}

#endif /* __VIPC_HOME_BPF_H */
