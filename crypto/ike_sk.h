/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_sk.h - protection of IKEv2 messages: the Encrypted payload (RFC 7296 section 3.14)
 * and the Encrypted Fragment payload (RFC 7383 section 2.5), sealed and opened on OpenSSL 3.
 *
 * Suites (IDs of Transform Types 1 and 3): ENCR_AES_CBC (12, RFC 3602) with 128, 192 or
 * 256-bit keys and one of AUTH_HMAC_SHA1_96 (2, RFC 2404), AUTH_HMAC_SHA2_256_128 (12),
 * _384_192 (13), _512_256 (14) (RFC 4868); ENCR_AES_GCM_16 (20, RFC 5282) with 128, 192 or
 * 256-bit keys; ENCR_CHACHA20_POLY1305 (28, RFC 7634). The AEADs take no integrity transform.
 *
 * Payload layout, from the payload's generic header at offset off of the message:
 *
 *   | generic header (4) [| Fragment Number | Total Fragments (SKF)] | IV | ciphertext | ICV |
 *     <------------------ hlen: 4 (SK) or 8 (SKF) ---------------->
 *   ciphertext = E(inner payloads | Padding | Pad Length)
 *
 * CBC: a random 16-byte IV (RAND_bytes) per message; the inner payloads are padded to the
 * block (3.14), and the ICV is the truncated HMAC of the message from the IKE header through
 * the Pad Length, i.e. everything but the ICV. AEADs: the key material ends with a 4-byte salt
 * (RFC 5282 7.1, RFC 7634 section 2); nonce = salt || 8-byte explicit IV; the IV is a per-SA
 * counter that never repeats (RFC 5282 3.1: uniqueness is all GCM needs); the AAD is the message
 * from the IKE header through the end of the payload's header (RFC 5282 5.1, RFC 7383 2.5); no
 * padding is added (a block of 1); the 16-byte tag is the ICV.
 *
 * Opening checks, in this order, each with its own reason: the payload fits the message, the
 * payload is long enough for IV, pad length and ICV (CBC: and one block), the ciphertext is
 * whole blocks (CBC), the ICV (compared in constant time, CRYPTO_memcmp, before anything is
 * decrypted; an AEAD verifies its tag as it decrypts, and nothing decrypted is looked at, or
 * left in the caller's buffer, unless the tag is good), and last the pad length.
 *
 * Invariants: a struct ike_sk holds one direction's keys (SK_ei/SK_ai or SK_er/SK_ar) and, for
 * sealing with an AEAD, its IV counter; ike_sk_wipe zeroes it all. No function keeps a pointer
 * to its arguments.
 *
 * Threads: one struct ike_sk is used by one thread at a time; vpnhub calls all of this on the
 * control lcore.
 */
#ifndef VPNHUB_CRYPTO_IKE_SK_H
#define VPNHUB_CRYPTO_IKE_SK_H

#include <stddef.h>
#include <stdint.h>

/* Transform Type 1 (Encryption Algorithm) IDs implemented here. */
enum ike_encr_id {
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

/* Transform Type 3 (Integrity Algorithm) IDs implemented here. */
enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

#define IKE_SK_HDR_LEN	    4  /* generic payload header */
#define IKE_SKF_HDR_LEN	    8  /* and Fragment Number, Total Fragments (RFC 7383 2.5) */
#define IKE_SK_IV_MAX	    16 /* AES-CBC */
#define IKE_SK_ICV_MAX	    32 /* AUTH_HMAC_SHA2_512_256 */
#define IKE_SK_SALT_LEN	    4  /* RFC 5282 7.1, RFC 7634 2 */
#define IKE_SK_KEY_MAX	    32 /* the cipher key, salt excluded */
#define IKE_SK_HMAC_KEY_MAX 64
#define IKE_HDR_LEN_OFF	    24 /* the IKE header's Length field (RFC 7296 3.1) */

/* X(suffix, errno, counter name, description) */
#define IKE_SK_ERRORS(X)                                                                           \
	X(LAYOUT, EINVAL, "sk_layout", "payload offset or length outside the message")             \
	X(SHORT, EMSGSIZE, "sk_too_short",                                                         \
	  "Encrypted payload shorter than its IV, pad length and ICV (RFC 7296 3.14)")             \
	X(ALIGN, EILSEQ, "sk_not_aligned", "ciphertext not a whole number of cipher blocks")       \
	X(ICV, EBADMSG, "sk_icv_mismatch", "integrity check value wrong")                          \
	X(PAD, EPROTO, "sk_bad_pad", "pad length beyond the decrypted data (RFC 7296 3.14)")       \
	X(IV_EXHAUSTED, EOVERFLOW, "sk_iv_exhausted", "AEAD IV counter used up: rekey the IKE SA") \
	X(TOO_LONG, E2BIG, "sk_too_long", "result longer than a payload or message can carry")     \
	X(BUF, ENOBUFS, "sk_buffer", "output buffer too small")                                    \
	X(ALG, ENOTSUP, "sk_algorithm", "transform not implemented")                               \
	X(KEY_LEN, EKEYREJECTED, "sk_key_length", "key length does not fit the transform")         \
	X(NOMEM, ENOMEM, "sk_nomem", "out of memory")                                              \
	X(LIB, EIO, "sk_library", "OpenSSL failure")

#define IKE_SK_ENUM(s, e, n, d) IKE_SK_ERR_##s,
enum ike_sk_err { IKE_SK_ERRORS(IKE_SK_ENUM) IKE_SK_ERR_MAX };
#undef IKE_SK_ENUM

extern const char *const ike_sk_err_name[IKE_SK_ERR_MAX];
extern const char *const ike_sk_err_desc[IKE_SK_ERR_MAX];

/* One direction of an IKE SA's message protection. Opaque to callers; embed it, do not copy
 * it after use (the AEAD IV counter would repeat). */
struct ike_sk {
	uint64_t next_iv;   /* AEAD sealing: the next explicit IV */
	const char *digest; /* HMAC hash (CBC suites) */
	uint16_t encr;
	uint16_t integ;
	uint8_t key_len;
	uint8_t hmac_key_len;
	uint8_t iv_len;
	uint8_t icv_len;
	uint8_t block; /* padding alignment: 16 for CBC, 1 for the AEADs */
	uint8_t aead;
	uint8_t key[IKE_SK_KEY_MAX];
	uint8_t salt[IKE_SK_SALT_LEN];
	uint8_t hmac_key[IKE_SK_HMAC_KEY_MAX];
};

/* The list index of a negative return code of this module; IKE_SK_ERR_MAX for 0 or unknown. */
enum ike_sk_err ike_sk_err_of(int rc);

/*
 * Key lengths for the key schedule (ike_sa_keys_derive): the encryption key material of encr
 * with a Key Length attribute of key_bits (0: none, which only ChaCha20-Poly1305 takes), salt
 * included, and the integrity key of integ; 0 when not implemented.
 */
size_t ike_sk_encr_key_len(uint16_t encr, uint16_t key_bits);
size_t ike_sk_integ_key_len(uint16_t integ);

/*
 * Set up one direction from the negotiated transforms and its keys: ekey is SK_e (key || salt
 * for an AEAD), akey SK_a (NULL, 0 for an AEAD). 0, or -ENOTSUP (suite), -EKEYREJECTED (a key
 * length that does not fit it). On failure sk is zeroed. The AEAD IV counter starts at 0.
 */
int ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
		const uint8_t *ekey, size_t elen, const uint8_t *akey, size_t alen);

/* Zero sk, keys and counter included. */
void ike_sk_wipe(struct ike_sk *sk);

/* IV and ICV lengths; where the plaintext goes for a payload whose header is at off. */
size_t ike_sk_iv_len(const struct ike_sk *sk);
size_t ike_sk_icv_len(const struct ike_sk *sk);
size_t ike_sk_plain_off(const struct ike_sk *sk, size_t off, size_t hlen);

/* Octets a payload with plain_len octets of inner payloads takes after its header. */
size_t ike_sk_body_len(const struct ike_sk *sk, size_t plain_len);

/*
 * Seal: msg[0..off + hlen) holds the IKE header and the payload's header (and whatever clear
 * payloads come between); plain[0..plain_len) the inner payloads (it may already sit at
 * msg + ike_sk_plain_off, or anywhere else). Writes IV, ciphertext, padding and ICV after
 * the header, sets the payload's Payload Length and the IKE header's Length, and returns the
 * message's length in *msg_len. Fails with -ENOBUFS if the result passes cap, -E2BIG if it
 * passes 65535 octets, -EOVERFLOW when the AEAD counter is used up; nothing past cap is ever
 * written.
 */
int ike_sk_protect(struct ike_sk *sk, uint8_t *msg, size_t cap, size_t off, size_t hlen,
		   const uint8_t *plain, size_t plain_len, size_t *msg_len);

/* Known-answer tests only: ike_sk_protect with the given IV (ike_sk_iv_len octets). */
int ike_sk_protect_kat(struct ike_sk *sk, const uint8_t *iv, uint8_t *msg, size_t cap, size_t off,
		       size_t hlen, const uint8_t *plain, size_t plain_len, size_t *msg_len);

/*
 * Open the payload whose header is at msg + off (its Payload Length says how long it is) in a
 * message of msg_len octets, into out[0..cap). On success *plain_len inner payload octets
 * are in out; on failure out[0..cap) is zeroed and the reason (see the top of this file) is
 * returned. The message is not modified.
 */
int ike_sk_unprotect(const struct ike_sk *sk, const uint8_t *msg, size_t msg_len, size_t off,
		     size_t hlen, uint8_t *out, size_t cap, size_t *plain_len);

#endif
