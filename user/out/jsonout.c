// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON output through json-c, and deny events as text and as JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "jsonout.h"
#include "names.h"

int vipc_json_add(json_object *obj, const char *key, json_object *val)
{
	if (obj && val && !json_object_object_add(obj, key, val))
		return 0;
	json_object_put(val);
	return -ENOMEM;
}

int vipc_json_add_null(json_object *obj, const char *key)
{
	return obj && !json_object_object_add(obj, key, NULL) ? 0 : -ENOMEM;
}

int vipc_json_add_str(json_object *obj, const char *key, const char *s)
{
	return vipc_json_add(obj, key, json_object_new_string(s));
}

int vipc_json_add_u64(json_object *obj, const char *key, __u64 v)
{
	return vipc_json_add(obj, key, json_object_new_uint64(v));
}

int vipc_json_add_exact(json_object *obj, const char *key, const char *text, const void *bytes,
			size_t len)
{
	const unsigned char *b = bytes;
	char hex[2 * VIPC_NAME_MAX + 1], hkey[64];
	size_t i;

	if (len > VIPC_NAME_MAX || strlen(key) + sizeof("_hex") > sizeof(hkey))
		return -EINVAL;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	hex[2 * len] = 0;
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	return vipc_json_add_str(obj, key, text) ?: vipc_json_add_str(obj, hkey, hex);
}

json_object *vipc_json_child(json_object *obj, const char *key)
{
	json_object *child = json_object_new_object();

	return vipc_json_add(obj, key, child) ? NULL : child;
}

json_object *vipc_json_done(json_object *obj, int err)
{
	if (!err)
		return obj;
	json_object_put(obj);
	return NULL;
}

int vipc_json_print(json_object *obj)
{
	const char *s = NULL;

	/* Plain: no spaces ("field":N), and '/' left as it is. */
	if (obj)
		s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		printf("%s\n", s);
	fflush(stdout);
	json_object_put(obj);
	return s ? 0 : -ENOMEM;
}

void vipc_event_format(const struct vipc_event *e, struct vipc_event_text *t)
{
	vipc_bytes_format(e->comm, strnlen(e->comm, sizeof(e->comm)), t->comm, sizeof(t->comm));
	vipc_addr_format(e->kind, e->name, e->name_len, t->name, sizeof(t->name));
	vipc_perms_format(e->perm, t->perms, sizeof(t->perms));
}

json_object *vipc_event_json(const struct vipc_event *e, const struct vipc_event_names *n)
{
	size_t name_len = e->name_len < VIPC_NAME_MAX ? e->name_len : VIPC_NAME_MAX;
	json_object *ev = json_object_new_object();
	struct vipc_event_text t;
	int err;

	/* The fields in the order they always had; the exact bytes after their text. */
	vipc_event_format(e, &t);
	err = vipc_json_add_str(ev, "type", n->type);
	err = err ?: vipc_json_add_u64(ev, "ts_ns", e->ts_ns);
	err = err ?: vipc_json_add_str(ev, "container", n->container);
	err = err ?: vipc_json_add_u64(ev, "cgroup_id", e->cgroup_id);
	err = err ?: vipc_json_add_u64(ev, "pid", e->pid);
	err = err ?: vipc_json_add_exact(ev, "comm", t.comm, e->comm,
					 strnlen(e->comm, sizeof(e->comm)));
	err = err ?: vipc_json_add_u64(ev, "endpoint_id", e->endpoint);
	err = err ?: vipc_json_add_exact(ev, "name", t.name, e->name, name_len);
	err = err ?: vipc_json_add_str(ev, "perm", t.perms);
	err = err ?: vipc_json_add_str(ev, "reason", n->reason);
	err = err ?: vipc_json_add_str(ev, "hook", n->hook);
	err = err ?: vipc_json_add_str(ev, "verdict",
					       vipc_verdict_names[e->verdict == VIPC_V_AUDIT ? VIPC_V_AUDIT :
											     VIPC_V_DENY]);
	err = err ?: vipc_json_add_u64(ev, "suppressed", e->suppressed);
	if (n->cgroup)
		err = err ?: vipc_json_add_str(ev, "cgroup", n->cgroup);
	return vipc_json_done(ev, err);
}
