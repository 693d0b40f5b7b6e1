/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_sa.c - the table of IKE SAs (see ike_int.h): creation with a random SPI of
 * our own, lookups, the half-open timeout, and deletion, which takes the SA's Child SAs out of
 * the data plane and wipes every key; at the debug log level only, the keys of IKE and Child
 * SAs for an independent decoder (tshark). Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/log.h"

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
	sa->created_tsc = sa->last_rx_tsc = ike_now(ike);
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
	sa->created_tsc = sa->last_rx_tsc = ike_now(ike);
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
	sa->established_tsc = ike_now(sa->ike);
	sa->ike->st.established++;
	ike_sa_log_keys(sa);
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
	ike_guard_uncount(sa);
	if (sa->vip_pool >= 0)
		ike_pool_give(ike, sa->vip_pool, sa->vip);
	if (sa->vip6_set)
		ike_pool_give(ike, sa->peer->pool6, sa->vip6);
	init_key(&k, sa->spi_i, &sa->init_path);
	rte_spinlock_lock(&ike->c->lock);
	if (!sa->initiator)
		rte_hash_del_key(ike->by_init, &k);
	rte_hash_del_key(ike->by_spi, ike_sa_our_spi(sa));
	rte_spinlock_unlock(&ike->c->lock);
	rte_timer_stop(&sa->timer);
	rte_timer_stop(&sa->rtx);
	ike_dh_free(sa->dh_priv);
	ike_frag_forget(sa); /* partial messages being reassembled */
	ikev1_sa_free(sa);
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

/*
 * Key logging for an independent decoder (Wireshark's IKEv2 decryption table and ESP SA table):
 * at the debug level of vpnhub.ike and at no other. One line per IKE SA, one per direction of a
 * Child SA, "key=value" words. Control lcore only.
 */

static const char *encr_name(uint16_t encr, uint16_t bits, char *buf, size_t len)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		snprintf(buf, len, "aes-cbc-%u", bits);
		break;
	case IKE_ENCR_AES_GCM_16:
		snprintf(buf, len, "aes-gcm-16-%u", bits);
		break;
	case IKE_ENCR_CHACHA20_POLY1305:
		snprintf(buf, len, "chacha20-poly1305");
		break;
	default:
		snprintf(buf, len, "encr-%u", encr);
	}
	return buf;
}

static const char *integ_name(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_NONE:
		return "none";
	case IKE_INTEG_HMAC_SHA1_96:
		return "hmac-sha1-96";
	case IKE_INTEG_HMAC_SHA2_256_128:
		return "hmac-sha2-256-128";
	case IKE_INTEG_HMAC_SHA2_384_192:
		return "hmac-sha2-384-192";
	case IKE_INTEG_HMAC_SHA2_512_256:
		return "hmac-sha2-512-256";
	default:
		return "unknown";
	}
}

/* p[0..n) in hex into out (2n + 1 octets), "-" when n is 0. */
static const char *key_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digit[] = "0123456789abcdef";
	if (n == 0)
		return strcpy(out, "-");
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digit[p[i] >> 4];
		out[2 * i + 1] = digit[p[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static bool keys_logged(void)
{
	return rte_log_can_log(vh_logtype_ike, RTE_LOG_DEBUG);
}

void ike_sa_log_keys(const struct ike_sa *sa)
{
	char si[17], sr[17], e[32], ei[2 * IKE_ENCR_KEY_MAX + 1], er[sizeof(ei)];
	char ai[2 * IKE_INTEG_KEY_MAX + 1], ar[sizeof(ai)];
	const struct ike_sa_keys *k = &sa->keys;
	if (!keys_logged())
		return;
	IKE_LOG(DEBUG,
		"keys of IKE SA: peer=%s spi_i=%s spi_r=%s encr=%s integ=%s prf=%s sk_ei=%s "
		"sk_er=%s sk_ai=%s sk_ar=%s",
		sa->peer != NULL ? sa->peer->name : "-", key_hex(sa->spi_i, 8, si),
		key_hex(sa->spi_r, 8, sr), encr_name(sa->encr, sa->encr_bits, e, sizeof(e)),
		integ_name(sa->integ), ike_prf_name(sa->prf) ? ike_prf_name(sa->prf) : "unknown",
		key_hex(k->sk_ei, k->e_len, ei), key_hex(k->sk_er, k->e_len, er),
		key_hex(k->sk_ai, k->a_len, ai), key_hex(k->sk_ar, k->a_len, ar));
	OPENSSL_cleanse(ei, sizeof(ei));
	OPENSSL_cleanse(er, sizeof(er));
	OPENSSL_cleanse(ai, sizeof(ai));
	OPENSSL_cleanse(ar, sizeof(ar));
}

/* One direction of a child: SPI, addresses (the outer ones of its ESP), algorithms, keys. */
static void log_child_dir(const struct ike_sa *sa, const struct ike_child *ch, bool in,
			  const uint8_t *ekey, size_t el, const uint8_t *akey, size_t al)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], e[32];
	char ek[2 * IKE_ENCR_KEY_MAX + 1], ak[2 * IKE_INTEG_KEY_MAX + 1];
	inet_ntop(sa->path.family, in ? sa->path.remote : sa->path.local, src, sizeof(src));
	inet_ntop(sa->path.family, in ? sa->path.local : sa->path.remote, dst, sizeof(dst));
	IKE_LOG(DEBUG,
		"keys of Child SA: child=%s peer=%s spi=0x%08x dir=%s src=%s dst=%s encr=%s "
		"ekey=%s integ=%s akey=%s",
		ch->cfg->name, sa->peer != NULL ? sa->peer->name : "-",
		in ? ch->spi_in : ch->spi_out, in ? "in" : "out", src, dst,
		encr_name(ch->encr, ch->encr_bits, e, sizeof(e)), key_hex(ekey, el, ek),
		integ_name(ch->integ), key_hex(akey, al, ak));
	OPENSSL_cleanse(ek, sizeof(ek));
	OPENSSL_cleanse(ak, sizeof(ak));
}

void ike_sa_log_child_keys(const struct ike_sa *sa, const struct ike_child *ch, const uint8_t *in_e,
			   const uint8_t *in_a, const uint8_t *out_e, const uint8_t *out_a,
			   size_t el, size_t al)
{
	if (!keys_logged() || el > IKE_ENCR_KEY_MAX || al > IKE_INTEG_KEY_MAX)
		return;
	log_child_dir(sa, ch, true, in_e, el, in_a, al);
	log_child_dir(sa, ch, false, out_e, el, out_a, al);
}
