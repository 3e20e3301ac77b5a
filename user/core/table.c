// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Userspace copies of policy maps, moved in and out of the kernel with the
 * batch map calls (one syscall per few thousand entries instead of one or
 * two per entry), sorted so that two slots can be compared without a
 * lookup per entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "table.h"

#define DUMP_CHUNK 8192 /* entries asked of one batch lookup */

int vipc_table_init(struct vipc_table *t, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	memset(t, 0, sizeof(*t));
	t->fd = fd;
	if (bpf_map_get_info_by_fd(fd, &info, &len))
		return -errno;
	t->ksz = info.key_size;
	t->vsz = info.value_size;
	/* The slot follows the cgroup id in principal keys, leads elsewhere. */
	t->off = strcmp(info.name, "vipc_principals") ? 0 : 8;
	return 0;
}

void vipc_table_free(struct vipc_table *t)
{
	free(t->keys);
	free(t->vals);
	t->keys = t->vals = NULL;
	t->n = t->cap = 0;
}

/* Room for @more entries past n. */
static int reserve(struct vipc_table *t, size_t more)
{
	size_t cap = t->cap ?: 64;
	char *k, *v;

	if (t->n + more <= t->cap)
		return 0;
	while (cap < t->n + more)
		cap *= 2;
	k = realloc(t->keys, cap * t->ksz);
	if (k)
		t->keys = k;
	v = k ? realloc(t->vals, cap * t->vsz) : NULL;
	if (!v)
		return -ENOMEM;
	t->vals = v;
	t->cap = cap;
	return 0;
}

int vipc_table_push(struct vipc_table *t, const void *key, const void *val)
{
	if (reserve(t, 1))
		return -ENOMEM;
	memcpy(vipc_table_key(t, t->n), key, t->ksz);
	memcpy(vipc_table_val(t, t->n), val, t->vsz);
	t->n++;
	return 0;
}

static __u32 key_slot(const struct vipc_table *t, const char *key)
{
	__u32 slot;

	memcpy(&slot, key + t->off, sizeof(slot));
	return slot;
}

/* Keep the @count entries just read past n that are in @slot. */
static void keep_slot(struct vipc_table *t, __u32 count, int slot)
{
	size_t i, end = t->n + count;

	for (i = t->n; i < end; i++) {
		if (slot >= 0 && key_slot(t, vipc_table_key(t, i)) != (__u32)slot)
			continue;
		memmove(vipc_table_key(t, t->n), vipc_table_key(t, i), t->ksz);
		memmove(vipc_table_val(t, t->n), vipc_table_val(t, i), t->vsz);
		t->n++;
	}
}

int vipc_table_dump(struct vipc_table *t, int slot)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 in = 0, out = 0;
	void *batch = NULL;
	__u32 count;
	int err;

	/* Each call resumes where the last stopped; -ENOENT ends the map. */
	do {
		if (reserve(t, DUMP_CHUNK))
			return -ENOMEM;
		count = DUMP_CHUNK;
		err = bpf_map_lookup_batch(t->fd, batch, &out, vipc_table_key(t, t->n),
					   vipc_table_val(t, t->n), &count, &opts);
		if (err && err != -ENOENT)
			return err;
		keep_slot(t, count, slot);
		in = out;
		batch = &in;
	} while (!err);
	return 0;
}

int vipc_table_cmp(const struct vipc_table *t, const void *a, const void *b)
{
	__u32 rest = t->off + sizeof(__u32);
	int d = memcmp(a, b, t->off);

	return d ?: memcmp((const char *)a + rest, (const char *)b + rest, t->ksz - rest);
}

static int cmp_index(const void *a, const void *b, void *ctx)
{
	const struct vipc_table *t = ctx;

	return vipc_table_cmp(t, vipc_table_key(t, *(const size_t *)a),
			      vipc_table_key(t, *(const size_t *)b));
}

int vipc_table_sort(struct vipc_table *t)
{
	size_t *order = malloc((t->n ?: 1) * sizeof(*order));
	char *k = malloc((t->n ?: 1) * t->ksz), *v = malloc((t->n ?: 1) * t->vsz);
	size_t i;

	if (!order || !k || !v) {
		free(order);
		free(k);
		free(v);
		return -ENOMEM;
	}
	/* Sort an index, then lay the entries out in its order. */
	for (i = 0; i < t->n; i++)
		order[i] = i;
	qsort_r(order, t->n, sizeof(*order), cmp_index, t);
	for (i = 0; i < t->n; i++) {
		memcpy(k + i * t->ksz, vipc_table_key(t, order[i]), t->ksz);
		memcpy(v + i * t->vsz, vipc_table_val(t, order[i]), t->vsz);
	}
	free(order);
	free(t->keys);
	free(t->vals);
	t->keys = k;
	t->vals = v;
	t->cap = t->n ?: 1;
	return 0;
}

long vipc_table_find(const struct vipc_table *t, const void *key)
{
	size_t lo = 0, hi = t->n, mid;
	int d;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = vipc_table_cmp(t, vipc_table_key(t, mid), key);
		if (!d)
			return mid;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long vipc_table_dup(const struct vipc_table *t)
{
	size_t i;

	for (i = 1; i < t->n; i++)
		if (!vipc_table_cmp(t, vipc_table_key(t, i - 1), vipc_table_key(t, i)))
			return i;
	return -1;
}

long vipc_table_missing(const struct vipc_table *a, const struct vipc_table *b)
{
	size_t i = 0, j = 0;
	long n = 0;
	int d;

	/* Merge walk over two sorted tables. */
	while (i < a->n) {
		d = j < b->n ? vipc_table_cmp(a, vipc_table_key(a, i), vipc_table_key(b, j)) : -1;
		if (d < 0)
			n++;
		if (d <= 0)
			i++;
		if (d >= 0)
			j++;
	}
	return n;
}

int vipc_table_write(const struct vipc_table *t)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = t->n;
	int err;

	if (!t->n)
		return 0;
	err = bpf_map_update_batch(t->fd, t->keys, t->vals, &count, &opts);
	if (err)
		errno = -err;
	return err;
}

int vipc_table_delete(const struct vipc_table *t)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t done = 0;
	__u32 count;
	int err;

	/* A delete batch stops at a key already gone: skip it, go on. */
	while (done < t->n) {
		count = t->n - done;
		err = bpf_map_delete_batch(t->fd, vipc_table_key(t, done), &count, &opts);
		if (!err)
			return 0;
		if (err != -ENOENT)
			return err;
		done += count + 1;
	}
	return 0;
}

/* The entries are copied out first (batch lookups), so @fn may change the
 * map as it goes.
 */
int vipc_map_visit(int fd, int slot, vipc_visit_fn fn, void *ctx)
{
	struct vipc_table t;
	int err, ret = 0;
	size_t i;

	err = vipc_table_init(&t, fd) ?: vipc_table_dump(&t, slot);
	for (i = 0; !err && !ret && i < t.n; i++)
		ret = fn(vipc_table_key(&t, i), vipc_table_val(&t, i), ctx);
	vipc_table_free(&t);
	return err ?: ret;
}

long vipc_map_count(int fd, int slot)
{
	struct vipc_table t;
	long n;
	int err;

	err = vipc_table_init(&t, fd) ?: vipc_table_dump(&t, slot);
	n = t.n;
	vipc_table_free(&t);
	return err ?: n;
}
