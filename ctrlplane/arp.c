/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/arp.c - ARP (RFC 826) on the hub's Ethernet interfaces.
 *
 * Requests for our addresses are answered; the sender's mapping is merged into the neighbor
 * cache (created only when the request was for us, updated otherwise, RFC 826 "merge" rule).
 * Everything is length-checked before it is read; bad frames are counted and dropped.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>

#include "ctrlplane/arp.h"
#include "ctrlplane/nbr.h"

#define ARP_FRAME_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr))

static bool arp_valid(const struct rte_mbuf *mb, const struct rte_arp_hdr **out)
{
	if (rte_pktmbuf_data_len(mb) < ARP_FRAME_LEN)
		return false;
	const struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(mb, const struct rte_arp_hdr *,
							      sizeof(struct rte_ether_hdr));
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || a->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    a->arp_plen != 4)
		return false;
	if (a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    a->arp_opcode != RTE_BE16(RTE_ARP_OP_REPLY))
		return false;
	*out = a;
	return true;
}

static void reply(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	uint32_t our_ip = a->arp_data.arp_tip;

	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = ifc->mac;
	a->arp_data.arp_sip = our_ip;
	eth->dst_addr = a->arp_data.arp_tha;
	eth->src_addr = ifc->mac;
	rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - ARP_FRAME_LEN));
	ctrl_tx(c, ifc, mb);
}

void arp_input(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	const struct rte_arp_hdr *a;
	if (!arp_valid(mb, &a)) {
		ctrl_drop(c, mb, DP_DROP_ARP_BAD);
		return;
	}
	uint8_t sip[4], tip[4];
	memcpy(sip, &a->arp_data.arp_sip, 4);
	memcpy(tip, &a->arp_data.arp_tip, 4);
	bool for_us = iface_has_addr(ifc, AF_INET, tip);
	/* learn only senders on our subnets; never our own address */
	if (iface_subnet_of(ifc, AF_INET, sip) != NULL && !iface_has_addr(ifc, AF_INET, sip))
		nbr_learn(c, ifc, AF_INET, sip, &a->arp_data.arp_sha, for_us);
	if (!for_us) {
		ctrl_drop(c, mb, DP_DROP_NOT_OUR_ADDR);
		return;
	}
	if (a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST))
		reply(c, ifc, mb);
	else
		rte_pktmbuf_free(mb);
}

int arp_request(struct ctrl *c, const struct iface *ifc, const uint8_t *target,
		const struct rte_ether_addr *dst)
{
	const struct iface_addr *src = iface_subnet_of(ifc, AF_INET, target);
	if (src == NULL && ifc->n_v4 == 0)
		return -EADDRNOTAVAIL;
	if (src == NULL)
		src = &ifc->v4[0];
	struct rte_mbuf *mb = ctrl_alloc(c, ARP_FRAME_LEN);
	if (mb == NULL)
		return -ENOMEM;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eth + 1);
	if (dst != NULL)
		eth->dst_addr = *dst;
	else
		memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = ifc->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = ifc->mac;
	memcpy(&a->arp_data.arp_sip, src->addr, 4);
	memset(&a->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	memcpy(&a->arp_data.arp_tip, target, 4);
	ctrl_tx(c, ifc, mb);
	return 0;
}
