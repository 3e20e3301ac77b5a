/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The release, as `vipc-loader --version` and vipc_build_info print it. */
#ifndef __VIPC_VERSION_H
#define __VIPC_VERSION_H

#define VIPC_VERSION "0.9.0"

#endif /* __VIPC_VERSION_H */
