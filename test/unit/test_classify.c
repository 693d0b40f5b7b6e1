/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_classify.c - the "classify" suite: dataplane/classify.c.
 *
 * Frames are built byte by byte here (not with DPDK's header structs or checksum helpers) so the
 * test does not share a mistake with the code under test; the IPv4 header checksum is RFC 1071's
 * one's complement sum, checked against a published vector first.
 * Each row is one frame and its one outcome: a vector (ip4/ip6), a punt with its reason, or a drop
 * with its reason. After every row the whole per-lcore stats struct must equal the one before
 * plus exactly that outcome's counters (ROBUSTNESS.md: one counter moves by exactly one), and
 * the mbuf pool must be full again once the test frees what classify kept.
 * Addresses: RFC 5737 / RFC 3849 documentation ranges; multicast MACs per RFC 1112 6.4
 * (01:00:5e + low 23 bits) and RFC 2464 7 (33:33 + low 32 bits).
 *
 * The "forward" suite runs the same kind of rows through the worker path (dp_input: classify,
 * FIB, neighbor, rewrite, TX) of a two-interface data plane, lan0 -> wan0, and checks where
 * each frame ends (the worker's TX buffer of wan0, its punt ring, or freed), what a transmitted
 * frame looks like (MACs, TTL or hop limit one lower, RFC 1071 checksum still valid, the rest
 * unchanged), and that the counters moved by exactly that outcome. No ethdev is needed: the
 * frames are taken out of the TX buffer before anything flushes it, and a flush, for the TX-full
 * rows, goes to a port id no driver serves, which sends nothing.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "tests.h"

#define POOL_SIZE 127
#define IFINDEX	  1
#define PAYLOAD	  8 /* bytes after the L3 header */

static const uint8_t mac_ours[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t mac_peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_lldp[6] = {0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}; /* IEEE 802.1AB */
static const uint8_t mac_mc4[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x05};	 /* 224.0.0.5 */
static const uint8_t mac_ssdp[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}; /* 239.255.255.250 */
static const uint8_t mac_sol[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x01};	 /* ff02::1:ff00:1 */
static const uint8_t mac_all6[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01}; /* ff02::1 */

enum l3 { RAW, IP4, IP6 };

struct frame {
	const uint8_t *dmac; /* NULL = ours */
	uint16_t etype;	     /* 0 = the one of l3 */
	uint8_t l3;
	uint8_t ver; /* IP version nibble; 0 = the right one */
	uint8_t ihl; /* IPv4 IHL; 0 = 5 */
	const char *src, *dst;
	int len_adj; /* added to the IPv4 total length or the IPv6 payload length */
	bool bad_cksum;
	uint16_t raw; /* RAW: bytes after the Ethernet header */
	uint16_t pad; /* Ethernet padding after the datagram */
	uint16_t cut; /* keep only this many bytes (0 = all) */
	uint64_t ol;  /* RX offload flags as a NIC would set them */
	uint8_t ttl;  /* TTL or hop limit; 0 = 64 */
	uint16_t len; /* bytes after the L3 header; 0 = PAYLOAD */
};

enum act { V4, V6, PUNT, DROP };

struct outcome {
	enum act act;
	unsigned int why; /* dp_punt or dp_drop */
	uint16_t len;	  /* pkt_len after classify, when kept */
};

struct cl_case {
	const char *what;
	struct frame fr;
	struct outcome want;
};

#define DROPPED(r)                   \
	{                            \
		DROP, DP_DROP_##r, 0 \
	}
#define PUNTED(r, len)                 \
	{                              \
		PUNT, DP_PUNT_##r, len \
	}
#define IP4_VEC(len)       \
	{                  \
		V4, 0, len \
	}
#define IP6_VEC(len)       \
	{                  \
		V6, 0, len \
	}

/* RFC 1071 section 4.1: one's complement of the one's complement sum of 16-bit words. */
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

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t payload(const struct frame *f)
{
	return f->len ? f->len : PAYLOAD;
}

static size_t build_ip4(const struct frame *f, uint8_t *p)
{
	unsigned int ihl = f->ihl ? f->ihl : 5;
	size_t hl = ihl < 5 ? 20 : ihl * 4u; /* bytes written; IHL below 5 is a lie */

	memset(p, 0, hl + payload(f));
	p[0] = (uint8_t)((f->ver ? f->ver : 4) << 4 | ihl);
	put16(p + 2, (uint16_t)((int)(hl + payload(f)) + f->len_adj));
	put16(p + 4, 0x1234);
	put16(p + 6, 0x4000); /* DF */
	p[8] = f->ttl ? f->ttl : 64;
	p[9] = 17; /* UDP */
	inet_pton(AF_INET, f->src ? f->src : "192.0.2.1", p + 12);
	inet_pton(AF_INET, f->dst ? f->dst : "198.51.100.1", p + 16);
	memset(p + hl, 0x11, payload(f));
	put16(p + 10, (uint16_t)(rfc1071(p, hl) ^ (f->bad_cksum ? 0x0100 : 0)));
	return hl + payload(f);
}

static size_t build_ip6(const struct frame *f, uint8_t *p)
{
	memset(p, 0, 40 + payload(f));
	p[0] = (uint8_t)((f->ver ? f->ver : 6) << 4);
	put16(p + 4, (uint16_t)((int)payload(f) + f->len_adj));
	p[6] = 17;
	p[7] = f->ttl ? f->ttl : 64;
	inet_pton(AF_INET6, f->src ? f->src : "2001:db8::1", p + 8);
	inet_pton(AF_INET6, f->dst ? f->dst : "2001:db8:1::1", p + 24);
	memset(p + 40, 0x11, payload(f));
	return 40 + payload(f);
}

static size_t build(const struct frame *f, uint8_t *p)
{
	static const uint16_t etypes[] = {[IP4] = 0x0800, [IP6] = 0x86dd};
	size_t n = 14;

	memcpy(p, f->dmac ? f->dmac : mac_ours, 6);
	memcpy(p + 6, mac_peer, 6);
	put16(p + 12, f->etype ? f->etype : etypes[f->l3]);
	if (f->l3 == IP4)
		n += build_ip4(f, p + n);
	else if (f->l3 == IP6)
		n += build_ip6(f, p + n);
	else
		n += f->raw;
	memset(p + n, 0, f->pad);
	n += f->pad;
	return f->cut ? f->cut : n;
}

static struct rte_mempool *pool;
static struct dp_lcore_stats *st;
static struct iface ifc;

static int suite_init(void)
{
	if (dp_meta_register() != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test_classify", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	st = calloc(1, sizeof(*st));
	if (pool == NULL || st == NULL)
		return -1;
	memset(&ifc, 0, sizeof(ifc));
	ifc.ifindex = IFINDEX;
	ifc.mtu = 1500;
	ifc.kind = IFACE_ETHER;
	ifc.up = 1;
	memcpy(ifc.mac.addr_bytes, mac_ours, 6);
	return 0;
}

static int suite_clean(void)
{
	rte_mempool_free(pool);
	pool = NULL;
	free(st);
	st = NULL;
	return 0;
}

#define FRAME_MAX 1600

static struct rte_mbuf *frame_mbuf_from(struct rte_mempool *mp, const struct frame *f)
{
	uint8_t buf[FRAME_MAX];
	size_t n = build(f, buf);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(mp);

	if (mb == NULL)
		return NULL;
	char *d = rte_pktmbuf_append(mb, (uint16_t)n);
	if (d == NULL) {
		rte_pktmbuf_free(mb);
		return NULL;
	}
	memcpy(d, buf, n);
	mb->ol_flags |= f->ol;
	return mb;
}

static struct rte_mbuf *frame_mbuf(const struct frame *f)
{
	return frame_mbuf_from(pool, f);
}

/* The counters one outcome moves (classify.h: dp_drop also counts the input interface). */
static void expect(struct dp_lcore_stats *want, const struct cl_case *c)
{
	if (c->want.act == DROP) {
		want->dropped++;
		want->drop[c->want.why]++;
		want->ifs[IFINDEX].drops++;
	} else if (c->want.act == PUNT) {
		want->punted++;
		want->punt[c->want.why]++;
	}
}

static const struct cl_case cases[] = {
	/* Ethernet */
	{"10-byte frame", {.l3 = IP4, .cut = 10}, DROPPED(ETH_TRUNCATED)},
	{"13-byte frame", {.l3 = IP4, .cut = 13}, DROPPED(ETH_TRUNCATED)},
	{"unicast to another MAC", {.dmac = mac_other, .l3 = IP4}, DROPPED(ETH_NOT_OURS)},
	{"broadcast ARP (RFC 826, 28 bytes)",
	 {.dmac = mac_bcast, .etype = 0x0806, .raw = 28},
	 PUNTED(ARP, 42)},
	{"unicast ARP", {.etype = 0x0806, .raw = 28}, PUNTED(ARP, 42)},
	{"LLDP 0x88cc", {.dmac = mac_lldp, .etype = 0x88cc, .raw = 46}, DROPPED(ETH_TYPE)},
	{"802.1Q tag", {.etype = 0x8100, .raw = 46}, DROPPED(ETH_TYPE)},
	/* IPv4 (RFC 791 3.1, RFC 1812 5.2.2 / 5.3.7 for the address checks) */
	{"ipv4: header only", {.l3 = IP4, .cut = 14}, DROPPED(IP4_TRUNCATED)},
	{"ipv4: 30-byte frame", {.l3 = IP4, .cut = 30}, DROPPED(IP4_TRUNCATED)},
	{"ipv4: 33-byte frame", {.l3 = IP4, .cut = 33}, DROPPED(IP4_TRUNCATED)},
	{"ipv4: header but no payload", {.l3 = IP4, .cut = 34}, DROPPED(IP4_LEN)},
	{"ipv4: version 6", {.l3 = IP4, .ver = 6}, DROPPED(IP4_VERSION)},
	{"ipv4: version 15", {.l3 = IP4, .ver = 15}, DROPPED(IP4_VERSION)},
	{"ipv4: IHL 4", {.l3 = IP4, .ihl = 4}, DROPPED(IP4_IHL)},
	{"ipv4: IHL 15 past the frame", {.l3 = IP4, .ihl = 15, .cut = 14 + 32}, DROPPED(IP4_LEN)},
	{"ipv4: total length > frame", {.l3 = IP4, .len_adj = 1}, DROPPED(IP4_LEN)},
	{"ipv4: total length 0xffff", {.l3 = IP4, .len_adj = 0xffff - 28}, DROPPED(IP4_LEN)},
	{"ipv4: total length < IHL*4", {.l3 = IP4, .len_adj = -9}, DROPPED(IP4_LEN)},
	{"ipv4: total length 0", {.l3 = IP4, .len_adj = -28}, DROPPED(IP4_LEN)},
	{"ipv4: bad checksum", {.l3 = IP4, .bad_cksum = true}, DROPPED(IP4_CKSUM)},
	{"ipv4: checksum good, NIC says bad",
	 {.l3 = IP4, .ol = RTE_MBUF_F_RX_IP_CKSUM_BAD},
	 DROPPED(IP4_CKSUM)},
	{"ipv4: checksum bad, NIC says good",
	 {.l3 = IP4, .bad_cksum = true, .ol = RTE_MBUF_F_RX_IP_CKSUM_GOOD},
	 IP4_VEC(42)},
	{"ipv4: source 127.0.0.1", {.l3 = IP4, .src = "127.0.0.1"}, DROPPED(IP4_SRC)},
	{"ipv4: source 224.0.0.1", {.l3 = IP4, .src = "224.0.0.1"}, DROPPED(IP4_SRC)},
	{"ipv4: source 0.0.0.0", {.l3 = IP4, .src = "0.0.0.0"}, DROPPED(IP4_SRC)},
	{"ipv4: source broadcast", {.l3 = IP4, .src = "255.255.255.255"}, DROPPED(IP4_SRC)},
	{"ipv4: source class E", {.l3 = IP4, .src = "240.0.0.1"}, DROPPED(IP4_SRC)},
	{"ipv4: destination 127.0.0.1", {.l3 = IP4, .dst = "127.0.0.1"}, DROPPED(IP4_DST)},
	{"ipv4: destination 0.0.0.0", {.l3 = IP4, .dst = "0.0.0.0"}, DROPPED(IP4_DST)},
	{"ipv4: destination class E", {.l3 = IP4, .dst = "240.0.0.1"}, DROPPED(IP4_DST)},
	{"ipv4: destination 224.0.0.5",
	 {.dmac = mac_mc4, .l3 = IP4, .dst = "224.0.0.5"},
	 PUNTED(MCAST, 42)},
	{"ipv4: destination 239.255.255.250",
	 {.dmac = mac_ssdp, .l3 = IP4, .dst = "239.255.255.250"},
	 PUNTED(MCAST, 42)},
	{"ipv4: destination 255.255.255.255, padded",
	 {.dmac = mac_bcast, .l3 = IP4, .dst = "255.255.255.255", .pad = 18},
	 PUNTED(MCAST, 42)},
	{"ipv4: valid", {.l3 = IP4}, IP4_VEC(42)},
	{"ipv4: valid, Ethernet padding trimmed", {.l3 = IP4, .pad = 18}, IP4_VEC(42)},
	{"ipv4: valid with options (IHL 6)", {.l3 = IP4, .ihl = 6, .pad = 14}, IP4_VEC(46)},
	{"ipv4: options, bad checksum",
	 {.l3 = IP4, .ihl = 6, .pad = 14, .bad_cksum = true},
	 DROPPED(IP4_CKSUM)},
	{"ipv4: checksum sum with carries",
	 {.l3 = IP4, .ttl = 255, .src = "223.255.255.253", .dst = "223.255.255.254"},
	 IP4_VEC(42)},
	/* IPv6 (RFC 8200 3, RFC 4291 2.5 for the address checks) */
	{"ipv6: 53-byte frame", {.l3 = IP6, .cut = 53}, DROPPED(IP6_TRUNCATED)},
	{"ipv6: version 4", {.l3 = IP6, .ver = 4}, DROPPED(IP6_VERSION)},
	{"ipv6: payload length beyond frame", {.l3 = IP6, .len_adj = 1}, DROPPED(IP6_LEN)},
	{"ipv6: payload length 0xffff", {.l3 = IP6, .len_adj = 0xffff - 8}, DROPPED(IP6_LEN)},
	{"ipv6: source ff02::1", {.l3 = IP6, .src = "ff02::1"}, DROPPED(IP6_SRC)},
	{"ipv6: source ::1", {.l3 = IP6, .src = "::1"}, DROPPED(IP6_SRC)},
	{"ipv6: destination ff02::1:ff00:1",
	 {.dmac = mac_sol, .l3 = IP6, .dst = "ff02::1:ff00:1"},
	 PUNTED(MCAST, 62)},
	/* RFC 4862 5.4.2: duplicate address detection comes from :: */
	{"ipv6: DAD from ::",
	 {.dmac = mac_sol, .l3 = IP6, .src = "::", .dst = "ff02::1:ff00:1"},
	 PUNTED(MCAST, 62)},
	{"ipv6: destination ff02::1, padded",
	 {.dmac = mac_all6, .l3 = IP6, .dst = "ff02::1", .pad = 2},
	 PUNTED(MCAST, 62)},
	{"ipv6: destination fe80::1", {.l3 = IP6, .dst = "fe80::1"}, PUNTED(LOCAL, 62)},
	{"ipv6: destination febf::1", {.l3 = IP6, .dst = "febf::1"}, PUNTED(LOCAL, 62)},
	{"ipv6: destination ::1", {.l3 = IP6, .dst = "::1"}, DROPPED(IP6_DST)},
	{"ipv6: destination ::", {.l3 = IP6, .dst = "::"}, DROPPED(IP6_DST)},
	{"ipv6: valid", {.l3 = IP6}, IP6_VEC(62)},
	{"ipv6: valid, Ethernet padding trimmed", {.l3 = IP6, .pad = 4}, IP6_VEC(62)},
	{"ipv6: destination fec0::1 is not link-local", {.l3 = IP6, .dst = "fec0::1"}, IP6_VEC(62)},
	/* link-local sources are the forwarding stage's business (ip_fwd.c) */
	{"ipv6: source fe80::1", {.l3 = IP6, .src = "fe80::1"}, IP6_VEC(62)},
};

static const char *act_name(enum act a)
{
	static const char *const n[] = {"ip4", "ip6", "punt", "drop"};
	return n[a];
}

/* Check where one classified mbuf ended up; returns false on any mismatch. */
static bool check_outcome(const struct cl_case *c, struct rte_mbuf *mb, const struct dp_vec *v,
			  uint16_t slot)
{
	struct rte_mbuf *got = NULL;
	bool ok = true;
	uint8_t family = 0;

	switch (c->want.act) {
	case V4:
		ok = v->n_ip4 > slot;
		got = ok ? v->ip4[slot] : NULL;
		family = AF_INET;
		break;
	case V6:
		ok = v->n_ip6 > slot;
		got = ok ? v->ip6[slot] : NULL;
		family = AF_INET6;
		break;
	case PUNT:
		ok = v->n_punt > slot;
		got = ok ? v->punt[slot] : NULL;
		break;
	case DROP:
		return true;
	}
	if (!ok || got != mb) {
		fprintf(stderr, "\n  %s: not in the %s vector\n", c->what, act_name(c->want.act));
		return false;
	}
	const struct dp_meta *m = dp_meta(mb);
	ok = m->in_ifindex == IFINDEX && m->out_ifindex == 0 && m->l3_off == 14 &&
	     (c->want.act == PUNT || m->family == family) && /* punts: see test_punt_family */
	     rte_pktmbuf_pkt_len(mb) == c->want.len && rte_pktmbuf_data_len(mb) == c->want.len &&
	     (c->want.act != PUNT || m->punt == c->want.why);
	if (!ok)
		fprintf(stderr,
			"\n  %s: in_ifindex %u l3_off %u family %u (want %u) len %u/%u (want %u) "
			"punt %u\n",
			c->what, m->in_ifindex, m->l3_off, m->family, family,
			rte_pktmbuf_pkt_len(mb), rte_pktmbuf_data_len(mb), c->want.len, m->punt);
	return ok;
}

static void free_vec(struct dp_vec *v)
{
	rte_pktmbuf_free_bulk(v->ip4, v->n_ip4);
	rte_pktmbuf_free_bulk(v->ip6, v->n_ip6);
	rte_pktmbuf_free_bulk(v->punt, v->n_punt);
}

static bool stats_equal(const struct dp_lcore_stats *want, const char *what)
{
	if (memcmp(st, want, sizeof(*st)) == 0)
		return true;
	fprintf(stderr, "\n  %s: counters moved unexpectedly:", what);
	for (unsigned int r = 0; r < DP_DROP_MAX; r++)
		if (st->drop[r] != want->drop[r])
			fprintf(stderr, " %s %" PRIu64 " (want %" PRIu64 ")", dp_drop_name[r],
				st->drop[r], want->drop[r]);
	for (unsigned int r = 0; r < DP_PUNT_MAX; r++)
		if (st->punt[r] != want->punt[r])
			fprintf(stderr, " punt %s %" PRIu64 " (want %" PRIu64 ")", dp_punt_name[r],
				st->punt[r], want->punt[r]);
	fprintf(stderr, "\n");
	return false;
}

/* The helper itself: the IPv4 header example with checksum 0xb861 (RFC 1071 method). */
static void test_rfc1071(void)
{
	uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

	CU_ASSERT_EQUAL(rfc1071(h, sizeof(h)), 0xb861);
	put16(h + 10, 0xb861);
	CU_ASSERT_EQUAL(rfc1071(h, sizeof(h)), 0); /* a valid header sums to 0xffff */
	/* odd length: the last byte is the high half of a word (RFC 1071 4.1) */
	static const uint8_t odd[3] = {0x01, 0x02, 0x03};
	CU_ASSERT_EQUAL(rfc1071(odd, 3), (uint16_t) ~(0x0102 + 0x0300));
}

static void test_table(void)
{
	struct dp_lcore_stats *want = calloc(1, sizeof(*want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		const struct cl_case *c = &cases[i];
		struct rte_mbuf *mb = frame_mbuf(&c->fr);
		struct dp_vec v;

		CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
		memset(&v, 0, sizeof(v));
		memcpy(want, st, sizeof(*want));
		expect(want, c);
		dp_classify(st, &ifc, &mb, 1, &v);
		CU_ASSERT_TRUE(stats_equal(want, c->what));
		CU_ASSERT_EQUAL(v.n_ip4 + v.n_ip6 + v.n_punt, c->want.act == DROP ? 0 : 1);
		CU_ASSERT_TRUE(check_outcome(c, mb, &v, 0));
		/* a drop freed the mbuf, anything else is still held */
		unsigned int held = c->want.act == DROP ? 0 : 1;
		CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), POOL_SIZE - held);
		free_vec(&v);
	}
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), POOL_SIZE);
	free(want);
}

/* All rows again in bursts of BURST_MAX: same counters, and vectors keep the input order. */
static void test_bursts(void)
{
	struct dp_lcore_stats *want = calloc(1, sizeof(*want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	memcpy(want, st, sizeof(*want));
	for (size_t base = 0; base < RTE_DIM(cases); base += BURST_MAX) {
		struct rte_mbuf *mb[BURST_MAX], *in[BURST_MAX];
		uint16_t n = (uint16_t)RTE_MIN((size_t)BURST_MAX, RTE_DIM(cases) - base);
		uint16_t slot[4] = {0};
		struct dp_vec v;

		for (uint16_t i = 0; i < n; i++) {
			in[i] = mb[i] = frame_mbuf(&cases[base + i].fr);
			CU_ASSERT_PTR_NOT_NULL_FATAL(mb[i]);
			expect(want, &cases[base + i]);
		}
		memset(&v, 0, sizeof(v));
		dp_classify(st, &ifc, mb, n, &v);
		unsigned int bad = 0;
		for (uint16_t i = 0; i < n; i++) {
			const struct cl_case *c = &cases[base + i];
			bad += !check_outcome(c, in[i], &v, slot[c->want.act]);
			slot[c->want.act]++;
		}
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(v.n_ip4, slot[V4]);
		CU_ASSERT_EQUAL(v.n_ip6, slot[V6]);
		CU_ASSERT_EQUAL(v.n_punt, slot[PUNT]);
		free_vec(&v);
	}
	CU_ASSERT_TRUE(stats_equal(want, "bursts"));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), POOL_SIZE);
	free(want);
}

/*
 * A punted IP packet carries its family like a vectored one (dp.h: "AF_INET / AF_INET6 of the
 * L3 header, 0 for non-IP"): the control lcore dispatches LOCAL and MCAST punts on it
 * (ctrl_input), so an IPv4 broadcast with family 0 would be parsed as IPv6.
 */
static void test_punt_family(void)
{
	unsigned int bad = 0, n = 0;

	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		const struct cl_case *c = &cases[i];
		if (c->want.act != PUNT)
			continue;
		struct rte_mbuf *mb = frame_mbuf(&c->fr);
		struct dp_vec v;
		CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
		memset(&v, 0, sizeof(v));
		dp_classify(st, &ifc, &mb, 1, &v);
		CU_ASSERT_EQUAL_FATAL(v.n_punt, 1);
		uint8_t want = c->fr.l3 == IP4 ? AF_INET : c->fr.l3 == IP6 ? AF_INET6 : 0;
		if (dp_meta(mb)->family != want) {
			fprintf(stderr, "\n  %s: family %u, want %u\n", c->what,
				dp_meta(mb)->family, want);
			bad++;
		}
		n++;
		free_vec(&v);
	}
	CU_ASSERT_EQUAL(n, 10); /* 2 ARP, 3 IPv4 multicast, 5 IPv6 multicast/link-local */
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), POOL_SIZE);
}

/* ---- the forward suite ---- */

enum { LAN = 1, WAN = 2 }; /* ifindexes */
#define LAN_PORT (RTE_MAX_ETHPORTS - 2)
#define WAN_PORT (RTE_MAX_ETHPORTS - 1)
#define FW_MBUFS 1023

static const uint8_t mac_wan[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const struct rte_ether_addr mac_gw4 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x41}};
static const struct rte_ether_addr mac_gw4b = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x42}};
static const struct rte_ether_addr mac_gw6 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x61}};
static const struct rte_ether_addr mac_host = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x07}};

static struct dp *fw;

static struct dp_worker *fw_worker(void)
{
	return &fw->workers[0];
}

static struct rte_eth_dev_tx_buffer *fw_txbuf(void)
{
	return fw_worker()->txq[WAN_PORT].buf;
}

static int fw_iface(uint16_t ifindex, uint16_t port, const uint8_t *mac)
{
	struct iface *e = rte_zmalloc("test_ifc", sizeof(*e), RTE_CACHE_LINE_SIZE);

	if (e == NULL)
		return -1;
	e->ifindex = ifindex;
	e->port_id = port;
	e->mtu = 1500;
	e->kind = IFACE_ETHER;
	e->up = 1;
	memcpy(e->mac.addr_bytes, mac, 6);
	snprintf(e->name, sizeof(e->name), ifindex == LAN ? "lan0" : "wan0");
	if (iface_publish(fw->ifaces, e) != ifindex)
		return -1;
	fw->port_ifindex[port] = ifindex;
	fw->ports[fw->n_ports++] = port;
	return 0;
}

static int fw_route(const char *prefix, uint8_t plen, const struct dp_nh *nh)
{
	struct dp_fib_op op = {.plen = plen};
	int id = dp_fib_nh_get(fw->fib, nh);

	op.family = strchr(prefix, ':') != NULL ? AF_INET6 : AF_INET;
	if (id < 0 || inet_pton(op.family, prefix, op.prefix) != 1)
		return -1;
	op.nh = (uint32_t)id;
	return dp_fib_apply(fw->fib, &op, 1);
}

static int fw_neigh(uint16_t ifindex, const char *addr, const struct rte_ether_addr *mac)
{
	struct dp_neigh_key k;
	uint8_t a[16] = {0};
	uint8_t family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, addr, a) != 1)
		return -1;
	dp_neigh_key_make(&k, ifindex, family, a);
	return mac != NULL ? dp_neigh_set(fw->neigh, &k, mac) : dp_neigh_del(fw->neigh, &k);
}

static struct dp_nh fw_gw(uint16_t ifindex, const char *gw)
{
	struct dp_nh nh = {.type = NH_FWD, .ifindex = ifindex};

	nh.family = strchr(gw, ':') != NULL ? AF_INET6 : AF_INET;
	inet_pton(nh.family, gw, nh.gw);
	return nh;
}

/*
 * lan0 10.0.0.1/24 2001:db8:1::1/64, wan0 192.0.2.2/24 2001:db8:2::2/64 (connected and local
 * routes as the control plane installs them); 198.51.100.0/24 via 192.0.2.1, learned after its
 * next hop exists; 2001:db8:10::/48 via 2001:db8:2::1, learned before; 203.0.113.0/24 via
 * 192.0.2.99, never learned; the connected host 192.0.2.7 is known, 192.0.2.8 is not.
 */
static int fw_routes(void)
{
	const struct dp_nh conn_lan = {.type = NH_FWD, .ifindex = LAN};
	const struct dp_nh conn_wan = {.type = NH_FWD, .ifindex = WAN};
	const struct dp_nh local_lan = {.type = NH_LOCAL, .ifindex = LAN};
	const struct dp_nh local_wan = {.type = NH_LOCAL, .ifindex = WAN};
	const struct dp_nh gw4 = fw_gw(WAN, "192.0.2.1"), gw6 = fw_gw(WAN, "2001:db8:2::1");
	const struct dp_nh gw_none = fw_gw(WAN, "192.0.2.99");
	int rc = 0;

	rc |= fw_route("10.0.0.0", 24, &conn_lan);
	rc |= fw_route("10.0.0.1", 32, &local_lan);
	rc |= fw_route("192.0.2.0", 24, &conn_wan);
	rc |= fw_route("192.0.2.2", 32, &local_wan);
	rc |= fw_route("2001:db8:1::", 64, &conn_lan);
	rc |= fw_route("2001:db8:1::1", 128, &local_lan);
	rc |= fw_route("2001:db8:2::", 64, &conn_wan);
	rc |= fw_route("2001:db8:2::2", 128, &local_wan);
	rc |= fw_neigh(WAN, "2001:db8:2::1", &mac_gw6);
	rc |= fw_route("2001:db8:10::", 48, &gw6);
	rc |= fw_route("198.51.100.0", 24, &gw4);
	rc |= fw_route("203.0.113.0", 24, &gw_none);
	rc |= fw_neigh(WAN, "192.0.2.1", &mac_gw4);
	rc |= fw_neigh(WAN, "192.0.2.7", &mac_host);
	return rc;
}

static int fw_init(void)
{
	fw = dp_create(1, FW_MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (fw == NULL)
		return -1;
	fw->ifaces = iface_table_create(fw->qsbr);
	fw->fib = dp_fib_create("tfwd", fw->qsbr, 64, SOCKET_ID_ANY);
	fw->neigh = dp_neigh_create("tfwd", 64, fw->qsbr, SOCKET_ID_ANY);
	if (fw->ifaces == NULL || fw->fib == NULL || fw->neigh == NULL)
		return -1;
	if (fw_iface(LAN, LAN_PORT, mac_ours) != 0 || fw_iface(WAN, WAN_PORT, mac_wan) != 0)
		return -1;
	/* allocates the TX buffers and binds the neighbor table to the FIB, as the hub does */
	if (dp_worker_tx_setup(fw) != 0)
		return -1;
	return fw_routes();
}

static int fw_clean(void)
{
	if (fw == NULL)
		return 0;
	dp_neigh_destroy(fw->neigh);
	dp_fib_destroy(fw->fib);
	iface_table_destroy(fw->ifaces);
	dp_destroy(fw);
	fw = NULL;
	return 0;
}

enum fw_act { FW_TX, FW_PUNT, FW_DROP };

struct fw_case {
	const char *what;
	struct frame fr;
	enum fw_act act;
	unsigned int why;		   /* dp_punt or dp_drop */
	const struct rte_ether_addr *dmac; /* FW_TX: the next hop's MAC */
	const char *nh;			   /* NEIGH punts: the address to resolve */
	uint16_t out;			   /* NEIGH and MTU punts: the egress ifindex */
};

#define FW_SENT(m)   FW_TX, 0, m, NULL, 0
#define FW_DROP(r)   FW_DROP, DP_DROP_##r, NULL, NULL, 0
#define FW_PUNT(r)   FW_PUNT, DP_PUNT_##r, NULL, NULL, 0
#define FW_NEIGH(nh) FW_PUNT, DP_PUNT_NEIGH, NULL, nh, WAN

static const struct fw_case fw_cases[] = {
	{"v4 via a learned gateway",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7"},
	 FW_SENT(&mac_gw4)},
	{"v4 via a gateway, padded frame",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.8", .pad = 18},
	 FW_SENT(&mac_gw4)},
	{"v4 via a gateway, TTL 2",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.9", .ttl = 2},
	 FW_SENT(&mac_gw4)},
	{"v4 via a gateway, TTL 255 (checksum carry)",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.10", .ttl = 255},
	 FW_SENT(&mac_gw4)},
	{"v4 via a gateway, 1500 bytes (the MTU)",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.11", .len = 1480},
	 FW_SENT(&mac_gw4)},
	{"v4 via an unresolved gateway",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "203.0.113.5"},
	 FW_NEIGH("192.0.2.99")},
	{"v4 to a known connected host",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "192.0.2.7"},
	 FW_SENT(&mac_host)},
	{"v4 to an unknown connected host",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "192.0.2.8"},
	 FW_NEIGH("192.0.2.8")},
	{"v4 to the hub", {.l3 = IP4, .src = "10.0.0.2", .dst = "10.0.0.1"}, FW_PUNT(LOCAL)},
	{"v4 to the hub's other side",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "192.0.2.2"},
	 FW_PUNT(LOCAL)},
	{"v4 without a route",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "100.64.0.1"},
	 FW_DROP(NO_ROUTE)},
	{"v4 TTL 1", {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7", .ttl = 1}, FW_PUNT(TTL)},
	{"v4 with options",
	 {.l3 = IP4, .ihl = 6, .src = "10.0.0.2", .dst = "198.51.100.7"},
	 FW_DROP(IP4_OPTIONS)},
	{"v4 1501 bytes",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7", .len = 1481},
	 FW_PUNT,
	 DP_PUNT_MTU,
	 NULL,
	 NULL,
	 WAN},
	{"v4 bad checksum",
	 {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7", .bad_cksum = true},
	 FW_DROP(IP4_CKSUM)},
	{"v6 via a gateway learned first",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:10::5"},
	 FW_SENT(&mac_gw6)},
	{"v6 via a gateway, hop limit 2",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:10::6", .ttl = 2},
	 FW_SENT(&mac_gw6)},
	{"v6 to an unknown connected host",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:2::9"},
	 FW_NEIGH("2001:db8:2::9")},
	{"v6 to the hub",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:1::1"},
	 FW_PUNT(LOCAL)},
	{"v6 without a route",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:99::1"},
	 FW_DROP(NO_ROUTE)},
	{"v6 hop limit 1",
	 {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:10::5", .ttl = 1},
	 FW_PUNT(TTL)},
	{"v6 link-local source",
	 {.l3 = IP6, .src = "fe80::2", .dst = "2001:db8:10::5"},
	 FW_DROP(IP6_SRC)},
};

static size_t frame_len(const struct frame *f)
{
	uint8_t buf[FRAME_MAX];

	return build(f, buf);
}

/* L2 + L3 bytes: the frame without its Ethernet padding. */
static size_t frame_l3_end(const struct frame *f)
{
	return frame_len(f) - f->pad;
}

/* The counters one row moves, on top of *want. */
static void fw_expect(struct dp_lcore_stats *want, const struct fw_case *c)
{
	want->rx_pkts++;
	want->ifs[LAN].rx_pkts++;
	want->ifs[LAN].rx_bytes += frame_len(&c->fr); /* as received, padding included */
	switch (c->act) {
	case FW_TX:
		want->tx_pkts++;
		want->ifs[WAN].tx_pkts++;
		want->ifs[WAN].tx_bytes += frame_l3_end(&c->fr);
		break;
	case FW_PUNT:
		want->punted++;
		want->punt[c->why]++;
		break;
	case FW_DROP:
		want->dropped++;
		want->drop[c->why]++;
		want->ifs[LAN].drops++;
		break;
	}
}

static bool fw_stats_equal(const struct dp_lcore_stats *want, const char *what)
{
	const struct dp_lcore_stats *got = fw_worker()->st;

	if (memcmp(got, want, sizeof(*got)) == 0)
		return true;
	fprintf(stderr,
		"\n  %s: counters differ: rx %" PRIu64 "/%" PRIu64 " tx %" PRIu64 "/%" PRIu64
		" punted %" PRIu64 "/%" PRIu64 " dropped %" PRIu64 "/%" PRIu64
		" wan tx bytes %" PRIu64 "/%" PRIu64 " lan rx bytes %" PRIu64 "/%" PRIu64 "\n",
		what, got->rx_pkts, want->rx_pkts, got->tx_pkts, want->tx_pkts, got->punted,
		want->punted, got->dropped, want->dropped, got->ifs[WAN].tx_bytes,
		want->ifs[WAN].tx_bytes, got->ifs[LAN].rx_bytes, want->ifs[LAN].rx_bytes);
	return false;
}

/* A transmitted frame: next hop's MAC, ours as source, TTL one lower, nothing else changed. */
static bool fw_check_tx(const struct fw_case *c, struct rte_mbuf *mb)
{
	uint8_t want[FRAME_MAX];
	size_t n = frame_l3_end(&c->fr);
	const uint8_t *got = rte_pktmbuf_mtod(mb, const uint8_t *);
	bool v4 = c->fr.l3 == IP4;

	build(&c->fr, want);
	memcpy(want, c->dmac->addr_bytes, 6);
	memcpy(want + 6, mac_wan, 6);
	want[14 + (v4 ? 8 : 7)]--;
	if (v4) { /* the checksum the header has now, computed afresh (RFC 1071) */
		size_t hl = (want[14] & 0xf) * 4u;
		put16(want + 14 + 10, 0);
		put16(want + 14 + 10, rfc1071(want + 14, hl));
	}
	if (rte_pktmbuf_pkt_len(mb) == n && rte_pktmbuf_data_len(mb) == n &&
	    memcmp(got, want, n) == 0)
		return true;
	fprintf(stderr, "\n  %s: transmitted frame differs (len %u, want %zu)\n", c->what,
		rte_pktmbuf_pkt_len(mb), n);
	return false;
}

static bool fw_check_punt(const struct fw_case *c, struct rte_mbuf *mb)
{
	const struct dp_meta *m = dp_meta(mb);
	uint8_t nh[16] = {0};
	bool ok = m->punt == c->why && m->in_ifindex == LAN &&
		  m->family == (c->fr.l3 == IP4 ? AF_INET : AF_INET6);

	if (c->why == DP_PUNT_NEIGH || c->why == DP_PUNT_MTU)
		ok = ok && m->out_ifindex == c->out;
	if (c->nh != NULL) {
		inet_pton(strchr(c->nh, ':') ? AF_INET6 : AF_INET, c->nh, nh);
		ok = ok && memcmp(m->nh_addr, nh, 16) == 0;
	}
	if (!ok)
		fprintf(stderr, "\n  %s: punt %u out %u family %u\n", c->what, m->punt,
			m->out_ifindex, m->family);
	return ok;
}

/* Take everything out of the TX buffer and the punt ring. */
static unsigned int fw_collect(struct rte_mbuf **tx, unsigned int *n_tx, struct rte_mbuf **punt)
{
	struct rte_eth_dev_tx_buffer *b = fw_txbuf();

	*n_tx = b->length;
	memcpy(tx, b->pkts, b->length * sizeof(*tx));
	b->length = 0;
	return rte_ring_dequeue_burst(fw_worker()->punt, (void **)punt, 2 * BURST_MAX, NULL);
}

static void fw_free(struct rte_mbuf **a, unsigned int n)
{
	rte_pktmbuf_free_bulk(a, n);
}

/* Run rows [first, first + n) as one burst; returns the number of mismatches. */
static unsigned int fw_burst(const struct fw_case *rows, uint16_t n, struct dp_lcore_stats *want)
{
	struct rte_mbuf *mb[BURST_MAX], *in[BURST_MAX], *tx[BURST_MAX], *punt[2 * BURST_MAX];
	unsigned int bad = 0, n_tx, n_punt, t = 0;

	for (uint16_t i = 0; i < n; i++) {
		in[i] = mb[i] = frame_mbuf_from(fw->pool, &rows[i].fr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mb[i]);
		fw_expect(want, &rows[i]);
	}
	dp_input(fw_worker(), LAN_PORT, mb, n);
	n_punt = fw_collect(tx, &n_tx, punt);
	for (uint16_t i = 0; i < n; i++) {
		const struct fw_case *c = &rows[i];
		if (c->act == FW_TX) { /* in input order */
			bool ok = t < n_tx && tx[t] == in[i] && fw_check_tx(c, tx[t]);
			bad += !ok;
			t++;
		} else if (c->act == FW_PUNT) {
			bool found = false;
			for (unsigned int j = 0; j < n_punt && !found; j++)
				found = punt[j] == in[i];
			bad += !found || !fw_check_punt(c, in[i]);
		}
	}
	bad += t != n_tx;
	fw_free(tx, n_tx);
	fw_free(punt, n_punt);
	return bad;
}

static struct dp_lcore_stats *fw_want_now(void)
{
	struct dp_lcore_stats *want = calloc(1, sizeof(*want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	memcpy(want, fw_worker()->st, sizeof(*want));
	return want;
}

static void test_fw_table(void)
{
	struct dp_lcore_stats *want = fw_want_now();

	for (size_t i = 0; i < RTE_DIM(fw_cases); i++) {
		unsigned int bad = fw_burst(&fw_cases[i], 1, want);
		if (bad)
			fprintf(stderr, "\n  row \"%s\" failed\n", fw_cases[i].what);
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_TRUE(fw_stats_equal(want, fw_cases[i].what));
		CU_ASSERT_EQUAL(rte_mempool_avail_count(fw->pool), FW_MBUFS);
	}
	free(want);
}

/* Every row in one burst: TX keeps the input order, counters add up exactly. */
static void test_fw_burst(void)
{
	struct dp_lcore_stats *want = fw_want_now();

	RTE_BUILD_BUG_ON(RTE_DIM(fw_cases) > BURST_MAX);
	CU_ASSERT_EQUAL(fw_burst(fw_cases, RTE_DIM(fw_cases), want), 0);
	CU_ASSERT_TRUE(fw_stats_equal(want, "one burst"));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(fw->pool), FW_MBUFS);
	free(want);
}

/*
 * The neighbor table changes between bursts (as the control lcore's ARP/ND handling does):
 * the next frame via the gateway goes to the new MAC, is punted for resolution once the
 * gateway is gone (never sent to its old MAC), and goes out again when it is learned back.
 */
static void test_fw_neigh_change(void)
{
	struct dp_lcore_stats *want = fw_want_now();
	const struct frame f4 = {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7"};
	const struct frame f6 = {.l3 = IP6, .src = "2001:db8:1::2", .dst = "2001:db8:10::5"};
	const struct frame fh = {.l3 = IP4, .src = "10.0.0.2", .dst = "192.0.2.7"};
	const struct fw_case moved[] = {{"gateway moved", f4, FW_SENT(&mac_gw4b)},
					{"v6 gateway unchanged", f6, FW_SENT(&mac_gw6)}};
	const struct fw_case gone[] = {{"gateway gone", f4, FW_NEIGH("192.0.2.1")},
				       {"host gone", fh, FW_NEIGH("192.0.2.7")},
				       {"v6 gateway gone", f6, FW_NEIGH("2001:db8:2::1")}};
	const struct fw_case back[] = {{"gateway back", f4, FW_SENT(&mac_gw4)},
				       {"host back", fh, FW_SENT(&mac_host)},
				       {"v6 gateway back", f6, FW_SENT(&mac_gw6)}};

	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "192.0.2.1", &mac_gw4b), 0);
	CU_ASSERT_EQUAL(fw_burst(moved, RTE_DIM(moved), want), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "192.0.2.1", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "192.0.2.7", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "2001:db8:2::1", NULL), 0);
	CU_ASSERT_EQUAL(fw_burst(gone, RTE_DIM(gone), want), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "192.0.2.1", &mac_gw4), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "192.0.2.7", &mac_host), 0);
	CU_ASSERT_EQUAL_FATAL(fw_neigh(WAN, "2001:db8:2::1", &mac_gw6), 0);
	CU_ASSERT_EQUAL(fw_burst(back, RTE_DIM(back), want), 0);
	CU_ASSERT_TRUE(fw_stats_equal(want, "neighbor changes"));
	CU_ASSERT_EQUAL(rte_mempool_avail_count(fw->pool), FW_MBUFS);
	free(want);
}

/*
 * A full TX buffer is flushed at once; what the queue refuses is freed and counted as tx_full
 * drops of wan0, and taken off the TX counters (the worker counted it when it queued it). The
 * port here has no driver, so a flush sends nothing: 10 frames wait in the buffer, the next 32
 * fill it after 22, the flush refuses all 32, and the last 10 wait again.
 */
static void test_fw_tx_full(void)
{
	struct dp_lcore_stats *want = fw_want_now();
	struct rte_mbuf *mb[BURST_MAX], *tx[BURST_MAX], *punt[2 * BURST_MAX];
	const struct frame f = {.l3 = IP4, .src = "10.0.0.2", .dst = "198.51.100.7"};
	const struct fw_case c = {"to the gateway", f, FW_SENT(&mac_gw4)};
	uint32_t len = (uint32_t)frame_len(&f);
	unsigned int n_tx;
	uint32_t level = (uint32_t)rte_log_get_global_level();

	for (unsigned int i = 0; i < 10 + BURST_MAX; i++)
		fw_expect(want, &c);
	want->tx_pkts -= BURST_MAX;
	want->ifs[WAN].tx_pkts -= BURST_MAX;
	want->ifs[WAN].tx_bytes -= BURST_MAX * len;
	want->ifs[WAN].drops += BURST_MAX;
	want->drop[DP_DROP_TX_FULL] += BURST_MAX;
	want->dropped += BURST_MAX;
	for (unsigned int i = 0; i < 10; i++)
		mb[i] = frame_mbuf_from(fw->pool, &f);
	dp_input(fw_worker(), LAN_PORT, mb, 10);
	CU_ASSERT_EQUAL(fw_txbuf()->length, 10);
	for (unsigned int i = 0; i < BURST_MAX; i++)
		mb[i] = frame_mbuf_from(fw->pool, &f);
	/* DPDK's burst function for a port without a driver logs and dumps a stack: expected */
	rte_log_set_global_level(RTE_LOG_EMERG);
	int err = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	if (err >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	dp_input(fw_worker(), LAN_PORT, mb, BURST_MAX);
	if (err >= 0 && null >= 0)
		dup2(err, STDERR_FILENO);
	if (err >= 0)
		close(err);
	if (null >= 0)
		close(null);
	rte_log_set_global_level(level);
	CU_ASSERT_EQUAL(fw_txbuf()->length, 10);
	CU_ASSERT_TRUE(fw_stats_equal(want, "tx full"));
	CU_ASSERT_EQUAL(fw_collect(tx, &n_tx, punt), 0);
	CU_ASSERT_EQUAL(n_tx, 10);
	for (unsigned int i = 0; i < n_tx; i++)
		CU_ASSERT_TRUE(fw_check_tx(&c, tx[i]));
	fw_free(tx, n_tx);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(fw->pool), FW_MBUFS);
	free(want);
}

int test_classify_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"rfc1071 helper", test_rfc1071},
		{"frame table", test_table},
		{"bursts", test_bursts},
		{"punt family", test_punt_family},
	};
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} fw_tests[] = {
		{"frame table", test_fw_table},
		{"one burst", test_fw_burst},
		{"neighbor changes", test_fw_neigh_change},
		{"tx full", test_fw_tx_full},
	};
	CU_pSuite s = CU_add_suite("classify", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	s = CU_add_suite("forward", fw_init, fw_clean);
	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(fw_tests); i++) {
		if (CU_add_test(s, fw_tests[i].name, fw_tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
