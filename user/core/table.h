/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A userspace copy of a policy map's entries, keys and values in two arrays
 * as the batch map calls take them: dumped from a map (one slot or all),
 * or built to be written to one. Keys compare with their slot field left
 * out, so the same entry in two slots compares equal.
 */
#ifndef __VIPC_TABLE_H
#define __VIPC_TABLE_H

#include <linux/types.h>
#include <stddef.h>

struct vipc_table {
	int fd;	      /* the map */
	__u32 ksz;    /* key size */
	__u32 vsz;    /* value size */
	__u32 off;    /* offset of the slot field in the key */
	size_t n;     /* entries */
	size_t cap;   /* entries allocated */
	char *keys;
	char *vals;
};

#define vipc_table_key(t, i) ((t)->keys + (size_t)(i) * (t)->ksz)
#define vipc_table_val(t, i) ((t)->vals + (size_t)(i) * (t)->vsz)

/* An empty table shaped like map @fd: 0 or -errno. */
int vipc_table_init(struct vipc_table *t, int fd);
void vipc_table_free(struct vipc_table *t);
/* Append one entry: 0 or -ENOMEM. */
int vipc_table_push(struct vipc_table *t, const void *key, const void *val);
/* Append every entry of the map in @slot (slot < 0: all) with batch lookups. */
int vipc_table_dump(struct vipc_table *t, int slot);
/* Compare two keys, slot aside. */
int vipc_table_cmp(const struct vipc_table *t, const void *a, const void *b);
/* Sort by key, slot aside: 0 or -ENOMEM. */
int vipc_table_sort(struct vipc_table *t);
/* Index of @key (slot aside) in a sorted table, or -1. */
long vipc_table_find(const struct vipc_table *t, const void *key);
/* Index of the first entry of a sorted table whose key (slot aside) equals
 * the one before it, or -1.
 */
long vipc_table_dup(const struct vipc_table *t);
/* Entries of sorted @a with no equal key in sorted @b. */
long vipc_table_missing(const struct vipc_table *a, const struct vipc_table *b);
/* Write every entry with one batch update; -errno and errno set on failure. */
int vipc_table_write(const struct vipc_table *t);
/* Delete every entry with batch deletes; entries already gone are skipped. */
int vipc_table_delete(const struct vipc_table *t);

/* Visit every entry of @fd in @slot (slot < 0: every slot). @fn returns
 * non-zero to stop; that value is returned.
 */
typedef int (*vipc_visit_fn)(const void *key, const void *val, void *ctx);
int vipc_map_visit(int fd, int slot, vipc_visit_fn fn, void *ctx);
/* Entries of @fd in @slot. */
long vipc_map_count(int fd, int slot);

#endif /* __VIPC_TABLE_H */
