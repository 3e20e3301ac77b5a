/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Map keys and values, event records, permission bits and reason codes
 * shared by the BPF programs and the loader. Fixed-width types only,
 * explicit padding, layout checked at build time.
 */
#ifndef __VIPC_H
#define __VIPC_H

#define VIPC_MAGIC 0x43504956 /* "VIPC" little-endian */
#define VIPC_ABI_VERSION 10

#define VIPC_NAME_MAX 108 /* sizeof(sun_path) */
#define VIPC_NAME_WORDS 14 /* a name zero-padded to 64-bit words: 112 bytes */
#define VIPC_LABEL_MAX 32 /* container, endpoint and channel names */
#define VIPC_MAX_CPUS 256 /* CPUs summed by the in-kernel stats snapshot */
#define VIPC_CGROUP_PATH_MAX 256 /* a selected cgroup path, NUL included: 255 bytes at most */
#define VIPC_CGROUP_PATH_WORDS 32 /* such a path zero-padded to 64-bit words */
#define VIPC_GLOB_PER_PARENT 8 /* glob selectors sharing one parent directory */
#define VIPC_GLOB_NO_STAR 0xff /* vipc_glob.star of a pattern without '*' */
/* vipc_glob_key.len of the runtimes' cgroup patterns a new cgroup is held
 * by: matched below a runtime's top directory (vipc_glob.top bytes of
 * vipc_glob_watch.parent), at a range of depths, whatever the parent.
 */
#define VIPC_GLOB_HOLD 0xffff
#define VIPC_HELD_ID 0 /* vipc_principal.id of a held cgroup: no container yet */

/* Default table sizes; the loader can raise them before load. */
#define VIPC_MAX_PRINCIPALS 4096
#define VIPC_MAX_ENDPOINTS 16384
#define VIPC_MAX_GRANTS 65536
#define VIPC_MAX_CHANNELS 1024
#define VIPC_RINGBUF_BYTES (256 * 1024)
#define VIPC_MAX_CONNECTIONS 65536 /* live channel connections tracked */
/* vipc_decisions and vipc_agg hold grants + this many rows per container
 * (unregistered names, owner calls, denies): see the loader's size_maps().
 */
#define VIPC_DECISION_ROWS_PER_CONTAINER 8
#define VIPC_HOT_BUCKETS 128 /* vipc_decisions_hot: buckets per CPU, a power of two */
#define VIPC_HOT_WAYS 2	     /* rows per bucket */
#define VIPC_EVENTS_INTERVAL_MS 1000 /* default aggregation interval of deny events */
#define VIPC_HOMES 4 /* places of each kind remembered per owner (vipc_homes) */
#define VIPC_INSTANCES 8 /* sockets (instances) of one endpoint the broker spreads over */
/* The broker's names: the abstract name "vipc/LABEL" is endpoint LABEL. */
#define VIPC_BROKER_PREFIX "vipc/"
#define VIPC_BROKER_PREFIX_LEN 5
#define VIPC_SPREAD_ROWS 1024 /* vipc_spread: rows per CPU, a power of two */

/* Policy tables hold two slots: the live one and the one a reload fills. */
#define VIPC_SLOTS 2

enum vipc_kind {
	VIPC_KIND_UNIX_PATH = 1,
	VIPC_KIND_UNIX_ABSTRACT = 2,
	VIPC_KIND_TCP = 3, /* a loopback TCP port: its address and port */
	VIPC_KIND_UDP = 4, /* a loopback UDP port */
	VIPC_KIND_MQUEUE = 5, /* a POSIX message queue: its name without the leading '/' */
	VIPC_KIND_FIFO = 6,   /* a FIFO: its inode */
};
#define VIPC_NR_KINDS VIPC_KIND_FIFO

/* A FIFO endpoint's name: the device of its inode as the kernel keeps it
 * (MKDEV: major << 20 | minor), then its inode number, 64 bits each.
 */
#define VIPC_FIFO_NAME_LEN 16

/* A TCP or UDP endpoint's name: the IPv6 address in network order (an IPv4
 * one as ::ffff:a.b.c.d), then the port in network order.
 */
#define VIPC_INET_NAME_LEN 18

enum vipc_perm {
	VIPC_PERM_CONNECT = 1 << 0,
	VIPC_PERM_SEND = 1 << 1,
	VIPC_PERM_BIND = 1 << 2,
	VIPC_PERM_PASS_FD = 1 << 3,
	VIPC_PERM_RECEIVE = 1 << 4, /* a queue or FIFO opened for reading */
};
/* What a UNIX socket endpoint's grants may hold; every permission. */
#define VIPC_PERM_UNIX (VIPC_PERM_CONNECT | VIPC_PERM_SEND | VIPC_PERM_BIND | VIPC_PERM_PASS_FD)
#define VIPC_PERM_ALL (VIPC_PERM_UNIX | VIPC_PERM_RECEIVE)

enum vipc_mode {
	VIPC_MODE_ENFORCE = 0,
	VIPC_MODE_AUDIT = 1,
};

enum vipc_unknown {
	VIPC_UNKNOWN_ALLOW = 0,
	VIPC_UNKNOWN_DENY = 1,
};

/* What an endpoint gives callers no container holds (host processes,
 * containers the policy does not select): nothing, connect and send, or
 * nothing with the call let through and reported (a would-deny).
 */
enum vipc_others {
	VIPC_OTHERS_DENY = 0,
	VIPC_OTHERS_ALLOW = 1,
	VIPC_OTHERS_AUDIT = 2,
	VIPC_OTHERS__COUNT,
};

/* Why a decision came out as it did. Allow reasons first. */
enum vipc_reason {
	VIPC_R_UNCONFINED = 0, /* no container holds the caller, and the name is not registered */
	VIPC_R_OWNER,	       /* caller owns the endpoint */
	VIPC_R_GRANTED,	       /* grant present, permission set, generation current */
	VIPC_R_UNKNOWN_ALLOW,  /* endpoint not registered, container default allow */
	VIPC_R_PUBLIC,	       /* no container holds the caller; the endpoint's others: allow */
	VIPC_R_UNKNOWN_DENY,   /* endpoint not registered, container default deny */
	VIPC_R_NO_GRANT,       /* no grant for (container, endpoint), or no container at all */
	VIPC_R_NO_PERM,	       /* grant lacks the permission asked */
	VIPC_R_REVOKED,	       /* grant issued under an older endpoint generation */
	VIPC_R_IMPOSTOR,       /* the name is bound by a container other than its owner */
	VIPC_R_FULL,	       /* the channel is at its capacity */
	VIPC_R_HELD,	       /* caller's cgroup is held: which container it is is being looked up */
	VIPC_R__COUNT,
};
#define VIPC_R_FIRST_DENY VIPC_R_UNKNOWN_DENY

/* Where a decision was made; the statistics map has one entry per hook. */
enum vipc_hook {
	VIPC_HOOK_CONNECT_UNIX = 0, /* socket backend: cgroup/connect_unix */
	VIPC_HOOK_SENDMSG_UNIX,	    /* socket backend: cgroup/sendmsg_unix */
	VIPC_HOOK_STREAM_CONNECT,   /* LSM backend: lsm/unix_stream_connect */
	VIPC_HOOK_MAY_SEND,	    /* LSM backend: lsm/unix_may_send */
	VIPC_HOOK_BIND,		    /* LSM backend: lsm/socket_bind */
	VIPC_HOOK_SENDMSG,	    /* LSM backend: lsm/socket_sendmsg (live re-check, fd passing) */
	VIPC_HOOK_RECVMSG,	    /* LSM backend: lsm/socket_recvmsg (live re-check) */
	VIPC_HOOK_CONNECT_INET,	    /* socket backend: cgroup/connect4 and connect6 */
	VIPC_HOOK_SENDMSG_INET,	    /* socket backend: cgroup/sendmsg4 and sendmsg6 (UDP) */
	VIPC_HOOK_BIND_INET,	    /* socket backend: cgroup/bind4 and bind6 */
	VIPC_HOOK_SOCKET_CONNECT,   /* LSM backend: lsm/socket_connect (TCP and UDP) */
	VIPC_HOOK_FILE_OPEN,	    /* LSM backend: lsm/file_open (message queues, FIFOs) */
	VIPC_HOOK_INODE_CREATE,	    /* LSM backend: lsm/inode_create (a queue's creation) */
	VIPC_HOOK__COUNT,
};

/* What became of a call: the verdict label of vipc_decisions and events. */
enum vipc_outcome {
	VIPC_V_ALLOW = 0, /* allowed */
	VIPC_V_DENY = 1,  /* denied */
	VIPC_V_AUDIT = 2, /* would have been denied, let through in audit mode */
	VIPC_V__COUNT,
};

/* Enforcement backends, as bits. */
enum vipc_backend {
	VIPC_BACKEND_SOCK = 1 << 0,    /* cgroup UNIX socket hooks (Linux 6.7+) */
	VIPC_BACKEND_LSM = 1 << 1,     /* BPF LSM hooks (lsm=...,bpf) */
	VIPC_BACKEND_FMODRET = 1 << 2, /* the LSM hooks' bodies as fmod_ret on security_* */
};
#define VIPC_BACKEND_PEER (VIPC_BACKEND_LSM | VIPC_BACKEND_FMODRET) /* decide by the peer */
#define VIPC_NR_BACKENDS 3

enum vipc_endpoint_flags {
	VIPC_EP_CHANNEL = 1 << 0, /* the endpoint is a channel's receive side */
	/* The row of one of the endpoint's other instances (its name is the
	 * endpoint's too; the first instance's row is the endpoint's own).
	 */
	VIPC_EP_INSTANCE = 1 << 1,
	VIPC_EP_VIEWS = 1 << 2, /* containers with a view have their own socket (vipc_views) */
};

enum vipc_container_flags {
	VIPC_CT_SEED = 1 << 0, /* added at run time by one cgroup: removed with it */
};

/* How a container selects its cgroups. */
enum vipc_selector {
	VIPC_SEL_CGROUP = 1, /* the cgroup at an exact path, whenever it exists */
	VIPC_SEL_PID = 2,    /* the cgroup a process was in when the policy was applied */
	VIPC_SEL_GLOB = 3,   /* every cgroup whose last path component matches a pattern */
	/* Resolved by the loader from the runtime's state while the cgroup is
	 * held; vipc_container.path holds what is matched.
	 */
	VIPC_SEL_DOCKER = 4,	  /* a Docker container by name */
	VIPC_SEL_PODMAN = 5,	  /* a Podman container by name */
	VIPC_SEL_ANNOTATIONS = 6, /* any container whose OCI annotations hold KEY\0VALUE\0 pairs */
};

enum vipc_grant_flags {
	VIPC_GRANT_CHANNEL = 1 << 0, /* issued to a channel's sender */
	VIPC_GRANT_VIEW = 1 << 1,    /* issued with a view: connect and send */
};

/* vipc_config[0]: identity of the pinned instance, the live slot and the
 * id counters. Written whole, and only under the pin-directory lock.
 */
struct vipc_config {
	__u32 magic;
	__u32 abi_version;
	__u32 active_slot;   /* slot the kernel decides from */
	__u32 next_container; /* next container id to hand out */
	__u32 next_endpoint;  /* next endpoint id to hand out */
	__u32 backends;	      /* enum vipc_backend bits attached */
	__u64 events_interval_ns; /* deny events aggregated per key over this, 0 = every event */
};

/* vipc_settings[0]: what the loader sets without the lock. */
struct vipc_settings {
	__u64 stats_interval_ns; /* period of ring buffer snapshots, 0 = off */
};

/* vipc_principals: the bindings, (slot, cgroup id) -> container; a
 * binding to VIPC_HELD_ID is a hold: every call is denied (VIPC_R_HELD).
 */
struct vipc_principal_key {
	__u64 cgroup_id;
	__u32 slot;
	__u32 pad;
};

struct vipc_principal {
	__u32 id;
	__u8 mode;    /* enum vipc_mode */
	__u8 unknown; /* enum vipc_unknown */
	__u16 pad;
	char name[VIPC_LABEL_MAX];
};

/* A cgroup's path within the cgroup2 hierarchy ("/vipc-test/web", as the
 * kernel's cgroup tracepoints give it), zero-padded to whole words.
 */
union vipc_path {
	char bytes[VIPC_CGROUP_PATH_MAX];
	__u64 words[VIPC_CGROUP_PATH_WORDS];
};

/* vipc_containers: (slot, id) -> container: the identity a policy names,
 * bound to a cgroup or not.
 */
struct vipc_container_key {
	__u32 slot;
	__u32 id;
};

struct vipc_container {
	struct vipc_principal principal; /* what each of its bindings carries */
	__u32 flags;			 /* enum vipc_container_flags */
	__u8 selector;			 /* enum vipc_selector */
	__u8 pad[3];
	__u32 pid;	/* VIPC_SEL_PID: the process named */
	__u32 path_len; /* significant bytes of path; 0 when it has none */
	union vipc_path path; /* the cgroup selected */
};

/* vipc_watch: (slot, length, hash of a cgroup path) -> the principal a new
 * cgroup at exactly that path is bound to (by the cgroup_mkdir program).
 * The exact path is in the value and compared after the lookup.
 */
struct vipc_watch_key {
	__u32 slot;
	__u16 len;
	__u16 pad;
	__u64 hash; /* vipc_path_hash() */
};

struct vipc_watch {
	struct vipc_principal principal;
	union vipc_path path;
};

/* The last component of a glob selector: bytes, '?' (any one byte) and at
 * most one '*' (any run of bytes), matched by vipc_glob_match(). A glob of
 * VIPC_GLOB_HOLD matches the last @parts components ('/' a byte) of a path
 * of @depth_min to @depth_max components that begins with its top.
 */
struct vipc_glob {
	__u8 len;  /* bytes of pat */
	__u8 star; /* index of the '*' in pat, VIPC_GLOB_NO_STAR if none */
	__u8 parts; /* VIPC_GLOB_HOLD: components matched, 1 or 2; else 0 */
	__u8 top;   /* VIPC_GLOB_HOLD: bytes of the top directory ("/docker/") */
	__u8 depth_min, depth_max; /* VIPC_GLOB_HOLD: components of the path */
	__u8 pad[2];
	char pat[VIPC_CGROUP_PATH_MAX]; /* zero-padded */
};

/* vipc_watch_glob: (slot, length and hash of a parent directory's path,
 * pattern index) -> the principal a new cgroup in that directory whose
 * name matches the pattern is bound to. The patterns of one parent have
 * the indices 0 to VIPC_GLOB_PER_PARENT - 1, dense, in policy order: the
 * first that matches wins. The parent's path is in the value and compared
 * after the lookup; the root's is "" (length 0).
 */
struct vipc_glob_key {
	__u32 slot;
	__u16 len;
	__u8 index;
	__u8 pad;
	__u64 hash; /* vipc_path_hash() of the parent's path */
};

struct vipc_glob_watch {
	struct vipc_principal principal;
	union vipc_path parent; /* VIPC_GLOB_HOLD: the top directory */
	struct vipc_glob glob;
};

/* An endpoint's name, exact bytes zero-padded to whole words: pathname
 * names up to their first NUL, abstract names without the leading NUL
 * (keeping their embedded NULs).
 */
union vipc_name {
	char bytes[VIPC_NAME_WORDS * 8];
	__u64 words[VIPC_NAME_WORDS];
};

/* vipc_endpoints: (slot, kind, length, hash of the name) -> endpoint. A
 * 16-byte key keeps the kernel's hashing of it short; the exact name is in
 * the value and compared after the lookup, so a name that only hashes
 * alike is not the endpoint.
 */
struct vipc_endpoint_key {
	__u32 slot;
	__u8 kind; /* enum vipc_kind */
	__u8 len;  /* significant bytes of the name */
	__u16 pad;
	__u64 hash; /* vipc_name_hash() */
};

struct vipc_endpoint {
	__u32 id;
	__u32 owner; /* container id */
	__u32 generation;
	__u32 flags; /* enum vipc_endpoint_flags */
	__u32 capacity; /* live connections allowed (channels), 0 = unbounded */
	__u8 others;	/* enum vipc_others: callers no container holds */
	__u8 pad[3];
	char label[VIPC_LABEL_MAX];
	union vipc_name name;
};

/* One socket of an endpoint, as a sun_path: a pathname without its NUL,
 * an abstract name with its leading NUL.
 */
struct vipc_instance {
	__u8 len; /* bytes of path */
	__u8 pad[3];
	char path[VIPC_NAME_MAX];
};

/* vipc_routes: (slot, the key of the abstract name "vipc/LABEL") -> where
 * the broker sends a call to it: the endpoint's row and its sockets. The
 * exact name is in the value and compared after the lookup.
 */
struct vipc_route {
	__u32 endpoint; /* the endpoint's id: its row in @target is this one */
	__u32 owner;	/* the endpoint's owner, for the container sweep */
	__u8 nr;	/* instances */
	__u8 pad[7];
	struct vipc_endpoint_key target; /* the endpoint's row in vipc_endpoints */
	union vipc_name name;		 /* "vipc/LABEL" */
	struct vipc_instance inst[VIPC_INSTANCES];
	struct vipc_endpoint_key bound[VIPC_INSTANCES]; /* each one's name in vipc_bound */
};

/* vipc_bound: (the key of a registered UNIX name, slot 0) -> the sockets
 * bound at it, counted by the LSM and fmodret backends from the bind they
 * admit to its owner (or a holder of bind) until the socket is freed. No
 * entry: unknown (bound before load, or no such backend); 0: known to have
 * none, an instance the broker skips.
 */

/* vipc_spread[endpoint id % VIPC_SPREAD_ROWS], per CPU: the broker's
 * round-robin over an endpoint's instances on this CPU and the calls sent
 * to each. A row another endpoint takes over starts again from zero.
 */
struct vipc_spread {
	__u32 endpoint; /* the endpoint whose row it is now */
	__u32 next;	/* the instance the next call goes to (or the next alive), before % nr */
	__u64 sent[VIPC_INSTANCES];
};

/* vipc_views: (slot, endpoint, container) -> the container's own socket,
 * where its calls to the endpoint (by its name or its broker name) go.
 */
struct vipc_view_key {
	__u32 slot;
	__u32 endpoint;
	__u32 container;
	__u32 pad;
};

struct vipc_view {
	__u32 owner; /* the endpoint's owner, for the container sweep */
	__u32 pad;
	struct vipc_instance sock;
};

/* vipc_grants: (slot, container, endpoint) -> permissions. */
struct vipc_grant_key {
	__u32 slot;
	__u32 container;
	__u32 endpoint;
	__u32 pad;
};

struct vipc_grant {
	__u32 perms;	      /* enum vipc_perm bits */
	__u32 generation;     /* endpoint generation the grant was issued under */
	__u32 endpoint_owner; /* container owning the endpoint, for cleanup */
	__u32 flags;	      /* enum vipc_grant_flags */
};

/* vipc_channels: (slot, name) -> channel: a one-way path to an endpoint. */
struct vipc_channel_key {
	__u32 slot;
	__u32 pad;
	char name[VIPC_LABEL_MAX];
};

struct vipc_channel {
	__u32 endpoint;
	__u32 receiver; /* container id, owner of the endpoint */
	__u32 capacity; /* concurrent connections, 0 = unbounded */
	__u32 pad;
};

/* vipc_stats[hook]: per-CPU decision counters, one named field each. The
 * one list of them: the struct, the kernel's counting and summing, and the
 * loader's names all come from it. The denied_* counters follow the deny
 * reasons in enum order (VIPC_R_FIRST_DENY on), so a deny is counted at
 * denied_unknown + (reason - VIPC_R_FIRST_DENY).
 */
#define VIPC_STAT_FIELDS(X)                                                                  \
	X(lookups)	    /* endpoint and grant table lookups */                           \
	X(hits)		    /* lookups that found an entry */                                \
	X(cached)	    /* calls let through on the socket's remembered verdict */       \
	X(allowed)	    /* confined calls allowed */                                     \
	X(unconfined)	    /* allowed calls of callers no container holds */                \
	X(audited)	    /* would-deny calls let through in audit mode */                 \
	X(denied_unknown)   /* VIPC_R_UNKNOWN_DENY */                                        \
	X(denied_no_grant)  /* VIPC_R_NO_GRANT */                                            \
	X(denied_no_perm)   /* VIPC_R_NO_PERM */                                             \
	X(denied_revoked)   /* VIPC_R_REVOKED */                                             \
	X(denied_impostor)  /* VIPC_R_IMPOSTOR */                                            \
	X(denied_full)	    /* VIPC_R_FULL */                                                \
	X(denied_held)	    /* VIPC_R_HELD */                                                \
	X(events_dropped)   /* deny events lost to a full ring buffer */                     \
	X(snapshots_dropped) /* stats snapshots lost to a full ring buffer */                \
	X(events_suppressed) /* deny events counted in an aggregate, not sent alone */       \
	X(decisions_missed) /* decisions vipc_decisions had no room for */                   \
	X(brokered)	    /* calls to vipc/NAME let through and sent to NAME's socket */   \
	X(broker_unknown)   /* calls to a vipc/ name no endpoint has: ECONNREFUSED */

struct vipc_stats {
#define VIPC_STAT_FIELD(name) __u64 name;
	VIPC_STAT_FIELDS(VIPC_STAT_FIELD)
#undef VIPC_STAT_FIELD
};
#define VIPC_NR_STATS (sizeof(struct vipc_stats) / sizeof(__u64))

/* vipc_steps[0]: where a decision's time goes, per CPU, kept only by an
 * instance loaded with --time-steps (the bench's --steps): per step, the
 * nanoseconds spent in it and the calls that took it. One list: the
 * programs' marks and the bench's table come from it. Each figure holds one
 * clock read, which the step "clock" measures alone.
 */
#define VIPC_STEPS(X)                                                                       \
	X(start)     /* settings, live slot and counters found */                             \
	X(name)	     /* the name read, a pathname normalised */                               \
	X(verdict)   /* the socket's remembered verdict checked (sendto) */                   \
	X(principal) /* the caller's container found */                                       \
	X(hash)	     /* the name hashed */                                                    \
	X(endpoint)  /* the endpoint looked up, compared and placed */                        \
	X(grant)     /* the caller's grant looked up */                                       \
	X(decide)    /* the reason */                                                         \
	X(remember)  /* an allow remembered on the socket (sendto) */                         \
	X(count)     /* the hook's and the container's counters */                            \
	X(report)    /* a deny's event */                                                     \
	X(clock)     /* two clock reads back to back */

enum vipc_step {
#define VIPC_STEP_ENUM(name) VIPC_STEP_##name,
	VIPC_STEPS(VIPC_STEP_ENUM)
#undef VIPC_STEP_ENUM
	VIPC_STEP__COUNT,
};

struct vipc_step_times {
	__u64 ns[VIPC_STEP__COUNT];
	__u64 calls[VIPC_STEP__COUNT];
	__u64 begun; /* when this CPU's step being timed began */
};

/* vipc_registry[0]: registry counters, kept by the loader and by the
 * cgroup-removal program, updated atomically (the map is mmapable). One
 * list, as for vipc_stats.
 */
#define VIPC_REGISTRY_FIELDS(X)                                                              \
	X(endpoints_created)                                                                 \
	X(endpoints_destroyed)                                                               \
	X(channels_created)                                                                  \
	X(channels_destroyed)                                                                \
	X(grants_issued)                                                                     \
	X(grants_revoked)                                                                    \
	X(containers_added)                                                                  \
	X(containers_removed)                                                                \
	X(cgroups_bound)   /* cgroups bound to a container (policy, `container add`, mkdir) */ \
	X(cgroups_unbound) /* bindings gone (rmdir, `container rm`, reload) */               \
	X(cgroups_held)	   /* new cgroups held at mkdir (a runtime's pattern) */             \
	X(cgroups_released) /* holds ended unbound: no container selected, or rmdir */        \
	X(cgroups_unbindable) /* selected at mkdir, no room in the bindings: unconfined */   \
	X(cgroups_expired) /* holds released unresolved: no runtime state in time */         \
	X(generation_bumps)                                                                  \
	X(policy_loads)                                                                      \
	X(policy_changes) /* writes to the live policy; remembered verdicts expire */

struct vipc_registry_stats {
#define VIPC_REGISTRY_FIELD(name) __u64 name;
	VIPC_REGISTRY_FIELDS(VIPC_REGISTRY_FIELD)
#undef VIPC_REGISTRY_FIELD
};
#define VIPC_NR_REGISTRY (sizeof(struct vipc_registry_stats) / sizeof(__u64))

enum vipc_event_type {
	VIPC_EV_DENY = 1,   /* a call was denied */
	VIPC_EV_AUDIT,	    /* a call would have been denied (audit mode) */
	VIPC_EV_STATS,	    /* periodic statistics snapshot */
	VIPC_EV_CGROUP_GONE, /* a run-time container's cgroup was removed, and it with it */
	VIPC_EV_CGROUP_BOUND,   /* a new cgroup was bound to a container (name: its path) */
	VIPC_EV_CGROUP_UNBOUND, /* a bound cgroup was removed; its container stays */
	VIPC_EV_SUMMARY,	/* calls of one key suppressed since its last event */
	VIPC_EV_CGROUP_HELD,	/* a new cgroup was held for the loader to resolve (name: its path) */
	VIPC_EV_CGROUP_UNBINDABLE, /* a new cgroup selected, the bindings full: unconfined */
};

/* Ring buffer record for VIPC_EV_DENY, VIPC_EV_AUDIT, the cgroup events and
 * VIPC_EV_SUMMARY (a summary repeats the event that opened its key's
 * interval, with its own ts_ns and the count in @suppressed).
 */
struct vipc_event {
	__u32 type; /* enum vipc_event_type */
	__u8 hook;  /* enum vipc_hook */
	__u8 reason; /* enum vipc_reason */
	__u8 perm;  /* enum vipc_perm asked */
	__u8 kind;  /* enum vipc_kind of the name */
	__u64 ts_ns;
	__u64 cgroup_id;
	__u32 pid;
	__u32 container;
	__u32 endpoint; /* 0 when not registered */
	__u8 name_len;
	__u8 verdict; /* enum vipc_outcome: deny or audit */
	__u8 pad[2];
	char comm[16];
	char name[VIPC_NAME_MAX];
	__u32 suppressed; /* calls of this key counted and not sent since its last report */
};

/* vipc_decisions: (container, endpoint, hook, reason, verdict) -> per-CPU
 * count of the decisions. Calls of callers no container holds to names
 * not registered (VIPC_R_UNCONFINED) are not counted here.
 */
struct vipc_decision_key {
	__u32 container; /* 0: a caller no container holds */
	__u32 endpoint;	 /* 0: a name not registered */
	__u32 owner;	 /* the endpoint's owner (removed with it), 0 when unregistered */
	__u8 hook;	 /* enum vipc_hook */
	__u8 reason;	 /* enum vipc_reason */
	__u8 verdict;	 /* enum vipc_outcome */
	__u8 pad;
};

/* vipc_decisions_hot[0]: per CPU, in each bucket (a hash of the key) the
 * first VIPC_HOT_WAYS keys counted there and their counts; the other keys
 * of a bucket are counted in vipc_decisions. A key's count is the sum of
 * both maps over CPUs. An all-zero key is a free row.
 */
struct vipc_hot_row {
	struct vipc_decision_key key;
	__u64 count;
};

struct vipc_hot_bucket {
	struct vipc_hot_row row[VIPC_HOT_WAYS];
};

/* One element, so that its lookup does not wait for the key's hash. */
struct vipc_hot_table {
	struct vipc_hot_bucket bucket[VIPC_HOT_BUCKETS];
};

/* vipc_agg: one key of deny (or would-deny) events, aggregated. */
struct vipc_agg_key {
	/* The name's hash when the endpoint is not registered; else, for a
	 * caller no container holds, its cgroup id (each its own event); else 0.
	 */
	__u64 hash;
	__u32 container;
	__u32 endpoint;
	__u8 hook;
	__u8 reason;
	__u8 verdict;
	__u8 kind; /* with the name's length: the unregistered name, with its hash */
	__u8 len;
	__u8 pad[3];
};

struct vipc_agg {
	__u64 window;  /* start of the key's interval: when its last event was sent */
	__u64 pending; /* calls suppressed since its last event or summary */
	__u32 owner;   /* the endpoint's owner, for the container sweep */
	__u32 pad;
	struct vipc_event last; /* the last event sent: what its summaries repeat */
};

/* Ring buffer record for VIPC_EV_STATS: counters summed over CPUs. */
struct vipc_snapshot {
	__u32 type;
	__u32 pad;
	__u64 ts_ns;
	struct vipc_stats stats;
};

/* vipc_homes: container id -> the places it bound registered names in,
 * learned by the bind hooks (the LSM and fmodret backends' for UNIX names,
 * every backend's for ports) and the LSM and fmodret backends' queue
 * creations: for pathnames the directories (vipc_dir_place()), for
 * abstract names, and apart for ports, the network namespaces (their
 * cookies), for queues the mqueue mounts (one per IPC namespace: the
 * device of its superblock). A name is a place's own: in another place it
 * is not the endpoint. A sort with nothing learned, or full (more places
 * than fit): every place is a home (fail closed).
 */
#define VIPC_HOME_SORTS 4 /* directories, abstract names' and ports' namespaces, mqueue mounts */
struct vipc_home {
	__u64 full; /* bit vipc_home_sort(kind): more places of that sort than fit */
	__u64 at[VIPC_HOME_SORTS][VIPC_HOMES]; /* [vipc_home_sort(kind)]; zero: a free place */
};

/* vipc_conn_tag: socket-local storage of an admitted LSM connection. */
struct vipc_conn_tag {
	__u32 endpoint;	  /* endpoint id admitted to */
	__u32 generation; /* endpoint generation at admission */
	__u32 container;  /* caller's container */
	__u32 perm;	  /* permission it was admitted under */
	struct vipc_endpoint_key key; /* the endpoint's key and name, to re-check it */
	union vipc_name name;
};

enum vipc_remove_flags {
	VIPC_REMOVE_COUNTERS = 1 << 0, /* only the counters of the container or endpoint */
};

/* Context of the vipc_remove_container syscall program. */
struct vipc_remove_args {
	__u32 container;
	__u32 slot;
	__u32 endpoint; /* with VIPC_REMOVE_COUNTERS: an endpoint's counters instead */
	__u32 flags;	/* enum vipc_remove_flags */
};

_Static_assert(sizeof(struct vipc_config) == 32, "vipc_config layout");
_Static_assert(sizeof(struct vipc_settings) == 8, "vipc_settings layout");
_Static_assert(sizeof(struct vipc_principal_key) == 16, "vipc_principal_key layout");
_Static_assert(sizeof(struct vipc_principal) == 40, "vipc_principal layout");
_Static_assert(sizeof(struct vipc_container_key) == 8, "vipc_container_key layout");
_Static_assert(sizeof(struct vipc_container) == 312, "vipc_container layout");
_Static_assert(sizeof(struct vipc_watch_key) == 16, "vipc_watch_key layout");
_Static_assert(sizeof(struct vipc_watch) == 296, "vipc_watch layout");
_Static_assert(sizeof(struct vipc_glob_key) == 16, "vipc_glob_key layout");
_Static_assert(sizeof(struct vipc_glob_watch) == 560, "vipc_glob_watch layout");
_Static_assert(sizeof(struct vipc_endpoint_key) == 16, "vipc_endpoint_key layout");
_Static_assert(sizeof(struct vipc_endpoint) == 168, "vipc_endpoint layout");
_Static_assert(sizeof(struct vipc_grant_key) == 16, "vipc_grant_key layout");
_Static_assert(sizeof(struct vipc_grant) == 16, "vipc_grant layout");
_Static_assert(sizeof(struct vipc_channel_key) == 40, "vipc_channel_key layout");
_Static_assert(sizeof(struct vipc_channel) == 16, "vipc_channel layout");
_Static_assert(sizeof(struct vipc_instance) == 112, "vipc_instance layout");
_Static_assert(sizeof(struct vipc_route) == 144 + (112 + 16) * VIPC_INSTANCES, "vipc_route layout");
_Static_assert(sizeof(struct vipc_view_key) == 16, "vipc_view_key layout");
_Static_assert(sizeof(struct vipc_view) == 120, "vipc_view layout");
_Static_assert(sizeof(struct vipc_spread) == 8 + 8 * VIPC_INSTANCES, "vipc_spread layout");
_Static_assert((VIPC_SPREAD_ROWS & (VIPC_SPREAD_ROWS - 1)) == 0, "VIPC_SPREAD_ROWS: a power of two");
_Static_assert(sizeof(struct vipc_stats) == 152, "vipc_stats layout");
_Static_assert(__builtin_offsetof(struct vipc_stats, events_dropped) ==
		       __builtin_offsetof(struct vipc_stats, denied_unknown) +
			       8 * (VIPC_R__COUNT - VIPC_R_FIRST_DENY),
	       "vipc_stats: one denied_* counter per deny reason, in enum order");
_Static_assert(sizeof(struct vipc_registry_stats) == 136, "vipc_registry_stats layout");
_Static_assert(sizeof(struct vipc_event) == 168, "vipc_event layout");
_Static_assert(sizeof(struct vipc_snapshot) == 168, "vipc_snapshot layout");
_Static_assert(sizeof(struct vipc_home) == 8 + 8 * VIPC_HOME_SORTS * VIPC_HOMES, "vipc_home layout");
_Static_assert(sizeof(struct vipc_conn_tag) == 144, "vipc_conn_tag layout");
_Static_assert(sizeof(struct vipc_decision_key) == 16, "vipc_decision_key layout");
_Static_assert(sizeof(struct vipc_agg_key) == 24, "vipc_agg_key layout");
_Static_assert(sizeof(struct vipc_hot_row) == 24, "vipc_hot_row layout");
_Static_assert((VIPC_HOT_BUCKETS & (VIPC_HOT_BUCKETS - 1)) == 0,
	       "VIPC_HOT_BUCKETS: a power of two");
_Static_assert(sizeof(struct vipc_agg) == 192, "vipc_agg layout");

#endif /* __VIPC_H */
