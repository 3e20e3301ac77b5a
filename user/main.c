// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-loader: load, pin, attach, apply policy, stream statistics and
 * events, edit the registry, reload and unload.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "cmd/cmd.h"
#include "daemon.h"
#include "log.h"
#include "stream.h"
#include "version.h"

static void on_signal(int sig)
{
	(void)sig;
	vipc_stop = 1;
}

/* Each command's function, by enum vipc_cmd; cli.c has their grammar. */
static const struct cmd {
	int (*fn)(int argc, char **argv);
	bool privileged;
} cmds[VIPC_NR_CMDS] = {
	[VIPC_CMD_RUN] = { cmd_run, true },
	[VIPC_CMD_LOAD] = { cmd_load, true },
	[VIPC_CMD_RELOAD] = { cmd_reload, true },
	[VIPC_CMD_UNLOAD] = { cmd_unload, true },
	[VIPC_CMD_STATUS] = { cmd_status, true },
	[VIPC_CMD_STATS] = { cmd_stats, true },
	[VIPC_CMD_EVENTS] = { cmd_events, true },
	[VIPC_CMD_CONTAINER] = { cmd_container, true },
	[VIPC_CMD_ENDPOINT] = { cmd_endpoint, true },
	[VIPC_CMD_GRANT] = { cmd_grant, true },
	[VIPC_CMD_REVOKE] = { cmd_revoke, true },
	[VIPC_CMD_CHANNEL] = { cmd_channel, true },
	[VIPC_CMD_CHECK] = { cmd_check, true },
	[VIPC_CMD_METRICS] = { cmd_metrics, true },
	[VIPC_CMD_SUGGEST] = { cmd_suggest, false }, /* root only for what it reads live */
	[VIPC_CMD_TOP] = { cmd_top, true },
	[VIPC_CMD_HELP] = { cmd_help, false },
};

/* libbpf's warnings always, its info and debug lines only with -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN && vipc_log_level < VIPC_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	char missing[128];
	const struct cmd *cmd;
	int ret, first;

	/* Phase 1: the command and its options. */
	ret = vipc_cli_parse(argc, argv, &vipc_opt);
	if (ret || vipc_opt.help)
		return ret ?: cmd_help(0, NULL);
	if (vipc_opt.version) {
		printf("vipc-loader %s (pinned-state ABI %u)\n", VIPC_VERSION, VIPC_ABI_VERSION);
		return 0;
	}
	vipc_log_level = vipc_opt.log_level;
	cmd = &cmds[vipc_opt.cmd];

	/* Phase 2: privileges before any libbpf call, so no noise without them. */
	if (cmd->privileged && vipc_caps_check(missing, sizeof(missing))) {
		pr_warn("missing capabilities %s (run with sudo)\n", missing);
		return VIPC_EXIT_NO_PRIVILEGE;
	}
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Phase 3: run it on the words after the command's. */
	first = vipc_opt.cmd_index + (vipc_opt.cmd != VIPC_CMD_RUN);
	return cmd->fn(argc - first, argv + first);
}
