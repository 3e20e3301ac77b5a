// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target: the metrics endpoint's decisions, without a socket.
 * The input is lines: method, path, Accept, Content-Length, a Transfer-
 * Encoding flag, then a label value (any bytes). The route must answer
 * 200 only to GET or HEAD of / or /metrics without a body; the listen
 * address parser must round-trip what it accepts; the escaped label value
 * must be one valid value (UTF-8, no raw newline or quote, only \\ \" \n
 * escapes) that unescapes to the input when the input was clean UTF-8; and
 * as the container and endpoint names of the per-container families it
 * must leave the document valid UTF-8 with as many lines as plain names do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "httpd.h"
#include "metrics.h"
#include "promtext.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

/* The next line of @data (NUL-terminated copy in @out), advancing it. */
static void next_line(const uint8_t **data, size_t *size, char *out, size_t cap)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;

	snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), (const char *)*data);
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
}

static void check_route(const char *method, const char *url, const char *accept,
			const char *cl, bool te)
{
	struct vipc_http_request rq = { method, url, *accept ? accept : NULL, *cl ? cl : NULL, te };
	struct vipc_http_reply r;
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

	vipc_http_route(&rq, &r);
	CHECK(r.status == 200 || r.status == 404 || r.status == 405 || r.status == 413);
	CHECK((r.status == 405) == !get);
	if (r.status == 200)
		CHECK(!te && (!*cl || strspn(cl, "0") == strlen(cl)) &&
		      (!strcmp(url, "/") || !strcmp(url, "/metrics")));
	CHECK((r.page == VIPC_PAGE_METRICS) == (r.status == 200 && !strcmp(url, "/metrics")));
	CHECK(r.page == VIPC_PAGE_METRICS || r.text);
	CHECK(!r.openmetrics || r.page == VIPC_PAGE_METRICS);
}

static void check_listen(const char *s)
{
	struct sockaddr_storage ss, again;
	char text[64];

	if (vipc_listen_parse(s, &ss))
		return;
	vipc_sockaddr_format((struct sockaddr *)&ss, text, sizeof(text));
	CHECK(!vipc_listen_parse(text, &again));
	CHECK(!memcmp(&ss, &again, sizeof(ss)));
}

/* Is @s (@n bytes) well-formed UTF-8 without NUL? (a second, plain decoder) */
static bool clean_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, len, k;
	uint32_t cp, min[] = { 0, 0, 0x80, 0x800, 0x10000 };

	while (i < n) {
		len = s[i] < 0x80 ? 1 : (s[i] >> 5) == 6 ? 2 : (s[i] >> 4) == 14 ? 3 :
		      (s[i] >> 3) == 30 ? 4 : 0;
		if (!len || i + len > n || !s[i])
			return false;
		cp = len == 1 ? s[i] : s[i] & (0x7f >> len);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static void check_escape(const uint8_t *data, size_t size)
{
	struct vipc_prom p;
	char *plain;
	size_t i, n = 0;

	vipc_prom_init(&p, false);
	vipc_prom_escape(&p, (const char *)data, size);
	CHECK(!vipc_prom_finish(&p));
	CHECK(clean_utf8((unsigned char *)p.buf, p.len));
	plain = malloc(p.len + 1);
	CHECK(plain);
	for (i = 0; i < p.len; i++) {
		CHECK(p.buf[i] != '\n' && p.buf[i] != '"');
		if (p.buf[i] == '\\') {
			i++;
			CHECK(i < p.len && (p.buf[i] == '\\' || p.buf[i] == '"' || p.buf[i] == 'n'));
			plain[n++] = p.buf[i] == 'n' ? '\n' : p.buf[i];
		} else {
			plain[n++] = p.buf[i];
		}
	}
	if (clean_utf8(data, size))
		CHECK(n == size && !memcmp(plain, data, size));
	free(plain);
	vipc_prom_free(&p);
}

/* The families of one decision row and one container named @name: the
 * document's lines; its text valid UTF-8.
 */
static size_t family_lines(const char *name)
{
	struct vipc_metrics_decision d = { .verdict = VIPC_V_DENY, .reason = VIPC_R_NO_GRANT };
	struct vipc_metrics_binding b = { .cgroups = 1 };
	struct vipc_metrics_src src = { .decisions = &d, .nr_decisions = 1, .bindings = &b,
					.nr_bindings = 1 };
	struct vipc_prom p;
	size_t i, lines = 0;

	snprintf(d.container, sizeof(d.container), "%s", name);
	snprintf(d.endpoint, sizeof(d.endpoint), "%s", name);
	snprintf(b.container, sizeof(b.container), "%s", name);
	vipc_prom_init(&p, false);
	vipc_metrics_write(&src, &p);
	CHECK(!vipc_prom_finish(&p));
	CHECK(clean_utf8((unsigned char *)p.buf, p.len));
	for (i = 0; i < p.len; i++)
		lines += p.buf[i] == '\n';
	vipc_prom_free(&p);
	return lines;
}

static void check_family(const uint8_t *data, size_t size)
{
	char name[VIPC_LABEL_MAX + 1];

	snprintf(name, sizeof(name), "%.*s", (int)(size < VIPC_LABEL_MAX ? size : VIPC_LABEL_MAX),
		 (const char *)data);
	CHECK(family_lines(name) == family_lines("x"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char method[32], url[512], accept[1024], cl[32], te[8];

	next_line(&data, &size, method, sizeof(method));
	next_line(&data, &size, url, sizeof(url));
	next_line(&data, &size, accept, sizeof(accept));
	next_line(&data, &size, cl, sizeof(cl));
	next_line(&data, &size, te, sizeof(te));
	check_route(method, url, accept, cl, te[0] == '1');
	vipc_http_wants_openmetrics(accept);
	check_listen(url);
	check_escape(data, size);
	check_family(data, size);
	return 0;
}
