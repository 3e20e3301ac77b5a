// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* suggest: the grants (and containers) the audit records ask for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "daemon.h"
#include "log.h"
#include "suggest.h"

/* suggest's reads of the pinned instance: root only, said so. */
static int suggest_state(struct vipc_state *st)
{
	char missing[128];

	if (vipc_caps_check(missing, sizeof(missing))) {
		pr_warn("suggest: missing capabilities %s to read %s (run with sudo, or give "
			"--from FILE and --policy FILE)\n", missing, vipc_opt.timeout_s ? "live events" :
			"the loaded registry");
		return VIPC_EXIT_NO_PRIVILEGE;
	}
	return vipc_open_state(st, false);
}

/* The records: the --from file (or stdin), then --timeout S of live events. */
static int suggest_collect(struct vipc_suggest *s, struct vipc_state *st)
{
	bool in = vipc_opt.from && !strcmp(vipc_opt.from, "-");
	FILE *f = NULL;
	int err = 0;

	if (vipc_opt.from && !(f = in ? stdin : fopen(vipc_opt.from, "re"))) {
		pr_warn("suggest: %s: %s\n", vipc_opt.from, strerror(errno));
		return VIPC_EXIT_DENIED;
	}
	if (f)
		err = vipc_suggest_read(s, f, in ? "stdin" : vipc_opt.from);
	if (f && !in)
		fclose(f);
	if (!err && vipc_opt.timeout_s)
		err = vipc_suggest_live(s, st, vipc_cgmount.path[0] ? vipc_cgmount.path : NULL, vipc_opt.timeout_s);
	return err ? vipc_report(NULL, err, "suggest: reading events") : 0;
}

/* The --policy FILE's text, checked to parse before any event is read. */
static int suggest_policy_text(char **text, size_t *len)
{
	struct vipc_policy_error perr = {};
	struct vipc_policy *pol = NULL;
	int err;

	snprintf(perr.file, sizeof(perr.file), "%s", vipc_opt.policy);
	err = vipc_policy_read_file(vipc_opt.policy, text, len, &perr) ?:
	      vipc_policy_parse_string(*text, *len, vipc_opt.policy, &pol, &perr);
	vipc_policy_free(pol);
	return err ? vipc_report_policy(err, &perr) : 0;
}

/* The policy @text with the grants merged in, or (NULL) a fragment. */
static int suggest_write(struct vipc_suggest *s, struct vipc_state *st, const char *text,
			 size_t len)
{
	struct vipc_policy_error perr = {};
	struct vipc_policy *base = NULL;
	int err;

	if (!text) {
		err = vipc_suggest_base(st, &base) ?: vipc_suggest_fragment(s, base, stdout);
		vipc_policy_free(base);
		return vipc_report(NULL, err, "suggest");
	}
	err = vipc_suggest_policy(s, text, len, vipc_opt.policy, stdout, &perr);
	return err == -EINVAL ? vipc_report_policy(err, &perr) : vipc_report(NULL, err, "suggest");
}

int cmd_suggest(char **argv)
{
	bool live = vipc_opt.timeout_s || !vipc_opt.policy;
	struct vipc_suggest *s = NULL;
	struct vipc_state st;
	char *text = NULL;
	size_t len = 0;
	int ret;

	(void)argv;
	if (!vipc_opt.from && !vipc_opt.timeout_s)
		return vipc_usage_error("suggest takes --from FILE (- for stdin) and/or --timeout S");
	/* Phase 1: the policy, the sums, and what is read live, or why not;
	 * the cgroup2 mount (--cgroup-root's must be one) and the runtimes'
	 * state, for the cgroups of callers no container holds.
	 */
	ret = vipc_opt.policy ? suggest_policy_text(&text, &len) : 0;
	if (!ret && vipc_opt.cgroup_root)
		ret = vipc_find_cgroot();
	if (!ret && vipc_suggest_new(&s))
		ret = vipc_report(NULL, -ENOMEM, "suggest");
	if (!ret)
		vipc_suggest_where(s, vipc_find_cgroot() ? NULL : vipc_cgmount.path, &vipc_opt.rt_roots);
	if (!ret && live)
		ret = suggest_state(&st);
	/* Phase 2: the records in, the policy out. */
	if (!ret) {
		ret = suggest_collect(s, &st) ?: suggest_write(s, &st, text, len);
		if (live)
			vipc_state_close(&st);
	}
	vipc_suggest_free(s);
	free(text);
	return ret;
}
