/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/frag.h - outer IP fragments: reassembly of the ESP and UDP datagrams sent to the
 * hub, and fragmentation of the hub's own outer packets after encryption (RFC 4303 3.3.4 and
 * 3.4.1: ESP applies to whole datagrams, so the outer packet is fragmented after encryption and
 * reassembled before decryption). Worker lcores only, each on its own state.
 *
 * Reassembly: each worker owns one rte_ip_frag table (FRAG_FLOWS datagrams, FRAG_TIMEOUT_MS,
 * at most frag_held_max fragments held) and its death row. The tables are per worker, so every
 * fragment of a datagram must reach the same worker. It does: NIC RSS hashes a fragment on its
 * addresses only (the FRAG_IPV4/FRAG_IPV6 flow types have no ports, and the first fragment is
 * hashed as a fragment too), the kernel's flow hash behind the af_packet fanout leaves the ports
 * of fragments out as well, and a single queue has nothing to split. (The af_packet PMD sets
 * PACKET_FANOUT_FLAG_DEFRAG: the kernel reassembles IPv4 before the hub sees it, so on af_packet
 * ports only IPv6 fragments reach this code.) A completed datagram is made one mbuf again and
 * classified as if just received.
 *
 * Fragmentation: a packet the hub built (DP_MF_ORIGINATED) that is larger than the egress MTU
 * of a physical interface is cut by the worker when it may be: IPv4 with DF clear (RFC 791
 * 2.3), IPv6 always, the hub being its source (RFC 8200 4.5). The fragments go back through
 * IPv4/IPv6 forwarding.
 */
#ifndef VPNHUB_DATAPLANE_FRAG_H
#define VPNHUB_DATAPLANE_FRAG_H

#include <stdint.h>

#include "dataplane/classify.h"
#include "dataplane/dp.h"

/*
 * A datagram's fragments are dropped FRAG_TIMEOUT_MS after its first one arrived. RFC 4303 says
 * nothing; RFC 791 suggests 15 s and RFC 8200 4.5 60 s for hosts. The fragments of one outer
 * packet leave its sender back to back and ESP never retransmits, so a datagram not whole after
 * a second will not be; the short timer bounds what never-completed fragments can pin.
 */
#define FRAG_FLOWS	4096 /* datagrams in reassembly per worker */
#define FRAG_TIMEOUT_MS 1000
#define FRAG_OUT_MAX	64 /* fragments one packet may become */
/*
 * Fragment mbufs (a header and a reference each) per worker: a fragment holds its pair until
 * the NIC sent it, and a worker's TX queue holds at most TX_DESC (1024) frames; twice that
 * leaves room for fragments waiting for address resolution and in the TX buffers.
 */
#define FRAG_POOL_WORKER 2048

/*
 * Create the fragment pools of dp and each worker's reassembly table. A worker may hold a
 * quarter of the n_mbufs packet buffers, shared out among the workers, in fragments: the rest
 * keeps the RX rings filled whatever incomplete datagrams arrive. Returns 0 or a negative errno
 * (frag_destroy cleans up either way). Any lcore, before the workers start.
 */
int frag_create(struct dp *dp, unsigned int n_mbufs);
/* Free the tables (and the fragments they hold) and the pools. After the workers stopped. */
void frag_destroy(struct dp *dp);

/*
 * Consume v->frag: fragments for one of the hub's addresses are checked and reassembled, and a
 * completed datagram lands where classify puts it (esp_in, ip4/ip6, punt); fragments for other
 * destinations go to v->ip4 / v->ip6 to be forwarded unchanged. Bad fragments are counted
 * (frag_* drop reasons, per fragment) and freed. Expires old datagrams first. Worker lcore.
 */
void frag_input(struct dp_worker *w, struct dp_vec *v);

/*
 * Drop the datagrams whose first fragment came FRAG_TIMEOUT_MS or more before `now` (TSC),
 * counted as frag_timeout per fragment. A load and a branch when nothing is held: the worker
 * loop calls it every iteration, tests with a time of their choosing. Worker lcore.
 */
void frag_expire(struct dp_worker *w, uint64_t now);

/*
 * Consume v->frag_out (routed by ip_fwd, dp_meta out_ifindex set): cut each packet for its
 * egress MTU and forward the fragments (their punts are handed over as they come). A packet that
 * cannot be fragmented is counted and freed. Worker lcore.
 */
void frag_output(struct dp_worker *w, struct dp_vec *v);

#endif
