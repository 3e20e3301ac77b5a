// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The name broker's routes, as the socket backend looks them up. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "broker.h"
#include "grow.h"
#include "policy.h"
#include "table.h"

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

void vipc_instance_make(struct vipc_instance *in, __u8 kind, const char *addr, __u8 len)
{
	__u8 lead = kind == VIPC_KIND_UNIX_ABSTRACT;

	memset(in, 0, sizeof(*in));
	if (len + lead > VIPC_NAME_MAX)
		return;
	in->len = len + lead;
	memcpy(in->path + lead, addr, len);
}

void vipc_route_add(struct vipc_route *r, __u8 kind, const char *addr, __u8 len)
{
	union vipc_name name;

	if (r->nr >= VIPC_INSTANCES)
		return;
	vipc_instance_make(&r->inst[r->nr], kind, addr, len);
	vipc_endpoint_key_make(&r->bound[r->nr++], &name, 0, kind, addr, len);
}

/* The rows read so far, and each CPU's spread row of an endpoint. */
struct read_ctx {
	struct vipc_state *st;
	struct vipc_broker_row *rows;
	size_t n, cap;
	struct vipc_spread *cpu;
	int cpus;
};

/* Calls sent to instance @i of endpoint @id, summed over the CPUs whose
 * row is that endpoint's.
 */
static __u64 sent_to(const struct read_ctx *r, __u32 id, __u32 i)
{
	__u64 sum = 0;
	int c;

	for (c = 0; c < r->cpus; c++)
		if (r->cpu[c].endpoint == id)
			sum += r->cpu[c].sent[i];
	return sum;
}

static int add_route(const void *key, const void *val, void *ctx)
{
	const struct vipc_route *route = val;
	__u32 row = route->endpoint & (VIPC_SPREAD_ROWS - 1), i;
	const struct vipc_instance *in;
	struct read_ctx *r = ctx;
	struct vipc_broker_row *b;

	(void)key;
	if (bpf_map_lookup_elem(r->st->spread_fd, &row, r->cpu))
		memset(r->cpu, 0, r->cpus * sizeof(*r->cpu));
	for (i = 0; i < route->nr && i < VIPC_INSTANCES; i++) {
		b = vipc_grow(r->rows, r->n, &r->cap, sizeof(*b));
		if (!b)
			return -ENOMEM;
		r->rows = b;
		b = &r->rows[r->n++];
		snprintf(b->endpoint, sizeof(b->endpoint), "%.*s", VIPC_LABEL_MAX,
			 route->name.bytes + VIPC_BROKER_PREFIX_LEN);
		in = &route->inst[i];
		vipc_addr_format(in->path[0] ? VIPC_KIND_UNIX_PATH : VIPC_KIND_UNIX_ABSTRACT,
				 in->path + !in->path[0], in->len - !in->path[0], b->instance,
				 sizeof(b->instance));
		b->index = i;
		b->sent = sent_to(r, route->endpoint, i);
		b->bound = vipc_bound_read(r->st, &route->bound[i]);
	}
	return 0;
}

__s64 vipc_bound_read(struct vipc_state *st, const struct vipc_endpoint_key *key)
{
	struct vipc_endpoint_key name = *key;
	__s64 n;

	name.slot = 0;
	return bpf_map_lookup_elem(st->bound_fd, &name, &n) ? -1 : n;
}

const char *vipc_bound_text(__s64 bound, char *buf, size_t size)
{
	if (bound < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%lld", (long long)bound);
	return buf;
}

int vipc_broker_row_cmp(const void *a, const void *b)
{
	const struct vipc_broker_row *x = a, *y = b;
	int c = strcmp(x->endpoint, y->endpoint);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

int vipc_broker_read(struct vipc_state *st, struct vipc_broker_row **rows, size_t *n)
{
	struct read_ctx r = { .st = st, .cpus = libbpf_num_possible_cpus() };
	int err;

	*rows = NULL;
	*n = 0;
	if (r.cpus <= 0)
		return r.cpus ?: -EINVAL;
	r.cpu = calloc(r.cpus, sizeof(*r.cpu));
	if (!r.cpu)
		return -ENOMEM;
	err = vipc_map_visit(st->routes_fd, st->cfg.active_slot, add_route, &r);
	free(r.cpu);
	if (err < 0) {
		free(r.rows);
		return err;
	}
	if (r.n)
		qsort(r.rows, r.n, sizeof(*r.rows), vipc_broker_row_cmp);
	*rows = r.rows;
	*n = r.n;
	return 0;
}
