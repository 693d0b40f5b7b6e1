/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/tables.h - what the control lcore publishes to the workers from the config:
 * interfaces (one per port), connected and local routes of their addresses, static routes.
 * Main/control lcore only; the telemetry thread reads the RIB under ctrl.lock.
 */
#ifndef VPNHUB_CTRLPLANE_TABLES_H
#define VPNHUB_CTRLPLANE_TABLES_H

#include "ctrlplane/ctrl.h"

/* Build the interface of config interface i on DPDK port port_id (not yet published). */
struct iface *tables_iface_new(const struct cfg_iface *ci, uint16_t port_id, uint16_t mtu);

/*
 * Install connected, local and static routes for every published interface and cfg->routes.
 * Returns 0 or a negative errno with err filled in.
 */
int tables_routes_load(struct ctrl *c, const struct config *cfg, char *err, size_t errlen);
void tables_routes_free(struct ctrl *c);

const char *tables_rib_type_name(uint8_t type);

#define TABLES_DYNAMIC_MAX 16384 /* routes added at run time (IKE reverse route injection) */

/*
 * Control lcore, at run time: a route of type RIB_IKE to prefix/plen out of ifindex (a tunnel
 * interface: no gateway), and its removal. The RIB changes under c->lock; the FIB through
 * dp_fib_apply. Removing the last route of a prefix that another route also has (a static
 * one, say) puts that one back. 0 or a negative errno.
 */
int tables_route_add(struct ctrl *c, uint8_t family, const uint8_t *prefix, uint8_t plen,
		     uint16_t ifindex);
int tables_route_del(struct ctrl *c, uint8_t family, const uint8_t *prefix, uint8_t plen,
		     uint16_t ifindex);

#endif
