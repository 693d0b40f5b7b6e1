/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike.h - IKEv2 (RFC 7296) on the control lcore: what the rest of the control
 * plane calls. The hub answers IKE_SA_INIT, IKE_AUTH (pre-shared keys) and INFORMATIONAL
 * exchanges from the peers of the config's `ike:` section and installs the Child SAs it
 * negotiates into the data plane through dataplane/sa.h, bound to the peer's static VTI.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_H
#define VPNHUB_CTRLPLANE_IKE_IKE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "conf/config.h"
#include "ctrlplane/ctrl.h"

/* Set up IKE for cfg's peers (after ipsec_load: the VTIs exist). 0 or -errno with err. */
int ike_init(struct ctrl *c, const struct config *cfg, char *err, size_t errlen);
/* Delete every IKE SA (and its Child SAs) and free IKE's state. */
void ike_fini(struct ctrl *c);

/*
 * A UDP datagram for a hub address on port 500 or 4500 (IKE behind the non-ESP marker), L3 at
 * offset 14, family AF_INET or AF_INET6, as the data plane punted it. Consumes mb.
 */
void ike_input(struct ctrl *c, struct rte_mbuf *mb, int family);

/*
 * A packet for the IKE-keyed protect entry seq of the crypto map on ifindex, which has no SA
 * yet (RFC 4301 5.1, acquire): held (a few per entry) while the hub negotiates the entry's
 * Child SA with its peer, then sent through it; dropped as spd_acquire when the hold is full or
 * the negotiation fails. transit: a forwarded packet (its TTL is decremented when it leaves),
 * not one the hub built. Consumes mb. Control lcore (ike_acquire.c).
 */
void ike_acquire(struct ctrl *c, struct rte_mbuf *mb, uint16_t ifindex, uint32_t seq, bool transit);

/* Counters and IKE SAs for telemetry (/vpnhub/ike/...). Any thread, under c->lock. */
struct rte_tel_data;
void ike_tel_stats(struct ctrl *c, struct rte_tel_data *d);
int ike_tel_sas(struct ctrl *c, unsigned int start, struct rte_tel_data *d);
/* /vpnhub/ike/sa,<id>: one SA in detail, id its "id" (our SPI, 16 hex digits); -ENOENT. */
bool ike_tel_is_sa_id(const char *params);
int ike_tel_sa(struct ctrl *c, const char *id, struct rte_tel_data *d);

#endif
