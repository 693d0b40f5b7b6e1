/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_cert.c - certificate authentication in the exchanges (see ike_cert.h):
 * RFC 7296 1.2 (CERTREQ in the responder's IKE_SA_INIT, CERT and CERTREQ in IKE_AUTH), 2.15
 * (the signed octets), 3.6 (CERT, X.509 Certificate - Signature, ours first), 3.7 (CERTREQ:
 * SHA-1 hashes of our CAs' public keys), RFC 7427 3-4 (Digital Signature AUTH, hashes announced
 * in SIGNATURE_HASH_ALGORITHMS).
 *
 * Invariants: a peer's certificate counts for nothing until its chain ended in one of the
 * peer's configured CAs at the current time; it must then vouch for the ID the peer sent, and
 * only then is its signature checked. Every refusal has its reason in a log line (through the
 * caller) and one counter; nothing the peer sent is logged unescaped. Our certificate is never
 * sent outside its validity. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>

#include "crypto/ike_cert.h"
#include "crypto/ike_sig.h"
#include "ctrlplane/ike/ike_cert.h"
#include "ctrlplane/log.h"

#define NAME_SHOW 96 /* a certificate's subject in a log line */
#define ID_SHOW	  64

/* ---- IKE_SA_INIT ---- */

#define CERTREQ_CAS_MAX 16 /* CAs named in one CERTREQ */

/* q authenticates with certificates and serves the SA's local address. */
static bool pubkey_here(const struct ike_sa *sa, const struct cfg_ike_peer *q)
{
	const struct ike_path *p = &sa->path;
	size_t alen = p->family == AF_INET ? 4 : 16;

	return q->auth == CFG_IKE_AUTH_PUBKEY && q->local.family == p->family &&
	       memcmp(q->local.bytes, p->local, alen) == 0;
}

/*
 * The peers IKE_SA_INIT speaks for: as initiator the SA's; as responder every peer of the
 * local address, since the IDi of IKE_AUTH has not chosen among them yet (1.2).
 */
static bool speaks_for(const struct ike_sa *sa, const struct cfg_ike_peer *q)
{
	return sa->initiator ? q == sa->peer && q->auth == CFG_IKE_AUTH_PUBKEY : pubkey_here(sa, q);
}

static bool known(uint8_t h[][IKE_CERT_KEYHASH_LEN], size_t n, const uint8_t *x)
{
	for (size_t k = 0; k < n; k++)
		if (memcmp(h[k], x, IKE_CERT_KEYHASH_LEN) == 0)
			return true;
	return false;
}

/* The key hash of every CA of q not among h[0..*n) yet, up to CERTREQ_CAS_MAX. */
static void add_hashes(const struct cfg_ike_peer *q, uint8_t h[][IKE_CERT_KEYHASH_LEN], size_t *n)
{
	const uint8_t *c;
	size_t cl, off = 0;

	while (*n < CERTREQ_CAS_MAX && ike_cert_next(q->cas, q->cas_len, &off, &c, &cl))
		if (ike_cert_keyhash(c, cl, h[*n]) == 0 && !known(h, *n, h[*n]))
			(*n)++;
}

/*
 * CERTREQ (3.7): X.509 Certificate - Signature, then the key hashes of the CAs of the peers
 * we speak for that want it sent; nothing when none does.
 */
static int write_certreq(const struct ike_sa *sa, struct ike_wr *w)
{
	const struct config *cfg = sa->ike->cfg;
	uint8_t h[CERTREQ_CAS_MAX][IKE_CERT_KEYHASH_LEN];
	size_t n = 0;
	int rc;

	for (unsigned int i = 0; i < cfg->n_ike_peers; i++)
		if (speaks_for(sa, &cfg->ike_peers[i]) && cfg->ike_peers[i].send_certreq)
			add_hashes(&cfg->ike_peers[i], h, &n);
	if (n == 0)
		return 0;
	rc = ike_wr_begin(w, IKE_PL_CERTREQ, false);
	if (rc == 0)
		rc = ike_wr_u8(w, IKE_CERT_X509_SIG);
	if (rc == 0)
		rc = ike_wr_put(w, h, n * IKE_CERT_KEYHASH_LEN);
	return rc == 0 ? ike_wr_end(w) : rc;
}

int ike_cert_sa_init(const struct ike_sa *sa, struct ike_wr *w)
{
	const struct config *cfg = sa->ike->cfg;
	uint8_t hashes[16];
	size_t n = 0;
	bool any = false;
	int rc;

	for (unsigned int i = 0; i < cfg->n_ike_peers && !any; i++)
		any = speaks_for(sa, &cfg->ike_peers[i]);
	if (!any)
		return 0;
	for (unsigned int h = 1; h < 8; h++) {
		if (IKE_SIG_HASHES_OURS & 1u << h) {
			hashes[n++] = 0;
			hashes[n++] = (uint8_t)h;
		}
	}
	rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, hashes, n);
	if (rc == 0 && !sa->initiator)
		rc = write_certreq(sa, w);
	return rc;
}

void ike_cert_peer_hashes(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *n = ike_msg_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);

	sa->sig_hashes = 0;
	for (size_t i = 0; n != NULL && i + 1 < n->u.notify.len; i += 2) {
		unsigned int h = (unsigned int)n->u.notify.data[i] << 8 | n->u.notify.data[i + 1];

		if (h < 8) /* the IDs we know are 1..5; the rest cannot be ours */
			sa->sig_hashes |= (uint8_t)(1u << h);
	}
}

/* ---- IKE_AUTH ---- */

/*
 * What one side signs (2.15): its first message, the other side's nonce, and
 * prf(SK_pi or SK_pr, its ID payload body) into maced.
 */
static int signed_octets(const struct ike_sa *sa, bool initiator, const uint8_t *id_body,
			 size_t id_len, uint8_t *maced, struct ike_chunk so[3])
{
	int rc = ike_maced_id(sa->prf, initiator ? sa->keys.sk_pi : sa->keys.sk_pr, sa->keys.d_len,
			      id_body, id_len, maced);

	so[0] = (struct ike_chunk){initiator ? sa->init_req : sa->init_resp,
				   initiator ? sa->init_req_len : sa->init_resp_len};
	so[1] = (struct ike_chunk){initiator ? sa->nr : sa->ni,
				   initiator ? sa->nr_len : sa->ni_len};
	so[2] = (struct ike_chunk){maced, ike_prf_len(sa->prf)};
	return so[0].p != NULL ? rc : -EINVAL;
}

static int write_cert(struct ike_wr *w, const uint8_t *der, size_t len)
{
	int rc = ike_wr_begin(w, IKE_PL_CERT, false);

	if (rc == 0)
		rc = ike_wr_u8(w, IKE_CERT_X509_SIG);
	if (rc == 0)
		rc = ike_wr_put(w, der, len);
	return rc == 0 ? ike_wr_end(w) : rc;
}

/*
 * Our certificate and the chain its file holds after it, in that order (3.6: the first CERT
 * holds the key that signed AUTH); -EKEYEXPIRED when ours is not valid now.
 */
static int write_certs(struct ike_sa *sa, struct ike_wr *w)
{
	const struct cfg_ike_peer *peer = sa->peer;
	char why[IKE_CERT_WHY_MAX], name[NAME_SHOW];
	const uint8_t *c;
	size_t len, off = 0;
	int rc = 0;

	if (!ike_cert_next(peer->cert, peer->cert_len, &off, &c, &len))
		return -EINVAL;
	if (ike_cert_valid_now(c, len, why, sizeof(why)) != 0) {
		ike_cert_subject_str(c, len, name, sizeof(name));
		IKE_LOG(ERR, "peer %s: our certificate \"%s\" %s: not authenticating with it",
			peer->name, name, why);
		ike_count(sa->ike, IKE_DROP_CERT_OURS);
		return -EKEYEXPIRED;
	}
	do
		rc = write_cert(w, c, len);
	while (rc == 0 && ike_cert_next(peer->cert, peer->cert_len, &off, &c, &len));
	return rc;
}

int ike_cert_auth_write(struct ike_sa *sa, const uint8_t *id_body, size_t id_len, struct ike_wr *w)
{
	const struct cfg_ike_peer *peer = sa->peer;
	uint8_t maced[IKE_PRF_MAX], sig[IKE_SIG_MAX], method = 0;
	struct ike_chunk so[3];
	size_t sl = 0;
	int rc = write_certs(sa, w);

	if (rc == 0 && sa->initiator)
		rc = write_certreq(sa, w);
	if (rc == 0)
		rc = signed_octets(sa, sa->initiator, id_body, id_len, maced, so);
	if (rc == 0)
		rc = ike_sig_sign(peer->key, peer->key_len, sa->sig_hashes, so, 3, &method, sig,
				  sizeof(sig), &sl);
	if (rc == 0)
		rc = ike_wr_auth(w, method, sig, sl);
	else if (rc != -EKEYEXPIRED)
		IKE_LOG(ERR, "peer %s: signing our AUTH failed (%d)", peer->name, rc);
	OPENSSL_cleanse(maced, sizeof(maced));
	return rc;
}

/* The first X.509 CERT payload (3.6: its key signed AUTH) and the others, as intermediates. */
static const struct ike_payload *peer_certs(const struct ike_msg *m, struct ike_chunk *im,
					    size_t *n)
{
	const struct ike_payload *p = NULL, *ee = NULL;

	*n = 0;
	while ((p = ike_msg_find(m, IKE_PL_CERT, p)) != NULL) {
		if (p->u.typed.type != IKE_CERT_X509_SIG)
			continue; /* hash and URL, raw keys...: not taken */
		if (ee == NULL)
			ee = p;
		else if (*n < IKE_CERT_CHAIN_MAX)
			im[(*n)++] = (struct ike_chunk){p->u.typed.data, p->u.typed.len};
	}
	return ee;
}

void ike_cert_id_str(uint8_t t, const uint8_t *d, size_t len, char *out, size_t cap)
{
	size_t i;

	if ((t == IKE_ID_IPV4_ADDR && len == 4) || (t == IKE_ID_IPV6_ADDR && len == 16)) {
		inet_ntop(t == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6, d, out, (socklen_t)cap);
		return;
	}
	if (t == IKE_ID_DER_ASN1_DN) {
		ike_cert_dn_str(d, len, out, cap);
		return;
	}
	if (t != IKE_ID_FQDN && t != IKE_ID_RFC822_ADDR) {
		snprintf(out, cap, "an ID of type %u", t);
		return;
	}
	for (i = 0; i < len && i < ID_SHOW && i + 1 < cap; i++)
		out[i] = d[i] >= 0x20 && d[i] < 0x7f ? (char)d[i] : '?';
	out[i] = '\0';
}

/* -1, or the reason: the chain does not end in one of our CAs, or is out of its validity. */
static int check_chain(const struct ike_sa *sa, const struct ike_payload *ee,
		       const struct ike_chunk *im, size_t n_im, const char *name, char *why,
		       size_t why_len)
{
	char r[IKE_CERT_WHY_MAX];
	const struct cfg_ike_peer *peer = sa->peer;
	int rc = ike_cert_verify_chain(ee->u.typed.data, ee->u.typed.len, im, n_im, peer->cas,
				       peer->cas_len, r, sizeof(r));

	if (rc == 0)
		return -1;
	snprintf(why, why_len, "certificate \"%s\" %s: %s", name,
		 rc == -EKEYEXPIRED ? "is out of its validity" : "is not trusted", r);
	return rc == -EKEYEXPIRED ? IKE_DROP_CERT_EXPIRED : IKE_DROP_CERT_UNTRUSTED;
}

int ike_cert_auth_check(const struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_payload *id, const struct ike_payload *auth, char *why,
			size_t why_len)
{
	struct ike_chunk im[IKE_CERT_CHAIN_MAX], so[3];
	char name[NAME_SHOW], idt[NAME_SHOW], r[IKE_CERT_WHY_MAX] = "";
	uint8_t maced[IKE_PRF_MAX];
	size_t n_im = 0;
	const struct ike_payload *ee = peer_certs(m, im, &n_im);
	int drop;

	if (ee == NULL) {
		snprintf(why, why_len, "it sent no X.509 certificate (CERT payload)");
		return IKE_DROP_CERT_UNTRUSTED;
	}
	ike_cert_subject_str(ee->u.typed.data, ee->u.typed.len, name, sizeof(name));
	drop = check_chain(sa, ee, im, n_im, name, why, why_len);
	if (drop >= 0)
		return drop;
	if (!ike_cert_has_id(ee->u.typed.data, ee->u.typed.len, id->u.typed.type, id->u.typed.data,
			     id->u.typed.len)) {
		ike_cert_id_str(id->u.typed.type, id->u.typed.data, id->u.typed.len, idt,
				sizeof(idt));
		snprintf(why, why_len, "its ID \"%s\" is not in certificate \"%s\"", idt, name);
		return IKE_DROP_CERT_ID;
	}
	drop = signed_octets(sa, !sa->initiator, id->body, id->len, maced, so) == 0 &&
			       ike_sig_verify(ee->u.typed.data, ee->u.typed.len, auth->u.typed.type,
					      auth->u.typed.data, auth->u.typed.len, so, 3, r,
					      sizeof(r)) == 0
		       ? -1
		       : IKE_DROP_AUTH;
	OPENSSL_cleanse(maced, sizeof(maced));
	if (drop >= 0)
		snprintf(why, why_len, "bad signature with certificate \"%s\": %s", name, r);
	else
		IKE_LOG(INFO, "peer %s: certificate \"%s\" trusted, AUTH %s verified",
			sa->peer->name, name, r);
	return drop;
}
