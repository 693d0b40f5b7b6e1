/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ctrl.c - the control lcore's event loop, punt dispatch and transmit path.
 *
 * Punted packets arrive with their reason in dp_meta. The loop handles at most BURST_MAX packets
 * per ring per pass so that timers keep running under a flood; a full ring drops at the worker
 * (counted there), never here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "ctrlplane/arp.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/icmp.h"
#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ipsec.h"
#include "ctrlplane/nbr.h"
#include "ctrlplane/tables.h"
#include "dataplane/esp.h"
#include "dataplane/fib.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

#define L2_LEN	   sizeof(struct rte_ether_hdr)
#define NBR_MAX	   4096
#define ICMP_RATE  100 /* errors per second */
#define ICMP_BURST 50

static struct rte_mempool *indirect_pool; /* fragmentation (rte_ipv4_fragment_packet) */

int ctrl_init(struct ctrl *c, struct dp *dp, const struct config *cfg, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->dp = dp;
	c->cfg = cfg;
	c->txq = (uint16_t)dp->n_workers;
	c->idle_sleep_us = cfg->sys.idle_sleep_us;
	c->start_tsc = rte_get_timer_cycles();
	c->icmp_rl = (struct ratelimit){.tokens = ICMP_BURST,
					.last_tsc = c->start_tsc,
					.rate = ICMP_RATE,
					.burst = ICMP_BURST};
	rte_spinlock_init(&c->lock);
	int rc = rte_timer_subsystem_init();
	if (rc != 0 && rc != -EALREADY) {
		snprintf(err, errlen, "timer subsystem: %s", strerror(-rc));
		return rc;
	}
	if (indirect_pool == NULL)
		indirect_pool = rte_pktmbuf_pool_create("ctrl_indirect", 1023, 0, 0, 0,
							(int)rte_socket_id());
	c->nbr = nbr_create(c, NBR_MAX);
	if (c->nbr == NULL || indirect_pool == NULL) {
		snprintf(err, errlen, "control plane: out of memory");
		return -ENOMEM;
	}
	int rc2 = ipsec_load(c, cfg, err, errlen);
	if (rc2 == 0)
		rc2 = tables_routes_load(c, cfg, err, errlen);
	return rc2 != 0 ? rc2 : ike_init(c, cfg, err, errlen);
}

void ctrl_fini(struct ctrl *c)
{
	ike_fini(c);
	ipsec_fini(c);
	nbr_destroy(c->nbr);
	c->nbr = NULL;
	tables_routes_free(c);
	rte_mempool_free(indirect_pool);
	indirect_pool = NULL;
	rte_timer_subsystem_finalize();
}

void ctrl_drop(struct ctrl *c, struct rte_mbuf *mb, enum dp_drop why)
{
	struct dp_lcore_stats *st = dp_ctrl_stats(c->dp);
	dp_count_drop(st, why, 1);
	rte_pktmbuf_free(mb);
}

struct rte_mbuf *ctrl_alloc(struct ctrl *c, uint16_t len)
{
	struct rte_mbuf *mb = rte_pktmbuf_alloc(c->dp->pool);
	if (mb == NULL) {
		dp_count_drop(dp_ctrl_stats(c->dp), DP_DROP_NO_MBUF, 1);
		return NULL;
	}
	if (rte_pktmbuf_append(mb, len) == NULL) {
		rte_pktmbuf_free(mb);
		return NULL;
	}
	memset(rte_pktmbuf_mtod(mb, void *), 0, len);
	return mb;
}

void ctrl_tx(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct dp_lcore_stats *st = dp_ctrl_stats(c->dp);
	uint32_t len = rte_pktmbuf_pkt_len(mb);
	if (rte_eth_tx_burst(ifc->port_id, c->txq, &mb, 1) != 1) {
		st->ifs[ifc->ifindex].drops++;
		ctrl_drop(c, mb, DP_DROP_TX_FULL);
		return;
	}
	st->tx_pkts++;
	st->ifs[ifc->ifindex].tx_pkts++;
	st->ifs[ifc->ifindex].tx_bytes += len;
}

const uint8_t *ctrl_iface_addr(const struct iface *ifc, int family)
{
	if (family == AF_INET)
		return ifc->n_v4 > 0 ? ifc->v4[0].addr : NULL;
	if (ifc->n_v6 == 0)
		return NULL;
	return ifc->v6[0].addr; /* a global one if configured, else the link-local (always last) */
}

bool ctrl_is_local(const struct ctrl *c, int family, const uint8_t *addr)
{
	for (uint16_t i = 1; i < IFACE_MAX; i++) {
		const struct iface *ifc = iface_get(c->dp->ifaces, i);
		if (ifc != NULL && iface_has_addr(ifc, family, addr))
			return true;
	}
	return false;
}

/* FIB lookup on behalf of the control lcore (the tables' writer, so no read-side section). */
static uint64_t route(struct ctrl *c, int family, const uint8_t *dst)
{
	uint64_t nh = 0;
	if (family == AF_INET) {
		uint32_t d;
		memcpy(&d, dst, 4);
		d = rte_be_to_cpu_32(d);
		dp_fib_lookup4(c->dp->fib, &d, &nh, 1);
	} else {
		uint8_t d[1][16];
		memcpy(d[0], dst, 16);
		dp_fib_lookup6(c->dp->fib, d, &nh, 1);
	}
	return nh;
}

/* The SA's owner encrypts what the control lcore sends into a tunnel. */
static void tunnel_output(struct ctrl *c, const struct iface *vti, struct rte_mbuf *mb, int family)
{
	struct dp_meta *m = dp_meta(mb);
	const struct sa *sa = sa_get(c->dp->sas, vti->sa_out);
	if (sa == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_TUNNEL);
		return;
	}
	m->family = (uint8_t)family;
	m->l3_off = L2_LEN;
	m->flags = 0;
	m->out_ifindex = vti->ifindex;
	m->sa_id = sa->id;
	esp_handoff(c->dp, dp_ctrl_stats(c->dp), mb, sa->owner, DP_STAGE_ESP_OUT);
}

static inline bool ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * The crypto map of the egress interface decides as the workers' would (the control lcore is
 * the SPDs' writer, so it reads them without a read-side section): protect hands the packet to
 * the SA's owner to encrypt, discard drops it. True when the packet was taken.
 */
static bool policy_output(struct ctrl *c, const struct spd *spd, struct rte_mbuf *mb, int family)
{
	struct dp_meta *m = dp_meta(mb);
	uint32_t sa_id = 0;
	uint32_t seq = 0;
	uint32_t len = rte_pktmbuf_data_len(mb) - (uint32_t)L2_LEN;
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, const uint8_t *, L2_LEN);
	enum spd_action act = spd_decide(spd, c->dp->n_workers, l3, len, family, &sa_id, &seq);
	if (act == SPD_PROTECT && (sa_id == 0 || sa_id == SPD_SA_HELD)) {
		ike_acquire(c, mb, spd->ifindex, seq, false); /* an IKE entry without its SA yet */
		return true;
	}
	const struct sa *sa = act == SPD_PROTECT ? sa_get(c->dp->sas, sa_id) : NULL;
	if (act == SPD_BYPASS)
		return false;
	if (act == SPD_DISCARD || sa == NULL) {
		ctrl_drop(c, mb, act == SPD_DISCARD ? DP_DROP_SPD_DISCARD : DP_DROP_NO_TUNNEL);
		return true;
	}
	m->family = (uint8_t)family;
	m->l3_off = L2_LEN;
	m->flags = DP_MF_SA_SET;
	m->out_ifindex = 0;
	m->sa_id = sa->id;
	esp_handoff(c->dp, dp_ctrl_stats(c->dp), mb, sa->owner, DP_STAGE_ESP_OUT);
	return true;
}

static void fragment(struct ctrl *c, struct rte_mbuf *mb, const struct iface *out, int family,
		     const uint8_t *gw);

void ctrl_ip_output(struct ctrl *c, struct rte_mbuf *mb, int family, const struct iface *link)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	uint8_t dst[16] = {0};
	uint32_t l3len = rte_pktmbuf_pkt_len(mb) - (uint32_t)L2_LEN;
	if (family == AF_INET) {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		memcpy(dst, &((struct rte_ipv4_hdr *)(eth + 1))->dst_addr, 4);
	} else {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		memcpy(dst, ((struct rte_ipv6_hdr *)(eth + 1))->dst_addr, 16);
		if (ip6_link_local(dst) && link != NULL) {
			nbr_resolve(c, link, family, dst, mb);
			return;
		}
	}
	const struct dp_nh *nh = dp_fib_nh(c->dp->fib, route(c, family, dst));
	const struct iface *out = nh->type == NH_FWD ? iface_get(c->dp->ifaces, nh->ifindex) : NULL;
	if (out == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_ROUTE);
		return;
	}
	/* the map decides on the whole packet: its fragments would have no ports to match */
	const struct spd *spd = out->kind != IFACE_VTI ? spd_of(c->dp, out->ifindex) : NULL;
	if (spd != NULL && policy_output(c, spd, mb, family))
		return;
	const uint8_t *gw = nh->family != 0 ? nh->gw : dst;
	if (l3len > out->mtu && family == AF_INET &&
	    !(((struct rte_ipv4_hdr *)(eth + 1))->fragment_offset &
	      RTE_BE16(RTE_IPV4_HDR_DF_FLAG))) {
		/* our own datagram (a large IKE_AUTH with certificates): fragments (RFC 791) */
		dp_meta(mb)->flags |= DP_MF_ORIGINATED;
		fragment(c, mb, out, AF_INET, gw);
		return;
	}
	if (l3len > out->mtu && family == AF_INET6 && (dp_meta(mb)->flags & DP_MF_ORIGINATED)) {
		/* ours (a large IKE message): the source may fragment (RFC 8200 4.5) */
		fragment(c, mb, out, AF_INET6, gw);
		return;
	}
	if (l3len > out->mtu) {
		ctrl_drop(c, mb, DP_DROP_FRAG_NEEDED);
		return;
	}
	if (out->kind == IFACE_VTI) {
		tunnel_output(c, out, mb, family);
		return;
	}
	nbr_resolve(c, out, family, gw, mb);
}

/*
 * Fragment a packet that exceeds the egress MTU: a forwarded IPv4 one with DF clear (RFC 791),
 * or one the hub originated (IPv4, or IPv6 with a Fragment header, RFC 8200 4.5). With gw, the
 * fragments leave out (into its tunnel, or to next hop gw) past the crypto map, which took the
 * whole packet's decision already; without, each is routed again.
 */
static void fragment(struct ctrl *c, struct rte_mbuf *mb, const struct iface *out, int family,
		     const uint8_t *gw)
{
	struct rte_mbuf *frags[64];
	uint8_t flags = dp_meta(mb)->flags;
	if (!(flags & DP_MF_ORIGINATED))
		dp_ttl_dec(mb);
	rte_pktmbuf_adj(mb, L2_LEN);
	int n = family == AF_INET ? rte_ipv4_fragment_packet(mb, frags, RTE_DIM(frags), out->mtu,
							     c->dp->pool, indirect_pool)
				  : rte_ipv6_fragment_packet(mb, frags, RTE_DIM(frags), out->mtu,
							     c->dp->pool, indirect_pool);
	rte_pktmbuf_free(mb);
	if (n < 0) {
		dp_count_drop(dp_ctrl_stats(c->dp), DP_DROP_FRAG_NEEDED, 1);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (family == AF_INET) { /* the library leaves the header checksum to the caller */
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		dp_meta(frags[i])->flags = flags;
		struct rte_ether_hdr *eth =
			(struct rte_ether_hdr *)rte_pktmbuf_prepend(frags[i], L2_LEN);
		if (eth == NULL) {
			ctrl_drop(c, frags[i], DP_DROP_NO_MBUF);
			continue;
		}
		eth->ether_type = family == AF_INET ? RTE_BE16(RTE_ETHER_TYPE_IPV4)
						    : RTE_BE16(RTE_ETHER_TYPE_IPV6);
		if (gw == NULL)
			ctrl_ip_output(c, frags[i], family, NULL);
		else if (out->kind == IFACE_VTI)
			tunnel_output(c, out, frags[i], family);
		else
			nbr_resolve(c, out, family, gw, frags[i]);
	}
}

static void mtu_exceeded(struct ctrl *c, const struct iface *in, struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	const struct iface *out = iface_get(c->dp->ifaces, m->out_ifindex);
	if (out == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_ROUTE);
		return;
	}
	if (m->family == AF_INET6) {
		icmp6_error(c, in, mb, 2, 0, out->mtu); /* RFC 4443 3.2 Packet Too Big */
		return;
	}
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
		icmp4_error(c, in, mb, 3, 4, out->mtu); /* RFC 1191 fragmentation needed */
	else
		fragment(c, mb, out, AF_INET, NULL);
}

static void neigh_miss(struct ctrl *c, struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	const struct iface *out = iface_get(c->dp->ifaces, m->out_ifindex);
	if (out == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_ROUTE);
		return;
	}
	if (!(m->flags & DP_MF_ORIGINATED))
		dp_ttl_dec(mb); /* the worker routed it but did not rewrite it */
	nbr_resolve(c, out, m->family, m->nh_addr, mb);
}

/* ESP for one of our addresses that no inbound SA claimed (RFC 4303 3.4.2: discard, audit). */
static void esp_no_sa(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	RTE_SET_USED(ifc);
	ctrl_drop(c, mb, DP_DROP_ESP_NO_SA);
}

/* UDP for the hub: IKE on 500 and 4500 (behind the non-ESP marker, RFC 3948 2.2). */
static void udp_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb, int family)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, const uint8_t *, L2_LEN);
	uint32_t hl =
		family == AF_INET ? (l3[0] & 0xfu) * 4u : (uint32_t)sizeof(struct rte_ipv6_hdr);
	RTE_SET_USED(ifc);
	if (rte_pktmbuf_data_len(mb) < L2_LEN + hl + sizeof(struct rte_udp_hdr) || c->ike == NULL) {
		ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
		return;
	}
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(l3 + hl);
	uint16_t port = rte_be_to_cpu_16(u->dst_port);
	if (port == 500 || port == 4500)
		ike_input(c, mb, family);
	else
		ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
}

static void udp4_local(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	udp_local(c, ifc, mb, AF_INET);
}

static const struct {
	uint8_t proto;
	void (*fn)(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb);
} local4_handlers[] = {
	{IPPROTO_ICMP, icmp4_local},
	{IPPROTO_ESP, esp_no_sa},
	{IPPROTO_UDP, udp4_local},
};

static void local4(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	for (size_t i = 0; i < RTE_DIM(local4_handlers); i++) {
		if (local4_handlers[i].proto == ip->next_proto_id) {
			local4_handlers[i].fn(c, ifc, mb);
			return;
		}
	}
	ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
}

void ctrl_input(struct ctrl *c, struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	const struct iface *ifc = iface_get(c->dp->ifaces, m->in_ifindex);
	if (ifc == NULL) {
		ctrl_drop(c, mb, DP_DROP_NO_ROUTE);
		return;
	}
	bool v4 = m->family == AF_INET;
	switch (m->punt) {
	case DP_PUNT_ARP:
		arp_input(c, ifc, mb);
		break;
	case DP_PUNT_LOCAL:
		if (v4)
			local4(c, ifc, mb);
		else if (rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN)->proto ==
			 IPPROTO_ESP)
			esp_no_sa(c, ifc, mb);
		else if (rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN)->proto ==
			 IPPROTO_UDP)
			udp_local(c, ifc, mb, AF_INET6);
		else
			icmp6_local(c, ifc, mb);
		break;
	case DP_PUNT_MCAST:
		if (v4)
			ctrl_drop(c, mb, DP_DROP_MCAST_UNHANDLED);
		else
			icmp6_local(c, ifc, mb);
		break;
	case DP_PUNT_TTL:
		if (v4)
			icmp4_error(c, ifc, mb, 11, 0, 0);
		else
			icmp6_error(c, ifc, mb, 3, 0, 0);
		break;
	case DP_PUNT_NEIGH:
		neigh_miss(c, mb);
		break;
	case DP_PUNT_MTU:
		mtu_exceeded(c, ifc, mb);
		break;
	case DP_PUNT_ACQUIRE:
		ike_acquire(c, mb, m->out_ifindex, m->sa_id, true);
		break;
	default:
		ctrl_drop(c, mb, DP_DROP_LOCAL_UNHANDLED);
		break;
	}
}

unsigned int ctrl_poll(struct ctrl *c)
{
	struct rte_mbuf *mb[BURST_MAX];
	unsigned int total = 0;
	struct dp_lcore_stats *st = dp_ctrl_stats(c->dp);
	for (unsigned int w = 0; w < c->dp->n_workers; w++) {
		unsigned int n = rte_ring_dequeue_burst(c->dp->workers[w].punt, (void **)mb,
							BURST_MAX, NULL);
		st->rx_pkts += n;
		for (unsigned int i = 0; i < n; i++)
			ctrl_input(c, mb[i]);
		total += n;
	}
	rte_timer_manage();
	return total;
}

void ctrl_run(struct ctrl *c, volatile sig_atomic_t *quit)
{
	struct dp_lcore_stats *st = dp_ctrl_stats(c->dp);
	uint64_t prev = rte_rdtsc();
	while (!*quit) {
		unsigned int n = ctrl_poll(c);
		uint64_t now = rte_rdtsc();
		dp_loop_account(st, prev, now, n);
		if (n == 0 && c->idle_sleep_us > 0) {
			struct timespec ts = {0, (long)c->idle_sleep_us * 1000};
			nanosleep(&ts, NULL);
			uint64_t woke = rte_rdtsc();
			st->total_cycles += woke - now;
			now = woke;
		}
		prev = now;
	}
}
