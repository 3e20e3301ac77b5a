/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc-specific helpers for the integration suites: run the loader, write a
 * policy, read counters through the loader and through bpftool.
 */
#ifndef __VIPC_FIXTURE_H
#define __VIPC_FIXTURE_H

#include <stddef.h>
#include "log.h" /* the loader's exit statuses */

#define V_LOADER h_path("vipc-loader")
#define V_PROBE "/bin/vipc-probe"
#define V_ROOTFS "build/rootfs"

/* Output of the last v_loader() call (stdout and stderr). */
extern char v_out[65536];

/* Run ./vipc-loader with the NULL-terminated arguments; its exit status. */
int v_loader(const char *arg, ...) __attribute__((sentinel));
/* Write @yaml to a fresh file and return its path (static buffer). */
const char *v_policy_file(const char *yaml);
/* Load vipc with @yaml as policy; asserts success. */
void v_load(const char *yaml);
/* Unload if loaded; never fails the test. */
void v_unload(void);
/* A counter from `vipc-loader stats --json` (decisions or registry). */
unsigned long long v_stat(const char *field);
/* The same counter summed over CPUs from `bpftool map dump pinned` (BTF-formatted). */
unsigned long long v_bpftool_stat(const char *map, const char *field);
/* Sum of every "field":N in a JSON text. */
unsigned long long v_json_sum(const char *json, const char *field);
/* Skip (or, under CI=true, fail) when not root. */
void v_require_root(void);

#endif /* __VIPC_FIXTURE_H */
