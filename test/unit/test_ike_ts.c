/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_ts.c - the "ike_ts" suite: traffic selector narrowing and the data plane
 * selectors of a Child SA (ctrlplane/ike/ike_ts.c; RFC 7296 2.9, 3.13.1; RFC 4301 4.4.1.1).
 *
 * Narrowing rows: the initiator's TS payload (written with the codec's writer and parsed back,
 * so the narrowing runs on a real struct ike_msg) against the config's selectors, and every
 * selector of the answer in order, or none (TS_UNACCEPTABLE): address ranges, protocols,
 * ports and families, one and several selectors on each side. Selector rows: narrowed sets
 * into struct sa_sel: prefixes, ranges that are no prefix (-1), the capacity. The RFC section
 * of each row is in its comment.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>

#include "ctrlplane/ike/ike_ts.h"
#include "tests.h"

#define BUF_MAX 4096
#define TS_N	8
#define ANY	0, 65535
#define TCP	6
#define UDP	17

/* A selector as text: "start-end" addresses (one family), protocol, ports. */
struct tsd {
	const char *start, *end;
	uint8_t proto;
	uint16_t lo, hi;
};

/* A configured selector: a prefix, protocol, ports (conf/config_ike.h). */
struct cfgd {
	const char *prefix;
	uint8_t proto;
	uint16_t lo, hi;
};

struct narrow_case {
	const char *what;
	struct tsd prop[TS_N]; /* what the initiator proposes */
	struct cfgd cfg[TS_N];
	struct tsd want[TS_N]; /* the answer, in order; none: TS_UNACCEPTABLE */
};

#define V4_ALL "0.0.0.0", "255.255.255.255"
#define V6_ALL "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

static const struct narrow_case narrow_cases[] = {
	/* 2.9: the responder narrows a wide proposal to its own subset */
	{"range narrowed to the config's prefix",
	 {{"10.1.0.0", "10.1.255.255", 0, ANY}},
	 {{"10.1.2.0/24", 0, ANY}},
	 {{"10.1.2.0", "10.1.2.255", 0, ANY}}},
	/* 2.9: a proposal inside the config stays as it is */
	{"host inside the config",
	 {{"10.1.2.5", "10.1.2.5", 0, ANY}},
	 {{"10.1.0.0/16", 0, ANY}},
	 {{"10.1.2.5", "10.1.2.5", 0, ANY}}},
	/* 2.9: partial overlap on both ends */
	{"overlap of two ranges",
	 {{"10.1.1.128", "10.1.3.10", 0, ANY}},
	 {{"10.1.2.0/24", 0, ANY}},
	 {{"10.1.2.0", "10.1.2.255", 0, ANY}}},
	/* 2.9: a range that starts inside the prefix and leaves it, across an octet */
	{"overlap across an octet boundary",
	 {{"10.0.0.200", "10.0.1.20", 0, ANY}},
	 {{"10.0.0.0/24", 0, ANY}},
	 {{"10.0.0.200", "10.0.0.255", 0, ANY}}},
	/* 2.9: nothing in common: TS_UNACCEPTABLE */
	{"disjoint ranges",
	 {{"10.9.0.0", "10.9.255.255", 0, ANY}},
	 {{"10.1.0.0/16", 0, ANY}},
	 {{0}}},
	/* 2.9: ranges that touch at no address */
	{"adjacent ranges", {{"10.0.1.0", "10.0.1.255", 0, ANY}}, {{"10.0.0.0/24", 0, ANY}}, {{0}}},
	/* 3.13.1: an IPv6 range is not an IPv4 prefix */
	{"family mismatch", {{"fd00::", "fd00::ffff", 0, ANY}}, {{"10.0.0.0/8", 0, ANY}}, {{0}}},
	/* 3.13.1: IPv6 ranges */
	{"IPv6 range narrowed",
	 {{"fd00::", "fd00::ffff", 0, ANY}},
	 {{"fd00::/120", 0, ANY}},
	 {{"fd00::", "fd00::ff", 0, ANY}}},
	/* 3.13.1: the proposal's protocol inside a config of any protocol */
	{"protocol from the proposal",
	 {{"10.1.0.0", "10.1.0.255", TCP, ANY}},
	 {{"10.1.0.0/24", 0, ANY}},
	 {{"10.1.0.0", "10.1.0.255", TCP, ANY}}},
	/* 2.9: any protocol narrowed to the config's */
	{"protocol from the config",
	 {{"10.1.0.0", "10.1.0.255", 0, ANY}},
	 {{"10.1.0.0/24", UDP, ANY}},
	 {{"10.1.0.0", "10.1.0.255", UDP, ANY}}},
	/* 2.9: TCP and UDP have nothing in common */
	{"protocol mismatch",
	 {{"10.1.0.0", "10.1.0.255", TCP, ANY}},
	 {{"10.1.0.0/24", UDP, ANY}},
	 {{0}}},
	/* 3.13.1: a port range narrowed to one port */
	{"ports narrowed to one",
	 {{"10.1.0.0", "10.1.0.255", UDP, ANY}},
	 {{"10.1.0.0/24", UDP, 500, 500}},
	 {{"10.1.0.0", "10.1.0.255", UDP, 500, 500}}},
	/* 3.13.1: overlapping port ranges */
	{"port ranges overlap",
	 {{"10.1.0.0", "10.1.0.255", TCP, 1000, 2000}},
	 {{"10.1.0.0/24", TCP, 1500, 3000}},
	 {{"10.1.0.0", "10.1.0.255", TCP, 1500, 2000}}},
	/* 2.9: disjoint port ranges */
	{"port ranges disjoint",
	 {{"10.1.0.0", "10.1.0.255", TCP, 1000, 2000}},
	 {{"10.1.0.0/24", TCP, 2001, 3000}},
	 {{0}}},
	/* 2.9: several proposed, several configured: each pair that meets, proposal-major */
	{"two proposed, three configured",
	 {{"10.1.0.0", "10.1.255.255", 0, ANY}, {"10.2.0.0", "10.2.255.255", 0, ANY}},
	 {{"10.1.5.0/24", 0, ANY}, {"10.2.6.0/24", 0, ANY}, {"10.3.0.0/16", 0, ANY}},
	 {{"10.1.5.0", "10.1.5.255", 0, ANY}, {"10.2.6.0", "10.2.6.255", 0, ANY}}},
	/* 2.9: one wide proposal against several configured prefixes */
	{"one proposed, three configured",
	 {{V4_ALL, 0, ANY}},
	 {{"10.1.0.0/16", 0, ANY}, {"10.2.0.0/16", 0, ANY}, {"192.168.0.0/24", 0, ANY}},
	 {{"10.1.0.0", "10.1.255.255", 0, ANY},
	  {"10.2.0.0", "10.2.255.255", 0, ANY},
	  {"192.168.0.0", "192.168.0.255", 0, ANY}}},
	/* 3.13.1: a TS payload may mix families; each meets its own */
	{"both families",
	 {{V4_ALL, 0, ANY}, {V6_ALL, 0, ANY}},
	 {{"fd00::/16", 0, ANY}, {"10.0.0.0/8", 0, ANY}},
	 {{"10.0.0.0", "10.255.255.255", 0, ANY},
	  {"fd00::", "fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, ANY}}},
	/* 2.9: a /0 config takes a host, protocol and port as proposed */
	{"config any, host with a port",
	 {{"10.1.2.3", "10.1.2.3", TCP, 80, 80}},
	 {{"0.0.0.0/0", 0, ANY}},
	 {{"10.1.2.3", "10.1.2.3", TCP, 80, 80}}},
	/* 2.9: a /32 config picks one host from the range */
	{"config host",
	 {{"10.1.0.0", "10.1.0.255", 0, ANY}},
	 {{"10.1.0.7/32", 0, ANY}},
	 {{"10.1.0.7", "10.1.0.7", 0, ANY}}},
	/* 2.9: one of two proposals meets nothing, the other is kept */
	{"one of two proposals meets",
	 {{"192.168.9.0", "192.168.9.255", 0, ANY}, {"10.1.0.0", "10.1.0.255", UDP, ANY}},
	 {{"10.0.0.0/8", 0, ANY}},
	 {{"10.1.0.0", "10.1.0.255", UDP, ANY}}},
	/* 3.13.1: IPv6 with protocol and ports on both sides */
	{"IPv6 protocol and ports",
	 {{"fd00:1::", "fd00:1::ffff", TCP, 0, 1023}},
	 {{"fd00:1::/112", TCP, 443, 8443}},
	 {{"fd00:1::", "fd00:1::ffff", TCP, 443, 1023}}},
};

static struct ike_msg m; /* large: static, one test at a time */

static unsigned int count_tsd(const struct tsd *t)
{
	unsigned int n = 0;
	while (n < TS_N && t[n].start != NULL)
		n++;
	return n;
}

/* Text addresses into an ike_ts whose start and end point into addr. */
static void ts_of(const struct tsd *d, struct ike_ts *ts, uint8_t addr[2][16])
{
	bool v6 = strchr(d->start, ':') != NULL;
	int af = v6 ? AF_INET6 : AF_INET;
	CU_ASSERT_FATAL(inet_pton(af, d->start, addr[0]) == 1 &&
			inet_pton(af, d->end, addr[1]) == 1);
	*ts = (struct ike_ts){
		.type = v6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE,
		.ip_proto = d->proto,
		.start_port = d->lo,
		.end_port = d->hi,
		.start = addr[0],
		.end = addr[1],
	};
}

/* A CREATE_CHILD_SA request with a TSi payload of the n selectors d, parsed into m. */
static const struct ike_payload *tsi_of(const struct tsd *d, unsigned int n)
{
	static uint8_t buf[BUF_MAX];
	static struct ike_ts ts[TS_N];
	static uint8_t addr[TS_N][2][16];
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_CREATE_CHILD_SA, .flags = IKE_FLAG_I};
	struct ike_wr w;
	size_t len = 0;
	memset(h.spi_i, 0x11, 8);
	memset(h.spi_r, 0x22, 8);
	CU_ASSERT_FATAL(n > 0 && n <= TS_N);
	for (unsigned int i = 0; i < n; i++)
		ts_of(&d[i], &ts[i], addr[i]);
	CU_ASSERT_FATAL(ike_wr_init(&w, buf, sizeof(buf), &h) == 0);
	CU_ASSERT_FATAL(ike_wr_ts(&w, IKE_PL_TSI, ts, n) == 0 && ike_wr_finish(&w, &len) == 0);
	CU_ASSERT_FATAL(ike_msg_parse(&m, buf, len) == 0);
	return ike_msg_find(&m, IKE_PL_TSI, NULL);
}

static unsigned int cfg_of(const struct cfgd *d, struct cfg_ike_ts *out)
{
	unsigned int n = 0;
	for (; n < TS_N && d[n].prefix != NULL; n++) {
		memset(&out[n], 0, sizeof(out[n]));
		CU_ASSERT_FATAL(cfg_addr_parse(d[n].prefix, true, &out[n].prefix) == 0);
		out[n].proto = d[n].proto;
		out[n].port_lo = d[n].lo;
		out[n].port_hi = d[n].hi;
	}
	return n;
}

static bool same_ts(const struct ike_ts *a, const struct tsd *d)
{
	struct ike_ts want;
	uint8_t addr[2][16];
	ts_of(d, &want, addr);
	size_t n = want.type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
	return a->type == want.type && a->ip_proto == want.ip_proto &&
	       a->start_port == want.start_port && a->end_port == want.end_port &&
	       memcmp(a->start, want.start, n) == 0 && memcmp(a->end, want.end, n) == 0;
}

static bool expect(bool ok, const char *row, const char *what)
{
	if (!ok)
		fprintf(stderr, "\n  ike_ts \"%s\": %s\n", row, what);
	CU_ASSERT(ok);
	return ok;
}

static void test_narrow(void)
{
	static struct ike_ts_set out;
	struct cfg_ike_ts cfg[TS_N];
	CU_ASSERT(sizeof(narrow_cases) / sizeof(narrow_cases[0]) >= 20);
	for (size_t i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++) {
		const struct narrow_case *c = &narrow_cases[i];
		const struct ike_payload *pl = tsi_of(c->prop, count_tsd(c->prop));
		unsigned int n_cfg = cfg_of(c->cfg, cfg), n_want = count_tsd(c->want);
		memset(&out, 0xee, sizeof(out));
		unsigned int n = ike_ts_narrow(&m, pl, cfg, n_cfg, &out);
		if (!expect(n == n_want && out.n == n, c->what, "number of selectors"))
			continue;
		for (unsigned int k = 0; k < n; k++) {
			expect(same_ts(&out.ts[k], &c->want[k]), c->what, "selector differs");
			/* the answer owns its addresses: it outlives the message it came from */
			expect(out.ts[k].start == out.addr[k][0] && out.ts[k].end == out.addr[k][1],
			       c->what, "addresses not in the set");
		}
	}
}

/* 2.9: no TS payload, or no configured selector: nothing to answer with. */
static void test_narrow_nothing(void)
{
	static struct ike_ts_set out;
	static const struct tsd any4[] = {{V4_ALL, 0, ANY}};
	struct cfg_ike_ts cfg[1];
	const struct ike_payload *pl = tsi_of(any4, 1);
	CU_ASSERT_FATAL(
		cfg_of((const struct cfgd[]){{"10.0.0.0/8", 0, ANY}, {NULL, 0, 0, 0}}, cfg) == 1);
	out.n = 7;
	CU_ASSERT(ike_ts_narrow(&m, NULL, cfg, 1, &out) == 0 && out.n == 0);
	out.n = 7;
	CU_ASSERT(ike_ts_narrow(&m, pl, cfg, 0, &out) == 0 && out.n == 0);
}

/* The answer holds at most IKE_MSG_TS_MAX selectors however many pairs meet. */
static void test_narrow_capacity(void)
{
	static struct ike_ts_set out;
	struct cfg_ike_ts cfg[TS_N];
	struct cfgd d[TS_N];
	char pfx[TS_N][24];
	for (unsigned int i = 0; i < TS_N; i++) {
		snprintf(pfx[i], sizeof(pfx[i]), "10.%u.0.0/16", i);
		d[i] = (struct cfgd){pfx[i], 0, ANY};
	}
	CU_ASSERT_FATAL(cfg_of(d, cfg) == TS_N);
	/* 8 identical proposals x 8 prefixes: 64 pairs meet, 32 fit */
	const struct ike_payload *pl = tsi_of((const struct tsd[]){{V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY},
								   {V4_ALL, 0, ANY}},
					      TS_N);
	CU_ASSERT(ike_ts_narrow(&m, pl, cfg, TS_N, &out) == IKE_MSG_TS_MAX);
	CU_ASSERT(out.n == IKE_MSG_TS_MAX);
	/* the first 32 in order: proposals 0..3 against prefixes 0..7 */
	for (unsigned int k = 0; k < IKE_MSG_TS_MAX; k++)
		CU_ASSERT(out.ts[k].start[1] == k % TS_N && out.ts[k].end[1] == k % TS_N);
}

/* ike_ts_to_sel rows: src and dst narrowed sets, the capacity, and the selectors wanted. */
struct seld {
	const char *src, *dst; /* prefixes */
	uint8_t proto;
	uint16_t slo, shi, dlo, dhi;
};

struct sel_case {
	const char *what;
	struct tsd src[3], dst[3];
	unsigned int cap;
	int rc;
	struct seld want[9];
};

static const struct sel_case sel_cases[] = {
	/* RFC 4301 4.4.1.1: a prefix range and a host */
	{"prefix and host",
	 {{"10.1.0.0", "10.1.255.255", 0, ANY}},
	 {{"10.2.3.4", "10.2.3.4", 0, ANY}},
	 4,
	 1,
	 {{"10.1.0.0/16", "10.2.3.4/32", 0, ANY, ANY}}},
	/* 3.13.1: the whole IPv4 space is /0 */
	{"any to any",
	 {{V4_ALL, 0, ANY}},
	 {{V4_ALL, 0, ANY}},
	 1,
	 1,
	 {{"0.0.0.0/0", "0.0.0.0/0", 0, ANY, ANY}}},
	/* RFC 4301 4.4.1.1: ports from each side, protocol from the side that has one */
	{"ports and protocol",
	 {{"10.1.0.0", "10.1.0.255", 0, 1024, 65535}},
	 {{"10.2.0.0", "10.2.0.255", UDP, 53, 53}},
	 1,
	 1,
	 {{"10.1.0.0/24", "10.2.0.0/24", UDP, 1024, 65535, 53, 53}}},
	/* 3.13.1: IPv6 prefixes */
	{"IPv6 prefixes",
	 {{"fd00:1::", "fd00:1::ffff:ffff:ffff:ffff", TCP, ANY}},
	 {{V6_ALL, 0, ANY}},
	 2,
	 1,
	 {{"fd00:1::/64", "::/0", TCP, ANY, ANY}}},
	/* only pairs of one family make a selector */
	{"families pair up",
	 {{V4_ALL, 0, ANY}, {"fd00::", "fd00::ff", 0, ANY}},
	 {{"fd01::", "fd01::ffff", 0, ANY}, {"10.0.0.0", "10.0.0.255", 0, ANY}},
	 4,
	 2,
	 {{"0.0.0.0/0", "10.0.0.0/24", 0, ANY, ANY}, {"fd00::/120", "fd01::/112", 0, ANY, ANY}}},
	/* a range that is no prefix cannot be expressed: -1 */
	{"two hosts, no prefix",
	 {{"10.1.0.1", "10.1.0.2", 0, ANY}},
	 {{V4_ALL, 0, ANY}},
	 4,
	 -1,
	 {{0}}},
	/* three /24s are no prefix either */
	{"three /24s, no prefix",
	 {{V4_ALL, 0, ANY}},
	 {{"10.1.0.0", "10.1.2.255", 0, ANY}},
	 4,
	 -1,
	 {{0}}},
	/* aligned size but not aligned start */
	{"misaligned range",
	 {{"10.1.0.128", "10.1.1.127", 0, ANY}},
	 {{V4_ALL, 0, ANY}},
	 4,
	 -1,
	 {{0}}},
	/* IPv6 range that is no prefix */
	{"IPv6 no prefix", {{"fd00::1", "fd00::ffff", 0, ANY}}, {{V6_ALL, 0, ANY}}, 4, -1, {{0}}},
	/* 3 x 3 pairs need 9 selectors */
	{"capacity too small",
	 {{"10.1.0.0", "10.1.0.255", 0, ANY},
	  {"10.2.0.0", "10.2.0.255", 0, ANY},
	  {"10.3.0.0", "10.3.0.255", 0, ANY}},
	 {{"10.4.0.0", "10.4.0.255", 0, ANY},
	  {"10.5.0.0", "10.5.0.255", 0, ANY},
	  {"10.6.0.0", "10.6.0.255", 0, ANY}},
	 8,
	 -1,
	 {{0}}},
	/* ... and exactly enough */
	{"capacity exact",
	 {{"10.1.0.0", "10.1.0.255", 0, ANY},
	  {"10.2.0.0", "10.2.0.255", 0, ANY},
	  {"10.3.0.0", "10.3.0.255", 0, ANY}},
	 {{"10.4.0.0", "10.4.0.255", 0, ANY},
	  {"10.5.0.0", "10.5.0.255", 0, ANY},
	  {"10.6.0.0", "10.6.0.255", 0, ANY}},
	 9,
	 9,
	 {{"10.1.0.0/24", "10.4.0.0/24", 0, ANY, ANY},
	  {"10.1.0.0/24", "10.5.0.0/24", 0, ANY, ANY},
	  {"10.1.0.0/24", "10.6.0.0/24", 0, ANY, ANY},
	  {"10.2.0.0/24", "10.4.0.0/24", 0, ANY, ANY},
	  {"10.2.0.0/24", "10.5.0.0/24", 0, ANY, ANY},
	  {"10.2.0.0/24", "10.6.0.0/24", 0, ANY, ANY},
	  {"10.3.0.0/24", "10.4.0.0/24", 0, ANY, ANY},
	  {"10.3.0.0/24", "10.5.0.0/24", 0, ANY, ANY},
	  {"10.3.0.0/24", "10.6.0.0/24", 0, ANY, ANY}}},
	/* no room at all */
	{"capacity 0", {{V4_ALL, 0, ANY}}, {{V4_ALL, 0, ANY}}, 0, -1, {{0}}},
	/* no pair of one family: nothing to install, and no error */
	{"no common family", {{V4_ALL, 0, ANY}}, {{V6_ALL, 0, ANY}}, 4, 0, {{0}}},
};

static void set_of(const struct tsd *d, struct ike_ts_set *s)
{
	s->n = 0;
	for (unsigned int i = 0; i < 3 && d[i].start != NULL; i++, s->n++)
		ts_of(&d[i], &s->ts[i], s->addr[i]);
}

static bool same_sel(const struct sa_sel *s, const struct seld *d)
{
	struct cfg_addr a, b;
	CU_ASSERT_FATAL(cfg_addr_parse(d->src, true, &a) == 0 &&
			cfg_addr_parse(d->dst, true, &b) == 0);
	size_t n = a.family == AF_INET ? 4 : 16;
	return s->family == a.family && s->proto == d->proto && s->src_plen == a.plen &&
	       s->dst_plen == b.plen && memcmp(s->src, a.bytes, n) == 0 &&
	       memcmp(s->dst, b.bytes, n) == 0 && s->sport_lo == d->slo && s->sport_hi == d->shi &&
	       s->dport_lo == d->dlo && s->dport_hi == d->dhi;
}

static void test_to_sel(void)
{
	static struct ike_ts_set src, dst;
	struct sa_sel sel[10];
	for (size_t i = 0; i < sizeof(sel_cases) / sizeof(sel_cases[0]); i++) {
		const struct sel_case *c = &sel_cases[i];
		set_of(c->src, &src);
		set_of(c->dst, &dst);
		memset(sel, 0xee, sizeof(sel));
		int rc = ike_ts_to_sel(&src, &dst, sel, c->cap);
		if (!expect(rc == c->rc, c->what, "return value"))
			continue;
		for (int k = 0; k < rc; k++)
			expect(same_sel(&sel[k], &c->want[k]), c->what, "selector differs");
		/* nothing written past the capacity */
		expect(sel[c->cap < 10 ? c->cap : 9].family == 0xee || c->cap >= 10, c->what,
		       "written past the capacity");
	}
}

/* Narrowed sets feed the selectors: the path IKE_AUTH takes (ike_child.c, 2.9 then RFC 4301). */
static void test_narrow_then_sel(void)
{
	static struct ike_ts_set tsi, tsr;
	static const struct tsd wide[] = {{V4_ALL, 0, ANY}};
	struct cfg_ike_ts rem[1], loc[1];
	struct sa_sel sel[2];
	CU_ASSERT_FATAL(
		cfg_of((const struct cfgd[]){{"10.30.0.0/24", 0, ANY}, {NULL, 0, 0, 0}}, rem) == 1);
	CU_ASSERT_FATAL(cfg_of((const struct cfgd[]){{"10.10.0.0/16", TCP, ANY}, {NULL, 0, 0, 0}},
			       loc) == 1);
	CU_ASSERT(ike_ts_narrow(&m, tsi_of(wide, 1), rem, 1, &tsi) == 1);
	CU_ASSERT(ike_ts_narrow(&m, tsi_of(wide, 1), loc, 1, &tsr) == 1);
	CU_ASSERT_FATAL(ike_ts_to_sel(&tsi, &tsr, sel, 2) == 1);
	CU_ASSERT(same_sel(&sel[0], &(struct seld){"10.30.0.0/24", "10.10.0.0/16", TCP, ANY, ANY}));
}

int test_ike_ts_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"narrowing table (2.9)", test_narrow},
		{"narrowing without payload or config", test_narrow_nothing},
		{"narrowing capacity", test_narrow_capacity},
		{"selectors table (RFC 4301 4.4.1.1)", test_to_sel},
		{"narrowed sets into selectors", test_narrow_then_sel},
	};
	CU_pSuite s = CU_add_suite("ike_ts", NULL, NULL);
	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
