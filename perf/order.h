/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/order.h - the fixed pseudo-random visiting order of the bench's SA pairs (xorshift64,
 * fixed seed, Fisher-Yates), so that runs stay comparable and vpnhub-mem-floor visits its
 * objects in the order the esp-decrypt rows visit their pairs.
 */
#ifndef VPNHUB_PERF_ORDER_H
#define VPNHUB_PERF_ORDER_H

#include <stdint.h>

/* v[0 .. n-1] = a fixed permutation of 0 .. n-1. */
static inline void perf_order_shuffle(uint32_t *v, uint32_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (uint32_t i = 0; i < n; i++)
		v[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t j = (uint32_t)(x % i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

#endif
