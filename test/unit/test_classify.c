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
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"
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

static size_t build_ip4(const struct frame *f, uint8_t *p)
{
	unsigned int ihl = f->ihl ? f->ihl : 5;
	size_t hl = ihl < 5 ? 20 : ihl * 4u; /* bytes written; IHL below 5 is a lie */

	memset(p, 0, hl + PAYLOAD);
	p[0] = (uint8_t)((f->ver ? f->ver : 4) << 4 | ihl);
	put16(p + 2, (uint16_t)((int)(hl + PAYLOAD) + f->len_adj));
	put16(p + 4, 0x1234);
	put16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = 17; /* UDP */
	inet_pton(AF_INET, f->src ? f->src : "192.0.2.1", p + 12);
	inet_pton(AF_INET, f->dst ? f->dst : "198.51.100.1", p + 16);
	memset(p + hl, 0x11, PAYLOAD);
	put16(p + 10, (uint16_t)(rfc1071(p, hl) ^ (f->bad_cksum ? 0x0100 : 0)));
	return hl + PAYLOAD;
}

static size_t build_ip6(const struct frame *f, uint8_t *p)
{
	memset(p, 0, 40 + PAYLOAD);
	p[0] = (uint8_t)((f->ver ? f->ver : 6) << 4);
	put16(p + 4, (uint16_t)(PAYLOAD + f->len_adj));
	p[6] = 17;
	p[7] = 64;
	inet_pton(AF_INET6, f->src ? f->src : "2001:db8::1", p + 8);
	inet_pton(AF_INET6, f->dst ? f->dst : "2001:db8:1::1", p + 24);
	memset(p + 40, 0x11, PAYLOAD);
	return 40 + PAYLOAD;
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

static struct rte_mbuf *frame_mbuf(const struct frame *f)
{
	uint8_t buf[256];
	size_t n = build(f, buf);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(pool);

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
	CU_pSuite s = CU_add_suite("classify", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
