/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/nd.c - IPv6 neighbor discovery, the parts a router needs (RFC 4861 4.3, 4.4, 7):
 * answer NS for our addresses (incl. DAD probes), learn from NS/NA, solicit unknown neighbors.
 * Messages failing the RFC 4861 7.1 validity checks are counted and dropped.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "ctrlplane/nbr.h"
#include "ctrlplane/nd.h"

#define ND_NS		  135
#define ND_NA		  136
#define ND_OPT_SLLA	  1
#define ND_OPT_TLLA	  2
#define NA_FLAG_ROUTER	  0x80
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE  0x20
#define L2_LEN		  sizeof(struct rte_ether_hdr)
#define L3_LEN		  sizeof(struct rte_ipv6_hdr)

/* NS and NA share this layout (RFC 4861 4.3/4.4). */
struct nd_msg {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint8_t flags;
	uint8_t reserved[3];
	uint8_t target[16];
};
_Static_assert(sizeof(struct nd_msg) == 24, "RFC 4861 4.3 layout");

struct nd_lla_opt {
	uint8_t type;
	uint8_t len; /* units of 8 bytes */
	struct rte_ether_addr mac;
};
_Static_assert(sizeof(struct nd_lla_opt) == 8, "RFC 4861 4.6.1 layout");

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

static bool is_unspec(const uint8_t *a)
{
	static const uint8_t z[16];
	return memcmp(a, z, 16) == 0;
}

/* Walk the options (RFC 4861 4.6); returns false on a zero-length or overrunning option. */
static bool opts_parse(const uint8_t *p, size_t len, uint8_t want,
		       const struct rte_ether_addr **mac)
{
	*mac = NULL;
	while (len > 0) {
		if (len < 2 || p[1] == 0 || (size_t)p[1] * 8 > len)
			return false;
		if (p[0] == want && p[1] == 1)
			*mac = &((const struct nd_lla_opt *)p)->mac;
		len -= (size_t)p[1] * 8;
		p += (size_t)p[1] * 8;
	}
	return true;
}

/* RFC 4861 7.1.1 / 7.1.2 checks common to NS and NA. */
static bool nd_valid(struct rte_mbuf *mb, struct rte_ipv6_hdr **ipp, struct nd_msg **msgp,
		     size_t *icmp_len)
{
	if (rte_pktmbuf_data_len(mb) < L2_LEN + L3_LEN + sizeof(struct nd_msg))
		return false;
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
	size_t plen = rte_be_to_cpu_16(ip->payload_len);
	if (ip->proto != IPPROTO_ICMPV6 || ip->hop_limits != 255 || plen < sizeof(struct nd_msg) ||
	    L2_LEN + L3_LEN + plen > rte_pktmbuf_data_len(mb))
		return false;
	struct nd_msg *m = (struct nd_msg *)(ip + 1);
	if (m->code != 0 || m->target[0] == 0xff || rte_ipv6_udptcp_cksum_verify(ip, m) != 0)
		return false;
	*ipp = ip;
	*msgp = m;
	*icmp_len = plen;
	return true;
}

/* Turn the received NS in mb into our NA for target and send it. */
static void na_send(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, bool dad,
		    const struct rte_ether_addr *to)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct nd_msg *m = (struct nd_msg *)(ip + 1);
	struct nd_lla_opt *o = (struct nd_lla_opt *)(m + 1);
	uint16_t len = (uint16_t)(L2_LEN + L3_LEN + sizeof(*m) + sizeof(*o));

	if (rte_pktmbuf_pkt_len(mb) < len &&
	    rte_pktmbuf_append(mb, len - rte_pktmbuf_pkt_len(mb)) == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_MBUF);
		return;
	}
	rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - len));
	if (dad)
		memcpy(ip->dst_addr, all_nodes, 16);
	else
		memcpy(ip->dst_addr, ip->src_addr, 16);
	memcpy(ip->src_addr, m->target, 16);
	ip->payload_len = rte_cpu_to_be_16(sizeof(*m) + sizeof(*o));
	ip->hop_limits = 255;
	m->type = ND_NA;
	m->flags = NA_FLAG_ROUTER | NA_FLAG_OVERRIDE | (dad ? 0 : NA_FLAG_SOLICITED);
	memset(m->reserved, 0, sizeof(m->reserved));
	o->type = ND_OPT_TLLA;
	o->len = 1;
	o->mac = ifc->mac;
	m->cksum = 0;
	m->cksum = rte_ipv6_udptcp_cksum(ip, m);
	if (dad) {
		static const struct rte_ether_addr mc = {{0x33, 0x33, 0, 0, 0, 1}};
		eth->dst_addr = mc;
	} else {
		eth->dst_addr = *to;
	}
	eth->src_addr = ifc->mac;
	ctrl_tx(c, ifc, mb);
}

static void ns_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb,
		     struct rte_ipv6_hdr *ip, struct nd_msg *m, size_t len)
{
	const struct rte_ether_addr *slla;
	if (!opts_parse((const uint8_t *)(m + 1), len - sizeof(*m), ND_OPT_SLLA, &slla)) {
		ctrl_drop(c, mb, DP_DROP_ND_BAD);
		return;
	}
	bool dad = is_unspec(ip->src_addr);
	if (dad && (slla != NULL || ip->dst_addr[0] != 0xff)) {
		ctrl_drop(c, mb, DP_DROP_ND_BAD); /* RFC 4861 7.1.1 */
		return;
	}
	if (!iface_has_addr(ifc, AF_INET6, m->target)) {
		ctrl_drop(c, mb, DP_DROP_NOT_OUR_ADDR);
		return;
	}
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, const struct rte_ether_hdr *);
	struct rte_ether_addr to = slla != NULL ? *slla : eth->src_addr;
	if (!dad && slla != NULL)
		nbr_learn(c, ifc, AF_INET6, ip->src_addr, slla, true);
	na_send(c, ifc, mb, dad, &to);
}

static void na_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb,
		     struct rte_ipv6_hdr *ip, struct nd_msg *m, size_t len)
{
	const struct rte_ether_addr *tlla;
	if (!opts_parse((const uint8_t *)(m + 1), len - sizeof(*m), ND_OPT_TLLA, &tlla) ||
	    (ip->dst_addr[0] == 0xff && (m->flags & NA_FLAG_SOLICITED))) {
		ctrl_drop(c, mb, DP_DROP_ND_BAD);
		return;
	}
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, const struct rte_ether_hdr *);
	if (!iface_has_addr(ifc, AF_INET6, m->target))
		nbr_learn(c, ifc, AF_INET6, m->target, tlla != NULL ? tlla : &eth->src_addr, false);
	rte_pktmbuf_free(mb);
}

void nd_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, uint8_t type)
{
	struct rte_ipv6_hdr *ip;
	struct nd_msg *m;
	size_t len;
	if (!nd_valid(mb, &ip, &m, &len)) {
		ctrl_drop(c, mb, DP_DROP_ND_BAD);
		return;
	}
	if (type == ND_NS)
		ns_input(c, ifc, mb, ip, m, len);
	else
		na_input(c, ifc, mb, ip, m, len);
}

static void solicited_node(const uint8_t *target, uint8_t out[16], struct rte_ether_addr *mac)
{
	static const uint8_t pfx[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	memcpy(out, pfx, 13);
	memcpy(out + 13, target + 13, 3);
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], out + 12, 4);
}

int nd_solicit(struct ctrl *c, const struct iface *ifc, const uint8_t *target,
	       const struct rte_ether_addr *dst)
{
	uint16_t len =
		(uint16_t)(L2_LEN + L3_LEN + sizeof(struct nd_msg) + sizeof(struct nd_lla_opt));
	const struct iface_addr *src = iface_subnet_of(ifc, AF_INET6, target);
	const uint8_t *saddr = src != NULL ? src->addr : ctrl_iface_addr(ifc, AF_INET6);
	struct rte_mbuf *mb = ctrl_alloc(c, len);
	if (mb == NULL)
		return -ENOMEM;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	struct nd_msg *m = (struct nd_msg *)(ip + 1);
	struct nd_lla_opt *o = (struct nd_lla_opt *)(m + 1);
	memset(ip, 0, len - L2_LEN);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(sizeof(*m) + sizeof(*o));
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 255;
	memcpy(ip->src_addr, saddr, 16);
	solicited_node(target, ip->dst_addr, &eth->dst_addr);
	if (dst != NULL) {
		memcpy(ip->dst_addr, target, 16);
		eth->dst_addr = *dst;
	}
	eth->src_addr = ifc->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->type = ND_NS;
	memcpy(m->target, target, 16);
	o->type = ND_OPT_SLLA;
	o->len = 1;
	o->mac = ifc->mac;
	m->cksum = rte_ipv6_udptcp_cksum(ip, m);
	ctrl_tx(c, ifc, mb);
	return 0;
}
