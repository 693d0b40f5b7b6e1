/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/nbr.c - neighbor resolution state machine (see nbr.h for the states and timers).
 * A neighbor reaches the workers only through dp_neigh_set (learned) and dp_neigh_del (freed
 * while published); those also rewrite the MAC cached in every gateway next hop on it
 * (dataplane/neigh.h, fib.h), so no state change here can leave a next hop behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctrlplane/arp.h"
#include "ctrlplane/nbr.h"
#include "ctrlplane/nd.h"
#include "dataplane/neigh.h"

struct nbr_entry {
	struct dp_neigh_key key;
	struct rte_ether_addr mac;
	uint8_t state;
	uint8_t tries;
	uint8_t nq;
	uint64_t updated_tsc;
	struct rte_timer tim;
	struct nbr_cache *owner;
	struct rte_mbuf *q[NBR_QUEUE_PER_ENTRY];
};

struct nbr_cache {
	struct ctrl *c;
	struct rte_hash *h; /* key -> position in e[] */
	struct nbr_entry *e;
	unsigned int cap;
	unsigned int count;
	unsigned int queued;
};

static const char *const state_names[] = {
	[NBR_FREE] = "free",   [NBR_INCOMPLETE] = "incomplete", [NBR_REACHABLE] = "reachable",
	[NBR_PROBE] = "probe", [NBR_FAILED] = "failed",
};

const char *nbr_state_name(uint8_t state)
{
	return state < RTE_DIM(state_names) ? state_names[state] : "?";
}

struct nbr_cache *nbr_create(struct ctrl *c, unsigned int max)
{
	char name[RTE_HASH_NAMESIZE];
	snprintf(name, sizeof(name), "nbr_%p", (void *)c);
	struct rte_hash_parameters p = {
		.name = name,
		.entries = max,
		.key_len = sizeof(struct dp_neigh_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	struct nbr_cache *n = rte_zmalloc("nbr", sizeof(*n), 0);
	if (n == NULL)
		return NULL;
	n->c = c;
	n->h = rte_hash_create(&p);
	if (n->h != NULL) {
		n->cap = rte_hash_max_key_id(n->h) + 1;
		n->e = rte_zmalloc("nbr_e", sizeof(*n->e) * n->cap, RTE_CACHE_LINE_SIZE);
	}
	if (n->h == NULL || n->e == NULL) {
		nbr_destroy(n);
		return NULL;
	}
	return n;
}

static void queue_drop(struct nbr_cache *n, struct nbr_entry *e, enum dp_drop why)
{
	for (uint8_t i = 0; i < e->nq; i++)
		ctrl_drop(n->c, e->q[i], why);
	n->queued -= e->nq;
	e->nq = 0;
}

void nbr_destroy(struct nbr_cache *n)
{
	if (n == NULL)
		return;
	for (unsigned int i = 0; n->e != NULL && i < n->cap; i++) {
		if (n->e[i].state == NBR_FREE)
			continue;
		rte_timer_stop(&n->e[i].tim); /* this lcore runs them: never RUNNING here */
		queue_drop(n, &n->e[i], DP_DROP_NEIGH_FAILED);
	}
	rte_hash_free(n->h);
	rte_free(n->e);
	rte_free(n);
}

static uint64_t ms_to_tsc(uint64_t ms)
{
	return rte_get_timer_hz() / 1000 * ms;
}

static void on_timer(struct rte_timer *t, void *arg);

static void arm(struct nbr_entry *e, uint64_t ms)
{
	/* cannot fail: the timer belongs to this lcore and the subsystem is up (ctrl_init) */
	rte_timer_reset_sync(&e->tim, ms_to_tsc(ms), SINGLE, rte_lcore_id(), on_timer, e);
}

static void solicit(struct ctrl *c, struct nbr_entry *e, bool unicast)
{
	const struct iface *ifc = iface_get(c->dp->ifaces, e->key.ifindex);
	if (ifc == NULL)
		return;
	const struct rte_ether_addr *dst = unicast ? &e->mac : NULL;
	if (e->key.family == AF_INET)
		arp_request(c, ifc, e->key.addr, dst);
	else
		nd_solicit(c, ifc, e->key.addr, dst);
}

static void entry_free(struct nbr_cache *n, struct nbr_entry *e)
{
	struct ctrl *c = n->c;
	rte_timer_stop(&e->tim);
	if (e->state == NBR_REACHABLE || e->state == NBR_PROBE)
		dp_neigh_del(c->dp->neigh, &e->key);
	queue_drop(n, e, DP_DROP_NEIGH_FAILED);
	rte_spinlock_lock(&c->lock);
	rte_hash_del_key(n->h, &e->key);
	e->state = NBR_FREE;
	n->count--;
	rte_spinlock_unlock(&c->lock);
}

static void set_state(struct ctrl *c, struct nbr_entry *e, uint8_t st)
{
	rte_spinlock_lock(&c->lock);
	e->state = st;
	rte_spinlock_unlock(&c->lock);
}

static void on_timer(struct rte_timer *t, void *arg)
{
	struct nbr_entry *e = arg;
	struct nbr_cache *n = e->owner;
	RTE_SET_USED(t);
	switch (e->state) {
	case NBR_INCOMPLETE:
	case NBR_PROBE:
		if (e->tries >= NBR_RETRIES) {
			if (e->state == NBR_PROBE) {
				entry_free(n, e);
				return;
			}
			queue_drop(n, e, DP_DROP_NEIGH_FAILED);
			set_state(n->c, e, NBR_FAILED);
			arm(e, NBR_FAILED_HOLD_MS);
			return;
		}
		e->tries++;
		solicit(n->c, e, e->state == NBR_PROBE);
		arm(e, NBR_RETRANS_MS);
		break;
	case NBR_REACHABLE:
		set_state(n->c, e, NBR_PROBE);
		e->tries = 1;
		solicit(n->c, e, true);
		arm(e, NBR_RETRANS_MS);
		break;
	case NBR_FAILED:
		entry_free(n, e);
		break;
	default:
		break;
	}
}

static struct nbr_entry *find(struct nbr_cache *n, const struct dp_neigh_key *k)
{
	int pos = rte_hash_lookup(n->h, k);
	return pos < 0 ? NULL : &n->e[pos];
}

static struct nbr_entry *create(struct nbr_cache *n, const struct dp_neigh_key *k)
{
	rte_spinlock_lock(&n->c->lock);
	int pos = rte_hash_add_key(n->h, k);
	if (pos >= 0) {
		struct nbr_entry *e = &n->e[pos];
		memset(e, 0, sizeof(*e));
		e->key = *k;
		e->owner = n;
		e->state = NBR_INCOMPLETE;
		e->updated_tsc = rte_get_timer_cycles();
		rte_timer_init(&e->tim);
		n->count++;
	}
	rte_spinlock_unlock(&n->c->lock);
	return pos < 0 ? NULL : &n->e[pos];
}

static void send_to(struct ctrl *c, const struct iface *out, const struct rte_ether_addr *mac,
		    struct rte_mbuf *mb)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	eth->dst_addr = *mac;
	eth->src_addr = out->mac;
	ctrl_tx(c, out, mb);
}

static void enqueue(struct nbr_cache *n, struct nbr_entry *e, struct rte_mbuf *mb)
{
	if (e->nq >= NBR_QUEUE_PER_ENTRY || n->queued >= NBR_QUEUE_TOTAL) {
		ctrl_drop(n->c, mb, DP_DROP_NEIGH_QUEUE_FULL);
		return;
	}
	e->q[e->nq++] = mb;
	n->queued++;
}

void nbr_resolve(struct ctrl *c, const struct iface *out, int family, const uint8_t *addr,
		 struct rte_mbuf *mb)
{
	struct nbr_cache *n = c->nbr;
	struct dp_neigh_key k;
	dp_neigh_key_make(&k, out->ifindex, (uint8_t)family, addr);
	struct nbr_entry *e = find(n, &k);
	if (e == NULL) {
		e = create(n, &k);
		if (e == NULL) {
			ctrl_drop(c, mb, DP_DROP_NEIGH_QUEUE_FULL);
			return;
		}
		e->tries = 1;
		solicit(c, e, false);
		arm(e, NBR_RETRANS_MS);
	}
	switch (e->state) {
	case NBR_REACHABLE:
	case NBR_PROBE:
		send_to(c, out, &e->mac, mb);
		break;
	case NBR_FAILED:
		ctrl_drop(c, mb, DP_DROP_NEIGH_FAILED);
		break;
	default:
		enqueue(n, e, mb);
		break;
	}
}

static void flush_queue(struct nbr_cache *n, struct nbr_entry *e)
{
	const struct iface *out = iface_get(n->c->dp->ifaces, e->key.ifindex);
	for (uint8_t i = 0; i < e->nq; i++) {
		if (out != NULL)
			send_to(n->c, out, &e->mac, e->q[i]);
		else
			ctrl_drop(n->c, e->q[i], DP_DROP_NO_ROUTE);
	}
	n->queued -= e->nq;
	e->nq = 0;
}

void nbr_learn(struct ctrl *c, const struct iface *ifc, int family, const uint8_t *addr,
	       const struct rte_ether_addr *mac, bool create_it)
{
	struct nbr_cache *n = c->nbr;
	struct dp_neigh_key k;
	dp_neigh_key_make(&k, ifc->ifindex, (uint8_t)family, addr);
	struct nbr_entry *e = find(n, &k);
	if (e == NULL && (!create_it || (e = create(n, &k)) == NULL))
		return;
	if (rte_is_multicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return;
	rte_spinlock_lock(&c->lock);
	e->mac = *mac;
	e->state = NBR_REACHABLE;
	e->tries = 0;
	e->updated_tsc = rte_get_timer_cycles();
	rte_spinlock_unlock(&c->lock);
	dp_neigh_set(c->dp->neigh, &k, mac);
	flush_queue(n, e);
	arm(e, (uint64_t)NBR_REACHABLE_S * 1000);
}

unsigned int nbr_snapshot(struct ctrl *c, struct nbr_info *out, unsigned int start,
			  unsigned int max, unsigned int *total)
{
	struct nbr_cache *n = c->nbr;
	unsigned int seen = 0, got = 0;
	uint64_t now = rte_get_timer_cycles(), hz = rte_get_timer_hz();
	rte_spinlock_lock(&c->lock);
	for (unsigned int i = 0; i < n->cap; i++) {
		const struct nbr_entry *e = &n->e[i];
		if (e->state == NBR_FREE)
			continue;
		if (seen++ < start || got >= max)
			continue;
		struct nbr_info *o = &out[got++];
		o->family = e->key.family;
		memcpy(o->addr, e->key.addr, 16);
		o->mac = e->mac;
		o->ifindex = e->key.ifindex;
		o->state = e->state;
		o->age_s = (uint32_t)((now - e->updated_tsc) / hz);
		o->queued = e->nq;
	}
	*total = n->count;
	rte_spinlock_unlock(&c->lock);
	return got;
}
