/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ike_prf.c - IKEv2 PRFs, prf+ and the key schedules of RFC 7296 (see ike_prf.h).
 *
 * One HMAC context (EVP_MAC "HMAC") per call: it is keyed once, and prf+ re-initialises it
 * with the same key for every block (EVP_MAC_init with a NULL key keeps the key). Freeing it
 * clears the key copy OpenSSL keeps. Any thread; vpnhub calls it on the control lcore.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/ike_prf.h"

#define SPI_LEN	       8
#define SK_STREAM_MAX  (3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX)
#define PRF_CHUNKS_MAX 8 /* data pieces of one PRF call, besides prf+'s own */

struct prf_desc {
	uint16_t id;
	uint8_t len;
	const char *digest;
	const char *name;
};

static const struct prf_desc prfs[] = {
	{IKE_PRF_HMAC_MD5, 16, "MD5", "prf-hmac-md5"},
	{IKE_PRF_HMAC_SHA1, 20, "SHA1", "prf-hmac-sha1"},
	{IKE_PRF_HMAC_SHA2_256, 32, "SHA2-256", "prf-hmac-sha2-256"},
	{IKE_PRF_HMAC_SHA2_384, 48, "SHA2-384", "prf-hmac-sha2-384"},
	{IKE_PRF_HMAC_SHA2_512, 64, "SHA2-512", "prf-hmac-sha2-512"},
};

/* A keyed HMAC. */
struct prf_ctx {
	const struct prf_desc *d;
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

static const struct prf_desc *find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++)
		if (prfs[i].id == id)
			return &prfs[i];
	return NULL;
}

size_t ike_prf_len(uint16_t prf)
{
	const struct prf_desc *d = find(prf);
	return d == NULL ? 0 : d->len;
}

const char *ike_prf_name(uint16_t prf)
{
	const struct prf_desc *d = find(prf);
	return d == NULL ? NULL : d->name;
}

static void prf_close(struct prf_ctx *c)
{
	EVP_MAC_CTX_free(c->ctx); /* clears OpenSSL's copy of the key */
	EVP_MAC_free(c->mac);
	c->ctx = NULL;
	c->mac = NULL;
}

static int prf_open(struct prf_ctx *c, uint16_t prf, const uint8_t *key, size_t key_len)
{
	static const uint8_t no_key[1]; /* HMAC takes an empty key; OpenSSL wants a pointer */

	memset(c, 0, sizeof(*c));
	c->d = find(prf);
	if (c->d == NULL)
		return -ENOTSUP;
	OSSL_PARAM p[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)c->d->digest, 0),
		OSSL_PARAM_END,
	};
	c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->ctx = c->mac == NULL ? NULL : EVP_MAC_CTX_new(c->mac);
	if (c->ctx == NULL) {
		prf_close(c);
		return -ENOMEM;
	}
	if (EVP_MAC_init(c->ctx, key_len > 0 ? key : no_key, key_len, p) != 1) {
		prf_close(c);
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

/* out = prf(key, chunks); again re-initialises with the key already set. */
static int prf_run(struct prf_ctx *c, bool again, const struct ike_chunk *d, size_t n, uint8_t *out)
{
	size_t got = 0;

	if (again && EVP_MAC_init(c->ctx, NULL, 0, NULL) != 1)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (d[i].len > 0 && EVP_MAC_update(c->ctx, d[i].p, d[i].len) != 1)
			goto fail;
	if (EVP_MAC_final(c->ctx, out, &got, c->d->len) != 1 || got != c->d->len)
		goto fail;
	return 0;
fail:
	OPENSSL_cleanse(out, c->d->len);
	ERR_clear_error();
	return -EIO;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *data,
	    size_t n, uint8_t *out)
{
	struct prf_ctx c;
	int rc = prf_open(&c, prf, key, key_len);

	if (rc == 0)
		rc = prf_run(&c, false, data, n, out);
	prf_close(&c);
	return rc;
}

/*
 * RFC 7296 2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), prf+ = T1 | T2 | ...
 * At most 255 blocks and PRF_CHUNKS_MAX pieces of S.
 */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *seed,
		 size_t n, uint8_t *out, size_t len)
{
	struct ike_chunk in[PRF_CHUNKS_MAX + 2];
	uint8_t t[IKE_PRF_MAX], ctr = 0;
	struct prf_ctx c;
	size_t done = 0;
	int rc;

	if (n > PRF_CHUNKS_MAX)
		return -EINVAL;
	if (ike_prf_len(prf) == 0)
		return -ENOTSUP;
	if (len > IKE_PRF_PLUS_BLOCKS * ike_prf_len(prf))
		return -EMSGSIZE;
	rc = prf_open(&c, prf, key, key_len);
	if (n > 0)
		memcpy(in + 1, seed, n * sizeof(*seed));
	in[n + 1] = (struct ike_chunk){&ctr, 1};
	while (rc == 0 && done < len) {
		size_t step = len - done < c.d->len ? len - done : c.d->len;
		in[0] = (struct ike_chunk){t, ctr == 0 ? 0 : c.d->len}; /* T0 is empty */
		ctr++;
		rc = prf_run(&c, ctr > 1, in, n + 2, t);
		if (rc == 0)
			memcpy(out + done, t, step);
		done += step;
	}
	prf_close(&c);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc < 0 && out != NULL)
		OPENSSL_cleanse(out, len);
	return rc;
}

int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *g_ir, size_t g_ir_len, uint8_t *skeyseed)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	const struct ike_chunk d = {g_ir, g_ir_len};

	/* Ni | Nr is the key; nonces longer than 3.9 allows have been refused by the parser */
	if (ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	return ike_prf(prf, key, ni_len + nr_len, &d, 1, skeyseed);
}

int ike_skeyseed_rekey(uint16_t old_prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
		       size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		       size_t nr_len, uint8_t *skeyseed)
{
	const struct ike_chunk d[] = {{g_ir, g_ir_len}, {ni, ni_len}, {nr, nr_len}};

	return ike_prf(old_prf, sk_d, sk_d_len, d, 3, skeyseed);
}

void ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* Takes len octets off the front of the stream *s into dst. */
static void take(uint8_t *dst, const uint8_t **s, size_t len)
{
	memcpy(dst, *s, len);
	*s += len;
}

int ike_sa_keys_derive(uint16_t prf, const uint8_t *skeyseed, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, const uint8_t spi_i[8],
		       const uint8_t spi_r[8], size_t integ_len, size_t encr_len,
		       struct ike_sa_keys *k)
{
	const struct ike_chunk seed[] = {
		{ni, ni_len}, {nr, nr_len}, {spi_i, SPI_LEN}, {spi_r, SPI_LEN}};
	size_t plen = ike_prf_len(prf), total = 3 * plen + 2 * integ_len + 2 * encr_len;
	uint8_t stream[SK_STREAM_MAX];
	const uint8_t *s = stream;
	int rc;

	ike_sa_keys_wipe(k);
	if (plen == 0)
		return -ENOTSUP;
	if (integ_len > IKE_INTEG_KEY_MAX || encr_len > IKE_ENCR_KEY_MAX)
		return -EINVAL;
	rc = ike_prf_plus(prf, skeyseed, plen, seed, 4, stream, total);
	if (rc == 0) {
		take(k->sk_d, &s, plen);
		take(k->sk_ai, &s, integ_len);
		take(k->sk_ar, &s, integ_len);
		take(k->sk_ei, &s, encr_len);
		take(k->sk_er, &s, encr_len);
		take(k->sk_pi, &s, plen);
		take(k->sk_pr, &s, plen);
		k->prf = prf;
		k->d_len = (uint8_t)plen;
		k->a_len = (uint8_t)integ_len;
		k->e_len = (uint8_t)encr_len;
	}
	OPENSSL_cleanse(stream, sizeof(stream));
	return rc;
}

int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *g_ir,
		     size_t g_ir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint8_t *keymat, size_t len)
{
	const struct ike_chunk with_pfs[] = {{g_ir, g_ir_len}, {ni, ni_len}, {nr, nr_len}};

	if (g_ir == NULL)
		return ike_prf_plus(prf, sk_d, sk_d_len, with_pfs + 1, 2, keymat, len);
	return ike_prf_plus(prf, sk_d, sk_d_len, with_pfs, 3, keymat, len);
}

int ike_maced_id(uint16_t prf, const uint8_t *sk_p, size_t sk_p_len, const uint8_t *id_body,
		 size_t id_len, uint8_t *out)
{
	const struct ike_chunk d = {id_body, id_len};

	return ike_prf(prf, sk_p, sk_p_len, &d, 1, out);
}

int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len,
		 const struct ike_signed_octets *so, uint8_t *out)
{
	static const struct ike_chunk pad = {(const uint8_t *)IKE_KEY_PAD, sizeof(IKE_KEY_PAD) - 1};
	uint8_t key[IKE_PRF_MAX], maced[IKE_PRF_MAX];
	size_t plen = ike_prf_len(prf);
	int rc;

	rc = ike_prf(prf, psk, psk_len, &pad, 1, key);
	if (rc == 0)
		rc = ike_maced_id(prf, so->sk_p, so->sk_p_len, so->id_body, so->id_len, maced);
	if (rc == 0) {
		const struct ike_chunk octets[] = {
			{so->msg, so->msg_len}, {so->nonce, so->nonce_len}, {maced, plen}};
		rc = ike_prf(prf, key, plen, octets, 3, out);
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(maced, sizeof(maced));
	if (rc < 0 && plen > 0)
		OPENSSL_cleanse(out, plen);
	return rc;
}
