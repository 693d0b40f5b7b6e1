/* SPDX-License-Identifier: BSD-3-Clause */
/* ctrlplane/arp.h - ARP (RFC 826) for the hub's IPv4 addresses. Control lcore only. */
#ifndef VPNHUB_CTRLPLANE_ARP_H
#define VPNHUB_CTRLPLANE_ARP_H

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ctrlplane/ctrl.h"

/* Handle a received ARP frame (consumes it). */
void arp_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb);
/* Ask for target (4 bytes) on ifc: broadcast, or unicast to dst when non-NULL (a probe). */
int arp_request(struct ctrl *c, const struct iface *ifc, const uint8_t *target,
		const struct rte_ether_addr *dst);

#endif
