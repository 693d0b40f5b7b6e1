/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/iface.h - the generic interface table.
 *
 * An interface has an ifindex (1..IFACE_MAX-1; 0 means none), a kind, an MTU and addresses.
 * Physical ports now; tunnel interfaces (VTI, GRE, mGRE, PPP sessions) are further kinds.
 * The table is an array of RCU-protected pointers: the control lcore publishes a new struct
 * with a release store and frees the old one after a QSBR grace period; workers load with acquire.
 */
#ifndef VPNHUB_DATAPLANE_IFACE_H
#define VPNHUB_DATAPLANE_IFACE_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/counters.h"

#define IFACE_MAX	DP_IFACE_STATS_MAX
#define IFACE_NAME_MAX	32
#define IFACE_ADDRS_MAX 8

enum iface_kind {
	IFACE_ETHER = 1,
	IFACE_VTI, /* route-based IPsec: output encrypts with sa_out */
};

struct iface_addr {
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, network order */
};

struct iface {
	/* read by workers */
	uint16_t ifindex;
	uint16_t port_id;
	uint16_t mtu;
	uint8_t kind;
	uint8_t up;
	struct rte_ether_addr mac;
	uint32_t sa_out; /* IFACE_VTI: the outbound SA id (0: none, traffic is dropped) */
	/* control side */
	char name[IFACE_NAME_MAX];
	char port_name[256];
	struct iface_addr v4[IFACE_ADDRS_MAX];
	unsigned int n_v4;
	struct iface_addr v6[IFACE_ADDRS_MAX + 1]; /* configured + the derived link-local (last) */
	unsigned int n_v6;
} __rte_cache_aligned;

struct iface_table {
	struct iface *slot[IFACE_MAX];
	struct rte_rcu_qsbr *qsbr;
	uint64_t gen; /* bumped (release) after every publish and remove (nh_cache.h) */
};

/* Worker: the generation (nh_cache.h), loaded before any lookup it validates. */
static inline uint64_t iface_gen(const struct iface_table *t)
{
	return __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
}

struct iface_table *iface_table_create(struct rte_rcu_qsbr *qsbr);
void iface_table_destroy(struct iface_table *t);

/* Any lcore; workers must be inside their read-side section (between quiescent reports). */
static inline struct iface *iface_get(const struct iface_table *t, uint16_t ifindex)
{
	if (ifindex >= IFACE_MAX)
		return NULL;
	return __atomic_load_n(&t->slot[ifindex], __ATOMIC_ACQUIRE);
}

/*
 * Control lcore only. Publish ifc at ifc->ifindex (0 picks the lowest free index and writes it
 * back). The table takes ownership (rte_malloc'd). Replacing frees the old entry after a grace
 * period. Returns the ifindex or a negative errno.
 */
int iface_publish(struct iface_table *t, struct iface *ifc);
/* Control lcore only: remove and free after a grace period. */
int iface_remove(struct iface_table *t, uint16_t ifindex);
/* Control side lookup by name; NULL when absent. */
struct iface *iface_by_name(const struct iface_table *t, const char *name);

/* Derive the EUI-64 IPv6 link-local address (RFC 4291 App. A) of a MAC. */
void iface_link_local(const struct rte_ether_addr *mac, uint8_t out[16]);
/* True if addr (family-sized bytes) is one of ifc's addresses. */
bool iface_has_addr(const struct iface *ifc, int family, const uint8_t *addr);
/* Any of ifc's v4/v6 prefixes containing addr: returns the matching iface_addr or NULL. */
const struct iface_addr *iface_subnet_of(const struct iface *ifc, int family, const uint8_t *addr);

#endif
