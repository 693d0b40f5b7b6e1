/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/esp_rig.c - the tunnels of an esp row (see esp.h): SA pairs installed with sa_install as
 * the control core does from config (ctrlplane/ipsec.c sa_conf_of), VTIs published with their
 * outbound SA, spoke routes spread over the VTIs, and the gateways on both sides. Main lcore,
 * with the worker lcore stopped.
 *
 * Keys are fixed test values derived from (pair, direction), different for every SA, so the
 * OpenSSL checks and the generator's peer transforms can be given the same keys as the hub.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_malloc.h>

#include "dataplane/fib.h"
#include "dataplane/neigh.h"
#include "perf/esp.h"

#define ROUTE_BATCH 64

const uint8_t esp_hub4[4] = {192, 0, 2, 2};
const uint8_t esp_server4[4] = {172, 16, 0, 2};
const struct rte_ether_addr esp_lan_gw_mac = {{0x02, 0, 0, 0, 0xee, 0x02}};
static const uint8_t wan_gw4[4] = {192, 0, 2, 1};
static const uint8_t lan_gw4[4] = {10, 0, 0, 254};
static const uint8_t peers4[4] = {198, 18, 0, 0};
static const uint8_t servers4[4] = {172, 16, 0, 0};

static void put4(uint8_t out[4], uint32_t host)
{
	out[0] = (uint8_t)(host >> 24);
	out[1] = (uint8_t)(host >> 16);
	out[2] = (uint8_t)(host >> 8);
	out[3] = (uint8_t)host;
}

void esp_spoke4(uint32_t i, uint8_t out[4])
{
	put4(out, (32u << 24) + (i << 8));
}

void esp_peer4(uint32_t i, uint8_t out[4])
{
	put4(out, (198u << 24) + (18u << 16) + 1 + i);
}

uint32_t esp_spoke_pair(const uint8_t addr[4])
{
	uint32_t a = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 | (uint32_t)addr[2] << 8;
	return (a - (32u << 24)) >> 8;
}

/* Test key bytes: a splitmix64 stream seeded by (pair, direction, which key). */
static void key_bytes(uint32_t i, enum sa_dir dir, unsigned int which, uint8_t *out, size_t n)
{
	uint64_t x = ((uint64_t)i << 8 | (uint64_t)dir << 4 | which) * 0x9e3779b97f4a7c15ULL;
	for (size_t k = 0; k < n; k++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		out[k] = (uint8_t)((z ^ (z >> 31)) >> 56);
	}
}

static void keymat(const struct crypto_suite *s, uint32_t i, enum sa_dir dir, struct esp_keymat *km)
{
	key_bytes(i, dir, 0, km->enc, s->key_len + (crypto_suite_aead(s) ? ESP_SALT_LEN : 0));
	key_bytes(i, dir, 1, km->auth, s->auth_key_len);
}

void esp_ref_keys(const struct crypto_suite *s, uint32_t i, enum sa_dir dir, struct crypto_keys *k)
{
	struct esp_keymat km;
	keymat(s, i, dir, &km);
	memcpy(k->key, km.enc, s->key_len);
	memcpy(k->salt, km.enc + s->key_len, ESP_SALT_LEN); /* unused by the CBC suites */
	memcpy(k->auth_key, km.auth, s->auth_key_len);
}

static void xform_conf(const struct crypto_suite *s, struct esp_xform_conf *x,
		       const struct esp_keymat *km)
{
	memset(x, 0, sizeof(*x));
	if (s->cipher == IMB_CIPHER_GCM)
		x->enc = ESP_ENC_AES_GCM;
	else if (s->cipher == IMB_CIPHER_CBC)
		x->enc = ESP_ENC_AES_CBC;
	else
		x->enc = ESP_ENC_CHACHA20_POLY1305;
	x->enc_key = km->enc;
	x->enc_key_len = s->key_len + (crypto_suite_aead(s) ? ESP_SALT_LEN : 0u);
	if (!crypto_suite_aead(s)) {
		x->auth = s->hash == IMB_AUTH_HMAC_SHA_1 ? ESP_AUTH_HMAC_SHA1_96
							 : ESP_AUTH_HMAC_SHA256_128;
		x->auth_key = km->auth;
		x->auth_key_len = s->auth_key_len;
	}
}

void esp_sa_conf(const struct esp_tunnels *t, uint32_t i, enum sa_dir dir, struct sa_conf *c,
		 struct esp_keymat *km)
{
	memset(c, 0, sizeof(*c));
	c->spi = (dir == SA_IN ? ESP_SPI_IN : ESP_SPI_OUT) + i;
	c->dir = (uint8_t)dir;
	c->flags = SA_F_TUNNEL;
	if (t->udp)
		c->flags |= SA_F_UDP | (dir == SA_IN ? SA_F_FOLLOW : 0);
	c->family = AF_INET;
	c->owner = 0;
	c->ifindex = (uint16_t)(ESP_VTI_FIRST + i % t->vtis);
	memcpy(c->local, esp_hub4, 4);
	esp_peer4(i, c->remote);
	c->udp_sport = ESP_NATT_PORT;
	c->udp_dport = ESP_NATT_PORT;
	c->window = dir == SA_IN ? ESP_WINDOW : 0;
	keymat(t->s, i, dir, km);
	xform_conf(t->s, &c->xf, km);
}

/* Pair i's two SAs; ids written into t. */
static int pair_install(struct rig *r, struct esp_tunnels *t, uint32_t i, char *err, size_t errlen)
{
	struct esp_keymat km;
	struct sa_conf c;
	for (unsigned int d = 0; d < 2; d++) {
		enum sa_dir dir = d == 0 ? SA_OUT : SA_IN;
		esp_sa_conf(t, i, dir, &c, &km);
		int id = sa_install(r->dp->sas, &c, err, errlen);
		explicit_bzero(&km, sizeof(km));
		if (id < 0)
			return id;
		(dir == SA_IN ? t->id_in : t->id_out)[i] = (uint32_t)id;
	}
	return 0;
}

static int vti_publish(struct rig *r, struct esp_tunnels *t, uint32_t v)
{
	struct iface *ifc = rte_zmalloc("vti", sizeof(*ifc), RTE_CACHE_LINE_SIZE);
	if (ifc == NULL)
		return -ENOMEM;
	ifc->ifindex = (uint16_t)(ESP_VTI_FIRST + v);
	ifc->kind = IFACE_VTI;
	ifc->up = 1;
	ifc->mtu = ESP_VTI_MTU;
	ifc->sa_out = t->id_out[v];
	snprintf(ifc->name, sizeof(ifc->name), "vti%u", v);
	snprintf(ifc->port_name, sizeof(ifc->port_name), "vti");
	int rc = iface_publish(r->dp->ifaces, ifc);
	if (rc < 0) {
		rte_free(ifc);
		return rc;
	}
	rc = rig_nh_get(r, AF_INET, NH_FWD, ifc->ifindex, NULL);
	if (rc < 0)
		return rc;
	t->nh_vti[v] = (uint32_t)rc;
	return 0;
}

/* Spoke routes first..n-1 (nh 0 of a VTI: delete), in batches with one grace period each. */
static int spoke_routes(struct rig *r, struct esp_tunnels *t, uint32_t n, bool add)
{
	struct dp_fib_op ops[ROUTE_BATCH];
	for (uint32_t i = 0; i < n; i += ROUTE_BATCH) {
		unsigned int k = RTE_MIN(n - i, (uint32_t)ROUTE_BATCH);
		for (unsigned int j = 0; j < k; j++) {
			memset(&ops[j], 0, sizeof(ops[j]));
			ops[j].family = AF_INET;
			ops[j].plen = 24;
			esp_spoke4(i + j, ops[j].prefix);
			ops[j].nh = add ? t->nh_vti[(i + j) % t->vtis] : 0;
		}
		int rc = dp_fib_apply(r->dp->fib, ops, k);
		if (rc != 0)
			return rc;
		if (add)
			t->routes = i + k;
	}
	return 0;
}

/* The peers behind the wan gateway, the servers behind a lan gateway. */
static int gateways(struct rig *r, struct esp_tunnels *t)
{
	struct dp_neigh_key k;
	dp_neigh_key_make(&k, RIG_LAN + 1, AF_INET, lan_gw4);
	int rc = dp_neigh_set(r->dp->neigh, &k, &esp_lan_gw_mac);
	int wan = rig_nh_get(r, AF_INET, NH_FWD, RIG_WAN + 1, wan_gw4);
	int lan = rig_nh_get(r, AF_INET, NH_FWD, RIG_LAN + 1, lan_gw4);
	t->nh_wan = wan > 0 ? (uint32_t)wan : 0;
	t->nh_lan = lan > 0 ? (uint32_t)lan : 0;
	if (rc != 0 || wan < 0 || lan < 0)
		return rc != 0 ? rc : -ENOSPC;
	rc = rig_route4(r, peers4, 15, t->nh_wan);
	return rc == 0 ? rig_route4(r, servers4, 16, t->nh_lan) : rc;
}

/*
 * The process's first transform also creates esp_xform's own intel-ipsec-mb manager (once,
 * about 200 KB): make one and wipe it before the heap is measured, so that SA memory is per pair.
 */
static void xform_warm(const struct esp_tunnels *t)
{
	union esp_xform_room room;
	struct esp_keymat km;
	struct sa_conf c;
	char err[128];
	esp_sa_conf(t, 0, SA_OUT, &c, &km);
	if (esp_xform_init(&room.x, &c.xf, err, sizeof(err)) == 0)
		esp_xform_wipe(&room.x);
	explicit_bzero(&km, sizeof(km));
}

int esp_tunnels_up(struct rig *r, struct esp_tunnels *t, const struct crypto_suite *s, bool udp,
		   uint32_t want, char *err, size_t errlen)
{
	int rc = 0;
	memset(t, 0, sizeof(*t));
	t->s = s;
	t->udp = udp;
	t->pairs_max = ESP_PAIRS_MAX(r->dp->sas);
	t->pairs = RTE_MIN(want, t->pairs_max);
	t->vtis = RTE_MIN(t->pairs, (uint32_t)ESP_VTI_MAX);
	t->id_in = calloc(t->pairs, sizeof(*t->id_in));
	t->id_out = calloc(t->pairs, sizeof(*t->id_out));
	if (t->id_in == NULL || t->id_out == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	xform_warm(t);
	uint64_t heap = rig_heap_bytes();
	for (uint32_t i = 0; i < t->pairs && rc == 0; i++)
		rc = pair_install(r, t, i, err, errlen);
	t->sa_heap = rig_heap_bytes() - heap;
	if (rc != 0)
		return rc;
	for (uint32_t v = 0; v < t->vtis && rc == 0; v++)
		rc = vti_publish(r, t, v);
	if (rc == 0)
		rc = spoke_routes(r, t, t->pairs, true);
	if (rc == 0)
		rc = gateways(r, t);
	if (rc == 0) {
		uint16_t old = iface_get(r->dp->ifaces, RIG_WAN + 1)->mtu;
		rc = rig_mtu_set(r, RIG_WAN, ESP_WAN_MTU);
		t->wan_mtu_old = rc == 0 ? old : 0;
	}
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "tunnels: %s", strerror(-rc));
	return rc;
}

void esp_tunnels_down(struct rig *r, struct esp_tunnels *t)
{
	if (t->wan_mtu_old != 0)
		rig_mtu_set(r, RIG_WAN, t->wan_mtu_old);
	rig_route4(r, peers4, 15, 0);
	rig_route4(r, servers4, 16, 0);
	spoke_routes(r, t, t->routes, false);
	dp_fib_nh_put(r->dp->fib, t->nh_wan);
	dp_fib_nh_put(r->dp->fib, t->nh_lan);
	for (uint32_t v = 0; v < t->vtis; v++) {
		dp_fib_nh_put(r->dp->fib, t->nh_vti[v]);
		iface_remove(r->dp->ifaces, (uint16_t)(ESP_VTI_FIRST + v));
	}
	for (uint32_t i = 0; i < t->pairs; i++) {
		if (t->id_in != NULL && t->id_in[i] != 0)
			sa_remove(r->dp->sas, t->id_in[i]);
		if (t->id_out != NULL && t->id_out[i] != 0)
			sa_remove(r->dp->sas, t->id_out[i]);
	}
	free(t->id_in);
	free(t->id_out);
	memset(t, 0, sizeof(*t));
}
