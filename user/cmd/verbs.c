// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The command line's one table: each command (and subcommand, and variant)
 * with its words, its options, its function and its help. The parser
 * (user/cli.c), the dispatch (user/main.c), --help and the man page's
 * COMMANDS and OPTIONS (user/cmd/help.c) read it.
 */
#include "cmd.h"
#include "daemon.h"

#define O(x) VIPC_OPTS(x)

const struct vipc_verb vipc_verbs[] = {
	{ VIPC_CMD_RUN, NULL, NULL, NULL, 0, 0, 0,
	  VIPC_LOAD_OPTS | O(DETACH) | O(JSON) | O(INTERVAL) | O(METRICS) | O(WATCH_CONFIG), true,
	  cmd_run, NULL,
	  "the daemon: load (or adopt, or upgrade in place), apply the policy, and show live "
	  "statistics and deny events until Ctrl-C",
	  "The vipc daemon, of which one runs at a time (its pid in " VIPC_PID_FILE "; a second "
	  "is refused with exit status 12, unless it serves an instance this one upgrades): load "
	  "(or adopt a compatible pinned instance, or upgrade one of another ABI version in "
	  "place with the policy, with no moment unenforced), apply the policy (-c FILE, else " VIPC_DEFAULT_POLICY " if present) and stream events and "
	  "statistics until interrupted. --detach returns once enforcement is in place and "
	  "leaves a watcher that runs the same loop without the ring buffer (it settles held "
	  "cgroups and watches the policy; events and snapshots stay for vipc-loader events), "
	  "logging to " VIPC_LOG_FILE ". Killing the daemon leaves enforcement in place." },
	{ VIPC_CMD_LOAD, "load", NULL, NULL, 0, 0, 0, VIPC_LOAD_OPTS, true, cmd_load, NULL,
	  "load or adopt, apply -c FILE if given",
	  "Load, or adopt the compatible instance pinned, and apply -c FILE if given. An instance "
	  "of another ABI version (an older or newer release's) is upgraded in place with FILE: "
	  "this release's loads and enforces beside it, then replaces it, with no moment "
	  "unenforced; without FILE it is refused (exit 6)." },
	{ VIPC_CMD_RELOAD, "reload", NULL, "-c FILE", 0, O(CONFIG), 0,
	  O(CGROUP_ROOT) | O(EVENT_RATE) | O(RUNTIME_ROOT), true, cmd_reload, NULL,
	  "apply FILE atomically",
	  "Apply FILE atomically: the kernel sees the old policy or the new one, never a mix." },
	{ VIPC_CMD_UNLOAD, "unload", NULL, NULL, 0, 0, 0, 0, true, cmd_unload, NULL,
	  "stop the daemon, remove every pin and link",
	  "Stop the daemon (SIGTERM, SIGKILL after 5 s), then remove every pin and link (an "
	  "interrupted upgrade's too); enforcement ends when it returns." },
	{ VIPC_CMD_STATUS, "status", NULL, NULL, 0, 0, 0, O(JSON) | O(CGROUP_ROOT), true, cmd_status,
	  NULL, "what is loaded, which backends and hooks are live",
	  "What is loaded, which backends and hooks are live, table fill, the pid of the daemon "
	  "if one runs; on standard error, a warning with what to do for selected cgroups left "
	  "unconfined and for each loss counted since load: deny events and statistics "
	  "snapshots lost to a full ring buffer (events_dropped, snapshots_dropped), decisions "
	  "the per-container counters had no room for (decisions_missed)." },
	{ VIPC_CMD_STATS, "stats", NULL, NULL, 0, 0, 0,
	  O(JSON) | O(WATCH) | O(BY_CONTAINER) | O(BROKER), true, cmd_stats, NULL,
	  "decision and registry counters; per container, endpoint, hook, verdict, reason; the "
	  "broker's calls per endpoint and instance", NULL },
	{ VIPC_CMD_EVENTS, "events", NULL, NULL, 0, 0, 0,
	  O(JSON) | O(COUNT) | O(TIMEOUT) | O(INTERVAL) | O(CGROUP_ROOT), true, cmd_events, NULL,
	  "stream deny events (and statistics snapshots every -i MS)",
	  "Stream deny and would-deny events (and statistics snapshots every -i MS). Containers "
	  "are named from the slot live when each event is printed, so a reload does not rename "
	  "them; #id stands for one no longer registered." },
	{ VIPC_CMD_CONTAINER, "container", "add", "NAME", 1, 0, O(CGROUP) | O(PID),
	  O(CGROUP_ROOT) | O(MODE) | O(UNKNOWN), true, cmd_container_add, NULL,
	  "register a container at run time; it goes with its cgroup", NULL },
	{ VIPC_CMD_CONTAINER, "container", "rm", "NAME", 1, 0, 0, 0, true, NULL, vipc_container_rm_edit,
	  "remove a container with every endpoint it owns and grant it holds", NULL },
	{ VIPC_CMD_CONTAINER, "container", "ls", NULL, 0, 0, 0, O(JSON), true, cmd_ls, NULL,
	  "the containers, their selectors and the cgroups bound to them", NULL },
	{ VIPC_CMD_ENDPOINT, "endpoint", "add", "NAME OWNER ADDR", 3, 0, 0, O(OTHERS), true, NULL,
	  vipc_endpoint_add_edit,
	  "register an endpoint; ADDR: /path, @abstract, tcp:ADDR:PORT, udp:ADDR:PORT, "
	  "mqueue:/NAME or fifo:/PATH",
	  "Register an endpoint: ADDR is /path, @abstract, a port, tcp:ADDR:PORT or "
	  "udp:ADDR:PORT (IPv4, or IPv6 in brackets), a POSIX message queue, mqueue:/NAME, or "
	  "the FIFO at PATH now (by its inode), fifo:/PATH. "
	  "The endpoint is its owner's and its grant holders'; --others says what a caller no "
	  "container holds gets." },
	{ VIPC_CMD_ENDPOINT, "endpoint", "rm", "NAME OWNER", 2, 0, 0, 0, true, NULL,
	  vipc_endpoint_rm_edit, "only the owner removes an endpoint", NULL },
	{ VIPC_CMD_ENDPOINT, "endpoint", "ls", NULL, 0, 0, 0, O(JSON), true, cmd_ls, NULL,
	  "the endpoints, their owners and addresses", NULL },
	{ VIPC_CMD_GRANT, "grant", NULL, "CONTAINER ENDPOINT PERMS", 3, 0, 0, 0, true, NULL,
	  vipc_grant_edit, "PERMS: a comma list of connect, send, bind, pass-fd, receive",
	  NULL },
	{ VIPC_CMD_REVOKE, "revoke", NULL, "--endpoint ENDPOINT", 0, O(ENDPOINT), 0, 0, true, NULL,
	  vipc_revoke_edit, "generation bump: every grant on ENDPOINT dies at once", NULL },
	{ VIPC_CMD_REVOKE, "revoke", NULL, "CONTAINER ENDPOINT", 2, 0, 0, 0, true, NULL,
	  vipc_revoke_edit, "revoke one grant", NULL },
	{ VIPC_CMD_CHANNEL, "channel", "add", "NAME ENDPOINT SENDER[,SENDER...]", 3, 0, 0, O(CAPACITY),
	  true, NULL, vipc_channel_add_edit, "a one-way channel to ENDPOINT's owner",
	  "A one-way channel: the receiver owns the endpoint, senders get connect,send, at most "
	  "--capacity live connections (LSM backend)." },
	{ VIPC_CMD_CHANNEL, "channel", "rm", "NAME", 1, 0, 0, 0, true, NULL, vipc_channel_rm_edit,
	  "remove a channel", NULL },
	{ VIPC_CMD_CHANNEL, "channel", "ls", NULL, 0, 0, 0, O(JSON), true, cmd_ls, NULL,
	  "the channels, their endpoints and capacities", NULL },
	{ VIPC_CMD_CHECK, "check", NULL, "--cgroup PATH ENDPOINT PERM", 2, O(CGROUP), 0,
	  O(JSON) | O(CGROUP_ROOT), true, cmd_check, NULL,
	  "the decision for a caller in cgroup PATH, whichever container holds it, or none", NULL },
	{ VIPC_CMD_CHECK, "check", NULL, "CONTAINER ENDPOINT PERM", 3, 0, 0, O(JSON) | O(CGROUP_ROOT),
	  true, cmd_check, NULL, "the decision and its reason: exit 0 allowed, 1 denied", NULL },
	{ VIPC_CMD_METRICS, "metrics", NULL, NULL, 0, 0, O(LISTEN) | O(TEXTFILE), O(INTERVAL),
	  true, cmd_metrics, NULL,
	  "serve Prometheus metrics (--listen) or write them to a file (--textfile)", NULL },
	{ VIPC_CMD_SUGGEST, "suggest", NULL, NULL, 0, 0, 0,
	  O(FROM) | O(POLICY) | O(TIMEOUT) | O(CGROUP_ROOT) | O(RUNTIME_ROOT),
	  false /* root only for what it reads live */, cmd_suggest, NULL,
	  "the grants and containers the audit records (--from, --timeout) ask for",
	  "The grants that would have allowed the deny and would-deny records of events --json "
	  "(--from FILE, or --timeout S seconds of live events), and the containers that callers "
	  "no container held become, one per cgroup path their records carry (by cgroup:, or by "
	  "docker: or podman: name where the runtime's state knows the cgroup): merged into the "
	  "--policy file, printed whole for reload -c, else a fragment (containers: to add, and "
	  "grants:) against the loaded registry. Reasons a grant cannot fix, unregistered names "
	  "and cgroups no selector names are comments, with counts." },
	{ VIPC_CMD_TOP, "top", NULL, NULL, 0, 0, 0, O(JSON) | O(INTERVAL) | O(COUNT), true, cmd_top,
	  NULL, "decisions per container and endpoint, brokered calls per instance, every -i MS",
	  "Decisions per container and endpoint, and the broker's calls per endpoint and "
	  "instance, their rates per second and totals, every -i MS (default 1000): a screen "
	  "updated in place (q quits, s sorts), or one snapshot of lines per interval when stdout "
	  "is not a terminal; --count N snapshots, then exit." },
	{ VIPC_CMD_HELP, "help", NULL, NULL, 0, 0, 0, 0, false, cmd_help, NULL, "this text", NULL },
};

const size_t vipc_nr_verbs = sizeof(vipc_verbs) / sizeof(vipc_verbs[0]);
