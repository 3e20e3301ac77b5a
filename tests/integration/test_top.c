// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* `vipc-loader top`, the live view: real containers make a known number of
 * allowed, denied and audited connects, one through the broker; top shows
 * them per container and endpoint, and the brokered one per endpoint and
 * instance, on a real terminal (a tmux pane: send-keys, capture-pane), as
 * exact plain lines and as JSON when stdout is not a terminal, and says
 * when vipc is not loaded or goes away.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "scene.h"
#include "vipc.h"

#define O_SOCK "/shared/o.sock" /* srv's endpoint "other": nobody is granted it */

/* srv owns sock and other; cli may connect to sock only; bad is in audit mode. */
#define TOP_POLICY                                                  \
	"version: 1\n"                                              \
	"containers:\n"                                             \
	"  srv: { cgroup: vipc-test/srv }\n"                        \
	"  cli: { cgroup: vipc-test/cli }\n"                        \
	"  bad: { cgroup: vipc-test/bad, mode: audit }\n"           \
	"endpoints:\n"                                              \
	"  sock:  { owner: srv, unix: " S_SOCK " }\n"               \
	"  other: { owner: srv, unix: " O_SOCK " }\n"               \
	"grants:\n"                                                 \
	"  - { container: cli, endpoint: sock, allow: [connect] }\n"

static char tmux_sock[512];   /* tmux -S: this test's own server, in a temp dir */
static char screen[1 << 16];  /* the last capture-pane */

static void top_init(void)
{
	const char *dir;

	s_init();
	dir = h_tmpdir();
	cr_assert_not_null(dir);
	snprintf(tmux_sock, sizeof(tmux_sock), "%s/tmux.sock", dir);
}

/* The tmux server goes first (its pane's top and shell with it), then the rest. */
static void top_fini(void)
{
	const char *argv[] = { "tmux", "-S", tmux_sock, "kill-server", NULL };
	char out[1024];

	h_run(argv, out, sizeof(out)); /* none running is fine */
	s_fini();
}

TestSuite(top, .init = top_init, .fini = top_fini, .timeout = 240);

/* tmux -S tmux_sock with the NULL-terminated arguments; output into screen. */
static int tmux(const char *arg, ...)
{
	const char *argv[24] = { "tmux", "-S", tmux_sock };
	va_list ap;
	int n = 3;

	va_start(ap, arg);
	for (; arg && n < 23; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	return h_run(argv, screen, sizeof(screen));
}

/* Listeners on both endpoints, then 2 granted connects (cli to sock, the
 * second by its broker name), 4 denied ones (cli to other) and 3 audited
 * ones (bad to sock).
 */
static void known_calls(void)
{
	int i;

	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", "@vipc/sock", NULL), 0, "brokered");
	for (i = 0; i < 4; i++)
		cr_assert_eq(s_probe(sc.cli, "connect", O_SOCK, NULL), EPERM);
	for (i = 0; i < 3; i++)
		cr_assert_eq(s_probe(sc.bad, "connect", S_SOCK, NULL), 0, "audit: let through");
}

static void start(void)
{
	s_start(TOP_POLICY, 0);
	s_listen(S_SOCK, NULL);
	s_listen(O_SOCK, NULL);
}

/* ---- the screen ---- */

/* Run `vipc-loader top ARGS` in a 160x40 pane; the shell around it writes
 * the terminal's settings before and after into @dir, then top's exit
 * status (dir/rc), then prints "top-exited" and stays two minutes (a
 * server a crashed test left ends by itself: top at the next unload).
 */
static void tmux_top(const char *dir, const char *args)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "trap : INT; stty -g >%1$s/before; %2$s top %3$s; rc=$?; stty -g >%1$s/after; "
		 "echo $rc >%1$s/rc.tmp && mv %1$s/rc.tmp %1$s/rc; echo top-exited; exec sleep 120",
		 dir, V_LOADER, args);
	cr_assert_eq(tmux("new-session", "-d", "-s", "top", "-x", "160", "-y", "40", cmd, NULL), 0,
		     "%s", screen);
}

static void capture(void)
{
	cr_assert_eq(tmux("capture-pane", "-p", "-t", "top", NULL), 0, "%s", screen);
}

/* Line @n of the last capture into @buf ("" past the end). */
static const char *screen_line(int n, char *buf, size_t size)
{
	const char *p = screen, *nl;

	for (; n > 0 && (p = strchr(p, '\n')); n--)
		p++;
	if (!p)
		p = "";
	nl = strchr(p, '\n');
	snprintf(buf, size, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	return buf;
}

/* A row of the screen: its line, rates as text, totals by verdict. */
struct srow {
	int line;
	char rate[VIPC_V__COUNT][16];
	unsigned long long total[VIPC_V__COUNT];
};

/* The row of @container and @endpoint in the last capture. */
static bool screen_row(const char *container, const char *endpoint, struct srow *r)
{
	char line[512], c[64], e[64];
	int n;

	for (n = 0; n < 64; n++) {
		screen_line(n, line, sizeof(line));
		if (sscanf(line, "%63s %63s %15s %15s %15s %llu %llu %llu", c, e, r->rate[0],
			   r->rate[1], r->rate[2], &r->total[0], &r->total[1], &r->total[2]) == 8 &&
		    !strcmp(c, container) && !strcmp(e, endpoint)) {
			r->line = n;
			return true;
		}
	}
	return false;
}

/* Capture until @ok holds of the screen, 10 s at most: whether it did. */
static bool until(bool (*ok)(const void *arg), const void *arg)
{
	int i;

	for (i = 0; i < 200; i++) {
		capture();
		if (ok(arg))
			return true;
		usleep(h_scale_ms(50) * 1000);
	}
	return false;
}

static bool shows(const void *needle)
{
	return strstr(screen, needle);
}

/* A row and the totals it must show: allowed, denied, audited. */
struct want {
	const char *container, *endpoint;
	unsigned long long total[VIPC_V__COUNT];
};

static bool row_is(const void *arg)
{
	const struct want *w = arg;
	struct srow r;

	return screen_row(w->container, w->endpoint, &r) &&
	       !memcmp(r.total, w->total, sizeof(r.total));
}

static bool denying(const void *arg)
{
	const char *const *pair = arg;
	struct srow r;

	return screen_row(pair[0], pair[1], &r) && strtod(r.rate[VIPC_V_DENY], NULL) > 0;
}

/* The file @dir/@name's contents, "" when absent. */
static const char *file_text(const char *dir, const char *name, char *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

/* Wait for top to exit (dir/rc written): its status. */
static int top_status(const char *dir)
{
	char rc[32];
	int i;

	for (i = 0; i < 200 && !*file_text(dir, "rc", rc, sizeof(rc)); i++)
		usleep(h_scale_ms(50) * 1000);
	cr_assert(*rc, "top did not exit: %s", screen);
	return atoi(rc);
}

/* Exited with 0, the terminal's settings as before, the screen given back. */
static void assert_quit_cleanly(const char *dir)
{
	char before[512], after[512];

	cr_assert_eq(top_status(dir), 0);
	file_text(dir, "before", before, sizeof(before));
	file_text(dir, "after", after, sizeof(after));
	cr_assert(*before, "no stty -g before");
	cr_assert_str_eq(after, before, "the terminal's settings changed");
	cr_assert(until(shows, "top-exited"), "%s", screen);
	cr_assert_null(strstr(screen, "vipc top"), "top's screen is still up: %s", screen);
}

Test(top, the_screen_shows_each_pair_updates_in_place_and_q_quits)
{
	const char *dir = h_tmpdir(), *pair[2] = { "cli", "other" };
	const char *loop[] = { V_PROBE, "loop", O_SOCK, "2", NULL };
	struct want cli_other = { "cli", "other", { 0, 4, 0 } };
	unsigned long ok, eperm, other;
	char line[512], out[256];
	struct srow r;
	pid_t pid;

	/* Phase 1: before any call, an empty table with the hint. */
	start();
	tmux_top(dir, "-i 500");
	cr_assert(until(shows, "no decisions counted yet"), "%s", screen);
	cr_assert(!strncmp(screen_line(0, line, sizeof(line)), "vipc top  every 500 ms  sorted by "
			   "deny/s", 34), "%s", screen);
	cr_assert(!strncmp(screen_line(1, line, sizeof(line)), "container endpoint", 18), "%s",
		  screen);

	/* Phase 2: the known calls, each pair with its totals; the most denied first. */
	known_calls();
	cr_assert(until(row_is, &(struct want){ "bad", "sock", { 0, 0, 3 } }), "%s", screen);
	cr_assert(until(row_is, &cli_other), "%s", screen);
	cr_assert(screen_row("cli", "sock", &r), "%s", screen);
	cr_assert_eq(r.total[VIPC_V_ALLOW], 2);
	cr_assert_eq(r.total[VIPC_V_DENY] + r.total[VIPC_V_AUDIT], 0);
	cr_assert(screen_row("cli", "other", &r) && r.line == 2, "%s", screen);
	cr_assert_null(strstr(screen, "no decisions counted yet"), "%s", screen);
	/* Under them, after an empty line, the broker's instance and its one call. */
	cr_assert(!strncmp(screen_line(6, line, sizeof(line)), "endpoint instance", 17), "%s",
		  screen);
	cr_assert(sscanf(screen_line(7, line, sizeof(line)), "sock /shared/s.sock %15s %llu",
			 r.rate[0], &r.total[0]) == 2 && r.total[0] == 1, "%s", screen);

	/* Phase 3: denies for two seconds: deny/s rises on the same line, and
	 * the total ends at exactly the calls denied.
	 */
	pid = h_container_spawn(sc.cli, loop, NULL);
	cr_assert_gt(pid, 0);
	cr_assert(until(denying, pair), "deny/s never rose: %s", screen);
	cr_assert_eq(h_spawn_wait(pid, h_scale_ms(20000)), 0);
	h_spawn_output(pid, out, sizeof(out));
	cr_assert_eq(sscanf(out, "ok=%lu eperm=%lu other=%lu", &ok, &eperm, &other), 3, "%s", out);
	cr_assert_eq(ok + other, 0, "%s", out);
	cli_other.total[VIPC_V_DENY] += eperm;
	cr_assert(until(row_is, &cli_other), "want %llu denied: %s", cli_other.total[VIPC_V_DENY],
		  screen);
	cr_assert(screen_row("cli", "other", &r) && r.line == 2, "moved: %s", screen);
	cr_assert(!strncmp(screen_line(1, line, sizeof(line)), "container", 9), "%s", screen);
	cr_assert_null(strstr(strstr(screen, "container") + 1, "container"), "a second header: %s",
		       screen);

	/* Phase 4: s sorts by allow/s; a smaller window redraws to fit. */
	cr_assert_eq(tmux("send-keys", "-t", "top", "s", NULL), 0, "%s", screen);
	cr_assert(until(shows, "sorted by allow/s"), "%s", screen);
	cr_assert(screen_row("cli", "sock", &r) && r.line == 2, "%s", screen);
	cr_assert_eq(tmux("resize-window", "-t", "top", "-x", "100", "-y", "4", NULL), 0, "%s",
		     screen);
	cr_assert(until(shows, "... 2 more rows"), "%s", screen);

	/* Phase 5: q. */
	cr_assert_eq(tmux("send-keys", "-t", "top", "q", NULL), 0, "%s", screen);
	assert_quit_cleanly(dir);
}

Test(top, ctrl_c_quits_as_q_does)
{
	const char *dir = h_tmpdir();

	start();
	tmux_top(dir, "");
	cr_assert(until(shows, "vipc top  every 1000 ms"), "%s", screen);
	cr_assert_eq(tmux("send-keys", "-t", "top", "C-c", NULL), 0, "%s", screen);
	assert_quit_cleanly(dir);
}

/* ---- plain lines and JSON ---- */

Test(top, without_a_terminal_a_snapshot_is_exact_lines)
{
	start();
	known_calls();
	cr_assert_eq(v_loader("top", "--count", "1", NULL), 0, "%s", v_out);
	cr_assert_str_eq(v_out,
			 "container            endpoint               allow/s    deny/s   audit/s"
			 "      allowed       denied      audited\n"
			 "cli                  other                        -         -         -"
			 "            0            4            0\n"
			 "bad                  sock                         -         -         -"
			 "            0            0            3\n"
			 "cli                  sock                         -         -         -"
			 "            2            0            0\n"
			 "\n"
			 "endpoint             instance                                    sent/s"
			 "         sent  bound\n"
			 "sock                 /shared/s.sock                                   -"
			 "            1      -\n");
}

Test(top, an_empty_table_is_the_header_and_a_hint)
{
	start();
	cr_assert_eq(v_loader("top", "--count", "1", NULL), 0, "%s", v_out);
	cr_assert_str_eq(v_out,
			 "container            endpoint               allow/s    deny/s   audit/s"
			 "      allowed       denied      audited\n"
			 "vipc: top: no decisions counted yet: a row appears with a container's "
			 "first connect or send (never when vipc was loaded with "
			 "--no-decisions)\n");
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	cr_assert(json_object_object_get_ex(obj, key, &v), "no \"%s\": %s", key,
		  json_object_to_json_string(obj));
	return v;
}

Test(top, json_has_one_document_per_snapshot_with_rates_after_the_first)
{
	json_object *doc[2], *row;
	char *line, *save = NULL;
	int n = 0;

	start();
	known_calls();
	cr_assert_eq(v_loader("top", "--json", "--count", "2", "-i", "300", NULL), 0, "%s", v_out);
	for (line = strtok_r(v_out, "\n", &save); line && n < 2; line = strtok_r(NULL, "\n", &save))
		cr_assert_not_null(doc[n++] = json_tokener_parse(line), "not JSON: %s", line);
	cr_assert_eq(n, 2);

	/* The first: totals, no rates; rows in the screen's order. */
	cr_assert_eq(json_object_get_int64(member(doc[0], "elapsed_ms")), 0);
	cr_assert_eq(json_object_array_length(member(doc[0], "rows")), 3);
	row = json_object_array_get_idx(member(doc[0], "rows"), 0);
	cr_assert_str_eq(json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN),
			 "{\"container\":\"cli\",\"container_id\":2,\"endpoint\":\"other\","
			 "\"endpoint_id\":2,\"allowed\":0,\"denied\":4,\"audited\":0}");

	/* The broker's: the one instance of the endpoint it sent a call to. */
	cr_assert_eq(json_object_array_length(member(doc[0], "broker")), 1);
	row = json_object_array_get_idx(member(doc[0], "broker"), 0);
	cr_assert_str_eq(json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN),
			 "{\"endpoint\":\"sock\",\"index\":0,\"instance\":\"\\/shared\\/s.sock\","
			 "\"sent\":1,\"bound\":null}");

	/* The second, 300 ms or more later: nothing new, rates of 0. */
	cr_assert_geq(json_object_get_int64(member(doc[1], "elapsed_ms")), 300);
	row = json_object_array_get_idx(member(doc[1], "rows"), 2);
	cr_assert_str_eq(json_object_get_string(member(row, "container")), "cli");
	cr_assert_str_eq(json_object_get_string(member(row, "endpoint")), "sock");
	cr_assert_eq(json_object_get_int64(member(row, "allowed")), 2);
	cr_assert_str_eq(json_object_to_json_string(member(row, "allowed_per_s")), "0.0");
	cr_assert_str_eq(json_object_to_json_string(member(row, "denied_per_s")), "0.0");
	row = json_object_array_get_idx(member(doc[1], "broker"), 0);
	cr_assert_eq(json_object_get_int64(member(row, "sent")), 1);
	cr_assert_str_eq(json_object_to_json_string(member(row, "sent_per_s")), "0.0");
	json_object_put(doc[0]);
	json_object_put(doc[1]);
}

/* ---- not loaded ---- */

Test(top, not_loaded_is_status_5)
{
	v_require_root();
	v_unload();
	cr_assert_eq(v_loader("top", "--count", "1", NULL), VIPC_EXIT_NOT_LOADED, "%s", v_out);
	cr_assert(strstr(v_out, "vipc is not loaded"), "%s", v_out);
}

Test(top, an_unload_while_it_runs_ends_it_with_status_5)
{
	const char *argv[] = { V_LOADER, "top", "-i", "100", NULL };
	char out[4096];
	pid_t pid;

	start();
	pid = h_spawn(NULL, argv, "container");
	cr_assert_gt(pid, 0);
	v_unload();
	cr_assert_eq(h_spawn_wait(pid, h_scale_ms(10000)), VIPC_EXIT_NOT_LOADED);
	h_spawn_output(pid, out, sizeof(out));
	cr_assert(strstr(out, "vipc: top: vipc was unloaded"), "%s", out);
}
