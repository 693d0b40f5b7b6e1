/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ikev1_kdf.c - the "ikev1_kdf" suite: IKEv1's keys (crypto/ikev1_kdf.c,
 * RFC 2409 5 and Appendix B).
 *
 * Known answers: the NIST SP 800-135 CAVS IKEv1 KDF sample vectors for SHA-1 and SHA-256 (the
 * digital-signature case, SKEYID from g^xy and the nonces; SKEYID_d, SKEYID_a and SKEYID_e
 * from SKEYID, g^xy and the cookies; the pre-shared-key case). Only the numbers are
 * transcribed. Appendix B's key stretching, the Phase 1 IV, HASH_I and Quick Mode's KEYMAT
 * have no published vectors: they are checked against the formulas computed here with
 * OpenSSL's HMAC and digest directly, an independent implementation of the same text.
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/ikev1_kdf.h"
#include "tests.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;
	CU_ASSERT_FATAL(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned int v = 0;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

struct v1_vec {
	uint16_t prf;
	const char *gxy, *ni, *nr, *skeyid;    /* signatures */
	const char *cky_i, *cky_r, *d, *a, *e; /* from SKEYID, g^xy and the cookies */
	const char *psk, *psk_ni, *psk_nr, *psk_skeyid;
};

/* NIST SP 800-135 CAVS IKEv1 KDF sample vectors */
static const struct v1_vec vecs[] = {
	{IKE_PRF_HMAC_SHA1, "8ba4cbc73c0187301dc19a975823854dbd641c597f637f8d053a83b9514673eb",
	 "69a62284195f1680", "80c94ba25c8abda5", "707197817fb2d90cf54d1842606bdea59b9f4823",
	 "8c3bcd3a69831d7f", "d2d9a7ff4fbe95a7", "384be709a8a5e63c3ed160cfe3921c4b37d5b32d",
	 "48b327575abe3adba0f279849e289022a13e2b47", "a4a415c8e0c38c0da847c356cc61c24df8025560",
	 "c0", "03a6f25a83c8c2a3", "9d958a6618f77e7f", "ab3be41bc62f2ef0c41a3076d58768be77fadd2e"},
	{IKE_PRF_HMAC_SHA2_256, "a1ff3dc6cf9b4c04709943cb4ca1f1789bcf360b03f1d027de3ae8ee039e9155",
	 "b1dee62505b47b223bae14ce7a5b757402ad1587511618d09f94950d47f1d8d4ce86aca12d78db9854d86019"
	 "ad735757ae79d8932ac0c7db842c85060150ca875ea5d47e3cfcb2a05922ebb7959d49b9797a2289676ee79a"
	 "1d9a18b790f87e4771ddaf4be3376057a553162f68fe429aca73b07234543801ba2122b1bde82251770d05df"
	 "813cf556a11ca4dc43ffcb85a97dbed16e2fda6985e07e31be6364899e63c507c7c616e5eb7765a53560f767"
	 "72de43918ba07badfe85244dcdcd917cb065afb60e3b7e68b54dd94bfc7c31c8b752892781ed3cc4b7f28fbc"
	 "0ab9af908f5ae1f09f893f80100a7b3135993161b51fbba3bbb24b9f88c6147de82cd6f0",
	 "f0acfef2ad1f7add0eaafda78c1cf1097d9fc91cb04a7c145069ac426fd164cbe661b1dd2df0fb84e1951218"
	 "1f0d8ea50b7860845f332757a8e56d2a3b7be436b5718a2d49baa996a4616684a208c2d611cd65e605dca6e3"
	 "d3f116859b4410fe13679696bb2e23c08a40c7e1316d54b4c9c0286701c221151b3642cb4112ca1a53e0e597"
	 "a7e29c634caed86ca3c31973d37b4c346134fd6784cd99913feedf3d29d89a0a02a5a750f02f5738109dcc67"
	 "0bb27701fb59f78e83b76860c3fec079a1fc8c937ddb58ae7500422b7e49ce63759c65b6bc439381d56bcc15"
	 "9edede894b073841036ebfa050a5b3e7c876a3f18def26b1768a263ac66c9d83b680eb5e",
	 "750c5c94b9c2ec20b68033e024dadf0fa87e8b48c6561b21c72478451a06583d", "6c6beb72631ddc3d",
	 "b84e24b22cffbd14", "a4f7ca7de913814813e3312099e7c943bd293483f387532330237f1b20957310",
	 "1d4b705746c43b0a6fcbb8db33983c0f24ff6f8b6543e3779fed227c6067f004",
	 "03e6f16cd9ce9f64b5cdc5b34cca7163483ba5389a30afebef3d14640b0a815e", "a0",
	 "ead9ced494868f41", "f1aff4f425a94f18",
	 "558a99b299773d267cf7c8ef073bf3b7af362c206c75a538403c5ef884d4cace"},
};

static void test_nist(void)
{
	for (size_t v = 0; v < sizeof(vecs) / sizeof(vecs[0]); v++) {
		const struct v1_vec *t = &vecs[v];
		uint8_t gxy[64], ni[512], nr[512], want[64], got[64], d[64], a[64], e[64];
		uint8_t ci[8], cr[8], psk[8];
		size_t gl = unhex(t->gxy, gxy, sizeof(gxy)), nil = unhex(t->ni, ni, sizeof(ni));
		size_t nrl = unhex(t->nr, nr, sizeof(nr)),
		       hl = unhex(t->skeyid, want, sizeof(want));
		CU_ASSERT_EQUAL(hl, ike_prf_len(t->prf));
		CU_ASSERT_EQUAL(ikev1_skeyid_sig(t->prf, ni, nil, nr, nrl, gxy, gl, got), 0);
		CU_ASSERT_EQUAL(memcmp(got, want, hl), 0);
		unhex(t->cky_i, ci, 8);
		unhex(t->cky_r, cr, 8);
		CU_ASSERT_EQUAL(ikev1_skeyid_dae(t->prf, want, gxy, gl, ci, cr, d, a, e), 0);
		unhex(t->d, want, sizeof(want));
		CU_ASSERT_EQUAL(memcmp(d, want, hl), 0);
		unhex(t->a, want, sizeof(want));
		CU_ASSERT_EQUAL(memcmp(a, want, hl), 0);
		unhex(t->e, want, sizeof(want));
		CU_ASSERT_EQUAL(memcmp(e, want, hl), 0);
		size_t pl = unhex(t->psk, psk, sizeof(psk));
		nil = unhex(t->psk_ni, ni, sizeof(ni));
		nrl = unhex(t->psk_nr, nr, sizeof(nr));
		unhex(t->psk_skeyid, want, sizeof(want));
		CU_ASSERT_EQUAL(ikev1_skeyid_psk(t->prf, psk, pl, ni, nil, nr, nrl, got), 0);
		CU_ASSERT_EQUAL(memcmp(got, want, hl), 0);
		/* one octet changed, another answer: the comparison can fail */
		psk[0] ^= 1;
		CU_ASSERT_EQUAL(ikev1_skeyid_psk(t->prf, psk, pl, ni, nil, nr, nrl, got), 0);
		CU_ASSERT_NOT_EQUAL(memcmp(got, want, hl), 0);
	}
}

static void hmac(const EVP_MD *md, const uint8_t *k, size_t kl, const uint8_t *d, size_t dl,
		 uint8_t *out)
{
	unsigned int ol = 0;
	CU_ASSERT_PTR_NOT_NULL(HMAC(md, k, (int)kl, d, dl, out, &ol));
}

/* Appendix B and 5.5 against the formulas computed with OpenSSL's HMAC directly. */
static void test_formulas(void)
{
	const EVP_MD *md = EVP_sha256();
	uint8_t ske[32], k1[32], k2[32], key[48], want[64], buf[256], got[96];
	uint8_t gi[32], gr[32], ci[8] = {1}, cr[8] = {2}, spi[4] = {0xc0, 1, 2, 3};
	uint8_t ni[16], nr[16], gqm[32], sk_d[32], iv[16];
	for (int i = 0; i < 32; i++) {
		ske[i] = (uint8_t)i;
		gi[i] = (uint8_t)(0x40 + i);
		gr[i] = (uint8_t)(0x80 + i);
		gqm[i] = (uint8_t)(0xc0 + i);
		sk_d[i] = (uint8_t)(0x11 * i);
	}
	memset(ni, 0x5a, sizeof(ni));
	memset(nr, 0xa5, sizeof(nr));
	/* a 48-octet key from a 32-octet SKEYID_e: K1 = prf(e, 0), K2 = prf(e, K1) */
	static const uint8_t zero = 0;
	hmac(md, ske, 32, &zero, 1, k1);
	hmac(md, ske, 32, k1, 32, k2);
	memcpy(want, k1, 32);
	memcpy(want + 32, k2, 16);
	CU_ASSERT_EQUAL(ikev1_enc_key(IKE_PRF_HMAC_SHA2_256, ske, key, 48), 0);
	CU_ASSERT_EQUAL(memcmp(key, want, 48), 0);
	CU_ASSERT_EQUAL(ikev1_enc_key(IKE_PRF_HMAC_SHA2_256, ske, key, 16), 0);
	CU_ASSERT_EQUAL(memcmp(key, ske, 16), 0); /* long enough: SKEYID_e's first octets */
	/* IV = hash(g^xi | g^xr), a block of it */
	unsigned int hl = 0;
	memcpy(buf, gi, 32);
	memcpy(buf + 32, gr, 32);
	CU_ASSERT_EQUAL(EVP_Digest(buf, 64, want, &hl, md, NULL), 1);
	CU_ASSERT_EQUAL(ikev1_phase1_iv(IKE_PRF_HMAC_SHA2_256, gi, 32, gr, 32, iv, 16), 0);
	CU_ASSERT_EQUAL(memcmp(iv, want, 16), 0);
	/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
	static const uint8_t sa_b[12] = {0, 0, 0, 1, 0, 0, 0, 1, 9, 9, 9, 9}, id_b[8] = {1, 17};
	size_t n = 0;
	memcpy(buf, gi, 32), n += 32;
	memcpy(buf + n, gr, 32), n += 32;
	memcpy(buf + n, ci, 8), n += 8;
	memcpy(buf + n, cr, 8), n += 8;
	memcpy(buf + n, sa_b, 12), n += 12;
	memcpy(buf + n, id_b, 8), n += 8;
	hmac(md, ske, 32, buf, n, want);
	CU_ASSERT_EQUAL(ikev1_hash_auth(IKE_PRF_HMAC_SHA2_256, ske, gi, 32, gr, 32, ci, cr, sa_b,
					12, id_b, 8, got),
			0);
	CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
	/* Quick Mode KEYMAT with PFS, 72 octets: K1 | K2 | K3 (5.5) */
	uint8_t seed[32 + 1 + 4 + 16 + 16], kk[3][32];
	n = 0;
	memcpy(seed, gqm, 32), n += 32;
	seed[n++] = 3; /* PROTO_IPSEC_ESP */
	memcpy(seed + n, spi, 4), n += 4;
	memcpy(seed + n, ni, 16), n += 16;
	memcpy(seed + n, nr, 16), n += 16;
	hmac(md, sk_d, 32, seed, n, kk[0]);
	for (int i = 1; i < 3; i++) {
		memcpy(buf, kk[i - 1], 32);
		memcpy(buf + 32, seed, n);
		hmac(md, sk_d, 32, buf, 32 + n, kk[i]);
	}
	CU_ASSERT_EQUAL(ikev1_qm_keymat(IKE_PRF_HMAC_SHA2_256, sk_d, gqm, 32, 3, spi, ni, 16, nr,
					16, got, 72),
			0);
	CU_ASSERT_EQUAL(memcmp(got, kk[0], 32), 0);
	CU_ASSERT_EQUAL(memcmp(got + 32, kk[1], 32), 0);
	CU_ASSERT_EQUAL(memcmp(got + 64, kk[2], 8), 0);
	/* without PFS the seed has no g(qm)^xy */
	hmac(md, sk_d, 32, seed + 32, n - 32, kk[0]);
	CU_ASSERT_EQUAL(ikev1_qm_keymat(IKE_PRF_HMAC_SHA2_256, sk_d, NULL, 0, 3, spi, ni, 16, nr,
					16, got, 20),
			0);
	CU_ASSERT_EQUAL(memcmp(got, kk[0], 20), 0);
	CU_ASSERT_EQUAL(ikev1_qm_keymat(99, sk_d, NULL, 0, 3, spi, ni, 16, nr, 16, got, 20),
			-ENOTSUP);
}

int test_ikev1_kdf_register(void)
{
	CU_pSuite s = CU_add_suite("ikev1_kdf", NULL, NULL);
	if (s == NULL || CU_add_test(s, "NIST SP 800-135 IKEv1 vectors", test_nist) == NULL ||
	    CU_add_test(s, "Appendix B and Quick Mode KEYMAT", test_formulas) == NULL)
		return CU_get_error();
	return CUE_SUCCESS;
}
