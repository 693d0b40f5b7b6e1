/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/hub.c - assemble a running hub from a config after EAL is up: data plane context, tables,
 * ports, control state, telemetry, worker lcores; and take it apart in reverse order.
 * Main lcore only.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "app/eal_args.h"
#include "app/hub.h"
#include "ctrlplane/tables.h"
#include "ctrlplane/telemetry.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/port.h"
#include "dataplane/sa.h"

#define NEIGH_ENTRIES 8192

static uint16_t data_room(const struct config *cfg)
{
	unsigned int mtu = 1500;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		mtu = RTE_MAX(mtu, cfg->ifaces[i].mtu);
	return (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(2048u, mtu + 64u));
}

static int ports_up(struct hub *h, char *err, size_t errlen)
{
	const struct config *cfg = h->cfg;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		const struct cfg_iface *ci = &cfg->ifaces[i];
		char dev[RTE_ETH_NAME_MAX_LEN];
		uint16_t port;
		eal_port_devname(ci, dev, sizeof(dev));
		if (rte_eth_dev_get_port_by_name(dev, &port) != 0) {
			snprintf(err, errlen, "%s:%u: interface %s: port %s not found", cfg->file,
				 ci->line, ci->name, dev);
			return -ENODEV;
		}
		struct iface *ifc = tables_iface_new(ci, port, (uint16_t)ci->mtu);
		if (ifc == NULL)
			return -ENOMEM;
		ifc->ifindex = (uint16_t)(i + 1);
		iface_publish(h->dp->ifaces, ifc);
		unsigned int rxq, txq;
		eal_port_queues(cfg, ci, &rxq, &txq);
		int rc = dp_port_setup(h->dp, port, ifc->ifindex, (uint16_t)rxq, (uint16_t)txq,
				       (uint16_t)ci->mtu, err, errlen);
		if (rc != 0)
			return rc;
	}
	return dp_worker_tx_setup(h->dp);
}

static int tables_up(struct hub *h)
{
	struct dp *dp = h->dp;
	dp->ifaces = iface_table_create(dp->qsbr);
	dp->fib = dp_fib_create("fib", dp->qsbr, CFG_ROUTES_MAX * 4, (int)rte_socket_id());
	dp->neigh = dp_neigh_create("nb", NEIGH_ENTRIES, dp->qsbr, (int)rte_socket_id());
	dp->sas = sa_table_create("sa", h->cfg->sa_max + 1, dp->qsbr, (int)rte_socket_id());
	return dp->ifaces && dp->fib && dp->neigh && dp->sas ? 0 : -ENOMEM;
}

int hub_start(struct hub *h, bool launch, char *err, size_t errlen)
{
	const struct cfg_system *s = &h->cfg->sys;
	h->dp = dp_create(s->n_workers, s->mbufs, data_room(h->cfg), s->idle_sleep_us);
	if (h->dp == NULL || tables_up(h) != 0) {
		snprintf(err, errlen, "out of memory creating the data plane (memory_mb %u)",
			 s->memory_mb);
		return -ENOMEM;
	}
	int rc = ports_up(h, err, errlen);
	if (rc == 0)
		rc = ctrl_init(&h->ctrl, h->dp, h->cfg, err, errlen);
	if (rc != 0)
		return rc;
	h->ctrl_up = true;
	if (s->telemetry && telemetry_register(&h->ctrl) != 0) {
		snprintf(err, errlen, "telemetry command registration failed");
		return -EINVAL;
	}
	for (unsigned int w = 0; launch && w < s->n_workers; w++) {
		rc = rte_eal_remote_launch(dp_worker_main, &h->dp->workers[w], s->worker_cores[w]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot launch worker on lcore %u",
				 s->worker_cores[w]);
			return rc;
		}
	}
	return 0;
}

void hub_stop(struct hub *h)
{
	if (h->dp != NULL) {
		__atomic_store_n(&h->dp->stop, 1, __ATOMIC_RELEASE);
		rte_eal_mp_wait_lcore();
	}
	telemetry_detach();
	if (h->ctrl_up)
		ctrl_fini(&h->ctrl);
	if (h->dp != NULL) {
		dp_port_close_all(h->dp);
		dp_neigh_destroy(h->dp->neigh);
		dp_fib_destroy(h->dp->fib);
		sa_table_destroy(h->dp->sas);
		iface_table_destroy(h->dp->ifaces);
		dp_destroy(h->dp);
	}
}
