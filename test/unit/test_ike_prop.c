/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_prop.c - the "ike_prop" suite: the responder's choice of a proposal
 * (ctrlplane/ike/ike_prop.c, RFC 7296 2.7, 3.3).
 *
 * One table: each row is the peer's SA payload (proposals and transforms, written with the
 * codec's writer and parsed back with ike_msg_parse, so the choice runs on a real struct
 * ike_msg), the config's proposals, and the choice expected, or -ENOENT. Every accepted row is
 * then written back with ike_prop_write as the responder would answer, parsed again, and must
 * carry exactly the choice, one transform of each type (2.7), and be chosen again unchanged.
 * The RFC section each row exercises is in its comment.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ike_int.h"
#include "tests.h"

#define BUF_MAX	     2048
#define PROPS	     3
#define XFS	     8
#define CFGS	     2
#define PR_ESP	     IKE_PROTO_ESP
#define PR_IKE	     IKE_PROTO_IKE
#define PR_AH	     IKE_PROTO_AH
#define ATTR_TV	     0x8000
#define ATTR_ODD     18	 /* an attribute type IANA has not assigned (3.3.5) */
#define XF_ODD	     241 /* a private-use Transform Type the hub does not know (3.3.2) */
#define PROP_NUM_OFF (IKE_HDR_LEN + IKE_PL_HDR_LEN + 4) /* of an answer's proposal */

/* One transform as the peer offers it; odd: an attribute other than Key Length comes first. */
struct xf {
	uint8_t type;
	uint16_t id;
	uint16_t bits;
	bool odd;
};

/* One proposal of the peer: protocol, SPI (spi_size octets of spi_fill) and transforms. */
struct pp {
	uint8_t proto;
	uint8_t spi_size;
	uint8_t spi_fill;
	struct xf x[XFS];
};

/* What the choice must be (prop 0: -ENOENT). */
struct want {
	uint8_t prop;
	uint16_t encr, bits, integ, prf, dh;
	uint8_t esn;
};

struct prop_case {
	const char *what;
	uint8_t proto;	  /* IKE: ike_prop_choose_ike, ESP: ike_prop_choose_esp */
	uint8_t spi_size; /* IKE: what the exchange asks for (0 IKE_SA_INIT, 8 rekey) */
	bool pfs;	  /* ESP: CREATE_CHILD_SA */
	struct pp peer[PROPS];
	const struct cfg_ike_proposal *cfg[CFGS];
	struct want want;
};

#define ENCR(i, b)                       \
	{                                \
		IKE_XF_ENCR, i, b, false \
	}
#define ODD_ENCR(i, b)                  \
	{                               \
		IKE_XF_ENCR, i, b, true \
	}
#define INTEG(i)                          \
	{                                 \
		IKE_XF_INTEG, i, 0, false \
	}
#define PRF(i)                          \
	{                               \
		IKE_XF_PRF, i, 0, false \
	}
#define ODD_PRF(i)                     \
	{                              \
		IKE_XF_PRF, i, 0, true \
	}
#define KE(i)                          \
	{                              \
		IKE_XF_KE, i, 0, false \
	}
#define ESN(i)                          \
	{                               \
		IKE_XF_ESN, i, 0, false \
	}
#define E_GCM	 IKE_ENCR_AES_GCM_16
#define E_CBC	 IKE_ENCR_AES_CBC
#define E_CHACHA IKE_ENCR_CHACHA20_POLY1305
#define I_SHA1	 IKE_INTEG_HMAC_SHA1_96
#define I_SHA256 IKE_INTEG_HMAC_SHA2_256_128
#define P_SHA1	 IKE_PRF_HMAC_SHA1
#define P_SHA256 IKE_PRF_HMAC_SHA2_256
#define X25519	 IKE_DH_CURVE25519
#define ECP256	 IKE_DH_ECP256
#define MODP2048 IKE_DH_MODP2048

/* The config's proposals, as conf/config_ike_prop.c would load them. */
static const struct cfg_ike_proposal ike_gcm = {
	.encr = {{E_GCM, 128}, {E_GCM, 256}},
	.n_encr = 2,
	.prf = {P_SHA256},
	.n_prf = 1,
	.dh = {X25519, ECP256},
	.n_dh = 2,
};
static const struct cfg_ike_proposal ike_gcm256 = {
	.encr = {{E_GCM, 256}},
	.n_encr = 1,
	.prf = {P_SHA256},
	.n_prf = 1,
	.dh = {X25519},
	.n_dh = 1,
};
static const struct cfg_ike_proposal ike_cbc = {
	.encr = {{E_CBC, 128}, {E_CBC, 256}},
	.n_encr = 2,
	.integ = {I_SHA256, I_SHA1},
	.n_integ = 2,
	.prf = {P_SHA256, P_SHA1},
	.n_prf = 2,
	.dh = {X25519, MODP2048},
	.n_dh = 2,
};
static const struct cfg_ike_proposal ike_chacha = {
	.encr = {{E_CHACHA, 0}},
	.n_encr = 1,
	.prf = {P_SHA256},
	.n_prf = 1,
	.dh = {X25519},
	.n_dh = 1,
};
static const struct cfg_ike_proposal esp_gcm = {
	.encr = {{E_GCM, 128}, {E_GCM, 256}},
	.n_encr = 2,
};
static const struct cfg_ike_proposal esp_cbc = {
	.encr = {{E_CBC, 256}},
	.n_encr = 1,
	.integ = {I_SHA256},
	.n_integ = 1,
};
static const struct cfg_ike_proposal esp_esn = {
	.encr = {{E_GCM, 128}},
	.n_encr = 1,
	.esn = {1},
	.n_esn = 1,
};
static const struct cfg_ike_proposal esp_esn_either = {
	.encr = {{E_GCM, 128}},
	.n_encr = 1,
	.esn = {0, 1},
	.n_esn = 2,
};
static const struct cfg_ike_proposal esp_pfs = {
	.encr = {{E_GCM, 128}},
	.n_encr = 1,
	.dh = {ECP256, X25519},
	.n_dh = 2,
};

#define GCM_PRF_X                                           \
	{                                                   \
		ENCR(E_GCM, 128), PRF(P_SHA256), KE(X25519) \
	}

static const struct prop_case cases[] = {
	/* 3.3: one proposal with one transform of each type the config allows */
	{"IKE: one of each",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm},
	 {1, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 2.7: the peer's order of proposals wins over the config's order */
	{"IKE: peer's first proposal over config order",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_CBC, 256), INTEG(I_SHA256), PRF(P_SHA256), KE(MODP2048)}},
	  {PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm, &ike_cbc},
	 {1, E_CBC, 256, I_SHA256, P_SHA256, MODP2048, 0}},
	/* 2.7: within a type, the peer's first transform the config allows */
	{"IKE: peer's first cipher and group",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE,
	   0,
	   0,
	   {ENCR(E_GCM, 256), ENCR(E_GCM, 128), PRF(P_SHA256), KE(ECP256), KE(X25519)}}},
	 {&ike_gcm},
	 {1, E_GCM, 256, 0, P_SHA256, ECP256, 0}},
	/* 2.7: a proposal the first config proposal cannot take is tried against the next one */
	{"IKE: second config proposal fits",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_CBC, 128), INTEG(I_SHA1), PRF(P_SHA1), KE(X25519)}}},
	 {&ike_gcm, &ike_cbc},
	 {1, E_CBC, 128, I_SHA1, P_SHA1, X25519, 0}},
	/* 3.3.3: an AEAD may come with integrity NONE */
	{"IKE: AEAD with INTEG NONE",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), INTEG(IKE_INTEG_NONE), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {1, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 3.3.3: an AEAD with a real integrity algorithm is no suite */
	{"IKE: AEAD with HMAC refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), INTEG(I_SHA256), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm, &ike_cbc},
	 {0}},
	/* 3.3.6: an unacceptable proposal does not stop the next one of the same SA payload */
	{"IKE: AEAD with HMAC refused, next proposal taken",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), INTEG(I_SHA256), PRF(P_SHA256), KE(X25519)}},
	  {PR_IKE, 0, 0, {ENCR(E_GCM, 256), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {2, E_GCM, 256, 0, P_SHA256, X25519, 0}},
	/* 3.3.3: AES-CBC needs an integrity algorithm */
	{"IKE: CBC without integrity refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_CBC, 256), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_cbc},
	 {0}},
	/* 3.3.3: NONE is integrity only for an AEAD */
	{"IKE: CBC with INTEG NONE refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_CBC, 256), INTEG(IKE_INTEG_NONE), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_cbc},
	 {0}},
	/* 3.3.5: the Key Length attribute selects AES-128 or AES-256 */
	{"IKE: AES-128 offered, config only AES-256",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm256},
	 {0}},
	/* 3.3.5: the key length the config allows, among the peer's */
	{"IKE: AES-256 picked by key length",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), ENCR(E_GCM, 256), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm256},
	 {1, E_GCM, 256, 0, P_SHA256, X25519, 0}},
	/* 3.3.5: AES has a variable key length, so the attribute is not optional */
	{"IKE: AES without Key Length refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 0), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {0}},
	/* RFC 7634 2: ChaCha20-Poly1305 has a fixed key and no Key Length */
	{"IKE: ChaCha20-Poly1305 without key length",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_CHACHA, 0), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_chacha},
	 {1, E_CHACHA, 0, 0, P_SHA256, X25519, 0}},
	/* 3.3.6: a transform with an attribute we do not know is skipped, not the proposal */
	{"IKE: unknown attribute skips that cipher",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ODD_ENCR(E_GCM, 256), ENCR(E_GCM, 128), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {1, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 3.3.6: ... and when it was the only one of its type, nothing is left */
	{"IKE: unknown attribute on the only cipher",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ODD_ENCR(E_GCM, 128), PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.6: the same for a PRF */
	{"IKE: unknown attribute on the only PRF",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), ODD_PRF(P_SHA256), KE(X25519)}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.3: PRF is mandatory in an IKE proposal */
	{"IKE: missing PRF refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), KE(X25519)}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.3: D-H is mandatory in an IKE proposal */
	{"IKE: missing KE refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), PRF(P_SHA256)}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.6: a Transform Type the responder does not understand makes the proposal unacceptable */
	{"IKE: unknown transform type refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), PRF(P_SHA256), KE(X25519), {XF_ODD, 1, 0, false}}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.6: "other proposals in the same SA payload are processed as usual" */
	{"IKE: unknown transform type, clean second proposal",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 256), PRF(P_SHA256), KE(X25519), {XF_ODD, 1, 0, false}}},
	  {PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm},
	 {2, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 2.7: a group the config does not list */
	{"IKE: group not configured",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 0, 0, {ENCR(E_GCM, 128), PRF(P_SHA256), KE(MODP2048)}}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.1: IKE_SA_INIT proposals carry no SPI */
	{"IKE: SPI in IKE_SA_INIT refused",
	 PR_IKE,
	 0,
	 false,
	 {{PR_IKE, 8, 0x5a, GCM_PRF_X}},
	 {&ike_gcm},
	 {0}},
	/* 1.3.2, 3.3.1: the rekey of an IKE SA carries the initiator's new 8-octet SPI */
	{"IKE rekey: 8-octet SPI taken",
	 PR_IKE,
	 8,
	 false,
	 {{PR_IKE, 8, 0x5a, GCM_PRF_X}},
	 {&ike_gcm},
	 {1, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 1.3.2: a rekey proposal without its SPI is no rekey */
	{"IKE rekey: proposal without SPI refused",
	 PR_IKE,
	 8,
	 false,
	 {{PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm},
	 {0}},
	/* 3.3.1: an ESP proposal is not an IKE SA's */
	{"IKE: ESP proposal skipped",
	 PR_IKE,
	 0,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}, {PR_IKE, 0, 0, GCM_PRF_X}},
	 {&ike_gcm},
	 {2, E_GCM, 128, 0, P_SHA256, X25519, 0}},
	/* 3.3.3: ESP with an AEAD: encryption and ESN */
	{"ESP: AEAD, no ESN",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_gcm},
	 {1, E_GCM, 128, 0, 0, 0, 0}},
	/* 3.3.3: ... and integrity NONE */
	{"ESP: AEAD with INTEG NONE",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 256), INTEG(IKE_INTEG_NONE), ESN(0)}}},
	 {&esp_gcm},
	 {1, E_GCM, 256, 0, 0, 0, 0}},
	/* 3.3.3: an AEAD with HMAC is refused for ESP too */
	{"ESP: AEAD with HMAC refused",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), INTEG(I_SHA256), ESN(0)}}},
	 {&esp_gcm, &esp_cbc},
	 {0}},
	/* RFC 4868 2, 2.7: the peer's first integrity algorithm the config allows */
	{"ESP: CBC with HMAC-SHA-256-128",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_CBC, 256), INTEG(I_SHA1), INTEG(I_SHA256), ESN(0)}}},
	 {&esp_cbc},
	 {1, E_CBC, 256, I_SHA256, 0, 0, 0}},
	/* 3.3.5: AES-128 against a config of AES-256 only */
	{"ESP: AES-128 offered, config only AES-256",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_CBC, 128), INTEG(I_SHA256), ESN(0)}}},
	 {&esp_cbc},
	 {0}},
	/* 2.7: the peer's order of proposals for a Child SA too */
	{"ESP: peer's first proposal over config order",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_CBC, 256), INTEG(I_SHA256), ESN(0)}},
	  {PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_gcm, &esp_cbc},
	 {1, E_CBC, 256, I_SHA256, 0, 0, 0}},
	/* RFC 4303 2.1, 3.3.1: SPI 0 is reserved */
	{"ESP: SPI 0 refused",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_gcm},
	 {0}},
	/* 3.3.1: AH is not ESP (and vpnhub does not do AH) */
	{"ESP: AH proposal skipped",
	 PR_ESP,
	 4,
	 false,
	 {{PR_AH, 4, 0x44, {INTEG(I_SHA256), ESN(0)}},
	  {PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_gcm},
	 {2, E_GCM, 128, 0, 0, 0, 0}},
	/* 3.3.2: ESN only, against a config without ESN */
	{"ESP: ESN only, config without",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(1)}}},
	 {&esp_gcm},
	 {0}},
	/* 2.7, 3.3.2: the peer prefers ESN, the config takes no ESN */
	{"ESP: ESN or not, config without",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(1), ESN(0)}}},
	 {&esp_gcm},
	 {1, E_GCM, 128, 0, 0, 0, 0}},
	/* 3.3.2: a config that wants ESN */
	{"ESP: ESN wanted",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0), ESN(1)}}},
	 {&esp_esn},
	 {1, E_GCM, 128, 0, 0, 0, 1}},
	/* 2.7: a config that takes either: the peer's first */
	{"ESP: ESN either, peer's first",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(1), ESN(0)}}},
	 {&esp_esn_either},
	 {1, E_GCM, 128, 0, 0, 0, 1}},
	/* 1.3.1, 2.7: PFS with groups configured: the peer's first group the config allows */
	{"PFS: peer's first configured group",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), KE(MODP2048), KE(X25519), KE(ECP256), ESN(0)}}},
	 {&esp_pfs},
	 {1, E_GCM, 128, 0, 0, X25519, 0}},
	/* 1.3.1: a config with groups needs one from the peer */
	{"PFS: config groups, peer none",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_pfs},
	 {0}},
	/* 1.3.1, 3.3.2: NONE is no group */
	{"PFS: config groups, peer NONE",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), KE(0), ESN(0)}}},
	 {&esp_pfs},
	 {0}},
	/* 1.3.1: a config without groups takes a proposal without KE */
	{"PFS: config without groups, peer none",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0)}}},
	 {&esp_gcm},
	 {1, E_GCM, 128, 0, 0, 0, 0}},
	/* 1.3.1, 3.3.2: ... or one that lists NONE among its groups */
	{"PFS: config without groups, peer NONE among groups",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), KE(X25519), KE(0), ESN(0)}}},
	 {&esp_gcm},
	 {1, E_GCM, 128, 0, 0, 0, 0}},
	/* 1.3.1: a peer that insists on PFS cannot have it from a config without groups */
	{"PFS: config without groups, peer insists",
	 PR_ESP,
	 4,
	 true,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), KE(X25519), ESN(0)}}},
	 {&esp_gcm},
	 {0}},
	/* 1.2: IKE_AUTH has no KE payload: the KE transforms of its proposals are ignored */
	{"IKE_AUTH: KE transforms ignored",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), KE(X25519), ESN(0)}}},
	 {&esp_pfs},
	 {1, E_GCM, 128, 0, 0, 0, 0}},
	/* 3.3.6: an unknown Transform Type in an ESP proposal */
	{"ESP: unknown transform type refused",
	 PR_ESP,
	 4,
	 false,
	 {{PR_ESP, 4, 0x33, {ENCR(E_GCM, 128), ESN(0), {XF_ODD, 7, 0, false}}}},
	 {&esp_gcm},
	 {0}},
};

static struct ike_msg m; /* large: static, one test at a time */

static size_t n_xf(const struct pp *p)
{
	size_t n = 0;
	while (n < XFS && p->x[n].type != 0)
		n++;
	return n;
}

/*
 * One transform. The writer knows only Key Length (3.3.5), so an odd one gets an attribute of
 * an unassigned type written after its header, and its Transform Length patched by hand.
 */
static void put_xf(struct ike_wr *w, const struct xf *x)
{
	size_t at = w->len;
	if (!x->odd) {
		ike_wr_xform(w, x->type, x->id, x->bits);
		return;
	}
	ike_wr_xform(w, x->type, x->id, 0);
	ike_wr_u16(w, ATTR_TV | ATTR_ODD);
	ike_wr_u16(w, 1);
	if (x->bits != 0) {
		ike_wr_u16(w, ATTR_TV | IKE_ATTR_KEY_LENGTH);
		ike_wr_u16(w, x->bits);
	}
	if (w->err == 0) {
		w->buf[at + 2] = (uint8_t)((w->len - at) >> 8);
		w->buf[at + 3] = (uint8_t)(w->len - at);
	}
}

/* A request with the row's SA payload: IKE_SA_INIT (IKE without SPI), else CREATE_CHILD_SA. */
static size_t build(const struct prop_case *c, uint8_t *buf, size_t cap)
{
	struct ike_hdr h = {.major = 2, .flags = IKE_FLAG_I};
	struct ike_wr w;
	size_t len = 0;
	memset(h.spi_i, 0x11, sizeof(h.spi_i));
	if (c->proto == PR_IKE && c->spi_size == 0) {
		h.exchange = IKE_EXCH_SA_INIT;
	} else {
		h.exchange = IKE_EXCH_CREATE_CHILD_SA;
		memset(h.spi_r, 0x22, sizeof(h.spi_r));
		h.msg_id = 2;
	}
	CU_ASSERT_FATAL(ike_wr_init(&w, buf, cap, &h) == 0);
	ike_wr_sa_begin(&w);
	for (unsigned int i = 0; i < PROPS && c->peer[i].proto != 0; i++) {
		const struct pp *p = &c->peer[i];
		uint8_t spi[8];
		memset(spi, p->spi_fill, sizeof(spi));
		ike_wr_prop(&w, (uint8_t)(i + 1), p->proto, spi, p->spi_size);
		for (size_t k = 0; k < n_xf(p); k++)
			put_xf(&w, &p->x[k]);
	}
	ike_wr_sa_end(&w);
	CU_ASSERT_FATAL(ike_wr_finish(&w, &len) == 0);
	return len;
}

static int choose(const struct prop_case *c, const struct ike_msg *pm, struct ike_choice *ch)
{
	struct cfg_ike_proposal mine[CFGS];
	unsigned int n = 0;
	const struct ike_payload *sa = ike_msg_find(pm, IKE_PL_SA, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	for (; n < CFGS && c->cfg[n] != NULL; n++)
		mine[n] = *c->cfg[n];
	if (c->proto == PR_IKE)
		return ike_prop_choose_ike(pm, sa, mine, n, c->spi_size, ch);
	return ike_prop_choose_esp(pm, sa, mine, n, c->pfs, ch);
}

static bool same_choice(const struct ike_choice *a, const struct ike_choice *b, uint8_t proto)
{
	return a->prop_num == b->prop_num && a->encr == b->encr && a->encr_bits == b->encr_bits &&
	       a->integ == b->integ && a->prf == b->prf && a->dh == b->dh &&
	       (proto == PR_IKE || a->esn == b->esn) && a->spi_size == b->spi_size &&
	       memcmp(a->spi, b->spi, a->spi_size) == 0;
}

/* The single proposal of an answer back into a choice; false unless one transform per type. */
static bool decode(const struct ike_msg *pm, uint8_t proto, struct ike_choice *ch)
{
	const struct ike_payload *sa = ike_msg_find(pm, IKE_PL_SA, NULL);
	unsigned int seen[IKE_XF_ESN + 1] = {0};
	memset(ch, 0, sizeof(*ch));
	if (sa == NULL || sa->u.sa.n_props != 1)
		return false;
	const struct ike_prop *p = &pm->props[sa->u.sa.first_prop];
	if (p->proto != proto || p->spi_size > sizeof(ch->spi))
		return false;
	ch->prop_num = p->num;
	ch->spi_size = p->spi_size;
	if (p->spi_size > 0)
		memcpy(ch->spi, p->spi, p->spi_size);
	for (unsigned int i = 0; i < p->n_xforms; i++) {
		const struct ike_xform *x = &pm->xforms[p->first_xform + i];
		if (x->type == 0 || x->type > IKE_XF_ESN || seen[x->type]++ > 0 || x->unknown_attrs)
			return false;
		if (x->type == IKE_XF_ENCR) {
			ch->encr = x->id;
			ch->encr_bits = x->has_key_len ? x->key_len : 0;
		}
		ch->integ = x->type == IKE_XF_INTEG ? x->id : ch->integ;
		ch->prf = x->type == IKE_XF_PRF ? x->id : ch->prf;
		ch->dh = x->type == IKE_XF_KE ? x->id : ch->dh;
		ch->esn = x->type == IKE_XF_ESN ? (uint8_t)x->id : ch->esn;
	}
	/* 3.3.3: what each protocol must carry */
	return seen[IKE_XF_ENCR] == 1 &&
	       (proto == PR_ESP ? seen[IKE_XF_ESN] == 1 && !seen[IKE_XF_PRF]
				: seen[IKE_XF_PRF] == 1 && seen[IKE_XF_KE] == 1);
}

static bool expect(bool ok, const struct prop_case *c, const char *what)
{
	if (!ok)
		fprintf(stderr, "\n  ike_prop \"%s\": %s\n", c->what, what);
	CU_ASSERT(ok);
	return ok;
}

/* ike_prop_write's answer, parsed again, is the choice and is chosen again unchanged. */
static void round_trip(const struct prop_case *c, const struct ike_choice *ch)
{
	static struct ike_msg again;
	uint8_t buf[BUF_MAX];
	struct ike_hdr h = {.major = 2, .flags = IKE_FLAG_R};
	struct ike_choice back, twice;
	struct ike_wr w;
	size_t len = 0;
	struct prop_case as_peer = *c;
	memset(h.spi_i, 0x11, sizeof(h.spi_i));
	memset(h.spi_r, 0x22, sizeof(h.spi_r));
	h.exchange = c->proto == PR_IKE && c->spi_size == 0 ? IKE_EXCH_SA_INIT
							    : IKE_EXCH_CREATE_CHILD_SA;
	int rc = ike_wr_init(&w, buf, sizeof(buf), &h);
	if (rc == 0)
		rc = ike_prop_write(&w, ch, c->proto);
	if (rc == 0)
		rc = ike_wr_finish(&w, &len);
	if (!expect(rc == 0 && len > PROP_NUM_OFF, c, "answer not written"))
		return;
	/*
	 * 3.3.1: the answer carries the number of the accepted proposal. The codec parses SA
	 * payloads as offers, numbered from 1, so the number is checked on the wire and put back
	 * after parsing.
	 */
	uint8_t num = buf[PROP_NUM_OFF];
	expect(num == ch->prop_num, c, "answer's proposal number");
	buf[PROP_NUM_OFF] = 1;
	if (!expect(ike_msg_parse(&again, buf, len) == 0 && again.n_props == 1, c,
		    "answer did not parse"))
		return;
	again.props[0].num = num;
	expect(decode(&again, c->proto, &back), c, "answer not one transform of each type");
	expect(same_choice(&back, ch, c->proto), c, "answer differs from the choice");
	memset(&twice, 0xee, sizeof(twice));
	expect(choose(&as_peer, &again, &twice) == 0 && same_choice(&twice, ch, c->proto), c,
	       "answer not chosen again unchanged");
}

static void run_case(const struct prop_case *c)
{
	uint8_t buf[BUF_MAX];
	struct ike_choice ch;
	size_t len = build(c, buf, sizeof(buf));
	if (!expect(ike_msg_parse(&m, buf, len) == 0, c, "request did not parse"))
		return;
	memset(&ch, 0xee, sizeof(ch));
	int rc = choose(c, &m, &ch);
	if (c->want.prop == 0) {
		expect(rc == -ENOENT, c, "accepted, expected -ENOENT");
		return;
	}
	if (!expect(rc == 0, c, "refused"))
		return;
	const struct want *x = &c->want;
	const struct pp *p = &c->peer[x->prop - 1];
	expect(ch.prop_num == x->prop, c, "proposal number");
	expect(ch.encr == x->encr && ch.encr_bits == x->bits, c, "cipher or key length");
	expect(ch.integ == x->integ, c, "integrity");
	expect(ch.prf == x->prf && ch.dh == x->dh, c, "PRF or group");
	expect(c->proto == PR_IKE || (ch.esn_set && ch.esn == x->esn), c, "ESN");
	expect(ch.spi_size == p->spi_size, c, "SPI size");
	for (unsigned int i = 0; i < p->spi_size && i < sizeof(ch.spi); i++)
		expect(ch.spi[i] == p->spi_fill, c, "SPI octets");
	round_trip(c, &ch);
}

static void test_table(void)
{
	unsigned int accepted = 0;
	CU_ASSERT(sizeof(cases) / sizeof(cases[0]) >= 25);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i]);
		accepted += cases[i].want.prop != 0;
	}
	/* the table has both kinds of row in numbers */
	CU_ASSERT(accepted >= 12 && sizeof(cases) / sizeof(cases[0]) - accepted >= 12);
}

/* 2.7: an SA payload with nothing for the protocol asked for leaves the choice zeroed. */
static void test_refusal_clears(void)
{
	const struct prop_case *c = &cases[0];
	uint8_t buf[BUF_MAX];
	struct ike_choice ch;
	size_t len = build(c, buf, sizeof(buf));
	CU_ASSERT_FATAL(ike_msg_parse(&m, buf, len) == 0);
	const struct ike_payload *sa = ike_msg_find(&m, IKE_PL_SA, NULL);
	memset(&ch, 0xee, sizeof(ch));
	CU_ASSERT(ike_prop_choose_esp(&m, sa, &esp_gcm, 1, false, &ch) == -ENOENT);
	CU_ASSERT(ch.encr == 0 && ch.prop_num == 0 && ch.spi_size == 0);
	memset(&ch, 0xee, sizeof(ch));
	CU_ASSERT(ike_prop_choose_ike(&m, sa, &ike_gcm, 0, 0, &ch) == -ENOENT); /* no config */
	CU_ASSERT(ch.encr == 0 && ch.dh == 0);
}

/* The writer's errors come back from ike_prop_write (a buffer too small for the answer). */
static void test_write_short(void)
{
	struct ike_choice ch = {.prop_num = 1, .encr = E_GCM, .encr_bits = 128, .spi_size = 4};
	uint8_t buf[IKE_HDR_LEN + 16];
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_CREATE_CHILD_SA, .flags = IKE_FLAG_R};
	struct ike_wr w;
	memset(ch.spi, 0x33, 4);
	memset(h.spi_i, 0x11, 8);
	memset(h.spi_r, 0x22, 8);
	CU_ASSERT_FATAL(ike_wr_init(&w, buf, sizeof(buf), &h) == 0);
	CU_ASSERT(ike_prop_write(&w, &ch, PR_ESP) == -ENOBUFS);
}

/* Our proposals in the config's words, for the log of a refusal; cut with "..." when long. */
static void test_config_words(void)
{
	struct cfg_ike_proposal p[2];
	char buf[128];
	memset(p, 0, sizeof(p));
	p[0].encr[0] = (struct cfg_ike_alg){20, 128};
	p[0].n_encr = 1;
	p[0].prf[0] = 5;
	p[0].n_prf = 1;
	p[0].dh[0] = 31;
	p[0].n_dh = 1;
	p[1].encr[0] = (struct cfg_ike_alg){12, 256};
	p[1].n_encr = 1;
	p[1].integ[0] = 12;
	p[1].n_integ = 1;
	p[1].prf[0] = 5;
	p[1].n_prf = 1;
	p[1].dh[0] = 99; /* no keyword: the number */
	p[1].n_dh = 1;
	size_t n = ike_prop_config_str(p, 2, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "aes128gcm16-prfsha256-x25519, aes256-sha256-prfsha256-4:99");
	CU_ASSERT_EQUAL(n, strlen(buf));
	n = ike_prop_config_str(p, 2, buf, 16);
	CU_ASSERT_STRING_EQUAL(buf, "aes128gcm16-...");
	CU_ASSERT_EQUAL(n, strlen(buf));
	CU_ASSERT_TRUE(strlen(buf) < 16);
}

int test_ike_prop_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"proposal table (2.7, 3.3)", test_table},
		{"refusal leaves the choice zeroed", test_refusal_clears},
		{"answer that does not fit", test_write_short},
		{"proposals in words", test_config_words},
	};
	CU_pSuite s = CU_add_suite("ike_prop", NULL, NULL);
	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
