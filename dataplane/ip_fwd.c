/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/ip_fwd.c - route, rewrite and transmit (see ip_fwd.h).
 *
 * Order per packet: FIB lookup (bulk) -> local? punt : no route? drop -> TTL/hop limit -> MTU ->
 * neighbor lookup (bulk) -> Ethernet rewrite, TTL decrement with incremental checksum (RFC 1624)
 * -> buffered TX. Anything the fast path cannot finish goes to the control core with its reason.
 */
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/neigh.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/* Packets that passed routing and wait for their neighbor lookup. */
struct fwd_pending {
	struct rte_mbuf *mb[BURST_MAX];
	const struct iface *out[BURST_MAX];
	struct dp_neigh_key key[BURST_MAX];
	const struct dp_neigh_key *kp[BURST_MAX];
	uint16_t n;
};

void dp_tx(struct dp_worker *w, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct dp_txq *q = &w->txq[ifc->port_id];
	struct dp_iface_stats *s = &w->st->ifs[ifc->ifindex];
	s->tx_pkts++;
	s->tx_bytes += rte_pktmbuf_pkt_len(mb);
	w->st->tx_pkts++;
	rte_eth_tx_buffer(ifc->port_id, (uint16_t)w->id, q->buf, mb);
}

static void pending_add(struct fwd_pending *p, struct rte_mbuf *mb, const struct iface *out,
			uint8_t family, const uint8_t *target)
{
	uint16_t i = p->n++;
	p->mb[i] = mb;
	p->out[i] = out;
	dp_neigh_key_make(&p->key[i], out->ifindex, family, target);
	p->kp[i] = &p->key[i];
}

/* Resolve the pending packets' neighbors; rewrite and send hits, punt misses. */
static void pending_flush(struct dp_worker *w, struct fwd_pending *p, struct dp_vec *v)
{
	struct rte_ether_addr mac[BURST_MAX];
	uint64_t hit = dp_neigh_lookup_bulk(w->dp->neigh, p->kp, p->n, mac);
	for (uint16_t i = 0; i < p->n; i++) {
		struct rte_mbuf *mb = p->mb[i];
		struct dp_meta *m = dp_meta(mb);
		if (!(hit & (1ULL << i))) {
			m->out_ifindex = p->out[i]->ifindex;
			memcpy(m->nh_addr, p->key[i].addr, sizeof(m->nh_addr));
			dp_vec_punt(w->st, v, mb, DP_PUNT_NEIGH);
			continue;
		}
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
		eth->dst_addr = mac[i];
		eth->src_addr = p->out[i]->mac;
		if (!(m->flags & DP_MF_ORIGINATED))
			dp_ttl_dec(mb);
		dp_tx(w, p->out[i], mb);
	}
	p->n = 0;
}

/*
 * Common checks after the FIB answered: returns the egress interface, or NULL when the packet
 * was punted or dropped. target receives the neighbor to resolve.
 */
static const struct iface *route_one(struct dp_worker *w, struct dp_vec *v, struct rte_mbuf *mb,
				     uint64_t nh_id, uint8_t ttl, uint32_t l3_len,
				     const uint8_t *dst, uint8_t *target)
{
	const struct dp_nh *nh = dp_fib_nh(w->dp->fib, nh_id);
	if (nh->type == NH_LOCAL) {
		dp_vec_punt(w->st, v, mb, DP_PUNT_LOCAL);
		return NULL;
	}
	const struct iface *out = nh->type == NH_FWD ? iface_get(w->dp->ifaces, nh->ifindex) : NULL;
	struct dp_meta *m = dp_meta(mb);
	if (out == NULL || !out->up) {
		dp_drop(w->st, mb, DP_DROP_NO_ROUTE);
		return NULL;
	}
	if (ttl <= 1 && !(m->flags & DP_MF_ORIGINATED)) {
		dp_vec_punt(w->st, v, mb, DP_PUNT_TTL);
		return NULL;
	}
	if (l3_len > out->mtu) {
		m->out_ifindex = out->ifindex;
		dp_vec_punt(w->st, v, mb, DP_PUNT_MTU);
		return NULL;
	}
	if (out->kind == IFACE_VTI) {
		/* routed into a tunnel: TTL now, then the ESP stage encrypts it */
		m->out_ifindex = out->ifindex;
		dp_ttl_dec(mb);
		v->esp_out[v->n_esp_out++] = mb;
		return NULL;
	}
	memcpy(target, nh->family != 0 ? nh->gw : dst, 16);
	return out;
}

void dp_ip4_forward(struct dp_worker *w, struct dp_vec *v)
{
	uint32_t dst[BURST_MAX];
	uint64_t nh[BURST_MAX];
	struct fwd_pending p;
	uint16_t n = v->n_ip4;

	if (n == 0)
		return;
	v->n_ip4 = 0; /* consumed here; later stages may refill it */
	p.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(v->ip4[i], struct rte_ipv4_hdr *, L2_LEN);
		dst[i] = rte_be_to_cpu_32(ip->dst_addr);
	}
	dp_fib_lookup4(w->dp->fib, dst, nh, n);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->ip4[i];
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
		uint8_t d[16] = {0}, target[16];
		memcpy(d, &ip->dst_addr, 4);
		if ((ip->version_ihl & 0xf) != 5 && dp_fib_nh(w->dp->fib, nh[i])->type == NH_FWD) {
			dp_drop(w->st, mb, DP_DROP_IP4_OPTIONS);
			continue;
		}
		const struct iface *out = route_one(w, v, mb, nh[i], ip->time_to_live,
						    rte_be_to_cpu_16(ip->total_length), d, target);
		if (out != NULL)
			pending_add(&p, mb, out, AF_INET, target);
	}
	pending_flush(w, &p, v);
}

static inline bool ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

void dp_ip6_forward(struct dp_worker *w, struct dp_vec *v)
{
	uint8_t dst[BURST_MAX][16];
	uint64_t nh[BURST_MAX];
	struct fwd_pending p;
	uint16_t n = v->n_ip6;

	if (n == 0)
		return;
	v->n_ip6 = 0;
	p.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ipv6_hdr *ip =
			rte_pktmbuf_mtod_offset(v->ip6[i], struct rte_ipv6_hdr *, L2_LEN);
		memcpy(dst[i], ip->dst_addr, 16);
	}
	dp_fib_lookup6(w->dp->fib, dst, nh, n);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->ip6[i];
		struct rte_ipv6_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
		uint8_t target[16];
		if (ip6_link_local(ip->src_addr) && dp_fib_nh(w->dp->fib, nh[i])->type == NH_FWD) {
			dp_drop(w->st, mb, DP_DROP_IP6_SRC); /* RFC 4291 2.5.6: never forwarded */
			continue;
		}
		uint32_t len = rte_be_to_cpu_16(ip->payload_len) + (uint32_t)sizeof(*ip);
		const struct iface *out =
			route_one(w, v, mb, nh[i], ip->hop_limits, len, dst[i], target);
		if (out != NULL)
			pending_add(&p, mb, out, AF_INET6, target);
	}
	pending_flush(w, &p, v);
}
