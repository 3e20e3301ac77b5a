/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Statistics and the event stream. */
#ifndef __VIPC_STREAM_H
#define __VIPC_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include "state.h"

struct vipc_event_names;
struct vipc_binder;

struct vipc_stream_opts {
	__u64 interval_ms; /* stats snapshot period, 0 = no snapshots */
	long count;	   /* stop after this many deny/audit events (not summaries), 0 = never */
	int timeout_s;	   /* stop after this long, 0 = never */
	bool json;
	/* The cgroup2 mount, to name the cgroup of callers no container holds
	 * (NULL: they are only "-").
	 */
	const char *cgroot;
	/* When set, deny and would-deny events go here instead of stdout, and
	 * nothing else is printed; non-zero stops the stream with that error.
	 */
	int (*sink)(void *ctx, const struct vipc_event *e, const struct vipc_event_names *n);
	void *sink_ctx;
	/* When set, called once per turn of the loop (at least every 100 ms):
	 * the daemon's own work; non-zero stops the stream with that error.
	 */
	int (*tick)(void *ctx);
	void *tick_ctx;
	/* The daemon's: held cgroups settled as they come (NULL: none). */
	struct vipc_binder *binder;
	/* Leave the ring buffer to `events` and `suggest` (each record goes to
	 * one reader): no event, no snapshot, only the turns' work (the tick,
	 * the binder: holds seen by their counter), every VIPC_TURN_MS.
	 */
	bool leave_ring;
};

#define VIPC_TURN_MS 20 /* a turn of a loop that leaves the ring buffer */

/* Set by SIGINT/SIGTERM handlers: stop streaming. */
extern volatile sig_atomic_t vipc_stop;

/* Sum the per-CPU decision counters. */
/* The decision counters summed over CPUs: per hook, and in total. */
struct vipc_stats_all {
	struct vipc_stats total;
	struct vipc_stats hook[VIPC_HOOK__COUNT];
};

int vipc_stats_read(struct vipc_state *st, struct vipc_stats_all *out);
/* Totals, then (@hooks not NULL) each hook's, then (@r not NULL) the
 * registry's: 0, or -ENOMEM when the JSON could not be built.
 */
int vipc_stats_print(const struct vipc_stats *total, const struct vipc_stats *hooks,
		     const struct vipc_registry_stats *r, bool json);
/* Stream events (and snapshots) from the ring buffer until stopped;
 * returns 0, or -ETIMEDOUT when a count was asked and not reached.
 */
int vipc_events_stream(struct vipc_state *st, const struct vipc_stream_opts *o);
/* Start or stop (0) the in-kernel snapshot timer (vipc_settings, no lock needed). */
int vipc_stats_interval(struct vipc_state *st, __u64 interval_ms);
/* Run the timer program: the snapshots and the event flush, each if set. */
int vipc_timers_start(struct vipc_state *st);
/* Per key one deny event per @interval_ms (0: every event), in vipc_config:
 * only with the pin-directory lock held.
 */
int vipc_events_rate_set(struct vipc_state *st, __u64 interval_ms);
/* The snapshot period set, in ms, 0 = off. */
int vipc_stats_interval_get(const struct vipc_state *st, __u64 *interval_ms);

#endif /* __VIPC_STREAM_H */
