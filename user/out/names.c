// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The words for the enums of include/vipc.h (names.h). */
#include <string.h>
#include "names.h"

const char *const vipc_backend_names[VIPC_NR_BACKENDS + 1] = { "sock", "lsm", "fmodret", NULL };
const char *const vipc_mode_names[] = {
	[VIPC_MODE_ENFORCE] = "enforce", [VIPC_MODE_AUDIT] = "audit", NULL
};
const char *const vipc_unknown_names[] = {
	[VIPC_UNKNOWN_ALLOW] = "allow", [VIPC_UNKNOWN_DENY] = "deny", NULL
};
const char *const vipc_others_names[VIPC_OTHERS__COUNT + 1] = {
	[VIPC_OTHERS_DENY] = "deny", [VIPC_OTHERS_ALLOW] = "allow", [VIPC_OTHERS_AUDIT] = "audit",
};
const char *const vipc_verdict_names[VIPC_V__COUNT + 1] = {
	[VIPC_V_ALLOW] = "allow", [VIPC_V_DENY] = "deny", [VIPC_V_AUDIT] = "audit",
};
const char *const vipc_perm_names[] = { "connect", "send", "bind", "pass-fd", "receive", NULL };
const char *const vipc_selector_names[] = {
	"", [VIPC_SEL_CGROUP] = "cgroup", [VIPC_SEL_PID] = "pid", [VIPC_SEL_GLOB] = "glob",
	[VIPC_SEL_DOCKER] = "docker", [VIPC_SEL_PODMAN] = "podman",
	[VIPC_SEL_ANNOTATIONS] = "annotations", NULL
};

static const char *const reason_names[VIPC_R__COUNT] = {
	[VIPC_R_UNCONFINED] = "unconfined",	[VIPC_R_OWNER] = "owner",
	[VIPC_R_GRANTED] = "granted",		[VIPC_R_UNKNOWN_ALLOW] = "unknown-allow",
	[VIPC_R_UNKNOWN_DENY] = "unknown-deny", [VIPC_R_NO_GRANT] = "no-grant",
	[VIPC_R_NO_PERM] = "no-permission",	[VIPC_R_REVOKED] = "revoked",
	[VIPC_R_IMPOSTOR] = "impostor",		[VIPC_R_FULL] = "channel-full",
	[VIPC_R_HELD] = "held",			[VIPC_R_PUBLIC] = "public",
};

int vipc_name_index(const char *const *names, const char *word)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], word))
			return i;
	return -1;
}

const char *vipc_reason_str(enum vipc_reason reason)
{
	return reason < VIPC_R__COUNT && reason_names[reason] ? reason_names[reason] : "?";
}

const char *vipc_outcome_str(unsigned int verdict)
{
	return verdict < VIPC_V__COUNT ? vipc_verdict_names[verdict] : "?";
}

const char *vipc_others_str(__u8 others)
{
	return others < VIPC_OTHERS__COUNT ? vipc_others_names[others] : "?";
}
