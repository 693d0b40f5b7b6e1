/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/telemetry.h - the /vpnhub/... commands on the DPDK telemetry socket.
 *
 * Callbacks run on DPDK's telemetry thread. They read counters (relaxed loads, summed over
 * lcores) and control state under ctrl.lock; they never write anything the data path reads.
 */
#ifndef VPNHUB_CTRLPLANE_TELEMETRY_H
#define VPNHUB_CTRLPLANE_TELEMETRY_H

#include "ctrlplane/ctrl.h"

#define TELEMETRY_PAGE 64 /* entries per page of /vpnhub/routes and /vpnhub/neighbors */

/* Register the commands; c must outlive the EAL (cleared by telemetry_detach). Main lcore. */
int telemetry_register(struct ctrl *c);
/* Make every command answer null from now on (before c is torn down). */
void telemetry_detach(void);

#endif
