/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/counters.c - names of the counters and the summing readers.
 * Readers may run on any thread; they never write a counter.
 */
#include <string.h>

#include "dataplane/counters.h"

#define DP_NAME(e, n, d) [DP_DROP_##e] = n,
const char *const dp_drop_name[DP_DROP_MAX] = {DP_DROP_REASONS(DP_NAME)};
#undef DP_NAME
#define DP_DESC(e, n, d) [DP_DROP_##e] = d,
const char *const dp_drop_desc[DP_DROP_MAX] = {DP_DROP_REASONS(DP_DESC)};
#undef DP_DESC
#define DP_PNAME(e, n, d) [DP_PUNT_##e] = n,
const char *const dp_punt_name[DP_PUNT_MAX] = {DP_PUNT_REASONS(DP_PNAME)};
#undef DP_PNAME
#define DP_FNAME(e, n, d) [DP_FRAG_##e] = n,
const char *const dp_frag_name[DP_FRAG_STAT_MAX] = {DP_FRAG_STATS(DP_FNAME)};
#undef DP_FNAME

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void dp_stats_sum(const struct dp_lcore_stats *slots, unsigned int n, struct dp_lcore_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_lcore_stats *s = &slots[i];
		sum->rx_pkts += rd(&s->rx_pkts);
		sum->tx_pkts += rd(&s->tx_pkts);
		sum->punted += rd(&s->punted);
		sum->dropped += rd(&s->dropped);
		sum->loops += rd(&s->loops);
		sum->busy_loops += rd(&s->busy_loops);
		sum->busy_cycles += rd(&s->busy_cycles);
		sum->total_cycles += rd(&s->total_cycles);
		sum->busy_pkts += rd(&s->busy_pkts);
		for (unsigned int r = 0; r < DP_DROP_MAX; r++)
			sum->drop[r] += rd(&s->drop[r]);
		for (unsigned int r = 0; r < DP_PUNT_MAX; r++)
			sum->punt[r] += rd(&s->punt[r]);
		for (unsigned int r = 0; r < DP_FRAG_STAT_MAX; r++)
			sum->frag[r] += rd(&s->frag[r]);
	}
}

void dp_iface_stats_sum(const struct dp_lcore_stats *slots, unsigned int n, uint16_t ifindex,
			struct dp_iface_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (ifindex >= DP_IFACE_STATS_MAX)
		return;
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_iface_stats *f = &slots[i].ifs[ifindex];
		sum->rx_pkts += rd(&f->rx_pkts);
		sum->rx_bytes += rd(&f->rx_bytes);
		sum->tx_pkts += rd(&f->tx_pkts);
		sum->tx_bytes += rd(&f->tx_bytes);
		sum->drops += rd(&f->drops);
	}
}
