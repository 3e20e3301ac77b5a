// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target: the policy parser on arbitrary bytes. A parse either
 * fails with a message (and a position inside the text) or yields a policy
 * whose every reference is defined and whose every name fits its field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static void check_error(const struct vipc_policy_error *err)
{
	char msg[PATH_MAX + 600];

	CHECK(err->msg[0]);
	CHECK(err->line >= 0 && (!err->line || err->column > 0));
	vipc_policy_error_format(err, msg, sizeof(msg));
	CHECK(!strncmp(msg, "fuzz:", 5));
}

static void check_label(const char *label)
{
	CHECK(label[0] && strnlen(label, VIPC_LABEL_MAX) < VIPC_LABEL_MAX);
}

static void check_policy(const struct vipc_policy *pol)
{
	size_t i, j;

	for (i = 0; i < pol->nr_containers; i++)
		check_label(pol->containers[i].name);
	for (i = 0; i < pol->nr_endpoints; i++) {
		check_label(pol->endpoints[i].name);
		CHECK(pol->endpoints[i].len > 0 && pol->endpoints[i].len <= VIPC_NAME_MAX);
		CHECK(vipc_policy_container(pol, pol->endpoints[i].owner));
	}
	for (i = 0; i < pol->nr_grants; i++) {
		CHECK(vipc_policy_container(pol, pol->grants[i].container));
		CHECK(vipc_policy_endpoint(pol, pol->grants[i].endpoint));
		CHECK(pol->grants[i].perms && !(pol->grants[i].perms & ~VIPC_PERM_ALL));
	}
	for (i = 0; i < pol->nr_channels; i++) {
		CHECK(vipc_policy_endpoint(pol, pol->channels[i].endpoint));
		CHECK(pol->channels[i].nr_senders > 0);
		for (j = 0; j < pol->channels[i].nr_senders; j++)
			CHECK(vipc_policy_container(pol, pol->channels[i].senders[j]));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vipc_policy_error err;
	struct vipc_policy *pol = NULL;

	if (vipc_policy_parse_string((const char *)data, size, "fuzz", &pol, &err)) {
		CHECK(!pol);
		check_error(&err);
		return 0;
	}
	check_policy(pol);
	/* Resolving against roots that do not exist must fail cleanly. */
	if (vipc_policy_resolve(pol, "/nonexistent-cgroup2", "/nonexistent-proc", &err))
		check_error(&err);
	vipc_policy_free(pol);
	return 0;
}
