/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_pool.c - the "ike_pool" suite: ctrlplane/ike/ike_pool.c, the inner
 * addresses of INTERNAL_IP4_ADDRESS and INTERNAL_IP6_ADDRESS (RFC 7296 3.15.1).
 *
 * Table-driven: per pool prefix, the first and last address handed out and how many; then
 * exhaustion (ENOSPC, nothing changes), release and reuse, no address handed out twice, and
 * releases of addresses the pool never gave (network, broadcast, Subnet-Router anycast of
 * RFC 4291 2.6.1, outside the prefix, already free) that must change nothing. Then what the
 * addresses are for: a `remote_ts: dynamic` child narrows the peer's TSi (RFC 7296 2.9) to the
 * /32 and /128 it was given, and those are the routes injected for it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <CUnit/CUnit.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "tests.h"

struct pool_case {
	const char *prefix;
	unsigned int plen;
	const char *first, *last; /* the first and the last address handed out */
	unsigned int n;
	const char *never[3]; /* addresses of or near the prefix it never hands out */
};

static const struct pool_case cases[] = {
	{"10.99.0.0", 30, "10.99.0.1", "10.99.0.2", 2, {"10.99.0.0", "10.99.0.3", "10.99.0.4"}},
	{"10.99.0.0", 23, "10.99.0.1", "10.99.1.254", 510, {"10.99.1.255", "10.98.255.255"}},
	{"2001:db8:99::",
	 126,
	 "2001:db8:99::1",
	 "2001:db8:99::3",
	 3,
	 {"2001:db8:99::", "2001:db8:99::4", "2001:db8:98::1"}},
	/* the last octet carries into the one before */
	{"2001:db8:99::fe00",
	 119,
	 "2001:db8:99::fe01",
	 "2001:db8:99::ffff",
	 511,
	 {"2001:db8:99::fe00", "2001:db8:99::1:0", "2001:db8:99::fdff"}},
	/* a /64: only the first IKE_POOL6_MAX interface IDs */
	{"2001:db8:99::",
	 64,
	 "2001:db8:99::1",
	 "2001:db8:99::4000",
	 IKE_POOL6_MAX,
	 {"2001:db8:99::", "2001:db8:99::4001", "2001:db8:99:0:1::1"}},
};

static struct config cfg;
static struct cfg_ike_pool pools[1];
static struct ike ike;

static int family_of(const char *s)
{
	return strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
}

static void addr(const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	CU_ASSERT_FATAL(inet_pton(family_of(s), s, out) == 1);
}

static void open_pool(const struct pool_case *c)
{
	memset(&ike, 0, sizeof(ike));
	memset(pools, 0, sizeof(pools));
	pools[0].prefix.family = (uint8_t)family_of(c->prefix);
	pools[0].prefix.plen = (uint8_t)c->plen;
	addr(c->prefix, pools[0].prefix.bytes);
	cfg.ike_pools = pools;
	cfg.n_ike_pools = 1;
	ike.cfg = &cfg;
	CU_ASSERT_EQUAL_FATAL(ike_pools_create(&ike), 0);
	CU_ASSERT_EQUAL(ike_pool_family(&ike, 0), pools[0].prefix.family);
	CU_ASSERT_EQUAL(ike_pool_capacity(&ike, 0), c->n);
}

static void one_case(const struct pool_case *c)
{
	size_t alen = family_of(c->prefix) == AF_INET ? 4 : 16;
	uint8_t(*got)[16] = calloc(c->n, 16), a[16], want[16], x[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	open_pool(c);
	for (unsigned int i = 0; i < c->n; i++)
		CU_ASSERT_EQUAL_FATAL(ike_pool_take(&ike, 0, got[i]), 0);
	addr(c->first, want);
	CU_ASSERT(memcmp(got[0], want, alen) == 0);
	addr(c->last, want);
	CU_ASSERT(memcmp(got[c->n - 1], want, alen) == 0);
	/* strictly ascending: no address twice */
	for (unsigned int i = 1; i < c->n; i++)
		CU_ASSERT(memcmp(got[i - 1], got[i], alen) < 0);
	CU_ASSERT_EQUAL(ike_pool_used(&ike, 0), c->n);
	/* exhausted: refused, and nothing written */
	memset(a, 0xa5, sizeof(a));
	CU_ASSERT_EQUAL(ike_pool_take(&ike, 0, a), -ENOSPC);
	CU_ASSERT(a[0] == 0xa5 && a[alen - 1] == 0xa5);
	/* never handed out: giving them back changes nothing */
	for (unsigned int k = 0; k < 3 && c->never[k] != NULL; k++) {
		addr(c->never[k], x);
		for (unsigned int i = 0; i<c->n; i += c->n> 600 ? 97 : 1)
			CU_ASSERT(memcmp(got[i], x, alen) != 0);
		ike_pool_give(&ike, 0, x);
		CU_ASSERT_EQUAL(ike_pool_used(&ike, 0), c->n);
	}
	/* release one in the middle: the next take is that one, once */
	unsigned int mid = c->n / 2;
	ike_pool_give(&ike, 0, got[mid]);
	CU_ASSERT_EQUAL(ike_pool_used(&ike, 0), c->n - 1);
	ike_pool_give(&ike, 0, got[mid]); /* a double release counts once */
	CU_ASSERT_EQUAL(ike_pool_used(&ike, 0), c->n - 1);
	CU_ASSERT_EQUAL(ike_pool_take(&ike, 0, a), 0);
	CU_ASSERT(memcmp(a, got[mid], alen) == 0);
	CU_ASSERT_EQUAL(ike_pool_take(&ike, 0, a), -ENOSPC);
	/* release everything */
	for (unsigned int i = 0; i < c->n; i++)
		ike_pool_give(&ike, 0, got[i]);
	CU_ASSERT_EQUAL(ike_pool_used(&ike, 0), 0);
	CU_ASSERT_EQUAL(ike_pool_take(&ike, 0, a), 0);
	CU_ASSERT(memcmp(a, got[0], alen) == 0);
	ike_pools_free(&ike);
	free(got);
}

static void test_pools(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		one_case(&cases[i]);
}

/* A pool index that is not configured hands out nothing and takes nothing back. */
static void test_no_pool(void)
{
	uint8_t a[16] = {10, 99, 0, 1};

	open_pool(&cases[0]);
	CU_ASSERT_EQUAL(ike_pool_take(&ike, -1, a), -ENOSPC);
	CU_ASSERT_EQUAL(ike_pool_take(&ike, 1, a), -ENOSPC);
	ike_pool_give(&ike, -1, a);
	ike_pool_give(&ike, 1, a);
	CU_ASSERT_EQUAL(ike_pool_used(&ike, 1), 0);
	CU_ASSERT_EQUAL(ike_pool_family(&ike, -1), 0);
	CU_ASSERT_EQUAL(ike_pool_capacity(&ike, 3), 0);
	ike_pools_free(&ike);
}

/* TSi 0.0.0.0/0 and ::/0 from a dual-stack client, narrowed to the addresses of its pools. */
static void test_dynamic_ts(void)
{
	static const uint8_t any4[8] = {0, 0, 0, 0, 255, 255, 255, 255};
	uint8_t any6[32], b[256];
	struct ike_ts ts[2] = {{IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535, any4, any4 + 4},
			       {IKE_TS_IPV6_ADDR_RANGE, 0, 0, 65535, any6, any6 + 16}};
	static struct ike_msg msg;
	static struct ike_sa sa;
	struct cfg_ike_ts vip[2];
	struct ike_ts_set out;
	struct ike_rri rri[IKE_RRI_MAX];
	struct ike_wr w;
	uint8_t want[16];
	size_t len;

	memset(any6, 0, 16);
	memset(any6 + 16, 0xff, 16);
	ike_wr_init_inner(&w, b, sizeof(b));
	ike_wr_ts(&w, IKE_PL_TSI, ts, 2);
	CU_ASSERT_EQUAL_FATAL(ike_wr_finish(&w, &len), 0);
	memset(&msg, 0, offsetof(struct ike_msg, pl));
	msg.sk = -1;
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&msg, ike_wr_first(&w), b, len), 0);

	memset(&sa, 0, sizeof(sa));
	sa.vip_pool = -1;
	CU_ASSERT_EQUAL(ike_ts_vip(&sa, vip), 0); /* nothing given yet: no child */
	addr("2001:db8:99::1", sa.vip6);
	sa.vip6_set = true;
	CU_ASSERT_EQUAL_FATAL(ike_ts_vip(&sa, vip), 1); /* IPv6 only */
	CU_ASSERT_EQUAL(ike_ts_narrow(&msg, &msg.pl[0], vip, 1, &out), 1);
	CU_ASSERT_TRUE(out.ts[0].type == IKE_TS_IPV6_ADDR_RANGE &&
		       memcmp(out.ts[0].start, sa.vip6, 16) == 0 &&
		       memcmp(out.ts[0].end, sa.vip6, 16) == 0);
	addr("10.99.0.7", sa.vip);
	sa.vip_pool = 0;
	CU_ASSERT_EQUAL_FATAL(ike_ts_vip(&sa, vip), 2);
	CU_ASSERT_EQUAL_FATAL(ike_ts_narrow(&msg, &msg.pl[0], vip, 2, &out), 2);
	CU_ASSERT_EQUAL_FATAL(ike_ts_rri(&out, rri, IKE_RRI_MAX), 2);
	addr("10.99.0.7", want);
	CU_ASSERT_TRUE(rri[0].family == AF_INET && rri[0].plen == 32 &&
		       memcmp(rri[0].addr, want, 4) == 0);
	CU_ASSERT_TRUE(rri[1].family == AF_INET6 && rri[1].plen == 128 &&
		       memcmp(rri[1].addr, sa.vip6, 16) == 0);
}

int test_ike_pool_register(void)
{
	CU_pSuite s = CU_add_suite("ike_pool", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	if (CU_add_test(s, "take, exhaust, release, reuse", test_pools) == NULL ||
	    CU_add_test(s, "no such pool", test_no_pool) == NULL ||
	    CU_add_test(s, "dynamic selectors narrowed to the pools' addresses", test_dynamic_ts) ==
		    NULL)
		return CU_get_error();
	return CUE_SUCCESS;
}
