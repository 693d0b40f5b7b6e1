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
 * Bursts: ops go to the library ESP_XFORM_BURST at a time through the job API; each job's
 * user_data points at its op's scratch, because the library returns jobs when their lane
 * completes, not in submission order. Every round ends with a flush, so the manager is empty
 * between calls. Decryption computes the ICV into scratch and compares it with the received
 * one in constant time (CRYPTO_memcmp).
 *
 * Jobs are submitted unchecked (the library's argument checks cost about a third of a 64-byte
 * GCM packet): what varies per packet, len, is checked here, and init proves the SA's job shape
 * once by running one packet each way through the checked submit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>

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
	uint32_t restore; /* decrypt with ESN: ICV bytes to put back from rcvd */
};

_Static_assert(offsetof(IMB_JOB, u.GCM.aad) == offsetof(IMB_JOB, u.CHACHA20_POLY1305.aad) &&
		       offsetof(IMB_JOB, u.GCM.aad_len_in_bytes) ==
			       offsetof(IMB_JOB, u.CHACHA20_POLY1305.aad_len_in_bytes),
	       "the AEAD builders set the AAD of both through u.GCM");

enum family { FAM_HMAC, FAM_DES3, FAM_AEAD, FAM_MAX };

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
	size_t one_block;	   /* offset in IMB_MGR of the one-block hash */
	const EVP_MD *(*md)(void); /* for HMAC keys longer than a block (KAT only) */
	const char *rfc;
};

static const struct auth_desc auths[ESP_AUTH_MAX] = {
	[ESP_AUTH_NONE] = {"none", IMB_AUTH_NULL, 0, 0, 0, 0, NULL, "RFC 4303 section 3.2"},
	[ESP_AUTH_HMAC_SHA1_96] = {"hmac-sha1-96", IMB_AUTH_HMAC_SHA_1, 20, 12, 64,
				   offsetof(IMB_MGR, sha1_one_block), EVP_sha1, "RFC 2404"},
	[ESP_AUTH_HMAC_SHA256_128] = {"hmac-sha2-256-128", IMB_AUTH_HMAC_SHA_256, 32, 16, 64,
				      offsetof(IMB_MGR, sha256_one_block), EVP_sha256, "RFC 4868"},
	[ESP_AUTH_HMAC_SHA384_192] = {"hmac-sha2-384-192", IMB_AUTH_HMAC_SHA_384, 48, 24, 128,
				      offsetof(IMB_MGR, sha384_one_block), EVP_sha384, "RFC 4868"},
	[ESP_AUTH_HMAC_SHA512_256] = {"hmac-sha2-512-256", IMB_AUTH_HMAC_SHA_512, 64, 32, 128,
				      offsetof(IMB_MGR, sha512_one_block), EVP_sha512, "RFC 4868"},
	[ESP_AUTH_HMAC_MD5_96] = {"hmac-md5-96", IMB_AUTH_MD5, 16, 12, 64,
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
	j->enc_keys = &x->k; /* gcm_key_data, or the ChaCha20 key: both at the start */
	j->dec_keys = &x->k;
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

/* RFC 4106 section 4 / RFC 7634 section 2: nonce; section 5 / 2.1: AAD, 8 or 12 bytes. */
static inline void fill_aead(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	const uint8_t *aad = op->esp;
	uint32_t hi = rte_cpu_to_be_32(op->seq_hi);

	memcpy(s->nonce, x->salt, ESP_XFORM_SALT_LEN);
	memcpy(s->nonce + ESP_XFORM_SALT_LEN, op->iv, 8);
	if (esn) {
		memcpy(s->aad, op->esp, 4);
		memcpy(s->aad + 4, &hi, 4);
		memcpy(s->aad + 8, op->esp + 4, 4);
		aad = s->aad;
	}
	s->expect = op->icv;
	s->restore = 0;
	aead_job(j, x, enc, s->nonce, aad, esn ? 12 : 8, op->payload, op->len,
		 enc ? op->icv : s->tag);
}

/*
 * Cipher (CBC or NULL) and HMAC over esp .. icv (RFC 4303 section 3.3.2.1). With ESN, seq_hi
 * goes into the ICV area, right after the ciphertext, for the hash to read; on encrypt the tag
 * then overwrites it, on decrypt the received ICV is saved first and put back afterwards.
 */
static inline void fill_hmac(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	uint32_t off = (uint32_t)(op->payload - op->esp);
	uint32_t hlen = off + op->len;
	uint32_t hi = rte_cpu_to_be_32(op->seq_hi);

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
	j->enc_keys = x->k.aes.enc;
	j->dec_keys = x->k.aes.dec;
	j->key_len_in_bytes = x->key_len;
	j->src = op->esp;
	j->dst = op->payload;
	j->cipher_start_src_offset_in_bytes = off;
	j->msg_len_to_cipher_in_bytes = op->len;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = hlen;
	j->iv = op->iv;
	j->iv_len_in_bytes = x->iv_len;
	j->u.HMAC._hashed_auth_key_xor_ipad = x->ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = x->opad;
	j->auth_tag_output = enc ? op->icv : s->tag;
	j->auth_tag_output_len_in_bytes = x->icv_len;
}

/* 3DES: the job takes an array of three key schedule pointers (kept in scratch, not in x). */
static inline void fill_des3(IMB_JOB *j, const struct esp_xform *x, struct esp_crypto_op *op,
			     struct esp_op_scratch *s, const bool enc, const bool esn)
{
	fill_hmac(j, x, op, s, enc, esn);
	for (unsigned int i = 0; i < 3; i++)
		s->ks[i] = x->k.des3[i];
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

/* A job came back: settle its op's status; returns 1 if the op is good. */
static inline uint16_t settle(const struct esp_xform *x, const IMB_JOB *j, const bool dec)
{
	struct esp_op_scratch *s = j->user_data;
	struct esp_crypto_op *op = s->op;
	int bad;

	if (s->restore != 0)
		memcpy(op->icv, s->rcvd, s->restore);
	if (j->status != IMB_STATUS_COMPLETED) {
		op->status = -EIO;
		return 0;
	}
	if (!dec) {
		op->status = 0;
		return 1;
	}
	bad = CRYPTO_memcmp(s->tag, s->expect, x->icv_len);
	op->status = bad == 0 ? 0 : -EBADMSG;
	return bad == 0;
}

/* Up to ESP_XFORM_BURST ops: submit all, collect what completes, flush the rest. */
static inline uint16_t round_trip(IMB_MGR *mgr, const struct esp_xform *x,
				  struct esp_crypto_op *ops, uint16_t n, const bool dec)
{
	struct esp_op_scratch s[ESP_XFORM_BURST];
	esp_xform_fill_t fill = dec ? x->fill_dec : x->fill_enc;
	uint16_t good = 0;
	IMB_JOB *j;

	for (uint16_t i = 0; i < n; i++) {
		struct esp_crypto_op *op = &ops[i];

		/* RFC 4303 section 2.4: a CBC ciphertext is whole blocks; the trailer is there */
		if (op->len < x->min_len || op->len > ESP_XFORM_LEN_MAX ||
		    (op->len & x->len_mask) != 0) {
			op->status = -EINVAL;
			continue;
		}
		op->status = -EIO; /* until its job comes back */
		s[i].op = op;
		j = IMB_GET_NEXT_JOB(mgr);
		fill(j, x, op, &s[i]);
		j->user_data = &s[i];
		for (j = IMB_SUBMIT_JOB_NOCHECK(mgr); j != NULL; j = IMB_GET_COMPLETED_JOB(mgr))
			good += settle(x, j, dec);
	}
	while ((j = IMB_FLUSH_JOB(mgr)) != NULL)
		good += settle(x, j, dec);
	return good;
}

static inline uint16_t burst(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			     uint16_t n, const bool dec)
{
	uint16_t good = 0;

	for (uint32_t i = 0; i < n; i += ESP_XFORM_BURST)
		good += round_trip(mgr, x, ops + i, (uint16_t)RTE_MIN(n - i, ESP_XFORM_BURST), dec);
	return good;
}

uint16_t esp_xform_encrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n)
{
	return burst(mgr, x, ops, n, false);
}

uint16_t esp_xform_decrypt(IMB_MGR *mgr, const struct esp_xform *x, struct esp_crypto_op *ops,
			   uint16_t n)
{
	return burst(mgr, x, ops, n, true);
}

int esp_xform_aead_kat(IMB_MGR *mgr, const struct esp_xform *x, bool encrypt, const uint8_t *iv,
		       const uint8_t *aad, uint32_t aad_len, uint8_t *buf, uint32_t len,
		       uint8_t *tag)
{
	uint8_t nonce[AEAD_NONCE_LEN], out[AEAD_ICV_LEN];
	IMB_JOB *j;

	if (encs[x->enc].fam != FAM_AEAD)
		return -EINVAL;
	memcpy(nonce, x->salt, ESP_XFORM_SALT_LEN);
	memcpy(nonce + ESP_XFORM_SALT_LEN, iv, 8);
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

/* RFC 3602 section 3: unpredictable. E_ivkey(0^64 || seq), truncated to the IV length. */
static void iv_encrypted(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	static const uint8_t zero[16];
	uint8_t ctr[16] = {0};
	uint64_t be = rte_cpu_to_be_64(seq);

	memcpy(ctr + 8, &be, sizeof(be));
	/* CFB of one block over zeros: out = 0 ^ E(ctr) */
	x->iv_block(iv, zero, ctr, x->iv_key, x->iv_len);
}

void esp_xform_iv(const struct esp_xform *x, uint64_t seq, uint8_t *iv)
{
	x->iv_gen(x, seq, iv);
}

size_t esp_xform_iv_len(const struct esp_xform *x)
{
	return x->iv_len;
}

size_t esp_xform_icv_len(const struct esp_xform *x)
{
	return x->icv_len;
}

size_t esp_xform_pad_align(const struct esp_xform *x)
{
	return x->pad_align;
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

/* ---- init: key material ---- */

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
static IMB_MGR *ctl_mgr; /* init's manager; never handed to a worker */

static IMB_MGR *ctl_mgr_get(void)
{
	if (ctl_mgr == NULL)
		ctl_mgr = crypto_imb_mgr_create();
	return ctl_mgr;
}

static void cipher_keys(struct esp_xform *x, IMB_MGR *m, const struct esp_xform_conf *c)
{
	const uint8_t *k = c->enc_key;
	size_t klen = x->key_len;

	switch (c->enc) {
	case ESP_ENC_AES_CBC:
		if (klen == 16)
			IMB_AES_KEYEXP_128(m, k, x->k.aes.enc, x->k.aes.dec);
		else if (klen == 24)
			IMB_AES_KEYEXP_192(m, k, x->k.aes.enc, x->k.aes.dec);
		else
			IMB_AES_KEYEXP_256(m, k, x->k.aes.enc, x->k.aes.dec);
		break;
	case ESP_ENC_AES_GCM:
		if (klen == 16)
			IMB_AES128_GCM_PRE(m, k, &x->k.gcm);
		else if (klen == 24)
			IMB_AES192_GCM_PRE(m, k, &x->k.gcm);
		else
			IMB_AES256_GCM_PRE(m, k, &x->k.gcm);
		break;
	case ESP_ENC_CHACHA20_POLY1305:
		memcpy(x->k.chacha, k, klen);
		break;
	case ESP_ENC_3DES_CBC:
		for (unsigned int i = 0; i < 3; i++)
			IMB_DES_KEYSCHED(m, x->k.des3[i], k + 8 * i);
		break;
	default:
		break;
	}
	if (encs[c->enc].fam == FAM_AEAD)
		memcpy(x->salt, k + klen, ESP_XFORM_SALT_LEN);
}

/* RFC 2104 section 2: the hash states after one block of (key ^ ipad) and (key ^ opad). */
static int hmac_pads(struct esp_xform *x, IMB_MGR *m, const struct auth_desc *a, const uint8_t *key,
		     size_t len)
{
	uint8_t k[HMAC_BLOCK_MAX] = {0}, blk[HMAC_BLOCK_MAX];
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
	one(blk, x->ipad);
	for (unsigned int i = 0; i < a->block; i++)
		blk[i] = k[i] ^ 0x5c;
	one(blk, x->opad);
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(blk, sizeof(blk));
	return rc;
}

/* The CBC suites' IV key: random, AES-128, used for nothing else. */
static int iv_key(struct esp_xform *x, IMB_MGR *m)
{
	uint8_t raw[16];
	uint8_t dec[16 * 11] __rte_aligned(16);
	int rc = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		rc = -EIO;
		goto out;
	}
	IMB_AES_KEYEXP_128(m, raw, x->iv_key, dec);
	x->iv_block = m->aes128_cfb_one;
	x->iv_gen = iv_encrypted;
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(dec, sizeof(dec));
	return rc;
}

/* The fields every packet reads, and the builders. */
static void shape(struct esp_xform *x, const struct esp_xform_conf *c, const struct policy *p)
{
	const struct enc_desc *e = &encs[c->enc];
	const struct auth_desc *a = &auths[c->auth];

	x->enc = (uint8_t)c->enc;
	x->auth = (uint8_t)c->auth;
	x->esn = c->esn;
	x->cipher_mode = e->mode;
	x->hash_alg = e->fam == FAM_AEAD ? e->aead_hash : a->alg;
	x->key_len = (uint16_t)(c->enc_key_len - (e->fam == FAM_AEAD ? ESP_XFORM_SALT_LEN : 0));
	x->iv_len = e->iv_len;
	x->icv_len = e->fam == FAM_AEAD ? AEAD_ICV_LEN : a->icv_len;
	x->pad_align = e->align;
	x->len_mask = e->block - 1u;
	x->min_len = p->strict ? ESP_TRAILER_MIN : 0;
	x->fill_enc = fills[e->fam][c->esn][0];
	x->fill_dec = fills[e->fam][c->esn][1];
	x->iv_gen = e->fam == FAM_AEAD ? iv_counter : iv_none;
}

/* One dummy packet each way through the checked submit: the builders make valid jobs. */
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
	struct esp_op_scratch s = {.op = &op};
	int rc = 0;

	for (unsigned int dec = 0; dec < 2 && rc == 0; dec++) {
		IMB_JOB *j = IMB_GET_NEXT_JOB(m);

		(dec ? x->fill_dec : x->fill_enc)(j, x, &op, &s);
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

static int setup(struct esp_xform *x, const struct esp_xform_conf *c, const struct policy *p,
		 char *err, size_t errlen)
{
	IMB_MGR *m;
	int rc;

	memset(x, 0, sizeof(*x));
	rc = check_enc(c, err, errlen);
	if (rc == 0)
		rc = check_auth(c, p, err, errlen);
	if (rc != 0)
		goto out;
	shape(x, c, p);
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
	if (rc == 0 && encs[c->enc].iv_len != 0 && encs[c->enc].fam != FAM_AEAD)
		rc = iv_key(x, m);
	if (rc == 0)
		rc = selftest(x, m);
	if (rc != 0)
		snprintf(err, errlen, "key setup failed (hash, random source or library)");
unlock:
	pthread_mutex_unlock(&ctl_lock);
out:
	if (rc != 0)
		esp_xform_wipe(x);
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

void esp_xform_wipe(struct esp_xform *x)
{
	OPENSSL_cleanse(x, sizeof(*x));
}
