/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config_cryptomap.c - ipsec.crypto_maps: policy-based IPsec, Cisco-style crypto maps.
 *
 * A crypto map is bound to one physical interface and holds ordered entries, each an ACL line
 * (src and dst prefixes of one family, a protocol, port ranges) and an action (RFC 4301 4.4.1):
 * protect (through a manual SA pair), bypass or discard. The entries are written as the packet
 * leaving the interface carries them; the data plane derives the inbound policy by mirroring
 * them (src and dst, and the ports, swapped). Traffic no entry matches passes in clear, as on
 * IOS. Entries are stored sorted by seq, lower first, the order in which they match.
 *
 * The section is read after the tunnels (an SA serves either one tunnel or crypto map entries,
 * never both) and before the routes. Because ipsec's own keys are walked by config_ipsec.c,
 * cfgi_ipsec_split() hands it the ipsec mapping without the crypto_maps pair.
 *
 * Invariants: an SA named by a crypto map has its local address on the map's interface; an
 * inbound SA runs between the endpoints of its entry's outbound SA, in the same mode; a
 * transport-mode entry (RFC 4303 3.1.1) selects exactly the traffic between its SAs' endpoints,
 * the only packets whose own IP header ESP can keep; an SA is named by one entry at most; an
 * interface has at most one map. Called on the main lcore during cfg_load_*(); no global state;
 * the first error is the only one written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf/config.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

#define CMAPS_KEY "crypto_maps"
#define SEQ_MAX	  65535
#define PORT_MAX  65535
/* "in ipsec.crypto_maps[N]", then ".entries[N]", then ".match" */
#define WHERE_MAP   40
#define WHERE_ENTRY (WHERE_MAP + 24)
#define WHERE_MATCH (WHERE_ENTRY + 8)

/* ---- splitting crypto_maps off the ipsec mapping ---- */

/* The key node of the one crypto_maps pair of map, NULL when there is none; -EINVAL on two. */
static int find_cmaps(struct ld *ld, const struct node *map, const struct node **found)
{
	*found = NULL;
	for (const struct node *k = map->first; k != NULL; k = k->next->next) {
		if (k->kind != NODE_SCALAR || strcmp(k->str, CMAPS_KEY) != 0)
			continue;
		if (*found != NULL)
			return cfgi_fail(ld, k, -EINVAL, "duplicate key '%s' in ipsec", CMAPS_KEY);
		*found = k;
	}
	return 0;
}

/* The copy shares every node below the pairs with the tree; only the pairs are relinked. */
int cfgi_ipsec_split(struct ld *ld, const struct node *map, const struct node **rest,
		     const struct node **cmaps, struct node **copy)
{
	const struct node *found;
	struct node *c, *prev = NULL;
	unsigned int k = 1;
	int rc;

	*rest = map;
	*cmaps = NULL;
	*copy = NULL;
	if (map == NULL || map->kind != NODE_MAP)
		return 0;
	rc = find_cmaps(ld, map, &found);
	if (rc < 0 || found == NULL)
		return rc;
	c = calloc(map->n - 1, sizeof(*c));
	if (c == NULL)
		return cfgi_fail(ld, map, -ENOMEM, "out of memory");
	c[0] = *map;
	c[0].n = map->n - 2;
	c[0].first = c[0].last = c[0].next = NULL;
	for (const struct node *p = map->first; p != NULL; p = p->next->next) {
		if (p == found)
			continue;
		c[k] = *p;
		c[k + 1] = *p->next;
		c[k].next = &c[k + 1];
		c[k + 1].next = NULL;
		if (prev == NULL)
			c[0].first = &c[k];
		else
			prev->next = &c[k];
		prev = &c[k + 1];
		k += 2;
	}
	c[0].last = prev;
	*rest = c;
	*cmaps = found->next;
	*copy = c;
	return 0;
}

/* ---- values ---- */

/* A prefix "a.b.c.d/len" or "x::y/len" whose host bits are zero (0.0.0.0/0 and ::/0: any). */
static int get_net(struct ld *ld, const struct node *v, const char *key, struct cfg_addr *a)
{
	char buf[SHOW_MAX], sa[INET6_ADDRSTRLEN], sn[INET6_ADDRSTRLEN];
	struct cfg_addr net;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (strchr(v->str, '/') == NULL || cfg_addr_parse(v->str, true, a) < 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' '%s' is not a prefix (address/length)", key,
				 cfgi_show(v, buf, sizeof(buf)));
	net = *a;
	for (unsigned int i = 0; i < sizeof(net.bytes); i++) {
		unsigned int bits = a->plen > i * 8 ? a->plen - i * 8 : 0;

		if (bits < 8)
			net.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
	if (!cfgi_addr_same(&net, a))
		return cfgi_fail(ld, v, -EINVAL, "host bits are set in %s/%u; the prefix is %s/%u",
				 cfg_addr_str(a, sa, sizeof(sa)), a->plen,
				 cfg_addr_str(&net, sn, sizeof(sn)), net.plen);
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"icmpv6", 58}, {"sctp", 132},
};

/* "any", a name of the table above, or a protocol number 0..255 (IANA). */
static int get_proto(struct ld *ld, const struct node *v, const char *key, struct cfg_cmap_entry *e)
{
	unsigned long x;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	e->proto_any = strcmp(v->str, "any") == 0;
	if (e->proto_any)
		return 0;
	for (unsigned int i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strcmp(v->str, protos[i].name) == 0) {
			e->proto = protos[i].proto;
			return 0;
		}
	}
	if (v->str[0] < '0' || v->str[0] > '9')
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be any, tcp, udp, sctp, icmp, icmpv6, gre or a "
				 "protocol number 0..255",
				 key);
	rc = cfgi_get_uint(ld, v, key, 0, 255, &x);
	e->proto = (uint8_t)x;
	return rc;
}

/* Decimal digits without a leading zero, at most PORT_MAX; false otherwise. */
static bool port_num(const char *s, size_t n, uint16_t *out)
{
	unsigned long x = 0;

	if (n == 0 || n > 5 || strspn(s, "0123456789") < n || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (unsigned long)(s[i] - '0');
	*out = (uint16_t)x;
	return x <= PORT_MAX;
}

/* A port "N" or a range "N-M" with N <= M, plain or quoted. */
static int get_ports(struct ld *ld, const struct node *v, const char *key, uint16_t *lo,
		     uint16_t *hi)
{
	char buf[SHOW_MAX];
	size_t dash;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	dash = strcspn(v->str, "-");
	if (!port_num(v->str, dash, lo) ||
	    (dash < v->len && !port_num(v->str + dash + 1, v->len - dash - 1, hi)))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' must be a port 0..65535 or a range N-M of them", key,
				 cfgi_show(v, buf, sizeof(buf)));
	if (dash == v->len)
		*hi = *lo;
	if (*lo > *hi)
		return cfgi_fail(ld, v, -EINVAL, "'%s' range %u-%u runs backwards", key, *lo, *hi);
	return 0;
}

/* ---- match: the selector ---- */

enum { M_SRC, M_DST, M_PROTO, M_SPORT, M_DPORT, M_N };

static int set_m_src(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_net(ld, v, r->key, &((struct cfg_cmap_entry *)obj)->src);
}

static int set_m_dst(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_net(ld, v, r->key, &((struct cfg_cmap_entry *)obj)->dst);
}

static int set_m_proto(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return get_proto(ld, v, r->key, obj);
}

static int set_m_sport(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_cmap_entry *e = obj;

	return get_ports(ld, v, r->key, &e->sport_lo, &e->sport_hi);
}

static int set_m_dport(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_cmap_entry *e = obj;

	return get_ports(ld, v, r->key, &e->dport_lo, &e->dport_hi);
}

static const struct rule m_rules[M_N] = {
	[M_SRC] = {"src", set_m_src, 0, 0, 0, true},
	[M_DST] = {"dst", set_m_dst, 0, 0, 0, true},
	[M_PROTO] = {"proto", set_m_proto, 0, 0, 0, false},
	[M_SPORT] = {"src_port", set_m_sport, 0, 0, 0, false},
	[M_DPORT] = {"dst_port", set_m_dport, 0, 0, 0, false},
};

/* Ports exist for TCP, UDP and SCTP only; ICMP and ICMPv6 each belong to one family. */
static int check_match(struct ld *ld, const struct cfg_cmap_entry *e, const struct node **vals)
{
	bool ports = !e->proto_any && (e->proto == 6 || e->proto == 17 || e->proto == 132);
	char sa[INET6_ADDRSTRLEN];

	if (e->src.family != e->dst.family)
		return cfgi_fail(ld, vals[M_DST], -EINVAL,
				 "'dst' %s/%u is not of the address family of 'src'",
				 cfg_addr_str(&e->dst, sa, sizeof(sa)), e->dst.plen);
	for (unsigned int k = M_SPORT; k <= M_DPORT; k++) {
		if (vals[k] != NULL && !ports)
			return cfgi_fail(ld, vals[k], -EINVAL,
					 "'%s' needs 'proto' tcp, udp or sctp", m_rules[k].key);
	}
	if (!e->proto_any && e->proto == 1 && e->src.family == AF_INET6)
		return cfgi_fail(ld, vals[M_PROTO], -EINVAL,
				 "'proto' icmp is IPv4's; IPv6 selectors take icmpv6");
	if (!e->proto_any && e->proto == 58 && e->src.family == AF_INET)
		return cfgi_fail(ld, vals[M_PROTO], -EINVAL,
				 "'proto' icmpv6 is IPv6's; IPv4 selectors take icmp");
	return 0;
}

static int load_match(struct ld *ld, const struct node *map, const char *where,
		      struct cfg_cmap_entry *e)
{
	const struct node *vals[M_N] = {NULL};
	char in[WHERE_MATCH];
	int rc;

	e->proto_any = true;
	e->sport_hi = e->dport_hi = PORT_MAX;
	snprintf(in, sizeof(in), "%s.match", where);
	rc = cfgi_walk_map(ld, map, in, m_rules, M_N, e, vals);
	return rc < 0 ? rc : check_match(ld, e, vals);
}

/* ---- SAs ---- */

static int sa_index(const struct config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_sas; i++) {
		if (strcmp(cfg->sas[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* The tunnel an SA is bound to, or NULL. */
static const struct cfg_tunnel *sa_tunnel(const struct config *cfg, int sa)
{
	for (unsigned int i = 0; i < cfg->n_tunnels; i++) {
		const struct cfg_tunnel *t = &cfg->tunnels[i];

		if (t->sa_out == sa)
			return t;
		for (unsigned int j = 0; j < t->n_sa_in; j++) {
			if (t->sa_in[j] == sa)
				return t;
		}
	}
	return NULL;
}

static bool entry_uses(const struct cfg_cmap_entry *e, int sa)
{
	for (unsigned int j = 0; j < e->n_sa_in; j++) {
		if (e->sa_in[j] == sa)
			return true;
	}
	return e->sa_out == sa;
}

/* What the setters of an entry see: the entry and the map whose entries [0, idx) are loaded. */
struct entry_ctx {
	struct cfg_crypto_map *cm;
	unsigned int map_idx;
	unsigned int idx;
	struct cfg_cmap_entry *e;
};

/* The entry already naming SA sa (this entry's own lists included), or NULL; *map its map. */
static const struct cfg_cmap_entry *sa_entry(const struct config *cfg, const struct entry_ctx *x,
					     int sa, const struct cfg_crypto_map **map)
{
	for (unsigned int m = 0; m <= x->map_idx; m++) {
		const struct cfg_crypto_map *cm = &cfg->cmaps[m];
		unsigned int n = m < x->map_idx ? cm->n_entries : x->idx;

		*map = cm;
		for (unsigned int i = 0; i < n; i++) {
			if (entry_uses(&cm->entries[i], sa))
				return &cm->entries[i];
		}
	}
	*map = x->cm;
	return entry_uses(x->e, sa) ? x->e : NULL;
}

/* SA sa may join this entry: not a tunnel's, not another entry's, not listed twice here. */
static int sa_free_for(struct ld *ld, const struct entry_ctx *x, const struct node *v,
		       const char *key, int sa)
{
	const struct cfg_sa *s = &ld->cfg->sas[sa];
	const struct cfg_tunnel *t = sa_tunnel(ld->cfg, sa);
	const struct cfg_crypto_map *cm;
	const struct cfg_cmap_entry *e = sa_entry(ld->cfg, x, sa, &cm);

	if (t != NULL)
		return cfgi_fail(ld, v, -EEXIST, "SA %s is already bound to tunnel %s", s->name,
				 t->name);
	if (e == x->e)
		return cfgi_fail(ld, v, -EEXIST, "'%s' lists SA %s twice", key, s->name);
	if (e != NULL)
		return cfgi_fail(ld, v, -EEXIST,
				 "SA %s is already used by crypto map %s entry seq %u", s->name,
				 cm->name, e->seq);
	return 0;
}

/* An SA of direction dir whose local address is on the map's interface. */
static int sa_named(struct ld *ld, const struct entry_ctx *x, const struct node *v, const char *key,
		    uint8_t dir, int *out)
{
	const struct config *cfg = ld->cfg;
	const struct cfg_iface *ifc = &cfg->ifaces[x->cm->iface];
	char buf[SHOW_MAX], a[INET6_ADDRSTRLEN];
	const struct cfg_sa *s;
	int i, rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	i = sa_index(cfg, v->str);
	if (i < 0)
		return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown SA '%s'", key,
				 cfgi_show(v, buf, sizeof(buf)));
	s = &cfg->sas[i];
	if (s->dir != dir)
		return cfgi_fail(ld, v, -EINVAL, "'%s' SA %s has direction %s, not %s", key,
				 s->name, s->dir == CFG_SA_IN ? "in" : "out",
				 dir == CFG_SA_IN ? "in" : "out");
	if (cfgi_iface_with(cfg, &s->local) != x->cm->iface)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' SA %s has local %s, not an address of interface %s", key,
				 s->name, cfg_addr_str(&s->local, a, sizeof(a)), ifc->name);
	rc = sa_free_for(ld, x, v, key, i);
	if (rc == 0)
		*out = i;
	return rc;
}

static const char *mode_name(uint8_t mode)
{
	return mode == CFG_SA_TRANSPORT ? "transport" : "tunnel";
}

/* a is the host prefix of host: the same address, /32 or /128. */
static bool is_host(const struct cfg_addr *a, const struct cfg_addr *host)
{
	return a->plen == (host->family == AF_INET ? 32 : 128) && cfgi_addr_same(a, host);
}

/*
 * Transport mode (RFC 4303 3.1.1) puts ESP behind the packet's own IP header, so its SA carries
 * only packets between the SA's endpoints: a transport entry must select exactly those.
 */
static int check_transport(struct ld *ld, const struct cfg_cmap_entry *e, const struct node *v)
{
	const struct cfg_sa *s = &ld->cfg->sas[e->sa_out];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned int host = s->local.family == AF_INET ? 32 : 128;

	if (s->mode != CFG_SA_TRANSPORT ||
	    (is_host(&e->src, &s->local) && is_host(&e->dst, &s->remote)))
		return 0;
	return cfgi_fail(ld, v, -EINVAL,
			 "'sa_out' SA %s is in transport mode, which carries only traffic between "
			 "its endpoints: 'match' must be src %s/%u, dst %s/%u",
			 s->name, cfg_addr_str(&s->local, a, sizeof(a)), host,
			 cfg_addr_str(&s->remote, b, sizeof(b)), host);
}

/* An inbound SA of a protect entry comes from the peer its outbound SA goes to. */
static int bind_in(struct ld *ld, struct entry_ctx *x, const struct node *v, const char *key)
{
	struct cfg_cmap_entry *e = x->e;
	const struct cfg_sa *out = &ld->cfg->sas[e->sa_out], *in;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int i, rc;

	if (e->n_sa_in == CFG_CMAP_SA_IN_MAX)
		return cfgi_fail(ld, v, -E2BIG, "'%s' lists more than %u SAs", key,
				 CFG_CMAP_SA_IN_MAX);
	rc = sa_named(ld, x, v, key, CFG_SA_IN, &i);
	if (rc < 0)
		return rc;
	in = &ld->cfg->sas[i];
	if (in->mode != out->mode)
		return cfgi_fail(ld, v, -EINVAL, "'%s' SA %s is in %s mode, sa_out %s in %s mode",
				 key, in->name, mode_name(in->mode), out->name,
				 mode_name(out->mode));
	if (!cfgi_addr_same(&in->local, &out->local) || !cfgi_addr_same(&in->remote, &out->remote))
		return cfgi_fail(
			ld, v, -EINVAL,
			"'%s' SA %s runs between %s and %s, not the endpoints of sa_out %s", key,
			in->name, cfg_addr_str(&in->local, a, sizeof(a)),
			cfg_addr_str(&in->remote, b, sizeof(b)), out->name);
	e->sa_in[e->n_sa_in++] = i;
	return 0;
}

/* One name or a sequence of up to CFG_CMAP_SA_IN_MAX: more than one overlap during a rekey. */
static int bind_sa_in(struct ld *ld, struct entry_ctx *x, const struct node *v)
{
	int rc;

	if (v->kind == NODE_SCALAR)
		return bind_in(ld, x, v, "sa_in");
	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL,
				 "'sa_in' must be an SA name or a sequence of them, not %s",
				 cfgi_describe(v));
	if (v->n == 0)
		return cfgi_fail(ld, v, -EINVAL, "'sa_in' needs at least one SA");
	for (const struct node *s = v->first; s != NULL; s = s->next) {
		rc = bind_in(ld, x, s, "sa_in");
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- one entry ---- */

enum { E_SEQ, E_ACTION, E_MATCH, E_SA_OUT, E_SA_IN, E_N };

static int set_e_seq(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct entry_ctx *x = obj;
	unsigned long seq;
	int rc = cfgi_get_uint(ld, v, r->key, 1, SEQ_MAX, &seq);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < x->idx; i++) {
		if (x->cm->entries[i].seq == seq)
			return cfgi_fail(
				ld, v, -EEXIST,
				"seq %lu is used twice in crypto map %s (first at line %u)", seq,
				x->cm->name, x->cm->entries[i].line);
	}
	x->e->seq = (unsigned int)seq;
	return 0;
}

static int set_e_action(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	static const char *const names[] = {
		[CFG_CMAP_PROTECT] = "protect",
		[CFG_CMAP_BYPASS] = "bypass",
		[CFG_CMAP_DISCARD] = "discard",
	};
	struct entry_ctx *x = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v->str, names[i]) == 0) {
			x->e->action = (uint8_t)i;
			return 0;
		}
	}
	return cfgi_fail(ld, v, -EINVAL, "'%s' must be protect, bypass or discard", r->key);
}

static const struct rule e_rules[E_N] = {
	[E_SEQ] = {"seq", set_e_seq, 0, 0, 0, true},
	[E_ACTION] = {"action", set_e_action, 0, 0, 0, true},
	[E_MATCH] = {"match", cfgi_keep, 0, 0, 0, true},
	[E_SA_OUT] = {"sa_out", cfgi_keep, 0, 0, 0, false},
	[E_SA_IN] = {"sa_in", cfgi_keep, 0, 0, 0, false},
};

/*
 * protect takes both SA keys (manual keys) or neither (an IKE child keys the entry: checked by
 * cfgi_cmap_keyed once the ike section is loaded); bypass and discard take neither.
 */
static int load_entry_sas(struct ld *ld, const struct node *map, const char *where,
			  struct entry_ctx *x, const struct node **vals)
{
	int rc;

	if (x->e->action != CFG_CMAP_PROTECT) {
		for (unsigned int k = E_SA_OUT; k <= E_SA_IN; k++) {
			if (vals[k] != NULL)
				return cfgi_fail(ld, vals[k], -EINVAL,
						 "'%s' applies to protect entries only",
						 e_rules[k].key);
		}
		return 0;
	}
	if (vals[E_SA_OUT] == NULL && vals[E_SA_IN] == NULL)
		return 0;
	for (unsigned int k = E_SA_OUT; k <= E_SA_IN; k++) {
		if (vals[k] == NULL)
			return cfgi_fail(ld, map, -EINVAL,
					 "missing required key '%s' for action protect %s (or "
					 "neither sa_out nor sa_in: an IKE child keys the entry)",
					 e_rules[k].key, where);
	}
	rc = sa_named(ld, x, vals[E_SA_OUT], "sa_out", CFG_SA_OUT, &x->e->sa_out);
	if (rc == 0)
		rc = check_transport(ld, x->e, vals[E_SA_OUT]);
	return rc < 0 ? rc : bind_sa_in(ld, x, vals[E_SA_IN]);
}

static int load_entry(struct ld *ld, const struct node *map, struct entry_ctx *x,
		      const char *map_where)
{
	const struct node *vals[E_N] = {NULL};
	char where[WHERE_ENTRY];
	int rc;

	x->e->sa_out = -1;
	for (unsigned int j = 0; j < CFG_CMAP_SA_IN_MAX; j++)
		x->e->sa_in[j] = -1;
	x->e->ike_peer = x->e->ike_child = -1;
	x->e->line = map->line;
	x->e->col = map->col;
	snprintf(where, sizeof(where), "%s.entries[%u]", map_where, x->idx);
	rc = cfgi_walk_map(ld, map, where, e_rules, E_N, x, vals);
	if (rc == 0)
		rc = load_match(ld, vals[E_MATCH], where, x->e);
	return rc < 0 ? rc : load_entry_sas(ld, map, where, x, vals);
}

static int seq_cmp(const void *a, const void *b)
{
	const struct cfg_cmap_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An empty list is a map that matches nothing: everything passes in clear. */
static int load_entries(struct ld *ld, const struct node *seq, unsigned int map_idx,
			const char *where)
{
	struct entry_ctx x = {.cm = &ld->cfg->cmaps[map_idx], .map_idx = map_idx};
	int rc = cfgi_want_seq(ld, seq, "entries", CFG_CMAP_ENTRIES_MAX, "crypto map entries");

	if (rc < 0 || seq->n == 0)
		return rc;
	x.cm->entries = calloc(seq->n, sizeof(*x.cm->entries));
	if (x.cm->entries == NULL)
		return cfgi_fail(ld, seq, -ENOMEM, "out of memory for %u entries", seq->n);
	for (const struct node *m = seq->first; m != NULL; m = m->next, x.idx++) {
		x.e = &x.cm->entries[x.idx];
		rc = load_entry(ld, m, &x, where);
		if (rc < 0)
			return rc;
		x.cm->n_entries = x.idx + 1;
	}
	qsort(x.cm->entries, x.cm->n_entries, sizeof(*x.cm->entries), seq_cmp);
	return 0;
}

/* ---- one crypto map ---- */

enum { CM_NAME, CM_IFACE, CM_ENTRIES, CM_N };

/* Map names are telemetry values and CLI words: the interface name rules. */
static int set_cm_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_crypto_map *cm = obj;
	const struct config *cfg = ld->cfg;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len >= CFG_NAME_MAX || !cfgi_name_ok(v->str, v->len, NAME_FIRST, NAME_REST))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a letter then up to %u of [A-Za-z0-9_/]", r->key,
				 CFG_NAME_MAX - 2);
	for (const struct cfg_crypto_map *o = cfg->cmaps; o < cm; o++) {
		if (strcmp(o->name, v->str) == 0)
			return cfgi_fail(ld, v, -EEXIST, "crypto map name %s is used twice",
					 v->str);
	}
	memcpy(cm->name, v->str, v->len + 1);
	return 0;
}

/* A physical interface without a crypto map yet (IOS: one map per interface). */
static int set_cm_iface(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_crypto_map *cm = obj;
	const struct config *cfg = ld->cfg;
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	cm->iface = cfg_iface_find(cfg, v->str);
	if (cm->iface < 0 && cfg_tunnel_find(cfg, v->str) >= 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' %s is a tunnel; a crypto map binds to a physical interface",
				 r->key, v->str);
	if (cm->iface < 0)
		return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown interface '%s'", r->key,
				 cfgi_show(v, buf, sizeof(buf)));
	for (const struct cfg_crypto_map *o = cfg->cmaps; o < cm; o++) {
		if (o->iface == cm->iface)
			return cfgi_fail(ld, v, -EEXIST, "interface %s already has crypto map %s",
					 v->str, o->name);
	}
	return 0;
}

static const struct rule cm_rules[CM_N] = {
	[CM_NAME] = {"name", set_cm_name, 0, 0, 0, true},
	[CM_IFACE] = {"interface", set_cm_iface, 0, 0, 0, true},
	[CM_ENTRIES] = {"entries", cfgi_keep, 0, 0, 0, true},
};

static int load_cmap(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[CM_N] = {NULL};
	struct cfg_crypto_map *cm = &ld->cfg->cmaps[idx];
	char where[WHERE_MAP];
	int rc;

	cm->iface = -1;
	cm->line = map->line;
	snprintf(where, sizeof(where), "in ipsec.crypto_maps[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, cm_rules, CM_N, cm, vals);
	return rc < 0 ? rc : load_entries(ld, vals[CM_ENTRIES], idx, where);
}

/* n_cmaps counts a map as soon as it starts, so that cfg_free frees its entries on failure. */
int cfgi_load_crypto_maps(struct ld *ld, const struct node *seq)
{
	unsigned int i = 0;
	int rc;

	if (seq == NULL)
		return 0;
	rc = cfgi_want_seq(ld, seq, CMAPS_KEY, CFG_IFACES_MAX, "crypto maps (one per interface)");
	if (rc < 0 || seq->n == 0)
		return rc;
	ld->cfg->cmaps = calloc(seq->n, sizeof(*ld->cfg->cmaps));
	if (ld->cfg->cmaps == NULL)
		return cfgi_fail(ld, seq, -ENOMEM, "out of memory for %u crypto maps", seq->n);
	for (const struct node *m = seq->first; m != NULL; m = m->next, i++) {
		ld->cfg->n_cmaps = i + 1;
		rc = load_cmap(ld, m, i);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- entries keyed by IKE ---- */

static void ts_of(const struct cfg_addr *a, const struct cfg_cmap_entry *e, uint16_t lo,
		  uint16_t hi, struct cfg_ike_ts *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->prefix = *a;
	ts->proto = e->proto_any ? 0 : e->proto;
	ts->port_lo = lo;
	ts->port_hi = hi;
}

/* The peer's local address is one of the map's interface: the entry's ESP leaves there. */
static bool on_iface(const struct cfg_iface *ifc, const struct cfg_addr *a)
{
	const struct cfg_addr *l = a->family == AF_INET ? ifc->v4 : ifc->v6;
	unsigned int n = a->family == AF_INET ? ifc->n_v4 : ifc->n_v6;

	for (unsigned int i = 0; i < n; i++) {
		if (memcmp(l[i].bytes, a->bytes, sizeof(a->bytes)) == 0)
			return true;
	}
	return false;
}

static int keyed_check(struct ld *ld, const struct cfg_crypto_map *cm,
		       const struct cfg_cmap_entry *e, const struct cfg_ike_peer *p,
		       const struct cfg_ike_child *ch, const struct node *v)
{
	const struct config *cfg = ld->cfg;
	char a[INET6_ADDRSTRLEN];

	if (e->action != CFG_CMAP_PROTECT || e->sa_out >= 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "entry seq %u of crypto map %s is not a protect entry without "
				 "sa_out/sa_in",
				 e->seq, cm->name);
	if (e->ike_peer >= 0)
		return cfgi_fail(ld, v, -EEXIST,
				 "entry seq %u of crypto map %s is keyed by child "
				 "%s of peer %s already",
				 e->seq, cm->name,
				 cfg->ike_peers[e->ike_peer].children[e->ike_child].name,
				 cfg->ike_peers[e->ike_peer].name);
	if (ch->tunnel >= 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "a child keying a crypto map entry has no 'tunnel'");
	if (p->remote.family == 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "peer %s has no remote address: the hub could not start the "
				 "exchange a crypto map entry asks for",
				 p->name);
	if (!on_iface(&cfg->ifaces[cm->iface], &p->local))
		return cfgi_fail(ld, v, -EINVAL,
				 "peer %s's local address %s is not on %s, the "
				 "interface of crypto map %s",
				 p->name, cfg_addr_str(&p->local, a, sizeof(a)),
				 cfg->ifaces[cm->iface].name, cm->name);
	if (ch->mode == CFG_SA_TRANSPORT &&
	    !(is_host(&e->src, &p->local) && is_host(&e->dst, &p->remote)))
		return cfgi_fail(ld, v, -EINVAL,
				 "a transport-mode child carries only traffic between the peer's "
				 "addresses: the entry must match exactly them");
	return 0;
}

int cfgi_cmap_child(struct ld *ld, unsigned int peer, unsigned int child, const struct node *map_v,
		    const struct node *seq_v, bool ts_given)
{
	struct config *cfg = ld->cfg;
	struct cfg_ike_peer *p = &cfg->ike_peers[peer];
	struct cfg_ike_child *ch = &p->children[child];
	const struct node *v = map_v != NULL ? map_v : seq_v;
	char buf[64];
	unsigned long seq;
	int m, rc;

	if (map_v == NULL || seq_v == NULL)
		return cfgi_fail(ld, v, -EINVAL, "'crypto_map' and 'seq' go together");
	if (ts_given)
		return cfgi_fail(ld, v, -EINVAL,
				 "a child keying a crypto map entry takes its selectors from the "
				 "entry's match: no local_ts or remote_ts");
	rc = cfgi_want_scalar(ld, map_v, "crypto_map");
	for (m = 0; rc == 0 && m < (int)cfg->n_cmaps; m++) {
		if (strcmp(cfg->cmaps[m].name, map_v->str) == 0)
			break;
	}
	if (rc == 0 && m == (int)cfg->n_cmaps)
		return cfgi_fail(ld, map_v, -ENOENT, "'crypto_map' names unknown crypto map '%s'",
				 cfgi_show(map_v, buf, sizeof(buf)));
	if (rc == 0)
		rc = cfgi_get_uint(ld, seq_v, "seq", 1, SEQ_MAX, &seq);
	if (rc < 0)
		return rc;
	struct cfg_crypto_map *cm = &cfg->cmaps[m];
	unsigned int i;
	for (i = 0; i < cm->n_entries && cm->entries[i].seq != seq; i++)
		;
	if (i == cm->n_entries)
		return cfgi_fail(ld, seq_v, -ENOENT, "crypto map %s has no entry seq %lu", cm->name,
				 seq);
	struct cfg_cmap_entry *e = &cm->entries[i];
	rc = keyed_check(ld, cm, e, p, ch, seq_v);
	if (rc < 0)
		return rc;
	e->ike_peer = (int)peer;
	e->ike_child = (int)child;
	ch->cmap = m;
	ch->cmap_entry = (int)i;
	ts_of(&e->src, e, e->sport_lo, e->sport_hi, &ch->local_ts[0]);
	ch->n_local_ts = 1;
	ts_of(&e->dst, e, e->dport_lo, e->dport_hi, &ch->remote_ts[0]);
	ch->n_remote_ts = 1;
	return 0;
}

int cfgi_cmap_keyed(struct ld *ld)
{
	const struct config *cfg = ld->cfg;

	for (unsigned int m = 0; m < cfg->n_cmaps; m++) {
		const struct cfg_crypto_map *cm = &cfg->cmaps[m];

		for (unsigned int i = 0; i < cm->n_entries; i++) {
			const struct cfg_cmap_entry *e = &cm->entries[i];

			if (e->action == CFG_CMAP_PROTECT && e->sa_out < 0 && e->ike_peer < 0)
				return cfgi_fail_at(ld, e->line, e->col, -EINVAL,
						    "protect entry seq %u of crypto map %s has no "
						    "SAs: give it sa_out and sa_in, or name it in "
						    "the 'crypto_map' and 'seq' of an IKE child",
						    e->seq, cm->name);
		}
	}
	return 0;
}
