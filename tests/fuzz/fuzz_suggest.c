// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target: an event log for suggest. The input is read as lines
 * of `events --json`; whatever it holds, every line is counted once (good,
 * skipped or bad), and the policy it suggests (merged into a fixed policy,
 * with the containers callers no container held become, by cgroup or by
 * the runtime names of the unit tests' fixture state) and the fragment are
 * written, the policy checked to parse back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "suggest.h"
#include "runtime.h"
#include "log.h"

#define FIXTURES "tests/unit/fixtures/runtime" /* run from the repository root */

static const struct vipc_rt_roots roots = {
	.docker = FIXTURES "/docker",
	.podman = FIXTURES "/podman",
	.containerd = { FIXTURES "/containerd" },
};

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static const char policy[] = "version: 1\n"
			     "containers:\n"
			     "  srv: { cgroup: a }\n"
			     "  bad: { cgroup: b }\n"
			     "endpoints:\n"
			     "  sock: { owner: srv, unix: /shared/s.sock }\n"
			     "  abs: { owner: srv, abstract: vipc-abs }\n"
			     "grants:\n"
			     "  - { container: bad, endpoint: abs, allow: [send] }\n";

/* @s's suggestions merged into the policy: they must parse. */
static void write_policy(struct vipc_suggest *s)
{
	struct vipc_policy_error perr;
	struct vipc_policy *back = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(f);
	CHECK(vipc_suggest_policy(s, policy, strlen(policy), "p", f, &perr) == 0);
	fclose(f);
	CHECK(vipc_policy_parse_string(out, len, "out", &back, &perr) == 0);
	CHECK(back->nr_endpoints == 2 && back->nr_containers >= 2);
	vipc_policy_free(back);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vipc_suggest_counts *n;
	struct vipc_policy_error perr;
	struct vipc_policy *base = NULL;
	struct vipc_suggest *s = NULL;
	FILE *in, *sink;

	if (!size)
		return 0;
	vipc_log_level = VIPC_LOG_WARN;
	in = fmemopen((void *)data, size, "r");
	sink = fopen("/dev/null", "w");
	CHECK(in && sink && vipc_suggest_new(&s) == 0);
	vipc_suggest_where(s, NULL, &roots);
	CHECK(vipc_suggest_read(s, in, "log") == 0);
	n = vipc_suggest_counts(s);
	CHECK(n->records + n->skipped + n->bad == n->lines);
	CHECK(n->calls >= n->records);
	write_policy(s);
	CHECK(vipc_policy_parse_string(policy, strlen(policy), "p", &base, &perr) == 0);
	CHECK(vipc_suggest_fragment(s, base, sink) == 0);
	vipc_policy_free(base);
	vipc_suggest_free(s);
	fclose(in);
	fclose(sink);
	return 0;
}
