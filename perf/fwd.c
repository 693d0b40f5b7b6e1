/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/fwd.c - the forward paths (ipv4-fwd, ipv6-fwd) and their reference, the generator
 * ceiling (gen-ceiling:ipv4, gen-ceiling:ipv6).
 *
 * A forward row launches the unmodified dp_worker_main on the worker lcore; a ceiling row
 * launches a loop that moves bursts from the worker's LAN port to its WAN port untouched, on
 * the same ports with the same generator, so it shows what generator and ports can carry.
 * Worker cycles per packet come from a stats slot (the worker's own, or the ceiling loop's,
 * accounted with the same dp_loop_account). After each row every generator mbuf must be back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_malloc.h>

#include "perf/bench.h"
#include "perf/gen.h"

struct fwd_state {
	const struct fwd_arg *a;
	struct gen_dsts dsts;
	struct gen_traffic t;
	struct dp_lcore_stats *ceil_st; /* the ceiling loop's slot */
};

/* The ceiling loop's shared state: the main lcore writes stop, the worker lcore the stats. */
struct ceiling {
	struct rig *r;
	struct dp_lcore_stats *st;
	int stop;
};

static int ceiling_main(void *arg)
{
	struct ceiling *c = arg;
	struct rte_mbuf *mb[BURST_MAX];
	uint16_t in = c->r->wport[RIG_LAN], out = c->r->wport[RIG_WAN];
	uint64_t prev = rte_rdtsc();
	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		uint16_t n = rte_eth_rx_burst(in, 0, mb, BURST_MAX);
		uint16_t s = 0;
		while (s < n && !__atomic_load_n(&c->stop, __ATOMIC_RELAXED))
			s += rte_eth_tx_burst(out, 0, mb + s, (uint16_t)(n - s));
		if (s < n)
			rte_pktmbuf_free_bulk(mb + s, n - s); /* only when stopping */
		uint64_t now = rte_rdtsc();
		dp_loop_account(c->st, prev, now, n);
		prev = now;
	}
	return 0;
}

static inline uint64_t rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* What the window loop needs: the generator and the stats slot of the code under test. */
struct fwd_ctx {
	const struct bench *b;
	struct gen *g;
	const struct dp_lcore_stats *st;
};

static void sample(void *arg, struct bench_sample *s)
{
	const struct fwd_ctx *c = arg;
	s->tsc = rte_rdtsc();
	s->pkts = c->g->rx;
	s->l3_bytes = c->g->rx_l3;
	s->busy_cycles = rd(&c->st->busy_cycles);
	s->busy_pkts = rd(&c->st->busy_pkts);
	s->total_cycles = rd(&c->st->total_cycles);
	s->core_cycles = bench_core_cycles(c->b);
	s->gen_busy_cycles = c->g->busy_cycles;
	s->gen_busy_pkts = c->g->busy_pkts;
	bench_sample_cpu(c->b, s);
}

static void run_gen(void *arg, uint64_t until)
{
	const struct fwd_ctx *c = arg;
	gen_run(c->g, until);
}

int fwd_setup(struct bench *b, const struct bench_path *p, void **state)
{
	struct fwd_state *s = rte_zmalloc("fwd_state", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return -ENOMEM;
	s->a = p->arg;
	s->ceil_st = rte_zmalloc("ceil_st", sizeof(*s->ceil_st), RTE_CACHE_LINE_SIZE);
	uint32_t routes = b->rig.routes[s->a->family == AF_INET ? 0 : 1];
	int rc = s->ceil_st ? gen_dsts_build(&s->dsts, s->a->family, RTE_MAX(routes, 1u)) : -ENOMEM;
	if (rc != 0) {
		fwd_teardown(b, s);
		return rc;
	}
	*state = s;
	return 0;
}

void fwd_teardown(struct bench *b, void *state)
{
	struct fwd_state *s = state;
	(void)b;
	if (s == NULL)
		return;
	gen_dsts_free(&s->dsts);
	rte_free(s->ceil_st);
	rte_free(s);
}

/* Launch the code under test on the worker lcore; returns the stats slot it accounts in. */
static int launch(struct bench *b, struct fwd_state *s, struct ceiling *c,
		  struct dp_lcore_stats **st)
{
	struct dp *dp = b->rig.dp;
	if (s->a->ceiling) {
		*c = (struct ceiling){.r = &b->rig, .st = s->ceil_st};
		*st = s->ceil_st;
		return rte_eal_remote_launch(ceiling_main, c, b->wlcore);
	}
	__atomic_store_n(&dp->stop, 0, __ATOMIC_RELEASE);
	*st = dp->workers[0].st;
	return rte_eal_remote_launch(dp_worker_main, &dp->workers[0], b->wlcore);
}

static void halt(struct bench *b, struct fwd_state *s, struct ceiling *c)
{
	if (s->a->ceiling)
		__atomic_store_n(&c->stop, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&b->rig.dp->stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(b->wlcore);
}

int fwd_run(struct bench *b, void *state, struct bench_row *row)
{
	struct fwd_state *s = state;
	struct bench_sample win[BENCH_WINDOWS_MAX];
	unsigned int n = 0;
	struct dp_lcore_stats *st;
	struct ceiling c;
	struct gen g;
	int rc = gen_traffic_build(&s->t, s->a->family, row->size, &b->rig.gmac,
				   &b->rig.wmac[RIG_LAN], &s->dsts);
	if (rc != 0)
		return rc;
	row->scale = s->dsts.n; /* below the planned scale when the FIB is full */
	if (b->rig.full[s->a->family == AF_INET ? 0 : 1])
		snprintf(row->note, sizeof(row->note), "FIB full: %u routes of %u", s->dsts.n,
			 b->scale);
	row->frame_bytes = s->t.frame_mean;
	row->l3_bytes = s->t.l3_mean;
	const struct dp_lcore_stats *wst = b->rig.dp->workers[0].st;
	uint64_t drops0 = rd(&wst->dropped), punts0 = rd(&wst->punted);
	rc = launch(b, s, &c, &st);
	if (rc != 0)
		return rc;
	rc = gen_start(&g, &b->rig, &s->t, &s->dsts);
	if (rc == 0) {
		struct fwd_ctx ctx = {.b = b, .g = &g, .st = st};
		n = bench_measure(b, run_gen, sample, &ctx, win);
	}
	halt(b, s, &c);
	gen_recover(&g, &b->rig, row);
	row->drops = rd(&wst->dropped) - drops0;
	if (row->punts != rd(&wst->punted) - punts0) {
		row->errors++;
		snprintf(row->note, sizeof(row->note), "punt count and punt ring disagree");
	}
	if (rc == 0 && n > 0)
		bench_reduce(b, win, n, row);
	return rc;
}
