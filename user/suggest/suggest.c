// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* From an audit record to policy. Records are summed per (container, exact
 * socket name); each sum is then judged against a policy (a file, or the
 * loaded registry): the name is found by its address among the endpoints,
 * a grant is added or widened for the reasons a grant fixes, and the rest
 * (impostor, channel-full, names no policy can hold, containers it does
 * not have) is only reported, as comments with counts. The YAML is built
 * as a libyaml document and written by libyaml's emitter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "suggest.h"
#include "names.h"
#include "registry.h"
#include "runtime.h"
#include "grow.h"
#include "table.h"
#include "log.h"
#include "vipc_name.h"
#include "text.h"
#include "inet.h"

#define NR_PERMS 5
#define LINE_BYTES 16384    /* longer lines are refused: an event line is ~1 KiB */
#define MAX_CALLS (1 << 20) /* distinct (container, name) pairs summed at most */
#define MAX_BAD_SHOWN 10    /* bad lines reported one by one, then only counted */
#define JSON_DEPTH 4	    /* a record nests 1 deep, a snapshot 2 */
#define NO_CONTAINER "-"    /* the container of a caller no container holds, as events name it */
#define LABEL_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"

/* The calls one container (or one cgroup no container held) made to one name. */
struct call {
	char container[VIPC_LABEL_MAX]; /* as the record names it: a label, "#id", or "-" */
	char cgroup[VIPC_CGROUP_PATH_MAX]; /* for "-": the caller's cgroup, "" when not known */
	__u8 kind;			/* enum vipc_kind */
	__u8 len;
	char addr[VIPC_NAME_MAX];
	__u32 fix_perms;		/* asked with a reason a grant fixes */
	__u64 by_reason[VIPC_R__COUNT]; /* calls, per reason */
	__u64 denied, audited;		/* calls denied, and let through by audit mode */
};

/* A container to add: a cgroup that callers no container held came from. */
struct added {
	char label[VIPC_LABEL_MAX];
	char path[VIPC_CGROUP_PATH_MAX]; /* the cgroup, within the hierarchy */
	__u8 runtime;			 /* VIPC_SEL_DOCKER or VIPC_SEL_PODMAN when one knows it */
	bool used;			 /* a grant is suggested for it: it is written */
	char name[VIPC_RT_NAME_MAX];	 /* the runtime's name for it */
};

struct vipc_suggest {
	void *index; /* tsearch tree over calls[] */
	struct call **calls;
	size_t nr, cap;
	struct vipc_suggest_counts n;
	const char *cgroot;		  /* the cgroup2 mount, NULL when not known */
	const struct vipc_rt_roots *roots; /* where the runtimes keep their state, or NULL */
	struct added *added;		  /* the cgroups judged last, each once */
	size_t nr_added, cap_added;
};

int vipc_suggest_new(struct vipc_suggest **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

/* The tree's nodes point into calls[], which frees them. */
static void keep(void *p)
{
	(void)p;
}

void vipc_suggest_free(struct vipc_suggest *s)
{
	size_t i;

	if (!s)
		return;
	tdestroy(s->index, keep);
	for (i = 0; i < s->nr; i++)
		free(s->calls[i]);
	free(s->calls);
	free(s->added);
	free(s);
}

const struct vipc_suggest_counts *vipc_suggest_counts(const struct vipc_suggest *s)
{
	return &s->n;
}

void vipc_suggest_where(struct vipc_suggest *s, const char *cgroot,
			const struct vipc_rt_roots *roots)
{
	s->cgroot = cgroot;
	s->roots = roots;
}

/* By container, then cgroup, then kind (pathnames first), then the name's bytes. */
static int call_cmp(const void *a, const void *b)
{
	const struct call *x = a, *y = b;
	int d = strcmp(x->container, y->container) ?: strcmp(x->cgroup, y->cgroup);

	if (d || x->kind != y->kind)
		return d ?: x->kind - y->kind;
	d = memcmp(x->addr, y->addr, x->len < y->len ? x->len : y->len);
	return d ?: x->len - y->len;
}

static int call_ptr_cmp(const void *a, const void *b)
{
	return call_cmp(*(struct call *const *)a, *(struct call *const *)b);
}

/* The sum for @key's container and name, added when new; NULL: no memory
 * or too many.
 */
static struct call *call_get(struct vipc_suggest *s, const struct call *key)
{
	struct call **found = tfind(key, &s->index, call_cmp), *c, **grown;

	if (found)
		return *found;
	if (s->nr == MAX_CALLS)
		return NULL;
	grown = vipc_grow(s->calls, s->nr, &s->cap, sizeof(*grown));
	if (!grown)
		return NULL;
	s->calls = grown;
	c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	*c = *key;
	if (!tsearch(c, &s->index, call_cmp)) {
		free(c);
		return NULL;
	}
	s->calls[s->nr++] = c;
	return c;
}

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t size, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Member @key of @rec as a string without NUL bytes, or NULL. */
static const char *str_member(json_object *rec, const char *key, size_t *len)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(rec, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	*len = json_object_get_string_len(v);
	return strlen(s) == *len ? s : NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "name" and "name_hex" into kind, bytes and length: the hex must be the
 * bytes the text shows, as the loader writes both, or the record is bad.
 */
static int record_name(json_object *rec, struct call *c, char *why, size_t size)
{
	char text[VIPC_TEXT_SIZE(VIPC_NAME_MAX)];
	const char *name, *hex;
	size_t n, hn, i;

	name = str_member(rec, "name", &n);
	hex = str_member(rec, "name_hex", &hn);
	if (!name || !hex)
		return bad(why, size, "no string \"%s\"", name ? "name_hex" : "name");
	if (hn % 2 || hn > 2 * VIPC_NAME_MAX || !hn)
		return bad(why, size, "\"name_hex\" is not 1 to %d bytes in hex", VIPC_NAME_MAX);
	for (i = 0; i < hn; i += 2) {
		if (hexval(hex[i]) < 0 || hexval(hex[i + 1]) < 0)
			return bad(why, size, "\"name_hex\" is not lowercase hex");
		c->addr[i / 2] = hexval(hex[i]) << 4 | hexval(hex[i + 1]);
	}
	c->len = hn / 2;
	c->kind = name[0] == '@'		? VIPC_KIND_UNIX_ABSTRACT :
		  !strncmp(name, "tcp:", 4) ? VIPC_KIND_TCP :
		  !strncmp(name, "udp:", 4) ? VIPC_KIND_UDP :
		  !strncmp(name, "mqueue:", 7) ? VIPC_KIND_MQUEUE :
		  !strncmp(name, "fifo:", 5) ? VIPC_KIND_FIFO :
					      VIPC_KIND_UNIX_PATH;
	vipc_addr_format(c->kind, c->addr, c->len, text, sizeof(text));
	if (strcmp(text, name))
		return bad(why, size, "\"name\" and \"name_hex\" differ");
	return 0;
}

/* @len bytes of vipc_bytes_format's text into the bytes it stands for, in
 * @out (@size bytes, NUL-terminated): 0; -EINVAL when no bytes give that
 * text, or they hold a NUL; -E2BIG when they do not fit.
 */
static int unescape(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;
	int b;

	for (i = 0; i < len; i++, n++) {
		b = (unsigned char)s[i];
		if (b == '\\') {
			if (len - i < 4 || s[i + 1] != 'x' || hexval(s[i + 2]) < 0 ||
			    hexval(s[i + 3]) < 0)
				return -EINVAL;
			b = hexval(s[i + 2]) << 4 | hexval(s[i + 3]);
			if (!b || (b > 0x20 && b < 0x7f && b != '\\'))
				return -EINVAL; /* a NUL, or a byte written as itself */
			i += 3;
		} else if (b <= 0x20 || b >= 0x7f) {
			return -EINVAL;
		}
		if (n + 1 >= size)
			return -E2BIG;
		out[n] = b;
	}
	out[n] = 0;
	return 0;
}

/* "cgroup", the cgroup path of a caller no container holds, into @c: the
 * loader's escaped text of an absolute path. A path longer than a selector
 * holds is kept as none: no selector could name it.
 */
static int record_cgroup(json_object *rec, struct call *c, char *why, size_t size)
{
	const char *text;
	size_t n;
	int err;

	if (!json_object_object_get_ex(rec, "cgroup", NULL))
		return 0;
	text = str_member(rec, "cgroup", &n);
	err = text && text[0] == '/' ? unescape(text, n, c->cgroup, sizeof(c->cgroup)) : -EINVAL;
	if (err)
		c->cgroup[0] = 0;
	return err == -EINVAL ? bad(why, size, "\"cgroup\" is not a path as the loader writes it") :
				0;
}

/* The reason and permission of a record, by the names the loader prints. */
static int record_reason(json_object *rec, enum vipc_reason *reason, __u32 *perm, char *why,
			 size_t size)
{
	const char *r, *p;
	size_t n;

	r = str_member(rec, "reason", &n);
	for (*reason = 0; r && *reason < VIPC_R__COUNT; (*reason)++)
		if (!strcmp(r, vipc_reason_str(*reason)))
			break;
	if (!r || *reason == VIPC_R__COUNT)
		return bad(why, size, "no known \"reason\"");
	p = str_member(rec, "perm", &n);
	if (!p || vipc_perm_parse(p, perm))
		return bad(why, size, "\"perm\" is not one of connect, send, bind, pass-fd, receive");
	return 0;
}

/* 1 + "suppressed": the calls a record stands for (aggregated events). */
static __u64 sat_add(__u64 a, __u64 b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* The calls a record stands for: a deny or would-deny event is its own call
 * and the @suppressed ones of its key before it; a summary only those.
 */
static int record_calls(json_object *rec, bool summary, __u64 *calls, char *why, size_t size)
{
	json_object *v;

	*calls = !summary;
	if (!json_object_object_get_ex(rec, "suppressed", &v))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return bad(why, size, "\"suppressed\" is not a count");
	*calls = sat_add(*calls, json_object_get_uint64(v));
	return 0;
}

static bool grant_fixes(enum vipc_reason r)
{
	return r == VIPC_R_UNKNOWN_DENY || r == VIPC_R_NO_GRANT || r == VIPC_R_NO_PERM ||
	       r == VIPC_R_REVOKED;
}

int vipc_suggest_record(struct vipc_suggest *s, json_object *rec, char *why, size_t size)
{
	struct call key = {}, *c;
	enum vipc_reason reason;
	const char *type, *who, *verdict;
	bool summary, denied;
	__u32 perm;
	__u64 calls;
	size_t n;
	int err;

	/* Phase 1: only deny, would-deny and summary records count; others are
	 * skipped. A summary's verdict says which its calls were.
	 */
	if (!json_object_is_type(rec, json_type_object))
		return bad(why, size, "not a JSON object");
	type = str_member(rec, "type", &n);
	summary = type && !strcmp(type, "summary");
	if (!type || (strcmp(type, "deny") && strcmp(type, "would-deny") && !summary))
		return 0;
	verdict = summary ? str_member(rec, "verdict", &n) : NULL;
	if (summary && (!verdict || (strcmp(verdict, "deny") && strcmp(verdict, "audit"))))
		return bad(why, size, "a summary's \"verdict\" is not deny or audit");
	denied = summary ? !strcmp(verdict, "deny") : !strcmp(type, "deny");
	/* Phase 2: who, to what, which permission, why, how many times. */
	who = str_member(rec, "container", &n);
	if (!who || !n || n >= VIPC_LABEL_MAX)
		return bad(why, size, "\"container\" is not a string of 1 to %d bytes",
			   VIPC_LABEL_MAX - 1);
	strcpy(key.container, who);
	err = record_name(rec, &key, why, size) ?: record_reason(rec, &reason, &perm, why, size) ?:
	      record_calls(rec, summary, &calls, why, size) ?:
	      (strcmp(who, NO_CONTAINER) ? 0 : record_cgroup(rec, &key, why, size));
	if (err || !calls) /* a summary of no call: its key's event took the count */
		return err;
	/* Phase 3: into the sum of that container and name. */
	c = call_get(s, &key);
	if (!c)
		return s->nr == MAX_CALLS ? bad(why, size, "more than %d container and name pairs",
						MAX_CALLS) : -ENOMEM;
	c->by_reason[reason] = sat_add(c->by_reason[reason], calls);
	if (grant_fixes(reason))
		c->fix_perms |= perm;
	if (denied)
		c->denied = sat_add(c->denied, calls);
	else
		c->audited = sat_add(c->audited, calls);
	s->n.calls = sat_add(s->n.calls, calls);
	s->n.records++;
	return 1;
}

int vipc_suggest_line(struct vipc_suggest *s, const char *line, size_t len, char *why,
		      size_t size)
{
	struct json_tokener *tok;
	json_object *rec;
	size_t end;
	int ret;

	if (strspn(line, " \t\r\n") >= len)
		return 0;
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	rec = json_tokener_parse_ex(tok, line, len);
	end = json_tokener_get_parse_end(tok);
	if (!rec || json_tokener_get_error(tok) != json_tokener_success)
		ret = bad(why, size, "not JSON: %s",
			  json_tokener_error_desc(json_tokener_get_error(tok)));
	else if (end < len && strspn(line + end, " \t\r\n") < len - end)
		ret = bad(why, size, "more than one JSON value on the line");
	else
		ret = vipc_suggest_record(s, rec, why, size);
	json_object_put(rec);
	json_tokener_free(tok);
	return ret;
}

/* A line whose end did not fit the buffer: read to its end, refuse it. */
static bool skip_long_line(FILE *f, const char *buf, size_t len)
{
	int ch;

	if (len < LINE_BYTES - 1 || buf[len - 1] == '\n')
		return false;
	while ((ch = getc(f)) != EOF && ch != '\n')
		;
	return true;
}

int vipc_suggest_read(struct vipc_suggest *s, FILE *f, const char *name)
{
	char *buf = malloc(LINE_BYTES), why[128];
	unsigned long bad_before = s->n.bad;
	size_t len;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	/* Each line alone: a bad one is reported and skipped. */
	while (ret >= 0 && fgets(buf, LINE_BYTES, f)) {
		len = strlen(buf); /* a NUL byte ends the line early: then it is not JSON */
		s->n.lines++;
		if (skip_long_line(f, buf, len))
			ret = bad(why, sizeof(why), "longer than %d bytes", LINE_BYTES - 1);
		else
			ret = vipc_suggest_line(s, buf, len, why, sizeof(why));
		s->n.skipped += ret == 0;
		if (ret == -EINVAL && ++s->n.bad - bad_before <= MAX_BAD_SHOWN)
			pr_warn("%s:%lu: skipped: %s\n", name, s->n.lines, why);
		ret = ret == -EINVAL ? 0 : ret;
	}
	if (s->n.bad - bad_before > MAX_BAD_SHOWN)
		pr_warn("%s: %lu more bad lines skipped\n", name,
			s->n.bad - bad_before - MAX_BAD_SHOWN);
	free(buf);
	return ret < 0 ? ret : ferror(f) ? -EIO : 0;
}

/* What becomes of the calls a grant fixes, against a policy. */
enum fate {
	F_GRANT,	/* a grant added or widened */
	F_GRANTED,	/* the policy has the grant (a reload re-issues a revoked one) */
	F_NEW,		/* no endpoint has the name: register one, then grant it */
	F_NONE,		/* none: every reason is one a grant cannot fix */
	F_STRANGER,	/* the container is none of the policy's */
	F_UNSELECTABLE, /* a caller no container held, in a cgroup no selector names */
	F_UNWRITABLE,	/* a name no policy can hold */
};

struct judged {
	const struct call *c;
	enum fate fate;
	__u32 have;		    /* permissions the policy grants already */
	char who[VIPC_LABEL_MAX];   /* the container it is judged as: its own, or its cgroup's */
	long added;		    /* that container, when new: its index in s->added, else -1 */
	char label[VIPC_LABEL_MAX]; /* the endpoint's label, or the one suggested */
};

/* Valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF), no NUL:
 * what a YAML scalar, and so a policy, can hold byte for byte.
 */
static bool utf8_ok(const unsigned char *b, size_t len)
{
	size_t i = 0, n, k;
	__u32 cp;

	while (i < len) {
		n = b[i] < 0x80 ? 1 : (b[i] & 0xe0) == 0xc0 ? 2 : (b[i] & 0xf0) == 0xe0 ? 3 :
		    (b[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (!n || i + n > len || !b[i])
			return false;
		cp = n == 1 ? b[i] : b[i] & (0x7f >> n);
		for (k = 1; k < n; k++) {
			if ((b[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (b[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* A name a policy's `unix:` (absolute path in normal form), `abstract:`,
 * `tcp:` or `udp:` can hold.
 */
static bool writable(const struct call *c)
{
	union vipc_name n = {};

	if (vipc_kind_inet(c->kind))
		return c->len == VIPC_INET_NAME_LEN;
	if (c->kind == VIPC_KIND_MQUEUE)
		return c->len && !memchr(c->addr, '/', c->len) && !memchr(c->addr, 0, c->len);
	if (c->kind == VIPC_KIND_FIFO)
		return false; /* an inode: no path to write */
	memcpy(n.bytes, c->addr, c->len < VIPC_NAME_MAX ? c->len : VIPC_NAME_MAX);
	if (c->kind == VIPC_KIND_UNIX_PATH && (!c->len || !vipc_path_is_normal(&n, c->len)))
		return false;
	if (c->kind == VIPC_KIND_UNIX_ABSTRACT && c->len > VIPC_NAME_MAX - 1)
		return false;
	return utf8_ok((const unsigned char *)c->addr, c->len);
}

static const struct vipc_policy_endpoint *endpoint_at(const struct vipc_policy *pol,
						      const struct call *c)
{
	size_t i;

	for (i = 0; i < pol->nr_endpoints; i++)
		if (pol->endpoints[i].kind == c->kind && pol->endpoints[i].len == c->len &&
		    !memcmp(pol->endpoints[i].addr, c->addr, c->len))
			return &pol->endpoints[i];
	return NULL;
}

static __u32 granted(const struct vipc_policy *pol, const char *container, const char *endpoint)
{
	size_t i;

	for (i = 0; i < pol->nr_grants; i++)
		if (!strcmp(pol->grants[i].container, container) &&
		    !strcmp(pol->grants[i].endpoint, endpoint))
			return pol->grants[i].perms;
	return 0;
}

/* What a new label must not be: for endpoints, the policy's and those
 * suggested for the calls judged before; for containers, the policy's and
 * those added before.
 */
struct taken {
	const struct vipc_policy *pol;
	const struct judged *j;
	size_t nj;
	const struct vipc_suggest *s;
};

static bool endpoint_taken(const struct taken *t, const char *label)
{
	size_t i;

	for (i = 0; i < t->nj; i++)
		if (t->j[i].fate == F_NEW && !strcmp(t->j[i].label, label))
			return true;
	return vipc_policy_endpoint(t->pol, label) != NULL;
}

static bool container_taken(const struct taken *t, const char *label)
{
	size_t i;

	for (i = 0; i < t->s->nr_added; i++)
		if (!strcmp(t->s->added[i].label, label))
			return true;
	return vipc_policy_container(t->pol, label) != NULL;
}

/* A label from the @len bytes at @b, each not a label character as '-',
 * or @fallback when there are none; made unique with "-2", "-3"... (the
 * stem cut to make room) while @taken says it is.
 */
static void make_label(const char *b, size_t len, const char *fallback, const struct taken *t,
		       bool (*taken)(const struct taken *, const char *), char out[VIPC_LABEL_MAX])
{
	char stem[VIPC_LABEL_MAX], suffix[24];
	size_t i, n = len < VIPC_LABEL_MAX - 1 ? len : VIPC_LABEL_MAX - 1, room;

	for (i = 0; i < n; i++)
		stem[i] = b[i] && strchr(LABEL_CHARS, b[i]) ? b[i] : '-';
	stem[n] = 0;
	if (!n)
		n = snprintf(stem, sizeof(stem), "%s", fallback);
	strcpy(out, stem);
	for (i = 2; taken(t, out); i++) {
		room = VIPC_LABEL_MAX - 1 - snprintf(suffix, sizeof(suffix), "-%zu", i);
		snprintf(out, VIPC_LABEL_MAX, "%.*s%s", (int)(n < room ? n : room), stem, suffix);
	}
}

/* A port's label: "tcp-8080", "udp-53". */
static void port_label(const struct call *c, char *buf, size_t size)
{
	__u16 port;

	memcpy(&port, c->addr + 16, sizeof(port));
	snprintf(buf, size, "%s-%u", vipc_kind_key(c->kind), ntohs(port));
}

/* The label suggested for a new name: the one an earlier container's call
 * to it got, else its last path component, made unique.
 */
static void new_label(const struct vipc_policy *pol, struct judged *j, size_t nj)
{
	const struct call *c = j[nj].c;
	const struct taken t = { .pol = pol, .j = j, .nj = nj };
	const char *start = c->addr, *slash;
	char text[VIPC_LABEL_MAX];
	size_t i;

	for (i = 0; i < nj; i++)
		if (j[i].fate == F_NEW && j[i].c->kind == c->kind && j[i].c->len == c->len &&
		    !memcmp(j[i].c->addr, c->addr, c->len)) {
			strcpy(j[nj].label, j[i].label);
			return;
		}
	if (vipc_kind_inet(c->kind)) {
		port_label(c, text, sizeof(text));
		make_label(text, strlen(text), "endpoint", &t, endpoint_taken, j[nj].label);
		return;
	}
	slash = memrchr(c->addr, '/', c->len);
	if (c->kind == VIPC_KIND_UNIX_PATH && slash)
		start = slash + 1;
	make_label(start, c->len - (start - c->addr), "endpoint", &t, endpoint_taken, j[nj].label);
}

/* A cgroup a `cgroup:` selector names as it is: not the root (every process
 * is under it), no wildcard (a glob), no "." or "..", text a policy holds.
 */
static bool selectable(const char *path)
{
	char norm[VIPC_CGROUP_PATH_MAX];

	return strcmp(path, "/") && !strpbrk(path, "*?") && !vipc_hierarchy_path(path, "", norm) &&
	       !strcmp(norm, path) && utf8_ok((const unsigned char *)path, strlen(path));
}

/* What Docker or Podman calls cgroup @a->path, when one knows it, into @a. */
static void runtime_of(const struct vipc_rt_roots *roots, struct added *a)
{
	struct vipc_rt_info info;

	if (!roots || vipc_rt_resolve(roots, a->path, &info))
		return;
	if ((info.runtime == VIPC_RT_DOCKER || info.runtime == VIPC_RT_PODMAN) &&
	    vipc_runtime_name_ok(info.name)) {
		a->runtime = info.runtime == VIPC_RT_DOCKER ? VIPC_SEL_DOCKER : VIPC_SEL_PODMAN;
		snprintf(a->name, sizeof(a->name), "%s", info.name);
	}
	vipc_rt_info_free(&info);
}

/* The policy's container that selects cgroup @a: by its exact path, or by
 * the runtime's name for it; NULL when none does.
 */
static const char *selecting(const struct vipc_policy *pol, const char *cgroot,
			     const struct added *a)
{
	const struct vipc_policy_container *c;
	char path[VIPC_CGROUP_PATH_MAX];
	size_t i;

	for (i = 0; i < pol->nr_containers; i++) {
		c = &pol->containers[i];
		if (a->runtime && c->runtime == a->runtime && c->match_len == strlen(a->name) &&
		    !memcmp(c->match, a->name, c->match_len))
			return c->name;
		if (c->cgroup[0] && !c->glob &&
		    !vipc_hierarchy_path(c->cgroup, cgroot ?: "", path) && !strcmp(path, a->path))
			return c->name;
	}
	return NULL;
}

/* Whose call @nj is, made by a caller no container held in the cgroup it
 * names: the previous call's answer for the same cgroup (calls are
 * sorted), else the policy's container selecting it, else a new one.
 * 0 or -ENOMEM.
 */
static int cgroup_who(struct vipc_suggest *s, const struct vipc_policy *pol, struct judged *j,
		      size_t nj)
{
	const struct judged *prev = nj ? &j[nj - 1] : NULL;
	const struct taken t = { .pol = pol, .s = s };
	const char *stem, *known;
	struct added a = {}, *grown;

	if (prev && !strcmp(prev->c->container, NO_CONTAINER) &&
	    !strcmp(prev->c->cgroup, j[nj].c->cgroup)) {
		j[nj].added = prev->added;
		j[nj].fate = prev->fate == F_UNSELECTABLE ? F_UNSELECTABLE : j[nj].fate;
		strcpy(j[nj].who, prev->added < 0 ? prev->who : NO_CONTAINER);
		return 0;
	}
	if (!selectable(j[nj].c->cgroup)) {
		j[nj].fate = F_UNSELECTABLE;
		return 0;
	}
	strcpy(a.path, j[nj].c->cgroup);
	runtime_of(s->roots, &a);
	known = selecting(pol, s->cgroot, &a);
	if (known) {
		strcpy(j[nj].who, known);
		return 0;
	}
	/* A new one, labelled by the runtime's name, else the path's last component. */
	stem = a.runtime ? a.name : strrchr(a.path, '/') + 1;
	make_label(stem, strlen(stem), "container", &t, container_taken, a.label);
	grown = vipc_grow(s->added, s->nr_added, &s->cap_added, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->added = grown;
	s->added[s->nr_added] = a;
	j[nj].added = s->nr_added++;
	return 0;
}

/* Judge call @nj (of the sorted calls) against @pol: 0 or -ENOMEM. */
static int judge(struct vipc_suggest *s, const struct vipc_policy *pol, struct judged *j,
		 size_t nj)
{
	const struct call *c = j[nj].c;
	const struct vipc_policy_endpoint *ep;
	struct added *a;
	int err = 0;

	/* Phase 1: who it is judged as (a new container is named once a grant is). */
	strcpy(j[nj].who, c->container);
	j[nj].added = -1;
	if (!strcmp(c->container, NO_CONTAINER) && c->cgroup[0])
		err = cgroup_who(s, pol, j, nj);
	if (err || j[nj].fate == F_UNSELECTABLE)
		return err;
	if (j[nj].added < 0 && !vipc_policy_container(pol, j[nj].who)) {
		j[nj].fate = F_STRANGER;
		return 0;
	}
	if (!c->fix_perms) {
		j[nj].fate = F_NONE;
		return 0;
	}
	a = j[nj].added < 0 ? NULL : &s->added[j[nj].added];
	if (a)
		strcpy(j[nj].who, a->label);
	/* Phase 2: the endpoint with that name, and what it grants already. */
	ep = endpoint_at(pol, c);
	if (ep) {
		strcpy(j[nj].label, ep->name);
		j[nj].have = strcmp(ep->owner, j[nj].who) ? granted(pol, j[nj].who, ep->name) :
							     VIPC_PERM_ALL;
		j[nj].fate = c->fix_perms & ~j[nj].have ? F_GRANT : F_GRANTED;
	} else {
		j[nj].fate = writable(c) ? F_NEW : F_UNWRITABLE;
		if (j[nj].fate == F_NEW)
			new_label(pol, j, nj);
	}
	if (a)
		a->used = a->used || j[nj].fate == F_GRANT || j[nj].fate == F_NEW;
	return 0;
}

/* Every call, sorted, judged against @pol; NULL when out of memory. */
static struct judged *judge_all(struct vipc_suggest *s, const struct vipc_policy *pol)
{
	struct judged *j = calloc(s->nr ?: 1, sizeof(*j));
	size_t i;
	int err = 0;

	if (!j)
		return NULL;
	if (s->nr) /* calls is NULL when nothing was summed */
		qsort(s->calls, s->nr, sizeof(*s->calls), call_ptr_cmp);
	s->nr_added = 0;
	for (i = 0; i < s->nr && !err; i++) {
		j[i].c = s->calls[i];
		err = judge(s, pol, j, i);
	}
	if (err) {
		free(j);
		return NULL;
	}
	return j;
}

/* A scalar: plain when libyaml may write it so, double-quoted (and so
 * escaped) when it holds a byte outside printable ASCII. 0: no memory.
 */
static int doc_str(yaml_document_t *d, const char *s, size_t len)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return yaml_document_add_scalar(d, NULL, (yaml_char_t *)s, len, style);
}

/* The address of @c as its policy key holds it: a port as "ADDR:PORT", a
 * queue as "/NAME".
 */
static int doc_addr(yaml_document_t *d, const struct call *c)
{
	char text[VIPC_NAME_MAX + VIPC_INET_TEXT_MAX];

	if (c->kind == VIPC_KIND_MQUEUE) {
		snprintf(text, sizeof(text), "/%.*s", (int)c->len, c->addr);
		return doc_str(d, text, strlen(text));
	}
	if (!vipc_kind_inet(c->kind))
		return doc_str(d, c->addr, c->len);
	vipc_inet_format(c->addr, text, sizeof(text));
	return doc_str(d, text, strlen(text));
}

/* @key: @val into mapping @map (node ids; 0 is a failed add). */
static int doc_pair(yaml_document_t *d, int map, const char *key, int val)
{
	int k = doc_str(d, key, strlen(key));

	return k && val && yaml_document_append_mapping_pair(d, map, k, val) ? 0 : -ENOMEM;
}

static int doc_perms(yaml_document_t *d, int seq, __u32 perms)
{
	char word[16];
	int i, item;

	for (i = 0; i < NR_PERMS; i++) {
		if (!(perms & (1U << i)))
			continue;
		vipc_perms_format(1U << i, word, sizeof(word));
		item = doc_str(d, word, strlen(word));
		if (!item || !yaml_document_append_sequence_item(d, seq, item))
			return -ENOMEM;
	}
	return 0;
}

/* `{ container: C, endpoint: E, allow: [...] }` appended to @seq. */
static int doc_grant(yaml_document_t *d, int seq, const char *c, const char *e, __u32 perms)
{
	int g = yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
	int allow = yaml_document_add_sequence(d, NULL, YAML_FLOW_SEQUENCE_STYLE);

	if (!g || !allow)
		return -ENOMEM;
	return doc_pair(d, g, "container", doc_str(d, c, strlen(c))) ?:
	       doc_pair(d, g, "endpoint", doc_str(d, e, strlen(e))) ?:
	       doc_pair(d, g, "allow", allow) ?: doc_perms(d, allow, perms) ?:
	       (yaml_document_append_sequence_item(d, seq, g) ? 0 : -ENOMEM);
}

/* The value under @key in mapping node @map, or 0. Node ids, not pointers:
 * every add may move the nodes.
 */
static int doc_get(yaml_document_t *d, int map, const char *key, yaml_node_pair_t **at)
{
	yaml_node_t *m = yaml_document_get_node(d, map), *k;
	yaml_node_pair_t *p;

	if (!m || m->type != YAML_MAPPING_NODE)
		return 0;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(d, p->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    !strcmp((char *)k->data.scalar.value, key)) {
			if (at)
				*at = p;
			return p->value;
		}
	}
	return 0;
}

static bool doc_is(yaml_document_t *d, int node, const char *value)
{
	yaml_node_t *n = yaml_document_get_node(d, node);

	return n && n->type == YAML_SCALAR_NODE && !strcmp((char *)n->data.scalar.value, value);
}

/* Section @key of @root, a list (`grants:`) or a mapping (`containers:`):
 * the one there, or a new one in place of an empty value or after the
 * last section. 0: no memory.
 */
static int doc_section(yaml_document_t *d, int root, const char *key, yaml_node_type_t type)
{
	yaml_node_pair_t *at = NULL;
	int old = doc_get(d, root, key, NULL), sec;
	yaml_node_t *n = yaml_document_get_node(d, old);

	if (n && n->type == type)
		return old;
	sec = type == YAML_SEQUENCE_NODE ?
		      yaml_document_add_sequence(d, NULL, YAML_BLOCK_SEQUENCE_STYLE) :
		      yaml_document_add_mapping(d, NULL, YAML_BLOCK_MAPPING_STYLE);
	if (sec && old && doc_get(d, root, key, &at))
		at->value = sec;
	else if (sec && doc_pair(d, root, key, sec))
		return 0;
	return sec;
}

/* Each container added that is written, as `LABEL: {cgroup: PATH}` (or
 * `docker:`, `podman:` NAME), into mapping @map.
 */
static int doc_added(yaml_document_t *d, int map, const struct vipc_suggest *s)
{
	const struct added *a;
	const char *val;
	int c, err = 0;
	size_t i;

	for (i = 0; i < s->nr_added && !err; i++) {
		a = &s->added[i];
		if (!a->used)
			continue;
		val = a->runtime ? a->name : a->path;
		c = yaml_document_add_mapping(d, NULL, YAML_FLOW_MAPPING_STYLE);
		err = c ? doc_pair(d, map, a->label, c) ?:
			  doc_pair(d, c, vipc_selector_names[a->runtime ?: VIPC_SEL_CGROUP],
				   doc_str(d, val, strlen(val))) : -ENOMEM;
	}
	return err;
}

/* How many containers added are written. */
static size_t nr_used(const struct vipc_suggest *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nr_added; i++)
		n += s->added[i].used;
	return n;
}

/* Widen the grant of @c on @e in @seq by @add, or append one of @have | @add. */
static int doc_merge(yaml_document_t *d, int seq, const char *c, const char *e, __u32 have,
		     __u32 add)
{
	yaml_node_t *list = yaml_document_get_node(d, seq);
	yaml_node_item_t *item;
	int g, allow;

	for (item = list->data.sequence.items.start; item < list->data.sequence.items.top;
	     item++) {
		g = *item;
		if (!doc_is(d, doc_get(d, g, "container", NULL), c) ||
		    !doc_is(d, doc_get(d, g, "endpoint", NULL), e))
			continue;
		allow = doc_get(d, g, "allow", NULL);
		list = yaml_document_get_node(d, allow);
		if (!list || list->type != YAML_SEQUENCE_NODE)
			return -EINVAL;
		return doc_perms(d, allow, add);
	}
	return doc_grant(d, seq, c, e, have | add);
}

/* Write @d (then deleted) through libyaml's emitter into a new string. */
static int doc_text(yaml_document_t *d, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	yaml_emitter_t em;
	int ok = 0;

	if (f && yaml_emitter_initialize(&em)) {
		yaml_emitter_set_output_file(&em, f);
		yaml_emitter_set_width(&em, -1); /* no line folded inside a scalar */
		yaml_emitter_set_unicode(&em, 0); /* every byte >= 0x80 escaped */
		ok = yaml_emitter_open(&em);
		ok = ok && yaml_emitter_dump(&em, d); /* deletes @d */
		ok = ok && yaml_emitter_close(&em) && yaml_emitter_flush(&em);
		yaml_emitter_delete(&em);
	}
	yaml_document_delete(d); /* a no-op after a dump, which zeroes it */
	if (f && fclose(f))
		ok = 0;
	if (!ok) {
		free(*text);
		*text = NULL;
	}
	return ok ? 0 : -ENOMEM;
}

/* "3 calls: 1 denied, 2 would-deny; no-grant 3" */
static void counts_text(const struct call *c, char *buf, size_t size)
{
	__u64 total = sat_add(c->denied, c->audited);
	size_t off;
	int r;

	off = snprintf(buf, size, "%llu call%s: %llu denied, %llu would-deny;",
		       (unsigned long long)total, total == 1 ? "" : "s",
		       (unsigned long long)c->denied, (unsigned long long)c->audited);
	for (r = 0; r < VIPC_R__COUNT; r++)
		if (c->by_reason[r])
			off += snprintf(buf + off, off < size ? size - off : 0, " %s %llu",
					vipc_reason_str(r), (unsigned long long)c->by_reason[r]);
}

#define CGROUP_TEXT VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)

/* Who made call @j: the container it is judged as, or "- (cgroup PATH)"
 * for a caller no container held that is given none.
 */
static void who_text(const struct judged *j, char *buf, size_t size)
{
	char path[CGROUP_TEXT];
	size_t n;

	vipc_label_format(j->who, buf, size);
	if (strcmp(j->who, NO_CONTAINER) || !j->c->cgroup[0])
		return;
	vipc_bytes_format(j->c->cgroup, strlen(j->c->cgroup), path, sizeof(path));
	n = strlen(buf);
	snprintf(buf + n, size - n, " (cgroup %s)", path);
}

/* One comment line: who, to what, the permissions, the counts. Names go
 * through vipc_bytes_format: one line of printable ASCII whatever they hold.
 */
static void comment_call(FILE *out, const struct judged *j)
{
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX) + CGROUP_TEXT + 16];
	char name[VIPC_TEXT_SIZE(VIPC_NAME_MAX)], add[64], have[64], counts[512];
	const struct call *c = j->c;

	who_text(j, who, sizeof(who));
	vipc_addr_format(c->kind, c->addr, c->len, name, sizeof(name));
	vipc_perms_format(c->fix_perms & ~j->have, add, sizeof(add));
	vipc_perms_format(j->have, have, sizeof(have));
	counts_text(c, counts, sizeof(counts));
	if (j->fate == F_GRANT)
		fprintf(out, "#   %s -> %s (%s): +%s%s%s [%s]\n", who, j->label, name, add,
			j->have ? ", has " : "", j->have ? have : "", counts);
	else if (j->fate == F_GRANTED)
		fprintf(out, "#   %s -> %s (%s): has %s [%s]\n", who, j->label, name, have, counts);
	else if (j->fate == F_NEW)
		fprintf(out, "#   %s -> %s: %s, as endpoint %s [%s]\n", who, name, add, j->label,
			counts);
	else
		fprintf(out, "#   %s -> %s [%s]\n", who, name, counts);
}

/* Calls to a name that no endpoint has, as YAML to uncomment: each name
 * once under `endpoints:` with OWNER to fill in, and its grants.
 */
static int new_endpoints_yaml(const struct judged *j, size_t n, char **text, size_t *len)
{
	yaml_document_t d;
	int root, eps, seq, e, err = 0;
	size_t i;

	if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1))
		return -ENOMEM;
	root = yaml_document_add_mapping(&d, NULL, YAML_BLOCK_MAPPING_STYLE);
	eps = yaml_document_add_mapping(&d, NULL, YAML_BLOCK_MAPPING_STYLE);
	seq = yaml_document_add_sequence(&d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	err = root && eps && seq ? 0 : -ENOMEM;
	err = err ?: doc_pair(&d, root, "endpoints", eps) ?: doc_pair(&d, root, "grants", seq);
	for (i = 0; i < n && !err; i++) {
		if (j[i].fate != F_NEW)
			continue;
		if (!doc_get(&d, eps, j[i].label, NULL)) {
			e = yaml_document_add_mapping(&d, NULL, YAML_FLOW_MAPPING_STYLE);
			err = e ? 0 : -ENOMEM;
			err = err ?: doc_pair(&d, eps, j[i].label, e) ?:
				     doc_pair(&d, e, "owner", doc_str(&d, "OWNER", 5)) ?:
				     doc_pair(&d, e, vipc_kind_key(j[i].c->kind), doc_addr(&d, j[i].c));
		}
		err = err ?: doc_grant(&d, seq, j[i].who, j[i].label, j[i].c->fix_perms);
	}
	if (err) {
		yaml_document_delete(&d);
		return err;
	}
	return doc_text(&d, text, len);
}

/* @text with "#   " before each line. */
static void comment_out(FILE *out, const char *text, size_t len)
{
	const char *line = text, *nl;

	while (line < text + len) {
		nl = memchr(line, '\n', text + len - line);
		nl = nl ?: text + len;
		fprintf(out, "#   %.*s\n", (int)(nl - line), line);
		line = nl + 1;
	}
}

static const char *const titles[] = {
	[F_GRANT] = "Grants added or widened (+ the permissions added):",
	[F_GRANTED] = "Granted already (a reload re-issues a grant revoked since):",
	[F_NEW] = ("Names no endpoint has: register each (OWNER: the container that binds it), "
		   "then grant it; uncomment when reviewed:"),
	[F_NONE] = "Not fixable by a grant (impostor, channel-full):",
	[F_STRANGER] = ("Containers the policy does not have (removed since, or another policy's; "
			"-: no container, its cgroup not recorded):"),
	[F_UNSELECTABLE] = ("No container, in a cgroup no selector names as it is (the root, "
			    "a '*' or '?', not UTF-8):"),
	[F_UNWRITABLE] = ("Names a policy cannot hold (a relative path or one not in normal form, "
			  "a NUL byte, not UTF-8):"),
};

/* Does call @j go under @title? A call with reasons of both kinds shows
 * under its fate and under F_NONE.
 */
static bool shown_under(const struct judged *j, enum fate title)
{
	int r;

	if (title != F_NONE || j->fate == F_NONE)
		return j->fate == title;
	if (j->fate == F_STRANGER || j->fate == F_UNSELECTABLE)
		return false;
	for (r = 0; r < VIPC_R__COUNT; r++)
		if (j->c->by_reason[r] && !grant_fixes(r))
			return true;
	return false;
}

/* The containers added, each with its selector and cgroup. */
static void comment_added(FILE *out, const struct vipc_suggest *s)
{
	char label[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], path[CGROUP_TEXT];
	const struct added *a;
	size_t i;

	if (nr_used(s))
		fprintf(out, "# Containers added (no container held these callers; each takes the "
			     "policy's defaults, and the grants below):\n");
	for (i = 0; i < s->nr_added; i++) {
		a = &s->added[i];
		if (!a->used)
			continue;
		vipc_label_format(a->label, label, sizeof(label));
		vipc_bytes_format(a->path, strlen(a->path), path, sizeof(path));
		if (a->runtime)
			fprintf(out, "#   %s: %s %s (cgroup %s)\n", label,
				vipc_selector_names[a->runtime], a->name, path);
		else
			fprintf(out, "#   %s: cgroup %s\n", label, path);
	}
}

/* The comments before the YAML: what was read, the containers added, then
 * each section that has calls.
 */
static int comments(FILE *out, const struct vipc_suggest *s, const struct judged *j)
{
	char *text = NULL;
	size_t i, len = 0;
	int t, err = 0;
	bool any;

	fprintf(out, "# vipc-loader suggest: %llu calls in %lu records (%lu lines: %lu skipped, "
		     "%lu bad). Review before applying.\n",
		(unsigned long long)s->n.calls, s->n.records, s->n.lines, s->n.skipped, s->n.bad);
	comment_added(out, s);
	for (t = F_GRANT; t <= F_UNWRITABLE && !err; t++) {
		for (i = 0, any = false; i < s->nr; i++) {
			if (!shown_under(&j[i], t))
				continue;
			if (!any)
				fprintf(out, "# %s\n", titles[t]);
			any = true;
			comment_call(out, &j[i]);
		}
		if (any && t == F_NEW && !(err = new_endpoints_yaml(j, s->nr, &text, &len)))
			comment_out(out, text, len);
		free(text);
		text = NULL;
	}
	return err;
}

int vipc_suggest_fragment(struct vipc_suggest *s, const struct vipc_policy *base, FILE *out)
{
	struct judged *j = judge_all(s, base);
	yaml_document_t d;
	int root, cont, seq, err;
	char *text = NULL;
	size_t i, len = 0;

	if (!j || !yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1)) {
		free(j);
		return -ENOMEM;
	}
	/* Phase 1: the `containers:` to add, then `grants:`, each grant whole:
	 * what it has and what it gains.
	 */
	root = yaml_document_add_mapping(&d, NULL, YAML_BLOCK_MAPPING_STYLE);
	err = root ? 0 : -ENOMEM;
	if (!err && nr_used(s)) {
		cont = yaml_document_add_mapping(&d, NULL, YAML_BLOCK_MAPPING_STYLE);
		err = cont ? doc_pair(&d, root, "containers", cont) ?: doc_added(&d, cont, s) :
			     -ENOMEM;
	}
	seq = yaml_document_add_sequence(&d, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	err = err ?: seq ? doc_pair(&d, root, "grants", seq) : -ENOMEM;
	for (i = 0; i < s->nr && !err; i++)
		if (j[i].fate == F_GRANT)
			err = doc_grant(&d, seq, j[i].who, j[i].label,
					j[i].have | j[i].c->fix_perms);
	if (err)
		yaml_document_delete(&d);
	/* Phase 2: the comments, then the YAML. */
	err = err ?: doc_text(&d, &text, &len) ?: comments(out, s, j);
	if (!err && fwrite(text, 1, len, out) != len)
		err = -EIO;
	free(text);
	free(j);
	return err;
}

/* Into @d, a policy: each F_GRANT merged into its grants, each container
 * added into its containers; a section only when something goes in it,
 * else the policy as it was.
 */
static int merge_doc(yaml_document_t *d, const struct vipc_suggest *s, const struct judged *j)
{
	yaml_node_t *r = yaml_document_get_root_node(d);
	int root = r ? r - d->nodes.start + 1 : 0, grants = 0, cont;
	size_t i;
	int err = 0;

	for (i = 0; i < s->nr && !err; i++) {
		if (j[i].fate != F_GRANT)
			continue;
		grants = grants ?: root ? doc_section(d, root, "grants", YAML_SEQUENCE_NODE) : 0;
		err = grants ? doc_merge(d, grants, j[i].who, j[i].label, j[i].have,
					 j[i].c->fix_perms & ~j[i].have) : -ENOMEM;
	}
	if (err || !nr_used(s))
		return err;
	cont = root ? doc_section(d, root, "containers", YAML_MAPPING_NODE) : 0;
	return cont ? doc_added(d, cont, s) : -ENOMEM;
}

/* @text, a policy that parsed, with the suggestions merged in. */
static int merge_text(const char *text, size_t len, const struct vipc_suggest *s,
		      const struct judged *j, char **out, size_t *out_len)
{
	yaml_document_t d;
	yaml_parser_t yp;
	int err = 0;

	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &d))
		err = yp.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL;
	yaml_parser_delete(&yp);
	if (err)
		return err;
	err = merge_doc(&d, s, j);
	if (err) {
		yaml_document_delete(&d);
		return err;
	}
	return doc_text(&d, out, out_len);
}

int vipc_suggest_policy(struct vipc_suggest *s, const char *text, size_t len, const char *name,
			FILE *out, struct vipc_policy_error *perr)
{
	struct vipc_policy *pol = NULL, *back = NULL;
	struct judged *j = NULL;
	char *merged = NULL, why[sizeof(perr->msg)];
	size_t n = 0;
	int err;

	/* Phase 1: the policy as it is, each call judged against it. */
	err = vipc_policy_parse_string(text, len, name, &pol, perr);
	if (err)
		return err;
	j = judge_all(s, pol);
	err = j ? merge_text(text, len, s, j, &merged, &n) : -ENOMEM;
	/* Phase 2: the new policy must parse too, or nothing is printed. */
	if (!err && vipc_policy_parse_string(merged, n, name, &back, perr)) {
		snprintf(why, sizeof(why), "%s", perr->msg);
		snprintf(perr->msg, sizeof(perr->msg), "the merged policy does not parse: %.400s",
			 why);
		err = -EINVAL;
	}
	err = err ?: comments(out, s, j);
	if (!err && fwrite(merged, 1, n, out) != n)
		err = -EIO;
	vipc_policy_free(back);
	vipc_policy_free(pol);
	free(merged);
	free(j);
	return err;
}
