/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/sa.h - IPsec SAs as the workers see them, and the table that publishes them.
 *
 * An SA has a runtime struct (this file) split from its config (struct sa_conf, cold, used only
 * at install). Inbound SAs are found by (SPI, outer destination) in a lock-free rte_hash;
 * outbound SAs by id from a tunnel interface. Ids index an array of RCU-protected pointers.
 *
 * Per-SA mutable state (sequence number, replay window, counters, lifetime use) has exactly one
 * writer: the SA's owning worker. A packet that reaches another worker is handed to the owner
 * over the owner's hand-off ring; with one worker nothing is ever handed off. The control lcore
 * reads counters with relaxed loads and writes nothing but the table itself.
 *
 * Writers of the table: the control lcore only (sa_install, sa_replace, sa_remove), each change
 * visible to workers at once and the old SA freed after a QSBR grace period.
 */
#ifndef VPNHUB_DATAPLANE_SA_H
#define VPNHUB_DATAPLANE_SA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include "crypto/esp_xform.h"
#include "dataplane/nh_cache.h"
#include "dataplane/replay.h"

/*
 * SA ids are 32 bits, 1 .. capacity - 1 (0 is "no SA"). The capacity is the config's
 * ipsec.sa_max: one id per SA and direction, so a tunnel or Child SA takes two.
 */
#define SA_CAP_DEFAULT 65536
#define SA_CAP_MIN     16
#define SA_CAP_MAX     (1u << 20) /* 524 287 SA pairs */
#define SA_OUTER_MAX   48	  /* IPv6 (40) + UDP (8) */
#define SA_SEL_MAX     8	  /* traffic selectors per SA */

enum sa_dir { SA_IN = 0, SA_OUT = 1 };

enum sa_flag {
	SA_F_TUNNEL = 1 << 0, /* tunnel mode (else transport) */
	SA_F_OUTER6 = 1 << 1, /* outer header is IPv6 */
	SA_F_UDP = 1 << 2,    /* ESP in UDP, RFC 3948 */
	SA_F_ESN = 1 << 3,    /* extended sequence numbers */
	SA_F_FOLLOW = 1 << 4, /* inbound NAT-T: follow the peer's address and port */
};

/* Per-SA drop reasons (RFC 4303 3.4, RFC 4301 5.2). */
#define SA_ERRORS(X)                                                                             \
	X(REPLAY, "replay", "sequence number replayed or left of the window")                    \
	X(AUTH, "auth_failed", "integrity check failed")                                         \
	X(PAD, "bad_padding", "pad length or padding bytes wrong (RFC 4303 2.4)")                \
	X(SELECTOR, "selector", "inner packet outside the SA's selectors")                       \
	X(LIFETIME, "lifetime", "SA past its hard lifetime")                                     \
	X(MALFORMED, "malformed", "too short, or not a whole number of cipher blocks")           \
	X(SEQ_CYCLE, "seq_exhausted", "sequence number would cycle (RFC 4303 3.3.3)")            \
	X(NO_ROOM, "no_room", "no head- or tailroom for the ESP header and trailer")             \
	X(HANDOFF, "handoff_full", "owner worker's hand-off ring full")                          \
	X(INNER, "inner_proto", "next header not IPv4/IPv6 (tunnel) or 59, a dummy (transport)") \
	X(FRAGMENT, "fragment", "transport mode: ESP applies to whole datagrams (RFC 4303 3.3.4)")

#define SA_ENUM_ERR(e, n, d) SA_ERR_##e,
enum sa_err { SA_ERRORS(SA_ENUM_ERR) SA_ERR_MAX };
#undef SA_ENUM_ERR

/* "No error" for the stages that return an enum sa_err (SA_ERR_REPLAY is 0). */
#define SA_OK SA_ERR_MAX

extern const char *const sa_err_name[SA_ERR_MAX];

struct sa;
struct rte_mbuf;

/*
 * What differs between tunnel and transport mode (RFC 4303 3.1.1, 3.1.2), chosen when the SA is
 * installed so that no packet branches on the mode. Worker lcores, the SA's owner.
 */
struct esp_mode {
	const char *name;
	/* outbound: lay out ESP around the packet (its L3 header at dp_meta l3_off) for seq */
	int (*encap)(struct sa *sa, struct rte_mbuf *mb, struct esp_crypto_op *op, uint64_t seq);
	/* outbound, after encryption: complete the (outer) IP header */
	void (*finish)(struct sa *sa, struct rte_mbuf *mb, uint64_t seq);
	/*
	 * inbound, after the ICV and trailer checked: strip ESP so that the packet is Ethernet +
	 * IP with L3 at offset 14; returns the inner family or -(enum sa_err)
	 */
	int (*decap)(struct sa *sa, struct rte_mbuf *mb, const struct esp_crypto_op *op, uint8_t nh,
		     uint32_t inner_len);
};

extern const struct esp_mode esp_mode_tunnel;
extern const struct esp_mode esp_mode_transport;

struct sa_stats {
	uint64_t pkts;	/* encapsulated+encrypted+digested, or decapsulated+decrypted+verified */
	uint64_t bytes; /* inner bytes */
	uint64_t err[SA_ERR_MAX];
};

struct sa_lifetime {
	uint64_t soft_bytes, hard_bytes, soft_pkts, hard_pkts; /* 0 = none */
	uint64_t soft_tsc, hard_tsc; /* absolute TSC deadlines, 0 = none */
};

/*
 * A traffic selector (RFC 4301 4.4.1.1) as the inner packet carries it: for an inbound SA src is
 * the peer's side. Prefixes, an IP protocol (0 = any) and port ranges (host order; 0..65535 =
 * any; ports are compared only for TCP, UDP and SCTP, and ICMP type/code are not selected on).
 */
struct sa_sel {
	uint8_t family; /* AF_INET / AF_INET6 */
	uint8_t proto;
	uint8_t src_plen, dst_plen;
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	uint8_t src[16], dst[16];
};

/* Cold: what the control plane knows about an SA; read only by sa_install. */
struct sa_conf {
	uint32_t spi; /* host order */
	uint8_t dir;  /* enum sa_dir */
	uint8_t flags;
	uint8_t family;	  /* of the outer addresses */
	uint16_t owner;	  /* worker id */
	uint16_t ifindex; /* the tunnel interface (inbound: where decrypted packets enter) */
	uint8_t local[16];
	uint8_t remote[16];
	uint16_t udp_sport, udp_dport; /* host order, with SA_F_UDP */
	uint32_t window;	       /* inbound replay window (bits) */
	struct esp_xform_conf xf;
	struct sa_lifetime life; /* seconds already converted to TSC deadlines */
	/* inbound: decrypted packets must match one of these (RFC 4301 5.2 step 4); 0 = any */
	struct sa_sel sel[SA_SEL_MAX];
	uint8_t n_sel;
};

struct sa {
	/* read by every packet, written at install only */
	uint32_t spi_be;
	uint32_t id;
	uint16_t owner;
	uint16_t ifindex;
	uint8_t dir;
	uint8_t flags;
	uint8_t outer_len; /* bytes in front of ESP: tunnel IP (+UDP), transport UDP or nothing */
	uint8_t family;
	uint16_t udp_sport_be, udp_dport_be;
	uint8_t local[16];
	uint8_t remote[16];
	const struct esp_mode *mode;
	struct replay_win *win;	  /* inbound, owner-written */
	const struct sa_sel *sel; /* inbound: n_sel selectors (rte_malloc'd), NULL = any */
	uint8_t n_sel;
	struct sa_lifetime life;
	/* written by the owner only */
	uint64_t seq __rte_cache_aligned; /* outbound: last sequence number used */
	uint8_t soft_fired;		  /* soft lifetime event raised (control reads) */
	uint8_t hard_expired;
	uint16_t peer_port_be; /* inbound SA_F_FOLLOW: where authenticated packets come from */
	uint8_t peer_addr[16];
	uint32_t peer_gen; /* bumped (release) after peer_addr/peer_port_be change */
	struct sa_stats st;
	/* outbound: prebuilt outer IP (+UDP) header, RCU-replaced when the peer moves (NAT-T) */
	struct sa_outer *outer;
	/* outbound: the outer packets' next hop while the tables stay unchanged (nh_cache.h) */
	struct dp_nh_cache nh_out;
	/* last: its key material follows, sized for the suite and direction (sa_build) */
	struct esp_xform xf;
};

_Static_assert(offsetof(struct sa, xf) + sizeof(struct esp_xform) == sizeof(struct sa),
	       "struct sa: the transform's key material must be able to follow it");

struct sa_outer {
	uint8_t len;
	uint8_t hdr[SA_OUTER_MAX];
	/*
	 * IPv4: the 16-bit one's complement sum of hdr's IPv4 header, whose length, id and
	 * checksum are zero, so that a packet's checksum is this plus its length and id
	 * (RFC 1624); 0 for IPv6.
	 */
	uint16_t sum;
	bool heap; /* its own allocation (a NAT-T move made it); else inside its SA's */
};

struct sa_table {
	struct sa **slot;    /* cap pointers, indexed by id; RCU-published */
	uint32_t cap;	     /* ids are 1 .. cap - 1 */
	struct rte_hash *in; /* struct sa_key -> id */
	struct rte_rcu_qsbr *qsbr;
	/*
	 * Free ids, control lcore only: a FIFO, so that an id removed is the last to be reused
	 * (a packet still carrying it in its dp_meta after a hand-off finds no SA, not another).
	 */
	uint32_t *free_ids; /* cap - 1 entries */
	uint32_t free_head, free_n;
};

struct sa_key {
	uint32_t spi_be;
	uint8_t family;
	uint8_t pad[3];
	uint8_t dst[16];
};

/* A table for cap - 1 SAs (SA_CAP_MIN <= cap <= SA_CAP_MAX); NULL when out of memory. */
struct sa_table *sa_table_create(const char *name, uint32_t cap, struct rte_rcu_qsbr *qsbr,
				 int socket);
void sa_table_destroy(struct sa_table *t);

/* Control lcore. Returns the new SA id (>= 1), or a negative errno with err filled in. */
int sa_install(struct sa_table *t, const struct sa_conf *c, char *err, size_t errlen);
/* Control lcore: publish c in place of SA id (same direction; inbound keeps its key). */
int sa_replace(struct sa_table *t, uint32_t id, const struct sa_conf *c, char *err, size_t errlen);
/* Control lcore: unpublish and free after a grace period. */
int sa_remove(struct sa_table *t, uint32_t id);
/*
 * Control lcore: point outbound SA id at a new peer address and (UDP) destination port, keeping
 * its keys and sequence number: the outer header is replaced through RCU (RFC 3948 NAT-T).
 */
int sa_set_peer(struct sa_table *t, uint32_t id, const uint8_t *remote, uint16_t dport_be);

static inline struct sa *sa_get(const struct sa_table *t, uint32_t id)
{
	return id < t->cap ? __atomic_load_n(&t->slot[id], __ATOMIC_ACQUIRE) : NULL;
}

static inline void sa_key_make(struct sa_key *k, uint32_t spi_be, uint8_t family,
			       const uint8_t *dst)
{
	memset(k, 0, sizeof(*k));
	k->spi_be = spi_be;
	k->family = family;
	memcpy(k->dst, dst, family == 2 /* AF_INET */ ? 4 : 16);
}

/* Worker bulk lookup of inbound SAs; ids[i] = 0 when keys[i] has no SA. n <= 64. */
void sa_lookup_in(const struct sa_table *t, const struct sa_key **keys, unsigned int n,
		  uint32_t *ids);

/* Sum of one SA's counters (any thread). */
void sa_stats_read(const struct sa *sa, struct sa_stats *out);

#endif
