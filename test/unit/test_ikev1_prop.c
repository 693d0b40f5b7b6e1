/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ikev1_prop.c - the "ikev1_prop" suite: IKEv1 proposals (ctrlplane/ike/
 * ikev1_prop.c): Phase 1 (RFC 2409 5, Appendix A) and Quick Mode ESP (RFC 2407 4.4.4, 4.5,
 * RFC 3947 5.1, RFC 4304).
 *
 * Two tables, one per phase: each row is the peer's SA payload (proposals, transforms and their
 * attributes, written with the codec's writer and parsed back with ikev1_msg_parse, so the
 * choice runs on a real struct ikev1_msg), the config's proposals, and the choice expected, or
 * -ENOENT / -EINVAL. Every accepted row is then answered with ikev1_p*_write, parsed again, and
 * must pass ikev1_p*_accept with the same suite, as the initiator would check it. Then offers
 * from config proposals (hand-made and loaded from YAML) go through offer, choose, write and
 * accept, and the words of the refusal log lines are checked. The RFC section each row
 * exercises is in its comment or name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "conf/config.h"
#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ikev1_prop.h"
#include "tests.h"

#define BUF_MAX 4096
#define AT_MAX	10
#define XF_MAX	4
#define PR_MAX	3
#define CFGS	2

/*
 * One data attribute: TV, or (tlv != 0) a TLV of tlv octets holding val right-aligned, or for
 * more than 4 octets val * 2^32 (so that the value does not fit 32 bits).
 */
#define TLV0 0xff /* tlv: a TLV of no octets */
struct at {
	uint16_t type; /* 0: no attribute in this slot */
	uint32_t val;
	uint8_t tlv;
};

struct tx {
	uint8_t id; /* 0 ends the proposal's transforms */
	struct at a[AT_MAX];
};

struct pp {
	uint8_t num, proto, spi_size; /* proto 0 ends the SA payload */
	uint32_t spi;		      /* repeated over spi_size octets */
	struct tx x[XF_MAX];
};

/* Phase 1 wire values (RFC 2409 Appendix A) */
#define E1_DES	 1
#define E1_3DES	 5
#define E1_AES	 7
#define H_MD5	 1
#define H_SHA1	 2
#define H_TIGER	 3
#define H_SHA256 4
#define H_SHA384 5
#define PSK	 IKEV1_AUTH_PSK
#define RSA	 IKEV1_AUTH_RSA_SIG
#define XPSK	 IKEV1_AUTH_XAUTH_INIT_PSK
#define A_PRF	 13 /* the PRF class: no PRF was ever defined for it */
#define A_ODD	 16383
/* Quick Mode wire values (RFC 2407 4.4.4, 4.5) */
#define ESP_3DES   3
#define ESP_NULL   11
#define ESP_AES	   12
#define ESP_CTR	   13
#define ESP_GCM	   20
#define ESP_CHACHA 28
#define AA_MD5	   1
#define AA_SHA1	   2
#define AA_SHA256  5
#define AA_XCBC	   9
#define A2_ECN	   10 /* ECN Tunnel, RFC 3168 9.2: not implemented */
#define AH_SHA	   3
#define TUN	   IKEV1_ENCAP_TUNNEL
#define TRA	   IKEV1_ENCAP_TRANSPORT
#define UTUN	   IKEV1_ENCAP_UDP_TUNNEL
#define UTRA	   IKEV1_ENCAP_UDP_TRANSPORT
#define UTUN_D	   IKEV1_ENCAP_UDP_TUNNEL_DRAFT
#define UTRA_D	   IKEV1_ENCAP_UDP_TRANSPORT_DRAFT
#define SPI1	   0x0a0b0c0du
#define SPI2	   0x01020304u
#define OUR_SPI	   0x55667788u
/* IKEv2 IDs */
#define CBC	 IKE_ENCR_AES_CBC
#define GCM	 IKE_ENCR_AES_GCM_16
#define CHACHA	 IKE_ENCR_CHACHA20_POLY1305
#define I_SHA1	 IKE_INTEG_HMAC_SHA1_96
#define I_SHA256 IKE_INTEG_HMAC_SHA2_256_128
#define I_SHA384 IKE_INTEG_HMAC_SHA2_384_192
#define P_SHA1	 IKE_PRF_HMAC_SHA1
#define P_SHA256 IKE_PRF_HMAC_SHA2_256
#define P_SHA384 IKE_PRF_HMAC_SHA2_384

#define TV(t, v)        \
	{               \
		t, v, 0 \
	}
/* A Life Type and Duration pair, or nothing for 0; durations past 16 bits as a 4-octet TLV. */
#define LIFE(type_a, dur_a, kind, s)                       \
	{(s) ? (type_a) : 0, kind, 0},                     \
	{                                                  \
		(s) ? (dur_a) : 0, s, (s) > 0xffff ? 4 : 0 \
	}
/* A Phase 1 transform: cipher (key length, 0: none), hash, auth, group, seconds (0: none). */
#define P1X(e, kl, h, au, g, s)                                                                  \
	{                                                                                        \
		1,                                                                               \
		{                                                                                \
			TV(IKEV1_A_ENCR, e), TV((kl) ? IKEV1_A_KEYLEN : 0, kl),                  \
				TV(IKEV1_A_HASH, h), TV(IKEV1_A_AUTH, au), TV(IKEV1_A_GROUP, g), \
				LIFE(IKEV1_A_LIFE_TYPE, IKEV1_A_LIFE_DUR, IKEV1_LIFE_SECONDS, s) \
		}                                                                                \
	}
/* The common AES-128, SHA-256, MODP-2048, PSK transform followed by the attributes given. */
#define P1X_AND(...)                                                                            \
	{                                                                                       \
		1,                                                                              \
		{                                                                               \
			TV(IKEV1_A_ENCR, E1_AES), TV(IKEV1_A_KEYLEN, 128), TV(IKEV1_A_HASH, 4), \
				TV(IKEV1_A_AUTH, PSK), TV(IKEV1_A_GROUP, 14), __VA_ARGS__       \
		}                                                                               \
	}
#define ISAKMP(...)                          \
	{                                    \
		1, IKEV1_PROTO_ISAKMP, 0, 0, \
		{                            \
			__VA_ARGS__          \
		}                            \
	}
/* A Quick Mode transform: ESP ID, key length, auth alg, group, encapsulation, seconds. */
#define P2X(id, kl, au, g, enc, s)                                                          \
	{                                                                                   \
		id,                                                                         \
		{                                                                           \
			LIFE(IKEV1_A2_LIFE_TYPE, IKEV1_A2_LIFE_DUR, IKEV1_LIFE_SECONDS, s), \
				TV((g) ? IKEV1_A2_GROUP : 0, g),                            \
				TV((enc) ? IKEV1_A2_ENCAP : 0, enc),                        \
				TV((au) ? IKEV1_A2_AUTH : 0, au),                           \
				TV((kl) ? IKEV1_A2_KEYLEN : 0, kl)                          \
		}                                                                           \
	}
/* ESP AES-128, HMAC-SHA-256, tunnel, followed by the attributes given. */
#define P2X_AND(...)                                                           \
	{                                                                      \
		ESP_AES,                                                       \
		{                                                              \
			TV(IKEV1_A2_ENCAP, TUN), TV(IKEV1_A2_AUTH, AA_SHA256), \
				TV(IKEV1_A2_KEYLEN, 128), __VA_ARGS__          \
		}                                                              \
	}
#define ESPP(num, spi, ...)                   \
	{                                     \
		num, IKEV1_PROTO_ESP, 4, spi, \
		{                             \
			__VA_ARGS__           \
		}                             \
	}
#define P2_AES128 P2X(ESP_AES, 128, AA_SHA256, 0, TUN, 0)

/* ---- the config's proposals, as conf/config_ike_prop.c fills them (see test_loaded) ---- */

/* "aes128-aes256-sha256-sha1-ecp256-modp2048-x25519": prf[] from the integrity words */
static const struct cfg_ike_proposal ike_cbc = {
	.encr = {{CBC, 128}, {CBC, 256}},
	.n_encr = 2,
	.integ = {I_SHA256, I_SHA1},
	.n_integ = 2,
	.prf = {P_SHA256, P_SHA1},
	.n_prf = 2,
	.dh = {IKE_DH_ECP256, IKE_DH_MODP2048, IKE_DH_CURVE25519},
	.n_dh = 3,
};
/* "aes128-sha256-modp2048" and "aes256-sha1-ecp256" */
static const struct cfg_ike_proposal ike_a = {
	.encr = {{CBC, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
	.prf = {P_SHA256},
	.n_prf = 1,
	.dh = {IKE_DH_MODP2048},
	.n_dh = 1,
};
static const struct cfg_ike_proposal ike_b = {
	.encr = {{CBC, 256}},
	.n_encr = 1,
	.integ = {I_SHA1},
	.n_integ = 1,
	.prf = {P_SHA1},
	.n_prf = 1,
	.dh = {IKE_DH_ECP256},
	.n_dh = 1,
};
/* "aes128gcm16-prfsha256-x25519": nothing IKEv1 can say */
static const struct cfg_ike_proposal ike_aead = {
	.encr = {{GCM, 128}},
	.n_encr = 1,
	.prf = {P_SHA256},
	.n_prf = 1,
	.dh = {IKE_DH_CURVE25519},
	.n_dh = 1,
};
/* Hand-made (the loader refuses these for IKE): 3DES, MD5, MODP-1024 and -1536. */
static const struct cfg_ike_proposal ike_legacy = {
	.encr = {{IKEV1_ID_ENCR_3DES, 0}},
	.n_encr = 1,
	.prf = {IKEV1_ID_PRF_MD5},
	.n_prf = 1,
	.dh = {2, 5},
	.n_dh = 2,
};
/* Hand-made without prf[]: its hash comes from integ[]. */
static const struct cfg_ike_proposal ike_noprf = {
	.encr = {{CBC, 256}},
	.n_encr = 1,
	.integ = {I_SHA384},
	.n_integ = 1,
	.dh = {IKE_DH_MODP3072},
	.n_dh = 1,
};
/* 3 ciphers x 4 hashes x 6 groups = 72 transforms: more than the codec holds */
static const struct cfg_ike_proposal ike_huge = {
	.encr = {{CBC, 128}, {CBC, 192}, {CBC, 256}},
	.n_encr = 3,
	.prf = {P_SHA1, P_SHA256, P_SHA384, IKE_PRF_HMAC_SHA2_512},
	.n_prf = 4,
	.dh = {14, 15, 16, 19, 20, 21},
	.n_dh = 6,
};

/* ESP: "aes128-aes256-sha256-sha1", "aes128gcm16-aes256gcm16", "chacha20poly1305" */
static const struct cfg_ike_proposal esp_cbc = {
	.encr = {{CBC, 128}, {CBC, 256}},
	.n_encr = 2,
	.integ = {I_SHA256, I_SHA1},
	.n_integ = 2,
	.esn = {0},
	.n_esn = 1,
};
static const struct cfg_ike_proposal esp_gcm = {
	.encr = {{GCM, 128}, {GCM, 256}},
	.n_encr = 2,
	.esn = {0},
	.n_esn = 1,
};
static const struct cfg_ike_proposal esp_chacha = {
	.encr = {{CHACHA, 0}},
	.n_encr = 1,
	.esn = {0},
	.n_esn = 1,
};
/* "aes128-sha256-modp2048" (PFS), "aes128-sha256-esn" */
static const struct cfg_ike_proposal esp_pfs = {
	.encr = {{CBC, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
	.dh = {IKE_DH_MODP2048},
	.n_dh = 1,
	.esn = {0},
	.n_esn = 1,
};
static const struct cfg_ike_proposal esp_esn = {
	.encr = {{CBC, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
	.esn = {1},
	.n_esn = 1,
};
/* "3des-md5" (ipsec.legacy), and hand-made: AES-128, SHA-1 with MODP-1024; NULL with SHA-256 */
static const struct cfg_ike_proposal esp_legacy = {
	.encr = {{IKEV1_ID_ENCR_3DES, 0}},
	.n_encr = 1,
	.integ = {IKEV1_ID_INTEG_MD5},
	.n_integ = 1,
	.esn = {0},
	.n_esn = 1,
};
static const struct cfg_ike_proposal esp_pfs1024 = {
	.encr = {{CBC, 128}},
	.n_encr = 1,
	.integ = {I_SHA1},
	.n_integ = 1,
	.dh = {2},
	.n_dh = 1,
};
static const struct cfg_ike_proposal esp_null = {
	.encr = {{IKEV1_ID_ENCR_NULL, 0}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
};
/* Hand-made: an AEAD with integrity (the loader refuses it), ESN either way */
static const struct cfg_ike_proposal esp_mixed = {
	.encr = {{GCM, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
};
static const struct cfg_ike_proposal esp_esn_any = {
	.encr = {{CBC, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
	.esn = {0, 1},
	.n_esn = 2,
};
/* AES-CTR (13), which IKEv1 here does not offer */
static const struct cfg_ike_proposal esp_ctr = {
	.encr = {{13, 128}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
};

/* ---- building the peer's message ---- */

static void put_attr(struct ikev1_wr *w, const struct at *a)
{
	uint8_t v[8] = {0};
	uint8_t n = a->tlv == TLV0 ? 0 : a->tlv;
	if (a->type == 0)
		return;
	if (a->tlv == 0) {
		ikev1_wr_attr_tv(w, a->type, (uint16_t)a->val);
		return;
	}
	for (unsigned int i = 0; i < 4 && i < n; i++) /* past 4 octets: val * 2^32 */
		v[(n > 4 ? n - 4 : n) - 1 - i] = (uint8_t)(a->val >> (8 * i));
	ikev1_wr_attr_tlv(w, a->type, v, n);
}

/* pp as the only payload of a message of exchange x, parsed into m; its SA payload. */
static const struct ikev1_payload *peer_sa(struct ikev1_msg *m, uint8_t *buf, uint8_t x,
					   const struct pp *pp)
{
	struct ikev1_hdr h = {.cky_i = {1, 2, 3, 4, 5, 6, 7, 8}, .exchange = x};
	struct ikev1_wr w;
	size_t len = 0;
	ikev1_wr_init(&w, buf, BUF_MAX, &h);
	ikev1_wr_sa_begin(&w);
	for (unsigned int i = 0; i < PR_MAX && pp[i].proto != 0; i++) {
		uint8_t spi[8] = {0}; /* spi, repeated to fill spi_size */
		for (unsigned int k = 0; k < pp[i].spi_size && k < sizeof(spi); k++)
			spi[k] = (uint8_t)(pp[i].spi >> (24 - 8 * (k % 4)));
		ikev1_wr_prop(&w, pp[i].num, pp[i].proto, spi, pp[i].spi_size);
		for (unsigned int k = 0; k < XF_MAX && pp[i].x[k].id != 0; k++) {
			ikev1_wr_xform(&w, (uint8_t)(k + 1), pp[i].x[k].id);
			for (unsigned int a = 0; a < AT_MAX; a++)
				put_attr(&w, &pp[i].x[k].a[a]);
		}
	}
	ikev1_wr_sa_end(&w);
	if (ikev1_wr_finish(&w, &len) != 0 || ikev1_msg_parse(m, buf, len) != 0)
		return NULL;
	return ikev1_msg_find(m, IKEV1_PL_SA, NULL);
}

/* A message holding what fn wrote with w, parsed into m; its SA payload. */
static const struct ikev1_payload *reparse(struct ikev1_msg *m, uint8_t *buf, struct ikev1_wr *w)
{
	size_t len = 0;
	if (ikev1_wr_finish(w, &len) != 0 || ikev1_msg_parse(m, buf, len) != 0)
		return NULL;
	return ikev1_msg_find(m, IKEV1_PL_SA, NULL);
}

static void start_msg(struct ikev1_wr *w, uint8_t *buf, uint8_t x)
{
	struct ikev1_hdr h = {.cky_i = {8, 7, 6, 5, 4, 3, 2, 1}, .exchange = x};
	ikev1_wr_init(w, buf, BUF_MAX, &h);
}

static unsigned int n_cfg(const struct cfg_ike_proposal *const *cfg, struct cfg_ike_proposal *out)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < CFGS && cfg[i] != NULL; i++)
		out[n++] = *cfg[i];
	return n;
}

/* ---- Phase 1 ---- */

struct p1_want {
	uint8_t prop, xf;
	uint16_t encr, bits, prf, dh, auth;
	uint32_t life_s, life_kb;
};

struct p1_case {
	const char *what;
	struct pp peer[PR_MAX];
	const struct cfg_ike_proposal *cfg[CFGS];
	uint16_t auth2; /* accepted besides PSK; 0: none */
	bool legacy;
	uint32_t life; /* ours */
	int rc;
	struct p1_want want;
};

#define P1_OK(prop, xf, encr, bits, prf, dh, auth, s, kb)  \
	0,                                                 \
	{                                                  \
		prop, xf, encr, bits, prf, dh, auth, s, kb \
	}
#define P1_NO(rc)                         \
	rc,                               \
	{                                 \
		0, 0, 0, 0, 0, 0, 0, 0, 0 \
	}

static const struct p1_case p1_cases[] = {
	{"AES-128, SHA-256, MODP-2048, PSK (RFC 2409 5, RFC 3602 5.3)",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 86400))},
	 {&ike_cbc},
	 0,
	 false,
	 28800,
	 P1_OK(1, 1, CBC, 128, P_SHA256, 14, PSK, 28800, 0)},
	{"the peer's transform order wins over the config's",
	 {ISAKMP(P1X(E1_AES, 256, H_SHA1, PSK, 19, 0), P1X(E1_AES, 128, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 3600,
	 P1_OK(1, 1, CBC, 256, P_SHA1, 19, PSK, 3600, 0)},
	{"the first acceptable transform, not the first",
	 {ISAKMP(P1X(E1_AES, 192, H_SHA256, PSK, 14, 0), P1X(E1_AES, 128, H_SHA384, PSK, 14, 0),
		 P1X(E1_AES, 256, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_OK(1, 3, CBC, 256, P_SHA256, 14, PSK, 0, 0)},
	{"a key length the config lacks (192)",
	 {ISAKMP(P1X(E1_AES, 192, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"AES without its Key Length (RFC 3602 5.3: MUST)",
	 {ISAKMP(P1X(E1_AES, 0, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"one config proposal must allow the whole suite",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA1, PSK, 19, 0))},
	 {&ike_a, &ike_b},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"the second config proposal",
	 {ISAKMP(P1X(E1_AES, 256, H_SHA1, PSK, 19, 0))},
	 {&ike_a, &ike_b},
	 0,
	 false,
	 0,
	 P1_OK(1, 1, CBC, 256, P_SHA1, 19, PSK, 0, 0)},
	{"3DES-MD5-MODP-1024 without ipsec.legacy",
	 {ISAKMP(P1X(E1_3DES, 0, H_MD5, PSK, 2, 0))},
	 {&ike_legacy},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"3DES-MD5-MODP-1536 with ipsec.legacy",
	 {ISAKMP(P1X(E1_3DES, 0, H_MD5, PSK, 5, 0))},
	 {&ike_legacy},
	 0,
	 true,
	 28800,
	 P1_OK(1, 1, IKEV1_ID_ENCR_3DES, 0, IKEV1_ID_PRF_MD5, 5, PSK, 28800, 0)},
	{"legacy allowed but not configured",
	 {ISAKMP(P1X(E1_3DES, 0, H_MD5, PSK, 2, 0))},
	 {&ike_cbc},
	 0,
	 true,
	 0,
	 P1_NO(-ENOENT)},
	{"3DES with a Key Length",
	 {ISAKMP(P1X(E1_3DES, 192, H_MD5, PSK, 2, 0))},
	 {&ike_legacy},
	 0,
	 true,
	 0,
	 P1_NO(-ENOENT)},
	{"an auth method not accepted (RSA signatures)",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, RSA, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"XAUTHInitPreShared when accepted",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, RSA, 14, 0), P1X(E1_AES, 128, H_SHA256, XPSK, 14, 0))},
	 {&ike_cbc},
	 XPSK,
	 false,
	 0,
	 P1_OK(1, 2, CBC, 128, P_SHA256, 14, XPSK, 0, 0)},
	{"Curve25519 (31) has no IKEv1 group number",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 31, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"DES and Tiger are not implemented",
	 {ISAKMP(P1X(E1_DES, 0, H_SHA256, PSK, 14, 0), P1X(E1_AES, 128, H_TIGER, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"an unknown attribute makes its transform unacceptable",
	 {ISAKMP(P1X_AND(TV(A_PRF, 1)), P1X(E1_AES, 256, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_OK(1, 2, CBC, 256, P_SHA256, 14, PSK, 0, 0)},
	{"an unknown attribute only: unacceptable, not malformed",
	 {ISAKMP(P1X_AND({A_ODD, 7, 2}))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"a transform ID other than KEY_IKE (RFC 2407 4.4.2)",
	 {ISAKMP({2,
		  {TV(IKEV1_A_ENCR, E1_AES), TV(IKEV1_A_KEYLEN, 128), TV(IKEV1_A_HASH, 4),
		   TV(IKEV1_A_AUTH, PSK), TV(IKEV1_A_GROUP, 14)}})},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"a transform without a group (RFC 2409 5: required)",
	 {ISAKMP({1,
		  {TV(IKEV1_A_ENCR, E1_AES), TV(IKEV1_A_KEYLEN, 128), TV(IKEV1_A_HASH, 4),
		   TV(IKEV1_A_AUTH, PSK)}})},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-ENOENT)},
	{"lifetime: the peer's when lower",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 3600))},
	 {&ike_cbc},
	 0,
	 false,
	 28800,
	 P1_OK(1, 1, CBC, 128, P_SHA256, 14, PSK, 3600, 0)},
	{"lifetime: none offered, ours",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 28800,
	 P1_OK(1, 1, CBC, 128, P_SHA256, 14, PSK, 28800, 0)},
	{"lifetime: a 4-octet TLV, no limit of ours",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 100000))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_OK(1, 1, CBC, 128, P_SHA256, 14, PSK, 100000, 0)},
	{"kilobytes as offered, after seconds",
	 {ISAKMP(P1X_AND(LIFE(11, 12, 1, 3600), LIFE(11, 12, 2, 70000)))},
	 {&ike_cbc},
	 0,
	 false,
	 28800,
	 P1_OK(1, 1, CBC, 128, P_SHA256, 14, PSK, 3600, 70000)},
	{"several proposals (RFC 2409 5 forbids them): tried in order",
	 {ISAKMP(P1X(E1_3DES, 0, H_MD5, PSK, 2, 0)),
	  {2, IKEV1_PROTO_ISAKMP, 0, 0, {P1X(E1_AES, 128, H_SHA1, PSK, 14, 0)}}},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_OK(2, 1, CBC, 128, P_SHA1, 14, PSK, 0, 0)},
	{"a config without prf[] hashes with its integ[]",
	 {ISAKMP(P1X(E1_AES, 256, H_SHA384, PSK, 15, 0))},
	 {&ike_noprf},
	 0,
	 false,
	 0,
	 P1_OK(1, 1, CBC, 256, P_SHA384, 15, PSK, 0, 0)},
	/* malformed */
	{"a TLV life duration of 8 octets",
	 {ISAKMP(P1X_AND(TV(11, 1), {12, 86400, 8}))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a TLV life duration of 0 octets",
	 {ISAKMP(P1X_AND(TV(11, 1), {12, 0, TLV0}))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"an unknown life type (3)",
	 {ISAKMP(P1X_AND(TV(11, 3), TV(12, 60)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a life duration without a type",
	 {ISAKMP(P1X_AND(TV(12, 60)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a life type without a duration",
	 {ISAKMP(P1X_AND(TV(11, 1)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"the same life type twice",
	 {ISAKMP(P1X_AND(TV(11, 1), TV(12, 60), TV(11, 1), TV(12, 70)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a life duration of 0",
	 {ISAKMP(P1X_AND(TV(11, 1), TV(12, 0)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a basic attribute as TLV (Appendix A: MUST NOT)",
	 {ISAKMP({1,
		  {{IKEV1_A_ENCR, E1_AES, 2},
		   TV(IKEV1_A_KEYLEN, 128),
		   TV(IKEV1_A_HASH, 4),
		   TV(IKEV1_A_AUTH, PSK),
		   TV(IKEV1_A_GROUP, 14)}})},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"an attribute twice",
	 {ISAKMP(P1X_AND(TV(IKEV1_A_GROUP, 19)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"a malformed transform after an acceptable one",
	 {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 0), P1X_AND(TV(11, 3), TV(12, 60)))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
	{"an ESP proposal in Phase 1",
	 {ESPP(1, SPI1, P1X(E1_AES, 128, H_SHA256, PSK, 14, 0))},
	 {&ike_cbc},
	 0,
	 false,
	 0,
	 P1_NO(-EINVAL)},
};

static bool p1_same(const struct ikev1_p1_choice *c, const struct p1_want *w)
{
	return c->prop_num == w->prop && c->xform_num == w->xf && c->encr == w->encr &&
	       c->encr_bits == w->bits && c->prf == w->prf && c->dh == w->dh &&
	       c->auth == w->auth && c->life_s == w->life_s && c->life_kb == w->life_kb;
}

/* The responder's answer to row c, parsed back, must be what the initiator accepts. */
static void p1_answer(const struct p1_case *c, const struct ikev1_p1_choice *ch,
		      const struct cfg_ike_proposal *mine, unsigned int n)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	struct ikev1_p1_choice acc;
	struct ikev1_wr w;
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_write(&w, ch), 0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL_FATAL(sa->u.sa.n_props, 1);
	CU_ASSERT_EQUAL(m.props[sa->u.sa.first_prop].n_xforms, 1);
	int rc = ikev1_p1_accept(&m, sa, mine, n, ch->auth, c->legacy, &acc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_TRUE(acc.prop_num == ch->prop_num && acc.xform_num == ch->xform_num &&
		       acc.encr == ch->encr && acc.encr_bits == ch->encr_bits &&
		       acc.prf == ch->prf && acc.dh == ch->dh && acc.auth == ch->auth);
	/* the answer echoes the offered lifetimes */
	CU_ASSERT_TRUE(acc.life_s == ch->life_s_offered && acc.life_kb == ch->life_kb);
	if (rc != 0)
		fprintf(stderr, "\n  case '%s': accept of the answer: %d\n", c->what, rc);
}

static void test_p1_table(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	for (size_t i = 0; i < sizeof(p1_cases) / sizeof(p1_cases[0]); i++) {
		const struct p1_case *c = &p1_cases[i];
		struct cfg_ike_proposal mine[CFGS];
		uint16_t auths[2] = {PSK, c->auth2};
		unsigned int n = n_cfg(c->cfg, mine);
		struct ikev1_p1_choice ch;
		memset(&ch, 0xa5, sizeof(ch));
		const struct ikev1_payload *sa = peer_sa(&m, buf, IKEV1_EXCH_MAIN, c->peer);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		int rc = ikev1_p1_choose(&m, sa, mine, n, auths, c->auth2 ? 2 : 1, c->life,
					 c->legacy, &ch);
		bool ok = rc == c->rc && (rc != 0 || p1_same(&ch, &c->want));
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr,
				"\n  case '%s': rc %d (want %d) prop %u xf %u encr %u/%u prf %u dh "
				"%u "
				"auth %u life %u/%u\n",
				c->what, rc, c->rc, ch.prop_num, ch.xform_num, ch.encr,
				ch.encr_bits, ch.prf, ch.dh, ch.auth, ch.life_s, ch.life_kb);
		if (rc != 0) {
			CU_ASSERT_EQUAL(ch.encr, 0); /* zeroed on failure */
			continue;
		}
		p1_answer(c, &ch, mine, n);
	}
}

/* RFC 2408 3.4: an SA payload without proposals (which the codec itself refuses). */
static void test_p1_no_proposal(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	const struct pp one[PR_MAX] = {ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 0))};
	const uint16_t auth = PSK;
	struct ikev1_p1_choice ch;
	const struct ikev1_payload *sa = peer_sa(&m, buf, IKEV1_EXCH_MAIN, one);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	struct ikev1_payload none = *sa;
	none.u.sa.n_props = 0;
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, &none, &ike_cbc, 1, &auth, 1, 0, false, &ch), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_p1_accept(&m, &none, &ike_cbc, 1, PSK, false, &ch), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, NULL, &ike_cbc, 1, &auth, 1, 0, false, &ch), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, sa, &ike_cbc, 1, &auth, 1, 0, false, &ch), 0);
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, sa, NULL, 0, &auth, 1, 0, false, &ch), -ENOENT);
	none = *sa; /* SIT_SECRECY: not supported */
	none.u.sa.situation = 2;
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, &none, &ike_cbc, 1, &auth, 1, 0, false, &ch), -ENOENT);
}

/* Attribute t of transform xf of proposal prop, or NULL. */
static const struct ikev1_attr *first_attr(const struct ikev1_msg *m,
					   const struct ikev1_payload *sa, unsigned int prop,
					   unsigned int xf, uint16_t t)
{
	const struct ikev1_prop *p = &m->props[sa->u.sa.first_prop + prop];
	const struct ikev1_xform *x = &m->xforms[p->first_xform + xf];
	return ikev1_attr_find(m, x->first_attr, x->n_attrs, t);
}

/* The value of that attribute, or UINT32_MAX when it is not there. */
static uint32_t attr_v(const struct ikev1_msg *m, const struct ikev1_payload *sa, unsigned int prop,
		       unsigned int xf, uint16_t t)
{
	const struct ikev1_attr *a = first_attr(m, sa, prop, xf, t);
	return a != NULL ? a->val : UINT32_MAX;
}

/* Offer -> choose -> write -> accept, both ends on hand-made proposals. */
static void test_p1_round_trip(void)
{
	static struct ikev1_msg m, a;
	static uint8_t buf[BUF_MAX], abuf[BUF_MAX];
	const uint16_t auth = PSK;
	struct ikev1_p1_choice ch, acc;
	struct ikev1_wr w;
	/* 2 ciphers x 2 hashes x 2 groups: Curve25519 left out */
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, &ike_cbc, 1, PSK, 100000), 0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL_FATAL(sa->u.sa.n_props, 1);
	const struct ikev1_prop *p = &m.props[sa->u.sa.first_prop];
	CU_ASSERT_TRUE(p->num == 1 && p->proto == IKEV1_PROTO_ISAKMP && p->spi_size == 0);
	CU_ASSERT_EQUAL_FATAL(p->n_xforms, 8);
	for (unsigned int k = 0; k < 8; k++) {
		const struct ikev1_xform *x = &m.xforms[p->first_xform + k];
		const struct ikev1_attr *ld = first_attr(&m, sa, 0, k, IKEV1_A_LIFE_DUR);
		CU_ASSERT_TRUE(x->num == k + 1 && x->id == 1);
		CU_ASSERT_EQUAL(attr_v(&m, sa, 0, k, IKEV1_A_AUTH), PSK);
		CU_ASSERT_TRUE(ld != NULL && !ld->tv && ld->len == 4 && ld->val == 100000);
		CU_ASSERT_NOT_EQUAL(attr_v(&m, sa, 0, k, IKEV1_A_GROUP), 31);
	}
	/* cipher outermost: the 7th is AES-256, SHA-1, ECP-256 */
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, sa, &ike_b, 1, &auth, 1, 28800, false, &ch), 0);
	CU_ASSERT_TRUE(ch.xform_num == 7 && ch.encr_bits == 256 && ch.prf == P_SHA1 &&
		       ch.dh == IKE_DH_ECP256 && ch.life_s == 28800 && ch.life_s_offered == 100000);
	start_msg(&w, abuf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_write(&w, &ch), 0);
	const struct ikev1_payload *ans = reparse(&a, abuf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ans);
	CU_ASSERT_EQUAL(ikev1_p1_accept(&a, ans, &ike_cbc, 1, PSK, false, &acc), 0);
	CU_ASSERT_TRUE(acc.xform_num == 7 && acc.encr == CBC && acc.encr_bits == 256 &&
		       acc.prf == P_SHA1 && acc.dh == IKE_DH_ECP256 && acc.life_s == 100000);
	/* the answer is not ours: another auth method, a config without its suite */
	CU_ASSERT_EQUAL(ikev1_p1_accept(&a, ans, &ike_cbc, 1, RSA, false, &acc), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p1_accept(&a, ans, &ike_a, 1, PSK, false, &acc), -ENOENT);
	/* an answer of more than one transform (our own offer) is malformed */
	CU_ASSERT_EQUAL(ikev1_p1_accept(&m, sa, &ike_cbc, 1, PSK, false, &acc), -EINVAL);
	/* legacy suites round trip too, with legacy on both ends */
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, &ike_legacy, 1, PSK, 0), 0);
	sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(m.props[sa->u.sa.first_prop].n_xforms, 2);
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 0, 0, IKEV1_A_LIFE_TYPE));
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 0, 0, IKEV1_A_KEYLEN));
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, sa, &ike_legacy, 1, &auth, 1, 0, false, &ch), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p1_choose(&m, sa, &ike_legacy, 1, &auth, 1, 0, true, &ch), 0);
	CU_ASSERT_TRUE(ch.encr == IKEV1_ID_ENCR_3DES && ch.prf == IKEV1_ID_PRF_MD5 && ch.dh == 2);
}

static void test_p1_offer_limits(void)
{
	static uint8_t buf[BUF_MAX];
	uint8_t small[64];
	struct ikev1_wr w;
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, &ike_aead, 1, PSK, 0), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, &ike_huge, 1, PSK, 0), -E2BIG);
	CU_ASSERT_EQUAL(w.len, IKEV1_HDR_LEN); /* nothing written */
	struct ikev1_hdr h = {.cky_i = {1}, .exchange = IKEV1_EXCH_MAIN};
	ikev1_wr_init(&w, small, sizeof(small), &h);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, &ike_cbc, 1, PSK, 0), -ENOBUFS);
	/* a choice with no IKEv1 form */
	struct ikev1_p1_choice ch = {.prop_num = 1, .xform_num = 1, .encr = GCM, .encr_bits = 128};
	ch.prf = P_SHA256;
	ch.dh = 14;
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_write(&w, &ch), -EINVAL);
}

/* ---- Quick Mode ---- */

struct p2_want {
	uint8_t prop, xf;
	uint32_t spi;
	uint16_t encr, bits, integ, dh, encap;
	bool transport, udp, esn;
	uint32_t life_s, life_kb;
	bool reduced;
};

struct p2_case {
	const char *what;
	struct pp peer[PR_MAX];
	const struct cfg_ike_proposal *cfg[CFGS];
	bool transport, udp, legacy;
	uint32_t life_s, life_kb; /* ours */
	int rc;
	struct p2_want want;
};

/* Choices of the common kinds: tunnel AES-128 SHA-256; anything else spelled out. */
#define P2_WANT(prop, xf, spi, encr, bits, integ, dh, encap, tr, udp, esn, s, kb, red) \
	0,                                                                             \
	{                                                                              \
		prop, xf, spi, encr, bits, integ, dh, encap, tr, udp, esn, s, kb, red  \
	}
#define P2_AES(prop, xf, spi, s, red) \
	P2_WANT(prop, xf, spi, CBC, 128, I_SHA256, 0, TUN, false, false, false, s, 0, red)
#define P2_NO(rc)                                                        \
	rc,                                                              \
	{                                                                \
		0, 0, 0, 0, 0, 0, 0, 0, false, false, false, 0, 0, false \
	}

static const struct p2_case p2_cases[] = {
	{"AES-128, HMAC-SHA-256, tunnel (RFC 2407 4.5)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, TUN, 3600))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 28800,
	 0,
	 P2_AES(1, 1, SPI1, 3600, false)},
	{"AES-GCM-16 (20) takes no authentication (RFC 4106 8.1)",
	 {ESPP(1, SPI1, P2X(ESP_GCM, 256, 0, 0, TUN, 0))},
	 {&esp_gcm},
	 false,
	 false,
	 false,
	 28800,
	 0,
	 P2_WANT(1, 1, SPI1, GCM, 256, 0, 0, TUN, false, false, false, 28800, 0, false)},
	{"AES-GCM-16 with an authentication algorithm",
	 {ESPP(1, SPI1, P2X(ESP_GCM, 256, AA_SHA256, 0, TUN, 0))},
	 {&esp_gcm},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"AES-GCM-16 with authentication even where the config has it",
	 {ESPP(1, SPI1, P2X(ESP_GCM, 128, AA_SHA256, 0, TUN, 0))},
	 {&esp_mixed},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"an integrity the config lacks",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA1, 14, TUN, 0))},
	 {&esp_pfs},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"AES-CBC without authentication",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, 0, 0, TUN, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"ChaCha20-Poly1305 (28, IKEv2's number)",
	 {ESPP(1, SPI1, P2X(ESP_CHACHA, 0, 0, 0, TUN, 0))},
	 {&esp_chacha},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CHACHA, 0, 0, 0, TUN, false, false, false, 28800, 0, false)},
	{"NULL encryption with authentication",
	 {ESPP(1, SPI1, P2X(ESP_NULL, 0, AA_SHA256, 0, TUN, 0))},
	 {&esp_null},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, IKEV1_ID_ENCR_NULL, 0, I_SHA256, 0, TUN, false, false, false, 28800, 0,
		 false)},
	{"the peer's proposal order wins",
	 {ESPP(1, SPI2, P2X(ESP_AES, 256, AA_SHA1, 0, TUN, 0)), ESPP(2, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI2, CBC, 256, I_SHA1, 0, TUN, false, false, false, 28800, 0, false)},
	{"a key length the config lacks (192), then the next proposal",
	 {ESPP(1, SPI2, P2X(ESP_AES, 192, AA_SHA256, 0, TUN, 0)), ESPP(2, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(2, 1, SPI1, 28800, false)},
	{"AES-CTR (13) is not implemented",
	 {ESPP(1, SPI1, P2X(ESP_CTR, 128, AA_SHA256, 0, TUN, 0), P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(1, 2, SPI1, 28800, false)},
	{"AES-XCBC-MAC (9) is not implemented",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_XCBC, 0, TUN, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"3DES-MD5 without ipsec.legacy",
	 {ESPP(1, SPI1, P2X(ESP_3DES, 0, AA_MD5, 0, TUN, 0))},
	 {&esp_legacy},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"3DES-MD5 with ipsec.legacy",
	 {ESPP(1, SPI1, P2X(ESP_3DES, 0, AA_MD5, 0, TUN, 0))},
	 {&esp_legacy},
	 false,
	 false,
	 true,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, IKEV1_ID_ENCR_3DES, 0, IKEV1_ID_INTEG_MD5, 0, TUN, false, false, false,
		 28800, 0, false)},
	{"PFS required by the config, no group offered",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_pfs},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"PFS with the configured group (RFC 2409 5.5)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 15, TUN, 0),
	       P2X(ESP_AES, 128, AA_SHA256, 14, TUN, 0))},
	 {&esp_pfs},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 2, SPI1, CBC, 128, I_SHA256, 14, TUN, false, false, false, 28800, 0, false)},
	{"PFS offered, the config has none",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 14, TUN, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"PFS group 2 without ipsec.legacy",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA1, 2, TUN, 0))},
	 {&esp_pfs1024},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"PFS group 2 with ipsec.legacy",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA1, 2, TUN, 0))},
	 {&esp_pfs1024},
	 false,
	 false,
	 true,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA1, 2, TUN, false, false, false, 28800, 0, false)},
	{"transport asked, tunnel offered",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_cbc},
	 true,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"transport",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, TRA, 0))},
	 {&esp_cbc},
	 true,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TRA, true, false, false, 28800, 0, false)},
	{"UDP-encapsulated tunnel (RFC 3947 5.1)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, UTUN, 0))},
	 {&esp_cbc},
	 false,
	 true,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, UTUN, false, true, false, 28800, 0, false)},
	{"UDP-encapsulated transport (RFC 3947 5.1)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, UTRA, 0))},
	 {&esp_cbc},
	 true,
	 true,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, UTRA, true, true, false, 28800, 0, false)},
	{"UDP tunnel, the drafts' 61443",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, UTUN_D, 0))},
	 {&esp_cbc},
	 false,
	 true,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, UTUN_D, false, true, false, 28800, 0, false)},
	{"UDP transport, the drafts' 61444",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, UTRA_D, 0))},
	 {&esp_cbc},
	 true,
	 true,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, UTRA_D, true, true, false, 28800, 0, false)},
	{"a NAT between us, plain tunnel offered",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 true,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"no NAT, UDP tunnel offered",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, UTUN, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"no Encapsulation Mode: tunnel",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, 0, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, 0, false, false, false, 28800, 0, false)},
	{"an unknown Encapsulation Mode (5)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, 5, 0))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"ours lower: RESPONDER-LIFETIME (RFC 2407 4.6.3.1)",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, TUN, 86400))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 3600,
	 0,
	 P2_AES(1, 1, SPI1, 3600, true)},
	{"no seconds offered: 28800 assumed, ours lower",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 3600,
	 0,
	 P2_AES(1, 1, SPI1, 3600, true)},
	{"no seconds offered, ours higher: 28800",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 86400,
	 0,
	 P2_AES(1, 1, SPI1, 28800, false)},
	{"a 4-octet TLV duration, no limit of ours",
	 {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 0, TUN, 100000))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(1, 1, SPI1, 100000, false)},
	{"kilobytes: ours lower",
	 {ESPP(1, SPI1, P2X_AND(LIFE(1, 2, 1, 3600), LIFE(1, 2, 2, 1000000)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 28800,
	 500000,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TUN, false, false, false, 3600, 500000, true)},
	{"kilobytes: none offered, ours",
	 {ESPP(1, SPI1, P2X_AND(LIFE(1, 2, 1, 3600)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 28800,
	 500000,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TUN, false, false, false, 3600, 500000, true)},
	{"kilobytes: the peer's lower, first in the transform",
	 {ESPP(1, SPI1, P2X_AND(LIFE(1, 2, 2, 1000), LIFE(1, 2, 1, 3600)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 28800,
	 500000,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TUN, false, false, false, 3600, 1000, false)},
	{"ESN offered and configured (RFC 4304)",
	 {ESPP(1, SPI1, P2X_AND(TV(IKEV1_A2_ESN, 1)))},
	 {&esp_esn},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TUN, false, false, true, 28800, 0, false)},
	{"ESN required by the config, not offered",
	 {ESPP(1, SPI1, P2_AES128)},
	 {&esp_esn},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"ESN offered, the config without",
	 {ESPP(1, SPI1, P2X_AND(TV(IKEV1_A2_ESN, 1)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"ESN offered, either configured",
	 {ESPP(1, SPI1, P2X_AND(TV(IKEV1_A2_ESN, 1)))},
	 {&esp_esn_any},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_WANT(1, 1, SPI1, CBC, 128, I_SHA256, 0, TUN, false, false, true, 28800, 0, false)},
	{"an ESN attribute of value 2",
	 {ESPP(1, SPI1, P2X_AND(TV(IKEV1_A2_ESN, 2)))},
	 {&esp_esn_any},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"an unknown attribute (ECN Tunnel) makes its transform unacceptable",
	 {ESPP(1, SPI1, P2X_AND(TV(A2_ECN, 1)), P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(1, 2, SPI1, 28800, false)},
	{"an AH proposal is skipped",
	 {{1, IKEV1_PROTO_AH, 4, SPI2, {{AH_SHA, {TV(IKEV1_A2_AUTH, AA_SHA1)}}}},
	  ESPP(2, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(2, 1, SPI1, 28800, false)},
	{"an AH+ESP bundle (one number, RFC 2408 4.2) is refused",
	 {{1, IKEV1_PROTO_AH, 4, SPI2, {{AH_SHA, {TV(IKEV1_A2_AUTH, AA_SHA1)}}}},
	  ESPP(1, SPI1, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-ENOENT)},
	{"a bundle refused, the next proposal taken",
	 {{1, IKEV1_PROTO_AH, 4, SPI2, {{AH_SHA, {TV(IKEV1_A2_AUTH, AA_SHA1)}}}},
	  ESPP(1, SPI1, P2_AES128),
	  ESPP(2, SPI2, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_AES(2, 1, SPI2, 28800, false)},
	/* malformed */
	{"an ISAKMP proposal in Quick Mode",
	 {{1, IKEV1_PROTO_ISAKMP, 0, 0, {P2_AES128}}},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"an ESP SPI of 8 octets",
	 {{1, IKEV1_PROTO_ESP, 8, SPI1, {P2_AES128}}},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"an ESP SPI of 0 (RFC 4303 2.1)",
	 {ESPP(1, 0, P2_AES128)},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"a TLV life duration of 8 octets",
	 {ESPP(1, SPI1, P2X_AND(TV(1, 1), {2, 3600, 8}))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"an unknown life type (3)",
	 {ESPP(1, SPI1, P2X_AND(TV(1, 3), TV(2, 3600)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"an attribute twice",
	 {ESPP(1, SPI1, P2X_AND(TV(IKEV1_A2_KEYLEN, 256)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"a malformed transform after an acceptable one, in the same proposal",
	 {ESPP(1, SPI1, P2_AES128, P2X_AND(TV(1, 1)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
	{"a malformed transform after an acceptable one",
	 {ESPP(1, SPI1, P2_AES128), ESPP(2, SPI1, P2X_AND(TV(2, 60)))},
	 {&esp_cbc},
	 false,
	 false,
	 false,
	 0,
	 0,
	 P2_NO(-EINVAL)},
};

static bool p2_same(const struct ikev1_p2_choice *c, const struct p2_want *w)
{
	return c->prop_num == w->prop && c->xform_num == w->xf && c->spi == w->spi &&
	       c->encr == w->encr && c->encr_bits == w->bits && c->integ == w->integ &&
	       c->dh == w->dh && c->encap == w->encap && c->transport == w->transport &&
	       c->udp == w->udp && c->esn == w->esn && c->life_s == w->life_s &&
	       c->life_kb == w->life_kb && c->life_reduced == w->reduced;
}

/* The answer to row c under OUR_SPI must be accepted by the initiator with the row's config
 * at the chosen proposal's number (our offers number config proposals from 1). */
static void p2_answer(const struct p2_case *c, const struct ikev1_p2_choice *ch)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	struct cfg_ike_proposal mine[PR_MAX];
	struct ikev1_p2_choice acc;
	struct ikev1_wr w;
	int rc = -ENOENT;
	start_msg(&w, buf, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(ikev1_p2_write(&w, ch, OUR_SPI), 0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	for (unsigned int j = 0; j < CFGS && c->cfg[j] != NULL && rc != 0; j++) {
		for (unsigned int k = 0; k < PR_MAX; k++)
			mine[k] = *c->cfg[j];
		rc = ikev1_p2_accept(&m, sa, mine, ch->prop_num, c->transport, c->udp, c->legacy,
				     &acc);
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_TRUE(acc.spi == OUR_SPI && acc.prop_num == ch->prop_num &&
		       acc.xform_num == ch->xform_num && acc.encr == ch->encr &&
		       acc.encr_bits == ch->encr_bits && acc.integ == ch->integ &&
		       acc.dh == ch->dh && acc.encap == ch->encap && acc.esn == ch->esn);
	CU_ASSERT_TRUE(acc.life_s == ch->life_s_offered && acc.life_kb == ch->life_kb_offered);
	if (rc != 0)
		fprintf(stderr, "\n  case '%s': accept of the answer: %d\n", c->what, rc);
}

static void test_p2_table(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	for (size_t i = 0; i < sizeof(p2_cases) / sizeof(p2_cases[0]); i++) {
		const struct p2_case *c = &p2_cases[i];
		struct cfg_ike_proposal mine[CFGS];
		unsigned int n = n_cfg(c->cfg, mine);
		struct ikev1_p2_choice ch;
		memset(&ch, 0xa5, sizeof(ch));
		const struct ikev1_payload *sa = peer_sa(&m, buf, IKEV1_EXCH_QUICK, c->peer);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		int rc = ikev1_p2_choose(&m, sa, mine, n, c->transport, c->udp, c->life_s,
					 c->life_kb, c->legacy, &ch);
		bool ok = rc == c->rc && (rc != 0 || p2_same(&ch, &c->want));
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr,
				"\n  case '%s': rc %d (want %d) prop %u xf %u spi %08x encr %u/%u "
				"integ %u dh %u encap %u tr %d udp %d esn %d life %u/%u red %d\n",
				c->what, rc, c->rc, ch.prop_num, ch.xform_num, ch.spi, ch.encr,
				ch.encr_bits, ch.integ, ch.dh, ch.encap, ch.transport, ch.udp,
				ch.esn, ch.life_s, ch.life_kb, ch.life_reduced);
		if (rc != 0) {
			CU_ASSERT_EQUAL(ch.spi, 0); /* zeroed on failure */
			continue;
		}
		p2_answer(c, &ch);
	}
}

/* Offer -> choose -> write -> accept with PFS, UDP transport (draft value) and kilobytes. */
static void test_p2_round_trip(void)
{
	static struct ikev1_msg m, a;
	static uint8_t buf[BUF_MAX], abuf[BUF_MAX];
	const struct cfg_ike_proposal props[2] = {esp_gcm, esp_pfs};
	struct ikev1_p2_choice ch, acc;
	struct ikev1_wr w;
	start_msg(&w, buf, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(ikev1_p2_offer(&w, props, 2, SPI1, IKE_DH_MODP2048, UTRA_D, 3600, 4608000),
			0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL_FATAL(sa->u.sa.n_props, 2);
	const struct ikev1_prop *p1 = &m.props[sa->u.sa.first_prop];
	const struct ikev1_prop *p2 = p1 + 1;
	CU_ASSERT_TRUE(p1->num == 1 && p1->proto == IKEV1_PROTO_ESP && p1->spi_size == 4 &&
		       p1->n_xforms == 2 && p2->num == 2 && p2->n_xforms == 1);
	CU_ASSERT_EQUAL(m.xforms[p1->first_xform].id, ESP_GCM);
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 0, 0, IKEV1_A2_AUTH)); /* AEAD: none */
	CU_ASSERT_EQUAL(attr_v(&m, sa, 1, 0, IKEV1_A2_AUTH), AA_SHA256);
	CU_ASSERT_EQUAL(attr_v(&m, sa, 1, 0, IKEV1_A2_GROUP), 14);
	CU_ASSERT_EQUAL(attr_v(&m, sa, 1, 0, IKEV1_A2_ENCAP), UTRA_D);
	CU_ASSERT_EQUAL(attr_v(&m, sa, 1, 0, IKEV1_A2_LIFE_DUR), 3600);
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 1, 0, IKEV1_A2_ESN));
	/* the responder: no GCM with PFS here, so proposal 2 */
	CU_ASSERT_EQUAL(ikev1_p2_choose(&m, sa, &esp_pfs, 1, true, true, 28800, 0, false, &ch), 0);
	CU_ASSERT_TRUE(ch.prop_num == 2 && ch.xform_num == 1 && ch.spi == SPI1 &&
		       ch.dh == IKE_DH_MODP2048 && ch.transport && ch.udp && ch.life_s == 3600 &&
		       ch.life_kb == 4608000 && !ch.life_reduced);
	start_msg(&w, abuf, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(ikev1_p2_write(&w, &ch, OUR_SPI), 0);
	const struct ikev1_payload *ans = reparse(&a, abuf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ans);
	CU_ASSERT_EQUAL(ikev1_p2_accept(&a, ans, props, 2, true, true, false, &acc), 0);
	CU_ASSERT_TRUE(acc.spi == OUR_SPI && acc.prop_num == 2 && acc.encr == CBC &&
		       acc.integ == I_SHA256 && acc.dh == 14 && acc.encap == UTRA_D &&
		       acc.life_s == 3600 && acc.life_kb == 4608000);
	/* not what we offered: proposal 2 is not esp_gcm; a number past ours; another mode */
	const struct cfg_ike_proposal swapped[2] = {esp_pfs, esp_gcm};
	CU_ASSERT_EQUAL(ikev1_p2_accept(&a, ans, swapped, 2, true, true, false, &acc), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p2_accept(&a, ans, props, 1, true, true, false, &acc), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p2_accept(&a, ans, props, 2, false, true, false, &acc), -ENOENT);
	CU_ASSERT_EQUAL(acc.spi, 0);
	/* our own offer as an answer: two proposals; two of one transform each */
	CU_ASSERT_EQUAL(ikev1_p2_accept(&m, sa, props, 2, true, true, false, &acc), -EINVAL);
	const struct pp two[PR_MAX] = {ESPP(1, SPI1, P2X(ESP_AES, 128, AA_SHA256, 14, UTRA_D, 0)),
				       ESPP(2, SPI1, P2X(ESP_AES, 128, AA_SHA256, 14, UTRA_D, 0))};
	ans = peer_sa(&a, abuf, IKEV1_EXCH_QUICK, two);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ans);
	CU_ASSERT_EQUAL(ikev1_p2_accept(&a, ans, swapped, 2, true, true, false, &acc), -EINVAL);
}

static void test_p2_offer_limits(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	const struct cfg_ike_proposal props[2] = {esp_ctr, esp_cbc};
	struct ikev1_p2_choice ch = {.prop_num = 1, .xform_num = 1, .encr = CBC, .integ = 12};
	struct ikev1_wr w;
	start_msg(&w, buf, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(ikev1_p2_offer(&w, &esp_cbc, 1, 0, 0, TUN, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(ikev1_p2_offer(&w, &esp_ctr, 1, SPI1, 0, TUN, 0, 0), -ENOENT);
	CU_ASSERT_EQUAL(ikev1_p2_write(&w, &ch, 0), -EINVAL);
	/* AES-CTR has no IKEv1 transform here: its proposal number stays unused */
	CU_ASSERT_EQUAL(ikev1_p2_offer(&w, props, 2, SPI1, 0, 0, 0, 0), 0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL_FATAL(sa->u.sa.n_props, 1);
	const struct ikev1_prop *p = &m.props[sa->u.sa.first_prop];
	CU_ASSERT_TRUE(p->num == 2 && p->n_xforms == 4); /* 2 ciphers x 2 integrities */
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 0, 0, IKEV1_A2_ENCAP));
	CU_ASSERT_PTR_NULL(first_attr(&m, sa, 0, 0, IKEV1_A2_LIFE_TYPE));
}

/* ---- the words of the refusal log lines ---- */

static void test_strings(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	const struct pp p1[PR_MAX] = {
		ISAKMP(P1X(E1_AES, 128, H_SHA256, PSK, 14, 0), P1X(E1_3DES, 0, H_MD5, PSK, 5, 0),
		       P1X(E1_AES, 192, H_SHA1, PSK, 19, 0), P1X(E1_DES, 0, H_TIGER, PSK, 1, 0))};
	const struct pp p2[PR_MAX] = {
		{1, IKEV1_PROTO_AH, 4, SPI2, {{AH_SHA, {TV(IKEV1_A2_AUTH, AA_SHA1)}}}},
		ESPP(2, SPI1, P2X_AND(TV(IKEV1_A2_GROUP, 14), TV(IKEV1_A2_ESN, 1)),
		     P2X(ESP_GCM, 256, 0, 0, TUN, 0), P2X(ESP_GCM, 192, 0, 0, TUN, 0),
		     P2X(ESP_CTR, 128, AA_XCBC, 0, TUN, 0))};
	const struct cfg_ike_proposal ike[3] = {ike_aead, ike_cbc, ike_legacy};
	const struct cfg_ike_proposal esp[3] = {esp_cbc, esp_gcm, esp_esn};
	char s[256], tiny[16];
	const struct ikev1_payload *sa = peer_sa(&m, buf, IKEV1_EXCH_MAIN, p1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	static const char *const w1 =
		"aes128-sha256-modp2048, 3des-md5-modp1536, aes192-sha1-ecp256, encr:1-hash:3-dh:1";
	CU_ASSERT_EQUAL(ikev1_p1_offered_str(&m, sa, s, sizeof(s)), strlen(w1));
	CU_ASSERT_STRING_EQUAL(s, w1);
	size_t n = ikev1_p1_offered_str(&m, sa, tiny, sizeof(tiny));
	CU_ASSERT_TRUE(n == strlen(tiny) && n < sizeof(tiny) && strcmp(tiny + n - 3, "...") == 0);
	memset(tiny, 'x', sizeof(tiny));
	CU_ASSERT_EQUAL(ikev1_p1_offered_str(&m, sa, tiny, 0), 0);
	CU_ASSERT_EQUAL(tiny[0], 'x');
	sa = peer_sa(&m, buf, IKEV1_EXCH_QUICK, p2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	static const char *const w2 =
		"ah, aes128-sha256-modp2048-esn, aes256gcm16, aes192gcm16, esp:13-auth:9";
	CU_ASSERT_EQUAL(ikev1_p2_offered_str(&m, sa, s, sizeof(s)), strlen(w2));
	CU_ASSERT_STRING_EQUAL(s, w2);
	/* ours: what IKEv1 can offer of them (no AEAD, PRF words or Curve25519 in Phase 1) */
	static const char *const c1 = "aes128-aes256-sha256-sha1-ecp256-modp2048, "
				      "3des-md5-modp1024-modp1536";
	CU_ASSERT_EQUAL(ikev1_p1_config_str(ike, 3, s, sizeof(s)), strlen(c1));
	CU_ASSERT_STRING_EQUAL(s, c1);
	static const char *const c2 =
		"aes128-aes256-sha256-sha1, aes128gcm16-aes256gcm16, aes128-sha256-esn";
	CU_ASSERT_EQUAL(ikev1_p2_config_str(esp, 3, s, sizeof(s)), strlen(c2));
	CU_ASSERT_STRING_EQUAL(s, c2);
	n = ikev1_p2_config_str(esp, 3, tiny, sizeof(tiny));
	CU_ASSERT_TRUE(n == strlen(tiny) && strcmp(tiny + n - 3, "...") == 0);
}

/* ---- proposals as the loader fills them (conf/config_ike_prop.c) ---- */

static const char yaml[] = "interfaces:\n  - name: lan0\n    port: net_tap0\n"
			   "    ipv4: 10.0.0.1/24\n"
			   "ike:\n  peers:\n    - name: p\n      local: 10.0.0.1\n"
			   "      remote: 10.0.0.2\n      psk: \"0123456789abcdef\"\n"
			   "      ike: [aes256gcm16-prfsha384-ecp384, aes128-sha256-modp2048]\n"
			   "      children:\n        - name: c\n"
			   "          esp: [aes128-sha256-modp2048, aes256gcm16-esn]\n";

static void test_loaded(void)
{
	static struct ikev1_msg m;
	static uint8_t buf[BUF_MAX];
	struct config *cfg = NULL;
	char err[CFG_ERR_MAX] = "", s[256];
	const uint16_t auth = PSK;
	struct ikev1_p1_choice c1;
	struct ikev1_p2_choice c2;
	struct ikev1_wr w;
	int rc = cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  config: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 1);
	const struct cfg_ike_peer *peer = &cfg->ike_peers[0];
	const struct cfg_ike_child *cc = &peer->children[0];
	/* "sha256" alone fills prf[] too: Phase 1 hashes come from it */
	CU_ASSERT_TRUE(peer->ike[1].n_prf == 1 && peer->ike[1].prf[0] == P_SHA256);
	start_msg(&w, buf, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(ikev1_p1_offer(&w, peer->ike, peer->n_ike, PSK, 28800), 0);
	const struct ikev1_payload *sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(m.props[sa->u.sa.first_prop].n_xforms, 1); /* GCM: no Phase 1 form */
	CU_ASSERT_EQUAL(
		ikev1_p1_choose(&m, sa, peer->ike, peer->n_ike, &auth, 1, 28800, false, &c1), 0);
	CU_ASSERT_TRUE(c1.encr == CBC && c1.encr_bits == 128 && c1.prf == P_SHA256 &&
		       c1.dh == IKE_DH_MODP2048 && c1.life_s == 28800);
	ikev1_p1_config_str(peer->ike, peer->n_ike, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "aes128-sha256-modp2048");
	/* Quick Mode without PFS: only the AEAD proposal (no group) fits the responder */
	start_msg(&w, buf, IKEV1_EXCH_QUICK);
	CU_ASSERT_EQUAL(ikev1_p2_offer(&w, cc->esp, cc->n_esp, SPI1, 0, TUN, 3600, 0), 0);
	sa = reparse(&m, buf, &w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(
		ikev1_p2_choose(&m, sa, cc->esp, cc->n_esp, false, false, 3600, 0, false, &c2), 0);
	CU_ASSERT_TRUE(c2.prop_num == 2 && c2.encr == GCM && c2.encr_bits == 256 && c2.esn &&
		       c2.integ == 0 && c2.dh == 0);
	ikev1_p2_config_str(cc->esp, cc->n_esp, s, sizeof(s));
	CU_ASSERT_STRING_EQUAL(s, "aes128-sha256-modp2048, aes256gcm16-esn");
	cfg_free(cfg);
}

int test_ikev1_prop_register(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"Phase 1 choices (RFC 2409 5, Appendix A)", test_p1_table},
		{"Phase 1 without proposals, situation", test_p1_no_proposal},
		{"Phase 1 offer, choose, write, accept", test_p1_round_trip},
		{"Phase 1 offer limits", test_p1_offer_limits},
		{"Quick Mode choices (RFC 2407 4.5, RFC 3947)", test_p2_table},
		{"Quick Mode offer, choose, write, accept", test_p2_round_trip},
		{"Quick Mode offer limits", test_p2_offer_limits},
		{"offers and config in words", test_strings},
		{"proposals as the loader fills them", test_loaded},
	};
	CU_pSuite s = CU_add_suite("ikev1_prop", NULL, NULL);
	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
