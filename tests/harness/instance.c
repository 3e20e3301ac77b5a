// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Pinned instances as the upgrade tests see them (instance.h). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "fixture.h"
#include "harness.h"
#include "instance.h"
#include "state.h"

const char *v_other_loader(const char *commit)
{
	static char loader[PATH_MAX], source[256];
	char rel[64];
	FILE *f;

	if (commit)
		snprintf(rel, sizeof(rel), "build/old/%s", commit);
	else
		snprintf(rel, sizeof(rel), "build/abi/%d", VIPC_ABI_VERSION + 1);
	snprintf(loader, sizeof(loader), "%s/vipc-loader", h_path(rel));
	cr_assert_eq(access(loader, X_OK), 0, "%s is not built: make build/tests/test_upgrade",
		     loader);
	strcat(rel, "/SOURCE");
	f = fopen(h_path(rel), "r");
	cr_assert_not_null(f, "%s", h_path(rel));
	cr_assert_not_null(fgets(source, sizeof(source), f), "%s is empty", h_path(rel));
	fclose(f);
	fprintf(stderr, "upgrade: the other side is %s", source);
	return loader;
}

int v_pinned_links(const char *dir, __u32 *ids)
{
	struct bpf_link_info info;
	char path[PATH_MAX];
	struct dirent *de;
	int fd, n = 0;
	__u32 len;
	DIR *d = opendir(dir);

	while (d && n < V_MAX_LINKS && (de = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (strncmp(de->d_name, "link_", 5) || (fd = bpf_obj_get(path)) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_link_get_info_by_fd(fd, &info, &len))
			ids[n++] = info.id;
		close(fd);
	}
	if (d)
		closedir(d);
	return n;
}

int v_links_left(const __u32 *ids, int n)
{
	int i, fd, left = n, tries;

	for (tries = 0; left && tries < 200; tries++) {
		if (tries)
			usleep(10 * 1000);
		for (i = 0, left = 0; i < n; i++) {
			fd = bpf_link_get_fd_by_id(ids[i]);
			if (fd >= 0) {
				left++;
				close(fd);
			}
		}
	}
	return left;
}

void v_assert_one_instance(int abi, const __u32 *gone, int n)
{
	__u32 ids[V_MAX_LINKS];

	cr_assert_eq(vipc_pinned_abi(VIPC_PIN_DIR), abi, "the instance pinned is not of ABI %d",
		     abi);
	cr_assert_gt(v_pinned_links(VIPC_PIN_DIR, ids), 0, "no link pinned at " VIPC_PIN_DIR);
	cr_assert(access(VIPC_NEW_DIR, F_OK) && errno == ENOENT, VIPC_NEW_DIR " is left");
	cr_assert(access(VIPC_NEXT_DIR, F_OK) && errno == ENOENT, VIPC_NEXT_DIR " is left");
	cr_assert_eq(v_links_left(gone, n), 0, "links of the replaced instance are left");
}
