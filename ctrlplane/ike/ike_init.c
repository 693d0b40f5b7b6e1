/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_init.c - IKE_SA_INIT, the responder's half (RFC 7296 1.2, 2.10, 2.14;
 * NAT detection 2.23).
 *
 * A request from an address no configured peer may use is dropped without an answer; one that
 * ike.redirect sends elsewhere gets a REDIRECT and nothing else (ike_redirect.c, RFC 5685).
 * Otherwise the responder picks a proposal (NO_PROPOSAL_CHOSEN if none fits), insists that the
 * KE payload is of the chosen group (INVALID_KE_PAYLOAD naming it, 1.2, no state kept; both
 * errors rate-limited, ike_guard.c), checks the peer's public value before any DH work
 * (RFC 6989), and only then creates the half-open SA: its SPI,
 * nonce, key schedule (2.14), and both messages as sent and received for IKE_AUTH's signed
 * octets (2.15). A retransmitted request gets the same response again (2.1). Both halves carry
 * SIGNATURE_HASH_ALGORITHMS, and the response a CERTREQ, for peers with certificates
 * (ike_cert.c, RFC 7427 4, RFC 7296 3.7).
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ctrlplane/ike/ike_cert.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

/* The configured peer for these addresses: an exact remote first, else a wildcard one. */
static const struct cfg_ike_peer *peer_for(const struct config *cfg, const struct ike_path *p)
{
	const struct cfg_ike_peer *any = NULL;
	size_t alen = p->family == AF_INET ? 4 : 16;
	for (unsigned int i = 0; i < cfg->n_ike_peers; i++) {
		const struct cfg_ike_peer *q = &cfg->ike_peers[i];
		if (q->version != 2 || q->local.family != p->family ||
		    memcmp(q->local.bytes, p->local, alen) != 0)
			continue; /* IKEv1 peers: ikev1_main.c */
		if (q->remote.family == 0 && any == NULL)
			any = q;
		else if (q->remote.family == p->family &&
			 memcmp(q->remote.bytes, p->remote, alen) == 0)
			return q;
	}
	return any;
}

/* NAT_DETECTION_*_IP data: SHA-1(SPIi | SPIr | IP | Port) (2.23). */
static void natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint8_t family,
		      const uint8_t *addr, uint16_t port, uint8_t out[20])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t alen = family == AF_INET ? 4 : 16;
	unsigned int len = 20;
	memcpy(buf, spi_i, 8);
	memcpy(buf + 8, spi_r, 8);
	memcpy(buf + 16, addr, alen);
	buf[16 + alen] = (uint8_t)(port >> 8);
	buf[17 + alen] = (uint8_t)port;
	if (EVP_Digest(buf, 18 + alen, out, &len, EVP_sha1(), NULL) != 1)
		memset(out, 0, 20);
}

/*
 * True when the peer's NAT detection hashes say an address or port changed on the way (the
 * hashes of a request have SPIr zero, those of a response the real one).
 */
static bool nat_seen(struct ike_sa *sa, const struct ike_msg *m, const struct ike_path *p)
{
	const uint8_t *spi_r = m->hdr.spi_r;
	uint8_t h[20];
	const struct ike_payload *n;
	bool src_match = false, any_src = false;
	natd_hash(m->hdr.spi_i, spi_r, p->family, p->remote, p->rport, h);
	for (n = NULL; (n = ike_msg_find(m, IKE_PL_NOTIFY, n)) != NULL;) {
		if (n->u.notify.type != IKE_N_NAT_DETECTION_SOURCE_IP)
			continue;
		any_src = true;
		src_match |= n->u.notify.len == 20 && memcmp(n->u.notify.data, h, 20) == 0;
	}
	const struct ike_payload *d = ike_msg_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP);
	natd_hash(m->hdr.spi_i, spi_r, p->family, p->local, p->lport, h);
	bool dst_match =
		d == NULL || (d->u.notify.len == 20 && memcmp(d->u.notify.data, h, 20) == 0);
	sa->nat_remote = any_src && !src_match; /* 2.23: the peer is behind a NAT */
	sa->nat_local = !dst_match;		/* the hub is */
	return sa->nat_remote || sa->nat_local;
}

/*
 * An unprotected error answer with SPIr 0 (the request's, checked), no state kept:
 * NO_PROPOSAL_CHOSEN, INVALID_KE.
 */
static void refuse(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
		   uint16_t type, const uint8_t *data, size_t len)
{
	ike_guard_error(ike, m, p, type, data, len); /* rate-limited (2.21.4) */
}

/* The key schedule of 2.14 and both directions' message protection. */
static int keys(struct ike_sa *sa, const uint8_t *gir, size_t gir_len)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	size_t el = ike_sk_encr_key_len(sa->encr, sa->encr_bits);
	size_t al = sa->integ ? ike_sk_integ_key_len(sa->integ) : 0;
	int rc = ike_skeyseed(sa->prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gir, gir_len,
			      skeyseed);
	if (rc == 0)
		rc = ike_sa_keys_derive(sa->prf, skeyseed, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
					sa->spi_i, sa->spi_r, al, el, &sa->keys);
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	/* SK_ei/SK_ai protect what the initiator sends (2.14) */
	struct ike_sk *from_i = sa->initiator ? &sa->sk_out : &sa->sk_in;
	struct ike_sk *from_r = sa->initiator ? &sa->sk_in : &sa->sk_out;
	if (rc == 0)
		rc = ike_sk_init(from_i, sa->encr, sa->encr_bits, sa->integ, sa->keys.sk_ei, el,
				 al ? sa->keys.sk_ai : NULL, al);
	if (rc == 0)
		rc = ike_sk_init(from_r, sa->encr, sa->encr_bits, sa->integ, sa->keys.sk_er, el,
				 al ? sa->keys.sk_ar : NULL, al);
	return rc;
}

/* Our IKE_SA_INIT response: SA, KE, Nr, NAT detection (2.23). */
static int build(struct ike_sa *sa, const struct ike_choice *ch, const uint8_t *ke, size_t ke_len,
		 uint8_t *out, size_t cap, size_t *len)
{
	uint8_t hs[20], hd[20];
	struct ike_wr w;
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_R};
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	natd_hash(sa->spi_i, sa->spi_r, sa->path.family, sa->path.local, sa->path.lport, hs);
	natd_hash(sa->spi_i, sa->spi_r, sa->path.family, sa->path.remote, sa->path.rport, hd);
	if (sa->peer != NULL && sa->peer->encap)
		hs[0] ^= 0xff; /* a source hash that cannot match: the peer moves to 4500 (encap) */
	int rc = ike_wr_init(&w, out, cap, &h);
	if (rc == 0)
		rc = ike_prop_write(&w, ch, IKE_PROTO_IKE);
	if (rc == 0)
		rc = ike_wr_ke(&w, sa->dh, ke, ke_len);
	if (rc == 0)
		rc = ike_wr_nonce(&w, sa->nr, sa->nr_len);
	if (rc == 0)
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, hs, 20);
	if (rc == 0)
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, hd, 20);
	if (rc == 0 && sa->frag) /* RFC 7383 2.3: only when the request offered it */
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (rc == 0)
		rc = ike_cert_sa_init(sa, &w);
	return rc == 0 ? ike_wr_finish(&w, len) : rc;
}

/* DH with the peer's KE, keys, the response; the SA keeps what IKE_AUTH needs. */
static int complete(struct ike_sa *sa, const struct ike_msg *m, const struct ike_payload *ke,
		    const struct ike_choice *ch, uint8_t *out, size_t cap, size_t *len)
{
	struct ike_dh *dh = NULL;
	uint8_t pub[IKE_DH_KE_MAX], gir[IKE_DH_SECRET_MAX];
	int n = ike_dh_new(ch->dh, &dh), gl = 0, rc;
	if (n == 0)
		n = ike_dh_public(dh, pub, sizeof(pub));
	if (n > 0)
		gl = ike_dh_derive(dh, ke->u.ke.data, ke->u.ke.len, gir, sizeof(gir));
	ike_dh_free(dh);
	rc = n <= 0 ? -EIO : gl <= 0 ? -EPROTO : 0;
	if (rc == 0 && RAND_bytes(sa->nr, IKE_NONCE_OURS) != 1)
		rc = -EIO;
	sa->nr_len = IKE_NONCE_OURS;
	if (rc == 0)
		rc = keys(sa, gir, (size_t)gl);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc == 0)
		rc = build(sa, ch, pub, (size_t)n, out, cap, len);
	sa->init_req = rc == 0 ? OPENSSL_memdup(m->buf, m->len) : NULL;
	sa->init_resp = rc == 0 ? OPENSSL_memdup(out, *len) : NULL;
	if (rc == 0 && (sa->init_req == NULL || sa->init_resp == NULL))
		rc = -ENOMEM;
	sa->init_req_len = m->len;
	sa->init_resp_len = *len;
	return rc;
}

#define IKE_REFUSAL_LOGS 10 /* a second: unauthenticated peers must not fill the log */

/* NO_PROPOSAL_CHOSEN in words: both sides' offers (rate-limited, nothing is authenticated). */
static void log_no_proposal(struct ike *ike, const struct ike_msg *m, const struct ike_payload *sa,
			    const struct ike_path *p, const struct cfg_ike_peer *peer)
{
	char theirs[512], ours[512], a[INET6_ADDRSTRLEN];
	uint64_t now = ike_now(ike);
	if (now - ike->refusal_tsc >= rte_get_timer_hz()) {
		ike->refusal_tsc = now;
		ike->refusal_logs = 0;
	}
	if (ike->refusal_logs++ >= IKE_REFUSAL_LOGS)
		return;
	ike_prop_offered_str(m, sa, theirs, sizeof(theirs));
	ike_prop_config_str(peer->ike, peer->n_ike, ours, sizeof(ours));
	inet_ntop(p->family, p->remote, a, sizeof(a));
	IKE_LOG(NOTICE,
		"IKE_SA_INIT from %s (peer %s): no proposal chosen: it offers %s; %s takes %s", a,
		peer->name, theirs, peer->name, ours);
}

/* The request's SA, KE and nonce, and the proposal to answer with; 0 or the drop reason. */
static int check(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
		 const struct cfg_ike_peer *peer, struct ike_choice *ch)
{
	const struct ike_payload *sa = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (sa == NULL || ke == NULL || ni == NULL)
		return IKE_DROP_PARSE;
	if (ike_prop_choose_ike(m, sa, peer->ike, peer->n_ike, 0, ch) != 0) {
		log_no_proposal(ike, m, sa, p, peer);
		refuse(ike, m, p, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return IKE_DROP_NO_PROPOSAL;
	}
	if (ke->u.ke.group != ch->dh) {
		uint8_t g[2] = {(uint8_t)(ch->dh >> 8), (uint8_t)ch->dh};
		refuse(ike, m, p, IKE_N_INVALID_KE_PAYLOAD, g, sizeof(g));
		return IKE_DROP_BAD_KE;
	}
	if (ike_dh_check_peer(ch->dh, ke->u.ke.data, ke->u.ke.len) != 0)
		return IKE_DROP_BAD_KE; /* RFC 6989: no answer to a value that is not a key */
	return -1;
}

void ike_init_respond(struct ike *ike, const struct ike_msg *m, const struct ike_path *p)
{
	static const uint8_t zero[8];
	uint8_t out[IKE_MSG_MAX];
	size_t len = 0;
	struct ike_choice ch;
	if (memcmp(m->hdr.spi_r, zero, 8) != 0) {
		ike_count(ike, IKE_DROP_STATE);
		return;
	}
	struct ike_sa *sa = ike_sa_half_open(ike, m->hdr.spi_i, p);
	if (sa != NULL && sa->v1 != NULL) { /* an ISAKMP SA's cookie: not an IKEv2 SA to answer */
		ike_count(ike, IKE_DROP_STATE);
		return;
	}
	if (sa != NULL) { /* 2.1: the same request gets the same response */
		ike_count(ike, IKE_DROP_RETRANSMIT);
		if (sa->init_resp != NULL)
			ike_send(ike, &sa->path, sa->init_resp, sa->init_resp_len);
		return;
	}
	int why = ike_guard_admit(ike, m, p); /* caps and cookies, before any state or DH */
	if (why >= 0) {
		ike_count(ike, (enum ike_drop)why);
		return;
	}
	const struct cfg_ike_peer *peer = peer_for(ike->cfg, p);
	if (peer == NULL) {
		ike_count(ike, IKE_DROP_NO_PEER);
		return;
	}
	if (ike_redirect_respond(ike, m, p, peer)) /* RFC 5685: before any state or DH */
		return;
	why = check(ike, m, p, peer, &ch);
	if (why >= 0) {
		ike_count(ike, (enum ike_drop)why);
		return;
	}
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	sa = ike_sa_new(ike, m->hdr.spi_i, p, true);
	if (sa == NULL) {
		ike_count(ike, ike->n_sa >= IKE_SA_MAX ? IKE_DROP_FULL : IKE_DROP_NOMEM);
		return;
	}
	sa->peer = peer; /* provisional: IKE_AUTH's ID decides */
	sa->encr = ch.encr;
	sa->encr_bits = ch.encr_bits;
	sa->integ = ch.integ;
	sa->prf = ch.prf;
	sa->dh = ch.dh;
	sa->natt = nat_seen(sa, m, p) || peer->encap;
	sa->frag = peer->fragmentation && ike_msg_notify(m, IKE_N_FRAGMENTATION_SUPPORTED) != NULL;
	ike_cert_peer_hashes(sa, m);
	sa->ni_len = ni->len;
	memcpy(sa->ni, ni->body, ni->len);
	if (complete(sa, m, ike_msg_find(m, IKE_PL_KE, NULL), &ch, out, sizeof(out), &len) != 0) {
		ike_count(ike, IKE_DROP_BAD_KE);
		ike_sa_delete(sa);
		return;
	}
	sa->recv_next = 1; /* IKE_SA_INIT was 0; its retransmits are found as half-open */
	ike_guard_count(sa);
	ike_send(ike, &sa->path, out, len);
}

/* ---- the initiator's half ---- */

int ike_init_request(struct ike_sa *sa, uint8_t *out, size_t cap, size_t *len)
{
	static const uint8_t zero[8];
	const struct cfg_ike_peer *peer = sa->peer;
	uint8_t pub[IKE_DH_KE_MAX], hs[20], hd[20];
	struct ike_wr w;
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_I};
	if (sa->dh == 0)
		sa->dh = peer->ike[0].dh[0]; /* the group the first proposal prefers */
	ike_dh_free(sa->dh_priv);
	sa->dh_priv = NULL;
	int n = ike_dh_new(sa->dh, &sa->dh_priv) == 0 ? ike_dh_public(sa->dh_priv, pub, sizeof(pub))
						      : -EIO;
	if (n <= 0)
		return -EIO;
	if (sa->ni_len == 0 && RAND_bytes(sa->ni, IKE_NONCE_OURS) != 1)
		return -EIO;
	sa->ni_len = IKE_NONCE_OURS;
	memcpy(h.spi_i, sa->spi_i, 8);
	natd_hash(sa->spi_i, zero, sa->path.family, sa->path.local, sa->path.lport, hs);
	natd_hash(sa->spi_i, zero, sa->path.family, sa->path.remote, sa->path.rport, hd);
	if (peer->encap)
		hs[0] ^= 0xff; /* 2.23: a NAT the responder will see, so both move to 4500 */
	int rc = ike_wr_init(&w, out, cap, &h);
	if (rc == 0 && sa->cookie_len > 0) /* the responder's cookie comes first (2.6) */
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	if (rc == 0)
		rc = ike_prop_offer(&w, peer->ike, peer->n_ike, IKE_PROTO_IKE, NULL, 0, true);
	if (rc == 0)
		rc = ike_wr_ke(&w, sa->dh, pub, (size_t)n);
	if (rc == 0)
		rc = ike_wr_nonce(&w, sa->ni, sa->ni_len);
	if (rc == 0)
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, hs, 20);
	if (rc == 0)
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, hd, 20);
	if (rc == 0 && peer->fragmentation) /* RFC 7383 2.3 */
		rc = ike_wr_notify(&w, 0, NULL, 0, IKE_N_FRAGMENTATION_SUPPORTED, NULL, 0);
	if (rc == 0)
		rc = ike_cert_sa_init(sa, &w);
	if (rc == 0)
		rc = ike_redirect_announce(sa, &w); /* RFC 5685 */
	if (rc == 0)
		rc = ike_wr_finish(&w, len);
	if (rc == 0) {
		OPENSSL_clear_free(sa->init_req, sa->init_req_len);
		sa->init_req = OPENSSL_memdup(out, *len);
		sa->init_req_len = *len;
		rc = sa->init_req != NULL ? 0 : -ENOMEM;
	}
	return rc;
}

/* INVALID_KE_PAYLOAD (1.2): start over with the group the responder named, if we offer it. */
static int retry_group(struct ike_sa *sa, const struct ike_payload *n)
{
	const struct cfg_ike_peer *peer = sa->peer;
	uint16_t g = n->u.notify.len == 2
			     ? (uint16_t)(n->u.notify.data[0] << 8 | n->u.notify.data[1])
			     : 0;
	for (unsigned int i = 0; g != sa->dh && i < peer->n_ike; i++) {
		for (uint8_t j = 0; j < peer->ike[i].n_dh; j++) {
			if (peer->ike[i].dh[j] != g)
				continue;
			IKE_LOG(INFO, "peer %s asks for DH group %u: IKE_SA_INIT again", peer->name,
				g);
			sa->dh = g;
			ike_task_queue(sa, IKE_T_INIT, 0);
			return 0;
		}
	}
	IKE_LOG(NOTICE, "peer %s: INVALID_KE_PAYLOAD for group %u, which we do not offer",
		peer->name, g);
	return -ECONNRESET;
}

/*
 * COOKIE (2.6): IKE_SA_INIT again, the same, with the cookie first. A responder that keeps
 * asking gets IKE_COOKIE_TRIES_MAX tries (a new secret in between takes a second one).
 */
#define IKE_COOKIE_TRIES_MAX 3
static int retry_cookie(struct ike_sa *sa, const struct ike_payload *c)
{
	if (c->u.notify.len == 0 || c->u.notify.len > sizeof(sa->cookie) ||
	    ++sa->cookie_tries > IKE_COOKIE_TRIES_MAX) {
		IKE_LOG(NOTICE, "peer %s: COOKIE of %u octets, try %u: given up", sa->peer->name,
			c->u.notify.len, sa->cookie_tries);
		ike_count(sa->ike, IKE_DROP_PARSE);
		return -ECONNRESET;
	}
	memcpy(sa->cookie, c->u.notify.data, c->u.notify.len);
	sa->cookie_len = (uint8_t)c->u.notify.len;
	IKE_LOG(INFO, "peer %s asks for a cookie: IKE_SA_INIT again", sa->peer->name);
	ike_task_queue(sa, IKE_T_INIT, 0);
	return 0;
}

int ike_init_response(struct ike_sa *sa, const struct ike_msg *m, const struct ike_path *p)
{
	static const uint8_t zero[8];
	const struct ike_payload *inv = ike_msg_notify(m, IKE_N_INVALID_KE_PAYLOAD);
	const struct ike_payload *cookie = ike_msg_notify(m, IKE_N_COOKIE);
	if (memcmp(m->hdr.spi_r, zero, 8) == 0 && ike_msg_notify(m, IKE_N_REDIRECT) != NULL)
		return ike_redirect_follow(sa, m); /* RFC 5685; its Ni was checked (ike_net.c) */
	if (cookie != NULL && memcmp(m->hdr.spi_r, zero, 8) == 0)
		return retry_cookie(sa, cookie);
	if (inv != NULL)
		return retry_group(sa, inv);
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	struct ike_choice ch;
	if (sap == NULL || ke == NULL || nr == NULL || memcmp(m->hdr.spi_r, zero, 8) == 0) {
		const struct ike_payload *n = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
		IKE_LOG(NOTICE, "peer %s refused IKE_SA_INIT (notify %u)", sa->peer->name,
			n != NULL ? n->u.notify.type : 0);
		ike_count(sa->ike, IKE_DROP_NO_PROPOSAL);
		return -ECONNRESET;
	}
	if (ike_prop_choose_ike(m, sap, sa->peer->ike, sa->peer->n_ike, 0, &ch) != 0 ||
	    ch.dh != sa->dh || ke->u.ke.group != sa->dh) {
		ike_count(sa->ike, IKE_DROP_NO_PROPOSAL);
		return -ECONNRESET; /* an answer we did not offer (2.7) */
	}
	memcpy(sa->spi_r, m->hdr.spi_r, 8);
	sa->encr = ch.encr;
	sa->encr_bits = ch.encr_bits;
	sa->integ = ch.integ;
	sa->prf = ch.prf;
	sa->nr_len = nr->len;
	memcpy(sa->nr, nr->body, nr->len);
	uint8_t gir[IKE_DH_SECRET_MAX];
	int gl = ike_dh_derive(sa->dh_priv, ke->u.ke.data, ke->u.ke.len, gir, sizeof(gir));
	ike_dh_free(sa->dh_priv);
	sa->dh_priv = NULL;
	int rc = gl > 0 ? keys(sa, gir, (size_t)gl) : -EPROTO;
	OPENSSL_cleanse(gir, sizeof(gir));
	sa->init_resp = rc == 0 ? OPENSSL_memdup(m->buf, m->len) : NULL;
	sa->init_resp_len = m->len;
	if (rc != 0 || sa->init_resp == NULL) {
		ike_count(sa->ike, IKE_DROP_BAD_KE);
		return -ECONNRESET;
	}
	sa->natt = nat_seen(sa, m, p) || sa->peer->encap;
	sa->frag =
		sa->peer->fragmentation && ike_msg_notify(m, IKE_N_FRAGMENTATION_SUPPORTED) != NULL;
	ike_cert_peer_hashes(sa, m);
	if (sa->natt) /* 2.23: IKE_AUTH and everything after go to port 4500 */
		sa->path.lport = sa->path.rport = IKE_PORT_NATT;
	ike_task_queue(sa, IKE_T_AUTH, 0);
	return 0;
}
