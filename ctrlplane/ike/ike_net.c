/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_net.c - IKE messages in and out of the control lcore (RFC 7296 2.11,
 * RFC 3948 2.2 for port 4500), and the dispatch of requests to the exchanges.
 *
 * In: UDP datagrams to port 500, or to 4500 behind the non-ESP marker, for a hub address, as
 * the data plane punted them. The message is parsed (ike_msg.c) and sent to its exchange by
 * (exchange, state): IKE_SA_INIT requests need no SA; the rest need the SA named by the
 * responder SPI, a message ID that is the next one (or the last one, which is answered again
 * from the cache, 2.2), and an Encrypted payload that verifies. Responses to requests the hub
 * never sent are dropped, and so is a request on an SA the hub initiated that is not yet
 * established (an IKE_SA_INIT or IKE SA rekey still under way: there are no keys for it).
 * Encrypted Fragments (RFC 7383) pass the same checks one by one and are dispatched once
 * ike_frag.c has the whole message; what the hub sends or caches may be a set of fragments.
 * Out: Ethernet + IP + UDP (+ marker) around the message, routed by ctrl_ip_output; or, when
 * a harness set ike->xmit (test/unit/test_ike_engine.c), the bare message handed to it.
 * Control lcore only.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_udp.h>

#include "ctrlplane/ike/ike.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"

#define L2_LEN		       ((uint16_t)sizeof(struct rte_ether_hdr))
#define NON_ESP_MARKER	       4 /* four zero octets before IKE on port 4500 (RFC 3948 2.2) */

#define IKE_DROP_NAME(s, n, d) [IKE_DROP_##s] = n,
const char *const ike_drop_name[IKE_DROP_MAX] = {IKE_DROPS(IKE_DROP_NAME)};
#undef IKE_DROP_NAME

void ike_count(struct ike *ike, enum ike_drop why)
{
	ike->st.drop[why]++;
}

/*
 * The datagram, IP header included, into buf (L3 at buf); returns its length. Checksums are
 * computed over the whole of it, before any fragmenting.
 */
static size_t datagram(const struct ike_path *p, const uint8_t *msg, size_t len, uint16_t id,
		       uint8_t *buf)
{
	/* a NAT-keepalive (one octet, ike_natt.c) goes without the marker (RFC 3948 2.3) */
	size_t marker = p->lport == IKE_PORT_NATT && len > 1 ? NON_ESP_MARKER : 0;
	size_t iph =
		p->family == AF_INET ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr);
	size_t udp_len = sizeof(struct rte_udp_hdr) + marker + len;
	memset(buf, 0, iph + sizeof(struct rte_udp_hdr) + marker);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(buf + iph);
	u->src_port = rte_cpu_to_be_16(p->lport);
	u->dst_port = rte_cpu_to_be_16(p->rport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)udp_len);
	memcpy((uint8_t *)(u + 1) + marker, msg, len); /* the marker is the zeroed octets */
	if (p->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)buf;
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(iph + udp_len));
		ip->packet_id = rte_cpu_to_be_16(id);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, p->local, 4);
		memcpy(&ip->dst_addr, p->remote, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)buf;
		ip->vtc_flow = RTE_BE32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)udp_len);
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, p->local, 16);
		memcpy(ip->dst_addr, p->remote, 16);
		u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u);
	}
	return iph + udp_len;
}

/* One IPv4 piece of the datagram d (header at d): bytes [off, off + n) of its payload. */
static int send_piece(struct ike *ike, const uint8_t *d, size_t off, size_t n, bool more)
{
	const size_t iph = sizeof(struct rte_ipv4_hdr);
	struct rte_mbuf *mb = ctrl_alloc(ike->c, (uint16_t)(L2_LEN + iph + n));
	if (mb == NULL)
		return -ENOMEM;
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(mb, struct rte_ipv4_hdr *, L2_LEN);
	memcpy(ip, d, iph);
	memcpy((uint8_t *)(ip + 1), d + iph + off, n);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(iph + n));
	ip->fragment_offset =
		rte_cpu_to_be_16((uint16_t)(off / 8) | (more ? RTE_IPV4_HDR_MF_FLAG : 0));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	dp_meta(mb)->flags = DP_MF_ORIGINATED;
	ctrl_ip_output(ike->c, mb, AF_INET, NULL);
	return 0;
}

/*
 * A message too large for one buffer (IKE_AUTH with certificates) leaves in IPv4 fragments of
 * at most IKE_FRAG_L3 octets (RFC 791); a smaller egress MTU splits them further
 * (ctrl_ip_output). That is the fallback for peers without IKE fragmentation (RFC 7383,
 * ike_frag.c), which splits messages before they get here.
 */
#define IKE_FRAG_L3 1500

int ike_send(struct ike *ike, const struct ike_path *p, const uint8_t *msg, size_t len)
{
	static uint8_t d[UINT16_MAX + 1];
	static uint16_t ip_id;
	const size_t iph = sizeof(struct rte_ipv4_hdr);
	if (len + 48 + NON_ESP_MARKER > UINT16_MAX)
		return -E2BIG;
	ike_trace_wire(msg, len, true);
	if (unlikely(ike->xmit != NULL)) { /* a harness carries the message (ike_int.h) */
		int rc = ike->xmit(ike, p, msg, len);
		if (rc == 0)
			ike->st.tx++;
		return rc;
	}
	size_t total = datagram(p, msg, len, ++ip_id, d);
	if (total <= IKE_FRAG_L3 || p->family != AF_INET) {
		struct rte_mbuf *mb = ctrl_alloc(ike->c, (uint16_t)(L2_LEN + total));
		if (mb == NULL)
			return -ENOMEM;
		memcpy(rte_pktmbuf_mtod_offset(mb, uint8_t *, L2_LEN), d, total);
		dp_meta(mb)->flags = DP_MF_ORIGINATED;
		ctrl_ip_output(ike->c, mb, p->family, NULL);
	} else {
		size_t chunk = (IKE_FRAG_L3 - iph) & ~(size_t)7, body = total - iph;
		for (size_t off = 0; off < body; off += chunk) {
			size_t n = RTE_MIN(chunk, body - off);
			int rc = send_piece(ike, d, off, n, off + n < body);
			if (rc != 0)
				return rc;
		}
	}
	ike->st.tx++;
	return 0;
}

int ike_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *plain, size_t plain_len,
	     uint8_t first, uint8_t *out, size_t cap, size_t *len)
{
	struct ike_wr w;
	size_t off;
	int rc = ike_wr_init(&w, out, cap, h);
	if (rc == 0)
		rc = ike_wr_sk(&w, first, &off);
	if (rc != 0)
		return rc;
	ike_trace_plain(h, first, plain, plain_len);
	return ike_sk_protect(&sa->sk_out, out, cap, off, IKE_SK_HDR_LEN, plain, plain_len, len);
}

int ike_respond(struct ike_sa *sa, const struct ike_msg *m, struct ike_wr *w)
{
	uint8_t out[IKE_FRAG_SET_MAX];
	size_t plain_len, len;
	struct ike_hdr h = {
		.next = IKE_PL_SK,
		.major = 2,
		.exchange = m->hdr.exchange,
		.flags = IKE_FLAG_R | (sa->initiator ? IKE_FLAG_I : 0),
		.msg_id = m->hdr.msg_id,
	};
	memcpy(h.spi_i, sa->spi_i, 8);
	memcpy(h.spi_r, sa->spi_r, 8);
	uint8_t first = ike_wr_first(w);
	int rc = ike_wr_finish(w, &plain_len);
	if (rc == 0)
		rc = ike_frag_seal(sa, &h, w->buf, plain_len, first, out, sizeof(out), &len);
	OPENSSL_cleanse(w->buf, w->cap); /* the inner payloads: keys and identities */
	if (rc == 0)			 /* all the fragments, when it was split (RFC 7383 2.6) */
		rc = ike_sa_cache_response(sa, m->hdr.msg_id, out, len);
	if (rc == 0)
		rc = ike_send_set(sa->ike, &sa->path, out, len);
	if (rc != 0)
		ike_count(sa->ike, IKE_DROP_NOMEM);
	return rc;
}

/* Where the datagram came from and went to; false if it is not UDP of a length we can trust. */
static bool path_of(struct rte_mbuf *mb, int family, struct ike_path *p, const uint8_t **payload,
		    size_t *len)
{
	uint32_t total = rte_pktmbuf_data_len(mb);
	const uint8_t *l3 = rte_pktmbuf_mtod_offset(mb, const uint8_t *, L2_LEN);
	uint32_t hl, l3len;
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	if (family == AF_INET) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		hl = (ip->version_ihl & 0xf) * 4u;
		l3len = rte_be_to_cpu_16(ip->total_length);
		memcpy(p->remote, &ip->src_addr, 4);
		memcpy(p->local, &ip->dst_addr, 4);
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		hl = sizeof(*ip);
		l3len = hl + rte_be_to_cpu_16(ip->payload_len);
		memcpy(p->remote, ip->src_addr, 16);
		memcpy(p->local, ip->dst_addr, 16);
	}
	/* classify validated the IP header and that l3len fits in the frame */
	if (l3len > total - L2_LEN || l3len < hl + sizeof(struct rte_udp_hdr))
		return false;
	const struct rte_udp_hdr *u = (const struct rte_udp_hdr *)(l3 + hl);
	uint32_t ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < sizeof(*u) || ulen > l3len - hl)
		return false;
	p->rport = rte_be_to_cpu_16(u->src_port);
	p->lport = rte_be_to_cpu_16(u->dst_port);
	*payload = (const uint8_t *)(u + 1);
	*len = ulen - sizeof(*u);
	if (p->lport == IKE_PORT_NATT) { /* RFC 3948 2.2: IKE behind four zero octets */
		if (*len < NON_ESP_MARKER)
			return false;
		*payload += NON_ESP_MARKER;
		*len -= NON_ESP_MARKER;
	}
	return true;
}

/*
 * The inner chain of m parsed: its Encrypted payload decrypted into plain[0..cap), or, for an
 * Encrypted Fragment (RFC 7383), the whole message once its last fragment came, in a buffer of
 * ike_frag.c (*in != plain: the caller frees it with ike_frag_free_plain). 1: parsed, *in and
 * *in_len say where; 0: a fragment kept or dropped, counted; < 0: it did not verify or parse.
 */
static int open_sk(struct ike_sa *sa, struct ike_msg *m, bool resp, uint8_t *plain, size_t cap,
		   uint8_t **in, size_t *in_len)
{
	uint8_t first = m->sk_next;
	int rc;
	*in = plain;
	*in_len = 0;
	if (m->sk < 0)
		return -EBADMSG;
	const struct ike_payload *sk = &m->pl[m->sk];
	if (sk->type == IKE_PL_SKF && !sa->frag) { /* 2.3: only once both ends offered it */
		ike_count(sa->ike, IKE_DROP_FRAG_UNEXPECTED);
		return 0;
	}
	if (sk->type == IKE_PL_SKF) {
		if (ike_frag_input(sa, m, resp, in, in_len, &first) == 0)
			return 0;
	} else {
		rc = ike_sk_unprotect(&sa->sk_in, m->buf, m->len, sk->off, IKE_SK_HDR_LEN, plain,
				      cap, in_len);
		if (rc != 0)
			return rc;
	}
	rc = ike_msg_parse_inner(m, first, *in, *in_len);
	if (rc == 0)
		ike_trace_msg(m, false, true);
	return rc == 0 ? 1 : rc;
}

/* The plaintext open_sk gave, wiped; freed when it was a reassembled message. */
static void close_sk(uint8_t *plain, size_t cap, uint8_t *in, size_t in_len)
{
	if (in != plain)
		ike_frag_free_plain(in, in_len);
	OPENSSL_cleanse(plain, cap);
}

/*
 * A request on an SA: message ID window (2.3), then the exchange. Once a request verified, the
 * SA follows the address and port it came from (2.23: a peer behind a NAT, or one that moved
 * to port 4500 after NAT detection, is answered where it is).
 */
static void request(struct ike *ike, struct ike_sa *sa, struct ike_msg *m, const struct ike_path *p)
{
	uint8_t plain[IKE_MSG_MAX], *in;
	size_t in_len = 0;
	uint32_t id = m->hdr.msg_id;
	if (sa->resp != NULL && id + 1 == sa->recv_next) {
		ike_count(ike, IKE_DROP_RETRANSMIT);
		/* RFC 7383 2.6.1: a fragmented request is answered again on its fragment 1 only */
		if (m->sk < 0 || m->pl[m->sk].type != IKE_PL_SKF || m->pl[m->sk].u.sk.number == 1)
			ike_send_set(ike, &sa->path, sa->resp, sa->resp_len);
		return;
	}
	if (id != sa->recv_next) {
		ike_count(ike, IKE_DROP_MSGID);
		return;
	}
	if (sa->initiator && sa->state != IKE_S_ESTABLISHED) { /* no keys to open it with yet */
		ike_count(ike, IKE_DROP_STATE);
		return;
	}
	int rc = open_sk(sa, m, false, plain, sizeof(plain), &in, &in_len);
	if (rc <= 0) {
		if (rc < 0)
			ike_count(ike, IKE_DROP_DECRYPT);
		close_sk(plain, sizeof(plain), in, in_len);
		return;
	}
	sa->last_rx_tsc = ike_now(ike);
	ike_sa_move(sa, p); /* 2.23: a verified, new message from elsewhere */
	if (m->hdr.exchange == IKE_EXCH_AUTH && sa->state == IKE_S_HALF_OPEN)
		ike_auth_respond(sa, m, in, in_len);
	else if (m->hdr.exchange == IKE_EXCH_INFORMATIONAL && sa->state == IKE_S_ESTABLISHED)
		ike_info_respond(sa, m, in, in_len);
	else if (m->hdr.exchange == IKE_EXCH_CREATE_CHILD_SA && sa->state == IKE_S_ESTABLISHED)
		ike_create_respond(sa, m);
	else
		ike_count(ike, IKE_DROP_STATE);
	close_sk(plain, sizeof(plain), in, in_len);
}

/*
 * A response: to the request outstanding on the SA whose SPI is ours (the initiator's when the
 * hub started the SA), with its message ID (2.2); anything else is not ours to take.
 */
static void response(struct ike *ike, struct ike_msg *m, const struct ike_path *p)
{
	static const uint8_t zero[8];
	uint8_t plain[IKE_MSG_MAX], *in = plain;
	size_t in_len = 0;
	int rc = -EBADMSG;
	bool from_init = (m->hdr.flags & IKE_FLAG_I) != 0; /* answers of the original initiator */
	struct ike_sa *sa = ike_sa_by_spi(ike, from_init ? m->hdr.spi_r : m->hdr.spi_i);
	if (sa == NULL || sa->v1 != NULL || sa->req == NULL || m->hdr.msg_id != sa->req_id ||
	    sa->initiator == from_init) { /* an ISAKMP SA has no IKEv2 keys to open it with */
		ike_count(ike, IKE_DROP_RESPONSE);
		return;
	}
	if (m->hdr.exchange == IKE_EXCH_SA_INIT) {
		if (sa->task[0].type != IKE_T_INIT || memcmp(sa->spi_r, zero, 8) != 0) {
			ike_count(ike, IKE_DROP_RESPONSE);
			return;
		}
		if (!ike_redirect_genuine(sa, m))
			return; /* RFC 5685: a REDIRECT not for our Ni never arrived */
		sa->last_rx_tsc = ike_now(ike);
		ike_task_response(sa, m, p);
		return;
	}
	if (memcmp(from_init ? sa->spi_i : sa->spi_r, from_init ? m->hdr.spi_i : m->hdr.spi_r, 8) ==
	    0)
		rc = open_sk(sa, m, true, plain, sizeof(plain), &in, &in_len);
	if (rc <= 0) {
		if (rc < 0)
			ike_count(ike, IKE_DROP_DECRYPT);
		close_sk(plain, sizeof(plain), in, in_len);
		return;
	}
	sa->last_rx_tsc = ike_now(ike);
	ike_sa_move(sa, p);	     /* 2.23: a verified, new message from elsewhere */
	ike_task_response(sa, m, p); /* may free sa */
	close_sk(plain, sizeof(plain), in, in_len);
}

void ike_input(struct ctrl *c, struct rte_mbuf *mb, int family)
{
	struct ike *ike = c->ike;
	struct ike_path p;
	const uint8_t *buf;
	size_t len;
	static struct ike_msg m; /* 10 KiB: off the control lcore's stack */
	if (ike == NULL || !path_of(mb, family, &p, &buf, &len)) {
		if (ike != NULL)
			ike_count(ike, IKE_DROP_PARSE);
		rte_pktmbuf_free(mb);
		return;
	}
	ike->st.rx++;
	if (len >= IKEV1_HDR_LEN && buf[17] == IKEV1_VERSION) { /* ISAKMP major 1 (RFC 2408 3.1) */
		ikev1_input(ike, buf, len, &p);
		rte_pktmbuf_free(mb);
		return;
	}
	ike_trace_wire(buf, len, false);
	if (ike_msg_parse(&m, buf, len) != 0) {
		ike_count(ike, m.err == IKE_MSG_ERR_HDR_V1 || m.err == IKE_MSG_ERR_HDR_VERSION
				       ? IKE_DROP_NOT_IKEV2
				       : IKE_DROP_PARSE);
	} else if (m.hdr.exchange == IKE_EXCH_SA_INIT && m.sk >= 0 &&
		   m.pl[m.sk].type == IKE_PL_SKF) {
		ike_count(ike, IKE_DROP_FRAG_UNEXPECTED); /* RFC 7383 2.5: never IKE_SA_INIT */
	} else if (m.hdr.flags & IKE_FLAG_R) {
		response(ike, &m, &p);
	} else if (m.hdr.exchange == IKE_EXCH_SA_INIT) {
		if (m.hdr.flags & IKE_FLAG_I)
			ike_init_respond(ike, &m, &p);
		else
			ike_count(ike, IKE_DROP_STATE);
	} else {
		/* our SPI is the responder's when the peer is the original initiator (flag I) */
		bool peer_init = (m.hdr.flags & IKE_FLAG_I) != 0;
		struct ike_sa *sa = ike_sa_by_spi(ike, peer_init ? m.hdr.spi_r : m.hdr.spi_i);
		if (sa == NULL || sa->v1 != NULL || sa->initiator == peer_init ||
		    memcmp(peer_init ? sa->spi_i : sa->spi_r, peer_init ? m.hdr.spi_i : m.hdr.spi_r,
			   8) != 0) {
			ike_count(ike, IKE_DROP_NO_SA);
			ike_guard_error(ike, &m, &p, IKE_N_INVALID_IKE_SPI, NULL, 0); /* 2.21.4 */
		} else
			request(ike, sa, &m, &p);
	}
	rte_pktmbuf_free(mb); /* m pointed into it: nothing keeps m past here */
}
