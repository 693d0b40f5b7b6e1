/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_task.c - the hub's requests: the task manager of an IKE SA (RFC 7296 2.1,
 * 2.3, 2.4).
 *
 * Each SA has a queue of tasks; the head's request is the only one outstanding (a window of 1,
 * which every peer must support). It is retransmitted, bit for bit, after the peer's
 * retransmit_ms, then after twice as long each time, retransmit_tries times (default 1, 2, 4, 8,
 * 16 s); when the last wait ends without an answer the peer is dead (2.4): the IKE SA and its Child
 * SAs go, and a peer the hub initiates to is started again later. A response whose message ID
 * is the outstanding one goes to the head task's initiator half; the queue then moves on.
 * The retransmission deadline is polled by the 100 ms tick against ike_now(), so a harness
 * that drives IKE's clock drives retransmissions too; a wait ends at most one tick late.
 *
 * The tick starts peers marked `initiate`, asks for liveness after dpd_delay seconds without
 * anything from the peer (IKE or ESP on its children), restarts dead peers, rekeys the IKE SA
 * after the peer's rekey_time (less up to jitter percent), and asks again for a child rekey the
 * peer answered with TEMPORARY_FAILURE (2.25). An IKE SA whose children moved to its successor
 * (superseded) does nothing of this: it only waits for its Delete.
 *
 * Collisions (2.8, 2.25; the exchanges are in ike_create.c and ike_info.c): a request the hub
 * cannot serve in the middle of its own rekey is answered TEMPORARY_FAILURE; simultaneous rekeys
 * of one SA are both answered, and the exchange with the lowest nonce loses. After an IKE SA
 * rekey the queued child tasks follow the children to the new IKE SA (ike_task_move).
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"
#include "dataplane/sa.h"

#define IKE_RESTART_S 10 /* a dead or failed peer with `initiate` is tried again after this */

static void send_head(struct ike_sa *sa);

static const char *task_name(uint8_t t)
{
	static const char *const n[] = {"?",	       "IKE_SA_INIT",  "IKE_AUTH",	"liveness",
					"child rekey", "child delete", "IKE SA delete", "new child",
					"IKE SA rekey"};
	return t < RTE_DIM(n) ? n[t] : "?";
}

void ike_schedule_restart(struct ike *ike, const struct cfg_ike_peer *peer)
{
	if (peer == NULL || !peer->initiate || ike->reinit_tsc == NULL)
		return;
	ike->reinit_tsc[peer - ike->cfg->ike_peers] =
		ike_now(ike) + IKE_RESTART_S * rte_get_timer_hz();
}

/* 2.4: no answer after the last retransmission. */
static void peer_dead(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	IKE_LOG(WARNING, "peer %s: no answer to %s after %u tries: IKE SA and %u child SAs deleted",
		sa->peer != NULL ? sa->peer->name : "?", task_name(sa->task[0].type), sa->tries,
		sa->n_child);
	ike->st.peers_dead++;
	ike_schedule_restart(ike, sa->peer);
	ike_task_sa_gone(sa);
}

struct ike_sa *ike_sa_by_spi_nz(struct ike *ike, const uint8_t spi[8])
{
	static const uint8_t zero[8];
	return memcmp(spi, zero, 8) != 0 ? ike_sa_by_spi(ike, spi) : NULL;
}

void ike_task_sa_gone(struct ike_sa *sa)
{
	struct ike_sa *ns = ike_sa_by_spi_nz(sa->ike, sa->rekey_spi);
	if (ns != NULL && ns != sa)
		ike_sa_delete(ns);
	ike_sa_delete(sa);
}

void ike_task_move(struct ike_sa *from, struct ike_sa *to)
{
	unsigned int keep = 0;
	for (unsigned int i = 0; i < from->n_task; i++) {
		const struct ike_task *t = &from->task[i];
		bool child = t->type == IKE_T_CHILD_REKEY || t->type == IKE_T_DELETE_CHILD ||
			     t->type == IKE_T_CHILD_NEW;
		if (child && !(i == 0 && from->req != NULL) && to->n_task < IKE_TASKS_MAX)
			to->task[to->n_task++] = *t;
		else
			from->task[keep++] = *t;
	}
	from->n_task = keep;
	if (to->state == IKE_S_ESTABLISHED)
		send_head(to);
}

/* The first wait for an answer, in timer cycles (the peer's retransmit_ms). */
static uint64_t wait(const struct ike_sa *sa)
{
	return rte_get_timer_hz() * sa->peer->retransmit_ms / 1000;
}

/* The wait for the outstanding request ended (2.1): send it again, or give the peer up (2.4). */
static void rtx_expired(struct ike_sa *sa, uint64_t now)
{
	if (sa->tries >= sa->peer->retransmit_tries) {
		peer_dead(sa);
		return;
	}
	sa->tries++;
	sa->ike->st.retransmits++;
	ike_send_set(sa->ike, &sa->path, sa->req, sa->req_len); /* every fragment (RFC 7383 2.6) */
	sa->rtx_tsc = now + (wait(sa) << sa->tries);
}

/* Keep the request (a message or a set of fragments), send it, and wait for its answer. */
static int post(struct ike_sa *sa, const uint8_t *msg, size_t len, uint32_t id)
{
	uint8_t *copy = OPENSSL_memdup(msg, len);
	if (copy == NULL)
		return -ENOMEM;
	OPENSSL_clear_free(sa->req, sa->req_len);
	sa->req = copy;
	sa->req_len = len;
	sa->req_id = id;
	sa->tries = 0;
	ike_send_set(sa->ike, &sa->path, msg, len);
	sa->rtx_tsc = ike_now(sa->ike) + wait(sa);
	return 0;
}

int ike_request(struct ike_sa *sa, uint8_t exchange, struct ike_wr *w)
{
	uint8_t out[IKE_FRAG_SET_MAX];
	size_t plain_len, len;
	struct ike_hdr h = {
		.next = IKE_PL_SK,
		.major = 2,
		.exchange = exchange,
		.flags = sa->initiator ? IKE_FLAG_I : 0,
		.msg_id = sa->send_next,
	};
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	uint8_t first = ike_wr_first(w);
	int rc = ike_wr_finish(w, &plain_len);
	if (rc == 0)
		rc = ike_frag_seal(sa, &h, w->buf, plain_len, first, out, sizeof(out), &len);
	OPENSSL_cleanse(w->buf, w->cap);
	if (rc == 0)
		rc = post(sa, out, len, sa->send_next++);
	return rc;
}

/* An empty INFORMATIONAL (liveness), or one with a Delete payload. */
static int info_request(struct ike_sa *sa, const struct ike_task *t)
{
	uint8_t buf[256];
	struct ike_wr w;
	int rc = ike_wr_init_inner(&w, buf, sizeof(buf));
	if (rc == 0 && t->type == IKE_T_DELETE_CHILD) {
		uint8_t spi[4] = {(uint8_t)(t->arg >> 24), (uint8_t)(t->arg >> 16),
				  (uint8_t)(t->arg >> 8), (uint8_t)t->arg};
		rc = ike_wr_delete(&w, IKE_PROTO_ESP, 4, spi, 1);
	} else if (rc == 0 && t->type == IKE_T_DELETE_IKE) {
		rc = ike_wr_delete(&w, IKE_PROTO_IKE, 0, NULL, 0);
	}
	if (t->type == IKE_T_DPD)
		sa->ike->st.dpd_sent++;
	return rc == 0 ? ike_request(sa, IKE_EXCH_INFORMATIONAL, &w) : rc;
}

static int start(struct ike_sa *sa, const struct ike_task *t)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_wr w;
	size_t len;
	int rc;
	switch (t->type) {
	case IKE_T_INIT:
		rc = ike_init_request(sa, buf, sizeof(buf), &len);
		sa->send_next =
			1; /* IKE_SA_INIT is always message 0 (2.2), also when it is retried */
		return rc == 0 ? post(sa, buf, len, 0) : rc;
	case IKE_T_AUTH:
		rc = ike_wr_init_inner(&w, buf, sizeof(buf));
		if (rc == 0)
			rc = ike_auth_request(sa, &w);
		return rc == 0 ? ike_request(sa, IKE_EXCH_AUTH, &w) : rc;
	case IKE_T_CHILD_REKEY:
		rc = ike_wr_init_inner(&w, buf, sizeof(buf));
		if (rc == 0)
			rc = ike_rekey_request(sa, t->arg, &w);
		return rc == 0 ? ike_request(sa, IKE_EXCH_CREATE_CHILD_SA, &w) : rc;
	case IKE_T_IKE_REKEY:
		rc = ike_wr_init_inner(&w, buf, sizeof(buf));
		if (rc == 0)
			rc = ike_ike_rekey_request(sa, &w);
		if (rc == 0)
			rc = ike_request(sa, IKE_EXCH_CREATE_CHILD_SA, &w);
		if (rc != 0) { /* not sent: the new SA it offered goes too */
			struct ike_sa *ns = ike_sa_by_spi_nz(sa->ike, sa->rekey_spi);
			if (ns != NULL)
				ike_sa_delete(ns);
			memset(sa->rekey_spi, 0, sizeof(sa->rekey_spi));
		}
		return rc;
	case IKE_T_CHILD_NEW:
		rc = ike_wr_init_inner(&w, buf, sizeof(buf));
		if (rc == 0)
			rc = ike_child_new_request(sa, t->arg, &w);
		return rc == 0 ? ike_request(sa, IKE_EXCH_CREATE_CHILD_SA, &w) : rc;
	default:
		return info_request(sa, t);
	}
}

static void pop(struct ike_sa *sa)
{
	memmove(&sa->task[0], &sa->task[1], (sa->n_task - 1) * sizeof(sa->task[0]));
	sa->n_task--;
}

/* Send the head task's request, if none is outstanding; tasks that cannot start are dropped. */
static void send_head(struct ike_sa *sa)
{
	while (sa->req == NULL && sa->n_task > 0) {
		int rc = start(sa, &sa->task[0]);
		if (rc == 0)
			return;
		if (rc != -EALREADY) /* -EALREADY: done meanwhile (the peer rekeyed that child) */
			IKE_LOG(ERR, "peer %s: %s not sent (%d)",
				sa->peer != NULL ? sa->peer->name : "?",
				task_name(sa->task[0].type), rc);
		pop(sa);
	}
}

bool ike_task_pending(const struct ike_sa *sa, uint8_t type, uint32_t arg)
{
	for (unsigned int i = 0; i < sa->n_task; i++)
		if (sa->task[i].type == type && sa->task[i].arg == arg)
			return true;
	return false;
}

void ike_task_queue(struct ike_sa *sa, uint8_t type, uint32_t arg)
{
	if (sa->n_task == IKE_TASKS_MAX || ike_task_pending(sa, type, arg))
		return;
	sa->task[sa->n_task++] = (struct ike_task){.type = type, .arg = arg};
	send_head(sa);
}

void ike_task_response(struct ike_sa *sa, struct ike_msg *m, const struct ike_path *p)
{
	struct ike_task t = sa->task[0];
	int rc = 0;
	sa->rtx_tsc = 0;
	OPENSSL_clear_free(sa->req, sa->req_len);
	sa->req = NULL;
	pop(sa);
	switch (t.type) {
	case IKE_T_INIT:
		rc = ike_init_response(sa, m, p);
		break;
	case IKE_T_AUTH:
		rc = ike_auth_response(sa, m);
		break;
	case IKE_T_CHILD_REKEY:
		rc = ike_rekey_response(sa, t.arg, m);
		break;
	case IKE_T_CHILD_NEW:
		rc = ike_child_new_response(sa, t.arg, m);
		break;
	case IKE_T_IKE_REKEY:
		rc = ike_ike_rekey_response(sa, m);
		break;
	case IKE_T_DELETE_IKE:
		ike_task_sa_gone(sa);
		return;
	default:
		break; /* liveness and child deletes: the answer is all there is */
	}
	if (rc == -ECONNRESET) { /* the task ended the IKE SA */
		ike_schedule_restart(sa->ike, sa->peer);
		ike_task_sa_gone(sa);
		return;
	}
	send_head(sa);
}

/* The path to a peer the hub initiates to: its addresses, port 500 (2.23 moves it to 4500). */
struct ike_sa *ike_initiate(struct ike *ike, const struct cfg_ike_peer *peer, unsigned int child)
{
	struct ike_path p = {.family = peer->local.family, .lport = IKE_PORT, .rport = IKE_PORT};
	memcpy(p.local, peer->local.bytes, 16);
	memcpy(p.remote, peer->remote.bytes, 16);
	if (peer->version == 1) { /* Main Mode; its Quick Modes follow (ikev1_main.c) */
		struct ike_sa *v1 = ikev1_initiate(ike, peer);
		if (v1 == NULL)
			ike_schedule_restart(ike, peer);
		return v1;
	}
	struct ike_sa *sa = ike_sa_new_initiator(ike, peer, &p);
	if (sa == NULL) {
		ike_count(ike, IKE_DROP_NOMEM);
		ike_schedule_restart(ike, peer);
		return NULL;
	}
	sa->init_child = (uint8_t)(child < peer->n_children ? child : 0);
	IKE_LOG(INFO, "peer %s: initiating", peer->name);
	ike_task_queue(sa, IKE_T_INIT, 0);
	return sa;
}

/*
 * Liveness (2.4): after dpd_delay seconds with nothing from the peer, ask. ESP is looked at
 * every dpd_delay / 2, so a peer whose traffic stops is asked after 1 to 1.5 dpd_delay.
 */
static void dpd(struct ike_sa *sa, uint64_t now)
{
	uint64_t idle = (uint64_t)sa->peer->dpd_delay * rte_get_timer_hz();
	if (sa->peer->dpd_delay == 0 || now - sa->last_rx_tsc <= idle / 2)
		return;
	ike_child_traffic(sa, now, idle / 2);
	if (sa->n_task == 0 && now - sa->last_rx_tsc > idle)
		ike_task_queue(sa, IKE_T_DPD, 0);
}

/*
 * 2.8: the IKE SA is rekeyed after the peer's rekey_time, less up to jitter percent, counted
 * from the first tick that sees it; a rekey that fails is tried again IKE_RESTART_S later (or
 * after TEMPORARY_FAILURE's shorter wait, ike_create.c).
 */
static void ike_rekey_due(struct ike_sa *sa, uint64_t now)
{
	const struct cfg_ike_peer *peer = sa->peer;
	uint64_t hz = rte_get_timer_hz();
	if (peer->rekey_time == 0 || ike_task_pending(sa, IKE_T_IKE_REKEY, 0) ||
	    ike_sa_by_spi_nz(sa->ike, sa->rekey_spi) != NULL)
		return;
	if (sa->rekey_tsc == 0) {
		uint32_t r = 0;
		uint64_t ms = peer->rekey_time * 1000ull;
		RAND_bytes((uint8_t *)&r, sizeof(r));
		if (peer->jitter != 0)
			ms -= ms * (r % (peer->jitter + 1)) / 100;
		sa->rekey_tsc = now + ms * hz / 1000;
	}
	if (now < sa->rekey_tsc)
		return;
	sa->rekey_tsc = now + IKE_RESTART_S * hz;
	ike_task_queue(sa, IKE_T_IKE_REKEY, 0);
}

/* Child rekeys the peer refused with TEMPORARY_FAILURE, once their wait is over (2.25). */
static void child_retries(struct ike_sa *sa, uint64_t now)
{
	for (unsigned int i = 0; i < sa->n_child; i++) {
		struct ike_child *ch = &sa->child[i];
		if (ch->retry_tsc == 0 || now < ch->retry_tsc)
			continue;
		ch->retry_tsc = 0;
		if (ch->state == IKE_CH_ACTIVE && ch->successor == 0)
			ike_task_queue(sa, IKE_T_CHILD_REKEY, ch->spi_in);
	}
}

void ike_task_tick(struct ike *ike, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	/* deleting the SA at hand (a dead peer) leaves the iterator's position valid */
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (sa->v1 != NULL) { /* IKEv1: its exchanges' own timers (ikev1.c) */
			ikev1_tick(sa, now);
			continue;
		}
		ike_frag_tick(sa, now); /* partial messages past IKE_FRAG_TTL_S */
		if (sa->req != NULL && sa->rtx_tsc != 0 && now >= sa->rtx_tsc) {
			rtx_expired(sa, now);
			continue;
		}
		if (sa->state != IKE_S_ESTABLISHED || sa->peer == NULL || sa->superseded)
			continue;
		child_retries(sa, now);
		ike_rekey_due(sa, now);
		dpd(sa, now);
	}
	for (unsigned int i = 0; ike->reinit_tsc != NULL && i < ike->cfg->n_ike_peers; i++) {
		if (ike->reinit_tsc[i] == 0 || now < ike->reinit_tsc[i])
			continue;
		ike->reinit_tsc[i] = 0;
		ike_initiate(ike, &ike->cfg->ike_peers[i], 0);
	}
}

/* The IKE SA and child of data plane SA sa_id, or NULL. */
static struct ike_sa *owner_of(struct ike *ike, uint32_t sa_id, int *child)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		for (unsigned int i = 0; i < sa->n_child; i++) {
			if (sa->child[i].sa_in == sa_id || sa->child[i].sa_out == sa_id) {
				*child = (int)i;
				return sa;
			}
		}
	}
	return NULL;
}

void ike_on_expiry(struct ctrl *c, uint32_t sa_id, bool hard)
{
	int i = -1;
	struct ike_sa *sa = c->ike != NULL ? owner_of(c->ike, sa_id, &i) : NULL;
	if (sa == NULL || sa->state != IKE_S_ESTABLISHED)
		return;
	struct ike_child *ch = &sa->child[i];
	if (sa->v1 != NULL) {
		ikev1_on_expiry(sa, (unsigned int)i, hard);
		return;
	}
	if (ch->state == IKE_CH_OLD) { /* rekeyed and deleted with the peer already */
		if (hard) {
			ike_child_remove(sa, ch);
			ike_child_forget(sa, (unsigned int)i);
		}
		return;
	}
	if (hard) { /* too late to rekey (RFC 4301 4.4.2.1): the pair goes, the peer is told */
		uint32_t spi = ch->spi_in;
		IKE_LOG(WARNING, "child %s of %s: hard lifetime reached, deleted", ch->cfg->name,
			sa->peer->name);
		ike_child_remove(sa, ch);
		ike_child_forget(sa, (unsigned int)i);
		ike_task_queue(sa, IKE_T_DELETE_CHILD, spi);
		return;
	}
	if (ch->state == IKE_CH_ACTIVE && ch->successor == 0)
		ike_task_queue(sa, IKE_T_CHILD_REKEY, ch->spi_in);
}
