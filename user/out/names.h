/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The words for the enums of include/vipc.h, in one place: the policy, the
 * command line, ls, status, events, metrics and suggest say them alike.
 * Each list is in its enum's order (a bit's: by its index) and ends with NULL.
 */
#ifndef __VIPC_NAMES_H
#define __VIPC_NAMES_H

#include <linux/types.h>
#include "vipc.h"

extern const char *const vipc_backend_names[VIPC_NR_BACKENDS + 1]; /* "sock", ... */
extern const char *const vipc_mode_names[];			    /* "enforce", "audit" */
extern const char *const vipc_unknown_names[];			    /* "allow", "deny" */
extern const char *const vipc_others_names[VIPC_OTHERS__COUNT + 1]; /* "deny", ... */
extern const char *const vipc_verdict_names[VIPC_V__COUNT + 1];     /* "allow", ... */
extern const char *const vipc_perm_names[];			    /* "connect", ... */
extern const char *const vipc_selector_names[];			    /* "", "cgroup", ... */

/* @word's index in the NULL-terminated @names, or -1. */
int vipc_name_index(const char *const *names, const char *word);

/* enum vipc_reason as events, check and stats name it ("no-grant"), "?" if none. */
const char *vipc_reason_str(enum vipc_reason reason);
/* enum vipc_outcome: "allow", "deny", "audit"; "?" if none. */
const char *vipc_outcome_str(unsigned int verdict);
/* enum vipc_others as the policy writes it: "deny", "allow" or "audit"; "?" if none. */
const char *vipc_others_str(__u8 others);

#endif /* __VIPC_NAMES_H */
