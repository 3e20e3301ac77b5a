// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* top's pure parts: rows summed per container and endpoint, the broker's
 * rows kept per endpoint, rates between two snapshots, the display order,
 * and the text of rates, rows and names cut to a column.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "top.h"

/* One decision row of (@container, @endpoint) with @verdict and @count. */
static void add(struct vipc_top_snap *s, __u32 container, __u32 endpoint, int verdict,
		__u64 count)
{
	struct vipc_decision d = { .key = { .container = container, .endpoint = endpoint,
					    .verdict = verdict }, .count = count };
	char c[16], e[16];

	snprintf(c, sizeof(c), "c%u", container);
	snprintf(e, sizeof(e), "e%u", endpoint);
	cr_assert_eq(vipc_top_add(s, &d, c, e), 0);
}

Test(toprows, rows_of_one_pair_sum_by_verdict)
{
	struct vipc_top_snap s = {};

	add(&s, 2, 1, VIPC_V_ALLOW, 3);
	add(&s, 2, 1, VIPC_V_ALLOW, 4); /* another hook or reason */
	add(&s, 2, 1, VIPC_V_DENY, 5);
	add(&s, 3, 1, VIPC_V_AUDIT, 6);
	add(&s, 2, 1, VIPC_V_DENY, 1); /* out of order: merged by vipc_top_index */
	vipc_top_index(&s);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.v[0].container, 2);
	cr_assert_eq(s.v[0].total[VIPC_V_ALLOW], 7);
	cr_assert_eq(s.v[0].total[VIPC_V_DENY], 6);
	cr_assert_eq(s.v[0].total[VIPC_V_AUDIT], 0);
	cr_assert_str_eq(s.v[0].container_name, "c2");
	cr_assert_str_eq(s.v[0].endpoint_name, "e1");
	cr_assert_eq(s.v[1].total[VIPC_V_AUDIT], 6);
	vipc_top_free(&s);
}

Test(toprows, rates_are_per_second_between_snapshots)
{
	struct vipc_top_snap prev = { .at_ms = 1000 }, cur = { .at_ms = 3000 };

	/* Phase 1: the first snapshot has no rates. */
	add(&prev, 2, 1, VIPC_V_DENY, 10);
	add(&prev, 4, 1, VIPC_V_ALLOW, 50);
	vipc_top_index(&prev);
	vipc_top_rates(&prev, NULL);
	cr_assert_eq(prev.elapsed_ms, 0);
	cr_assert_eq(prev.v[0].rate[VIPC_V_DENY], 0);

	/* Phase 2: 2 s later: a count that grew, a new row, one that went down. */
	add(&cur, 2, 1, VIPC_V_DENY, 30);
	add(&cur, 3, 1, VIPC_V_ALLOW, 5);
	add(&cur, 4, 1, VIPC_V_ALLOW, 8);
	vipc_top_index(&cur);
	vipc_top_sort(&prev, VIPC_TOP_NAME); /* rates re-sort prev by id */
	vipc_top_rates(&cur, &prev);
	cr_assert_eq(cur.elapsed_ms, 2000);
	cr_assert_float_eq(cur.v[0].rate[VIPC_V_DENY], 10.0, 1e-9);
	cr_assert_float_eq(cur.v[0].rate[VIPC_V_ALLOW], 0.0, 1e-9);
	cr_assert_float_eq(cur.v[1].rate[VIPC_V_ALLOW], 2.5, 1e-9, "new: all in the interval");
	cr_assert_float_eq(cur.v[2].rate[VIPC_V_ALLOW], 4.0, 1e-9, "went down: counted from 0");
	vipc_top_free(&prev);
	vipc_top_free(&cur);
}

/* Rows c2/e1, c3/e1, c4/e1, c5/e1 with these deny rates and totals. */
static void four_rows(struct vipc_top_snap *s)
{
	static const struct { double deny_rate; __u64 denied, allowed; double allow_rate; } r[] = {
		{ 1.0, 9, 100, 50.0 }, { 3.0, 4, 0, 0 }, { 1.0, 20, 7, 2.0 }, { 0, 50, 1, 0 },
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		add(s, 2 + i, 1, VIPC_V_DENY, r[i].denied);
		add(s, 2 + i, 1, VIPC_V_ALLOW, r[i].allowed);
	}
	vipc_top_index(s);
	for (i = 0; i < 4; i++) {
		s->v[i].rate[VIPC_V_DENY] = r[i].deny_rate;
		s->v[i].rate[VIPC_V_ALLOW] = r[i].allow_rate;
	}
}

static void assert_order(const struct vipc_top_snap *s, const __u32 want[4], const char *by)
{
	size_t i;

	for (i = 0; i < 4; i++)
		cr_assert_eq(s->v[i].container, want[i], "by %s: row %zu is c%u", by, i,
			     s->v[i].container);
}

Test(toprows, rows_sort_by_rate_then_total_then_name)
{
	static const __u32 deny_rate[4] = { 3, 4, 2, 5 }, denied[4] = { 5, 4, 2, 3 },
			   allow_rate[4] = { 2, 4, 5, 3 }, name[4] = { 2, 3, 4, 5 };
	struct vipc_top_snap s = {};

	four_rows(&s);
	vipc_top_sort(&s, VIPC_TOP_DENY_RATE);
	assert_order(&s, deny_rate, "deny/s");
	vipc_top_sort(&s, VIPC_TOP_DENIED);
	assert_order(&s, denied, "denied");
	vipc_top_sort(&s, VIPC_TOP_ALLOW_RATE);
	assert_order(&s, allow_rate, "allow/s");
	vipc_top_sort(&s, VIPC_TOP_NAME);
	assert_order(&s, name, "name");
	cr_assert_str_eq(vipc_top_sort_name(VIPC_TOP_DENY_RATE), "deny/s");
	cr_assert_str_eq(vipc_top_sort_name(VIPC_TOP_NAME), "name");
	vipc_top_free(&s);
}

Test(toprows, rates_print_one_decimal_or_a_dash_when_unknown)
{
	char buf[32];

	vipc_top_rate_format(12.26, true, buf, sizeof(buf));
	cr_assert_str_eq(buf, "12.3");
	vipc_top_rate_format(0, true, buf, sizeof(buf));
	cr_assert_str_eq(buf, "0.0");
	vipc_top_rate_format(7, false, buf, sizeof(buf));
	cr_assert_str_eq(buf, "-");
}

Test(toprows, header_and_rows_line_up)
{
	struct vipc_top_snap s = { .elapsed_ms = 1000 };
	char line[640];

	add(&s, 2, 1, VIPC_V_ALLOW, 2);
	add(&s, 2, 1, VIPC_V_DENY, 1234567);
	vipc_top_index(&s);
	s.v[0].rate[VIPC_V_DENY] = 40.5;
	vipc_top_header(9, 8, line, sizeof(line));
	cr_assert_str_eq(line, "container endpoint   allow/s    deny/s   audit/s      allowed"
			       "       denied      audited");
	vipc_top_line(&s, 0, 9, 8, false, line, sizeof(line));
	cr_assert_str_eq(line, "c2        e1             0.0      40.5       0.0            2"
			       "      1234567            0");
	s.elapsed_ms = 0;
	vipc_top_line(&s, 0, 9, 8, false, line, sizeof(line));
	cr_assert_str_eq(line, "c2        e1               -         -         -            2"
			       "      1234567            0");
	vipc_top_free(&s);
}

Test(toprows, a_cut_name_ends_in_a_lone_backslash_and_keeps_escapes_whole)
{
	static const struct {
		const char *name;
		int width;
		const char *text;
	} cuts[] = {
		{ "short", 9, "short" },
		{ "exactly9c", 9, "exactly9c" },
		{ "a-longer-name", 9, "a-longer\\" },
		{ "ab\\x20cdef", 5, "ab\\" },	  /* the escape would be cut: dropped whole */
		{ "abcd\\x20ef", 9, "abcd\\x20\\" }, /* it fits: kept */
		{ "abcdefgh\\x20", 9, "abcdefgh\\" },
		{ "abc", 0, "" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		vipc_top_cut(cuts[i].name, cuts[i].width, buf, sizeof(buf));
		cr_expect_str_eq(buf, cuts[i].text, "%s in %d", cuts[i].name, cuts[i].width);
	}
}

Test(toprows, rows_of_a_line_are_cut_only_when_asked)
{
	struct vipc_top_snap s = {};
	struct vipc_decision d = { .key = { .container = 1, .endpoint = 2 }, .count = 1 };
	char line[640];

	cr_assert_eq(vipc_top_add(&s, &d, "a-very-long-container", "ep"), 0);
	vipc_top_line(&s, 0, 9, 8, true, line, sizeof(line));
	cr_assert(!strncmp(line, "a-very-l\\ ep      ", 18), "%s", line);
	vipc_top_line(&s, 0, 9, 8, false, line, sizeof(line));
	cr_assert(!strncmp(line, "a-very-long-container ep      ", 30), "%s", line);
	vipc_top_free(&s);
}

/* The broker's row of instance @index of @endpoint, at @path, with @sent
 * calls, and @index - 1 sockets bound (-1: unknown).
 */
static struct vipc_broker_row sent_row(const char *endpoint, __u32 index, const char *path,
				       __u64 sent)
{
	struct vipc_broker_row r = { .index = index, .sent = sent, .bound = (__s64)index - 1 };

	snprintf(r.endpoint, sizeof(r.endpoint), "%s", endpoint);
	snprintf(r.instance, sizeof(r.instance), "%s", path);
	return r;
}

Test(toprows, the_broker_rows_are_the_endpoints_it_sent_calls_to_with_every_instance)
{
	const struct vipc_broker_row rows[] = {
		sent_row("a", 0, "/a0", 0), sent_row("a", 1, "/a1", 0), sent_row("b", 0, "/b0", 0),
		sent_row("b", 1, "/b1", 3), sent_row("c", 0, "@c", 0),	sent_row("d", 0, "/d", 1),
	};
	struct vipc_top_snap s = {};

	cr_assert_eq(vipc_top_broker(&s, rows, 6), 0);
	cr_assert_eq(s.nb, 3);
	cr_assert_str_eq(s.b[0].row.instance, "/b0", "an instance sent nothing: still shown");
	cr_assert_str_eq(s.b[1].row.instance, "/b1");
	cr_assert_str_eq(s.b[2].row.instance, "/d");
	cr_assert_eq(vipc_top_broker(&s, rows, 3), 0);
	cr_assert_eq(s.nb, 0, "read again: the rows of this snapshot only");
	vipc_top_free(&s);
}

Test(toprows, the_broker_rates_are_per_instance_between_snapshots)
{
	const struct vipc_broker_row was[] = { sent_row("b", 0, "/b0", 10),
					       sent_row("b", 1, "/b1", 9) };
	const struct vipc_broker_row now[] = { sent_row("a", 0, "/a", 4),
					       sent_row("b", 0, "/b0", 30),
					       sent_row("b", 1, "/b1", 1) };
	struct vipc_top_snap prev = { .at_ms = 1000 }, cur = { .at_ms = 3000 };
	char line[640];

	cr_assert_eq(vipc_top_broker(&prev, was, 2), 0);
	vipc_top_rates(&prev, NULL);
	cr_assert_eq(vipc_top_broker(&cur, now, 3), 0);
	vipc_top_rates(&cur, &prev);
	cr_assert_float_eq(cur.b[0].rate, 2.0, 1e-9, "new: all in the interval");
	cr_assert_float_eq(cur.b[1].rate, 10.0, 1e-9);
	cr_assert_float_eq(cur.b[2].rate, 0.5, 1e-9, "went down: counted from 0");
	vipc_top_broker_header(8, 9, line, sizeof(line));
	cr_assert_str_eq(line, "endpoint instance     sent/s         sent  bound");
	vipc_top_broker_line(&cur, 1, 8, 9, false, line, sizeof(line));
	cr_assert_str_eq(line, "b        /b0            10.0           30      -");
	vipc_top_broker_line(&prev, 1, 8, 2, true, line, sizeof(line));
	cr_assert_str_eq(line, "b        /\\         -            9      0");
	vipc_top_free(&prev);
	vipc_top_free(&cur);
}
