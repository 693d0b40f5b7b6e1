/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/worker.c - the run-to-completion worker loop and the data plane context.
 *
 * Per loop: RX burst from each polled port -> classify -> forward -> punt ring; then flush the
 * TX buffers, expire outer fragments held too long, report RCU quiescence, and account
 * busy/idle cycles. No locks, no syscalls, no allocation on this path; an idle loop may sleep
 * (offline for RCU) when configured.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "crypto/imb.h"
#include "dataplane/classify.h"
#include "dataplane/dp.h"
#include "dataplane/esp.h"
#include "dataplane/frag.h"
#include "dataplane/ip_fwd.h"
#include "dataplane/neigh.h"
#include "dataplane/sa.h"

int dp_meta_offset = -1;

int dp_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "vpnhub_dp_meta",
		.size = sizeof(struct dp_meta),
		.align = __alignof__(struct dp_meta),
	};
	if (dp_meta_offset >= 0)
		return 0;
	dp_meta_offset = rte_mbuf_dynfield_register(&desc);
	return dp_meta_offset < 0 ? -rte_errno : 0;
}

/* Per worker: the punt ring to the control lcore, its hand-off ring, its crypto manager. */
static int worker_rings(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		char name[RTE_RING_NAMESIZE];
		snprintf(name, sizeof(name), "punt%u_%p", i, (void *)dp);
		w->punt = rte_ring_create(name, DP_PUNT_RING_SIZE, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "hoff%u_%p", i, (void *)dp);
		w->handoff = rte_ring_create(name, DP_PUNT_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
		w->imb = crypto_imb_mgr_create();
		if (w->punt == NULL || w->handoff == NULL || w->imb == NULL)
			return -ENOMEM;
	}
	return 0;
}

struct dp *dp_create(unsigned int n_workers, unsigned int n_mbufs, uint16_t data_room,
		     unsigned int idle_sleep_us)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	if (n_workers == 0 || n_workers > DP_WORKERS_MAX || dp_meta_register() != 0)
		return NULL;
	struct dp *dp = rte_zmalloc("dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return NULL;
	dp->n_workers = n_workers;
	dp->idle_sleep_us = idle_sleep_us;
	snprintf(name, sizeof(name), "mb_%p", (void *)dp);
	dp->pool = rte_pktmbuf_pool_create(name, n_mbufs, 256, 0, data_room, SOCKET_ID_ANY);
	dp->stats =
		rte_zmalloc("dp_stats", sizeof(*dp->stats) * (n_workers + 1), RTE_CACHE_LINE_SIZE);
	size_t qsz = rte_rcu_qsbr_get_memsize(n_workers);
	dp->qsbr = rte_zmalloc("dp_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->pool == NULL || dp->stats == NULL || dp->qsbr == NULL ||
	    rte_rcu_qsbr_init(dp->qsbr, n_workers) != 0 || worker_rings(dp) != 0) {
		dp_destroy(dp);
		return NULL;
	}
	for (unsigned int i = 0; i < n_workers; i++) {
		dp->workers[i].dp = dp;
		dp->workers[i].id = i;
		dp->workers[i].st = &dp->stats[i];
	}
	if (frag_create(dp, n_mbufs) != 0) {
		dp_destroy(dp);
		return NULL;
	}
	return dp;
}

static void drain_ring(struct rte_ring *r)
{
	struct rte_mbuf *mb[BURST_MAX];
	unsigned int n;
	while ((n = rte_ring_dequeue_burst(r, (void **)mb, BURST_MAX, NULL)) > 0)
		rte_pktmbuf_free_bulk(mb, n);
}

void dp_destroy(struct dp *dp)
{
	if (dp == NULL)
		return;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		if (w->punt != NULL) {
			drain_ring(w->punt);
			rte_ring_free(w->punt);
		}
		if (w->handoff != NULL) {
			drain_ring(w->handoff);
			rte_ring_free(w->handoff);
		}
		crypto_imb_mgr_free(w->imb);
		for (unsigned int p = 0; p < DP_PORTS_MAX; p++)
			rte_free(w->txq[p].buf);
	}
	frag_destroy(dp); /* before the pool: the tables hold its mbufs */
	rte_free(dp->qsbr);
	rte_free(dp->stats);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

/* TX buffer error callback: the frames did not fit in the queue; undo their TX count. */
static void tx_unsent(struct rte_mbuf **pkts, uint16_t unsent, void *arg)
{
	struct dp_txq *q = arg;
	struct dp_lcore_stats *st = q->w->st;
	for (uint16_t i = 0; i < unsent; i++) {
		st->ifs[q->ifindex].tx_pkts--;
		st->ifs[q->ifindex].tx_bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		st->ifs[q->ifindex].drops++;
	}
	st->tx_pkts -= unsent;
	dp_count_drop(st, DP_DROP_TX_FULL, unsent);
	rte_pktmbuf_free_bulk(pkts, unsent);
}

int dp_worker_tx_setup(struct dp *dp)
{
	/*
	 * Both assemblers (app/hub.c, perf/rig.c) get here with the tables made and before any
	 * route or neighbor is installed: from now on neighbor changes reach the gateway next
	 * hops. Binding later would also work (it resyncs), so this is only the earliest point.
	 */
	if (dp->neigh != NULL && dp->fib != NULL)
		dp_neigh_bind(dp->neigh, dp->fib);
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		for (uint16_t port = 0; port < DP_PORTS_MAX; port++) {
			if (dp->port_ifindex[port] == 0 || w->txq[port].buf != NULL)
				continue;
			struct dp_txq *q = &w->txq[port];
			q->buf = rte_zmalloc("txbuf", RTE_ETH_TX_BUFFER_SIZE(BURST_MAX), 0);
			if (q->buf == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(q->buf, BURST_MAX);
			q->w = w;
			q->port = port;
			q->ifindex = dp->port_ifindex[port];
			rte_eth_tx_buffer_set_err_callback(q->buf, tx_unsent, q);
		}
	}
	return 0;
}

void dp_punt_flush(struct dp_worker *w, struct dp_vec *v)
{
	if (v->n_punt == 0)
		return;
	unsigned int ok = rte_ring_enqueue_burst(w->punt, (void **)v->punt, v->n_punt, NULL);
	for (unsigned int i = ok; i < v->n_punt; i++) {
		w->st->punted--; /* it never reached the control core */
		w->st->punt[dp_meta(v->punt[i])->punt]--;
		dp_drop(w->st, v->punt[i], DP_DROP_PUNT_FULL);
	}
	v->n_punt = 0;
}

void esp_handoff(struct dp *dp, struct dp_lcore_stats *st, struct rte_mbuf *mb, uint16_t owner,
		 enum dp_stage stage)
{
	dp_meta(mb)->stage = (uint8_t)stage;
	if (owner >= dp->n_workers || rte_ring_enqueue(dp->workers[owner].handoff, mb) != 0) {
		struct sa *sa = sa_get(dp->sas, dp_meta(mb)->sa_id);
		if (sa != NULL)
			__atomic_fetch_add(&sa->st.err[SA_ERR_HANDOFF], 1, __ATOMIC_RELAXED);
		dp_drop(st, mb, DP_DROP_ESP_SA);
	}
}

/*
 * The stages after classify: reassembly of outer fragments, ESP decapsulation, IP forwarding
 * (which may route into tunnels), ESP encapsulation, forwarding of the outer packets and
 * fragmentation of those over the MTU, and the punts. Fragments only cost their two tests.
 */
static void dp_process(struct dp_worker *w, struct dp_vec *v)
{
	if (unlikely(v->n_frag != 0))
		frag_input(w, v);
	esp_in(w, v);
	dp_ip4_forward(w, v);
	dp_ip6_forward(w, v);
	esp_out(w, v);
	dp_ip4_forward(w, v);
	dp_ip6_forward(w, v);
	if (unlikely(v->n_frag_out != 0))
		frag_output(w, v);
	for (uint16_t i = 0; i < v->n_esp_out; i++) /* an ESP packet routed into a tunnel again */
		dp_drop(w->st, v->esp_out[i], DP_DROP_NO_TUNNEL);
	v->n_esp_out = 0;
	dp_punt_flush(w, v);
}

/* Packets other workers handed over because this worker owns their SA. */
unsigned int dp_handoff_poll(struct dp_worker *w)
{
	struct rte_mbuf *mb[BURST_MAX];
	struct dp_vec v;
	unsigned int n = rte_ring_dequeue_burst(w->handoff, (void **)mb, BURST_MAX, NULL);
	if (n == 0)
		return 0;
	dp_vec_reset(&v);
	for (unsigned int i = 0; i < n; i++) {
		if (dp_meta(mb[i])->stage == DP_STAGE_ESP_IN)
			v.esp_in[v.n_esp_in++] = mb[i];
		else
			v.esp_out[v.n_esp_out++] = mb[i];
	}
	dp_process(w, &v);
	return n;
}

void dp_input(struct dp_worker *w, uint16_t port, struct rte_mbuf **mb, uint16_t n)
{
	struct dp_vec v;
	uint16_t ifindex = w->dp->port_ifindex[port]; /* not mb->port: not every PMD sets it */
	const struct iface *ifc = iface_get(w->dp->ifaces, ifindex);
	if (ifc == NULL) {
		rte_pktmbuf_free_bulk(mb, n);
		return;
	}
	struct dp_iface_stats *is = &w->st->ifs[ifindex];
	is->rx_pkts += n;
	w->st->rx_pkts += n;
	dp_vec_reset(&v);
	is->rx_bytes += dp_classify(w->st, ifc, mb, n, &v);
	dp_process(w, &v);
}

static void tx_flush(struct dp_worker *w)
{
	for (uint16_t i = 0; i < w->dp->n_ports; i++) {
		uint16_t port = w->dp->ports[i];
		rte_eth_tx_buffer_flush(port, (uint16_t)w->id, w->txq[port].buf);
	}
}

unsigned int dp_worker_poll(struct dp_worker *w)
{
	struct rte_mbuf *mb[BURST_MAX];
	unsigned int total = 0;
	for (uint16_t i = 0; i < w->n_rxq; i++) {
		uint16_t n = rte_eth_rx_burst(w->rxq[i].port, w->rxq[i].queue, mb, BURST_MAX);
		if (n == 0)
			continue;
		total += n;
		dp_input(w, w->rxq[i].port, mb, n);
	}
	total += dp_handoff_poll(w);
	tx_flush(w);
	if (unlikely(w->frag_held != 0))
		frag_expire(w, rte_rdtsc());
	rte_rcu_qsbr_quiescent(w->dp->qsbr, w->id);
	return total;
}

static void idle_sleep(struct dp_worker *w)
{
	struct timespec ts = {0, (long)w->dp->idle_sleep_us * 1000};
	rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->id);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->dp->qsbr, w->id);
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_lcore_stats *st = w->st;
	w->lcore = rte_lcore_id();
	rte_rcu_qsbr_thread_register(w->dp->qsbr, w->id);
	rte_rcu_qsbr_thread_online(w->dp->qsbr, w->id);
	uint64_t prev = rte_rdtsc();
	while (!__atomic_load_n(&w->dp->stop, __ATOMIC_RELAXED)) {
		unsigned int n = dp_worker_poll(w);
		uint64_t now = rte_rdtsc();
		dp_loop_account(st, prev, now, n);
		if (n == 0 && w->dp->idle_sleep_us > 0) {
			idle_sleep(w);
			uint64_t woke = rte_rdtsc();
			st->total_cycles += woke - now;
			now = woke;
		}
		prev = now;
	}
	rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(w->dp->qsbr, w->id);
	return 0;
}
