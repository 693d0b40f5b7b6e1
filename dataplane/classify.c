/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/classify.c - L2/L3 validation and sorting (see classify.h).
 *
 * Every length in the packet is distrusted: a header is read only after the bytes are known to
 * be in the first segment. IPv4 frames carrying Ethernet padding are trimmed to the IP length.
 *
 * Outer fragments whose protocol is ESP or UDP (an IPv4 header with MF or an offset, an IPv6
 * header followed directly by a Fragment header) go to the frag vector, where reassembly keeps
 * those for the hub (frag.c) and returns the transit ones to forwarding. Only the first fragment
 * shows the UDP port, so every UDP fragment goes there: ESP in UDP and IKE (UDP 500/4500) alike.
 * For other packets this costs no extra test on IPv4 and one compare on IPv6.
 */
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dataplane/classify.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

enum cl_act { CL_DROP, CL_PUNT, CL_IP4, CL_IP6, CL_ESP, CL_FRAG };

#define NATT_PORT 4500 /* RFC 3948 */

struct cl_res {
	enum cl_act act;
	uint8_t why; /* dp_drop or dp_punt */
};

static inline struct cl_res drop(enum dp_drop why)
{
	return (struct cl_res){CL_DROP, (uint8_t)why};
}

static inline struct cl_res punt(enum dp_punt why)
{
	return (struct cl_res){CL_PUNT, (uint8_t)why};
}

/* Trim Ethernet padding so that pkt_len matches the L3 length. */
static inline void trim_to(struct rte_mbuf *mb, uint32_t l3_len)
{
	uint32_t want = L2_LEN + l3_len;
	if (rte_pktmbuf_pkt_len(mb) > want)
		rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - want));
}

static inline bool ip4_src_bad(uint32_t src)
{
	uint8_t a = (uint8_t)(src >> 24);
	return a == 0 || a == 127 || a >= 224; /* this-network, loopback, multicast, class E */
}

/*
 * ESP (protocol 50) or UDP to port 4500 (RFC 3948 2.2): a one-byte 0xff payload is a NAT
 * keepalive, four zero bytes are the non-ESP marker of IKE (left to the normal path, which
 * punts it), anything else is ESP in UDP. l4 points at the transport header, len bytes long.
 */
static struct cl_res esp_check(uint8_t proto, const uint8_t *l4, uint32_t len, struct cl_res ip)
{
	if (proto == IPPROTO_ESP)
		return (struct cl_res){CL_ESP, 0};
	if (proto != IPPROTO_UDP || len < sizeof(struct rte_udp_hdr))
		return ip;
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)l4;
	if (u->dst_port != RTE_BE16(NATT_PORT))
		return ip;
	uint32_t pl = len - (uint32_t)sizeof(*u);
	const uint8_t *p = l4 + sizeof(*u);
	if (pl == 1 && p[0] == 0xff)
		return drop(DP_DROP_NATT_KEEPALIVE);
	if (pl < 4 || (p[0] | p[1] | p[2] | p[3]) == 0)
		return ip;
	return (struct cl_res){CL_ESP, 0};
}

/* A fragment of ESP or of UDP (possibly ESP in UDP, or IKE) for frag_input; others as ip. */
static inline struct cl_res frag_check(uint8_t proto, struct cl_res ip)
{
	if (proto == IPPROTO_ESP || proto == IPPROTO_UDP)
		return (struct cl_res){CL_FRAG, 0};
	return ip;
}

/* IPv6 with a Fragment header (RFC 8200 4.5) right after the fixed header: its next header. */
static struct cl_res frag6_check(const struct rte_mbuf *mb, const struct rte_ipv6_hdr *ip,
				 uint32_t pl, struct cl_res ip6)
{
	if (pl < sizeof(struct rte_ipv6_fragment_ext) ||
	    rte_pktmbuf_data_len(mb) < L2_LEN + sizeof(*ip) + sizeof(struct rte_ipv6_fragment_ext))
		return ip6;
	const struct rte_ipv6_fragment_ext *fh = (const struct rte_ipv6_fragment_ext *)(ip + 1);
	return frag_check(fh->next_header, ip6);
}

/*
 * A header is intact when its 16-bit one's complement sum is 0xffff (RFC 1071). The sum does not
 * depend on byte order or on the width of the words added (carries are folded back in), so an
 * option-less header is five 32-bit loads instead of rte_raw_cksum's loop of ten 16-bit ones.
 */
static inline uint64_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v)); /* the header is only 2-byte aligned */
	return v;
}

static inline bool ip4_cksum_ok(const struct rte_ipv4_hdr *ip, uint16_t hl)
{
	const uint8_t *p = (const uint8_t *)ip;
	if (hl != sizeof(*ip))
		return rte_raw_cksum(ip, hl) == 0xffff;
	uint64_t s = ld32(p) + ld32(p + 4) + ld32(p + 8) + ld32(p + 12) + ld32(p + 16);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static struct cl_res ip4_check(struct rte_mbuf *mb)
{
	if (rte_pktmbuf_data_len(mb) < L2_LEN + sizeof(struct rte_ipv4_hdr))
		return drop(DP_DROP_IP4_TRUNCATED);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	if ((ip->version_ihl >> 4) != 4)
		return drop(DP_DROP_IP4_VERSION);
	uint16_t hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	if (hl < sizeof(*ip))
		return drop(DP_DROP_IP4_IHL);
	uint16_t tl = rte_be_to_cpu_16(ip->total_length);
	if (tl < hl || tl > rte_pktmbuf_pkt_len(mb) - L2_LEN ||
	    hl > rte_pktmbuf_data_len(mb) - L2_LEN)
		return drop(DP_DROP_IP4_LEN);
	if ((mb->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return drop(DP_DROP_IP4_CKSUM);
	if ((mb->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	    !ip4_cksum_ok(ip, hl))
		return drop(DP_DROP_IP4_CKSUM);
	uint32_t src = rte_be_to_cpu_32(ip->src_addr), dst = rte_be_to_cpu_32(ip->dst_addr);
	if (ip4_src_bad(src))
		return drop(DP_DROP_IP4_SRC);
	uint8_t d0 = (uint8_t)(dst >> 24);
	trim_to(mb, tl);
	if (d0 >= 224 && dst != 0xffffffff && d0 < 240)
		return punt(DP_PUNT_MCAST);
	if (dst == 0xffffffff)
		return punt(DP_PUNT_MCAST);
	if (d0 == 0 || d0 == 127 || d0 >= 240)
		return drop(DP_DROP_IP4_DST);
	struct cl_res fwd = {CL_IP4, 0};
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return frag_check(ip->next_proto_id, fwd);
	if (mb->nb_segs != 1)
		return fwd; /* ESP is parsed in one segment only */
	return esp_check(ip->next_proto_id, (const uint8_t *)ip + hl, (uint32_t)(tl - hl), fwd);
}

static struct cl_res ip6_check(struct rte_mbuf *mb)
{
	if (rte_pktmbuf_data_len(mb) < L2_LEN + sizeof(struct rte_ipv6_hdr))
		return drop(DP_DROP_IP6_TRUNCATED);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)
		return drop(DP_DROP_IP6_VERSION);
	uint32_t pl = rte_be_to_cpu_16(ip->payload_len);
	if (pl + sizeof(*ip) > rte_pktmbuf_pkt_len(mb) - L2_LEN)
		return drop(DP_DROP_IP6_LEN);
	static const uint8_t loop[16] = {[15] = 1};
	if (ip->src_addr[0] == 0xff || memcmp(ip->src_addr, loop, 16) == 0)
		return drop(DP_DROP_IP6_SRC);
	trim_to(mb, pl + (uint32_t)sizeof(*ip));
	if (ip->dst_addr[0] == 0xff)
		return punt(DP_PUNT_MCAST);
	if (ip->dst_addr[0] == 0xfe && (ip->dst_addr[1] & 0xc0) == 0x80)
		return punt(DP_PUNT_LOCAL); /* link-local: never forwarded, maybe ours */
	static const uint8_t zero[16];
	if (memcmp(ip->dst_addr, zero, 16) == 0 || memcmp(ip->dst_addr, loop, 16) == 0)
		return drop(DP_DROP_IP6_DST);
	struct cl_res fwd = {CL_IP6, 0};
	if (ip->proto == IPPROTO_FRAGMENT)
		return frag6_check(mb, ip, pl, fwd);
	if (mb->nb_segs != 1)
		return fwd;
	return esp_check(ip->proto, (const uint8_t *)(ip + 1), pl, fwd);
}

static inline struct cl_res classify_one(const struct iface *ifc, struct rte_mbuf *mb)
{
	if (rte_pktmbuf_data_len(mb) < L2_LEN)
		return drop(DP_DROP_ETH_TRUNCATED);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, const struct rte_ether_hdr *);
	if (!rte_is_multicast_ether_addr(&eth->dst_addr) &&
	    !rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac))
		return drop(DP_DROP_ETH_NOT_OURS);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		dp_meta(mb)->family =
			AF_INET; /* also for punts: the control core dispatches on it */
		return ip4_check(mb);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		dp_meta(mb)->family = AF_INET6;
		return ip6_check(mb);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return punt(DP_PUNT_ARP);
	default:
		return drop(DP_DROP_ETH_TYPE);
	}
}

static inline void place(struct dp_lcore_stats *st, struct dp_vec *v, struct rte_mbuf *mb,
			 struct cl_res r)
{
	switch (r.act) {
	case CL_IP4:
		v->ip4[v->n_ip4++] = mb;
		break;
	case CL_IP6:
		v->ip6[v->n_ip6++] = mb;
		break;
	case CL_ESP:
		v->esp_in[v->n_esp_in++] = mb;
		break;
	case CL_FRAG:
		v->frag[v->n_frag++] = mb;
		break;
	case CL_PUNT:
		dp_vec_punt(st, v, mb, (enum dp_punt)r.why);
		break;
	default:
		dp_drop(st, mb, (enum dp_drop)r.why);
		break;
	}
}

/*
 * The burst was written by the NIC (or another core) and is not in this core's cache: ask for
 * every packet's mbuf, dp_meta and headers at once, so the misses overlap instead of stalling
 * classify once per packet. dp_meta lives in the mbuf's second cache line.
 */
static inline void prefetch_burst(struct rte_mbuf **mb, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		rte_prefetch0(mb[i]);
		rte_prefetch0(dp_meta(mb[i]));
	}
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(mb[i], void *));
}

uint32_t dp_classify(struct dp_lcore_stats *st, const struct iface *ifc, struct rte_mbuf **mb,
		     uint16_t n, struct dp_vec *v)
{
	uint32_t bytes = 0;
	prefetch_burst(mb, n);
	for (uint16_t i = 0; i < n; i++) {
		struct dp_meta *m = dp_meta(mb[i]);
		bytes += rte_pktmbuf_pkt_len(mb[i]); /* as received: before padding is trimmed */
		m->in_ifindex = ifc->ifindex;
		m->out_ifindex = 0;
		m->l3_off = L2_LEN;
		m->family = 0;
		m->flags = 0;
		m->stage = DP_STAGE_NONE;
		place(st, v, mb[i], classify_one(ifc, mb[i]));
	}
	return bytes;
}

void dp_classify_ip(struct dp_lcore_stats *st, struct rte_mbuf *mb, struct dp_vec *v)
{
	struct dp_meta *m = dp_meta(mb);
	struct cl_res r = m->family == AF_INET ? ip4_check(mb) : ip6_check(mb);
	/* ESP or fragments inside a tunnel: routed like any packet, never decrypted twice */
	if (r.act == CL_ESP || r.act == CL_FRAG)
		r.act = m->family == AF_INET ? CL_IP4 : CL_IP6;
	place(st, v, mb, r);
}

void dp_classify_whole(struct dp_lcore_stats *st, struct rte_mbuf *mb, struct dp_vec *v)
{
	struct dp_meta *m = dp_meta(mb);
	struct cl_res r = m->family == AF_INET ? ip4_check(mb) : ip6_check(mb);
	if (r.act == CL_FRAG)
		r = drop(DP_DROP_FRAG_MALFORMED);
	place(st, v, mb, r);
}
