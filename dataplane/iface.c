/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/iface.c - interface table publication (control lcore) and address helpers.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "dataplane/iface.h"

struct iface_table *iface_table_create(struct rte_rcu_qsbr *qsbr)
{
	struct iface_table *t = rte_zmalloc("iface_table", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (t != NULL)
		t->qsbr = qsbr;
	return t;
}

void iface_table_destroy(struct iface_table *t)
{
	if (t == NULL)
		return;
	for (unsigned int i = 0; i < IFACE_MAX; i++)
		rte_free(t->slot[i]);
	rte_free(t);
}

/* Wait until no worker can still hold a pointer loaded before now. */
static void grace(struct iface_table *t)
{
	if (t->qsbr != NULL)
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
}

int iface_publish(struct iface_table *t, struct iface *ifc)
{
	uint16_t idx = ifc->ifindex;
	if (idx == 0) {
		for (idx = 1; idx < IFACE_MAX && t->slot[idx] != NULL; idx++)
			;
		if (idx == IFACE_MAX)
			return -ENOSPC;
		ifc->ifindex = idx;
	}
	if (idx >= IFACE_MAX)
		return -EINVAL;
	struct iface *old = t->slot[idx];
	__atomic_store_n(&t->slot[idx], ifc, __ATOMIC_RELEASE);
	__atomic_fetch_add(&t->gen, 1, __ATOMIC_RELEASE);
	if (old != NULL) {
		grace(t);
		rte_free(old);
	}
	return idx;
}

int iface_remove(struct iface_table *t, uint16_t ifindex)
{
	if (ifindex == 0 || ifindex >= IFACE_MAX || t->slot[ifindex] == NULL)
		return -ENOENT;
	struct iface *old = t->slot[ifindex];
	__atomic_store_n(&t->slot[ifindex], NULL, __ATOMIC_RELEASE);
	__atomic_fetch_add(&t->gen, 1, __ATOMIC_RELEASE);
	grace(t);
	rte_free(old);
	return 0;
}

struct iface *iface_by_name(const struct iface_table *t, const char *name)
{
	for (unsigned int i = 1; i < IFACE_MAX; i++) {
		struct iface *ifc = iface_get(t, i);
		if (ifc != NULL && strcmp(ifc->name, name) == 0)
			return ifc;
	}
	return NULL;
}

void iface_link_local(const struct rte_ether_addr *mac, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac->addr_bytes[0] ^ 0x02; /* flip the universal/local bit */
	out[9] = mac->addr_bytes[1];
	out[10] = mac->addr_bytes[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac->addr_bytes[3];
	out[14] = mac->addr_bytes[4];
	out[15] = mac->addr_bytes[5];
}

static const struct iface_addr *addrs(const struct iface *ifc, int family, unsigned int *n)
{
	if (family == AF_INET) {
		*n = ifc->n_v4;
		return ifc->v4;
	}
	*n = ifc->n_v6;
	return ifc->v6;
}

bool iface_has_addr(const struct iface *ifc, int family, const uint8_t *addr)
{
	unsigned int n, len = family == AF_INET ? 4 : 16;
	const struct iface_addr *a = addrs(ifc, family, &n);
	for (unsigned int i = 0; i < n; i++)
		if (memcmp(a[i].addr, addr, len) == 0)
			return true;
	return false;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

const struct iface_addr *iface_subnet_of(const struct iface *ifc, int family, const uint8_t *addr)
{
	unsigned int n;
	const struct iface_addr *a = addrs(ifc, family, &n);
	for (unsigned int i = 0; i < n; i++)
		if (prefix_match(a[i].addr, addr, a[i].plen))
			return &a[i];
	return NULL;
}
