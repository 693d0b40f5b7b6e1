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
 * Memory: a struct esp_xform is one cache line that every packet reads (job builders, lengths,
 * salt, offsets) followed by the SA's key material, laid out for its suite and direction only
 * (esp_xform_size): AES-GCM the library's struct gcm_key_data, ChaCha20-Poly1305 its key, the
 * HMAC suites the cipher's round keys for the one direction (3DES: its three schedules) and the
 * HMAC pad states at the hash's state size.
 *
 * Invariants: a struct esp_xform is written only by esp_xform_init and esp_xform_wipe; after
 * init it is read-only, so any number of lcores may use one SA at once. It holds no pointer into
 * itself (its x->size bytes may be copied with memcpy), it must sit on a 64-byte boundary
 * with esp_xform_size bytes behind it (embed it last in a cache-aligned SA allocated that much
 * larger, or use union esp_xform_room). Per-packet work never expands keys and never branches
 * on the suite: the job builders are chosen at init.
 *
 * Threads: esp_xform_init and esp_xform_wipe on the control lcore (or any thread, while no
 * worker can reach the SA); the burst functions and esp_xform_iv on any lcore, each with its
 * own IMB_MGR (crypto/imb.h).
 */
#ifndef VPNHUB_CRYPTO_ESP_XFORM_H
#define VPNHUB_CRYPTO_ESP_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>

#define ESP_HDR_LEN	   8	 /* SPI and sequence number, RFC 4303 section 2 */
#define ESP_TRAILER_MIN	   2	 /* pad length and next header: the least any len can be */
#define ESP_XFORM_IV_MAX   16	 /* AES-CBC */
#define ESP_XFORM_ICV_MAX  32	 /* HMAC-SHA-512-256 */
#define ESP_XFORM_SALT_LEN 4	 /* RFC 4106 section 4, RFC 7634 section 2 */
#define ESP_XFORM_LEN_MAX  65535 /* longest encrypted region accepted */
#define ESP_XFORM_BURST	   32u	 /* ops handed to intel-ipsec-mb per round; any n is accepted */

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

/* Which way a transform is set up: an SA works one way, and keeps keys for that way only. */
enum esp_xform_dir {
	ESP_XFORM_BOTH = 0, /* encrypt and decrypt: known-answer tests, a test peer */
	ESP_XFORM_ENC,	    /* an outbound SA */
	ESP_XFORM_DEC,	    /* an inbound SA */
	ESP_XFORM_DIR_MAX
};

/* What IKE negotiated for one direction of a child SA; cold, read only by esp_xform_init. */
struct esp_xform_conf {
	enum esp_enc enc;
	const uint8_t *enc_key; /* AEADs: key || 4-byte salt (RFC 4106 8.1, RFC 7634 2) */
	size_t enc_key_len;
	enum esp_auth auth;
	const uint8_t *auth_key;
	size_t auth_key_len;
	bool esn;		/* extended sequence numbers, RFC 4303 section 2.2.1 */
	enum esp_xform_dir dir; /* zero (a memset conf): both */
};

/* One packet's work; every pointer points into the packet (layout above). */
struct esp_crypto_op {
	uint8_t *esp;	  /* ESP header (SPI, seq_lo) */
	uint8_t *iv;	  /* IV, after the ESP header */
	uint8_t *payload; /* encrypted region, after the IV */
	uint32_t len;	  /* encrypted region: data + padding + pad length + next header */
	uint8_t *icv;	  /* ICV, after the encrypted region */
	uint32_t seq_hi;  /* high half of the ESN when the SA has ESN (RFC 4303 2.2.1) */
	int status;	  /* out: 0, -EBADMSG (ICV mismatch), -EINVAL (len, direction), -EIO */
};

struct esp_xform;
struct esp_op_scratch;

/* Builds the intel-ipsec-mb job for one op (chosen per SA and direction at init). */
typedef void (*esp_xform_fill_t)(IMB_JOB *job, const struct esp_xform *x, struct esp_crypto_op *op,
				 struct esp_op_scratch *s);

/*
 * Per-SA state: one cache line that every packet reads, then the key material (keys[], at the
 * offsets below, sized by esp_xform_size). Nothing in it is written after init.
 */
struct esp_xform {
	esp_xform_fill_t fill[2]; /* [0] encrypt, [1] decrypt; NULL: not set up that way */
	void (*iv_gen)(const struct esp_xform *x, uint64_t seq, uint8_t *iv);
	uint16_t key_len;    /* cipher key, bytes, as intel-ipsec-mb takes it */
	uint16_t size;	     /* esp_xform_size: this line and keys[] */
	uint16_t off_enc;    /* in keys[]: AES encryption round keys, 3DES schedules, AEAD key */
	uint16_t off_dec;    /* AES decryption round keys */
	uint16_t off_ipad;   /* hash state after key ^ ipad (RFC 2104 section 2) */
	uint16_t off_opad;   /* hash state after key ^ opad */
	uint8_t cipher_mode; /* IMB_CIPHER_MODE */
	uint8_t hash_alg;    /* IMB_HASH_ALG */
	uint8_t min_len;     /* shortest encrypted region accepted */
	uint8_t len_mask;    /* cipher block - 1: len & len_mask must be 0 */
	uint8_t iv_len;
	uint8_t icv_len;
	uint8_t pad_align; /* the encrypted region's alignment, RFC 4303 section 2.4 */
	uint8_t enc;	   /* enum esp_enc */
	uint8_t auth;	   /* enum esp_auth */
	uint8_t esn;
	uint8_t dir; /* enum esp_xform_dir */
	uint8_t gcm; /* AES-GCM: 1, 2, 3 for 16, 24, 32-byte keys (direct call, key lines); else 0 */
	uint8_t salt[ESP_XFORM_SALT_LEN];
	uint8_t iv_rand[8]; /* outbound CBC: random part of the IV nonces (esp_xform_iv) */
	uint8_t keys[] __rte_aligned(RTE_CACHE_LINE_SIZE);
} __rte_cache_aligned;

_Static_assert(sizeof(struct esp_xform) == RTE_CACHE_LINE_SIZE &&
		       offsetof(struct esp_xform, keys) == RTE_CACHE_LINE_SIZE,
	       "esp_xform: the per-packet fields outgrew their cache line");

/* The largest transform: AES-GCM's key data behind the header (checked in esp_xform.c). */
#define ESP_XFORM_SIZE_MAX \
	RTE_ALIGN_CEIL(RTE_CACHE_LINE_SIZE + sizeof(struct gcm_key_data), RTE_CACHE_LINE_SIZE)

/*
 * The lines of x's keys[] (bit l: bytes 64 l .. 64 l + 63) that the library reads for an
 * encrypted region of len bytes, so that a burst over many SAs can ask for them ahead. AES-GCM's
 * key data is 16 lines, and a short packet reads a few: the round keys and the lowest powers of
 * the hash key. Which ones depends on the library's build and the CPU's code path, so the first
 * esp_xform_init of each AES-GCM key length measures them (the SA's jobs run again on a copy
 * whose other lines are overwritten; the output must not change). Every line for the other
 * suites, long regions, or when no smaller set gave the same output. A prefetch hint only: a
 * line left out costs a miss, never a wrong result. Any thread, after x's init.
 */
uint16_t esp_xform_key_lines(const struct esp_xform *x, uint32_t len);

/* Room for any transform outside an SA (tests, a test peer): use &room.x. */
union esp_xform_room {
	struct esp_xform x;
	uint8_t bytes[ESP_XFORM_SIZE_MAX];
};

/*
 * Bytes a transform for c takes, header and key material, a multiple of 64; the header alone
 * when c's suite, direction or cipher key length is unknown (esp_xform_init refuses those).
 * Any thread.
 */
size_t esp_xform_size(const struct esp_xform_conf *c);

/*
 * Validate c and precompute, for c->dir, the SA's key schedules and HMAC pad states (and, CBC
 * outbound, 8 random bytes for the IV nonces from RAND_bytes) into esp_xform_size(c) bytes at x.
 * Refuses (-EINVAL, reason in err) unknown suites or directions, key lengths other than the
 * RFC's (zero included), an AEAD with an HMAC, a non-AEAD without one, and 3DES keys whose parts
 * repeat; -EIO if the library or the random source fails. On failure those bytes are zeroed.
 * The key buffers in c are the caller's to wipe. Control lcore.
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
 * Encrypt and add the ICV to n packets whose IV field the caller already wrote (esp_xform_iv;
 * CBC suites encrypt that field, the nonce, into the IV sent: see esp_xform_iv).
 * Returns how many have status 0; a len that is not a whole number of cipher blocks, below
 * ESP_TRAILER_MIN or above ESP_XFORM_LEN_MAX gets -EINVAL, and so does every op of a transform
 * set up for decryption only. The manager must have no job in flight; it has none on return.
 * Any lcore, with its own manager.
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
 * The same for n ops of any mix of SAs, op i under xs[i]: one job loop and one flush per
 * ESP_XFORM_BURST ops whatever the SAs, so that multi-buffer suites (CBC + HMAC) fill their
 * lanes across SAs. Ops complete in any order; each op's status is its own. Any lcore.
 */
uint16_t esp_xform_encrypt_multi(IMB_MGR *mgr, const struct esp_xform *const xs[],
				 struct esp_crypto_op *ops, uint16_t n);
uint16_t esp_xform_decrypt_multi(IMB_MGR *mgr, const struct esp_xform *const xs[],
				 struct esp_crypto_op *ops, uint16_t n);

/*
 * Write the IV field of the packet with sequence number seq (64 bits with ESN). The AEADs take
 * seq itself, big-endian (RFC 4106 section 3.1, RFC 7634 section 2: unique per key). The CBC
 * suites need unpredictable IVs (RFC 4303 section 3.3.2, RFC 3602 section 3): the field gets a
 * nonce (8 random bytes of the SA || seq for AES, their XOR for 3DES's 8-byte block), which the
 * encryption replaces with E_K(nonce) under the SA's own key (NIST SP 800-38A appendix C), so
 * nothing is shared between lcores and no second key is kept. NULL encryption has none. Any
 * lcore.
 */
static inline void esp_xform_iv(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	x->iv_gen(x, seq, iv);
}

/* Per-packet sizes, inline: the ESP layer reads them for every packet. Any lcore. */
static inline size_t esp_xform_iv_len(const struct esp_xform *x)
{
	return x->iv_len;
}

static inline size_t esp_xform_icv_len(const struct esp_xform *x)
{
	return x->icv_len;
}

/* len must be a multiple of this (and payload padded to it), RFC 4303 section 2.4. */
static inline size_t esp_xform_pad_align(const struct esp_xform *x)
{
	return x->pad_align;
}

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
