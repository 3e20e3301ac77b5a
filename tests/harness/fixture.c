// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-specific helpers for the integration suites. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "harness.h"
#include "state.h"

char v_out[65536];

int v_loader(const char *arg, ...)
{
	const char *argv[32] = { V_LOADER };
	va_list ap;
	int n = 1;

	va_start(ap, arg);
	for (; arg && n < 31; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;
	return h_run(argv, v_out, sizeof(v_out));
}

/* This test's directory for the files it writes, removed at cleanup. */
static const char *test_dir(void)
{
	static const char *dir;

	dir = dir ?: h_tmpdir();
	cr_assert_not_null(dir);
	return dir;
}

/* @text into @f (of @path), closed. */
static const char *write_text(FILE *f, const char *path, const char *text)
{
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

const char *v_policy_file(const char *yaml)
{
	static char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/policy-XXXXXX", test_dir());
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp");
	return write_text(fdopen(fd, "w"), path, yaml);
}

const char *v_tmp_file(const char *name, const char *text)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", test_dir(), name);
	return write_text(fopen(path, "w"), path, text);
}

void v_load(const char *yaml)
{
	v_load_opts(yaml, NULL);
}

void v_load_opts(const char *yaml, const char *const *opts)
{
	v_load_by(V_LOADER, yaml, opts);
}

void v_load_by(const char *loader, const char *yaml, const char *const *opts)
{
	const char *argv[32] = { loader, "load", "-c", v_policy_file(yaml) };
	int n = 4, rc;

	for (; opts && *opts && n < 31; opts++)
		argv[n++] = *opts;
	argv[n] = NULL;
	rc = h_run(argv, v_out, sizeof(v_out));
	unlink(argv[3]);
	cr_assert_eq(rc, 0, "%s load failed (%d): %s", loader, rc, v_out);
}

void v_unload(void)
{
	const char *argv[] = { V_LOADER, "unload", NULL };
	char out[4096];

	h_run(argv, out, sizeof(out));
}

/* Sum of every "field":N in @json; how many there are in *@n. */
static unsigned long long json_sum(const char *json, const char *field, int *n)
{
	char pat[128];
	unsigned long long sum = 0;
	const char *p = json;

	snprintf(pat, sizeof(pat), "\"%s\":", field);
	for (*n = 0; (p = strstr(p, pat)); ++*n) {
		p += strlen(pat);
		while (*p == ' ')
			p++;
		sum += strtoull(p, NULL, 10);
	}
	return sum;
}

const char *v_backend(void)
{
	const char *b = getenv("VIPC_BACKEND");

	return b && *b ? b : "sock";
}

bool v_lsm(void)
{
	return !strcmp(v_backend(), "lsm") || !strcmp(v_backend(), "fmodret");
}

/* The loader's hook table entry where the backend under test decides a
 * connect (@send 0) or a send (@send 1).
 */
static const struct vipc_hook_info *call_hook(int send)
{
	__u32 backend = !strcmp(v_backend(), "fmodret") ? VIPC_BACKEND_FMODRET :
			v_lsm()				? VIPC_BACKEND_LSM :
							  VIPC_BACKEND_SOCK;
	__u32 call = send ? VIPC_PERM_SEND : VIPC_PERM_CONNECT;
	int i;

	for (i = 0; i < vipc_nr_hooks; i++)
		if (vipc_hooks[i].backend == backend && vipc_hooks[i].calls == call)
			return &vipc_hooks[i];
	cr_assert_fail("no hook of this backend decides a %s", send ? "send" : "connect");
	return NULL;
}

const char *v_hook(int send)
{
	return call_hook(send)->name;
}

const char *v_hook_prog(int send)
{
	return call_hook(send)->prog;
}

/* The object after "name": in @json, as [*start, *end); 0 when absent. */
static int json_object(const char *json, const char *name, const char **start,
		       const char **end)
{
	char pat[96];
	const char *p;
	int depth = 0;

	snprintf(pat, sizeof(pat), "\"%s\":{", name);
	p = strstr(json, pat);
	if (!p)
		return 0;
	*start = p + strlen(pat) - 1;
	for (p = *start; *p; p++) {
		depth += *p == '{';
		depth -= *p == '}';
		if (!depth)
			break;
	}
	*end = p;
	return 1;
}

/* Sum of "field":N within [start, end), how many there are in *@n. */
static unsigned long long sum_in(const char *start, const char *end, const char *field, int *n)
{
	char *part = strndup(start, end - start);
	unsigned long long sum;

	cr_assert_not_null(part);
	sum = json_sum(part, field, n);
	free(part);
	return sum;
}

/* "field":N within [start, end) of the @what; a missing field fails the test. */
static unsigned long long field_in(const char *start, const char *end, const char *field,
				   const char *what)
{
	unsigned long long sum;
	int n;

	sum = sum_in(start, end, field, &n);
	cr_assert_gt(n, 0, "no field \"%s\" in %s: %.*s", field, what,
		     (int)(end - start < 300 ? end - start : 300), start);
	return sum;
}

/* A counter from a section of `stats --json` ("decisions", "registry" or a
 * hook); a missing section or field fails the test.
 */
static unsigned long long stat_in(const char *section, const char *field)
{
	const char *start, *end;

	cr_assert(json_object(v_out, section, &start, &end),
		  "no section \"%s\" in stats --json: %s", section, v_out);
	return field_in(start, end, field, section);
}

static void read_stats(void)
{
	int rc = v_loader("stats", "--json", NULL);

	cr_assert_eq(rc, 0, "vipc-loader stats: %s", v_out);
}

/* hits / lookups of the call hooks, in whole percent, as `stats` rounds. */
static unsigned long long call_hit_rate(void)
{
	unsigned long long lookups = stat_in(v_hook(0), "lookups") + stat_in(v_hook(1), "lookups");
	unsigned long long hits = stat_in(v_hook(0), "hits") + stat_in(v_hook(1), "hits");

	return lookups ? 100 * hits / lookups : 0;
}

unsigned long long v_stat(const char *field)
{
	const char *start, *end;
	unsigned long long sum;
	int n;

	read_stats();
	cr_assert(json_object(v_out, "registry", &start, &end),
		  "no section \"registry\" in stats --json: %s", v_out);
	sum = sum_in(start, end, field, &n);
	if (n)
		return sum;
	if (!strcmp(field, "hit_rate"))
		return call_hit_rate();
	return stat_in(v_hook(0), field) + stat_in(v_hook(1), field);
}

unsigned long long v_stat_total(const char *field)
{
	read_stats();
	return stat_in("decisions", field);
}

unsigned long long v_stat_hook(const char *hook, const char *field)
{
	read_stats();
	return stat_in(hook, field);
}

/* Is the bpftool dump chunk after @key_at one of the call hooks' keys? */
static bool call_hook_chunk(const char *key_at)
{
	int key = strtol(key_at + strlen("\"key\": "), NULL, 10);

	return key == call_hook(0)->stat || key == call_hook(1)->stat;
}

unsigned long long v_bpftool_stat(const char *map, const char *field)
{
	static char out[1 << 20];
	char path[128];
	const char *argv[] = { "bpftool", "map", "dump", "pinned", path, NULL };
	unsigned long long sum = 0;
	const char *p, *next;
	int rc, counted = 0;

	snprintf(path, sizeof(path), "/sys/fs/bpf/vipc/%s", map);
	rc = h_run(argv, out, sizeof(out));
	cr_assert_eq(rc, 0, "bpftool map dump %s: %s", map, out);
	/* An empty map counts 0; else each entry must hold the field. */
	p = strstr(out, "\"key\": ");
	if (!p)
		cr_assert(!strncmp(out + strspn(out, " \n"), "[]", 2), "%s: no entry: %s", map,
			  out);
	for (; p; p = next) {
		next = strstr(p + 1, "\"key\": ");
		/* vipc_stats: only the call hooks' entries, as v_stat() counts. */
		if (!strcmp(map, "vipc_stats") && !call_hook_chunk(p))
			continue;
		sum += field_in(p, next ? next : p + strlen(p), field, map);
		counted++;
	}
	cr_assert(strcmp(map, "vipc_stats") || counted == 2, "vipc_stats: %d call hook entries: %s",
		  counted, out);
	return sum;
}

int v_occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

void v_require_root(void)
{
	if (geteuid() == 0)
		return;
	if (getenv("CI") && !strcmp(getenv("CI"), "true"))
		cr_assert_fail("integration tests need root, and CI must run them");
	cr_skip_test("integration tests need root (run with sudo)");
}
