/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/gen.h - the traffic generator of vpnhub-bench (main lcore only).
 *
 * Traffic is Ethernet/IPv4/UDP or Ethernet/IPv6/UDP with valid IPv4 header and UDP checksums,
 * addressed to the worker's LAN MAC, one destination per remote prefix of the table, visited in
 * a fixed shuffled order so that every prefix is hit equally often and FIB accesses are not
 * sequential. A closed loop keeps a fixed number of mbufs in flight: every packet delivered at
 * the WAN port is re-stamped from its template (the worker decremented TTL and rewrote MACs) and
 * sent again into the LAN port. Nothing is allocated in steady state.
 */
#ifndef VPNHUB_PERF_GEN_H
#define VPNHUB_PERF_GEN_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "perf/bench.h"

/* One destination: its address and the ones' complement sum of its 16-bit words. */
struct gen_dst {
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint32_t sum;
};

/* Destinations of one family at one table scale, in send order. */
struct gen_dsts {
	int family;
	struct gen_dst *d;
	uint32_t n;
};

/* Header of one frame size: copied over the frame, then dst and checksums are filled in. */
struct gen_tmpl {
	uint8_t hdr[64];
	uint32_t ip_sum; /* IPv4 header sum without dst and checksum */
	uint32_t l4_sum; /* UDP pseudo header + header + payload sum without dst */
	uint16_t len;	 /* frame length in the mbuf (no FCS) */
};

struct gen_traffic {
	int family;
	struct gen_tmpl tmpl[BENCH_IMIX_LEN]; /* in send order, one per frame of the size class */
	unsigned int n_tmpl;
	double frame_mean; /* FCS included */
	double l3_mean;
	uint8_t image[RTE_ETHER_MAX_LEN]; /* header + payload pattern every mbuf starts from */
};

struct gen;

/* Fill n mbufs with the next frames (mbuf fields included, see gen_mbuf_reset). */
typedef void (*gen_stamp_fn)(struct gen *g, struct rte_mbuf **mb, uint16_t n);

struct gen {
	const struct gen_traffic *t; /* NULL when a custom stamper builds whole frames */
	const struct gen_dsts *dsts;
	gen_stamp_fn stamp;
	void *ctx;	      /* a custom stamper's state */
	uint16_t tx_port;     /* generator port feeding the worker's input port */
	uint16_t rx_port;     /* generator port drained from the worker's other port */
	uint16_t in_port;     /* the worker's input port id, written to mbuf->port as a NIC would */
	unsigned int ti;      /* template cursor */
	uint32_t di;	      /* destination cursor */
	uint64_t rx;	      /* packets delivered at WAN */
	uint64_t rx_l3;	      /* their L3 bytes */
	uint64_t busy_cycles; /* TSC cycles of loops that turned packets around */
	uint64_t busy_pkts;
	struct rte_mbuf *stash[BURST_MAX]; /* not yet accepted by the LAN ring */
	uint16_t n_stash;
};

/* Destinations for n prefixes of family (AF_INET/AF_INET6); 0 or a negative errno. */
int gen_dsts_build(struct gen_dsts *d, int family, uint32_t n);
/* The same for other prefixes: host 1 of prefix(i, addr) for i < n, in the same order. */
int gen_dsts_build_from(struct gen_dsts *d, int family, uint32_t n,
			void (*prefix)(uint32_t i, uint8_t *addr));
void gen_dsts_free(struct gen_dsts *d);

/*
 * Templates of a size class, from src (generator) to dst (worker LAN) MAC; verifies the
 * checksums of stamped samples. 0 or a negative errno.
 */
int gen_traffic_build(struct gen_traffic *t, int family, enum bench_size size,
		      const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		      const struct gen_dsts *dsts);

/* Take every mbuf of the rig's pool, fill, stamp and send them into the LAN port. */
int gen_start(struct gen *g, struct rig *r, const struct gen_traffic *t,
	      const struct gen_dsts *dsts);

/*
 * The two steps of gen_start, for other traffic: gen_init points g at the worker's port `side`
 * (RIG_LAN or RIG_WAN; packets come back on the other one) with the built-in stamper of t, which
 * the caller may replace (g->stamp, g->ctx); gen_fill then takes up to n mbufs of the rig's pool
 * (all of them when n is larger), stamps and sends them.
 */
void gen_init(struct gen *g, struct rig *r, unsigned int side, const struct gen_traffic *t,
	      const struct gen_dsts *dsts);
int gen_fill(struct gen *g, struct rig *r, unsigned int n);

/* Reset mb as a NIC delivers a frame of len bytes on the worker's input port; its start. */
static inline uint8_t *gen_mbuf_reset(const struct gen *g, struct rte_mbuf *mb, uint16_t len)
{
	mb->data_off = RTE_PKTMBUF_HEADROOM;
	mb->data_len = len;
	mb->pkt_len = len;
	mb->port = g->in_port; /* the ring PMD does not set it; a NIC does */
	mb->ol_flags = 0;      /* no RX checksum offload: the worker verifies in software */
	return rte_pktmbuf_mtod(mb, uint8_t *);
}
/* Run the closed loop until the TSC reaches until (or bench_quit). */
void gen_run(struct gen *g, uint64_t until);
/* Free the mbufs the generator still holds. */
void gen_stop(struct gen *g);
/*
 * After a row, with the worker lcore stopped: free what the generator and the rings hold (what
 * was on control queues or the punt ring is added to row->ctlq / row->punts) and count, as row
 * errors, the mbufs of the rig's pool that did not come back.
 */
void gen_recover(struct gen *g, struct rig *r, struct bench_row *row);

#endif
