/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_in.c - inbound ESP, tunnel and transport mode (RFC 4303 3.4; RFC 3948 for ESP
 * in UDP).
 *
 * Order per packet, as 3.4 asks: SA lookup by (SPI, destination), lifetime, replay check before
 * any crypto (3.4.3), ICV verification and decryption in bursts per SA (3.4.4), the window moves
 * only after the ICV verified (and is checked again, for duplicates within one burst), then the
 * padding (2.4) and next header; the mode's decap (struct esp_mode, chosen at install) strips
 * ESP; the inner packet is checked against the SA's selectors (RFC 4301 5.2), enters the SA's
 * interface and is validated like any received packet before it is routed. Worker lcores; the
 * SA's owner only.
 */
#include <stddef.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/esp.h"
#include "dataplane/esp_burst.h"
#include "dataplane/iface.h"

#define L2_LEN	    ((uint16_t)sizeof(struct rte_ether_hdr))
#define ESP_NH_NONE 59 /* RFC 4303 2.6: a dummy packet, discarded */
#define WIN_AHEAD   2  /* packets between a replay window's prefetch and its check */

/* Where the ESP header is: offset from the start of data, and bytes from it to the L3 end. */
struct esp_loc {
	uint16_t off;
	uint32_t len;
};

/* Locate the ESP header behind the outer IPv4/IPv6 (+UDP) header that classify validated. */
static bool locate(struct rte_mbuf *mb, struct esp_loc *loc, struct sa_key *k)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, uint8_t *, m->l3_off);
	uint32_t hl, l4, proto;
	const uint8_t *dst;
	if (m->family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		hl = (ip->version_ihl & 0xf) * 4u;
		l4 = rte_be_to_cpu_16(ip->total_length) - hl;
		proto = ip->next_proto_id;
		dst = (const uint8_t *)&ip->dst_addr;
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		hl = sizeof(*ip);
		l4 = rte_be_to_cpu_16(ip->payload_len);
		proto = ip->proto;
		dst = ip->dst_addr;
	}
	uint32_t udp = proto == IPPROTO_UDP ? (uint32_t)sizeof(struct rte_udp_hdr) : 0;
	if (l4 < udp + ESP_HDR_LEN || m->l3_off + hl + udp + ESP_HDR_LEN > rte_pktmbuf_data_len(mb))
		return false;
	loc->off = (uint16_t)(m->l3_off + hl + udp);
	loc->len = l4 - udp;
	uint32_t spi;
	memcpy(&spi, l3 + hl + udp, 4);
	sa_key_make(k, spi, m->family, dst);
	return true;
}

/* Replay check and crypto description for one packet of sa; SA_OK or an sa_err. */
static int prepare(struct sa *sa, struct rte_mbuf *mb, const struct esp_loc *loc,
		   struct esp_crypto_op *op, uint64_t *seq)
{
	uint32_t ivl = (uint32_t)esp_xform_iv_len(&sa->xf),
		 icvl = (uint32_t)esp_xform_icv_len(&sa->xf);
	if (loc->len < ESP_HDR_LEN + ivl + ESP_TRAILER_MIN + icvl ||
	    loc->off + loc->len > rte_pktmbuf_data_len(mb))
		return SA_ERR_MALFORMED;
	uint8_t *esp = rte_pktmbuf_mtod_offset(mb, uint8_t *, loc->off);
	uint32_t seq_lo;
	memcpy(&seq_lo, esp + 4, 4);
	if (replay_check(sa->win, rte_be_to_cpu_32(seq_lo), (sa->flags & SA_F_ESN) != 0, seq) != 0)
		return SA_ERR_REPLAY;
	op->esp = esp;
	op->iv = esp + ESP_HDR_LEN;
	op->payload = op->iv + ivl;
	op->len = loc->len - ESP_HDR_LEN - ivl - icvl;
	op->icv = op->payload + op->len;
	op->seq_hi = (uint32_t)(*seq >> 32);
	op->status = 0;
	return SA_OK;
}

/* Padding must be 1, 2, 3, ... (RFC 4303 2.4); SA_OK with the next header and payload bytes. */
static int trailer(const struct esp_crypto_op *op, uint8_t *nh, uint32_t *inner)
{
	uint8_t padlen = op->payload[op->len - 2];
	if ((uint32_t)padlen + ESP_TRAILER_MIN > op->len)
		return SA_ERR_PAD;
	const uint8_t *p = op->payload + op->len - ESP_TRAILER_MIN - padlen;
	for (uint8_t i = 0; i < padlen; i++)
		if (p[i] != (uint8_t)(i + 1))
			return SA_ERR_PAD;
	*nh = op->payload[op->len - 1];
	*inner = op->len - padlen - ESP_TRAILER_MIN;
	return SA_OK;
}

/* Tunnel mode: the payload is the inner packet; everything in front of it goes. */
int esp_tunnel_decap(struct sa *sa, struct rte_mbuf *mb, const struct esp_crypto_op *op, uint8_t nh,
		     uint32_t inner_len)
{
	int family;
	RTE_SET_USED(sa);
	if (nh == IPPROTO_IPIP)
		family = AF_INET;
	else if (nh == IPPROTO_IPV6)
		family = AF_INET6;
	else
		return -SA_ERR_INNER; /* incl. next header 59, dummy packets (2.6) */
	uint32_t head = (uint32_t)(op->payload - rte_pktmbuf_mtod(mb, uint8_t *));
	rte_pktmbuf_adj(mb, (uint16_t)head);
	rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - inner_len));
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(mb, L2_LEN);
	eth->ether_type =
		family == AF_INET ? RTE_BE16(RTE_ETHER_TYPE_IPV4) : RTE_BE16(RTE_ETHER_TYPE_IPV6);
	return family;
}

/*
 * RFC 3948 3.1.2: behind a NAT the TCP/UDP checksum of a transport-mode payload covers
 * addresses that were rewritten on the way. The packet is authenticated, so recompute it over
 * the addresses it arrived with (an IPv4 UDP checksum may simply be zero, RFC 768).
 */
static void natt_cksum(uint8_t *l3, int family, uint32_t hl, uint32_t len)
{
	uint8_t proto = family == AF_INET ? ((struct rte_ipv4_hdr *)l3)->next_proto_id
					  : ((struct rte_ipv6_hdr *)l3)->proto;
	uint8_t *l4 = l3 + hl;
	uint32_t at; /* offset of the checksum field in the L4 header */
	uint16_t ck = 0;
	if (proto == IPPROTO_UDP && len >= hl + sizeof(struct rte_udp_hdr))
		at = offsetof(struct rte_udp_hdr, dgram_cksum);
	else if (proto == IPPROTO_TCP && len >= hl + sizeof(struct rte_tcp_hdr))
		at = offsetof(struct rte_tcp_hdr, cksum);
	else
		return;
	memcpy(l4 + at, &ck, 2);
	if (family == AF_INET && proto == IPPROTO_UDP)
		return;
	ck = family == AF_INET ? rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)l3, l4)
			       : rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)l3, l4);
	memcpy(l4 + at, &ck, 2);
}

/* Transport mode: the packet's IP header stays, moved up to the payload, with nh restored. */
int esp_transport_decap(struct sa *sa, struct rte_mbuf *mb, const struct esp_crypto_op *op,
			uint8_t nh, uint32_t inner_len)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, uint8_t *, m->l3_off);
	int family = m->family;
	uint32_t hl = family == AF_INET ? (((struct rte_ipv4_hdr *)l3)->version_ihl & 0xf) * 4u
					: (uint32_t)sizeof(struct rte_ipv6_hdr);
	if (nh == 59)
		return -SA_ERR_INNER; /* a dummy packet (2.6) */
	uint8_t *ip = (uint8_t *)op->payload - hl;
	memmove(ip, l3, hl);
	uint32_t head = (uint32_t)(ip - rte_pktmbuf_mtod(mb, uint8_t *)) - L2_LEN;
	rte_pktmbuf_adj(mb, (uint16_t)head);
	rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - L2_LEN - hl - inner_len));
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	eth->ether_type =
		family == AF_INET ? RTE_BE16(RTE_ETHER_TYPE_IPV4) : RTE_BE16(RTE_ETHER_TYPE_IPV6);
	if (family == AF_INET) {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
		h->next_proto_id = nh;
		h->total_length = rte_cpu_to_be_16((uint16_t)(hl + inner_len));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
	} else {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;
		h->proto = nh;
		h->payload_len = rte_cpu_to_be_16((uint16_t)inner_len);
	}
	if (sa->flags & SA_F_UDP)
		natt_cksum(ip, family, hl, hl + inner_len);
	return family;
}

/* Ports of a TCP/UDP/SCTP packet, or false when they are not there (a later fragment). */
static bool sel_ports(const uint8_t *l4, uint32_t avail, bool later_frag, uint16_t *sp,
		      uint16_t *dp)
{
	if (later_frag || avail < 4)
		return false;
	*sp = (uint16_t)(l4[0] << 8 | l4[1]);
	*dp = (uint16_t)(l4[2] << 8 | l4[3]);
	return true;
}

static bool prefix_has(const uint8_t *pfx, uint8_t plen, const uint8_t *a)
{
	uint8_t whole = plen / 8, rest = plen % 8;
	if (memcmp(pfx, a, whole) != 0)
		return false;
	return rest == 0 || ((pfx[whole] ^ a[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* The packet's selector fields: addresses, protocol and ports (RFC 4301 4.4.1.1). */
struct sel_key {
	const uint8_t *src, *dst;
	uint8_t family, proto;
	bool ports;
	uint16_t sport, dport;
};

static bool sel_key_of(struct rte_mbuf *mb, int family, struct sel_key *k)
{
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, const uint8_t *, L2_LEN);
	uint32_t len = rte_pktmbuf_data_len(mb) - L2_LEN, hl;
	bool later;
	k->family = (uint8_t)family;
	k->sport = k->dport = 0;
	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		if (len < sizeof(*ip) || (hl = (ip->version_ihl & 0xf) * 4u) < sizeof(*ip) ||
		    hl > len)
			return false;
		k->src = (const uint8_t *)&ip->src_addr;
		k->dst = (const uint8_t *)&ip->dst_addr;
		k->proto = ip->next_proto_id;
		later = (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		if (len < sizeof(*ip))
			return false;
		hl = sizeof(*ip);
		k->src = ip->src_addr;
		k->dst = ip->dst_addr;
		k->proto = ip->proto;
		later = false; /* a fragment header makes proto 44: only "any" selectors match */
	}
	k->ports =
		(k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP || k->proto == IPPROTO_SCTP) &&
		sel_ports(l3 + hl, len - hl, later, &k->sport, &k->dport);
	return true;
}

static bool sel_one(const struct sa_sel *s, const struct sel_key *k)
{
	if (s->family != k->family || (s->proto != 0 && s->proto != k->proto) ||
	    !prefix_has(s->src, s->src_plen, k->src) || !prefix_has(s->dst, s->dst_plen, k->dst))
		return false;
	bool any = s->sport_lo == 0 && s->sport_hi == 65535 && s->dport_lo == 0 &&
		   s->dport_hi == 65535;
	if (any)
		return true;
	return k->ports && k->sport >= s->sport_lo && k->sport <= s->sport_hi &&
	       k->dport >= s->dport_lo && k->dport <= s->dport_hi;
}

/*
 * RFC 4301 5.2 step 4: a decrypted packet must match the SA's selectors, or a spoke could
 * inject traffic for prefixes it was never given. A header too short to read is left to the
 * IP validation that follows (it is counted there). SAs without selectors (VTI) take any.
 */
static bool sel_match(const struct sa *sa, struct rte_mbuf *mb, int family)
{
	struct sel_key k;
	if (sa->n_sel == 0 || !sel_key_of(mb, family, &k))
		return true;
	for (uint8_t i = 0; i < sa->n_sel; i++)
		if (sel_one(&sa->sel[i], &k))
			return true;
	return false;
}

/* The inner packet enters the SA's interface and is validated like any received packet. */
static void deliver(struct dp_worker *w, struct sa *sa, struct rte_mbuf *mb, int family,
		    uint32_t inner, struct dp_vec *v)
{
	struct dp_meta *m = dp_meta(mb);
	m->family = (uint8_t)family;
	m->l3_off = L2_LEN;
	m->in_ifindex = sa->ifindex;
	m->flags = DP_MF_DECRYPTED;
	m->stage =
		DP_STAGE_NONE; /* the inner packet starts afresh (an ESP inside is another SA's) */
	sa->st.pkts++;
	sa->st.bytes += inner;
	w->st->ifs[sa->ifindex].rx_pkts++;
	w->st->ifs[sa->ifindex].rx_bytes += inner;
	dp_classify_ip(w->st, mb, v);
}

/*
 * Start loading what the burst will read of sa: its read-mostly lines, the lifetime and the
 * owner's counters (everything before the error counters), and the transform's first line.
 * With thousands of SAs these are cold, and the hash lookup leaves time for them to arrive.
 */
static inline void sa_prefetch(const struct sa *sa)
{
	const char *p = (const char *)sa;
	for (size_t off = 0; off < offsetof(struct sa, st.err); off += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(p + off);
	rte_prefetch0(&sa->xf);
}

/*
 * Find the SA of each packet; packets without one go back to IP forwarding. A run of packets
 * with the same SPI and destination (one busy tunnel) is looked up once.
 */
static void lookup(struct dp_worker *w, struct dp_vec *v, struct sa **sas, struct esp_loc *loc)
{
	struct sa_key key[BURST_MAX];
	const struct sa_key *kp[BURST_MAX];
	uint32_t ids[BURST_MAX];
	uint16_t n = v->n_esp_in, which[BURST_MAX], uniq = 0;
	const struct sa *prev = NULL;
	for (uint16_t i = 0; i < n; i++) {
		if (!locate(v->esp_in[i], &loc[i], &key[i]))
			memset(&key[i], 0, sizeof(key[i])); /* SPI 0 is never installed */
		if (i == 0 || memcmp(&key[i], &key[i - 1], sizeof(key[i])) != 0)
			kp[uniq++] = &key[i];
		which[i] = (uint16_t)(uniq - 1);
	}
	sa_lookup_in(w->dp->sas, kp, uniq, ids);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->esp_in[i];
		struct dp_meta *m = dp_meta(mb);
		uint32_t id = ids[which[i]];
		if (m->stage == DP_STAGE_ESP_IN) /* handed over: the sender looked it up */
			id = m->sa_id;
		sas[i] = id != 0 ? sa_get(w->dp->sas, id) : NULL;
		if (sas[i] != NULL && sas[i] != prev) {
			sa_prefetch(sas[i]);
			prev = sas[i];
		}
		if (sas[i] == NULL && key[i].spi_be == 0) {
			dp_drop(w->st, mb, DP_DROP_ESP_TRUNCATED);
			v->esp_in[i] = NULL;
		} else if (sas[i] == NULL) {
			/* transit ESP, or the hub's own with an unknown SPI: routing decides */
			if (m->family == AF_INET)
				v->ip4[v->n_ip4++] = mb;
			else
				v->ip6[v->n_ip6++] = mb;
			v->esp_in[i] = NULL;
		} else if (sas[i]->owner != w->id) {
			m->sa_id = sas[i]->id;
			esp_handoff(w->dp, w->st, mb, sas[i]->owner, DP_STAGE_ESP_IN);
			v->esp_in[i] = NULL;
		}
	}
}

/*
 * NAT-T (RFC 3948): an authenticated packet from a new address or port moves the peer; the
 * control lcore sees peer_gen change and re-points the tunnel's outbound SA. Owner only.
 */
static void follow_peer(struct sa *sa, struct rte_mbuf *mb)
{
	const struct dp_meta *m = dp_meta(mb);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, const uint8_t *, m->l3_off);
	const uint8_t *src;
	const struct rte_udp_hdr *u;
	if (m->family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		src = (const uint8_t *)&ip->src_addr;
		u = (const struct rte_udp_hdr *)(l3 + (ip->version_ihl & 0xf) * 4);
	} else {
		src = ((const struct rte_ipv6_hdr *)l3)->src_addr;
		u = (const struct rte_udp_hdr *)(l3 + sizeof(struct rte_ipv6_hdr));
	}
	size_t alen = m->family == AF_INET ? 4 : 16;
	if (u->src_port == sa->peer_port_be && memcmp(src, sa->peer_addr, alen) == 0)
		return;
	/* a sequence lock: odd while the fields change, so the reader never keeps a torn copy */
	__atomic_fetch_add(&sa->peer_gen, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(sa->peer_addr, src, alen);
	sa->peer_port_be = u->src_port;
	__atomic_fetch_add(&sa->peer_gen, 1, __ATOMIC_RELEASE);
}

static void finish(struct dp_worker *w, struct esp_burst *b, uint16_t i, struct dp_vec *v)
{
	struct sa *sa = b->sa[i];
	struct rte_mbuf *mb = b->mb[i];
	uint32_t inner;
	uint8_t nh;
	if (b->op[i].status != 0) {
		esp_sa_drop(w->st, sa, mb,
			    b->op[i].status == -EBADMSG ? SA_ERR_AUTH : SA_ERR_MALFORMED);
		return;
	}
	if (replay_update(sa->win, b->seq[i]) != 0) {
		esp_sa_drop(w->st, sa, mb, SA_ERR_REPLAY);
		return;
	}
	int err = trailer(&b->op[i], &nh, &inner);
	if (err != SA_OK) {
		esp_sa_drop(w->st, sa, mb, (enum sa_err)err);
		return;
	}
	if (sa->flags & SA_F_FOLLOW)
		follow_peer(sa, mb);
	int family = sa->mode->decap(sa, mb, &b->op[i], nh, inner);
	if (family < 0) {
		esp_sa_drop(w->st, sa, mb, (enum sa_err) - family);
		return;
	}
	if (!sel_match(sa, mb, family)) {
		esp_sa_drop(w->st, sa, mb, SA_ERR_SELECTOR);
		return;
	}
	deliver(w, sa, mb, family, inner, v);
}

void esp_in(struct dp_worker *w, struct dp_vec *v)
{
	struct sa *sas[BURST_MAX];
	struct esp_loc loc[BURST_MAX];
	struct esp_burst b;
	if (v->n_esp_in == 0)
		return;
	uint64_t now = rte_rdtsc();
	lookup(w, v, sas, loc);
	b.n = 0;
	for (uint16_t i = 0; i < RTE_MIN(v->n_esp_in, WIN_AHEAD); i++)
		if (v->esp_in[i] != NULL)
			rte_prefetch0(sas[i]->win);
	for (uint16_t i = 0; i < v->n_esp_in; i++) {
		struct rte_mbuf *mb = v->esp_in[i];
		/* the replay window's head, WIN_AHEAD packets on: its SA's lines have arrived */
		if (i + WIN_AHEAD < v->n_esp_in && v->esp_in[i + WIN_AHEAD] != NULL)
			rte_prefetch0(sas[i + WIN_AHEAD]->win);
		if (mb == NULL)
			continue;
		if (esp_sa_expired(sas[i], now)) {
			esp_sa_drop(w->st, sas[i], mb, SA_ERR_LIFETIME);
			continue;
		}
		int err = prepare(sas[i], mb, &loc[i], &b.op[b.n], &b.seq[b.n]);
		if (err != SA_OK) {
			esp_sa_drop(w->st, sas[i], mb, (enum sa_err)err);
			continue;
		}
		b.mb[b.n] = mb;
		b.sa[b.n++] = sas[i];
	}
	v->n_esp_in = 0;
	esp_burst_crypto(&b, w->imb, esp_xform_decrypt);
	for (uint16_t i = 0; i < b.n; i++) {
		finish(w, &b, i, v);
		esp_sa_soft(b.sa[i], now);
	}
}
