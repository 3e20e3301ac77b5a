/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Pinned instances as the upgrade tests see them: the other side's loader
 * (a previous release, or this tree at the next ABI), the links an
 * instance pins, and what an upgrade must leave.
 */
#ifndef __VIPC_INSTANCE_H
#define __VIPC_INSTANCE_H

#include <linux/types.h>

#define V_MAX_LINKS 64

/* The loader of release @commit (build/old/<commit>/vipc-loader), or with
 * NULL, this tree at the next ABI (build/abi/<N>/vipc-loader): asserted
 * built (make build/tests/test_upgrade builds them), which one printed.
 */
const char *v_other_loader(const char *commit);
/* The ids of the links pinned at @dir, at most V_MAX_LINKS: how many. */
int v_pinned_links(const char *dir, __u32 *ids);
/* How many of the @n links @ids still exist, after waiting up to 2 s for
 * them to go (the kernel frees an unpinned link in a work item).
 */
int v_links_left(const __u32 *ids, int n);
/* One instance of ABI @abi at the pin directory, its links pinned, nothing
 * beside it (no upgrade's directory), none of the @n links @gone left.
 */
void v_assert_one_instance(int abi, const __u32 *gone, int n);

#endif /* __VIPC_INSTANCE_H */
