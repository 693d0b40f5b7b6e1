/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_prop.c - the responder's choice of one proposal from a peer's SA payload
 * (RFC 7296 2.7, 3.3.6), against the proposals of the peer's config.
 *
 * The peer's proposals are tried in its order of preference; for each, the config's proposals
 * in theirs. A proposal is acceptable when, for every transform type it must have, one of the
 * peer's transforms is among the config's: the peer's first such transform is taken. An AEAD
 * cipher (AES-GCM, ChaCha20-Poly1305) takes no integrity transform (or only NONE, 3.3.3).
 * Transforms with attributes the hub does not know are skipped (3.3.6). Control lcore.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

static bool aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

static bool in16(const uint16_t *list, uint8_t n, uint16_t v)
{
	for (uint8_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static bool encr_ok(const struct cfg_ike_proposal *q, const struct ike_xform *x)
{
	for (uint8_t i = 0; i < q->n_encr; i++) {
		uint16_t bits = x->has_key_len ? x->key_len : 0;
		if (q->encr[i].id == x->id && q->encr[i].keylen == bits)
			return true;
	}
	return false;
}

/* The peer's first transform of type t that q allows, or NULL. */
static const struct ike_xform *pick(const struct ike_msg *m, const struct ike_prop *p,
				    const struct cfg_ike_proposal *q, uint8_t t, bool *present)
{
	*present = false;
	for (uint8_t i = 0; i < p->n_xforms; i++) {
		const struct ike_xform *x = &m->xforms[p->first_xform + i];
		if (x->type != t)
			continue;
		*present = true;
		if (x->unknown_attrs)
			continue;
		bool ok = t == IKE_XF_ENCR    ? encr_ok(q, x)
			  : t == IKE_XF_INTEG ? in16(q->integ, q->n_integ, x->id)
			  : t == IKE_XF_PRF   ? in16(q->prf, q->n_prf, x->id)
			  : t == IKE_XF_KE    ? in16(q->dh, q->n_dh, x->id)
					      : false;
		if (t == IKE_XF_ESN) {
			for (uint8_t k = 0; k < (q->n_esn ? q->n_esn : 1) && !ok; k++)
				ok = x->id == (q->n_esn ? q->esn[k] : 0);
		}
		if (ok)
			return x;
	}
	return NULL;
}

/* Integrity: none with an AEAD (absent, or NONE offered), else one q allows. */
static bool pick_integ(const struct ike_msg *m, const struct ike_prop *p,
		       const struct cfg_ike_proposal *q, struct ike_choice *ch)
{
	bool present;
	if (aead(ch->encr)) {
		ch->integ = 0;
		for (uint8_t i = 0; i < p->n_xforms; i++) {
			const struct ike_xform *x = &m->xforms[p->first_xform + i];
			if (x->type == IKE_XF_INTEG && x->id == 0)
				return true;
		}
		pick(m, p, q, IKE_XF_INTEG, &present);
		return !present;
	}
	const struct ike_xform *x = pick(m, p, q, IKE_XF_INTEG, &present);
	if (x == NULL || x->id == 0)
		return false;
	ch->integ = x->id;
	return true;
}

/*
 * PFS of a Child SA (1.3.1): a config with groups needs one of them from the peer; one without
 * takes a proposal offering no group, or NONE (0) among its groups.
 */
static bool pick_pfs(const struct ike_msg *m, const struct ike_prop *p,
		     const struct cfg_ike_proposal *q, struct ike_choice *ch)
{
	bool present;
	if (q->n_dh > 0) {
		const struct ike_xform *g = pick(m, p, q, IKE_XF_KE, &present);
		ch->dh = g != NULL ? g->id : 0;
		return g != NULL;
	}
	for (uint8_t i = 0; i < p->n_xforms; i++) {
		const struct ike_xform *x = &m->xforms[p->first_xform + i];
		if (x->type == IKE_XF_KE && x->id == 0)
			return true;
	}
	pick(m, p, q, IKE_XF_KE, &present);
	return !present;
}

/* Match peer proposal p against config proposal q for protocol proto; true and *ch on a fit. */
static bool fit(const struct ike_msg *m, const struct ike_prop *p, const struct cfg_ike_proposal *q,
		uint8_t proto, bool pfs, struct ike_choice *ch)
{
	bool present;
	memset(ch, 0, sizeof(*ch));
	const struct ike_xform *e = pick(m, p, q, IKE_XF_ENCR, &present);
	if (e == NULL)
		return false;
	ch->encr = e->id;
	ch->encr_bits = e->has_key_len ? e->key_len : 0;
	if (!pick_integ(m, p, q, ch))
		return false;
	if (proto == IKE_PROTO_IKE) {
		const struct ike_xform *f = pick(m, p, q, IKE_XF_PRF, &present);
		const struct ike_xform *g = pick(m, p, q, IKE_XF_KE, &present);
		if (f == NULL || g == NULL)
			return false;
		ch->prf = f->id;
		ch->dh = g->id;
	} else {
		if (pfs && !pick_pfs(m, p, q, ch))
			return false;
		/* without pfs (IKE_AUTH, 1.2) KE transforms are ignored */
		const struct ike_xform *s = pick(m, p, q, IKE_XF_ESN, &present);
		if (present && s == NULL)
			return false;
		ch->esn = s != NULL ? (uint8_t)s->id : 0;
		ch->esn_set = true;
	}
	ch->prop_num = p->num;
	ch->spi_size = p->spi_size;
	if (p->spi_size > 0 && p->spi_size <= sizeof(ch->spi))
		memcpy(ch->spi, p->spi, p->spi_size);
	return true;
}

/* 3.3.6: a proposal with a Transform Type the hub does not understand is unacceptable. */
static bool types_known(const struct ike_msg *m, const struct ike_prop *p)
{
	for (uint8_t i = 0; i < p->n_xforms; i++) {
		uint8_t t = m->xforms[p->first_xform + i].type;
		if (t < IKE_XF_ENCR || t > IKE_XF_ESN)
			return false;
	}
	return true;
}

static int choose(const struct ike_msg *m, const struct ike_payload *sa,
		  const struct cfg_ike_proposal *mine, unsigned int n_mine, uint8_t proto,
		  uint8_t spi_size, bool pfs, struct ike_choice *out)
{
	for (uint8_t i = 0; i < sa->u.sa.n_props; i++) {
		const struct ike_prop *p = &m->props[sa->u.sa.first_prop + i];
		if (p->proto != proto || p->spi_size != spi_size || !types_known(m, p))
			continue;
		for (unsigned int j = 0; j < n_mine; j++)
			if (fit(m, p, &mine[j], proto, pfs, out))
				return 0;
	}
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

int ike_prop_choose_ike(const struct ike_msg *m, const struct ike_payload *sa,
			const struct cfg_ike_proposal *mine, unsigned int n_mine, uint8_t spi_size,
			struct ike_choice *out)
{
	return choose(m, sa, mine, n_mine, IKE_PROTO_IKE, spi_size, false, out);
}

int ike_prop_choose_esp(const struct ike_msg *m, const struct ike_payload *sa,
			const struct cfg_ike_proposal *mine, unsigned int n_mine, bool pfs,
			struct ike_choice *out)
{
	int rc = choose(m, sa, mine, n_mine, IKE_PROTO_ESP, 4, pfs, out);
	if (rc == 0 && memcmp(out->spi, "\0\0\0\0", 4) == 0)
		return -ENOENT; /* SPI 0 is reserved (RFC 4303 2.1) */
	return rc;
}

int ike_prop_write(struct ike_wr *w, const struct ike_choice *ch, uint8_t proto)
{
	int rc = ike_wr_sa_begin(w);
	if (rc == 0)
		rc = ike_wr_prop(w, ch->prop_num, proto, ch->spi, ch->spi_size);
	if (rc == 0)
		rc = ike_wr_xform(w, IKE_XF_ENCR, ch->encr, ch->encr_bits);
	if (rc == 0 && ch->integ != 0)
		rc = ike_wr_xform(w, IKE_XF_INTEG, ch->integ, 0);
	if (rc == 0 && proto == IKE_PROTO_IKE)
		rc = ike_wr_xform(w, IKE_XF_PRF, ch->prf, 0);
	if (rc == 0 && ch->dh != 0)
		rc = ike_wr_xform(w, IKE_XF_KE, ch->dh, 0);
	if (rc == 0 && proto == IKE_PROTO_ESP)
		rc = ike_wr_xform(w, IKE_XF_ESN, ch->esn, 0);
	return rc == 0 ? ike_wr_sa_end(w) : rc;
}

/* One configured proposal as an offer (3.3): every algorithm of each type, in config order. */
static int offer_one(struct ike_wr *w, const struct cfg_ike_proposal *q, uint8_t num, uint8_t proto,
		     const uint8_t *spi, uint8_t spi_size, bool with_dh)
{
	int rc = ike_wr_prop(w, num, proto, spi, spi_size);
	for (uint8_t i = 0; rc == 0 && i < q->n_encr; i++)
		rc = ike_wr_xform(w, IKE_XF_ENCR, q->encr[i].id, q->encr[i].keylen);
	for (uint8_t i = 0; rc == 0 && i < q->n_integ; i++)
		rc = ike_wr_xform(w, IKE_XF_INTEG, q->integ[i], 0);
	for (uint8_t i = 0; rc == 0 && proto == IKE_PROTO_IKE && i < q->n_prf; i++)
		rc = ike_wr_xform(w, IKE_XF_PRF, q->prf[i], 0);
	for (uint8_t i = 0; rc == 0 && with_dh && i < q->n_dh; i++)
		rc = ike_wr_xform(w, IKE_XF_KE, q->dh[i], 0);
	if (proto == IKE_PROTO_ESP) {
		for (uint8_t i = 0; rc == 0 && i < q->n_esn; i++)
			rc = ike_wr_xform(w, IKE_XF_ESN, q->esn[i], 0);
		if (rc == 0 && q->n_esn == 0)
			rc = ike_wr_xform(w, IKE_XF_ESN, 0, 0);
	}
	return rc;
}

int ike_prop_offer(struct ike_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint8_t proto, const uint8_t *spi, uint8_t spi_size, bool with_dh)
{
	int rc = ike_wr_sa_begin(w);
	for (unsigned int i = 0; rc == 0 && i < n; i++)
		rc = offer_one(w, &props[i], (uint8_t)(i + 1), proto, spi, spi_size, with_dh);
	return rc == 0 ? ike_wr_sa_end(w) : rc;
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
	if (t->len + n + 1 > t->size) { /* "..." marks what did not fit */
		t->full = true;
		if (t->len + 4 <= t->size) {
			memcpy(t->buf + t->len, "...", 4);
			t->len += 3;
		}
		return;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

static void add_xform(struct text *t, uint8_t type, uint16_t id, uint16_t keylen, bool *first)
{
	char num[24];
	const char *name = cfg_ike_xform_name(type, id, keylen);
	if (name == NULL) { /* not one we know: its number, as the wire has it */
		snprintf(num, sizeof(num), "%u:%u%s", type, id, keylen ? "/" : "");
		if (keylen)
			snprintf(num + strlen(num), sizeof(num) - strlen(num), "%u", keylen);
		name = num;
	}
	if (!*first)
		add(t, "-");
	add(t, name);
	*first = false;
}

size_t ike_prop_offered_str(const struct ike_msg *m, const struct ike_payload *sa, char *buf,
			    size_t size)
{
	struct text t = {buf, size, 0, false};
	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (unsigned int i = 0; sa != NULL && i < sa->u.sa.n_props; i++) {
		const struct ike_prop *p = &m->props[sa->u.sa.first_prop + i];
		bool first = true;
		if (i > 0)
			add(&t, ", ");
		for (unsigned int k = 0; k < p->n_xforms; k++) {
			const struct ike_xform *x = &m->xforms[p->first_xform + k];
			add_xform(&t, x->type, x->id, x->has_key_len ? x->key_len : 0, &first);
		}
	}
	return t.len;
}

size_t ike_prop_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size)
{
	struct text t = {buf, size, 0, false};
	if (size == 0)
		return 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		const struct cfg_ike_proposal *p = &props[i];
		bool first = true;
		if (i > 0)
			add(&t, ", ");
		for (uint8_t k = 0; k < p->n_encr; k++)
			add_xform(&t, 1, p->encr[k].id, p->encr[k].keylen, &first);
		for (uint8_t k = 0; k < p->n_integ; k++)
			add_xform(&t, 3, p->integ[k], 0, &first);
		for (uint8_t k = 0; k < p->n_prf; k++)
			add_xform(&t, 2, p->prf[k], 0, &first);
		for (uint8_t k = 0; k < p->n_dh; k++)
			add_xform(&t, 4, p->dh[k], 0, &first);
	}
	return t.len;
}

void ike_log_child_refused(const struct ike_sa *sa, const struct ike_msg *m,
			   const struct ike_payload *sap, const struct cfg_ike_child *cc)
{
	char theirs[512], ours[512];
	ike_prop_offered_str(m, sap, theirs, sizeof(theirs));
	ike_prop_config_str(cc->esp, cc->n_esp, ours, sizeof(ours));
	IKE_LOG(NOTICE, "peer %s, child %s: no proposal chosen: it offers %s; %s takes %s",
		sa->peer->name, cc->name, theirs, cc->name, ours);
}
