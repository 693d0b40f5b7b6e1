/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_cfg.c - IKEv1 remote access, the hub as Easy VPN server: XAUTH
 * (draft-beaulieu-ike-xauth-02) and Mode Config (draft-dukes-ike-mode-cfg-02) in transaction
 * exchanges (type 6) over an established ISAKMP SA.
 *
 *   hub                                             client
 *   REQUEST(XAUTH-TYPE, USER-NAME, USER-PASSWORD) ->
 *                                  <- REPLY(USER-NAME, USER-PASSWORD)      ike_aaa_check
 *   SET(XAUTH-STATUS)                              ->
 *                                  <- ACK(XAUTH-STATUS)
 *                                  <- REQUEST(INTERNAL_IP4_ADDRESS, ...)   Mode Config pull
 *   REPLY(address, netmask, DNS, split, Unity)     ->
 *   (or, push: SET(address, ...) -> <- ACK)
 *
 * Every message carries HASH = prf(SKEYID_a, M-ID | ATTR) first (mode-cfg 3.2) and has its
 * own CBC chain per message ID, as Quick Mode. A wrong password is asked again up to
 * IKEV1_XAUTH_TRIES times, each refusal logged with its reason; then XAUTH-STATUS 0 and the
 * ISAKMP SA goes. No Quick Mode is answered before XAUTH succeeded (ikev1_cfg_ready), and
 * transactions before Phase 1 completed never reach here (ikev1.c counts them). The address
 * comes from the peer's pool (the IKEv2 pools, ike_pool.c) and goes back with the SA.
 * Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>

#include "ctrlplane/ike/ike_aaa.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

/* Attribute payload types (mode-cfg 3.2) */
#define CFG_REQUEST 1
#define CFG_REPLY   2
#define CFG_SET	    3
#define CFG_ACK	    4

/* Attributes: mode-cfg 3.3, xauth-02 6.2, Cisco Unity */
#define A_IP4_ADDRESS	 1
#define A_IP4_NETMASK	 2
#define A_IP4_DNS	 3
#define A_APP_VERSION	 7
#define A_IP4_SUBNET	 13
#define A_XAUTH_TYPE	 16520
#define A_XAUTH_USER	 16521
#define A_XAUTH_PASSWORD 16522
#define A_XAUTH_MESSAGE	 16524
#define A_XAUTH_STATUS	 16527
#define A_UNITY_BANNER	 28672
#define A_UNITY_SAVE_PW	 28673
#define A_UNITY_DOMAIN	 28674
#define A_UNITY_SPLIT	 28676
#define A_UNITY_PFS	 28679

#define APP_VERSION	 "vpnhub " VPNHUB_VERSION

static const char *peer_name(const struct ike_sa *sa)
{
	return sa->peer != NULL ? sa->peer->name : "?";
}

struct attrs_arg {
	uint8_t type;
	uint16_t ident;
	int (*add)(struct ikev1_wr *w, struct ike_sa *sa, const void *arg);
	const void *arg;
};

/* HASH, ATTR(type, ident, what add writes), sealed in transaction msg_id of x, and sent. */
static int send_attrs(struct ike_sa *sa, struct ikev1_x *x, const struct attrs_arg *a,
		      bool retransmit)
{
	uint8_t plain[4096], h[4] = {a->type, 0, (uint8_t)(a->ident >> 8), (uint8_t)a->ident};
	struct ikev1_wr w;
	size_t at, len;
	rte_be32_t idb = rte_cpu_to_be_32(x->msg_id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	int rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_hash_begin(&w, sa, &at);
	if (rc == 0)
		rc = ikev1_wr_begin(&w, IKEV1_PL_ATTR);
	if (rc == 0)
		rc = ikev1_wr_put(&w, h, sizeof(h));
	if (rc == 0)
		rc = a->add(&w, sa, a->arg);
	if (rc == 0)
		rc = ikev1_wr_end(&w);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_hash_fill(sa, plain, len, at, &pre, 1);
	if (rc == 0)
		rc = ikev1_seal_send(sa, x, IKEV1_EXCH_TRANSACTION, x->msg_id, IKEV1_PL_HASH, plain,
				     len, retransmit);
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/* A new transaction of ours (kind TR_I: waiting for its answer). */
static int start(struct ike_sa *sa, uint8_t type,
		 int (*add)(struct ikev1_wr *, struct ike_sa *, const void *), const void *arg)
{
	uint16_t ident = 0;
	struct ikev1_x *x = ikev1_x_new(sa, ikev1_msg_id(sa));
	if (x == NULL) {
		ikev1_count(sa->ike, IKEV1_DROP_FULL);
		return -ENOSPC;
	}
	RAND_bytes((uint8_t *)&ident, sizeof(ident));
	x->kind = IKEV1_X_TR_I;
	x->ident = ident;
	x->tr_type = type;
	const struct attrs_arg a = {type, ident, add, arg};
	int rc = send_attrs(sa, x, &a, true);
	if (rc != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		ikev1_x_free(x);
	}
	return rc;
}

/* ---- XAUTH ---- */

static int add_xauth_request(struct ikev1_wr *w, struct ike_sa *sa, const void *arg)
{
	const char *msg = arg;
	RTE_SET_USED(sa);
	int rc = ikev1_wr_attr_tv(w, A_XAUTH_TYPE, 0); /* generic: name and password */
	if (rc == 0)
		rc = ikev1_wr_attr_tlv(w, A_XAUTH_USER, NULL, 0);
	if (rc == 0)
		rc = ikev1_wr_attr_tlv(w, A_XAUTH_PASSWORD, NULL, 0);
	if (rc == 0 && msg != NULL)
		rc = ikev1_wr_attr_tlv(w, A_XAUTH_MESSAGE, msg, (uint16_t)strlen(msg));
	return rc;
}

static int add_status(struct ikev1_wr *w, struct ike_sa *sa, const void *arg)
{
	RTE_SET_USED(sa);
	return ikev1_wr_attr_tv(w, A_XAUTH_STATUS, *(const uint16_t *)arg);
}

static void xauth_ask(struct ike_sa *sa, const char *msg)
{
	sa->v1->xauth = IKEV1_XAUTH_ASKED;
	start(sa, CFG_REQUEST, add_xauth_request, msg);
}

/* No more tries: XAUTH-STATUS 0; the SA goes on its ACK (or when none comes, ikev1.c). */
static void xauth_fail(struct ike_sa *sa)
{
	static const uint16_t fail = 0;
	sa->v1->xauth = IKEV1_XAUTH_FAILED;
	start(sa, CFG_SET, add_status, &fail);
}

/* The answer of ike_aaa_check: status 1 (and Mode Config follows), or ask again / give up. */
static void xauth_done(struct ike *ike, const struct ike_aaa_cookie *c, enum ike_aaa_result r,
		       const char *reason)
{
	struct ike_sa *sa = ike_sa_by_spi(ike, c->spi);
	static const uint16_t ok = 1;
	if (sa == NULL || sa->v1 == NULL || sa->v1->xauth != IKEV1_XAUTH_CHECKING)
		return; /* gone meanwhile */
	struct ikev1_sa *v = sa->v1;
	if (r == IKE_AAA_ACCEPT) {
		IKE_LOG(INFO, "IKEv1 peer %s: XAUTH user %s accepted (%s)", peer_name(sa),
			v->xauth_user, reason);
		v->xauth = IKEV1_XAUTH_OK_SET;
		start(sa, CFG_SET, add_status, &ok);
		return;
	}
	ikev1_count(ike, IKEV1_DROP_XAUTH);
	IKE_LOG(WARNING, "IKEv1 peer %s: XAUTH user %s refused: %s (attempt %u of %u)",
		peer_name(sa), v->xauth_user, reason, v->xauth_tries, IKEV1_XAUTH_TRIES);
	if (r == IKE_AAA_REJECT && v->xauth_tries < IKEV1_XAUTH_TRIES) {
		xauth_ask(sa, "Authentication failed, try again");
		return;
	}
	xauth_fail(sa);
}

/* The client's REPLY to our XAUTH REQUEST: name and password to the AAA backend. */
static void xauth_reply(struct ike_sa *sa, struct ikev1_x *x, const struct ikev1_msg *m,
			const struct ikev1_payload *pl)
{
	struct ikev1_sa *v = sa->v1;
	const struct ikev1_attr *u =
		ikev1_attr_find(m, pl->u.attr.first_attr, pl->u.attr.n_attrs, A_XAUTH_USER);
	const struct ikev1_attr *p =
		ikev1_attr_find(m, pl->u.attr.first_attr, pl->u.attr.n_attrs, A_XAUTH_PASSWORD);
	ikev1_x_done(sa, x);
	if (u == NULL || p == NULL || u->tv || p->tv || u->len == 0 || u->len > CFG_IKE_USER_MAX ||
	    p->len > CFG_IKE_PASSWORD_MAX) {
		ikev1_count(sa->ike, IKEV1_DROP_XAUTH_ATTR);
		IKE_LOG(WARNING, "IKEv1 peer %s: XAUTH reply without a usable name and password",
			peer_name(sa));
		v->xauth_tries++;
		if (v->xauth_tries < IKEV1_XAUTH_TRIES)
			xauth_ask(sa, "Name and password, please");
		else
			xauth_fail(sa);
		return;
	}
	for (uint16_t i = 0; i < u->len; i++) /* names go to logs and telemetry */
		v->xauth_user[i] =
			u->value[i] > ' ' && u->value[i] < 0x7f ? (char)u->value[i] : '?';
	v->xauth_user[u->len] = '\0';
	v->xauth_tries++;
	v->xauth = IKEV1_XAUTH_CHECKING;
	struct ike_aaa_cookie c = {.msg_id = x->msg_id};
	memcpy(c.spi, ike_sa_our_spi(sa), 8);
	ike_aaa_check(sa->ike, v->xauth_user, p->value, p->len, &c, xauth_done);
}

/* ---- Mode Config ---- */

static void put_mask(uint8_t *m, unsigned int plen)
{
	memset(m, 0, 4);
	for (unsigned int i = 0; i < plen && i < 32; i++)
		m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

static bool asked(const struct ikev1_msg *m, const struct ikev1_payload *pl, uint16_t type)
{
	return pl == NULL || ikev1_attr_find(m, pl->u.attr.first_attr, pl->u.attr.n_attrs, type);
}

struct cfg_arg {
	const struct ikev1_msg *m;
	const struct ikev1_payload *req; /* the client's REQUEST (pull), NULL: push everything */
};

static int add_split(struct ikev1_wr *w, const struct cfg_ike_pool *pool, bool unity)
{
	uint8_t all[CFG_IKE_POOL_SPLIT_MAX * 14];
	size_t n = 0;
	int rc = 0;
	for (unsigned int i = 0; i < pool->n_split && rc == 0; i++) {
		const struct cfg_addr *s = &pool->split[i];
		if (s->family != AF_INET)
			continue;
		uint8_t v[8];
		memcpy(v, s->bytes, 4);
		put_mask(v + 4, s->plen);
		if (!unity) {
			rc = ikev1_wr_attr_tlv(w, A_IP4_SUBNET, v, 8);
			continue;
		}
		memset(all + n, 0, 14); /* network, mask, six octets of protocol and ports */
		memcpy(all + n, v, 8);
		n += 14;
	}
	return rc == 0 && unity && n > 0 ? ikev1_wr_attr_tlv(w, A_UNITY_SPLIT, all, (uint16_t)n)
					 : rc;
}

/* The attributes the client asked for (or, pushing, all) that the peer's config has. */
static int add_cfg(struct ikev1_wr *w, struct ike_sa *sa, const void *arg)
{
	const struct cfg_arg *a = arg;
	const struct cfg_ike_peer *peer = sa->peer;
	const struct cfg_ike_pool *pool =
		peer->pool >= 0 ? &sa->ike->cfg->ike_pools[peer->pool] : NULL;
	uint8_t mask[4];
	int rc = 0;
	if (pool != NULL && sa->vip_pool >= 0 && asked(a->m, a->req, A_IP4_ADDRESS))
		rc = ikev1_wr_attr_tlv(w, A_IP4_ADDRESS, sa->vip, 4);
	if (rc == 0 && pool != NULL && sa->vip_pool >= 0 && asked(a->m, a->req, A_IP4_NETMASK)) {
		put_mask(mask, pool->prefix.plen);
		rc = ikev1_wr_attr_tlv(w, A_IP4_NETMASK, mask, 4);
	}
	for (unsigned int i = 0; pool != NULL && rc == 0 && i < pool->n_dns; i++)
		if (pool->dns[i].family == AF_INET && asked(a->m, a->req, A_IP4_DNS))
			rc = ikev1_wr_attr_tlv(w, A_IP4_DNS, pool->dns[i].bytes, 4);
	if (rc == 0 && pool != NULL && asked(a->m, a->req, A_IP4_SUBNET))
		rc = add_split(w, pool, false);
	if (rc == 0 && pool != NULL && asked(a->m, a->req, A_UNITY_SPLIT))
		rc = add_split(w, pool, true);
	if (rc == 0 && peer->banner[0] != '\0' && asked(a->m, a->req, A_UNITY_BANNER))
		rc = ikev1_wr_attr_tlv(w, A_UNITY_BANNER, peer->banner,
				       (uint16_t)strlen(peer->banner));
	if (rc == 0 && peer->domain[0] != '\0' && asked(a->m, a->req, A_UNITY_DOMAIN))
		rc = ikev1_wr_attr_tlv(w, A_UNITY_DOMAIN, peer->domain,
				       (uint16_t)strlen(peer->domain));
	if (rc == 0 && a->req != NULL && asked(a->m, a->req, A_UNITY_SAVE_PW))
		rc = ikev1_wr_attr_tv(w, A_UNITY_SAVE_PW, 0); /* the client must not keep it */
	if (rc == 0 && a->req != NULL && asked(a->m, a->req, A_UNITY_PFS)) {
		bool pfs = peer->n_children > 0 && peer->children[0].n_esp > 0 &&
			   peer->children[0].esp[0].n_dh > 0;
		rc = ikev1_wr_attr_tv(w, A_UNITY_PFS, pfs ? 1 : 0);
	}
	if (rc == 0 && a->req != NULL && asked(a->m, a->req, A_APP_VERSION))
		rc = ikev1_wr_attr_tlv(w, A_APP_VERSION, APP_VERSION, sizeof(APP_VERSION) - 1);
	return rc;
}

/* An address from the peer's pool for sa (kept if it has one); false when exhausted. */
static bool take_address(struct ike_sa *sa)
{
	char a[INET_ADDRSTRLEN];
	int k = sa->peer->pool;
	if (k < 0 || sa->vip_pool >= 0)
		return true;
	if (ike_pool_take(sa->ike, k, sa->vip) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_POOL);
		IKE_LOG(WARNING, "IKEv1 peer %s: pool %s exhausted", peer_name(sa),
			sa->ike->cfg->ike_pools[k].name);
		return false;
	}
	sa->vip_pool = k;
	inet_ntop(AF_INET, sa->vip, a, sizeof(a));
	IKE_LOG(INFO, "IKEv1 peer %s%s%s: Mode Config address %s", peer_name(sa),
		sa->v1->xauth_user[0] ? " user " : "", sa->v1->xauth_user, a);
	return true;
}

/* Mode Config pushed (SET), once XAUTH is done or not needed. */
static void push(struct ike_sa *sa)
{
	const struct cfg_arg a = {NULL, NULL};
	if (sa->peer->pool < 0 || sa->peer->mode_config != CFG_IKE_MODECFG_PUSH)
		return;
	if (take_address(sa))
		start(sa, CFG_SET, add_cfg, &a);
}

/* The client's REQUEST (pull): answered in the same transaction. */
static void pull(struct ike_sa *sa, const struct ikev1_msg *m, const struct ikev1_payload *pl,
		 const uint8_t *iv_after)
{
	const struct cfg_arg a = {m, pl};
	if (!ikev1_cfg_ready(sa)) {
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
		return;
	}
	if (asked(m, pl, A_IP4_ADDRESS) &&
	    ikev1_attr_find(m, pl->u.attr.first_attr, pl->u.attr.n_attrs, A_IP4_ADDRESS) != NULL)
		take_address(sa);
	struct ikev1_x *x = ikev1_x_answer(sa, m->hdr.msg_id, iv_after);
	if (x == NULL)
		return;
	const struct attrs_arg r = {CFG_REPLY, pl->u.attr.identifier, add_cfg, &a};
	if (send_attrs(sa, x, &r, false) != 0)
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
	ikev1_x_done(sa, x);
	sa->v1->cfg_done = true;
}

/* The client's ACK of one of our SETs: XAUTH-STATUS, or pushed addresses. */
static void ack(struct ike_sa *sa, struct ikev1_x *x)
{
	struct ikev1_sa *v = sa->v1;
	bool was_xauth = x->tr_type == CFG_SET &&
			 (v->xauth == IKEV1_XAUTH_OK_SET || v->xauth == IKEV1_XAUTH_FAILED);
	ikev1_x_done(sa, x);
	if (!was_xauth) {
		v->cfg_done = true;
		return;
	}
	if (v->xauth == IKEV1_XAUTH_FAILED) {
		IKE_LOG(WARNING, "IKEv1 peer %s: XAUTH failed, ISAKMP SA deleted", peer_name(sa));
		ike_sa_delete(sa);
		return;
	}
	v->xauth = IKEV1_XAUTH_OK;
	push(sa);
}

void ikev1_cfg_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain, size_t plain_len,
		     const uint8_t *iv_after)
{
	rte_be32_t idb = rte_cpu_to_be_32(m->hdr.msg_id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	const struct ikev1_payload *pl = ikev1_msg_find(m, IKEV1_PL_ATTR, NULL);
	struct ikev1_x *x = ikev1_x_find(sa, m->hdr.msg_id);
	if (!ikev1_hash_check(sa, m, plain, plain_len, &pre, 1)) {
		ikev1_count(sa->ike, IKEV1_DROP_HASH);
		return;
	}
	if (pl == NULL) {
		ikev1_count(sa->ike, IKEV1_DROP_PARSE);
		return;
	}
	sa->last_rx_tsc = ike_now(sa->ike);
	if (x == NULL && pl->u.attr.type == CFG_REQUEST) {
		pull(sa, m, pl, iv_after);
		return;
	}
	/* the answer belongs to our transaction by its message ID (and HASH); its Identifier is
	 * not checked: strongSwan answers with 0 where mode-cfg 3.2 has ours echoed */
	if (x == NULL || x->kind != IKEV1_X_TR_I ||
	    pl->u.attr.type != (x->tr_type == CFG_REQUEST ? CFG_REPLY : CFG_ACK)) {
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
		return;
	}
	memcpy(x->iv, iv_after, sa->v1->block);
	ikev1_x_received(x);
	if (pl->u.attr.type == CFG_REPLY)
		xauth_reply(sa, x, m, pl);
	else
		ack(sa, x);
}

bool ikev1_cfg_ready(const struct ike_sa *sa)
{
	return sa->peer == NULL || !sa->peer->xauth || sa->v1->xauth == IKEV1_XAUTH_OK;
}

void ikev1_cfg_established(struct ike_sa *sa)
{
	if (sa->initiator || sa->peer == NULL)
		return; /* the hub is the server of remote access, never its client */
	if (sa->peer->xauth)
		xauth_ask(sa, NULL);
	else
		push(sa);
}

bool ikev1_cfg_gave_up(struct ike_sa *sa, const struct ikev1_x *x)
{
	if (x->kind != IKEV1_X_TR_I || ikev1_cfg_ready(sa))
		return false;
	IKE_LOG(WARNING, "IKEv1 peer %s: no XAUTH answer, ISAKMP SA deleted", peer_name(sa));
	ike_sa_delete(sa);
	return true;
}
