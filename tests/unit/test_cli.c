// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The command line: each command takes its own options (and -v, -q, -h)
 * wherever they stand, and refuses any other by name with status 2; the
 * command by unambiguous prefix; VIPC_BACKEND only where --backend goes.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define MAX_ARGS 32

static char err_text[1024];

/* Parse "vipc-loader ARGS..." (NULL-terminated); stderr into err_text. */
static int parse(struct vipc_cli *o, const char *arg, ...)
{
	char *argv[MAX_ARGS + 2] = { "vipc-loader" };
	FILE *saved = stderr, *mem;
	int argc = 1, ret;
	va_list ap;

	va_start(ap, arg);
	for (; arg && argc <= MAX_ARGS; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	mem = fmemopen(err_text, sizeof(err_text), "w");
	cr_assert_not_null(mem);
	stderr = mem;
	ret = vipc_cli_parse(argc, argv, o);
	stderr = saved;
	fclose(mem);
	return ret;
}

#define ACCEPTS(...)                                                                       \
	do {                                                                               \
		struct vipc_cli o;                                                         \
		cr_assert_eq(parse(&o, __VA_ARGS__, NULL), 0, "refused: %s", err_text);   \
	} while (0)

/* Refused with status 2 and the first line of stderr @msg. */
#define REFUSES(msg, ...)                                                                  \
	do {                                                                               \
		struct vipc_cli o;                                                         \
		cr_assert_eq(parse(&o, __VA_ARGS__, NULL), VIPC_EXIT_USAGE);              \
		cr_assert_eq(strncmp(err_text, msg "\n", strlen(msg) + 1), 0, "%s", err_text); \
	} while (0)

Test(cli, each_command_takes_its_own_options)
{
	ACCEPTS("-c", "p.yaml", "--detach", "-i", "200", "--json", "--backend", "sock",
		"--max-grants", "9", "--prealloc-grants");
	ACCEPTS("-c", "p.yaml", "--watch-config", "--detach");
	ACCEPTS("load", "-c", "p.yaml", "--max-containers", "5", "--max-endpoints", "5",
		"--max-channels", "5", "--backend", "lsm");
	ACCEPTS("reload", "-c", "p.yaml", "--event-rate", "all");
	ACCEPTS("load", "--event-rate", "250ms", "--no-decisions");
	ACCEPTS("status", "--json");
	ACCEPTS("stats", "--watch", "1", "-j");
	ACCEPTS("stats", "--by-container", "--json");
	ACCEPTS("events", "--count", "1", "--timeout", "5", "-i", "100", "--json");
	ACCEPTS("container", "add", "x", "--pid", "1", "--mode", "audit", "--unknown", "deny");
	ACCEPTS("container", "add", "x", "--cgroup", "a/b");
	ACCEPTS("container", "ls", "--json");
	ACCEPTS("endpoint", "ls", "--json");
	ACCEPTS("channel", "add", "c", "e", "s", "--capacity", "3");
	ACCEPTS("channel", "ls", "--json");
	ACCEPTS("revoke", "--endpoint", "e");
	ACCEPTS("check", "a", "b", "connect", "--json");
	ACCEPTS("check", "--cgroup", "a/b", "e", "connect", "--cgroup-root", "/c");
	ACCEPTS("endpoint", "add", "e", "o", "/e", "--others", "audit");
}

Test(cli, others_is_deny_allow_or_audit_on_endpoint_add_only)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "endpoint", "add", "e", "o", "/e", NULL), 0, "%s", err_text);
	cr_assert_eq(o.others, VIPC_OTHERS_DENY);
	cr_assert_eq(parse(&o, "endpoint", "add", "e", "o", "/e", "--others", "allow", NULL), 0);
	cr_assert_eq(o.others, VIPC_OTHERS_ALLOW);
	REFUSES("vipc: --others takes deny, allow or audit, not 'open'", "endpoint", "add", "e",
		"o", "/e", "--others", "open");
	REFUSES("vipc: endpoint rm does not take --others", "endpoint", "rm", "e", "o", "--others",
		"allow");
	REFUSES("vipc: grant does not take --others", "grant", "a", "e", "connect", "--others",
		"deny");
}

Test(cli, options_stand_anywhere)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "--max-grants", "2", "load", "--prealloc-grants", NULL), 0, "%s",
		     err_text);
	cr_assert_eq(o.cmd, VIPC_CMD_LOAD);
	cr_assert_eq(o.limits.grants, 2);
	cr_assert(o.limits.prealloc_grants);
	cr_assert_eq(parse(&o, "container", "--pid", "7", "add", "x", NULL), 0, "%s", err_text);
	cr_assert_eq(o.cmd, VIPC_CMD_CONTAINER);
	cr_assert_eq(o.pid, 7);
}

Test(cli, event_rate_is_all_or_an_interval)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "load", "--event-rate", "2s", NULL), 0, "%s", err_text);
	cr_assert(o.event_rate_set);
	cr_assert_eq(o.event_rate_ms, 2000);
	cr_assert_eq(parse(&o, "load", "--event-rate", "all", NULL), 0, "%s", err_text);
	cr_assert_eq(o.event_rate_ms, 0);
	cr_assert_eq(parse(&o, "load", NULL), 0, "%s", err_text);
	cr_assert_not(o.event_rate_set);
	REFUSES("vipc: --event-rate takes all or an interval from 1ms to 3600s (e.g. 500ms, 2s), "
		"not '5'", "load", "--event-rate", "5");
	REFUSES("vipc: stats does not take --event-rate", "stats", "--event-rate", "1s");
	REFUSES("vipc: reload does not take --no-decisions", "reload", "-c", "p", "--no-decisions");
	REFUSES("vipc: status does not take --by-container", "status", "--by-container");
}

Test(cli, every_command_takes_verbose_quiet_and_help)
{
	struct vipc_cli o;

	ACCEPTS("unload", "-v");
	ACCEPTS("grant", "a", "b", "connect", "--quiet");
	ACCEPTS("endpoint", "rm", "e", "o", "-q");
	ACCEPTS("help", "--verbose");
	cr_assert_eq(parse(&o, "status", "-q", NULL), 0);
	cr_assert_eq(o.log_level, VIPC_LOG_WARN);
	cr_assert_eq(parse(&o, "status", "-v", NULL), 0);
	cr_assert_eq(o.log_level, VIPC_LOG_DEBUG);
	cr_assert_eq(parse(&o, "status", NULL), 0);
	cr_assert_eq(o.log_level, VIPC_LOG_INFO);
	cr_assert_eq(parse(&o, "status", "--capacity", "5", "-h", NULL), 0);
	cr_assert(o.help, "help before anything is checked");
	REFUSES("vipc: -v and -q exclude each other", "status", "-v", "-q");
}

Test(cli, other_options_are_refused_by_name)
{
	REFUSES("vipc: status does not take --capacity", "status", "--capacity", "5");
	REFUSES("vipc: status does not take --backend", "--backend", "sock", "status");
	REFUSES("vipc: load does not take --json", "load", "--json");
	REFUSES("vipc: load does not take --detach", "load", "-d");
	REFUSES("vipc: reload does not take --watch-config", "reload", "-c", "p", "--watch-config");
	REFUSES("vipc: reload does not take --max-grants", "reload", "-c", "p", "--max-grants", "3");
	REFUSES("vipc: unload does not take --config", "unload", "-c", "p");
	REFUSES("vipc: stats does not take --interval", "stats", "-i", "5");
	REFUSES("vipc: events does not take --watch", "events", "--watch", "1");
	REFUSES("vipc: container ls does not take --mode", "container", "ls", "--mode", "audit");
	REFUSES("vipc: container rm does not take --pid", "container", "rm", "x", "--pid", "1");
	REFUSES("vipc: container add does not take --json", "container", "add", "x", "--pid", "1",
		"--json");
	REFUSES("vipc: container does not take --capacity", "container", "--capacity", "1");
	REFUSES("vipc: endpoint add does not take --endpoint", "endpoint", "add", "e", "o", "/p",
		"--endpoint", "e");
	REFUSES("vipc: grant does not take --capacity", "grant", "a", "b", "send", "--capacity", "1");
	REFUSES("vipc: revoke does not take --json", "revoke", "a", "b", "--json");
	REFUSES("vipc: channel rm does not take --capacity", "channel", "rm", "c", "--capacity", "1");
	REFUSES("vipc: check does not take --timeout", "check", "a", "b", "send", "--timeout", "1");
	REFUSES("vipc: help does not take --json", "help", "--json");
	REFUSES("vipc: vipc-loader with no command does not take --watch", "--watch", "1");
	REFUSES("vipc: vipc-loader with no command does not take --count", "-d", "--count", "1");
}

Test(cli, commands_by_unambiguous_prefix)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "statu", NULL), 0);
	cr_assert_eq(o.cmd, VIPC_CMD_STATUS);
	cr_assert_eq(parse(&o, "stats", NULL), 0);
	cr_assert_eq(o.cmd, VIPC_CMD_STATS);
	cr_assert_eq(parse(&o, "rel", "-c", "p", NULL), 0);
	cr_assert_eq(o.cmd, VIPC_CMD_RELOAD);
	cr_assert_eq(parse(&o, NULL), 0);
	cr_assert_eq(o.cmd, VIPC_CMD_RUN);
	cr_assert_eq(o.cmd_index, 1);
	REFUSES("vipc: unknown or ambiguous command 'stat'", "stat");
	REFUSES("vipc: unknown or ambiguous command 'c'", "c");
	REFUSES("vipc: unknown or ambiguous command 'fly'", "fly");
}

Test(cli, backend_from_the_environment_only_where_it_goes)
{
	struct vipc_cli o;

	setenv("VIPC_BACKEND", "lsm", 1);
	cr_assert_eq(parse(&o, "load", NULL), 0);
	cr_assert_eq(o.backends, 2);
	cr_assert_eq(parse(&o, "load", "--backend", "sock", NULL), 0);
	cr_assert_eq(o.backends, 1, "the option beats the environment");
	setenv("VIPC_BACKEND", "bogus", 1);
	cr_assert_eq(parse(&o, "status", NULL), 0, "status has no backend to pick: %s", err_text);
	REFUSES("vipc: --backend takes auto, both, or one or more of sock, lsm and fmodret (lsm "
		"or fmodret, not both: \"sock,fmodret\"), not 'bogus'", "load");
	unsetenv("VIPC_BACKEND");
}

Test(cli, backends_are_auto_both_or_a_list)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "load", "--backend", "auto", NULL), 0, "%s", err_text);
	cr_assert_eq(o.backends, 0);
	cr_assert_eq(parse(&o, "load", "--backend", "both", NULL), 0, "%s", err_text);
	cr_assert_eq(o.backends, VIPC_BACKEND_SOCK | VIPC_BACKEND_LSM);
	cr_assert_eq(parse(&o, "load", "--backend", "fmodret", NULL), 0, "%s", err_text);
	cr_assert_eq(o.backends, VIPC_BACKEND_FMODRET);
	cr_assert_eq(parse(&o, "load", "--backend", "sock,fmodret", NULL), 0, "%s", err_text);
	cr_assert_eq(o.backends, VIPC_BACKEND_SOCK | VIPC_BACKEND_FMODRET);
	REFUSES("vipc: --backend takes auto, both, or one or more of sock, lsm and fmodret (lsm "
		"or fmodret, not both: \"sock,fmodret\"), not 'lsm,fmodret'", "load", "--backend",
		"lsm,fmodret");
	REFUSES("vipc: --backend takes auto, both, or one or more of sock, lsm and fmodret (lsm "
		"or fmodret, not both: \"sock,fmodret\"), not 'sock,'", "load", "--backend",
		"sock,");
}

Test(cli, bad_values_are_refused)
{
	REFUSES("vipc: max-grants must be a number from 1 to 16777216, not '0'", "load",
		"--max-grants", "0");
	REFUSES("vipc: --mode takes enforce or audit, not 'x'", "container", "add", "a", "--pid",
		"1", "--mode", "x");
	REFUSES("vipc-loader: unrecognized option '--bogus'", "status", "--bogus");
}

Test(cli, suggest_takes_from_policy_timeout_and_the_roots_only)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "su", "--from", "a.jsonl", "--policy", "p.yaml", "--timeout", "3",
			   NULL), 0, "%s", err_text);
	cr_assert_eq(o.cmd, VIPC_CMD_SUGGEST);
	cr_assert_str_eq(o.from, "a.jsonl");
	cr_assert_str_eq(o.policy, "p.yaml");
	cr_assert_eq(o.timeout_s, 3);
	ACCEPTS("suggest", "--from", "-");
	ACCEPTS("suggest", "--from", "-", "--cgroup-root", "/sys/fs/cgroup", "--runtime-root",
		"docker=/d");
	REFUSES("vipc: suggest does not take --config", "suggest", "--from", "a", "-c", "p");
	REFUSES("vipc: suggest does not take --json", "suggest", "--from", "a", "--json");
	REFUSES("vipc: suggest does not take --count", "suggest", "--timeout", "1", "--count", "1");
	REFUSES("vipc: events does not take --from", "events", "--from", "a");
	REFUSES("vipc: reload does not take --policy", "reload", "--policy", "p");
}

Test(cli, top_takes_interval_count_and_json_only)
{
	struct vipc_cli o;

	cr_assert_eq(parse(&o, "top", "-i", "250", "--count", "2", "--json", NULL), 0, "%s",
		     err_text);
	cr_assert_eq(o.cmd, VIPC_CMD_TOP);
	cr_assert_eq(o.interval_ms, 250);
	cr_assert_eq(o.count, 2);
	cr_assert(o.json);
	cr_assert_eq(parse(&o, "t", NULL), 0, "the only command with a t");
	cr_assert_eq(o.cmd, VIPC_CMD_TOP);
	cr_assert_eq(o.interval_ms, 1000, "the default period");
	REFUSES("vipc: top does not take --watch", "top", "--watch", "1");
	REFUSES("vipc: top does not take --timeout", "top", "--timeout", "1");
}

Test(cli, each_row_counts_its_words)
{
	struct vipc_cli o;

	REFUSES("vipc: usage: vipc-loader grant CONTAINER ENDPOINT PERMS", "grant", "a", "b");
	REFUSES("vipc: usage: vipc-loader status", "status", "extra");
	REFUSES("vipc: usage: vipc-loader reload -c FILE", "reload");
	REFUSES("vipc: usage: vipc-loader revoke --endpoint ENDPOINT | vipc-loader revoke "
		"CONTAINER ENDPOINT", "revoke", "a");
	REFUSES("vipc: usage: vipc-loader revoke --endpoint ENDPOINT | vipc-loader revoke "
		"CONTAINER ENDPOINT", "revoke", "a", "b", "--endpoint", "e");
	REFUSES("vipc: usage: vipc-loader container add NAME | vipc-loader container rm NAME | "
		"vipc-loader container ls", "container", "mv", "a");
	REFUSES("vipc: container add needs exactly one of --cgroup and --pid", "container", "add",
		"x");
	REFUSES("vipc: container add needs exactly one of --cgroup and --pid", "container", "add",
		"x", "--pid", "1", "--cgroup", "a");
	REFUSES("vipc: metrics needs exactly one of --listen and --textfile", "metrics");
	cr_assert_eq(parse(&o, "revoke", "--endpoint", "e", NULL), 0, "%s", err_text);
	cr_assert_str_eq(o.verb->args, "--endpoint ENDPOINT");
	cr_assert_eq(parse(&o, "check", "--cgroup", "a", "e", "send", NULL), 0, "%s", err_text);
	cr_assert_eq(o.verb->nargs, 2);
	cr_assert_eq(parse(&o, "endpoint", "rm", "e", "o", NULL), 0, "%s", err_text);
	cr_assert_str_eq(o.verb->sub, "rm");
}

/* Every row runs something, and its command's enum matches its word. */
Test(cli, every_row_has_a_function)
{
	enum vipc_cmd cmd;
	size_t i;

	for (i = 0; i < vipc_nr_verbs; i++) {
		cr_expect(!vipc_verbs[i].fn != !vipc_verbs[i].edit, "row %zu: fn or edit", i);
		cr_expect(vipc_verbs[i].help && *vipc_verbs[i].help, "row %zu: help", i);
	}
	for (cmd = VIPC_CMD_LOAD; cmd < VIPC_NR_CMDS; cmd++) {
		for (i = 0; i < vipc_nr_verbs && vipc_verbs[i].cmd != cmd; i++)
			;
		cr_expect_lt(i, vipc_nr_verbs, "command %d has a row", cmd);
	}
}

/* "\fB\-\-NAME\fR", dashes escaped, as the man page shows option NAME. */
static void troff_opt(const char *name, char *out, size_t size)
{
	size_t off = snprintf(out, size, "\\fB\\-\\-");

	for (; *name && off + 3 < size; name++)
		off += snprintf(out + off, size - off, *name == '-' ? "\\-" : "%c", *name);
	snprintf(out + off, size - off, "\\fR");
}

/* --help and the man page come from the tables: every command and option. */
Test(cli, help_and_man_page_show_every_command_and_option)
{
	char *help = NULL, *man = NULL, want[128];
	size_t hlen = 0, mlen = 0, i;
	FILE *h = open_memstream(&help, &hlen), *m = open_memstream(&man, &mlen);
	FILE *in = fopen("deploy/vipc-loader.8.in", "re");

	cr_assert(h && m && in, "run from the source tree");
	vipc_cli_usage(h);
	cr_assert_eq(vipc_cli_man(in, m), 0);
	fclose(in);
	fclose(h);
	fclose(m);
	for (i = 0; i < VIPC_OPT__COUNT; i++) {
		snprintf(want, sizeof(want), "--%s", vipc_options[i].name);
		cr_expect(strstr(help, want), "help: %s", want);
		troff_opt(vipc_options[i].name, want, sizeof(want));
		cr_expect(strstr(man, want), "man: %s", want);
	}
	for (i = 1; i < vipc_nr_verbs; i++) {
		snprintf(want, sizeof(want), "\n.B %s", vipc_verbs[i].name);
		cr_expect(strstr(man, want), "man: %s", want);
		snprintf(want, sizeof(want), "\n  %s", vipc_verbs[i].name);
		cr_expect(strstr(help, want), "help: %s", want);
	}
	cr_expect(strstr(man, ".SH EXIT STATUS\n.TP\n.B 0\nOk.\n"), "man: exit statuses");
	cr_expect(!strstr(man, "@COMMANDS@") && !strstr(man, "@OPTIONS@") &&
		  !strstr(man, "@EXIT_STATUS@"), "man: every marker replaced");
	free(help);
	free(man);
}
