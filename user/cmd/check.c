// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* check: the decision on one container (or cgroup), endpoint and permission.
 */
#include <errno.h>
#include <stdio.h>
#include "cmd.h"
#include "jsonout.h"
#include "registry.h"
#include "vipc_decide.h"
#include "text.h"

/* {"allowed":B,"reason":R,"audit":B[,"container":NAME|null]}: 0 or -ENOMEM. */
static int check_json(const struct vipc_check_result *r)
{
	json_object *doc = json_object_new_object();
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	int err;

	err = vipc_json_add(doc, "allowed", json_object_new_boolean(r->allowed));
	err = err ?: vipc_json_add_str(doc, "reason", vipc_reason_str(r->reason));
	err = err ?: vipc_json_add(doc, "audit",
				   json_object_new_boolean(r->allowed && vipc_reason_denies(r->reason)));
	if (!err && vipc_opt.cgroup && !r->contained)
		err = vipc_json_add_null(doc, "container");
	else if (!err && vipc_opt.cgroup) {
		vipc_label_format(r->caller.name, who, sizeof(who));
		err = vipc_json_add_str(doc, "container", who);
	}
	return vipc_json_print(vipc_json_done(doc, err));
}

/* "allow (granted)", "deny (no-grant), no container", ... */
static void check_text(const struct vipc_check_result *r)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];

	vipc_label_format(r->caller.name, who, sizeof(who));
	printf("%s (%s%s)", r->allowed ? "allow" : "deny", vipc_reason_str(r->reason),
	       r->allowed && vipc_reason_denies(r->reason) ? ", audit mode: would deny" : "");
	if (vipc_opt.cgroup)
		printf(r->contained ? ", container %s" : ", no container%s", r->contained ? who : "");
	printf("\n");
}

/* The caller's cgroup of `check --cgroup PATH`, resolved as a policy's. */
static int check_cgroup(struct vipc_state *st, char **argv, __u32 perm,
			struct vipc_check_result *r)
{
	struct vipc_policy_container c = {};
	struct vipc_policy pol = { .containers = &c, .nr_containers = 1 };
	struct vipc_policy_error perr = {};

	snprintf(c.cgroup, sizeof(c.cgroup), "%s", vipc_opt.cgroup);
	if (vipc_policy_resolve(&pol, vipc_cgmount.path, "/proc", &perr))
		return vipc_fail(&st->err, -EINVAL, "--cgroup %s: %s", vipc_opt.cgroup, perr.msg);
	return vipc_check_cgroup(st, vipc_cgmount.path, c.path, argv[0], perm, r);
}

int cmd_check(char **argv)
{
	struct vipc_check_result r = { .contained = true };
	int nargs = vipc_opt.cgroup ? 2 : 3, ret, err;
	struct vipc_state st;
	__u32 perm;

	if (vipc_perm_parse(argv[nargs - 1], &perm))
		return vipc_usage_error("bad permission '%s': expected connect, send, bind, pass-fd or "
					"receive",
					argv[nargs - 1]);
	ret = (vipc_opt.cgroup ? vipc_find_cgroot() : 0) ?: vipc_open_state(&st, false);
	if (ret)
		return ret;
	err = vipc_opt.cgroup ? check_cgroup(&st, argv, perm, &r) :
			   vipc_check(&st, argv[0], argv[1], perm, &r.reason, &r.allowed);
	vipc_state_close(&st);
	if (err)
		return vipc_report(&st.err, err, "check");
	if (vipc_opt.json && check_json(&r))
		return vipc_report(NULL, -ENOMEM, "check");
	if (!vipc_opt.json)
		check_text(&r);
	return r.allowed ? VIPC_EXIT_OK : VIPC_EXIT_DENIED;
}
