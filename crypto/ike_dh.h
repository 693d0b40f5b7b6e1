/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_dh.h - the IKEv2 key exchange (RFC 7296 sections 1.2, 2.14 and 3.4) on OpenSSL 3:
 * MODP groups 14, 15 and 16 (RFC 3526), ECP groups 19, 20 and 21 (RFC 5903) and Curve25519,
 * group 31 (RFC 8031). Group numbers are the IANA Transform Type 4 IDs.
 *
 * The legacy MODP groups 2 (RFC 2409 6.2, 1024 bits) and 5 (RFC 3526 2, 1536 bits) are here for
 * IKEv1 Phase 1 with old peers; the config (conf/config_ike_prop.c) lets them into the IKE
 * proposals of IKEv1 peers with ipsec.legacy only, and both IKE versions choose groups from
 * the config, so IKEv2 never negotiates them. Their public values get the same checks.
 *
 * KE data on the wire (RFC 7296 3.4): MODP, the public value g^x mod p, big-endian, left-padded
 * with zeros to the length of the prime; ECP, x || y, each coordinate big-endian and as long as
 * the field (RFC 5903 section 7); Curve25519, the 32-byte u-coordinate of RFC 7748 section 5.
 * The shared secret handed to the PRF: MODP, g^ir padded to the length of the prime (RFC 7296
 * 2.14); ECP, the x coordinate of the shared point (RFC 5903 section 7); Curve25519, the X25519
 * output (RFC 8031 section 2).
 *
 * Received values are checked before any work with them (RFC 6989): the length the group asks
 * for; MODP 1 < y < p-1 (section 2.1; the RFC 2409 and RFC 3526 primes are safe primes, so that
 * is the whole test); ECP both coordinates below p, not the all-zero encoding of the point at infinity, and
 * on the curve (section 2.3; the three curves have cofactor 1); Curve25519, an X25519 output
 * that is not all zero, which is what a low-order peer value gives (RFC 8031 section 2.2,
 * RFC 7748 section 6.1).
 *
 * Errors: every failure is its own negative errno, listed once in IKE_DH_ERRORS with a counter
 * name and a description; ike_dh_err_of() turns a return code into the list's index so that the
 * caller can count by reason.
 *
 * Secrets: a private key lives only inside its EVP_PKEY (OpenSSL clears it on free); every
 * temporary copy of a secret is wiped with OPENSSL_cleanse on every exit, and a failed derive
 * leaves the caller's output buffer zeroed.
 *
 * Threads: the control lcore (or any one thread per struct ike_dh); nothing here is called on
 * the fast path. The functions keep no state between calls besides the key itself.
 */
#ifndef VPNHUB_CRYPTO_IKE_DH_H
#define VPNHUB_CRYPTO_IKE_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transform Type 4 (Key Exchange Method) IDs implemented here. */
enum ike_dh_group {
	IKE_DH_MODP1024 = 2,   /* RFC 2409 section 6.2; legacy, IKEv1 only */
	IKE_DH_MODP1536 = 5,   /* RFC 3526 section 2; legacy, IKEv1 only */
	IKE_DH_MODP2048 = 14,  /* RFC 3526 section 3 */
	IKE_DH_MODP3072 = 15,  /* RFC 3526 section 4 */
	IKE_DH_MODP4096 = 16,  /* RFC 3526 section 5 */
	IKE_DH_ECP256 = 19,    /* RFC 5903 section 3.1 */
	IKE_DH_ECP384 = 20,    /* RFC 5903 section 3.2 */
	IKE_DH_ECP521 = 21,    /* RFC 5903 section 3.3 */
	IKE_DH_CURVE25519 = 31 /* RFC 8031 */
};

#define IKE_DH_KE_MAX	  512 /* MODP 4096: the longest KE data */
#define IKE_DH_SECRET_MAX 512 /* and the longest shared secret */

/* X(suffix, errno, counter name, description) */
#define IKE_DH_ERRORS(X)                                                                         \
	X(GROUP, ENOTSUP, "dh_group_unsupported", "key exchange group not implemented")          \
	X(KE_LEN, EMSGSIZE, "dh_ke_length", "KE data length wrong for the group (RFC 7296 3.4)") \
	X(MODP_RANGE, ERANGE, "dh_modp_range",                                                   \
	  "MODP public value not in 1 < y < p-1 (RFC 6989 2.1)")                                 \
	X(ECP_RANGE, EOVERFLOW, "dh_ecp_range",                                                  \
	  "ECP coordinate not below the field prime (RFC 6989 2.3)")                             \
	X(ECP_INFINITY, ENXIO, "dh_ecp_infinity",                                                \
	  "ECP public value is the point at infinity (RFC 6989 2.3)")                            \
	X(ECP_OFF_CURVE, EDOM, "dh_ecp_off_curve",                                               \
	  "ECP public value not on the curve (RFC 6989 2.3)")                                    \
	X(X25519_ZERO, EKEYREJECTED, "dh_x25519_zero",                                           \
	  "Curve25519 shared secret all zero: low-order peer value (RFC 8031 2.2)")              \
	X(BUF, ENOBUFS, "dh_buffer", "output buffer too small")                                  \
	X(NOMEM, ENOMEM, "dh_nomem", "out of memory")                                            \
	X(ARG, EINVAL, "dh_argument", "invalid argument")                                        \
	X(LIB, EIO, "dh_library", "OpenSSL failure")

#define IKE_DH_ENUM(s, e, n, d) IKE_DH_ERR_##s,
enum ike_dh_err { IKE_DH_ERRORS(IKE_DH_ENUM) IKE_DH_ERR_MAX };
#undef IKE_DH_ENUM

extern const char *const ike_dh_err_name[IKE_DH_ERR_MAX];
extern const char *const ike_dh_err_desc[IKE_DH_ERR_MAX];

struct ike_dh;

/* The list index of a negative return code of this module; IKE_DH_ERR_MAX for 0 or unknown. */
enum ike_dh_err ike_dh_err_of(int rc);

/* Facts about a group; 0 / NULL / false for a group not implemented. Any thread. */
bool ike_dh_supported(uint16_t group);
size_t ike_dh_ke_len(uint16_t group);	  /* KE data length */
size_t ike_dh_secret_len(uint16_t group); /* shared secret length */
const char *ike_dh_group_name(uint16_t group);

/*
 * A fresh ephemeral private key for group in *out (RFC 7296 2.12 allows reuse; we never do).
 * 0, -ENOTSUP (group), -ENOMEM or -EIO. Free with ike_dh_free.
 */
int ike_dh_new(uint16_t group, struct ike_dh **out);

/*
 * Known-answer tests only: the key whose private value is priv (big-endian scalar for ECP and
 * MODP, RFC 7748 byte string for Curve25519). Never for a real exchange.
 */
int ike_dh_new_kat(uint16_t group, const uint8_t *priv, size_t priv_len, struct ike_dh **out);

/* Frees the key (NULL is fine). */
void ike_dh_free(struct ike_dh *dh);

uint16_t ike_dh_group(const struct ike_dh *dh);

/* Our KE data into out; returns its length (ike_dh_ke_len) or -ENOBUFS / -EIO. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap);

/*
 * The RFC 6989 checks of a peer's KE data for group, without key material: 0 or the reason
 * (KE_LEN, MODP_RANGE, ECP_RANGE, ECP_INFINITY, ECP_OFF_CURVE, GROUP). Curve25519 values can
 * only be judged by the exchange (ike_dh_derive). Lets a responder refuse before any DH work.
 */
int ike_dh_check_peer(uint16_t group, const uint8_t *ke, size_t len);

/*
 * The shared secret with the peer's KE data into secret; returns its length
 * (ike_dh_secret_len) or a negative reason: the ike_dh_check_peer reasons, X25519_ZERO, BUF,
 * NOMEM, LIB. On failure secret[0..cap) is zeroed.
 */
int ike_dh_derive(const struct ike_dh *dh, const uint8_t *ke, size_t len, uint8_t *secret,
		  size_t cap);

#endif
