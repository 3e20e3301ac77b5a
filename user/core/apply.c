// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Applying a whole policy atomically: build it in the idle slot, flip the
 * live slot with one map update, wait out every BPF program still reading
 * the old slot, then clear it. A failure before the flip clears the idle
 * slot and leaves the live policy as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "binder.h"
#include "broker.h"
#include "cgroup.h"
#include "decisions.h"
#include "grow.h"
#include "inet.h"
#include "log.h"
#include "registry.h"
#include "stream.h"
#include "table.h"
#include "vipc_glob.h"
#include "vipc_name.h"

/* The policy tables, as VIPC_POLICY_PINS lists them (cleared and deleted
 * last to first).
 */
#define T_ENUM(NAME, field, pin, prog) T_##NAME,
enum { VIPC_POLICY_PINS(T_ENUM) T__COUNT };
#undef T_ENUM

/* Each table's name and the option that raises its limit, for errors. */
static const struct {
	const char *name;
	const char *opt;
	size_t limit; /* offset in struct vipc_limits */
} tables[T__COUNT] = {
	{ "bindings", "--max-containers", offsetof(struct vipc_limits, principals) },
	{ "containers", "--max-containers", offsetof(struct vipc_limits, principals) },
	{ "watched cgroups", "--max-containers", offsetof(struct vipc_limits, principals) },
	{ "watched globs", "--max-containers", offsetof(struct vipc_limits, principals) },
	{ "endpoints", "--max-endpoints", offsetof(struct vipc_limits, endpoints) },
	{ "routes", "--max-endpoints", offsetof(struct vipc_limits, endpoints) },
	{ "views", "--max-grants", offsetof(struct vipc_limits, grants) },
	{ "grants", "--max-grants", offsetof(struct vipc_limits, grants) },
	{ "channels", "--max-channels", offsetof(struct vipc_limits, channels) },
};

/* Index @n labels @stride bytes apart by name (look up: vipc_index_find). */
static int names_init(struct hsearch_data *index, const char *base, size_t stride, size_t n)
{
	size_t i;

	if (vipc_index_init(index, n))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		vipc_index_add(index, base + i * stride, i);
	return 0;
}

/* A cgroup bound by the policy: container @ci's exact cgroup, or the one
 * named @name in the parent directory of its glob, or (@rt) a runtime's
 * cgroup at path @name, bound by its selector or held.
 */
struct bound {
	__u64 cgid;
	size_t ci;
	bool rt;
	char name[VIPC_CGROUP_PATH_MAX]; /* "" for an exact selector */
};

/* The live slot as read, the new one as built, the ids given to the
 * policy's containers and endpoints, by index, and the cgroups bound.
 */
struct build {
	struct vipc_state *st;
	const struct vipc_policy *pol;
	__u32 slot; /* the idle slot being filled */
	__u32 *cid;
	struct bound *bound;
	size_t nr_bound, cap_bound;
	struct vipc_endpoint *ep;
	struct hsearch_data containers, endpoints, live_containers;
	long last_container; /* index of the container of the previous grant */
	struct vipc_table live[T__COUNT], idle[T__COUNT];
};

/* What a held cgroup is bound to until the loader knows its container. */
static const struct vipc_principal held = { .id = VIPC_HELD_ID, .mode = VIPC_MODE_ENFORCE,
					    .unknown = VIPC_UNKNOWN_DENY, .name = "held" };

/* Glob @g of the parent directory @parent (@len bytes; VIPC_GLOB_HOLD: a
 * runtime's hold, @parent its top directory) at @index, binding to @p, as
 * cgroup_mkdir looks it up.
 */
static int push_glob(struct build *b, const char *parent, __u16 len, __u8 index,
		     const struct vipc_principal *p, const struct vipc_glob *g)
{
	struct vipc_glob_key key = { .slot = b->slot, .len = len, .index = index };
	struct vipc_glob_watch val;

	memset(&val, 0, sizeof(val));
	val.principal = *p;
	val.glob = *g;
	if (len == VIPC_GLOB_HOLD) {
		memcpy(val.parent.bytes, parent, g->top);
	} else {
		memcpy(val.parent.bytes, parent, len);
		key.hash = vipc_path_hash(&val.parent, key.len);
	}
	return vipc_table_push(&b->idle[T_GLOB], &key, &val);
}

/* The parent directory and pattern of glob @pc, as cgroup_mkdir looks them up. */
static int put_glob(struct build *b, const struct vipc_policy_container *pc,
		    const struct vipc_container *ct)
{
	return push_glob(b, pc->path, pc->parent_len, pc->glob_index, &ct->principal,
			 &pc->pattern);
}

/* The policy's globs of directory @dir (@len bytes): the next free index. */
static size_t globs_of(const struct vipc_policy *pol, const char *dir, size_t len)
{
	const struct vipc_policy_container *pc;
	size_t i, n = 0;

	for (i = 0; i < pol->nr_containers; i++) {
		pc = &pol->containers[i];
		n += pc->glob && pc->parent_len == len && !strncmp(pc->path, dir, len);
	}
	return n;
}

/* With runtime selectors, the holds: each runtime's cgroup pattern under
 * the directory it makes them in, and ctr's "/<namespace>/<id>" for the
 * namespaces containerd has tasks in, after the policy's own globs of that
 * directory.
 */
static int put_holds(struct build *b)
{
	char ns[8][VIPC_RT_NS_MAX], dir[VIPC_RT_NS_MAX + 1];
	struct vipc_rt_hold h[VIPC_RT_MAX_HOLDS];
	struct vipc_rt_roots defaults;
	struct vipc_glob any;
	int i, n, err = 0;
	size_t idx;

	if (!b->pol->runtimes)
		return 0;
	n = vipc_rt_holds(h);
	for (i = 0; i < n && !err; i++)
		err = push_glob(b, h[i].top, VIPC_GLOB_HOLD, i, &held, &h[i].glob);
	vipc_rt_roots_default(&defaults);
	n = vipc_rt_namespaces(b->pol->rt_roots ?: &defaults, ns, 8);
	vipc_glob_make(&any, "*", 1);
	for (i = 0; i < n && !err; i++) {
		snprintf(dir, sizeof(dir), "/%s", ns[i]);
		idx = globs_of(b->pol, dir, strlen(dir));
		if (idx < VIPC_GLOB_PER_PARENT)
			err = push_glob(b, dir, strlen(dir), idx, &held, &any);
		else
			pr_warn("apply: %s holds %d globs: its ctr containers are not held\n", dir,
				VIPC_GLOB_PER_PARENT);
	}
	return err;
}

/* The exact path or the glob @pc selects, as the cgroup_mkdir program looks it up. */
static int put_watch(struct build *b, const struct vipc_policy_container *pc,
		     const struct vipc_container *ct)
{
	struct vipc_watch_key key = { .slot = b->slot, .len = ct->path_len };
	struct vipc_watch val = { .principal = ct->principal, .path = ct->path };

	if (!pc->path[0])
		return 0; /* built without vipc_policy_resolve() */
	if (pc->glob)
		return put_glob(b, pc, ct);
	key.hash = vipc_path_hash(&val.path, key.len);
	return vipc_table_push(&b->idle[T_WATCH], &key, &val);
}

/* Containers keep their id across reloads when their name stays. */
static int put_containers(struct build *b)
{
	const struct vipc_policy_container *pc;
	struct vipc_table *t = &b->idle[T_WATCH];
	struct vipc_container_key key = { .slot = b->slot };
	struct vipc_container val;
	long old, dup;
	size_t i;

	for (i = 0; i < b->pol->nr_containers; i++) {
		pc = &b->pol->containers[i];
		old = vipc_index_find(&b->live_containers, pc->name);
		if (old >= 0)
			b->cid[i] = ((struct vipc_container *)vipc_table_val(&b->live[T_CONTAINERS],
									    old))->principal.id;
		else
			b->cid[i] = b->st->cfg.next_container++;
		key.id = b->cid[i];
		vipc_container_make(&val, pc, key.id, 0);
		if (vipc_table_push(&b->idle[T_CONTAINERS], &key, &val) || put_watch(b, pc, &val))
			return -ENOMEM;
	}

	/* Sorted by path, two containers on one cgroup sit side by side. */
	if (put_holds(b) || vipc_table_sort(&b->idle[T_CONTAINERS]) || vipc_table_sort(t) ||
	    vipc_table_sort(&b->idle[T_GLOB]))
		return -ENOMEM;
	dup = vipc_table_dup(t);
	if (dup >= 0)
		return vipc_fail(&b->st->err, -EINVAL,
				 "container %s: its cgroup is another container's too",
				 ((struct vipc_watch *)vipc_table_val(t, dup))->principal.name);
	dup = vipc_table_dup(&b->idle[T_GLOB]);
	if (dup >= 0)
		return vipc_fail(&b->st->err, -EINVAL,
				 "container %s: its glob's directory hashes like "
				 "another's", ((struct vipc_glob_watch *)vipc_table_val(&b->idle[T_GLOB],
											 dup))->principal.name);
	return 0;
}

/* The id of bound cgroup @bd as it is now, 0 when there is none. */
static __u64 cgroup_now(const struct build *b, const struct bound *bd)
{
	const struct vipc_policy_container *pc = &b->pol->containers[bd->ci];
	char path[PATH_MAX * 2];
	struct stat st;

	if (bd->rt)
		snprintf(path, sizeof(path), "%s%s", b->pol->cgroot, bd->name);
	else if (!pc->path[0] || !b->pol->cgroot[0])
		return pc->cgroup_id; /* built without vipc_policy_resolve() */
	else if (pc->glob)
		snprintf(path, sizeof(path), "%s%.*s/%s", b->pol->cgroot, pc->parent_len, pc->path,
			 bd->name);
	else
		snprintf(path, sizeof(path), "%s%s", b->pol->cgroot, pc->path);
	return !stat(path, &st) && S_ISDIR(st.st_mode) ? st.st_ino : 0;
}

/* Record cgroup @cgid as bound: 0, or -ENOMEM. */
static int add_bound(struct build *b, size_t ci, __u64 cgid, const char *name, bool rt)
{
	struct bound *bd = vipc_grow(b->bound, b->nr_bound, &b->cap_bound, sizeof(*bd));

	if (!bd)
		return -ENOMEM;
	b->bound = bd;
	bd = &b->bound[b->nr_bound++];
	bd->cgid = cgid;
	bd->ci = ci;
	bd->rt = rt;
	snprintf(bd->name, sizeof(bd->name), "%s", name);
	return 0;
}

/* Bind cgroup @cgid to container @ci: a binding and its record. */
static int bind_one(struct build *b, size_t ci, __u64 cgid, const char *name)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = b->slot };
	struct vipc_container val;

	vipc_container_make(&val, &b->pol->containers[ci], b->cid[ci], 0);
	return add_bound(b, ci, cgid, name, false) ?:
	       vipc_table_push(&b->idle[T_PRINCIPALS], &key, &val.principal);
}

/* Is cgroup @cgid bound already (by an exact path or a glob)? */
static bool is_bound(const struct build *b, __u64 cgid)
{
	size_t i;

	for (i = 0; i < b->nr_bound; i++)
		if (b->bound[i].cgid == cgid)
			return true;
	return false;
}

/* A runtime's cgroup that exists: bound to the container selecting it,
 * held when its state is not whole yet, else left alone (unconfined).
 */
static int bind_runtime(const char *path, __u64 cgid, void *ctx)
{
	struct vipc_principal_key key = { .cgroup_id = cgid, .slot = 0 };
	const struct vipc_table *cts;
	const struct vipc_container *c = NULL;
	struct vipc_rt_roots defaults;
	struct vipc_rt_info info;
	struct build *b = ctx;
	int err;

	if (strlen(path) >= VIPC_CGROUP_PATH_MAX || vipc_rt_parse(path, &info) || is_bound(b, cgid))
		return 0;
	vipc_rt_roots_default(&defaults);
	err = vipc_rt_resolve(b->pol->rt_roots ?: &defaults, path, &info);
	if (err == -ENOENT)
		return 0;
	cts = &b->idle[T_CONTAINERS];
	if (!err)
		c = vipc_binder_pick(cts->vals, cts->n, cts->vsz, &info);
	vipc_rt_info_free(&info);
	if (!err && !c)
		return 0;
	key.slot = b->slot;
	return add_bound(b, 0, cgid, path, true) ?:
	       vipc_table_push(&b->idle[T_PRINCIPALS], &key, c ? &c->principal : &held);
}

/* Does glob @pc match a cgroup named @name (@nl bytes) in its directory? */
static bool glob_matches(const struct vipc_policy_container *pc, const char *name, size_t nl)
{
	union vipc_path p = {};

	if (pc->parent_len + 1 + nl >= VIPC_CGROUP_PATH_MAX)
		return false; /* too long a path for the kernel to bind */
	memcpy(p.bytes, name, nl);
	return vipc_glob_match(&pc->pattern, &p, 0, nl);
}

/* Which container other than glob @ci selects @name in its directory: an
 * exact one (which wins), a glob before it (an error), or -1 for none.
 */
static long selected_too(const struct build *b, size_t ci, const char *name)
{
	const struct vipc_policy_container *pc = &b->pol->containers[ci], *o;
	size_t i, nl = strlen(name);

	for (i = 0; i < b->pol->nr_containers; i++) {
		o = &b->pol->containers[i];
		if (i == ci || !o->path[0] || strncmp(o->path, pc->path, pc->parent_len + 1))
			continue;
		if (o->glob ? i < ci && o->parent_len == pc->parent_len && glob_matches(o, name, nl)
			    : !strcmp(o->path + pc->parent_len + 1, name))
			return i;
	}
	return -1;
}

/* Bind the cgroups in glob @ci's directory that match it now. */
static int bind_glob(struct build *b, size_t ci)
{
	const struct vipc_policy_container *pc = &b->pol->containers[ci];
	char dir[PATH_MAX * 2];
	struct dirent *e;
	struct stat st;
	long other;
	int err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s%.*s/", b->pol->cgroot, pc->parent_len, pc->path);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ?
			       0 :
			       vipc_fail(&b->st->err, -errno, "%s: %m", dir);
	while (!err && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !glob_matches(pc, e->d_name, strlen(e->d_name)))
			continue;
		other = selected_too(b, ci, e->d_name);
		if (other >= 0 && b->pol->containers[other].glob)
			err = vipc_fail(&b->st->err, -EINVAL,
					"%d:%d: container '%s': cgroup %s%s matches "
					"container '%s''s glob too", pc->pos.line, pc->pos.column,
					pc->name, dir + strlen(b->pol->cgroot), e->d_name,
					b->pol->containers[other].name);
		else if (other < 0 && !fstatat(dirfd(d), e->d_name, &st, 0))
			err = bind_one(b, ci, st.st_ino, e->d_name);
	}
	closedir(d);
	return err;
}

/* The bindings of the cgroups that exist now. Built once the watch is in
 * the idle slot: a cgroup made from then on is bound by the kernel, one
 * made before is seen here.
 */
static int put_bindings(struct build *b)
{
	struct vipc_table *t = &b->idle[T_PRINCIPALS];
	struct bound bd = {};
	size_t i;
	long dup;
	int err = 0;

	for (i = 0; i < b->pol->nr_containers && !err; i++) {
		bd.ci = i;
		if (b->pol->containers[i].glob)
			err = b->pol->cgroot[0] ? bind_glob(b, i) : 0;
		else if ((bd.cgid = cgroup_now(b, &bd)))
			err = bind_one(b, i, bd.cgid, "");
	}
	if (!err && b->pol->runtimes && b->pol->cgroot[0])
		err = vipc_cgroup_walk(b->pol->cgroot, bind_runtime, b);
	if (err || vipc_table_sort(t))
		return err ?: -ENOMEM;
	dup = vipc_table_dup(t);
	if (dup >= 0)
		return vipc_fail(&b->st->err, -EINVAL,
				 "container %s: its cgroup is another container's too",
				 ((struct vipc_principal *)vipc_table_val(t, dup))->name);
	return 0;
}

/* A cgroup removed while it was being bound (its rmdir found nothing to
 * unbind yet): unbind it now that the binding is written.
 */
static void unbind_gone(struct build *b)
{
	struct vipc_table *t = &b->idle[T_PRINCIPALS];
	struct vipc_principal_key key = { .slot = b->slot };
	size_t i;
	long at;

	for (i = 0; i < b->nr_bound; i++) {
		key.cgroup_id = b->bound[i].cgid;
		if (cgroup_now(b, &b->bound[i]) == key.cgroup_id)
			continue;
		bpf_map_delete_elem(t->fd, &key);
		at = vipc_table_find(t, &key);
		if (at < 0)
			continue;
		memmove(vipc_table_key(t, at), vipc_table_key(t, at + 1), (t->n - at - 1) * t->ksz);
		memmove(vipc_table_val(t, at), vipc_table_val(t, at + 1), (t->n - at - 1) * t->vsz);
		t->n--;
	}
}

/* The rows of @pe's other instances: @ep under each one's name. */
static int put_instances(struct build *b, const struct vipc_policy_endpoint *pe,
			 const struct vipc_endpoint *ep)
{
	struct vipc_endpoint_key key;
	struct vipc_endpoint row;
	__u8 i;

	for (i = 0; i < pe->nr_more; i++) {
		row = *ep;
		row.flags |= VIPC_EP_INSTANCE;
		vipc_endpoint_key_make(&key, &row.name, b->slot, pe->kind, pe->more[i],
				       pe->more_len[i]);
		if (vipc_table_push(&b->idle[T_ENDPOINTS], &key, &row))
			return -ENOMEM;
	}
	return 0;
}

/* Endpoints keep their id and generation when their address stays. */
static int put_endpoints(struct build *b)
{
	struct vipc_table *t = &b->idle[T_ENDPOINTS], *live = &b->live[T_ENDPOINTS];
	const struct vipc_policy_endpoint *pe;
	struct vipc_endpoint *ep, *prev;
	struct vipc_endpoint_key key;
	union vipc_name name;
	long old, dup;
	size_t i;

	for (i = 0; i < b->pol->nr_endpoints; i++) {
		pe = &b->pol->endpoints[i];
		ep = &b->ep[i];
		vipc_endpoint_key_make(&key, &name, b->slot, pe->kind, pe->addr, pe->len);
		old = vipc_table_find(live, &key);
		prev = old >= 0 ? (struct vipc_endpoint *)vipc_table_val(live, old) : NULL;
		if (prev && vipc_name_eq(&prev->name, &name, key.len)) {
			memcpy(ep, prev, sizeof(*ep));
		} else {
			ep->id = b->st->cfg.next_endpoint++;
			ep->generation = 1;
			ep->name = name;
		}
		ep->owner = b->cid[vipc_index_find(&b->containers, pe->owner)];
		ep->flags = pe->nr_views ? VIPC_EP_VIEWS : 0;
		ep->capacity = 0;
		ep->others = pe->others;
		vipc_label_copy(ep->label, pe->name);
	}
	for (i = 0; i < b->pol->nr_channels; i++) {
		ep = &b->ep[vipc_index_find(&b->endpoints, b->pol->channels[i].endpoint)];
		ep->flags |= VIPC_EP_CHANNEL;
		ep->capacity = b->pol->channels[i].capacity;
	}
	for (i = 0; i < b->pol->nr_endpoints; i++) {
		pe = &b->pol->endpoints[i];
		vipc_endpoint_key_make(&key, &name, b->slot, pe->kind, pe->addr, pe->len);
		if (vipc_table_push(t, &key, &b->ep[i]) || put_instances(b, pe, &b->ep[i]))
			return -ENOMEM;
	}

	/* The parser refuses equal addresses: equal keys are names hashing alike. */
	if (vipc_table_sort(t))
		return -ENOMEM;
	dup = vipc_table_dup(t);
	if (dup >= 0)
		return vipc_fail(&b->st->err, -EINVAL,
				 "endpoint %s: its address hashes like another endpoint's; "
				 "choose another", ((struct vipc_endpoint *)vipc_table_val(t, dup))->label);
	return 0;
}

/* Each UNIX endpoint's broker name, sent to its sockets in the new slot. */
static int put_routes(struct build *b)
{
	struct vipc_table *t = &b->idle[T_ROUTES];
	const struct vipc_policy_endpoint *pe;
	struct vipc_endpoint_key key, target;
	struct vipc_route r;
	union vipc_name name;
	size_t i, j;
	long dup;

	for (i = 0; i < b->pol->nr_endpoints; i++) {
		pe = &b->pol->endpoints[i];
		if (!vipc_kind_unix(pe->kind))
			continue;
		vipc_endpoint_key_make(&target, &name, b->slot, pe->kind, pe->addr, pe->len);
		vipc_route_make(&key, &r, &b->ep[i], &target);
		vipc_route_add(&r, pe->kind, pe->addr, pe->len);
		for (j = 0; j < pe->nr_more; j++)
			vipc_route_add(&r, pe->kind, pe->more[j], pe->more_len[j]);
		if (vipc_table_push(t, &key, &r))
			return -ENOMEM;
	}
	if (vipc_table_sort(t))
		return -ENOMEM;
	dup = vipc_table_dup(t);
	if (dup >= 0)
		return vipc_fail(&b->st->err, -EINVAL,
				 "endpoint %.*s: its broker name hashes like another's; choose "
				 "another name", VIPC_LABEL_MAX, ((struct vipc_route *)vipc_table_val(t, dup))->name.bytes + VIPC_BROKER_PREFIX_LEN);
	return 0;
}

/* Each view's socket; its container's grant (connect and send) is put
 * with the other grants.
 */
static int put_views(struct build *b)
{
	const struct vipc_policy_endpoint *pe;
	struct vipc_view_key key = { .slot = b->slot };
	struct vipc_view val;
	size_t i, j;

	for (i = 0; i < b->pol->nr_endpoints; i++) {
		pe = &b->pol->endpoints[i];
		key.endpoint = b->ep[i].id;
		for (j = 0; j < pe->nr_views; j++) {
			memset(&val, 0, sizeof(val));
			val.owner = b->ep[i].owner;
			key.container = b->cid[vipc_index_find(&b->containers,
							       pe->views[j].container)];
			vipc_instance_make(&val.sock, pe->views[j].kind, pe->views[j].addr,
					   pe->views[j].len);
			if (vipc_table_push(&b->idle[T_VIEWS], &key, &val))
				return -ENOMEM;
		}
	}
	return vipc_table_sort(&b->idle[T_VIEWS]) ? -ENOMEM : 0;
}

/* Add @perms for (container, endpoint) to the idle slot's grants. */
static int put_grant(struct build *b, const char *container, const char *endpoint, __u32 perms,
		     __u32 flags)
{
	const struct vipc_endpoint *ep = &b->ep[vipc_index_find(&b->endpoints, endpoint)];
	struct vipc_grant_key key = { .slot = b->slot, .endpoint = ep->id };
	struct vipc_grant val = { .perms = perms, .generation = ep->generation,
				  .endpoint_owner = ep->owner, .flags = flags };

	/* Grants come grouped by container: look its name up once per group. */
	if (b->last_container < 0 || strcmp(b->pol->containers[b->last_container].name, container))
		b->last_container = vipc_index_find(&b->containers, container);
	key.container = b->cid[b->last_container];
	return vipc_table_push(&b->idle[T_GRANTS], &key, &val);
}

/* One grant per (container, endpoint): a sender's channel grant and an
 * explicit grant on the same endpoint merge. The table is sorted.
 */
static void merge_grants(struct vipc_table *t)
{
	struct vipc_grant *g, *last;
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		g = (struct vipc_grant *)vipc_table_val(t, i);
		last = n ? (struct vipc_grant *)vipc_table_val(t, n - 1) : NULL;
		if (last && !vipc_table_cmp(t, vipc_table_key(t, n - 1), vipc_table_key(t, i))) {
			last->perms |= g->perms;
			last->flags |= g->flags;
			continue;
		}
		memmove(vipc_table_key(t, n), vipc_table_key(t, i), t->ksz);
		memmove(vipc_table_val(t, n), g, t->vsz);
		n++;
	}
	t->n = n;
}

static int put_grants_and_channels(struct build *b)
{
	const struct vipc_policy_channel *pc;
	struct vipc_channel_key key;
	struct vipc_channel val;
	size_t i, j;
	int err = 0;

	for (i = 0; i < b->pol->nr_grants && !err; i++)
		err = put_grant(b, b->pol->grants[i].container, b->pol->grants[i].endpoint,
				b->pol->grants[i].perms, 0);
	for (i = 0; i < b->pol->nr_endpoints && !err; i++)
		for (j = 0; j < b->pol->endpoints[i].nr_views && !err; j++)
			err = put_grant(b, b->pol->endpoints[i].views[j].container,
					b->pol->endpoints[i].name, VIPC_PERM_CONNECT | VIPC_PERM_SEND,
					VIPC_GRANT_VIEW);
	for (i = 0; i < b->pol->nr_channels && !err; i++) {
		pc = &b->pol->channels[i];
		memset(&key, 0, sizeof(key));
		key.slot = b->slot;
		vipc_label_copy(key.name, pc->name);
		val = (struct vipc_channel){ .capacity = pc->capacity };
		val.endpoint = b->ep[vipc_index_find(&b->endpoints, pc->endpoint)].id;
		val.receiver = b->cid[vipc_index_find(&b->containers, pc->receiver)];
		err = vipc_table_push(&b->idle[T_CHANNELS], &key, &val);
		for (j = 0; j < pc->nr_senders && !err; j++)
			err = put_grant(b, pc->senders[j], pc->endpoint,
					VIPC_PERM_CONNECT | VIPC_PERM_SEND, VIPC_GRANT_CHANNEL);
	}
	err = err ?: vipc_table_sort(&b->idle[T_GRANTS]) ?: vipc_table_sort(&b->idle[T_CHANNELS]);
	if (!err)
		merge_grants(&b->idle[T_GRANTS]);
	return err;
}

static int table_fd(struct vipc_state *st, int i)
{
	return *vipc_pin_fd(st, i);
}

/* Copy the live slot out, sorted, and index the policy's names. */
static int read_live(struct build *b, __u32 live)
{
	struct vipc_table *p = &b->live[T_CONTAINERS];
	int i, err = 0;

	for (i = 0; i < T__COUNT && !err; i++)
		err = vipc_table_init(&b->live[i], table_fd(b->st, i)) ?:
		      vipc_table_init(&b->idle[i], table_fd(b->st, i)) ?:
		      vipc_table_dump(&b->live[i], live) ?: vipc_table_sort(&b->live[i]);
	return err ?:
	       names_init(&b->live_containers,
			  p->vals + offsetof(struct vipc_container, principal.name), p->vsz, p->n) ?:
	       names_init(&b->containers,
			  (const char *)b->pol->containers + offsetof(struct vipc_policy_container, name),
			  sizeof(*b->pol->containers), b->pol->nr_containers) ?:
	       names_init(&b->endpoints,
			  (const char *)b->pol->endpoints + offsetof(struct vipc_policy_endpoint, name),
			  sizeof(*b->pol->endpoints), b->pol->nr_endpoints);
}

/* Registry counters: what the new slot adds and what the old one loses. */
static void count_changes(struct build *b)
{
	__u64 *added[T__COUNT], *removed[T__COUNT];
	struct vipc_registry_stats *r = b->st->reg;
	int i;

	added[T_PRINCIPALS] = &r->cgroups_bound;
	removed[T_PRINCIPALS] = &r->cgroups_unbound;
	added[T_CONTAINERS] = &r->containers_added;
	removed[T_CONTAINERS] = &r->containers_removed;
	added[T_WATCH] = removed[T_WATCH] = added[T_GLOB] = removed[T_GLOB] = NULL;
	added[T_ROUTES] = removed[T_ROUTES] = added[T_VIEWS] = removed[T_VIEWS] = NULL;
	added[T_ENDPOINTS] = &r->endpoints_created;
	removed[T_ENDPOINTS] = &r->endpoints_destroyed;
	added[T_GRANTS] = &r->grants_issued;
	removed[T_GRANTS] = &r->grants_revoked;
	added[T_CHANNELS] = &r->channels_created;
	removed[T_CHANNELS] = &r->channels_destroyed;
	for (i = 0; i < T__COUNT; i++) {
		if (!added[i])
			continue;
		vipc_reg_add(b->st, added[i], vipc_table_missing(&b->idle[i], &b->live[i]));
		vipc_reg_add(b->st, removed[i], vipc_table_missing(&b->live[i], &b->idle[i]));
	}
	vipc_reg_add(b->st, &r->policy_loads, 1);
}

static int clear_slot_all(struct vipc_state *st, __u32 slot)
{
	int i, e, err = 0;

	for (i = T__COUNT - 1; i >= 0; i--) {
		e = vipc_map_clear_slot(table_fd(st, i), slot);
		if (e && !err)
			err = e;
	}
	return err;
}

/* One batch update per table, @from to @to, into the (cleared) idle slot. */
static int write_idle(struct build *b, int from, int to)
{
	__u32 limit;
	int i;

	for (i = from; i <= to; i++) {
		if (!vipc_table_write(&b->idle[i]))
			continue;
		memcpy(&limit, (char *)&b->st->limits + tables[i].limit, sizeof(limit));
		return vipc_update_err(b->st, tables[i].name, limit, tables[i].opt);
	}
	return 0;
}

static void build_free(struct build *b)
{
	int i;

	for (i = 0; i < T__COUNT; i++) {
		vipc_table_free(&b->live[i]);
		vipc_table_free(&b->idle[i]);
	}
	hdestroy_r(&b->containers);
	hdestroy_r(&b->endpoints);
	hdestroy_r(&b->live_containers);
	free(b->cid);
	free(b->bound);
	free(b->ep);
}

int vipc_apply(struct vipc_state *st, const struct vipc_policy *pol)
{
	struct build b = { .st = st, .pol = pol, .last_container = -1 };
	__u32 old;
	int i, err;

	/* Phase 1: copy the live slot out and build the new one in memory. */
	err = vipc_config_read(st);
	if (err)
		return err;
	old = st->cfg.active_slot;
	b.slot = !old;
	b.cid = calloc(pol->nr_containers + 1, sizeof(*b.cid));
	b.ep = calloc(pol->nr_endpoints + 1, sizeof(*b.ep));
	err = b.cid && b.ep ? 0 : -ENOMEM;
	err = err ?: read_live(&b, old) ?: put_containers(&b) ?: put_endpoints(&b) ?:
		      put_routes(&b) ?: put_views(&b) ?: put_grants_and_channels(&b);
	if (err)
		goto cleanup;

	/* Phase 2: room for the new channels' counts, then fill the idle slot
	 * with batch updates, the containers and the watch before the bindings
	 * of the cgroups that exist; on failure clear it.
	 */
	err = vipc_chan_sweep(st) ?: clear_slot_all(st, b.slot) ?:
	      write_idle(&b, T_CONTAINERS, T_GLOB) ?: put_bindings(&b) ?:
	      write_idle(&b, T_PRINCIPALS, T_PRINCIPALS) ?: write_idle(&b, T_ENDPOINTS, T__COUNT - 1);
	if (err) {
		clear_slot_all(st, b.slot);
		goto cleanup;
	}
	unbind_gone(&b);

	/* Phase 3: flip in one update, with the policy's event rate (only then
	 * count), wait out old readers, clear the old slot and the counters of
	 * what it alone held; (re)start the event flush.
	 */
	st->cfg.active_slot = b.slot;
	st->cfg.events_interval_ns = pol->events_interval_ms * 1000000ULL;
	err = vipc_config_write(st);
	if (err) {
		clear_slot_all(st, b.slot);
		goto cleanup;
	}
	vipc_policy_changed(st);
	count_changes(&b);
	vipc_wait_for_readers();
	for (i = T__COUNT - 1; i > T_PRINCIPALS; i--)
		err = vipc_table_delete(&b.live[i]) ?: err;
	/* The bindings last, with any the kernel made after the copy. */
	err = vipc_map_clear_slot(st->principals_fd, old) ?: err;
	err = vipc_decisions_prune(st) ?: vipc_timers_start(st) ?: err;
cleanup:
	build_free(&b);
	return err;
}
