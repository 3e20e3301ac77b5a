// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Crash safety: the loader killed with SIGKILL at a random point of a
 * reload, of a load from scratch, or of an upgrade across ABI versions,
 * leaves the live slot holding exactly the old or exactly the new policy
 * (one whole instance, the old or the new), never lets through a call both
 * deny, and the next vipc-loader run completes without manual steps. The seed of
 * the kill delays is printed; VIPC_CRASH_SEED=N replays it. A statistics
 * interval set meanwhile, without the lock, never undoes a reload.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include "vipc.h"
#include "state.h"
#include "stream.h"
#include "table.h"
#include "fixture.h"
#include "instance.h"
#include "scene.h"

TestSuite(crash, .init = s_init, .fini = s_fini, .timeout = 240);

#define KILLS h_runs(40) /* kills of a load or reload mid-run (VIPC_SOAK=5: 200) */
#define PIN_DIR "/sys/fs/bpf/vipc"
#define TEXT_SZ 16384

/* Both policies name the same containers and endpoints (so ids stay put
 * whichever is applied), let cli connect to sock and give bad nothing;
 * each table differs between them.
 */
#define C_ENDPOINTS S_ENDPOINTS "  jobs:  { owner: cli, unix: /shared/jobs.sock }\n"
#define POLICY_A                                                     \
	"version: 1\n" S_CONTAINERS C_ENDPOINTS "grants:\n"           \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"   \
	"  - { container: cli, endpoint: dgram, allow: [send] }\n"     \
	"  - { container: cli, endpoint: abs, allow: [connect] }\n"
#define POLICY_B                                                              \
	"version: 1\ncontainers:\n"                                            \
	"  srv: { cgroup: vipc-test/srv }\n"                                   \
	"  cli: { cgroup: vipc-test/cli }\n"                                   \
	"  bad: { cgroup: vipc-test/bad, unknown: deny }\n" C_ENDPOINTS         \
	"channels:\n"                                                          \
	"  jobq: { endpoint: jobs, senders: [srv], receiver: cli, capacity: 4 }\n" \
	"grants:\n"                                                            \
	"  - { container: cli, endpoint: sock, allow: [connect, send] }\n"

static const char *const maps[] = { "vipc_principals", "vipc_containers", "vipc_watch",
				     "vipc_watch_glob", "vipc_endpoints", "vipc_grants",
				     "vipc_channels" };

/* What a kill left: the old policy live, the new one, or the new one with
 * the old one still (partly) in the idle slot.
 */
enum outcome { K_OLD, K_NEW, K_NEW_DIRTY, K__COUNT };

static size_t put_hex(char *out, size_t size, const void *p, size_t n)
{
	size_t i, off = 0;

	for (i = 0; i < n && off < size; i++)
		off += snprintf(out + off, size - off, "%02x", ((const unsigned char *)p)[i]);
	return off;
}

/* One line per entry of @slot in every policy map, in key order: the map's
 * index, then the key (its slot field zeroed) and the value in hex. Equal
 * policies give equal texts whichever slot they sit in.
 */
static void slot_text(int slot, char *out, size_t size)
{
	struct vipc_table t;
	char path[128];
	size_t i, m, off = 0;
	int fd;

	out[0] = 0;
	for (m = 0; m < sizeof(maps) / sizeof(maps[0]); m++) {
		snprintf(path, sizeof(path), PIN_DIR "/%s", maps[m]);
		fd = bpf_obj_get(path);
		cr_assert_geq(fd, 0, "%s", path);
		cr_assert_eq(vipc_table_init(&t, fd) ?: vipc_table_dump(&t, slot) ?:
			     vipc_table_sort(&t), 0, "dump %s", path);
		for (i = 0; i < t.n; i++) {
			memset(vipc_table_key(&t, i) + t.off, 0, sizeof(__u32));
			off += snprintf(out + off, size - off, "%zu ", m);
			off += put_hex(out + off, size - off, vipc_table_key(&t, i), t.ksz);
			off += snprintf(out + off, size - off, " ");
			off += put_hex(out + off, size - off, vipc_table_val(&t, i), t.vsz);
			off += snprintf(out + off, size - off, "\n");
			cr_assert_lt(off, size - 1, "slot text too long");
		}
		vipc_table_free(&t);
		close(fd);
	}
}

/* The live slot of a complete instance, or -1 when none is pinned (its
 * identity is written last: without it nothing is enforced).
 */
static int live_slot(void)
{
	struct vipc_config cfg;
	__u32 zero = 0;
	int fd = bpf_obj_get(PIN_DIR "/vipc_config"), err;

	if (fd < 0)
		return -1;
	err = bpf_map_lookup_elem(fd, &zero, &cfg);
	close(fd);
	return err || cfg.magic != VIPC_MAGIC ? -1 : (int)cfg.active_slot;
}

/* Is every line of @part a whole line of @a or of @b? */
static int lines_within(const char *part, const char *a, const char *b)
{
	char line[1024];
	const char *p, *nl;

	for (p = part; (nl = strchr(p, '\n')); p = nl + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p + 1), p);
		if (!strstr(a, line) && !strstr(b, line))
			return 0;
	}
	return 1;
}

/* After a kill: exactly @old or exactly @new live, and nothing in the idle
 * slot that is neither's.
 */
static enum outcome check_after_kill(const char *old, const char *new)
{
	static char live[TEXT_SZ], idle[TEXT_SZ];
	int slot = live_slot();

	if (slot < 0) {
		cr_assert_str_empty(old, "no instance left, but the old policy was not empty");
		return K_OLD;
	}
	slot_text(slot, live, sizeof(live));
	slot_text(!slot, idle, sizeof(idle));
	cr_assert(!strcmp(live, old) || !strcmp(live, new),
		  "live slot %d is neither policy:\n%s\nold:\n%s\nnew:\n%s", slot, live, old, new);
	cr_assert(lines_within(idle, old, new), "idle slot holds entries of neither policy:\n%s",
		  idle);
	if (strcmp(live, new))
		return K_OLD;
	return idle[0] ? K_NEW_DIRTY : K_NEW;
}

/* The next run completes the interrupted one: exit 0, exactly @want live,
 * the idle slot empty.
 */
static void recover(const char *cmd, const char *file, const char *want)
{
	static char text[TEXT_SZ];
	int slot;

	cr_assert_eq(v_loader(cmd, "-c", file, NULL), 0, "%s after a kill: %s", cmd, v_out);
	slot = live_slot();
	cr_assert_geq(slot, 0, "no complete instance after %s", cmd);
	slot_text(slot, text, sizeof(text));
	cr_assert_str_eq(text, want, "%s did not leave its policy live", cmd);
	slot_text(!slot, text, sizeof(text));
	cr_assert_str_empty(text, "%s left the idle slot dirty:\n%s", cmd, text);
}

static long elapsed_us(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000000 + (b.tv_nsec - a->tv_nsec) / 1000;
}

/* Microseconds an uninterrupted `@loader CMD -c FILE` takes. */
static long run_time_us(const char *loader, const char *cmd, const char *file)
{
	const char *argv[] = { loader, cmd, "-c", file, NULL };
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	cr_assert_eq(h_run(argv, v_out, sizeof(v_out)), 0, "%s", v_out);
	return elapsed_us(&t);
}

/* `@loader CMD -c FILE` started, its output dropped. */
static pid_t spawn_loader(const char *loader, const char *cmd, const char *file)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0, "fork");
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(loader, loader, cmd, "-c", file, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* SIGKILL @pid and reap it: 1 if the kill landed, 0 if it had already
 * finished (successfully).
 */
static int kill_loader(pid_t pid, const char *cmd)
{
	int st;

	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 1;
	cr_assert_eq(WEXITSTATUS(st), 0, "%s failed unkilled", cmd);
	return 0;
}

/* Start `@loader CMD -c FILE`, SIGKILL it @delay_us later: 1 if the kill
 * landed, 0 if it had already finished (successfully).
 */
static int run_and_kill(const char *loader, const char *cmd, const char *file, long delay_us)
{
	struct timespec t;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t);
	pid = spawn_loader(loader, cmd, file);
	while (elapsed_us(&t) < delay_us)
		usleep(100);
	return kill_loader(pid, cmd);
}

static unsigned int seed_delays(const char *what, long max_us)
{
	const char *env = getenv("VIPC_CRASH_SEED");
	unsigned int seed = env ? strtoul(env, NULL, 10) : (unsigned int)(time(NULL) ^ getpid());

	srandom(seed);
	fprintf(stderr, "crash: %s: VIPC_CRASH_SEED=%u, kill delays 0-%ld us\n", what, seed, max_us);
	return seed;
}

Test(crash, killed_reloads_leave_one_whole_policy_and_let_nothing_through)
{
	static char text[2][TEXT_SZ];
	const char *file[2];
	int seen[K__COUNT] = { 0 }, killed = 0, i, to;
	unsigned int seed;
	long max_us;
	pid_t bad, cli;

	/* The two policies as they sit in the maps, and how long a reload takes. */
	s_start(POLICY_A, 0);
	s_listen(S_SOCK, NULL);
	file[0] = strdup(v_policy_file(POLICY_A));
	file[1] = strdup(v_policy_file(POLICY_B));
	slot_text(live_slot(), text[0], TEXT_SZ);
	max_us = run_time_us(V_LOADER, "reload", file[1]);
	slot_text(live_slot(), text[1], TEXT_SZ);
	cr_assert_str_neq(text[0], text[1]);
	max_us = (max_us + run_time_us(V_LOADER, "reload", file[0])) / 2;
	max_us += max_us / 4;

	/* Kill reloads A -> B -> A ... while bad and cli connect in a loop. */
	bad = s_loop_start(sc.bad, 0);
	cli = s_loop_start(sc.cli, 0);
	seed = seed_delays("reload", max_us);
	for (i = 0; i < KILLS; i++) {
		to = !(i % 2);
		killed += run_and_kill(V_LOADER, "reload", file[to], random() % (max_us + 1));
		seen[check_after_kill(text[!to], text[to])]++;
		recover("reload", file[to], text[to]);
	}
	fprintf(stderr, "crash: reload: %d killed of %d; old policy live %d, new %d, new with the "
			"old slot not yet cleared %d\n",
		killed, KILLS, seen[K_OLD], seen[K_NEW], seen[K_NEW_DIRTY]);

	/* Both deny bad and allow cli: no kill changed that. */
	s_loops_check(bad, cli, "crash: reload");
	cr_assert_gt(killed, KILLS / 2, "most kills must land mid-run");
	cr_assert(seen[K_OLD] && seen[K_NEW] + seen[K_NEW_DIRTY],
		  "kills must land both before and after the flip (seed %u)", seed);
	unlink(file[0]);
	unlink(file[1]);
}

/* An unload after a killed load leaves no pin, or it was never loaded. */
static void recover_by_unload(void)
{
	struct stat st;
	int rc = v_loader("unload", NULL);

	cr_assert(rc == 0 || rc == VIPC_EXIT_NOT_LOADED, "unload after a kill: %s", v_out);
	cr_assert_eq(stat(PIN_DIR, &st), -1, "unload left " PIN_DIR);
}

Test(crash, killed_loads_leave_nothing_or_the_whole_policy, .timeout = 900)
{
	static char text[TEXT_SZ];
	int seen[K__COUNT] = { 0 }, killed = 0, i;
	const char *file;
	long max_us;

	/* Nothing loaded is the old policy: every kill leaves none or all of A. */
	v_require_root();
	file = strdup(v_policy_file(POLICY_A));
	v_load(POLICY_A);
	slot_text(live_slot(), text, TEXT_SZ);
	v_unload();
	max_us = run_time_us(V_LOADER, "load", file);
	max_us += max_us / 4;
	seed_delays("load", max_us);
	for (i = 0; i < KILLS; i++) {
		cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
		killed += run_and_kill(V_LOADER, "load", file, random() % (max_us + 1));
		seen[check_after_kill("", text)]++;
		if (i % 2)
			recover_by_unload();
		recover("load", file, text);
	}
	fprintf(stderr, "crash: load: %d killed of %d; nothing live %d, policy live %d\n", killed,
		KILLS, seen[K_OLD], seen[K_NEW] + seen[K_NEW_DIRTY]);
	cr_assert_gt(killed, KILLS / 2, "most kills must land mid-run");
	unlink(file);
}

#define UPGRADES h_runs(100) /* kills of an upgrade across ABI versions mid-run (VIPC_SOAK=5: 500) */

/* Where a kill left an upgrade: the old instance whole (the new one maybe
 * half loaded beside it), the new one whole beside what is left of the old
 * one, or the new one alone.
 */
enum upgrade_outcome { U_OLD, U_WHOLE, U_DONE, U__COUNT };

/* Start `@loader load -c FILE`, SIGKILL it @delay_us after its new instance
 * is whole (VIPC_NEXT_DIR there): 1 if the kill landed.
 */
static int kill_once_whole(const char *loader, const char *file, long delay_us)
{
	pid_t pid = spawn_loader(loader, "load", file);
	siginfo_t si = { 0 };

	/* Look, without reaping it, until the directory shows or it ends. */
	while (access(VIPC_NEXT_DIR, F_OK) &&
	       !waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) && !si.si_pid)
		usleep(50);
	usleep(delay_us);
	return kill_loader(pid, "load");
}

/* After a kill: one whole instance (@links links) of ABI @old or @new. */
static enum upgrade_outcome check_upgrade_kill(int old, int new, int links)
{
	__u32 ids[V_MAX_LINKS];
	int abi = vipc_pinned_abi(VIPC_PIN_DIR);

	if (!access(VIPC_NEXT_DIR, F_OK)) {
		cr_assert_eq(vipc_pinned_abi(VIPC_NEXT_DIR), new);
		cr_assert_eq(v_pinned_links(VIPC_NEXT_DIR, ids), links, "the new instance is not whole");
		return U_WHOLE;
	}
	cr_assert(abi == old || abi == new, "no whole instance: ABI %d pinned", abi);
	cr_assert_eq(v_pinned_links(VIPC_PIN_DIR, ids), links, "the ABI %d instance is not whole",
		     abi);
	return abi == old ? U_OLD : U_DONE;
}

Test(crash, killed_upgrades_leave_a_whole_instance_and_let_nothing_through, .timeout = 900)
{
	const char *loader[2] = { V_LOADER, v_other_loader(NULL) };
	const int abi[2] = { VIPC_ABI_VERSION, VIPC_ABI_VERSION + 1 };
	int seen[U__COUNT] = { 0 }, killed = 0, i, to, n, links;
	__u32 gone[2 * V_MAX_LINKS];
	unsigned int seed;
	const char *file;
	long max_us;
	pid_t bad, cli;

	/* This release's instance, and how long an upgrade takes either way. */
	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	file = strdup(v_policy_file(S_POLICY));
	links = v_pinned_links(VIPC_PIN_DIR, gone);
	max_us = run_time_us(loader[1], "load", file) + run_time_us(loader[0], "load", file);
	max_us = max_us / 2 + max_us / 8;

	/* Kill upgrades to the next ABI and back (every fourth once the new
	 * instance is whole) while bad and cli connect in loops (paced, to
	 * leave the loader the CPU); the next load finishes each, and nothing
	 * of what it replaced is left.
	 */
	bad = s_loop_start(sc.bad, 100);
	cli = s_loop_start(sc.cli, 5000);
	seed = seed_delays("upgrade", max_us);
	for (i = 0; i < UPGRADES; i++) {
		to = !(i % 2);
		n = v_pinned_links(VIPC_PIN_DIR, gone);
		killed += i % 4 == 3 ? kill_once_whole(loader[to], file, random() % 20000) :
				       run_and_kill(loader[to], "load", file, random() % (max_us + 1));
		seen[check_upgrade_kill(abi[!to], abi[to], links)]++;
		n += v_pinned_links(VIPC_NEW_DIR, gone + n);
		run_time_us(loader[to], "load", file);
		v_assert_one_instance(abi[to], gone, n);
	}
	fprintf(stderr, "crash: upgrade: %d killed of %d; old instance whole %d, new one whole "
			"beside it %d, done %d\n",
		killed, UPGRADES, seen[U_OLD], seen[U_WHOLE], seen[U_DONE]);

	/* Both deny bad and allow cli: no kill changed that. */
	s_loops_check(bad, cli, "crash: upgrade");

	/* An unload ends an interrupted upgrade's instances too, and every link. */
	n = v_pinned_links(VIPC_PIN_DIR, gone);
	kill_once_whole(loader[1], file, 0);
	cr_assert_eq(access(VIPC_NEXT_DIR, F_OK), 0, "the kill came after the upgrade's end");
	n += v_pinned_links(VIPC_NEXT_DIR, gone + n);
	cr_assert_eq(v_loader("unload", NULL), 0, "%s", v_out);
	cr_assert(access(VIPC_PIN_DIR, F_OK) && access(VIPC_NEXT_DIR, F_OK), "unload left pins");
	cr_assert_eq(v_links_left(gone, n), 0, "unload left links");
	cr_assert_gt(killed, UPGRADES / 2, "most kills must land mid-run");
	cr_assert(seen[U_OLD] && seen[U_WHOLE],
		  "kills must land both before and after the new instance is whole (seed %u)", seed);
	unlink(file);
}

#define RELOADS h_runs(400)
#define RACE_S 40 /* at most this long reloading */

static volatile sig_atomic_t interval_done;

static void on_term(int sig)
{
	(void)sig;
	interval_done = 1;
}

/* A child setting the statistics interval (1 or 2 ms) over and over, as
 * `events -i MS` and the foreground loader do, without the lock, until
 * SIGTERM; then it sets it off. Exits 0, or 1 if a setting failed.
 */
static pid_t interval_start(void)
{
	struct vipc_state st;
	unsigned long n = 0;
	pid_t pid = fork();
	int err = 0;

	cr_assert_geq(pid, 0, "fork");
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, on_term);
	if (vipc_state_open(&st, false))
		_exit(1);
	while (!err && !interval_done)
		err = vipc_stats_interval(&st, 1 + n++ % 2);
	err = err ?: vipc_stats_interval(&st, 0);
	vipc_state_close(&st);
	fprintf(stderr, "crash: interval: %lu settings, %s\n", n, err ? strerror(-err) : "ok");
	_exit(err ? 1 : 0);
}

static void interval_stop(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && !WEXITSTATUS(st), "the interval loop failed (status %#x)", st);
}

Test(crash, a_statistics_interval_never_undoes_a_reload)
{
	static char text[2][TEXT_SZ], live[TEXT_SZ];
	unsigned long ok, eperm;
	int undone = 0, i, to = 0;
	struct timespec t;
	const char *file[2];
	pid_t bad, iv;

	/* The two policies as they sit in the maps; both deny bad's connect. */
	s_start(POLICY_A, 0);
	s_listen(S_SOCK, NULL);
	file[0] = strdup(v_policy_file(POLICY_A));
	file[1] = strdup(v_policy_file(POLICY_B));
	slot_text(live_slot(), text[0], TEXT_SZ);
	cr_assert_eq(v_loader("reload", "-c", file[1], NULL), 0, "%s", v_out);
	slot_text(live_slot(), text[1], TEXT_SZ);

	/* Reload A, B, A ... against the interval loop while bad connects:
	 * after each reload its policy is the live one.
	 */
	bad = s_loop_start(sc.bad, 0);
	iv = interval_start();
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < RELOADS && elapsed_us(&t) < RACE_S * 1000000L; i++) {
		to = !(i % 2);
		cr_assert_eq(v_loader("reload", "-c", file[to], NULL), 0, "%s", v_out);
		slot_text(live_slot(), live, TEXT_SZ);
		undone += !!strcmp(live, text[to]);
	}
	interval_stop(iv);
	s_loop_stop(bad, &ok, &eperm);
	fprintf(stderr, "crash: interval: %d reloads, %d undone; bad ok=%lu eperm=%lu\n", i, undone,
		ok, eperm);

	/* Nothing let through, and the last reload's policy whole in the live slot. */
	cr_assert_eq(undone, 0, "%d of %d reloads undone by the interval", undone, i);
	cr_assert_eq(ok, 0, "bad connected %lu times", ok);
	cr_assert_gt(eperm, 0);
	slot_text(live_slot(), live, TEXT_SZ);
	cr_assert_str_eq(live, text[to], "the live slot is not the last policy reloaded");
	unlink(file[0]);
	unlink(file[1]);
}
