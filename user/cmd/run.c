// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* No command: the daemon, which loads, then streams events (in the
 * foreground, or in a --detach watcher) until stopped.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include "binder.h"
#include "cmd.h"
#include "daemon.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "stream.h"

/* --metrics: serve from the instance just loaded, opened read-only and kept
 * open (the capabilities go next): 0 or an exit status.
 */
static int metrics_start(struct vipc_state *mst, struct vipc_httpd *httpd)
{
	int err;

	err = vipc_state_open_ro(mst);
	if (err)
		return vipc_report(NULL, err, "metrics");
	err = vipc_httpd_start(httpd, vipc_opt.metrics, vipc_metrics_collect, mst);
	if (err)
		vipc_state_close(mst);
	return err ? VIPC_EXIT_DENIED : 0;
}

static void metrics_stop(struct vipc_state *mst, struct vipc_httpd *httpd)
{
	if (!httpd->daemon)
		return;
	vipc_httpd_stop(httpd);
	vipc_state_close(mst);
}

/* The daemon: its claim on the pidfile, a watcher's pipe to the waiting
 * --detach parent, the policy watch and the metrics server.
 */
struct daemon {
	int claim;
	int ready;		     /* a watcher's word to its parent; -1 in the foreground */
	struct vipc_confwatch watch; /* --watch-config; fd -1 when off */
	struct vipc_httpd httpd;
	struct vipc_state mst;
};

/* Become the one daemon, or say which one is: 0 or an exit status. The
 * daemon of an instance this start upgrades (another release's) is stopped.
 */
static int claim_daemon(int *fd)
{
	pid_t pid = 0;
	int err = vipc_daemon_claim(fd, &pid), ret;
	char name[32];

	if (err == -EALREADY && pid > 0 && vipc_policy_path() && vipc_upgrade_pending()) {
		pr_info("upgrading: the daemon of the instance pinned at %s goes first\n",
			VIPC_PIN_DIR);
		ret = vipc_stop_daemon();
		if (ret)
			return ret;
		err = vipc_daemon_claim(fd, &pid);
	}

	if (err == -EALREADY) {
		pr_warn("a vipc daemon already runs (%s, %s), and only one may read the events: "
			"'vipc-loader reload -c FILE' changes the policy, 'vipc-loader unload' stops "
			"it and lifts enforcement\n", vipc_daemon_name(pid, name, sizeof(name)),
			VIPC_PID_FILE);
		return VIPC_EXIT_RUNNING;
	}
	return err ? vipc_report(NULL, err, VIPC_PID_FILE) : 0;
}

/* --watch-config, on every turn of the stream: a changed file is reloaded. */
static int watch_tick(void *ctx)
{
	struct vipc_confwatch *w = ctx;

	if (!vipc_confwatch_changed(w))
		return 0;
	pr_info("%s changed: reloading\n", w->path);
	if (vipc_reload_file(w->path))
		pr_warn("%s: not applied, the loaded policy stays\n", w->path);
	return 0;
}

/* --watch-config: watch the policy file from before it is first read. */
static int watch_start(struct daemon *d)
{
	int err;

	if (!vipc_opt.watch_config)
		return 0;
	err = vipc_confwatch_open(&d->watch, vipc_policy_path());
	if (err)
		return vipc_report(NULL, err, "--watch-config");
	pr_info("watching %s for changes\n", d->watch.path);
	return 0;
}

/* Stream until stopped, the daemon's work done on each turn. */
static int serve(struct daemon *d, struct vipc_state *st)
{
	struct vipc_binder binder;
	struct vipc_stream_opts so = {
		/* A watcher leaves the events and snapshots to `vipc-loader events`. */
		.interval_ms = vipc_opt.detach ? 0 : vipc_opt.interval_ms,
		.leave_ring = vipc_opt.detach,
		.json = vipc_opt.json,
		.tick = d->watch.fd >= 0 ? watch_tick : NULL,
		.tick_ctx = &d->watch,
		.binder = &binder,
		.cgroot = vipc_cgmount.path,
	};
	int ret, err;

	/* Phase 1: metrics, then no capability is left. */
	ret = vipc_opt.metrics ? metrics_start(&d->mst, &d->httpd) : 0;
	if (!ret && (err = vipc_caps_drop()))
		pr_warn("dropping capabilities: %s\n", strerror(-err));
	/* Phase 2: ready (a --detach parent returns, systemd starts what comes after). */
	vipc_daemon_ready(d->ready, ret);
	if (ret)
		return ret;
	if (!vipc_opt.detach)
		sd_notify(0, "READY=1");
	pr_info("enforcing; %s stops this %s, enforcement stays until 'vipc-loader unload'\n",
		vipc_opt.detach ? "SIGTERM" : "Ctrl-C", vipc_opt.detach ? "watcher" : "view");
	vipc_binder_init(&binder, st, vipc_cgmount.path, &vipc_opt.rt_roots);
	err = vipc_events_stream(st, &so);
	vipc_binder_fini(&binder);
	if (!vipc_opt.detach)
		sd_notify(0, "STOPPING=1");
	pr_info("%s pid %d stopping; enforcement stays\n", vipc_opt.detach ? "watcher" : "daemon",
		(int)getpid());
	metrics_stop(&d->mst, &d->httpd);
	return err ? vipc_report(NULL, err, "streaming events") : 0;
}

/* --detach: the parent returns the watcher's word; the watcher serves. */
static int detach(struct daemon *d, struct vipc_state *st)
{
	int status = VIPC_EXIT_DENIED;
	pid_t pid = vipc_daemon_detach(d->claim, &d->ready, &status);

	if (pid < 0)
		return vipc_report(NULL, pid, "detaching the watcher");
	if (!pid)
		return serve(d, st);
	close(d->claim); /* the watcher holds the claim */
	d->claim = -1;
	if (!status)
		pr_info("enforcing; the watcher (pid %d) logs to %s\n", (int)pid, VIPC_LOG_FILE);
	return status;
}

static int run_args(void)
{
	struct sockaddr_storage ss;

	if (vipc_opt.metrics && vipc_opt.detach)
		return vipc_usage_error("--metrics needs the foreground daemon, not --detach");
	if (vipc_opt.metrics && vipc_listen_parse(vipc_opt.metrics, &ss))
		return vipc_usage_error("--metrics takes [ADDR:]PORT or [ADDR6]:PORT, not '%s'",
					vipc_opt.metrics);
	if (vipc_opt.detach && vipc_opt.interval_set && vipc_opt.interval_ms)
		return vipc_usage_error("the --detach watcher leaves the ring buffer (events, "
					"snapshots) to 'vipc-loader events -i MS'; -i is not for it");
	if (vipc_opt.watch_config && !vipc_policy_path())
		return vipc_usage_error("--watch-config needs -c FILE (or " VIPC_DEFAULT_POLICY ")");
	return 0;
}

/* No command: become the one daemon, load, then stream (in the foreground,
 * or in the watcher a --detach leaves) until stopped.
 */
int cmd_run(char **argv)
{
	struct daemon d = { .claim = -1, .ready = -1, .watch = { .fd = -1 } };
	struct vipc_state st;
	int ret;

	(void)argv;
	ret = run_args() ?: claim_daemon(&d.claim) ?: watch_start(&d);
	if (!ret && !(ret = vipc_do_load(&st))) {
		vipc_unlock(st.lock_fd);
		st.lock_fd = -1;
		ret = vipc_opt.detach ? detach(&d, &st) : serve(&d, &st);
		vipc_state_close(&st);
	}
	vipc_confwatch_close(&d.watch);
	vipc_daemon_release(d.claim);
	return ret;
}
