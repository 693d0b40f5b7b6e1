/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/neigh.c - lock-free neighbor hash (see neigh.h).
 */
#include <errno.h>
#include <stdio.h>

#include <rte_jhash.h>
#include <rte_malloc.h>

#include "dataplane/fib.h"
#include "dataplane/neigh.h"

struct dp_neigh *dp_neigh_create(const char *name, uint32_t entries, struct rte_rcu_qsbr *qsbr,
				 int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	snprintf(hname, sizeof(hname), "%s_neigh", name);
	struct rte_hash_parameters p = {
		.name = hname,
		.entries = entries,
		.key_len = sizeof(struct dp_neigh_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct dp_neigh *n = rte_zmalloc_socket("dp_neigh", sizeof(*n), 0, socket);
	if (n == NULL)
		return NULL;
	n->h = rte_hash_create(&p);
	if (n->h == NULL)
		goto fail;
	if (qsbr != NULL) {
		struct rte_hash_rcu_config rc = {.v = qsbr, .mode = RTE_HASH_QSBR_MODE_DQ};
		if (rte_hash_rcu_qsbr_add(n->h, &rc) != 0)
			goto fail;
		n->rcu = true;
	}
	return n;
fail:
	dp_neigh_destroy(n);
	return NULL;
}

void dp_neigh_destroy(struct dp_neigh *n)
{
	if (n == NULL)
		return;
	rte_hash_free(n->h);
	rte_free(n);
}

static inline uintptr_t mac_pack(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;
	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	/* bit 63 marks a valid entry so that 00:00:00:00:00:00 is still distinguishable */
	return (uintptr_t)(v | (1ULL << 63));
}

void dp_neigh_bind(struct dp_neigh *n, struct dp_fib *f)
{
	n->fib = f;
	f->neigh = n;
	dp_fib_nh_resync(f);
}

int dp_neigh_set(struct dp_neigh *n, const struct dp_neigh_key *k, const struct rte_ether_addr *mac)
{
	int rc = rte_hash_add_key_data(n->h, k, (void *)mac_pack(mac));
	if (rc < 0)
		return rc;
	if (n->fib != NULL)
		dp_fib_nh_neigh(n->fib, k, mac);
	__atomic_fetch_add(&n->gen, 1, __ATOMIC_RELEASE);
	return 0;
}

int dp_neigh_del(struct dp_neigh *n, const struct dp_neigh_key *k)
{
	/* next hops first: until the key is gone, a worker that misses them still finds it */
	if (n->fib != NULL)
		dp_fib_nh_neigh(n->fib, k, NULL);
	int32_t pos = rte_hash_del_key(n->h, k);
	if (pos < 0)
		return pos;
	/* lock-free mode keeps the slot until told; with RCU the defer queue tells it */
	if (!n->rcu)
		rte_hash_free_key_with_position(n->h, pos);
	__atomic_fetch_add(&n->gen, 1, __ATOMIC_RELEASE);
	return 0;
}

static inline void mac_unpack(uint64_t v, struct rte_ether_addr *mac)
{
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
}

bool dp_neigh_lookup(const struct dp_neigh *n, const struct dp_neigh_key *k,
		     struct rte_ether_addr *mac)
{
	void *data;
	if (rte_hash_lookup_data(n->h, k, &data) < 0)
		return false;
	mac_unpack((uint64_t)(uintptr_t)data, mac);
	return true;
}

uint64_t dp_neigh_lookup_bulk(const struct dp_neigh *n, const struct dp_neigh_key **keys,
			      unsigned int cnt, struct rte_ether_addr *macs)
{
	void *data[64];
	uint64_t hits = 0;
	if (cnt == 0)
		return 0;
	if (cnt > 64)
		cnt = 64;
	if (rte_hash_lookup_bulk_data(n->h, (const void **)keys, cnt, &hits, data) < 0)
		return 0;
	for (unsigned int i = 0; i < cnt; i++) {
		if (!(hits & (1ULL << i)))
			continue;
		mac_unpack((uint64_t)(uintptr_t)data[i], &macs[i]);
	}
	return hits;
}
