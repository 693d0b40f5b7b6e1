/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ctrl.h - the control lcore: its event loop, its state and its transmit path.
 *
 * One thread (the EAL main lcore) runs ctrl_run(): it drains the workers' punt rings, runs
 * rte_timer timers and publishes tables. It is the only writer of the FIB, the neighbor table and
 * the interface table. The DPDK telemetry thread reads control state under ctrl.lock; the control
 * lcore takes that lock only around its own updates of that state, never on a worker's behalf.
 */
#ifndef VPNHUB_CTRLPLANE_CTRL_H
#define VPNHUB_CTRLPLANE_CTRL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>
#include <rte_timer.h>

#include "conf/config.h"
#include "dataplane/dp.h"
#include "dataplane/iface.h"

struct nbr_cache;

enum rib_type { RIB_CONNECTED, RIB_STATIC, RIB_LOCAL, RIB_IKE /* reverse route injection */ };

struct rib_entry {
	uint8_t family;
	uint8_t plen;
	uint8_t type; /* enum rib_type */
	uint8_t prefix[16];
	uint8_t via[16]; /* gateway; all zero when none */
	bool has_via;
	uint16_t ifindex;
	uint32_t nh; /* FIB next-hop id */
};

struct rib {
	struct rib_entry *e;
	unsigned int n;
	unsigned int max;
};

/* Token bucket for ICMP errors (RFC 1812 4.3.2.8, RFC 4443 2.4(f)). */
struct ratelimit {
	uint64_t tokens;
	uint64_t last_tsc;
	uint64_t rate; /* tokens per second */
	uint64_t burst;
};

struct ike;

struct ctrl {
	struct dp *dp;
	const struct config *cfg;
	struct rib rib;
	struct nbr_cache *nbr;
	struct ratelimit icmp_rl;
	rte_spinlock_t lock; /* rib and nbr against the telemetry thread */
	uint64_t start_tsc;
	uint16_t txq; /* the control lcore's TX queue on every port */
	unsigned int idle_sleep_us;
	uint8_t *sa_events;	   /* per SA id: lifetime events already raised (ipsec.c) */
	uint32_t *sa_peer_gen;	   /* per SA id: the peer_gen last acted on (NAT-T) */
	struct rte_timer sa_timer; /* lifetime poll */
	struct ike *ike;	   /* IKEv2 (ike/ike.h); NULL without IKE peers */
};

/* Set up interfaces, routes and neighbor state from cfg (ports already started). Main lcore. */
int ctrl_init(struct ctrl *c, struct dp *dp, const struct config *cfg, char *err, size_t errlen);
void ctrl_fini(struct ctrl *c);

/* Run until *quit becomes non-zero. Control lcore. */
void ctrl_run(struct ctrl *c, volatile sig_atomic_t *quit);

/* One iteration: drain punt rings, run timers. Returns packets handled. */
unsigned int ctrl_poll(struct ctrl *c);

/* Handle one punted packet (consumes it). */
void ctrl_input(struct ctrl *c, struct rte_mbuf *mb);

/* Transmit a complete Ethernet frame out of ifc on the control TX queue (consumes it). */
void ctrl_tx(struct ctrl *c, const struct iface *ifc, struct rte_mbuf *mb);

/*
 * Route and send an IP packet originated or finished by the control lcore. The packet's data
 * starts at its Ethernet header (contents ignored); L3 follows at offset 14. Resolves the
 * neighbor when needed (the packet waits in the neighbor queue). IPv6 link-local destinations
 * leave through link, which must then be non-NULL. Consumes mb.
 */
void ctrl_ip_output(struct ctrl *c, struct rte_mbuf *mb, int family, const struct iface *link);

/* Count a control-side drop and free the packet. */
void ctrl_drop(struct ctrl *c, struct rte_mbuf *mb, enum dp_drop why);

/* Allocate a packet for a locally built frame of len bytes (Ethernet header included). */
struct rte_mbuf *ctrl_alloc(struct ctrl *c, uint16_t len);

/* First configured address of ifc in family (v6: a global one, else the link-local). */
const uint8_t *ctrl_iface_addr(const struct iface *ifc, int family);

/* The hub's own unicast address? (any interface) */
bool ctrl_is_local(const struct ctrl *c, int family, const uint8_t *addr);

#endif
