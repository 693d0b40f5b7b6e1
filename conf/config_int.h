/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_int.h - loader internals shared by the files of stage 2 (config.c, config_ipsec.c,
 * config_cryptomap.c, config_ike.c, config_ike_prop.c).
 *
 * Not part of the API: nothing outside conf/ includes it. Every function here follows the rules
 * of config.c: it writes the first error only (through cfgi_fail), returns 0 or the negative
 * errno of that error, quotes untrusted text only through cfgi_show() and never quotes key
 * material at all. Called on the main lcore during cfg_load_*(); no global state.
 */
#ifndef VPNHUB_CONF_CONFIG_INT_H
#define VPNHUB_CONF_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/config.h"
#include "conf/yaml_tree.h"

#define SHOW_MAX 48 /* bytes of untrusted text quoted back in a message */

#define LETTERS	 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define ALNUM	 LETTERS "0123456789"
/* Interface, tunnel and SA names: a letter, then [A-Za-z0-9_/] (telemetry dictionary keys). */
#define NAME_FIRST LETTERS
#define NAME_REST  ALNUM "_/"

/* One load in progress. */
struct ld {
	const char *file; /* name used in messages */
	const char *dir;  /* directory of the config file; NULL for a buffer */
	char *err;
	size_t errlen;
	bool failed;
	struct config *cfg;
	/* ike.templates and ike.proposals once checked (config_ike_tmpl.c); NULL without */
	const struct node *ike_templates;
	const struct node *ike_proposals;
};

struct rule;
typedef int (*set_fn)(struct ld *ld, const struct node *v, void *obj, const struct rule *r);

/* One key of a section: its setter, the field the generic setters write, their range. */
struct rule {
	const char *key;
	set_fn set;
	size_t off;		/* field written by the generic setters */
	unsigned long min, max; /* range for cfgi_set_uint */
	bool required;
};

/* The address lists of the interface or tunnel being loaded, for cfgi_set_addrs(). */
struct addr_lists {
	struct cfg_addr *v4;
	unsigned int *n_v4;
	struct cfg_addr *v6;
	unsigned int *n_v6;
	const char *self; /* "this interface", "this tunnel" */
};

/* ---- errors: "file:line:col: message", the first one only ---- */

int cfgi_fail_at(struct ld *ld, unsigned int line, unsigned int col, int rc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int cfgi_fail(struct ld *ld, const struct node *n, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* n's text, printable and at most SHOW_MAX bytes: the only way untrusted text reaches err. */
const char *cfgi_show(const struct node *n, char *buf, size_t len);
/* "a sequence", "a mapping", "an empty value", "a scalar" */
const char *cfgi_describe(const struct node *n);

/* ---- typed values ---- */

int cfgi_want_scalar(struct ld *ld, const struct node *v, const char *key);
/* Plain decimal without sign or leading zeros, in min..max. */
int cfgi_get_uint(struct ld *ld, const struct node *v, const char *key, unsigned long min,
		  unsigned long max, unsigned long *out);
/* As cfgi_get_uint over 64 bits; with hex, "0x" followed by 1..16 hex digits is accepted too. */
int cfgi_get_u64(struct ld *ld, const struct node *v, const char *key, uint64_t min, uint64_t max,
		 bool hex, uint64_t *out);
int cfgi_get_bool(struct ld *ld, const struct node *v, const char *key, bool *out);
bool cfgi_name_ok(const char *s, size_t len, const char *first, const char *rest);

#define HEX_DIGITS "0123456789abcdefABCDEF"

/* 0..15, or -1 when c is not a hex digit. */
static inline int cfgi_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Generic setters: an unsigned int or a bool at obj + r->off; keep only records the node. */
int cfgi_set_uint(struct ld *ld, const struct node *v, void *obj, const struct rule *r);
int cfgi_set_bool(struct ld *ld, const struct node *v, void *obj, const struct rule *r);
int cfgi_keep(struct ld *ld, const struct node *v, void *obj, const struct rule *r);

/*
 * Apply rules to the pairs of map in file order; vals[i] receives the value node of rules[i]
 * (NULL when absent) for checks that span keys. where reads "in system", "at top level"...
 */
int cfgi_walk_map(struct ld *ld, const struct node *map, const char *where,
		  const struct rule *rules, unsigned int n_rules, void *obj,
		  const struct node **vals);
/* A sequence of at most max items; what names them in messages ("manual SAs"). */
int cfgi_want_seq(struct ld *ld, const struct node *v, const char *key, unsigned int max,
		  const char *what);

/* ---- addresses ---- */

bool cfgi_addr_same(const struct cfg_addr *a, const struct cfg_addr *b);
bool cfgi_addr_multicast(const struct cfg_addr *a);
/* The interface address list of one family. */
const struct cfg_addr *cfgi_iface_addrs(const struct cfg_iface *ifc, int family, unsigned int *n);
/* Index of the interface holding address a exactly, or -1. */
int cfgi_iface_with(const struct config *cfg, const struct cfg_addr *a);
/*
 * One address (scalar) or up to CFG_ADDRS_MAX (sequence) of family for the object being loaded,
 * with the interface address rules and the overlap checks against every complete interface and
 * tunnel and the object itself.
 */
int cfgi_set_addrs(struct ld *ld, const struct node *v, const char *key, int family,
		   struct addr_lists *own);

/* ---- sections in config_ipsec.c, applied after interfaces and before routes ---- */

/* The ipsec section; map may be NULL (defaults). */
int cfgi_load_ipsec(struct ld *ld, const struct node *map);
/* The tunnels section; seq may be NULL. Needs interfaces and ipsec loaded. */
int cfgi_load_tunnels(struct ld *ld, const struct node *seq);
/* The tunnel address list of one family. */
const struct cfg_addr *cfgi_tunnel_addrs(const struct cfg_tunnel *t, int family, unsigned int *n);

#define KEY_FILE_MAX 1024 /* bytes read from a key file; the longest key is 128 hex digits */

/*
 * A sequence of maps into a new array of n elements of size sz: *arr and *n are set as each
 * element loads, so cfg_free sees exactly the elements that exist when one fails. seq may be
 * NULL (nothing to load).
 */
int cfgi_load_list(struct ld *ld, const struct node *seq, const char *key, unsigned int max,
		   const char *what, size_t sz, void **arr, unsigned int *n,
		   int (*one)(struct ld *ld, const struct node *map, unsigned int idx));
/* The path a key file's node names: relative to the config file's directory, never the cwd. */
int cfgi_key_path(struct ld *ld, const struct node *v, const char *key, char *path, size_t len);
/* Up to KEY_FILE_MAX bytes of a regular file into buf (KEY_FILE_MAX + 1 bytes); label names it. */
int cfgi_read_key_file(struct ld *ld, const struct node *v, const char *label, const char *path,
		       char *buf, size_t *n);

/* ---- crypto maps in config_cryptomap.c, applied after tunnels and before routes ---- */

/*
 * ipsec.crypto_maps is read after the tunnels (an SA of a crypto map may not be a tunnel's), so
 * it is split off the ipsec mapping first: *rest is the ipsec mapping without that pair (a copy
 * in *copy, which the caller frees after the load, when there was such a pair; map itself
 * otherwise) and *cmaps its value or NULL. map may be NULL.
 */
int cfgi_ipsec_split(struct ld *ld, const struct node *map, const struct node **rest,
		     const struct node **cmaps, struct node **copy);
/* The crypto_maps sequence; seq may be NULL. Needs interfaces, SAs and tunnels loaded. */
int cfgi_load_crypto_maps(struct ld *ld, const struct node *seq);

/* ---- the ike section in config_ike.c and config_ike_prop.c, applied before routes ---- */

/*
 * Pools, then peers and their children; then every VTI of tunnels (the tunnels sequence, for
 * positions; may be NULL) without manual SAs must be keyed by one child. map may be NULL.
 */
int cfgi_load_ike(struct ld *ld, const struct node *map, const struct node *tunnels);
/* ike.users (config_ike_users.c) */
int cfgi_ike_users(struct ld *ld, const struct node *seq);
/*
 * The proposals of v (a proposal or a sequence of 1..CFG_IKE_PROPOSALS_MAX) into props and *n:
 * IKE proposals when ike, else ESP ones; v NULL loads the defaults. key names v in messages.
 */
int cfgi_ike_proposals(struct ld *ld, const struct node *v, const char *key, bool ike,
		       struct cfg_ike_proposal *props, unsigned int *n);
/*
 * The IKE proposals v (loaded by cfgi_ike_proposals) of a peer that is not IKEv1: a legacy
 * algorithm in them (ipsec.legacy lets 3des, md5, prfmd5, modp1024, modp1536 into IKEv1's
 * Phase 1 only) is refused at its line:col. key names v in messages.
 */
int cfgi_ike_v1_only(struct ld *ld, const struct node *v, const char *key);
/*
 * s (v's text, or the part of it before a '[') as a prefix with its host bits zero; with bare, an
 * address alone is a host prefix (/32, /128).
 */
int cfgi_ike_net(struct ld *ld, const struct node *v, const char *key, const char *s, bool bare,
		 struct cfg_addr *a);
/* A traffic selector: "PREFIX", "PREFIX[PROTO]" or "PREFIX[PROTO/PORT[-PORT]]". */
int cfgi_ike_ts(struct ld *ld, const struct node *v, const char *key, struct cfg_ike_ts *ts);
/* An identity: an address, fqdn:, email:, keyid:, or with any_ok "any" (type NONE). */
int cfgi_ike_id(struct ld *ld, const struct node *v, const char *key, bool any_ok,
		struct cfg_ike_id *id);
/* The ID_IPV4_ADDR or ID_IPV6_ADDR identity of address a. */
void cfgi_ike_addr_id(const struct cfg_addr *a, struct cfg_ike_id *id);

/*
 * config_cryptomap.c: child `child` of ike.peers[peer] (being loaded) keys the protect entry
 * named by its 'crypto_map' and 'seq' (map_v, seq_v; either may be NULL); its selectors become
 * the entry's. ts_given: the child had local_ts or remote_ts, which it may not.
 */
int cfgi_cmap_child(struct ld *ld, unsigned int peer, unsigned int child, const struct node *map_v,
		    const struct node *seq_v, bool ts_given);
/* Every protect entry without manual SAs is keyed by an IKE child (after the ike section). */
int cfgi_cmap_keyed(struct ld *ld);

/*
 * config_ike_tmpl.c: check ike.templates (their keys among peer_keys) and ike.proposals and
 * keep them in ld for what follows.
 */
int cfgi_ike_shared(struct ld *ld, const struct node *templates, const struct node *proposals,
		    const char *const *peer_keys, unsigned int n_keys);
/* A named proposal list for v when v is its name, else v itself. */
const struct node *cfgi_ike_named(const struct ld *ld, const struct node *v);
/*
 * The peer mapping map merged with its template (its own keys first): *merged, to be read
 * instead of map, and *owned, what to free() after (NULL without a template).
 */
int cfgi_ike_template(struct ld *ld, const struct node *map, const struct node **merged,
		      struct node **owned);

#endif /* VPNHUB_CONF_CONFIG_INT_H */
