/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/esp_xform.h - the ESP transforms: the cryptographic part of RFC 4303 (sections 2.3-2.8,
 * 3.3.2 and 3.4.4) on intel-ipsec-mb, for bursts of packets laid out by the ESP layer.
 *
 * Suites: AES-GCM with a 16-byte ICV (RFC 4106), ChaCha20-Poly1305 (RFC 7634), AES-CBC (RFC 3602)
 * and 3DES-CBC (RFC 2451, legacy) with HMAC-SHA1-96 (RFC 2404), HMAC-SHA-256-128, -384-192 or
 * -512-256 (RFC 4868) or HMAC-MD5-96 (RFC 2403, legacy), and NULL encryption (RFC 2410) with any
 * of those HMACs. Every SA has integrity: an AEAD, or an HMAC.
 *
 * Packet layout handed over by the ESP layer, in one contiguous segment:
 *
 *   esp                iv                 payload                              icv
 *   | SPI | seq_lo |   | iv_len bytes |   | data | padding | pad len | nh |   | icv_len bytes |
 *    <- 8 bytes ->                         <-------------- len -------------->
 *
 * with iv == esp + 8, payload == iv + iv_len and icv == payload + len. The HMAC covers esp ..
 * icv, and with ESN also seq_hi, which is never sent (section 2.2.1) and is hashed from the
 * first 4 bytes of the ICV area (section 3.3.2.1): the ICV space must exist on decrypt as well
 * as on encrypt. An AEAD's AAD is SPI || seq_lo, or SPI || seq_hi || seq_lo with ESN (RFC 4106
 * section 5, RFC 7634 section 2.1); its nonce is salt || IV.
 *
 * Invariants: a struct esp_xform is written only by esp_xform_init and esp_xform_wipe; after
 * init it is read-only, so any number of lcores may use one SA at once. It holds no pointer into
 * itself (it may be copied with memcpy), and it must sit on a 64-byte boundary (the type is
 * cache-aligned: embed it in a cache-aligned SA, or allocate with rte_malloc/aligned_alloc).
 * Per-packet work never expands keys and never branches on the suite: the job builders are
 * chosen at init.
 *
 * Threads: esp_xform_init and esp_xform_wipe on the control lcore (or any thread, while no
 * worker can reach the SA); esp_xform_encrypt, esp_xform_decrypt and esp_xform_iv on any lcore,
 * each with its own IMB_MGR (crypto/imb.h).
 */
#ifndef VPNHUB_CRYPTO_ESP_XFORM_H
#define VPNHUB_CRYPTO_ESP_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>

#define ESP_HDR_LEN	      8	    /* SPI and sequence number, RFC 4303 section 2 */
#define ESP_TRAILER_MIN	      2	    /* pad length and next header: the least any len can be */
#define ESP_XFORM_IV_MAX      16    /* AES-CBC */
#define ESP_XFORM_ICV_MAX     32    /* HMAC-SHA-512-256 */
#define ESP_XFORM_SALT_LEN    4	    /* RFC 4106 section 4, RFC 7634 section 2 */
#define ESP_XFORM_LEN_MAX     65535 /* longest encrypted region accepted */
#define ESP_XFORM_BURST	      32u   /* ops handed to intel-ipsec-mb per round; any n is accepted */
#define ESP_XFORM_HMAC_PAD_SZ 64    /* the largest hash state: SHA-512 */

enum esp_enc {
	ESP_ENC_NULL,		   /* RFC 2410 */
	ESP_ENC_AES_CBC,	   /* RFC 3602: 16, 24 or 32-byte key */
	ESP_ENC_AES_GCM,	   /* RFC 4106, 16-byte ICV: key || salt, 20, 28 or 36 bytes */
	ESP_ENC_CHACHA20_POLY1305, /* RFC 7634: key || salt, 36 bytes */
	ESP_ENC_3DES_CBC,	   /* RFC 2451 (legacy): 24 bytes, three distinct DES keys */
	ESP_ENC_MAX
};

enum esp_auth {
	ESP_AUTH_NONE,		  /* only with an AEAD */
	ESP_AUTH_HMAC_SHA1_96,	  /* RFC 2404: 20-byte key */
	ESP_AUTH_HMAC_SHA256_128, /* RFC 4868: 32-byte key */
	ESP_AUTH_HMAC_SHA384_192, /* RFC 4868: 48-byte key */
	ESP_AUTH_HMAC_SHA512_256, /* RFC 4868: 64-byte key */
	ESP_AUTH_HMAC_MD5_96,	  /* RFC 2403 (legacy): 16-byte key */
	ESP_AUTH_MAX
};

/* What IKE negotiated for one direction of a child SA; cold, read only by esp_xform_init. */
struct esp_xform_conf {
	enum esp_enc enc;
	const uint8_t *enc_key; /* AEADs: key || 4-byte salt (RFC 4106 8.1, RFC 7634 2) */
	size_t enc_key_len;
	enum esp_auth auth;
	const uint8_t *auth_key;
	size_t auth_key_len;
	bool esn; /* extended sequence numbers, RFC 4303 section 2.2.1 */
};

/* One packet's work; every pointer points into the packet (layout above). */
struct esp_crypto_op {
	uint8_t *esp;	  /* ESP header (SPI, seq_lo) */
	uint8_t *iv;	  /* IV, after the ESP header */
	uint8_t *payload; /* encrypted region, after the IV */
	uint32_t len;	  /* encrypted region: data + padding + pad length + next header */
	uint8_t *icv;	  /* ICV, after the encrypted region */
	uint32_t seq_hi;  /* high half of the ESN when the SA has ESN (RFC 4303 2.2.1) */
	int status;	  /* out: 0, -EBADMSG (ICV mismatch), -EINVAL (len), -EIO (library) */
};

struct esp_xform;
struct esp_op_scratch;

/* Builds the intel-ipsec-mb job for one op (chosen per SA and direction at init). */
typedef void (*esp_xform_fill_t)(IMB_JOB *job, const struct esp_xform *x, struct esp_crypto_op *op,
				 struct esp_op_scratch *s);

/*
 * Per-SA state. The first cache line is what every packet reads besides its key material;
 * nothing in the struct is written after init.
 */
struct esp_xform {
	esp_xform_fill_t fill_enc;
	esp_xform_fill_t fill_dec;
	void (*iv_gen)(const struct esp_xform *x, uint64_t seq, uint8_t *iv);
	aes_cfb_t iv_block;   /* AES-128 one-block encryption of the IV counter (CBC IVs) */
	uint32_t cipher_mode; /* IMB_CIPHER_MODE */
	uint32_t hash_alg;    /* IMB_HASH_ALG */
	uint32_t min_len;     /* shortest encrypted region accepted */
	uint32_t len_mask;    /* cipher block - 1: len & len_mask must be 0 */
	uint16_t key_len;     /* cipher key, bytes, as intel-ipsec-mb takes it */
	uint8_t iv_len;
	uint8_t icv_len;
	uint8_t pad_align; /* the encrypted region's alignment, RFC 4303 section 2.4 */
	uint8_t enc;	   /* enum esp_enc */
	uint8_t auth;	   /* enum esp_auth */
	uint8_t esn;
	uint8_t salt[ESP_XFORM_SALT_LEN];
	union {
		struct gcm_key_data gcm; /* AES-GCM: round keys and GHASH key powers */
		struct {
			uint8_t enc[16 * 15];
			uint8_t dec[16 * 15];
		} aes;		      /* AES-CBC round keys */
		uint64_t des3[3][16]; /* 3DES: three DES key schedules */
		uint8_t chacha[32];   /* ChaCha20-Poly1305 key as is */
	} k __rte_aligned(64);
	uint8_t ipad[ESP_XFORM_HMAC_PAD_SZ] __rte_aligned(64); /* hash state after key ^ ipad */
	uint8_t opad[ESP_XFORM_HMAC_PAD_SZ];		       /* hash state after key ^ opad */
	uint8_t iv_key[16 * 11] __rte_aligned(16);	       /* AES-128 round keys, CBC IVs */
} __rte_cache_aligned;

_Static_assert(offsetof(struct esp_xform, k) == RTE_CACHE_LINE_SIZE,
	       "esp_xform: the per-packet fields outgrew their cache line");
_Static_assert(sizeof(struct esp_xform) == 22 * RTE_CACHE_LINE_SIZE, "esp_xform size changed");

/*
 * Validate c and precompute the SA's key schedules, HMAC pad states and (CBC suites) a random
 * IV key drawn from RAND_bytes. Refuses (-EINVAL, reason in err) unknown suites, key lengths
 * other than the RFC's (zero included), an AEAD with an HMAC, a non-AEAD without one, and 3DES
 * keys whose parts repeat; -EIO if the library or the random source fails. On failure x is
 * zeroed. The key buffers in c are the caller's to wipe. Control lcore.
 */
int esp_xform_init(struct esp_xform *x, const struct esp_xform_conf *c, char *err, size_t errlen);

/*
 * Known-answer tests only, never for an SA: esp_xform_init without its policy. HMAC keys may
 * have any length from 1 byte (longer than a block: hashed first, RFC 2104 section 2), a
 * non-AEAD cipher may run without integrity (RFC 3602 section 4 packets), and len may be 0.
 */
int esp_xform_init_kat(struct esp_xform *x, const struct esp_xform_conf *c, char *err,
		       size_t errlen);

/* Zero the whole of x (key material included). Control lcore, after the SA is unreachable. */
void esp_xform_wipe(struct esp_xform *x);

/*
 * Encrypt and add the ICV to n packets whose IV the caller already wrote (esp_xform_iv).
 * Returns how many have status 0; a len that is not a whole number of cipher blocks, below
 * ESP_TRAILER_MIN or above ESP_XFORM_LEN_MAX gets -EINVAL. The manager must have no job in
 * flight; it has none on return. Any lcore, with its own manager.
 */
uint16_t esp_xform_encrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n);

/*
 * Verify and decrypt n packets in place; returns how many have status 0. Only those may be
 * trusted: the others' payload is undefined (an AEAD decrypts while it verifies). The ICV is
 * compared in constant time; with ESN the ICV bytes are restored after use. Any lcore.
 */
uint16_t esp_xform_decrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n);

/*
 * Write the IV of the packet with sequence number seq (64 bits with ESN): the AEADs take seq
 * itself, big-endian (RFC 4106 section 3.1, RFC 7634 section 2: unique per key); the CBC
 * suites take AES-128 of seq under the SA's random IV key, which makes IVs unpredictable
 * (RFC 4303 section 3.3.2, RFC 3602 section 3) without state shared between lcores. NULL
 * encryption has none. Any lcore.
 */
void esp_xform_iv(const struct esp_xform *x, uint64_t seq, uint8_t *iv);

size_t esp_xform_iv_len(const struct esp_xform *x);
size_t esp_xform_icv_len(const struct esp_xform *x);
/* len must be a multiple of this (and payload padded to it), RFC 4303 section 2.4. */
size_t esp_xform_pad_align(const struct esp_xform *x);

/* Names for show commands and logs ("aes-gcm-16", "hmac-sha2-256-128", ...). Any thread. */
const char *esp_enc_name(enum esp_enc enc);
const char *esp_auth_name(enum esp_auth auth);

/*
 * Known-answer tests only: one AEAD operation through the SA's own job builder, with an AAD of
 * any length (the NIST CAVP GCM files hold no 8 or 12-byte AAD). Nonce = salt || iv. Encrypt
 * writes tag; decrypt compares it. Returns 0, -EBADMSG, -EINVAL (not an AEAD SA) or -EIO.
 */
int esp_xform_aead_kat(IMB_MGR *mgr, const struct esp_xform *x, bool encrypt, const uint8_t *iv,
		       const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
		       uint8_t *tag);

#endif
