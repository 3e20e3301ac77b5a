// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The log level every module's pr_warn, pr_info and pr_debug read (log.h). */
#include "log.h"

enum vipc_log_level vipc_log_level = VIPC_LOG_INFO;
