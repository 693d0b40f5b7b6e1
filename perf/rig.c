/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/rig.c - the two-port rig the forward paths run on. Main lcore only, worker lcore idle.
 *
 *   generator (main lcore)                     worker lcore (dp_worker_main, n_workers = 1)
 *   gport[LAN] tx --ring to_worker[LAN]------> wport[LAN] rx q0    lan, ifindex 1
 *   gport[LAN] rx <-ring from_worker[LAN]----- wport[LAN] tx q0    (tx q1: ring ctl[LAN])
 *   gport[WAN] tx --ring to_worker[WAN]------> wport[WAN] rx q0    wan, ifindex 2
 *   gport[WAN] rx <-ring from_worker[WAN]----- wport[WAN] tx q0    (tx q1: ring ctl[WAN])
 *
 * Every ring is single-producer/single-consumer and holds more than the mbufs in flight, so a
 * TX queue never overflows. The control TX queues (q1) have their own rings: no control lcore
 * runs here, so anything found on them is an error. Tables: connected and local routes of both
 * interfaces, one gateway per family on wan (neighbor installed), and `routes` remote prefixes
 * per family via that gateway: IPv4 /24s from 16.0.0.0 upward, IPv6 /64s from 2001:db8:1000::.
 * The SA table exists from the start, empty; the esp rows install their tunnels themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eth_ring.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/port.h"
#include "dataplane/sa.h"
#include "perf/bench.h"

#define RIG_MTU	       1500
#define RIG_MAX_ROUTES 100000
#define RIG_DP_MBUFS   1023 /* the worker's RX pool; ring ports never draw from it */
#define FIB_BATCH      64

static const char *const side[RIG_N] = {"lan", "wan"};
static const uint8_t lan4[4] = {10, 0, 0, 1};
static const uint8_t wan4[4] = {192, 0, 2, 2};
static const uint8_t gw4[4] = {192, 0, 2, 1};
static const uint8_t lan6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1};
static const uint8_t wan6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 2};
static const uint8_t gw6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1};
static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0xee, 0x01}};

void rig_prefix4(uint32_t i, uint8_t out[4])
{
	uint32_t a = (16u << 24) + (i << 8);
	out[0] = (uint8_t)(a >> 24);
	out[1] = (uint8_t)(a >> 16);
	out[2] = (uint8_t)(a >> 8);
	out[3] = 0;
}

/* 2001:db8:10XX:YYYY::/64 with XXYYYY = i: few tbl8 groups in the rte_fib6 trie. */
void rig_prefix6(uint32_t i, uint8_t out[16])
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8, 0x10};
	memcpy(out, base, 16);
	out[5] = (uint8_t)(i >> 16);
	out[6] = (uint8_t)(i >> 8);
	out[7] = (uint8_t)i;
}

static struct rte_ring *ring(const char *what, unsigned int i, unsigned int size)
{
	char name[RTE_RING_NAMESIZE];
	snprintf(name, sizeof(name), "bench_%s_%s", what, side[i]);
	return rte_ring_create(name, size, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
}

/* Configure and start a generator port: one RX and one TX queue. */
static int gport_start(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	int rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 1024, (unsigned int)rte_socket_id(), NULL,
					    pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 1024, (unsigned int)rte_socket_id(), NULL);
	return rc == 0 ? rte_eth_dev_start(port) : rc;
}

static int ports_make(struct rig *r, unsigned int ring_size)
{
	for (unsigned int i = 0; i < RIG_N; i++) {
		char name[32];
		r->to_worker[i] = ring("to", i, ring_size);
		r->from_worker[i] = ring("from", i, ring_size);
		r->ctl[i] = ring("ctl", i, ring_size);
		if (!r->to_worker[i] || !r->from_worker[i] || !r->ctl[i])
			return -ENOMEM;
		struct rte_ring *wtx[2] = {r->from_worker[i], r->ctl[i]};
		snprintf(name, sizeof(name), "bench_w%s", side[i]);
		int p = rte_eth_from_rings(name, &r->to_worker[i], 1, wtx, 2, rte_socket_id());
		snprintf(name, sizeof(name), "bench_g%s", side[i]);
		int q = rte_eth_from_rings(name, &r->from_worker[i], 1, &r->to_worker[i], 1,
					   rte_socket_id());
		if (p < 0 || q < 0)
			return -rte_errno;
		r->wport[i] = (uint16_t)p;
		r->gport[i] = (uint16_t)q;
		int rc = gport_start(r->gport[i], r->pool);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void iface_addr_set(struct iface_addr *a, int family, const uint8_t *addr, uint8_t plen)
{
	a->family = (uint8_t)family;
	a->plen = plen;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
}

/* Publish interface i on its worker port and set the port up for the data plane. */
static int iface_up(struct rig *r, unsigned int i, char *err, size_t errlen)
{
	struct iface *ifc = rte_zmalloc("iface", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -ENOMEM;
	ifc->ifindex = (uint16_t)(i + 1);
	ifc->port_id = r->wport[i];
	ifc->mtu = RIG_MTU;
	ifc->kind = IFACE_ETHER;
	ifc->up = 1;
	ifc->mac = r->wmac[i];
	snprintf(ifc->name, sizeof(ifc->name), "%s0", side[i]);
	iface_addr_set(&ifc->v4[ifc->n_v4++], AF_INET, i == RIG_LAN ? lan4 : wan4, 24);
	iface_addr_set(&ifc->v6[ifc->n_v6++], AF_INET6, i == RIG_LAN ? lan6 : wan6, 64);
	int rc = iface_publish(r->dp->ifaces, ifc);
	if (rc < 0) {
		rte_free(ifc);
		return rc;
	}
	return dp_port_setup(r->dp, r->wport[i], ifc->ifindex, 1, 2, RIG_MTU, err, errlen);
}

uint64_t rig_heap_bytes(void)
{
	uint64_t total = 0;
	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			total += st.heap_allocsz_bytes;
	}
	return total;
}

static int tables_make(struct rig *r, uint32_t sa_cap)
{
	struct dp *dp = r->dp;
	int socket = (int)rte_socket_id();
	dp->ifaces = iface_table_create(dp->qsbr);
	dp->fib = dp_fib_create("bench", dp->qsbr, 2 * RIG_MAX_ROUTES + 64, socket);
	dp->neigh = dp_neigh_create("bench", 64, dp->qsbr, socket);
	uint64_t heap = rig_heap_bytes();
	dp->sas = sa_table_create("bench", sa_cap, dp->qsbr, socket);
	r->sa_table_bytes = rig_heap_bytes() - heap;
	return dp->ifaces && dp->fib && dp->neigh && dp->sas ? 0 : -ENOMEM;
}

static void op_set(struct dp_fib_op *op, int family, const uint8_t *prefix, uint8_t plen,
		   uint32_t nh)
{
	memset(op, 0, sizeof(*op));
	op->family = (uint8_t)family;
	op->plen = plen;
	memcpy(op->prefix, prefix, family == AF_INET ? 4 : 16);
	op->nh = nh;
}

int rig_nh_get(struct rig *r, int family, uint8_t type, uint16_t ifindex, const uint8_t *gw)
{
	struct dp_nh t = {.type = type, .ifindex = ifindex};
	if (gw != NULL) {
		t.family = (uint8_t)family;
		memcpy(t.gw, gw, family == AF_INET ? 4 : 16);
	}
	return dp_fib_nh_get(r->dp->fib, &t);
}

int rig_route4(struct rig *r, const uint8_t prefix[4], uint8_t plen, uint32_t nh)
{
	struct dp_fib_op op;
	op_set(&op, AF_INET, prefix, plen, nh);
	return dp_fib_apply(r->dp->fib, &op, 1);
}

int rig_mtu_set(struct rig *r, unsigned int which, uint16_t mtu)
{
	const struct iface *old = iface_get(r->dp->ifaces, (uint16_t)(which + 1));
	if (old == NULL)
		return -ENOENT;
	struct iface *ifc = rte_malloc("iface", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -ENOMEM;
	*ifc = *old;
	ifc->mtu = mtu;
	int rc = iface_publish(r->dp->ifaces, ifc);
	if (rc < 0)
		rte_free(ifc);
	return rc < 0 ? rc : 0;
}

/* Connected and local routes of both interfaces, as the control plane installs them. */
static int base_routes(struct rig *r)
{
	struct dp_fib_op ops[4 * RIG_N];
	unsigned int n = 0;
	for (unsigned int i = 0; i < RIG_N; i++) {
		uint16_t ifx = (uint16_t)(i + 1);
		int conn4 = rig_nh_get(r, AF_INET, NH_FWD, ifx, NULL);
		int local = rig_nh_get(r, AF_INET, NH_LOCAL, ifx, NULL);
		if (conn4 < 0 || local < 0)
			return -ENOSPC;
		uint8_t net4[4], net6[16];
		memcpy(net4, i == RIG_LAN ? lan4 : wan4, 4);
		memcpy(net6, i == RIG_LAN ? lan6 : wan6, 16);
		op_set(&ops[n++], AF_INET, net4, 32, (uint32_t)local);
		op_set(&ops[n++], AF_INET6, net6, 128, (uint32_t)local);
		net4[3] = 0;
		net6[15] = 0;
		op_set(&ops[n++], AF_INET, net4, 24, (uint32_t)conn4);
		op_set(&ops[n++], AF_INET6, net6, 64, (uint32_t)conn4);
	}
	return dp_fib_apply(r->dp->fib, ops, n);
}

/* The gateway of each family on wan, its neighbor entry, and its next hop for remote routes. */
static int gateways(struct rig *r)
{
	struct dp_neigh_key k;
	int nh4 = rig_nh_get(r, AF_INET, NH_FWD, RIG_WAN + 1, gw4);
	int nh6 = rig_nh_get(r, AF_INET6, NH_FWD, RIG_WAN + 1, gw6);
	if (nh4 < 0 || nh6 < 0)
		return -ENOSPC;
	r->nh[0] = (uint32_t)nh4;
	r->nh[1] = (uint32_t)nh6;
	dp_neigh_key_make(&k, RIG_WAN + 1, AF_INET, gw4);
	int rc = dp_neigh_set(r->dp->neigh, &k, &gw_mac);
	if (rc == 0) {
		dp_neigh_key_make(&k, RIG_WAN + 1, AF_INET6, gw6);
		rc = dp_neigh_set(r->dp->neigh, &k, &gw_mac);
	}
	return rc;
}

int rig_create(struct rig *r, unsigned int inflight, uint32_t sa_cap, char *err, size_t errlen)
{
	unsigned int ring_size = rte_align32pow2(2 * inflight);
	int rc;

	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < RIG_N; i++)
		r->wport[i] = r->gport[i] = RTE_MAX_ETHPORTS;
	for (unsigned int i = 0; i < RIG_N; i++)
		r->wmac[i] = (struct rte_ether_addr){{0x02, 0, 0, 0, 0x01, (uint8_t)(i + 1)}};
	r->gmac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0x02, 0x01}};
	r->dp = dp_create(1, RIG_DP_MBUFS, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	/* cache 0: the pool's count is exact, so a lost mbuf is noticed after every row */
	r->pool = rte_pktmbuf_pool_create("bench_gen", inflight, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (r->dp == NULL || r->pool == NULL || tables_make(r, sa_cap) != 0) {
		snprintf(err, errlen, "out of memory creating the data plane");
		return -ENOMEM;
	}
	rc = ports_make(r, ring_size);
	if (rc != 0) {
		snprintf(err, errlen, "ring ports: %s", strerror(-rc));
		return rc;
	}
	for (unsigned int i = 0; i < RIG_N && rc == 0; i++)
		rc = iface_up(r, i, err, errlen);
	if (rc == 0)
		rc = dp_worker_tx_setup(r->dp);
	if (rc == 0)
		rc = base_routes(r);
	if (rc == 0)
		rc = gateways(r);
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "rig set-up: %s", strerror(-rc));
	return rc;
}

static void remote_op(struct rig *r, int family, uint32_t i, struct dp_fib_op *op)
{
	uint8_t p[16];
	if (family == AF_INET)
		rig_prefix4(i, p);
	else
		rig_prefix6(i, p);
	op_set(op, family, p, family == AF_INET ? 24 : 64, r->nh[family == AF_INET ? 0 : 1]);
}

/*
 * Grow one family's remote routes to want. A FIB that runs out of room (-ENOSPC) is not an
 * error: the family stays at the last route that fitted (found one route at a time), marked full.
 */
static int grow(struct rig *r, int family, uint32_t want)
{
	unsigned int f = family == AF_INET ? 0 : 1;
	struct dp_fib_op ops[FIB_BATCH];
	while (r->routes[f] < want && !r->full[f]) {
		unsigned int n = RTE_MIN(want - r->routes[f], (uint32_t)FIB_BATCH);
		for (unsigned int k = 0; k < n; k++)
			remote_op(r, family, r->routes[f] + k, &ops[k]);
		int rc = dp_fib_apply(r->dp->fib, ops, n);
		if (rc == 0) {
			r->routes[f] += n;
			continue;
		}
		if (rc != -ENOSPC)
			return rc;
		for (unsigned int k = 0; k < n && rc != 0; k++) {
			rc = dp_fib_apply(r->dp->fib, &ops[k], 1);
			if (rc != 0)
				break;
			r->routes[f]++;
			rc = -ENOSPC; /* go on one at a time */
		}
		r->full[f] = rc == -ENOSPC;
		if (rc != -ENOSPC)
			return rc;
	}
	return 0;
}

int rig_grow(struct rig *r, uint32_t routes, char *err, size_t errlen)
{
	if (routes > RIG_MAX_ROUTES) {
		snprintf(err, errlen, "at most %u routes", RIG_MAX_ROUTES);
		return -E2BIG;
	}
	int rc = grow(r, AF_INET, routes);
	if (rc == 0)
		rc = grow(r, AF_INET6, routes);
	if (rc != 0)
		snprintf(err, errlen, "FIB at %u/%u routes: %s", r->routes[0], r->routes[1],
			 strerror(-rc));
	return rc;
}

static unsigned int ring_free_all(struct rte_ring *rg)
{
	struct rte_mbuf *mb[BURST_MAX];
	unsigned int n, total = 0;
	while (rg != NULL && (n = rte_ring_dequeue_burst(rg, (void **)mb, BURST_MAX, NULL)) > 0) {
		rte_pktmbuf_free_bulk(mb, n);
		total += n;
	}
	return total;
}

unsigned int rig_drain(struct rig *r, uint64_t *ctlq, uint64_t *punts)
{
	unsigned int total = 0;
	for (unsigned int i = 0; i < RIG_N; i++) {
		total += ring_free_all(r->to_worker[i]);
		total += ring_free_all(r->from_worker[i]);
		unsigned int c = ring_free_all(r->ctl[i]);
		*ctlq += c;
		total += c;
	}
	if (r->dp != NULL) {
		unsigned int p = ring_free_all(r->dp->workers[0].punt);
		*punts += p;
		total += p;
	}
	return total;
}

static void port_close(uint16_t port)
{
	if (!rte_eth_dev_is_valid_port(port))
		return;
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

void rig_destroy(struct rig *r)
{
	uint64_t dummy = 0;
	rig_drain(r, &dummy, &dummy);
	for (unsigned int i = 0; i < RIG_N; i++)
		port_close(r->gport[i]);
	if (r->dp != NULL) {
		dp_port_close_all(r->dp);
		sa_table_destroy(r->dp->sas);
		dp_neigh_destroy(r->dp->neigh);
		dp_fib_destroy(r->dp->fib);
		iface_table_destroy(r->dp->ifaces);
		dp_destroy(r->dp);
	}
	for (unsigned int i = 0; i < RIG_N; i++) {
		port_close(r->wport[i]); /* created but never set up */
		rte_ring_free(r->to_worker[i]);
		rte_ring_free(r->from_worker[i]);
		rte_ring_free(r->ctl[i]);
	}
	rte_mempool_free(r->pool);
	memset(r, 0, sizeof(*r));
	for (unsigned int i = 0; i < RIG_N; i++)
		r->wport[i] = r->gport[i] = RTE_MAX_ETHPORTS;
}
