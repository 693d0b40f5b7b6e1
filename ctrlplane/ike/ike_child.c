/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_child.c - a negotiated Child SA into the data plane and out of it
 * (RFC 7296 2.17 for the keys; dataplane/sa.h for the SAs).
 *
 * The inbound SA is installed first and is live before the response that announces its SPI
 * leaves; the outbound SA then takes over the child's VTI in one interface publication (the
 * MTU follows the SA's overhead). ESP goes in UDP 4500 when the IKE SA saw a NAT or the config
 * forces encapsulation (RFC 3948). Removal unbinds the VTI first, so no packet is sent with a
 * freed SA. Control lcore only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "crypto/esp_xform.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_ts.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/ipsec.h"
#include "ctrlplane/tables.h"
#include "ctrlplane/log.h"
#include "dataplane/iface.h"
#include "dataplane/sa.h"

/* ESP encryption key octets of the negotiated transform (salt included for the AEADs). */
size_t ike_child_encr_len(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case IKEV1_ID_ENCR_3DES: /* legacy (ipsec.legacy), RFC 2451 */
		return 24;
	case IKE_ENCR_AES_CBC:
		return bits / 8u;
	case IKE_ENCR_AES_GCM_16:
		return bits / 8u + 4;
	case IKE_ENCR_CHACHA20_POLY1305:
		return 36;
	default:
		return 0;
	}
}

size_t ike_child_integ_len(uint16_t integ)
{
	switch (integ) {
	case IKEV1_ID_INTEG_MD5: /* legacy (ipsec.legacy), RFC 2403 */
		return 16;
	case IKE_INTEG_HMAC_SHA1_96:
		return 20;
	case IKE_INTEG_HMAC_SHA2_256_128:
		return 32;
	case IKE_INTEG_HMAC_SHA2_384_192:
		return 48;
	case IKE_INTEG_HMAC_SHA2_512_256:
		return 64;
	default:
		return 0;
	}
}

size_t ike_child_keymat_len(const struct ike_child *ch)
{
	return 2 * (ike_child_encr_len(ch->encr, ch->encr_bits) + ike_child_integ_len(ch->integ));
}

static int xform_of(const struct ike_child *ch, const uint8_t *ekey, const uint8_t *akey,
		    struct esp_xform_conf *x)
{
	memset(x, 0, sizeof(*x));
	x->enc = ch->encr == IKE_ENCR_AES_CBC	   ? ESP_ENC_AES_CBC
		 : ch->encr == IKE_ENCR_AES_GCM_16 ? ESP_ENC_AES_GCM
		 : ch->encr == IKEV1_ID_ENCR_3DES  ? ESP_ENC_3DES_CBC
						   : ESP_ENC_CHACHA20_POLY1305;
	x->enc_key = ekey;
	x->enc_key_len = ike_child_encr_len(ch->encr, ch->encr_bits);
	x->auth = ch->integ == IKE_INTEG_HMAC_SHA1_96	     ? ESP_AUTH_HMAC_SHA1_96
		  : ch->integ == IKE_INTEG_HMAC_SHA2_256_128 ? ESP_AUTH_HMAC_SHA256_128
		  : ch->integ == IKE_INTEG_HMAC_SHA2_384_192 ? ESP_AUTH_HMAC_SHA384_192
		  : ch->integ == IKE_INTEG_HMAC_SHA2_512_256 ? ESP_AUTH_HMAC_SHA512_256
		  : ch->integ == IKEV1_ID_INTEG_MD5	     ? ESP_AUTH_HMAC_MD5_96
							     : ESP_AUTH_NONE;
	x->auth_key = akey;
	x->auth_key_len = ike_child_integ_len(ch->integ);
	x->esn = ch->esn;
	return x->enc_key_len ? 0 : -ENOTSUP;
}

/* Soft and hard limits, the soft one brought forward by up to jitter percent (spread rekeys). */
static void lifetime(const struct ike_sa *sa, const struct ike_child *ch, struct sa_lifetime *l)
{
	const struct cfg_ike_child *cc = ch->cfg;
	uint64_t hz = rte_get_timer_hz(), now = rte_rdtsc(), tsc_hz = rte_get_tsc_hz();
	uint32_t r = 0;
	unsigned int jitter = sa->peer != NULL ? sa->peer->jitter : 0;
	RTE_SET_USED(hz);
	RAND_bytes((uint8_t *)&r, sizeof(r));
	memset(l, 0, sizeof(*l));
	/* IKEv1: a peer's shorter lifetime; the rekey comes at 9/10 of it at the latest */
	unsigned int rekey = cc->rekey_time, life = cc->life_time;
	if (ch->life_s != 0 && (life == 0 || ch->life_s < life)) {
		life = ch->life_s;
		rekey = rekey == 0 || rekey > life * 9 / 10 ? life * 9 / 10 : rekey;
	}
	if (rekey) {
		uint64_t soft = rekey * 1000ull;
		if (jitter)
			soft -= soft * (r % (jitter + 1)) / 100;
		l->soft_tsc = now + soft * tsc_hz / 1000;
	}
	if (life)
		l->hard_tsc = now + (uint64_t)life * tsc_hz;
	l->soft_bytes = cc->rekey_bytes;
	l->soft_pkts = cc->rekey_packets;
	if (ch->life_kb != 0) { /* IKEv1 (RFC 2407 4.5): hard at the limit, rekey at 9/10 of it */
		l->hard_bytes = (uint64_t)ch->life_kb * 1024;
		if (l->soft_bytes == 0 || l->soft_bytes > l->hard_bytes / 10 * 9)
			l->soft_bytes = l->hard_bytes / 10 * 9;
	}
}

/*
 * A crypto map child's inbound SA takes what its entry's mirror image matches (RFC 4301 5.2
 * step 4, as ipsec.c's manual SAs): the peer's side, remote_ts, is the source.
 */
static void cmap_sel(const struct cfg_ike_child *cc, struct sa_conf *c)
{
	const struct cfg_ike_ts *l = &cc->local_ts[0], *r = &cc->remote_ts[0];
	ipsec_sel_inbound(c, l->proto, &r->prefix, r->port_lo, r->port_hi, &l->prefix, l->port_lo,
			  l->port_hi);
}

static void sa_conf_fill(const struct ike_sa *sa, const struct ike_child *ch, uint8_t dir,
			 uint16_t ifindex, struct sa_conf *c)
{
	const struct cfg_ike_child *cc = ch->cfg;
	memset(c, 0, sizeof(*c));
	c->spi = dir == SA_IN ? ch->spi_in : ch->spi_out;
	c->dir = dir;
	c->flags = (ch->transport ? 0 : SA_F_TUNNEL) | (sa->natt ? SA_F_UDP : 0);
	c->family = sa->path.family;
	c->owner = (uint16_t)(ch->spi_in % sa->ike->c->dp->n_workers);
	c->ifindex = ifindex;
	memcpy(c->local, sa->path.local, 16);
	memcpy(c->remote, sa->path.remote, 16);
	c->udp_sport = IKE_PORT_NATT;
	c->udp_dport = sa->path.rport;
	c->window = cc->replay_window;
	lifetime(sa, ch, &c->life);
	if (dir == SA_IN && cc->cmap >= 0 && cc->n_local_ts > 0 && cc->n_remote_ts > 0)
		cmap_sel(cc, c);
}

/* The VTI of the child, or NULL (a policy-based child: selectors only). */
/* The child's tunnel in the config, or NULL. */
static const struct cfg_tunnel *tunnel_of(const struct ike_sa *sa, const struct ike_child *ch)
{
	return ch->cfg->tunnel >= 0 ? &sa->ike->cfg->tunnels[ch->cfg->tunnel] : NULL;
}

/* The VTI of the child (a static one, or its template's clone), or NULL (policy only). */
static const struct iface *vti_of(const struct ike_sa *sa, const struct ike_child *ch)
{
	const struct cfg_tunnel *ct = tunnel_of(sa, ch);
	const struct iface *t;
	if (ct == NULL)
		return NULL;
	if (ct->template)
		t = ch->va != 0 ? iface_get(sa->ike->c->dp->ifaces, ch->va) : NULL;
	else
		t = iface_by_name(sa->ike->c->dp->ifaces, ct->name);
	return t != NULL && t->kind == IFACE_VTI ? t : NULL;
}

/*
 * A dynamic VTI: a clone of the child's template for this spoke, "<template>_<n>" (unnumbered:
 * its routes are the ones injected for the spoke). Up before the inbound SA names it.
 */
static int va_create(struct ike_sa *sa, struct ike_child *ch)
{
	struct ctrl *c = sa->ike->c;
	const struct cfg_tunnel *ct = tunnel_of(sa, ch);
	struct iface *ifc = rte_zmalloc("vti", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -ENOMEM;
	ifc->kind = IFACE_VTI;
	ifc->up = 1;
	ifc->mtu = ct->mtu != 0 ? (uint16_t)ct->mtu : 1400; /* vti_bind sets the real one */
	/* telemetry names allow letters, digits, '_' and '/' only */
	snprintf(ifc->name, sizeof(ifc->name), "%.20s_%u", ct->name, sa->ike->va_next++);
	snprintf(ifc->port_name, sizeof(ifc->port_name), "vti (template %s, peer %s)", ct->name,
		 sa->peer->name);
	rte_spinlock_lock(&c->lock);
	int rc = iface_publish(c->dp->ifaces, ifc);
	rte_spinlock_unlock(&c->lock);
	if (rc < 0) {
		rte_free(ifc);
		return rc;
	}
	ch->va = (uint16_t)rc;
	ch->va_owner = true;
	return 0;
}

/* Republish VTI t with outbound SA out_id (0: none) and the MTU that SA leaves. */
static int vti_bind(struct ike_sa *sa, const struct iface *t, uint32_t out_id,
		    const struct cfg_tunnel *ch_tunnel)
{
	struct ctrl *c = sa->ike->c;
	struct iface *n = rte_malloc("vti", sizeof(*n), RTE_CACHE_LINE_SIZE);
	if (n == NULL)
		return -ENOMEM;
	*n = *t;
	n->sa_out = out_id;
	const struct sa *out = out_id ? sa_get(c->dp->sas, out_id) : NULL;
	const struct cfg_tunnel *ct = ch_tunnel;
	if (out != NULL && ct != NULL && ct->mtu == 0) {
		for (uint16_t i = 1; i < IFACE_MAX; i++) {
			const struct iface *u = iface_get(c->dp->ifaces, i);
			if (u != NULL && u->kind == IFACE_ETHER &&
			    iface_has_addr(u, sa->path.family, sa->path.local))
				n->mtu = (uint16_t)(u->mtu - ipsec_sa_overhead(out));
		}
	}
	rte_spinlock_lock(&c->lock);
	int rc = iface_publish(c->dp->ifaces, n);
	rte_spinlock_unlock(&c->lock);
	return rc < 0 ? rc : 0;
}

/* A crypto map child: the map's interface, where its decrypted packets enter; else 0. */
static uint16_t cmap_if(const struct ike_sa *sa, const struct ike_child *ch)
{
	const struct config *cfg = sa->ike->cfg;
	if (ch->cfg->cmap < 0)
		return 0;
	const struct cfg_crypto_map *cm = &cfg->cmaps[ch->cfg->cmap];
	const struct iface *ifc =
		iface_by_name(sa->ike->c->dp->ifaces, cfg->ifaces[cm->iface].name);
	return ifc != NULL ? ifc->ifindex : 0;
}

uint32_t ike_child_spi(void)
{
	uint32_t v = 0;
	while (v < 256) /* 1..255 are reserved (RFC 4303 2.1) */
		RAND_bytes((uint8_t *)&v, sizeof(v));
	return v;
}

static int install_one(struct ike_sa *sa, struct ike_child *ch, uint8_t dir, uint16_t ifindex,
		       const uint8_t *ekey, const uint8_t *akey, uint32_t *id)
{
	struct ctrl *c = sa->ike->c;
	struct sa_conf sc;
	char err[256];
	sa_conf_fill(sa, ch, dir, ifindex, &sc);
	int rc = xform_of(ch, ekey, akey, &sc.xf);
	if (rc == 0) {
		rte_spinlock_lock(&c->lock);
		rc = sa_install(c->dp->sas, &sc, err, sizeof(err));
		rte_spinlock_unlock(&c->lock);
	}
	OPENSSL_cleanse(&sc, sizeof(sc));
	if (rc < 0) {
		IKE_LOG(ERR, "child %s: %s SA: %s", ch->cfg->name, dir == SA_IN ? "in" : "out",
			rc == -ENOTSUP ? "transform not supported" : err);
		return rc;
	}
	*id = (uint32_t)rc;
	if (c->sa_events != NULL) /* a recycled id starts without lifetime events */
		c->sa_events[rc] = 0;
	return 0;
}

/*
 * Reverse route injection: the prefixes the spoke negotiated (a template's clone) or was given
 * (its CP address) point at the child's VTI. A child that is not ACTIVE (a rekey's result)
 * inherits the routes at the flip instead.
 */
static void rri_add(struct ike_sa *sa, struct ike_child *ch, uint16_t ifindex)
{
	const struct cfg_tunnel *ct = tunnel_of(sa, ch);
	if (ifindex == 0 || ct == NULL || (!ct->template && !ch->cfg->remote_dynamic)) {
		ch->n_rri = 0;
		return;
	}
	for (uint8_t i = 0; i < ch->n_rri; i++) {
		const struct ike_rri *r = &ch->rri[i];
		if (tables_route_add(sa->ike->c, r->family, r->addr, r->plen, ifindex) != 0)
			IKE_LOG(WARNING, "child %s of %s: route %u not injected", ch->cfg->name,
				sa->peer->name, i);
	}
	ch->va_owner = true;
}

static void rri_del(struct ike_sa *sa, struct ike_child *ch, uint16_t ifindex)
{
	for (uint8_t i = 0; i < ch->n_rri; i++)
		tables_route_del(sa->ike->c, ch->rri[i].family, ch->rri[i].addr, ch->rri[i].plen,
				 ifindex);
	ch->n_rri = 0;
}

/*
 * Does another IKE SA's live child key static VTI t? Then the peer is replacing that IKE SA
 * (reauthentication, 2.8.3) and may not have the new child's inbound SA yet: as the responder of
 * the exchange the hub must not send on the new SA before the peer shows it has it.
 */
static bool vti_held(const struct ike_sa *sa, const struct iface *t)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	if (t->sa_out == 0)
		return false;
	while (rte_hash_iterate(sa->ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *o = data;
		for (unsigned int i = 0; o != sa && i < o->n_child; i++)
			if (o->child[i].sa_out == t->sa_out && o->child[i].state == IKE_CH_ACTIVE)
				return true;
	}
	return false;
}

/* Bind the VTI of a child that waited for it (bind_pending); its routes come with it. */
static void bind_now(struct ike_sa *sa, struct ike_child *ch)
{
	const struct iface *t = vti_of(sa, ch);
	ch->bind_pending = false;
	if (t == NULL || vti_bind(sa, t, ch->sa_out, tunnel_of(sa, ch)) != 0)
		return;
	IKE_LOG(INFO, "child %s of %s takes %s over (SPI out 0x%08x)", ch->cfg->name,
		sa->peer->name,
		ch->cfg->tunnel >= 0 ? sa->ike->cfg->tunnels[ch->cfg->tunnel].name : "?",
		ch->spi_out);
}

/* The VTI goes free: a child of another IKE SA waiting for it takes it (true), in one go. */
static bool vti_handover(struct ike_sa *gone, int tunnel)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(gone->ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *o = data;
		for (unsigned int i = 0; o != gone && i < o->n_child; i++) {
			struct ike_child *ch = &o->child[i];
			if (ch->bind_pending && ch->cfg->tunnel == tunnel) {
				bind_now(o, ch);
				return true;
			}
		}
	}
	return false;
}

int ike_child_install(struct ike_sa *sa, struct ike_child *ch, const uint8_t *keymat, bool bind)
{
	size_t el = ike_child_encr_len(ch->encr, ch->encr_bits),
	       al = ike_child_integ_len(ch->integ);
	/* 2.17: the initiator-to-responder keys come first */
	const uint8_t *ei = keymat, *ai = keymat + el, *er = ai + al, *ar = er + el;
	/* the initiator of the exchange that made the child, not of the IKE SA (2.17) */
	const uint8_t *in_e = ch->local_init ? er : ei, *in_a = ch->local_init ? ar : ai;
	const uint8_t *out_e = ch->local_init ? ei : er, *out_a = ch->local_init ? ai : ar;
	const struct cfg_tunnel *ct = tunnel_of(sa, ch);
	if (ct != NULL && ct->template && ch->va == 0 && va_create(sa, ch) != 0)
		return -ENOMEM;
	const struct iface *t = vti_of(sa, ch);
	uint16_t in_if = t != NULL ? t->ifindex : cmap_if(sa, ch);
	char vti[IFACE_NAME_MAX + 8] = ""; /* vti_bind republishes the interface: t goes with it */
	if (t != NULL)
		snprintf(vti, sizeof(vti), " on %s", t->name);
	bool offered = ch->spi_in != 0; /* the SPI is in our request already: no second pick */
	int rc = -EEXIST;
	for (int tries = 0; tries < 8 && rc == -EEXIST; tries++) {
		if (!offered)
			ch->spi_in = ike_child_spi();
		rc = install_one(sa, ch, SA_IN, in_if, in_e, in_a, &ch->sa_in);
		if (offered)
			break;
	}
	if (rc != 0)
		return rc;
	rc = install_one(sa, ch, SA_OUT, 0, out_e, out_a, &ch->sa_out);
	ch->bind_pending =
		rc == 0 && t != NULL && bind && !ct->template && !ch->local_init && vti_held(sa, t);
	if (rc == 0 && t != NULL && bind && !ch->bind_pending)
		rc = vti_bind(sa, t, ch->sa_out, tunnel_of(sa, ch));
	if (rc != 0) {
		ike_child_remove(sa, ch);
		return rc;
	}
	if (bind) {
		rri_add(sa, ch, in_if);
		ike_acq_bind(sa, ch); /* a crypto map entry it keys */
	}
	ch->installed_tsc = ike_now(sa->ike);
	sa->ike->st.children_installed++;
	ike_sa_log_child_keys(sa, ch, in_e, in_a, out_e, out_a, el, al);
	IKE_LOG(INFO, "child %s of %s: SPI in 0x%08x out 0x%08x%s%s", ch->cfg->name, sa->peer->name,
		ch->spi_in, ch->spi_out, vti,
		!bind && sa->v1 != NULL ? " (takes over when its Quick Mode completes)"
		: !bind			? " (rekey: takes over when the old one goes)"
		: ch->bind_pending	? " (takes over when the peer uses it or the old one goes)"
					: "");
	return 0;
}

void ike_child_remove(struct ike_sa *sa, struct ike_child *ch)
{
	struct ctrl *c = sa->ike->c;
	const struct iface *t = vti_of(sa, ch);
	if (t != NULL && ch->va_owner)
		rri_del(sa, ch, t->ifindex);
	if (t != NULL && ch->sa_out != 0 && t->sa_out == ch->sa_out &&
	    !vti_handover(sa, ch->cfg->tunnel))
		vti_bind(sa, t, 0, tunnel_of(sa, ch));
	ike_acq_unbind(sa, ch);
	rte_spinlock_lock(&c->lock);
	if (ch->sa_out != 0)
		sa_remove(c->dp->sas, ch->sa_out);
	if (ch->sa_in != 0)
		sa_remove(c->dp->sas, ch->sa_in);
	if (ch->va != 0 && ch->va_owner) /* no SA names the clone any more */
		iface_remove(c->dp->ifaces, ch->va);
	rte_spinlock_unlock(&c->lock);
	ch->sa_in = ch->sa_out = 0;
	ch->va_owner = false;
}

static const struct cfg_ike_ts ts_any[] = {
	{.prefix = {.family = AF_INET, .plen = 0}, .proto = 0, .port_lo = 0, .port_hi = 65535},
	{.prefix = {.family = AF_INET6, .plen = 0}, .proto = 0, .port_lo = 0, .port_hi = 65535},
};

const struct cfg_ike_child *ike_child_select(const struct ike_sa *sa, const struct ike_msg *m,
					     const struct cfg_ike_child *only,
					     struct ike_ts_set *tsi, struct ike_ts_set *tsr)
{
	const struct ike_payload *pi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *pr = ike_msg_find(m, IKE_PL_TSR, NULL);
	bool ours = (m->hdr.flags & IKE_FLAG_R) != 0; /* an answer: we initiated the exchange */
	for (unsigned int i = 0; i < sa->peer->n_children; i++) {
		const struct cfg_ike_child *cc = &sa->peer->children[i];
		if (only != NULL && cc != only)
			continue;
		const struct cfg_ike_ts *rem = cc->n_remote_ts ? cc->remote_ts : ts_any;
		const struct cfg_ike_ts *loc = cc->n_local_ts ? cc->local_ts : ts_any;
		unsigned int nr = cc->n_remote_ts ? cc->n_remote_ts : RTE_DIM(ts_any);
		struct cfg_ike_ts vip[2];
		if (cc->remote_dynamic) { /* the addresses the peer's pools gave it (3.15) */
			nr = ike_ts_vip(sa, vip);
			if (nr == 0)
				continue;
			rem = vip;
		}
		unsigned int nl = cc->n_local_ts ? cc->n_local_ts : RTE_DIM(ts_any);
		/* TSi is the initiator's side (2.9): the peer's when it asked, ours in an answer */
		if (ours && ike_ts_narrow(m, pi, loc, nl, tsi) > 0 &&
		    ike_ts_narrow(m, pr, rem, nr, tsr) > 0)
			return cc;
		if (!ours && ike_ts_narrow(m, pi, rem, nr, tsi) > 0 &&
		    ike_ts_narrow(m, pr, loc, nl, tsr) > 0)
			return cc;
	}
	return NULL;
}

int ike_child_describe(struct ike_wr *w, const struct ike_child *c, struct ike_choice *ch,
		       const struct ike_ts_set *tsi, const struct ike_ts_set *tsr)
{
	uint8_t spi[4] = {(uint8_t)(c->spi_in >> 24), (uint8_t)(c->spi_in >> 16),
			  (uint8_t)(c->spi_in >> 8), (uint8_t)c->spi_in};
	memcpy(ch->spi, spi, 4);
	ch->spi_size = 4;
	int rc = ike_prop_write(w, ch, IKE_PROTO_ESP);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSI, tsi->ts, tsi->n);
	if (rc == 0)
		rc = ike_wr_ts(w, IKE_PL_TSR, tsr->ts, tsr->n);
	if (rc == 0 && c->transport)
		rc = ike_wr_notify(w, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	return rc;
}

int ike_child_by_spi_out(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].spi_out == spi && sa->child[i].state != IKE_CH_OLD)
			return (int)i;
	return -1;
}

int ike_child_by_spi_in(const struct ike_sa *sa, uint32_t spi)
{
	for (unsigned int i = 0; i < sa->n_child; i++)
		if (sa->child[i].spi_in == spi)
			return (int)i;
	return -1;
}

void ike_child_forget(struct ike_sa *sa, unsigned int i)
{
	sa->child[i] = sa->child[--sa->n_child];
}

void ike_child_bind(struct ike_sa *sa, struct ike_child *ch)
{
	const struct iface *t = vti_of(sa, ch);
	uint16_t ifindex = t != NULL ? t->ifindex : 0; /* vti_bind republishes t */
	char name[IFACE_NAME_MAX] = "";
	ch->state = IKE_CH_ACTIVE;
	if (t != NULL) {
		snprintf(name, sizeof(name), "%s", t->name);
		vti_bind(sa, t, ch->sa_out, tunnel_of(sa, ch));
	}
	rri_add(sa, ch, ifindex);
	ike_acq_bind(sa, ch);
	IKE_LOG(INFO, "child %s of %s: SPI out 0x%08x takes %s over", ch->cfg->name, sa->peer->name,
		ch->spi_out, name[0] != '\0' ? name : "its crypto map entry");
}

/*
 * Make-before-break (2.8): the new child's outbound SA takes the VTI in one publication; the
 * old child's outbound SA goes, its inbound SA stays IKE_REKEY_OVERLAP_S for packets in flight.
 */
void ike_child_flip(struct ike_sa *sa, unsigned int i)
{
	struct ike_child *old = &sa->child[i];
	struct ctrl *c = sa->ike->c;
	int n = ike_child_by_spi_in(sa, old->successor);
	if (n >= 0) {
		struct ike_child *nw = &sa->child[n];
		nw->va = old->va; /* the clone and the injected routes go to the successor */
		nw->va_owner = old->va_owner;
		memcpy(nw->rri, old->rri, sizeof(old->rri));
		nw->n_rri = old->n_rri;
		old->va_owner = false;
		old->n_rri = 0;
		const struct iface *t = vti_of(sa, nw);
		if (t != NULL)
			vti_bind(sa, t, nw->sa_out, tunnel_of(sa, nw));
		ike_acq_bind(sa, nw);
		nw->state = IKE_CH_ACTIVE;
		IKE_LOG(INFO, "child %s of %s rekeyed: SPI in 0x%08x out 0x%08x replace 0x%08x",
			nw->cfg->name, sa->peer->name, nw->spi_in, nw->spi_out, old->spi_in);
	}
	rte_spinlock_lock(&c->lock);
	if (old->sa_out != 0)
		sa_remove(c->dp->sas, old->sa_out);
	rte_spinlock_unlock(&c->lock);
	old->sa_out = 0;
	old->successor = 0;
	old->state = IKE_CH_OLD;
	old->expire_tsc = ike_now(sa->ike) + IKE_REKEY_OVERLAP_S * rte_get_timer_hz();
}

void ike_child_traffic(struct ike_sa *sa, uint64_t now, uint64_t every)
{
	uint64_t pkts = 0;
	struct sa_stats st;
	if (now - sa->child_look_tsc < every)
		return;
	sa->child_look_tsc = now;
	for (unsigned int i = 0; i < sa->n_child; i++) {
		const struct sa *in = sa_get(sa->ike->c->dp->sas, sa->child[i].sa_in);
		if (in != NULL) {
			sa_stats_read(in, &st);
			pkts += st.pkts;
		}
	}
	if (pkts != sa->last_child_pkts) {
		sa->last_child_pkts = pkts;
		sa->last_rx_tsc = now;
	}
}

void ike_child_tick(struct ike_sa *sa, uint64_t now)
{
	for (unsigned int i = 0; i < sa->n_child; i++) {
		struct ike_child *ch = &sa->child[i];
		if (ch->state == IKE_CH_OLD && now >= ch->expire_tsc) {
			if (sa->v1 != NULL)
				ikev1_child_retired(sa, ch);
			ike_child_remove(sa, ch);
			ike_child_forget(sa, i--);
			continue;
		}
		struct sa_stats st;
		if (ch->state == IKE_CH_ACTIVE && ch->bind_pending) {
			const struct sa *mine = sa_get(sa->ike->c->dp->sas, ch->sa_in);
			if (mine != NULL) { /* the peer sends on it: it has the new SA */
				sa_stats_read(mine, &st);
				if (st.pkts > 0)
					bind_now(sa, ch);
			}
			continue;
		}
		if (ch->state != IKE_CH_ACTIVE || ch->successor == 0)
			continue;
		/* the peer already sends on the new SA: it has it, the flip cannot lose packets */
		int n = ike_child_by_spi_in(sa, ch->successor);
		const struct sa *in =
			n >= 0 ? sa_get(sa->ike->c->dp->sas, sa->child[n].sa_in) : NULL;
		if (in != NULL) {
			sa_stats_read(in, &st);
			if (st.pkts > 0)
				ike_child_flip(sa, i);
		}
	}
}
