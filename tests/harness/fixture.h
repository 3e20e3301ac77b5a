/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc-specific helpers for the integration suites: run the loader, write a
 * policy, read counters through the loader and through bpftool.
 */
#ifndef __VIPC_FIXTURE_H
#define __VIPC_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include "log.h" /* the loader's exit statuses */

#define V_LOADER h_path("vipc-loader")
#define V_PROBE "/bin/vipc-probe"
#define V_ROOTFS "build/rootfs"

/* Output of the last v_loader() call (stdout and stderr). */
extern char v_out[65536];

/* Run ./vipc-loader with the NULL-terminated arguments; its exit status. */
int v_loader(const char *arg, ...) __attribute__((sentinel));
/* Files a test writes go to its own h_tmpdir(), removed at cleanup; each
 * returns the path (a static buffer). @yaml into a fresh file:
 */
const char *v_policy_file(const char *yaml);
/* @text into file @name (replaced if there): */
const char *v_tmp_file(const char *name, const char *text);
/* Load vipc with @yaml as policy; asserts success. */
void v_load(const char *yaml);
/* The same with more load options (NULL-terminated, NULL for none):
 * "--max-containers", "16", ...
 */
void v_load_opts(const char *yaml, const char *const *opts);
/* The same with another build of the loader (a previous release). */
void v_load_by(const char *loader, const char *yaml, const char *const *opts);
/* Unload if loaded; never fails the test. */
void v_unload(void);
/* The backend under test: $VIPC_BACKEND, "sock" when unset. */
const char *v_backend(void);
/* Does it decide by the peer socket: the LSM backend, or the fmodret one
 * (the same programs as fmod_ret)? Else it is the socket backend.
 */
bool v_lsm(void);
/* Name of the hook where the backend under test decides a connect (0) or a
 * send (1), and the name of its program.
 */
const char *v_hook(int send);
const char *v_hook_prog(int send);
/* A counter from `vipc-loader stats --json`: a registry counter, or a decision
 * counter of the backend's connect and send hooks (v_hook), so the same calls
 * count the same on either backend. These counter readers fail the test when
 * the section or the field is missing: a renamed counter never reads as 0.
 */
unsigned long long v_stat(const char *field);
/* A decision counter summed over every hook (binds and re-checks included). */
unsigned long long v_stat_total(const char *field);
/* A decision counter of one hook, by its name in `stats` ("socket_sendmsg"). */
unsigned long long v_stat_hook(const char *hook, const char *field);
/* The same counter summed over CPUs (and, for vipc_stats, the connect and send
 * hooks) from `bpftool map dump pinned` (BTF-formatted); 0 for an empty map,
 * else every entry must hold the field.
 */
unsigned long long v_bpftool_stat(const char *map, const char *field);
/* How often @needle occurs in @s (overlaps counted). */
int v_occurrences(const char *s, const char *needle);
/* Skip (or, under CI=true, fail) when not root. */
void v_require_root(void);

#endif /* __VIPC_FIXTURE_H */
