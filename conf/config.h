/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config.h - the immutable configuration vpnhub runs on.
 *
 * cfg_load() turns a YAML file into one struct config. Either the whole file is valid and a
 * complete struct is returned, or nothing is returned and the error names file:line:col.
 * After load nothing writes to it; every lcore may read it without locks.
 * Cold data: the fast path copies what it needs into its own tables at startup.
 */
#ifndef VPNHUB_CONF_CONFIG_H
#define VPNHUB_CONF_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>

#define CFG_NAME_MAX	32   /* interface and instance names, incl. NUL */
#define CFG_PORT_MAX	256  /* PCI address or vdev devargs string, incl. NUL */
#define CFG_IFACES_MAX	64   /* physical interfaces */
#define CFG_ADDRS_MAX	8    /* addresses per family per interface */
#define CFG_ROUTES_MAX	4096 /* static routes */
#define CFG_WORKERS_MAX 16   /* worker lcores */
#define CFG_ERR_MAX	512  /* error message buffer */

/* An IPv4 or IPv6 address; v4 is stored in network byte order in the first 4 bytes. */
struct cfg_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t plen;	/* prefix length (addresses of interfaces and route prefixes) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

enum cfg_hugepages {
	CFG_HUGE_AUTO = 0, /* use hugepages if reserved, else --no-huge */
	CFG_HUGE_ON,
	CFG_HUGE_OFF,
};

struct cfg_system {
	char name[CFG_NAME_MAX]; /* instance name: DPDK --file-prefix and telemetry dir */
	unsigned int control_core;
	unsigned int worker_cores[CFG_WORKERS_MAX];
	unsigned int n_workers;
	unsigned int memory_mb;
	enum cfg_hugepages hugepages;
	bool telemetry;
	unsigned int idle_sleep_us; /* 0 = pure poll; >0 = sleep when a loop found no work */
	unsigned int log_level;	    /* RTE_LOG_* */
	unsigned int mbufs;	    /* mbuf pool size */
};

struct cfg_iface {
	char name[CFG_NAME_MAX];
	char port[CFG_PORT_MAX]; /* PCI address (bus:dev.fn) or vdev devargs */
	bool is_pci;
	struct cfg_addr v4[CFG_ADDRS_MAX];
	unsigned int n_v4;
	struct cfg_addr v6[CFG_ADDRS_MAX];
	unsigned int n_v6;
	unsigned int mtu;
	unsigned int rx_queues; /* 0 in YAML means: one per worker */
	unsigned int tx_queues; /* 0 in YAML means: one per worker plus the control core's */
	unsigned int line;	/* where it was declared, for later diagnostics */
};

struct cfg_route {
	struct cfg_addr prefix; /* network address with plen */
	struct cfg_addr via;	/* gateway; family 0 when the route is "interface only" */
	int iface;		/* index into config.ifaces, -1 = resolve from via */
	unsigned int line;
};

struct config {
	char file[256]; /* name used in error messages ("<embedded>" for the built-in default) */
	struct cfg_system sys;
	struct cfg_iface ifaces[CFG_IFACES_MAX];
	unsigned int n_ifaces;
	struct cfg_route *routes; /* n_routes entries, owned */
	unsigned int n_routes;
};

/*
 * Load and validate a config.
 * On success returns 0 and *out owns a new config (free with cfg_free).
 * On failure returns a negative errno, *out is NULL, and err holds
 * "file:line:col: message" (col and line are 1-based).
 */
int cfg_load_file(const char *path, struct config **out, char *err, size_t errlen);
int cfg_load_buffer(const char *name, const char *buf, size_t len, struct config **out, char *err,
		    size_t errlen);
void cfg_free(struct config *cfg);

/* The default config compiled into the binary (conf/vpnhub.yaml). */
extern const char cfg_default_yaml[];
extern const size_t cfg_default_yaml_len;

/* Helpers shared with the rest of the program. */
int cfg_iface_find(const struct config *cfg, const char *name);
/* Format an address (without prefix length) into buf; returns buf. */
const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);
/* Parse "a.b.c.d", "x::y", optionally with "/plen" when allow_plen. 0 or -EINVAL. */
int cfg_addr_parse(const char *s, bool allow_plen, struct cfg_addr *out);
/* True if address a lies inside prefix p (same family). */
bool cfg_addr_in_prefix(const struct cfg_addr *a, const struct cfg_addr *p);

#endif
