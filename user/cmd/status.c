// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* status: what is loaded, which backends and hooks are live, the held
 * cgroups and what was lost, as text or JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "binder.h"
#include "cmd.h"
#include "daemon.h"
#include "jsonout.h"
#include "log.h"
#include "registry.h"
#include "stream.h"
#include "text.h"

/* Per backend: "live", or why it is off. */
static const char *backend_state(const struct vipc_state *st, const struct vipc_probe *p, int i)
{
	if (st->cfg.backends & (1U << i))
		return "live";
	if (!(p->available & (1U << i)))
		return p->why_not[i];
	return "available, not attached (load with --backend)";
}

/* Is hook @i attached (its link pinned)? */
static bool hook_live(int i)
{
	int fd = vipc_hook_link_open(i);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Hook @i's status line; a cgroup hook's with the cgroup its link is on. */
static void print_hook(int i, const char *state)
{
	int fd = vipc_hook_link_open(i);
	unsigned long long id = fd >= 0 ? vipc_hook_cgroup_id(fd) : 0;

	if (fd >= 0)
		close(fd);
	printf("  %-5s %s", state, vipc_hooks[i].what);
	if (id && id == vipc_cgmount.id)
		printf(" on %s", vipc_cgmount.path);
	else if (id)
		printf(" on cgroup id %llu (not the cgroup2 root %s)", id, vipc_cgmount.path);
	printf("\n");
}

/* Which daemon reads the events and keeps the bindings, if one runs. */
static void print_daemon(void)
{
	pid_t pid = vipc_daemon_running();
	char name[32];

	if (pid)
		printf("daemon: %s (%s)\n", vipc_daemon_name(pid, name, sizeof(name)), VIPC_PID_FILE);
	else
		printf("daemon: none (enforcement stays; start 'vipc-loader' or 'vipc-loader "
		       "--detach' to read events and keep bindings current)\n");
}

/* The held cgroups of the live slot: their ids (sorted), then their paths. */
struct held_ls {
	__u64 *ids;
	char (*paths)[VIPC_CGROUP_PATH_MAX];
	size_t n;
};

static int held_path(const char *path, size_t i, void *ctx)
{
	struct held_ls *h = ctx;

	snprintf(h->paths[i], sizeof(h->paths[i]), "%s", path);
	return 0;
}

/* One held cgroup as a text line or an element of the JSON array @arr. */
static int held_print(const char *path, __u64 cgid, json_object *arr)
{
	char text[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
	json_object *o;
	int err;

	vipc_bytes_format(path, strlen(path), text, sizeof(text));
	if (!arr) {
		printf("    %s (%llu)\n", text, (unsigned long long)cgid);
		return 0;
	}
	o = json_object_new_object();
	err = vipc_json_add_str(o, "path", text) ?: vipc_json_add_u64(o, "id", cgid);
	o = vipc_json_done(o, err);
	return o && !json_object_array_add(arr, o) ? 0 : (json_object_put(o), -ENOMEM);
}

/* The held cgroups of the live slot, as text lines or a JSON array @arr,
 * their paths found in one walk ("?" when gone): how many, or -errno.
 */
static int held_list(const struct vipc_state *st, json_object *arr)
{
	struct held_ls h = {};
	size_t i;
	int err;

	if (!arr)
		printf("held cgroups (denied until their container is known):\n");
	err = vipc_binder_held(st, st->cfg.active_slot, &h.ids, &h.n);
	h.paths = err ? NULL : calloc(h.n + 1, sizeof(*h.paths));
	err = err ?: h.paths ? 0 : -ENOMEM;
	err = err ?: vipc_cgroup_paths(vipc_cgmount.path, h.ids, h.n, held_path, &h);
	for (i = 0; i < h.n && !err; i++)
		err = held_print(h.paths[i][0] ? h.paths[i] : "?", h.ids[i], arr);
	free(h.ids);
	free(h.paths);
	return err ?: (int)h.n;
}

/* What status warns was lost: a decision counter, what it counts and what
 * to do, and its total since load.
 */
struct loss {
	const char *name, *what;
	__u64 n;
};

#define NR_LOSSES 3

/* The losses' totals: 0, or -errno when the counters cannot be read. */
static int losses_read(struct vipc_state *st, struct loss l[NR_LOSSES])
{
	struct vipc_stats_all s = {};
	int err = vipc_stats_read(st, &s);

	l[0] = (struct loss){ "events_dropped",
			      "deny and would-deny events lost to a full ring buffer; keep a "
			      "reader on it ('vipc-loader events', or the daemon without --detach) "
			      "or send fewer (events: { rate: } in the policy)",
			      s.total.events_dropped };
	l[1] = (struct loss){ "snapshots_dropped",
			      "statistics snapshots lost to a full ring buffer; keep a reader on it "
			      "('vipc-loader events') or take them less often (-i MS)",
			      s.total.snapshots_dropped };
	l[2] = (struct loss){ "decisions_missed",
			      "decisions not counted per container (stats --by-container, top, "
			      "metrics): vipc_decisions is full; its rows (--max-grants + 8 x "
			      "--max-containers) are set at load: unload, then load with larger ones",
			      s.total.decisions_missed };
	return err;
}

/* On stderr, what was left unconfined or lost, and what to do about it. */
static void status_warn(struct vipc_state *st)
{
	struct loss l[NR_LOSSES];
	int i;

	if (st->reg && st->reg->cgroups_unbindable)
		pr_warn("%llu selected cgroups were left unconfined: the bindings table is full; "
			"raise it with --max-containers\n",
			(unsigned long long)st->reg->cgroups_unbindable);
	if (st->reg && st->reg->cgroups_expired)
		pr_warn("%llu held cgroups expired unresolved (released): their runtime's state "
			"was not found; check --runtime-root\n",
			(unsigned long long)st->reg->cgroups_expired);
	vipc_warn_unenforced(st);
	if (losses_read(st, l))
		return;
	for (i = 0; i < NR_LOSSES; i++)
		if (l[i].n)
			pr_warn("%s %llu: %s\n", l[i].name, (unsigned long long)l[i].n, l[i].what);
}

/* The losses as members of @doc: their totals, or null when unreadable. */
static int losses_json(struct vipc_state *st, json_object *doc)
{
	struct loss l[NR_LOSSES];
	bool ok = !losses_read(st, l);
	int i, err = 0;

	for (i = 0; i < NR_LOSSES && !err; i++)
		err = ok ? vipc_json_add_u64(doc, l[i].name, l[i].n) :
			   vipc_json_add_null(doc, l[i].name);
	return err;
}

/* Whether the name broker answers vipc/ names: only the socket backend does. */
static const char *broker_state(const struct vipc_state *st)
{
	return st->cfg.backends & VIPC_BACKEND_SOCK ?
		       "available" :
		       "unavailable (no socket backend: vipc/ names reach nothing)";
}

static void status_text(struct vipc_state *st)
{
	long others[VIPC_OTHERS__COUNT];
	struct vipc_probe p;
	__u64 ms = 0;
	int i, err;

	printf("vipc loaded at %s (ABI %u, live slot %u)\n"
	       "  cgroup2 at %s (%s)\n"
	       "  containers %ld/%u  endpoints %ld/%u  grants %ld/%u  channels %ld/%u\n",
	       VIPC_PIN_DIR, st->cfg.abi_version, st->cfg.active_slot, vipc_cgmount.path, vipc_cgmount.layout,
	       vipc_map_count(st->containers_fd, st->cfg.active_slot), st->limits.principals,
	       vipc_map_count(st->endpoints_fd, st->cfg.active_slot), st->limits.endpoints,
	       vipc_map_count(st->grants_fd, st->cfg.active_slot), st->limits.grants,
	       vipc_map_count(st->channels_fd, st->cfg.active_slot), st->limits.channels);
	vipc_others_count(st, others);
	printf("  endpoints to callers no container holds: %ld closed (others: deny), %ld public "
	       "(allow), %ld audited\n", others[VIPC_OTHERS_DENY], others[VIPC_OTHERS_ALLOW],
	       others[VIPC_OTHERS_AUDIT]);
	vipc_probe_backends(&p);
	printf("backends:\n");
	for (i = 0; i < VIPC_NR_BACKENDS; i++)
		printf("  %-7s %s\n", vipc_backend_names[i], backend_state(st, &p, i));
	printf("name broker: %s\n", broker_state(st));
	err = vipc_stats_interval_get(st, &ms);
	if (err)
		printf("statistics snapshots: %s\n", strerror(-err));
	else if (ms)
		printf("statistics snapshots every %llu ms\n", (unsigned long long)ms);
	else
		printf("statistics snapshots off\n");
	if (st->cfg.events_interval_ns)
		printf("deny events: one per key every %llu ms, the rest counted\n",
		       (unsigned long long)(st->cfg.events_interval_ns / 1000000));
	else
		printf("deny events: every event\n");
	print_daemon();
	status_warn(st);
	printf("hooks:\n");
	for (i = 0; i < vipc_nr_hooks; i++)
		print_hook(i, hook_live(i) ? "live" :
			   vipc_hooks[i].backend & ~st->cfg.backends ? "off" : "DOWN");
	if (!held_list(st, NULL))
		printf("    none\n");
}

/* "others": {"deny": N, "allow": N, "audit": N}: the endpoints by what
 * they give callers no container holds.
 */
static int others_json(const struct vipc_state *st, json_object *doc)
{
	json_object *o = vipc_json_child(doc, "others");
	long n[VIPC_OTHERS__COUNT];
	int i, err = o ? 0 : -ENOMEM;

	vipc_others_count(st, n);
	for (i = 0; i < VIPC_OTHERS__COUNT && !err; i++)
		err = vipc_json_add(o, vipc_others_str(i), json_object_new_int64(n[i]));
	return err;
}

static json_object *status_json(struct vipc_state *st)
{
	json_object *doc = json_object_new_object(), *backends, *hooks, *held;
	char names[512];
	__u32 slot = st->cfg.active_slot;
	struct vipc_probe p;
	__u64 ms = 0;
	pid_t pid;
	int i, err;

	/* What is pinned and how full, then each backend, then each hook. */
	err = vipc_json_add(doc, "loaded", json_object_new_boolean(1));
	err = err ?: vipc_json_add_str(doc, "pin_dir", VIPC_PIN_DIR);
	err = err ?: vipc_json_add_str(doc, "cgroup_root", vipc_cgmount.path);
	err = err ?: vipc_json_add_str(doc, "cgroup_layout", vipc_cgmount.layout);
	err = err ?: vipc_json_add_u64(doc, "abi_version", st->cfg.abi_version);
	err = err ?: vipc_json_add_u64(doc, "active_slot", slot);
	err = err ?: vipc_json_add(doc, "containers",
				   json_object_new_int64(vipc_map_count(st->containers_fd, slot)));
	err = err ?: vipc_json_add(doc, "bindings",
				   json_object_new_int64(vipc_map_count(st->principals_fd, slot)));
	err = err ?: vipc_json_add(doc, "endpoints",
				   json_object_new_int64(vipc_map_count(st->endpoints_fd, slot)));
	err = err ?: vipc_json_add(doc, "grants",
				   json_object_new_int64(vipc_map_count(st->grants_fd, slot)));
	err = err ?: vipc_json_add(doc, "channels",
				   json_object_new_int64(vipc_map_count(st->channels_fd, slot)));
	err = err ?: others_json(st, doc);
	vipc_probe_backends(&p);
	backends = vipc_json_child(doc, "backends");
	for (i = 0; i < VIPC_NR_BACKENDS && !err; i++)
		err = vipc_json_add_str(backends, vipc_backend_names[i], backend_state(st, &p, i));
	err = err ?: vipc_json_add_str(doc, "broker", broker_state(st));
	vipc_unenforced(st, names, sizeof(names));
	err = err ?: vipc_json_add_str(doc, "unenforced", names);
	if (!err)
		err = vipc_stats_interval_get(st, &ms) ?
			      vipc_json_add_null(doc, "stats_interval_ms") :
			      vipc_json_add(doc, "stats_interval_ms", json_object_new_int64(ms));
	err = err ?: vipc_json_add_u64(doc, "events_interval_ms",
				       st->cfg.events_interval_ns / 1000000);
	err = err ?: losses_json(st, doc);
	pid = vipc_daemon_running();
	err = err ?: vipc_json_add(doc, "daemon_running", json_object_new_boolean(pid != 0));
	if (!err)
		err = pid > 0 ? vipc_json_add(doc, "daemon_pid", json_object_new_int64(pid)) :
				vipc_json_add_null(doc, "daemon_pid");
	hooks = vipc_json_child(doc, "hooks");
	for (i = 0; i < vipc_nr_hooks && !err; i++)
		err = vipc_json_add(hooks, vipc_hooks[i].prog, json_object_new_boolean(hook_live(i)));
	held = err ? NULL : json_object_new_array();
	err = err ?: vipc_json_add(doc, "held", held);
	if (!err && held_list(st, held) < 0)
		err = -ENOMEM;
	return vipc_json_done(doc, err);
}

int cmd_status(char **argv)
{
	struct vipc_state st;
	int ret, err = 0;

	(void)argv;
	ret = vipc_find_cgroot() ?: vipc_open_state(&st, false);
	if (ret)
		return ret;
	if (vipc_opt.json)
		err = vipc_json_print(status_json(&st));
	else
		status_text(&st);
	vipc_warn_kernel(st.cfg.backends);
	vipc_state_close(&st);
	return err ? vipc_report(NULL, err, "status") : 0;
}
