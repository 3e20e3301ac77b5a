/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pinned instance: load, adopt, open, lock and unload. */
#ifndef __VIPC_STATE_H
#define __VIPC_STATE_H

#include <linux/types.h>
#include <stdbool.h>
#include "err.h"
#include "names.h"
#include "vipc.h"

#define VIPC_BPFFS "/sys/fs/bpf"
#define VIPC_PIN_DIR VIPC_BPFFS "/vipc" /* the instance every command works on */
/* An upgrade's new instance beside it (upgrade.h): while it loads, and once
 * whole (bpffs takes no '.' in a name).
 */
#define VIPC_NEW_DIR VIPC_PIN_DIR "-new"
#define VIPC_NEXT_DIR VIPC_PIN_DIR "-next"

/* Table sizes chosen at load time (--max-grants etc.). */
struct vipc_limits {
	__u32 principals;
	__u32 endpoints;
	__u32 grants;
	__u32 channels;
	__u32 connections; /* LSM backend: live channel connections counted */
	bool prealloc_grants; /* --prealloc-grants: the grants table whole from load on */
	bool no_decisions;    /* --no-decisions: no per-container counters (vipc_decisions) */
	bool time_steps;      /* --time-steps: each decision's steps timed (vipc_steps) */
};

/* Every object an instance pins, once: X(NAME, field, pin, program). The
 * policy tables come first, in apply's order (cleared last to first: the
 * watch goes before the bindings, so no cgroup made meanwhile is bound in a
 * slot being emptied); @program names a program, NULL a map. From these
 * lists come struct vipc_state's fds (field_fd), their opening and closing,
 * the programs load pins and the tables apply writes.
 */
#define VIPC_POLICY_PINS(X)                                                                \
	X(PRINCIPALS, principals, "vipc_principals", NULL) /* the bindings */             \
	X(CONTAINERS, containers, "vipc_containers", NULL) /* the identities */           \
	X(WATCH, watch, "vipc_watch", NULL)		    /* exact paths bound at mkdir */ \
	X(GLOB, glob, "vipc_watch_glob", NULL)		    /* glob patterns bound at mkdir */ \
	X(ENDPOINTS, endpoints, "vipc_endpoints", NULL)                                    \
	X(ROUTES, routes, "vipc_routes", NULL)		    /* the broker's names */         \
	X(VIEWS, views, "vipc_views", NULL)		    /* containers' own sockets */    \
	X(GRANTS, grants, "vipc_grants", NULL)                                             \
	X(CHANNELS, channels, "vipc_channels", NULL)
#define VIPC_PINS(X)                                                                       \
	VIPC_POLICY_PINS(X)                                                                \
	X(CONFIG, config, "vipc_config", NULL)	   /* write only with the lock held */         \
	X(SETTINGS, settings, "vipc_settings", NULL) /* written without it */                  \
	X(STATS, stats, "vipc_stats", NULL)                                                \
	X(DECISIONS, decisions, "vipc_decisions", NULL) /* per-CPU, by container, endpoint */ \
	X(HOT, hot, "vipc_decisions_hot", NULL) /* each CPU's rows found without a hash */   \
	X(SPREAD, spread, "vipc_spread", NULL)	/* the broker's round-robin, per CPU */      \
	X(BOUND, bound, "vipc_bound", NULL)	/* sockets bound at each UNIX name */        \
	X(AGG, agg, "vipc_agg", NULL)		/* the aggregated deny events */             \
	X(REGISTRY, registry, "vipc_registry", NULL)                                       \
	X(EVENTS, events, "vipc_events", NULL)                                             \
	X(REMOVE_PROG, remove_prog, "prog_remove_container", "vipc_remove_container")      \
	X(STATS_PROG, stats_prog, "prog_start_stats", "vipc_start_stats")

/* Open file descriptors of a pinned instance: one per pin, -1 when closed. */
struct vipc_state {
	const char *dir; /* where it is pinned: VIPC_PIN_DIR, or an upgrade's (upgrade.h) */
	int lock_fd;
#define VIPC_PIN_FD(NAME, field, pin, prog) int field##_fd;
	VIPC_PINS(VIPC_PIN_FD)
#undef VIPC_PIN_FD
	struct vipc_registry_stats *reg; /* mmap of vipc_registry */
	struct vipc_config cfg;		 /* as read when opened */
	struct vipc_limits limits;	 /* per slot, from the maps' max_entries */
	struct vipc_err err;		 /* what the last failure recorded (err.h) */
};

/* The pins by index, in VIPC_PINS order; the policy tables first. */
enum vipc_pin {
#define VIPC_PIN_ENUM(NAME, field, pin, prog) VIPC_PIN_##NAME,
	VIPC_PINS(VIPC_PIN_ENUM)
#undef VIPC_PIN_ENUM
	VIPC_NR_PINS
};
#define VIPC_NR_POLICY_PINS VIPC_PIN_CONFIG

/* The fd of pin @i (enum vipc_pin) in @st. */
int *vipc_pin_fd(struct vipc_state *st, enum vipc_pin i);

/* The hooks vipc attaches, each pinned as a link: the one list of them,
 * used by load, status, unload, the statistics and the tests.
 */
struct vipc_hook_info {
	const char *prog; /* program name in the object */
	const char *link; /* pin name in the pin directory */
	const char *what; /* one line for `status` (the cgroup hooks: " on" their cgroup) */
	__u32 backend;	  /* enum vipc_backend it belongs to, 0 for every one */
	int stat;	  /* its enum vipc_hook entry in vipc_stats, -1 if it decides nothing */
	const char *name; /* that entry's name in `stats` */
	__u32 calls;	  /* VIPC_PERM_CONNECT or _SEND: the call it decides first, else 0 */
};

/* What the running kernel offers, probed once. */
struct vipc_probe {
	__u32 available; /* enum vipc_backend bits */
	char why_not[VIPC_NR_BACKENDS][160]; /* by bit index: why it is unavailable */
};
extern const struct vipc_hook_info vipc_hooks[];
extern const int vipc_nr_hooks;
/* The name of vipc_stats entry @hook ("connect_unix"), "?" if none. */
const char *vipc_hook_name(unsigned int hook);
/* An fd of hook @i's pinned link, or -1 when it is not pinned. */
int vipc_hook_link_open(int i);
/* The id of the cgroup link @fd is attached to; 0 when not a cgroup link. */
__u64 vipc_hook_cgroup_id(int fd);

/* Load a fresh instance at @dir (or adopt a compatible one pinned there):
 * 0 or -errno, -EPROTO for another ABI version's. The socket backend's hooks
 * go on the cgroup @cgroot (the cgroup2 mount's root). *adopted tells which
 * happened. The pin directory must be locked.
 */
int vipc_load(const char *dir, const struct vipc_limits *limits, __u32 backends,
	      const char *cgroot, bool *adopted);
/* Which backends the kernel offers, and why not the others. */
void vipc_probe_backends(struct vipc_probe *p);
/* The backends to attach for @asked (0 = auto: sock where the kernel has it,
 * beside lsm where BPF LSM is active, else fmodret); -ENOTSUP, with the
 * reason printed, when one asked for is unavailable. Warns when only the
 * socket backend is left.
 */
int vipc_pick_backends(__u32 asked, __u32 *out);
/* Remove every pin and link (an interrupted upgrade's too: upgrade.h);
 * -ENOENT when nothing is loaded.
 */
int vipc_unload(void);
/* End the instance pinned at @dir, whatever its release: its programs held,
 * every pin removed (links first), and the programs let go once no hook can
 * still run them. The directory stays. 0 or -errno.
 */
int vipc_unload_dir(const char *dir);
/* The ABI version of the instance pinned at @dir, read from its identity
 * (magic and ABI version lead vipc_config in every release): 0 when none
 * is, -errno when it cannot be read.
 */
int vipc_pinned_abi(const char *dir);
/* Does Linux @release free a BPF program detached while a trampoline still
 * runs it? 1 yes, 0 no, -1 unknown (a release the fix may or may not be in).
 */
int vipc_kernel_frees_busy_progs(const char *release);
/* Warn on stderr when @backends has a trampoline one (lsm, fmodret) and
 * this kernel may.
 */
void vipc_warn_kernel(__u32 backends);
/* Open the pinned instance, taking the pin directory lock when @lock. */
int vipc_state_open(struct vipc_state *st, bool lock);
/* The same for the instance pinned at @dir, locking @dir itself. */
int vipc_state_open_at(struct vipc_state *st, const char *dir, bool lock);
/* Open it for reading only: every map read-only (BPF_F_RDONLY), no lock,
 * no program, bpffs not mounted, and st->reg NULL (look vipc_registry up).
 */
int vipc_state_open_ro(struct vipc_state *st);
void vipc_state_close(struct vipc_state *st);
/* Is the instance @st opened still the one pinned (not unloaded since)? */
bool vipc_state_pinned(const struct vipc_state *st);
/* Take (creating the directory if needed) / drop the pin directory lock. */
int vipc_lock(int *fd);
void vipc_unlock(int fd);
/* Re-read the config map into st->cfg / write st->cfg to it, whole: only
 * with the pin-directory lock held (else -ENOLCK).
 */
int vipc_config_read(struct vipc_state *st);
int vipc_config_write(struct vipc_state *st);
/* Follow the live slot without the lock: st->cfg.active_slot (and nothing
 * else of st->cfg) read again; true when a reload had moved it. A reader
 * by slot reads again while this is true: a reload flips the slot, then
 * clears the old one, and ids survive it (never reused, one name each).
 */
bool vipc_slot_moved(struct vipc_state *st);
/* Capabilities: 0 when all needed are effective, else -EPERM with @missing
 * filled ("CAP_BPF CAP_NET_ADMIN").
 */
int vipc_caps_check(char *missing, size_t size);
/* Drop every capability once enforcement is attached. */
int vipc_caps_drop(void);
/* CLOCK_MONOTONIC in milliseconds. */
__u64 vipc_now_ms(void);
/* Mount bpffs on /sys/fs/bpf if absent. */
int vipc_mount_bpffs(void);

#endif /* __VIPC_STATE_H */
