/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_aggr.c - Phase 1 in Aggressive Mode (RFC 2409 5.4) with pre-shared keys,
 * for spokes on dynamic addresses that name themselves by ID or group name.
 *
 *   initiator                                   responder
 *   1  HDR, SA, KE, Ni, IDii, VID...         ->
 *                                            <-  2  HDR, SA, KE, Nr, IDir, HASH_R, VID...,
 *                                                   NAT-D, NAT-D            AG_INIT_EXCH
 *   3  HDR[*], HASH_I [, NAT-D, NAT-D]       ->                             QM_IDLE
 *
 * The responder knows the peer from message 1's identity (its remote_id; a peer with a remote
 * address must also come from it) and answers only a peer with `aggressive: true`: message 2's
 * HASH_R is a function of the pre-shared key that anyone who sees it can attack offline, so a
 * peer not meant to use this mode must not get one. Every transform of message 1 must have the
 * group of its KE (there is one KE for all of them). Message 3 may come encrypted (as most
 * implementations send it) or not (RFC 2409 allows both); with a NAT it comes on port 4500.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

static bool addr_is(const struct cfg_addr *a, uint8_t family, const uint8_t *bytes)
{
	return a->family == family && memcmp(a->bytes, bytes, family == AF_INET ? 4 : 16) == 0;
}

/* The IKEv1 peer that message 1's identity names, from where it came (NULL: none). */
static const struct cfg_ike_peer *peer_by_id(const struct ike *ike, const struct ike_path *p,
					     const struct ikev1_payload *id)
{
	for (unsigned int i = 0; i < ike->cfg->n_ike_peers; i++) {
		const struct cfg_ike_peer *q = &ike->cfg->ike_peers[i];
		if (q->version != 1 || !addr_is(&q->local, p->family, p->local) ||
		    (q->remote.family != 0 && !addr_is(&q->remote, p->family, p->remote)))
			continue;
		if (q->remote_id.type != CFG_IKE_ID_NONE && ikev1_id_match(&q->remote_id, id))
			return q;
	}
	return NULL;
}

/* Message 2: SA, KE, Nr, IDir, HASH_R, vendor IDs, NAT-D. */
static int send_am2(struct ike_sa *sa, const uint8_t *pub, size_t pub_len)
{
	uint8_t out[4096], id[4 + CFG_IKE_ID_MAX], hash[IKE_PRF_MAX];
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len, id_len = ikev1_id_body(sa, id, sizeof(id));
	int rc = ikev1_p1_auth_hash(sa, false, id, id_len, hash);
	ikev1_hdr(sa, &h, IKEV1_EXCH_AGGRESSIVE, 0, IKEV1_PL_SA, false);
	if (rc == 0)
		rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ikev1_p1_write(&w, &sa->v1->p1c);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_KE, pub, pub_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_NONCE, sa->nr, sa->nr_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, id, id_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_HASH, hash, sa->v1->hash_len);
	if (rc == 0)
		rc = ikev1_p1_write_vids(&w, sa->v1, false);
	if (rc == 0 && ikev1_p1_natt(sa->v1))
		rc = ikev1_p1_write_natd(&w, sa);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc == 0 ? ikev1_send_keep(sa, &sa->v1->p1x, out, len, true) : rc;
}

static void refuse(struct ike *ike, const struct ike_path *p, enum ikev1_drop why, const char *what,
		   const char *name)
{
	char addr[INET6_ADDRSTRLEN];
	ikev1_count(ike, why);
	if (!ikev1_log_ok(ike))
		return;
	inet_ntop(p->family, p->remote, addr, sizeof(addr));
	IKE_LOG(WARNING, "IKEv1 Aggressive Mode from %s%s%s: %s", addr, name ? " for peer " : "",
		name ? name : "", what);
}

void ikev1_aggr_respond(struct ike *ike, const struct ikev1_msg *m, const struct ike_path *p)
{
	const struct ikev1_payload *sap = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	const struct ikev1_payload *id = ikev1_msg_find(m, IKEV1_PL_ID, NULL);
	uint8_t pub[1024];
	size_t pub_len;
	if (sap == NULL || id == NULL || ikev1_msg_find(m, IKEV1_PL_KE, NULL) == NULL) {
		ikev1_count(ike, IKEV1_DROP_PARSE);
		return;
	}
	const struct cfg_ike_peer *peer = peer_by_id(ike, p, id);
	if (peer == NULL) {
		refuse(ike, p, IKEV1_DROP_NO_PEER, "no IKEv1 peer has that identity", NULL);
		return;
	}
	if (!peer->aggressive) {
		refuse(ike, p, IKEV1_DROP_AGGRESSIVE,
		       "refused: Aggressive Mode is not enabled for it (aggressive: true)",
		       peer->name);
		return;
	}
	if (peer->auth != CFG_IKE_AUTH_PSK) { /* the loader refuses it; a pre-shared key only */
		ikev1_count(ike, IKEV1_DROP_NO_PROPOSAL);
		return;
	}
	struct ike_sa *sa = ikev1_p1_responder(ike, m, p, peer);
	if (sa == NULL)
		return;
	struct ikev1_sa *v = sa->v1;
	/* one KE for every transform: the one chosen must be of its group (take_ke checks) */
	int rc = ikev1_p1_take_ke(sa, m);
	if (rc == 0 && !ikev1_p1_peer_id(sa, id))
		rc = -EACCES;
	if (rc == 0)
		rc = ikev1_keep_copy(&v->idr_b, &v->idr_len, id->body, id->len);
	if (rc == 0)
		rc = ikev1_p1_make_ke(sa, pub, sizeof(pub), &pub_len);
	if (rc == 0)
		rc = ikev1_p1_derive(sa);
	if (rc == 0)
		rc = send_am2(sa, pub, pub_len);
	if (rc != 0) {
		if (rc == -ENOMEM || rc == -EIO)
			ikev1_count(ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	ikev1_x_received(&v->p1x);
	v->p1 = IKEV1_AG_INIT_EXCH;
}

/* Responder, message 3: HASH_I over message 1's identity; the float; established. */
static void am3_in(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p)
{
	struct ikev1_sa *v = sa->v1;
	if (ikev1_p1_check_auth(sa, m, v->idr_b, v->idr_len, 3, p) != 0) {
		ike_sa_delete(sa);
		return;
	}
	sa->path = *p; /* on 4500 when there is a NAT (RFC 3947 4) */
	sa->last_rx_tsc = ike_now(sa->ike);
	ikev1_x_received(&v->p1x);
	OPENSSL_clear_free(v->p1x.tx, v->p1x.tx_len); /* nothing answers message 3 */
	v->p1x.tx = NULL;
	v->p1x.tx_len = 0;
	v->p1x.rtx_tsc = 0;
	ikev1_p1_established(sa);
}

/* Initiator, message 3: HASH_I (and NAT-D), encrypted. */
static int send_am3(struct ike_sa *sa)
{
	uint8_t plain[1024], id[4 + CFG_IKE_ID_MAX], hash[IKE_PRF_MAX];
	struct ikev1_wr w;
	size_t len, id_len = ikev1_id_body(sa, id, sizeof(id));
	int rc = ikev1_p1_auth_hash(sa, true, id, id_len, hash);
	if (rc == 0)
		rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_HASH, hash, sa->v1->hash_len);
	if (rc == 0 && ikev1_p1_natt(sa->v1))
		rc = ikev1_p1_write_natd(&w, sa);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc == 0 ? ikev1_seal_send(sa, &sa->v1->p1x, IKEV1_EXCH_AGGRESSIVE, 0, IKEV1_PL_HASH,
					 plain, len, false)
		       : rc;
}

/* Initiator, message 2: the answer checked, keys, HASH_R, message 3, established. */
static void am2_in(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p)
{
	struct ikev1_sa *v = sa->v1;
	const struct ikev1_payload *sap = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	const struct ikev1_payload *id = ikev1_msg_find(m, IKEV1_PL_ID, NULL);
	uint16_t group = v->p1c.dh;
	if (sap == NULL || id == NULL ||
	    ikev1_p1_accept(m, sap, sa->peer->ike, sa->peer->n_ike, ikev1_p1_auth_of(sa->peer),
			    sa->ike->cfg->ipsec_legacy, &v->p1c) != 0 ||
	    v->p1c.dh != group) {
		v->p1c.dh = group;
		ikev1_count(sa->ike, IKEV1_DROP_NO_PROPOSAL);
		return;
	}
	memcpy(sa->spi_r, m->hdr.cky_r, 8);
	ikev1_p1_read_vids(v, m);
	sa->dh = group;
	sa->prf = v->p1c.prf;
	sa->encr = v->p1c.encr;
	sa->encr_bits = v->p1c.encr_bits;
	if (ikev1_p1_take_ke(sa, m) != 0 || ikev1_p1_derive(sa) != 0) {
		ike_sa_delete(sa);
		return;
	}
	/* HASH_R over the responder's identity, which must be its remote_id */
	sa->natt = false;
	if (ikev1_p1_check_auth(sa, m, NULL, 0, 2, p) != 0) {
		ike_sa_delete(sa);
		return;
	}
	if (sa->natt && ikev1_p1_natt(v)) /* RFC 3947 4: message 3 on, port 4500 */
		sa->path.lport = sa->path.rport = IKE_PORT_NATT;
	ikev1_x_received(&v->p1x);
	if (send_am3(sa) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	sa->last_rx_tsc = ike_now(sa->ike);
	ikev1_p1_established(sa);
}

void ikev1_aggr_input(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p)
{
	if (sa->initiator && !(m->hdr.flags & IKEV1_FLAG_E))
		am2_in(sa, m, p);
	else if (!sa->initiator)
		am3_in(sa, m, p);
	else
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
}

/* Our proposals with only group g in each (one KE for all); n of them, 0 = none has g. */
static unsigned int of_group(const struct cfg_ike_peer *peer, uint16_t g,
			     struct cfg_ike_proposal *out)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < peer->n_ike; i++)
		for (unsigned int k = 0; k < peer->ike[i].n_dh; k++)
			if (peer->ike[i].dh[k] == g) {
				out[n] = peer->ike[i];
				out[n].dh[0] = g;
				out[n++].n_dh = 1;
				break;
			}
	return n;
}

struct ike_sa *ikev1_aggr_initiate(struct ike *ike, const struct cfg_ike_peer *peer)
{
	static struct cfg_ike_proposal props[CFG_IKE_PROPOSALS_MAX];
	uint8_t out[4096], pub[1024], id[4 + CFG_IKE_ID_MAX];
	struct ike_path p = {.family = peer->local.family, .lport = IKE_PORT, .rport = IKE_PORT};
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len, pub_len;
	memcpy(p.local, peer->local.bytes, 16);
	memcpy(p.remote, peer->remote.bytes, 16);
	uint16_t group = peer->n_ike > 0 && peer->ike[0].n_dh > 0 ? peer->ike[0].dh[0] : 0;
	unsigned int n = of_group(peer, group, props);
	struct ike_sa *sa = n > 0 ? ike_sa_new_initiator(ike, peer, &p) : NULL;
	if (sa == NULL || ikev1_sa_attach(sa) == NULL) {
		if (sa != NULL)
			ike_sa_delete(sa);
		ikev1_count(ike, IKEV1_DROP_FULL);
		return NULL;
	}
	struct ikev1_sa *v = sa->v1;
	v->exch = IKEV1_EXCH_AGGRESSIVE;
	v->p1c.dh = group;
	size_t id_len = ikev1_id_body(sa, id, sizeof(id));
	ikev1_hdr(sa, &h, IKEV1_EXCH_AGGRESSIVE, 0, IKEV1_PL_SA, false);
	int rc = ikev1_p1_make_ke(sa, pub, sizeof(pub), &pub_len);
	if (rc == 0)
		rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	size_t sa_at = w.len + IKEV1_PL_HDR_LEN;
	if (rc == 0)
		rc = ikev1_p1_offer(&w, props, n, ikev1_p1_auth_of(peer), ikev1_p1_life(peer));
	size_t sa_end = w.len;
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_KE, pub, pub_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_NONCE, sa->ni, sa->ni_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, id, id_len);
	if (rc == 0)
		rc = ikev1_p1_write_vids(&w, v, true);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_keep_copy(&v->sai_b, &v->sai_len, out + sa_at, sa_end - sa_at);
	if (rc == 0)
		rc = ikev1_send_keep(sa, &v->p1x, out, len, true);
	if (rc != 0) {
		ikev1_count(ike, IKEV1_DROP_NOMEM);
		ike_sa_delete(sa);
		return NULL;
	}
	v->p1 = IKEV1_AG_INIT_EXCH;
	IKE_LOG(INFO, "IKEv1 peer %s: Aggressive Mode started", peer->name);
	return sa;
}
