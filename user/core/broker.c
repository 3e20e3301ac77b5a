// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The name broker's routes, as the socket backend looks them up. */
#include <stdio.h>
#include <string.h>
#include "broker.h"
#include "policy.h"

void vipc_broker_name(char out[VIPC_NAME_MAX], const char *label)
{
	snprintf(out, VIPC_NAME_MAX, "%s%.*s", VIPC_BROKER_PREFIX, VIPC_LABEL_MAX - 1, label);
}

void vipc_route_make(struct vipc_endpoint_key *key, struct vipc_route *r,
		     const struct vipc_endpoint *ep, const struct vipc_endpoint_key *target)
{
	char name[VIPC_NAME_MAX];

	memset(r, 0, sizeof(*r));
	vipc_broker_name(name, ep->label);
	vipc_endpoint_key_make(key, &r->name, target->slot, VIPC_KIND_UNIX_ABSTRACT, name,
			       strlen(name));
	r->endpoint = ep->id;
	r->owner = ep->owner;
	r->target = *target;
}

void vipc_route_add(struct vipc_route *r, __u8 kind, const char *addr, __u8 len)
{
	struct vipc_instance *in;
	__u8 lead = kind == VIPC_KIND_UNIX_ABSTRACT;

	if (r->nr >= VIPC_INSTANCES || len + lead > VIPC_NAME_MAX)
		return;
	in = &r->inst[r->nr++];
	in->len = len + lead;
	in->path[0] = 0;
	memcpy(in->path + lead, addr, len);
}
