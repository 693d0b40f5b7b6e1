/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_acquire.c - crypto map entries keyed by IKE: traffic that finds no SA
 * starts the exchange (RFC 4301 5.1, the "acquire"), and the Child SA that results keys the
 * entry. Also the initiator's half of CREATE_CHILD_SA for a new Child SA (RFC 7296 1.3.1),
 * which an acquire needs when the IKE SA with the peer is up already.
 *
 * An entry (struct ike_acq, one per protect entry an IKE child names) moves through:
 *   IDLE  no SA; the entry's SA id is 0, so the workers punt what matches (DP_PUNT_ACQUIRE);
 *   WAIT  negotiating: up to IKE_ACQ_HOLD packets wait here; once that many do, the entry is
 *         marked SPD_SA_HELD and the workers drop the rest themselves (spd_acquire);
 *   KEYED an IKEv1 child the hub initiated is installed, but the peer, the Quick Mode
 *         responder, may install its SAs only when message 3 is in (strongSwan does): what the
 *         hub sent at once would be lost. Packets are still held until the peer sends on the
 *         new SA or IKEV1_TAKEOVER_MS have passed (as ikev1_info.c waits for a rekey's);
 *   UP    the child's outbound SA keys the entry; the held packets leave through it;
 *   DOWN  the negotiation failed or took IKE_ACQ_WAIT_S: the held packets are dropped and the
 *         entry stays SPD_SA_HELD for IKE_ACQ_DOWN_S, so a dead peer costs the control lcore
 *         one attempt per IKE_ACQ_DOWN_S, not one per packet; then IDLE again.
 * A child of such an entry that the peer starts keys it all the same (ike_acq_bind from
 * ike_child_install); its removal puts the entry back to IDLE, first, so that no worker takes
 * an SA id past its grace period. A rekey's flip rebinds the entry to the new outbound SA.
 *
 * The first child of an IKE SA the hub starts rides in IKE_AUTH (the entry that caused it);
 * entries of the same peer waiting meanwhile get a CREATE_CHILD_SA each once it is up.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/log.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

#define IKE_ACQ_HOLD   8  /* packets held per entry while its SA is negotiated */
#define IKE_ACQ_WAIT_S 30 /* a negotiation that has not keyed its entry by then has failed */
#define IKE_ACQ_DOWN_S 5  /* after a failure, the entry drops its traffic this long */
#define L2_LEN	       14

enum ike_acq_state { IKE_ACQ_IDLE = 0, IKE_ACQ_WAIT, IKE_ACQ_KEYED, IKE_ACQ_UP, IKE_ACQ_DOWN };

struct ike_acq {
	uint16_t ifindex; /* the crypto map's interface */
	uint32_t seq;	  /* the entry */
	const struct cfg_ike_peer *peer;
	const struct cfg_ike_child *cc; /* the child that keys it */
	uint8_t state;			/* enum ike_acq_state */
	uint64_t until_tsc;		/* WAIT: give up, KEYED: send, DOWN: idle then */
	uint32_t spi_in;		/* KEYED: the new child's inbound SPI */
	struct rte_mbuf *held[IKE_ACQ_HOLD];
	uint8_t n_held;
};

static const char *const state_name[] = {"idle", "negotiating", "keyed", "up", "down"};

int ike_acq_init(struct ike *ike)
{
	const struct config *cfg = ike->cfg;
	unsigned int n = 0;
	for (unsigned int p = 0; p < cfg->n_ike_peers; p++)
		for (unsigned int k = 0; k < cfg->ike_peers[p].n_children; k++)
			n += cfg->ike_peers[p].children[k].cmap >= 0;
	ike->n_acq = 0;
	if (n == 0)
		return 0;
	ike->acq = rte_zmalloc("ike_acq", n * sizeof(*ike->acq), RTE_CACHE_LINE_SIZE);
	if (ike->acq == NULL)
		return -ENOMEM;
	for (unsigned int p = 0; p < cfg->n_ike_peers; p++) {
		const struct cfg_ike_peer *peer = &cfg->ike_peers[p];
		for (unsigned int k = 0; k < peer->n_children; k++) {
			const struct cfg_ike_child *cc = &peer->children[k];
			if (cc->cmap < 0)
				continue;
			const struct cfg_crypto_map *cm = &cfg->cmaps[cc->cmap];
			const struct iface *ifc =
				iface_by_name(ike->c->dp->ifaces, cfg->ifaces[cm->iface].name);
			if (ifc == NULL)
				return -ENODEV;
			struct ike_acq *a = &ike->acq[ike->n_acq++];
			a->ifindex = ifc->ifindex;
			a->seq = cm->entries[cc->cmap_entry].seq;
			a->peer = peer;
			a->cc = cc;
		}
	}
	return 0;
}

static void drop_held(struct ike *ike, struct ike_acq *a)
{
	for (uint8_t i = 0; i < a->n_held; i++)
		ctrl_drop(ike->c, a->held[i], DP_DROP_SPD_ACQUIRE);
	ike->st.acquire_dropped += a->n_held;
	a->n_held = 0;
}

void ike_acq_fini(struct ike *ike)
{
	for (unsigned int i = 0; i < ike->n_acq; i++)
		drop_held(ike, &ike->acq[i]);
	rte_free(ike->acq);
	ike->acq = NULL;
	ike->n_acq = 0;
}

static struct ike_acq *acq_find(struct ike *ike, uint16_t ifindex, uint32_t seq)
{
	for (unsigned int i = 0; i < ike->n_acq; i++)
		if (ike->acq[i].ifindex == ifindex && ike->acq[i].seq == seq)
			return &ike->acq[i];
	return NULL;
}

static struct ike_acq *acq_of(struct ike *ike, const struct cfg_ike_child *cc)
{
	for (unsigned int i = 0; cc->cmap >= 0 && i < ike->n_acq; i++)
		if (ike->acq[i].cc == cc)
			return &ike->acq[i];
	return NULL;
}

static void set_entry(struct ike *ike, const struct ike_acq *a, uint32_t sa_out)
{
	rte_spinlock_lock(&ike->c->lock); /* telemetry reads the SPDs under it */
	spd_entry_sa(ike->c->dp->spd, a->ifindex, a->seq, sa_out);
	rte_spinlock_unlock(&ike->c->lock);
}

static void set_state(struct ike *ike, struct ike_acq *a, uint8_t state)
{
	if (a->state != state)
		IKE_LOG(INFO, "crypto map entry seq %u (peer %s, child %s): %s", a->seq,
			a->peer->name, a->cc->name, state_name[state]);
	a->state = state;
	(void)ike;
}

/* Out through the entry's new SA: ctrl_ip_output finds it in the map. */
static void release(struct ike *ike, struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	if (m->l3_off > L2_LEN)
		rte_pktmbuf_adj(mb, (uint16_t)(m->l3_off - L2_LEN));
	if (!(m->flags & DP_MF_ORIGINATED))
		dp_ttl_dec(mb); /* forwarded: the hop the worker would have counted */
	m->l3_off = L2_LEN;
	ike->st.acquire_sent++;
	ctrl_ip_output(ike->c, mb, m->family, NULL);
}

/* The established (or, with any_state, any) IKE SA the hub has with peer, or NULL. */
static struct ike_sa *sa_with(struct ike *ike, const struct cfg_ike_peer *peer, bool any_state)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->peer == peer &&
		    (sa->state == IKE_S_ESTABLISHED || (any_state && sa->state != IKE_S_DELETED)))
			return sa;
	}
	return NULL;
}

static unsigned int child_index(const struct ike_acq *a)
{
	return (unsigned int)(a->cc - a->peer->children);
}

/* The negotiation for a: a new child on the IKE SA that is up, or a new IKE SA carrying it. */
static void start(struct ike *ike, struct ike_acq *a)
{
	struct ike_sa *sa = sa_with(ike, a->peer, false);
	ike->st.acquires++;
	a->until_tsc = ike_now(ike) + IKE_ACQ_WAIT_S * rte_get_timer_hz();
	set_state(ike, a, IKE_ACQ_WAIT);
	if (sa != NULL && sa->v1 != NULL)
		ikev1_quick_start(sa, a->cc, 0);
	else if (sa != NULL)
		ike_task_queue(sa, IKE_T_CHILD_NEW, child_index(a));
	else if (sa_with(ike, a->peer, true) == NULL) /* else ike_acq_established follows */
		ike_initiate(ike, a->peer, child_index(a));
}

void ike_acquire(struct ctrl *c, struct rte_mbuf *mb, uint16_t ifindex, uint32_t seq, bool transit)
{
	struct ike *ike = c->ike;
	struct ike_acq *a = ike != NULL ? acq_find(ike, ifindex, seq) : NULL;
	if (a == NULL || a->state == IKE_ACQ_DOWN) {
		if (ike != NULL)
			ike->st.acquire_dropped++;
		ctrl_drop(c, mb, DP_DROP_SPD_ACQUIRE);
		return;
	}
	if (!transit)
		dp_meta(mb)->flags |= DP_MF_ORIGINATED;
	if (a->state == IKE_ACQ_UP) { /* punted before the entry was keyed */
		release(ike, mb);
		return;
	}
	if (a->state == IKE_ACQ_IDLE)
		start(ike, a);
	if (a->n_held == IKE_ACQ_HOLD) {
		ike->st.acquire_dropped++;
		ctrl_drop(c, mb, DP_DROP_SPD_ACQUIRE);
		return;
	}
	a->held[a->n_held++] = mb;
	ike->st.acquire_held++;
	if (a->n_held == IKE_ACQ_HOLD)
		set_entry(ike, a, SPD_SA_HELD); /* the workers drop the rest themselves */
}

static void fail(struct ike *ike, struct ike_acq *a)
{
	drop_held(ike, a);
	ike->st.acquire_failed++;
	a->until_tsc = ike_now(ike) + IKE_ACQ_DOWN_S * rte_get_timer_hz();
	set_entry(ike, a, SPD_SA_HELD);
	set_state(ike, a, IKE_ACQ_DOWN);
}

/* The entry's SA is there: it takes the entry's traffic, the held packets first. */
static void key(struct ike *ike, struct ike_acq *a, uint32_t sa_out)
{
	set_entry(ike, a, sa_out);
	set_state(ike, a, IKE_ACQ_UP);
	for (uint8_t i = 0; i < a->n_held; i++)
		release(ike, a->held[i]);
	a->n_held = 0;
}

/* The child with inbound SPI spi of any IKE SA with peer, or NULL. */
static const struct ike_child *child_by_spi(struct ike *ike, const struct cfg_ike_peer *peer,
					    uint32_t spi)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *sa = data;
		int n = sa->peer == peer ? ike_child_by_spi_in(sa, spi) : -1;
		if (n >= 0)
			return &sa->child[n];
	}
	return NULL;
}

/* KEYED: the peer has the SAs once it sends on them, and surely IKEV1_TAKEOVER_MS after. */
static void keyed_tick(struct ike *ike, struct ike_acq *a, uint64_t now)
{
	const struct ike_child *ch = child_by_spi(ike, a->peer, a->spi_in);
	const struct sa *in = ch != NULL ? sa_get(ike->c->dp->sas, ch->sa_in) : NULL;
	struct sa_stats st = {0};
	if (ch == NULL || ch->sa_out == 0) { /* ike_acq_unbind saw it go: not expected */
		fail(ike, a);
		return;
	}
	if (in != NULL)
		sa_stats_read(in, &st);
	if (st.pkts > 0 || now >= a->until_tsc)
		key(ike, a, ch->sa_out);
}

void ike_acq_tick(struct ike *ike, uint64_t now)
{
	for (unsigned int i = 0; i < ike->n_acq; i++) {
		struct ike_acq *a = &ike->acq[i];
		if (a->state == IKE_ACQ_WAIT && now >= a->until_tsc) {
			IKE_LOG(NOTICE, "crypto map entry seq %u: no SA from peer %s within %u s",
				a->seq, a->peer->name, IKE_ACQ_WAIT_S);
			fail(ike, a);
		} else if (a->state == IKE_ACQ_KEYED) {
			keyed_tick(ike, a, now);
		} else if (a->state == IKE_ACQ_DOWN && now >= a->until_tsc) {
			set_entry(ike, a, 0);
			set_state(ike, a, IKE_ACQ_IDLE);
		}
	}
}

/*
 * May the peer lack ch's SAs still? It may for a new IKEv1 child the hub initiated, installed
 * on Quick Mode's message 2; not for a rekey's successor, which ikev1_info.c holds back itself.
 */
static bool peer_may_lack(const struct ike_sa *sa, const struct ike_child *ch)
{
	if (sa->v1 == NULL || !ch->local_init)
		return false;
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].successor == ch->spi_in)
			return false;
	return true;
}

void ike_acq_bind(struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike *ike = sa->ike;
	struct ike_acq *a = acq_of(ike, ch->cfg);
	if (a == NULL || ch->sa_out == 0)
		return;
	if (!peer_may_lack(sa, ch)) {
		key(ike, a, ch->sa_out);
		return;
	}
	a->spi_in = ch->spi_in;
	a->until_tsc = ike_now(ike) + IKEV1_TAKEOVER_MS * rte_get_timer_hz() / 1000;
	set_state(ike, a, IKE_ACQ_KEYED);
}

void ike_acq_unbind(struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike *ike = sa->ike;
	struct ike_acq *a = acq_of(ike, ch->cfg);
	const struct spd *spd = a != NULL ? spd_get(ike->c->dp->spd, a->ifindex) : NULL;
	if (a != NULL && a->state == IKE_ACQ_KEYED && a->spi_in == ch->spi_in) {
		fail(ike, a); /* gone before it keyed the entry: the negotiation came to nothing */
		return;
	}
	if (spd == NULL || ch->sa_out == 0 || spd_entry_sa_get(spd, a->seq) != ch->sa_out)
		return;
	set_entry(ike, a, 0);
	if (a->state == IKE_ACQ_UP) /* KEYED: another child keys it in a moment */
		set_state(ike, a, IKE_ACQ_IDLE);
}

void ike_acq_established(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	for (unsigned int i = 0; i < ike->n_acq; i++) {
		struct ike_acq *a = &ike->acq[i];
		bool has = false;
		if (a->peer != sa->peer || a->state != IKE_ACQ_WAIT)
			continue;
		for (unsigned int k = 0; k < sa->n_child; k++)
			has |= sa->child[k].cfg == a->cc;
		if (!has)
			ike_task_queue(sa, IKE_T_CHILD_NEW, child_index(a));
	}
}

void ike_acq_refused(struct ike_sa *sa, const struct cfg_ike_child *cc)
{
	struct ike_acq *a = acq_of(sa->ike, cc);
	if (a != NULL && a->state == IKE_ACQ_WAIT)
		fail(sa->ike, a);
}

/* ---- CREATE_CHILD_SA for a new child, the initiator's half (1.3.1) ---- */

int ike_child_offer(struct ike_sa *sa, const struct cfg_ike_child *cc, bool transport,
		    struct ike_wr *w)
{
	static struct ike_ts_set tsi, tsr;
	uint16_t group = cc->n_esp > 0 && cc->esp[0].n_dh > 0 ? cc->esp[0].dh[0] : 0;
	uint8_t pub[IKE_DH_KE_MAX];
	int n = 0;
	sa->offer_spi = ike_child_spi();
	uint8_t spi[4] = {(uint8_t)(sa->offer_spi >> 24), (uint8_t)(sa->offer_spi >> 16),
			  (uint8_t)(sa->offer_spi >> 8), (uint8_t)sa->offer_spi};
	ike_dh_free(sa->dh_priv);
	sa->dh_priv = NULL;
	if (group != 0 && (ike_dh_new(group, &sa->dh_priv) != 0 ||
			   (n = ike_dh_public(sa->dh_priv, pub, sizeof(pub))) <= 0))
		return -EIO;
	if (RAND_bytes(sa->rekey_nonce, sizeof(sa->rekey_nonce)) != 1)
		return -EIO;
	int rc = ike_prop_offer(w, cc->esp, cc->n_esp, IKE_PROTO_ESP, spi, 4, true);
	if (rc == 0)
		rc = ike_wr_nonce(w, sa->rekey_nonce, sizeof(sa->rekey_nonce));
	if (rc == 0 && n > 0)
		rc = ike_wr_ke(w, group, pub, (size_t)n);
	ike_ts_from_cfg(cc->local_ts, cc->n_local_ts, &tsi);
	ike_ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &tsr);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSI, tsi.ts, tsi.n);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSR, tsr.ts, tsr.n);
	if (rc == 0 && transport)
		rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	return rc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ike_child_accept(struct ike_sa *sa, const struct cfg_ike_child *cc, const struct ike_msg *m,
		     struct ike_child *c)
{
	static struct ike_ts_set tsi, tsr;
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	uint8_t keymat[2 * (36 + 64)], gir[IKE_DH_SECRET_MAX];
	struct ike_choice ch;
	int gl = 0;
	if (sap == NULL || nr == NULL || sa->n_child == IKE_CHILD_MAX ||
	    ike_child_select(sa, m, cc, &tsi, &tsr) == NULL ||
	    ike_prop_choose_esp(m, sap, cc->esp, cc->n_esp, true, &ch) != 0)
		return -ENOENT;
	if (sa->dh_priv != NULL && (ke == NULL || ke->u.ke.group != ch.dh ||
				    (gl = ike_dh_derive(sa->dh_priv, ke->u.ke.data, ke->u.ke.len,
							gir, sizeof(gir))) <= 0)) {
		ike_count(sa->ike, IKE_DROP_BAD_KE);
		return -EPROTO;
	}
	c->cfg = cc;
	c->local_init = true;
	c->spi_in = sa->offer_spi;
	c->spi_out = be32(ch.spi);
	c->encr = ch.encr;
	c->encr_bits = ch.encr_bits;
	c->integ = ch.integ;
	c->esn = ch.esn == 1;
	if (c->state == IKE_CH_ACTIVE) /* a new child: routes for what the responder took */
		c->n_rri = (uint8_t)ike_ts_rri(&tsr, c->rri, IKE_RRI_MAX);
	size_t kl = ike_child_keymat_len(c);
	int rc = kl <= sizeof(keymat)
			 ? ike_child_keymat(sa->prf, sa->keys.sk_d, sa->keys.d_len,
					    gl > 0 ? gir : NULL, (size_t)gl, sa->rekey_nonce,
					    sizeof(sa->rekey_nonce), nr->body, nr->len, keymat, kl)
			 : -EINVAL;
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc == 0)
		rc = ike_child_install(sa, c, keymat, c->state == IKE_CH_ACTIVE);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0) {
		ike_count(sa->ike, IKE_DROP_CHILD);
		return rc;
	}
	sa->n_child++;
	return 0;
}

int ike_child_new_request(struct ike_sa *sa, uint32_t child, struct ike_wr *w)
{
	if (sa->peer == NULL || child >= sa->peer->n_children)
		return -ENOENT;
	const struct cfg_ike_child *cc = &sa->peer->children[child];
	for (unsigned int k = 0; k < sa->n_child; k++)
		if (sa->child[k].cfg == cc && sa->child[k].state != IKE_CH_OLD)
			return -EALREADY; /* the peer started it meanwhile */
	return ike_child_offer(sa, cc, cc->mode == CFG_SA_TRANSPORT, w);
}

int ike_child_new_response(struct ike_sa *sa, uint32_t child, const struct ike_msg *m)
{
	const struct cfg_ike_child *cc = &sa->peer->children[child];
	struct ike_child *c = &sa->child[sa->n_child];
	int rc = -ENOSPC;
	if (sa->n_child < IKE_CHILD_MAX) {
		memset(c, 0, sizeof(*c));
		c->state = IKE_CH_ACTIVE;
		c->transport = cc->mode == CFG_SA_TRANSPORT &&
			       ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
		rc = ike_child_accept(sa, cc, m, c);
	}
	if (rc != 0) {
		const struct ike_payload *n = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
		IKE_LOG(NOTICE, "peer %s: child %s not created (notify %u)", sa->peer->name,
			cc->name, n != NULL ? n->u.notify.type : 0);
		ike_acq_refused(sa, cc);
		return 0; /* the IKE SA carries on */
	}
	IKE_LOG(INFO, "peer %s: child %s created (CREATE_CHILD_SA)", sa->peer->name, cc->name);
	return 0;
}
