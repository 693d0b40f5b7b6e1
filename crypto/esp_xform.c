/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/esp_xform.c - the ESP transforms on intel-ipsec-mb (see esp_xform.h).
 *
 * Init (control lcore) validates the suite against the RFCs' key sizes and precomputes all key
 * material with a manager of its own (one per process, behind a mutex, never used by workers);
 * key schedules are built by the code path init_mb_mgr_auto picks, the one every worker's
 * manager (crypto_imb_mgr_create) runs. Init also picks, per direction, the job builder that
 * fits the suite family and the ESN setting, so a packet costs one indirect call and no branch
 * on the suite.
 *
 * Key material sits behind the transform's header line, laid out per suite and direction by
 * layout(); the builders find it at offsets from x->keys, so a transform is position-free.
 *
 * Bursts: AES-GCM ops go to the library's direct functions, one call each (gcm_call: a GCM job
 * runs synchronously anyway, and filling, dispatching and collecting it cost more than the
 * cipher at 64 bytes). The other suites' ops go ESP_XFORM_BURST at a time through the job API,
 * each job with the keys of its op's own transform, so one round may mix SAs and suites. Key
 * lines are asked for a few ops ahead, as they are cold when a burst mixes many SAs. Each job's
 * user_data points at its op's scratch, because the library returns jobs when their lane
 * completes, not in submission order. Every round ends with one flush, so the manager is empty between calls.
 * Decryption computes the ICV into scratch and compares it with the received one in constant
 * time.
 *
 * Jobs are submitted unchecked (the library's argument checks cost about a third of a 64-byte
 * GCM packet): what varies per packet, len, is checked here, and init proves the SA's job shape
 * once by running one packet each way it works through the checked submit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_prefetch.h>

#include "crypto/esp_xform.h"
#include "crypto/imb.h"

#define AEAD_NONCE_LEN 12 /* salt || IV, RFC 4106 section 4, RFC 7634 section 2 */
#define AEAD_ICV_LEN   16
#define HMAC_BLOCK_MAX 128 /* SHA-384/512 block */

/* Per-op scratch on the worker's stack, for one round. */
struct esp_op_scratch {
	uint8_t nonce[16];		 /* AEAD: salt || IV */
	uint8_t aad[16];		 /* AEAD with ESN: SPI || seq_hi || seq_lo */
	uint8_t tag[ESP_XFORM_ICV_MAX];	 /* decrypt: the ICV computed */
	uint8_t rcvd[ESP_XFORM_ICV_MAX]; /* decrypt with ESN: the ICV received */
	const void *ks[3];		 /* 3DES: the three key schedules */
	const uint8_t *expect;		 /* decrypt: the received ICV to compare with */
	struct esp_crypto_op *op;
	uint8_t icv_len;
	uint8_t restore; /* decrypt with ESN: ICV bytes to put back from rcvd */
};

_Static_assert(offsetof(IMB_JOB, u.GCM.aad) == offsetof(IMB_JOB, u.CHACHA20_POLY1305.aad) &&
		       offsetof(IMB_JOB, u.GCM.aad_len_in_bytes) ==
			       offsetof(IMB_JOB, u.CHACHA20_POLY1305.aad_len_in_bytes),
	       "the AEAD builders set the AAD of both through u.GCM");

enum family { FAM_HMAC, FAM_DES3, FAM_AEAD, FAM_MAX };

/* Key material, bytes (3DES: three schedules; AES: round keys of one direction, by key length) */
#define DES3_KEYS_LEN	   (3 * IMB_DES_KEY_SCHED_SIZE)
#define AES_KEYS_LEN(klen) (16u * ((klen) / 4u + 7u)) /* Nr + 1 round keys, FIPS 197 5.1 */
#define AES_KEYS_MAX	   AES_KEYS_LEN(32u)
#define CHACHA_KEY_LEN	   32u
#define HASH_STATE_MAX	   64u /* SHA-384/512: eight 64-bit words */

_Static_assert(IMB_CIPHER_NUM <= UINT8_MAX && IMB_AUTH_NUM <= UINT8_MAX,
	       "esp_xform keeps the library's cipher and hash ids in a byte");

struct enc_desc {
	const char *name;
	IMB_CIPHER_MODE mode;
	IMB_HASH_ALG aead_hash; /* the AEAD's own tag; 0 for the others */
	uint8_t key_len[3];	/* accepted cipher key lengths, salt excluded; 0 ends */
	uint8_t iv_len;
	uint8_t block; /* cipher block (1: a stream) */
	uint8_t align; /* encrypted region alignment: block, at least 4 (RFC 4303 2.4) */
	enum family fam;
	const char *rfc;
};

static const struct enc_desc encs[ESP_ENC_MAX] = {
	[ESP_ENC_NULL] = {"null", IMB_CIPHER_NULL, 0, {0}, 0, 1, 4, FAM_HMAC, "RFC 2410"},
	[ESP_ENC_AES_CBC] =
		{"aes-cbc", IMB_CIPHER_CBC, 0, {16, 24, 32}, 16, 16, 16, FAM_HMAC, "RFC 3602"},
	[ESP_ENC_AES_GCM] = {"aes-gcm-16",
			     IMB_CIPHER_GCM,
			     IMB_AUTH_AES_GMAC,
			     {16, 24, 32},
			     8,
			     1,
			     4,
			     FAM_AEAD,
			     "RFC 4106 section 8.1"},
	[ESP_ENC_CHACHA20_POLY1305] = {"chacha20-poly1305",
				       IMB_CIPHER_CHACHA20_POLY1305,
				       IMB_AUTH_CHACHA20_POLY1305,
				       {32},
				       8,
				       1,
				       4,
				       FAM_AEAD,
				       "RFC 7634 section 2"},
	[ESP_ENC_3DES_CBC] = {"3des-cbc", IMB_CIPHER_DES3, 0, {24}, 8, 8, 8, FAM_DES3, "RFC 2451"},
};

struct auth_desc {
	const char *name;
	IMB_HASH_ALG alg;
	uint8_t key_len; /* RFC key length; keys of other lengths are refused */
	uint8_t icv_len;
	uint8_t block;
	uint8_t state;		   /* bytes of an ipad/opad hash state the library reads */
	size_t one_block;	   /* offset in IMB_MGR of the one-block hash */
	const EVP_MD *(*md)(void); /* for HMAC keys longer than a block (KAT only) */
	const char *rfc;
};

static const struct auth_desc auths[ESP_AUTH_MAX] = {
	[ESP_AUTH_NONE] = {"none", IMB_AUTH_NULL, 0, 0, 0, 0, 0, NULL, "RFC 4303 section 3.2"},
	[ESP_AUTH_HMAC_SHA1_96] = {"hmac-sha1-96", IMB_AUTH_HMAC_SHA_1, 20, 12, 64, 20,
				   offsetof(IMB_MGR, sha1_one_block), EVP_sha1, "RFC 2404"},
	[ESP_AUTH_HMAC_SHA256_128] = {"hmac-sha2-256-128", IMB_AUTH_HMAC_SHA_256, 32, 16, 64, 32,
				      offsetof(IMB_MGR, sha256_one_block), EVP_sha256, "RFC 4868"},
	[ESP_AUTH_HMAC_SHA384_192] = {"hmac-sha2-384-192", IMB_AUTH_HMAC_SHA_384, 48, 24, 128, 64,
				      offsetof(IMB_MGR, sha384_one_block), EVP_sha384, "RFC 4868"},
	[ESP_AUTH_HMAC_SHA512_256] = {"hmac-sha2-512-256", IMB_AUTH_HMAC_SHA_512, 64, 32, 128, 64,
				      offsetof(IMB_MGR, sha512_one_block), EVP_sha512, "RFC 4868"},
	[ESP_AUTH_HMAC_MD5_96] = {"hmac-md5-96", IMB_AUTH_MD5, 16, 12, 64, 16,
				  offsetof(IMB_MGR, md5_one_block), EVP_md5, "RFC 2403"},
};

/* What esp_xform_init enforces and esp_xform_init_kat does not. */
struct policy {
	bool strict;
};

static const struct policy strict_policy = {.strict = true};
static const struct policy kat_policy = {.strict = false};

/* ---- per-packet job builders ---- */

/* The AEAD job common to packets and the KAT hook: in place over buf. */
static inline void aead_job(IMB_JOB *j, const struct esp_xform *x, const bool enc,
			    const uint8_t *nonce, const uint8_t *aad, uint32_t aad_len,
			    uint8_t *buf, uint32_t len, uint8_t *tag)
{
	j->cipher_mode = (IMB_CIPHER_MODE)x->cipher_mode;
	j->hash_alg = (IMB_HASH_ALG)x->hash_alg;
	j->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->chain_order = enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->enc_keys = x->keys; /* gcm_key_data, or the ChaCha20 key: keys[] holds nothing else */
	j->dec_keys = x->keys;
	j->key_len_in_bytes = x->key_len;
	j->src = buf;
	j->dst = buf;
	j->cipher_start_src_offset_in_bytes = 0;
	j->msg_len_to_cipher_in_bytes = len;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = len;
	j->iv = nonce;
	j->iv_len_in_bytes = AEAD_NONCE_LEN;
	j->u.GCM.aad = aad;
	j->u.GCM.aad_len_in_bytes = aad_len;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = AEAD_ICV_LEN;
}

/*
 * RFC 4106 section 4 / RFC 7634 section 2: the nonce, salt || IV, into nonce; sections 5 / 2.1:
 * the AAD, SPI || seq (8 bytes, in the packet) or SPI || seq high || seq low (12, into esn_aad).
 * Returns the AAD.
 */
static inline const uint8_t *aead_nonce_aad(const struct esp_xform *x,
					    const struct esp_crypto_op *op, const bool esn,
					    uint8_t *nonce, uint8_t *esn_aad)
{
	uint32_t hi = rte_cpu_to_be_32(op->seq_hi);

	memcpy(nonce, x->salt, ESP_XFORM_SALT_LEN);
	memcpy(nonce + ESP_XFORM_SALT_LEN, op->iv, 8);
	if (!esn)
		return op->esp;
	memcpy(esn_aad, op->esp, 4);
	memcpy(esn_aad + 4, &hi, 4);
	memcpy(esn_aad + 8, op->esp + 4, 4);
	return esn_aad;
}

static inline void fill_aead(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	const uint8_t *aad = aead_nonce_aad(x, op, esn, s->nonce, s->aad);

	s->expect = op->icv;
	s->restore = 0;
	aead_job(j, x, enc, s->nonce, aad, esn ? 12 : 8, op->payload, op->len,
		 enc ? op->icv : s->tag);
}

/* CBC from a zero IV: the first block out is E_K(nonce), the IV sent (see esp_xform_iv). */
static const uint8_t zero_iv[ESP_XFORM_IV_MAX];

/*
 * Cipher (CBC or NULL) and HMAC over esp .. icv (RFC 4303 section 3.3.2.1). On encrypt the
 * cipher starts at the IV field, which holds the nonce esp_xform_iv wrote, from a zero IV: the
 * nonce's block comes out as E_K(nonce), which then chains into the payload as its IV (NIST SP
 * 800-38A appendix C, first method) at the cost of one more block. With ESN, seq_hi goes into
 * the ICV area, right after the ciphertext, for the hash to read; on encrypt the tag then
 * overwrites it, on decrypt the received ICV is saved first and put back afterwards.
 */
static inline void fill_hmac(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	uint32_t off = (uint32_t)(op->payload - op->esp);
	uint32_t hlen = off + op->len;
	uint32_t hi = rte_cpu_to_be_32(op->seq_hi);
	uint32_t ivl = enc ? x->iv_len : 0; /* the IV field is ciphered on encrypt only */

	s->expect = op->icv;
	s->restore = 0;
	if (esn) {
		if (!enc) {
			memcpy(s->rcvd, op->icv, x->icv_len);
			s->expect = s->rcvd;
			s->restore = 4;
		}
		memcpy(op->icv, &hi, 4);
		hlen += 4;
	}
	j->cipher_mode = (IMB_CIPHER_MODE)x->cipher_mode;
	j->hash_alg = (IMB_HASH_ALG)x->hash_alg;
	j->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->chain_order = enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->enc_keys = x->keys + x->off_enc;
	j->dec_keys = x->keys + x->off_dec;
	j->key_len_in_bytes = x->key_len;
	j->src = op->esp;
	j->dst = op->payload - ivl;
	j->cipher_start_src_offset_in_bytes = off - ivl;
	j->msg_len_to_cipher_in_bytes = op->len + ivl;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = hlen;
	j->iv = enc ? zero_iv : op->iv;
	j->iv_len_in_bytes = x->iv_len;
	j->u.HMAC._hashed_auth_key_xor_ipad = x->keys + x->off_ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = x->keys + x->off_opad;
	j->auth_tag_output = enc ? op->icv : s->tag;
	j->auth_tag_output_len_in_bytes = x->icv_len;
}

/* 3DES: the job takes an array of three key schedule pointers (kept in scratch, not in x). */
static inline void fill_des3(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	fill_hmac(j, x, op, s, enc, esn);
	for (unsigned int i = 0; i < 3; i++)
		s->ks[i] = x->keys + x->off_enc + i * IMB_DES_KEY_SCHED_SIZE;
	j->enc_keys = s->ks;
	j->dec_keys = s->ks;
}

/* The four specialisations of a builder: encrypt/decrypt, ESN or not. */
#define FILL_VARIANTS(fam)                                                                         \
	static void fam##_enc(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,     \
			      struct esp_op_scratch *s)                                            \
	{                                                                                          \
		fill_##fam(j, x, op, s, true, false);                                              \
	}                                                                                          \
	static void fam##_dec(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,     \
			      struct esp_op_scratch *s)                                            \
	{                                                                                          \
		fill_##fam(j, x, op, s, false, false);                                             \
	}                                                                                          \
	static void fam##_enc_esn(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op, \
				  struct esp_op_scratch *s)                                        \
	{                                                                                          \
		fill_##fam(j, x, op, s, true, true);                                               \
	}                                                                                          \
	static void fam##_dec_esn(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op, \
				  struct esp_op_scratch *s)                                        \
	{                                                                                          \
		fill_##fam(j, x, op, s, false, true);                                              \
	}

FILL_VARIANTS(hmac)
FILL_VARIANTS(des3)
FILL_VARIANTS(aead)

/* [family][esn][decrypt] */
static const esp_xform_fill_t fills[FAM_MAX][2][2] = {
	[FAM_HMAC] = {{hmac_enc, hmac_dec}, {hmac_enc_esn, hmac_dec_esn}},
	[FAM_DES3] = {{des3_enc, des3_dec}, {des3_enc_esn, des3_dec_esn}},
	[FAM_AEAD] = {{aead_enc, aead_dec}, {aead_enc_esn, aead_dec_esn}},
};

/* ---- bursts ---- */

/*
 * Nonzero when the n bytes (a multiple of 4, at most ESP_XFORM_ICV_MAX) of a and b differ, in
 * time that depends on n only: a comparison that stops at the first difference would let a
 * forger learn the ICV byte by byte (RFC 4303 3.4.4.1 verifies it before decrypting).
 */
static inline uint64_t icv_differs(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint64_t diff = 0, u, v;
	uint32_t i = 0, p, q;

	for (; i + 8 <= n; i += 8) {
		memcpy(&u, a + i, 8);
		memcpy(&v, b + i, 8);
		diff |= u ^ v;
	}
	if (i < n) {
		memcpy(&p, a + i, 4);
		memcpy(&q, b + i, 4);
		diff |= p ^ q;
	}
	return diff;
}

/* A job came back: settle its op's status; returns 1 if the op is good. */
static inline uint16_t settle(const IMB_JOB *j, const bool dec)
{
	struct esp_op_scratch *s = j->user_data;
	struct esp_crypto_op *op = s->op;
	bool bad;

	if (s->restore != 0)
		memcpy(op->icv, s->rcvd, 4);
	if (unlikely(j->status != IMB_STATUS_COMPLETED)) {
		op->status = -EIO;
		return 0;
	}
	if (!dec) {
		op->status = 0;
		return 1;
	}
	bad = icv_differs(s->tag, s->expect, s->icv_len) != 0;
	op->status = bad ? -EBADMSG : 0;
	return !bad;
}

#define KEYS_AHEAD	2  /* ops between asking for an SA's key lines and its job */
#define KEY_LINES_MAX	16 /* lines of keys[] a uint16_t mask covers */
#define LINE_CLASSES	4  /* encrypted regions of <= 64, 128, 256, 512 bytes; longer: every line */
#define LINE_CLASS_HIGH 512u

_Static_assert(ESP_XFORM_SIZE_MAX - RTE_CACHE_LINE_SIZE <= KEY_LINES_MAX * RTE_CACHE_LINE_SIZE,
	       "esp_xform_key_lines: a mask bit per line of the largest key material");

/*
 * Measured key lines of AES-GCM, [gcm][class]: gcm 1, 2, 3 for 16, 24, 32-byte keys (shape).
 * 0: not measured, or no smaller set found: every line. Written once per key length on the
 * control lcore under ctl_lock, before the first SA using it is published (workers read it
 * after their acquire of the SA).
 */
static uint16_t gcm_lines[4][LINE_CLASSES];

static inline unsigned int line_class(uint32_t len)
{
	return len <= 64 ? 0 : 26u - (unsigned int)__builtin_clz(len - 1); /* 65..128: 1, ... */
}

/* Bytes of x's keys[]. */
static inline uint32_t key_bytes(const struct esp_xform *x)
{
	return x->size - (uint32_t)sizeof(*x);
}

/* The mask of the lines holding keys[0 .. bytes - 1]. */
static inline uint16_t lines_below(uint32_t bytes)
{
	return (uint16_t)((1u << ((bytes + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE)) - 1u);
}

static inline uint16_t all_lines(const struct esp_xform *x)
{
	return lines_below(key_bytes(x));
}

static inline uint16_t key_lines(const struct esp_xform *x, uint32_t len)
{
	unsigned int c = line_class(len);
	uint16_t m = x->gcm != 0 && c < LINE_CLASSES ? gcm_lines[x->gcm][c] : 0;

	return m != 0 ? m : all_lines(x);
}

uint16_t esp_xform_key_lines(const struct esp_xform *x, uint32_t len)
{
	return key_lines(x, len);
}

/*
 * Ask for the key lines of op k's SA when it differs from op k - 1's. With many SAs their keys
 * are cold and the library's loads of them would miss one after the other inside the job; the
 * header lines of the burst's SAs were asked for first. Only the lines op k's length makes the
 * library read: at 100 000 SAs every line is a memory access, and the misses a core can have
 * in flight, not the bytes, bound the rate.
 */
static inline void warm_keys(const struct esp_xform *const *xs, const struct esp_crypto_op *ops,
			     uint16_t k)
{
	const struct esp_xform *x = xs[k];

	if (k > 0 && x == xs[k - 1])
		return;
	for (unsigned int m = key_lines(x, ops[k].len); m != 0; m &= m - 1)
		rte_prefetch0(x->keys + RTE_CACHE_LINE_SIZE * (unsigned int)__builtin_ctz(m));
}

/* The library's one-call AES-GCM functions, by direction and key length (x->gcm). */
static const size_t gcm_fn_at[2][4] = {
	{0, offsetof(IMB_MGR, gcm128_enc), offsetof(IMB_MGR, gcm192_enc),
	 offsetof(IMB_MGR, gcm256_enc)},
	{0, offsetof(IMB_MGR, gcm128_dec), offsetof(IMB_MGR, gcm192_dec),
	 offsetof(IMB_MGR, gcm256_dec)},
};

/*
 * AES-GCM over buf in place through the library's direct API (init, update and finalize in one
 * call): no job to fill, dispatch and collect. GCM jobs run synchronously in the job API as
 * well, so nothing is lost against the lanes of the multi-buffer suites. The tag (computed,
 * when decrypting) into tag.
 */
static inline void gcm_call(IMB_MGR *mgr, const struct esp_xform *x, const bool dec,
			    const uint8_t *nonce, const uint8_t *aad, uint32_t aad_len,
			    uint8_t *buf, uint32_t len, uint8_t *tag)
{
	aes_gcm_enc_dec_t fn = *(const aes_gcm_enc_dec_t *)(const void *)((const char *)mgr +
									  gcm_fn_at[dec][x->gcm]);
	struct gcm_context_data ctx;

	fn((const struct gcm_key_data *)(const void *)x->keys, &ctx, buf, buf, len, nonce, aad,
	   aad_len, tag, AEAD_ICV_LEN);
}

/* One ESP packet of an AES-GCM SA (RFC 4106), its status set; 1 when it is good. */
static inline uint16_t gcm_op(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *op,
			      const bool dec)
{
	uint8_t nonce[AEAD_NONCE_LEN], esn_aad[12], tag[AEAD_ICV_LEN];
	const uint8_t *aad = aead_nonce_aad(x, op, x->esn != 0, nonce, esn_aad);
	bool bad;

	gcm_call(mgr, x, dec, nonce, aad, x->esn ? 12 : 8, op->payload, op->len,
		 dec ? tag : op->icv);
	bad = dec && icv_differs(tag, op->icv, AEAD_ICV_LEN) != 0;
	op->status = bad ? -EBADMSG : 0;
	return !bad;
}

/*
 * Up to ESP_XFORM_BURST ops, op i under xs[stride * i] (stride 0: one SA): submit all, collect
 * what completes, flush once at the end, so that jobs of every SA share the lanes.
 */
static inline uint16_t round_trip(IMB_MGR *mgr, const struct esp_xform *const *xs,
				  const unsigned int stride, struct esp_crypto_op *ops, uint16_t n,
				  const bool dec)
{
	struct esp_op_scratch s[ESP_XFORM_BURST];
	uint16_t good = 0;
	IMB_JOB *j;

	if (stride != 0) {
		for (uint16_t i = 0; i < n; i++)
			rte_prefetch0(xs[i]);
		for (uint16_t i = 0; i < n && i < KEYS_AHEAD; i++)
			warm_keys(xs, ops, i);
	}
	for (uint16_t i = 0; i < n; i++) {
		const struct esp_xform *x = xs[stride * i];
		struct esp_crypto_op *op = &ops[i];
		esp_xform_fill_t fill = x->fill[dec];

		if (stride != 0 && i + KEYS_AHEAD < n)
			warm_keys(xs, ops, (uint16_t)(i + KEYS_AHEAD));
		/* RFC 4303 section 2.4: a CBC ciphertext is whole blocks; the trailer is there */
		if (unlikely(fill == NULL || op->len < x->min_len || op->len > ESP_XFORM_LEN_MAX ||
			     (op->len & x->len_mask) != 0)) {
			op->status = -EINVAL;
			continue;
		}
		if (x->gcm != 0) {
			good += gcm_op(mgr, x, op, dec);
			continue;
		}
		op->status = -EIO; /* until its job comes back */
		s[i].op = op;
		s[i].icv_len = x->icv_len;
		j = IMB_GET_NEXT_JOB(mgr);
		fill(j, x, op, &s[i]);
		j->user_data = &s[i];
		for (j = IMB_SUBMIT_JOB_NOCHECK(mgr); j != NULL; j = IMB_GET_COMPLETED_JOB(mgr))
			good += settle(j, dec);
	}
	while ((j = IMB_FLUSH_JOB(mgr)) != NULL)
		good += settle(j, dec);
	return good;
}

static inline uint16_t burst(IMB_MGR *mgr, const struct esp_xform *const *xs,
			     const unsigned int stride, struct esp_crypto_op *ops, uint16_t n,
			     const bool dec)
{
	uint16_t good = 0;

	for (uint32_t i = 0; i < n; i += ESP_XFORM_BURST)
		good += round_trip(mgr, xs + stride * i, stride, ops + i,
				   (uint16_t)RTE_MIN(n - i, ESP_XFORM_BURST), dec);
	return good;
}

uint16_t esp_xform_encrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n)
{
	return burst(mgr, &x, 0, ops, n, false);
}

uint16_t esp_xform_decrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n)
{
	return burst(mgr, &x, 0, ops, n, true);
}

uint16_t esp_xform_encrypt_multi(IMB_MGR *mgr, const struct esp_xform *const xs[],
				 struct esp_crypto_op *ops, uint16_t n)
{
	return burst(mgr, xs, 1, ops, n, false);
}

uint16_t esp_xform_decrypt_multi(IMB_MGR *mgr, const struct esp_xform *const xs[],
				 struct esp_crypto_op *ops, uint16_t n)
{
	return burst(mgr, xs, 1, ops, n, true);
}

int esp_xform_aead_kat(IMB_MGR *mgr, const struct esp_xform *x, bool encrypt, const uint8_t *iv,
		       const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
		       uint8_t *tag)
{
	uint8_t nonce[AEAD_NONCE_LEN], out[AEAD_ICV_LEN];
	IMB_JOB *j;

	if (encs[x->enc].fam != FAM_AEAD || x->fill[!encrypt] == NULL)
		return -EINVAL;
	memcpy(nonce, x->salt, ESP_XFORM_SALT_LEN);
	memcpy(nonce + ESP_XFORM_SALT_LEN, iv, 8);
	if (x->gcm != 0) { /* as packets go: the direct call */
		gcm_call(mgr, x, !encrypt, nonce, aad, aad_len, buf, len, encrypt ? tag : out);
		return encrypt || CRYPTO_memcmp(out, tag, AEAD_ICV_LEN) == 0 ? 0 : -EBADMSG;
	}
	j = IMB_GET_NEXT_JOB(mgr);
	aead_job(j, x, encrypt, nonce, aad, aad_len, buf, len, encrypt ? tag : out);
	j = IMB_SUBMIT_JOB(mgr);
	if (j == NULL)
		j = IMB_FLUSH_JOB(mgr);
	if (j == NULL || j->status != IMB_STATUS_COMPLETED)
		return -EIO;
	if (!encrypt && CRYPTO_memcmp(out, tag, AEAD_ICV_LEN) != 0)
		return -EBADMSG;
	return 0;
}

/* ---- IVs ---- */

static void iv_none(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	RTE_SET_USED(x);
	RTE_SET_USED(seq);
	RTE_SET_USED(iv);
}

/* RFC 4106 section 3.1 / RFC 7634 section 2: a counter is the suggested unique IV. */
static void iv_counter(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	uint64_t be = rte_cpu_to_be_64(seq);

	RTE_SET_USED(x);
	memcpy(iv, &be, sizeof(be));
}

/*
 * CBC (RFC 3602 section 3, RFC 2451 section 3: unpredictable IVs): the nonce that the encrypt job
 * turns into E_K(nonce). It is unique per SA (seq never cycles, RFC 4303 3.3.3) and, through 8
 * random bytes drawn at init, differs between two SAs that share a key (manual keys after a
 * restart). AES: random || seq; 3DES, one 8-byte block: random ^ seq.
 */
static void iv_nonce16(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	uint64_t be = rte_cpu_to_be_64(seq);

	memcpy(iv, x->iv_rand, sizeof(x->iv_rand));
	memcpy(iv + 8, &be, sizeof(be));
}

static void iv_nonce8(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	uint64_t r, be = rte_cpu_to_be_64(seq);

	memcpy(&r, x->iv_rand, sizeof(r));
	r ^= be;
	memcpy(iv, &r, sizeof(r));
}

const char *esp_enc_name(enum esp_enc enc)
{
	return (unsigned int)enc < ESP_ENC_MAX ? encs[enc].name : "unknown";
}

const char *esp_auth_name(enum esp_auth auth)
{
	return (unsigned int)auth < ESP_AUTH_MAX ? auths[auth].name : "unknown";
}

/* ---- init: validation ---- */

static bool enc_key_len_ok(const struct enc_desc *e, size_t len)
{
	size_t salt = e->fam == FAM_AEAD ? ESP_XFORM_SALT_LEN : 0;

	if (e->key_len[0] == 0)
		return len == 0;
	for (unsigned int i = 0; i < RTE_DIM(e->key_len) && e->key_len[i] != 0; i++)
		if (len == e->key_len[i] + salt)
			return true;
	return false;
}

/* "16, 24 or 32" plus the salt, for error messages. */
static void key_lens_text(const struct enc_desc *e, char *buf, size_t size)
{
	size_t salt = e->fam == FAM_AEAD ? ESP_XFORM_SALT_LEN : 0;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < RTE_DIM(e->key_len) && used < size; i++) {
		if (e->key_len[i] == 0)
			break;
		bool last = i + 1 == RTE_DIM(e->key_len) || e->key_len[i + 1] == 0;
		used += (size_t)snprintf(buf + used, size - used, "%s%zu",
					 i == 0 ? "" : (last ? " or " : ", "),
					 e->key_len[i] + salt);
	}
	if (e->key_len[0] == 0)
		snprintf(buf, size, "0");
}

static int check_enc(const struct esp_xform_conf *c, char *err, size_t errlen)
{
	const struct enc_desc *e;
	char lens[32];

	if ((unsigned int)c->enc >= ESP_ENC_MAX) {
		snprintf(err, errlen, "unknown encryption algorithm %d", (int)c->enc);
		return -EINVAL;
	}
	e = &encs[c->enc];
	if (!enc_key_len_ok(e, c->enc_key_len) || (c->enc_key_len != 0 && c->enc_key == NULL)) {
		key_lens_text(e, lens, sizeof(lens));
		snprintf(err, errlen, "%s key must be %s bytes (%s), got %zu", e->name, lens,
			 e->rfc, c->enc_key_len);
		return -EINVAL;
	}
	/*
	 * k1 = k2 or k2 = k3 is single DES, k1 = k3 two-key 3DES; NIST SP 800-67 Rev. 2 allows
	 * only three distinct keys
	 */
	if (c->enc == ESP_ENC_3DES_CBC && (memcmp(c->enc_key, c->enc_key + 8, 8) == 0 ||
					   memcmp(c->enc_key + 8, c->enc_key + 16, 8) == 0 ||
					   memcmp(c->enc_key, c->enc_key + 16, 8) == 0)) {
		snprintf(err, errlen, "3des-cbc key parts repeat: the three DES keys must differ");
		return -EINVAL;
	}
	return 0;
}

static int check_auth(const struct esp_xform_conf *c, const struct policy *p, char *err,
		      size_t errlen)
{
	const struct auth_desc *a;
	bool aead;

	if ((unsigned int)c->auth >= ESP_AUTH_MAX) {
		snprintf(err, errlen, "unknown integrity algorithm %d", (int)c->auth);
		return -EINVAL;
	}
	a = &auths[c->auth];
	aead = encs[c->enc].fam == FAM_AEAD;
	if (aead && c->auth != ESP_AUTH_NONE) {
		snprintf(err, errlen, "%s is an AEAD: it takes no %s (RFC 4303 section 3.2)",
			 encs[c->enc].name, a->name);
		return -EINVAL;
	}
	if (!aead && c->auth == ESP_AUTH_NONE && (p->strict || c->esn)) {
		snprintf(err, errlen, "%s needs an integrity algorithm: no ESP without integrity",
			 encs[c->enc].name);
		return -EINVAL;
	}
	if (c->auth == ESP_AUTH_NONE && c->auth_key_len != 0) {
		snprintf(err, errlen, "no integrity algorithm, yet an integrity key");
		return -EINVAL;
	}
	if (c->auth == ESP_AUTH_NONE)
		return 0;
	if (c->auth_key == NULL || c->auth_key_len == 0 ||
	    (p->strict && c->auth_key_len != a->key_len)) {
		snprintf(err, errlen, "%s key must be %u bytes (%s), got %zu", a->name, a->key_len,
			 a->rfc, c->auth_key_len);
		return -EINVAL;
	}
	return 0;
}

/* ---- init: layout ---- */

/* Offsets in keys[] of each part of an SA's key material, and the bytes of keys[]. */
struct key_layout {
	uint16_t enc, dec, ipad, opad;
	uint16_t len;
};

/* AES round keys of one direction for a key of klen bytes; 3DES schedules; none for NULL. */
static uint32_t cipher_keys_len(const struct esp_xform_conf *c)
{
	if (c->enc == ESP_ENC_AES_CBC)
		return AES_KEYS_LEN((uint32_t)c->enc_key_len);
	return c->enc == ESP_ENC_3DES_CBC ? DES3_KEYS_LEN : 0;
}

/*
 * What c's suite needs one way (dir ENC or DEC) or both: AES-GCM the library's key data,
 * ChaCha20-Poly1305 its key; otherwise the cipher's keys (AES: per direction; 3DES: one set)
 * and the two HMAC states at the hash's state size. c must have passed valid_shape.
 */
static void layout(const struct esp_xform_conf *c, struct key_layout *l)
{
	bool enc = c->dir != ESP_XFORM_DEC, dec = c->dir != ESP_XFORM_ENC;
	uint32_t ks = cipher_keys_len(c), state = RTE_ALIGN_CEIL(auths[c->auth].state, 16u);
	uint32_t at = 0;

	memset(l, 0, sizeof(*l));
	if (encs[c->enc].fam == FAM_AEAD) {
		at = c->enc == ESP_ENC_AES_GCM ? sizeof(struct gcm_key_data) : CHACHA_KEY_LEN;
	} else if (c->enc == ESP_ENC_AES_CBC) {
		l->dec = (uint16_t)(enc && dec ? ks : 0); /* one way: both name the keys it has */
		at = enc && dec ? 2 * ks : ks;
	} else {
		at = ks; /* 3DES decrypts with the encryption schedules; NULL has none */
	}
	if (c->auth != ESP_AUTH_NONE && encs[c->enc].fam != FAM_AEAD) { /* else refused */
		l->ipad = (uint16_t)at;
		l->opad = (uint16_t)(at + state);
		at += 2 * state;
	}
	l->len = (uint16_t)RTE_ALIGN_CEIL(at, RTE_CACHE_LINE_SIZE);
}

/* Enough of c to lay it out: a known suite, direction and cipher key length. */
static bool valid_shape(const struct esp_xform_conf *c)
{
	return (unsigned int)c->enc < ESP_ENC_MAX && (unsigned int)c->auth < ESP_AUTH_MAX &&
	       (unsigned int)c->dir < ESP_XFORM_DIR_MAX &&
	       enc_key_len_ok(&encs[c->enc], c->enc_key_len);
}

size_t esp_xform_size(const struct esp_xform_conf *c)
{
	struct key_layout l;

	if (!valid_shape(c))
		return sizeof(struct esp_xform);
	layout(c, &l);
	return sizeof(struct esp_xform) + l.len;
}

/* Both ways, the largest suites fit ESP_XFORM_SIZE_MAX (esp_xform.h). */
_Static_assert(2 * AES_KEYS_MAX + 2 * HASH_STATE_MAX <= sizeof(struct gcm_key_data) &&
		       DES3_KEYS_LEN + 2 * HASH_STATE_MAX <= sizeof(struct gcm_key_data),
	       "a CBC suite's keys outgrew ESP_XFORM_SIZE_MAX");

/* ---- init: key material ---- */

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static IMB_MGR *ctl_mgr; /* init's manager; never handed to a worker */

static IMB_MGR *ctl_mgr_get(void)
{
	if (ctl_mgr == NULL)
		ctl_mgr = crypto_imb_mgr_create();
	return ctl_mgr;
}

/* FIPS 197 section 5.2, and the equivalent inverse cipher's schedule (5.3.5). */
static void aes_expand(IMB_MGR *m, const uint8_t *k, size_t klen, void *enc, void *dec)
{
	if (klen == 16)
		IMB_AES_KEYEXP_128(m, k, enc, dec);
	else if (klen == 24)
		IMB_AES_KEYEXP_192(m, k, enc, dec);
	else
		IMB_AES_KEYEXP_256(m, k, enc, dec);
}

/*
 * The cipher's key material into keys[]: the library writes whole schedules into scratch of the
 * largest size, and only the directions the SA uses are kept.
 */
static void cipher_keys(struct esp_xform *x, IMB_MGR *m, const struct esp_xform_conf *c)
{
	uint8_t enc[AES_KEYS_MAX] __rte_aligned(16), dec[AES_KEYS_MAX] __rte_aligned(16);
	const uint8_t *k = c->enc_key;
	size_t klen = x->key_len, ks = AES_KEYS_LEN(klen);

	if (c->enc == ESP_ENC_AES_CBC) {
		aes_expand(m, k, klen, enc, dec);
		if (c->dir != ESP_XFORM_DEC)
			memcpy(x->keys + x->off_enc, enc, ks);
		if (c->dir != ESP_XFORM_ENC)
			memcpy(x->keys + x->off_dec, dec, ks);
	} else if (c->enc == ESP_ENC_AES_GCM) {
		struct gcm_key_data *g = (struct gcm_key_data *)(void *)x->keys;

		if (klen == 16)
			IMB_AES128_GCM_PRE(m, k, g);
		else if (klen == 24)
			IMB_AES192_GCM_PRE(m, k, g);
		else
			IMB_AES256_GCM_PRE(m, k, g);
	} else if (c->enc == ESP_ENC_CHACHA20_POLY1305) {
		memcpy(x->keys, k, klen);
	} else if (c->enc == ESP_ENC_3DES_CBC) {
		for (unsigned int i = 0; i < 3; i++)
			IMB_DES_KEYSCHED(m,
					 (uint64_t *)(void *)(x->keys + i * IMB_DES_KEY_SCHED_SIZE),
					 k + 8 * i);
	}
	if (encs[c->enc].fam == FAM_AEAD)
		memcpy(x->salt, k + klen, ESP_XFORM_SALT_LEN);
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(dec, sizeof(dec));
}

/* RFC 2104 section 2: the hash states after one block of (key ^ ipad) and (key ^ opad). */
static int hmac_pads(struct esp_xform *x, IMB_MGR *m, const struct auth_desc *a, const uint8_t *key,
		     size_t len)
{
	uint8_t k[HMAC_BLOCK_MAX] = {0}, blk[HMAC_BLOCK_MAX];
	uint8_t state[HASH_STATE_MAX] __rte_aligned(16);
	hash_one_block_t one = *(const hash_one_block_t *)((const char *)m + a->one_block);
	unsigned int dlen = 0;
	int rc = 0;

	if (len > a->block) { /* a key longer than a block is hashed first (KAT only) */
		if (EVP_Digest(key, len, k, &dlen, a->md(), NULL) != 1) {
			rc = -EIO;
			goto out;
		}
	} else {
		memcpy(k, key, len);
	}
	for (unsigned int i = 0; i < a->block; i++)
		blk[i] = k[i] ^ 0x36;
	one(blk, state);
	memcpy(x->keys + x->off_ipad, state, a->state);
	for (unsigned int i = 0; i < a->block; i++)
		blk[i] = k[i] ^ 0x5c;
	one(blk, state);
	memcpy(x->keys + x->off_opad, state, a->state);
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(state, sizeof(state));
	return rc;
}

/* Outbound CBC: IVs are encrypted nonces with a random part (iv_nonce16, iv_nonce8). */
static bool cbc_out(const struct esp_xform_conf *c)
{
	return c->dir != ESP_XFORM_DEC && encs[c->enc].iv_len != 0 && encs[c->enc].fam != FAM_AEAD;
}

/* Outbound CBC: the random part of the IV nonces, and the nonce writer for the block size. */
static int iv_setup(struct esp_xform *x)
{
	if (RAND_bytes(x->iv_rand, sizeof(x->iv_rand)) != 1)
		return -EIO;
	x->iv_gen = x->iv_len == 16 ? iv_nonce16 : iv_nonce8;
	return 0;
}

/* The fields every packet reads, the builders of the SA's direction(s), the layout. */
static void shape(struct esp_xform *x, const struct esp_xform_conf *c, const struct policy *p)
{
	const struct enc_desc *e = &encs[c->enc];
	const struct auth_desc *a = &auths[c->auth];
	struct key_layout l;

	layout(c, &l);
	x->size = (uint16_t)(sizeof(*x) + l.len);
	x->off_enc = l.enc;
	x->off_dec = l.dec;
	x->off_ipad = l.ipad;
	x->off_opad = l.opad;
	x->enc = (uint8_t)c->enc;
	x->auth = (uint8_t)c->auth;
	x->esn = c->esn;
	x->dir = (uint8_t)c->dir;
	x->cipher_mode = (uint8_t)e->mode;
	x->hash_alg = (uint8_t)(e->fam == FAM_AEAD ? e->aead_hash : a->alg);
	x->key_len = (uint16_t)(c->enc_key_len - (e->fam == FAM_AEAD ? ESP_XFORM_SALT_LEN : 0));
	x->iv_len = e->iv_len;
	x->icv_len = e->fam == FAM_AEAD ? AEAD_ICV_LEN : a->icv_len;
	x->pad_align = e->align;
	x->len_mask = (uint8_t)(e->block - 1u);
	x->min_len = p->strict ? ESP_TRAILER_MIN : 0;
	x->fill[0] = c->dir != ESP_XFORM_DEC ? fills[e->fam][c->esn][0] : NULL;
	x->fill[1] = c->dir != ESP_XFORM_ENC ? fills[e->fam][c->esn][1] : NULL;
	x->iv_gen = e->fam == FAM_AEAD ? iv_counter : iv_none; /* iv_setup sets the CBC one */
	if (c->enc == ESP_ENC_AES_GCM)
		x->gcm = x->key_len == 16 ? 1 : x->key_len == 24 ? 2 : 3;
}

/* One dummy packet each way the SA works through the checked submit: the jobs are valid. */
static int selftest(const struct esp_xform *x, IMB_MGR *m)
{
	uint8_t pkt[ESP_HDR_LEN + ESP_XFORM_IV_MAX + 64 + ESP_XFORM_ICV_MAX] = {0};
	struct esp_crypto_op op = {pkt,
				   pkt + ESP_HDR_LEN,
				   pkt + ESP_HDR_LEN + x->iv_len,
				   64,
				   pkt + ESP_HDR_LEN + x->iv_len + 64,
				   0,
				   0};
	struct esp_op_scratch s = {.op = &op, .icv_len = x->icv_len};
	int rc = 0;

	for (unsigned int dec = 0; dec < 2 && rc == 0; dec++) {
		IMB_JOB *j;

		if (x->fill[dec] == NULL)
			continue;
		j = IMB_GET_NEXT_JOB(m);
		x->fill[dec](j, x, &op, &s);
		j = IMB_SUBMIT_JOB(m);
		if (j == NULL)
			j = IMB_FLUSH_JOB(m);
		if (j == NULL || j->status != IMB_STATUS_COMPLETED)
			rc = -EIO;
	}
	while (IMB_FLUSH_JOB(m) != NULL)
		;
	OPENSSL_cleanse(pkt, sizeof(pkt)); /* keystream and tags under the SA's keys */
	OPENSSL_cleanse(&s, sizeof(s));
	return rc;
}

/* ---- init: which AES-GCM key lines a packet reads (esp_xform_key_lines) ---- */

static bool gcm_lines_measured[4];

/* One AES-GCM operation of x's direction in place over buf, as packets go (gcm_call). */
static void gcm_once(IMB_MGR *m, const struct esp_xform *x, uint8_t *buf, uint32_t len,
		     uint32_t aad_len, uint8_t *tag)
{
	static const uint8_t nonce[AEAD_NONCE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	static const uint8_t aad[12] = {0xa1, 0xa2, 0xa3, 0xa4, 0, 0, 0, 1, 0, 0, 0, 2};

	gcm_call(m, x, x->fill[0] == NULL, nonce, aad, aad_len, buf, len, tag);
}

/*
 * Does x give the same output and tag as y, a copy of x whose key lines outside mask are
 * overwritten, for every 4-byte multiple in (lo, hi] (RFC 4303 2.4 aligns the region to 4) and
 * both AAD lengths (RFC 4106 5)? a and b hold hi bytes.
 */
static bool gcm_lines_hold(IMB_MGR *m, const struct esp_xform *x, struct esp_xform *y,
			   uint16_t mask, uint32_t lo, uint32_t hi, uint8_t *a, uint8_t *b)
{
	uint32_t klen = key_bytes(x);
	uint8_t ta[AEAD_ICV_LEN], tb[AEAD_ICV_LEN];
	bool same = true;

	memcpy(y, x, x->size);
	for (uint32_t l = 0; l * RTE_CACHE_LINE_SIZE < klen; l++)
		if ((mask & (1u << l)) == 0)
			memset(y->keys + l * RTE_CACHE_LINE_SIZE, 0x5a,
			       RTE_MIN((uint32_t)RTE_CACHE_LINE_SIZE,
				       klen - l * RTE_CACHE_LINE_SIZE));
	for (uint32_t aad = 8; aad <= 12 && same; aad += 4)
		for (uint32_t len = lo + 4; len <= hi && same; len += 4) {
			for (uint32_t i = 0; i < len; i++)
				a[i] = b[i] = (uint8_t)(i * 7u + len);
			gcm_once(m, x, a, len, aad, ta);
			gcm_once(m, y, b, len, aad, tb);
			same = memcmp(a, b, len) == 0 && memcmp(ta, tb, sizeof(ta)) == 0;
		}
	OPENSSL_cleanse(ta, sizeof(ta));
	OPENSSL_cleanse(tb, sizeof(tb));
	return same;
}

/*
 * Per length class, the smallest set of the round-key lines and the last k lines (where the
 * library keeps the low powers of the hash key) that leaves x's output unchanged; none found:
 * every line. Once per key length, on the first SA's keys, under ctl_lock.
 */
static void gcm_lines_measure(IMB_MGR *m, const struct esp_xform *x)
{
	uint32_t n = (uint32_t)__builtin_popcount(all_lines(x)), lo = 0;
	uint16_t rk = lines_below(AES_KEYS_LEN(x->key_len));

	if (gcm_lines_measured[x->gcm])
		return;
	gcm_lines_measured[x->gcm] = true; /* also when out of memory: every line */
	struct esp_xform *y = aligned_alloc(RTE_CACHE_LINE_SIZE, ESP_XFORM_SIZE_MAX);
	uint8_t *a = malloc(2 * LINE_CLASS_HIGH);
	if (y != NULL && a != NULL) {
		for (unsigned int c = 0; c < LINE_CLASSES; c++) {
			uint32_t hi = 64u << c;

			for (uint32_t k = 1; k < n; k++) {
				uint16_t mask = (uint16_t)(rk | (((1u << k) - 1u) << (n - k)));

				if (gcm_lines_hold(m, x, y, mask, lo, hi, a, a + LINE_CLASS_HIGH)) {
					gcm_lines[x->gcm][c] = mask;
					break;
				}
			}
			lo = hi;
		}
		OPENSSL_cleanse(y, ESP_XFORM_SIZE_MAX); /* the SA's key, its keystream in a */
		OPENSSL_cleanse(a, 2 * LINE_CLASS_HIGH);
	}
	free(y);
	free(a);
}

static int check_dir(const struct esp_xform_conf *c, char *err, size_t errlen)
{
	if ((unsigned int)c->dir < ESP_XFORM_DIR_MAX)
		return 0;
	snprintf(err, errlen, "unknown transform direction %d", (int)c->dir);
	return -EINVAL;
}

/* Key material under the control manager's lock: schedules, HMAC states, IV nonces, self-test. */
static int keys_setup(struct esp_xform *x, const struct esp_xform_conf *c, char *err, size_t errlen)
{
	IMB_MGR *m;
	int rc = 0;

	pthread_mutex_lock(&ctl_lock);
	m = ctl_mgr_get();
	if (m == NULL) {
		snprintf(err, errlen, "no intel-ipsec-mb manager");
		rc = -EIO;
		goto unlock;
	}
	cipher_keys(x, m, c);
	if (c->auth != ESP_AUTH_NONE)
		rc = hmac_pads(x, m, &auths[c->auth], c->auth_key, c->auth_key_len);
	if (rc == 0 && cbc_out(c))
		rc = iv_setup(x);
	if (rc == 0)
		rc = selftest(x, m);
	if (rc == 0 && x->gcm != 0)
		gcm_lines_measure(m, x);
	if (rc != 0)
		snprintf(err, errlen, "key setup failed (hash, random source or library)");
unlock:
	pthread_mutex_unlock(&ctl_lock);
	return rc;
}

static int setup(struct esp_xform *x, const struct esp_xform_conf *c, const struct policy *p,
		 char *err, size_t errlen)
{
	size_t size = esp_xform_size(c);
	int rc;

	memset(x, 0, size);
	rc = check_dir(c, err, errlen);
	if (rc == 0)
		rc = check_enc(c, err, errlen);
	if (rc == 0)
		rc = check_auth(c, p, err, errlen);
	if (rc == 0) {
		shape(x, c, p);
		rc = keys_setup(x, c, err, errlen);
	}
	if (rc != 0)
		OPENSSL_cleanse(x, size);
	return rc;
}

int esp_xform_init(struct esp_xform *x, const struct esp_xform_conf *c, char *err, size_t errlen)
{
	return setup(x, c, &strict_policy, err, errlen);
}

int esp_xform_init_kat(struct esp_xform *x, const struct esp_xform_conf *c, char *err,
		       size_t errlen)
{
	return setup(x, c, &kat_policy, err, errlen);
}

/* The size is read before anything is wiped; a zeroed or refused transform is its header. */
void esp_xform_wipe(struct esp_xform *x)
{
	size_t size = x->size >= sizeof(*x) ? x->size : sizeof(*x);

	OPENSSL_cleanse(x, size);
}
