// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vipc_decide() and its helpers from include/vipc_decide.h, compiled for
 * userspace: every reason, the order of the checks, the LSM backend's peer,
 * bind and channel-capacity decisions, whether a grant lookup is needed,
 * which reasons deny, and the verdict in enforce and audit mode.
 */
#include <criterion/criterion.h>
#include <linux/types.h>
#include <stddef.h>
#include "vipc_decide.h"

#define CALLER 7 /* the calling container's id */
#define OTHER 9	 /* another container's id */
#define GEN 3	 /* the endpoints' current generation */

#define CONNECT VIPC_PERM_CONNECT
#define SEND VIPC_PERM_SEND

static const struct vipc_principal allow_unknown = { .id = CALLER, .unknown = VIPC_UNKNOWN_ALLOW };
static const struct vipc_principal deny_unknown = { .id = CALLER, .unknown = VIPC_UNKNOWN_DENY };
static const struct vipc_principal held = { .id = VIPC_HELD_ID, .unknown = VIPC_UNKNOWN_ALLOW };

static const struct vipc_endpoint foreign = { .id = 1, .owner = OTHER, .generation = GEN };
static const struct vipc_endpoint own = { .id = 2, .owner = CALLER, .generation = GEN };
static const struct vipc_endpoint channel = { .id = 3, .owner = OTHER, .generation = GEN,
					      .capacity = 2 };
static const struct vipc_endpoint public = { .id = 4, .owner = OTHER, .generation = GEN,
					     .others = VIPC_OTHERS_ALLOW };
static const struct vipc_endpoint audited = { .id = 5, .owner = OTHER, .generation = GEN,
					      .others = VIPC_OTHERS_AUDIT };

static const struct vipc_grant conn_send = { .perms = CONNECT | SEND, .generation = GEN };
static const struct vipc_grant send_only = { .perms = SEND, .generation = GEN };
static const struct vipc_grant every = { .perms = VIPC_PERM_ALL, .generation = GEN };
static const struct vipc_grant stale = { .perms = CONNECT | SEND, .generation = GEN - 1 };
static const struct vipc_grant newer = { .perms = CONNECT | SEND, .generation = GEN + 1 };
static const struct vipc_grant stale_send_only = { .perms = SEND, .generation = GEN - 1 };

struct decide_case {
	const char *what;
	const struct vipc_principal *caller;
	const struct vipc_endpoint *ep;
	const struct vipc_grant *grant;
	__u32 perm;
	enum vipc_reason want;
};

static const struct decide_case decide_cases[] = {
	{ "no principal, others: deny", NULL, &foreign, &conn_send, CONNECT, VIPC_R_NO_GRANT },
	{ "no principal, others: audit", NULL, &audited, NULL, SEND, VIPC_R_NO_GRANT },
	{ "no principal, others: allow, connect", NULL, &public, NULL, CONNECT, VIPC_R_PUBLIC },
	{ "no principal, others: allow, send", NULL, &public, NULL, SEND, VIPC_R_PUBLIC },
	{ "no principal, others: allow, connect and send", NULL, &public, NULL, CONNECT | SEND,
	  VIPC_R_PUBLIC },
	{ "no principal, others: allow, pass-fd needs a grant", NULL, &public, NULL,
	  SEND | VIPC_PERM_PASS_FD, VIPC_R_NO_GRANT },
	{ "no principal, others: allow, bind needs a grant", NULL, &public, NULL, VIPC_PERM_BIND,
	  VIPC_R_NO_GRANT },
	{ "no principal, no endpoint", NULL, NULL, NULL, SEND, VIPC_R_UNCONFINED },
	{ "a container without a grant, others: allow", &allow_unknown, &public, NULL, CONNECT,
	  VIPC_R_NO_GRANT },
	{ "unknown endpoint, default allow", &allow_unknown, NULL, NULL, CONNECT,
	  VIPC_R_UNKNOWN_ALLOW },
	{ "unknown endpoint, default deny", &deny_unknown, NULL, NULL, CONNECT,
	  VIPC_R_UNKNOWN_DENY },
	{ "unknown endpoint, stray grant ignored", &deny_unknown, NULL, &conn_send, CONNECT,
	  VIPC_R_UNKNOWN_DENY },
	{ "owner, no grant", &deny_unknown, &own, NULL, CONNECT, VIPC_R_OWNER },
	{ "owner, every permission", &allow_unknown, &own, NULL, VIPC_PERM_ALL, VIPC_R_OWNER },
	{ "owner, stale grant lacking the bit", &allow_unknown, &own, &stale_send_only, CONNECT,
	  VIPC_R_OWNER },
	{ "no grant", &allow_unknown, &foreign, NULL, CONNECT, VIPC_R_NO_GRANT },
	{ "no grant, unknown default not consulted", &deny_unknown, &foreign, NULL, SEND,
	  VIPC_R_NO_GRANT },
	{ "connect with only send", &allow_unknown, &foreign, &send_only, CONNECT,
	  VIPC_R_NO_PERM },
	{ "bind with connect and send", &allow_unknown, &foreign, &conn_send, VIPC_PERM_BIND,
	  VIPC_R_NO_PERM },
	{ "connect and send with only send", &allow_unknown, &foreign, &send_only,
	  CONNECT | SEND, VIPC_R_NO_PERM },
	{ "older generation", &allow_unknown, &foreign, &stale, CONNECT, VIPC_R_REVOKED },
	{ "newer generation", &allow_unknown, &foreign, &newer, SEND, VIPC_R_REVOKED },
	{ "missing bit reported before revocation", &allow_unknown, &foreign, &stale_send_only,
	  CONNECT, VIPC_R_NO_PERM },
	{ "connect granted", &allow_unknown, &foreign, &conn_send, CONNECT, VIPC_R_GRANTED },
	{ "send granted", &deny_unknown, &foreign, &send_only, SEND, VIPC_R_GRANTED },
	{ "connect and send granted", &allow_unknown, &foreign, &conn_send, CONNECT | SEND,
	  VIPC_R_GRANTED },
	{ "pass-fd granted", &allow_unknown, &foreign, &every, VIPC_PERM_PASS_FD,
	  VIPC_R_GRANTED },
	{ "held, unknown endpoint allowed by default", &held, NULL, NULL, CONNECT, VIPC_R_HELD },
	{ "held, granted", &held, &foreign, &every, SEND, VIPC_R_HELD },
};

#define NR_DECIDE_CASES (sizeof(decide_cases) / sizeof(decide_cases[0]))

/* Which reasons deny, indexed by reason. */
static const int denies[VIPC_R__COUNT] = {
	[VIPC_R_UNCONFINED] = 0,
	[VIPC_R_OWNER] = 0,
	[VIPC_R_GRANTED] = 0,
	[VIPC_R_UNKNOWN_ALLOW] = 0,
	[VIPC_R_PUBLIC] = 0,
	[VIPC_R_UNKNOWN_DENY] = 1,
	[VIPC_R_NO_GRANT] = 1,
	[VIPC_R_NO_PERM] = 1,
	[VIPC_R_REVOKED] = 1,
	[VIPC_R_IMPOSTOR] = 1,
	[VIPC_R_FULL] = 1,
	[VIPC_R_HELD] = 1,
};

/* LSM backend: the peer socket's binder, and bind itself. */
struct peer_case {
	const char *what;
	const struct vipc_principal *caller;
	const struct vipc_endpoint *ep;
	const struct vipc_grant *grant;
	__u32 bound_owner; /* container that bound the peer socket; -1: a bind(2) */
	enum vipc_reason want;
};

#define BIND ((__u32)-1)

static const struct peer_case peer_cases[] = {
	{ "bound by its owner, granted", &allow_unknown, &foreign, &conn_send, OTHER,
	  VIPC_R_GRANTED },
	{ "bound by another container", &allow_unknown, &foreign, &conn_send, CALLER,
	  VIPC_R_IMPOSTOR },
	{ "bound by an unregistered cgroup", &allow_unknown, &foreign, &conn_send, 0,
	  VIPC_R_IMPOSTOR },
	{ "impostor, unconfined caller too", NULL, &foreign, NULL, 0, VIPC_R_IMPOSTOR },
	{ "impostor, even for the owner", &allow_unknown, &own, NULL, OTHER, VIPC_R_IMPOSTOR },
	{ "unregistered name, anyone bound it", &deny_unknown, NULL, NULL, OTHER,
	  VIPC_R_UNKNOWN_DENY },
	{ "bound by its owner, no container, others: deny", NULL, &foreign, NULL, OTHER,
	  VIPC_R_NO_GRANT },
	{ "bound by its owner, no container, others: allow", NULL, &public, NULL, OTHER,
	  VIPC_R_PUBLIC },
	{ "impostor, no container, others: allow", NULL, &public, NULL, CALLER,
	  VIPC_R_IMPOSTOR },
	{ "bind: the owner", &deny_unknown, &own, NULL, BIND, VIPC_R_OWNER },
	{ "bind: a holder of bind", &allow_unknown, &foreign, &every, BIND, VIPC_R_GRANTED },
	{ "bind: connect is not bind", &allow_unknown, &foreign, &conn_send, BIND,
	  VIPC_R_NO_PERM },
	{ "bind: no grant", &allow_unknown, &foreign, NULL, BIND, VIPC_R_NO_GRANT },
	{ "bind: unconfined squatter", NULL, &foreign, NULL, BIND, VIPC_R_NO_GRANT },
	{ "bind: unconfined squatter, others: allow", NULL, &public, NULL, BIND,
	  VIPC_R_NO_GRANT },
	{ "bind: an unregistered name, unknown deny", &deny_unknown, NULL, NULL, BIND,
	  VIPC_R_UNKNOWN_ALLOW },
	{ "bind: an unregistered name, unconfined", NULL, NULL, NULL, BIND, VIPC_R_UNCONFINED },
	{ "bind: an unregistered name, held", &held, NULL, NULL, BIND, VIPC_R_HELD },
	{ "held, bound by its owner", &held, &foreign, &every, OTHER, VIPC_R_HELD },
};

#define NR_PEER_CASES (sizeof(peer_cases) / sizeof(peer_cases[0]))

static enum vipc_reason peer_decide(const struct peer_case *c)
{
	if (c->bound_owner == BIND)
		return vipc_decide_bind(c->caller, c->ep, c->grant);
	return vipc_decide_peer(c->caller, c->ep, c->grant, CONNECT, c->bound_owner);
}

Test(decide, peer_and_bind_cases_give_their_reason)
{
	enum vipc_reason got;
	size_t i;

	for (i = 0; i < NR_PEER_CASES; i++) {
		got = peer_decide(&peer_cases[i]);
		cr_expect_eq(got, peer_cases[i].want, "%s: got reason %d", peer_cases[i].what, got);
	}
}

/* Channel admission: (reason so far, endpoint, live connections) -> reason. */
struct capacity_case {
	const char *what;
	enum vipc_reason in;
	const struct vipc_endpoint *ep;
	__u64 live;
	enum vipc_reason want;
};

static const struct capacity_case capacity_cases[] = {
	{ "room left", VIPC_R_GRANTED, &channel, 1, VIPC_R_GRANTED },
	{ "at capacity", VIPC_R_GRANTED, &channel, 2, VIPC_R_FULL },
	{ "over capacity", VIPC_R_GRANTED, &channel, 3, VIPC_R_FULL },
	{ "unbounded endpoint", VIPC_R_GRANTED, &foreign, 1000, VIPC_R_GRANTED },
	{ "the owner takes no place", VIPC_R_OWNER, &channel, 2, VIPC_R_OWNER },
	{ "a deny stays that deny", VIPC_R_NO_GRANT, &channel, 2, VIPC_R_NO_GRANT },
	{ "unknown endpoint", VIPC_R_UNKNOWN_ALLOW, NULL, 2, VIPC_R_UNKNOWN_ALLOW },
};

#define NR_CAPACITY_CASES (sizeof(capacity_cases) / sizeof(capacity_cases[0]))

Test(decide, capacity_cases_give_their_reason)
{
	const struct capacity_case *c;
	size_t i;

	for (i = 0; i < NR_CAPACITY_CASES; i++) {
		c = &capacity_cases[i];
		cr_expect_eq(vipc_decide_capacity(c->in, c->ep, c->live), c->want, "%s", c->what);
		cr_expect_eq(!!vipc_takes_place(c->in, c->ep),
			     c->ep && c->ep->capacity && c->in == VIPC_R_GRANTED, "%s", c->what);
	}
}

Test(decide, each_case_gives_its_reason)
{
	const struct decide_case *c;
	enum vipc_reason got;
	size_t i;

	for (i = 0; i < NR_DECIDE_CASES; i++) {
		c = &decide_cases[i];
		got = vipc_decide(c->caller, c->ep, c->grant, c->perm);
		cr_expect_eq(got, c->want, "%s: got reason %d, want %d", c->what, got, c->want);
	}
}

Test(decide, cases_cover_every_reason)
{
	int seen[VIPC_R__COUNT] = {};
	size_t i;
	int r;

	for (i = 0; i < NR_DECIDE_CASES; i++)
		seen[decide_cases[i].want] = 1;
	for (i = 0; i < NR_PEER_CASES; i++)
		seen[peer_cases[i].want] = 1;
	for (i = 0; i < NR_CAPACITY_CASES; i++)
		seen[capacity_cases[i].want] = 1;
	for (r = 0; r < VIPC_R__COUNT; r++)
		cr_expect(seen[r], "no case yields reason %d", r);
}

struct needs_case {
	const char *what;
	const struct vipc_principal *caller;
	const struct vipc_endpoint *ep;
	int want;
};

static const struct needs_case needs_cases[] = {
	{ "no principal", NULL, &foreign, 0 },
	{ "no principal, no endpoint", NULL, NULL, 0 },
	{ "unknown endpoint", &allow_unknown, NULL, 0 },
	{ "caller owns the endpoint", &allow_unknown, &own, 0 },
	{ "another container's endpoint", &allow_unknown, &foreign, 1 },
};

Test(decide, grant_lookup_only_for_a_foreign_endpoint)
{
	const struct needs_case *c;
	size_t i;

	for (i = 0; i < sizeof(needs_cases) / sizeof(needs_cases[0]); i++) {
		c = &needs_cases[i];
		cr_expect_eq(!!vipc_needs_grant(c->caller, c->ep), c->want, "%s", c->what);
	}
}

Test(decide, deny_reasons_are_exactly_the_deny_ones)
{
	int r;

	for (r = 0; r < VIPC_R__COUNT; r++)
		cr_expect_eq(!!vipc_reason_denies(r), denies[r], "reason %d", r);
}

Test(decide, enforce_mode_lets_only_allow_reasons_through)
{
	const struct vipc_principal p = { .id = CALLER, .mode = VIPC_MODE_ENFORCE };
	int r;

	for (r = 0; r < VIPC_R__COUNT; r++)
		cr_expect_eq(!!vipc_verdict_allows(&p, &foreign, r, CONNECT), !denies[r],
			     "reason %d", r);
}

Test(decide, audit_mode_lets_every_reason_but_a_hold_through)
{
	const struct vipc_principal p = { .id = CALLER, .mode = VIPC_MODE_AUDIT };
	int r;

	for (r = 0; r < VIPC_R__COUNT; r++)
		cr_expect_eq(!!vipc_verdict_allows(&p, &foreign, r, CONNECT), r != VIPC_R_HELD,
			     "reason %d", r);
}

/* A caller no container holds: the endpoint's others decide, not a mode. */
Test(decide, no_container_gets_what_the_endpoint_gives_others)
{
	cr_expect(!vipc_verdict_allows(NULL, &foreign, vipc_decide(NULL, &foreign, NULL, CONNECT),
				       CONNECT));
	cr_expect(vipc_verdict_allows(NULL, &public, vipc_decide(NULL, &public, NULL, CONNECT),
				      CONNECT));
	cr_expect(vipc_verdict_allows(NULL, &audited, vipc_decide(NULL, &audited, NULL, SEND),
				      SEND));
	cr_expect(vipc_verdict_allows(NULL, NULL, vipc_decide(NULL, NULL, NULL, CONNECT), CONNECT));
}

/* `others: audit` audits only what `others: deny` refuses a connect or
 * send for: an impostor, a squat and a hold stay denied.
 */
Test(decide, others_audit_lets_no_impostor_or_squat_through)
{
	cr_expect(!vipc_verdict_allows(NULL, &audited, VIPC_R_IMPOSTOR, CONNECT));
	cr_expect(!vipc_verdict_allows(NULL, &audited, VIPC_R_NO_GRANT, VIPC_PERM_BIND));
	cr_expect(!vipc_verdict_allows(NULL, &public, VIPC_R_NO_GRANT, VIPC_PERM_BIND));
	cr_expect(!vipc_verdict_allows(NULL, &public, VIPC_R_IMPOSTOR, CONNECT));
	cr_expect(!vipc_verdict_allows(NULL, &foreign, VIPC_R_NO_GRANT, CONNECT));
	cr_expect(vipc_verdict_allows(NULL, &audited, VIPC_R_NO_GRANT,
				      SEND | VIPC_PERM_PASS_FD));
}

/* A name is its endpoint in its owner's homes, and wherever nothing of its
 * kind was learned, the kind is full, or the place is unknown (fail closed);
 * elsewhere it is not.
 */
Test(decide, a_name_is_its_endpoint_only_in_its_owners_homes)
{
	const __u32 path = VIPC_KIND_UNIX_PATH, abs = VIPC_KIND_UNIX_ABSTRACT;
	struct vipc_home h = { .at = { { vipc_dir_place(12, 34) }, { 77, 78 } } };

	cr_expect(vipc_home_is(NULL, abs, 99), "nothing learned");
	cr_expect(vipc_home_is(&h, abs, 0), "an unknown place");
	cr_expect(vipc_home_is(&h, abs, 78));
	cr_expect(!vipc_home_is(&h, abs, 99), "another network namespace");
	cr_expect(vipc_home_is(&h, path, vipc_dir_place(12, 34)));
	cr_expect(!vipc_home_is(&h, path, vipc_dir_place(12, 35)), "another device");
	cr_expect(!vipc_home_is(&h, path, vipc_dir_place(13, 34)), "another directory");
	h.full = 1ULL << (path - 1);
	cr_expect(vipc_home_is(&h, path, vipc_dir_place(13, 34)), "more directories than fit");
	cr_expect(!vipc_home_is(&h, abs, 99), "only that kind is full");
	h.at[abs - 1][0] = 0;
	cr_expect(vipc_home_is(&h, abs, 99), "no namespace learned");
}
