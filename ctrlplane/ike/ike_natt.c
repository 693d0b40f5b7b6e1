/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_natt.c - NAT traversal once the IKE SA is up (RFC 7296 2.23, RFC 3948).
 *
 * A peer behind a NAT whose mapping changes (the NAT rebooted, or forgot an idle mapping)
 * reappears with another address or port. A message that verifies under the IKE SA and is new
 * (a request with the next message ID, or the answer to our outstanding request: never a
 * retransmission, which an attacker could replay) moves the IKE SA there, and its Child SAs'
 * outbound ESP with it: the data plane SAs get the new address and UDP port through RCU
 * (sa_set_peer) and keep their keys and sequence numbers. 2.23 has a host behind a NAT itself
 * not do this (one forged packet would cut it off), so an SA that saw the hub behind a NAT
 * keeps its path.
 *
 * The hub behind a NAT (a hub with a 1:1 NAT in front, as in many clouds) sends a NAT-keepalive,
 * one octet 0xFF in UDP 4500 (RFC 3948 2.3), every IKE_NATT_KEEPALIVE_S seconds on each such SA,
 * so that the mapping outlives quiet periods. Control lcore only.
 */
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_hash.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"
#include "dataplane/sa.h"

#define IKE_NATT_KEEPALIVE_S 20 /* RFC 3948 4: 20 seconds unless configured otherwise */

static bool same_path(const struct ike_path *a, const struct ike_path *b)
{
	size_t alen = a->family == AF_INET ? 4 : 16;
	return a->family == b->family && a->lport == b->lport && a->rport == b->rport &&
	       memcmp(a->local, b->local, alen) == 0 && memcmp(a->remote, b->remote, alen) == 0;
}

void ike_sa_move(struct ike_sa *sa, const struct ike_path *p)
{
	struct ctrl *c = sa->ike->c;
	char was[INET6_ADDRSTRLEN], now[INET6_ADDRSTRLEN];
	unsigned int moved = 0;
	if (same_path(&sa->path, p) || sa->nat_local || p->family != sa->path.family)
		return;
	if (sa->state != IKE_S_ESTABLISHED) { /* the move to port 4500 of 2.23, no children yet */
		sa->path = *p;
		return;
	}
	inet_ntop(p->family, sa->path.remote, was, sizeof(was));
	inet_ntop(p->family, p->remote, now, sizeof(now));
	uint16_t old_port = sa->path.rport;
	sa->path = *p;
	rte_spinlock_lock(&c->lock);
	for (unsigned int i = 0; i < sa->n_child; i++) {
		const struct ike_child *ch = &sa->child[i];
		if (ch->sa_out != 0 &&
		    sa_set_peer(c->dp->sas, ch->sa_out, p->remote, rte_cpu_to_be_16(p->rport)) == 0)
			moved++;
	}
	rte_spinlock_unlock(&c->lock);
	sa->ike->st.peer_moves++;
	IKE_LOG(NOTICE,
		"peer %s moved from %s port %u to %s port %u (RFC 7296 2.23): %u child SA%s follow",
		sa->peer != NULL ? sa->peer->name : "?", was, old_port, now, p->rport, moved,
		moved == 1 ? "" : "s");
}

void ike_natt_tick(struct ike *ike, uint64_t now)
{
	static const uint8_t keepalive = 0xff;
	uint64_t every = IKE_NATT_KEEPALIVE_S * rte_get_timer_hz();
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->state != IKE_S_ESTABLISHED || !sa->nat_local || !sa->natt)
			continue;
		if (sa->keepalive_tsc == 0)
			sa->keepalive_tsc = now;
		if (now - sa->keepalive_tsc < every)
			continue;
		sa->keepalive_tsc = now;
		if (ike_send(ike, &sa->path, &keepalive, 1) == 0)
			ike->st.keepalives_sent++;
	}
}
