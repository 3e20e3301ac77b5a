/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Glob matching of cgroup names, with at most one '*' and any '?': the
 * loader's (glob selectors, the walk) and BPF's (a cgroup made under a
 * watched glob) alike.
 */
#ifndef __VIPC_GLOB_H
#define __VIPC_GLOB_H

#include "vipc.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Glob @g of the @len (< VIPC_CGROUP_PATH_MAX) bytes at @pat, at most one
 * of them a '*' (the loader's; the parser checks it).
 */
static inline void vipc_glob_make(struct vipc_glob *g, const char *pat, __u32 len)
{
	__u32 i;

	__builtin_memset(g, 0, sizeof(*g));
	g->len = len;
	g->star = VIPC_GLOB_NO_STAR;
	for (i = 0; i < len; i++) {
		g->pat[i] = pat[i];
		if (pat[i] == '*')
			g->star = i;
	}
}

/* Does byte @i of a name of @nl bytes, at @off in @p, fit glob @g? Inside
 * the run the '*' stands for any byte does; before it a byte faces the
 * pattern's byte at the same index, after it the one as far from the end.
 */
static __always_inline int vipc_glob_byte(const struct vipc_glob *g, const union vipc_path *p,
					  __u32 off, __u32 nl, __u32 i)
{
	__u32 j = i;
	char c;

	if (g->star != VIPC_GLOB_NO_STAR && i >= g->star) {
		if (i + g->len < nl + g->star + 1)
			return 1;
		j = i + g->len - nl;
	}
	c = g->pat[j & (VIPC_CGROUP_PATH_MAX - 1)];
	return c == '?' || c == p->bytes[(off + i) & (VIPC_CGROUP_PATH_MAX - 1)];
}

/* Can a name of @nl bytes match glob @g at all? */
static __always_inline int vipc_glob_fits(const struct vipc_glob *g, __u32 nl)
{
	return g->star == VIPC_GLOB_NO_STAR ? nl == g->len : nl + 1 >= g->len;
}

/* Does the name of @nl bytes at @off in @p match glob @g? One pass over
 * the name, bounded by the size of a path: no backtracking with one '*'.
 * (The BPF side runs the same steps, a vipc_glob_byte() per bpf_loop step.)
 */
static __always_inline int vipc_glob_match(const struct vipc_glob *g, const union vipc_path *p,
					   __u32 off, __u32 nl)
{
	__u32 i;

	if (!vipc_glob_fits(g, nl))
		return 0;
	for (i = 0; i < VIPC_CGROUP_PATH_MAX && i < nl; i++)
		if (!vipc_glob_byte(g, p, off, nl, i))
			return 0;
	return 1;
}

#endif /* __VIPC_GLOB_H */
