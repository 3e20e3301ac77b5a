// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The man page: `mangen deploy/vipc-loader.8.in` writes it on stdout with
 * its COMMANDS, OPTIONS and EXIT STATUS made from the loader's command
 * table (user/cmd/verbs.c), so they cannot drift from the parser.
 */
#include <stdio.h>
#include "cli.h"

int main(int argc, char **argv)
{
	FILE *in;
	int err;

	if (argc != 2 || !(in = fopen(argv[1], "re"))) {
		fprintf(stderr, "usage: mangen TEMPLATE (a readable file)\n");
		return 2;
	}
	err = vipc_cli_man(in, stdout);
	fclose(in);
	return err || fflush(stdout) ? 1 : 0;
}
