/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf/config.c - the YAML loader: text in, a validated struct config or "file:line:col: why" out.
 *
 * Stage 2 of two. Stage 1 (yaml_tree.c) turns the text into a tree of positioned nodes, already
 * stripped of anchors, aliases and tags and bounded in size, or into one positioned error that
 * this file prefixes with the file name. Here the tree is walked with one {key, setter} table per
 * section into typed values, and the checks that span keys and sections run. This file holds
 * the shared machinery (config_int.h) and the system, interfaces and routes sections;
 * config_ipsec.c holds ipsec and tunnels, config_cryptomap.c ipsec.crypto_maps, config_ike.c
 * (with config_ike_prop.c) ike.
 *
 * Sections are applied in a fixed order - system, interfaces, ipsec (its SAs), tunnels,
 * ipsec.crypto_maps, ike, routes - whatever their order in the file, so every check that joins
 * two sections (queues against workers, an SA's local address against the interfaces, a crypto
 * map's SAs against the tunnels', an IKE child's VTI against the tunnels, a route's gateway
 * against the connected subnets) runs on complete data. Inside a section, errors are reported in
 * file order.
 *
 * Invariants: the first error is the only one written; on error *out stays NULL and everything
 * allocated is freed, keys wiped first; the tree lives until the end of the load so any node can
 * be pointed at. Called once at startup on the main lcore; keeps no global state, so tests may
 * call it freely.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "conf/config.h"
#include "conf/config_int.h"
#include "conf/yaml_tree.h"

#define CORE_MAX 1023

/* ---- errors ---- */

static int vfail(struct ld *ld, unsigned int line, unsigned int col, int rc, const char *fmt,
		 va_list ap) __attribute__((format(printf, 5, 0)));

static int vfail(struct ld *ld, unsigned int line, unsigned int col, int rc, const char *fmt,
		 va_list ap)
{
	int n;

	if (ld->failed || ld->err == NULL || ld->errlen == 0) {
		ld->failed = true;
		return rc;
	}
	ld->failed = true;
	n = snprintf(ld->err, ld->errlen, "%s:%u:%u: ", ld->file, line, col);
	if (n >= 0 && (size_t)n < ld->errlen)
		vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
	return rc;
}

int cfgi_fail_at(struct ld *ld, unsigned int line, unsigned int col, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(ld, line, col, rc, fmt, ap);
	va_end(ap);
	return rc;
}

int cfgi_fail(struct ld *ld, const struct node *n, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = vfail(ld, n->line, n->col, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* Untrusted text goes back to the operator printable and short. */
const char *cfgi_show(const struct node *n, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < n->len && i < SHOW_MAX - 4; i++) {
		char c = n->str[i];

		buf[i] = c >= 0x20 && c < 0x7f && c != '\'' ? c : '?';
	}
	if (i < n->len && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

const char *cfgi_describe(const struct node *n)
{
	if (n->kind == NODE_SEQ)
		return "a sequence";
	if (n->kind == NODE_MAP)
		return "a mapping";
	return n->len == 0 && n->plain ? "an empty value" : "a scalar";
}

/* ---- typed values ---- */

static bool is_null(const struct node *v)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

	if (v->kind != NODE_SCALAR || !v->plain)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strcmp(v->str, nulls[i]) == 0)
			return true;
	}
	return false;
}

int cfgi_want_scalar(struct ld *ld, const struct node *v, const char *key)
{
	if (v->kind != NODE_SCALAR)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be a scalar, not %s", key,
				 cfgi_describe(v));
	if (is_null(v))
		return cfgi_fail(ld, v, -EINVAL, "'%s' has no value", key);
	return 0;
}

/* Plain decimal only: YAML 1.1 reads 010 as octal and 0x10 as hex, we read neither. */
int cfgi_get_uint(struct ld *ld, const struct node *v, const char *key, unsigned long min,
		  unsigned long max, unsigned long *out)
{
	unsigned long x = 0;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (!v->plain)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be an integer, not a quoted string",
				 key);
	if (strspn(v->str, "0123456789") != v->len)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be a decimal integer in %lu..%lu", key,
				 min, max);
	if (v->len > 1 && v->str[0] == '0')
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be written without leading zeros", key);
	for (size_t i = 0; i < v->len && x <= max; i++)
		x = x * 10 + (unsigned long)(v->str[i] - '0');
	if (x < min || x > max)
		return cfgi_fail(ld, v, -ERANGE, "'%s' is out of range %lu..%lu", key, min, max);
	*out = x;
	return 0;
}

static bool digits_value(const char *s, size_t n, unsigned int base, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t d = (uint64_t)cfgi_hex_digit(s[i]);

		if (x > (max - d) / base)
			return false;
		x = x * base + d;
	}
	*out = x;
	return true;
}

/* Hex is opt-in per key (SPIs are written in hex by every tool that prints them). */
int cfgi_get_u64(struct ld *ld, const struct node *v, const char *key, uint64_t min, uint64_t max,
		 bool hex, uint64_t *out)
{
	const char *digits = v->str;
	size_t n = v->len;
	unsigned int base = 10;
	uint64_t x;
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (!v->plain)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be an integer, not a quoted string",
				 key);
	if (hex && n > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		digits += 2;
		n -= 2;
		base = 16;
	}
	if (strspn(digits, base == 16 ? HEX_DIGITS : "0123456789") != n)
		return cfgi_fail(ld, v, -EINVAL,
				 hex ? "'%s' must be a decimal or 0x-hex integer in %llu..%llu"
				     : "'%s' must be a decimal integer in %llu..%llu",
				 key, (unsigned long long)min, (unsigned long long)max);
	if (base == 10 && n > 1 && digits[0] == '0')
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be written without leading zeros", key);
	if (!digits_value(digits, n, base, max, &x) || x < min)
		return cfgi_fail(ld, v, -ERANGE,
				 hex ? "'%s' is out of range 0x%llx..0x%llx"
				     : "'%s' is out of range %llu..%llu",
				 key, (unsigned long long)min, (unsigned long long)max);
	*out = x;
	return 0;
}

int cfgi_get_bool(struct ld *ld, const struct node *v, const char *key, bool *out)
{
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (v->plain && strcmp(v->str, "true") == 0)
		*out = true;
	else if (v->plain && strcmp(v->str, "false") == 0)
		*out = false;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be true or false", key);
	return 0;
}

int cfgi_set_uint(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	unsigned long x;
	int rc = cfgi_get_uint(ld, v, r->key, r->min, r->max, &x);

	if (rc == 0)
		*(unsigned int *)((char *)obj + r->off) = (unsigned int)x;
	return rc;
}

int cfgi_set_bool(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return cfgi_get_bool(ld, v, r->key, (bool *)((char *)obj + r->off));
}

/* Sections are only remembered by cfgi_walk_map() and applied later in a fixed order. */
int cfgi_keep(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	(void)ld;
	(void)v;
	(void)obj;
	(void)r;
	return 0;
}

static const struct rule *rule_find(const struct rule *rules, unsigned int n, const char *key)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(rules[i].key, key) == 0)
			return &rules[i];
	}
	return NULL;
}

/*
 * Apply rules to the pairs of map in file order; vals[i] receives the value node of rules[i]
 * (NULL when absent) for checks that span keys. where reads "in system", "at top level"...
 */
int cfgi_walk_map(struct ld *ld, const struct node *map, const char *where,
		  const struct rule *rules, unsigned int n_rules, void *obj,
		  const struct node **vals)
{
	char buf[SHOW_MAX];
	int rc;

	if (map->kind != NODE_MAP)
		return cfgi_fail(ld, map, -EINVAL, "expected a mapping %s, not %s", where,
				 cfgi_describe(map));
	for (const struct node *k = map->first; k != NULL; k = k->next->next) {
		const struct rule *r;

		if (k->kind != NODE_SCALAR)
			return cfgi_fail(ld, k, -EINVAL, "keys must be scalars, not %s",
					 cfgi_describe(k));
		r = rule_find(rules, n_rules, k->str);
		if (r == NULL)
			return cfgi_fail(ld, k, -EINVAL, "unknown key '%s' %s",
					 cfgi_show(k, buf, sizeof(buf)), where);
		if (vals[r - rules] != NULL)
			return cfgi_fail(ld, k, -EINVAL, "duplicate key '%s' %s", r->key, where);
		vals[r - rules] = k->next;
		rc = r->set(ld, k->next, obj, r);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < n_rules; i++) {
		if (rules[i].required && vals[i] == NULL)
			return cfgi_fail(ld, map, -EINVAL, "missing required key '%s' %s",
					 rules[i].key, where);
	}
	return 0;
}

int cfgi_want_seq(struct ld *ld, const struct node *v, const char *key, unsigned int max,
		  const char *what)
{
	const struct node *m = v->first;

	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be a sequence, not %s", key,
				 cfgi_describe(v));
	if (v->n <= max)
		return 0;
	for (unsigned int i = 0; i < max; i++)
		m = m->next;
	return cfgi_fail(ld, m, -E2BIG, "more than %u %s", max, what);
}

bool cfgi_name_ok(const char *s, size_t len, const char *first, const char *rest)
{
	if (len == 0 || strchr(first, s[0]) == NULL)
		return false;
	return strspn(s + 1, rest) == len - 1;
}

/* ---- system ---- */

enum {
	SYS_NAME,
	SYS_CONTROL,
	SYS_WORKERS,
	SYS_MEMORY,
	SYS_HUGE,
	SYS_TELEMETRY,
	SYS_IDLE,
	SYS_LOG,
	SYS_MBUFS,
	SYS_N
};

static int set_sys_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_system *sys = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len >= CFG_NAME_MAX || !cfgi_name_ok(v->str, v->len, ALNUM "_-", ALNUM "_-"))
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be 1..%u characters of [A-Za-z0-9_-]",
				 r->key, CFG_NAME_MAX - 1);
	memcpy(sys->name, v->str, v->len + 1);
	return 0;
}

static int set_workers(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_system *sys = obj;
	unsigned long core;
	unsigned int i = 0;
	int rc;

	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be a sequence of lcore ids, not %s",
				 r->key, cfgi_describe(v));
	if (v->n == 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s' needs at least one lcore", r->key);
	for (const struct node *c = v->first; c != NULL; c = c->next, i++) {
		if (i == CFG_WORKERS_MAX)
			return cfgi_fail(ld, c, -E2BIG, "'%s' lists more than %u lcores", r->key,
					 CFG_WORKERS_MAX);
		rc = cfgi_get_uint(ld, c, r->key, 0, CORE_MAX, &core);
		if (rc < 0)
			return rc;
		for (unsigned int j = 0; j < i; j++) {
			if (sys->worker_cores[j] == core)
				return cfgi_fail(ld, c, -EINVAL,
						 "lcore %lu is listed twice in '%s'", core, r->key);
		}
		sys->worker_cores[i] = (unsigned int)core;
	}
	sys->n_workers = i;
	return 0;
}

static int set_hugepages(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_system *sys = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (strcmp(v->str, "auto") == 0)
		sys->hugepages = CFG_HUGE_AUTO;
	else if (strcmp(v->str, "true") == 0)
		sys->hugepages = CFG_HUGE_ON;
	else if (strcmp(v->str, "false") == 0)
		sys->hugepages = CFG_HUGE_OFF;
	else
		return cfgi_fail(ld, v, -EINVAL, "'%s' must be auto, true or false", r->key);
	return 0;
}

/* Index + 1 is the RTE_LOG_* value; the loader stays free of DPDK headers. */
static const char *const log_levels[] = {"emerg",   "alert",  "crit", "err",
					 "warning", "notice", "info", "debug"};

static int set_log_level(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_system *sys = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcmp(v->str, log_levels[i]) == 0) {
			sys->log_level = i + 1;
			return 0;
		}
	}
	return cfgi_fail(
		ld, v, -EINVAL,
		"'%s' must be one of emerg, alert, crit, err, warning, notice, info, debug",
		r->key);
}

static const struct rule sys_rules[SYS_N] = {
	[SYS_NAME] = {"name", set_sys_name, 0, 0, 0, false},
	[SYS_CONTROL] = {"control_core", cfgi_set_uint, offsetof(struct cfg_system, control_core),
			 0, CORE_MAX, false},
	[SYS_WORKERS] = {"worker_cores", set_workers, 0, 0, 0, false},
	[SYS_MEMORY] = {"memory_mb", cfgi_set_uint, offsetof(struct cfg_system, memory_mb), 64,
			65536, false},
	[SYS_HUGE] = {"hugepages", set_hugepages, 0, 0, 0, false},
	[SYS_TELEMETRY] = {"telemetry", cfgi_set_bool, offsetof(struct cfg_system, telemetry), 0, 0,
			   false},
	[SYS_IDLE] = {"idle_sleep_us", cfgi_set_uint, offsetof(struct cfg_system, idle_sleep_us), 0,
		      100000, false},
	[SYS_LOG] = {"log_level", set_log_level, 0, 0, 0, false},
	[SYS_MBUFS] = {"mbufs", cfgi_set_uint, offsetof(struct cfg_system, mbufs), 1023, 1048575,
		       false},
};

static void sys_defaults(struct cfg_system *sys)
{
	snprintf(sys->name, sizeof(sys->name), "vpnhub");
	sys->control_core = 0;
	sys->worker_cores[0] = 1;
	sys->n_workers = 1;
	sys->memory_mb = 512;
	sys->hugepages = CFG_HUGE_AUTO;
	sys->telemetry = true;
	sys->idle_sleep_us = 0;
	sys->log_level = 7; /* RTE_LOG_INFO */
	sys->mbufs = 16383;
}

static int load_system(struct ld *ld, const struct node *map)
{
	const struct node *vals[SYS_N] = {NULL};
	struct cfg_system *sys = &ld->cfg->sys;
	const struct node *c;
	int rc;

	sys_defaults(sys);
	if (map == NULL)
		return 0;
	rc = cfgi_walk_map(ld, map, "in system", sys_rules, SYS_N, sys, vals);
	if (rc < 0 || vals[SYS_WORKERS] == NULL)
		return rc;
	/* The control core runs the control plane; a worker polling the same lcore starves it. */
	c = vals[SYS_WORKERS]->first;
	for (unsigned int i = 0; i < sys->n_workers; i++, c = c->next) {
		if (sys->worker_cores[i] == sys->control_core)
			return cfgi_fail(ld, c, -EINVAL,
					 "lcore %u is the control_core, not a worker",
					 sys->control_core);
	}
	return 0;
}

/* ---- addresses ---- */

bool cfgi_addr_same(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

static struct cfg_addr addr_net(const struct cfg_addr *a)
{
	struct cfg_addr n = *a;

	for (unsigned int i = 0; i < sizeof(n.bytes); i++) {
		unsigned int bits = a->plen > i * 8 ? a->plen - i * 8 : 0;

		if (bits < 8)
			n.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
	return n;
}

/* Two prefixes overlap when the shorter one contains the other. */
static bool prefix_overlap(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return a->plen < b->plen ? cfg_addr_in_prefix(b, a) : cfg_addr_in_prefix(a, b);
}

/* The addresses of ifc in one family. */
const struct cfg_addr *cfgi_iface_addrs(const struct cfg_iface *ifc, int family, unsigned int *n)
{
	*n = family == AF_INET ? ifc->n_v4 : ifc->n_v6;
	return family == AF_INET ? ifc->v4 : ifc->v6;
}

bool cfgi_addr_multicast(const struct cfg_addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return a->bytes[0] == 0xff;
}

static const char *bad_v4_iface(const struct cfg_addr *a)
{
	uint32_t h = ntohl(a->v4.s_addr);
	uint32_t host = a->plen >= 32 ? 0 : 0xffffffffu >> a->plen;

	if (a->plen == 0)
		return "the prefix length must be 1..32";
	if (h >> 24 == 0)
		return "0.0.0.0/8 is not a host address";
	if (h >> 24 == 127)
		return "loopback addresses belong to the host";
	if (cfgi_addr_multicast(a))
		return "multicast is not an interface address";
	if (h >> 28 == 0xf)
		return "240.0.0.0/4 is reserved";
	/* /31 and /32 have no network or broadcast address (RFC 3021). */
	if (a->plen <= 30 && (h & host) == 0)
		return "it is the network address of its subnet";
	if (a->plen <= 30 && (h & host) == host)
		return "it is the broadcast address of its subnet";
	return NULL;
}

static const char *bad_v6_iface(const struct cfg_addr *a)
{
	if (a->plen == 0)
		return "the prefix length must be 1..128";
	if (IN6_IS_ADDR_UNSPECIFIED(&a->v6))
		return ":: is not a host address";
	if (IN6_IS_ADDR_LOOPBACK(&a->v6))
		return "loopback addresses belong to the host";
	if (cfgi_addr_multicast(a))
		return "multicast is not an interface address";
	if (IN6_IS_ADDR_LINKLOCAL(&a->v6))
		return "link-local addresses are derived by the hub, not configured";
	return NULL;
}

/* Parse "addr/plen" for family; plen is mandatory, "10.0.0.1" alone is ambiguous. */
static int get_prefix(struct ld *ld, const struct node *v, const char *key, int family,
		      struct cfg_addr *a)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, key);

	if (rc < 0)
		return rc;
	if (strchr(v->str, '/') == NULL)
		return cfgi_fail(ld, v, -EINVAL, "'%s' needs a prefix length: '%s/LEN'", key,
				 cfgi_show(v, buf, sizeof(buf)));
	if (cfg_addr_parse(v->str, true, a) < 0)
		return cfgi_fail(ld, v, -EINVAL, "'%s': '%s' is not an address/prefix-length", key,
				 cfgi_show(v, buf, sizeof(buf)));
	if (family != AF_UNSPEC && a->family != family)
		return cfgi_fail(ld, v, -EINVAL, "'%s' takes %s addresses", key, fam);
	return 0;
}

/* Complete address owners: interfaces 0..n_ifaces-1, then tunnels 0..n_tunnels-1. */
static const struct cfg_addr *owner_addrs(const struct config *cfg, unsigned int k, int family,
					  unsigned int *n)
{
	if (k < cfg->n_ifaces)
		return cfgi_iface_addrs(&cfg->ifaces[k], family, n);
	return cfgi_tunnel_addrs(&cfg->tunnels[k - cfg->n_ifaces], family, n);
}

static const char *owner_label(const struct config *cfg, unsigned int k, char *buf, size_t len)
{
	if (k < cfg->n_ifaces)
		snprintf(buf, len, "interface %s", cfg->ifaces[k].name);
	else
		snprintf(buf, len, "tunnel %s", cfg->tunnels[k - cfg->n_ifaces].name);
	return buf;
}

/*
 * a is about to join own: the interfaces and tunnels loaded so far are complete, own is being
 * filled. Subnets of two owners may not overlap; two subnets of one owner may.
 */
static int check_overlap(struct ld *ld, const struct node *v, const struct addr_lists *own,
			 const struct cfg_addr *a)
{
	char sa[INET6_ADDRSTRLEN], sb[INET6_ADDRSTRLEN], who[48];
	const struct config *cfg = ld->cfg;
	const struct cfg_addr *list;
	unsigned int n;

	cfg_addr_str(a, sa, sizeof(sa));
	for (unsigned int k = 0; k < cfg->n_ifaces + cfg->n_tunnels; k++) {
		list = owner_addrs(cfg, k, a->family, &n);
		for (unsigned int j = 0; j < n; j++) {
			const struct cfg_addr *b = &list[j];

			if (cfgi_addr_same(a, b))
				return cfgi_fail(ld, v, -EEXIST, "address %s is already on %s", sa,
						 owner_label(cfg, k, who, sizeof(who)));
			if (prefix_overlap(a, b))
				return cfgi_fail(ld, v, -EEXIST,
						 "subnet %s/%u overlaps %s/%u, the subnet of %s",
						 sa, a->plen, cfg_addr_str(b, sb, sizeof(sb)),
						 b->plen, owner_label(cfg, k, who, sizeof(who)));
		}
	}
	list = a->family == AF_INET ? own->v4 : own->v6;
	n = a->family == AF_INET ? *own->n_v4 : *own->n_v6;
	for (unsigned int j = 0; j < n; j++) {
		if (cfgi_addr_same(a, &list[j]))
			return cfgi_fail(ld, v, -EEXIST, "address %s is already on %s", sa,
					 own->self);
	}
	return 0;
}

static int add_addr(struct ld *ld, const struct node *v, const char *key, int family,
		    struct addr_lists *own)
{
	char sa[INET6_ADDRSTRLEN];
	const char *why;
	struct cfg_addr a;
	int rc;

	rc = get_prefix(ld, v, key, family, &a);
	if (rc < 0)
		return rc;
	why = family == AF_INET ? bad_v4_iface(&a) : bad_v6_iface(&a);
	if (why != NULL)
		return cfgi_fail(ld, v, -EINVAL, "'%s' %s/%u is refused: %s", key,
				 cfg_addr_str(&a, sa, sizeof(sa)), a.plen, why);
	rc = check_overlap(ld, v, own, &a);
	if (rc < 0)
		return rc;
	if (family == AF_INET)
		own->v4[(*own->n_v4)++] = a;
	else
		own->v6[(*own->n_v6)++] = a;
	return 0;
}

int cfgi_set_addrs(struct ld *ld, const struct node *v, const char *key, int family,
		   struct addr_lists *own)
{
	unsigned int i = 0;
	int rc;

	if (v->kind == NODE_SCALAR)
		return add_addr(ld, v, key, family, own);
	if (v->kind != NODE_SEQ)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be an address or a sequence of them, not %s", key,
				 cfgi_describe(v));
	for (const struct node *a = v->first; a != NULL; a = a->next, i++) {
		if (i == CFG_ADDRS_MAX)
			return cfgi_fail(ld, a, -E2BIG, "'%s' lists more than %u addresses", key,
					 CFG_ADDRS_MAX);
		rc = add_addr(ld, a, key, family, own);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int cfgi_iface_with(const struct config *cfg, const struct cfg_addr *a)
{
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		unsigned int n;
		const struct cfg_addr *list = cfgi_iface_addrs(&cfg->ifaces[i], a->family, &n);

		for (unsigned int j = 0; j < n; j++) {
			if (cfgi_addr_same(a, &list[j]))
				return (int)i;
		}
	}
	return -1;
}

/* ---- interfaces ---- */

enum { IF_NAME, IF_PORT, IF_V4, IF_V6, IF_MTU, IF_RXQ, IF_TXQ, IF_N };

static int set_if_addrs(struct ld *ld, const struct node *v, void *obj, const struct rule *r,
			int family)
{
	struct cfg_iface *ifc = obj;
	struct addr_lists own = {ifc->v4, &ifc->n_v4, ifc->v6, &ifc->n_v6, "this interface"};

	return cfgi_set_addrs(ld, v, r->key, family, &own);
}

static int set_if_v4(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return set_if_addrs(ld, v, obj, r, AF_INET);
}

static int set_if_v6(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	return set_if_addrs(ld, v, obj, r, AF_INET6);
}

/* Names become telemetry dictionary keys, hence the narrow charset. */
static int set_if_name(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_iface *ifc = obj;
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (v->len >= CFG_NAME_MAX || !cfgi_name_ok(v->str, v->len, LETTERS, ALNUM "_/"))
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' must be a letter then up to %u of [A-Za-z0-9_/]", r->key,
				 CFG_NAME_MAX - 2);
	if (cfg_iface_find(ld->cfg, v->str) >= 0)
		return cfgi_fail(ld, v, -EEXIST, "interface name %s is used twice", v->str);
	memcpy(ifc->name, v->str, v->len + 1);
	return 0;
}

/* Exactly n hex digits. */
static bool hexn(const char **p, unsigned int n, unsigned int *v)
{
	*v = 0;
	for (unsigned int i = 0; i < n; i++) {
		char c = (*p)[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return false;
		*v = *v << 4 | d;
	}
	*p += n;
	return true;
}

/* "DDDD:BB:DD.F" or "BB:DD.F", written back in DPDK's canonical lower-case long form. */
static bool parse_pci(const char *s, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s;

	if (strlen(s) == 12 && (!hexn(&p, 4, &dom) || *p++ != ':'))
		return false;
	if (!hexn(&p, 2, &bus) || *p++ != ':' || !hexn(&p, 2, &dev) || *p++ != '.' ||
	    !hexn(&p, 1, &fn) || *p != '\0')
		return false;
	if (dev > 0x1f || fn > 7)
		return false;
	snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return true;
}

/* vdev devargs: "net_<driver><n>[,key=value...]", printable and free of blanks. */
static bool vdev_ok(const char *s, size_t len)
{
	size_t name = strcspn(s, ",");

	if (strncmp(s, "net_", 4) != 0 || name <= 4)
		return false;
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != name)
		return false;
	for (size_t i = name; i < len; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	}
	return len == name || (len > name + 1 && s[len - 1] != ',' && strstr(s, ",,") == NULL);
}

/* Two ports clash when they name the same device, whatever their arguments. */
static int port_clash(const struct config *cfg, const char *port)
{
	size_t n = strcspn(port, ",");

	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		const char *p = cfg->ifaces[i].port;

		if (strcspn(p, ",") == n && strncmp(p, port, n) == 0)
			return (int)i;
	}
	return -1;
}

static int set_if_port(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_iface *ifc = obj;
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, r->key);
	int other;

	if (rc < 0)
		return rc;
	if (v->len >= CFG_PORT_MAX)
		return cfgi_fail(ld, v, -EINVAL, "'%s' is longer than %u characters", r->key,
				 CFG_PORT_MAX - 1);
	ifc->is_pci = parse_pci(v->str, ifc->port, sizeof(ifc->port));
	if (!ifc->is_pci) {
		if (!vdev_ok(v->str, v->len))
			return cfgi_fail(
				ld, v, -EINVAL,
				"'%s' '%s' is neither a PCI address (0000:3b:00.0) nor vdev "
				"devargs (net_tap0,iface=x)",
				r->key, cfgi_show(v, buf, sizeof(buf)));
		memcpy(ifc->port, v->str, v->len + 1);
	}
	other = port_clash(ld->cfg, ifc->port);
	if (other >= 0)
		return cfgi_fail(ld, v, -EEXIST, "port %.*s is already used by interface %s",
				 (int)strcspn(ifc->port, ","), ifc->port,
				 ld->cfg->ifaces[other].name);
	return 0;
}

static int set_if_rxq(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_iface *ifc = obj;
	unsigned int workers = ld->cfg->sys.n_workers;
	int rc = cfgi_set_uint(ld, v, obj, r);

	if (rc == 0 && ifc->rx_queues > workers)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' %u is more than the %u worker(s) polling them", r->key,
				 ifc->rx_queues, workers);
	return rc;
}

/* Every worker and the control core transmit, each on its own queue: no tx locks. */
static int set_if_txq(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_iface *ifc = obj;
	unsigned int need = ld->cfg->sys.n_workers + 1;
	int rc = cfgi_set_uint(ld, v, obj, r);

	if (rc == 0 && ifc->tx_queues != 0 && ifc->tx_queues < need)
		return cfgi_fail(
			ld, v, -EINVAL,
			"'%s' %u is fewer than workers + 1 (%u): each sender needs a queue", r->key,
			ifc->tx_queues, need);
	return rc;
}

static const struct rule if_rules[IF_N] = {
	[IF_NAME] = {"name", set_if_name, 0, 0, 0, true},
	[IF_PORT] = {"port", set_if_port, 0, 0, 0, true},
	[IF_V4] = {"ipv4", set_if_v4, 0, 0, 0, false},
	[IF_V6] = {"ipv6", set_if_v6, 0, 0, 0, false},
	[IF_MTU] = {"mtu", cfgi_set_uint, offsetof(struct cfg_iface, mtu), 576, 9000, false},
	[IF_RXQ] = {"rx_queues", set_if_rxq, offsetof(struct cfg_iface, rx_queues), 0, 16, false},
	[IF_TXQ] = {"tx_queues", set_if_txq, offsetof(struct cfg_iface, tx_queues), 0, 17, false},
};

static int load_iface(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[IF_N] = {NULL};
	struct cfg_iface *ifc = &ld->cfg->ifaces[idx];
	char where[32];
	int rc;

	ifc->mtu = 1500;
	ifc->line = map->line;
	snprintf(where, sizeof(where), "in interfaces[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, if_rules, IF_N, ifc, vals);
	if (rc < 0)
		return rc;
	/* RFC 8200 section 5: IPv6 needs a link MTU of at least 1280. */
	if (ifc->n_v6 > 0 && ifc->mtu < 1280)
		return cfgi_fail(ld, vals[IF_MTU], -EINVAL,
				 "'mtu' %u is below 1280, the IPv6 minimum", ifc->mtu);
	if (ifc->rx_queues == 0)
		ifc->rx_queues = ld->cfg->sys.n_workers;
	if (ifc->tx_queues == 0)
		ifc->tx_queues = ld->cfg->sys.n_workers + 1;
	return 0;
}

static int load_ifaces(struct ld *ld, const struct node *seq)
{
	unsigned int i = 0;
	int rc;

	if (seq->kind != NODE_SEQ)
		return cfgi_fail(ld, seq, -EINVAL, "'interfaces' must be a sequence, not %s",
				 cfgi_describe(seq));
	if (seq->n == 0)
		return cfgi_fail(ld, seq, -EINVAL, "'interfaces' needs at least one interface");
	for (const struct node *m = seq->first; m != NULL; m = m->next, i++) {
		if (i == CFG_IFACES_MAX)
			return cfgi_fail(ld, m, -E2BIG, "more than %u interfaces", CFG_IFACES_MAX);
		rc = load_iface(ld, m, i);
		if (rc < 0)
			return rc;
		ld->cfg->n_ifaces = i + 1;
	}
	return 0;
}

/* ---- routes ---- */

enum { RT_PREFIX, RT_VIA, RT_IFACE, RT_N };

static int set_rt_prefix(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_route *rt = obj;
	char sa[INET6_ADDRSTRLEN], sn[INET6_ADDRSTRLEN];
	struct cfg_addr net;
	int rc = get_prefix(ld, v, r->key, AF_UNSPEC, &rt->prefix);

	if (rc < 0)
		return rc;
	net = addr_net(&rt->prefix);
	cfg_addr_str(&net, sn, sizeof(sn));
	if (!cfgi_addr_same(&net, &rt->prefix))
		return cfgi_fail(ld, v, -EINVAL, "host bits are set in %s/%u; the prefix is %s/%u",
				 cfg_addr_str(&rt->prefix, sa, sizeof(sa)), rt->prefix.plen, sn,
				 net.plen);
	if (cfgi_addr_multicast(&net))
		return cfgi_fail(ld, v, -EINVAL, "route prefix %s/%u is multicast", sn, net.plen);
	return 0;
}

static int set_rt_via(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_route *rt = obj;
	struct cfg_addr unspec = {.family = 0};
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	if (cfg_addr_parse(v->str, false, &rt->via) < 0)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' '%s' is not an address (no prefix length here)", r->key,
				 cfgi_show(v, buf, sizeof(buf)));
	unspec.family = rt->via.family;
	if (cfgi_addr_multicast(&rt->via))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is a multicast address", r->key);
	if (cfgi_addr_same(&rt->via, &unspec))
		return cfgi_fail(ld, v, -EINVAL, "'%s' is the unspecified address", r->key);
	return 0;
}

static int set_rt_iface(struct ld *ld, const struct node *v, void *obj, const struct rule *r)
{
	struct cfg_route *rt = obj;
	char buf[SHOW_MAX];
	int rc = cfgi_want_scalar(ld, v, r->key);

	if (rc < 0)
		return rc;
	rt->iface = cfg_iface_find(ld->cfg, v->str);
	if (rt->iface >= 0)
		return 0;
	rt->iface = -1;
	rt->tunnel = cfg_tunnel_find(ld->cfg, v->str);
	if (rt->tunnel >= 0 && ld->cfg->tunnels[rt->tunnel].template)
		return cfgi_fail(ld, v, -EINVAL,
				 "'%s' %s is a template: its clones get their routes from IKE",
				 r->key, v->str);
	if (rt->tunnel >= 0)
		return 0;
	rt->tunnel = -1;
	return cfgi_fail(ld, v, -ENOENT, "'%s' names unknown interface '%s'", r->key,
			 cfgi_show(v, buf, sizeof(buf)));
}

static const struct rule rt_rules[RT_N] = {
	[RT_PREFIX] = {"prefix", set_rt_prefix, 0, 0, 0, true},
	[RT_VIA] = {"via", set_rt_via, 0, 0, 0, false},
	[RT_IFACE] = {"interface", set_rt_iface, 0, 0, 0, false},
};

static bool list_match(const struct cfg_addr *list, unsigned int n, const struct cfg_addr *a,
		       bool net)
{
	for (unsigned int j = 0; j < n; j++) {
		if (net ? cfg_addr_in_prefix(a, &list[j]) : cfgi_addr_same(a, &list[j]))
			return true;
	}
	return false;
}

/* Index of the interface whose address (exact, or subnet when net) matches a, or -1. */
static int iface_match(const struct config *cfg, const struct cfg_addr *a, int only, bool net)
{
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		unsigned int n;
		const struct cfg_addr *list = cfgi_iface_addrs(&cfg->ifaces[i], a->family, &n);

		if ((only < 0 || (int)i == only) && list_match(list, n, a, net))
			return (int)i;
	}
	return -1;
}

/* The same for tunnels. */
static int tunnel_match(const struct config *cfg, const struct cfg_addr *a, int only, bool net)
{
	for (unsigned int i = 0; i < cfg->n_tunnels; i++) {
		unsigned int n;
		const struct cfg_addr *list = cfgi_tunnel_addrs(&cfg->tunnels[i], a->family, &n);

		if (cfg->tunnels[i].template) /* not an interface: its clones are */
			continue;
		if ((only < 0 || (int)i == only) && list_match(list, n, a, net))
			return (int)i;
	}
	return -1;
}

/* A route over a tunnel is point-to-point; a gateway, when given, sits in the tunnel's subnet. */
static int via_tunnel(struct ld *ld, const struct cfg_route *rt, const struct node *v,
		      const char *sa)
{
	const struct cfg_tunnel *t = &ld->cfg->tunnels[rt->tunnel];

	if (tunnel_match(ld->cfg, &rt->via, rt->tunnel, true) < 0)
		return cfgi_fail(ld, v, -EHOSTUNREACH,
				 "'via' %s is not inside a subnet of tunnel %s", sa, t->name);
	return 0;
}

/*
 * The gateway must be a neighbour: inside a connected subnet, and not one of our addresses.
 * With neither interface nor tunnel named, the interface or tunnel whose subnet holds it is used.
 */
static int resolve_via(struct ld *ld, struct cfg_route *rt, const struct node *v)
{
	const struct config *cfg = ld->cfg;
	char sa[INET6_ADDRSTRLEN];
	int i;

	cfg_addr_str(&rt->via, sa, sizeof(sa));
	if (rt->via.family != rt->prefix.family)
		return cfgi_fail(ld, v, -EINVAL, "'via' %s is not of the prefix's address family",
				 sa);
	i = iface_match(cfg, &rt->via, -1, false);
	if (i >= 0)
		return cfgi_fail(ld, v, -EINVAL, "'via' %s is an address of interface %s", sa,
				 cfg->ifaces[i].name);
	i = tunnel_match(cfg, &rt->via, -1, false);
	if (i >= 0)
		return cfgi_fail(ld, v, -EINVAL, "'via' %s is an address of tunnel %s", sa,
				 cfg->tunnels[i].name);
	if (rt->tunnel >= 0)
		return via_tunnel(ld, rt, v, sa);
	i = iface_match(cfg, &rt->via, rt->iface, true);
	if (i >= 0) {
		rt->iface = i;
		return 0;
	}
	if (rt->iface >= 0)
		return cfgi_fail(ld, v, -EHOSTUNREACH,
				 "'via' %s is not inside a subnet of interface %s", sa,
				 cfg->ifaces[rt->iface].name);
	rt->tunnel = tunnel_match(cfg, &rt->via, -1, true);
	if (rt->tunnel >= 0)
		return 0;
	return cfgi_fail(ld, v, -EHOSTUNREACH, "'via' %s is not inside any connected subnet", sa);
}

static int check_route_prefix(struct ld *ld, const struct cfg_route *rt, const struct node *v)
{
	const struct config *cfg = ld->cfg;
	char sa[INET6_ADDRSTRLEN], who[48];

	cfg_addr_str(&rt->prefix, sa, sizeof(sa));
	for (unsigned int j = 0; j < cfg->n_routes; j++) {
		if (cfg->routes[j].prefix.plen == rt->prefix.plen &&
		    cfgi_addr_same(&cfg->routes[j].prefix, &rt->prefix))
			return cfgi_fail(ld, v, -EEXIST, "duplicate route %s/%u (first at line %u)",
					 sa, rt->prefix.plen, cfg->routes[j].line);
	}
	for (unsigned int k = 0; k < cfg->n_ifaces + cfg->n_tunnels; k++) {
		unsigned int n;
		const struct cfg_addr *list = owner_addrs(cfg, k, rt->prefix.family, &n);

		for (unsigned int j = 0; j < n; j++) {
			struct cfg_addr net = addr_net(&list[j]);

			if (net.plen == rt->prefix.plen && cfgi_addr_same(&net, &rt->prefix))
				return cfgi_fail(ld, v, -EEXIST,
						 "route %s/%u is the connected subnet of %s", sa,
						 net.plen, owner_label(cfg, k, who, sizeof(who)));
		}
	}
	return 0;
}

static int load_route(struct ld *ld, const struct node *map, unsigned int idx)
{
	const struct node *vals[RT_N] = {NULL};
	struct cfg_route *rt = &ld->cfg->routes[idx];
	char where[32];
	int rc;

	rt->iface = -1;
	rt->tunnel = -1;
	rt->line = map->line;
	snprintf(where, sizeof(where), "in routes[%u]", idx);
	rc = cfgi_walk_map(ld, map, where, rt_rules, RT_N, rt, vals);
	if (rc < 0)
		return rc;
	rc = check_route_prefix(ld, rt, vals[RT_PREFIX]);
	if (rc < 0)
		return rc;
	if (vals[RT_VIA] == NULL && vals[RT_IFACE] == NULL)
		return cfgi_fail(ld, map, -EINVAL, "a route needs 'via', 'interface' or both");
	if (vals[RT_VIA] != NULL)
		return resolve_via(ld, rt, vals[RT_VIA]);
	return 0;
}

static int load_routes(struct ld *ld, const struct node *seq)
{
	unsigned int i = 0;
	int rc;

	if (seq == NULL)
		return 0;
	rc = cfgi_want_seq(ld, seq, "routes", CFG_ROUTES_MAX, "routes");
	if (rc < 0 || seq->n == 0)
		return rc;
	ld->cfg->routes = calloc(seq->n, sizeof(*ld->cfg->routes));
	if (ld->cfg->routes == NULL)
		return cfgi_fail(ld, seq, -ENOMEM, "out of memory for %u routes", seq->n);
	for (const struct node *m = seq->first; m != NULL; m = m->next, i++) {
		rc = load_route(ld, m, i);
		if (rc < 0)
			return rc;
		ld->cfg->n_routes = i + 1;
	}
	return 0;
}

/* ---- top level ---- */

enum { TOP_SYSTEM, TOP_IFACES, TOP_IPSEC, TOP_TUNNELS, TOP_ROUTES, TOP_IKE, TOP_N };

static const struct rule top_rules[TOP_N] = {
	[TOP_SYSTEM] = {"system", cfgi_keep, 0, 0, 0, false},
	[TOP_IFACES] = {"interfaces", cfgi_keep, 0, 0, 0, true},
	[TOP_IPSEC] = {"ipsec", cfgi_keep, 0, 0, 0, false},
	[TOP_TUNNELS] = {"tunnels", cfgi_keep, 0, 0, 0, false},
	[TOP_ROUTES] = {"routes", cfgi_keep, 0, 0, 0, false},
	[TOP_IKE] = {"ike", cfgi_keep, 0, 0, 0, false},
};

static int load_tree(struct ld *ld, const struct node *root)
{
	const struct node *vals[TOP_N] = {NULL};
	const struct node *ipsec = NULL, *cmaps = NULL;
	struct node *copy = NULL;
	int rc;

	if (root->kind != NODE_MAP)
		return cfgi_fail(ld, root, -EINVAL, "the top level must be a mapping, not %s",
				 cfgi_describe(root));
	rc = cfgi_walk_map(ld, root, "at top level", top_rules, TOP_N, NULL, vals);
	if (rc == 0)
		rc = load_system(ld, vals[TOP_SYSTEM]);
	if (rc == 0)
		rc = load_ifaces(ld, vals[TOP_IFACES]);
	if (rc == 0)
		rc = cfgi_ipsec_split(ld, vals[TOP_IPSEC], &ipsec, &cmaps, &copy);
	if (rc == 0)
		rc = cfgi_load_ipsec(ld, ipsec);
	if (rc == 0)
		rc = cfgi_load_tunnels(ld, vals[TOP_TUNNELS]);
	if (rc == 0)
		rc = cfgi_load_crypto_maps(ld, cmaps);
	if (rc == 0)
		rc = cfgi_load_ike(ld, vals[TOP_IKE], vals[TOP_TUNNELS]);
	if (rc == 0)
		rc = load_routes(ld, vals[TOP_ROUTES]);
	free(copy);
	return rc;
}

/* ---- entry points ---- */

/* dir: where relative key files are looked up; NULL when the text has no file. */
static int load(const char *name, const char *dir, const char *buf, size_t len, struct config **out,
		char *err, size_t errlen)
{
	struct ld ld = {.file = name, .dir = dir, .err = err, .errlen = errlen};
	struct ytree_err terr;
	struct node *root;
	int rc;

	rc = ytree_read(buf, len, &root, &terr);
	if (rc < 0)
		return cfgi_fail_at(&ld, terr.line, terr.col, rc, "%s", terr.msg);
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (ld.cfg == NULL)
		rc = cfgi_fail_at(&ld, 1, 1, -ENOMEM, "out of memory");
	else
		rc = load_tree(&ld, root);
	ytree_free(root);
	if (rc < 0) {
		cfg_free(ld.cfg);
		return rc;
	}
	snprintf(ld.cfg->file, sizeof(ld.cfg->file), "%s", ld.file);
	*out = ld.cfg;
	return 0;
}

int cfg_load_buffer(const char *name, const char *buf, size_t len, struct config **out, char *err,
		    size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	return load(name != NULL ? name : "<buffer>", NULL, buf, len, out, err, errlen);
}

/* Reads at most YTREE_FILE_MAX + 1 bytes: a larger file (or an endless pipe) is caught cheaply. */
static int read_file(const char *path, char **out, size_t *len)
{
	size_t cap = YTREE_FILE_MAX + 1, n = 0;
	char *buf;
	ssize_t got;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (n < cap) {
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = -errno;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (rc < 0) {
		explicit_bzero(buf, n);
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* The directory part of path: "." for a bare name, "/" for a file in the root. */
static int dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == NULL)
		return snprintf(dir, len, ".") < (int)len ? 0 : -ENAMETOOLONG;
	if (n == 0)
		n = 1;
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

/* The file may hold keys: its buffer is wiped before it is freed. */
int cfg_load_file(const char *path, struct config **out, char *err, size_t errlen)
{
	struct ld ld = {.file = path, .err = err, .errlen = errlen};
	char dir[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || path == NULL)
		return -EINVAL;
	*out = NULL;
	rc = dir_of(path, dir, sizeof(dir));
	if (rc == 0)
		rc = read_file(path, &buf, &len);
	if (rc < 0)
		return cfgi_fail_at(&ld, 1, 1, rc, "cannot read: %s", strerror(-rc));
	rc = load(path, dir, buf, len, out, err, errlen);
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

void cfg_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	if (cfg->sas != NULL)
		explicit_bzero(cfg->sas, cfg->n_sas * sizeof(*cfg->sas));
	free(cfg->sas);
	free(cfg->tunnels);
	for (unsigned int i = 0; i < cfg->n_cmaps; i++)
		free(cfg->cmaps[i].entries);
	free(cfg->cmaps);
	if (cfg->ike_peers != NULL)
		explicit_bzero(cfg->ike_peers, cfg->n_ike_peers * sizeof(*cfg->ike_peers));
	free(cfg->ike_peers);
	if (cfg->ike_users != NULL)
		explicit_bzero(cfg->ike_users, cfg->n_ike_users * sizeof(*cfg->ike_users));
	free(cfg->ike_users);
	free(cfg->ike_pools);
	free(cfg->routes);
	free(cfg);
}
