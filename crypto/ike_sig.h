/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_sig.h - the signatures of IKEv2 AUTH on OpenSSL 3 (RFC 7296 2.15 and 3.8,
 * RFC 4754, RFC 7427): a private key checked against its certificate, AUTH data signed over the
 * signed octets of RFC 7296 2.15 and verified with a certificate's public key; and IKEv1's
 * SIG_I / SIG_R (RFC 2409 5.1), which sign the octets of HASH_I / HASH_R as they are.
 *
 * Invariants:
 * - We sign with method 14, Digital Signature (RFC 7427 3), whose data is a length octet, the
 *   ASN.1 AlgorithmIdentifier, then the signature: RSASSA-PSS (MGF1 with the same hash, salt as
 *   long as the hash) for RSA keys, ECDSA (a DER Ecdsa-Sig-Value) for EC keys, with a hash the
 *   peer announced in SIGNATURE_HASH_ALGORITHMS (RFC 7427 4). A peer that announced none gets
 *   the methods of RFC 7296 and RFC 4754: 1 (RSA PKCS#1 v1.5 with SHA-1), 9 or 10 (ECDSA
 *   P-256/SHA-256, P-384/SHA-384, r | s).
 * - Verification accepts method 14 with RSASSA-PSS, RSA PKCS#1 v1.5 or ECDSA and a hash we
 *   announced (never SHA-1 there), and methods 1, 9 and 10. The AlgorithmIdentifier is parsed,
 *   not compared as bytes, so equivalent encodings (RSA's NULL parameters left out) pass.
 * - Keys: RSA of 2048 to 8192 bits, EC on P-256 or P-384; anything else is refused, ours at
 *   load time and the peer's at verification.
 * - Everything crosses this interface as DER (certificates, PKCS#8 keys); nothing is kept
 *   between calls; a private key is parsed only for the call that signs with it.
 *
 * No DPDK: the config loader (conf/) checks keys with this file too.
 * Errors: 0 or a negative errno: -EBADMSG input that does not parse, -ENOTSUP a key type,
 * method or hash not implemented, -EKEYREJECTED a key or signature that does not verify,
 * -ENOBUFS output that does not fit, -EIO from the library. why, when given, gets one line.
 *
 * Threads: any thread; vpnhub calls it from the main lcore (config) and the control lcore.
 */
#ifndef VPNHUB_CRYPTO_IKE_SIG_H
#define VPNHUB_CRYPTO_IKE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/ike_prf.h" /* struct ike_chunk */

#define IKE_N_SIGNATURE_HASH_ALGORITHMS 16431 /* Notify type, RFC 7427 4 */

/* Hash Algorithm Identifiers of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4, IANA). */
enum ike_sig_hash {
	IKE_SIG_HASH_SHA1 = 1,
	IKE_SIG_HASH_SHA2_256 = 2,
	IKE_SIG_HASH_SHA2_384 = 3,
	IKE_SIG_HASH_SHA2_512 = 4,
};

/* What we announce and accept in method 14: bit n set for hash n (SHA-1 is not among them). */
#define IKE_SIG_HASHES_OURS \
	(1u << IKE_SIG_HASH_SHA2_256 | 1u << IKE_SIG_HASH_SHA2_384 | 1u << IKE_SIG_HASH_SHA2_512)

/* AUTH methods with signatures (RFC 7296 3.8, RFC 4754 7, RFC 7427 3). */
enum ike_sig_method {
	IKE_AUTH_RSA_SIG = 1,	   /* PKCS#1 v1.5 with SHA-1 */
	IKE_AUTH_ECDSA_P256 = 9,   /* SHA-256 on P-256, r | s */
	IKE_AUTH_ECDSA_P384 = 10,  /* SHA-384 on P-384, r | s */
	IKE_AUTH_DIGITAL_SIG = 14, /* length, AlgorithmIdentifier, signature */
};

#define IKE_SIG_MAX 1100 /* AUTH data: 1 + AlgorithmIdentifier (< 80) + an RSA-8192 signature */

/* The types of key vpnhub signs with (IKEv1 negotiates its method by them: RFC 4754 8). */
enum ike_sig_key {
	IKE_SIG_KEY_NONE = 0,
	IKE_SIG_KEY_RSA, /* 2048..8192 bits */
	IKE_SIG_KEY_P256,
	IKE_SIG_KEY_P384,
};

/*
 * The PKCS#8 key is one we sign with (RSA 2048..8192 bits, EC P-256 or P-384: else -ENOTSUP)
 * and the private half of the certificate's public key (else -EKEYREJECTED).
 */
int ike_sig_key_check(const uint8_t *cert, size_t cert_len, const uint8_t *key, size_t key_len,
		      char *why, size_t why_len);

/*
 * Sign the octets so[0..n) (their concatenation is RFC 7296 2.15's SignedOctets) with the
 * PKCS#8 key: method 14 with a hash of peer_hashes (bit n = hash n, from the peer's
 * SIGNATURE_HASH_ALGORITHMS), else the legacy method of the key type. *method gets the AUTH
 * method, out[0..*out_len) the Authentication Data.
 */
int ike_sig_sign(const uint8_t *key, size_t key_len, unsigned int peer_hashes,
		 const struct ike_chunk *so, size_t n, uint8_t *method, uint8_t *out, size_t cap,
		 size_t *out_len);

/*
 * Verify AUTH method and data[0..len) over so[0..n) with the public key of cert. why names the
 * signature scheme ("RSASSA-PSS SHA2-256 (AUTH method 14)") on success, the failure otherwise.
 */
int ike_sig_verify(const uint8_t *cert, size_t cert_len, uint8_t method, const uint8_t *data,
		   size_t len, const struct ike_chunk *so, size_t n, char *why, size_t why_len);

/* ---- IKEv1: the hash signed as it is (RFC 2409 5.1) ---- */

/* The type of the PKCS#8 private key; IKE_SIG_KEY_NONE when it does not parse or is another. */
enum ike_sig_key ike_sig_key_type(const uint8_t *key, size_t key_len);

/*
 * SIG_I / SIG_R: sign hash[0..len) (HASH_I or HASH_R, 1..64 octets) itself, not a digest of it.
 * RSA: an EMSA-PKCS1-v1_5 block of type 1 holding the octets without a DigestInfo, what
 * RSA_private_encrypt makes (RFC 2409 5.1 leaves the encoding to PKCS #1; strongSwan and Cisco
 * sign so); as long as the modulus. EC: ECDSA taking the octets as the digest, the signature
 * r | s, each as long as the curve's field (RFC 4754 7): 64 octets on P-256, 96 on P-384.
 */
int ike_sig_sign_hash(const uint8_t *key, size_t key_len, const uint8_t *hash, size_t len,
		      uint8_t *out, size_t cap, size_t *out_len);

/*
 * Verify such a signature sig[0..sig_len) over hash[0..len) with the public key of cert, which
 * must be of type want (the negotiated method's: else -EKEYREJECTED). why names the scheme on
 * success ("ECDSA P-256"), the failure otherwise.
 */
int ike_sig_verify_hash(const uint8_t *cert, size_t cert_len, enum ike_sig_key want,
			const uint8_t *hash, size_t len, const uint8_t *sig, size_t sig_len,
			char *why, size_t why_len);

#endif
