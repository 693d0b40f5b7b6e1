/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/crypto_ref.c - the OpenSSL computation of an ESP packet (see crypto.h), used once per
 * crypto-only row to prove that the intel-ipsec-mb jobs being timed do the real work, and once
 * per esp row to open what the hub encrypted or what the generator's peer built.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "perf/crypto.h"

static const EVP_CIPHER *cipher_of(const struct crypto_suite *s)
{
	switch (s->cipher) {
	case IMB_CIPHER_GCM:
		return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case IMB_CIPHER_CBC:
		return s->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	case IMB_CIPHER_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	default:
		return NULL;
	}
}

/* AEAD: AAD = ESP header, nonce = salt || IV, tag after the ciphertext. */
static int seal_aead(EVP_CIPHER_CTX *x, const struct crypto_suite *s, const struct crypto_keys *k,
		     uint8_t *pkt, uint32_t ct_len)
{
	uint8_t nonce[ESP_NONCE_LEN];
	uint8_t *ct = pkt + ESP_HDR_LEN + s->iv_len;
	int n;
	memcpy(nonce, k->salt, ESP_SALT_LEN);
	memcpy(nonce + ESP_SALT_LEN, pkt + ESP_HDR_LEN, s->iv_len);
	if (EVP_EncryptInit_ex(x, cipher_of(s), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, ESP_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(x, NULL, NULL, k->key, nonce) != 1 ||
	    EVP_EncryptUpdate(x, NULL, &n, pkt, ESP_HDR_LEN) != 1 ||
	    EVP_EncryptUpdate(x, ct, &n, ct, (int)ct_len) != 1 ||
	    EVP_EncryptFinal_ex(x, ct, &n) != 1)
		return -1;
	return EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, s->icv_len, ct + ct_len) == 1 ? 0 : -1;
}

/* CBC without padding (ESP pads), then HMAC over header, IV and ciphertext, truncated. */
static int seal_cbc_hmac(EVP_CIPHER_CTX *x, const struct crypto_suite *s,
			 const struct crypto_keys *k, uint8_t *pkt, uint32_t ct_len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint8_t *ct = pkt + ESP_HDR_LEN + s->iv_len;
	int n;
	if (EVP_EncryptInit_ex(x, cipher_of(s), NULL, k->key, pkt + ESP_HDR_LEN) != 1 ||
	    EVP_CIPHER_CTX_set_padding(x, 0) != 1 ||
	    EVP_EncryptUpdate(x, ct, &n, ct, (int)ct_len) != 1 ||
	    EVP_EncryptFinal_ex(x, ct, &n) != 1)
		return -1;
	const EVP_MD *md_type = s->hash == IMB_AUTH_HMAC_SHA_1 ? EVP_sha1() : EVP_sha256();
	if (HMAC(md_type, k->auth_key, s->auth_key_len, pkt, ESP_HDR_LEN + s->iv_len + ct_len, md,
		 &md_len) == NULL ||
	    md_len < s->icv_len)
		return -1;
	memcpy(ct + ct_len, md, s->icv_len);
	return 0;
}

/* AEAD: the tag after the ciphertext is set before the final call, which checks it. */
static int open_aead(EVP_CIPHER_CTX *x, const struct crypto_suite *s, const struct crypto_keys *k,
		     uint8_t *pkt, uint32_t ct_len)
{
	uint8_t nonce[ESP_NONCE_LEN];
	uint8_t *ct = pkt + ESP_HDR_LEN + s->iv_len;
	int n;
	memcpy(nonce, k->salt, ESP_SALT_LEN);
	memcpy(nonce + ESP_SALT_LEN, pkt + ESP_HDR_LEN, s->iv_len);
	if (EVP_DecryptInit_ex(x, cipher_of(s), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, ESP_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(x, NULL, NULL, k->key, nonce) != 1 ||
	    EVP_DecryptUpdate(x, NULL, &n, pkt, ESP_HDR_LEN) != 1 ||
	    EVP_DecryptUpdate(x, ct, &n, ct, (int)ct_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, s->icv_len, ct + ct_len) != 1)
		return -1;
	return EVP_DecryptFinal_ex(x, ct + ct_len, &n) == 1 ? 0 : -1;
}

/* CBC + HMAC: the ICV over header, IV and ciphertext first (RFC 4303 3.4.4), then decrypt. */
static int open_cbc_hmac(EVP_CIPHER_CTX *x, const struct crypto_suite *s,
			 const struct crypto_keys *k, uint8_t *pkt, uint32_t ct_len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint8_t *ct = pkt + ESP_HDR_LEN + s->iv_len;
	int n;
	const EVP_MD *md_type = s->hash == IMB_AUTH_HMAC_SHA_1 ? EVP_sha1() : EVP_sha256();
	if (HMAC(md_type, k->auth_key, s->auth_key_len, pkt, ESP_HDR_LEN + s->iv_len + ct_len, md,
		 &md_len) == NULL ||
	    md_len < s->icv_len || CRYPTO_memcmp(md, ct + ct_len, s->icv_len) != 0)
		return -1;
	if (EVP_DecryptInit_ex(x, cipher_of(s), NULL, k->key, pkt + ESP_HDR_LEN) != 1 ||
	    EVP_CIPHER_CTX_set_padding(x, 0) != 1 ||
	    EVP_DecryptUpdate(x, ct, &n, ct, (int)ct_len) != 1 ||
	    EVP_DecryptFinal_ex(x, ct + n, &n) != 1)
		return -1;
	return 0;
}

int crypto_ref_open(const struct crypto_suite *s, const struct crypto_keys *k, uint8_t *pkt,
		    uint32_t ct_len)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	if (x == NULL || cipher_of(s) == NULL) {
		EVP_CIPHER_CTX_free(x);
		return -1;
	}
	int rc = crypto_suite_aead(s) ? open_aead(x, s, k, pkt, ct_len)
				      : open_cbc_hmac(x, s, k, pkt, ct_len);
	EVP_CIPHER_CTX_free(x);
	return rc;
}

int crypto_ref_seal(const struct crypto_suite *s, const struct crypto_keys *k, uint8_t *pkt,
		    uint32_t ct_len)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	if (x == NULL || cipher_of(s) == NULL) {
		EVP_CIPHER_CTX_free(x);
		return -1;
	}
	int rc = crypto_suite_aead(s) ? seal_aead(x, s, k, pkt, ct_len)
				      : seal_cbc_hmac(x, s, k, pkt, ct_len);
	EVP_CIPHER_CTX_free(x);
	return rc;
}
