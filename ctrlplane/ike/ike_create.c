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
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/log.h"

#define IKE_N_CHILD_SA_NOT_FOUND 44
#define IKE_N_REKEY_SA		 16393

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

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
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
	if (rekey != NULL) {
		old = rekey->u.notify.spi_size == 4
			      ? ike_child_by_spi_out(sa, be32(rekey->u.notify.spi))
			      : -1;
		if (old < 0 || sa->child[old].state != IKE_CH_ACTIVE) {
			refuse(sa, m, IKE_N_CHILD_SA_NOT_FOUND, NULL, 0);
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

/* The new IKE SA's keys (2.18): SKEYSEED from the old SK_d, then 2.14 with the new SPIs. */
static int rekey_keys(struct ike_sa *old, struct ike_sa *n, const struct kx *k)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	size_t el = ike_sk_encr_key_len(n->encr, n->encr_bits);
	size_t al = n->integ ? ike_sk_integ_key_len(n->integ) : 0;
	int rc = ike_skeyseed_rekey(old->prf, old->keys.sk_d, old->keys.d_len, k->gir,
				    (size_t)k->gir_len, n->ni, n->ni_len, n->nr, n->nr_len,
				    skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(n->prf, skeyseed, n->ni, n->ni_len, n->nr, n->nr_len,
					n->spi_i, n->spi_r, al, el, &n->keys);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	if (rc == 0)
		rc = ike_sk_init(&n->sk_in, n->encr, n->encr_bits, n->integ, n->keys.sk_ei, el,
				 al ? n->keys.sk_ai : NULL, al);
	if (rc == 0)
		rc = ike_sk_init(&n->sk_out, n->encr, n->encr_bits, n->integ, n->keys.sk_er, el,
				 al ? n->keys.sk_ar : NULL, al);
	return rc;
}

/* Rekey of the IKE SA (1.3.2): a new SA with the peer's new SPI and ours, children moved. */
static void ike_rekey(struct ike_sa *sa, struct ike_msg *m, const struct ike_payload *sap)
{
	static struct kx k;
	uint8_t buf[1024], inv[2];
	struct ike_choice ch;
	struct ike_wr w;
	if (ike_prop_choose_ike(m, sap, sa->peer->ike, sa->peer->n_ike, 8, &ch) != 0) {
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
	struct ike_sa *n = ike_sa_new(sa->ike, ch.spi, &sa->path, false);
	if (n == NULL) {
		OPENSSL_cleanse(&k, sizeof(k));
		refuse(sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	n->peer = sa->peer;
	n->peer_id = sa->peer_id;
	n->natt = sa->natt;
	n->encr = ch.encr;
	n->encr_bits = ch.encr_bits;
	n->integ = ch.integ;
	n->prf = ch.prf;
	n->dh = ch.dh;
	n->ni_len = k.ni->len;
	memcpy(n->ni, k.ni->body, k.ni->len);
	n->nr_len = sizeof(k.nr);
	memcpy(n->nr, k.nr, sizeof(k.nr));
	int rc = rekey_keys(sa, n, &k);
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
	memcpy(n->child, sa->child, sizeof(sa->child)); /* 2.18: the children go along */
	n->n_child = sa->n_child;
	sa->n_child = 0;
	memcpy(n->vip, sa->vip, sizeof(n->vip)); /* and so does the peer's inner address */
	n->vip_pool = sa->vip_pool;
	sa->vip_pool = -1;
	n->ike->st.established++;
	sa->ike->st.ike_rekeys++;
	IKE_LOG(INFO, "IKE SA with %s rekeyed: %u child SAs moved to the new one", n->peer->name,
		n->n_child);
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
	static struct ike_ts_set tsi, tsr;
	int i = ike_child_by_spi_in(sa, spi_in);
	if (i < 0 || sa->child[i].state != IKE_CH_ACTIVE)
		return -ENOENT;
	const struct cfg_ike_child *cc = sa->child[i].cfg;
	uint16_t group = cc->n_esp > 0 && cc->esp[0].n_dh > 0 ? cc->esp[0].dh[0] : 0;
	uint8_t old[4] = {(uint8_t)(spi_in >> 24), (uint8_t)(spi_in >> 16), (uint8_t)(spi_in >> 8),
			  (uint8_t)spi_in};
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
	int rc = ike_wr_notify(w, IKE_PROTO_ESP, old, 4, IKE_N_REKEY_SA, NULL, 0);
	if (rc == 0)
		rc = ike_prop_offer(w, cc->esp, cc->n_esp, IKE_PROTO_ESP, spi, 4, true);
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
	if (rc == 0 && sa->child[i].transport)
		rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	return rc;
}

/* The responder's new child: installed, it takes the VTI at once (the peer has it), the old one
 * keeps its inbound SA for the overlap and is deleted with the peer (2.8). */
int ike_rekey_response(struct ike_sa *sa, uint32_t spi_in, const struct ike_msg *m)
{
	static struct ike_ts_set tsi, tsr;
	int old = ike_child_by_spi_in(sa, spi_in);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	uint8_t keymat[2 * (36 + 64)], gir[IKE_DH_SECRET_MAX];
	struct ike_choice ch;
	int gl = 0;
	if (old < 0 || sap == NULL || nr == NULL || sa->n_child == IKE_CHILD_MAX ||
	    ike_child_select(sa, m, sa->child[old].cfg, &tsi, &tsr) == NULL ||
	    ike_prop_choose_esp(m, sap, sa->child[old].cfg->esp, sa->child[old].cfg->n_esp, true,
				&ch) != 0) {
		const struct ike_payload *n = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
		IKE_LOG(NOTICE, "peer %s: child rekey refused (notify %u)", sa->peer->name,
			n != NULL ? n->u.notify.type : 0);
		return 0; /* the old child carries on until its hard lifetime */
	}
	if (sa->dh_priv != NULL && (ke == NULL || ke->u.ke.group != ch.dh ||
				    (gl = ike_dh_derive(sa->dh_priv, ke->u.ke.data, ke->u.ke.len,
							gir, sizeof(gir))) <= 0)) {
		ike_count(sa->ike, IKE_DROP_BAD_KE);
		return 0;
	}
	struct ike_child *c = &sa->child[sa->n_child];
	memset(c, 0, sizeof(*c));
	c->cfg = sa->child[old].cfg;
	c->local_init = true; /* our request, their answer (2.17) */
	c->spi_in = sa->offer_spi;
	c->spi_out = be32(ch.spi);
	c->encr = ch.encr;
	c->encr_bits = ch.encr_bits;
	c->integ = ch.integ;
	c->esn = ch.esn == 1;
	c->transport = sa->child[old].transport;
	c->state = IKE_CH_NEW;
	c->va = sa->child[old].va;
	size_t kl = ike_child_keymat_len(c);
	int rc = kl <= sizeof(keymat)
			 ? ike_child_keymat(sa->prf, sa->keys.sk_d, sa->keys.d_len,
					    gl > 0 ? gir : NULL, (size_t)gl, sa->rekey_nonce,
					    sizeof(sa->rekey_nonce), nr->body, nr->len, keymat, kl)
			 : -EINVAL;
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc == 0)
		rc = ike_child_install(sa, c, keymat, false);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0) {
		ike_count(sa->ike, IKE_DROP_CHILD);
		return 0;
	}
	sa->n_child++;
	sa->child[old].successor = c->spi_in;
	sa->ike->st.child_rekeys++;
	ike_child_flip(sa, (unsigned int)old);
	ike_task_queue(sa, IKE_T_DELETE_CHILD, spi_in);
	return 0;
}
