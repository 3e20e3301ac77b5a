// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An upgrade across ABI versions: the new instance beside the old, then in
 * its place (upgrade.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "upgrade.h"
#include "log.h"

/* End the instance at @dir and remove the directory. */
static int remove_dir(const char *dir)
{
	int err = vipc_unload_dir(dir);

	if (!err && rmdir(dir))
		err = -errno;
	return err;
}

int vipc_upgrade_leftover(void)
{
	int err;

	if (!access(VIPC_NEW_DIR, F_OK)) {
		pr_info("removing the instance an interrupted upgrade was loading at %s (the one "
			"pinned at %s enforces)\n", VIPC_NEW_DIR, VIPC_PIN_DIR);
		err = remove_dir(VIPC_NEW_DIR);
		if (err)
			return err;
	}
	if (!access(VIPC_NEXT_DIR, F_OK))
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int vipc_upgrade_load(const struct vipc_limits *limits, __u32 backends, const char *cgroot)
{
	bool adopted;
	int err;

	if (mkdir(VIPC_NEW_DIR, 0700))
		return -errno;
	err = vipc_load(VIPC_NEW_DIR, limits, backends, cgroot, &adopted);
	if (err)
		vipc_upgrade_abort();
	return err;
}

int vipc_upgrade_whole(void)
{
	return rename(VIPC_NEW_DIR, VIPC_NEXT_DIR) ? -errno : 0;
}

void vipc_upgrade_abort(void)
{
	int err = remove_dir(VIPC_NEW_DIR);

	if (err)
		pr_warn("removing the new instance at %s: %s ('vipc-loader load' removes it)\n",
			VIPC_NEW_DIR, strerror(-err));
}

int vipc_upgrade_finish(void)
{
	int err = vipc_unload_dir(VIPC_PIN_DIR);

	/* bpffs renames a directory over an empty one: the pin directory now. */
	if (!err && rename(VIPC_NEXT_DIR, VIPC_PIN_DIR))
		err = -errno;
	return err;
}
