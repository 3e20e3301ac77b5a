/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP and UDP endpoints: "ADDR:PORT" text (an IPv4 address, or an IPv6 one
 * in brackets) and the name the kernel side looks them up by
 * (include/vipc.h, VIPC_INET_NAME_LEN bytes), both ways; and of each kind,
 * its policy key and the permissions that mean something for it.
 */
#ifndef __VIPC_INET_H
#define __VIPC_INET_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include "vipc.h"

/* Longest "ADDR:PORT": "[" an IPv6 address "]:" 5 digits, NUL. */
#define VIPC_INET_TEXT_MAX 56

/* "127.0.0.1:8080" or "[::1]:8080" (port 1 to 65535) into @name (an IPv4
 * address mapped, both in network order): 0, or -EINVAL.
 */
int vipc_inet_parse(const char *text, char name[VIPC_INET_NAME_LEN]);
/* The name back as text: an IPv4-mapped address as IPv4. */
void vipc_inet_format(const char *name, char *buf, size_t size);
/* Is @kind a TCP or UDP one? */
bool vipc_kind_inet(__u8 kind);
/* Is @kind a UNIX socket's (a pathname or an abstract name)? Only those
 * have instances, views, broker names and channels.
 */
bool vipc_kind_unix(__u8 kind);
/* The policy key of @kind: "unix", "abstract", "tcp", "udp", "mqueue" or "fifo". */
const char *vipc_kind_key(__u8 kind);
/* The permissions that mean something for @kind (enum vipc_perm bits). */
__u32 vipc_kind_perms(__u8 kind);
/* Those permissions as words: "connect or bind". */
const char *vipc_kind_perms_text(__u8 kind);

#endif /* __VIPC_INET_H */
