// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Every example policy in the documentation is one vipc loads: each ```yaml
 * block of README.md and the .md files of docs/ is parsed and checked by
 * the loader's policy parser (user/policy.h; examples/policy.yaml is
 * test_policy's good::example_file_parses). A block marked
 * ```yaml fragment is a deliberate part of a policy (or a wrong one) and
 * is skipped. A failure names the file and line the parser stopped at.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "policy.h"

#define MSG_MAX (PATH_MAX + 600)
#define REPORT_MAX 16384

/* What a check found: blocks parsed, blocks refused, one line per refusal. */
struct report {
	int blocks;
	int bad;
	char text[REPORT_MAX];
};

static void report_add(struct report *r, const char *msg)
{
	size_t used = strlen(r->text);

	r->bad++;
	snprintf(r->text + used, sizeof(r->text) - used, "%s\n", msg);
}

/* Parse @text as a policy; a refusal goes to @r with its line in @file,
 * @first_line being the line of the text's first line there.
 */
static void check_policy(struct report *r, const char *file, int first_line, const char *text,
			 size_t len)
{
	struct vipc_policy *pol = NULL;
	struct vipc_policy_error err;
	char msg[MSG_MAX];

	r->blocks++;
	if (!vipc_policy_parse_string(text, len, file, &pol, &err)) {
		vipc_policy_free(pol);
		return;
	}
	/* The parser counts lines from the text's start: make them the file's. */
	if (err.line)
		err.line += first_line - 1;
	else
		err.line = first_line - 1;
	vipc_policy_error_format(&err, msg, sizeof(msg));
	report_add(r, msg);
}

/* A fence line (``` after any indentation, no ` after it): its info string in @info. */
static bool fence(char *line, const char **info)
{
	char *nl;

	while (*line == ' ')
		line++;
	if (strncmp(line, "```", 3))
		return false;
	if ((nl = strchr(line, '\n')))
		*nl = '\0';
	*info = line + 3;
	/* As in CommonMark: a backtick in the info string makes it inline code. */
	return !strchr(*info, '`');
}

/* Check every ```yaml block of @path that is not a ```yaml fragment. */
static void check_markdown(struct report *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *text = NULL, msg[MSG_MAX];
	size_t cap = 0, len = 0;
	const char *info;
	bool in = false, yaml = false;
	int lineno = 0, start = 0;

	cr_assert_not_null(f, "%s", path);
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		/* Inside a yaml block, collect its lines. */
		if (!fence(line, &info)) {
			if (in && yaml) {
				text = realloc(text, len + strlen(line) + 1);
				cr_assert_not_null(text);
				strcpy(text + len, line);
				len += strlen(line);
			}
			continue;
		}
		/* A closing fence: check what was collected. */
		if (in) {
			if (yaml)
				check_policy(r, path, start + 1, text ? text : "", len);
			in = false;
			continue;
		}
		/* An opening fence: yaml, yaml fragment, or another language. */
		in = true;
		yaml = !strcmp(info, "yaml");
		start = lineno;
		len = 0;
		if (!yaml && !strncmp(info, "yaml", 4) && strcmp(info, "yaml fragment")) {
			snprintf(msg, sizeof(msg), "%s:%d: ```%s: write ```yaml or ```yaml fragment",
				 path, lineno, info);
			report_add(r, msg);
		}
	}
	if (in) {
		snprintf(msg, sizeof(msg), "%s:%d: a code block is not closed", path, start);
		report_add(r, msg);
	}
	free(text);
	free(line);
	fclose(f);
}

Test(docs, every_yaml_block_in_the_docs_is_a_valid_policy)
{
	static struct report r;
	glob_t g = {};

	check_markdown(&r, "README.md");
	cr_assert_eq(glob("docs/*.md", 0, NULL, &g), 0, "no docs/*.md");
	for (size_t i = 0; i < g.gl_pathc; i++)
		check_markdown(&r, g.gl_pathv[i]);
	globfree(&g);
	cr_expect_eq(r.bad, 0, "%d of %d blocks are no valid policy:\n%s", r.bad, r.blocks, r.text);
	cr_expect_gt(r.blocks, 0, "no ```yaml block found: nothing was checked");
}

/* The check itself: fragments skipped, a bad block reported at its line. */
Test(docs, a_bad_block_is_reported_at_its_line_in_the_file)
{
	static struct report r;
	char path[] = "/tmp/vipc-test-docs-XXXXXX";
	char want[MSG_MAX];
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs("# t\n\n```yaml fragment\nnot: a policy\n```\n\n"
	      "```yaml\nversion: 1\ncontainers:\n  a: { cgroup: x, colour: red }\n```\n\n"
	      "  ```yaml\n  version: 1\n  ```\n\n```sh\nversion: 2\n```\n"
	      "```` ```yaml ```` is inline code\n",
	      f);
	fclose(f);
	check_markdown(&r, path);
	unlink(path);
	cr_expect_eq(r.blocks, 2, "blocks checked");
	cr_expect_eq(r.bad, 1, "%s", r.text);
	snprintf(want, sizeof(want), "%s:10:", path);
	cr_expect(!strncmp(r.text, want, strlen(want)), "want %s..., got %s", want, r.text);
}
