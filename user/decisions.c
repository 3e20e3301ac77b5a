// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The per-container decision counters: the per-CPU rows of vipc_decisions
 * summed, in key order; pruned of what the live slot no longer holds;
 * printed as text or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "decisions.h"
#include "jsonout.h"
#include "registry.h"

const char *vipc_outcome_str(unsigned int verdict)
{
	static const char *const names[VIPC_V__COUNT] = {
		[VIPC_V_ALLOW] = "allow", [VIPC_V_DENY] = "deny", [VIPC_V_AUDIT] = "audit",
	};

	return verdict < VIPC_V__COUNT ? names[verdict] : "?";
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct vipc_decision_key));
}

#define BATCH 256 /* rows per lookup_batch call */

/* Rows read so far, grown as needed. */
struct rows {
	struct vipc_decision *v;
	size_t n, cap;
};

/* @count rows of @keys and their per-CPU values @per (@cpus each), summed. */
static int rows_add(struct rows *r, const struct vipc_decision_key *keys, const __u64 *per,
		    __u32 count, int cpus)
{
	struct vipc_decision *v;
	__u32 i;
	int c;

	if (r->n + count > r->cap) {
		v = realloc(r->v, (r->cap * 2 + BATCH) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		r->v = v;
		r->cap = r->cap * 2 + BATCH;
	}
	for (i = 0; i < count; i++, r->n++) {
		r->v[r->n].key = keys[i];
		r->v[r->n].count = 0;
		for (c = 0; c < cpus; c++)
			r->v[r->n].count += per[(size_t)i * cpus + c];
	}
	return 0;
}

/* Every row, by batches (each resumes where the last stopped; -ENOENT ends
 * the map), sorted by key.
 */
static int rows_read(int fd, struct rows *r)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int cpus = libbpf_num_possible_cpus(), err;
	struct vipc_decision_key keys[BATCH];
	__u64 in = 0, out = 0, *per;
	void *batch = NULL;
	__u32 count;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	per = calloc((size_t)BATCH * cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	do {
		count = BATCH;
		err = bpf_map_lookup_batch(fd, batch, &out, keys, per, &count, &opts);
		if (err && err != -ENOENT)
			break;
		err = rows_add(r, keys, per, count, cpus) ?: err;
		in = out;
		batch = &in;
	} while (!err);
	free(per);
	if (err != -ENOENT)
		return err;
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), key_cmp);
	return 0;
}

int vipc_decisions_read(struct vipc_state *st, vipc_decision_fn fn, void *ctx)
{
	struct rows r = {};
	size_t i;
	int ret;

	ret = rows_read(st->decisions_fd, &r);
	for (i = 0; !ret && i < r.n; i++)
		ret = fn(&r.v[i], ctx);
	free(r.v);
	return ret;
}

/* Ids and labels of the live slot's containers or endpoints, by id. */
struct name {
	__u32 id;
	char label[VIPC_LABEL_MAX];
};

struct names {
	struct name *v;
	size_t n, cap;
};

static int names_add(struct names *t, __u32 id, const char *label)
{
	void *v;

	if (t->n == t->cap) {
		v = realloc(t->v, (t->cap * 2 + 16) * sizeof(*t->v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = t->cap * 2 + 16;
	}
	t->v[t->n].id = id;
	memcpy(t->v[t->n].label, label, VIPC_LABEL_MAX);
	t->n++;
	return 0;
}

static int add_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal *p = val;

	(void)key;
	return names_add(ctx, p->id, p->name);
}

static int add_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint *ep = val;

	(void)key;
	return names_add(ctx, ep->id, ep->label);
}

static int id_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

/* The label of @id, or NULL when the live slot does not hold it. */
static const char *names_find(const struct names *t, __u32 id)
{
	const struct name *hit = t->n ? bsearch(&id, t->v, t->n, sizeof(*t->v), id_cmp) : NULL;

	return hit ? hit->label : NULL;
}

/* The live slot's containers and endpoints, sorted by id. */
static int live_names(struct vipc_state *st, struct names *c, struct names *e)
{
	__u32 slot = st->cfg.active_slot;
	int err;

	err = vipc_map_visit(st->principals_fd, slot, add_container, c);
	err = err ?: vipc_map_visit(st->endpoints_fd, slot, add_endpoint, e);
	if (err)
		return err < 0 ? err : -ENOMEM;
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), id_cmp);
	if (e->n)
		qsort(e->v, e->n, sizeof(*e->v), id_cmp);
	return 0;
}

struct prune_ctx {
	struct vipc_state *st;
	struct names containers, endpoints;
};

static int prune_one(const struct vipc_decision *d, void *ctx)
{
	struct prune_ctx *p = ctx;

	if ((d->key.container && !names_find(&p->containers, d->key.container)) ||
	    (d->key.endpoint && !names_find(&p->endpoints, d->key.endpoint)))
		if (bpf_map_delete_elem(p->st->decisions_fd, &d->key) && errno != ENOENT)
			return -errno;
	return 0;
}

int vipc_decisions_prune(struct vipc_state *st)
{
	struct prune_ctx p = { .st = st };
	int err;

	err = live_names(st, &p.containers, &p.endpoints) ?:
	      vipc_decisions_read(st, prune_one, &p);
	free(p.containers.v);
	free(p.endpoints.v);
	return err;
}

struct print_ctx {
	struct names containers, endpoints;
	json_object *list; /* --json: the rows */
};

/* A row's container or endpoint as text: its label, "-" for 0 (unconfined
 * or unregistered), "#id" once removed.
 */
static void row_name(const struct names *t, __u32 id, char *buf, size_t size)
{
	const char *label = id ? names_find(t, id) : "-";

	if (label)
		vipc_label_format(label, buf, size);
	else
		snprintf(buf, size, "#%u", id);
}

static int print_row(const struct vipc_decision *d, void *ctx)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], ep[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	struct print_ctx *p = ctx;
	json_object *row;
	int err;

	row_name(&p->containers, d->key.container, who, sizeof(who));
	row_name(&p->endpoints, d->key.endpoint, ep, sizeof(ep));
	if (!p->list) {
		printf("%-20s %-20s %-20s %-7s %-14s %llu\n", who, ep, vipc_hook_name(d->key.hook),
		       vipc_outcome_str(d->key.verdict), vipc_reason_str(d->key.reason),
		       (unsigned long long)d->count);
		return 0;
	}
	row = json_object_new_object();
	err = vipc_json_add_str(row, "container", who);
	err = err ?: vipc_json_add_u64(row, "container_id", d->key.container);
	err = err ?: vipc_json_add_str(row, "endpoint", ep);
	err = err ?: vipc_json_add_u64(row, "endpoint_id", d->key.endpoint);
	err = err ?: vipc_json_add_str(row, "hook", vipc_hook_name(d->key.hook));
	err = err ?: vipc_json_add_str(row, "verdict", vipc_outcome_str(d->key.verdict));
	err = err ?: vipc_json_add_str(row, "reason", vipc_reason_str(d->key.reason));
	err = err ?: vipc_json_add_u64(row, "count", d->count);
	row = vipc_json_done(row, err);
	if (row && !json_object_array_add(p->list, row))
		return 0;
	json_object_put(row);
	return -ENOMEM;
}

int vipc_decisions_print(struct vipc_state *st, bool json)
{
	struct print_ctx p = {};
	json_object *doc = NULL;
	int err;

	/* Phase 1: names of the live slot, the document's list. */
	err = live_names(st, &p.containers, &p.endpoints);
	if (!err && json) {
		doc = json_object_new_object();
		p.list = json_object_new_array();
		err = vipc_json_add(doc, "decisions", p.list);
	}
	if (!err && !json)
		printf("%-20s %-20s %-20s %-7s %-14s %s\n", "container", "endpoint", "hook",
		       "verdict", "reason", "count");

	/* Phase 2: the rows, in key order. */
	err = err ?: vipc_decisions_read(st, print_row, &p);
	if (json && !err)
		err = vipc_json_print(doc);
	else
		json_object_put(doc);
	free(p.containers.v);
	free(p.endpoints.v);
	fflush(stdout);
	return err;
}
