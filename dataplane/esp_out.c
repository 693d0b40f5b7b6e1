/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_out.c - outbound ESP, tunnel mode (RFC 4303 3.1.2, 3.3; RFC 3948 for UDP).
 *
 * Per packet: strip the Ethernet header, take the next sequence number (never cycling,
 * 3.3.3), append padding (monotonic bytes 1, 2, 3..., 2.4), pad length, next header and room
 * for the ICV, prepend outer header + ESP header + IV; then the burst is encrypted per SA and
 * the outer header (lengths, checksums) is completed over the final sizes. The packets go back
 * to IP forwarding marked as hub-originated. Worker lcores; the SA's owner only.
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

#define L2_LEN ((uint16_t)sizeof(struct rte_ether_hdr))

/* Lay out the ESP packet around the inner one, describe the crypto; SA_OK or an sa_err. */
static int encap(struct sa *sa, struct rte_mbuf *mb, struct esp_crypto_op *op, uint64_t *seqp)
{
	struct dp_meta *m = dp_meta(mb);
	uint8_t nh = m->family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	uint64_t seq;
	if (replay_next_seq(&sa->seq, (sa->flags & SA_F_ESN) != 0, &seq) != 0) {
		sa->hard_expired = 1; /* the SA is used up: it must be rekeyed */
		return SA_ERR_SEQ_CYCLE;
	}
	if (mb->nb_segs != 1 || rte_pktmbuf_adj(mb, m->l3_off) == NULL)
		return SA_ERR_NO_ROOM;
	uint32_t inner = rte_pktmbuf_pkt_len(mb);
	uint32_t align = (uint32_t)esp_xform_pad_align(&sa->xf);
	uint32_t pad = (align - (inner + ESP_TRAILER_MIN) % align) % align;
	uint32_t ivl = (uint32_t)esp_xform_iv_len(&sa->xf),
		 icvl = (uint32_t)esp_xform_icv_len(&sa->xf);
	uint8_t *tr = (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)(pad + ESP_TRAILER_MIN + icvl));
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(
		mb, (uint16_t)(L2_LEN + sa->outer_len + ESP_HDR_LEN + ivl));
	if (tr == NULL || p == NULL)
		return SA_ERR_NO_ROOM;
	for (uint32_t i = 0; i < pad; i++)
		tr[i] = (uint8_t)(i + 1);
	tr[pad] = (uint8_t)pad;
	tr[pad + 1] = nh;
	uint8_t *esp = p + L2_LEN + sa->outer_len;
	uint32_t seq_lo = rte_cpu_to_be_32((uint32_t)seq);
	memcpy(esp, &sa->spi_be, 4);
	memcpy(esp + 4, &seq_lo, 4);
	esp_xform_iv(&sa->xf, seq, esp + ESP_HDR_LEN);
	op->esp = esp;
	op->iv = esp + ESP_HDR_LEN;
	op->payload = op->iv + ivl;
	op->len = inner + pad + ESP_TRAILER_MIN;
	op->icv = op->payload + op->len;
	op->seq_hi = (uint32_t)(seq >> 32);
	op->status = 0;
	*seqp = seq;
	return SA_OK;
}

/* Complete the outer IPv4/IPv6 (+UDP) header over the final packet and mark it originated. */
static void outer_fill(struct sa *sa, struct rte_mbuf *mb, uint64_t seq)
{
	struct dp_meta *m = dp_meta(mb);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(mb, struct rte_ether_hdr *);
	uint8_t *o = (uint8_t *)(eth + 1);
	uint32_t l3 = rte_pktmbuf_pkt_len(mb) - L2_LEN;
	const struct sa_outer *tpl = __atomic_load_n(&sa->outer, __ATOMIC_ACQUIRE);
	memcpy(o, tpl->hdr, tpl->len);
	struct rte_udp_hdr *u = NULL;
	if (sa->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)o;
		ip->total_length = rte_cpu_to_be_16((uint16_t)l3);
		ip->packet_id = rte_cpu_to_be_16((uint16_t)seq); /* unique while fragments live */
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (sa->flags & SA_F_UDP) {
			u = (struct rte_udp_hdr *)(ip + 1);
			u->dgram_len = rte_cpu_to_be_16((uint16_t)(l3 - sizeof(*ip)));
			u->dgram_cksum = 0; /* RFC 3948 2.1: zero over IPv4 */
		}
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)o;
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l3 - sizeof(*ip)));
		if (sa->flags & SA_F_UDP) {
			u = (struct rte_udp_hdr *)(ip + 1);
			u->dgram_len = ip->payload_len;
			u->dgram_cksum = 0;
			u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u); /* mandatory over IPv6 */
		}
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	}
	m->family = sa->family;
	m->l3_off = L2_LEN;
	m->flags |= DP_MF_ORIGINATED;
}

/* The SA for a packet routed to a tunnel, or NULL (counted and freed). */
static struct sa *out_sa(struct dp_worker *w, struct rte_mbuf *mb)
{
	struct dp_meta *m = dp_meta(mb);
	const struct iface *t = iface_get(w->dp->ifaces, m->out_ifindex);
	struct sa *sa = t != NULL ? sa_get(w->dp->sas, t->sa_out) : NULL;
	if (sa == NULL || sa->dir != SA_OUT) {
		dp_drop(w->st, mb, DP_DROP_NO_TUNNEL);
		return NULL;
	}
	if (sa->owner != w->id) {
		m->sa_id = sa->id;
		esp_handoff(w->dp, w->st, mb, sa->owner, DP_STAGE_ESP_OUT);
		return NULL;
	}
	return sa;
}

void esp_out(struct dp_worker *w, struct dp_vec *v)
{
	struct esp_burst b;
	if (v->n_esp_out == 0)
		return;
	uint64_t now = rte_rdtsc();
	b.n = 0;
	for (uint16_t i = 0; i < v->n_esp_out; i++) {
		struct rte_mbuf *mb = v->esp_out[i];
		struct sa *sa = out_sa(w, mb);
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
	for (uint16_t i = 0; i < b.n; i++) {
		if (b.op[i].status != 0) {
			esp_sa_drop(w->st, b.sa[i], b.mb[i], SA_ERR_MALFORMED);
			continue;
		}
		outer_fill(b.sa[i], b.mb[i], b.seq[i]);
		if (b.sa[i]->family == AF_INET)
			v->ip4[v->n_ip4++] = b.mb[i];
		else
			v->ip6[v->n_ip6++] = b.mb[i];
	}
}
