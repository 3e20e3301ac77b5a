// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libFuzzer target: the loader's command line. The input is split at NUL
 * bytes into arguments after "vipc-loader"; they go through the command
 * and option parser (one command, and only the options it takes), and
 * each one through the permission and address parsers the commands use,
 * which must round-trip what they accept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "policy.h"
#include "text.h"

#define MAX_ARGS 64

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

/* Permission lists and addresses: what parses formats back to the same. */
static void check_word(const char *arg)
{
	char addr[VIPC_NAME_MAX], text[4 * VIPC_NAME_MAX + 2], back[64];
	__u32 bits, bit;
	__u8 kind, len;

	if (!vipc_perms_parse(arg, &bits)) {
		vipc_perms_format(bits, back, sizeof(back));
		CHECK(!vipc_perms_parse(back, &bit) && bit == bits);
	}
	if (!vipc_perm_parse(arg, &bit))
		CHECK(bit && !(bit & (bit - 1)) && !(bit & ~VIPC_PERM_ALL));
	if (vipc_addr_parse(arg, &kind, addr, &len) >= 0) {
		CHECK(len > 0 && len <= VIPC_NAME_MAX);
		vipc_addr_format(kind, addr, len, text, sizeof(text));
		CHECK(text[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *buf = malloc(size + 1);
	struct vipc_cli cli;
	int argc = 1, i;
	size_t off = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[0] = "vipc-loader";
	while (off < size && argc <= MAX_ARGS) {
		argv[argc++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[argc] = NULL;
	if (!vipc_cli_parse(argc, argv, &cli) && !cli.help) {
		CHECK(cli.cmd_index >= 1 && cli.cmd_index <= argc);
		CHECK(cli.cmd < VIPC_NR_CMDS && (cli.cmd == VIPC_CMD_RUN) == (cli.cmd_index == argc));
		CHECK(cli.limits.principals && cli.limits.endpoints && cli.limits.grants &&
		      cli.limits.channels && cli.limits.connections);
		CHECK(cli.pid >= 0 && cli.timeout_s >= 0 && cli.watch_s >= 0);
	}
	for (i = 1; i < argc; i++)
		check_word(argv[i]);
	free(buf);
	return 0;
}
