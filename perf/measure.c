/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/measure.c - from counter windows to a row: the median window by packet rate gives every
 * number of the row, so the numbers of a row always come from the same window.
 *
 * Definitions: Mpps = packets delivered / window time; Gbps = their L3 bytes * 8 / window time;
 * cycles/packet = TSC cycles of the worker lcore's busy loops / packets those loops received
 * (loops that received nothing are idle and excluded); busy = busy cycles / all loop cycles.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "perf/bench.h"

void bench_window(const struct bench_sample *a, const struct bench_sample *b,
		  struct bench_sample *d)
{
	d->tsc = b->tsc - a->tsc;
	d->pkts = b->pkts - a->pkts;
	d->l3_bytes = b->l3_bytes - a->l3_bytes;
	d->busy_cycles = b->busy_cycles - a->busy_cycles;
	d->busy_pkts = b->busy_pkts - a->busy_pkts;
	d->total_cycles = b->total_cycles - a->total_cycles;
	d->core_cycles = b->core_cycles - a->core_cycles;
	d->gen_cpu_ns = b->gen_cpu_ns - a->gen_cpu_ns;
	d->wrk_cpu_ns = b->wrk_cpu_ns - a->wrk_cpu_ns;
	d->gen_busy_cycles = b->gen_busy_cycles - a->gen_busy_cycles;
	d->gen_busy_pkts = b->gen_busy_pkts - a->gen_busy_pkts;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	if (clock_gettime(c, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_sample_cpu(const struct bench *b, struct bench_sample *s)
{
	s->gen_cpu_ns = clock_ns(b->gen_clock);
	s->wrk_cpu_ns = clock_ns(b->wrk_clock);
}

/* Least share of the window either lcore thread was on its CPU (1 = undisturbed). */
static double cpu_share(const struct bench *b, const struct bench_sample *w)
{
	double wall_ns = (double)w->tsc * 1e9 / (double)b->env.tsc_hz;
	uint64_t least = RTE_MIN(w->gen_cpu_ns, w->wrk_cpu_ns);
	return wall_ns > 0 ? RTE_MIN(1.0, (double)least / wall_ns) : 0;
}

/* A window counts towards the row when it moved packets; a clean one when both lcores ran. */
static bool usable(const struct bench *b, const struct bench_sample *w, bool need_clean)
{
	return w->pkts > 0 && (!need_clean || cpu_share(b, w) >= BENCH_CLEAN_SHARE);
}

unsigned int bench_measure(const struct bench *b, void (*run)(void *ctx, uint64_t until),
			   void (*sample)(void *ctx, struct bench_sample *s), void *ctx,
			   struct bench_sample *win)
{
	struct bench_sample a = {0}, z = {0}; /* fields a path does not sample stay 0 */
	unsigned int n = 0, clean = 0, moved = 0;
	sample(ctx, &a);
	run(ctx, a.tsc + b->warmup_tsc);
	/* reps clean windows; else 2 * reps windows, or 3 * reps until one moved packets */
	while (clean < b->o.reps && (n < 2 * b->o.reps || (moved == 0 && n < 3 * b->o.reps)) &&
	       !bench_quit) {
		sample(ctx, &a);
		run(ctx, a.tsc + b->window_tsc);
		sample(ctx, &z);
		bench_window(&a, &z, &win[n]);
		moved += win[n].pkts > 0;
		clean += usable(b, &win[n++], true);
	}
	return n;
}

static double rate(const struct bench *b, const struct bench_sample *w)
{
	return w->tsc ? (double)w->pkts * (double)b->env.tsc_hz / (double)w->tsc / 1e6 : 0;
}

/*
 * Index of the median window by packet rate among the clean windows that moved packets, else
 * among those that moved packets, else among all (insertion sort of at most BENCH_WINDOWS_MAX).
 */
static unsigned int median(const struct bench *b, const struct bench_sample *win, unsigned int n)
{
	unsigned int idx[BENCH_WINDOWS_MAX], m = 0;
	int level = 2; /* 2: clean and moved, 1: moved, 0: any */
	for (; level > 0; level--) {
		bool found = false;
		for (unsigned int i = 0; i < n && !found; i++)
			found = level == 2 ? usable(b, &win[i], true) : usable(b, &win[i], false);
		if (found)
			break;
	}
	for (unsigned int i = 0; i < n; i++) {
		if ((level == 2 && !usable(b, &win[i], true)) || (level == 1 && win[i].pkts == 0))
			continue;
		unsigned int j = m++;
		for (; j > 0 && rate(b, &win[idx[j - 1]]) > rate(b, &win[i]); j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	return idx[m / 2];
}

void bench_reduce(const struct bench *b, const struct bench_sample *win, unsigned int n,
		  struct bench_row *row)
{
	const struct bench_sample *w = &win[median(b, win, n)];
	double sec = (double)w->tsc / (double)b->env.tsc_hz;
	row->mpps = rate(b, w);
	row->gbps = sec > 0 ? (double)w->l3_bytes * 8 / sec / 1e9 : 0;
	row->cyc_pkt = w->busy_pkts ? (double)w->busy_cycles / (double)w->busy_pkts : 0;
	row->busy = w->total_cycles ? (double)w->busy_cycles / (double)w->total_cycles : 0;
	row->pkts = w->pkts;
	row->cpu = cpu_share(b, w);
	row->gen_cyc_pkt =
		w->gen_busy_pkts ? (double)w->gen_busy_cycles / (double)w->gen_busy_pkts : -1;
	row->core_cyc_pkt = -1;
	row->core_tsc = -1;
	if (b->perf_fd >= 0 && w->core_cycles > 0 && w->pkts > 0) {
		row->core_cyc_pkt = (double)w->core_cycles / (double)w->pkts;
		row->core_tsc = (double)w->core_cycles / (double)w->tsc;
	}
}

/* A row is good when it measured something and nothing went where it should not. */
void bench_row_check(struct bench_row *row)
{
	const char *why = NULL;
	char buf[96];
	if (row->errors > 0)
		why = row->note[0] ? row->note : "errors";
	else if (row->drops > 0 || row->punts > 0 || row->ctlq > 0) {
		snprintf(buf, sizeof(buf),
			 "unexpected: %lu drops, %lu punts, %lu on control queues",
			 (unsigned long)row->drops, (unsigned long)row->punts,
			 (unsigned long)row->ctlq);
		why = buf;
	} else if (!(row->mpps > 0 && row->gbps > 0 && row->cyc_pkt > 0))
		why = "no positive measurement";
	row->ok = why == NULL;
	if (why != NULL && why != row->note)
		snprintf(row->note, sizeof(row->note), "%s", why);
}
