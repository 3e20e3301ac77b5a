// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Errors keep their own message and status: a registry failure's message
 * is given for that error only, once, and by the instance it failed on, and the policy parser under a
 * failing allocator says out of memory (-ENOMEM), never a bad policy.
 * Linked with --wrap=malloc,calloc: allocation N of a parse can fail.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "policy.h"
#include "registry.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);

static bool armed;	 /* count (and fail) allocations only during a parse */
static long allocs;	 /* allocations since armed */
static long fail_at = -1; /* the allocation that fails, from 0 */

void *__wrap_malloc(size_t size)
{
	if (armed && allocs++ == fail_at)
		return NULL;
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (armed && allocs++ == fail_at)
		return NULL;
	return __real_calloc(n, size);
}

/* ---- the error record ---- */

Test(record, message_goes_with_its_error_only)
{
	struct vipc_state st = {};
	char msg[256];

	cr_assert_eq(vipc_check_label(&st, "container", ""), -EINVAL);
	cr_assert_str_eq(vipc_err_take(&st.err, -EBADF, msg, sizeof(msg)), strerror(EBADF),
			 "an unrelated failure shows its own errno, not the stale message");
}

Test(record, message_is_taken_once)
{
	struct vipc_state st = {};
	char msg[256];

	cr_assert_eq(vipc_check_label(&st, "channel", ""), -EINVAL);
	cr_assert(strstr(vipc_err_take(&st.err, -EINVAL, msg, sizeof(msg)), "channel name must be"),
		  "%s", msg);
	cr_assert_str_eq(vipc_err_take(&st.err, -EINVAL, msg, sizeof(msg)), strerror(EINVAL),
			 "a later -EINVAL of another cause");
}

Test(record, latest_failure_wins)
{
	struct vipc_state st = {};
	char msg[256];

	cr_assert_eq(vipc_check_label(&st, "container", ""), -EINVAL);
	cr_assert_eq(vipc_fail(&st.err, -ENOENT, "no container x"), -ENOENT);
	cr_assert_str_eq(vipc_err_take(&st.err, -ENOENT, msg, sizeof(msg)), "no container x");
}

/* Nothing is kept process-wide: one instance's failure is not another's. */
Test(record, each_instance_keeps_its_own)
{
	struct vipc_state a = {}, b = {};
	char msg[256];

	cr_assert_eq(vipc_check_label(&a, "endpoint", ""), -EINVAL);
	cr_assert_str_eq(vipc_err_take(&b.err, -EINVAL, msg, sizeof(msg)), strerror(EINVAL));
	cr_assert(strstr(vipc_err_take(&a.err, -EINVAL, msg, sizeof(msg)), "endpoint name must be"),
		  "%s", msg);
	cr_assert_str_eq(vipc_err_take(NULL, -ENOENT, msg, sizeof(msg)), strerror(ENOENT));
}

Test(record, exit_status_per_error)
{
	cr_assert_eq(vipc_exit_status(0), VIPC_EXIT_OK);
	cr_assert_eq(vipc_exit_status(-ENOMEM), VIPC_EXIT_NO_MEMORY);
	cr_assert_eq(vipc_exit_status(-EINVAL), VIPC_EXIT_USAGE);
	cr_assert_eq(vipc_exit_status(-ENOENT), VIPC_EXIT_NOT_FOUND);
	cr_assert_eq(vipc_exit_status(-EACCES), VIPC_EXIT_NOT_OWNER);
	cr_assert_eq(vipc_exit_status(-EPROTO), VIPC_EXIT_INCOMPATIBLE);
	cr_assert_eq(vipc_exit_status(-E2BIG), VIPC_EXIT_FULL);
	cr_assert_eq(vipc_exit_status(-EEXIST), VIPC_EXIT_EXISTS);
	cr_assert_eq(vipc_exit_status(-EIO), VIPC_EXIT_DENIED);
}

/* ---- the parser out of memory ---- */

/* Every section, so every allocation site of the parser runs. */
static const char policy[] = "version: 1\n"
			     "containers:\n"
			     "  a: { cgroup: a }\n"
			     "  b: { cgroup: b }\n"
			     "endpoints:\n"
			     "  e: { owner: a, unix: /run/e.sock }\n"
			     "  f: { owner: a, abstract: f }\n"
			     "channels:\n"
			     "  c: { endpoint: f, receiver: a, senders: [b] }\n"
			     "grants:\n"
			     "  - { container: b, endpoint: e, allow: [connect] }\n";

static int parse(const char *path, long fail, struct vipc_policy_error *perr)
{
	struct vipc_policy *pol;
	int ret;

	fail_at = fail;
	allocs = 0;
	armed = true;
	ret = path ? vipc_policy_parse_file(path, &pol, perr) :
		     vipc_policy_parse_string(policy, strlen(policy), "p.yaml", &pol, perr);
	armed = false;
	vipc_policy_free(pol);
	return ret;
}

/* Fail allocation 0, 1, 2... until one parse needs no more: each is -ENOMEM. */
static long fail_each(const char *path)
{
	struct vipc_policy_error perr;
	long i;
	int ret;

	for (i = 0;; i++) {
		ret = parse(path, i, &perr);
		if (allocs <= i)
			break;
		cr_assert_eq(ret, -ENOMEM, "allocation %ld failing: %d (%s)", i, ret, perr.msg);
		cr_assert_str_eq(perr.msg, "out of memory");
	}
	cr_assert_eq(ret, 0, "with every allocation granted: %s", perr.msg);
	return i;
}

Test(nomem, every_parser_allocation_failing_is_enomem)
{
	cr_assert_geq(fail_each(NULL), 6, "policy, three sections, senders, grants");
}

Test(nomem, reading_the_file_failing_is_enomem)
{
	char path[] = "/tmp/vipc-nomem-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, policy, strlen(policy)), (ssize_t)strlen(policy));
	close(fd);
	cr_assert_geq(fail_each(path), 7, "the file's buffer, then the parse");
	unlink(path);
}
