/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/ike_pair.c - IKE engines in one process; see ike_pair.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_timer.h>
#include <rte_udp.h>

#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ipsec.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"
#include "test/ike_pair.h"

#define L2 14

/* The config's interfaces as Ethernet interfaces without a port (nothing is transmitted). */
static int publish(struct ike_pair_eng *e)
{
	for (unsigned int i = 0; i < e->cfg->n_ifaces; i++) {
		const struct cfg_iface *ci = &e->cfg->ifaces[i];
		struct iface *ifc = rte_zmalloc("t_ifc", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
		if (ifc == NULL)
			return -1;
		ifc->ifindex = (uint16_t)(i + 1);
		ifc->kind = IFACE_ETHER;
		ifc->up = 1;
		ifc->mtu = 1500;
		snprintf(ifc->name, sizeof(ifc->name), "%s", ci->name);
		for (unsigned int k = 0; k < ci->n_v4; k++) {
			ifc->v4[k].family = AF_INET;
			ifc->v4[k].plen = ci->v4[k].plen;
			memcpy(ifc->v4[k].addr, ci->v4[k].bytes, 4);
		}
		ifc->n_v4 = ci->n_v4;
		if (iface_publish(e->dp->ifaces, ifc) != ifc->ifindex)
			return -1;
	}
	return 0;
}

int ike_pair_up(struct ike_pair_eng *e, int idx, const char *yaml, ike_pair_xmit xmit,
		ike_pair_clock clock)
{
	char err[512], name[32];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "e%d", idx);
	if (cfg_load_buffer(e->name, yaml, strlen(yaml), &e->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "engine %d config: %s\n", idx, err);
		return -1;
	}
	e->dp = dp_create(1, 1023, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (e->dp == NULL)
		return -1;
	snprintf(name, sizeof(name), "tike%d", idx);
	e->dp->ifaces = iface_table_create(e->dp->qsbr);
	e->dp->fib = dp_fib_create(name, e->dp->qsbr, 64, SOCKET_ID_ANY);
	e->dp->neigh = dp_neigh_create(name, 64, e->dp->qsbr, SOCKET_ID_ANY);
	e->dp->sas = sa_table_create(name, e->cfg->sa_max + 1, e->dp->qsbr, SOCKET_ID_ANY);
	if (e->dp->ifaces == NULL || e->dp->fib == NULL || e->dp->neigh == NULL ||
	    e->dp->sas == NULL || publish(e) != 0)
		return -1;
	if (ctrl_init(&e->c, e->dp, e->cfg, err, sizeof(err)) != 0 || e->c.ike == NULL) {
		fprintf(stderr, "engine %d: %s\n", idx, err);
		return -1;
	}
	rte_timer_stop(&e->c.ike->tick); /* the caller ticks (ike_tick) on its own clock */
	rte_timer_stop(&e->c.sa_timer);
	e->c.ike->xmit = xmit;
	e->c.ike->clock = clock;
	e->up = true;
	return 0;
}

void ike_pair_down(struct ike_pair_eng *eng, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (eng[i].up)
			ike_fini(&eng[i].c);
	for (unsigned int i = 0; i < n; i++)
		if (eng[i].up)
			ipsec_fini(&eng[i].c);
	for (unsigned int i = 0; i < n; i++) {
		struct ike_pair_eng *e = &eng[i];
		if (e->up)
			ctrl_fini(&e->c);
		if (e->dp != NULL) {
			dp_neigh_destroy(e->dp->neigh);
			dp_fib_destroy(e->dp->fib);
			sa_table_destroy(e->dp->sas);
			iface_table_destroy(e->dp->ifaces);
			dp_destroy(e->dp);
		}
		cfg_free(e->cfg);
		memset(e, 0, sizeof(*e));
	}
}

struct rte_mbuf *ike_pair_datagram(struct rte_mempool *pool, const struct ike_path *p,
				   const uint8_t *msg, size_t len)
{
	size_t marker = p->rport == IKE_PORT_NATT ? 4 : 0; /* non-ESP marker, RFC 3948 2.2 */
	size_t ulen = sizeof(struct rte_udp_hdr) + marker + len;
	size_t total = L2 + sizeof(struct rte_ipv4_hdr) + ulen;
	struct rte_mbuf *mb = total <= UINT16_MAX ? rte_pktmbuf_alloc(pool) : NULL;
	uint8_t *d = mb != NULL ? (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)total) : NULL;
	if (d == NULL) {
		rte_pktmbuf_free(mb);
		return NULL;
	}
	memset(d, 0, total);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + L2);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + ulen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, p->local, 4); /* the sender's view of the path */
	memcpy(&ip->dst_addr, p->remote, 4);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	u->src_port = rte_cpu_to_be_16(p->lport);
	u->dst_port = rte_cpu_to_be_16(p->rport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
	memcpy((uint8_t *)(u + 1) + marker, msg, len);
	return mb;
}
