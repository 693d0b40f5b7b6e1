/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/esp_gen.c - the ESP traffic of the esp-decrypt rows (see struct esp_traffic in esp.h for
 * why it is built this way). Main lcore only.
 *
 * Built once per row: for every pair, a peer's own esp_xform with the keys of the hub's inbound
 * SA (esp_xform_init, as the hub's is, but a separate instance) encrypts the pair's frames
 * (Ethernet, outer IPv4, optional UDP 4500, ESP, IV, inner IPv4/UDP packet and trailer) for
 * every sequence number of both ranges; the ciphertext is kept once per frame size, the ICV per
 * sequence number. Sending is a copy of the frame and two small writes; every 2m packets of a
 * pair cost two sa_replace calls on this lcore, none on the worker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "crypto/imb.h"
#include "perf/esp.h"
#include "perf/order.h"

#define ETH_LEN	    14
#define FCS_LEN	    4
#define IP4_LEN	    20
#define UDP_LEN	    8
#define NH_IPIP	    4 /* next header of an inner IPv4 packet (tunnel mode) */
#define INNER_PORT  5001
#define SCRATCH_LEN 2048
#define RANGE_MIN   64u

void esp_inner_build(const struct esp_traffic *e, uint32_t i, unsigned int d, uint8_t *out)
{
	uint16_t len = e->inner_l3[d];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	uint8_t src[4];

	memset(ip, 0, sizeof(*ip) + sizeof(*u));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	esp_spoke4(i, src);
	src[3] = 1;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, esp_server4, 4);
	u->src_port = RTE_BE16(INNER_PORT);
	u->dst_port = RTE_BE16(INNER_PORT);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - IP4_LEN));
	for (uint16_t k = IP4_LEN + UDP_LEN; k < len; k++)
		out[k] = (uint8_t)(k * 31 + 7);
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static inline uint32_t ct_len(const struct esp_traffic *e, unsigned int d)
{
	return RTE_ALIGN_CEIL(e->inner_l3[d] + ESP_TRAILER_MIN, e->t->s->align);
}

/* Pair i's frame of distinct size d in plain text: headers, ESP with seq 0, IV, payload. */
static void frame_build(const struct esp_traffic *e, const struct rig *r, uint32_t i,
			unsigned int d, uint8_t *f)
{
	const struct crypto_suite *s = e->t->s;
	uint32_t ct = ct_len(e, d), l3 = e->flen[d] - ETH_LEN;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *esp = f + e->esp_off;
	uint32_t spi = rte_cpu_to_be_32(ESP_SPI_IN + i);

	memset(f, 0, e->flen[d]);
	eth->dst_addr = r->wmac[RIG_WAN];
	eth->src_addr = r->gmac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)l3);
	ip->time_to_live = 64;
	ip->next_proto_id = e->t->udp ? IPPROTO_UDP : IPPROTO_ESP;
	esp_peer4(i, (uint8_t *)&ip->src_addr);
	memcpy(&ip->dst_addr, esp_hub4, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (e->t->udp) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
		u->src_port = RTE_BE16(ESP_NATT_PORT);
		u->dst_port = RTE_BE16(ESP_NATT_PORT);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l3 - IP4_LEN));
	}
	memcpy(esp, &spi, 4);
	for (unsigned int k = 0; k < s->iv_len; k++) /* fixed per pair, see esp.h */
		esp[ESP_HDR_LEN + k] = (uint8_t)(0xa5 ^ k ^ (i >> (8 * (k % 4))));
	uint8_t *pl = esp + ESP_HDR_LEN + s->iv_len;
	esp_inner_build(e, i, d, pl);
	uint32_t pad = ct - ESP_TRAILER_MIN - e->inner_l3[d];
	for (uint32_t k = 0; k < pad; k++)
		pl[e->inner_l3[d] + k] = (uint8_t)(k + 1);
	pl[ct - 2] = (uint8_t)pad;
	pl[ct - 1] = NH_IPIP;
}

static inline uint8_t *icv_slot(const struct esp_traffic *e, uint32_t i, uint32_t seq)
{
	return e->icv + ((size_t)i * 2 * e->m + seq - 1) * ESP_ICV_SLOT;
}

/*
 * One burst of sequence numbers of pair i through the peer's xform; ICVs stored, and per frame
 * size the IV field and ciphertext as sealed (a CBC seal enciphers the IV field too).
 */
static int seal_burst(struct esp_traffic *e, IMB_MGR *mgr, const struct esp_xform *x, uint32_t i,
		      uint32_t seq0, unsigned int n, uint8_t *scratch, uint8_t (*ct)[SCRATCH_LEN],
		      bool *have)
{
	const uint8_t *blk = e->frames + (size_t)i * e->fstride;
	struct esp_crypto_op ops[ESP_XFORM_BURST];
	uint8_t iv = e->t->s->iv_len;
	for (unsigned int j = 0; j < n; j++) {
		uint32_t seq = seq0 + j, be = rte_cpu_to_be_32(seq);
		unsigned int d = e->dist[seq % e->n_tmpl];
		uint8_t *p = scratch + (size_t)j * SCRATCH_LEN;
		memcpy(p, blk + e->foff[d] + e->esp_off, e->flen[d] - e->esp_off);
		memcpy(p + 4, &be, 4);
		ops[j] = (struct esp_crypto_op){.esp = p,
						.iv = p + ESP_HDR_LEN,
						.payload = p + ESP_HDR_LEN + iv,
						.len = ct_len(e, d),
						.icv = p + ESP_HDR_LEN + iv + ct_len(e, d)};
	}
	if (esp_xform_encrypt(mgr, x, ops, (uint16_t)n) != n)
		return -EIO;
	for (unsigned int j = 0; j < n; j++) {
		unsigned int d = e->dist[(seq0 + j) % e->n_tmpl];
		memcpy(icv_slot(e, i, seq0 + j), ops[j].icv, e->icv_len);
		/* the ciphertext must not depend on the sequence number (fixed IV): check it */
		if (!have[d]) {
			memcpy(ct[d], ops[j].iv, iv + ops[j].len);
			have[d] = true;
		} else if (seq0 == 1 && memcmp(ct[d], ops[j].iv, iv + ops[j].len) != 0) {
			return -EPROTO;
		}
	}
	return 0;
}

/*
 * All of pair i: plain frames, every ICV, then the IV field and ciphertext into the frames.
 * scratch holds ESP_XFORM_BURST packets, then BENCH_IMIX_LEN ciphertexts.
 */
static int pair_build(struct esp_traffic *e, const struct rig *r, IMB_MGR *mgr, struct esp_xform *x,
		      uint32_t i, uint8_t *scratch)
{
	uint8_t(*ct)[SCRATCH_LEN] =
		(uint8_t(*)[SCRATCH_LEN])(scratch + ESP_XFORM_BURST * SCRATCH_LEN);
	bool have[BENCH_IMIX_LEN] = {false};
	struct esp_keymat km;
	struct sa_conf c;
	char err[128];
	uint8_t *blk = e->frames + (size_t)i * e->fstride;

	esp_sa_conf(e->t, i, SA_IN, &c, &km);
	c.xf.dir = ESP_XFORM_ENC; /* the peer's side of the hub's inbound SA */
	int rc = esp_xform_init(x, &c.xf, err, sizeof(err));
	explicit_bzero(&km, sizeof(km));
	if (rc != 0)
		return rc;
	for (unsigned int d = 0; d < e->n_dist; d++)
		frame_build(e, r, i, d, blk + e->foff[d]);
	for (uint32_t seq = 1; seq <= 2 * e->m && rc == 0; seq += ESP_XFORM_BURST)
		rc = seal_burst(e, mgr, x, i, seq, RTE_MIN(2 * e->m + 1 - seq, ESP_XFORM_BURST),
				scratch, ct, have);
	for (unsigned int d = 0; d < e->n_dist && rc == 0; d++)
		memcpy(blk + e->foff[d] + e->esp_off + ESP_HDR_LEN, ct[d],
		       e->t->s->iv_len + ct_len(e, d));
	esp_xform_wipe(x);
	return rc;
}

/* Frame sizes of the class: templates, distinct sizes, their offsets in a pair's block. */
static void sizes(struct esp_traffic *e, enum bench_size size)
{
	const struct crypto_suite *s = e->t->s;
	const uint16_t *frames;
	e->n_tmpl = bench_size_frames(size, &frames);
	e->n_dist = 0;
	e->esp_off = ETH_LEN + IP4_LEN + (e->t->udp ? UDP_LEN : 0);
	for (unsigned int k = 0; k < e->n_tmpl; k++) {
		unsigned int d = 0;
		while (d < e->n_dist && e->inner_l3[d] != frames[k] - ETH_LEN - FCS_LEN)
			d++;
		e->dist[k] = (uint8_t)d;
		if (d < e->n_dist)
			continue;
		e->inner_l3[d] = (uint16_t)(frames[k] - ETH_LEN - FCS_LEN);
		e->flen[d] = (uint16_t)(e->esp_off + ESP_HDR_LEN + s->iv_len + ct_len(e, d) +
					s->icv_len);
		e->foff[d] = e->fstride;
		e->fstride += RTE_ALIGN_CEIL(e->flen[d], RTE_CACHE_LINE_SIZE);
		e->n_dist++;
	}
}

int esp_traffic_build(struct esp_traffic *e, const struct rig *r, const struct esp_tunnels *t,
		      enum bench_size size, uint64_t icv_budget)
{
	uint32_t n = t->pairs;
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->sas = r->dp->sas;
	e->icv_len = t->s->icv_len;
	e->m = ESP_WINDOW / 2;
	while (e->m > RANGE_MIN && (uint64_t)n * 2 * e->m > icv_budget)
		e->m /= 2;
	sizes(e, size);
	e->frames = aligned_alloc(RTE_CACHE_LINE_SIZE, (size_t)n * e->fstride);
	e->icv = malloc((size_t)n * 2 * e->m * ESP_ICV_SLOT);
	e->next = malloc(sizeof(*e->next) * n);
	e->order = malloc(sizeof(*e->order) * n);
	uint8_t *scratch = aligned_alloc(RTE_CACHE_LINE_SIZE,
					 (ESP_XFORM_BURST + BENCH_IMIX_LEN) * SCRATCH_LEN);
	struct esp_xform *x = aligned_alloc(RTE_CACHE_LINE_SIZE, ESP_XFORM_SIZE_MAX);
	IMB_MGR *mgr = crypto_imb_mgr_create();
	int rc = e->frames && e->icv && e->next && e->order && scratch && x && mgr ? 0 : -ENOMEM;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		rc = pair_build(e, r, mgr, x, i, scratch);
		/* staggered starts in range A spread the re-installs evenly (esp.h) */
		e->next[i] = 1 + (uint32_t)((uint64_t)i * e->m / n);
	}
	if (rc == 0)
		perf_order_shuffle(e->order, n);
	crypto_imb_mgr_free(mgr);
	free(x);
	free(scratch);
	if (rc != 0)
		esp_traffic_free(e);
	return rc;
}

void esp_traffic_free(struct esp_traffic *e)
{
	free(e->frames);
	free(e->icv);
	free(e->next);
	free(e->order);
	e->frames = e->icv = NULL;
	e->next = e->order = NULL;
}

/* The hub's inbound SA of pair i again, same keys, fresh window: what the control core does. */
static void renew(struct esp_traffic *e, uint32_t i)
{
	struct esp_keymat km;
	struct sa_conf c;
	char err[128];
	uint64_t t0 = rte_rdtsc();
	esp_sa_conf(e->t, i, SA_IN, &c, &km);
	int rc = sa_replace(e->sas, e->t->id_in[i], &c, err, sizeof(err));
	explicit_bzero(&km, sizeof(km));
	if (rc != 0 && e->rc == 0)
		e->rc = rc;
	e->renewed++;
	e->renew_cycles += rte_rdtsc() - t0;
}

static inline uint32_t next_seq(struct esp_traffic *e, uint32_t i)
{
	uint32_t seq = e->next[i];
	if (unlikely(seq == e->m + 1 || seq == 2 * e->m + 1)) {
		if (seq != e->m + 1)
			seq = 1;
		renew(e, i);
	}
	e->next[i] = seq + 1;
	return seq;
}

void esp_traffic_stamp(struct gen *g, struct rte_mbuf **mb, uint16_t n)
{
	struct esp_traffic *e = g->ctx;
	uint32_t pairs = e->t->pairs;
	for (uint16_t k = 0; k < n; k++) {
		uint32_t i = e->order[e->oi];
		if (++e->oi == pairs)
			e->oi = 0;
		rte_prefetch0(e->frames + (size_t)e->order[e->oi] * e->fstride);
		uint32_t seq = next_seq(e, i), be = rte_cpu_to_be_32(seq);
		unsigned int d = e->dist[seq % e->n_tmpl];
		uint16_t len = e->flen[d];
		uint8_t *f = gen_mbuf_reset(g, mb[k], len);
		memcpy(f, e->frames + (size_t)i * e->fstride + e->foff[d], len);
		memcpy(f + e->esp_off + 4, &be, 4);
		memcpy(f + len - e->icv_len, icv_slot(e, i, seq), e->icv_len);
	}
}
