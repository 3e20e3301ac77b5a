// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Policy operations: apply 1k / 100k / 1M grants, reload 100k, revoke an
 * endpoint holding 100k grants, remove a container holding 10k grants, and
 * parse generated YAML. The parent prepares the registry; a fresh process
 * (this binary, `op NAME N`) does the operation, timing only the call, and
 * reports its own peak RSS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "bench.h"
#include "registry.h"

#define REVOKE_ADDR "/vipc-bench/fill/0.sock" /* filler endpoint e0 */
#define YAML_FILE "/tmp/vipc-bench-policy.yaml"

/* What the parent applies before each operation. */
static const struct b_spec revoke_spec = { .fill_containers = 100000, .fill_endpoints = 1,
					   .fill_grants = 100000 };
static const struct b_spec rm_spec = { .fill_containers = 10, .fill_endpoints = 10000,
				       .fill_grants = 100000 };

static const struct {
	const char *what;
	const char *op;
	size_t n;
	const struct b_spec *before; /* NULL: an empty registry */
	size_t before_grants;	     /* or that many filler grants */
	bool prealloc;		     /* loaded with --prealloc-grants */
} ops[B_NR_OPS] = {
	{ "apply 1k grants", "apply", 1000, NULL, 0, false },
	{ "apply 100k grants", "apply", 100000, NULL, 0, false },
	{ "apply 1M grants", "apply", 1000000, NULL, 0, false },
	{ "reload 100k grants (same policy)", "apply", 100000, NULL, 100000, false },
	{ "revoke endpoint with 100k grants (bump)", "bump", 0, &revoke_spec, 0, false },
	{ "revoke --endpoint with 100k grants (bump+count)", "revoke", 0, &revoke_spec, 0, false },
	{ "container rm holding 10k grants (100k in table)", "rm", 0, &rm_spec, 0, false },
	{ "YAML parse 1k grants", "parse", 1000, NULL, 0, false },
	{ "YAML parse 10k grants", "parse", 10000, NULL, 0, false },
	{ "apply 1M grants, --prealloc-grants", "apply", 1000000, NULL, 0, true },
};

/* ---- in the fresh process ---- */

static int write_yaml(size_t grants)
{
	size_t ne = grants / 10 ?: 1, i;
	FILE *f = fopen(YAML_FILE, "w");

	if (!f)
		return -errno;
	fprintf(f, "version: 1\ncontainers:\n");
	for (i = 0; i < 100; i++)
		fprintf(f, "  f%zu: { cgroup: vipc-bench/f%zu }\n", i, i);
	fprintf(f, "endpoints:\n");
	for (i = 0; i < ne; i++)
		fprintf(f, "  e%zu: { owner: f%zu, unix: /vipc-bench/fill/%zu.sock }\n", i, i % 100, i);
	fprintf(f, "grants:\n");
	for (i = 0; i < grants; i++)
		fprintf(f, "  - { container: f%zu, endpoint: e%zu, allow: [connect] }\n",
			(i / ne) % 100, i % ne);
	return fclose(f) ? -errno : 0;
}

static int op_parse(size_t grants, double *secs)
{
	struct vipc_policy_error perr;
	struct vipc_policy *pol = NULL;
	double t0;
	int err;

	err = write_yaml(grants);
	if (err)
		return err;
	t0 = b_now();
	err = vipc_policy_parse_file(YAML_FILE, &pol, &perr);
	*secs = b_now() - t0;
	unlink(YAML_FILE);
	vipc_policy_free(pol);
	return err;
}

/* The timed call on the pinned instance. */
static int op_state(const char *op, size_t n, double *secs, double *entries)
{
	struct b_spec s = b_spec_for(NULL, n, false);
	struct vipc_policy *pol = !strcmp(op, "apply") ? b_policy(&s) : NULL;
	struct vipc_endpoint_info ep;
	struct vipc_state st;
	__u32 killed = 0;
	double t0;
	int err;

	err = vipc_state_open(&st, true);
	if (!err && !strcmp(op, "bump"))
		err = vipc_endpoint_find(&st, REVOKE_ADDR, &ep);
	if (err)
		goto cleanup;
	t0 = b_now();
	if (pol)
		err = vipc_apply(&st, pol);
	else if (!strcmp(op, "bump"))
		err = vipc_endpoint_bump(&st, &ep);
	else if (!strcmp(op, "revoke"))
		err = vipc_endpoint_revoke(&st, REVOKE_ADDR, &killed);
	else
		err = vipc_container_rm(&st, "f0");
	*secs = b_now() - t0;
	*entries = pol ? pol->nr_grants : killed;
	vipc_state_close(&st);
cleanup:
	vipc_policy_free(pol);
	return err;
}

int b_ops_main(int argc, char **argv)
{
	double secs = 0, entries = 0;
	struct rusage ru;
	char msg[256];
	size_t n;
	int err;

	if (argc < 3)
		return 2;
	n = strtoul(argv[2], NULL, 10);
	entries = n;
	err = !strcmp(argv[1], "parse") ? op_parse(n, &secs) : op_state(argv[1], n, &secs, &entries);
	if (err) {
		fprintf(stderr, "bench: op %s: %s\n", argv[1], vipc_err_take(NULL, err, msg, sizeof(msg)));
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%.9f %.0f %ld\n", secs, entries, ru.ru_maxrss);
	return 0;
}

/* ---- in the parent ---- */

static int run_op(const char *self, int i, struct b_op *out)
{
	char n[32], line[128] = "";
	int fds[2], status;
	ssize_t len;
	pid_t pid;

	snprintf(n, sizeof(n), "%zu", ops[i].n);
	if (pipe(fds))
		return -errno;
	pid = fork();
	if (!pid) {
		dup2(fds[1], 1);
		execl(self, self, "op", ops[i].op, n, NULL);
		_exit(127);
	}
	close(fds[1]);
	len = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	line[len > 0 ? len : 0] = 0;
	out->what = ops[i].what;
	return sscanf(line, "%lf %lf %ld", &out->seconds, &out->entries, &out->rss_kib) == 3 ? 0 : -EIO;
}

int b_ops_run(const char *self, const char *loader, struct b_results *r)
{
	struct b_spec empty = {}, s;
	int i, err = 0;

	fprintf(stderr, "bench: policy operations\n");
	err = b_vipc_load(loader, false, true);
	for (i = 0; i < B_NR_OPS && !err; i++) {
		/* The instance and registry each operation starts from, then the operation. */
		if (ops[i].prealloc != ops[i ? i - 1 : 0].prealloc)
			err = b_vipc_unload(loader) ?: b_vipc_load(loader, ops[i].prealloc, true);
		s = ops[i].before ? *ops[i].before :
				    ops[i].before_grants ? b_spec_for(NULL, ops[i].before_grants, false) :
							   empty;
		err = err ?: strcmp(ops[i].op, "parse") ? b_apply(&s) : 0;
		err = err ?: run_op(self, i, &r->ops[i]);
	}
	b_vipc_unload(loader);
	return err;
}
