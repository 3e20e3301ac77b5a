// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* load, reload and unload: the instance and its policy.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "daemon.h"
#include "log.h"
#include "registry.h"
#include "stream.h"

/* Once per policy applied: the endpoints `others: deny` closed by default. */
static void note_closed(const struct vipc_policy *pol)
{
	char names[512];
	size_t n = vipc_policy_closed_by_default(pol, names, sizeof(names));

	if (n)
		pr_info("%zu endpoint%s closed to callers no container holds (others: deny, the "
			"default): %s; 'defaults: { others: allow }' opens them to those callers "
			"as before 0.7\n", n, n == 1 ? "" : "s", names);
}

/* Without the socket backend no program answers vipc/ names: said when the
 * policy gives an endpoint instances, which only the broker reaches by name.
 */
static void note_broker(const struct vipc_state *st, const struct vipc_policy *pol)
{
	size_t i, n = 0;

	if (st->cfg.backends & VIPC_BACKEND_SOCK)
		return;
	for (i = 0; i < pol->nr_endpoints; i++)
		n += pol->endpoints[i].nr_more > 0;
	if (n)
		pr_warn("the name broker is unavailable (no socket backend; Linux 6.7 or later): "
			"vipc/NAME reaches nothing, and %zu endpoint%s' instances are reached only "
			"by their own names\n", n, n == 1 ? "" : "s");
}

/* Endpoints of kinds the attached backends have no hook for: named. */
void vipc_warn_unenforced(const struct vipc_state *st)
{
	char names[512];
	size_t n = vipc_unenforced(st, names, sizeof(names));

	if (n)
		pr_warn("%zu endpoint%s not enforced: the socket backend has no hook for message "
			"queues or FIFOs (load with --backend lsm or fmodret): %s\n", n,
			n == 1 ? " is" : "s are", names);
}

int vipc_apply_file(struct vipc_state *st, const char *path)
{
	struct vipc_policy *pol = NULL;
	int ret, err;

	ret = vipc_read_policy(path, &pol);
	if (ret)
		return ret;
	if (vipc_opt.event_rate_set)
		pol->events_interval_ms = vipc_opt.event_rate_ms;
	pol->rt_roots = &vipc_opt.rt_roots;
	err = vipc_apply(st, pol);
	ret = vipc_report(&st->err, err, path);
	if (!ret) {
		pr_info("policy %s applied\n", path);
		note_closed(pol);
		note_broker(st, pol);
		vipc_warn_unenforced(st);
	}
	vipc_policy_free(pol);
	return ret;
}

/* Load, adopt or upgrade, then apply the policy; leaves @st open and locked. */
int vipc_do_load(struct vipc_state *st)
{
	const char *path = vipc_policy_path();
	struct vipc_policy *pol = NULL;
	bool adopted = false, applied;
	__u32 backends;
	int lock_fd, ret, err;

	/* Phase 1: no cgroup2, a bad policy or a missing backend stops us before anything
	 * is loaded.
	 */
	if ((ret = vipc_find_cgroot()) || (path && (ret = vipc_read_policy(path, &pol))))
		return ret;
	vipc_policy_free(pol);
	if (vipc_pick_backends(vipc_opt.backends, &backends))
		return VIPC_EXIT_KERNEL;

	/* Phase 2: upgrade, load or adopt under the lock, then open what is pinned. */
	err = vipc_lock(&lock_fd);
	ret = err ? 0 : vipc_upgrade(path, backends, &applied);
	if (!err && !ret && !applied)
		err = vipc_load(VIPC_PIN_DIR, &vipc_opt.limits, backends, vipc_cgmount.path,
				&adopted);
	vipc_unlock(lock_fd);
	if (ret)
		return ret;
	if (err)
		return err == -EPROTO ? vipc_report(NULL, err, "load") :
					(pr_warn("load: %s\n", strerror(-err)), VIPC_EXIT_KERNEL);
	pr_info("%s %s\n", applied ? "upgraded in place: this release's instance is pinned at" :
		adopted ? "adopted the instance pinned at" : "loaded and pinned at", VIPC_PIN_DIR);
	ret = vipc_open_state(st, true);
	if (ret || applied)
		return ret;

	/* Phase 3: the policy, or an empty registry (with --event-rate's rate). */
	if (path)
		return vipc_apply_file(st, path);
	if (vipc_opt.event_rate_set &&
	    (ret = vipc_report(&st->err, vipc_events_rate_set(st, vipc_opt.event_rate_ms),
			       "--event-rate")))
		return ret;
	if (!adopted)
		pr_info("no policy given and no %s: starting with an empty registry\n",
			VIPC_DEFAULT_POLICY);
	return 0;
}

int cmd_load(char **argv)
{
	struct vipc_state st;
	int ret;

	(void)argv;
	ret = vipc_do_load(&st);
	if (!ret)
		vipc_state_close(&st);
	return ret;
}

/* Apply @path as `reload -c FILE` does: under the lock, whole or not at all. */
int vipc_reload_file(const char *path)
{
	struct vipc_state st;
	int ret;

	ret = vipc_open_state(&st, true);
	if (ret)
		return ret;
	ret = vipc_apply_file(&st, path);
	vipc_state_close(&st);
	return ret;
}

int cmd_reload(char **argv)
{
	(void)argv;
	return vipc_reload_file(vipc_opt.config);
}

int vipc_stop_daemon(void)
{
	struct vipc_err e = {};
	pid_t pid;
	int err;

	/* The daemon being started holds the pidfile already. */
	if (vipc_daemon_running() == getpid())
		return 0;
	err = vipc_daemon_stop(5000, &pid, &e);
	if (err)
		return vipc_report(&e, err, "stopping the daemon");
	if (pid)
		pr_info("stopped the vipc daemon (pid %d)\n", (int)pid);
	return 0;
}

int cmd_unload(char **argv)
{
	int ret, err;

	(void)argv;
	/* Phase 1: the daemon first, so nothing reads or binds while it goes. */
	ret = vipc_stop_daemon();
	if (ret)
		return ret;
	/* Phase 2: every pin and link (an interrupted upgrade's too). */
	err = vipc_unload();
	if (err == -ENOENT) {
		pr_warn("vipc is not loaded\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	if (err)
		return vipc_report(NULL, err, "unload");
	pr_info("unloaded: every pin and link under %s removed\n", VIPC_PIN_DIR);
	return 0;
}
