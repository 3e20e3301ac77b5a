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

struct path_find {
	__u64 cgid;
	char *out;
	size_t size;
};

static int path_is(const char *path, __u64 cgid, void *ctx)
{
	struct path_find *f = ctx;

	if (cgid != f->cgid)
		return 0;
	snprintf(f->out, f->size, "%s", path);
	return 1;
}

int vipc_cgroup_path(const char *cgroot, __u64 cgid, char *out, size_t size)
{
	struct path_find f = { .cgid = cgid, .out = out, .size = size };

	return vipc_cgroup_walk(cgroot, path_is, &f) == 1 ? 0 : -ENOENT;
}
