/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_rekey.c - a new ISAKMP SA before the old one expires, make-before-break,
 * on the side that initiated it (IKEv1 has no rekey of Phase 1 in place: a new Phase 1 is a new
 * SA, RFC 2409 5).
 *
 * At 9/10 of the negotiated lifetime the initiator starts a new Main (or Aggressive) Mode with
 * the same peer; once it is up, its Quick Modes make new Phase 2 SAs, which take the VTIs and
 * crypto map entries over as they complete (the peer has their inbound halves before the hub
 * sends on them). When every child of the peer is up on the new SA, or IKEV1_REKEY_WAIT_S has
 * passed, the old SA's Phase 2 SAs and then the old SA itself are deleted with the peer
 * (RFC 2408 4.9: Delete of the ESP SPIs, then of the ISAKMP SA by its cookies). A peer that
 * lets its own ISAKMP SA lapse (the hub as responder) re-establishes as it sees fit; the hub
 * deletes what expired. Control lcore only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

#define IKEV1_REKEY_WAIT_S 30 /* the new SA's children to come up before the old one goes */

static unsigned int active(const struct ike_sa *sa)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < sa->n_child; i++)
		n += sa->child[i].state == IKE_CH_ACTIVE;
	return n;
}

/* The Deletes of old's Phase 2 SAs and of old itself, then old goes. */
static void retire(struct ike_sa *old)
{
	uint8_t spis[IKE_CHILD_MAX * 4], cky[16];
	uint16_t n = 0;
	for (unsigned int i = 0; i < old->n_child; i++) {
		rte_be32_t s = rte_cpu_to_be_32(old->child[i].spi_in);
		memcpy(spis + 4 * n++, &s, 4);
	}
	if (n > 0)
		ikev1_delete_send(old, IKEV1_PROTO_ESP, spis, 4, n);
	memcpy(cky, old->spi_i, 8);
	memcpy(cky + 8, old->spi_r, 8);
	ikev1_delete_send(old, IKEV1_PROTO_ISAKMP, cky, 16, 1);
	IKE_LOG(INFO,
		"IKEv1 peer %s: ISAKMP SA rekeyed, the old one and its %u Phase 2 SA%s deleted",
		old->peer->name, n, n == 1 ? "" : "s");
	ike_sa_delete(old);
}

void ikev1_rekey_tick(struct ike_sa *sa, uint64_t now)
{
	struct ikev1_sa *v = sa->v1;
	uint64_t hz = rte_get_timer_hz();
	static const uint8_t zero[8];
	if (memcmp(v->replaces, zero, 8) != 0 &&
	    (active(sa) >= sa->peer->n_children ||
	     now - sa->established_tsc >= IKEV1_REKEY_WAIT_S * hz)) {
		uint64_t key; /* the hash reads the key in words: an aligned copy */
		memcpy(&key, v->replaces, 8);
		struct ike_sa *old = ike_sa_by_spi(sa->ike, (const uint8_t *)&key);
		memset(v->replaces, 0, 8);
		if (old != NULL && old->v1 != NULL && old != sa)
			retire(old); /* sa itself stays valid: another SA went */
		return;
	}
	if (!sa->initiator || !sa->peer->initiate || v->rekey_started || v->expire_tsc == 0)
		return;
	uint64_t life = v->expire_tsc - sa->established_tsc;
	if (now < v->expire_tsc - life / 10)
		return;
	v->rekey_started = true;
	struct ike_sa *n = ikev1_initiate(sa->ike, sa->peer);
	if (n != NULL) {
		memcpy(n->v1->replaces, sa->spi_i, 8);
		sa->ike->st.ike_rekeys++;
		IKE_LOG(INFO, "IKEv1 peer %s: ISAKMP SA due, a new one started", sa->peer->name);
	}
}
