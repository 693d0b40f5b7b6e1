/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_sk.c - the Encrypted and Encrypted Fragment payloads on OpenSSL 3 EVP
 * (see ike_sk.h for the layout, the suites and the order of the checks).
 *
 * Sealing works in the caller's message buffer: the inner payloads are moved to their place
 * after the IV, padded, encrypted in place, and the ICV appended; the lengths in the IKE header
 * and the payload header are set first, because the AAD or the HMAC covers them. If anything
 * fails after the plaintext has been moved, the region is wiped. Opening never writes to the
 * message: it decrypts into the caller's output buffer, which is wiped on any failure.
 * Control lcore (see ike_sk.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/ike_sk.h"

#define IKE_HDR_LEN    28 /* RFC 7296 3.1 */
#define AEAD_IV_LEN    8  /* RFC 5282 3.1, RFC 7634 2 */
#define AEAD_NONCE_LEN 12 /* salt || IV */
#define AEAD_TAG_LEN   16
#define CBC_BLOCK      16
#define LEN_MAX	       65535 /* Payload Length is 16 bits; an IKE datagram no longer */
#define HMAC_OUT_MAX   64

struct integ_desc {
	uint16_t id;
	uint8_t key_len; /* RFC 2404 section 3, RFC 4868 2.1.1 */
	uint8_t icv_len; /* the truncated output */
	const char *digest;
};

static const struct integ_desc integs[] = {
	{IKE_INTEG_HMAC_SHA1_96, 20, 12, "SHA1"},
	{IKE_INTEG_HMAC_SHA2_256_128, 32, 16, "SHA2-256"},
	{IKE_INTEG_HMAC_SHA2_384_192, 48, 24, "SHA2-384"},
	{IKE_INTEG_HMAC_SHA2_512_256, 64, 32, "SHA2-512"},
};

#define SK_ERRNO(s, e, n, d) [IKE_SK_ERR_##s] = e,
static const int err_errno[IKE_SK_ERR_MAX] = {IKE_SK_ERRORS(SK_ERRNO)};
#undef SK_ERRNO
#define SK_NAME(s, e, n, d) [IKE_SK_ERR_##s] = n,
const char *const ike_sk_err_name[IKE_SK_ERR_MAX] = {IKE_SK_ERRORS(SK_NAME)};
#undef SK_NAME
#define SK_DESC(s, e, n, d) [IKE_SK_ERR_##s] = d,
const char *const ike_sk_err_desc[IKE_SK_ERR_MAX] = {IKE_SK_ERRORS(SK_DESC)};
#undef SK_DESC

static int fail(enum ike_sk_err e)
{
	return -err_errno[e];
}

enum ike_sk_err ike_sk_err_of(int rc)
{
	for (unsigned int e = 0; e < IKE_SK_ERR_MAX; e++)
		if (rc == -err_errno[e])
			return e;
	return IKE_SK_ERR_MAX;
}

static const struct integ_desc *find_integ(uint16_t id)
{
	for (size_t i = 0; i < sizeof(integs) / sizeof(integs[0]); i++)
		if (integs[i].id == id)
			return &integs[i];
	return NULL;
}

static bool is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

/* The cipher key length (salt excluded) for encr with a Key Length of key_bits; 0 if none. */
static size_t cipher_key_len(uint16_t encr, uint16_t key_bits)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		return key_bits == 128 || key_bits == 192 || key_bits == 256 ? key_bits / 8u : 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		return key_bits == 0 || key_bits == 256 ? 32 : 0; /* RFC 7634 3: no Key Length */
	default:
		return 0;
	}
}

size_t ike_sk_encr_key_len(uint16_t encr, uint16_t key_bits)
{
	size_t n = cipher_key_len(encr, key_bits);
	return n == 0 ? 0 : n + (is_aead(encr) ? IKE_SK_SALT_LEN : 0);
}

size_t ike_sk_integ_key_len(uint16_t integ)
{
	const struct integ_desc *d = find_integ(integ);
	return d == NULL ? 0 : d->key_len;
}

static const EVP_CIPHER *cipher_of(const struct ike_sk *sk)
{
	if (sk->encr == IKE_ENCR_CHACHA20_POLY1305)
		return EVP_chacha20_poly1305();
	if (sk->encr == IKE_ENCR_AES_GCM_16)
		return sk->key_len == 16   ? EVP_aes_128_gcm()
		       : sk->key_len == 24 ? EVP_aes_192_gcm()
					   : EVP_aes_256_gcm();
	return sk->key_len == 16   ? EVP_aes_128_cbc()
	       : sk->key_len == 24 ? EVP_aes_192_cbc()
				   : EVP_aes_256_cbc();
}

void ike_sk_wipe(struct ike_sk *sk)
{
	OPENSSL_cleanse(sk, sizeof(*sk));
}

static int init_integ(struct ike_sk *sk, uint16_t integ, const uint8_t *akey, size_t alen)
{
	const struct integ_desc *d = find_integ(integ);

	if (d == NULL)
		return fail(IKE_SK_ERR_ALG);
	if (akey == NULL || alen != d->key_len)
		return fail(IKE_SK_ERR_KEY_LEN);
	memcpy(sk->hmac_key, akey, alen);
	sk->hmac_key_len = d->key_len;
	sk->icv_len = d->icv_len;
	sk->digest = d->digest;
	return 0;
}

int ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
		const uint8_t *ekey, size_t elen, const uint8_t *akey, size_t alen)
{
	size_t klen = cipher_key_len(encr, key_bits);
	bool aead = is_aead(encr);
	int rc = 0;

	ike_sk_wipe(sk);
	if (klen == 0)
		rc = fail(encr == IKE_ENCR_AES_CBC || aead ? IKE_SK_ERR_KEY_LEN : IKE_SK_ERR_ALG);
	else if (aead && integ != IKE_INTEG_NONE)
		rc = fail(IKE_SK_ERR_ALG); /* RFC 5282 8: an AEAD takes no integrity transform */
	else if (ekey == NULL || elen != klen + (aead ? IKE_SK_SALT_LEN : 0))
		rc = fail(IKE_SK_ERR_KEY_LEN);
	else if (!aead)
		rc = init_integ(sk, integ, akey, alen);
	if (rc < 0) {
		ike_sk_wipe(sk);
		return rc;
	}
	memcpy(sk->key, ekey, klen);
	if (aead) {
		memcpy(sk->salt, ekey + klen, IKE_SK_SALT_LEN);
		sk->icv_len = AEAD_TAG_LEN;
	}
	sk->encr = encr;
	sk->integ = integ;
	sk->key_len = (uint8_t)klen;
	sk->aead = aead;
	sk->iv_len = aead ? AEAD_IV_LEN : CBC_BLOCK;
	sk->block = aead ? 1 : CBC_BLOCK;
	return 0;
}

size_t ike_sk_iv_len(const struct ike_sk *sk)
{
	return sk->iv_len;
}

size_t ike_sk_icv_len(const struct ike_sk *sk)
{
	return sk->icv_len;
}

size_t ike_sk_plain_off(const struct ike_sk *sk, size_t off, size_t hlen)
{
	return off + hlen + sk->iv_len;
}

/* RFC 7296 3.14: the least padding that makes payloads | Padding | Pad Length whole blocks. */
static size_t pad_len(const struct ike_sk *sk, size_t plain_len)
{
	return (sk->block - (plain_len + 1) % sk->block) % sk->block;
}

size_t ike_sk_body_len(const struct ike_sk *sk, size_t plain_len)
{
	return sk->iv_len + plain_len + pad_len(sk, plain_len) + 1 + sk->icv_len;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, size_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/*
 * One AEAD pass over in[0..len) into out (in place allowed): nonce = salt || iv, AAD first.
 * Sealing writes tag; opening checks it and returns ICV on a mismatch.
 */
static int aead(const struct ike_sk *sk, bool seal, const uint8_t *aad, size_t aad_len,
		const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[AEAD_NONCE_LEN];
	int n = 0, rc = fail(IKE_SK_ERR_LIB);

	if (ctx == NULL)
		return fail(IKE_SK_ERR_NOMEM);
	memcpy(nonce, sk->salt, IKE_SK_SALT_LEN);
	memcpy(nonce + IKE_SK_SALT_LEN, iv, AEAD_IV_LEN);
	if (EVP_CipherInit_ex(ctx, cipher_of(sk), NULL, sk->key, nonce, seal) != 1 ||
	    (!seal && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, tag) != 1) ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1 || (size_t)n != len)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1) {
		rc = seal ? rc : fail(IKE_SK_ERR_ICV);
		goto out;
	}
	if (seal && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx); /* clears the key schedule */
	OPENSSL_cleanse(nonce, sizeof(nonce));
	ERR_clear_error();
	return rc;
}

/* AES-CBC over whole blocks, no padding of OpenSSL's own; in place allowed. */
static int cbc(const struct ike_sk *sk, bool seal, const uint8_t *iv, const uint8_t *in, size_t len,
	       uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, rc = fail(IKE_SK_ERR_LIB);

	if (ctx == NULL)
		return fail(IKE_SK_ERR_NOMEM);
	if (EVP_CipherInit_ex(ctx, cipher_of(sk), NULL, sk->key, iv, seal) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, out + n, &m) == 1 && (size_t)(n + m) == len)
		rc = 0;
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* The truncated HMAC of data[0..len) into icv[0..icv_len). */
static int hmac_icv(const struct ike_sk *sk, const uint8_t *data, size_t len, uint8_t *icv)
{
	uint8_t full[HMAC_OUT_MAX];
	size_t got = 0;
	int rc = 0;

	if (EVP_Q_mac(NULL, "HMAC", NULL, sk->digest, NULL, sk->hmac_key, sk->hmac_key_len, data,
		      len, full, sizeof(full), &got) == NULL ||
	    got < sk->icv_len) {
		ERR_clear_error();
		rc = fail(IKE_SK_ERR_LIB);
	} else {
		memcpy(icv, full, sk->icv_len);
	}
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

/* The payload's crypto once the plaintext, padding and lengths are in place (ike_sk.h). */
static int seal_in_place(struct ike_sk *sk, uint8_t *msg, size_t ivo, size_t ct)
{
	uint8_t *c = msg + ivo + sk->iv_len;
	int rc;

	if (sk->aead)
		return aead(sk, true, msg, ivo, msg + ivo, c, ct, c, c + ct);
	rc = cbc(sk, true, msg + ivo, c, ct, c);
	return rc < 0 ? rc : hmac_icv(sk, msg, ivo + sk->iv_len + ct, c + ct);
}

/* The IV of the next message: the AEAD counter, big-endian, or RAND_bytes for CBC. */
static int next_iv(struct ike_sk *sk, uint8_t *iv)
{
	if (!sk->aead)
		return RAND_bytes(iv, sk->iv_len) == 1 ? 0 : fail(IKE_SK_ERR_LIB);
	if (sk->next_iv == UINT64_MAX)
		return fail(IKE_SK_ERR_IV_EXHAUSTED);
	for (int i = AEAD_IV_LEN - 1; i >= 0; i--)
		iv[AEAD_IV_LEN - 1 - i] = (uint8_t)(sk->next_iv >> (8 * i));
	sk->next_iv++; /* spent even if sealing fails below: an IV is never used twice */
	return 0;
}

static bool layout_ok(size_t off, size_t hlen)
{
	return off >= IKE_HDR_LEN && (hlen == IKE_SK_HDR_LEN || hlen == IKE_SKF_HDR_LEN);
}

static int seal(struct ike_sk *sk, const uint8_t *iv, uint8_t *msg, size_t cap, size_t off,
		size_t hlen, const uint8_t *plain, size_t plain_len, size_t *msg_len)
{
	size_t pad = pad_len(sk, plain_len), ct = plain_len + pad + 1;
	size_t ivo = off + hlen, total = ivo + sk->iv_len + ct + sk->icv_len;
	uint8_t *c = msg + ivo + sk->iv_len;
	int rc;

	if (!layout_ok(off, hlen) || off + hlen > cap)
		return fail(IKE_SK_ERR_LAYOUT);
	if (plain_len > LEN_MAX || total > LEN_MAX)
		return fail(IKE_SK_ERR_TOO_LONG);
	if (total > cap)
		return fail(IKE_SK_ERR_BUF);
	memcpy(msg + ivo, iv, sk->iv_len);
	memmove(c, plain, plain_len);
	memset(c + plain_len, 0, pad);
	c[plain_len + pad] = (uint8_t)pad;
	put16(msg + off + 2, total - off);
	put32(msg + IKE_HDR_LEN_OFF, total);
	rc = seal_in_place(sk, msg, ivo, ct);
	if (rc < 0) {
		OPENSSL_cleanse(msg + ivo, total - ivo);
		return rc;
	}
	*msg_len = total;
	return 0;
}

int ike_sk_protect(struct ike_sk *sk, uint8_t *msg, size_t cap, size_t off, size_t hlen,
		   const uint8_t *plain, size_t plain_len, size_t *msg_len)
{
	uint8_t iv[IKE_SK_IV_MAX];
	int rc;

	if (!layout_ok(off, hlen) || off + hlen > cap)
		return fail(IKE_SK_ERR_LAYOUT);
	if (off + hlen + ike_sk_body_len(sk, plain_len) > cap)
		return fail(IKE_SK_ERR_BUF); /* before the IV: a refused call spends no counter */
	rc = next_iv(sk, iv);
	if (rc == 0)
		rc = seal(sk, iv, msg, cap, off, hlen, plain, plain_len, msg_len);
	return rc;
}

int ike_sk_protect_kat(struct ike_sk *sk, const uint8_t *iv, uint8_t *msg, size_t cap, size_t off,
		       size_t hlen, const uint8_t *plain, size_t plain_len, size_t *msg_len)
{
	return seal(sk, iv, msg, cap, off, hlen, plain, plain_len, msg_len);
}

/* Opening's length checks; *ct gets the ciphertext length. */
static int open_lengths(const struct ike_sk *sk, const uint8_t *msg, size_t msg_len, size_t off,
			size_t hlen, size_t cap, size_t *ct)
{
	size_t pl, body;

	if (sk->block == 0) /* never set up (ike_sk_init): nothing opens with it */
		return fail(IKE_SK_ERR_ALG);
	if (!layout_ok(off, hlen) || off + hlen > msg_len)
		return fail(IKE_SK_ERR_LAYOUT);
	pl = (size_t)msg[off + 2] << 8 | msg[off + 3];
	if (pl < hlen || off + pl > msg_len)
		return fail(IKE_SK_ERR_LAYOUT);
	body = pl - hlen;
	if (body < (size_t)sk->iv_len + sk->icv_len + (sk->aead ? 1 : CBC_BLOCK))
		return fail(IKE_SK_ERR_SHORT);
	*ct = body - sk->iv_len - sk->icv_len;
	if (*ct % sk->block != 0)
		return fail(IKE_SK_ERR_ALIGN);
	if (*ct > cap)
		return fail(IKE_SK_ERR_BUF);
	return 0;
}

static int verify_icv(const struct ike_sk *sk, const uint8_t *msg, size_t icv_off)
{
	uint8_t icv[IKE_SK_ICV_MAX];
	int rc = hmac_icv(sk, msg, icv_off, icv);

	if (rc == 0 && CRYPTO_memcmp(icv, msg + icv_off, sk->icv_len) != 0)
		rc = fail(IKE_SK_ERR_ICV);
	OPENSSL_cleanse(icv, sizeof(icv));
	return rc;
}

int ike_sk_unprotect(const struct ike_sk *sk, const uint8_t *msg, size_t msg_len, size_t off,
		     size_t hlen, uint8_t *out, size_t cap, size_t *plain_len)
{
	size_t ct = 0, ivo = off + hlen;
	uint8_t tag[AEAD_TAG_LEN];
	const uint8_t *c;
	int rc;

	rc = open_lengths(sk, msg, msg_len, off, hlen, cap, &ct);
	if (rc < 0)
		goto out;
	c = msg + ivo + sk->iv_len;
	if (sk->aead) {
		memcpy(tag, c + ct, AEAD_TAG_LEN);
		rc = aead(sk, false, msg, ivo, msg + ivo, c, ct, out, tag);
	} else {
		rc = verify_icv(sk, msg, ivo + sk->iv_len + ct);
		if (rc == 0)
			rc = cbc(sk, false, msg + ivo, c, ct, out);
	}
	if (rc == 0 && (size_t)out[ct - 1] + 1 > ct)
		rc = fail(IKE_SK_ERR_PAD);
	if (rc == 0)
		*plain_len = ct - out[ct - 1] - 1;
out:
	if (rc < 0 && out != NULL)
		OPENSSL_cleanse(out, cap);
	return rc;
}
