/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_guard.c - who may open an IKE SA with the hub: cookies (RFC 7296 2.6),
 * the half-open cap and the cap per source address.
 *
 * An IKE_SA_INIT request passes, in this order, before any state or DH work exists for it:
 *   0. its source address sent fewer than per_source_rate a second (a token bucket of twice
 *      that, in a slot a hash of the address picks and that address owns until another takes
 *      it over), else dropped (ike_source_rate);
 *   1. its source address holds fewer than per_source_max IKE SAs the peer opened (half-open
 *      or established), else it is dropped without an answer (ike_source_full): one address
 *      cannot take the table;
 *   2. the hub holds fewer than sa_max IKE SAs in all, else dropped (ike_table_full);
 *   3. fewer than half_open_max SAs are half-open, else dropped (ike_half_open_full);
 *   4. from cookie_threshold half-open SAs on, the request must carry a cookie the hub made for
 *      its Ni, source address and SPIi within the last two secret periods; without one (or
 *      with a stale or forged one) the answer is a fresh COOKIE notify and nothing else
 *      (ike_cookie_sent, ike_cookie_bad), which costs one HMAC and one small datagram.
 * A cookie is <version> | HMAC-SHA-256(secret[version], Ni | IPi | SPIi) truncated to 16
 * octets. The secret changes every IKE_COOKIE_ROTATE_S seconds; the previous one still
 * verifies, so an initiator caught by the change retries with the cookie it got. Nothing of
 * this needs memory per request.
 *
 * Per-source counts live in an rte_hash from the address to its count, bounded by IKE_SA_MAX
 * entries (a count never outlives its SAs). An SA is counted when its IKE_SA_INIT is answered
 * and uncounted when it is deleted; an IKE SA rekey hands the count to the new SA.
 *
 * Error notifies to peers nobody has authenticated (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD,
 * INVALID_IKE_SPI) go through ike_guard_error: at most IKE_ERR_RATE a second over all peers, a
 * token bucket that a full second refills (RFC 7296 2.21.4: such answers are rate-limited, and
 * a response is never answered), so spoofed requests cannot turn the hub into a reflector.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/log.h"

#define IKE_COOKIE_ROTATE_S 120
#define COOKIE_HASH_LEN	    16
#define COOKIE_LEN	    (1 + COOKIE_HASH_LEN)
#define IKE_RATE_SLOTS	    4096 /* per-source rate buckets */

struct src_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t addr[16];
};

struct ike_guard {
	uint8_t secret[2][32];
	uint8_t cur;	     /* version (index) of the secret cookies are made with */
	uint64_t rotate_tsc; /* when to change it */
	struct rte_hash *by_src;
	uint32_t *count;     /* per hash position */
	uint32_t err_tokens; /* error notifies that may still go (ike_guard_error) */
	uint64_t err_tsc;    /* the bucket was last refilled up to here */
	/* per-source rate: token buckets in slots by a hash of the address, each owned by one
	 * address; another address hashing there takes the slot over with a full bucket, so
	 * forged sources can never drain a real one's tokens. Tokens in thousandths. */
	struct {
		struct src_key key;
		uint64_t tsc;
		uint32_t milli;
	} rate[IKE_RATE_SLOTS];
};

static int new_secret(struct ike_guard *g, uint8_t v)
{
	return RAND_bytes(g->secret[v], sizeof(g->secret[v])) == 1 ? 0 : -EIO;
}

int ike_guard_init(struct ike *ike)
{
	char name[RTE_HASH_NAMESIZE];
	struct ike_guard *g = rte_zmalloc("ike_guard", sizeof(*g), RTE_CACHE_LINE_SIZE);
	if (g == NULL)
		return -ENOMEM;
	ike->guard = g;
	snprintf(name, sizeof(name), "ike_src_%p", (void *)ike);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = IKE_SA_MAX,
		.key_len = sizeof(struct src_key),
		.hash_func = rte_jhash,
		.socket_id = (int)rte_socket_id(),
	};
	g->by_src = rte_hash_create(&hp);
	g->count = rte_zmalloc("ike_src_count", IKE_SA_MAX * sizeof(*g->count), 0);
	if (g->by_src == NULL || g->count == NULL || new_secret(g, 0) != 0 || new_secret(g, 1) != 0)
		return -ENOMEM;
	g->rotate_tsc = ike_now(ike) + IKE_COOKIE_ROTATE_S * rte_get_timer_hz();
	g->err_tokens = IKE_ERR_RATE;
	g->err_tsc = ike_now(ike);
	return 0;
}

void ike_guard_fini(struct ike *ike)
{
	struct ike_guard *g = ike->guard;
	if (g == NULL)
		return;
	OPENSSL_cleanse(g->secret, sizeof(g->secret));
	rte_hash_free(g->by_src);
	rte_free(g->count);
	rte_free(g);
	ike->guard = NULL;
}

void ike_guard_tick(struct ike *ike, uint64_t now)
{
	struct ike_guard *g = ike->guard;
	if (g == NULL || now < g->rotate_tsc)
		return;
	uint8_t next = (uint8_t)(g->cur ^ 1);
	if (new_secret(g, next) == 0) /* the old current one keeps verifying a period more */
		g->cur = next;
	g->rotate_tsc = now + IKE_COOKIE_ROTATE_S * rte_get_timer_hz();
}

static void src_key(const struct ike_path *p, struct src_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = p->family;
	memcpy(k->addr, p->remote, p->family == AF_INET ? 4 : 16);
}

static uint32_t src_count(const struct ike_guard *g, const struct ike_path *p)
{
	struct src_key k;
	src_key(p, &k);
	int32_t pos = rte_hash_lookup(g->by_src, &k);
	return pos >= 0 ? g->count[pos] : 0;
}

void ike_guard_count(struct ike_sa *sa)
{
	struct ike_guard *g = sa->ike->guard;
	struct src_key k;
	if (g == NULL || sa->src_counted)
		return;
	src_key(&sa->init_path, &k);
	int32_t pos = rte_hash_add_key(g->by_src, &k);
	if (pos < 0)
		return; /* cannot happen: fewer addresses than SAs */
	g->count[pos]++;
	sa->src_counted = true;
}

void ike_guard_uncount(struct ike_sa *sa)
{
	struct ike_guard *g = sa->ike->guard;
	struct src_key k;
	if (g == NULL || !sa->src_counted)
		return;
	sa->src_counted = false;
	src_key(&sa->init_path, &k);
	int32_t pos = rte_hash_lookup(g->by_src, &k);
	if (pos >= 0 && --g->count[pos] == 0)
		rte_hash_del_key(g->by_src, &k);
}

/* v | HMAC-SHA-256(secret[v], Ni | IPi | SPIi), truncated (2.6). */
static int cookie_make(const struct ike_guard *g, uint8_t v, const struct ike_payload *ni,
		       const struct ike_path *p, const uint8_t spi_i[8], uint8_t out[COOKIE_LEN])
{
	uint8_t mac[IKE_PRF_MAX];
	const struct ike_chunk in[] = {
		{ni->body, ni->len},
		{p->remote, p->family == AF_INET ? 4u : 16u},
		{spi_i, 8},
	};
	int rc = ike_prf(IKE_PRF_HMAC_SHA2_256, g->secret[v], sizeof(g->secret[v]), in, RTE_DIM(in),
			 mac);
	out[0] = v;
	memcpy(out + 1, mac, COOKIE_HASH_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/* The COOKIE answer: SPIr zero, one notify, no state (2.6). */
static void send_cookie(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
			const struct ike_payload *ni)
{
	uint8_t c[COOKIE_LEN], out[128];
	size_t n;
	struct ike_wr w;
	struct ike_hdr h = {.major = 2, .exchange = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_R};
	memcpy(h.spi_i, m->hdr.spi_i, 8);
	if (cookie_make(ike->guard, ike->guard->cur, ni, p, m->hdr.spi_i, c) == 0 &&
	    ike_wr_init(&w, out, sizeof(out), &h) == 0 &&
	    ike_wr_notify(&w, 0, NULL, 0, IKE_N_COOKIE, c, sizeof(c)) == 0 &&
	    ike_wr_finish(&w, &n) == 0 && ike_send(ike, p, out, n) == 0)
		ike->st.cookies_sent++;
}

/* A cookie of ours for this request, made with the current or the previous secret. */
static bool cookie_good(const struct ike_guard *g, const struct ike_payload *c,
			const struct ike_payload *ni, const struct ike_path *p,
			const uint8_t *spi_i)
{
	uint8_t want[COOKIE_LEN];
	if (c->u.notify.len != COOKIE_LEN || c->u.notify.data[0] > 1 ||
	    cookie_make(g, c->u.notify.data[0], ni, p, spi_i, want) != 0)
		return false;
	return CRYPTO_memcmp(want, c->u.notify.data, COOKIE_LEN) == 0;
}

/* One IKE_SA_INIT from p's address within per_source_rate a second (burst: twice that)? */
static bool rate_ok(struct ike_guard *g, const struct ike_path *p, unsigned int rate, uint64_t now)
{
	struct src_key k;
	src_key(p, &k);
	uint32_t slot = rte_jhash(&k, sizeof(k), 0x5bd1e995) % IKE_RATE_SLOTS;
	uint64_t hz = rte_get_timer_hz(), burst = 2000ull * rate;
	uint64_t dt = now - g->rate[slot].tsc;
	bool mine = g->rate[slot].tsc != 0 && memcmp(&g->rate[slot].key, &k, sizeof(k)) == 0;
	uint64_t milli = !mine || dt >= hz ? burst : g->rate[slot].milli + dt * rate * 1000 / hz;
	g->rate[slot].key = k;
	if (milli > burst)
		milli = burst;
	g->rate[slot].tsc = now;
	if (milli < 1000) {
		g->rate[slot].milli = (uint32_t)milli;
		return false;
	}
	g->rate[slot].milli = (uint32_t)(milli - 1000);
	return true;
}

int ike_guard_admit(struct ike *ike, const struct ike_msg *m, const struct ike_path *p)
{
	struct ike_guard *g = ike->guard;
	const struct cfg_ike_limits *l = &ike->cfg->ike_limits;
	if (g == NULL)
		return -1;
	if (l->per_source_rate != 0 && !rate_ok(g, p, l->per_source_rate, ike_now(ike)))
		return IKE_DROP_SOURCE_RATE;
	if (l->per_source_max != 0 && src_count(g, p) >= l->per_source_max)
		return IKE_DROP_SOURCE_FULL;
	if (ike->n_sa >= l->sa_max) /* the global cap: what the hub holds, whoever started it */
		return IKE_DROP_FULL;
	uint32_t half_open = (uint32_t)rte_hash_count(ike->by_init);
	if (half_open >= l->half_open_max)
		return IKE_DROP_HALF_OPEN_FULL;
	if (half_open < l->cookie_threshold)
		return -1;
	const struct ike_payload *ni = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (ni == NULL)
		return IKE_DROP_PARSE;
	/* 2.6: the cookie comes first; one elsewhere is as good as none */
	const struct ike_payload *c =
		m->n > 0 && m->pl[0].type == IKE_PL_NOTIFY && m->pl[0].u.notify.type == IKE_N_COOKIE
			? &m->pl[0]
			: NULL;
	if (c != NULL && cookie_good(g, c, ni, p, m->hdr.spi_i)) {
		ike->st.cookies_ok++;
		return -1;
	}
	send_cookie(ike, m, p, ni);
	return c != NULL ? IKE_DROP_COOKIE_BAD : IKE_DROP_COOKIE_SENT;
}

/* One token of the error notify bucket, refilled at IKE_ERR_RATE a second up to IKE_ERR_RATE. */
static bool err_token(struct ike *ike)
{
	struct ike_guard *g = ike->guard;
	uint64_t now = ike_now(ike), per = rte_get_timer_hz() / IKE_ERR_RATE;
	if (g == NULL)
		return false;
	if (now < g->err_tsc || per == 0) /* a clock that went back: no time has passed */
		g->err_tsc = now;
	uint64_t add = per != 0 ? (now - g->err_tsc) / per : 0;
	if (add > 0) {
		g->err_tsc += add * per;
		g->err_tokens = (uint32_t)RTE_MIN((uint64_t)IKE_ERR_RATE, g->err_tokens + add);
	}
	if (g->err_tokens == IKE_ERR_RATE)
		g->err_tsc = now; /* a full bucket keeps no credit */
	if (g->err_tokens == 0) {
		ike->st.error_notifies_limited++;
		return false;
	}
	g->err_tokens--;
	return true;
}

bool ike_guard_error(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
		     uint16_t type, const uint8_t *data, size_t len)
{
	uint8_t out[256];
	size_t n;
	struct ike_wr w;
	/* 1.5: SPIs, exchange and message ID copied; R set, I as our role is to the sender */
	struct ike_hdr h = {
		.major = 2,
		.exchange = m->hdr.exchange,
		.flags = IKE_FLAG_R | ((m->hdr.flags & IKE_FLAG_I) ? 0 : IKE_FLAG_I),
		.msg_id = m->hdr.msg_id,
	};
	if ((m->hdr.flags & IKE_FLAG_R) != 0 || !err_token(ike))
		return false; /* 2.21.4: a response is never answered */
	memcpy(h.spi_i, m->hdr.spi_i, 8);
	memcpy(h.spi_r, m->hdr.spi_r, 8);
	if (ike_wr_init(&w, out, sizeof(out), &h) != 0 ||
	    ike_wr_notify(&w, 0, NULL, 0, type, data, len) != 0 || ike_wr_finish(&w, &n) != 0 ||
	    ike_send(ike, p, out, n) != 0)
		return false;
	ike->st.error_notifies++;
	return true;
}

#define IKE_UNAUTH_LOGS 10 /* lines a second about unauthenticated peers */

bool ike_guard_log_ok(struct ike *ike)
{
	uint64_t now = ike_now(ike);
	if (now - ike->refusal_tsc >= rte_get_timer_hz()) {
		ike->refusal_tsc = now;
		ike->refusal_logs = 0;
	}
	return ike->refusal_logs++ < IKE_UNAUTH_LOGS;
}
