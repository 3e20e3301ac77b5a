// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-loader: load, pin, attach, apply policy, stream statistics and
 * events, edit the registry, reload and unload.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "binder.h"
#include "cgroup.h"
#include "cli.h"
#include "daemon.h"
#include "decisions.h"
#include "jsonout.h"
#include "log.h"
#include "version.h"
#include "vipc_decide.h"
#include "metrics.h"
#include "policy.h"
#include "registry.h"
#include "state.h"
#include "stream.h"
#include "suggest.h"
#include "table.h"
#include "top.h"

#define DEFAULT_POLICY "/etc/vipc/policy.yaml"

static struct vipc_cli opt;
static struct vipc_cgroot cgroot; /* found by find_cgroot() */

static const char usage_text[] =
	"Usage: vipc-loader [COMMAND [ARGS]] [OPTIONS]\n"
	"\n"
	"With no command: the daemon (one at a time, pid in " VIPC_PID_FILE "): load\n"
	"(or adopt) vipc, apply the policy, and show live statistics and deny events\n"
	"until Ctrl-C. Takes LOAD OPTIONS, -j/--json (events and snapshots as JSON) and\n"
	"  -d, --detach           return once enforcement is in place, leaving a watcher\n"
	"                         that runs on, logging to " VIPC_LOG_FILE "\n"
	"  -i, --interval MS      statistics snapshot period (default 1000, with --detach 0;\n"
	"                         0 = off)\n"
	"      --watch-config     reload the policy file when it (or its directory's\n"
	"                         ..data symlink, as in a ConfigMap) changes\n"
	"      --metrics ADDR:PORT  also serve Prometheus metrics there (as metrics --listen)\n"
	"\n"
	"Commands (each takes only the options shown with it, and -v, -q, -h):\n"
	"  load [LOAD OPTIONS]                    load or adopt, apply -c FILE if given\n"
	"  reload -c FILE [--event-rate RATE]     apply FILE atomically\n"
	"  unload                                 stop the daemon, remove every pin and link\n"
	"  status [--json]                        what is loaded, which hooks are live\n"
	"  stats [--watch SECONDS] [--by-container] [--json]\n"
	"                                         decision and registry counters; per\n"
	"                                         container, endpoint, hook, verdict, reason\n"
	"  events [--count N] [--timeout S] [-i MS] [--json]\n"
	"                                         stream deny events (and snapshots)\n"
	"  container add NAME (--cgroup PATH | --pid PID) [--mode enforce|audit]\n"
	"                [--unknown allow|deny]\n"
	"  container rm NAME                      also drops its endpoints and grants\n"
	"  container ls [--json]\n"
	"  endpoint add NAME OWNER ADDR [--others deny|allow|audit]\n"
	"                                         ADDR: /path or @abstract; --others: what\n"
	"                                         callers no container holds get (deny)\n"
	"  endpoint rm NAME OWNER                 only the owner removes an endpoint\n"
	"  endpoint ls [--json]\n"
	"  grant CONTAINER ENDPOINT PERMS         PERMS: connect,send,bind,pass-fd\n"
	"  revoke CONTAINER ENDPOINT              revoke one grant\n"
	"  revoke --endpoint ENDPOINT             generation bump: every grant dies\n"
	"  channel add NAME ENDPOINT SENDER[,SENDER...] [--capacity N]\n"
	"  channel rm NAME\n"
	"  channel ls [--json]\n"
	"  check CONTAINER ENDPOINT PERM [--json] exit 0 allowed, 1 denied\n"
	"  check --cgroup PATH ENDPOINT PERM [--json]\n"
	"                                         the same for a caller in that cgroup,\n"
	"                                         whichever container holds it, or none\n"
	"  metrics --listen [ADDR:]PORT           serve Prometheus metrics on /metrics\n"
	"          (ADDR default 127.0.0.1; [ADDR6]:PORT for IPv6) until stopped\n"
	"  metrics --textfile PATH [-i MS]        write them to PATH (atomically) once,\n"
	"                                         or every MS ms until stopped\n"
	"  suggest [--from FILE|-] [--timeout S] [--policy FILE] [--cgroup-root PATH]\n"
	"          [--runtime-root RT=DIR]        the grants an audit record asks for, from\n"
	"                                         FILE (events --json) and/or S seconds of\n"
	"                                         live events, and the containers callers no\n"
	"                                         container held become (by cgroup, or by\n"
	"                                         Docker or Podman name): merged into the\n"
	"                                         --policy FILE (the whole new policy), else\n"
	"                                         a fragment against the loaded registry\n"
	"  top [-i MS] [--count N] [--json]       decisions per container and endpoint,\n"
	"                                         their rates per second and totals, every\n"
	"                                         MS ms (default 1000): a screen updated in\n"
	"                                         place (q quits, s sorts), or one snapshot\n"
	"                                         of lines per interval when stdout is not a\n"
	"                                         terminal; N snapshots, then exit\n"
	"  help\n"
	"\n"
	"Options of every command:\n"
	"  -v, --verbose          debug messages, and libbpf's debug log\n"
	"  -q, --quiet            warnings and errors only\n"
	"  -h, --help             this text\n"
	"      --version          the release and the pinned-state ABI version\n"
	"\n"
	"LOAD OPTIONS (load, and no command):\n"
	"  -c, --config FILE      policy file (default " DEFAULT_POLICY " if present)\n"
	"      --backend B        auto (default: sock where the kernel has it, beside lsm\n"
	"                         where BPF LSM is active, else fmodret), or a list of\n"
	"                         sock, lsm, fmodret (\"sock,fmodret\"; both = sock,lsm);\n"
	"                         VIPC_BACKEND in the environment sets the default\n"
	"      --max-containers N, --max-endpoints N, --max-grants N, --max-channels N\n"
	"                         table sizes, fixed at load\n"
	"      --max-connections N  load: live channel connections the LSM backend\n"
	"                         counts (default 65536); over it, connects are channel-full\n"
	"      --prealloc-grants  reserve the grants table's memory at load (~80 bytes\n"
	"                         per entry, two slots): large policies apply faster\n"
	"      --cgroup-root PATH the cgroup2 mount (default: found at /sys/fs/cgroup,\n"
	"                         /sys/fs/cgroup/unified, or in /proc/self/mountinfo);\n"
	"                         also taken by reload, status, container add, suggest\n"
	"      --runtime-root RT=DIR  where a runtime keeps its state, for docker:,\n"
	"                         podman: and annotations: selectors (also reload, and\n"
	"                         suggest for the names it suggests):\n"
	"                         docker=DIR (/var/lib/docker), podman=DIR\n"
	"                         (/var/lib/containers/storage), containerd=DIR, repeatable\n"
	"                         (/run/containerd, /run/docker/containerd/daemon)\n"
	"      --event-rate RATE  deny events per key: one per interval (500ms, 2s; the\n"
	"                         rest counted) or all; overrides the policy's events.rate\n"
	"      --no-decisions     no per-container decision counters (vipc_decisions)\n"
	"\n"
	"Exit status: 0 ok, 1 denied (check) or failure, 2 bad usage or policy,\n"
	"3 not found, 4 not the owner, 5 not loaded, 6 incompatible pin, 7 table full,\n"
	"8 already exists, 9 kernel refused, 10 out of memory, 11 no cgroup2 mount,\n"
	"12 a vipc daemon already runs, 77 missing capabilities.\n";

/* An error from the registry or the pinned state: its message, taken with
 * it (or strerror), and its exit status. 0 reports nothing, and drops what
 * a step that succeeded recorded, so the next error cannot show it.
 */
static int report(int err, const char *what)
{
	char msg[256];

	vipc_err_take(err, msg, sizeof(msg));
	if (!err)
		return VIPC_EXIT_OK;
	if (err == -EPROTO)
		pr_warn("%s: the instance pinned at %s has another ABI version; "
			"remove it with 'vipc-loader unload' first\n", what, VIPC_PIN_DIR);
	else if (err == -ENOMEM)
		pr_warn("%s: out of memory\n", what);
	else
		pr_warn("%s: %s\n", what, msg);
	return vipc_exit_status(err);
}

/* How opening the pinned instance went: not loaded and incompatible get
 * their own status.
 */
static int opened(int err)
{
	if (err == -ENOENT) {
		pr_warn("vipc is not loaded (run 'sudo vipc-loader load')\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	return err ? report(err, "opening " VIPC_PIN_DIR) : 0;
}

static int open_state(struct vipc_state *st, bool lock)
{
	return opened(vipc_state_open(st, lock));
}

/* The cgroup2 mount, found once (or --cgroup-root's); its own status when none. */
static int find_cgroot(void)
{
	if (cgroot.path[0])
		return 0;
	return vipc_cgroup_find(opt.cgroup_root, &cgroot) ? VIPC_EXIT_NO_CGROUP2 : 0;
}

/* A policy error as file:line:col: what; its exit status. */
static int policy_error(int err, const struct vipc_policy_error *perr)
{
	char msg[PATH_MAX + 600];

	vipc_policy_error_format(perr, msg, sizeof(msg));
	fprintf(stderr, "%s\n", msg);
	return err == -ENOMEM ? VIPC_EXIT_NO_MEMORY : VIPC_EXIT_USAGE;
}

/* Parse and resolve the policy file; on error print file:line:col. */
static int read_policy(const char *path, struct vipc_policy **pol)
{
	struct vipc_policy_error perr = {};
	int ret, err;

	ret = find_cgroot();
	if (ret)
		return ret;
	err = vipc_policy_parse_file(path, pol, &perr);
	if (!err)
		err = vipc_policy_resolve(*pol, cgroot.path, "/proc", &perr);
	if (!err)
		return 0;
	vipc_policy_free(*pol);
	*pol = NULL;
	return policy_error(err, &perr);
}

static const char *policy_path(void)
{
	if (opt.config)
		return opt.config;
	return access(DEFAULT_POLICY, F_OK) ? NULL : DEFAULT_POLICY;
}

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

static int apply_file(struct vipc_state *st, const char *path)
{
	struct vipc_policy *pol = NULL;
	int ret, err;

	ret = read_policy(path, &pol);
	if (ret)
		return ret;
	if (opt.event_rate_set)
		pol->events_interval_ms = opt.event_rate_ms;
	pol->rt_roots = &opt.rt_roots;
	err = vipc_apply(st, pol);
	ret = report(err, path);
	if (!ret) {
		pr_info("policy %s applied\n", path);
		note_closed(pol);
	}
	vipc_policy_free(pol);
	return ret;
}

/* Load or adopt, then apply the policy; leaves @st open and locked. */
static int do_load(struct vipc_state *st)
{
	const char *path = policy_path();
	struct vipc_policy *pol = NULL;
	__u32 backends;
	bool adopted;
	int lock_fd, ret, err;

	/* Phase 1: no cgroup2, a bad policy or a missing backend stops us before anything
	 * is loaded.
	 */
	if ((ret = find_cgroot()) || (path && (ret = read_policy(path, &pol))))
		return ret;
	vipc_policy_free(pol);
	if (vipc_pick_backends(opt.backends, &backends))
		return VIPC_EXIT_KERNEL;

	/* Phase 2: load or adopt under the lock, then open what is pinned. */
	err = vipc_lock(&lock_fd);
	if (!err)
		err = vipc_load(&opt.limits, backends, cgroot.path, &adopted);
	vipc_unlock(lock_fd);
	if (err)
		return err == -EPROTO ? report(err, "load") :
					(pr_warn("load: %s\n", strerror(-err)), VIPC_EXIT_KERNEL);
	pr_info("%s %s\n", adopted ? "adopted the instance pinned at" : "loaded and pinned at",
		VIPC_PIN_DIR);
	ret = open_state(st, true);
	if (ret)
		return ret;

	/* Phase 3: the policy, or an empty registry (with --event-rate's rate). */
	if (path)
		return apply_file(st, path);
	if (opt.event_rate_set && (ret = report(vipc_events_rate_set(st, opt.event_rate_ms),
						"--event-rate")))
		return ret;
	if (!adopted)
		pr_info("no policy given and no %s: starting with an empty registry\n",
			DEFAULT_POLICY);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	vipc_stop = 1;
}

static int cmd_load(int argc, char **argv)
{
	struct vipc_state st;
	int ret;

	(void)argv;
	if (argc)
		return vipc_usage_error("load takes no arguments");
	ret = do_load(&st);
	if (!ret)
		vipc_state_close(&st);
	return ret;
}

/* --metrics: serve from the instance just loaded, opened read-only and kept
 * open (the capabilities go next): 0 or an exit status.
 */
static int metrics_start(struct vipc_state *mst, struct vipc_httpd *httpd)
{
	int err;

	err = vipc_state_open_ro(mst);
	if (err)
		return report(err, "metrics");
	err = vipc_httpd_start(httpd, opt.metrics, vipc_metrics_collect, mst);
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

/* "pid N" of a running daemon, or where it runs when its pid means nothing here. */
static const char *daemon_name(pid_t pid, char *buf, size_t size)
{
	if (pid < 0)
		return "in another pid namespace";
	snprintf(buf, size, "pid %d", (int)pid);
	return buf;
}

/* Become the one daemon, or say which one is: 0 or an exit status. */
static int claim_daemon(int *fd)
{
	pid_t pid = 0;
	int err = vipc_daemon_claim(fd, &pid);
	char name[32];

	if (err == -EALREADY) {
		pr_warn("a vipc daemon already runs (%s, %s), and only one may read the events: "
			"'vipc-loader reload -c FILE' changes the policy, 'vipc-loader unload' stops "
			"it and lifts enforcement\n", daemon_name(pid, name, sizeof(name)),
			VIPC_PID_FILE);
		return VIPC_EXIT_RUNNING;
	}
	return err ? report(err, VIPC_PID_FILE) : 0;
}

/* Apply @path as `reload -c FILE` does: under the lock, whole or not at all. */
static int reload_file(const char *path)
{
	struct vipc_state st;
	int ret;

	ret = open_state(&st, true);
	if (ret)
		return ret;
	ret = apply_file(&st, path);
	vipc_state_close(&st);
	return ret;
}

/* --watch-config, on every turn of the stream: a changed file is reloaded. */
static int watch_tick(void *ctx)
{
	struct vipc_confwatch *w = ctx;

	if (!vipc_confwatch_changed(w))
		return 0;
	pr_info("%s changed: reloading\n", w->path);
	if (reload_file(w->path))
		pr_warn("%s: not applied, the loaded policy stays\n", w->path);
	return 0;
}

/* --watch-config: watch the policy file from before it is first read. */
static int watch_start(struct daemon *d)
{
	int err;

	if (!opt.watch_config)
		return 0;
	err = vipc_confwatch_open(&d->watch, policy_path());
	if (err)
		return report(err, "--watch-config");
	pr_info("watching %s for changes\n", d->watch.path);
	return 0;
}

/* Stream until stopped, the daemon's work done on each turn. */
static int serve(struct daemon *d, struct vipc_state *st)
{
	struct vipc_binder binder;
	struct vipc_stream_opts so = {
		/* A watcher leaves the events and snapshots to `vipc-loader events`. */
		.interval_ms = opt.detach ? 0 : opt.interval_ms,
		.leave_ring = opt.detach,
		.json = opt.json,
		.tick = d->watch.fd >= 0 ? watch_tick : NULL,
		.tick_ctx = &d->watch,
		.binder = &binder,
		.cgroot = cgroot.path,
	};
	int ret, err;

	/* Phase 1: metrics, then no capability is left. */
	ret = opt.metrics ? metrics_start(&d->mst, &d->httpd) : 0;
	if (!ret && (err = vipc_caps_drop()))
		pr_warn("dropping capabilities: %s\n", strerror(-err));
	/* Phase 2: ready (a --detach parent returns, systemd starts what comes after). */
	vipc_daemon_ready(d->ready, ret);
	if (ret)
		return ret;
	if (!opt.detach)
		sd_notify(0, "READY=1");
	pr_info("enforcing; %s stops this %s, enforcement stays until 'vipc-loader unload'\n",
		opt.detach ? "SIGTERM" : "Ctrl-C", opt.detach ? "watcher" : "view");
	vipc_binder_init(&binder, st, cgroot.path, &opt.rt_roots);
	err = vipc_events_stream(st, &so);
	vipc_binder_fini(&binder);
	if (!opt.detach)
		sd_notify(0, "STOPPING=1");
	pr_info("%s pid %d stopping; enforcement stays\n", opt.detach ? "watcher" : "daemon",
		(int)getpid());
	metrics_stop(&d->mst, &d->httpd);
	return err ? report(err, "streaming events") : 0;
}

/* --detach: the parent returns the watcher's word; the watcher serves. */
static int detach(struct daemon *d, struct vipc_state *st)
{
	int status = VIPC_EXIT_DENIED;
	pid_t pid = vipc_daemon_detach(d->claim, &d->ready, &status);

	if (pid < 0)
		return report(pid, "detaching the watcher");
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

	if (opt.metrics && opt.detach)
		return vipc_usage_error("--metrics needs the foreground daemon, not --detach");
	if (opt.metrics && vipc_listen_parse(opt.metrics, &ss))
		return vipc_usage_error("--metrics takes [ADDR:]PORT or [ADDR6]:PORT, not '%s'",
					opt.metrics);
	if (opt.detach && opt.interval_set && opt.interval_ms)
		return vipc_usage_error("the --detach watcher leaves the ring buffer (events, "
					"snapshots) to 'vipc-loader events -i MS'; -i is not for it");
	if (opt.watch_config && !policy_path())
		return vipc_usage_error("--watch-config needs -c FILE (or " DEFAULT_POLICY ")");
	return 0;
}

/* No command: become the one daemon, load, then stream (in the foreground,
 * or in the watcher a --detach leaves) until stopped.
 */
static int cmd_run(int argc, char **argv)
{
	struct daemon d = { .claim = -1, .ready = -1, .watch = { .fd = -1 } };
	struct vipc_state st;
	int ret;

	(void)argc;
	(void)argv;
	ret = run_args() ?: claim_daemon(&d.claim) ?: watch_start(&d);
	if (!ret && !(ret = do_load(&st))) {
		vipc_unlock(st.lock_fd);
		st.lock_fd = -1;
		ret = opt.detach ? detach(&d, &st) : serve(&d, &st);
		vipc_state_close(&st);
	}
	vipc_confwatch_close(&d.watch);
	vipc_daemon_release(d.claim);
	return ret;
}

static int cmd_reload(int argc, char **argv)
{
	(void)argv;
	if (argc || !opt.config)
		return vipc_usage_error("reload takes -c FILE and no arguments");
	return reload_file(opt.config);
}

static int cmd_unload(int argc, char **argv)
{
	pid_t pid;
	int err;

	(void)argv;
	if (argc)
		return vipc_usage_error("unload takes no arguments");
	/* Phase 1: the daemon first, so nothing reads or binds while it goes. */
	err = vipc_daemon_stop(5000, &pid);
	if (err)
		return report(err, "stopping the daemon");
	if (pid)
		pr_info("stopped the vipc daemon (pid %d)\n", (int)pid);
	/* Phase 2: every pin and link. */
	err = vipc_unload();
	if (err == -ENOENT) {
		pr_warn("vipc is not loaded\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	if (err)
		return report(err, "unload");
	pr_info("unloaded: every pin and link under %s removed\n", VIPC_PIN_DIR);
	return 0;
}

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
	if (id && id == cgroot.id)
		printf(" on %s", cgroot.path);
	else if (id)
		printf(" on cgroup id %llu (not the cgroup2 root %s)", id, cgroot.path);
	printf("\n");
}

/* Which daemon reads the events and keeps the bindings, if one runs. */
static void print_daemon(void)
{
	pid_t pid = vipc_daemon_running();
	char name[32];

	if (pid)
		printf("daemon: %s (%s)\n", daemon_name(pid, name, sizeof(name)), VIPC_PID_FILE);
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
	err = err ?: vipc_cgroup_paths(cgroot.path, h.ids, h.n, held_path, &h);
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

static void status_text(struct vipc_state *st)
{
	long others[VIPC_OTHERS__COUNT];
	struct vipc_probe p;
	__u64 ms = 0;
	int i, err;

	printf("vipc loaded at %s (ABI %u, live slot %u)\n"
	       "  cgroup2 at %s (%s)\n"
	       "  containers %ld/%u  endpoints %ld/%u  grants %ld/%u  channels %ld/%u\n",
	       VIPC_PIN_DIR, st->cfg.abi_version, st->cfg.active_slot, cgroot.path, cgroot.layout,
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
	__u32 slot = st->cfg.active_slot;
	struct vipc_probe p;
	__u64 ms = 0;
	pid_t pid;
	int i, err;

	/* What is pinned and how full, then each backend, then each hook. */
	err = vipc_json_add(doc, "loaded", json_object_new_boolean(1));
	err = err ?: vipc_json_add_str(doc, "pin_dir", VIPC_PIN_DIR);
	err = err ?: vipc_json_add_str(doc, "cgroup_root", cgroot.path);
	err = err ?: vipc_json_add_str(doc, "cgroup_layout", cgroot.layout);
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

static int cmd_status(int argc, char **argv)
{
	struct vipc_state st;
	int ret, err = 0;

	(void)argv;
	if (argc)
		return vipc_usage_error("status takes no arguments");
	ret = find_cgroot() ?: open_state(&st, false);
	if (ret)
		return ret;
	if (opt.json)
		err = vipc_json_print(status_json(&st));
	else
		status_text(&st);
	vipc_warn_kernel(st.cfg.backends);
	vipc_state_close(&st);
	return err ? report(err, "status") : 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct vipc_stats_all s;
	struct vipc_state st;
	int ret, err;

	(void)argv;
	if (argc)
		return vipc_usage_error("stats takes no arguments");
	ret = open_state(&st, false);
	if (ret)
		return ret;
	do {
		if (opt.by_container)
			err = vipc_decisions_print(&st, opt.json);
		else
			err = vipc_stats_read(&st, &s) ?:
			      vipc_stats_print(&s.total, s.hook, st.reg, opt.json);
	} while (!err && opt.watch_s && !vipc_stop && !sleep(opt.watch_s) && !vipc_stop);
	vipc_state_close(&st);
	return err ? report(err, "reading statistics") : 0;
}

static int cmd_events(int argc, char **argv)
{
	struct vipc_stream_opts so = {
		.interval_ms = opt.interval_set ? opt.interval_ms : 0,
		.count = opt.count,
		.timeout_s = opt.timeout_s,
		.json = opt.json,
	};
	struct vipc_state st;
	int ret, err;

	(void)argv;
	if (argc)
		return vipc_usage_error("events takes no arguments");
	ret = open_state(&st, false);
	if (ret)
		return ret;
	so.cgroot = find_cgroot() ? NULL : cgroot.path;
	err = vipc_events_stream(&st, &so);
	vipc_state_close(&st);
	if (err == -ETIMEDOUT) {
		pr_warn("events: fewer than %ld events within %d s\n", opt.count, opt.timeout_s);
		return VIPC_EXIT_DENIED;
	}
	return err ? report(err, "streaming events") : 0;
}

/* Run one registry change under the lock. */
static int with_lock(int (*fn)(struct vipc_state *, char **), char **argv, const char *what)
{
	struct vipc_state st;
	int ret, err;

	ret = open_state(&st, true);
	if (ret)
		return ret;
	err = fn(&st, argv);
	vipc_state_close(&st);
	return report(err, what);
}

static int container_add(struct vipc_state *st, char **argv)
{
	struct vipc_policy pol = { .nr_containers = 1 };
	struct vipc_policy_container c = { .pid = opt.pid, .mode = opt.mode,
					   .unknown = opt.unknown };
	struct vipc_policy_error perr = {};
	int err;

	/* Resolve like the policy does: relative to the cgroup2 mount, or by pid. */
	snprintf(c.cgroup, sizeof(c.cgroup), "%s", opt.cgroup ? opt.cgroup : "");
	pol.containers = &c;
	err = vipc_policy_resolve(&pol, cgroot.path, "/proc", &perr);
	if (err)
		return vipc_fail(-ENOENT, "%s", perr.msg);
	if (!c.cgroup_id)
		return vipc_fail(-ENOENT, "no cgroup %s%s", cgroot.path, c.path);
	return vipc_container_add(st, argv[0], &c);
}

static int container_rm(struct vipc_state *st, char **argv)
{
	return vipc_container_rm(st, argv[0]);
}

static int endpoint_add(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_add(st, argv[0], argv[1], argv[2], opt.others);
}

static int endpoint_rm(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_rm(st, argv[0], argv[1]);
}

struct ls_ctx {
	struct vipc_state *st;
	json_object *list;	    /* --json: the array the entries go in */
	struct vipc_table bindings; /* container ls: the live slot's, sorted by cgroup */
	__u64 *ids;			     /* their cgroup ids, sorted */
	char (*paths)[VIPC_CGROUP_PATH_MAX]; /* and the path of each, "" if not found */
};

/* Append @obj (NULL or @err: not built) to the JSON list. */
static int ls_add(struct ls_ctx *l, json_object *obj, int err)
{
	obj = vipc_json_done(obj, err);
	if (obj && !json_object_array_add(l->list, obj))
		return 0;
	json_object_put(obj);
	return -ENOMEM;
}

/* Is binding @i of the live slot one of container @c's? */
static bool bound_to(const struct ls_ctx *l, size_t i, const struct vipc_container *c)
{
	return ((const struct vipc_principal *)vipc_table_val(&l->bindings, i))->id ==
	       c->principal.id;
}

/* The cgroup id of binding @i. */
static __u64 binding_cgroup(const struct ls_ctx *l, size_t i)
{
	return ((const struct vipc_principal_key *)vipc_table_key(&l->bindings, i))->cgroup_id;
}

/* The path of cgroup @cgid bound to @c, as text: the path it selects, or
 * for a glob or a runtime selector the one the walk found ("?" if gone).
 */
static void binding_path(const struct ls_ctx *l, __u64 cgid, const struct vipc_container *c,
			 char *out, size_t size)
{
	long i = vipc_cgroup_ids_find(l->ids, l->bindings.n, cgid);
	const char *path = i >= 0 && l->paths[i][0] ? l->paths[i] : "?";

	if (c->selector == VIPC_SEL_GLOB || c->selector >= VIPC_SEL_DOCKER)
		vipc_bytes_format(path, strlen(path), out, size);
	else
		vipc_bytes_format(c->path.bytes,
				  c->path_len < VIPC_CGROUP_PATH_MAX ? c->path_len : 0, out, size);
}

static int ls_path(const char *path, size_t i, void *ctx)
{
	struct ls_ctx *l = ctx;

	snprintf(l->paths[i], sizeof(l->paths[i]), "%s", path);
	return 0;
}

/* The paths of the live slot's bindings, in one walk. */
static int ls_paths(struct ls_ctx *l)
{
	size_t i, n = l->bindings.n;
	int err;

	l->ids = calloc(n + 1, sizeof(*l->ids));
	l->paths = calloc(n + 1, sizeof(*l->paths));
	err = l->ids && l->paths ? 0 : -ENOMEM;
	for (i = 0; i < n && !err; i++)
		l->ids[i] = binding_cgroup(l, i);
	if (!err)
		vipc_cgroup_ids_sort(l->ids, &n); /* one slot: no repeats */
	if (!err && !find_cgroot())
		err = vipc_cgroup_paths(cgroot.path, l->ids, n, ls_path, l);
	return err;
}

/* The cgroups bound to @c now, as text. */
static void print_bindings(const struct ls_ctx *l, const struct vipc_container *c)
{
	char path[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
	size_t i;
	int n = 0;

	for (i = 0; i < l->bindings.n; i++) {
		if (!bound_to(l, i, c))
			continue;
		binding_path(l, binding_cgroup(l, i), c, path, sizeof(path));
		printf(" %s (%llu)", path, (unsigned long long)binding_cgroup(l, i));
		n++;
	}
	if (!n)
		printf(" unbound");
}

/* The same as a JSON array "cgroups" of {"path","id"} in @obj. */
static int bindings_json(const struct ls_ctx *l, const struct vipc_container *c,
			 json_object *obj)
{
	char path[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
	json_object *arr = json_object_new_array(), *b;
	int err = vipc_json_add(obj, "cgroups", arr);
	size_t i;

	for (i = 0; i < l->bindings.n && !err; i++) {
		if (!bound_to(l, i, c))
			continue;
		b = json_object_new_object();
		binding_path(l, binding_cgroup(l, i), c, path, sizeof(path));
		err = vipc_json_add_str(b, "path", path);
		err = err ?: vipc_json_add_u64(b, "id", binding_cgroup(l, i));
		b = vipc_json_done(b, err);
		err = b && !json_object_array_add(arr, b) ? 0 : (json_object_put(b), -ENOMEM);
	}
	return err;
}

/* `annotations {k=v,...}`: each pair of the selector, its bytes as text. */
static void annotations_text(const struct vipc_container *c, char *out, size_t size)
{
	const char *p = c->path.bytes, *end = p + (c->path_len < VIPC_CGROUP_PATH_MAX ?
						    c->path_len : 0);
	char k[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)], v[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
	size_t off = snprintf(out, size, "annotations {"), kl, vl;

	while (p < end && off < size) {
		kl = strnlen(p, end - p);
		vl = p + kl + 1 < end ? strnlen(p + kl + 1, end - p - kl - 1) : 0;
		vipc_bytes_format(p, kl, k, sizeof(k));
		vipc_bytes_format(p + kl + 1, vl, v, sizeof(v));
		off += snprintf(out + off, size - off, "%s%s=%s", p == c->path.bytes ? "" : ",", k, v);
		p += kl + vl + 2;
	}
	if (off < size)
		snprintf(out + off, size - off, "}");
}

/* A container's selector as text: "cgroup PATH", "glob PATTERN", "pid N (PATH)",
 * "docker NAME", "podman NAME" or "annotations {k=v,...}".
 */
static void selector_text(const struct vipc_container *c, char *sel, size_t size)
{
	char path[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];

	vipc_bytes_format(c->path.bytes, c->path_len < VIPC_CGROUP_PATH_MAX ? c->path_len : 0, path,
			  sizeof(path));
	if (c->selector == VIPC_SEL_PID)
		snprintf(sel, size, "pid %u (%s)", c->pid, path);
	else if (c->selector == VIPC_SEL_GLOB)
		snprintf(sel, size, "glob %s", path);
	else if (c->selector == VIPC_SEL_DOCKER || c->selector == VIPC_SEL_PODMAN)
		snprintf(sel, size, "%s %s", c->selector == VIPC_SEL_DOCKER ? "docker" : "podman",
			 path);
	else if (c->selector == VIPC_SEL_ANNOTATIONS)
		annotations_text(c, sel, size);
	else
		snprintf(sel, size, "cgroup %s", path);
}

static int print_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_container *c = val;
	const struct vipc_principal *p = &c->principal;
	struct ls_ctx *l = ctx;
	const char *mode = p->mode == VIPC_MODE_AUDIT ? "audit" : "enforce";
	const char *unknown = p->unknown == VIPC_UNKNOWN_DENY ? "deny" : "allow";
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	char sel[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX) + 32];
	bool runtime = c->flags & VIPC_CT_SEED;
	json_object *obj;
	int err;

	(void)key;
	vipc_label_format(p->name, name, sizeof(name));
	selector_text(c, sel, sizeof(sel));
	if (!opt.json) {
		printf("%-20s id %-5u mode %-7s unknown %-5s %s%s:", name, p->id, mode, unknown, sel,
		       runtime ? " (run-time)" : "");
		print_bindings(l, c);
		printf("\n");
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "name", name);
	err = err ?: vipc_json_add_u64(obj, "id", p->id);
	err = err ?: vipc_json_add_str(obj, "mode", mode);
	err = err ?: vipc_json_add_str(obj, "unknown", unknown);
	err = err ?: vipc_json_add_str(obj, "selector", sel);
	err = err ?: vipc_json_add(obj, "runtime", json_object_new_boolean(runtime));
	err = err ?: bindings_json(l, c, obj);
	return ls_add(l, obj, err);
}

static int print_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint_key *k = key;
	const struct vipc_endpoint *ep = val;
	char addr[VIPC_TEXT_SIZE(VIPC_NAME_MAX)], owner[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	bool channel = ep->flags & VIPC_EP_CHANNEL;
	struct vipc_container_info c;
	struct ls_ctx *l = ctx;
	json_object *obj;
	int err;

	vipc_addr_format(k->kind, ep->name.bytes, k->len, addr, sizeof(addr));
	vipc_label_format(ep->label, name, sizeof(name));
	snprintf(owner, sizeof(owner), "#%u", ep->owner);
	if (!vipc_container_by_id(l->st, ep->owner, &c))
		vipc_label_format(c.val.principal.name, owner, sizeof(owner));
	if (!opt.json) {
		printf("%-20s id %-5u owner %-16s gen %-4u others %-5s %s%s\n", name, ep->id, owner,
		       ep->generation, vipc_others_str(ep->others), addr,
		       channel ? " (channel)" : "");
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "name", name);
	err = err ?: vipc_json_add_u64(obj, "id", ep->id);
	err = err ?: vipc_json_add_str(obj, "owner", owner);
	err = err ?: vipc_json_add_exact(obj, "address", addr, ep->name.bytes,
					 k->len < VIPC_NAME_MAX ? k->len : VIPC_NAME_MAX);
	err = err ?: vipc_json_add_u64(obj, "generation", ep->generation);
	err = err ?: vipc_json_add_str(obj, "others", vipc_others_str(ep->others));
	err = err ?: vipc_json_add(obj, "channel", json_object_new_boolean(channel));
	return ls_add(l, obj, err);
}

static int print_channel(const void *key, const void *val, void *ctx)
{
	const struct vipc_channel_key *k = key;
	const struct vipc_channel *ch = val;
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], epname[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)] = "?";
	struct vipc_endpoint_info ep;
	struct ls_ctx *l = ctx;
	json_object *obj;
	int err;

	vipc_label_format(k->name, name, sizeof(name));
	if (!vipc_endpoint_by_id(l->st, ch->endpoint, &ep))
		vipc_label_format(ep.val.label, epname, sizeof(epname));
	if (!opt.json) {
		printf("%-20s endpoint %-16s receiver #%-4u capacity %u\n", name, epname,
		       ch->receiver, ch->capacity);
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "name", name);
	err = err ?: vipc_json_add_str(obj, "endpoint", epname);
	err = err ?: vipc_json_add_u64(obj, "receiver_id", ch->receiver);
	err = err ?: vipc_json_add_u64(obj, "capacity", ch->capacity);
	return ls_add(l, obj, err);
}

static int list(int fd_off, vipc_visit_fn fn)
{
	struct vipc_state st;
	struct ls_ctx l = { .st = &st };
	int ret, err = 0;

	ret = open_state(&st, false);
	if (ret)
		return ret;
	err = vipc_table_init(&l.bindings, st.principals_fd);
	if (!err && fn == print_container)
		err = vipc_table_dump(&l.bindings, st.cfg.active_slot) ?:
		      vipc_table_sort(&l.bindings) ?: ls_paths(&l);
	if (!err && opt.json && !(l.list = json_object_new_array()))
		err = -ENOMEM;
	if (!err)
		err = vipc_map_visit(*(int *)((char *)&st + fd_off), st.cfg.active_slot, fn, &l);
	if (opt.json && err >= 0)
		err = vipc_json_print(l.list);
	else
		json_object_put(l.list);
	vipc_table_free(&l.bindings);
	free(l.ids);
	free(l.paths);
	vipc_state_close(&st);
	return err < 0 ? report(err, "listing") : 0;
}

#define LIST(field, fn) list(offsetof(struct vipc_state, field), fn)

static int cmd_container(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "ls"))
		return LIST(containers_fd, print_container);
	if (argc == 2 && !strcmp(argv[0], "rm"))
		return with_lock(container_rm, argv + 1, "container rm");
	if (argc == 2 && !strcmp(argv[0], "add")) {
		if (!opt.cgroup == !opt.pid)
			return vipc_usage_error("container add needs exactly one of --cgroup and --pid");
		if (find_cgroot())
			return VIPC_EXIT_NO_CGROUP2;
		return with_lock(container_add, argv + 1, "container add");
	}
	return vipc_usage_error("container add NAME (--cgroup PATH|--pid PID) | rm NAME | ls");
}

static int cmd_endpoint(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "ls"))
		return LIST(endpoints_fd, print_endpoint);
	if (argc == 3 && !strcmp(argv[0], "rm"))
		return with_lock(endpoint_rm, argv + 1, "endpoint rm");
	if (argc == 4 && !strcmp(argv[0], "add"))
		return with_lock(endpoint_add, argv + 1, "endpoint add");
	return vipc_usage_error("endpoint add NAME OWNER ADDR | rm NAME OWNER | ls");
}

static int grant(struct vipc_state *st, char **argv)
{
	__u32 perms;

	if (vipc_perms_parse(argv[2], &perms))
		return vipc_fail(-EINVAL, "bad permissions '%s': expected connect,send,bind,pass-fd",
				 argv[2]);
	return vipc_grant_set(st, argv[0], argv[1], perms);
}

static int cmd_grant(int argc, char **argv)
{
	if (argc != 3)
		return vipc_usage_error("grant CONTAINER ENDPOINT PERMS");
	return with_lock(grant, argv, "grant");
}

static int revoke_one(struct vipc_state *st, char **argv)
{
	__u32 killed = 0;
	int err;

	if (!opt.endpoint)
		return vipc_grant_revoke(st, argv[0], argv[1]);
	err = vipc_endpoint_revoke(st, opt.endpoint, &killed);
	if (!err)
		pr_info("endpoint %s: generation bumped, %u grant(s) revoked\n", opt.endpoint, killed);
	return err;
}

static int cmd_revoke(int argc, char **argv)
{
	if (opt.endpoint ? argc != 0 : argc != 2)
		return vipc_usage_error("revoke CONTAINER ENDPOINT | revoke --endpoint ENDPOINT");
	return with_lock(revoke_one, argv, "revoke");
}

static int channel_add(struct vipc_state *st, char **argv)
{
	char senders[64][VIPC_LABEL_MAX], *list = argv[2], *tok, *save = NULL;
	size_t n = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 64 || vipc_check_label("sender", tok))
			return vipc_fail(-EINVAL, "bad sender list (at most 64 names)");
		vipc_label_copy(senders[n++], tok);
	}
	return vipc_channel_add(st, argv[0], argv[1], senders, n, opt.capacity);
}

static int channel_rm(struct vipc_state *st, char **argv)
{
	return vipc_channel_rm(st, argv[0]);
}

static int cmd_channel(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "ls"))
		return LIST(channels_fd, print_channel);
	if (argc == 2 && !strcmp(argv[0], "rm"))
		return with_lock(channel_rm, argv + 1, "channel rm");
	if (argc == 4 && !strcmp(argv[0], "add"))
		return with_lock(channel_add, argv + 1, "channel add");
	return vipc_usage_error("channel add NAME ENDPOINT SENDERS [--capacity N] | rm NAME | ls");
}

/* {"allowed":B,"reason":R,"audit":B[,"container":NAME|null]}: 0 or -ENOMEM. */
static int check_json(const struct vipc_check_result *r)
{
	json_object *doc = json_object_new_object();
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	int err;

	err = vipc_json_add(doc, "allowed", json_object_new_boolean(r->allowed));
	err = err ?: vipc_json_add_str(doc, "reason", vipc_reason_str(r->reason));
	err = err ?: vipc_json_add(doc, "audit",
				   json_object_new_boolean(r->allowed && vipc_reason_denies(r->reason)));
	if (!err && opt.cgroup && !r->contained)
		err = vipc_json_add_null(doc, "container");
	else if (!err && opt.cgroup) {
		vipc_label_format(r->caller.name, who, sizeof(who));
		err = vipc_json_add_str(doc, "container", who);
	}
	return vipc_json_print(vipc_json_done(doc, err));
}

/* "allow (granted)", "deny (no-grant), no container", ... */
static void check_text(const struct vipc_check_result *r)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];

	vipc_label_format(r->caller.name, who, sizeof(who));
	printf("%s (%s%s)", r->allowed ? "allow" : "deny", vipc_reason_str(r->reason),
	       r->allowed && vipc_reason_denies(r->reason) ? ", audit mode: would deny" : "");
	if (opt.cgroup)
		printf(r->contained ? ", container %s" : ", no container%s", r->contained ? who : "");
	printf("\n");
}

/* The caller's cgroup of `check --cgroup PATH`, resolved as a policy's. */
static int check_cgroup(struct vipc_state *st, char **argv, __u32 perm,
			struct vipc_check_result *r)
{
	struct vipc_policy_container c = {};
	struct vipc_policy pol = { .containers = &c, .nr_containers = 1 };
	struct vipc_policy_error perr = {};

	snprintf(c.cgroup, sizeof(c.cgroup), "%s", opt.cgroup);
	if (vipc_policy_resolve(&pol, cgroot.path, "/proc", &perr))
		return vipc_fail(-EINVAL, "--cgroup %s: %s", opt.cgroup, perr.msg);
	return vipc_check_cgroup(st, cgroot.path, c.path, argv[0], perm, r);
}

static int cmd_check(int argc, char **argv)
{
	struct vipc_check_result r = { .contained = true };
	int nargs = opt.cgroup ? 2 : 3, ret, err;
	struct vipc_state st;
	__u32 perm;

	if (argc != nargs)
		return vipc_usage_error(opt.cgroup ? "check --cgroup PATH ENDPOINT PERM" :
						     "check CONTAINER ENDPOINT PERM");
	if (vipc_perm_parse(argv[nargs - 1], &perm))
		return vipc_usage_error("bad permission '%s': expected connect, send, bind or pass-fd",
					argv[nargs - 1]);
	ret = (opt.cgroup ? find_cgroot() : 0) ?: open_state(&st, false);
	if (ret)
		return ret;
	err = opt.cgroup ? check_cgroup(&st, argv, perm, &r) :
			   vipc_check(&st, argv[0], argv[1], perm, &r.reason, &r.allowed);
	vipc_state_close(&st);
	if (err)
		return report(err, "check");
	if (opt.json && check_json(&r))
		return report(-ENOMEM, "check");
	if (!opt.json)
		check_text(&r);
	return r.allowed ? VIPC_EXIT_OK : VIPC_EXIT_DENIED;
}

/* `metrics`: serve until stopped, or write the textfile once or every -i MS. */
static int cmd_metrics(int argc, char **argv)
{
	struct vipc_httpd httpd;
	int err, last = 0;

	(void)argv;
	if (argc || !opt.listen == !opt.textfile)
		return vipc_usage_error("metrics takes --listen [ADDR:]PORT or --textfile PATH");
	if (opt.listen && opt.interval_set)
		return vipc_usage_error("-i is for --textfile");
	if (opt.listen) {
		err = vipc_httpd_start(&httpd, opt.listen, vipc_metrics_collect, NULL);
		if (err)
			return err == -EINVAL ? VIPC_EXIT_USAGE : VIPC_EXIT_DENIED;
		while (!vipc_stop)
			sleep(1);
		vipc_httpd_stop(&httpd);
		return 0;
	}
	do {
		err = vipc_metrics_textfile(opt.textfile);
		if (err && err != last)
			pr_warn("metrics: writing %s: %s\n", opt.textfile,
				err == -ENOENT ? "vipc is not loaded" : strerror(-err));
		last = err;
	} while (opt.interval_set && opt.interval_ms && !vipc_stop &&
		 !usleep(opt.interval_ms * 1000) && !vipc_stop);
	return err == -ENOENT ? VIPC_EXIT_NOT_LOADED : err ? vipc_exit_status(err) : 0;
}

/* suggest's reads of the pinned instance: root only, said so. */
static int suggest_state(struct vipc_state *st)
{
	char missing[128];

	if (vipc_caps_check(missing, sizeof(missing))) {
		pr_warn("suggest: missing capabilities %s to read %s (run with sudo, or give "
			"--from FILE and --policy FILE)\n", missing, opt.timeout_s ? "live events" :
			"the loaded registry");
		return VIPC_EXIT_NO_PRIVILEGE;
	}
	return open_state(st, false);
}

/* The records: the --from file (or stdin), then --timeout S of live events. */
static int suggest_collect(struct vipc_suggest *s, struct vipc_state *st)
{
	bool in = opt.from && !strcmp(opt.from, "-");
	FILE *f = NULL;
	int err = 0;

	if (opt.from && !(f = in ? stdin : fopen(opt.from, "re"))) {
		pr_warn("suggest: %s: %s\n", opt.from, strerror(errno));
		return VIPC_EXIT_DENIED;
	}
	if (f)
		err = vipc_suggest_read(s, f, in ? "stdin" : opt.from);
	if (f && !in)
		fclose(f);
	if (!err && opt.timeout_s)
		err = vipc_suggest_live(s, st, cgroot.path[0] ? cgroot.path : NULL, opt.timeout_s);
	return err ? report(err, "suggest: reading events") : 0;
}

/* The --policy FILE's text, checked to parse before any event is read. */
static int suggest_policy_text(char **text, size_t *len)
{
	struct vipc_policy_error perr = {};
	struct vipc_policy *pol = NULL;
	int err;

	snprintf(perr.file, sizeof(perr.file), "%s", opt.policy);
	err = vipc_policy_read_file(opt.policy, text, len, &perr) ?:
	      vipc_policy_parse_string(*text, *len, opt.policy, &pol, &perr);
	vipc_policy_free(pol);
	return err ? policy_error(err, &perr) : 0;
}

/* The policy @text with the grants merged in, or (NULL) a fragment. */
static int suggest_write(struct vipc_suggest *s, struct vipc_state *st, const char *text,
			 size_t len)
{
	struct vipc_policy_error perr = {};
	struct vipc_policy *base = NULL;
	int err;

	if (!text) {
		err = vipc_suggest_base(st, &base) ?: vipc_suggest_fragment(s, base, stdout);
		vipc_policy_free(base);
		return report(err, "suggest");
	}
	err = vipc_suggest_policy(s, text, len, opt.policy, stdout, &perr);
	return err == -EINVAL ? policy_error(err, &perr) : report(err, "suggest");
}

static int cmd_suggest(int argc, char **argv)
{
	bool live = opt.timeout_s || !opt.policy;
	struct vipc_suggest *s = NULL;
	struct vipc_state st;
	char *text = NULL;
	size_t len = 0;
	int ret;

	(void)argv;
	if (argc || (!opt.from && !opt.timeout_s))
		return vipc_usage_error("suggest takes --from FILE (- for stdin) and/or "
					"--timeout S, and no arguments");
	/* Phase 1: the policy, the sums, and what is read live, or why not;
	 * the cgroup2 mount (--cgroup-root's must be one) and the runtimes'
	 * state, for the cgroups of callers no container holds.
	 */
	ret = opt.policy ? suggest_policy_text(&text, &len) : 0;
	if (!ret && opt.cgroup_root)
		ret = find_cgroot();
	if (!ret && vipc_suggest_new(&s))
		ret = report(-ENOMEM, "suggest");
	if (!ret)
		vipc_suggest_where(s, find_cgroot() ? NULL : cgroot.path, &opt.rt_roots);
	if (!ret && live)
		ret = suggest_state(&st);
	/* Phase 2: the records in, the policy out. */
	if (!ret) {
		ret = suggest_collect(s, &st) ?: suggest_write(s, &st, text, len);
		if (live)
			vipc_state_close(&st);
	}
	vipc_suggest_free(s);
	free(text);
	return ret;
}

/* `top`: the live view, from the pinned state opened read-only. */
static int cmd_top(int argc, char **argv)
{
	struct vipc_top_opts o = { .interval_ms = opt.interval_ms, .count = opt.count,
				   .json = opt.json };
	struct vipc_state st;
	int ret, err;

	(void)argv;
	if (argc)
		return vipc_usage_error("top takes no arguments");
	if (o.interval_ms < 10)
		return vipc_usage_error("top takes -i MS of 10 or more");
	ret = opened(vipc_state_open_ro(&st));
	if (ret)
		return ret;
	err = vipc_top_run(&st, &o);
	vipc_state_close(&st);
	if (err == -ENOENT) {
		pr_warn("top: vipc was unloaded\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	if (err == -ENOTTY) {
		pr_warn("top: ncurses cannot drive this terminal (TERM=%s); pipe the output "
			"for plain lines\n", getenv("TERM") ?: "unset");
		return VIPC_EXIT_DENIED;
	}
	return report(err, "top");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs(usage_text, stdout);
	return 0;
}

/* Each command's function, by enum vipc_cmd; cli.c has their grammar. */
static const struct cmd {
	int (*fn)(int argc, char **argv);
	bool privileged;
} cmds[VIPC_NR_CMDS] = {
	[VIPC_CMD_RUN] = { cmd_run, true },
	[VIPC_CMD_LOAD] = { cmd_load, true },
	[VIPC_CMD_RELOAD] = { cmd_reload, true },
	[VIPC_CMD_UNLOAD] = { cmd_unload, true },
	[VIPC_CMD_STATUS] = { cmd_status, true },
	[VIPC_CMD_STATS] = { cmd_stats, true },
	[VIPC_CMD_EVENTS] = { cmd_events, true },
	[VIPC_CMD_CONTAINER] = { cmd_container, true },
	[VIPC_CMD_ENDPOINT] = { cmd_endpoint, true },
	[VIPC_CMD_GRANT] = { cmd_grant, true },
	[VIPC_CMD_REVOKE] = { cmd_revoke, true },
	[VIPC_CMD_CHANNEL] = { cmd_channel, true },
	[VIPC_CMD_CHECK] = { cmd_check, true },
	[VIPC_CMD_METRICS] = { cmd_metrics, true },
	[VIPC_CMD_SUGGEST] = { cmd_suggest, false }, /* root only for what it reads live */
	[VIPC_CMD_TOP] = { cmd_top, true },
	[VIPC_CMD_HELP] = { cmd_help, false },
};

/* libbpf's warnings always, its info and debug lines only with -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN && vipc_log_level < VIPC_LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	char missing[128];
	const struct cmd *cmd;
	int ret, first;

	/* Phase 1: the command and its options. */
	ret = vipc_cli_parse(argc, argv, &opt);
	if (ret || opt.help)
		return ret ?: cmd_help(0, NULL);
	if (opt.version) {
		printf("vipc-loader %s (pinned-state ABI %u)\n", VIPC_VERSION, VIPC_ABI_VERSION);
		return 0;
	}
	vipc_log_level = opt.log_level;
	cmd = &cmds[opt.cmd];

	/* Phase 2: privileges before any libbpf call, so no noise without them. */
	if (cmd->privileged && vipc_caps_check(missing, sizeof(missing))) {
		pr_warn("missing capabilities %s (run with sudo)\n", missing);
		return VIPC_EXIT_NO_PRIVILEGE;
	}
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Phase 3: run it on the words after the command's. */
	first = opt.cmd_index + (opt.cmd != VIPC_CMD_RUN);
	return cmd->fn(argc - first, argv + first);
}
