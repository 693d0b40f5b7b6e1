/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1.c - IKEv1 messages in and out (RFC 2408, RFC 2409): which ISAKMP SA and
 * exchange a datagram belongs to, retransmissions recognised and answered from what was last
 * sent, the CBC chain of encrypted messages (RFC 2409 Appendix B), the HASH payloads that
 * protect Phase 2 and informational messages (RFC 2409 5.5, 5.7), and the exchanges' timers.
 * See ikev1_int.h for the model. Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

#define IKEV1_DROP_NAME(s, n, d) [IKEV1_DROP_##s] = n,
const char *const ikev1_drop_name[IKEV1_DROP_MAX] = {IKEV1_DROPS(IKEV1_DROP_NAME)};
#undef IKEV1_DROP_NAME

_Static_assert(IKEV1_DROP_MAX <= RTE_DIM(((struct ike_stats *)0)->v1_drop),
	       "ike_stats.v1_drop holds every IKEv1 drop reason");

const char *const ikev1_p1_state_name[] = {
	[IKEV1_MM_NO_STATE] = "MM_NO_STATE", [IKEV1_MM_SA_SETUP] = "MM_SA_SETUP",
	[IKEV1_MM_KEY_EXCH] = "MM_KEY_EXCH", [IKEV1_AG_INIT_EXCH] = "AG_INIT_EXCH",
	[IKEV1_QM_IDLE] = "QM_IDLE",
};

/* The digest of the datagram being handled, for ikev1_x's retransmission check. */
static uint8_t rx_digest[IKEV1_DIGEST];

void ikev1_count(struct ike *ike, enum ikev1_drop why)
{
	ike->st.v1_drop[why]++;
}

bool ikev1_log_ok(struct ike *ike)
{
	return ike_guard_log_ok(ike);
}

struct ikev1_sa *ikev1_sa_attach(struct ike_sa *sa)
{
	sa->v1 = rte_zmalloc("ikev1_sa", sizeof(*sa->v1), RTE_CACHE_LINE_SIZE);
	return sa->v1;
}

void ikev1_x_free(struct ikev1_x *x)
{
	OPENSSL_clear_free(x->tx, x->tx_len);
	ike_dh_free(x->dh);
	OPENSSL_cleanse(x, sizeof(*x));
}

void ikev1_sa_free(struct ike_sa *sa)
{
	struct ikev1_sa *v = sa->v1;
	if (v == NULL)
		return;
	ikev1_x_free(&v->p1x);
	for (unsigned int i = 0; i < IKEV1_X_MAX; i++)
		ikev1_x_free(&v->x[i]);
	OPENSSL_clear_free(v->sai_b, v->sai_len);
	OPENSSL_clear_free(v->gxi, v->gxi_len);
	OPENSSL_clear_free(v->gxr, v->gxr_len);
	OPENSSL_clear_free(v->idr_b, v->idr_len);
	OPENSSL_cleanse(v, sizeof(*v));
	rte_free(v);
	sa->v1 = NULL;
}

void ikev1_hdr(const struct ike_sa *sa, struct ikev1_hdr *h, uint8_t exch, uint32_t msg_id,
	       uint8_t first, bool enc)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->cky_i, sa->spi_i, 8);
	memcpy(h->cky_r, sa->spi_r, 8);
	h->next = first;
	h->version = IKEV1_VERSION;
	h->exchange = exch;
	h->flags = enc ? IKEV1_FLAG_E : 0;
	h->msg_id = msg_id;
}

static uint64_t rtx_wait(const struct ike_sa *sa, unsigned int tries)
{
	unsigned int ms = sa->peer != NULL ? sa->peer->retransmit_ms : 1000;
	return ((uint64_t)ms << (tries < 6 ? tries : 6)) * rte_get_timer_hz() / 1000;
}

int ikev1_send_keep(struct ike_sa *sa, struct ikev1_x *x, const uint8_t *msg, size_t len,
		    bool retransmit)
{
	uint8_t *copy = OPENSSL_memdup(msg, len);
	if (copy == NULL) {
		ikev1_count(sa->ike, IKEV1_DROP_NOMEM);
		return -ENOMEM;
	}
	OPENSSL_clear_free(x->tx, x->tx_len);
	x->tx = copy;
	x->tx_len = len;
	x->tries = 0;
	x->tx_tsc = ike_now(sa->ike);
	x->rtx_tsc = retransmit ? x->tx_tsc + rtx_wait(sa, 0) : 0;
	return ike_send(sa->ike, &sa->path, msg, len);
}

int ikev1_seal_send(struct ike_sa *sa, struct ikev1_x *x, uint8_t exch, uint32_t msg_id,
		    uint8_t first, uint8_t *plain, size_t plain_len, bool retransmit)
{
	struct ikev1_sa *v = sa->v1;
	uint8_t out[IKE_MSG_MAX];
	struct ikev1_hdr h;
	struct ikev1_wr w;
	size_t len;
	/* RFC 2409 5.3: always padding, zeros, its last octet the count of the others */
	size_t pad = v->block - plain_len % v->block;
	if (IKEV1_HDR_LEN + plain_len + pad > sizeof(out))
		return -EMSGSIZE;
	ikev1_hdr(sa, &h, exch, msg_id, first, true);
	int rc = ikev1_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc != 0)
		return rc;
	out[16] = first; /* the builder patched it to "none": no payload went through it */
	uint8_t *body = out + IKEV1_HDR_LEN;
	memcpy(body, plain, plain_len);
	memset(body + plain_len, 0, pad);
	body[plain_len + pad - 1] = (uint8_t)(pad - 1);
	size_t total = IKEV1_HDR_LEN + plain_len + pad;
	rte_be32_t l = rte_cpu_to_be_32((uint32_t)total);
	memcpy(out + 24, &l, 4);
	rc = ikev1_cbc(v->p1c.encr, v->key, v->key_len, x->iv, body, plain_len + pad, true);
	if (rc == 0)
		rc = ikev1_send_keep(sa, x, out, total, retransmit);
	OPENSSL_cleanse(plain, plain_len);
	return rc;
}

int ikev1_x_iv(const struct ike_sa *sa, uint32_t msg_id, uint8_t *iv)
{
	const struct ikev1_sa *v = sa->v1;
	uint8_t h[IKE_PRF_MAX];
	rte_be32_t id = rte_cpu_to_be_32(msg_id);
	const struct ike_chunk d[] = {{v->p1_iv, v->block}, {(const uint8_t *)&id, 4}};
	int rc = ikev1_hash(v->p1c.prf, d, 2, h);
	if (rc < (int)v->block)
		return rc < 0 ? rc : -EINVAL;
	memcpy(iv, h, v->block);
	return 0;
}

struct ikev1_x *ikev1_x_find(struct ike_sa *sa, uint32_t msg_id)
{
	for (unsigned int i = 0; i < IKEV1_X_MAX; i++)
		if (sa->v1->x[i].kind != IKEV1_X_FREE && sa->v1->x[i].msg_id == msg_id)
			return &sa->v1->x[i];
	return NULL;
}

/* A free slot, or the finished exchange that has lingered longest. */
struct ikev1_x *ikev1_x_new(struct ike_sa *sa, uint32_t msg_id)
{
	struct ikev1_x *best = NULL;
	for (unsigned int i = 0; i < IKEV1_X_MAX; i++) {
		struct ikev1_x *x = &sa->v1->x[i];
		if (x->kind == IKEV1_X_FREE) {
			best = x;
			break;
		}
		if (x->kind == IKEV1_X_DONE && (best == NULL || x->expire_tsc < best->expire_tsc))
			best = x;
	}
	if (best == NULL)
		return NULL;
	ikev1_x_free(best);
	best->msg_id = msg_id;
	if (ikev1_x_iv(sa, msg_id, best->iv) != 0)
		return NULL;
	return best;
}

struct ikev1_x *ikev1_x_answer(struct ike_sa *sa, uint32_t msg_id, const uint8_t *iv_after)
{
	struct ikev1_x *x = ikev1_x_new(sa, msg_id);
	if (x == NULL) {
		ikev1_count(sa->ike, IKEV1_DROP_FULL);
		return NULL;
	}
	memcpy(x->iv, iv_after, sa->v1->block);
	ikev1_x_received(x);
	return x;
}

void ikev1_x_done(struct ike_sa *sa, struct ikev1_x *x)
{
	x->kind = IKEV1_X_DONE;
	x->rtx_tsc = 0;
	x->expire_tsc = ike_now(sa->ike) + IKEV1_X_LINGER_S * rte_get_timer_hz();
	ike_dh_free(x->dh);
	x->dh = NULL;
}

uint32_t ikev1_msg_id(struct ike_sa *sa)
{
	uint32_t id = 0;
	while (id == 0 || ikev1_x_find(sa, id) != NULL)
		RAND_bytes((uint8_t *)&id, sizeof(id));
	return id;
}

/* The end of the payload chain of m (its padding excluded), relative to the buffer parsed. */
static size_t chain_end(const struct ikev1_msg *m)
{
	const struct ikev1_payload *last = &m->pl[m->n - 1];
	return last->off + IKEV1_PL_HDR_LEN + last->len;
}

bool ikev1_hash_check(const struct ike_sa *sa, const struct ikev1_msg *m, const uint8_t *plain,
		      size_t plain_len, const struct ike_chunk *pre, size_t n_pre)
{
	const struct ikev1_sa *v = sa->v1;
	struct ike_chunk d[4];
	uint8_t want[IKE_PRF_MAX];
	if (m->n == 0 || m->pl[0].type != IKEV1_PL_HASH || m->pl[0].len != v->hash_len || n_pre > 3)
		return false;
	size_t from = m->pl[0].off + IKEV1_PL_HDR_LEN + m->pl[0].len, to = chain_end(m);
	if (to > plain_len || from > to)
		return false;
	memcpy(d, pre, n_pre * sizeof(*d));
	d[n_pre] = (struct ike_chunk){plain + from, to - from};
	bool ok = ike_prf(v->p1c.prf, v->skeyid_a, v->hash_len, d, n_pre + 1, want) == 0 &&
		  CRYPTO_memcmp(want, m->pl[0].body, v->hash_len) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int ikev1_hash_begin(struct ikev1_wr *w, const struct ike_sa *sa, size_t *at)
{
	static const uint8_t zero[IKE_PRF_MAX];
	int rc = ikev1_wr_payload(w, IKEV1_PL_HASH, zero, sa->v1->hash_len);
	*at = w->len - sa->v1->hash_len;
	return rc;
}

int ikev1_hash_fill(const struct ike_sa *sa, uint8_t *chain, size_t chain_len, size_t at,
		    const struct ike_chunk *pre, size_t n_pre)
{
	const struct ikev1_sa *v = sa->v1;
	struct ike_chunk d[4];
	size_t from = at + v->hash_len;
	if (n_pre > 3 || from > chain_len)
		return -EINVAL;
	memcpy(d, pre, n_pre * sizeof(*d));
	d[n_pre] = (struct ike_chunk){chain + from, chain_len - from};
	return ike_prf(v->p1c.prf, v->skeyid_a, v->hash_len, d, n_pre + 1, chain + at);
}

/* HASH(1), then what add writes, protected in a new informational exchange (RFC 2409 5.7). */
static int info_out(struct ike_sa *sa, int (*add)(struct ikev1_wr *w, const void *arg),
		    const void *arg)
{
	uint8_t plain[IKE_MSG_MAX];
	struct ikev1_wr w;
	struct ikev1_x x = {0};
	size_t at, len;
	if (sa->v1 == NULL || sa->v1->p1 != IKEV1_QM_IDLE)
		return -ENOTCONN;
	uint32_t id = ikev1_msg_id(sa);
	rte_be32_t idb = rte_cpu_to_be_32(id);
	const struct ike_chunk pre = {(const uint8_t *)&idb, 4};
	int rc = ikev1_x_iv(sa, id, x.iv);
	if (rc == 0)
		rc = ikev1_wr_init_plain(&w, plain, sizeof(plain));
	if (rc == 0)
		rc = ikev1_hash_begin(&w, sa, &at);
	if (rc == 0)
		rc = add(&w, arg);
	if (rc == 0)
		rc = ikev1_wr_finish(&w, &len);
	if (rc == 0)
		rc = ikev1_hash_fill(sa, plain, len, at, &pre, 1);
	if (rc == 0)
		rc = ikev1_seal_send(sa, &x, IKEV1_EXCH_INFO, id, IKEV1_PL_HASH, plain, len, false);
	ikev1_x_free(&x); /* nothing answers an informational exchange */
	return rc;
}

struct notify_arg {
	uint16_t type;
	uint8_t proto, spi_size;
	const uint8_t *spi, *data;
	size_t data_len;
};

static int add_notify(struct ikev1_wr *w, const void *arg)
{
	const struct notify_arg *n = arg;
	return ikev1_wr_notify(w, n->proto, n->spi, n->spi_size, n->type, n->data, n->data_len);
}

int ikev1_info_send(struct ike_sa *sa, uint16_t type, uint8_t proto, const uint8_t *spi,
		    uint8_t spi_size, const uint8_t *data, size_t data_len)
{
	const struct notify_arg n = {type, proto, spi_size, spi, data, data_len};
	return info_out(sa, add_notify, &n);
}

struct delete_arg {
	uint8_t proto, spi_size;
	const uint8_t *spis;
	uint16_t n;
};

static int add_delete(struct ikev1_wr *w, const void *arg)
{
	const struct delete_arg *d = arg;
	return ikev1_wr_delete(w, d->proto, d->spi_size, d->spis, d->n);
}

int ikev1_delete_send(struct ike_sa *sa, uint8_t proto, const uint8_t *spis, uint8_t spi_size,
		      uint16_t n)
{
	const struct delete_arg d = {proto, spi_size, spis, n};
	return info_out(sa, add_delete, &d);
}

size_t ikev1_id_body(const struct ike_sa *sa, uint8_t *buf, size_t cap)
{
	const struct cfg_ike_id *id = &sa->peer->local_id;
	if (cap < 4u + id->len)
		return 0;
	buf[0] = id->type;
	buf[1] = buf[2] = buf[3] = 0; /* protocol and port 0 (RFC 2407 4.6.2) */
	memcpy(buf + 4, id->data, id->len);
	return 4u + id->len;
}

bool ikev1_id_match(const struct cfg_ike_id *want, const struct ikev1_payload *id)
{
	if (want->type == CFG_IKE_ID_NONE)
		return true;
	return id->u.id.type == want->type && id->u.id.data_len == want->len &&
	       memcmp(id->u.id.data, want->data, want->len) == 0;
}

static bool addr_is(const struct cfg_addr *a, uint8_t family, const uint8_t *bytes)
{
	return a->family == family && memcmp(a->bytes, bytes, family == AF_INET ? 4 : 16) == 0;
}

const struct cfg_ike_peer *ikev1_peer_by_addr(const struct ike *ike, const struct ike_path *p)
{
	const struct cfg_ike_peer *wild = NULL;
	for (unsigned int i = 0; i < ike->cfg->n_ike_peers; i++) {
		const struct cfg_ike_peer *q = &ike->cfg->ike_peers[i];
		if (q->version != 1 || !addr_is(&q->local, p->family, p->local))
			continue;
		if (addr_is(&q->remote, p->family, p->remote))
			return q;
		if (q->remote.family == 0 && wild == NULL)
			wild = q;
	}
	return wild;
}

/* The SA whose cookies m carries: ours is CKY-R when the peer initiated, else CKY-I. */
static struct ike_sa *sa_of(struct ike *ike, const struct ikev1_msg *m)
{
	static const uint8_t zero[8];
	struct ike_sa *sa = ike_sa_by_spi(ike, m->hdr.cky_r);
	if (sa != NULL && sa->v1 != NULL && !sa->initiator &&
	    memcmp(sa->spi_i, m->hdr.cky_i, 8) == 0)
		return sa;
	sa = ike_sa_by_spi(ike, m->hdr.cky_i);
	if (sa != NULL && sa->v1 != NULL && sa->initiator &&
	    (memcmp(sa->spi_r, m->hdr.cky_r, 8) == 0 || memcmp(sa->spi_r, zero, 8) == 0))
		return sa;
	return NULL;
}

/*
 * A copy of what x last received: send what it last sent again, at most every
 * IKEV1_RESEND_MS (a network that duplicates must not make two ends ping-pong copies).
 */
static bool retransmitted(struct ike_sa *sa, struct ikev1_x *x)
{
	uint64_t now = ike_now(sa->ike);
	if (x == NULL || !x->rx_set || memcmp(x->rx_digest, rx_digest, IKEV1_DIGEST) != 0)
		return false;
	ikev1_count(sa->ike, IKEV1_DROP_RETRANSMIT);
	if (x->tx != NULL && now - x->tx_tsc >= IKEV1_RESEND_MS * rte_get_timer_hz() / 1000) {
		x->tx_tsc = now;
		ike_send(sa->ike, &sa->path, x->tx, x->tx_len);
	}
	return true;
}

/* Decrypt m's encrypted part with a copy of iv into plain; iv_after: the chain's next IV. */
static int open_enc(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *iv, uint8_t *plain,
		    size_t cap, uint8_t *iv_after)
{
	const struct ikev1_sa *v = sa->v1;
	if (m->enc_len == 0 || m->enc_len % v->block != 0 || m->enc_len > cap)
		return -EBADMSG;
	memcpy(plain, m->enc, m->enc_len);
	memcpy(iv_after, iv, v->block);
	int rc = ikev1_cbc(v->p1c.encr, v->key, v->key_len, iv_after, plain, m->enc_len, false);
	if (rc == 0)
		rc = ikev1_msg_parse_plain(m, m->hdr.next, plain, m->enc_len);
	return rc;
}

/* A Phase 2, transaction or informational message: decrypted, then to its exchange. */
static void phase2(struct ike_sa *sa, struct ikev1_msg *m)
{
	uint8_t plain[IKE_MSG_MAX], iv[IKEV1_BLOCK_MAX], iv_after[IKEV1_BLOCK_MAX];
	struct ikev1_x *x = ikev1_x_find(sa, m->hdr.msg_id);
	if (sa->v1->p1 != IKEV1_QM_IDLE || !(m->hdr.flags & IKEV1_FLAG_E)) {
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
		return;
	}
	if (x != NULL)
		memcpy(iv, x->iv, sa->v1->block);
	else if (ikev1_x_iv(sa, m->hdr.msg_id, iv) != 0)
		return;
	if (open_enc(sa, m, iv, plain, sizeof(plain), iv_after) != 0) {
		ikev1_count(sa->ike, IKEV1_DROP_DECRYPT);
		OPENSSL_cleanse(plain, sizeof(plain));
		return;
	}
	if (m->hdr.exchange == IKEV1_EXCH_QUICK)
		ikev1_quick_input(sa, m, plain, m->enc_len, iv_after);
	else if (m->hdr.exchange == IKEV1_EXCH_INFO)
		ikev1_info_input(sa, m, plain, m->enc_len);
	else if (m->hdr.exchange == IKEV1_EXCH_TRANSACTION)
		ikev1_cfg_input(sa, m, plain, m->enc_len, iv_after);
	else
		ikev1_count(sa->ike, IKEV1_DROP_STATE);
	OPENSSL_cleanse(plain, sizeof(plain));
}

void ikev1_input(struct ike *ike, const uint8_t *buf, size_t len, const struct ike_path *p)
{
	static const uint8_t zero[8];
	static struct ikev1_msg m; /* off the control lcore's stack */
	const struct ike_chunk whole = {buf, len};
	ike->st.v1_rx++;
	if (ikev1_msg_parse(&m, buf, len) != 0) {
		ikev1_count(ike, IKEV1_DROP_PARSE);
		return;
	}
	if (ikev1_hash(IKE_PRF_HMAC_SHA1, &whole, 1, rx_digest) != IKEV1_DIGEST)
		return;
	if (memcmp(m.hdr.cky_r, zero, 8) == 0) { /* a new Phase 1, or message 1 again */
		struct ike_sa *sa = ike_sa_half_open(ike, m.hdr.cky_i, p);
		bool p1 = (m.hdr.exchange == IKEV1_EXCH_MAIN ||
			   m.hdr.exchange == IKEV1_EXCH_AGGRESSIVE) &&
			  m.hdr.msg_id == 0 && !(m.hdr.flags & IKEV1_FLAG_E);
		if (!p1)
			ikev1_count(ike, IKEV1_DROP_NO_SA);
		else if (sa != NULL && sa->v1 != NULL) {
			if (!retransmitted(sa, &sa->v1->p1x))
				ikev1_count(ike, IKEV1_DROP_STATE);
		} else if (sa != NULL)
			ikev1_count(ike, IKEV1_DROP_STATE); /* an IKEv2 SPI: not ours to mix */
		else
			ikev1_main_respond(ike, &m, p);
		return;
	}
	struct ike_sa *sa = sa_of(ike, &m);
	if (sa == NULL) {
		ikev1_count(ike, IKEV1_DROP_NO_SA);
		return;
	}
	if (m.hdr.msg_id == 0) {
		if (!retransmitted(sa, &sa->v1->p1x))
			ikev1_main_input(sa, &m, p);
		return;
	}
	if (!retransmitted(sa, ikev1_x_find(sa, m.hdr.msg_id)))
		phase2(sa, &m);
}

/* Record the message being handled as the last one x received (it was accepted). */
void ikev1_x_received(struct ikev1_x *x)
{
	memcpy(x->rx_digest, rx_digest, IKEV1_DIGEST);
	x->rx_set = true;
}

/* x waited too long for an answer: false when the SA went with it. */
static bool give_up(struct ike_sa *sa, struct ikev1_x *x)
{
	const char *name = sa->peer != NULL ? sa->peer->name : "?";
	if (x == &sa->v1->p1x) {
		IKE_LOG(WARNING,
			"IKEv1 peer %s: no answer in %s after %u retransmissions, given up", name,
			ikev1_p1_state_name[sa->v1->p1], x->tries);
		ike_sa_delete(sa);
		return false;
	}
	if (ikev1_cfg_gave_up(sa, x))
		return false;
	IKE_LOG(WARNING, "IKEv1 peer %s: exchange 0x%08x unanswered, given up", name, x->msg_id);
	/* the responder's child of this Quick Mode, by its SPI (indices move as children go),
	 * unless the peer has used it meanwhile (then the lost message 3 changes nothing) */
	int i = x->kind == IKEV1_X_QM_R ? ike_child_by_spi_in(sa, x->spi_in) : -1;
	if (i >= 0 && sa->child[i].state == IKE_CH_NEW) {
		ike_child_remove(sa, &sa->child[i]);
		ike_child_forget(sa, (unsigned int)i);
	}
	ikev1_x_free(x);
	return true;
}

/* Retransmit x if its time has come; false when the SA is gone. */
static bool x_tick(struct ike_sa *sa, struct ikev1_x *x, uint64_t now)
{
	unsigned int tries = sa->peer != NULL ? sa->peer->retransmit_tries : 5;
	if (x->kind == IKEV1_X_DONE && now >= x->expire_tsc) {
		ikev1_x_free(x);
		return true;
	}
	if (x->rtx_tsc == 0 || now < x->rtx_tsc || x->tx == NULL)
		return true;
	if (x->tries >= tries)
		return give_up(sa, x);
	x->tries++;
	x->rtx_tsc = now + rtx_wait(sa, x->tries);
	x->tx_tsc = now;
	sa->ike->st.retransmits++;
	ike_send(sa->ike, &sa->path, x->tx, x->tx_len);
	return true;
}

void ikev1_tick(struct ike_sa *sa, uint64_t now)
{
	struct ikev1_sa *v = sa->v1;
	if (!x_tick(sa, &v->p1x, now))
		return;
	for (unsigned int i = 0; i < IKEV1_X_MAX; i++)
		if (!x_tick(sa, &v->x[i], now))
			return;
	if (v->p1 != IKEV1_QM_IDLE)
		return;
	if (v->expire_tsc != 0 && now >= v->expire_tsc) {
		IKE_LOG(INFO, "IKEv1 peer %s: ISAKMP SA lifetime over, deleted", sa->peer->name);
		uint8_t cky[16];
		memcpy(cky, sa->spi_i, 8);
		memcpy(cky + 8, sa->spi_r, 8);
		ikev1_delete_send(sa, IKEV1_PROTO_ISAKMP, cky, 16, 1);
		ike_sa_delete(sa);
		return;
	}
	ikev1_rekey_tick(sa, now);
	ikev1_dpd_tick(sa, now);
}
