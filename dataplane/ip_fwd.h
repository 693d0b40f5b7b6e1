/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/ip_fwd.h - IPv4/IPv6 forwarding stage of the worker: FIB, TTL, MTU, neighbor, TX.
 * Worker lcore only.
 */
#ifndef VPNHUB_DATAPLANE_IP_FWD_H
#define VPNHUB_DATAPLANE_IP_FWD_H

#include <sys/socket.h>

#include <rte_ip.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"

/* Forward the packets in v->ip4 / v->ip6; packets for the control core are appended to v->punt. */
void dp_ip4_forward(struct dp_worker *w, struct dp_vec *v);
void dp_ip6_forward(struct dp_worker *w, struct dp_vec *v);

/* Queue mb for transmission out of ifc (buffered; flushed at the end of the loop). */
void dp_tx(struct dp_worker *w, const struct iface *ifc, struct rte_mbuf *mb);

/*
 * Decrement the TTL (IPv4, RFC 1624 incremental checksum update as in the kernel's
 * ip_decrease_ttl) or the hop limit (IPv6) of a packet whose dp_meta family is set.
 */
static inline void dp_ttl_dec(struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	if (m->family == AF_INET) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, m->l3_off);
		uint32_t c = ip->hdr_checksum;
		c += rte_cpu_to_be_16(0x0100);
		ip->hdr_checksum = (uint16_t)(c + (c >= 0xffff));
		ip->time_to_live--;
	} else {
		rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, m->l3_off)->hop_limits--;
	}
}

#endif
