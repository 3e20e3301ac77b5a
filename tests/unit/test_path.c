// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The normal form of pathnames that every backend compares (vipc_name.h,
 * shared with the BPF side): each spelling the kernel's lookup makes
 * equivalent ("//", "/./", "/../", a relative name from the root, a
 * trailing "/" or "/.") gives the registered name; every name of up to
 * eight bytes over {/, ., a} and long random ones against a reference made
 * of components; the word-at-a-time test of normal form against the
 * normaliser; the longest names; and the loader's parse of addresses.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "vipc_name.h"

/* @text normalised by vipc_path_normalize into @out (a C string). */
static __u32 normalize(const char *text, char *out)
{
	union vipc_name n = {};
	__u32 len = strlen(text), i;

	memcpy(n.bytes, text, len);
	len = vipc_path_normalize(&n, len);
	for (i = len; i < VIPC_NAME_BYTES; i++)
		cr_assert_eq(n.bytes[i], 0, "%s: byte %u after the name is not zero", text, i);
	memcpy(out, n.bytes, len);
	out[len] = 0;
	return len;
}

/* The reference: the name split at '/', "" and "." dropped, ".." taking
 * the last component off (none above the root), joined after a '/'.
 */
static void reference(const char *text, char *out)
{
	char copy[512], *comp[256], *tok, *save = NULL;
	int n = 0, i;

	snprintf(copy, sizeof(copy), "%s", text);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, ".."))
			n -= n > 0;
		else
			comp[n++] = tok;
	}
	strcpy(out, "/");
	for (i = 0; i < n; i++)
		strcat(strcat(out, i ? "/" : ""), comp[i]);
}

static int is_normal(const char *text)
{
	union vipc_name n = {};

	memcpy(n.bytes, text, strlen(text));
	return vipc_path_is_normal(&n, strlen(text));
}

/* @text normalises as the reference does, and vipc_path_is_normal says
 * so exactly when its normal form is itself ("/" aside).
 */
static void check(const char *text)
{
	char got[VIPC_NAME_BYTES + 1], want[512];

	normalize(text, got);
	reference(text, want);
	cr_assert_str_eq(got, want, "normal form of \"%s\"", text);
	if (strcmp(text, "/"))
		cr_assert_eq(is_normal(text), !strcmp(got, text), "is \"%s\" normal?", text);
}

static const struct {
	const char *spelling, *normal;
} spellings[] = {
	{ "/shared/s.sock", "/shared/s.sock" },
	{ "//shared/s.sock", "/shared/s.sock" },
	{ "/shared//s.sock", "/shared/s.sock" },
	{ "/shared///s.sock", "/shared/s.sock" },
	{ "/shared/./s.sock", "/shared/s.sock" },
	{ "/./shared/s.sock", "/shared/s.sock" },
	{ "/shared/../shared/s.sock", "/shared/s.sock" },
	{ "/../shared/s.sock", "/shared/s.sock" },
	{ "/shared/x/y/../../s.sock", "/shared/s.sock" },
	{ "shared/s.sock", "/shared/s.sock" },
	{ "./shared/s.sock", "/shared/s.sock" },
	{ "../shared/s.sock", "/shared/s.sock" },
	{ "/shared/s.sock/", "/shared/s.sock" },
	{ "/shared/s.sock/.", "/shared/s.sock" },
	{ "/shared/s.sock/..", "/shared" },
	{ "/", "/" },
	{ "///", "/" },
	{ "/..", "/" },
	{ "/tmp/.X11-unix/X0", "/tmp/.X11-unix/X0" },
	{ "/a/..b/...c/.d.", "/a/..b/...c/.d." },
};

Test(path, each_spelling_gives_its_normal_form)
{
	size_t i;

	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		char got[VIPC_NAME_BYTES + 1];

		normalize(spellings[i].spelling, got);
		cr_expect_str_eq(got, spellings[i].normal, "%s", spellings[i].spelling);
		check(spellings[i].spelling);
	}
}

/* Every name of 1 to 8 bytes over {/, ., a}: the components' reference. */
Test(path, every_short_name_normalises_as_its_components_say)
{
	static const char alpha[] = "/.a";
	char text[16];
	unsigned len, n, total, i, k;

	for (len = 1; len <= 8; len++) {
		for (total = 1, i = 0; i < len; i++)
			total *= 3;
		for (n = 0; n < total; n++) {
			for (i = 0, k = n; i < len; i++, k /= 3)
				text[i] = alpha[k % 3];
			text[len] = 0;
			check(text);
		}
	}
}

/* Long names up to sun_path's 108 bytes, mostly components, some odd. */
Test(path, long_random_names_normalise_as_their_components_say)
{
	static const char *const parts[] = { "/", "//", "/./", "/../", "a", "bb", ".c", "..", "." };
	char text[VIPC_NAME_MAX + 1];
	int i;

	srand(7);
	for (i = 0; i < 20000; i++) {
		text[0] = 0;
		while (strlen(text) + 4 < VIPC_NAME_MAX && rand() % 40)
			strcat(text, parts[rand() % 9]);
		if (text[0])
			check(text);
	}
}

/* A relative name of sun_path's full 108 bytes is 109 from the root. */
Test(path, the_longest_relative_name_fits_from_the_root)
{
	char text[VIPC_NAME_MAX + 1], got[VIPC_NAME_BYTES + 1];

	memset(text, 'r', VIPC_NAME_MAX);
	text[VIPC_NAME_MAX] = 0;
	cr_assert_eq(normalize(text, got), VIPC_NAME_MAX + 1);
	cr_assert_eq(got[0], '/');
	cr_assert_arr_eq(got + 1, text, VIPC_NAME_MAX);
}

/* Normalised in place, a spelling hashes and compares as the registered name. */
Test(path, a_normalised_spelling_is_the_registered_key)
{
	union vipc_name reg = {}, n = {};
	const char *spelling = "/shared/./x/..//s.sock";
	__u32 len;

	memcpy(reg.bytes, "/shared/s.sock", 14);
	memcpy(n.bytes, spelling, strlen(spelling));
	len = vipc_path_normalize(&n, strlen(spelling));
	cr_assert_eq(len, 14);
	cr_assert(vipc_name_eq(&n, &reg, len));
	cr_assert_eq(vipc_name_hash(&n, len), vipc_name_hash(&reg, 14));
}

/* The loader takes normal names as they are, gives the normal form of
 * others (1: it changed), and refuses relative ones.
 */
Test(path, the_loader_parses_addresses_to_their_normal_form)
{
	char addr[VIPC_NAME_MAX];
	__u8 kind, len;

	cr_assert_eq(vipc_addr_parse("/shared/s.sock", &kind, addr, &len), 0);
	cr_assert_eq(vipc_addr_parse("/shared//./s.sock", &kind, addr, &len), 1);
	cr_assert_eq(len, 14);
	cr_assert_arr_eq(addr, "/shared/s.sock", 14);
	cr_assert_eq(vipc_addr_parse("@a//b", &kind, addr, &len), 0, "abstract names are bytes");
	cr_assert_eq(len, 4);
	cr_assert_eq(vipc_addr_parse("shared/s.sock", &kind, addr, &len), -EINVAL);
}
