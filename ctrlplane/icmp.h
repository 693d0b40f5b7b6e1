/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/icmp.h - ICMP and ICMPv6 for the hub: echo replies for its addresses, and the
 * errors a router owes (time exceeded, fragmentation needed / packet too big), rate-limited.
 * Control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_ICMP_H
#define VPNHUB_CTRLPLANE_ICMP_H

#include <rte_mbuf.h>

#include "ctrlplane/ctrl.h"

/* A packet for one of the hub's IPv4 / IPv6 addresses (consumes it). */
void icmp4_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb);
void icmp6_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb);

/* Send an ICMP error about mb (the offending packet, L3 at offset 14) and free mb. */
void icmp4_error(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, uint8_t type,
		 uint8_t code, uint32_t info);
void icmp6_error(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, uint8_t type,
		 uint8_t code, uint32_t info);

/* Token bucket; true when one more error may be sent now. */
bool icmp_ratelimit_take(struct ratelimit *rl);

#endif
