/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The one decision vipc makes, shared by every BPF hook and by the loader's
 * `check`. The caller does the table lookups, in this order, and passes what
 * it found (NULL for a miss): the caller's principal, then the endpoint, then
 * (only when the caller does not own the endpoint) the grant. The names it
 * is looked up by: vipc_name.h; cgroup globs: vipc_glob.h.
 */
#ifndef __VIPC_DECIDE_H
#define __VIPC_DECIDE_H

#include "vipc.h"
#include "vipc_name.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Does the caller need a grant lookup at all? */
static __always_inline int vipc_needs_grant(const struct vipc_principal *caller,
					     const struct vipc_endpoint *ep)
{
	return caller && ep && ep->owner != caller->id;
}

/* Is @caller's cgroup held (its container still being looked up)? */
static __always_inline int vipc_held(const struct vipc_principal *caller)
{
	return caller && caller->id == VIPC_HELD_ID;
}

/* What a caller no container holds gets on @ep for @perm: connect, send
 * and receive on an endpoint open to others; never bind or fds (which need
 * a grant).
 */
static __always_inline enum vipc_reason vipc_decide_other(const struct vipc_endpoint *ep,
							   __u32 perm)
{
	__u32 open = VIPC_PERM_CONNECT | VIPC_PERM_SEND | VIPC_PERM_RECEIVE;

	return ep->others == VIPC_OTHERS_ALLOW && !(perm & ~open) ? VIPC_R_PUBLIC :
								    VIPC_R_NO_GRANT;
}

/* Reason for allowing or denying @perm to @caller on @ep under @grant. A
 * registered endpoint is its owner's and its grant holders'; a caller no
 * container holds gets what the endpoint gives others; a held caller is
 * denied every call, whatever the endpoint.
 */
static __always_inline enum vipc_reason vipc_decide(const struct vipc_principal *caller,
						     const struct vipc_endpoint *ep,
						     const struct vipc_grant *grant, __u32 perm)
{
	if (!caller)
		return ep ? vipc_decide_other(ep, perm) : VIPC_R_UNCONFINED;
	if (vipc_held(caller))
		return VIPC_R_HELD;
	if (!ep)
		return caller->unknown == VIPC_UNKNOWN_DENY ? VIPC_R_UNKNOWN_DENY :
							      VIPC_R_UNKNOWN_ALLOW;
	if (ep->owner == caller->id)
		return VIPC_R_OWNER;
	if (!grant)
		return VIPC_R_NO_GRANT;
	if ((grant->perms & perm) != perm)
		return VIPC_R_NO_PERM;
	if (grant->generation != ep->generation)
		return VIPC_R_REVOKED;
	return VIPC_R_GRANTED;
}

/* The place of a directory, inode @ino on device @dev: a mix of the two.
 * Two directories that mix alike are one place, which fails closed.
 */
static __always_inline __u64 vipc_dir_place(__u64 ino, __u64 dev)
{
	return vipc_mix(vipc_mix(0, ino), dev);
}

/* The sort of place a name of @kind lives in, its row of vipc_home: 0 a
 * directory (pathnames), 1 a network namespace of abstract names, 2 one of
 * ports (learnt apart: the socket backend sees port binds, not abstract
 * ones), 3 an mqueue mount (queues).
 */
static __always_inline __u32 vipc_home_sort(__u32 kind)
{
	return kind == VIPC_KIND_UNIX_PATH	 ? 0 :
	       kind == VIPC_KIND_UNIX_ABSTRACT ? 1 :
	       kind == VIPC_KIND_MQUEUE	 ? 3 :
						   2;
}

/* Is @place (a pathname's directory, an abstract name's network namespace:
 * @kind says which) a home of the owner whose homes are @h, so that the
 * name there is its endpoint? Yes when nothing of the kind was learned (@h
 * NULL, or no place yet), when more places were met than fit, and for a
 * place unknown (0): vipc fails closed, taking the name for the endpoint.
 */
static __always_inline int vipc_home_is(const struct vipc_home *h, __u32 kind, __u64 place)
{
	__u32 k = vipc_home_sort(kind), i;

	if (!h || !place || h->full & (1ULL << k) || !h->at[k][0])
		return 1;
	for (i = 0; i < VIPC_HOMES; i++)
		if (h->at[k][i] == place)
			return 1;
	return 0;
}

/* LSM backend, connect and send: the peer socket is known. A registered
 * name bound by anyone but its owner (@bound_owner: the container of the
 * cgroup that bound it, 0 for none) is an impostor, whoever calls.
 */
static __always_inline enum vipc_reason vipc_decide_peer(const struct vipc_principal *caller,
							  const struct vipc_endpoint *ep,
							  const struct vipc_grant *grant, __u32 perm,
							  __u32 bound_owner)
{
	if (ep && bound_owner != ep->owner)
		return VIPC_R_IMPOSTOR;
	return vipc_decide(caller, ep, grant, perm);
}

/* LSM backend, bind: a registered name is bound by its owner or a holder
 * of `bind`, by nobody else, confined or not; other names are free (but
 * not to a held caller).
 */
static __always_inline enum vipc_reason vipc_decide_bind(const struct vipc_principal *caller,
							  const struct vipc_endpoint *ep,
							  const struct vipc_grant *grant)
{
	if (vipc_held(caller))
		return VIPC_R_HELD;
	if (!ep)
		return caller ? VIPC_R_UNKNOWN_ALLOW : VIPC_R_UNCONFINED;
	return vipc_decide(caller, ep, grant, VIPC_PERM_BIND);
}

static __always_inline int vipc_reason_denies(enum vipc_reason reason);

/* LSM backend, channels: does an allowed connect to @ep take a place in a
 * bounded channel (the owner's own connects do not)?
 */
static __always_inline int vipc_takes_place(enum vipc_reason reason,
					     const struct vipc_endpoint *ep)
{
	return !vipc_reason_denies(reason) && reason != VIPC_R_OWNER && ep && ep->capacity;
}

/* The reason once the channel already holds @live connections. */
static __always_inline enum vipc_reason vipc_decide_capacity(enum vipc_reason reason,
							      const struct vipc_endpoint *ep,
							      __u64 live)
{
	return vipc_takes_place(reason, ep) && live >= ep->capacity ? VIPC_R_FULL : reason;
}

static __always_inline int vipc_reason_denies(enum vipc_reason reason)
{
	return reason >= VIPC_R_FIRST_DENY;
}

/* Is the call let through? Audit mode lets a container's would-deny calls
 * pass, and an endpoint's `others: audit` the calls of callers no container
 * holds that its `others: deny` would refuse (not a bind); other denies of
 * such callers (impostor, bind) stand, and a hold is never audit.
 */
static __always_inline int vipc_verdict_allows(const struct vipc_principal *caller,
						const struct vipc_endpoint *ep,
						enum vipc_reason reason, __u32 perm)
{
	if (!vipc_reason_denies(reason))
		return 1;
	if (caller)
		return caller->mode == VIPC_MODE_AUDIT && reason != VIPC_R_HELD;
	return reason == VIPC_R_NO_GRANT && ep && ep->others == VIPC_OTHERS_AUDIT &&
	       !(perm & VIPC_PERM_BIND);
}

#endif /* __VIPC_DECIDE_H */
