/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_prf.c - the "ike_prf" suite: crypto/ike_prf.{h,c}.
 *
 * Known answers: RFC 2202 (HMAC-MD5, HMAC-SHA1) and RFC 4231 (HMAC-SHA-256/384/512) from
 * Debian's python3-cryptography-vectors (a missing file fails the test), through ike_prf with
 * PRF IDs 1 (the legacy HMAC-MD5, for IKEv1), 2, 5, 6 and 7.
 *
 * prf+, SKEYSEED, the SK_* keys, the rekeyed SKEYSEED, Child SA KEYMAT and the PSK AUTH value
 * are compared with hex produced by an independent, straightforward Python implementation on
 * python3-cryptography's HMAC (RFC 7296 2.13-2.18 written out as loops and concatenations):
 *
 *   def prf(i, k, d): m = hmac.HMAC(k, H[i]()); m.update(d); return m.finalize()
 *   def prfplus(i, k, s, n):
 *       out, t, c = b'', b'', 1
 *       while len(out) < n: t = prf(i, k, t + s + bytes([c])); out += t; c += 1
 *       return out[:n]
 *   def pat(n, a, b): return bytes((a * j + b) & 0xff for j in range(n))
 *   SKEYSEED = prf(i, ni + nr, gir); keys = prfplus(i, SKEYSEED, ni + nr + spii + spir, ...)
 *   rekey = prf(6, skd, gir + ni + nr); keymat = prfplus(6, skd, [gir +] ni + nr, 72)
 *   auth = prf(5, prf(5, psk, b'Key Pad for IKEv2'), msg + nr + prf(5, skp, idb))
 *
 * with the inputs built by pat() exactly as pat() below builds them. On top of that, prf+ is
 * cross-checked for every length from 1 to three blocks and at the 255-block limit against
 * the same loop written here on OpenSSL's one-shot HMAC().
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/ike_prf.h"
#include "tests.h"

#define VEC_DIR	  "/usr/lib/python3/dist-packages/cryptography_vectors/HMAC/"
#define HEX_MAX	  1024
#define LINE_MAX_ 2048

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strcspn(s, "\r\n"), n;

	if (len % 2 != 0 || len / 2 > cap) {
		CU_FAIL("bad hex in a test vector");
		return 0;
	}
	for (n = 0; n < len / 2; n++) {
		unsigned int v;
		if (sscanf(s + 2 * n, "%2x", &v) != 1) {
			CU_FAIL("bad hex in a test vector");
			return 0;
		}
		out[n] = (uint8_t)v;
	}
	return n;
}

/* got[0..n) equals the hex string want (and want is n octets long). */
static bool same(const uint8_t *got, size_t n, const char *want)
{
	uint8_t w[HEX_MAX];
	size_t wn = unhex(want, w, sizeof(w));
	bool ok = wn == n && memcmp(got, w, n) == 0;

	if (!ok)
		fprintf(stderr, "\n  mismatch against %.32s...\n", want);
	return ok;
}

static void pat(uint8_t *out, size_t n, unsigned int a, unsigned int b)
{
	for (size_t j = 0; j < n; j++)
		out[j] = (uint8_t)((a * j + b) & 0xff);
}

static const EVP_MD *md_of(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_MD5:
		return EVP_md5();
	case IKE_PRF_HMAC_SHA1:
		return EVP_sha1();
	case IKE_PRF_HMAC_SHA2_256:
		return EVP_sha256();
	case IKE_PRF_HMAC_SHA2_384:
		return EVP_sha384();
	default:
		return EVP_sha512();
	}
}

/* The NIST-style HMAC files: every (Key, Msg, MD) record through ike_prf; returns records. */
static unsigned int run_file(const char *name, uint16_t prf)
{
	char path[256], line[LINE_MAX_];
	uint8_t key[HEX_MAX], msg[HEX_MAX], md[IKE_PRF_MAX], out[IKE_PRF_MAX];
	size_t klen = 0, mlen = 0;
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", VEC_DIR, name);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Key = ", 6) == 0)
			klen = unhex(line + 6, key, sizeof(key));
		else if (strncmp(line, "Msg = ", 6) == 0)
			mlen = unhex(line + 6, msg, sizeof(msg));
		else if (strncmp(line, "MD = ", 5) == 0) {
			size_t dlen = unhex(line + 5, md, sizeof(md));
			const struct ike_chunk d = {msg, mlen};
			CU_ASSERT_EQUAL(dlen, ike_prf_len(prf));
			CU_ASSERT_EQUAL(ike_prf(prf, key, klen, &d, 1, out), 0);
			CU_ASSERT(memcmp(out, md, dlen) == 0);
			n++;
		}
	}
	fclose(f);
	return n;
}

static void test_rfc_hmac(void)
{
	CU_ASSERT_EQUAL(run_file("rfc-2202-md5.txt", IKE_PRF_HMAC_MD5), 7);
	CU_ASSERT_EQUAL(ike_prf_len(IKE_PRF_HMAC_MD5), 16);
	CU_ASSERT_STRING_EQUAL(ike_prf_name(IKE_PRF_HMAC_MD5), "prf-hmac-md5");
	CU_ASSERT_EQUAL(run_file("rfc-2202-sha1.txt", IKE_PRF_HMAC_SHA1), 7);
	CU_ASSERT_EQUAL(run_file("rfc-4231-sha256.txt", IKE_PRF_HMAC_SHA2_256), 6);
	CU_ASSERT_EQUAL(run_file("rfc-4231-sha384.txt", IKE_PRF_HMAC_SHA2_384), 6);
	CU_ASSERT_EQUAL(run_file("rfc-4231-sha512.txt", IKE_PRF_HMAC_SHA2_512), 6);
}

static void test_prf_plus_python(void)
{
	static const struct {
		uint16_t prf;
		size_t len;
		const char *out;
	} v[] = {
		{IKE_PRF_HMAC_SHA1, 67,
		 "7c84222dd3b29f023a4338f33133d172309f49c1550a6810fb8aa8040444781375889f81b17694"
		 "6849fd4f65971594ff69d16bac242ae54becbe6b1fd64523b5a67b49"},
		{IKE_PRF_HMAC_SHA2_256, 100,
		 "72b74fff28a44aa49abf0d1d8c846e0a1674454da5cd0832d29e6383dd1e931557b36922a23c9a"
		 "b2eb324c30f8acda2a68e644116aa62c42507ff28cf3afb5a0d64d105889a157782e46885d3867"
		 "7eab31de5e9a9fee4091423ec072697f72f67a4ee1f5"},
		{IKE_PRF_HMAC_SHA2_384, 150,
		 "e182b77da3d6d7af5f08e8cd0906906950d7116b0673498bdf287cbf232d04c9299f4c0532c8c1"
		 "54f06767d6a760b74c1d702a5595fbcf6caa2a5c390746848e66d0d2f12698e65267f00c4642c5"
		 "1b2311a6300af84d4788c99808e79fa4bafeb7f14dc38a1b1f123f8fecabe487f269cb1d4f8b94"
		 "5bc2d5e7591e32c0250793c2b07816c23c1a3a5dab3e8325487550588d7158c12c"},
		{IKE_PRF_HMAC_SHA2_512, 200,
		 "2e97242c9c0027faf978832b593b76adaaf53337f5f70c213b7750ae077f3da413e786d08f4c09"
		 "02528e5cc1dce7f336ef5c2d4092d7a39095d5f4f9fe67a33e1050a4d873309df8ed6b2030afe1"
		 "5ddcbdd9868a92e731e7625ed5dc5d8d51f1f48a93a2f89076736c96ecafe9c9e32794ae591791"
		 "538c2ea888bd1394de7fa272edff1b834898cdb8da62b76a2e5df6c4b52f82b5f24b8df028aef7"
		 "d032c9afa45ddd40f47c9cc73577c8f1c135bec3c4766c9702ef875382aa31d99bf55e28d497b3"
		 "729d780db4"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t key[IKE_PRF_MAX], seed[50], out[256];
		size_t kl = ike_prf_len(v[i].prf);
		const struct ike_chunk s[] = {{seed, 17}, {seed + 17, 0}, {seed + 17, 33}};

		pat(key, kl, 7, 1);
		pat(seed, sizeof(seed), 3, 0x40);
		memset(out, 0xee, sizeof(out));
		CU_ASSERT_EQUAL(ike_prf_plus(v[i].prf, key, kl, s, 3, out, v[i].len), 0);
		CU_ASSERT(same(out, v[i].len, v[i].out));
		CU_ASSERT_EQUAL(out[v[i].len], 0xee); /* nothing past len */
	}
}

/* prf+ written out on HMAC() (2.13), for the cross-check. */
static void ref_prf_plus(uint16_t prf, const uint8_t *k, size_t kl, const uint8_t *s, size_t sl,
			 uint8_t *out, size_t len)
{
	uint8_t in[IKE_PRF_MAX + 64 + 1], t[IKE_PRF_MAX];
	size_t hl = ike_prf_len(prf), tl = 0;
	unsigned int outl;

	for (unsigned int c = 1, done = 0; done < len; c++) {
		memcpy(in, t, tl);
		memcpy(in + tl, s, sl);
		in[tl + sl] = (uint8_t)c;
		HMAC(md_of(prf), k, (int)kl, in, tl + sl + 1, t, &outl);
		tl = hl;
		memcpy(out + done, t, len - done < hl ? len - done : hl);
		done += len - done < hl ? len - done : hl;
	}
}

static void test_prf_plus_xcheck(void)
{
	static const uint16_t prfs[] = {IKE_PRF_HMAC_MD5, IKE_PRF_HMAC_SHA1, IKE_PRF_HMAC_SHA2_256,
					IKE_PRF_HMAC_SHA2_384, IKE_PRF_HMAC_SHA2_512};
	static uint8_t got[IKE_PRF_PLUS_BLOCKS * IKE_PRF_MAX + 1], want[sizeof(got)];
	uint8_t key[100], seed[64];

	pat(key, sizeof(key), 29, 3);
	pat(seed, sizeof(seed), 31, 5);
	for (size_t p = 0; p < sizeof(prfs) / sizeof(prfs[0]); p++) {
		size_t hl = ike_prf_len(prfs[p]), max = IKE_PRF_PLUS_BLOCKS * hl;
		const struct ike_chunk s = {seed, sizeof(seed)};

		for (size_t len = 1; len <= 3 * hl + 1; len++) {
			size_t kl = 1 + len % sizeof(key); /* short, block-long and hashed keys */
			ref_prf_plus(prfs[p], key, kl, seed, sizeof(seed), want, len);
			CU_ASSERT_EQUAL(ike_prf_plus(prfs[p], key, kl, &s, 1, got, len), 0);
			CU_ASSERT(memcmp(got, want, len) == 0);
		}
		ref_prf_plus(prfs[p], key, hl, seed, sizeof(seed), want, max);
		CU_ASSERT_EQUAL(ike_prf_plus(prfs[p], key, hl, &s, 1, got, max), 0);
		CU_ASSERT(memcmp(got, want, max) == 0); /* the counter reaches 255 */
		memset(got, 0x77, max + 1);
		CU_ASSERT_EQUAL(ike_prf_plus(prfs[p], key, hl, &s, 1, got, max + 1), -EMSGSIZE);
		CU_ASSERT_EQUAL(got[0], 0x77); /* refused before any output */
	}
}

/* The inputs of the key schedule cases (see the top of the file). */
struct sched_in {
	uint8_t ni[32], nr[32], gir[256], skd[48], spii[8], spir[8];
};

static void sched_in(struct sched_in *in)
{
	static const uint8_t spii[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t spir[8] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};

	pat(in->ni, 32, 5, 0x11);
	pat(in->nr, 32, 9, 0x22);
	pat(in->gir, 256, 11, 0x33);
	pat(in->skd, 48, 13, 0x44);
	memcpy(in->spii, spii, 8);
	memcpy(in->spir, spir, 8);
}

static void test_sa_keys(void)
{
	static const struct {
		uint16_t prf;
		size_t integ, encr;
		const char *seed, *d, *ai, *ar, *ei, *er, *pi, *pr;
	} v[] = {
		{IKE_PRF_HMAC_SHA2_256, 32, 16,
		 "1d558507d8f6ce81d6fca58a95b7c6836050fcfcdf7138d2fcf95f7a6b2fa66b",
		 "44f1ad0031b2e71702a42a31c519643449a140f024ce3e2e2a350178b450935d",
		 "cddf0d9b6325b165ebb64b721e4ec9c85d3d2c8c530b8678befbcb5231007142",
		 "c8606b25a308d2cdc3a684a8b17e960819dcf795ff8eae8b90b8cd952a81e7a2",
		 "9659ce470da216e42db41f92bafd2735", "19a5248a5c4ddd761654661529953c60",
		 "f24cf8e320c7de90645ad59701c51f9e3da0da06f09ec0c1a02f4dbbc2e89ccc",
		 "60cf0ba65add1288aa153025cd97877c8fe16c34d5866f62b90d94c0dc40e83a"},
		{IKE_PRF_HMAC_SHA2_512, 0, 36,
		 "ae86be622c9c8ee035a8031a5c65b42901de1f3a8df4620b7e00b6863e8ac7fc7773a626aecbde59"
		 "1b94f5aa640d512e9f1919fb83dad2acbb27ba3f98d2efcf",
		 "a0589c569bb6511e7ed8a1f4752c60adf61c76559e8ccc29e05a4b9e1fdc0ea3ef42edd2a1e46333"
		 "5385233b94d952154b93604f053d6def8ddf9eb6d8c4d4a4",
		 "", "", "61819bad86a61884a067bb7941553fb87c3435133ee6f7568f5237860b56fbfe850932fd",
		 "6d3a9c67e7bf83ebcd59b49fa894fbdb4a2fd7f3eb8b17acf888bddecffb6414c95eb1da",
		 "e4df99049f62221467bb6912835b98e2634ee32346c729f51f9b087cf2de70cb00006495b798c745"
		 "bd99dadb4c484c4b358b941fb2180a728e5976d05882e411",
		 "f0cea158dbcee8b4834e99683d173f29da511fde0fd079b55713023a903961e07266f37ca311caac"
		 "891ee18db3de7fae5bda09e24ad324fd9eda30401a2a1c77"},
		{IKE_PRF_HMAC_SHA1, 20, 32, "728cae5042107b30a40ff4ec38808925e1f76f45",
		 "74af4a21d3be32e6f68458929a7b1b11d312aa05",
		 "ce4ded984f1665c31b8085e937f280937212d976",
		 "36ac061dcb2b50402178c7234c4311d049d32b55",
		 "df770ee52c91d135b59075516e88bdd8a9c21f3ac3132ff0ca1e4bf9ae77e4e6",
		 "9c5223c876e5ae3645ca509cfd54de0f253905eed87eb474968dcbcc9e6d2e51",
		 "ea759922e753a0b6cbc859e1926e64c8a3426822",
		 "e0f6e9556243ff52626a0ae701cf2f8d6db4ea03"},
	};
	struct sched_in in;

	sched_in(&in);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t seed[IKE_PRF_MAX];
		size_t pl = ike_prf_len(v[i].prf);
		struct ike_sa_keys k;

		CU_ASSERT_EQUAL(ike_skeyseed(v[i].prf, in.ni, 32, in.nr, 32, in.gir, 256, seed), 0);
		CU_ASSERT(same(seed, pl, v[i].seed));
		CU_ASSERT_EQUAL(ike_sa_keys_derive(v[i].prf, seed, in.ni, 32, in.nr, 32, in.spii,
						   in.spir, v[i].integ, v[i].encr, &k),
				0);
		CU_ASSERT(k.prf == v[i].prf && k.d_len == pl && k.a_len == v[i].integ &&
			  k.e_len == v[i].encr);
		CU_ASSERT(same(k.sk_d, pl, v[i].d) && same(k.sk_pi, pl, v[i].pi) &&
			  same(k.sk_pr, pl, v[i].pr));
		CU_ASSERT(same(k.sk_ai, v[i].integ, v[i].ai) && same(k.sk_ar, v[i].integ, v[i].ar));
		CU_ASSERT(same(k.sk_ei, v[i].encr, v[i].ei) && same(k.sk_er, v[i].encr, v[i].er));
		ike_sa_keys_wipe(&k);
		CU_ASSERT(k.sk_d[0] == 0 && k.d_len == 0 && k.sk_pr[pl - 1] == 0);
	}
}

static void test_rekey_and_child(void)
{
	uint8_t out[IKE_PRF_MAX * 2];
	struct sched_in in;

	sched_in(&in);
	CU_ASSERT_EQUAL(ike_skeyseed_rekey(IKE_PRF_HMAC_SHA2_384, in.skd, 48, in.gir, 256, in.ni,
					   32, in.nr, 32, out),
			0);
	CU_ASSERT(same(out, 48,
		       "6b6bebd3f4f4761e8d3e50ca77001c3cf1ff216f02087323d1ac66248dbe88e82e9076946"
		       "8af8f0256dd0eed3665d48b"));
	CU_ASSERT_EQUAL(ike_child_keymat(IKE_PRF_HMAC_SHA2_384, in.skd, 48, NULL, 0, in.ni, 32,
					 in.nr, 32, out, 72),
			0);
	CU_ASSERT(same(out, 72,
		       "aa457dbf406cb749617cbcd539ad9482a183feb66760c68e4f70bd9221df2734e6de4fda7"
		       "b37799c1e5ab92bbee1ef9ffceac45d41199b6b3fa4743b8650926c30b300b8b672d445"));
	CU_ASSERT_EQUAL(ike_child_keymat(IKE_PRF_HMAC_SHA2_384, in.skd, 48, in.gir, 256, in.ni, 32,
					 in.nr, 32, out, 72),
			0);
	CU_ASSERT(same(out, 72,
		       "bd8c2e28b93d1a976a406262fc35d0d40dec4bc7073e2bfe7ca0ff3e274c932406827ea38"
		       "97d31a815f2aa0d1aa012f2dde5adf069262df9de8b90fa7c9bbf6ab9883b1171e5dd5b"));
}

static void test_psk_auth(void)
{
	static const uint8_t psk[] = "vpnhub-test-psk";
	static const uint8_t idb[] = "\x02\x00\x00\x00hub.example";
	uint8_t msg[120], skp[32], out[IKE_PRF_MAX];
	struct sched_in in;

	sched_in(&in);
	pat(msg, sizeof(msg), 17, 0x55);
	pat(skp, sizeof(skp), 19, 0x66);
	CU_ASSERT_EQUAL(ike_maced_id(IKE_PRF_HMAC_SHA2_256, skp, 32, idb, sizeof(idb) - 1, out), 0);
	CU_ASSERT(
		same(out, 32, "f22921164f2de79fd0990849f5acdf53afef061c1159f1914b00c41dfb9180bf"));
	const struct ike_signed_octets so = {msg, sizeof(msg), in.nr, 32,
					     skp, 32,	       idb,   sizeof(idb) - 1};
	CU_ASSERT_EQUAL(ike_psk_auth(IKE_PRF_HMAC_SHA2_256, psk, sizeof(psk) - 1, &so, out), 0);
	CU_ASSERT(
		same(out, 32, "42d13053bfa605aeb7e62d6b0250a51f01ab9d144b42782c9bd4c4a1b202bc98"));
	/* one octet of the signed message changed, or one of the key: another value */
	msg[60] ^= 1;
	CU_ASSERT_EQUAL(ike_psk_auth(IKE_PRF_HMAC_SHA2_256, psk, sizeof(psk) - 1, &so, out), 0);
	CU_ASSERT(memcmp(out, "\x42\xd1\x30\x53", 4) != 0);
}

static void test_refusals(void)
{
	uint8_t key[32] = {1}, out[IKE_PRF_MAX * 3], seed[IKE_PRF_MAX] = {2};
	const struct ike_chunk d = {key, sizeof(key)};
	struct ike_chunk many[9];
	struct ike_sa_keys k;

	for (size_t i = 0; i < 9; i++)
		many[i] = d;
	CU_ASSERT_EQUAL(ike_prf_len(3), 0); /* PRF_HMAC_TIGER: not implemented */
	CU_ASSERT_EQUAL(ike_prf_len(0), 0);
	CU_ASSERT_PTR_NULL(ike_prf_name(3));
	CU_ASSERT_STRING_EQUAL(ike_prf_name(IKE_PRF_HMAC_SHA2_256), "prf-hmac-sha2-256");
	CU_ASSERT_EQUAL(ike_prf(3, key, sizeof(key), &d, 1, out), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_prf_plus(4, key, sizeof(key), &d, 1, out, 10), -ENOTSUP);
	CU_ASSERT_EQUAL(ike_prf_plus(IKE_PRF_HMAC_SHA1, key, 20, many, 9, out, 10), -EINVAL);
	memset(&k, 0xcc, sizeof(k));
	CU_ASSERT_EQUAL(ike_sa_keys_derive(IKE_PRF_HMAC_SHA1, seed, key, 16, key, 16, key, key,
					   IKE_INTEG_KEY_MAX + 1, 16, &k),
			-EINVAL);
	CU_ASSERT(k.sk_d[0] == 0 && k.sk_pr[IKE_PRF_MAX - 1] == 0 && k.prf == 0);
	CU_ASSERT_EQUAL(ike_sa_keys_derive(IKE_PRF_HMAC_SHA1, seed, key, 16, key, 16, key, key, 20,
					   IKE_ENCR_KEY_MAX + 1, &k),
			-EINVAL);
	CU_ASSERT_EQUAL(ike_sa_keys_derive(9, seed, key, 16, key, 16, key, key, 20, 16, &k),
			-ENOTSUP);
	CU_ASSERT_EQUAL(
		ike_skeyseed(IKE_PRF_HMAC_SHA1, key, IKE_NONCE_MAX + 1, key, 16, key, 1, out),
		-EINVAL);
}

/* A PRF input split into pieces anywhere gives what the whole gives. */
static void test_chunks(void)
{
	uint8_t data[300], key[40], whole[IKE_PRF_MAX], split[IKE_PRF_MAX];
	const struct ike_chunk one = {data, sizeof(data)};

	pat(data, sizeof(data), 37, 9);
	pat(key, sizeof(key), 41, 11);
	CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_512, key, sizeof(key), &one, 1, whole), 0);
	for (size_t cut = 0; cut <= sizeof(data); cut += 13) {
		const struct ike_chunk two[] = {{data, cut}, {NULL, 0}, {data + cut, 300 - cut}};
		CU_ASSERT_EQUAL(ike_prf(IKE_PRF_HMAC_SHA2_512, key, sizeof(key), two, 3, split), 0);
		CU_ASSERT(memcmp(whole, split, 64) == 0);
	}
}

int test_ike_prf_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"RFC 2202 / RFC 4231 HMAC known answers", test_rfc_hmac},
		{"prf+ against Python", test_prf_plus_python},
		{"prf+ against HMAC(), up to 255 blocks", test_prf_plus_xcheck},
		{"SKEYSEED and SK_* (2.14)", test_sa_keys},
		{"rekeyed SKEYSEED (2.18), Child SA KEYMAT (2.17)", test_rekey_and_child},
		{"PSK AUTH (2.15)", test_psk_auth},
		{"refusals", test_refusals},
		{"input pieces", test_chunks},
	};
	CU_pSuite s = CU_add_suite("ike_prf", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
