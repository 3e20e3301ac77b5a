/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The per-container decision counters (vipc_decisions): read, pruned of
 * removed containers and endpoints, named, printed by `stats --by-container`.
 */
#ifndef __VIPC_DECISIONS_H
#define __VIPC_DECISIONS_H

#include <stdbool.h>
#include "state.h"
#include "text.h"

/* One row: its key and the count summed over CPUs. */
struct vipc_decision {
	struct vipc_decision_key key;
	__u64 count;
};

/* Called for each row with the live slot's labels of its container and
 * endpoint: "" for id 0 (an unconfined caller, a name not registered),
 * NULL once removed. Non-zero stops the read and is returned.
 */
typedef int (*vipc_decision_fn)(const struct vipc_decision *d, const char *container,
				const char *endpoint, void *ctx);

/* Every row of vipc_decisions, in key order: 0, @fn's non-zero value, or
 * -errno. The reader the statistics and the metrics share.
 */
int vipc_decisions_read(struct vipc_state *st, vipc_decision_fn fn, void *ctx);
/* Rows vipc_decisions holds now (the hot rows aside), or -errno. */
long vipc_decisions_count(struct vipc_state *st);
/* Called for each row with its container and endpoint as text: the label
 * through the one escape (vipc_label_format), "-" for 0, "#id" when the
 * live slot no longer holds it.
 */
typedef int (*vipc_decision_named_fn)(const struct vipc_decision *d, const char *container,
				      const char *endpoint, void *ctx);
/* vipc_decisions_read, each row named by the slot live as it reads
 * (followed into st->cfg.active_slot, see vipc_slot_moved): 0, @fn's
 * non-zero value, or -errno. `stats --by-container` and `top`.
 */
int vipc_decisions_read_named(struct vipc_state *st, vipc_decision_named_fn fn, void *ctx);
/* Delete the rows of containers and endpoints the live slot no longer
 * holds (after a reload or `endpoint rm`): 0 or -errno.
 */
int vipc_decisions_prune(struct vipc_state *st);

#endif /* __VIPC_DECISIONS_H */
