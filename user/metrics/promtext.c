// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The Prometheus text exposition format 0.0.4 and OpenMetrics 1.0.0: HELP
 * and TYPE lines, samples with escaped label values, "# EOF".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "promtext.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

void vipc_prom_init(struct vipc_prom *p, bool openmetrics)
{
	memset(p, 0, sizeof(*p));
	p->openmetrics = openmetrics;
}

void vipc_prom_free(struct vipc_prom *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}

/* Room for @more bytes and a NUL. */
static bool reserve(struct vipc_prom *p, size_t more)
{
	size_t cap = p->cap ? p->cap : 4096;
	char *buf;

	if (p->err)
		return false;
	while (cap - p->len < more + 1)
		cap *= 2;
	if (cap == p->cap)
		return true;
	buf = realloc(p->buf, cap);
	if (!buf) {
		p->err = -ENOMEM;
		return false;
	}
	p->buf = buf;
	p->cap = cap;
	return true;
}

static void put(struct vipc_prom *p, const char *s, size_t len)
{
	if (!reserve(p, len))
		return;
	memcpy(p->buf + p->len, s, len);
	p->len += len;
	p->buf[p->len] = '\0';
}

static void puts_(struct vipc_prom *p, const char *s)
{
	put(p, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct vipc_prom *p, const char *fmt, ...)
{
	char line[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	put(p, line, n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Length of the well-formed UTF-8 sequence at @s (at most @n bytes), 0 if none:
 * no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	__u32 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void vipc_prom_escape(struct vipc_prom *p, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = u[i] ? utf8_len(u + i, len - i) : 0;
		if (!n)
			puts_(p, REPLACEMENT);
		else if (u[i] == '\\')
			puts_(p, "\\\\");
		else if (u[i] == '"')
			puts_(p, "\\\"");
		else if (u[i] == '\n')
			puts_(p, "\\n");
		else
			put(p, s + i, n);
		i += n ? n : 1;
	}
}

/* The name samples of the current family carry. */
static void sample_name(struct vipc_prom *p)
{
	puts_(p, p->family);
	if (p->type == VIPC_PROM_COUNTER)
		puts_(p, "_total");
}

/* The name in HELP and TYPE: the samples' in the text format, the family's
 * in OpenMetrics.
 */
static void meta_name(struct vipc_prom *p, const char *line)
{
	puts_(p, line);
	puts_(p, p->family);
	if (p->type == VIPC_PROM_COUNTER && !p->openmetrics)
		puts_(p, "_total");
	puts_(p, " ");
}

void vipc_prom_family(struct vipc_prom *p, const char *name, enum vipc_prom_type type,
		      const char *help)
{
	p->family = name;
	p->type = type;
	meta_name(p, "# HELP ");
	puts_(p, help);
	meta_name(p, "\n# TYPE ");
	puts_(p, type == VIPC_PROM_COUNTER ? "counter\n" : "gauge\n");
}

void vipc_prom_sample(struct vipc_prom *p, const struct vipc_prom_label *labels, size_t n,
		      __u64 value)
{
	size_t i;

	sample_name(p);
	for (i = 0; i < n; i++) {
		putf(p, "%s%s=\"", i ? "," : "{", labels[i].name);
		vipc_prom_escape(p, labels[i].value, strlen(labels[i].value));
		puts_(p, "\"");
	}
	putf(p, "%s %llu\n", n ? "}" : "", (unsigned long long)value);
}

int vipc_prom_finish(struct vipc_prom *p)
{
	if (p->openmetrics)
		puts_(p, "# EOF\n");
	put(p, "", 0); /* an empty document is an empty string too */
	return p->err;
}
