/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/esp.c - the ESP rows: esp-encrypt:<suite> (clear text into lan, routed over a VTI,
 * encrypted with its outbound SA, out of wan), esp-decrypt:<suite> (ESP into wan, decrypted with
 * the inbound SA, routed out of lan), and their ESP-in-UDP (NAT-T) variants esp-udp-*.
 *
 * A row installs its tunnels (esp_rig.c) at the SA scale asked for, builds its traffic, starts
 * the unmodified dp_worker_main, and before timing pushes one packet of every frame size of the
 * class through the worker and checks the bytes that come out against an independent
 * computation: encrypted packets are opened with OpenSSL (crypto_ref_open) under the outbound
 * SA's keys and must hold the sent packet, TTL decremented, in a valid tunnel-mode ESP packet
 * with the SA's SPI, the next sequence number and the tunnel's outer header; decrypted packets
 * must equal the inner packet the peer encrypted (whose encryption is itself opened with
 * OpenSSL first). A row whose check fails is not timed. Main lcore.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dataplane/neigh.h"
#include "perf/esp.h"

#define ETH_LEN		 14
#define IP4_LEN		 20
#define UDP_LEN		 8
#define CHECK_TIMEOUT_MS 2000
#define ICV_BUDGET_FULL	 (16u << 20) /* stored ICVs (16 bytes each) of an esp-decrypt row */
#define ICV_BUDGET_QUICK (2u << 20)
#define FRAME_MAX	 2048

struct esp_state {
	const struct esp_arg *a;
	struct esp_tunnels tun;
	struct esp_traffic tr;	    /* esp-decrypt */
	struct gen_dsts dsts;	    /* esp-encrypt: one host per spoke prefix */
	struct gen_traffic t;	    /* esp-encrypt: clear-text frames */
	uint32_t seen[ESP_VTI_MAX]; /* esp-encrypt check: packets per VTI so far */
};

int esp_setup(struct bench *b, const struct bench_path *p, void **state)
{
	(void)b;
	struct esp_state *s = rte_zmalloc("esp_state", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return -ENOMEM;
	s->a = p->arg;
	*state = s;
	return 0;
}

void esp_teardown(struct bench *b, void *state)
{
	(void)b;
	rte_free(state);
}

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

struct esp_ctx {
	const struct bench *b;
	struct gen *g;
	const struct dp_lcore_stats *st;
	double l3; /* inner L3 bytes per packet, on average */
};

static void sample(void *arg, struct bench_sample *s)
{
	const struct esp_ctx *c = arg;
	s->tsc = rte_rdtsc();
	s->pkts = c->g->rx;
	s->l3_bytes = (uint64_t)((double)c->g->rx * c->l3);
	s->busy_cycles = rd(&c->st->busy_cycles);
	s->busy_pkts = rd(&c->st->busy_pkts);
	s->total_cycles = rd(&c->st->total_cycles);
	s->core_cycles = bench_core_cycles(c->b);
	s->gen_busy_cycles = c->g->busy_cycles;
	s->gen_busy_pkts = c->g->busy_pkts;
	bench_sample_cpu(c->b, s);
}

static void run_gen(void *arg, uint64_t until)
{
	const struct esp_ctx *c = arg;
	gen_run(c->g, until);
}

/* Send one packet and wait for what the worker makes of it. */
static int roundtrip(const struct gen *g, struct rte_mbuf *mb, struct rte_mbuf **out)
{
	uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz() * CHECK_TIMEOUT_MS / 1000;
	if (rte_eth_tx_burst(g->tx_port, 0, &mb, 1) != 1) {
		rte_pktmbuf_free(mb);
		return -EIO;
	}
	while (rte_rdtsc() < deadline)
		if (rte_eth_rx_burst(g->rx_port, 0, out, 1) == 1)
			return 0;
	return -ETIMEDOUT;
}

/* The packet the worker should forward: the sent one with TTL - 1 and its checksum redone. */
static void forwarded(const uint8_t *ip_in, uint16_t len, uint8_t *out)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)out;
	memcpy(out, ip_in, len);
	ip->time_to_live--;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* RFC 4303 2.4: padding 1, 2, 3, ...; then pad length and next header (4: IPv4). */
static bool trailer_ok(const uint8_t *pl, uint32_t ct, uint16_t inner)
{
	uint32_t pad = ct - ESP_TRAILER_MIN - inner;
	for (uint32_t k = 0; k < pad; k++)
		if (pl[inner + k] != (uint8_t)(k + 1))
			return false;
	return pl[ct - 2] == pad && pl[ct - 1] == IPPROTO_IPIP;
}

/* Outer IPv4 (+UDP) header of a packet between the hub and the peer of pair i. */
static bool outer_ok(const struct esp_tunnels *t, const uint8_t *ip4, uint32_t l3, uint32_t i,
		     bool from_hub)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)ip4;
	uint8_t peer[4];
	esp_peer4(i, peer);
	if (ip->version_ihl != RTE_IPV4_VHL_DEF || rte_raw_cksum(ip, IP4_LEN) != 0xffff ||
	    rte_be_to_cpu_16(ip->total_length) != l3 ||
	    ip->next_proto_id != (t->udp ? IPPROTO_UDP : IPPROTO_ESP) ||
	    memcmp(&ip->src_addr, from_hub ? esp_hub4 : peer, 4) != 0 ||
	    memcmp(&ip->dst_addr, from_hub ? peer : esp_hub4, 4) != 0)
		return false;
	if (!t->udp)
		return true;
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(ip4 + IP4_LEN);
	return u->src_port == RTE_BE16(ESP_NATT_PORT) && u->dst_port == RTE_BE16(ESP_NATT_PORT) &&
	       rte_be_to_cpu_16(u->dgram_len) == l3 - IP4_LEN && u->dgram_cksum == 0;
}

/* Open an ESP packet (esp .. icv, esp_len bytes, copied) with OpenSSL; plaintext in buf. */
static int open_ref(const struct crypto_suite *s, uint32_t i, enum sa_dir dir, const uint8_t *esp,
		    uint32_t esp_len, uint8_t *buf, uint32_t *ct)
{
	struct crypto_keys *k = rte_zmalloc("esp_keys", sizeof(*k), RTE_CACHE_LINE_SIZE);
	if (k == NULL)
		return -ENOMEM;
	int rc = -EBADMSG;
	uint32_t over = ESP_HDR_LEN + s->iv_len + s->icv_len;
	if (esp_len > over && (esp_len - over) % s->align == 0) {
		*ct = esp_len - over;
		memcpy(buf, esp, esp_len);
		esp_ref_keys(s, i, dir, k);
		rc = crypto_ref_open(s, k, buf, *ct) == 0 ? 0 : -EBADMSG;
	}
	explicit_bzero(k, sizeof(*k));
	rte_free(k);
	return rc;
}

/* The worker's output for the clear frame `sent`: ESP to the right peer, holding `sent`. */
static int enc_verify(struct bench *b, struct esp_state *s, const uint8_t *sent, uint16_t len,
		      const uint8_t *o, uint32_t olen)
{
	const struct esp_tunnels *t = &s->tun;
	const struct crypto_suite *su = t->s;
	uint8_t buf[FRAME_MAX], want[FRAME_MAX];
	uint16_t inner = (uint16_t)(len - ETH_LEN);
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)o;
	struct rte_ether_addr gw;
	struct dp_neigh_key k;
	uint32_t v = esp_spoke_pair(sent + ETH_LEN + 16) % t->vtis, ct, spi, seq;
	uint32_t esp_off = ETH_LEN + IP4_LEN + (t->udp ? UDP_LEN : 0);
	static const uint8_t wan_gw4[4] = {192, 0, 2, 1};

	dp_neigh_key_make(&k, RIG_WAN + 1, AF_INET, wan_gw4);
	if (!dp_neigh_lookup(b->rig.dp->neigh, &k, &gw) || olen <= esp_off + ESP_HDR_LEN ||
	    olen > FRAME_MAX || !rte_is_same_ether_addr(&eth->dst_addr, &gw) ||
	    !rte_is_same_ether_addr(&eth->src_addr, &b->rig.wmac[RIG_WAN]) ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    !outer_ok(t, o + ETH_LEN, olen - ETH_LEN, v, true))
		return -EPROTO;
	memcpy(&spi, o + esp_off, 4);
	memcpy(&seq, o + esp_off + 4, 4);
	if (rte_be_to_cpu_32(spi) != ESP_SPI_OUT + v || rte_be_to_cpu_32(seq) != ++s->seen[v])
		return -EPROTO;
	if (open_ref(su, v, SA_OUT, o + esp_off, olen - esp_off, buf, &ct) != 0)
		return -EBADMSG;
	const uint8_t *pl = buf + ESP_HDR_LEN + su->iv_len;
	forwarded(sent + ETH_LEN, inner, want);
	if (ct != RTE_ALIGN_CEIL((uint32_t)inner + ESP_TRAILER_MIN, su->align) ||
	    memcmp(pl, want, inner) != 0 || !trailer_ok(pl, ct, inner))
		return -EBADMSG;
	return 0;
}

/* The worker's output for the ESP frame `sent` of pair i, distinct size d: the inner packet. */
static int dec_verify(struct bench *b, struct esp_state *s, const uint8_t *sent, uint16_t len,
		      const uint8_t *o, uint32_t olen)
{
	const struct esp_traffic *e = &s->tr;
	const struct crypto_suite *su = s->tun.s;
	uint8_t buf[FRAME_MAX], plain[FRAME_MAX], want[FRAME_MAX];
	uint32_t spi, seq, ct;
	memcpy(&spi, sent + e->esp_off, 4);
	memcpy(&seq, sent + e->esp_off + 4, 4);
	uint32_t i = rte_be_to_cpu_32(spi) - ESP_SPI_IN;
	unsigned int d = e->dist[rte_be_to_cpu_32(seq) % e->n_tmpl];
	uint16_t inner = e->inner_l3[d];
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)o;

	if (i >= s->tun.pairs)
		return -EPROTO;
	/* the peer's packet first, against OpenSSL: it must hold what the peer meant to send */
	esp_inner_build(e, i, d, plain);
	if (!outer_ok(&s->tun, sent + ETH_LEN, len - ETH_LEN, i, false) ||
	    open_ref(su, i, SA_IN, sent + e->esp_off, len - e->esp_off, buf, &ct) != 0 ||
	    memcmp(buf + ESP_HDR_LEN + su->iv_len, plain, inner) != 0 ||
	    !trailer_ok(buf + ESP_HDR_LEN + su->iv_len, ct, inner))
		return -EBADMSG;
	forwarded(plain, inner, want);
	if (olen != (uint32_t)ETH_LEN + inner ||
	    !rte_is_same_ether_addr(&eth->dst_addr, &esp_lan_gw_mac) ||
	    !rte_is_same_ether_addr(&eth->src_addr, &b->rig.wmac[RIG_LAN]) ||
	    eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    memcmp(o + ETH_LEN, want, inner) != 0)
		return -EPROTO;
	return 0;
}

/* One packet of every frame size of the class through the running worker, checked. */
static int check(struct bench *b, struct esp_state *s, struct gen *g, struct bench_row *row)
{
	uint8_t sent[FRAME_MAX];
	unsigned int n = s->a->decrypt ? s->tr.n_tmpl : s->t.n_tmpl;
	memset(s->seen, 0, sizeof(s->seen));
	for (unsigned int k = 0; k < n; k++) {
		struct rte_mbuf *mb = rte_pktmbuf_alloc(b->rig.pool), *out = NULL;
		if (mb == NULL)
			return -ENOMEM;
		if (!s->a->decrypt)
			memcpy(rte_pktmbuf_mtod(mb, void *), s->t.image, sizeof(s->t.image));
		g->stamp(g, &mb, 1);
		uint16_t len = rte_pktmbuf_data_len(mb);
		memcpy(sent, rte_pktmbuf_mtod(mb, void *), len);
		int rc = roundtrip(g, mb, &out);
		if (rc == 0 && (out->nb_segs != 1 || rte_pktmbuf_pkt_len(out) > FRAME_MAX))
			rc = -EPROTO;
		if (rc == 0)
			rc = (s->a->decrypt ? dec_verify : enc_verify)(
				b, s, sent, len, rte_pktmbuf_mtod(out, const uint8_t *),
				rte_pktmbuf_pkt_len(out));
		rte_pktmbuf_free(out);
		if (rc != 0) {
			snprintf(row->note, sizeof(row->note), "check of a %u-byte frame: %s",
				 len + 4u,
				 rc == -ETIMEDOUT ? "nothing came out"
				 : rc == -EBADMSG ? "payload differs from OpenSSL's"
						  : "headers wrong");
			return rc;
		}
	}
	return 0;
}

/* The transform an SA of the suite gets one way: header and keys (as sa_build sizes it). */
static uint32_t xform_bytes(const struct esp_tunnels *t, enum sa_dir dir)
{
	struct esp_keymat km;
	struct sa_conf c;
	esp_sa_conf(t, 0, dir, &c, &km);
	explicit_bzero(&km, sizeof(km));
	c.xf.dir = dir == SA_OUT ? ESP_XFORM_ENC : ESP_XFORM_DEC;
	return (uint32_t)esp_xform_size(&c.xf);
}

/* Remember what the SA pairs of this suite took, once per (suite, pairs). */
static void mem_record(struct bench *b, const struct esp_tunnels *t)
{
	for (unsigned int i = 0; i < b->n_mem; i++)
		if (b->mem[i].suite == t->s->name && b->mem[i].pairs == t->pairs)
			return;
	if (b->n_mem == BENCH_MEM_MAX || t->pairs == 0)
		return;
	b->mem[b->n_mem++] = (struct bench_mem){
		.suite = t->s->name,
		.pairs = t->pairs,
		.window = ESP_WINDOW,
		.heap_bytes = t->sa_heap,
		.sa_bytes = (uint32_t)(sizeof(struct sa) - sizeof(struct esp_xform)),
		.xform_out_bytes = xform_bytes(t, SA_OUT),
		.xform_in_bytes = xform_bytes(t, SA_IN),
		.win_bytes = (uint32_t)replay_size(ESP_WINDOW),
		.table_bytes = b->rig.sa_table_bytes,
	};
}

/* The traffic of the row; frame and L3 means of the clear-text side. */
static int traffic_build(struct bench *b, struct esp_state *s, struct bench_row *row)
{
	if (s->a->decrypt) {
		int rc = esp_traffic_build(&s->tr, &b->rig, &s->tun, row->size,
					   b->o.quick ? ICV_BUDGET_QUICK : ICV_BUDGET_FULL);
		double f = 0;
		for (unsigned int k = 0; rc == 0 && k < s->tr.n_tmpl; k++)
			f += s->tr.inner_l3[s->tr.dist[k]];
		row->l3_bytes = f / s->tr.n_tmpl;
		row->frame_bytes = row->l3_bytes + ETH_LEN + 4;
		return rc;
	}
	int rc = gen_dsts_build_from(&s->dsts, AF_INET, s->tun.pairs, esp_spoke4);
	if (rc == 0)
		rc = gen_traffic_build(&s->t, AF_INET, row->size, &b->rig.gmac,
				       &b->rig.wmac[RIG_LAN], &s->dsts);
	row->frame_bytes = s->t.frame_mean;
	row->l3_bytes = s->t.l3_mean;
	return rc;
}

static void traffic_free(struct esp_state *s)
{
	if (s->a->decrypt)
		esp_traffic_free(&s->tr);
	else
		gen_dsts_free(&s->dsts);
}

/* Start the worker, check, time, stop; counters of the row. */
static int measure(struct bench *b, struct esp_state *s, struct bench_row *row)
{
	struct bench_sample win[BENCH_WINDOWS_MAX];
	struct dp *dp = b->rig.dp;
	const struct dp_lcore_stats *st = dp->workers[0].st;
	uint64_t drops0 = rd(&st->dropped), punts0 = rd(&st->punted);
	unsigned int n = 0, inflight = b->o.inflight;
	struct gen g;

	gen_init(&g, &b->rig, s->a->decrypt ? RIG_WAN : RIG_LAN, s->a->decrypt ? NULL : &s->t,
		 s->a->decrypt ? NULL : &s->dsts);
	if (s->a->decrypt) {
		g.stamp = esp_traffic_stamp;
		g.ctx = &s->tr;
		/* every packet of a range is back before the range is reused (esp.h) */
		inflight = RTE_MIN(inflight, s->tr.m * s->tun.pairs / 2);
	}
	__atomic_store_n(&dp->stop, 0, __ATOMIC_RELEASE);
	int rc = rte_eal_remote_launch(dp_worker_main, &dp->workers[0], b->wlcore);
	if (rc != 0)
		return rc;
	rc = check(b, s, &g, row);
	if (rc == 0)
		rc = gen_fill(&g, &b->rig, inflight);
	if (rc == 0) {
		struct esp_ctx ctx = {.b = b, .g = &g, .st = st, .l3 = row->l3_bytes};
		n = bench_measure(b, run_gen, sample, &ctx, win);
	}
	__atomic_store_n(&dp->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(b->wlcore);
	gen_recover(&g, &b->rig, row);
	row->drops = rd(&st->dropped) - drops0;
	if (row->punts != rd(&st->punted) - punts0) {
		row->errors++;
		snprintf(row->note, sizeof(row->note), "punt count and punt ring disagree");
	}
	if (s->a->decrypt && s->tr.rc != 0) {
		row->errors++;
		snprintf(row->note, sizeof(row->note), "sa_replace: %s", strerror(-s->tr.rc));
	}
	if (rc == 0 && n > 0)
		bench_reduce(b, win, n, row);
	return rc;
}

/* Facts of the row: the scale the data plane allowed, the generator's re-installs. */
static void row_note(const struct esp_state *s, uint32_t want, struct bench_row *row)
{
	char buf[96] = "";
	size_t k = 0;
	if (!s->a->decrypt && s->tun.vtis < want)
		k += (size_t)snprintf(buf, sizeof(buf), "%u VTIs (IFACE_MAX %u)", s->tun.vtis,
				      IFACE_MAX);
	if (s->tun.pairs < want && k < sizeof(buf))
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%u SA pairs of %u (SA table %u)",
				      k ? "; " : "", s->tun.pairs, want, s->tun.pairs_max);
	if (s->a->decrypt && k < sizeof(buf) && s->tr.renewed > 0)
		snprintf(buf + k, sizeof(buf) - k, "%s%" PRIu64 " SA re-installs of %.1f us (m %u)",
			 k ? "; " : "", s->tr.renewed,
			 (double)s->tr.renew_cycles / (double)s->tr.renewed * 1e6 /
				 (double)rte_get_tsc_hz(),
			 s->tr.m);
	if (row->note[0] == '\0')
		snprintf(row->note, sizeof(row->note), "%s", buf);
}

int esp_run(struct bench *b, void *state, struct bench_row *row)
{
	struct esp_state *s = state;
	uint32_t want = row->scale;
	char err[128] = "";
	int rc = esp_tunnels_up(&b->rig, &s->tun, s->a->suite, s->a->udp, want, err, sizeof(err));
	if (rc == 0) {
		mem_record(b, &s->tun);
		row->scale = s->a->decrypt ? s->tun.pairs : s->tun.vtis;
		rc = traffic_build(b, s, row);
		if (rc != 0)
			snprintf(err, sizeof(err), "traffic: %s", strerror(-rc));
	}
	if (rc == 0)
		rc = measure(b, s, row);
	if (rc == 0)
		row_note(s, want, row);
	else if (row->note[0] == '\0')
		snprintf(row->note, sizeof(row->note), "%s", err[0] ? err : strerror(-rc));
	traffic_free(s);
	esp_tunnels_down(&b->rig, &s->tun);
	return rc;
}
