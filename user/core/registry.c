// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Registry operations on the pinned maps. Single-entry changes go to the
 * live slot; a whole policy is built in the idle slot and swapped in.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include "registry.h"
#include "broker.h"
#include "decisions.h"
#include "inet.h"
#include "vipc_decide.h"
#include "vipc_name.h"
#include "table.h"

/* Delete every entry of @fd in @slot. */
int vipc_map_clear_slot(int fd, __u32 slot)
{
	struct vipc_table t;
	int err;

	err = vipc_table_init(&t, fd) ?: vipc_table_dump(&t, slot) ?: vipc_table_delete(&t);
	vipc_table_free(&t);
	return err;
}

void vipc_reg_add(struct vipc_state *st, __u64 *counter, long n)
{
	(void)st;
	if (n > 0)
		__atomic_fetch_add(counter, (__u64)n, __ATOMIC_RELAXED);
}

/* After every write to the live policy: the kernel's remembered verdicts
 * (made under the old count) no longer hold.
 */
void vipc_policy_changed(struct vipc_state *st)
{
	__atomic_fetch_add(&st->reg->policy_changes, 1, __ATOMIC_SEQ_CST);
}

/* Every BPF program runs inside an RCU read section: once a grace period
 * has passed, none that began before it still runs.
 */
void vipc_wait_for_readers(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(100 * 1000);
}

/* Update or delete an entry of the live slot. */
static int live_put(struct vipc_state *st, int fd, const void *key, const void *val, __u64 flags)
{
	int err = bpf_map_update_elem(fd, key, val, flags);

	vipc_policy_changed(st);
	return err;
}

static int live_delete(struct vipc_state *st, int fd, const void *key)
{
	int err = bpf_map_delete_elem(fd, key);

	vipc_policy_changed(st);
	return err;
}

/* Insert or update in the live slot, whose share of the map is @limit:
 * the rest stays free for the next policy, built in the idle slot. Fails
 * with E2BIG in errno, as a full map would.
 */
static int live_update(struct vipc_state *st, int fd, const void *key, const void *val,
		       __u64 flags, __u32 limit)
{
	union {
		struct vipc_container ct;
		struct vipc_principal p;
		struct vipc_endpoint e;
		struct vipc_route r;
		struct vipc_grant g;
		struct vipc_channel c;
	} old;

	if (bpf_map_lookup_elem(fd, key, &old) && vipc_map_count(fd, st->cfg.active_slot) >= limit) {
		errno = E2BIG;
		return -1;
	}
	return live_put(st, fd, key, val, flags);
}

/* Map an update failure to the registry's errors. */
int vipc_update_err(struct vipc_state *st, const char *table, __u32 limit, const char *opt)
{
	int err = -errno;

	(void)st;
	if (err == -E2BIG || err == -ENOMEM || err == -ENOSPC)
		return vipc_fail(&st->err, -E2BIG,
				 "the %s table is full (%u per slot); raise it with %s", table,
			    limit, opt);
	return vipc_fail(&st->err, err, "updating %s: %s", table, strerror(-err));
}

/* ---- containers ---- */

struct find_ctx {
	const char *name;
	__u32 id;
	void *out;
};

static int match_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_container *c = val;
	struct find_ctx *f = ctx;
	struct vipc_container_info *out = f->out;

	if (strncmp(c->principal.name, f->name, VIPC_LABEL_MAX))
		return 0;
	memcpy(&out->key, key, sizeof(out->key));
	out->val = *c;
	return 1;
}

/* -ENOENT without a message: callers that report it name what is missing. */
static int find_container(struct vipc_state *st, struct find_ctx *f)
{
	int ret;

	memset(f->out, 0, sizeof(struct vipc_container_info));
	ret = vipc_map_visit(st->containers_fd, st->cfg.active_slot, match_container, f);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ENOENT;
}

int vipc_container_find(struct vipc_state *st, const char *name, struct vipc_container_info *out)
{
	struct find_ctx f = { .name = name, .out = out };
	int err = find_container(st, &f);

	return err == -ENOENT ? vipc_fail(&st->err, err, "no container %s", name) : err;
}

int vipc_container_by_id(struct vipc_state *st, __u32 id, struct vipc_container_info *out)
{
	int err;

	/* A direct lookup in the live slot, again when a reload moved it;
	 * -ENOENT without a message (display paths ignore it).
	 */
	do {
		out->key = (struct vipc_container_key){ .slot = st->cfg.active_slot, .id = id };
		err = bpf_map_lookup_elem(st->containers_fd, &out->key, &out->val) ? -errno : 0;
	} while (err == -ENOENT && vipc_slot_moved(st));
	return err;
}

void vipc_label_copy(char dst[VIPC_LABEL_MAX], const char *src)
{
	size_t n = strnlen(src, VIPC_LABEL_MAX - 1);

	memset(dst, 0, VIPC_LABEL_MAX);
	memcpy(dst, src, n);
}

int vipc_check_label(struct vipc_state *st, const char *what, const char *name)
{
	if (!name[0] || strlen(name) >= VIPC_LABEL_MAX)
		return vipc_fail(&st->err, -EINVAL, "%s name must be 1 to %d bytes", what,
				 VIPC_LABEL_MAX - 1);
	return 0;
}

void vipc_container_make(struct vipc_container *out, const struct vipc_policy_container *c,
			 __u32 id, __u32 flags)
{
	memset(out, 0, sizeof(*out));
	out->principal = (struct vipc_principal){ .id = id, .mode = c->mode,
						  .unknown = c->unknown };
	vipc_label_copy(out->principal.name, c->name);
	out->flags = flags;
	out->selector = c->runtime ?: c->pid ? VIPC_SEL_PID : c->glob ? VIPC_SEL_GLOB :
									 VIPC_SEL_CGROUP;
	out->pid = c->pid;
	if (c->runtime) {
		out->path_len = c->match_len;
		memcpy(out->path.bytes, c->match, c->match_len);
		return;
	}
	out->path_len = strnlen(c->path, sizeof(out->path.bytes) - 1);
	memcpy(out->path.bytes, c->path, out->path_len);
}

int vipc_container_add(struct vipc_state *st, const char *name,
		       const struct vipc_policy_container *c)
{
	struct vipc_principal_key key = { .cgroup_id = c->cgroup_id, .slot = st->cfg.active_slot };
	struct vipc_container_key ckey = { .slot = st->cfg.active_slot };
	struct vipc_container_info old;
	struct find_ctx f;
	struct vipc_container val;
	int err;

	/* Phase 1: the name and the cgroup must both be free. */
	err = vipc_check_label(st, "container", name);
	if (err)
		return err;
	f = (struct find_ctx){ .name = name, .out = &old };
	err = find_container(st, &f);
	if (err != -ENOENT)
		return err ?: vipc_fail(&st->err, -EEXIST, "container %s is already registered",
					name);
	if (!bpf_map_lookup_elem(st->principals_fd, &key, &old.val.principal))
		return vipc_fail(&st->err, -EEXIST,
				 "that cgroup is already registered as container %s",
			    old.val.principal.name);

	/* Phase 2: allocate an id, insert the container, then bind its cgroup. */
	err = vipc_config_read(st);
	if (err)
		return err;
	ckey.id = st->cfg.next_container++;
	vipc_container_make(&val, c, ckey.id, VIPC_CT_SEED);
	vipc_label_copy(val.principal.name, name);
	if (live_update(st, st->containers_fd, &ckey, &val, BPF_NOEXIST, st->limits.principals))
		return vipc_update_err(st, "containers", st->limits.principals, "--max-containers");
	if (live_update(st, st->principals_fd, &key, &val.principal, BPF_NOEXIST,
			st->limits.principals)) {
		err = vipc_update_err(st, "bindings", st->limits.principals, "--max-containers");
		live_delete(st, st->containers_fd, &ckey);
		return err;
	}
	err = vipc_config_write(st);
	if (!err) {
		vipc_reg_add(st, &st->reg->containers_added, 1);
		vipc_reg_add(st, &st->reg->cgroups_bound, 1);
	}
	return err;
}

/* The in-kernel sweep removes the container and all it owns and holds. */
int vipc_run_remove(struct vipc_state *st, __u32 container, __u32 slot)
{
	struct vipc_remove_args args = { .container = container, .slot = slot };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(st->remove_prog_fd, &opts))
		return vipc_fail(&st->err, -errno, "running the cleanup program: %s",
				 strerror(errno));
	return 0;
}

int vipc_container_rm(struct vipc_state *st, const char *name)
{
	struct vipc_container_info c;
	int err;

	err = vipc_container_find(st, name, &c);
	if (err)
		return err;
	return vipc_run_remove(st, c.val.principal.id, st->cfg.active_slot);
}

/* ---- endpoints ---- */

static int match_endpoint(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint *ep = val;
	struct find_ctx *f = ctx;
	struct vipc_endpoint_info *out = f->out;

	if ((ep->flags & VIPC_EP_INSTANCE) ||
	    (f->name ? strncmp(ep->label, f->name, VIPC_LABEL_MAX) : ep->id != f->id))
		return 0;
	memcpy(&out->key, key, sizeof(out->key));
	out->val = *ep;
	return 1;
}

/* -ENOENT without a message, as find_container(). */
static int find_endpoint(struct vipc_state *st, struct find_ctx *f)
{
	int ret = vipc_map_visit(st->endpoints_fd, st->cfg.active_slot, match_endpoint, f);

	if (ret < 0)
		return ret;
	return ret ? 0 : -ENOENT;
}

/* By label or by address; -ENOENT without a message. */
static int lookup_endpoint(struct vipc_state *st, const char *name, struct vipc_endpoint_info *out)
{
	struct find_ctx f = { .name = name, .out = out };
	char addr[VIPC_NAME_MAX];
	union vipc_name exact;
	__u8 kind, len;

	if (name[0] != '/' && name[0] != '@' && !vipc_addr_is_inet(name) && !vipc_addr_is_file(name))
		return find_endpoint(st, &f);
	if (vipc_addr_parse(name, &kind, addr, &len) < 0)
		return vipc_fail(&st->err, -EINVAL, "bad endpoint address %s", name);
	vipc_endpoint_key_make(&out->key, &exact, st->cfg.active_slot, kind, addr, len);
	if (bpf_map_lookup_elem(st->endpoints_fd, &out->key, &out->val) ||
	    !vipc_name_eq(&out->val.name, &exact, out->key.len))
		return -ENOENT;
	return 0;
}

int vipc_endpoint_find(struct vipc_state *st, const char *name, struct vipc_endpoint_info *out)
{
	int err = lookup_endpoint(st, name, out);

	return err == -ENOENT ? vipc_fail(&st->err, err, "no endpoint %s", name) : err;
}

int vipc_endpoint_by_id(struct vipc_state *st, __u32 id, struct vipc_endpoint_info *out)
{
	struct find_ctx f = { .id = id, .out = out };

	return find_endpoint(st, &f);
}

/* The broker name of endpoint @ep (row @key, socket @addr), live; on
 * failure the endpoint goes again. Only a UNIX socket has a broker name.
 */
static int put_route(struct vipc_state *st, const struct vipc_endpoint_key *key,
		     const struct vipc_endpoint *ep, __u8 kind, const char *addr, __u8 len)
{
	struct vipc_endpoint_key rkey;
	struct vipc_route r;
	int err;

	if (!vipc_kind_unix(kind))
		return 0;
	vipc_route_make(&rkey, &r, ep, key);
	vipc_route_add(&r, kind, addr, len);
	if (!live_update(st, st->routes_fd, &rkey, &r, BPF_NOEXIST, st->limits.endpoints))
		return 0;
	err = vipc_update_err(st, "routes", st->limits.endpoints, "--max-endpoints");
	live_delete(st, st->endpoints_fd, key);
	return err;
}

/* Views of one endpoint, deleted from @fd. */
struct views_ctx {
	int fd;
	__u32 endpoint;
};

static int drop_view(const void *key, const void *val, void *ctx)
{
	const struct vipc_view_key *k = key;
	const struct views_ctx *v = ctx;

	(void)val;
	if (k->endpoint == v->endpoint)
		bpf_map_delete_elem(v->fd, k);
	return 0;
}

/* The broker name of endpoint @ep (row @key) goes, and its views. */
static void drop_route(struct vipc_state *st, const struct vipc_endpoint_key *key,
		       const struct vipc_endpoint *ep)
{
	struct views_ctx views = { .fd = st->views_fd, .endpoint = ep->id };
	struct vipc_endpoint_key rkey;
	struct vipc_route r;

	vipc_route_make(&rkey, &r, ep, key);
	live_delete(st, st->routes_fd, &rkey);
	vipc_map_visit(st->views_fd, st->cfg.active_slot, drop_view, &views);
}

int vipc_endpoint_add(struct vipc_state *st, const char *name, const char *owner,
		      const char *addr, __u8 others)
{
	struct vipc_endpoint_info old;
	struct vipc_container_info c;
	struct vipc_endpoint_key key;
	struct vipc_endpoint val = { .generation = 1, .others = others };
	char bytes[VIPC_NAME_MAX];
	__u8 kind, len;
	int err;

	/* Phase 1: name free, owner known, address valid and free. */
	err = vipc_check_label(st, "endpoint", name);
	if (err)
		return err;
	err = vipc_addr_parse(addr, &kind, bytes, &len);
	if (err < 0)
		return vipc_fail(&st->err, -EINVAL,
				 "bad address %s: expected /path or @abstract (at most %d bytes), "
				 "tcp:ADDR:PORT, udp:ADDR:PORT, mqueue:/NAME or fifo:/PATH (a FIFO that "
				 "exists)", addr, VIPC_NAME_MAX);
	if (err)
		return vipc_fail(&st->err, -EINVAL, "%s is not in normal form: write %.*s", addr,
				 len, bytes);
	if (vipc_addr_reserved(kind, bytes, len))
		return vipc_fail(&st->err, -EINVAL, "%s is the broker's: names under @%s reach the "
				 "endpoints by their names", addr, VIPC_BROKER_PREFIX);
	err = lookup_endpoint(st, name, &old);
	if (err != -ENOENT)
		return err ?: vipc_fail(&st->err, -EEXIST, "endpoint %s is already registered",
					name);
	err = vipc_container_find(st, owner, &c);
	if (err)
		return err;
	vipc_endpoint_key_make(&key, &val.name, st->cfg.active_slot, kind, bytes, len);
	if (!bpf_map_lookup_elem(st->endpoints_fd, &key, &old.val))
		return vipc_fail(&st->err, -EEXIST, vipc_name_eq(&old.val.name, &val.name,
								 key.len) ?
				 "%s is already registered as endpoint %s" :
				 "%s hashes like the address of endpoint %s: choose another",
				 addr, old.val.label);

	/* Phase 2: allocate an id and insert. */
	err = vipc_config_read(st);
	if (err)
		return err;
	val.id = st->cfg.next_endpoint++;
	val.owner = c.val.principal.id;
	vipc_label_copy(val.label, name);
	if (live_update(st, st->endpoints_fd, &key, &val, BPF_NOEXIST, st->limits.endpoints))
		return vipc_update_err(st, "endpoints", st->limits.endpoints, "--max-endpoints");
	err = put_route(st, &key, &val, kind, bytes, len) ?: vipc_config_write(st);
	if (!err)
		vipc_reg_add(st, &st->reg->endpoints_created, 1);
	return err;
}

/* Rows of one endpoint (its instances'), rewritten or deleted. */
struct rows_ctx {
	struct vipc_state *st;
	__u32 endpoint;
	__u32 generation; /* the new one; 0: delete the rows */
	int err;
};

static int instance_row(const void *key, const void *val, void *ctx)
{
	struct vipc_endpoint row = *(const struct vipc_endpoint *)val;
	struct rows_ctx *r = ctx;

	if (row.id != r->endpoint || !(row.flags & VIPC_EP_INSTANCE))
		return 0;
	row.generation = r->generation;
	if (r->generation ? live_put(r->st, r->st->endpoints_fd, key, &row, BPF_EXIST) :
			    live_delete(r->st, r->st->endpoints_fd, key))
		r->err = r->err ?: -errno;
	return 0;
}

/* Set the generation of endpoint @id's instance rows (0: delete them). */
static int instance_rows(struct vipc_state *st, __u32 id, __u32 generation)
{
	struct rows_ctx r = { .st = st, .endpoint = id, .generation = generation };
	int err = vipc_map_visit(st->endpoints_fd, st->cfg.active_slot, instance_row, &r);

	return err < 0 ? err : r.err;
}

struct sweep_ctx {
	struct vipc_state *st;
	int fd;
	__u32 endpoint;
	__u32 flags; /* grant flags required, 0 = any */
	long n;
};

static int sweep_grant(const void *key, const void *val, void *ctx)
{
	const struct vipc_grant_key *k = key;
	const struct vipc_grant *g = val;
	struct sweep_ctx *s = ctx;

	if (k->endpoint != s->endpoint || (s->flags && !(g->flags & s->flags)))
		return 0;
	if (!live_delete(s->st, s->fd, k))
		s->n++;
	return 0;
}

/* Delete the grants on an endpoint (only channel grants when @flags). */
static long drop_grants(struct vipc_state *st, __u32 endpoint, __u32 flags)
{
	struct sweep_ctx s = { .st = st, .fd = st->grants_fd, .endpoint = endpoint, .flags = flags };
	int err = vipc_map_visit(st->grants_fd, st->cfg.active_slot, sweep_grant, &s);

	return err < 0 ? err : s.n;
}

static int match_channel_ep(const void *key, const void *val, void *ctx)
{
	const struct vipc_channel *ch = val;
	struct sweep_ctx *s = ctx;

	if (ch->endpoint != s->endpoint)
		return 0;
	if (!live_delete(s->st, s->fd, key))
		s->n++;
	return 0;
}

int vipc_endpoint_rm(struct vipc_state *st, const char *name, const char *owner)
{
	struct sweep_ctx s = { .st = st, .fd = st->channels_fd };
	struct vipc_endpoint_info ep;
	struct vipc_container_info c;
	long grants;
	int err;

	/* Phase 1: only the owner may remove it. */
	err = vipc_endpoint_find(st, name, &ep);
	if (!err)
		err = vipc_container_find(st, owner, &c);
	if (err)
		return err;
	if (ep.val.owner != c.val.principal.id)
		return vipc_fail(&st->err, -EACCES, "container %s does not own endpoint %s", owner,
				 name);

	/* Phase 2: the endpoint first (no new admissions), then what hangs on it. */
	if (live_delete(st, st->endpoints_fd, &ep.key))
		return vipc_fail(&st->err, -errno, "removing endpoint %s: %s", name,
				 strerror(errno));
	drop_route(st, &ep.key, &ep.val);
	instance_rows(st, ep.val.id, 0);
	grants = drop_grants(st, ep.val.id, 0);
	s.endpoint = ep.val.id;
	vipc_map_visit(st->channels_fd, st->cfg.active_slot, match_channel_ep, &s);
	vipc_reg_add(st, &st->reg->endpoints_destroyed, 1);
	vipc_reg_add(st, &st->reg->grants_revoked, grants);
	vipc_reg_add(st, &st->reg->channels_destroyed, s.n);

	/* Phase 3: its decision counters, once no program still counts on it. */
	vipc_wait_for_readers();
	err = vipc_decisions_prune(st);
	return grants < 0 ? (int)grants : err;
}

/* ---- grants ---- */

static int grant_pair(struct vipc_state *st, const char *container, const char *endpoint,
		      struct vipc_grant_key *key, struct vipc_endpoint_info *ep)
{
	struct vipc_container_info c;
	int err;

	err = vipc_container_find(st, container, &c);
	if (!err)
		err = vipc_endpoint_find(st, endpoint, ep);
	if (err)
		return err;
	memset(key, 0, sizeof(*key));
	key->slot = st->cfg.active_slot;
	key->container = c.val.principal.id;
	key->endpoint = ep->val.id;
	return 0;
}

int vipc_grant_set(struct vipc_state *st, const char *container, const char *endpoint,
		   __u32 perms)
{
	struct vipc_endpoint_info ep;
	struct vipc_grant_key key;
	struct vipc_grant val = {};
	int err;

	err = grant_pair(st, container, endpoint, &key, &ep);
	if (err)
		return err;
	if (!perms || perms & ~VIPC_PERM_ALL)
		return vipc_fail(&st->err, -EINVAL, "no valid permission given");
	if (perms & ~vipc_kind_perms(ep.key.kind))
		return vipc_fail(&st->err, -EINVAL, "endpoint %s is a %s endpoint: %s only", endpoint,
				 vipc_kind_key(ep.key.kind), vipc_kind_perms_text(ep.key.kind));
	val.perms = perms;
	val.generation = ep.val.generation;
	val.endpoint_owner = ep.val.owner;
	if (live_update(st, st->grants_fd, &key, &val, BPF_ANY, st->limits.grants))
		return vipc_update_err(st, "grants", st->limits.grants, "--max-grants");
	vipc_reg_add(st, &st->reg->grants_issued, 1);
	return 0;
}

int vipc_grant_revoke(struct vipc_state *st, const char *container, const char *endpoint)
{
	struct vipc_endpoint_info ep;
	struct vipc_grant_key key;
	int err;

	err = grant_pair(st, container, endpoint, &key, &ep);
	if (err)
		return err;
	if (live_delete(st, st->grants_fd, &key))
		return vipc_fail(&st->err, -ENOENT, "container %s holds no grant on %s", container,
				 endpoint);
	vipc_reg_add(st, &st->reg->grants_revoked, 1);
	return 0;
}

struct live_ctx {
	__u32 endpoint;
	__u32 generation;
	long n;
};

static int count_live(const void *key, const void *val, void *ctx)
{
	const struct vipc_grant_key *k = key;
	const struct vipc_grant *g = val;
	struct live_ctx *l = ctx;

	if (k->endpoint == l->endpoint && g->generation == l->generation)
		l->n++;
	return 0;
}

int vipc_endpoint_bump(struct vipc_state *st, struct vipc_endpoint_info *ep)
{
	ep->val.generation++;
	if (live_put(st, st->endpoints_fd, &ep->key, &ep->val, BPF_EXIST) ||
	    instance_rows(st, ep->val.id, ep->val.generation))
		return vipc_fail(&st->err, -errno, "bumping generation of %s: %s", ep->val.label,
				 strerror(errno));
	vipc_reg_add(st, &st->reg->generation_bumps, 1);
	return 0;
}

int vipc_endpoint_revoke(struct vipc_state *st, const char *endpoint, __u32 *killed)
{
	struct vipc_endpoint_info ep;
	struct live_ctx l;
	int err;

	/* Phase 1: one increment kills every grant issued before it. */
	err = vipc_endpoint_find(st, endpoint, &ep);
	if (!err)
		err = vipc_endpoint_bump(st, &ep);
	if (err)
		return err;

	/* Phase 2: count the dead for the report, once they are dead. */
	l = (struct live_ctx){ .endpoint = ep.val.id, .generation = ep.val.generation - 1 };
	vipc_map_visit(st->grants_fd, st->cfg.active_slot, count_live, &l);
	vipc_reg_add(st, &st->reg->grants_revoked, l.n);
	*killed = l.n;
	return 0;
}

/* ---- channels ---- */

static void channel_key(struct vipc_channel_key *key, __u32 slot, const char *name)
{
	memset(key, 0, sizeof(*key));
	key->slot = slot;
	vipc_label_copy(key->name, name);
}

static int channel_grant(struct vipc_state *st, const char *sender, struct vipc_endpoint_info *ep)
{
	struct vipc_container_info c;
	struct vipc_grant_key key = { .slot = st->cfg.active_slot, .endpoint = ep->val.id };
	struct vipc_grant val = {};
	int err;

	err = vipc_container_find(st, sender, &c);
	if (err)
		return err;
	key.container = c.val.principal.id;
	bpf_map_lookup_elem(st->grants_fd, &key, &val);
	val.perms |= VIPC_PERM_CONNECT | VIPC_PERM_SEND;
	val.generation = ep->val.generation;
	val.endpoint_owner = ep->val.owner;
	val.flags |= VIPC_GRANT_CHANNEL;
	if (live_update(st, st->grants_fd, &key, &val, BPF_ANY, st->limits.grants))
		return vipc_update_err(st, "grants", st->limits.grants, "--max-grants");
	vipc_reg_add(st, &st->reg->grants_issued, 1);
	return 0;
}

int vipc_channel_add(struct vipc_state *st, const char *name, const char *endpoint,
		     char senders[][VIPC_LABEL_MAX], size_t nr_senders, __u32 capacity)
{
	struct vipc_channel_key key;
	struct vipc_channel val = { .capacity = capacity }, old;
	struct vipc_endpoint_info ep;
	struct vipc_container_info c;
	size_t i;
	int err;

	/* Phase 1: name free, endpoint known and not already a channel's; room
	 * for its count.
	 */
	err = vipc_check_label(st, "channel", name) ?: vipc_chan_sweep(st);
	if (!err)
		err = vipc_endpoint_find(st, endpoint, &ep);
	if (err)
		return err;
	channel_key(&key, st->cfg.active_slot, name);
	if (!bpf_map_lookup_elem(st->channels_fd, &key, &old))
		return vipc_fail(&st->err, -EEXIST, "channel %s already exists", name);
	if (ep.val.flags & VIPC_EP_CHANNEL)
		return vipc_fail(&st->err, -EEXIST, "endpoint %s already carries a channel",
				 endpoint);
	if (!vipc_kind_unix(ep.key.kind))
		return vipc_fail(&st->err, -EINVAL, "endpoint %s is a %s endpoint: channels carry "
				 "UNIX sockets", endpoint, vipc_kind_key(ep.key.kind));
	for (i = 0; i < nr_senders; i++) {
		err = vipc_container_find(st, senders[i], &c);
		if (err)
			return err;
	}

	/* Phase 2: the record, the endpoint flag, then the senders' grants. */
	val.endpoint = ep.val.id;
	val.receiver = ep.val.owner;
	if (live_update(st, st->channels_fd, &key, &val, BPF_NOEXIST, st->limits.channels))
		return vipc_update_err(st, "channels", st->limits.channels, "--max-channels");
	ep.val.flags |= VIPC_EP_CHANNEL;
	ep.val.capacity = capacity;
	live_put(st, st->endpoints_fd, &ep.key, &ep.val, BPF_EXIST);
	vipc_reg_add(st, &st->reg->channels_created, 1);
	for (i = 0; i < nr_senders && !err; i++)
		err = channel_grant(st, senders[i], &ep);
	return err;
}

int vipc_channel_rm(struct vipc_state *st, const char *name)
{
	struct vipc_channel_key key;
	struct vipc_endpoint_info ep;
	struct vipc_channel ch;
	long grants = 0;

	channel_key(&key, st->cfg.active_slot, name);
	if (bpf_map_lookup_elem(st->channels_fd, &key, &ch))
		return vipc_fail(&st->err, -ENOENT, "no channel %s", name);
	if (live_delete(st, st->channels_fd, &key))
		return vipc_fail(&st->err, -errno, "removing channel %s: %s", name,
				 strerror(errno));
	if (!vipc_endpoint_by_id(st, ch.endpoint, &ep)) {
		ep.val.flags &= ~VIPC_EP_CHANNEL;
		ep.val.capacity = 0;
		live_put(st, st->endpoints_fd, &ep.key, &ep.val, BPF_EXIST);
		grants = drop_grants(st, ch.endpoint, VIPC_GRANT_CHANNEL);
	}
	vipc_reg_add(st, &st->reg->channels_destroyed, 1);
	vipc_reg_add(st, &st->reg->grants_revoked, grants);
	return 0;
}

/* ---- channel connection counts (LSM backend) ---- */

static int cmp_id(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The ids of the endpoints that are a channel's in some slot, sorted. */
static int channel_ids(struct vipc_state *st, __u32 **ids, size_t *n)
{
	const struct vipc_endpoint *ep;
	struct vipc_table t;
	size_t i;
	int err;

	*n = 0;
	err = vipc_table_init(&t, st->endpoints_fd) ?: vipc_table_dump(&t, -1);
	*ids = err ? NULL : calloc(t.n + 1, sizeof(**ids));
	if (!err && !*ids)
		err = -ENOMEM;
	for (i = 0; !err && i < t.n; i++) {
		ep = (const struct vipc_endpoint *)vipc_table_val(&t, i);
		if (ep->flags & VIPC_EP_CHANNEL)
			(*ids)[(*n)++] = ep->id;
	}
	vipc_table_free(&t);
	if (!err)
		qsort(*ids, *n, sizeof(**ids), cmp_id);
	return err;
}

/* Keep in @live (a dump of vipc_chan_live) only the counts at zero of
 * endpoints not among the @n @ids: how many.
 */
static size_t keep_released(struct vipc_table *live, const __u32 *ids, size_t n)
{
	size_t i, k = 0;
	__s64 count;

	for (i = 0; i < live->n; i++) {
		memcpy(&count, vipc_table_val(live, i), sizeof(count));
		if (count || bsearch(vipc_table_key(live, i), ids, n, sizeof(*ids), cmp_id))
			continue;
		memmove(vipc_table_key(live, k), vipc_table_key(live, i), live->ksz);
		memmove(vipc_table_val(live, k), vipc_table_val(live, i), live->vsz);
		k++;
	}
	return live->n = k;
}

/* An admit holds its endpoint's count between its lookup and its
 * increment, a deleted entry would lose that increment: delete only counts
 * of endpoints that were no channel's when the grace period began (no new
 * admit finds them, the lock keeps them so), read again after it.
 */
int vipc_chan_sweep(struct vipc_state *st)
{
	struct vipc_table live = { .fd = -1 };
	char path[PATH_MAX];
	__u32 *ids = NULL;
	int fd, err, pass;
	size_t n;

	snprintf(path, sizeof(path), "%s/vipc_chan_live", st->dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = channel_ids(st, &ids, &n);
	/* Pass 0: anything to release? Pass 1, after the grace period: release it. */
	for (pass = 0; !err && pass < 2; pass++) {
		vipc_table_free(&live);
		err = vipc_table_init(&live, fd) ?: vipc_table_dump(&live, -1);
		if (err || !keep_released(&live, ids, n))
			break;
		if (!pass)
			vipc_wait_for_readers();
		else
			err = vipc_table_delete(&live);
	}
	vipc_table_free(&live);
	free(ids);
	close(fd);
	return err;
}

/* ---- decision ---- */

/* The decision for @caller (NULL: no container holds it) on @endpoint, in
 * the kernel's order: endpoint, then grant.
 */
static int check_as(struct vipc_state *st, const struct vipc_principal *caller,
		    const char *endpoint, __u32 perm, enum vipc_reason *reason, bool *allowed)
{
	struct vipc_endpoint_info ep;
	struct vipc_grant_key gkey;
	struct vipc_grant grant;
	const struct vipc_endpoint *epp = NULL;
	const struct vipc_grant *gp = NULL;
	int err;

	err = lookup_endpoint(st, endpoint, &ep);
	if (err && err != -ENOENT)
		return err;
	epp = err ? NULL : &ep.val;
	if (vipc_needs_grant(caller, epp)) {
		gkey = (struct vipc_grant_key){ .slot = st->cfg.active_slot,
						.container = caller->id,
						.endpoint = epp->id };
		if (!bpf_map_lookup_elem(st->grants_fd, &gkey, &grant))
			gp = &grant;
	}
	*reason = vipc_decide(caller, epp, gp, perm);
	*allowed = vipc_verdict_allows(caller, epp, *reason, perm);
	return 0;
}

int vipc_check(struct vipc_state *st, const char *container, const char *endpoint, __u32 perm,
	       enum vipc_reason *reason, bool *allowed)
{
	struct vipc_container_info c;
	int err;

	err = vipc_container_find(st, container, &c);
	return err ?: check_as(st, &c.val.principal, endpoint, perm, reason, allowed);
}

/* The binding of the cgroup at @path (within the hierarchy mounted at
 * @cgroot), else of its nearest bound ancestor, as the kernel finds it:
 * 1 with *@out, 0 when none is bound, -ENOENT when @path is no cgroup.
 */
static int principal_at(struct vipc_state *st, const char *cgroot, const char *path,
			struct vipc_principal *out)
{
	struct vipc_principal_key key = { .slot = st->cfg.active_slot };
	size_t root = strlen(cgroot);
	char dir[PATH_MAX], *cut;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s%s", cgroot, path);
	for (;;) {
		if (stat(dir, &sb) || !S_ISDIR(sb.st_mode))
			return vipc_fail(&st->err, -ENOENT, "no cgroup %s", dir);
		key.cgroup_id = sb.st_ino;
		if (!bpf_map_lookup_elem(st->principals_fd, &key, out))
			return 1;
		cut = strrchr(dir + root, '/');
		if (!cut)
			return 0; /* the root: no ancestor left */
		*cut = 0;
	}
}

int vipc_check_cgroup(struct vipc_state *st, const char *cgroot, const char *path,
		      const char *endpoint, __u32 perm, struct vipc_check_result *out)
{
	int found = principal_at(st, cgroot, path, &out->caller);

	if (found < 0)
		return found;
	out->contained = found;
	return check_as(st, found ? &out->caller : NULL, endpoint, perm, &out->reason,
			&out->allowed);
}

static int count_others(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint *ep = val;
	long *n = ctx;

	(void)key;
	if (ep->others < VIPC_OTHERS__COUNT && !(ep->flags & VIPC_EP_INSTANCE))
		n[ep->others]++;
	return 0;
}

void vipc_others_count(const struct vipc_state *st, long n[VIPC_OTHERS__COUNT])
{
	memset(n, 0, VIPC_OTHERS__COUNT * sizeof(*n));
	vipc_map_visit(st->endpoints_fd, st->cfg.active_slot, count_others, n);
}

/* The labels of endpoints no attached backend enforces, as they are met. */
struct unenforced {
	__u32 backends;
	char *buf;
	size_t size, at, n;
};

static int note_unenforced(const void *key, const void *val, void *ctx)
{
	const struct vipc_endpoint_key *k = key;
	const struct vipc_endpoint *ep = val;
	struct unenforced *u = ctx;
	int w;

	if ((k->kind != VIPC_KIND_MQUEUE && k->kind != VIPC_KIND_FIFO) ||
	    u->backends & VIPC_BACKEND_PEER)
		return 0;
	w = u->at < u->size ? snprintf(u->buf + u->at, u->size - u->at, "%s%.*s",
				       u->n ? ", " : "", VIPC_LABEL_MAX, ep->label) : 0;
	u->at += w > 0 ? w : 0;
	u->n++;
	return 0;
}

size_t vipc_unenforced(const struct vipc_state *st, char *buf, size_t size)
{
	struct unenforced u = { .backends = st->cfg.backends, .buf = buf, .size = size };

	if (size)
		buf[0] = 0;
	vipc_map_visit(st->endpoints_fd, st->cfg.active_slot, note_unenforced, &u);
	return u.n;
}
