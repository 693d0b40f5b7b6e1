/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/port.c - DPDK port configuration (see port.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dataplane/port.h"

#define RX_DESC 1024
#define TX_DESC 1024

static void rss_conf(const struct rte_eth_dev_info *info, uint16_t nb_rxq,
		     struct rte_eth_conf *conf)
{
	uint64_t hf = RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP;
	if (nb_rxq < 2 || (info->flow_type_rss_offloads & hf) == 0)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf & info->flow_type_rss_offloads;
}

static int queues_setup(struct dp *dp, uint16_t port, uint16_t nb_rxq, uint16_t nb_txq,
			const struct rte_eth_dev_info *info)
{
	int socket = rte_eth_dev_socket_id(port);
	struct rte_eth_txconf txc = info->default_txconf;
	uint16_t nrx = RX_DESC, ntx = TX_DESC;
	int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc != 0)
		return rc;
	for (uint16_t q = 0; q < nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nrx, socket, NULL, dp->pool);
		if (rc != 0)
			return rc;
	}
	for (uint16_t q = 0; q < nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port, q, ntx, socket, &txc);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int dp_port_setup(struct dp *dp, uint16_t port, uint16_t ifindex, uint16_t nb_rxq, uint16_t nb_txq,
		  uint16_t mtu, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	if (port >= DP_PORTS_MAX || rte_eth_dev_info_get(port, &info) != 0) {
		snprintf(err, errlen, "port %u: no such device", port);
		return -ENODEV;
	}
	if (nb_rxq > info.max_rx_queues || nb_txq > info.max_tx_queues) {
		snprintf(err, errlen,
			 "port %u (%s): needs %u RX and %u TX queues, device has %u and %u", port,
			 info.driver_name, nb_rxq, nb_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	rss_conf(&info, nb_rxq, &conf);
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	rc = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
	if (rc == 0)
		rc = queues_setup(dp, port, nb_rxq, nb_txq, &info);
	if (rc == 0) {
		rc = rte_eth_dev_set_mtu(port, mtu);
		if (rc == -ENOTSUP)
			rc = 0; /* vdevs that cannot change it keep theirs; the hub enforces mtu */
	}
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc != 0) {
		snprintf(err, errlen, "port %u (%s): setup failed: %s", port, info.driver_name,
			 strerror(-rc));
		return rc;
	}
	rte_eth_allmulticast_enable(port); /* IPv6 ND and later routing protocols */
	dp->port_ifindex[port] = ifindex;
	dp->ports[dp->n_ports++] = port;
	for (uint16_t q = 0; q < nb_rxq; q++) {
		struct dp_worker *wk = &dp->workers[q % dp->n_workers];
		if (wk->n_rxq < DP_RXQ_MAX) {
			wk->rxq[wk->n_rxq].port = port;
			wk->rxq[wk->n_rxq++].queue = q;
		}
	}
	return 0;
}

void dp_port_close_all(struct dp *dp)
{
	for (uint16_t port = 0; port < DP_PORTS_MAX; port++) {
		if (dp->port_ifindex[port] == 0)
			continue;
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		dp->port_ifindex[port] = 0;
	}
	dp->n_ports = 0;
}

int dp_port_link_up(uint16_t port)
{
	struct rte_eth_link link;
	if (rte_eth_link_get_nowait(port, &link) != 0)
		return 0;
	return link.link_status == RTE_ETH_LINK_UP;
}
