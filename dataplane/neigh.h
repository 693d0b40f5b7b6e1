/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/neigh.h - the neighbor table the workers read: (ifindex, IP) -> MAC.
 *
 * An rte_hash with lock-free reader/writer concurrency; the MAC is stored in the data word
 * itself, so an update is one atomic store and no entry memory needs reclaiming. Deleted key
 * slots are recycled through the hash's QSBR defer queue. Writer: the control lcore only.
 * Resolution state (incomplete, retries, queued packets) lives in the control plane, not here.
 * Bound to a FIB (dp_neigh_bind), every change of a neighbor is also written into the FIB's
 * gateway next hops on it (fib.h), so that whoever publishes a neighbor keeps both in step.
 */
#ifndef VPNHUB_DATAPLANE_NEIGH_H
#define VPNHUB_DATAPLANE_NEIGH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

struct dp_neigh_key {
	uint16_t ifindex;
	uint8_t family;
	uint8_t pad;
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, rest zero */
};

struct dp_fib;

struct dp_neigh {
	struct rte_hash *h;
	bool rcu;	    /* deleted slots go back through the hash's QSBR defer queue */
	struct dp_fib *fib; /* next hops that cache this table's MACs (dp_neigh_bind), or NULL */
	uint64_t gen;	    /* bumped (release) after every set and delete (nh_cache.h) */
};

/* Worker: the generation (nh_cache.h), loaded before any lookup it validates. */
static inline uint64_t dp_neigh_gen(const struct dp_neigh *n)
{
	return __atomic_load_n(&n->gen, __ATOMIC_ACQUIRE);
}

/* qsbr NULL: no concurrent readers (tests, tools); deleted slots are then freed at once. */
struct dp_neigh *dp_neigh_create(const char *name, uint32_t entries, struct rte_rcu_qsbr *qsbr,
				 int socket);
void dp_neigh_destroy(struct dp_neigh *n);

static inline void dp_neigh_key_make(struct dp_neigh_key *k, uint16_t ifindex, uint8_t family,
				     const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = ifindex;
	k->family = family;
	memcpy(k->addr, addr, family == 2 /* AF_INET */ ? 4 : 16);
}

/*
 * Bind n and f both ways: from now on dp_neigh_set/dp_neigh_del update f's gateway next hops
 * and f's new next hops look their MAC up in n; next hops that exist already are brought in
 * step at once. Bound tables are destroyed together. Control lcore (or before workers start).
 */
void dp_neigh_bind(struct dp_neigh *n, struct dp_fib *f);

/* Control lcore only: insert or update; returns 0 or a negative errno. */
int dp_neigh_set(struct dp_neigh *n, const struct dp_neigh_key *k,
		 const struct rte_ether_addr *mac);
/* Control lcore only: remove; -ENOENT if absent. */
int dp_neigh_del(struct dp_neigh *n, const struct dp_neigh_key *k);

/* One lookup (control side): true and *mac when k is resolved. */
bool dp_neigh_lookup(const struct dp_neigh *n, const struct dp_neigh_key *k,
		     struct rte_ether_addr *mac);

/*
 * Worker bulk lookup: hit bit i of the returned mask when keys[i] resolved; macs[i] then holds it.
 * n <= 64.
 */
uint64_t dp_neigh_lookup_bulk(const struct dp_neigh *n, const struct dp_neigh_key **keys,
			      unsigned int cnt, struct rte_ether_addr *macs);

#endif
