/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_sig.c - Main Mode authenticated with digital signatures (see
 * ikev1_sig.h): RFC 2409 5.1 (SIG_I and SIG_R sign HASH_I and HASH_R; SKEYID = prf(Ni_b | Nr_b,
 * g^xy) is ikev1_main.c's), RFC 2408 3.9 and 3.10 (CERT and CR: an encoding octet, then the
 * certificate, or the DER Name of a CA), RFC 4754 (ECDSA, methods 9 and 10), RFC 4945 3.1 (the
 * ID in the certificate).
 *
 *   initiator                              responder
 *   3  HDR, KE, Ni, CR..., NAT-D...   ->
 *                                    <-    4  HDR, KE, Nr, CR..., NAT-D...
 *   5  HDR*, IDii, CERT..., SIG_I     ->
 *                                    <-    6  HDR*, IDir, CERT..., SIG_R
 *
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), HASH_R its mirror. For RSA
 * the prf is the HMAC of the negotiated hash, as with a pre-shared key. For ECDSA it is the
 * HMAC of the hash RFC 4754 pairs with the curve (SHA-256 for method 9, SHA-384 for 10), keyed
 * with the same SKEYID, whatever hash Phase 1 negotiated: so strongSwan computes it, and a
 * HASH as long as the group order is what ECDSA signs without truncation. The signature covers
 * those octets as they are (crypto/ike_sig.h: PKCS#1 type 1 without DigestInfo; ECDSA r | s).
 *
 * Invariants, as ike_cert.c's for IKEv2: the peer's certificate counts for nothing until its
 * chain ended in one of the peer's CAs at the current time; the ID the peer sent must be its
 * remote_id and be in that certificate, and only then is SIG checked. Every refusal is one log
 * line and one counter; nothing the peer sent is logged unescaped. Our certificate is never
 * sent outside its validity. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <rte_common.h>

#include "crypto/ike_cert.h"
#include "ctrlplane/ike/ike_cert.h"
#include "crypto/ike_sig.h"
#include "ctrlplane/ike/ikev1_sig.h"
#include "ctrlplane/log.h"

#define CERT_X509_SIG 4	   /* Cert Encoding "X.509 Certificate - Signature", RFC 2408 3.9 */
#define CR_MAX	      8	   /* CAs named in CR payloads */
#define DN_MAX	      1024 /* a CA's subject in a CR */
#define NAME_SHOW     96   /* a certificate's subject in a log line */

static const char *peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->name : "?";
}

bool ikev1_sig_method(uint16_t auth)
{
	return auth == IKEV1_AUTH_RSA_SIG || auth == IKEV1_AUTH_ECDSA_256 ||
	       auth == IKEV1_AUTH_ECDSA_384 || auth == IKEV1_AUTH_ECDSA_521;
}

/* The type of key a method signs with: none for ECDSA-521, as vpnhub loads no P-521 key. */
static enum ike_sig_key key_of(uint16_t auth)
{
	switch (auth) {
	case IKEV1_AUTH_RSA_SIG:
		return IKE_SIG_KEY_RSA;
	case IKEV1_AUTH_ECDSA_256:
		return IKE_SIG_KEY_P256;
	case IKEV1_AUTH_ECDSA_384:
		return IKE_SIG_KEY_P384;
	default:
		return IKE_SIG_KEY_NONE;
	}
}

const uint16_t *ikev1_sig_auths(const struct cfg_ike_peer *peer, unsigned int *n)
{
	static const uint16_t by_key[] = {
		[IKE_SIG_KEY_NONE] = 0,
		[IKE_SIG_KEY_RSA] = IKEV1_AUTH_RSA_SIG,
		[IKE_SIG_KEY_P256] = IKEV1_AUTH_ECDSA_256,
		[IKE_SIG_KEY_P384] = IKEV1_AUTH_ECDSA_384,
	};
	unsigned int k = ike_sig_key_type(peer->key, peer->key_len);

	*n = 1;
	return &by_key[k < RTE_DIM(by_key) ? k : IKE_SIG_KEY_NONE];
}

/* ---- HASH_I, HASH_R ---- */

/* The prf of HASH_I / HASH_R for the negotiated method (see the top of the file). */
static uint16_t hash_prf(const struct ikev1_sa *v)
{
	switch (v->p1c.auth) {
	case IKEV1_AUTH_ECDSA_256:
		return IKE_PRF_HMAC_SHA2_256;
	case IKEV1_AUTH_ECDSA_384:
		return IKE_PRF_HMAC_SHA2_384;
	case IKEV1_AUTH_ECDSA_521:
		return IKE_PRF_HMAC_SHA2_512;
	default:
		return v->p1c.prf;
	}
}

/* HASH_I (of_initiator) or HASH_R over the ID body id_b into out (RFC 2409 5); *len octets. */
static int sig_hash(const struct ike_sa *sa, bool of_initiator, const uint8_t *id_b, size_t id_len,
		    uint8_t *out, size_t *len)
{
	const struct ikev1_sa *v = sa->v1;
	const bool i = of_initiator;
	const uint16_t prf = hash_prf(v);
	const struct ike_chunk d[] = {
		{i ? v->gxi : v->gxr, i ? v->gxi_len : v->gxr_len},
		{i ? v->gxr : v->gxi, i ? v->gxr_len : v->gxi_len},
		{i ? sa->spi_i : sa->spi_r, 8},
		{i ? sa->spi_r : sa->spi_i, 8},
		{v->sai_b, v->sai_len},
		{id_b, id_len},
	};

	*len = ike_prf_len(prf);
	if (*len == 0 || ike_prf_len(v->p1c.prf) == 0)
		return -ENOTSUP;
	return ike_prf(prf, v->skeyid, ike_prf_len(v->p1c.prf), d, RTE_DIM(d), out);
}

/* ---- ours: CR, CERT, SIG ---- */

/* A CR or CERT payload: the X.509 Signature encoding, then data (a DN, a certificate). */
static int typed(struct ikev1_wr *w, uint8_t type, const uint8_t *data, size_t len)
{
	static const uint8_t enc = CERT_X509_SIG;
	int rc = ikev1_wr_begin(w, type);

	if (rc == 0)
		rc = ikev1_wr_put(w, &enc, 1);
	if (rc == 0 && len != 0)
		rc = ikev1_wr_put(w, data, len);
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

int ikev1_sig_write_cr(const struct ike_sa *sa, struct ikev1_wr *w)
{
	const struct cfg_ike_peer *peer = sa->peer;
	uint8_t dn[DN_MAX];
	const uint8_t *c;
	size_t cl, dl, off = 0;
	unsigned int n = 0;
	int rc = 0;

	if (!peer->send_certreq)
		return 0;
	while (rc == 0 && n < CR_MAX && ike_cert_next(peer->cas, peer->cas_len, &off, &c, &cl)) {
		if (ike_cert_subject(c, cl, dn, sizeof(dn), &dl) != 0)
			continue;
		rc = typed(w, IKEV1_PL_CR, dn, dl);
		n++;
	}
	return rc == 0 && n == 0 ? typed(w, IKEV1_PL_CR, NULL, 0) : rc; /* none named: any CA */
}

/* Our certificate, then the chain its file holds; -EKEYEXPIRED when ours is not valid now. */
static int write_certs(struct ike_sa *sa, struct ikev1_wr *w)
{
	const struct cfg_ike_peer *peer = sa->peer;
	char why[IKE_CERT_WHY_MAX], name[NAME_SHOW];
	const uint8_t *c;
	size_t len, off = 0;
	int rc;

	if (!ike_cert_next(peer->cert, peer->cert_len, &off, &c, &len))
		return -EINVAL;
	if (ike_cert_valid_now(c, len, why, sizeof(why)) != 0) {
		ike_cert_subject_str(c, len, name, sizeof(name));
		IKE_LOG(ERR, "IKEv1 peer %s: our certificate \"%s\" %s: not authenticating with it",
			peer->name, name, why);
		ike_count(sa->ike, IKE_DROP_CERT_OURS);
		return -EKEYEXPIRED;
	}
	do
		rc = typed(w, IKEV1_PL_CERT, c, len);
	while (rc == 0 && ike_cert_next(peer->cert, peer->cert_len, &off, &c, &len));
	return rc;
}

int ikev1_sig_write(struct ike_sa *sa, struct ikev1_wr *w, const uint8_t *id_b, size_t id_len)
{
	const struct cfg_ike_peer *peer = sa->peer;
	uint8_t hash[IKE_PRF_MAX], sig[IKE_SIG_MAX];
	size_t hl = 0, sl = 0;
	int rc = write_certs(sa, w);

	if (rc == 0)
		rc = sig_hash(sa, sa->initiator, id_b, id_len, hash, &hl);
	if (rc == 0)
		rc = ike_sig_sign_hash(peer->key, peer->key_len, hash, hl, sig, sizeof(sig), &sl);
	if (rc == 0)
		rc = ikev1_wr_payload(w, IKEV1_PL_SIG, sig, sl);
	else if (rc != -EKEYEXPIRED)
		IKE_LOG(ERR, "IKEv1 peer %s: signing our SIG failed (%d)", peer->name, rc);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

/* ---- the peer's ---- */

/* The first X.509 CERT payload (its key signed SIG) and the others, as intermediates. */
static const struct ikev1_payload *peer_certs(const struct ikev1_msg *m, struct ike_chunk *im,
					      size_t *n)
{
	const struct ikev1_payload *p = NULL, *ee = NULL;

	*n = 0;
	while ((p = ikev1_msg_find(m, IKEV1_PL_CERT, p)) != NULL) {
		if (p->len < 2 || p->body[0] != CERT_X509_SIG)
			continue; /* PGP, hashes, CRLs...: not taken */
		if (ee == NULL)
			ee = p;
		else if (*n < IKE_CERT_CHAIN_MAX)
			im[(*n)++] = (struct ike_chunk){p->body + 1, p->len - 1u};
	}
	return ee;
}

/* id is the peer's remote_id; a DN compares in RFC 5280 7.1's canonical form, as IKEv2's. */
static bool is_remote_id(const struct cfg_ike_id *want, const struct ikev1_payload *id)
{
	if (want->type == CFG_IKE_ID_DN)
		return id->u.id.type == CFG_IKE_ID_DN &&
		       ike_cert_dn_equal(want->data, want->len, id->u.id.data, id->u.id.data_len);
	return ikev1_id_match(want, id);
}

/* One refusal: its counter (an IKEv1 one, or for certificates IKE's) and its log line. */
static int refuse(struct ike_sa *sa, int v1_drop, int drop, const char *why)
{
	char addr[INET6_ADDRSTRLEN];

	if (v1_drop >= 0)
		ikev1_count(sa->ike, (enum ikev1_drop)v1_drop);
	else
		ike_count(sa->ike, (enum ike_drop)drop);
	inet_ntop(sa->path.family, sa->path.remote, addr, sizeof(addr));
	IKE_LOG(WARNING, "IKEv1 peer %s (%s): authentication failed — %s", peer_name(sa), addr,
		why);
	return -EACCES;
}

/* -1, or the IKE drop reason: the chain does not end in one of the CAs, or is out of date. */
static int check_chain(const struct ike_sa *sa, const struct ikev1_payload *ee,
		       const struct ike_chunk *im, size_t n_im, const char *name, char *why,
		       size_t why_len)
{
	char r[IKE_CERT_WHY_MAX];
	const struct cfg_ike_peer *peer = sa->peer;
	int rc = ike_cert_verify_chain(ee->body + 1, ee->len - 1u, im, n_im, peer->cas,
				       peer->cas_len, r, sizeof(r));

	if (rc == 0)
		return -1;
	snprintf(why, why_len, "certificate \"%s\" %s: %s", name,
		 rc == -EKEYEXPIRED ? "is out of its validity" : "is not trusted", r);
	return rc == -EKEYEXPIRED ? IKE_DROP_CERT_EXPIRED : IKE_DROP_CERT_UNTRUSTED;
}

/* Its SIG over HASH_I (the peer initiated) or HASH_R with the key of certificate ee. */
static int check_sig(const struct ike_sa *sa, const struct ikev1_payload *id,
		     const struct ikev1_payload *ee, const struct ikev1_payload *sig, char *why,
		     size_t why_len)
{
	uint8_t hash[IKE_PRF_MAX];
	size_t hl = 0;
	int rc = sig_hash(sa, !sa->initiator, id->body, id->len, hash, &hl);

	if (rc == 0)
		rc = ike_sig_verify_hash(ee->body + 1, ee->len - 1u, key_of(sa->v1->p1c.auth), hash,
					 hl, sig->body, sig->len, why, why_len);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

int ikev1_sig_check(struct ike_sa *sa, const struct ikev1_msg *m, unsigned int msg_no)
{
	const struct ikev1_payload *id = ikev1_msg_find(m, IKEV1_PL_ID, NULL);
	const struct ikev1_payload *sig = ikev1_msg_find(m, IKEV1_PL_SIG, NULL);
	struct ike_chunk im[IKE_CERT_CHAIN_MAX];
	char name[NAME_SHOW], idt[NAME_SHOW], why[IKE_CERT_WHY_MAX + 2 * NAME_SHOW];
	char r[IKE_CERT_WHY_MAX] = "";
	size_t n_im = 0;
	const struct ikev1_payload *ee = peer_certs(m, im, &n_im);
	int drop;

	if (id == NULL || sig == NULL) {
		snprintf(why, sizeof(why), "message %u has no %s payload", msg_no,
			 id == NULL ? "ID" : "SIG");
		return refuse(sa, IKEV1_DROP_AUTH, 0, why);
	}
	if (!is_remote_id(&sa->peer->remote_id, id)) {
		ike_cert_id_str(id->u.id.type, id->u.id.data, id->u.id.data_len, idt, sizeof(idt));
		snprintf(why, sizeof(why), "its identity \"%s\" is not its remote_id", idt);
		return refuse(sa, IKEV1_DROP_ID, 0, why);
	}
	if (ee == NULL)
		return refuse(sa, -1, IKE_DROP_CERT_UNTRUSTED,
			      "it sent no X.509 certificate (CERT payload)");
	ike_cert_subject_str(ee->body + 1, ee->len - 1u, name, sizeof(name));
	drop = check_chain(sa, ee, im, n_im, name, why, sizeof(why));
	if (drop >= 0)
		return refuse(sa, -1, drop, why);
	if (!ike_cert_has_id(ee->body + 1, ee->len - 1u, id->u.id.type, id->u.id.data,
			     id->u.id.data_len)) {
		ike_cert_id_str(id->u.id.type, id->u.id.data, id->u.id.data_len, idt, sizeof(idt));
		snprintf(why, sizeof(why), "its ID \"%s\" is not in certificate \"%s\"", idt, name);
		return refuse(sa, -1, IKE_DROP_CERT_ID, why);
	}
	if (check_sig(sa, id, ee, sig, r, sizeof(r)) != 0) {
		snprintf(why, sizeof(why),
			 "signature did not verify (message %u, certificate \"%s\": %s)", msg_no,
			 name, r);
		return refuse(sa, IKEV1_DROP_AUTH, 0, why);
	}
	sa->peer_id.type = id->u.id.type;
	sa->peer_id.len = (uint16_t)RTE_MIN(id->u.id.data_len, (uint16_t)CFG_IKE_ID_MAX);
	memcpy(sa->peer_id.data, id->u.id.data, sa->peer_id.len);
	IKE_LOG(INFO, "IKEv1 peer %s: certificate \"%s\" trusted, SIG (%s, method %u) verified",
		peer_name(sa), name, r, sa->v1->p1c.auth);
	return 0;
}
