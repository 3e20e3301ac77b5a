/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What went wrong, with the error it goes with: the registry's calls record
 * it in the instance they were given (struct vipc_state's err), and the
 * command reports it; nothing is kept process-wide.
 */
#ifndef __VIPC_ERR_H
#define __VIPC_ERR_H

#include <stddef.h>

struct vipc_err {
	int code; /* the -errno the message explains; 0: none */
	char msg[256];
};

/* Record the message for -errno @err in @e (NULL: nowhere); returns @err. */
int vipc_fail(struct vipc_err *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The message recorded in @e for @err, or strerror(-err) when the record
 * (if any) is another error's; clears the record, so a message is shown
 * once, and only for its own error.
 */
const char *vipc_err_take(struct vipc_err *e, int err, char *buf, size_t size);

#endif /* __VIPC_ERR_H */
