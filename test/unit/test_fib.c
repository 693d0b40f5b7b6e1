/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_fib.c - the "fib" suite: dataplane/fib.c.
 *
 * Lookups follow the longest-match rule (RFC 1812 section 5.2.4.3; for IPv6 the same rule over
 * RFC 4291 prefixes). Every lookup is asked three times: through dp_fib_lookup4/6 (the active
 * copy) and directly on both copies, which must always agree after an apply returns (fib.h:
 * the change is replayed on the old copy). A refused batch must leave both copies and the
 * active index as they were.
 * Each test creates and frees its own dp_fib: one takes ~140 MB of the 256 MB EAL heap
 * (a 2^24-entry DIR-24-8 table per family and copy).
 * QSBR: the suite's variable has thread 0 registered but offline, so a grace period is
 * immediate; the reader tests run a worker-like pthread that is online and reports quiescence.
 * The next-hop MAC cache (fib.h) is checked against the neighbor table it is bound to: a gateway
 * next hop shows its own neighbor's MAC whenever that neighbor is in the table, nothing when it
 * is not, and never another neighbor's (other interface, address, or family).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/fib.h"
#include "dataplane/neigh.h"
#include "tests.h"

/* Next hop ids of the LPM tables; the ids need no dp_nh entry for lookups. */
enum { NH_A = 1, NH_B = 2, NH_C = 3, NH_D = 4, NH_E = 5 };

struct look {
	const char *addr;
	uint64_t nh;
};

static struct rte_rcu_qsbr *qsbr_make(void)
{
	struct rte_rcu_qsbr *v = rte_zmalloc("test_qsbr", rte_rcu_qsbr_get_memsize(1), 64);

	if (v != NULL && rte_rcu_qsbr_init(v, 1) != 0) {
		rte_free(v);
		return NULL;
	}
	return v;
}

static struct dp_fib *fib_make(struct rte_rcu_qsbr *v, uint32_t max_routes)
{
	static unsigned int seq;
	char name[32];

	snprintf(name, sizeof(name), "tfib%u", seq++);
	return dp_fib_create(name, v, max_routes, SOCKET_ID_ANY);
}

static void op_make(struct dp_fib_op *op, const char *prefix, uint8_t plen, uint32_t nh)
{
	memset(op, 0, sizeof(*op));
	op->family = strchr(prefix, ':') != NULL ? AF_INET6 : AF_INET;
	op->plen = plen;
	op->nh = nh;
	if (inet_pton(op->family, prefix, op->prefix) != 1)
		CU_FAIL_FATAL("bad prefix in test table");
}

static int route(struct dp_fib *f, const char *prefix, uint8_t plen, uint32_t nh)
{
	struct dp_fib_op op;

	op_make(&op, prefix, plen, nh);
	return dp_fib_apply(f, &op, 1);
}

/* Lookup of one address on copy c (0/1) or, with c = 2, through the active copy. */
static uint64_t lookup(struct dp_fib *f, unsigned int c, const char *addr)
{
	uint64_t nh = UINT64_MAX;

	if (strchr(addr, ':') != NULL) {
		uint8_t ip[1][16];
		if (inet_pton(AF_INET6, addr, ip[0]) != 1)
			return UINT64_MAX;
		if (c == 2)
			dp_fib_lookup6(f, ip, &nh, 1);
		else
			rte_fib6_lookup_bulk(f->v6[c], ip, &nh, 1);
		return nh;
	}
	struct in_addr in;
	if (inet_pton(AF_INET, addr, &in) != 1)
		return UINT64_MAX;
	uint32_t ip = ntohl(in.s_addr); /* the lookup takes host order */
	if (c == 2)
		dp_fib_lookup4(f, &ip, &nh, 1);
	else
		rte_fib_lookup_bulk(f->v4[c], &ip, &nh, 1);
	return nh;
}

/* Every row through the active copy and on both copies; returns the number of mismatches. */
static unsigned int check(struct dp_fib *f, const struct look *t, size_t n, const char *what)
{
	unsigned int bad = 0;

	for (size_t i = 0; i < n; i++) {
		for (unsigned int c = 0; c < 3; c++) {
			uint64_t got = lookup(f, c, t[i].addr);
			if (got == t[i].nh)
				continue;
			fprintf(stderr, "\n  %s: %s on %s -> %" PRIu64 ", want %" PRIu64 "\n", what,
				t[i].addr,
				c == 2 ? "active"
				: c    ? "copy 1"
				       : "copy 0",
				got, t[i].nh);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	return bad;
}

#define CHECK(f, t, what) check(f, t, RTE_DIM(t), what)

static struct rte_rcu_qsbr *suite_qsbr;

static int suite_init(void)
{
	suite_qsbr = qsbr_make();
	if (suite_qsbr == NULL || rte_rcu_qsbr_thread_register(suite_qsbr, 0) != 0)
		return -1;
	return 0;
}

static int suite_clean(void)
{
	if (suite_qsbr != NULL)
		rte_rcu_qsbr_thread_unregister(suite_qsbr, 0);
	rte_free(suite_qsbr);
	suite_qsbr = NULL;
	return 0;
}

/* The four routes of the LPM tests, per family. */
static void install4(struct dp_fib *f)
{
	struct dp_fib_op ops[4];

	op_make(&ops[0], "10.0.0.0", 8, NH_A);
	op_make(&ops[1], "10.1.0.0", 16, NH_B);
	op_make(&ops[2], "10.1.2.3", 32, NH_C);
	op_make(&ops[3], "0.0.0.0", 0, NH_D);
	CU_ASSERT_EQUAL_FATAL(dp_fib_apply(f, ops, 4), 0);
}

static void install6(struct dp_fib *f)
{
	struct dp_fib_op ops[4];

	op_make(&ops[0], "::", 0, NH_D);
	op_make(&ops[1], "2001:db8::", 32, NH_A);
	op_make(&ops[2], "2001:db8:1::", 48, NH_B);
	op_make(&ops[3], "2001:db8:1::5", 128, NH_C);
	CU_ASSERT_EQUAL_FATAL(dp_fib_apply(f, ops, 4), 0);
}

/* RFC 1812 5.2.4.3: the most specific matching route wins; 0/0 catches the rest. */
static const struct look lpm4[] = {
	{"10.0.0.1", NH_A},	   /* 10/8 */
	{"10.255.255.255", NH_A},  /* 10/8, last address */
	{"10.0.255.255", NH_A},	   /* 10/8, just below 10.1/16 */
	{"10.1.0.0", NH_B},	   /* 10.1/16, first address */
	{"10.1.2.2", NH_B},	   /* 10.1/16, just below the /32 */
	{"10.1.2.4", NH_B},	   /* 10.1/16, just above the /32 */
	{"10.1.255.255", NH_B},	   /* 10.1/16, last address */
	{"10.1.2.3", NH_C},	   /* the /32 */
	{"11.0.0.0", NH_D},	   /* 0/0, just above 10/8 */
	{"9.255.255.255", NH_D},   /* 0/0, just below 10/8 */
	{"192.0.2.1", NH_D},	   /* 0/0 */
	{"0.0.0.0", NH_D},	   /* 0/0, first address */
	{"255.255.255.255", NH_D}, /* 0/0, last address */
};

static const struct look lpm6[] = {
	{"2001:db8::1", NH_A},	      /* /32 */
	{"2001:db8:ffff::1", NH_A},   /* /32, above the /48 */
	{"2001:db8:0:1::", NH_A},     /* /32, below the /48 */
	{"2001:db8:1::", NH_B},	      /* /48, first address */
	{"2001:db8:1::1", NH_B},      /* /48 */
	{"2001:db8:1::6", NH_B},      /* /48, next to the /128 */
	{"2001:db8:1:ffff::1", NH_B}, /* /48 */
	{"2001:db8:1::5", NH_C},      /* the /128 */
	{"2001:db9::", NH_D},	      /* ::/0, just above the /32 */
	{"2001:db7:ffff::", NH_D},    /* ::/0, below the /32 */
	{"::1", NH_D},		      /* ::/0 */
	{"fe80::1", NH_D},	      /* ::/0 */
};

static void test_lpm4(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static const struct look empty[] = {{"10.1.2.3", DP_NH_NONE}, {"0.0.0.0", DP_NH_NONE}};
	CHECK(f, empty, "empty table");
	install4(f);
	CHECK(f, lpm4, "ipv4 lpm");
	CU_ASSERT_EQUAL(lookup(f, 2, "2001:db8:1::5"), DP_NH_NONE); /* v6 untouched */
	dp_fib_destroy(f);
}

static void test_lpm6(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install6(f);
	CHECK(f, lpm6, "ipv6 lpm");
	CU_ASSERT_EQUAL(lookup(f, 2, "10.1.2.3"), DP_NH_NONE); /* v4 untouched */
	dp_fib_destroy(f);
}

/* Host bits of the prefix are ignored: 10.1.2.99/16 is 10.1.0.0/16. */
static void test_update_and_host_bits(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install4(f);
	install6(f);
	CU_ASSERT_EQUAL(route(f, "10.1.2.99", 16, NH_E), 0);
	CU_ASSERT_EQUAL(route(f, "2001:db8:1::ffff", 48, NH_E), 0);
	static const struct look after[] = {
		{"10.1.2.2", NH_E},	 {"10.1.2.3", NH_C},	  {"10.2.0.0", NH_A},
		{"2001:db8:1::1", NH_E}, {"2001:db8:1::5", NH_C}, {"2001:db8:2::", NH_A},
	};
	CHECK(f, after, "updated");
	dp_fib_destroy(f);
}

static void test_delete(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install4(f);
	install6(f);
	/* more specific gone: fall back to the covering route */
	CU_ASSERT_EQUAL(route(f, "10.1.2.3", 32, DP_NH_NONE), 0);
	CU_ASSERT_EQUAL(route(f, "2001:db8:1::", 48, DP_NH_NONE), 0);
	static const struct look del1[] = {
		{"10.1.2.3", NH_B},	 {"10.1.0.1", NH_B},	  {"10.0.0.1", NH_A},
		{"2001:db8:1::5", NH_C}, {"2001:db8:1::6", NH_A}, {"2001:db9::", NH_D},
	};
	CHECK(f, del1, "after first deletes");
	/* absent routes, and a present prefix with another length: nothing changes */
	CU_ASSERT_EQUAL(route(f, "10.1.2.3", 32, DP_NH_NONE), 0);
	CU_ASSERT_EQUAL(route(f, "10.0.0.0", 9, DP_NH_NONE), 0);
	CU_ASSERT_EQUAL(route(f, "2001:db8:1::", 48, DP_NH_NONE), 0);
	CU_ASSERT_EQUAL(route(f, "2001:db8::", 33, DP_NH_NONE), 0);
	CHECK(f, del1, "after absent deletes");
	/* defaults gone: no route */
	CU_ASSERT_EQUAL(route(f, "0.0.0.0", 0, DP_NH_NONE), 0);
	CU_ASSERT_EQUAL(route(f, "::", 0, DP_NH_NONE), 0);
	static const struct look del2[] = {
		{"11.0.0.0", DP_NH_NONE},
		{"10.1.0.1", NH_B},
		{"2001:db9::", DP_NH_NONE},
		{"2001:db8::1", NH_A},
	};
	CHECK(f, del2, "after default deletes");
	dp_fib_destroy(f);
}

/* fib.h: each successful apply flips the active copy of the families it touched. */
static void test_flip(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	unsigned int a4 = f->active4, a6 = f->active6;
	install4(f);
	CU_ASSERT_EQUAL(f->active4, a4 ^ 1);
	CU_ASSERT_EQUAL(f->active6, a6);
	install6(f);
	CU_ASSERT_EQUAL(f->active4, a4 ^ 1);
	CU_ASSERT_EQUAL(f->active6, a6 ^ 1);
	/* a no-op delete still flips: the lookups then come from the other copy */
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(route(f, "203.0.113.0", 24, DP_NH_NONE), 0);
		CU_ASSERT_EQUAL(route(f, "2001:db8:ffff::", 48, DP_NH_NONE), 0);
		CU_ASSERT_EQUAL(f->active4, a4 ^ (i & 1));
		CU_ASSERT_EQUAL(f->active6, a6 ^ (i & 1));
		CHECK(f, lpm4, "ipv4 after flip");
		CHECK(f, lpm6, "ipv6 after flip");
	}
	dp_fib_destroy(f);
}

/* One batch of 64 mixed ops (the size of the rollback array in fib.c); 65 are refused. */
static void test_batch(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 1024);
	struct dp_fib_op ops[65];
	char p[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install4(f);
	for (unsigned int i = 0; i < 32; i++) {
		snprintf(p, sizeof(p), "172.16.%u.0", i);
		op_make(&ops[i], p, 24, 100 + i);
		snprintf(p, sizeof(p), "2001:db8:%x::", 0x100 + i);
		op_make(&ops[32 + i], p, 48, 200 + i);
	}
	ops[31].nh = DP_NH_NONE;		       /* an absent delete inside a batch */
	op_make(&ops[63], "10.1.0.0", 16, DP_NH_NONE); /* a present delete */
	CU_ASSERT_EQUAL_FATAL(dp_fib_apply(f, ops, 64), 0);
	unsigned int bad = 0;
	for (unsigned int i = 0; i < 31; i++) {
		struct look l[2];
		char a4[32], a6[64];
		snprintf(a4, sizeof(a4), "172.16.%u.9", i);
		snprintf(a6, sizeof(a6), "2001:db8:%x::9", 0x100 + i);
		l[0] = (struct look){a4, 100 + i};
		l[1] = (struct look){a6, 200 + i};
		bad += check(f, l, 2, "batch");
	}
	static const struct look rest[] = {
		{"172.16.31.9", NH_D},
		{"2001:db8:11f::9", DP_NH_NONE},
		{"10.1.0.1", NH_A},
		{"10.1.2.3", NH_C},
	};
	CHECK(f, rest, "batch edges");
	CU_ASSERT_EQUAL(bad, 0);

	/* 65 ops: refused before anything is applied */
	unsigned int a4 = f->active4;
	op_make(&ops[64], "198.51.100.0", 24, NH_E);
	CU_ASSERT_EQUAL(dp_fib_apply(f, ops, 65), -E2BIG);
	CU_ASSERT_EQUAL(f->active4, a4);
	static const struct look none[] = {{"198.51.100.1", NH_D}, {"10.1.0.1", NH_A}};
	CHECK(f, none, "oversized batch");
	dp_fib_destroy(f);
}

/*
 * A batch whose last op is invalid is refused with the op's errno, and the valid ops before
 * it (an update, a present delete, an add per family) are rolled back on the standby copy.
 */
static void test_invalid_batch(void)
{
	static const struct {
		const char *what;
		uint8_t family, plen;
		uint32_t nh;
		int rc;
	} bad[] = {
		{"ipv4 plen 33", AF_INET, 33, NH_E, -EINVAL},
		{"ipv6 plen 129", AF_INET6, 129, NH_E, -EINVAL},
		{"family 0", 0, 8, NH_E, -EAFNOSUPPORT},
		{"family AF_UNIX", AF_UNIX, 8, NH_E, -EAFNOSUPPORT},
		{"ipv4 nh DP_NH_MAX + 1", AF_INET, 8, DP_NH_MAX + 1, -ERANGE},
		{"ipv6 nh UINT32_MAX", AF_INET6, 64, UINT32_MAX, -ERANGE},
	};
	struct dp_fib *f = fib_make(suite_qsbr, 1024);
	struct dp_fib_op ops[6];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install4(f);
	install6(f);
	op_make(&ops[0], "10.1.0.0", 16, NH_E);	      /* update */
	op_make(&ops[1], "10.1.2.3", 32, DP_NH_NONE); /* delete */
	op_make(&ops[2], "192.0.2.0", 24, NH_E);      /* add */
	op_make(&ops[3], "2001:db8:1::", 48, NH_E);   /* update */
	op_make(&ops[4], "2001:db8:1::5", 128, DP_NH_NONE);
	for (size_t i = 0; i < RTE_DIM(bad); i++) {
		unsigned int a4 = f->active4, a6 = f->active6;
		memset(&ops[5], 0, sizeof(ops[5]));
		ops[5].family = bad[i].family;
		ops[5].plen = bad[i].plen;
		ops[5].nh = bad[i].nh;
		int rc = dp_fib_apply(f, ops, 6);
		CU_ASSERT_EQUAL(rc, bad[i].rc);
		if (rc != bad[i].rc)
			fprintf(stderr, "\n  %s: rc %d, want %d\n", bad[i].what, rc, bad[i].rc);
		CU_ASSERT_EQUAL(f->active4, a4);
		CU_ASSERT_EQUAL(f->active6, a6);
		CHECK(f, lpm4, bad[i].what);
		CHECK(f, lpm6, bad[i].what);
		/* an invalid op alone is refused too */
		CU_ASSERT_EQUAL(dp_fib_apply(f, &ops[5], 1), bad[i].rc);
	}
	/* the same valid ops without the bad one go through */
	CU_ASSERT_EQUAL(dp_fib_apply(f, ops, 5), 0);
	static const struct look ok[] = {
		{"10.1.2.3", NH_E},
		{"192.0.2.1", NH_E},
		{"2001:db8:1::5", NH_E},
	};
	CHECK(f, ok, "valid part");
	dp_fib_destroy(f);
}

/*
 * A failure inside rte_fib (the RIB is full: rte_fib sizes it to 2 * max_routes nodes) rolls
 * back everything the batch did before, including the failing op; the table stays usable.
 */
static void test_full_rollback(void)
{
	struct dp_fib *f = fib_make(suite_qsbr, 8);
	struct dp_fib_op ops[64];
	char p[32];

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	install4(f);
	unsigned int a4 = f->active4;
	for (unsigned int i = 0; i < 64; i++) {
		snprintf(p, sizeof(p), "172.%u.%u.1", 16 + i % 16, i);
		op_make(&ops[i], p, 32, 100 + i);
	}
	int rc = dp_fib_apply(f, ops, 64);
	CU_ASSERT_EQUAL(rc, -ENOMEM); /* rte_rib_insert: the node pool is empty */
	CU_ASSERT_EQUAL(f->active4, a4);
	CHECK(f, lpm4, "after ENOMEM");
	static const struct look none[] = {{"172.16.0.1", NH_D}, {"172.17.1.1", NH_D}};
	CHECK(f, none, "nothing of the refused batch");
	/* the rolled-back nodes were returned: the same small batch as before still fits */
	CU_ASSERT_EQUAL(dp_fib_apply(f, ops, 2), 0);
	static const struct look two[] = {{"172.16.0.1", 100}, {"172.17.1.1", 101}};
	CHECK(f, two, "after ENOMEM, small batch");
	dp_fib_destroy(f);
}

static void test_nh(void)
{
	struct dp_fib *f = fib_make(NULL, 16);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct dp_nh a = {.type = NH_FWD, .family = AF_INET, .ifindex = 1, .refcnt = 77};
	inet_pton(AF_INET, "192.0.2.254", a.gw);
	struct dp_nh b = a, c = a, d = {.type = NH_LOCAL, .ifindex = 1};
	b.ifindex = 2;
	c.gw[3] = 1; /* same interface, another gateway */

	int ia = dp_fib_nh_get(f, &a);
	CU_ASSERT_TRUE(ia > 0 && ia <= DP_NH_MAX);
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &a), ia);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->refcnt, 2); /* the template's refcnt is not copied */
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->type, NH_FWD);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->ifindex, 1);
	CU_ASSERT_EQUAL(memcmp(dp_fib_nh(f, ia)->gw, a.gw, 16), 0);
	int ib = dp_fib_nh_get(f, &b), ic = dp_fib_nh_get(f, &c), id = dp_fib_nh_get(f, &d);
	CU_ASSERT_TRUE(ib > 0 && ic > 0 && id > 0);
	CU_ASSERT_TRUE(ib != ia && ic != ia && id != ia && ib != ic && ib != id && ic != id);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ib)->refcnt, 1);

	/* put to zero frees the id: the next new template gets it back (lowest free id) */
	dp_fib_nh_put(f, (uint32_t)ia);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->refcnt, 1);
	dp_fib_nh_put(f, (uint32_t)ia);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->refcnt, 0);
	dp_fib_nh_put(f, (uint32_t)ia); /* extra put on a free id: ignored */
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->refcnt, 0);
	struct dp_nh e = {.type = NH_FWD, .ifindex = 9};
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &e), ia);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->ifindex, 9);
	CU_ASSERT_EQUAL(dp_fib_nh(f, ia)->family, 0);
	/* a freed template is not found by equality any more: a gets a new id */
	int ia2 = dp_fib_nh_get(f, &a);
	CU_ASSERT_TRUE(ia2 > 0 && ia2 != ia && ia2 != ib && ia2 != ic && ia2 != id);

	/* out-of-range puts are ignored */
	dp_fib_nh_put(f, 0);
	dp_fib_nh_put(f, DP_NH_MAX + 1);
	dp_fib_nh_put(f, UINT32_MAX);
	CU_ASSERT_EQUAL(f->nh[0].refcnt, 0);

	/* out-of-range ids read the NH_NONE entry; DP_NH_MAX is still in range */
	static const uint64_t out[] = {0, DP_NH_MAX + 1, 1u << 16, UINT64_MAX};
	for (size_t i = 0; i < RTE_DIM(out); i++) {
		CU_ASSERT_PTR_EQUAL(dp_fib_nh(f, out[i]), &f->nh[0]);
		CU_ASSERT_EQUAL(dp_fib_nh(f, out[i])->type, NH_NONE);
	}
	CU_ASSERT_PTR_EQUAL(dp_fib_nh(f, DP_NH_MAX), &f->nh[DP_NH_MAX]);
	dp_fib_destroy(f);
}

/* DP_NH_MAX distinct next hops fit, all with ids in 1..DP_NH_MAX; the next one does not. */
static void test_nh_exhaust(void)
{
	struct dp_fib *f = fib_make(NULL, 16);
	uint8_t *seen = calloc(DP_NH_MAX + 1, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(seen);
	unsigned int bad = 0;
	for (uint32_t i = 0; i < DP_NH_MAX; i++) {
		struct dp_nh t = {.type = NH_FWD, .ifindex = (uint16_t)(i + 1)};
		int id = dp_fib_nh_get(f, &t);
		if (id <= 0 || id > DP_NH_MAX || seen[id]++) {
			bad++;
			continue;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	struct dp_nh more = {.type = NH_FWD, .ifindex = 0};
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &more), -ENOSPC);
	/* an existing template still dedups when full */
	struct dp_nh again = {.type = NH_FWD, .ifindex = 7};
	int id7 = dp_fib_nh_get(f, &again);
	CU_ASSERT_TRUE(id7 > 0);
	dp_fib_nh_put(f, (uint32_t)id7);
	dp_fib_nh_put(f, (uint32_t)id7);
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &more), id7);
	free(seen);
	dp_fib_destroy(f);
}

static const struct rte_ether_addr mac1 = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}};
static const struct rte_ether_addr mac2 = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}};
static const struct rte_ether_addr mac3 = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x03}};
static const struct rte_ether_addr mac_zero = {{0, 0, 0, 0, 0, 0}};

static struct dp_neigh *neigh_make(void)
{
	static unsigned int seq;
	char name[16];

	snprintf(name, sizeof(name), "fn%u", seq++);
	return dp_neigh_create(name, 64, NULL, SOCKET_ID_ANY);
}

/* A gateway next hop template: NH_FWD out of ifindex to gw (IPv4 or IPv6 text). */
static struct dp_nh gw_nh(uint16_t ifindex, const char *gw)
{
	struct dp_nh t = {.type = NH_FWD, .ifindex = ifindex};

	t.family = strchr(gw, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(t.family, gw, t.gw) != 1)
		CU_FAIL_FATAL("bad gateway in test table");
	return t;
}

static void nkey(struct dp_neigh_key *k, uint16_t ifindex, const char *addr)
{
	uint8_t a[16] = {0};
	uint8_t family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, addr, a) != 1)
		CU_FAIL_FATAL("bad address in test table");
	dp_neigh_key_make(k, ifindex, family, a);
}

/* What a worker forwarding a packet of `family` via next hop id reads: 1 and *mac, or 0. */
static int nh_mac(const struct dp_fib *f, int id, uint8_t family, struct rte_ether_addr *mac)
{
	return dp_nh_mac(dp_fib_nh(f, (uint64_t)id), family, mac) ? 1 : 0;
}

static bool has_mac(const struct dp_fib *f, int id, uint8_t family,
		    const struct rte_ether_addr *want)
{
	struct rte_ether_addr m;

	return nh_mac(f, id, family, &m) == 1 && rte_is_same_ether_addr(&m, want);
}

static int set_neigh(struct dp_neigh *n, uint16_t ifindex, const char *addr,
		     const struct rte_ether_addr *mac)
{
	struct dp_neigh_key k;

	nkey(&k, ifindex, addr);
	return dp_neigh_set(n, &k, mac);
}

static int del_neigh(struct dp_neigh *n, uint16_t ifindex, const char *addr)
{
	struct dp_neigh_key k;

	nkey(&k, ifindex, addr);
	return dp_neigh_del(n, &k);
}

/*
 * A gateway next hop follows its neighbor: unresolved, learned, changed, deleted. Next hops that
 * share something with it (interface, IPv4 bytes, family) but are another neighbor, connected
 * and local next hops never take its MAC.
 */
static void test_nh_mac(void)
{
	struct dp_fib *f = fib_make(NULL, 16);
	struct dp_neigh *n = neigh_make();
	struct rte_ether_addr m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	dp_neigh_bind(n, f);
	struct dp_nh t = gw_nh(2, "192.0.2.1");
	int g = dp_fib_nh_get(f, &t);
	t = gw_nh(3, "192.0.2.1"); /* same address, other interface */
	int g_if = dp_fib_nh_get(f, &t);
	t = gw_nh(2, "192.0.2.2"); /* same interface, other address */
	int g_addr = dp_fib_nh_get(f, &t);
	t = gw_nh(2, "c000:201::"); /* IPv6 whose first four bytes are 192.0.2.1 */
	int g_v6 = dp_fib_nh_get(f, &t);
	t = gw_nh(2, "c000:201::1"); /* another IPv6 gateway with the same first four bytes */
	int g_v6b = dp_fib_nh_get(f, &t);
	struct dp_nh conn = {.type = NH_FWD, .ifindex = 2},
		     local = {.type = NH_LOCAL, .ifindex = 2};
	int c = dp_fib_nh_get(f, &conn), l = dp_fib_nh_get(f, &local);
	CU_ASSERT_TRUE_FATAL(g > 0 && g_if > 0 && g_addr > 0 && g_v6 > 0 && g_v6b > 0 && c > 0 &&
			     l > 0);

	CU_ASSERT_EQUAL(nh_mac(f, g, AF_INET, &m), 0); /* unresolved: the hash decides */
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac1), 0);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac1));
	CU_ASSERT_EQUAL(nh_mac(f, g, AF_INET6, &m), 0); /* another family's packet keys the hash */
	const int others[] = {g_if, g_addr, g_v6, g_v6b, c, l};
	for (size_t i = 0; i < RTE_DIM(others); i++) {
		CU_ASSERT_EQUAL(nh_mac(f, others[i], AF_INET, &m), 0);
		CU_ASSERT_EQUAL(nh_mac(f, others[i], AF_INET6, &m), 0);
		CU_ASSERT_EQUAL(f->nh[others[i]].mac, 0);
	}
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac2), 0); /* the MAC moved */
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac2));
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.2", &mac3), 0);
	CU_ASSERT_TRUE(has_mac(f, g_addr, AF_INET, &mac3));
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac2));
	CU_ASSERT_EQUAL(set_neigh(n, 2, "c000:201::", &mac1), 0);
	CU_ASSERT_TRUE(has_mac(f, g_v6, AF_INET6, &mac1));
	CU_ASSERT_EQUAL(nh_mac(f, g_v6b, AF_INET6, &m), 0);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac2));
	/* deleted: invalid again, and only this neighbor's next hops */
	CU_ASSERT_EQUAL(del_neigh(n, 2, "192.0.2.1"), 0);
	CU_ASSERT_EQUAL(nh_mac(f, g, AF_INET, &m), 0);
	CU_ASSERT_TRUE(has_mac(f, g_addr, AF_INET, &mac3));
	CU_ASSERT_TRUE(has_mac(f, g_v6, AF_INET6, &mac1));
	CU_ASSERT_EQUAL(del_neigh(n, 2, "192.0.2.1"), -ENOENT);
	CU_ASSERT_EQUAL(nh_mac(f, g, AF_INET, &m), 0);
	/* 00:00:00:00:00:00 is a MAC like any other (the valid bit tells it from "none") */
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac_zero), 0);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac_zero));
	/* another reference to the same next hop changes nothing */
	t = gw_nh(2, "192.0.2.1");
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &t), g);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac_zero));
	dp_neigh_destroy(n);
	dp_fib_destroy(f);
}

/*
 * A next hop allocated after its neighbor was learned starts with the MAC; one allocated for an
 * unresolved gateway starts without; a freed id reused for another gateway shows that gateway's
 * state, never the MAC of the one it held before.
 */
static void test_nh_mac_new(void)
{
	struct dp_fib *f = fib_make(NULL, 16);
	struct dp_neigh *n = neigh_make();
	struct rte_ether_addr m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	dp_neigh_bind(n, f);
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac1), 0);
	CU_ASSERT_EQUAL(set_neigh(n, 2, "2001:db8:2::1", &mac2), 0);
	struct dp_nh t4 = gw_nh(2, "192.0.2.1"), t6 = gw_nh(2, "2001:db8:2::1");
	int g4 = dp_fib_nh_get(f, &t4), g6 = dp_fib_nh_get(f, &t6);
	CU_ASSERT_TRUE(has_mac(f, g4, AF_INET, &mac1));
	CU_ASSERT_TRUE(has_mac(f, g6, AF_INET6, &mac2));
	struct dp_nh tu = gw_nh(2, "192.0.2.77");
	int gu = dp_fib_nh_get(f, &tu);
	CU_ASSERT_EQUAL(nh_mac(f, gu, AF_INET, &m), 0);
	/* g4's id goes back and is reused: first for an unresolved gateway, then a resolved one */
	dp_fib_nh_put(f, (uint32_t)g4);
	struct dp_nh tx = gw_nh(2, "192.0.2.66");
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &tx), g4);
	CU_ASSERT_EQUAL(nh_mac(f, g4, AF_INET, &m), 0);
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac3), 0); /* the old gateway: not ours */
	CU_ASSERT_EQUAL(nh_mac(f, g4, AF_INET, &m), 0);
	dp_fib_nh_put(f, (uint32_t)g4);
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &t6), g6); /* still referenced: found, not reallocated */
	struct dp_nh ty = gw_nh(3, "2001:db8:3::1");
	CU_ASSERT_EQUAL(set_neigh(n, 3, "2001:db8:3::1", &mac3), 0);
	CU_ASSERT_EQUAL(dp_fib_nh_get(f, &ty), g4);
	CU_ASSERT_TRUE(has_mac(f, g4, AF_INET6, &mac3));
	CU_ASSERT_EQUAL(nh_mac(f, gu, AF_INET, &m), 0);
	dp_neigh_destroy(n);
	dp_fib_destroy(f);
}

/* The next hop shows exactly what the table holds for its gateway. */
static bool nh_agrees(const struct dp_fib *f, int id, const struct dp_neigh *n, uint16_t ifindex,
		      const char *gw)
{
	struct dp_neigh_key k;
	struct rte_ether_addr in_table, in_nh;

	nkey(&k, ifindex, gw);
	if (!dp_neigh_lookup(n, &k, &in_table))
		return nh_mac(f, id, k.family, &in_nh) == 0;
	return has_mac(f, id, k.family, &in_table);
}

/*
 * Binding is order-independent: next hops and neighbors that exist before dp_neigh_bind are
 * brought in step by it. With the table full, an insertion the hash refuses leaves the next hop
 * as the table is (whichever way it went), and updates of present keys still reach it.
 */
static void test_nh_mac_bind(void)
{
	struct dp_fib *f = fib_make(NULL, 16);
	struct dp_neigh *n = neigh_make();
	struct rte_ether_addr m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	struct dp_nh t = gw_nh(2, "192.0.2.1"), u = gw_nh(2, "192.0.2.2");
	int g = dp_fib_nh_get(f, &t), h = dp_fib_nh_get(f, &u);
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac1), 0);
	CU_ASSERT_EQUAL(nh_mac(f, g, AF_INET, &m), 0); /* not bound yet */
	dp_neigh_bind(n, f);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac1));
	CU_ASSERT_EQUAL(nh_mac(f, h, AF_INET, &m), 0);
	int rc = 0;
	char addr[32];
	for (unsigned int i = 1; i < 4096 && rc == 0; i++) {
		snprintf(addr, sizeof(addr), "198.51.%u.%u", i / 256, i % 256);
		rc = set_neigh(n, 9, addr, &mac3);
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	rc = set_neigh(n, 2, "192.0.2.2", &mac2);
	CU_ASSERT_TRUE(rc == 0 || rc == -ENOSPC);
	CU_ASSERT_TRUE(nh_agrees(f, h, n, 2, "192.0.2.2"));
	CU_ASSERT_EQUAL(set_neigh(n, 2, "192.0.2.1", &mac2), 0);
	CU_ASSERT_TRUE(has_mac(f, g, AF_INET, &mac2));
	CU_ASSERT_TRUE(nh_agrees(f, g, n, 2, "192.0.2.1"));
	dp_neigh_destroy(n);
	dp_fib_destroy(f);
}

static void wait_flag(int *flag);

/* The control lcore changes two neighbors while a worker stand-in reads their next hops. */
struct mac_reader {
	const struct dp_fib *f;
	int id_a, id_b;
	int stop, ready;
	uint64_t reads, bad;
};

static bool mac_in(const struct rte_ether_addr *m, const struct rte_ether_addr *a,
		   const struct rte_ether_addr *b)
{
	return rte_is_same_ether_addr(m, a) || rte_is_same_ether_addr(m, b);
}

static void *mac_reader_main(void *arg)
{
	struct mac_reader *r = arg;
	struct rte_ether_addr m;

	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (nh_mac(r->f, r->id_a, AF_INET, &m) && !mac_in(&m, &mac1, &mac2))
			r->bad++;
		if (nh_mac(r->f, r->id_b, AF_INET, &m) && !rte_is_same_ether_addr(&m, &mac3))
			r->bad++;
		r->reads++;
	}
	return NULL;
}

/*
 * Neighbor A flips between two MACs and is deleted and learned again, neighbor B on the same
 * interface comes and goes; A's next hop must only ever show A's MACs (or none), B's only B's.
 */
static void test_nh_mac_live(void)
{
	enum { ROUNDS = 20000 };
	struct dp_fib *f = fib_make(NULL, 16);
	struct dp_neigh *n = neigh_make();
	struct mac_reader r = {.f = f};
	pthread_t th;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	dp_neigh_bind(n, f);
	struct dp_nh a = gw_nh(2, "192.0.2.1"), b = gw_nh(2, "192.0.2.2");
	r.id_a = dp_fib_nh_get(f, &a);
	r.id_b = dp_fib_nh_get(f, &b);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, mac_reader_main, &r), 0);
	wait_flag(&r.ready);
	unsigned int errors = 0;
	for (unsigned int i = 0; i < ROUNDS; i++) {
		errors += set_neigh(n, 2, "192.0.2.1", (i & 1) ? &mac2 : &mac1) != 0;
		if (i % 3 == 0)
			errors += set_neigh(n, 2, "192.0.2.2", &mac3) != 0;
		if (i % 3 == 2)
			errors += del_neigh(n, 2, "192.0.2.2") != 0;
		if (i % 7 == 6)
			errors += del_neigh(n, 2, "192.0.2.1") != 0;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(errors, 0);
	CU_ASSERT_EQUAL(r.bad, 0);
	CU_ASSERT_TRUE(r.reads > 0);
	dp_neigh_destroy(n);
	dp_fib_destroy(f);
}

/* A worker stand-in: QSBR thread 0, online, one lookup pass per quiescent report. */
struct reader {
	struct dp_fib *f;
	struct rte_rcu_qsbr *v;
	int ready, stop, in_section, released;
	unsigned int hold_ms; /* > 0: stay in one read-side section that long, then leave */
	uint64_t loops, bad;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	uint32_t ip[2] = {0x0a090101, 0x0a0901c8}; /* 10.9.1.1 and 10.9.1.200, host order */
	uint64_t nh[2];

	rte_rcu_qsbr_thread_register(r->v, 0);
	rte_rcu_qsbr_thread_online(r->v, 0);
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
	if (r->hold_ms > 0) {
		struct timespec ts = {0, (long)r->hold_ms * 1000000L};
		dp_fib_lookup4(r->f, ip, nh, 1);
		__atomic_store_n(&r->in_section, 1, __ATOMIC_RELEASE);
		nanosleep(&ts, NULL);
		__atomic_store_n(&r->released, 1, __ATOMIC_RELEASE);
		rte_rcu_qsbr_quiescent(r->v, 0);
	}
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		dp_fib_lookup4(r->f, ip, nh, 2);
		/* 10.9.0.0/16 -> 5 or 6 is always there; 10.9.1.128/25 -> 7 comes and goes */
		if (nh[0] != 5 && nh[0] != 6)
			r->bad++;
		if (nh[1] != 5 && nh[1] != 6 && nh[1] != 7)
			r->bad++;
		__atomic_fetch_add(&r->loops, 1, __ATOMIC_RELEASE);
		rte_rcu_qsbr_quiescent(r->v, 0);
	}
	rte_rcu_qsbr_thread_offline(r->v, 0);
	rte_rcu_qsbr_thread_unregister(r->v, 0);
	return NULL;
}

static void wait_flag(int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		sched_yield();
}

/*
 * Routes under a live reader: the covering /16 is never missing from what it sees, and each
 * apply waits for a quiescent report, so the reader loops at least once per apply.
 */
static void test_live_reader(void)
{
	enum { APPLIES = 300 };
	struct rte_rcu_qsbr *v = qsbr_make();
	struct dp_fib *f = v != NULL ? fib_make(v, 1024) : NULL;
	struct reader r = {.f = f, .v = v};
	pthread_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(route(f, "10.9.0.0", 16, 5), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reader_main, &r), 0);
	wait_flag(&r.ready);
	for (unsigned int i = 0; i < APPLIES; i++) {
		struct dp_fib_op ops[2];
		op_make(&ops[0], "10.9.0.0", 16, 5 + (i & 1));
		op_make(&ops[1], "10.9.1.128", 25, (i & 2) ? 7 : DP_NH_NONE);
		CU_ASSERT_EQUAL(dp_fib_apply(f, ops, 2), 0);
	}
	uint64_t loops = __atomic_load_n(&r.loops, __ATOMIC_ACQUIRE);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(r.bad, 0);
	CU_ASSERT_TRUE(loops >= APPLIES);
	if (loops < APPLIES)
		fprintf(stderr, "\n  reader looped %" PRIu64 " times for %d applies\n", loops,
			APPLIES);
	dp_fib_destroy(f);
	rte_free(v);
}

/* An apply does not return while a reader is still inside a section that began before it. */
static void test_grace_period(void)
{
	struct rte_rcu_qsbr *v = qsbr_make();
	struct dp_fib *f = v != NULL ? fib_make(v, 1024) : NULL;
	struct reader r = {.f = f, .v = v, .hold_ms = 50};
	pthread_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL_FATAL(route(f, "10.9.0.0", 16, 5), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reader_main, &r), 0);
	wait_flag(&r.in_section);
	CU_ASSERT_EQUAL(route(f, "10.9.0.0", 16, 6), 0);
	CU_ASSERT_EQUAL(__atomic_load_n(&r.released, __ATOMIC_ACQUIRE), 1);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(r.bad, 0);
	dp_fib_destroy(f);
	rte_free(v);
}

int test_fib_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"ipv4 longest match", test_lpm4},
		{"ipv6 longest match", test_lpm6},
		{"update, host bits", test_update_and_host_bits},
		{"delete and fallback", test_delete},
		{"active copy flips", test_flip},
		{"batch of 64, 65 refused", test_batch},
		{"invalid op rolls back", test_invalid_batch},
		{"rib full rolls back", test_full_rollback},
		{"next hops", test_nh},
		{"next hops exhausted", test_nh_exhaust},
		{"next-hop MAC follows its neighbor", test_nh_mac},
		{"next-hop MAC of new and reused ids", test_nh_mac_new},
		{"next-hop MAC after bind, table full", test_nh_mac_bind},
		{"next-hop MAC under a reader", test_nh_mac_live},
		{"live reader", test_live_reader},
		{"grace period", test_grace_period},
	};
	CU_pSuite s = CU_add_suite("fib", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
