// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The policy file. libyaml's document API gives every node its line and
 * column, so each complaint names the exact spot; the checks run in
 * dependency order (containers, endpoints, channels, grants) so a reference
 * is always checked against names already read.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <yaml.h>
#include "inet.h"
#include "names.h"
#include "policy.h"
#include "vipc_glob.h"
#include "vipc_name.h"

/* Collections nest at most 4 deep in a policy; libyaml's scanner costs the
 * nesting depth on every token, so deeper files are refused before loading.
 */
#define MAX_DEPTH 32

struct parser {
	yaml_document_t doc;
	struct vipc_policy *pol;
	struct vipc_policy_error *err;
	/* Names to indexes, so checks and references cost O(1), not O(n). */
	struct hsearch_data containers, endpoints, grants;
	struct hsearch_data addrs[VIPC_NR_KINDS]; /* by kind - 1 */
	char (*grant_keys)[40]; /* "container.endpoint" indexes of each grant */
};


static int verror(struct vipc_policy_error *err, int line, int column, const char *fmt,
		  va_list ap)
{
	err->line = line;
	err->column = column;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -EINVAL;
}

/* Complain about @node: its position, and what was expected. */
__attribute__((format(printf, 3, 4))) static int fail(struct parser *p, yaml_node_t *node,
						       const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(p->err, node->start_mark.line + 1, node->start_mark.column + 1, fmt, ap);
	va_end(ap);
	return ret;
}

__attribute__((format(printf, 3, 4))) static int fail_file(struct vipc_policy_error *err,
							    int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, 0, 0, fmt, ap);
	va_end(ap);
	return -errnum;
}

static const char *node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static bool is_null(const yaml_node_t *node)
{
	const char *s = (const char *)node->data.scalar.value;

	return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static yaml_node_t *node_at(struct parser *p, int index)
{
	return yaml_document_get_node(&p->doc, index);
}

int vipc_index_init(struct hsearch_data *h, size_t n)
{
	hdestroy_r(h);
	memset(h, 0, sizeof(*h));
	return hcreate_r(2 * n + 8, h) ? 0 : -ENOMEM;
}

long vipc_index_add(struct hsearch_data *h, const char *key, long i)
{
	ENTRY e = { .key = (char *)key, .data = (void *)(i + 1) }, *found = NULL;

	if (!hsearch_r(e, ENTER, &found, h))
		return -1; /* cannot happen: every table is sized for its section */
	return found->data == e.data ? -1 : (long)found->data - 1;
}

long vipc_index_find(struct hsearch_data *h, const char *key)
{
	ENTRY e = { .key = (char *)key }, *found = NULL;

	return h->table && hsearch_r(e, FIND, &found, h) ? (long)found->data - 1 : -1;
}

/* The text of a scalar @node, or an error naming @what was expected. */
static int scalar(struct parser *p, yaml_node_t *node, const char *what, const char **out)
{
	if (node->type != YAML_SCALAR_NODE)
		return fail(p, node, "expected %s, got %s", what, node_kind(node));
	*out = (const char *)node->data.scalar.value;
	/* A "\0" escape would cut the name short: refuse it rather than truncate. */
	if (strlen(*out) != node->data.scalar.length)
		return fail(p, node, "expected %s, got a scalar with a NUL byte", what);
	return 0;
}

static int expect(struct parser *p, yaml_node_t *node, yaml_node_type_t type, const char *what)
{
	return node->type == type ? 0 : fail(p, node, "expected %s, got %s", what, node_kind(node));
}

/* A mapping whose keys are all scalars, none repeated, each in @allowed
 * (NULL: any key, as in a table of names).
 */
static int check_keys(struct parser *p, yaml_node_t *map, const char *const *allowed,
		      const char *expected)
{
	yaml_node_pair_t *pair, *start = map->data.mapping.pairs.start;
	struct hsearch_data seen = {};
	const char *name = "";
	yaml_node_t *key;
	long prev;
	int i, err;

	err = vipc_index_init(&seen, map->data.mapping.pairs.top - start);
	for (pair = start; !err && pair < map->data.mapping.pairs.top; pair++) {
		key = node_at(p, pair->key);
		err = scalar(p, key, "a name", &name);
		if (err)
			break;
		prev = vipc_index_add(&seen, name, pair - start);
		if (prev >= 0) {
			err = fail(p, key, "duplicate key '%s' (first at line %zu)", name,
				   node_at(p, start[prev].key)->start_mark.line + 1);
			break;
		}
		for (i = 0; allowed && allowed[i] && strcmp(allowed[i], name); i++)
			;
		if (allowed && !allowed[i])
			err = fail(p, key, "unknown key '%s' (expected %s)", name, expected);
	}
	hdestroy_r(&seen);
	return err;
}

/* The value under @key in a checked mapping, or NULL. */
static yaml_node_t *get(struct parser *p, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		k = node_at(p, pair->key);
		if (!strcmp((const char *)k->data.scalar.value, key))
			return node_at(p, pair->value);
	}
	return NULL;
}

/* A mapping with only @allowed keys, as in `{ owner: db, unix: /x }`. */
static int record(struct parser *p, yaml_node_t *node, const char *what,
		  const char *const *allowed, const char *expected)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "a mapping for %s", what);
	return expect(p, node, YAML_MAPPING_NODE, buf) ?: check_keys(p, node, allowed, expected);
}

/* Labels: 1 to 31 bytes of letters, digits, '.', '_' and '-'. */
static int label(struct parser *p, yaml_node_t *node, const char *what, char dst[VIPC_LABEL_MAX])
{
	const char *s = "";
	int err;

	err = scalar(p, node, what, &s);
	if (err)
		return err;
	if (!*s || strlen(s) >= VIPC_LABEL_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
							   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							   "0123456789._-") != strlen(s))
		return fail(p, node, "%s '%s': expected 1 to %d letters, digits, '.', '_' or '-'",
			    what, s, VIPC_LABEL_MAX - 1);
	memset(dst, 0, VIPC_LABEL_MAX);
	strcpy(dst, s);
	return 0;
}

static int uint_value(struct parser *p, yaml_node_t *node, const char *what, unsigned long max,
		      unsigned long *out)
{
	const char *s = "";
	char *end;
	int err;

	err = scalar(p, node, what, &s);
	if (err)
		return err;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || errno || *out > max)
		return fail(p, node, "%s: expected a whole number from 0 to %lu, got '%s'", what,
			    max, s);
	return 0;
}

/* One of a NULL-terminated list of @words, as in `mode: enforce|audit`:
 * its index into @out, which stays as it was when @node is absent.
 */
static int choice(struct parser *p, yaml_node_t *node, const char *what,
		  const char *const words[], __u8 *out)
{
	char list[64] = "";
	const char *s = "";
	size_t i, n;
	int err;

	if (!node)
		return 0;
	err = scalar(p, node, what, &s);
	if (err)
		return err;
	for (i = 0; words[i]; i++) {
		if (!strcmp(s, words[i])) {
			*out = i;
			return 0;
		}
	}
	for (n = i, i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 !i ? "" : i + 1 < n ? ", " : " or ", words[i]);
	return fail(p, node, "%s: expected %s, got '%s'", what, list, s);
}

static int mode_and_unknown(struct parser *p, yaml_node_t *map, __u8 *mode, __u8 *unknown)
{
	return choice(p, get(p, map, "mode"), "mode", vipc_mode_names, mode) ?:
	       choice(p, get(p, map, "unknown"), "unknown", vipc_unknown_names, unknown);
}

/* `others: deny|allow|audit` of @map, if there: into @others, and @set. */
static int others_of(struct parser *p, yaml_node_t *map, __u8 *others, bool *set)
{
	yaml_node_t *node = get(p, map, "others");

	*set = *set || node;
	return choice(p, node, "others", vipc_others_names, others);
}

/* A required key of a record, or an error at the record. */
static yaml_node_t *need(struct parser *p, yaml_node_t *map, const char *key, const char *what,
			 int *err)
{
	yaml_node_t *node = get(p, map, key);

	if (!node && !*err)
		*err = fail(p, map, "%s: missing '%s'", what, key);
	return node;
}

/* The references: a name must be defined, and we report where it was used. */
static int container_ref(struct parser *p, yaml_node_t *node, const char *what,
			 char dst[VIPC_LABEL_MAX])
{
	int err = label(p, node, what, dst);

	if (!err && vipc_index_find(&p->containers, dst) < 0)
		return fail(p, node, "%s '%s' is not a defined container", what, dst);
	return err;
}

static int endpoint_ref(struct parser *p, yaml_node_t *node, char dst[VIPC_LABEL_MAX])
{
	int err = label(p, node, "endpoint", dst);

	if (!err && vipc_index_find(&p->endpoints, dst) < 0)
		return fail(p, node, "endpoint '%s' is not a defined endpoint", dst);
	return err;
}

typedef int (*parse_entry_fn)(struct parser *p, yaml_node_t *key, yaml_node_t *val, void *elem);

/* A section that is a table of names (`containers:`), or absent/empty. */
static int section_table(struct parser *p, yaml_node_t *root, const char *key, size_t elem,
			 void **arr, yaml_node_t **out)
{
	yaml_node_t *node = get(p, root, key);
	char what[64];
	size_t n;
	int err;

	*out = NULL;
	if (!node || is_null(node))
		return 0;
	snprintf(what, sizeof(what), "a mapping of %s by name", key);
	err = expect(p, node, YAML_MAPPING_NODE, what) ?: check_keys(p, node, NULL, NULL);
	if (err)
		return err;
	n = node->data.mapping.pairs.top - node->data.mapping.pairs.start;
	*arr = calloc(n ?: 1, elem);
	if (!*arr)
		return fail_file(p->err, ENOMEM, "out of memory");
	*out = node;
	return 0;
}

/* A `cgroup:` path with '*' or '?' is a glob: wildcards in its last
 * component only (the kernel matches a new cgroup's name against it, its
 * parent directory by exact path), one '*' at most, no '[' classes.
 */
static int check_glob(struct parser *p, yaml_node_t *cg, const char *s,
		      struct vipc_policy_container *c)
{
	size_t n = strlen(s), last, stars = 0, i;

	while (n > 1 && s[n - 1] == '/')
		n--;
	for (last = n; last && s[last - 1] != '/'; last--)
		;
	if (!strpbrk(s, "*?"))
		return 0;
	if (strcspn(s, "*?") < last)
		return fail(p, cg, "cgroup: expected '*' and '?' in the last path component only, "
			    "got '%s'", s);
	for (i = last; i < n; i++) {
		if (s[i] == '[')
			return fail(p, cg, "cgroup: '[' classes are not supported in a glob, "
				    "got '%s'", s);
		stars += s[i] == '*';
	}
	if (stars > 1)
		return fail(p, cg, "cgroup: expected at most one '*' in a glob, got '%s'", s);
	c->glob = true;
	return 0;
}

/* `docker: NAME` or `podman: NAME`: a name as the engines allow them,
 * [A-Za-z0-9][A-Za-z0-9_.-]*.
 */
static int runtime_name(struct parser *p, yaml_node_t *node, const char *what,
			struct vipc_policy_container *c)
{
	const char *s = "";
	size_t n;
	int err;

	err = scalar(p, node, "a container name", &s);
	if (err)
		return err;
	if (!vipc_runtime_name_ok(s))
		return fail(p, node, "%s: expected a container name of 1 to %d letters, digits, "
			    "'_', '.' or '-' (not first), got '%s'", what, VIPC_CGROUP_PATH_MAX - 1, s);
	n = strlen(s);
	memcpy(c->match, s, n);
	c->match_len = n;
	return 0;
}

bool vipc_runtime_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < VIPC_CGROUP_PATH_MAX && isalnum((unsigned char)s[0]) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* One KEY: VALUE pair of `annotations:`, appended to c->match as KEY\0VALUE\0. */
static int annotation_pair(struct parser *p, yaml_node_t *k, yaml_node_t *v,
			   struct vipc_policy_container *c)
{
	const char *key = (const char *)k->data.scalar.value, *val = "";
	size_t kl = strlen(key), vl;
	int err;

	err = scalar(p, v, "an annotation value", &val);
	if (err)
		return err;
	if (!kl)
		return fail(p, k, "annotations: expected a key of 1 byte or more");
	vl = strlen(val);
	if (c->match_len + kl + vl + 2 >= VIPC_CGROUP_PATH_MAX)
		return fail(p, k, "annotations: expected keys and values of at most %d bytes in "
			    "all, 2 more per pair", VIPC_CGROUP_PATH_MAX - 1);
	memcpy(c->match + c->match_len, key, kl + 1);
	memcpy(c->match + c->match_len + kl + 1, val, vl + 1);
	c->match_len += kl + vl + 2;
	return 0;
}

/* `annotations: {KEY: VALUE, ...}`: one pair at least, every one must match. */
static int annotations(struct parser *p, yaml_node_t *node, struct vipc_policy_container *c)
{
	yaml_node_pair_t *pair;
	int err;

	err = expect(p, node, YAML_MAPPING_NODE, "a mapping of annotations (KEY: VALUE)") ?:
	      check_keys(p, node, NULL, NULL);
	if (!err && node->data.mapping.pairs.top == node->data.mapping.pairs.start)
		err = fail(p, node, "annotations: expected one KEY: VALUE pair or more");
	for (pair = node->data.mapping.pairs.start;
	     !err && pair < node->data.mapping.pairs.top; pair++)
		err = annotation_pair(p, node_at(p, pair->key), node_at(p, pair->value), c);
	return err;
}

/* The one selector of a container: its key, or NULL with an error. */
static yaml_node_t *selector(struct parser *p, yaml_node_t *val, struct vipc_policy_container *c,
			     const char **which, int *err)
{
	static const char *const sels[] = { "cgroup", "pid", "docker", "podman", "annotations" };
	yaml_node_t *node, *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		node = get(p, val, sels[i]);
		if (!node)
			continue;
		found = found ?: node;
		*which = found == node ? sels[i] : *which;
		n++;
	}
	if (n != 1)
		*err = fail(p, val, "container '%s': expected exactly one of 'cgroup', 'pid', "
			    "'docker', 'podman' or 'annotations'", c->name);
	return n == 1 ? found : NULL;
}

/* `cgroup: PATH` (or a glob): as written, resolved later. */
static int cgroup_selector(struct parser *p, yaml_node_t *cg, struct vipc_policy_container *c)
{
	const char *s = "";
	int err;

	err = scalar(p, cg, "a cgroup path", &s);
	if (!err && (!*s || strlen(s) >= VIPC_CGROUP_PATH_MAX))
		err = fail(p, cg, "cgroup: expected a path of 1 to %d bytes", VIPC_CGROUP_PATH_MAX - 1);
	if (!err)
		strcpy(c->cgroup, s);
	return err ?: check_glob(p, cg, s, c);
}

static int parse_container(struct parser *p, yaml_node_t *key, yaml_node_t *val, void *elem)
{
	struct vipc_policy_container *c = elem;
	static const char *const keys[] = { "cgroup", "pid", "docker", "podman", "annotations",
					    "mode", "unknown", NULL };
	const char *which = "";
	yaml_node_t *sel;
	unsigned long n;
	int err;

	c->pos = (struct vipc_pos){ key->start_mark.line + 1, key->start_mark.column + 1 };
	c->mode = p->pol->default_mode;
	c->unknown = p->pol->default_unknown;
	err = label(p, key, "container", c->name) ?:
	      record(p, val, "a container", keys,
		     "cgroup, pid, docker, podman, annotations, mode or unknown") ?:
	      mode_and_unknown(p, val, &c->mode, &c->unknown);
	sel = err ? NULL : selector(p, val, c, &which, &err);
	if (!sel)
		return err;
	if (!strcmp(which, "pid")) {
		err = uint_value(p, sel, "pid", INT_MAX, &n);
		if (!err && !n)
			err = fail(p, sel, "pid: expected a process id above 0");
		c->pid = n;
		return err;
	}
	if (!strcmp(which, "cgroup"))
		return cgroup_selector(p, sel, c);
	p->pol->runtimes = true;
	c->runtime = !strcmp(which, "docker") ? VIPC_SEL_DOCKER :
		     !strcmp(which, "podman") ? VIPC_SEL_PODMAN : VIPC_SEL_ANNOTATIONS;
	return c->runtime == VIPC_SEL_ANNOTATIONS ? annotations(p, sel, c) :
						     runtime_name(p, sel, which, c);
}

/* Which of unix, abstract, tcp, udp, mqueue and fifo an endpoint has
 * (exactly one): its node, its kind into e->kind; NULL with *@err set when none or
 * more.
 */
static yaml_node_t *address_node(struct parser *p, yaml_node_t *val,
				 struct vipc_policy_endpoint *e, int *err)
{
	yaml_node_t *node = NULL, *n;
	__u8 kind;

	for (kind = VIPC_KIND_UNIX_PATH; kind <= VIPC_NR_KINDS; kind++) {
		n = get(p, val, vipc_kind_key(kind));
		if (n && node)
			break;
		if (n) {
			node = n;
			e->kind = kind;
		}
	}
	if (node && kind > VIPC_NR_KINDS)
		return node;
	*err = fail(p, val, "endpoint '%s': expected exactly one of 'unix', 'abstract', 'tcp', "
		    "'udp', 'mqueue' or 'fifo'", e->name);
	return NULL;
}

/* `unix: /path` or `abstract: name`: a sun_path's name, a path in normal
 * form, not one of the broker's names.
 */
static int unix_address(struct parser *p, yaml_node_t *node, const char *s,
			struct vipc_policy_endpoint *e, char addr[VIPC_NAME_MAX], __u8 *len)
{
	bool abs = e->kind == VIPC_KIND_UNIX_ABSTRACT;
	char text[VIPC_NAME_MAX + 2];

	if (!abs && s[0] != '/')
		return fail(p, node, "unix: expected an absolute path, got '%s'", s);
	if (strlen(s) > (abs ? VIPC_NAME_MAX - 1 : VIPC_NAME_MAX) || !*s)
		return fail(p, node, "%s: expected 1 to %d bytes (the size of a sun_path), got %zu",
			    abs ? "abstract" : "unix", abs ? VIPC_NAME_MAX - 1 : VIPC_NAME_MAX,
			    strlen(s));
	snprintf(text, sizeof(text), "%s%s", abs ? "@" : "", s);
	if (vipc_addr_parse(text, &e->kind, addr, len) > 0)
		return fail(p, node, "unix: '%s' is not in normal form: write '%.*s' (vipc compares "
			    "pathnames without '//', '.', '..' or a trailing '/')", s, *len, addr);
	if (vipc_addr_reserved(e->kind, addr, *len))
		return fail(p, node, "abstract: '%s' is the broker's: names under '%s' reach the "
			    "endpoints by their names", s, VIPC_BROKER_PREFIX);
	return 0;
}

/* `tcp: ADDR:PORT` or `udp: ADDR:PORT`, in normal form (as vipc writes it). */
static int inet_address(struct parser *p, yaml_node_t *node, const char *s,
			struct vipc_policy_endpoint *e)
{
	const char *key = vipc_kind_key(e->kind);
	char text[VIPC_INET_TEXT_MAX];

	if (vipc_inet_parse(s, e->addr))
		return fail(p, node, "%s: expected ADDR:PORT (127.0.0.1:8080 or [::1]:8080, a port "
			    "of 1 to 65535), got '%s'", key, s);
	e->len = VIPC_INET_NAME_LEN;
	vipc_inet_format(e->addr, text, sizeof(text));
	if (strcmp(text, s))
		return fail(p, node, "%s: '%s' is not in normal form: write '%s'", key, s, text);
	return 0;
}

/* `mqueue: /NAME`: a POSIX message queue's name, one '/' and 1 to
 * VIPC_NAME_MAX bytes after it.
 */
static int mqueue_address(struct parser *p, yaml_node_t *node, const char *s,
			  struct vipc_policy_endpoint *e)
{
	char text[VIPC_NAME_MAX + 16];

	snprintf(text, sizeof(text), "mqueue:%s", s);
	if (strlen(s) > VIPC_NAME_MAX + 1 || vipc_addr_parse(text, &e->kind, e->addr, &e->len))
		return fail(p, node, "mqueue: expected '/' and a name of 1 to %d bytes without "
			    "'/', got '%s'", VIPC_NAME_MAX, s);
	return 0;
}

/* `fifo: /PATH`: the FIFO at that path now, named by its inode. */
static int fifo_address(struct parser *p, yaml_node_t *node, const char *s,
			struct vipc_policy_endpoint *e)
{
	char text[VIPC_NAME_MAX + 16];
	int err;

	snprintf(text, sizeof(text), "fifo:%s", s);
	err = s[0] == '/' && strlen(s) <= VIPC_NAME_MAX ?
		      vipc_addr_parse(text, &e->kind, e->addr, &e->len) :
		      -EINVAL;
	if (err == -EINVAL)
		return fail(p, node, "fifo: expected the absolute path of a FIFO, got '%s'", s);
	if (err == -EXDEV)
		return fail(p, node, "fifo: '%s' is on overlayfs or btrfs, where vipc cannot name "
			    "it by its inode: put it on another file system", s);
	if (err)
		return fail(p, node, "fifo: '%s': %s (vipc names a FIFO by its inode: make it "
			    "before the policy is applied)", s, strerror(-err));
	return 0;
}

/* Instance @inst's address of endpoint @e at @node, into @addr and @len,
 * indexed so that no two endpoints or instances share it.
 */
static int parse_name(struct parser *p, yaml_node_t *node, struct vipc_policy_endpoint *e,
		      size_t inst, char addr[VIPC_NAME_MAX], __u8 *len)
{
	const struct vipc_policy_endpoint *o;
	const char *s = "";
	long other;
	int err;

	err = scalar(p, node, "a socket name", &s);
	if (err)
		return err;
	err = vipc_kind_inet(e->kind)		? inet_address(p, node, s, e) :
	      e->kind == VIPC_KIND_MQUEUE ? mqueue_address(p, node, s, e) :
	      e->kind == VIPC_KIND_FIFO	? fifo_address(p, node, s, e) :
					      unix_address(p, node, s, e, addr, len);
	if (err)
		return err;
	other = vipc_index_add(&p->addrs[e->kind - 1], s,
			       (e - p->pol->endpoints) * VIPC_INSTANCES + inst);
	if (other < 0)
		return 0;
	o = &p->pol->endpoints[other / VIPC_INSTANCES];
	return fail(p, node, "endpoint '%s': same address as endpoint '%s' (line %d)", e->name,
		    o->name, o->pos.line);
}

/* The endpoint's address, exactly one of its keys: a name, or for `unix:`
 * and `abstract:` a list of names (the endpoint's instances: the first in
 * @e's addr, the others in more).
 */
static int parse_address(struct parser *p, yaml_node_t *val, struct vipc_policy_endpoint *e)
{
	yaml_node_item_t *item;
	yaml_node_t *node;
	int err = 0;
	size_t n;

	node = address_node(p, val, e, &err);
	if (err)
		return err;
	if (node->type != YAML_SEQUENCE_NODE || !vipc_kind_unix(e->kind))
		return parse_name(p, node, e, 0, e->addr, &e->len);
	item = node->data.sequence.items.start;
	n = node->data.sequence.items.top - item;
	if (!n || n > VIPC_INSTANCES)
		return fail(p, node, "%s: expected 1 to %d socket names (the endpoint's instances), "
			    "got %zu", vipc_kind_key(e->kind), VIPC_INSTANCES, n);
	err = parse_name(p, node_at(p, *item), e, 0, e->addr, &e->len);
	for (item++; !err && item < node->data.sequence.items.top; item++, e->nr_more++)
		err = parse_name(p, node_at(p, *item), e, e->nr_more + 1, e->more[e->nr_more],
				 &e->more_len[e->nr_more]);
	return err;
}

/* One view, `CONTAINER: /path` or `CONTAINER: "@name"`. */
static int parse_view(struct parser *p, yaml_node_t *key, yaml_node_t *val,
		      struct vipc_policy_view *v)
{
	const char *s = "";
	int err;

	err = container_ref(p, key, "view", v->container) ?: scalar(p, val, "a socket name", &s);
	if (err)
		return err;
	err = vipc_addr_parse(s, &v->kind, v->addr, &v->len);
	if (err < 0 || !vipc_kind_unix(v->kind))
		return fail(p, val, "view: expected /path or @abstract of at most %d bytes, got '%s'",
			    VIPC_NAME_MAX, s);
	if (err)
		return fail(p, val, "view: '%s' is not in normal form: write '%.*s'", s, v->len,
			    v->addr);
	if (vipc_addr_reserved(v->kind, v->addr, v->len))
		return fail(p, val, "view: '%s' is the broker's", s);
	return 0;
}

/* `views:`, a mapping of containers to sockets, at most one each. */
static int parse_views(struct parser *p, yaml_node_t *node, struct vipc_policy_endpoint *e)
{
	yaml_node_pair_t *pair;
	int err;

	if (!node)
		return 0;
	if (!vipc_kind_unix(e->kind))
		return fail(p, node, "endpoint '%s': views are for unix and abstract endpoints",
			    e->name);
	err = record(p, node, "views", NULL, NULL);
	if (err)
		return err;
	e->views = calloc(node->data.mapping.pairs.top - node->data.mapping.pairs.start + 1,
			  sizeof(*e->views));
	if (!e->views)
		return fail_file(p->err, ENOMEM, "out of memory");
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		err = parse_view(p, node_at(p, pair->key), node_at(p, pair->value),
				 &e->views[e->nr_views]);
		if (err)
			return err;
		e->nr_views++;
	}
	return 0;
}

static int parse_endpoint(struct parser *p, yaml_node_t *key, yaml_node_t *val, void *elem)
{
	struct vipc_policy_endpoint *e = elem;
	static const char *const keys[] = { "owner", "unix", "abstract", "tcp", "udp", "mqueue",
					    "fifo", "others", "views", NULL };
	yaml_node_t *owner;
	int err = 0;

	e->pos = (struct vipc_pos){ key->start_mark.line + 1, key->start_mark.column + 1 };
	e->others = p->pol->default_others;
	e->others_set = p->pol->default_others_set;
	err = label(p, key, "endpoint", e->name) ?:
	      record(p, val, "an endpoint", keys,
		     "owner, unix, abstract, tcp, udp, mqueue, fifo, others or views");
	if (err)
		return err;
	owner = need(p, val, "owner", e->name, &err);
	return err ?: container_ref(p, owner, "owner", e->owner) ?: parse_address(p, val, e) ?:
		      others_of(p, val, &e->others, &e->others_set) ?:
		      parse_views(p, get(p, val, "views"), e);
}

static int parse_senders(struct parser *p, yaml_node_t *node, struct vipc_policy_channel *c)
{
	yaml_node_item_t *item;
	size_t i, n;
	int err;

	err = expect(p, node, YAML_SEQUENCE_NODE, "a list of sender containers");
	if (err)
		return err;
	n = node->data.sequence.items.top - node->data.sequence.items.start;
	if (!n)
		return fail(p, node, "senders: expected at least one container");
	c->senders = calloc(n, sizeof(*c->senders));
	if (!c->senders)
		return fail_file(p->err, ENOMEM, "out of memory");
	for (item = node->data.sequence.items.start; item < node->data.sequence.items.top; item++) {
		err = container_ref(p, node_at(p, *item), "sender", c->senders[c->nr_senders]);
		for (i = 0; !err && i < c->nr_senders; i++)
			if (!strcmp(c->senders[i], c->senders[c->nr_senders]))
				err = fail(p, node_at(p, *item), "sender '%s' listed twice",
					   c->senders[i]);
		if (err)
			return err;
		c->nr_senders++;
	}
	return 0;
}

static int parse_channel(struct parser *p, yaml_node_t *key, yaml_node_t *val, void *elem)
{
	struct vipc_policy_channel *c = elem;
	static const char *const keys[] = { "endpoint", "senders", "receiver", "capacity", NULL };
	yaml_node_t *ep, *senders, *receiver, *cap;
	const struct vipc_policy_channel *o;
	const struct vipc_policy_endpoint *e;
	unsigned long n = 0;
	int err = 0;

	c->pos = (struct vipc_pos){ key->start_mark.line + 1, key->start_mark.column + 1 };
	err = label(p, key, "channel", c->name) ?:
	      record(p, val, "a channel", keys, "endpoint, senders, receiver or capacity");
	if (err)
		return err;
	ep = need(p, val, "endpoint", c->name, &err);
	senders = need(p, val, "senders", c->name, &err);
	receiver = need(p, val, "receiver", c->name, &err);
	cap = get(p, val, "capacity");
	err = err ?: endpoint_ref(p, ep, c->endpoint) ?:
		     container_ref(p, receiver, "receiver", c->receiver) ?:
		     parse_senders(p, senders, c) ?:
		     (cap ? uint_value(p, cap, "capacity", UINT32_MAX, &n) : 0);
	if (err)
		return err;
	c->capacity = n;
	for (o = p->pol->channels; o < c; o++)
		if (!strcmp(o->endpoint, c->endpoint))
			return fail(p, ep, "channel '%s': endpoint '%s' already carries channel '%s'",
				    c->name, c->endpoint, o->name);
	e = &p->pol->endpoints[vipc_index_find(&p->endpoints, c->endpoint)];
	if (!vipc_kind_unix(e->kind))
		return fail(p, ep, "channel '%s': endpoint '%s' is a %s endpoint: channels carry "
			    "UNIX sockets", c->name, c->endpoint, vipc_kind_key(e->kind));
	if (strcmp(e->owner, c->receiver))
		return fail(p, receiver, "channel '%s': receiver '%s' does not own endpoint '%s' (its owner is '%s')",
			    c->name, c->receiver, c->endpoint, e->owner);
	return 0;
}

/* `allow: [connect, send]`: at least one known permission, each one that
 * means something for @e's kind.
 */
static int parse_allow(struct parser *p, yaml_node_t *node, const struct vipc_policy_endpoint *e,
		       __u32 *perms)
{
	yaml_node_item_t *item;
	const char *s = "";
	__u32 bit = 0;
	int err;

	err = expect(p, node, YAML_SEQUENCE_NODE, "a list of permissions");
	if (!err && node->data.sequence.items.top == node->data.sequence.items.start)
		err = fail(p, node, "allow: expected at least one of connect, send, bind, pass-fd, "
			   "receive");
	for (item = node->data.sequence.items.start; !err && item < node->data.sequence.items.top;
	     item++) {
		err = scalar(p, node_at(p, *item), "a permission", &s);
		if (!err && vipc_perm_parse(s, &bit))
			err = fail(p, node_at(p, *item),
				   "unknown permission '%s' (expected connect, send, bind, pass-fd or "
				   "receive)", s);
		if (!err && !(bit & vipc_kind_perms(e->kind)))
			err = fail(p, node_at(p, *item),
				   "permission '%s' means nothing for endpoint '%s', a %s endpoint "
				   "(expected %s)", s, e->name, vipc_kind_key(e->kind),
				   vipc_kind_perms_text(e->kind));
		*perms |= bit;
	}
	return err;
}

static int parse_grant(struct parser *p, yaml_node_t *node, struct vipc_policy_grant *g)
{
	static const char *const keys[] = { "container", "endpoint", "allow", NULL };
	char *gkey = p->grant_keys[g - p->pol->grants];
	yaml_node_t *c, *e, *allow;
	long other;
	int err = 0;

	g->pos = (struct vipc_pos){ node->start_mark.line + 1, node->start_mark.column + 1 };
	err = record(p, node, "a grant", keys, "container, endpoint or allow");
	if (err)
		return err;
	c = need(p, node, "container", "grant", &err);
	e = need(p, node, "endpoint", "grant", &err);
	allow = need(p, node, "allow", "grant", &err);
	err = err ?: container_ref(p, c, "container", g->container) ?: endpoint_ref(p, e, g->endpoint);
	err = err ?: parse_allow(p, allow,
				 &p->pol->endpoints[vipc_index_find(&p->endpoints, g->endpoint)],
				 &g->perms);
	if (err)
		return err;
	snprintf(gkey, sizeof(p->grant_keys[0]), "%lx.%lx", vipc_index_find(&p->containers, g->container),
		 vipc_index_find(&p->endpoints, g->endpoint));
	other = vipc_index_add(&p->grants, gkey, g - p->pol->grants);
	if (other >= 0)
		err = fail(p, node, "duplicate grant of '%s' to '%s' (first at line %d)", g->endpoint,
			   g->container, p->pol->grants[other].pos.line);
	return err;
}

/* Each NAME: {...} entry of a table section in file order; *nr counts the
 * entries read so far (the failed one too, so it is freed), and later
 * entries see the earlier ones.
 */
static int parse_table(struct parser *p, yaml_node_t *root, const char *key, size_t elem,
		       void **arr, size_t *nr, parse_entry_fn fn, struct hsearch_data *names)
{
	yaml_node_pair_t *pair;
	yaml_node_t *node;
	int err;

	err = section_table(p, root, key, elem, arr, &node);
	for (pair = node ? node->data.mapping.pairs.start : NULL;
	     !err && pair && pair < node->data.mapping.pairs.top; pair++, (*nr)++) {
		err = fn(p, node_at(p, pair->key), node_at(p, pair->value), (char *)*arr + *nr * elem);
		if (!err && names)
			vipc_index_add(names, (const char *)node_at(p, pair->key)->data.scalar.value, *nr);
	}
	return err;
}

/* Grants come as a list, each checked against the ones before it. */
static int parse_grants(struct parser *p, yaml_node_t *root)
{
	struct vipc_policy *pol = p->pol;
	yaml_node_t *node = get(p, root, "grants");
	yaml_node_item_t *item;
	size_t n;
	int err;

	if (!node || is_null(node))
		return 0;
	err = expect(p, node, YAML_SEQUENCE_NODE, "a list of grants");
	if (err)
		return err;
	n = node->data.sequence.items.top - node->data.sequence.items.start;
	pol->grants = calloc(n ?: 1, sizeof(*pol->grants));
	p->grant_keys = calloc(n ?: 1, sizeof(*p->grant_keys));
	if (!pol->grants || !p->grant_keys || vipc_index_init(&p->grants, n))
		return fail_file(p->err, ENOMEM, "out of memory");
	for (item = node->data.sequence.items.start; !err && item < node->data.sequence.items.top;
	     item++, pol->nr_grants++)
		err = parse_grant(p, node_at(p, *item), &pol->grants[pol->nr_grants]);
	return err;
}

int vipc_rate_parse(const char *text, __u64 *interval_ms)
{
	unsigned long long n;
	char *end;

	if (!strcmp(text, "all")) {
		*interval_ms = 0;
		return 0;
	}
	errno = 0;
	n = strtoull(text, &end, 10);
	if (end == text || *text < '0' || *text > '9' || errno)
		return -EINVAL;
	if (!strcmp(end, "s") && n <= VIPC_RATE_MAX_MS / 1000)
		n *= 1000;
	else if (strcmp(end, "ms"))
		return -EINVAL;
	if (n < 1 || n > VIPC_RATE_MAX_MS)
		return -EINVAL;
	*interval_ms = n;
	return 0;
}

/* `events: { rate: all | N ms | N s }` into the policy's events interval. */
static int parse_events(struct parser *p, yaml_node_t *root)
{
	static const char *const keys[] = { "rate", NULL };
	yaml_node_t *events = get(p, root, "events"), *rate;
	const char *s = "";
	int err;

	if (!events || is_null(events))
		return 0;
	err = record(p, events, "events", keys, "rate");
	rate = err ? NULL : get(p, events, "rate");
	if (err || !rate)
		return err;
	err = scalar(p, rate, "an event rate", &s);
	if (!err && vipc_rate_parse(s, &p->pol->events_interval_ms))
		err = fail(p, rate, "rate: expected 'all' or an interval from 1ms to %ds "
			   "(e.g. 500ms, 2s), got '%s'", VIPC_RATE_MAX_MS / 1000, s);
	return err;
}

static int parse_header(struct parser *p, yaml_node_t *root)
{
	static const char *const keys[] = { "version", "defaults", "events", "containers",
					    "endpoints", "channels", "grants", NULL };
	static const char *const dkeys[] = { "unknown", "mode", "others", NULL };
	yaml_node_t *version, *defaults;
	unsigned long v;
	int err;

	err = expect(p, root, YAML_MAPPING_NODE, "a mapping with 'version: 1' at the top") ?:
	      check_keys(p, root, keys,
			 "version, defaults, events, containers, endpoints, channels or grants");
	if (err)
		return err;
	version = get(p, root, "version");
	if (!version)
		return fail(p, root, "missing 'version: 1'");
	err = uint_value(p, version, "version", UINT32_MAX, &v);
	if (!err && v != VIPC_POLICY_VERSION)
		err = fail(p, version, "unsupported version %lu (expected %d)", v,
			   VIPC_POLICY_VERSION);
	err = err ?: parse_events(p, root);
	defaults = get(p, root, "defaults");
	if (err || !defaults || is_null(defaults))
		return err;
	return record(p, defaults, "defaults", dkeys, "unknown, mode or others") ?:
	       mode_and_unknown(p, defaults, &p->pol->default_mode, &p->pol->default_unknown) ?:
	       others_of(p, defaults, &p->pol->default_others, &p->pol->default_others_set);
}

/* YAML syntax errors come from libyaml with their own mark. */
static int syntax_error(struct parser *p, const yaml_parser_t *yp)
{
	if (yp->error == YAML_MEMORY_ERROR)
		return fail_file(p->err, ENOMEM, "out of memory");
	p->err->line = yp->problem_mark.line + 1;
	p->err->column = yp->problem_mark.column + 1;
	snprintf(p->err->msg, sizeof(p->err->msg), "invalid YAML: %s%s%s",
		 yp->problem ?: "syntax error", yp->context ? " " : "", yp->context ?: "");
	return -EINVAL;
}

/* One document, the policy; a second one (after "---") would otherwise be
 * silently ignored, so it is an error at its start. An empty one is fine.
 */
static int load_document(struct parser *p, const char *text, size_t len)
{
	yaml_document_t extra;
	yaml_node_t *root;
	yaml_parser_t yp;
	int err = 0;

	if (!yaml_parser_initialize(&yp))
		return fail_file(p->err, ENOMEM, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &p->doc)) {
		err = syntax_error(p, &yp);
	} else {
		if (!yaml_parser_load(&yp, &extra)) {
			err = syntax_error(p, &yp);
		} else {
			root = yaml_document_get_root_node(&extra);
			if (root && !is_null(root)) {
				p->err->line = extra.start_mark.line + 1;
				p->err->column = extra.start_mark.column + 1;
				snprintf(p->err->msg, sizeof(p->err->msg),
					 "expected a single YAML document, found a second one");
				err = -EINVAL;
			}
			yaml_document_delete(&extra);
		}
		if (err)
			yaml_document_delete(&p->doc);
	}
	yaml_parser_delete(&yp);
	return err;
}

/* libyaml's scanner spends time in proportion to the flow nesting on every
 * token (a file of 10^6 '[' takes hours), so walk the events first and stop
 * at the first collection nested deeper than MAX_DEPTH. Syntax errors are
 * left to load_document(), which meets them again.
 */
static int check_depth(struct parser *p, const char *text, size_t len)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	int depth = 0, err = 0;
	bool end = false;

	if (!yaml_parser_initialize(&yp))
		return fail_file(p->err, ENOMEM, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	while (!end && !err && yaml_parser_parse(&yp, &ev)) {
		depth += ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT;
		depth -= ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT;
		end = ev.type == YAML_STREAM_END_EVENT;
		if (depth > MAX_DEPTH) {
			p->err->line = ev.start_mark.line + 1;
			p->err->column = ev.start_mark.column + 1;
			snprintf(p->err->msg, sizeof(p->err->msg),
				 "nested deeper than %d levels: expected a policy", MAX_DEPTH);
			err = -EINVAL;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	return err;
}

/* Entries of a table section, to size its indexes; 0 when it is no mapping. */
static size_t section_size(struct parser *p, yaml_node_t *root, const char *key)
{
	yaml_node_t *node = get(p, root, key);

	return node && node->type == YAML_MAPPING_NODE ?
		       (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start) : 0;
}

static int make_indexes(struct parser *p, yaml_node_t *root)
{
	size_t nc = section_size(p, root, "containers"), ne = section_size(p, root, "endpoints");

	size_t k;

	if (vipc_index_init(&p->containers, nc) || vipc_index_init(&p->endpoints, ne))
		return fail_file(p->err, ENOMEM, "out of memory");
	for (k = 0; k < VIPC_NR_KINDS; k++)
		if (vipc_index_init(&p->addrs[k], ne * VIPC_INSTANCES))
			return fail_file(p->err, ENOMEM, "out of memory");
	return 0;
}

static void free_indexes(struct parser *p)
{
	hdestroy_r(&p->containers);
	hdestroy_r(&p->endpoints);
	for (size_t k = 0; k < VIPC_NR_KINDS; k++)
		hdestroy_r(&p->addrs[k]);
	hdestroy_r(&p->grants);
	free(p->grant_keys);
}

int vipc_policy_parse_string(const char *text, size_t len, const char *name,
			     struct vipc_policy **out, struct vipc_policy_error *err)
{
	struct parser p = { .err = err };
	yaml_node_t *root;
	int ret;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name);
	p.pol = calloc(1, sizeof(*p.pol));
	if (!p.pol)
		return fail_file(err, ENOMEM, "out of memory");
	p.pol->events_interval_ms = VIPC_EVENTS_INTERVAL_MS;
	ret = check_depth(&p, text, len) ?: load_document(&p, text, len);
	if (ret)
		goto out_free;
	/* Phase 1: the header; then each section, referenced names first. */
	root = yaml_document_get_root_node(&p.doc);
	if (!root || is_null(root))
		ret = fail_file(err, EINVAL, "empty policy: expected 'version: 1' and sections");
	else
		ret = parse_header(&p, root) ?: make_indexes(&p, root) ?:
		      parse_table(&p, root, "containers", sizeof(*p.pol->containers),
				  (void **)&p.pol->containers, &p.pol->nr_containers,
				  parse_container, &p.containers) ?:
		      parse_table(&p, root, "endpoints", sizeof(*p.pol->endpoints),
				  (void **)&p.pol->endpoints, &p.pol->nr_endpoints, parse_endpoint,
				  &p.endpoints) ?:
		      parse_table(&p, root, "channels", sizeof(*p.pol->channels),
				  (void **)&p.pol->channels, &p.pol->nr_channels, parse_channel,
				  NULL) ?:
		      parse_grants(&p, root);
	yaml_document_delete(&p.doc);
	free_indexes(&p);
out_free:
	if (ret)
		vipc_policy_free(p.pol);
	else
		*out = p.pol;
	return ret;
}

/* Why a file is not one we read: 0 for a regular file of a sane size. */
static int file_unfit(int fd, off_t *size)
{
	struct stat st;

	if (fstat(fd, &st))
		return errno;
	*size = st.st_size;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode))
		return EINVAL;
	return st.st_size > VIPC_POLICY_MAX_BYTES ? EFBIG : 0;
}

int vipc_policy_read_file(const char *path, char **text, size_t *len,
			  struct vipc_policy_error *err)
{
	off_t size = 0;
	ssize_t n = 0;
	int fd, bad;

	/* O_NONBLOCK: a fifo is refused below instead of waiting for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fail_file(err, errno, "cannot open: %s", strerror(errno));
	bad = file_unfit(fd, &size);
	if (bad) {
		close(fd);
		return fail_file(err, bad, "%s", bad == EFBIG ? "larger than the 16 MiB a policy may be" :
						  bad == EISDIR ? "is a directory, expected a policy file" :
						  bad == EINVAL ? "not a regular file" : strerror(bad));
	}
	*text = malloc(size + 1);
	if (!*text) {
		close(fd);
		return fail_file(err, ENOMEM, "out of memory");
	}
	for (*len = 0; *len < (size_t)size; *len += n) {
		n = read(fd, *text + *len, size - *len);
		if (n <= 0)
			break;
	}
	bad = n < 0 ? errno : 0;
	close(fd);
	return bad ? fail_file(err, bad, "cannot read: %s", strerror(bad)) : 0;
}

int vipc_policy_parse_file(const char *path, struct vipc_policy **out,
			   struct vipc_policy_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	ret = vipc_policy_read_file(path, &text, &len, err);
	if (!ret)
		ret = vipc_policy_parse_string(text, len, path, out, err);
	free(text);
	return ret;
}

/* The cgroup2 path of @pid, from the "0::/path" line of its cgroup file. */
static int pid_cgroup(const char *procroot, int pid, char *buf, size_t size)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/cgroup", procroot, pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (ret && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(buf, size, "%s", line + 3);
		ret = 0;
	}
	free(line);
	fclose(f);
	return ret;
}

__attribute__((format(printf, 3, 4))) static int verror_at(struct vipc_policy_error *err,
							    const struct vipc_policy_container *c,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, c->pos.line, c->pos.column, fmt, ap);
	va_end(ap);
	return -ENOENT;
}

/* @path names @cgroot or something under it ("/sys/fs/cgroup2" is not under
 * "/sys/fs/cgroup").
 */
static bool under_cgroot(const char *path, const char *cgroot)
{
	size_t n = strlen(cgroot);

	return path[0] == '/' && !strncmp(path, cgroot, n) &&
	       (!path[n] || path[n] == '/' || (n && cgroot[n - 1] == '/'));
}

int vipc_hierarchy_path(const char *rel, const char *cgroot, char out[VIPC_CGROUP_PATH_MAX])
{
	size_t n = 0, len;
	const char *s;

	if (under_cgroot(rel, cgroot))
		rel += strlen(cgroot);
	for (s = rel; *s; s += len) {
		s += strspn(s, "/");
		len = strcspn(s, "/");
		if (!len)
			break;
		if ((len == 1 && s[0] == '.') || (len == 2 && !strncmp(s, "..", 2)))
			return -EINVAL;
		if (n + 1 + len >= VIPC_CGROUP_PATH_MAX)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, s, len);
		n += len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = 0;
	return 0;
}

/* A cgroup's id is its directory's inode number on cgroup2. */
static int resolve_one(struct vipc_policy_container *c, const char *cgroot, const char *procroot,
		       struct vipc_policy_error *err)
{
	char rel[PATH_MAX], path[PATH_MAX * 2];
	struct stat st;
	int ret;

	if (c->pid && pid_cgroup(procroot, c->pid, rel, sizeof(rel)))
		return verror_at(err, c, "container '%s': no process %d (or it has no cgroup2 cgroup)",
				 c->name, c->pid);
	if (!c->pid)
		snprintf(rel, sizeof(rel), "%s", c->cgroup);
	ret = vipc_hierarchy_path(rel, cgroot, c->path);
	if (ret)
		return ret == -EINVAL ?
			       verror_at(err, c, "container '%s': cgroup %s: expected a path "
					 "without . or .. components", c->name, rel) :
			       verror_at(err, c, "container '%s': cgroup %s: expected at most %d "
					 "bytes within the cgroup2 hierarchy", c->name, rel,
					 VIPC_CGROUP_PATH_MAX - 1);
	snprintf(path, sizeof(path), "%s%s", cgroot, c->path);
	c->cgroup_id = !c->glob && !stat(path, &st) && S_ISDIR(st.st_mode) ? st.st_ino : 0;
	if (c->pid && !c->cgroup_id)
		return verror_at(err, c, "container '%s': missing cgroup %s of process %d", c->name,
				 path, c->pid);
	return 0;
}

/* Number @c among the globs of its parent directory, in policy order; two
 * equal globs, or more than a parent holds, are errors at the later one.
 */
static int index_glob(struct vipc_policy *pol, struct vipc_policy_container *c,
		      struct vipc_policy_error *err)
{
	const struct vipc_policy_container *o;
	size_t n = 0;

	c->parent_len = strrchr(c->path, '/') - c->path;
	vipc_glob_make(&c->pattern, c->path + c->parent_len + 1,
		       strlen(c->path) - c->parent_len - 1);
	for (o = pol->containers; o < c; o++) {
		if (!o->glob || o->parent_len != c->parent_len ||
		    strncmp(o->path, c->path, c->parent_len))
			continue;
		if (!strcmp(o->path, c->path))
			return verror_at(err, c, "container '%s': cgroup %s is container '%s''s "
					 "glob too", c->name, c->path, o->name);
		n++;
	}
	if (n >= VIPC_GLOB_PER_PARENT)
		return verror_at(err, c, "container '%s': cgroup %s: expected at most %d globs "
				 "in one directory", c->name, c->path, VIPC_GLOB_PER_PARENT);
	c->glob_index = n;
	return 0;
}

int vipc_policy_resolve(struct vipc_policy *pol, const char *cgroot, const char *procroot,
			struct vipc_policy_error *err)
{
	struct vipc_policy_container *c;
	size_t i;
	int ret;

	snprintf(pol->cgroot, sizeof(pol->cgroot), "%s", cgroot);
	for (i = 0; i < pol->nr_containers; i++) {
		c = &pol->containers[i];
		if (c->runtime)
			continue; /* bound as its runtime's cgroups appear */
		ret = resolve_one(c, cgroot, procroot, err) ?:
		      c->glob ? index_glob(pol, c, err) : 0;
		if (ret)
			return ret;
	}
	return 0;
}

void vipc_policy_free(struct vipc_policy *pol)
{
	size_t i;

	if (!pol)
		return;
	for (i = 0; i < pol->nr_channels; i++)
		free(pol->channels[i].senders);
	for (i = 0; i < pol->nr_endpoints; i++)
		free(pol->endpoints[i].views);
	free(pol->containers);
	free(pol->endpoints);
	free(pol->grants);
	free(pol->channels);
	free(pol);
}

size_t vipc_policy_closed_by_default(const struct vipc_policy *pol, char *buf, size_t size)
{
	size_t i, n = 0, at = 0;
	int w;

	if (size)
		buf[0] = 0;
	for (i = 0; i < pol->nr_endpoints; i++) {
		if (pol->endpoints[i].others_set)
			continue;
		w = at < size ? snprintf(buf + at, size - at, "%s%s", n ? ", " : "",
					 pol->endpoints[i].name) : 0;
		at += w > 0 ? w : 0;
		n++;
	}
	return n;
}

const struct vipc_policy_container *vipc_policy_container(const struct vipc_policy *pol,
							  const char *name)
{
	size_t i;

	for (i = 0; i < pol->nr_containers; i++)
		if (!strcmp(pol->containers[i].name, name))
			return &pol->containers[i];
	return NULL;
}

const struct vipc_policy_endpoint *vipc_policy_endpoint(const struct vipc_policy *pol,
							const char *name)
{
	size_t i;

	for (i = 0; i < pol->nr_endpoints; i++)
		if (!strcmp(pol->endpoints[i].name, name))
			return &pol->endpoints[i];
	return NULL;
}

void vipc_policy_error_format(const struct vipc_policy_error *err, char *buf, size_t size)
{
	if (err->line)
		snprintf(buf, size, "%s:%d:%d: %s", err->file, err->line, err->column, err->msg);
	else
		snprintf(buf, size, "%s: %s", err->file, err->msg);
}

int vipc_perm_parse(const char *word, __u32 *bit)
{
	int i = vipc_name_index(vipc_perm_names, word);

	if (i < 0)
		return -EINVAL;
	*bit = 1U << i;
	return 0;
}

int vipc_perms_parse(const char *list, __u32 *bits)
{
	char word[16];
	const char *p = list;
	size_t n;
	__u32 bit;

	*bits = 0;
	do {
		n = strcspn(p, ",");
		if (!n || n >= sizeof(word))
			return -EINVAL;
		memcpy(word, p, n);
		word[n] = 0;
		if (vipc_perm_parse(word, &bit))
			return -EINVAL;
		*bits |= bit;
		p += n;
	} while (*p++ == ',');
	return 0;
}

void vipc_perms_format(__u32 bits, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; vipc_perm_names[i]; i++) {
		if (!(bits & (1U << i)))
			continue;
		off += snprintf(buf + off, off < size ? size - off : 0, "%s%s", off ? "," : "",
				vipc_perm_names[i]);
	}
	if (!off)
		snprintf(buf, size, "none");
}

/* "tcp:ADDR:PORT" or "udp:ADDR:PORT": 0, or -EINVAL. */
static int inet_addr_parse(const char *text, __u8 *kind, char addr[VIPC_NAME_MAX], __u8 *len)
{
	*kind = !strncmp(text, "tcp:", 4) ? VIPC_KIND_TCP : VIPC_KIND_UDP;
	*len = VIPC_INET_NAME_LEN;
	memset(addr, 0, VIPC_NAME_MAX);
	return vipc_inet_parse(text + 4, addr);
}

bool vipc_addr_is_inet(const char *text)
{
	return !strncmp(text, "tcp:", 4) || !strncmp(text, "udp:", 4);
}

bool vipc_addr_is_file(const char *text)
{
	return !strncmp(text, "mqueue:", 7) || !strncmp(text, "fifo:", 5);
}

/* "fifo:/PATH", the FIFO there now: its inode's device (as the kernel keeps
 * it) and number. 0, -EINVAL when relative, -ENOTSUP when not a FIFO,
 * -EXDEV on a file system whose stat gives another device than its
 * inodes' (overlayfs, btrfs), or stat's error.
 */
static int fifo_addr_parse(const char *text, __u8 *kind, char addr[VIPC_NAME_MAX], __u8 *len)
{
	struct statfs fs;
	struct stat st;
	__u64 dev, ino;

	if (text[5] != '/')
		return -EINVAL;
	if (stat(text + 5, &st) || statfs(text + 5, &fs))
		return -errno;
	if (!S_ISFIFO(st.st_mode))
		return -ENOTSUP;
	if (fs.f_type == OVERLAYFS_SUPER_MAGIC || fs.f_type == BTRFS_SUPER_MAGIC)
		return -EXDEV;
	dev = (__u64)major(st.st_dev) << 20 | minor(st.st_dev);
	ino = st.st_ino;
	*kind = VIPC_KIND_FIFO;
	*len = VIPC_FIFO_NAME_LEN;
	memset(addr, 0, VIPC_NAME_MAX);
	memcpy(addr, &dev, 8);
	memcpy(addr + 8, &ino, 8);
	return 0;
}

/* "mqueue:/NAME" (NAME: 1 to VIPC_NAME_MAX bytes, no '/'): 0, or -EINVAL. */
static int mqueue_addr_parse(const char *text, __u8 *kind, char addr[VIPC_NAME_MAX], __u8 *len)
{
	const char *name = text + 8;
	size_t n;

	if (text[7] != '/')
		return -EINVAL; /* "mqueue:" alone ends at text[7]: nothing to read past it */
	n = strlen(name);
	if (!n || n > VIPC_NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	*kind = VIPC_KIND_MQUEUE;
	*len = n;
	memset(addr, 0, VIPC_NAME_MAX);
	memcpy(addr, name, n);
	return 0;
}

int vipc_addr_parse(const char *text, __u8 *kind, char addr[VIPC_NAME_MAX], __u8 *len)
{
	bool abstract = text[0] == '@';
	const char *name = text + abstract;
	size_t n = strlen(name), max = abstract ? VIPC_NAME_MAX - 1 : VIPC_NAME_MAX;
	union vipc_name normal = {};

	if (vipc_addr_is_inet(text))
		return inet_addr_parse(text, kind, addr, len);
	if (!strncmp(text, "mqueue:", 7))
		return mqueue_addr_parse(text, kind, addr, len);
	if (!strncmp(text, "fifo:", 5))
		return fifo_addr_parse(text, kind, addr, len);
	if (!n || (!abstract && name[0] != '/'))
		return -EINVAL;
	if (n > max)
		return -ENAMETOOLONG;
	memcpy(normal.bytes, name, n);
	*kind = abstract ? VIPC_KIND_UNIX_ABSTRACT : VIPC_KIND_UNIX_PATH;
	*len = abstract ? n : vipc_path_normalize(&normal, n);
	memset(addr, 0, VIPC_NAME_MAX);
	memcpy(addr, normal.bytes, *len);
	return *len != n || memcmp(addr, name, n);
}

bool vipc_addr_reserved(__u8 kind, const char *addr, __u8 len)
{
	return kind == VIPC_KIND_UNIX_ABSTRACT && len >= VIPC_BROKER_PREFIX_LEN &&
	       !memcmp(addr, VIPC_BROKER_PREFIX, VIPC_BROKER_PREFIX_LEN);
}

void vipc_endpoint_key_make(struct vipc_endpoint_key *key, union vipc_name *name, __u32 slot,
			    __u8 kind, const char *addr, __u8 len)
{
	memset(key, 0, sizeof(*key));
	memset(name, 0, sizeof(*name));
	key->slot = slot;
	key->kind = kind;
	key->len = len < VIPC_NAME_MAX ? len : VIPC_NAME_MAX;
	memcpy(name->bytes, addr, key->len);
	key->hash = vipc_name_hash(name, key->len);
}
