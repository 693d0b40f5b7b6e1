/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_esp_xform.c - the "esp_xform" suite: crypto/esp_xform.{h,c}.
 *
 * Known answers (esp_vectors.h says where each comes from): RFC 3602 ESP packets through the
 * CBC path, RFC 7634 and draft-mcgrew-gcm-test-01 ESP packets (ESN included) through the AEAD
 * path, RFC 4868 and RFC 2202 HMACs through the HMAC path, and the NIST CAVP AES-GCM files
 * (IVlen 96, Taglen 128) through the AEAD job builder with the file's AAD. The CAVP and RFC 2202
 * files come from Debian's python3-cryptography-vectors; a missing file fails the test.
 *
 * Cross-check: for every suite and both ESN settings, random SAs and bursts of 1-32 random
 * packets, sealed by esp_xform and opened by OpenSSL EVP, and the reverse; one flipped bit
 * anywhere in header, IV, ciphertext or ICV must give -EBADMSG, alone in its burst or not.
 * The random sequence is fixed (ESP_XFORM_SEED in the environment changes it) so that a
 * failure can be replayed.
 *
 * Across SAs: bursts mixing every suite, several keys of one suite and ESN on or off through
 * esp_xform_{en,de}crypt_multi, compared byte for byte with the same packets one SA per call and
 * opened by OpenSSL; one tampered packet, one bad length and one op handed to an outbound SA in
 * the middle of such a burst fail alone. Sizes: esp_xform_size per suite and direction, and init
 * writing nothing beyond it; one-way SAs refuse the other way.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "crypto/esp_xform.h"
#include "crypto/imb.h"
#include "esp_vectors.h"
#include "tests.h"

#define VEC_DIR	    "/usr/lib/python3/dist-packages/cryptography_vectors"
#define PKT_SIZE    2048
#define DATA_MAX    1500
#define XCHECK_PKTS 1000 /* per suite */
#define CAVP_MIN    375	 /* IVlen 96, Taglen 128: 15 records for each of 25 PT/AAD lengths */
#define HEX_MAX	    512

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		bool ok_ = (cond);                                          \
		CU_ASSERT(ok_);                                             \
		if (!ok_) {                                                 \
			fprintf(stderr, "\n  %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                       \
		}                                                           \
	} while (0)

/* A packet: ESP header, IV, encrypted region, ICV; plain keeps the region in clear. */
struct pkt {
	uint8_t buf[PKT_SIZE];
	uint8_t plain[PKT_SIZE];
	struct esp_crypto_op op;
};

/* One SA's keys, for esp_xform_init and for the OpenSSL reference alike. */
struct sa {
	enum esp_enc enc;
	enum esp_auth auth;
	uint8_t ekey[36];
	size_t eklen;
	uint8_t akey[64];
	size_t aklen;
	bool esn;
	uint32_t spi;
};

static IMB_MGR *mgr;
static EVP_MAC *hmac;
static uint64_t seed, rng;
static union esp_xform_room room_a, room_b;
static struct esp_xform *const xa = &room_a.x, *const xb = &room_b.x;
static struct pkt pkts[ESP_XFORM_BURST];
static struct esp_crypto_op ops[ESP_XFORM_BURST];

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static void rnd_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

/* Hex text (spaces allowed) into out; the byte count, or SIZE_MAX if malformed or too long. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s != '\0' && *s != '\n' && *s != '\r'; s++) {
		int v = *s >= '0' && *s <= '9'	 ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						 : -1;
		if (*s == ' ')
			continue;
		if (v < 0 || (hi < 0 && n == cap))
			return SIZE_MAX;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? n : SIZE_MAX;
}

static size_t unhex_ok(const char *s, uint8_t *out, size_t cap)
{
	size_t n = unhex(s, out, cap);

	CU_ASSERT_FATAL(n != SIZE_MAX);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
}

static int sa_init(struct esp_xform *x, const struct sa *s, bool kat)
{
	struct esp_xform_conf c = {s->enc,  s->ekey,  s->eklen, s->auth,
				   s->akey, s->aklen, s->esn,	ESP_XFORM_BOTH};
	char err[160] = "";
	int rc = kat ? esp_xform_init_kat(x, &c, err, sizeof(err))
		     : esp_xform_init(x, &c, err, sizeof(err));

	CHECK(rc == 0, "%s/%s: %s\n", esp_enc_name(s->enc), esp_auth_name(s->auth), err);
	return rc;
}

/* An SA set up one way only (ESP_XFORM_ENC or _DEC), as the data plane installs them. */
static int sa_init_dir(struct esp_xform *x, const struct sa *s, enum esp_xform_dir dir)
{
	struct esp_xform_conf c = {s->enc,  s->ekey,  s->eklen, s->auth,
				   s->akey, s->aklen, s->esn,	dir};
	char err[160] = "";
	int rc = esp_xform_init(x, &c, err, sizeof(err));

	CHECK(rc == 0, "%s/%s dir %d: %s\n", esp_enc_name(s->enc), esp_auth_name(s->auth), dir,
	      err);
	return rc;
}

/* Point p->op at the layout in p->buf for an encrypted region of len bytes. */
static void layout(struct pkt *p, const struct esp_xform *x, uint32_t len)
{
	p->op.esp = p->buf;
	p->op.iv = p->buf + ESP_HDR_LEN;
	p->op.payload = p->op.iv + esp_xform_iv_len(x);
	p->op.len = len;
	p->op.icv = p->op.payload + len;
	p->op.status = 1;
}

static size_t pkt_bytes(const struct pkt *p, const struct esp_xform *x)
{
	return (size_t)(p->op.icv - p->buf) + esp_xform_icv_len(x);
}

/* A random packet: data_len bytes of data, RFC 4303 section 2.4 padding 1, 2, 3, ... */
static void build(struct pkt *p, const struct esp_xform *x, const struct sa *s, uint64_t seq)
{
	uint32_t dlen = 1 + below(DATA_MAX), align = (uint32_t)esp_xform_pad_align(x);
	uint32_t len = RTE_ALIGN_CEIL(dlen + ESP_TRAILER_MIN, align);
	uint32_t pad = len - dlen - ESP_TRAILER_MIN;

	layout(p, x, len);
	put32(p->buf, s->spi);
	put32(p->buf + 4, (uint32_t)seq);
	esp_xform_iv(x, seq, p->op.iv);
	rnd_fill(p->op.payload, dlen);
	for (uint32_t i = 0; i < pad; i++)
		p->op.payload[dlen + i] = (uint8_t)(i + 1);
	p->op.payload[len - 2] = (uint8_t)pad;
	p->op.payload[len - 1] = below(2) ? 4 : 41;
	rnd_fill(p->op.icv, esp_xform_icv_len(x)); /* whatever was there before */
	/* without ESN seq_hi is not the SA's business: garbage must not matter */
	p->op.seq_hi = s->esn ? (uint32_t)(seq >> 32) : (uint32_t)rnd();
	memcpy(p->plain, p->op.payload, len);
}

/* ---- the OpenSSL reference (RFC 4303 sections 3.3.2 and 3.4.4, by the book) ---- */

static const EVP_CIPHER *ref_cipher(const struct sa *s)
{
	size_t k = s->enc == ESP_ENC_AES_GCM ? s->eklen - 4 : s->eklen;

	switch (s->enc) {
	case ESP_ENC_AES_CBC:
		return k == 16	 ? EVP_aes_128_cbc()
		       : k == 24 ? EVP_aes_192_cbc()
				 : EVP_aes_256_cbc();
	case ESP_ENC_AES_GCM:
		return k == 16	 ? EVP_aes_128_gcm()
		       : k == 24 ? EVP_aes_192_gcm()
				 : EVP_aes_256_gcm();
	case ESP_ENC_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	case ESP_ENC_3DES_CBC:
		return EVP_des_ede3_cbc();
	default:
		return NULL;
	}
}

static const char *ref_md(enum esp_auth a)
{
	static const char *const md[ESP_AUTH_MAX] = {
		[ESP_AUTH_HMAC_SHA1_96] = "SHA1",      [ESP_AUTH_HMAC_SHA256_128] = "SHA256",
		[ESP_AUTH_HMAC_SHA384_192] = "SHA384", [ESP_AUTH_HMAC_SHA512_256] = "SHA512",
		[ESP_AUTH_HMAC_MD5_96] = "MD5",
	};
	return md[a];
}

static bool aead(enum esp_enc e)
{
	return e == ESP_ENC_AES_GCM || e == ESP_ENC_CHACHA20_POLY1305;
}

/* RFC 4106 / RFC 7634: nonce salt || IV, AAD SPI [|| seq_hi] || seq_lo. */
static int ref_aead(const struct sa *s, struct pkt *p, int enc)
{
	uint8_t nonce[12], aad[12];
	size_t alen = s->esn ? 12 : 8;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	memcpy(nonce, s->ekey + s->eklen - 4, 4);
	memcpy(nonce + 4, p->op.iv, 8);
	memcpy(aad, p->op.esp, 4);
	put32(aad + 4, p->op.seq_hi);
	memcpy(aad + alen - 4, p->op.esp + 4, 4);
	ok = c != NULL && EVP_CipherInit_ex(c, ref_cipher(s), NULL, NULL, NULL, enc) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
	     EVP_CipherInit_ex(c, NULL, NULL, s->ekey, nonce, enc) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, p->op.icv) == 1) &&
	     EVP_CipherUpdate(c, NULL, &n, aad, (int)alen) == 1 &&
	     EVP_CipherUpdate(c, p->op.payload, &n, p->op.payload, (int)p->op.len) == 1 &&
	     EVP_CipherFinal_ex(c, p->op.payload + n, &n) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, p->op.icv) == 1);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EBADMSG;
}

/* RFC 4303 section 3.3.2.1: HMAC over ESP header .. ciphertext, then seq_hi with ESN. */
static void ref_icv(const struct sa *s, const struct pkt *p, uint8_t *out)
{
	OSSL_PARAM prm[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)ref_md(s->auth), 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(hmac);
	uint8_t hi[4], full[64] = {0};
	size_t n = 0;

	put32(hi, p->op.seq_hi);
	CU_ASSERT_FATAL(c != NULL && EVP_MAC_init(c, s->akey, s->aklen, prm) == 1);
	EVP_MAC_update(c, p->op.esp, (size_t)(p->op.icv - p->op.esp));
	if (s->esn)
		EVP_MAC_update(c, hi, 4);
	CU_ASSERT(EVP_MAC_final(c, full, &n, sizeof(full)) == 1);
	EVP_MAC_CTX_free(c);
	memcpy(out, full, ESP_XFORM_ICV_MAX);
}

static void ref_cbc(const struct sa *s, struct pkt *p, int enc)
{
	EVP_CIPHER_CTX *c;
	int n;

	if (s->enc == ESP_ENC_NULL)
		return;
	c = EVP_CIPHER_CTX_new();
	CU_ASSERT_FATAL(c != NULL &&
			EVP_CipherInit_ex(c, ref_cipher(s), NULL, s->ekey, p->op.iv, enc) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	CU_ASSERT(EVP_CipherUpdate(c, p->op.payload, &n, p->op.payload, (int)p->op.len) == 1);
	CU_ASSERT(EVP_CipherFinal_ex(c, p->op.payload + n, &n) == 1);
	EVP_CIPHER_CTX_free(c);
}

static void ref_seal(const struct sa *s, const struct esp_xform *x, struct pkt *p)
{
	uint8_t icv[ESP_XFORM_ICV_MAX];

	if (aead(s->enc)) {
		CU_ASSERT(ref_aead(s, p, 1) == 0);
		return;
	}
	ref_cbc(s, p, 1);
	ref_icv(s, p, icv);
	memcpy(p->op.icv, icv, esp_xform_icv_len(x));
}

static int ref_open(const struct sa *s, const struct esp_xform *x, struct pkt *p)
{
	uint8_t icv[ESP_XFORM_ICV_MAX];

	if (aead(s->enc))
		return ref_aead(s, p, 0);
	ref_icv(s, p, icv);
	if (CRYPTO_memcmp(icv, p->op.icv, esp_xform_icv_len(x)) != 0)
		return -EBADMSG;
	ref_cbc(s, p, 0);
	return 0;
}

/* ---- suite plumbing ---- */

static int suite_init(void)
{
	const char *env = getenv("ESP_XFORM_SEED");

	seed = env != NULL ? strtoull(env, NULL, 0) : 0x65737078666f726dull;
	rng = seed != 0 ? seed : 1;
	mgr = crypto_imb_mgr_create();
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	return mgr != NULL && hmac != NULL ? 0 : -1;
}

static int suite_clean(void)
{
	crypto_imb_mgr_free(mgr);
	EVP_MAC_free(hmac);
	esp_xform_wipe(xa);
	esp_xform_wipe(xb);
	return 0;
}

static void collect(struct pkt *p, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		ops[i] = p[i].op;
}

/* ---- known answers ---- */

/*
 * The IV field's content that encryption turns into iv: D_K(iv), since the CBC encrypt job
 * enciphers the field (esp_xform_iv). One AES block with OpenSSL.
 */
static void nonce_for(const uint8_t *key, size_t klen, const uint8_t *iv, uint8_t *nonce)
{
	const EVP_CIPHER *ecb = klen == 16   ? EVP_aes_128_ecb()
				: klen == 24 ? EVP_aes_192_ecb()
					     : EVP_aes_256_ecb();
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;

	CU_ASSERT_FATAL(c != NULL && EVP_DecryptInit_ex(c, ecb, NULL, key, NULL) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	CU_ASSERT(EVP_DecryptUpdate(c, nonce, &n, iv, 16) == 1 && n == 16);
	EVP_CIPHER_CTX_free(c);
}

/*
 * RFC 3602 section 4, cases 5-8: the CBC path, cipher only (esp_xform_init_kat). The IV field
 * is given the nonce whose encryption is the case's IV; the packet must come out as published,
 * IV included.
 */
static void test_rfc3602(void)
{
	for (size_t v = 0; v < RTE_DIM(rfc3602_vecs); v++) {
		const struct cbc_esp_vec *t = &rfc3602_vecs[v];
		struct sa s = {.enc = ESP_ENC_AES_CBC, .auth = ESP_AUTH_NONE};
		uint8_t ct[HEX_MAX], iv[16];
		struct pkt *p = &pkts[0];
		size_t len;

		s.eklen = unhex_ok(t->key, s.ekey, sizeof(s.ekey));
		if (sa_init(xa, &s, true) != 0)
			continue;
		len = unhex_ok(t->plain, p->plain, sizeof(p->plain));
		CU_ASSERT_FATAL(unhex_ok(t->cipher, ct, sizeof(ct)) == len);
		layout(p, xa, (uint32_t)len);
		put32(p->buf, t->spi);
		put32(p->buf + 4, t->seq);
		CU_ASSERT_FATAL(unhex_ok(t->iv, iv, sizeof(iv)) == 16);
		nonce_for(s.ekey, s.eklen, iv, p->op.iv);
		memcpy(p->op.payload, p->plain, len);
		CU_ASSERT(esp_xform_encrypt(mgr, xa, &p->op, 1) == 1 && p->op.status == 0);
		CHECK(memcmp(p->op.iv, iv, 16) == 0, "RFC 3602 %s: IV\n", t->name);
		CHECK(memcmp(p->op.payload, ct, len) == 0, "RFC 3602 %s: ciphertext\n", t->name);
		CU_ASSERT(esp_xform_decrypt(mgr, xa, &p->op, 1) == 1 && p->op.status == 0);
		CHECK(memcmp(p->op.payload, p->plain, len) == 0, "RFC 3602 %s: back\n", t->name);
	}
}

/* Decrypt the published packet, compare, re-encrypt to the same bytes, then tamper. */
static void aead_vector(const struct aead_esp_vec *t)
{
	struct sa s = {.enc = t->enc, .auth = ESP_AUTH_NONE, .esn = t->esn};
	uint8_t ct[HEX_MAX], icv[16], plain[HEX_MAX];
	struct pkt *p = &pkts[0];
	size_t len;

	s.eklen = unhex_ok(t->keymat, s.ekey, sizeof(s.ekey));
	if (sa_init(xa, &s, false) != 0)
		return;
	len = unhex_ok(t->cipher, ct, sizeof(ct));
	CU_ASSERT_FATAL(unhex_ok(t->icv, icv, sizeof(icv)) == 16);
	layout(p, xa, (uint32_t)len);
	put32(p->buf, t->spi);
	put32(p->buf + 4, t->seq);
	p->op.seq_hi = t->seq_hi;
	CU_ASSERT_FATAL(unhex_ok(t->iv, p->op.iv, 8) == 8);
	memcpy(p->op.payload, ct, len);
	memcpy(p->op.icv, icv, 16);
	CHECK(esp_xform_decrypt(mgr, xa, &p->op, 1) == 1 && p->op.status == 0,
	      "%s: ICV does not verify\n", t->name);
	if (t->plain != NULL) {
		CU_ASSERT_FATAL(unhex_ok(t->plain, plain, sizeof(plain)) == len);
		CHECK(memcmp(p->op.payload, plain, len) == 0, "%s: plaintext\n", t->name);
	}
	rnd_fill(p->op.icv, 16);
	CU_ASSERT(esp_xform_encrypt(mgr, xa, &p->op, 1) == 1 && p->op.status == 0);
	CHECK(memcmp(p->op.payload, ct, len) == 0 && memcmp(p->op.icv, icv, 16) == 0,
	      "%s: ciphertext or ICV\n", t->name);
	p->op.icv[below(16)] ^= (uint8_t)(1u << below(8));
	CU_ASSERT(esp_xform_decrypt(mgr, xa, &p->op, 1) == 0 && p->op.status == -EBADMSG);
	if (t->esn) { /* seq_hi is authenticated though never sent */
		memcpy(p->op.payload, ct, len);
		memcpy(p->op.icv, icv, 16);
		p->op.seq_hi ^= 1;
		CU_ASSERT(esp_xform_decrypt(mgr, xa, &p->op, 1) == 0 && p->op.status == -EBADMSG);
	}
}

static void test_aead_vectors(void)
{
	for (size_t v = 0; v < RTE_DIM(aead_vecs); v++)
		aead_vector(&aead_vecs[v]);
}

static FILE *vec_open(const char *rel)
{
	const char *dir = getenv("VPNHUB_CRYPTO_VECTORS");
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : VEC_DIR, rel);
	f = fopen(path, "r");
	if (f == NULL)
		fprintf(stderr, "\n  cannot open %s: install python3-cryptography-vectors\n", path);
	CU_ASSERT_PTR_NOT_NULL(f);
	return f;
}

/* "Name = value" into value, or NULL. */
static const char *field(const char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) != 0 || strncmp(line + n, " = ", 3) != 0)
		return NULL;
	return line + n + 3;
}

struct gcm_rec {
	uint8_t key[32], iv[12], pt[64], aad[128], ct[64], tag[16];
	size_t klen, ivlen, ptlen, aadlen, ctlen, taglen;
};

/* One CAVP record through the SA's AEAD builder: key || IV[0..4] is the keymat. */
static void cavp_one(const struct gcm_rec *r)
{
	struct sa s = {.enc = ESP_ENC_AES_GCM, .auth = ESP_AUTH_NONE};
	uint8_t buf[64], tag[16];

	memcpy(s.ekey, r->key, r->klen);
	memcpy(s.ekey + r->klen, r->iv, 4);
	s.eklen = r->klen + 4;
	if (sa_init(xa, &s, false) != 0)
		return;
	memcpy(buf, r->pt, r->ptlen);
	CU_ASSERT(esp_xform_aead_kat(mgr, xa, true, r->iv + 4, r->aad, (uint32_t)r->aadlen, buf,
				     (uint32_t)r->ptlen, tag) == 0);
	CHECK(memcmp(buf, r->ct, r->ctlen) == 0 && memcmp(tag, r->tag, 16) == 0,
	      "CAVP GCM: ciphertext or tag (key %zu, PT %zu, AAD %zu)\n", r->klen, r->ptlen,
	      r->aadlen);
	CU_ASSERT(esp_xform_aead_kat(mgr, xa, false, r->iv + 4, r->aad, (uint32_t)r->aadlen, buf,
				     (uint32_t)r->ctlen, tag) == 0);
	CU_ASSERT(memcmp(buf, r->pt, r->ptlen) == 0);
	tag[below(16)] ^= (uint8_t)(1u << below(8));
	CU_ASSERT(esp_xform_aead_kat(mgr, xa, false, r->iv + 4, r->aad, (uint32_t)r->aadlen, buf,
				     (uint32_t)r->ctlen, tag) == -EBADMSG);
}

/* gcmEncryptExtIV*.rsp: the records with a 96-bit IV and a 128-bit tag, every AAD length. */
static unsigned int cavp_file(const char *rel)
{
	struct gcm_rec r;
	char line[1024];
	unsigned int ran = 0;
	const char *v;
	FILE *f = vec_open(rel);

	if (f == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((v = field(line, "Key")) != NULL)
			r.klen = unhex_ok(v, r.key, sizeof(r.key));
		else if ((v = field(line, "IV")) != NULL)
			r.ivlen = unhex(v, r.iv, sizeof(r.iv)); /* other IV lengths are skipped */
		else if ((v = field(line, "PT")) != NULL)
			r.ptlen = unhex_ok(v, r.pt, sizeof(r.pt));
		else if ((v = field(line, "AAD")) != NULL)
			r.aadlen = unhex_ok(v, r.aad, sizeof(r.aad));
		else if ((v = field(line, "CT")) != NULL)
			r.ctlen = unhex_ok(v, r.ct, sizeof(r.ct));
		else if ((v = field(line, "Tag")) != NULL) {
			r.taglen = unhex(v, r.tag, sizeof(r.tag));
			if (r.ivlen == 12 && r.taglen == 16 && r.ctlen == r.ptlen) {
				cavp_one(&r);
				ran++;
			}
			memset(&r, 0, sizeof(r));
		}
	}
	fclose(f);
	return ran;
}

static void test_cavp_gcm(void)
{
	unsigned int n128 = cavp_file("ciphers/AES/GCM/gcmEncryptExtIV128.rsp");
	unsigned int n256 = cavp_file("ciphers/AES/GCM/gcmEncryptExtIV256.rsp");

	CHECK(n128 >= CAVP_MIN && n256 >= CAVP_MIN, "CAVP GCM: only %u + %u records ran\n", n128,
	      n256);
}

/* An HMAC known answer through NULL encryption: the data is the ESP header and payload. */
static void hmac_one(enum esp_auth auth, const uint8_t *key, size_t klen, const uint8_t *data,
		     size_t dlen, const uint8_t *want, const char *name)
{
	struct esp_xform_conf c = {ESP_ENC_NULL, NULL, 0, auth, key, klen, false, ESP_XFORM_BOTH};
	struct pkt *p = &pkts[0];
	char err[160] = "";
	size_t icv;

	CU_ASSERT_FATAL(dlen >= ESP_HDR_LEN && dlen < 1024);
	if (esp_xform_init_kat(xa, &c, err, sizeof(err)) != 0) {
		CHECK(false, "%s: %s\n", name, err);
		return;
	}
	layout(p, xa, (uint32_t)(dlen - ESP_HDR_LEN));
	memcpy(p->buf, data, dlen);
	icv = esp_xform_icv_len(xa);
	CU_ASSERT(esp_xform_encrypt(mgr, xa, &p->op, 1) == 1);
	CHECK(memcmp(p->op.icv, want, icv) == 0, "%s: ICV\n", name);
	CU_ASSERT(esp_xform_decrypt(mgr, xa, &p->op, 1) == 1 && p->op.status == 0);
	p->op.icv[icv - 1] ^= 0x80;
	CU_ASSERT(esp_xform_decrypt(mgr, xa, &p->op, 1) == 0 && p->op.status == -EBADMSG);
}

/* RFC 4868 section 2.7.2: keys of the ESP lengths, truncated outputs. */
static void test_rfc4868(void)
{
	for (size_t v = 0; v < RTE_DIM(rfc4868_vecs); v++) {
		const struct hmac_vec *t = &rfc4868_vecs[v];
		uint8_t key[64], data[64], icv[32];
		size_t kl = unhex_ok(t->key, key, sizeof(key));
		size_t dl = unhex_ok(t->data, data, sizeof(data));
		struct esp_xform_conf c = {ESP_ENC_NULL, NULL, 0,     t->auth,
					   key,		 kl,   false, ESP_XFORM_BOTH};
		char err[160];

		CU_ASSERT_FATAL(unhex_ok(t->icv, icv, sizeof(icv)) > 0);
		CHECK(esp_xform_init(xb, &c, err, sizeof(err)) == 0, "%s: key refused\n", t->name);
		hmac_one(t->auth, key, kl, data, dl, icv, t->name);
	}
}

/* RFC 2202 from the vectors package: Key, Msg, MD (the first 12 bytes are the ICV). */
static unsigned int rfc2202_file(const char *rel, enum esp_auth auth)
{
	uint8_t key[128], msg[128], md[32];
	size_t kl = 0, ml = 0;
	char line[1024];
	unsigned int ran = 0;
	const char *v;
	FILE *f = vec_open(rel);

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((v = field(line, "Key")) != NULL) {
			kl = unhex_ok(v, key, sizeof(key));
		} else if ((v = field(line, "Msg")) != NULL) {
			ml = unhex_ok(v, msg, sizeof(msg));
		} else if ((v = field(line, "MD")) != NULL) {
			CU_ASSERT(unhex_ok(v, md, sizeof(md)) >= 12);
			hmac_one(auth, key, kl, msg, ml, md, rel);
			ran++;
		}
	}
	fclose(f);
	return ran;
}

static void test_rfc2202(void)
{
	CU_ASSERT(rfc2202_file("HMAC/rfc-2202-sha1.txt", ESP_AUTH_HMAC_SHA1_96) == 7);
	CU_ASSERT(rfc2202_file("HMAC/rfc-2202-md5.txt", ESP_AUTH_HMAC_MD5_96) == 7);
}

/* ---- cross-check against OpenSSL ---- */

static void random_sa(struct sa *s, enum esp_enc e, enum esp_auth a)
{
	static const uint8_t aes[3] = {16, 24, 32};
	static const uint8_t akl[ESP_AUTH_MAX] = {0, 20, 32, 48, 64, 16};

	memset(s, 0, sizeof(*s));
	s->enc = e;
	s->auth = a;
	s->eklen = e == ESP_ENC_NULL	   ? 0
		   : e == ESP_ENC_3DES_CBC ? 24
		   : e == ESP_ENC_CHACHA20_POLY1305
			   ? 36
			   : aes[below(3)] + (e == ESP_ENC_AES_GCM ? 4u : 0u);
	s->aklen = akl[a];
	rnd_fill(s->ekey, sizeof(s->ekey));
	rnd_fill(s->akey, sizeof(s->akey));
	s->esn = below(2);
	s->spi = (uint32_t)rnd() | 0x100;
}

static uint64_t random_seq(const struct sa *s)
{
	return s->esn ? rnd() : 1 + (rnd() & 0xfffffffe);
}

/* esp_xform seals n packets, OpenSSL opens them. */
static void xcheck_seal(const struct sa *s, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		build(&pkts[i], xa, s, random_seq(s));
	collect(pkts, n);
	CHECK(esp_xform_encrypt(mgr, xa, ops, n) == n, "%s/%s esn %d: encrypt\n",
	      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn);
	for (uint16_t i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];

		CU_ASSERT(ops[i].status == 0);
		CHECK(ref_open(s, xa, p) == 0 && memcmp(p->op.payload, p->plain, p->op.len) == 0,
		      "%s/%s esn %d len %u: OpenSSL cannot open it (seed %#" PRIx64 ")\n",
		      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn, p->op.len, seed);
	}
}

/* OpenSSL seals n packets, esp_xform opens them; with tamper, about half get one bit flipped. */
static void xcheck_open(const struct sa *s, uint16_t n, bool tamper)
{
	static uint8_t rcvd[ESP_XFORM_BURST][ESP_XFORM_ICV_MAX];
	size_t icv = esp_xform_icv_len(xa);
	bool bad[ESP_XFORM_BURST];
	uint16_t want = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];
		size_t bytes;

		build(p, xa, s, random_seq(s));
		rnd_fill(p->op.iv, esp_xform_iv_len(xa)); /* any IV must do */
		ref_seal(s, xa, p);
		bytes = pkt_bytes(p, xa);
		bad[i] = tamper && below(2);
		if (bad[i] && s->esn && below(4) == 0)
			p->op.seq_hi ^= 1u << below(32); /* the unsent part of the sequence */
		else if (bad[i])
			p->buf[below((uint32_t)bytes)] ^= (uint8_t)(1u << below(8));
		want += !bad[i];
		memcpy(rcvd[i], p->op.icv, icv);
	}
	collect(pkts, n);
	CHECK(esp_xform_decrypt(mgr, xa, ops, n) == want, "%s/%s esn %d: decrypt count\n",
	      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn);
	for (uint16_t i = 0; i < n; i++) {
		const struct pkt *p = &pkts[i];

		CHECK(ops[i].status == (bad[i] ? -EBADMSG : 0),
		      "%s/%s esn %d len %u tampered %d: status %d (seed %#" PRIx64 ")\n",
		      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn, p->op.len, bad[i],
		      ops[i].status, seed);
		if (!bad[i])
			CU_ASSERT(memcmp(p->op.payload, p->plain, p->op.len) == 0);
		/* the ICV area is left as received (ESN borrowed it) */
		CU_ASSERT(memcmp(p->op.icv, rcvd[i], icv) == 0);
	}
}

static void xcheck_suite(enum esp_enc e, enum esp_auth a)
{
	for (unsigned int done = 0; done < XCHECK_PKTS;) {
		struct sa s;
		uint16_t n = (uint16_t)RTE_MIN(1 + below(ESP_XFORM_BURST), XCHECK_PKTS - done);

		random_sa(&s, e, a);
		if (sa_init(xa, &s, false) != 0)
			return;
		xcheck_seal(&s, n);
		xcheck_open(&s, n, false);
		xcheck_open(&s, n, true);
		done += n;
	}
}

static void test_xcheck_aead(void)
{
	xcheck_suite(ESP_ENC_AES_GCM, ESP_AUTH_NONE);
	xcheck_suite(ESP_ENC_CHACHA20_POLY1305, ESP_AUTH_NONE);
}

static void test_xcheck_hmac(void)
{
	static const enum esp_enc encs[] = {ESP_ENC_NULL, ESP_ENC_AES_CBC, ESP_ENC_3DES_CBC};

	for (size_t e = 0; e < RTE_DIM(encs); e++)
		for (int a = ESP_AUTH_HMAC_SHA1_96; a < ESP_AUTH_MAX; a++)
			xcheck_suite(encs[e], (enum esp_auth)a);
}

/* More ops than one library round: 77 packets in one call, opened by OpenSSL. */
static void test_long_burst(void)
{
	static struct pkt many[77];
	static struct esp_crypto_op mops[77];
	struct sa s;

	random_sa(&s, ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA256_128);
	if (sa_init(xa, &s, false) != 0)
		return;
	for (size_t i = 0; i < RTE_DIM(many); i++) {
		build(&many[i], xa, &s, random_seq(&s));
		mops[i] = many[i].op;
	}
	CU_ASSERT(esp_xform_encrypt(mgr, xa, mops, RTE_DIM(mops)) == RTE_DIM(mops));
	for (size_t i = 0; i < RTE_DIM(many); i++)
		CU_ASSERT(ref_open(&s, xa, &many[i]) == 0 &&
			  memcmp(many[i].op.payload, many[i].plain, many[i].op.len) == 0);
}

/* ---- bad input ---- */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void refuse(enum esp_enc e, size_t eklen, enum esp_auth a, size_t aklen, const char *why)
{
	uint8_t ek[64], ak[128];
	struct esp_xform_conf c = {e, ek, eklen, a, ak, aklen, false, ESP_XFORM_BOTH};
	char err[160] = "";

	for (size_t i = 0; i < sizeof(ek); i++)
		ek[i] = (uint8_t)(i * 7 + 1);
	memset(ak, 0x5a, sizeof(ak));
	memset(&room_b, 0xee, sizeof(room_b));
	CHECK(esp_xform_init(xb, &c, err, sizeof(err)) == -EINVAL && err[0] != '\0',
	      "accepted: %s\n", why);
	CHECK(all_zero(xb, esp_xform_size(&c)), "refused SA not zeroed: %s\n", why);
}

static void test_bad_conf(void)
{
	refuse(ESP_ENC_AES_CBC, 0, ESP_AUTH_HMAC_SHA1_96, 20, "no AES key");
	refuse(ESP_ENC_AES_CBC, 20, ESP_AUTH_HMAC_SHA1_96, 20, "AES key of 20");
	refuse(ESP_ENC_AES_GCM, 16, ESP_AUTH_NONE, 0, "GCM key without salt");
	refuse(ESP_ENC_AES_GCM, 37, ESP_AUTH_NONE, 0, "GCM keymat of 37");
	refuse(ESP_ENC_CHACHA20_POLY1305, 32, ESP_AUTH_NONE, 0, "ChaCha key without salt");
	refuse(ESP_ENC_3DES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20, "two-key 3DES");
	refuse(ESP_ENC_NULL, 16, ESP_AUTH_HMAC_SHA1_96, 20, "NULL encryption with a key");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 0, "no HMAC key");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 16, "SHA1 key of 16");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA256_128, 20, "SHA256 key of 20");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA384_192, 64, "SHA384 key of 64");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA512_256, 48, "SHA512 key of 48");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_MD5_96, 20, "MD5 key of 20");
	refuse(ESP_ENC_AES_GCM, 20, ESP_AUTH_HMAC_SHA256_128, 32, "AEAD with an HMAC");
	refuse(ESP_ENC_AES_CBC, 16, ESP_AUTH_NONE, 0, "CBC without integrity");
	refuse(ESP_ENC_3DES_CBC, 24, ESP_AUTH_NONE, 0, "3DES without integrity");
	refuse(ESP_ENC_NULL, 0, ESP_AUTH_NONE, 0, "NULL without integrity");
	refuse((enum esp_enc)ESP_ENC_MAX, 16, ESP_AUTH_HMAC_SHA1_96, 20, "unknown cipher");
	refuse((enum esp_enc) - 1, 16, ESP_AUTH_HMAC_SHA1_96, 20, "negative cipher");
	refuse(ESP_ENC_AES_CBC, 16, (enum esp_auth)ESP_AUTH_MAX, 20, "unknown HMAC");

	/* 3DES whose parts repeat is single DES (k1 = k2, then k2 = k3) */
	uint8_t k[24], a[20] = {0};
	struct esp_xform_conf c = {ESP_ENC_3DES_CBC, k, 24, ESP_AUTH_HMAC_SHA1_96, a, 20, false,
				   ESP_XFORM_BOTH};
	char err[160];
	for (int i = 0; i < 24; i++)
		k[i] = (uint8_t)(i % 16);
	CU_ASSERT(esp_xform_init(xb, &c, err, sizeof(err)) == -EINVAL);
	for (int i = 0; i < 24; i++)
		k[i] = (uint8_t)(i < 8 ? i : 100 + i % 8);
	CU_ASSERT(esp_xform_init(xb, &c, err, sizeof(err)) == -EINVAL);
	c.enc_key = NULL;
	CU_ASSERT(esp_xform_init(xb, &c, err, sizeof(err)) == -EINVAL);
}

/* Lengths the transform refuses, each in a burst with a good packet that must still pass. */
static void bad_len(enum esp_enc e, enum esp_auth a, uint32_t len)
{
	struct sa s;

	random_sa(&s, e, a);
	if (sa_init(xa, &s, false) != 0)
		return;
	build(&pkts[0], xa, &s, 7);
	build(&pkts[1], xa, &s, 8);
	layout(&pkts[1], xa, len);
	collect(pkts, 2);
	CHECK(esp_xform_encrypt(mgr, xa, ops, 2) == 1 && ops[0].status == 0 &&
		      ops[1].status == -EINVAL,
	      "%s: encrypt of len %u\n", esp_enc_name(e), len);
	CHECK(esp_xform_decrypt(mgr, xa, ops, 2) == 1 && ops[0].status == 0 &&
		      ops[1].status == -EINVAL,
	      "%s: decrypt of len %u\n", esp_enc_name(e), len);
}

static void test_bad_len(void)
{
	bad_len(ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA256_128, 17);
	bad_len(ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96, 40);
	bad_len(ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96, 0);
	bad_len(ESP_ENC_3DES_CBC, ESP_AUTH_HMAC_SHA1_96, 12);
	bad_len(ESP_ENC_3DES_CBC, ESP_AUTH_HMAC_MD5_96, 0);
	bad_len(ESP_ENC_AES_GCM, ESP_AUTH_NONE, 0);
	bad_len(ESP_ENC_AES_GCM, ESP_AUTH_NONE, 1);
	bad_len(ESP_ENC_CHACHA20_POLY1305, ESP_AUTH_NONE, 0);
	bad_len(ESP_ENC_NULL, ESP_AUTH_HMAC_SHA512_256, 0);
	bad_len(ESP_ENC_NULL, ESP_AUTH_HMAC_SHA384_192, 1);
	bad_len(ESP_ENC_AES_GCM, ESP_AUTH_NONE, ESP_XFORM_LEN_MAX + 1);
}

/* Key bytes are in the transform after init (round 0 of AES is the key), nowhere after wipe. */
static void test_wipe(void)
{
	static const enum esp_enc encs[] = {ESP_ENC_AES_CBC, ESP_ENC_AES_GCM,
					    ESP_ENC_CHACHA20_POLY1305, ESP_ENC_3DES_CBC};

	for (size_t e = 0; e < RTE_DIM(encs); e++) {
		struct sa s;

		random_sa(&s, encs[e], aead(encs[e]) ? ESP_AUTH_NONE : ESP_AUTH_HMAC_SHA1_96);
		if (sa_init(xa, &s, false) != 0)
			continue;
		size_t size = xa->size;
		if (encs[e] != ESP_ENC_3DES_CBC)
			CU_ASSERT(memmem(xa, size, s.ekey, 16) != NULL);
		CU_ASSERT(!all_zero(xa->keys + xa->off_ipad, 16) || aead(encs[e]));
		esp_xform_wipe(xa);
		CU_ASSERT(all_zero(xa, size));
	}
}

static size_t iv_cmp_len;

static int iv_cmp(const void *a, const void *b)
{
	return memcmp(a, b, iv_cmp_len);
}

/* The IV a CBC packet with sequence number q is sent with: its IV field after encryption. */
static void sent_iv(const struct esp_xform *x, const struct sa *s, uint64_t q, uint8_t *iv,
		    uint8_t *nonce)
{
	struct pkt *p = &pkts[0];

	layout(p, x, (uint32_t)esp_xform_pad_align(x));
	put32(p->buf, s->spi);
	put32(p->buf + 4, (uint32_t)q);
	memset(p->op.payload, 0x42, p->op.len + esp_xform_icv_len(x));
	p->op.seq_hi = (uint32_t)(q >> 32);
	esp_xform_iv(x, q, p->op.iv);
	memcpy(nonce, p->op.iv, esp_xform_iv_len(x));
	CU_ASSERT(esp_xform_encrypt(mgr, x, &p->op, 1) == 1);
	memcpy(iv, p->op.iv, esp_xform_iv_len(x));
}

/* E_K(nonce) with OpenSSL: what the IV must be (NIST SP 800-38A appendix C). */
static void ref_block(const struct sa *s, const uint8_t *nonce, uint8_t *out)
{
	const EVP_CIPHER *ecb = s->enc == ESP_ENC_3DES_CBC ? EVP_des_ede3_ecb()
				: s->eklen == 16	   ? EVP_aes_128_ecb()
				: s->eklen == 24	   ? EVP_aes_192_ecb()
							   : EVP_aes_256_ecb();
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;

	CU_ASSERT_FATAL(c != NULL && EVP_EncryptInit_ex(c, ecb, NULL, s->ekey, NULL) == 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	CU_ASSERT(EVP_EncryptUpdate(c, out, &n, nonce, EVP_CIPHER_get_block_size(ecb)) == 1);
	EVP_CIPHER_CTX_free(c);
}

/*
 * AEAD IVs are the counter. CBC IVs as sent are E_K(nonce) of the nonce esp_xform_iv writes:
 * all distinct, not the counter, and different between two SAs with the same keys (each draws
 * its own random nonce part).
 */
static void test_iv(void)
{
	static uint8_t ivs[4096][16];
	uint8_t iv[16], nonce[16], want[16], be[8];
	struct sa s;

	random_sa(&s, ESP_ENC_AES_GCM, ESP_AUTH_NONE);
	CU_ASSERT_FATAL(sa_init(xa, &s, false) == 0);
	esp_xform_iv(xa, 0x0102030405060708ull, iv);
	CU_ASSERT(memcmp(iv, "\x01\x02\x03\x04\x05\x06\x07\x08", 8) == 0);
	for (int e = 0; e < 2; e++) {
		unsigned int same = 0;

		random_sa(&s, e ? ESP_ENC_3DES_CBC : ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96);
		CU_ASSERT_FATAL(sa_init_dir(xa, &s, ESP_XFORM_ENC) == 0);
		CU_ASSERT_FATAL(sa_init_dir(xb, &s, ESP_XFORM_ENC) == 0); /* same keys */
		iv_cmp_len = esp_xform_iv_len(xa);
		for (uint64_t q = 0; q < RTE_DIM(ivs); q++) {
			uint64_t b = rte_cpu_to_be_64(q);

			memcpy(be, &b, 8);
			sent_iv(xb, &s, q, iv, nonce);
			sent_iv(xa, &s, q, ivs[q], nonce);
			ref_block(&s, nonce, want);
			CU_ASSERT(memcmp(ivs[q], want, iv_cmp_len) == 0);
			CU_ASSERT(memcmp(ivs[q], iv, iv_cmp_len) != 0 &&
				  memcmp(ivs[q], be, 8) != 0 && memcmp(ivs[q], nonce, 8) != 0);
		}
		qsort(ivs, RTE_DIM(ivs), sizeof(ivs[0]), iv_cmp);
		for (size_t i = 1; i < RTE_DIM(ivs); i++)
			same += iv_cmp(ivs[i], ivs[i - 1]) == 0;
		CU_ASSERT(same == 0);
	}
	random_sa(&s, ESP_ENC_NULL, ESP_AUTH_HMAC_SHA1_96);
	CU_ASSERT_FATAL(sa_init(xa, &s, false) == 0);
	CU_ASSERT(esp_xform_iv_len(xa) == 0);
}

/* The per-suite sizes the ESP layer lays packets out by. */
static void test_sizes(void)
{
	static const struct {
		enum esp_enc e;
		enum esp_auth a;
		size_t iv, icv, align;
	} t[] = {
		{ESP_ENC_AES_GCM, ESP_AUTH_NONE, 8, 16, 4},
		{ESP_ENC_CHACHA20_POLY1305, ESP_AUTH_NONE, 8, 16, 4},
		{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96, 16, 12, 16},
		{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA256_128, 16, 16, 16},
		{ESP_ENC_3DES_CBC, ESP_AUTH_HMAC_SHA384_192, 8, 24, 8},
		{ESP_ENC_NULL, ESP_AUTH_HMAC_SHA512_256, 0, 32, 4},
		{ESP_ENC_NULL, ESP_AUTH_HMAC_MD5_96, 0, 12, 4},
	};
	for (size_t i = 0; i < RTE_DIM(t); i++) {
		struct sa s;

		random_sa(&s, t[i].e, t[i].a);
		if (sa_init(xa, &s, false) != 0)
			continue;
		CU_ASSERT(esp_xform_iv_len(xa) == t[i].iv);
		CU_ASSERT(esp_xform_icv_len(xa) == t[i].icv);
		CU_ASSERT(esp_xform_pad_align(xa) == t[i].align);
	}
}

/* The SA holds no pointer into itself: a copy of its size works after the original is wiped. */
static void test_copy(void)
{
	struct sa s;

	random_sa(&s, ESP_ENC_3DES_CBC, ESP_AUTH_HMAC_SHA256_128);
	if (sa_init(xb, &s, false) != 0)
		return;
	memcpy(xa, xb, xb->size);
	esp_xform_wipe(xb);
	xcheck_seal(&s, 8);
	xcheck_open(&s, 8, true);
}

/* ---- one-way SAs and bursts across SAs ---- */

#define MIX_SAS 9

/* The suites of a mixed burst: every family, several keys of one suite, ESN as random_sa says. */
static const struct {
	enum esp_enc e;
	enum esp_auth a;
} mix_suites[MIX_SAS] = {
	{ESP_ENC_AES_GCM, ESP_AUTH_NONE},
	{ESP_ENC_AES_GCM, ESP_AUTH_NONE},
	{ESP_ENC_CHACHA20_POLY1305, ESP_AUTH_NONE},
	{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96},
	{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA1_96},
	{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA256_128},
	{ESP_ENC_3DES_CBC, ESP_AUTH_HMAC_MD5_96},
	{ESP_ENC_NULL, ESP_AUTH_HMAC_SHA384_192},
	{ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA512_256},
};

/* Each SA of the mix three times: outbound (ENC), inbound (DEC), and both ways (BOTH). */
static union esp_xform_room mix_out[MIX_SAS], mix_in[MIX_SAS], mix_both[MIX_SAS];
static struct sa mix_sa[MIX_SAS];
static struct pkt twin[ESP_XFORM_BURST];

static int mix_init(void)
{
	for (unsigned int k = 0; k < MIX_SAS; k++) {
		random_sa(&mix_sa[k], mix_suites[k].e, mix_suites[k].a);
		if (sa_init_dir(&mix_out[k].x, &mix_sa[k], ESP_XFORM_ENC) != 0 ||
		    sa_init_dir(&mix_in[k].x, &mix_sa[k], ESP_XFORM_DEC) != 0 ||
		    sa_init(&mix_both[k].x, &mix_sa[k], false) != 0)
			return -1;
	}
	return 0;
}

/* A burst of n packets over the mix; every SA appears, neighbours mostly differ. */
static void mix_assign(unsigned int *who, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		who[i] = i < MIX_SAS ? (i * 4u) % MIX_SAS : below(MIX_SAS);
}

/* Sealed across SAs in one call = sealed per SA, byte for byte; OpenSSL opens every packet. */
static void test_multi_seal(void)
{
	const struct esp_xform *xs[ESP_XFORM_BURST];
	struct esp_crypto_op one[ESP_XFORM_BURST];
	unsigned int who[ESP_XFORM_BURST];
	const uint16_t n = ESP_XFORM_BURST;

	if (mix_init() != 0)
		return;
	mix_assign(who, n);
	for (uint16_t i = 0; i < n; i++) {
		const struct sa *s = &mix_sa[who[i]];

		build(&pkts[i], &mix_out[who[i]].x, s, random_seq(s));
		twin[i] = pkts[i];
		layout(&twin[i], &mix_out[who[i]].x, pkts[i].op.len);
		twin[i].op.seq_hi = pkts[i].op.seq_hi;
		xs[i] = &mix_out[who[i]].x;
	}
	collect(pkts, n);
	CU_ASSERT(esp_xform_encrypt_multi(mgr, xs, ops, n) == n);
	for (unsigned int k = 0; k < MIX_SAS; k++) { /* the same packets, one SA per call */
		uint16_t m = 0;

		for (uint16_t i = 0; i < n; i++)
			if (who[i] == k)
				one[m++] = twin[i].op;
		CU_ASSERT(m > 0 && esp_xform_encrypt(mgr, &mix_out[k].x, one, m) == m);
	}
	for (uint16_t i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];
		const struct sa *s = &mix_sa[who[i]];

		p->op = ops[i];
		CU_ASSERT(ops[i].status == 0);
		CHECK(memcmp(p->buf, twin[i].buf, pkt_bytes(p, xs[i])) == 0,
		      "packet %u (%s/%s): multi-SA and single-SA output differ\n", i,
		      esp_enc_name(s->enc), esp_auth_name(s->auth));
		CHECK(ref_open(s, xs[i], p) == 0 && memcmp(p->op.payload, p->plain, p->op.len) == 0,
		      "packet %u (%s/%s esn %d): OpenSSL cannot open it (seed %#" PRIx64 ")\n", i,
		      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn, seed);
	}
}

/*
 * OpenSSL seals a mixed burst; one packet in the middle is tampered with, one has a length its
 * cipher refuses, one is handed to an outbound SA: those three fail alone, each with its own
 * status, and the others open, as they do one SA at a time.
 */
static void test_multi_open(void)
{
	const struct esp_xform *xs[ESP_XFORM_BURST];
	struct esp_crypto_op one[ESP_XFORM_BURST];
	unsigned int who[ESP_XFORM_BURST];
	const uint16_t n = ESP_XFORM_BURST, bad = n / 2, badlen = 5, wrong = n - 3;
	int want[ESP_XFORM_BURST];

	if (mix_init() != 0)
		return;
	mix_assign(who, n);
	who[badlen] = 3; /* AES-CBC: a length of 17 is not whole blocks */
	for (uint16_t i = 0; i < n; i++) {
		struct pkt *p = &pkts[i];
		const struct sa *s = &mix_sa[who[i]];

		build(p, &mix_both[who[i]].x, s, random_seq(s));
		rnd_fill(p->op.iv, esp_xform_iv_len(&mix_both[who[i]].x));
		ref_seal(s, &mix_both[who[i]].x, p);
		xs[i] = &mix_in[who[i]].x;
		want[i] = 0;
	}
	pkts[bad].op.payload[below(pkts[bad].op.len)] ^= (uint8_t)(1u << below(8));
	want[bad] = -EBADMSG;
	layout(&pkts[badlen], xs[badlen], 17);
	want[badlen] = -EINVAL;
	xs[wrong] = &mix_out[who[wrong]].x;
	want[wrong] = -EINVAL;
	for (uint16_t i = 0; i < n; i++)
		twin[i] = pkts[i];
	collect(pkts, n);
	CU_ASSERT(esp_xform_decrypt_multi(mgr, xs, ops, n) == n - 3);
	for (uint16_t i = 0; i < n; i++) {
		const struct sa *s = &mix_sa[who[i]];

		CHECK(ops[i].status == want[i], "packet %u (%s/%s esn %d): status %d, want %d\n", i,
		      esp_enc_name(s->enc), esp_auth_name(s->auth), s->esn, ops[i].status, want[i]);
		if (want[i] == 0)
			CU_ASSERT(memcmp(ops[i].payload, pkts[i].plain, ops[i].len) == 0);
	}
	for (uint16_t i = 0; i < n; i++) { /* one SA per call gives the same statuses */
		struct esp_crypto_op *op = &one[i];

		*op = twin[i].op;
		op->esp = twin[i].buf;
		op->iv = op->esp + (pkts[i].op.iv - pkts[i].buf);
		op->payload = op->esp + (pkts[i].op.payload - pkts[i].buf);
		op->icv = op->esp + (pkts[i].op.icv - pkts[i].buf);
		esp_xform_decrypt(mgr, xs[i], op, 1);
		CU_ASSERT(op->status == want[i]);
	}
}

/* The sizes esp_xform_size promises, per suite and direction, from the library's key layout. */
static void test_size_per_suite(void)
{
	static const struct {
		enum esp_enc e;
		size_t eklen;
		enum esp_auth a;
		size_t out, in, both;
	} t[] = {
		/* gcm_key_data: 15 round keys and 48 GHASH key powers (VAES layout), 1024 aligned */
		{ESP_ENC_AES_GCM, 20, ESP_AUTH_NONE, 64 + 1024, 64 + 1024, 64 + 1024},
		{ESP_ENC_AES_GCM, 36, ESP_AUTH_NONE, 64 + 1024, 64 + 1024, 64 + 1024},
		{ESP_ENC_CHACHA20_POLY1305, 36, ESP_AUTH_NONE, 64 + 64, 64 + 64, 64 + 64},
		/* 176 B of round keys per direction and 2 x 32 of SHA-1 states, in 64-byte lines */
		{ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 64 + 256, 64 + 256, 64 + 448},
		{ESP_ENC_AES_CBC, 32, ESP_AUTH_HMAC_SHA256_128, 64 + 320, 64 + 320, 64 + 576},
		{ESP_ENC_3DES_CBC, 24, ESP_AUTH_HMAC_SHA384_192, 64 + 512, 64 + 512, 64 + 512},
		{ESP_ENC_NULL, 0, ESP_AUTH_HMAC_SHA512_256, 64 + 128, 64 + 128, 64 + 128},
		{ESP_ENC_NULL, 0, ESP_AUTH_HMAC_MD5_96, 64 + 64, 64 + 64, 64 + 64},
	};
	for (size_t i = 0; i < RTE_DIM(t); i++) {
		struct esp_xform_conf c = {
			.enc = t[i].e, .enc_key_len = t[i].eklen, .auth = t[i].a};
		size_t want[ESP_XFORM_DIR_MAX] = {t[i].both, t[i].out, t[i].in};

		for (int d = 0; d < ESP_XFORM_DIR_MAX; d++) {
			c.dir = (enum esp_xform_dir)d;
			CHECK(esp_xform_size(&c) == want[d], "%s/%s dir %d: %zu bytes, want %zu\n",
			      esp_enc_name(t[i].e), esp_auth_name(t[i].a), d, esp_xform_size(&c),
			      want[d]);
		}
	}
	struct esp_xform_conf bad = {.enc = ESP_ENC_AES_CBC, .enc_key_len = 16, .dir = 7};
	CU_ASSERT(esp_xform_size(&bad) == sizeof(struct esp_xform));
}

/* Every suite, key length and direction: init writes its size and not a byte beyond. */
static void test_size_bound(void)
{
	static const size_t klen[ESP_ENC_MAX][3] = {
		[ESP_ENC_NULL] = {0},
		[ESP_ENC_AES_CBC] = {16, 24, 32},
		[ESP_ENC_AES_GCM] = {20, 28, 36},
		[ESP_ENC_CHACHA20_POLY1305] = {36},
		[ESP_ENC_3DES_CBC] = {24},
	};
	uint8_t ek[36], ak[64];
	char err[160];

	for (size_t i = 0; i < sizeof(ek); i++)
		ek[i] = (uint8_t)(3 * i + 1);
	rnd_fill(ak, sizeof(ak));
	for (int e = 0; e < ESP_ENC_MAX; e++)
		for (int a = 0; a < ESP_AUTH_MAX; a++)
			for (int k = 0; k < 3 && (k == 0 || klen[e][k] != 0); k++)
				for (int d = 0; d < ESP_XFORM_DIR_MAX; d++) {
					static const size_t akl[ESP_AUTH_MAX] = {0,  20, 32,
										 48, 64, 16};
					struct esp_xform_conf c = {(enum esp_enc)e,
								   ek,
								   klen[e][k],
								   (enum esp_auth)a,
								   ak,
								   akl[a],
								   false,
								   (enum esp_xform_dir)d};
					size_t size = esp_xform_size(&c);

					memset(&room_b, 0xa5, sizeof(room_b));
					if (esp_xform_init(xb, &c, err, sizeof(err)) != 0)
						continue; /* an AEAD with an HMAC, CBC without */
					CU_ASSERT(size <= ESP_XFORM_SIZE_MAX && xb->size == size);
					for (size_t b = size; b < sizeof(room_b); b++)
						if (room_b.bytes[b] != 0xa5) {
							CHECK(false,
							      "%s/%s dir %d: byte %zu written\n",
							      esp_enc_name(c.enc),
							      esp_auth_name(c.auth), d, b);
							break;
						}
					esp_xform_wipe(xb);
				}
}

/* An outbound SA refuses to decrypt and an inbound one to encrypt: -EINVAL, nothing touched. */
static void test_one_way(void)
{
	for (unsigned int k = 0; k < MIX_SAS; k++) {
		const struct sa *s = &mix_sa[k];
		uint8_t before[PKT_SIZE];

		random_sa(&mix_sa[k], mix_suites[k].e, mix_suites[k].a);
		if (sa_init_dir(xa, s, ESP_XFORM_ENC) != 0 ||
		    sa_init_dir(xb, s, ESP_XFORM_DEC) != 0)
			return;
		build(&pkts[0], xa, s, random_seq(s));
		memcpy(before, pkts[0].buf, sizeof(before));
		CU_ASSERT(esp_xform_decrypt(mgr, xa, &pkts[0].op, 1) == 0 &&
			  pkts[0].op.status == -EINVAL);
		CU_ASSERT(esp_xform_encrypt(mgr, xb, &pkts[0].op, 1) == 0 &&
			  pkts[0].op.status == -EINVAL);
		CU_ASSERT(memcmp(before, pkts[0].buf, sizeof(before)) == 0);
		CU_ASSERT(esp_xform_encrypt(mgr, xa, &pkts[0].op, 1) == 1);
		CU_ASSERT(esp_xform_decrypt(mgr, xb, &pkts[0].op, 1) == 1 &&
			  pkts[0].op.status == 0 &&
			  memcmp(pkts[0].op.payload, pkts[0].plain, pkts[0].op.len) == 0);
	}
	struct esp_xform_conf c = {.enc = ESP_ENC_AES_GCM,
				   .enc_key = mix_sa[0].ekey,
				   .enc_key_len = 20,
				   .dir = ESP_XFORM_DIR_MAX};
	char err[160] = "";
	CU_ASSERT(esp_xform_init(xa, &c, err, sizeof(err)) == -EINVAL && err[0] != '\0');
}

/*
 * esp_xform_key_lines: an inbound SA whose key lines outside the set for a region's length are
 * overwritten still opens every packet of that length, for each AES-GCM key length, both AAD
 * lengths (ESN) and every 4-byte multiple up to past the longest measured class; the other
 * suites name every line.
 */
static void test_key_lines(void)
{
	static union esp_xform_room room_c;
	static const uint8_t gcm_keys[] = {20, 28, 36};
	struct esp_xform *xc = &room_c.x;

	for (unsigned int k = 0; k < RTE_DIM(gcm_keys) * 2; k++) {
		struct sa s;

		random_sa(&s, ESP_ENC_AES_GCM, ESP_AUTH_NONE);
		s.eklen = gcm_keys[k / 2];
		s.esn = k % 2;
		if (sa_init_dir(xa, &s, ESP_XFORM_ENC) != 0 ||
		    sa_init_dir(xb, &s, ESP_XFORM_DEC) != 0)
			return;
		size_t klen = xb->size - sizeof(*xb);
		unsigned int bad = 0;
		for (uint32_t len = 4; len <= 640; len += 4) {
			struct pkt *p = &pkts[0];
			uint16_t m = esp_xform_key_lines(xb, len);

			layout(p, xa, len);
			put32(p->buf, s.spi);
			put32(p->buf + 4, (uint32_t)len);
			esp_xform_iv(xa, len, p->op.iv);
			rnd_fill(p->op.payload, len);
			memcpy(p->plain, p->op.payload, len);
			CU_ASSERT_FATAL(esp_xform_encrypt(mgr, xa, &p->op, 1) == 1);
			memcpy(xc, xb, xb->size);
			for (size_t l = 0; l * 64 < klen; l++)
				if ((m & (1u << l)) == 0)
					memset(xc->keys + l * 64, 0x5a,
					       RTE_MIN((size_t)64, klen - l * 64));
			if (esp_xform_decrypt(mgr, xc, &p->op, 1) != 1 || p->op.status != 0 ||
			    memcmp(p->op.payload, p->plain, len) != 0)
				bad++;
		}
		CHECK(bad == 0, "AES-GCM key %zu ESN %d: %u lengths need lines outside their set\n",
		      s.eklen - 4, s.esn, bad);
		CU_ASSERT(bad == 0);
		/* past the classes: every line */
		CU_ASSERT(esp_xform_key_lines(xb, 1400) == (1u << ((klen + 63) / 64)) - 1);
	}
	struct sa s;
	random_sa(&s, ESP_ENC_AES_CBC, ESP_AUTH_HMAC_SHA256_128);
	if (sa_init_dir(xb, &s, ESP_XFORM_DEC) != 0)
		return;
	size_t klen = xb->size - sizeof(*xb);
	CU_ASSERT(esp_xform_key_lines(xb, 64) == (1u << ((klen + 63) / 64)) - 1);
	esp_xform_wipe(xc);
}

int test_esp_xform_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"RFC 3602 AES-CBC ESP packets", test_rfc3602},
		{"RFC 7634 / RFC 4106 AEAD ESP packets", test_aead_vectors},
		{"NIST CAVP AES-GCM", test_cavp_gcm},
		{"RFC 4868 HMAC-SHA-2", test_rfc4868},
		{"RFC 2202 HMAC-SHA1 and MD5", test_rfc2202},
		{"OpenSSL cross-check, AEAD", test_xcheck_aead},
		{"OpenSSL cross-check, CBC/NULL + HMAC", test_xcheck_hmac},
		{"burst longer than a round", test_long_burst},
		{"refused configurations", test_bad_conf},
		{"refused lengths", test_bad_len},
		{"wipe", test_wipe},
		{"IVs", test_iv},
		{"sizes", test_sizes},
		{"copied SA", test_copy},
		{"sizes per suite and direction", test_size_per_suite},
		{"init stays within its size", test_size_bound},
		{"one-way SAs", test_one_way},
		{"burst across SAs: seal", test_multi_seal},
		{"burst across SAs: open, one tampered", test_multi_open},
		{"key lines a packet reads", test_key_lines},
	};
	CU_pSuite s = CU_add_suite("esp_xform", suite_init, suite_clean);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
