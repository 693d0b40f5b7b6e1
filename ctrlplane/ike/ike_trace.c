/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_trace.c - the per-payload debug trace of IKEv2 messages: one log line per
 * payload of every message received and sent, the inner payloads of an Encrypted payload
 * (RFC 7296 3.14) after it was opened (received) or before it is sealed (sent).
 *
 * A line: direction, exchange (3.1), message ID, R(esponse) or request, the initiator's SPI,
 * then the payload: its type (3.2), body length, critical bit, and for SA (3.3), KE (3.4),
 * ID (3.5), Notify (3.10), Delete (3.11), TS (3.13), CP (3.15) and SKF (RFC 7383 2.5) the
 * fields an operator looks for: proposals and transforms, the DH group, the ID type and value,
 * the notify type, the SPIs deleted, selector ranges, attribute types, fragment numbers. Never
 * key material: KE data, nonces, AUTH data and certificates are shown by length only. Text from
 * the wire (identities) is cut short and has control bytes replaced.
 *
 * Cost: the callers test ike_trace_on() (rte_log_can_log at DEBUG for vpnhub.ike) first, so
 * nothing is parsed or formatted when debug is off. Control lcore only (static parse buffer).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <rte_log.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

#define ID_TEXT_MAX 64 /* octets of an FQDN / e-mail ID shown */

bool ike_trace_on(void)
{
	return rte_log_can_log(vh_logtype_ike, RTE_LOG_DEBUG);
}

struct name_id {
	unsigned int id;
	const char *name;
};

static const struct name_id pl_names[] = {
	{IKE_PL_SA, "SA"},     {IKE_PL_KE, "KE"},	{IKE_PL_IDI, "IDi"},
	{IKE_PL_IDR, "IDr"},   {IKE_PL_CERT, "CERT"},	{IKE_PL_CERTREQ, "CERTREQ"},
	{IKE_PL_AUTH, "AUTH"}, {IKE_PL_NONCE, "Ni/Nr"}, {IKE_PL_NOTIFY, "N"},
	{IKE_PL_DELETE, "D"},  {IKE_PL_VENDOR, "V"},	{IKE_PL_TSI, "TSi"},
	{IKE_PL_TSR, "TSr"},   {IKE_PL_SK, "SK"},	{IKE_PL_CP, "CP"},
	{IKE_PL_EAP, "EAP"},   {IKE_PL_SKF, "SKF"},
};

static const struct name_id exch_names[] = {
	{IKE_EXCH_SA_INIT, "IKE_SA_INIT"},
	{IKE_EXCH_AUTH, "IKE_AUTH"},
	{IKE_EXCH_CREATE_CHILD_SA, "CREATE_CHILD_SA"},
	{IKE_EXCH_INFORMATIONAL, "INFORMATIONAL"},
};

/* Notify Message Types (3.10.1, RFC 7383 2.3, RFC 7427 4) */
static const struct name_id notify_names[] = {
	{1, "UNSUPPORTED_CRITICAL_PAYLOAD"},
	{4, "INVALID_IKE_SPI"},
	{5, "INVALID_MAJOR_VERSION"},
	{7, "INVALID_SYNTAX"},
	{9, "INVALID_MESSAGE_ID"},
	{11, "INVALID_SPI"},
	{14, "NO_PROPOSAL_CHOSEN"},
	{17, "INVALID_KE_PAYLOAD"},
	{24, "AUTHENTICATION_FAILED"},
	{34, "SINGLE_PAIR_REQUIRED"},
	{35, "NO_ADDITIONAL_SAS"},
	{36, "INTERNAL_ADDRESS_FAILURE"},
	{37, "FAILED_CP_REQUIRED"},
	{38, "TS_UNACCEPTABLE"},
	{39, "INVALID_SELECTORS"},
	{43, "TEMPORARY_FAILURE"},
	{44, "CHILD_SA_NOT_FOUND"},
	{16384, "INITIAL_CONTACT"},
	{16385, "SET_WINDOW_SIZE"},
	{16386, "ADDITIONAL_TS_POSSIBLE"},
	{16387, "IPCOMP_SUPPORTED"},
	{16388, "NAT_DETECTION_SOURCE_IP"},
	{16389, "NAT_DETECTION_DESTINATION_IP"},
	{16390, "COOKIE"},
	{16391, "USE_TRANSPORT_MODE"},
	{16392, "HTTP_CERT_LOOKUP_SUPPORTED"},
	{16393, "REKEY_SA"},
	{16394, "ESP_TFC_PADDING_NOT_SUPPORTED"},
	{16395, "NON_FIRST_FRAGMENTS_ALSO"},
	{16430, "IKEV2_FRAGMENTATION_SUPPORTED"},
	{16431, "SIGNATURE_HASH_ALGORITHMS"},
};

static const struct name_id id_names[] = {
	{IKE_ID_IPV4_ADDR, "ID_IPV4_ADDR"},	{IKE_ID_FQDN, "ID_FQDN"},
	{IKE_ID_RFC822_ADDR, "ID_RFC822_ADDR"}, {IKE_ID_IPV6_ADDR, "ID_IPV6_ADDR"},
	{IKE_ID_DER_ASN1_DN, "ID_DER_ASN1_DN"}, {IKE_ID_DER_ASN1_GN, "ID_DER_ASN1_GN"},
	{IKE_ID_KEY_ID, "ID_KEY_ID"},
};

static const char *xf_names[] = {"?", "encr", "prf", "integ", "dh", "esn"};

static const char *name_of(const struct name_id *t, size_t n, unsigned int id)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

#define NAME(t, id) name_of(t, sizeof(t) / sizeof(t[0]), id)

/* A cursor over a line: appends never run past the end, and stop at the first truncation. */
struct line {
	char *p;
	size_t size, len;
};

static void __attribute__((format(printf, 2, 3))) put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->len + 1 >= l->size)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->p + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len = l->len + (size_t)n >= l->size ? l->size - 1 : l->len + (size_t)n;
}

static void put_addr(struct line *l, uint8_t ts_type, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];
	inet_ntop(ts_type == IKE_TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6, a, s, sizeof(s));
	put(l, "%s", s);
}

/* Text from the wire: at most ID_TEXT_MAX octets, control and non-ASCII bytes as '?'. */
static void put_text(struct line *l, const uint8_t *p, size_t n)
{
	char s[ID_TEXT_MAX + 1];
	size_t k = n < ID_TEXT_MAX ? n : ID_TEXT_MAX;
	for (size_t i = 0; i < k; i++)
		s[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	s[k] = '\0';
	put(l, "%s%s", s, n > k ? "..." : "");
}

static void put_sa(struct line *l, const struct ike_msg *m, const struct ike_payload *pl)
{
	for (unsigned int i = 0; i < pl->u.sa.n_props; i++) {
		const struct ike_prop *p = &m->props[pl->u.sa.first_prop + i];
		put(l, " prop %u %s", p->num,
		    p->proto == IKE_PROTO_IKE	? "ike"
		    : p->proto == IKE_PROTO_ESP ? "esp"
						: "ah");
		if (p->spi_size > 0) {
			put(l, " spi ");
			for (unsigned int k = 0; k < p->spi_size; k++)
				put(l, "%02x", p->spi[k]);
		}
		for (unsigned int k = 0; k < p->n_xforms; k++) {
			const struct ike_xform *x = &m->xforms[p->first_xform + k];
			put(l, "%s%s %u", k == 0 ? " [" : ", ",
			    x->type < RTE_DIM(xf_names) ? xf_names[x->type] : "type?", x->id);
			if (x->has_key_len)
				put(l, "/%u", x->key_len);
		}
		put(l, "]");
	}
}

static void put_ts(struct line *l, const struct ike_msg *m, const struct ike_payload *pl)
{
	for (unsigned int i = 0; i < pl->u.ts.n_ts; i++) {
		const struct ike_ts *t = &m->ts[pl->u.ts.first_ts + i];
		put(l, " ");
		put_addr(l, t->type, t->start);
		put(l, "-");
		put_addr(l, t->type, t->end);
		put(l, " proto %u port %u-%u", t->ip_proto, t->start_port, t->end_port);
	}
}

static void put_id(struct line *l, const struct ike_payload *pl)
{
	const char *n = NAME(id_names, pl->u.typed.type);
	if (n != NULL)
		put(l, " type %s", n);
	else
		put(l, " type %u", pl->u.typed.type);
	if (pl->u.typed.type == IKE_ID_IPV4_ADDR && pl->u.typed.len == 4) {
		put(l, " ");
		put_addr(l, IKE_TS_IPV4_ADDR_RANGE, pl->u.typed.data);
	} else if (pl->u.typed.type == IKE_ID_IPV6_ADDR && pl->u.typed.len == 16) {
		put(l, " ");
		put_addr(l, IKE_TS_IPV6_ADDR_RANGE, pl->u.typed.data);
	} else if (pl->u.typed.type == IKE_ID_FQDN || pl->u.typed.type == IKE_ID_RFC822_ADDR) {
		put(l, " ");
		put_text(l, pl->u.typed.data, pl->u.typed.len);
	} else {
		put(l, " (%u octets)", pl->u.typed.len);
	}
}

static void put_notify(struct line *l, const struct ike_payload *pl)
{
	const char *n = NAME(notify_names, pl->u.notify.type);
	put(l, " type %u", pl->u.notify.type);
	if (n != NULL)
		put(l, " %s", n);
	if (pl->u.notify.spi_size > 0) {
		put(l, " proto %u spi ", pl->u.notify.proto);
		for (unsigned int k = 0; k < pl->u.notify.spi_size; k++)
			put(l, "%02x", pl->u.notify.spi[k]);
	}
	put(l, " data %u", pl->u.notify.len);
}

static void put_body(struct line *l, const struct ike_msg *m, const struct ike_payload *pl)
{
	switch (pl->type) {
	case IKE_PL_SA:
		put_sa(l, m, pl);
		break;
	case IKE_PL_KE:
		put(l, " dh %u data %u", pl->u.ke.group, pl->u.ke.len);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		put_id(l, pl);
		break;
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ:
		put(l, " encoding %u data %u", pl->u.typed.type, pl->u.typed.len);
		break;
	case IKE_PL_AUTH:
		put(l, " method %u data %u", pl->u.typed.type, pl->u.typed.len);
		break;
	case IKE_PL_NOTIFY:
		put_notify(l, pl);
		break;
	case IKE_PL_DELETE:
		put(l, " proto %u spis %u", pl->u.del.proto, pl->u.del.n_spi);
		for (unsigned int k = 0; k < pl->u.del.n_spi && k < 4; k++) {
			put(l, k == 0 ? " " : ",");
			for (unsigned int j = 0; j < pl->u.del.spi_size; j++)
				put(l, "%02x", pl->u.del.spis[k * pl->u.del.spi_size + j]);
		}
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		put_ts(l, m, pl);
		break;
	case IKE_PL_CP:
		put(l, " cfg %u attrs", pl->u.cp.type);
		for (unsigned int k = 0; k < pl->u.cp.n_attrs; k++)
			put(l, "%s%u/%u", k == 0 ? " " : ",", m->cp[pl->u.cp.first_attr + k].type,
			    m->cp[pl->u.cp.first_attr + k].len);
		break;
	case IKE_PL_SKF:
		put(l, " fragment %u/%u", pl->u.sk.number, pl->u.sk.total);
		break;
	default:
		break;
	}
}

size_t ike_trace_line(const struct ike_msg *m, unsigned int i, bool out, char *buf, size_t size)
{
	const struct ike_payload *pl = &m->pl[i];
	const char *x = NAME(exch_names, m->hdr.exchange), *t = NAME(pl_names, pl->type);
	struct line l = {buf, size, 0};
	if (size == 0)
		return 0;
	buf[0] = '\0';
	put(&l, "%s %s #%u %s spi_i ", out ? "out" : "in", x != NULL ? x : "exchange?",
	    m->hdr.msg_id, m->hdr.flags & IKE_FLAG_R ? "response" : "request");
	for (int k = 0; k < 8; k++)
		put(&l, "%02x", m->hdr.spi_i[k]);
	if (t != NULL)
		put(&l, " %s%s", pl->inner ? "inner " : "", t);
	else
		put(&l, " %spayload %u", pl->inner ? "inner " : "", pl->type);
	put(&l, " len %u%s", pl->len + IKE_PL_HDR_LEN, pl->critical ? " critical" : "");
	put_body(&l, m, pl);
	return l.len;
}

static void log_range(const struct ike_msg *m, unsigned int from, unsigned int to, bool out)
{
	char buf[512];
	for (unsigned int i = from; i < to; i++) {
		ike_trace_line(m, i, out, buf, sizeof(buf));
		IKE_LOG(DEBUG, "%s", buf);
	}
}

void ike_trace_msg(const struct ike_msg *m, bool out, bool inner)
{
	if (ike_trace_on())
		log_range(m, inner ? m->n_outer : 0, inner ? m->n : m->n_outer, out);
}

void ike_trace_wire(const uint8_t *msg, size_t len, bool out)
{
	static struct ike_msg m; /* control lcore only; 10 KiB off its stack */
	if (ike_trace_on() && ike_msg_parse(&m, msg, len) == 0)
		log_range(&m, 0, m.n_outer, out);
}

void ike_trace_plain(const struct ike_hdr *h, uint8_t first, const uint8_t *plain, size_t len)
{
	static struct ike_msg m;
	if (!ike_trace_on())
		return;
	memset(&m, 0, offsetof(struct ike_msg, pl));
	m.hdr = *h;
	m.sk = -1;
	if (ike_msg_parse_inner(&m, first, plain, len) == 0)
		log_range(&m, 0, m.n, true);
}
