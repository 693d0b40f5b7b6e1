/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_main.c - Phase 1 (RFC 2409 5): Main Mode with pre-shared keys or, for a
 * peer with auth: pubkey, signatures (5.1: CR in messages 3 and 4, CERT and SIG in place of
 * HASH in 5 and 6, the work ikev1_sig.c's), both halves, and NAT traversal's part in it
 * (RFC 3947: vendor IDs in messages 1 and 2, NAT-D in 3 and 4, the initiator floating to port
 * 4500 from message 5 on).
 *
 *   initiator                              responder
 *   1  HDR, SA, VID...               ->
 *                                    <-    2  HDR, SA, VID...          MM_SA_SETUP
 *   3  HDR, KE, Ni, NAT-D, NAT-D     ->
 *                                    <-    4  HDR, KE, Nr, NAT-D, NAT-D  MM_KEY_EXCH
 *   5  HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] ->
 *                                    <-    6  HDR*, IDir, HASH_R       QM_IDLE
 *
 * A responder knows its peer by address from message 1 on (Main Mode hides the identity until
 * message 5, and the pre-shared key must be known before it: the keyring-by-address model);
 * message 5's identity must then be the peer's remote_id. With a wrong key message 5 decrypts
 * to garbage or its HASH_I differs: either way the log says "pre-shared key mismatch likely"
 * and the half-open SA goes. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/ike/ikev1_sig.h"
#include "ctrlplane/log.h"

/* Vendor IDs (RFC 3947 4: MD5 of "RFC 3947"; the drafts; RFC 3706 2 for DPD) */
static const uint8_t vid_rfc3947[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_draft02[16] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
					0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
static const uint8_t vid_draft03[16] = {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
					0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56};
static const uint8_t vid_xauth[8] = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};
static const uint8_t vid_unity[16] = {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
				      0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00};
static const uint8_t vid_dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};

static const char *peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->name : "?";
}

/* The vendor IDs the peer sent: NAT-T (RFC or a draft) and DPD. */
void ikev1_p1_read_vids(struct ikev1_sa *v, const struct ikev1_msg *m)
{
	for (const struct ikev1_payload *p = ikev1_msg_find(m, IKEV1_PL_VID, NULL); p != NULL;
	     p = ikev1_msg_find(m, IKEV1_PL_VID, p)) {
		if (p->len == 16 && memcmp(p->body, vid_rfc3947, 16) == 0)
			v->natt_rfc = true;
		else if (p->len == 16 && (memcmp(p->body, vid_draft02, 16) == 0 ||
					  memcmp(p->body, vid_draft03, 16) == 0))
			v->natt_draft = true;
		else if (p->len >= 16 && memcmp(p->body, vid_dpd, 16) == 0)
			v->dpd = true;
	}
}

/* Ours: in message 1 every NAT-T flavour; in message 2 the one the peer's list allows. */
int ikev1_p1_write_vids(struct ikev1_wr *w, const struct ikev1_sa *v, bool first)
{
	int rc = 0;
	if (first || v->natt_rfc)
		rc = ikev1_wr_payload(w, IKEV1_PL_VID, vid_rfc3947, 16);
	if (rc == 0 && (first || (!v->natt_rfc && v->natt_draft)))
		rc = ikev1_wr_payload(w, IKEV1_PL_VID, vid_draft02, 16);
	if (rc == 0)
		rc = ikev1_wr_payload(w, IKEV1_PL_VID, vid_dpd, 16);
	return rc;
}

bool ikev1_p1_natt(const struct ikev1_sa *v)
{
	return v->natt_rfc || v->natt_draft;
}

int ikev1_natd(const struct ike_sa *sa, const uint8_t *addr, uint16_t port, uint8_t *out)
{
	rte_be16_t pb = rte_cpu_to_be_16(port);
	const struct ike_chunk d[] = {{sa->spi_i, 8},
				      {sa->spi_r, 8},
				      {addr, sa->path.family == AF_INET ? 4u : 16u},
				      {(const uint8_t *)&pb, 2}};
	return ikev1_hash(sa->v1->p1c.prf, d, 4, out);
}

/* NAT-D for the peer's address, then ours (a random one when encapsulation is forced). */
int ikev1_p1_write_natd(struct ikev1_wr *w, const struct ike_sa *sa)
{
	uint8_t h[IKE_PRF_MAX];
	uint8_t type = sa->v1->natt_rfc ? IKEV1_PL_NAT_D : IKEV1_PL_NAT_D_DRAFT;
	int n = ikev1_natd(sa, sa->path.remote, sa->path.rport, h);
	int rc = n > 0 ? ikev1_wr_payload(w, type, h, (size_t)n) : -EIO;
	n = ikev1_natd(sa, sa->path.local, sa->path.lport, h);
	if (sa->peer->encap) /* RFC 3947 has no flag for it: a NAT is faked, as others do */
		RAND_bytes(h, sizeof(h));
	if (rc == 0)
		rc = n > 0 ? ikev1_wr_payload(w, type, h, (size_t)n) : -EIO;
	return rc;
}

/* NAT detection from the peer's NAT-D payloads (RFC 3947 3.2): the first is about us. */
void ikev1_p1_read_natd(struct ike_sa *sa, const struct ikev1_msg *m, const struct ike_path *p)
{
	uint8_t us[IKE_PRF_MAX], them[IKE_PRF_MAX];
	uint8_t type = sa->v1->natt_rfc ? IKEV1_PL_NAT_D : IKEV1_PL_NAT_D_DRAFT;
	const struct ikev1_payload *d = ikev1_msg_find(m, type, NULL);
	int n1 = ikev1_natd(sa, p->local, p->lport, us);
	int n2 = ikev1_natd(sa, p->remote, p->rport, them);
	bool remote_seen = false;
	if (d == NULL || n1 <= 0 || n2 <= 0) {
		sa->natt = sa->peer->encap;
		return;
	}
	sa->nat_local = d->len != (size_t)n1 || memcmp(d->body, us, (size_t)n1) != 0;
	for (d = ikev1_msg_find(m, type, d); d != NULL; d = ikev1_msg_find(m, type, d))
		remote_seen |= d->len == (size_t)n2 && memcmp(d->body, them, (size_t)n2) == 0;
	sa->nat_remote = !remote_seen;
	sa->natt = sa->nat_local || sa->nat_remote || sa->peer->encap;
}

uint32_t ikev1_p1_life(const struct cfg_ike_peer *peer)
{
	return peer->rekey_time != 0 ? peer->rekey_time : IKEV1_P1_LIFE;
}

/*
 * The Phase 1 authentication method(s) of peer (RFC 2409 Appendix A): a pre-shared key, or,
 * for a peer whose users log in with XAUTH, XAUTHInitPreShared (xauth-02 5: the key
 * authenticates the group, XAUTH the user; a client must not be able to skip XAUTH by
 * offering plain PSK). *n: how many; the first is what the hub offers as initiator.
 */
const uint16_t *ikev1_p1_auths(const struct cfg_ike_peer *peer, unsigned int *n)
{
	if (peer->auth == CFG_IKE_AUTH_PUBKEY) /* the signature method of our key's type */
		return ikev1_sig_auths(peer, n);
	static const uint16_t psk[] = {IKEV1_AUTH_PSK}, xauth_psk[] = {IKEV1_AUTH_XAUTH_INIT_PSK};
	*n = 1;
	return peer->xauth ? xauth_psk : psk;
}

/* An unprotected notify in answer to message 1 of m (rate-limited with the refusal logs). */
static void plain_notify(struct ike *ike, const struct ikev1_msg *m, const struct ike_path *p,
			 const uint8_t cky_r[8], uint16_t type)
{
	uint8_t out[128], spi[16];
	struct ikev1_hdr h = {
		.next = IKEV1_PL_N, .version = IKEV1_VERSION, .exchange = IKEV1_EXCH_INFO};
	struct ikev1_wr w;
	size_t len;
	memcpy(h.cky_i, m->hdr.cky_i, 8);
	memcpy(h.cky_r, cky_r, 8);
	memcpy(spi, m->hdr.cky_i, 8);
	memcpy(spi + 8, cky_r, 8);
	int rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ikev1_wr_notify(&w, IKEV1_PROTO_ISAKMP, spi, 16, type, NULL, 0);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		ike_send(ike, p, out, len);
}

void ikev1_p1_refuse(struct ike *ike, const struct ikev1_msg *m, const struct ikev1_payload *sap,
		     const struct cfg_ike_peer *peer, const struct ike_path *p)
{
	static const uint8_t zero[8];
	char theirs[512], ours[512], addr[INET6_ADDRSTRLEN];
	ikev1_count(ike, IKEV1_DROP_NO_PROPOSAL);
	if (!ikev1_log_ok(ike))
		return;
	ikev1_p1_offered_str(m, sap, theirs, sizeof(theirs));
	ikev1_p1_config_str(peer->ike, peer->n_ike, ours, sizeof(ours));
	inet_ntop(p->family, p->remote, addr, sizeof(addr));
	IKE_LOG(WARNING, "IKEv1 peer %s (%s): no IKE proposal chosen: it offers %s; %s takes %s",
		peer->name, addr, theirs, peer->name, ours);
	plain_notify(ike, m, p, zero, IKEV1_N_NO_PROPOSAL_CHOSEN);
}

int ikev1_keep_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	OPENSSL_clear_free(*dst, *dst_len);
	*dst = OPENSSL_memdup(src, len);
	*dst_len = *dst != NULL ? len : 0;
	return *dst != NULL ? 0 : -ENOMEM;
}

/* Message 2: the chosen transform and our vendor IDs. */
static int send_mm2(struct ike_sa *sa)
{
	uint8_t out[1024];
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len;
	ikev1_hdr(sa, &h, IKEV1_EXCH_MAIN, 0, IKEV1_PL_SA, false);
	int rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ikev1_p1_write(&w, &sa->v1->p1c);
	if (rc == 0)
		rc = ikev1_p1_write_vids(&w, sa->v1, false);
	if (rc == 0 && sa->peer->xauth) /* remote access: XAUTH and Cisco Unity attributes */
		rc = ikev1_wr_payload(&w, IKEV1_PL_VID, vid_xauth, sizeof(vid_xauth));
	if (rc == 0 && (sa->peer->xauth || sa->peer->pool >= 0))
		rc = ikev1_wr_payload(&w, IKEV1_PL_VID, vid_unity, sizeof(vid_unity));
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	return rc == 0 ? ikev1_send_keep(sa, &sa->v1->p1x, out, len, false) : rc;
}

struct ike_sa *ikev1_p1_responder(struct ike *ike, const struct ikev1_msg *m,
				  const struct ike_path *p, const struct cfg_ike_peer *peer)
{
	const struct ikev1_payload *sap = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	struct ikev1_p1_choice ch;
	unsigned int n_auth;
	const uint16_t *auths = ikev1_p1_auths(peer, &n_auth);
	int rc = sap == NULL ? -EINVAL
			     : ikev1_p1_choose(m, sap, peer->ike, peer->n_ike, auths, n_auth,
					       ikev1_p1_life(peer), ike->cfg->ipsec_legacy, &ch);
	if (rc == -ENOENT) {
		ikev1_p1_refuse(ike, m, sap, peer, p);
		return NULL;
	}
	if (rc != 0) {
		ikev1_count(ike, IKEV1_DROP_PARSE);
		return NULL;
	}
	struct ike_sa *sa = ike->n_sa < ike->cfg->ike_limits.sa_max
				    ? ike_sa_new(ike, m->hdr.cky_i, p, true)
				    : NULL;
	if (sa == NULL || ikev1_sa_attach(sa) == NULL) {
		if (sa != NULL)
			ike_sa_delete(sa);
		ikev1_count(ike, IKEV1_DROP_FULL);
		return NULL;
	}
	struct ikev1_sa *v = sa->v1;
	sa->peer = peer;
	v->exch = m->hdr.exchange;
	v->p1c = ch;
	sa->dh = ch.dh;
	sa->prf = ch.prf;
	sa->encr = ch.encr;
	sa->encr_bits = ch.encr_bits;
	sa->natt = peer->encap; /* until NAT-D says more */
	ikev1_p1_read_vids(v, m);
	if (ikev1_keep_copy(&v->sai_b, &v->sai_len, sap->body, sap->len) != 0) {
		ikev1_count(ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return NULL;
	}
	return sa;
}

void ikev1_main_respond(struct ike *ike, const struct ikev1_msg *m, const struct ike_path *p)
{
	if (m->hdr.exchange == IKEV1_EXCH_AGGRESSIVE) {
		ikev1_aggr_respond(ike, m, p);
		return;
	}
	const struct cfg_ike_peer *peer = ikev1_peer_by_addr(ike, p);
	char addr[INET6_ADDRSTRLEN];
	inet_ntop(p->family, p->remote, addr, sizeof(addr));
	if (peer == NULL) {
		ikev1_count(ike, IKEV1_DROP_NO_PEER);
		if (ikev1_log_ok(ike))
			IKE_LOG(NOTICE, "IKEv1 from %s: no IKEv1 peer configured for it", addr);
		return;
	}
	struct ike_sa *sa = ikev1_p1_responder(ike, m, p, peer);
	if (sa == NULL)
		return;
	if (send_mm2(sa) != 0) {
		ikev1_count(ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	ikev1_x_received(&sa->v1->p1x);
	sa->v1->p1 = IKEV1_MM_SA_SETUP;
}

/* Our KE and nonce: a fresh DH key, its public value kept as g^xi or g^xr. */
int ikev1_p1_make_ke(struct ike_sa *sa, uint8_t *pub, size_t cap, size_t *pub_len)
{
	struct ikev1_sa *v = sa->v1;
	int n;
	ike_dh_free(sa->dh_priv);
	sa->dh_priv = NULL;
	if (ike_dh_new(v->p1c.dh, &sa->dh_priv) != 0 ||
	    (n = ike_dh_public(sa->dh_priv, pub, cap)) <= 0)
		return -EIO;
	*pub_len = (size_t)n;
	uint8_t *nonce = sa->initiator ? sa->ni : sa->nr;
	if (RAND_bytes(nonce, IKEV1_NONCE) != 1)
		return -EIO;
	*(sa->initiator ? &sa->ni_len : &sa->nr_len) = IKEV1_NONCE;
	uint8_t **keep = sa->initiator ? &v->gxi : &v->gxr;
	uint16_t *keep_len = sa->initiator ? &v->gxi_len : &v->gxr_len;
	OPENSSL_clear_free(*keep, *keep_len);
	*keep = OPENSSL_memdup(pub, (size_t)n);
	*keep_len = *keep != NULL ? (uint16_t)n : 0;
	return *keep != NULL ? 0 : -ENOMEM;
}

/* The peer's KE and nonce from m (message 3 or 4): checked and kept. */
int ikev1_p1_take_ke(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	const struct ikev1_payload *ke = ikev1_msg_find(m, IKEV1_PL_KE, NULL);
	const struct ikev1_payload *no = ikev1_msg_find(m, IKEV1_PL_NONCE, NULL);
	if (ke == NULL || ke->len != ike_dh_ke_len(v->p1c.dh) ||
	    ike_dh_check_peer(v->p1c.dh, ke->body, ke->len) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_BAD_KE);
		return -EPROTO;
	}
	if (no == NULL || no->len < 8 || no->len > IKE_NONCE_MAX) { /* RFC 2409 5: 8..256 */
		ikev1_count(sa->ike, IKEV1_DROP_PARSE);
		return -EBADMSG;
	}
	memcpy(sa->initiator ? sa->nr : sa->ni, no->body, no->len);
	*(sa->initiator ? &sa->nr_len : &sa->ni_len) = no->len;
	uint8_t **keep = sa->initiator ? &v->gxr : &v->gxi;
	uint16_t *keep_len = sa->initiator ? &v->gxr_len : &v->gxi_len;
	OPENSSL_clear_free(*keep, *keep_len);
	*keep = OPENSSL_memdup(ke->body, ke->len);
	*keep_len = *keep != NULL ? ke->len : 0;
	return *keep != NULL ? 0 : -ENOMEM;
}

/* SKEYID and its children, the cipher key and the Phase 1 IV (RFC 2409 5, Appendix B). */
int ikev1_p1_derive(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;
	const struct ikev1_p1_choice *c = &v->p1c;
	uint8_t gxy[1024];
	const uint8_t *peer_ke = sa->initiator ? v->gxr : v->gxi;
	size_t peer_len = sa->initiator ? v->gxr_len : v->gxi_len;
	int n = ike_dh_derive(sa->dh_priv, peer_ke, peer_len, gxy, sizeof(gxy));
	int rc = n > 0 ? 0 : -EPROTO;
	v->hash_len = (uint8_t)ike_prf_len(c->prf);
	v->block = (uint8_t)ikev1_cbc_block(c->encr);
	v->key_len = (uint8_t)ikev1_cbc_key_len(c->encr, c->encr_bits);
	if (rc == 0 && (v->hash_len == 0 || v->block == 0 || v->key_len == 0))
		rc = -ENOTSUP;
	if (rc == 0 && ikev1_sig_method(c->auth)) /* 5.1: prf(Ni_b | Nr_b, g^xy) */
		rc = ikev1_skeyid_sig(c->prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gxy,
				      (size_t)n, v->skeyid);
	else if (rc == 0)
		rc = ikev1_skeyid_psk(c->prf, sa->peer->psk, sa->peer->psk_len, sa->ni, sa->ni_len,
				      sa->nr, sa->nr_len, v->skeyid);
	if (rc == 0)
		rc = ikev1_skeyid_dae(c->prf, v->skeyid, gxy, (size_t)n, sa->spi_i, sa->spi_r,
				      v->skeyid_d, v->skeyid_a, v->skeyid_e);
	if (rc == 0)
		rc = ikev1_enc_key(c->prf, v->skeyid_e, v->key, v->key_len);
	if (rc == 0)
		rc = ikev1_phase1_iv(c->prf, v->gxi, v->gxi_len, v->gxr, v->gxr_len, v->p1x.iv,
				     v->block);
	OPENSSL_cleanse(gxy, sizeof(gxy));
	ike_dh_free(sa->dh_priv);
	sa->dh_priv = NULL;
	return rc;
}

/* HASH_I (ours: initiator) or HASH_R with the given ID body (RFC 2409 5). */
int ikev1_p1_auth_hash(const struct ike_sa *sa, bool of_initiator, const uint8_t *id_b,
		       size_t id_len, uint8_t *out)
{
	const struct ikev1_sa *v = sa->v1;
	if (of_initiator)
		return ikev1_hash_auth(v->p1c.prf, v->skeyid, v->gxi, v->gxi_len, v->gxr,
				       v->gxr_len, sa->spi_i, sa->spi_r, v->sai_b, v->sai_len, id_b,
				       id_len, out);
	return ikev1_hash_auth(v->p1c.prf, v->skeyid, v->gxr, v->gxr_len, v->gxi, v->gxi_len,
			       sa->spi_r, sa->spi_i, v->sai_b, v->sai_len, id_b, id_len, out);
}

/* Message 3 (initiator) or 4 (responder): KE, nonce, CRs, and NAT-D when both speak NAT-T. */
static int send_ke(struct ike_sa *sa)
{
	uint8_t out[IKE_MSG_MAX], pub[1024];
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len, pub_len;
	int rc = ikev1_p1_make_ke(sa, pub, sizeof(pub), &pub_len);
	if (rc != 0)
		return rc;
	ikev1_hdr(sa, &h, IKEV1_EXCH_MAIN, 0, IKEV1_PL_KE, false);
	rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_KE, pub, pub_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_NONCE, sa->initiator ? sa->ni : sa->nr,
				      IKEV1_NONCE);
	if (rc == 0 && ikev1_sig_method(sa->v1->p1c.auth)) /* ask for the peer's certificate */
		rc = ikev1_sig_write_cr(sa, &w);
	if (rc == 0 && ikev1_p1_natt(sa->v1))
		rc = ikev1_p1_write_natd(&w, sa);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	return rc == 0 ? ikev1_send_keep(sa, &sa->v1->p1x, out, len, sa->initiator) : rc;
}

/* Has the hub another ISAKMP SA up with sa's peer? */
bool ikev1_p1_others_up(const struct ike_sa *sa)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(sa->ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *o = data;
		if (o != sa && o->v1 != NULL && o->peer == sa->peer && o->v1->p1 == IKEV1_QM_IDLE)
			return true;
	}
	return false;
}

/* Message 5 (initiator) or 6: our ID and its HASH, or our certificates and SIG, encrypted. */
static int send_auth(struct ike_sa *sa)
{
	uint8_t plain[IKE_MSG_MAX], id[4 + CFG_IKE_ID_MAX], hash[IKE_PRF_MAX];
	struct ikev1_wr w;
	size_t len, id_len = ikev1_id_body(sa, id, sizeof(id));
	bool sig = ikev1_sig_method(sa->v1->p1c.auth);
	int rc = sig ? 0 : ikev1_p1_auth_hash(sa, sa->initiator, id, id_len, hash);
	if (rc == 0)
		rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, id, id_len);
	if (rc == 0 && sig)
		rc = ikev1_sig_write(sa, &w, id, id_len);
	else if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_HASH, hash, sa->v1->hash_len);
	if (rc == 0 && sa->initiator && !ikev1_p1_others_up(sa)) /* RFC 2407 4.6.3.3 */
		rc = ikev1_wr_notify(&w, IKEV1_PROTO_ISAKMP, NULL, 0, IKEV1_N_INITIAL_CONTACT, NULL,
				     0);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	OPENSSL_cleanse(hash, sizeof(hash));
	if (rc != 0)
		return rc;
	return ikev1_seal_send(sa, &sa->v1->p1x, IKEV1_EXCH_MAIN, 0, IKEV1_PL_ID, plain, len,
			       sa->initiator);
}

void ikev1_p1_auth_failed(struct ike_sa *sa, unsigned int msg_no, const char *why)
{
	char addr[INET6_ADDRSTRLEN];
	inet_ntop(sa->path.family, sa->path.remote, addr, sizeof(addr));
	ikev1_count(sa->ike, IKEV1_DROP_AUTH);
	IKE_LOG(WARNING,
		"IKEv1 peer %s (%s): authentication failed — pre-shared key mismatch likely "
		"(message %u did not %s)",
		peer_name(sa), addr, msg_no, why);
}

bool ikev1_p1_peer_id(struct ike_sa *sa, const struct ikev1_payload *id)
{
	char addr[INET6_ADDRSTRLEN];
	if (!ikev1_id_match(&sa->peer->remote_id, id)) {
		inet_ntop(sa->path.family, sa->path.remote, addr, sizeof(addr));
		ikev1_count(sa->ike, IKEV1_DROP_ID);
		IKE_LOG(WARNING, "IKEv1 peer %s (%s): identity (type %u) is not its remote_id",
			peer_name(sa), addr, id->u.id.type);
		return false;
	}
	sa->peer_id.type = id->u.id.type;
	sa->peer_id.len = (uint16_t)RTE_MIN(id->u.id.data_len, (uint16_t)CFG_IKE_ID_MAX);
	memcpy(sa->peer_id.data, id->u.id.data, sa->peer_id.len);
	return true;
}

int ikev1_p1_check_auth(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *id_b, size_t id_len,
			unsigned int msg_no, const struct ike_path *natd)
{
	struct ikev1_sa *v = sa->v1;
	uint8_t plain[IKE_MSG_MAX], iv[IKEV1_BLOCK_MAX], want[IKE_PRF_MAX];
	const struct ikev1_payload *id = NULL, *hash = NULL;
	bool enc = (m->hdr.flags & IKEV1_FLAG_E) != 0, ok = !enc;
	bool sig = ikev1_sig_method(v->p1c.auth);
	memcpy(iv, v->p1x.iv, v->block);
	if (enc && m->enc_len != 0 && m->enc_len % v->block == 0 && m->enc_len <= sizeof(plain)) {
		memcpy(plain, m->enc, m->enc_len);
		ok = ikev1_cbc(v->p1c.encr, v->key, v->key_len, iv, plain, m->enc_len, false) ==
			     0 &&
		     ikev1_msg_parse_plain(m, m->hdr.next, plain, m->enc_len) == 0;
	}
	if (sig && !ok) /* the keys owe nothing to a secret here: a garbled message */
		ikev1_count(sa->ike, IKEV1_DROP_DECRYPT);
	else if (sig) /* the identity, certificates and SIG: counted and logged there */
		ok = ikev1_sig_check(sa, m, msg_no) == 0;
	if (ok && !sig && id_b == NULL) { /* Main Mode: the identity comes with its HASH */
		id = ikev1_msg_find(m, IKEV1_PL_ID, NULL);
		id_b = id != NULL ? id->body : NULL;
		id_len = id != NULL ? id->len : 0;
	}
	if (ok && !sig) {
		hash = ikev1_msg_find(m, IKEV1_PL_HASH, NULL);
		ok = id_b != NULL && hash != NULL && hash->len == v->hash_len &&
		     ikev1_p1_auth_hash(sa, !sa->initiator, id_b, id_len, want) == 0 &&
		     CRYPTO_memcmp(want, hash->body, v->hash_len) == 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok) {
		if (!sig)
			ikev1_p1_auth_failed(sa, msg_no,
					     hash == NULL ? "decrypt to an ID and a HASH"
							  : "carry the right HASH");
		OPENSSL_cleanse(plain, sizeof(plain));
		return -EACCES;
	}
	if (id != NULL && !ikev1_p1_peer_id(sa, id)) {
		OPENSSL_cleanse(plain, sizeof(plain));
		return -EACCES;
	}
	for (const struct ikev1_payload *n = ikev1_msg_find(m, IKEV1_PL_N, NULL); n != NULL;
	     n = ikev1_msg_find(m, IKEV1_PL_N, n))
		v->initial_contact |= n->u.n.type == IKEV1_N_INITIAL_CONTACT;
	if (natd != NULL && ikev1_p1_natt(v)) /* m's payloads are in plain: read them now */
		ikev1_p1_read_natd(sa, m, natd);
	if (enc)
		memcpy(v->p1x.iv, iv, v->block); /* verified: the chain moves on */
	OPENSSL_cleanse(plain, sizeof(plain));
	return 0;
}

/* INITIAL-CONTACT (RFC 2407 4.6.3.3): the peer rebooted; its older SAs with us go. */
static void initial_contact(struct ike_sa *sa)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(sa->ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *o = data;
		if (o == sa || o->v1 == NULL || o->peer != sa->peer ||
		    memcmp(o->path.remote, sa->path.remote, 16) != 0)
			continue;
		IKE_LOG(INFO, "IKEv1 peer %s: INITIAL-CONTACT, its older ISAKMP SA goes",
			peer_name(sa));
		ike_sa_delete(o);
		next = 0; /* the table changed under the iterator */
	}
}

/* Phase 1 done: QM_IDLE, the lifetime running, and as initiator the Quick Modes started. */
void ikev1_p1_established(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;
	char addr[INET6_ADDRSTRLEN];
	uint64_t hz = rte_get_timer_hz();
	v->p1 = IKEV1_QM_IDLE;
	memcpy(v->p1_iv, v->p1x.iv, v->block);
	if (!sa->initiator)
		ike_sa_established(sa);
	else {
		sa->state = IKE_S_ESTABLISHED;
		sa->established_tsc = ike_now(sa->ike);
		sa->ike->st.established++;
	}
	sa->ike->st.v1_established++;
	uint32_t life = v->p1c.life_s != 0 ? v->p1c.life_s : ikev1_p1_life(sa->peer);
	v->expire_tsc = ike_now(sa->ike) + (uint64_t)life * hz;
	if (v->initial_contact)
		initial_contact(sa);
	inet_ntop(sa->path.family, sa->path.remote, addr, sizeof(addr));
	IKE_LOG(INFO,
		"IKEv1 peer %s (%s port %u): ISAKMP SA established (%s Mode, %s, life %u s%s)",
		peer_name(sa), addr, sa->path.rport,
		v->exch == IKEV1_EXCH_AGGRESSIVE ? "Aggressive" : "Main", ike_prf_name(v->p1c.prf),
		life, sa->natt ? ", NAT-T" : "");
	if (!sa->initiator) {
		ikev1_cfg_established(sa);
		return;
	}
	for (unsigned int i = 0; i < sa->peer->n_children; i++)
		ikev1_quick_start(sa, &sa->peer->children[i], 0);
}

/* Initiator, message 2: the transform the responder took. */
static void mm2_in(struct ike_sa *sa, const struct ikev1_msg *m)
{
	struct ikev1_sa *v = sa->v1;
	const struct ikev1_payload *sap = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	if (sap == NULL ||
	    ikev1_p1_accept(m, sap, sa->peer->ike, sa->peer->n_ike, ikev1_p1_auth_of(sa->peer),
			    sa->ike->cfg->ipsec_legacy, &v->p1c) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NO_PROPOSAL);
		return;
	}
	memcpy(sa->spi_r, m->hdr.cky_r, 8);
	ikev1_p1_read_vids(v, m);
	sa->dh = v->p1c.dh;
	sa->prf = v->p1c.prf;
	sa->encr = v->p1c.encr;
	sa->encr_bits = v->p1c.encr_bits;
	ikev1_x_received(&v->p1x);
	if (send_ke(sa) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		return;
	}
	v->p1 = IKEV1_MM_SA_SETUP;
}

/* Responder, message 3: keys, and message 4. */
static void mm3_in(struct ike_sa *sa, const struct ikev1_msg *m, const struct ike_path *p)
{
	struct ikev1_sa *v = sa->v1;
	if (ikev1_p1_take_ke(sa, m) != 0)
		return;
	if (ikev1_p1_natt(v))
		ikev1_p1_read_natd(sa, m, p);
	else
		sa->natt = sa->peer->encap;
	if (send_ke(sa) != 0 || ikev1_p1_derive(sa) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	ikev1_x_received(&v->p1x);
	v->p1 = IKEV1_MM_KEY_EXCH;
}

/* Initiator, message 4: keys, the float to port 4500 when there is a NAT, message 5. */
static void mm4_in(struct ike_sa *sa, const struct ikev1_msg *m, const struct ike_path *p)
{
	struct ikev1_sa *v = sa->v1;
	if (ikev1_p1_take_ke(sa, m) != 0)
		return;
	if (ikev1_p1_natt(v))
		ikev1_p1_read_natd(sa, m, p);
	else
		sa->natt = false;
	if (ikev1_p1_derive(sa) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_BAD_KE);
		ike_sa_delete(sa);
		return;
	}
	ikev1_x_received(&v->p1x);
	if (sa->natt && ikev1_p1_natt(v)) /* RFC 3947 4: from message 5 on, port 4500 */
		sa->path.lport = sa->path.rport = IKE_PORT_NATT;
	int rc = send_auth(sa);
	if (rc != 0) { /* a certificate of ours out of validity is counted where it is found */
		if (rc == -ENOMEM || rc == -ENOBUFS)
			ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		return;
	}
	v->p1 = IKEV1_MM_KEY_EXCH;
}

/*
 * Message 5 (responder: answered with message 6) or 6 (initiator): authenticated, established.
 * The responder follows the initiator's float to 4500 (RFC 3947 4) now that it verified.
 */
static void mm_auth_in(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p)
{
	if (ikev1_p1_check_auth(sa, m, NULL, 0, sa->initiator ? 6 : 5, NULL) != 0) {
		ike_sa_delete(sa);
		return;
	}
	if (!sa->initiator)
		sa->path = *p;
	sa->last_rx_tsc = ike_now(sa->ike);
	ikev1_x_received(&sa->v1->p1x);
	sa->v1->p1x.rtx_tsc = 0;
	int rc = sa->initiator ? 0 : send_auth(sa);
	if (rc != 0) { /* a certificate of ours out of validity is counted where it is found */
		if (rc == -ENOMEM || rc == -ENOBUFS)
			ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	ikev1_p1_established(sa);
}

void ikev1_main_input(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p)
{
	struct ikev1_sa *v = sa->v1;
	bool enc = (m->hdr.flags & IKEV1_FLAG_E) != 0;
	if (m->hdr.exchange == IKEV1_EXCH_AGGRESSIVE && v->exch == m->hdr.exchange &&
	    v->p1 == IKEV1_AG_INIT_EXCH) {
		ikev1_aggr_input(sa, m, p);
		return;
	}
	if (m->hdr.exchange != v->exch || (enc != (v->p1 == IKEV1_MM_KEY_EXCH))) {
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
		return;
	}
	switch (v->p1) {
	case IKEV1_MM_NO_STATE:
		if (sa->initiator)
			mm2_in(sa, m);
		else
			ikev1_count(sa->ike, IKEV1_DROP_STATE);
		break;
	case IKEV1_MM_SA_SETUP:
		if (sa->initiator)
			mm4_in(sa, m, p);
		else
			mm3_in(sa, m, p);
		break;
	case IKEV1_MM_KEY_EXCH:
		mm_auth_in(sa, m, p);
		break;
	default:
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
	}
}

struct ike_sa *ikev1_initiate(struct ike *ike, const struct cfg_ike_peer *peer)
{
	if (peer->aggressive)
		return ikev1_aggr_initiate(ike, peer);
	uint8_t out[2048];
	struct ike_path p = {.family = peer->local.family, .lport = IKE_PORT, .rport = IKE_PORT};
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len;
	memcpy(p.local, peer->local.bytes, 16);
	memcpy(p.remote, peer->remote.bytes, 16);
	struct ike_sa *sa = ike_sa_new_initiator(ike, peer, &p);
	if (sa == NULL || ikev1_sa_attach(sa) == NULL) {
		if (sa != NULL)
			ike_sa_delete(sa);
		ikev1_count(ike, IKEV1_DROP_FULL);
		return NULL;
	}
	sa->v1->exch = IKEV1_EXCH_MAIN;
	ikev1_hdr(sa, &h, IKEV1_EXCH_MAIN, 0, IKEV1_PL_SA, false);
	int rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	size_t sa_at = w.len + IKEV1_PL_HDR_LEN;
	if (rc == 0)
		rc = ikev1_p1_offer(&w, peer->ike, peer->n_ike, ikev1_p1_auth_of(peer),
				    ikev1_p1_life(peer));
	size_t sa_end = w.len;
	if (rc == 0)
		rc = ikev1_p1_write_vids(&w, sa->v1, true);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_keep_copy(&sa->v1->sai_b, &sa->v1->sai_len, out + sa_at, sa_end - sa_at);
	if (rc == 0)
		rc = ikev1_send_keep(sa, &sa->v1->p1x, out, len, true);
	if (rc != 0) {
		ikev1_count(ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return NULL;
	}
	IKE_LOG(INFO, "IKEv1 peer %s: Main Mode started", peer->name);
	return sa;
}
