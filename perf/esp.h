/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * perf/esp.h - the esp-* rows of vpnhub-bench: the tunnels a row installs in the hub's tables and
 * the ESP traffic the generator feeds the worker. Main lcore only; the worker lcore runs the
 * unmodified dp_worker_main.
 *
 * Tunnels at SA scale N, built as ctrlplane/ipsec.c builds them from config:
 *
 *   pairs = min(N, ESP_PAIRS_MAX) SA pairs, pair i: inbound SPI ESP_SPI_IN + i and outbound SPI
 *           ESP_SPI_OUT + i, tunnel mode, outer IPv4 192.0.2.2 (wan) <-> peer 198.18.0.0 + 1 + i
 *           (RFC 2544's benchmark range), keys derived from (i, direction), ESN off, inbound
 *           replay window ESP_WINDOW; with NAT-T, UDP 4500 <-> 4500 and follow_peer inbound
 *   vtis  = min(pairs, ESP_VTI_MAX) VTIs (ifindex 3, 4, ...), VTI t sending with pair t's
 *           outbound SA; pair i's spoke prefix 32.0.0.0 + 256 i /24 is routed to VTI i mod vtis
 *           (so the routes are spread evenly over the VTIs) and its inbound SA's decrypted
 *           packets enter VTI i mod vtis
 *   routes  198.18.0.0/15 via the wan gateway 192.0.2.1 (its neighbor is the rig's), and
 *           172.16.0.0/16 via a lan gateway 10.0.0.254 (neighbor installed here)
 *
 * Limits of the data plane, not of the harness: the rig's SA table is sized for the largest SA
 * scale of the run (an SA pair takes two ids, up to SA_CAP_MAX), interfaces are indexed below IFACE_MAX (lan and wan take two). A VTI's MTU is
 * ESP_VTI_MTU (as a tunnel with `mtu: 1500` in config) and wan's is raised to ESP_WAN_MTU while
 * a row runs, so that the 1500-byte inner packets of the IMIX's 1518-byte frames are encrypted
 * without fragmentation (which the hub would leave to the control core).
 */
#ifndef VPNHUB_PERF_ESP_H
#define VPNHUB_PERF_ESP_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/esp_xform.h"
#include "dataplane/iface.h"
#include "dataplane/sa.h"
#include "perf/bench.h"
#include "perf/crypto.h"
#include "perf/gen.h"

#define ESP_PAIRS_MAX(sas) (((sas)->cap - 1) / 2) /* what the rig's SA table holds */
#define ESP_VTI_FIRST	   (RIG_N + 1)
#define ESP_VTI_MAX	   (IFACE_MAX - ESP_VTI_FIRST)
#define ESP_SPI_IN	   0x10000u
#define ESP_SPI_OUT	   0x20000u
#define ESP_WINDOW	   REPLAY_WIN_MAX /* see esp_traffic: two ranges of up to half of it */
#define ESP_VTI_MTU	   1500
#define ESP_WAN_MTU	   1600
#define ESP_NATT_PORT	   4500
#define ESP_ICV_SLOT	   16 /* bytes per stored ICV (the largest of the suites here) */

/* The tunnels of one row (see the top of this file). */
struct esp_tunnels {
	const struct crypto_suite *s;
	bool udp;
	uint32_t pairs;
	uint32_t pairs_max; /* what the rig's SA table holds */
	uint32_t vtis;
	uint32_t *id_in; /* SA ids by pair */
	uint32_t *id_out;
	uint32_t nh_vti[ESP_VTI_MAX]; /* connected next hops on the VTIs */
	uint32_t nh_wan, nh_lan;      /* gateway next hops (references of their own) */
	uint32_t routes;	      /* spoke routes installed */
	uint16_t wan_mtu_old;	      /* wan's MTU before the row raised it, 0: not raised */
	uint64_t sa_heap;	      /* rte_malloc heap growth while the SAs were installed */
};

/* Raw key material of one SA, as IKE would hand it over: AEAD key || salt, HMAC key. */
struct esp_keymat {
	uint8_t enc[36];
	uint8_t auth[32];
};

/* Install min(want, ESP_PAIRS_MAX) pairs etc.; 0 or a negative errno (err says why). */
int esp_tunnels_up(struct rig *r, struct esp_tunnels *t, const struct crypto_suite *s, bool udp,
		   uint32_t want, char *err, size_t errlen);
/* Undo esp_tunnels_up (also after a partial failure). The worker lcore must be stopped. */
void esp_tunnels_down(struct rig *r, struct esp_tunnels *t);

/* The SA configuration of pair i in direction dir; its keys live in km. */
void esp_sa_conf(const struct esp_tunnels *t, uint32_t i, enum sa_dir dir, struct sa_conf *c,
		 struct esp_keymat *km);
/* The same keys for the OpenSSL reference (crypto_ref_seal / crypto_ref_open). */
void esp_ref_keys(const struct crypto_suite *s, uint32_t i, enum sa_dir dir, struct crypto_keys *k);

void esp_spoke4(uint32_t i, uint8_t out[4]); /* 32.0.0.0 + 256 i */
void esp_peer4(uint32_t i, uint8_t out[4]);  /* 198.18.0.0 + 1 + i */
/* Pair whose spoke prefix holds addr (IPv4, network order). */
uint32_t esp_spoke_pair(const uint8_t addr[4]);

extern const uint8_t esp_hub4[4];    /* 192.0.2.2, wan */
extern const uint8_t esp_server4[4]; /* 172.16.0.2, behind the lan gateway */
extern const struct rte_ether_addr esp_lan_gw_mac;

/*
 * ESP traffic of the esp-decrypt rows, built by a peer's own esp_xform per SA (keys of the hub's
 * inbound SAs). Anti-replay (RFC 4303 3.4.3) accepts a sequence number once per SA, so the
 * generator cannot resend a packet, and re-encrypting every packet would make it as slow as the
 * worker. Instead, per pair, sequence numbers cycle through two ranges A = 1..m and
 * B = m+1..2m (2m <= ESP_WINDOW), and when a pair moves from one range to the other the hub's
 * inbound SA is re-installed (sa_replace: same keys, a fresh window), as the control core would.
 * Packets of the old range still in flight then reach the fresh window before any of the new
 * range: their numbers are not used by the new range and lie inside the window (2m <= W), so
 * every packet is accepted exactly once and none is a replay (the row fails on any drop). The
 * old range is reused only after m more packets of that pair, by then every packet of its last
 * use is back (in flight <= m * pairs / 2). The pairs start at staggered points of range A, so
 * re-installs are spread evenly in time.
 * Per (pair, frame size) the frame is stored once: the IV is fixed per pair, so the ciphertext
 * does not depend on the sequence number, and only the sequence number and the ICV (stored per
 * (pair, sequence number), computed by the peer's xform over the whole packet) are written per
 * packet. A real sender must never repeat an IV; the hub cannot tell and does the same work.
 */
struct esp_traffic {
	const struct esp_tunnels *t;
	struct sa_table *sas;
	uint32_t m;	  /* sequence numbers per range */
	uint16_t esp_off; /* ESP header offset in a frame */
	uint8_t icv_len;
	unsigned int n_tmpl;		   /* frame sizes of the size class, by seq % n_tmpl */
	uint8_t dist[BENCH_IMIX_LEN];	   /* template -> distinct size */
	unsigned int n_dist;		   /* distinct frame sizes */
	uint16_t inner_l3[BENCH_IMIX_LEN]; /* by distinct size: inner IPv4 packet */
	uint16_t flen[BENCH_IMIX_LEN];	   /* by distinct size: ESP frame, no FCS */
	uint32_t foff[BENCH_IMIX_LEN];	   /* by distinct size: offset in a pair's block */
	uint32_t fstride;		   /* bytes of frames per pair */
	uint8_t *frames;		   /* pairs * fstride */
	uint8_t *icv;			   /* pairs * 2m * ESP_ICV_SLOT */
	uint32_t *next;			   /* next sequence number per pair */
	uint32_t *order;		   /* pairs in send order (fixed shuffle) */
	uint32_t oi;
	uint64_t renewed;      /* sa_replace calls */
	uint64_t renew_cycles; /* TSC cycles they took on this lcore */
	int rc;		       /* first sa_replace failure */
};

/* Build the traffic for the size class; icv_budget bounds pairs * 2m (entries). */
int esp_traffic_build(struct esp_traffic *e, const struct rig *r, const struct esp_tunnels *t,
		      enum bench_size size, uint64_t icv_budget);
void esp_traffic_free(struct esp_traffic *e);
/* gen_stamp_fn of the esp-decrypt rows (g->ctx is the esp_traffic). */
void esp_traffic_stamp(struct gen *g, struct rte_mbuf **mb, uint16_t n);
/* The inner IPv4/UDP packet of pair i at a distinct size, as the peer encrypted it. */
void esp_inner_build(const struct esp_traffic *e, uint32_t i, unsigned int d, uint8_t *out);

#endif
