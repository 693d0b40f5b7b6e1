/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_burst.h - a burst of ESP crypto work grouped by SA, shared by esp_in and
 * esp_out. Packets of one SA are handed to intel-ipsec-mb together so its lanes fill; the order
 * of packets within an SA is kept. Worker lcores only.
 */
#ifndef VPNHUB_DATAPLANE_ESP_BURST_H
#define VPNHUB_DATAPLANE_ESP_BURST_H

#include <rte_mbuf.h>

#include "crypto/esp_xform.h"
#include "dataplane/dp.h"
#include "dataplane/sa.h"

struct esp_burst {
	struct rte_mbuf *mb[BURST_MAX];
	struct sa *sa[BURST_MAX];
	uint64_t seq[BURST_MAX];
	struct esp_crypto_op op[BURST_MAX];
	uint16_t n;
};

typedef uint16_t (*esp_crypto_fn)(IMB_MGR *mgr, const struct esp_xform *x,
				  struct esp_crypto_op *ops, uint16_t n);

static inline void esp_burst_swap(struct esp_burst *b, uint16_t i, uint16_t j)
{
	struct rte_mbuf *mb = b->mb[i];
	struct sa *sa = b->sa[i];
	uint64_t seq = b->seq[i];
	struct esp_crypto_op op = b->op[i];
	b->mb[i] = b->mb[j];
	b->sa[i] = b->sa[j];
	b->seq[i] = b->seq[j];
	b->op[i] = b->op[j];
	b->mb[j] = mb;
	b->sa[j] = sa;
	b->seq[j] = seq;
	b->op[j] = op;
}

/* Stable grouping by SA (insertion sort on the SA id; bursts are at most BURST_MAX). */
static inline void esp_burst_group(struct esp_burst *b)
{
	for (uint16_t i = 1; i < b->n; i++)
		for (uint16_t j = i; j > 0 && b->sa[j - 1]->id > b->sa[j]->id; j--)
			esp_burst_swap(b, j - 1, j);
}

/* Run fn over each run of packets that share an SA; statuses land in b->op[i].status. */
static inline void esp_burst_crypto(struct esp_burst *b, IMB_MGR *mgr, esp_crypto_fn fn)
{
	uint16_t start = 0;
	esp_burst_group(b);
	for (uint16_t i = 1; i <= b->n; i++) {
		if (i < b->n && b->sa[i] == b->sa[start])
			continue;
		fn(mgr, &b->sa[start]->xf, &b->op[start], (uint16_t)(i - start));
		start = i;
	}
}

/* Count an SA error and drop the packet (the global counter says "see the SA"). */
static inline void esp_sa_drop(struct dp_lcore_stats *st, struct sa *sa, struct rte_mbuf *mb,
			       enum sa_err why)
{
	sa->st.err[why]++;
	dp_drop(st, mb, DP_DROP_ESP_SA);
}

/* Hard lifetime reached? (RFC 4301 4.4.2.1) Sets hard_expired once it is. Owner only. */
static inline bool esp_sa_expired(struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	if (unlikely(sa->hard_expired))
		return true;
	if ((l->hard_pkts && sa->st.pkts >= l->hard_pkts) ||
	    (l->hard_bytes && sa->st.bytes >= l->hard_bytes) || (l->hard_tsc && now >= l->hard_tsc))
		sa->hard_expired = 1;
	return sa->hard_expired;
}

/* Raise the soft-lifetime event once (the control lcore polls soft_fired). Owner only. */
static inline void esp_sa_soft(struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	if (likely(sa->soft_fired))
		return;
	if ((l->soft_pkts && sa->st.pkts >= l->soft_pkts) ||
	    (l->soft_bytes && sa->st.bytes >= l->soft_bytes) || (l->soft_tsc && now >= l->soft_tsc))
		__atomic_store_n(&sa->soft_fired, 1, __ATOMIC_RELEASE);
}

#endif
