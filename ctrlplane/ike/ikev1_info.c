/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_info.c - the informational exchange of an established ISAKMP SA
 * (RFC 2408 4.8 and 4.9, protected with HASH(1) as RFC 2409 5.7 says): Delete of Phase 2 SAs
 * and of the ISAKMP SA, notifications, and Dead Peer Detection (RFC 3706): R-U-THERE answered
 * with R-U-THERE-ACK, its sequence numbers increasing, and our own R-U-THERE after dpd_delay of
 * silence, the peer declared dead after IKEV1_DPD_TRIES unanswered. On the same tick, the last
 * step of a Phase 2 rekey the hub started (ikev1_quick.c): its successor takes the VTI over
 * IKEV1_TAKEOVER_MS after Quick Mode's message 3 when the peer has not sent on it before.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

static const char *peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->name : "?";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The peer deleted its inbound SA spi (our outbound): the child goes, both halves. A rekeyed
 * child whose successor has not taken over yet hands it the VTI first: the peer, which
 * deletes the old SA, has the new one.
 */
static void delete_child(struct ike_sa *sa, uint32_t spi)
{
	for (unsigned int i = 0; i < sa->n_child; i++) {
		struct ike_child *ch = &sa->child[i];
		if (ch->spi_out != spi)
			continue;
		IKE_LOG(INFO, "IKEv1 peer %s deleted child %s (SPI in 0x%08x out 0x%08x)",
			peer_name(sa), ch->cfg->name, ch->spi_in, ch->spi_out);
		if (ch->state == IKE_CH_ACTIVE && ch->successor != 0)
			ike_child_flip(sa, i);
		ike_child_remove(sa, ch);
		ike_child_forget(sa, i);
		sa->ike->st.v1_deletes++;
		return;
	}
}

/* A Delete payload; true when it deleted sa itself. */
static bool on_delete(struct ike_sa *sa, const struct ikev1_payload *d)
{
	const uint8_t *s = d->u.d.spis;
	if (d->u.d.proto == IKEV1_PROTO_ISAKMP && d->u.d.spi_size == 16) {
		for (uint16_t i = 0; i < d->u.d.n_spi; i++, s += 16)
			if (memcmp(s, sa->spi_i, 8) == 0 && memcmp(s + 8, sa->spi_r, 8) == 0) {
				IKE_LOG(INFO, "IKEv1 peer %s deleted the ISAKMP SA", peer_name(sa));
				sa->ike->st.v1_deletes++;
				ike_sa_delete(sa);
				return true;
			}
		return false;
	}
	if (d->u.d.proto == IKEV1_PROTO_ESP && d->u.d.spi_size == 4)
		for (uint16_t i = 0; i < d->u.d.n_spi; i++, s += 4)
			delete_child(sa, be32(s));
	return false;
}

/* R-U-THERE: answered when its sequence number moves forward (RFC 3706 5.5). */
static void on_dpd(struct ike_sa *sa, const struct ikev1_payload *n)
{
	struct ikev1_sa *v = sa->v1;
	if (n->u.n.data_len != 4 || n->u.n.spi_size != 16) {
		ikev1_count(sa->ike, IKEV1_DROP_PARSE);
		return;
	}
	uint32_t seq = be32(n->u.n.data);
	if (n->u.n.type == IKEV1_N_R_U_THERE_ACK) {
		if (v->dpd_outstanding == 0 || seq != v->dpd_outstanding) {
			ikev1_count(sa->ike, IKEV1_DROP_DPD_SEQ);
			return;
		}
		v->dpd_outstanding = 0;
		v->dpd_tries = 0;
		sa->ike->st.v1_dpd_acks++;
		return;
	}
	if (v->dpd_seq_in_set && (int32_t)(seq - v->dpd_seq_in) <= 0) {
		ikev1_count(sa->ike, IKEV1_DROP_DPD_SEQ);
		return;
	}
	v->dpd_seq_in = seq;
	v->dpd_seq_in_set = true;
	sa->ike->st.v1_dpd_answered++;
	ikev1_info_send(sa, IKEV1_N_R_U_THERE_ACK, IKEV1_PROTO_ISAKMP, n->u.n.spi, 16, n->u.n.data,
			4);
}

void ikev1_info_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain,
		      size_t plain_len)
{
	rte_be32_t idb = rte_cpu_to_be_32(m->hdr.msg_id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	if (!ikev1_hash_check(sa, m, plain, plain_len, &pre, 1)) {
		ikev1_count(sa->ike, IKEV1_DROP_HASH);
		return;
	}
	sa->last_rx_tsc = ike_now(sa->ike);
	for (uint16_t i = 1; i < m->n; i++) {
		const struct ikev1_payload *p = &m->pl[i];
		if (p->type == IKEV1_PL_D && on_delete(sa, p))
			return; /* sa is gone */
		if (p->type != IKEV1_PL_N)
			continue;
		if (p->u.n.type == IKEV1_N_R_U_THERE || p->u.n.type == IKEV1_N_R_U_THERE_ACK)
			on_dpd(sa, p);
		else
			IKE_LOG(NOTICE, "IKEv1 peer %s notifies type %u", peer_name(sa),
				p->u.n.type);
	}
}

/*
 * A Phase 2 rekey the hub initiated: the successor, installed on message 2 and not yet sending,
 * takes the VTI over IKEV1_TAKEOVER_MS after message 3 left (the peer has had the time to
 * install it), unless the peer's traffic on it or its Delete of the old SA came first.
 */
static void takeover_tick(struct ike_sa *sa, uint64_t now)
{
	uint64_t wait = IKEV1_TAKEOVER_MS * rte_get_timer_hz() / 1000;
	for (unsigned int i = 0; i < sa->n_child; i++) {
		const struct ike_child *old = &sa->child[i];
		if (old->state != IKE_CH_ACTIVE || old->successor == 0)
			continue;
		int n = ike_child_by_spi_in(sa, old->successor);
		if (n < 0 || !sa->child[n].local_init || now < sa->child[n].installed_tsc + wait)
			continue;
		ike_child_flip(sa, i); /* the rekey was counted when installed (ikev1_quick.c) */
	}
}

void ikev1_dpd_tick(struct ike_sa *sa, uint64_t now)
{
	struct ikev1_sa *v = sa->v1;
	uint64_t hz = rte_get_timer_hz();
	takeover_tick(sa, now);
	if (sa->peer == NULL || sa->peer->dpd_delay == 0 || !v->dpd)
		return;
	uint64_t wait = v->dpd_outstanding != 0 ? sa->peer->retransmit_ms * hz / 1000
						: sa->peer->dpd_delay * hz;
	/* traffic is a sign of life too (RFC 3706 5.1); looked at every dpd_delay / 2 */
	if (v->dpd_outstanding == 0 && now >= sa->last_rx_tsc + wait / 2)
		ike_child_traffic(sa, now, wait / 2);
	if (now < sa->last_rx_tsc + wait || (v->dpd_outstanding != 0 && now < sa->rtx_tsc))
		return;
	if (v->dpd_outstanding != 0 && ++v->dpd_tries >= IKEV1_DPD_TRIES) {
		IKE_LOG(WARNING, "IKEv1 peer %s: dead (%u R-U-THERE unanswered), SA deleted",
			peer_name(sa), v->dpd_tries);
		sa->ike->st.peers_dead++;
		ike_sa_delete(sa);
		return;
	}
	uint8_t cky[16];
	memcpy(cky, sa->spi_i, 8);
	memcpy(cky + 8, sa->spi_r, 8);
	if (v->dpd_seq_out == 0)
		v->dpd_seq_out = (uint32_t)(now & 0x7fffffff) | 1; /* RFC 3706 7: random start */
	uint32_t seq = ++v->dpd_seq_out;
	rte_be32_t sb = rte_cpu_to_be_32(seq);
	v->dpd_outstanding = seq;
	sa->rtx_tsc = now + sa->peer->retransmit_ms * hz / 1000;
	sa->ike->st.dpd_sent++;
	ikev1_info_send(sa, IKEV1_N_R_U_THERE, IKEV1_PROTO_ISAKMP, cky, 16, (const uint8_t *)&sb,
			4);
}
