/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ipsec.c - manual SAs, VTI interfaces and crypto maps from the config (see ipsec.h).
 *
 * Each SA gets an owning worker (round robin over tunnels, both directions of a tunnel on the
 * same worker) and, inbound, the interface its decrypted packets enter: its tunnel, or the
 * physical interface holding its local address. A VTI's MTU defaults to its underlay's minus
 * the worst-case ESP overhead of its outbound SA, so that inner packets that fit never need
 * outer fragmentation.
 *
 * Order: SAs first, then tunnels, then one SPD per crypto map (dataplane/spd.h), which names its
 * SAs by id. An inbound SA of a crypto map entry gets the entry's mirror image as its selector,
 * so that esp_in can refuse decrypted packets the policy would not have protected (RFC 4301 5.2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_timer.h>
#include <rte_malloc.h>

#include "ctrlplane/ipsec.h"
#include "ctrlplane/log.h"
#include "dataplane/sa.h"
#include "dataplane/spd.h"

RTE_LOG_REGISTER(vh_logtype_ipsec, vpnhub.ipsec, INFO);

#define SA_EVT_SOFT 1
#define SA_EVT_HARD 2
#define SA_POLL_MS  100 /* lifetime events and NAT-T peer moves: cheap, so often */

static ipsec_expiry_fn expiry_hook;

static const struct {
	enum esp_enc enc;
} enc_map[] = {
	[CFG_ENC_NULL] = {ESP_ENC_NULL},
	[CFG_ENC_AES_CBC_128] = {ESP_ENC_AES_CBC},
	[CFG_ENC_AES_CBC_256] = {ESP_ENC_AES_CBC},
	[CFG_ENC_AES_GCM_128] = {ESP_ENC_AES_GCM},
	[CFG_ENC_AES_GCM_256] = {ESP_ENC_AES_GCM},
	[CFG_ENC_CHACHA20_POLY1305] = {ESP_ENC_CHACHA20_POLY1305},
	[CFG_ENC_3DES_CBC] = {ESP_ENC_3DES_CBC},
};

static const enum esp_auth auth_map[] = {
	[CFG_AUTH_NONE] = ESP_AUTH_NONE,
	[CFG_AUTH_HMAC_SHA1_96] = ESP_AUTH_HMAC_SHA1_96,
	[CFG_AUTH_HMAC_SHA256_128] = ESP_AUTH_HMAC_SHA256_128,
	[CFG_AUTH_HMAC_SHA384_192] = ESP_AUTH_HMAC_SHA384_192,
	[CFG_AUTH_HMAC_SHA512_256] = ESP_AUTH_HMAC_SHA512_256,
	[CFG_AUTH_HMAC_MD5_96] = ESP_AUTH_HMAC_MD5_96,
};

int ipsec_xform_conf(const struct cfg_sa *s, struct esp_xform_conf *x)
{
	if (s->enc >= RTE_DIM(enc_map) || s->auth >= RTE_DIM(auth_map))
		return -EINVAL;
	memset(x, 0, sizeof(*x));
	x->enc = enc_map[s->enc].enc;
	x->enc_key = s->enc_key;
	x->enc_key_len = s->enc_key_len;
	x->auth = auth_map[s->auth];
	x->auth_key = s->auth_key;
	x->auth_key_len = s->auth_key_len;
	x->esn = s->esn;
	return 0;
}

/* The physical interface holding addr (an outer address of an SA), or NULL. */
static const struct iface *underlay(struct ctrl *c, uint8_t family, const uint8_t *addr)
{
	for (uint16_t i = 1; i < IFACE_MAX; i++) {
		const struct iface *ifc = iface_get(c->dp->ifaces, i);
		if (ifc != NULL && ifc->kind == IFACE_ETHER && iface_has_addr(ifc, family, addr))
			return ifc;
	}
	return NULL;
}

static uint64_t deadline(uint32_t seconds, uint64_t now)
{
	return seconds ? now + (uint64_t)seconds * rte_get_tsc_hz() : 0;
}

static int sa_conf_of(struct ctrl *c, const struct cfg_sa *s, uint16_t owner, uint16_t ifindex,
		      struct sa_conf *sc)
{
	uint64_t now = rte_rdtsc();
	memset(sc, 0, sizeof(*sc));
	sc->spi = s->spi;
	sc->dir = s->dir == CFG_SA_OUT ? SA_OUT : SA_IN;
	sc->flags = (s->mode == CFG_SA_TUNNEL ? SA_F_TUNNEL : 0) | (s->udp_encap ? SA_F_UDP : 0) |
		    (s->follow_peer ? SA_F_FOLLOW : 0);
	sc->family = s->local.family;
	sc->owner = owner;
	sc->ifindex = ifindex;
	memcpy(sc->local, s->local.bytes, 16);
	memcpy(sc->remote, s->remote.bytes, 16);
	sc->udp_sport = s->udp_sport;
	sc->udp_dport = s->udp_dport;
	sc->window = s->replay_window;
	sc->life = (struct sa_lifetime){
		.soft_bytes = s->life.soft_bytes,
		.hard_bytes = s->life.hard_bytes,
		.soft_pkts = s->life.soft_packets,
		.hard_pkts = s->life.hard_packets,
		.soft_tsc = deadline(s->life.soft_seconds, now),
		.hard_tsc = deadline(s->life.hard_seconds, now),
	};
	RTE_SET_USED(c);
	return ipsec_xform_conf(s, &sc->xf);
}

/* Worst-case bytes ESP adds around an inner packet of sa (RFC 4303 2, RFC 3948 2.1). */
unsigned int ipsec_sa_overhead(const struct sa *sa)
{
	return sa->outer_len + ESP_HDR_LEN + (unsigned int)esp_xform_iv_len(&sa->xf) +
	       (unsigned int)esp_xform_pad_align(&sa->xf) - 1 + ESP_TRAILER_MIN +
	       (unsigned int)esp_xform_icv_len(&sa->xf);
}

/* Tunnel index owning SA i (as outbound or inbound), or -1. */
static int tunnel_of(const struct config *cfg, unsigned int i)
{
	for (unsigned int t = 0; t < cfg->n_tunnels; t++) {
		const struct cfg_tunnel *ct = &cfg->tunnels[t];
		if (ct->sa_out == (int)i)
			return (int)t;
		for (unsigned int k = 0; k < ct->n_sa_in; k++)
			if (ct->sa_in[k] == (int)i)
				return (int)t;
	}
	return -1;
}

static void copy_addrs(struct iface_addr *dst, const struct cfg_addr *src, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		dst[i].family = src[i].family;
		dst[i].plen = src[i].plen;
		memcpy(dst[i].addr, src[i].bytes, 16);
	}
}

/* A VTI has no MAC; its link-local address (OSPFv3 needs one) is fe80::ffff:<ifindex>. */
static struct iface *vti_new(const struct cfg_tunnel *ct, uint16_t ifindex)
{
	struct iface *ifc = rte_zmalloc("vti", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return NULL;
	ifc->ifindex = ifindex;
	ifc->kind = IFACE_VTI;
	ifc->up = 1;
	snprintf(ifc->name, sizeof(ifc->name), "%s", ct->name);
	snprintf(ifc->port_name, sizeof(ifc->port_name), "vti");
	copy_addrs(ifc->v4, ct->v4, ct->n_v4);
	ifc->n_v4 = ct->n_v4;
	copy_addrs(ifc->v6, ct->v6, ct->n_v6);
	ifc->n_v6 = ct->n_v6;
	struct iface_addr *ll = &ifc->v6[ifc->n_v6++];
	ll->family = AF_INET6;
	ll->plen = 64;
	ll->addr[0] = 0xfe;
	ll->addr[1] = 0x80;
	ll->addr[12] = 0xff;
	ll->addr[13] = 0xff;
	ll->addr[14] = (uint8_t)(ifindex >> 8);
	ll->addr[15] = (uint8_t)ifindex;
	return ifc;
}

static int vti_publish(struct ctrl *c, const struct config *cfg, unsigned int t, uint16_t ifindex,
		       const int *sa_ids, char *err, size_t errlen)
{
	const struct cfg_tunnel *ct = &cfg->tunnels[t];
	struct iface *ifc = vti_new(ct, ifindex);
	if (ifc == NULL)
		return -ENOMEM;
	/* Without manual SAs an IKE child keys the VTI; until then it drops (no_tunnel). */
	ifc->sa_out = ct->sa_out >= 0 ? (uint32_t)sa_ids[ct->sa_out] : 0;
	const struct sa *out = sa_get(c->dp->sas, ifc->sa_out);
	const struct iface *u = underlay(c, ct->local.family, ct->local.bytes);
	unsigned int mtu = ct->mtu;
	if (mtu == 0 && out != NULL && u != NULL)
		mtu = u->mtu - ipsec_sa_overhead(out);
	else if (mtu == 0 && u != NULL)
		mtu = u->mtu; /* the child's SA sets the real one when it is installed */
	if (mtu < 576) {
		rte_free(ifc);
		snprintf(err, errlen, "%s:%u: tunnel %s: MTU %u is too small", cfg->file, ct->line,
			 ct->name, mtu);
		return -EINVAL;
	}
	ifc->mtu = (uint16_t)mtu;
	return iface_publish(c->dp->ifaces, ifc) < 0 ? -ENOSPC : 0;
}

/* The crypto map entry naming SA i (as sa_out or in sa_in), or NULL. */
static const struct cfg_cmap_entry *cmap_entry_of(const struct config *cfg, unsigned int i)
{
	for (unsigned int m = 0; m < cfg->n_cmaps; m++) {
		for (unsigned int k = 0; k < cfg->cmaps[m].n_entries; k++) {
			const struct cfg_cmap_entry *e = &cfg->cmaps[m].entries[k];
			for (unsigned int j = 0; j < e->n_sa_in; j++)
				if (e->sa_in[j] == (int)i)
					return e;
			if (e->sa_out == (int)i)
				return e;
		}
	}
	return NULL;
}

void ipsec_sel_inbound(struct sa_conf *sc, uint8_t proto, const struct cfg_addr *peer,
		       uint16_t peer_lo, uint16_t peer_hi, const struct cfg_addr *ours,
		       uint16_t our_lo, uint16_t our_hi)
{
	struct sa_sel *s = &sc->sel[0];
	memset(s, 0, sizeof(*s));
	s->family = ours->family;
	s->proto = proto;
	s->src_plen = peer->plen;
	s->dst_plen = ours->plen;
	memcpy(s->src, peer->bytes, sizeof(s->src));
	memcpy(s->dst, ours->bytes, sizeof(s->dst));
	s->sport_lo = peer_lo;
	s->sport_hi = peer_hi;
	s->dport_lo = our_lo;
	s->dport_hi = our_hi;
	sc->n_sel = 1;
}

/*
 * An inbound SA of a crypto map entry takes what the entry's mirror image matches: the entry's
 * destination is the peer's side. sa_sel has no "protocol 0", so proto 0 means any.
 */
static void cmap_selector(const struct cfg_cmap_entry *e, struct sa_conf *sc)
{
	ipsec_sel_inbound(sc, e->proto_any ? 0 : e->proto, &e->dst, e->dport_lo, e->dport_hi,
			  &e->src, e->sport_lo, e->sport_hi);
}

static int install_sas(struct ctrl *c, const struct config *cfg, uint16_t first_tunnel, int *sa_ids,
		       char *err, size_t errlen)
{
	for (unsigned int i = 0; i < cfg->n_sas; i++) {
		const struct cfg_sa *s = &cfg->sas[i];
		struct sa_conf sc;
		int t = tunnel_of(cfg, i);
		const struct iface *u = underlay(c, s->local.family, s->local.bytes);
		const struct cfg_cmap_entry *e = cmap_entry_of(cfg, i);
		uint16_t ifindex = t >= 0 ? (uint16_t)(first_tunnel + t) : (u ? u->ifindex : 0);
		uint16_t owner = (uint16_t)((t >= 0 ? (unsigned int)t : i) % c->dp->n_workers);
		int rc = sa_conf_of(c, s, owner, ifindex, &sc);
		if (rc == 0 && e != NULL && sc.dir == SA_IN)
			cmap_selector(e, &sc);
		if (rc == 0)
			rc = sa_install(c->dp->sas, &sc, err, errlen);
		if (rc < 0) {
			char msg[256];
			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "%s:%u: SA %s: %s", cfg->file, s->line, s->name, msg);
			return rc;
		}
		sa_ids[i] = rc;
	}
	return 0;
}

/* An entry of the config as the SPD takes it; SAs by their installed ids. */
static void cmap_rule(const struct cfg_cmap_entry *e, const int *sa_ids, struct spd_rule *r)
{
	static const uint8_t actions[] = {
		[CFG_CMAP_PROTECT] = SPD_PROTECT,
		[CFG_CMAP_BYPASS] = SPD_BYPASS,
		[CFG_CMAP_DISCARD] = SPD_DISCARD,
	};
	memset(r, 0, sizeof(*r));
	r->seq = e->seq;
	r->action = e->action < RTE_DIM(actions) ? actions[e->action] : SPD_DISCARD;
	r->family = e->src.family;
	r->proto_any = e->proto_any;
	r->proto = e->proto;
	r->src_plen = e->src.plen;
	r->dst_plen = e->dst.plen;
	memcpy(r->src, e->src.bytes, sizeof(r->src));
	memcpy(r->dst, e->dst.bytes, sizeof(r->dst));
	r->sport_lo = e->sport_lo;
	r->sport_hi = e->sport_hi;
	r->dport_lo = e->dport_lo;
	r->dport_hi = e->dport_hi;
	r->sa_out = e->sa_out >= 0 ? (uint32_t)sa_ids[e->sa_out] : 0;
	r->ike = e->action == CFG_CMAP_PROTECT && e->sa_out < 0; /* the SA comes from IKE */
	for (unsigned int j = 0; j < e->n_sa_in && j < SPD_SA_IN_MAX; j++)
		r->sa_in[r->n_sa_in++] = (uint32_t)sa_ids[e->sa_in[j]];
}

static void cmap_log(const struct spd *spd, const char *ifname)
{
	unsigned int n[SPD_ACTIONS] = {0};
	for (uint32_t i = 0; i < spd->n; i++)
		n[spd->rule[i].action % SPD_ACTIONS]++;
	IPSEC_LOG(INFO,
		  "crypto map %s on %s: %u entries (%u protect, %u bypass, %u discard); "
		  "no match: bypass",
		  spd->name, ifname, spd->n, n[SPD_PROTECT], n[SPD_BYPASS], n[SPD_DISCARD]);
}

/* Build map m's SPD and publish it on its interface (telemetry reads SPDs under c->lock). */
static int cmap_install(struct ctrl *c, const struct config *cfg, unsigned int m, const int *sa_ids,
			char *err, size_t errlen)
{
	const struct cfg_crypto_map *cm = &cfg->cmaps[m];
	const struct iface *ifc = iface_by_name(c->dp->ifaces, cfg->ifaces[cm->iface].name);
	struct spd_rule *rules = calloc(cm->n_entries + 1, sizeof(*rules));
	struct spd *spd = NULL;
	char msg[256] = "out of memory";
	if (rules != NULL && ifc != NULL) {
		for (unsigned int k = 0; k < cm->n_entries; k++)
			cmap_rule(&cm->entries[k], sa_ids, &rules[k]);
		spd = spd_build(cm->name, ifc->ifindex, rules, cm->n_entries, c->dp->n_workers + 1,
				msg, sizeof(msg));
	}
	free(rules);
	if (spd == NULL) {
		snprintf(err, errlen, "%s:%u: crypto map %s: %s", cfg->file, cm->line, cm->name,
			 ifc == NULL ? "no such interface" : msg);
		return ifc == NULL ? -ENODEV : -ENOMEM;
	}
	rte_spinlock_lock(&c->lock);
	spd_publish(c->dp->spd, ifc->ifindex, spd);
	rte_spinlock_unlock(&c->lock);
	cmap_log(spd, ifc->name);
	return 0;
}

static int cmaps_install(struct ctrl *c, const struct config *cfg, const int *sa_ids, char *err,
			 size_t errlen)
{
	int rc = 0;
	if (cfg->n_cmaps == 0)
		return 0;
	if (c->dp->spd == NULL)
		c->dp->spd = spd_table_create(c->dp->qsbr);
	if (c->dp->spd == NULL)
		return -ENOMEM;
	for (unsigned int m = 0; m < cfg->n_cmaps && rc == 0; m++)
		rc = cmap_install(c, cfg, m, sa_ids, err, errlen);
	return rc;
}

void ipsec_on_expiry(ipsec_expiry_fn fn)
{
	expiry_hook = fn;
}

static bool soft_due(const struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	return __atomic_load_n(&sa->soft_fired, __ATOMIC_ACQUIRE) ||
	       (l->soft_tsc && now >= l->soft_tsc);
}

static bool hard_due(const struct sa *sa, uint64_t now)
{
	const struct sa_lifetime *l = &sa->life;
	return __atomic_load_n(&sa->hard_expired, __ATOMIC_RELAXED) ||
	       (l->hard_tsc && now >= l->hard_tsc);
}

static void raise_event(struct ctrl *c, const struct sa *sa, bool hard)
{
	if (hard)
		IPSEC_LOG(WARNING,
			  "SA %u (SPI 0x%08x, %s) reached its hard lifetime: it carries no "
			  "more traffic",
			  sa->id, rte_be_to_cpu_32(sa->spi_be), sa->dir == SA_IN ? "in" : "out");
	else
		IPSEC_LOG(INFO, "SA %u (SPI 0x%08x, %s) reached its soft lifetime: rekey due",
			  sa->id, rte_be_to_cpu_32(sa->spi_be), sa->dir == SA_IN ? "in" : "out");
	if (expiry_hook != NULL)
		expiry_hook(c, sa->id, hard);
}

void ipsec_lifetime_poll(struct ctrl *c)
{
	uint64_t now = rte_rdtsc();
	if (c->sa_events == NULL)
		return;
	for (uint32_t id = 1; id < c->dp->sas->cap; id++) {
		const struct sa *sa = sa_get(c->dp->sas, id);
		if (sa == NULL) {
			c->sa_events[id] = 0;
			continue;
		}
		if (!(c->sa_events[id] & SA_EVT_SOFT) && soft_due(sa, now)) {
			c->sa_events[id] |= SA_EVT_SOFT;
			raise_event(c, sa, false);
		}
		if (!(c->sa_events[id] & SA_EVT_HARD) && hard_due(sa, now)) {
			c->sa_events[id] |= SA_EVT_HARD;
			raise_event(c, sa, true);
		}
	}
}

/* Copy an inbound SA's peer under its sequence lock; false while the worker is changing it. */
static bool peer_read(const struct sa *sa, uint8_t *addr, uint16_t *port_be, uint32_t *gen)
{
	uint32_t g1 = __atomic_load_n(&sa->peer_gen, __ATOMIC_ACQUIRE);
	if (g1 & 1)
		return false;
	memcpy(addr, sa->peer_addr, 16);
	*port_be = sa->peer_port_be;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*gen = g1;
	return __atomic_load_n(&sa->peer_gen, __ATOMIC_RELAXED) == g1;
}

/*
 * NAT-T (RFC 3948): when authenticated packets of a following inbound SA come from a new
 * address or port, its tunnel's outbound SA is re-pointed there. Control lcore.
 */
void ipsec_peer_poll(struct ctrl *c)
{
	for (uint32_t id = 1; c->sa_peer_gen != NULL && id < c->dp->sas->cap; id++) {
		const struct sa *sa = sa_get(c->dp->sas, id);
		uint8_t addr[16];
		uint16_t port;
		uint32_t gen;
		if (sa == NULL || !(sa->flags & SA_F_FOLLOW) || sa->dir != SA_IN ||
		    !peer_read(sa, addr, &port, &gen) || gen == c->sa_peer_gen[id])
			continue;
		c->sa_peer_gen[id] = gen;
		const struct iface *t = iface_get(c->dp->ifaces, sa->ifindex);
		if (t == NULL || t->kind != IFACE_VTI || t->sa_out == 0)
			continue;
		char a[INET6_ADDRSTRLEN];
		inet_ntop(sa->family, addr, a, sizeof(a));
		rte_spinlock_lock(&c->lock);
		int rc = sa_set_peer(c->dp->sas, t->sa_out, addr, port);
		/* what operators see for the inbound SA too; workers never read it */
		memcpy(((struct sa *)(uintptr_t)sa)->remote, addr, sa->family == AF_INET ? 4 : 16);
		rte_spinlock_unlock(&c->lock);
		IPSEC_LOG(INFO, "tunnel %s: peer moved to %s port %u%s", t->name, a,
			  rte_be_to_cpu_16(port), rc == 0 ? "" : " (outbound SA not updated)");
	}
}

static void on_poll(struct rte_timer *t, void *arg)
{
	RTE_SET_USED(t);
	ipsec_lifetime_poll(arg);
	ipsec_peer_poll(arg);
}

void ipsec_fini(struct ctrl *c)
{
	if (c->dp != NULL) { /* workers have stopped: no reader left */
		spd_table_destroy(c->dp->spd);
		c->dp->spd = NULL;
	}
	if (c->sa_events == NULL)
		return;
	rte_timer_stop(&c->sa_timer);
	free(c->sa_events);
	free(c->sa_peer_gen);
	c->sa_events = NULL;
	c->sa_peer_gen = NULL;
}

int ipsec_load(struct ctrl *c, const struct config *cfg, char *err, size_t errlen)
{
	uint16_t first_tunnel = (uint16_t)(cfg->n_ifaces + 1);
	int rc = 0;
	c->sa_events = calloc(c->dp->sas->cap, 1);
	c->sa_peer_gen = calloc(c->dp->sas->cap, sizeof(*c->sa_peer_gen));
	if (c->sa_events == NULL || c->sa_peer_gen == NULL)
		return -ENOMEM;
	rte_timer_init(&c->sa_timer);
	rte_timer_reset(&c->sa_timer, rte_get_timer_hz() / 1000 * SA_POLL_MS, PERIODICAL,
			rte_lcore_id(), on_poll, c);
	int *sa_ids = calloc(cfg->n_sas + 1, sizeof(*sa_ids));
	if (sa_ids == NULL)
		return -ENOMEM;
	rc = install_sas(c, cfg, first_tunnel, sa_ids, err, errlen);
	for (unsigned int t = 0; t < cfg->n_tunnels && rc == 0; t++)
		if (!cfg->tunnels[t].template) /* a template's clones come with their IKE SAs */
			rc = vti_publish(c, cfg, t, (uint16_t)(first_tunnel + t), sa_ids, err,
					 errlen);
	if (rc == 0)
		rc = cmaps_install(c, cfg, sa_ids, err, errlen);
	free(sa_ids);
	return rc;
}
