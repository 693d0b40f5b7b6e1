/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_eal_args.c - the "eal_args" suite: app/eal_args.c.
 *
 * The configs are built by hand (not through the YAML loader) so that each row states exactly
 * the fields that drive the command line. Every row compares the whole argv, in order, because
 * EAL lets later arguments override earlier ones: the extra arguments must come last.
 * Expected strings follow the EAL option syntax of DPDK 22.11 (doc/guides/linux_gsg/
 * linux_eal_parameters.rst): --lcores ID@CPU lists, -a DOMAIN:BUS:DEV.FN, --vdev devargs.
 * Memory: --in-memory with hugepages, --no-huge --no-shconf without (eal_args.c); either way
 * no runtime files are shared.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_common.h>

#include "app/eal_args.h"
#include "conf/config.h"
#include "tests.h"

#define ARGV_MAX 24
#define AFP	 "net_af_packet0,iface=eth0"

/* One port of a row: devargs and whether the loader would have classified it as PCI. */
struct port {
	const char *port;
	bool pci;
	unsigned int rxq, txq;
};

struct build_case {
	const char *what;
	/* config */
	unsigned int control;
	unsigned int workers[4];
	unsigned int n_workers;
	bool telemetry_off;
	unsigned int log_level;
	struct port ports[3];
	/* call */
	bool huge;
	unsigned int ncpu;
	const char *extra[3];
	/* expected */
	bool oversub;
	const char *argv[ARGV_MAX];
};

/* The base of every row: instance "hub1", 512 MB, log level 7 (RTE_LOG_INFO). */
static struct config *cfg_make(const struct build_case *c)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	snprintf(cfg->sys.name, sizeof(cfg->sys.name), "hub1");
	cfg->sys.control_core = c->control;
	for (unsigned int i = 0; i < c->n_workers; i++)
		cfg->sys.worker_cores[i] = c->workers[i];
	cfg->sys.n_workers = c->n_workers;
	cfg->sys.memory_mb = 512;
	cfg->sys.hugepages = CFG_HUGE_AUTO;
	cfg->sys.telemetry = !c->telemetry_off;
	cfg->sys.log_level = c->log_level ? c->log_level : 7;
	for (unsigned int i = 0; i < RTE_DIM(c->ports) && c->ports[i].port != NULL; i++) {
		struct cfg_iface *ifc = &cfg->ifaces[cfg->n_ifaces++];
		snprintf(ifc->name, sizeof(ifc->name), "p%u", i);
		snprintf(ifc->port, sizeof(ifc->port), "%s", c->ports[i].port);
		ifc->is_pci = c->ports[i].pci;
		ifc->rx_queues = c->ports[i].rxq;
		ifc->tx_queues = c->ports[i].txq;
		ifc->mtu = 1500;
	}
	return cfg;
}

static unsigned int count(const char *const *v, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && v[n] != NULL)
		n++;
	return n;
}

static const struct build_case build_cases[] = {
	{"one worker, af_packet, hugepages", .control = 0, .workers = {1}, .n_workers = 1,
	 .ports = {{AFP, false, 0, 0}}, .huge = true, .ncpu = 4,
	 /* qpairs = 1 worker + the control lcore */
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", AFP ",qpairs=2",
		  "--no-pci"}},
	{"no hugepages, telemetry off, log level 8", .control = 0, .workers = {1}, .n_workers = 1,
	 .telemetry_off = true, .log_level = 8, .ports = {{AFP, false, 0, 0}}, .huge = false,
	 .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--no-huge", "--no-shconf", "-m", "512", "--log-level=8", "--no-telemetry",
		  "--vdev", AFP ",qpairs=2", "--no-pci"}},
	{"af_packet with its own qpairs is left alone", .control = 0, .workers = {1, 2},
	 .n_workers = 2, .ports = {{AFP ",qpairs=4", false, 0, 0}}, .huge = true, .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1,2@2", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", AFP ",qpairs=4",
		  "--no-pci"}},
	{"af_packet qpairs follow tx_queues", .control = 0, .workers = {1}, .n_workers = 1,
	 .ports = {{AFP, false, 0, 3}}, .huge = true, .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", AFP ",qpairs=3",
		  "--no-pci"}},
	{"other vdevs get no qpairs", .control = 0, .workers = {1}, .n_workers = 1,
	 .ports = {{"net_tap0,iface=t0", false, 0, 0}, {"net_null0", false, 0, 0}}, .huge = true,
	 .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", "net_tap0,iface=t0",
		  "--vdev", "net_null0", "--no-pci"}},
	{"short PCI address gets domain 0000, no --no-pci", .control = 0, .workers = {1},
	 .n_workers = 1, .ports = {{"3b:00.0", true, 0, 0}}, .huge = true, .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "-a", "0000:3b:00.0"}},
	{"PCI and vdev mixed, config order kept", .control = 0, .workers = {1}, .n_workers = 1,
	 .ports = {{"0000:5E:00.1", true, 0, 0}, {AFP, false, 0, 0}, {"3b:00.0", true, 0, 0}},
	 .huge = true, .ncpu = 4,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "-a", "0000:5e:00.1", "--vdev",
		  AFP ",qpairs=2", "-a", "0000:3b:00.0"}},
	{"extra arguments last, in order", .control = 0, .workers = {1}, .n_workers = 1,
	 .ports = {{"net_null0", false, 0, 0}}, .huge = true, .ncpu = 4,
	 .extra = {"--log-level=lib.eal:debug", "-m", "1024"},
	 .argv = {"vpnhub", "--lcores", "0@0,1@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", "net_null0", "--no-pci",
		  "--log-level=lib.eal:debug", "-m", "1024"}},
	{"3 workers on 2 CPUs: ids wrap modulo ncpu", .control = 0, .workers = {1, 2, 3},
	 .n_workers = 3, .ports = {{AFP, false, 0, 0}}, .huge = true, .ncpu = 2, .oversub = true,
	 .argv = {"vpnhub", "--lcores", "0@0,1@1,2@0,3@1", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", AFP ",qpairs=4",
		  "--no-pci"}},
	{"control core 2, workers 5 and 3 in config order", .control = 2, .workers = {5, 3},
	 .n_workers = 2, .ports = {{"net_null0", false, 0, 0}}, .huge = true, .ncpu = 8,
	 .argv = {"vpnhub", "--lcores", "2@2,5@5,3@3", "--main-lcore=2", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", "net_null0", "--no-pci"}},
	{"control core beyond the CPUs is pinned too", .control = 4, .workers = {1}, .n_workers = 1,
	 .ports = {{"net_null0", false, 0, 0}}, .huge = true, .ncpu = 4, .oversub = true,
	 .argv = {"vpnhub", "--lcores", "4@0,1@1", "--main-lcore=4", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", "net_null0", "--no-pci"}},
	{"ncpu unknown (0): identity pinning", .control = 0, .workers = {9}, .n_workers = 1,
	 .ports = {{"net_null0", false, 0, 0}}, .huge = true, .ncpu = 0,
	 .argv = {"vpnhub", "--lcores", "0@0,9@9", "--main-lcore=0", "--file-prefix=hub1",
		  "--in-memory", "-m", "512", "--log-level=7", "--vdev", "net_null0", "--no-pci"}},
};

static void check_build(const struct build_case *c)
{
	struct config *cfg = cfg_make(c);
	struct eal_args *a = calloc(1, sizeof(*a));
	char err[128] = "";
	int n_extra = (int)count(c->extra, RTE_DIM(c->extra));
	unsigned int want = count(c->argv, ARGV_MAX);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	int rc = eal_args_build(cfg, "vpnhub", n_extra, (char *const *)c->extra, c->huge, c->ncpu,
				a, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(a->argc, (int)want);
	CU_ASSERT_EQUAL(a->oversubscribed, c->oversub);
	CU_ASSERT_PTR_NULL(a->argv[a->argc < 0 ? 0 : a->argc]);
	bool same = rc == 0 && a->argc == (int)want;
	for (unsigned int i = 0; same && i < want; i++)
		same = strcmp(a->argv[i], c->argv[i]) == 0;
	CU_ASSERT_TRUE(same);
	if (!same) {
		fprintf(stderr, "\n  %s: rc %d, got:", c->what, rc);
		for (int i = 0; i < a->argc; i++)
			fprintf(stderr, " %s", a->argv[i]);
		fprintf(stderr, "\n  want:");
		for (unsigned int i = 0; i < want; i++)
			fprintf(stderr, " %s", c->argv[i]);
		fprintf(stderr, "\n");
	}
	free(a);
	free(cfg);
}

static void test_build_table(void)
{
	for (size_t i = 0; i < RTE_DIM(build_cases); i++)
		check_build(&build_cases[i]);
}

/* The first row's argv has 12 entries; EAL_ARGS_MAX - 12 extras fill argv exactly. */
static void test_limits(void)
{
	const struct build_case *c = &build_cases[0];
	const unsigned int base = count(c->argv, ARGV_MAX);
	struct config *cfg = cfg_make(c);
	struct eal_args *a = calloc(1, sizeof(*a));
	char *extra[200];
	char err[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (size_t i = 0; i < RTE_DIM(extra); i++)
		extra[i] = "--x";

	/* exactly full: EAL_ARGS_MAX entries and the NULL terminator */
	int fit = EAL_ARGS_MAX - (int)base;
	CU_ASSERT_EQUAL(eal_args_build(cfg, "vpnhub", fit, extra, true, 4, a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a->argc, EAL_ARGS_MAX);
	CU_ASSERT_PTR_NULL(a->argv[EAL_ARGS_MAX]);
	CU_ASSERT_STRING_EQUAL(a->argv[EAL_ARGS_MAX - 1], "--x");

	/* one more, and 200 extras: refused with a message */
	const int over[] = {fit + 1, 200};
	for (size_t i = 0; i < RTE_DIM(over); i++) {
		snprintf(err, sizeof(err), "unset");
		CU_ASSERT_EQUAL(
			eal_args_build(cfg, "vpnhub", over[i], extra, true, 4, a, err, sizeof(err)),
			-E2BIG);
		CU_ASSERT_STRING_EQUAL(err, "EAL command line too long");
		CU_ASSERT_TRUE(a->argc <= EAL_ARGS_MAX);
		CU_ASSERT_PTR_NULL(a->argv[a->argc]);
	}

	/* few arguments, but more bytes than the string buffer holds */
	char *big = malloc(sizeof(a->buf) / 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'x', sizeof(a->buf) / 4 - 1);
	big[sizeof(a->buf) / 4 - 1] = '\0';
	char *bigs[5] = {big, big, big, big, big};
	snprintf(err, sizeof(err), "unset");
	CU_ASSERT_EQUAL(eal_args_build(cfg, "vpnhub", 5, bigs, true, 4, a, err, sizeof(err)),
			-E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "EAL command line too long");
	CU_ASSERT_TRUE(a->used <= sizeof(a->buf));
	/* three fit (3 * 4096 plus the base) */
	CU_ASSERT_EQUAL(eal_args_build(cfg, "vpnhub", 3, bigs, true, 4, a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a->argc, (int)base + 3);
	CU_ASSERT_EQUAL(strlen(a->argv[base + 2]), sizeof(a->buf) / 4 - 1);
	free(big);
	free(a);
	free(cfg);
}

static void test_port_queues(void)
{
	static const struct {
		const char *port;
		bool pci;
		unsigned int workers, rxq_cfg, txq_cfg;
		unsigned int rx, tx;
	} cases[] = {
		/* defaults (eal_args.h): rx = workers, tx = workers + 1 */
		{"net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap", false, 2, 0, 0, 2, 3},
		{"net_null0", false, 1, 0, 0, 1, 2},
		{"0000:3b:00.0", true, 4, 0, 0, 4, 5},
		{"0000:3b:00.0", true, 4, 2, 6, 2, 6},
		/* af_packet couples them: rx follows tx */
		{AFP, false, 2, 0, 0, 3, 3},
		{AFP, false, 1, 1, 4, 4, 4},
		{AFP ",qpairs=8", false, 1, 0, 0, 2, 2},
		/* net_tap, net_tun and net_af_xdp refuse nb_rx != nb_tx (their dev_configure) */
		{"net_tap0", false, 2, 0, 0, 3, 3},
		{"net_tap1,iface=vh0", false, 1, 1, 4, 4, 4},
		{"net_tun0", false, 1, 0, 0, 2, 2},
		{"net_af_xdp0,iface=eth1", false, 3, 0, 0, 4, 4},
	};
	struct build_case base = {.n_workers = 0};
	struct config *cfg = cfg_make(&base);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct cfg_iface ifc = {.is_pci = cases[i].pci,
					.rx_queues = cases[i].rxq_cfg,
					.tx_queues = cases[i].txq_cfg};
		unsigned int rx = 0, tx = 0;
		snprintf(ifc.port, sizeof(ifc.port), "%s", cases[i].port);
		cfg->sys.n_workers = cases[i].workers;
		eal_port_queues(cfg, &ifc, &rx, &tx);
		CU_ASSERT_EQUAL(rx, cases[i].rx);
		CU_ASSERT_EQUAL(tx, cases[i].tx);
		if (rx != cases[i].rx || tx != cases[i].tx)
			fprintf(stderr, "\n  row %zu: rx %u tx %u, want %u %u\n", i, rx, tx,
				cases[i].rx, cases[i].tx);
	}
	free(cfg);
}

static void test_port_devname(void)
{
	static const struct {
		const char *port;
		bool pci;
		const char *name;
	} cases[] = {
		{"3b:00.0", true, "0000:3b:00.0"},	{"0000:3b:00.0", true, "0000:3b:00.0"},
		{"0001:AF:1f.7", true, "0001:af:1f.7"}, {AFP, false, "net_af_packet0"},
		{"net_null0", false, "net_null0"},
	};
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct cfg_iface ifc = {.is_pci = cases[i].pci};
		char out[64];
		snprintf(ifc.port, sizeof(ifc.port), "%s", cases[i].port);
		eal_port_devname(&ifc, out, sizeof(out));
		CU_ASSERT_STRING_EQUAL(out, cases[i].name);
	}
}

static void test_use_hugepages(void)
{
	static const struct {
		enum cfg_hugepages mode;
		unsigned int memory_mb, free_mb;
		bool use;
	} cases[] = {
		/* auto: hugepages only when the free pages cover memory_mb */
		{CFG_HUGE_AUTO, 512, 0, false},
		{CFG_HUGE_AUTO, 512, 510, false},
		{CFG_HUGE_AUTO, 512, 512, true},
		{CFG_HUGE_AUTO, 512, 4096, true},
		/* on/off: the machine is not asked */
		{CFG_HUGE_ON, 512, 0, true},
		{CFG_HUGE_OFF, 512, 4096, false},
	};
	struct build_case base = {.n_workers = 0};
	struct config *cfg = cfg_make(&base);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		cfg->sys.hugepages = cases[i].mode;
		cfg->sys.memory_mb = cases[i].memory_mb;
		CU_ASSERT_EQUAL(eal_use_hugepages(cfg, cases[i].free_mb), cases[i].use);
	}
	free(cfg);
}

int test_eal_args_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"argv table", test_build_table},      {"argv limits", test_limits},
		{"port queues", test_port_queues},     {"port devname", test_port_devname},
		{"use hugepages", test_use_hugepages},
	};
	CU_pSuite s = CU_add_suite("eal_args", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < RTE_DIM(tests); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
