/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ike_resp.c - libFuzzer harness for the IKE responder (ctrlplane/ike/), IKEv2
 * and IKEv1: the whole path of a datagram, classify, punt, ike_input and the exchanges, with
 * their state kept from one datagram to the next within an input.
 *
 * A hub is assembled in-process as fuzz_packet.c does (two net_null ports, app/hub.c), with an
 * ike: section: an IPv4 peer with a PSK whose first child keys a static VTI and whose second
 * is an IPv6 child with PFS, and an IPv6 wildcard peer with a transport-mode child (IKEv2);
 * an IKEv1 peer at the same IPv4 address (Main or Aggressive Mode, its child on a second
 * static VTI, PFS) and an IKEv1 remote-access group on IPv6 (XAUTH against ike.users, Mode
 * Config from a pool, Aggressive Mode allowed). Each input is cut into up to 8 records
 * (fuzz_ike_resp.h); each record becomes an Ethernet + IP + UDP datagram from the peer to the
 * hub, port 500 or 4500 (then with the non-ESP marker), given to the worker (dp_input) and
 * then to the control lcore (ctrl_poll).
 *
 * The hub chooses its SPI, nonce and keys at random, so a record's flags let the harness fill
 * in what a real initiator would know: the responder SPI and the next message ID of the IKE SA
 * the hub keeps for the record's initiator SPI, the Encrypted payload (the record carries the
 * inner payloads in clear and is sealed with that SA's inbound keys, RFC 7296 3.14) and the
 * AUTH value of 2.15 from the SA's SK_pi and the configured key. IKEv1 records (IKE_RESP_F_V1)
 * get CKY-R, the hub's transaction message ID, their HASH and their encryption from the ISAKMP
 * SA (fuzz_ikev1_fill.c). Seeds (corpus/ike_resp, made by gen_ike_resp) go through IKE_AUTH,
 * CREATE_CHILD_SA and INFORMATIONAL, and through Main, Aggressive and Quick Mode, informational
 * exchanges, XAUTH and Mode Config.
 *
 * Checks (abort on failure): every IKE message the hub transmits goes to the peer it came from,
 * has the length it says and parses as what its version says (ike_msg_parse, ikev1_msg_parse);
 * at most one IKE SA per datagram; an established SA of its peer's version (a version: 1 peer
 * gets ISAKMP SAs only, the others IKEv2 ones); and after each input, when the harness has
 * deleted every IKE SA (as ike_fini does), no IKE SA, half-open index entry, data plane SA,
 * VTI binding or pool address is left, and the mbuf pool is back to its level.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "app/hub.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_int.h"
#include "ctrlplane/nbr.h"
#include "dataplane/iface.h"
#include "dataplane/sa.h"
#include "fuzz_ike_resp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define L2_LEN	   14
#define HDRS_MAX   (L2_LEN + 40 + 8 + 4) /* Ethernet, IPv6, UDP, non-ESP marker */
#define MSG_CAP	   (IKE_MSG_MAX + 64)
#define ALT_SPORT  4501
#define WAN_IFNAME "wan0"

static const char yaml[] =
	"system:\n"
	"  name: vhfuzzike\n"
	"  worker_cores: [1]\n"
	"  memory_mb: 256\n"
	"  hugepages: false\n"
	"  telemetry: false\n"
	"  log_level: emerg\n"
	"  mbufs: 4095\n"
	"interfaces:\n"
	"  - name: lan0\n"
	"    port: net_null0\n"
	"    ipv4: 10.10.1.1/24\n"
	"    ipv6: fd00:10:1::1/64\n"
	"  - name: wan0\n"
	"    port: net_null1\n"
	"    ipv4: 203.0.113.1/24\n"
	"    ipv6: fd00:10:2::1/64\n"
	"tunnels:\n"
	"  - name: vti1\n"
	"    type: vti\n"
	"    local: 203.0.113.1\n"
	"    remote: 203.0.113.2\n"
	"    ipv4: 172.16.0.1/30\n"
	"  - name: vti2\n"
	"    type: vti\n"
	"    local: 203.0.113.1\n"
	"    remote: 203.0.113.2\n"
	"    ipv4: 172.16.0.5/30\n"
	"routes:\n"
	"  - prefix: 10.30.0.0/24\n"
	"    interface: vti1\n"
	"  - prefix: 10.40.0.0/24\n"
	"    interface: vti2\n"
	"ike:\n"
	"  users:\n"
	"    - {name: alice, password: \"fuzz password of alice\"}\n"
	"  pools:\n"
	"    - name: ra\n"
	"      prefix: 10.99.0.0/29\n"
	"      dns: [10.10.1.53]\n"
	"      split: [10.10.1.0/24, 10.20.0.0/16]\n"
	"  peers:\n"
	"    - name: spoke\n"
	"      local: 203.0.113.1\n"
	"      remote: 203.0.113.2\n"
	"      local_id: fqdn:hub.example.net\n"
	"      remote_id: fqdn:spoke.example.net\n"
	"      psk: \"fuzz key of the spoke, not real\"\n"
	"      ike: [aes128gcm16-aes256gcm16-prfsha256-x25519-ecp256,\n"
	"            aes128-aes256-sha256-sha1-x25519-modp2048,\n"
	"            chacha20poly1305-prfsha512-x25519]\n"
	"      dpd_delay: 0\n"
	"      rekey_time: 0\n"
	"      children:\n"
	"        - name: net\n"
	"          tunnel: vti1\n"
	"          local_ts: 0.0.0.0/0\n"
	"          remote_ts: 0.0.0.0/0\n"
	"          esp: [aes128gcm16-aes256gcm16-esn-noesn, aes128-aes256-sha256-sha1]\n"
	"          rekey_time: 0\n"
	"        - name: pfs6\n"
	"          local_ts: 'fd00:10:1::/64'\n"
	"          remote_ts: 'fd00:50::/64[tcp]'\n"
	"          esp: [aes256gcm16-x25519-ecp256]\n"
	"          rekey_time: 0\n"
	"    - name: road\n"
	"      local: 'fd00:10:2::1'\n"
	"      remote: any\n"
	"      remote_id: fqdn:road.example.net\n"
	"      psk: \"fuzz key of the road, not real!\"\n"
	"      dpd_delay: 0\n"
	"      rekey_time: 0\n"
	"      children:\n"
	"        - name: lan6\n"
	"          local_ts: 'fd00:10:1::/64'\n"
	"          remote_ts: 'fd00:60::/64'\n"
	"          mode: transport\n"
	"          rekey_time: 0\n"
	"    - name: branch\n"
	"      version: 1\n"
	"      local: 203.0.113.1\n"
	"      remote: 203.0.113.2\n"
	"      local_id: fqdn:hub.example.net\n"
	"      remote_id: fqdn:branch.example.net\n"
	"      psk: \"fuzz key of the branch, not real\"\n"
	"      aggressive: true\n"
	"      ike: [aes256-sha256-modp2048-ecp256, aes128-sha1-modp2048]\n"
	"      dpd_delay: 0\n"
	"      rekey_time: 0\n"
	"      children:\n"
	"        - name: lan\n"
	"          tunnel: vti2\n"
	"          esp: [aes256-sha256-modp2048, aes128-sha1]\n"
	"          rekey_time: 0\n"
	"    - name: group\n"
	"      version: 1\n"
	"      local: 'fd00:10:2::1'\n"
	"      remote: any\n"
	"      local_id: fqdn:hub.example.net\n"
	"      remote_id: fqdn:group.example.net\n"
	"      psk: \"fuzz key of the group, not real\"\n"
	"      aggressive: true\n"
	"      xauth: true\n"
	"      pool: ra\n"
	"      mode_config: pull\n"
	"      banner: \"fuzz banner\"\n"
	"      domain: fuzz.example.net\n"
	"      ike: [aes128-sha256-modp2048]\n"
	"      dpd_delay: 0\n"
	"      rekey_time: 0\n"
	"      children:\n"
	"        - name: ra\n"
	"          local_ts: 10.10.1.0/24\n"
	"          remote_ts: [dynamic]\n"
	"          esp: [aes128-sha256, aes256gcm16]\n"
	"          rekey_time: 0\n"
	"          life_time: 1800\n";

static const char *const vti_names[] = {"vti1", "vti2"};
static struct hub hub;
static uint16_t wan_ifindex;
static unsigned int pool_level; /* mbufs in use between inputs */
static const struct rte_ether_addr peer_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
static uint8_t hub_addr[2][16], peer_addr[2][16]; /* [0] IPv4, [1] IPv6 */
static struct ike_msg tx_msg;			  /* what the hub sent, parsed */
static struct ikev1_msg tx_v1;			  /* the same, IKEv1 */
static bool tracing;
static uint64_t tx_checked; /* IKE messages of the hub checked on their way out */

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ike_resp: %s\n", what);
		abort();
	}
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * An IKE message the hub sent (UDP from port 500 or 4500, after the marker): to the peer's
 * address, with the length its header says, and one the codec parses. The codec parses SA
 * payloads as offers, numbered from 1 (3.3.1); an answer carries the number of the proposal it
 * accepted, which may be higher: that one refusal is not the hub's fault.
 */
static void check_ike_out(int fam, const uint8_t *dst, const uint8_t *p, size_t len)
{
	check(memcmp(dst, peer_addr[fam == AF_INET6], fam == AF_INET ? 4 : 16) == 0,
	      "IKE message to an address that sent nothing");
	check(len >= IKE_HDR_LEN && len <= IKE_MSG_MAX, "IKE message length");
	check(((uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 | be16(p + 26)) == len,
	      "IKE Length differs from the datagram");
	tx_checked++;
	if (p[17] == IKEV1_VERSION) {
		check(ikev1_msg_parse(&tx_v1, p, len) == 0,
		      "the hub sent a malformed ISAKMP message");
		const struct ike_sa *sa = ike_sa_by_spi(hub.ctrl.ike, tx_v1.hdr.cky_r);
		size_t block =
			sa != NULL && sa->v1 != NULL && sa->v1->block != 0 ? sa->v1->block : 8;
		check(!(p[19] & IKEV1_FLAG_E) || tx_v1.enc_len % block == 0,
		      "the hub sent a ciphertext of no whole number of blocks");
		return;
	}
	check(p[17] >> 4 == 2, "the hub sent a message of neither IKEv1 nor IKEv2");
	int rc = ike_msg_parse(&tx_msg, p, len);
	check(rc == 0 || tx_msg.err == IKE_MSG_ERR_SA_PROP_NUM, "the hub sent a malformed message");
}

/* A frame on the control TX queue: IKE datagrams are checked, the rest let through. */
static void check_frame(const struct rte_mbuf *mb)
{
	const uint8_t *f = rte_pktmbuf_mtod(mb, const uint8_t *);
	uint32_t n = rte_pktmbuf_data_len(mb), hl;
	int fam;
	if (n < L2_LEN + 20 ||
	    (be16(f + 12) != RTE_ETHER_TYPE_IPV4 && be16(f + 12) != RTE_ETHER_TYPE_IPV6))
		return;
	fam = be16(f + 12) == RTE_ETHER_TYPE_IPV4 ? AF_INET : AF_INET6;
	const uint8_t *ip = f + L2_LEN;
	hl = fam == AF_INET ? (ip[0] & 0xfu) * 4u : 40u;
	if ((fam == AF_INET ? ip[9] : ip[6]) != IPPROTO_UDP || n < L2_LEN + hl + 8)
		return;
	const uint8_t *u = ip + hl;
	uint16_t sport = be16(u), ulen = be16(u + 4);
	if (sport != IKE_PORT && sport != IKE_PORT_NATT)
		return;
	check(ulen >= 8 && L2_LEN + hl + ulen <= n, "UDP length of an IKE datagram");
	size_t skip = sport == IKE_PORT_NATT ? 4 : 0;
	if (skip && (ulen < 12 || (u[8] | u[9] | u[10] | u[11]) != 0))
		return; /* ESP in UDP, not IKE */
	check_ike_out(fam, fam == AF_INET ? ip + 16 : ip + 24, u + 8 + skip, ulen - 8u - skip);
}

static uint16_t tx_seen(uint16_t port, uint16_t queue, struct rte_mbuf *pkts[], uint16_t n,
			void *arg)
{
	RTE_SET_USED(port);
	RTE_SET_USED(queue);
	RTE_SET_USED(arg);
	for (uint16_t i = 0; i < n; i++)
		check_frame(pkts[i]);
	return n;
}

/* The newest IKE SA (v1: ISAKMP SA) the hub keeps for initiator SPI spi_i, or NULL. */
static struct ike_sa *sa_of(const uint8_t spi_i[8], bool v1)
{
	struct ike *ike = hub.ctrl.ike;
	struct ike_sa *best = NULL;
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		struct ike_sa *sa = data;
		if (memcmp(sa->spi_i, spi_i, 8) == 0 && (sa->v1 != NULL) == v1 &&
		    (best == NULL || sa->created_tsc >= best->created_tsc))
			best = sa;
	}
	return best;
}

/* The configured peer whose remote_id is the IDi body idi (type, 3 reserved, data), or NULL. */
static const struct cfg_ike_peer *peer_named(const uint8_t *idi, size_t len)
{
	for (unsigned int i = 0; i < hub.cfg->n_ike_peers; i++) {
		const struct cfg_ike_id *id = &hub.cfg->ike_peers[i].remote_id;
		if (len >= 4 && id->type == idi[0] && id->len == len - 4 &&
		    memcmp(id->data, idi + 4, id->len) == 0)
			return &hub.cfg->ike_peers[i];
	}
	return NULL;
}

/*
 * F_AUTH: the AUTH payload of the clear inner chain msg[IKE_HDR_LEN..len) (first type: the
 * header's Next Payload) gets prf(prf(PSK, "Key Pad for IKEv2"), RealMessage1 | NonceRData |
 * prf(SK_pi, IDi')) (2.15), when it is as long as the PRF's output. The PSK is that of the
 * peer the IDi names (an initiator knows its own key), else of the one IKE_SA_INIT chose.
 */
static void fix_auth(const struct ike_sa *sa, uint8_t *msg, size_t len)
{
	static struct ike_resp_chain ch;
	uint8_t *c = msg + IKE_HDR_LEN, v[IKE_PRF_MAX];
	ike_resp_walk(msg[16], c, len - IKE_HDR_LEN, &ch);
	unsigned int i = ike_resp_find(&ch, IKE_PL_IDI), a = ike_resp_find(&ch, IKE_PL_AUTH);
	const uint8_t *idi = i < ch.n ? c + ch.pl[i].at : NULL;
	size_t idi_len = i < ch.n ? ch.pl[i].len : 0;
	uint8_t *auth = a < ch.n && ch.pl[a].len > 4 ? c + ch.pl[a].at + 4 : NULL;
	size_t auth_len = auth != NULL ? ch.pl[a].len - 4 : 0;
	const struct cfg_ike_peer *peer = idi != NULL ? peer_named(idi, idi_len) : NULL;
	if (peer == NULL)
		peer = sa->peer;
	if (idi == NULL || auth == NULL || auth_len != ike_prf_len(sa->prf) || peer == NULL ||
	    sa->init_req == NULL)
		return;
	struct ike_signed_octets so = {sa->init_req,   sa->init_req_len, sa->nr, sa->nr_len,
				       sa->keys.sk_pi, sa->keys.d_len,	 idi,	 idi_len};
	if (ike_psk_auth(sa->prf, peer->psk, peer->psk_len, &so, v) == 0)
		memcpy(auth, v, auth_len);
	OPENSSL_cleanse(v, sizeof(v));
}

/* F_SEAL: header + clear inner chain -> header + Encrypted payload, with the SA's inbound keys. */
static size_t seal(const struct ike_sa *sa, uint8_t *msg, size_t len)
{
	static uint8_t out[MSG_CAP];
	struct ike_hdr h = {
		.next = IKE_PL_SK,
		.major = msg[17] >> 4,
		.minor = msg[17] & 0xf,
		.exchange = msg[18],
		.flags = msg[19],
		.msg_id = (uint32_t)be16(msg + 20) << 16 | be16(msg + 22),
	};
	struct ike_sk sk = sa->sk_in; /* a copy: the hub's own inbound state stays as it was */
	struct ike_wr w;
	size_t off, n = 0;
	memcpy(h.spi_i, msg, 8);
	memcpy(h.spi_r, msg + 8, 8);
	int rc = ike_wr_init(&w, out, sizeof(out), &h);
	if (rc == 0)
		rc = ike_wr_sk(&w, msg[16], &off);
	if (rc == 0)
		rc = ike_sk_protect(&sk, out, sizeof(out), off, IKE_SK_HDR_LEN, msg + IKE_HDR_LEN,
				    len - IKE_HDR_LEN, &n);
	ike_sk_wipe(&sk);
	if (rc != 0 || n > MSG_CAP)
		return len;
	memcpy(msg, out, n);
	return n;
}

/* What a record's flags ask the harness to fill in from the hub's state (msg has cap octets). */
static size_t fill_in(uint8_t flags, uint8_t *msg, size_t len, size_t cap)
{
	if (len < IKE_HDR_LEN)
		return len;
	struct ike_sa *sa = sa_of(msg, (flags & IKE_RESP_F_V1) != 0);
	if (sa == NULL)
		return len;
	if (flags & IKE_RESP_F_V1)
		return fuzz_ikev1_fill(sa, flags, msg, len, cap);
	if (flags & IKE_RESP_F_SPI)
		memcpy(msg + 8, sa->spi_r, 8);
	if (flags & IKE_RESP_F_MSGID) {
		msg[20] = (uint8_t)(sa->recv_next >> 24);
		msg[21] = (uint8_t)(sa->recv_next >> 16);
		msg[22] = (uint8_t)(sa->recv_next >> 8);
		msg[23] = (uint8_t)sa->recv_next;
	}
	if (!(flags & IKE_RESP_F_SEAL))
		return len;
	if (flags & IKE_RESP_F_AUTH)
		fix_auth(sa, msg, len);
	return seal(sa, msg, len);
}

/* Ethernet + IPv4/IPv6 + UDP (+ marker) around msg, from the peer to the hub, into mb. */
static void frame(struct rte_mbuf *mb, uint8_t flags, const uint8_t *msg, size_t len)
{
	int v6 = (flags & IKE_RESP_F_V6) != 0;
	uint16_t dport = (flags & IKE_RESP_F_NATT) ? IKE_PORT_NATT : IKE_PORT;
	size_t iph = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	size_t marker = dport == IKE_PORT_NATT ? 4 : 0, udp_len = 8 + marker + len;
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(mb, (uint16_t)(L2_LEN + iph + udp_len));
	const struct iface *wan = iface_get(hub.dp->ifaces, wan_ifindex);
	memset(f, 0, L2_LEN + iph + 8 + marker);
	memcpy(f, &wan->mac, 6);
	memcpy(f + 6, &peer_mac, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + L2_LEN + iph);
	u->src_port = rte_cpu_to_be_16((flags & IKE_RESP_F_SPORT) ? ALT_SPORT : dport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)udp_len);
	memcpy((uint8_t *)(u + 1) + marker, msg, len);
	if (!v6) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + L2_LEN);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(iph + udp_len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, peer_addr[0], 4);
		memcpy(&ip->dst_addr, hub_addr[0], 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
		return;
	}
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + L2_LEN);
	ip6->vtc_flow = RTE_BE32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)udp_len);
	ip6->proto = IPPROTO_UDP;
	ip6->hop_limits = 64;
	memcpy(ip6->src_addr, peer_addr[1], 16);
	memcpy(ip6->dst_addr, hub_addr[1], 16);
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, u);
}

/* One record through the worker and the control lcore. */
static void send_one(uint8_t flags, const uint8_t *p, size_t len)
{
	static uint8_t msg[MSG_CAP];
	struct dp *dp = hub.dp;
	const struct iface *wan = iface_get(dp->ifaces, wan_ifindex);
	struct rte_mbuf *mb = rte_pktmbuf_alloc(dp->pool);
	check(mb != NULL, "mbuf pool empty: only a leak empties it");
	size_t cap = RTE_MIN((size_t)rte_pktmbuf_tailroom(mb) - HDRS_MAX, sizeof(msg));
	len = RTE_MIN(len, cap);
	memcpy(msg, p, len);
	len = RTE_MIN(fill_in(flags, msg, len, sizeof(msg)), cap);
	frame(mb, flags, msg, len);
	mb->port = wan->port_id;
	dp_input(&dp->workers[0], wan->port_id, &mb, 1);
	rte_eth_tx_buffer_flush(wan->port_id, 0, dp->workers[0].txq[wan->port_id].buf);
	ctrl_poll(&hub.ctrl);
}

/* The SAs an input left, one line each: the peer, the state, children, XAUTH, Mode Config. */
static void trace_sas(void)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(hub.ctrl.ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *sa = data;
		const struct ikev1_sa *v = sa->v1;
		fprintf(stderr, "  sa %s: %s, %u children", sa->peer ? sa->peer->name : "?",
			v != NULL			 ? ikev1_p1_state_name[v->p1]
			: sa->state == IKE_S_ESTABLISHED ? "established"
							 : "half-open",
			sa->n_child);
		if (v != NULL)
			fprintf(stderr, ", xauth %u, mode config %s", v->xauth,
				v->cfg_done ? "done" : "no");
		fprintf(stderr, "\n");
	}
}

/* FUZZ_IKE_RESP_TRACE set: what an input did, as IKE counter deltas (to check the seeds). */
static void trace(const struct ike_stats *before, uint64_t checked)
{
	const struct ike_stats *now = &hub.ctrl.ike->st;
	fprintf(stderr,
		"ike: rx %" PRIu64 " tx %" PRIu64 " established %" PRIu64 " children %" PRIu64
		" child_rekeys %" PRIu64 " ike_rekeys %" PRIu64 " deleted %" PRIu64,
		now->rx - before->rx, now->tx - before->tx, now->established - before->established,
		now->children_installed - before->children_installed,
		now->child_rekeys - before->child_rekeys, now->ike_rekeys - before->ike_rekeys,
		now->deleted - before->deleted);
	fprintf(stderr, " (checked out %" PRIu64 ")", tx_checked - checked);
	for (int i = 0; i < IKE_DROP_MAX; i++)
		if (now->drop[i] != before->drop[i])
			fprintf(stderr, " %s %" PRIu64, ike_drop_name[i],
				now->drop[i] - before->drop[i]);
	if (now->v1_rx != before->v1_rx)
		fprintf(stderr,
			" | v1: rx %" PRIu64 " established %" PRIu64 " quick_modes %" PRIu64
			" deletes %" PRIu64 " dpd_answered %" PRIu64,
			now->v1_rx - before->v1_rx, now->v1_established - before->v1_established,
			now->v1_quick_modes - before->v1_quick_modes,
			now->v1_deletes - before->v1_deletes,
			now->v1_dpd_answered - before->v1_dpd_answered);
	for (int i = 0; i < IKEV1_DROP_MAX; i++)
		if (now->v1_drop[i] != before->v1_drop[i])
			fprintf(stderr, " %s %" PRIu64, ikev1_drop_name[i],
				now->v1_drop[i] - before->v1_drop[i]);
	fprintf(stderr, "\n");
	trace_sas();
}

/* An established SA speaks its peer's version: IKEv1 (ISAKMP SA) exactly with version: 1. */
static void versions_kept(void)
{
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(hub.ctrl.ike->by_spi, &key, &data, &next) >= 0) {
		const struct ike_sa *sa = data;
		if (sa->state == IKE_S_ESTABLISHED && sa->peer != NULL)
			check((sa->v1 != NULL) == (sa->peer->version == 1),
			      "an IKE SA of another version than its peer's");
	}
}

/* Every IKE SA goes, as ike_fini takes them; nothing of them may stay behind. */
static void delete_all(void)
{
	struct ike *ike = hub.ctrl.ike;
	const void *key;
	void *data;
	uint32_t next = 0;
	while (rte_hash_iterate(ike->by_spi, &key, &data, &next) >= 0) {
		ike_sa_delete(data);
		next = 0; /* the table changed under the iterator */
	}
	check(ike->n_sa == 0, "IKE SA count not back to 0");
	check(rte_hash_count(ike->by_spi) == 0, "IKE SA left in the SPI table");
	check(rte_hash_count(ike->by_init) == 0, "half-open index entry left: it points at a "
						 "freed IKE SA");
	for (uint32_t id = 1; id < hub.dp->sas->cap; id++)
		check(sa_get(hub.dp->sas, id) == NULL, "data plane SA left behind");
	for (unsigned int i = 0; i < RTE_DIM(vti_names); i++) {
		const struct iface *vti = iface_by_name(hub.dp->ifaces, vti_names[i]);
		check(vti != NULL && vti->sa_out == 0, "VTI still bound to an outbound SA");
	}
	for (unsigned int k = 0; k < hub.cfg->n_ike_pools; k++)
		check(ike_pool_used(ike, (int)k) == 0, "pool address not given back");
}

static void neighbors(void)
{
	const struct iface *wan = iface_get(hub.dp->ifaces, wan_ifindex);
	nbr_learn(&hub.ctrl, wan, AF_INET, peer_addr[0], &peer_mac, true);
	nbr_learn(&hub.ctrl, wan, AF_INET6, peer_addr[1], &peer_mac, true);
}

static void addresses(void)
{
	check(inet_pton(AF_INET, "203.0.113.1", hub_addr[0]) == 1 &&
		      inet_pton(AF_INET, "203.0.113.2", peer_addr[0]) == 1 &&
		      inet_pton(AF_INET6, "fd00:10:2::1", hub_addr[1]) == 1 &&
		      inet_pton(AF_INET6, "fd00:10:2::2", peer_addr[1]) == 1,
	      "addresses");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[512], prefix[64];
	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhfuzzike%d", (int)getpid());
	char *eal[] = {
		"fuzz",	  "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m",	  "256",       "-l",	   "0,1",	  "--log-level=1",
		"--vdev", "net_null0", "--vdev",   "net_null1",	  prefix,
		NULL,
	};
	check(rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) >= 0, "EAL init");
	if (cfg_load_buffer("fuzz", yaml, sizeof(yaml) - 1, &hub.cfg, err, sizeof(err)) != 0 ||
	    hub_start(&hub, false, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_ike_resp: %s\n", err);
		abort();
	}
	check(hub.ctrl.ike != NULL, "no IKE state: the config has peers");
	const struct iface *wan = iface_by_name(hub.dp->ifaces, WAN_IFNAME);
	check(wan != NULL, "no wan0");
	wan_ifindex = wan->ifindex;
	addresses();
	tracing = getenv("FUZZ_IKE_RESP_TRACE") != NULL;
	for (uint16_t port = 0; port < rte_eth_dev_count_avail(); port++)
		check(rte_eth_add_tx_callback(port, hub.ctrl.txq, tx_seen, NULL) != NULL,
		      "TX callback");
	neighbors();
	ctrl_poll(&hub.ctrl);
	pool_level = rte_mempool_in_use_count(hub.dp->pool);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_stats before = hub.ctrl.ike->st;
	uint64_t checked = tx_checked;
	unsigned int n = 0;
	neighbors(); /* reachable: answers leave at once instead of waiting in a queue */
	while (size >= 3 && n < IKE_RESP_DGRAMS_MAX) {
		size_t len = RTE_MIN((size_t)be16(data + 1), size - 3);
		unsigned int n_sa = hub.ctrl.ike->n_sa;
		send_one(data[0], data + 3, len);
		data += 3 + len;
		size -= 3 + len;
		n++;
		check(hub.ctrl.ike->n_sa <= n_sa + 1, "more than one IKE SA from one datagram");
		versions_kept();
	}
	if (tracing)
		trace(&before, checked);
	delete_all();
	ctrl_poll(&hub.ctrl);
	check(rte_mempool_in_use_count(hub.dp->pool) == pool_level, "mbufs leaked");
	return 0;
}
