// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* An error's message, kept with the error it goes with (err.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

int vipc_fail(struct vipc_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->code = err;
	return err;
}

const char *vipc_err_take(struct vipc_err *e, int err, char *buf, size_t size)
{
	snprintf(buf, size, "%s", e && e->code == err ? e->msg : strerror(-err));
	if (e)
		e->code = 0;
	return buf;
}
