/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The policy file: parsed with libyaml into plain structs, names checked,
 * cgroups resolved to ids. Nothing here touches BPF.
 */
#ifndef __VIPC_POLICY_H
#define __VIPC_POLICY_H

#include <linux/types.h>
#include <limits.h>
#include <search.h>
#include <stdbool.h>
#include <stddef.h>
#include "vipc.h"

struct vipc_rt_roots;

#define VIPC_POLICY_VERSION 1
#define VIPC_POLICY_MAX_BYTES (16 << 20) /* larger files are refused */

/* Where in which file something went wrong, and what was expected. */
struct vipc_policy_error {
	char file[PATH_MAX];
	int line; /* 1-based; 0 when the error is about the whole file */
	int column;
	char msg[512];
};

struct vipc_pos {
	int line;
	int column;
};

struct vipc_policy_container {
	char name[VIPC_LABEL_MAX];
	char cgroup[PATH_MAX]; /* as written; empty when given by pid */
	int pid;	       /* 0 when given by cgroup */
	__u8 mode;	       /* enum vipc_mode */
	__u8 unknown;	       /* enum vipc_unknown */
	/* Filled by vipc_policy_resolve(): the cgroup's path within the
	 * hierarchy ("/vipc-test/web"), and its id, 0 while it does not exist.
	 */
	char path[VIPC_CGROUP_PATH_MAX];
	__u64 cgroup_id;
	/* A glob selector (a '*' or '?' in the last component): by resolve,
	 * the parent's length in path, the pattern and its index among the
	 * globs of that parent.
	 */
	bool glob;
	__u8 glob_index;
	__u16 parent_len;
	struct vipc_glob pattern;
	/* A runtime selector (`docker:`, `podman:`, `annotations:`): its enum
	 * vipc_selector, 0 for none, and what it matches as the pinned
	 * container holds it: the name, or KEY\0VALUE\0 pairs.
	 */
	__u8 runtime;
	__u16 match_len;
	char match[VIPC_CGROUP_PATH_MAX];
	struct vipc_pos pos;
};

/* A container's own socket behind an endpoint's names (`views:`). */
struct vipc_policy_view {
	char container[VIPC_LABEL_MAX];
	__u8 kind; /* enum vipc_kind */
	__u8 len;
	char addr[VIPC_NAME_MAX];
};

struct vipc_policy_endpoint {
	char name[VIPC_LABEL_MAX];
	char owner[VIPC_LABEL_MAX];
	__u8 kind; /* enum vipc_kind */
	__u8 len;  /* significant bytes of addr */
	__u8 others;	 /* enum vipc_others: callers no container holds */
	bool others_set; /* `others:` written for it or in the defaults */
	char addr[VIPC_NAME_MAX];
	/* Its other instances (`unix:` or `abstract:` a list): sockets the
	 * broker spreads new connections over, each the endpoint's name too.
	 */
	__u8 nr_more;
	__u8 more_len[VIPC_INSTANCES - 1];
	char more[VIPC_INSTANCES - 1][VIPC_NAME_MAX];
	/* `views:`: per container, the socket its calls to the endpoint go to. */
	struct vipc_policy_view *views;
	size_t nr_views;
	struct vipc_pos pos;
};

struct vipc_policy_grant {
	char container[VIPC_LABEL_MAX];
	char endpoint[VIPC_LABEL_MAX];
	__u32 perms; /* enum vipc_perm bits */
	struct vipc_pos pos;
};

struct vipc_policy_channel {
	char name[VIPC_LABEL_MAX];
	char endpoint[VIPC_LABEL_MAX];
	char receiver[VIPC_LABEL_MAX];
	char (*senders)[VIPC_LABEL_MAX];
	size_t nr_senders;
	__u32 capacity;
	struct vipc_pos pos;
};

struct vipc_policy {
	__u8 default_mode;    /* enum vipc_mode */
	__u8 default_unknown; /* enum vipc_unknown */
	__u8 default_others;  /* enum vipc_others, `defaults: { others: }` */
	bool default_others_set;
	__u64 events_interval_ms; /* `events: { rate: }`: per key one event per interval, 0 = all */
	struct vipc_policy_container *containers;
	size_t nr_containers;
	struct vipc_policy_endpoint *endpoints;
	size_t nr_endpoints;
	struct vipc_policy_grant *grants;
	size_t nr_grants;
	struct vipc_policy_channel *channels;
	size_t nr_channels;
	char cgroot[PATH_MAX]; /* the cgroup2 mount it was resolved under; "" before */
	bool runtimes; /* a container has a runtime selector: runtimes' cgroups are held */
	/* Where the runtimes keep their state, for applying it; NULL: the defaults. */
	const struct vipc_rt_roots *rt_roots;
};

/* Parse and check a policy; 0 or -errno with @err filled in. */
int vipc_policy_parse_file(const char *path, struct vipc_policy **out,
			   struct vipc_policy_error *err);
int vipc_policy_parse_string(const char *text, size_t len, const char *name,
			     struct vipc_policy **out, struct vipc_policy_error *err);
/* The whole file, refused (@err filled) when it is no regular, readable
 * file of at most VIPC_POLICY_MAX_BYTES; *@text is the caller's to free.
 */
int vipc_policy_read_file(const char *path, char **text, size_t *len,
			  struct vipc_policy_error *err);
/* Fill each container's path and cgroup_id from its cgroup (relative to
 * @cgroot, the cgroup2 mount, or under it) or its pid's /proc/PID/cgroup.
 * A cgroup that does not exist yet is not an error (cgroup_id 0); a path
 * too long to select, or a pid that is gone, is one at its position.
 */
int vipc_policy_resolve(struct vipc_policy *pol, const char *cgroot, const char *procroot,
			struct vipc_policy_error *err);
void vipc_policy_free(struct vipc_policy *pol);
/* @rel (under @cgroot, or relative to it; "" when the mount is not known)
 * as the kernel names the cgroup: "/a/b", one slash between components,
 * none trailing. 0, -EINVAL for a "." or ".." component, -ENAMETOOLONG
 * past VIPC_CGROUP_PATH_MAX - 1 bytes.
 */
int vipc_hierarchy_path(const char *rel, const char *cgroot, char out[VIPC_CGROUP_PATH_MAX]);
/* A `docker:` or `podman:` name, as the engines allow them:
 * [A-Za-z0-9][A-Za-z0-9_.-]*, at most VIPC_CGROUP_PATH_MAX - 1 bytes.
 */
bool vipc_runtime_name_ok(const char *s);

/* The endpoints closed to callers no container holds because neither they
 * nor the defaults say `others:`: how many, their names in @buf ("a, b",
 * cut to fit).
 */
size_t vipc_policy_closed_by_default(const struct vipc_policy *pol, char *buf, size_t size);

/* Look-ups by name; NULL when absent. */
const struct vipc_policy_container *vipc_policy_container(const struct vipc_policy *pol,
							  const char *name);
const struct vipc_policy_endpoint *vipc_policy_endpoint(const struct vipc_policy *pol,
							const char *name);

/* "file:line:col: msg" (or "file: msg") into @buf. */
void vipc_policy_error_format(const struct vipc_policy_error *err, char *buf, size_t size);

/* An event rate, `events: { rate: }` and --event-rate: "all" (0, every
 * event) or an interval "Nms" / "Ns" from 1 ms to VIPC_RATE_MAX_MS; -EINVAL
 * otherwise.
 */
#define VIPC_RATE_MAX_MS 3600000
int vipc_rate_parse(const char *text, __u64 *interval_ms);

/* Permissions: "connect", "send", "bind", "pass-fd", "receive". */
int vipc_perm_parse(const char *word, __u32 *bit);
/* Comma-separated list ("connect,send") into bits; -EINVAL on an unknown word. */
int vipc_perms_parse(const char *list, __u32 *bits);
/* Bits into "connect,send" (or "none"). */
void vipc_perms_format(__u32 bits, char *buf, size_t size);

/* An endpoint's address: "/path", "@abstract", "tcp:ADDR:PORT",
 * "udp:ADDR:PORT", "mqueue:/NAME" or "fifo:/PATH" (as the CLI writes them)
 * into kind, bytes and length (a queue's name without its '/'; the FIFO
 * at PATH now, by its inode: VIPC_FIFO_NAME_LEN), a path in its normal
 * form (vipc_name.h): 0, 1 when the path was not in it, -EINVAL when
 * empty, relative, no address and port or no queue name, -ENAMETOOLONG
 * when it does not fit a sun_path, -ENOTSUP when PATH is no FIFO, -EXDEV
 * when it is on overlayfs or btrfs, or stat's error for it.
 */
int vipc_addr_parse(const char *text, __u8 *kind, char addr[VIPC_NAME_MAX], __u8 *len);
/* Does @text name a port ("tcp:" or "udp:")? */
bool vipc_addr_is_inet(const char *text);
/* Does @text name a message queue or a FIFO ("mqueue:", "fifo:")? */
bool vipc_addr_is_file(const char *text);
/* Is the address one of the broker's names (abstract, under "vipc/"),
 * which no endpoint may have?
 */
bool vipc_addr_reserved(__u8 kind, const char *addr, __u8 len);
/* Name indexes (hsearch_r), for the parser's checks and the loader's
 * look-ups: an empty index for @n keys (0 or -ENOMEM); add @key, which must
 * outlive @h, as entry @i (-1 when added, else the entry already there);
 * the entry under @key, or -1.
 */
int vipc_index_init(struct hsearch_data *h, size_t n);
long vipc_index_add(struct hsearch_data *h, const char *key, long i);
long vipc_index_find(struct hsearch_data *h, const char *key);
/* The exact map key the kernel builds for that address in @slot, and the
 * zero-padded name the endpoint's value holds (compared after a lookup).
 */
void vipc_endpoint_key_make(struct vipc_endpoint_key *key, union vipc_name *name, __u32 slot,
			    __u8 kind, const char *addr, __u8 len);

#endif /* __VIPC_POLICY_H */
