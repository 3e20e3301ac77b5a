// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The permission and address helpers of user/policy/policy.h: permission words and
 * lists in both directions, "/path" and "@abstract" addresses in both
 * directions, and the endpoint map key and name built from an address.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "text.h"
#include "vipc_name.h"

#define PATH_MAX_LEN VIPC_NAME_MAX /* a pathname may fill sun_path */
#define ABSTRACT_MAX_LEN (VIPC_NAME_MAX - 1) /* the leading NUL takes a byte */

/* @prefix followed by @n 'x' bytes, NUL-terminated, in @buf. */
static void long_name(char *buf, const char *prefix, size_t n)
{
	size_t plen = strlen(prefix);

	memcpy(buf, prefix, plen);
	memset(buf + plen, 'x', n);
	buf[plen + n] = '\0';
}

/* ---- permissions ---- */

static const struct {
	const char *word;
	__u32 bit;
} perm_words[] = {
	{ "connect", VIPC_PERM_CONNECT },
	{ "send", VIPC_PERM_SEND },
	{ "bind", VIPC_PERM_BIND },
	{ "pass-fd", VIPC_PERM_PASS_FD },
	{ "receive", VIPC_PERM_RECEIVE },
};

Test(perm, each_word_gives_its_bit)
{
	__u32 bit;
	size_t i;

	for (i = 0; i < sizeof(perm_words) / sizeof(perm_words[0]); i++) {
		bit = 0;
		cr_expect_eq(vipc_perm_parse(perm_words[i].word, &bit), 0, "%s", perm_words[i].word);
		cr_expect_eq(bit, perm_words[i].bit, "%s", perm_words[i].word);
	}
}

Test(perm, unknown_words_are_rejected)
{
	static const char *const bad[] = { "", "Connect", "SEND", "connec", "connectx",
					   "pass_fd", "connect,send" };
	__u32 bit;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(vipc_perm_parse(bad[i], &bit), -EINVAL, "\"%s\"", bad[i]);
}

Test(perm, lists_give_their_bits)
{
	static const struct {
		const char *list;
		__u32 bits;
	} ok[] = {
		{ "connect", VIPC_PERM_CONNECT },
		{ "connect,send", VIPC_PERM_CONNECT | VIPC_PERM_SEND },
		{ "send,connect", VIPC_PERM_CONNECT | VIPC_PERM_SEND },
		{ "bind,pass-fd", VIPC_PERM_BIND | VIPC_PERM_PASS_FD },
		{ "connect,send,bind,pass-fd", VIPC_PERM_UNIX },
		{ "send,receive", VIPC_PERM_SEND | VIPC_PERM_RECEIVE },
	};
	__u32 bits;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		bits = 0;
		cr_expect_eq(vipc_perms_parse(ok[i].list, &bits), 0, "\"%s\"", ok[i].list);
		cr_expect_eq(bits, ok[i].bits, "\"%s\"", ok[i].list);
	}
}

Test(perm, malformed_lists_are_rejected)
{
	static const char *const bad[] = { "connect,", ",send", "connect,,send", ",",
					   "connect,fly", "fly", "Connect,send" };
	__u32 bits;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(vipc_perms_parse(bad[i], &bits), -EINVAL, "\"%s\"", bad[i]);
}

Test(perm, bits_format_in_enum_order)
{
	static const struct {
		__u32 bits;
		const char *text;
	} cases[] = {
		{ 0, "none" },
		{ VIPC_PERM_CONNECT, "connect" },
		{ VIPC_PERM_PASS_FD, "pass-fd" },
		{ VIPC_PERM_CONNECT | VIPC_PERM_SEND, "connect,send" },
		{ VIPC_PERM_SEND | VIPC_PERM_PASS_FD, "send,pass-fd" },
		{ VIPC_PERM_UNIX, "connect,send,bind,pass-fd" },
		{ VIPC_PERM_ALL, "connect,send,bind,pass-fd,receive" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vipc_perms_format(cases[i].bits, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i].text, "bits %#x", cases[i].bits);
	}
}

Test(perm, format_then_parse_round_trips)
{
	char buf[64];
	__u32 bits, back;

	for (bits = 1; bits <= VIPC_PERM_ALL; bits++) {
		vipc_perms_format(bits, buf, sizeof(buf));
		back = 0;
		cr_expect_eq(vipc_perms_parse(buf, &back), 0, "bits %#x as \"%s\"", bits, buf);
		cr_expect_eq(back, bits, "bits %#x as \"%s\"", bits, buf);
	}
}

/* ---- addresses ---- */

Test(addr, pathname_keeps_every_byte)
{
	const char *text = "/shared/s.sock";
	char addr[VIPC_NAME_MAX];
	__u8 kind = 0, len = 0;

	cr_assert_eq(vipc_addr_parse(text, &kind, addr, &len), 0);
	cr_expect_eq(kind, VIPC_KIND_UNIX_PATH);
	cr_assert_eq(len, strlen(text));
	cr_expect_arr_eq(addr, text, len);
}

Test(addr, abstract_drops_the_at_sign)
{
	char addr[VIPC_NAME_MAX];
	__u8 kind = 0, len = 0;

	cr_assert_eq(vipc_addr_parse("@abs", &kind, addr, &len), 0);
	cr_expect_eq(kind, VIPC_KIND_UNIX_ABSTRACT);
	cr_assert_eq(len, 3);
	cr_expect_arr_eq(addr, "abs", 3);
}

/* Ports: "tcp:" or "udp:", an address and a port; back to the same text. */
Test(addr, ports_parse_and_format_back)
{
	static const char *const good[] = { "tcp:127.0.0.1:1", "udp:[::1]:65535",
					    "tcp:[2001:db8::7]:443", "udp:10.0.0.1:53" };
	static const char *const bad[] = { "tcp:127.0.0.1", "tcp:127.0.0.1:0", "udp:[::1]:65536",
					   "tcp:::1:80", "tcp:[::1]80", "udp:1.2.3:4",
					   "tcp:127.0.0.1:+80", "tcp::80", "udp:[::1]:8x" };
	char addr[VIPC_NAME_MAX], buf[64];
	__u8 kind, len;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cr_assert_eq(vipc_addr_parse(good[i], &kind, addr, &len), 0, "%s", good[i]);
		cr_expect_eq(kind, good[i][0] == 't' ? VIPC_KIND_TCP : VIPC_KIND_UDP, "%s", good[i]);
		cr_expect_eq(len, VIPC_INET_NAME_LEN, "%s", good[i]);
		vipc_addr_format(kind, addr, len, buf, sizeof(buf));
		cr_expect_str_eq(buf, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(vipc_addr_parse(bad[i], &kind, addr, &len), -EINVAL, "%s", bad[i]);
}

/* Queues: "mqueue:/NAME", the name kept without its '/'; back to the text. */
Test(addr, queues_parse_and_format_back)
{
	static const char *const bad[] = { "mqueue:", "mqueue:/", "mqueue:jobs", "mqueue:/a/b",
					   "mqueue://jobs" };
	char addr[VIPC_NAME_MAX], buf[64];
	__u8 kind, len;
	size_t i;

	cr_assert_eq(vipc_addr_parse("mqueue:/jobs", &kind, addr, &len), 0);
	cr_expect_eq(kind, VIPC_KIND_MQUEUE);
	cr_assert_eq(len, 4);
	cr_expect_arr_eq(addr, "jobs", 4);
	vipc_addr_format(kind, addr, len, buf, sizeof(buf));
	cr_expect_str_eq(buf, "mqueue:/jobs");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(vipc_addr_parse(bad[i], &kind, addr, &len), -EINVAL, "%s", bad[i]);
}

Test(addr, empty_names_are_rejected)
{
	char addr[VIPC_NAME_MAX];
	__u8 kind, len;

	cr_expect_eq(vipc_addr_parse("", &kind, addr, &len), -EINVAL);
	cr_expect_eq(vipc_addr_parse("@", &kind, addr, &len), -EINVAL);
}

/* The kernel key takes up to 108 pathname bytes (no NUL needed) and up to
 * 107 abstract bytes (sun_path[0] is the leading NUL).
 */
Test(addr, longest_names_fit_sun_path)
{
	char path[VIPC_NAME_MAX + 2], abstract[VIPC_NAME_MAX + 2], addr[VIPC_NAME_MAX];
	__u8 kind, len;

	long_name(path, "/", PATH_MAX_LEN - 1);
	long_name(abstract, "@", ABSTRACT_MAX_LEN);
	cr_expect_eq(vipc_addr_parse(path, &kind, addr, &len), 0);
	cr_expect_eq(len, PATH_MAX_LEN);
	cr_expect_eq(vipc_addr_parse(abstract, &kind, addr, &len), 0);
	cr_expect_eq(len, ABSTRACT_MAX_LEN);
}

Test(addr, one_byte_more_is_too_long)
{
	char path[VIPC_NAME_MAX + 2], abstract[VIPC_NAME_MAX + 2], addr[VIPC_NAME_MAX];
	__u8 kind, len;

	long_name(path, "/", PATH_MAX_LEN);
	long_name(abstract, "@", ABSTRACT_MAX_LEN + 1);
	cr_expect_eq(vipc_addr_parse(path, &kind, addr, &len), -ENAMETOOLONG);
	cr_expect_eq(vipc_addr_parse(abstract, &kind, addr, &len), -ENAMETOOLONG);
}

static const struct {
	const char *what;
	__u8 kind;
	const char *addr;
	__u8 len;
	const char *text;
} formats[] = {
	{ "pathname", VIPC_KIND_UNIX_PATH, "/shared/s.sock", 14, "/shared/s.sock" },
	{ "pathname, len not strlen", VIPC_KIND_UNIX_PATH, "/a.sockXYZ", 7, "/a.sock" },
	{ "pathname with a tab", VIPC_KIND_UNIX_PATH, "/a\tb", 4, "/a\\x09b" },
	{ "abstract", VIPC_KIND_UNIX_ABSTRACT, "abs", 3, "@abs" },
	{ "abstract, NUL and DEL", VIPC_KIND_UNIX_ABSTRACT, "a\0b\x7f", 4, "@a\\x00b\\x7f" },
	{ "abstract, trailing NUL", VIPC_KIND_UNIX_ABSTRACT, "ab\0", 3, "@ab\\x00" },
	{ "pathname starting with @", VIPC_KIND_UNIX_PATH, "@x", 2, "\\x40x" },
	{ "backslash and space", VIPC_KIND_UNIX_PATH, "a\\ b", 4, "a\\x5c\\x20b" },
	{ "tcp, IPv4 mapped", VIPC_KIND_TCP,
	  "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01\x1f\x90", 18, "tcp:127.0.0.1:8080" },
	{ "udp, IPv6", VIPC_KIND_UDP, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\0\x35", 18,
	  "udp:[fe80::1]:53" },
};

Test(addr, formats_as_the_cli_writes_them)
{
	char buf[4 * VIPC_NAME_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		vipc_addr_format(formats[i].kind, formats[i].addr, formats[i].len, buf, sizeof(buf));
		cr_expect_str_eq(buf, formats[i].text, "%s", formats[i].what);
	}
}

/* A full-length pathname has no NUL in the key: only len bounds it. */
Test(addr, full_length_pathname_needs_no_nul)
{
	char addr[VIPC_NAME_MAX], buf[VIPC_NAME_MAX + 16];

	memset(addr, 'p', sizeof(addr));
	addr[0] = '/';
	vipc_addr_format(VIPC_KIND_UNIX_PATH, addr, VIPC_NAME_MAX, buf, sizeof(buf));
	cr_assert_eq(strlen(buf), VIPC_NAME_MAX);
	cr_expect_arr_eq(buf, addr, VIPC_NAME_MAX);
}

Test(addr, parse_then_format_round_trips)
{
	static const char *const texts[] = { "/shared/echo.sock", "@vipc.jobs", "/x" };
	char addr[VIPC_NAME_MAX], buf[4 * VIPC_NAME_MAX + 2];
	__u8 kind, len;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cr_assert_eq(vipc_addr_parse(texts[i], &kind, addr, &len), 0, "%s", texts[i]);
		vipc_addr_format(kind, addr, len, buf, sizeof(buf));
		cr_expect_str_eq(buf, texts[i]);
	}
}

/* Every buffer size: NUL-terminated inside it, nothing written past it, and a
 * prefix of the full text. The escapes make the output longer than the name.
 */
Test(addr, small_buffers_truncate_without_overrun)
{
	const char name[] = "a\0b\x7f";
	const char *full = "@a\\x00b\\x7f";
	char buf[32];
	size_t size;

	for (size = 1; size <= strlen(full) + 1; size++) {
		memset(buf, 0xa5, sizeof(buf));
		vipc_addr_format(VIPC_KIND_UNIX_ABSTRACT, name, 4, buf, size);
		cr_assert_lt(strnlen(buf, size), size, "size %zu: no NUL", size);
		cr_expect_eq(strncmp(buf, full, strlen(buf)), 0, "size %zu: \"%s\"", size, buf);
		cr_expect_eq((unsigned char)buf[size], 0xa5, "size %zu: overrun", size);
	}
}

/* ---- endpoint keys ---- */

/* Key and name for @len bytes of @name, built into structs pre-filled with
 * @dirt and from an address buffer whose bytes past @len are garbage.
 */
static void key_from_dirt(struct vipc_endpoint_key *key, union vipc_name *out, int dirt,
			  __u32 slot, __u8 kind, const char *name, __u8 len)
{
	char addr[VIPC_NAME_MAX];

	memset(addr, dirt ^ 0x5a, sizeof(addr));
	memcpy(addr, name, len);
	memset(key, dirt, sizeof(*key));
	memset(out, dirt, sizeof(*out));
	vipc_endpoint_key_make(key, out, slot, kind, addr, len);
}

Test(key, fields_set_and_tail_zeroed)
{
	struct vipc_endpoint_key key;
	union vipc_name name;
	size_t i;

	key_from_dirt(&key, &name, 0xff, 1, VIPC_KIND_UNIX_PATH, "/a", 2);
	cr_expect_eq(key.slot, 1);
	cr_expect_eq(key.kind, VIPC_KIND_UNIX_PATH);
	cr_expect_eq(key.len, 2);
	cr_expect_eq(key.pad, 0);
	cr_expect_eq(key.hash, vipc_name_hash(&name, 2));
	cr_expect_arr_eq(name.bytes, "/a", 2);
	for (i = 2; i < sizeof(name.bytes); i++)
		cr_expect_eq(name.bytes[i], 0, "name[%zu] = %#x", i, (unsigned char)name.bytes[i]);
}

Test(key, same_name_same_bytes_whatever_the_dirt)
{
	struct vipc_endpoint_key a, b;
	union vipc_name na, nb;

	key_from_dirt(&a, &na, 0xff, 0, VIPC_KIND_UNIX_ABSTRACT, "jobs", 4);
	key_from_dirt(&b, &nb, 0x00, 0, VIPC_KIND_UNIX_ABSTRACT, "jobs", 4);
	cr_expect_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_expect_eq(memcmp(&na, &nb, sizeof(na)), 0);
	cr_expect(vipc_name_eq(&na, &nb, 4));
}

Test(key, full_length_name_fills_the_name)
{
	struct vipc_endpoint_key key;
	union vipc_name out;
	char name[VIPC_NAME_MAX];

	memset(name, 'n', sizeof(name));
	key_from_dirt(&key, &out, 0xff, 0, VIPC_KIND_UNIX_PATH, name, VIPC_NAME_MAX);
	cr_expect_eq(key.len, VIPC_NAME_MAX);
	cr_expect_arr_eq(out.bytes, name, VIPC_NAME_MAX);
}

Test(key, kind_and_length_tell_names_apart)
{
	struct vipc_endpoint_key path, abstract, nul;
	union vipc_name n;

	key_from_dirt(&path, &n, 0, 0, VIPC_KIND_UNIX_PATH, "/a", 2);
	key_from_dirt(&abstract, &n, 0, 0, VIPC_KIND_UNIX_ABSTRACT, "a", 1);
	key_from_dirt(&nul, &n, 0, 0, VIPC_KIND_UNIX_ABSTRACT, "a\0", 2);
	cr_expect_neq(memcmp(&path, &abstract, sizeof(path)), 0, "\"/a\" vs \"@a\"");
	cr_expect_neq(memcmp(&abstract, &nul, sizeof(nul)), 0, "\"@a\" vs \"@a\\x00\"");
}

/* Every byte of a full-length name counts, in the hash and in the compare. */
Test(key, every_byte_changes_the_hash_and_the_name)
{
	struct vipc_endpoint_key base, other;
	union vipc_name nbase, nother;
	char name[VIPC_NAME_MAX];
	size_t i;

	memset(name, 'n', sizeof(name));
	key_from_dirt(&base, &nbase, 0, 0, VIPC_KIND_UNIX_PATH, name, VIPC_NAME_MAX);
	for (i = 0; i < VIPC_NAME_MAX; i++) {
		name[i] = 'm';
		key_from_dirt(&other, &nother, 0, 0, VIPC_KIND_UNIX_PATH, name, VIPC_NAME_MAX);
		name[i] = 'n';
		cr_expect_neq(other.hash, base.hash, "byte %zu: same hash", i);
		cr_expect_not(vipc_name_eq(&nother, &nbase, VIPC_NAME_MAX), "byte %zu: same name", i);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* A million similar names, as a generated policy writes them, hash apart. */
Test(key, similar_names_do_not_collide)
{
	enum { N = 1000000 };
	__u64 *h = malloc(N * sizeof(*h));
	struct vipc_endpoint_key key;
	union vipc_name out;
	char name[64];
	size_t i;

	cr_assert(h);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "/run/svc/ep-%zu.sock", i);
		key_from_dirt(&key, &out, 0, 0, VIPC_KIND_UNIX_PATH, name, strlen(name));
		h[i] = key.hash;
	}
	qsort(h, N, sizeof(*h), cmp_u64);
	for (i = 1; i < N; i++)
		cr_expect_neq(h[i], h[i - 1], "collision after %zu names", i);
	free(h);
}

/* The kernel's pathname cut: for every size and NUL position, with
 * non-zero bytes on both sides of the NUL, the length is strnlen's and
 * every byte past it is zero; with no NUL the name is all @size bytes.
 */
Test(key, pathname_cut_at_first_nul)
{
	union vipc_name n;
	size_t size, at, i;

	for (size = 1; size <= VIPC_NAME_MAX; size++) {
		for (at = 1; at <= size; at++) {
			memset(&n, 0, sizeof(n));
			for (i = 0; i < size; i++)
				n.bytes[i] = (char)(0x80 | (i * 7 + 1)); /* non-zero */
			if (at < size)
				n.bytes[at] = '\0';
			cr_assert_eq(vipc_name_cut(&n, size), at, "size %zu, NUL at %zu", size, at);
			for (i = at; i < sizeof(n.bytes); i++)
				cr_assert_eq(n.bytes[i], 0, "size %zu, NUL at %zu: byte %zu = %#x",
					     size, at, i, (unsigned char)n.bytes[i]);
			cr_assert_eq(n.bytes[at - 1], (char)(0x80 | ((at - 1) * 7 + 1)));
		}
	}
}

/* Bytes 0x01 and 0x80 next to a NUL: the zero-byte test has no false hit. */
Test(key, pathname_cut_ignores_lookalike_bytes)
{
	static const char *const names[] = { "\x01\x01\x01", "\x80\x80", "a\x01\x80\x01b",
					     "\x01\x00\x01" };
	union vipc_name n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&n, 0, sizeof(n));
		memset(n.bytes, 0x01, VIPC_NAME_MAX);
		memcpy(n.bytes, names[i], strlen(names[i]) + 1);
		cr_expect_eq(vipc_name_cut(&n, VIPC_NAME_MAX), strlen(names[i]), "name %zu", i);
	}
}
