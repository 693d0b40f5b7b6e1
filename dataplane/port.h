/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/port.h - bring DPDK ports up for the data plane: queues per worker, the control
 * lcore's extra TX queue, MTU, RSS and checksum offload when the device has them.
 * Main lcore only, before the workers start and after they stop.
 */
#ifndef VPNHUB_DATAPLANE_PORT_H
#define VPNHUB_DATAPLANE_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/dp.h"

/*
 * Configure and start port_id with nb_rxq RX queues (queue q polled by worker q % n_workers) and nb_txq
 * TX queues (workers 0..n_workers-1, the control lcore at index n_workers). Registers ifindex as
 * the port's interface. On failure writes a reason into err and returns a negative errno.
 */
int dp_port_setup(struct dp *dp, uint16_t port_id, uint16_t ifindex, uint16_t nb_rxq,
		  uint16_t nb_txq, uint16_t mtu, char *err, size_t errlen);
/* Stop and close every port set up by dp_port_setup. */
void dp_port_close_all(struct dp *dp);
/* Link state, 1 = up. */
int dp_port_link_up(uint16_t port_id);

#endif
