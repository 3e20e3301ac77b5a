// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* metrics: Prometheus metrics served, or written to a textfile.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"

/* `metrics`: serve until stopped, or write the textfile once or every -i MS. */
int cmd_metrics(char **argv)
{
	struct vipc_httpd httpd;
	int err, last = 0;

	(void)argv;
	if (vipc_opt.listen && vipc_opt.interval_set)
		return vipc_usage_error("-i is for --textfile");
	if (vipc_opt.listen) {
		err = vipc_httpd_start(&httpd, vipc_opt.listen, vipc_metrics_collect, NULL);
		if (err)
			return err == -EINVAL ? VIPC_EXIT_USAGE : VIPC_EXIT_DENIED;
		while (!vipc_stop)
			sleep(1);
		vipc_httpd_stop(&httpd);
		return 0;
	}
	do {
		err = vipc_metrics_textfile(vipc_opt.textfile);
		if (err && err != last)
			pr_warn("metrics: writing %s: %s\n", vipc_opt.textfile,
				err == -ENOENT ? "vipc is not loaded" : strerror(-err));
		last = err;
	} while (vipc_opt.interval_set && vipc_opt.interval_ms && !vipc_stop &&
		 !usleep(vipc_opt.interval_ms * 1000) && !vipc_stop);
	return err == -ENOENT ? VIPC_EXIT_NOT_LOADED : err ? vipc_exit_status(err) : 0;
}
