/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* vipc-probe's message queue command (tests/probe_mq.c). */
#ifndef __VIPC_PROBE_MQ_H
#define __VIPC_PROBE_MQ_H

/* `vipc-probe mq /NAME MODE [options]`, its arguments after "mq": the exit status. */
int probe_mq(int argc, char **argv);

#endif /* __VIPC_PROBE_MQ_H */
