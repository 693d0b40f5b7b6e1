/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/env.c - what a run states about its machine and build, and the core clock counter.
 *
 * Cycles are TSC cycles (rte_rdtsc). Where the TSC and the core clock differ (turbo, power
 * states), a TSC cycle is not a core cycle; perf_event_open(PERF_COUNT_HW_CPU_CYCLES) on the
 * worker thread measures core cycles when the kernel offers it (virtual machines often do not).
 * Main lcore only, except bench_core_cycles, which any lcore may call.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>

#include <rte_cycles.h>
#include <rte_version.h>

#include "crypto/imb.h"
#include "perf/bench.h"

#ifndef VPNHUB_BUILDTYPE
#define VPNHUB_BUILDTYPE "unknown"
#endif

static const char *const flags_of_interest[] = {"aes",	"avx2",	      "avx512f",
						"vaes", "vpclmulqdq", "sha_ni"};

/* Value of the first "key : value" line of /proc/cpuinfo with this key. */
static bool cpuinfo(const char *key, char *out, size_t len)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');
		if (colon == NULL || strncmp(line, key, strlen(key)) != 0)
			continue;
		snprintf(out, len, "%s", colon + (colon[1] == ' ' ? 2 : 1));
		out[strcspn(out, "\n")] = '\0';
		found = true;
	}
	fclose(f);
	return found;
}

static void cpu_flags(struct bench_env *e)
{
	char all[4096], word[64];
	size_t used = 0;
	if (!cpuinfo("flags", all, sizeof(all)))
		return;
	for (unsigned int i = 0; i < RTE_DIM(flags_of_interest); i++) {
		snprintf(word, sizeof(word), " %s ", flags_of_interest[i]);
		char padded[4100];
		snprintf(padded, sizeof(padded), " %s ", all);
		if (strstr(padded, word) == NULL)
			continue;
		used += (size_t)snprintf(e->flags + used, sizeof(e->flags) - used, "%s%s",
					 used ? " " : "", flags_of_interest[i]);
		if (used >= sizeof(e->flags))
			break;
	}
}

/* The code path intel-ipsec-mb picked, with the wide-vector features it may use. */
static void imb_arch(struct bench_env *e)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} feat[] = {{IMB_FEATURE_VAES, "VAES"},
		    {IMB_FEATURE_VPCLMULQDQ, "VPCLMULQDQ"},
		    {IMB_FEATURE_GFNI, "GFNI"},
		    {IMB_FEATURE_SHANI, "SHANI"}};
	size_t used = (size_t)snprintf(e->imb_arch, sizeof(e->imb_arch), "%s", crypto_imb_arch());
	IMB_MGR *m = crypto_imb_mgr_create();
	if (m == NULL)
		return;
	for (unsigned int i = 0; i < RTE_DIM(feat) && used < sizeof(e->imb_arch); i++)
		if (m->features & feat[i].bit)
			used += (size_t)snprintf(e->imb_arch + used, sizeof(e->imb_arch) - used,
						 " +%s", feat[i].name);
	crypto_imb_mgr_free(m);
}

void bench_env_probe(struct bench_env *e)
{
	time_t now = time(NULL);
	struct tm tm;
	if (!cpuinfo("model name", e->cpu, sizeof(e->cpu)))
		snprintf(e->cpu, sizeof(e->cpu), "unknown");
	cpu_flags(e);
	e->cores = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(e->dpdk, sizeof(e->dpdk), "%s", rte_version());
	snprintf(e->imb_version, sizeof(e->imb_version), "%s", crypto_imb_version());
	imb_arch(e);
	gmtime_r(&now, &tm);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gethostname(e->host, sizeof(e->host)) != 0)
		snprintf(e->host, sizeof(e->host), "unknown");
	e->host[sizeof(e->host) - 1] = '\0';
	snprintf(e->build, sizeof(e->build), "%s", VPNHUB_BUILDTYPE);
#ifdef __VERSION__
	snprintf(e->compiler, sizeof(e->compiler), "%s %s",
		 strstr(__VERSION__, "clang") ? "clang" : "gcc", __VERSION__);
#endif
	e->tsc_hz = rte_get_tsc_hz();
}

int bench_core_counter_open(struct bench *b)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_HARDWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_HW_CPU_CYCLES;
	a.exclude_hv = 1;
	b->perf_fd = (int)syscall(SYS_perf_event_open, &a, b->wtid, -1, -1, 0);
	b->env.core_cycles = b->perf_fd >= 0;
	if (b->perf_fd >= 0) {
		snprintf(b->env.cycles_note, sizeof(b->env.cycles_note),
			 "TSC cycles; core cycles from perf_event_open on the worker thread");
		return 0;
	}
	int err = errno;
	snprintf(b->env.cycles_note, sizeof(b->env.cycles_note),
		 "TSC cycles (core clock not measurable here: %s)",
		 err == ENOENT || err == EOPNOTSUPP ? "not supported" : strerror(err));
	return -err;
}

uint64_t bench_core_cycles(const struct bench *b)
{
	uint64_t v = 0;
	if (b->perf_fd < 0 || read(b->perf_fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}
