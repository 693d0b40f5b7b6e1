/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_prop.c - IKEv1 proposals (RFC 2409 5 and Appendix A, RFC 2407 4.4-4.6);
 * see ikev1_prop.h for the contract and the classes of bad input.
 *
 * Each transform is decoded into struct p1x / p2x (wire values; `usable` cleared by anything
 * the hub does not know), mapped to IKEv2 IDs (p1_map, p2_map) and matched against one config
 * proposal at a time (p1_allows, p2_allows). The whole SA payload is decoded once for
 * malformation (p1_check, p2_check) before anything is chosen. The codec (ikev1_msg.c) has
 * checked every length and index; nothing here reads the packet but through struct ikev1_msg.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/config.h"
#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ikev1_prop.h"

#define DIM(a)		  (sizeof(a) / sizeof((a)[0]))

#define KEY_IKE		  1 /* the ISAKMP transform ID, RFC 2407 4.4.2 */
#define SIT_IDENTITY_ONLY 1 /* RFC 2407 4.2.1 */
#define ESN_64		  1 /* RFC 4304 2: the one value of the ESN attribute */
#define PROTO_IPCOMP	  4 /* RFC 2407 4.4.1 */

/* One wire value and its IKEv2 ID. */
struct map {
	uint16_t v1, v2;
	bool legacy;
};

/* Phase 1 Encryption Algorithm (RFC 2409 Appendix A; AES-CBC: RFC 3602 5.3). */
static const struct map p1_encr[] = {
	{7, IKE_ENCR_AES_CBC, false},
	{5, IKEV1_ID_ENCR_3DES, true},
};

/* Phase 1 Hash Algorithm (Appendix A, RFC 4868 for SHA-2) to the PRF HMAC of it (RFC 2409 4). */
static const struct map p1_hash[] = {
	{2, IKE_PRF_HMAC_SHA1, false},	   {4, IKE_PRF_HMAC_SHA2_256, false},
	{5, IKE_PRF_HMAC_SHA2_384, false}, {6, IKE_PRF_HMAC_SHA2_512, false},
	{1, IKEV1_ID_PRF_MD5, true},
};

/*
 * Group Description (Appendix A, RFC 3526, RFC 5903), the same numbers as IKEv2's. The IKEv1
 * registry ends at 30: Curve25519 (31) has no IKEv1 number.
 */
static const struct map groups[] = {
	{14, IKE_DH_MODP2048, false}, {15, IKE_DH_MODP3072, false}, {16, IKE_DH_MODP4096, false},
	{19, IKE_DH_ECP256, false},   {20, IKE_DH_ECP384, false},   {21, IKE_DH_ECP521, false},
	{2, 2 /* MODP-1024 */, true}, {5, 5 /* MODP-1536 */, true},
};

/*
 * IPSEC ESP Transform Identifiers (RFC 2407 4.4.4; IANA isakmp-registry-9): ESP_3DES 3,
 * ESP_NULL 11, ESP_AES-CBC 12 (RFC 3602), ESP_AES-GCM_16 20 (RFC 4106 8.1). The registry
 * ends at 23 and is closed (RFC 9395): ChaCha20-Poly1305 has no IKEv1 number; 28 is its IKEv2
 * ENCR_CHACHA20_POLY1305 (RFC 7634 4), which IKEv1 implementations that share IKEv2's
 * numbers for ESP (strongSwan) send. The numbers equal IKEv2's; the table keeps them explicit.
 */
static const struct map esp_encr[] = {
	{12, IKE_ENCR_AES_CBC, false},		 {20, IKE_ENCR_AES_GCM_16, false},
	{28, IKE_ENCR_CHACHA20_POLY1305, false}, {3, IKEV1_ID_ENCR_3DES, true},
	{11, IKEV1_ID_ENCR_NULL, false},
};

/* Authentication Algorithm (RFC 2407 4.5, RFC 4868 for SHA-2's truncations). */
static const struct map esp_auth[] = {
	{2, IKE_INTEG_HMAC_SHA1_96, false},	 {5, IKE_INTEG_HMAC_SHA2_256_128, false},
	{6, IKE_INTEG_HMAC_SHA2_384_192, false}, {7, IKE_INTEG_HMAC_SHA2_512_256, false},
	{1, IKEV1_ID_INTEG_MD5, true},
};

/* PRF to the integrity of the same hash: the config word of a Phase 1 hash ("sha256"). */
static const struct map prf_integ[] = {
	{IKE_PRF_HMAC_SHA1, IKE_INTEG_HMAC_SHA1_96, false},
	{IKE_PRF_HMAC_SHA2_256, IKE_INTEG_HMAC_SHA2_256_128, false},
	{IKE_PRF_HMAC_SHA2_384, IKE_INTEG_HMAC_SHA2_384_192, false},
	{IKE_PRF_HMAC_SHA2_512, IKE_INTEG_HMAC_SHA2_512_256, false},
	{IKEV1_ID_PRF_MD5, IKEV1_ID_INTEG_MD5, true},
};

/* The entry of t[0..n) with wire value v (wire) or IKEv2 ID v, or NULL. */
static const struct map *find(const struct map *t, size_t n, uint32_t v, bool wire)
{
	for (size_t i = 0; i < n; i++)
		if ((wire ? t[i].v1 : t[i].v2) == v)
			return &t[i];
	return NULL;
}

#define BY_V1(t, v) find(t, DIM(t), v, true)
#define BY_V2(t, v) find(t, DIM(t), v, false)

/* The IKEv2 ID of wire value v, or 0 when unknown or legacy without legacy. */
#define TO_V2(t, v, legacy) to_v2(BY_V1(t, v), legacy)
static uint16_t to_v2(const struct map *k, bool legacy)
{
	return k != NULL && (legacy || !k->legacy) ? k->v2 : 0;
}

static bool in_list(const uint16_t *list, unsigned int n, uint16_t v)
{
	for (unsigned int i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

static bool encr_allowed(const struct cfg_ike_proposal *q, uint16_t encr, uint16_t bits)
{
	for (uint8_t i = 0; i < q->n_encr; i++)
		if (q->encr[i].id == encr && q->encr[i].keylen == bits)
			return true;
	return false;
}

/*
 * The PRFs (Phase 1 hashes) of q into out[CFG_IKE_ALGS_MAX]: prf[], or those of integ[] if a
 * hand-made q has none (each integrity maps to at most one PRF).
 */
static unsigned int prfs_of(const struct cfg_ike_proposal *q, uint16_t *out)
{
	unsigned int n = q->n_prf < CFG_IKE_ALGS_MAX ? q->n_prf : CFG_IKE_ALGS_MAX;
	if (n > 0) {
		memcpy(out, q->prf, n * sizeof(out[0]));
		return n;
	}
	for (uint8_t i = 0; i < q->n_integ && i < CFG_IKE_ALGS_MAX; i++) {
		for (size_t k = 0; k < DIM(prf_integ); k++)
			if (prf_integ[k].v2 == q->integ[i])
				out[n++] = prf_integ[k].v1;
	}
	return n;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- attributes ---- */

/* The lifetimes of one transform (RFC 2407 4.5, RFC 2409 Appendix A): type, then duration. */
struct life {
	uint32_t s, kb;	  /* 0: not offered (a duration of 0 is refused) */
	uint16_t pending; /* a Life Type waiting for its Life Duration */
};

static int life_type(struct life *l, const struct ikev1_attr *a)
{
	if (!a->tv || l->pending != 0)
		return -EINVAL;
	if (a->val == IKEV1_LIFE_SECONDS && l->s == 0)
		l->pending = IKEV1_LIFE_SECONDS;
	else if (a->val == IKEV1_LIFE_KB && l->kb == 0)
		l->pending = IKEV1_LIFE_KB;
	else
		return -EINVAL; /* unknown or repeated type */
	return 0;
}

/* A duration is variable (V): TV, or a TLV the hub reads as at most 32 bits (none reads 0). */
static int life_dur(struct life *l, const struct ikev1_attr *a)
{
	if (l->pending == 0 || (!a->tv && a->len > 4) || a->val == 0)
		return -EINVAL;
	if (l->pending == IKEV1_LIFE_SECONDS)
		l->s = a->val;
	else
		l->kb = a->val;
	l->pending = 0;
	return 0;
}

/* A basic attribute (Appendix A "B") is TV and appears once; seen: the classes so far. */
static int basic(const struct ikev1_attr *a, uint32_t *seen)
{
	uint32_t bit = 1u << a->type; /* callers pass classes below 32 only */
	if (!a->tv || (*seen & bit))
		return -EINVAL;
	*seen |= bit;
	return 0;
}

/* A Phase 1 transform as sent: wire values, 0 where absent. */
struct p1x {
	uint16_t encr, hash, auth, group, keylen;
	struct life life;
	bool usable; /* KEY_IKE and no unknown attribute */
};

static int p1_attr(struct p1x *d, const struct ikev1_attr *a, uint32_t *seen)
{
	uint16_t *const slot[] = {
		[IKEV1_A_ENCR] = &d->encr,     [IKEV1_A_HASH] = &d->hash,
		[IKEV1_A_AUTH] = &d->auth,     [IKEV1_A_GROUP] = &d->group,
		[IKEV1_A_KEYLEN] = &d->keylen,
	};
	if (a->type == IKEV1_A_LIFE_TYPE)
		return life_type(&d->life, a);
	if (a->type == IKEV1_A_LIFE_DUR)
		return life_dur(&d->life, a);
	if (a->type >= DIM(slot) || slot[a->type] == NULL) {
		d->usable = false; /* PRF, group type and prime, field size...: not implemented */
		return 0;
	}
	if (basic(a, seen) < 0)
		return -EINVAL;
	*slot[a->type] = (uint16_t)a->val;
	return 0;
}

/* 0 with *d, or -EINVAL. */
static int p1_decode(const struct ikev1_msg *m, const struct ikev1_xform *x, struct p1x *d)
{
	uint32_t seen = 0;
	memset(d, 0, sizeof(*d));
	d->usable = x->id == KEY_IKE;
	for (uint16_t i = 0; i < x->n_attrs; i++) {
		int rc = p1_attr(d, &m->attrs[x->first_attr + i], &seen);
		if (rc < 0)
			return rc;
	}
	return d->life.pending != 0 ? -EINVAL : 0;
}

/*
 * The IKEv2 IDs of a usable transform into c; false if one is unknown, absent (RFC 2409 5
 * requires cipher, hash, auth method and group: an absent auth method, 0, is in no list) or
 * legacy unwanted.
 */
static bool p1_map(const struct p1x *d, bool legacy, struct ikev1_p1_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->encr = TO_V2(p1_encr, d->encr, legacy);
	c->encr_bits = d->keylen;
	c->prf = TO_V2(p1_hash, d->hash, legacy);
	c->dh = TO_V2(groups, d->group, legacy);
	c->auth = d->auth;
	c->life_s_offered = d->life.s;
	c->life_kb = d->life.kb;
	return d->usable && c->encr != 0 && c->prf != 0 && c->dh != 0;
}

static bool p1_allows(const struct cfg_ike_proposal *q, const struct ikev1_p1_choice *c)
{
	uint16_t prf[CFG_IKE_ALGS_MAX];
	unsigned int n_prf = prfs_of(q, prf);
	return encr_allowed(q, c->encr, c->encr_bits) && in_list(prf, n_prf, c->prf) &&
	       in_list(q->dh, q->n_dh, c->dh);
}

/* A Phase 2 transform as sent: wire values, 0 where absent. */
struct p2x {
	uint8_t id;
	uint16_t auth, group, encap, keylen, esn;
	struct life life;
	bool usable;
};

static bool encap_known(uint16_t e)
{
	return (e >= IKEV1_ENCAP_TUNNEL && e <= IKEV1_ENCAP_UDP_TRANSPORT) ||
	       e == IKEV1_ENCAP_UDP_TUNNEL_DRAFT || e == IKEV1_ENCAP_UDP_TRANSPORT_DRAFT;
}

static int p2_attr(struct p2x *d, const struct ikev1_attr *a, uint32_t *seen)
{
	uint16_t *const slot[] = {
		[IKEV1_A2_GROUP] = &d->group, [IKEV1_A2_ENCAP] = &d->encap,
		[IKEV1_A2_AUTH] = &d->auth,   [IKEV1_A2_KEYLEN] = &d->keylen,
		[IKEV1_A2_ESN] = &d->esn,
	};
	uint16_t v = (uint16_t)a->val;
	if (a->type == IKEV1_A2_LIFE_TYPE)
		return life_type(&d->life, a);
	if (a->type == IKEV1_A2_LIFE_DUR)
		return life_dur(&d->life, a);
	if (a->type >= DIM(slot) || slot[a->type] == NULL) {
		d->usable = false; /* key rounds, compression, ECN Tunnel...: not implemented */
		return 0;
	}
	if (basic(a, seen) < 0)
		return -EINVAL;
	*slot[a->type] = v;
	if ((a->type == IKEV1_A2_ENCAP && !encap_known(v)) ||
	    (a->type == IKEV1_A2_ESN && v != ESN_64))
		d->usable = false;
	return 0;
}

static int p2_decode(const struct ikev1_msg *m, const struct ikev1_xform *x, struct p2x *d)
{
	uint32_t seen = 0;
	memset(d, 0, sizeof(*d));
	d->id = x->id;
	d->usable = true;
	for (uint16_t i = 0; i < x->n_attrs; i++) {
		int rc = p2_attr(d, &m->attrs[x->first_attr + i], &seen);
		if (rc < 0)
			return rc;
	}
	return d->life.pending != 0 ? -EINVAL : 0;
}

/*
 * The IKEv2 IDs of a usable transform into c. An AEAD takes no Authentication Algorithm
 * (RFC 4106 8.1); every other cipher needs one (the hub has no ESP without integrity).
 */
static bool p2_map(const struct p2x *d, bool legacy, struct ikev1_p2_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->encr = TO_V2(esp_encr, d->id, legacy);
	c->encr_bits = d->keylen;
	c->integ = TO_V2(esp_auth, d->auth, legacy);
	c->dh = TO_V2(groups, d->group, legacy);
	c->encap = d->encap;
	c->transport = d->encap == IKEV1_ENCAP_TRANSPORT || d->encap == IKEV1_ENCAP_UDP_TRANSPORT ||
		       d->encap == IKEV1_ENCAP_UDP_TRANSPORT_DRAFT;
	c->udp = d->encap == IKEV1_ENCAP_UDP_TUNNEL || d->encap == IKEV1_ENCAP_UDP_TRANSPORT ||
		 d->encap == IKEV1_ENCAP_UDP_TUNNEL_DRAFT ||
		 d->encap == IKEV1_ENCAP_UDP_TRANSPORT_DRAFT;
	c->esn = d->esn == ESN_64;
	c->life_s_offered = d->life.s;
	c->life_kb_offered = d->life.kb;
	if (!d->usable || c->encr == 0 || (d->group != 0 && c->dh == 0))
		return false;
	return aead(c->encr) ? d->auth == 0 : c->integ != 0;
}

static bool p2_allows(const struct cfg_ike_proposal *q, const struct ikev1_p2_choice *c)
{
	bool esn_ok = q->n_esn == 0 ? !c->esn : false;
	for (uint8_t i = 0; i < q->n_esn; i++)
		esn_ok = esn_ok || q->esn[i] == (c->esn ? 1 : 0);
	if (!encr_allowed(q, c->encr, c->encr_bits) || !esn_ok)
		return false;
	if (c->integ != 0 && !in_list(q->integ, q->n_integ, c->integ))
		return false;
	return q->n_dh == 0 ? c->dh == 0 : in_list(q->dh, q->n_dh, c->dh);
}

/* ---- the SA payload ---- */

static const struct ikev1_prop *prop_at(const struct ikev1_msg *m, const struct ikev1_payload *sa,
					unsigned int i)
{
	return &m->props[sa->u.sa.first_prop + i];
}

/* The parser's indices, trusted but checked: an SA payload of m with proposals. */
static int sa_ok(const struct ikev1_msg *m, const struct ikev1_payload *sa)
{
	if (m == NULL || sa == NULL || sa->type != IKEV1_PL_SA || sa->u.sa.n_props == 0 ||
	    sa->u.sa.first_prop + sa->u.sa.n_props > m->n_props)
		return -EINVAL;
	for (unsigned int i = 0; i < sa->u.sa.n_props; i++) {
		const struct ikev1_prop *p = prop_at(m, sa, i);
		if (p->n_xforms == 0 || p->first_xform + p->n_xforms > m->n_xforms)
			return -EINVAL;
	}
	return 0;
}

/* Phase 1: every proposal ISAKMP, every transform well-formed. */
static int p1_check(const struct ikev1_msg *m, const struct ikev1_payload *sa)
{
	struct p1x d;
	int rc = sa_ok(m, sa);
	for (unsigned int i = 0; rc == 0 && i < sa->u.sa.n_props; i++) {
		const struct ikev1_prop *p = prop_at(m, sa, i);
		if (p->proto != IKEV1_PROTO_ISAKMP)
			return -EINVAL;
		/* the SPI of an ISAKMP proposal is the cookies, ignored (RFC 2408 3.5) */
		for (uint8_t k = 0; rc == 0 && k < p->n_xforms; k++)
			rc = p1_decode(m, &m->xforms[p->first_xform + k], &d);
	}
	return rc;
}

static uint32_t lower(uint32_t a, uint32_t b) /* 0 = none */
{
	if (a == 0 || b == 0)
		return a != 0 ? a : b;
	return a < b ? a : b;
}

/* The first transform of p that mine allows, into *out. */
static bool p1_first(const struct ikev1_msg *m, const struct ikev1_prop *p,
		     const struct cfg_ike_proposal *mine, unsigned int n_mine,
		     const uint16_t *auths, unsigned int n_auth, bool legacy,
		     struct ikev1_p1_choice *out)
{
	for (uint8_t k = 0; k < p->n_xforms; k++) {
		const struct ikev1_xform *x = &m->xforms[p->first_xform + k];
		struct p1x d;
		if (p1_decode(m, x, &d) < 0 || !p1_map(&d, legacy, out) ||
		    !in_list(auths, n_auth, d.auth))
			continue;
		for (unsigned int j = 0; j < n_mine; j++) {
			if (p1_allows(&mine[j], out)) {
				out->prop_num = p->num;
				out->xform_num = x->num;
				return true;
			}
		}
	}
	return false;
}

int ikev1_p1_choose(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, const uint16_t *auths,
		    unsigned int n_auth, uint32_t life_s_ours, bool legacy,
		    struct ikev1_p1_choice *out)
{
	int rc = p1_check(m, sa);
	if (rc == 0 && sa->u.sa.situation == SIT_IDENTITY_ONLY) {
		for (unsigned int i = 0; i < sa->u.sa.n_props; i++) {
			if (p1_first(m, prop_at(m, sa, i), mine, n_mine, auths, n_auth, legacy,
				     out)) {
				out->life_s = lower(out->life_s_offered, life_s_ours);
				return 0;
			}
		}
	}
	memset(out, 0, sizeof(*out));
	return rc != 0 ? rc : -ENOENT;
}

int ikev1_p1_accept(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, uint16_t auth,
		    bool legacy, struct ikev1_p1_choice *out)
{
	int rc = p1_check(m, sa);
	if (rc == 0 && (sa->u.sa.n_props != 1 || prop_at(m, sa, 0)->n_xforms != 1))
		rc = -EINVAL; /* an answer is the one transform chosen (RFC 2409 5) */
	if (rc == 0 && !p1_first(m, prop_at(m, sa, 0), mine, n_mine, &auth, 1, legacy, out))
		rc = -ENOENT;
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->life_s = out->life_s_offered;
	return 0;
}

/*
 * Phase 2: the proposals that cannot be in Quick Mode are malformed (ISAKMP, or 0); ESP ones
 * must have a 4-octet SPI other than 0 (RFC 4303 2.1) and well-formed transforms. AH and
 * IPComp proposals are only not for the hub.
 */
static int p2_check(const struct ikev1_msg *m, const struct ikev1_payload *sa)
{
	struct p2x d;
	int rc = sa_ok(m, sa);
	for (unsigned int i = 0; rc == 0 && i < sa->u.sa.n_props; i++) {
		const struct ikev1_prop *p = prop_at(m, sa, i);
		if (p->proto == 0 || p->proto == IKEV1_PROTO_ISAKMP)
			return -EINVAL;
		if (p->proto != IKEV1_PROTO_ESP)
			continue;
		if (p->spi_size != 4 || rd32(p->spi) == 0)
			return -EINVAL;
		for (uint8_t k = 0; rc == 0 && k < p->n_xforms; k++)
			rc = p2_decode(m, &m->xforms[p->first_xform + k], &d);
	}
	return rc;
}

/* Is proposal i AND-ed with another of the same number (RFC 2408 4.2)? */
static bool bundled(const struct ikev1_msg *m, const struct ikev1_payload *sa, unsigned int i)
{
	for (unsigned int k = 0; k < sa->u.sa.n_props; k++)
		if (k != i && prop_at(m, sa, k)->num == prop_at(m, sa, i)->num)
			return true;
	return false;
}

/* The first transform of ESP proposal p that q allows with the mode asked for, into *out. */
static bool p2_first(const struct ikev1_msg *m, const struct ikev1_prop *p,
		     const struct cfg_ike_proposal *q, bool transport, bool udp, bool legacy,
		     struct ikev1_p2_choice *out)
{
	for (uint8_t k = 0; k < p->n_xforms; k++) {
		const struct ikev1_xform *x = &m->xforms[p->first_xform + k];
		struct p2x d;
		if (p2_decode(m, x, &d) < 0 || !p2_map(&d, legacy, out) ||
		    out->transport != transport || out->udp != udp || !p2_allows(q, out))
			continue;
		out->prop_num = p->num;
		out->xform_num = x->num;
		out->spi = rd32(p->spi);
		return true;
	}
	return false;
}

/* RFC 2407 4.5: no seconds offered means 28800; life_reduced when ours is lower. */
static void p2_life(struct ikev1_p2_choice *c, uint32_t s_ours, uint32_t kb_ours)
{
	uint32_t s = c->life_s_offered != 0 ? c->life_s_offered : IKEV1_P2_LIFE_DEFAULT;
	c->life_s = lower(s, s_ours);
	c->life_kb = lower(c->life_kb_offered, kb_ours);
	c->life_reduced = c->life_s != s || c->life_kb != c->life_kb_offered;
}

int ikev1_p2_choose(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, bool transport,
		    bool udp, uint32_t life_s_ours, uint32_t life_kb_ours, bool legacy,
		    struct ikev1_p2_choice *out)
{
	int rc = p2_check(m, sa);
	if (rc == 0 && sa->u.sa.situation == SIT_IDENTITY_ONLY) {
		for (unsigned int i = 0; i < sa->u.sa.n_props; i++) {
			const struct ikev1_prop *p = prop_at(m, sa, i);
			if (p->proto != IKEV1_PROTO_ESP || bundled(m, sa, i))
				continue;
			for (unsigned int j = 0; j < n_mine; j++) {
				if (p2_first(m, p, &mine[j], transport, udp, legacy, out)) {
					p2_life(out, life_s_ours, life_kb_ours);
					return 0;
				}
			}
		}
	}
	memset(out, 0, sizeof(*out));
	return rc != 0 ? rc : -ENOENT;
}

int ikev1_p2_accept(const struct ikev1_msg *m, const struct ikev1_payload *sa,
		    const struct cfg_ike_proposal *mine, unsigned int n_mine, bool transport,
		    bool udp, bool legacy, struct ikev1_p2_choice *out)
{
	int rc = p2_check(m, sa);
	const struct ikev1_prop *p = rc == 0 ? prop_at(m, sa, 0) : NULL;
	if (rc == 0 && (sa->u.sa.n_props != 1 || p->n_xforms != 1))
		rc = -EINVAL; /* the answer is one transform of one proposal (RFC 2409 5.5) */
	if (rc == 0 && (p->proto != IKEV1_PROTO_ESP || p->num == 0 || p->num > n_mine ||
			!p2_first(m, p, &mine[p->num - 1], transport, udp, legacy, out)))
		rc = -ENOENT;
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->life_s = out->life_s_offered;
	out->life_kb = out->life_kb_offered;
	return 0;
}

/* ---- writing ---- */

/* A Life Type and its Duration: TV when it fits 16 bits, else a 4-octet TLV; none for 0. */
static void wr_life(struct ikev1_wr *w, uint16_t type_attr, uint16_t dur_attr, uint16_t type,
		    uint32_t v)
{
	uint8_t be[4];
	if (v == 0)
		return;
	wr32(be, v);
	ikev1_wr_attr_tv(w, type_attr, type);
	if (v <= UINT16_MAX)
		ikev1_wr_attr_tv(w, dur_attr, (uint16_t)v);
	else
		ikev1_wr_attr_tlv(w, dur_attr, be, sizeof(be));
}

/* The wire entries of suite c (cipher, hash, group); false if one has no IKEv1 number. */
static bool p1_wire(const struct ikev1_p1_choice *c, const struct map *v[3])
{
	v[0] = BY_V2(p1_encr, c->encr);
	v[1] = BY_V2(p1_hash, c->prf);
	v[2] = BY_V2(groups, c->dh);
	return v[0] != NULL && v[1] != NULL && v[2] != NULL;
}

/* One Phase 1 transform of c (its IKEv2 IDs); the writer keeps the first error. */
static int p1_xform(struct ikev1_wr *w, uint8_t num, const struct ikev1_p1_choice *c,
		    uint32_t life_s, uint32_t life_kb)
{
	const struct map *v[3];
	if (!p1_wire(c, v))
		return -EINVAL;
	ikev1_wr_xform(w, num, KEY_IKE);
	ikev1_wr_attr_tv(w, IKEV1_A_ENCR, v[0]->v1);
	if (c->encr_bits != 0)
		ikev1_wr_attr_tv(w, IKEV1_A_KEYLEN, c->encr_bits);
	ikev1_wr_attr_tv(w, IKEV1_A_HASH, v[1]->v1);
	ikev1_wr_attr_tv(w, IKEV1_A_AUTH, c->auth);
	ikev1_wr_attr_tv(w, IKEV1_A_GROUP, v[2]->v1);
	wr_life(w, IKEV1_A_LIFE_TYPE, IKEV1_A_LIFE_DUR, IKEV1_LIFE_SECONDS, life_s);
	wr_life(w, IKEV1_A_LIFE_TYPE, IKEV1_A_LIFE_DUR, IKEV1_LIFE_KB, life_kb);
	return w->err;
}

int ikev1_p1_write(struct ikev1_wr *w, const struct ikev1_p1_choice *ch)
{
	const struct map *v[3];
	if (!p1_wire(ch, v))
		return -EINVAL; /* before anything is written */
	int rc = ikev1_wr_sa_begin(w);
	if (rc == 0)
		rc = ikev1_wr_prop(w, ch->prop_num, IKEV1_PROTO_ISAKMP, NULL, 0);
	if (rc == 0)
		rc = p1_xform(w, ch->xform_num, ch, ch->life_s_offered, ch->life_kb);
	return rc == 0 ? ikev1_wr_sa_end(w) : rc;
}

/*
 * Phase 1 offer's transforms: written when w is set, else only counted; *n counts them and
 * numbers them. Stops at the writer's first error.
 */
static int p1_each(struct ikev1_wr *w, const struct cfg_ike_proposal *q, uint16_t auth,
		   uint32_t life_s, unsigned int *n)
{
	uint16_t prf[CFG_IKE_ALGS_MAX];
	unsigned int n_prf = prfs_of(q, prf);
	struct ikev1_p1_choice c = {.auth = auth};
	int rc = 0;
	for (uint8_t e = 0; e < q->n_encr && rc == 0; e++) {
		c.encr = q->encr[e].id;
		c.encr_bits = q->encr[e].keylen;
		for (unsigned int h = 0; h < n_prf && rc == 0; h++) {
			c.prf = prf[h];
			for (uint8_t g = 0; g < q->n_dh && rc == 0; g++) {
				c.dh = q->dh[g];
				const struct map *v[3];
				if (!p1_wire(&c, v))
					continue;
				++*n;
				if (w != NULL && *n <= IKEV1_MSG_XFORMS_MAX)
					rc = p1_xform(w, (uint8_t)*n, &c, life_s, 0);
			}
		}
	}
	return rc;
}

int ikev1_p1_offer(struct ikev1_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint16_t auth, uint32_t life_s)
{
	unsigned int count = 0;
	for (unsigned int i = 0; i < n; i++)
		p1_each(NULL, &props[i], auth, life_s, &count);
	if (count == 0)
		return -ENOENT;
	if (count > IKEV1_MSG_XFORMS_MAX) /* what our own parser, and many peers', can hold */
		return -E2BIG;
	int rc = ikev1_wr_sa_begin(w);
	if (rc == 0)
		rc = ikev1_wr_prop(w, 1, IKEV1_PROTO_ISAKMP, NULL, 0);
	count = 0;
	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = p1_each(w, &props[i], auth, life_s, &count);
	return rc == 0 ? ikev1_wr_sa_end(w) : rc;
}

/* The wire entries of c (ESP ID, auth, group); false if one has no IKEv1 number. */
static bool p2_wire(const struct ikev1_p2_choice *c, const struct map *v[3])
{
	v[0] = BY_V2(esp_encr, c->encr);
	v[1] = c->integ != 0 ? BY_V2(esp_auth, c->integ) : NULL;
	v[2] = c->dh != 0 ? BY_V2(groups, c->dh) : NULL;
	return v[0] != NULL && (c->integ == 0 ? aead(c->encr) : v[1] != NULL) &&
	       (c->dh == 0 || v[2] != NULL);
}

static int p2_xform(struct ikev1_wr *w, uint8_t num, const struct ikev1_p2_choice *c,
		    uint32_t life_s, uint32_t life_kb)
{
	const struct map *v[3];
	if (!p2_wire(c, v))
		return -EINVAL;
	ikev1_wr_xform(w, num, (uint8_t)v[0]->v1);
	wr_life(w, IKEV1_A2_LIFE_TYPE, IKEV1_A2_LIFE_DUR, IKEV1_LIFE_SECONDS, life_s);
	wr_life(w, IKEV1_A2_LIFE_TYPE, IKEV1_A2_LIFE_DUR, IKEV1_LIFE_KB, life_kb);
	if (v[2] != NULL)
		ikev1_wr_attr_tv(w, IKEV1_A2_GROUP, v[2]->v1);
	if (c->encap != 0)
		ikev1_wr_attr_tv(w, IKEV1_A2_ENCAP, c->encap);
	if (v[1] != NULL)
		ikev1_wr_attr_tv(w, IKEV1_A2_AUTH, v[1]->v1);
	if (c->encr_bits != 0)
		ikev1_wr_attr_tv(w, IKEV1_A2_KEYLEN, c->encr_bits);
	if (c->esn)
		ikev1_wr_attr_tv(w, IKEV1_A2_ESN, ESN_64);
	return w->err;
}

int ikev1_p2_write(struct ikev1_wr *w, const struct ikev1_p2_choice *ch, uint32_t our_spi)
{
	const struct map *v[3];
	uint8_t spi[4];
	if (our_spi == 0 || !p2_wire(ch, v))
		return -EINVAL;
	wr32(spi, our_spi);
	int rc = ikev1_wr_sa_begin(w);
	if (rc == 0)
		rc = ikev1_wr_prop(w, ch->prop_num, IKEV1_PROTO_ESP, spi, sizeof(spi));
	if (rc == 0)
		rc = p2_xform(w, ch->xform_num, ch, ch->life_s_offered, ch->life_kb_offered);
	return rc == 0 ? ikev1_wr_sa_end(w) : rc;
}

/* The offer of one ESP proposal's transforms (as p1_each): encr x integ x esn. */
static int p2_each(struct ikev1_wr *w, const struct cfg_ike_proposal *q,
		   const struct ikev1_p2_choice *base, uint32_t life_kb, unsigned int *n)
{
	static const uint8_t no_esn[1] = {0};
	const uint8_t *esn = q->n_esn > 0 ? q->esn : no_esn;
	unsigned int n_esn = q->n_esn > 0 ? q->n_esn : 1;
	struct ikev1_p2_choice c = *base;
	int rc = 0;
	for (uint8_t e = 0; e < q->n_encr && rc == 0; e++) {
		bool ae = aead(q->encr[e].id);
		unsigned int n_integ = ae ? 1 : q->n_integ;
		c.encr = q->encr[e].id;
		c.encr_bits = q->encr[e].keylen;
		for (unsigned int a = 0; a < n_integ && rc == 0; a++) {
			c.integ = ae ? 0 : q->integ[a];
			for (unsigned int s = 0; s < n_esn && rc == 0; s++) {
				const struct map *v[3];
				c.esn = esn[s] == 1;
				if (!p2_wire(&c, v))
					continue;
				++*n;
				if (w != NULL && *n <= IKEV1_MSG_XFORMS_MAX)
					rc = p2_xform(w, (uint8_t)*n, &c, c.life_s, life_kb);
			}
		}
	}
	return rc;
}

int ikev1_p2_offer(struct ikev1_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint32_t spi, uint16_t pfs, uint16_t encap, uint32_t life_s, uint32_t life_kb)
{
	struct ikev1_p2_choice base = {.dh = pfs, .encap = encap, .life_s = life_s};
	unsigned int count[IKEV1_MSG_PROPS_MAX] = {0}, total = 0;
	uint8_t be[4];
	if (spi == 0 || n > IKEV1_MSG_PROPS_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		p2_each(NULL, &props[i], &base, life_kb, &count[i]);
		total += count[i];
	}
	if (total == 0)
		return -ENOENT;
	if (total > IKEV1_MSG_XFORMS_MAX)
		return -E2BIG;
	wr32(be, spi);
	int rc = ikev1_wr_sa_begin(w);
	for (unsigned int i = 0; i < n && rc == 0; i++) {
		unsigned int num = 0;
		if (count[i] == 0)
			continue; /* nothing IKEv1 can say: its number stays unused */
		rc = ikev1_wr_prop(w, (uint8_t)(i + 1), IKEV1_PROTO_ESP, be, sizeof(be));
		if (rc == 0)
			rc = p2_each(w, &props[i], &base, life_kb, &num);
	}
	return rc == 0 ? ikev1_wr_sa_end(w) : rc;
}

/* ---- the two sides' offers in words, for the log of a refusal ---- */

struct text {
	char *buf;
	size_t size, len;
	bool full;
};

static void add(struct text *t, const char *s)
{
	size_t n = strlen(s);
	if (t->full)
		return;
	if (t->len + n + 1 > t->size) { /* "..." marks what did not fit, over the end if need be */
		t->full = true;
		if (t->size >= 4) {
			t->len = t->len + 4 <= t->size ? t->len : t->size - 4;
			memcpy(t->buf + t->len, "...", 4);
			t->len += 3;
		}
		return;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

/* One word of a suite, '-' before all but the first. */
static void word(struct text *t, const char *w, bool *first)
{
	if (!*first)
		add(t, "-");
	add(t, w);
	*first = false;
}

/* A word for an IKEv2 type and ID, the config's if it has one; else fallback, else kind:wire. */
static void word_of(struct text *t, uint8_t type, uint16_t id, uint16_t bits, const char *kind,
		    uint32_t wire, bool *first)
{
	char s[32];
	const char *name = id != 0 ? cfg_ike_xform_name(type, id, bits) : NULL;
	if (name == NULL && type == 1 && id == IKE_ENCR_AES_CBC)
		snprintf(s, sizeof(s), bits != 0 ? "aes%u" : "aes", bits);
	else if (name == NULL && type == 1 && id == IKE_ENCR_AES_GCM_16)
		snprintf(s, sizeof(s), "aes%ugcm16", bits);
	else if (name == NULL && type == 1 && id == IKEV1_ID_ENCR_NULL)
		snprintf(s, sizeof(s), "null");
	else if (name == NULL && type == 4 && (id == 2 || id == 5))
		snprintf(s, sizeof(s), "modp%u", id == 2 ? 1024u : 1536u); /* RFC 2409 6.2 */
	else if (name == NULL)
		snprintf(s, sizeof(s), "%s:%u", kind, wire);
	if (name == NULL)
		name = s;
	word(t, name, first);
}

static void sep(struct text *t, bool *any)
{
	if (*any)
		add(t, ", ");
	*any = true;
}

static size_t start(struct text *t, char *buf, size_t size)
{
	*t = (struct text){buf, size, 0, false};
	if (size > 0)
		buf[0] = '\0';
	return size;
}

/* The value of attribute type of x, or 0. */
static uint32_t attr_val(const struct ikev1_msg *m, const struct ikev1_xform *x, uint16_t type)
{
	const struct ikev1_attr *a = ikev1_attr_find(m, x->first_attr, x->n_attrs, type);
	return a != NULL ? a->val : 0;
}

static void p1_words(struct text *t, const struct ikev1_msg *m, const struct ikev1_xform *x)
{
	uint32_t e = attr_val(m, x, IKEV1_A_ENCR), h = attr_val(m, x, IKEV1_A_HASH);
	uint32_t g = attr_val(m, x, IKEV1_A_GROUP);
	uint16_t bits = (uint16_t)attr_val(m, x, IKEV1_A_KEYLEN);
	uint16_t prf = TO_V2(p1_hash, h, true);
	const struct map *integ = BY_V1(prf_integ, prf);
	bool first = true;
	if (e != 0)
		word_of(t, 1, TO_V2(p1_encr, e, true), bits, "encr", e, &first);
	if (h != 0)
		word_of(t, 3, integ != NULL ? integ->v2 : 0, 0, "hash", h, &first);
	if (g != 0)
		word_of(t, 4, TO_V2(groups, g, true), 0, "dh", g, &first);
}

static void p2_words(struct text *t, const struct ikev1_msg *m, const struct ikev1_xform *x)
{
	uint32_t a = attr_val(m, x, IKEV1_A2_AUTH), g = attr_val(m, x, IKEV1_A2_GROUP);
	uint16_t bits = (uint16_t)attr_val(m, x, IKEV1_A2_KEYLEN);
	bool first = true;
	word_of(t, 1, TO_V2(esp_encr, x->id, true), bits, "esp", x->id, &first);
	if (a != 0)
		word_of(t, 3, TO_V2(esp_auth, a, true), 0, "auth", a, &first);
	if (g != 0)
		word_of(t, 4, TO_V2(groups, g, true), 0, "dh", g, &first);
	if (attr_val(m, x, IKEV1_A2_ESN) == ESN_64)
		word(t, "esn", &first);
}

/* The transforms of every proposal in words; non-ESP Phase 2 proposals by their protocol. */
static size_t offered_str(const struct ikev1_msg *m, const struct ikev1_payload *sa, bool p1,
			  char *buf, size_t size)
{
	struct text t;
	bool any = false;
	char s[16];
	if (start(&t, buf, size) == 0 || sa_ok(m, sa) < 0)
		return 0;
	for (unsigned int i = 0; i < sa->u.sa.n_props; i++) {
		const struct ikev1_prop *p = prop_at(m, sa, i);
		if (!p1 && p->proto != IKEV1_PROTO_ESP) {
			snprintf(s, sizeof(s), "proto:%u", p->proto);
			sep(&t, &any);
			add(&t, p->proto == IKEV1_PROTO_AH ? "ah"
				: p->proto == PROTO_IPCOMP ? "ipcomp"
							   : s);
			continue;
		}
		for (uint8_t k = 0; k < p->n_xforms; k++) {
			sep(&t, &any);
			(p1 ? p1_words : p2_words)(&t, m, &m->xforms[p->first_xform + k]);
		}
	}
	return t.len;
}

size_t ikev1_p1_offered_str(const struct ikev1_msg *m, const struct ikev1_payload *sa, char *buf,
			    size_t size)
{
	return offered_str(m, sa, true, buf, size);
}

size_t ikev1_p2_offered_str(const struct ikev1_msg *m, const struct ikev1_payload *sa, char *buf,
			    size_t size)
{
	return offered_str(m, sa, false, buf, size);
}

/* What IKEv1 can offer of one config proposal q in words (p1: Phase 1 ciphers, hashes and
 * groups; else ESP ciphers, integrity, PFS groups, ESN); nothing when it can offer none. */
static void config_words(struct text *t, const struct cfg_ike_proposal *q, bool p1, bool *any)
{
	static const struct ikev1_p2_choice base;
	const struct map *encrs = p1 ? p1_encr : esp_encr;
	size_t n_encrs = p1 ? DIM(p1_encr) : DIM(esp_encr);
	uint16_t integ[CFG_IKE_ALGS_MAX];
	unsigned int n_integ = 0, count = 0;
	bool first = true;
	if (p1)
		p1_each(NULL, q, 0, 0, &count);
	else
		p2_each(NULL, q, &base, 0, &count);
	if (count == 0)
		return;
	sep(t, any);
	for (uint8_t k = 0; k < q->n_encr; k++)
		if (find(encrs, n_encrs, q->encr[k].id, false) != NULL)
			word_of(t, 1, q->encr[k].id, q->encr[k].keylen, "encr", 0, &first);
	if (p1) { /* hashes: the integrity words of the PRFs */
		uint16_t prf[CFG_IKE_ALGS_MAX];
		unsigned int n_prf = prfs_of(q, prf);
		for (unsigned int k = 0; k < n_prf; k++) {
			const struct map *i = BY_V1(prf_integ, prf[k]);
			if (i != NULL && BY_V2(p1_hash, prf[k]) != NULL)
				integ[n_integ++] = i->v2;
		}
	}
	for (uint8_t k = 0; !p1 && k < q->n_integ; k++)
		if (BY_V2(esp_auth, q->integ[k]) != NULL)
			integ[n_integ++] = q->integ[k];
	for (unsigned int k = 0; k < n_integ; k++)
		word_of(t, 3, integ[k], 0, "hash", 0, &first);
	for (uint8_t k = 0; k < q->n_dh; k++)
		if (BY_V2(groups, q->dh[k]) != NULL)
			word_of(t, 4, q->dh[k], 0, "dh", q->dh[k], &first);
	for (uint8_t k = 0; !p1 && k < q->n_esn; k++)
		if (q->esn[k] == 1)
			word(t, "esn", &first);
}

size_t ikev1_p1_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size)
{
	struct text t;
	bool any = false;
	if (start(&t, buf, size) == 0)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		config_words(&t, &props[i], true, &any);
	return t.len;
}

size_t ikev1_p2_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size)
{
	struct text t;
	bool any = false;
	if (start(&t, buf, size) == 0)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		config_words(&t, &props[i], false, &any);
	return t.len;
}
