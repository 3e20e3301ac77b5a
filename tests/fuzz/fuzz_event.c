// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target: a deny event as JSON. The input's first bytes are a
 * struct vipc_event (zero-padded when short), the rest the container's
 * label. The JSON must be one line of printable ASCII that json-c parses
 * strictly, with the true type, reason and hook, and its comm, name and
 * container must decode (text and hex) back to the bytes they came from.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "jsonout.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

#define NR_MEMBERS 15 /* vipc_event_json's fields, _hex ones included */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode vipc_bytes_format text (@hex: lowercase hex instead) into @out: its length. */
static size_t decode(const char *s, int hex, char *out, size_t size)
{
	size_t n = 0;

	for (; *s; n++) {
		CHECK(n < size);
		if (hex) {
			CHECK(hexval(s[0]) >= 0 && hexval(s[1]) >= 0);
			out[n] = hexval(s[0]) << 4 | hexval(s[1]);
			s += 2;
		} else if (*s == '\\') {
			CHECK(s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0);
			out[n] = hexval(s[2]) << 4 | hexval(s[3]);
			s += 4;
		} else {
			CHECK(*s > 0x20 && *s < 0x7f);
			out[n] = *s++;
		}
	}
	return n;
}

static const char *member(json_object *obj, const char *key)
{
	json_object *v;

	CHECK(json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

/* @key's text (after @skip leading bytes) and @key_hex both decode to @want. */
static void check_exact(json_object *obj, const char *key, size_t skip, const char *want,
			size_t len)
{
	char got[VIPC_TEXT_SIZE(VIPC_NAME_MAX)], hkey[32];
	const char *text = member(obj, key);

	CHECK(strlen(text) >= skip);
	CHECK(decode(text + skip, 0, got, sizeof(got)) == len && !memcmp(got, want, len));
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	CHECK(decode(member(obj, hkey), 1, got, sizeof(got)) == len && !memcmp(got, want, len));
}

static json_object *parse_strict(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *obj;

	CHECK(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, s, strlen(s));
	CHECK(obj && json_tokener_get_parse_end(tok) == strlen(s));
	json_tokener_free(tok);
	return obj;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char label[VIPC_LABEL_MAX] = {}, who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], got[VIPC_LABEL_MAX];
	struct vipc_event_names n = { "deny", who, "connect_unix", "no-grant", NULL };
	struct vipc_event e = {};
	json_object *ev, *back;
	const char *s, *p;

	/* Phase 1: the event and the label from the input. */
	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	if (size > sizeof(e))
		memcpy(label, data + sizeof(e), size - sizeof(e) < sizeof(label) - 1 ?
			size - sizeof(e) : sizeof(label) - 1);
	vipc_label_format(label, who, sizeof(who));

	/* Phase 2: one line of printable ASCII that parses strictly. */
	ev = vipc_event_json(&e, &n);
	CHECK(ev);
	s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	CHECK(s);
	for (p = s; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
	back = parse_strict(s);

	/* Phase 3: nothing added or overridden; every name decodes to its bytes. */
	CHECK(json_object_object_length(back) == NR_MEMBERS);
	CHECK(!strcmp(member(back, "type"), "deny") && !strcmp(member(back, "reason"), "no-grant") &&
	      !strcmp(member(back, "hook"), "connect_unix"));
	CHECK(json_object_get_uint64(json_object_object_get(back, "pid")) == e.pid);
	CHECK(json_object_get_uint64(json_object_object_get(back, "suppressed")) == e.suppressed);
	CHECK(!strcmp(member(back, "verdict"), e.verdict == VIPC_V_AUDIT ? "audit" : "deny"));
	check_exact(back, "comm", 0, e.comm, strnlen(e.comm, sizeof(e.comm)));
	CHECK((member(back, "name")[0] == '@') == (e.kind == VIPC_KIND_UNIX_ABSTRACT));
	check_exact(back, "name", e.kind == VIPC_KIND_UNIX_ABSTRACT, e.name,
		    e.name_len < VIPC_NAME_MAX ? e.name_len : VIPC_NAME_MAX);
	CHECK(decode(member(back, "container"), 0, got, sizeof(got)) == strlen(label) &&
	      !memcmp(got, label, strlen(label)));
	json_object_put(back);
	json_object_put(ev);
	return 0;
}
