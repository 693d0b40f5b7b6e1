/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/ikev1_kdf.c - IKEv1's keys (RFC 2409 5, Appendix B); see ikev1_kdf.h. Every value is
 * one ike_prf() call over chunks, or a chain of them, so each intermediate lives in a local
 * buffer that is wiped before returning.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/ikev1_kdf.h"

int ikev1_skeyid_sig(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, const uint8_t *gxy, size_t gxy_len, uint8_t *out)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	const struct ike_chunk data = {gxy, gxy_len};
	if (ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	int rc = ike_prf(prf, key, ni_len + nr_len, &data, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int ikev1_skeyid_psk(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
		     size_t ni_len, const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	const struct ike_chunk data[] = {{ni, ni_len}, {nr, nr_len}};
	return ike_prf(prf, psk, psk_len, data, 2, out);
}

int ikev1_skeyid_dae(uint16_t prf, const uint8_t *skeyid, const uint8_t *gxy, size_t gxy_len,
		     const uint8_t cky_i[8], const uint8_t cky_r[8], uint8_t *d, uint8_t *a,
		     uint8_t *e)
{
	size_t hl = ike_prf_len(prf);
	uint8_t n[3] = {0, 1, 2};
	uint8_t *out[3] = {d, a, e};
	int rc = hl != 0 ? 0 : -ENOTSUP;
	for (int i = 0; i < 3 && rc == 0; i++) {
		/* SKEYID_a and SKEYID_e begin with the one before */
		const struct ike_chunk data[] = {
			{i > 0 ? out[i - 1] : NULL, i > 0 ? hl : 0},
			{gxy, gxy_len},
			{cky_i, 8},
			{cky_r, 8},
			{&n[i], 1},
		};
		rc = ike_prf(prf, skeyid, hl, data, 5, out[i]);
	}
	if (rc != 0 && hl != 0)
		for (int i = 0; i < 3; i++)
			OPENSSL_cleanse(out[i], hl);
	return rc;
}

int ikev1_enc_key(uint16_t prf, const uint8_t *skeyid_e, uint8_t *key, size_t len)
{
	size_t hl = ike_prf_len(prf), have = 0;
	uint8_t k[IKE_PRF_MAX];
	static const uint8_t zero = 0;
	if (hl == 0)
		return -ENOTSUP;
	if (len <= hl) { /* long enough: its first octets */
		memcpy(key, skeyid_e, len);
		return 0;
	}
	int rc = 0;
	while (have < len && rc == 0) {
		const struct ike_chunk data = {have == 0 ? &zero : k, have == 0 ? 1 : hl};
		rc = ike_prf(prf, skeyid_e, hl, &data, 1, k);
		size_t n = len - have < hl ? len - have : hl;
		if (rc == 0)
			memcpy(key + have, k, n);
		have += n;
	}
	OPENSSL_cleanse(k, sizeof(k));
	if (rc != 0)
		OPENSSL_cleanse(key, len);
	return rc;
}

static const EVP_MD *md_of(uint16_t prf)
{
	switch (prf) {
	case IKEV1_HASH_MD5_PRF:
		return EVP_md5();
	case IKE_PRF_HMAC_SHA1:
		return EVP_sha1();
	case IKE_PRF_HMAC_SHA2_256:
		return EVP_sha256();
	case IKE_PRF_HMAC_SHA2_384:
		return EVP_sha384();
	case IKE_PRF_HMAC_SHA2_512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

int ikev1_hash(uint16_t prf, const struct ike_chunk *data, size_t n, uint8_t *out)
{
	const EVP_MD *md = md_of(prf);
	unsigned int hl = 0;
	if (md == NULL)
		return -ENOTSUP;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = data[i].len == 0 || EVP_DigestUpdate(c, data[i].p, data[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(c, out, &hl) == 1;
	EVP_MD_CTX_free(c);
	return ok ? (int)hl : -EIO;
}

int ikev1_phase1_iv(uint16_t prf, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
		    size_t gxr_len, uint8_t *iv, size_t block_len)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	const struct ike_chunk d[] = {{gxi, gxi_len}, {gxr, gxr_len}};
	int n = ikev1_hash(prf, d, 2, h);
	if (n < 0)
		return n;
	if (block_len > (size_t)n)
		return -EINVAL;
	memcpy(iv, h, block_len);
	return 0;
}

int ikev1_hash_auth(uint16_t prf, const uint8_t *skeyid, const uint8_t *g1, size_t g1_len,
		    const uint8_t *g2, size_t g2_len, const uint8_t cky1[8], const uint8_t cky2[8],
		    const uint8_t *sa_b, size_t sa_len, const uint8_t *id_b, size_t id_len,
		    uint8_t *out)
{
	const struct ike_chunk data[] = {{g1, g1_len}, {g2, g2_len},   {cky1, 8},
					 {cky2, 8},    {sa_b, sa_len}, {id_b, id_len}};
	size_t hl = ike_prf_len(prf);
	return hl != 0 ? ike_prf(prf, skeyid, hl, data, 6, out) : -ENOTSUP;
}

int ikev1_qm_keymat(uint16_t prf, const uint8_t *skeyid_d, const uint8_t *gqm, size_t gqm_len,
		    uint8_t protocol, const uint8_t spi[4], const uint8_t *ni, size_t ni_len,
		    const uint8_t *nr, size_t nr_len, uint8_t *out, size_t len)
{
	size_t hl = ike_prf_len(prf), have = 0;
	uint8_t k[IKE_PRF_MAX];
	int rc = hl != 0 ? 0 : -ENOTSUP;
	if (rc == 0 && len > 255 * hl)
		rc = -EMSGSIZE;
	while (rc == 0 && have < len) {
		const struct ike_chunk data[] = {
			{have > 0 ? k : NULL, have > 0 ? hl : 0},
			{gqm, gqm != NULL ? gqm_len : 0},
			{&protocol, 1},
			{spi, 4},
			{ni, ni_len},
			{nr, nr_len},
		};
		rc = ike_prf(prf, skeyid_d, hl, data, 6, k);
		size_t n = len - have < hl ? len - have : hl;
		if (rc == 0)
			memcpy(out + have, k, n);
		have += n;
	}
	OPENSSL_cleanse(k, sizeof(k));
	if (rc != 0 && len <= 255 * IKE_PRF_MAX)
		OPENSSL_cleanse(out, len);
	return rc;
}
