// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* container, endpoint, grant, revoke and channel: registry edits under
 * the lock.
 */
#include <errno.h>
#include <string.h>
#include "cmd.h"
#include "log.h"
#include "registry.h"

static int container_add(struct vipc_state *st, char **argv)
{
	struct vipc_policy pol = { .nr_containers = 1 };
	struct vipc_policy_container c = { .pid = vipc_opt.pid, .mode = vipc_opt.mode,
					   .unknown = vipc_opt.unknown };
	struct vipc_policy_error perr = {};
	int err;

	/* Resolve like the policy does: relative to the cgroup2 mount, or by pid. */
	snprintf(c.cgroup, sizeof(c.cgroup), "%s", vipc_opt.cgroup ? vipc_opt.cgroup : "");
	pol.containers = &c;
	err = vipc_policy_resolve(&pol, vipc_cgmount.path, "/proc", &perr);
	if (err)
		return vipc_fail(&st->err, -ENOENT, "%s", perr.msg);
	if (!c.cgroup_id)
		return vipc_fail(&st->err, -ENOENT, "no cgroup %s%s", vipc_cgmount.path, c.path);
	return vipc_container_add(st, argv[0], &c);
}

int vipc_container_rm_edit(struct vipc_state *st, char **argv)
{
	return vipc_container_rm(st, argv[0]);
}

int vipc_endpoint_add_edit(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_add(st, argv[0], argv[1], argv[2], vipc_opt.others);
}

int vipc_endpoint_rm_edit(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_rm(st, argv[0], argv[1]);
}

int vipc_grant_edit(struct vipc_state *st, char **argv)
{
	__u32 perms;

	if (vipc_perms_parse(argv[2], &perms))
		return vipc_fail(&st->err, -EINVAL,
				 "bad permissions '%s': expected connect,send,bind,pass-fd,receive",
				 argv[2]);
	return vipc_grant_set(st, argv[0], argv[1], perms);
}

int vipc_revoke_edit(struct vipc_state *st, char **argv)
{
	__u32 killed = 0;
	int err;

	if (!vipc_opt.endpoint)
		return vipc_grant_revoke(st, argv[0], argv[1]);
	err = vipc_endpoint_revoke(st, vipc_opt.endpoint, &killed);
	if (!err)
		pr_info("endpoint %s: generation bumped, %u grant(s) revoked\n", vipc_opt.endpoint, killed);
	return err;
}

int vipc_channel_add_edit(struct vipc_state *st, char **argv)
{
	char senders[64][VIPC_LABEL_MAX], *list = argv[2], *tok, *save = NULL;
	size_t n = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 64 || vipc_check_label(st, "sender", tok))
			return vipc_fail(&st->err, -EINVAL, "bad sender list (at most 64 names)");
		vipc_label_copy(senders[n++], tok);
	}
	return vipc_channel_add(st, argv[0], argv[1], senders, n, vipc_opt.capacity);
}

int vipc_channel_rm_edit(struct vipc_state *st, char **argv)
{
	return vipc_channel_rm(st, argv[0]);
}

int cmd_container_add(char **argv)
{
	if (vipc_find_cgroot())
		return VIPC_EXIT_NO_CGROUP2;
	return vipc_with_lock(container_add, argv, "container add");
}
