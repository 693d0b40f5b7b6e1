/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_counters.c - the "counters" suite: dataplane/counters.{h,c}.
 *
 * Names: every drop and punt reason and every fragment counter has a telemetry key made of
 * [a-z0-9_] (the charset conf/ allows in dictionary keys), unique within its list, and every drop
 * reason a description; the fragment keys, which telemetry shows bare, start with "frag_".
 * Writers: dp_count_drop/dp_count_punt move the total and the reason by n, nothing else.
 * Readers: dp_stats_sum and dp_iface_stats_sum are checked word by word over the whole struct,
 * so a counter added later but forgotten in the reader makes the sum test fail.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dataplane/counters.h"
#include "tests.h"

/* The scalar counters and the drop/punt/frag arrays: every uint64_t before the interface block. */
#define STATS_WORDS (offsetof(struct dp_lcore_stats, ifs) / sizeof(uint64_t))
#define IFS_WORDS   (sizeof(struct dp_iface_stats) / sizeof(uint64_t))

static uint64_t *words(struct dp_lcore_stats *s)
{
	return (uint64_t *)s;
}

static bool key_ok(const char *k)
{
	return k != NULL && k[0] != '\0' &&
	       strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(k);
}

static void check_names(const char *const *names, unsigned int n, const char *list)
{
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_TRUE(key_ok(names[i]));
		if (!key_ok(names[i]))
			fprintf(stderr, "\n  %s[%u] = \"%s\" is not a telemetry key\n", list, i,
				names[i] ? names[i] : "(null)");
		for (unsigned int j = 0; j < i && names[i] != NULL; j++) {
			bool dup = names[j] != NULL && strcmp(names[i], names[j]) == 0;
			CU_ASSERT_FALSE(dup);
			if (dup)
				fprintf(stderr, "\n  %s[%u] and [%u] are both \"%s\"\n", list, j, i,
					names[i]);
		}
	}
}

static void test_names(void)
{
	check_names(dp_drop_name, DP_DROP_MAX, "dp_drop_name");
	check_names(dp_punt_name, DP_PUNT_MAX, "dp_punt_name");
	check_names(dp_frag_name, DP_FRAG_STAT_MAX, "dp_frag_name");
	for (unsigned int i = 0; i < DP_FRAG_STAT_MAX; i++)
		CU_ASSERT_TRUE(dp_frag_name[i] != NULL &&
			       strncmp(dp_frag_name[i], "frag_", 5) == 0);
	for (unsigned int i = 0; i < DP_DROP_MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL(dp_drop_desc[i]);
		CU_ASSERT_TRUE(dp_drop_desc[i] != NULL && strlen(dp_drop_desc[i]) > 0);
	}
	/* spot checks that the X-macro kept enum and name in step */
	CU_ASSERT_STRING_EQUAL(dp_drop_name[DP_DROP_ETH_TRUNCATED], "eth_truncated");
	CU_ASSERT_STRING_EQUAL(dp_drop_name[DP_DROP_IP4_CKSUM], "ip4_bad_checksum");
	CU_ASSERT_STRING_EQUAL(dp_drop_name[DP_DROP_NO_MBUF], "no_mbuf");
	CU_ASSERT_STRING_EQUAL(dp_punt_name[DP_PUNT_LOCAL], "local");
	CU_ASSERT_STRING_EQUAL(dp_punt_name[DP_PUNT_MTU], "mtu");
	CU_ASSERT_STRING_EQUAL(dp_frag_name[DP_FRAG_IN], "frag_in");
	CU_ASSERT_STRING_EQUAL(dp_frag_name[DP_FRAG_OUT], "frag_out");
}

static void test_count_drop_punt(void)
{
	struct dp_lcore_stats *s = calloc(1, sizeof(*s));
	struct dp_lcore_stats *want = calloc(1, sizeof(*want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	dp_count_drop(s, DP_DROP_IP4_LEN, 1);
	dp_count_drop(s, DP_DROP_IP4_LEN, 3);
	dp_count_drop(s, DP_DROP_NO_MBUF, 5);
	dp_count_punt(s, DP_PUNT_ARP);
	dp_count_punt(s, DP_PUNT_ARP);
	dp_count_punt(s, DP_PUNT_TTL);
	want->drop[DP_DROP_IP4_LEN] = 4;
	want->drop[DP_DROP_NO_MBUF] = 5;
	want->dropped = 9;
	want->punt[DP_PUNT_ARP] = 2;
	want->punt[DP_PUNT_TTL] = 1;
	want->punted = 3;
	CU_ASSERT_EQUAL(memcmp(s, want, sizeof(*s)), 0);
	CU_ASSERT_EQUAL(s->dropped, 9);
	CU_ASSERT_EQUAL(s->punted, 3);
	free(want);
	free(s);
}

/* Slot k, word j holds (k + 1) * 1000003 + j: distinct everywhere, sums distinct per word. */
static uint64_t fill_value(unsigned int k, size_t j)
{
	return (uint64_t)(k + 1) * 1000003u + j;
}

static void test_stats_sum(void)
{
	enum { SLOTS = 3 };
	struct dp_lcore_stats *slots = calloc(SLOTS, sizeof(*slots));
	struct dp_lcore_stats *sum = calloc(1, sizeof(*sum));

	CU_ASSERT_PTR_NOT_NULL_FATAL(slots);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	for (unsigned int k = 0; k < SLOTS; k++) {
		for (size_t j = 0; j < STATS_WORDS; j++)
			words(&slots[k])[j] = fill_value(k, j);
		slots[k].ifs[7].rx_pkts = 99; /* interface counters are not part of this sum */
	}
	memset(sum, 0xa5, sizeof(*sum)); /* the reader must clear what it does not sum */
	dp_stats_sum(slots, SLOTS, sum);
	unsigned int bad = 0;
	for (size_t j = 0; j < STATS_WORDS; j++) {
		/* sum over k of (k + 1) * 1000003 + j = 6 * 1000003 + 3 * j */
		uint64_t want = 6u * 1000003u + 3u * j;
		if (words(sum)[j] != want) {
			fprintf(stderr, "\n  word %zu: %" PRIu64 ", want %" PRIu64 "\n", j,
				words(sum)[j], want);
			bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(sum->rx_pkts,
			6u * 1000003u + 3u * offsetof(struct dp_lcore_stats, rx_pkts) / 8);
	CU_ASSERT_EQUAL(sum->busy_pkts,
			6u * 1000003u + 3u * offsetof(struct dp_lcore_stats, busy_pkts) / 8);
	/* the fragment counters are summed like the rest (telemetry's frag_* keys) */
	RTE_BUILD_BUG_ON(offsetof(struct dp_lcore_stats, frag) >=
			 offsetof(struct dp_lcore_stats, ifs));
	CU_ASSERT_EQUAL(sum->frag[DP_FRAG_REASSEMBLED],
			6u * 1000003u + 3u * (offsetof(struct dp_lcore_stats, frag) / 8 +
					      DP_FRAG_REASSEMBLED));
	CU_ASSERT_EQUAL(sum->ifs[7].rx_pkts, 0);

	/* n = 0 gives zeros; n = 1 gives the slot itself */
	dp_stats_sum(slots, 0, sum);
	CU_ASSERT_EQUAL(sum->rx_pkts, 0);
	CU_ASSERT_EQUAL(sum->punt[DP_PUNT_MTU], 0);
	dp_stats_sum(&slots[2], 1, sum);
	CU_ASSERT_EQUAL(memcmp(sum, &slots[2], offsetof(struct dp_lcore_stats, ifs)), 0);
	free(sum);
	free(slots);
}

static void test_iface_sum(void)
{
	enum { SLOTS = 3 };
	static const uint16_t idx[] = {0, 1, 200, DP_IFACE_STATS_MAX - 1};
	struct dp_lcore_stats *slots = calloc(SLOTS, sizeof(*slots));
	struct dp_iface_stats sum;

	CU_ASSERT_PTR_NOT_NULL_FATAL(slots);
	for (unsigned int k = 0; k < SLOTS; k++) {
		for (unsigned int i = 0; i < DP_IFACE_STATS_MAX; i++) {
			uint64_t *w = (uint64_t *)&slots[k].ifs[i];
			for (size_t j = 0; j < IFS_WORDS; j++)
				w[j] = (uint64_t)i * 1000 + (k + 1) * 10 + j;
		}
	}
	for (size_t t = 0; t < RTE_DIM(idx); t++) {
		dp_iface_stats_sum(slots, SLOTS, idx[t], &sum);
		const uint64_t *w = (const uint64_t *)&sum;
		for (size_t j = 0; j < IFS_WORDS; j++) {
			/* sum over k of i * 1000 + (k + 1) * 10 + j */
			uint64_t want = (uint64_t)idx[t] * 3000 + 60 + 3 * j;
			CU_ASSERT_EQUAL(w[j], want);
		}
	}
	/* out of range: zeros, and the slots are not read past the array */
	memset(&sum, 0xa5, sizeof(sum));
	dp_iface_stats_sum(slots, SLOTS, DP_IFACE_STATS_MAX, &sum);
	CU_ASSERT_EQUAL(sum.rx_pkts + sum.rx_bytes + sum.tx_pkts + sum.tx_bytes + sum.drops, 0);
	memset(&sum, 0xa5, sizeof(sum));
	dp_iface_stats_sum(slots, SLOTS, UINT16_MAX, &sum);
	CU_ASSERT_EQUAL(sum.rx_pkts + sum.rx_bytes + sum.tx_pkts + sum.tx_bytes + sum.drops, 0);
	free(slots);
}

static void test_loop_account(void)
{
	static const struct {
		uint64_t start, end;
		unsigned int n;
	} loops[] = {
		{1000, 1100, 0},  /* idle */
		{1100, 1400, 32}, /* busy */
		{1400, 1450, 0},  /* idle */
		{1450, 2450, 7},  /* busy */
	};
	struct dp_lcore_stats *s = calloc(1, sizeof(*s));
	struct dp_lcore_stats *want = calloc(1, sizeof(*want));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	for (size_t i = 0; i < RTE_DIM(loops); i++)
		dp_loop_account(s, loops[i].start, loops[i].end, loops[i].n);
	want->loops = 4;
	want->busy_loops = 2;
	want->total_cycles = 100 + 300 + 50 + 1000;
	want->busy_cycles = 300 + 1000;
	want->busy_pkts = 32 + 7;
	CU_ASSERT_EQUAL(s->total_cycles, 1450);
	CU_ASSERT_EQUAL(s->busy_cycles, 1300);
	CU_ASSERT_EQUAL(s->busy_pkts, 39);
	/* and nothing else moved */
	CU_ASSERT_EQUAL(memcmp(s, want, sizeof(*s)), 0);
	free(want);
	free(s);
}

int test_counters_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"names and descriptions", test_names},
		{"count drop and punt", test_count_drop_punt},
		{"stats sum", test_stats_sum},
		{"iface stats sum", test_iface_sum},
		{"loop accounting", test_loop_account},
	};
	CU_pSuite s = CU_add_suite("counters", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
