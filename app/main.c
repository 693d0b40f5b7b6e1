/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/main.c - vpnhub: load the config, bring up EAL and the ports, start the workers, run the
 * control loop on the main lcore until SIGINT/SIGTERM, then tear everything down in reverse.
 *
 * Exit status: 0 clean shutdown or valid --check, 1 bad config, 2 usage, 3 start-up failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "app/eal_args.h"
#include "conf/config.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/tables.h"
#include "ctrlplane/telemetry.h"
#include "dataplane/dp.h"
#include "dataplane/fib.h"
#include "dataplane/iface.h"
#include "dataplane/neigh.h"
#include "dataplane/port.h"

#define EXIT_CONFIG   1
#define EXIT_USAGE    2
#define EXIT_STARTUP  3
#define NEIGH_ENTRIES 8192

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vpnhub [-c FILE] [--check] [--version] [-h] [-- EAL-ARGS...]\n"
		"  -c, --config FILE  YAML config (default: the built-in conf/vpnhub.yaml)\n"
		"      --check        validate the config, print the derived EAL arguments, exit\n"
		"      --version      print the version and exit\n"
		"  EAL-ARGS after -- are appended to the derived EAL command line.\n");
}

struct opts {
	const char *config;
	bool check;
	int n_extra;
	char **extra;
};

/* Returns -1 to continue, or an exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'k':
			o->check = true;
			break;
		case 'V':
			printf("vpnhub %s\n", VPNHUB_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	o->n_extra = argc - optind;
	o->extra = argv + optind;
	return -1;
}

static struct config *load(const struct opts *o)
{
	char err[CFG_ERR_MAX];
	struct config *cfg = NULL;
	int rc = o->config != NULL ? cfg_load_file(o->config, &cfg, err, sizeof(err))
				   : cfg_load_buffer("<embedded>", cfg_default_yaml,
						     cfg_default_yaml_len, &cfg, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return cfg;
}

struct hub {
	struct config *cfg;
	struct dp *dp;
	struct ctrl ctrl;
	bool ctrl_up;
};

static uint16_t data_room(const struct config *cfg)
{
	unsigned int mtu = 1500;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++)
		mtu = RTE_MAX(mtu, cfg->ifaces[i].mtu);
	return (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(2048u, mtu + 64u));
}

static int ports_up(struct hub *h, char *err, size_t errlen)
{
	const struct config *cfg = h->cfg;
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		const struct cfg_iface *ci = &cfg->ifaces[i];
		char dev[RTE_ETH_NAME_MAX_LEN];
		uint16_t port;
		eal_port_devname(ci, dev, sizeof(dev));
		if (rte_eth_dev_get_port_by_name(dev, &port) != 0) {
			snprintf(err, errlen, "%s:%u: interface %s: port %s not found", cfg->file,
				 ci->line, ci->name, dev);
			return -ENODEV;
		}
		struct iface *ifc = tables_iface_new(ci, port, (uint16_t)ci->mtu);
		if (ifc == NULL)
			return -ENOMEM;
		ifc->ifindex = (uint16_t)(i + 1);
		iface_publish(h->dp->ifaces, ifc);
		unsigned int rxq, txq;
		eal_port_queues(cfg, ci, &rxq, &txq);
		int rc = dp_port_setup(h->dp, port, ifc->ifindex, (uint16_t)rxq, (uint16_t)txq,
				       (uint16_t)ci->mtu, err, errlen);
		if (rc != 0)
			return rc;
	}
	return dp_worker_tx_setup(h->dp);
}

static int tables_up(struct hub *h)
{
	struct dp *dp = h->dp;
	dp->ifaces = iface_table_create(dp->qsbr);
	dp->fib = dp_fib_create("fib", dp->qsbr, CFG_ROUTES_MAX * 4, (int)rte_socket_id());
	dp->neigh = dp_neigh_create("nb", NEIGH_ENTRIES, dp->qsbr, (int)rte_socket_id());
	return dp->ifaces && dp->fib && dp->neigh ? 0 : -ENOMEM;
}

static int start(struct hub *h, char *err, size_t errlen)
{
	const struct cfg_system *s = &h->cfg->sys;
	h->dp = dp_create(s->n_workers, s->mbufs, data_room(h->cfg), s->idle_sleep_us);
	if (h->dp == NULL || tables_up(h) != 0) {
		snprintf(err, errlen, "out of memory creating the data plane (memory_mb %u)",
			 s->memory_mb);
		return -ENOMEM;
	}
	int rc = ports_up(h, err, errlen);
	if (rc == 0)
		rc = ctrl_init(&h->ctrl, h->dp, h->cfg, err, errlen);
	if (rc != 0)
		return rc;
	h->ctrl_up = true;
	if (s->telemetry && telemetry_register(&h->ctrl) != 0) {
		snprintf(err, errlen, "telemetry command registration failed");
		return -EINVAL;
	}
	for (unsigned int w = 0; w < s->n_workers; w++) {
		rc = rte_eal_remote_launch(dp_worker_main, &h->dp->workers[w], s->worker_cores[w]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot launch worker on lcore %u",
				 s->worker_cores[w]);
			return rc;
		}
	}
	return 0;
}

static void stop(struct hub *h)
{
	if (h->dp != NULL) {
		__atomic_store_n(&h->dp->stop, 1, __ATOMIC_RELEASE);
		rte_eal_mp_wait_lcore();
	}
	telemetry_detach();
	if (h->ctrl_up)
		ctrl_fini(&h->ctrl);
	if (h->dp != NULL) {
		dp_port_close_all(h->dp);
		dp_neigh_destroy(h->dp->neigh);
		dp_fib_destroy(h->dp->fib);
		iface_table_destroy(h->dp->ifaces);
		dp_destroy(h->dp);
	}
}

/*
 * One process per instance name: two would share the file prefix and fight over the ports
 * (--in-memory leaves EAL nothing to detect that with). The lock dies with the process.
 */
static int instance_lock(const char *name)
{
	char path[128];
	mkdir("/run/vpnhub", 0700);
	snprintf(path, sizeof(path), "/run/vpnhub/%s.lock", name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "vpnhub: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		fprintf(stderr, "vpnhub: instance '%s' is already running (%s is locked)\n", name,
			path);
		close(fd);
		return -1;
	}
	return fd;
}

static void print_eal(const struct eal_args *a)
{
	printf("eal:");
	for (int i = 1; i < a->argc; i++)
		printf(" %s", a->argv[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct opts o;
	struct eal_args ea;
	struct hub h = {0};
	char err[512];
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	h.cfg = load(&o);
	if (h.cfg == NULL)
		return EXIT_CONFIG;
	bool huge = eal_use_hugepages(h.cfg, eal_hugepages_free_mb());
	unsigned int ncpu = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (eal_args_build(h.cfg, argv[0], o.n_extra, o.extra, huge, ncpu, &ea, err, sizeof(err))) {
		fprintf(stderr, "vpnhub: %s\n", err);
		cfg_free(h.cfg);
		return EXIT_CONFIG;
	}
	if (o.check) {
		printf("config ok: %s: %u interfaces, %u routes, %u workers\n", h.cfg->file,
		       h.cfg->n_ifaces, h.cfg->n_routes, h.cfg->sys.n_workers);
		print_eal(&ea);
		cfg_free(h.cfg);
		return 0;
	}
	int lock = instance_lock(h.cfg->sys.name);
	if (lock < 0) {
		cfg_free(h.cfg);
		return EXIT_STARTUP;
	}
	if (ea.oversubscribed)
		fprintf(stderr, "vpnhub: warning: more lcores than CPUs; some share a CPU\n");
	if (rte_eal_init(ea.argc, ea.argv) < 0) {
		fprintf(stderr, "vpnhub: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		cfg_free(h.cfg);
		close(lock);
		return EXIT_STARTUP;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = start(&h, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "vpnhub: %s\n", err);
	} else {
		printf("vpnhub %s: instance %s ready: %u interfaces, %u workers, %u routes\n",
		       VPNHUB_VERSION, h.cfg->sys.name, h.cfg->n_ifaces, h.cfg->sys.n_workers,
		       h.ctrl.rib.n);
		fflush(stdout);
		ctrl_run(&h.ctrl, &quit);
		printf("vpnhub: shutting down\n");
	}
	stop(&h);
	cfg_free(h.cfg);
	rte_eal_cleanup();
	close(lock);
	return rc == 0 ? 0 : EXIT_STARTUP;
}
