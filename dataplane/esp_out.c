/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_out.c - outbound ESP, tunnel and transport mode (RFC 4303 3.1, 3.3; RFC 3948
 * for UDP).
 *
 * Per packet: take the next sequence number (never cycling, 3.3.3), append padding (monotonic
 * bytes 1, 2, 3..., 2.4), pad length, next header and room for the ICV, and put ESP header +
 * IV in front of the payload: in tunnel mode the payload is the whole inner packet behind a new
 * outer IP (+UDP) header; in transport mode it is what follows the packet's own IP header,
 * which stays. The mode's two steps are function pointers chosen at install (struct esp_mode).
 * Then the burst is encrypted and the IP header (lengths, checksums) is completed over the
 * final sizes. The packets are the hub's own (DP_MF_ORIGINATED): those whose SA's cached next
 * hop (nh_cache.h) is valid go straight to TX, the rest back to IP forwarding. Worker lcores;
 * the SA's owner only.
 */
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/esp.h"
#include "dataplane/esp_burst.h"
#include "dataplane/iface.h"
#include "dataplane/ip_fwd.h"

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/* The trailer (RFC 4303 2.4: padding 1, 2, 3..., pad length, next header) and the ICV's room. */
static int trailer(struct sa *sa, struct rte_mbuf *mb, uint32_t plain, uint8_t nh, uint32_t *padp)
{
	/* the alignment is a power of two (a block size, or 4): the padding is a mask, not a modulo */
	uint32_t mask = (uint32_t)esp_xform_pad_align(&sa->xf) - 1;
	uint32_t pad = (0u - (plain + ESP_TRAILER_MIN)) & mask;
	uint32_t icvl = (uint32_t)esp_xform_icv_len(&sa->xf);
	uint8_t *tr = (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)(pad + ESP_TRAILER_MIN + icvl));
	if (tr == NULL)
		return SA_ERR_NO_ROOM;
	for (uint32_t i = 0; i < pad; i++)
		tr[i] = (uint8_t)(i + 1);
	tr[pad] = (uint8_t)pad;
	tr[pad + 1] = nh;
	*padp = pad;
	return SA_OK;
}

/* ESP header and IV at esp, and the crypto description over plain bytes plus the trailer. */
static void esp_header(struct sa *sa, uint8_t *esp, uint32_t plain, uint32_t pad, uint64_t seq,
		       struct esp_crypto_op *op)
{
	uint32_t seq_lo = rte_cpu_to_be_32((uint32_t)seq);
	memcpy(esp, &sa->spi_be, 4);
	memcpy(esp + 4, &seq_lo, 4);
	esp_xform_iv(&sa->xf, seq, esp + ESP_HDR_LEN);
	op->esp = esp;
	op->iv = esp + ESP_HDR_LEN;
	op->payload = op->iv + esp_xform_iv_len(&sa->xf);
	op->len = plain + pad + ESP_TRAILER_MIN;
	op->icv = op->payload + op->len;
	op->seq_hi = (uint32_t)(seq >> 32);
	op->status = 0;
}

/* Tunnel mode (3.1.2): the whole inner packet is the payload; outer IP (+UDP) goes in front. */
static int tunnel_encap(struct sa *sa, struct rte_mbuf *mb, struct esp_crypto_op *op, uint64_t seq)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t nh = m->family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	uint32_t pad;
	if (rte_pktmbuf_adj(mb, m->l3_off) == NULL)
		return SA_ERR_NO_ROOM;
	uint32_t inner = rte_pktmbuf_pkt_len(mb);
	if (trailer(sa, mb, inner, nh, &pad) != SA_OK)
		return SA_ERR_NO_ROOM;
	uint32_t ivl = (uint32_t)esp_xform_iv_len(&sa->xf);
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(
		mb, (uint16_t)(L2_LEN + sa->outer_len + ESP_HDR_LEN + ivl));
	if (p == NULL)
		return SA_ERR_NO_ROOM;
	esp_header(sa, p + L2_LEN + sa->outer_len, inner, pad, seq, op);
	return SA_OK;
}

/* The outer header of the SA's current template (RCU-replaced when a NAT-T peer moves). */
static const struct sa_outer *outer_tpl(const struct sa *sa)
{
	return __atomic_load_n(&sa->outer, __ATOMIC_ACQUIRE);
}

/* Complete the outer IPv4/IPv6 (+UDP) header over the final packet. */
static void tunnel_finish(struct sa *sa, struct rte_mbuf *mb, uint64_t seq)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	uint8_t *o = (uint8_t *)(eth + 1);
	uint32_t l3 = rte_pktmbuf_pkt_len(mb) - L2_LEN;
	dp_meta(mb)->l3_off = L2_LEN; /* tunnel_encap left room for Ethernet only */
	const struct sa_outer *tpl = outer_tpl(sa);
	struct rte_udp_hdr *u = NULL;
	/* copies of constant size (inlined, unlike one of tpl->len bytes), the UDP header apart */
	if (sa->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)o;
		memcpy(ip, tpl->hdr, sizeof(*ip));
		ip->total_length = rte_cpu_to_be_16((uint16_t)l3);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)seq); /* unique while fragments live */
		/* RFC 1624: the template's sum plus the two fields that differ, folded */
		uint32_t sum = (uint32_t)tpl->sum + ip->total_length + ip->packet_id;
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->hdr_checksum = (uint16_t)~sum;
		if (sa->flags & SA_F_UDP) {
			u = (struct rte_udp_hdr *)(ip + 1);
			memcpy(u, tpl->hdr + sizeof(*ip), sizeof(*u));
			u->dgram_len = rte_cpu_to_be_16((uint16_t)(l3 - sizeof(*ip)));
			u->dgram_cksum = 0; /* RFC 3948 2.1: zero over IPv4 */
		}
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)o;
		memcpy(ip, tpl->hdr, sizeof(*ip));
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l3 - sizeof(*ip)));
		if (sa->flags & SA_F_UDP) {
			u = (struct rte_udp_hdr *)(ip + 1);
			memcpy(u, tpl->hdr + sizeof(*ip), sizeof(*u));
			u->dgram_len = ip->payload_len;
			u->dgram_cksum = 0;
			u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u); /* mandatory over IPv6 */
		}
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	}
}

/* Bytes of the IP header transport mode keeps in front of ESP, or 0 when it cannot apply. */
static uint32_t transport_hlen(struct rte_mbuf *mb, uint8_t *nh)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, uint8_t *, m->l3_off);
	if (m->family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
			return 0;
		*nh = ip->next_proto_id;
		return (ip->version_ihl & 0xf) * 4u;
	}
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
	if (ip->proto == IPPROTO_FRAGMENT)
		return 0;
	/*
	 * ESP goes right after the fixed header. The hub's own packets carry no extension headers;
	 * a forwarded packet's hop-by-hop or routing header would be encrypted, which is why policy
	 * only binds transport SAs to traffic between the SA's own endpoints.
	 */
	*nh = ip->proto;
	return sizeof(*ip);
}

/* Transport mode (3.1.1): ESP (after UDP with NAT-T) goes between the IP header and payload. */
static int transport_encap(struct sa *sa, struct rte_mbuf *mb, struct esp_crypto_op *op,
			   uint64_t seq)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t nh = 0;
	uint32_t pad, hl = transport_hlen(mb, &nh);
	if (hl == 0)
		return SA_ERR_FRAGMENT;
	uint32_t head = m->l3_off + hl;
	uint32_t plain = rte_pktmbuf_pkt_len(mb) - head;
	if (trailer(sa, mb, plain, nh, &pad) != SA_OK)
		return SA_ERR_NO_ROOM;
	uint32_t ins = sa->outer_len + ESP_HDR_LEN + (uint32_t)esp_xform_iv_len(&sa->xf);
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(mb, (uint16_t)ins);
	if (p == NULL)
		return SA_ERR_NO_ROOM;
	memmove(p, p + ins, head); /* L2 and the IP header move to the front */
	esp_header(sa, p + head + sa->outer_len, plain, pad, seq, op);
	return SA_OK;
}

/*
 * The IP header keeps its addresses (transport SAs protect traffic between their endpoints);
 * its protocol becomes ESP (or UDP, RFC 3948 2.1) and its lengths and checksum follow.
 */
static void transport_finish(struct sa *sa, struct rte_mbuf *mb, uint64_t seq)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, uint8_t *, m->l3_off);
	uint32_t len = rte_pktmbuf_pkt_len(mb) - m->l3_off;
	uint8_t proto = (sa->flags & SA_F_UDP) ? IPPROTO_UDP : IPPROTO_ESP;
	struct rte_udp_hdr *u = NULL;
	RTE_SET_USED(seq);
	if (m->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		uint32_t hl = (ip->version_ihl & 0xf) * 4u;
		ip->next_proto_id = proto;
		ip->total_length = rte_cpu_to_be_16((uint16_t)len);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (sa->flags & SA_F_UDP) {
			u = (struct rte_udp_hdr *)(l3 + hl);
			*u = *(const struct rte_udp_hdr *)(outer_tpl(sa)->hdr + sizeof(*ip));
			u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - hl));
			u->dgram_cksum = 0;
		}
		return;
	}
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
	ip->proto = proto;
	ip->payload_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(*ip)));
	if (sa->flags & SA_F_UDP) {
		u = (struct rte_udp_hdr *)(ip + 1);
		*u = *(const struct rte_udp_hdr *)(outer_tpl(sa)->hdr + sizeof(*ip));
		u->dgram_len = ip->payload_len;
		u->dgram_cksum = 0;
		u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u);
	}
}

/* Next sequence number (never cycling, 3.3.3) and the mode's layout; SA_OK or an sa_err. */
static int encap(struct sa *sa, struct rte_mbuf *mb, struct esp_crypto_op *op, uint64_t *seqp)
{
	if (replay_next_seq(&sa->seq, (sa->flags & SA_F_ESN) != 0, seqp) != 0) {
		sa->hard_expired = 1; /* the SA is used up: it must be rekeyed */
		return SA_ERR_SEQ_CYCLE;
	}
	if (mb->nb_segs != 1)
		return SA_ERR_NO_ROOM;
	return sa->mode->encap(sa, mb, op, *seqp);
}

/* The packet goes back to IP forwarding as the hub's own, in the SA's outer family. */
static void finish(struct sa *sa, struct rte_mbuf *mb, uint64_t seq)
{
	struct dp_meta *m = dp_meta(mb);
	sa->mode->finish(sa, mb, seq);
	m->family = sa->family;
	m->flags |= DP_MF_ORIGINATED;
}

/* The last SA of a burst that this worker owns, and what found it: the next packet's likely one. */
struct out_memo {
	struct sa *sa; /* NULL: none yet */
	uint32_t key;  /* the sa_id with DP_MF_SA_SET, else the tunnel's ifindex */
	bool set;      /* DP_MF_SA_SET */
};

/*
 * The SA for a packet routed to a tunnel (the interface's), or chosen by a policy (sa_id with
 * DP_MF_SA_SET); NULL when there is none (counted and freed) or the owner is another worker.
 * A packet that came the way of the previous one takes its SA: the burst runs inside one RCU
 * read-side section, so the tables cannot have changed in between.
 */
static struct sa *out_sa(struct dp_worker *w, struct rte_mbuf *mb, struct out_memo *memo)
{
	struct dp_meta *m = dp_meta(mb);
	bool set = (m->flags & DP_MF_SA_SET) != 0;
	uint32_t key = set ? m->sa_id : m->out_ifindex;
	struct sa *sa;
	if (memo->sa != NULL && memo->key == key && memo->set == set)
		return memo->sa;
	if (set) {
		sa = sa_get(w->dp->sas, m->sa_id);
	} else {
		const struct iface *t = iface_get(w->dp->ifaces, m->out_ifindex);
		sa = t != NULL ? sa_get(w->dp->sas, t->sa_out) : NULL;
	}
	if (sa == NULL || sa->dir != SA_OUT) {
		dp_drop(w->st, mb, DP_DROP_NO_TUNNEL);
		return NULL;
	}
	if (sa->owner != w->id) {
		m->sa_id = sa->id;
		esp_handoff(w->dp, w->st, mb, sa->owner, DP_STAGE_ESP_OUT);
		return NULL;
	}
	memo->sa = sa;
	memo->key = key;
	memo->set = set;
	return sa;
}

/*
 * After encryption: straight to TX through the SA's cached next hop when forwarding would send
 * the outer packet there unchanged (nh_cache.h), else back to IP forwarding, which handles
 * punts, drops, fragmentation and ICMP as for any packet the hub builds.
 */
static void out_send(struct dp_worker *w, struct dp_vec *v, struct esp_burst *b)
{
	struct rte_mbuf *tx[BURST_MAX];
	const struct dp_nh_cache *nhc[BURST_MAX];
	uint16_t n_tx = 0;
	uint64_t gen = dp_fwd_gen(w->dp);
	for (uint16_t i = 0; i < b->n; i++) {
		struct sa *sa = b->sa[i];
		struct rte_mbuf *mb = b->mb[i];
		if (b->op[i].status != 0) {
			esp_sa_drop(w->st, sa, mb, SA_ERR_MALFORMED);
			continue;
		}
		finish(sa, mb, b->seq[i]);
		if (dp_fwd_cached(w, &sa->nh_out, gen, mb)) {
			tx[n_tx] = mb;
			nhc[n_tx++] = &sa->nh_out;
		} else if (sa->family == AF_INET) {
			v->ip4[v->n_ip4++] = mb;
		} else {
			v->ip6[v->n_ip6++] = mb;
		}
	}
	dp_tx_cached(w, tx, nhc, n_tx);
}

void esp_out(struct dp_worker *w, struct dp_vec *v)
{
	struct esp_burst b;
	struct out_memo memo = {NULL, 0, false};
	if (v->n_esp_out == 0)
		return;
	uint64_t now = rte_rdtsc();
	b.n = 0;
	for (uint16_t i = 0; i < v->n_esp_out; i++) {
		struct rte_mbuf *mb = v->esp_out[i];
		struct sa *sa = out_sa(w, mb, &memo);
		if (sa == NULL)
			continue;
		if (esp_sa_expired(sa, now)) {
			esp_sa_drop(w->st, sa, mb, SA_ERR_LIFETIME);
			continue;
		}
		uint32_t inner = rte_pktmbuf_pkt_len(mb) - dp_meta(mb)->l3_off;
		int err = encap(sa, mb, &b.op[b.n], &b.seq[b.n]);
		if (err != SA_OK) {
			esp_sa_drop(w->st, sa, mb, (enum sa_err)err);
			continue;
		}
		sa->st.pkts++;
		sa->st.bytes += inner;
		/* the tunnel interface's own counters; the outer packet counts on the wire's */
		w->st->ifs[dp_meta(mb)->out_ifindex].tx_pkts++;
		w->st->ifs[dp_meta(mb)->out_ifindex].tx_bytes += inner;
		esp_sa_soft(sa, now);
		b.mb[b.n] = mb;
		b.sa[b.n++] = sa;
	}
	v->n_esp_out = 0;
	esp_burst_crypto(&b, w->imb, esp_xform_encrypt);
	out_send(w, v, &b);
}

const struct esp_mode esp_mode_tunnel = {
	.name = "tunnel",
	.encap = tunnel_encap,
	.finish = tunnel_finish,
	.decap = esp_tunnel_decap,
};

const struct esp_mode esp_mode_transport = {
	.name = "transport",
	.encap = transport_encap,
	.finish = transport_finish,
	.decap = esp_transport_decap,
};
