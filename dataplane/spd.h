/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/spd.h - the security policy database of crypto maps (RFC 4301 4.4.1), compiled with
 * rte_acl, and the table that publishes one SPD per interface.
 *
 * An SPD is built from a crypto map's entries (struct spd_rule) into four rte_acl contexts:
 * outbound and inbound, IPv4 and IPv6. Outbound rules are the entries as written (the packet
 * leaving the interface); inbound rules are their mirror image (src and dst, and the ports,
 * swapped), so that the peer's traffic arriving in clear matches the entry that should have
 * protected it. A rule's priority follows seq (lower seq wins) and its userdata is the entry's
 * index + 1; a lookup answer of 0 means no entry matched, which is bypass (IOS semantics). An
 * entry holds the action and, for protect, the outbound SA id. Per-entry hit counters are per
 * lcore slot (workers by id, then the control lcore) and per direction: no atomics.
 *
 * Publication: struct spd_table is an array of RCU-protected pointers indexed by ifindex, hung
 * off struct dp (dp->spd), rather than a field of struct iface. An interface is republished
 * whole for its own reasons (MTU, addresses, link state) and an SPD is rebuilt for its own
 * (config now, IKE later): kept apart, each has one writer path and one free path, an SPD's
 * memory (rte_acl contexts, counters) never rides along with an interface copy, and a worker
 * pays one load for an interface without a map (none at all while no map is published).
 *
 * Writers: the control lcore only (spd_build, spd_publish), each swap visible to workers at once
 * and the old SPD freed after a QSBR grace period. Readers: workers inside their read-side
 * section; the control lcore itself (it is the writer); the telemetry thread under ctrl.lock,
 * which the control lcore holds around spd_publish.
 */
#ifndef VPNHUB_DATAPLANE_SPD_H
#define VPNHUB_DATAPLANE_SPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp.h"
#include "dataplane/iface.h"

#define SPD_NAME_MAX  32
#define SPD_SA_IN_MAX 4
#define SPD_RULES_MAX 1024 /* entries of one SPD (config: CFG_CMAP_ENTRIES_MAX) */
/*
 * The outbound SA of a protect entry keyed by IKE: 0 while it has none (a packet that matches
 * is punted as an acquire, which starts the negotiation), SPD_SA_HELD while the control lcore
 * holds as many of its packets as it will (the rest are dropped as spd_acquire, in the worker),
 * then the SA's id.
 */
#define SPD_SA_HELD UINT32_MAX

enum spd_action { SPD_BYPASS = 0, SPD_PROTECT, SPD_DISCARD, SPD_ACTIONS };
enum spd_dir { SPD_OUT = 0, SPD_IN, SPD_DIRS };

/*
 * One entry as the control plane describes it, the outbound way round. Addresses in network
 * byte order (IPv4 in the first 4 bytes), ports in host order (0..65535 is any). Kept in the SPD
 * for the show commands.
 */
struct spd_rule {
	uint32_t seq; /* 1..65535, unique: the lower wins */
	uint8_t action;
	uint8_t family; /* AF_INET or AF_INET6 */
	bool proto_any;
	uint8_t proto;
	uint8_t src_plen, dst_plen;
	uint8_t src[16], dst[16];
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	uint32_t sa_out; /* protect: the outbound SA id; 0 otherwise */
	uint32_t sa_in[SPD_SA_IN_MAX];
	uint8_t n_sa_in;
	bool ike; /* protect keyed by IKE: no SA at build time (sa_out 0), spd_entry_sa sets it */
};

/*
 * What a lookup leads to; entry[0] is the "no entry matched" one (bypass). sa_out of an IKE
 * entry changes under the workers (spd_entry_sa): they load it atomically.
 */
struct spd_entry {
	uint8_t action;
	uint32_t sa_out;
};

struct rte_acl_ctx;

struct spd {
	/* read per packet */
	struct rte_acl_ctx *acl[SPD_DIRS][2]; /* [dir][IPv4, IPv6]; NULL: no entry of the family */
	const struct spd_entry *entry;	      /* n + 1 */
	uint64_t *hits;			      /* [slot][dir][stride]: index 0 counts "no entry" */
	uint32_t n;
	uint32_t stride; /* counters per (slot, dir) row: n + 1 rounded up to a cache line */
	unsigned int n_slots;
	/* control side */
	uint16_t ifindex;
	char name[SPD_NAME_MAX];
	const struct spd_rule *rule; /* n, sorted by seq: rule[i] is entry[i + 1] */
};

struct spd_table {
	struct spd *slot[IFACE_MAX];
	struct rte_rcu_qsbr *qsbr;
	unsigned int n_live; /* published SPDs; workers skip every lookup while it is 0 */
};

/* The fields a lookup reads, network byte order, laid out for the rte_acl field definitions. */
struct spd_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src, dst;
	uint16_t sport, dport;
};

struct spd_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src[4], dst[4];
	uint16_t sport, dport;
};

union spd_key {
	struct spd_key4 v4;
	struct spd_key6 v6;
};

/*
 * Build an SPD for interface ifindex from n rules (any order; sorted by seq here) with hit
 * counters for n_slots lcores. Rules are checked (family, prefix lengths, port ranges, unique
 * seq, an SA for protect and none otherwise): NULL with err filled in when one is wrong or memory
 * runs out. n may be 0: a map that matches nothing. Control lcore (or before workers start).
 */
struct spd *spd_build(const char *name, uint16_t ifindex, const struct spd_rule *rules,
		      unsigned int n, unsigned int n_slots, char *err, size_t errlen);
/* Free an SPD nobody can reach any more (unpublished and past a grace period). */
void spd_free(struct spd *spd);

struct spd_table *spd_table_create(struct rte_rcu_qsbr *qsbr);
/* Free the table and every SPD in it; workers stopped. */
void spd_table_destroy(struct spd_table *t);
/*
 * Control lcore: publish spd for ifindex (NULL removes the interface's SPD). The old one is freed
 * after a QSBR grace period. 0, or -EINVAL for an ifindex out of range (spd is then not taken).
 */
int spd_publish(struct spd_table *t, uint16_t ifindex, struct spd *spd);

/*
 * Control lcore: the outbound SA of the IKE-keyed protect entry seq of ifindex's SPD (an SA id,
 * 0 to acquire again, or SPD_SA_HELD), visible to the workers at once. Whoever removes an SA
 * sets its entry first, so that no worker picks up an id after its grace period. 0, or -ENOENT
 * when there is no such entry.
 */
int spd_entry_sa(struct spd_table *t, uint16_t ifindex, uint32_t seq, uint32_t sa_out);
/* The outbound SA the entry seq of an SPD holds now (0 when none). Any lcore. */
uint32_t spd_entry_sa_get(const struct spd *spd, uint32_t seq);

/* Any lcore; workers inside their read-side section. */
static inline const struct spd *spd_get(const struct spd_table *t, uint16_t ifindex)
{
	if (t == NULL || ifindex >= IFACE_MAX)
		return NULL;
	return __atomic_load_n(&t->slot[ifindex], __ATOMIC_ACQUIRE);
}

/* The SPD of an interface, or NULL; cheap when no crypto map exists. */
static inline const struct spd *spd_of(const struct dp *dp, uint16_t ifindex)
{
	const struct spd_table *t = dp->spd;
	if (t == NULL || __atomic_load_n(&t->n_live, __ATOMIC_RELAXED) == 0)
		return NULL;
	return spd_get(t, ifindex);
}

/*
 * The lookup key of an IPv4 or IPv6 packet whose header is at l3, len bytes of it readable (the
 * header was validated by classify). Ports are read for TCP, UDP and SCTP when the transport
 * header is there: not for a non-first IPv4 fragment, nor behind IPv6 extension headers (0).
 */
void spd_key_make(const uint8_t *l3, uint32_t len, int family, union spd_key *k);

/* res[i]: the entry index of keys[i] (0: none matched). One rte_acl_classify call. Any lcore. */
void spd_classify(const struct spd *spd, enum spd_dir dir, int family,
		  const union spd_key *const *keys, uint32_t *res, unsigned int n);

/* Count a lookup answer in the caller's slot (its owner is the only writer of the counter). */
static inline void spd_hit(const struct spd *spd, unsigned int slot, enum spd_dir dir, uint32_t idx)
{
	spd->hits[((size_t)slot * SPD_DIRS + dir) * spd->stride + idx]++;
}

/* Sum of one entry's hits over the slots (relaxed loads; any thread). idx 0: no entry. */
uint64_t spd_hits(const struct spd *spd, enum spd_dir dir, uint32_t idx);

struct dp_vec;

/*
 * Inbound policy (RFC 4301 5.2) of n IPv4 or IPv6 packets (family) about to be routed, nh their
 * FIB answers: a packet received on an interface with an SPD, neither decrypted nor built by
 * the hub, is looked up the inbound way. Clear text matching a protect entry is dropped
 * (spd_cleartext), a discard entry drops (spd_discard); mb[i] is then NULL. IKE (UDP 500 and
 * 4500) and ESP to the hub are never looked up: RFC 4301's implicit IKE bypass; nor is IPv6
 * neighbor discovery to the hub (ICMPv6 133..137, hop limit 255, RFC 4861). Worker lcore.
 */
void spd_input(struct dp_worker *w, struct rte_mbuf **mb, const uint64_t *nh, uint16_t n,
	       int family);

/*
 * Outbound policy of n packets of one family routed out of interfaces with SPDs (spd[i] is
 * mb[i]'s): protect sets sa_id and DP_MF_SA_SET, decrements the TTL and moves the packet to
 * v->esp_out; discard drops (spd_discard). A protect entry IKE has not keyed yet punts the
 * packet as an acquire (out_ifindex: the SPD's interface, sa_id: the entry's seq), or drops it
 * (spd_acquire) while the control lcore's hold for the entry is full. Returns a bitmask of the
 * packets to forward as they are (bypass, no entry). Worker lcore.
 */
uint64_t spd_output(struct dp_worker *w, struct dp_vec *v, struct rte_mbuf **mb,
		    const struct spd *const *spd, uint16_t n, int family);

/*
 * Outbound decision for one packet the control lcore sends (L3 at l3, len bytes), counted in
 * slot: its action, and for protect *sa_id (0 or SPD_SA_HELD: no SA yet) and *seq, the entry's
 * seq. IKE from the hub (UDP source port 500 or 4500) always bypasses. Control lcore.
 */
enum spd_action spd_decide(const struct spd *spd, unsigned int slot, const uint8_t *l3,
			   uint32_t len, int family, uint32_t *sa_id, uint32_t *seq);

/* Text for the show commands: "protect"; "any", "tcp", "47"; "any", "80", "1024-65535". */
const char *spd_action_name(uint8_t action);
const char *spd_proto_str(const struct spd_rule *r, char *buf, size_t len);
const char *spd_ports_str(uint16_t lo, uint16_t hi, char *buf, size_t len);

#endif
