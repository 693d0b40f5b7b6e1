/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_pool.c - inner addresses for remote-access peers (RFC 7296 3.15: the
 * INTERNAL_IP4_ADDRESS of a configuration payload), from the pools of the ike: section.
 *
 * One bitmap per IPv4 pool, the network and broadcast addresses never handed out. An address
 * belongs to one IKE SA at a time: it is released when the IKE SA goes, and moves with it when
 * the IKE SA is rekeyed. Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"

struct ike_pool {
	uint32_t first; /* host order: the first address handed out */
	uint32_t n;	/* how many */
	uint32_t used;
	uint64_t bits[]; /* bit i: first + i is taken */
};

int ike_pools_create(struct ike *ike)
{
	const struct config *cfg = ike->cfg;
	ike->pools = rte_zmalloc("ike_pools", sizeof(*ike->pools) * (cfg->n_ike_pools + 1), 0);
	if (ike->pools == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < cfg->n_ike_pools; i++) {
		const struct cfg_addr *p = &cfg->ike_pools[i].prefix;
		if (p->family != AF_INET || p->plen > 30)
			continue; /* IPv6 pools: not handed out yet */
		uint32_t size = 1u << (32 - p->plen), base;
		memcpy(&base, p->bytes, 4);
		size_t words = (size + 63) / 64;
		struct ike_pool *pool =
			rte_zmalloc("ike_pool", sizeof(*pool) + words * sizeof(uint64_t), 0);
		if (pool == NULL)
			return -ENOMEM;
		pool->first = rte_be_to_cpu_32(base) + 1;
		pool->n = size - 2;
		ike->pools[i] = pool;
	}
	return 0;
}

void ike_pools_free(struct ike *ike)
{
	for (unsigned int i = 0; ike->pools != NULL && i < ike->cfg->n_ike_pools; i++)
		rte_free(ike->pools[i]);
	rte_free(ike->pools);
	ike->pools = NULL;
}

int ike_pool_take(struct ike *ike, int pool, uint8_t addr[4])
{
	struct ike_pool *p = pool >= 0 ? ike->pools[pool] : NULL;
	if (p == NULL || p->used == p->n)
		return -ENOSPC;
	for (uint32_t i = 0; i < p->n; i++) {
		if (p->bits[i / 64] & (1ull << (i % 64)))
			continue;
		p->bits[i / 64] |= 1ull << (i % 64);
		p->used++;
		uint32_t a = rte_cpu_to_be_32(p->first + i);
		memcpy(addr, &a, 4);
		return 0;
	}
	return -ENOSPC;
}

void ike_pool_give(struct ike *ike, int pool, const uint8_t addr[4])
{
	struct ike_pool *p = pool >= 0 ? ike->pools[pool] : NULL;
	uint32_t a;
	memcpy(&a, addr, 4);
	a = rte_be_to_cpu_32(a);
	if (p == NULL || a < p->first || a - p->first >= p->n)
		return;
	uint32_t i = a - p->first;
	if (p->bits[i / 64] & (1ull << (i % 64))) {
		p->bits[i / 64] &= ~(1ull << (i % 64));
		p->used--;
	}
}

unsigned int ike_pool_used(const struct ike *ike, int pool)
{
	return pool >= 0 && ike->pools[pool] != NULL ? ike->pools[pool]->used : 0;
}
