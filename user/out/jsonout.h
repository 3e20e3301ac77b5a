/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The one JSON writer: every document the loader prints is a json-c object
 * written by vipc_json_print. Strings that come from the kernel or the maps
 * (comm, socket names, labels) go in as vipc_bytes_format text, so every
 * document is one line of printable ASCII; the exact bytes of a comm or a
 * socket name are in a "<field>_hex" member next to the text.
 */
#ifndef __VIPC_JSONOUT_H
#define __VIPC_JSONOUT_H

#include <stddef.h>
#include <json-c/json.h>
#include "policy.h"
#include "text.h"

/* Add @val under @key; a NULL @obj or @val (allocation failed) is -ENOMEM,
 * and @val is dropped on failure.
 */
int vipc_json_add(json_object *obj, const char *key, json_object *val);
/* Add @key: null, for a value that could not be read: 0 or -ENOMEM. */
int vipc_json_add_null(json_object *obj, const char *key);
/* Add a printable string (a constant, or text already formatted). */
int vipc_json_add_str(json_object *obj, const char *key, const char *s);
int vipc_json_add_u64(json_object *obj, const char *key, __u64 v);
/* Add @key: @text, and "@key_hex": the @len bytes it shows, in lowercase hex. */
int vipc_json_add_exact(json_object *obj, const char *key, const char *text, const void *bytes,
			size_t len);
/* A new object added to @obj under @key (owned by @obj), or NULL. */
json_object *vipc_json_child(json_object *obj, const char *key);
/* @obj if @err is 0, else NULL with @obj dropped. */
json_object *vipc_json_done(json_object *obj, int err);
/* Print @obj as one line of plain JSON on stdout, then drop it: 0, or
 * -ENOMEM when @obj is NULL.
 */
int vipc_json_print(json_object *obj);

/* A deny or would-deny event's comm, name and permissions as text. */
struct vipc_event_text {
	char comm[VIPC_TEXT_SIZE(sizeof(((struct vipc_event *)0)->comm))];
	char name[VIPC_TEXT_SIZE(VIPC_NAME_MAX)];
	char perms[64];
};

void vipc_event_format(const struct vipc_event *e, struct vipc_event_text *t);

/* What an event's numbers mean, looked up by the caller: printable text. */
struct vipc_event_names {
	const char *type;      /* "deny", "would-deny" or "summary" */
	const char *container; /* the label as text, "-" for no container, or "#id" */
	const char *hook;
	const char *reason;
	const char *cgroup; /* no container: the caller's cgroup path as text, or NULL */
};

/* The event as a JSON object (NULL when out of memory): type, ts_ns,
 * container, cgroup_id, pid, comm, comm_hex, endpoint_id, name, name_hex,
 * perm, reason, hook, verdict ("deny" or "audit"), suppressed; and for a
 * caller no container holds, cgroup (its path, when known).
 */
json_object *vipc_event_json(const struct vipc_event *e, const struct vipc_event_names *n);

#endif /* __VIPC_JSONOUT_H */
