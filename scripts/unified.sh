#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Run CMD on the pure cgroup2 layout of current distributions (cgroup2 at
# /sys/fs/cgroup, no v1 hierarchies), whatever this host's layout:
#
#   scripts/unified.sh CMD [ARGS...]
#
# On a hybrid host, CMD runs in a private mount namespace where the tmpfs at
# /sys/fs/cgroup and the v1 hierarchies on it are detached and cgroup2 is
# mounted there instead: the same kernel hierarchy (the same cgroups, ids
# and processes) at the other path. Every child of CMD, runc too, sees that
# layout; the host's mounts are untouched and nothing is left when CMD ends.
# Exits with CMD's status (2 on bad usage, 1 when the namespace cannot be set up).
set -euo pipefail

[ $# -gt 0 ] || { sed -n '3,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	exec "$@" # already unified
fi
exec unshare --mount --propagation private sh -c '
	umount -l /sys/fs/cgroup &&
	mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup || exit 1
	echo "unified.sh: cgroup2 at /sys/fs/cgroup in a private mount namespace" >&2
	exec "$@"' unified.sh "$@"
