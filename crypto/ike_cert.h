/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_cert.h - X.509 certificates for IKEv2 authentication on OpenSSL 3 (RFC 7296
 * 3.5-3.7, RFC 4945 3.1, RFC 5280): PEM files turned into DER, validity, subjects and
 * identities, the CERTREQ hash of a CA, and a peer's chain verified against configured CAs. The signatures of AUTH are crypto/ike_sig.h's.
 *
 * Invariants:
 * - Everything crosses this interface as DER bytes: certificates one by one or concatenated (a
 *   CA list, a chain), private keys as PKCS#8. Nothing is kept between calls, so the config can
 *   hold plain bytes and a config that is freed leaves nothing behind here.
 * - Input is distrusted: a DER object must fill its length exactly; a certificate of the peer is
 *   parsed, never trusted, until ike_cert_verify_chain said so; text taken from a certificate
 *   (names in the reasons) is escaped to printable ASCII and bounded.
 * - PEM text handed in is the caller's to wipe; a private key read from it goes straight into
 *   the caller's buffer as PKCS#8, and OpenSSL's copies clear themselves when freed.
 *
 * No DPDK: the config loader (conf/) checks certificates with this file too.
 * Errors: 0 or a negative errno: -EBADMSG input that does not parse, -EKEYREJECTED a chain that
 * does not verify, -EKEYEXPIRED a certificate outside its validity, -ENOBUFS output that does
 * not fit, -ENOMEM and -EIO from the library. Functions with a why buffer put a one-line
 * reason there.
 *
 * Threads: any thread; vpnhub calls it from the main lcore (config) and the control lcore.
 */
#ifndef VPNHUB_CRYPTO_IKE_CERT_H
#define VPNHUB_CRYPTO_IKE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/ike_prf.h" /* struct ike_chunk */

#define IKE_CERT_KEYHASH_LEN 20	 /* SHA-1 of a SubjectPublicKeyInfo (3.7) */
#define IKE_CERT_WHY_MAX     224 /* a reason, with a certificate's name in it */
#define IKE_CERT_CHAIN_MAX   8	 /* certificates sent or received besides the end entity */

/* ---- loading (the config loader) ---- */

/*
 * Every certificate of the PEM text pem[0..len), in order, as DER one after the other into
 * der[0..cap); *der_len gets the octets, *n the count. Blocks of other PEM types are skipped.
 * -EBADMSG when there is no certificate or a certificate block does not parse.
 */
int ike_cert_pem_certs(const char *pem, size_t len, uint8_t *der, size_t cap, size_t *der_len,
		       unsigned int *n);

/*
 * The private key of the PEM text (PKCS#8, PKCS#1 RSA or SEC1 EC, not encrypted: there is no
 * one to type a passphrase) as PKCS#8 DER into der. -EBADMSG when there is none.
 */
int ike_cert_pem_key(const char *pem, size_t len, uint8_t *der, size_t cap, size_t *der_len);

/* 0 when now lies within the certificate's validity; -EKEYEXPIRED with the dates in why. */
int ike_cert_valid_now(const uint8_t *cert, size_t len, char *why, size_t why_len);

/* The subject of the certificate as a DER Name (what ID_DER_ASN1_DN carries, 3.5). */
int ike_cert_subject(const uint8_t *cert, size_t len, uint8_t *dn, size_t cap, size_t *dn_len);

/* True for a certificate whose issuer is its subject and whose signature its own key verifies. */
bool ike_cert_self_signed(const uint8_t *cert, size_t len);

/*
 * The certificate vouches for the IKE identity (type, data) of RFC 7296 3.5 (RFC 4945 3.1):
 * ID_DER_ASN1_DN equals its subject (RFC 5280 7.1 comparison), ID_FQDN a dNSName,
 * ID_RFC822_ADDR an rfc822Name (domain case-insensitive), ID_IPV4_ADDR / ID_IPV6_ADDR an
 * iPAddress of its subjectAltName. Any other type, or a malformed ID, is false.
 */
bool ike_cert_has_id(const uint8_t *cert, size_t len, uint8_t id_type, const uint8_t *id,
		     size_t id_len);

/* Two DER Names are the same by RFC 5280 7.1 (case and inner spaces aside). */
bool ike_cert_dn_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

/*
 * A distinguished name as strongSwan and `openssl -subj` order it, outermost first:
 * "C=CH, O=Example, CN=hub.example.net" (short or long attribute names, or dotted OIDs; a
 * backslash escapes the next character; '+' (multi-valued RDN) is refused), into a DER Name.
 */
int ike_cert_dn_parse(const char *s, size_t len, uint8_t *der, size_t cap, size_t *der_len,
		      char *why, size_t why_len);

/* A DER Name, or a certificate's subject, as "C=CH, O=Example, CN=hub" (escaped, truncated). */
void ike_cert_dn_str(const uint8_t *dn, size_t len, char *out, size_t cap);
void ike_cert_subject_str(const uint8_t *cert, size_t len, char *out, size_t cap);

/* ---- CERTREQ, chains ---- */

/* The next certificate of concatenated DER cas[0..len) at *off (moved past it); false at the end. */
bool ike_cert_next(const uint8_t *cas, size_t len, size_t *off, const uint8_t **cert,
		   size_t *cert_len);

/* SHA-1 of the certificate's SubjectPublicKeyInfo: a Certification Authority of CERTREQ (3.7). */
int ike_cert_keyhash(const uint8_t *cert, size_t len, uint8_t out[IKE_CERT_KEYHASH_LEN]);

/*
 * The peer's end-entity certificate ee, with the intermediates it sent (im[0..n_im)), against
 * the configured CAs (cas, concatenated DER): the self-signed ones are the trust anchors, the
 * others help build the chain. Validity is checked at the current time. -EKEYREJECTED, or
 * -EKEYEXPIRED when a certificate of the chain is out of its validity, with OpenSSL's reason,
 * the depth and the certificate's subject in why.
 */
int ike_cert_verify_chain(const uint8_t *ee, size_t ee_len, const struct ike_chunk *im, size_t n_im,
			  const uint8_t *cas, size_t cas_len, char *why, size_t why_len);

#endif
