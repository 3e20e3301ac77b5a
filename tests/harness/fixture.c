// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc-specific helpers for the integration suites. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "harness.h"

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

const char *v_policy_file(const char *yaml)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/vipc-test-policy-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0, "mkstemp");
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs(yaml, f);
	fclose(f);
	return path;
}

void v_load(const char *yaml)
{
	const char *path = v_policy_file(yaml);
	int rc = v_loader("load", "-c", path, NULL);

	unlink(path);
	cr_assert_eq(rc, 0, "vipc-loader load failed (%d): %s", rc, v_out);
}

void v_unload(void)
{
	const char *argv[] = { V_LOADER, "unload", NULL };
	char out[4096];

	h_run(argv, out, sizeof(out));
}

unsigned long long v_json_sum(const char *json, const char *field)
{
	char pat[128];
	unsigned long long sum = 0;
	const char *p = json;

	snprintf(pat, sizeof(pat), "\"%s\":", field);
	while ((p = strstr(p, pat))) {
		p += strlen(pat);
		while (*p == ' ')
			p++;
		sum += strtoull(p, NULL, 10);
	}
	return sum;
}

unsigned long long v_stat(const char *field)
{
	int rc = v_loader("stats", "--json", NULL);

	cr_assert_eq(rc, 0, "vipc-loader stats: %s", v_out);
	return v_json_sum(v_out, field);
}

unsigned long long v_bpftool_stat(const char *map, const char *field)
{
	static char out[1 << 20];
	char path[128];
	const char *argv[] = { "bpftool", "map", "dump", "pinned", path, NULL };
	int rc;

	snprintf(path, sizeof(path), "/sys/fs/bpf/vipc/%s", map);
	rc = h_run(argv, out, sizeof(out));
	cr_assert_eq(rc, 0, "bpftool map dump %s: %s", map, out);
	return v_json_sum(out, field);
}

void v_require_root(void)
{
	if (geteuid() == 0)
		return;
	if (getenv("CI") && !strcmp(getenv("CI"), "true"))
		cr_assert_fail("integration tests need root, and CI must run them");
	cr_skip_test("integration tests need root (run with sudo)");
}
