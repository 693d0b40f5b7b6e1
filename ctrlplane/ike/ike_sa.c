/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_sa.c - the table of IKE SAs (see ike_int.h): creation with a random SPI of
 * our own, lookups, the half-open timeout, and deletion, which takes the SA's Child SAs out of
 * the data plane and wipes every key. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"

static void init_key(struct ike_init_key *k, const uint8_t spi_i[8], const struct ike_path *p)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->spi_i, spi_i, 8);
	k->family = p->family;
	k->rport = p->rport;
	memcpy(k->remote, p->remote, 16);
}

/* A half-open SA that never saw IKE_AUTH goes (2.1: the responder must not hold it forever). */
static void half_open_expired(struct rte_timer *t, void *arg)
{
	struct ike_sa *sa = arg;
	RTE_SET_USED(t);
	if (sa->state == IKE_S_HALF_OPEN)
		ike_sa_delete(sa);
}

struct ike_sa *ike_sa_new(struct ike *ike, const uint8_t spi_i[8], const struct ike_path *p,
			  bool half_open)
{
	struct ike_init_key k;
	if (ike->n_sa >= IKE_SA_MAX)
		return NULL;
	struct ike_sa *sa = rte_zmalloc("ike_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	if (sa == NULL)
		return NULL;
	memcpy(sa->spi_i, spi_i, 8);
	sa->path = sa->init_path = *p; /* path follows the peer (2.23), init_path stays */
	sa->ike = ike;
	sa->vip_pool = -1;
	sa->created_tsc = sa->last_rx_tsc = rte_get_timer_cycles();
	do { /* an SPI of zero is "not yet known" (3.1); collisions are tried again */
		if (RAND_bytes(sa->spi_r, 8) != 1) {
			rte_free(sa);
			return NULL;
		}
	} while (memcmp(sa->spi_r, "\0\0\0\0\0\0\0\0", 8) == 0 ||
		 rte_hash_lookup(ike->by_spi, sa->spi_r) >= 0);
	init_key(&k, spi_i, p);
	rte_spinlock_lock(&ike->c->lock); /* telemetry walks the table */
	int rc = rte_hash_add_key_data(ike->by_spi, sa->spi_r, sa);
	if (rc == 0 && half_open && rte_hash_add_key_data(ike->by_init, &k, sa) != 0) {
		rte_hash_del_key(ike->by_spi, sa->spi_r);
		rc = -ENOSPC;
	}
	rte_spinlock_unlock(&ike->c->lock);
	if (rc != 0) {
		rte_free(sa);
		return NULL;
	}
	rte_timer_init(&sa->timer);
	rte_timer_init(&sa->rtx);
	if (half_open)
		rte_timer_reset(&sa->timer, IKE_HALF_OPEN_TTL * rte_get_timer_hz(), SINGLE,
				rte_lcore_id(), half_open_expired, sa);
	else
		sa->state = IKE_S_ESTABLISHED;
	ike->n_sa++;
	return sa;
}

const uint8_t *ike_sa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *ike_sa_new_initiator(struct ike *ike, const struct cfg_ike_peer *peer,
				    const struct ike_path *p)
{
	if (ike->n_sa >= IKE_SA_MAX)
		return NULL;
	struct ike_sa *sa = rte_zmalloc("ike_sa", sizeof(*sa), RTE_CACHE_LINE_SIZE);
	if (sa == NULL)
		return NULL;
	sa->initiator = true;
	sa->vip_pool = -1;
	sa->peer = peer;
	sa->path = *p;
	sa->ike = ike;
	sa->created_tsc = sa->last_rx_tsc = rte_get_timer_cycles();
	do {
		if (RAND_bytes(sa->spi_i, 8) != 1) {
			rte_free(sa);
			return NULL;
		}
	} while (memcmp(sa->spi_i, "\0\0\0\0\0\0\0\0", 8) == 0 ||
		 rte_hash_lookup(ike->by_spi, sa->spi_i) >= 0);
	rte_spinlock_lock(&ike->c->lock);
	int rc = rte_hash_add_key_data(ike->by_spi, sa->spi_i, sa);
	rte_spinlock_unlock(&ike->c->lock);
	if (rc != 0) {
		rte_free(sa);
		return NULL;
	}
	rte_timer_init(&sa->timer);
	rte_timer_init(&sa->rtx);
	ike->n_sa++;
	ike->st.initiated++;
	return sa;
}

struct ike_sa *ike_sa_by_spi(struct ike *ike, const uint8_t spi[8])
{
	void *d = NULL;
	return rte_hash_lookup_data(ike->by_spi, spi, &d) >= 0 ? d : NULL;
}

struct ike_sa *ike_sa_half_open(struct ike *ike, const uint8_t spi_i[8], const struct ike_path *p)
{
	struct ike_init_key k;
	void *d = NULL;
	init_key(&k, spi_i, p);
	return rte_hash_lookup_data(ike->by_init, &k, &d) >= 0 ? d : NULL;
}

void ike_sa_established(struct ike_sa *sa)
{
	struct ike_init_key k;
	init_key(&k, sa->spi_i, &sa->init_path);
	rte_hash_del_key(sa->ike->by_init, &k);
	rte_timer_stop(&sa->timer);
	sa->state = IKE_S_ESTABLISHED;
	sa->ike->st.established++;
	/* RealMessage1/2 served IKE_AUTH; nothing signs them again */
	OPENSSL_clear_free(sa->init_req, sa->init_req_len);
	OPENSSL_clear_free(sa->init_resp, sa->init_resp_len);
	sa->init_req = sa->init_resp = NULL;
}

int ike_sa_cache_response(struct ike_sa *sa, uint32_t msg_id, const uint8_t *buf, size_t len)
{
	uint8_t *copy = OPENSSL_memdup(buf, len);
	if (copy == NULL)
		return -ENOMEM;
	OPENSSL_clear_free(sa->resp, sa->resp_len);
	sa->resp = copy;
	sa->resp_len = len;
	sa->recv_next = msg_id + 1;
	return 0;
}

void ike_sa_delete(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	struct ike_init_key k;
	for (unsigned int i = 0; i < sa->n_child; i++)
		ike_child_remove(sa, &sa->child[i]);
	if (sa->vip_pool >= 0)
		ike_pool_give(ike, sa->vip_pool, sa->vip);
	init_key(&k, sa->spi_i, &sa->init_path);
	rte_spinlock_lock(&ike->c->lock);
	if (!sa->initiator)
		rte_hash_del_key(ike->by_init, &k);
	rte_hash_del_key(ike->by_spi, ike_sa_our_spi(sa));
	rte_spinlock_unlock(&ike->c->lock);
	rte_timer_stop(&sa->timer);
	rte_timer_stop(&sa->rtx);
	ike_dh_free(sa->dh_priv);
	OPENSSL_clear_free(sa->req, sa->req_len);
	OPENSSL_clear_free(sa->init_req, sa->init_req_len);
	OPENSSL_clear_free(sa->init_resp, sa->init_resp_len);
	OPENSSL_clear_free(sa->resp, sa->resp_len);
	ike_sa_keys_wipe(&sa->keys);
	ike_sk_wipe(&sa->sk_in);
	ike_sk_wipe(&sa->sk_out);
	OPENSSL_cleanse(sa, sizeof(*sa));
	rte_free(sa);
	ike->n_sa--;
	ike->st.deleted++;
}
