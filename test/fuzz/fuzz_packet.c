/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_packet.c - libFuzzer harness for everything a received frame can reach:
 * classify, forwarding, the punt path, ARP, ND, ICMP and neighbor resolution.
 *
 * A real hub is assembled in-process on two net_null ports (transmitted frames are discarded);
 * each input is one frame given to the worker stage (dp_input) and then to the control lcore
 * (ctrl_poll). The first input byte selects options: bit 0 writes the ingress interface's MAC as
 * the destination (so the fuzzer gets past the L2 filter), bit 1 picks the ingress interface.
 * After every input the mbufs in use must be explained by the bounded neighbor queues.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "app/hub.h"
#include "ctrlplane/nbr.h"
#include "dataplane/iface.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char yaml[] = "system:\n"
			   "  name: vhfuzz\n"
			   "  worker_cores: [1]\n"
			   "  memory_mb: 256\n"
			   "  hugepages: false\n"
			   "  telemetry: false\n"
			   "  log_level: emerg\n"
			   "  mbufs: 4095\n"
			   "interfaces:\n"
			   "  - name: lan0\n"
			   "    port: net_null0\n"
			   "    ipv4: 10.10.1.1/24\n"
			   "    ipv6: fd00:10:1::1/64\n"
			   "  - name: wan0\n"
			   "    port: net_null1\n"
			   "    ipv4: 203.0.113.1/24\n"
			   "    ipv6: fd00:10:2::1/64\n"
			   "routes:\n"
			   "  - prefix: 198.51.100.0/24\n"
			   "    via: 203.0.113.2\n";

static struct hub hub;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512], prefix[64];
	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhfuzz%d", (int)getpid());
	char *eal[] = {
		"fuzz",	  "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m",	  "256",       "-l",	   "0,1",	  "--log-level=1",
		"--vdev", "net_null0", "--vdev",   "net_null1",	  prefix,
		NULL,
	};
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		abort();
	if (cfg_load_buffer("fuzz", yaml, sizeof(yaml) - 1, &hub.cfg, err, sizeof(err)) != 0 ||
	    hub_start(&hub, false, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_packet: %s\n", err);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct dp *dp = hub.dp;
	const struct iface *ifc = iface_get(dp->ifaces, (data[0] & 2) ? 2 : 1);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(dp->pool);
	if (mb == NULL)
		abort(); /* only a leak can empty the pool */
	size_t len = RTE_MIN(size - 1, (size_t)rte_pktmbuf_tailroom(mb));
	memcpy(rte_pktmbuf_append(mb, (uint16_t)len), data + 1, len);
	if ((data[0] & 1) && len >= 6)
		memcpy(rte_pktmbuf_mtod(mb, void *), &ifc->mac, 6);
	mb->port = ifc->port_id;
	dp_input(&dp->workers[0], ifc->port_id, &mb, 1);
	rte_eth_tx_buffer_flush(ifc->port_id, 0, dp->workers[0].txq[ifc->port_id].buf);
	ctrl_poll(&hub.ctrl);
	/* what may legitimately stay: neighbor queues, and fragments waiting for the rest of
	 * their datagram (bounded by the worker's budget, frag.h) */
	if (rte_mempool_in_use_count(dp->pool) > NBR_QUEUE_TOTAL + 64 + dp->workers[0].frag_held)
		abort();
	return 0;
}
