// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Untrusted bytes as text (text.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "inet.h"
#include "text.h"
#include "vipc.h"

void vipc_bytes_format(const void *bytes, size_t len, char *buf, size_t size)
{
	const unsigned char *b = bytes;
	size_t i, off = 0;

	if (!size)
		return;
	/* Whole characters only: a cut never leaves half an escape. */
	for (i = 0; i < len; i++) {
		if (b[i] > 0x20 && b[i] < 0x7f && b[i] != '\\') {
			if (off + 2 > size)
				break;
			buf[off++] = b[i];
		} else {
			if (off + 5 > size)
				break;
			off += snprintf(buf + off, 5, "\\x%02x", b[i]);
		}
	}
	buf[off] = 0;
}

void vipc_label_format(const char *label, char *buf, size_t size)
{
	vipc_bytes_format(label, strnlen(label, VIPC_LABEL_MAX), buf, size);
}

void vipc_addr_format(__u8 kind, const char *addr, __u8 len, char *buf, size_t size)
{
	size_t n = len < VIPC_NAME_MAX ? len : VIPC_NAME_MAX, skip, off;
	bool abstract = kind == VIPC_KIND_UNIX_ABSTRACT;

	if (!size)
		return;
	/* A port: "tcp:ADDR:PORT", "udp:ADDR:PORT". */
	if (vipc_kind_inet(kind)) {
		off = snprintf(buf, size, "%s:", vipc_kind_key(kind));
		if (off < size && len == VIPC_INET_NAME_LEN)
			vipc_inet_format(addr, buf + off, size - off);
		return;
	}
	/* A FIFO: "fifo:MAJOR:MINOR:INODE". */
	if (kind == VIPC_KIND_FIFO) {
		__u64 dev = 0, ino = 0;

		if (len == VIPC_FIFO_NAME_LEN) {
			memcpy(&dev, addr, 8);
			memcpy(&ino, addr + 8, 8);
		}
		snprintf(buf, size, "fifo:%llu:%llu:%llu", (unsigned long long)(dev >> 20),
			 (unsigned long long)(dev & 0xfffff), (unsigned long long)ino);
		return;
	}
	/* A queue: "mqueue:/NAME". */
	if (kind == VIPC_KIND_MQUEUE) {
		off = snprintf(buf, size, "mqueue:/");
		if (off < size)
			vipc_bytes_format(addr, len, buf + off, size - off);
		return;
	}
	/* '@' leads abstract names only: a pathname's own leading '@' is escaped. */
	skip = !abstract && n && addr[0] == '@';
	off = snprintf(buf, size, "%s", abstract ? "@" : skip ? "\\x40" : "");
	if (off < size)
		vipc_bytes_format(addr + skip, n - skip, buf + off, size - off);
}
