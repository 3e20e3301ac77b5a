// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* `vipc-loader top`: the rows of vipc_decisions_read_named summed per
 * container and endpoint, and the broker's rows (vipc_broker_read) of the
 * endpoints it sent calls to, rates per second between two snapshots;
 * shown on a screen redrawn in place with ncurses, or printed as plain
 * lines (or JSON documents) when stdout is not a terminal.
 */
#include <curses.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "jsonout.h"
#include "log.h"
#include "stream.h"
#include "grow.h"
#include "table.h"
#include "top.h"

#define HINT "no decisions counted yet: a row appears with a container's first connect or " \
	     "send (never when vipc was loaded with --no-decisions)"

/* ---- the rows ---- */

static const struct sort {
	const char *name;
	int verdict; /* enum vipc_outcome; -1: by name only */
	bool rate;   /* its rate first, then its total */
} sorts[VIPC_TOP__SORTS] = {
	[VIPC_TOP_DENY_RATE] = { "deny/s", VIPC_V_DENY, true },
	[VIPC_TOP_ALLOW_RATE] = { "allow/s", VIPC_V_ALLOW, true },
	[VIPC_TOP_AUDIT_RATE] = { "audit/s", VIPC_V_AUDIT, true },
	[VIPC_TOP_DENIED] = { "denied", VIPC_V_DENY, false },
	[VIPC_TOP_NAME] = { "name", -1, false },
};

const char *vipc_top_sort_name(enum vipc_top_sort by)
{
	return by < VIPC_TOP__SORTS ? sorts[by].name : "?";
}

int vipc_top_add(struct vipc_top_snap *s, const struct vipc_decision *d, const char *container,
		 const char *endpoint)
{
	struct vipc_top_row *r = s->n ? &s->v[s->n - 1] : NULL;
	void *v;

	if (!r || r->container != d->key.container || r->endpoint != d->key.endpoint) {
		v = vipc_grow(s->v, s->n, &s->cap, sizeof(*s->v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		r = memset(&s->v[s->n++], 0, sizeof(*r));
		r->container = d->key.container;
		r->endpoint = d->key.endpoint;
		snprintf(r->container_name, sizeof(r->container_name), "%s", container);
		snprintf(r->endpoint_name, sizeof(r->endpoint_name), "%s", endpoint);
	}
	if (d->key.verdict < VIPC_V__COUNT)
		r->total[d->key.verdict] += d->count;
	return 0;
}

int vipc_top_broker(struct vipc_top_snap *s, const struct vipc_broker_row *rows, size_t n)
{
	size_t i, j, end;
	__u64 sent;
	void *v;

	s->nb = 0;
	for (i = 0; i < n; i = end) {
		/* Phase 1: an endpoint's instances (its rows follow each other), its calls. */
		for (end = i, sent = 0; end < n && !strcmp(rows[end].endpoint, rows[i].endpoint);
		     end++)
			sent += rows[end].sent;
		/* Phase 2: an endpoint the broker sent calls to, whole; rates unknown yet. */
		for (j = i; sent && j < end; j++) {
			v = vipc_grow(s->b, s->nb, &s->bcap, sizeof(*s->b));
			if (!v)
				return -ENOMEM;
			s->b = v;
			s->b[s->nb++] = (struct vipc_top_sent){ .row = rows[j] };
		}
	}
	return 0;
}

static int u32_cmp(__u32 a, __u32 b)
{
	return (a > b) - (a < b);
}

static int pair_cmp(const void *x, const void *y)
{
	const struct vipc_top_row *a = x, *b = y;

	return u32_cmp(a->container, b->container) ?: u32_cmp(a->endpoint, b->endpoint);
}

void vipc_top_index(struct vipc_top_snap *s)
{
	size_t i, n = 0;
	int v;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), pair_cmp);
	for (i = 0; i < s->n; i++) {
		if (n && !pair_cmp(&s->v[i], &s->v[n - 1]))
			for (v = 0; v < VIPC_V__COUNT; v++)
				s->v[n - 1].total[v] += s->v[i].total[v];
		else
			s->v[n++] = s->v[i];
	}
	s->n = n;
}

/* Per second over @elapsed_ms, from @was (0 when none, or above @now). */
static double rate_of(__u64 now, const __u64 *was, __u64 elapsed_ms)
{
	return (now - (was && *was <= now ? *was : 0)) * 1000.0 / elapsed_ms;
}

static int sent_cmp(const void *x, const void *y)
{
	const struct vipc_top_sent *a = x, *b = y;

	return vipc_broker_row_cmp(&a->row, &b->row);
}

void vipc_top_rates(struct vipc_top_snap *cur, struct vipc_top_snap *prev)
{
	const struct vipc_top_sent *sent;
	const struct vipc_top_row *old;
	struct vipc_top_row *r;
	size_t i;
	int v;

	cur->elapsed_ms = prev && cur->at_ms > prev->at_ms ? cur->at_ms - prev->at_ms : 0;
	if (!cur->elapsed_ms)
		return; /* the rates stay 0, as vipc_top_add made them */
	/* Phase 1: each pair's, by verdict. */
	if (prev->n)
		qsort(prev->v, prev->n, sizeof(*prev->v), pair_cmp);
	for (i = 0, r = cur->v; i < cur->n; i++, r++) {
		old = prev->n ? bsearch(r, prev->v, prev->n, sizeof(*prev->v), pair_cmp) : NULL;
		for (v = 0; v < VIPC_V__COUNT; v++)
			r->rate[v] = rate_of(r->total[v], old ? &old->total[v] : NULL,
					     cur->elapsed_ms);
	}
	/* Phase 2: each instance's (the broker's rows stay in their order). */
	for (i = 0; i < cur->nb; i++) {
		sent = prev->nb ? bsearch(&cur->b[i], prev->b, prev->nb, sizeof(*prev->b),
					  sent_cmp) : NULL;
		cur->b[i].rate = rate_of(cur->b[i].row.sent, sent ? &sent->row.sent : NULL,
					 cur->elapsed_ms);
	}
}

static int desc_u64(__u64 a, __u64 b)
{
	return (a < b) - (a > b);
}

static int desc_double(double a, double b)
{
	return (a < b) - (a > b);
}

static int row_cmp(const void *x, const void *y, void *arg)
{
	const struct vipc_top_row *a = x, *b = y;
	const struct sort *by = arg;
	int c = 0;

	if (by->verdict >= 0 && by->rate)
		c = desc_double(a->rate[by->verdict], b->rate[by->verdict]);
	if (!c && by->verdict >= 0)
		c = desc_u64(a->total[by->verdict], b->total[by->verdict]);
	return c ?: strcmp(a->container_name, b->container_name) ?:
		    strcmp(a->endpoint_name, b->endpoint_name) ?: pair_cmp(a, b);
}

void vipc_top_sort(struct vipc_top_snap *s, enum vipc_top_sort by)
{
	if (s->n && by < VIPC_TOP__SORTS)
		qsort_r(s->v, s->n, sizeof(*s->v), row_cmp, (void *)&sorts[by]);
}

void vipc_top_free(struct vipc_top_snap *s)
{
	free(s->v);
	free(s->b);
	memset(s, 0, sizeof(*s));
}

/* ---- text ---- */

void vipc_top_rate_format(double rate, bool known, char *buf, size_t size)
{
	if (known)
		snprintf(buf, size, "%.1f", rate);
	else
		snprintf(buf, size, "-");
}

void vipc_top_cut(const char *name, int width, char *buf, size_t size)
{
	size_t len = strlen(name), keep, i;

	if (width < 0 || len <= (size_t)width) {
		snprintf(buf, size, "%s", name);
		return;
	}
	/* An escape is '\' and three more: one starting in the last three kept is cut off. */
	keep = width ? width - 1 : 0;
	for (i = keep > 3 ? keep - 3 : 0; i < keep; i++)
		if (name[i] == '\\') {
			keep = i;
			break;
		}
	snprintf(buf, size, "%.*s%s", (int)keep, name, width ? "\\" : "");
}

void vipc_top_header(int cw, int ew, char *buf, size_t size)
{
	snprintf(buf, size, "%-*s %-*s %9s %9s %9s %12s %12s %12s", cw, "container", ew, "endpoint",
		 "allow/s", "deny/s", "audit/s", "allowed", "denied", "audited");
}

void vipc_top_line(const struct vipc_top_snap *s, size_t i, int cw, int ew, bool cut, char *buf,
		   size_t size)
{
	char c[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)], e[VIPC_TEXT_SIZE(VIPC_LABEL_MAX)];
	const struct vipc_top_row *r = &s->v[i];
	char rate[VIPC_V__COUNT][32];
	int v;

	vipc_top_cut(r->container_name, cut ? cw : -1, c, sizeof(c));
	vipc_top_cut(r->endpoint_name, cut ? ew : -1, e, sizeof(e));
	for (v = 0; v < VIPC_V__COUNT; v++)
		vipc_top_rate_format(r->rate[v], s->elapsed_ms, rate[v], sizeof(rate[v]));
	snprintf(buf, size, "%-*s %-*s %9s %9s %9s %12llu %12llu %12llu", cw, c, ew, e,
		 rate[VIPC_V_ALLOW], rate[VIPC_V_DENY], rate[VIPC_V_AUDIT],
		 (unsigned long long)r->total[VIPC_V_ALLOW],
		 (unsigned long long)r->total[VIPC_V_DENY],
		 (unsigned long long)r->total[VIPC_V_AUDIT]);
}

void vipc_top_broker_header(int ew, int iw, char *buf, size_t size)
{
	snprintf(buf, size, "%-*s %-*s %9s %12s %6s", ew, "endpoint", iw, "instance", "sent/s",
		 "sent", "bound");
}

void vipc_top_broker_line(const struct vipc_top_snap *s, size_t i, int ew, int iw, bool cut,
			  char *buf, size_t size)
{
	const struct vipc_top_sent *b = &s->b[i];
	char e[sizeof(b->row.endpoint)], in[sizeof(b->row.instance)], rate[32], bound[24];

	vipc_top_cut(b->row.endpoint, cut ? ew : -1, e, sizeof(e));
	vipc_top_cut(b->row.instance, cut ? iw : -1, in, sizeof(in));
	vipc_top_rate_format(b->rate, s->elapsed_ms, rate, sizeof(rate));
	snprintf(buf, size, "%-*s %-*s %9s %12llu %6s", ew, e, iw, in, rate,
		 (unsigned long long)b->row.sent,
		 vipc_bound_text(b->row.bound, bound, sizeof(bound)));
}

/* ---- snapshots ---- */

/* The view's state: two snapshots, the latest at snap[cur]. */
struct view {
	struct vipc_state *st;
	const struct vipc_top_opts *o;
	struct vipc_top_snap snap[2];
	int cur;
	long taken; /* snapshots read */
	enum vipc_top_sort by;
};

static int add_row(const struct vipc_decision *d, const char *container, const char *endpoint,
		   void *ctx)
{
	return vipc_top_add(ctx, d, container, endpoint);
}

/* The broker's rows of the live slot into @s: 0 or -errno. */
static int read_broker(struct vipc_state *st, struct vipc_top_snap *s)
{
	struct vipc_broker_row *rows;
	size_t n;
	int err;

	err = vipc_config_read(st) ?: vipc_broker_read(st, &rows, &n);
	if (err)
		return err;
	err = vipc_top_broker(s, rows, n);
	free(rows);
	return err;
}

/* The next snapshot of the live slot, with its rates, sorted: 0 or -errno. */
static int view_next(struct view *w)
{
	struct vipc_top_snap *prev = w->taken ? &w->snap[w->cur] : NULL, *s;
	int err;

	/* Phase 1: still the instance opened? (an unload leaves our maps frozen) */
	if (!vipc_state_pinned(w->st))
		return -ENOENT;
	w->cur ^= !!prev;
	s = &w->snap[w->cur];
	s->n = 0;

	/* Phase 2: the rows, named by the live slot (the reader follows it). */
	err = vipc_decisions_read_named(w->st, add_row, s) ?: read_broker(w->st, s);
	if (err)
		return err;
	s->at_ms = vipc_now_ms();
	vipc_top_index(s);
	vipc_top_rates(s, prev);
	vipc_top_sort(s, w->by);
	w->taken++;
	return 0;
}

/* Another snapshot due? Not after o->count of them, nor once stopped. */
static bool more(const struct view *w)
{
	return !vipc_stop && (!w->o->count || w->taken < w->o->count);
}

/* ---- plain lines and JSON ---- */

#define PLAIN_WIDTH 20 /* name columns, as `stats --by-container` */
#define PLAIN_INSTANCE 40 /* the instance column, as `stats --broker` */

/* The decisions, then (after an empty line) the broker's rows if any. */
static int plain_print(const struct vipc_top_snap *s)
{
	char line[640];
	size_t i;

	vipc_top_header(PLAIN_WIDTH, PLAIN_WIDTH, line, sizeof(line));
	puts(line);
	for (i = 0; i < s->n; i++) {
		vipc_top_line(s, i, PLAIN_WIDTH, PLAIN_WIDTH, false, line, sizeof(line));
		puts(line);
	}
	if (s->nb) {
		vipc_top_broker_header(PLAIN_WIDTH, PLAIN_INSTANCE, line, sizeof(line));
		printf("\n%s\n", line);
	}
	for (i = 0; i < s->nb; i++) {
		vipc_top_broker_line(s, i, PLAIN_WIDTH, PLAIN_INSTANCE, false, line, sizeof(line));
		puts(line);
	}
	return fflush(stdout) ? -errno : 0;
}

/* Row @i as JSON; the rates only when known. */
static json_object *row_json(const struct vipc_top_snap *s, size_t i)
{
	const struct vipc_top_row *r = &s->v[i];
	static const char *const totals[VIPC_V__COUNT] = { "allowed", "denied", "audited" };
	static const char *const rates[VIPC_V__COUNT] = { "allowed_per_s", "denied_per_s",
							  "audited_per_s" };
	json_object *obj = json_object_new_object();
	char text[32];
	int v, err;

	err = vipc_json_add_str(obj, "container", r->container_name);
	err = err ?: vipc_json_add_u64(obj, "container_id", r->container);
	err = err ?: vipc_json_add_str(obj, "endpoint", r->endpoint_name);
	err = err ?: vipc_json_add_u64(obj, "endpoint_id", r->endpoint);
	for (v = 0; v < VIPC_V__COUNT && !err; v++)
		err = vipc_json_add_u64(obj, totals[v], r->total[v]);
	for (v = 0; v < VIPC_V__COUNT && !err && s->elapsed_ms; v++) {
		vipc_top_rate_format(r->rate[v], true, text, sizeof(text));
		err = vipc_json_add(obj, rates[v], json_object_new_double_s(r->rate[v], text));
	}
	return vipc_json_done(obj, err);
}

/* The broker's row @i as JSON; its rate only when known. */
static json_object *sent_json(const struct vipc_top_snap *s, size_t i)
{
	const struct vipc_top_sent *b = &s->b[i];
	json_object *obj = json_object_new_object();
	char text[32];
	int err;

	err = vipc_json_add_str(obj, "endpoint", b->row.endpoint);
	err = err ?: vipc_json_add_u64(obj, "index", b->row.index);
	err = err ?: vipc_json_add_str(obj, "instance", b->row.instance);
	err = err ?: vipc_json_add_u64(obj, "sent", b->row.sent);
	err = err ?: b->row.bound < 0 ? vipc_json_add_null(obj, "bound") :
					vipc_json_add_u64(obj, "bound", b->row.bound);
	if (!err && s->elapsed_ms) {
		vipc_top_rate_format(b->rate, true, text, sizeof(text));
		err = vipc_json_add(obj, "sent_per_s", json_object_new_double_s(b->rate, text));
	}
	return vipc_json_done(obj, err);
}

/* The array @key of @doc: @n rows of @s, each made by @make: 0 or -errno. */
static int rows_json(json_object *doc, const char *key, const struct vipc_top_snap *s, size_t n,
		     json_object *(*make)(const struct vipc_top_snap *s, size_t i))
{
	json_object *rows = json_object_new_array(), *row;
	size_t i;
	int err;

	err = vipc_json_add(doc, key, rows);
	for (i = 0; i < n && !err; i++) {
		row = make(s, i);
		if (!row || json_object_array_add(rows, row)) {
			json_object_put(row);
			err = -ENOMEM;
		}
	}
	return err;
}

/* {"elapsed_ms":N,"rows":[...],"broker":[...]}, on one line. */
static int json_print(const struct vipc_top_snap *s)
{
	json_object *doc = json_object_new_object();
	int err;

	err = vipc_json_add_u64(doc, "elapsed_ms", s->elapsed_ms);
	err = err ?: rows_json(doc, "rows", s, s->n, row_json);
	err = err ?: rows_json(doc, "broker", s, s->nb, sent_json);
	err = vipc_json_print(vipc_json_done(doc, err));
	return err ?: (fflush(stdout) ? -errno : 0);
}

static int plain_run(struct view *w)
{
	int err;

	do {
		err = view_next(w);
		err = err ?: (w->o->json ? json_print(&w->snap[w->cur]) :
					   plain_print(&w->snap[w->cur]));
		if (!err && w->taken == 1 && !w->snap[w->cur].n)
			pr_info("top: %s\n", HINT);
	} while (!err && more(w) && !usleep(w->o->interval_ms * 1000) && !vipc_stop);
	return err;
}

/* ---- the screen ---- */

#define NUM_WIDTH 69  /* the six numbers and the spaces before them */
#define SENT_WIDTH 30 /* the broker's three numbers and the spaces before them */
#define KEY_WAIT_MS 250 /* longest wait for a key: how soon a signal is seen */

/* A name column of @n rows of @size bytes (the name at @off in each): as
 * wide as its widest name, within @room, never narrower than its @head.
 */
static int name_width(const void *rows, size_t n, size_t size, size_t off, const char *head,
		      int room)
{
	int w = 0, len;
	size_t i;

	for (i = 0; i < n; i++) {
		len = strlen((const char *)rows + i * size + off);
		w = len > w ? len : w;
	}
	w = w < room ? w : room;
	return w > (int)strlen(head) ? w : (int)strlen(head);
}

#define ROW_NAME(s, f) (s)->v, (s)->n, sizeof(*(s)->v), offsetof(struct vipc_top_row, f)
#define SENT_NAME(s, f) (s)->b, (s)->nb, sizeof(*(s)->b), offsetof(struct vipc_top_sent, row.f)

/* The name columns' widths: the decisions' and the broker's. */
struct cols {
	int cw, ew;  /* container, endpoint */
	int bew, iw; /* the broker's endpoint, instance */
};

static void cols_fit(const struct vipc_top_snap *s, struct cols *c)
{
	int room = COLS - NUM_WIDTH - 1, broom = COLS - SENT_WIDTH - 1;

	c->cw = name_width(ROW_NAME(s, container_name), "container", room / 2);
	c->ew = name_width(ROW_NAME(s, endpoint_name), "endpoint", room / 2);
	c->bew = name_width(SENT_NAME(s, endpoint), "endpoint", broom / 3);
	c->iw = name_width(SENT_NAME(s, instance), "instance", broom - c->bew);
}

/* Lines for the broker's table under the decisions (an empty line, its
 * header, its rows): what it needs, within what the decisions leave or half
 * of the screen's rows if more; none when fewer than 3.
 */
static int broker_lines(const struct vipc_top_snap *s)
{
	int room = LINES - 2, left = room - (s->n ? (int)s->n : 1);
	int need = s->nb ? (int)s->nb + 2 : 0, lines = left > room / 2 ? left : room / 2;

	lines = need < lines ? need : lines;
	return lines >= 3 ? lines : 0;
}

/* The title: period, sort, keys, rows and the time of the snapshot. */
static void draw_title(const struct view *w)
{
	char line[256], clock[16];
	time_t now = time(NULL);
	struct tm tm;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&now, &tm));
	snprintf(line, sizeof(line),
		 "vipc top  every %llu ms  sorted by %s  rows %zu  %s   (s: sort, q: quit)",
		 (unsigned long long)w->o->interval_ms, vipc_top_sort_name(w->by),
		 w->snap[w->cur].n, clock);
	attron(A_BOLD);
	mvaddnstr(0, 0, line, COLS);
	attroff(A_BOLD);
}

static void draw_header(int y, const char *line)
{
	attron(A_REVERSE);
	mvaddnstr(y, 0, line, COLS);
	attroff(A_REVERSE);
}

/* Row @i of the decisions (denying in red), or of the broker's (@broker), at line @y. */
static void draw_row(const struct vipc_top_snap *s, const struct cols *c, bool broker, size_t i,
		     int y)
{
	bool red = !broker && s->v[i].rate[VIPC_V_DENY] > 0;
	char line[640];

	if (broker)
		vipc_top_broker_line(s, i, c->bew, c->iw, true, line, sizeof(line));
	else
		vipc_top_line(s, i, c->cw, c->ew, true, line, sizeof(line));
	if (red)
		attron(COLOR_PAIR(1) | A_BOLD);
	mvaddnstr(y, 0, line, COLS);
	attroff(COLOR_PAIR(1) | A_BOLD);
}

/* The @n rows of a table from line @y to before line @end: those that fit,
 * the last line saying how many do not. The line after the table.
 */
static int draw_rows(const struct vipc_top_snap *s, const struct cols *c, bool broker, size_t n,
		     int y, int end)
{
	size_t i;

	for (i = 0; i < n && (y < end - 1 || (y == end - 1 && i + 1 == n)); i++, y++)
		draw_row(s, c, broker, i, y);
	if (i == n)
		return y;
	mvprintw(end - 1, 0, "... %zu more rows", n - i);
	return end;
}

static void draw(const struct view *w)
{
	const struct vipc_top_snap *s = &w->snap[w->cur];
	int end = LINES - broker_lines(s);
	char line[640];
	struct cols c;
	int y = 2;

	/* Phase 1: title and header; the name columns share what the numbers leave. */
	erase();
	cols_fit(s, &c);
	draw_title(w);
	vipc_top_header(c.cw, c.ew, line, sizeof(line));
	draw_header(1, line);

	/* Phase 2: the decisions that fit above the broker's table, or the hint. */
	if (!s->n)
		mvaddnstr(y++, 0, HINT, COLS);
	y = draw_rows(s, &c, false, s->n, y, end);

	/* Phase 3: under them, after an empty line, the broker's table if it has lines. */
	if (end < LINES) {
		vipc_top_broker_header(c.bew, c.iw, line, sizeof(line));
		draw_header(y + 1, line);
		draw_rows(s, &c, true, s->nb, y + 2, LINES);
	}
	refresh();
}

/* Keys until the next snapshot is due: true to quit (q, or a signal). */
static bool wait_keys(struct view *w, __u64 due)
{
	__u64 now;
	int ch;

	while (!vipc_stop && (now = vipc_now_ms()) < due) {
		timeout(due - now < KEY_WAIT_MS ? (int)(due - now) : KEY_WAIT_MS);
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			return true;
		if (ch == 's') {
			w->by = (w->by + 1) % VIPC_TOP__SORTS;
			vipc_top_sort(&w->snap[w->cur], w->by);
		}
		if (ch == 's' || ch == KEY_RESIZE)
			draw(w);
	}
	return vipc_stop;
}

/* Keys one at a time, unechoed; no cursor; denying rows in red. */
static void screen_setup(void)
{
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors() && start_color() == OK)
		init_pair(1, COLOR_RED, use_default_colors() == OK ? -1 : COLOR_BLACK);
}

static int screen_run(struct view *w)
{
	SCREEN *scr = newterm(NULL, stdout, stdin);
	bool quit = false;
	__u64 due;
	int err = 0;

	if (!scr)
		return -ENOTTY;
	screen_setup();
	while (!quit && more(w)) {
		due = vipc_now_ms() + w->o->interval_ms;
		err = view_next(w);
		if (err)
			break;
		draw(w);
		quit = !more(w) || wait_keys(w, due);
	}
	endwin();
	delscreen(scr);
	return err;
}

int vipc_top_run(struct vipc_state *st, const struct vipc_top_opts *o)
{
	/* Keys come from stdin, the screen goes to stdout: both must be the terminal. */
	bool screen = !o->json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	struct view w = { .st = st, .o = o };
	int err;

	err = screen ? screen_run(&w) : plain_run(&w);
	vipc_top_free(&w.snap[0]);
	vipc_top_free(&w.snap[1]);
	return err;
}
