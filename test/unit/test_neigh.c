/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_neigh.c - the "neigh" suite: dataplane/neigh.c.
 *
 * The key is (ifindex, family, address): the same address on two interfaces, or the same bytes
 * as IPv4 and IPv6, are different neighbors. The MAC lives in the hash data word with a valid
 * bit, so 00:00:00:00:00:00 must still be a hit. Every test runs twice: with the hash's QSBR
 * defer queue (the suite's variable, thread 0 registered but offline) and without a QSBR
 * variable. The churn tests delete and re-add one key many times the table size: deleted key
 * slots must come back, after a grace period when there is a QSBR variable. Every single-key
 * check also asks dp_neigh_lookup, the control side's lookup, which must agree with the bulk one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/neigh.h"
#include "tests.h"

static struct rte_rcu_qsbr *suite_qsbr;

static int suite_init(void)
{
	suite_qsbr = rte_zmalloc("neigh_qsbr", rte_rcu_qsbr_get_memsize(1), 64);
	if (suite_qsbr == NULL || rte_rcu_qsbr_init(suite_qsbr, 1) != 0 ||
	    rte_rcu_qsbr_thread_register(suite_qsbr, 0) != 0)
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

/* Hash names must be unique while a table lives; short, the RCU ring name adds a prefix. */
static struct dp_neigh *neigh_make(uint32_t entries, struct rte_rcu_qsbr *v)
{
	static unsigned int seq;
	char name[16];

	snprintf(name, sizeof(name), "tn%u", seq++);
	return dp_neigh_create(name, entries, v, SOCKET_ID_ANY);
}

static struct rte_rcu_qsbr *mode_qsbr(unsigned int mode)
{
	return mode == 0 ? suite_qsbr : NULL;
}

static const char *mode_name(unsigned int mode)
{
	return mode == 0 ? "qsbr" : "no qsbr";
}

static void key(struct dp_neigh_key *k, uint16_t ifindex, const char *addr)
{
	uint8_t a[16];
	int family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;

	memset(a, 0xee, sizeof(a)); /* dp_neigh_key_make must not copy past an IPv4 address */
	if (inet_pton(family, addr, a) != 1)
		CU_FAIL_FATAL("bad address in test table");
	dp_neigh_key_make(k, ifindex, (uint8_t)family, a);
}

/*
 * 1 on a hit (MAC in *mac), 0 on a miss, through the workers' bulk lookup; the control side's
 * single lookup (dp_neigh_lookup) must say the same every time.
 */
static int look(const struct dp_neigh *n, const struct dp_neigh_key *k, struct rte_ether_addr *mac)
{
	const struct dp_neigh_key *kp[1] = {k};
	struct rte_ether_addr one;

	int hit = (int)dp_neigh_lookup_bulk(n, kp, 1, mac);
	bool hit1 = dp_neigh_lookup(n, k, &one);
	CU_ASSERT_EQUAL(hit1, hit == 1);
	if (hit1 && hit == 1)
		CU_ASSERT_TRUE(rte_is_same_ether_addr(&one, mac));
	return hit;
}

static const struct rte_ether_addr mac1 = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x01}};
static const struct rte_ether_addr mac2 = {{0x02, 0x00, 0x5e, 0x10, 0x00, 0x02}};
static const struct rte_ether_addr mac_zero = {{0, 0, 0, 0, 0, 0}};
static const struct rte_ether_addr mac_ones = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void test_key_make(void)
{
	struct dp_neigh_key k;

	key(&k, 7, "192.0.2.1");
	CU_ASSERT_EQUAL(k.ifindex, 7);
	CU_ASSERT_EQUAL(k.family, AF_INET);
	CU_ASSERT_EQUAL(k.pad, 0);
	static const uint8_t want4[16] = {192, 0, 2, 1}; /* rest zero (neigh.h) */
	CU_ASSERT_EQUAL(memcmp(k.addr, want4, 16), 0);
	key(&k, 7, "2001:db8::1");
	CU_ASSERT_EQUAL(k.family, AF_INET6);
	static const uint8_t want6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	CU_ASSERT_EQUAL(memcmp(k.addr, want6, 16), 0);
}

static void lifecycle(unsigned int mode, const char *addr)
{
	struct dp_neigh *n = neigh_make(64, mode_qsbr(mode));
	struct dp_neigh_key k;
	struct rte_ether_addr m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	key(&k, 1, addr);
	CU_ASSERT_EQUAL(look(n, &k, &m), 0);
	CU_ASSERT_EQUAL(dp_neigh_set(n, &k, &mac1), 0);
	memset(&m, 0, sizeof(m));
	CU_ASSERT_EQUAL(look(n, &k, &m), 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&m, &mac1));
	/* update in place: one entry, new MAC */
	CU_ASSERT_EQUAL(dp_neigh_set(n, &k, &mac2), 0);
	CU_ASSERT_EQUAL(rte_hash_count(n->h), 1);
	CU_ASSERT_EQUAL(look(n, &k, &m), 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&m, &mac2));
	/* all-ones and all-zero MACs are ordinary values */
	CU_ASSERT_EQUAL(dp_neigh_set(n, &k, &mac_ones), 0);
	CU_ASSERT_EQUAL(look(n, &k, &m), 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&m, &mac_ones));
	CU_ASSERT_EQUAL(dp_neigh_set(n, &k, &mac_zero), 0);
	memset(&m, 0xaa, sizeof(m));
	CU_ASSERT_EQUAL(look(n, &k, &m), 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&m, &mac_zero));
	/* delete, then delete again */
	CU_ASSERT_EQUAL(dp_neigh_del(n, &k), 0);
	CU_ASSERT_EQUAL(look(n, &k, &m), 0);
	CU_ASSERT_EQUAL(dp_neigh_del(n, &k), -ENOENT);
	/* a key never added */
	key(&k, 1, strchr(addr, ':') ? "2001:db8::dead" : "203.0.113.9");
	CU_ASSERT_EQUAL(dp_neigh_del(n, &k), -ENOENT);
	dp_neigh_destroy(n);
}

static void test_lifecycle(void)
{
	for (unsigned int mode = 0; mode < 2; mode++) {
		lifecycle(mode, "192.0.2.1");
		lifecycle(mode, "2001:db8::1");
		lifecycle(mode, "fe80::1");
	}
}

/* Same address on two interfaces, and the same 4 bytes as IPv4 and as IPv6: four entries. */
static void test_key_isolation(void)
{
	for (unsigned int mode = 0; mode < 2; mode++) {
		struct dp_neigh *n = neigh_make(64, mode_qsbr(mode));
		struct dp_neigh_key k[4];
		struct rte_ether_addr m;

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		key(&k[0], 1, "192.0.2.1");
		key(&k[1], 2, "192.0.2.1");
		key(&k[2], 1, "c000:201::"); /* 192.0.2.1's bytes, then zeros */
		key(&k[3], 2, "c000:201::");
		CU_ASSERT_EQUAL(memcmp(k[0].addr, k[2].addr, 16), 0); /* only family differs */
		for (unsigned int i = 0; i < 4; i++) {
			struct rte_ether_addr mi = mac1;
			mi.addr_bytes[5] = (uint8_t)(0x10 + i);
			CU_ASSERT_EQUAL(dp_neigh_set(n, &k[i], &mi), 0);
		}
		CU_ASSERT_EQUAL(rte_hash_count(n->h), 4);
		for (unsigned int i = 0; i < 4; i++) {
			CU_ASSERT_EQUAL(look(n, &k[i], &m), 1);
			CU_ASSERT_EQUAL(m.addr_bytes[5], 0x10 + i);
		}
		/* deleting one leaves the other three */
		CU_ASSERT_EQUAL(dp_neigh_del(n, &k[1]), 0);
		CU_ASSERT_EQUAL(look(n, &k[1], &m), 0);
		for (unsigned int i = 0; i < 4; i++) {
			if (i == 1)
				continue;
			CU_ASSERT_EQUAL(look(n, &k[i], &m), 1);
			CU_ASSERT_EQUAL(m.addr_bytes[5], 0x10 + i);
		}
		/* an interface the address was never on */
		struct dp_neigh_key other;
		key(&other, 3, "192.0.2.1");
		CU_ASSERT_EQUAL(look(n, &other, &m), 0);
		CU_ASSERT_EQUAL(dp_neigh_del(n, &other), -ENOENT);
		dp_neigh_destroy(n);
	}
}

/*
 * 64 keys, one bulk lookup. Key i (IPv4 for i < 32, IPv6 above) is present when i % 3 != 1;
 * for the absent ones a decoy with the same address on ifindex 2 is present instead.
 */
static void test_bulk(void)
{
	for (unsigned int mode = 0; mode < 2; mode++) {
		struct dp_neigh *n = neigh_make(256, mode_qsbr(mode));
		struct dp_neigh_key keys[65];
		const struct dp_neigh_key *kp[65];
		struct rte_ether_addr macs[65];
		uint64_t want = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		for (unsigned int i = 0; i < 65; i++) {
			char a[64];
			if (i < 32)
				snprintf(a, sizeof(a), "198.51.100.%u", i);
			else
				snprintf(a, sizeof(a), "2001:db8::%x", i);
			struct rte_ether_addr m = {
				{0x02, 0, 0, 0, (uint8_t)i, (uint8_t)(i ^ 0x5a)}};
			bool present = i % 3 != 1;
			key(&keys[i], present ? 1 : 2, a);
			CU_ASSERT_EQUAL(dp_neigh_set(n, &keys[i], &m), 0);
			keys[i].ifindex = 1; /* the lookup asks for ifindex 1 */
			kp[i] = &keys[i];
			if (present && i < 64)
				want |= 1ULL << i;
		}
		memset(macs, 0xcc, sizeof(macs));
		uint64_t hit = dp_neigh_lookup_bulk(n, kp, 64, macs);
		CU_ASSERT_EQUAL(hit, want);
		if (hit != want)
			fprintf(stderr, "\n  %s: hit mask %#" PRIx64 ", want %#" PRIx64 "\n",
				mode_name(mode), hit, want);
		unsigned int bad = 0;
		for (unsigned int i = 0; i < 64; i++) {
			if (!(want & (1ULL << i)))
				continue;
			bad += macs[i].addr_bytes[4] != i || macs[i].addr_bytes[5] != (i ^ 0x5a) ||
			       macs[i].addr_bytes[0] != 0x02;
		}
		CU_ASSERT_EQUAL(bad, 0);
		/* more than 64 keys: the first 64 are answered, nothing is written past them */
		memset(macs, 0xcc, sizeof(macs));
		CU_ASSERT_EQUAL(dp_neigh_lookup_bulk(n, kp, 65, macs), want);
		CU_ASSERT_EQUAL(macs[64].addr_bytes[0], 0xcc);
		CU_ASSERT_EQUAL(dp_neigh_lookup_bulk(n, kp, 0, macs), 0);
		/* partial bursts see the same bits */
		CU_ASSERT_EQUAL(dp_neigh_lookup_bulk(n, &kp[10], 7, macs), (want >> 10) & 0x7f);
		dp_neigh_destroy(n);
	}
}

/*
 * Delete and re-add one key 4 times the table size. A deleted key slot must be returned to the
 * table (at once without readers, or by the defer queue once the readers are quiescent), or
 * the table fills up with nothing in it.
 */
static void test_churn(void)
{
	enum { ENTRIES = 64, ROUNDS = 4 * ENTRIES };
	for (unsigned int mode = 0; mode < 2; mode++) {
		struct dp_neigh *n = neigh_make(ENTRIES, mode_qsbr(mode));
		struct dp_neigh_key k;
		unsigned int failed = 0, first = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		key(&k, 1, "192.0.2.77");
		for (unsigned int i = 0; i < ROUNDS; i++) {
			int rc = dp_neigh_set(n, &k, &mac1);
			if (rc != 0 && failed++ == 0)
				first = i;
			if (rc == 0)
				CU_ASSERT_EQUAL(dp_neigh_del(n, &k), 0);
		}
		CU_ASSERT_EQUAL(failed, 0);
		if (failed != 0)
			fprintf(stderr, "\n  %s: %u of %u re-adds failed, the first at round %u\n",
				mode_name(mode), failed, ROUNDS, first);
		dp_neigh_destroy(n);
	}
}

/*
 * With a QSBR variable, a deleted slot is not reused while a reader that could still see it
 * has not reported quiescence: an online, silent reader fills the table after ENTRIES
 * churn rounds; one quiescent report lets the writer reclaim and continue.
 */
static void test_churn_grace(void)
{
	enum { ENTRIES = 64 };
	struct rte_rcu_qsbr *v = rte_zmalloc("neigh_qsbr2", rte_rcu_qsbr_get_memsize(1), 64);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_init(v, 1), 0);
	CU_ASSERT_EQUAL_FATAL(rte_rcu_qsbr_thread_register(v, 0), 0);
	struct dp_neigh *n = neigh_make(ENTRIES, v);
	struct dp_neigh_key k;
	unsigned int ok = 0;
	int rc = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	key(&k, 1, "192.0.2.78");
	rte_rcu_qsbr_thread_online(v, 0); /* this thread now acts as a reader in its section */
	for (unsigned int i = 0; i < 4 * ENTRIES; i++) {
		rc = dp_neigh_set(n, &k, &mac1);
		if (rc != 0)
			break;
		ok++;
		CU_ASSERT_EQUAL(dp_neigh_del(n, &k), 0);
	}
	CU_ASSERT_EQUAL(rc, -ENOSPC);
	CU_ASSERT_TRUE(ok >= ENTRIES / 2 && ok <= ENTRIES);
	rte_rcu_qsbr_quiescent(v, 0);
	CU_ASSERT_EQUAL(dp_neigh_set(n, &k, &mac2), 0);
	struct rte_ether_addr m;
	CU_ASSERT_EQUAL(look(n, &k, &m), 1);
	CU_ASSERT_TRUE(rte_is_same_ether_addr(&m, &mac2));
	rte_rcu_qsbr_thread_offline(v, 0);
	dp_neigh_destroy(n);
	rte_rcu_qsbr_thread_unregister(v, 0);
	rte_free(v);
}

int test_neigh_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"key make", test_key_make},
		{"set, update, delete", test_lifecycle},
		{"key isolation", test_key_isolation},
		{"bulk lookup", test_bulk},
		{"churn reuses slots", test_churn},
		{"churn waits for readers", test_churn_grace},
	};
	CU_pSuite s = CU_add_suite("neigh", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
