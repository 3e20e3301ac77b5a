// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Where the hooks' time goes: vipc loaded with --time-steps keeps, per CPU,
 * each decision step's nanoseconds in vipc_steps (include/vipc.h,
 * VIPC_STEPS); read here before and after a sample, summed over CPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"

const char *const b_step_names[VIPC_STEP__COUNT] = {
#define B_STEP_NAME(name) #name,
	VIPC_STEPS(B_STEP_NAME)
#undef B_STEP_NAME
};

/* The loaded instance's vipc_steps (unpinned: found by name), or -errno. */
static int steps_fd(void)
{
	struct bpf_map_info info;
	__u32 id = 0, len;
	int fd;

	while (!bpf_map_get_next_id(id, &id)) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_map_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, "vipc_steps"))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int b_steps_read(struct vipc_step_times *out)
{
	int cpus = libbpf_num_possible_cpus(), fd = steps_fd(), err = 0, c, s;
	struct vipc_step_times *v;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || cpus <= 0)
		return fd < 0 ? fd : cpus;
	v = calloc(cpus, sizeof(*v));
	if (!v || bpf_map_lookup_elem(fd, &zero, v))
		err = v ? -errno : -ENOMEM;
	for (c = 0; c < cpus && !err; c++) {
		for (s = 0; s < VIPC_STEP__COUNT; s++) {
			out->ns[s] += v[c].ns[s];
			out->calls[s] += v[c].calls[s];
		}
	}
	free(v);
	close(fd);
	return err;
}

/* Step @s's ns per hook run in @t, its clock read taken off (for "clock":
 * one clock read's ns).
 */
static double step_ns(const struct vipc_step_times *t, enum vipc_step s)
{
	double runs = t->calls[VIPC_STEP_start];
	double clock = t->calls[VIPC_STEP_clock] ?
			       (double)t->ns[VIPC_STEP_clock] / t->calls[VIPC_STEP_clock] :
			       0;

	if (!runs)
		return 0;
	return s == VIPC_STEP_clock ? clock : (t->ns[s] - clock * t->calls[s]) / runs;
}

void b_steps_add(struct b_samples out[VIPC_STEP__COUNT + 1], const struct vipc_step_times *before,
		 const struct vipc_step_times *after)
{
	struct vipc_step_times d;
	double ns, sum = 0;
	int s;

	for (s = 0; s < VIPC_STEP__COUNT; s++) {
		d.ns[s] = after->ns[s] - before->ns[s];
		d.calls[s] = after->calls[s] - before->calls[s];
	}
	for (s = 0; s < VIPC_STEP__COUNT; s++) {
		ns = step_ns(&d, s);
		b_samples_add(&out[s], ns);
		sum += s == VIPC_STEP_clock ? 0 : ns;
	}
	b_samples_add(&out[VIPC_STEP__COUNT], sum);
}
