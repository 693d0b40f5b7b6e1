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
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

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
	};
	CU_pSuite s = CU_add_suite("ike_sk", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
