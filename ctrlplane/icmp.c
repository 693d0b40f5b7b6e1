/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/icmp.c - ICMP (RFC 792, RFC 1812 4.3) and ICMPv6 (RFC 4443) on the control lcore.
 *
 * Echo requests to the hub's unicast addresses are answered. Errors are sent for expired TTL and
 * for packets too big for the egress MTU; never about an ICMP error, a multicast or broadcast
 * destination, a non-initial fragment or a non-unicast source, and never faster than the token
 * bucket allows (a suppressed error is counted).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "ctrlplane/icmp.h"
#include "ctrlplane/nd.h"

#define L2_LEN		   sizeof(struct rte_ether_hdr)
#define IP4_ERR_MAX	   576	/* RFC 1812 4.3.2.3 */
#define IP6_ERR_MAX	   1280 /* RFC 4443 2.4(c) */
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY   129

bool icmp_ratelimit_take(struct ratelimit *rl)
{
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();
	uint64_t add = (now - rl->last_tsc) * rl->rate / hz;
	if (add > 0) {
		rl->tokens = RTE_MIN(rl->burst, rl->tokens + add);
		rl->last_tsc = now;
	}
	if (rl->tokens == 0)
		return false;
	rl->tokens--;
	return true;
}

static inline bool ip4_unicast(uint32_t a_be)
{
	uint8_t a0 = (uint8_t)(rte_be_to_cpu_32(a_be) >> 24);
	return a0 != 0 && a0 != 127 && a0 < 224;
}

static void echo4_reply(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb,
			struct rte_ipv4_hdr *ip, struct rte_icmp_hdr *icmp)
{
	uint32_t sum;
	uint32_t src = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = src;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	/* RFC 1624: the type word went from 0x0800 to 0x0000 */
	sum = (uint32_t)icmp->icmp_cksum + RTE_BE16(0x0800);
	icmp->icmp_cksum = (uint16_t)(sum + (sum >> 16));
	ctrl_ip_output(c, mb, AF_INET, ifc);
}

void icmp4_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	uint8_t dst[16] = {0};
	memcpy(dst, &ip->dst_addr, 4);
	if (!ctrl_is_local(c, AF_INET, dst)) {
		ctrl_drop(c, mb, DP_DROP_MCAST_UNHANDLED); /* directed broadcast */
		return;
	}
	uint16_t hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	uint16_t tl = rte_be_to_cpu_16(ip->total_length);
	bool frag =
		(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK));
	if (ip->next_proto_id != IPPROTO_ICMP || hl != sizeof(*ip) || frag) {
		ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	/* classify checked tl against the frame; ICMP needs its 8 bytes and a valid checksum */
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	if (tl < hl + sizeof(*icmp) || rte_raw_cksum(icmp, tl - hl) != 0xffff) {
		ctrl_drop(c, mb, DP_DROP_ICMP_BAD);
		return;
	}
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || icmp->icmp_code != 0) {
		ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	echo4_reply(c, ifc, mb, ip, icmp);
}

/* May an ICMPv4 error be sent about this packet? (RFC 1812 4.3.2.7) */
static bool ip4_error_allowed(const struct rte_ipv4_hdr *ip, uint32_t avail)
{
	if (!ip4_unicast(ip->src_addr) || !ip4_unicast(ip->dst_addr))
		return false;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		uint32_t hl = (ip->version_ihl & 0xf) * 4u;
		if (avail < hl + 1)
			return false;
		uint8_t t = ((const uint8_t *)ip)[hl];
		if (t != RTE_IP_ICMP_ECHO_REQUEST && t != RTE_IP_ICMP_ECHO_REPLY && t != 13 &&
		    t != 14)
			return false; /* never an error about an error */
	}
	return true;
}

void icmp4_error(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *orig, uint8_t type,
		 uint8_t code, uint32_t info)
{
	const struct rte_ipv4_hdr *oip =
		rte_pktmbuf_mtod_offset(orig, struct rte_ipv4_hdr *, L2_LEN);
	uint32_t olen = rte_pktmbuf_pkt_len(orig) - (uint32_t)L2_LEN;
	const uint8_t *src = ctrl_iface_addr(ifc, AF_INET);
	if (!ip4_error_allowed(oip, olen) || src == NULL) {
		ctrl_drop(c, orig, DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	if (!icmp_ratelimit_take(&c->icmp_rl)) {
		ctrl_drop(c, orig, DP_DROP_ICMP_RATELIMIT);
		return;
	}
	uint32_t quote = RTE_MIN(olen, IP4_ERR_MAX - 28u);
	quote = RTE_MIN(quote, (uint32_t)rte_pktmbuf_data_len(orig) - (uint32_t)L2_LEN);
	struct rte_mbuf *mb = ctrl_alloc(c, (uint16_t)(L2_LEN + 28 + quote));
	if (mb == NULL) {
		ctrl_drop(c, orig, DP_DROP_NO_MBUF);
		return;
	}
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, 28);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(28 + quote));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, src, 4);
	ip->dst_addr = oip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_seq_nb = rte_cpu_to_be_16((uint16_t)info); /* next-hop MTU (RFC 1191) */
	memcpy(icmp + 1, oip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, 8 + quote);
	rte_pktmbuf_free(orig);
	ctrl_ip_output(c, mb, AF_INET, ifc);
}

static bool ip6_is_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

void icmp6_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
	uint32_t plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != IPPROTO_ICMPV6) {
		ctrl_drop(c, mb,
			  ip6_is_mcast(ip->dst_addr) ? DP_DROP_MCAST_UNHANDLED
						     : DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	if (plen < 4 || L2_LEN + sizeof(*ip) + plen > rte_pktmbuf_data_len(mb)) {
		ctrl_drop(c, mb, DP_DROP_ICMP_BAD);
		return;
	}
	uint8_t *icmp = (uint8_t *)(ip + 1);
	if (icmp[0] == 135 || icmp[0] == 136) {
		nd_input(c, ifc, mb, icmp[0]);
		return;
	}
	bool ours = !ip6_is_mcast(ip->dst_addr) && (ctrl_is_local(c, AF_INET6, ip->dst_addr) ||
						    iface_has_addr(ifc, AF_INET6, ip->dst_addr));
	if (icmp[0] != ICMP6_ECHO_REQUEST || !ours) {
		ctrl_drop(c, mb, ours ? DP_DROP_LOCAL_UNHANDLED : DP_DROP_MCAST_UNHANDLED);
		return;
	}
	if (plen < 8 || rte_ipv6_udptcp_cksum_verify(ip, icmp) != 0) {
		ctrl_drop(c, mb, DP_DROP_ICMP_BAD);
		return;
	}
	uint8_t tmp[16];
	memcpy(tmp, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, tmp, 16);
	ip->hop_limits = 64;
	icmp[0] = ICMP6_ECHO_REPLY;
	icmp[2] = icmp[3] = 0;
	uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);
	memcpy(icmp + 2, &ck, 2);
	ctrl_ip_output(c, mb, AF_INET6, ifc);
}

/* May an ICMPv6 error be sent about this packet? (RFC 4443 2.4(e)) */
static bool ip6_error_allowed(const struct rte_ipv6_hdr *ip, uint32_t avail, uint8_t type)
{
	static const uint8_t z[16];
	if (ip6_is_mcast(ip->src_addr) || memcmp(ip->src_addr, z, 16) == 0)
		return false;
	if (ip6_is_mcast(ip->dst_addr) && type != 2)
		return false;
	if (ip->proto == IPPROTO_ICMPV6 && avail > sizeof(*ip)) {
		uint8_t t = ((const uint8_t *)(ip + 1))[0];
		if (t < 128)
			return false; /* an error message */
	}
	return true;
}

void icmp6_error(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *orig, uint8_t type,
		 uint8_t code, uint32_t info)
{
	const struct rte_ipv6_hdr *oip =
		rte_pktmbuf_mtod_offset(orig, struct rte_ipv6_hdr *, L2_LEN);
	uint32_t olen = rte_pktmbuf_data_len(orig) - (uint32_t)L2_LEN;
	const uint8_t *src = ctrl_iface_addr(ifc, AF_INET6);
	if (!ip6_error_allowed(oip, olen, type) || src == NULL) {
		ctrl_drop(c, orig, DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	if (!icmp_ratelimit_take(&c->icmp_rl)) {
		ctrl_drop(c, orig, DP_DROP_ICMP_RATELIMIT);
		return;
	}
	uint32_t quote = RTE_MIN(olen, IP6_ERR_MAX - 48u);
	struct rte_mbuf *mb = ctrl_alloc(c, (uint16_t)(L2_LEN + 48 + quote));
	if (mb == NULL) {
		ctrl_drop(c, orig, DP_DROP_NO_MBUF);
		return;
	}
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	memset(ip, 0, 48);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + quote));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, oip->src_addr, 16);
	icmp[0] = type;
	icmp[1] = code;
	uint32_t info_be = rte_cpu_to_be_32(info);
	memcpy(icmp + 4, &info_be, 4);
	memcpy(icmp + 8, oip, quote);
	uint16_t ck = rte_ipv6_udptcp_cksum(ip, icmp);
	memcpy(icmp + 2, &ck, 2);
	rte_pktmbuf_free(orig);
	ctrl_ip_output(c, mb, AF_INET6, ifc);
}
