/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The one decision vipc makes, shared by every BPF hook and by the loader's
 * `check`. The caller does the table lookups, in this order, and passes what
 * it found (NULL for a miss): the caller's principal, then the endpoint, then
 * (only when the caller does not own the endpoint) the grant. Also shared:
 * the hash that keys the endpoint table by name, and the exact compare.
 */
#ifndef __VIPC_DECIDE_H
#define __VIPC_DECIDE_H

#include "vipc.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The index of the first zero byte of @w (little-endian), 8 if none: the
 * lowest byte flagged by (w - 0x01..) & ~w & 0x80.. is the first zero
 * byte, and a multiply turns that flag into its index.
 */
static __always_inline __u32 vipc_word_nul(__u64 w)
{
	__u64 ones = 0x0101010101010101ULL, z = (w - ones) & ~w & (ones << 7);

	return z ? ((z & -z) >> 7) * 0x0001020304050607ULL >> 56 : 8;
}

/* The first @n (< 8) bytes of @w, the rest zeroed. */
static __always_inline __u64 vipc_word_keep(__u64 w, __u32 n)
{
	return n ? w & (~0ULL >> (64 - 8 * n)) : 0;
}

/* A multiply-xorshift step over word @w. */
static __always_inline __u64 vipc_mix(__u64 h, __u64 w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* A mix of the first words of @w covering @len bytes (at most @max words).
 * It only spreads keys over a table: the exact bytes are compared after
 * every lookup (vipc_words_eq).
 */
static __always_inline __u64 vipc_words_hash(const __u64 *w, __u32 max, __u32 len)
{
	__u64 h = 0;
	__u32 i;

	for (i = 0; i < max && i * 8 < len; i++)
		h = vipc_mix(h, w[i]);
	return h;
}

/* Two zero-padded byte strings of @len bytes each (at most @max words). */
static __always_inline int vipc_words_eq(const __u64 *a, const __u64 *b, __u32 max, __u32 len)
{
	__u64 diff = 0;
	__u32 i;

	for (i = 0; i < max && i * 8 < len; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

/* The word of a cgroup path holding its bytes past the last whole word of
 * @len, those kept and the rest zeroed (0 when @len is a multiple of 8): a
 * path's prefix (its parent's path) reads as that prefix zero-padded.
 */
static __always_inline __u64 vipc_path_tail(const union vipc_path *p, __u32 len)
{
	return len % 8 ? vipc_word_keep(p->words[(len / 8) & (VIPC_CGROUP_PATH_WORDS - 1)],
					len % 8) : 0;
}

/* The endpoint key's hash of a zero-padded name of @len bytes. */
static __always_inline __u64 vipc_name_hash(const union vipc_name *n, __u32 len)
{
	return vipc_words_hash(n->words, VIPC_NAME_WORDS, len);
}

/* The watch keys' hash of a cgroup path's first @len (< 256) bytes: its
 * whole words, then the tail; equal to vipc_words_hash() of the same bytes
 * zero-padded.
 */
static __always_inline __u64 vipc_path_hash(const union vipc_path *p, __u32 len)
{
	__u64 h = vipc_words_hash(p->words, VIPC_CGROUP_PATH_WORDS, len & ~7U);

	return len % 8 ? vipc_mix(h, vipc_path_tail(p, len)) : h;
}

/* A pathname of at most @size bytes, zero from there on: its length up to
 * the first NUL, the bytes after that NUL zeroed.
 */
static __always_inline __u32 vipc_name_cut(union vipc_name *n, __u32 size)
{
	__u32 i, len = size, found = 0, k;

	for (i = 0; i < VIPC_NAME_WORDS && i * 8 < size; i++) {
		if (found) {
			n->words[i] = 0;
			continue;
		}
		k = vipc_word_nul(n->words[i]);
		if (k == 8)
			continue;
		len = i * 8 + k;
		n->words[i] = vipc_word_keep(n->words[i], k);
		found = 1;
	}
	return len;
}

/* Two zero-padded names of @len bytes each. */
static __always_inline int vipc_name_eq(const union vipc_name *a, const union vipc_name *b,
					__u32 len)
{
	return vipc_words_eq(a->words, b->words, VIPC_NAME_WORDS, len);
}

/* ---- Pathnames as the kernel's lookup takes them ----
 * Its path walk makes "//" one '/', skips "." components, takes ".." to
 * the parent (the real one: the lexical one unless a component before it
 * is a symlink) and never above the root. vipc compares pathnames in that
 * normal form: a leading '/', no empty, "." or ".." component, no
 * trailing '/' (the kernel refuses "s.sock/" and "s.sock/." with ENOTDIR:
 * a socket is no directory).
 */
#define VIPC_NAME_BYTES (VIPC_NAME_WORDS * 8)

/* 0x80 in each byte of @w equal to @c, 0 in the others. */
static __always_inline __u64 vipc_word_eq(__u64 w, __u8 c)
{
	__u64 low = 0x7f7f7f7f7f7f7f7fULL, t = w ^ (0x0101010101010101ULL * c);

	return ~(((t & low) + low) | t | low);
}

/* Byte flags @m of a word, the next word's @next coming in: byte p of the
 * result flags byte p + @k (1 to 3).
 */
static __always_inline __u64 vipc_flags_at(__u64 m, __u64 next, __u32 k)
{
	return m >> (8 * k) | next << (64 - 8 * k);
}

/* One word of a name: its '/' bytes, '.' bytes, and ends ('/' or padding). */
struct vipc_path_flags {
	__u64 slash, dot, end;
};

static __always_inline void vipc_path_flags(struct vipc_path_flags *f, __u64 w)
{
	f->slash = vipc_word_eq(w, '/');
	f->dot = vipc_word_eq(w, '.');
	f->end = f->slash | vipc_word_eq(w, 0);
}

/* The bytes of word @a (@b: the next word's) where a "//", "/./" or "/../"
 * starts, or a trailing "/", "/." or "/..".
 */
static __always_inline __u64 vipc_path_odd(const struct vipc_path_flags *a,
					   const struct vipc_path_flags *b)
{
	__u64 e1 = vipc_flags_at(a->end, b->end, 1), d1 = vipc_flags_at(a->dot, b->dot, 1);
	__u64 e2 = vipc_flags_at(a->end, b->end, 2), d2 = vipc_flags_at(a->dot, b->dot, 2);

	return a->slash & (e1 | (d1 & (e2 | (d2 & vipc_flags_at(a->end, b->end, 3)))));
}

/* The bytes of word @w (@next: the word after it) where a '/' is followed
 * by '/', '.' or the end: where a name may leave normal form ('/' and '.'
 * differ in their lowest bit only).
 */
static __always_inline __u64 vipc_path_suspect(__u64 w, __u64 next)
{
	__u64 x = vipc_flags_at(w, next, 1);

	return vipc_word_eq(w, '/') &
	       (vipc_word_eq(x | 0x0101010101010101ULL, '/') | vipc_word_eq(x, 0));
}

/* Is the pathname of @len bytes in the zero-padded @n in normal form? A
 * word at a time, no byte loop: a screen for a '/' before '/', '.' or the
 * end (what most names cost), then, past it, the exact patterns. ("/"
 * itself says no.)
 */
static __always_inline int vipc_path_is_normal(const union vipc_name *n, __u32 len)
{
	struct vipc_path_flags a, b;
	__u64 odd = 0;
	__u32 i;

	if (n->bytes[0] != '/')
		return 0;
	for (i = 0; i < VIPC_NAME_WORDS && i * 8 < len; i++)
		odd |= vipc_path_suspect(n->words[i], i + 1 < VIPC_NAME_WORDS ? n->words[i + 1] : 0);
	if (!odd)
		return 1;
	odd = 0;
	vipc_path_flags(&a, n->words[0]);
	for (i = 0; i < VIPC_NAME_WORDS && i * 8 < len; i++) {
		vipc_path_flags(&b, i + 1 < VIPC_NAME_WORDS ? n->words[i + 1] : 0);
		odd |= vipc_path_odd(&a, &b);
		a = b;
	}
	return !odd;
}

/* A relative pathname of @len (at most VIPC_NAME_MAX) bytes in the
 * zero-padded @n as from the root: a '/' put before it; its new length.
 */
static __always_inline __u32 vipc_path_from_root(union vipc_name *n, __u32 len)
{
	__u32 i;

	for (i = VIPC_NAME_WORDS - 1; i > 0; i--)
		n->words[i] = n->words[i] << 8 | n->words[i - 1] >> 56;
	n->words[0] = n->words[0] << 8 | '/';
	return len + 1;
}

/* A pathname normalised in place, a byte per step: the output is bytes
 * [0, w) of the name (never ahead of the input), the component being
 * copied starts at @comp, and @slash flags the output's '/' bytes (bit p:
 * byte p), so that ".." finds the one before.
 */
struct vipc_path_norm {
	__u64 slash[2];
	__u32 len; /* of the input, which starts with '/' */
	__u32 w;
	__u32 comp;
	__u32 pad;
};

/* The state before the first step: the root's '/' written. */
static __always_inline void vipc_path_begin(struct vipc_path_norm *s, __u32 len)
{
	s->slash[0] = 1;
	s->slash[1] = 0;
	s->len = len;
	s->w = s->comp = 1;
	s->pad = 0;
}

/* The index of the highest bit set in @x (not 0): halves, then quarters... */
static __always_inline __u32 vipc_fls64(__u64 x)
{
	__u32 n = 0, k;

	for (k = 32; k; k >>= 1) {
		if (x >> k) {
			n += k;
			x >>= k;
		}
	}
	return n;
}

/* ".." after the '/' at @comp - 1: back to the start of the component
 * before it (at the root, stay there).
 */
static __always_inline __u32 vipc_path_up(struct vipc_path_norm *s, __u32 comp)
{
	__u32 top = comp - 1;

	if (comp <= 1)
		return 1;
	s->slash[(top >> 6) & 1] &= ~(1ULL << (top & 63));
	return 1 + (s->slash[1] ? 64 + vipc_fls64(s->slash[1]) : vipc_fls64(s->slash[0]));
}

/* Step @r (1 to s->len; s->len is the end, taken as a '/'): copy byte @r,
 * or end the component copied: drop it when empty or ".", go up for "..",
 * else keep it and its '/'.
 */
static __always_inline void vipc_path_step(union vipc_name *n, struct vipc_path_norm *s, __u64 r)
{
	__u32 w = s->w, comp = s->comp;
	char b = r < s->len && r < VIPC_NAME_BYTES ? n->bytes[r] : '/';

	if (w >= VIPC_NAME_BYTES || comp >= VIPC_NAME_BYTES - 1 || comp > w)
		return; /* never: 1 <= comp <= w <= r (bounds for the verifier) */
	if (b != '/') {
		n->bytes[w] = b;
		s->w = w + 1;
		return;
	}
	if (w == comp)
		return;
	if (n->bytes[comp] == '.' && (w == comp + 1 || (w == comp + 2 && n->bytes[comp + 1] == '.'))) {
		s->w = s->comp = w == comp + 1 ? comp : vipc_path_up(s, comp);
		return;
	}
	n->bytes[w] = '/';
	s->slash[(w >> 6) & 1] |= 1ULL << (w & 63);
	s->w = s->comp = w + 1;
}

/* After the last step: the normal form's length, the rest zeroed. The
 * last step ends a component, so the output ends with a '/' (the root's
 * when nothing is left), which goes unless it is the root.
 */
static __always_inline __u32 vipc_path_end(union vipc_name *n, const struct vipc_path_norm *s)
{
	__u32 w = s->w > 1 ? s->w - 1 : 1, i;

	for (i = 0; i < VIPC_NAME_WORDS; i++)
		n->words[i] = i * 8 >= w ? 0 : w - i * 8 >= 8 ? n->words[i] :
				vipc_word_keep(n->words[i], w - i * 8);
	return w;
}

/* The normal form of the pathname of @len bytes in the zero-padded @n, in
 * place (a relative one as from the root): its length. The BPF side runs
 * the same steps, a vipc_path_step() per bpf_loop step, and only for names
 * vipc_path_is_normal() finds not normal.
 */
static inline __u32 vipc_path_normalize(union vipc_name *n, __u32 len)
{
	struct vipc_path_norm s;
	__u32 r;

	if (n->bytes[0] != '/')
		len = vipc_path_from_root(n, len);
	vipc_path_begin(&s, len);
	for (r = 1; r <= len; r++)
		vipc_path_step(n, &s, r);
	return vipc_path_end(n, &s);
}

/* The first @len (< 256) bytes of two cgroup paths. */
static __always_inline int vipc_path_eq(const union vipc_path *a, const union vipc_path *b,
					__u32 len)
{
	return vipc_words_eq(a->words, b->words, VIPC_CGROUP_PATH_WORDS, len & ~7U) &&
	       vipc_path_tail(a, len) == vipc_path_tail(b, len);
}

/* Glob @g of the @len (< VIPC_CGROUP_PATH_MAX) bytes at @pat, at most one
 * of them a '*' (the loader's; the parser checks it).
 */
static inline void vipc_glob_make(struct vipc_glob *g, const char *pat, __u32 len)
{
	__u32 i;

	__builtin_memset(g, 0, sizeof(*g));
	g->len = len;
	g->star = VIPC_GLOB_NO_STAR;
	for (i = 0; i < len; i++) {
		g->pat[i] = pat[i];
		if (pat[i] == '*')
			g->star = i;
	}
}

/* Does byte @i of a name of @nl bytes, at @off in @p, fit glob @g? Inside
 * the run the '*' stands for any byte does; before it a byte faces the
 * pattern's byte at the same index, after it the one as far from the end.
 */
static __always_inline int vipc_glob_byte(const struct vipc_glob *g, const union vipc_path *p,
					  __u32 off, __u32 nl, __u32 i)
{
	__u32 j = i;
	char c;

	if (g->star != VIPC_GLOB_NO_STAR && i >= g->star) {
		if (i + g->len < nl + g->star + 1)
			return 1;
		j = i + g->len - nl;
	}
	c = g->pat[j & (VIPC_CGROUP_PATH_MAX - 1)];
	return c == '?' || c == p->bytes[(off + i) & (VIPC_CGROUP_PATH_MAX - 1)];
}

/* Can a name of @nl bytes match glob @g at all? */
static __always_inline int vipc_glob_fits(const struct vipc_glob *g, __u32 nl)
{
	return g->star == VIPC_GLOB_NO_STAR ? nl == g->len : nl + 1 >= g->len;
}

/* Does the name of @nl bytes at @off in @p match glob @g? One pass over
 * the name, bounded by the size of a path: no backtracking with one '*'.
 * (The BPF side runs the same steps, a vipc_glob_byte() per bpf_loop step.)
 */
static __always_inline int vipc_glob_match(const struct vipc_glob *g, const union vipc_path *p,
					   __u32 off, __u32 nl)
{
	__u32 i;

	if (!vipc_glob_fits(g, nl))
		return 0;
	for (i = 0; i < VIPC_CGROUP_PATH_MAX && i < nl; i++)
		if (!vipc_glob_byte(g, p, off, nl, i))
			return 0;
	return 1;
}

/* Does the caller need a grant lookup at all? */
static __always_inline int vipc_needs_grant(const struct vipc_principal *caller,
					     const struct vipc_endpoint *ep)
{
	return caller && ep && ep->owner != caller->id;
}

/* Is @caller's cgroup held (its container still being looked up)? */
static __always_inline int vipc_held(const struct vipc_principal *caller)
{
	return caller && caller->id == VIPC_HELD_ID;
}

/* What a caller no container holds gets on @ep for @perm: connect and send
 * on an endpoint open to others; never bind or fds (which need a grant).
 */
static __always_inline enum vipc_reason vipc_decide_other(const struct vipc_endpoint *ep,
							   __u32 perm)
{
	__u32 open = VIPC_PERM_CONNECT | VIPC_PERM_SEND;

	return ep->others == VIPC_OTHERS_ALLOW && !(perm & ~open) ? VIPC_R_PUBLIC :
								    VIPC_R_NO_GRANT;
}

/* Reason for allowing or denying @perm to @caller on @ep under @grant. A
 * registered endpoint is its owner's and its grant holders'; a caller no
 * container holds gets what the endpoint gives others; a held caller is
 * denied every call, whatever the endpoint.
 */
static __always_inline enum vipc_reason vipc_decide(const struct vipc_principal *caller,
						     const struct vipc_endpoint *ep,
						     const struct vipc_grant *grant, __u32 perm)
{
	if (!caller)
		return ep ? vipc_decide_other(ep, perm) : VIPC_R_UNCONFINED;
	if (vipc_held(caller))
		return VIPC_R_HELD;
	if (!ep)
		return caller->unknown == VIPC_UNKNOWN_DENY ? VIPC_R_UNKNOWN_DENY :
							      VIPC_R_UNKNOWN_ALLOW;
	if (ep->owner == caller->id)
		return VIPC_R_OWNER;
	if (!grant)
		return VIPC_R_NO_GRANT;
	if ((grant->perms & perm) != perm)
		return VIPC_R_NO_PERM;
	if (grant->generation != ep->generation)
		return VIPC_R_REVOKED;
	return VIPC_R_GRANTED;
}

/* The place of a directory, inode @ino on device @dev: a mix of the two.
 * Two directories that mix alike are one place, which fails closed.
 */
static __always_inline __u64 vipc_dir_place(__u64 ino, __u64 dev)
{
	return vipc_mix(vipc_mix(0, ino), dev);
}

/* Is @place (a pathname's directory, an abstract name's network namespace:
 * @kind says which) a home of the owner whose homes are @h, so that the
 * name there is its endpoint? Yes when nothing of the kind was learned (@h
 * NULL, or no place yet), when more places were met than fit, and for a
 * place unknown (0): vipc fails closed, taking the name for the endpoint.
 */
static __always_inline int vipc_home_is(const struct vipc_home *h, __u32 kind, __u64 place)
{
	__u32 k = (kind - 1) & 1, i;

	if (!h || !place || h->full & (1ULL << k) || !h->at[k][0])
		return 1;
	for (i = 0; i < VIPC_HOMES; i++)
		if (h->at[k][i] == place)
			return 1;
	return 0;
}

/* LSM backend, connect and send: the peer socket is known. A registered
 * name bound by anyone but its owner (@bound_owner: the container of the
 * cgroup that bound it, 0 for none) is an impostor, whoever calls.
 */
static __always_inline enum vipc_reason vipc_decide_peer(const struct vipc_principal *caller,
							  const struct vipc_endpoint *ep,
							  const struct vipc_grant *grant, __u32 perm,
							  __u32 bound_owner)
{
	if (ep && bound_owner != ep->owner)
		return VIPC_R_IMPOSTOR;
	return vipc_decide(caller, ep, grant, perm);
}

/* LSM backend, bind: a registered name is bound by its owner or a holder
 * of `bind`, by nobody else, confined or not; other names are free (but
 * not to a held caller).
 */
static __always_inline enum vipc_reason vipc_decide_bind(const struct vipc_principal *caller,
							  const struct vipc_endpoint *ep,
							  const struct vipc_grant *grant)
{
	if (vipc_held(caller))
		return VIPC_R_HELD;
	if (!ep)
		return caller ? VIPC_R_UNKNOWN_ALLOW : VIPC_R_UNCONFINED;
	return vipc_decide(caller, ep, grant, VIPC_PERM_BIND);
}

static __always_inline int vipc_reason_denies(enum vipc_reason reason);

/* LSM backend, channels: does an allowed connect to @ep take a place in a
 * bounded channel (the owner's own connects do not)?
 */
static __always_inline int vipc_takes_place(enum vipc_reason reason,
					     const struct vipc_endpoint *ep)
{
	return !vipc_reason_denies(reason) && reason != VIPC_R_OWNER && ep && ep->capacity;
}

/* The reason once the channel already holds @live connections. */
static __always_inline enum vipc_reason vipc_decide_capacity(enum vipc_reason reason,
							      const struct vipc_endpoint *ep,
							      __u64 live)
{
	return vipc_takes_place(reason, ep) && live >= ep->capacity ? VIPC_R_FULL : reason;
}

static __always_inline int vipc_reason_denies(enum vipc_reason reason)
{
	return reason >= VIPC_R_FIRST_DENY;
}

/* Is the call let through? Audit mode lets a container's would-deny calls
 * pass, and an endpoint's `others: audit` the calls of callers no container
 * holds that its `others: deny` would refuse (not a bind); other denies of
 * such callers (impostor, bind) stand, and a hold is never audit.
 */
static __always_inline int vipc_verdict_allows(const struct vipc_principal *caller,
						const struct vipc_endpoint *ep,
						enum vipc_reason reason, __u32 perm)
{
	if (!vipc_reason_denies(reason))
		return 1;
	if (caller)
		return caller->mode == VIPC_MODE_AUDIT && reason != VIPC_R_HELD;
	return reason == VIPC_R_NO_GRANT && ep && ep->others == VIPC_OTHERS_AUDIT &&
	       !(perm & VIPC_PERM_BIND);
}

#endif /* __VIPC_DECIDE_H */
