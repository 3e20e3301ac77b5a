// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc's counters as Prometheus metric families: read once per scrape from
 * the pinned maps (read-only), written as a list of families.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "decisions.h"
#include "metrics.h"
#include "version.h"
#include "registry.h"
#include "grow.h"
#include "table.h"

/* ---- reading ---- */

/* A name as a label value: "-" for none (id 0). */
static void label_set(char dst[VIPC_LABEL_MAX + 1], const char *name)
{
	snprintf(dst, VIPC_LABEL_MAX + 1, "%.*s", VIPC_LABEL_MAX, *name ? name : "-");
}

struct decisions_ctx {
	struct vipc_metrics_src *src;
	size_t cap;
};

/* A row of vipc_decisions as a series; a removed container's or
 * endpoint's (about to be pruned) is left out.
 */
static int add_decision(const struct vipc_decision *d, const char *container,
			const char *endpoint, void *ctx)
{
	struct decisions_ctx *c = ctx;
	struct vipc_metrics_decision *m;

	if (!container || !endpoint)
		return 0;
	m = vipc_grow(c->src->decisions, c->src->nr_decisions, &c->cap, sizeof(*m));
	if (!m)
		return -ENOMEM;
	c->src->decisions = m;
	m += c->src->nr_decisions++;
	label_set(m->container, container);
	label_set(m->endpoint, endpoint);
	m->verdict = d->key.verdict;
	m->reason = d->key.verdict == VIPC_V_ALLOW ? 0 : d->key.reason;
	m->count = d->count;
	return 0;
}

static int decision_cmp(const void *a, const void *b)
{
	const struct vipc_metrics_decision *x = a, *y = b;

	return strcmp(x->container, y->container) ?: strcmp(x->endpoint, y->endpoint) ?:
	       (x->verdict - y->verdict) ?: (x->reason - y->reason);
}

/* The series of vipc_decisions_total: the rows, their hooks summed. */
static int read_decisions(struct vipc_state *st, struct vipc_metrics_src *src)
{
	struct decisions_ctx c = { .src = src };
	struct vipc_metrics_decision *v;
	size_t i, n = 0;
	int err;

	err = vipc_decisions_read(st, add_decision, &c);
	if (err || !src->nr_decisions)
		return err;
	v = src->decisions;
	qsort(v, src->nr_decisions, sizeof(*v), decision_cmp);
	for (i = 0; i < src->nr_decisions; i++) {
		if (n && !decision_cmp(&v[i], &v[n - 1]))
			v[n - 1].count += v[i].count;
		else
			v[n++] = v[i];
	}
	src->nr_decisions = n;
	return 0;
}

struct bindings_ctx {
	struct vipc_metrics_src *src;
	size_t cap;
};

static int add_container(const void *key, const void *val, void *ctx)
{
	const struct vipc_principal *p = &((const struct vipc_container *)val)->principal;
	struct bindings_ctx *c = ctx;
	struct vipc_metrics_binding *b;

	(void)key;
	b = vipc_grow(c->src->bindings, c->src->nr_bindings, &c->cap, sizeof(*b));
	if (!b)
		return -ENOMEM;
	c->src->bindings = b;
	b += c->src->nr_bindings++;
	label_set(b->container, p->name);
	b->id = p->id;
	b->cgroups = 0;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	const struct vipc_metrics_binding *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vipc_metrics_binding *)a)->container,
		      ((const struct vipc_metrics_binding *)b)->container);
}

/* A binding counted to its container (sorted by id now). */
static int add_binding(const void *key, const void *val, void *ctx)
{
	const struct vipc_metrics_src *src = ctx;
	struct vipc_metrics_binding want = { .id = ((const struct vipc_principal *)val)->id }, *b;

	(void)key;
	b = bsearch(&want, src->bindings, src->nr_bindings, sizeof(want), id_cmp);
	if (b)
		b->cgroups++;
	return 0;
}

/* Each container of the live slot, with its cgroups bound. */
static int read_bindings(struct vipc_state *st, struct vipc_metrics_src *src)
{
	struct bindings_ctx c = { .src = src };
	__u32 slot = st->cfg.active_slot;
	int err;

	err = vipc_map_visit(st->containers_fd, slot, add_container, &c);
	if (err || !src->nr_bindings)
		return err;
	qsort(src->bindings, src->nr_bindings, sizeof(*src->bindings), id_cmp);
	err = vipc_map_visit(st->principals_fd, slot, add_binding, src);
	qsort(src->bindings, src->nr_bindings, sizeof(*src->bindings), name_cmp);
	return err;
}

/* The entries of each table (the live slot's) and their limits. */
static int read_tables(struct vipc_state *st, struct vipc_metrics_src *src)
{
	const int fds[VIPC_TABLE_DECISIONS] = { st->containers_fd, st->endpoints_fd, st->grants_fd,
						st->channels_fd, st->principals_fd };
	const __u32 limits[VIPC_TABLE_DECISIONS] = { st->limits.principals, st->limits.endpoints,
						     st->limits.grants, st->limits.channels,
						     st->limits.principals };
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long n;
	int i;

	/* Phase 1: the policy tables, one slot each. */
	for (i = 0; i < VIPC_TABLE_DECISIONS; i++) {
		n = vipc_map_count(fds[i], st->cfg.active_slot);
		if (n < 0)
			return n;
		src->entries[i] = n;
		src->limits[i] = limits[i];
	}

	/* Phase 2: the decision rows, against the map's size. */
	n = vipc_decisions_count(st);
	if (n < 0)
		return n;
	if (bpf_map_get_info_by_fd(st->decisions_fd, &info, &len))
		return -errno;
	src->entries[VIPC_TABLE_DECISIONS] = n;
	src->limits[VIPC_TABLE_DECISIONS] = info.max_entries;
	return 0;
}

int vipc_metrics_read(struct vipc_state *st, struct vipc_metrics_src *src)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int i, err;

	/* Phase 1: the live slot (a reload may have flipped it), then the counters. */
	memset(src, 0, sizeof(*src));
	err = vipc_config_read(st) ?: vipc_stats_read(st, &src->stats);
	if (!err && bpf_map_lookup_elem(st->registry_fd, &zero, &src->reg))
		err = -errno;

	/* Phase 2: how full each table is, the decisions by container and
	 * the bindings, the broker's instances, and which hooks are attached.
	 */
	err = err ?: read_tables(st, src) ?: read_decisions(st, src) ?: read_bindings(st, src) ?:
		      vipc_broker_read(st, &src->broker, &src->nr_broker);
	if (err)
		return err;
	src->backends = st->cfg.backends;
	for (i = 0; i < vipc_nr_hooks && i < 32; i++) {
		snprintf(path, sizeof(path), "%s/%s", VIPC_PIN_DIR, vipc_hooks[i].link);
		if (!access(path, F_OK))
			src->attached |= 1U << i;
	}
	return 0;
}

void vipc_metrics_free(struct vipc_metrics_src *src)
{
	free(src->decisions);
	free(src->bindings);
	free(src->broker);
	src->decisions = NULL;
	src->bindings = NULL;
	src->broker = NULL;
	src->nr_decisions = src->nr_bindings = src->nr_broker = 0;
}

/* ---- the families ---- */

#define STAT(field) offsetof(struct vipc_stats, field)
#define COUNTER(p, v) vipc_prom_sample(p, NULL, 0, v)

static __u64 stat_at(const struct vipc_stats *s, size_t off)
{
	return *(const __u64 *)((const char *)s + off);
}

/* Does vipc_hooks[@i] decide, on a backend that is attached? */
static bool deciding(const struct vipc_metrics_src *s, int i)
{
	return vipc_hooks[i].stat >= 0 && (vipc_hooks[i].backend & s->backends);
}

/* vipc_decisions_total{container,endpoint,verdict[,reason]}: reason for
 * deny and audit only.
 */
static void by_container(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l[4] = { { "container", NULL }, { "endpoint", NULL },
					{ "verdict", NULL }, { "reason", NULL } };
	const struct vipc_metrics_decision *d;
	size_t i;

	(void)off;
	for (i = 0, d = s->decisions; i < s->nr_decisions; i++, d++) {
		l[0].value = d->container;
		l[1].value = d->endpoint;
		l[2].value = vipc_outcome_str(d->verdict);
		l[3].value = vipc_reason_str(d->reason);
		vipc_prom_sample(p, l, d->verdict == VIPC_V_ALLOW ? 3 : 4, d->count);
	}
}

/* vipc_hook_decisions_total{hook,verdict[,reason]}: reason for deny only. */
static void by_hook_verdict(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	static const struct {
		const char *verdict;
		size_t off;
	} verdicts[] = { { "allow", STAT(allowed) }, { "unconfined", STAT(unconfined) },
			 { "audit", STAT(audited) } };
	struct vipc_prom_label l[3] = { { "hook", NULL }, { "verdict", NULL }, { "reason", NULL } };
	const struct vipc_stats *h;
	size_t v;
	int i, r;

	(void)off;
	for (i = 0; i < vipc_nr_hooks; i++) {
		if (!deciding(s, i))
			continue;
		h = &s->stats.hook[vipc_hooks[i].stat];
		l[0].value = vipc_hooks[i].name;
		for (v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
			l[1].value = verdicts[v].verdict;
			vipc_prom_sample(p, l, 2, stat_at(h, verdicts[v].off));
		}
		l[1].value = vipc_outcome_str(VIPC_V_DENY);
		for (r = VIPC_R_FIRST_DENY; r < VIPC_R__COUNT; r++) {
			l[2].value = vipc_reason_str(r);
			vipc_prom_sample(p, l, 3, (&h->denied_unknown)[r - VIPC_R_FIRST_DENY]);
		}
	}
}

/* A per-hook counter, by hook. */
static void by_hook(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l = { "hook", NULL };
	int i;

	for (i = 0; i < vipc_nr_hooks; i++) {
		if (!deciding(s, i))
			continue;
		l.value = vipc_hooks[i].name;
		vipc_prom_sample(p, &l, 1, stat_at(&s->stats.hook[vipc_hooks[i].stat], off));
	}
}

/* Per instance of each endpoint ({endpoint,instance}): the calls sent to
 * it (@off 0), or the sockets bound at it where known (@off 1).
 */
static void broker(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l[2] = { { "endpoint", NULL }, { "instance", NULL } };
	size_t i;

	for (i = 0; i < s->nr_broker; i++) {
		if (off && s->broker[i].bound < 0)
			continue;
		l[0].value = s->broker[i].endpoint;
		l[1].value = s->broker[i].instance;
		vipc_prom_sample(p, l, 2, off ? (__u64)s->broker[i].bound : s->broker[i].sent);
	}
}

/* A counter summed over the hooks. */
static void total(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	COUNTER(p, stat_at(&s->stats.total, off));
}

/* vipc_registry_<name>_total, one family per registry counter. */
static void registry(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
#define FIELD_NAME(name) #name,
	static const char *const names[VIPC_NR_REGISTRY] = { VIPC_REGISTRY_FIELDS(FIELD_NAME) };
#undef FIELD_NAME
	char name[64], help[96];
	size_t f;

	(void)off;
	for (f = 0; f < VIPC_NR_REGISTRY; f++) {
		snprintf(name, sizeof(name), "vipc_registry_%s", names[f]);
		snprintf(help, sizeof(help), "Registry counter %s (the vipc_registry map).",
			 names[f]);
		vipc_prom_family(p, name, VIPC_PROM_COUNTER, help);
		COUNTER(p, ((const __u64 *)&s->reg)[f]);
	}
}

static void policy_loads(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	(void)off;
	COUNTER(p, s->reg.policy_loads);
}

static const char *const table_names[VIPC_NR_TABLES] = {
	"containers", "endpoints", "grants", "channels", "bindings", "decisions"
};

/* vipc_table_entries{table} (@off 0) or vipc_table_limit{table} (1). */
static void tables(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l = { "table", NULL };
	int i;

	for (i = 0; i < VIPC_NR_TABLES; i++) {
		l.value = table_names[i];
		vipc_prom_sample(p, &l, 1, off ? s->limits[i] : (__u64)s->entries[i]);
	}
}

/* vipc_container_bindings{container}: cgroups bound to each container. */
static void bindings(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l = { "container", NULL };
	size_t i;

	(void)off;
	for (i = 0; i < s->nr_bindings; i++) {
		l.value = s->bindings[i].container;
		vipc_prom_sample(p, &l, 1, s->bindings[i].cgroups);
	}
}

/* The backend a hook belongs to: its name, "" for hooks of every one. */
static const char *hook_backend(int i)
{
	__u32 b = vipc_hooks[i].backend;

	return b ? vipc_backend_names[__builtin_ctz(b)] : "";
}

static void hooks_attached(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	struct vipc_prom_label l[2] = { { "hook", NULL }, { "backend", NULL } };
	int i;

	(void)off;
	for (i = 0; i < vipc_nr_hooks && i < 32; i++) {
		l[0].value = vipc_hooks[i].name ?: vipc_hooks[i].prog;
		l[1].value = hook_backend(i);
		vipc_prom_sample(p, l, 2, !!(s->attached & (1U << i)));
	}
}

static void build_info(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off)
{
	char abi[16];
	struct vipc_prom_label l[2] = { { "version", VIPC_VERSION }, { "abi", abi } };

	(void)s;
	(void)off;
	snprintf(abi, sizeof(abi), "%u", VIPC_ABI_VERSION);
	vipc_prom_sample(p, l, 2, 1);
}

/* The families, in the order written. A family is its name, type and help
 * (name NULL: @write writes its own families), and what writes its samples.
 */
static const struct family {
	const char *name;
	enum vipc_prom_type type;
	const char *help;
	void (*write)(struct vipc_prom *p, const struct vipc_metrics_src *s, size_t off);
	size_t off; /* @write's argument: a counter's offset, or which one */
} families[] = {
	{ "vipc_decisions", VIPC_PROM_COUNTER,
	  "Decisions by container, endpoint and verdict; denials by reason.", by_container, 0 },
	{ "vipc_hook_decisions", VIPC_PROM_COUNTER,
	  "Decisions by hook and verdict; denials by reason.", by_hook_verdict, 0 },
	{ "vipc_table_lookups", VIPC_PROM_COUNTER, "Endpoint and grant table lookups.", by_hook,
	  STAT(lookups) },
	{ "vipc_table_hits", VIPC_PROM_COUNTER, "Table lookups that found an entry.", by_hook,
	  STAT(hits) },
	{ "vipc_cached_verdicts", VIPC_PROM_COUNTER,
	  "Calls let through on the socket's remembered verdict.", by_hook, STAT(cached) },
	{ "vipc_events_dropped", VIPC_PROM_COUNTER,
	  "Deny events lost to a full ring buffer.", by_hook, STAT(events_dropped) },
	{ "vipc_events_suppressed", VIPC_PROM_COUNTER,
	  "Deny events counted in an aggregate, not sent alone.", by_hook, STAT(events_suppressed) },
	{ "vipc_decisions_missed", VIPC_PROM_COUNTER,
	  "Decisions vipc_decisions had no room for (counted per hook only).", by_hook,
	  STAT(decisions_missed) },
	{ "vipc_broker_connections", VIPC_PROM_COUNTER,
	  "Calls to vipc/NAME the broker sent to each instance of an endpoint.", broker, 0 },
	{ "vipc_broker_unknown", VIPC_PROM_COUNTER,
	  "Calls to a vipc/ name no endpoint has, refused (ECONNREFUSED).", by_hook,
	  STAT(broker_unknown) },
	{ "vipc_snapshots_dropped", VIPC_PROM_COUNTER,
	  "Statistics snapshots lost to a full ring buffer.", total, STAT(snapshots_dropped) },
	{ NULL, VIPC_PROM_COUNTER, NULL, registry, 0 },
	{ "vipc_policy_loads", VIPC_PROM_COUNTER, "Policies applied (load and reload).",
	  policy_loads, 0 },
	{ "vipc_table_entries", VIPC_PROM_GAUGE,
	  "Entries in the live slot of each table (decisions: its rows).", tables, 0 },
	{ "vipc_table_limit", VIPC_PROM_GAUGE,
	  "Entries each table holds per slot (decisions: in all).", tables, 1 },
	{ "vipc_container_bindings", VIPC_PROM_GAUGE,
	  "Cgroups bound to each container of the live policy.", bindings, 0 },
	{ "vipc_hook_attached", VIPC_PROM_GAUGE, "1 when the hook's link is pinned.",
	  hooks_attached, 0 },
	{ "vipc_broker_sockets", VIPC_PROM_GAUGE,
	  "Sockets bound at each instance of an endpoint, as the LSM and fmodret backends count "
	  "them (unknown ones left out); the broker skips one at 0.", broker, 1 },
	{ "vipc_build_info", VIPC_PROM_GAUGE, "The loader's release and pinned-state ABI.",
	  build_info, 0 },
};

void vipc_metrics_write(const struct vipc_metrics_src *src, struct vipc_prom *p)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (families[i].name)
			vipc_prom_family(p, families[i].name, families[i].type, families[i].help);
		families[i].write(p, src, families[i].off);
	}
}

int vipc_metrics_collect(void *ctx, struct vipc_prom *p)
{
	struct vipc_state own, *st = ctx ?: &own;
	struct vipc_metrics_src src;
	int err;

	if (!ctx && (err = vipc_state_open_ro(&own)))
		return err;
	err = vipc_metrics_read(st, &src);
	if (!ctx)
		vipc_state_close(&own);
	if (!err)
		vipc_metrics_write(&src, p);
	vipc_metrics_free(&src);
	return err;
}

/* ---- the textfile ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	for (; len; buf += n, len -= n) {
		n = write(fd, buf, len);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n < 0)
			n = 0;
	}
	return 0;
}

int vipc_metrics_textfile(const char *path)
{
	char tmp[PATH_MAX];
	struct vipc_prom p;
	int fd = -1, err;

	/* Phase 1: the exposition in the text format node_exporter reads. */
	vipc_prom_init(&p, false);
	err = vipc_metrics_collect(NULL, &p) ?: vipc_prom_finish(&p);
	if (!err && snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		err = -ENAMETOOLONG;

	/* Phase 2: a temporary file beside it (not *.prom: the collector skips
	 * it), written and synced, then renamed over it.
	 */
	if (!err && (fd = mkstemp(tmp)) < 0)
		err = -errno;
	if (!err && fchmod(fd, 0644))
		err = -errno;
	err = err ?: write_all(fd, p.buf, p.len);
	if (!err && fsync(fd))
		err = -errno;
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err && fd >= 0)
		unlink(tmp);
	vipc_prom_free(&p);
	return err;
}
