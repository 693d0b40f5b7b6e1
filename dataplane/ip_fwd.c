/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/ip_fwd.c - route, rewrite and transmit (see ip_fwd.h).
 *
 * Order per burst: FIB lookup (bulk) -> per packet: local? punt : no route? drop -> TTL/hop
 * limit -> MTU -> the next hop's MAC: a gateway's from its next-hop entry (fib.h), the rest
 * from one bulk neighbor hash lookup, whose misses are punted for resolution -> Ethernet
 * rewrite, TTL decrement with incremental checksum (RFC 1624) as soon as the MAC is known,
 * while the header is in cache -> in input order, the TX buffer of the egress port, with the
 * interface counters added once per run of packets to one interface.
 * Crypto maps (spd.c) sit at two points: the inbound policy right after the FIB lookup, the
 * outbound one for the packets that passed route_one towards an interface with an SPD.
 * Anything the fast path cannot finish goes to the control core with its reason, except the
 * hub's own packets over the MTU that it may fragment: frag_output cuts those (frag.h).
 * Streams of the hub's own packets to one destination (an SA's outer packets) may skip all of
 * this through a struct dp_nh_cache (nh_cache.h): dp_fwd_cache_fill is the same decision made
 * once, and whatever it cannot decide for good still comes here.
 */
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>

#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/spd.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/* Packets that passed routing, in input order, and the neighbor keys of those without a MAC. */
struct fwd_pending {
	struct rte_mbuf *mb[BURST_MAX];
	const struct iface *out[BURST_MAX];
	uint64_t ready; /* bit i: packet i is rewritten and goes out */
	uint16_t n;
	uint16_t nk;
	uint8_t kpkt[BURST_MAX]; /* key j belongs to packet kpkt[j] */
	struct dp_neigh_key key[BURST_MAX];
	const struct dp_neigh_key *kp[BURST_MAX];
};

/* Packets of a burst queued back to back for one interface: its counters move once. */
struct tx_run {
	uint16_t ifindex; /* 0: none yet */
	uint32_t pkts;
	uint64_t bytes;
};

static inline void tx_run_end(struct dp_worker *w, struct tx_run *r)
{
	if (r->pkts == 0)
		return;
	dp_count_tx(w->st, r->ifindex, r->pkts, r->bytes);
	r->pkts = 0;
	r->bytes = 0;
}

/* rte_eth_tx_buffer out of port (interface ifindex), with the counting batched in r. */
static inline void tx_put(struct dp_worker *w, struct tx_run *r, uint16_t port, uint16_t ifindex,
			  struct rte_mbuf *mb)
{
	struct rte_eth_dev_tx_buffer *b = w->txq[port].buf;
	if (ifindex != r->ifindex) {
		tx_run_end(w, r);
		r->ifindex = ifindex;
	}
	r->pkts++;
	r->bytes += rte_pktmbuf_pkt_len(mb);
	b->pkts[b->length++] = mb;
	if (b->length < b->size)
		return;
	/* counted first: the flush's error callback uncounts what the queue refused */
	tx_run_end(w, r);
	rte_eth_tx_buffer_flush(port, (uint16_t)w->id, b);
}

void dp_tx(struct dp_worker *w, const struct iface *ifc, struct rte_mbuf *mb)
{
	struct tx_run r = {0, 0, 0};
	tx_put(w, &r, ifc->port_id, ifc->ifindex, mb);
	tx_run_end(w, &r);
}

static inline void rewrite(struct rte_mbuf *mb, const struct iface *out,
			   const struct rte_ether_addr *mac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	eth->dst_addr = *mac;
	eth->src_addr = out->mac;
	if (!(dp_meta(mb)->flags & DP_MF_ORIGINATED))
		dp_ttl_dec(mb);
}

/*
 * Queue a routed packet: rewritten and ready when its next hop knows the gateway's MAC, else
 * with the key the neighbor hash is asked (the gateway, or the destination when connected).
 */
static inline void pending_add(struct fwd_pending *p, struct rte_mbuf *mb, const struct iface *out,
			       const struct dp_nh *nh, uint8_t family, const uint8_t *dst)
{
	struct rte_ether_addr mac;
	uint16_t i = p->n++;
	p->mb[i] = mb;
	p->out[i] = out;
	if (dp_nh_mac(nh, family, &mac)) {
		rewrite(mb, out, &mac);
		p->ready |= 1ULL << i;
		return;
	}
	uint16_t j = p->nk++;
	dp_neigh_key_make(&p->key[j], out->ifindex, family, nh->family != 0 ? nh->gw : dst);
	p->kp[j] = &p->key[j];
	p->kpkt[j] = (uint8_t)i;
}

/* Ask the neighbor hash for the keyed packets: hits are rewritten, misses are punted. */
static void pending_resolve(struct dp_worker *w, struct fwd_pending *p, struct dp_vec *v)
{
	struct rte_ether_addr mac[BURST_MAX];
	if (p->nk == 0)
		return;
	uint64_t hit = dp_neigh_lookup_bulk(w->dp->neigh, p->kp, p->nk, mac);
	for (uint16_t j = 0; j < p->nk; j++) {
		uint16_t i = p->kpkt[j];
		if (hit & (1ULL << j)) {
			rewrite(p->mb[i], p->out[i], &mac[j]);
			p->ready |= 1ULL << i;
			continue;
		}
		struct dp_meta *m = dp_meta(p->mb[i]);
		m->out_ifindex = p->out[i]->ifindex;
		memcpy(m->nh_addr, p->key[j].addr, sizeof(m->nh_addr));
		dp_vec_punt(w->st, v, p->mb[i], DP_PUNT_NEIGH);
	}
}

/* Queue the ready packets for TX, in input order. */
static void pending_send(struct dp_worker *w, struct fwd_pending *p)
{
	struct tx_run r = {0, 0, 0};
	for (uint16_t i = 0; i < p->n; i++) {
		if (p->ready & (1ULL << i))
			tx_put(w, &r, p->out[i]->port_id, p->out[i]->ifindex, p->mb[i]);
	}
	tx_run_end(w, &r);
}

static void pending_flush(struct dp_worker *w, struct fwd_pending *p, struct dp_vec *v)
{
	pending_resolve(w, p, v);
	pending_send(w, p);
}

/*
 * Packets of a burst routed out of an interface with a crypto map (spd.h): decided together
 * once the burst is routed, then the ones sent as they are join the pending packets in order.
 */
struct policy_pending {
	struct rte_mbuf *mb[BURST_MAX];
	const struct spd *spd[BURST_MAX];
	const struct iface *out[BURST_MAX];
	const struct dp_nh *nh[BURST_MAX];
	const uint8_t *dst[BURST_MAX];
	uint16_t n;
};

/* pending_add, unless the egress has an SPD and the packet is not the hub's own ESP. */
static inline void policy_add(struct dp_worker *w, struct fwd_pending *p, struct policy_pending *s,
			      struct rte_mbuf *mb, const struct iface *out, const struct dp_nh *nh,
			      uint8_t family, const uint8_t *dst)
{
	const struct spd *spd = spd_of(w->dp, out->ifindex);
	if (spd == NULL || (dp_meta(mb)->flags & DP_MF_ORIGINATED)) {
		pending_add(p, mb, out, nh, family, dst);
		return;
	}
	uint16_t i = s->n++;
	s->mb[i] = mb;
	s->spd[i] = spd;
	s->out[i] = out;
	s->nh[i] = nh;
	s->dst[i] = dst;
}

/* protect and discard are taken by spd_output; bypass goes on. */
static void policy_flush(struct dp_worker *w, struct dp_vec *v, struct fwd_pending *p,
			 struct policy_pending *s, uint8_t family)
{
	if (s->n == 0)
		return;
	uint64_t fwd = spd_output(w, v, s->mb, s->spd, s->n, family);
	for (uint16_t i = 0; i < s->n; i++)
		if (fwd & (1ULL << i))
			pending_add(p, s->mb[i], s->out[i], s->nh[i], family, s->dst[i]);
}

/*
 * Over the egress MTU: what the hub built itself is fragmented here when it may be (IPv4 with
 * DF clear, RFC 791 2.3; IPv6, the hub being its source, RFC 8200 4.5) and leaves a physical
 * interface; the control lcore takes the rest (ICMP errors, transit IPv4 to fragment).
 */
static inline bool frag_here(const struct dp_vec *v, struct rte_mbuf *mb, const struct iface *out)
{
	const struct dp_meta *m = dp_meta(mb);
	if (!(m->flags & DP_MF_ORIGINATED) || out->kind != IFACE_ETHER ||
	    v->n_frag_out == BURST_MAX)
		return false;
	if (m->family == AF_INET6)
		return true;
	const struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(mb, const struct rte_ipv4_hdr *, m->l3_off);
	return !(ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
}

/*
 * Common checks after the FIB answered: returns the egress interface, or NULL when the packet
 * was punted, dropped, or queued for encryption or fragmentation.
 */
static const struct iface *route_one(struct dp_worker *w, struct dp_vec *v, struct rte_mbuf *mb,
				     const struct dp_nh *nh, uint8_t ttl, uint32_t l3_len)
{
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
		if (frag_here(v, mb, out))
			v->frag_out[v->n_frag_out++] = mb;
		else
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
	return out;
}

void dp_ip4_forward(struct dp_worker *w, struct dp_vec *v)
{
	uint32_t dst[BURST_MAX];
	uint64_t nh[BURST_MAX];
	struct fwd_pending p;
	struct policy_pending sp;
	uint16_t n = v->n_ip4;

	if (n == 0)
		return;
	v->n_ip4 = 0; /* consumed here; later stages may refill it */
	p.n = p.nk = 0;
	p.ready = 0;
	sp.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(v->ip4[i], struct rte_ipv4_hdr *, L2_LEN);
		dst[i] = rte_be_to_cpu_32(ip->dst_addr);
	}
	dp_fib_lookup4(w->dp->fib, dst, nh, n);
	spd_input(w, v->ip4, nh, n, AF_INET); /* crypto maps: clear text that may not enter */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->ip4[i];
		if (mb == NULL)
			continue; /* dropped by spd_input */
		struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
		const struct dp_nh *h = dp_fib_nh(w->dp->fib, nh[i]);
		if ((ip->version_ihl & 0xf) != 5 && h->type == NH_FWD) {
			dp_drop(w->st, mb, DP_DROP_IP4_OPTIONS);
			continue;
		}
		const struct iface *out = route_one(w, v, mb, h, ip->time_to_live,
						    rte_be_to_cpu_16(ip->total_length));
		if (out != NULL)
			policy_add(w, &p, &sp, mb, out, h, AF_INET, (const uint8_t *)&ip->dst_addr);
	}
	policy_flush(w, v, &p, &sp, AF_INET);
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
	struct policy_pending sp;
	uint16_t n = v->n_ip6;

	if (n == 0)
		return;
	v->n_ip6 = 0;
	p.n = p.nk = 0;
	p.ready = 0;
	sp.n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_ipv6_hdr *ip =
			rte_pktmbuf_mtod_offset(v->ip6[i], struct rte_ipv6_hdr *, L2_LEN);
		memcpy(dst[i], ip->dst_addr, 16);
	}
	dp_fib_lookup6(w->dp->fib, dst, nh, n);
	spd_input(w, v->ip6, nh, n, AF_INET6);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->ip6[i];
		if (mb == NULL)
			continue;
		struct rte_ipv6_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
		const struct dp_nh *h = dp_fib_nh(w->dp->fib, nh[i]);
		if (ip6_link_local(ip->src_addr) && h->type == NH_FWD) {
			dp_drop(w->st, mb, DP_DROP_IP6_SRC); /* RFC 4291 2.5.6: never forwarded */
			continue;
		}
		uint32_t len = rte_be_to_cpu_16(ip->payload_len) + (uint32_t)sizeof(*ip);
		const struct iface *out = route_one(w, v, mb, h, ip->hop_limits, len);
		if (out != NULL)
			policy_add(w, &p, &sp, mb, out, h, AF_INET6, dst[i]);
	}
	policy_flush(w, v, &p, &sp, AF_INET6);
	pending_flush(w, &p, v);
}

uint64_t dp_fwd_gen(const struct dp *dp)
{
	/* each only grows, so the sum changes whenever one of them does */
	return dp_fib_gen(dp->fib) + dp_neigh_gen(dp->neigh) + iface_gen(dp->ifaces);
}

/*
 * What dp_ip4_forward/dp_ip6_forward would do with a hub-originated packet to dst, short of
 * its per-packet checks (header, MTU): ok only when they would rewrite it and queue it for TX
 * at once. Everything else (punt to the hub, no route, down or tunnel egress, neighbor to
 * resolve) stays theirs: ok = 0.
 */
void dp_fwd_cache_fill(struct dp_worker *w, struct dp_nh_cache *c, uint64_t gen, uint8_t family,
		       const uint8_t *dst)
{
	const struct dp_fib *fib = w->dp->fib;
	struct rte_ether_addr mac;
	uint64_t id;
	memset(c, 0, sizeof(*c));
	c->gen = gen;
	c->family = family;
	memcpy(c->dst, dst, family == AF_INET ? 4 : 16);
	if (family == AF_INET) {
		uint32_t d;
		memcpy(&d, dst, 4);
		d = rte_be_to_cpu_32(d);
		dp_fib_lookup4(fib, &d, &id, 1);
	} else {
		uint8_t d[1][16];
		memcpy(d[0], dst, 16);
		dp_fib_lookup6(fib, d, &id, 1);
	}
	const struct dp_nh *nh = dp_fib_nh(fib, id);
	const struct iface *out = nh->type == NH_FWD ? iface_get(w->dp->ifaces, nh->ifindex) : NULL;
	if (out == NULL || !out->up || out->kind != IFACE_ETHER)
		return;
	if (!dp_nh_mac(nh, family, &mac)) {
		struct dp_neigh_key k;
		const struct dp_neigh_key *kp = &k;
		dp_neigh_key_make(&k, out->ifindex, family, nh->family != 0 ? nh->gw : dst);
		if (!(dp_neigh_lookup_bulk(w->dp->neigh, &kp, 1, &mac) & 1))
			return;
	}
	c->mac[0] = mac;
	c->mac[1] = out->mac;
	c->port_id = out->port_id;
	c->ifindex = out->ifindex;
	c->mtu = out->mtu;
	c->ok = 1;
}

void dp_tx_cached(struct dp_worker *w, struct rte_mbuf **mb, const struct dp_nh_cache *const *c,
		  uint16_t n)
{
	struct tx_run r = {0, 0, 0};
	for (uint16_t i = 0; i < n; i++)
		tx_put(w, &r, c[i]->port_id, c[i]->ifindex, mb[i]);
	tx_run_end(w, &r);
}
