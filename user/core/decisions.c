// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The per-container decision counters: the per-CPU rows of vipc_decisions
 * summed, in key order, named by the live slot; pruned of what the live
 * slot no longer holds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "decisions.h"
#include "grow.h"
#include "policy.h"
#include "table.h"
#include "text.h"

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

static int rows_push(struct rows *r, const struct vipc_decision_key *key, __u64 count)
{
	struct vipc_decision *v = vipc_grow(r->v, r->n, &r->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->v = v;
	r->v[r->n].key = *key;
	r->v[r->n++].count = count;
	return 0;
}

/* @count rows of @keys and their per-CPU values @per (@cpus each), summed. */
static int rows_add(struct rows *r, const struct vipc_decision_key *keys, const __u64 *per,
		    __u32 count, int cpus)
{
	__u64 sum;
	__u32 i;
	int c, err = 0;

	for (i = 0; i < count && !err; i++) {
		for (c = 0, sum = 0; c < cpus; c++)
			sum += per[(size_t)i * cpus + c];
		err = rows_push(r, &keys[i], sum);
	}
	return err;
}

/* The rows of vipc_decisions, by batches (each resumes where the last
 * stopped; -ENOENT ends the map).
 */
static int rows_read_cold(int fd, struct rows *r, int cpus)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct vipc_decision_key keys[BATCH];
	__u64 in = 0, out = 0, *per;
	void *batch = NULL;
	__u32 count;
	int err;

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
	return err == -ENOENT ? 0 : err;
}

/* Every CPU's taken rows of vipc_decisions_hot, each a row of its own. */
static int rows_read_hot(int fd, struct rows *r, int cpus)
{
	struct vipc_hot_table *per = calloc(cpus, sizeof(*per));
	static const struct vipc_decision_key none;
	const struct vipc_hot_row *row;
	int c, i, w, err = 0;
	__u32 zero = 0;

	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, per))
		err = -errno;
	for (c = 0; c < cpus && !err; c++)
		for (i = 0; i < VIPC_HOT_BUCKETS && !err; i++)
			for (w = 0, row = per[c].bucket[i].row; w < VIPC_HOT_WAYS && !err; w++, row++)
				if (memcmp(&row->key, &none, sizeof(none)))
					err = rows_push(r, &row->key, row->count);
	free(per);
	return err;
}

/* The CPUs a per-CPU map has values for, or -errno. */
static int possible_cpus(void)
{
	int cpus = libbpf_num_possible_cpus();

	return cpus ?: -EINVAL;
}

/* Both maps' rows, sorted by key, a key's rows summed into one. */
static int rows_read(struct vipc_state *st, struct rows *r)
{
	int cpus = possible_cpus(), err;
	size_t i, n = 0;

	if (cpus < 0)
		return cpus;
	err = rows_read_cold(st->decisions_fd, r, cpus) ?: rows_read_hot(st->hot_fd, r, cpus);
	if (err || !r->n)
		return err;
	qsort(r->v, r->n, sizeof(*r->v), key_cmp);
	for (i = 0; i < r->n; i++) {
		if (n && !key_cmp(&r->v[i].key, &r->v[n - 1].key))
			r->v[n - 1].count += r->v[i].count;
		else
			r->v[n++] = r->v[i];
	}
	r->n = n;
	return 0;
}

/* Ids and labels of the live slot's containers or endpoints, by id. */
struct name {
	__u32 id;
	char label[VIPC_LABEL_MAX + 1]; /* NUL-terminated even when the map's is not */
};

struct names {
	struct name *v;
	size_t n, cap;
};

static int names_add(struct names *t, __u32 id, const char *label)
{
	struct name *v = vipc_grow(t->v, t->n, &t->cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->v = v;
	t->v[t->n].id = id;
	memcpy(t->v[t->n].label, label, VIPC_LABEL_MAX);
	t->v[t->n].label[VIPC_LABEL_MAX] = '\0';
	t->n++;
	return 0;
}

static int add_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal *p = &((const struct vipc_container *)val)->principal;

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

/* The live slot's containers (bound or not) and endpoints, sorted by id:
 * read again when a reload moved the slot before or while they were read.
 */
static int live_names(struct vipc_state *st, struct names *c, struct names *e)
{
	int err;

	vipc_slot_moved(st);
	do {
		c->n = e->n = 0;
		err = vipc_map_visit(st->containers_fd, st->cfg.active_slot, add_container, c);
		err = err ?: vipc_map_visit(st->endpoints_fd, st->cfg.active_slot, add_endpoint, e);
	} while (!err && vipc_slot_moved(st));
	if (err)
		return err < 0 ? err : -ENOMEM;
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), id_cmp);
	if (e->n)
		qsort(e->v, e->n, sizeof(*e->v), id_cmp);
	return 0;
}

/* The label of @id: "" for 0, NULL when the live slot does not hold it. */
static const char *label_of(const struct names *t, __u32 id)
{
	return id ? names_find(t, id) : "";
}

int vipc_decisions_read(struct vipc_state *st, vipc_decision_fn fn, void *ctx)
{
	struct names c = {}, e = {};
	struct rows r = {};
	const struct vipc_decision *d;
	size_t i;
	int ret;

	ret = live_names(st, &c, &e) ?: rows_read(st, &r);
	for (i = 0, d = r.v; !ret && i < r.n; i++, d++)
		ret = fn(d, label_of(&c, d->key.container), label_of(&e, d->key.endpoint), ctx);
	free(r.v);
	free(c.v);
	free(e.v);
	return ret;
}

long vipc_decisions_count(struct vipc_state *st)
{
	int cpus = possible_cpus(), err;
	struct rows r = {};

	if (cpus < 0)
		return cpus;
	err = rows_read_cold(st->decisions_fd, &r, cpus);
	free(r.v);
	return err ?: (long)r.n;
}

struct prune_ctx {
	struct vipc_state *st;
	struct names containers, endpoints;
};

/* The kernel forgets the hot rows (on every CPU) of a container or endpoint. */
static int forget(struct vipc_state *st, __u32 container, __u32 endpoint)
{
	struct vipc_remove_args args = { .container = container, .endpoint = endpoint,
					  .flags = VIPC_REMOVE_COUNTERS };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));

	return bpf_prog_test_run_opts(st->remove_prog_fd, &opts) ? -errno : 0;
}

/* Is the row's container or endpoint gone from the live slot? */
static bool row_dead(const struct prune_ctx *p, const struct vipc_decision_key *key)
{
	return (key->container && !names_find(&p->containers, key->container)) ||
	       (key->endpoint && !names_find(&p->endpoints, key->endpoint));
}

/* Delete the cold rows of what the live slot lost; then the kernel clears
 * their hot rows (on every CPU's copy, which only it can write safely).
 */
static int prune_rows(struct prune_ctx *p, int cpus)
{
	struct rows r = {};
	size_t i;
	int err;

	err = rows_read_cold(p->st->decisions_fd, &r, cpus);
	for (i = 0; !err && i < r.n; i++)
		if (row_dead(p, &r.v[i].key) && bpf_map_delete_elem(p->st->decisions_fd, &r.v[i].key))
			err = errno == ENOENT ? 0 : -errno;
	r.n = 0;
	err = err ?: rows_read_hot(p->st->hot_fd, &r, cpus);
	for (i = 0; !err && i < r.n; i++)
		if (row_dead(p, &r.v[i].key))
			err = forget(p->st, names_find(&p->containers, r.v[i].key.container) ?
						    0 : r.v[i].key.container, r.v[i].key.endpoint);
	free(r.v);
	return err;
}

int vipc_decisions_prune(struct vipc_state *st)
{
	int cpus = possible_cpus(), err;
	struct prune_ctx p = { .st = st };

	if (cpus < 0)
		return cpus;
	err = live_names(st, &p.containers, &p.endpoints) ?: prune_rows(&p, cpus);
	free(p.containers.v);
	free(p.endpoints.v);
	return err;
}

/* A row's container or endpoint as text: its @label, "-" for id 0
 * (unconfined or unregistered), "#id" once removed.
 */
static void row_name(const char *label, __u32 id, char *buf, size_t size)
{
	if (label)
		vipc_label_format(*label ? label : "-", buf, size);
	else
		snprintf(buf, size, "#%u", id);
}

struct named_ctx {
	vipc_decision_named_fn fn;
	void *ctx;
};

static int name_row(const struct vipc_decision *d, const char *container, const char *endpoint,
		    void *ctx)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], ep[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	struct named_ctx *n = ctx;

	row_name(container, d->key.container, who, sizeof(who));
	row_name(endpoint, d->key.endpoint, ep, sizeof(ep));
	return n->fn(d, who, ep, n->ctx);
}

int vipc_decisions_read_named(struct vipc_state *st, vipc_decision_named_fn fn, void *ctx)
{
	struct named_ctx n = { .fn = fn, .ctx = ctx };

	return vipc_decisions_read(st, name_row, &n);
}
