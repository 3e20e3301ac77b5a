// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* top: the live view of decisions per container and endpoint.
 */
#include <errno.h>
#include <stdlib.h>
#include "cmd.h"
#include "log.h"
#include "top.h"

/* `top`: the live view, from the pinned state opened read-only. */
int cmd_top(char **argv)
{
	struct vipc_top_opts o = { .interval_ms = vipc_opt.interval_ms, .count = vipc_opt.count,
				   .json = vipc_opt.json };
	struct vipc_state st;
	int ret, err;

	(void)argv;
	if (o.interval_ms < 10)
		return vipc_usage_error("top takes -i MS of 10 or more");
	ret = vipc_opened(vipc_state_open_ro(&st));
	if (ret)
		return ret;
	err = vipc_top_run(&st, &o);
	vipc_state_close(&st);
	if (err == -ENOENT) {
		pr_warn("top: vipc was unloaded\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	if (err == -ENOTTY) {
		pr_warn("top: ncurses cannot drive this terminal (TERM=%s); pipe the output "
			"for plain lines\n", getenv("TERM") ?: "unset");
		return VIPC_EXIT_DENIED;
	}
	return vipc_report(NULL, err, "top");
}
