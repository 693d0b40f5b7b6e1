/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_pool.c - inner addresses for remote-access peers (RFC 7296 3.15: the
 * INTERNAL_IP4_ADDRESS and INTERNAL_IP6_ADDRESS of a configuration payload), from the pools of
 * the ike: section.
 *
 * One bitmap per pool. IPv4: every address of the prefix but the network and broadcast ones.
 * IPv6: prefix::1 upwards (the all-zero interface ID is the Subnet-Router anycast address,
 * RFC 4291 2.6.1, and never handed out), at most IKE_POOL6_MAX of them: a /64 has far more
 * addresses than the hub has IKE SAs, so the bitmap covers only the first ones. An address
 * belongs to one IKE SA at a time: it is released when the IKE SA goes, and moves with it when
 * the IKE SA is rekeyed. Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"

struct ike_pool {
	uint8_t family;
	uint8_t alen;	  /* 4 or 16 */
	uint8_t base[16]; /* the prefix's first address (network order) */
	uint32_t n;	  /* addresses handed out: base + 1 .. base + n */
	uint32_t used;
	uint64_t bits[]; /* bit i: base + 1 + i is taken */
};

/* How many addresses of prefix p a pool hands out. */
static uint32_t pool_size(const struct cfg_addr *p)
{
	if (p->family == AF_INET)
		return p->plen <= 30 ? (1u << (32 - p->plen)) - 2 : 0;
	if (p->plen > 126)
		return 0;
	if (128 - p->plen >= 32)
		return IKE_POOL6_MAX;
	uint32_t n = (1u << (128 - p->plen)) - 1;
	return n < IKE_POOL6_MAX ? n : IKE_POOL6_MAX;
}

/* out = base + off, a big-endian addition over alen octets. */
static void addr_add(const uint8_t *base, size_t alen, uint32_t off, uint8_t *out)
{
	uint64_t carry = off;
	for (size_t i = alen; i-- > 0;) {
		carry += base[i];
		out[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/* The index of addr in p, or -1 when it is not one p hands out. */
static int64_t index_of(const struct ike_pool *p, const uint8_t *addr)
{
	uint64_t diff = 0;
	int borrow = 0;
	/* the high octets must match; the difference must fit in 32 bits */
	for (size_t i = p->alen; i-- > 0;) {
		int d = (int)addr[i] - (int)p->base[i] - borrow;
		borrow = d < 0;
		d += borrow ? 256 : 0;
		if (p->alen - 1 - i < 4)
			diff |= (uint64_t)d << (8 * (p->alen - 1 - i));
		else if (d != 0)
			return -1;
	}
	if (borrow || diff == 0 || diff > p->n)
		return -1;
	return (int64_t)diff - 1;
}

int ike_pools_create(struct ike *ike)
{
	const struct config *cfg = ike->cfg;
	ike->pools = rte_zmalloc("ike_pools", sizeof(*ike->pools) * (cfg->n_ike_pools + 1), 0);
	if (ike->pools == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < cfg->n_ike_pools; i++) {
		const struct cfg_addr *p = &cfg->ike_pools[i].prefix;
		uint32_t size = pool_size(p);
		if (size == 0)
			continue; /* the config refuses these; nothing to hand out */
		size_t words = (size + 63) / 64;
		struct ike_pool *pool =
			rte_zmalloc("ike_pool", sizeof(*pool) + words * sizeof(uint64_t), 0);
		if (pool == NULL)
			return -ENOMEM;
		pool->family = p->family;
		pool->alen = p->family == AF_INET ? 4 : 16;
		memcpy(pool->base, p->bytes, pool->alen);
		pool->n = size;
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

static struct ike_pool *pool_of(const struct ike *ike, int pool)
{
	return pool >= 0 && (unsigned int)pool < ike->cfg->n_ike_pools ? ike->pools[pool] : NULL;
}

int ike_pool_family(const struct ike *ike, int pool)
{
	const struct ike_pool *p = pool_of(ike, pool);
	return p == NULL ? 0 : p->family;
}

int ike_pool_take(struct ike *ike, int pool, uint8_t *addr)
{
	struct ike_pool *p = pool_of(ike, pool);
	if (p == NULL || p->used == p->n)
		return -ENOSPC;
	for (uint32_t w = 0; w < (p->n + 63) / 64; w++) {
		if (p->bits[w] == UINT64_MAX)
			continue;
		uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(~p->bits[w]);
		if (i >= p->n)
			break;
		p->bits[w] |= 1ull << (i % 64);
		p->used++;
		addr_add(p->base, p->alen, i + 1, addr);
		return 0;
	}
	return -ENOSPC;
}

void ike_pool_give(struct ike *ike, int pool, const uint8_t *addr)
{
	struct ike_pool *p = pool_of(ike, pool);
	int64_t i = p != NULL ? index_of(p, addr) : -1;
	if (i < 0)
		return;
	if (p->bits[i / 64] & (1ull << (i % 64))) {
		p->bits[i / 64] &= ~(1ull << (i % 64));
		p->used--;
	}
}

unsigned int ike_pool_used(const struct ike *ike, int pool)
{
	const struct ike_pool *p = pool_of(ike, pool);
	return p != NULL ? p->used : 0;
}

unsigned int ike_pool_capacity(const struct ike *ike, int pool)
{
	const struct ike_pool *p = pool_of(ike, pool);
	return p != NULL ? p->n : 0;
}
