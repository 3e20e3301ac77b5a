// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Which kernel releases free a BPF program detached while a trampoline still
 * runs it (what `status` warns about): by release string, as uname gives it.
 */
#include <criterion/criterion.h>
#include "state.h"

Test(kernel, releases_before_the_fix_free_busy_programs)
{
	cr_assert_eq(vipc_kernel_frees_busy_progs("6.1.0-57-cloud-amd64"), 1);
	cr_assert_eq(vipc_kernel_frees_busy_progs("6.12.117+deb12-cloud-amd64"), 1);
	cr_assert_eq(vipc_kernel_frees_busy_progs("6.18.3"), 1);
	cr_assert_eq(vipc_kernel_frees_busy_progs("7.1.9"), 1);
}

Test(kernel, stable_7_2_and_7_3_candidates_are_unknown)
{
	cr_assert_eq(vipc_kernel_frees_busy_progs("7.2.4"), -1);
	cr_assert_eq(vipc_kernel_frees_busy_progs("7.3.0-rc5"), -1);
	cr_assert_eq(vipc_kernel_frees_busy_progs("junk"), -1);
}

Test(kernel, releases_with_the_fix_keep_busy_programs)
{
	cr_assert_eq(vipc_kernel_frees_busy_progs("7.3.0"), 0);
	cr_assert_eq(vipc_kernel_frees_busy_progs("7.4.1-arch1"), 0);
	cr_assert_eq(vipc_kernel_frees_busy_progs("8.0.0"), 0);
}
