/* SPDX-License-Identifier: BSD-3-Clause */
/* ctrlplane/nd.h - IPv6 neighbor discovery (RFC 4861 NS/NA) for the hub. Control lcore only. */
#ifndef VPNHUB_CTRLPLANE_ND_H
#define VPNHUB_CTRLPLANE_ND_H

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ctrlplane/ctrl.h"

/* Handle an ICMPv6 NS or NA (type 135/136); consumes mb. l4 points at the ICMPv6 header. */
void nd_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, uint8_t type);
/* Solicit target on ifc: multicast to its solicited-node group, or unicast to dst (a probe). */
int nd_solicit(struct ctrl *c, const struct iface *ifc, const uint8_t *target,
	       const struct rte_ether_addr *dst);

#endif
