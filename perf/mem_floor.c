/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/mem_floor.c - vpnhub-mem-floor: what reading per-SA state costs this machine's memory
 * system when every packet belongs to another of many SAs, with nothing else in the way.
 *
 * Per "packet", L cache lines of one object (an SA's state: lookup entry, SA lines, window,
 * keys) are read; the objects are visited in a fixed shuffled order, as the esp-decrypt rows
 * spread their packets over the SA pairs. Packets go in bursts of 32, and every line of a burst
 * is prefetched before the first is read: the most overlap a burst-at-a-time data plane can
 * get, and no dependent loads (the real path has some: hash entry, then SA, then window and
 * keys). The cycles a packet costs at N objects less those at 1 object are therefore a floor
 * for what N SAs add to a path that reads L lines of per-SA state, whatever the code around it.
 * Main thread only; pin it with --cpu to the worker's CPU for comparable figures.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <x86intrin.h>

#include "perf/order.h"

#define BURST	  32
#define LINE	  64
#define PKTS_MIN  (1u << 22)
#define LINES_MAX 32
#define REPS	  5
#define HUGE_2M	  (2u << 20)
#define DEF_OBJ	  100000u
#define DEF_SIZE  2048u
#define CAL_NS	  200000000L

struct arena {
	uint8_t *mem;
	size_t len;
	int huge;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: vpnhub-mem-floor [--objects N] [--size BYTES] [--lines L,L,...] [--cpu C]\n"
		"  --objects N   objects (SAs) the packets are spread over (default %u)\n"
		"  --size BYTES  bytes per object, a multiple of 64 (default %u)\n"
		"  --lines LIST  lines read per packet (default 1,3,5,8,12,16,20; at most %u)\n"
		"  --cpu C       run on CPU C\n",
		DEF_OBJ, DEF_SIZE, LINES_MAX);
}

/* 2 MB pages when the system has them free (as the hub's EAL memory), else 4 KB pages. */
static int arena_get(struct arena *a, size_t len)
{
	a->len = (len + HUGE_2M - 1) / HUGE_2M * HUGE_2M;
	a->huge = 1;
	a->mem = mmap(NULL, a->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (a->mem == MAP_FAILED) {
		a->huge = 0;
		a->mem = mmap(NULL, a->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			      0);
	}
	if (a->mem == MAP_FAILED)
		return -errno;
	memset(a->mem, 1, a->len);
	return 0;
}

/* The objects in the order the esp-decrypt rows visit their pairs (perf/order.h). */
static uint32_t *order_make(uint32_t n)
{
	uint32_t *v = malloc(sizeof(*v) * n);
	if (v != NULL)
		perf_order_shuffle(v, n);
	return v;
}

/* TSC cycles per packet over pkts packets reading lines lines of objects in order[]. */
static double run(const struct arena *a, const uint32_t *order, uint32_t n, size_t size,
		  unsigned int lines, uint64_t pkts, uint64_t *sink)
{
	size_t step = size / LINE / lines * LINE; /* lines spread over the object */
	uint64_t sum = 0, t0, t1;
	uint32_t oi = 0;
	if (step == 0)
		step = LINE;
	t0 = __rdtsc();
	for (uint64_t p = 0; p < pkts; p += BURST) {
		const uint8_t *o[BURST];
		for (unsigned int b = 0; b < BURST; b++) {
			o[b] = a->mem + (size_t)order[oi] * size;
			if (++oi == n)
				oi = 0;
		}
		for (unsigned int b = 0; b < BURST; b++)
			for (unsigned int l = 0; l < lines; l++)
				__builtin_prefetch(o[b] + l * step);
		for (unsigned int b = 0; b < BURST; b++)
			for (unsigned int l = 0; l < lines; l++)
				sum += *(const volatile uint64_t *)(o[b] + l * step);
	}
	t1 = __rdtsc();
	*sink += sum;
	return (double)(t1 - t0) / (double)pkts;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* Median of REPS runs. */
static double median_run(const struct arena *a, const uint32_t *order, uint32_t n, size_t size,
			 unsigned int lines, uint64_t pkts, uint64_t *sink)
{
	double r[REPS];
	for (unsigned int i = 0; i < REPS; i++)
		r[i] = run(a, order, n, size, lines, pkts, sink);
	qsort(r, REPS, sizeof(r[0]), cmp_double);
	return r[REPS / 2];
}

static double tsc_ghz(void)
{
	struct timespec s, e, d = {0, CAL_NS};
	clock_gettime(CLOCK_MONOTONIC, &s);
	uint64_t t0 = __rdtsc();
	nanosleep(&d, NULL);
	uint64_t t1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &e);
	double ns = (double)(e.tv_sec - s.tv_sec) * 1e9 + (double)(e.tv_nsec - s.tv_nsec);
	return (double)(t1 - t0) / ns;
}

static int parse_lines(const char *s, unsigned int *out, unsigned int *n)
{
	char *end;
	*n = 0;
	while (*s != '\0') {
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || v == 0 || v > LINES_MAX || *n == LINES_MAX)
			return -1;
		out[(*n)++] = (unsigned int)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return *n > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"objects", required_argument, NULL, 'n'}, {"size", required_argument, NULL, 's'},
		{"lines", required_argument, NULL, 'l'},   {"cpu", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0}};
	unsigned int lines[LINES_MAX] = {1, 3, 5, 8, 12, 16, 20}, n_lines = 7;
	unsigned long objects = DEF_OBJ, size = DEF_SIZE;
	int c, cpu = -1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'n':
			objects = strtoul(optarg, &end, 10);
			break;
		case 's':
			size = strtoul(optarg, &end, 10);
			break;
		case 'l':
			if (parse_lines(optarg, lines, &n_lines) != 0) {
				fprintf(stderr,
					"vpnhub-mem-floor: --lines: 1..%u, comma separated\n",
					LINES_MAX);
				return 2;
			}
			break;
		case 'c':
			cpu = (int)strtol(optarg, &end, 10);
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
		if (end != NULL && *end != '\0') {
			usage();
			return 2;
		}
	}
	if (objects < 1 || objects > 10000000 || size < LINE || size % LINE != 0 ||
	    size > (unsigned long)LINES_MAX * 1024) {
		fprintf(stderr,
			"vpnhub-mem-floor: --objects 1..10000000, --size a multiple of 64\n");
		return 2;
	}
	for (unsigned int i = 0; i < n_lines; i++)
		if (lines[i] * LINE > size) {
			fprintf(stderr, "vpnhub-mem-floor: %u lines do not fit %lu bytes\n",
				lines[i], size);
			return 2;
		}
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			perror("vpnhub-mem-floor: sched_setaffinity");
			return 1;
		}
	}
	struct arena a;
	int rc = arena_get(&a, (size_t)objects * size);
	uint32_t *order = order_make((uint32_t)objects), one = 0;
	if (rc != 0 || order == NULL) {
		fprintf(stderr, "vpnhub-mem-floor: no memory for %lu x %lu bytes: %s\n", objects,
			size, strerror(rc != 0 ? -rc : ENOMEM));
		return 1;
	}
	uint64_t pkts = (uint64_t)objects * 16 > PKTS_MIN ? (uint64_t)objects * 16 : PKTS_MIN,
		 sink = 0;
	double ghz = tsc_ghz();
	printf("memory floor: %lu objects of %lu bytes (%.0f MiB, %s pages), bursts of %u with "
	       "every "
	       "line prefetched first, TSC %.3f GHz, median of %u runs of %" PRIu64 " packets\n",
	       objects, size, (double)a.len / (1 << 20), a.huge ? "2 MB" : "4 KB", BURST, ghz, REPS,
	       pkts);
	printf("%5s %12s %12s %12s %14s\n", "lines", "cyc/pkt at 1", "at N", "N adds",
	       "adds per line");
	for (unsigned int i = 0; i < n_lines; i++) {
		double c1 = median_run(&a, &one, 1, size, lines[i], pkts, &sink);
		double cn = median_run(&a, order, (uint32_t)objects, size, lines[i], pkts, &sink);
		printf("%5u %12.1f %12.1f %12.1f %14.1f\n", lines[i], c1, cn, cn - c1,
		       (cn - c1) / lines[i]);
	}
	if (sink == 42) /* keeps the loads */
		printf("\n");
	munmap(a.mem, a.len);
	free(order);
	return 0;
}
