/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/nbr.h - neighbor resolution state on the control lcore (ARP and ND share it).
 *
 * Each entry is a small state machine with one rte_timer:
 *   INCOMPLETE --reply--> REACHABLE --reachable time--> PROBE --reply--> REACHABLE
 *   INCOMPLETE --3 tries, 1 s apart (RFC 4861 MAX_MULTICAST_SOLICIT)--> FAILED --hold--> gone
 *   PROBE --3 unicast probes unanswered--> gone (unpublished from the worker table)
 * Only REACHABLE and PROBE entries are published to the workers' dp_neigh table. Packets waiting
 * for an INCOMPLETE entry are queued, bounded per entry and in total; FAILED entries drop.
 * Control lcore only, except nbr_snapshot (telemetry thread, under ctrl.lock).
 */
#ifndef VPNHUB_CTRLPLANE_NBR_H
#define VPNHUB_CTRLPLANE_NBR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "ctrlplane/ctrl.h"

#define NBR_QUEUE_PER_ENTRY 8
#define NBR_QUEUE_TOTAL	    1024
#define NBR_RETRIES	    3
#define NBR_RETRANS_MS	    1000
#define NBR_REACHABLE_S	    300
#define NBR_FAILED_HOLD_MS  3000

enum nbr_state { NBR_FREE = 0, NBR_INCOMPLETE, NBR_REACHABLE, NBR_PROBE, NBR_FAILED };

struct nbr_info {
	uint8_t family;
	uint8_t addr[16];
	struct rte_ether_addr mac;
	uint16_t ifindex;
	uint8_t state;
	uint32_t age_s;
	uint32_t queued;
};

struct nbr_cache *nbr_create(struct ctrl *c, unsigned int max);
void nbr_destroy(struct nbr_cache *n);

/* A packet must go to addr on out: send it if known, else queue it and resolve. Consumes mb. */
void nbr_resolve(struct ctrl *c, const struct iface *out, int family, const uint8_t *addr,
		 struct rte_mbuf *mb);

/*
 * A mapping was seen in ARP/ND from addr on ifc. An existing entry is updated; a new one is
 * created only when create is true (the message was aimed at us, RFC 826 / RFC 4861 7.2.3).
 */
void nbr_learn(struct ctrl *c, const struct iface *ifc, int family, const uint8_t *addr,
	       const struct rte_ether_addr *mac, bool create);

/* Copy up to max entries from position start; *total gets the number of entries. */
unsigned int nbr_snapshot(struct ctrl *c, struct nbr_info *out, unsigned int start,
			  unsigned int max, unsigned int *total);

const char *nbr_state_name(uint8_t state);

#endif
