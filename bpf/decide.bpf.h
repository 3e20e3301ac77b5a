/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The steps every hook takes to decide (include/vipc_decide.h holds the
 * decision itself): find the caller's container, read a name, look up the
 * endpoint and grant, count and report.
 */
#ifndef __VIPC_DECIDE_BPF_H
#define __VIPC_DECIDE_BPF_H

/* A climb up a cgroup's ancestors to the nearest bound one, a level per
 * bpf_loop() step: at any depth, so that no cgroup is too deep to be found.
 */
struct vipc_climb {
	__u64 cgroup; /* the struct cgroup whose ancestors are read; 0: the caller's */
	__u64 found;  /* the bound ancestor's cgroup id, 0 while none */
	__u32 slot;
	__u32 level; /* of the first ancestor looked up; step i looks i levels higher */
};

/* The id of the ancestor at @level of the struct cgroup at @cg. */
static __always_inline __u64 vipc_ancestor_id(__u64 cg, __u32 level)
{
	struct cgroup *anc = NULL;

	bpf_core_read(&anc, sizeof(anc), &((struct cgroup *)cg)->ancestors[level]);
	return BPF_CORE_READ(anc, kn, id);
}

/* One level: its cgroup id, then its binding; a bound one ends the climb. */
static long vipc_climb_step(__u32 i, struct vipc_climb *w)
{
	struct vipc_principal_key key = { .slot = w->slot };
	__u32 level = w->level - i;

	key.cgroup_id = w->cgroup ? vipc_ancestor_id(w->cgroup, level) :
				    bpf_get_current_ancestor_cgroup_id(level);
	if (!key.cgroup_id || !bpf_map_lookup_elem(&vipc_principals, &key))
		return 0;
	w->found = key.cgroup_id;
	return 1;
}

/* What a caller deeper than any climb is: held, denied everything. */
static const struct vipc_principal vipc_too_deep = { .id = VIPC_HELD_ID };

/* The principal of the nearest bound ancestor from @level up to the root
 * (of the struct cgroup at @cg; 0: of the caller's cgroup), NULL when
 * none, vipc_too_deep when more levels than bpf_loop() takes.
 */
static __always_inline struct vipc_principal *vipc_climb(__u32 slot, __u64 cg, __u32 level)
{
	struct vipc_climb w = { .cgroup = cg, .slot = slot, .level = level };
	struct vipc_principal_key key = { .slot = slot };

	if (bpf_loop(level + 1, vipc_climb_step, &w, 0) < 0)
		return (struct vipc_principal *)&vipc_too_deep;
	key.cgroup_id = w.found;
	return w.found ? bpf_map_lookup_elem(&vipc_principals, &key) : NULL;
}

/* The nearest registered cgroup: the caller's own (the one lookup for a
 * bound cgroup), else its ancestors', nearest first, up to the root.
 */
static __always_inline struct vipc_principal *vipc_find_principal(__u32 slot, __u64 cgid)
{
	struct vipc_principal_key key = { .slot = slot, .cgroup_id = cgid };
	struct vipc_principal *p;
	__u32 level;

	p = bpf_map_lookup_elem(&vipc_principals, &key);
	if (p)
		return p;
	level = bpf_get_current_task_btf()->cgroups->dfl_cgrp->level;
	return level ? vipc_climb(slot, 0, level - 1) : NULL;
}

/* A decision key as words, to compare and to hash. */
union vipc_dkey {
	struct vipc_decision_key k;
	__u64 w[2];
};

/* Where a decision is counted: its key and hot bucket. */
struct vipc_drow {
	union vipc_dkey key;
	__u32 bucket;
	__u32 pad;
};

/* A container as its cgroup's word keeps it: the head of a struct
 * vipc_principal, what a decision reads of one (not its name), so that a
 * hook's stack holds 8 bytes for it rather than 40.
 */
struct vipc_caller_word {
	__u32 id;
	__u8 mode;
	__u8 unknown;
	__u16 pad;
};
_Static_assert(__builtin_offsetof(struct vipc_principal, name) == sizeof(struct vipc_caller_word),
	       "vipc_caller_word: the head of struct vipc_principal");

/* One decision in progress: the live slot, the caller, what was found. */
struct vipc_call {
	struct vipc_endpoint_key key;
	union vipc_name name; /* the exact name c->key hashes */
	struct vipc_principal *caller;
	struct vipc_caller_word me; /* the caller's, as its cgroup keeps it (vipc_caller) */
	struct vipc_endpoint *ep;
	struct vipc_grant *grant;
	struct vipc_stats *stats; /* this CPU's counters of the hook */
	__u64 cgid; /* the caller's cgroup id once read (vipc_cgid), else 0 */
	__u64 changes; /* the policy's change count when the decision began */
	__u32 perm;
	enum vipc_hook hook;
	/* A remembered verdict's counter: no caller or endpoint was looked up. */
	const struct vipc_drow *known;
	struct vipc_path_norm norm; /* the name's normalisation, when it needs one */
};

/* The caller's cgroup id, read at its first use: its kernfs node is a
 * cache line of its own (~40 ns cold), which an allow found from the
 * cgroup's word never needs.
 */
static __always_inline __u64 vipc_cgid(struct vipc_call *c)
{
	if (!c->cgid)
		c->cgid = bpf_get_current_cgroup_id();
	return c->cgid;
}

/* ---- The caller's container, remembered per cgroup ----
 * Set by the loader before load: the kernel has cgroup local storage (Linux
 * 6.2+). Without it, vipc_pcache is not created and every call climbs.
 */
const volatile __u32 have_cgrp_storage = 0;

/* Per cgroup, its container (the nearest bound ancestor's, itself
 * included) or none, under a policy change count and live slot: one word,
 * so that no call reads half of another CPU's write. A word of another
 * count or slot does not hold; every change of bindings, holds or slot
 * bumps the count, and a process moved to another cgroup reads that
 * cgroup's word.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} vipc_pcache SEC(".maps");

/* The word, low bits first: the container's id (22 bits), mode and
 * unknown (a bit each), bound (else no container), the slot, and the
 * change count + 1 (so that 0 never holds) in the 38 bits left: a word
 * reads as current again only after 2^38 changes (eight years at a
 * thousand bindings a second). Containers that do not fit are not kept.
 */
#define VIPC_PC_ID_BITS 22
#define VIPC_PC_BOUND (1ULL << 24)
#define VIPC_PC_TAG_SHIFT 25 /* the slot and the count */

/* The word saying @p (NULL: no container) under @c's count and slot; 0
 * when @p does not fit.
 */
static __always_inline __u64 vipc_pcache_word(const struct vipc_call *c,
					      const struct vipc_principal *p)
{
	__u64 tag = ((c->changes + 1) << 1 | (c->key.slot & 1)) << VIPC_PC_TAG_SHIFT;

	if (!p)
		return tag;
	if (p->id >> VIPC_PC_ID_BITS || p->mode > 1 || p->unknown > 1)
		return 0;
	return tag | VIPC_PC_BOUND | (__u64)p->unknown << 23 | (__u64)p->mode << 22 | p->id;
}

/* The container a word of @c's count and slot says, into @me; NULL for
 * none.
 */
static __always_inline struct vipc_principal *vipc_pcache_read(struct vipc_caller_word *me,
								__u64 word)
{
	if (!(word & VIPC_PC_BOUND))
		return NULL;
	me->id = word & ((1U << VIPC_PC_ID_BITS) - 1);
	me->mode = word >> 22 & 1;
	me->unknown = word >> 23 & 1;
	return (struct vipc_principal *)me;
}

/* The caller's principal as vipc_find_principal() finds it: from its
 * cgroup's word when that holds (no lookup at all), else found (the
 * caller's own binding, else the climb from the same cgroup) and kept
 * unless too deep or too big for a word.
 */
static __always_inline struct vipc_principal *vipc_caller(struct vipc_call *c)
{
	struct cgroup *cg = bpf_get_current_task_btf()->cgroups->dfl_cgrp;
	struct vipc_principal_key key = { .slot = c->key.slot };
	__u64 *w, word;
	struct vipc_principal *p;
	__u32 level = cg->level;

	if (!have_cgrp_storage)
		return vipc_find_principal(c->key.slot, vipc_cgid(c));
	w = bpf_cgrp_storage_get(&vipc_pcache, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	word = w ? *(volatile __u64 *)w : 0;
	if (word && word >> VIPC_PC_TAG_SHIFT == vipc_pcache_word(c, NULL) >> VIPC_PC_TAG_SHIFT)
		return vipc_pcache_read(&c->me, word);
	key.cgroup_id = cg->kn->id;
	p = bpf_map_lookup_elem(&vipc_principals, &key);
	if (!p && level)
		p = vipc_climb(c->key.slot, (__u64)cg, level - 1);
	word = p == &vipc_too_deep ? 0 : vipc_pcache_word(c, p);
	if (w && word)
		*w = word;
	return p;
}

/* Copy @len (< 109) bytes at kernel address @src into the zeroed @name;
 * with @cut, only up to the first NUL. The bytes copied, or -1.
 * @direct: @src is an untrusted pointer into the kernel's sockaddr_storage
 * copy of a caller's address, read by plain loads a word at a time (a
 * load cannot fault, and one past the address stays inside the storage),
 * stopping at the word that ends the name. Otherwise through the probe
 * helper, whole, then cut.
 */
static __always_inline long vipc_copy(union vipc_name *name, const char *src, long len,
				      int cut, int direct)
{
	__u32 k;
	__u64 w;
	long i;

	if (!direct) {
		barrier_var(len);
		if (len > VIPC_NAME_MAX)
			len = VIPC_NAME_MAX;
		if (len > 0 && bpf_probe_read_kernel(name->bytes, len, src))
			return -1;
		return cut ? vipc_name_cut(name, len) : len;
	}
#pragma clang loop unroll(full)
	for (i = 0; i < VIPC_NAME_WORDS; i++) {
		if (i * 8 >= len)
			break;
		w = *(const __u64 *)(src + i * 8);
		if (len - i * 8 < 8)
			w = vipc_word_keep(w, len - i * 8);
		k = cut ? vipc_word_nul(w) : 8;
		if (k < 8) {
			name->words[i] = vipc_word_keep(w, k);
			return i * 8 + k;
		}
		name->words[i] = w;
	}
	return len;
}

/* Is the caller's working directory its root (so that a relative name
 * resolves from '/')? Read unlocked: a chdir racing with the call is
 * the caller's own alias (README, "What vipc stops").
 */
static __always_inline int vipc_cwd_is_root(void)
{
	struct fs_struct *fs = bpf_get_current_task_btf()->fs;

	return fs && fs->pwd.dentry == fs->root.dentry && fs->pwd.mnt == fs->root.mnt;
}

/* A normalisation's bpf_loop context: the name and the state, in memory
 * the verifier does not follow (a global function's pointer arguments),
 * so every step starts from unknown values and is checked once, not once
 * per length.
 */
struct vipc_path_walk {
	union vipc_name *n;
	struct vipc_path_norm *s;
};

/* Step i + 1 of a normalisation (include/vipc_decide.h). */
static long vipc_path_byte(__u32 i, struct vipc_path_walk *w)
{
	vipc_path_step(w->n, w->s, (__u64)i + 1);
	return 0;
}

/* The pathname of @len bytes in the zero-padded @n in its normal form
 * (include/vipc_decide.h), with @s for its steps: its new length. A
 * relative one is taken as from '/' when @cwd says it resolves from the
 * caller's working directory and that is its root; other relative names
 * stay as they are (no endpoint has one). A global function: the verifier
 * checks it once, on its own, so that its paths do not multiply those of
 * every hook after it.
 */
__noinline int vipc_path_normal(union vipc_name *n, struct vipc_path_norm *s, __u32 len,
				__u32 cwd)
{
	struct vipc_path_walk w = { .n = n, .s = s };

	if (!n || !s || len >= VIPC_NAME_BYTES - 1)
		return len;
	/* A relative name: from '/' when the working directory is the root. */
	if (n->bytes[0] != '/') {
		if (!cwd || !vipc_cwd_is_root())
			return len;
		len = vipc_path_from_root(n, len);
	}
	/* Most names are normal already; the others take a step a byte. */
	if (vipc_path_is_normal(n, len))
		return len;
	vipc_path_begin(s, len);
	bpf_loop(len, vipc_path_byte, &w, 0);
	return vipc_path_end(n, s);
}

/* The name in a sun_path of @n bytes at kernel address @path, whose first
 * byte the caller has read into @lead, into the zeroed c->name, its kind
 * and length into c->key; a pathname in its normal form (@cwd: a relative
 * one resolves from the caller's working directory). @direct as for
 * vipc_copy.
 */
static __always_inline int vipc_name_read(const char *path, __u32 n, char lead,
					  struct vipc_call *c, int direct, int cwd)
{
	struct vipc_endpoint_key *key = &c->key;
	long len;

	if (!n)
		return -1;
	if (n > VIPC_NAME_MAX)
		n = VIPC_NAME_MAX;
	/* Abstract: everything after the leading NUL is significant;
	 * pathname: up to the first NUL, or all @n bytes.
	 */
	key->kind = lead ? VIPC_KIND_UNIX_PATH : VIPC_KIND_UNIX_ABSTRACT;
	len = lead ? vipc_copy(&c->name, path, n, 1, direct) :
		     vipc_copy(&c->name, path + 1, n - 1, 0, direct);
	if (len < 0)
		return -1;
	key->len = lead ? vipc_path_normal(&c->name, &c->norm, len, cwd) : len;
	vipc_step(VIPC_STEP_name);
	return 0;
}

/* Count a decision in the per-CPU counters of its hook: a deny at its
 * reason's denied_* counter (include/vipc.h keeps them in reason order).
 */
static __always_inline void vipc_count(struct vipc_stats *s, enum vipc_reason reason, int audit)
{
	__u32 deny = reason - VIPC_R_FIRST_DENY;

	if (!s)
		return;
	if (reason == VIPC_R_UNCONFINED || reason == VIPC_R_PUBLIC)
		s->unconfined++;
	else if (!vipc_reason_denies(reason))
		s->allowed++;
	else if (audit)
		s->audited++;
	else if (deny < VIPC_R__COUNT - VIPC_R_FIRST_DENY)
		(&s->denied_unknown)[deny]++;
}

static __always_inline void vipc_count_lookup(struct vipc_stats *s, int hit)
{
	if (!s)
		return;
	s->lookups++;
	if (hit)
		s->hits++;
}

/* The counter of @c's decision for @reason and @verdict: its key, built as
 * its two words (little-endian struct vipc_decision_key) so that it is
 * compared and hashed in registers rather than read back from narrower
 * stores, and its hot bucket, a multiply-shift hash of the key.
 */
static __always_inline void vipc_drow_make(struct vipc_drow *d, const struct vipc_call *c,
					   enum vipc_reason reason, __u8 verdict)
{
	__u64 w0, w1;

	w0 = (c->caller ? c->caller->id : 0) | (__u64)(c->ep ? c->ep->id : 0) << 32;
	w1 = (c->ep ? c->ep->owner : 0) | (__u64)(__u8)c->hook << 32 | (__u64)(__u8)reason << 40 |
	     (__u64)verdict << 48;
	d->key.w[0] = w0;
	d->key.w[1] = w1;
	d->bucket = (__u32)((w0 ^ (w1 * 0x9e3779b97f4a7c15ULL)) * 0xc2b2ae3d27d4eb4fULL >> 32) &
		    (VIPC_HOT_BUCKETS - 1);
	d->pad = 0;
}

/* This CPU's hot bucket of @d. */
static __always_inline struct vipc_hot_bucket *vipc_hot_bucket(const struct vipc_drow *d)
{
	__u32 zero = 0;
	struct vipc_hot_table *t = bpf_map_lookup_elem(&vipc_decisions_hot, &zero);

	return t ? &t->bucket[d->bucket & (VIPC_HOT_BUCKETS - 1)] : NULL;
}

static __always_inline int vipc_row_is(const struct vipc_hot_row *r, const union vipc_dkey *key)
{
	const union vipc_dkey *k = (const union vipc_dkey *)&r->key;

	return k->w[0] == key->w[0] && k->w[1] == key->w[1];
}

/* Count @d in a row of its hot bucket that holds its key, else in a free
 * one it takes (1); 0 when the bucket's rows hold other keys.
 */
static __always_inline int vipc_count_hot(const struct vipc_drow *d)
{
	static const union vipc_dkey none;
	struct vipc_hot_bucket *b = vipc_hot_bucket(d);
	const union vipc_dkey *key = &d->key;
	struct vipc_hot_row *r;
	int i;

	if (!b)
		return 0;
#pragma clang loop unroll(full)
	for (i = 0; i < VIPC_HOT_WAYS; i++) {
		if (vipc_row_is(&b->row[i], key)) {
			b->row[i].count++;
			return 1;
		}
	}
#pragma clang loop unroll(full)
	for (i = 0; i < VIPC_HOT_WAYS; i++) {
		r = &b->row[i];
		if (!vipc_row_is(r, &none))
			continue;
		__builtin_memcpy(&r->key, &key->k, sizeof(r->key));
		r->count = 1;
		return 1;
	}
	return 0;
}

/* Count @d's key in vipc_decisions; a full table counts decisions_missed. */
static __always_inline void vipc_count_cold(const struct vipc_call *c, const struct vipc_drow *d)
{
	union vipc_dkey key = d->key;
	__u64 one = 1, *n;
	long err;

	n = bpf_map_lookup_elem(&vipc_decisions, &key.k);
	if (n) {
		(*n)++;
		return;
	}
	/* A new row holds 1 on this CPU; another CPU may have made it first. */
	err = bpf_map_update_elem(&vipc_decisions, &key.k, &one, BPF_NOEXIST);
	n = err == -EEXIST ? bpf_map_lookup_elem(&vipc_decisions, &key.k) : NULL;
	if (n)
		(*n)++;
	else if (err && c->stats)
		c->stats->decisions_missed++;
}

/* Count a decision under its (container, endpoint, hook, reason, verdict):
 * in this CPU's hot row when it has it, else in vipc_decisions. A
 * remembered verdict brings its counter, key and bucket made. The calls of
 * callers no container holds to names not registered are left to
 * vipc_stats; a full table never fails the call.
 */
static __always_inline void vipc_count_decision(const struct vipc_call *c,
						enum vipc_reason reason, __u8 verdict)
{
	const struct vipc_drow *d = c->known;
	struct vipc_drow made;

	if (!count_decisions || reason == VIPC_R_UNCONFINED)
		return;
	if (!d) {
		vipc_drow_make(&made, c, reason, verdict);
		d = &made;
	}
	if (!vipc_count_hot(d))
		vipc_count_cold(c, d);
}

/* The event of a deny or would-deny, whole, into @e. */
static __always_inline void vipc_event_fill(struct vipc_event *e, const struct vipc_call *c,
					    enum vipc_reason reason, int audit)
{
	e->type = audit ? VIPC_EV_AUDIT : VIPC_EV_DENY;
	e->hook = c->hook;
	e->reason = reason;
	e->perm = c->perm;
	e->kind = c->key.kind;
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = c->cgid;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->container = c->caller ? c->caller->id : 0;
	e->endpoint = c->ep ? c->ep->id : 0;
	e->name_len = c->key.len;
	e->verdict = audit ? VIPC_V_AUDIT : VIPC_V_DENY;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->name, c->name.bytes, sizeof(e->name));
	e->suppressed = 0;
}

/* Take @a's pending count, at most what an event's field holds (the rest
 * stays pending).
 */
static __always_inline __u32 vipc_take_pending(struct vipc_agg *a)
{
	__u64 n = __sync_lock_test_and_set(&a->pending, 0);

	if (n <= 0xffffffffULL)
		return n;
	__sync_fetch_and_add(&a->pending, n - 0xffffffffULL);
	return 0xffffffffU;
}

/* Submit the event of @c (with @a: the first of its key's interval, which
 * carries the key's pending count and becomes its summaries' template).
 */
static __always_inline void vipc_send(const struct vipc_call *c, enum vipc_reason reason,
				      int audit, struct vipc_agg *a)
{
	struct vipc_event *e;

	e = bpf_ringbuf_reserve(&vipc_events, sizeof(*e), 0);
	if (!e) {
		if (c->stats)
			c->stats->events_dropped++;
		return;
	}
	vipc_event_fill(e, c, reason, audit);
	if (!a) {
		bpf_ringbuf_submit(e, 0);
		return;
	}
	e->suppressed = vipc_take_pending(a);
	__builtin_memcpy(&a->last, e, sizeof(*e));
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* A new aggregate: zero, its interval not yet opened (window 0). */
static const struct vipc_agg vipc_agg_zero;

/* The aggregate of @c's key, made when new; NULL when the table is full. */
static __always_inline struct vipc_agg *vipc_agg_get(const struct vipc_call *c,
						     enum vipc_reason reason, int audit)
{
	struct vipc_agg_key key = {
		.hash = !c->ep ? c->key.hash : c->caller ? 0 : c->cgid,
		.container = c->caller ? c->caller->id : 0,
		.endpoint = c->ep ? c->ep->id : 0,
		.hook = c->hook,
		.reason = reason,
		.verdict = audit ? VIPC_V_AUDIT : VIPC_V_DENY,
		.kind = c->ep ? 0 : c->key.kind,
		.len = c->ep ? 0 : c->key.len,
	};
	struct vipc_agg *a;

	a = bpf_map_lookup_elem(&vipc_agg, &key);
	if (a)
		return a;
	bpf_map_update_elem(&vipc_agg, &key, &vipc_agg_zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&vipc_agg, &key);
}

/* Report a deny or would-deny. With an events interval, per key (container,
 * endpoint or unregistered name, hook, reason, verdict) the first call of an
 * interval is sent and the rest are counted (events_suppressed, and the
 * key's pending count, sent with its next event or by the flush). The one
 * call that moves the interval's start on sends; events go without a
 * wake-up (the flush wakes the reader). Lost to a full ring: events_dropped.
 * With @coarse, intervals run on the coarse monotonic clock (the tick),
 * which costs less than a precise read.
 */
static __always_inline void vipc_report(const struct vipc_call *c, enum vipc_reason reason,
					int audit, int coarse)
{
	struct vipc_config *cfg = vipc_cfg();
	__u64 now = coarse ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns(), start;
	__u64 interval = cfg ? cfg->events_interval_ns : 0;
	struct vipc_agg *a = interval ? vipc_agg_get(c, reason, audit) : NULL;

	if (a) {
		start = a->window;
		if ((start && now - start < interval) ||
		    __sync_val_compare_and_swap(&a->window, start, now) != start) {
			__sync_fetch_and_add(&a->pending, 1);
			if (c->stats)
				c->stats->events_suppressed++;
			return;
		}
		a->owner = c->ep ? c->ep->owner : 0;
	}
	vipc_send(c, reason, audit, a);
}

/* Phase 1 of every decision: the policy's change count, then the live
 * slot (each read once: a reload flips the slot, and one decision must not
 * mix two policies). 0 when vipc holds no policy.
 * The count comes before any table: writers bump it after writing, so a
 * verdict kept under it was decided on a policy at least that new.
 */
static __always_inline int vipc_start(struct vipc_call *c, __u32 perm, enum vipc_hook hook)
{
	struct vipc_registry_stats *reg;
	struct vipc_config *cfg;

	vipc_steps_begin();
	reg = vipc_reg();
	cfg = vipc_cfg();
	if (!cfg || !reg || cfg->magic != VIPC_MAGIC)
		return 0;
	c->changes = *(volatile __u64 *)&reg->policy_changes;
	c->key.slot = *(volatile __u32 *)&cfg->active_slot;
	c->perm = perm;
	c->hook = hook;
	c->stats = vipc_cpu_stats(hook);
	vipc_step(VIPC_STEP_start);
	return 1;
}

/* Phase 1 with the caller's container found. */
static __always_inline int vipc_begin(struct vipc_call *c, __u32 perm, enum vipc_hook hook)
{
	if (!vipc_start(c, perm, hook))
		return 0;
	c->caller = vipc_caller(c);
	vipc_step(VIPC_STEP_principal);
	return 1;
}

/* Phase 2: the caller's grant on c->ep. */
static __always_inline void vipc_lookup_grant(struct vipc_call *c)
{
	struct vipc_grant_key gkey = { .slot = c->key.slot };

	if (!vipc_needs_grant(c->caller, c->ep))
		return;
	gkey.container = c->caller->id;
	gkey.endpoint = c->ep->id;
	c->grant = bpf_map_lookup_elem(&vipc_grants, &gkey);
	vipc_count_lookup(c->stats, c->grant != NULL);
	vipc_step(VIPC_STEP_grant);
}

/* Does this instance learn homes at all? Only the LSM and fmodret
 * backends' bind hooks do; elsewhere every place is a home, and the
 * lookup is left out.
 */
static __always_inline int vipc_homes_learned(void)
{
	struct vipc_config *cfg = vipc_cfg();

	return cfg && cfg->backends & VIPC_BACKEND_PEER;
}

/* Phase 2: the endpoint named by c->key, and the caller's grant on it. */
static __always_inline void vipc_lookup(struct vipc_call *c)
{
	c->ep = bpf_map_lookup_elem(&vipc_endpoints, &c->key);
	if (c->ep && !vipc_name_eq(&c->ep->name, &c->name, c->key.len))
		c->ep = NULL; /* another name that hashes alike */
	vipc_count_lookup(c->stats, c->ep != NULL);
	vipc_step(VIPC_STEP_endpoint);
	vipc_lookup_grant(c);
}

/* Phase 2, where the name lives: it is its endpoint only in a home of its
 * owner (@place, a pathname's directory or an abstract name's network
 * namespace, one of them, or none learned); elsewhere it is a name nobody
 * registered.
 */
static __always_inline void vipc_away(struct vipc_call *c, __u64 place)
{
	__u32 owner;

	if (!c->ep)
		return;
	owner = c->ep->owner;
	if (vipc_home_is(bpf_map_lookup_elem(&vipc_homes, &owner), c->key.kind, place))
		return;
	c->ep = NULL;
	c->grant = NULL;
}

/* Phase 3: count (per hook and per container and endpoint) and report the
 * decision; 1 lets the call through. @coarse: event intervals on the
 * coarse clock, which the socket backend's programs may read and the LSM
 * backend's (tracing programs) may not; a key has one hook, so one clock.
 */
static __always_inline int vipc_finish_clock(struct vipc_call *c, enum vipc_reason reason,
					     int coarse)
{
	int allow = vipc_verdict_allows(c->caller, c->ep, reason, c->perm);
	int denies = vipc_reason_denies(reason);

	vipc_count(c->stats, reason, allow && denies);
	vipc_count_decision(c, reason, !denies ? VIPC_V_ALLOW : allow ? VIPC_V_AUDIT : VIPC_V_DENY);
	vipc_step(VIPC_STEP_count);
	if (denies) {
		vipc_cgid(c); /* the event names the caller's cgroup */
		vipc_report(c, reason, allow, coarse);
	}
	vipc_step(VIPC_STEP_report);
	return allow;
}

/* Phase 3 with the precise clock. */
static __always_inline int vipc_finish(struct vipc_call *c, enum vipc_reason reason)
{
	return vipc_finish_clock(c, reason, 0);
}

#endif /* __VIPC_DECIDE_BPF_H */
