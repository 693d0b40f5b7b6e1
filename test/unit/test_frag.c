/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_frag.c - the "frag" suite: dataplane/frag.c through the worker path (dp_input),
 * so that classify, rte_ip_frag's reassembly, esp_in, forwarding and rte_ip*_fragment_packet
 * all run as in the hub.
 *
 * The data plane: lan0 (10.0.0.1/24, 2001:db8:1::1/64) and wan0 (192.0.2.2/24, 2001:db8:2::2/64,
 * MTU 1280) with the peer 192.0.2.1 / 2001:db8:2::1 on it, vti4 and vti6 (MTU 1500, over IPv4 and
 * IPv6 to the peer), AES-GCM-128 SAs (RFC 4106): inbound 0x1001 (IPv4), 0x1002 (IPv6), 0x1003
 * (IPv4 in UDP 4500, RFC 3948), outbound 0x2001 (vti4) and 0x2002 (vti6). ESP packets are sealed
 * and opened here with OpenSSL, not with the code under test; frames are built byte by byte and
 * IPv4 header checksums are RFC 1071's sum written out here.
 *
 * Reassembly rows: a datagram (ESP with an inner IPv4/UDP packet to the LAN host 10.0.0.7, ESP
 * in UDP, IKE-sized UDP 500, ICMP, or raw bytes) cut into the fragments the row lists, in the
 * row's order, each one frame on wan0. After the row, the worker's counters must have moved by
 * exactly the row's outcome: drops by reason (per fragment), punts, frames sent, frag_in,
 * frag_reassembled and the fragments still held; then everything held is expired (at a time
 * past FRAG_TIMEOUT_MS) and must count as frag_timeout exactly, and the mbuf pool must be full.
 * Fragmentation rows: a packet from the LAN routed into a tunnel whose outer packet exceeds
 * wan0's MTU; the fragments on wan0's TX buffer are checked field by field, put together here
 * and opened with OpenSSL.
 * Sources: RFC 791 (IPv4 fragments), RFC 8200 4.5 (IPv6 fragments), RFC 5722 (overlaps),
 * RFC 6946 (atomic fragments), RFC 7112 (a first fragment holds the headers), RFC 4303 3.3.4,
 * 3.4.1 (fragmentation after encryption, reassembly before decryption).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/frag.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "tests.h"

enum { LAN = 1, WAN = 2, VTI4 = 3, VTI6 = 4 }; /* ifindexes */
#define LAN_PORT (RTE_MAX_ETHPORTS - 2)
#define WAN_PORT (RTE_MAX_ETHPORTS - 1)
#define MBUFS	 1023
#define WAN_MTU	 1280
#define DG_MAX	 4096	/* datagram bytes built here */
#define REST	 0xffff /* a fragment spec's length: up to the end of the datagram */
#define INNER	 1402	/* inner packet of the ESP rows: ESP is 8 + 8 + 1402 + 2 + 16 = 1436 */
#define ESP_LEN	 1436
#define UDP_IKE	 500
#define UDP_NATT 4500

static const uint8_t mac_lan[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac_wan[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_peer[6] = {0x02, 0, 0, 0, 0, 0x99};
static const struct rte_ether_addr mac_gw4 = {{0x02, 0, 0, 0, 0, 0x41}};
static const struct rte_ether_addr mac_gw6 = {{0x02, 0, 0, 0, 0, 0x61}};
static const struct rte_ether_addr mac_host = {{0x02, 0, 0, 0, 0, 0x07}};

/* AES-128 key || 4-byte salt (RFC 4106 8.1): test patterns, a different one per SA. */
static uint8_t key_in4[20], key_in6[20], key_natt[20], key_out4[20], key_out6[20];

#define SPI_IN4	 0x1001
#define SPI_IN6	 0x1002
#define SPI_NATT 0x1003
#define SPI_OUT4 0x2001
#define SPI_OUT6 0x2002

static struct dp *dp;
static uint32_t seq_in4, seq_in6, seq_natt; /* the peer's sequence numbers */
static uint16_t next_id = 0x100;	    /* IPv4 Identification / IPv6 low bits */

static struct dp_worker *wk(void)
{
	return &dp->workers[0];
}

/* ---- bytes ---- */

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

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 4.1: one's complement of the one's complement sum of 16-bit words. */
static uint16_t rfc1071(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void addr(const char *text, uint8_t *out)
{
	CU_ASSERT_FATAL(inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, out) == 1);
}

/* IPv4 header, no options, checksum filled in. */
static void ip4_hdr(uint8_t *p, uint16_t total, uint16_t id, uint16_t frag, uint8_t proto,
		    const char *src, const char *dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, total);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	addr(src, p + 12);
	addr(dst, p + 16);
	put16(p + 10, rfc1071(p, 20));
}

static void ip6_hdr(uint8_t *p, uint16_t plen, uint8_t nh, const char *src, const char *dst)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	addr(src, p + 8);
	addr(dst, p + 24);
}

/* The inner packet of the ESP rows: IPv4/UDP 172.31.9.5:1234 -> 10.0.0.7:5678, len bytes. */
static void inner_packet(uint8_t *p, size_t len, uint32_t tag)
{
	ip4_hdr(p, (uint16_t)len, 0x7e57, 0, IPPROTO_UDP, "172.31.9.5", "10.0.0.7");
	put16(p + 20, 1234);
	put16(p + 22, 5678);
	put16(p + 24, (uint16_t)(len - 20));
	put16(p + 26, 0);
	for (size_t i = 28; i < len; i++)
		p[i] = (uint8_t)(i * 7 + tag);
}

/* ---- ESP with OpenSSL (RFC 4106: nonce salt || IV, AAD SPI || seq, 16-byte ICV) ---- */

static bool gcm(bool enc, const uint8_t key[20], const uint8_t *aad, const uint8_t *iv,
		const uint8_t *in, size_t n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int len = 0, fin = 0;
	bool ok;

	memcpy(nonce, key + 16, 4);
	memcpy(nonce + 4, iv, 8);
	ok = c != NULL && EVP_CipherInit_ex(c, EVP_aes_128_gcm(), NULL, key, nonce, enc) == 1 &&
	     EVP_CipherUpdate(c, NULL, &len, aad, 8) == 1 &&
	     EVP_CipherUpdate(c, out, &len, in, (int)n) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + len, &fin) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

/* ESP (tunnel mode, inner IPv4) around inner[0..n) into out; returns its length. */
static size_t esp_seal(const uint8_t key[20], uint32_t spi, uint32_t seq, const uint8_t *inner,
		       size_t n, uint8_t *out)
{
	uint8_t pt[DG_MAX];
	size_t pad = (4 - (n + 2) % 4) % 4, len = n + pad + 2;

	memcpy(pt, inner, n);
	for (size_t i = 0; i < pad; i++)
		pt[n + i] = (uint8_t)(i + 1);
	pt[n + pad] = (uint8_t)pad;
	pt[n + pad + 1] = IPPROTO_IPIP;
	put32(out, spi);
	put32(out + 4, seq);
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(0xa0 + i + seq);
	CU_ASSERT_FATAL(gcm(true, key, out, out + 8, pt, len, out + 16, out + 16 + len));
	return 16 + len + 16;
}

/* Open ESP esp[0..n) (RFC 4303 2.4 trailer checked); the inner packet into inner, its length. */
static size_t esp_open(const uint8_t key[20], const uint8_t *esp, size_t n, uint8_t *inner)
{
	uint8_t tag[16];

	if (n < 16 + 2 + 16)
		return 0;
	memcpy(tag, esp + n - 16, 16);
	if (!gcm(false, key, esp, esp + 8, esp + 16, n - 32, inner, tag))
		return 0;
	size_t len = n - 32;
	uint8_t pad = inner[len - 2];
	if (inner[len - 1] != IPPROTO_IPIP || pad + 2u > len)
		return 0;
	return len - 2 - pad;
}

/* ---- the data plane ---- */

static int add_iface(uint16_t ifindex, uint16_t port, const uint8_t *mac, uint16_t mtu,
		     uint8_t kind, uint32_t sa_out, const char *name)
{
	struct iface *e = rte_zmalloc("tfrag_ifc", sizeof(*e), RTE_CACHE_LINE_SIZE);

	if (e == NULL)
		return -1;
	e->ifindex = ifindex;
	e->port_id = port;
	e->mtu = mtu;
	e->kind = kind;
	e->up = 1;
	e->sa_out = sa_out;
	if (mac != NULL)
		memcpy(e->mac.addr_bytes, mac, 6);
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (iface_publish(dp->ifaces, e) != ifindex)
		return -1;
	if (kind == IFACE_ETHER) {
		dp->port_ifindex[port] = ifindex;
		dp->ports[dp->n_ports++] = port;
	}
	return 0;
}

static int route(const char *prefix, uint8_t plen, const struct dp_nh *nh)
{
	struct dp_fib_op op = {.plen = plen};
	int id = dp_fib_nh_get(dp->fib, nh);

	op.family = strchr(prefix, ':') != NULL ? AF_INET6 : AF_INET;
	if (id < 0 || inet_pton(op.family, prefix, op.prefix) != 1)
		return -1;
	op.nh = (uint32_t)id;
	return dp_fib_apply(dp->fib, &op, 1);
}

static int neigh(uint16_t ifindex, const char *a, const struct rte_ether_addr *mac)
{
	struct dp_neigh_key k;
	uint8_t b[16] = {0};
	uint8_t family = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, a, b) != 1)
		return -1;
	dp_neigh_key_make(&k, ifindex, family, b);
	return dp_neigh_set(dp->neigh, &k, mac);
}

static int routes(void)
{
	const struct dp_nh lan = {.type = NH_FWD, .ifindex = LAN};
	const struct dp_nh wan = {.type = NH_FWD, .ifindex = WAN};
	const struct dp_nh local = {.type = NH_LOCAL, .ifindex = WAN};
	const struct dp_nh vti4 = {.type = NH_FWD, .ifindex = VTI4};
	const struct dp_nh vti6 = {.type = NH_FWD, .ifindex = VTI6};
	struct dp_nh gw = {.type = NH_FWD, .ifindex = WAN, .family = AF_INET};
	int rc = 0;

	inet_pton(AF_INET, "192.0.2.1", gw.gw);
	rc |= route("10.0.0.0", 24, &lan);
	rc |= route("192.0.2.0", 24, &wan);
	rc |= route("192.0.2.2", 32, &local);
	rc |= route("2001:db8:1::", 64, &lan);
	rc |= route("2001:db8:2::", 64, &wan);
	rc |= route("2001:db8:2::2", 128, &local);
	rc |= route("172.31.1.0", 24, &vti4);
	rc |= route("172.31.2.0", 24, &vti6);
	rc |= neigh(WAN, "192.0.2.1", &mac_gw4);
	rc |= route("198.51.100.0", 24, &gw);
	rc |= neigh(WAN, "2001:db8:2::1", &mac_gw6);
	rc |= neigh(LAN, "10.0.0.7", &mac_host);
	return rc;
}

static int add_sa(uint32_t spi, uint8_t dir, uint8_t family, bool udp, const uint8_t *key,
		  uint16_t ifindex)
{
	struct sa_conf c;
	char err[256];

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	c.dir = dir;
	c.flags = SA_F_TUNNEL | (udp ? SA_F_UDP : 0);
	c.family = family;
	c.owner = 0;
	c.ifindex = ifindex;
	inet_pton(family, family == AF_INET ? "192.0.2.2" : "2001:db8:2::2", c.local);
	inet_pton(family, family == AF_INET ? "192.0.2.1" : "2001:db8:2::1", c.remote);
	c.udp_sport = c.udp_dport = udp ? UDP_NATT : 0;
	c.window = 64;
	c.xf.enc = ESP_ENC_AES_GCM;
	c.xf.enc_key = key;
	c.xf.enc_key_len = 20;
	c.xf.auth = ESP_AUTH_NONE;
	int id = sa_install(dp->sas, &c, err, sizeof(err));
	if (id < 0)
		fprintf(stderr, "tfrag: SA 0x%x: %s\n", spi, err);
	return id;
}

static int suite_init(void)
{
	for (int i = 0; i < 20; i++) {
		key_in4[i] = (uint8_t)i;
		key_in6[i] = (uint8_t)(0x20 + i);
		key_natt[i] = (uint8_t)(0x40 + i);
		key_out4[i] = (uint8_t)(0x60 + i);
		key_out6[i] = (uint8_t)(0x80 + i);
	}
	dp = dp_create(1, MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (dp == NULL)
		return -1;
	dp->ifaces = iface_table_create(dp->qsbr);
	dp->fib = dp_fib_create("tfrag", dp->qsbr, 64, SOCKET_ID_ANY);
	dp->neigh = dp_neigh_create("tfrag", 64, dp->qsbr, SOCKET_ID_ANY);
	dp->sas = sa_table_create("tfrag", SA_CAP_DEFAULT, dp->qsbr, SOCKET_ID_ANY);
	if (dp->ifaces == NULL || dp->fib == NULL || dp->neigh == NULL || dp->sas == NULL)
		return -1;
	int out4 = add_sa(SPI_OUT4, SA_OUT, AF_INET, false, key_out4, VTI4);
	int out6 = add_sa(SPI_OUT6, SA_OUT, AF_INET6, false, key_out6, VTI6);
	if (out4 < 0 || out6 < 0 || add_sa(SPI_IN4, SA_IN, AF_INET, false, key_in4, VTI4) < 0 ||
	    add_sa(SPI_IN6, SA_IN, AF_INET6, false, key_in6, VTI6) < 0 ||
	    add_sa(SPI_NATT, SA_IN, AF_INET, true, key_natt, VTI4) < 0)
		return -1;
	if (add_iface(LAN, LAN_PORT, mac_lan, 1500, IFACE_ETHER, 0, "lan0") != 0 ||
	    add_iface(WAN, WAN_PORT, mac_wan, WAN_MTU, IFACE_ETHER, 0, "wan0") != 0 ||
	    add_iface(VTI4, 0, NULL, 1500, IFACE_VTI, (uint16_t)out4, "vti4") != 0 ||
	    add_iface(VTI6, 0, NULL, 1500, IFACE_VTI, (uint16_t)out6, "vti6") != 0)
		return -1;
	if (dp_worker_tx_setup(dp) != 0)
		return -1;
	return routes();
}

static int suite_clean(void)
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

/* ---- datagrams and their fragments ---- */

enum kind {
	K_ESP,	   /* ESP (SA 0x1001 or 0x1002) for the hub, an inner packet to 10.0.0.7 */
	K_NATT,	   /* ESP in UDP 4500 (SA 0x1003) */
	K_IKE,	   /* UDP 500 with 1200 bytes: IKE from a peer without RFC 7383 */
	K_ICMP,	   /* ICMP to the hub: not reassembled by the workers */
	K_TRANSIT, /* ESP to 198.51.100.7, beyond the hub: forwarded as it is */
	K_RAW,	   /* ESP-numbered bytes that never need to make sense (len given) */
};

struct dgram {
	uint8_t family;
	uint8_t proto;
	uint32_t id;
	const char *src, *dst;
	uint8_t data[DG_MAX]; /* the IP payload; bytes past len read as a pattern */
	size_t len;
};

/* A fragment: data [ofs, ofs + len) of the datagram; more: the MF / M flag. */
struct fspec {
	uint16_t ofs;
	uint16_t len;
	uint8_t more;
};

static void dgram_make(struct dgram *d, uint8_t family, enum kind kind, size_t raw_len)
{
	uint8_t inner[DG_MAX];
	bool v4 = family == AF_INET;

	memset(d, 0, sizeof(*d));
	d->family = family;
	d->id = next_id++;
	d->src = v4 ? "192.0.2.1" : "2001:db8:2::1";
	d->dst = v4 ? "192.0.2.2" : "2001:db8:2::2";
	d->proto = IPPROTO_ESP;
	inner_packet(inner, INNER, (uint8_t)d->id);
	switch (kind) {
	case K_ESP:
		d->len = v4 ? esp_seal(key_in4, SPI_IN4, ++seq_in4, inner, INNER, d->data)
			    : esp_seal(key_in6, SPI_IN6, ++seq_in6, inner, INNER, d->data);
		break;
	case K_NATT:
	case K_IKE:
		d->proto = IPPROTO_UDP;
		d->len = 8 + (kind == K_NATT ? esp_seal(key_natt, SPI_NATT, ++seq_natt, inner,
							INNER, d->data + 8)
					     : 1200);
		if (kind == K_IKE)
			for (size_t i = 8; i < d->len; i++)
				d->data[i] = (uint8_t)(i ^ 0x5a);
		put16(d->data, kind == K_NATT ? UDP_NATT : UDP_IKE);
		put16(d->data + 2, kind == K_NATT ? UDP_NATT : UDP_IKE);
		put16(d->data + 4, (uint16_t)d->len);
		break;
	case K_ICMP:
		d->proto = IPPROTO_ICMP;
		d->len = ESP_LEN;
		memset(d->data, 0x11, d->len);
		break;
	case K_TRANSIT:
		d->dst = "198.51.100.7";
		d->len = esp_seal(key_in4, 0xdead, 1, inner, INNER, d->data);
		break;
	case K_RAW:
		d->len = raw_len;
		for (size_t i = 0; i < d->len; i++)
			d->data[i] = (uint8_t)(i * 13);
		break;
	}
}

/* One fragment of d as an Ethernet frame from the peer to wan0, in a new mbuf. */
static struct rte_mbuf *frag_mbuf(const struct dgram *d, const struct fspec *f)
{
	uint8_t fr[14 + 48 + DG_MAX];
	uint32_t len = f->len == REST ? (uint32_t)(d->len - f->ofs) : f->len;
	size_t hl = d->family == AF_INET ? 20 : 48, n = 14 + hl + len;
	uint8_t *p = fr + 14 + hl;

	CU_ASSERT_FATAL(len <= DG_MAX);
	memcpy(fr, mac_wan, 6);
	memcpy(fr + 6, mac_peer, 6);
	put16(fr + 12, d->family == AF_INET ? 0x0800 : 0x86dd);
	if (d->family == AF_INET) {
		ip4_hdr(fr + 14, (uint16_t)(20 + len), (uint16_t)d->id,
			(uint16_t)((f->more ? 0x2000 : 0) | f->ofs / 8), d->proto, d->src, d->dst);
	} else {
		ip6_hdr(fr + 14, (uint16_t)(8 + len), 44, d->src, d->dst);
		fr[54] = d->proto; /* the Fragment header (RFC 8200 4.5) */
		fr[55] = 0;
		put16(fr + 56, (uint16_t)(f->ofs | (f->more ? 1 : 0)));
		put32(fr + 58, d->id);
	}
	for (uint32_t i = 0; i < len; i++)
		p[i] = f->ofs + i < d->len ? d->data[f->ofs + i] : (uint8_t)(i ^ 0xc3);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(dp->pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	char *b = rte_pktmbuf_append(mb, (uint16_t)n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	memcpy(b, fr, n);
	return mb;
}

/* ---- what the worker did ---- */

struct snap {
	uint64_t rx, tx, dropped, punted;
	uint64_t drop[DP_DROP_MAX];
	uint64_t punt[DP_PUNT_MAX];
	uint64_t frag[DP_FRAG_STAT_MAX];
	uint32_t held;
};

static void snap_take(struct snap *s)
{
	const struct dp_lcore_stats *st = wk()->st;

	s->rx = st->rx_pkts;
	s->tx = st->tx_pkts;
	s->dropped = st->dropped;
	s->punted = st->punted;
	memcpy(s->drop, st->drop, sizeof(s->drop));
	memcpy(s->punt, st->punt, sizeof(s->punt));
	memcpy(s->frag, wk()->st->frag, sizeof(s->frag));
	s->held = wk()->frag_held;
}

static bool snap_equal(const struct snap *want, const char *what)
{
	struct snap got;
	bool ok = true;

	snap_take(&got);
#define CMP(field, name)                                                                     \
	do {                                                                                 \
		if (got.field != want->field) {                                              \
			fprintf(stderr, "\n  %s: %s %" PRIu64 ", want %" PRIu64, what, name, \
				(uint64_t)got.field, (uint64_t)want->field);                 \
			ok = false;                                                          \
		}                                                                            \
	} while (0)
	CMP(rx, "rx_pkts");
	CMP(tx, "tx_pkts");
	CMP(dropped, "dropped");
	CMP(punted, "punted");
	CMP(held, "frag_held");
	for (unsigned int i = 0; i < DP_DROP_MAX; i++)
		CMP(drop[i], dp_drop_name[i]);
	for (unsigned int i = 0; i < DP_PUNT_MAX; i++)
		CMP(punt[i], dp_punt_name[i]);
	static const char *const fname[] = {"frag_in", "frag_reassembled", "frag_fragmented",
					    "frag_out"};
	RTE_BUILD_BUG_ON(RTE_DIM(fname) != DP_FRAG_STAT_MAX);
	for (unsigned int i = 0; i < DP_FRAG_STAT_MAX; i++)
		CMP(frag[i], fname[i]);
#undef CMP
	return ok;
}

static void drop_add(struct snap *s, enum dp_drop why, uint64_t n)
{
	s->drop[why] += n;
	s->dropped += n;
}

/* Frames queued on a port's TX buffer, taken out; returns how many. */
static unsigned int tx_take(uint16_t port, struct rte_mbuf **out)
{
	struct rte_eth_dev_tx_buffer *b = wk()->txq[port].buf;
	unsigned int n = b->length;

	memcpy(out, b->pkts, n * sizeof(*out));
	b->length = 0;
	return n;
}

static unsigned int punt_take(struct rte_mbuf **out)
{
	return rte_ring_dequeue_burst(wk()->punt, (void **)out, 2 * BURST_MAX, NULL);
}

/* Expire everything held, as if FRAG_TIMEOUT_MS had passed twice. */
static void expire_all(void)
{
	frag_expire(wk(), rte_rdtsc() + 2 * rte_get_tsc_hz() / 1000 * FRAG_TIMEOUT_MS);
}

/* A frame sent to 10.0.0.7 is the inner packet of d, TTL one lower (RFC 1624 checksum). */
static bool inner_is(const struct dgram *d, const struct rte_mbuf *mb)
{
	uint8_t want[DG_MAX];
	const uint8_t *got = rte_pktmbuf_mtod(mb, const uint8_t *);

	inner_packet(want, INNER, (uint8_t)d->id);
	want[8]--;
	put16(want + 10, 0);
	put16(want + 10, rfc1071(want, 20));
	return mb->nb_segs == 1 && rte_pktmbuf_pkt_len(mb) == 14 + INNER &&
	       memcmp(got, mac_host.addr_bytes, 6) == 0 && memcmp(got + 6, mac_lan, 6) == 0 &&
	       memcmp(got + 14, want, INNER) == 0;
}

static bool inner_sent(const struct dgram *d, const struct rte_mbuf *mb, const char *what)
{
	if (inner_is(d, mb))
		return true;
	fprintf(stderr, "\n  %s: frame to the LAN host differs (len %u, segs %u)", what,
		rte_pktmbuf_pkt_len(mb), mb->nb_segs);
	return false;
}

/* ---- reassembly rows ---- */

enum out { O_NONE, O_LAN, O_PUNT, O_WAN };

struct row {
	const char *what;
	uint8_t family;
	enum kind kind;
	uint16_t raw_len;
	struct fspec f[10];
	uint8_t n_f;
	enum out out;
	uint8_t n_out; /* frames on that path */
	uint8_t frag_in, reassembled, held;
	struct {
		enum dp_drop why;
		uint8_t n;
	} drop;
	uint8_t timeouts; /* fragments frag_expire drops afterwards */
};

#define F(o, l, m)      \
	{               \
		o, l, m \
	}
#define NODROP                 \
	{                      \
		DP_DROP_MAX, 0 \
	}
#define DROPS(r, n)            \
	{                      \
		DP_DROP_##r, n \
	}

static const struct row rows[] = {
	{"ESP in 2, in order",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(720, REST, 0)},
	 2,
	 O_LAN,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP in 2, last first",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(720, REST, 0), F(0, 720, 1)},
	 2,
	 O_LAN,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP in 3, the middle one last",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 480, 1), F(960, REST, 0), F(480, 480, 1)},
	 3,
	 O_LAN,
	 1,
	 3,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP in 8, the most rte_ip_frag takes",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(1232, REST, 0), F(0, 176, 1), F(176, 176, 1), F(352, 176, 1), F(528, 176, 1),
	  F(704, 176, 1), F(880, 176, 1), F(1056, 176, 1)},
	 8,
	 O_LAN,
	 1,
	 8,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP over IPv6 in 2",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(720, REST, 0)},
	 2,
	 O_LAN,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP over IPv6 in 3, out of order",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(960, REST, 0), F(480, 480, 1), F(0, 480, 1)},
	 3,
	 O_LAN,
	 1,
	 3,
	 1,
	 0,
	 NODROP,
	 0},
	{"ESP in UDP 4500 in 2",
	 AF_INET,
	 K_NATT,
	 0,
	 {F(0, 720, 1), F(720, REST, 0)},
	 2,
	 O_LAN,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"IKE on UDP 500 in 2: punted whole",
	 AF_INET,
	 K_IKE,
	 0,
	 {F(0, 600, 1), F(600, REST, 0)},
	 2,
	 O_PUNT,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"IKE on UDP 500 over IPv6 in 2: punted whole",
	 AF_INET6,
	 K_IKE,
	 0,
	 {F(600, REST, 0), F(0, 600, 1)},
	 2,
	 O_PUNT,
	 1,
	 2,
	 1,
	 0,
	 NODROP,
	 0},
	{"IPv6 atomic fragment of ESP (RFC 6946)",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(0, REST, 0)},
	 1,
	 O_LAN,
	 1,
	 1,
	 1,
	 0,
	 NODROP,
	 0},
	{"transit ESP fragments are forwarded as they are",
	 AF_INET,
	 K_TRANSIT,
	 0,
	 {F(0, 720, 1), F(720, REST, 0)},
	 2,
	 O_WAN,
	 2,
	 0,
	 0,
	 0,
	 NODROP,
	 0},
	{"ICMP fragments for the hub go to the control lcore",
	 AF_INET,
	 K_ICMP,
	 0,
	 {F(0, 720, 1), F(720, REST, 0)},
	 2,
	 O_PUNT,
	 2,
	 0,
	 0,
	 0,
	 NODROP,
	 0},
	{"overlapping fragments discard the datagram",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(712, REST, 0)},
	 2,
	 O_NONE,
	 0,
	 2,
	 0,
	 0,
	 DROPS(FRAG_DISCARDED, 2),
	 0},
	{"overlapping fragments, IPv6 (RFC 5722)",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(712, REST, 0), F(480, 240, 1), F(0, 480, 1)},
	 3,
	 O_NONE,
	 0,
	 3,
	 0,
	 0,
	 DROPS(FRAG_DISCARDED, 3),
	 0},
	{"a repeated first fragment discards the datagram",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(0, 720, 1)},
	 2,
	 O_NONE,
	 0,
	 2,
	 0,
	 0,
	 DROPS(FRAG_DISCARDED, 2),
	 0},
	{"a repeated middle fragment discards the datagram",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 480, 1), F(480, 480, 1), F(480, 480, 1), F(960, REST, 0)},
	 4,
	 O_NONE,
	 0,
	 4,
	 0,
	 0,
	 DROPS(FRAG_DISCARDED, 4),
	 0},
	{"a repeat after completion waits alone, then times out",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(720, REST, 0), F(720, REST, 0)},
	 3,
	 O_LAN,
	 1,
	 3,
	 1,
	 1,
	 NODROP,
	 1},
	{"9 fragments: more than rte_ip_frag takes",
	 AF_INET,
	 K_RAW,
	 ESP_LEN,
	 {F(1280, REST, 0), F(0, 160, 1), F(160, 160, 1), F(320, 160, 1), F(480, 160, 1),
	  F(640, 160, 1), F(800, 160, 1), F(960, 160, 1), F(1120, 160, 1)},
	 9,
	 O_NONE,
	 0,
	 9,
	 0,
	 0,
	 DROPS(FRAG_DISCARDED, 9),
	 0},
	{"a fragment ending past 65535",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(65512, 8, 1)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_TOO_BIG, 1),
	 0},
	{"an IPv6 fragment ending past 65535",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(65528, 16, 0)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_TOO_BIG, 1),
	 0},
	{"a non-final fragment not a multiple of 8",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(0, 100, 1)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_MALFORMED, 1),
	 0},
	{"an IPv6 non-final fragment not a multiple of 8",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(8, 100, 1)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_MALFORMED, 1),
	 0},
	{"an empty fragment",
	 AF_INET,
	 K_ESP,
	 0,
	 {F(720, 0, 0)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_MALFORMED, 1),
	 0},
	{"a first fragment too short for UDP and ESP headers",
	 AF_INET,
	 K_NATT,
	 0,
	 {F(0, 8, 1)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 0,
	 DROPS(FRAG_MALFORMED, 1),
	 0},
	{"the rest of that datagram never completes",
	 AF_INET,
	 K_NATT,
	 0,
	 {F(8, 712, 1)},
	 1,
	 O_NONE,
	 0,
	 1,
	 0,
	 1,
	 NODROP,
	 1},
	{"a datagram that never completes times out",
	 AF_INET6,
	 K_ESP,
	 0,
	 {F(0, 720, 1), F(1200, REST, 0)},
	 2,
	 O_NONE,
	 0,
	 2,
	 0,
	 2,
	 NODROP,
	 2},
	{"reassembled larger than a buffer",
	 AF_INET,
	 K_RAW,
	 2200,
	 {F(0, 1000, 1), F(2000, REST, 0), F(1000, 1000, 1)},
	 3,
	 O_NONE,
	 0,
	 3,
	 0,
	 0,
	 DROPS(FRAG_NO_ROOM, 3),
	 0},
};

/* The counters a row moves, on top of *want. */
static void row_want(const struct row *r, struct snap *want)
{
	want->rx += r->n_f;
	want->frag[DP_FRAG_IN] += r->frag_in;
	want->frag[DP_FRAG_REASSEMBLED] += r->reassembled;
	want->held = r->held;
	if (r->drop.n)
		drop_add(want, r->drop.why, r->drop.n);
	if (r->out == O_LAN || r->out == O_WAN)
		want->tx += r->n_out;
	if (r->out == O_PUNT) {
		want->punted += r->n_out;
		want->punt[DP_PUNT_LOCAL] += r->n_out;
	}
}

/* A punted IKE datagram: whole, in one segment, as the control lcore will parse it. */
static bool ike_punted(const struct row *r, const struct dgram *d, const struct rte_mbuf *mb)
{
	size_t hl = r->family == AF_INET ? 20 : 40;
	const uint8_t *p = rte_pktmbuf_mtod(mb, const uint8_t *);
	bool ok = mb->nb_segs == 1 && rte_pktmbuf_pkt_len(mb) == 14 + hl + d->len &&
		  memcmp(p + 14 + hl, d->data, d->len) == 0 &&
		  (r->family == AF_INET ? rfc1071(p + 14, 20) == 0 && get16(p + 16) == 20 + d->len
					: p[20] == IPPROTO_UDP && get16(p + 18) == d->len);

	if (!ok)
		fprintf(stderr, "\n  %s: punted datagram differs", r->what);
	return ok;
}

/* Take what the row sent out (LAN, WAN, punt ring) and check it; returns the mismatches. */
static unsigned int row_outputs(const struct row *r, const struct dgram *d)
{
	struct rte_mbuf *lan[BURST_MAX], *wan[BURST_MAX], *punt[2 * BURST_MAX];
	unsigned int n_lan = tx_take(LAN_PORT, lan), n_wan = tx_take(WAN_PORT, wan);
	unsigned int n_punt = punt_take(punt), bad = 0;

	bad += n_lan != (r->out == O_LAN ? r->n_out : 0u);
	bad += n_wan != (r->out == O_WAN ? r->n_out : 0u);
	bad += n_punt != (r->out == O_PUNT ? r->n_out : 0u);
	if (r->out == O_LAN && n_lan == 1)
		bad += !inner_sent(d, lan[0], r->what);
	if (r->out == O_PUNT && r->kind == K_IKE && n_punt == 1)
		bad += !ike_punted(r, d, punt[0]);
	rte_pktmbuf_free_bulk(lan, n_lan);
	rte_pktmbuf_free_bulk(wan, n_wan);
	rte_pktmbuf_free_bulk(punt, n_punt);
	return bad;
}

/* Run a row; returns the number of mismatches (details on stderr). */
static unsigned int row_run(const struct row *r)
{
	struct dgram *d = malloc(sizeof(*d));
	struct rte_mbuf *mb[BURST_MAX];
	struct snap want;
	unsigned int bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	dgram_make(d, r->family, r->kind, r->raw_len);
	snap_take(&want);
	for (unsigned int i = 0; i < r->n_f; i++)
		mb[i] = frag_mbuf(d, &r->f[i]);
	/* one fragment per burst: the order is the row's, whatever a burst would do */
	for (unsigned int i = 0; i < r->n_f; i++)
		dp_input(wk(), WAN_PORT, &mb[i], 1);
	row_want(r, &want);
	bad += !snap_equal(&want, r->what);
	bad += row_outputs(r, d);
	expire_all();
	want.held = 0;
	drop_add(&want, DP_DROP_FRAG_TIMEOUT, r->timeouts);
	bad += !snap_equal(&want, r->what);
	if (rte_mempool_avail_count(dp->pool) != MBUFS) {
		fprintf(stderr, "\n  %s: %u mbufs in use afterwards", r->what,
			rte_mempool_in_use_count(dp->pool));
		bad++;
	}
	free(d);
	return bad;
}

static void test_rows(void)
{
	for (size_t i = 0; i < RTE_DIM(rows); i++) {
		unsigned int bad = row_run(&rows[i]);
		if (bad)
			fprintf(stderr, "\n  row \"%s\" failed (%u)\n", rows[i].what, bad);
		CU_ASSERT_EQUAL(bad, 0);
	}
}

/*
 * Fragments of four datagrams interleaved in one burst, with a plain ESP packet among them:
 * every datagram comes out once, the plain packet too.
 */
static void test_one_burst(void)
{
	static const struct fspec two[2] = {F(0, 720, 1), F(720, REST, 0)};
	struct dgram *d = calloc(5, sizeof(*d));
	struct rte_mbuf *mb[BURST_MAX], *lan[BURST_MAX];
	struct snap want;
	uint16_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	dgram_make(&d[0], AF_INET, K_ESP, 0);
	dgram_make(&d[1], AF_INET6, K_ESP, 0);
	dgram_make(&d[2], AF_INET, K_NATT, 0);
	dgram_make(&d[3], AF_INET, K_ESP, 0);
	dgram_make(&d[4], AF_INET, K_ESP, 0); /* sent whole */
	snap_take(&want);
	for (int k = 1; k >= 0; k--)
		for (int i = 0; i < 4; i++)
			mb[n++] = frag_mbuf(&d[i], &two[(k + i) & 1]);
	static const struct fspec all = F(0, REST, 0);
	mb[n++] = frag_mbuf(&d[4], &all); /* offset 0, MF clear: a whole datagram */
	dp_input(wk(), WAN_PORT, mb, n);
	want.rx += n;
	want.tx += 5;
	want.frag[DP_FRAG_IN] += 8;
	want.frag[DP_FRAG_REASSEMBLED] += 4;
	CU_ASSERT_TRUE(snap_equal(&want, "one burst"));
	unsigned int n_lan = tx_take(LAN_PORT, lan), seen = 0;
	CU_ASSERT_EQUAL(n_lan, 5);
	/* each datagram exactly once, in whatever order the SA grouping of esp_in leaves them */
	for (unsigned int i = 0; i < n_lan; i++) {
		for (unsigned int j = 0; j < 5; j++) {
			if (!(seen & 1u << j) && inner_is(&d[j], lan[i])) {
				seen |= 1u << j;
				break;
			}
		}
	}
	CU_ASSERT_EQUAL(seen, 0x1f);
	rte_pktmbuf_free_bulk(lan, n_lan);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
	free(d);
}

/*
 * The fragment budget: a quarter of the pool for one worker. First fragments of as many
 * datagrams fill it; the next is frag_table_full; the held ones time out, every mbuf returns.
 */
static void test_budget(void)
{
	uint32_t max = wk()->frag_held_max;
	struct dgram *d = malloc(sizeof(*d));
	struct rte_mbuf *mb[BURST_MAX];
	static const struct fspec first = F(0, 720, 1);
	struct snap want;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(max, MBUFS / 4);
	dgram_make(d, AF_INET, K_ESP, 0);
	snap_take(&want);
	for (uint32_t sent = 0; sent < max + 1;) {
		uint16_t n = 0;
		for (; n < BURST_MAX && sent < max + 1; n++, sent++) {
			d->id = next_id++;
			mb[n] = frag_mbuf(d, &first);
		}
		dp_input(wk(), WAN_PORT, mb, n);
	}
	want.rx += max + 1;
	want.frag[DP_FRAG_IN] += max + 1;
	want.held = max;
	drop_add(&want, DP_DROP_FRAG_TABLE_FULL, 1);
	CU_ASSERT_TRUE(snap_equal(&want, "budget full"));
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(dp->pool), max);
	/* not yet expired: a time just short of the timeout leaves them */
	frag_expire(wk(), rte_rdtsc());
	CU_ASSERT_EQUAL(wk()->frag_held, max);
	expire_all();
	want.held = 0;
	drop_add(&want, DP_DROP_FRAG_TIMEOUT, max);
	CU_ASSERT_TRUE(snap_equal(&want, "budget expired"));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
	free(d);
}

/* ---- fragmentation after encryption ---- */

/* A frame from the LAN host to dst, an IPv4/UDP packet of len bytes, DF set as hosts do. */
static struct rte_mbuf *lan_frame(const char *dst, size_t len)
{
	uint8_t fr[14 + DG_MAX];
	struct rte_mbuf *mb = rte_pktmbuf_alloc(dp->pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	memcpy(fr, mac_lan, 6);
	memcpy(fr + 6, mac_host.addr_bytes, 6);
	put16(fr + 12, 0x0800);
	ip4_hdr(fr + 14, (uint16_t)len, 0x4242, 0x4000, IPPROTO_UDP, "10.0.0.7", dst);
	put16(fr + 34, 5678);
	put16(fr + 36, 1234);
	put16(fr + 38, (uint16_t)(len - 20));
	put16(fr + 40, 0);
	for (size_t i = 28; i < len; i++)
		fr[14 + i] = (uint8_t)(i * 3);
	char *b = rte_pktmbuf_append(mb, (uint16_t)(14 + len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	memcpy(b, fr, 14 + len);
	return mb;
}

/* A fragment's bytes, all segments (a header and a reference to the packet), into out. */
static size_t frame_bytes(const struct rte_mbuf *mb, uint8_t *out, size_t cap)
{
	size_t n = rte_pktmbuf_pkt_len(mb);
	const void *p = n <= cap ? rte_pktmbuf_read(mb, 0, (uint32_t)n, out) : NULL;

	if (p == NULL)
		return 0;
	if (p != out)
		memcpy(out, p, n);
	return n;
}

/*
 * Fragments on wan0 of one outer packet: MACs, EtherType, header fields (RFC 791 / RFC 8200
 * 4.5), sizes within the MTU, every one but the last as full as the MTU allows in 8-byte units
 * (per bytes of data), contiguous; the datagram put together into dg. Returns its length, 0 on
 * a mismatch (described on stderr).
 */
static size_t frags_join(struct rte_mbuf **f, unsigned int n, uint8_t family, size_t per,
			 uint8_t *dg, uint32_t *id)
{
	uint8_t fr[14 + DG_MAX];
	size_t end = 0;
	bool v4 = family == AF_INET;

	for (unsigned int i = 0; i < n; i++) {
		size_t len = frame_bytes(f[i], fr, sizeof(fr)), hl = v4 ? 20 : 48, data;
		uint32_t ofs, fid;
		bool more;
		if (len < 14 + hl || len - 14 > WAN_MTU ||
		    memcmp(fr, v4 ? mac_gw4.addr_bytes : mac_gw6.addr_bytes, 6) != 0 ||
		    memcmp(fr + 6, mac_wan, 6) != 0 || get16(fr + 12) != (v4 ? 0x0800 : 0x86dd))
			goto bad;
		const uint8_t *ip = fr + 14;
		if (v4) {
			if (rfc1071(ip, 20) != 0 || get16(ip + 2) != len - 14 || ip[9] != 50 ||
			    (get16(ip + 6) & 0x4000))
				goto bad;
			ofs = (get16(ip + 6) & 0x1fffu) * 8;
			more = get16(ip + 6) & 0x2000;
			fid = get16(ip + 4);
		} else {
			if (ip[6] != 44 || get16(ip + 4) != len - 14 - 40 || ip[40] != 50)
				goto bad;
			ofs = get16(ip + 42) & 0xfff8u;
			more = get16(ip + 42) & 1;
			fid = get32(ip + 44);
		}
		data = len - 14 - hl;
		if (ofs != end || (more != (i + 1 < n)) || (more && data != per) ||
		    (i > 0 && fid != *id) || ofs + data > DG_MAX)
			goto bad;
		*id = fid;
		memcpy(dg + ofs, fr + 14 + hl, data);
		end = ofs + data;
		continue;
	bad:
		fprintf(stderr, "\n  fragment %u of %u on wan0 is wrong (len %zu)", i + 1, n, len);
		return 0;
	}
	return end;
}

/*
 * A packet from the LAN into vti4 (or vti6) whose outer packet exceeds wan0's MTU: fragmented
 * by the worker after encryption, into ceil(outer data / fragment data) fragments that the peer
 * (here OpenSSL) can put together and open.
 */
static void fragmented_once(uint8_t family, uint32_t *id)
{
	const bool v4 = family == AF_INET;
	const size_t len = 1400, esp = 16 + 1404 + 16; /* 1400 + pad 2 + trailer 2 */
	const size_t per = v4 ? (WAN_MTU - 20) & ~7u : (WAN_MTU - 48) & ~7u;
	const unsigned int n_want = (unsigned int)((esp + per - 1) / per);
	struct rte_mbuf *mb = lan_frame(v4 ? "172.31.1.9" : "172.31.2.9", len);
	struct rte_mbuf *wan[BURST_MAX], *lan[BURST_MAX];
	uint8_t dg[DG_MAX], inner[DG_MAX], sent[DG_MAX];
	struct snap want;

	memcpy(sent, rte_pktmbuf_mtod_offset(mb, uint8_t *, 14), len);
	sent[8]--; /* routed once, into the tunnel */
	put16(sent + 10, 0);
	put16(sent + 10, rfc1071(sent, 20));
	snap_take(&want);
	dp_input(wk(), LAN_PORT, &mb, 1);
	want.rx += 1;
	want.tx += n_want;
	want.frag[DP_FRAG_FRAGMENTED] += 1;
	want.frag[DP_FRAG_OUT] += n_want;
	CU_ASSERT_TRUE(snap_equal(&want, v4 ? "fragmented over IPv4" : "fragmented over IPv6"));
	unsigned int n = tx_take(WAN_PORT, wan);
	CU_ASSERT_EQUAL(tx_take(LAN_PORT, lan), 0);
	CU_ASSERT_EQUAL_FATAL(n, n_want);
	size_t got = frags_join(wan, n, family, per, dg, id);
	CU_ASSERT_EQUAL(got, esp);
	CU_ASSERT_EQUAL(get32(dg), v4 ? SPI_OUT4 : SPI_OUT6);
	size_t in = got == esp ? esp_open(v4 ? key_out4 : key_out6, dg, got, inner) : 0;
	CU_ASSERT_EQUAL(in, len);
	CU_ASSERT_EQUAL(memcmp(inner, sent, len), 0);
	rte_pktmbuf_free_bulk(wan, n);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(dp->frag_direct), 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(dp->frag_indirect), 0);
}

static void test_fragment4(void)
{
	uint32_t id1 = 0, id2 = 0;

	fragmented_once(AF_INET, &id1);
	fragmented_once(AF_INET, &id2);
	CU_ASSERT_NOT_EQUAL(id1, id2); /* esp_out numbers outer packets: fragments never mix */
}

static void test_fragment6(void)
{
	uint32_t id1 = 0, id2 = 0;

	fragmented_once(AF_INET6, &id1);
	fragmented_once(AF_INET6, &id2);
	CU_ASSERT_NOT_EQUAL(id1, id2); /* RFC 8200 4.5: a new Identification per datagram */
}

/* A routed packet over the MTU that the hub did not build still goes to the control lcore. */
static void test_transit_mtu(void)
{
	struct rte_mbuf *mb = lan_frame("198.51.100.9", WAN_MTU + 1), *punt[2 * BURST_MAX];
	struct snap want;

	snap_take(&want);
	dp_input(wk(), LAN_PORT, &mb, 1);
	want.rx += 1;
	want.punted += 1;
	want.punt[DP_PUNT_MTU] += 1;
	CU_ASSERT_TRUE(snap_equal(&want, "transit over the MTU"));
	unsigned int n = punt_take(punt);
	CU_ASSERT_EQUAL(n, 1);
	if (n == 1)
		CU_ASSERT_EQUAL(dp_meta(punt[0])->out_ifindex, WAN);
	rte_pktmbuf_free_bulk(punt, n);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(dp->pool), MBUFS);
}

int test_frag_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"reassembly rows", test_rows},
		{"interleaved in one burst", test_one_burst},
		{"fragment budget and timeout", test_budget},
		{"IPv4 outer fragmented after encryption", test_fragment4},
		{"IPv6 outer fragmented after encryption", test_fragment6},
		{"transit over the MTU is punted", test_transit_mtu},
	};
	CU_pSuite s = CU_add_suite("frag", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
