/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* From an audit record to policy: the deny and would-deny records of
 * `events --json` (or of the ring buffer) summed per (container, socket
 * name), those of callers no container holds per (cgroup, socket name),
 * then written as the grants, the containers and the endpoints that would
 * have allowed them: merged into a policy file (the whole new policy), or
 * as a fragment against the loaded registry. YAML through libyaml's
 * emitter, which quotes and escapes every name.
 */
#ifndef __VIPC_SUGGEST_H
#define __VIPC_SUGGEST_H

#include <stdio.h>
#include <json-c/json.h>
#include "policy.h"
#include "state.h"

struct vipc_suggest;
struct vipc_rt_roots;

/* What was read. */
struct vipc_suggest_counts {
	unsigned long lines;   /* lines read */
	unsigned long records; /* deny and would-deny records summed */
	unsigned long skipped; /* other records (snapshots, cgroup-gone, empty summaries), blanks */
	unsigned long bad;     /* lines refused: not JSON, or a record missing a field */
	__u64 calls;	       /* calls the records stand for (1 + "suppressed" each) */
};

int vipc_suggest_new(struct vipc_suggest **out);
void vipc_suggest_free(struct vipc_suggest *s);
const struct vipc_suggest_counts *vipc_suggest_counts(const struct vipc_suggest *s);
/* Where the cgroup of a caller no container holds is looked up, for the
 * container it becomes: @cgroot, the cgroup2 mount (NULL: not known; a
 * policy's `cgroup:` paths are then read as relative to it), and @roots,
 * the runtimes' state (NULL: no `docker:` or `podman:` selector is
 * suggested, only `cgroup:`). Both must outlive @s.
 */
void vipc_suggest_where(struct vipc_suggest *s, const char *cgroot,
			const struct vipc_rt_roots *roots);

/* One record: 1 a deny or would-deny summed, 0 another one (skipped),
 * -EINVAL a bad one (@why, printable, says what is wrong), -ENOMEM.
 */
int vipc_suggest_record(struct vipc_suggest *s, json_object *rec, char *why, size_t size);
/* One line of `events --json`, as vipc_suggest_record; a blank line is 0. */
int vipc_suggest_line(struct vipc_suggest *s, const char *line, size_t len, char *why,
		      size_t size);
/* Every line of @f; each bad one is reported as "@name:LINE: why" on
 * stderr and skipped. 0, -ENOMEM, or -EIO when @f could not be read.
 */
int vipc_suggest_read(struct vipc_suggest *s, FILE *f, const char *name);

/* The policy @text (named @name in errors) with the suggested grants and
 * containers merged in, on @out: comments (what was added and why, with
 * counts; what a grant cannot fix; the endpoints to register, commented
 * out), then the whole policy, checked to parse. 0, -EINVAL for a bad
 * policy (@perr filled), -ENOMEM, or -EIO.
 */
int vipc_suggest_policy(struct vipc_suggest *s, const char *text, size_t len, const char *name,
			FILE *out, struct vipc_policy_error *perr);
/* The same comments, then a fragment against @base (the loaded registry as
 * a policy): the `containers:` to add, if any, and `grants:`, each grant
 * whole, the permissions it has and the ones added. 0, -ENOMEM or -EIO.
 */
int vipc_suggest_fragment(struct vipc_suggest *s, const struct vipc_policy *base, FILE *out);

/* The loaded registry's live slot as a policy (containers with their exact
 * `cgroup:`, `docker:` or `podman:` selector, endpoints and grants by
 * name), the base of a fragment: 0 or -errno.
 */
int vipc_suggest_base(struct vipc_state *st, struct vipc_policy **out);
/* Sum the deny and would-deny events of the ring buffer for @timeout_s
 * seconds (0: until SIGINT/SIGTERM), the cgroups of callers no container
 * holds found under @cgroot (NULL: not recorded): 0 or -errno.
 */
int vipc_suggest_live(struct vipc_suggest *s, struct vipc_state *st, const char *cgroot,
		      int timeout_s);

#endif /* __VIPC_SUGGEST_H */
