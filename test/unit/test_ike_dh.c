/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_dh.c - the "ike_dh" suite: crypto/ike_dh.{h,c}.
 *
 * Known answers: RFC 5903 section 8 (groups 19, 20, 21: both sides' private and public values
 * and the shared x coordinate, each re-derived with python3-cryptography before it was
 * committed), RFC 7748 section 6.1 (X25519, Alice and Bob), and MODP-2048 (group 14) with two
 * fixed private values whose public values and shared secret were computed with Python's own
 * integers: pow(2, x, p) and pow(y_r, x_i, p) with the RFC 3526 section 3 prime (the private
 * values are the byte patterns in the test, (7*j + 0x21) and (13*j + 0x42) for j = 0..31, and
 * (7*j + 0xfe), the first of that family whose shared secret has a leading zero octet).
 * The legacy groups 2 and 5 the same way (the first two private values), with the group 2 prime
 * transcribed from RFC 2409 6.2 and the group 5 prime read from python3-cryptography-vectors'
 * asymmetric/DH/rfc3526.txt (which has the RFC 3526 primes, no exchanges; it has nothing for
 * group 2). Both primes were checked with Python before they were used: each equals its RFC's
 * formula (2^1024 - 2^960 - 1 + 2^64 * ([2^894 pi] + 129093), resp. 2^1536 - 2^1472 - 1 +
 * 2^64 * ([2^1406 pi] + 741804), pi by Machin's formula in integers), is 1024 / 1536 bits and a
 * safe prime (Miller-Rabin on p and (p-1)/2). That p-2 passes and p-1 fails the range check
 * then shows the module's prime is exactly the RFC's.
 *
 * Rejections (RFC 6989): MODP 0, 1, p-1, p, above p and wrong lengths; ECP off-curve points,
 * the all-zero encoding of the point at infinity, coordinates not below p and wrong lengths;
 * Curve25519 wrong lengths and the low-order points whose X25519 output is all zero (the
 * list of cr.yp.to/ecdh.html, each checked with python3-cryptography to be refused for that
 * reason). Each case asserts its exact reason and that the output buffer was wiped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <openssl/bn.h>

#include "crypto/ike_dh.h"
#include "tests.h"

#define HEX_MAX 1024

/* Hex text into out; the byte count (CU failure and 0 if malformed or too long). */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0, len = strlen(s);

	if (len % 2 != 0 || len / 2 > cap) {
		CU_FAIL("bad hex in a test vector");
		return 0;
	}
	for (; n < len / 2; n++) {
		unsigned int v;
		if (sscanf(s + 2 * n, "%2x", &v) != 1) {
			CU_FAIL("bad hex in a test vector");
			return 0;
		}
		out[n] = (uint8_t)v;
	}
	return n;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* RFC 5903 section 8: i, g^i = (gix, giy), r, g^r = (grx, gry), g^ir x coordinate. */
static const struct ecp_vec {
	uint16_t group;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
} ecp_vecs[] = {
	{IKE_DH_ECP256, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
	 "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180",
	 "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
	 "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
	 "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63",
	 "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
	 "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"},
	{IKE_DH_ECP384,
	 "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655"
	 "e35b538041e649ee3faef896783ab194",
	 "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6"
	 "de3ac808acb4bdb4c88732aee95f41aa",
	 "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38e"
	 "eb9fcff3c2c947dae69b4c634573a81c",
	 "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942"
	 "e0308312916b8ed2960e4bd55a7448fc",
	 "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d"
	 "0d1ac43a0336def96fda41d0774a3571",
	 "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1ff"
	 "f83fa40142209dff5eaad96db9e6386c",
	 "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4"
	 "d603135569b9e9d09cf5d4a270f59746"},
	{IKE_DH_ECP521,
	 "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a0"
	 "95aa85a30fe1c2952c6771d937ba9777f5957b2639bab072462f68c27a57382d"
	 "4a52",
	 "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbe"
	 "e1e3bf42e00b8e380aeae57c2d107564941885942af5a7f4601723c4195d176c"
	 "ed3e",
	 "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10a"
	 "d8a788015ac405d7799dc75e7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f"
	 "9582",
	 "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e"
	 "9c677d600b343757a3bdbf2a3163e4c2f869cca7458aa4a4effc311f5cb15168"
	 "5eb9",
	 "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a21"
	 "9b97c356436adc6e95bb0352f6be64a6c2912d4ef2d0433ced2b6171640012d9"
	 "460f",
	 "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87"
	 "220b6536c5c408a1d2aebb8e86d678ae49cb57091f4732296579ab44fcd17f0f"
	 "c56a",
	 "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04"
	 "d1427e73ca4baa240a34786859810c06b3c715a3a8cc3151f2bee417996d19f3"
	 "ddea"},
};

/* MODP-2048: y_i, y_r, g^ir for the private values of modp_priv() (see the top). */
static const char modp_yi[] = "2c988d0eac1327c7baee56ac8fe6a87d5bdf7ff32873b491bf4c47a1b139b30a"
			      "91b2cd0413d91f749c826fa3747d4b7dea7a0f248c967edae78382788de7b50f"
			      "81115d7320cca2ce4cff1b6f9637213c5b3a8f3900d901d66e1b7e8e52b905d5"
			      "090d770865005f0377f058b27d26ee00452166fccf8b1996608208b5cd8dc249"
			      "d789fa9f39265abc9ecbbc8bff1f63b9165e1aae76e3f1475f9f87d4e4fb7680"
			      "c464fc8da6e6d98a47f7f215aa3ddd977a24ffa8844fc863735be6b1fa83ec44"
			      "71fc4483aea62fe51e287752e48e441a4212de6221f6cc8c2ecfb9cfd8bfeb8b"
			      "d87eec67b5073040b86f3a79ffc2679ac4e8b3705be620a8c84d9607f0d62ab7";
static const char modp_yr[] = "5383ea3fd5cec624fc32fc875e97502b39919743b49d991af61e4132501f8cb3"
			      "04fafca6e94d18eea02eb2e313fefdb9d1c9e8402a5f9ef814dd4399917861e3"
			      "e903a1f7a2cc433d9d1341b09f4b77fc2b44db0d2bff298a2ac95d8119380e04"
			      "b62b79e8b3842440fab6b5144b1fc899dec19267f75488f1be5a39d4356ce3b9"
			      "132f7cb6795d4d60e47733695c8d2ae9901a500026b8d0e94bc35a2ee0e9c089"
			      "48fe9a02d4c25808b932a7dfb3cf9e75c5beb5a85f7fa20bc6b505e47eee487f"
			      "0ea5d603f6ee46e7e76105dd77596b07813c7e7f7b1f72b2d8d970502eee692b"
			      "d75aa6ee222214ffffd1e6ecd108f321f8c426fbbe816c1898836a365c70fb35";
static const char modp_gir[] = "86872cf0029a341bd17ca74300a3d82a42b50817765d65d29ae5827aebf5b66b"
			       "ea265c9506239b3cbb0ad3c826c026ac85aae31a75d3ddfd3046d972796d7554"
			       "0cd58aed522fece29a92accd1b8be33d3271306a1032f701ce7e13a4d0af301e"
			       "eb73468b492387361a2d020b51ce73d2d5641c4b93ad63b27ab7c3be39bd1c19"
			       "277b761447a813d2e486f6de56e45b8dbf6743bd5a413f0f71d192385ad673d4"
			       "a454b1f74b325a66dc8ebbe7078d8b760dfaa50221b897139a66ca85d7d9e2fb"
			       "b2a4c4f61d2470c7b43d47705eac53253533ecf4cf45bf717f5d1ff863d9a764"
			       "34ff85ed57d1c277f9a5b27a56f5a27f817b30176bd19aec145dc7a488c65b8d";

/* The same with x_i = (7*j + 0xfe): g^ir begins with a zero octet, which must stay (2.14). */
static const char modp_yi2[] = "c44dfdc54fcdcedf23e4ee1a1f49c36f4377c70937e37e8130d3155b564a4c55"
			       "76e39d6280ea85d22bce7289dc65630eeeb212897812e52483dd93a6fcae7e65"
			       "1deef4e1b0ebd4cdf4c373cde5f63200a6855b0f583823eb4ce239850712c156"
			       "d36e1b08d020e9f2c49dc7e66bee56174f251ad2ed2400cd2a9f6c6f2fef07ef"
			       "af21cdb2dd1ff0cd57fa4159d734eec3870519ba8ec4bc4f4898d698e2e255d2"
			       "86a650faa2aca44997f617913acbec2267388f7498a29d78443c404414791198"
			       "ed4a9d95840f8edf36ddc2efc81a8713a57cf1564f61c99ab88e9fa409609570"
			       "da75402ce3f28733d7933d18f7fefd26551dda28beda3277889393cda0b5833d";
static const char modp_gir2[] = "00d9c2ddbc3b81388f830966461587ac84d94363f8678979879506e4b7182498"
				"804fe26304266365053e7f6e76e0eade1083bc0c107bcf62c3419154a200e2be"
				"409ba685cc32cd771a0eaee6709742db4740df55fddcc970a726379f3674f07f"
				"bc8700d94479cfc95e7934ba9be5f79255b5fbd5c8224ce894fcc48219b39ea9"
				"317d37aa6b88b3448c359649701685d8207f4a59d8f332d493a6022a3df31550"
				"2d25dc8fc3af7559202fcc8e61fb9b1b6267c6af8cbd035cbb517e7e033a0ef0"
				"6471ea65437711e36f20fa437dc480ce8b59d44e292949d2a9bd2d646f67a8a0"
				"8871ea975b949a86e2cfbc668ccf3223621e8c5e11eed9ebbadd9c6733fb7a6c";

/* RFC 2409 6.2, the Second Oakley Group (group 2), as the RFC prints it. */
static const char modp1024_p[] = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
				 "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
				 "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
				 "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
				 "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381"
				 "FFFFFFFFFFFFFFFF";

#define DH_VEC_FILE "/usr/lib/python3/dist-packages/cryptography_vectors/asymmetric/DH/rfc3526.txt"

/* Groups 2 and 5 for the private values of modp_priv(7, 0x21) and (13, 0x42): y_i, y_r, g^ir. */
static const struct legacy_vec {
	uint16_t group;
	const char *yi, *yr, *gir;
} legacy_vecs[] = {
	{IKE_DH_MODP1024,
	 "61786659d8e8b260082216a5989477789ad05e04517d6c4b1b3f82ed741d4fab"
	 "a28be03f975b5122832c20f297877f1d123886b579302fae23bf3076af40ea0f"
	 "094f2da488bac5372c48c976e60d488cc733ed86596dc27f27821189213b0c19"
	 "c1496ffc79008e7f9a89cdb1ce100a7c10370f036f5997955395b7d76f7c6eee",
	 "259e8b9435c1d503d824eaf4b5a36b68a248bed8fd2785a3d68d09f0db8dcfce"
	 "bb24c2e08cc4e137626ae61c6278c19e25fdeb4e6fb66feba6c4cf58c4780cf1"
	 "9cbca153a691f59a41fd44f54cad081943c3ee7c0417e3b96810d3f447928331"
	 "7bb1bbfa379f9804919258be0e1f1ab3c74c6381d4eb9443f2839fc74989f241",
	 "f9dea50f91c046d4fcaf46329d1869693b7393f6dcf5c5e4604044803e2cf6ad"
	 "84856c5d8634ee58fb5791d3c0ce8e3077faf5a8fca09e2915e51c03559540d0"
	 "d62479e6e1d747400a95e335c65b8d3174026d77a75837bd101af06971d17301"
	 "45db1faf08c99cef7ef353f9fc46d4b2cb079854b6978c5c5074718a7099150b"},
	{IKE_DH_MODP1536,
	 "f49c3a2c469dedf21ea259a9ad336c7ccabac62d4b60565a9d26b3332660b086"
	 "ae28037299ab3ae1acf160552ba3d6c66314cbe98dd47a9d7926ed535a38b282"
	 "d7f1c769499d2654a7103f8d15d6f6ecc7ea845af7ef4196c2272893adb10b66"
	 "452c235dabf1010eccbe0f164f84434e9307487e988931c6f5d9ba70f6375248"
	 "1079a31a1ae3da2b9d1c09228361916c881b1e42d30781e49870f46f9d2b827a"
	 "85102f263b01a5eae2ce4fce26dfdfb893f878d69adbbf65ecf6d334964b20ea",
	 "c66afdd4b1aa131326d0c0e6e19db09827f5e9bddc7b2fa39209bcf0fa186ab4"
	 "a03dc634d58229c91bec41cd9b13fd5684a1c85502c14b257c9c47af7345e183"
	 "c47cae7d9fba48623097b15a57f0f730753bdaf32c3c2130883c1c450a33d3bb"
	 "674b4a58ee13ab179e0465c76ce4d040365037497f319fb5b2de7b1d052b878d"
	 "09f44eccb4721fc51b38bf8f024df72e49459e364d46276a891cb6a04109098e"
	 "8dea2d2ef714fd8dffd6ff05af76948e51caff4e941927cfa7f0674580ceb3e6",
	 "c5ec9698c56112dabab79262a073c65385e450273938cbb332547092742fb075"
	 "f7f8e17c9673c708950f6b4bb5a5cb366d5fe1f7cc7faf546b76c4ecc5da4780"
	 "94c041b91b530d59bfd5f55785ae2a54819c251084b7727295ee442331b41f3f"
	 "d144439d56bb9efc125278e2f1bf73d996da7a458a6de09c0b42eb05dac6cec5"
	 "95005655f7af58f0e69ac105ca17e1215c06e743b18b6cc1150de1b8c995b352"
	 "2f6d2f9bce465167829391ce291bd3c24f425c0a80df71873c11cdb4549ddcaa"},
};

static const uint16_t all_groups[] = {
	IKE_DH_MODP1024, IKE_DH_MODP1536, IKE_DH_MODP2048, IKE_DH_MODP3072,   IKE_DH_MODP4096,
	IKE_DH_ECP256,	 IKE_DH_ECP384,	  IKE_DH_ECP521,   IKE_DH_CURVE25519,
};

/* A KAT key from hex, with its public value checked against pub_hex (x || y for ECP). */
static struct ike_dh *kat_key(uint16_t group, const char *priv_hex, const char *x, const char *y)
{
	uint8_t priv[HEX_MAX], want[HEX_MAX], got[HEX_MAX];
	size_t plen = unhex(priv_hex, priv, sizeof(priv));
	size_t wlen = unhex(x, want, sizeof(want));
	struct ike_dh *dh = NULL;

	if (y != NULL)
		wlen += unhex(y, want + wlen, sizeof(want) - wlen);
	CU_ASSERT_EQUAL_FATAL(ike_dh_new_kat(group, priv, plen, &dh), 0);
	CU_ASSERT_EQUAL(ike_dh_group(dh), group);
	CU_ASSERT_EQUAL(ike_dh_public(dh, got, sizeof(got)), (int)wlen);
	CU_ASSERT_EQUAL(wlen, ike_dh_ke_len(group));
	CU_ASSERT(memcmp(got, want, wlen) == 0);
	return dh;
}

/* dh and the peer's public value (hex x [|| y]) must give the shared secret want_hex. */
static void check_shared(struct ike_dh *dh, const char *x, const char *y, const char *want_hex)
{
	uint8_t peer[HEX_MAX], want[HEX_MAX], got[IKE_DH_SECRET_MAX];
	size_t plen = unhex(x, peer, sizeof(peer));
	size_t wlen = unhex(want_hex, want, sizeof(want));

	if (y != NULL)
		plen += unhex(y, peer + plen, sizeof(peer) - plen);
	CU_ASSERT_EQUAL(ike_dh_derive(dh, peer, plen, got, sizeof(got)), (int)wlen);
	CU_ASSERT_EQUAL(wlen, ike_dh_secret_len(ike_dh_group(dh)));
	CU_ASSERT(memcmp(got, want, wlen) == 0);
}

static void test_rfc5903(void)
{
	for (size_t k = 0; k < sizeof(ecp_vecs) / sizeof(ecp_vecs[0]); k++) {
		const struct ecp_vec *v = &ecp_vecs[k];
		struct ike_dh *i = kat_key(v->group, v->i, v->gix, v->giy);
		struct ike_dh *r = kat_key(v->group, v->r, v->grx, v->gry);

		check_shared(i, v->grx, v->gry, v->girx);
		check_shared(r, v->gix, v->giy, v->girx);
		ike_dh_free(i);
		ike_dh_free(r);
	}
}

static void test_rfc7748(void)
{
	static const char a[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
	static const char ka[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
	static const char b[] = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
	static const char kb[] = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
	static const char k[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
	struct ike_dh *da = kat_key(IKE_DH_CURVE25519, a, ka, NULL);
	struct ike_dh *db = kat_key(IKE_DH_CURVE25519, b, kb, NULL);

	check_shared(da, kb, NULL, k);
	check_shared(db, ka, NULL, k);
	ike_dh_free(da);
	ike_dh_free(db);
}

static void modp_priv(char *out, unsigned int a, unsigned int b)
{
	for (unsigned int j = 0; j < 32; j++)
		sprintf(out + 2 * j, "%02x", (a * j + b) & 0xff);
}

static void test_modp_kat(void)
{
	char xi[65], xr[65];
	struct ike_dh *i, *r;

	modp_priv(xi, 7, 0x21);
	modp_priv(xr, 13, 0x42);
	i = kat_key(IKE_DH_MODP2048, xi, modp_yi, NULL);
	r = kat_key(IKE_DH_MODP2048, xr, modp_yr, NULL);
	check_shared(i, modp_yr, NULL, modp_gir);
	check_shared(r, modp_yi, NULL, modp_gir);
	ike_dh_free(i);
	modp_priv(xi, 7, 0xfe);
	i = kat_key(IKE_DH_MODP2048, xi, modp_yi2, NULL);
	check_shared(i, modp_yr, NULL, modp_gir2);
	check_shared(r, modp_yi2, NULL, modp_gir2);
	ike_dh_free(i);
	ike_dh_free(r);
}

/* Two fresh keys per group agree, with the lengths the group promises, and differ. */
static void test_agree(void)
{
	for (size_t g = 0; g < sizeof(all_groups) / sizeof(all_groups[0]); g++) {
		uint8_t pa[IKE_DH_KE_MAX], pb[IKE_DH_KE_MAX];
		uint8_t sa[IKE_DH_SECRET_MAX], sb[IKE_DH_SECRET_MAX];
		struct ike_dh *a = NULL, *b = NULL;
		uint16_t grp = all_groups[g];
		int n = (int)ike_dh_ke_len(grp), s = (int)ike_dh_secret_len(grp);

		CU_ASSERT(ike_dh_supported(grp));
		CU_ASSERT_PTR_NOT_NULL(ike_dh_group_name(grp));
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(grp, &a), 0);
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(grp, &b), 0);
		CU_ASSERT_EQUAL(ike_dh_public(a, pa, sizeof(pa)), n);
		CU_ASSERT_EQUAL(ike_dh_public(b, pb, sizeof(pb)), n);
		CU_ASSERT(memcmp(pa, pb, (size_t)n) != 0);
		CU_ASSERT_EQUAL(ike_dh_check_peer(grp, pb, (size_t)n), 0);
		CU_ASSERT_EQUAL(ike_dh_derive(a, pb, (size_t)n, sa, sizeof(sa)), s);
		CU_ASSERT_EQUAL(ike_dh_derive(b, pa, (size_t)n, sb, sizeof(sb)), s);
		CU_ASSERT(memcmp(sa, sb, (size_t)s) == 0);
		CU_ASSERT(!all_zero(sa, (size_t)s));
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* derive(dh, ke) must fail with exactly want, leave the secret buffer zeroed. */
static void expect_refused(struct ike_dh *dh, const uint8_t *ke, size_t len, enum ike_dh_err want)
{
	uint8_t out[IKE_DH_SECRET_MAX];
	int rc;

	memset(out, 0xa5, sizeof(out));
	rc = ike_dh_derive(dh, ke, len, out, sizeof(out));
	CU_ASSERT(rc < 0);
	CU_ASSERT_EQUAL(ike_dh_err_of(rc), want);
	if (ike_dh_err_of(rc) != want)
		fprintf(stderr, "\n  group %u len %zu: %s, wanted %s\n", ike_dh_group(dh), len,
			ike_dh_err_of(rc) < IKE_DH_ERR_MAX ? ike_dh_err_name[ike_dh_err_of(rc)]
							   : "?",
			ike_dh_err_name[want]);
	CU_ASSERT(all_zero(out, sizeof(out)));
}

/* v = p + delta, big-endian in n octets. */
static void p_plus(const BIGNUM *p, int delta, uint8_t *v, size_t n)
{
	BIGNUM *x = BN_dup(p);

	CU_ASSERT_FATAL(x != NULL);
	if (delta < 0)
		BN_sub_word(x, (BN_ULONG)-delta);
	else
		BN_add_word(x, (BN_ULONG)delta);
	CU_ASSERT_EQUAL(BN_bn2binpad(x, v, (int)n), (int)n);
	BN_free(x);
}

/* RFC 6989 2.1 for the MODP group with prime p: 0, 1, p-1, p, p+1, all ones, wrong lengths. */
static void modp_reject(uint16_t group, const BIGNUM *p)
{
	uint8_t v[IKE_DH_KE_MAX + 1];
	size_t n = ike_dh_ke_len(group);
	struct ike_dh *dh = NULL;

	CU_ASSERT_EQUAL_FATAL(ike_dh_new(group, &dh), 0);
	CU_ASSERT_EQUAL(BN_num_bytes(p), (int)n);
	memset(v, 0, sizeof(v));
	expect_refused(dh, v, n, IKE_DH_ERR_MODP_RANGE); /* 0 */
	v[n - 1] = 1;
	expect_refused(dh, v, n, IKE_DH_ERR_MODP_RANGE); /* 1 */
	v[n - 1] = 2;
	CU_ASSERT_EQUAL(ike_dh_check_peer(group, v, n), 0); /* 2 is fine */
	for (int d = -1; d <= 1; d++) {
		p_plus(p, d, v, n);
		expect_refused(dh, v, n, IKE_DH_ERR_MODP_RANGE); /* p-1, p, p+1 */
	}
	p_plus(p, -2, v, n);
	CU_ASSERT_EQUAL(ike_dh_check_peer(group, v, n), 0); /* p-2 is fine */
	memset(v, 0xff, sizeof(v));
	expect_refused(dh, v, n, IKE_DH_ERR_MODP_RANGE);
	expect_refused(dh, v, n - 1, IKE_DH_ERR_KE_LEN);
	expect_refused(dh, v, n + 1, IKE_DH_ERR_KE_LEN);
	expect_refused(dh, v, 0, IKE_DH_ERR_KE_LEN);
	expect_refused(dh, NULL, n, IKE_DH_ERR_KE_LEN);
	ike_dh_free(dh);
}

/* Each RFC 3526 group, with OpenSSL's copy of its prime. */
static void test_modp_reject(void)
{
	static const struct {
		uint16_t group;
		BIGNUM *(*prime)(BIGNUM *);
	} g[] = {{IKE_DH_MODP2048, BN_get_rfc3526_prime_2048},
		 {IKE_DH_MODP3072, BN_get_rfc3526_prime_3072},
		 {IKE_DH_MODP4096, BN_get_rfc3526_prime_4096}};

	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		BIGNUM *p = g[k].prime(NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		modp_reject(g[k].group, p);
		BN_free(p);
	}
}

/* The 1536-bit prime (COUNT = 0) of the vectors' rfc3526.txt; NULL (and a CU failure) if none. */
static BIGNUM *vec_prime_1536(void)
{
	char line[HEX_MAX];
	BIGNUM *p = NULL;
	FILE *f = fopen(DH_VEC_FILE, "r");

	CU_ASSERT_PTR_NOT_NULL(f);
	while (f != NULL && p == NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "P = ", 4) == 0 && BN_hex2bn(&p, line + 4) == 0)
			CU_FAIL("bad P in " DH_VEC_FILE);
	}
	if (f != NULL)
		fclose(f);
	CU_ASSERT(p != NULL && BN_num_bits(p) == 1536);
	return p;
}

/* Groups 2 and 5 with the RFC's primes (see the top): the range checks, p-2 in and p-1 out. */
static void test_legacy_reject(void)
{
	BIGNUM *p = NULL;

	CU_ASSERT_FATAL(BN_hex2bn(&p, modp1024_p) == (int)strlen(modp1024_p));
	CU_ASSERT_EQUAL(BN_num_bits(p), 1024);
	modp_reject(IKE_DH_MODP1024, p);
	BN_free(p);
	p = vec_prime_1536();
	if (p != NULL)
		modp_reject(IKE_DH_MODP1536, p);
	BN_free(p);
}

/* Groups 2 and 5 against Python's pow(): public values and the shared secret, both ways. */
static void test_legacy_kat(void)
{
	char xi[65], xr[65];

	modp_priv(xi, 7, 0x21);
	modp_priv(xr, 13, 0x42);
	for (size_t k = 0; k < sizeof(legacy_vecs) / sizeof(legacy_vecs[0]); k++) {
		const struct legacy_vec *v = &legacy_vecs[k];
		struct ike_dh *i = kat_key(v->group, xi, v->yi, NULL);
		struct ike_dh *r = kat_key(v->group, xr, v->yr, NULL);

		check_shared(i, v->yr, NULL, v->gir);
		check_shared(r, v->yi, NULL, v->gir);
		CU_ASSERT_STRING_EQUAL(ike_dh_group_name(v->group),
				       v->group == IKE_DH_MODP1024 ? "modp1024" : "modp1536");
		ike_dh_free(i);
		ike_dh_free(r);
	}
}

/* RFC 6989 2.3 for each RFC 5903 group, from its section 8 public value g^r. */
static void test_ecp_reject(void)
{
	static const char *const primes[] = {
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
		"fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"
		"ffffffff0000000000000000ffffffff",
		"01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		"ffff",
	};

	for (size_t k = 0; k < sizeof(ecp_vecs) / sizeof(ecp_vecs[0]); k++) {
		const struct ecp_vec *v = &ecp_vecs[k];
		uint8_t ke[HEX_MAX], bad[HEX_MAX];
		size_t c = unhex(v->grx, ke, sizeof(ke));
		struct ike_dh *dh = NULL;

		unhex(v->gry, ke + c, sizeof(ke) - c);
		CU_ASSERT_EQUAL_FATAL(ike_dh_new(v->group, &dh), 0);
		CU_ASSERT_EQUAL(ike_dh_check_peer(v->group, ke, 2 * c), 0);
		memcpy(bad, ke, 2 * c);
		bad[2 * c - 1] ^= 1; /* y + 1 or y - 1: off the curve */
		expect_refused(dh, bad, 2 * c, IKE_DH_ERR_ECP_OFF_CURVE);
		CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_check_peer(v->group, bad, 2 * c)),
				IKE_DH_ERR_ECP_OFF_CURVE);
		memset(bad, 0, 2 * c); /* the point at infinity's usual encoding */
		expect_refused(dh, bad, 2 * c, IKE_DH_ERR_ECP_INFINITY);
		memcpy(bad, ke, 2 * c);
		unhex(primes[k], bad, c); /* x = p */
		expect_refused(dh, bad, 2 * c, IKE_DH_ERR_ECP_RANGE);
		memset(bad + c, 0xff, c); /* y above p */
		memcpy(bad, ke, c);
		expect_refused(dh, bad, 2 * c, IKE_DH_ERR_ECP_RANGE);
		memset(bad, 0, c); /* x = 0, y = g^r's y: not on the curve */
		memcpy(bad + c, ke + c, c);
		expect_refused(dh, bad, 2 * c, IKE_DH_ERR_ECP_OFF_CURVE);
		expect_refused(dh, ke, 2 * c - 1, IKE_DH_ERR_KE_LEN);
		expect_refused(dh, ke, 2 * c + 1, IKE_DH_ERR_KE_LEN);
		expect_refused(dh, ke, c + 1, IKE_DH_ERR_KE_LEN); /* a compressed point */
		expect_refused(dh, ke, 0, IKE_DH_ERR_KE_LEN);
		ike_dh_free(dh);
	}
}

/* RFC 7748 / RFC 8031 2.2: low-order u-coordinates give an all-zero X25519 output. */
static void test_x25519_reject(void)
{
	static const char *const low[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	struct ike_dh *dh = NULL;
	uint8_t u[33];

	CU_ASSERT_EQUAL_FATAL(ike_dh_new(IKE_DH_CURVE25519, &dh), 0);
	for (size_t k = 0; k < sizeof(low) / sizeof(low[0]); k++) {
		unhex(low[k], u, sizeof(u));
		expect_refused(dh, u, 32, IKE_DH_ERR_X25519_ZERO);
	}
	expect_refused(dh, u, 31, IKE_DH_ERR_KE_LEN);
	expect_refused(dh, u, 33, IKE_DH_ERR_KE_LEN);
	ike_dh_free(dh);
}

static void test_unsupported(void)
{
	static const uint16_t nope[] = {0, 1, 3, 4, 17, 18, 22, 23, 24, 30, 32, 65535};
	uint8_t ke[32] = {1};

	for (size_t k = 0; k < sizeof(nope) / sizeof(nope[0]); k++) {
		struct ike_dh *dh = (struct ike_dh *)&ke; /* must be reset to NULL */

		CU_ASSERT(!ike_dh_supported(nope[k]));
		CU_ASSERT_EQUAL(ike_dh_ke_len(nope[k]), 0);
		CU_ASSERT_EQUAL(ike_dh_secret_len(nope[k]), 0);
		CU_ASSERT_PTR_NULL(ike_dh_group_name(nope[k]));
		CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_new(nope[k], &dh)), IKE_DH_ERR_GROUP);
		CU_ASSERT_PTR_NULL(dh);
		CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_check_peer(nope[k], ke, sizeof(ke))),
				IKE_DH_ERR_GROUP);
	}
}

static void test_small_buffers(void)
{
	uint8_t pub[IKE_DH_KE_MAX], out[IKE_DH_SECRET_MAX];
	struct ike_dh *a = NULL, *b = NULL;
	size_t n = ike_dh_ke_len(IKE_DH_ECP256);

	CU_ASSERT_EQUAL_FATAL(ike_dh_new(IKE_DH_ECP256, &a), 0);
	CU_ASSERT_EQUAL_FATAL(ike_dh_new(IKE_DH_ECP256, &b), 0);
	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_public(a, pub, n - 1)), IKE_DH_ERR_BUF);
	CU_ASSERT_EQUAL(ike_dh_public(b, pub, n), (int)n);
	memset(out, 0x5a, sizeof(out));
	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_derive(a, pub, n, out, 31)), IKE_DH_ERR_BUF);
	CU_ASSERT(all_zero(out, 31));
	CU_ASSERT_EQUAL(out[31], 0x5a); /* nothing past cap */
	CU_ASSERT_EQUAL(ike_dh_derive(a, pub, n, out, 32), 32);
	ike_dh_free(a);
	ike_dh_free(b);
	ike_dh_free(NULL);
}

/* One list gives each failure its own errno, counter name and description. */
static void test_reasons(void)
{
	for (unsigned int e = 0; e < IKE_DH_ERR_MAX; e++) {
		CU_ASSERT_PTR_NOT_NULL(ike_dh_err_name[e]);
		CU_ASSERT_PTR_NOT_NULL(ike_dh_err_desc[e]);
		for (unsigned int f = 0; f < e; f++)
			CU_ASSERT(strcmp(ike_dh_err_name[e], ike_dh_err_name[f]) != 0);
	}
	CU_ASSERT_EQUAL(ike_dh_err_of(0), IKE_DH_ERR_MAX);
	CU_ASSERT_EQUAL(ike_dh_err_of(-EKEYREJECTED), IKE_DH_ERR_X25519_ZERO);
	CU_ASSERT_EQUAL(ike_dh_err_of(-EDOM), IKE_DH_ERR_ECP_OFF_CURVE);
	CU_ASSERT_EQUAL(ike_dh_err_of(-EPERM), IKE_DH_ERR_MAX);
}

static void test_kat_args(void)
{
	uint8_t priv[32] = {0};
	struct ike_dh *dh = NULL;

	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_new_kat(IKE_DH_ECP256, priv, 32, &dh)),
			IKE_DH_ERR_ARG); /* a zero scalar */
	CU_ASSERT_PTR_NULL(dh);
	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_new_kat(IKE_DH_ECP256, priv, 0, &dh)), IKE_DH_ERR_ARG);
	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_new_kat(IKE_DH_CURVE25519, priv, 31, &dh)),
			IKE_DH_ERR_ARG);
	CU_ASSERT_EQUAL(ike_dh_err_of(ike_dh_new_kat(7, priv, 32, &dh)), IKE_DH_ERR_GROUP);
}

int test_ike_dh_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"RFC 5903 section 8 ECP known answers", test_rfc5903},
		{"RFC 7748 6.1 X25519 known answer", test_rfc7748},
		{"MODP-2048 known answer (Python integers)", test_modp_kat},
		{"fresh keys agree in every group", test_agree},
		{"RFC 6989 MODP rejections", test_modp_reject},
		{"legacy groups 2 and 5: known answers (Python integers)", test_legacy_kat},
		{"legacy groups 2 and 5: RFC primes, RFC 6989 rejections", test_legacy_reject},
		{"RFC 6989 ECP rejections", test_ecp_reject},
		{"X25519 low-order points and lengths", test_x25519_reject},
		{"groups not implemented", test_unsupported},
		{"small buffers", test_small_buffers},
		{"reason list", test_reasons},
		{"known-answer key arguments", test_kat_args},
	};
	CU_pSuite s = CU_add_suite("ike_dh", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
