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

/* libbpf's warnings always, its info and debug lines only with -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN && vipc_log_level < VIPC_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Run @v on the words after its own: its function, or its registry edit under the lock. */
static int run(const struct vipc_verb *v, char **argv)
{
	char name[64];

	if (v->fn)
		return v->fn(argv);
	return vipc_with_lock(v->edit, argv, vipc_verb_name(v, name, sizeof(name)));
}

int main(int argc, char **argv)
{
	const struct vipc_verb *v;
	char missing[128];
	int ret;

	/* Phase 1: the command and its options (under --json, its failure a document). */
	vipc_failure_watch(argc, argv);
	ret = vipc_cli_parse(argc, argv, &vipc_opt);
	if (ret || vipc_opt.help)
		return ret ? vipc_failure_report(ret, false) : cmd_help(NULL);
	if (vipc_opt.version) {
		printf("vipc-loader %s (pinned-state ABI %u)\n", VIPC_VERSION, VIPC_ABI_VERSION);
		return 0;
	}
	vipc_log_level = vipc_opt.log_level;
	v = vipc_opt.verb;

	/* Phase 2: privileges before any libbpf call, so no noise without them. */
	if (v->privileged && vipc_caps_check(missing, sizeof(missing))) {
		pr_warn("missing capabilities %s (run with sudo)\n", missing);
		return vipc_failure_report(VIPC_EXIT_NO_PRIVILEGE, false);
	}
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Phase 3: run it on the words after the command's (and subcommand's). */
	ret = run(v, argv + vipc_opt.cmd_index + !!v->name + !!v->sub);
	return vipc_failure_report(ret, v->cmd == VIPC_CMD_CHECK && ret == VIPC_EXIT_DENIED);
}
