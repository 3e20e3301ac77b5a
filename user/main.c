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
#include "log.h"
#include "policy.h"
#include "registry.h"
#include "state.h"
#include "stream.h"

#define DEFAULT_POLICY "/etc/vipc/policy.yaml"

static struct vipc_cli opt;

static const char usage_text[] =
	"Usage: vipc-loader [OPTIONS] [COMMAND [ARGS]]\n"
	"\n"
	"With no command: load (or adopt) vipc, apply the policy, and show live\n"
	"statistics and deny events until Ctrl-C (--detach: return once enforced).\n"
	"\n"
	"Commands:\n"
	"  load                                   load or adopt, apply -c FILE if given\n"
	"  reload -c FILE                         apply FILE atomically\n"
	"  unload                                 remove every pin and link\n"
	"  status                                 what is loaded, which hooks are live\n"
	"  stats [--watch SECONDS]                decision and registry counters\n"
	"  events [--count N] [--timeout S] [-i MS]  stream deny events (and snapshots)\n"
	"  container add NAME (--cgroup PATH | --pid PID) [--mode enforce|audit]\n"
	"                [--unknown allow|deny]\n"
	"  container rm NAME                      also drops its endpoints and grants\n"
	"  container ls\n"
	"  endpoint add NAME OWNER ADDR           ADDR: /path or @abstract\n"
	"  endpoint rm NAME OWNER                 only the owner removes an endpoint\n"
	"  endpoint ls\n"
	"  grant CONTAINER ENDPOINT PERMS         PERMS: connect,send,bind,pass-fd\n"
	"  revoke CONTAINER ENDPOINT              revoke one grant\n"
	"  revoke --endpoint ENDPOINT             generation bump: every grant dies\n"
	"  channel add NAME ENDPOINT SENDER[,SENDER...] [--capacity N]\n"
	"  channel rm NAME\n"
	"  channel ls\n"
	"  check CONTAINER ENDPOINT PERM          exit 0 allowed, 1 denied\n"
	"  help\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE      policy file (default " DEFAULT_POLICY " if present)\n"
	"  -d, --detach           return once enforcement is in place\n"
	"  -j, --json             data as JSON\n"
	"  -v, --verbose          show libbpf's debug log\n"
	"  -i, --interval MS      statistics snapshot period (default 1000, 0 = off)\n"
	"      --backend B        auto (default: every one the kernel offers), sock, lsm\n"
	"                         or both; VIPC_BACKEND in the environment sets the default\n"
	"      --max-containers N, --max-endpoints N, --max-grants N, --max-channels N\n"
	"                         table sizes, fixed at load\n"
	"      --max-connections N  load: live channel connections the LSM backend\n"
	"                         counts (default 65536); over it, connects are channel-full\n"
	"      --prealloc-grants  reserve the grants table's memory at load (~80 bytes\n"
	"                         per entry, two slots): large policies apply faster\n"
	"\n"
	"Exit status: 0 ok, 1 denied (check) or failure, 2 bad usage or policy,\n"
	"3 not found, 4 not the owner, 5 not loaded, 6 incompatible pin, 7 table full,\n"
	"8 already exists, 9 kernel refused, 77 missing capabilities.\n";

/* An error from the registry or the pinned state, as an exit status. */
static int report(int err, const char *what)
{
	const char *detail = vipc_registry_err[0] ? vipc_registry_err : strerror(-err);

	switch (err) {
	case 0:
		return VIPC_EXIT_OK;
	case -EPROTO:
		pr_warn("%s: the instance pinned at %s has another ABI version; "
			"remove it with 'vipc-loader unload' first\n", what, VIPC_PIN_DIR);
		return VIPC_EXIT_INCOMPATIBLE;
	}
	pr_warn("%s: %s\n", what, detail);
	switch (err) {
	case -ENOENT:
		return VIPC_EXIT_NOT_FOUND;
	case -EACCES:
		return VIPC_EXIT_NOT_OWNER;
	case -E2BIG:
		return VIPC_EXIT_FULL;
	case -EEXIST:
		return VIPC_EXIT_EXISTS;
	case -EINVAL:
		return VIPC_EXIT_USAGE;
	default:
		return VIPC_EXIT_DENIED;
	}
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
	return VIPC_EXIT_USAGE;
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
	err = vipc_apply(st, pol);
	vipc_policy_free(pol);
	if (err)
		return report(err, path);
	pr_info("policy %s applied\n", path);
	return 0;
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

	/* Phase 3: the policy, or an empty registry. */
	if (path)
		return apply_file(st, path);
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

	(void)argc;
	(void)argv;
	ret = do_load(&st);
	if (!ret)
		vipc_state_close(&st);
	return ret;
}

/* No command: load, then stay in the foreground streaming until Ctrl-C. */
static int cmd_run(void)
{
	struct vipc_stream_opts so = { .interval_ms = opt.interval_ms, .json = opt.json };
	struct vipc_state st;
	int ret, err;

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

static void print_backends(const struct vipc_state *st)
{
	static const char *const names[] = { "sock", "lsm" };
	struct vipc_probe p;
	int i;

	vipc_probe_backends(&p);
	printf(opt.json ? "\"backends\":{" : "backends:\n");
	for (i = 0; i < 2; i++) {
		if (opt.json)
			printf("%s\"%s\":\"%s\"", i ? "," : "", names[i], backend_state(st, &p, i));
		else
			printf("  %-5s %s\n", names[i], backend_state(st, &p, i));
	}
	printf(opt.json ? "}," : "");
}

static int cmd_status(int argc, char **argv)
{
	struct vipc_state st;
	const char *state;
	int i, fd, ret;

	(void)argc;
	(void)argv;
	ret = open_state(&st, false);
	if (ret)
		return ret;
	if (opt.json)
		printf("{\"loaded\":true,\"pin_dir\":\"%s\",\"abi_version\":%u,\"active_slot\":%u,"
		       "\"containers\":%ld,\"endpoints\":%ld,\"grants\":%ld,\"channels\":%ld,",
		       VIPC_PIN_DIR, st.cfg.abi_version, st.cfg.active_slot,
		       vipc_map_count(st.principals_fd, st.cfg.active_slot),
		       vipc_map_count(st.endpoints_fd, st.cfg.active_slot),
		       vipc_map_count(st.grants_fd, st.cfg.active_slot),
		       vipc_map_count(st.channels_fd, st.cfg.active_slot));
	else
		printf("vipc loaded at %s (ABI %u, live slot %u)\n"
		       "  containers %ld/%u  endpoints %ld/%u  grants %ld/%u  channels %ld/%u\n",
		       VIPC_PIN_DIR, st.cfg.abi_version, st.cfg.active_slot,
		       vipc_map_count(st.principals_fd, st.cfg.active_slot), st.limits.principals,
		       vipc_map_count(st.endpoints_fd, st.cfg.active_slot), st.limits.endpoints,
		       vipc_map_count(st.grants_fd, st.cfg.active_slot), st.limits.grants,
		       vipc_map_count(st.channels_fd, st.cfg.active_slot), st.limits.channels);
	print_backends(&st);
	printf(opt.json ? "\"hooks\":{" : "hooks:\n");
	for (i = 0; i < vipc_nr_hooks; i++) {
		fd = vipc_hook_link_open(i);
		state = fd >= 0 ? "live" :
			vipc_hooks[i].backend & ~st.cfg.backends ? "off" : "DOWN";
		if (opt.json)
			printf("%s\"%s\":%s", i ? "," : "", vipc_hooks[i].prog,
			       fd >= 0 ? "true" : "false");
		else
			printf("  %-5s %s\n", state, vipc_hooks[i].what);
		if (fd >= 0)
			close(fd);
	}
	if (opt.json)
		printf("}}\n");
	vipc_state_close(&st);
	return 0;
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
		err = vipc_stats_read(&st, &s);
		if (err)
			break;
		vipc_stats_print(&s.total, s.hook, st.reg, opt.json);
	} while (opt.watch_s && !vipc_stop && !sleep(opt.watch_s) && !vipc_stop);
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
	int n;
};

static int print_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal_key *k = key;
	const struct vipc_principal *p = val;
	struct ls_ctx *l = ctx;
	const char *mode = p->mode == VIPC_MODE_AUDIT ? "audit" : "enforce";
	const char *unknown = p->unknown == VIPC_UNKNOWN_DENY ? "deny" : "allow";

	if (opt.json)
		printf("%s{\"name\":\"%s\",\"id\":%u,\"cgroup_id\":%llu,\"mode\":\"%s\","
		       "\"unknown\":\"%s\"}", l->n ? "," : "", p->name, p->id,
		       (unsigned long long)k->cgroup_id, mode, unknown);
	else
		printf("%-20s id %-5u cgroup %-10llu mode %-7s unknown %s\n", p->name, p->id,
		       (unsigned long long)k->cgroup_id, mode, unknown);
	l->n++;
	return 0;
}

static int print_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint_key *k = key;
	const struct vipc_endpoint *ep = val;
	char addr[4 * VIPC_NAME_MAX + 2], owner[VIPC_LABEL_MAX + 8];
	struct vipc_container_info c;
	struct ls_ctx *l = ctx;

	vipc_addr_format(k->kind, ep->name.bytes, k->len, addr, sizeof(addr));
	snprintf(owner, sizeof(owner), "#%u", ep->owner);
	if (!vipc_container_by_id(l->st, ep->owner, &c))
		snprintf(owner, sizeof(owner), "%s", c.val.name);
	if (opt.json)
		printf("%s{\"name\":\"%s\",\"id\":%u,\"owner\":\"%s\",\"address\":\"%s\","
		       "\"generation\":%u,\"channel\":%s}", l->n ? "," : "", ep->label, ep->id, owner,
		       addr, ep->generation, ep->flags & VIPC_EP_CHANNEL ? "true" : "false");
	else
		printf("%-20s id %-5u owner %-16s gen %-4u %s%s\n", ep->label, ep->id, owner,
		       ep->generation, addr, ep->flags & VIPC_EP_CHANNEL ? " (channel)" : "");
	l->n++;
	return 0;
}

static int print_channel(const void *key, const void *val, void *ctx)
{
	const struct vipc_channel_key *k = key;
	const struct vipc_channel *ch = val;
	struct vipc_endpoint_info ep;
	struct ls_ctx *l = ctx;
	const char *epname = vipc_endpoint_by_id(l->st, ch->endpoint, &ep) ? "?" : ep.val.label;

	if (opt.json)
		printf("%s{\"name\":\"%s\",\"endpoint\":\"%s\",\"receiver_id\":%u,\"capacity\":%u}",
		       l->n ? "," : "", k->name, epname, ch->receiver, ch->capacity);
	else
		printf("%-20s endpoint %-16s receiver #%-4u capacity %u\n", k->name, epname,
		       ch->receiver, ch->capacity);
	l->n++;
	return 0;
}

static int list(int fd_off, vipc_visit_fn fn)
{
	struct vipc_state st;
	struct ls_ctx l = { .st = &st };
	int ret, err;

	ret = open_state(&st, false);
	if (ret)
		return ret;
	if (opt.json)
		printf("[");
	err = vipc_map_visit(*(int *)((char *)&st + fd_off), st.cfg.active_slot, fn, &l);
	if (opt.json)
		printf("]\n");
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
	if (opt.json)
		printf("{\"allowed\":%s,\"reason\":\"%s\",\"audit\":%s}\n", allowed ? "true" : "false",
		       vipc_reason_str(reason), allowed && reason >= VIPC_R_FIRST_DENY ? "true" : "false");
	else
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

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool privileged;
} cmds[] = {
	{ "load", cmd_load, true },	  { "reload", cmd_reload, true },
	{ "unload", cmd_unload, true },	  { "status", cmd_status, true },
	{ "stats", cmd_stats, true },	  { "events", cmd_events, true },
	{ "container", cmd_container, true }, { "endpoint", cmd_endpoint, true },
	{ "grant", cmd_grant, true },	  { "revoke", cmd_revoke, true },
	{ "channel", cmd_channel, true }, { "check", cmd_check, true },
	{ "help", cmd_help, false },
};

/* Exact name, else the one command the prefix names. */
static const struct cmd *find_cmd(const char *word)
{
	const struct cmd *hit = NULL;
	size_t i, n = strlen(word);

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(cmds[i].name, word))
			return &cmds[i];
		if (!strncmp(cmds[i].name, word, n)) {
			if (hit)
				return NULL;
			hit = &cmds[i];
		}
	}
	return hit;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !vipc_verbose)
		return 0;
	if (level == LIBBPF_INFO && !vipc_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	char missing[128];
	const struct cmd *cmd = NULL;
	int ret;

	/* Phase 1: options, then the command. */
	ret = vipc_cli_parse(argc, argv, &opt);
	if (ret || opt.help)
		return ret ?: cmd_help(0, NULL);
	vipc_verbose = opt.verbose;
	if (opt.cmd_index < argc && !(cmd = find_cmd(argv[opt.cmd_index])))
		return vipc_usage_error("unknown or ambiguous command '%s'", argv[opt.cmd_index]);

	/* Phase 2: privileges before any libbpf call, so no noise without them. */
	if ((!cmd || cmd->privileged) && vipc_caps_check(missing, sizeof(missing))) {
		fprintf(stderr, "vipc: missing capabilities %s (run with sudo)\n", missing);
		return VIPC_EXIT_NO_PRIVILEGE;
	}
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* Phase 3: run it. */
	if (!cmd)
		return cmd_run();
	return cmd->fn(argc - opt.cmd_index - 1, argv + opt.cmd_index + 1);
}
