/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_esp.c - the "esp" suite: dataplane/esp_in.c and esp_out.c through the worker.
 *
 * A data plane with lan0 (10.0.0.1/24, 2001:db8:1::1/64) and wan0 (192.0.2.2/24,
 * 2001:db8:2::2/64); the peer is 192.0.2.7 / 2001:db8:2::7, a LAN host 10.0.0.7 / 2001:db8:1::7.
 * ESP packets are built and opened here with OpenSSL's AES-GCM (RFC 4106: nonce = salt | IV,
 * AAD = SPI | sequence number), not with the code under test, so the two would have to share a
 * mistake for a wrong packet to pass.
 *
 * Inbound rows go through dp_input on wan0 (classify, SA lookup, replay, crypto, decap, selector
 * check, FIB) and each names its one outcome: transmitted on lan0, punted to the control core,
 * or dropped with a global reason and, for SA errors, the SA's own reason. After every row the
 * drop and punt counters and the SA's error counters must equal the ones before plus exactly
 * that outcome (ROBUSTNESS.md), and the mbuf pool must be full again.
 * Outbound rows run esp_out on a packet a policy gave an SA (DP_MF_SA_SET) and open the result.
 * The data plane has two workers; worker 0 owns every SA, and the last two tests feed worker 1
 * to check the hand-off (sa.h: one owner per SA keeps sequence numbers and windows exact).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "tests.h"

#define LAN	 1
#define WAN	 2
#define LAN_PORT 0
#define WAN_PORT 1
#define MBUFS	 511
#define PKT_MAX	 2048

static const uint8_t mac_lan[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac_wan[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const struct rte_ether_addr mac_peer = {{0x02, 0, 0, 0, 0, 0x77}};
static const struct rte_ether_addr mac_host = {{0x02, 0, 0, 0, 0, 0x07}};

/* 16-byte AES key and 4-byte salt (RFC 4106 4); any bytes will do, both sides use them */
static const uint8_t gcm_key[20] = {0x4c, 0x80, 0xcd, 0xef, 0xbb, 0x5d, 0x10, 0xda, 0x90, 0x6a,
				    0xc7, 0x3c, 0x36, 0x13, 0xa6, 0x34, 0x2e, 0x44, 0x3b, 0x68};

static struct dp *dp;

/* One ESP SA as both sides know it. */
struct t_sa {
	uint32_t spi;
	uint8_t family;
	bool tunnel, udp;
	uint32_t id;
	uint64_t seq; /* the peer's next sequence number */
};

/* Above 65535: test_sa_ids moves the table's next ids there (the later tests use them too). */
#define SA_CAP_TEST 70000

static struct dp_worker *wk(void)
{
	return &dp->workers[0];
}

static uint8_t fam(const char *a)
{
	return strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
}

static void addr(const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	CU_ASSERT_EQUAL_FATAL(inet_pton(fam(s), s, out), 1);
}

/* ---- a data plane to run the worker stages on ---- */

static int t_iface(uint16_t ifindex, uint16_t port, const uint8_t *mac, const char *name)
{
	struct iface *e = rte_zmalloc("t_ifc", sizeof(*e), RTE_CACHE_LINE_SIZE);
	if (e == NULL)
		return -1;
	e->ifindex = ifindex;
	e->port_id = port;
	e->mtu = 1500;
	e->kind = IFACE_ETHER;
	e->up = 1;
	memcpy(e->mac.addr_bytes, mac, 6);
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (iface_publish(dp->ifaces, e) != ifindex)
		return -1;
	dp->port_ifindex[port] = ifindex;
	dp->ports[dp->n_ports++] = port;
	return 0;
}

static int t_route(const char *prefix, uint8_t plen, uint8_t type, uint16_t ifindex)
{
	struct dp_nh nh = {.type = type, .ifindex = ifindex};
	struct dp_fib_op op = {.plen = plen, .family = fam(prefix)};
	int id = dp_fib_nh_get(dp->fib, &nh);
	if (id < 0 || inet_pton(op.family, prefix, op.prefix) != 1)
		return -1;
	op.nh = (uint32_t)id;
	return dp_fib_apply(dp->fib, &op, 1);
}

static int t_neigh(uint16_t ifindex, const char *a, const struct rte_ether_addr *mac)
{
	struct dp_neigh_key k;
	uint8_t b[16] = {0};
	if (inet_pton(fam(a), a, b) != 1)
		return -1;
	dp_neigh_key_make(&k, ifindex, fam(a), b);
	return dp_neigh_set(dp->neigh, &k, mac);
}

static int esp_init(void)
{
	dp = dp_create(2, MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (dp == NULL)
		return -1;
	dp->ifaces = iface_table_create(dp->qsbr);
	dp->fib = dp_fib_create("tesp", dp->qsbr, 64, SOCKET_ID_ANY);
	dp->neigh = dp_neigh_create("tesp", 64, dp->qsbr, SOCKET_ID_ANY);
	dp->sas = sa_table_create("tesp", SA_CAP_TEST, dp->qsbr, SOCKET_ID_ANY);
	if (dp->ifaces == NULL || dp->fib == NULL || dp->neigh == NULL || dp->sas == NULL ||
	    t_iface(LAN, LAN_PORT, mac_lan, "lan0") != 0 ||
	    t_iface(WAN, WAN_PORT, mac_wan, "wan0") != 0 || dp_worker_tx_setup(dp) != 0)
		return -1;
	int rc = t_route("10.0.0.0", 24, NH_FWD, LAN) | t_route("10.0.0.1", 32, NH_LOCAL, LAN) |
		 t_route("192.0.2.0", 24, NH_FWD, WAN) | t_route("192.0.2.2", 32, NH_LOCAL, WAN) |
		 t_route("2001:db8:1::", 64, NH_FWD, LAN) |
		 t_route("2001:db8:2::", 64, NH_FWD, WAN) |
		 t_route("2001:db8:2::2", 128, NH_LOCAL, WAN);
	rc |= t_neigh(WAN, "192.0.2.7", &mac_peer) | t_neigh(WAN, "2001:db8:2::7", &mac_peer) |
	      t_neigh(LAN, "10.0.0.7", &mac_host) | t_neigh(LAN, "2001:db8:1::7", &mac_host);
	return rc;
}

static int esp_clean(void)
{
	if (dp == NULL)
		return 0;
	sa_table_destroy(dp->sas);
	dp_neigh_destroy(dp->neigh);
	dp_fib_destroy(dp->fib);
	iface_table_destroy(dp->ifaces);
	dp_destroy(dp);
	dp = NULL;
	return 0;
}

/*
 * Install an AES-GCM-128 SA between the hub and the peer of family f (owner worker 0) in table
 * tbl: its id, or sa_install's negative errno with err filled in.
 */
static int t_sa_put(struct sa_table *tbl, const struct t_sa *t, uint8_t dir,
		    const struct sa_sel *sel, uint8_t n_sel, char *err, size_t errlen)
{
	struct sa_conf c;
	memset(&c, 0, sizeof(c));
	c.spi = t->spi;
	c.dir = dir;
	c.family = t->family;
	c.flags = (t->tunnel ? SA_F_TUNNEL : 0) | (t->udp ? SA_F_UDP : 0);
	c.ifindex = WAN;
	addr(t->family == AF_INET ? "192.0.2.2" : "2001:db8:2::2", c.local);
	addr(t->family == AF_INET ? "192.0.2.7" : "2001:db8:2::7", c.remote);
	c.udp_sport = c.udp_dport = 4500;
	c.window = 64;
	c.xf.enc = ESP_ENC_AES_GCM;
	c.xf.enc_key = gcm_key;
	c.xf.enc_key_len = sizeof(gcm_key);
	c.xf.auth = ESP_AUTH_NONE;
	if (n_sel > 0)
		memcpy(c.sel, sel, sizeof(*sel) * n_sel);
	c.n_sel = n_sel;
	return sa_install(tbl, &c, err, errlen);
}

/* t_sa_put into the suite's table, which must take it. */
static void t_sa_install(struct t_sa *t, uint8_t dir, const struct sa_sel *sel, uint8_t n_sel)
{
	char err[256];
	int id = t_sa_put(dp->sas, t, dir, sel, n_sel, err, sizeof(err));
	if (id < 0)
		fprintf(stderr, "\n  sa_install: %s\n", err);
	CU_ASSERT_FATAL(id > 0);
	t->id = (uint32_t)id;
	t->seq = 1;
}

/* ---- packets, built byte by byte ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071 over an IPv4 header. */
static uint16_t cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IP header of family f from src to dst with protocol proto and len payload bytes. */
static size_t ip_hdr(uint8_t *p, const char *src, const char *dst, uint8_t proto, size_t len)
{
	uint8_t a[16];
	if (fam(src) == AF_INET) {
		memset(p, 0, 20);
		p[0] = 0x45;
		put16(p + 2, (uint16_t)(20 + len));
		put16(p + 4, 0x1234);
		p[8] = 64;
		p[9] = proto;
		addr(src, a);
		memcpy(p + 12, a, 4);
		addr(dst, a);
		memcpy(p + 16, a, 4);
		put16(p + 10, cksum(p, 20));
		return 20;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (uint16_t)len);
	p[6] = proto;
	p[7] = 64;
	addr(src, p + 8);
	addr(dst, p + 24);
	return 40;
}

/* An inner UDP packet src -> dst (ports 1000 -> 2000) with n payload bytes; returns its size. */
static size_t inner_udp(uint8_t *p, const char *src, const char *dst, size_t n)
{
	size_t hl = ip_hdr(p, src, dst, IPPROTO_UDP, 8 + n);
	put16(p + hl, 1000);
	put16(p + hl + 2, 2000);
	put16(p + hl + 4, (uint16_t)(8 + n));
	put16(p + hl + 6, 0);
	for (size_t i = 0; i < n; i++)
		p[hl + 8 + i] = (uint8_t)(i * 7 + 3);
	return hl + 8 + n;
}

/* What a row does to an ESP packet the peer builds. */
struct mangle {
	int icv_flip;  /* flip a bit of the ICV */
	int bad_pad;   /* padding byte 2 instead of 1, 2, ... */
	int nh;	       /* next header to put in the trailer (0: the natural one) */
	int truncate;  /* cut the frame after this many ESP bytes (0: whole) */
	uint64_t seq;  /* force this sequence number (0: the SA's next) */
	int pad_extra; /* 4-byte padding blocks added beyond the minimum */
	int keep_seq;  /* do not advance the SA's sequence number */
};

static int gcm(bool enc, const uint8_t *iv8, const uint8_t *aad, int aadl, uint8_t *buf, int len,
	       uint8_t *tag)
{
	uint8_t nonce[12];
	int out = 0, fin = 0;
	memcpy(nonce, gcm_key + 16, 4);
	memcpy(nonce + 4, iv8, 8);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int ok = x != NULL && EVP_CipherInit_ex(x, EVP_aes_128_gcm(), NULL, gcm_key, nonce, enc);
	ok = ok && EVP_CipherUpdate(x, NULL, &out, aad, aadl) &&
	     EVP_CipherUpdate(x, buf, &out, buf, len);
	if (!enc)
		ok = ok && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, tag);
	ok = ok && EVP_CipherFinal_ex(x, buf + out, &fin);
	if (enc)
		ok = ok && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

/*
 * The frame the peer sends: Ethernet, outer IP (+UDP 4500), ESP, encrypted
 * payload + padding + pad length + next header, ICV. Tunnel mode carries the whole inner packet
 * behind a new outer header; transport mode carries the inner packet's payload behind the inner
 * packet's own header. Returns the frame length.
 */
static size_t esp_frame(struct t_sa *t, const uint8_t *inner, size_t ilen, const struct mangle *mg,
			uint8_t *f)
{
	const char *peer = t->family == AF_INET ? "192.0.2.7" : "2001:db8:2::7";
	const char *hub = t->family == AF_INET ? "192.0.2.2" : "2001:db8:2::2";
	size_t ihl = t->family == AF_INET ? (size_t)(inner[0] & 0xf) * 4 : 40;
	const uint8_t *plain = t->tunnel ? inner : inner + ihl;
	size_t plen = t->tunnel ? ilen : ilen - ihl;
	uint8_t nh = t->tunnel ? ((inner[0] >> 4) == 4 ? 4 : 41)
			       : (t->family == AF_INET ? inner[9] : inner[6]);
	size_t pad = (4 - (plen + 2) % 4) % 4 + 4 * (size_t)mg->pad_extra;
	size_t esp_len = 8 + 8 + plen + pad + 2 + 16;
	size_t udp = t->udp ? 8 : 0;
	uint8_t *l3 = f + 14, *esp;
	uint64_t seq = mg->seq ? mg->seq : t->seq;
	memcpy(f, mac_wan, 6);
	memcpy(f + 6, mac_peer.addr_bytes, 6);
	put16(f + 12, t->family == AF_INET ? 0x0800 : 0x86dd);
	uint8_t proto = t->udp ? IPPROTO_UDP : IPPROTO_ESP;
	size_t hl = t->tunnel ? ip_hdr(l3, peer, hub, proto, udp + esp_len) : ihl;
	if (!t->tunnel) { /* the inner header is the outer one; its protocol becomes ESP/UDP */
		memcpy(l3, inner, ihl);
		if (t->family == AF_INET) {
			l3[9] = proto;
			put16(l3 + 2, (uint16_t)(ihl + udp + esp_len));
			put16(l3 + 10, 0);
			put16(l3 + 10, cksum(l3, ihl));
		} else {
			l3[6] = proto;
			put16(l3 + 4, (uint16_t)(udp + esp_len));
		}
	}
	if (t->udp) {
		put16(l3 + hl, 4500);
		put16(l3 + hl + 2, 4500);
		put16(l3 + hl + 4, (uint16_t)(8 + esp_len));
		put16(l3 + hl + 6, 0);
	}
	esp = l3 + hl + udp;
	put32(esp, t->spi);
	put32(esp + 4, (uint32_t)seq);
	for (int i = 0; i < 8; i++)
		esp[8 + i] = (uint8_t)(seq >>
				       (8 * (7 - i))); /* the counter IV, as RFC 4106 3.1 allows */
	uint8_t *ct = esp + 16;
	memcpy(ct, plain, plen);
	for (size_t i = 0; i < pad; i++)
		ct[plen + i] = (uint8_t)(i + 1);
	if (mg->bad_pad && pad >= 2)
		ct[plen + 1] = 9;
	ct[plen + pad] = (uint8_t)pad;
	ct[plen + pad + 1] = mg->nh ? (uint8_t)mg->nh : nh;
	CU_ASSERT_EQUAL(gcm(true, esp + 8, esp, 8, ct, (int)(plen + pad + 2), ct + plen + pad + 2),
			0);
	if (mg->icv_flip)
		ct[plen + pad + 2 + 5] ^= 0x10;
	if (!mg->keep_seq && mg->seq == 0)
		t->seq++;
	if (mg->truncate == 0)
		return 14 + hl + udp + esp_len;
	if (t->family == AF_INET) { /* a short packet, not a lying length: that is classify's */
		put16(l3 + 2, (uint16_t)(hl + udp + (size_t)mg->truncate));
		put16(l3 + 10, 0);
		put16(l3 + 10, cksum(l3, hl));
	} else {
		put16(l3 + 4, (uint16_t)(udp + (size_t)mg->truncate));
	}
	if (t->udp)
		put16(l3 + hl + 4, (uint16_t)(8 + mg->truncate));
	return 14 + hl + udp + (size_t)mg->truncate;
}

static struct rte_mbuf *mbuf_of(const uint8_t *f, size_t len)
{
	struct rte_mbuf *mb = rte_pktmbuf_alloc(dp->pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memcpy(p, f, len);
	return mb;
}

/* ---- outcomes ---- */

enum outcome { TO_LAN, TO_HUB, DROP };

struct snap {
	uint64_t drop[DP_DROP_MAX];
	uint64_t punt[DP_PUNT_MAX];
	uint64_t sa_err[SA_ERR_MAX];
	uint64_t sa_pkts;
};

static void snap_take(struct snap *s, uint32_t sa_id)
{
	const struct dp_lcore_stats *st = wk()->st;
	const struct sa *sa = sa_get(dp->sas, sa_id);
	memcpy(s->drop, st->drop, sizeof(s->drop));
	memcpy(s->punt, st->punt, sizeof(s->punt));
	memset(s->sa_err, 0, sizeof(s->sa_err));
	s->sa_pkts = 0;
	if (sa != NULL) {
		memcpy(s->sa_err, sa->st.err, sizeof(s->sa_err));
		s->sa_pkts = sa->st.pkts;
	}
}

static bool snap_same(const struct snap *a, const struct snap *b, const char *what)
{
	bool ok = true;
	for (int i = 0; i < DP_DROP_MAX; i++)
		if (a->drop[i] != b->drop[i]) {
			fprintf(stderr, "\n  %s: drop %s %lu, want %lu", what, dp_drop_name[i],
				(unsigned long)b->drop[i], (unsigned long)a->drop[i]);
			ok = false;
		}
	for (int i = 0; i < DP_PUNT_MAX; i++)
		if (a->punt[i] != b->punt[i]) {
			fprintf(stderr, "\n  %s: punt %s %lu, want %lu", what, dp_punt_name[i],
				(unsigned long)b->punt[i], (unsigned long)a->punt[i]);
			ok = false;
		}
	for (int i = 0; i < SA_ERR_MAX; i++)
		if (a->sa_err[i] != b->sa_err[i]) {
			fprintf(stderr, "\n  %s: SA error %s %lu, want %lu", what, sa_err_name[i],
				(unsigned long)b->sa_err[i], (unsigned long)a->sa_err[i]);
			ok = false;
		}
	if (a->sa_pkts != b->sa_pkts) {
		fprintf(stderr, "\n  %s: SA packets %lu, want %lu", what, (unsigned long)b->sa_pkts,
			(unsigned long)a->sa_pkts);
		ok = false;
	}
	return ok;
}

/* Take what worker 0 transmitted on port and what it punted; returns the frame or NULL. */
static struct rte_mbuf *take(uint16_t port, unsigned int *n_tx, unsigned int *n_punt,
			     struct rte_mbuf **punted)
{
	struct rte_eth_dev_tx_buffer *b = wk()->txq[port].buf;
	struct rte_mbuf *mb = b->length ? b->pkts[0] : NULL;
	*n_tx = b->length;
	for (unsigned int i = 1; i < b->length; i++)
		rte_pktmbuf_free(b->pkts[i]);
	b->length = 0;
	struct rte_mbuf *p[2 * BURST_MAX];
	*n_punt = rte_ring_dequeue_burst(wk()->punt, (void **)p, 2 * BURST_MAX, NULL);
	*punted = *n_punt ? p[0] : NULL;
	for (unsigned int i = 1; i < *n_punt; i++)
		rte_pktmbuf_free(p[i]);
	return mb;
}

/*
 * Feed one frame into wan0 and check the one outcome: where it went, that the packet there is
 * the inner one byte for byte (from its IP header on), and the exact counter deltas.
 */
static void row(const char *what, struct t_sa *t, const uint8_t *inner, size_t ilen,
		const struct mangle *mg, enum outcome want, int drop, int sa_err)
{
	uint8_t f[PKT_MAX];
	struct snap before, after;
	unsigned int n_tx, n_punt;
	struct rte_mbuf *punted, *mb = mbuf_of(f, esp_frame(t, inner, ilen, mg, f));
	snap_take(&before, t->id);
	dp_input(wk(), WAN_PORT, &mb, 1);
	struct rte_mbuf *tx = take(LAN_PORT, &n_tx, &n_punt, &punted);
	snap_take(&after, t->id);
	struct rte_mbuf *got = want == TO_LAN ? tx : want == TO_HUB ? punted : NULL;
	bool ok = n_tx == (want == TO_LAN) && n_punt == (want == TO_HUB);
	if (got != NULL) {
		const uint8_t *l3 = rte_pktmbuf_mtod_offset(got, const uint8_t *, 14);
		size_t l3len = rte_pktmbuf_pkt_len(got) - 14;
		uint8_t exp[PKT_MAX];
		memcpy(exp, inner, ilen);
		if (want == TO_LAN && (inner[0] >> 4) == 4) { /* forwarded: TTL - 1, new checksum */
			exp[8]--;
			put16(exp + 10, 0);
			put16(exp + 10, cksum(exp, 20));
		} else if (want == TO_LAN) {
			exp[7]--;
		}
		ok = ok && l3len == ilen && memcmp(l3, exp, ilen) == 0;
		before.sa_pkts++;
		before.punt[DP_PUNT_LOCAL] += want == TO_HUB;
	}
	if (drop >= 0)
		before.drop[drop]++;
	if (sa_err >= 0)
		before.sa_err[sa_err]++;
	if (!ok)
		fprintf(stderr, "\n  %s: tx %u punt %u", what, n_tx, n_punt);
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_TRUE(snap_same(&before, &after, what));
	rte_pktmbuf_free(tx);
	rte_pktmbuf_free(punted);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

static const struct mangle clean;

/* RFC 4303 3.4 in tunnel mode, IPv4 and IPv6 outer, with and without UDP encapsulation. */
static void test_tunnel_in(void)
{
	struct t_sa sas[] = {
		{0x1001, AF_INET, true, false, 0, 0},
		{0x1002, AF_INET, true, true, 0, 0},
		{0x1003, AF_INET6, true, false, 0, 0},
		{0x1004, AF_INET6, true, true, 0, 0},
	};
	uint8_t in4[256], in6[256];
	size_t n4 = inner_udp(in4, "10.9.0.5", "10.0.0.7", 100);
	size_t n6 = inner_udp(in6, "2001:db8:9::5", "2001:db8:1::7", 61);
	for (size_t i = 0; i < RTE_DIM(sas); i++) {
		t_sa_install(&sas[i], SA_IN, NULL, 0);
		row("tunnel v4 inner", &sas[i], in4, n4, &clean, TO_LAN, -1, -1);
		row("tunnel v6 inner", &sas[i], in6, n6, &clean, TO_LAN, -1, -1);
		CU_ASSERT_EQUAL(sa_remove(dp->sas, sas[i].id), 0);
	}
}

/* RFC 4303 3.1.1: transport mode to the hub's own address; the packet reaches the control core. */
static void test_transport_in(void)
{
	struct t_sa sas[] = {
		{0x2001, AF_INET, false, false, 0, 0},
		{0x2002, AF_INET, false, true, 0, 0},
		{0x2003, AF_INET6, false, false, 0, 0},
	};
	for (size_t i = 0; i < RTE_DIM(sas); i++) {
		uint8_t in[256];
		bool v4 = sas[i].family == AF_INET;
		size_t n = inner_udp(in, v4 ? "192.0.2.7" : "2001:db8:2::7",
				     v4 ? "192.0.2.2" : "2001:db8:2::2", 37);
		t_sa_install(&sas[i], SA_IN, NULL, 0);
		/* NAT-T transport: the UDP checksum is recomputed (IPv4: zero, RFC 3948 3.1.2) */
		row("transport", &sas[i], in, n, &clean, TO_HUB, -1, -1);
		struct mangle dummy = {.nh = 59};
		row("transport next header 59", &sas[i], in, n, &dummy, DROP, DP_DROP_ESP_SA,
		    SA_ERR_INNER);
		CU_ASSERT_EQUAL(sa_remove(dp->sas, sas[i].id), 0);
	}
}

/* RFC 4301 5.2 step 4: inner packets outside the SA's selectors are dropped and counted. */
static void test_selectors(void)
{
	struct t_sa t = {0x3001, AF_INET, true, false, 0, 0};
	struct sa_sel sel[2] = {
		{.family = AF_INET,
		 .src_plen = 24,
		 .dst_plen = 24,
		 .sport_hi = 65535,
		 .dport_hi = 65535},
		{.family = AF_INET,
		 .proto = IPPROTO_UDP,
		 .src_plen = 32,
		 .dst_plen = 32,
		 .sport_lo = 1000,
		 .sport_hi = 1000,
		 .dport_lo = 2000,
		 .dport_hi = 2100},
	};
	addr("10.9.0.0", sel[0].src);
	addr("10.0.0.0", sel[0].dst);
	addr("10.8.0.1", sel[1].src);
	addr("10.0.0.7", sel[1].dst);
	t_sa_install(&t, SA_IN, sel, 2);
	uint8_t in[256];
	size_t n = inner_udp(in, "10.9.0.200", "10.0.0.7", 20);
	row("inside the first selector", &t, in, n, &clean, TO_LAN, -1, -1);
	n = inner_udp(in, "10.8.0.1", "10.0.0.7", 20);
	row("inside the second (ports 1000 -> 2000)", &t, in, n, &clean, TO_LAN, -1, -1);
	n = inner_udp(in, "10.8.0.2", "10.0.0.7", 20);
	row("spoofed source", &t, in, n, &clean, DROP, DP_DROP_ESP_SA, SA_ERR_SELECTOR);
	n = inner_udp(in, "10.9.0.1", "10.0.1.7", 20);
	row("destination outside", &t, in, n, &clean, DROP, DP_DROP_ESP_SA, SA_ERR_SELECTOR);
	n = ip_hdr(in, "10.8.0.1", "10.0.0.7", IPPROTO_TCP, 20);
	memset(in + n, 0, 20);
	put16(in + n, 1000);
	put16(in + n + 2, 2000);
	row("right ports, wrong protocol", &t, in, n + 20, &clean, DROP, DP_DROP_ESP_SA,
	    SA_ERR_SELECTOR);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
}

/* The ESP classes of ROBUSTNESS.md that reach an SA, each with its exact counters. */
static void test_bad_input(void)
{
	struct t_sa t = {0x4001, AF_INET, true, false, 0, 0};
	uint8_t in[256];
	size_t n = inner_udp(in, "10.9.0.5", "10.0.0.7", 40);
	t_sa_install(&t, SA_IN, NULL, 0);
	row("first packet", &t, in, n, &clean, TO_LAN, -1, -1);
	struct mangle icv = {.icv_flip = 1, .keep_seq = 1};
	row("ICV flipped", &t, in, n, &icv, DROP, DP_DROP_ESP_SA, SA_ERR_AUTH);
	row("same sequence number, intact: the failed ICV left the window alone", &t, in, n, &clean,
	    TO_LAN, -1, -1);
	struct mangle dup = {.seq = 2};
	row("duplicate", &t, in, n, &dup, DROP, DP_DROP_ESP_SA, SA_ERR_REPLAY);
	struct mangle pad = {.bad_pad = 1, .pad_extra = 1};
	row("padding 1, 9, ...", &t, in, n, &pad, DROP, DP_DROP_ESP_SA, SA_ERR_PAD);
	struct mangle nh = {.nh = 59};
	row("tunnel next header 59 (dummy)", &t, in, n, &nh, DROP, DP_DROP_ESP_SA, SA_ERR_INNER);
	struct mangle nh17 = {.nh = 17};
	row("tunnel next header UDP", &t, in, n, &nh17, DROP, DP_DROP_ESP_SA, SA_ERR_INNER);
	struct mangle runt = {.truncate = 20};
	row("shorter than header + IV + trailer + ICV", &t, in, n, &runt, DROP, DP_DROP_ESP_SA,
	    SA_ERR_MALFORMED);
	struct mangle hdr = {.truncate = 6};
	row("shorter than the ESP header", &t, in, n, &hdr, DROP, DP_DROP_ESP_TRUNCATED, -1);
	struct mangle far = {.seq = 1000};
	row("far ahead: accepted, the window slides", &t, in, n, &far, TO_LAN, -1, -1);
	struct mangle below = {.seq = 900};
	row("left of the window", &t, in, n, &below, DROP, DP_DROP_ESP_SA, SA_ERR_REPLAY);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
}

/* Sequence number 0 is never sent (RFC 4303 3.3.3) and never accepted without ESN. */
static void test_seq_zero(void)
{
	struct t_sa t = {0x4002, AF_INET, true, false, 0, 0};
	uint8_t in[256];
	size_t n = inner_udp(in, "10.9.0.5", "10.0.0.7", 40);
	t_sa_install(&t, SA_IN, NULL, 0);
	t.seq = 0; /* esp_frame takes seq 0 literally when the SA's counter says so */
	struct mangle m = {.keep_seq = 1};
	row("sequence 0", &t, in, n, &m, DROP, DP_DROP_ESP_SA, SA_ERR_REPLAY);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
}

/* Open an ESP packet the hub built: the header, the ICV, the trailer, the plaintext. */
static void open_out(const struct t_sa *t, struct rte_mbuf *mb, const uint8_t *inner, size_t ilen,
		     uint64_t seq)
{
	uint8_t f[PKT_MAX];
	size_t len = rte_pktmbuf_pkt_len(mb);
	CU_ASSERT_FATAL(len <= sizeof(f) && mb->nb_segs == 1);
	memcpy(f, rte_pktmbuf_mtod(mb, uint8_t *), len);
	bool v4 = t->family == AF_INET;
	uint8_t *l3 = f + 14;
	size_t ihl = v4 ? (size_t)(inner[0] & 0xf) * 4 : 40;
	size_t hl = v4 ? (size_t)(l3[0] & 0xf) * 4 : 40, udp = t->udp ? 8 : 0;
	uint8_t proto = v4 ? l3[9] : l3[6];
	CU_ASSERT_EQUAL(proto, t->udp ? IPPROTO_UDP : IPPROTO_ESP);
	if (v4) {
		CU_ASSERT_EQUAL(cksum(l3, hl), 0);
		CU_ASSERT_EQUAL((size_t)(l3[2] << 8 | l3[3]), len - 14);
	} else {
		CU_ASSERT_EQUAL((size_t)(l3[4] << 8 | l3[5]), len - 14 - 40);
	}
	if (!t->tunnel) /* the packet's own addresses stay */
		CU_ASSERT_EQUAL(memcmp(l3 + (v4 ? 12 : 8), inner + (v4 ? 12 : 8), v4 ? 8 : 32), 0);
	if (t->udp)
		CU_ASSERT_EQUAL(l3[hl] << 8 | l3[hl + 1], 4500);
	uint8_t *esp = l3 + hl + udp;
	size_t ct_len = len - 14 - hl - udp - 16 - 16;
	CU_ASSERT_EQUAL((uint32_t)(esp[0] << 24 | esp[1] << 16 | esp[2] << 8 | esp[3]), t->spi);
	CU_ASSERT_EQUAL((uint32_t)(esp[4] << 24 | esp[5] << 16 | esp[6] << 8 | esp[7]), seq);
	CU_ASSERT_EQUAL_FATAL(gcm(false, esp + 8, esp, 8, esp + 16, (int)ct_len, esp + 16 + ct_len),
			      0);
	uint8_t *pt = esp + 16, padlen = pt[ct_len - 2], nh = pt[ct_len - 1];
	CU_ASSERT_EQUAL(ct_len % 4, 0);
	CU_ASSERT_FATAL(padlen + 2u <= ct_len);
	for (uint8_t i = 0; i < padlen; i++)
		CU_ASSERT_EQUAL(pt[ct_len - 2 - padlen + i], i + 1);
	size_t plen = ct_len - 2 - padlen;
	if (t->tunnel) {
		CU_ASSERT_EQUAL(nh, v4 ? 4 : 41);
		CU_ASSERT_TRUE(plen == ilen && memcmp(pt, inner, ilen) == 0);
	} else {
		CU_ASSERT_EQUAL(nh, v4 ? inner[9] : inner[6]);
		CU_ASSERT_TRUE(plen == ilen - ihl && memcmp(pt, inner + ihl, plen) == 0);
	}
}

/* What esp_out or forwarding queued on port's TX buffer, taken off it. */
static unsigned int take_all(struct dp_worker *w, uint16_t port, struct rte_mbuf **out)
{
	struct rte_eth_dev_tx_buffer *b = w->txq[port].buf;
	unsigned int n = b->length;
	memcpy(out, b->pkts, n * sizeof(*out));
	b->length = 0;
	return n;
}

/* The frame of packet in (n bytes) on lan0, as a policy handed it to SA t: dp_meta filled. */
static struct rte_mbuf *policy_pkt(const struct t_sa *t, const uint8_t *in, size_t n)
{
	uint8_t f[PKT_MAX];
	memcpy(f, mac_lan, 6);
	memcpy(f + 6, mac_host.addr_bytes, 6);
	put16(f + 12, t->family == AF_INET ? 0x0800 : 0x86dd);
	memcpy(f + 14, in, n);
	struct rte_mbuf *mb = mbuf_of(f, 14 + n);
	struct dp_meta *m = dp_meta(mb);
	memset(m, 0, sizeof(*m));
	m->family = t->family;
	m->l3_off = 14;
	m->in_ifindex = LAN;
	m->flags = DP_MF_SA_SET;
	m->sa_id = t->id;
	return mb;
}

/*
 * An outbound packet on lan0 that a policy handed to SA t, through esp_out: the ESP packet, sent
 * straight out of wan0 (the peer is resolved there: the SA's cached next hop, nh_cache.h).
 */
static struct rte_mbuf *out_sent(const struct t_sa *t, const uint8_t *in, size_t n)
{
	struct rte_mbuf *mb = policy_pkt(t, in, n);
	dp_meta(mb)->out_ifindex = WAN;
	struct dp_vec v;
	dp_vec_reset(&v);
	v.esp_out[v.n_esp_out++] = mb;
	esp_out(wk(), &v);
	struct rte_mbuf *o;
	CU_ASSERT_EQUAL(v.n_ip4 + v.n_ip6, 0);
	CU_ASSERT_EQUAL_FATAL(take_all(wk(), WAN_PORT, &o), 1);
	return o;
}

/* esp_out on a packet a policy handed an SA, for both modes, both families, with and without UDP. */

static void test_out(void)
{
	struct t_sa sas[] = {
		{0x5001, AF_INET, true, false, 0, 0},	{0x5002, AF_INET, false, false, 0, 0},
		{0x5003, AF_INET, false, true, 0, 0},	{0x5004, AF_INET6, true, true, 0, 0},
		{0x5005, AF_INET6, false, false, 0, 0}, {0x5006, AF_INET6, false, true, 0, 0},
	};
	for (size_t i = 0; i < RTE_DIM(sas); i++) {
		struct t_sa *t = &sas[i];
		bool v4 = t->family == AF_INET;
		t_sa_install(t, SA_OUT, NULL, 0);
		for (size_t size = 0; size < 40; size += 13) {
			uint8_t in[256];
			size_t n = t->tunnel ? inner_udp(in, v4 ? "10.0.0.7" : "2001:db8:1::7",
							 v4 ? "10.9.0.5" : "2001:db8:9::5", size)
					     : inner_udp(in, v4 ? "192.0.2.2" : "2001:db8:2::2",
							 v4 ? "192.0.2.7" : "2001:db8:2::7", size);
			struct rte_mbuf *o = out_sent(t, in, n);
			CU_ASSERT_TRUE(dp_meta(o)->flags & DP_MF_ORIGINATED);
			const struct rte_ether_hdr *eth =
				rte_pktmbuf_mtod(o, struct rte_ether_hdr *);
			CU_ASSERT_TRUE(rte_is_same_ether_addr(&eth->dst_addr, &mac_peer));
			CU_ASSERT_EQUAL(memcmp(eth->src_addr.addr_bytes, mac_wan, 6), 0);
			open_out(t, o, in, n, t->seq++);
			rte_pktmbuf_free(o);
		}
		CU_ASSERT_EQUAL(sa_remove(dp->sas, t->id), 0);
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

/* One IPv4 packet of 20 bytes through esp_out on SA t: NULL when it was left to forwarding. */
static struct rte_mbuf *out_one(struct t_sa *t, uint16_t *port, struct dp_vec *v)
{
	uint8_t in[256];
	size_t n = inner_udp(in, "10.0.0.7", "10.9.0.5", 20);
	struct rte_mbuf *mb = policy_pkt(t, in, n), *o = NULL;
	dp_vec_reset(v);
	v->esp_out[v->n_esp_out++] = mb;
	esp_out(wk(), v);
	t->seq++;
	for (uint16_t p = 0; p <= WAN_PORT && o == NULL; p++) {
		unsigned int k = take_all(wk(), p, &o);
		CU_ASSERT_TRUE(k <= 1);
		*port = p;
	}
	CU_ASSERT_EQUAL(v->n_ip4 + (o != NULL), 1);
	if (o != NULL)
		open_out(t, o, in, n, t->seq - 1);
	return o;
}

/* Sent straight out of port with dst as its next hop's MAC; false (and freed) otherwise. */
static bool sent_to(struct t_sa *t, uint16_t port, const struct rte_ether_addr *dst)
{
	struct dp_vec v;
	uint16_t got = 0;
	struct rte_mbuf *o = out_one(t, &got, &v);
	bool ok =
		o != NULL && got == port &&
		rte_is_same_ether_addr(&rte_pktmbuf_mtod(o, struct rte_ether_hdr *)->dst_addr, dst);
	rte_pktmbuf_free(o);
	rte_pktmbuf_free_bulk(v.ip4, v.n_ip4);
	return ok;
}

/* Left to forwarding, which then punts it with reason why. */
static bool forwarded(struct t_sa *t, enum dp_punt why)
{
	struct dp_vec v;
	uint16_t got;
	struct rte_mbuf *o = out_one(t, &got, &v), *p[2 * BURST_MAX];
	rte_pktmbuf_free(o);
	if (o != NULL || v.n_ip4 != 1)
		return false;
	dp_ip4_forward(wk(), &v);
	bool ok = v.n_frag_out == 0 && v.n_punt == 1 && dp_meta(v.punt[0])->punt == why;
	rte_pktmbuf_free_bulk(v.punt, v.n_punt);
	rte_pktmbuf_free_bulk(v.frag_out, v.n_frag_out);
	unsigned int k = take_all(wk(), LAN_PORT, p) + take_all(wk(), WAN_PORT, p + 1);
	rte_pktmbuf_free_bulk(p, k);
	return ok && k == 0;
}

/* wan0 republished with another MTU, as the control lcore changes an interface. */
static void wan_mtu(uint16_t mtu)
{
	struct iface *e = rte_malloc("t_ifc", sizeof(*e), RTE_CACHE_LINE_SIZE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	*e = *iface_get(dp->ifaces, WAN);
	e->mtu = mtu;
	CU_ASSERT_EQUAL_FATAL(iface_publish(dp->ifaces, e), WAN);
}

static int t_route_del(const char *prefix, uint8_t plen)
{
	struct dp_fib_op op = {.plen = plen, .family = fam(prefix), .nh = 0};
	if (inet_pton(op.family, prefix, op.prefix) != 1)
		return -1;
	return dp_fib_apply(dp->fib, &op, 1);
}

/*
 * The outer packets' cached next hop (nh_cache.h) answers as forwarding would after every
 * change of the tables: neighbor MAC, neighbor gone, a more specific route, the MTU, a NAT-T
 * peer move (sa_set_peer) and a peer that became the hub's own address.
 */
static void test_out_next_hop(void)
{
	static const struct rte_ether_addr mac_new = {{0x02, 0, 0, 0, 0, 0x78}};
	static const struct rte_ether_addr mac_lan_gw = {{0x02, 0, 0, 0, 0, 0x79}};
	struct t_sa t = {0x5201, AF_INET, true, false, 0, 0};
	struct dp_neigh_key k;
	uint8_t a[16] = {0};
	t_sa_install(&t, SA_OUT, NULL, 0);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_peer));
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_peer)); /* from the cache */
	CU_ASSERT_EQUAL(t_neigh(WAN, "192.0.2.7", &mac_new), 0);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_new));
	addr("192.0.2.7", a);
	dp_neigh_key_make(&k, WAN, AF_INET, a);
	CU_ASSERT_EQUAL(dp_neigh_del(dp->neigh, &k), 0);
	CU_ASSERT_TRUE(forwarded(&t, DP_PUNT_NEIGH));
	CU_ASSERT_TRUE(forwarded(&t, DP_PUNT_NEIGH)); /* still unresolved: still punted */
	CU_ASSERT_EQUAL(t_neigh(WAN, "192.0.2.7", &mac_peer), 0);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_peer));
	/* a /32 to the peer through lan0: the next packet follows the route */
	CU_ASSERT_EQUAL(t_neigh(LAN, "192.0.2.7", &mac_lan_gw), 0);
	CU_ASSERT_EQUAL(t_route("192.0.2.7", 32, NH_FWD, LAN), 0);
	CU_ASSERT_TRUE(sent_to(&t, LAN_PORT, &mac_lan_gw));
	CU_ASSERT_EQUAL(t_route_del("192.0.2.7", 32), 0);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_peer));
	/* the outer packet (20 + 20 + ESP) no longer fits: forwarding fragments it */
	wan_mtu(60);
	struct dp_vec v;
	uint16_t got;
	struct rte_mbuf *o = out_one(&t, &got, &v);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_EQUAL(v.n_ip4, 1);
	dp_ip4_forward(wk(), &v);
	CU_ASSERT_EQUAL(v.n_frag_out, 1);
	rte_pktmbuf_free_bulk(v.frag_out, v.n_frag_out);
	wan_mtu(1500);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_peer));
	/* NAT-T: the peer moved to an unresolved address, then it resolved */
	addr("192.0.2.8", a);
	CU_ASSERT_EQUAL(sa_set_peer(dp->sas, t.id, a, 0), 0);
	CU_ASSERT_TRUE(forwarded(&t, DP_PUNT_NEIGH));
	CU_ASSERT_EQUAL(t_neigh(WAN, "192.0.2.8", &mac_new), 0);
	CU_ASSERT_TRUE(sent_to(&t, WAN_PORT, &mac_new));
	/* a peer at the hub's own address is the control core's */
	addr("192.0.2.2", a);
	CU_ASSERT_EQUAL(sa_set_peer(dp->sas, t.id, a, 0), 0);
	CU_ASSERT_TRUE(forwarded(&t, DP_PUNT_LOCAL));
	dp_neigh_key_make(&k, WAN, AF_INET, (const uint8_t[4]){192, 0, 2, 8});
	CU_ASSERT_EQUAL(dp_neigh_del(dp->neigh, &k), 0);
	dp_neigh_key_make(&k, LAN, AF_INET, (const uint8_t[4]){192, 0, 2, 7});
	CU_ASSERT_EQUAL(dp_neigh_del(dp->neigh, &k), 0);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

/* A fragment cannot be protected in transport mode (RFC 4303 3.3.4): counted, not sent. */
static void test_out_fragment(void)
{
	struct t_sa t = {0x5101, AF_INET, false, false, 0, 0};
	uint8_t in[256];
	t_sa_install(&t, SA_OUT, NULL, 0);
	size_t n = inner_udp(in, "192.0.2.2", "192.0.2.7", 40);
	in[6] = 0x20; /* more fragments */
	put16(in + 10, 0);
	put16(in + 10, cksum(in, 20));
	struct rte_mbuf *mb = policy_pkt(&t, in, n);
	struct dp_vec v;
	dp_vec_reset(&v);
	v.esp_out[v.n_esp_out++] = mb;
	uint64_t before = sa_get(dp->sas, t.id)->st.err[SA_ERR_FRAGMENT];
	esp_out(wk(), &v);
	CU_ASSERT_EQUAL(v.n_ip4, 0);
	CU_ASSERT_EQUAL(sa_get(dp->sas, t.id)->st.err[SA_ERR_FRAGMENT], before + 1);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

/* Everything worker w queued for port, in order, into out (at most BURST_MAX). */
/*
 * Two workers, one SA owner (sa.h): ESP that lands on the other worker is handed to the owner,
 * whose replay window sees every packet; nothing is decrypted or transmitted by the other one.
 */
static void test_two_workers_in(void)
{
	struct dp_worker *w0 = &dp->workers[0], *w1 = &dp->workers[1];
	struct t_sa t = {0x6001, AF_INET, true, false, 0, 0};
	uint8_t in[256], f[PKT_MAX];
	struct rte_mbuf *mb[16], *tx[BURST_MAX];
	size_t n = inner_udp(in, "10.9.0.5", "10.0.0.7", 30);
	t_sa_install(&t, SA_IN, NULL, 0);
	for (int half = 0; half < 2; half++) { /* seq 1..12 reach worker 1, 13..24 worker 0 */
		for (int i = 0; i < 12; i++)
			mb[i] = mbuf_of(f, esp_frame(&t, in, n, &clean, f));
		dp_input(half == 0 ? w1 : w0, WAN_PORT, mb, 12);
	}
	CU_ASSERT_EQUAL(rte_ring_count(w0->handoff), 12);
	CU_ASSERT_EQUAL(take_all(w1, LAN_PORT, tx), 0);
	CU_ASSERT_EQUAL(take_all(w0, LAN_PORT, tx), 12); /* the owner's own, at once */
	rte_pktmbuf_free_bulk(tx, 12);
	CU_ASSERT_EQUAL(dp_handoff_poll(w0), 12);
	CU_ASSERT_EQUAL(take_all(w0, LAN_PORT, tx), 12); /* older, still inside the window */
	rte_pktmbuf_free_bulk(tx, 12);
	struct mangle dup = {.seq = 5};
	mb[0] = mbuf_of(f, esp_frame(&t, in, n, &dup, f));
	dp_input(w1, WAN_PORT, mb, 1);
	CU_ASSERT_EQUAL(dp_handoff_poll(w0), 1);
	const struct sa *sa = sa_get(dp->sas, t.id);
	CU_ASSERT_EQUAL(sa->st.pkts, 24);
	CU_ASSERT_EQUAL(sa->st.err[SA_ERR_REPLAY], 1);
	CU_ASSERT_EQUAL(sa->st.err[SA_ERR_HANDOFF], 0);
	CU_ASSERT_EQUAL(take_all(w0, LAN_PORT, tx) + take_all(w1, LAN_PORT, tx), 0);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

/* Outbound from both workers: the owner numbers every packet, 1..N, none twice. */
static void test_two_workers_out(void)
{
	struct dp_worker *w0 = &dp->workers[0], *w1 = &dp->workers[1];
	struct t_sa t = {0x6002, AF_INET, true, false, 0, 0};
	struct rte_mbuf *tx[BURST_MAX];
	uint8_t in[256], f[PKT_MAX];
	bool seen[32] = {false};
	size_t n = inner_udp(in, "10.0.0.7", "10.9.0.5", 20);
	t_sa_install(&t, SA_OUT, NULL, 0);
	memcpy(f, mac_lan, 6);
	memcpy(f + 6, mac_host.addr_bytes, 6);
	put16(f + 12, 0x0800);
	memcpy(f + 14, in, n);
	for (int k = 0; k < 2; k++) { /* 15 packets via worker 1 (handed over), 15 on worker 0 */
		struct dp_worker *w = k == 0 ? w1 : w0;
		struct dp_vec v;
		dp_vec_reset(&v);
		for (int i = 0; i < 15; i++) {
			struct rte_mbuf *mb = mbuf_of(f, 14 + n);
			struct dp_meta *m = dp_meta(mb);
			memset(m, 0, sizeof(*m));
			m->family = AF_INET;
			m->l3_off = 14;
			m->in_ifindex = LAN;
			m->out_ifindex = WAN;
			m->flags = DP_MF_SA_SET;
			m->sa_id = t.id;
			v.esp_out[v.n_esp_out++] = mb;
		}
		esp_out(w, &v);
		CU_ASSERT_EQUAL(v.n_ip4, 0);
		/* what the owner encrypted itself, sent through the SA's cached next hop */
		unsigned int own = take_all(w, WAN_PORT, tx);
		CU_ASSERT_EQUAL(own, k == 0 ? 0 : 15);
		for (uint16_t i = 0; i < own; i++) {
			const uint8_t *esp =
				rte_pktmbuf_mtod_offset(tx[i], const uint8_t *, 14 + 20);
			uint32_t seq =
				(uint32_t)(esp[4] << 24 | esp[5] << 16 | esp[6] << 8 | esp[7]);
			CU_ASSERT_TRUE(seq >= 1 && seq <= 30 && !seen[seq]);
			if (seq >= 1 && seq <= 30)
				seen[seq] = true;
			open_out(&t, tx[i], in, n, seq);
		}
		rte_pktmbuf_free_bulk(tx, own);
	}
	CU_ASSERT_EQUAL(dp_handoff_poll(w0), 15); /* encrypted and routed out of wan0 by w0 */
	unsigned int got = take_all(w0, WAN_PORT, tx);
	CU_ASSERT_EQUAL(got, 15);
	for (unsigned int i = 0; i < got; i++) {
		const uint8_t *esp = rte_pktmbuf_mtod_offset(tx[i], const uint8_t *, 14 + 20);
		uint32_t seq = (uint32_t)(esp[4] << 24 | esp[5] << 16 | esp[6] << 8 | esp[7]);
		CU_ASSERT_TRUE(seq >= 1 && seq <= 30 && !seen[seq]);
		if (seq >= 1 && seq <= 30)
			seen[seq] = true;
		open_out(&t, tx[i], in, n, seq);
	}
	rte_pktmbuf_free_bulk(tx, got);
	for (int i = 1; i <= 30; i++)
		CU_ASSERT_TRUE(seen[i]);
	CU_ASSERT_EQUAL(take_all(w1, WAN_PORT, tx), 0);
	CU_ASSERT_EQUAL(sa_remove(dp->sas, t.id), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

/*
 * SA ids: 32 bits, handed out first in, first out. A small table fills up, refuses the next SA
 * with ENOSPC, and reuses ids in the order they were freed. Then the suite's table hands out
 * ids above 65535 (its free list turned to start at 65536, as after that many installs), and
 * an SA pair with such ids decrypts and encrypts; the tests after this one keep using them.
 */
static void test_sa_ids(void)
{
	char err[256];
	CU_ASSERT_PTR_NULL(sa_table_create("tids", SA_CAP_MIN - 1, dp->qsbr, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(sa_table_create("tids", SA_CAP_MAX + 1, dp->qsbr, SOCKET_ID_ANY));
	struct sa_table *small = sa_table_create("tids", SA_CAP_MIN, dp->qsbr, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	struct t_sa t = {0x6000, AF_INET, true, false, 0, 0};
	for (uint32_t i = 1; i < SA_CAP_MIN; i++) {
		t.spi = 0x6000 + i;
		CU_ASSERT_EQUAL(t_sa_put(small, &t, SA_OUT, NULL, 0, err, sizeof(err)), (int)i);
	}
	t.spi = 0x6100;
	CU_ASSERT_EQUAL(t_sa_put(small, &t, SA_IN, NULL, 0, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SA table full (15 SAs"));
	CU_ASSERT_EQUAL(sa_remove(small, 7), 0);
	CU_ASSERT_EQUAL(sa_remove(small, 3), 0);
	CU_ASSERT_EQUAL(sa_remove(small, 3), -ENOENT);
	CU_ASSERT_EQUAL(t_sa_put(small, &t, SA_IN, NULL, 0, err, sizeof(err)), 7);
	t.spi = 0x6101;
	CU_ASSERT_EQUAL(t_sa_put(small, &t, SA_IN, NULL, 0, err, sizeof(err)), 3);
	CU_ASSERT_EQUAL(t_sa_put(small, &t, SA_OUT, NULL, 0, err, sizeof(err)), -ENOSPC);
	sa_table_destroy(small);

	struct sa_table *tbl = dp->sas;
	CU_ASSERT_EQUAL_FATAL(tbl->free_n, tbl->cap - 1); /* every SA of earlier tests removed */
	tbl->free_head = 65535;				  /* free_ids[k] holds k + 1 */
	struct t_sa in = {0x7001, AF_INET, true, false, 0, 0};
	struct t_sa out = {0x7002, AF_INET, true, false, 0, 0};
	t_sa_install(&in, SA_IN, NULL, 0);
	t_sa_install(&out, SA_OUT, NULL, 0);
	CU_ASSERT_EQUAL(in.id, 65536);
	CU_ASSERT_EQUAL(out.id, 65537);
	CU_ASSERT_EQUAL(sa_get(tbl, in.id)->id, 65536);
	uint8_t in4[256];
	size_t n4 = inner_udp(in4, "10.9.0.5", "10.0.0.7", 100);
	row("inbound SA id 65536", &in, in4, n4, &clean, TO_LAN, -1, -1);
	size_t o4 = inner_udp(in4, "10.0.0.7", "10.9.0.5", 77);
	struct rte_mbuf *o = out_sent(&out, in4, o4);
	open_out(&out, o, in4, o4, out.seq++);
	rte_pktmbuf_free(o);
	struct sa_stats st;
	sa_stats_read(sa_get(tbl, out.id), &st);
	CU_ASSERT_EQUAL(st.pkts, 1);
	CU_ASSERT_EQUAL(sa_remove(tbl, in.id), 0);
	CU_ASSERT_EQUAL(sa_remove(tbl, out.id), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

int test_esp_register(void)
{
	CU_pSuite s = CU_add_suite("esp", esp_init, esp_clean);
	if (s == NULL ||
	    CU_add_test(s, "tunnel mode in, v4/v6 outer and inner, UDP or not", test_tunnel_in) ==
		    NULL ||
	    CU_add_test(s, "transport mode in, to the hub", test_transport_in) == NULL ||
	    CU_add_test(s, "selectors of decrypted packets", test_selectors) == NULL ||
	    CU_add_test(s, "bad input, exact counters", test_bad_input) == NULL ||
	    CU_add_test(s, "sequence number 0", test_seq_zero) == NULL ||
	    CU_add_test(s, "tunnel and transport mode out, opened with OpenSSL", test_out) ==
		    NULL ||
	    CU_add_test(s, "transport mode out refuses fragments", test_out_fragment) == NULL ||
	    CU_add_test(s, "outer packets' cached next hop follows the tables",
			test_out_next_hop) == NULL ||
	    CU_add_test(s, "SA ids: 32 bits, freed ids reused last", test_sa_ids) == NULL ||
	    CU_add_test(s, "two workers: inbound handed to the SA's owner", test_two_workers_in) ==
		    NULL ||
	    CU_add_test(s, "two workers: outbound numbered by the owner", test_two_workers_out) ==
		    NULL)
		return CU_get_error();
	return 0;
}
