// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* TCP and UDP endpoints' text and names (inet.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inet.h"

static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* The port after the address: 1 to 65535, decimal digits only. */
static int parse_port(const char *s, __u16 *port)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	n = strtol(s, &end, 10);
	if (*end || n < 1 || n > 65535)
		return -EINVAL;
	*port = htons(n);
	return 0;
}

int vipc_inet_parse(const char *text, char name[VIPC_INET_NAME_LEN])
{
	char host[VIPC_INET_TEXT_MAX];
	const char *colon, *port;
	struct in_addr a4;
	size_t n;
	__u16 p;

	/* Split "[v6]:port" or "v4:port". */
	if (text[0] == '[') {
		colon = strstr(text, "]:");
		port = colon ? colon + 2 : NULL;
		text++;
	} else {
		colon = strrchr(text, ':');
		port = colon ? colon + 1 : NULL;
	}
	n = colon ? (size_t)(colon - text) : 0;
	if (!port || !n || n >= sizeof(host) || parse_port(port, &p))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = 0;
	/* The address, an IPv4 one mapped into IPv6, then the port. */
	memset(name, 0, VIPC_INET_NAME_LEN);
	if (port[-2] == ']') {
		if (inet_pton(AF_INET6, host, name) != 1)
			return -EINVAL;
	} else {
		if (inet_pton(AF_INET, host, &a4) != 1)
			return -EINVAL;
		memcpy(name, v4_mapped, sizeof(v4_mapped));
		memcpy(name + 12, &a4, 4);
	}
	memcpy(name + 16, &p, 2);
	return 0;
}

void vipc_inet_format(const char *name, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	bool v4 = !memcmp(name, v4_mapped, sizeof(v4_mapped));
	__u16 p;

	memcpy(&p, name + 16, 2);
	inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? name + 12 : name, host, sizeof(host));
	snprintf(buf, size, v4 ? "%s:%u" : "[%s]:%u", host, ntohs(p));
}

bool vipc_kind_inet(__u8 kind)
{
	return kind == VIPC_KIND_TCP || kind == VIPC_KIND_UDP;
}

bool vipc_kind_unix(__u8 kind)
{
	return kind == VIPC_KIND_UNIX_PATH || kind == VIPC_KIND_UNIX_ABSTRACT;
}

const char *vipc_kind_key(__u8 kind)
{
	switch (kind) {
	case VIPC_KIND_UNIX_ABSTRACT:
		return "abstract";
	case VIPC_KIND_TCP:
		return "tcp";
	case VIPC_KIND_UDP:
		return "udp";
	case VIPC_KIND_MQUEUE:
		return "mqueue";
	case VIPC_KIND_FIFO:
		return "fifo";
	default:
		return "unix";
	}
}

__u32 vipc_kind_perms(__u8 kind)
{
	switch (kind) {
	case VIPC_KIND_TCP:
		return VIPC_PERM_CONNECT | VIPC_PERM_BIND;
	case VIPC_KIND_UDP:
		return VIPC_PERM_SEND | VIPC_PERM_BIND;
	case VIPC_KIND_MQUEUE:
		return VIPC_PERM_SEND | VIPC_PERM_RECEIVE | VIPC_PERM_BIND;
	case VIPC_KIND_FIFO:
		return VIPC_PERM_SEND | VIPC_PERM_RECEIVE;
	default:
		return VIPC_PERM_UNIX;
	}
}

const char *vipc_kind_perms_text(__u8 kind)
{
	switch (kind) {
	case VIPC_KIND_TCP:
		return "connect or bind";
	case VIPC_KIND_UDP:
		return "send or bind";
	case VIPC_KIND_MQUEUE:
		return "send, receive or bind";
	case VIPC_KIND_FIFO:
		return "send or receive";
	default:
		return "connect, send, bind or pass-fd";
	}
}
