/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/classify.h - first stage of the worker: validate L2/L3 headers of a received burst
 * and sort the packets into per-stage vectors. Worker lcore only.
 */
#ifndef VPNHUB_DATAPLANE_CLASSIFY_H
#define VPNHUB_DATAPLANE_CLASSIFY_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp.h"
#include "dataplane/iface.h"

/* One burst sorted by next stage; later encapsulations add vectors here. */
struct dp_vec {
	struct rte_mbuf *ip4[BURST_MAX];
	struct rte_mbuf *ip6[BURST_MAX];
	struct rte_mbuf *esp_in[BURST_MAX];   /* ESP or ESP-in-UDP, outer header at l3_off */
	struct rte_mbuf *esp_out[BURST_MAX];  /* routed to a tunnel interface: to encrypt */
	struct rte_mbuf *punt[2 * BURST_MAX]; /* classify and forwarding both punt */
	struct rte_mbuf *frag[BURST_MAX];     /* outer fragments of ESP or UDP: frag_input */
	struct rte_mbuf *frag_out[BURST_MAX]; /* hub-originated, over the egress MTU: frag_output */
	uint16_t n_ip4;
	uint16_t n_ip6;
	uint16_t n_esp_in;
	uint16_t n_esp_out;
	uint16_t n_punt;
	uint16_t n_frag;
	uint16_t n_frag_out;
};

static inline void dp_vec_reset(struct dp_vec *v)
{
	v->n_ip4 = v->n_ip6 = v->n_esp_in = v->n_esp_out = v->n_punt = 0;
	v->n_frag = v->n_frag_out = 0;
}

/*
 * Classify n (<= BURST_MAX) packets received on ifc. Malformed frames are counted by reason and
 * freed; the rest land in v (which the caller zeroed) with their dp_meta filled in. Returns the
 * bytes of the n frames as received (before Ethernet padding is trimmed), for rx_bytes.
 */
uint32_t dp_classify(struct dp_lcore_stats *st, const struct iface *ifc, struct rte_mbuf **mb,
		     uint16_t n, struct dp_vec *v);

/*
 * Validate the IP header of a packet whose L3 starts at offset 14 and whose EtherType says its
 * family, and place it like classify does (ip4/ip6 vector, punt, or drop). Used for the inner
 * packets that come out of a tunnel.
 */
void dp_classify_ip(struct dp_lcore_stats *st, struct rte_mbuf *mb, struct dp_vec *v);

/*
 * Classify a datagram that reassembly made whole (frag.c), L3 at offset 14 and its family in
 * dp_meta, as a received one: ESP goes to esp_in. No fragment can come out of reassembly; should
 * one, it is dropped as frag_malformed rather than reassembled twice.
 */
void dp_classify_whole(struct dp_lcore_stats *st, struct rte_mbuf *mb, struct dp_vec *v);

/*
 * Hand the punt vector to the control lcore now and empty it (full ring: counted drops), for
 * stages that punt more than one burst's worth. Worker lcore only; worker.c.
 */
void dp_punt_flush(struct dp_worker *w, struct dp_vec *v);

/* Append mb to the punt vector with a reason. */
static inline void dp_vec_punt(struct dp_lcore_stats *st, struct dp_vec *v, struct rte_mbuf *mb,
			       enum dp_punt why)
{
	dp_meta(mb)->punt = (uint8_t)why;
	dp_count_punt(st, why);
	v->punt[v->n_punt++] = mb;
}

/* Count a drop and free the packet. */
static inline void dp_drop(struct dp_lcore_stats *st, struct rte_mbuf *mb, enum dp_drop why)
{
	dp_count_drop(st, why, 1);
	st->ifs[dp_meta(mb)->in_ifindex].drops++;
	rte_pktmbuf_free(mb);
}

#endif
