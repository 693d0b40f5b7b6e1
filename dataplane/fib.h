/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/fib.h - IPv4/IPv6 forwarding tables for the workers.
 *
 * A route maps a prefix to a next-hop id; next hops live in one array (id 0 = no route).
 * rte_fib/rte_fib6 reuse their tbl8 groups at once on delete, which is unsafe under concurrent
 * lookups, so each family keeps two copies: a change is applied to the standby copy, the active
 * index flips (release), a QSBR grace period passes, and the change is replayed on the old copy.
 * Workers load the active index with acquire and see either the old or the new table, whole.
 * Next-hop entries are written only while no route references them, except their MAC word.
 *
 * Gateway next hops (family != 0) carry the gateway's resolved MAC, so that forwarding through
 * a gateway costs one load instead of a neighbor hash lookup per packet. The word is the MAC
 * with DP_NH_MAC_VALID set, or 0 while the gateway is unresolved; the control lcore replaces
 * it with one atomic store whenever the neighbor table changes that neighbor (dp_neigh_set /
 * dp_neigh_del on the bound table, see neigh.h) and when the entry is allocated. A worker can
 * therefore read a MAC that has just been replaced (the same staleness as a hash lookup in
 * flight) but never a torn word, nor the MAC of another neighbor: only entries whose
 * (ifindex, family, gw) is the neighbor's are written, and an entry changes gateway only while
 * no route references it, after the grace period of the route change that released it.
 * An invalid word sends the packet through the neighbor hash, as connected next hops always go.
 * Writers: the control lcore only. Readers: workers, any number.
 */
#ifndef VPNHUB_DATAPLANE_FIB_H
#define VPNHUB_DATAPLANE_FIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rcu_qsbr.h>

struct dp_neigh;
struct dp_neigh_key;

#define DP_NH_MAX  32767 /* 2-byte next hops in DIR-24-8 keep one bit for the extension flag */
#define DP_NH_NONE 0

enum dp_nh_type {
	NH_NONE = 0, /* no route */
	NH_LOCAL,    /* an address of the hub: punt */
	NH_FWD,	     /* forward out of ifindex to the gateway, or to the destination if connected */
};

#define DP_NH_MAC_VALID (1ULL << 63) /* so that 00:00:00:00:00:00 is still a MAC */

struct dp_nh {
	uint8_t type;
	uint8_t family; /* of gw; 0 = connected (next hop is the destination itself) */
	uint16_t ifindex;
	uint8_t gw[16];	 /* IPv4 in the first 4 bytes */
	uint32_t refcnt; /* routes using it; control lcore only */
	uint64_t mac;	 /* gateways: MAC in bytes 0-5 | DP_NH_MAC_VALID, or 0 (see above) */
};

/* Two entries per cache line: a worker touches one line per next hop. */
_Static_assert(sizeof(struct dp_nh) == 32, "struct dp_nh is 32 bytes");

struct dp_fib {
	struct rte_fib *v4[2];
	struct rte_fib6 *v6[2];
	unsigned int active4;
	unsigned int active6;
	uint64_t gen; /* bumped (release) after every route flip and next-hop MAC change */
	struct rte_rcu_qsbr *qsbr;
	uint32_t n_routes4;
	uint32_t n_routes6;
	uint32_t nh_end;	      /* ids >= nh_end were never allocated */
	const struct dp_neigh *neigh; /* where new gateway next hops find their MAC (bound) */
	struct dp_nh nh[DP_NH_MAX + 1] __rte_cache_aligned;
};

struct dp_fib *dp_fib_create(const char *name, struct rte_rcu_qsbr *qsbr, uint32_t max_routes,
			     int socket);
void dp_fib_destroy(struct dp_fib *f);

/* One route change; family AF_INET or AF_INET6, prefix in network order, nh 0 = delete. */
struct dp_fib_op {
	uint8_t family;
	uint8_t plen;
	uint8_t prefix[16];
	uint32_t nh;
};

/*
 * Apply a batch of route changes with one grace period. Control lcore only.
 * Returns 0, or a negative errno with nothing applied (ops are checked on the standby copy first;
 * a failure there rolls the standby copy back).
 */
int dp_fib_apply(struct dp_fib *f, const struct dp_fib_op *ops, unsigned int n);

/*
 * Find or allocate a next hop equal to *tmpl (type, family, ifindex, gw) and take a reference.
 * A new gateway next hop starts with its neighbor's MAC from the bound table (f->neigh), if any.
 * Returns the id (>0) or a negative errno. Control lcore only.
 */
int dp_fib_nh_get(struct dp_fib *f, const struct dp_nh *tmpl);
/* Drop a reference taken by dp_fib_nh_get (after the routes using it are gone). */
void dp_fib_nh_put(struct dp_fib *f, uint32_t id);

/*
 * The neighbor k now resolves to mac (NULL: no longer resolved): store it in every gateway next
 * hop on (k->ifindex, k->family, k->addr). Called by dp_neigh_set/dp_neigh_del of the table
 * bound to f (dp_neigh_bind). Control lcore only.
 */
void dp_fib_nh_neigh(struct dp_fib *f, const struct dp_neigh_key *k,
		     const struct rte_ether_addr *mac);
/* Recompute every gateway next hop's MAC from f->neigh (after binding). Control lcore only. */
void dp_fib_nh_resync(struct dp_fib *f);

/* Worker lookups: dst in network order; nh[i] receives the next-hop id (0 = no route). */
static inline void dp_fib_lookup4(const struct dp_fib *f, uint32_t *dst_host_order, uint64_t *nh,
				  unsigned int n)
{
	unsigned int a = __atomic_load_n(&f->active4, __ATOMIC_ACQUIRE);
	rte_fib_lookup_bulk(f->v4[a], dst_host_order, nh, n);
}

static inline void dp_fib_lookup6(const struct dp_fib *f, uint8_t (*dst)[16], uint64_t *nh,
				  unsigned int n)
{
	unsigned int a = __atomic_load_n(&f->active6, __ATOMIC_ACQUIRE);
	rte_fib6_lookup_bulk(f->v6[a], dst, nh, n);
}

/* Worker: the generation (nh_cache.h), loaded before any lookup it validates. */
static inline uint64_t dp_fib_gen(const struct dp_fib *f)
{
	return __atomic_load_n(&f->gen, __ATOMIC_ACQUIRE);
}

static inline const struct dp_nh *dp_fib_nh(const struct dp_fib *f, uint64_t id)
{
	return &f->nh[id <= DP_NH_MAX ? id : 0];
}

/*
 * Worker: the resolved MAC of nh's gateway for a packet of `family` into *mac, or false when
 * the neighbor hash must answer (connected next hop, unresolved gateway, or a gateway of the
 * other family, whose hash key differs).
 */
static inline bool dp_nh_mac(const struct dp_nh *nh, uint8_t family, struct rte_ether_addr *mac)
{
	uint64_t v = __atomic_load_n(&nh->mac, __ATOMIC_RELAXED);
	if (nh->family != family || !(v & DP_NH_MAC_VALID))
		return false;
	memcpy(mac->addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	return true;
}

#endif
