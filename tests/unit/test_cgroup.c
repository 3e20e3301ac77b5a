// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Finding the cgroup2 mount (user/policy/cgroup.h): mountinfo lines split and
 * unescaped (a fixture file of a host with cgroup2 in odd places), the first
 * whole cgroup2 mount picked, and --cgroup-root checked on this machine.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cgroup.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIXTURE "tests/unit/fixtures/mountinfo" /* tests run from the repository root */

/* ---- one line ---- */

static const struct {
	const char *root, *point, *fstype;
} fixture_lines[] = {
	{ "/", "/proc", "proc" },
	{ "/", "/sys", "sysfs" },
	{ "/", "/", "ext4" },
	{ "/", "/sys/fs/cgroup", "tmpfs" },
	{ "/", "/sys/fs/cgroup/cpu", "cgroup" },
	{ "/machine.slice/ctr", "/srv/ctr cgroup", "cgroup2" },
	{ "/", "/run/my cgroups\\v2", "cgroup2" },
	{ "/", "/run/second", "cgroup2" },
	{ "/", "/tmp/tab\tand\nnewline", "tmpfs" },
};

Test(mountinfo, every_fixture_line_splits_with_its_escapes_undone)
{
	char *line = NULL;
	size_t cap = 0, n = 0;
	struct vipc_mount m;
	FILE *f = fopen(FIXTURE, "re");

	cr_assert_not_null(f, FIXTURE ": %s", strerror(errno));
	for (; getline(&line, &cap, f) > 0; n++) {
		cr_assert_lt(n, ARRAY_SIZE(fixture_lines), "more lines than expected");
		cr_assert_eq(vipc_mountinfo_parse(line, &m), 0, "line %zu", n + 1);
		cr_expect_str_eq(m.root, fixture_lines[n].root, "line %zu", n + 1);
		cr_expect_str_eq(m.point, fixture_lines[n].point, "line %zu", n + 1);
		cr_expect_str_eq(m.fstype, fixture_lines[n].fstype, "line %zu", n + 1);
	}
	cr_expect_eq(n, ARRAY_SIZE(fixture_lines));
	free(line);
	fclose(f);
}

Test(mountinfo, a_backslash_without_three_octal_digits_stays)
{
	char line[] = "41 31 0:38 / /a\\12b\\9 rw - cgroup2 cgroup2 rw\n";
	struct vipc_mount m;

	cr_assert_eq(vipc_mountinfo_parse(line, &m), 0);
	cr_expect_str_eq(m.point, "/a\\12b\\9");
}

Test(mountinfo, malformed_lines_are_refused)
{
	static const char *const bad[] = {
		"",
		"41 31 0:38 /",
		"41 31 0:38 / /sys/fs/cgroup rw shared:1",
		"41 31 0:38 / /sys/fs/cgroup rw -",
	};
	struct vipc_mount m;
	char line[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		cr_expect_eq(vipc_mountinfo_parse(line, &m), -EINVAL, "'%s'", bad[i]);
	}
}

/* ---- the first cgroup2 mount ---- */

static int first_cgroup2(const char *text, char *buf, size_t size)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	cr_assert_not_null(f);
	err = vipc_mountinfo_cgroup2(f, buf, size);
	fclose(f);
	return err;
}

Test(mountinfo, the_first_whole_cgroup2_mount_of_the_fixture)
{
	char path[PATH_MAX];
	FILE *f = fopen(FIXTURE, "re");

	cr_assert_not_null(f, FIXTURE ": %s", strerror(errno));
	cr_expect_eq(vipc_mountinfo_cgroup2(f, path, sizeof(path)), 0);
	cr_expect_str_eq(path, "/run/my cgroups\\v2", "a subtree's bind mount is skipped");
	fclose(f);
}

Test(mountinfo, hybrid_and_unified_hosts)
{
	char path[PATH_MAX];

	cr_expect_eq(first_cgroup2("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
				   "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
				   "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
				   path, sizeof(path)),
		     0);
	cr_expect_str_eq(path, VIPC_CGROUP_HYBRID);
	cr_expect_eq(first_cgroup2("31 23 0:28 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 "
				   "cgroup2 rw,nsdelegate,memory_recursiveprot\n",
				   path, sizeof(path)),
		     0);
	cr_expect_str_eq(path, VIPC_CGROUP_UNIFIED);
}

Test(mountinfo, no_cgroup2_is_enoent)
{
	char path[PATH_MAX];

	cr_expect_eq(first_cgroup2("", path, sizeof(path)), -ENOENT);
	cr_expect_eq(first_cgroup2("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
				   "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
				   "garbage\n",
				   path, sizeof(path)),
		     -ENOENT);
}

/* ---- this machine ---- */

Test(find, the_mount_found_is_a_cgroup2_root_with_its_layout)
{
	struct vipc_cgroot root;

	cr_assert_eq(vipc_cgroup_find(NULL, &root), 0, "this machine has cgroup2 somewhere");
	cr_expect_eq(vipc_cgroup2_check(root.path), 0, "%s", root.path);
	cr_expect_eq(root.id, 1, "%s: the root cgroup's id", root.path);
	if (!strcmp(root.path, VIPC_CGROUP_UNIFIED))
		cr_expect_str_eq(root.layout, "unified");
	else if (!strcmp(root.path, VIPC_CGROUP_HYBRID))
		cr_expect_str_eq(root.layout, "hybrid");
	else
		cr_expect_str_eq(root.layout, "custom");
}

Test(find, a_given_root_is_taken_by_its_canonical_name)
{
	struct vipc_cgroot found, given;
	char name[PATH_MAX + 8];

	cr_assert_eq(vipc_cgroup_find(NULL, &found), 0);
	snprintf(name, sizeof(name), "%s/./", found.path);
	cr_assert_eq(vipc_cgroup_find(name, &given), 0, "%s", name);
	cr_expect_str_eq(given.path, found.path);
	cr_expect_str_eq(given.layout, found.layout);
}

Test(find, a_given_root_that_is_no_cgroup2_mount_is_refused)
{
	struct vipc_cgroot root, found;
	char inside[PATH_MAX + 32];

	cr_expect_eq(vipc_cgroup2_check("/proc"), -EMEDIUMTYPE);
	cr_expect_eq(vipc_cgroup2_check("/nonexistent"), -ENOENT);
	cr_expect_eq(vipc_cgroup_find("/proc", &root), -ENOENT);
	cr_expect_eq(vipc_cgroup_find("/nonexistent", &root), -ENOENT);
	/* A cgroup inside the mount is on cgroup2, but not its root. */
	cr_assert_eq(vipc_cgroup_find(NULL, &found), 0);
	snprintf(inside, sizeof(inside), "%s/vipc-unit-%d", found.path, getpid());
	if (mkdir(inside, 0755) && errno != EEXIST)
		cr_skip_test("cannot make %s (not root): %s", inside, strerror(errno));
	cr_expect_eq(vipc_cgroup2_check(inside), -EMEDIUMTYPE, "%s", inside);
	rmdir(inside);
}
