// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* help and the man page: the grammar, each command and option, and the exit
 * statuses, written from the tables (vipc_verbs[], vipc_options[],
 * VIPC_EXITS) for a terminal or as troff.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"

#define WIDTH 80
#define NBSP "\037" /* a space lines do not break at: in "[--name ARG]" */

/* Is option @i one the table lists with @v (not every command's, not needed)? */
static bool lists(const struct vipc_verb *v, int i)
{
	__u64 bit = 1ULL << i;

	if ((v->opts & VIPC_LOAD_OPTS) == VIPC_LOAD_OPTS && (bit & VIPC_LOAD_OPTS))
		return false;
	return (v->opts & bit) && !(VIPC_GLOBAL_OPTS & bit);
}

/* " --name ARG" of option @i. */
static int opt_text(int i, char *out, size_t size)
{
	const struct vipc_option *o = &vipc_options[i];

	return snprintf(out, size, "--%s%s%s", o->name, o->arg ? NBSP : "", o->arg ?: "");
}

/* @v's synopsis: its words, then [--option ARG] for each option it takes. */
static void synopsis(const struct vipc_verb *v, char *out, size_t size)
{
	const char *sep;
	size_t off;
	int i;

	vipc_verb_name(v, out, size);
	off = strlen(out);
	if (v->args)
		off += snprintf(out + off, size - off, " %s", v->args);
	for (i = 0, sep = " ("; i < VIPC_OPT__COUNT && off < size; i++) {
		if (!(v->one_of & (1ULL << i)))
			continue;
		off += snprintf(out + off, size - off, "%s", sep);
		off += off < size ? opt_text(i, out + off, size - off) : 0;
		sep = " | ";
	}
	if (v->one_of && off < size)
		off += snprintf(out + off, size - off, ")");
	if ((v->opts & VIPC_LOAD_OPTS) == VIPC_LOAD_OPTS && off < size)
		off += snprintf(out + off, size - off, " [LOAD OPTIONS]");
	for (i = 0; i < VIPC_OPT__COUNT && off < size; i++) {
		if (!lists(v, i))
			continue;
		off += snprintf(out + off, size - off, " [");
		off += off < size ? opt_text(i, out + off, size - off) : 0;
		off += off < size ? snprintf(out + off, size - off, "]") : 0;
	}
}

/* @text from column @indent (the lines after the first: @indent + @more), in
 * lines of at most WIDTH columns.
 */
static void wrapped(FILE *out, int indent, int more, const char *text)
{
	int col = 0, n, first = 1;

	while (*text) {
		n = strcspn(text, " ");
		if (col && col + 1 + n > WIDTH)
			col = 0, first = 0, fputc('\n', out);
		if (!col)
			col = fprintf(out, "%*s", indent + (first ? 0 : more), "");
		else
			col += fprintf(out, " ");
		for (col += n; n--; text++)
			fputc(*text == NBSP[0] ? ' ' : *text, out);
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/* The commands that take option @i, comma-separated. */
static void taken_by(int i, char *out, size_t size)
{
	char name[64];
	size_t k, off = 0;

	out[0] = 0;
	for (k = 0; k < vipc_nr_verbs && off < size; k++) {
		if (!(vipc_verb_opts(&vipc_verbs[k]) & (1ULL << i)) ||
		    (k && vipc_verbs[k].cmd == vipc_verbs[k - 1].cmd && !vipc_verbs[k].sub))
			continue;
		off += snprintf(out + off, size - off, "%s%s", off ? ", " : "",
				vipc_verbs[k].name ? vipc_verb_name(&vipc_verbs[k], name, sizeof(name)) :
						     "the daemon (no command)");
	}
}

void vipc_cli_usage(FILE *out)
{
	char line[1024];
	size_t k;
	int i;

	fprintf(out, "Usage: vipc-loader [COMMAND [ARGS]] [OPTIONS]\n\n"
		     "Commands (any unambiguous prefix), each with the options it takes besides\n"
		     "-v, -q, -h and --version:\n");
	for (k = 0; k < vipc_nr_verbs; k++) {
		synopsis(&vipc_verbs[k], line, sizeof(line));
		wrapped(out, 2, 4, line);
		wrapped(out, 8, 0, vipc_verbs[k].help);
	}
	fprintf(out, "\nOptions:\n");
	for (i = 0; i < VIPC_OPT__COUNT; i++) {
		if (vipc_options[i].short_name)
			snprintf(line, sizeof(line), "-%c, ", vipc_options[i].short_name);
		else
			snprintf(line, sizeof(line), "    ");
		opt_text(i, line + 4, sizeof(line) - 4);
		wrapped(out, 2, 4, line);
		wrapped(out, 8, 0, vipc_options[i].help);
	}
	strcpy(line, "LOAD OPTIONS:");
	for (i = 0; i < VIPC_OPT__COUNT; i++)
		if (VIPC_LOAD_OPTS & (1ULL << i))
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " --%s",
				 vipc_options[i].name);
	fputc('\n', out);
	wrapped(out, 0, 2, line);
	fprintf(out, "\nExit status:\n");
#define EXIT_LINE(name, value, what) fprintf(out, "  %3d  %s\n", value, what);
	VIPC_EXITS(EXIT_LINE)
#undef EXIT_LINE
}

int cmd_help(char **argv)
{
	(void)argv;
	vipc_cli_usage(stdout);
	return 0;
}

/* @text as troff body text: backslashes and dashes escaped, a leading dot
 * or quote kept from being a request; @cap: its first letter a capital.
 */
static void troff(FILE *out, const char *text, bool cap)
{
	const char *p;

	if (*text == '.' || *text == '\'')
		fputs("\\&", out);
	for (p = text; *p; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else if (*p == NBSP[0])
			fputs("\\ ", out);
		else
			fputc(p == text && cap ? toupper((unsigned char)*p) : *p, out);
	}
}

/* A paragraph: @text with a capital and a full stop. */
static void man_para(FILE *out, const char *text)
{
	size_t n = strlen(text);

	troff(out, text, true);
	fputs(n && text[n - 1] == '.' ? "\n" : ".\n", out);
}

static void man_commands(FILE *out)
{
	char line[1024];
	size_t k;

	for (k = 0; k < vipc_nr_verbs; k++) {
		synopsis(&vipc_verbs[k], line, sizeof(line));
		fputs(".TP\n.B ", out);
		troff(out, line, false);
		fputc('\n', out);
		man_para(out, vipc_verbs[k].doc ?: vipc_verbs[k].help);
	}
}

static void man_options(FILE *out)
{
	const struct vipc_option *o;
	char by[512];
	int i;

	for (i = 0; i < VIPC_OPT__COUNT; i++) {
		o = &vipc_options[i];
		fputs(".TP\n", out);
		if (o->short_name)
			fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
		fputs("\\fB\\-\\-", out);
		troff(out, o->name, false);
		fputs("\\fR", out);
		if (o->arg) {
			fputs(" \\fI", out);
			troff(out, o->arg, false);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		man_para(out, o->help);
		taken_by(i, by, sizeof(by));
		if (!(VIPC_GLOBAL_OPTS & (1ULL << i))) {
			fputs(".br\nTaken by: ", out);
			man_para(out, by);
		}
	}
}

static void man_exits(FILE *out)
{
#define EXIT_ITEM(name, value, what) fprintf(out, ".TP\n.B %d\n", value), man_para(out, what);
	VIPC_EXITS(EXIT_ITEM)
#undef EXIT_ITEM
}

int vipc_cli_man(FILE *in, FILE *out)
{
	char line[4096];

	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "@COMMANDS@\n"))
			man_commands(out);
		else if (!strcmp(line, "@OPTIONS@\n"))
			man_options(out);
		else if (!strcmp(line, "@EXIT_STATUS@\n"))
			man_exits(out);
		else
			fputs(line, out);
	}
	return ferror(in) || ferror(out) ? -EIO : 0;
}
