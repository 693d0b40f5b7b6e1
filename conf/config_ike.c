/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_ike.c - the ike section: address pools for remote access (RFC 7296 3.15) and the
 * peers the hub runs IKEv2 with (RFC 7296): their addresses and identities (3.5), pre-shared
 * key (2.15), IKE proposals, timers, and the Child SAs each one carries with their traffic
 * selectors (3.13.1) and, for route-based IPsec, the static VTI a child keys. The grammars of
 * proposals, selectors and identities are in config_ike_prop.c; certificates (auth: pubkey) are
 * loaded by config_ike_cert.c.
 *
 * Applied after interfaces, ipsec, tunnels and crypto maps (a peer's local address is a hub
 * address, a child keys a tunnel, a legacy ESP algorithm needs ipsec.legacy) and before routes;
 * pools before peers, whatever their order in the file. Everything that spans keys of a peer -
 * address families, identities, the key, its children against its addresses and its pool - is
 * checked once its mapping is read, so the order of keys does not matter; the error points at
 * the key at fault. Last, every VTI without manual SAs must be keyed by exactly one child.
 *
 * Invariants: PSK bytes are written only into a struct cfg_ike_peer (wiped here when that peer
 * fails to load, by cfg_free otherwise) and into a key-file buffer wiped on every exit; no
 * message quotes them, only the key's name, its length and the position of a bad digit. Called
 * on the main lcore during cfg_load_*(); no global state.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/config.h"
#include "conf/config_ike_cert.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

#define PSK_MIN			16	 /* bytes; see psk_decode() */
#define SECONDS_MAX		31536000 /* a year: the longest rekey or lifetime accepted */
#define DPD_MAX			86400
#define JITTER_MAX		50 /* percent */
#define IKE_REKEY_DEFAULT	14400
#define CHILD_REKEY_DEFAULT	3600
#define DPD_DEFAULT		30
#define JITTER_DEFAULT		10
#define LIMIT_HALF_OPEN_DEFAULT 1024 /* ike.limits (ike_guard.c) */
#define LIMIT_COOKIE_DEFAULT	64
#define LIMIT_SOURCE_DEFAULT	256 /* remote-access clients behind one NAT share an address */
#define LIMIT_RATE_DEFAULT	50  /* IKE_SA_INITs a second per address, twice that in a burst */
#define WHERE_MAX		64  /* "in ike.peers[1023].children[7]" */
#define LABEL_MAX		(SHOW_MAX + 32)
#define FAM_V4			1u
#define FAM_V6			2u

/* ---- values ---- */

/* The later of two nodes in the file: where a conflict becomes visible to the reader. */
static const struct node *later(const struct node *a, const struct node *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return a->line > b->line || (a->line == b->line && a->col > b->col) ? a : b;
}

static bool unspecified(const struct cfg_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

/* A unicast address without prefix length. */
static int get_host(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (cfg_addr_parse(v->str, false, a) < 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is not an address (no prefix length here)", key,
				 cfgi_show(v, buf, sizeof(buf)));
	if (cfgi_addr_multicast(a))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is a multicast address", key);
	if (unspecified(a))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is the unspecified address", key);
	return 0;
}

/* Two prefixes of one family overlap when the shorter one contains the other. */
static bool overlap(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->plen < b->plen ? cfg_addr_in_prefix(b, a) : cfg_addr_in_prefix(a, b);
}

static int get_net(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	int rc = cfgi_want_scalar(ld, v, key);

	return rc < 0 ? rc : cfgi_ike_net(ld, v, key, v->str, false, a);
}

typedef int (*item_fn)(struct ld *ld, const struct node *v, const char *key, void *obj,
		       unsigned int i);

/* One item (a scalar) or a sequence of 1..max of them, each handed to fn with its index. */
static int each_item(struct ld *ld, const struct node *v, const char *key, unsigned int max,
		     const char *one, item_fn fn, void *obj)
{
	unsigned int i = 0;
	int rc;

	if (v->kind == NODE_SCALAR)
		return fn(ld, v, key, obj, 0);
	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be %s or a sequence of them, not %s",
				 key, one, cfgi_describe(v));
	if (v->n == 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' is empty: omit it instead", key);
	for (const struct node *m = v->first; m != NULL; m = m->next, i++) {
		if (i == max)
			return cfgi_fail(ld, m, -E2BIG, "'%s' lists more than %u items", key, max);
		rc = fn(ld, m, key, obj, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool valid_name(const struct node *v)
{
	return v->len < CFG_NAME_MAX && cfgi_name_ok(v->str, v->len, NAME_FIRST, NAME_REST);
}

/* Names are telemetry dictionary keys, as interface and SA names are. */
static int get_name(struct ld *ld, const struct node *v, const char *key, char *out)
{
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (!valid_name(v))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a letter then up to %u of [A-Za-z0-9_/]", key,
				 CFG_NAME_MAX - 2);
	memcpy(out, v->str, v->len + 1);
	return 0;
}

static int set_u64(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	uint64_t x;
	int rc = cfgi_get_u64(ld, v, r->key, 0, UINT64_MAX, false, &x);

	if (rc == 0)
		*(uint64_t *)((char *)obj + r->off) = x;
	return rc;
}

/* ---- pools ---- */

enum { POOL_NAME, POOL_PREFIX, POOL_DNS, POOL_SPLIT, POOL_N };

static int pool_find(const struct config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ike_pools; i++) {
		if (strcmp(cfg->ike_pools[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

static int set_pool_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_pool *pool = obj;
	int rc = get_name(ld, v, r->key, pool->name);

	if (rc == 0 && pool_find(ld->cfg, pool->name) >= 0)
		return cfgi_fail(ld, v, -EEXIST, "pool name %s is used twice", pool->name);
	return rc;
}

/* Against the subnets of the interfaces and tunnels: handing out a connected address breaks it. */
static int pool_vs_subnets(struct ld *ld, const struct node *v, const struct cfg_addr *p)
{
	const struct config *cfg = ld->cfg;
	char sa[INET6_ADDRSTRLEN], sb[INET6_ADDRSTRLEN];

	for (unsigned int k = 0; k < cfg->n_ifaces + cfg->n_tunnels; k++) {
		bool is_if = k < cfg->n_ifaces;
		const struct cfg_addr *list;
		unsigned int n;

		list = is_if ? cfgi_iface_addrs(&cfg->ifaces[k], p->family, &n)
			     : cfgi_tunnel_addrs(&cfg->tunnels[k - cfg->n_ifaces], p->family, &n);
		for (unsigned int j = 0; j < n; j++) {
			if (!overlap(p, &list[j]))
				continue;
			return cfgi_fail(ld, v, -EEXIST,
					 "pool prefix %s/%u overlaps %s/%u, the subnet of %s %s",
					 cfg_addr_str(p, sa, sizeof(sa)), p->plen,
					 cfg_addr_str(&list[j], sb, sizeof(sb)), list[j].plen,
					 is_if ? "interface" : "tunnel",
					 is_if ? cfg->ifaces[k].name
					       : cfg->tunnels[k - cfg->n_ifaces].name);
		}
	}
	return 0;
}

/* Whole addresses are handed out: at least two of them, and a bounded number. */
static int set_pool_prefix(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	const struct config *cfg = ld->cfg;
	struct cfg_ike_pool *pool = obj;
	struct cfg_addr *p = &pool->prefix;
	char sa[INET6_ADDRSTRLEN];
	unsigned int lo, hi;
	int rc = get_net(ld, v, r->key, p);

	if (rc < 0)
		return rc;
	lo = p->family == AF_INET ? 8 : 64;
	hi = p->family == AF_INET ? 30 : 126;
	cfg_addr_str(p, sa, sizeof(sa));
	if (p->plen > hi)
		return cfgi_fail(ld, v, -ERANGE,
				 "pool prefix %s/%u is too small: a pool needs a /%u or shorter",
				 sa, p->plen, hi);
	if (p->plen < lo)
		return cfgi_fail(ld, v, -ERANGE,
				 "pool prefix %s/%u is too large: a pool is a /%u or longer", sa,
				 p->plen, lo);
	for (unsigned int i = 0; i < cfg->n_ike_pools; i++) {
		const struct cfg_ike_pool *o = &cfg->ike_pools[i];

		if (o->prefix.family == p->family && overlap(p, &o->prefix))
			return cfgi_fail(ld, v, -EEXIST, "pool prefix %s/%u overlaps pool %s", sa,
					 p->plen, o->name);
	}
	return pool_vs_subnets(ld, v, p);
}

static int pool_dns(struct ld *ld, const struct node *v, const char *key, void *obj, unsigned int i)
{
	struct cfg_ike_pool *pool = obj;
	int rc = get_host(ld, v, key, &pool->dns[i]);

	if (rc == 0)
		pool->n_dns = i + 1;
	return rc;
}

static int pool_split(struct ld *ld, const struct node *v, const char *key, void *obj,
		      unsigned int i)
{
	struct cfg_ike_pool *pool = obj;
	int rc = get_net(ld, v, key, &pool->split[i]);

	if (rc == 0)
		pool->n_split = i + 1;
	return rc;
}

static int set_pool_dns(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return each_item(ld, v, r->key, CFG_IKE_POOL_DNS_MAX, "an address", pool_dns, obj);
}

static int set_pool_split(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return each_item(ld, v, r->key, CFG_IKE_POOL_SPLIT_MAX, "a prefix", pool_split, obj);
}

static const struct rule pool_rules[POOL_N] = {
	[POOL_NAME] = {"name", set_pool_name, 0, 0, 0, true},
	[POOL_PREFIX] = {"prefix", set_pool_prefix, 0, 0, 0, true},
	[POOL_DNS] = {"dns", set_pool_dns, 0, 0, 0, false},
	[POOL_SPLIT] = {"split", set_pool_split, 0, 0, 0, false},
};

static int load_pool(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[POOL_N] = {NULL};
	struct cfg_ike_pool *pool = &ld->cfg->ike_pools[idx];
	char where[WHERE_MAX];

	pool->line = map->line;
	snprintf(where, sizeof(where), "in ike.pools[%u]", idx);
	return cfgi_walk_map(ld, map, where, pool_rules, POOL_N, pool, vals);
}

/* Identities are compared as they travel: type and bytes (RFC 7296 3.5). */
static bool id_same(const struct cfg_ike_id *a, const struct cfg_ike_id *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ---- pre-shared keys (RFC 7296 2.15) ---- */

/*
 * The key is the text as written, or, after "0x", the bytes its hex digits spell. RFC 7296
 * 2.15 wants as much unpredictability as the strongest key negotiated: fewer than 16 bytes are
 * refused. pos is where s starts in what the operator wrote, so a bad digit is found there.
 */
static int psk_decode(struct ld *ld, const struct node *v, const char *label, const char *s,
		      size_t n, size_t pos, struct cfg_ike_peer *p)
{
	bool hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t len = hex ? (n - 2) / 2 : n, bad;

	if (hex) {
		bad = strspn(s + 2, HEX_DIGITS);
		if (bad < n - 2)
			return cfgi_fail(ld, v, -EINVAL,
					 "%s is not hex after 0x: character %zu is not a hex digit",
					 label, pos + bad + 3);
		if ((n - 2) % 2 != 0)
			return cfgi_fail(ld, v, -EINVAL, "%s has an odd number of hex digits (%zu)",
					 label, n - 2);
	}
	if (len < PSK_MIN)
		return cfgi_fail(ld, v, -EINVAL,
				 "%s is %zu bytes: a pre-shared key needs at least %u (RFC 7296 "
				 "2.15: a short key is guessed offline)",
				 label, len, PSK_MIN);
	if (len > CFG_IKE_PSK_MAX)
		return cfgi_fail(ld, v, -EINVAL, "%s is %zu bytes, more than %u", label, len,
				 CFG_IKE_PSK_MAX);
	for (size_t i = 0; i < len; i++)
		p->psk[i] = hex ? (uint8_t)(cfgi_hex_digit(s[2 + 2 * i]) << 4 |
					    cfgi_hex_digit(s[3 + 2 * i]))
				: (uint8_t)s[i];
	p->psk_len = (unsigned int)len;
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A file holding the key as psk would, e.g. from `openssl rand -hex 32 | sed 's/^/0x/'`. */
static int psk_file(struct ld *ld, const struct node *v, struct cfg_ike_peer *p)
{
	char path[PATH_MAX], label[LABEL_MAX], show[SHOW_MAX];
	char buf[KEY_FILE_MAX + 1];
	size_t n = 0, start = 0;
	int rc = cfgi_want_scalar(ld, v, "psk_file");

	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "'psk_file' '%s'", cfgi_show(v, show, sizeof(show)));
	rc = cfgi_key_path(ld, v, "psk_file", path, sizeof(path));
	if (rc == 0)
		rc = cfgi_read_key_file(ld, v, label, path, buf, &n);
	if (rc < 0)
		goto out;
	while (n > 0 && blank(buf[n - 1]))
		n--;
	while (start < n && blank(buf[start]))
		start++;
	buf[n] = '\0';
	if (start == n)
		rc = cfgi_fail(ld, v, -EINVAL, "%s is empty", label);
	else
		rc = psk_decode(ld, v, label, buf + start, n - start, start, p);
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* Exactly one of psk and psk_file (auth: psk). */
static int load_psk(struct ld *ld, const struct node *map, const char *where,
		    const struct node *inl, const struct node *file, struct cfg_ike_peer *p)
{
	int rc;

	if (inl != NULL && file != NULL)
		return cfgi_fail(ld, later(inl, file), -EINVAL,
				 "'psk' and 'psk_file' exclude each other");
	if (inl == NULL && file == NULL)
		return cfgi_fail(ld, map, -EINVAL, "missing required key 'psk' or 'psk_file' %s",
				 where);
	if (file != NULL)
		return psk_file(ld, file, p);
	rc = cfgi_want_scalar(ld, inl, "psk");
	return rc < 0 ? rc : psk_decode(ld, inl, "'psk'", inl->str, inl->len, 0, p);
}

/* ---- traffic selectors (RFC 7296 3.13.1): defaults ---- */

static unsigned int families(const struct cfg_ike_ts *ts, unsigned int n)
{
	unsigned int f = 0;

	for (unsigned int i = 0; i < n; i++)
		f |= ts[i].prefix.family == AF_INET ? FAM_V4 : FAM_V6;
	return f;
}

static const char *fam_name(unsigned int f)
{
	return f == FAM_V4 ? "IPv4" : f == FAM_V6 ? "IPv6" : "IPv4 and IPv6";
}

/* 0.0.0.0/0 and/or ::/0, all protocols and ports: what a VTI child wants. */
static void ts_any(struct cfg_ike_ts *ts, unsigned int *n, unsigned int fam)
{
	*n = 0;
	if (fam & FAM_V4)
		ts[(*n)++] = (struct cfg_ike_ts){.prefix = {.family = AF_INET}, .port_hi = 65535};
	if (fam & FAM_V6)
		ts[(*n)++] = (struct cfg_ike_ts){.prefix = {.family = AF_INET6}, .port_hi = 65535};
}

/* ---- children ---- */

enum {
	CH_NAME,
	CH_LOCAL_TS,
	CH_REMOTE_TS,
	CH_MODE,
	CH_ESP,
	CH_TUNNEL,
	CH_REKEY,
	CH_LIFE,
	CH_REKEY_BYTES,
	CH_REKEY_PACKETS,
	CH_WINDOW,
	CH_CMAP,
	CH_SEQ,
	CH_N
};

/* The peer whose children are being loaded: the one after the complete ones. */
static struct cfg_ike_peer *cur_peer(struct ld *ld)
{
	return &ld->cfg->ike_peers[ld->cfg->n_ike_peers];
}

static int set_ch_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	const struct cfg_ike_peer *p = cur_peer(ld);
	struct cfg_ike_child *ch = obj;
	int rc = get_name(ld, v, r->key, ch->name);

	for (unsigned int i = 0; rc == 0 && i < p->n_children; i++) {
		if (strcmp(p->children[i].name, ch->name) == 0)
			return cfgi_fail(ld, v, -EEXIST, "child name %s is used twice in peer %s",
					 ch->name, p->name);
	}
	return rc;
}

static int local_ts(struct ld *ld, const struct node *v, const char *key, void *obj, unsigned int i)
{
	struct cfg_ike_child *ch = obj;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc == 0 && strcmp(v->str, "dynamic") == 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' cannot be dynamic: only the peer's side comes from a pool",
				 key);
	if (rc == 0)
		rc = cfgi_ike_ts(ld, v, key, &ch->local_ts[i]);
	if (rc == 0)
		ch->n_local_ts = i + 1;
	return rc;
}

/* "dynamic": the address the peer's pool hands out (RFC 7296 3.15), alone in the list. */
static int remote_ts(struct ld *ld, const struct node *v, const char *key, void *obj,
		     unsigned int i)
{
	struct cfg_ike_child *ch = obj;
	bool dyn;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	dyn = strcmp(v->str, "dynamic") == 0;
	if ((dyn && i > 0) || (!dyn && ch->remote_dynamic))
		return cfgi_fail(ld, v, -EINVAL, "'%s': dynamic stands alone", key);
	if (dyn && cur_peer(ld)->pool < 0 && cur_peer(ld)->pool6 < 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' dynamic needs a 'pool' on the peer", key);
	ch->remote_dynamic = dyn;
	if (!dyn)
		rc = cfgi_ike_ts(ld, v, key, &ch->remote_ts[i]);
	if (rc == 0 && !dyn)
		ch->n_remote_ts = i + 1;
	return rc;
}

static int set_ch_local_ts(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return each_item(ld, v, r->key, CFG_IKE_TS_MAX, "a traffic selector", local_ts, obj);
}

static int set_ch_remote_ts(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return each_item(ld, v, r->key, CFG_IKE_TS_MAX, "a traffic selector", remote_ts, obj);
}

static int set_ch_mode(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_child *ch = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "tunnel") == 0)
		ch->mode = CFG_SA_TUNNEL;
	else if (strcmp(v->str, "transport") == 0)
		ch->mode = CFG_SA_TRANSPORT;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be tunnel or transport", r->key);
	return 0;
}

static int set_ch_esp(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_child *ch = obj;

	return cfgi_ike_proposals(ld, v, r->key, false, ch->esp, &ch->n_esp);
}

/* The child keying tunnel t among the first n_peers peers (children loaded so far), or NULL. */
static const struct cfg_ike_child *tunnel_user(const struct config *cfg, unsigned int n_peers,
					       int t, const struct cfg_ike_peer **owner)
{
	for (unsigned int i = 0; i < n_peers; i++) {
		const struct cfg_ike_peer *p = &cfg->ike_peers[i];

		for (unsigned int j = 0; j < p->n_children; j++) {
			if (p->children[j].tunnel == t) {
				*owner = p;
				return &p->children[j];
			}
		}
	}
	return NULL;
}

/* A static VTI whose SAs this child installs: between the peer's addresses, for it alone. */
static int check_vti(struct ld *ld, const struct node *v, const struct cfg_tunnel *t, int idx)
{
	const struct config *cfg = ld->cfg;
	const struct cfg_ike_peer *p = cur_peer(ld), *owner = NULL;
	const struct cfg_ike_child *user;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (t->type != CFG_TUN_VTI)
		return cfgi_fail(ld, v, -EINVAL, "'tunnel' %s is not a vti", t->name);
	if (t->sa_out >= 0)
		return cfgi_fail(ld, v, -EEXIST,
				 "'tunnel' %s has manual SAs (sa_out, sa_in): an IKE child keys "
				 "only a vti without them",
				 t->name);
	if (!cfgi_addr_same(&t->local, &p->local) ||
	    (!t->template && p->remote.family != 0 && !cfgi_addr_same(&t->remote, &p->remote)))
		return cfgi_fail(ld, v, -EINVAL,
				 "'tunnel' %s runs between %s and %s, not the peer's local and "
				 "remote",
				 t->name, cfg_addr_str(&t->local, a, sizeof(a)),
				 cfg_addr_str(&t->remote, b, sizeof(b)));
	user = t->template ? NULL : tunnel_user(cfg, cfg->n_ike_peers + 1, idx, &owner);
	if (user != NULL)
		return cfgi_fail(ld, v, -EEXIST,
				 "'tunnel' %s is already keyed by child %s of peer %s", t->name,
				 user->name, owner->name);
	return 0;
}

static int set_ch_tunnel(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_child *ch = obj;
	char buf[SHOW_MAX];
	int t, rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	t = cfg_tunnel_find(ld->cfg, v->str);
	if (t < 0)
		return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown tunnel '%s'", r->key,
				 cfgi_show(v, buf, sizeof(buf)));
	rc = check_vti(ld, v, &ld->cfg->tunnels[t], t);
	if (rc == 0)
		ch->tunnel = t;
	return rc;
}

/* Replay windows are whole 64-bit words sized as powers of two (RFC 4303 3.4.3). */
static int set_ch_window(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	unsigned long x;
	int rc = cfgi_get_uint(ld, v, r->key, r->min, r->max, &x);

	if (rc < 0)
		return rc;
	if ((x & (x - 1)) != 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' %lu is not a power of two", r->key, x);
	((struct cfg_ike_child *)obj)->replay_window = (unsigned int)x;
	return 0;
}

static const struct rule ch_rules[CH_N] = {
	[CH_NAME] = {"name", set_ch_name, 0, 0, 0, true},
	[CH_LOCAL_TS] = {"local_ts", set_ch_local_ts, 0, 0, 0, false},
	[CH_REMOTE_TS] = {"remote_ts", set_ch_remote_ts, 0, 0, 0, false},
	[CH_MODE] = {"mode", set_ch_mode, 0, 0, 0, false},
	[CH_ESP] = {"esp", set_ch_esp, 0, 0, 0, false},
	[CH_TUNNEL] = {"tunnel", set_ch_tunnel, 0, 0, 0, false},
	[CH_REKEY] = {"rekey_time", cfgi_set_uint, offsetof(struct cfg_ike_child, rekey_time), 0,
		      SECONDS_MAX, false},
	[CH_LIFE] = {"life_time", cfgi_set_uint, offsetof(struct cfg_ike_child, life_time), 0,
		     SECONDS_MAX, false},
	[CH_REKEY_BYTES] = {"rekey_bytes", set_u64, offsetof(struct cfg_ike_child, rekey_bytes), 0,
			    0, false},
	[CH_REKEY_PACKETS] = {"rekey_packets", set_u64,
			      offsetof(struct cfg_ike_child, rekey_packets), 0, 0, false},
	[CH_WINDOW] = {"replay_window", set_ch_window, 0, 64, 4096, false},
	[CH_CMAP] = {"crypto_map", cfgi_keep, 0, 0, 0, false},
	[CH_SEQ] = {"seq", cfgi_keep, 0, 0, 0, false},
};

/*
 * Both sides cover the same families: a side left out takes the other's (any/any for both when
 * neither is given); remote_ts: dynamic has the family of the peer's pool.
 */
static int check_ts(struct ld *ld, struct cfg_ike_child *ch, const struct node **vals)
{
	const struct cfg_ike_peer *p = cur_peer(ld);
	unsigned int lf = families(ch->local_ts, ch->n_local_ts), rf;

	rf = ch->remote_dynamic ? (p->pool >= 0 ? FAM_V4 : 0) | (p->pool6 >= 0 ? FAM_V6 : 0)
				: families(ch->remote_ts, ch->n_remote_ts);
	if (vals[CH_LOCAL_TS] == NULL) {
		lf = rf != 0 ? rf : FAM_V4 | FAM_V6;
		ts_any(ch->local_ts, &ch->n_local_ts, lf);
	}
	if (vals[CH_REMOTE_TS] == NULL) {
		rf = lf;
		ts_any(ch->remote_ts, &ch->n_remote_ts, rf);
	}
	if (lf != rf)
		return cfgi_fail(ld, later(vals[CH_LOCAL_TS], vals[CH_REMOTE_TS]), -EINVAL,
				 "'local_ts' (%s) and 'remote_ts' (%s%s) must cover the same "
				 "address families",
				 fam_name(lf), fam_name(rf),
				 !ch->remote_dynamic	   ? ""
				 : rf == (FAM_V4 | FAM_V6) ? ", the pools'"
							   : ", the pool's");
	return 0;
}

/* Lifetimes: the hard one comes after the rekey (RFC 7296 2.8), by a tenth when not given. */
static int check_life(struct ld *ld, struct cfg_ike_child *ch, const struct node **vals)
{
	if (vals[CH_LIFE] == NULL) {
		ch->life_time =
			ch->rekey_time == 0
				? 0
				: ch->rekey_time + (ch->rekey_time >= 10 ? ch->rekey_time / 10 : 1);
		return 0;
	}
	if (ch->rekey_time != 0 && ch->life_time <= ch->rekey_time)
		return cfgi_fail(ld, vals[CH_LIFE], -EINVAL,
				 "'life_time' %u must exceed 'rekey_time' %u", ch->life_time,
				 ch->rekey_time);
	return 0;
}

static int check_child(struct ld *ld, struct cfg_ike_child *ch, const struct node **vals)
{
	int rc;

	if (vals[CH_CMAP] != NULL || vals[CH_SEQ] != NULL)
		rc = cfgi_cmap_child(ld, ld->cfg->n_ike_peers,
				     (unsigned int)(ch - cur_peer(ld)->children), vals[CH_CMAP],
				     vals[CH_SEQ],
				     vals[CH_LOCAL_TS] != NULL || vals[CH_REMOTE_TS] != NULL);
	else
		rc = check_ts(ld, ch, vals);

	if (rc == 0 && ch->tunnel >= 0 && ch->mode != CFG_SA_TUNNEL)
		rc = cfgi_fail(ld, vals[CH_MODE], -EINVAL, "'mode' must be tunnel: a VTI needs it");
	if (rc == 0)
		rc = check_life(ld, ch, vals);
	if (rc == 0 && vals[CH_ESP] == NULL)
		rc = cfgi_ike_proposals(ld, NULL, "esp", false, ch->esp, &ch->n_esp);
	if (rc == 0 && vals[CH_WINDOW] == NULL)
		ch->replay_window = ld->cfg->replay_window;
	return rc;
}

static int load_child(struct ld *ld, const struct node *map, unsigned int peer, unsigned int idx)
{
	const struct node *vals[CH_N] = {NULL};
	struct cfg_ike_child *ch = &cur_peer(ld)->children[idx];
	char where[WHERE_MAX];
	int rc;

	ch->tunnel = -1;
	ch->cmap = ch->cmap_entry = -1;
	ch->mode = CFG_SA_TUNNEL;
	ch->rekey_time = CHILD_REKEY_DEFAULT;
	ch->line = map->line;
	snprintf(where, sizeof(where), "in ike.peers[%u].children[%u]", peer, idx);
	rc = cfgi_walk_map(ld, map, where, ch_rules, CH_N, ch, vals);
	return rc < 0 ? rc : check_child(ld, ch, vals);
}

static int load_children(struct ld *ld, const struct node *seq, unsigned int peer)
{
	struct cfg_ike_peer *p = cur_peer(ld);
	unsigned int i = 0;
	int rc = cfgi_want_seq(ld, seq, "children", CFG_IKE_CHILDREN_MAX, "children");

	if (rc == 0 && seq->n == 0)
		return cfgi_fail(ld, seq, -EINVAL, "'children' needs at least one child");
	for (const struct node *m = rc == 0 ? seq->first : NULL; m != NULL; m = m->next, i++) {
		rc = load_child(ld, m, peer, i);
		if (rc < 0)
			return rc;
		p->n_children = i + 1;
	}
	return rc;
}

/* ---- peers ---- */

enum {
	PEER_NAME,
	PEER_LOCAL,
	PEER_REMOTE,
	PEER_LOCAL_ID,
	PEER_REMOTE_ID,
	PEER_AUTH,
	PEER_PSK,
	PEER_PSK_FILE,
	PEER_IKE,
	PEER_INITIATE,
	PEER_ENCAP,
	PEER_DPD,
	PEER_REKEY,
	PEER_REAUTH,
	PEER_JITTER,
	PEER_POOL,
	PEER_CHILDREN,
	PEER_CERT,
	PEER_KEY,
	PEER_CA,
	PEER_SEND_CERTREQ,
	PEER_RTX_TRIES,
	PEER_RTX_MS,
	PEER_FRAG,
	PEER_FRAG_SIZE,
	PEER_VERSION,
	PEER_AGGRESSIVE,
	PEER_XAUTH,
	PEER_MODE_CONFIG,
	PEER_BANNER,
	PEER_DOMAIN,
	PEER_N
};

static int set_peer_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	const struct config *cfg = ld->cfg;
	struct cfg_ike_peer *p = obj;
	int rc = get_name(ld, v, r->key, p->name);

	for (unsigned int i = 0; rc == 0 && i < cfg->n_ike_peers; i++) {
		if (strcmp(cfg->ike_peers[i].name, p->name) == 0)
			return cfgi_fail(ld, v, -EEXIST, "peer name %s is used twice", p->name);
	}
	return rc;
}

/* The source of our IKE packets: an address some interface owns. */
static int set_peer_local(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_peer *p = obj;
	char sa[INET6_ADDRSTRLEN];
	int rc = get_host(ld, v, r->key, &p->local);

	if (rc == 0 && cfgi_iface_with(ld->cfg, &p->local) < 0)
		return cfgi_fail(ld, v, -EADDRNOTAVAIL,
				 "'%s' %s is not an address of any interface", r->key,
				 cfg_addr_str(&p->local, sa, sizeof(sa)));
	return rc;
}

/* "any": a spoke whose address is not known (dynamic address, behind NAT, remote access). */
static int set_peer_remote(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_peer *p = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc == 0 && strcmp(v->str, "any") == 0) {
		memset(&p->remote, 0, sizeof(p->remote));
		return 0;
	}
	return rc < 0 ? rc : get_host(ld, v, r->key, &p->remote);
}

static int set_peer_local_id(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return cfgi_ike_id(ld, v, r->key, false, &((struct cfg_ike_peer *)obj)->local_id);
}

static int set_peer_remote_id(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return cfgi_ike_id(ld, v, r->key, true, &((struct cfg_ike_peer *)obj)->remote_id);
}

/* psk (2.15) or pubkey: certificates and signatures (3.6-3.8, RFC 7427). */
static int set_peer_auth(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_peer *p = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "psk") == 0 || strcmp(v->str, "pubkey") == 0) {
		p->auth = strcmp(v->str, "psk") == 0 ? CFG_IKE_AUTH_PSK : CFG_IKE_AUTH_PUBKEY;
		return 0;
	}
	return cfgi_fail(ld, v, -EINVAL, "'%s' must be psk or pubkey", r->key);
}

static int set_peer_ike(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_peer *p = obj;

	return cfgi_ike_proposals(ld, v, r->key, true, p->ike, &p->n_ike);
}

/* One pool per address family: an IPv4 one, an IPv6 one, or one of each (dual stack). */
static int peer_pool(struct ld *ld, const struct node *v, const char *key, void *obj,
		     unsigned int i)
{
	struct cfg_ike_peer *p = obj;
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key), k;
	int *slot;

	(void)i;
	if (rc < 0)
		return rc;
	k = pool_find(ld->cfg, v->str);
	if (k < 0)
		return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown pool '%s'", key,
				 cfgi_show(v, buf, sizeof(buf)));
	slot = ld->cfg->ike_pools[k].prefix.family == AF_INET ? &p->pool : &p->pool6;
	if (*slot >= 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' names two %s pools (%s and %s): one per address family", key,
				 slot == &p->pool ? "IPv4" : "IPv6", ld->cfg->ike_pools[*slot].name,
				 ld->cfg->ike_pools[k].name);
	*slot = k;
	return 0;
}

static int set_peer_pool(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return each_item(ld, v, r->key, 2, "a pool name", peer_pool, obj);
}

/* IKEv1 Mode Config: the client asks (pull, what strongSwan and Cisco clients do) or is told. */
static int set_peer_modecfg(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_peer *p = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "pull") == 0)
		p->mode_config = CFG_IKE_MODECFG_PULL;
	else if (strcmp(v->str, "push") == 0)
		p->mode_config = CFG_IKE_MODECFG_PUSH;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be pull or push", r->key);
	return 0;
}

/* Text for a client's screen or resolver: 1..max octets, printable (a banner: lines too). */
static int get_text(struct ld *ld, const struct node *v, const char *key, size_t max, bool lines,
		    char *out)
{
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (v->len == 0 || v->len > max)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be 1..%zu octets", key, max);
	for (size_t i = 0; i < v->len; i++) {
		unsigned char c = (unsigned char)v->str[i];
		if ((c < ' ' && !(lines && c == '\n')) || c == 0x7f || (!lines && c == ' '))
			return cfgi_fail(ld, v, -EINVAL, "'%s' has a control character at %zu", key,
					 i + 1);
	}
	memcpy(out, v->str, v->len + 1);
	return 0;
}

static int set_peer_banner(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_text(ld, v, r->key, CFG_IKE_BANNER_MAX, true,
			((struct cfg_ike_peer *)obj)->banner);
}

static int set_peer_domain(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_text(ld, v, r->key, CFG_IKE_DOMAIN_MAX, false,
			((struct cfg_ike_peer *)obj)->domain);
}

/* RFC 7383 2.5.1: IKE fragments of at most this IP datagram size (strongSwan's default too) */
#define FRAG_SIZE_DEFAULT 1280
#define FRAG_SIZE_MIN	  256 /* headers, IV and ICV take under 100 octets of it */
#define FRAG_SIZE_MAX	  9000

#define PEER_UINT(k, f, lo, hi)                                                   \
	{                                                                         \
		k, cfgi_set_uint, offsetof(struct cfg_ike_peer, f), lo, hi, false \
	}

static const struct rule peer_rules[PEER_N] = {
	[PEER_NAME] = {"name", set_peer_name, 0, 0, 0, true},
	[PEER_LOCAL] = {"local", set_peer_local, 0, 0, 0, true},
	[PEER_REMOTE] = {"remote", set_peer_remote, 0, 0, 0, true},
	[PEER_LOCAL_ID] = {"local_id", set_peer_local_id, 0, 0, 0, false},
	[PEER_REMOTE_ID] = {"remote_id", set_peer_remote_id, 0, 0, 0, false},
	[PEER_AUTH] = {"auth", set_peer_auth, 0, 0, 0, false},
	[PEER_PSK] = {"psk", cfgi_keep, 0, 0, 0, false},
	[PEER_PSK_FILE] = {"psk_file", cfgi_keep, 0, 0, 0, false},
	[PEER_IKE] = {"ike", set_peer_ike, 0, 0, 0, false},
	[PEER_INITIATE] = {"initiate", cfgi_set_bool, offsetof(struct cfg_ike_peer, initiate), 0, 0,
			   false},
	[PEER_ENCAP] = {"encap", cfgi_set_bool, offsetof(struct cfg_ike_peer, encap), 0, 0, false},
	[PEER_DPD] = PEER_UINT("dpd_delay", dpd_delay, 0, DPD_MAX),
	[PEER_REKEY] = PEER_UINT("rekey_time", rekey_time, 0, SECONDS_MAX),
	[PEER_REAUTH] = PEER_UINT("reauth_time", reauth_time, 0, SECONDS_MAX),
	[PEER_JITTER] = PEER_UINT("jitter", jitter, 0, JITTER_MAX),
	[PEER_RTX_TRIES] = PEER_UINT("retransmit_tries", retransmit_tries, 1, 10),
	[PEER_RTX_MS] = PEER_UINT("retransmit_ms", retransmit_ms, 100, 60000),
	[PEER_POOL] = {"pool", set_peer_pool, 0, 0, 0, false},
	[PEER_CHILDREN] = {"children", cfgi_keep, 0, 0, 0, true},
	[PEER_CERT] = {"cert", cfgi_keep, 0, 0, 0, false},
	[PEER_KEY] = {"key", cfgi_keep, 0, 0, 0, false},
	[PEER_CA] = {"ca", cfgi_keep, 0, 0, 0, false},
	[PEER_SEND_CERTREQ] = {"send_certreq", cfgi_set_bool,
			       offsetof(struct cfg_ike_peer, send_certreq), 0, 0, false},
	[PEER_FRAG] = {"fragmentation", cfgi_set_bool, offsetof(struct cfg_ike_peer, fragmentation),
		       0, 0, false},
	[PEER_FRAG_SIZE] = PEER_UINT("fragment_size", fragment_size, FRAG_SIZE_MIN, FRAG_SIZE_MAX),
	[PEER_VERSION] = PEER_UINT("version", version, 1, 2),
	[PEER_AGGRESSIVE] = {"aggressive", cfgi_set_bool, offsetof(struct cfg_ike_peer, aggressive),
			     0, 0, false},
	[PEER_XAUTH] = {"xauth", cfgi_set_bool, offsetof(struct cfg_ike_peer, xauth), 0, 0, false},
	[PEER_MODE_CONFIG] = {"mode_config", set_peer_modecfg, 0, 0, 0, false},
	[PEER_BANNER] = {"banner", set_peer_banner, 0, 0, 0, false},
	[PEER_DOMAIN] = {"domain", set_peer_domain, 0, 0, 0, false},
};

/*
 * Identities default to the addresses. With remote: any the responder finds the peer by the ID
 * it sends (IDi, RFC 7296 2.15), so remote_id must be given and must name one.
 */
static int check_ids(struct ld *ld, const struct node *map, const char *where,
		     struct cfg_ike_peer *p, const struct node **vals)
{
	if (vals[PEER_LOCAL_ID] == NULL)
		cfgi_ike_addr_id(&p->local, &p->local_id);
	if (vals[PEER_REMOTE_ID] == NULL && p->remote.family != 0)
		cfgi_ike_addr_id(&p->remote, &p->remote_id);
	else if (vals[PEER_REMOTE_ID] == NULL)
		return cfgi_fail(ld, map, -EINVAL,
				 "missing required key 'remote_id' %s: with remote: any the peer "
				 "is known by its ID alone",
				 where);
	else if (p->remote.family == 0 && p->remote_id.type == CFG_IKE_ID_NONE)
		return cfgi_fail(ld, vals[PEER_REMOTE_ID], -EINVAL,
				 "'remote_id' any needs a remote address: with remote: any the "
				 "peer is known by its ID alone");
	return 0;
}

/* The key (psk, psk_file) or the certificate (cert, key, ca) of auth, and nothing of the other. */
static int load_auth(struct ld *ld, const struct node *map, const char *where,
		     struct cfg_ike_peer *p, const struct node **vals)
{
	const struct cfgi_auth_nodes n = {
		.psk = vals[PEER_PSK],
		.psk_file = vals[PEER_PSK_FILE],
		.cert = vals[PEER_CERT],
		.key = vals[PEER_KEY],
		.ca = vals[PEER_CA],
		.send_certreq = vals[PEER_SEND_CERTREQ],
		.local_id = vals[PEER_LOCAL_ID],
		.remote_id = vals[PEER_REMOTE_ID],
	};
	int rc;

	if (p->auth == CFG_IKE_AUTH_PUBKEY)
		return cfgi_ike_pubkey(ld, map, where, &n, p);
	rc = cfgi_ike_psk_only(ld, &n);
	return rc < 0 ? rc : load_psk(ld, map, where, vals[PEER_PSK], vals[PEER_PSK_FILE], p);
}

static int check_peer(struct ld *ld, const struct node *map, const char *where,
		      struct cfg_ike_peer *p, const struct node **vals)
{
	char sa[INET6_ADDRSTRLEN];
	int rc;

	if (p->remote.family != 0 && p->remote.family != p->local.family)
		return cfgi_fail(ld, vals[PEER_REMOTE], -EINVAL,
				 "'remote' %s is not of the address family of 'local'",
				 cfg_addr_str(&p->remote, sa, sizeof(sa)));
	if (p->initiate && p->remote.family == 0)
		return cfgi_fail(ld, vals[PEER_INITIATE], -EINVAL,
				 "'initiate' needs a remote address, not any");
	if (p->aggressive && p->version != 1)
		return cfgi_fail(ld, vals[PEER_AGGRESSIVE], -EINVAL,
				 "'aggressive' is an IKEv1 mode: it needs 'version: 1'");
	if (p->aggressive && p->auth != CFG_IKE_AUTH_PSK)
		return cfgi_fail(ld, vals[PEER_AGGRESSIVE], -ENOTSUP,
				 "Aggressive Mode is implemented with a pre-shared key only");
	for (unsigned int k = PEER_XAUTH; k <= PEER_DOMAIN; k++)
		if (vals[k] != NULL && p->version != 1)
			return cfgi_fail(ld, vals[k], -EINVAL,
					 "'%s' is IKEv1 remote access: it needs 'version: 1'",
					 peer_rules[k].key);
	if (p->version == 1 && p->pool6 >= 0)
		return cfgi_fail(ld, vals[PEER_POOL], -ENOTSUP,
				 "IKEv1 Mode Config hands out IPv4 addresses only");
	if (p->xauth && ld->cfg->n_ike_users == 0)
		return cfgi_fail(ld, vals[PEER_XAUTH], -EINVAL,
				 "'xauth' with no ike.users: no one could log in");
	rc = check_ids(ld, map, where, p, vals);
	if (rc == 0)
		rc = load_auth(ld, map, where, p, vals);
	if (rc == 0 && vals[PEER_IKE] == NULL)
		rc = cfgi_ike_proposals(ld, NULL, "ike", true, p->ike, &p->n_ike);
	else if (rc == 0 && p->version != 1) /* legacy Phase 1 algorithms: IKEv1 only */
		rc = cfgi_ike_v1_only(ld, vals[PEER_IKE], "ike");
	return rc;
}

/* Two peers that the same IKE_SA_INIT and IDi would both match cannot be told apart. */
static int check_distinct(struct ld *ld, const struct node *map, const struct cfg_ike_peer *p)
{
	const struct config *cfg = ld->cfg;

	for (unsigned int i = 0; i < cfg->n_ike_peers; i++) {
		const struct cfg_ike_peer *q = &cfg->ike_peers[i];

		if (cfgi_addr_same(&q->local, &p->local) &&
		    cfgi_addr_same(&q->remote, &p->remote) && id_same(&q->remote_id, &p->remote_id))
			return cfgi_fail(ld, map, -EEXIST,
					 "peer %s has the local, remote and remote_id of peer %s "
					 "(line %u): they cannot be told apart",
					 p->name, q->name, q->line);
	}
	return 0;
}

static int load_peer(struct ld *ld, const struct node *own, unsigned int idx)
{
	const struct node *vals[PEER_N] = {NULL};
	struct cfg_ike_peer *p = &ld->cfg->ike_peers[idx];
	const struct node *map;
	struct node *merged;
	char where[WHERE_MAX];
	int rc = cfgi_ike_template(ld, own, &map, &merged); /* its template's keys too */

	if (rc < 0)
		return rc;
	p->pool = -1;
	p->pool6 = -1;
	p->dpd_delay = DPD_DEFAULT;
	p->rekey_time = IKE_REKEY_DEFAULT;
	p->jitter = JITTER_DEFAULT;
	p->retransmit_tries = 5;
	p->retransmit_ms = 1000;
	p->send_certreq = true;
	p->fragmentation = true;
	p->fragment_size = FRAG_SIZE_DEFAULT;
	p->version = 2;
	p->line = map->line;
	snprintf(where, sizeof(where), "in ike.peers[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, peer_rules, PEER_N, p, vals);
	if (rc == 0)
		rc = check_peer(ld, map, where, p, vals);
	if (rc == 0)
		rc = load_children(ld, vals[PEER_CHILDREN], idx);
	if (rc == 0)
		rc = check_distinct(ld, map, p);
	free(merged);
	if (rc < 0)
		explicit_bzero(p,
			       sizeof(*p)); /* not counted in n_ike_peers: cfg_free would miss it */
	return rc;
}

/* ---- the section ---- */

/* A VTI without manual SAs is keyed by one child (a second one is refused as it loads). */
static int check_vtis(struct ld *ld, const struct node *tunnels)
{
	const struct config *cfg = ld->cfg;
	const struct node *m = tunnels != NULL ? tunnels->first : NULL;
	const struct cfg_ike_peer *owner;

	for (unsigned int t = 0; t < cfg->n_tunnels; t++, m = m != NULL ? m->next : NULL) {
		const struct cfg_tunnel *ct = &cfg->tunnels[t];

		if (ct->sa_out >= 0 || ct->template ||
		    tunnel_user(cfg, cfg->n_ike_peers, (int)t, &owner) != NULL)
			continue;
		return cfgi_fail_at(ld, m != NULL ? m->line : ct->line, m != NULL ? m->col : 1,
				    -EINVAL,
				    "tunnel %s has no SAs: give it sa_out and sa_in, or name it in "
				    "the 'tunnel' of an IKE child",
				    ct->name);
	}
	return 0;
}

enum {
	IKE_POOLS,
	IKE_PEERS,
	IKE_LIMITS,
	IKE_TEMPLATES,
	IKE_PROPOSALS,
	IKE_REDIRECT,
	IKE_USERS,
	IKE_N
};

static const struct rule ike_rules[IKE_N] = {
	[IKE_POOLS] = {"pools", cfgi_keep, 0, 0, 0, false},
	[IKE_PEERS] = {"peers", cfgi_keep, 0, 0, 0, false},
	[IKE_LIMITS] = {"limits", cfgi_keep, 0, 0, 0, false},
	[IKE_TEMPLATES] = {"templates", cfgi_keep, 0, 0, 0, false},
	[IKE_PROPOSALS] = {"proposals", cfgi_keep, 0, 0, 0, false},
	[IKE_REDIRECT] = {"redirect", cfgi_keep, 0, 0, 0, false},
	[IKE_USERS] = {"users", cfgi_keep, 0, 0, 0, false},
};

/* Templates and named proposal lists, checked before the peers that use them. */
static int load_shared(struct ld *ld, const struct node **vals)
{
	const char *keys[PEER_N];

	for (unsigned int i = 0; i < PEER_N; i++)
		keys[i] = peer_rules[i].key;
	return cfgi_ike_shared(ld, vals[IKE_TEMPLATES], vals[IKE_PROPOSALS], keys, PEER_N);
}

/* ---- limits ---- */

enum { LIM_SA, LIM_HALF_OPEN, LIM_COOKIE, LIM_SOURCE, LIM_RATE, LIM_N };

#define LIM_UINT(k, f, lo, hi)                                                      \
	{                                                                           \
		k, cfgi_set_uint, offsetof(struct cfg_ike_limits, f), lo, hi, false \
	}
static const struct rule lim_rules[LIM_N] = {
	[LIM_SA] = LIM_UINT("sa_max", sa_max, 1, CFG_IKE_SA_MAX),
	[LIM_HALF_OPEN] = LIM_UINT("half_open_max", half_open_max, 1, CFG_IKE_SA_MAX),
	[LIM_COOKIE] = LIM_UINT("cookie_threshold", cookie_threshold, 0, CFG_IKE_SA_MAX),
	[LIM_SOURCE] = LIM_UINT("per_source_max", per_source_max, 0, CFG_IKE_SA_MAX),
	[LIM_RATE] = LIM_UINT("per_source_rate", per_source_rate, 0, 100000),
};
#undef LIM_UINT

/* Cookies start at or below the cap, or they would never be asked for (RFC 7296 2.6). */
static int load_limits(struct ld *ld, const struct node *map)
{
	struct cfg_ike_limits *l = &ld->cfg->ike_limits;
	const struct node *vals[LIM_N] = {NULL};
	int rc;

	l->sa_max = CFG_IKE_SA_MAX;
	l->half_open_max = LIMIT_HALF_OPEN_DEFAULT;
	l->cookie_threshold = LIMIT_COOKIE_DEFAULT;
	l->per_source_max = LIMIT_SOURCE_DEFAULT;
	l->per_source_rate = LIMIT_RATE_DEFAULT;
	if (map == NULL)
		return 0;
	rc = cfgi_walk_map(ld, map, "in ike.limits", lim_rules, LIM_N, l, vals);
	if (rc == 0 && l->cookie_threshold > l->half_open_max)
		rc = cfgi_fail(ld, vals[LIM_COOKIE] != NULL ? vals[LIM_COOKIE] : map, -EINVAL,
			       "'cookie_threshold' %u is above 'half_open_max' %u: cookies would "
			       "never be asked for",
			       l->cookie_threshold, l->half_open_max);
	return rc;
}

/* ---- redirect (RFC 5685) ---- */

enum { RD_TO, RD_WHEN, RD_THRESHOLD, RD_PEERS, RD_N };

/* A name, not an address: letters, digits, '-' and '.', with a letter somewhere. */
static bool fqdn_like(const struct node *v)
{
	return v->len > 0 && strspn(v->str, ALNUM "-.") == v->len && strpbrk(v->str, LETTERS);
}

/* The gateway: an address (RFC 5685 4 also has FQDNs, not supported), not one of the hub's. */
static int set_rd_to(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_redirect *rd = obj;
	char buf[SHOW_MAX], a[64];
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc == 0 && cfg_addr_parse(v->str, false, &rd->to) < 0 && fqdn_like(v))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' %s is a name: give the gateway's IPv4 or IPv6 address (a "
				 "REDIRECT to an FQDN is not supported)",
				 r->key, cfgi_show(v, buf, sizeof(buf)));
	if (rc == 0)
		rc = get_host(ld, v, r->key, &rd->to);
	if (rc == 0 && cfgi_iface_with(ld->cfg, &rd->to) >= 0)
		rc = cfgi_fail(ld, v, -EINVAL,
			       "'%s' %s is an address of this hub: initiators would be sent back "
			       "to it",
			       r->key, cfg_addr_str(&rd->to, a, sizeof(a)));
	return rc;
}

static int set_rd_when(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_ike_redirect *rd = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "always") == 0)
		rd->when = CFG_IKE_REDIRECT_ALWAYS;
	else if (strcmp(v->str, "load") == 0)
		rd->when = CFG_IKE_REDIRECT_LOAD;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be always or load", r->key);
	return 0;
}

static int rd_peer(struct ld *ld, const struct node *v, const char *key, void *obj, unsigned int i)
{
	struct cfg_ike_redirect *rd = obj;
	const struct config *cfg = ld->cfg;
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key);

	(void)i;
	if (rc < 0)
		return rc;
	for (unsigned int p = 0; p < cfg->n_ike_peers; p++) {
		if (strcmp(cfg->ike_peers[p].name, v->str) != 0)
			continue;
		if ((rd->peers[p / 8] >> (p % 8)) & 1)
			return cfgi_fail(ld, v, -EEXIST, "'%s' lists peer %s twice", key,
					 cfg->ike_peers[p].name);
		rd->peers[p / 8] |= (uint8_t)(1u << (p % 8));
		return 0;
	}
	return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown peer '%s'", key,
			 cfgi_show(v, buf, sizeof(buf)));
}

static int set_rd_peers(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	((struct cfg_ike_redirect *)obj)->all_peers = false;
	return each_item(ld, v, r->key, CFG_IKE_PEERS_MAX, "a peer name", rd_peer, obj);
}

static const struct rule rd_rules[RD_N] = {
	[RD_TO] = {"to", set_rd_to, 0, 0, 0, true},
	[RD_WHEN] = {"when", set_rd_when, 0, 0, 0, false},
	[RD_THRESHOLD] = {"load_threshold", cfgi_set_uint,
			  offsetof(struct cfg_ike_redirect, load_threshold), 1, CFG_IKE_SA_MAX,
			  false},
	[RD_PEERS] = {"peers", set_rd_peers, 0, 0, 0, false},
};

/* After the peers, which `peers` names; `when` defaults to always. */
static int load_redirect(struct ld *ld, const struct node *map)
{
	struct cfg_ike_redirect *rd = &ld->cfg->ike_redirect;
	const struct node *vals[RD_N] = {NULL};
	int rc;

	memset(rd, 0, sizeof(*rd));
	if (map == NULL)
		return 0;
	rd->when = CFG_IKE_REDIRECT_ALWAYS;
	rd->all_peers = true;
	rd->line = map->line;
	rc = cfgi_walk_map(ld, map, "in ike.redirect", rd_rules, RD_N, rd, vals);
	if (rc == 0 && rd->when == CFG_IKE_REDIRECT_LOAD && vals[RD_THRESHOLD] == NULL)
		rc = cfgi_fail(ld, vals[RD_WHEN], -EINVAL, "'when: load' needs a 'load_threshold'");
	if (rc == 0 && rd->when == CFG_IKE_REDIRECT_ALWAYS && vals[RD_THRESHOLD] != NULL)
		rc = cfgi_fail(ld, vals[RD_THRESHOLD], -EINVAL,
			       "'load_threshold' goes with 'when: load' only");
	if (rc != 0)
		memset(rd, 0, sizeof(*rd)); /* nothing half-applied */
	return rc;
}

int cfgi_load_ike(struct ld *ld, const struct node *map, const struct node *tunnels)
{
	const struct node *vals[IKE_N] = {NULL};
	struct config *cfg = ld->cfg;
	int rc = 0;

	if (map != NULL)
		rc = cfgi_walk_map(ld, map, "in ike", ike_rules, IKE_N, NULL, vals);
	if (rc == 0)
		rc = load_limits(ld, vals[IKE_LIMITS]);
	if (rc == 0)
		rc = load_shared(ld, vals);
	if (rc == 0)
		rc = cfgi_load_list(ld, vals[IKE_POOLS], "pools", CFG_IKE_POOLS_MAX, "pools",
				    sizeof(struct cfg_ike_pool), (void **)&cfg->ike_pools,
				    &cfg->n_ike_pools, load_pool);
	if (rc == 0)
		rc = cfgi_ike_users(ld, vals[IKE_USERS]);
	if (rc == 0)
		rc = cfgi_load_list(ld, vals[IKE_PEERS], "peers", CFG_IKE_PEERS_MAX, "peers",
				    sizeof(struct cfg_ike_peer), (void **)&cfg->ike_peers,
				    &cfg->n_ike_peers, load_peer);
	if (rc == 0)
		rc = load_redirect(ld, vals[IKE_REDIRECT]);
	if (rc == 0)
		rc = check_vtis(ld, tunnels);
	if (rc == 0)
		rc = cfgi_cmap_keyed(ld);
	return rc;
}
