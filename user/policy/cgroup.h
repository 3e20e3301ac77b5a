/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The cgroup2 mount: found by statfs magic and /proc/self/mountinfo, or
 * given (--cgroup-root), never assumed.
 */
#ifndef __VIPC_CGROUP_H
#define __VIPC_CGROUP_H

#include <limits.h>
#include <stdio.h>
#include <linux/types.h>

#define VIPC_CGROUP_UNIFIED "/sys/fs/cgroup"	    /* pure cgroup2 (unified) hosts */
#define VIPC_CGROUP_HYBRID "/sys/fs/cgroup/unified" /* cgroup2 beside v1 hierarchies */

struct vipc_cgroot {
	char path[PATH_MAX];
	const char *layout; /* "unified", "hybrid" or "custom": where path is */
	__u64 id;	    /* the root directory's inode: its cgroup id */
};

/* One line of /proc/self/mountinfo, split in place, octal escapes undone. */
struct vipc_mount {
	const char *root;   /* the directory of the file system mounted ("/": all of it) */
	const char *point;  /* where it is mounted */
	const char *fstype; /* "cgroup2", "tmpfs", ... */
};

/* Split @line (its newline, if any, dropped): 0, or -EINVAL when malformed. */
int vipc_mountinfo_parse(char *line, struct vipc_mount *m);
/* The mount point of the first whole cgroup2 file system (root "/") listed
 * in the mountinfo text @f: 0, or -ENOENT.
 */
int vipc_mountinfo_cgroup2(FILE *f, char *buf, size_t size);
/* Is @path the root of a cgroup2 mount? 0, -EMEDIUMTYPE (another file
 * system, or no mount root) or the -errno of statfs.
 */
int vipc_cgroup2_check(const char *path);
/* The cgroup2 mount: @given (--cgroup-root, NULL when absent), which must be
 * one, else the first of /sys/fs/cgroup, /sys/fs/cgroup/unified and
 * /proc/self/mountinfo that is. 0, or -ENOENT after one line on stderr.
 */
int vipc_cgroup_find(const char *given, struct vipc_cgroot *out);

/* Visit every cgroup below the cgroup2 mount @cgroot (the root itself
 * not), parents before children, at any depth below directories whose
 * path a selector can bind (shorter than VIPC_CGROUP_PATH_MAX): @fn gets
 * its path within the hierarchy ("/a/b", as the kernel names it) and its
 * id. Non-zero from @fn stops the walk and is returned; a directory
 * removed meanwhile is skipped.
 */
typedef int (*vipc_cgroup_fn)(const char *path, __u64 cgid, void *ctx);
int vipc_cgroup_walk(const char *cgroot, vipc_cgroup_fn fn, void *ctx);
/* The paths of many cgroups in one walk: @fn gets the path of each of
 * the @n @ids (sorted, distinct: vipc_cgroup_ids_sort) found, and its
 * index; the walk ends once all are found. 0, or the -errno of @fn.
 */
typedef int (*vipc_cgroup_id_fn)(const char *path, size_t i, void *ctx);
int vipc_cgroup_paths(const char *cgroot, const __u64 *ids, size_t n, vipc_cgroup_id_fn fn,
		      void *ctx);
/* Sort @ids and drop repeats: *@n is how many are left. */
void vipc_cgroup_ids_sort(__u64 *ids, size_t *n);
/* The index of @id among the @n sorted @ids, or -1. */
long vipc_cgroup_ids_find(const __u64 *ids, size_t n, __u64 id);
/* The path within the hierarchy of cgroup @cgid into @out (by its file
 * handle, else a walk): 0, or -ENOENT.
 */
int vipc_cgroup_path(const char *cgroot, __u64 cgid, char *out, size_t size);

#endif /* __VIPC_CGROUP_H */
