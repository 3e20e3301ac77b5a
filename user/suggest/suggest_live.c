// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* suggest on a loaded vipc: the registry's live slot as the policy a
 * fragment is judged against, and the ring buffer's events as records.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "suggest.h"
#include "jsonout.h"
#include "registry.h"
#include "stream.h"
#include "log.h"

/* The registry read into a policy; ids of its containers and endpoints. */
struct base_ctx {
	struct vipc_policy *pol;
	__u32 *cids, *eids;
	size_t max_c, max_e, max_g; /* entries counted before the visit */
};

static const char *container_label(const struct base_ctx *b, __u32 id)
{
	size_t i;

	for (i = 0; i < b->pol->nr_containers; i++)
		if (b->cids[i] == id)
			return b->pol->containers[i].name;
	return NULL;
}

static const char *endpoint_label(const struct base_ctx *b, __u32 id)
{
	size_t i;

	for (i = 0; i < b->pol->nr_endpoints; i++)
		if (b->eids[i] == id)
			return b->pol->endpoints[i].name;
	return NULL;
}

/* A container once, however many cgroups it is bound to, with its exact
 * path or runtime name (what a cgroup no container held is matched with).
 */
static int add_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_container *ct = val;
	const struct vipc_principal *p = &ct->principal;
	struct base_ctx *b = ctx;
	struct vipc_policy_container *c = &b->pol->containers[b->pol->nr_containers];
	size_t n = ct->path_len < VIPC_CGROUP_PATH_MAX ? ct->path_len : VIPC_CGROUP_PATH_MAX - 1;

	(void)key;
	if (b->pol->nr_containers == b->max_c || container_label(b, p->id))
		return 0;
	memcpy(c->name, p->name, VIPC_LABEL_MAX - 1);
	c->mode = p->mode;
	c->unknown = p->unknown;
	if (ct->selector == VIPC_SEL_CGROUP)
		memcpy(c->cgroup, ct->path.bytes, n);
	if (ct->selector == VIPC_SEL_DOCKER || ct->selector == VIPC_SEL_PODMAN) {
		c->runtime = ct->selector;
		memcpy(c->match, ct->path.bytes, n);
		c->match_len = n;
	}
	b->cids[b->pol->nr_containers++] = p->id;
	return 0;
}

static int add_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint_key *k = key;
	const struct vipc_endpoint *ep = val;
	struct base_ctx *b = ctx;
	struct vipc_policy_endpoint *e = &b->pol->endpoints[b->pol->nr_endpoints];
	const char *owner = container_label(b, ep->owner);

	if (b->pol->nr_endpoints == b->max_e || !owner || (ep->flags & VIPC_EP_INSTANCE))
		return 0;
	memcpy(e->name, ep->label, VIPC_LABEL_MAX - 1);
	strcpy(e->owner, owner);
	e->kind = k->kind;
	e->len = k->len < VIPC_NAME_MAX ? k->len : VIPC_NAME_MAX;
	memcpy(e->addr, ep->name.bytes, e->len);
	b->eids[b->pol->nr_endpoints++] = ep->id;
	return 0;
}

static int add_grant(const void *key, const void *val, void *ctx)
{
	const struct vipc_grant_key *k = key;
	const struct vipc_grant *gv = val;
	struct base_ctx *b = ctx;
	struct vipc_policy_grant *g = &b->pol->grants[b->pol->nr_grants];
	const char *c = container_label(b, k->container), *e = endpoint_label(b, k->endpoint);

	if (b->pol->nr_grants == b->max_g || !c || !e)
		return 0;
	strcpy(g->container, c);
	strcpy(g->endpoint, e);
	g->perms = gv->perms;
	b->pol->nr_grants++;
	return 0;
}

/* Room for what the tables hold now (what is added meanwhile is left out). */
static int base_alloc(struct vipc_state *st, struct base_ctx *b)
{
	__u32 slot = st->cfg.active_slot;
	long nc = vipc_map_count(st->containers_fd, slot), ne, ng;

	ne = vipc_map_count(st->endpoints_fd, slot);
	ng = vipc_map_count(st->grants_fd, slot);
	if (nc < 0 || ne < 0 || ng < 0)
		return nc < 0 ? nc : ne < 0 ? ne : ng;
	b->max_c = nc;
	b->max_e = ne;
	b->max_g = ng;
	b->pol->containers = calloc(nc ?: 1, sizeof(*b->pol->containers));
	b->pol->endpoints = calloc(ne ?: 1, sizeof(*b->pol->endpoints));
	b->pol->grants = calloc(ng ?: 1, sizeof(*b->pol->grants));
	b->cids = calloc(nc ?: 1, sizeof(*b->cids));
	b->eids = calloc(ne ?: 1, sizeof(*b->eids));
	return b->pol->containers && b->pol->endpoints && b->pol->grants && b->cids && b->eids ?
		       0 : -ENOMEM;
}

/* One read of the slot @st names into a policy: 0 or -errno, *@out set. */
static int base_read(struct vipc_state *st, struct vipc_policy **out)
{
	struct base_ctx b = { .pol = calloc(1, sizeof(*b.pol)) };
	__u32 slot = st->cfg.active_slot;
	int err;

	/* Containers first: endpoints and grants name them by id. */
	err = b.pol ? base_alloc(st, &b) : -ENOMEM;
	err = err ?: vipc_map_visit(st->containers_fd, slot, add_container, &b);
	err = err ?: vipc_map_visit(st->endpoints_fd, slot, add_endpoint, &b);
	err = err ?: vipc_map_visit(st->grants_fd, slot, add_grant, &b);
	free(b.cids);
	free(b.eids);
	*out = b.pol;
	return err;
}

int vipc_suggest_base(struct vipc_state *st, struct vipc_policy **out)
{
	int err;

	/* The slot live now, read again when a reload moved it meanwhile. */
	*out = NULL;
	vipc_slot_moved(st);
	do {
		vipc_policy_free(*out);
		err = base_read(st, out);
	} while (!err && vipc_slot_moved(st));
	if (err) {
		vipc_policy_free(*out);
		*out = NULL;
	}
	return err;
}

/* An event, as `events --json` would print it, into the sums. */
static int on_event(void *ctx, const struct vipc_event *e, const struct vipc_event_names *n)
{
	json_object *rec = vipc_event_json(e, n);
	char why[128];
	int err;

	err = rec ? vipc_suggest_record(ctx, rec, why, sizeof(why)) : -ENOMEM;
	json_object_put(rec);
	if (err == -EINVAL)
		pr_warn("event skipped: %s\n", why);
	return err == -EINVAL || err > 0 ? 0 : err;
}

int vipc_suggest_live(struct vipc_suggest *s, struct vipc_state *st, const char *cgroot,
		      int timeout_s)
{
	struct vipc_stream_opts so = {
		.timeout_s = timeout_s, .cgroot = cgroot, .sink = on_event, .sink_ctx = s
	};

	return vipc_events_stream(st, &so);
}
