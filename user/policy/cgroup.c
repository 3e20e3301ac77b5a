// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Finding the cgroup2 mount: /sys/fs/cgroup on unified hosts,
 * /sys/fs/cgroup/unified on hybrid ones, wherever mountinfo says otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "cgroup.h"
#include "log.h"
#include "vipc.h"

#define MOUNTINFO "/proc/self/mountinfo"

static int octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Undo the kernel's escapes of space, tab, newline and backslash ("\040") in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && octal(s[1]) && octal(s[2]) && octal(s[3])) {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

int vipc_mountinfo_parse(char *line, struct vipc_mount *m)
{
	char *f[5], *tok, *save = NULL;
	int n = 0;

	/* "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS" */
	line[strcspn(line, "\n")] = 0;
	for (tok = strtok_r(line, " ", &save); tok && n < 5; tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	while (tok && strcmp(tok, "-"))
		tok = strtok_r(NULL, " ", &save);
	m->fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
	if (n < 5 || !m->fstype)
		return -EINVAL;
	unescape(f[3]);
	unescape(f[4]);
	m->root = f[3];
	m->point = f[4];
	return 0;
}

int vipc_mountinfo_cgroup2(FILE *f, char *buf, size_t size)
{
	struct vipc_mount m;
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;

	while (err && getline(&line, &cap, f) > 0) {
		if (vipc_mountinfo_parse(line, &m) || strcmp(m.fstype, "cgroup2") ||
		    strcmp(m.root, "/"))
			continue;
		snprintf(buf, size, "%s", m.point);
		err = 0;
	}
	free(line);
	return err;
}

int vipc_cgroup2_check(const char *path)
{
	struct statfs sfs;
	struct statx stx;

	if (statfs(path, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	/* A directory inside the mount is not its root (kernels before 5.8 cannot tell). */
	if (statx(AT_FDCWD, path, 0, 0, &stx))
		return -errno;
	if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return -EMEDIUMTYPE;
	return 0;
}

/* Fill @out for the cgroup2 mount at @path (canonical). */
static int set_root(struct vipc_cgroot *out, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->id = st.st_ino;
	if (!strcmp(path, VIPC_CGROUP_UNIFIED))
		out->layout = "unified";
	else if (!strcmp(path, VIPC_CGROUP_HYBRID))
		out->layout = "hybrid";
	else
		out->layout = "custom";
	return 0;
}

/* --cgroup-root PATH: a cgroup2 mount, named however ("/sys/fs/cgroup/"). */
static int given_root(const char *given, struct vipc_cgroot *out)
{
	char path[PATH_MAX];
	int err;

	err = realpath(given, path) ? vipc_cgroup2_check(path) : -errno;
	if (!err)
		err = set_root(out, path);
	if (err == -EMEDIUMTYPE)
		pr_warn("--cgroup-root %s: not a cgroup2 mount\n", given);
	else if (err)
		pr_warn("--cgroup-root %s: %s\n", given, strerror(-err));
	return err ? -ENOENT : 0;
}

int vipc_cgroup_find(const char *given, struct vipc_cgroot *out)
{
	static const char *const usual[] = { VIPC_CGROUP_UNIFIED, VIPC_CGROUP_HYBRID };
	char path[PATH_MAX];
	size_t i;
	FILE *f;
	int err;

	if (given)
		return given_root(given, out);
	/* Phase 1: where distributions mount it. */
	for (i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
		if (!vipc_cgroup2_check(usual[i]) && !set_root(out, usual[i]))
			return 0;
	/* Phase 2: wherever else it is mounted. */
	f = fopen(MOUNTINFO, "re");
	err = f ? vipc_mountinfo_cgroup2(f, path, sizeof(path)) : -errno;
	if (f)
		fclose(f);
	if (!err)
		err = vipc_cgroup2_check(path) ?: set_root(out, path);
	if (!err)
		return 0;
	pr_warn("no cgroup2 mount (not at " VIPC_CGROUP_UNIFIED " nor " VIPC_CGROUP_HYBRID
		", none in " MOUNTINFO "): mount one, or name it with --cgroup-root\n");
	return -ENOENT;
}

struct walk {
	vipc_cgroup_fn fn;
	void *ctx;
	char path[PATH_MAX];
};

/* The children of directory @fd, whose path is w->path (@len bytes); the
 * walk goes down while a child's path could still be bound (shorter than
 * VIPC_CGROUP_PATH_MAX), at any depth.
 */
static int walk_dir(struct walk *w, int fd, size_t len)
{
	struct dirent *e;
	struct stat st;
	int sub, err = 0;
	size_t n;
	DIR *d;

	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (!err && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n = strlen(e->d_name);
		if (len + 1 + n >= sizeof(w->path) || fstatat(dirfd(d), e->d_name, &st, 0))
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, e->d_name, n + 1);
		err = w->fn(w->path, st.st_ino, w->ctx);
		if (err || len + 1 + n + 2 >= VIPC_CGROUP_PATH_MAX)
			continue;
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			err = walk_dir(w, sub, len + 1 + n);
		w->path[len] = 0;
	}
	closedir(d);
	return err;
}

int vipc_cgroup_walk(const char *cgroot, vipc_cgroup_fn fn, void *ctx)
{
	struct walk w = { .fn = fn, .ctx = ctx };
	int fd = open(cgroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return walk_dir(&w, fd, 0);
}

/* The ids looked for in one walk, and how many are still to find. */
struct paths_find {
	const __u64 *ids;
	size_t n, left;
	vipc_cgroup_id_fn fn;
	void *ctx;
};

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

long vipc_cgroup_ids_find(const __u64 *ids, size_t n, __u64 id)
{
	const __u64 *at = n ? bsearch(&id, ids, n, sizeof(*at), cmp_u64) : NULL;

	return at ? at - ids : -1;
}

/* One cgroup of the walk: one of the ids? The walk stops once all are found (1). */
static int path_of_id(const char *path, __u64 cgid, void *ctx)
{
	struct paths_find *f = ctx;
	long i = vipc_cgroup_ids_find(f->ids, f->n, cgid);
	int err;

	if (i < 0)
		return 0;
	err = f->fn(path, i, f->ctx);
	return err ?: !--f->left;
}

int vipc_cgroup_paths(const char *cgroot, const __u64 *ids, size_t n, vipc_cgroup_id_fn fn,
		      void *ctx)
{
	struct paths_find f = { .ids = ids, .n = n, .left = n, .fn = fn, .ctx = ctx };
	int err;

	if (!n)
		return 0;
	err = vipc_cgroup_walk(cgroot, path_of_id, &f);
	return err < 0 ? err : 0;
}

void vipc_cgroup_ids_sort(__u64 *ids, size_t *n)
{
	size_t i, k = 0;

	qsort(ids, *n, sizeof(*ids), cmp_u64);
	for (i = 0; i < *n; i++)
		if (!k || ids[i] != ids[k - 1])
			ids[k++] = ids[i];
	*n = k;
}

#define FILEID_KERNFS 0xfe /* a kernfs file handle: the node's id, a cgroup's id on cgroup2 */

/* The path of cgroup @cgid opened by its file handle (needs
 * CAP_DAC_READ_SEARCH): 0, -ENOENT when it is gone, another -errno when
 * the handle cannot be used here (then the walk finds it).
 */
static int path_by_handle(const char *cgroot, __u64 cgid, char *out, size_t size)
{
	union {
		struct file_handle fh;
		char bytes[sizeof(struct file_handle) + sizeof(__u64)];
	} h = { .fh = { .handle_bytes = sizeof(__u64), .handle_type = FILEID_KERNFS } };
	char link[64], abs[PATH_MAX];
	size_t root = strlen(cgroot);
	int mfd, fd, err = 0;
	ssize_t n;

	memcpy(h.fh.f_handle, &cgid, sizeof(cgid));
	mfd = open(cgroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = mfd < 0 ? -1 : open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err = errno == ESTALE ? -ENOENT : -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = fd < 0 ? -1 : readlink(link, abs, sizeof(abs) - 1);
	if (!err && (n < (ssize_t)root || strncmp(abs, cgroot, root)))
		err = -ENOENT; /* outside this mount (or unreadable) */
	if (!err)
		snprintf(out, size, "%.*s", (int)(n - root), n > (ssize_t)root ? abs + root : "/");
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
	return err;
}

/* Where vipc_cgroup_path's walk puts the path it finds. */
struct path_out {
	char *out;
	size_t size;
};

static int path_copy(const char *path, size_t i, void *ctx)
{
	struct path_out *o = ctx;

	(void)i;
	snprintf(o->out, o->size, "%s", path);
	return 0;
}

int vipc_cgroup_path(const char *cgroot, __u64 cgid, char *out, size_t size)
{
	struct path_out o = { .out = out, .size = size };
	int err = path_by_handle(cgroot, cgid, out, size);

	if (!err || err == -ENOENT)
		return err;
	*out = 0;
	return vipc_cgroup_paths(cgroot, &cgid, 1, path_copy, &o) ?: (*out ? 0 : -ENOENT);
}
