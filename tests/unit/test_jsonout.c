// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The one escaper (vipc_bytes_format) and the one JSON writer
 * (user/out/jsonout.h): hostile comm, socket names and labels stay inside their
 * string, round-trip exactly through the text and the _hex member, and the
 * statistics keep their "field":N shape.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "jsonout.h"
#include "stream.h"

static const struct {
	const char *what, *bytes;
	size_t len;
	const char *text;
} texts[] = {
	{ "quote and backslash", "x\"y\\z", 5, "x\"y\\x5cz" },
	{ "forged members", "a\",\"reason\":\"o", 14, "a\",\"reason\":\"o" },
	{ "newline and space", "ev\nallow x", 10, "ev\\x0aallow\\x20x" },
	{ "NUL and DEL", "a\0b\x7f", 4, "a\\x00b\\x7f" },
	{ "UTF-8 and not", "\xc3\xa9\xff", 3, "\\xc3\\xa9\\xff" },
	{ "an escape already", "\\x41", 4, "\\x5cx41" },
};

Test(escape, untrusted_bytes_become_one_unambiguous_printable_line)
{
	char buf[VIPC_TEXT_SIZE(16)];
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		vipc_bytes_format(texts[i].bytes, texts[i].len, buf, sizeof(buf));
		cr_expect_str_eq(buf, texts[i].text, "%s", texts[i].what);
	}
}

Test(escape, a_cut_never_splits_an_escape)
{
	char buf[8];

	vipc_bytes_format("ab\ncd", 5, buf, 6);
	cr_expect_str_eq(buf, "ab", "\\x0a does not fit after ab");
	vipc_bytes_format("ab\ncd", 5, buf, 7);
	cr_expect_str_eq(buf, "ab\\x0a");
}

/* @s parsed strictly as one JSON value with nothing after it. */
static json_object *parse_strict(const char *s)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *obj;

	cr_assert_not_null(tok);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, s, strlen(s));
	cr_assert_not_null(obj, "not JSON: %s", s);
	cr_assert_eq(json_tokener_get_parse_end(tok), strlen(s), "after the JSON: %s", s);
	json_tokener_free(tok);
	return obj;
}

static const char *member(json_object *obj, const char *key)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(obj, key, &v), "no %s", key);
	return json_object_get_string(v);
}

static const char *plain(json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
}

Test(event, hostile_comm_name_and_label_stay_in_their_strings)
{
	struct vipc_event e = { .type = VIPC_EV_DENY, .reason = VIPC_R_NO_GRANT,
				.perm = VIPC_PERM_CONNECT, .kind = VIPC_KIND_UNIX_ABSTRACT,
				.pid = 42, .name_len = 6 };
	char who[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	struct vipc_event_names n = { "deny", who, "connect_unix", "no-grant", NULL };
	json_object *ev, *back;
	const char *s;

	memcpy(e.comm, "a\",\"reason\":\"o", 14);
	memcpy(e.name, "q\"\\\0\n\xff", 6);
	vipc_label_format("b\"}\n{", who, sizeof(who));
	ev = vipc_event_json(&e, &n);
	cr_assert_not_null(ev);
	s = plain(ev);
	cr_assert_null(strchr(s, '\n'), "one line: %s", s);
	back = parse_strict(s);
	cr_expect_eq(json_object_object_length(back), 15, "%s", s);
	cr_expect_str_eq(member(back, "comm"), "a\",\"reason\":\"o");
	cr_expect_str_eq(member(back, "comm_hex"), "61222c22726561736f6e223a226f");
	cr_expect_str_eq(member(back, "name"), "@q\"\\x5c\\x00\\x0a\\xff");
	cr_expect_str_eq(member(back, "name_hex"), "71225c000aff");
	cr_expect_str_eq(member(back, "container"), "b\"}\\x0a{");
	cr_expect_str_eq(member(back, "reason"), "no-grant");
	cr_expect_str_eq(member(back, "perm"), "connect");
	cr_expect(strstr(s, "\"pid\":42,"), "plain numbers: %s", s);
	json_object_put(back);
	json_object_put(ev);
}

/* A caller no container holds: "-" and its cgroup's path, as text. */
Test(event, a_caller_in_no_container_carries_its_cgroup_path)
{
	struct vipc_event e = { .type = VIPC_EV_DENY, .reason = VIPC_R_NO_GRANT,
				.kind = VIPC_KIND_UNIX_PATH, .name_len = 2 };
	char cg[VIPC_TEXT_SIZE(VIPC_CGROUP_PATH_MAX)];
	struct vipc_event_names n = { "deny", "-", "connect_unix", "no-grant", cg };
	json_object *ev, *back;

	memcpy(e.name, "/s", 2);
	vipc_bytes_format("/user.slice/a b", 15, cg, sizeof(cg));
	ev = vipc_event_json(&e, &n);
	cr_assert_not_null(ev);
	back = parse_strict(plain(ev));
	cr_expect_str_eq(member(back, "container"), "-");
	cr_expect_str_eq(member(back, "cgroup"), "/user.slice/a\\x20b");
	json_object_put(back);
	json_object_put(ev);
}

Test(event, a_pathname_keeps_its_slashes_and_a_leading_at_is_escaped)
{
	struct vipc_event e = { .kind = VIPC_KIND_UNIX_PATH, .name_len = 4 };
	struct vipc_event_names n = { "would-deny", "#7", "?", "?", NULL };
	json_object *ev;

	memcpy(e.name, "/a/b", 4);
	ev = vipc_event_json(&e, &n);
	cr_assert_not_null(ev);
	cr_expect(strstr(plain(ev), "\"name\":\"/a/b\",\"name_hex\":\"2f612f62\""), "%s", plain(ev));
	cr_expect(strstr(plain(ev), "\"comm\":\"\",\"comm_hex\":\"\""), "%s", plain(ev));
	json_object_put(ev);
	memcpy(e.name, "@rel", 4);
	ev = vipc_event_json(&e, &n);
	cr_expect(strstr(plain(ev), "\"name\":\"\\\\x40rel\""), "not abstract: %s", plain(ev));
	json_object_put(ev);
}

Test(stats, json_keeps_its_sections_and_plain_field_numbers, .init = cr_redirect_stdout)
{
	struct vipc_stats s = { .lookups = 3, .hits = 2, .denied_no_grant = 1 };
	struct vipc_stats hooks[VIPC_HOOK__COUNT] = { [0] = s };
	struct vipc_registry_stats r = { .policy_loads = 1 };
	json_object *doc, *sec;
	char out[8192];
	size_t n;
	FILE *f;

	cr_assert_eq(vipc_stats_print(&s, hooks, &r, true), 0);
	f = cr_get_redirected_stdout();
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	cr_assert_eq(out[n - 1], '\n', "%s", out);
	out[n - 1] = 0;
	cr_expect(strstr(out, "{\"decisions\":{\"lookups\":3,\"hits\":2,"), "%s", out);
	cr_expect(strstr(out, "\"hit_rate\":66.67},\"hooks\":{\"connect_unix\":{\"lookups\":3,"),
		  "%s", out);
	cr_expect(strstr(out, "\"policy_loads\":1,"), "%s", out);
	doc = parse_strict(out);
	cr_assert(json_object_object_get_ex(doc, "hooks", &sec));
	cr_expect_eq(json_object_object_length(sec), VIPC_HOOK__COUNT);
	cr_expect(json_object_object_get_ex(doc, "registry", NULL));
	json_object_put(doc);
}

/* A value that could not be read is a JSON null under its key, not a failed document. */
Test(json, an_unknown_value_is_null_not_an_error)
{
	json_object *doc = json_object_new_object();

	cr_assert_eq(vipc_json_add_null(doc, "stats_interval_ms"), 0);
	cr_assert_eq(vipc_json_add_null(NULL, "x"), -ENOMEM);
	cr_expect_str_eq(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN),
			 "{\"stats_interval_ms\":null}");
	json_object_put(doc);
}
