/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_create.c - CREATE_CHILD_SA, the responder's half (RFC 7296 1.3): a new
 * Child SA, the rekey of a Child SA (1.3.3, REKEY_SA), and the rekey of the IKE SA (1.3.2).
 *
 * Rekeys are make-before-break (2.8). A rekeyed child's inbound SA is live before the response
 * leaves; its outbound SA takes the VTI over when the peer deletes the old child (which it does
 * once it has the new one), or as soon as packets arrive on the new inbound SA; the old inbound
 * SA then lives IKE_REKEY_OVERLAP_S more seconds (ike_child.c). A rekeyed IKE SA gets fresh
 * keys from the old SK_d (2.18) and takes every Child SA along; the old IKE SA stays until the
 * peer deletes it. With PFS the child's keys include a new key exchange (1.3.1, 2.17).
 * The initiator's halves of the child rekey and of the IKE SA rekey are here too (ike_task.c
 * sends them): a rekeyed child's successor takes the VTI when the answer arrives, and the old
 * child is deleted; a rekeyed IKE SA's children move to the new one, and the old one is deleted.
 *
 * Collisions (2.8.1, 2.8.2, 2.25):
 * - Both ends rekey the same child: each answers the other as usual (the answer's child is
 *   installed, inbound live, not bound). When our own exchange completes, the one of the two
 *   exchanges holding the lowest of the four nonces made the redundant child, and its initiator
 *   deletes it: if that is ours, our new child goes at once (the peer never sent on it) and the
 *   old child stays bound until the peer's Delete flips it to the peer's child; otherwise ours
 *   takes over and we delete the old child, and the peer deletes its own new one. Either way
 *   the surviving child's inbound SA was live before either end could send on it.
 * - Both ends rekey the IKE SA: the same rule; the children move to the surviving new IKE SA,
 *   the winner deletes the old IKE SA and the loser its redundant new one.
 * - A rekey for a child we already rekeyed and are deleting (only its inbound SA left), or any
 *   CREATE_CHILD_SA while our IKE SA rekey is outstanding or the IKE SA is being deleted, is
 *   answered TEMPORARY_FAILURE; an IKE SA rekey while our child rekey is outstanding too (the
 *   half-made child would be lost). A rekey for a child we do not know gets CHILD_SA_NOT_FOUND.
 * - Our rekey answered TEMPORARY_FAILURE is tried again 2 to 5 s later (2.25: not at once),
 *   on the IKE SA that holds the child then; CHILD_SA_NOT_FOUND deletes the child here too.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/log.h"

/* An error answer: one notification (with data), nothing created (2.21.3, 1.3). */
static void refuse(struct ike_sa *sa, const struct ike_msg *m, uint16_t type, const uint8_t *data,
		   size_t len)
{
	uint8_t buf[512];
	struct ike_wr w;
	if (ike_wr_init_inner(&w, buf, sizeof(buf)) == 0 &&
	    ike_wr_notify(&w, 0, NULL, 0, type, data, len) == 0)
		ike_respond(sa, m, &w);
}

/* CHILD_SA_NOT_FOUND with the SPI copied from the request's REKEY_SA (2.25). */
static void not_found(struct ike_sa *sa, const struct ike_msg *m, const struct ike_payload *rekey)
{
	uint8_t buf[512];
	struct ike_wr w;
	if (ike_wr_init_inner(&w, buf, sizeof(buf)) == 0 &&
	    ike_wr_notify(&w, rekey->u.notify.proto, rekey->u.notify.spi, rekey->u.notify.spi_size,
			  IKE_N_CHILD_SA_NOT_FOUND, NULL, 0) == 0)
		ike_respond(sa, m, &w);
}

/* 2.25: a request that cannot be completed now; the peer asks again later. */
static void busy(struct ike_sa *sa, const struct ike_msg *m, const char *why)
{
	ike_count(sa->ike, IKE_DROP_COLLISION);
	IKE_LOG(INFO, "peer %s: CREATE_CHILD_SA refused for now: %s", sa->peer->name, why);
	refuse(sa, m, IKE_N_TEMPORARY_FAILURE, NULL, 0);
}

/* Our request outstanding on sa is a task of this type (and argument)? */
static bool outstanding(const struct ike_sa *sa, uint8_t type, uint32_t arg)
{
	return sa->req != NULL && sa->n_task > 0 && sa->task[0].type == type &&
	       sa->task[0].arg == arg;
}

/* The IKE SA is on its way out: our Delete of it is queued or the children moved on. */
static bool closing(const struct ike_sa *sa)
{
	return sa->superseded || ike_task_pending(sa, IKE_T_DELETE_IKE, 0);
}

/*
 * 2.8.1, 2.8.2: of two exchanges that rekeyed the same SA, the one with the lowest of the four
 * nonces made the redundant SA. Nonces compare as unsigned big-endian strings, octet by octet;
 * of two where one is a prefix of the other, the shorter is the lower.
 */
static int nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, RTE_MIN(al, bl));
	return c != 0 ? c : (al > bl) - (al < bl);
}

static void nonce_min(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, const uint8_t **out,
		      size_t *out_len)
{
	bool first = nonce_cmp(a, al, b, bl) <= 0;
	*out = first ? a : b;
	*out_len = first ? al : bl;
}

/* Nr and, when a group was agreed, our KE and g^ir from the peer's KE; 0 or the notification. */
struct kx {
	uint8_t nr[IKE_NONCE_OURS];
	uint8_t pub[IKE_DH_KE_MAX];
	int pub_len;
	uint8_t gir[IKE_DH_SECRET_MAX];
	int gir_len;
	const struct ike_payload *ni;
};

static uint16_t exchange_keys(struct ike_sa *sa, const struct ike_msg *m, uint16_t group,
			      struct kx *k)
{
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	struct ike_dh *dh = NULL;
	k->ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	k->pub_len = k->gir_len = 0;
	if (k->ni == NULL || RAND_bytes(k->nr, sizeof(k->nr)) != 1)
		return IKE_N_INVALID_SYNTAX;
	if (group == 0)
		return 0;
	if (ke == NULL || ke->u.ke.group != group) {
		ike_count(sa->ike, IKE_DROP_BAD_KE);
		return IKE_N_INVALID_KE_PAYLOAD;
	}
	if (ike_dh_new(group, &dh) == 0)
		k->pub_len = ike_dh_public(dh, k->pub, sizeof(k->pub));
	if (k->pub_len > 0)
		k->gir_len = ike_dh_derive(dh, ke->u.ke.data, ke->u.ke.len, k->gir, sizeof(k->gir));
	ike_dh_free(dh);
	if (k->pub_len <= 0 || k->gir_len <= 0) {
		ike_count(sa->ike, IKE_DROP_BAD_KE);
		return IKE_N_INVALID_SYNTAX; /* RFC 6989: no key from that value */
	}
	return 0;
}

/* 2.25: after TEMPORARY_FAILURE, wait before asking again: 2 to 5 s, not in step with the peer. */
static uint64_t ike_retry_delay(void)
{
	uint8_t r = 0;
	RAND_bytes(&r, 1);
	return (2000u + r * 3000u / 255u) * rte_get_timer_hz() / 1000u;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A child of ours, rekeyed and deleted already, still had the peer's inbound SPI spi. */
static bool retired(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].state == IKE_CH_OLD && sa->child[i].spi_out == spi)
			return true;
	return false;
}

/*
 * 2.8.1: the peer rekeys the child we are rekeying (both requests crossed). We answered it as
 * usual; the lower nonce of that exchange decides, once ours completes, which new child stays.
 */
static void remember_collision(struct ike_sa *sa, const struct kx *k)
{
	const uint8_t *low;
	size_t len;
	nonce_min(k->ni->body, k->ni->len, k->nr, sizeof(k->nr), &low, &len);
	memcpy(sa->coll_nonce, low, len);
	sa->coll_nonce_len = (uint16_t)len;
	IKE_LOG(INFO, "peer %s: child rekey collision (2.8.1), resolved when ours completes",
		sa->peer->name);
}

/* A new or rekeyed Child SA (1.3.1, 1.3.3). */
static void child(struct ike_sa *sa, struct ike_msg *m, const struct ike_payload *sap,
		  const struct ike_payload *rekey)
{
	static struct ike_ts_set tsi, tsr;
	static struct kx k;
	uint8_t buf[IKE_MSG_MAX], keymat[2 * (36 + 64)], inv[2];
	struct ike_choice ch;
	struct ike_wr w;
	int old = -1;
	if (ike_sa_by_spi_nz(sa->ike, sa->rekey_spi) != NULL || closing(sa)) { /* 2.25.2 */
		busy(sa, m, closing(sa) ? "the IKE SA is being deleted" : "we rekey the IKE SA");
		return;
	}
	if (rekey != NULL) {
		uint32_t spi = rekey->u.notify.spi_size == 4 ? be32(rekey->u.notify.spi) : 0;
		old = ike_child_by_spi_out(sa, spi);
		if (old < 0 && spi != 0 && retired(sa, spi)) { /* 2.25.1: we are closing it */
			busy(sa, m, "that Child SA is being deleted");
			return;
		}
		if (old < 0 || sa->child[old].state != IKE_CH_ACTIVE) {
			ike_count(sa->ike, IKE_DROP_STATE);
			not_found(sa, m, rekey);
			return;
		}
		if (sa->child[old].successor != 0) { /* the peer rekeyed it already */
			busy(sa, m, "that Child SA has been rekeyed already");
			return;
		}
	}
	const struct cfg_ike_child *cc =
		ike_child_select(sa, m, old >= 0 ? sa->child[old].cfg : NULL, &tsi, &tsr);
	if (cc == NULL) {
		refuse(sa, m, IKE_N_TS_UNACCEPTABLE, NULL, 0);
		return;
	}
	if (sa->n_child == IKE_CHILD_MAX ||
	    ike_prop_choose_esp(m, sap, cc->esp, cc->n_esp, true, &ch) != 0) {
		if (sa->n_child < IKE_CHILD_MAX)
			ike_log_child_refused(sa, m, sap, cc);
		refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	uint16_t why = exchange_keys(sa, m, ch.dh, &k);
	if (why != 0) {
		inv[0] = (uint8_t)(ch.dh >> 8);
		inv[1] = (uint8_t)ch.dh;
		refuse(sa, m, why, inv, why == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		OPENSSL_cleanse(&k, sizeof(k));
		return;
	}
	struct ike_child *c = &sa->child[sa->n_child];
	memset(c, 0, sizeof(*c));
	c->cfg = cc;
	c->spi_out = be32(ch.spi);
	c->encr = ch.encr;
	c->encr_bits = ch.encr_bits;
	c->integ = ch.integ;
	c->esn = ch.esn == 1;
	c->transport =
		cc->mode == CFG_SA_TRANSPORT && ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	c->state = old >= 0 ? IKE_CH_NEW : IKE_CH_ACTIVE;
	if (old >= 0) /* same VTI (a template's clone too); routes follow at the flip */
		c->va = sa->child[old].va;
	else
		c->n_rri = (uint8_t)ike_ts_rri(&tsi, c->rri, IKE_RRI_MAX);
	size_t kl = ike_child_keymat_len(c);
	int rc = kl <= sizeof(keymat)
			 ? ike_child_keymat(sa->prf, sa->keys.sk_d, sa->keys.d_len,
					    k.gir_len > 0 ? k.gir : NULL, (size_t)k.gir_len,
					    k.ni->body, k.ni->len, k.nr, sizeof(k.nr), keymat, kl)
			 : -EINVAL;
	if (rc == 0)
		rc = ike_child_install(sa, c, keymat, old < 0);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0) {
		ike_count(sa->ike, IKE_DROP_CHILD);
		OPENSSL_cleanse(&k, sizeof(k));
		refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	sa->n_child++;
	if (old >= 0) {
		sa->child[old].successor = c->spi_in;
		sa->ike->st.child_rekeys++;
		if (outstanding(sa, IKE_T_CHILD_REKEY, sa->child[old].spi_in))
			remember_collision(sa, &k);
	}
	/* SA, Nr, [KEr], TSi, TSr (1.3.1) */
	rc = ike_wr_init_inner(&w, buf, sizeof(buf));
	uint8_t spi[4] = {(uint8_t)(c->spi_in >> 24), (uint8_t)(c->spi_in >> 16),
			  (uint8_t)(c->spi_in >> 8), (uint8_t)c->spi_in};
	memcpy(ch.spi, spi, 4);
	if (rc == 0)
		rc = ike_prop_write(&w, &ch, IKE_PROTO_ESP);
	if (rc == 0)
		rc = ike_wr_nonce(&w, k.nr, sizeof(k.nr));
	if (rc == 0 && k.pub_len > 0)
		rc = ike_wr_ke(&w, ch.dh, k.pub, (size_t)k.pub_len);
	if (rc == 0)
		rc = ike_wr_ts(&w, IKE_PL_TSI, tsi.ts, tsi.n);
	if (rc == 0)
		rc = ike_wr_ts(&w, IKE_PL_TSR, tsr.ts, tsr.n);
	if (rc == 0 && c->transport)
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc == 0)
		ike_respond(sa, m, &w);
}

/*
 * The new IKE SA's keys (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), then 2.14
 * with the new SPIs. SK_e*i / SK_a*i protect what the new SA's initiator (the rekey's) sends.
 */
static int rekey_keys(struct ike_sa *old, struct ike_sa *n, const uint8_t *gir, size_t gir_len)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	size_t el = ike_sk_encr_key_len(n->encr, n->encr_bits);
	size_t al = n->integ ? ike_sk_integ_key_len(n->integ) : 0;
	struct ike_sk *from_i = n->initiator ? &n->sk_out : &n->sk_in;
	struct ike_sk *from_r = n->initiator ? &n->sk_in : &n->sk_out;
	int rc = ike_skeyseed_rekey(old->prf, old->keys.sk_d, old->keys.d_len, gir, gir_len, n->ni,
				    n->ni_len, n->nr, n->nr_len, skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(n->prf, skeyseed, n->ni, n->ni_len, n->nr, n->nr_len,
					n->spi_i, n->spi_r, al, el, &n->keys);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (rc == 0)
		rc = ike_sk_init(from_i, n->encr, n->encr_bits, n->integ, n->keys.sk_ei, el,
				 al ? n->keys.sk_ai : NULL, al);
	if (rc == 0)
		rc = ike_sk_init(from_r, n->encr, n->encr_bits, n->integ, n->keys.sk_er, el,
				 al ? n->keys.sk_ar : NULL, al);
	return rc;
}

/* 2.18: the Child SAs, the peer's inner address and the queued child tasks go to the new SA. */
static void adopt(struct ike_sa *to, struct ike_sa *from)
{
	memcpy(to->child, from->child, sizeof(from->child));
	to->n_child = from->n_child;
	from->n_child = 0;
	memcpy(to->vip, from->vip, sizeof(to->vip));
	to->vip_pool = from->vip_pool;
	from->vip_pool = -1;
	memcpy(to->vip6, from->vip6, sizeof(to->vip6));
	to->vip6_set = from->vip6_set;
	from->vip6_set = false;
	from->superseded = true;
	ike_task_move(from, to);
	IKE_LOG(INFO, "IKE SA with %s rekeyed: %u child SAs moved to the new one", to->peer->name,
		to->n_child);
}

/* Rekey of the IKE SA (1.3.2): a new SA with the peer's new SPI and ours, children moved. */
static void ike_rekey(struct ike_sa *sa, struct ike_msg *m, const struct ike_payload *sap)
{
	static struct kx k;
	uint8_t buf[1024], inv[2];
	struct ike_choice ch;
	struct ike_wr w;
	/* 2.25.2; and no rekey under a half-done Child SA exchange of ours (it would be lost) */
	if (closing(sa) || (sa->req != NULL && (sa->task[0].type == IKE_T_CHILD_REKEY ||
						sa->task[0].type == IKE_T_CHILD_NEW))) {
		busy(sa, m, closing(sa) ? "the IKE SA is being deleted" : "we rekey a Child SA");
		return;
	}
	if (ike_prop_choose_ike(m, sap, sa->peer->ike, sa->peer->n_ike, 8, &ch) != 0) {
		refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	uint16_t why = exchange_keys(sa, m, ch.dh, &k);
	if (why == 0 && k.pub_len <= 0)
		why = IKE_N_INVALID_KE_PAYLOAD; /* 1.3.2: an IKE SA rekey always has a KE */
	if (why != 0) {
		inv[0] = (uint8_t)(ch.dh >> 8);
		inv[1] = (uint8_t)ch.dh;
		refuse(sa, m, why, inv, why == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		OPENSSL_cleanse(&k, sizeof(k));
		return;
	}
	struct ike_sa *n = ike_sa_new(sa->ike, ch.spi, &sa->path, false);
	if (n == NULL) {
		OPENSSL_cleanse(&k, sizeof(k));
		refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	n->peer = sa->peer;
	n->peer_id = sa->peer_id;
	n->natt = sa->natt;
	n->frag = sa->frag; /* RFC 7383: negotiated in IKE_SA_INIT, which a rekey does not redo */
	n->encr = ch.encr;
	n->encr_bits = ch.encr_bits;
	n->integ = ch.integ;
	n->prf = ch.prf;
	n->dh = ch.dh;
	n->ni_len = k.ni->len;
	memcpy(n->ni, k.ni->body, k.ni->len);
	n->nr_len = sizeof(k.nr);
	memcpy(n->nr, k.nr, sizeof(k.nr));
	int rc = rekey_keys(sa, n, k.gir, (size_t)k.gir_len);
	memcpy(ch.spi, n->spi_r, 8);
	if (rc == 0)
		rc = ike_wr_init_inner(&w, buf, sizeof(buf));
	if (rc == 0)
		rc = ike_prop_write(&w, &ch, IKE_PROTO_IKE);
	if (rc == 0)
		rc = ike_wr_nonce(&w, k.nr, sizeof(k.nr));
	if (rc == 0)
		rc = ike_wr_ke(&w, ch.dh, k.pub, (size_t)k.pub_len);
	OPENSSL_cleanse(&k, sizeof(k));
	if (rc != 0 || ike_respond(sa, m, &w) != 0) {
		ike_sa_delete(n);
		return;
	}
	n->ike->st.established++;
	sa->ike->st.ike_rekeys++;
	ike_sa_log_keys(n);
	/* 2.8.2: we rekey it too; the children wait here until our exchange decides */
	if (ike_sa_by_spi_nz(sa->ike, sa->rekey_spi) != NULL) {
		memcpy(sa->coll_spi, n->spi_r, 8);
		IKE_LOG(INFO,
			"peer %s: IKE SA rekey collision (2.8.2), resolved when ours completes",
			sa->peer->name);
	}
	adopt(n, sa);
}

void ike_create_respond(struct ike_sa *sa, struct ike_msg *m)
{
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	if (sap == NULL || sap->u.sa.n_props == 0) {
		ike_count(sa->ike, IKE_DROP_PARSE);
		refuse(sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}
	const struct ike_prop *p = &m->props[sap->u.sa.first_prop];
	if (p->proto == IKE_PROTO_IKE)
		ike_rekey(sa, m, sap);
	else
		child(sa, m, sap, ike_msg_notify(m, IKE_N_REKEY_SA));
}

/* ---- the initiator's half: rekeying a child (1.3.3) when its soft lifetime comes ---- */

int ike_rekey_request(struct ike_sa *sa, uint32_t spi_in, struct ike_wr *w)
{
	int i = ike_child_by_spi_in(sa, spi_in);
	if (i < 0 || sa->child[i].state != IKE_CH_ACTIVE)
		return -ENOENT;
	if (sa->child[i].successor != 0) /* the peer rekeyed it while this waited in the queue */
		return -EALREADY;
	uint8_t old[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16), (uint8_t)(spi_in >> 8),
			  (uint8_t)spi_in};
	int rc = ike_wr_notify(w, IKE_PROTO_ESP, old, 4, IKE_N_REKEY_SA, NULL, 0);
	return rc == 0 ? ike_child_offer(sa, sa->child[i].cfg, sa->child[i].transport, w) : rc;
}

/*
 * The peer refused our rekey of child old (2.25): after TEMPORARY_FAILURE it is tried again a
 * little later, unless the peer rekeyed it meanwhile (then its successor is on the way);
 * after CHILD_SA_NOT_FOUND the child is gone at the peer, so it goes here too.
 */
static void rekey_refused(struct ike_sa *sa, int old, const struct ike_msg *m)
{
	const struct ike_payload *n = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
	IKE_LOG(NOTICE, "peer %s: child rekey refused (notify %u)", sa->peer->name,
		n != NULL ? n->u.notify.type : 0);
	if (old < 0 || sa->child[old].state != IKE_CH_ACTIVE || sa->child[old].successor != 0)
		return;
	struct ike_child *c = &sa->child[old];
	if (ike_msg_notify(m, IKE_N_TEMPORARY_FAILURE) != NULL) {
		c->retry_tsc = ike_now(sa->ike) + ike_retry_delay();
	} else if (ike_msg_notify(m, IKE_N_CHILD_SA_NOT_FOUND) != NULL) {
		IKE_LOG(INFO, "child %s of %s: unknown to the peer, deleted", c->cfg->name,
			sa->peer->name);
		ike_child_remove(sa, c);
		ike_child_forget(sa, (unsigned int)old);
	}
}

/*
 * 2.8.1: both ends rekeyed child old and each answered the other. The exchange with the
 * lowest of the four nonces made the redundant child; its initiator deletes it. If that is
 * ours (c), it goes and old stays bound until the peer deletes old, which flips old to the
 * peer's child; otherwise ours takes over as after any rekey, and the peer deletes its own.
 * Returns true when c was redundant (and is gone).
 */
static bool collision_lost(struct ike_sa *sa, int old, struct ike_child *c,
			   const struct ike_payload *nr)
{
	const uint8_t *mine;
	size_t ml;
	if (sa->coll_nonce_len == 0 || sa->child[old].successor == 0 ||
	    ike_child_by_spi_in(sa, sa->child[old].successor) < 0)
		return false;
	nonce_min(sa->rekey_nonce, sizeof(sa->rekey_nonce), nr->body, nr->len, &mine, &ml);
	bool lost = nonce_cmp(mine, ml, sa->coll_nonce, sa->coll_nonce_len) < 0;
	sa->coll_nonce_len = 0;
	IKE_LOG(INFO, "child %s of %s: rekey collision %s", c->cfg->name, sa->peer->name,
		lost ? "lost: ours is redundant" : "won: the peer's is redundant");
	if (!lost)
		return false;
	uint32_t spi = c->spi_in;
	ike_child_remove(sa, c); /* never bound: the peer sends nothing on it */
	ike_child_forget(sa, (unsigned int)(c - sa->child));
	ike_task_queue(sa, IKE_T_DELETE_CHILD, spi);
	return true;
}

/* The responder's new child: installed, it takes the VTI at once (the peer has it), the old one
 * keeps its inbound SA for the overlap and is deleted with the peer (2.8). */
int ike_rekey_response(struct ike_sa *sa, uint32_t spi_in, const struct ike_msg *m)
{
	int old = ike_child_by_spi_in(sa, spi_in);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (sap != NULL && nr != NULL && (old < 0 || sa->child[old].state != IKE_CH_ACTIVE)) {
		/* the child went while we asked (deleted by the peer, 2.25.1): so does the new one */
		IKE_LOG(INFO, "peer %s: rekeyed a child that is gone: its successor is deleted",
			sa->peer->name);
		sa->coll_nonce_len = 0;
		ike_task_queue(sa, IKE_T_DELETE_CHILD, sa->offer_spi);
		return 0;
	}
	int rc = old >= 0 && sa->n_child < IKE_CHILD_MAX ? 0 : -ENOENT;
	struct ike_child *c = &sa->child[rc == 0 ? sa->n_child : 0];
	if (rc == 0) { /* the new child waits for the flip, on the old one's VTI (2.8) */
		memset(c, 0, sizeof(*c));
		c->state = IKE_CH_NEW;
		c->transport = sa->child[old].transport;
		c->va = sa->child[old].va;
		rc = ike_child_accept(sa, sa->child[old].cfg, m, c);
	}
	if (rc == -ENOENT) {
		sa->coll_nonce_len = 0;
		rekey_refused(sa, old, m);
		return 0; /* the old child carries on until its hard lifetime */
	}
	if (rc != 0)
		return 0; /* a bad KE or an install that failed: counted */
	sa->coll_nonce_len = sa->child[old].successor != 0 ? sa->coll_nonce_len : 0;
	sa->ike->st.child_rekeys++;
	if (collision_lost(sa, old, c, nr))
		return 0;
	sa->child[old].successor = c->spi_in;
	ike_child_flip(sa, (unsigned int)old);
	ike_task_queue(sa, IKE_T_DELETE_CHILD, spi_in);
	return 0;
}

/* ---- the initiator's half: rekeying the IKE SA (1.3.2, 2.18) ---- */

/*
 * SA (our proposals, with the new IKE SA's SPI: ours, 8 octets), Ni, KEi of the group in use.
 * The new SA exists from here on, half-open, so that its SPI is taken.
 */
int ike_ike_rekey_request(struct ike_sa *sa, struct ike_wr *w)
{
	uint8_t pub[IKE_DH_KE_MAX];
	int n = 0;
	if (sa->state != IKE_S_ESTABLISHED || sa->superseded)
		return -ENOENT;
	struct ike_sa *ns = ike_sa_by_spi_nz(sa->ike, sa->rekey_spi);
	if (ns != NULL) /* a retry: the last attempt's new SA never got keys */
		ike_sa_delete(ns);
	ns = ike_sa_new_initiator(sa->ike, sa->peer, &sa->path);
	if (ns == NULL)
		return -ENOMEM;
	ns->dh = sa->dh;
	ns->ni_len = IKE_NONCE_OURS;
	if (RAND_bytes(ns->ni, IKE_NONCE_OURS) != 1 || ike_dh_new(ns->dh, &ns->dh_priv) != 0 ||
	    (n = ike_dh_public(ns->dh_priv, pub, sizeof(pub))) <= 0) {
		ike_sa_delete(ns);
		return -EIO;
	}
	int rc = ike_prop_offer(w, sa->peer->ike, sa->peer->n_ike, IKE_PROTO_IKE, ns->spi_i, 8,
				true);
	if (rc == 0)
		rc = ike_wr_nonce(w, ns->ni, ns->ni_len);
	if (rc == 0)
		rc = ike_wr_ke(w, ns->dh, pub, (size_t)n);
	if (rc != 0) {
		ike_sa_delete(ns);
		return rc;
	}
	memcpy(sa->rekey_spi, ns->spi_i, 8);
	memset(sa->coll_spi, 0, 8);
	return 0;
}

/* The responder's keys for the new IKE SA ns; 0, or the refusal already logged. */
static int ike_rekey_complete(struct ike_sa *sa, struct ike_sa *ns, const struct ike_msg *m)
{
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	uint8_t gir[IKE_DH_SECRET_MAX];
	struct ike_choice ch;
	if (sap == NULL || nr == NULL || ke == NULL || nr->len > IKE_NONCE_MAX ||
	    ike_prop_choose_ike(m, sap, sa->peer->ike, sa->peer->n_ike, 8, &ch) != 0 ||
	    ch.dh != ns->dh || ke->u.ke.group != ns->dh || ch.spi_size != 8) {
		const struct ike_payload *p = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
		IKE_LOG(NOTICE, "peer %s: IKE SA rekey refused (notify %u)", sa->peer->name,
			p != NULL ? p->u.notify.type : 0);
		return -EPROTO;
	}
	int gl = ike_dh_derive(ns->dh_priv, ke->u.ke.data, ke->u.ke.len, gir, sizeof(gir));
	memcpy(ns->spi_r, ch.spi, 8);
	ns->encr = ch.encr;
	ns->encr_bits = ch.encr_bits;
	ns->integ = ch.integ;
	ns->prf = ch.prf;
	ns->nr_len = nr->len;
	memcpy(ns->nr, nr->body, nr->len);
	int rc = gl > 0 ? rekey_keys(sa, ns, gir, (size_t)gl) : -EPROTO;
	OPENSSL_cleanse(gir, sizeof(gir));
	ike_dh_free(ns->dh_priv);
	ns->dh_priv = NULL;
	if (rc != 0)
		ike_count(sa->ike, IKE_DROP_BAD_KE);
	return rc;
}

/*
 * Our IKE SA rekey answered. Without a collision the children move to the new SA and the old
 * one is deleted (2.18). When the peer's own rekey crossed ours (2.8.2), the new SA of the
 * exchange holding the lowest of the four nonces is redundant: if that is ours, we delete it
 * and the peer deletes the old SA; otherwise the children move from the peer's new SA to ours,
 * we delete the old SA, and the peer deletes its new one.
 */
int ike_ike_rekey_response(struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_sa *ns = ike_sa_by_spi_nz(sa->ike, sa->rekey_spi);
	struct ike_sa *other = ike_sa_by_spi_nz(sa->ike, sa->coll_spi);
	memset(sa->rekey_spi, 0, 8);
	memset(sa->coll_spi, 0, 8);
	if (ns == NULL)
		return 0;
	if (ike_rekey_complete(sa, ns, m) != 0) {
		ike_sa_delete(ns);
		if (ike_msg_notify(m, IKE_N_TEMPORARY_FAILURE) != NULL && !sa->superseded)
			sa->rekey_tsc = ike_now(sa->ike) + ike_retry_delay();
		return 0;
	}
	ns->peer_id = sa->peer_id;
	ns->natt = sa->natt;
	ns->frag = sa->frag; /* RFC 7383, as the responder does */
	ike_sa_established(ns);
	sa->ike->st.ike_rekeys++;
	if (other != NULL) {
		const uint8_t *mine, *theirs;
		size_t ml, tl;
		nonce_min(ns->ni, ns->ni_len, ns->nr, ns->nr_len, &mine, &ml);
		nonce_min(other->ni, other->ni_len, other->nr, other->nr_len, &theirs, &tl);
		if (nonce_cmp(mine, ml, theirs, tl) < 0) {
			IKE_LOG(INFO, "peer %s: IKE SA rekey collision lost: ours is redundant",
				sa->peer->name);
			ns->superseded = true;
			ike_task_queue(ns, IKE_T_DELETE_IKE, 0);
			return 0;
		}
		IKE_LOG(INFO, "peer %s: IKE SA rekey collision won: the peer's is redundant",
			sa->peer->name);
		adopt(ns, other);
	} else {
		adopt(ns, sa);
	}
	ike_task_queue(sa, IKE_T_DELETE_IKE, 0);
	return 0;
}
