/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_sk.c - the "ike_sk" suite: crypto/ike_sk.{h,c}.
 *
 * Known answers: five whole messages (IKE header, SK payload with 40 octets of inner payloads)
 * sealed by an independent Python implementation on python3-cryptography (AES-CBC + HMAC as
 * RFC 7296 3.14 describes, AESGCM and ChaCha20Poly1305 with nonce salt || IV and the IKE header
 * plus the SK header as AAD, RFC 5282 5.1 / RFC 7634 3), with the keys, IVs and inner payloads
 * made by pat() below:
 *
 *   hdr = spi_i 0102030405060708, spi_r 1112131415161718, next 46, 0x20, 35, 0x08, msg ID 1
 *   cbc: pt = plain + zeros(pad) + [pad]; icv = HMAC(ak, hdr..ct)[:icv_len]
 *   aead: pt = plain + [0]; alg(key).encrypt(salt + iv, pt, hdr + sk_hdr)
 *
 * No published IKEv2 Encrypted-payload vectors were found, so these stand in for them.
 *
 * Cross-checks: every suite, SK and SKF, with and without a clear payload before the
 * encrypted one, for inner lengths 0-80 and a few large ones: sealed by ike_sk and opened by
 * OpenSSL EVP and HMAC() called directly here (an independent path), and sealed here and
 * opened by ike_sk. One flipped bit anywhere in a sealed message is refused, with the ICV
 * reason everywhere but in the payload's own Payload Length. Every opening refusal has its
 * own reason and leaves the output wiped. The random sequence is fixed so a failure replays.
 *
 * The keys these payloads are sealed with come from the key schedule of crypto/ike_prf.c; its
 * known answers from NIST SP 800-135 CAVS (SKEYSEED, the IKE SA DKM, Child SA DKM with and
 * without PFS, rekey SKEYSEED) are at the end of this file.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "tests.h"

#define MSG_MAX	  2048
#define HDR	  28
#define CLEAR_LEN 12 /* a Vendor ID payload before the encrypted one */

struct suite {
	uint16_t encr, bits, integ;
};

static const struct suite suites[] = {
	{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96},
	{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128},
	{IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192},
	{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256},
	{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA1_96},
	{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE},
	{IKE_ENCR_AES_GCM_16, 192, IKE_INTEG_NONE},
	{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE},
	{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE},
};

/* One direction's keys, as ike_sk gets them and as the reference uses them. */
struct keys {
	const struct suite *s;
	uint8_t ek[40], ak[64];
	size_t el, al;
};

static uint64_t rng = 0x1ce5eed;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void rnd_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd();
}

static void pat(uint8_t *out, size_t n, unsigned int a, unsigned int b)
{
	for (size_t j = 0; j < n; j++)
		out[j] = (uint8_t)((a * j + b) & 0xff);
}

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s), n;

	CU_ASSERT_FATAL(len % 2 == 0 && len / 2 <= cap);
	for (n = 0; n < len / 2; n++) {
		unsigned int v;
		CU_ASSERT_FATAL(sscanf(s + 2 * n, "%2x", &v) == 1);
		out[n] = (uint8_t)v;
	}
	return n;
}

static bool aead(const struct suite *s)
{
	return s->encr != IKE_ENCR_AES_CBC;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void rnd_keys(struct keys *k, const struct suite *s)
{
	k->s = s;
	k->el = ike_sk_encr_key_len(s->encr, s->bits);
	k->al = ike_sk_integ_key_len(s->integ);
	rnd_fill(k->ek, k->el);
	rnd_fill(k->ak, k->al);
}

static void sk_of(struct ike_sk *sk, const struct keys *k)
{
	CU_ASSERT_EQUAL_FATAL(ike_sk_init(sk, k->s->encr, k->s->bits, k->s->integ, k->ek, k->el,
					  k->al ? k->ak : NULL, k->al),
			      0);
}

/*
 * The IKE header, an optional Vendor ID payload and the SK (hlen 4) or SKF (hlen 8) header;
 * returns the encrypted payload's offset. Lengths are left for the sealer.
 */
static size_t head(uint8_t *m, bool clear, size_t hlen)
{
	uint8_t enc = hlen == IKE_SK_HDR_LEN ? 46 : 53;
	size_t off = HDR;

	memset(m, 0, HDR);
	pat(m, 16, 1, 1);
	m[16] = clear ? 43 : enc;
	m[17] = 0x20;
	m[18] = 35;
	m[19] = 0x08;
	m[23] = 1;
	if (clear) {
		m[off] = enc;
		m[off + 1] = 0;
		put16(m + off + 2, CLEAR_LEN);
		pat(m + off + 4, CLEAR_LEN - 4, 3, 3);
		off += CLEAR_LEN;
	}
	m[off] = 35; /* IDi first inside */
	m[off + 1] = 0;
	if (hlen == IKE_SKF_HDR_LEN) {
		put16(m + off + 4, 1);
		put16(m + off + 6, 1);
	}
	return off;
}

/* The reference AEAD pass on EVP: returns false on any library or tag failure. */
static bool ref_aead(const struct keys *k, bool enc, const uint8_t *aad, size_t aad_len,
		     const uint8_t *iv, uint8_t *buf, size_t len, uint8_t *tag)
{
	const size_t kl = k->el - 4;
	const EVP_CIPHER *c = k->s->encr == IKE_ENCR_CHACHA20_POLY1305 ? EVP_chacha20_poly1305()
			      : kl == 16			       ? EVP_aes_128_gcm()
			      : kl == 24			       ? EVP_aes_192_gcm()
								       : EVP_aes_256_gcm();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12];
	int n = 0;
	bool ok;

	memcpy(nonce, k->ek + kl, 4);
	memcpy(nonce + 4, iv, 8);
	ok = ctx != NULL && EVP_CipherInit_ex(ctx, c, NULL, k->ek, nonce, enc) == 1 &&
	     (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1) &&
	     EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1 &&
	     EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) == 1 &&
	     EVP_CipherFinal_ex(ctx, buf + n, &n) == 1 &&
	     (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

static const EVP_MD *md_of(uint16_t integ)
{
	return integ == IKE_INTEG_HMAC_SHA1_96	      ? EVP_sha1()
	       : integ == IKE_INTEG_HMAC_SHA2_256_128 ? EVP_sha256()
	       : integ == IKE_INTEG_HMAC_SHA2_384_192 ? EVP_sha384()
						      : EVP_sha512();
}

static size_t icv_len(const struct suite *s)
{
	return aead(s)					 ? 16
	       : s->integ == IKE_INTEG_HMAC_SHA1_96	 ? 12
	       : s->integ == IKE_INTEG_HMAC_SHA2_256_128 ? 16
	       : s->integ == IKE_INTEG_HMAC_SHA2_384_192 ? 24
							 : 32;
}

static bool ref_cbc(const struct keys *k, bool enc, const uint8_t *iv, uint8_t *buf, size_t len)
{
	const EVP_CIPHER *c = k->el == 16   ? EVP_aes_128_cbc()
			      : k->el == 24 ? EVP_aes_192_cbc()
					    : EVP_aes_256_cbc();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;
	bool ok = ctx != NULL && EVP_CipherInit_ex(ctx, c, NULL, k->ek, iv, enc) == 1 &&
		  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
		  EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) == 1 &&
		  EVP_CipherFinal_ex(ctx, buf + n, &m) == 1;

	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

/*
 * The reference sealer: plain with pad octets of padding (pad_len_byte in the Pad Length
 * field), IV iv; returns the message length.
 */
static size_t ref_seal(const struct keys *k, uint8_t *m, size_t off, size_t hlen,
		       const uint8_t *plain, size_t plen, size_t pad, uint8_t pad_len_byte)
{
	size_t ivl = aead(k->s) ? 8 : 16, icv = icv_len(k->s);
	size_t ivo = off + hlen, ct = plen + pad + 1, total = ivo + ivl + ct + icv;
	uint8_t *c = m + ivo + ivl, full[64];
	unsigned int outl;

	rnd_fill(m + ivo, ivl);
	memcpy(c, plain, plen);
	memset(c + plen, 0, pad);
	c[plen + pad] = pad_len_byte;
	put16(m + off + 2, total - off);
	put16(m + 26, total);
	if (aead(k->s)) {
		CU_ASSERT(ref_aead(k, true, m, ivo, m + ivo, c, ct, c + ct));
	} else {
		CU_ASSERT(ref_cbc(k, true, m + ivo, c, ct));
		HMAC(md_of(k->s->integ), k->ak, (int)k->al, m, ivo + ivl + ct, full, &outl);
		memcpy(c + ct, full, icv);
	}
	return total;
}

/* The reference opener: checks ICV, decrypts, returns the inner length or -1. */
static long ref_open(const struct keys *k, const uint8_t *m, size_t total, size_t off, size_t hlen,
		     uint8_t *out)
{
	size_t ivl = aead(k->s) ? 8 : 16, icv = icv_len(k->s), ivo = off + hlen;
	size_t ct = total - ivo - ivl - icv;
	uint8_t full[64], tag[16];
	unsigned int outl;

	memcpy(out, m + ivo + ivl, ct);
	if (aead(k->s)) {
		memcpy(tag, m + total - 16, 16);
		if (!ref_aead(k, false, m, ivo, m + ivo, out, ct, tag))
			return -1;
	} else {
		HMAC(md_of(k->s->integ), k->ak, (int)k->al, m, total - icv, full, &outl);
		if (memcmp(full, m + total - icv, icv) != 0 || !ref_cbc(k, false, m + ivo, out, ct))
			return -1;
	}
	return out[ct - 1] + 1u > ct ? -1 : (long)(ct - out[ct - 1] - 1);
}

static void test_python_vectors(void)
{
	static const struct {
		struct suite s;
		unsigned int ea, eb, en, aa, ab, an;
		const char *msg;
	} v[] = {
		{{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96},
		 5,
		 1,
		 16,
		 7,
		 2,
		 20,
		 "010203040506070811121314151617182e202308000000010000006c23000050030e19242f3a45505"
		 "b"
		 "66717c87929da82c4c30e4adc26589ced0dc2d02cf9d73ef5cc45e9118ec574486b5115ab7c533fc"
		 "1813a265a94ecf49209b55b8672c9d9b44626cc375980e50c66d92"},
		{{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256},
		 5,
		 9,
		 32,
		 7,
		 8,
		 64,
		 "010203040506070811121314151617182e202308000000010000008023000064030e19242f3a45505"
		 "b"
		 "66717c87929da88e7893940732225609acaaa71ac1ebc1a1939699252c58433b66026ee1f112a6f9"
		 "df41d2ea862171f8eae455e8a4c19cc6568c92b7638ec3d313f15bd6f6b3a4d48f67c14e5ffbfe79"
		 "7fd5690237a429"},
		{{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE},
		 13,
		 4,
		 20,
		 0,
		 0,
		 0,
		 "010203040506070811121314151617182e20230800000001000000612300004505162738495a6b7ce"
		 "8"
		 "f282bfa19a60537c6d4d8bfee2dbbf01bcf5900617d2642bc6a2938c2d1c823b9a49bf939b83decb"
		 "84c4b6f35b425ce0136da65117380c24"},
		{{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE},
		 13,
		 4,
		 36,
		 0,
		 0,
		 0,
		 "010203040506070811121314151617182e20230800000001000000612300004505162738495a6b7c7"
		 "3"
		 "ae36e6d020b8c505f74d313d482e83384c5a1261b8e5de1c4b67a95647505c493bd015401c9193df"
		 "48d4a95c8992f9defece3e3279e0f457"},
		{{IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE},
		 19,
		 6,
		 36,
		 0,
		 0,
		 0,
		 "010203040506070811121314151617182e20230800000001000000612300004505162738495a6b7cb"
		 "b"
		 "768e73e5c6b95c9bf7c15afd466fe1fb39ca665c4187afbc0bd13ac3ecca7d3c29036c15bbb06ceb"
		 "6e6166d812704d57081d84264e69d211"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t ek[36], ak[64], iv[16], plain[40], m[MSG_MAX], want[MSG_MAX], out[MSG_MAX];
		size_t wl = unhex(v[i].msg, want, sizeof(want)), len = 0, pl = 0;
		struct ike_sk sk;

		pat(ek, v[i].en, v[i].ea, v[i].eb);
		pat(ak, v[i].an, v[i].aa, v[i].ab);
		pat(iv, 16, aead(&v[i].s) ? 17 : 11, aead(&v[i].s) ? 5 : 3);
		pat(plain, 40, 3, 7);
		CU_ASSERT_EQUAL_FATAL(ike_sk_init(&sk, v[i].s.encr, v[i].s.bits, v[i].s.integ, ek,
						  v[i].en, v[i].an ? ak : NULL, v[i].an),
				      0);
		memcpy(m, want, HDR + 4); /* header and SK header; the lengths get rewritten */
		memset(m + 24, 0, 4);
		memset(m + HDR + 2, 0, 2);
		CU_ASSERT_EQUAL(ike_sk_protect_kat(&sk, iv, m, sizeof(m), HDR, 4, plain, 40, &len),
				0);
		CU_ASSERT_EQUAL(len, wl);
		CU_ASSERT(memcmp(m, want, wl) == 0);
		CU_ASSERT_EQUAL(ike_sk_unprotect(&sk, want, wl, HDR, 4, out, sizeof(out), &pl), 0);
		CU_ASSERT(pl == 40 && memcmp(out, plain, 40) == 0);
		ike_sk_wipe(&sk);
	}
}

/* ike_sk seals, the reference opens; the reference seals, ike_sk opens. */
static void xcheck_one(const struct keys *k, bool clear, size_t hlen, size_t plen)
{
	static uint8_t m[MSG_MAX], plain[MSG_MAX], out[MSG_MAX];
	struct ike_sk tx, rx;
	size_t off = head(m, clear, hlen), len = 0, got = 0;
	size_t block = aead(k->s) ? 1 : 16, pad = (block - (plen + 1) % block) % block;

	sk_of(&tx, k);
	sk_of(&rx, k);
	rnd_fill(plain, plen);
	CU_ASSERT_EQUAL_FATAL(ike_sk_protect(&tx, m, sizeof(m), off, hlen, plain, plen, &len), 0);
	/* 3.14: the least padding that aligns (none for the AEADs) */
	CU_ASSERT_EQUAL(len, off + hlen + (aead(k->s) ? 8 : 16) + plen + pad + 1 + icv_len(k->s));
	CU_ASSERT_EQUAL(len, off + hlen + ike_sk_body_len(&tx, plen));
	CU_ASSERT_EQUAL((size_t)m[26] << 8 | m[27], len);
	CU_ASSERT_EQUAL(ref_open(k, m, len, off, hlen, out), (long)plen);
	CU_ASSERT(memcmp(out, plain, plen) == 0);
	CU_ASSERT_EQUAL(ike_sk_unprotect(&rx, m, len, off, hlen, out, sizeof(out), &got), 0);
	CU_ASSERT(got == plen && memcmp(out, plain, plen) == 0);

	/* the other way, with a non-minimal pad for CBC (3.14: any that aligns is accepted) */
	off = head(m, clear, hlen);
	pad += block > 1 && plen % 3 == 0 ? 16 : 0;
	len = ref_seal(k, m, off, hlen, plain, plen, pad, (uint8_t)pad);
	CU_ASSERT_EQUAL(ike_sk_unprotect(&rx, m, len, off, hlen, out, sizeof(out), &got), 0);
	CU_ASSERT(got == plen && memcmp(out, plain, plen) == 0);
	ike_sk_wipe(&tx);
	ike_sk_wipe(&rx);
}

static void test_xcheck(void)
{
	static const size_t big[] = {255, 256, 1000, 1400};

	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		struct keys k;

		rnd_keys(&k, &suites[s]);
		for (size_t plen = 0; plen <= 80; plen++)
			xcheck_one(&k, plen % 2, plen % 3 ? IKE_SK_HDR_LEN : IKE_SKF_HDR_LEN, plen);
		for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
			xcheck_one(&k, i % 2, IKE_SK_HDR_LEN, big[i]);
	}
}

/* Every single-bit change of a sealed message is refused. */
static void test_bit_flips(void)
{
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		uint8_t m[MSG_MAX], plain[45], out[MSG_MAX];
		size_t off, len = 0, got;
		struct ike_sk tx;
		struct keys k;

		rnd_keys(&k, &suites[s]);
		sk_of(&tx, &k);
		rnd_fill(plain, sizeof(plain));
		off = head(m, s % 2, IKE_SK_HDR_LEN);
		CU_ASSERT_EQUAL_FATAL(
			ike_sk_protect(&tx, m, sizeof(m), off, 4, plain, sizeof(plain), &len), 0);
		for (size_t bit = 0; bit < 8 * len; bit++) {
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			int rc = ike_sk_unprotect(&tx, m, len, off, 4, out, sizeof(out), &got);
			bool own_len = bit / 8 == off + 2 || bit / 8 == off + 3;
			CU_ASSERT(rc < 0);
			if (!own_len && ike_sk_err_of(rc) != IKE_SK_ERR_ICV) {
				CU_FAIL("flipped bit not caught by the ICV");
				fprintf(stderr, "\n  suite %zu bit %zu: %d\n", s, bit, rc);
			}
			m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		CU_ASSERT_EQUAL(ike_sk_unprotect(&tx, m, len, off, 4, out, sizeof(out), &got), 0);
		ike_sk_wipe(&tx);
	}
}

static bool wiped(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Opening m must fail with exactly want and leave out zeroed. */
static void expect_open(const struct ike_sk *sk, const uint8_t *m, size_t len, size_t off,
			size_t cap, enum ike_sk_err want)
{
	uint8_t out[MSG_MAX];
	size_t got = 12345;
	int rc;

	memset(out, 0xa5, sizeof(out));
	rc = ike_sk_unprotect(sk, m, len, off, 4, out, cap, &got);
	CU_ASSERT_EQUAL(ike_sk_err_of(rc), want);
	if (ike_sk_err_of(rc) != want)
		fprintf(stderr, "\n  got %d, wanted %s\n", rc, ike_sk_err_name[want]);
	CU_ASSERT(wiped(out, cap));
	CU_ASSERT_EQUAL(got, 12345);
}

static void test_open_refusals(void)
{
	const struct suite *cbc = &suites[1], *gcm = &suites[5];
	uint8_t m[MSG_MAX], plain[32], out[MSG_MAX];
	struct ike_sk c, g;
	struct keys kc, kg;
	size_t len, got = 0;

	rnd_keys(&kc, cbc);
	rnd_keys(&kg, gcm);
	sk_of(&c, &kc);
	sk_of(&g, &kg);
	rnd_fill(plain, sizeof(plain));

	/* CBC: 16 IV + 16 ICV; the least is one block */
	len = ref_seal(&kc, m, head(m, false, 4), 4, plain, 15, 0, 0);
	CU_ASSERT_EQUAL(len, HDR + 4 + 16 + 16 + 16);
	CU_ASSERT_EQUAL(ike_sk_unprotect(&c, m, len, HDR, 4, out, sizeof(out), &got), 0);
	CU_ASSERT_EQUAL(got, 15);
	put16(m + HDR + 2, 4 + 16 + 17 + 16); /* not whole blocks */
	expect_open(&c, m, len + 1, HDR, MSG_MAX, IKE_SK_ERR_ALIGN);
	put16(m + HDR + 2, 4 + 16 + 16); /* no ciphertext at all */
	expect_open(&c, m, len - 16, HDR, MSG_MAX, IKE_SK_ERR_SHORT);
	put16(m + HDR + 2, 4 + 16 + 16 + 16 + 1); /* past the message */
	expect_open(&c, m, len, HDR, MSG_MAX, IKE_SK_ERR_LAYOUT);
	put16(m + HDR + 2, 3); /* shorter than its own header */
	expect_open(&c, m, len, HDR, MSG_MAX, IKE_SK_ERR_LAYOUT);
	expect_open(&c, m, len, len - 2, MSG_MAX, IKE_SK_ERR_LAYOUT); /* header cut off */
	expect_open(&c, m, len, 20, MSG_MAX, IKE_SK_ERR_LAYOUT);      /* inside the IKE header */

	/* a pad length beyond the data, under a good ICV */
	len = ref_seal(&kc, m, head(m, false, 4), 4, plain, 15, 0, 16);
	expect_open(&c, m, len, HDR, MSG_MAX, IKE_SK_ERR_PAD);
	len = ref_seal(&kc, m, head(m, false, 4), 4, plain, 15, 0, 15); /* all pad: fine */
	CU_ASSERT_EQUAL(ike_sk_unprotect(&c, m, len, HDR, 4, out, 16, &got), 0);
	CU_ASSERT_EQUAL(got, 0);
	expect_open(&c, m, len, HDR, 15, IKE_SK_ERR_BUF); /* output one octet short */

	/* AEAD: 8 IV + 16 tag + the pad length octet at least */
	len = ref_seal(&kg, m, head(m, false, 4), 4, plain, 0, 0, 0);
	CU_ASSERT_EQUAL(len, HDR + 4 + 8 + 1 + 16);
	CU_ASSERT_EQUAL(ike_sk_unprotect(&g, m, len, HDR, 4, out, 1, &got), 0);
	CU_ASSERT_EQUAL(got, 0);
	put16(m + HDR + 2, 4 + 8 + 16);
	expect_open(&g, m, len - 1, HDR, MSG_MAX, IKE_SK_ERR_SHORT);
	len = ref_seal(&kg, m, head(m, false, 4), 4, plain, 20, 0, 21);
	expect_open(&g, m, len, HDR, MSG_MAX, IKE_SK_ERR_PAD);
	len = ref_seal(&kg, m, head(m, false, 4), 4, plain, 20, 0, 0);
	m[len - 1] ^= 0x80;
	expect_open(&g, m, len, HDR, MSG_MAX, IKE_SK_ERR_ICV);
	ike_sk_wipe(&c);
	ike_sk_wipe(&g);
}

/* AEAD IVs: 0, 1, 2, ...; a spent counter refuses; a refused seal spends none. */
static void test_aead_iv(void)
{
	uint8_t m[MSG_MAX], plain[8] = {0};
	struct ike_sk sk;
	struct keys k;
	size_t len = 0, off;

	rnd_keys(&k, &suites[8]);
	sk_of(&sk, &k);
	for (uint8_t i = 0; i < 3; i++) {
		off = head(m, false, 4);
		CU_ASSERT_EQUAL(ike_sk_protect(&sk, m, sizeof(m), off, 4, plain, 8, &len), 0);
		CU_ASSERT(wiped(m + off + 4, 7) && m[off + 4 + 7] == i);
	}
	off = head(m, false, 4);
	CU_ASSERT_EQUAL(ike_sk_err_of(ike_sk_protect(&sk, m, len - 1, off, 4, plain, 8, &len)),
			IKE_SK_ERR_BUF);
	CU_ASSERT_EQUAL(ike_sk_protect(&sk, m, sizeof(m), off, 4, plain, 8, &len), 0);
	CU_ASSERT_EQUAL(m[off + 4 + 7], 3); /* the refused call did not use IV 3 */
	sk.next_iv = UINT64_MAX - 1;
	CU_ASSERT_EQUAL(ike_sk_protect(&sk, m, sizeof(m), off, 4, plain, 8, &len), 0);
	CU_ASSERT_EQUAL(ike_sk_err_of(ike_sk_protect(&sk, m, sizeof(m), off, 4, plain, 8, &len)),
			IKE_SK_ERR_IV_EXHAUSTED);
	ike_sk_wipe(&sk);
	CU_ASSERT(wiped((const uint8_t *)&sk, sizeof(sk)));
}

/* A seal that does not fit writes nothing past cap; CBC IVs differ per message. */
static void test_seal_limits(void)
{
	static uint8_t m[70000], plain[65536];
	uint8_t iv1[16];
	struct ike_sk sk;
	struct keys k;
	size_t len = 0, off, need;

	rnd_keys(&k, &suites[0]);
	sk_of(&sk, &k);
	off = head(m, false, 4);
	need = off + 4 + ike_sk_body_len(&sk, 100);
	memset(m + off + 4, 0xee, 200);
	CU_ASSERT_EQUAL(ike_sk_err_of(ike_sk_protect(&sk, m, need - 1, off, 4, plain, 100, &len)),
			IKE_SK_ERR_BUF);
	CU_ASSERT(m[need - 1] == 0xee && m[off + 4] == 0xee);
	CU_ASSERT_EQUAL(ike_sk_protect(&sk, m, need, off, 4, plain, 100, &len), 0);
	CU_ASSERT_EQUAL(len, need);
	memcpy(iv1, m + off + 4, 16);
	CU_ASSERT_EQUAL(ike_sk_protect(&sk, m, need, off, 4, plain, 100, &len), 0);
	CU_ASSERT(memcmp(iv1, m + off + 4, 16) != 0);
	CU_ASSERT_EQUAL(ike_sk_err_of(ike_sk_protect(&sk, m, sizeof(m), off, 4, plain,
						     sizeof(plain), &len)),
			IKE_SK_ERR_TOO_LONG);
	CU_ASSERT_EQUAL(ike_sk_err_of(ike_sk_protect(&sk, m, sizeof(m), off, 5, plain, 1, &len)),
			IKE_SK_ERR_LAYOUT);
	ike_sk_wipe(&sk);
}

static void test_init_refusals(void)
{
	static const struct {
		uint16_t encr, bits, integ;
		size_t el, al;
		enum ike_sk_err want;
	} v[] = {
		{3, 0, IKE_INTEG_HMAC_SHA1_96, 24, 20, IKE_SK_ERR_ALG}, /* 3DES */
		{IKE_ENCR_AES_CBC, 128, 1, 16, 16, IKE_SK_ERR_ALG},	/* HMAC-MD5-96 */
		{IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, 16, 0, IKE_SK_ERR_ALG},
		{IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, 20, 20, IKE_SK_ERR_ALG},
		{IKE_ENCR_AES_CBC, 64, IKE_INTEG_HMAC_SHA1_96, 8, 20, IKE_SK_ERR_KEY_LEN},
		{IKE_ENCR_AES_CBC, 0, IKE_INTEG_HMAC_SHA1_96, 16, 20, IKE_SK_ERR_KEY_LEN},
		{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 17, 20, IKE_SK_ERR_KEY_LEN},
		{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 16, 19, IKE_SK_ERR_KEY_LEN},
		{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 32, 0, IKE_SK_ERR_KEY_LEN}, /* no salt */
		{IKE_ENCR_CHACHA20_POLY1305, 128, IKE_INTEG_NONE, 20, 0, IKE_SK_ERR_KEY_LEN},
	};
	uint8_t key[64] = {1};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ike_sk sk;

		memset(&sk, 0x77, sizeof(sk));
		int rc = ike_sk_init(&sk, v[i].encr, v[i].bits, v[i].integ, key, v[i].el,
				     v[i].al ? key : NULL, v[i].al);
		CU_ASSERT_EQUAL(ike_sk_err_of(rc), v[i].want);
		CU_ASSERT(wiped((const uint8_t *)&sk, sizeof(sk)));
	}
	CU_ASSERT_EQUAL(ike_sk_encr_key_len(IKE_ENCR_AES_GCM_16, 256), 36);
	CU_ASSERT_EQUAL(ike_sk_encr_key_len(IKE_ENCR_CHACHA20_POLY1305, 0), 36);
	CU_ASSERT_EQUAL(ike_sk_encr_key_len(IKE_ENCR_AES_CBC, 192), 24);
	CU_ASSERT_EQUAL(ike_sk_encr_key_len(3, 192), 0);
	CU_ASSERT_EQUAL(ike_sk_integ_key_len(IKE_INTEG_HMAC_SHA2_384_192), 48);
	CU_ASSERT_EQUAL(ike_sk_integ_key_len(1), 0);
}

/*
 * Key schedule known answers: NIST SP 800-135 CAVS IKEv2 KDF sample vectors (the SHA-1 and
 * SHA-256 sets), through crypto/ike_prf.c: SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14),
 * DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (2.14, taken whole from ike_prf_plus and split
 * into the seven keys by ike_sa_keys_derive), SK_d = the first PRF-output-length octets of DKM,
 * Child SA DKM = prf+(SK_d, Ni | Nr) and with PFS prf+(SK_d, g^ir (new) | Ni | Nr) (2.17), and
 * SKEYSEED of a rekeyed IKE SA = prf(SK_d, g^ir (new) | Ni | Nr) (2.18). The vectors' nonces
 * are 8 octets, below the 16 that RFC 7296 3.9 asks of a Nonce payload; the parser enforces
 * that minimum, and these functions compute the formulas for any length, so they take them as
 * they are. The DKM is 132 octets (1056 bits) in every case.
 */
struct kdf_vector {
	uint16_t prf;
	const char *g_ir, *g_ir_new, *ni, *nr, *spi_i, *spi_r;
	const char *skeyseed, *dkm, *child_dkm, *child_dkm_dh, *skeyseed_rekey;
	size_t integ_len, encr_len; /* a split of the 132 octets after SK_d, SK_pi, SK_pr */
};

static const struct kdf_vector kdf_vectors[] = {
	{
		.prf = IKE_PRF_HMAC_SHA1,
		.g_ir = "4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
		.g_ir_new = "863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330",
		.ni = "32b50d5f4a3763f3",
		.nr = "9206a04b26564cb1",
		.spi_i = "34c9e7c188868785",
		.spi_r = "3ff77d760d2b2199",
		.skeyseed = "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
		.dkm = "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e51"
		       "4a0"
		       "62768b76606f9fa5e992204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52"
		       "2"
		       "04b702c979fa280870d2ed41efa9c549fd11198af1670b143d384bd275c5f594cf266b05eba"
		       "d"
		       "ca855e4249520a441a81157435a7a56cc4",
		.child_dkm =
			"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b"
			"5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb"
			"51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf285f524aea6545"
			"b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4",
		.child_dkm_dh =
			"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d3730162819"
			"0e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c0400052f6"
			"3ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a0588"
			"4d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56f"
			"d74c",
		.skeyseed_rekey = "63e81194946ebd05df7df5ebf5d8750056bf1f1d",
		.integ_len = 20, /* 3 * 20 + 2 * 20 + 2 * 16 = 132 */
		.encr_len = 16,
	},
	{
		.prf = IKE_PRF_HMAC_SHA2_256,
		.g_ir = "0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29",
		.g_ir_new = "25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c",
		.ni = "3f302be1abcb28e1",
		.nr = "8c332ee006064c9b",
		.spi_i = "40dac39e1e1a8640",
		.spi_r = "8619a1cf9a6e4c07",
		.skeyseed = "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe",
		.dkm = "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ece98aca53118"
		       "8d1"
		       "6041b3bb936d2dbb3b4993a6e768a809160de45d0283f273a6cdf6854379e31be72b8d3d1fa"
		       "9"
		       "90cf9c5b015ca9f918a7df6253c958114a09d4e1c19bdcd4db14b29d98db1a74ad405c58866"
		       "2"
		       "c14a04d0d36aa4ab55e90f8986d12d4aad",
		.skeyseed_rekey =
			"2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398",
		.integ_len = 0, /* 3 * 32 + 2 * 18 = 132: an AEAD's 16-octet key and 2 more */
		.encr_len = 18,
	},
};

#define KDF_DKM_LEN 132

struct kdf_bytes {
	uint8_t g_ir[64], g_ir_new[64], ni[16], nr[16], spi_i[8], spi_r[8];
	size_t g_ir_len, g_ir_new_len, ni_len, nr_len;
};

static void kdf_inputs(const struct kdf_vector *v, struct kdf_bytes *b)
{
	b->g_ir_len = unhex(v->g_ir, b->g_ir, sizeof(b->g_ir));
	b->g_ir_new_len = unhex(v->g_ir_new, b->g_ir_new, sizeof(b->g_ir_new));
	b->ni_len = unhex(v->ni, b->ni, sizeof(b->ni));
	b->nr_len = unhex(v->nr, b->nr, sizeof(b->nr));
	CU_ASSERT_FATAL(unhex(v->spi_i, b->spi_i, sizeof(b->spi_i)) == 8);
	CU_ASSERT_FATAL(unhex(v->spi_r, b->spi_r, sizeof(b->spi_r)) == 8);
}

/* Compares out[0..len) with the hex string want (which must be len octets). */
static void expect_hex(const uint8_t *out, size_t len, const char *want)
{
	uint8_t w[KDF_DKM_LEN];

	CU_ASSERT_FATAL(unhex(want, w, sizeof(w)) == len);
	CU_ASSERT(memcmp(out, w, len) == 0);
}

/* The seven keys of 2.14, concatenated in their order, are the DKM. */
static void expect_split(const struct kdf_vector *v, const struct kdf_bytes *b,
			 const uint8_t *skeyseed)
{
	uint8_t cat[KDF_DKM_LEN], *p = cat;
	struct ike_sa_keys k;
	size_t plen = ike_prf_len(v->prf);

	CU_ASSERT_FATAL(3 * plen + 2 * v->integ_len + 2 * v->encr_len == KDF_DKM_LEN);
	CU_ASSERT_EQUAL_FATAL(ike_sa_keys_derive(v->prf, skeyseed, b->ni, b->ni_len, b->nr,
						 b->nr_len, b->spi_i, b->spi_r, v->integ_len,
						 v->encr_len, &k),
			      0);
	CU_ASSERT_EQUAL(k.d_len, plen);
	memcpy(p, k.sk_d, plen), p += plen;
	memcpy(p, k.sk_ai, v->integ_len), p += v->integ_len;
	memcpy(p, k.sk_ar, v->integ_len), p += v->integ_len;
	memcpy(p, k.sk_ei, v->encr_len), p += v->encr_len;
	memcpy(p, k.sk_er, v->encr_len), p += v->encr_len;
	memcpy(p, k.sk_pi, plen), p += plen;
	memcpy(p, k.sk_pr, plen);
	expect_hex(cat, KDF_DKM_LEN, v->dkm);
	ike_sa_keys_wipe(&k);
}

static void kdf_one(const struct kdf_vector *v)
{
	uint8_t skeyseed[IKE_PRF_MAX], dkm[KDF_DKM_LEN], out[KDF_DKM_LEN];
	size_t plen = ike_prf_len(v->prf);
	struct kdf_bytes b;

	kdf_inputs(v, &b);
	const struct ike_chunk seed[] = {
		{b.ni, b.ni_len}, {b.nr, b.nr_len}, {b.spi_i, 8}, {b.spi_r, 8}};
	CU_ASSERT_EQUAL_FATAL(
		ike_skeyseed(v->prf, b.ni, b.ni_len, b.nr, b.nr_len, b.g_ir, b.g_ir_len, skeyseed),
		0);
	expect_hex(skeyseed, plen, v->skeyseed);
	CU_ASSERT_EQUAL_FATAL(ike_prf_plus(v->prf, skeyseed, plen, seed, 4, dkm, sizeof(dkm)), 0);
	expect_hex(dkm, sizeof(dkm), v->dkm);
	expect_split(v, &b, skeyseed);
	/* SK_d is the DKM's first plen octets */
	if (v->child_dkm != NULL) {
		CU_ASSERT_EQUAL(ike_child_keymat(v->prf, dkm, plen, NULL, 0, b.ni, b.ni_len, b.nr,
						 b.nr_len, out, sizeof(out)),
				0);
		expect_hex(out, sizeof(out), v->child_dkm);
	}
	if (v->child_dkm_dh != NULL) {
		CU_ASSERT_EQUAL(ike_child_keymat(v->prf, dkm, plen, b.g_ir_new, b.g_ir_new_len,
						 b.ni, b.ni_len, b.nr, b.nr_len, out, sizeof(out)),
				0);
		expect_hex(out, sizeof(out), v->child_dkm_dh);
	}
	CU_ASSERT_EQUAL(ike_skeyseed_rekey(v->prf, dkm, plen, b.g_ir_new, b.g_ir_new_len, b.ni,
					   b.ni_len, b.nr, b.nr_len, out),
			0);
	expect_hex(out, plen, v->skeyseed_rekey);
}

static void test_kdf_vectors(void)
{
	for (size_t i = 0; i < sizeof(kdf_vectors) / sizeof(kdf_vectors[0]); i++)
		kdf_one(&kdf_vectors[i]);
}

/* A one-bit change of any input changes every output: the vectors above can fail. */
static void test_kdf_vectors_sensitive(void)
{
	const struct kdf_vector *v = &kdf_vectors[0];
	uint8_t skeyseed[IKE_PRF_MAX], want[IKE_PRF_MAX], out[KDF_DKM_LEN], w[KDF_DKM_LEN];
	struct kdf_bytes b;

	kdf_inputs(v, &b);
	unhex(v->skeyseed, want, sizeof(want));
	b.ni[0] ^= 1;
	CU_ASSERT_EQUAL(
		ike_skeyseed(v->prf, b.ni, b.ni_len, b.nr, b.nr_len, b.g_ir, b.g_ir_len, skeyseed),
		0);
	CU_ASSERT(memcmp(skeyseed, want, 20) != 0);
	b.ni[0] ^= 1;
	b.spi_r[7] ^= 0x80;
	const struct ike_chunk seed[] = {
		{b.ni, b.ni_len}, {b.nr, b.nr_len}, {b.spi_i, 8}, {b.spi_r, 8}};
	CU_ASSERT_EQUAL(ike_prf_plus(v->prf, want, 20, seed, 4, out, sizeof(out)), 0);
	unhex(v->dkm, w, sizeof(w));
	CU_ASSERT(memcmp(out, w, sizeof(w)) != 0);
	CU_ASSERT(memcmp(out + sizeof(out) - 20, w + sizeof(w) - 20, 20) != 0);
}

static void test_reasons(void)
{
	for (unsigned int e = 0; e < IKE_SK_ERR_MAX; e++) {
		CU_ASSERT_PTR_NOT_NULL(ike_sk_err_name[e]);
		CU_ASSERT_PTR_NOT_NULL(ike_sk_err_desc[e]);
		for (unsigned int f = 0; f < e; f++)
			CU_ASSERT(strcmp(ike_sk_err_name[e], ike_sk_err_name[f]) != 0);
	}
	CU_ASSERT_EQUAL(ike_sk_err_of(-EBADMSG), IKE_SK_ERR_ICV);
	CU_ASSERT_EQUAL(ike_sk_err_of(0), IKE_SK_ERR_MAX);
}

int test_ike_sk_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"sealed messages against Python", test_python_vectors},
		{"OpenSSL EVP cross-check, every suite, SK and SKF", test_xcheck},
		{"every flipped bit refused", test_bit_flips},
		{"opening refusals and their reasons", test_open_refusals},
		{"AEAD IV counter", test_aead_iv},
		{"sealing limits", test_seal_limits},
		{"refused suites and keys", test_init_refusals},
		{"reason list", test_reasons},
		{"NIST SP 800-135 IKEv2 KDF vectors", test_kdf_vectors},
		{"KDF vectors change with every input", test_kdf_vectors_sensitive},
	};
	CU_pSuite s = CU_add_suite("ike_sk", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
