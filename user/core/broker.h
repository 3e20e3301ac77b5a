/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The name broker's routes: the abstract name "vipc/LABEL" of endpoint
 * LABEL, and the sockets (instances) a call to it is sent to.
 */
#ifndef __VIPC_BROKER_H
#define __VIPC_BROKER_H

#include "registry.h"
#include "text.h"

/* The route of endpoint @ep, whose row is @target: the key of its broker
 * name in @target's slot, and a value with no instance yet.
 */
void vipc_route_make(struct vipc_endpoint_key *key, struct vipc_route *r,
		     const struct vipc_endpoint *ep, const struct vipc_endpoint_key *target);
/* The socket @addr (@len bytes, enum vipc_kind @kind) as a sun_path. */
void vipc_instance_make(struct vipc_instance *in, __u8 kind, const char *addr, __u8 len);
/* Add the socket @addr (@len bytes, enum vipc_kind @kind) to @r's instances. */
void vipc_route_add(struct vipc_route *r, __u8 kind, const char *addr, __u8 len);
/* One instance of a live route and the calls the broker sent it. */
struct vipc_broker_row {
	char endpoint[VIPC_LABEL_MAX + 1];
	char instance[VIPC_TEXT_SIZE(VIPC_NAME_MAX)]; /* "/path" or "@name", as text */
	__u32 index;
	__u64 sent; /* summed over CPUs */
	/* Sockets bound at its name, as the LSM or fmodret backend counts them
	 * (vipc_bound); -1: unknown. At 0 the broker skips it.
	 */
	__s64 bound;
};

/* Every instance of the live slot's routes, by endpoint then index, into
 * *@rows (the caller's to free) and *@n: 0 or -errno.
 */
int vipc_broker_read(struct vipc_state *st, struct vipc_broker_row **rows, size_t *n);
/* The sockets bound at the UNIX name of @key (any slot's), as vipc_bound
 * counts them; -1: unknown.
 */
__s64 vipc_bound_read(struct vipc_state *st, const struct vipc_endpoint_key *key);
/* A row's bound count as text: the number, "-" when unknown. */
const char *vipc_bound_text(__s64 bound, char *buf, size_t size);
/* Two rows' order: by endpoint, then index. */
int vipc_broker_row_cmp(const void *a, const void *b);
/* The broker name of @label: "vipc/LABEL". */
void vipc_broker_name(char out[VIPC_NAME_MAX], const char *label);

#endif /* __VIPC_BROKER_H */
