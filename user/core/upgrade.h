/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* An upgrade across ABI versions with no gap in enforcement. The new
 * instance loads and attaches beside the pinned one, at VIPC_NEW_DIR (on
 * every hook both run: a call passes only if both allow); once its policy
 * is applied, its rename to VIPC_NEXT_DIR marks it whole; then the old
 * instance is ended and unpinned, and the new one renamed to VIPC_PIN_DIR.
 * At every instant one whole instance enforces. A downgrade is the same.
 * Every step runs under the pin directory lock.
 */
#ifndef __VIPC_UPGRADE_H
#define __VIPC_UPGRADE_H

#include "state.h"

/* What an interrupted upgrade left: an instance still loading is removed
 * (the pinned one enforces still). 1 when a whole one waits to replace the
 * pinned one (vipc_upgrade_finish), 0 when none, or -errno.
 */
int vipc_upgrade_leftover(void);
/* Load the new instance at VIPC_NEW_DIR, every hook attached: 0 or -errno
 * (nothing of it left). Its policy goes in through vipc_state_open_at().
 */
int vipc_upgrade_load(const struct vipc_limits *limits, __u32 backends, const char *cgroot);
/* The new instance is whole: VIPC_NEW_DIR renamed VIPC_NEXT_DIR. */
int vipc_upgrade_whole(void);
/* Remove the new instance (a failed upgrade): the old one enforces on. */
void vipc_upgrade_abort(void);
/* End and unpin the old instance (its daemon stopped first), then move the
 * new one in: VIPC_NEXT_DIR renamed VIPC_PIN_DIR. 0 or -errno; on failure
 * both may still enforce, and the next load finishes.
 */
int vipc_upgrade_finish(void);

#endif /* __VIPC_UPGRADE_H */
