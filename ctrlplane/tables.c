/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/tables.c - interfaces and routes from the config into the worker tables.
 *
 * Every route gets a RIB entry (what operators see) and a FIB route to a shared next hop.
 * Connected subnets forward to the destination itself; the hub's addresses (and IPv4 subnet
 * broadcast addresses) are local and punt to the control lcore.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "ctrlplane/tables.h"
#include "dataplane/fib.h"

#define FIB_BATCH 64

struct loader {
	struct ctrl *c;
	struct dp_fib_op ops[FIB_BATCH];
	unsigned int n;
	char *err;
	size_t errlen;
};

const char *tables_rib_type_name(uint8_t type)
{
	switch (type) {
	case RIB_CONNECTED:
		return "connected";
	case RIB_STATIC:
		return "static";
	case RIB_LOCAL:
		return "local";
	case RIB_IKE:
		return "ike";
	default:
		return "?";
	}
}

static void copy_addrs(struct iface_addr *dst, const struct cfg_addr *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		dst[i].family = src[i].family;
		dst[i].plen = src[i].plen;
		memcpy(dst[i].addr, src[i].bytes, 16);
	}
}

struct iface *tables_iface_new(const struct cfg_iface *ci, uint16_t port_id, uint16_t mtu)
{
	struct iface *ifc = rte_zmalloc("iface", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return NULL;
	ifc->port_id = port_id;
	ifc->mtu = mtu;
	ifc->kind = IFACE_ETHER;
	ifc->up = 1;
	rte_eth_macaddr_get(port_id, &ifc->mac);
	snprintf(ifc->name, sizeof(ifc->name), "%s", ci->name);
	snprintf(ifc->port_name, sizeof(ifc->port_name), "%s", ci->port);
	copy_addrs(ifc->v4, ci->v4, ci->n_v4);
	ifc->n_v4 = ci->n_v4;
	copy_addrs(ifc->v6, ci->v6, ci->n_v6);
	ifc->n_v6 = ci->n_v6;
	struct iface_addr *ll = &ifc->v6[ifc->n_v6++];
	ll->family = AF_INET6;
	ll->plen = 64;
	iface_link_local(&ifc->mac, ll->addr);
	return ifc;
}

static void mask(uint8_t *a, unsigned int plen, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
		a[i] &= bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
	}
}

static int flush(struct loader *l)
{
	int rc = dp_fib_apply(l->c->dp->fib, l->ops, l->n);
	if (rc != 0)
		snprintf(l->err, l->errlen, "FIB update failed: %s", strerror(-rc));
	l->n = 0;
	return rc;
}

/* Record a route in the RIB and queue its FIB op. */
static int add(struct loader *l, uint8_t type, uint8_t family, const uint8_t *prefix, uint8_t plen,
	       const struct dp_nh *nh)
{
	struct rib *rib = &l->c->rib;
	if (rib->n == rib->max) {
		snprintf(l->err, l->errlen, "too many routes (%u)", rib->max);
		return -ENOSPC;
	}
	int id = dp_fib_nh_get(l->c->dp->fib, nh);
	if (id < 0) {
		snprintf(l->err, l->errlen, "out of next hops");
		return id;
	}
	struct rib_entry *e = &rib->e[rib->n++];
	memset(e, 0, sizeof(*e));
	e->family = family;
	e->plen = plen;
	e->type = type;
	memcpy(e->prefix, prefix, family == AF_INET ? 4 : 16);
	mask(e->prefix, plen, 16);
	e->has_via = nh->family != 0;
	memcpy(e->via, nh->gw, 16);
	e->ifindex = nh->ifindex;
	e->nh = (uint32_t)id;
	struct dp_fib_op *op = &l->ops[l->n++];
	op->family = family;
	op->plen = plen;
	memcpy(op->prefix, e->prefix, 16);
	op->nh = (uint32_t)id;
	return l->n == FIB_BATCH ? flush(l) : 0;
}

static int iface_routes(struct loader *l, const struct iface *ifc)
{
	struct dp_nh conn = {.type = NH_FWD, .ifindex = ifc->ifindex};
	struct dp_nh local = {.type = NH_LOCAL, .ifindex = ifc->ifindex};
	int rc = 0;
	for (unsigned int i = 0; i < ifc->n_v4 && rc == 0; i++) {
		const struct iface_addr *a = &ifc->v4[i];
		rc = add(l, RIB_CONNECTED, AF_INET, a->addr, a->plen, &conn);
		if (rc == 0)
			rc = add(l, RIB_LOCAL, AF_INET, a->addr, 32, &local);
		if (rc == 0 && a->plen <= 30) {
			uint8_t bcast[16] = {0};
			uint32_t v, hostmask = (1u << (32 - a->plen)) - 1;
			memcpy(&v, a->addr, 4);
			v = htonl(ntohl(v) | hostmask);
			memcpy(bcast, &v, 4);
			rc = add(l, RIB_LOCAL, AF_INET, bcast, 32, &local);
		}
	}
	/* the derived link-local (last v6 entry) is handled by classify, not the FIB */
	for (unsigned int i = 0; i + 1 < ifc->n_v6 && rc == 0; i++) {
		const struct iface_addr *a = &ifc->v6[i];
		rc = add(l, RIB_CONNECTED, AF_INET6, a->addr, a->plen, &conn);
		if (rc == 0)
			rc = add(l, RIB_LOCAL, AF_INET6, a->addr, 128, &local);
	}
	return rc;
}

static int static_route(struct loader *l, const struct config *cfg, const struct cfg_route *r)
{
	const char *name = r->tunnel >= 0  ? cfg->tunnels[r->tunnel].name
			   : r->iface >= 0 ? cfg->ifaces[r->iface].name
					   : NULL;
	struct iface *ifc = name != NULL ? iface_by_name(l->c->dp->ifaces, name) : NULL;
	if (ifc == NULL) {
		snprintf(l->err, l->errlen, "%s:%u: route has no usable interface", cfg->file,
			 r->line);
		return -ENODEV;
	}
	struct dp_nh nh = {.type = NH_FWD, .ifindex = ifc->ifindex, .family = r->via.family};
	if (r->via.family != 0)
		memcpy(nh.gw, r->via.bytes, 16);
	return add(l, RIB_STATIC, r->prefix.family, r->prefix.bytes, r->prefix.plen, &nh);
}

int tables_routes_load(struct ctrl *c, const struct config *cfg, char *err, size_t errlen)
{
	struct loader l = {.c = c, .err = err, .errlen = errlen};
	int rc = 0;
	c->rib.max = cfg->n_routes + cfg->n_ifaces * (CFG_ADDRS_MAX * 5) + TABLES_DYNAMIC_MAX;
	c->rib.e = rte_zmalloc("rib", sizeof(*c->rib.e) * c->rib.max, 0);
	if (c->rib.e == NULL)
		return -ENOMEM;
	for (unsigned int i = 1; i < IFACE_MAX && rc == 0; i++) {
		const struct iface *ifc = iface_get(c->dp->ifaces, (uint16_t)i);
		if (ifc != NULL)
			rc = iface_routes(&l, ifc);
	}
	for (unsigned int i = 0; i < cfg->n_routes && rc == 0; i++)
		rc = static_route(&l, cfg, &cfg->routes[i]);
	if (rc == 0 && l.n > 0)
		rc = flush(&l);
	return rc;
}

void tables_routes_free(struct ctrl *c)
{
	rte_free(c->rib.e);
	c->rib.e = NULL;
	c->rib.n = 0;
}

int tables_route_add(struct ctrl *c, uint8_t family, const uint8_t *prefix, uint8_t plen,
		     uint16_t ifindex)
{
	char err[128];
	struct loader l = {.c = c, .err = err, .errlen = sizeof(err)};
	struct dp_nh nh = {.type = NH_FWD, .ifindex = ifindex};
	rte_spinlock_lock(&c->lock);
	int rc = add(&l, RIB_IKE, family, prefix, plen, &nh);
	rte_spinlock_unlock(&c->lock);
	return rc == 0 && l.n > 0 ? flush(&l) : rc;
}

static bool same_prefix(const struct rib_entry *e, uint8_t family, const uint8_t *p, uint8_t plen)
{
	return e->family == family && e->plen == plen && memcmp(e->prefix, p, 16) == 0;
}

int tables_route_del(struct ctrl *c, uint8_t family, const uint8_t *prefix, uint8_t plen,
		     uint16_t ifindex)
{
	struct rib *rib = &c->rib;
	struct dp_fib_op op = {.family = family, .plen = plen};
	memcpy(op.prefix, prefix, family == AF_INET ? 4 : 16);
	mask(op.prefix, plen, 16);
	rte_spinlock_lock(&c->lock);
	unsigned int i;
	for (i = 0; i < rib->n; i++)
		if (rib->e[i].type == RIB_IKE && rib->e[i].ifindex == ifindex &&
		    same_prefix(&rib->e[i], family, op.prefix, plen))
			break;
	if (i == rib->n) {
		rte_spinlock_unlock(&c->lock);
		return -ENOENT;
	}
	uint32_t nh = rib->e[i].nh;
	rib->e[i] = rib->e[--rib->n];
	for (unsigned int j = 0; j < rib->n && op.nh == DP_NH_NONE; j++)
		if (same_prefix(&rib->e[j], family, op.prefix, plen))
			op.nh = rib->e[j].nh; /* what the injected route was hiding */
	rte_spinlock_unlock(&c->lock);
	int rc = dp_fib_apply(c->dp->fib, &op, 1);
	dp_fib_nh_put(c->dp->fib, nh);
	return rc;
}
