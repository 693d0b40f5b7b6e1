/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ikev1_kdf.h - IKEv1's keys (RFC 2409 5 and Appendix B): SKEYID for signatures and for
 * pre-shared keys, SKEYID_d, SKEYID_a and SKEYID_e, the encryption key stretched from SKEYID_e
 * when the cipher needs more, the Phase 1 IV, HASH_I and HASH_R, and Quick Mode's KEYMAT
 * (RFC 2409 5.5) with and without PFS. The prf is HMAC with the negotiated hash (RFC 2409 5:
 * "HMAC version of the negotiated hash"), given as IKEv2's PRF IDs of crypto/ike_prf.h.
 *
 * Invariants: as ike_prf.h's; every intermediate holding key material is wiped on every exit.
 * Errors: 0 or a negative errno (-ENOTSUP, -EINVAL, -EMSGSIZE, -ENOMEM, -EIO).
 * Threads: any; no state between calls.
 */
#ifndef VPNHUB_CRYPTO_IKEV1_KDF_H
#define VPNHUB_CRYPTO_IKEV1_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/ike_prf.h"

/* SKEYID of signature authentication: prf(Ni_b | Nr_b, g^xy). out: ike_prf_len(prf) octets. */
int ikev1_skeyid_sig(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, const uint8_t *gxy, size_t gxy_len, uint8_t *out);
/* SKEYID of pre-shared keys: prf(pre-shared-key, Ni_b | Nr_b). */
int ikev1_skeyid_psk(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
		     size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out);
/*
 * SKEYID_d, SKEYID_a, SKEYID_e (RFC 2409 5):
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * each ike_prf_len(prf) octets.
 */
int ikev1_skeyid_dae(uint16_t prf, const uint8_t *skeyid, const uint8_t *gxy, size_t gxy_len,
		     const uint8_t cky_i[8], const uint8_t cky_r[8], uint8_t *d, uint8_t *a,
		     uint8_t *e);
/*
 * The cipher key from SKEYID_e (Appendix B): its first len octets when long enough, else
 * K1 | K2 | ... with K1 = prf(SKEYID_e, 0) (one zero octet), Kn = prf(SKEYID_e, Kn-1).
 */
int ikev1_enc_key(uint16_t prf, const uint8_t *skeyid_e, uint8_t *key, size_t len);
/* MD5's PRF ID (HMAC-MD5, RFC 2104), the legacy hash of IKEv1 (IKEv2 has it as ID 1 too). */
#define IKEV1_HASH_MD5_PRF 1
/* out = hash(data[0] | ... | data[n-1]) with the hash of HMAC prf (NAT-D, RFC 3947 3.2; the
 * IVs of Appendix B); returns its length or < 0. */
int ikev1_hash(uint16_t prf, const struct ike_chunk *data, size_t n, uint8_t *out);
/* The Phase 1 IV: the first block_len octets of hash(g^xi | g^xr) (Appendix B). */
int ikev1_phase1_iv(uint16_t prf, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		    size_t gxr_len, uint8_t *iv, size_t block_len);
/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), and HASH_R the same
 * with g^xr | g^xi | CKY-R | CKY-I and IDir_b (RFC 2409 5): pass the values in that order.
 */
int ikev1_hash_auth(uint16_t prf, const uint8_t *skeyid, const uint8_t *g1, size_t g1_len,
		    const uint8_t *g2, size_t g2_len, const uint8_t cky1[8], const uint8_t cky2[8],
		    const uint8_t *sa_b, size_t sa_len, const uint8_t *id_b, size_t id_len,
		    uint8_t *out);
/*
 * Quick Mode KEYMAT (RFC 2409 5.5) for one SA direction: K1 | K2 | ..., the first len octets,
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * gqm NULL: without PFS. spi: 4 octets, network order.
 */
int ikev1_qm_keymat(uint16_t prf, const uint8_t *skeyid_d, const uint8_t *gqm, size_t gqm_len,
		    uint8_t protocol, const uint8_t spi[4], const uint8_t *ni, size_t ni_len,
		    const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len);

#endif
