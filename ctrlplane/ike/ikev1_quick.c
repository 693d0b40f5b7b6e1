/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_quick.c - Quick Mode (RFC 2409 5.5): the Phase 2 ESP SAs, both halves.
 *
 *   initiator                                        responder
 *   1  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] ->
 *                                    <- 2  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr]
 *                                                      [, N(RESPONDER-LIFETIME)]
 *   3  HDR*, HASH(3)                               ->
 *
 *   HASH(1) = prf(SKEYID_a, M-ID | the rest of message 1)
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | the rest of message 2)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 *
 * Keys: KEYMAT per direction, from the SPI of the receiving end (5.5), encryption key first.
 * Make-before-break: the responder installs both SAs when it sends message 2 (its inbound one
 * is then live before the initiator may use it); a new child takes its VTI at once, a rekey's
 * successor takes it from the old child when message 3 shows the initiator has the new SAs.
 * The initiator installs on message 2, both SAs, but a rekey's successor does not send yet: a
 * responder may install only on message 3 (strongSwan does), and what the hub sent on the new
 * SA before that would be lost. It takes over once the peer sends on it (ike_child_tick), the
 * peer deletes the old SA, or IKEV1_TAKEOVER_MS after message 3 (ikev1_info.c). The old child
 * keeps its inbound SA IKE_REKEY_OVERLAP_S, then is deleted with the peer (ike_child_tick).
 * A new child of a crypto map entry waits the same way before its entry sends (ike_acquire.c).
 *
 * Identities: the initiator's (IDci) and the responder's (IDcr) proxies must each lie inside
 * one configured selector of a child (IKEv1 has no narrowing); without them the SA is between
 * the two peers' addresses. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

static const char *peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->name : "?";
}

/* ---- identities (RFC 2407 4.6.2) ---- */

/* An ID payload body for a configured selector (any: the whole family of the path). */
static size_t id_of_ts(const struct ike_sa *sa, const struct cfg_ike_ts *ts, uint8_t *buf)
{
	uint8_t fam = ts != NULL ? ts->prefix.family : sa->path.family;
	size_t al = fam == AF_INET ? 4 : 16;
	unsigned int plen = ts != NULL ? ts->prefix.plen : 0;
	bool host = plen == al * 8;
	buf[0] = fam == AF_INET ? (host ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV4_ADDR_SUBNET)
				: (host ? IKEV1_ID_IPV6_ADDR : IKEV1_ID_IPV6_ADDR_SUBNET);
	buf[1] = ts != NULL ? ts->proto : 0;
	uint16_t port = ts != NULL && ts->port_lo == ts->port_hi ? ts->port_lo : 0;
	buf[2] = (uint8_t)(port >> 8);
	buf[3] = (uint8_t)port;
	memset(buf + 4, 0, 2 * al);
	if (ts != NULL)
		memcpy(buf + 4, ts->prefix.bytes, al);
	if (host)
		return 4 + al;
	for (unsigned int i = 0; i < plen; i++)
		buf[4 + al + i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return 4 + 2 * al;
}

/* A received ID body as an address range; false when it is no address identity. */
static bool ts_of_id(const uint8_t *b, size_t len, struct ike_ts *t, uint8_t *st, uint8_t *en)
{
	if (len < 4)
		return false;
	uint8_t type = b[0];
	bool v4 = type == IKEV1_ID_IPV4_ADDR || type == IKEV1_ID_IPV4_ADDR_SUBNET ||
		  type == IKEV1_ID_IPV4_ADDR_RANGE;
	bool v6 = type == IKEV1_ID_IPV6_ADDR || type == IKEV1_ID_IPV6_ADDR_SUBNET ||
		  type == IKEV1_ID_IPV6_ADDR_RANGE;
	size_t al = v4 ? 4 : 16;
	bool single = type == IKEV1_ID_IPV4_ADDR || type == IKEV1_ID_IPV6_ADDR;
	if ((!v4 && !v6) || len != 4 + (single ? al : 2 * al))
		return false;
	const uint8_t *a = b + 4, *x = b + 4 + al;
	for (size_t i = 0; i < al; i++) {
		bool subnet =
			type == IKEV1_ID_IPV4_ADDR_SUBNET || type == IKEV1_ID_IPV6_ADDR_SUBNET;
		st[i] = single ? a[i] : subnet ? (uint8_t)(a[i] & x[i]) : a[i];
		en[i] = single ? a[i] : subnet ? (uint8_t)(a[i] | (uint8_t)~x[i]) : x[i];
	}
	if (memcmp(st, en, al) > 0)
		return false;
	uint16_t port = (uint16_t)(b[2] << 8 | b[3]);
	*t = (struct ike_ts){
		.type = v4 ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE,
		.ip_proto = b[1],
		.start_port = port,
		.end_port = port != 0 ? port : 65535,
		.start = st,
		.end = en,
	};
	return true;
}

/* Is the proxy t inside one of cfg (none configured: anything of its family)? */
static bool inside(const struct ike_ts *t, const struct cfg_ike_ts *cfg, unsigned int n)
{
	static const struct cfg_ike_ts any[] = {
		{.prefix = {.family = AF_INET}, .port_hi = 65535},
		{.prefix = {.family = AF_INET6}, .port_hi = 65535},
	};
	static struct ike_ts_set out;
	size_t al = t->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
	if (n == 0) {
		cfg = any;
		n = RTE_DIM(any);
	}
	for (unsigned int i = 0; i < n; i++) {
		out.n = 0;
		ike_ts_meet(t, &cfg[i], &out);
		const struct ike_ts *o = &out.ts[0];
		if (out.n == 1 && memcmp(o->start, t->start, al) == 0 &&
		    memcmp(o->end, t->end, al) == 0 && o->start_port == t->start_port &&
		    o->end_port == t->end_port && (t->ip_proto == 0) == (o->ip_proto == 0))
			return true;
	}
	return false;
}

/* The proxy t as a route (when its range is a prefix): 1, or 0. */
static uint8_t rri_of(const struct ike_ts *t, struct ike_rri *r)
{
	size_t al = t->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;
	for (unsigned int p = 0; p <= al * 8; p++) {
		bool ok = true;
		for (size_t i = 0; i < al && ok; i++) {
			unsigned int bits = p > i * 8 ? p - (unsigned int)i * 8 : 0;
			uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
			ok = (t->start[i] & mask) == (t->end[i] & mask) &&
			     (t->start[i] & (uint8_t)~mask) == 0 &&
			     (uint8_t)(t->end[i] | mask) == 0xff;
		}
		if (ok) {
			r->family = al == 4 ? AF_INET : AF_INET6;
			r->plen = (uint8_t)p;
			memset(r->addr, 0, sizeof(r->addr));
			memcpy(r->addr, t->start, al);
			return 1;
		}
	}
	return 0;
}

/* Does the proxy t overlap one of cfg (none configured: anything)? */
static bool overlaps(const struct ike_ts *t, const struct cfg_ike_ts *cfg, unsigned int n)
{
	static struct ike_ts_set out;
	out.n = 0;
	for (unsigned int i = 0; i < n && out.n == 0; i++)
		ike_ts_meet(t, &cfg[i], &out);
	return n == 0 || out.n > 0;
}

/*
 * Our side's proxy for child cc: inside its local selectors; for a child of a VTI also any
 * proxy that overlaps them. A remote-access client told the split networks by Cisco Unity
 * proposes 0.0.0.0/0 and narrows its own policy to them (as Cisco servers expect); a VTI
 * routes by its routes, not by selectors, so nothing is widened on the hub.
 */
static bool ours_ok(const struct ike_ts *t, const struct cfg_ike_child *cc)
{
	return inside(t, cc->local_ts, cc->n_local_ts) ||
	       (cc->tunnel >= 0 && overlaps(t, cc->local_ts, cc->n_local_ts));
}

/* The peer's address as a proxy (a Quick Mode without identities, RFC 2409 5.5). */
static size_t id_of_addr(uint8_t family, const uint8_t *addr, uint8_t *buf)
{
	size_t al = family == AF_INET ? 4 : 16;
	buf[0] = family == AF_INET ? IKEV1_ID_IPV4_ADDR : IKEV1_ID_IPV6_ADDR;
	buf[1] = buf[2] = buf[3] = 0;
	memcpy(buf + 4, addr, al);
	return 4 + al;
}

/* ---- keys and install ---- */

/*
 * Both directions' KEYMAT (5.5) in the order ike_child_install reads (RFC 7296 2.17's: the
 * exchange initiator's outbound keys first), from the DH secret of PFS when there is one.
 */
static int keymat(const struct ike_sa *sa, const struct ikev1_x *x, const uint8_t *gqm,
		  size_t gqm_len, uint8_t *out, size_t *out_len)
{
	const struct ikev1_sa *v = sa->v1;
	size_t el = ike_child_encr_len(x->ch.encr, x->ch.encr_bits),
	       al = ike_child_integ_len(x->ch.integ), n = el + al;
	uint8_t spi_in[4], spi_out[4];
	rte_be32_t a = rte_cpu_to_be_32(x->spi_in), b = rte_cpu_to_be_32(x->ch.spi);
	memcpy(spi_in, &a, 4);
	memcpy(spi_out, &b, 4);
	if (el == 0 || 2 * n > 2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX))
		return -ENOTSUP;
	bool ours = x->kind == IKEV1_X_QM_I;
	/* the first half: initiator-to-responder, the SA the responder receives on */
	int rc = ikev1_qm_keymat(v->p1c.prf, v->skeyid_d, gqm, gqm_len, IKEV1_PROTO_ESP,
				 ours ? spi_out : spi_in, x->ni, x->ni_len, x->nr, x->nr_len, out,
				 n);
	if (rc == 0)
		rc = ikev1_qm_keymat(v->p1c.prf, v->skeyid_d, gqm, gqm_len, IKEV1_PROTO_ESP,
				     ours ? spi_in : spi_out, x->ni, x->ni_len, x->nr, x->nr_len,
				     out + n, n);
	*out_len = 2 * n;
	return rc;
}

/* The DH secret of PFS with the peer's KE of m (x->dh ours); its length, 0 without PFS. */
static int pfs_secret(struct ike_sa *sa, struct ikev1_x *x, const struct ikev1_msg *m, uint8_t *out,
		      size_t cap)
{
	const struct ikev1_payload *ke = ikev1_msg_find(m, IKEV1_PL_KE, NULL);
	if (x->ch.dh == 0)
		return ke == NULL ? 0 : -EPROTO;
	if (ke == NULL || ke->len != ike_dh_ke_len(x->ch.dh) ||
	    ike_dh_check_peer(x->ch.dh, ke->body, ke->len) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_BAD_KE);
		return -EPROTO;
	}
	if (x->dh == NULL && ike_dh_new(x->ch.dh, &x->dh) != 0)
		return -EIO;
	int n = ike_dh_derive(x->dh, ke->body, ke->len, out, cap);
	if (n <= 0)
		ikev1_count(sa->ike, IKEV1_DROP_BAD_KE);
	return n > 0 ? n : -EPROTO;
}

/* The child of sa configured as cc that is ACTIVE, or -1. */
static int active_of(const struct ike_sa *sa, const struct cfg_ike_child *cc)
{
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].cfg == cc && sa->child[i].state == IKE_CH_ACTIVE &&
		    sa->child[i].successor == 0)
			return (int)i;
	return -1;
}

/*
 * Install the child x negotiated (keys from km). A rekey's (or a second SA of an active
 * child's) result is installed unbound, as the successor of the active one.
 */
static int install(struct ike_sa *sa, struct ikev1_x *x, const uint8_t *km, int *idx)
{
	int old = x->rekey_of != 0 ? ike_child_by_spi_in(sa, x->rekey_of) : active_of(sa, x->cc);
	if (sa->n_child >= IKE_CHILD_MAX) {
		ikev1_count(sa->ike, IKEV1_DROP_FULL);
		return -ENOSPC;
	}
	struct ike_child *c = &sa->child[sa->n_child];
	memset(c, 0, sizeof(*c));
	c->cfg = x->cc;
	c->spi_in = x->spi_in;
	c->spi_out = x->ch.spi;
	c->encr = x->ch.encr;
	c->encr_bits = x->ch.encr_bits;
	c->integ = x->ch.integ;
	c->esn = x->ch.esn;
	c->transport = x->ch.transport;
	c->local_init = x->kind == IKEV1_X_QM_I;
	c->life_s = x->ch.life_s;
	c->life_kb = x->ch.life_kb;
	c->rri[0] = x->rri; /* injected for a template's clone or a Mode Config address */
	c->n_rri = x->n_rri;
	/*
	 * The responder binds at message 3, when the initiator has shown it has the SAs. The
	 * initiator binds a new child at once: a VTI had nothing to send on before, and what it
	 * sends before the peer installed on message 3 is what waiting would drop anyway (a
	 * crypto map entry holds its packets meanwhile: ike_acquire.c); a rekey's successor waits
	 * (ikev1_info.c), the old SA carrying the traffic meanwhile.
	 */
	bool now = old < 0 && x->kind == IKEV1_X_QM_I;
	c->state = now ? IKE_CH_ACTIVE : IKE_CH_NEW;
	int rc = ike_child_install(sa, c, km, now);
	if (rc != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_CHILD);
		return rc;
	}
	*idx = (int)sa->n_child++;
	if (old >= 0) { /* a rekey, counted when installed as IKEv2's are (ike_create.c) */
		sa->child[old].successor = c->spi_in;
		sa->ike->st.child_rekeys++;
	}
	sa->ike->st.v1_quick_modes++;
	return 0;
}

/* The child x installed takes over: from the old child it replaces, or as a new one. */
static void flip(struct ike_sa *sa, uint32_t spi_in)
{
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].successor == spi_in && sa->child[i].state == IKE_CH_ACTIVE) {
			ike_child_flip(sa, i);
			return;
		}
	int n = ike_child_by_spi_in(sa, spi_in);
	if (n >= 0 && sa->child[n].state == IKE_CH_NEW)
		ike_child_bind(sa, &sa->child[n]);
}

/* A life type (TV) and its duration (TLV of 4 octets) at life[ll]; the new length. */
static size_t put_life(uint8_t *life, size_t ll, uint8_t type, uint32_t v)
{
	rte_be32_t d = rte_cpu_to_be_32(v);
	const uint8_t a[8] = {0x80, IKEV1_A2_LIFE_TYPE, 0, type, 0, IKEV1_A2_LIFE_DUR, 0, 4};
	memcpy(life + ll, a, sizeof(a));
	memcpy(life + ll + sizeof(a), &d, 4);
	return ll + sizeof(a) + 4;
}

/*
 * Initiator: the responder's RESPONDER-LIFETIME (RFC 2407 4.6.3.1) for our SA lowers what it
 * accepted: pairs of life type and duration in the notify's data.
 */
static void responder_lifetime(const struct ikev1_msg *m, struct ikev1_p2_choice *ch)
{
	for (const struct ikev1_payload *n = ikev1_msg_find(m, IKEV1_PL_N, NULL); n != NULL;
	     n = ikev1_msg_find(m, IKEV1_PL_N, n)) {
		const uint8_t *d = n->u.n.data;
		if (n->u.n.type != IKEV1_N_RESPONDER_LIFETIME)
			continue;
		for (size_t off = 0; off + 12 <= n->u.n.data_len; off += 12) {
			const uint8_t *a = d + off;
			uint32_t v =
				(uint32_t)a[8] << 24 | (uint32_t)a[9] << 16 | a[10] << 8 | a[11];
			if (a[0] != 0x80 || a[1] != IKEV1_A2_LIFE_TYPE || a[4] != 0 ||
			    a[5] != IKEV1_A2_LIFE_DUR || a[6] != 0 || a[7] != 4 || v == 0)
				break; /* only the form this hub sends is read */
			uint32_t *l = a[3] == IKEV1_LIFE_SECONDS ? &ch->life_s
				      : a[3] == IKEV1_LIFE_KB	 ? &ch->life_kb
								 : NULL;
			if (l != NULL && (*l == 0 || v < *l))
				*l = v;
		}
	}
}

/* ---- initiator ---- */

static uint16_t encap_of(const struct ike_sa *sa, bool transport)
{
	if (!sa->natt)
		return transport ? IKEV1_ENCAP_TRANSPORT : IKEV1_ENCAP_TUNNEL;
	if (sa->v1->natt_rfc)
		return transport ? IKEV1_ENCAP_UDP_TRANSPORT : IKEV1_ENCAP_UDP_TUNNEL;
	return transport ? IKEV1_ENCAP_UDP_TRANSPORT_DRAFT : IKEV1_ENCAP_UDP_TUNNEL_DRAFT;
}

static uint32_t life_of(const struct cfg_ike_child *cc)
{
	return cc->life_time != 0 ? cc->life_time : cc->rekey_time;
}

/* The kilobytes a child's SAs live: rekey_bytes is 9/10 of it (as rekey_time of the time). */
static uint32_t life_kb_of(const struct cfg_ike_child *cc)
{
	uint64_t kb = (cc->rekey_bytes / 9 * 10 + 1023) / 1024;
	return kb > UINT32_MAX ? UINT32_MAX : (uint32_t)kb;
}

int ikev1_quick_start(struct ike_sa *sa, const struct cfg_ike_child *cc, uint32_t rekey_of)
{
	uint8_t plain[4096], ke[1024];
	struct ikev1_wr w;
	size_t at, len;
	bool transport = cc->mode == CFG_SA_TRANSPORT;
	uint16_t pfs = cc->n_esp > 0 && cc->esp[0].n_dh > 0 ? cc->esp[0].dh[0] : 0;
	uint32_t id = ikev1_msg_id(sa);
	struct ikev1_x *x = ikev1_x_new(sa, id);
	if (x == NULL) {
		ikev1_count(sa->ike, IKEV1_DROP_FULL);
		return -ENOSPC;
	}
	x->kind = IKEV1_X_QM_I;
	x->cc = cc;
	x->rekey_of = rekey_of;
	x->spi_in = ike_child_spi();
	x->ni_len = IKEV1_NONCE;
	rte_be32_t idb = rte_cpu_to_be_32(id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	int rc = RAND_bytes(x->ni, IKEV1_NONCE) == 1 ? 0 : -EIO;
	int ke_len = 0;
	if (rc == 0 && pfs != 0)
		rc = ike_dh_new(pfs, &x->dh) == 0 &&
				     (ke_len = ike_dh_public(x->dh, ke, sizeof(ke))) > 0
			     ? 0
			     : -EIO;
	x->idci_len = (uint8_t)id_of_ts(sa, cc->n_local_ts ? &cc->local_ts[0] : NULL, x->idci);
	x->idcr_len = (uint8_t)id_of_ts(sa, cc->n_remote_ts ? &cc->remote_ts[0] : NULL, x->idcr);
	if (rc == 0)
		rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_hash_begin(&w, sa, &at);
	if (rc == 0)
		rc = ikev1_p2_offer(&w, cc->esp, cc->n_esp, x->spi_in, pfs, encap_of(sa, transport),
				    life_of(cc), life_kb_of(cc));
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_NONCE, x->ni, x->ni_len);
	if (rc == 0 && pfs != 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_KE, ke, (size_t)ke_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, x->idci, x->idci_len);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, x->idcr, x->idcr_len);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_hash_fill(sa, plain, len, at, &pre, 1);
	if (rc == 0)
		rc = ikev1_seal_send(sa, x, IKEV1_EXCH_QUICK, id, IKEV1_PL_HASH, plain, len, true);
	if (rc != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		ikev1_x_free(x);
		return rc;
	}
	IKE_LOG(INFO, "IKEv1 peer %s: Quick Mode 0x%08x for child %s%s", peer_name(sa), id,
		cc->name, rekey_of != 0 ? " (rekey)" : "");
	return 0;
}

/* Initiator, message 2: accepted, keyed, installed; message 3. */
static void qm2_in(struct ike_sa *sa, struct ikev1_x *x, const struct ikev1_msg *m,
		   const uint8_t *plain, size_t plain_len, const uint8_t *iv_after)
{
	uint8_t km[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)], gqm[1024], out[256];
	rte_be32_t idb = rte_cpu_to_be_32(x->msg_id);
	const struct ike_chunk pre[] = {{(const uint8_t *)&idb, 4}, {x->ni, x->ni_len}};
	const struct ikev1_payload *sap = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	const struct ikev1_payload *no = ikev1_msg_find(m, IKEV1_PL_NONCE, NULL);
	size_t km_len = 0;
	int idx = -1;
	if (!ikev1_hash_check(sa, m, plain, plain_len, pre, 2)) {
		ikev1_count(sa->ike, IKEV1_DROP_HASH);
		return;
	}
	memcpy(x->iv, iv_after, sa->v1->block);
	ikev1_x_received(x);
	sa->last_rx_tsc = ike_now(sa->ike);
	int rc = sap != NULL && no != NULL && no->len >= 8 && no->len <= IKE_NONCE_MAX ? 0
										       : -EBADMSG;
	if (rc == 0)
		rc = ikev1_p2_accept(m, sap, x->cc->esp, x->cc->n_esp,
				     x->cc->mode == CFG_SA_TRANSPORT, sa->natt,
				     sa->ike->cfg->ipsec_legacy, &x->ch);
	if (rc != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NO_P2_PROPOSAL);
		ikev1_x_free(x);
		return;
	}
	memcpy(x->nr, no->body, no->len);
	x->nr_len = no->len;
	responder_lifetime(m, &x->ch);
	int n = pfs_secret(sa, x, m, gqm, sizeof(gqm));
	if (n >= 0)
		rc = keymat(sa, x, n > 0 ? gqm : NULL, (size_t)n, km, &km_len);
	if (n < 0 || rc != 0 || install(sa, x, km, &idx) != 0) {
		OPENSSL_cleanse(km, sizeof(km));
		OPENSSL_cleanse(gqm, sizeof(gqm));
		ikev1_x_free(x);
		return;
	}
	OPENSSL_cleanse(km, sizeof(km));
	OPENSSL_cleanse(gqm, sizeof(gqm));
	/* a new child is bound already; a rekey's successor waits until the peer has it */
	/* message 3: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	static const uint8_t zero;
	const struct ike_chunk h3[] = {
		{&zero, 1}, {(const uint8_t *)&idb, 4}, {x->ni, x->ni_len}, {x->nr, x->nr_len}};
	uint8_t hash[IKE_PRF_MAX];
	struct ikev1_wr w;
	size_t len;
	rc = ike_prf(sa->v1->p1c.prf, sa->v1->skeyid_a, sa->v1->hash_len, h3, 4, hash);
	if (rc == 0)
		rc = ikev1_wr_init_plain(&w, out, sizeof(out));
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_HASH, hash, sa->v1->hash_len);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_seal_send(sa, x, IKEV1_EXCH_QUICK, x->msg_id, IKEV1_PL_HASH, out, len,
				     false);
	ikev1_x_done(sa, x);
}

/* ---- responder ---- */

struct qm_offer {
	const struct ikev1_payload *sa, *ni, *idci, *idcr;
	struct ike_ts ci, cr;
	uint8_t addr[4][16];
};

/* The identities of message 1 as proxies (or the peers' addresses); false: malformed. */
static bool proxies(const struct ike_sa *sa, const struct ikev1_msg *m, struct qm_offer *o)
{
	uint8_t b[2][20];
	o->idci = ikev1_msg_find(m, IKEV1_PL_ID, NULL);
	o->idcr = o->idci != NULL ? ikev1_msg_find(m, IKEV1_PL_ID, o->idci) : NULL;
	if (o->idci == NULL) { /* 5.5: the ISAKMP peers' addresses */
		size_t l1 = id_of_addr(sa->path.family, sa->path.remote, b[0]);
		size_t l2 = id_of_addr(sa->path.family, sa->path.local, b[1]);
		return ts_of_id(b[0], l1, &o->ci, o->addr[0], o->addr[1]) &&
		       ts_of_id(b[1], l2, &o->cr, o->addr[2], o->addr[3]);
	}
	return o->idcr != NULL &&
	       ts_of_id(o->idci->body, o->idci->len, &o->ci, o->addr[0], o->addr[1]) &&
	       ts_of_id(o->idcr->body, o->idcr->len, &o->cr, o->addr[2], o->addr[3]) &&
	       o->ci.type == o->cr.type;
}

/* The child whose selectors hold the proxies and whose proposals one of the peer's meets. */
static const struct cfg_ike_child *select_child(struct ike_sa *sa, const struct ikev1_msg *m,
						const struct qm_offer *o,
						struct ikev1_p2_choice *ch, bool *ids_ok,
						bool *malformed)
{
	*ids_ok = *malformed = false;
	for (unsigned int i = 0; i < sa->peer->n_children; i++) {
		const struct cfg_ike_child *cc = &sa->peer->children[i];
		struct cfg_ike_ts vip[2];
		const struct cfg_ike_ts *rem = cc->remote_ts;
		unsigned int n_rem = cc->n_remote_ts;
		if (cc->remote_dynamic) { /* the address Mode Config gave the peer */
			n_rem = ike_ts_vip(sa, vip);
			rem = vip;
			if (n_rem == 0)
				continue;
		}
		if (!inside(&o->ci, rem, n_rem) || !ours_ok(&o->cr, cc))
			continue;
		*ids_ok = true;
		int rc = ikev1_p2_choose(m, o->sa, cc->esp, cc->n_esp, cc->mode == CFG_SA_TRANSPORT,
					 sa->natt, life_of(cc), life_kb_of(cc),
					 sa->ike->cfg->ipsec_legacy, ch);
		if (rc == 0)
			return cc;
		if (rc == -EINVAL) { /* the SA payload itself is broken (an SPI of 0, ...) */
			*malformed = true;
			return NULL;
		}
	}
	return NULL;
}

static void refuse(struct ike_sa *sa, const struct ikev1_msg *m, const struct qm_offer *o,
		   bool ids_ok)
{
	char theirs[512], ours[512];
	if (!ids_ok) {
		ikev1_count(sa->ike, IKEV1_DROP_TS);
		IKE_LOG(WARNING, "IKEv1 peer %s: Quick Mode identities fit no child's selectors",
			peer_name(sa));
		ikev1_info_send(sa, IKEV1_N_INVALID_ID_INFO, IKEV1_PROTO_ESP, NULL, 0, NULL, 0);
		return;
	}
	ikev1_count(sa->ike, IKEV1_DROP_NO_P2_PROPOSAL);
	ikev1_p2_offered_str(m, o->sa, theirs, sizeof(theirs));
	ours[0] = '\0';
	size_t n = 0;
	for (unsigned int i = 0; i < sa->peer->n_children && n + 2 < sizeof(ours); i++) {
		const struct cfg_ike_child *cc = &sa->peer->children[i];
		n += (size_t)snprintf(ours + n, sizeof(ours) - n, "%s%s: ", i ? "; " : "",
				      cc->name);
		if (n < sizeof(ours))
			n += ikev1_p2_config_str(cc->esp, cc->n_esp, ours + n, sizeof(ours) - n);
	}
	IKE_LOG(WARNING,
		"IKEv1 peer %s: phase 2 proposal not acceptable: it offers %s; %s takes %s%s",
		peer_name(sa), theirs, peer_name(sa), ours, sa->natt ? " (UDP-encapsulated)" : "");
	ikev1_info_send(sa, IKEV1_N_NO_PROPOSAL_CHOSEN, IKEV1_PROTO_ESP, NULL, 0, NULL, 0);
}

/* Message 2 for x (installed as child idx): HASH(2), SA, Nr, [KE], [IDs], [lifetime]. */
static int send_qm2(struct ike_sa *sa, struct ikev1_x *x, const struct qm_offer *o,
		    const uint8_t *ke, size_t ke_len)
{
	uint8_t plain[4096], life[24]; /* two life types, each with its duration */
	struct ikev1_wr w;
	size_t at, len, ll = 0;
	rte_be32_t idb = rte_cpu_to_be_32(x->msg_id);
	const struct ike_chunk pre[] = {{(const uint8_t *)&idb, 4}, {x->ni, x->ni_len}};
	int rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_hash_begin(&w, sa, &at);
	if (rc == 0)
		rc = ikev1_p2_write(&w, &x->ch, x->spi_in);
	if (rc == 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_NONCE, x->nr, x->nr_len);
	if (rc == 0 && ke_len != 0)
		rc = ikev1_wr_payload(&w, IKEV1_PL_KE, ke, ke_len);
	if (rc == 0 && o->idci != NULL)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, o->idci->body, o->idci->len);
	if (rc == 0 && o->idci != NULL)
		rc = ikev1_wr_payload(&w, IKEV1_PL_ID, o->idcr->body, o->idcr->len);
	if (rc == 0 && x->ch.life_reduced) { /* RFC 2407 4.6.3.1: life type and duration */
		ll = put_life(life, ll, IKEV1_LIFE_SECONDS, x->ch.life_s);
		if (x->ch.life_kb != 0)
			ll = put_life(life, ll, IKEV1_LIFE_KB, x->ch.life_kb);
		uint8_t spi[4];
		rte_be32_t s = rte_cpu_to_be_32(x->spi_in);
		memcpy(spi, &s, 4);
		rc = ikev1_wr_notify(&w, IKEV1_PROTO_ESP, spi, 4, IKEV1_N_RESPONDER_LIFETIME, life,
				     ll);
	}
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_hash_fill(sa, plain, len, at, pre, 2);
	if (rc == 0)
		rc = ikev1_seal_send(sa, x, IKEV1_EXCH_QUICK, x->msg_id, IKEV1_PL_HASH, plain, len,
				     true);
	return rc;
}

/* Responder, message 1: a child chosen, keyed and installed; message 2. */
static void qm1_in(struct ike_sa *sa, const struct ikev1_msg *m, const uint8_t *plain,
		   size_t plain_len, const uint8_t *iv_after)
{
	uint8_t km[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)], gqm[1024], ke[1024];
	rte_be32_t idb = rte_cpu_to_be_32(m->hdr.msg_id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	struct qm_offer o = {0};
	struct ikev1_p2_choice ch;
	size_t km_len = 0;
	int ke_len = 0, idx = -1;
	bool ids_ok;
	if (!ikev1_hash_check(sa, m, plain, plain_len, &pre, 1)) {
		ikev1_count(sa->ike, IKEV1_DROP_HASH);
		return;
	}
	if (!ikev1_cfg_ready(sa)) { /* XAUTH first (xauth-02 5) */
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
		return;
	}
	sa->last_rx_tsc = ike_now(sa->ike);
	o.sa = ikev1_msg_find(m, IKEV1_PL_SA, NULL);
	o.ni = ikev1_msg_find(m, IKEV1_PL_NONCE, NULL);
	if (o.sa == NULL || o.ni == NULL || o.ni->len < 8 || o.ni->len > IKE_NONCE_MAX ||
	    !proxies(sa, m, &o)) {
		ikev1_count(sa->ike, IKEV1_DROP_PARSE);
		return;
	}
	bool malformed;
	const struct cfg_ike_child *cc = select_child(sa, m, &o, &ch, &ids_ok, &malformed);
	if (cc == NULL && malformed) {
		ikev1_count(sa->ike, IKEV1_DROP_PARSE); /* dropped: nothing to say "no" to */
		return;
	}
	if (cc == NULL) {
		refuse(sa, m, &o, ids_ok);
		return;
	}
	struct ikev1_x *x = ikev1_x_answer(sa, m->hdr.msg_id, iv_after);
	if (x == NULL)
		return;
	x->kind = IKEV1_X_QM_R;
	x->cc = cc;
	x->ch = ch;
	memcpy(x->ni, o.ni->body, o.ni->len);
	x->ni_len = o.ni->len;
	x->nr_len = IKEV1_NONCE;
	x->n_rri = rri_of(&o.ci, &x->rri);
	x->spi_in = ike_child_spi();
	int n = RAND_bytes(x->nr, IKEV1_NONCE) == 1 ? pfs_secret(sa, x, m, gqm, sizeof(gqm)) : -EIO;
	if (n > 0)
		ke_len = ike_dh_public(x->dh, ke, sizeof(ke));
	int rc = n >= 0 && ke_len >= 0 ? keymat(sa, x, n > 0 ? gqm : NULL, (size_t)n, km, &km_len)
				       : -EPROTO;
	if (rc == 0)
		rc = install(sa, x, km, &idx);
	OPENSSL_cleanse(km, sizeof(km));
	OPENSSL_cleanse(gqm, sizeof(gqm));
	if (rc == 0)
		rc = send_qm2(sa, x, &o, ke, (size_t)ke_len);
	if (rc != 0) {
		if (idx >= 0) {
			ike_child_remove(sa, &sa->child[idx]);
			ike_child_forget(sa, (unsigned int)idx);
		}
		ikev1_x_free(x);
	}
}

/* Responder, message 3: the initiator has the SAs; a rekey's successor takes over. */
static void qm3_in(struct ike_sa *sa, struct ikev1_x *x, const struct ikev1_msg *m,
		   const uint8_t *iv_after)
{
	static const uint8_t zero;
	uint8_t want[IKE_PRF_MAX];
	rte_be32_t idb = rte_cpu_to_be_32(x->msg_id);
	const struct ike_chunk h3[] = {
		{&zero, 1}, {(const uint8_t *)&idb, 4}, {x->ni, x->ni_len}, {x->nr, x->nr_len}};
	const struct ikev1_payload *h = m->n > 0 ? &m->pl[0] : NULL;
	bool ok = h != NULL && h->type == IKEV1_PL_HASH && h->len == sa->v1->hash_len &&
		  ike_prf(sa->v1->p1c.prf, sa->v1->skeyid_a, sa->v1->hash_len, h3, 4, want) == 0 &&
		  CRYPTO_memcmp(want, h->body, h->len) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	if (!ok) {
		ikev1_count(sa->ike, IKEV1_DROP_HASH);
		return;
	}
	memcpy(x->iv, iv_after, sa->v1->block);
	ikev1_x_received(x);
	sa->last_rx_tsc = ike_now(sa->ike);
	flip(sa, x->spi_in);
	OPENSSL_clear_free(x->tx, x->tx_len); /* nothing answers message 3 */
	x->tx = NULL;
	x->tx_len = 0;
	ikev1_x_done(sa, x);
}

void ikev1_quick_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain,
		       size_t plain_len, const uint8_t *iv_after)
{
	struct ikev1_x *x = ikev1_x_find(sa, m->hdr.msg_id);
	if (x == NULL)
		qm1_in(sa, m, plain, plain_len, iv_after);
	else if (x->kind == IKEV1_X_QM_I)
		qm2_in(sa, x, m, plain, plain_len, iv_after);
	else if (x->kind == IKEV1_X_QM_R)
		qm3_in(sa, x, m, iv_after);
	else
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
}

/* ---- lifetimes ---- */

void ikev1_on_expiry(struct ike_sa *sa, unsigned int i, bool hard)
{
	struct ike_child *ch = &sa->child[i];
	if (hard) { /* too late to rekey (RFC 4301 4.4.2.1): the pair goes, the peer is told */
		rte_be32_t spi = rte_cpu_to_be_32(ch->spi_in);
		if (ch->state == IKE_CH_ACTIVE && ch->successor != 0)
			ike_child_flip(sa, i); /* the VTI goes to the successor, not unbound */
		else if (ch->state != IKE_CH_OLD)
			IKE_LOG(WARNING, "IKEv1 child %s of %s: hard lifetime reached, deleted",
				ch->cfg->name, peer_name(sa));
		ike_child_remove(sa, ch);
		ike_child_forget(sa, i);
		ikev1_delete_send(sa, IKEV1_PROTO_ESP, (const uint8_t *)&spi, 4, 1);
		return;
	}
	if (ch->state != IKE_CH_ACTIVE || ch->successor != 0 || sa->v1->p1 != IKEV1_QM_IDLE)
		return;
	for (unsigned int k = 0; k < IKEV1_X_MAX; k++) /* its rekey already under way */
		if (sa->v1->x[k].kind == IKEV1_X_QM_I && sa->v1->x[k].rekey_of == ch->spi_in)
			return;
	ikev1_quick_start(sa, ch->cfg, ch->spi_in);
}

void ikev1_child_retired(struct ike_sa *sa, const struct ike_child *ch)
{
	rte_be32_t spi = rte_cpu_to_be_32(ch->spi_in);
	ikev1_delete_send(sa, IKEV1_PROTO_ESP, (const uint8_t *)&spi, 4, 1);
}
