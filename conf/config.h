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
#define CFG_SAS_MAX	4096 /* manual SAs */
/* ipsec.sa_max: the data plane's SA table (dataplane/sa.h SA_CAP_*: ids 1 .. sa_max) */
#define CFG_SA_TABLE_MIN     15
#define CFG_SA_TABLE_DEFAULT 65535
#define CFG_SA_TABLE_MAX     1048575
#define CFG_TUNNELS_MAX	     1024 /* tunnel interfaces */
#define CFG_KEY_MAX	     64	  /* bytes of one key (HMAC-SHA-512 keys are 64) */
#define CFG_TUNNEL_SA_IN_MAX 4	  /* inbound SAs bound to one tunnel (rekey overlap) */
#define CFG_CMAP_ENTRIES_MAX 1024 /* entries of one crypto map */
#define CFG_CMAP_SA_IN_MAX   4	  /* inbound SAs of one crypto map entry (rekey overlap) */

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

enum cfg_sa_dir { CFG_SA_IN = 0, CFG_SA_OUT };
enum cfg_sa_mode { CFG_SA_TUNNEL = 0, CFG_SA_TRANSPORT };

/* ESP ciphers and integrity algorithms as named in YAML (conf/README.md has the table). */
enum cfg_enc {
	CFG_ENC_NULL = 0,
	CFG_ENC_AES_CBC_128,
	CFG_ENC_AES_CBC_256,
	CFG_ENC_AES_GCM_128,
	CFG_ENC_AES_GCM_256,
	CFG_ENC_CHACHA20_POLY1305,
	CFG_ENC_3DES_CBC, /* legacy */
};
enum cfg_auth {
	CFG_AUTH_NONE = 0, /* AEAD ciphers only */
	CFG_AUTH_HMAC_SHA1_96,
	CFG_AUTH_HMAC_SHA256_128,
	CFG_AUTH_HMAC_SHA384_192,
	CFG_AUTH_HMAC_SHA512_256,
	CFG_AUTH_HMAC_MD5_96, /* legacy */
};

/* 0 = no limit. Soft limits raise an event, hard limits retire the SA (RFC 4301 4.4.2.1). */
struct cfg_lifetime {
	uint64_t soft_bytes;
	uint64_t hard_bytes;
	uint64_t soft_packets;
	uint64_t hard_packets;
	uint32_t soft_seconds;
	uint32_t hard_seconds;
};

/* A manually keyed ESP SA (RFC 4303), one direction. Keys are wiped by cfg_free. */
struct cfg_sa {
	char name[CFG_NAME_MAX];
	uint32_t spi; /* host order, >= 256 (RFC 4303 2.1: 1..255 are reserved) */
	uint8_t dir;  /* enum cfg_sa_dir */
	uint8_t mode; /* enum cfg_sa_mode */
	uint8_t enc;  /* enum cfg_enc */
	uint8_t auth; /* enum cfg_auth */
	bool esn;
	bool udp_encap;	  /* NAT-T, RFC 3948 */
	bool follow_peer; /* inbound NAT-T: follow the peer's address/port changes */
	uint16_t udp_sport;
	uint16_t udp_dport;
	struct cfg_addr local; /* outer addresses: local must be a hub address */
	struct cfg_addr remote;
	uint8_t enc_key[CFG_KEY_MAX]; /* GCM/ChaCha20: key followed by the 4-byte salt */
	unsigned int enc_key_len;
	uint8_t auth_key[CFG_KEY_MAX];
	unsigned int auth_key_len;
	unsigned int replay_window; /* inbound: 64..4096, power of two */
	struct cfg_lifetime life;
	unsigned int line;
};

enum cfg_tunnel_type { CFG_TUN_VTI = 0 };

/* A tunnel interface (route-based IPsec now; GRE and friends later). */
struct cfg_tunnel {
	char name[CFG_NAME_MAX];
	uint8_t type; /* enum cfg_tunnel_type */
	struct cfg_addr local;
	struct cfg_addr remote;
	int sa_out;			 /* index into config.sas */
	int sa_in[CFG_TUNNEL_SA_IN_MAX]; /* indexes into config.sas */
	unsigned int n_sa_in;
	struct cfg_addr v4[CFG_ADDRS_MAX];
	unsigned int n_v4;
	struct cfg_addr v6[CFG_ADDRS_MAX];
	unsigned int n_v6;
	unsigned int mtu; /* 0 in YAML: the underlay MTU minus the ESP overhead */
	/*
	 * A dynamic VTI template (virtual template): not an interface itself; every IKE SA whose
	 * child names it gets its own VTI cloned from it (addresses, MTU), with routes to what the
	 * spoke negotiated (reverse route injection). A template has no remote and no manual SAs.
	 */
	bool template;
	unsigned int line;
};

enum cfg_cmap_action { CFG_CMAP_PROTECT = 0, CFG_CMAP_BYPASS, CFG_CMAP_DISCARD };

/*
 * One entry of a crypto map (policy-based IPsec, RFC 4301 4.4.1): a selector as the packet
 * leaving the interface carries it, and what happens to what it matches. The inbound policy is
 * the mirror image (src and dst, and the ports, swapped).
 */
struct cfg_cmap_entry {
	unsigned int seq; /* 1..65535, unique in its map; the lower matches first */
	uint8_t action;	  /* enum cfg_cmap_action */
	bool proto_any;
	uint8_t proto;		     /* IP protocol (IPv6: next header) unless proto_any */
	struct cfg_addr src, dst;    /* prefixes, host bits zero, one family */
	uint16_t sport_lo, sport_hi; /* host order; 0..65535 is any */
	uint16_t dport_lo, dport_hi;
	int sa_out;		       /* protect: index into config.sas; -1 otherwise */
	int sa_in[CFG_CMAP_SA_IN_MAX]; /* protect: indexes into config.sas */
	unsigned int n_sa_in;
	/* protect without manual SAs: the IKE child that keys it (ike.peers[].children[]) */
	int ike_peer, ike_child; /* indexes; -1 for the others */
	unsigned int line, col;
};

/* A crypto map: ordered entries bound to one physical interface. */
struct cfg_crypto_map {
	char name[CFG_NAME_MAX];
	int iface;			/* index into config.ifaces */
	struct cfg_cmap_entry *entries; /* n_entries, sorted by seq; owned */
	unsigned int n_entries;
	unsigned int line;
};

struct cfg_route {
	struct cfg_addr prefix; /* network address with plen */
	struct cfg_addr via;	/* gateway; family 0 when the route is "interface only" */
	int iface;		/* index into config.ifaces; -1 for a route over a tunnel */
	int tunnel;		/* index into config.tunnels, -1 = not over a tunnel */
	unsigned int line;
};

#include "conf/config_ike.h"

struct config {
	char file[256]; /* name used in error messages ("<embedded>" for the built-in default) */
	struct cfg_system sys;
	struct cfg_iface ifaces[CFG_IFACES_MAX];
	unsigned int n_ifaces;
	struct cfg_route *routes; /* n_routes entries, owned */
	unsigned int n_routes;
	bool ipsec_legacy;	    /* allow 3DES and HMAC-MD5 */
	bool legacy_used;	    /* some SA uses them: the caller logs a warning */
	unsigned int replay_window; /* default for inbound SAs */
	unsigned int sa_max;	    /* ipsec.sa_max: data plane SAs, one per SA and direction */
	struct cfg_sa *sas;	    /* n_sas entries, owned */
	unsigned int n_sas;
	struct cfg_tunnel *tunnels; /* n_tunnels entries, owned */
	unsigned int n_tunnels;
	struct cfg_crypto_map *cmaps; /* ipsec.crypto_maps: n_cmaps entries, owned */
	unsigned int n_cmaps;
	struct cfg_ike_pool *ike_pools; /* ike.pools: n_ike_pools entries, owned */
	unsigned int n_ike_pools;
	struct cfg_ike_peer *ike_peers; /* ike.peers: n_ike_peers entries, owned; PSKs wiped */
	unsigned int n_ike_peers;
	struct cfg_ike_user *ike_users; /* ike.users (XAUTH): owned; passwords wiped */
	unsigned int n_ike_users;
	struct cfg_ike_limits ike_limits; /* ike.limits, defaults without it */
	/* ike.redirect (RFC 5685); when OFF without it */
	struct cfg_ike_redirect ike_redirect;
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
int cfg_tunnel_find(const struct config *cfg, const char *name);
/* Format an address (without prefix length) into buf; returns buf. */
const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);
/* Parse "a.b.c.d", "x::y", optionally with "/plen" when allow_plen. 0 or -EINVAL. */
int cfg_addr_parse(const char *s, bool allow_plen, struct cfg_addr *out);
/* True if address a lies inside prefix p (same family). */
bool cfg_addr_in_prefix(const struct cfg_addr *a, const struct cfg_addr *p);

#endif
