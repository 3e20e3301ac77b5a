// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The loader's load -> reload -> unload cycle under valgrind: no invalid
 * access and nothing definitely or indirectly lost. Valgrind does not know
 * what the kernel writes for most bpf() commands (it warns "unhandled eBPF
 * command"), so it would take every map read for uninitialised memory:
 * undefined-value tracking is off, the ASan unit builds cover it.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"

TestSuite(leaks, .init = s_init, .fini = s_fini, .timeout = 300);

/* Run the loader under valgrind: `vipc-loader CMD [-c POLICY]`. */
static int valgrind_loader(const char *cmd, const char *policy)
{
	const char *argv[] = { "valgrind", "-q", "--leak-check=full", "--undef-value-errors=no",
			       "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
			       V_LOADER, cmd, policy ? "-c" : NULL, policy, NULL };

	return h_run(argv, v_out, sizeof(v_out));
}

Test(leaks, load_reload_unload_under_valgrind)
{
	const char *path;

	v_require_root();
	h_timeout_ms = 240000; /* valgrind is slow, the more so on a busy machine */
	path = v_policy_file(S_POLICY);
	cr_assert_eq(valgrind_loader("load", path), 0, "load: %s", v_out);
	cr_assert_eq(valgrind_loader("reload", path), 0, "reload: %s", v_out);
	cr_assert_eq(v_loader("check", "cli", "sock", "connect", NULL), 0, "policy applied");
	cr_assert_eq(valgrind_loader("unload", NULL), 0, "unload: %s", v_out);
	cr_assert_null(strstr(v_out, "definitely lost"), "%s", v_out);
	cr_assert_eq(v_loader("status", NULL), VIPC_EXIT_NOT_LOADED);
	unlink(path);
}
