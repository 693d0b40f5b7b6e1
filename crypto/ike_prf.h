/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_prf.h - the IKEv2 pseudorandom functions and everything keyed from them
 * (RFC 7296): the PRFs HMAC-SHA1 (ID 2, RFC 2104) and HMAC-SHA-256/384/512 (IDs 5, 6, 7,
 * RFC 4868) of Transform Type 2 (section 3.3.2), prf+ (2.13), SKEYSEED and the seven IKE SA keys
 * (2.14), SKEYSEED of a rekeyed IKE SA (2.18), Child SA KEYMAT with and without PFS (2.17), and
 * the AUTH value of a shared-key authentication (2.15).
 *
 * HMAC-MD5 (ID 1, RFC 2104) is here for IKEv1 only: its PRF is the HMAC of the negotiated hash
 * (RFC 2409 4), and a legacy peer negotiates MD5 (crypto/ikev1_kdf.c keys it through ike_prf).
 * Nothing here stops IKEv2 from using it: the config (conf/config_ike_prop.c) lets md5 into
 * the IKE proposals of IKEv1 peers with ipsec.legacy only, and IKEv2 chooses from those.
 *
 * Invariants: the output and the preferred key length of each HMAC PRF are its hash length
 * (2.13), so SK_d, SK_pi and SK_pr are that long (2.14). prf+ yields at most 255 blocks (its
 * counter is one octet). Inputs are never modified; every intermediate holding key material
 * (T blocks, the padded PSK key, the SK_* stream) is wiped with OPENSSL_cleanse on every exit,
 * and a failed call with a known PRF leaves its output zeroed.
 *
 * Errors: 0 or a negative errno: -ENOTSUP for a PRF not listed, -EMSGSIZE for a prf+ stream
 * longer than 255 blocks, -EINVAL for a length the caller's structure cannot hold, -ENOMEM and
 * -EIO from the library.
 *
 * Threads: any thread (no state is kept between calls); in vpnhub, the control lcore.
 */
#ifndef VPNHUB_CRYPTO_IKE_PRF_H
#define VPNHUB_CRYPTO_IKE_PRF_H

#include <stddef.h>
#include <stdint.h>

/* Transform Type 2 IDs (RFC 7296 3.3.2, RFC 4868 section 4). */
enum ike_prf_id {
	IKE_PRF_HMAC_MD5 = 1, /* legacy, IKEv1 only (see the top) */
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

#define IKE_PRF_MAX	    64 /* the longest PRF output (and key): HMAC-SHA-512 */
#define IKE_PRF_PLUS_BLOCKS 255
#define IKE_INTEG_KEY_MAX   64 /* AUTH_HMAC_SHA2_512_256, RFC 4868 2.1.1 */
#define IKE_ENCR_KEY_MAX    36 /* a 256-bit AEAD key and its 4-byte salt (RFC 5282 7.1) */
#define IKE_KEY_PAD	    "Key Pad for IKEv2" /* RFC 7296 2.15, 17 octets, no NUL */
#define IKE_NONCE_MIN	    16			/* RFC 7296 3.9 */
#define IKE_NONCE_MAX	    256

/* A piece of a PRF input; the input is the concatenation of the pieces in order. */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/* The seven keys of an IKE SA (RFC 7296 2.14) and their lengths. */
struct ike_sa_keys {
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX];
	uint8_t sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX];
	uint8_t sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX];
	uint8_t sk_pr[IKE_PRF_MAX];
	uint16_t prf;  /* the PRF they were made with (and SK_d is for) */
	uint8_t d_len; /* SK_d, SK_pi, SK_pr: the PRF's preferred key length */
	uint8_t a_len; /* SK_ai, SK_ar: the integrity key length (0 with an AEAD) */
	uint8_t e_len; /* SK_ei, SK_er: encryption key, AEAD salt included */
};

/* The PRF's output length (and preferred key length); 0 if not implemented. */
size_t ike_prf_len(uint16_t prf);
/* "prf-hmac-sha2-256" ...; NULL if not implemented. */
const char *ike_prf_name(uint16_t prf);

/* out[0..ike_prf_len) = prf(key, data[0] | data[1] | ... | data[n-1]). */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *data,
	    size_t n, uint8_t *out);

/* out[0..len) = the first len octets of prf+(key, seed) (RFC 7296 2.13). */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *seed,
		 size_t n, uint8_t *out, size_t len);

/* SKEYSEED = prf(Ni | Nr, g^ir) (2.14); skeyseed gets ike_prf_len(prf) octets. */
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *g_ir, size_t g_ir_len, uint8_t *skeyseed);

/*
 * Rekeyed IKE SA (2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old IKE
 * SA's PRF; the new SA's keys then come from ike_sa_keys_derive with the new SA's PRF, SPIs
 * and these nonces.
 */
int ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
		       size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, uint8_t *skeyseed);

/*
 * {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * (2.14), with SKEYSEED ike_prf_len(prf) long, integ_len the integrity key length (0 for an
 * AEAD) and encr_len the encryption key length with an AEAD's salt. -EINVAL if a length
 * exceeds IKE_INTEG_KEY_MAX / IKE_ENCR_KEY_MAX. On failure *k is zeroed.
 */
int ike_sa_keys_derive(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], size_t integ_len, size_t encr_len,
		       struct ike_sa_keys *k);

/* Zero every key in k. */
void ike_sa_keys_wipe(struct ike_sa_keys *k);

/*
 * Child SA KEYMAT (2.17): prf+(SK_d, Ni | Nr), or with PFS (g_ir not NULL)
 * prf+(SK_d, g^ir (new) | Ni | Nr), len octets. The caller takes its keys from it in the
 * order of 2.17: the initiator-to-responder SA's encryption then integrity key, then the
 * other direction's.
 */
int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
		     size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint8_t *keymat, size_t len);

/*
 * MACedIDForI/R = prf(SK_pi/pr, RestOfIDPayload) (2.15), where id_body is the ID payload
 * without its generic header (ID Type, RESERVED, Identification Data).
 */
int ike_maced_id(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		 size_t id_len, uint8_t *out);

/* What one side signs (2.15): its first message, the peer's nonce, its ID payload body. */
struct ike_signed_octets {
	const uint8_t *msg; /* RealMessage1 (initiator) or RealMessage2 (responder), whole */
	size_t msg_len;
	const uint8_t *nonce; /* NonceRData for the initiator, NonceIData for the responder */
	size_t nonce_len;
	const uint8_t *sk_p; /* SK_pi for the initiator's AUTH, SK_pr for the responder's */
	size_t sk_p_len;
	const uint8_t *id_body; /* RestOfInitIDPayload / RestOfRespIDPayload */
	size_t id_len;
};

/*
 * Shared-key AUTH data (2.15): prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>),
 * ike_prf_len(prf) octets into out.
 */
int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_signed_octets *so, uint8_t *out);

#endif
