/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/esp_in.c - inbound ESP, tunnel mode (RFC 4303 3.4; RFC 3948 for ESP in UDP).
 *
 * Order per packet, as 3.4 asks: SA lookup by (SPI, destination), lifetime, replay check before
 * any crypto (3.4.3), ICV verification and decryption in bursts per SA (3.4.4), the window moves
 * only after the ICV verified (and is checked again, for duplicates within one burst), then the
 * padding (2.4) and next header; the inner packet leaves on the SA's tunnel interface and is
 * validated like any received packet before it is routed. Worker lcores; the SA's owner only.
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

#define L2_LEN	    ((uint16_t)sizeof(struct rte_ether_hdr))
#define ESP_NH_NONE 59 /* RFC 4303 2.6: a dummy packet, discarded */

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

/* Padding must be 1, 2, 3, ... (RFC 4303 2.4); returns the inner family or 0. */
static int trailer(const struct esp_crypto_op *op, uint32_t *pad)
{
	uint8_t padlen = op->payload[op->len - 2], nh = op->payload[op->len - 1];
	if ((uint32_t)padlen + ESP_TRAILER_MIN > op->len)
		return -SA_ERR_PAD;
	const uint8_t *p = op->payload + op->len - ESP_TRAILER_MIN - padlen;
	for (uint8_t i = 0; i < padlen; i++)
		if (p[i] != (uint8_t)(i + 1))
			return -SA_ERR_PAD;
	*pad = padlen;
	if (nh == IPPROTO_IPIP)
		return AF_INET;
	if (nh == IPPROTO_IPV6)
		return AF_INET6;
	return -SA_ERR_INNER; /* incl. next header 59, dummy packets (2.6) */
}

/* Strip outer headers and trailer; the inner packet enters the SA's tunnel interface. */
static void decap(struct dp_worker *w, struct sa *sa, struct rte_mbuf *mb,
		  const struct esp_crypto_op *op, int family, uint32_t pad, struct dp_vec *v)
{
	struct dp_meta *m = dp_meta(mb);
	uint32_t head = (uint32_t)(op->payload - rte_pktmbuf_mtod(mb, uint8_t *));
	uint32_t inner = op->len - pad - ESP_TRAILER_MIN;
	rte_pktmbuf_adj(mb, (uint16_t)head);
	rte_pktmbuf_trim(mb, (uint16_t)(rte_pktmbuf_pkt_len(mb) - inner));
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(mb, L2_LEN);
	eth->ether_type =
		family == AF_INET ? RTE_BE16(RTE_ETHER_TYPE_IPV4) : RTE_BE16(RTE_ETHER_TYPE_IPV6);
	m->family = (uint8_t)family;
	m->l3_off = L2_LEN;
	m->in_ifindex = sa->ifindex;
	m->flags = 0;
	sa->st.pkts++;
	sa->st.bytes += inner;
	w->st->ifs[sa->ifindex].rx_pkts++;
	w->st->ifs[sa->ifindex].rx_bytes += inner;
	dp_classify_ip(w->st, mb, v);
}

/* Find the SA of each packet; packets without one go back to IP forwarding. */
static void lookup(struct dp_worker *w, struct dp_vec *v, struct sa **sas, struct esp_loc *loc)
{
	struct sa_key key[BURST_MAX];
	const struct sa_key *kp[BURST_MAX];
	uint16_t ids[BURST_MAX];
	uint16_t n = v->n_esp_in;
	for (uint16_t i = 0; i < n; i++) {
		kp[i] = &key[i];
		if (!locate(v->esp_in[i], &loc[i], &key[i]))
			memset(&key[i], 0, sizeof(key[i])); /* SPI 0 is never installed */
	}
	sa_lookup_in(w->dp->sas, kp, n, ids);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *mb = v->esp_in[i];
		struct dp_meta *m = dp_meta(mb);
		if (m->stage == DP_STAGE_ESP_IN) /* handed over: the sender looked it up */
			ids[i] = m->sa_id;
		sas[i] = ids[i] ? sa_get(w->dp->sas, ids[i]) : NULL;
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
	uint32_t pad;
	if (b->op[i].status != 0) {
		esp_sa_drop(w->st, sa, mb,
			    b->op[i].status == -EBADMSG ? SA_ERR_AUTH : SA_ERR_MALFORMED);
		return;
	}
	if (replay_update(sa->win, b->seq[i]) != 0) {
		esp_sa_drop(w->st, sa, mb, SA_ERR_REPLAY);
		return;
	}
	int family = trailer(&b->op[i], &pad);
	if (family < 0) {
		esp_sa_drop(w->st, sa, mb, (enum sa_err) - family);
		return;
	}
	if (sa->flags & SA_F_FOLLOW)
		follow_peer(sa, mb);
	decap(w, sa, mb, &b->op[i], family, pad, v);
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
	for (uint16_t i = 0; i < v->n_esp_in; i++) {
		struct rte_mbuf *mb = v->esp_in[i];
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
