// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* No capability, no access, for every caller: a registered endpoint is
 * reached by its owner and its grant holders, and by a caller no container
 * holds (a container the policy does not list, a host process, the root
 * cgroup) only as the endpoint's `others:` says. Real runc containers, a
 * small HTTP server on a UNIX socket (socat) and a client nobody here wrote
 * (curl), on either backend; the errno, the counters and the events; and
 * `suggest` turning an audited stranger into a listed, granted container.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "fixture.h"
#include "scene.h"

TestSuite(protect, .init = s_init, .fini = s_fini, .timeout = 180);

/* The HTTP endpoint: socat answering every connection on a host path. */
static char http_sock[256];

#define HTTP_ENDPOINT(others) "  http: { owner: srv, unix: %s" others " }\n"
#define HTTP_GRANT "  - { container: cli, endpoint: http, allow: [connect] }\n"

/* The usual scene with `http` (its `others:` as @others, "" for the
 * default) and @defaults (a `defaults:` line or ""), cli granted.
 */
static const char *policy(const char *others, const char *defaults)
{
	static char yaml[4096];

	snprintf(http_sock, sizeof(http_sock), "%s/http.sock", sc.shared);
	snprintf(yaml, sizeof(yaml),
		 "version: 1\n%s" S_CONTAINERS S_ENDPOINTS "  http: { owner: srv, unix: %s%s }\n"
		 S_GRANTS HTTP_GRANT,
		 defaults, http_sock, others);
	return yaml;
}

/* socat serving HTTP on the endpoint's path, as srv. */
static void http_serve(void)
{
	s_http_serve(http_sock);
}

/* curl to the HTTP endpoint from cgroup @rel (NULL: this process's, the
 * root here): the HTTP status it printed ("200", or "000" when it could
 * not connect), with curl's exit status in *@rc.
 */
static const char *curl_from(const char *rel, int *rc)
{
	static char out[256];
	const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
			       "--max-time", "10", "--unix-socket", http_sock, "http://vipc/", NULL };

	*rc = h_run_cg(rel, argv, out, sizeof(out));
	return out;
}

#define CURL_OK(rel)                                                                     \
	do {                                                                             \
		int rc_;                                                                 \
		const char *st_ = curl_from(rel, &rc_);                                  \
		cr_assert_eq(rc_, 0, "curl from %s: %s", *(rel) ? (rel) : "the root cgroup", st_); \
		cr_assert_str_eq(st_, "200");                                            \
	} while (0)

/* curl exits 7 when it cannot connect: here, connect(2) failed with EPERM. */
#define CURL_REFUSED(rel)                                                                \
	do {                                                                             \
		int rc_;                                                                 \
		const char *st_ = curl_from(rel, &rc_);                                  \
		cr_assert_eq(rc_, 7, "curl from %s: %s (exit %d)", *(rel) ? (rel) : "the root cgroup", \
			     st_, rc_);                                                  \
	} while (0)

/* A runc container whose cgroup no container of the policy selects, started
 * after the policy: refused on every registered endpoint, counted, evented
 * with its cgroup's path; names nobody registered stay free to it.
 */
Test(protect, an_unlisted_container_started_after_the_policy_is_refused)
{
	struct h_container_opts o = { .name = "late", .cgroup = "vipc-test/late",
				      .shared_dir = NULL };
	struct h_container *late;
	unsigned long long denied;

	s_start(S_POLICY, 0);
	s_listen(S_SOCK, NULL);
	o.shared_dir = sc.shared;
	late = h_container_start(&o);
	cr_assert_not_null(late);
	denied = v_stat("denied_no_grant");
	cr_assert_eq(h_container_exec(late, (const char *[]){ V_PROBE, "connect", S_SOCK, NULL },
				      NULL, 0), EPERM);
	cr_assert_eq(v_stat("denied_no_grant"), denied + 1);
	/* The event: no container ("-"), and the cgroup it came from. */
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "10", NULL), 0,
		     "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"-\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"cgroup\":\"/vipc-test/late\""), "%s", v_out);
	cr_assert(strstr(v_out, "\"reason\":\"no-grant\""), "%s", v_out);
	/* The per-container counters: container "-", endpoint sock. */
	cr_assert_eq(v_loader("stats", "--by-container", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"-\",\"container_id\":0,\"endpoint\":\"sock\""),
		  "%s", v_out);
	/* A name nobody registered: not confined, as before. */
	s_listen("/shared/free.sock", NULL);
	cr_assert_eq(h_container_exec(late, (const char *[]){ V_PROBE, "connect",
							      "/shared/free.sock", NULL },
				      NULL, 0), 0);
	cr_assert_eq(s_probe(sc.cli, "connect", S_SOCK, NULL), 0, "the granted container still is");
}

/* Host processes and the scene's containers against the HTTP endpoint:
 * the grant holder is served; a listed container without a grant, a
 * process in a cgroup nobody lists and one in the root cgroup are not.
 */
Test(protect, only_the_granted_container_is_served_over_http)
{
	unsigned long long denied;

	s_start(policy("", ""), 0);
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	CURL_OK("vipc-test/cli");
	denied = v_stat("denied_no_grant");
	CURL_REFUSED("vipc-test/bad");
	CURL_REFUSED("vipc-test/stranger");
	CURL_REFUSED("");
	cr_assert_eq(v_stat("denied_no_grant"), denied + 3);
	/* The owner reaches it, of course. */
	CURL_OK("vipc-test/srv");
}

/* `others: allow`: public to callers no container holds; a listed container
 * still needs its grant.
 */
Test(protect, others_allow_opens_the_endpoint_to_unlisted_callers_only)
{
	s_start(policy(", others: allow", ""), 0);
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	CURL_OK("vipc-test/stranger");
	CURL_OK("");
	/* Counted per endpoint, as no container ("-"): a bounded label set. */
	cr_assert_eq(v_loader("stats", "--by-container", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"container\":\"-\",\"container_id\":0,\"endpoint\":\"http\","
			 "\"endpoint_id\":4,\"hook\":\"") &&
		  strstr(v_out, "\"verdict\":\"allow\",\"reason\":\"public\",\"count\":2"),
		  "%s", v_out);
	CURL_REFUSED("vipc-test/bad");
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/stranger", "http", "connect", NULL),
		     0, "%s", v_out);
	cr_assert_str_eq(v_out, "allow (public), no container\n");
}

/* A policy from before `others:` keeps its meaning with defaults: { others:
 * allow }; without it, the load says which endpoints it closed.
 */
Test(protect, the_load_names_the_endpoints_closed_by_default)
{
	s_start(policy("", ""), 0);
	cr_assert_eq(v_loader("reload", "-c", v_policy_file(policy("", "")), NULL), 0, "%s",
		     v_out);
	cr_assert(strstr(v_out, "4 endpoints closed to callers no container holds (others: deny, "
			 "the default): sock, dgram, abs, http;"), "%s", v_out);
	cr_assert_eq(v_loader("reload", "-c",
			      v_policy_file(policy("", "defaults: { others: allow }\n")), NULL),
		     0, "%s", v_out);
	cr_assert_null(strstr(v_out, "closed to callers"), "%s", v_out);
	http_serve();
	CURL_OK("");
	cr_assert_eq(v_loader("endpoint", "ls", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "others allow"), "%s", v_out);
	cr_assert_eq(v_loader("status", "--json", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\"others\":{\"deny\":0,\"allow\":4,\"audit\":0}"), "%s", v_out);
}

/* `check --cgroup`: the decision for any cgroup, listed or not. */
Test(protect, check_decides_for_any_cgroup)
{
	s_start(S_POLICY, 0);
	cr_assert_eq(h_cgroup_make("vipc-test/cli/deeper"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/cli/deeper", "sock", "connect",
			      NULL), 0, "%s", v_out);
	cr_assert_str_eq(v_out, "allow (granted), container cli\n");
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/stranger", "sock", "connect", NULL),
		     VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert_str_eq(v_out, "deny (no-grant), no container\n");
	cr_assert_eq(v_loader("check", "--cgroup", "/", "sock", "connect", "--json", NULL),
		     VIPC_EXIT_DENIED, "%s", v_out);
	cr_assert(strstr(v_out, "\"allowed\":false") && strstr(v_out, "\"container\":null"),
		  "%s", v_out);
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/stranger", "nosuch.sock", "connect",
			      NULL), VIPC_EXIT_OK, "%s", v_out);
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/nosuch", "sock", "connect", NULL),
		     VIPC_EXIT_NOT_FOUND, "%s", v_out);
}

/* The whole loop for a caller no container holds: `others: audit` lets a
 * host process in an unlisted cgroup through and reports it with its
 * cgroup; `suggest --policy` makes that cgroup a container with its grant;
 * with `others: deny` in that output, the stranger is still served, being
 * listed and granted, and another unlisted cgroup is refused.
 */
Test(protect, suggest_turns_an_audited_stranger_into_a_granted_container)
{
	char log[PATH_MAX], pol[PATH_MAX], next[16384], *others;
	unsigned long long audited, denied;

	/* Phase 1: let through, counted as a would-deny and evented with its cgroup. */
	s_start(policy(", others: audit", ""), 0);
	snprintf(pol, sizeof(pol), "%s", v_tmp_file("policy.yaml", policy(", others: audit", "")));
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	audited = v_stat("audited");
	CURL_OK("vipc-test/stranger");
	cr_assert_eq(v_stat("audited"), audited + 1);
	cr_assert_eq(v_loader("events", "--json", "--count", "1", "--timeout", "10", NULL), 0,
		     "%s", v_out);
	cr_assert(strstr(v_out, "\"type\":\"would-deny\"") &&
		  strstr(v_out, "\"verdict\":\"audit\"") &&
		  strstr(v_out, "\"cgroup\":\"/vipc-test/stranger\""), "%s", v_out);
	snprintf(log, sizeof(log), "%s", v_tmp_file("audit.jsonl", v_out));

	/* Phase 2: suggest makes the cgroup a container and grants it. */
	cr_assert_eq(v_loader("suggest", "--from", log, "--policy", pol, NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "\n  stranger: {cgroup: /vipc-test/stranger}\n"), "%s", v_out);
	cr_assert(strstr(v_out, "\n- {container: stranger, endpoint: http, allow: [connect]}\n"),
		  "%s", v_out);

	/* Phase 3: the reviewer closes the endpoint to others, and applies it. */
	others = strstr(v_out, "others: audit");
	cr_assert_not_null(others, "%s", v_out);
	snprintf(next, sizeof(next), "%.*sothers: deny%s", (int)(others - v_out), v_out,
		 others + strlen("others: audit"));
	cr_assert_eq(v_loader("reload", "-c", v_tmp_file("next.yaml", next), NULL), 0, "%s", v_out);

	/* Phase 4: the stranger, now listed and granted, is served; another is refused. */
	CURL_OK("vipc-test/stranger");
	cr_assert_eq(v_loader("check", "--cgroup", "vipc-test/stranger", "http", "connect", NULL),
		     0, "%s", v_out);
	cr_assert_str_eq(v_out, "allow (granted), container stranger\n");
	cr_assert_eq(h_cgroup_make("vipc-test/other"), 0);
	denied = v_stat("denied_no_grant");
	CURL_REFUSED("vipc-test/other");
	cr_assert_eq(v_stat("denied_no_grant"), denied + 1);
}

/* Live, against the loaded registry: the ring buffer's would-deny carries
 * the cgroup, and the fragment has the container to add with its grant.
 */
Test(protect, live_suggest_lists_the_container_a_stranger_becomes)
{
	s_start(policy(", others: audit", ""), 0);
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	CURL_OK("vipc-test/stranger");
	cr_assert_eq(v_loader("suggest", "--timeout", "2", NULL), 0, "%s", v_out);
	cr_assert(strstr(v_out, "#   stranger: cgroup /vipc-test/stranger\n"), "%s", v_out);
	cr_assert(strstr(v_out, "\ncontainers:\n"
				"  stranger: {cgroup: /vipc-test/stranger}\n"
				"grants:\n"
				"- {container: stranger, endpoint: http, allow: [connect]}\n"),
		  "%s", v_out);
}

/* Each cgroup of callers no container holds is its own key of the deny
 * events: two strangers within one interval are two events, each with its
 * cgroup, not one event and a count under the first one's cgroup.
 */
Test(protect, each_unlisted_cgroup_is_reported_within_one_interval)
{
	s_start(policy("", "events: { rate: 60s }\n"), 0);
	http_serve();
	cr_assert_eq(h_cgroup_make("vipc-test/stranger"), 0);
	cr_assert_eq(h_cgroup_make("vipc-test/other"), 0);
	CURL_REFUSED("vipc-test/stranger");
	CURL_REFUSED("vipc-test/other");
	cr_assert_eq(v_loader("events", "--json", "--count", "2", "--timeout", "5", NULL), 0,
		     "%s", v_out);
	cr_assert(strstr(v_out, "\"cgroup\":\"/vipc-test/stranger\"") &&
		  strstr(v_out, "\"cgroup\":\"/vipc-test/other\""), "%s", v_out);
}
