// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stats: the decision and registry counters, once or every --watch S.
 */
#include <unistd.h>
#include "cmd.h"
#include "decisions.h"
#include "stream.h"

int cmd_stats(char **argv)
{
	struct vipc_stats_all s;
	struct vipc_state st;
	int ret, err;

	(void)argv;
	ret = vipc_open_state(&st, false);
	if (ret)
		return ret;
	do {
		if (vipc_opt.by_container)
			err = vipc_decisions_print(&st, vipc_opt.json);
		else
			err = vipc_stats_read(&st, &s) ?:
			      vipc_stats_print(&s.total, s.hook, st.reg, vipc_opt.json);
	} while (!err && vipc_opt.watch_s && !vipc_stop && !sleep(vipc_opt.watch_s) && !vipc_stop);
	vipc_state_close(&st);
	return err ? vipc_report(err, "reading statistics") : 0;
}
