/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc's counters as Prometheus metrics: what one scrape reads from the
 * pinned instance, the metric families written from it, and the two ways
 * to publish them (an HTTP endpoint, a textfile for node_exporter).
 */
#ifndef __VIPC_METRICS_H
#define __VIPC_METRICS_H

#include "broker.h"
#include "httpd.h"
#include "promtext.h"
#include "state.h"
#include "stream.h"

enum vipc_metrics_table {
	VIPC_TABLE_CONTAINERS,
	VIPC_TABLE_ENDPOINTS,
	VIPC_TABLE_GRANTS,
	VIPC_TABLE_CHANNELS,
	VIPC_TABLE_BINDINGS,  /* vipc_principals: cgroups bound, per slot as the containers */
	VIPC_TABLE_DECISIONS, /* vipc_decisions: its rows (not slotted; the hot rows aside) */
	VIPC_NR_TABLES,
};

/* One series of vipc_decisions_total: a container's decisions on an
 * endpoint with one verdict (and, for deny and audit, one reason), summed
 * over the hooks. Names as the live slot has them; "-" for none.
 */
struct vipc_metrics_decision {
	char container[VIPC_LABEL_MAX + 1];
	char endpoint[VIPC_LABEL_MAX + 1];
	__u8 verdict; /* enum vipc_outcome */
	__u8 reason;  /* enum vipc_reason; 0 for allow, which has no reason label */
	__u64 count;
};

/* A container of the live slot and the cgroups bound to it. */
struct vipc_metrics_binding {
	char container[VIPC_LABEL_MAX + 1];
	__u32 id;
	__u64 cgroups;
};

/* Everything one scrape reads, read at once. */
struct vipc_metrics_src {
	struct vipc_stats_all stats;
	struct vipc_registry_stats reg;
	long entries[VIPC_NR_TABLES]; /* in the live slot */
	__u32 limits[VIPC_NR_TABLES]; /* per slot */
	__u32 backends;		      /* enum vipc_backend bits attached */
	__u32 attached;		      /* bit i: vipc_hooks[i]'s link is pinned */
	struct vipc_metrics_decision *decisions; /* sorted by their labels */
	size_t nr_decisions;
	struct vipc_metrics_binding *bindings; /* sorted by container */
	size_t nr_bindings;
	struct vipc_broker_row *broker; /* the live routes' instances, by endpoint */
	size_t nr_broker;
};

/* Read @src from @st (opened read-only or not): 0 or -errno. Free it with
 * vipc_metrics_free() either way.
 */
int vipc_metrics_read(struct vipc_state *st, struct vipc_metrics_src *src);
void vipc_metrics_free(struct vipc_metrics_src *src);
/* Every metric family of @src into @p. */
void vipc_metrics_write(const struct vipc_metrics_src *src, struct vipc_prom *p);
/* A vipc_collect_fn: @ctx NULL opens the pins read-only for each scrape
 * (and closes them after), else it is a struct vipc_state kept open.
 */
int vipc_metrics_collect(void *ctx, struct vipc_prom *p);

/* Write the text exposition to @path atomically (a temporary file in the
 * same directory, renamed over it): 0 or -errno.
 */
int vipc_metrics_textfile(const char *path);

#endif /* __VIPC_METRICS_H */
