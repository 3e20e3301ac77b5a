// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* vipc enforcement, one object and one skeleton, read in this order: the
 * shared maps, the decision steps every hook takes, the name broker, the
 * socket backend's cgroup UNIX hooks, the TCP and UDP hooks, the LSM
 * backend's hooks, its hooks on queues and FIFOs, and the lifecycle programs
 * (container removal, statistics snapshots). Every hook decides through include/vipc_decide.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "vipc.h"
#include "vipc_decide.h"
#include "vipc_glob.h"
#include "vipc_name.h"

#define SOCK_DGRAM 2
#define AF_UNIX 1
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define EPERM 1
#define ENOMEM 12
#define EEXIST 17
#define CLOCK_MONOTONIC 1
#define SUN_PATH_OFFSET 2 /* offsetof(struct sockaddr_un, sun_path) */
#define S_IFMT 00170000
#define S_IFSOCK 0140000

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "maps.bpf.h"
#include "steps.bpf.h"
#include "decide.bpf.h"
#include "home.bpf.h"
#include "broker.bpf.h"
#include "sock.bpf.h"
#include "inet.bpf.h"
#include "lsm.bpf.h"
#include "file.bpf.h"
#include "lifecycle.bpf.h"
