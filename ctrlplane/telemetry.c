/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/telemetry.c - /vpnhub/... telemetry commands (see telemetry.h).
 *
 * Replies are JSON objects built with rte_tel_data; keys use only [A-Za-z0-9_/] as the library
 * requires. Long tables are paged: "/vpnhub/routes,START" returns up to TELEMETRY_PAGE entries
 * keyed by their index, plus "total" and "start". "/vpnhub/ipsec/sa,START" pages the same way
 * (START counts SAs in id order) but keys its entries by SA id, and no reply ever carries key
 * material. "/vpnhub/ipsec/spd,START" pages the crypto maps' rows: per map a "map" row, then one
 * "entry" row per entry in seq order, keyed by row index like the routes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_rwlock.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "crypto/imb.h"
#include "ctrlplane/ike/ike.h"
#include "ctrlplane/nbr.h"
#include "ctrlplane/tables.h"
#include "ctrlplane/telemetry.h"
#include "dataplane/port.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

/* The context and a lock that keeps it alive while a callback runs. */
static struct ctrl *tctx;
static rte_rwlock_t tlock = RTE_RWLOCK_INITIALIZER;

static const char *addr_str(int family, const uint8_t *a, char *buf, size_t len)
{
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

static void mac_str(const struct rte_ether_addr *m, char *buf, size_t len)
{
	rte_ether_format_addr(buf, (uint16_t)len, m);
}

/* Parse the optional ",START" parameter: digits only. */
static int page_start(const char *params, unsigned int *start)
{
	*start = 0;
	if (params == NULL || *params == '\0')
		return 0;
	if (strlen(params) > 9 || strspn(params, "0123456789") != strlen(params))
		return -EINVAL;
	*start = (unsigned int)strtoul(params, NULL, 10);
	return 0;
}

static int cmd_version(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", VPNHUB_VERSION);
	rte_tel_data_add_dict_string(d, "instance", c->cfg->sys.name);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	rte_tel_data_add_dict_string(d, "ipsec_mb", crypto_imb_version());
	rte_tel_data_add_dict_string(d, "ipsec_mb_arch", crypto_imb_arch());
	rte_tel_data_add_dict_u64(d, "workers", c->dp->n_workers);
	rte_tel_data_add_dict_u64(d, "uptime_s",
				  (rte_get_timer_cycles() - c->start_tsc) / rte_get_timer_hz());
	return 0;
}

static void addr_list(const struct iface_addr *a, unsigned int n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < n && off < len; i++) {
		char s[INET6_ADDRSTRLEN];
		addr_str(a[i].family, a[i].addr, s, sizeof(s));
		off += (size_t)snprintf(buf + off, len - off, "%s%s/%u", i ? " " : "", s,
					a[i].plen);
	}
}

static struct rte_tel_data *iface_dict(struct ctrl *c, const struct iface *ifc)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	struct dp_iface_stats s;
	char buf[RTE_TEL_MAX_STRING_LEN];
	if (d == NULL)
		return NULL;
	dp_iface_stats_sum(c->dp->stats, c->dp->n_workers + 1, ifc->ifindex, &s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "ifindex", ifc->ifindex);
	rte_tel_data_add_dict_string(d, "kind", ifc->kind == IFACE_ETHER ? "ether" : "vti");
	rte_tel_data_add_dict_u64(d, "port_id", ifc->port_id);
	rte_tel_data_add_dict_string(d, "port", ifc->port_name);
	mac_str(&ifc->mac, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "mac", buf);
	rte_tel_data_add_dict_u64(d, "mtu", ifc->mtu);
	rte_tel_data_add_dict_string(d, "link", dp_port_link_up(ifc->port_id) ? "up" : "down");
	addr_list(ifc->v4, ifc->n_v4, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "ipv4", buf);
	addr_list(ifc->v6, ifc->n_v6, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "ipv6", buf);
	rte_tel_data_add_dict_u64(d, "rx_packets", s.rx_pkts);
	rte_tel_data_add_dict_u64(d, "rx_bytes", s.rx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_packets", s.tx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_bytes", s.tx_bytes);
	rte_tel_data_add_dict_u64(d, "drops", s.drops);
	return d;
}

static int cmd_interfaces(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	RTE_SET_USED(params);
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&c->lock);
	for (uint16_t i = 1; i < IFACE_MAX; i++) {
		const struct iface *ifc = iface_get(c->dp->ifaces, i);
		struct rte_tel_data *x = ifc != NULL ? iface_dict(c, ifc) : NULL;
		if (x != NULL && rte_tel_data_add_dict_container(d, ifc->name, x, 0) != 0)
			rte_tel_data_free(x); /* a name telemetry refuses, or a full dict */
	}
	rte_spinlock_unlock(&c->lock);
	return 0;
}

static const char *ifname(struct ctrl *c, uint16_t ifindex)
{
	const struct iface *ifc = iface_get(c->dp->ifaces, ifindex);
	return ifc != NULL ? ifc->name : "";
}

static struct rte_tel_data *route_dict(struct ctrl *c, const struct rib_entry *e)
{
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 4];
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	snprintf(p, sizeof(p), "%s/%u", addr_str(e->family, e->prefix, a, sizeof(a)), e->plen);
	rte_tel_data_add_dict_string(d, "prefix", p);
	rte_tel_data_add_dict_string(d, "type", tables_rib_type_name(e->type));
	rte_tel_data_add_dict_string(d, "via",
				     e->has_via ? addr_str(e->family, e->via, a, sizeof(a)) : "");
	rte_tel_data_add_dict_string(d, "interface", ifname(c, e->ifindex));
	return d;
}

static int cmd_routes(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	unsigned int start;
	char key[16];
	if (page_start(params, &start) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&c->lock);
	rte_tel_data_add_dict_u64(d, "total", c->rib.n);
	rte_tel_data_add_dict_u64(d, "start", start);
	for (unsigned int i = start; i < c->rib.n && i < start + TELEMETRY_PAGE; i++) {
		struct rte_tel_data *x = route_dict(c, &c->rib.e[i]);
		snprintf(key, sizeof(key), "%u", i);
		if (x != NULL)
			rte_tel_data_add_dict_container(d, key, x, 0);
	}
	rte_spinlock_unlock(&c->lock);
	return 0;
}

static struct rte_tel_data *nbr_dict(struct ctrl *c, const struct nbr_info *n)
{
	char a[INET6_ADDRSTRLEN], m[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "address", addr_str(n->family, n->addr, a, sizeof(a)));
	mac_str(&n->mac, m, sizeof(m));
	rte_tel_data_add_dict_string(d, "mac", n->state == NBR_INCOMPLETE ? "" : m);
	rte_tel_data_add_dict_string(d, "interface", ifname(c, n->ifindex));
	rte_tel_data_add_dict_string(d, "state", nbr_state_name(n->state));
	rte_tel_data_add_dict_u64(d, "age_s", n->age_s);
	rte_tel_data_add_dict_u64(d, "queued", n->queued);
	return d;
}

static int cmd_neighbors(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	struct nbr_info info[TELEMETRY_PAGE];
	unsigned int start, total;
	char key[16];
	if (page_start(params, &start) != 0)
		return -EINVAL;
	unsigned int n = nbr_snapshot(c, info, start, TELEMETRY_PAGE, &total);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "start", start);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_tel_data *x = nbr_dict(c, &info[i]);
		snprintf(key, sizeof(key), "%u", start + i);
		if (x != NULL)
			rte_tel_data_add_dict_container(d, key, x, 0);
	}
	return 0;
}

/*
 * IPsec SAs. The control lcore frees a replaced or removed SA after a QSBR grace period, which
 * waits for the workers only: the telemetry thread is no QSBR reader. It reads SAs under c->lock
 * instead, so the control lcore must hold c->lock around sa_replace and sa_remove (and around
 * sa_install once that runs after telemetry_register: its failure path frees a published SA).
 * What the owning worker writes (counters, sequence number, window top, expiry flags) is read
 * with relaxed loads; the transform's keys, salt and pad states are never read.
 */
#define SA_PAGE 12 /* a worst-case entry is under 1.2 KiB: 12 of them fit a 16 KiB reply */

static uint64_t rd64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static bool rd8(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED) != 0;
}

/* "esp-aes-gcm-16 (aes-gcm-128)", "esp-aes-cbc esp-hmac-sha2-256-128 (aes-cbc-256)". */
static void transform_str(const struct esp_xform *x, char *buf, size_t len)
{
	static const char *const cipher[ESP_ENC_MAX] = {
		[ESP_ENC_AES_CBC] = "aes-cbc",
		[ESP_ENC_AES_GCM] = "aes-gcm",
		[ESP_ENC_CHACHA20_POLY1305] = "chacha20-poly1305",
		[ESP_ENC_3DES_CBC] = "3des-cbc",
	};
	bool hmac = x->auth != ESP_AUTH_NONE;
	char bits[48] = "";
	if (x->enc < ESP_ENC_MAX && cipher[x->enc] != NULL)
		snprintf(bits, sizeof(bits), " (%s-%u)", cipher[x->enc], x->key_len * 8u);
	snprintf(buf, len, "esp-%s%s%s%s", esp_enc_name(x->enc), hmac ? " esp-" : "",
		 hmac ? esp_auth_name(x->auth) : "", bits);
}

/* What the SA was installed with. */
static void sa_setup_fields(struct ctrl *c, const struct sa *sa, struct rte_tel_data *d)
{
	char buf[RTE_TEL_MAX_STRING_LEN];
	bool udp = (sa->flags & SA_F_UDP) != 0;
	rte_tel_data_add_dict_u64(d, "id", sa->id);
	snprintf(buf, sizeof(buf), "0x%08x", rte_be_to_cpu_32(sa->spi_be));
	rte_tel_data_add_dict_string(d, "spi", buf);
	rte_tel_data_add_dict_string(d, "direction", sa->dir == SA_OUT ? "out" : "in");
	rte_tel_data_add_dict_string(d, "mode", sa->flags & SA_F_TUNNEL ? "tunnel" : "transport");
	rte_tel_data_add_dict_string(d, "interface", ifname(c, sa->ifindex));
	rte_tel_data_add_dict_string(d, "local", addr_str(sa->family, sa->local, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "remote",
				     addr_str(sa->family, sa->remote, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "encap", udp ? "udp" : "none");
	rte_tel_data_add_dict_u64(d, "udp_sport", udp ? rte_be_to_cpu_16(sa->udp_sport_be) : 0);
	rte_tel_data_add_dict_u64(d, "udp_dport", udp ? rte_be_to_cpu_16(sa->udp_dport_be) : 0);
	rte_tel_data_add_dict_string(d, "esn", sa->flags & SA_F_ESN ? "true" : "false");
	transform_str(&sa->xf, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "transform", buf);
	rte_tel_data_add_dict_u64(d, "owner", sa->owner);
}

/* Packets, bytes, the sequence number (outbound: last sent; inbound: window top), errors. */
static void sa_counter_fields(const struct sa *sa, const struct sa_stats *st,
			      struct rte_tel_data *d)
{
	char key[64];
	const struct replay_win *w = sa->dir == SA_IN ? sa->win : NULL;
	rte_tel_data_add_dict_u64(d, "pkts", st->pkts);
	rte_tel_data_add_dict_u64(d, "bytes", st->bytes);
	rte_tel_data_add_dict_u64(d, "seq", w != NULL ? rd64(&w->top) : rd64(&sa->seq));
	rte_tel_data_add_dict_u64(d, "window", w != NULL ? w->size : 0);
	for (unsigned int i = 0; i < SA_ERR_MAX; i++) {
		snprintf(key, sizeof(key), "err_%s", sa_err_name[i]);
		rte_tel_data_add_dict_u64(d, key, st->err[i]);
	}
}

/* esp_sa_expired's and esp_sa_soft's test: a limit passes even while no packet arrives. */
static bool limit_reached(uint64_t pkts, uint64_t bytes, uint64_t tsc, const struct sa_stats *st,
			  uint64_t now)
{
	return (pkts && st->pkts >= pkts) || (bytes && st->bytes >= bytes) || (tsc && now >= tsc);
}

/* Remaining hard lifetime: 0 = no such limit, or reached (then hard_expired is true). */
static void sa_lifetime_fields(const struct sa *sa, const struct sa_stats *st,
			       struct rte_tel_data *d)
{
	const struct sa_lifetime *l = &sa->life;
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz(), secs = 0;
	if (l->hard_tsc > now) /* rounded up, so that a limit not yet reached never reads 0 */
		secs = (l->hard_tsc - now) / hz + ((l->hard_tsc - now) % hz != 0);
	rte_tel_data_add_dict_u64(d, "lifetime_remaining_s", secs);
	rte_tel_data_add_dict_u64(d, "lifetime_remaining_pkts",
				  l->hard_pkts > st->pkts ? l->hard_pkts - st->pkts : 0);
	rte_tel_data_add_dict_u64(d, "lifetime_remaining_bytes",
				  l->hard_bytes > st->bytes ? l->hard_bytes - st->bytes : 0);
	bool soft = rd8(&sa->soft_fired) ||
		    limit_reached(l->soft_pkts, l->soft_bytes, l->soft_tsc, st, now);
	bool hard = rd8(&sa->hard_expired) ||
		    limit_reached(l->hard_pkts, l->hard_bytes, l->hard_tsc, st, now);
	rte_tel_data_add_dict_string(d, "soft_expired", soft ? "true" : "false");
	rte_tel_data_add_dict_string(d, "hard_expired", hard ? "true" : "false");
}

/* One SA; caller holds c->lock. */
static struct rte_tel_data *sa_dict(struct ctrl *c, const struct sa *sa)
{
	struct sa_stats st;
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	sa_stats_read(sa, &st);
	rte_tel_data_start_dict(d);
	sa_setup_fields(c, sa, d);
	sa_counter_fields(sa, &st, d);
	sa_lifetime_fields(sa, &st, d);
	return d;
}

static unsigned int sa_count(const struct sa_table *t)
{
	unsigned int n = 0;
	for (uint32_t id = 1; t != NULL && id < t->cap; id++)
		n += sa_get(t, id) != NULL;
	return n;
}

/* SAs in id order from the start-th on; each keyed by its id. */
static int cmd_ipsec_sa(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	const struct sa_table *t = c->dp->sas;
	unsigned int start, seen = 0, n = 0;
	char key[16];
	if (page_start(params, &start) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&c->lock);
	rte_tel_data_add_dict_u64(d, "total", sa_count(t));
	rte_tel_data_add_dict_u64(d, "start", start);
	for (uint32_t id = 1; t != NULL && id < t->cap && n < SA_PAGE; id++) {
		const struct sa *sa = sa_get(t, id);
		if (sa == NULL || seen++ < start)
			continue;
		struct rte_tel_data *x = sa_dict(c, sa);
		snprintf(key, sizeof(key), "%u", id);
		if (x != NULL)
			rte_tel_data_add_dict_container(d, key, x, 0);
		n++;
	}
	rte_spinlock_unlock(&c->lock);
	return 0;
}

/*
 * Crypto maps. SPDs are swapped and freed by the control lcore under c->lock (ipsec.c), so the
 * telemetry thread reads them under it; hit counters are per-lcore words read relaxed.
 */
#define SPD_PAGE 16 /* an entry row is under 1 KiB */

static void spi_of(struct ctrl *c, uint32_t id, char *buf, size_t len)
{
	const struct sa *sa = id != 0 ? sa_get(c->dp->sas, id) : NULL;
	if (sa == NULL)
		snprintf(buf, len, "%s", id != 0 ? "?" : "");
	else
		snprintf(buf, len, "0x%08x", rte_be_to_cpu_32(sa->spi_be));
}

/* The map row: its name, interface, size and the packets no entry matched (bypass). */
static struct rte_tel_data *spd_map_dict(struct ctrl *c, const struct spd *spd)
{
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "kind", "map");
	rte_tel_data_add_dict_string(d, "map", spd->name);
	rte_tel_data_add_dict_string(d, "interface", ifname(c, spd->ifindex));
	rte_tel_data_add_dict_u64(d, "entries", spd->n);
	rte_tel_data_add_dict_string(d, "no_match", "bypass");
	rte_tel_data_add_dict_u64(d, "hits_out", spd_hits(spd, SPD_OUT, 0));
	rte_tel_data_add_dict_u64(d, "hits_in", spd_hits(spd, SPD_IN, 0));
	return d;
}

/* The selector of rule r, as written (the outbound way round). */
static void spd_match_fields(const struct spd_rule *r, struct rte_tel_data *d)
{
	char a[INET6_ADDRSTRLEN], buf[RTE_TEL_MAX_STRING_LEN];
	snprintf(buf, sizeof(buf), "%s/%u", addr_str(r->family, r->src, a, sizeof(a)), r->src_plen);
	rte_tel_data_add_dict_string(d, "src", buf);
	snprintf(buf, sizeof(buf), "%s/%u", addr_str(r->family, r->dst, a, sizeof(a)), r->dst_plen);
	rte_tel_data_add_dict_string(d, "dst", buf);
	rte_tel_data_add_dict_string(d, "proto", spd_proto_str(r, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "src_port",
				     spd_ports_str(r->sport_lo, r->sport_hi, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "dst_port",
				     spd_ports_str(r->dport_lo, r->dport_hi, buf, sizeof(buf)));
}

/* Entry i of spd: seq, action, selector, SAs by SPI (never keys), hits per direction. */
static struct rte_tel_data *spd_entry_dict(struct ctrl *c, const struct spd *spd, uint32_t i)
{
	const struct spd_rule *r = &spd->rule[i];
	uint32_t sa_out = spd_entry_sa_get(spd, r->seq); /* IKE entries change it */
	bool keyed = sa_out != 0 && sa_out != SPD_SA_HELD;
	const struct sa *out = keyed ? sa_get(c->dp->sas, sa_out) : NULL;
	char buf[RTE_TEL_MAX_STRING_LEN], spi[16];
	size_t off = 0;
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "kind", "entry");
	rte_tel_data_add_dict_string(d, "map", spd->name);
	rte_tel_data_add_dict_string(d, "interface", ifname(c, spd->ifindex));
	rte_tel_data_add_dict_u64(d, "seq", r->seq);
	rte_tel_data_add_dict_string(d, "action", spd_action_name(r->action));
	rte_tel_data_add_dict_string(d, "family", r->family == AF_INET ? "ipv4" : "ipv6");
	spd_match_fields(r, d);
	rte_tel_data_add_dict_string(
		d, "peer", out != NULL ? addr_str(out->family, out->remote, buf, sizeof(buf)) : "");
	spi_of(c, keyed ? sa_out : 0, spi, sizeof(spi));
	rte_tel_data_add_dict_string(d, "sa_out", spi);
	/* an IKE entry: its SA is being negotiated (acquire), or it is up */
	rte_tel_data_add_dict_string(d, "keying", !r->ike ? "manual" : keyed ? "ike" : "acquiring");
	buf[0] = '\0';
	for (unsigned int j = 0; j < r->n_sa_in && off < sizeof(buf); j++) {
		spi_of(c, r->sa_in[j], spi, sizeof(spi));
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", j ? " " : "", spi);
	}
	rte_tel_data_add_dict_string(d, "sa_in", buf);
	rte_tel_data_add_dict_u64(d, "hits_out", spd_hits(spd, SPD_OUT, i + 1));
	rte_tel_data_add_dict_u64(d, "hits_in", spd_hits(spd, SPD_IN, i + 1));
	return d;
}

/* Rows in interface order: each map's row, then its entries; keyed by row index. */
static int cmd_ipsec_spd(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	unsigned int start, row = 0, total = 0;
	char key[16];
	if (page_start(params, &start) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_spinlock_lock(&c->lock);
	for (uint16_t i = 1; i < IFACE_MAX; i++) {
		const struct spd *spd = spd_get(c->dp->spd, i);
		total += spd != NULL ? spd->n + 1 : 0;
	}
	rte_tel_data_add_dict_u64(d, "total", total);
	rte_tel_data_add_dict_u64(d, "start", start);
	for (uint16_t i = 1; i < IFACE_MAX && row < start + SPD_PAGE; i++) {
		const struct spd *spd = spd_get(c->dp->spd, i);
		for (uint32_t k = 0; spd != NULL && k <= spd->n && row < start + SPD_PAGE; k++) {
			struct rte_tel_data *x = NULL;
			if (row >= start)
				x = k == 0 ? spd_map_dict(c, spd) : spd_entry_dict(c, spd, k - 1);
			snprintf(key, sizeof(key), "%u", row++);
			if (x != NULL)
				rte_tel_data_add_dict_container(d, key, x, 0);
		}
	}
	rte_spinlock_unlock(&c->lock);
	return 0;
}

static struct rte_tel_data *stats_dict(const struct dp_lcore_stats *s, int lcore)
{
	char key[64];
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	if (lcore >= 0)
		rte_tel_data_add_dict_u64(d, "lcore", (uint64_t)lcore);
	rte_tel_data_add_dict_u64(d, "rx_packets", s->rx_pkts);
	rte_tel_data_add_dict_u64(d, "tx_packets", s->tx_pkts);
	rte_tel_data_add_dict_u64(d, "punted", s->punted);
	rte_tel_data_add_dict_u64(d, "dropped", s->dropped);
	rte_tel_data_add_dict_u64(d, "loops", s->loops);
	rte_tel_data_add_dict_u64(d, "busy_loops", s->busy_loops);
	rte_tel_data_add_dict_u64(d, "busy_cycles", s->busy_cycles);
	rte_tel_data_add_dict_u64(d, "total_cycles", s->total_cycles);
	rte_tel_data_add_dict_u64(d, "cycles_per_packet",
				  s->busy_pkts ? s->busy_cycles / s->busy_pkts : 0);
	for (unsigned int r = 0; r < DP_DROP_MAX; r++) {
		snprintf(key, sizeof(key), "drop_%s", dp_drop_name[r]);
		rte_tel_data_add_dict_u64(d, key, s->drop[r]);
	}
	for (unsigned int r = 0; r < DP_PUNT_MAX; r++) {
		snprintf(key, sizeof(key), "punt_%s", dp_punt_name[r]);
		rte_tel_data_add_dict_u64(d, key, s->punt[r]);
	}
	for (unsigned int r = 0; r < DP_FRAG_STAT_MAX; r++) /* names carry their frag_ prefix */
		rte_tel_data_add_dict_u64(d, dp_frag_name[r], s->frag[r]);
	return d;
}

static int cmd_stats(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	struct dp_lcore_stats *s;
	char key[32];
	RTE_SET_USED(params);
	s = malloc(sizeof(*s)); /* ~10 KiB: not on the telemetry thread's stack */
	if (s == NULL)
		return -ENOMEM;
	unsigned int n = c->dp->n_workers;
	rte_tel_data_start_dict(d);
	for (unsigned int w = 0; w <= n; w++) {
		dp_stats_sum(&c->dp->stats[w], 1, s);
		if (w < n)
			snprintf(key, sizeof(key), "worker%u", w);
		else
			snprintf(key, sizeof(key), "control");
		int lcore =
			w < n ? (int)c->cfg->sys.worker_cores[w] : (int)c->cfg->sys.control_core;
		struct rte_tel_data *x = stats_dict(s, lcore);
		if (x != NULL)
			rte_tel_data_add_dict_container(d, key, x, 0);
	}
	dp_stats_sum(c->dp->stats, n + 1, s);
	struct rte_tel_data *x = stats_dict(s, -1);
	if (x != NULL)
		rte_tel_data_add_dict_container(d, "total", x, 0);
	free(s);
	return 0;
}

static struct rte_tel_data *sys_dict(const struct cfg_system *s)
{
	static const char *const huge[] = {"auto", "true", "false"};
	char buf[RTE_TEL_MAX_STRING_LEN];
	size_t off = 0;
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", s->name);
	rte_tel_data_add_dict_u64(d, "control_core", s->control_core);
	buf[0] = '\0';
	for (unsigned int i = 0; i < s->n_workers && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
					s->worker_cores[i]);
	rte_tel_data_add_dict_string(d, "worker_cores", buf);
	rte_tel_data_add_dict_u64(d, "memory_mb", s->memory_mb);
	rte_tel_data_add_dict_string(d, "hugepages", huge[s->hugepages % 3]);
	rte_tel_data_add_dict_string(d, "telemetry", s->telemetry ? "true" : "false");
	rte_tel_data_add_dict_u64(d, "idle_sleep_us", s->idle_sleep_us);
	rte_tel_data_add_dict_u64(d, "log_level", s->log_level);
	rte_tel_data_add_dict_u64(d, "mbufs", s->mbufs);
	return d;
}

static struct rte_tel_data *cfg_iface_dict(const struct cfg_iface *i)
{
	char buf[RTE_TEL_MAX_STRING_LEN], a[INET6_ADDRSTRLEN];
	struct rte_tel_data *d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "port", i->port);
	for (int f = 0; f < 2; f++) {
		const struct cfg_addr *v = f ? i->v6 : i->v4;
		unsigned int n = f ? i->n_v6 : i->n_v4;
		size_t off = 0;
		buf[0] = '\0';
		for (unsigned int k = 0; k < n && off < sizeof(buf); k++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s/%u",
						k ? " " : "", cfg_addr_str(&v[k], a, sizeof(a)),
						v[k].plen);
		rte_tel_data_add_dict_string(d, f ? "ipv6" : "ipv4", buf);
	}
	rte_tel_data_add_dict_u64(d, "mtu", i->mtu);
	rte_tel_data_add_dict_u64(d, "rx_queues", i->rx_queues);
	rte_tel_data_add_dict_u64(d, "tx_queues", i->tx_queues);
	return d;
}

static int cmd_config(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	char key[64];
	RTE_SET_USED(params);
	const struct config *cfg = c->cfg;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "file", cfg->file);
	struct rte_tel_data *x = sys_dict(&cfg->sys);
	if (x != NULL)
		rte_tel_data_add_dict_container(d, "system", x, 0);
	for (unsigned int i = 0; i < cfg->n_ifaces; i++) {
		snprintf(key, sizeof(key), "iface_%s", cfg->ifaces[i].name);
		x = cfg_iface_dict(&cfg->ifaces[i]);
		if (x != NULL)
			rte_tel_data_add_dict_container(d, key, x, 0);
	}
	rte_tel_data_add_dict_u64(d, "routes", cfg->n_routes);
	return 0;
}

static int cmd_ike_sa(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	unsigned int start;
	if (ike_tel_is_sa_id(params)) { /* one SA by its id, in detail */
		rte_spinlock_lock(&c->lock);
		int rc = ike_tel_sa(c, params, d);
		rte_spinlock_unlock(&c->lock);
		return rc;
	}
	if (page_start(params, &start) != 0)
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	int rc = ike_tel_sas(c, start, d);
	rte_spinlock_unlock(&c->lock);
	return rc;
}

static int cmd_ike_stats(struct ctrl *c, const char *params, struct rte_tel_data *d)
{
	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_spinlock_lock(&c->lock);
	ike_tel_stats(c, d);
	rte_spinlock_unlock(&c->lock);
	return 0;
}

static const struct {
	const char *cmd;
	int (*fn)(struct ctrl *c, const char *params, struct rte_tel_data *d);
	const char *help;
} commands[] = {
	{"/vpnhub/version", cmd_version, "vpnhub, DPDK and intel-ipsec-mb versions. No parameters"},
	{"/vpnhub/interfaces", cmd_interfaces,
	 "Interfaces with addresses and counters. No parameters"},
	{"/vpnhub/routes", cmd_routes, "Routing table, paged. Parameter: start index"},
	{"/vpnhub/neighbors", cmd_neighbors,
	 "ARP/ND neighbor cache, paged. Parameter: start index"},
	{"/vpnhub/ipsec/sa", cmd_ipsec_sa,
	 "IPsec SAs: counters, sequence numbers, lifetimes; never keys. Paged. Parameter: start "
	 "index"},
	{"/vpnhub/ipsec/spd", cmd_ipsec_spd,
	 "Crypto maps: entries, selectors, actions, SAs by SPI, hits. Paged. Parameter: start "
	 "row"},
	{"/vpnhub/ike/sa", cmd_ike_sa,
	 "IKE SAs; never keys. Paged. Parameter: start index, or an SA's id (16 hex digits) for "
	 "that SA in detail"},
	{"/vpnhub/ike/stats", cmd_ike_stats,
	 "IKE messages in and out, drops by reason. No parameters"},
	{"/vpnhub/stats", cmd_stats, "Per-lcore packets, drops by reason, cycles. No parameters"},
	{"/vpnhub/config", cmd_config, "The running configuration. No parameters"},
};

/* The one callback registered for every command: find it, hold the context, run it. */
static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int rc = -ENOENT;
	rte_rwlock_read_lock(&tlock);
	for (size_t i = 0; i < RTE_DIM(commands) && tctx != NULL; i++) {
		if (strcmp(cmd, commands[i].cmd) == 0) {
			rc = commands[i].fn(tctx, params, d);
			break;
		}
	}
	rte_rwlock_read_unlock(&tlock);
	return rc;
}

int telemetry_register(struct ctrl *c)
{
	rte_rwlock_write_lock(&tlock);
	tctx = c;
	rte_rwlock_write_unlock(&tlock);
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		int rc = rte_telemetry_register_cmd(commands[i].cmd, dispatch, commands[i].help);
		if (rc != 0 && rc != -EINVAL)
			return rc;
	}
	return 0;
}

void telemetry_detach(void)
{
	rte_rwlock_write_lock(&tlock);
	tctx = NULL;
	rte_rwlock_write_unlock(&tlock);
}
