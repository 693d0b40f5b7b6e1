/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/frag.c - outer fragments: reassembly for the hub, fragmentation of what it built
 * (see frag.h).
 *
 * Reassembly, per fragment: the FIB says whether the destination is the hub (transit fragments
 * are forwarded as they are); the fragment alone is checked (RFC 791 3.2, RFC 8200 4.5: data
 * present, a multiple of 8 bytes unless last, ending by 65535, a first fragment holding the ESP
 * or UDP header, RFC 7112); an IPv6 atomic fragment is a whole datagram (RFC 6946); the rest
 * goes to rte_ip_frag within the worker's budget.
 *
 * rte_ip_frag does not say why it drops, so each call is judged by what it put on the death
 * row, fragments counted by segment (a failed reassembly may leave fragments chained):
 *   - nothing, no datagram: the fragment is held;
 *   - one fragment: the table had no room for a new datagram (frag_table_full);
 *   - more: the datagram was discarded, for a repeated first or last fragment, more than
 *     RTE_LIBRTE_IP_FRAG_MAX_FRAG fragments, or fragments that overlap, repeat or leave a hole
 *     once their sizes add up (frag_discarded; RFC 5722 asks exactly that of IPv6).
 * This holds because expired datagrams, which the library would otherwise free inside the same
 * call, are removed first by frag_expire at the same timestamp, and because the checks above
 * keep the library's own per-fragment refusals from ever running.
 *
 * Invariant: frag_held is the number of fragments in the table; every fragment counted in
 * frag_in ends in a reassembled datagram, in a frag_* drop, or there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "dataplane/fib.h"
#include "dataplane/frag.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"

#define L2_LEN		    ((uint16_t)sizeof(struct rte_ether_hdr))
#define FRAG6_LEN	    ((uint16_t)sizeof(struct rte_ipv6_fragment_ext))
#define FRAG_BUCKETS	    1024 /* x 4 entries x 2 hash functions: 8192 slots for FRAG_FLOWS */
#define FRAG_BUCKET_ENTRIES 4
#define FRAG_HDR_ROOM	    64 /* a fragment's own header: IPv4 with options, IPv6 + Fragment */
#define IP_LEN_MAX	    65535
#define FIRST_MIN_ESP	    8 /* SPI and sequence number (RFC 4303 2) */
#define FIRST_MIN_UDP	    16 /* UDP header, then ESP's SPI and sequence or IKE's marker (RFC 3948 2) */
#define FRAG6_ID_SHIFT	    28 /* the worker id above the counter: workers never share an id */

/* What one fragment says about itself. */
struct frag_info {
	uint8_t *l3;
	struct rte_ipv6_fragment_ext *fh; /* IPv6; NULL for IPv4 */
	uint32_t ofs;			  /* of its data in the datagram, bytes */
	uint32_t len;			  /* of its data */
	uint16_t l3_len;		  /* header bytes in front of the data */
	uint8_t proto;
	uint8_t more;
};

int frag_create(struct dp *dp, unsigned int n_mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n = FRAG_POOL_WORKER * dp->n_workers - 1;
	uint64_t ttl = rte_get_tsc_hz() / 1000 * FRAG_TIMEOUT_MS;

	snprintf(name, sizeof(name), "fd_%p", (void *)dp);
	dp->frag_direct = rte_pktmbuf_pool_create(
		name, n, 64, 0, RTE_PKTMBUF_HEADROOM + FRAG_HDR_ROOM, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "fi_%p", (void *)dp);
	dp->frag_indirect = rte_pktmbuf_pool_create(name, n, 64, 0, 0, SOCKET_ID_ANY);
	if (dp->frag_direct == NULL || dp->frag_indirect == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		w->frag_tbl = rte_ip_frag_table_create(FRAG_BUCKETS, FRAG_BUCKET_ENTRIES,
						       FRAG_FLOWS, ttl, SOCKET_ID_ANY);
		w->frag_dr = rte_zmalloc("frag_dr", sizeof(*w->frag_dr), RTE_CACHE_LINE_SIZE);
		if (w->frag_tbl == NULL || w->frag_dr == NULL)
			return -ENOMEM;
		w->frag_held_max = RTE_MAX(n_mbufs / 4 / dp->n_workers, 1u);
		w->frag6_id = (uint32_t)rte_rand(); /* RFC 7739: not predictable from the outside */
	}
	return 0;
}

void frag_destroy(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		if (w->frag_dr != NULL)
			rte_ip_frag_free_death_row(w->frag_dr, 0);
		rte_free(w->frag_dr);
		w->frag_dr = NULL;
		if (w->frag_tbl != NULL)
			rte_ip_frag_table_destroy(w->frag_tbl);
		w->frag_tbl = NULL;
		w->frag_held = 0;
	}
	rte_mempool_free(dp->frag_direct);
	rte_mempool_free(dp->frag_indirect);
	dp->frag_direct = dp->frag_indirect = NULL;
}

/*
 * Count the fragments put on the death row from index `from` on as dropped for `why`, on the
 * interfaces they came in on; returns how many (a chained entry is several fragments).
 */
static uint32_t dead(struct dp_worker *w, uint32_t from, enum dp_drop why)
{
	const struct rte_ip_frag_death_row *dr = w->frag_dr;
	uint32_t n = 0;
	for (uint32_t i = from; i < dr->cnt; i++) {
		for (struct rte_mbuf *s = dr->row[i]; s != NULL; s = s->next) {
			w->st->ifs[dp_meta(s)->in_ifindex].drops++;
			n++;
		}
	}
	dp_count_drop(w->st, why, n);
	return n;
}

/* Fragments on the death row from index `from` on (segments: see dead). */
static uint32_t dead_frags(const struct rte_ip_frag_death_row *dr, uint32_t from)
{
	uint32_t n = 0;
	for (uint32_t i = from; i < dr->cnt; i++)
		n += dr->row[i]->nb_segs;
	return n;
}

void frag_expire(struct dp_worker *w, uint64_t now)
{
	struct rte_ip_frag_death_row *dr = w->frag_dr;
	uint32_t n;
	if (likely(w->frag_held == 0))
		return;
	rte_ip_frag_free_death_row(dr, 0); /* what is there was counted when it got there */
	do {
		rte_ip_frag_table_del_expired_entries(w->frag_tbl, dr, now);
		n = dr->cnt;
		w->frag_held -= dead(w, 0, DP_DROP_FRAG_TIMEOUT);
		rte_ip_frag_free_death_row(dr, 0);
		/* the sweep stops at the first live datagram, or when a datagram no longer fits */
	} while (n > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - RTE_LIBRTE_IP_FRAG_MAX_FRAG);
}

/* The destination is one of the hub's addresses. */
static bool for_hub(const struct dp *dp, struct rte_mbuf *mb)
{
	const struct dp_meta *m = dp_meta(mb);
	uint64_t nh;
	if (m->family == AF_INET) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(mb, const struct rte_ipv4_hdr *, m->l3_off);
		uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
		dp_fib_lookup4(dp->fib, &dst, &nh, 1);
	} else {
		uint8_t dst[1][16];
		memcpy(dst[0],
		       rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, m->l3_off)->dst_addr, 16);
		dp_fib_lookup6(dp->fib, dst, &nh, 1);
	}
	return dp_fib_nh(dp->fib, nh)->type == NH_LOCAL;
}

/*
 * One fragment on its own (RFC 791 3.2, RFC 8200 4.5, RFC 7112): DP_DROP_MAX when it may join
 * a datagram. end is the size of the datagram it claims to reach.
 */
static enum dp_drop check(const struct frag_info *fi, uint32_t end, const struct rte_mbuf *mb)
{
	if (fi->len == 0 || (fi->more && (fi->len & 7) != 0))
		return DP_DROP_FRAG_MALFORMED;
	if (end > IP_LEN_MAX)
		return DP_DROP_FRAG_TOO_BIG;
	if (fi->ofs == 0 && fi->more &&
	    fi->len < (fi->proto == IPPROTO_ESP ? FIRST_MIN_ESP : FIRST_MIN_UDP))
		return DP_DROP_FRAG_MALFORMED;
	if (mb->nb_segs != 1)
		return DP_DROP_FRAG_NO_ROOM; /* received in pieces: never, without RX scatter */
	return DP_DROP_MAX;
}

/* classify validated the IPv4 header: lengths consistent, all in the first segment. */
static enum dp_drop parse4(struct rte_mbuf *mb, struct frag_info *fi)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	fi->l3 = (uint8_t *)ip;
	fi->fh = NULL;
	fi->l3_len = (uint16_t)((ip->version_ihl & 0xf) * 4);
	fi->len = rte_be_to_cpu_16(ip->total_length) - fi->l3_len;
	fi->ofs = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	fi->more = (fo & RTE_IPV4_HDR_MF_FLAG) != 0;
	fi->proto = ip->next_proto_id;
	return check(fi, fi->l3_len + fi->ofs + fi->len, mb); /* total length, RFC 791 3.1 */
}

/* classify saw the Fragment header in the first segment and a payload that holds it. */
static enum dp_drop parse6(struct rte_mbuf *mb, struct frag_info *fi)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv6_hdr *, L2_LEN);
	fi->l3 = (uint8_t *)ip;
	fi->fh = (struct rte_ipv6_fragment_ext *)(ip + 1);
	uint16_t fd = rte_be_to_cpu_16(fi->fh->frag_data);
	fi->l3_len = (uint16_t)(sizeof(*ip) + FRAG6_LEN);
	fi->len = rte_be_to_cpu_16(ip->payload_len) - FRAG6_LEN;
	fi->ofs = fd & RTE_IPV6_EHDR_FO_MASK; /* 8-byte units in the top 13 bits: bytes */
	fi->more = RTE_IPV6_GET_MF(fd);
	fi->proto = fi->fh->next_header;
	return check(fi, fi->ofs + fi->len, mb); /* the reassembled payload length */
}

/* Count a dropped datagram of several fragments (chained), and free it. */
static void drop_chain(struct dp_worker *w, struct rte_mbuf *mb, enum dp_drop why)
{
	uint32_t n = 0;
	for (struct rte_mbuf *s = mb; s != NULL; s = s->next) {
		w->st->ifs[dp_meta(s)->in_ifindex].drops++;
		n++;
	}
	dp_count_drop(w->st, why, n);
	rte_pktmbuf_free(mb);
}

/* A whole datagram: one mbuf again (esp_in parses one segment), header fixed, classified anew. */
static void whole(struct dp_worker *w, struct rte_mbuf *r, struct dp_vec *v)
{
	w->frag_held -= r->nb_segs - 1u; /* the fragment just given was not held */
	if (rte_pktmbuf_linearize(r) != 0) {
		drop_chain(w, r, DP_DROP_FRAG_NO_ROOM);
		return;
	}
	if (dp_meta(r)->family == AF_INET) {
		/* the library rewrote length and offset and left the checksum 0 */
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, L2_LEN);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	w->st->frag[DP_FRAG_REASSEMBLED]++;
	dp_classify_whole(w->st, r, v);
}

/* RFC 6946: an atomic fragment (offset 0, M clear) is a datagram of its own; the header goes. */
static void atomic6(struct dp_worker *w, struct rte_mbuf *mb, const struct frag_info *fi,
		    struct dp_vec *v)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)fi->l3;
	ip->proto = fi->fh->next_header;
	ip->payload_len = rte_cpu_to_be_16((uint16_t)fi->len);
	uint8_t *p = rte_pktmbuf_mtod(mb, uint8_t *);
	memmove(p + FRAG6_LEN, p, L2_LEN + sizeof(*ip));
	rte_pktmbuf_adj(mb, FRAG6_LEN);
	w->st->frag[DP_FRAG_REASSEMBLED]++;
	dp_classify_whole(w->st, mb, v);
}

static void reassemble(struct dp_worker *w, struct rte_mbuf *mb, const struct frag_info *fi,
		       uint64_t now, struct dp_vec *v)
{
	struct rte_ip_frag_death_row *dr = w->frag_dr;
	uint32_t from = dr->cnt;
	struct rte_mbuf *r;
	if (w->frag_held >= w->frag_held_max) {
		dp_drop(w->st, mb, DP_DROP_FRAG_TABLE_FULL);
		return;
	}
	mb->l2_len = L2_LEN;
	mb->l3_len = fi->l3_len;
	if (fi->fh == NULL)
		r = rte_ipv4_frag_reassemble_packet(w->frag_tbl, dr, mb, now,
						    (struct rte_ipv4_hdr *)fi->l3);
	else
		r = rte_ipv6_frag_reassemble_packet(w->frag_tbl, dr, mb, now,
						    (struct rte_ipv6_hdr *)fi->l3, fi->fh);
	if (r != NULL) {
		whole(w, r, v);
		return;
	}
	/* held; or only this one dropped: no room for its datagram; or its datagram discarded */
	uint32_t n = dead_frags(dr, from);
	if (n == 0)
		w->frag_held++;
	else if (n == 1)
		dead(w, from, DP_DROP_FRAG_TABLE_FULL);
	else
		w->frag_held -= dead(w, from, DP_DROP_FRAG_DISCARDED) - 1;
}

static void frag_one(struct dp_worker *w, struct rte_mbuf *mb, uint64_t now, struct dp_vec *v)
{
	struct frag_info fi;
	bool v4 = dp_meta(mb)->family == AF_INET;
	if (!for_hub(w->dp, mb)) {
		/* a router forwards fragments as they are */
		if (v4)
			v->ip4[v->n_ip4++] = mb;
		else
			v->ip6[v->n_ip6++] = mb;
		return;
	}
	w->st->frag[DP_FRAG_IN]++;
	enum dp_drop why = v4 ? parse4(mb, &fi) : parse6(mb, &fi);
	if (why != DP_DROP_MAX)
		dp_drop(w->st, mb, why);
	else if (fi.ofs == 0 && !fi.more) /* IPv6 only: IPv4 says it is no fragment */
		atomic6(w, mb, &fi, v);
	else
		reassemble(w, mb, &fi, now, v);
}

void frag_input(struct dp_worker *w, struct dp_vec *v)
{
	uint16_t n = v->n_frag;
	if (n == 0)
		return;
	v->n_frag = 0; /* reassembled datagrams never come back here (dp_classify_whole) */
	uint64_t now = rte_rdtsc();
	frag_expire(w, now);
	for (uint16_t i = 0; i < n; i++)
		frag_one(w, v->frag[i], now, v);
	rte_ip_frag_free_death_row(w->frag_dr, 0); /* it holds one burst's worth: empty it now */
}

/* A fragment leaves as its packet would have: Ethernet header, metadata, header checksum. */
static int frag_finish(struct rte_mbuf *f, const struct dp_meta *m, uint32_t id6)
{
	*dp_meta(f) = *m;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(f, L2_LEN);
	if (eth == NULL)
		return -ENOSPC;
	if (m->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		/* rte_ipv6_fragment_packet leaves the Identification 0: every datagram needs its own */
		struct rte_ipv6_fragment_ext *fh =
			(struct rte_ipv6_fragment_ext *)((struct rte_ipv6_hdr *)(eth + 1) + 1);
		fh->id = rte_cpu_to_be_32(id6);
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	}
	return 0;
}

/*
 * The library cuts at the MTU rounded down to whole 8-byte units of data (RFC 791 2.3, RFC 8200
 * 4.5); older releases want that rounding done by the caller.
 */
static uint16_t frag_mtu(uint16_t mtu, uint16_t hdr)
{
	return mtu > hdr ? (uint16_t)(hdr + ((mtu - hdr) & ~7u)) : mtu;
}

/* Cut one routed packet for the MTU of its egress; returns the fragments, 0 when it dropped it. */
static int cut(struct dp_worker *w, struct rte_mbuf *mb, struct rte_mbuf **out)
{
	struct dp *dp = w->dp;
	struct dp_meta m = *dp_meta(mb);
	const struct iface *ifc = iface_get(dp->ifaces, m.out_ifindex);
	if (ifc == NULL) {
		dp_drop(w->st, mb, DP_DROP_NO_ROUTE);
		return 0;
	}
	rte_pktmbuf_adj(mb, m.l3_off); /* the library wants the IP header first */
	m.l3_off = L2_LEN;
	int k;
	if (m.family == AF_INET) {
		uint16_t hl = rte_ipv4_hdr_len(rte_pktmbuf_mtod(mb, struct rte_ipv4_hdr *));
		k = rte_ipv4_fragment_packet(mb, out, FRAG_OUT_MAX, frag_mtu(ifc->mtu, hl),
					     dp->frag_direct, dp->frag_indirect);
	} else {
		k = rte_ipv6_fragment_packet(
			mb, out, FRAG_OUT_MAX,
			frag_mtu(ifc->mtu, (uint16_t)(sizeof(struct rte_ipv6_hdr) + FRAG6_LEN)),
			dp->frag_direct, dp->frag_indirect);
	}
	if (k <= 0) {
		dp_drop(w->st, mb, k == -ENOMEM ? DP_DROP_NO_MBUF : DP_DROP_FRAG_NEEDED);
		return 0;
	}
	rte_pktmbuf_free(mb); /* the fragments hold references to its data */
	uint32_t id6 =
		(uint32_t)w->id << FRAG6_ID_SHIFT | (w->frag6_id++ & ((1u << FRAG6_ID_SHIFT) - 1));
	int made = 0;
	for (int i = 0; i < k; i++) {
		if (frag_finish(out[i], &m, id6) != 0) {
			dp_drop(w->st, out[i], DP_DROP_NO_MBUF);
			continue;
		}
		out[made++] = out[i];
	}
	w->st->frag[DP_FRAG_FRAGMENTED]++;
	w->st->frag[DP_FRAG_OUT] += (uint64_t)made;
	return made;
}

/* Forward the fragments queued so far, and hand their punts over (the punt vector is finite). */
static void forward(struct dp_worker *w, struct dp_vec *v)
{
	dp_ip4_forward(w, v);
	dp_ip6_forward(w, v);
	dp_punt_flush(w, v);
}

void frag_output(struct dp_worker *w, struct dp_vec *v)
{
	struct rte_mbuf *f[FRAG_OUT_MAX];
	uint16_t n = v->n_frag_out;
	if (n == 0)
		return;
	v->n_frag_out = 0;
	forward(w, v); /* empty ip4/ip6 and the punts, whoever filled them */
	for (uint16_t i = 0; i < n; i++) {
		int k = cut(w, v->frag_out[i], f);
		for (int j = 0; j < k; j++) {
			if (v->n_ip4 + v->n_ip6 == BURST_MAX)
				forward(w, v);
			if (dp_meta(f[j])->family == AF_INET)
				v->ip4[v->n_ip4++] = f[j];
			else
				v->ip6[v->n_ip6++] = f[j];
		}
	}
	forward(w, v);
}
