/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike.h - the `ike:` section of the configuration: address pools, and the peers the
 * hub negotiates IKEv2 with (RFC 7296), each with its proposals, authentication, and the Child
 * SAs it carries. Part of the immutable struct config (config.h); cold data, read by the
 * control lcore when it builds its IKE state.
 *
 * Included by conf/config.h (after struct cfg_addr), never on its own.
 *
 * Algorithms are stored as IANA transform IDs (RFC 7296 3.3.2, the IKEv2 registry), so that the
 * IKE code puts them on the wire as they are. Proposals are written in YAML the way strongSwan
 * writes them ("aes256-sha256-modp2048", "aes128gcm16-prfsha256-x25519", "aes256gcm16-esn"): a
 * proposal offers every algorithm listed in it, in order, for each transform type.
 */
#ifndef VPNHUB_CONF_CONFIG_IKE_H
#define VPNHUB_CONF_CONFIG_IKE_H

#include <stdbool.h>
#include <stdint.h>

#define CFG_IKE_PEERS_MAX      1024 /* configured peers (a wildcard peer serves many spokes) */
#define CFG_IKE_POOLS_MAX      64
#define CFG_IKE_PROPOSALS_MAX  8 /* proposals per peer, IKE or ESP */
#define CFG_IKE_ALGS_MAX       8 /* algorithms of one transform type in one proposal */
#define CFG_IKE_CHILDREN_MAX   8 /* Child SA configs per peer */
#define CFG_IKE_TS_MAX	       8 /* traffic selectors per side of a child */
#define CFG_IKE_ID_MAX	       256
#define CFG_IKE_PSK_MAX	       256 /* bytes of a pre-shared key */
#define CFG_IKE_POOL_DNS_MAX   4
#define CFG_IKE_POOL_SPLIT_MAX 16
#define CFG_IKE_CERT_MAX       8192  /* DER octets of a peer's `cert` file: ours, then a chain */
#define CFG_IKE_CA_MAX	       16384 /* DER octets of its `ca` files together */
#define CFG_IKE_CA_FILES_MAX   8
#define CFG_IKE_KEY_MAX	       5120 /* DER octets of a private key (PKCS#8; RSA-8192 fits) */
#define CFG_IKE_USERS_MAX      4096 /* ike.users */
#define CFG_IKE_USER_MAX       64   /* octets of a user name */
#define CFG_IKE_PASSWORD_MAX   128
#define CFG_IKE_BANNER_MAX     512 /* Cisco Unity banner, octets */
#define CFG_IKE_DOMAIN_MAX     253

/* ID types as RFC 7296 3.5 numbers them. */
enum cfg_ike_id_type {
	CFG_IKE_ID_NONE = 0, /* "any": accept whatever the peer says (remote_id only) */
	CFG_IKE_ID_IPV4 = 1,
	CFG_IKE_ID_FQDN = 2,
	CFG_IKE_ID_EMAIL = 3, /* ID_RFC822_ADDR */
	CFG_IKE_ID_IPV6 = 5,
	CFG_IKE_ID_DN = 9, /* ID_DER_ASN1_DN: a DER Name (RFC 5280 4.1.2.4) */
	CFG_IKE_ID_KEY_ID = 11,
};

struct cfg_ike_id {
	uint8_t type; /* enum cfg_ike_id_type */
	uint16_t len;
	uint8_t data[CFG_IKE_ID_MAX]; /* IPv4/IPv6 address bytes, or the name without NUL */
};

/*
 * One proposal: the algorithms offered for each transform type, IANA IDs, in preference
 * order. IKE proposals: encr + (integ, or an AEAD) + prf + dh (at least one each). ESP: encr +
 * (integ, or an AEAD), dh only with PFS (n_dh == 0: no PFS), esn as listed (default: no ESN).
 */
struct cfg_ike_alg {
	uint16_t id;	 /* transform ID */
	uint16_t keylen; /* bits (AES: 128/256); 0 when the algorithm has a fixed key */
};

struct cfg_ike_proposal {
	struct cfg_ike_alg encr[CFG_IKE_ALGS_MAX];
	uint8_t n_encr;
	uint16_t integ[CFG_IKE_ALGS_MAX];
	uint8_t n_integ;
	uint16_t prf[CFG_IKE_ALGS_MAX];
	uint8_t n_prf;
	uint16_t dh[CFG_IKE_ALGS_MAX];
	uint8_t n_dh;
	uint8_t esn[2]; /* ESN transform IDs offered: 0 = none, 1 = extended (3.3.2) */
	uint8_t n_esn;
	unsigned int line;
};

/* A traffic selector (RFC 7296 3.13.1) as configured: a prefix, a protocol, a port range. */
struct cfg_ike_ts {
	struct cfg_addr prefix;
	uint8_t proto; /* 0 = any */
	uint16_t port_lo, port_hi;
};

enum cfg_ike_auth { CFG_IKE_AUTH_PSK = 0, CFG_IKE_AUTH_PUBKEY };

/* A Child SA a peer may negotiate (or the hub initiates), and where its traffic goes. */
struct cfg_ike_child {
	char name[CFG_NAME_MAX];
	struct cfg_ike_ts local_ts[CFG_IKE_TS_MAX]; /* the hub's side */
	unsigned int n_local_ts;
	struct cfg_ike_ts remote_ts[CFG_IKE_TS_MAX]; /* the peer's side */
	unsigned int n_remote_ts;
	bool remote_dynamic; /* remote_ts: [dynamic]: the address the peer's pool gave it */
	uint8_t mode;	     /* enum cfg_sa_mode */
	struct cfg_ike_proposal esp[CFG_IKE_PROPOSALS_MAX];
	unsigned int n_esp;
	int tunnel;	      /* static VTI: index into config.tunnels, -1 = none */
	int cmap, cmap_entry; /* the crypto map entry it keys (its selectors are the TS), or -1 */
	unsigned int rekey_time;    /* seconds; 0 = never; default 3600 */
	unsigned int life_time;	    /* hard expiry, seconds; default rekey_time * 11 / 10 */
	uint64_t rekey_bytes;	    /* 0 = none */
	uint64_t rekey_packets;	    /* 0 = none */
	unsigned int replay_window; /* 0 = ipsec default */
	unsigned int line;
};

/* A pool of inner addresses for remote access (configuration payload, RFC 7296 3.15). */
struct cfg_ike_pool {
	char name[CFG_NAME_MAX];
	struct cfg_addr prefix; /* addresses handed out: the prefix without its network and, for
				   IPv4, broadcast address */
	struct cfg_addr dns[CFG_IKE_POOL_DNS_MAX];
	unsigned int n_dns;
	struct cfg_addr split[CFG_IKE_POOL_SPLIT_MAX]; /* INTERNAL_IP4_SUBNET; none = all traffic */
	unsigned int n_split;
	unsigned int line;
};

struct cfg_ike_peer {
	char name[CFG_NAME_MAX];
	struct cfg_addr local;	/* a hub address */
	struct cfg_addr remote; /* the peer's address; family 0 = any (dynamic-address spokes) */
	struct cfg_ike_id local_id;   /* default: the local address */
	struct cfg_ike_id remote_id;  /* default: the remote address; type NONE = any */
	uint8_t auth;		      /* enum cfg_ike_auth */
	uint8_t psk[CFG_IKE_PSK_MAX]; /* wiped by cfg_free */
	unsigned int psk_len;
	struct cfg_ike_proposal ike[CFG_IKE_PROPOSALS_MAX];
	unsigned int n_ike;
	struct cfg_ike_child children[CFG_IKE_CHILDREN_MAX];
	unsigned int n_children;
	int pool;		  /* the IPv4 pool: index into config.ike_pools, -1 = none */
	int pool6;		  /* the IPv6 pool (INTERNAL_IP6_ADDRESS), -1 = none */
	bool initiate;		  /* the hub starts the IKE SA (needs a remote address) */
	bool encap;		  /* force UDP encapsulation even without a NAT (RFC 3948) */
	unsigned int dpd_delay;	  /* seconds of inbound silence before a liveness check; 0 = off */
	unsigned int rekey_time;  /* IKE SA rekey, seconds; default 14400; 0 = never */
	unsigned int reauth_time; /* 0 = never (default): rekey only */
	unsigned int jitter;	  /* percent subtracted at random from rekey times; default 10 */
	unsigned int retransmit_tries; /* our requests: retransmissions before the peer is dead */
	unsigned int retransmit_ms;    /* the first wait; each next one doubles (2.1, 2.4) */
	/*
	 * auth: pubkey (RFC 7296 3.6-3.8, RFC 7427), as DER read from PEM files by
	 * config_ike_cert.c: our certificate first in cert, then the rest of its file (a chain);
	 * the CAs of every `ca` file one after the other; our private key as PKCS#8, wiped with the
	 * rest of the peer by cfg_free and by the loader when the peer fails to load.
	 */
	uint8_t cert[CFG_IKE_CERT_MAX];
	uint16_t cert_len;
	uint8_t cas[CFG_IKE_CA_MAX];
	uint16_t cas_len;
	uint8_t key[CFG_IKE_KEY_MAX];
	uint16_t key_len;
	bool send_certreq; /* CERTREQ naming our CAs (3.7); default true */
	unsigned int line;
	/* IKE fragmentation (RFC 7383): offered in IKE_SA_INIT (default true); the largest IP
	 * datagram of a fragment, 256..9000 (default 1280) */
	bool fragmentation;
	unsigned int fragment_size;
	/*
	 * 1: IKEv1 (RFC 2409, ctrlplane/ike/ikev1*.c), 2: IKEv2 (default). An IKEv1 peer's
	 * rekey_time is its ISAKMP SA lifetime; aggressive: Aggressive Mode is accepted from it
	 * (its pre-shared-key hash can be attacked offline, so it is off by default).
	 */
	unsigned int version;
	bool aggressive;
	/*
	 * IKEv1 remote access (Easy VPN server, ctrlplane/ike/ikev1_cfg.c): after Phase 1 the hub
	 * asks the peer's user for name and password (XAUTH, checked against ike.users), then hands
	 * out the pool's address, DNS and split networks (Mode Config, pulled by the client or
	 * pushed), with the Cisco Unity banner and default domain.
	 */
	bool xauth;
	uint8_t mode_config; /* enum cfg_ike_mode_config */
	char banner[CFG_IKE_BANNER_MAX + 1];
	char domain[CFG_IKE_DOMAIN_MAX + 1];
};

enum cfg_ike_mode_config { CFG_IKE_MODECFG_PULL = 0, CFG_IKE_MODECFG_PUSH };

/* ike.users: the local XAUTH users (a RADIUS server can take their place later). */
struct cfg_ike_user {
	char name[CFG_IKE_USER_MAX + 1];
	uint8_t password[CFG_IKE_PASSWORD_MAX]; /* wiped by cfg_free */
	unsigned int password_len;
	unsigned int line;
};

/*
 * ike.limits: how many IKE SAs peers may open (ctrlplane/ike/ike_guard.c). IKE SAs the hub
 * holds at most: CFG_IKE_SA_MAX, half-open ones included.
 */
#define CFG_IKE_SA_MAX 16384
struct cfg_ike_limits {
	unsigned int sa_max;	       /* IKE SAs peers may open, half-open ones included */
	unsigned int half_open_max;    /* half-open SAs; more IKE_SA_INITs are dropped */
	unsigned int cookie_threshold; /* half-open SAs from which a cookie is needed (0: always) */
	unsigned int per_source_max;   /* IKE SAs peers opened from one address; 0 = no cap */
	unsigned int per_source_rate;  /* IKE_SA_INITs a second from one address; 0 = no limit */
};

/*
 * ike.redirect (RFC 5685; ctrlplane/ike/ike_redirect.c): an IKE_SA_INIT request whose initiator
 * announces redirect support is answered with a REDIRECT to another gateway, always or once the
 * hub holds load_threshold IKE SAs, for every peer or those of the peers bitmap. The gateway
 * is an IPv4 or IPv6 address (RFC 5685 also allows an FQDN, which the loader refuses).
 */
enum cfg_ike_redirect_when {
	CFG_IKE_REDIRECT_OFF = 0, /* no ike.redirect */
	CFG_IKE_REDIRECT_ALWAYS,
	CFG_IKE_REDIRECT_LOAD,
};

struct cfg_ike_redirect {
	uint8_t when;		     /* enum cfg_ike_redirect_when */
	struct cfg_addr to;	     /* the gateway initiators are sent to */
	unsigned int load_threshold; /* LOAD: IKE SAs held (half-open included) from which */
	bool all_peers;		     /* no `peers`: every peer */
	uint8_t peers[CFG_IKE_PEERS_MAX / 8]; /* else bit i set: ike.peers[i] is redirected */
	unsigned int line;
};

/* Does the redirect rule r apply to ike.peers[peer]? */
static inline bool cfg_ike_redirect_peer(const struct cfg_ike_redirect *r, unsigned int peer)
{
	return r->all_peers || (peer < CFG_IKE_PEERS_MAX && (r->peers[peer / 8] >> (peer % 8)) & 1);
}

/*
 * The keyword of conf/README.md for transform type (RFC 7296 3.3.2: 1 encryption, 2 PRF,
 * 3 integrity, 4 key exchange, 5 ESN) and id (keylen in bits where the type has one), or NULL.
 */
const char *cfg_ike_xform_name(uint8_t type, uint16_t id, uint16_t keylen);

#endif
