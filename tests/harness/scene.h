/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The scene most integration tests play in: three registered containers —
 * srv (owns the endpoints), cli (granted) and bad (not granted) — sharing a
 * host directory at /shared, vipc loaded with a policy naming them.
 */
#ifndef __VIPC_SCENE_H
#define __VIPC_SCENE_H

#include "harness.h"

#define S_SOCK "/shared/s.sock"	 /* srv's stream endpoint "sock" */
#define S_DGRAM "/shared/d.sock" /* srv's datagram endpoint "dgram" */
#define S_ABSTRACT "@vipc-abs"	 /* srv's abstract endpoint "abs" */

struct scene {
	struct h_container *srv, *cli, *bad;
	const char *shared; /* host directory mounted at /shared */
};

extern struct scene sc;

/* Containers in this policy, before endpoints/grants: srv, cli, bad. */
#define S_CONTAINERS                                    \
	"containers:\n"                                 \
	"  srv: { cgroup: vipc-test/srv }\n"            \
	"  cli: { cgroup: vipc-test/cli }\n"            \
	"  bad: { cgroup: vipc-test/bad }\n"
#define S_ENDPOINTS                                         \
	"endpoints:\n"                                      \
	"  sock:  { owner: srv, unix: " S_SOCK " }\n"       \
	"  dgram: { owner: srv, unix: " S_DGRAM " }\n"      \
	"  abs:   { owner: srv, abstract: vipc-abs }\n"
/* The usual grants: cli may connect to sock, send to dgram and abs. */
#define S_GRANTS                                                   \
	"grants:\n"                                                  \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n" \
	"  - { container: cli, endpoint: dgram, allow: [send] }\n"   \
	"  - { container: cli, endpoint: abs, allow: [connect] }\n"
/* The usual policy. */
#define S_POLICY "version: 1\n" S_CONTAINERS S_ENDPOINTS S_GRANTS

/* Criterion .init/.fini: clean stale state, make cgroups; unload, clean up. */
void s_init(void);
void s_fini(void);
/* Load @policy, then start srv, cli and bad (cli and bad share srv's
 * network and IPC namespaces, as in a pod, when @shared_netns).
 */
void s_start(const char *policy, int shared_netns);
/* The same, and the backend under test live, lsm or fmodret (the LSM
 * suites prove nothing without it).
 */
void s_start_live(const char *policy, int shared_netns);
/* The same, loading with more options (NULL-terminated, NULL for none). */
void s_start_opts(const char *policy, int shared_netns, const char *const *load_opts);
/* The same, loading with another build of the loader (a previous release). */
void s_start_by(const char *loader, const char *policy, int shared_netns,
		const char *const *load_opts);
/* Run vipc-probe with the NULL-terminated arguments inside @c: its exit
 * status (0, or the errno of the failing call).
 */
int s_probe(struct h_container *c, const char *arg, ...) __attribute__((sentinel));
/* Start `vipc-probe listen ADDR [type]` in srv and wait until it is bound. */
void s_listen(const char *addr, const char *type);
/* socat answering every connection on host path @path with one HTTP/1.0
 * 200, as srv (in its cgroup, on the host), once listening.
 */
void s_http_serve(const char *path);
/* Run @cmd in @c with sh, its shell first moved by the host into cgroup
 * @rel (the process is decided by that cgroup from then on): the spawn
 * (h_spawn_wait gives @cmd's exit status).
 */
pid_t s_spawn_moved(struct h_container *c, const char *rel, const char *cmd);
/* `vipc-probe loop S_SOCK` in @c, connecting over and over (@pause_us
 * between connects) until stopped; then how many connects succeeded and
 * how many got EPERM.
 */
pid_t s_loop_start(struct h_container *c, int pause_us);
void s_loop_stop(pid_t pid, unsigned long *ok, unsigned long *eperm);
/* Stop the loops of bad and cli: bad was never let through, cli never
 * refused, and both did connect (their counts printed after @what).
 */
void s_loops_check(pid_t bad, pid_t cli, const char *what);

#endif /* __VIPC_SCENE_H */
