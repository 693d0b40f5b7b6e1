/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/esp_vectors.h - published known answers for the esp_xform suite, as hex text
 * (spaces allowed) the way the sources print them. Included by test_esp_xform.c only.
 *
 * Sources:
 *   RFC 3602 section 4, cases 5-8: ESP packets with AES-CBC-128 and no integrity.
 *   RFC 7634 Appendix A: an ESP packet with ChaCha20-Poly1305.
 *   draft-mcgrew-gcm-test-01 (the packet-level companion of RFC 4106), the ESP cases of
 *     section 4 by page, ESN ones (12-byte AAD) included; plaintext only where quoted here.
 *   RFC 4868 section 2.7.2: AUTH256-1..4, AUTH384-1..4, AUTH512-1..4 (truncated outputs).
 * NIST CAVP AES-GCM and RFC 2202 HMAC-SHA1/MD5 are read at run time from Debian's
 * python3-cryptography-vectors instead.
 */
#ifndef VPNHUB_TEST_UNIT_ESP_VECTORS_H
#define VPNHUB_TEST_UNIT_ESP_VECTORS_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/esp_xform.h"

/* RFC 3602 section 4: key, SPI, sequence, IV, the encrypted region before and after. */
struct cbc_esp_vec {
	const char *name;
	const char *key;
	uint32_t spi;
	uint32_t seq;
	const char *iv;
	const char *plain; /* payload, padding, pad length, next header */
	const char *cipher;
};

static const struct cbc_esp_vec rfc3602_vecs[] = {
	{
		"case 5: transport mode, ping 192.168.123.100",
		"90d382b4 10eeba7a d938c46c ec1a82bf",
		0x4321,
		1,
		"e96e8c08 ab465763 fd098d45 dd3ff893",
		"08000ebd a70a0000 8e9c083d b95b0700 08090a0b 0c0d0e0f 10111213 14151617 "
		"18191a1b 1c1d1e1f 20212223 24252627 28292a2b 2c2d2e2f 30313233 34353637 "
		"01020304 05060708 090a0b0c 0d0e0e01",
		"f663c25d 325c18c6 a9453e19 4e120849 a4870b66 cc6b9965 330013b4 898dc856 "
		"a4699e52 3a55db08 0b59ec3a 8e4b7e52 775b07d1 db34ed9c 538ab50c 551b874a "
		"a269add0 47ad2d59 13ac19b7 cfbad4a6",
	},
	{
		"case 6: transport mode, ping -p 77 -s 20 192.168.123.100",
		"90d382b4 10eeba7a d938c46c ec1a82bf",
		0x4321,
		8,
		"69d08df7 d203329d b093fc49 24e5bd80",
		"0800b5e8 a80a0500 a69c083d 0b660e00 77777777 77777777 77777777 01020201",
		"f5199588 1ec4e0c4 488987ce 742e8109 689bb379 d2d750c0 d915dca3 46a89f75",
	},
	{
		"case 7: tunnel mode, ping 192.168.123.200",
		"01234567 89abcdef 01234567 89abcdef",
		0x8765,
		2,
		"f4e76524 4f6407ad f13dc138 0f673f37",
		"45000054 09040000 4001f988 c0a87b03 c0a87bc8 08009f76 a90a0100 b49c083d "
		"02a20400 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f 20212223 "
		"24252627 28292a2b 2c2d2e2f 30313233 34353637 01020304 05060708 090a0a04",
		"773b5241 a4c44922 5e4f3ce5 ed611b0c 237ca96c f74a9301 3c1b0ea1 a0cf70f8 "
		"e4ecaec7 8ac53aad 7a0f022b 859243c6 47752e94 a859352b 8a4d4d2d ecd136e5 "
		"c177f132 ad3fbfb2 201ac990 4c74ee0a 109e0ca1 e4dfe9d5 a100b842 f1c22f0d",
	},
	{
		"case 8: tunnel mode, ping -p ff -s 40 192.168.123.200",
		"01234567 89abcdef 01234567 89abcdef",
		0x8765,
		5,
		"85d47224 b5f3dd5d 2101d4ea 8dffab22",
		"45000044 090c0000 4001f990 c0a87b03 c0a87bc8 0800d63c aa0a0200 c69c083d "
		"a3de0300 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff "
		"ffffffff 01020304 05060708 090a0a04",
		"15b92683 819596a8 047232cc 00f7048f e45318e1 1f8a0f62 ede3c3fc 61203bb5 "
		"0f980a08 c9843fd3 a1b06d5c 07ff9639 b7eb7dfb 3512e5de 435e7207 ed971ef3 "
		"d2726d9b 5ef6affc 6d17a0de cbb13892",
	},
};

/*
 * An AEAD ESP packet: keying material (key || salt), SPI, sequence number (seq_hi only with
 * ESN, where the AAD is 12 bytes), IV, and the encrypted region with its ICV.
 */
struct aead_esp_vec {
	const char *name;
	enum esp_enc enc;
	const char *keymat;
	uint32_t spi;
	bool esn;
	uint32_t seq_hi;
	uint32_t seq;
	const char *iv;
	const char *plain; /* NULL: not quoted; the ICV check and re-encryption still apply */
	const char *cipher;
	const char *icv;
};

static const struct aead_esp_vec aead_vecs[] = {
	{
		"RFC 7634 appendix A",
		ESP_ENC_CHACHA20_POLY1305,
		"80818283 84858687 88898a8b 8c8d8e8f 90919293 94959697 98999a9b 9c9d9e9f "
		"a0a1a2a3",
		0x1020304,
		false,
		0x0,
		0x5,
		"10111213 14151617",
		"45000054 a6f20000 4001e778 c6336405 c0000205 08005b7a 3a080000 553bec10 "
		"00073627 08090a0b 0c0d0e0f 10111213 14151617 18191a1b 1c1d1e1f 20212223 "
		"24252627 28292a2b 2c2d2e2f 30313233 34353637 01020204",
		"24039428 b97f417e 3c13753a 4f05087b 67c352e6 a7fab1b9 82d466ef 407ae5c6 "
		"14ee8099 d52844eb 61aa95df ab4c02f7 2aa71e7c 4c4f64c9 befe2fac c638e8f3 "
		"cbec163f ac469b50 2773f6fb 94e664da 9165b828 29f641e0",
		"76aaa826 6b7fb0f7 b11b3699 07e1ad43",
	},
	{
		"draft-mcgrew-gcm-test-01 page 6 (ESN)",
		ESP_ENC_AES_GCM,
		"4c80cdef bb5d10da 906ac73c 3613a634 2e443b68",
		0x4321,
		true,
		0x87654321,
		0x0,
		"4956ed7e 3b244cfe",
		NULL,
		"fecf537e 729d5b07 dc30df52 8dd22b76 8d1b9873 6696a6fd 348509fa 13ceac34 "
		"cfa2436f 14a3f3cf 65925bf1 f4a13c5d 15b21e18 84f5ff62 47aeabb7 86b93bce "
		"61bc17d7 68fd9732",
		"45901814 8f6cbe72 2fd04796 562dfdb4",
	},
	{
		"draft-mcgrew-gcm-test-01 page 7",
		ESP_ENC_AES_GCM,
		"feffe992 8665731c 6d6a8f94 67308308 cafebabe",
		0xa5f8,
		false,
		0x0,
		0xa,
		"facedbad decaf888",
		"4500003e 698f0000 80114dcc c0a80102 c0a80101 0a980035 002a2343 b2d00100 "
		"00010000 00000000 03736970 09637962 65726369 74790264 6b000001 00010001",
		"deb22cd9 b07c72c1 6e3a65be eb8df304 a5a5897d 33ae530f 1ba76d5d 114d2a5c "
		"3de81827 c10e9a4f 51330d0e ec416642 cfbb85a5 b47e48a4 ec3b9ba9 5d918bd1",
		"83b70d3a a8bc6ee4 c309e9d8 5a41ad4a",
	},
	{
		"draft-mcgrew-gcm-test-01 page 8",
		ESP_ENC_AES_GCM,
		"abbccdde f0011223 34455667 78899aab abbccdde f0011223 34455667 78899aab "
		"11223344",
		0x4a2cbfe3,
		false,
		0x0,
		0x2,
		"01020304 05060708",
		"45000030 69a64000 80062690 c0a80102 9389155e 0a9e008b 2dc57ee0 00000000 "
		"70024000 20bf0000 020405b4 01010402 01020201",
		"ff425c9b 724599df 7a3bcd51 0194e00d 6a78107f 1b0b1cbf 06efae9d 65a5d763 "
		"748a6379 85771d34 7f054565 9f14e99d ef842d8e",
		"b335f4ee cfdbf831 824b4c49 15956c96",
	},
	{
		"draft-mcgrew-gcm-test-01 page 9",
		ESP_ENC_AES_GCM,
		"00000000 00000000 00000000 00000000 00000000",
		0x0,
		false,
		0x0,
		0x1,
		"00000000 00000000",
		NULL,
		"4688daf2 f973a392 732909c3 31d56d60 f694abaa 414b5e7f f5fdcdff f5e9a284 "
		"45647649 2719ffb6 4de7d9dc a1e1d894 bc3bd578 73ed4d18 1d19d4d5 c8c18af3",
		"f821d496 eeb096e9 8ad2b69e 4799c71d",
	},
	{
		"draft-mcgrew-gcm-test-01 page 12 (ESN)",
		ESP_ENC_AES_GCM,
		"abbccdde f0011223 34455667 78899aab decaf888",
		0x100,
		true,
		0x0,
		0x1,
		"cafedeba ceface74",
		NULL,
		"18a6fd42 f72cbf4a b2a2ea90 1f73d814 e3e7f243 d95412e1 c349c1d2 fbec168f "
		"9190feeb af2cb019 84e65863 965d7472 b79da345 e0e78019 1f0d2f0e 0f496c22 "
		"6f2127b2 7db35724 e7845d68",
		"651f57e6 5f354f75 ff170157 69623436",
	},
	{
		"draft-mcgrew-gcm-test-01 page 13 (ESN)",
		ESP_ENC_AES_GCM,
		"abbccdde f0011223 34455667 78899aab abbccdde f0011223 34455667 78899aab "
		"73616c74",
		0x17405e67,
		true,
		0x156f3126,
		0xdd0db99b,
		"616e6401 69766563",
		NULL,
		"f2d69ecd bd5a0d5b 8d5ef38b ad4da58d 1f278fde 98ef6754 9d524a30 18d9a57f "
		"f4d3a31c e673119e",
		"451626c2 415771e3 b7eebca6 14c89b35",
	},
	{
		"draft-mcgrew-gcm-test-01 page 16",
		ESP_ENC_AES_GCM,
		"7d773d00 c144c525 ac619d18 c84a3f47 d9664267",
		0x335467ae,
		false,
		0x0,
		0xffffffff,
		"43457e91 82443bc6",
		NULL,
		"437f866b",
		"cb3f699f e9b0822b ac961c45 04bef270",
	},
	{
		"draft-mcgrew-gcm-test-01 page 17 (ESN)",
		ESP_ENC_AES_GCM,
		"6c656761 6c697a65 6d617269 6a75616e 61616e64 646f6974 6265666f 72656961 "
		"7475726e",
		0x796b6963,
		true,
		0xffffffff,
		0xffffffff,
		"33302169 6765746d",
		NULL,
		"f97ab2aa 356d8edc e17644ac 8c78e25d d24dedbb 29ebf1b6 4a274b39 b49c3a86 "
		"4cd3d78c a4ae68a3 2b42458f b57dbe82 1dcc63b9",
		"d0937ba2 945f6693 68661a32 9fb4c053",
	},
	{
		"draft-mcgrew-gcm-test-01 page 20 (ESN)",
		ESP_ENC_AES_GCM,
		"4c80cdef bb5d10da 906ac73c 3613a634 22433c64",
		0x4321,
		true,
		0x87654321,
		0x7,
		"4855ec7d 3a234bfd",
		NULL,
		"74752e8a eb5d873c d7c0f4ac c36c4bff 84b7d7b9 8f0ca8b6 acda6894 bc619069",
		"ef9cbc28 fe1b56a7 c4e0d58c 86cd2bc0",
	},
};

/* RFC 4868 section 2.7.2: an HMAC key, the data, the truncated output (the ESP ICV). */
struct hmac_vec {
	const char *name;
	enum esp_auth auth;
	const char *key;
	const char *data;
	const char *icv;
};

static const struct hmac_vec rfc4868_vecs[] = {
	{
		"AUTH256-1",
		ESP_AUTH_HMAC_SHA256_128,
		"0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b",
		"48692054 68657265",
		"198a607e b44bfbc6 9903a0f1 cf2bbdc5",
	},
	{
		"AUTH256-2",
		ESP_AUTH_HMAC_SHA256_128,
		"4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665",
		"77686174 20646f20 79612077 616e7420 666f7220 6e6f7468 696e673f",
		"167f9285 88c5cc2e ef8e3093 caa0e87c",
	},
	{
		"AUTH256-3",
		ESP_AUTH_HMAC_SHA256_128,
		"aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa",
		"dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd "
		"dddddddd dddddddd dddddddd dddddddd dddd",
		"cdcb1220 d1ecccea 91e53aba 3092f962",
	},
	{
		"AUTH256-4",
		ESP_AUTH_HMAC_SHA256_128,
		"01020304 05060708 090a0b0c 0d0e0f10 11121314 15161718 191a1b1c 1d1e1f20",
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd "
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcd",
		"372efcf9 b40b35c2 115b1346 903d2ef4",
	},
	{
		"AUTH384-1",
		ESP_AUTH_HMAC_SHA384_192,
		"0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b "
		"0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b",
		"48692054 68657265",
		"b6a8d563 6f5c6a72 24f9977d cf7ee6c7 fb6d0c48 cbdee973",
	},
	{
		"AUTH384-2",
		ESP_AUTH_HMAC_SHA384_192,
		"4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 "
		"4a656665 4a656665 4a656665 4a656665",
		"77686174 20646f20 79612077 616e7420 666f7220 6e6f7468 696e673f",
		"2c735397 4f1842fd 66d53c45 2ca42122 b28c0b59 4cfb184d",
	},
	{
		"AUTH384-3",
		ESP_AUTH_HMAC_SHA384_192,
		"aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa "
		"aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa",
		"dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd "
		"dddddddd dddddddd dddddddd dddddddd dddd",
		"809f439b e0027432 1d4a5386 52164b53 554a5081 84a0c316",
	},
	{
		"AUTH384-4",
		ESP_AUTH_HMAC_SHA384_192,
		"01020304 05060708 090a0b0c 0d0e0f10 11121314 15161718 191a1b1c 1d1e1f20 "
		"0a0b0c0d 0e0f1011 12131415 16171819",
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd "
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcd",
		"5b540085 c6e63580 96532b24 93609ed1 cb298f77 4f87bb5c",
	},
	{
		"AUTH512-1",
		ESP_AUTH_HMAC_SHA512_256,
		"0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b "
		"0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b 0b0b0b0b",
		"48692054 68657265",
		"637edc6e 01dce7e6 742a9945 1aae82df 23da3e92 439e590e 43e761b3 3e910fb8",
	},
	{
		"AUTH512-2",
		ESP_AUTH_HMAC_SHA512_256,
		"4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 "
		"4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665 4a656665",
		"77686174 20646f20 79612077 616e7420 666f7220 6e6f7468 696e673f",
		"cb370917 ae8a7ce2 8cfd1d8f 4705d614 1c173b2a 9362c15d f235dfb2 51b15454",
	},
	{
		"AUTH512-3",
		ESP_AUTH_HMAC_SHA512_256,
		"aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa "
		"aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa aaaaaaaa",
		"dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd dddddddd "
		"dddddddd dddddddd dddddddd dddddddd dddd",
		"2ee7acd7 83624ca9 398710f3 ee05ae41 b9f9b051 0c87e49e 586cc9bf 961733d8",
	},
	{
		"AUTH512-4",
		ESP_AUTH_HMAC_SHA512_256,
		"01020304 05060708 090a0b0c 0d0e0f10 11121314 15161718 191a1b1c 1d1e1f20 "
		"21222324 25262728 292a2b2c 2d2e2f30 31323334 35363738 393a3b3c 3d3e3f40",
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd "
		"cdcdcdcd cdcdcdcd cdcdcdcd cdcdcdcd cdcd",
		"5e6688e5 a3daec82 6ca32eae a224eff5 e7006289 47470e13 ad013025 61bab108",
	},
};

#endif
