/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike.h - IKEv2 (RFC 7296) on the control lcore: what the rest of the control
 * plane calls. The hub answers and starts every IKEv2 exchange with the peers of the config's
 * `ike:` section and installs the Child SAs it negotiates into the data plane through
 * dataplane/sa.h, bound to a static or cloned VTI or to a crypto map entry.
 *
 * Expensive work and the control loop. DH and signatures run inline on the control lcore, in
 * the handling of the message that needs them. What bounds their cost to everything else the
 * lcore does (retransmissions, liveness checks, NAT-keepalives, neighbor resolution):
 *  - ctrl_poll takes at most one burst (32 packets) per worker ring, then runs the timers, so
 *    a timer is late by at most one burst of work. perf/vpnhub-ike-bench measures the longest
 *    single message on the hub: 0.3 ms with Curve25519, 0.9 ms with MODP-2048 (IKE_SA_INIT),
 *    3-4 ms per establishment with ECDSA certificates: a burst of 32 IKE_SA_INITs delays the
 *    timers by 10 ms (X25519) to 30 ms (MODP-2048), a burst of certificate IKE_AUTHs by about
 *    100 ms, all well inside the 500 ms and more of any retransmission or liveness timer.
 *  - Unauthenticated work is capped: above cookie_threshold half-open SAs a request costs one
 *    HMAC until it returns with a cookie (ike_guard.c), so a flood cannot buy DH.
 * When certificates at scale need more (10 000 spokes reauthenticating at once), the work moves
 * to a crypto lcore: the control lcore enqueues a job (SA by our SPI, operation, inputs) on an
 * rte_ring, the SA waits in a state of its own (its retransmitted requests dropped, its
 * timers running), the crypto lcore computes DH, signatures and verifications in order and
 * returns results on a second ring that ctrl_poll drains like a worker's punt ring, and the
 * exchange resumes where it stopped; an SA deleted meanwhile finds its result discarded by SPI.
 * The exchange code is written so that each expensive step is one call whose inputs and output
 * are plain buffers (ike_dh_*, ike_sig_*, ike_cert_verify_chain), which is what such a job
 * needs.
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
