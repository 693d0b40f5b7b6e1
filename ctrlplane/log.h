/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/log.h - log types of the control plane (rte_log). Never used on the fast path:
 * the data plane counts instead of logging.
 */
#ifndef VPNHUB_CTRLPLANE_LOG_H
#define VPNHUB_CTRLPLANE_LOG_H

#include <rte_log.h>

extern int vh_logtype_ipsec;

#define IPSEC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vh_logtype_ipsec, "vpnhub.ipsec: " fmt "\n", ##__VA_ARGS__)

extern int vh_logtype_ike;

#define IKE_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vh_logtype_ike, "vpnhub.ike: " fmt "\n", ##__VA_ARGS__)

#endif
