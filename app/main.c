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
#include <rte_lcore.h>
#include <rte_log.h>

#include "app/eal_args.h"
#include "app/hub.h"
#include "conf/config.h"
#include "ctrlplane/ctrl.h"

#define EXIT_CONFIG  1
#define EXIT_USAGE   2
#define EXIT_STARTUP 3
#define ENV_NO_HUGE  "VPNHUB_NO_HUGEPAGES" /* set when hugepages: auto fell back */

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
	bool huge =
		getenv(ENV_NO_HUGE) == NULL && eal_use_hugepages(h.cfg, eal_hugepages_free_mb());
	unsigned int ncpu = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (eal_args_build(h.cfg, argv[0], o.n_extra, o.extra, huge, ncpu, &ea, err, sizeof(err))) {
		fprintf(stderr, "vpnhub: %s\n", err);
		cfg_free(h.cfg);
		return EXIT_CONFIG;
	}
	/* set only by the restart below: what the first start said is in the log already */
	bool restarted = getenv(ENV_NO_HUGE) != NULL;
	if (h.cfg->legacy_used && !restarted)
		fprintf(stderr,
			"vpnhub: warning: %s uses legacy ESP algorithms (3DES or HMAC-MD5); "
			"move those peers to AES-GCM or AES-CBC with HMAC-SHA-2\n",
			h.cfg->file);
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
	if (ea.oversubscribed && !restarted)
		fprintf(stderr, "vpnhub: warning: more lcores than CPUs; some share a CPU\n");
	if (rte_eal_init(ea.argc, ea.argv) < 0) {
		if (huge && h.cfg->sys.hugepages == CFG_HUGE_AUTO) {
			/* the free pages went to another process between our look and EAL's */
			fprintf(stderr, "vpnhub: hugepages ran out; starting again without them\n");
			setenv(ENV_NO_HUGE, "1", 1);
			close(lock);
			execv("/proc/self/exe", argv);
		}
		fprintf(stderr, "vpnhub: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		cfg_free(h.cfg);
		close(lock);
		return EXIT_STARTUP;
	}
	/* EAL's --log-level is a ceiling; vpnhub's own types register at info: debug needs both */
	if (h.cfg->sys.log_level > RTE_LOG_INFO)
		rte_log_set_level_pattern("vpnhub.*", h.cfg->sys.log_level);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = hub_start(&h, true, err, sizeof(err));
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
	hub_stop(&h);
	cfg_free(h.cfg);
	rte_eal_cleanup();
	close(lock);
	return rc == 0 ? 0 : EXIT_STARTUP;
}
