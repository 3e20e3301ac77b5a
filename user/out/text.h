/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Untrusted bytes as text: the one escaping of the names, labels, comms
 * and addresses the loader prints, in text lines and in JSON alike.
 */
#ifndef __VIPC_TEXT_H
#define __VIPC_TEXT_H

#include <linux/types.h>
#include <stddef.h>

/* Untrusted bytes (a comm, a socket name, a label) as one line of printable
 * ASCII: bytes 0x21..0x7e but '\' as they are, every other byte (space,
 * '\', controls, NUL, anything >= 0x80) as "\xNN", so the text is
 * unambiguous and valid UTF-8. Cut at a whole character to fit @size;
 * VIPC_TEXT_SIZE(len) always fits (with room for a leading '@').
 */
#define VIPC_TEXT_SIZE(len) (4 * (len) + 2)
void vipc_bytes_format(const void *bytes, size_t len, char *buf, size_t size);
/* A label (NUL-terminated within VIPC_LABEL_MAX bytes) the same way. */
void vipc_label_format(const char *label, char *buf, size_t size);
/* Kind and bytes back into "/path" or "@name", the bytes as
 * vipc_bytes_format; a port into "tcp:ADDR:PORT" or "udp:ADDR:PORT", a
 * queue into "mqueue:/NAME", a FIFO into "fifo:MAJOR:MINOR:INODE".
 */
void vipc_addr_format(__u8 kind, const char *addr, __u8 len, char *buf, size_t size);

#endif /* __VIPC_TEXT_H */
