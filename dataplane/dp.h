/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/dp.h - the data plane context shared by the worker lcores and the control lcore.
 *
 * Ownership: RX queue q of a port is polled by worker q mod n_workers (one RX queue per worker
 * on RSS NICs; devices that couple RX and TX queue counts, like af_packet, give some workers a
 * second queue). Worker w transmits on TX queue w of every port; the control lcore transmits on
 * TX queue n_workers.
 * Tables the workers read (interfaces, FIB, neighbors) are written by the control lcore only and
 * reclaimed after an RCU QSBR grace period; every worker reports quiescence once per loop.
 */
#ifndef VPNHUB_DATAPLANE_DP_H
#define VPNHUB_DATAPLANE_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/counters.h"

#define BURST_MAX	  32
#define DP_WORKERS_MAX	  16
#define DP_PORTS_MAX	  RTE_MAX_ETHPORTS
#define DP_PUNT_RING_SIZE 1024
#define DP_RXQ_MAX	  (2 * DP_PORTS_MAX)

struct dp_fib;
struct dp_neigh;
struct iface_table;
struct sa_table;
struct spd_table;
struct IMB_MGR;
struct rte_ip_frag_tbl;
struct rte_ip_frag_death_row;

/* Per-packet metadata in an mbuf dynamic field; valid from classify until TX or free. */
/*
 * 24 bytes: what a PMD leaves of the mbuf's dynamic field area after its own fields (net_pcap
 * registers an 8-byte timestamp first, leaving 24 in one piece). The next hop of a NEIGH punt and
 * the ESP hand-off state are never needed at once: a packet waits for its neighbor after every
 * ESP stage, and a packet handed to an SA's owner has not been routed out yet.
 */
struct dp_meta {
	uint16_t in_ifindex;
	uint16_t out_ifindex; /* set for NEIGH and MTU punts */
	uint8_t punt;	      /* enum dp_punt when punted */
	uint8_t family;	      /* AF_INET / AF_INET6 of the L3 header, 0 for non-IP */
	uint8_t flags;	      /* DP_MF_* */
	uint8_t l3_off;	      /* L3 header offset from the start of data (Ethernet: 14) */
	union {
		uint8_t nh_addr[16]; /* next hop to resolve (NEIGH punts); IPv4 in bytes 0..3 */
		struct {
			uint32_t sa_id; /* ESP: the SA, once looked up or chosen by policy */
			uint8_t stage;	/* hand-off: enum dp_stage the owner runs next */
		};
	};
};

_Static_assert(sizeof(struct dp_meta) <= 24, "dp_meta must fit beside net_pcap's timestamp");

enum dp_meta_flag {
	DP_MF_ORIGINATED = 1 << 0, /* built by the hub (ESP outer header): no TTL check/decrement */
	DP_MF_DECRYPTED = 1 << 1,  /* came out of an inbound SA: its selectors were checked */
	DP_MF_SA_SET = 1 << 2,	   /* to encrypt with sa_id (a policy chose it), not the iface's */
};

/* Stages a packet can be handed to another worker for (the SA's owner). */
enum dp_stage { DP_STAGE_NONE = 0, DP_STAGE_ESP_IN, DP_STAGE_ESP_OUT };

extern int dp_meta_offset;

static inline struct dp_meta *dp_meta(struct rte_mbuf *mb)
{
	return RTE_MBUF_DYNFIELD(mb, dp_meta_offset, struct dp_meta *);
}

/* Register the dynamic field; once per process before the first packet. */
int dp_meta_register(void);

struct dp;

struct dp_txq {
	struct rte_eth_dev_tx_buffer *buf;
	struct dp_worker *w;
	uint16_t port;
	uint16_t ifindex;
};

struct dp_worker {
	struct dp *dp;
	unsigned int id; /* queue index, QSBR thread id and stats slot */
	unsigned int lcore;
	struct rte_ring *punt;	  /* to the control lcore: single producer, single consumer */
	struct rte_ring *handoff; /* to this worker: packets of SAs it owns (multi-producer) */
	struct IMB_MGR *imb;	  /* this worker's intel-ipsec-mb manager */
	struct dp_lcore_stats *st;
	struct {
		uint16_t port;
		uint16_t queue;
	} rxq[DP_RXQ_MAX]; /* (port, RX queue) pairs this worker polls */
	uint16_t n_rxq;
	struct dp_txq txq[DP_PORTS_MAX]; /* indexed by port id */
	/* outer fragments for the hub (frag.c): this worker's own, never shared */
	struct rte_ip_frag_tbl *frag_tbl;
	struct rte_ip_frag_death_row *frag_dr; /* emptied at the end of every frag stage */
	uint32_t frag_held;		       /* fragments in frag_tbl */
	uint32_t frag_held_max;		       /* their budget: a share of the mbuf pool */
	uint32_t frag6_id;		       /* next IPv6 Fragment Identification (low bits) */
} __rte_cache_aligned;

struct dp {
	struct rte_mempool *pool;
	struct rte_mempool *frag_direct;   /* fragment headers made by the workers (frag.c) */
	struct rte_mempool *frag_indirect; /* fragment bodies: references into the packet */
	struct rte_rcu_qsbr *qsbr;
	struct dp_fib *fib;
	struct dp_neigh *neigh;
	struct iface_table *ifaces;
	struct sa_table *sas;
	struct spd_table *spd; /* crypto map SPDs per ifindex (spd.h); NULL: none ever */
	uint16_t port_ifindex[RTE_MAX_ETHPORTS]; /* 0 = port not managed */
	uint16_t ports[DP_PORTS_MAX];		 /* managed ports, in setup order */
	uint16_t n_ports;
	unsigned int n_workers;
	unsigned int idle_sleep_us;
	struct dp_lcore_stats *stats; /* n_workers + 1 slots; the last is the control lcore's */
	struct dp_worker workers[DP_WORKERS_MAX];
	int stop; /* set by the main thread, read by workers (atomics) */
};

static inline struct dp_lcore_stats *dp_ctrl_stats(struct dp *dp)
{
	return &dp->stats[dp->n_workers];
}

/*
 * Create the context: mbuf pool, QSBR variable for n_workers readers, punt rings, stats, the
 * fragment pools and each worker's reassembly table (frag.h).
 * Tables (fib, neigh, ifaces) are created by their own modules and attached by the caller.
 * Any lcore, before workers start.
 */
struct dp *dp_create(unsigned int n_workers, unsigned int n_mbufs, uint16_t data_room,
		     unsigned int idle_sleep_us);
void dp_destroy(struct dp *dp);

/*
 * Allocate the TX buffers of every worker for every managed port (after ports are set up), and
 * bind the neighbor table to the FIB (dp_neigh_bind) when both are attached.
 */
int dp_worker_tx_setup(struct dp *dp);

/* The worker loop: returns when dp->stop is set. Launch with rte_eal_remote_launch. */
int dp_worker_main(void *arg);

/* One loop iteration (RX, process, TX flush, quiescence); returns packets received.
 * Exposed for the benchmark harness and tests. */
unsigned int dp_worker_poll(struct dp_worker *w);

/* Process what other workers handed to w (the SA owner); returns packets taken. Worker w. */
unsigned int dp_handoff_poll(struct dp_worker *w);

/*
 * Process a burst received on DPDK port `port`: classify, forward, punt or drop.
 * Worker lcore only. Consumes every mbuf.
 */
void dp_input(struct dp_worker *w, uint16_t port, struct rte_mbuf **mb, uint16_t n);

#endif
