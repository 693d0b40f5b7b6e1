/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/counters.h - per-lcore counters and the one list of drop and punt reasons.
 *
 * Every lcore (each worker and the control lcore) owns one struct dp_lcore_stats and is its only
 * writer; readers (telemetry thread) sum over lcores with relaxed loads. A drop reason is declared
 * once in DP_DROP_REASONS: the enum, the human string and the telemetry key come from that line.
 */
#ifndef VPNHUB_DATAPLANE_COUNTERS_H
#define VPNHUB_DATAPLANE_COUNTERS_H

#include <stdint.h>
#include <rte_common.h>

/* X(enum suffix, telemetry name, description) */
#define DP_DROP_REASONS(X)                                                                         \
	X(ETH_TRUNCATED, "eth_truncated", "frame shorter than an Ethernet header")                 \
	X(ETH_NOT_OURS, "eth_not_ours", "unicast frame for another MAC address")                   \
	X(ETH_TYPE, "eth_type_unsupported", "EtherType not handled")                               \
	X(IP4_TRUNCATED, "ip4_truncated", "frame shorter than an IPv4 header")                     \
	X(IP4_VERSION, "ip4_bad_version", "IPv4 EtherType with a version other than 4")            \
	X(IP4_IHL, "ip4_bad_ihl", "IPv4 header length below 20 bytes")                             \
	X(IP4_LEN, "ip4_bad_length", "IPv4 total length outside the frame or below the header")    \
	X(IP4_CKSUM, "ip4_bad_checksum", "IPv4 header checksum wrong")                             \
	X(IP4_OPTIONS, "ip4_options", "IPv4 options on a forwarded packet")                        \
	X(IP4_SRC, "ip4_bad_source", "IPv4 source multicast, broadcast, loopback or zero")         \
	X(IP4_DST, "ip4_bad_destination", "IPv4 destination loopback, zero or class E")            \
	X(IP6_TRUNCATED, "ip6_truncated", "frame shorter than an IPv6 header")                     \
	X(IP6_VERSION, "ip6_bad_version", "IPv6 EtherType with a version other than 6")            \
	X(IP6_LEN, "ip6_bad_length", "IPv6 payload length beyond the frame")                       \
	X(IP6_SRC, "ip6_bad_source", "IPv6 source multicast or loopback")                          \
	X(IP6_DST, "ip6_bad_destination", "IPv6 destination unspecified or loopback")              \
	X(NO_ROUTE, "no_route", "no route to the destination")                                     \
	X(PUNT_FULL, "punt_ring_full", "control core ring full")                                   \
	X(TX_FULL, "tx_full", "transmit queue full")                                               \
	X(NEIGH_QUEUE_FULL, "neigh_queue_full", "too many packets waiting for address resolution") \
	X(NEIGH_FAILED, "neigh_failed", "address resolution failed")                               \
	X(ARP_BAD, "arp_malformed", "ARP packet malformed or not Ethernet/IPv4")                   \
	X(NOT_OUR_ADDR, "not_our_address", "ARP or NS for an address that is not the hub's")       \
	X(ND_BAD, "nd_malformed", "neighbor discovery message malformed")                          \
	X(ICMP_BAD, "icmp_malformed", "ICMP message to the hub malformed")                         \
	X(ICMP_RATELIMIT, "icmp_ratelimited", "ICMP error suppressed by the rate limit")           \
	X(LOCAL_UNHANDLED, "local_unhandled",                                                      \
	  "packet to the hub for a protocol it does not serve")                                    \
	X(MCAST_UNHANDLED, "mcast_unhandled", "multicast or broadcast nobody subscribed to")       \
	X(FRAG_NEEDED, "frag_needed", "larger than the egress MTU")                                \
	X(NO_MBUF, "no_mbuf", "buffer pool empty")                                                 \
	X(NATT_KEEPALIVE, "natt_keepalive", "NAT-T keepalive (RFC 3948 2.3), counted and dropped") \
	X(ESP_TRUNCATED, "esp_truncated", "ESP packet shorter than its header")                    \
	X(ESP_NO_SA, "esp_no_sa", "ESP for the hub with an unknown SPI")                           \
	X(ESP_SA, "esp_sa_error", "ESP dropped by its SA (see the SA's counters)")                 \
	X(NO_TUNNEL, "no_tunnel", "tunnel interface has no usable SA")                             \
	X(SPD_DISCARD, "spd_discard", "crypto map entry with action discard")                      \
	X(SPD_CLEARTEXT, "spd_cleartext",                                                          \
	  "clear text a crypto map says must arrive protected (RFC 4301 5.2)")                     \
	X(SPD_ACQUIRE, "spd_acquire",                                                              \
	  "crypto map entry still negotiating its SA, and its held packets are full")              \
	X(FRAG_MALFORMED, "frag_malformed",                                                        \
	  "fragment empty, misaligned, or first without its header")                               \
	X(FRAG_TOO_BIG, "frag_too_big", "fragment ends past 65535 bytes (RFC 791, RFC 8200 4.5)")  \
	X(FRAG_DISCARDED, "frag_discarded",                                                        \
	  "datagram discarded: fragments overlap, repeat or exceed 8 (RFC 5722)")                  \
	X(FRAG_TABLE_FULL, "frag_table_full", "reassembly table or fragment budget full")          \
	X(FRAG_TIMEOUT, "frag_timeout", "datagram not complete within the reassembly timeout")     \
	X(FRAG_NO_ROOM, "frag_no_room", "reassembled datagram larger than one packet buffer")

#define DP_PUNT_REASONS(X)                                \
	X(LOCAL, "local", "addressed to the hub")         \
	X(ARP, "arp", "ARP")                              \
	X(TTL, "ttl_expired", "TTL or hop limit expired") \
	X(NEIGH, "neigh_miss", "next hop not resolved")   \
	X(MCAST, "multicast", "multicast or broadcast")   \
	X(MTU, "mtu", "larger than the egress MTU")       \
	X(ACQUIRE, "acquire", "crypto map entry without its SA yet (IKE)")

/*
 * Outer fragments (dataplane/frag.c), counted per fragment unless said otherwise, in frag[] of
 * each worker's stats; telemetry shows them as frag_* keys. Every fragment taken in ends in a
 * reassembled datagram, dropped with a frag_* reason, or still held (frag_held of its worker).
 */
#define DP_FRAG_STATS(X)                                                                   \
	X(IN, "frag_in", "fragments for the hub taken into reassembly")                    \
	X(REASSEMBLED, "frag_reassembled", "datagrams reassembled (IPv6 atomic ones too)") \
	X(FRAGMENTED, "frag_fragmented", "hub-originated packets fragmented for the MTU")  \
	X(OUT, "frag_out", "fragments made of them")

#define DP_ENUM_DROP(e, n, d) DP_DROP_##e,
enum dp_drop { DP_DROP_REASONS(DP_ENUM_DROP) DP_DROP_MAX };
#undef DP_ENUM_DROP

#define DP_ENUM_PUNT(e, n, d) DP_PUNT_##e,
enum dp_punt { DP_PUNT_REASONS(DP_ENUM_PUNT) DP_PUNT_MAX };
#undef DP_ENUM_PUNT

#define DP_ENUM_FRAG(e, n, d) DP_FRAG_##e,
enum dp_frag_stat { DP_FRAG_STATS(DP_ENUM_FRAG) DP_FRAG_STAT_MAX };
#undef DP_ENUM_FRAG

/* Interfaces with per-lcore counters: physical ports now, tunnels later. */
#define DP_IFACE_STATS_MAX 256

struct dp_iface_stats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t drops;
};

/* One per lcore slot; cache-aligned so that lcores never share a line. */
struct dp_lcore_stats {
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t punted;
	uint64_t dropped;
	uint64_t loops;
	uint64_t busy_loops;
	uint64_t busy_cycles;  /* TSC cycles spent in loops that moved packets */
	uint64_t total_cycles; /* TSC cycles since the loop started */
	uint64_t busy_pkts;    /* packets received in busy loops (for cycles per packet) */
	uint64_t drop[DP_DROP_MAX];
	uint64_t punt[DP_PUNT_MAX];
	uint64_t frag[DP_FRAG_STAT_MAX]; /* DP_FRAG_STATS: workers only */
	struct dp_iface_stats ifs[DP_IFACE_STATS_MAX];
} __rte_cache_aligned;

extern const char *const dp_drop_name[DP_DROP_MAX];
extern const char *const dp_drop_desc[DP_DROP_MAX];
extern const char *const dp_punt_name[DP_PUNT_MAX];
extern const char *const dp_frag_name[DP_FRAG_STAT_MAX];

/* Writers: the owning lcore only. */
static inline void dp_count_drop(struct dp_lcore_stats *s, enum dp_drop why, uint32_t n)
{
	s->drop[why] += n;
	s->dropped += n;
}

static inline void dp_count_punt(struct dp_lcore_stats *s, enum dp_punt why)
{
	s->punt[why]++;
	s->punted++;
}

/* n frames of `bytes` in all queued for transmission out of ifindex (a burst's worth at once). */
static inline void dp_count_tx(struct dp_lcore_stats *s, uint16_t ifindex, uint32_t n,
			       uint64_t bytes)
{
	s->ifs[ifindex].tx_pkts += n;
	s->ifs[ifindex].tx_bytes += bytes;
	s->tx_pkts += n;
}

/*
 * Account one loop iteration that ran from start to end (TSC) and received n packets; the
 * busy share and cycles per packet come from these. Owning lcore only.
 */
static inline void dp_loop_account(struct dp_lcore_stats *s, uint64_t start, uint64_t end,
				   unsigned int n)
{
	s->loops++;
	s->total_cycles += end - start;
	if (n > 0) {
		s->busy_loops++;
		s->busy_cycles += end - start;
		s->busy_pkts += n;
	}
}

/* Reader side: *sum = sum over n slots (relaxed loads; each word is written by one lcore). */
void dp_stats_sum(const struct dp_lcore_stats *slots, unsigned int n, struct dp_lcore_stats *sum);
/* Sum of one interface's counters over n slots. */
void dp_iface_stats_sum(const struct dp_lcore_stats *slots, unsigned int n, uint16_t ifindex,
			struct dp_iface_stats *sum);

#endif
