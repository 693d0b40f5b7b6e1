/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/bench.h - vpnhub-bench, the data-plane performance harness: shared types.
 *
 * Roles: the main lcore is the orchestrator and the traffic generator; exactly one other lcore,
 * the worker lcore, runs the code under test: the unmodified dp_worker_main, a trivial RX->TX
 * loop (the generator ceiling), or intel-ipsec-mb calls without packet I/O (crypto-only).
 * A path (struct bench_path) is a family of rows; a row is one (path, size, scale) point,
 * measured in `reps` equal windows after a warm-up and reported as the median window, beside
 * the row of its reference path at the same point, measured just before it in the same run.
 * Invariant: the generator owns a fixed set of mbufs; nothing is allocated in steady state.
 */
#ifndef VPNHUB_PERF_BENCH_H
#define VPNHUB_PERF_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/counters.h"
#include "dataplane/dp.h"

#define BENCH_ROWS_MAX	  256
#define BENCH_REPS_MAX	  15
#define BENCH_WINDOWS_MAX (3 * BENCH_REPS_MAX) /* see bench_measure */
#define BENCH_CLEAN_SHARE 0.9 /* a window is clean when both lcores ran this share of it */
#define BENCH_FILTERS_MAX 16
#define BENCH_SCALES_MAX  4
#define BENCH_IMIX_LEN	  12 /* 7:4:1 interleaved, see bench_imix */
#define BENCH_MEM_MAX	  64 /* SA memory records (esp rows), see struct bench_mem */

/* Packet size classes: frame sizes on the wire, 4-byte FCS included (RFC 2544 convention). */
enum bench_size { SIZE_64, SIZE_1420, SIZE_IMIX, SIZE_N };

extern const char *const bench_size_name[SIZE_N];
/* The IMIX 7:4:1 sequence of frame sizes (64/570/1518), interleaved. */
extern const uint16_t bench_imix[BENCH_IMIX_LEN];

/* Frame sizes (FCS included) of one size class, in send order; returns the sequence length. */
unsigned int bench_size_frames(enum bench_size s, const uint16_t **frames);

/*
 * How the crypto-only rows call intel-ipsec-mb. BEST: the library's fastest call for the suite,
 * as the data plane makes it (AES-GCM's direct functions, the burst API for the others).
 */
enum bench_imb_api { BENCH_IMB_BEST, BENCH_IMB_BURST, BENCH_IMB_JOB };
extern const char *const bench_imb_api_name[];

struct bench_opts {
	bool quick;
	bool smoke;
	unsigned int duration_ms; /* measured time per row, split into reps windows */
	unsigned int reps;
	unsigned int inflight; /* generator mbufs in circulation */
	uint8_t imb_api;       /* crypto-only through enum bench_imb_api */
	bool rt;	       /* SCHED_FIFO for both lcores: other tasks get only what RT leaves */
	const char *json;
	const char *filters[BENCH_FILTERS_MAX];
	unsigned int n_filters;
	uint32_t scales[BENCH_SCALES_MAX];
	unsigned int n_scales;
	uint32_t sa_scales[BENCH_SCALES_MAX]; /* SAs per esp row (tunnels), see perf/esp.h */
	unsigned int n_sa_scales;
};

/* What the header of a run says about the machine and the build. */
struct bench_env {
	char cpu[128];
	char flags[128]; /* the flags of interest that the CPU has */
	unsigned int cores;
	char dpdk[64];
	char imb_version[32];
	char imb_arch[64]; /* crypto_imb_arch() plus the VAES/VPCLMULQDQ feature bits */
	char date[32];
	char host[64];
	char build[32];
	char compiler[64];
	uint64_t tsc_hz;
	bool hugepages;
	bool core_cycles; /* perf_event_open(PERF_COUNT_HW_CPU_CYCLES) works on the worker thread */
	char cycles_note[96];
	char sched[80];
};

/* Counter values at one instant; a window is the difference of two. */
struct bench_sample {
	uint64_t tsc;
	uint64_t pkts;
	uint64_t l3_bytes;
	uint64_t busy_cycles;
	uint64_t busy_pkts;
	uint64_t total_cycles;
	uint64_t core_cycles;
	uint64_t gen_cpu_ns; /* CPU time of the main lcore's thread (wall time when it is idle) */
	uint64_t wrk_cpu_ns; /* CPU time of the worker lcore's thread */
	uint64_t gen_busy_cycles; /* the generator's own busy loops, for its cost per packet */
	uint64_t gen_busy_pkts;
};

struct bench_row {
	const struct bench_path *path;
	enum bench_size size;
	uint32_t scale;	    /* routes (scaled paths), SAs with traffic (sa_scaled), 0 for neither */
	double frame_bytes; /* mean frame size, FCS included */
	double l3_bytes;    /* mean inner payload (L3) size */
	double mpps;
	double gbps;	     /* of L3 bytes */
	double cyc_pkt;	     /* TSC cycles per packet in busy loops of the worker lcore */
	double core_cyc_pkt; /* core clock cycles per packet, < 0 when not measurable */
	double core_tsc;     /* core cycles / TSC cycles over the window, < 0 when not measurable */
	double busy;	     /* share of the worker lcore's loop time that moved packets */
	double cpu;	     /* least share of the window that either lcore spent on its CPU */
	double gen_cyc_pkt;  /* the generator's TSC cycles per packet, < 0 when it did not run */
	double ref_mpps;     /* < 0 when the path has no reference */
	double ratio;
	uint64_t pkts;	 /* delivered in the median window */
	uint64_t drops;	 /* worker drops over the whole row (warm-up included) */
	uint64_t punts;	 /* packets punted to the control lcore */
	uint64_t ctlq;	 /* packets found on the control lcore's TX queues */
	uint64_t errors; /* crypto jobs that failed, mbufs not recovered */
	bool ok;
	char note[96];
};

struct bench;

/*
 * A row family. setup runs once per scale (or once for unscaled paths) on the main lcore before
 * the path's rows, run measures one point, teardown undoes setup. ref names the path whose row
 * at the same size (and scale, when both are scaled) is this path's reference.
 * An sa_scaled path is unscaled in that sense (its rows run in the unscaled group, right after
 * their reference) and has one row per size and SA scale (--sa-scales): run finds the SA scale
 * asked for in row->scale and may lower it to what it could install.
 * quick_skip: bit (1 << size) set = that size is left out of --quick runs without PATH filters.
 */
struct bench_path {
	const char *name;
	const char *ref;
	bool scaled;
	int (*setup)(struct bench *b, const struct bench_path *p, void **state);
	int (*run)(struct bench *b, void *state, struct bench_row *row);
	void (*teardown)(struct bench *b, void *state);
	const void *arg;
	bool sa_scaled;
	uint8_t quick_skip;
};

/*
 * What installing the SA pairs of an esp row took from the rte_malloc heap (allocated bytes
 * after minus before), with the parts that can be computed: the structs, the per-suite and
 * per-direction transforms, the replay window.
 */
struct bench_mem {
	const char *suite;
	uint32_t pairs;
	uint32_t window;	  /* replay window of the inbound SAs, bits */
	uint64_t heap_bytes;	  /* rte_malloc heap growth for all pairs */
	uint32_t sa_bytes;	  /* struct sa without its transform (struct esp_xform) */
	uint32_t xform_out_bytes; /* esp_xform_size of the outbound SA: header and keys */
	uint32_t xform_in_bytes;  /* the same, inbound */
	uint32_t win_bytes;	  /* replay_size(window) */
	uint64_t table_bytes;	  /* the SA table itself (hash and slots for its capacity), fixed */
};

extern const struct bench_path bench_paths[];
extern const unsigned int bench_n_paths;

/* The two-port rig of the forward paths: worker ports backed by rings, generator ports opposite. */
enum { RIG_LAN, RIG_WAN, RIG_N };

struct rig {
	struct dp *dp;
	uint16_t wport
		[RIG_N]; /* the worker's ports: RX queue 0, TX queues 0 (worker), 1 (control) */
	uint16_t gport[RIG_N]; /* the generator's ports on the same rings, reversed */
	struct rte_ring *to_worker[RIG_N];
	struct rte_ring *from_worker[RIG_N];
	struct rte_ring *ctl[RIG_N]; /* the control lcore's TX queue of each worker port */
	struct rte_mempool *pool;    /* the generator's mbufs */
	struct rte_ether_addr wmac[RIG_N];
	struct rte_ether_addr gmac;
	uint32_t nh[2];		 /* gateway next hops: [0] IPv4, [1] IPv6 */
	uint32_t routes[2];	 /* remote prefixes installed: [0] IPv4, [1] IPv6 */
	bool full[2];		 /* the FIB refused more routes of that family */
	uint64_t sa_table_bytes; /* heap the empty SA table took */
};

struct bench {
	struct bench_opts o;
	struct bench_env env;
	struct rig rig;
	unsigned int wlcore;
	int wtid;	     /* thread id of the worker lcore */
	clockid_t gen_clock; /* CPU-time clocks of the two lcore threads */
	clockid_t wrk_clock;
	int perf_fd; /* core cycle counter on the worker thread, -1 if none */
	uint64_t warmup_tsc;
	uint64_t window_tsc;
	struct bench_row rows[BENCH_ROWS_MAX];
	unsigned int n_rows;
	struct bench_mem mem[BENCH_MEM_MAX];
	unsigned int n_mem;
	uint32_t scale; /* table scale the rig holds now */
};

/* Set by SIGINT/SIGTERM: the current row ends early and the run stops. */
extern volatile int bench_quit;

/* env.c */
void bench_env_probe(struct bench_env *e);
int bench_core_counter_open(struct bench *b);
uint64_t bench_core_cycles(const struct bench *b);

/* rig.c: main lcore only, with the worker lcore idle */
int rig_create(struct rig *r, unsigned int inflight, uint32_t sa_cap, char *err, size_t errlen);
int rig_grow(struct rig *r, uint32_t routes, char *err, size_t errlen);
void rig_destroy(struct rig *r);
void rig_prefix4(uint32_t i, uint8_t out[4]);
void rig_prefix6(uint32_t i, uint8_t out[16]);
/* A next hop (type, ifindex; gw NULL: connected) with a reference taken; id or negative errno. */
int rig_nh_get(struct rig *r, int family, uint8_t type, uint16_t ifindex, const uint8_t *gw);
/* Add (nh != 0) or delete (nh 0) one IPv4 route. */
int rig_route4(struct rig *r, const uint8_t prefix[4], uint8_t plen, uint32_t nh);
/* Republish the interface of a side (RIG_LAN, RIG_WAN) with another MTU. */
int rig_mtu_set(struct rig *r, unsigned int which, uint16_t mtu);
/* Bytes allocated on the rte_malloc heaps of every socket. */
uint64_t rig_heap_bytes(void);
/* Free what the rings and the punt ring hold; counts what the control queues and punts held. */
unsigned int rig_drain(struct rig *r, uint64_t *ctlq, uint64_t *punts);

/* fwd.c: gen-ceiling:* and *-fwd */
struct fwd_arg {
	int family;
	bool ceiling; /* the trivial RX->TX loop instead of dp_worker_main */
};
int fwd_setup(struct bench *b, const struct bench_path *p, void **state);
int fwd_run(struct bench *b, void *state, struct bench_row *row);
void fwd_teardown(struct bench *b, void *state);

/* crypto.c: crypto-only:* */
struct crypto_suite;
struct crypto_arg {
	const struct crypto_suite *suite;
	bool decrypt;
};
int crypto_setup(struct bench *b, const struct bench_path *p, void **state);
int crypto_run(struct bench *b, void *state, struct bench_row *row);
void crypto_teardown(struct bench *b, void *state);

/* esp.c: esp-encrypt:*, esp-decrypt:*, esp-udp-* (see perf/esp.h) */
struct esp_arg {
	const struct crypto_suite *suite;
	bool decrypt;
	bool udp; /* ESP in UDP (NAT-T, RFC 3948) */
};
int esp_setup(struct bench *b, const struct bench_path *p, void **state);
int esp_run(struct bench *b, void *state, struct bench_row *row);
void esp_teardown(struct bench *b, void *state);

/* measure.c */
void bench_window(const struct bench_sample *a, const struct bench_sample *b,
		  struct bench_sample *d);
void bench_reduce(const struct bench *b, const struct bench_sample *win, unsigned int n,
		  struct bench_row *row);
/* Fill the CPU-time fields of s from the two lcore threads' clocks. */
void bench_sample_cpu(const struct bench *b, struct bench_sample *s);
/*
 * Warm up, then take windows until o.reps are clean (2 * o.reps windows at most, 3 * o.reps
 * while none moved a packet):
 * run(ctx, until) advances the code under test to a TSC deadline, sample(ctx, s) reads the
 * counters. Returns the number of windows written to win.
 */
unsigned int bench_measure(const struct bench *b, void (*run)(void *ctx, uint64_t until),
			   void (*sample)(void *ctx, struct bench_sample *s), void *ctx,
			   struct bench_sample *win);
void bench_row_check(struct bench_row *row);

/* report.c */
void report_header(const struct bench *b);
void report_row(const struct bench_row *row);
void report_memory(const struct bench *b);
int report_json(const struct bench *b, const char *path);

/* paths.c */
int bench_run_all(struct bench *b);
bool bench_selected(const struct bench_opts *o, const char *name);
bool bench_needed(const struct bench_opts *o, const struct bench_path *p);
bool bench_any_scaled(const struct bench_opts *o);
/* The rig is needed: a scaled or an sa_scaled path is planned. */
bool bench_needs_rig(const struct bench_opts *o);
/* Is (p, size) measured in this run (the quick subset)? */
bool bench_planned(const struct bench_opts *o, const struct bench_path *p, enum bench_size s);
/* Rows planned for p: sizes times scales. */
unsigned int bench_path_rows(const struct bench_opts *o, const struct bench_path *p);
bool bench_filters_valid(const struct bench_opts *o, const char **bad);

#endif
