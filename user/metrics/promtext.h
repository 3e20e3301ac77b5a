/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The Prometheus exposition writer: text format 0.0.4, or OpenMetrics
 * 1.0.0, into a growing buffer. Label values are escaped here, once: they
 * may come from untrusted names.
 */
#ifndef __VIPC_PROMTEXT_H
#define __VIPC_PROMTEXT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

enum vipc_prom_type {
	VIPC_PROM_COUNTER, /* samples are <name>_total */
	VIPC_PROM_GAUGE,
};

struct vipc_prom_label {
	const char *name; /* a constant, [a-z_]+ */
	const char *value; /* any bytes up to a NUL: escaped */
};

/* The document being written. Every call after a failure does nothing;
 * vipc_prom_finish() returns the first error.
 */
struct vipc_prom {
	char *buf;
	size_t len, cap;
	bool openmetrics;
	int err;
	const char *family; /* the family samples are written for */
	enum vipc_prom_type type;
};

#define VIPC_PROM_TEXT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define VIPC_PROM_OPENMETRICS_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* An empty document in the text format, or OpenMetrics when @openmetrics. */
void vipc_prom_init(struct vipc_prom *p, bool openmetrics);
void vipc_prom_free(struct vipc_prom *p);
/* Start family @name (no _total suffix): its HELP and TYPE lines. */
void vipc_prom_family(struct vipc_prom *p, const char *name, enum vipc_prom_type type,
		      const char *help);
/* One sample of the current family with @n labels. */
void vipc_prom_sample(struct vipc_prom *p, const struct vipc_prom_label *labels, size_t n,
		      __u64 value);
/* Append @len bytes of @s as a label value's text: backslash, double quote
 * and newline escaped (\\ \" \n), NUL and bytes that are not UTF-8 as
 * U+FFFD, so any input stays one valid value.
 */
void vipc_prom_escape(struct vipc_prom *p, const char *s, size_t len);
/* End the document (OpenMetrics: "# EOF"): 0 or -ENOMEM. */
int vipc_prom_finish(struct vipc_prom *p);

#endif /* __VIPC_PROMTEXT_H */
