/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_spd.c - the "spd" suite: dataplane/spd.c, the crypto map SPD on rte_acl.
 *
 * Packets are built byte by byte here (not with DPDK's header structs) so the test does not share
 * a mistake with the code under test; the IPv4 header checksum is RFC 1071's one's complement
 * sum. Each table row is one packet and the seq of the entry it must match (0: none, which is
 * bypass), looked up through spd_key_make() and one rte_acl_classify() call per table, so that a
 * burst of mixed answers is checked too. Rows cover prefixes at their boundaries, protocols,
 * port ranges at both ends, IPv4 options and fragments, IPv6 prefixes and extension headers,
 * priority by seq whatever the specificity, and the mirrored inbound lookup (RFC 4301 4.4.1:
 * the inbound SPD is the outbound one seen from the other side).
 *
 * The "stages" tests run spd_input and spd_output over mbufs of a one-worker data plane and
 * check what each packet became and that the drop counters moved by exactly the packets that
 * should have been dropped (ROBUSTNESS.md), with the IKE exemption of RFC 4301 5.2 / 6.
 * Addresses: RFC 1918 and RFC 4193 ranges, as the crypto map examples use them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>
#include <rte_acl.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/spd.h"
#include "tests.h"

#define ANY	 -1 /* protocol any in a rule */
#define BUF_LEN	 256
#define SLOTS	 2 /* one worker and the control lcore */
#define IFX	 2 /* the interface the SPDs are published on */
#define POOL_LEN 1023

/* ---- rules ---- */

struct rule_spec {
	uint32_t seq;
	uint8_t action;
	const char *src;
	uint8_t src_plen;
	const char *dst;
	uint8_t dst_plen;
	int proto; /* ANY or 0..255 */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint32_t sa_out;
};

#define PORTS_ANY 0, 65535, 0, 65535

static struct spd_rule rule_of(const struct rule_spec *s)
{
	struct spd_rule r;
	memset(&r, 0, sizeof(r));
	r.seq = s->seq;
	r.action = s->action;
	r.family = strchr(s->src, ':') != NULL ? AF_INET6 : AF_INET;
	CU_ASSERT_FATAL(inet_pton(r.family, s->src, r.src) == 1);
	CU_ASSERT_FATAL(inet_pton(r.family, s->dst, r.dst) == 1);
	r.src_plen = s->src_plen;
	r.dst_plen = s->dst_plen;
	r.proto_any = s->proto == ANY;
	r.proto = s->proto == ANY ? 0 : (uint8_t)s->proto;
	r.sport_lo = s->sport_lo;
	r.sport_hi = s->sport_hi;
	r.dport_lo = s->dport_lo;
	r.dport_hi = s->dport_hi;
	r.sa_out = s->sa_out;
	return r;
}

static struct spd *build(const char *name, const struct rule_spec *specs, unsigned int n)
{
	struct spd_rule rules[16];
	char err[256] = "";
	CU_ASSERT_FATAL(n <= 16);
	for (unsigned int i = 0; i < n; i++)
		rules[i] = rule_of(&specs[i]);
	struct spd *spd = spd_build(name, IFX, rules, n, SLOTS, err, sizeof(err));
	if (spd == NULL)
		fprintf(stderr, "\n  spd_build %s: %s\n", name, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spd);
	return spd;
}

/* ---- packets ---- */

struct pkt {
	const char *src, *dst;
	int proto;	/* IPv4 protocol or IPv6 next header of the fixed header */
	uint16_t sport; /* also written for other protocols: must not be read */
	uint16_t dport;
	uint8_t opt;	  /* IPv4: 32-bit words of options (IHL 5 + opt) */
	uint16_t frag;	  /* IPv4 fragment offset field (host order, flags included) */
	uint16_t l4;	  /* bytes after the L3 header; 0 = 8 */
	uint8_t ext_next; /* IPv6: with proto 0 (hop-by-hop), the header after the extension */
};

/* A packet: addresses, protocol, ports, then any other field of struct pkt by name. */
#define P(s, d, pr, sp, dp, ...)                                                       \
	{                                                                              \
		.src = s, .dst = d, .proto = pr, .sport = sp, .dport = dp, __VA_ARGS__ \
	}

/* RFC 1071: the one's complement of the one's complement sum of 16-bit words. */
static uint16_t cksum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The L3 packet into buf; returns its length and its family in *family. */
static size_t make(const struct pkt *p, uint8_t *buf, int *family)
{
	uint16_t l4 = p->l4 ? p->l4 : 8;
	size_t hl;
	memset(buf, 0, BUF_LEN);
	*family = strchr(p->src, ':') != NULL ? AF_INET6 : AF_INET;
	if (*family == AF_INET) {
		hl = 20 + 4u * p->opt;
		buf[0] = (uint8_t)(0x40 | (5 + p->opt));
		put16(buf + 2, (uint16_t)(hl + l4));
		put16(buf + 6, p->frag);
		buf[8] = 64;
		buf[9] = (uint8_t)p->proto;
		CU_ASSERT_FATAL(inet_pton(AF_INET, p->src, buf + 12) == 1);
		CU_ASSERT_FATAL(inet_pton(AF_INET, p->dst, buf + 16) == 1);
		memset(buf + 20, 1, 4u * p->opt); /* options: NOPs */
		put16(buf + 10, cksum(buf, hl));
	} else {
		hl = 40 + (p->proto == 0 ? 8 : 0);
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)(hl - 40 + l4));
		buf[6] = (uint8_t)p->proto;
		buf[7] = 64;
		CU_ASSERT_FATAL(inet_pton(AF_INET6, p->src, buf + 8) == 1);
		CU_ASSERT_FATAL(inet_pton(AF_INET6, p->dst, buf + 24) == 1);
		buf[40] = p->ext_next; /* hop-by-hop: next header, length 0 (8 bytes), PadN */
		buf[42] = 1;
		buf[43] = 4;
	}
	put16(buf + hl, p->sport);
	put16(buf + hl + 2, p->dport);
	return hl + l4;
}

/* ---- lookup tables ---- */

struct row {
	struct pkt p;
	uint32_t seq; /* of the entry that must match; 0: none */
};

/* Look every row up in one classify call per family, then compare with the rows. */
static void check_rows(const struct spd *spd, enum spd_dir dir, const struct row *rows,
		       unsigned int n, const char *table)
{
	union spd_key keys[2][32];
	const union spd_key *kp[2][32];
	uint32_t res[2][32];
	unsigned int cnt[2] = {0, 0}, at[32];
	uint8_t buf[BUF_LEN];
	int family;
	CU_ASSERT_FATAL(n <= 32);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = make(&rows[i].p, buf, &family);
		unsigned int f = family == AF_INET6;
		at[i] = cnt[f];
		spd_key_make(buf, (uint32_t)len, family, &keys[f][cnt[f]]);
		kp[f][cnt[f]] = &keys[f][cnt[f]];
		cnt[f]++;
	}
	spd_classify(spd, dir, AF_INET, kp[0], res[0], cnt[0]);
	spd_classify(spd, dir, AF_INET6, kp[1], res[1], cnt[1]);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int f = strchr(rows[i].p.src, ':') != NULL;
		uint32_t idx = res[f][at[i]];
		uint32_t seq = idx == 0 || idx > spd->n ? 0 : spd->rule[idx - 1].seq;
		CU_ASSERT_EQUAL(seq, rows[i].seq);
		if (seq != rows[i].seq || idx > spd->n)
			fprintf(stderr,
				"\n  %s row %u (%s -> %s proto %d ports %u/%u): seq %u, want %u\n",
				table, i, rows[i].p.src, rows[i].p.dst, rows[i].p.proto,
				rows[i].p.sport, rows[i].p.dport, seq, rows[i].seq);
	}
}

/* Crypto map entries of the examples: protect, bypass and discard between site subnets. */
static const struct rule_spec site_rules[] = {
	{30, SPD_DISCARD, "10.1.2.0", 24, "10.2.2.0", 24, ANY, PORTS_ANY, 0},
	{10, SPD_PROTECT, "10.1.0.0", 24, "10.2.0.0", 24, ANY, PORTS_ANY, 5},
	{20, SPD_BYPASS, "10.1.1.0", 24, "10.2.1.0", 24, ANY, PORTS_ANY, 0},
};

static const struct row site_rows[] = {
	{P("10.1.0.5", "10.2.0.9", 1, 0, 0), 10},
	{P("10.1.0.0", "10.2.0.255", 17, 1, 2), 10}, /* both prefixes at their ends */
	{P("10.1.0.255", "10.2.0.0", 6, 1, 2), 10},
	{P("10.1.1.1", "10.2.0.9", 1, 0, 0), 0},     /* src of one entry, dst of another */
	{P("10.0.255.255", "10.2.0.9", 1, 0, 0), 0}, /* just below the /24 */
	{P("10.1.1.7", "10.2.1.200", 17, 9, 9), 20},
	{P("10.1.2.7", "10.2.2.200", 47, 0, 0), 30},
	{P("10.1.3.1", "10.2.2.1", 1, 0, 0), 0},
	{P("10.2.0.9", "10.1.0.5", 1, 0, 0), 0}, /* the reply direction: not outbound */
};

static void test_site(void)
{
	struct spd *spd = build("site", site_rules, 3);
	CU_ASSERT_EQUAL(spd->n, 3);
	CU_ASSERT_EQUAL(spd->rule[0].seq, 10); /* sorted by seq */
	CU_ASSERT_EQUAL(spd->rule[2].seq, 30);
	CU_ASSERT_EQUAL(spd->entry[0].action, SPD_BYPASS);
	CU_ASSERT_EQUAL(spd->entry[1].action, SPD_PROTECT);
	CU_ASSERT_EQUAL(spd->entry[1].sa_out, 5);
	CU_ASSERT_EQUAL(spd->entry[2].action, SPD_BYPASS);
	CU_ASSERT_EQUAL(spd->entry[3].action, SPD_DISCARD);
	CU_ASSERT_PTR_NULL(spd->acl[SPD_OUT][1]); /* no IPv6 entry, no IPv6 context */
	CU_ASSERT_PTR_NOT_NULL(spd->acl[SPD_OUT][0]);
	check_rows(spd, SPD_OUT, site_rows, RTE_DIM(site_rows), "site");
	spd_free(spd);
}

static const struct rule_spec proto_rules[] = {
	{10, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 6, PORTS_ANY, 0},
	{20, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 17, PORTS_ANY, 0},
	{30, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 47, PORTS_ANY, 0},
	{40, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 1, PORTS_ANY, 0},
	{50, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 0, PORTS_ANY, 0}, /* 0 is a number */
	{60, SPD_BYPASS, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
};

static const struct row proto_rows[] = {
	{P("10.0.0.1", "192.0.2.1", 6, 1, 80), 10},  {P("10.0.0.1", "192.0.2.1", 17, 1, 53), 20},
	{P("10.0.0.1", "192.0.2.1", 47, 0, 0), 30},  {P("10.0.0.1", "192.0.2.1", 1, 0, 0), 40},
	{P("10.0.0.1", "192.0.2.1", 0, 0, 0), 50},   {P("10.0.0.1", "192.0.2.1", 50, 0, 0), 0},
	{P("10.0.0.1", "192.0.2.1", 132, 0, 0), 0},  {P("11.9.9.9", "192.0.2.1", 50, 0, 0), 60},
	{P("11.9.9.9", "192.0.2.1", 255, 0, 0), 60},
};

static void test_protocols(void)
{
	struct spd *spd = build("proto", proto_rules, RTE_DIM(proto_rules));
	check_rows(spd, SPD_OUT, proto_rows, RTE_DIM(proto_rows), "protocols");
	spd_free(spd);
}

static const struct rule_spec port_rules[] = {
	{10, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 17, 0, 65535, 1000, 2000, 0},
	{20, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 6, 443, 443, 0, 65535, 0},
	{30, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 132, 0, 65535, 5000, 5000, 0},
	{90, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 17, PORTS_ANY, 0},
};

static const struct row port_rows[] = {
	{P("10.0.0.1", "192.0.2.1", 17, 7, 999), 90},
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1000), 10},
	{P("10.0.0.1", "192.0.2.1", 17, 7, 2000), 10},
	{P("10.0.0.1", "192.0.2.1", 17, 7, 2001), 90},
	{P("10.0.0.1", "192.0.2.1", 6, 443, 1), 20},
	{P("10.0.0.1", "192.0.2.1", 6, 444, 1), 0},
	{P("10.0.0.1", "192.0.2.1", 6, 1, 443), 0}, /* 443 as the destination: not this entry */
	{P("10.0.0.1", "192.0.2.1", 132, 1, 5000), 30},
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1500, .opt = 2),
	 10}, /* ports behind 8 bytes of options */
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1500, .frag = 0x0003),
	 90}, /* non-first fragment: no ports */
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1500, .frag = 0x2000),
	 10},							/* first fragment (MF): ports */
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1500, .l4 = 2), 90}, /* 2 bytes of UDP: no ports */
	{P("10.0.0.1", "192.0.2.1", 17, 7, 1500, .l4 = 4), 10}, /* 4 bytes: ports */
};

static void test_ports(void)
{
	struct spd *spd = build("ports", port_rules, RTE_DIM(port_rules));
	check_rows(spd, SPD_OUT, port_rows, RTE_DIM(port_rows), "ports");
	spd_free(spd);
}

/* The lowest seq decides, however general its selector. */
static const struct rule_spec order_a[] = {
	{50, SPD_PROTECT, "10.1.0.0", 24, "10.2.0.0", 24, ANY, PORTS_ANY, 3},
	{5, SPD_DISCARD, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
};
static const struct rule_spec order_b[] = {
	{50, SPD_DISCARD, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
	{5, SPD_PROTECT, "10.1.0.0", 24, "10.2.0.0", 24, ANY, PORTS_ANY, 3},
};
static const struct row order_rows_a[] = {
	{P("10.1.0.1", "10.2.0.1", 1, 0, 0), 5},
	{P("10.9.0.1", "10.2.0.1", 1, 0, 0), 5},
};
static const struct row order_rows_b[] = {
	{P("10.1.0.1", "10.2.0.1", 1, 0, 0), 5},
	{P("10.9.0.1", "10.2.0.1", 1, 0, 0), 50},
	{P("192.0.2.1", "10.2.0.1", 1, 0, 0), 0},
};

static void test_order(void)
{
	struct spd *a = build("order_a", order_a, 2), *b = build("order_b", order_b, 2);
	check_rows(a, SPD_OUT, order_rows_a, RTE_DIM(order_rows_a), "order a");
	check_rows(b, SPD_OUT, order_rows_b, RTE_DIM(order_rows_b), "order b");
	CU_ASSERT_EQUAL(a->entry[1].action, SPD_DISCARD); /* seq 5 */
	CU_ASSERT_EQUAL(b->entry[1].action, SPD_PROTECT);
	spd_free(a);
	spd_free(b);
}

/* Inbound is the mirror image: the peer's packet carries src and dst, and ports, swapped. */
static const struct rule_spec mirror_rules[] = {
	{10, SPD_PROTECT, "10.1.0.0", 24, "10.2.0.0", 24, 17, 500, 500, 1000, 2000, 4},
	{20, SPD_DISCARD, "fd00:1::", 64, "fd00:2::", 64, 6, 0, 65535, 22, 22, 0},
};
static const struct row mirror_in[] = {
	{P("10.2.0.7", "10.1.0.3", 17, 1500, 500), 10},
	{P("10.2.0.7", "10.1.0.3", 17, 500, 1500), 0}, /* ports the outbound way round */
	{P("10.1.0.3", "10.2.0.7", 17, 500, 1500), 0}, /* the outbound packet itself */
	{P("fd00:2::9", "fd00:1::3", 6, 22, 40000), 20},
	{P("fd00:1::3", "fd00:2::9", 6, 40000, 22), 0},
};
static const struct row mirror_out[] = {
	{P("10.1.0.3", "10.2.0.7", 17, 500, 1500), 10},
	{P("10.2.0.7", "10.1.0.3", 17, 1500, 500), 0},
	{P("fd00:1::3", "fd00:2::9", 6, 40000, 22), 20},
};

static void test_mirror(void)
{
	struct spd *spd = build("mirror", mirror_rules, RTE_DIM(mirror_rules));
	check_rows(spd, SPD_IN, mirror_in, RTE_DIM(mirror_in), "inbound");
	check_rows(spd, SPD_OUT, mirror_out, RTE_DIM(mirror_out), "outbound");
	spd_free(spd);
}

static const struct rule_spec v6_rules[] = {
	{10, SPD_PROTECT, "fd00:1::", 64, "fd00:2::", 48, ANY, PORTS_ANY, 7},
	{20, SPD_DISCARD, "::", 0, "fd00:9::1", 128, 6, 0, 65535, 22, 22, 0},
	{30, SPD_BYPASS, "fd00:3::", 127, "::", 0, ANY, PORTS_ANY, 0},
	{40, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
};
static const struct row v6_rows[] = {
	{P("fd00:1::5", "fd00:2:0:ffff:ffff::1", 58, 0, 0), 10},
	{P("fd00:1::5", "fd00:2:1::1", 58, 0, 0), 0}, /* destination outside the /48 */
	{P("fd00:1::ffff:ffff:ffff:ffff", "fd00:2::", 17, 1, 1), 10},
	{P("fd00:1:0:1::5", "fd00:2::1", 58, 0, 0), 0}, /* source outside the /64 */
	{P("fd00:1::5", "fd00:3::1", 58, 0, 0), 0},
	{P("fd00:7::1", "fd00:9::1", 6, 50000, 22), 20},
	{P("fd00:7::1", "fd00:9::1", 6, 50000, 23), 0},
	{P("fd00:7::1", "fd00:9::2", 6, 50000, 22), 0},
	{P("fd00:7::1", "fd00:9::1", 0, 50000, 22, .l4 = 8, .ext_next = 6),
	 0}, /* TCP behind hop-by-hop */
	{P("fd00:3::1", "2001:db8::1", 17, 1, 1), 30},
	{P("fd00:3::2", "2001:db8::1", 17, 1, 1), 0}, /* outside the /127 */
	{P("10.0.0.1", "192.0.2.1", 6, 1, 1), 40},    /* an IPv4 entry beside them */
};

static void test_ipv6(void)
{
	struct spd *spd = build("v6", v6_rules, RTE_DIM(v6_rules));
	CU_ASSERT_PTR_NOT_NULL(spd->acl[SPD_OUT][1]);
	CU_ASSERT_PTR_NOT_NULL(spd->acl[SPD_IN][0]);
	check_rows(spd, SPD_OUT, v6_rows, RTE_DIM(v6_rows), "IPv6");
	spd_free(spd);
}

/* A map without entries: every packet, both ways, both families, no entry (bypass). */
static void test_empty(void)
{
	static const struct row rows[] = {
		{P("10.1.0.5", "10.2.0.9", 1, 0, 0), 0},
		{P("fd00:1::5", "fd00:2::9", 17, 1, 2), 0},
	};
	char err[64];
	struct spd *spd = spd_build("empty", IFX, NULL, 0, SLOTS, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(spd);
	for (unsigned int d = 0; d < SPD_DIRS; d++)
		for (unsigned int f = 0; f < 2; f++)
			CU_ASSERT_PTR_NULL(spd->acl[d][f]);
	check_rows(spd, SPD_OUT, rows, 2, "empty out");
	check_rows(spd, SPD_IN, rows, 2, "empty in");
	CU_ASSERT_EQUAL(spd->entry[0].action, SPD_BYPASS);
	spd_free(spd);
}

/* spd_build refuses what the rule checks name, with the reason. */
static void test_bad_rules(void)
{
	static const struct {
		struct rule_spec a, b;
		const char *why;
	} bad[] = {
		{{10, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 {10, SPD_DISCARD, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 "seq used twice"},
		{{10, SPD_BYPASS, "10.0.0.0", 33, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 {20, SPD_BYPASS, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 "prefix length"},
		{{10, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, 6, 80, 79, 0, 65535, 0},
		 {20, SPD_BYPASS, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 "port range runs backwards"},
		{{10, SPD_PROTECT, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 {20, SPD_BYPASS, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 "outbound SA"},
		{{10, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 {20, SPD_DISCARD, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 9},
		 "outbound SA"},
		{{0, SPD_BYPASS, "10.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 {20, SPD_DISCARD, "11.0.0.0", 8, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
		 "seq outside"},
	};
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		struct spd_rule r[2] = {rule_of(&bad[i].a), rule_of(&bad[i].b)};
		char err[256] = "";
		struct spd *spd = spd_build("bad", IFX, r, 2, SLOTS, err, sizeof(err));
		CU_ASSERT_PTR_NULL(spd);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
		if (spd != NULL || strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "\n  bad rule %zu: \"%s\", want \"%s\"\n", i, err,
				bad[i].why);
		spd_free(spd);
	}
	char err[64] = "";
	CU_ASSERT_PTR_NULL(spd_build("x", IFX, NULL, 0, 0, err, sizeof(err))); /* no slot */
	CU_ASSERT_PTR_NULL(spd_build("x", IFACE_MAX, NULL, 0, 1, err, sizeof(err)));
}

/* The key of a packet, field by field (network byte order). */
static void test_key(void)
{
	const struct pkt tcp = P("10.1.0.5", "10.2.0.9", 6, 0x1234, 0xabcd);
	const struct pkt frag = P("10.1.0.5", "10.2.0.9", 17, 0x1234, 0xabcd, .frag = 0x0001);
	const struct pkt v6 = P("fd00::1", "fd00::2", 132, 7, 9);
	uint8_t buf[BUF_LEN];
	union spd_key k;
	int family;
	size_t len = make(&tcp, buf, &family);
	spd_key_make(buf, (uint32_t)len, family, &k);
	CU_ASSERT_EQUAL(k.v4.proto, 6);
	CU_ASSERT_EQUAL(memcmp(&k.v4.src, buf + 12, 4), 0);
	CU_ASSERT_EQUAL(memcmp(&k.v4.dst, buf + 16, 4), 0);
	CU_ASSERT_EQUAL(memcmp(&k.v4.sport, "\x12\x34\xab\xcd", 4), 0);
	spd_key_make(buf, 21, family, &k); /* one byte of TCP readable */
	CU_ASSERT_EQUAL(k.v4.sport | k.v4.dport, 0);
	len = make(&frag, buf, &family);
	spd_key_make(buf, (uint32_t)len, family, &k);
	CU_ASSERT_EQUAL(k.v4.sport | k.v4.dport, 0);
	len = make(&v6, buf, &family);
	spd_key_make(buf, (uint32_t)len, family, &k);
	CU_ASSERT_EQUAL(k.v6.proto, 132);
	CU_ASSERT_EQUAL(memcmp(k.v6.dst, buf + 24, 16), 0);
	CU_ASSERT_EQUAL(memcmp(&k.v6.sport, "\x00\x07\x00\x09", 4), 0);
	spd_key_make(buf, 30, family, &k); /* shorter than the fixed header: nothing read */
	CU_ASSERT_EQUAL(k.v6.proto, 0);
}

/* Publish, swap, remove: readers see the new SPD at once, the old one's contexts are gone. */
static void test_swap(void)
{
	static const struct row rows_a[] = {{P("10.1.0.5", "10.2.0.9", 1, 0, 0), 10}};
	static const struct row rows_b[] = {{P("10.1.0.5", "10.2.0.9", 1, 0, 0), 30}};
	static const struct rule_spec b_rules[] = {
		{30, SPD_DISCARD, "10.1.0.0", 16, "0.0.0.0", 0, ANY, PORTS_ANY, 0},
	};
	struct rte_rcu_qsbr *q = rte_zmalloc("tq", rte_rcu_qsbr_get_memsize(1), 64);
	struct dp *dp = rte_zmalloc("tdp", sizeof(*dp), 64);
	CU_ASSERT_FATAL(q != NULL && dp != NULL && rte_rcu_qsbr_init(q, 1) == 0);
	dp->spd = spd_table_create(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->spd);
	CU_ASSERT_PTR_NULL(spd_of(dp, IFX));
	struct spd *a = build("a", site_rules, 3), *b = build("b", b_rules, 1);
	char name[RTE_ACL_NAMESIZE];
	snprintf(name, sizeof(name), "spd%po4", (void *)a);
	CU_ASSERT_PTR_NOT_NULL(rte_acl_find_existing(name));
	CU_ASSERT_EQUAL(spd_publish(dp->spd, 0, a), -EINVAL);
	CU_ASSERT_EQUAL(spd_publish(dp->spd, IFX, a), 0);
	CU_ASSERT_PTR_EQUAL(spd_of(dp, IFX), a);
	CU_ASSERT_PTR_NULL(spd_of(dp, IFX + 1));
	CU_ASSERT_EQUAL(dp->spd->n_live, 1);
	check_rows(spd_of(dp, IFX), SPD_OUT, rows_a, 1, "before the swap");
	CU_ASSERT_EQUAL(spd_publish(dp->spd, IFX, b), 0);
	CU_ASSERT_PTR_EQUAL(spd_of(dp, IFX), b);
	CU_ASSERT_EQUAL(dp->spd->n_live, 1);
	CU_ASSERT_PTR_NULL(rte_acl_find_existing(name)); /* a was freed */
	check_rows(spd_of(dp, IFX), SPD_OUT, rows_b, 1, "after the swap");
	CU_ASSERT_EQUAL(spd_publish(dp->spd, IFX, NULL), 0);
	CU_ASSERT_EQUAL(dp->spd->n_live, 0);
	CU_ASSERT_PTR_NULL(spd_of(dp, IFX));
	spd_table_destroy(dp->spd);
	rte_free(dp);
	rte_free(q);
}

/* ---- the worker's stages and the control lcore's decision ---- */

static struct dp *sdp;

static int stages_init(void)
{
	const struct dp_nh fwd = {.type = NH_FWD, .ifindex = 1};
	const struct dp_nh local = {.type = NH_LOCAL, .ifindex = 1};
	int nf, nl;
	if (dp_meta_register() != 0)
		return -1;
	sdp = dp_create(1, POOL_LEN, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (sdp == NULL)
		return -1;
	sdp->fib = dp_fib_create("tspd", sdp->qsbr, 16, SOCKET_ID_ANY);
	sdp->spd = spd_table_create(sdp->qsbr);
	if (sdp->fib == NULL || sdp->spd == NULL)
		return -1;
	nf = dp_fib_nh_get(sdp->fib, &fwd);
	nl = dp_fib_nh_get(sdp->fib, &local);
	struct dp_fib_op ops[2] = {{AF_INET, 16, {10, 1}, (uint32_t)nf},
				   {AF_INET, 32, {10, 1, 0, 1}, (uint32_t)nl}};
	return nf > 0 && nl > 0 ? dp_fib_apply(sdp->fib, ops, 2) : -1;
}

static int stages_clean(void)
{
	if (sdp == NULL)
		return 0;
	spd_table_destroy(sdp->spd);
	dp_fib_destroy(sdp->fib);
	dp_destroy(sdp);
	sdp = NULL;
	return 0;
}

/* An mbuf holding an Ethernet header and the packet, its dp_meta as classify leaves it. */
static struct rte_mbuf *mbuf_of(const struct pkt *p, uint16_t in_ifindex, uint8_t flags)
{
	uint8_t buf[BUF_LEN];
	int family;
	size_t len = make(p, buf, &family);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(sdp->pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)(14 + len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	memset(d, 0, 12);
	put16(d + 12, family == AF_INET ? 0x0800 : 0x86dd);
	memcpy(d + 14, buf, len);
	struct dp_meta *m = dp_meta(mb);
	memset(m, 0, sizeof(*m));
	m->in_ifindex = in_ifindex;
	m->family = (uint8_t)family;
	m->l3_off = 14;
	m->flags = flags;
	return mb;
}

static const struct rule_spec stage_rules[] = {
	{10, SPD_PROTECT, "10.1.0.0", 24, "10.2.0.0", 24, ANY, PORTS_ANY, 3},
	{20, SPD_DISCARD, "10.1.2.0", 24, "10.2.2.0", 24, ANY, PORTS_ANY, 0},
};

struct in_case {
	struct pkt p;
	uint16_t ifindex;
	uint8_t flags;
	int drop; /* -1 kept, else the dp_drop reason */
};

/* Inbound: the peer's clear text (10.2/16 -> 10.1/16) arriving on IFX; 10.1.0.1 is the hub's. */
static const struct in_case in_cases[] = {
	{P("10.2.0.5", "10.1.0.7", 17, 9, 9), IFX, 0, DP_DROP_SPD_CLEARTEXT},
	{P("10.2.0.5", "10.1.0.1", 17, 500, 500), IFX, 0, -1},	 /* IKE to the hub */
	{P("10.2.0.5", "10.1.0.1", 17, 4500, 4500), IFX, 0, -1}, /* IKE / ESP in UDP */
	{P("10.2.0.5", "10.1.0.1", 50, 0, 0), IFX, 0, -1},	 /* ESP to the hub */
	{P("10.2.0.5", "10.1.0.1", 17, 9, 9), IFX, 0, DP_DROP_SPD_CLEARTEXT},
	{P("10.2.0.5", "10.1.0.7", 17, 500, 500), IFX, 0, DP_DROP_SPD_CLEARTEXT}, /* not to us */
	{P("10.2.2.5", "10.1.2.7", 1, 0, 0), IFX, 0, DP_DROP_SPD_DISCARD},
	{P("10.9.9.9", "10.1.0.7", 1, 0, 0), IFX, 0, -1}, /* no entry: bypass */
	{P("10.2.0.5", "10.1.0.7", 1, 0, 0), IFX, DP_MF_DECRYPTED, -1},
	{P("10.2.0.5", "10.1.0.7", 1, 0, 0), IFX + 1, 0, -1}, /* an interface without a map */
};

static void test_input(void)
{
	struct rte_mbuf *mb[RTE_DIM(in_cases)];
	uint32_t dst[RTE_DIM(in_cases)];
	uint64_t nh[RTE_DIM(in_cases)];
	struct dp_lcore_stats before = *sdp->workers[0].st;
	struct spd *spd = build("in", stage_rules, 2);
	unsigned int n = RTE_DIM(in_cases), clear = 0, disc = 0;
	CU_ASSERT_EQUAL_FATAL(spd_publish(sdp->spd, IFX, spd), 0);
	for (unsigned int i = 0; i < n; i++) {
		mb[i] = mbuf_of(&in_cases[i].p, in_cases[i].ifindex, in_cases[i].flags);
		memcpy(&dst[i], rte_pktmbuf_mtod_offset(mb[i], uint8_t *, 14 + 16), 4);
		dst[i] = rte_be_to_cpu_32(dst[i]);
		clear += in_cases[i].drop == DP_DROP_SPD_CLEARTEXT;
		disc += in_cases[i].drop == DP_DROP_SPD_DISCARD;
	}
	dp_fib_lookup4(sdp->fib, dst, nh, n);
	spd_input(&sdp->workers[0], mb, nh, (uint16_t)n, AF_INET);
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(mb[i] == NULL, in_cases[i].drop >= 0);
		if ((mb[i] == NULL) != (in_cases[i].drop >= 0))
			fprintf(stderr, "\n  inbound case %u: %s\n", i, mb[i] ? "kept" : "dropped");
		rte_pktmbuf_free(mb[i]);
	}
	const struct dp_lcore_stats *st = sdp->workers[0].st;
	CU_ASSERT_EQUAL(st->drop[DP_DROP_SPD_CLEARTEXT] - before.drop[DP_DROP_SPD_CLEARTEXT],
			clear);
	CU_ASSERT_EQUAL(st->drop[DP_DROP_SPD_DISCARD] - before.drop[DP_DROP_SPD_DISCARD], disc);
	CU_ASSERT_EQUAL(st->dropped - before.dropped, clear + disc);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_IN, 1), clear); /* entry 10, inbound */
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_IN, 2), disc);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_IN, 0), 1); /* the bypassed packet */
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 1), 0);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(sdp->pool), POOL_LEN);
	spd_publish(sdp->spd, IFX, NULL);
}

static void test_output(void)
{
	static const struct pkt pkts[] = {
		P("10.1.0.7", "10.2.0.5", 17, 1, 2),  /* protect */
		P("10.1.2.7", "10.2.2.5", 1, 0, 0),   /* discard */
		P("10.1.1.7", "10.2.1.5", 6, 1, 2),   /* no entry: on */
		P("10.1.0.8", "10.2.0.6", 132, 1, 2), /* protect */
	};
	struct rte_mbuf *mb[4];
	const struct spd *spds[4];
	struct dp_vec v;
	struct dp_lcore_stats before = *sdp->workers[0].st;
	struct spd *spd = build("out", stage_rules, 2);
	CU_ASSERT_EQUAL_FATAL(spd_publish(sdp->spd, IFX, spd), 0);
	dp_vec_reset(&v);
	for (unsigned int i = 0; i < 4; i++) {
		mb[i] = mbuf_of(&pkts[i], 1, 0);
		spds[i] = spd;
	}
	uint64_t fwd = spd_output(&sdp->workers[0], &v, mb, spds, 4, AF_INET);
	CU_ASSERT_EQUAL(fwd, 1u << 2);
	CU_ASSERT_EQUAL_FATAL(v.n_esp_out, 2);
	CU_ASSERT_PTR_EQUAL(v.esp_out[0], mb[0]);
	CU_ASSERT_PTR_EQUAL(v.esp_out[1], mb[3]);
	for (unsigned int i = 0; i < 2; i++) {
		const struct dp_meta *m = dp_meta(v.esp_out[i]);
		const uint8_t *ip = rte_pktmbuf_mtod_offset(v.esp_out[i], uint8_t *, 14);
		CU_ASSERT_EQUAL(m->sa_id, 3);
		CU_ASSERT_TRUE(m->flags & DP_MF_SA_SET);
		CU_ASSERT_EQUAL(m->out_ifindex, 0);
		CU_ASSERT_EQUAL(ip[8], 63);	   /* TTL one lower */
		CU_ASSERT_EQUAL(cksum(ip, 20), 0); /* and the checksum still right */
	}
	const struct dp_lcore_stats *st = sdp->workers[0].st;
	CU_ASSERT_EQUAL(st->drop[DP_DROP_SPD_DISCARD] - before.drop[DP_DROP_SPD_DISCARD], 1);
	CU_ASSERT_EQUAL(st->dropped - before.dropped, 1);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 1), 2);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 2), 1);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 0), 1);
	rte_pktmbuf_free(mb[0]);
	rte_pktmbuf_free(mb[2]);
	rte_pktmbuf_free(mb[3]);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(sdp->pool), POOL_LEN);
	spd_publish(sdp->spd, IFX, NULL);
}

/*
 * A protect entry keyed by IKE: without an SA its packets are punted as acquires naming the
 * interface and seq; SPD_SA_HELD drops them in the worker; an SA set by spd_entry_sa protects.
 */
static void test_acquire(void)
{
	static const struct pkt p = P("10.1.0.7", "10.2.0.5", 17, 1, 2);
	struct spd_rule r = rule_of(&stage_rules[0]);
	struct rte_mbuf *mb[1];
	const struct spd *spds[1];
	struct dp_vec v;
	char err[256] = "";
	struct dp_lcore_stats before = *sdp->workers[0].st;
	const struct dp_lcore_stats *st = sdp->workers[0].st;
	r.ike = true; /* with an SA as well: refused */
	CU_ASSERT_PTR_NULL(spd_build("acq", IFX, &r, 1, SLOTS, err, sizeof(err)));
	r.sa_out = 0;
	struct spd *spd = spd_build("acq", IFX, &r, 1, SLOTS, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(spd);
	CU_ASSERT_EQUAL(spd_entry_sa(sdp->spd, IFX, r.seq, 5), -ENOENT); /* not published */
	CU_ASSERT_EQUAL_FATAL(spd_publish(sdp->spd, IFX, spd), 0);
	CU_ASSERT_EQUAL(spd_entry_sa(sdp->spd, IFX, r.seq + 1, 5), -ENOENT);
	spds[0] = spd;
	for (int round = 0; round < 3; round++) {
		dp_vec_reset(&v);
		mb[0] = mbuf_of(&p, 1, 0);
		uint64_t fwd = spd_output(&sdp->workers[0], &v, mb, spds, 1, AF_INET);
		CU_ASSERT_EQUAL(fwd, 0);
		if (round == 0) { /* no SA yet: acquire */
			CU_ASSERT_EQUAL_FATAL(v.n_punt, 1);
			const struct dp_meta *m = dp_meta(v.punt[0]);
			CU_ASSERT_EQUAL(m->punt, DP_PUNT_ACQUIRE);
			CU_ASSERT_EQUAL(m->out_ifindex, IFX);
			CU_ASSERT_EQUAL(m->sa_id, r.seq);
			CU_ASSERT_EQUAL(v.n_esp_out, 0);
			rte_pktmbuf_free(v.punt[0]);
			CU_ASSERT_EQUAL(spd_entry_sa(sdp->spd, IFX, r.seq, SPD_SA_HELD), 0);
		} else if (round == 1) { /* held full: dropped in the worker */
			CU_ASSERT_EQUAL(v.n_punt, 0);
			CU_ASSERT_EQUAL(v.n_esp_out, 0);
			CU_ASSERT_EQUAL(spd_entry_sa(sdp->spd, IFX, r.seq, 9), 0);
			CU_ASSERT_EQUAL(spd_entry_sa_get(spd, r.seq), 9);
		} else { /* keyed */
			CU_ASSERT_EQUAL(v.n_punt, 0);
			CU_ASSERT_EQUAL_FATAL(v.n_esp_out, 1);
			CU_ASSERT_EQUAL(dp_meta(v.esp_out[0])->sa_id, 9);
			rte_pktmbuf_free(v.esp_out[0]);
		}
	}
	CU_ASSERT_EQUAL(st->punt[DP_PUNT_ACQUIRE] - before.punt[DP_PUNT_ACQUIRE], 1);
	CU_ASSERT_EQUAL(st->drop[DP_DROP_SPD_ACQUIRE] - before.drop[DP_DROP_SPD_ACQUIRE], 1);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 1), 3);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(sdp->pool), POOL_LEN);
	spd_publish(sdp->spd, IFX, NULL);
}

/* The control lcore's decision: IKE from the hub bypasses even inside a protect selector. */
static void test_decide(void)
{
	static const struct pkt icmp = P("10.1.0.1", "10.2.0.5", 1, 0, 0);
	static const struct pkt ike = P("10.1.0.1", "10.2.0.5", 17, 500, 500);
	static const struct pkt natt = P("10.1.0.1", "10.2.0.5", 17, 4500, 4500);
	static const struct pkt drop = P("10.1.2.1", "10.2.2.5", 17, 9, 9);
	struct spd *spd = build("ctl", stage_rules, 2);
	uint8_t buf[BUF_LEN];
	uint32_t sa = 0;
	uint32_t seq = 0;
	int family;
	size_t len = make(&icmp, buf, &family);
	CU_ASSERT_EQUAL(spd_decide(spd, 1, buf, (uint32_t)len, family, &sa, &seq), SPD_PROTECT);
	CU_ASSERT_EQUAL(sa, 3);
	CU_ASSERT_EQUAL(seq, stage_rules[0].seq);
	len = make(&ike, buf, &family);
	CU_ASSERT_EQUAL(spd_decide(spd, 1, buf, (uint32_t)len, family, &sa, &seq), SPD_BYPASS);
	len = make(&natt, buf, &family);
	CU_ASSERT_EQUAL(spd_decide(spd, 1, buf, (uint32_t)len, family, &sa, &seq), SPD_BYPASS);
	len = make(&drop, buf, &family);
	CU_ASSERT_EQUAL(spd_decide(spd, 1, buf, (uint32_t)len, family, &sa, &seq), SPD_DISCARD);
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 1), 1); /* IKE was not looked up */
	CU_ASSERT_EQUAL(spd_hits(spd, SPD_OUT, 2), 1);
	CU_ASSERT_EQUAL(spd->hits[(1 * SPD_DIRS + SPD_OUT) * spd->stride + 1], 1); /* slot 1 */
	CU_ASSERT_EQUAL(spd->hits[(0 * SPD_DIRS + SPD_OUT) * spd->stride + 1], 0);
	spd_free(spd);
}

static const char *spd_str(const char *(*fn)(uint16_t, uint16_t, char *, size_t), uint16_t lo,
			   uint16_t hi, char *buf)
{
	return fn(lo, hi, buf, 32);
}

static void test_text(void)
{
	char buf[32];
	struct spd_rule r = {.proto_any = true};
	CU_ASSERT_STRING_EQUAL(spd_proto_str(&r, buf, sizeof(buf)), "any");
	r.proto_any = false;
	r.proto = 17;
	CU_ASSERT_STRING_EQUAL(spd_proto_str(&r, buf, sizeof(buf)), "udp");
	r.proto = 89;
	CU_ASSERT_STRING_EQUAL(spd_proto_str(&r, buf, sizeof(buf)), "89");
	CU_ASSERT_STRING_EQUAL(spd_str(spd_ports_str, 0, 65535, buf), "any");
	CU_ASSERT_STRING_EQUAL(spd_str(spd_ports_str, 80, 80, buf), "80");
	CU_ASSERT_STRING_EQUAL(spd_str(spd_ports_str, 1024, 65535, buf), "1024-65535");
	CU_ASSERT_STRING_EQUAL(spd_action_name(SPD_DISCARD), "discard");
	CU_ASSERT_STRING_EQUAL(spd_action_name(9), "?");
}

int test_spd_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tables[] =
		{
			{"site prefixes and actions", test_site},
			{"protocols", test_protocols},
			{"port ranges, options, fragments", test_ports},
			{"order by seq", test_order},
			{"mirrored inbound lookup", test_mirror},
			{"IPv6", test_ipv6},
			{"empty map", test_empty},
			{"bad rules", test_bad_rules},
			{"keys", test_key},
			{"rebuild swap", test_swap},
			{"text", test_text},
		},
	  stages[] = {
		  {"inbound stage", test_input},
		  {"outbound stage", test_output},
		  {"acquire", test_acquire},
		  {"control lcore decision", test_decide},
	  };
	CU_pSuite s = CU_add_suite("spd", NULL, NULL);
	CU_pSuite t = CU_add_suite("spd stages", stages_init, stages_clean);
	if (s == NULL || t == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tables); i++)
		if (CU_add_test(s, tables[i].name, tables[i].fn) == NULL)
			return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(stages); i++)
		if (CU_add_test(t, stages[i].name, stages[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
