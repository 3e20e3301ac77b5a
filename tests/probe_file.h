/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc-probe's message queue and FIFO commands (tests/probe_file.c). */
#ifndef __VIPC_PROBE_FILE_H
#define __VIPC_PROBE_FILE_H

/* `vipc-probe mq /NAME MODE [options]`, its arguments after "mq": the exit status. */
int probe_mq(int argc, char **argv);
/* `vipc-probe fifo PATH MODE [--send MSG]`, the same. */
int probe_fifo(int argc, char **argv);

#endif /* __VIPC_PROBE_FILE_H */
