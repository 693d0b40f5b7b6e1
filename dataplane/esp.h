/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp.h - the ESP stages of the worker (RFC 4303, RFC 3948 for ESP in UDP).
 *
 * esp_in: packets classify found to be ESP are matched to their inbound SA, checked against the
 * replay window, verified and decrypted in bursts, checked again (window, padding), stripped,
 * and the inner packet re-enters classification on the SA's tunnel interface. Packets with no
 * SA go back to normal forwarding (transit ESP, or the control core for the hub's own).
 *
 * esp_out: packets routed to a tunnel interface are encapsulated with the interface's outbound
 * SA (tunnel mode: outer IPv4/IPv6, optional UDP), encrypted in bursts, and sent as
 * hub-originated packets: through the SA's cached next hop, or by IP forwarding.
 *
 * Both run on the SA's owning worker; a packet for an SA owned elsewhere is handed over.
 * Worker lcores only.
 */
#ifndef VPNHUB_DATAPLANE_ESP_H
#define VPNHUB_DATAPLANE_ESP_H

#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/sa.h"

/* Consume v->esp_in: inner packets and unmatched ESP land in v->ip4 / v->ip6. */
void esp_in(struct dp_worker *w, struct dp_vec *v);
/*
 * Consume v->esp_out: outer packets, marked DP_MF_ORIGINATED, are queued for TX when their SA's
 * cached next hop allows (nh_cache.h, dp_fwd_cached), else land in v->ip4 / v->ip6.
 */
void esp_out(struct dp_worker *w, struct dp_vec *v);

/* The inbound halves of struct esp_mode (sa.h), for esp_mode_tunnel / esp_mode_transport. */
int esp_tunnel_decap(struct sa *sa, struct rte_mbuf *mb, const struct esp_crypto_op *op, uint8_t nh,
		     uint32_t inner_len);
int esp_transport_decap(struct sa *sa, struct rte_mbuf *mb, const struct esp_crypto_op *op,
			uint8_t nh, uint32_t inner_len);

/*
 * Give mb to the worker owning its SA for stage (dp_meta.sa_id set). Counts and frees on a full
 * ring. Any lcore (the control lcore too, for packets it originates into a tunnel).
 */
void esp_handoff(struct dp *dp, struct dp_lcore_stats *st, struct rte_mbuf *mb, uint16_t owner,
		 enum dp_stage stage);

#endif
