/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Where a decision's time goes (include/vipc.h, VIPC_STEPS): with
 * time_steps set (load --time-steps), each step's nanoseconds go to
 * vipc_steps; without it, the verifier drops every mark as dead code.
 */
#ifndef __VIPC_STEPS_BPF_H
#define __VIPC_STEPS_BPF_H

/* Set by the loader before load: time the steps of every decision. */
const volatile __u32 time_steps = 0;

/* The steps' time and calls, per CPU; read by the bench, not pinned. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vipc_step_times);
} vipc_steps SEC(".maps");

/* This CPU's table while steps are timed, else NULL. */
static __always_inline struct vipc_step_times *vipc_steps_here(void)
{
	__u32 zero = 0;

	return time_steps ? bpf_map_lookup_elem(&vipc_steps, &zero) : NULL;
}

/* The start of a decision's first step, with the clock's own cost (two
 * reads back to back) counted as the step "clock". The start is kept in
 * the table, not on the stack, which the LSM hooks have little of.
 */
static __always_inline void vipc_steps_begin(void)
{
	struct vipc_step_times *st = vipc_steps_here();
	__u64 t0;

	if (!st)
		return;
	t0 = bpf_ktime_get_ns();
	st->ns[VIPC_STEP_clock] += bpf_ktime_get_ns() - t0;
	st->calls[VIPC_STEP_clock]++;
	st->begun = bpf_ktime_get_ns();
}

/* The end of step @s; the next one begins now, after this bookkeeping. */
static __always_inline void vipc_step(enum vipc_step s)
{
	struct vipc_step_times *st = vipc_steps_here();
	__u64 now;

	if (!st || !st->begun)
		return;
	now = bpf_ktime_get_ns();
	if (s < VIPC_STEP__COUNT) {
		st->ns[s] += now - st->begun;
		st->calls[s]++;
	}
	st->begun = bpf_ktime_get_ns();
}

#endif /* __VIPC_STEPS_BPF_H */
