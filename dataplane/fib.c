/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/fib.c - double-buffered rte_fib/rte_fib6 and the next-hop array.
 * See fib.h for the publication protocol. Control lcore only, except lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "dataplane/fib.h"
#include "dataplane/neigh.h"

/*
 * tbl8 groups per copy. 2-byte next hops cap them at 32767. IPv4 needs one per /24 block that
 * holds a longer route (remote-access /32s); the IPv6 trie takes about 5 per /64 without a
 * covering route, so 32767 holds some 6500 such /64s.
 */
#define FIB_TBL8_V4 (1 << 14)
#define FIB_TBL8_V6 32767

static struct rte_fib *create4(const char *name, unsigned int i, uint32_t max, int socket)
{
	char n[64];
	struct rte_fib_conf c = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = DP_NH_NONE,
		.max_routes = (int)max,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_2B, .num_tbl8 = FIB_TBL8_V4},
	};
	snprintf(n, sizeof(n), "%s4_%u", name, i);
	return rte_fib_create(n, socket, &c);
}

static struct rte_fib6 *create6(const char *name, unsigned int i, uint32_t max, int socket)
{
	char n[64];
	struct rte_fib6_conf c = {
		.type = RTE_FIB6_TRIE,
		.default_nh = DP_NH_NONE,
		.max_routes = (int)max,
		.trie = {.nh_sz = RTE_FIB6_TRIE_2B, .num_tbl8 = FIB_TBL8_V6},
	};
	snprintf(n, sizeof(n), "%s6_%u", name, i);
	return rte_fib6_create(n, socket, &c);
}

struct dp_fib *dp_fib_create(const char *name, struct rte_rcu_qsbr *qsbr, uint32_t max_routes,
			     int socket)
{
	struct dp_fib *f = rte_zmalloc_socket("dp_fib", sizeof(*f), RTE_CACHE_LINE_SIZE, socket);
	if (f == NULL)
		return NULL;
	f->qsbr = qsbr;
	f->nh_end = 1;
	for (unsigned int i = 0; i < 2; i++) {
		f->v4[i] = create4(name, i, max_routes, socket);
		f->v6[i] = create6(name, i, max_routes, socket);
		if (f->v4[i] == NULL || f->v6[i] == NULL) {
			dp_fib_destroy(f);
			return NULL;
		}
	}
	return f;
}

void dp_fib_destroy(struct dp_fib *f)
{
	if (f == NULL)
		return;
	for (unsigned int i = 0; i < 2; i++) {
		rte_fib_free(f->v4[i]);
		rte_fib6_free(f->v6[i]);
	}
	rte_free(f);
}

/* Apply (or undo) one op on copy i. */
static int op_apply(struct dp_fib *f, unsigned int i, const struct dp_fib_op *op, uint32_t nh)
{
	if (op->family == AF_INET) {
		uint32_t ip;
		memcpy(&ip, op->prefix, 4);
		ip = rte_be_to_cpu_32(ip);
		if (nh == DP_NH_NONE)
			return rte_fib_delete(f->v4[i], ip, op->plen);
		return rte_fib_add(f->v4[i], ip, op->plen, nh);
	}
	if (op->family != AF_INET6)
		return -EAFNOSUPPORT;
	uint8_t ip[16];
	memcpy(ip, op->prefix, 16);
	if (nh == DP_NH_NONE)
		return rte_fib6_delete(f->v6[i], ip, op->plen);
	return rte_fib6_add(f->v6[i], ip, op->plen, nh);
}

static int op_check(const struct dp_fib_op *op)
{
	if (op->family == AF_INET && op->plen > 32)
		return -EINVAL;
	if (op->family == AF_INET6 && op->plen > 128)
		return -EINVAL;
	if (op->family != AF_INET && op->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (op->nh > DP_NH_MAX)
		return -ERANGE;
	return 0;
}

/* Previous next hop of op's prefix on copy i (for rollback), 0 if absent. */
static uint32_t op_prev(struct dp_fib *f, unsigned int i, const struct dp_fib_op *op)
{
	struct rte_rib *rib4;
	struct rte_rib6 *rib6;
	uint64_t nh = 0;
	if (op->family == AF_INET) {
		uint32_t ip;
		memcpy(&ip, op->prefix, 4);
		rib4 = rte_fib_get_rib(f->v4[i]);
		struct rte_rib_node *n = rte_rib_lookup_exact(rib4, rte_be_to_cpu_32(ip), op->plen);
		if (n != NULL)
			rte_rib_get_nh(n, &nh);
	} else {
		rib6 = rte_fib6_get_rib(f->v6[i]);
		struct rte_rib6_node *n = rte_rib6_lookup_exact(rib6, op->prefix, op->plen);
		if (n != NULL)
			rte_rib6_get_nh(n, &nh);
	}
	return (uint32_t)nh;
}

/* After the change is visible: answers cached before it are stale (nh_cache.h). */
static void gen_bump(struct dp_fib *f)
{
	__atomic_fetch_add(&f->gen, 1, __ATOMIC_RELEASE);
}

static void flip(struct dp_fib *f, bool v4, bool v6)
{
	if (v4)
		__atomic_store_n(&f->active4, f->active4 ^ 1, __ATOMIC_RELEASE);
	if (v6)
		__atomic_store_n(&f->active6, f->active6 ^ 1, __ATOMIC_RELEASE);
	gen_bump(f);
	if (f->qsbr != NULL)
		rte_rcu_qsbr_synchronize(f->qsbr, RTE_QSBR_THRID_INVALID);
}

int dp_fib_apply(struct dp_fib *f, const struct dp_fib_op *ops, unsigned int n)
{
	unsigned int s4 = f->active4 ^ 1, s6 = f->active6 ^ 1, i;
	uint32_t prev[64];
	bool v4 = false, v6 = false;
	int rc = 0;

	if (n > RTE_DIM(prev))
		return -E2BIG;
	for (i = 0; i < n && rc == 0; i++) {
		rc = op_check(&ops[i]);
		if (rc != 0)
			break;
		unsigned int s = ops[i].family == AF_INET ? s4 : s6;
		prev[i] = op_prev(f, s, &ops[i]);
		rc = op_apply(f, s, &ops[i], ops[i].nh);
		if (rc == -ENOENT && ops[i].nh == DP_NH_NONE)
			rc = 0; /* deleting an absent route is not an error */
		v4 |= ops[i].family == AF_INET;
		v6 |= ops[i].family == AF_INET6;
	}
	if (rc != 0) {
		/* undo on the standby copy, newest first; the active copy was never touched */
		while (i-- > 0)
			op_apply(f, ops[i].family == AF_INET ? s4 : s6, &ops[i], prev[i]);
		return rc;
	}
	flip(f, v4, v6);
	for (i = 0; i < n; i++) {
		unsigned int s = ops[i].family == AF_INET ? s4 ^ 1 : s6 ^ 1;
		op_apply(f, s, &ops[i], ops[i].nh);
	}
	return 0;
}

static bool nh_equal(const struct dp_nh *a, const struct dp_nh *b)
{
	return a->type == b->type && a->family == b->family && a->ifindex == b->ifindex &&
	       memcmp(a->gw, b->gw, sizeof(a->gw)) == 0;
}

static uint64_t mac_word(const struct rte_ether_addr *mac)
{
	uint64_t v = 0;
	if (mac == NULL)
		return 0;
	memcpy(&v, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	return v | DP_NH_MAC_VALID;
}

/* The MAC word nh should hold now, from the bound neighbor table. */
static uint64_t nh_resolve(const struct dp_fib *f, const struct dp_nh *nh)
{
	struct dp_neigh_key k;
	struct rte_ether_addr mac;
	if (nh->type != NH_FWD || nh->family == 0 || f->neigh == NULL)
		return 0;
	dp_neigh_key_make(&k, nh->ifindex, nh->family, nh->gw);
	return dp_neigh_lookup(f->neigh, &k, &mac) ? mac_word(&mac) : 0;
}

static void nh_mac_store(struct dp_nh *nh, uint64_t v)
{
	if (nh->mac != v)
		__atomic_store_n(&nh->mac, v, __ATOMIC_RELEASE);
}

int dp_fib_nh_get(struct dp_fib *f, const struct dp_nh *tmpl)
{
	uint32_t free_id = 0;
	for (uint32_t id = 1; id < f->nh_end; id++) {
		struct dp_nh *nh = &f->nh[id];
		if (nh->refcnt == 0) {
			if (free_id == 0)
				free_id = id;
			continue;
		}
		if (nh_equal(nh, tmpl)) {
			nh->refcnt++;
			return (int)id;
		}
	}
	if (free_id == 0 && f->nh_end <= DP_NH_MAX)
		free_id = f->nh_end++;
	if (free_id == 0)
		return -ENOSPC;
	struct dp_nh *nh = &f->nh[free_id];
	*nh = *tmpl;
	nh->refcnt = 1;
	nh->mac = nh_resolve(f, nh); /* a gateway resolved before its first route */
	/* the entry is complete before any route can point at it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return (int)free_id;
}

void dp_fib_nh_put(struct dp_fib *f, uint32_t id)
{
	if (id == 0 || id > DP_NH_MAX || f->nh[id].refcnt == 0)
		return;
	f->nh[id].refcnt--;
}

static bool nh_is_gw(const struct dp_nh *nh, const struct dp_neigh_key *k)
{
	return nh->type == NH_FWD && nh->family == k->family && nh->ifindex == k->ifindex &&
	       memcmp(nh->gw, k->addr, k->family == AF_INET ? 4 : 16) == 0;
}

/*
 * Free entries are kept in step too: nothing may reference them, but if something still did,
 * it would see its own gateway's state rather than a MAC the table no longer has.
 */
void dp_fib_nh_neigh(struct dp_fib *f, const struct dp_neigh_key *k,
		     const struct rte_ether_addr *mac)
{
	uint64_t v = mac_word(mac);
	for (uint32_t id = 1; id < f->nh_end; id++) {
		if (nh_is_gw(&f->nh[id], k))
			nh_mac_store(&f->nh[id], v);
	}
	gen_bump(f);
}

void dp_fib_nh_resync(struct dp_fib *f)
{
	for (uint32_t id = 1; id < f->nh_end; id++)
		nh_mac_store(&f->nh[id], nh_resolve(f, &f->nh[id]));
	gen_bump(f);
}
