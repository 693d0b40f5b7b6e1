/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/main.c - vpnhub-bench: options, EAL, the run, the outputs and the exit status.
 *
 * EAL: two lcores (main = generator, the other = worker lcore), no PCI probing (never touch the
 * machine's own NIC), a file prefix unique to the process, hugepages when enough are free.
 * A watchdog bounds the run: past twice the planned time the process ends with status 4
 * (--in-memory / --no-shconf leave nothing behind to clean up).
 *
 * Exit status: 0 every row good; 1 a row failed or the run was interrupted; 2 usage;
 * 3 start-up failure; 4 watchdog.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "app/eal_args.h"
#include "dataplane/sa.h"
#include "perf/bench.h"

#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_STARTUP	3
#define EXIT_WATCHDOG	4
#define MEM_MB		1024 /* without hugepages: FIB copies (DIR-24-8, trie: 2 each), RIBs, mbufs */
#define HUGE_MIN_MB	512 /* free hugepage memory needed to use hugepages */
#define ROW_OVERHEAD_MS 300
#define SCALE_BUILD_S	20 /* generous: 100 000 routes per family into both FIB copies */
#define ESP_BUILD_S	30 /* generous: an esp row at the largest SA scale, tunnels and traffic */
#define SA_SCALE_BIG	1000

volatile int bench_quit;

static void on_signal(int sig)
{
	(void)sig;
	bench_quit = 1;
}

static void on_alarm(int sig)
{
	static const char msg[] = "vpnhub-bench: watchdog: run exceeded its time bound\n";
	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_WATCHDOG);
	_exit(EXIT_WATCHDOG);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vpnhub-bench [OPTIONS] [PATH...]\n"
		"  --quick        scales 10 and 1000, SA scales 1 and 1000, short windows,\n"
		"                 a subset of the ESP rows (run under a minute)\n"
		"  --smoke        fail unless every planned row was measured and good\n"
		"  --duration MS  measured time per row (default 2000, quick 240)\n"
		"  --reps N       windows per row, the median is reported (default 5, quick 3)\n"
		"  --scales LIST  routes per family, comma separated (default 10,1000,100000)\n"
		"  --sa-scales LIST  tunnels (SA pairs) of the esp rows (default 1,1000,100000)\n"
		"  --inflight N   generator mbufs in circulation (default 2048)\n"
		"  --imb-api API  crypto-only through intel-ipsec-mb's fastest call per suite, as\n"
		"                 the data plane (best, default), or its burst or job API\n"
		"  --rt           SCHED_FIFO for both lcores (steadier; starves other tasks)\n"
		"  --no-huge      anonymous memory even when hugepages are free\n"
		"  --cores A,B    generator and worker CPUs (default 0,1)\n"
		"  --json PATH    also write the run as JSON\n"
		"  --list         list the paths and exit\n"
		"  PATH           a path, or a prefix before ':' (crypto-only, esp-decrypt)\n");
}

static int parse_scales(uint32_t *scales, unsigned int *n, const char *s)
{
	char buf[128], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(t, &end, 10);
		if (*end != '\0' || v == 0 || v > 100000 || *n == BENCH_SCALES_MAX)
			return -EINVAL;
		scales[(*n)++] = (uint32_t)v;
	}
	return *n > 0 ? 0 : -EINVAL;
}

static bool parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || s[0] == '\0' || v < min || v > max)
		return false;
	*out = (unsigned int)v;
	return true;
}

struct cli {
	struct bench_opts o;
	const char *cores;
	bool list;
	bool no_huge;
	bool duration_set, reps_set, scales_set, sa_scales_set;
};

static int parse_opt(struct cli *c, int ch, const char *arg)
{
	struct bench_opts *o = &c->o;
	switch (ch) {
	case 'q':
		o->quick = true;
		return 0;
	case 's':
		o->smoke = true;
		return 0;
	case 'd':
		c->duration_set = true;
		return parse_uint(arg, 10, 60000, &o->duration_ms) ? 0 : -EINVAL;
	case 'r':
		c->reps_set = true;
		return parse_uint(arg, 1, BENCH_REPS_MAX, &o->reps) ? 0 : -EINVAL;
	case 'S':
		c->scales_set = true;
		return parse_scales(o->scales, &o->n_scales, arg);
	case 'A':
		c->sa_scales_set = true;
		return parse_scales(o->sa_scales, &o->n_sa_scales, arg);
	case 'i':
		return parse_uint(arg, 64, 4096, &o->inflight) ? 0 : -EINVAL;
	case 'a':
		for (uint8_t i = 0; i <= BENCH_IMB_JOB; i++)
			if (strcmp(arg, bench_imb_api_name[i]) == 0) {
				o->imb_api = i;
				return 0;
			}
		return -EINVAL;
	case 'c':
		c->cores = arg;
		return 0;
	case 'j':
		o->json = arg;
		return 0;
	case 'l':
		c->list = true;
		return 0;
	case 'R':
		o->rt = true;
		return 0;
	case 'H':
		c->no_huge = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Defaults that depend on --quick, once every option is known. */
static void plan_defaults(struct cli *c)
{
	struct bench_opts *o = &c->o;
	if (!c->duration_set)
		o->duration_ms = o->quick ? 240 : 2000;
	if (!c->reps_set)
		o->reps = o->quick ? 3 : 5;
	if (!c->scales_set) {
		static const uint32_t full[] = {10, 1000, 100000};
		o->n_scales = o->quick ? 2 : 3;
		memcpy(o->scales, full, sizeof(full));
	}
	if (!c->sa_scales_set) {
		static const uint32_t sa_full[] = {1, 1000, 100000};
		o->n_sa_scales = o->quick ? 2 : 3;
		memcpy(o->sa_scales, sa_full, sizeof(sa_full));
	}
}

/* Returns -1 to run, or an exit status. */
static int parse(int argc, char **argv, struct cli *c)
{
	static const struct option lo[] = {
		{"quick", no_argument, NULL, 'q'},
		{"smoke", no_argument, NULL, 's'},
		{"duration", required_argument, NULL, 'd'},
		{"reps", required_argument, NULL, 'r'},
		{"scales", required_argument, NULL, 'S'},
		{"sa-scales", required_argument, NULL, 'A'},
		{"inflight", required_argument, NULL, 'i'},
		{"imb-api", required_argument, NULL, 'a'},
		{"cores", required_argument, NULL, 'c'},
		{"json", required_argument, NULL, 'j'},
		{"list", no_argument, NULL, 'l'},
		{"rt", no_argument, NULL, 'R'},
		{"no-huge", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *bad;
	int ch, idx = 0;
	memset(c, 0, sizeof(*c));
	c->o.inflight = 2048;
	c->cores = "0,1";
	while ((ch = getopt_long(argc, argv, "h", lo, &idx)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		if (parse_opt(c, ch, optarg) != 0) {
			if (ch != '?')
				fprintf(stderr, "vpnhub-bench: bad value for --%s\n", lo[idx].name);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (c->o.n_filters == BENCH_FILTERS_MAX)
			return EXIT_USAGE;
		c->o.filters[c->o.n_filters++] = argv[i];
	}
	if (!bench_filters_valid(&c->o, &bad)) {
		fprintf(stderr, "vpnhub-bench: no path matches '%s' (see --list)\n", bad);
		return EXIT_USAGE;
	}
	plan_defaults(c);
	return -1;
}

static void list_paths(void)
{
	for (unsigned int i = 0; i < bench_n_paths; i++)
		printf("%-34s %-9s ref %s\n", bench_paths[i].name,
		       bench_paths[i].scaled	  ? "scaled"
		       : bench_paths[i].sa_scaled ? "sa-scaled"
						  : "-",
		       bench_paths[i].ref ? bench_paths[i].ref : "-");
}

static int eal_start(const char *prog, const char *cores, bool huge)
{
	char lc[64], main_lc[32], prefix[64], mem[16];
	char *const huge_args[] = {"--in-memory", NULL};
	char *const small_args[] = {"--no-huge", "--no-shconf", "-m", mem, NULL};
	unsigned int first = (unsigned int)strtoul(cores, NULL, 10);
	snprintf(lc, sizeof(lc), "%s", cores);
	snprintf(main_lc, sizeof(main_lc), "--main-lcore=%u", first);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhbench%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", MEM_MB);
	char *argv[16] = {(char *)prog,	   "-l", lc, main_lc, "--no-pci", prefix, "--log-level=5",
			  "--no-telemetry"};
	int argc = 8;
	/* hugepages from memfd as needed, nothing on disk; without them, no shared files */
	for (char *const *a = huge ? huge_args : small_args; *a != NULL; a++)
		argv[argc++] = *a;
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

struct worker_id {
	int tid;
	pthread_t thread;
};

static int worker_id(void *arg)
{
	struct worker_id *w = arg;
	w->tid = (int)rte_sys_gettid();
	w->thread = pthread_self();
	return 0;
}

/* CPU-time clocks of both lcore threads; with --rt, SCHED_FIFO for both. */
static void threads_setup(struct bench *b, pthread_t worker)
{
	struct sched_param sp = {.sched_priority = 1};
	pthread_getcpuclockid(pthread_self(), &b->gen_clock);
	pthread_getcpuclockid(worker, &b->wrk_clock);
	snprintf(b->env.sched, sizeof(b->env.sched),
		 "normal (lcores share their CPUs with other tasks)");
	if (!b->o.rt)
		return;
	int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc == 0)
		rc = pthread_setschedparam(worker, SCHED_FIFO, &sp);
	if (rc == 0)
		snprintf(b->env.sched, sizeof(b->env.sched),
			 "SCHED_FIFO priority 1 on both lcores");
	else
		snprintf(b->env.sched, sizeof(b->env.sched), "normal (SCHED_FIFO refused: %s)",
			 strerror(rc));
}

static unsigned int planned_rows(const struct bench *b)
{
	unsigned int rows = 0;
	for (unsigned int i = 0; i < bench_n_paths; i++)
		if (bench_needed(&b->o, &bench_paths[i]))
			rows += bench_path_rows(&b->o, &bench_paths[i]);
	return rows;
}

/* Esp rows at a large SA scale: their set-up (tunnels, traffic) takes seconds. */
static unsigned int big_esp_rows(const struct bench *b)
{
	unsigned int big = 0, rows = 0;
	for (unsigned int k = 0; k < b->o.n_sa_scales; k++)
		big += b->o.sa_scales[k] >= SA_SCALE_BIG;
	for (unsigned int i = 0; i < bench_n_paths && b->o.n_sa_scales > 0; i++)
		if (bench_paths[i].sa_scaled && bench_needed(&b->o, &bench_paths[i]))
			rows += bench_path_rows(&b->o, &bench_paths[i]) / b->o.n_sa_scales * big;
	return rows;
}

/* Planned run time in seconds, for the watchdog (retried windows may triple a row). */
static unsigned int planned_s(const struct bench *b)
{
	unsigned int rows = planned_rows(b);
	uint64_t warm_ms = b->warmup_tsc * 1000 / b->env.tsc_hz;
	uint64_t ms = rows * (warm_ms + 3 * b->o.duration_ms + ROW_OVERHEAD_MS);
	return (unsigned int)(ms / 1000) + SCALE_BUILD_S * b->o.n_scales +
	       ESP_BUILD_S * big_esp_rows(b);
}

static int prepare(struct bench *b)
{
	char err[256] = "";
	b->wlcore = rte_get_next_lcore(-1, 1, 0);
	if (b->wlcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "vpnhub-bench: needs two lcores\n");
		return -EINVAL;
	}
	struct worker_id w = {0};
	rte_eal_remote_launch(worker_id, &w, b->wlcore);
	rte_eal_wait_lcore(b->wlcore);
	b->wtid = w.tid;
	bench_env_probe(&b->env);
	threads_setup(b, w.thread);
	bench_core_counter_open(b);
	uint64_t warm_ms = RTE_MAX(60u, b->o.duration_ms / 4);
	warm_ms = RTE_MIN(warm_ms, 500u);
	b->warmup_tsc = b->env.tsc_hz * warm_ms / 1000;
	b->window_tsc = b->env.tsc_hz * b->o.duration_ms / b->o.reps / 1000;
	if (!bench_needs_rig(&b->o))
		return 0;
	/* SA ids for the largest SA scale's pairs (two each), at least the hub's default */
	uint64_t sa_cap = SA_CAP_DEFAULT;
	for (unsigned int k = 0; k < b->o.n_sa_scales; k++)
		sa_cap = RTE_MAX(sa_cap, 2 * (uint64_t)b->o.sa_scales[k] + 1);
	sa_cap = RTE_MIN(sa_cap, (uint64_t)SA_CAP_MAX);
	int rc = rig_create(&b->rig, b->o.inflight, (uint32_t)sa_cap, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "vpnhub-bench: %s\n", err);
	return rc;
}

static int finish(struct bench *b, uint64_t t0)
{
	unsigned int failed = 0;
	for (unsigned int i = 0; i < b->n_rows; i++)
		failed += !b->rows[i].ok;
	printf("\nvpnhub-bench: %u rows, %u failed, %.1f s%s\n", b->n_rows, failed,
	       (double)(rte_rdtsc() - t0) / (double)b->env.tsc_hz,
	       bench_quit ? ", interrupted" : "");
	if (b->o.json != NULL) {
		int rc = report_json(b, b->o.json);
		if (rc != 0) {
			fprintf(stderr, "vpnhub-bench: %s: %s\n", b->o.json, strerror(-rc));
			return EXIT_FAILED;
		}
	}
	if (b->o.smoke && b->n_rows != planned_rows(b)) {
		fprintf(stderr, "vpnhub-bench: %u of %u rows measured\n", b->n_rows,
			planned_rows(b));
		return EXIT_FAILED;
	}
	return failed > 0 || bench_quit ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
	static struct bench b;
	struct cli c;
	int rc = parse(argc, argv, &c);
	if (rc >= 0)
		return rc;
	if (c.list) {
		list_paths();
		return 0;
	}
	b.o = c.o;
	b.perf_fd = -1;
	b.env.hugepages = !c.no_huge && eal_hugepages_free_mb() >= HUGE_MIN_MB;
	if (eal_start(argv[0], c.cores, b.env.hugepages) < 0) {
		fprintf(stderr, "vpnhub-bench: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_STARTUP;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	uint64_t t0 = rte_rdtsc();
	bool made = bench_needs_rig(&b.o);
	rc = prepare(&b);
	if (rc == 0) {
		signal(SIGALRM, on_alarm);
		alarm(planned_s(&b) + 60);
		report_header(&b);
		int run_rc = bench_run_all(&b);
		alarm(0);
		report_memory(&b);
		rc = finish(&b, t0);
		if (run_rc != 0)
			rc = EXIT_FAILED;
	} else {
		rc = EXIT_STARTUP;
	}
	if (made)
		rig_destroy(&b.rig);
	if (b.perf_fd >= 0)
		close(b.perf_fd);
	rte_eal_cleanup();
	return rc;
}
