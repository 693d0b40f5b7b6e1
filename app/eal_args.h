/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/eal_args.h - derive the EAL command line from the config, so that operators never write
 * EAL arguments for the common case: cores, memory (hugepages or not), file prefix, the PCI
 * allow-list or --no-pci, and one --vdev per virtual port. Extra arguments are appended last,
 * where EAL lets them override.
 */
#ifndef VPNHUB_APP_EAL_ARGS_H
#define VPNHUB_APP_EAL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"

#define EAL_ARGS_MAX 160

struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX + 1];
	char buf[16384];
	size_t used;
	bool oversubscribed; /* some lcore ids exceed the CPUs and share one */
};

/*
 * Build argv for rte_eal_init. huge: hugepages are usable (see eal_hugepages_free_mb).
 * ncpu: online CPUs. Returns 0, or -E2BIG with err filled in.
 */
int eal_args_build(const struct config *cfg, const char *prog, int n_extra, char *const *extra,
		   bool huge, unsigned int ncpu, struct eal_args *out, char *err, size_t errlen);

/* Free 2 MB hugepage memory in MB on this machine (0 when none). */
unsigned int eal_hugepages_free_mb(void);

/* Decide hugepage use from the config and what the machine has. */
bool eal_use_hugepages(const struct config *cfg, unsigned int free_mb);

/*
 * RX and TX queue counts of a config port: by default one RX queue per worker and one TX queue
 * per worker plus the control lcore's. af_packet couples the two (qpairs) and spreads received
 * frames over all its sockets, so its RX count follows its TX count: an unpolled socket would
 * silently lose its share of the traffic. net_tap, net_tun and net_af_xdp refuse unequal counts
 * outright, so theirs are paired the same way.
 */
void eal_port_queues(const struct config *cfg, const struct cfg_iface *ifc, unsigned int *rx,
		     unsigned int *tx);

/* The DPDK device name of a config port: the vdev name before ',' or the full PCI address. */
void eal_port_devname(const struct cfg_iface *ifc, char *out, size_t len);

#endif
