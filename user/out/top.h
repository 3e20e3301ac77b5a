/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* `vipc-loader top`: the decision counters summed per container and
 * endpoint, and the broker's calls per endpoint and instance, with their
 * rates per second, on a screen redrawn in place (ncurses) or as plain
 * lines (or JSON) when stdout is not a terminal.
 */
#ifndef __VIPC_TOP_H
#define __VIPC_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include "broker.h"
#include "decisions.h"
#include "policy.h"
#include "text.h"

/* What the rows are sorted by: the first by default; 's' takes the next. */
enum vipc_top_sort {
	VIPC_TOP_DENY_RATE,
	VIPC_TOP_ALLOW_RATE,
	VIPC_TOP_AUDIT_RATE,
	VIPC_TOP_DENIED,
	VIPC_TOP_NAME,
	VIPC_TOP__SORTS,
};

/* One container and endpoint: its decisions by verdict (enum vipc_outcome). */
struct vipc_top_row {
	__u32 container, endpoint;
	char container_name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)]; /* escaped, as decisions names it */
	char endpoint_name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	__u64 total[VIPC_V__COUNT];
	double rate[VIPC_V__COUNT]; /* per second since the previous snapshot */
};

/* One instance of an endpoint the broker sent calls to. */
struct vipc_top_sent {
	struct vipc_broker_row row;
	double rate; /* calls sent per second since the previous snapshot */
};

/* The rows read at one time. */
struct vipc_top_snap {
	struct vipc_top_row *v;
	size_t n, cap;
	struct vipc_top_sent *b; /* by endpoint, then instance index */
	size_t nb, bcap;
	__u64 at_ms;	  /* when read (CLOCK_MONOTONIC) */
	__u64 elapsed_ms; /* since the previous snapshot; 0: the first, rates unknown */
};

/* Count @d, a row of vipc_decisions_read_named, in the row of its
 * container and endpoint (the last row when it is theirs, else a new one):
 * 0 or -ENOMEM.
 */
int vipc_top_add(struct vipc_top_snap *s, const struct vipc_decision *d, const char *container,
		 const char *endpoint);
/* Keep of @rows (vipc_broker_read's, @n of them) the instances of each
 * endpoint the broker sent a call to, all of them: 0 or -ENOMEM.
 */
int vipc_top_broker(struct vipc_top_snap *s, const struct vipc_broker_row *rows, size_t n);
/* Sort by container and endpoint id, merging the rows of one pair. */
void vipc_top_index(struct vipc_top_snap *s);
/* @cur's rates (indexed) against @prev (NULL: the first snapshot; re-sorted
 * here by id), the broker's rows' too (by endpoint and index). A count that
 * went down (its row removed, then counted afresh) counts from 0.
 */
void vipc_top_rates(struct vipc_top_snap *cur, struct vipc_top_snap *prev);
/* Sort for display: by @by, descending, then by the total of the same
 * verdict, then by container and endpoint name.
 */
void vipc_top_sort(struct vipc_top_snap *s, enum vipc_top_sort by);
/* "deny/s", "allow/s", "audit/s", "denied", "name". */
const char *vipc_top_sort_name(enum vipc_top_sort by);
/* A rate as text: one decimal, "-" when not @known. */
void vipc_top_rate_format(double rate, bool known, char *buf, size_t size);
/* @name (escaped text) in at most @width columns: when longer, cut before
 * any \xNN it would split and ended with a lone '\' (no escaped name ends
 * in one, so a cut name cannot pass for another).
 */
void vipc_top_cut(const char *name, int width, char *buf, size_t size);
/* The column header, and row @i of @s, with name columns @cw and @ew wide
 * (longer names widen them, unless @cut: then vipc_top_cut to the width).
 */
void vipc_top_header(int cw, int ew, char *buf, size_t size);
void vipc_top_line(const struct vipc_top_snap *s, size_t i, int cw, int ew, bool cut, char *buf,
		   size_t size);
/* The broker's header, and its row @i of @s, with the endpoint and
 * instance columns @ew and @iw wide (as vipc_top_line's, with @cut).
 */
void vipc_top_broker_header(int ew, int iw, char *buf, size_t size);
void vipc_top_broker_line(const struct vipc_top_snap *s, size_t i, int ew, int iw, bool cut,
			  char *buf, size_t size);
void vipc_top_free(struct vipc_top_snap *s);

struct vipc_top_opts {
	__u64 interval_ms; /* between snapshots */
	long count;	   /* snapshots, then return; 0: until q, Ctrl-C or SIGTERM */
	bool json;	   /* one JSON document per snapshot, never the screen */
};

/* The view, until q (screen), vipc_stop or @o->count snapshots: the screen
 * when stdin and stdout are a terminal (and not json), else one snapshot
 * per interval.
 * 0 or -errno: -ENOENT when vipc was unloaded meanwhile, -ENOTTY when
 * ncurses cannot drive the terminal.
 */
int vipc_top_run(struct vipc_state *st, const struct vipc_top_opts *o);

#endif /* __VIPC_TOP_H */
