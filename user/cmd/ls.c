// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* container ls, endpoint ls and channel ls: the live slot's entries as
 * text lines or a JSON array.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binder.h"
#include "broker.h"
#include "cmd.h"
#include "jsonout.h"
#include "names.h"
#include "registry.h"
#include "table.h"
#include "text.h"

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
	if (!err && !vipc_find_cgroot())
		err = vipc_cgroup_paths(vipc_cgmount.path, l->ids, n, ls_path, l);
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
	bool word = c->selector == VIPC_SEL_GLOB || c->selector == VIPC_SEL_DOCKER ||
		    c->selector == VIPC_SEL_PODMAN; /* else a cgroup path */
	char path[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];

	vipc_bytes_format(c->path.bytes, c->path_len < VIPC_CGROUP_PATH_MAX ? c->path_len : 0, path,
			  sizeof(path));
	if (c->selector == VIPC_SEL_PID)
		snprintf(sel, size, "pid %u (%s)", c->pid, path);
	else if (c->selector == VIPC_SEL_ANNOTATIONS)
		annotations_text(c, sel, size);
	else
		snprintf(sel, size, "%s %s", vipc_selector_names[word ? c->selector : VIPC_SEL_CGROUP],
			 path);
}

static int print_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_container *c = val;
	const struct vipc_principal *p = &c->principal;
	struct ls_ctx *l = ctx;
	const char *mode = vipc_mode_names[p->mode == VIPC_MODE_AUDIT];
	const char *unknown = vipc_unknown_names[p->unknown == VIPC_UNKNOWN_DENY];
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	char sel[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX) + 32];
	bool runtime = c->flags & VIPC_CT_SEED;
	json_object *obj;
	int err;

	(void)key;
	vipc_label_format(p->name, name, sizeof(name));
	selector_text(c, sel, sizeof(sel));
	if (!vipc_opt.json) {
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

/* The views of one endpoint: printed, or (--json) added to @list. */
struct views_ctx {
	struct ls_ctx *l;
	__u32 endpoint;
	json_object *list;
};

static int print_view(const void *key, const void *val, void *ctx)
{
	const struct vipc_view_key *k = key;
	const struct vipc_instance *in = &((const struct vipc_view *)val)->sock;
	char addr[VIPC_TEXT_SIZE(VIPC_NAME_MAX)], who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	struct vipc_container_info c;
	struct views_ctx *v = ctx;
	json_object *obj;
	int err;

	if (k->endpoint != v->endpoint || !in->len)
		return 0;
	vipc_addr_format(in->path[0] ? VIPC_KIND_UNIX_PATH : VIPC_KIND_UNIX_ABSTRACT,
			 in->path + !in->path[0], in->len - !in->path[0], addr, sizeof(addr));
	snprintf(who, sizeof(who), "#%u", k->container);
	if (!vipc_container_by_id(v->l->st, k->container, &c))
		vipc_label_format(c.val.principal.name, who, sizeof(who));
	if (!v->list) {
		printf("  view %-16s %s\n", who, addr);
		return 0;
	}
	obj = json_object_new_object();
	err = vipc_json_add_str(obj, "container", who);
	err = err ?: vipc_json_add_str(obj, "socket", addr);
	obj = vipc_json_done(obj, err);
	if (obj && !json_object_array_add(v->list, obj))
		return 0;
	json_object_put(obj);
	return -ENOMEM;
}

/* The views of endpoint @ep (its own row only), after it. */
static int endpoint_views(struct ls_ctx *l, const struct vipc_endpoint *ep, json_object *obj)
{
	struct views_ctx v = { .l = l, .endpoint = ep->id };
	int err;

	if (ep->flags & VIPC_EP_INSTANCE)
		return 0;
	if (obj) {
		v.list = json_object_new_array();
		err = vipc_json_add(obj, "views", v.list);
		if (err)
			return err;
	}
	err = vipc_map_visit(l->st->views_fd, l->st->cfg.active_slot, print_view, &v);
	return err < 0 ? err : 0;
}

static int print_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint_key *k = key;
	const struct vipc_endpoint *ep = val;
	char addr[VIPC_TEXT_SIZE(VIPC_NAME_MAX)], owner[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	char name[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	bool channel = ep->flags & VIPC_EP_CHANNEL, instance = ep->flags & VIPC_EP_INSTANCE;
	struct vipc_container_info c;
	struct ls_ctx *l = ctx;
	__s64 bound = vipc_bound_read(l->st, k); /* -1 for a port: never counted */
	json_object *obj;
	int err;

	vipc_addr_format(k->kind, ep->name.bytes, k->len, addr, sizeof(addr));
	vipc_label_format(ep->label, name, sizeof(name));
	snprintf(owner, sizeof(owner), "#%u", ep->owner);
	if (!vipc_container_by_id(l->st, ep->owner, &c))
		vipc_label_format(c.val.principal.name, owner, sizeof(owner));
	if (!vipc_opt.json) {
		printf("%-20s id %-5u owner %-16s gen %-4u others %-5s %s%s%s%s\n", name, ep->id,
		       owner, ep->generation, vipc_others_str(ep->others), addr,
		       channel ? " (channel)" : "", instance ? " (instance)" : "",
		       bound ? "" : " (no socket)");
		return endpoint_views(l, ep, NULL);
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
	err = err ?: vipc_json_add(obj, "instance", json_object_new_boolean(instance));
	err = err ?: bound < 0 ? vipc_json_add_null(obj, "bound") :
				 vipc_json_add_u64(obj, "bound", bound);
	err = err ?: endpoint_views(l, ep, obj);
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
	if (!vipc_opt.json) {
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

	ret = vipc_open_state(&st, false);
	if (ret)
		return ret;
	err = vipc_table_init(&l.bindings, st.principals_fd);
	if (!err && fn == print_container)
		err = vipc_table_dump(&l.bindings, st.cfg.active_slot) ?:
		      vipc_table_sort(&l.bindings) ?: ls_paths(&l);
	if (!err && vipc_opt.json && !(l.list = json_object_new_array()))
		err = -ENOMEM;
	if (!err)
		err = vipc_map_visit(*(int *)((char *)&st + fd_off), st.cfg.active_slot, fn, &l);
	if (vipc_opt.json && err >= 0)
		err = vipc_json_print(l.list);
	else
		json_object_put(l.list);
	vipc_table_free(&l.bindings);
	free(l.ids);
	free(l.paths);
	vipc_state_close(&st);
	return err < 0 ? vipc_report(NULL, err, "listing") : 0;
}

/* `container ls`, `endpoint ls` or `channel ls`. */
int cmd_ls(char **argv)
{
	enum vipc_cmd cmd = vipc_opt.cmd;

	(void)argv;
	if (cmd == VIPC_CMD_CONTAINER)
		return list(offsetof(struct vipc_state, containers_fd), print_container);
	if (cmd == VIPC_CMD_ENDPOINT)
		return list(offsetof(struct vipc_state, endpoints_fd), print_endpoint);
	return list(offsetof(struct vipc_state, channels_fd), print_channel);
}
