// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* events: deny events (and snapshots) streamed from the ring buffer.
 */
#include <errno.h>
#include "cmd.h"
#include "log.h"
#include "stream.h"

int cmd_events(char **argv)
{
	struct vipc_stream_opts so = {
		.interval_ms = vipc_opt.interval_set ? vipc_opt.interval_ms : 0,
		.count = vipc_opt.count,
		.timeout_s = vipc_opt.timeout_s,
		.json = vipc_opt.json,
	};
	struct vipc_state st;
	int ret, err;

	(void)argv;
	ret = vipc_open_state(&st, false);
	if (ret)
		return ret;
	so.cgroot = vipc_find_cgroot() ? NULL : vipc_cgmount.path;
	err = vipc_events_stream(&st, &so);
	vipc_state_close(&st);
	if (err == -ETIMEDOUT) {
		pr_warn("events: fewer than %ld events within %d s\n", vipc_opt.count, vipc_opt.timeout_s);
		return VIPC_EXIT_DENIED;
	}
	return err ? vipc_report(NULL, err, "streaming events") : 0;
}
