/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/nh_cache.h - what routing answered for one destination, kept by its owner so that
 * a stream of packets the hub builds itself (an outbound SA's outer packets) skips the FIB,
 * neighbor and interface lookups while none of those tables changed.
 *
 * An answer is valid while the tables' generation (dp_fwd_gen, ip_fwd.h) equals gen and the
 * packet's destination equals dst: the interface, FIB and neighbor tables bump their
 * generation (release) after every change a worker could act on, and a worker reads it
 * (acquire) before it consults a cache, so an answer is never older than the table state the
 * worker could have seen by looking the tables up itself. ok = 0 remembers "forwarding decides"
 * (no route, a route to the hub or to a tunnel, interface down, neighbor unresolved): such
 * packets take the full forwarding path, which punts, drops or fragments them as it always did.
 *
 * Writers: the owning worker only (for an SA, the SA's owner). A zeroed cache is invalid
 * (family 0 never matches).
 */
#ifndef VPNHUB_DATAPLANE_NH_CACHE_H
#define VPNHUB_DATAPLANE_NH_CACHE_H

#include <stdint.h>

#include <rte_ether.h>

struct dp_nh_cache {
	uint64_t gen;	/* dp_fwd_gen when the answer was made */
	uint8_t family; /* of dst; 0: never filled */
	uint8_t ok;	/* 1: send out of port_id with these MACs; 0: forwarding decides */
	uint16_t port_id;
	uint16_t ifindex;
	uint16_t mtu;		      /* of the egress interface */
	uint8_t dst[16];	      /* IPv4 in the first 4 bytes */
	struct rte_ether_addr mac[2]; /* the frame's destination and source: its first 12 bytes */
};

_Static_assert(sizeof(struct dp_nh_cache) == 48, "struct dp_nh_cache is 48 bytes");

#endif
