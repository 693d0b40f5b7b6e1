/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_auth.c - IKE_AUTH, the responder's half (RFC 7296 1.2, 2.15, 2.21.2), with
 * pre-shared keys or, for a peer with auth: pubkey, certificates and signatures (ike_cert.c), and
 * the first Child SA it carries (2.9 narrowing, 2.17 keys).
 *
 * The peer is the configured one whose addresses and remote ID match the IDi payload (a
 * wildcard peer is chosen by ID, 2.15); its AUTH must be prf(prf(PSK, "Key Pad for IKEv2"),
 * RealMessage1 | NonceRData | prf(SK_pi, IDi')), compared in constant time. A failure is
 * answered with AUTHENTICATION_FAILED and the IKE SA is gone (2.21.2). Otherwise the IKE SA is
 * established whatever becomes of the child: a child that cannot be agreed is refused with
 * its own notification (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE) in the same response.
 * Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_hash.h>

#include "crypto/ike_cert.h"
#include "ctrlplane/ike/ike_cert.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/log.h"

static bool id_match(const struct cfg_ike_id *want, const struct ike_payload *id)
{
	if (want->type == CFG_IKE_ID_NONE)
		return true;
	if (want->type == CFG_IKE_ID_DN) /* RFC 5280 7.1: names compare in a canonical form */
		return id->u.typed.type == IKE_ID_DER_ASN1_DN &&
		       ike_cert_dn_equal(want->data, want->len, id->u.typed.data, id->u.typed.len);
	return id->u.typed.type == want->type && id->u.typed.len == want->len &&
	       memcmp(id->u.typed.data, want->data, want->len) == 0;
}

/* The peer the IDi names among those the IKE SA's addresses allow. */
static const struct cfg_ike_peer *peer_by_id(const struct ike_sa *sa, const struct ike_payload *id)
{
	const struct config *cfg = sa->ike->cfg;
	const struct ike_path *p = &sa->path;
	size_t alen = p->family == AF_INET ? 4 : 16;
	const struct cfg_ike_peer *any = NULL;
	for (unsigned int i = 0; i < cfg->n_ike_peers; i++) {
		const struct cfg_ike_peer *q = &cfg->ike_peers[i];
		/* an IKEv1 peer is never one for IKEv2: its key must not open a door its
		 * config keeps shut (XAUTH of an Easy VPN group) */
		if (q->version != 2 || q->local.family != p->family ||
		    memcmp(q->local.bytes, p->local, alen) != 0 || !id_match(&q->remote_id, id))
			continue;
		if (q->remote.family == p->family && memcmp(q->remote.bytes, p->remote, alen) == 0)
			return q;
		if (q->remote.family == 0 && any == NULL)
			any = q;
	}
	return any;
}

/* Our ID payload body (3.5): type, three reserved octets, the identification data. */
static size_t our_id(const struct ike_sa *sa, uint8_t *body)
{
	const struct cfg_ike_id *id = &sa->peer->local_id;
	memset(body, 0, 4);
	if (id->type == CFG_IKE_ID_NONE) {
		size_t n = sa->path.family == AF_INET ? 4 : 16;
		body[0] = sa->path.family == AF_INET ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		memcpy(body + 4, sa->path.local, n);
		return 4 + n;
	}
	body[0] = id->type;
	memcpy(body + 4, id->data, id->len);
	return 4 + id->len;
}

/* One side's PSK AUTH value (2.15) over msg, the other side's nonce and this side's ID. */
static int psk_auth(const struct ike_sa *sa, bool initiator, const uint8_t *id_body, size_t id_len,
		    uint8_t *out)
{
	struct ike_signed_octets so = {
		.msg = initiator ? sa->init_req : sa->init_resp,
		.msg_len = initiator ? sa->init_req_len : sa->init_resp_len,
		.nonce = initiator ? sa->nr : sa->ni,
		.nonce_len = initiator ? sa->nr_len : sa->ni_len,
		.sk_p = initiator ? sa->keys.sk_pi : sa->keys.sk_pr,
		.sk_p_len = sa->keys.d_len,
		.id_body = id_body,
		.id_len = id_len,
	};
	return ike_psk_auth(sa->prf, sa->peer->psk, sa->peer->psk_len, &so, out);
}

/*
 * The peer's AUTH, checked against its PSK: the ID payload body is type | 3 reserved | data.
 * The peer is the initiator when the hub is not.
 */
static bool verify(const struct ike_sa *sa, const struct ike_payload *idi,
		   const struct ike_payload *auth)
{
	uint8_t want[IKE_PRF_MAX];
	size_t plen = ike_prf_len(sa->prf);
	if (auth->u.typed.type != IKE_AUTH_SHARED_KEY || auth->u.typed.len != plen)
		return false;
	bool ok = psk_auth(sa, !sa->initiator, idi->body, idi->len, want) == 0 &&
		  CRYPTO_memcmp(want, auth->u.typed.data, plen) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/*
 * The peer's AUTH, by PSK or by certificate (ike_cert.c): -1 when it holds, else the drop
 * reason; a certificate's failure is put into why (a PSK's is the caller's to say).
 */
static int check_auth(const struct ike_sa *sa, const struct ike_msg *m,
		      const struct ike_payload *id, const struct ike_payload *auth, char *why,
		      size_t why_len)
{
	if (sa->peer->auth == CFG_IKE_AUTH_PUBKEY)
		return ike_cert_auth_check(sa, m, id, auth, why, why_len);
	return verify(sa, id, auth) ? -1 : IKE_DROP_AUTH;
}

/* Our AUTH for our ID payload body id: the PSK's, or certificates and a signature. */
static int write_auth(struct ike_sa *sa, const uint8_t *id, size_t id_len, struct ike_wr *w)
{
	uint8_t auth[IKE_PRF_MAX];
	int rc;

	if (sa->peer->auth == CFG_IKE_AUTH_PUBKEY)
		return ike_cert_auth_write(sa, id, id_len, w);
	rc = psk_auth(sa, sa->initiator, id, id_len, auth);
	if (rc == 0)
		rc = ike_wr_auth(w, IKE_AUTH_SHARED_KEY, auth, ike_prf_len(sa->prf));
	OPENSSL_cleanse(auth, sizeof(auth));
	return rc;
}

/* Negotiate, install and describe the first Child SA; 0, or the notification refusing it. */
static uint16_t child(struct ike_sa *sa, const struct ike_msg *m, struct ike_wr *w)
{
	static struct ike_ts_set tsi, tsr;
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	struct ike_choice ch;
	uint8_t keymat[2 * (36 + 64)];
	if (sap == NULL || sa->n_child == IKE_CHILD_MAX)
		return IKE_N_NO_PROPOSAL_CHOSEN;
	const struct cfg_ike_child *cc = ike_child_select(sa, m, NULL, &tsi, &tsr);
	if (cc == NULL)
		return IKE_N_TS_UNACCEPTABLE;
	if (ike_prop_choose_esp(m, sap, cc->esp, cc->n_esp, false, &ch) != 0) {
		ike_log_child_refused(sa, m, sap, cc);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	struct ike_child *c = &sa->child[sa->n_child];
	memset(c, 0, sizeof(*c));
	c->cfg = cc;
	c->spi_out = (uint32_t)ch.spi[0] << 24 | (uint32_t)ch.spi[1] << 16 |
		     (uint32_t)ch.spi[2] << 8 | ch.spi[3];
	c->encr = ch.encr;
	c->encr_bits = ch.encr_bits;
	c->integ = ch.integ;
	c->esn = ch.esn == 1;
	c->transport =
		cc->mode == CFG_SA_TRANSPORT && ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	c->n_rri = (uint8_t)ike_ts_rri(&tsi, c->rri, IKE_RRI_MAX); /* the peer's side */
	size_t kl = ike_child_keymat_len(c);
	int rc = kl <= sizeof(keymat)
			 ? ike_child_keymat(sa->prf, sa->keys.sk_d, sa->keys.d_len, NULL, 0, sa->ni,
					    sa->ni_len, sa->nr, sa->nr_len, keymat, kl)
			 : -EINVAL;
	if (rc == 0)
		rc = ike_child_install(sa, c, keymat, true);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc != 0) {
		ike_count(sa->ike, IKE_DROP_CHILD);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	sa->n_child++;
	ike_child_describe(w, c, &ch, &tsi, &tsr);
	return 0;
}

/* The attributes a configuration reply carries, and the storage their values point into. */
struct cp_reply {
	struct ike_cp_attr a[2 * (1 + CFG_IKE_POOL_DNS_MAX + CFG_IKE_POOL_SPLIT_MAX)];
	uint8_t val[2 * CFG_IKE_POOL_SPLIT_MAX + 1][17];
	unsigned int n, n_val;
};

static bool cp_asks(const struct ike_msg *m, const struct ike_payload *cp, uint16_t type)
{
	for (unsigned int i = 0; i < cp->u.cp.n_attrs; i++)
		if (m->cp[cp->u.cp.first_attr + i].type == type)
			return true;
	return false;
}

/* The DNS servers and split networks of pool that are of family af (3.15.1). */
static void cp_pool_extras(struct cp_reply *r, const struct cfg_ike_pool *pool, int af)
{
	bool v4 = af == AF_INET;
	for (unsigned int i = 0; i < pool->n_dns; i++)
		if (pool->dns[i].family == af)
			r->a[r->n++] = (struct ike_cp_attr){v4 ? IKE_CFG_INTERNAL_IP4_DNS
							       : IKE_CFG_INTERNAL_IP6_DNS,
							    v4 ? 4 : 16, pool->dns[i].bytes};
	for (unsigned int i = 0; i < pool->n_split; i++) {
		const struct cfg_addr *s = &pool->split[i];
		uint8_t *v = r->val[r->n_val];
		if (s->family != af)
			continue;
		r->n_val++;
		if (v4) { /* address and netmask */
			uint32_t mask = s->plen ? rte_cpu_to_be_32(~0u << (32 - s->plen)) : 0;
			memcpy(v, s->bytes, 4);
			memcpy(v + 4, &mask, 4);
		} else { /* address and prefix length */
			memcpy(v, s->bytes, 16);
			v[16] = s->plen;
		}
		r->a[r->n++] = (struct ike_cp_attr){v4 ? IKE_CFG_INTERNAL_IP4_SUBNET
						       : IKE_CFG_INTERNAL_IP6_SUBNET,
						    v4 ? 8 : 17, v};
	}
}

/* An IPv4 address from the peer's pool into sa->vip (kept if it has one already). */
static bool cp_take4(struct ike_sa *sa)
{
	int k = sa->peer->pool;
	if (sa->vip_pool < 0 && ike_pool_take(sa->ike, k, sa->vip) != 0) {
		IKE_LOG(WARNING, "peer %s: pool %s exhausted", sa->peer->name,
			sa->ike->cfg->ike_pools[k].name);
		return false;
	}
	sa->vip_pool = k;
	return true;
}

static bool cp_take6(struct ike_sa *sa)
{
	int k = sa->peer->pool6;
	if (!sa->vip6_set && ike_pool_take(sa->ike, k, sa->vip6) != 0) {
		IKE_LOG(WARNING, "peer %s: pool %s exhausted", sa->peer->name,
			sa->ike->cfg->ike_pools[k].name);
		return false;
	}
	sa->vip6_set = true;
	return true;
}

/*
 * A configuration request (3.15.1) from a peer with a pool: an address of each family it asks
 * for and has a pool of (an IPv4 one when it names no address attribute at all), with those
 * pools' DNS servers and split networks. INTERNAL_IP6_ADDRESS is the address and a prefix
 * length: the pool's, so the peer knows which addresses are on-link to it. 0 (nothing asked,
 * or answered into w) or INTERNAL_ADDRESS_FAILURE when no asked-for address could be given.
 */
static uint16_t config_reply(struct ike_sa *sa, const struct ike_msg *m, struct ike_wr *w)
{
	const struct ike_payload *cp = ike_msg_find(m, IKE_PL_CP, NULL);
	const struct config *cfg = sa->ike->cfg;
	struct cp_reply r = {.n = 0};
	if (cp == NULL || cp->u.cp.type != IKE_CFG_REQUEST ||
	    (sa->peer->pool < 0 && sa->peer->pool6 < 0))
		return 0;
	bool ask6 = cp_asks(m, cp, IKE_CFG_INTERNAL_IP6_ADDRESS);
	bool ask4 = cp_asks(m, cp, IKE_CFG_INTERNAL_IP4_ADDRESS) || !ask6;
	if (ask4 && sa->peer->pool >= 0 && cp_take4(sa)) {
		r.a[r.n++] = (struct ike_cp_attr){IKE_CFG_INTERNAL_IP4_ADDRESS, 4, sa->vip};
		cp_pool_extras(&r, &cfg->ike_pools[sa->peer->pool], AF_INET);
	}
	if (ask6 && sa->peer->pool6 >= 0 && cp_take6(sa)) {
		uint8_t *v = r.val[r.n_val++];
		memcpy(v, sa->vip6, 16);
		v[16] = cfg->ike_pools[sa->peer->pool6].prefix.plen;
		r.a[r.n++] = (struct ike_cp_attr){IKE_CFG_INTERNAL_IP6_ADDRESS, 17, v};
		cp_pool_extras(&r, &cfg->ike_pools[sa->peer->pool6], AF_INET6);
	}
	if (r.n == 0) /* nothing it asked for could be given */
		return IKE_N_INTERNAL_ADDRESS_FAILURE;
	return ike_wr_cp(w, IKE_CFG_REPLY, r.a, r.n) == 0 ? 0 : IKE_N_INTERNAL_ADDRESS_FAILURE;
}

/* 2.21.2: AUTHENTICATION_FAILED in the response, then the IKE SA is no more. */
static void refuse(struct ike_sa *sa, const struct ike_msg *m, struct ike_wr *w, int drop,
		   const char *why)
{
	ike_count(sa->ike, (enum ike_drop)drop);
	if (ike_wr_notify(w, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0) == 0)
		ike_respond(sa, m, w);
	IKE_LOG(NOTICE, "IKE_AUTH from %s refused: %s", sa->peer != NULL ? sa->peer->name : "?",
		why);
	ike_sa_delete(sa);
}

static bool others(struct ike_sa *sa, bool del);
static void initial_contact(struct ike_sa *sa);

void ike_auth_respond(struct ike_sa *sa, struct ike_msg *m, uint8_t *plain, size_t plain_len)
{
	uint8_t buf[IKE_MSG_MAX], idr[4 + CFG_IKE_ID_MAX];
	char reason[IKE_CERT_WHY_MAX] = "no peer with that ID, or the PSK differs";
	int drop = IKE_DROP_AUTH;
	struct ike_wr w;
	RTE_SET_USED(plain);
	RTE_SET_USED(plain_len);
	const struct ike_payload *idi = ike_msg_find(m, IKE_PL_IDI, NULL);
	const struct ike_payload *ap = ike_msg_find(m, IKE_PL_AUTH, NULL);
	if (idi == NULL || ap == NULL || ike_wr_init_inner(&w, buf, sizeof(buf)) != 0) {
		ike_count(sa->ike, IKE_DROP_PARSE);
		return;
	}
	const struct cfg_ike_peer *peer = peer_by_id(sa, idi);
	if (peer != NULL)
		sa->peer = peer;
	if (peer == NULL || (drop = check_auth(sa, m, idi, ap, reason, sizeof(reason))) >= 0) {
		refuse(sa, m, &w, drop, reason);
		return;
	}
	sa->peer_id.type = idi->u.typed.type;
	sa->peer_id.len = (uint16_t)RTE_MIN(idi->u.typed.len, (uint16_t)CFG_IKE_ID_MAX);
	memcpy(sa->peer_id.data, idi->u.typed.data, sa->peer_id.len);
	if (ike_msg_notify(m, IKE_N_INITIAL_CONTACT) != NULL)
		initial_contact(sa); /* before the child: the VTI and the pool address are free */
	size_t idr_len = our_id(sa, idr);
	int rc = ike_wr_id(&w, IKE_PL_IDR, idr[0], idr + 4, idr_len - 4);
	if (rc == 0)
		rc = write_auth(sa, idr, idr_len, &w);
	uint16_t why = rc == 0 ? config_reply(sa, m, &w) : 0;
	if (rc == 0 && why == 0)
		why = child(sa, m, &w);
	if (rc == 0 && why != 0)
		rc = ike_wr_notify(&w, 0, NULL, 0, why, NULL, 0);
	if (rc != 0 || ike_respond(sa, m, &w) != 0) {
		if (rc != -EKEYEXPIRED) /* our certificate: ike_cert.c counted and logged it */
			ike_count(sa->ike, IKE_DROP_NOMEM);
		ike_sa_delete(sa);
		return;
	}
	ike_sa_established(sa);
	IKE_LOG(INFO, "IKE SA with %s established%s%s", sa->peer->name,
		why ? ", child refused: " : "",
		why == IKE_N_TS_UNACCEPTABLE ? "TS_UNACCEPTABLE"
		: why			     ? "NO_PROPOSAL_CHOSEN"
					     : "");
}

/* Same remote address (a NAT may have changed the port). */
static bool same_host(const struct ike_path *a, const struct ike_path *b)
{
	return a->family == b->family &&
	       memcmp(a->remote, b->remote, a->family == AF_INET ? 4 : 16) == 0;
}

/*
 * The IKE SAs with sa's peer other than sa. With del, those of the same authenticated identity
 * are deleted without a word (2.4, INITIAL_CONTACT: the peer has none of them any more); for a
 * peer of `remote: any`, whose clients may share one identity (a group key), only those from
 * the same address. Without del: whether there is any. At most IKE_CHILD_MAX are deleted.
 */
static bool others(struct ike_sa *sa, bool del)
{
	struct ike_sa *gone[IKE_CHILD_MAX];
	unsigned int n = 0;
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(sa->ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *o = data;
		if (o == sa || o->peer != sa->peer || o->state == IKE_S_DELETED)
			continue;
		if (!del)
			return true;
		if (o->state == IKE_S_ESTABLISHED && o->peer_id.type == sa->peer_id.type &&
		    o->peer_id.len == sa->peer_id.len &&
		    memcmp(o->peer_id.data, sa->peer_id.data, o->peer_id.len) == 0 &&
		    (sa->peer->remote.family != 0 || same_host(&o->path, &sa->path)) &&
		    n < IKE_CHILD_MAX)
			gone[n++] = o;
	}
	for (unsigned int i = 0; i < n; i++) { /* not while iterating the table */
		IKE_LOG(INFO, "IKE SA with %s replaced: INITIAL_CONTACT on a new one",
			sa->peer->name);
		ike_task_sa_gone(gone[i]);
	}
	return n > 0;
}

static void initial_contact(struct ike_sa *sa)
{
	others(sa, true);
}

/* ---- the initiator's half ---- */

int ike_auth_request(struct ike_sa *sa, struct ike_wr *w)
{
	const struct cfg_ike_peer *peer = sa->peer;
	const struct cfg_ike_child *cc = &peer->children[sa->init_child];
	static struct ike_ts_set tsi, tsr;
	uint8_t idi[4 + CFG_IKE_ID_MAX];
	size_t idi_len = our_id(sa, idi);
	sa->offer_spi = ike_child_spi();
	uint8_t spi[4] = {(uint8_t)(sa->offer_spi >> 24), (uint8_t)(sa->offer_spi >> 16),
			  (uint8_t)(sa->offer_spi >> 8), (uint8_t)sa->offer_spi};
	int rc = ike_wr_id(w, IKE_PL_IDI, idi[0], idi + 4, idi_len - 4);
	if (rc == 0 && !others(sa, false)) /* 2.4: only when this is the one IKE SA with the peer */
		rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (rc == 0 && peer->remote_id.type != CFG_IKE_ID_NONE)
		rc = ike_wr_id(w, IKE_PL_IDR, peer->remote_id.type, peer->remote_id.data,
			       peer->remote_id.len);
	if (rc == 0)
		rc = write_auth(sa, idi, idi_len, w);
	if (rc == 0)
		rc = ike_prop_offer(w, cc->esp, cc->n_esp, IKE_PROTO_ESP, spi, 4, false);
	ike_ts_from_cfg(cc->local_ts, cc->n_local_ts, &tsi);
	ike_ts_from_cfg(cc->remote_ts, cc->n_remote_ts, &tsr);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSI, tsi.ts, tsi.n);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSR, tsr.ts, tsr.n);
	if (rc == 0 && cc->mode == CFG_SA_TRANSPORT)
		rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	return rc;
}

/* The child the responder accepted (or the reason it did not), installed at once. */
static void auth_child(struct ike_sa *sa, const struct ike_msg *m)
{
	static struct ike_ts_set tsi, tsr;
	const struct cfg_ike_child *cc = &sa->peer->children[sa->init_child];
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	uint8_t keymat[2 * (36 + 64)];
	struct ike_choice ch;
	if (sap == NULL || ike_child_select(sa, m, cc, &tsi, &tsr) == NULL ||
	    ike_prop_choose_esp(m, sap, cc->esp, cc->n_esp, false, &ch) != 0) {
		const struct ike_payload *n = ike_msg_find(m, IKE_PL_NOTIFY, NULL);
		IKE_LOG(NOTICE, "peer %s: child %s not created (notify %u)", sa->peer->name,
			cc->name, n != NULL ? n->u.notify.type : 0);
		ike_acq_refused(sa, cc);
		return;
	}
	struct ike_child *c = &sa->child[sa->n_child];
	memset(c, 0, sizeof(*c));
	c->cfg = cc;
	c->local_init = true; /* our request, their answer (2.17) */
	c->spi_in = sa->offer_spi;
	c->spi_out = (uint32_t)ch.spi[0] << 24 | (uint32_t)ch.spi[1] << 16 |
		     (uint32_t)ch.spi[2] << 8 | ch.spi[3];
	c->encr = ch.encr;
	c->encr_bits = ch.encr_bits;
	c->integ = ch.integ;
	c->esn = ch.esn == 1;
	c->transport =
		cc->mode == CFG_SA_TRANSPORT && ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	c->n_rri = (uint8_t)ike_ts_rri(&tsr, c->rri, IKE_RRI_MAX); /* the responder's side */
	size_t kl = ike_child_keymat_len(c);
	int rc = kl <= sizeof(keymat)
			 ? ike_child_keymat(sa->prf, sa->keys.sk_d, sa->keys.d_len, NULL, 0, sa->ni,
					    sa->ni_len, sa->nr, sa->nr_len, keymat, kl)
			 : -EINVAL;
	if (rc == 0)
		rc = ike_child_install(sa, c, keymat, true);
	OPENSSL_cleanse(keymat, sizeof(keymat));
	if (rc == 0)
		sa->n_child++;
	else
		ike_count(sa->ike, IKE_DROP_CHILD);
}

int ike_auth_response(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *ap = ike_msg_find(m, IKE_PL_AUTH, NULL);
	bool refused = ike_msg_notify(m, IKE_N_AUTHENTICATION_FAILED) != NULL;
	char why[IKE_CERT_WHY_MAX];
	int drop = IKE_DROP_AUTH;
	snprintf(why, sizeof(why), "%s",
		 refused ? "AUTHENTICATION_FAILED received" : "its ID or AUTH is wrong");
	if (idr == NULL || ap == NULL || !id_match(&sa->peer->remote_id, idr) ||
	    (drop = check_auth(sa, m, idr, ap, why, sizeof(why))) >= 0) {
		ike_count(sa->ike, (enum ike_drop)drop);
		IKE_LOG(NOTICE, "peer %s: IKE_AUTH failed (%s)", sa->peer->name, why);
		return -ECONNRESET;
	}
	sa->peer_id.type = idr->u.typed.type;
	sa->peer_id.len = (uint16_t)RTE_MIN(idr->u.typed.len, (uint16_t)CFG_IKE_ID_MAX);
	memcpy(sa->peer_id.data, idr->u.typed.data, sa->peer_id.len);
	ike_sa_established(sa);
	auth_child(sa, m);
	ike_acq_established(sa); /* crypto map entries of the peer still without their child */
	ike_reauth_established(sa);
	IKE_LOG(INFO, "IKE SA with %s established (initiated), %u child SA", sa->peer->name,
		sa->n_child);
	return 0;
}
