/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Integration-test harness: host commands, cgroup v2 directories and real
 * runc containers, all cleaned up even when a test fails.
 *
 * Conventions
 * - Every symbol starts with h_ (the suites also link the loader's objects).
 * - Functions that can fail print one "harness: ..." line to stderr and return
 *   a negative errno (or NULL / 0 where they return a pointer / an id).
 * - Command results are exit statuses: 0..255 as the command exited,
 *   128 + N when killed by signal N, negative when the harness itself failed
 *   (the command never ran, or timed out: -ETIMEDOUT).
 * - cgroup paths ("rel") are relative to h_cgroup2() (e.g. "vipc-test/web").
 *   Keep every test cgroup under H_CGROUP_ROOT: h_cleanup_stale() and
 *   h_cleanup_all() sweep that subtree, in cgroup2 and in the v1 hierarchies
 *   runc also populates on a hybrid machine.
 * - Container ids are "vipc-test-<name>"; runc runs with its default state
 *   root, so `runc list` shows them.
 * - Everything created is registered and removed by h_cleanup_all(), which
 *   also runs at exit. Call it from a Criterion .fini and h_cleanup_stale()
 *   from .init (before creating anything):
 *
 *	TestSuite(sock, .init = h_setup, .fini = h_cleanup_all);
 *
 *   h_setup() = h_cleanup_stale() + a check that the rootfs exists.
 * - Not safe to run two harness processes at once (they share cgroup names).
 */
#ifndef __VIPC_HARNESS_H
#define __VIPC_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#define H_CGROUP_ROOT "vipc-test" /* all test cgroups live below this */
#define H_ID_PREFIX "vipc-test-"  /* runc ids and temp dir names */

/* Default time limit of h_run / h_container_exec, in ms (0 = none). Every
 * wait is multiplied by $VIPC_TIME_SCALE when set (VM runs under emulation). */
extern int h_timeout_ms;

/* MS times $VIPC_TIME_SCALE (1 if unset): for a test's own polling deadlines. */
int h_scale_ms(int ms);

/* Rounds of a stress loop: NATIVE in a full run; a fifth under emulation
 * ($VIPC_TIME_SCALE > 1, where each container start takes seconds and the
 * host has run them all) or in a quick run ($VIPC_QUICK=1, `make check`);
 * N times as many in a soak ($VIPC_SOAK=N). */
int h_runs(int native);

/* ---- paths ---- */

/*
 * Absolute path of REL inside the repository (found from the test binary,
 * <repo>/build/tests/<name>), e.g. h_path("vipc-loader"),
 * h_path("build/tests/vipc-probe"). Returns one of 8 rotating static buffers.
 */
const char *h_path(const char *rel);

/* A new empty directory, removed at cleanup; returns a static-lifetime string. */
const char *h_tmpdir(void);

/* ---- host commands ---- */

/* Run ARGV (NULL-terminated, PATH searched, no shell); stdout+stderr go to OUT. */
int h_run(const char *const argv[], char *out, size_t outsz);

/* Same, with the child moved into cgroup REL first (NULL: stay put). */
int h_run_cg(const char *rel, const char *const argv[], char *out, size_t outsz);

/* ---- container engines (scripts/engines.sh) ---- */

/* Where the engines keep their state: $VIPC_ENGINES_DIR, else /run/vipc-engines. */
const char *h_engines_dir(void);

/* A suite's engines: Docker, Podman and containerd started once before its
 * first test (after stopping what a killed run left), stopped after its
 * last; a failure is printed under @suite's name with the script's output.
 * Engine commands are slow: h_timeout_ms is 120 s from then on.
 */
void h_engines_up(const char *suite);
void h_engines_down(const char *suite);

/* ---- cgroups (cgroup2, under h_cgroup2()) ---- */

/* The cgroup2 mount, found as the loader finds it (/sys/fs/cgroup on unified
 * hosts, /sys/fs/cgroup/unified on hybrid ones); exits when there is none.
 */
const char *h_cgroup2(void);

/* mkdir -p h_cgroup2()/REL; 0 if it exists already. Created dirs are registered. */
int h_cgroup_make(const char *rel);

/*
 * Kill every process in REL's subtree (cgroup.kill), then rmdir it deepest
 * first; the same path in the v1 hierarchies too. 0 if it does not exist.
 */
int h_cgroup_remove(const char *rel);

/* The cgroup id (inode of the directory) as BPF sees it; 0 on error. */
unsigned long long h_cgroup_id(const char *rel);

/* Move PID (0 = the caller) into REL. */
int h_cgroup_enter(const char *rel, pid_t pid);

/* ---- containers (runc) ---- */

struct h_container;

/* The shared directory's second bind mount inside every container. */
#define H_SHARED_ALIAS "/shared-alias"

struct h_container_opts {
	const char *name;		      /* required; runc id "vipc-test-<name>" */
	const char *cgroup;		      /* rel path; NULL: "vipc-test/<name>" */
	const char *rootfs;		      /* absolute; NULL: h_path("build/rootfs") */
	const char *shared_dir;		      /* host dir, rw at /shared and H_SHARED_ALIAS; NULL: none */
	struct h_container *share_netns_with; /* join its network ns; NULL: new netns */
	struct h_container *share_ipcns_with; /* join its IPC ns; NULL: new IPC ns */
	const char *const *host_dirs; /* NULL-terminated host directories bound read-only at
				       * the same path (host tools: /usr, /lib64); NULL: none */
	const char *const *argv;	      /* init process; NULL: sleep 3600 */
};

/*
 * Write the bundle (config.json: new pid/mount/uts ns, new or joined
 * IPC and network ns, no user ns, /proc, /dev, a private /tmp tmpfs, /shared, the host
 * directories asked for), then
 * `runc run -d`; returns once the init process runs. The cgroup may exist
 * already (runc joins it). NOTE: runc removes the container's cgroup directory
 * at destroy, even one it did not create.
 */
struct h_container *h_container_start(const struct h_container_opts *o);

/* Run ARGV inside (runc exec) and return its exit status; stdout into OUT if non-NULL. */
int h_container_exec(struct h_container *c, const char *const argv[], char *out, size_t outsz);

/* The init process's pid on the host. */
pid_t h_container_pid(const struct h_container *c);

/* What the init process (and runc run) wrote so far into OUT; the length. */
int h_container_log(const struct h_container *c, char *out, size_t outsz);

/* The runc id ("vipc-test-<name>") and the cgroup rel path. */
const char *h_container_id(const struct h_container *c);
const char *h_container_cgroup(const struct h_container *c);

/* runc delete --force, bundle removed, struct freed. NULL-safe. */
void h_container_destroy(struct h_container *c);

/* ---- background processes ---- */

/*
 * Start ARGV in the background (on the host in cgroup REL, or inside C via
 * runc exec), stdout+stderr to a file, and wait until the output contains
 * READY ("ready" for `vipc-probe listen`; NULL: don't wait). Returns a handle
 * (the host pid of the child: the command, or its `runc exec`) or negative.
 */
pid_t h_spawn(const char *rel, const char *const argv[], const char *ready);
pid_t h_container_spawn(struct h_container *c, const char *const argv[], const char *ready);

/* Wait up to TIMEOUT_MS until its output contains NEEDLE: 0 or -ETIMEDOUT. */
int h_spawn_expect(pid_t pid, const char *needle, int timeout_ms);

/* Copy its output so far into OUT (NUL-terminated); returns the length. */
int h_spawn_output(pid_t pid, char *out, size_t outsz);

/* Wait up to TIMEOUT_MS (0: no limit) for it to exit: its exit status, or
 * -ETIMEDOUT (still running). Safe to call again after it was reaped. */
int h_spawn_wait(pid_t pid, int timeout_ms);

/* SIGTERM (runc exec forwards it), SIGKILL after 1 s; returns its exit status. */
int h_spawn_stop(pid_t pid);

/* ---- cleanup ---- */

/* Remove everything this process registered: spawns, containers, cgroups, temp dirs. */
void h_cleanup_all(void);

/* Remove what crashed earlier runs left: vipc-test-* containers, the
 * H_CGROUP_ROOT subtree in every hierarchy, /tmp/vipc-test-* of dead pids. */
void h_cleanup_stale(void);

/* h_cleanup_stale(), then check the rootfs is built; a Criterion .init. */
void h_setup(void);

#endif /* __VIPC_HARNESS_H */
