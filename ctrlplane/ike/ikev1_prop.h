/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_prop.h - IKEv1 proposals: the responder's choice from a peer's SA payload,
 * the initiator's offer and its check of the answer, for Phase 1 (the ISAKMP SA, RFC 2409 5
 * and Appendix A) and Phase 2 (Quick Mode ESP, RFC 2407 4.4.4 and 4.5), against the config's
 * proposals (struct cfg_ike_proposal, IKEv2 IDs).
 *
 * An IKEv1 transform is a whole suite, not one algorithm: Phase 1 carries cipher (with its Key
 * Length), hash, authentication method, group and lifetimes; Phase 2 an ESP transform ID with
 * authentication algorithm, PFS group, encapsulation mode, Key Length, ESN and lifetimes. Values
 * go in and out of this module as the IKEv2 IDs the rest of the hub uses (crypto/ike_sk.h,
 * crypto/ike_prf.h, crypto/ike_dh.h), plus the IKEV1_ID_* below for the legacy ones.
 *
 * Mapping of the config (conf/config_ike_prop.c): a Phase 1 transform's hash is matched
 * against the proposal's prf[] (the IKEv1 PRF is the HMAC of the negotiated hash, RFC 2409 4);
 * the loader always fills prf[] for an IKE proposal, from its integrity words when none is
 * written ("aes128-sha256-modp2048" has integ sha256 and prf prfsha256). integ[] is not used
 * in Phase 1. AEAD ciphers and Curve25519 have no IKEv1 Phase 1 form and are left out of offers.
 *
 * Classes of bad input: malformed (-EINVAL, the caller answers BAD-PROPOSAL-SYNTAX or drops):
 * no proposal, a proposal without transforms, a protocol that cannot be there (Phase 1: not
 * ISAKMP; Phase 2: ISAKMP or 0), an ESP SPI not 4 octets or zero, a basic attribute (RFC 2409
 * Appendix A "B") sent as TLV or twice, a Life Duration without its Life Type, a Life Type
 * without its Duration or repeated or of a value other than seconds/kilobytes, a Life Duration
 * of 0 or of a TLV of 0 or more than 4 octets. Unacceptable (-ENOENT, NO-PROPOSAL-CHOSEN):
 * everything else that does not match, including unknown attribute classes or values, unknown
 * transform IDs, a situation other than SIT_IDENTITY_ONLY, and (Phase 2) AH/IPComp proposals
 * and AND-ed bundles. The whole SA payload is checked for malformation before anything is chosen.
 *
 * Threads: any; no state outside the arguments. In vpnhub, the control lcore.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKEV1_PROP_H
#define VPNHUB_CTRLPLANE_IKE_IKEV1_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrlplane/ike/ikev1_msg.h"

struct cfg_ike_proposal; /* conf/config_ike.h */

/* Phase 1 attribute classes (RFC 2409 Appendix A) */
#define IKEV1_A_ENCR	  1
#define IKEV1_A_HASH	  2
#define IKEV1_A_AUTH	  3
#define IKEV1_A_GROUP	  4
#define IKEV1_A_LIFE_TYPE 11
#define IKEV1_A_LIFE_DUR  12
#define IKEV1_A_KEYLEN	  14

/* Phase 2 attribute classes (RFC 2407 4.5; ESN: RFC 4304 2) */
#define IKEV1_A2_LIFE_TYPE 1
#define IKEV1_A2_LIFE_DUR  2
#define IKEV1_A2_GROUP	   3
#define IKEV1_A2_ENCAP	   4
#define IKEV1_A2_AUTH	   5
#define IKEV1_A2_KEYLEN	   6
#define IKEV1_A2_ESN	   11

/* Life Type values, both phases */
#define IKEV1_LIFE_SECONDS 1
#define IKEV1_LIFE_KB	   2

/* RFC 2407 4.5: an IPsec SA whose offer names no seconds lives 28800 s */
#define IKEV1_P2_LIFE_DEFAULT 28800

/* Authentication methods (RFC 2409 Appendix A, RFC 4754 8, draft-ietf-ipsec-isakmp-xauth-06) */
enum ikev1_auth {
	IKEV1_AUTH_PSK = 1,
	IKEV1_AUTH_RSA_SIG = 3,
	IKEV1_AUTH_ECDSA_256 = 9,
	IKEV1_AUTH_ECDSA_384 = 10,
	IKEV1_AUTH_ECDSA_521 = 11,
	IKEV1_AUTH_XAUTH_INIT_PSK = 65001,
	IKEV1_AUTH_XAUTH_RESP_PSK = 65002,
	IKEV1_AUTH_XAUTH_INIT_RSA = 65005,
	IKEV1_AUTH_XAUTH_RESP_RSA = 65006,
};

/* Encapsulation modes (RFC 2407 4.5, RFC 3947 5.1; the drafts' values are still sent) */
enum ikev1_encap {
	IKEV1_ENCAP_TUNNEL = 1,
	IKEV1_ENCAP_TRANSPORT = 2,
	IKEV1_ENCAP_UDP_TUNNEL = 3,
	IKEV1_ENCAP_UDP_TRANSPORT = 4,
	IKEV1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	IKEV1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* IKEv2 IDs of the legacy algorithms, which crypto/ names nowhere (RFC 7296 3.3.2) */
#define IKEV1_ID_ENCR_3DES 3  /* ENCR_3DES */
#define IKEV1_ID_ENCR_NULL 11 /* ENCR_NULL (ESP only, with integrity) */
#define IKEV1_ID_PRF_MD5   1  /* PRF_HMAC_MD5 */
#define IKEV1_ID_INTEG_MD5 1  /* AUTH_HMAC_MD5_96 */

struct ikev1_p1_choice {
	uint8_t prop_num, xform_num;
	uint16_t encr, encr_bits; /* IKE_ENCR_AES_CBC + 128/192/256; IKEV1_ID_ENCR_3DES (legacy) */
	uint16_t prf;		  /* IKE_PRF_HMAC_* of the hash; IKEV1_ID_PRF_MD5 (legacy) */
	uint16_t dh;		  /* group: 14, 15, 16, 19, 20, 21; 2 and 5 legacy */
	uint16_t auth;		  /* enum ikev1_auth, as the peer offered it */
	uint32_t life_s;	 /* choose: min(offered, ours), either 0 = none; accept: answered */
	uint32_t life_kb;	 /* as offered (0 = none) */
	uint32_t life_s_offered; /* the transform's own seconds (0 = none), echoed by p1_write */
};

/*
 * Responder: the first transform (peer's order) of the peer's SA payload sa in m that one of
 * mine allows (cipher and key length in its encr[], hash in its prf[], group in its dh[], all
 * of one proposal), with an auth method among auths[0..n_auth). life_s_ours: our Phase 1
 * lifetime in seconds (0 = none). legacy: 3DES, MD5 and groups 2 and 5 may be chosen (they must
 * still be in mine). Several proposals are tolerated (RFC 2409 5 forbids them) and tried in
 * order. 0 with *out, -ENOENT, -EINVAL (see the classes above); *out is zeroed on failure.
 */
int ikev1_p1_choose(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, const uint16_t *auths,
		    unsigned int n_auth, uint32_t life_s_ours, bool legacy,
		    struct ikev1_p1_choice *out);
/*
 * Initiator: an SA payload with one ISAKMP proposal (number 1, no SPI) whose transforms,
 * numbered from 1, are every combination encr x hash (from prf[]) x dh of each of props in
 * order (cipher outermost), each with auth method auth and, when life_s != 0, life type
 * seconds and duration life_s. Combinations IKEv1 cannot express are left out. 0, -ENOENT
 * (nothing left), -E2BIG (more than IKEV1_MSG_XFORMS_MAX transforms), or the writer's error.
 */
int ikev1_p1_offer(struct ikev1_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint16_t auth, uint32_t life_s);
/*
 * Responder: the SA payload answering with the chosen transform only, under the peer's
 * proposal and transform numbers, with the lifetimes the peer offered (life_s_offered,
 * life_kb): the answer is the peer's transform. 0, -EINVAL (a choice with no IKEv1 form), or
 * the writer's error.
 */
int ikev1_p1_write(struct ikev1_wr *w, const struct ikev1_p1_choice *ch);
/*
 * Initiator: the responder's answer must be one ISAKMP proposal of one transform that mine
 * allows, with auth method auth. *out has the answer's lifetimes (life_s = life_s_offered:
 * the answered seconds, 0 = none; the caller keeps the lower of it and its own).
 * 0, -ENOENT, -EINVAL (malformed, or not exactly one proposal with one transform).
 */
int ikev1_p1_accept(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, uint16_t auth,
		    bool legacy, struct ikev1_p1_choice *out);

struct ikev1_p2_choice {
	uint8_t prop_num, xform_num;
	uint32_t spi; /* the peer's ESP SPI, host order */
	/* IKE_ENCR_AES_CBC, IKE_ENCR_AES_GCM_16 (+ bits), IKE_ENCR_CHACHA20_POLY1305,
	 * IKEV1_ID_ENCR_3DES (legacy), IKEV1_ID_ENCR_NULL; integ IKE_INTEG_* or
	 * IKEV1_ID_INTEG_MD5 (legacy), 0 with an AEAD */
	uint16_t encr, encr_bits, integ;
	uint16_t dh;	/* PFS group, 0 = no PFS */
	uint16_t encap; /* enum ikev1_encap as offered, 0 = none offered (tunnel, no UDP) */
	bool transport, udp;
	bool esn;
	uint32_t life_s;	 /* choose: min(offered or 28800, ours); accept: answered */
	uint32_t life_kb;	 /* choose: min(offered, ours), either 0 = none; accept: answered */
	uint32_t life_s_offered; /* the transform's own lifetimes (0 = none), echoed by p2_write */
	uint32_t life_kb_offered;
	bool life_reduced; /* ours was lower than offered: send RESPONDER-LIFETIME (RFC 2407
			      4.6.3.1) with life_s and life_kb */
};

/*
 * Responder: the first ESP proposal and transform (peer's order) that one of mine allows:
 * cipher and key length in its encr[], authentication in its integ[] (none with an AEAD),
 * PFS group in its dh[] (n_dh == 0: the transform carries no group), ESN in its esn[] (none
 * listed: no ESN); the mode (Encapsulation Mode absent: tunnel) must be transport or tunnel
 * as `transport` says, and UDP-encapsulated exactly when udp. Proposals sharing a number with
 * another (AND-ed AH+ESP or IPComp bundles) and non-ESP proposals are skipped. life_s_ours /
 * life_kb_ours: our limits (0 = none). legacy as for Phase 1 (3DES, MD5, groups 2, 5).
 * 0 with *out, -ENOENT, -EINVAL; *out is zeroed on failure.
 */
int ikev1_p2_choose(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, bool transport,
		    bool udp, uint32_t life_s_ours, uint32_t life_kb_ours, bool legacy,
		    struct ikev1_p2_choice *out);
/*
 * Initiator: an SA payload with one ESP proposal per entry of props (numbered 1..n, SPI spi
 * in 4 octets), transforms (numbered from 1 in each) every encr x integ x esn combination (an
 * AEAD without integrity), each with life seconds life_s (when != 0) and kilobytes life_kb
 * (when != 0), group pfs (0: none; Curve25519 has no IKEv1 number), and encap. 0, -EINVAL
 * (spi 0, more than IKEV1_MSG_PROPS_MAX proposals), -ENOENT (nothing IKEv1 can express),
 * -E2BIG (more than IKEV1_MSG_XFORMS_MAX transforms), or the writer's error.
 */
int ikev1_p2_offer(struct ikev1_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint32_t spi, uint16_t pfs, uint16_t encap, uint32_t life_s, uint32_t life_kb);
/* Responder: the SA payload with the chosen transform (the offered lifetimes and encapsulation
 * echoed) under our SPI our_spi (non-zero). 0, -EINVAL, or the writer's error. */
int ikev1_p2_write(struct ikev1_wr *w, const struct ikev1_p2_choice *ch, uint32_t our_spi);
/*
 * Initiator: the responder's answer must be one ESP proposal of one transform that
 * mine[prop_num - 1] allows (our offer numbered them so) with the mode and UDP of transport
 * and udp; *out has the responder's SPI and the answered lifetimes (life_s = life_s_offered,
 * 0 = none: a RESPONDER-LIFETIME may still lower them). 0, -ENOENT, -EINVAL.
 */
int ikev1_p2_accept(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, bool transport,
		    bool udp, bool legacy, struct ikev1_p2_choice *out);

/*
 * For the refusal log lines: the peer's offers, one transform after the other, in the config's
 * words ("aes128-sha256-modp2048, 3des-md5-modp1536"; Phase 2 as strongSwan's esp proposals:
 * "aes128-sha256-modp2048-esn, aes256gcm16"); a value without a word is "<kind>:<wire value>"
 * (encr:, hash:, dh:, esp:, auth:). Non-ESP Phase 2 proposals show as "ah", "ipcomp" or
 * "proto:N". Ours: the config's proposals as IKEv1 can offer them (Phase 1: ciphers, hashes,
 * groups without AEADs, PRF words or Curve25519). Each returns the length written; buf is always
 * NUL-terminated (size > 0) and ends in "..." when the text did not fit (size >= 4).
 */
size_t ikev1_p1_offered_str(const struct ikev1_msg *m, const struct ikev1_payload *sa, char *buf,
			    size_t size);
size_t ikev1_p2_offered_str(const struct ikev1_msg *m, const struct ikev1_payload *sa, char *buf,
			    size_t size);
size_t ikev1_p1_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size);
size_t ikev1_p2_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size);

#endif
