/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_msg.c - the IKEv1 (ISAKMP) message codec; see ikev1_msg.h for the
 * invariants. Every read goes through struct cur, a length-checked cursor over one payload or
 * one nested structure; nothing is read that was not first found to be there.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "ctrlplane/ike/ikev1_msg.h"

#define IKEV1_ERR_NAME(e, n, d) [IKEV1_MSG_ERR_##e] = n,
const char *const ikev1_msg_err_name[IKEV1_MSG_ERR_MAX] = {IKEV1_MSG_ERRORS(IKEV1_ERR_NAME)};
#undef IKEV1_ERR_NAME

#define ATTR_AF 0x8000 /* attribute format: TV (RFC 2408 3.3) */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(struct ikev1_msg *m, enum ikev1_msg_err e, size_t off)
{
	m->err = (uint16_t)e;
	m->err_off = (uint32_t)off;
	return -EBADMSG;
}

static bool exchange_ok(uint8_t x)
{
	return (x >= IKEV1_EXCH_BASE && x <= IKEV1_EXCH_TRANSACTION) || x == IKEV1_EXCH_QUICK ||
	       x == IKEV1_EXCH_NEW_GROUP;
}

/* Data attributes in p[0..len) (3.3), appended to m->attrs; off: of p, for errors. */
static int attrs(struct ikev1_msg *m, const uint8_t *p, size_t len, size_t off, uint16_t *first,
		 uint16_t *n)
{
	size_t i = 0;
	*first = m->n_attrs;
	*n = 0;
	while (i < len) {
		if (len - i < 4)
			return fail(m, IKEV1_MSG_ERR_ATTR_SHORT, off + i);
		if (m->n_attrs == IKEV1_MSG_ATTRS_MAX)
			return fail(m, IKEV1_MSG_ERR_ATTR_TOO_MANY, off + i);
		struct ikev1_attr *a = &m->attrs[m->n_attrs];
		uint16_t t = rd16(p + i);
		memset(a, 0, sizeof(*a));
		a->type = t & (uint16_t)~ATTR_AF;
		if (t & ATTR_AF) { /* TV: the value is the two octets */
			a->tv = true;
			a->len = 2;
			a->val = rd16(p + i + 2);
			i += 4;
		} else {
			uint16_t l = rd16(p + i + 2);
			if (len - i - 4 < l)
				return fail(m, IKEV1_MSG_ERR_ATTR_SHORT, off + i);
			a->len = l;
			a->value = p + i + 4;
			for (uint16_t k = 0; k < l && k < 4; k++) /* short values as numbers too */
				a->val = a->val << 8 | a->value[k];
			i += 4 + (size_t)l;
		}
		m->n_attrs++;
		(*n)++;
	}
	return 0;
}

/* Transforms of proposal pr in p[0..len) (3.6). */
static int xforms(struct ikev1_msg *m, struct ikev1_prop *pr, const uint8_t *p, size_t len,
		  size_t off)
{
	size_t i = 0;
	uint8_t next = IKEV1_PL_T;
	pr->first_xform = m->n_xforms;
	for (unsigned int k = 0; k < pr->n_xforms; k++) {
		if (next != IKEV1_PL_T)
			return fail(m, IKEV1_MSG_ERR_XF_NEXT, off + i);
		if (len - i < 8)
			return fail(m, IKEV1_MSG_ERR_XF_LENGTH, off + i);
		uint16_t l = rd16(p + i + 2);
		if (l < 8 || l > len - i)
			return fail(m, IKEV1_MSG_ERR_XF_LENGTH, off + i);
		if (m->n_xforms == IKEV1_MSG_XFORMS_MAX)
			return fail(m, IKEV1_MSG_ERR_XF_TOO_MANY, off + i);
		struct ikev1_xform *x = &m->xforms[m->n_xforms++];
		next = p[i];
		x->num = p[i + 4];
		x->id = p[i + 5];
		int rc = attrs(m, p + i + 8, l - 8u, off + i + 8, &x->first_attr, &x->n_attrs);
		if (rc != 0)
			return rc;
		i += l;
	}
	if (next != IKEV1_PL_NONE || i != len) /* the count and the chain must agree */
		return fail(m, IKEV1_MSG_ERR_PROP_COUNT, off + i);
	return 0;
}

/* The SA payload's DOI, situation and proposals (3.4, 3.5). */
static int sa(struct ikev1_msg *m, struct ikev1_payload *pl, size_t off)
{
	const uint8_t *p = pl->body;
	size_t len = pl->len, i = 8;
	uint8_t next = IKEV1_PL_P;
	if (len < 8)
		return fail(m, IKEV1_MSG_ERR_SA_SHORT, off);
	off += IKEV1_PL_HDR_LEN; /* from here on, offsets of the body's octets */
	pl->u.sa.doi = rd32(p);
	pl->u.sa.situation = rd32(p + 4);
	if (pl->u.sa.doi != IKEV1_DOI_IPSEC)
		return fail(m, IKEV1_MSG_ERR_SA_DOI, off - IKEV1_PL_HDR_LEN);
	pl->u.sa.first_prop = m->n_props;
	while (i < len) {
		if (next != IKEV1_PL_P)
			return fail(m, IKEV1_MSG_ERR_PROP_NEXT, off + i);
		if (len - i < 8)
			return fail(m, IKEV1_MSG_ERR_PROP_LENGTH, off + i);
		uint16_t l = rd16(p + i + 2);
		if (l < 8 || l > len - i)
			return fail(m, IKEV1_MSG_ERR_PROP_LENGTH, off + i);
		if (m->n_props == IKEV1_MSG_PROPS_MAX)
			return fail(m, IKEV1_MSG_ERR_PROP_TOO_MANY, off + i);
		struct ikev1_prop *pr = &m->props[m->n_props++];
		next = p[i];
		pr->num = p[i + 4];
		pr->proto = p[i + 5];
		pr->spi_size = p[i + 6];
		pr->n_xforms = p[i + 7];
		if (pr->spi_size > IKEV1_SPI_MAX || 8u + pr->spi_size > l)
			return fail(m, IKEV1_MSG_ERR_PROP_SPI, off + i);
		pr->spi = p + i + 8;
		size_t body = 8u + pr->spi_size;
		int rc = xforms(m, pr, p + i + body, l - body, off + i + body);
		if (rc != 0)
			return rc;
		pl->u.sa.n_props++;
		i += l;
	}
	return next == IKEV1_PL_NONE ? 0 : fail(m, IKEV1_MSG_ERR_PROP_NEXT, off + i);
}

/* The fields of the payloads the exchanges read. */
static int body(struct ikev1_msg *m, struct ikev1_payload *pl, size_t off)
{
	const uint8_t *p = pl->body;
	size_t len = pl->len;
	switch (pl->type) {
	case IKEV1_PL_SA:
		return sa(m, pl, off);
	case IKEV1_PL_P:
	case IKEV1_PL_T:
		return fail(m, IKEV1_MSG_ERR_PL_NESTED, off);
	case IKEV1_PL_N:
		if (len < 8 || len < 8u + p[5])
			return fail(m, IKEV1_MSG_ERR_N_SHORT, off);
		pl->u.n.doi = rd32(p);
		pl->u.n.proto = p[4];
		pl->u.n.spi_size = p[5];
		pl->u.n.type = rd16(p + 6);
		pl->u.n.spi = p + 8;
		pl->u.n.data = p + 8 + p[5];
		pl->u.n.data_len = (uint16_t)(len - 8 - p[5]);
		return 0;
	case IKEV1_PL_D:
		if (len < 8 || len - 8 < (size_t)p[5] * rd16(p + 6))
			return fail(m, IKEV1_MSG_ERR_D_SHORT, off);
		pl->u.d.doi = rd32(p);
		pl->u.d.proto = p[4];
		pl->u.d.spi_size = p[5];
		pl->u.d.n_spi = rd16(p + 6);
		pl->u.d.spis = p + 8;
		return 0;
	case IKEV1_PL_ID:
		if (len < 4)
			return fail(m, IKEV1_MSG_ERR_ID_SHORT, off);
		pl->u.id.type = p[0];
		pl->u.id.proto = p[1];
		pl->u.id.port = rd16(p + 2);
		pl->u.id.data = p + 4;
		pl->u.id.data_len = (uint16_t)(len - 4);
		return 0;
	case IKEV1_PL_ATTR:
		if (len < 4)
			return fail(m, IKEV1_MSG_ERR_ATTRPL_SHORT, off);
		pl->u.attr.type = p[0];
		pl->u.attr.identifier = rd16(p + 2);
		return attrs(m, p + 4, len - 4, off + IKEV1_PL_HDR_LEN + 4, &pl->u.attr.first_attr,
			     &pl->u.attr.n_attrs);
	default:
		return 0;
	}
}

static bool known(uint8_t t)
{
	return (t >= IKEV1_PL_SA && t <= IKEV1_PL_ATTR) || t == IKEV1_PL_NAT_D ||
	       t == IKEV1_PL_NAT_OA || t == IKEV1_PL_NAT_D_DRAFT || t == IKEV1_PL_NAT_OA_DRAFT;
}

/* The chain in p[0..len) starting with type first; pad: octets may follow the last payload. */
static int chain(struct ikev1_msg *m, uint8_t first, const uint8_t *p, size_t len, size_t base,
		 bool pad)
{
	size_t i = 0;
	uint8_t type = first;
	while (type != IKEV1_PL_NONE) {
		if (len - i < IKEV1_PL_HDR_LEN)
			return fail(m, IKEV1_MSG_ERR_PL_SHORT, base + i);
		uint16_t l = rd16(p + i + 2);
		if (l < IKEV1_PL_HDR_LEN || l > len - i)
			return fail(m, IKEV1_MSG_ERR_PL_LENGTH, base + i);
		if (m->n == IKEV1_MSG_PAYLOADS_MAX)
			return fail(m, IKEV1_MSG_ERR_PL_TOO_MANY, base + i);
		struct ikev1_payload *pl = &m->pl[m->n++];
		memset(pl, 0, sizeof(*pl));
		pl->type = type;
		pl->next = p[i];
		pl->known = known(type);
		pl->body = p + i + IKEV1_PL_HDR_LEN;
		pl->len = (uint16_t)(l - IKEV1_PL_HDR_LEN);
		pl->off = (uint32_t)(base + i);
		if (!pl->known)
			m->skipped++;
		int rc = pl->known ? body(m, pl, base + i) : 0;
		if (rc != 0)
			return rc;
		type = pl->next;
		i += l;
	}
	return i == len || pad ? 0 : fail(m, IKEV1_MSG_ERR_HDR_LENGTH, base + i);
}

int ikev1_msg_parse(struct ikev1_msg *m, const uint8_t *buf, size_t len)
{
	static const uint8_t zero[8];
	m->buf = buf;
	m->len = len;
	m->enc = NULL;
	m->enc_len = 0;
	m->n = m->skipped = m->n_attrs = 0;
	m->n_props = m->n_xforms = 0;
	m->err = IKEV1_MSG_ERR_NONE;
	m->err_off = 0;
	if (len < IKEV1_HDR_LEN)
		return fail(m, IKEV1_MSG_ERR_HDR_SHORT, 0);
	struct ikev1_hdr *h = &m->hdr;
	memcpy(h->cky_i, buf, 8);
	memcpy(h->cky_r, buf + 8, 8);
	h->next = buf[16];
	h->version = buf[17];
	h->exchange = buf[18];
	h->flags = buf[19];
	h->msg_id = rd32(buf + 20);
	h->length = rd32(buf + 24);
	if ((h->version >> 4) != 1)
		return fail(m, IKEV1_MSG_ERR_HDR_VERSION, 17);
	if (h->length != len)
		return fail(m, IKEV1_MSG_ERR_HDR_LENGTH, 24);
	if (memcmp(h->cky_i, zero, 8) == 0)
		return fail(m, IKEV1_MSG_ERR_HDR_COOKIE, 0);
	if (!exchange_ok(h->exchange))
		return fail(m, IKEV1_MSG_ERR_HDR_EXCHANGE, 18);
	if (h->flags & IKEV1_FLAG_E) {
		if (len == IKEV1_HDR_LEN)
			return fail(m, IKEV1_MSG_ERR_ENC_EMPTY, IKEV1_HDR_LEN);
		m->enc = buf + IKEV1_HDR_LEN;
		m->enc_len = len - IKEV1_HDR_LEN;
		return 0;
	}
	return chain(m, h->next, buf + IKEV1_HDR_LEN, len - IKEV1_HDR_LEN, IKEV1_HDR_LEN, false);
}

int ikev1_msg_parse_plain(struct ikev1_msg *m, uint8_t first, const uint8_t *plain, size_t len)
{
	m->err = IKEV1_MSG_ERR_NONE;
	return chain(m, first, plain, len, 0, true);
}

const struct ikev1_payload *ikev1_msg_find(const struct ikev1_msg *m, uint8_t type,
					   const struct ikev1_payload *prev)
{
	unsigned int i = prev != NULL ? (unsigned int)(prev - m->pl) + 1 : 0;
	for (; i < m->n; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

const struct ikev1_attr *ikev1_attr_find(const struct ikev1_msg *m, uint16_t first, uint16_t n,
					 uint16_t type)
{
	for (uint16_t i = 0; i < n && first + i < m->n_attrs; i++)
		if (m->attrs[first + i].type == type)
			return &m->attrs[first + i];
	return NULL;
}

/* ---- builder ---- */

static int put(struct ikev1_wr *w, const void *p, size_t n)
{
	if (w->err != 0)
		return w->err;
	if (n > w->cap - w->len) {
		w->err = -ENOBUFS;
		return w->err;
	}
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

static void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void reset(struct ikev1_wr *w, uint8_t *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->pl_start = w->sa_start = w->prop_start = w->xf_start = SIZE_MAX;
}

int ikev1_wr_init(struct ikev1_wr *w, uint8_t *buf, size_t cap, const struct ikev1_hdr *h)
{
	uint8_t hdr[IKEV1_HDR_LEN];
	reset(w, buf, cap);
	memcpy(hdr, h->cky_i, 8);
	memcpy(hdr + 8, h->cky_r, 8);
	hdr[16] = IKEV1_PL_NONE; /* patched by the first payload */
	hdr[17] = IKEV1_VERSION;
	hdr[18] = h->exchange;
	hdr[19] = h->flags;
	wr32(hdr + 20, h->msg_id);
	wr32(hdr + 24, 0);
	w->next_at = 16;
	w->has_hdr = true;
	return put(w, hdr, sizeof(hdr));
}

int ikev1_wr_init_plain(struct ikev1_wr *w, uint8_t *buf, size_t cap)
{
	reset(w, buf, cap);
	w->next_at = SIZE_MAX; /* the first type goes wherever the caller keeps it */
	return 0;
}

int ikev1_wr_begin(struct ikev1_wr *w, uint8_t type)
{
	uint8_t hdr[IKEV1_PL_HDR_LEN] = {IKEV1_PL_NONE, 0, 0, 0};
	if (w->err == 0 && w->pl_start != SIZE_MAX)
		w->err = -EINVAL; /* one payload at a time */
	if (w->err == 0 && w->next_at != SIZE_MAX)
		w->buf[w->next_at] = type;
	size_t at = w->len;
	int rc = put(w, hdr, sizeof(hdr));
	if (rc == 0) {
		w->pl_start = at;
		w->next_at = at;
	}
	return rc;
}

int ikev1_wr_put(struct ikev1_wr *w, const void *p, size_t n)
{
	if (w->err == 0 && w->pl_start == SIZE_MAX)
		w->err = -EINVAL;
	return put(w, p, n);
}

int ikev1_wr_end(struct ikev1_wr *w)
{
	if (w->err == 0 && w->pl_start == SIZE_MAX)
		w->err = -EINVAL;
	if (w->err == 0 && w->len - w->pl_start > UINT16_MAX)
		w->err = -EMSGSIZE;
	if (w->err != 0)
		return w->err;
	wr16(w->buf + w->pl_start + 2, w->len - w->pl_start);
	w->pl_start = SIZE_MAX;
	return 0;
}

int ikev1_wr_payload(struct ikev1_wr *w, uint8_t type, const void *body, size_t len)
{
	int rc = ikev1_wr_begin(w, type);
	if (rc == 0)
		rc = ikev1_wr_put(w, body, len);
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

static int close_xform(struct ikev1_wr *w)
{
	if (w->err != 0 || w->xf_start == SIZE_MAX)
		return w->err;
	wr16(w->buf + w->xf_start + 2, w->len - w->xf_start);
	w->xf_start = SIZE_MAX;
	return 0;
}

static int close_prop(struct ikev1_wr *w)
{
	int rc = close_xform(w);
	if (rc != 0 || w->prop_start == SIZE_MAX)
		return rc;
	wr16(w->buf + w->prop_start + 2, w->len - w->prop_start);
	w->buf[w->xf_count_at] = w->n_xf;
	w->prop_start = SIZE_MAX;
	return 0;
}

int ikev1_wr_sa_begin(struct ikev1_wr *w)
{
	uint8_t doi_sit[8];
	wr32(doi_sit, IKEV1_DOI_IPSEC);
	wr32(doi_sit + 4, 1); /* SIT_IDENTITY_ONLY, RFC 2407 4.2.1 */
	int rc = ikev1_wr_begin(w, IKEV1_PL_SA);
	if (rc == 0)
		rc = ikev1_wr_put(w, doi_sit, sizeof(doi_sit));
	if (rc == 0) {
		w->sa_start = w->pl_start;
		w->prop_next_at = SIZE_MAX;
	}
	return rc;
}

int ikev1_wr_prop(struct ikev1_wr *w, uint8_t num, uint8_t proto, const uint8_t *spi,
		  uint8_t spi_size)
{
	uint8_t h[8] = {IKEV1_PL_NONE, 0, 0, 0, num, proto, spi_size, 0};
	if (w->err == 0 && (w->sa_start == SIZE_MAX || spi_size > IKEV1_SPI_MAX))
		w->err = -EINVAL;
	int rc = close_prop(w);
	if (rc == 0 && w->prop_next_at != SIZE_MAX)
		w->buf[w->prop_next_at] = IKEV1_PL_P;
	size_t at = w->len;
	if (rc == 0)
		rc = put(w, h, sizeof(h));
	if (rc == 0)
		rc = put(w, spi, spi_size);
	if (rc == 0) {
		w->prop_start = w->prop_next_at = at;
		w->xf_count_at = at + 7;
		w->xf_next_at = SIZE_MAX;
		w->n_xf = 0;
	}
	return rc;
}

int ikev1_wr_xform(struct ikev1_wr *w, uint8_t num, uint8_t id)
{
	uint8_t h[8] = {IKEV1_PL_NONE, 0, 0, 0, num, id, 0, 0};
	if (w->err == 0 && (w->prop_start == SIZE_MAX || w->n_xf == UINT8_MAX))
		w->err = -EINVAL;
	int rc = close_xform(w);
	if (rc == 0 && w->xf_next_at != SIZE_MAX)
		w->buf[w->xf_next_at] = IKEV1_PL_T;
	size_t at = w->len;
	if (rc == 0)
		rc = put(w, h, sizeof(h));
	if (rc == 0) {
		w->xf_start = w->xf_next_at = at;
		w->n_xf++;
	}
	return rc;
}

int ikev1_wr_attr_tv(struct ikev1_wr *w, uint16_t type, uint16_t value)
{
	uint8_t a[4];
	wr16(a, ATTR_AF | (type & (uint16_t)~ATTR_AF));
	wr16(a + 2, value);
	return ikev1_wr_put(w, a, sizeof(a));
}

int ikev1_wr_attr_tlv(struct ikev1_wr *w, uint16_t type, const void *value, uint16_t len)
{
	uint8_t a[4];
	wr16(a, type & (uint16_t)~ATTR_AF);
	wr16(a + 2, len);
	int rc = ikev1_wr_put(w, a, sizeof(a));
	return rc == 0 ? ikev1_wr_put(w, value, len) : rc;
}

int ikev1_wr_sa_end(struct ikev1_wr *w)
{
	int rc = close_prop(w);
	w->sa_start = SIZE_MAX;
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

int ikev1_wr_notify(struct ikev1_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		    uint16_t type, const void *data, size_t len)
{
	uint8_t h[8];
	wr32(h, IKEV1_DOI_IPSEC);
	h[4] = proto;
	h[5] = spi_size;
	wr16(h + 6, type);
	int rc = ikev1_wr_begin(w, IKEV1_PL_N);
	if (rc == 0)
		rc = ikev1_wr_put(w, h, sizeof(h));
	if (rc == 0)
		rc = ikev1_wr_put(w, spi, spi_size);
	if (rc == 0)
		rc = ikev1_wr_put(w, data, len);
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

int ikev1_wr_delete(struct ikev1_wr *w, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		    uint16_t n)
{
	uint8_t h[8];
	wr32(h, IKEV1_DOI_IPSEC);
	h[4] = proto;
	h[5] = spi_size;
	wr16(h + 6, n);
	int rc = ikev1_wr_begin(w, IKEV1_PL_D);
	if (rc == 0)
		rc = ikev1_wr_put(w, h, sizeof(h));
	if (rc == 0)
		rc = ikev1_wr_put(w, spis, (size_t)spi_size * n);
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

int ikev1_wr_id(struct ikev1_wr *w, uint8_t type, uint8_t proto, uint16_t port, const void *data,
		size_t len)
{
	uint8_t h[4] = {type, proto, (uint8_t)(port >> 8), (uint8_t)port};
	int rc = ikev1_wr_begin(w, IKEV1_PL_ID);
	if (rc == 0)
		rc = ikev1_wr_put(w, h, sizeof(h));
	if (rc == 0)
		rc = ikev1_wr_put(w, data, len);
	return rc == 0 ? ikev1_wr_end(w) : rc;
}

int ikev1_wr_finish(struct ikev1_wr *w, size_t *len)
{
	if (w->err == 0 && (w->pl_start != SIZE_MAX || w->sa_start != SIZE_MAX))
		w->err = -EINVAL; /* a payload left open */
	if (w->err != 0)
		return w->err;
	if (w->has_hdr)
		wr32(w->buf + 24, (uint32_t)w->len);
	*len = w->len;
	return 0;
}
