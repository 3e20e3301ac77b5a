// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The commands' shared ground: the parsed command line, the cgroup2
 * mount, the policy file, and errors reported as exit statuses.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "log.h"
#include "registry.h"

struct vipc_cli vipc_opt;
struct vipc_cgroot vipc_cgmount;

/* An error from the registry or the pinned state: its message, taken with
 * it (or strerror), and its exit status. 0 reports nothing, and drops what
 * a step that succeeded recorded, so the next error cannot show it.
 */
int vipc_report(struct vipc_err *e, int err, const char *what)
{
	char msg[256];

	vipc_err_take(e, err, msg, sizeof(msg));
	if (!err)
		return VIPC_EXIT_OK;
	if (err == -EPROTO)
		pr_warn("%s: the instance pinned at %s has another ABI version: 'vipc-loader "
			"load -c FILE' upgrades it in place, 'vipc-loader unload' removes it\n",
			what, VIPC_PIN_DIR);
	else if (err == -ENOMEM)
		pr_warn("%s: out of memory\n", what);
	else
		pr_warn("%s: %s\n", what, msg);
	return vipc_exit_status(err);
}

/* How opening the pinned instance went: not loaded and incompatible get
 * their own status.
 */
int vipc_opened(int err)
{
	if (err == -ENOENT) {
		pr_warn("vipc is not loaded (run 'sudo vipc-loader load')\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	return err ? vipc_report(NULL, err, "opening " VIPC_PIN_DIR) : 0;
}

int vipc_open_state(struct vipc_state *st, bool lock)
{
	return vipc_opened(vipc_state_open(st, lock));
}

/* The cgroup2 mount, found once (or --cgroup-root's); its own status when none. */
int vipc_find_cgroot(void)
{
	if (vipc_cgmount.path[0])
		return 0;
	return vipc_cgroup_find(vipc_opt.cgroup_root, &vipc_cgmount) ? VIPC_EXIT_NO_CGROUP2 : 0;
}

/* A policy error as file:line:col: what; its exit status. */
int vipc_report_policy(int err, const struct vipc_policy_error *perr)
{
	char msg[PATH_MAX + 600];

	vipc_policy_error_format(perr, msg, sizeof(msg));
	fprintf(stderr, "%s\n", msg);
	return err == -ENOMEM ? VIPC_EXIT_NO_MEMORY : VIPC_EXIT_USAGE;
}

/* Parse and resolve the policy file; on error print file:line:col. */
int vipc_read_policy(const char *path, struct vipc_policy **pol)
{
	struct vipc_policy_error perr = {};
	int ret, err;

	ret = vipc_find_cgroot();
	if (ret)
		return ret;
	err = vipc_policy_parse_file(path, pol, &perr);
	if (!err)
		err = vipc_policy_resolve(*pol, vipc_cgmount.path, "/proc", &perr);
	if (!err)
		return 0;
	vipc_policy_free(*pol);
	*pol = NULL;
	return vipc_report_policy(err, &perr);
}

const char *vipc_policy_path(void)
{
	if (vipc_opt.config)
		return vipc_opt.config;
	return access(VIPC_DEFAULT_POLICY, F_OK) ? NULL : VIPC_DEFAULT_POLICY;
}

/* "pid N" of a running daemon, or where it runs when its pid means nothing here. */
const char *vipc_daemon_name(pid_t pid, char *buf, size_t size)
{
	if (pid < 0)
		return "in another pid namespace";
	snprintf(buf, size, "pid %d", (int)pid);
	return buf;
}

/* Run one registry change under the lock. */
int vipc_with_lock(int (*fn)(struct vipc_state *, char **), char **argv, const char *what)
{
	struct vipc_state st;
	int ret, err;

	ret = vipc_open_state(&st, true);
	if (ret)
		return ret;
	err = fn(&st, argv);
	vipc_state_close(&st);
	return vipc_report(&st.err, err, what);
}
