/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_msg.c - the IKEv2 message codec (see ike_msg.h): the parser, then the
 * builder.
 *
 * Parser: the header, then the generic payload chain; each known type is handed to its body
 * parser through one {type, minimum length, reason if shorter, handler} table. Every handler
 * gets a body whose length the chain has checked against the message, and checks each of its
 * own inner lengths against that body before reading. Loops end because every step consumes at
 * least the header it has checked (4 octets for a payload or attribute, 8 for a proposal,
 * transform or selector) and the tables are bounded.
 *
 * Builder: struct ike_wr remembers where the pending Next Payload field and the open payload,
 * proposal and transform headers are, and patches them when the next one begins or this one
 * ends. Every write first asks room(), which makes the first failure sticky.
 * Any thread (see ike_msg.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ctrlplane/ike/ike_msg.h"

#define NONE		  SIZE_MAX
#define PL_LEN_MAX	  65535
#define PROP_HDR_LEN	  8 /* 3.3.1 */
#define XFORM_HDR_LEN	  8 /* 3.3.2 */
#define ATTR_HDR_LEN	  4 /* 3.3.5 */
#define TS_HDR_LEN	  8 /* 3.13.1: type, protocol, length, ports */
#define CP_ATTR_HDR_LEN	  4 /* 3.15.1 */
#define LAST_PROP_MORE	  2 /* Last Substruc values, 3.3.1 and 3.3.2 */
#define LAST_XFORM_MORE	  3
#define ATTR_TV		  0x8000 /* Attribute Format bit, 3.3.5 */
#define SPI_IKE		  8
#define SPI_CHILD	  4

#define MSG_NAME(s, n, d) [IKE_MSG_ERR_##s] = n,
const char *const ike_msg_err_name[IKE_MSG_ERR_MAX] = {[IKE_MSG_ERR_NONE] = "ok",
						       IKE_MSG_ERRORS(MSG_NAME)};
#undef MSG_NAME
#define MSG_DESC(s, n, d) [IKE_MSG_ERR_##s] = d,
const char *const ike_msg_err_desc[IKE_MSG_ERR_MAX] = {[IKE_MSG_ERR_NONE] = "parsed",
						       IKE_MSG_ERRORS(MSG_DESC)};
#undef MSG_DESC

/* ---------------------------------------------------------------- parser */

struct pctx {
	struct ike_msg *m;
	const uint8_t *base; /* offsets are relative to it */
};

typedef int (*pl_parse_t)(struct pctx *c, struct ike_payload *p);

struct pl_desc {
	uint8_t type;
	uint8_t min;	    /* shortest body */
	uint16_t short_err; /* reason when shorter */
	pl_parse_t parse;   /* NULL: opaque */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static size_t left(const uint8_t *p, const uint8_t *end)
{
	return (size_t)(end - p);
}

static int bad(struct pctx *c, enum ike_msg_err e, const uint8_t *at, uint8_t type)
{
	c->m->err = e;
	c->m->err_off = (uint32_t)(at - c->base);
	c->m->err_type = type;
	return -EBADMSG;
}

/* Transform attributes (3.3.5): only Key Length is defined; others are counted. */
static int parse_attrs(struct pctx *c, struct ike_xform *xf, const uint8_t *b, const uint8_t *end)
{
	while (b < end) {
		if (left(b, end) < ATTR_HDR_LEN)
			return bad(c, IKE_MSG_ERR_ATTR_SHORT, b, IKE_PL_SA);
		uint16_t type = be16(b);
		size_t alen = type & ATTR_TV ? ATTR_HDR_LEN : ATTR_HDR_LEN + be16(b + 2);
		if (alen > left(b, end))
			return bad(c, IKE_MSG_ERR_ATTR_LEN, b, IKE_PL_SA);
		if ((type & ~ATTR_TV) == IKE_ATTR_KEY_LENGTH) {
			if (!(type & ATTR_TV))
				return bad(c, IKE_MSG_ERR_ATTR_FORMAT, b, IKE_PL_SA);
			if (xf->has_key_len)
				return bad(c, IKE_MSG_ERR_ATTR_DUP, b, IKE_PL_SA);
			xf->has_key_len = 1;
			xf->key_len = be16(b + 2);
		} else if (xf->unknown_attrs < UINT8_MAX) {
			xf->unknown_attrs++;
		}
		b += alen;
	}
	return 0;
}

/* The transforms of one proposal (3.3.2): exactly count of them fill b..end. */
static int parse_xforms(struct pctx *c, struct ike_prop *pr, const uint8_t *b, const uint8_t *end)
{
	struct ike_msg *m = c->m;
	unsigned int i;

	for (i = 0; b < end; i++) {
		if (left(b, end) < XFORM_HDR_LEN)
			return bad(c, IKE_MSG_ERR_XF_SHORT, b, IKE_PL_SA);
		size_t tlen = be16(b + 2);
		if (tlen < XFORM_HDR_LEN || tlen > left(b, end))
			return bad(c, IKE_MSG_ERR_XF_LEN, b, IKE_PL_SA);
		if ((b[0] != 0 && b[0] != LAST_XFORM_MORE) ||
		    (b[0] == LAST_XFORM_MORE) != (tlen < left(b, end)))
			return bad(c, IKE_MSG_ERR_XF_LAST, b, IKE_PL_SA);
		if (i == pr->n_xforms)
			return bad(c, IKE_MSG_ERR_SA_XF_COUNT, b, IKE_PL_SA);
		if (m->n_xforms == IKE_MSG_XFORMS_MAX)
			return bad(c, IKE_MSG_ERR_SA_TOO_MANY_XFORMS, b, IKE_PL_SA);
		struct ike_xform *xf = &m->xforms[m->n_xforms++];
		*xf = (struct ike_xform){.type = b[4], .id = be16(b + 6)};
		int rc = parse_attrs(c, xf, b + XFORM_HDR_LEN, b + tlen);
		if (rc < 0)
			return rc;
		b += tlen;
	}
	return i == pr->n_xforms ? 0 : bad(c, IKE_MSG_ERR_SA_XF_COUNT, b, IKE_PL_SA);
}

/* 3.3.1: IKE proposals carry no SPI (initial exchange) or an 8-octet one (rekey). */
static bool spi_size_ok(uint8_t proto, uint8_t size)
{
	if (proto == IKE_PROTO_IKE)
		return size == 0 || size == SPI_IKE;
	return size == SPI_CHILD;
}

/* One proposal at b (with plen octets, checked against the SA body by the caller). */
static int parse_prop(struct pctx *c, const uint8_t *b, size_t plen, uint8_t num)
{
	struct ike_msg *m = c->m;
	struct ike_prop *pr;

	/* 3.3.1: a request numbers its proposals 1, 2, ...; a response holds the one it accepted,
	 * with that proposal's number (any but 0) */
	bool answer = (m->hdr.flags & IKE_FLAG_R) && num == 1 && b[0] == 0 && b[4] != 0;
	if (b[4] != num && !answer)
		return bad(c, IKE_MSG_ERR_SA_PROP_NUM, b, IKE_PL_SA);
	if (b[5] != IKE_PROTO_IKE && b[5] != IKE_PROTO_AH && b[5] != IKE_PROTO_ESP)
		return bad(c, IKE_MSG_ERR_SA_PROTO, b, IKE_PL_SA);
	if (!spi_size_ok(b[5], b[6]))
		return bad(c, IKE_MSG_ERR_SA_SPI_SIZE, b, IKE_PL_SA);
	if (PROP_HDR_LEN + (size_t)b[6] > plen)
		return bad(c, IKE_MSG_ERR_SA_PROP_LEN, b, IKE_PL_SA);
	if (b[7] == 0)
		return bad(c, IKE_MSG_ERR_SA_NO_XFORM, b, IKE_PL_SA);
	if (m->n_props == IKE_MSG_PROPS_MAX)
		return bad(c, IKE_MSG_ERR_SA_TOO_MANY_PROPS, b, IKE_PL_SA);
	pr = &m->props[m->n_props++];
	*pr = (struct ike_prop){.num = b[4], /* as on the wire: what an answer echoes */
				.proto = b[5],
				.spi_size = b[6],
				.n_xforms = b[7],
				.first_xform = m->n_xforms,
				.spi = b[6] ? b + PROP_HDR_LEN : NULL};
	return parse_xforms(c, pr, b + PROP_HDR_LEN + b[6], b + plen);
}

/* SA payload (3.3): proposals numbered 1, 2, ... that fill the body exactly. */
static int parse_sa(struct pctx *c, struct ike_payload *p)
{
	const uint8_t *b = p->body, *end = p->body + p->len;
	uint8_t num = 1;

	p->u.sa.first_prop = c->m->n_props;
	if (b == end)
		return bad(c, IKE_MSG_ERR_SA_EMPTY, b, IKE_PL_SA);
	for (; b < end; num++) {
		if (left(b, end) < PROP_HDR_LEN)
			return bad(c, IKE_MSG_ERR_SA_PROP_SHORT, b, IKE_PL_SA);
		size_t plen = be16(b + 2);
		if (plen < PROP_HDR_LEN || plen > left(b, end))
			return bad(c, IKE_MSG_ERR_SA_PROP_LEN, b, IKE_PL_SA);
		if ((b[0] != 0 && b[0] != LAST_PROP_MORE) ||
		    (b[0] == LAST_PROP_MORE) != (plen < left(b, end)))
			return bad(c, IKE_MSG_ERR_SA_PROP_LAST, b, IKE_PL_SA);
		int rc = parse_prop(c, b, plen, num);
		if (rc < 0)
			return rc;
		b += plen;
	}
	p->u.sa.n_props = (uint8_t)(c->m->n_props - p->u.sa.first_prop);
	return 0;
}

/* KE (3.4): group, reserved, data; the data's size for the group is crypto/ike_dh.c's. */
static int parse_ke(struct pctx *c, struct ike_payload *p)
{
	if (p->len == 4)
		return bad(c, IKE_MSG_ERR_KE_EMPTY, p->body, p->type);
	p->u.ke.group = be16(p->body);
	p->u.ke.data = p->body + 4;
	p->u.ke.len = (uint16_t)(p->len - 4);
	return 0;
}

/* IDi/IDr (3.5): type, reserved, data; address IDs have the address's size. */
static int parse_id(struct pctx *c, struct ike_payload *p)
{
	uint8_t type = p->body[0];
	uint16_t len = (uint16_t)(p->len - 4);

	if (len == 0)
		return bad(c, IKE_MSG_ERR_ID_EMPTY, p->body, p->type);
	if ((type == IKE_ID_IPV4_ADDR && len != 4) || (type == IKE_ID_IPV6_ADDR && len != 16))
		return bad(c, IKE_MSG_ERR_ID_ADDR_LEN, p->body, p->type);
	p->u.typed.type = type;
	p->u.typed.data = p->body + 4;
	p->u.typed.len = len;
	return 0;
}

/* CERT (3.6) and CERTREQ (3.7): encoding, data. */
static int parse_cert(struct pctx *c, struct ike_payload *p)
{
	uint16_t len = (uint16_t)(p->len - 1);

	if (p->type == IKE_PL_CERTREQ && p->body[0] == IKE_CERT_X509_SIG &&
	    len % IKE_CERTREQ_HASH_LEN != 0)
		return bad(c, IKE_MSG_ERR_CERTREQ_LEN, p->body, p->type);
	p->u.typed.type = p->body[0];
	p->u.typed.data = p->body + 1;
	p->u.typed.len = len;
	return 0;
}

/* AUTH (3.8): method, reserved, data (the body's minimum makes the data non-empty). */
static int parse_auth(struct pctx *c, struct ike_payload *p)
{
	(void)c;
	p->u.typed.type = p->body[0];
	p->u.typed.data = p->body + 4;
	p->u.typed.len = (uint16_t)(p->len - 4);
	return 0;
}

static int parse_nonce(struct pctx *c, struct ike_payload *p)
{
	if (p->len < IKE_NONCE_LEN_MIN || p->len > IKE_NONCE_LEN_MAX)
		return bad(c, IKE_MSG_ERR_NONCE_LEN, p->body, p->type);
	return 0;
}

/* Notify (3.10): protocol, SPI size, type, SPI, data. */
static int parse_notify(struct pctx *c, struct ike_payload *p)
{
	const uint8_t *b = p->body;

	if (4u + b[1] > p->len)
		return bad(c, IKE_MSG_ERR_N_SPI_LEN, b, p->type);
	p->u.notify.proto = b[0];
	p->u.notify.spi_size = b[1];
	p->u.notify.type = be16(b + 2);
	p->u.notify.spi = b[1] ? b + 4 : NULL;
	p->u.notify.data = b + 4 + b[1];
	p->u.notify.len = (uint16_t)(p->len - 4 - b[1]);
	return 0;
}

/* Delete (3.11): IKE without SPIs; AH/ESP with one or more 4-octet SPIs, filling the body. */
static int parse_delete(struct pctx *c, struct ike_payload *p)
{
	const uint8_t *b = p->body;
	uint16_t n = be16(b + 2);

	if (b[0] != IKE_PROTO_IKE && b[0] != IKE_PROTO_AH && b[0] != IKE_PROTO_ESP)
		return bad(c, IKE_MSG_ERR_D_PROTO, b, p->type);
	if (b[1] != (b[0] == IKE_PROTO_IKE ? 0 : SPI_CHILD))
		return bad(c, IKE_MSG_ERR_D_SPI_SIZE, b, p->type);
	if ((b[0] == IKE_PROTO_IKE) != (n == 0))
		return bad(c, IKE_MSG_ERR_D_COUNT, b, p->type);
	if ((size_t)n * b[1] != p->len - 4u)
		return bad(c, IKE_MSG_ERR_D_LEN, b, p->type);
	p->u.del.proto = b[0];
	p->u.del.spi_size = b[1];
	p->u.del.n_spi = n;
	p->u.del.spis = n ? b + 4 : NULL;
	return 0;
}

/* One selector at *bp (3.13.1), appended to m->ts. */
static int parse_one_ts(struct pctx *c, uint8_t pt, const uint8_t **bp, const uint8_t *end)
{
	const uint8_t *b = *bp;
	struct ike_ts *ts;
	size_t alen, slen;

	if (left(b, end) < TS_HDR_LEN)
		return bad(c, IKE_MSG_ERR_TS_HDR_SHORT, b, pt);
	slen = be16(b + 2);
	if (slen > left(b, end))
		return bad(c, IKE_MSG_ERR_TS_PAST_END, b, pt);
	alen = b[0] == IKE_TS_IPV4_ADDR_RANGE ? 4 : b[0] == IKE_TS_IPV6_ADDR_RANGE ? 16 : 0;
	if (alen == 0)
		return bad(c, IKE_MSG_ERR_TS_TYPE, b, pt);
	if (slen != TS_HDR_LEN + 2 * alen)
		return bad(c, IKE_MSG_ERR_TS_LEN, b, pt);
	ts = &c->m->ts[c->m->n_ts];
	*ts = (struct ike_ts){.type = b[0],
			      .ip_proto = b[1],
			      .start_port = be16(b + 4),
			      .end_port = be16(b + 6),
			      .start = b + 8,
			      .end = b + 8 + alen};
	if (memcmp(ts->start, ts->end, alen) > 0)
		return bad(c, IKE_MSG_ERR_TS_ADDR_RANGE, b, pt);
	if (ts->start_port > ts->end_port &&
	    !(ts->start_port == IKE_PORT_OPAQUE_START && ts->end_port == IKE_PORT_OPAQUE_END))
		return bad(c, IKE_MSG_ERR_TS_PORT_RANGE, b, pt);
	c->m->n_ts++;
	*bp = b + slen;
	return 0;
}

/* TSi/TSr (3.13): a count, reserved, then exactly that many selectors. */
static int parse_ts(struct pctx *c, struct ike_payload *p)
{
	const uint8_t *b = p->body, *end = p->body + p->len;
	uint8_t n = b[0];

	if (n == 0)
		return bad(c, IKE_MSG_ERR_TS_COUNT_ZERO, b, p->type);
	if ((size_t)c->m->n_ts + n > IKE_MSG_TS_MAX)
		return bad(c, IKE_MSG_ERR_TS_TOO_MANY, b, p->type);
	p->u.ts.first_ts = c->m->n_ts;
	p->u.ts.n_ts = n;
	b += 4;
	for (unsigned int i = 0; i < n; i++) {
		int rc = parse_one_ts(c, p->type, &b, end);
		if (rc < 0)
			return rc;
	}
	return b == end ? 0 : bad(c, IKE_MSG_ERR_TS_TRAILING, b, p->type);
}

/* SK (3.14): opaque here; crypto/ike_sk.c checks its inner lengths. */
static int parse_sk(struct pctx *c, struct ike_payload *p)
{
	(void)c;
	p->u.sk.data = p->body;
	p->u.sk.len = p->len;
	return 0;
}

/* SKF (RFC 7383 2.5): fragment number, total, then as SK. */
static int parse_skf(struct pctx *c, struct ike_payload *p)
{
	uint16_t number = be16(p->body), total = be16(p->body + 2);

	if (number == 0)
		return bad(c, IKE_MSG_ERR_SKF_NUMBER_ZERO, p->body, p->type);
	if (number > total)
		return bad(c, IKE_MSG_ERR_SKF_NUMBER_TOTAL, p->body, p->type);
	if (number > 1 && p->next != IKE_PL_NONE)
		return bad(c, IKE_MSG_ERR_SKF_NEXT, p->body, p->type);
	p->u.sk.number = number;
	p->u.sk.total = total;
	p->u.sk.data = p->body + 4;
	p->u.sk.len = (uint16_t)(p->len - 4);
	return 0;
}

/* CP (3.15): type, reserved, attributes (type, length, value). */
static int parse_cp(struct pctx *c, struct ike_payload *p)
{
	const uint8_t *b = p->body + 4, *end = p->body + p->len;
	struct ike_msg *m = c->m;

	if (p->body[0] < IKE_CFG_REQUEST || p->body[0] > IKE_CFG_ACK)
		return bad(c, IKE_MSG_ERR_CP_TYPE, p->body, p->type);
	p->u.cp.type = p->body[0];
	p->u.cp.first_attr = m->n_cp;
	while (b < end) {
		if (left(b, end) < CP_ATTR_HDR_LEN)
			return bad(c, IKE_MSG_ERR_CP_ATTR_SHORT, b, p->type);
		uint16_t alen = be16(b + 2);
		if (alen > left(b, end) - CP_ATTR_HDR_LEN)
			return bad(c, IKE_MSG_ERR_CP_ATTR_LEN, b, p->type);
		if (m->n_cp == IKE_MSG_CP_ATTRS_MAX)
			return bad(c, IKE_MSG_ERR_CP_TOO_MANY, b, p->type);
		m->cp[m->n_cp++] = (struct ike_cp_attr){be16(b) & 0x7fff, alen, b + 4};
		b += CP_ATTR_HDR_LEN + alen;
	}
	p->u.cp.n_attrs = (uint8_t)(m->n_cp - p->u.cp.first_attr);
	return 0;
}

/* EAP (3.16): an EAP packet whose own Length must be the payload's. */
static int parse_eap(struct pctx *c, struct ike_payload *p)
{
	if (be16(p->body + 2) != p->len)
		return bad(c, IKE_MSG_ERR_EAP_LEN, p->body, p->type);
	p->u.eap.code = p->body[0];
	p->u.eap.id = p->body[1];
	return 0;
}

static const struct pl_desc pl_descs[] = {
	{IKE_PL_SA, 0, 0, parse_sa},
	{IKE_PL_KE, 4, IKE_MSG_ERR_KE_SHORT, parse_ke},
	{IKE_PL_IDI, 4, IKE_MSG_ERR_ID_SHORT, parse_id},
	{IKE_PL_IDR, 4, IKE_MSG_ERR_ID_SHORT, parse_id},
	{IKE_PL_CERT, 2, IKE_MSG_ERR_CERT_SHORT, parse_cert},
	{IKE_PL_CERTREQ, 1, IKE_MSG_ERR_CERTREQ_SHORT, parse_cert},
	{IKE_PL_AUTH, 5, IKE_MSG_ERR_AUTH_SHORT, parse_auth},
	{IKE_PL_NONCE, 0, 0, parse_nonce},
	{IKE_PL_NOTIFY, 4, IKE_MSG_ERR_N_SHORT, parse_notify},
	{IKE_PL_DELETE, 4, IKE_MSG_ERR_D_SHORT, parse_delete},
	{IKE_PL_VENDOR, 0, 0, NULL},
	{IKE_PL_TSI, 4, IKE_MSG_ERR_TS_SHORT, parse_ts},
	{IKE_PL_TSR, 4, IKE_MSG_ERR_TS_SHORT, parse_ts},
	{IKE_PL_SK, 0, 0, parse_sk},
	{IKE_PL_CP, 4, IKE_MSG_ERR_CP_SHORT, parse_cp},
	{IKE_PL_EAP, 4, IKE_MSG_ERR_EAP_SHORT, parse_eap},
	{IKE_PL_SKF, 4, IKE_MSG_ERR_SKF_SHORT, parse_skf},
};

static const struct pl_desc *desc_of(uint8_t type)
{
	for (size_t i = 0; i < sizeof(pl_descs) / sizeof(pl_descs[0]); i++)
		if (pl_descs[i].type == type)
			return &pl_descs[i];
	return NULL;
}

/* The payload of type whose checked header is at h, plen octets long: record and parse it. */
static int parse_payload(struct pctx *c, uint8_t type, const uint8_t *h, uint16_t plen, bool inner)
{
	struct ike_msg *m = c->m;
	struct ike_payload *p = &m->pl[m->n++];
	const struct pl_desc *d = desc_of(type);

	*p = (struct ike_payload){.body = h + IKE_PL_HDR_LEN,
				  .off = (uint32_t)(h - c->base),
				  .len = (uint16_t)(plen - IKE_PL_HDR_LEN),
				  .type = type,
				  .next = h[0],
				  .critical = h[1] >> 7,
				  .known = d != NULL,
				  .inner = inner};
	if (d == NULL) {
		if (p->critical) /* 2.5: refuse, and name the type in the reply */
			return bad(c, IKE_MSG_ERR_PL_CRITICAL, h, type);
		m->skipped++;
		return 0;
	}
	if (p->len < d->min)
		return bad(c, d->short_err, h, type);
	return d->parse == NULL ? 0 : d->parse(c, p);
}

/* 3.14, RFC 7383 2.5: an SK or SKF payload ends the chain and the message. */
static int parse_encrypted_end(struct pctx *c, const uint8_t *h, size_t plen, const uint8_t *end,
			       bool inner)
{
	struct ike_msg *m = c->m;

	if (inner)
		return bad(c, IKE_MSG_ERR_SK_NESTED, h, m->pl[m->n - 1].type);
	if (left(h, end) != plen)
		return bad(c, IKE_MSG_ERR_SK_NOT_LAST, h, m->pl[m->n - 1].type);
	m->sk = (int16_t)(m->n - 1);
	m->sk_next = h[0];
	return 0;
}

/* The generic payload chain (3.2) from b to end, starting with type next. */
static int parse_chain(struct pctx *c, uint8_t next, const uint8_t *b, const uint8_t *end,
		       bool inner)
{
	struct ike_msg *m = c->m;

	while (next != IKE_PL_NONE) {
		uint8_t type = next;
		if (left(b, end) < IKE_PL_HDR_LEN)
			return bad(c, IKE_MSG_ERR_PL_HDR_SHORT, b, type);
		uint16_t plen = be16(b + 2);
		if (plen < IKE_PL_HDR_LEN)
			return bad(c, IKE_MSG_ERR_PL_LEN_SHORT, b, type);
		if (plen > left(b, end))
			return bad(c, IKE_MSG_ERR_PL_PAST_END, b, type);
		if (m->n == IKE_MSG_PAYLOADS_MAX)
			return bad(c, IKE_MSG_ERR_PL_TOO_MANY, b, type);
		int rc = parse_payload(c, type, b, plen, inner);
		if (rc < 0)
			return rc;
		if (type == IKE_PL_SK || type == IKE_PL_SKF)
			return parse_encrypted_end(c, b, plen, end, inner);
		next = b[0];
		b += plen;
	}
	return b == end ? 0 : bad(c, IKE_MSG_ERR_PL_TRAILING, b, IKE_PL_NONE);
}

static bool zero8(const uint8_t *p)
{
	uint8_t acc = 0;
	for (int i = 0; i < 8; i++)
		acc |= p[i];
	return acc == 0;
}

/* The IKE header (3.1). */
static int parse_hdr(struct pctx *c, const uint8_t *b, size_t len)
{
	struct ike_hdr *h = &c->m->hdr;

	if (len < IKE_HDR_LEN)
		return bad(c, IKE_MSG_ERR_HDR_SHORT, b, IKE_PL_NONE);
	*h = (struct ike_hdr){.next = b[16],
			      .major = b[17] >> 4,
			      .minor = b[17] & 0xf,
			      .exchange = b[18],
			      .flags = b[19],
			      .msg_id = be32(b + 20),
			      .length = be32(b + 24)};
	memcpy(h->spi_i, b, 8);
	memcpy(h->spi_r, b + 8, 8);
	if (h->major == 1)
		return bad(c, IKE_MSG_ERR_HDR_V1, b + 17, IKE_PL_NONE);
	if (h->major != 2)
		return bad(c, IKE_MSG_ERR_HDR_VERSION, b + 17, IKE_PL_NONE);
	if (h->length != len)
		return bad(c, IKE_MSG_ERR_HDR_LENGTH, b + 24, IKE_PL_NONE);
	if (h->exchange < IKE_EXCH_SA_INIT || h->exchange > IKE_EXCH_INFORMATIONAL)
		return bad(c, IKE_MSG_ERR_HDR_EXCHANGE, b + 18, IKE_PL_NONE);
	if (zero8(h->spi_i))
		return bad(c, IKE_MSG_ERR_HDR_SPI_I_ZERO, b, IKE_PL_NONE);
	if (h->exchange != IKE_EXCH_SA_INIT && zero8(h->spi_r))
		return bad(c, IKE_MSG_ERR_HDR_SPI_R_ZERO, b + 8, IKE_PL_NONE);
	if (h->exchange == IKE_EXCH_SA_INIT && h->msg_id != 0)
		return bad(c, IKE_MSG_ERR_HDR_MSGID, b + 20, IKE_PL_NONE);
	return 0;
}

int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	struct pctx c = {m, buf};
	int rc;

	memset(m, 0, offsetof(struct ike_msg, pl)); /* the tables are written as they fill */
	m->buf = buf;
	m->len = len;
	m->sk = -1;
	rc = parse_hdr(&c, buf, len);
	if (rc == 0)
		rc = parse_chain(&c, m->hdr.next, buf + IKE_HDR_LEN, buf + len, false);
	m->n_outer = m->n;
	return rc;
}

int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *plain, size_t len)
{
	struct pctx c = {m, plain};

	m->err = IKE_MSG_ERR_NONE;
	return parse_chain(&c, first, plain, plain + len, true);
}

const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       const struct ike_payload *prev)
{
	size_t i = prev == NULL ? 0 : (size_t)(prev - m->pl) + 1;

	for (; i < m->n; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

const struct ike_payload *ike_msg_notify(const struct ike_msg *m, uint16_t ntype)
{
	const struct ike_payload *p = NULL;

	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, p)) != NULL)
		if (p->u.notify.type == ntype)
			return p;
	return NULL;
}

unsigned int ike_msg_count(const struct ike_msg *m, uint8_t type)
{
	unsigned int n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += m->pl[i].type == type;
	return n;
}

/* ---------------------------------------------------------------- builder */

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, size_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static int wr_fail(struct ike_wr *w, int err)
{
	if (w->err == 0)
		w->err = err;
	return w->err;
}

/* 0 if n more octets fit; otherwise the (sticky) error. */
static int room(struct ike_wr *w, size_t n)
{
	if (w->err != 0)
		return w->err;
	if (n > w->cap - w->len)
		return wr_fail(w, -ENOBUFS);
	return 0;
}

static void wr_reset(struct ike_wr *w, uint8_t *buf, size_t cap, bool hdr)
{
	*w = (struct ike_wr){.buf = buf,
			     .cap = cap,
			     .np = NONE,
			     .open = NONE,
			     .prop = NONE,
			     .xform = NONE,
			     .has_hdr = hdr};
}

int ike_wr_init(struct ike_wr *w, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	wr_reset(w, buf, cap, true);
	if (room(w, IKE_HDR_LEN) < 0)
		return w->err;
	memcpy(buf, h->spi_i, 8);
	memcpy(buf + 8, h->spi_r, 8);
	buf[16] = IKE_PL_NONE;
	buf[17] = (uint8_t)(h->major << 4 | (h->minor & 0xf));
	buf[18] = h->exchange;
	buf[19] = h->flags;
	put32(buf + 20, h->msg_id);
	put32(buf + 24, IKE_HDR_LEN);
	w->len = IKE_HDR_LEN;
	w->np = 16; /* the header's Next Payload */
	return 0;
}

int ike_wr_init_inner(struct ike_wr *w, uint8_t *buf, size_t cap)
{
	wr_reset(w, buf, cap, false);
	return 0;
}

uint8_t ike_wr_first(const struct ike_wr *w)
{
	return w->first;
}

int ike_wr_put(struct ike_wr *w, const void *p, size_t n)
{
	if (w->err == 0 && w->open == NONE)
		return wr_fail(w, -EINVAL); /* bytes outside a payload */
	if (room(w, n) < 0)
		return w->err;
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

int ike_wr_u8(struct ike_wr *w, uint8_t v)
{
	return ike_wr_put(w, &v, 1);
}

int ike_wr_u16(struct ike_wr *w, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	return ike_wr_put(w, b, 2);
}

int ike_wr_u32(struct ike_wr *w, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	return ike_wr_put(w, b, 4);
}

/* Close the open proposal: its length and transform count. */
static int close_prop(struct ike_wr *w)
{
	size_t plen = w->len - w->prop;

	if (plen > PL_LEN_MAX)
		return wr_fail(w, -E2BIG);
	put16(w->buf + w->prop + 2, plen);
	w->buf[w->prop + 7] = w->n_xf;
	w->prop = NONE;
	w->xform = NONE;
	return 0;
}

int ike_wr_end(struct ike_wr *w)
{
	if (w->err != 0 || w->open == NONE)
		return w->err;
	if (w->prop != NONE && close_prop(w) < 0)
		return w->err;
	if (w->len - w->open > PL_LEN_MAX)
		return wr_fail(w, -E2BIG);
	put16(w->buf + w->open + 2, w->len - w->open);
	w->open = NONE;
	return 0;
}

int ike_wr_begin(struct ike_wr *w, uint8_t type, bool critical)
{
	if (w->err == 0 && w->closed)
		return wr_fail(w, -EINVAL); /* nothing follows SK or SKF */
	if (ike_wr_end(w) < 0 || room(w, IKE_PL_HDR_LEN) < 0)
		return w->err;
	if (w->np != NONE)
		w->buf[w->np] = type;
	else
		w->first = type; /* inner chain: there is no field before the first payload */
	w->open = w->len;
	w->open_type = type;
	w->np = w->len;
	w->buf[w->len] = IKE_PL_NONE;
	w->buf[w->len + 1] = critical ? 0x80 : 0;
	put16(w->buf + w->len + 2, IKE_PL_HDR_LEN);
	w->len += IKE_PL_HDR_LEN;
	return 0;
}

int ike_wr_finish(struct ike_wr *w, size_t *len)
{
	if (ike_wr_end(w) < 0)
		return w->err;
	if (w->has_hdr)
		put32(w->buf + 24, w->len);
	*len = w->len;
	return 0;
}

int ike_wr_payload(struct ike_wr *w, uint8_t type, bool critical, const void *body, size_t len)
{
	ike_wr_begin(w, type, critical);
	ike_wr_put(w, body, len);
	return ike_wr_end(w);
}

/* Payloads with one octet of type or method, three reserved, then data: ID, AUTH. */
static int typed(struct ike_wr *w, uint8_t pl_type, uint8_t type, const uint8_t *data, size_t len)
{
	static const uint8_t reserved[3];

	ike_wr_begin(w, pl_type, false);
	ike_wr_u8(w, type);
	ike_wr_put(w, reserved, sizeof(reserved));
	ike_wr_put(w, data, len);
	return ike_wr_end(w);
}

int ike_wr_ke(struct ike_wr *w, uint16_t group, const uint8_t *data, size_t len)
{
	ike_wr_begin(w, IKE_PL_KE, false);
	ike_wr_u16(w, group);
	ike_wr_u16(w, 0);
	ike_wr_put(w, data, len);
	return ike_wr_end(w);
}

int ike_wr_nonce(struct ike_wr *w, const uint8_t *data, size_t len)
{
	return ike_wr_payload(w, IKE_PL_NONCE, false, data, len);
}

int ike_wr_id(struct ike_wr *w, uint8_t pl_type, uint8_t id_type, const uint8_t *data, size_t len)
{
	return typed(w, pl_type, id_type, data, len);
}

int ike_wr_auth(struct ike_wr *w, uint8_t method, const uint8_t *data, size_t len)
{
	return typed(w, IKE_PL_AUTH, method, data, len);
}

int ike_wr_notify(struct ike_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		  uint16_t type, const uint8_t *data, size_t len)
{
	ike_wr_begin(w, IKE_PL_NOTIFY, false);
	ike_wr_u8(w, proto);
	ike_wr_u8(w, spi_size);
	ike_wr_u16(w, type);
	ike_wr_put(w, spi, spi_size);
	ike_wr_put(w, data, len);
	return ike_wr_end(w);
}

int ike_wr_delete(struct ike_wr *w, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		  uint16_t n_spi)
{
	ike_wr_begin(w, IKE_PL_DELETE, false);
	ike_wr_u8(w, proto);
	ike_wr_u8(w, spi_size);
	ike_wr_u16(w, n_spi);
	ike_wr_put(w, spis, (size_t)spi_size * n_spi);
	return ike_wr_end(w);
}

int ike_wr_ts(struct ike_wr *w, uint8_t pl_type, const struct ike_ts *ts, unsigned int n)
{
	static const uint8_t reserved[3];

	if (w->err == 0 && n > UINT8_MAX)
		return wr_fail(w, -EINVAL);
	ike_wr_begin(w, pl_type, false);
	ike_wr_u8(w, (uint8_t)n);
	ike_wr_put(w, reserved, sizeof(reserved));
	for (unsigned int i = 0; i < n && w->err == 0; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV4_ADDR_RANGE   ? 4
			      : ts[i].type == IKE_TS_IPV6_ADDR_RANGE ? 16
								     : 0;
		if (alen == 0)
			return wr_fail(w, -EINVAL);
		ike_wr_u8(w, ts[i].type);
		ike_wr_u8(w, ts[i].ip_proto);
		ike_wr_u16(w, (uint16_t)(TS_HDR_LEN + 2 * alen));
		ike_wr_u16(w, ts[i].start_port);
		ike_wr_u16(w, ts[i].end_port);
		ike_wr_put(w, ts[i].start, alen);
		ike_wr_put(w, ts[i].end, alen);
	}
	return ike_wr_end(w);
}

int ike_wr_cp(struct ike_wr *w, uint8_t cfg_type, const struct ike_cp_attr *a, unsigned int n)
{
	static const uint8_t reserved[3];

	ike_wr_begin(w, IKE_PL_CP, false);
	ike_wr_u8(w, cfg_type);
	ike_wr_put(w, reserved, sizeof(reserved));
	for (unsigned int i = 0; i < n; i++) {
		ike_wr_u16(w, a[i].type & 0x7fff);
		ike_wr_u16(w, a[i].len);
		ike_wr_put(w, a[i].value, a[i].len);
	}
	return ike_wr_end(w);
}

int ike_wr_sa_begin(struct ike_wr *w)
{
	return ike_wr_begin(w, IKE_PL_SA, false);
}

int ike_wr_prop(struct ike_wr *w, uint8_t num, uint8_t proto, const uint8_t *spi, uint8_t spi_size)
{
	size_t prev = w->prop;

	if (w->err == 0 && (w->open == NONE || w->open_type != IKE_PL_SA))
		return wr_fail(w, -EINVAL);
	if (prev != NONE && close_prop(w) < 0)
		return w->err;
	if (room(w, PROP_HDR_LEN + (size_t)spi_size) < 0)
		return w->err;
	if (prev != NONE)
		w->buf[prev] = LAST_PROP_MORE;
	uint8_t *h = w->buf + w->len;
	*h++ = 0; /* last, until another proposal follows */
	*h++ = 0;
	put16(h, PROP_HDR_LEN + (size_t)spi_size);
	h += 2;
	*h++ = num;
	*h++ = proto;
	*h++ = spi_size;
	*h++ = 0;
	if (spi_size > 0)
		memcpy(h, spi, spi_size);
	w->prop = w->len;
	w->n_xf = 0;
	w->len += PROP_HDR_LEN + (size_t)spi_size;
	return 0;
}

int ike_wr_xform(struct ike_wr *w, uint8_t type, uint16_t id, uint16_t key_bits)
{
	size_t n = XFORM_HDR_LEN + (key_bits ? ATTR_HDR_LEN : 0);
	uint8_t *h;

	if (w->err == 0 && (w->prop == NONE || w->n_xf == UINT8_MAX))
		return wr_fail(w, -EINVAL);
	if (room(w, n) < 0)
		return w->err;
	if (w->xform != NONE)
		w->buf[w->xform] = LAST_XFORM_MORE;
	h = w->buf + w->len;
	memset(h, 0, n);
	put16(h + 2, n);
	h[4] = type;
	put16(h + 6, id);
	if (key_bits) {
		put16(h + 8, ATTR_TV | IKE_ATTR_KEY_LENGTH);
		put16(h + 10, key_bits);
	}
	w->xform = w->len;
	w->n_xf++;
	w->len += n;
	return 0;
}

int ike_wr_sa_end(struct ike_wr *w)
{
	return ike_wr_end(w);
}

/* The header of an SK or SKF payload, which ends the message (3.14, RFC 7383 2.5). */
static int encrypted(struct ike_wr *w, uint8_t type, uint8_t next, size_t *off)
{
	if (w->err == 0 && !w->has_hdr)
		return wr_fail(w, -EINVAL); /* 3.14: SK is never an inner payload */
	if (ike_wr_begin(w, type, false) < 0)
		return w->err;
	w->buf[w->open] = next;
	*off = w->open;
	w->np = NONE;
	w->closed = true;
	return 0;
}

int ike_wr_sk(struct ike_wr *w, uint8_t inner_first, size_t *off)
{
	if (encrypted(w, IKE_PL_SK, inner_first, off) < 0)
		return w->err;
	w->open = NONE; /* its length is ike_sk_protect's to set */
	return 0;
}

int ike_wr_skf(struct ike_wr *w, uint8_t inner_first, uint16_t number, uint16_t total, size_t *off)
{
	if (encrypted(w, IKE_PL_SKF, number == 1 ? inner_first : IKE_PL_NONE, off) < 0)
		return w->err;
	ike_wr_u16(w, number);
	ike_wr_u16(w, total);
	w->open = NONE;
	return w->err;
}
