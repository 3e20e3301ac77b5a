// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-loader: load, pin, attach, apply policy, stream statistics and
 * events, edit the registry, reload and unload.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "decisions.h"
#include "jsonout.h"
#include "log.h"
#include "policy.h"
#include "registry.h"
#include "state.h"
#include "stream.h"

#define DEFAULT_POLICY "/etc/vipc/policy.yaml"

static struct vipc_cli opt;

static const char usage_text[] =
	"Usage: vipc-loader [COMMAND [ARGS]] [OPTIONS]\n"
	"\n"
	"With no command: load (or adopt) vipc, apply the policy, and show live\n"
	"statistics and deny events until Ctrl-C. Takes LOAD OPTIONS, -j/--json\n"
	"(events and snapshots as JSON) and\n"
	"  -d, --detach           return once enforcement is in place\n"
	"  -i, --interval MS      statistics snapshot period (default 1000, 0 = off)\n"
	"\n"
	"Commands (each takes only the options shown with it, and -v, -q, -h):\n"
	"  load [LOAD OPTIONS]                    load or adopt, apply -c FILE if given\n"
	"  reload -c FILE [--event-rate RATE]     apply FILE atomically\n"
	"  unload                                 remove every pin and link\n"
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
	"  endpoint add NAME OWNER ADDR           ADDR: /path or @abstract\n"
	"  endpoint rm NAME OWNER                 only the owner removes an endpoint\n"
	"  endpoint ls [--json]\n"
	"  grant CONTAINER ENDPOINT PERMS         PERMS: connect,send,bind,pass-fd\n"
	"  revoke CONTAINER ENDPOINT              revoke one grant\n"
	"  revoke --endpoint ENDPOINT             generation bump: every grant dies\n"
	"  channel add NAME ENDPOINT SENDER[,SENDER...] [--capacity N]\n"
	"  channel rm NAME\n"
	"  channel ls [--json]\n"
	"  check CONTAINER ENDPOINT PERM [--json] exit 0 allowed, 1 denied\n"
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
	"      --backend B        auto (default: every one the kernel offers), sock, lsm\n"
	"                         or both; VIPC_BACKEND in the environment sets the default\n"
	"      --max-containers N, --max-endpoints N, --max-grants N, --max-channels N\n"
	"                         table sizes, fixed at load\n"
	"      --prealloc-grants  reserve the grants table's memory at load (~80 bytes\n"
	"                         per entry, two slots): large policies apply faster\n"
	"      --event-rate RATE  deny events per key: one per interval (500ms, 2s; the\n"
	"                         rest counted) or all; overrides the policy's events.rate\n"
	"      --no-decisions     no per-container decision counters (vipc_decisions)\n"
	"\n"
	"Exit status: 0 ok, 1 denied (check) or failure, 2 bad usage or policy,\n"
	"3 not found, 4 not the owner, 5 not loaded, 6 incompatible pin, 7 table full,\n"
	"8 already exists, 9 kernel refused, 10 out of memory, 77 missing capabilities.\n";

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

/* Open the pinned instance; not loaded and incompatible get their own status. */
static int open_state(struct vipc_state *st, bool lock)
{
	int err = vipc_state_open(st, lock);

	if (err == -ENOENT) {
		pr_warn("vipc is not loaded (run 'sudo vipc-loader load')\n");
		return VIPC_EXIT_NOT_LOADED;
	}
	return err ? report(err, "opening " VIPC_PIN_DIR) : 0;
}

/* Parse and resolve the policy file; on error print file:line:col. */
static int read_policy(const char *path, struct vipc_policy **pol)
{
	struct vipc_policy_error perr = {};
	char msg[PATH_MAX + 600];
	int err;

	err = vipc_policy_parse_file(path, pol, &perr);
	if (!err)
		err = vipc_policy_resolve(*pol, VIPC_CGROUP2, "/proc", &perr);
	if (!err)
		return 0;
	vipc_policy_error_format(&perr, msg, sizeof(msg));
	fprintf(stderr, "%s\n", msg);
	vipc_policy_free(*pol);
	*pol = NULL;
	return err == -ENOMEM ? VIPC_EXIT_NO_MEMORY : VIPC_EXIT_USAGE;
}

static const char *policy_path(void)
{
	if (opt.config)
		return opt.config;
	return access(DEFAULT_POLICY, F_OK) ? NULL : DEFAULT_POLICY;
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
	err = vipc_apply(st, pol);
	vipc_policy_free(pol);
	ret = report(err, path);
	if (!ret)
		pr_info("policy %s applied\n", path);
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

	/* Phase 1: a bad policy or a missing backend stops us before anything is loaded. */
	if (path && (ret = read_policy(path, &pol)))
		return ret;
	vipc_policy_free(pol);
	if (vipc_pick_backends(opt.backends, &backends))
		return VIPC_EXIT_KERNEL;

	/* Phase 2: load or adopt under the lock, then open what is pinned. */
	err = vipc_lock(&lock_fd);
	if (!err)
		err = vipc_load(&opt.limits, backends, &adopted);
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

/* No command: load, then stay in the foreground streaming until Ctrl-C. */
static int cmd_run(int argc, char **argv)
{
	struct vipc_stream_opts so = { .interval_ms = opt.interval_ms, .json = opt.json };
	struct vipc_state st;
	int ret, err;

	(void)argc;
	(void)argv;
	ret = do_load(&st);
	if (ret || opt.detach) {
		if (!ret)
			vipc_state_close(&st);
		return ret;
	}
	vipc_unlock(st.lock_fd);
	st.lock_fd = -1;
	err = vipc_caps_drop();
	if (err)
		pr_warn("dropping capabilities: %s\n", strerror(-err));
	pr_info("enforcing; Ctrl-C stops this view, enforcement stays until 'vipc-loader unload'\n");
	err = vipc_events_stream(&st, &so);
	vipc_state_close(&st);
	return err ? report(err, "streaming events") : 0;
}

static int cmd_reload(int argc, char **argv)
{
	struct vipc_state st;
	int ret;

	(void)argv;
	if (argc || !opt.config)
		return vipc_usage_error("reload takes -c FILE and no arguments");
	ret = open_state(&st, true);
	if (ret)
		return ret;
	ret = apply_file(&st, opt.config);
	vipc_state_close(&st);
	return ret;
}

static int cmd_unload(int argc, char **argv)
{
	int err;

	(void)argv;
	if (argc)
		return vipc_usage_error("unload takes no arguments");
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

static const char *const backend_names[] = { "sock", "lsm" };

/* Is hook @i attached (its link pinned)? */
static bool hook_live(int i)
{
	int fd = vipc_hook_link_open(i);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void status_text(const struct vipc_state *st)
{
	struct vipc_probe p;
	__u64 ms = 0;
	int i, err;

	printf("vipc loaded at %s (ABI %u, live slot %u)\n"
	       "  containers %ld/%u  endpoints %ld/%u  grants %ld/%u  channels %ld/%u\n",
	       VIPC_PIN_DIR, st->cfg.abi_version, st->cfg.active_slot,
	       vipc_map_count(st->principals_fd, st->cfg.active_slot), st->limits.principals,
	       vipc_map_count(st->endpoints_fd, st->cfg.active_slot), st->limits.endpoints,
	       vipc_map_count(st->grants_fd, st->cfg.active_slot), st->limits.grants,
	       vipc_map_count(st->channels_fd, st->cfg.active_slot), st->limits.channels);
	vipc_probe_backends(&p);
	printf("backends:\n");
	for (i = 0; i < 2; i++)
		printf("  %-5s %s\n", backend_names[i], backend_state(st, &p, i));
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
	printf("hooks:\n");
	for (i = 0; i < vipc_nr_hooks; i++)
		printf("  %-5s %s\n", hook_live(i) ? "live" :
		       vipc_hooks[i].backend & ~st->cfg.backends ? "off" : "DOWN", vipc_hooks[i].what);
}

static json_object *status_json(const struct vipc_state *st)
{
	json_object *doc = json_object_new_object(), *backends, *hooks;
	__u32 slot = st->cfg.active_slot;
	struct vipc_probe p;
	__u64 ms = 0;
	int i, err;

	/* What is pinned and how full, then each backend, then each hook. */
	err = vipc_json_add(doc, "loaded", json_object_new_boolean(1));
	err = err ?: vipc_json_add_str(doc, "pin_dir", VIPC_PIN_DIR);
	err = err ?: vipc_json_add_u64(doc, "abi_version", st->cfg.abi_version);
	err = err ?: vipc_json_add_u64(doc, "active_slot", slot);
	err = err ?: vipc_json_add(doc, "containers",
				   json_object_new_int64(vipc_map_count(st->principals_fd, slot)));
	err = err ?: vipc_json_add(doc, "endpoints",
				   json_object_new_int64(vipc_map_count(st->endpoints_fd, slot)));
	err = err ?: vipc_json_add(doc, "grants",
				   json_object_new_int64(vipc_map_count(st->grants_fd, slot)));
	err = err ?: vipc_json_add(doc, "channels",
				   json_object_new_int64(vipc_map_count(st->channels_fd, slot)));
	vipc_probe_backends(&p);
	backends = vipc_json_child(doc, "backends");
	for (i = 0; i < 2 && !err; i++)
		err = vipc_json_add_str(backends, backend_names[i], backend_state(st, &p, i));
	err = err ?: vipc_json_add(doc, "stats_interval_ms", vipc_stats_interval_get(st, &ms) ?
				   NULL : json_object_new_int64(ms));
	err = err ?: vipc_json_add_u64(doc, "events_interval_ms",
				       st->cfg.events_interval_ns / 1000000);
	hooks = vipc_json_child(doc, "hooks");
	for (i = 0; i < vipc_nr_hooks && !err; i++)
		err = vipc_json_add(hooks, vipc_hooks[i].prog, json_object_new_boolean(hook_live(i)));
	return vipc_json_done(doc, err);
}

/* The statistics snapshot period, from vipc_settings. */
static int cmd_status(int argc, char **argv)
{
	struct vipc_state st;
	int ret, err = 0;

	(void)argv;
	if (argc)
		return vipc_usage_error("status takes no arguments");
	ret = open_state(&st, false);
	if (ret)
		return ret;
	if (opt.json)
		err = vipc_json_print(status_json(&st));
	else
		status_text(&st);
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
	struct vipc_policy_container c = { .pid = opt.pid, .pos = { 0, 0 } };
	struct vipc_policy_error perr = {};
	int err;

	/* Resolve like the policy does: relative to the cgroup2 mount, or by pid. */
	snprintf(c.cgroup, sizeof(c.cgroup), "%s", opt.cgroup ? opt.cgroup : "");
	pol.containers = &c;
	err = vipc_policy_resolve(&pol, VIPC_CGROUP2, "/proc", &perr);
	if (err)
		return vipc_fail(-ENOENT, "%s", perr.msg);
	return vipc_container_add(st, argv[0], c.cgroup_id, opt.mode, opt.unknown);
}

static int container_rm(struct vipc_state *st, char **argv)
{
	return vipc_container_rm(st, argv[0]);
}

static int endpoint_add(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_add(st, argv[0], argv[1], argv[2]);
}

static int endpoint_rm(struct vipc_state *st, char **argv)
{
	return vipc_endpoint_rm(st, argv[0], argv[1]);
}

struct ls_ctx {
	struct vipc_state *st;
	json_object *list; /* --json: the array the entries go in */
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

static int print_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal_key *k = key;
	const struct vipc_principal *p = val;
	struct ls_ctx *l = ctx;
	const char *mode = p->mode == VIPC_MODE_AUDIT ? "audit" : "enforce";
	const char *unknown = p->unknown == VIPC_UNKNOWN_DENY ? "deny" : "allow";
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	json_object *obj;
	int err;

	vipc_label_format(p->name, name, sizeof(name));
	if (!opt.json) {
		printf("%-20s id %-5u cgroup %-10llu mode %-7s unknown %s\n", name, p->id,
		       (unsigned long long)k->cgroup_id, mode, unknown);
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "name", name);
	err = err ?: vipc_json_add_u64(obj, "id", p->id);
	err = err ?: vipc_json_add_u64(obj, "cgroup_id", k->cgroup_id);
	err = err ?: vipc_json_add_str(obj, "mode", mode);
	err = err ?: vipc_json_add_str(obj, "unknown", unknown);
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
		vipc_label_format(c.val.name, owner, sizeof(owner));
	if (!opt.json) {
		printf("%-20s id %-5u owner %-16s gen %-4u %s%s\n", name, ep->id, owner,
		       ep->generation, addr, channel ? " (channel)" : "");
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "name", name);
	err = err ?: vipc_json_add_u64(obj, "id", ep->id);
	err = err ?: vipc_json_add_str(obj, "owner", owner);
	err = err ?: vipc_json_add_exact(obj, "address", addr, ep->name.bytes,
					 k->len < VIPC_NAME_MAX ? k->len : VIPC_NAME_MAX);
	err = err ?: vipc_json_add_u64(obj, "generation", ep->generation);
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
	if (opt.json && !(l.list = json_object_new_array()))
		err = -ENOMEM;
	if (!err)
		err = vipc_map_visit(*(int *)((char *)&st + fd_off), st.cfg.active_slot, fn, &l);
	if (opt.json && err >= 0)
		err = vipc_json_print(l.list);
	else
		json_object_put(l.list);
	vipc_state_close(&st);
	return err < 0 ? report(err, "listing") : 0;
}

#define LIST(field, fn) list(offsetof(struct vipc_state, field), fn)

static int cmd_container(int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "ls"))
		return LIST(principals_fd, print_container);
	if (argc == 2 && !strcmp(argv[0], "rm"))
		return with_lock(container_rm, argv + 1, "container rm");
	if (argc == 2 && !strcmp(argv[0], "add")) {
		if (!opt.cgroup == !opt.pid)
			return vipc_usage_error("container add needs exactly one of --cgroup and --pid");
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

/* {"allowed":B,"reason":R,"audit":B}: 0 or -ENOMEM. */
static int check_json(bool allowed, enum vipc_reason reason)
{
	json_object *doc = json_object_new_object();
	int err;

	err = vipc_json_add(doc, "allowed", json_object_new_boolean(allowed));
	err = err ?: vipc_json_add_str(doc, "reason", vipc_reason_str(reason));
	err = err ?: vipc_json_add(doc, "audit",
				   json_object_new_boolean(allowed && reason >= VIPC_R_FIRST_DENY));
	return vipc_json_print(vipc_json_done(doc, err));
}

static int cmd_check(int argc, char **argv)
{
	enum vipc_reason reason;
	struct vipc_state st;
	bool allowed;
	__u32 perm;
	int ret, err;

	if (argc != 3)
		return vipc_usage_error("check CONTAINER ENDPOINT PERM");
	if (vipc_perm_parse(argv[2], &perm))
		return vipc_usage_error("bad permission '%s': expected connect, send, bind or pass-fd",
				   argv[2]);
	ret = open_state(&st, false);
	if (ret)
		return ret;
	err = vipc_check(&st, argv[0], argv[1], perm, &reason, &allowed);
	vipc_state_close(&st);
	if (err)
		return report(err, "check");
	if (opt.json && check_json(allowed, reason))
		return report(-ENOMEM, "check");
	if (!opt.json)
		printf("%s (%s%s)\n", allowed ? "allow" : "deny", vipc_reason_str(reason),
		       allowed && reason >= VIPC_R_FIRST_DENY ? ", audit mode: would deny" : "");
	return allowed ? VIPC_EXIT_OK : VIPC_EXIT_DENIED;
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
