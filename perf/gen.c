/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/gen.c - the closed-loop traffic generator (see gen.h). Main lcore only.
 *
 * Checksums are never recomputed from scratch per packet: each template carries the sums of
 * everything but the destination address, each destination carries the sum of its own words,
 * and stamping adds the two and folds (RFC 1071). Samples are verified with DPDK's own checksum
 * routines when the traffic is built, so a wrong sum cannot go unnoticed.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "perf/gen.h"

#define ETH_LEN		 14
#define OFF4_CSUM	 (ETH_LEN + offsetof(struct rte_ipv4_hdr, hdr_checksum))
#define OFF4_DST	 (ETH_LEN + offsetof(struct rte_ipv4_hdr, dst_addr))
#define OFF4_UDP	 (ETH_LEN + sizeof(struct rte_ipv4_hdr))
#define OFF6_DST	 (ETH_LEN + offsetof(struct rte_ipv6_hdr, dst_addr))
#define OFF6_UDP	 (ETH_LEN + sizeof(struct rte_ipv6_hdr))
#define OFF_UDP_CSUM	 offsetof(struct rte_udp_hdr, dgram_cksum)
#define HDR4_LEN	 (OFF4_UDP + sizeof(struct rte_udp_hdr))
#define HDR6_LEN	 (OFF6_UDP + sizeof(struct rte_udp_hdr))
#define FCS_LEN		 4
#define UDP_PORT	 5001 /* not one the hub classifies specially (500, 4500, 1701) */
#define START_TIMEOUT_MS 2000

static const uint8_t src4[4] = {10, 0, 0, 2};
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};

static inline uint16_t fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* UDP checksum from its partial sums; a computed 0 is sent as 0xffff (RFC 768). */
static inline uint16_t udp_final(uint32_t s)
{
	uint16_t c = (uint16_t)~fold(s);
	return c == 0 ? 0xffff : c;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void stamp4_bytes(uint8_t *p, const struct gen_tmpl *tp, const struct gen_dst *d)
{
	memcpy(p, tp->hdr, sizeof(tp->hdr));
	memcpy(p + OFF4_DST, d->addr, 4);
	put16(p + OFF4_CSUM, (uint16_t)~fold(tp->ip_sum + d->sum));
	put16(p + OFF4_UDP + OFF_UDP_CSUM, udp_final(tp->l4_sum + d->sum));
}

static inline void stamp6_bytes(uint8_t *p, const struct gen_tmpl *tp, const struct gen_dst *d)
{
	memcpy(p, tp->hdr, sizeof(tp->hdr));
	memcpy(p + OFF6_DST, d->addr, 16);
	put16(p + OFF6_UDP + OFF_UDP_CSUM, udp_final(tp->l4_sum + d->sum));
}

/* Next template and destination; returns the frame start of mb, reset as a NIC delivers it. */
static inline uint8_t *next_frame(struct gen *g, struct rte_mbuf *mb, const struct gen_tmpl **tp,
				  const struct gen_dst **d)
{
	*tp = &g->t->tmpl[g->ti];
	*d = &g->dsts->d[g->di];
	if (++g->ti == g->t->n_tmpl)
		g->ti = 0;
	if (++g->di == g->dsts->n)
		g->di = 0;
	return gen_mbuf_reset(g, mb, (*tp)->len);
}

static void stamp4(struct gen *g, struct rte_mbuf **mb, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct gen_tmpl *tp;
		const struct gen_dst *d;
		uint8_t *p = next_frame(g, mb[i], &tp, &d);
		stamp4_bytes(p, tp, d);
	}
}

static void stamp6(struct gen *g, struct rte_mbuf **mb, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct gen_tmpl *tp;
		const struct gen_dst *d;
		uint8_t *p = next_frame(g, mb[i], &tp, &d);
		stamp6_bytes(p, tp, d);
	}
}

/* A fixed pseudo-random order (xorshift64, fixed seed): runs stay comparable. */
static void shuffle(struct gen_dst *d, uint32_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (uint32_t i = n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t j = (uint32_t)(x % i);
		struct gen_dst t = d[i - 1];
		d[i - 1] = d[j];
		d[j] = t;
	}
}

int gen_dsts_build(struct gen_dsts *d, int family, uint32_t n)
{
	return gen_dsts_build_from(d, family, n, family == AF_INET ? rig_prefix4 : rig_prefix6);
}

int gen_dsts_build_from(struct gen_dsts *d, int family, uint32_t n,
			void (*prefix)(uint32_t i, uint8_t *addr))
{
	d->family = family;
	d->n = n;
	d->d = rte_zmalloc("gen_dsts", sizeof(*d->d) * n, RTE_CACHE_LINE_SIZE);
	if (d->d == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct gen_dst *e = &d->d[i];
		prefix(i, e->addr);
		e->addr[family == AF_INET ? 3 : 15] = 1;
		e->sum = rte_raw_cksum(e->addr, family == AF_INET ? 4 : 16);
	}
	shuffle(d->d, n);
	return 0;
}

void gen_dsts_free(struct gen_dsts *d)
{
	rte_free(d->d);
	d->d = NULL;
	d->n = 0;
}

/* Ethernet + IP + UDP headers with dst 0 and checksums 0, then the payload pattern. */
static void image_make(struct gen_traffic *t, const struct rte_ether_addr *src,
		       const struct rte_ether_addr *dst)
{
	uint8_t *p = t->image;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)p;
	size_t hdr = t->family == AF_INET ? HDR4_LEN : HDR6_LEN;

	memset(p, 0, sizeof(t->image));
	eth->dst_addr = *dst;
	eth->src_addr = *src;
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + ETH_LEN);
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, src4, 4);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(p + ETH_LEN);
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = RTE_BE32(6u << 28);
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, src6, 16);
	}
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(p + hdr - sizeof(*udp));
	udp->src_port = RTE_BE16(UDP_PORT);
	udp->dst_port = RTE_BE16(UDP_PORT);
	for (size_t k = hdr; k < sizeof(t->image); k++)
		p[k] = (uint8_t)(k * 31 + 7);
}

/* Template of one frame size (FCS included): lengths set, partial sums taken. */
static void tmpl_make(const struct gen_traffic *t, struct gen_tmpl *tp, uint16_t frame)
{
	uint8_t f[RTE_ETHER_MAX_LEN];
	uint16_t len = (uint16_t)(frame - FCS_LEN);

	memcpy(f, t->image, sizeof(f));
	tp->len = len;
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + ETH_LEN);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + OFF4_UDP);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(len - ETH_LEN));
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - OFF4_UDP));
		tp->ip_sum = rte_raw_cksum(ip, sizeof(*ip));
		tp->l4_sum =
			(uint32_t)rte_ipv4_phdr_cksum(ip, 0) + rte_raw_cksum(udp, len - OFF4_UDP);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + ETH_LEN);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + OFF6_UDP);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(len - OFF6_UDP));
		udp->dgram_len = ip->payload_len;
		tp->ip_sum = 0;
		tp->l4_sum =
			(uint32_t)rte_ipv6_phdr_cksum(ip, 0) + rte_raw_cksum(udp, len - OFF6_UDP);
	}
	memcpy(tp->hdr, f, sizeof(tp->hdr));
}

/* Stamp one frame of every template into a scratch frame and check it as a receiver would. */
static int verify(const struct gen_traffic *t, const struct gen_dsts *dsts)
{
	uint8_t f[RTE_ETHER_MAX_LEN];
	for (unsigned int i = 0; i < t->n_tmpl; i++) {
		const struct gen_dst *d = &dsts->d[i % dsts->n];
		memcpy(f, t->image, sizeof(f));
		if (t->family == AF_INET) {
			stamp4_bytes(f, &t->tmpl[i], d);
			const struct rte_ipv4_hdr *ip = (const void *)(f + ETH_LEN);
			if (rte_raw_cksum(ip, sizeof(*ip)) != 0xffff ||
			    rte_ipv4_udptcp_cksum_verify(ip, f + OFF4_UDP) != 0)
				return -EPROTO;
		} else {
			stamp6_bytes(f, &t->tmpl[i], d);
			const struct rte_ipv6_hdr *ip = (const void *)(f + ETH_LEN);
			if (rte_ipv6_udptcp_cksum_verify(ip, f + OFF6_UDP) != 0)
				return -EPROTO;
		}
	}
	return 0;
}

int gen_traffic_build(struct gen_traffic *t, int family, enum bench_size size,
		      const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		      const struct gen_dsts *dsts)
{
	const uint16_t *frames;
	uint16_t min = (uint16_t)((family == AF_INET ? HDR4_LEN : HDR6_LEN) + FCS_LEN);
	double fsum = 0, lsum = 0;

	t->family = family;
	t->n_tmpl = bench_size_frames(size, &frames);
	image_make(t, src, dst);
	for (unsigned int i = 0; i < t->n_tmpl; i++) {
		uint16_t frame = RTE_MAX(frames[i], min); /* IPv6/UDP needs 66 bytes */
		tmpl_make(t, &t->tmpl[i], frame);
		fsum += frame;
		lsum += frame - FCS_LEN - ETH_LEN;
	}
	t->frame_mean = fsum / t->n_tmpl;
	t->l3_mean = lsum / t->n_tmpl;
	return verify(t, dsts);
}

/* Offer the stashed mbufs again; true when the stash is empty. */
static bool stash_flush(struct gen *g)
{
	uint16_t s = rte_eth_tx_burst(g->tx_port, 0, g->stash, g->n_stash);
	if (s > 0 && s < g->n_stash)
		memmove(g->stash, g->stash + s, (g->n_stash - s) * sizeof(g->stash[0]));
	g->n_stash = (uint16_t)(g->n_stash - s);
	return g->n_stash == 0;
}

static void stash_add(struct gen *g, struct rte_mbuf **mb, uint16_t n)
{
	memcpy(g->stash + g->n_stash, mb, n * sizeof(mb[0]));
	g->n_stash = (uint16_t)(g->n_stash + n);
}

/* Send n freshly stamped mbufs, waiting for ring room up to a deadline. */
static int send_all(struct gen *g, struct rte_mbuf **mb, unsigned int n, uint64_t deadline)
{
	unsigned int sent = 0;
	while (sent < n) {
		uint16_t want = (uint16_t)RTE_MIN(n - sent, (unsigned int)BURST_MAX);
		sent += rte_eth_tx_burst(g->tx_port, 0, mb + sent, want);
		if (rte_rdtsc() > deadline) {
			rte_pktmbuf_free_bulk(mb + sent, n - sent);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

void gen_init(struct gen *g, struct rig *r, unsigned int side, const struct gen_traffic *t,
	      const struct gen_dsts *dsts)
{
	memset(g, 0, sizeof(*g));
	g->t = t;
	g->dsts = dsts;
	g->stamp = t != NULL && t->family == AF_INET6 ? stamp6 : stamp4;
	g->tx_port = r->gport[side];
	g->rx_port = r->gport[side == RIG_LAN ? RIG_WAN : RIG_LAN];
	g->in_port = r->wport[side];
}

int gen_fill(struct gen *g, struct rig *r, unsigned int n)
{
	struct rte_mbuf *mb[BURST_MAX];
	uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz() * START_TIMEOUT_MS / 1000;
	int rc = 0;

	while (rc == 0 && n > 0 && rte_mempool_avail_count(r->pool) > 0) {
		unsigned int k = RTE_MIN(rte_mempool_avail_count(r->pool), (unsigned int)BURST_MAX);
		k = RTE_MIN(k, n);
		if (rte_pktmbuf_alloc_bulk(r->pool, mb, k) != 0)
			return -ENOMEM;
		for (unsigned int i = 0; g->t != NULL && i < k; i++)
			memcpy(rte_pktmbuf_mtod(mb[i], void *), g->t->image, sizeof(g->t->image));
		g->stamp(g, mb, (uint16_t)k);
		rc = send_all(g, mb, k, deadline);
		n -= k;
	}
	return rc;
}

int gen_start(struct gen *g, struct rig *r, const struct gen_traffic *t,
	      const struct gen_dsts *dsts)
{
	gen_init(g, r, RIG_LAN, t, dsts);
	return gen_fill(g, r, UINT_MAX);
}

/*
 * Prefetch the mbufs and frames of a burst for writing (PREFETCHW): the worker wrote them last,
 * on another core, and a read prefetch would cost a second transfer to take ownership.
 */
static inline void prefetch_burst(struct rte_mbuf **mb, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0_write(mb[i]);
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0_write(rte_pktmbuf_mtod(mb[i], void *));
}

/* Re-stamp and resend one burst delivered at WAN. */
static void turn(struct gen *g, struct rte_mbuf **mb, uint16_t n)
{
	uint64_t bytes = 0;
	prefetch_burst(mb, n);
	for (uint16_t i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(mb[i]) - ETH_LEN;
	g->rx += n;
	g->rx_l3 += bytes;
	g->stamp(g, mb, n);
	uint16_t s = rte_eth_tx_burst(g->tx_port, 0, mb, n);
	if (s < n)
		stash_add(g, mb + s, (uint16_t)(n - s));
}

void gen_run(struct gen *g, uint64_t until)
{
	struct rte_mbuf *mb[BURST_MAX];
	uint64_t prev = rte_rdtsc();
	while (prev < until && !bench_quit) {
		uint16_t n = 0;
		if (g->n_stash == 0 || stash_flush(g)) {
			n = rte_eth_rx_burst(g->rx_port, 0, mb, BURST_MAX);
			if (n > 0)
				turn(g, mb, n);
		}
		uint64_t now = rte_rdtsc();
		if (n > 0) {
			g->busy_cycles += now - prev;
			g->busy_pkts += n;
		}
		prev = now;
	}
}

void gen_stop(struct gen *g)
{
	rte_pktmbuf_free_bulk(g->stash, g->n_stash);
	g->n_stash = 0;
}

void gen_recover(struct gen *g, struct rig *r, struct bench_row *row)
{
	gen_stop(g);
	rig_drain(r, &row->ctlq, &row->punts);
	unsigned int lost = r->pool->size - rte_mempool_avail_count(r->pool);
	if (lost > 0) {
		row->errors += lost;
		snprintf(row->note, sizeof(row->note), "%u mbufs not recovered", lost);
	}
}
