// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The glob matcher the cgroup_mkdir program and the loader share
 * (vipc_glob_match in vipc_glob.h): every pattern of up to five bytes
 * over {a, b, ?, *} with at most one '*' against every name of up to six
 * bytes over {a, b}, compared with fnmatch(3); names at an offset inside a
 * path as the kernel passes them; the longest names; and the prefix hash
 * and compare the parent directory's lookup uses.
 */
#include <criterion/criterion.h>
#include <fnmatch.h>
#include <linux/types.h>
#include <string.h>
#include "vipc_glob.h"
#include "vipc_name.h"

/* Every string of exactly @len bytes over @alpha (@k letters), as number @n. */
static void nth_string(char *out, const char *alpha, unsigned k, unsigned len, unsigned n)
{
	unsigned i;

	for (i = 0; i < len; i++, n /= k)
		out[i] = alpha[n % k];
	out[len] = 0;
}

static unsigned power(unsigned k, unsigned n)
{
	return n ? k * power(k, n - 1) : 1;
}

static int match_at(const char *pat, const char *prefix, const char *name)
{
	union vipc_path p = {};
	struct vipc_glob g;
	size_t off = strlen(prefix);

	vipc_glob_make(&g, pat, strlen(pat));
	memcpy(p.bytes, prefix, off);
	memcpy(p.bytes + off, name, strlen(name));
	return vipc_glob_match(&g, &p, off, strlen(name));
}

Test(glob, agrees_with_fnmatch_on_every_small_case)
{
	char pat[8], name[8];
	unsigned pl, pn, nl, nn, cases = 0;

	for (pl = 0; pl <= 5; pl++)
		for (pn = 0; pn < power(4, pl); pn++) {
			nth_string(pat, "ab?*", 4, pl, pn);
			if (strchr(pat, '*') != strrchr(pat, '*'))
				continue; /* the parser refuses two '*' */
			for (nl = 0; nl <= 6; nl++)
				for (nn = 0; nn < power(2, nl); nn++, cases++) {
					nth_string(name, "ab", 2, nl, nn);
					cr_assert_eq(match_at(pat, "", name),
						     !fnmatch(pat, name, FNM_NOESCAPE),
						     "'%s' against '%s'", pat, name);
				}
		}
	cr_assert_gt(cases, 100000);
}

Test(glob, names_inside_a_path_match_as_alone)
{
	cr_assert(match_at("docker-*.scope", "/system.slice/", "docker-0123abcd.scope"));
	cr_assert(match_at("web-*", "/vipc-test/", "web-"));
	cr_assert(match_at("web-?", "/vipc-test/", "web-1"));
	cr_assert(match_at("*", "/", "x"));
	cr_assert_not(match_at("web-*", "/vipc-test/", "web"));
	cr_assert_not(match_at("web-?", "/vipc-test/", "web-12"));
	cr_assert_not(match_at("docker-*.scope", "/system.slice/", "docker-1.scope.x"));
	cr_assert_not(match_at("*.scope", "/system.slice/", "scope"));
	/* The path's own bytes before the name are not the name's. */
	cr_assert_not(match_at("*test", "/vipc-test/", "x"));
	cr_assert_not(match_at("?x", "/vipc-test/", "x"));
}

Test(glob, longest_names_and_patterns)
{
	char name[VIPC_CGROUP_PATH_MAX], pat[VIPC_CGROUP_PATH_MAX];
	size_t n = VIPC_CGROUP_PATH_MAX - 2; /* "/" + 254 bytes: the longest path */

	memset(name, 'x', n);
	name[n] = 0;
	memcpy(pat, name, n + 1);
	cr_assert(match_at(pat, "/", name));
	pat[n - 1] = '?';
	cr_assert(match_at(pat, "/", name));
	pat[0] = '*';
	pat[1] = 0;
	cr_assert(match_at(pat, "/", name));
	memcpy(pat, name, n + 1);
	pat[n / 2] = '*';
	cr_assert(match_at(pat, "/", name));
	name[n - 1] = 'y';
	cr_assert_not(match_at(pat, "/", name));
}

Test(glob, a_parent_hashes_and_compares_alike_cut_or_padded)
{
	const char *full = "/system.slice/docker-0123456789abcdef.scope";
	union vipc_path path = {}, parent = {};
	__u32 len;

	for (len = 0; len < strlen(full); len++) {
		memcpy(path.bytes, full, strlen(full));
		memset(&parent, 0, sizeof(parent));
		memcpy(parent.bytes, full, len);
		cr_assert_eq(vipc_path_hash(&path, len), vipc_path_hash(&parent, len), "at %u",
			     len);
		cr_assert(vipc_path_eq(&path, &parent, len), "at %u", len);
	}
	parent.bytes[3] ^= 1;
	cr_assert_not(vipc_path_eq(&path, &parent, 10));
}
