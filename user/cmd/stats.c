// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stats: the decision and registry counters (or, --by-container, the
 * decisions per container; --broker, the broker's calls per instance),
 * once or every --watch S.
 */
#include <unistd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "broker.h"
#include "cmd.h"
#include "decisions.h"
#include "jsonout.h"
#include "stream.h"

/* @ctx: the --json list of rows, NULL for text. */
static int print_row(const struct vipc_decision *d, const char *who, const char *ep, void *ctx)
{
	json_object *list = ctx, *row;
	int err;

	if (!list) {
		printf("%-20s %-20s %-20s %-7s %-14s %llu\n", who, ep, vipc_hook_name(d->key.hook),
		       vipc_outcome_str(d->key.verdict), vipc_reason_str(d->key.reason),
		       (unsigned long long)d->count);
		return 0;
	}
	row = json_object_new_object();
	err = vipc_json_add_str(row, "container", who);
	err = err ?: vipc_json_add_u64(row, "container_id", d->key.container);
	err = err ?: vipc_json_add_str(row, "endpoint", ep);
	err = err ?: vipc_json_add_u64(row, "endpoint_id", d->key.endpoint);
	err = err ?: vipc_json_add_str(row, "hook", vipc_hook_name(d->key.hook));
	err = err ?: vipc_json_add_str(row, "verdict", vipc_outcome_str(d->key.verdict));
	err = err ?: vipc_json_add_str(row, "reason", vipc_reason_str(d->key.reason));
	err = err ?: vipc_json_add_u64(row, "count", d->count);
	row = vipc_json_done(row, err);
	if (row && !json_object_array_add(list, row))
		return 0;
	json_object_put(row);
	return -ENOMEM;
}

/* `stats --by-container`: one line (or JSON object) per row, sorted by
 * container, endpoint, hook, verdict, reason: 0 or -errno.
 */
static int decisions_print(struct vipc_state *st, bool json)
{
	json_object *doc = NULL, *list = NULL;
	int err = 0;

	/* Phase 1: the document's list, or the header line. */
	if (json) {
		doc = json_object_new_object();
		list = json_object_new_array();
		err = vipc_json_add(doc, "decisions", list);
	} else {
		printf("%-20s %-20s %-20s %-7s %-14s %s\n", "container", "endpoint", "hook",
		       "verdict", "reason", "count");
	}

	/* Phase 2: the rows, in key order, named by the live slot. */
	err = err ?: vipc_decisions_read_named(st, print_row, list);
	if (json && !err)
		err = vipc_json_print(doc);
	else
		json_object_put(doc);
	fflush(stdout);
	return err;
}

/* `stats --broker`: one line (or JSON object) per instance of each
 * endpoint of the live slot, with the calls the broker sent it.
 */
static int broker_print(struct vipc_state *st, bool json)
{
	json_object *doc = NULL, *list = NULL, *row;
	struct vipc_broker_row *rows;
	char bound[24];
	size_t i, n;
	int err;

	err = vipc_config_read(st) ?: vipc_broker_read(st, &rows, &n);
	if (err)
		return err;
	if (json) {
		doc = json_object_new_object();
		list = json_object_new_array();
		err = vipc_json_add(doc, "broker", list);
	} else {
		printf("%-20s %-5s %-40s %-12s %s\n", "endpoint", "index", "instance", "sent",
		       "bound");
	}
	for (i = 0; i < n && !err; i++) {
		if (!json) {
			printf("%-20s %-5u %-40s %-12llu %s\n", rows[i].endpoint, rows[i].index,
			       rows[i].instance, (unsigned long long)rows[i].sent,
			       vipc_bound_text(rows[i].bound, bound, sizeof(bound)));
			continue;
		}
		row = json_object_new_object();
		err = vipc_json_add_str(row, "endpoint", rows[i].endpoint);
		err = err ?: vipc_json_add_u64(row, "index", rows[i].index);
		err = err ?: vipc_json_add_str(row, "instance", rows[i].instance);
		err = err ?: vipc_json_add_u64(row, "sent", rows[i].sent);
		err = err ?: rows[i].bound < 0 ? vipc_json_add_null(row, "bound") :
					      vipc_json_add_u64(row, "bound", rows[i].bound);
		row = vipc_json_done(row, err);
		err = row && !json_object_array_add(list, row) ? 0 : (json_object_put(row), -ENOMEM);
	}
	free(rows);
	if (json && !err)
		return vipc_json_print(doc);
	json_object_put(doc);
	fflush(stdout);
	return err;
}

int cmd_stats(char **argv)
{
	struct vipc_stats_all s;
	struct vipc_state st;
	int ret, err;

	(void)argv;
	ret = vipc_open_state(&st, false);
	if (ret)
		return ret;
	do {
		if (vipc_opt.by_container)
			err = decisions_print(&st, vipc_opt.json);
		else if (vipc_opt.broker)
			err = broker_print(&st, vipc_opt.json);
		else
			err = vipc_stats_read(&st, &s) ?:
			      vipc_stats_print(&s.total, s.hook, st.reg, vipc_opt.json);
	} while (!err && vipc_opt.watch_s && !vipc_stop && !sleep(vipc_opt.watch_s) && !vipc_stop);
	vipc_state_close(&st);
	return err ? vipc_report(NULL, err, "reading statistics") : 0;
}
