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
#include "dataplane/nh_cache.h"

/* Forward the packets in v->ip4 / v->ip6; packets for the control core are appended to v->punt. */
void dp_ip4_forward(struct dp_worker *w, struct dp_vec *v);
void dp_ip6_forward(struct dp_worker *w, struct dp_vec *v);

/* Queue mb for transmission out of ifc (buffered; flushed at the end of the loop). */
void dp_tx(struct dp_worker *w, const struct iface *ifc, struct rte_mbuf *mb);

/*
 * The generation of the tables forwarding reads (interfaces, FIB, neighbors): the key of
 * struct dp_nh_cache. Load it once per burst, before the caches it validates are read.
 */
uint64_t dp_fwd_gen(const struct dp *dp);

/* Recompute c for a hub-originated packet of family to dst (see dp_fwd_cached). */
void dp_fwd_cache_fill(struct dp_worker *w, struct dp_nh_cache *c, uint64_t gen, uint8_t family,
		       const uint8_t *dst);

/*
 * A packet the hub built (DP_MF_ORIGINATED, Ethernet + IP at offset 14, dp_meta family set) to
 * the destination c remembers: rewritten (MACs) and true when it may go straight to TX through
 * c (dp_tx_cached), exactly where dp_ip4_forward/dp_ip6_forward would send it; false when those
 * must see it (punts, drops, fragmentation and ICMP are theirs). c is refilled first when gen
 * or the destination moved. The worker owning c only.
 */
static inline bool dp_fwd_cached(struct dp_worker *w, struct dp_nh_cache *c, uint64_t gen,
				 struct rte_mbuf *mb)
{
	uint8_t family = dp_meta(mb)->family;
	uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, uint8_t *, RTE_ETHER_HDR_LEN);
	const uint8_t *dst;
	uint32_t len;
	bool same;
	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		if (ip->version_ihl != RTE_IPV4_VHL_DEF)
			return false; /* options: forwarding drops them */
		dst = (const uint8_t *)&ip->dst_addr;
		len = rte_be_to_cpu_16(ip->total_length);
		same = memcmp(c->dst, dst, 4) == 0;
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		if (ip->src_addr[0] == 0xfe && (ip->src_addr[1] & 0xc0) == 0x80)
			return false; /* link-local source: forwarding drops it */
		dst = ip->dst_addr;
		len = rte_be_to_cpu_16(ip->payload_len) + (uint32_t)sizeof(*ip);
		same = memcmp(c->dst, dst, 16) == 0;
	}
	if (unlikely(c->gen != gen || c->family != family || !same))
		dp_fwd_cache_fill(w, c, gen, family, dst);
	if (!c->ok || len > c->mtu)
		return false; /* over the MTU: fragments or ICMP, as forwarding decides */
	memcpy(rte_pktmbuf_mtod(mb, uint8_t *), c->mac, 2 * RTE_ETHER_ADDR_LEN);
	return true;
}

/* Queue mb[i] for TX as dp_fwd_cached(c[i]) allowed, counted like forwarded packets. */
void dp_tx_cached(struct dp_worker *w, struct rte_mbuf **mb, const struct dp_nh_cache *const *c,
		  uint16_t n);

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
