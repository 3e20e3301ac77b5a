// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Under --json, a failure is a JSON document too: {"error": MESSAGE,
 * "exit": STATUS} on stdout. Standard error passes through a tee that keeps
 * the last "vipc: " line, the message, and still shows every line where it
 * always went.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "jsonout.h"

/* The tee: the line being written, and the last message. */
static struct failure_tee {
	FILE *real; /* the standard error it replaced */
	char line[512], msg[512];
	size_t len;
} tee;

/* A whole line in: the message when it is one. */
static void tee_line(struct failure_tee *t)
{
	t->line[t->len] = 0;
	if (!strncmp(t->line, "vipc: ", 6))
		snprintf(t->msg, sizeof(t->msg), "%s", t->line + 6);
	t->len = 0;
}

static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
	struct failure_tee *t = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		if (buf[i] == '\n')
			tee_line(t);
		else if (t->len < sizeof(t->line) - 1)
			t->line[t->len++] = buf[i];
	}
	return fwrite(buf, 1, size, t->real) == size && !fflush(t->real) ? (ssize_t)size : -1;
}

/* Is --json (or -j) among @argv's words, before any "--"? */
static bool asks_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
	return false;
}

void vipc_failure_watch(int argc, char **argv)
{
	cookie_io_functions_t io = { .write = tee_write };
	FILE *f;

	if (!asks_json(argc, argv) || !(f = fopencookie(&tee, "w", io)))
		return;
	setvbuf(f, NULL, _IOLBF, 0);
	tee.real = stderr;
	stderr = f;
}

/* What exit status @status means, for a failure that said nothing. */
static const char *exit_what(int status)
{
#define EXIT_WHAT(name, value, what) if (status == value) return what;
	VIPC_EXITS(EXIT_WHAT)
#undef EXIT_WHAT
	return "failed";
}

int vipc_failure_report(int status, bool decided)
{
	json_object *doc;
	int err;

	if (!tee.real)
		return status;
	fflush(stderr);
	if (tee.len)
		tee_line(&tee);
	/* A denied check printed its decision: that is its document. */
	if (!status || (decided && !tee.msg[0]))
		return status;
	doc = json_object_new_object();
	err = vipc_json_add_str(doc, "error", tee.msg[0] ? tee.msg : exit_what(status));
	err = err ?: vipc_json_add(doc, "exit", json_object_new_int(status));
	vipc_json_print(vipc_json_done(doc, err));
	return status;
}
