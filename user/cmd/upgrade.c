// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The upgrade a load (or the daemon's start) makes when the pinned instance
 * is of another ABI version, or an interrupted upgrade left one beside it:
 * the new instance enforces beside the old one before the old one goes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "upgrade.h"

/* Load the new instance beside the old one, apply @path to it, mark it
 * whole: 0 or an exit status (nothing of it left).
 */
static int load_beside(const char *path, __u32 backends)
{
	struct vipc_state st;
	int ret, err;

	err = vipc_upgrade_load(&vipc_opt.limits, backends, vipc_cgmount.path);
	if (err) {
		pr_warn("upgrade: loading beside the old instance: %s\n", strerror(-err));
		return VIPC_EXIT_KERNEL;
	}
	ret = vipc_opened(vipc_state_open_at(&st, VIPC_NEW_DIR, true));
	if (!ret) {
		ret = vipc_apply_file(&st, path);
		vipc_state_close(&st);
	}
	if (!ret && (err = vipc_upgrade_whole()))
		ret = vipc_report(NULL, err, "upgrade: " VIPC_NEXT_DIR);
	if (ret)
		vipc_upgrade_abort();
	return ret;
}

/* The old daemon stopped, the old instance removed, the new one moved in. */
static int finish(void)
{
	int ret = vipc_stop_daemon(), err;

	if (ret)
		return ret;
	err = vipc_upgrade_finish();
	return err ? vipc_report(NULL, err, "upgrade: replacing the old instance") : 0;
}

bool vipc_upgrade_pending(void)
{
	int abi = vipc_pinned_abi(VIPC_PIN_DIR);

	return (abi > 0 && abi != VIPC_ABI_VERSION) || !access(VIPC_NEXT_DIR, F_OK);
}

int vipc_upgrade(const char *path, __u32 backends, bool *applied)
{
	int next, abi, ret;

	/* Phase 1: a whole instance an interrupted upgrade left takes the pin directory. */
	*applied = false;
	next = vipc_upgrade_leftover();
	if (next < 0)
		return vipc_report(NULL, next, "upgrade: " VIPC_NEW_DIR);
	if (next) {
		pr_info("finishing an interrupted upgrade: the instance loaded whole at %s "
			"replaces the one pinned at %s\n", VIPC_NEXT_DIR, VIPC_PIN_DIR);
		ret = finish();
		if (ret)
			return ret;
	}

	/* Phase 2: an instance of another ABI version, replaced by ours with its policy. */
	abi = vipc_pinned_abi(VIPC_PIN_DIR);
	if (abi <= 0 || abi == VIPC_ABI_VERSION)
		return 0;
	if (!path) {
		pr_warn("load: the instance pinned at %s has ABI version %d, this release %d: "
			"pass its policy with -c FILE to upgrade it in place, or remove it with "
			"'vipc-loader unload' first\n", VIPC_PIN_DIR, abi, VIPC_ABI_VERSION);
		return VIPC_EXIT_INCOMPATIBLE;
	}
	pr_info("upgrading the instance pinned at %s from ABI %d to %d in place: the new one "
		"enforces beside it, then replaces it\n", VIPC_PIN_DIR, abi, VIPC_ABI_VERSION);
	ret = load_beside(path, backends) ?: finish();
	*applied = !ret;
	return ret;
}
