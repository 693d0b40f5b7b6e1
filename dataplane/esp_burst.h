/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_burst.h - a burst of ESP crypto work, shared by esp_in and esp_out. The whole
 * burst, whatever its SAs and suites, goes to intel-ipsec-mb in one job loop with one flush, each
 * job with its own SA's keys, so multi-buffer suites fill their lanes across SAs; packets keep
 * their places in the burst and each op's status is its own. Worker lcores only.
 */
#ifndef VPNHUB_DATAPLANE_ESP_BURST_H
#define VPNHUB_DATAPLANE_ESP_BURST_H

#include <rte_mbuf.h>

#include "crypto/esp_xform.h"
#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/sa.h"

_Static_assert(BURST_MAX <= ESP_XFORM_BURST, "a burst is one round of intel-ipsec-mb jobs");

struct esp_burst {
	struct rte_mbuf *mb[BURST_MAX];
	struct sa *sa[BURST_MAX];
	uint64_t seq[BURST_MAX];
	struct esp_crypto_op op[BURST_MAX];
	uint16_t n;
};

typedef uint16_t (*esp_crypto_fn)(IMB_MGR *mgr, const struct esp_xform *x,
				  struct esp_crypto_op *ops, uint16_t n);

/* Each op under its own SA's transform, all in one round; statuses land in b->op[i].status. */
static inline void esp_burst_encrypt(struct esp_burst *b, IMB_MGR *mgr)
{
	const struct esp_xform *xs[BURST_MAX];
	for (uint16_t i = 0; i < b->n; i++)
		xs[i] = &b->sa[i]->xf;
	esp_xform_encrypt_multi(mgr, xs, b->op, b->n);
}

static inline void esp_burst_decrypt(struct esp_burst *b, IMB_MGR *mgr)
{
	const struct esp_xform *xs[BURST_MAX];
	for (uint16_t i = 0; i < b->n; i++)
		xs[i] = &b->sa[i]->xf;
	esp_xform_decrypt_multi(mgr, xs, b->op, b->n);
}

/*
 * The older entry point, naming the single-SA function of the direction: it is a constant at
 * every call site, so the choice folds away. Any other fn runs one op per call (correct, slow).
 */
static inline void esp_burst_crypto(struct esp_burst *b, IMB_MGR *mgr, esp_crypto_fn fn)
{
	if (fn == esp_xform_decrypt) {
		esp_burst_decrypt(b, mgr);
	} else if (fn == esp_xform_encrypt) {
		esp_burst_encrypt(b, mgr);
	} else {
		for (uint16_t i = 0; i < b->n; i++)
			fn(mgr, &b->sa[i]->xf, &b->op[i], 1);
	}
}

/* Count an SA error and drop the packet (the global counter says "see the SA"). */
static inline void esp_sa_drop(struct dp_lcore_stats *st, struct sa *sa, struct rte_mbuf *mb,
			       enum sa_err why)
{
	sa->st.err[why]++;
	dp_drop(st, mb, DP_DROP_ESP_SA);
}

/*
 * v has reached limit, a lifetime bound where 0 means none: limit - 1 wraps to the largest
 * value for 0, which nothing exceeds. Branch-free, so the three bounds cost three compares.
 */
static inline int esp_life_reached(uint64_t v, uint64_t limit)
{
	return v > limit - 1;
}

/* Hard lifetime reached? (RFC 4301 4.4.2.1) Sets hard_expired once it is. Owner only. */
static inline bool esp_sa_expired(struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	if (unlikely(sa->hard_expired))
		return true;
	if (unlikely(esp_life_reached(sa->st.pkts, l->hard_pkts) |
		     esp_life_reached(sa->st.bytes, l->hard_bytes) |
		     esp_life_reached(now, l->hard_tsc)))
		sa->hard_expired = 1;
	return sa->hard_expired;
}

/* Raise the soft-lifetime event once (the control lcore polls soft_fired). Owner only. */
static inline void esp_sa_soft(struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	if (likely(sa->soft_fired))
		return;
	if (unlikely(esp_life_reached(sa->st.pkts, l->soft_pkts) |
		     esp_life_reached(sa->st.bytes, l->soft_bytes) |
		     esp_life_reached(now, l->soft_tsc)))
		__atomic_store_n(&sa->soft_fired, 1, __ATOMIC_RELEASE);
}

#endif
