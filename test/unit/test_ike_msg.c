/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ike_msg.c - the "ike_msg" suite: ctrlplane/ike/ike_msg.{h,c}.
 *
 * Well-formed messages: an IKE_SA_INIT request and the inner payloads of an IKE_AUTH request
 * built with scapy's IKEv2 layer (scapy 2.5.0 under /usr/bin/python3; the script is in the
 * comment above scapy_init), parsed field by field, and rebuilt byte for byte by the builder;
 * a message with every payload type built, parsed, checked and re-encoded from what was
 * parsed; an IKE_AUTH sealed into an SK payload (crypto/ike_sk.h) and opened again.
 *
 * Malformed messages: the IKE classes of ROBUSTNESS.md as a table of one crafted payload
 * body each, and a table of mutations of a good message (header, chain, critical bit, SK
 * placement), each asserting its exact reason (and the payload type reported); plus the
 * payload, selector and attribute limits, nested SK, and the builder refusing cleanly at every
 * buffer size short of what a message needs.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ike_msg.h"
#include "ctrlplane/log.h"
#include "tests.h"

#define BUF_MAX 4096

static struct ike_msg m; /* large: static, one test at a time */

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s), n;

	CU_ASSERT_FATAL(len % 2 == 0 && len / 2 <= cap);
	for (n = 0; n < len / 2; n++) {
		unsigned int v;
		CU_ASSERT_FATAL(sscanf(s + 2 * n, "%2x", &v) == 1);
		out[n] = (uint8_t)v;
	}
	return n;
}

static void pat(uint8_t *out, size_t n, unsigned int a, unsigned int b)
{
	for (size_t j = 0; j < n; j++)
		out[j] = (uint8_t)((a * j + b) & 0xff);
}

static void hdr_of(struct ike_hdr *h, uint8_t exch, uint8_t flags, uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	pat(h->spi_i, 8, 1, 1);
	if (exch != IKE_EXCH_SA_INIT)
		pat(h->spi_r, 8, 1, 0x11);
	h->major = 2;
	h->exchange = exch;
	h->flags = flags;
	h->msg_id = msg_id;
}

/*
 * Made with:
 *   T = IKEv2_payload_Transform
 *   tr = (T(transform_type='Encryption', transform_id=20, length=12, key_length=256)
 *         / T(transform_type='PRF', transform_id=5)
 *         / T(transform_type='GroupDesc', transform_id=19))
 *   tr2 = (T(transform_type='Encryption', transform_id=12, length=12, key_length=128)
 *          / T(transform_type='PRF', transform_id=2)
 *          / T(transform_type='Integrity', transform_id=2)
 *          / T(transform_type='GroupDesc', transform_id=14))
 *   props = (IKEv2_payload_Proposal(proposal=1, proto=1, trans_nb=3, trans=tr)
 *            / IKEv2_payload_Proposal(proposal=2, proto=1, trans_nb=4, trans=tr2))
 *   p = (IKEv2(init_SPI=bytes.fromhex('0102030405060708'), resp_SPI=b'\0' * 8,
 *              exch_type='IKE_SA_INIT', flags='Initiator', id=0)
 *        / IKEv2_payload_SA(next_payload='KE', prop=props)
 *        / IKEv2_payload_KE(next_payload='Nonce', group=19, load=bytes(range(0x10, 0x50)))
 *        / IKEv2_payload_Nonce(next_payload='Notify', load=bytes(range(0xa0, 0xc0)))
 *        / IKEv2_payload_Notify(next_payload='Notify', type=16388, load=bytes(range(20)))
 *        / IKEv2_payload_Notify(next_payload='VendorID', type=16389, load=bytes(range(20, 40)))
 *        / IKEv2_payload_VendorID(vendorID=b'vpnhub-test'))
 *   print(bytes(p).hex())
 * scapy fills Next Payload only right after the IKEv2 header, and a Proposal Length without
 * the SPI unless SPIsize is given: left to itself it writes messages this parser refuses
 * (PL_TRAILING, SA_PROP_LAST), so those fields are spelt out.
 */
static const char scapy_init[] =
	"010203040506070800000000000000002120220800000000000001232200005402000024010100030300000c"
	"01000014800e0100030000080200000500000008040000130000002c020100040300000c0100000c800e0080"
	"03000008020000020300000803000002000000080400000e2800004800130000101112131415161718191a1b"
	"1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4041424344454647"
	"48494a4b4c4d4e4f29000024a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"2900001c00004004000102030405060708090a0b0c0d0e0f101112132b00001c000040051415161718191a1b"
	"1c1d1e1f20212223242526270000000f76706e6875622d74657374";

/*
 * Made with (first payload IDi):
 *   esp = (T(transform_type='Encryption', transform_id=20, length=12, key_length=128)
 *          / T(transform_type=5, transform_id=0))
 *   inner = (IKEv2_payload_IDi(next_payload='AUTH', length=8 + 14, IDtype=2, ID=b'spoke1.example')
 *            / IKEv2_payload_AUTH(next_payload='SA', auth_type=2, load=bytes(range(32)))
 *            / IKEv2_payload_SA(next_payload='TSi', prop=IKEv2_payload_Proposal(proposal=1,
 *                  proto=3, SPIsize=4, SPI=bytes.fromhex('c0ffee01'), trans_nb=2, trans=esp))
 *            / IKEv2_payload_TSi(next_payload='TSr', traffic_selector=[IPv4TrafficSelector(
 *                  IP_protocol_ID=0, starting_address_v4='10.1.0.0',
 *                  ending_address_v4='10.1.255.255')])
 *            / IKEv2_payload_TSr(traffic_selector=[IPv6TrafficSelector(length=40,
 *                  IP_protocol_ID=6, start_port=443, end_port=443,
 *                  starting_address_v6='fd00::', ending_address_v6='fd00::ffff')]))
 * (and the ID and IPv6 selector lengths spelt out: scapy gets them wrong on its own.)
 */
static const char scapy_auth_inner[] =
	"270000160200000073706f6b65312e6578616d706c652100002802000000000102030405060708090a0b0c0d"
	"0e0f101112131415161718191a1b1c1d1e1f2c0000240000002001030402c0ffee010300000c01000014800e"
	"008000000008050000002d00001801000000070000100000ffff0a0100000a01ffff00000030010000000806"
	"002801bb01bbfd000000000000000000000000000000fd00000000000000000000000000ffff";

static void test_scapy_init(void)
{
	uint8_t b[BUF_MAX];
	size_t len = unhex(scapy_init, b, sizeof(b));
	const struct ike_payload *p;
	const struct ike_xform *x;

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT_EQUAL(m.err, IKE_MSG_ERR_NONE);
	CU_ASSERT(m.hdr.major == 2 && m.hdr.minor == 0 && m.hdr.exchange == IKE_EXCH_SA_INIT);
	CU_ASSERT(m.hdr.flags == IKE_FLAG_I && m.hdr.msg_id == 0 && m.hdr.length == len);
	CU_ASSERT(m.hdr.spi_i[0] == 1 && m.hdr.spi_i[7] == 8 && m.hdr.spi_r[7] == 0);
	CU_ASSERT(m.n == 6 && m.n_outer == 6 && m.sk == -1 && m.skipped == 0);
	p = ike_msg_find(&m, IKE_PL_SA, NULL);
	CU_ASSERT_FATAL(p != NULL && p->u.sa.n_props == 2);
	CU_ASSERT(m.props[0].num == 1 && m.props[0].proto == IKE_PROTO_IKE &&
		  m.props[0].n_xforms == 3 && m.props[0].spi_size == 0);
	CU_ASSERT(m.props[1].num == 2 && m.props[1].n_xforms == 4 && m.props[1].first_xform == 3);
	x = &m.xforms[0];
	CU_ASSERT(x->type == IKE_XF_ENCR && x->id == 20 && x->has_key_len && x->key_len == 256);
	CU_ASSERT(m.xforms[2].type == IKE_XF_KE && m.xforms[2].id == 19 &&
		  !m.xforms[2].has_key_len);
	CU_ASSERT(m.xforms[3].id == 12 && m.xforms[3].key_len == 128);
	CU_ASSERT(m.xforms[5].type == IKE_XF_INTEG && m.xforms[6].id == 14);
	p = ike_msg_find(&m, IKE_PL_KE, NULL);
	CU_ASSERT(p != NULL && p->u.ke.group == 19 && p->u.ke.len == 64 && p->u.ke.data[0] == 0x10);
	p = ike_msg_find(&m, IKE_PL_NONCE, NULL);
	CU_ASSERT(p != NULL && p->len == 32 && p->body[31] == 0xbf);
	p = ike_msg_notify(&m, IKE_N_NAT_DETECTION_DESTINATION_IP);
	CU_ASSERT(p != NULL && p->u.notify.len == 20 && p->u.notify.data[0] == 20 &&
		  p->u.notify.spi == NULL && p->u.notify.proto == 0);
	CU_ASSERT_EQUAL(ike_msg_count(&m, IKE_PL_NOTIFY), 2);
	p = ike_msg_find(&m, IKE_PL_VENDOR, NULL);
	CU_ASSERT(p != NULL && p->len == 11 && memcmp(p->body, "vpnhub-test", 11) == 0);
	CU_ASSERT(p != NULL && p->off == len - 15 && p->next == IKE_PL_NONE);
}

/* The scapy IKE_SA_INIT again, written by the builder. */
static size_t build_init(uint8_t *b, size_t cap, int *rc)
{
	uint8_t ke[64], ni[32], nd[40];
	struct ike_hdr h;
	struct ike_wr w;
	size_t len = 0;

	pat(ke, 64, 1, 0x10);
	pat(ni, 32, 1, 0xa0);
	pat(nd, 40, 1, 0);
	hdr_of(&h, IKE_EXCH_SA_INIT, IKE_FLAG_I, 0);
	ike_wr_init(&w, b, cap, &h);
	ike_wr_sa_begin(&w);
	ike_wr_prop(&w, 1, IKE_PROTO_IKE, NULL, 0);
	ike_wr_xform(&w, IKE_XF_ENCR, 20, 256);
	ike_wr_xform(&w, IKE_XF_PRF, 5, 0);
	ike_wr_xform(&w, IKE_XF_KE, 19, 0);
	ike_wr_prop(&w, 2, IKE_PROTO_IKE, NULL, 0);
	ike_wr_xform(&w, IKE_XF_ENCR, 12, 128);
	ike_wr_xform(&w, IKE_XF_PRF, 2, 0);
	ike_wr_xform(&w, IKE_XF_INTEG, 2, 0);
	ike_wr_xform(&w, IKE_XF_KE, 14, 0);
	ike_wr_sa_end(&w);
	ike_wr_ke(&w, 19, ke, sizeof(ke));
	ike_wr_nonce(&w, ni, sizeof(ni));
	ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, nd, 20);
	ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, nd + 20, 20);
	ike_wr_payload(&w, IKE_PL_VENDOR, false, "vpnhub-test", 11);
	*rc = ike_wr_finish(&w, &len);
	return len;
}

static void test_build_init(void)
{
	uint8_t want[BUF_MAX], got[BUF_MAX];
	size_t wl = unhex(scapy_init, want, sizeof(want));
	int rc = -1;
	size_t len = build_init(got, sizeof(got), &rc);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(len, wl);
	CU_ASSERT(memcmp(got, want, wl) == 0);
}

/* The scapy IKE_AUTH inner payloads, written by the builder as an inner chain. */
static size_t build_auth_inner(uint8_t *b, size_t cap, uint8_t *first)
{
	static const uint8_t spi[4] = {0xc0, 0xff, 0xee, 0x01};
	static const uint8_t v4[] = {10, 1, 0, 0, 10, 1, 255, 255};
	uint8_t auth[32], v6[32] = {0xfd};
	struct ike_ts tsi = {IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535, v4, v4 + 4};
	struct ike_ts tsr = {IKE_TS_IPV6_ADDR_RANGE, 6, 443, 443, v6, v6 + 16};
	struct ike_wr w;
	size_t len = 0;

	v6[16] = 0xfd;
	v6[30] = v6[31] = 0xff;
	pat(auth, 32, 1, 0);
	ike_wr_init_inner(&w, b, cap);
	ike_wr_id(&w, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)"spoke1.example", 14);
	ike_wr_auth(&w, 2, auth, sizeof(auth));
	ike_wr_sa_begin(&w);
	ike_wr_prop(&w, 1, IKE_PROTO_ESP, spi, 4);
	ike_wr_xform(&w, IKE_XF_ENCR, 20, 128);
	ike_wr_xform(&w, IKE_XF_ESN, 0, 0);
	ike_wr_sa_end(&w);
	ike_wr_ts(&w, IKE_PL_TSI, &tsi, 1);
	ike_wr_ts(&w, IKE_PL_TSR, &tsr, 1);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	*first = ike_wr_first(&w);
	return len;
}

/* The inner payloads as the parser must see them, wherever they came from. */
static void check_auth_inner(size_t from)
{
	const struct ike_payload *p = &m.pl[from];
	const struct ike_ts *ts;

	CU_ASSERT_FATAL(m.n == from + 5);
	CU_ASSERT(p[0].type == IKE_PL_IDI && p[0].inner && p[0].u.typed.type == IKE_ID_FQDN &&
		  p[0].u.typed.len == 14 && memcmp(p[0].u.typed.data, "spoke1.example", 14) == 0);
	CU_ASSERT(p[1].type == IKE_PL_AUTH && p[1].u.typed.type == 2 && p[1].u.typed.len == 32);
	CU_ASSERT(p[2].type == IKE_PL_SA && p[2].u.sa.n_props == 1);
	CU_ASSERT(m.props[p[2].u.sa.first_prop].proto == IKE_PROTO_ESP &&
		  m.props[p[2].u.sa.first_prop].spi_size == 4 &&
		  m.props[p[2].u.sa.first_prop].spi[0] == 0xc0);
	CU_ASSERT(p[3].type == IKE_PL_TSI && p[3].u.ts.n_ts == 1);
	ts = &m.ts[p[3].u.ts.first_ts];
	CU_ASSERT(ts->type == IKE_TS_IPV4_ADDR_RANGE && ts->start_port == 0 &&
		  ts->end_port == 65535 && ts->start[1] == 1 && ts->end[2] == 255);
	ts = &m.ts[p[4].u.ts.first_ts];
	CU_ASSERT(ts->type == IKE_TS_IPV6_ADDR_RANGE && ts->ip_proto == 6 &&
		  ts->start_port == 443 && ts->end[15] == 0xff && ts->start[0] == 0xfd);
}

static void test_scapy_auth_inner(void)
{
	uint8_t want[BUF_MAX], got[BUF_MAX], b[BUF_MAX], first = 0;
	size_t wl = unhex(scapy_auth_inner, want, sizeof(want));
	size_t gl = build_auth_inner(got, sizeof(got), &first);
	struct ike_hdr h;
	struct ike_wr w;
	size_t len = 0, off = 0;

	CU_ASSERT_EQUAL(first, IKE_PL_IDI);
	CU_ASSERT(gl == wl && memcmp(got, want, wl) == 0);
	/* an outer message whose SK payload carries 20 opaque octets */
	hdr_of(&h, IKE_EXCH_AUTH, IKE_FLAG_I, 1);
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_sk(&w, IKE_PL_IDI, &off), 0);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	memset(b + len, 0x5c, 20);
	b[off + 3] = 24;
	len += 20;
	b[27] = (uint8_t)len;
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT(m.sk == 0 && m.sk_next == IKE_PL_IDI && m.pl[0].u.sk.len == 20 &&
		  m.pl[0].u.sk.number == 0 && m.pl[0].off == 28);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, m.sk_next, want, wl), 0);
	CU_ASSERT_EQUAL(m.n_outer, 1);
	check_auth_inner(1);
}

/* IKE_AUTH through the builder, ike_sk_protect, the parser, ike_sk_unprotect, the parser. */
static void test_sealed_auth(void)
{
	static const uint16_t suites[][3] = {
		{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE},
		{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128},
	};
	for (size_t s = 0; s < 2; s++) {
		uint8_t inner[BUF_MAX], b[BUF_MAX], plain[BUF_MAX], ek[36], ak[32], first = 0;
		size_t il = build_auth_inner(inner, sizeof(inner), &first), off = 0, len = 0,
		       pl = 0;
		struct ike_sk sk;
		struct ike_hdr h;
		struct ike_wr w;

		pat(ek, 36, 3, 1);
		pat(ak, 32, 5, 2);
		CU_ASSERT_EQUAL_FATAL(ike_sk_init(&sk, suites[s][0], suites[s][1], suites[s][2], ek,
						  ike_sk_encr_key_len(suites[s][0], suites[s][1]),
						  s ? ak : NULL, s ? 32 : 0),
				      0);
		hdr_of(&h, IKE_EXCH_AUTH, IKE_FLAG_I, 1);
		ike_wr_init(&w, b, sizeof(b), &h);
		ike_wr_sk(&w, first, &off);
		CU_ASSERT_EQUAL(ike_wr_begin(&w, IKE_PL_NONCE, false), -EINVAL); /* SK is last */
		CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), -EINVAL);
		ike_wr_init(&w, b, sizeof(b), &h);
		ike_wr_sk(&w, first, &off);
		CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
		CU_ASSERT_EQUAL(
			ike_sk_protect(&sk, b, sizeof(b), off, IKE_SK_HDR_LEN, inner, il, &len), 0);
		CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
		CU_ASSERT(m.sk == 0 && m.sk_next == IKE_PL_IDI);
		CU_ASSERT_EQUAL_FATAL(ike_sk_unprotect(&sk, b, len, m.pl[m.sk].off, IKE_SK_HDR_LEN,
						       plain, sizeof(plain), &pl),
				      0);
		CU_ASSERT(pl == il && memcmp(plain, inner, il) == 0);
		CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, m.sk_next, plain, pl), 0);
		check_auth_inner(1);
		ike_sk_wipe(&sk);
	}
}

/* A message with one of every payload type (and an unknown one), for round trips. */
static int build_all(uint8_t *b, size_t cap, size_t *len)
{
	static const uint8_t spi8[8] = {9, 8, 7, 6, 5, 4, 3, 2}, spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t v4[] = {192, 0, 2, 0, 192, 0, 2, 255, 10, 0, 0, 1};
	static const uint8_t ip[4] = {10, 9, 8, 7}, dns[4] = {10, 9, 8, 1};
	static const uint8_t eap[] = {1, 5, 0, 9, 1, 'u', 's', 'e', 'r'};
	uint8_t x[64], v6[32] = {0x20, 0x01, 0x0d, 0xb8};
	const struct ike_ts ts[] = {{IKE_TS_IPV4_ADDR_RANGE, 17, 500, 4500, v4, v4 + 4},
				    {IKE_TS_IPV6_ADDR_RANGE, 0, 65535, 0, v6, v6 + 16}};
	const struct ike_ts one = {IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535, v4 + 8, v4 + 8};
	const struct ike_cp_attr cp[] = {{1, 4, ip}, {3, 4, dns}, {7, 0, NULL}};
	struct ike_hdr h;
	struct ike_wr w;

	memcpy(v6 + 16, v6, 4);
	v6[31] = 1;
	pat(x, sizeof(x), 7, 3);
	hdr_of(&h, IKE_EXCH_CREATE_CHILD_SA, IKE_FLAG_R, 7);
	ike_wr_init(&w, b, cap, &h);
	ike_wr_sa_begin(&w);
	ike_wr_prop(&w, 1, IKE_PROTO_ESP, spis, 4);
	ike_wr_xform(&w, IKE_XF_ENCR, 12, 256);
	ike_wr_xform(&w, IKE_XF_INTEG, 12, 0);
	ike_wr_xform(&w, IKE_XF_ESN, 1, 0);
	ike_wr_prop(&w, 2, IKE_PROTO_IKE, spi8, 8);
	ike_wr_xform(&w, IKE_XF_ENCR, 28, 0);
	ike_wr_sa_end(&w);
	ike_wr_ke(&w, 31, x, 32);
	ike_wr_nonce(&w, x, 32);
	ike_wr_notify(&w, IKE_PROTO_ESP, spis, 4, 16393, NULL, 0);
	ike_wr_notify(&w, 0, NULL, 0, IKE_N_COOKIE, x, 20);
	ike_wr_delete(&w, IKE_PROTO_ESP, 4, spis, 2);
	ike_wr_delete(&w, IKE_PROTO_IKE, 0, NULL, 0);
	ike_wr_payload(&w, IKE_PL_VENDOR, false, x, 16);
	ike_wr_ts(&w, IKE_PL_TSI, ts, 2);
	ike_wr_ts(&w, IKE_PL_TSR, &one, 1);
	ike_wr_cp(&w, IKE_CFG_REPLY, cp, 3);
	ike_wr_payload(&w, IKE_PL_EAP, false, eap, sizeof(eap));
	ike_wr_begin(&w, IKE_PL_CERT, false);
	ike_wr_u8(&w, IKE_CERT_X509_SIG);
	ike_wr_put(&w, x, 50);
	ike_wr_end(&w);
	ike_wr_begin(&w, IKE_PL_CERTREQ, false);
	ike_wr_u8(&w, IKE_CERT_X509_SIG);
	ike_wr_put(&w, x, 40);
	ike_wr_auth(&w, 2, x, 32);
	ike_wr_id(&w, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)"hub.example", 11);
	ike_wr_id(&w, IKE_PL_IDR, IKE_ID_IPV4_ADDR, ip, 4);
	ike_wr_payload(&w, 200, false, x, 5); /* unknown, not critical: skipped */
	ike_wr_begin(&w, IKE_PL_SKF, false);
	ike_wr_u16(&w, 1);
	ike_wr_u16(&w, 3);
	ike_wr_u32(&w, 0x01020304);
	return ike_wr_finish(&w, len);
}

static void check_all(void)
{
	const struct ike_payload *p;
	const struct ike_cp_attr *a;

	CU_ASSERT(m.n == 19 && m.skipped == 1 && m.sk == 18 && m.sk_next == IKE_PL_NONE);
	CU_ASSERT(m.hdr.exchange == IKE_EXCH_CREATE_CHILD_SA && m.hdr.flags == IKE_FLAG_R &&
		  m.hdr.msg_id == 7);
	CU_ASSERT(m.n_props == 2 && m.n_xforms == 4 && m.props[1].spi_size == 8 &&
		  m.props[1].spi[0] == 9 && m.props[1].first_xform == 3);
	CU_ASSERT(m.xforms[0].key_len == 256 && m.xforms[2].type == IKE_XF_ESN &&
		  m.xforms[3].id == 28 && !m.xforms[3].has_key_len);
	p = ike_msg_notify(&m, 16393);
	CU_ASSERT(p != NULL && p->u.notify.proto == IKE_PROTO_ESP && p->u.notify.spi_size == 4 &&
		  p->u.notify.spi[3] == 4 && p->u.notify.len == 0);
	p = ike_msg_find(&m, IKE_PL_DELETE, NULL);
	CU_ASSERT(p != NULL && p->u.del.n_spi == 2 && p->u.del.spis[7] == 8);
	p = ike_msg_find(&m, IKE_PL_DELETE, p);
	CU_ASSERT(p != NULL && p->u.del.proto == IKE_PROTO_IKE && p->u.del.spis == NULL);
	p = ike_msg_find(&m, IKE_PL_TSI, NULL);
	CU_ASSERT(p != NULL && p->u.ts.n_ts == 2 && m.ts[1].start_port == 65535 &&
		  m.ts[1].end_port == 0 && m.ts[1].end[15] == 1 && m.ts[0].end_port == 4500);
	p = ike_msg_find(&m, IKE_PL_CP, NULL);
	CU_ASSERT_FATAL(p != NULL && p->u.cp.type == IKE_CFG_REPLY && p->u.cp.n_attrs == 3);
	a = &m.cp[p->u.cp.first_attr];
	CU_ASSERT(a[0].type == 1 && a[0].len == 4 && a[0].value[3] == 7 && a[2].len == 0);
	p = ike_msg_find(&m, IKE_PL_EAP, NULL);
	CU_ASSERT(p != NULL && p->u.eap.code == 1 && p->u.eap.id == 5 && p->len == 9);
	p = ike_msg_find(&m, IKE_PL_CERTREQ, NULL);
	CU_ASSERT(p != NULL && p->u.typed.type == IKE_CERT_X509_SIG && p->u.typed.len == 40);
	p = ike_msg_find(&m, IKE_PL_IDR, NULL);
	CU_ASSERT(p != NULL && p->u.typed.type == IKE_ID_IPV4_ADDR && p->u.typed.len == 4);
	p = ike_msg_find(&m, 200, NULL);
	CU_ASSERT(p != NULL && !p->known && p->len == 5);
	p = &m.pl[m.sk];
	CU_ASSERT(p->type == IKE_PL_SKF && p->u.sk.number == 1 && p->u.sk.total == 3 &&
		  p->u.sk.len == 4 && p->u.sk.data[3] == 4);
}

/* Build, parse, check, then write again from what was parsed: the same octets. */
static void test_round_trip(void)
{
	uint8_t b[BUF_MAX], again[BUF_MAX];
	size_t len = 0, len2 = 0;
	struct ike_wr w;

	CU_ASSERT_EQUAL_FATAL(build_all(b, sizeof(b), &len), 0);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	check_all();
	ike_wr_init(&w, again, sizeof(again), &m.hdr);
	for (size_t i = 0; i < m.n; i++)
		ike_wr_payload(&w, m.pl[i].type, m.pl[i].critical, m.pl[i].body, m.pl[i].len);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len2), 0);
	CU_ASSERT(len2 == len && memcmp(b, again, len) == 0);
}

/* At every capacity short of the message, the builder refuses and writes nothing past it. */
static void test_builder_short(void)
{
	uint8_t b[BUF_MAX + 64];
	size_t full = 0, len;
	int rc;

	CU_ASSERT_EQUAL_FATAL(build_all(b, BUF_MAX, &full), 0);
	for (size_t cap = 0; cap < full; cap++) {
		memset(b, 0xab, sizeof(b));
		len = 777;
		rc = build_all(b, cap, &len);
		CU_ASSERT_EQUAL(rc, -ENOBUFS);
		CU_ASSERT_EQUAL(len, 777);
		CU_ASSERT(b[cap] == 0xab && b[cap + 1] == 0xab);
	}
	for (size_t cap = 0; cap < 300; cap++) {
		memset(b, 0xab, sizeof(b));
		build_init(b, cap, &rc);
		CU_ASSERT(rc == -ENOBUFS || cap >= 291);
		CU_ASSERT_EQUAL(b[cap], 0xab);
	}
}

static void test_builder_misuse(void)
{
	static uint8_t b[70000], big[65536];
	struct ike_hdr h;
	struct ike_wr w;
	size_t off, len;

	hdr_of(&h, IKE_EXCH_AUTH, 0, 1);
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_put(&w, "x", 1), -EINVAL);    /* outside a payload */
	CU_ASSERT_EQUAL(ike_wr_nonce(&w, big, 16), -EINVAL); /* and the error sticks */
	ike_wr_init(&w, b, sizeof(b), &h);
	ike_wr_nonce(&w, big, 16);
	CU_ASSERT_EQUAL(ike_wr_prop(&w, 1, IKE_PROTO_ESP, big, 4), -EINVAL); /* not in an SA */
	ike_wr_init(&w, b, sizeof(b), &h);
	ike_wr_sa_begin(&w);
	CU_ASSERT_EQUAL(ike_wr_xform(&w, IKE_XF_ENCR, 12, 128), -EINVAL); /* no proposal */
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_payload(&w, IKE_PL_VENDOR, false, big, 65531), 0);
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_payload(&w, IKE_PL_VENDOR, false, big, 65532), -E2BIG);
	ike_wr_init_inner(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(ike_wr_sk(&w, IKE_PL_IDI, &off), -EINVAL); /* SK inside SK */
	ike_wr_init_inner(&w, b, sizeof(b));
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	CU_ASSERT(len == 0 && ike_wr_first(&w) == IKE_PL_NONE);
	ike_wr_init(&w, b, 27, &h);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), -ENOBUFS);
	const struct ike_ts bad = {9, 0, 0, 0, big, big};
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_ts(&w, IKE_PL_TSI, &bad, 1), -EINVAL);
	ike_wr_init(&w, b, sizeof(b), &h);
	CU_ASSERT_EQUAL(ike_wr_skf(&w, IKE_PL_IDI, 2, 2, &off), 0);
	CU_ASSERT_EQUAL(b[off], IKE_PL_NONE); /* only fragment 1 names the first payload */
}

/* ------------------------------------------------------------ malformed input */

/* Parsing b must fail with want, reporting type (for payload errors). */
static void expect_bad(const char *name, const uint8_t *b, size_t len, enum ike_msg_err want,
		       int type)
{
	int rc = ike_msg_parse(&m, b, len);

	CU_ASSERT_EQUAL(rc, -EBADMSG);
	CU_ASSERT_EQUAL(m.err, want);
	if (type >= 0)
		CU_ASSERT_EQUAL(m.err_type, type);
	CU_ASSERT(m.err_off <= len);
	if (rc != -EBADMSG || m.err != want)
		fprintf(stderr, "\n  %s: rc %d, %s, wanted %s\n", name, rc,
			m.err < IKE_MSG_ERR_MAX ? ike_msg_err_name[m.err] : "?",
			ike_msg_err_name[want]);
}

/* One crafted payload body after the header of an IKE_AUTH; "*N" bodies are N octets of 0x11. */
static const struct body_case {
	const char *name;
	uint8_t type;
	const char *body;
	enum ike_msg_err want;
} body_cases[] = {
	{"KE without its header", IKE_PL_KE, "0013", IKE_MSG_ERR_KE_SHORT},
	{"KE without data", IKE_PL_KE, "00130000", IKE_MSG_ERR_KE_EMPTY},
	{"SA without proposals", IKE_PL_SA, "", IKE_MSG_ERR_SA_EMPTY},
	{"SA proposal cut short", IKE_PL_SA, "00000008", IKE_MSG_ERR_SA_PROP_SHORT},
	{"proposal length 7", IKE_PL_SA, "0000000701010001", IKE_MSG_ERR_SA_PROP_LEN},
	{"proposal length past the SA", IKE_PL_SA, "00000020010100010000000801000014",
	 IKE_MSG_ERR_SA_PROP_LEN},
	{"last proposal says more", IKE_PL_SA, "02000010010100010000000801000014",
	 IKE_MSG_ERR_SA_PROP_LAST},
	{"proposal Last Substruc 1", IKE_PL_SA, "01000010010100010000000801000014",
	 IKE_MSG_ERR_SA_PROP_LAST},
	{"first proposal numbered 2", IKE_PL_SA, "00000010020100010000000801000014",
	 IKE_MSG_ERR_SA_PROP_NUM},
	{"proposals numbered 1, 1", IKE_PL_SA,
	 "02000010010100010000000801000014"
	 "00000010010100010000000801000014",
	 IKE_MSG_ERR_SA_PROP_NUM},
	{"proposal protocol 4", IKE_PL_SA, "00000010010400010000000801000014",
	 IKE_MSG_ERR_SA_PROTO},
	{"IKE proposal with a 4-octet SPI", IKE_PL_SA, "0000001401010401c0ffee010000000801000014",
	 IKE_MSG_ERR_SA_SPI_SIZE},
	{"ESP proposal without SPI", IKE_PL_SA, "00000010010300010000000801000014",
	 IKE_MSG_ERR_SA_SPI_SIZE},
	{"ESP SPI past the proposal", IKE_PL_SA, "0000000801030401", IKE_MSG_ERR_SA_PROP_LEN},
	{"proposal without transforms", IKE_PL_SA, "0000000801010000", IKE_MSG_ERR_SA_NO_XFORM},
	{"fewer transforms than counted", IKE_PL_SA, "00000010010100020000000801000014",
	 IKE_MSG_ERR_SA_XF_COUNT},
	{"more transforms than counted", IKE_PL_SA,
	 "000000180101000103000008010000140000000802000005", IKE_MSG_ERR_SA_XF_COUNT},
	{"transform cut short", IKE_PL_SA, "0000000c0101000100000008", IKE_MSG_ERR_XF_SHORT},
	{"transform length 7", IKE_PL_SA, "00000010010100010000000701000014", IKE_MSG_ERR_XF_LEN},
	{"transform length past the proposal", IKE_PL_SA, "00000010010100010000001001000014",
	 IKE_MSG_ERR_XF_LEN},
	{"last transform says more", IKE_PL_SA, "00000010010100010300000801000014",
	 IKE_MSG_ERR_XF_LAST},
	{"attribute cut short", IKE_PL_SA, "00000012010100010000000a01000014800e",
	 IKE_MSG_ERR_ATTR_SHORT},
	{"attribute length past the transform", IKE_PL_SA,
	 "00000014010100010000000c0100001400010064", IKE_MSG_ERR_ATTR_LEN},
	{"Key Length in TLV format", IKE_PL_SA, "00000016010100010000000e01000014000e00020080",
	 IKE_MSG_ERR_ATTR_FORMAT},
	{"Key Length twice", IKE_PL_SA, "0000001801010001000000100100000c800e0080800e0100",
	 IKE_MSG_ERR_ATTR_DUP},
	{"ID without its header", IKE_PL_IDI, "020000", IKE_MSG_ERR_ID_SHORT},
	{"ID without data", IKE_PL_IDR, "02000000", IKE_MSG_ERR_ID_EMPTY},
	{"ID_IPV4_ADDR of 3 octets", IKE_PL_IDI, "010000000a0000", IKE_MSG_ERR_ID_ADDR_LEN},
	{"ID_IPV6_ADDR of 4 octets", IKE_PL_IDI, "050000000a000001", IKE_MSG_ERR_ID_ADDR_LEN},
	{"CERT without data", IKE_PL_CERT, "04", IKE_MSG_ERR_CERT_SHORT},
	{"CERTREQ without encoding", IKE_PL_CERTREQ, "", IKE_MSG_ERR_CERTREQ_SHORT},
	{"CERTREQ of 19 octets", IKE_PL_CERTREQ, "04*19", IKE_MSG_ERR_CERTREQ_LEN},
	{"AUTH without data", IKE_PL_AUTH, "02000000", IKE_MSG_ERR_AUTH_SHORT},
	{"nonce of 15 octets", IKE_PL_NONCE, "*15", IKE_MSG_ERR_NONCE_LEN},
	{"nonce of 257 octets", IKE_PL_NONCE, "*257", IKE_MSG_ERR_NONCE_LEN},
	{"empty nonce", IKE_PL_NONCE, "", IKE_MSG_ERR_NONCE_LEN},
	{"Notify without its header", IKE_PL_NOTIFY, "000040", IKE_MSG_ERR_N_SHORT},
	{"Notify SPI Size past the payload", IKE_PL_NOTIFY, "03084000c0ffee01",
	 IKE_MSG_ERR_N_SPI_LEN},
	{"Delete without its header", IKE_PL_DELETE, "030400", IKE_MSG_ERR_D_SHORT},
	{"Delete protocol 4", IKE_PL_DELETE, "04040001c0ffee01", IKE_MSG_ERR_D_PROTO},
	{"Delete ESP with 8-octet SPIs", IKE_PL_DELETE, "030800010102030405060708",
	 IKE_MSG_ERR_D_SPI_SIZE},
	{"Delete IKE with an SPI size", IKE_PL_DELETE, "01040000", IKE_MSG_ERR_D_SPI_SIZE},
	{"Delete IKE with a count", IKE_PL_DELETE, "01000001", IKE_MSG_ERR_D_COUNT},
	{"Delete ESP without SPIs", IKE_PL_DELETE, "03040000", IKE_MSG_ERR_D_COUNT},
	{"Delete ESP count past the payload", IKE_PL_DELETE, "03040002c0ffee01", IKE_MSG_ERR_D_LEN},
	{"Delete ESP octets after the SPIs", IKE_PL_DELETE, "03040001c0ffee0100",
	 IKE_MSG_ERR_D_LEN},
	{"TS without its header", IKE_PL_TSI, "010000", IKE_MSG_ERR_TS_SHORT},
	{"TS count 0", IKE_PL_TSI, "00000000", IKE_MSG_ERR_TS_COUNT_ZERO},
	{"TS count 33", IKE_PL_TSR, "21000000", IKE_MSG_ERR_TS_TOO_MANY},
	{"selector cut short", IKE_PL_TSI, "0100000007000010", IKE_MSG_ERR_TS_HDR_SHORT},
	{"count 2, one selector", IKE_PL_TSI, "02000000070000100000ffff0a0000000a0000ff",
	 IKE_MSG_ERR_TS_HDR_SHORT},
	{"Selector Length past the payload", IKE_PL_TSI, "01000000070000400000ffff0a0000000a0000ff",
	 IKE_MSG_ERR_TS_PAST_END},
	{"selector type 9", IKE_PL_TSI, "01000000090000100000ffff0a0000000a0000ff",
	 IKE_MSG_ERR_TS_TYPE},
	{"IPv4 selector of 20 octets", IKE_PL_TSI,
	 "01000000070000140000ffff0a0000000a0000ff00000000", IKE_MSG_ERR_TS_LEN},
	{"IPv6 selector of 16 octets", IKE_PL_TSI, "01000000080000100000ffff0a0000000a0000ff",
	 IKE_MSG_ERR_TS_LEN},
	{"start address above end", IKE_PL_TSR, "01000000070000100000ffff0a0000ff0a000000",
	 IKE_MSG_ERR_TS_ADDR_RANGE},
	{"start port above end", IKE_PL_TSI, "010000000700001001bb00500a0000000a0000ff",
	 IKE_MSG_ERR_TS_PORT_RANGE},
	{"octets after the selectors", IKE_PL_TSI, "01000000070000100000ffff0a0000000a0000ff00",
	 IKE_MSG_ERR_TS_TRAILING},
	{"CP without its header", IKE_PL_CP, "010000", IKE_MSG_ERR_CP_SHORT},
	{"CP type 5", IKE_PL_CP, "05000000", IKE_MSG_ERR_CP_TYPE},
	{"CP type 0", IKE_PL_CP, "00000000", IKE_MSG_ERR_CP_TYPE},
	{"CP attribute cut short", IKE_PL_CP, "010000000001", IKE_MSG_ERR_CP_ATTR_SHORT},
	{"CP attribute length past the payload", IKE_PL_CP, "01000000000100040a00",
	 IKE_MSG_ERR_CP_ATTR_LEN},
	{"EAP without its header", IKE_PL_EAP, "010100", IKE_MSG_ERR_EAP_SHORT},
	{"EAP Length not the payload's", IKE_PL_EAP, "0101001001", IKE_MSG_ERR_EAP_LEN},
	{"SKF without its fields", IKE_PL_SKF, "0001", IKE_MSG_ERR_SKF_SHORT},
	{"fragment number 0", IKE_PL_SKF, "00000001*16", IKE_MSG_ERR_SKF_NUMBER_ZERO},
	{"fragment number above total", IKE_PL_SKF, "00030002*16", IKE_MSG_ERR_SKF_NUMBER_TOTAL},
	{"fragment total 0", IKE_PL_SKF, "00010000*16", IKE_MSG_ERR_SKF_NUMBER_TOTAL},
};

/* "hex[*N]": the hex octets, then N octets of 0x11. */
static size_t body_of(const char *spec, uint8_t *out, size_t cap)
{
	char hex[256];
	const char *star = strchr(spec, '*');
	size_t hl = star ? (size_t)(star - spec) : strlen(spec), n;

	CU_ASSERT_FATAL(hl < sizeof(hex));
	memcpy(hex, spec, hl);
	hex[hl] = '\0';
	n = unhex(hex, out, cap);
	if (star != NULL) {
		size_t fill = (size_t)atoi(star + 1);
		CU_ASSERT_FATAL(n + fill <= cap);
		memset(out + n, 0x11, fill);
		n += fill;
	}
	return n;
}

/* The IKE_AUTH header and one payload of type with body[0..len); returns the length. */
static size_t one_payload(uint8_t *b, size_t cap, uint8_t type, const uint8_t *body, size_t len)
{
	struct ike_hdr h;
	struct ike_wr w;
	size_t out = 0;

	hdr_of(&h, IKE_EXCH_AUTH, IKE_FLAG_I, 1);
	ike_wr_init(&w, b, cap, &h);
	ike_wr_payload(&w, type, false, body, len);
	CU_ASSERT_EQUAL_FATAL(ike_wr_finish(&w, &out), 0);
	return out;
}

static void test_bad_bodies(void)
{
	for (size_t i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *c = &body_cases[i];
		uint8_t body[512], b[BUF_MAX];
		size_t bl = body_of(c->body, body, sizeof(body));
		size_t len = one_payload(b, sizeof(b), c->type, body, bl);

		expect_bad(c->name, b, len, c->want, c->type);
	}
}

/* Bodies at the edges that must parse. */
static void test_good_edges(void)
{
	static const struct {
		uint8_t type;
		const char *body;
	} ok[] = {
		{IKE_PL_NONCE, "*16"},
		{IKE_PL_NONCE, "*256"},
		{IKE_PL_TSI, "01000000070000100000ffff0a0000000a000000"}, /* one address */
		{IKE_PL_TSI, "0100000007000010ffff00000a0000000a0000ff"}, /* OPAQUE ports */
		{IKE_PL_SA, "02000010010100010000000801000014"
			    "00000010020100010000000801000014"},	 /* two proposals */
		{IKE_PL_SA, "00000014010100010000000c0100001400010000"}, /* empty TLV attr */
		{IKE_PL_CERTREQ, "04"},					 /* no CAs named */
		{IKE_PL_CERTREQ, "01*7"},				 /* another encoding */
		{IKE_PL_VENDOR, ""},
		{IKE_PL_DELETE, "01000000"},
		{IKE_PL_CP, "01000000"},
		{IKE_PL_EAP, "03070004"},
		{IKE_PL_SKF, "00020002*20"},
		{IKE_PL_SK, ""},
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t body[512], b[BUF_MAX];
		size_t bl = body_of(ok[i].body, body, sizeof(body));
		size_t len = one_payload(b, sizeof(b), ok[i].type, body, bl);
		int rc = ike_msg_parse(&m, b, len);

		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0)
			fprintf(stderr, "\n  good edge %zu: %s\n", i, ike_msg_err_name[m.err]);
	}
}

/*
 * The base of the mutations: IKE_AUTH header, a 16-octet Nonce whose first octets read as
 * SKF fields (1 of 1), and a 4-octet Vendor ID. Offsets: nonce header 28, vendor header 48.
 */
static size_t base_msg(uint8_t *b)
{
	uint8_t n[16] = {0, 1, 0, 1};
	struct ike_hdr h;
	struct ike_wr w;
	size_t len = 0;

	hdr_of(&h, IKE_EXCH_AUTH, IKE_FLAG_I, 1);
	ike_wr_init(&w, b, BUF_MAX, &h);
	ike_wr_nonce(&w, n, 16);
	ike_wr_payload(&w, IKE_PL_VENDOR, false, "vpnh", 4);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	return len;
}

#define NONCE_AT  28
#define VENDOR_AT 48

static void mut_short(uint8_t *b, size_t *len)
{
	(void)b;
	*len = 27;
}

static void mut_v1(uint8_t *b, size_t *len)
{
	(void)len;
	b[17] = 0x10;
}

static void mut_v3(uint8_t *b, size_t *len)
{
	(void)len;
	b[17] = 0x30;
}

static void mut_v0(uint8_t *b, size_t *len)
{
	(void)len;
	b[17] = 0x02;
}

static void mut_len_plus(uint8_t *b, size_t *len)
{
	(void)len;
	b[27]++;
}

static void mut_len_huge(uint8_t *b, size_t *len)
{
	(void)len;
	b[24] = 0x80;
}

static void mut_udp_longer(uint8_t *b, size_t *len)
{
	b[(*len)++] = 0;
}

static void mut_exch33(uint8_t *b, size_t *len)
{
	(void)len;
	b[18] = 33;
}

static void mut_exch38(uint8_t *b, size_t *len)
{
	(void)len;
	b[18] = 38;
}

static void mut_spi_i(uint8_t *b, size_t *len)
{
	(void)len;
	memset(b, 0, 8);
}

static void mut_spi_r(uint8_t *b, size_t *len)
{
	(void)len;
	memset(b + 8, 0, 8);
}

static void mut_init_msgid(uint8_t *b, size_t *len)
{
	(void)len;
	b[18] = IKE_EXCH_SA_INIT;
}

static void mut_pl_len3(uint8_t *b, size_t *len)
{
	(void)len;
	b[NONCE_AT + 3] = 3;
}

static void mut_pl_len0(uint8_t *b, size_t *len)
{
	(void)len;
	b[NONCE_AT + 3] = 0;
}

static void mut_pl_past(uint8_t *b, size_t *len)
{
	(void)len;
	b[VENDOR_AT + 3] = 9;
}

static void mut_loop(uint8_t *b, size_t *len)
{
	(void)len;
	b[VENDOR_AT] = IKE_PL_VENDOR; /* the chain goes on with nothing left */
}

static void mut_hdr_cut(uint8_t *b, size_t *len)
{
	b[VENDOR_AT] = IKE_PL_NONCE;
	b[(*len)++] = 0;
	b[(*len)++] = 0;
	b[27] = (uint8_t)*len;
}

static void mut_trailing(uint8_t *b, size_t *len)
{
	memset(b + *len, 0, 4);
	*len += 4;
	b[27] = (uint8_t)*len;
}

static void mut_no_first(uint8_t *b, size_t *len)
{
	(void)len;
	b[16] = IKE_PL_NONE;
}

static void mut_critical(uint8_t *b, size_t *len)
{
	(void)len;
	b[NONCE_AT] = 200;
	b[VENDOR_AT + 1] = 0x80;
}

static void mut_v1_payload(uint8_t *b, size_t *len)
{
	(void)len;
	b[NONCE_AT] = 13;	 /* IKEv1 Vendor ID: unknown to IKEv2 */
	b[VENDOR_AT + 1] = 0x80; /* IKEv1 RESERVED octet, top bit set: critical to IKEv2 */
}

static void mut_sk_first(uint8_t *b, size_t *len)
{
	(void)len;
	b[16] = IKE_PL_SK;
}

static void mut_skf_first(uint8_t *b, size_t *len)
{
	(void)len;
	b[16] = IKE_PL_SKF;
}

static void mut_skf_next(uint8_t *b, size_t *len)
{
	(void)len;
	b[NONCE_AT] = IKE_PL_SKF;  /* the vendor payload becomes fragment 2 of 2... */
	b[VENDOR_AT] = IKE_PL_IDI; /* ...naming an inner payload */
	memcpy(b + VENDOR_AT + 4, "\x00\x02\x00\x02", 4);
}

static const struct mut_case {
	const char *name;
	void (*fn)(uint8_t *b, size_t *len);
	enum ike_msg_err want;
	int type;
} mut_cases[] = {
	{"datagram of 27 octets", mut_short, IKE_MSG_ERR_HDR_SHORT, -1},
	{"IKEv1 header", mut_v1, IKE_MSG_ERR_HDR_V1, -1},
	{"major version 3", mut_v3, IKE_MSG_ERR_HDR_VERSION, -1},
	{"major version 0", mut_v0, IKE_MSG_ERR_HDR_VERSION, -1},
	{"IKE Length one more than the datagram", mut_len_plus, IKE_MSG_ERR_HDR_LENGTH, -1},
	{"IKE Length 2^31 and more", mut_len_huge, IKE_MSG_ERR_HDR_LENGTH, -1},
	{"datagram one longer than IKE Length", mut_udp_longer, IKE_MSG_ERR_HDR_LENGTH, -1},
	{"exchange type 33", mut_exch33, IKE_MSG_ERR_HDR_EXCHANGE, -1},
	{"exchange type 38", mut_exch38, IKE_MSG_ERR_HDR_EXCHANGE, -1},
	{"initiator SPI 0", mut_spi_i, IKE_MSG_ERR_HDR_SPI_I_ZERO, -1},
	{"responder SPI 0 in IKE_AUTH", mut_spi_r, IKE_MSG_ERR_HDR_SPI_R_ZERO, -1},
	{"IKE_SA_INIT with message ID 1", mut_init_msgid, IKE_MSG_ERR_HDR_MSGID, -1},
	{"Payload Length 3", mut_pl_len3, IKE_MSG_ERR_PL_LEN_SHORT, IKE_PL_NONCE},
	{"Payload Length 0", mut_pl_len0, IKE_MSG_ERR_PL_LEN_SHORT, IKE_PL_NONCE},
	{"Payload Length past the end", mut_pl_past, IKE_MSG_ERR_PL_PAST_END, IKE_PL_VENDOR},
	{"chain naming a payload that is not there", mut_loop, IKE_MSG_ERR_PL_HDR_SHORT,
	 IKE_PL_VENDOR},
	{"two octets left for a payload header", mut_hdr_cut, IKE_MSG_ERR_PL_HDR_SHORT,
	 IKE_PL_NONCE},
	{"octets after the last payload", mut_trailing, IKE_MSG_ERR_PL_TRAILING, IKE_PL_NONE},
	{"no first payload, payloads present", mut_no_first, IKE_MSG_ERR_PL_TRAILING, IKE_PL_NONE},
	{"unknown payload, critical", mut_critical, IKE_MSG_ERR_PL_CRITICAL, 200},
	{"IKEv1 payload with its reserved octet set", mut_v1_payload, IKE_MSG_ERR_PL_CRITICAL, 13},
	{"SK not the last payload", mut_sk_first, IKE_MSG_ERR_SK_NOT_LAST, IKE_PL_SK},
	{"SKF not the last payload", mut_skf_first, IKE_MSG_ERR_SK_NOT_LAST, IKE_PL_SKF},
	{"fragment 2 naming an inner payload", mut_skf_next, IKE_MSG_ERR_SKF_NEXT, IKE_PL_SKF},
};

static void test_bad_messages(void)
{
	uint8_t b[BUF_MAX];
	size_t len = base_msg(b);

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	for (size_t i = 0; i < sizeof(mut_cases) / sizeof(mut_cases[0]); i++) {
		len = base_msg(b);
		mut_cases[i].fn(b, &len);
		expect_bad(mut_cases[i].name, b, len, mut_cases[i].want, mut_cases[i].type);
	}
}

/* Reserved header bits, a higher minor version, unknown payloads without the critical bit. */
static void test_tolerated(void)
{
	uint8_t b[BUF_MAX];
	size_t len = base_msg(b);

	b[17] = 0x2f;		/* 2.15 */
	b[19] = 0xff;		/* every flag and reserved bit */
	b[NONCE_AT + 1] = 0x7f; /* reserved bits of a known payload */
	b[NONCE_AT] = 200;	/* vendor payload retyped: unknown */
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT(m.hdr.minor == 15 && m.hdr.flags == 0xff && m.skipped == 1 && m.n == 2);
	CU_ASSERT(!m.pl[1].known && m.pl[1].type == 200 && m.pl[1].len == 4);
	b[NONCE_AT + 1] = 0x80; /* critical bit on a known payload: ignored (3.2) */
	b[NONCE_AT] = 13;	/* an IKEv1 payload type with a zero reserved octet: skipped */
	CU_ASSERT_EQUAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT(m.skipped == 1 && m.pl[0].critical == 1);
}

/* Table limits: payloads, proposals, transforms, selectors, CP attributes. */
static void test_limits(void)
{
	static uint8_t b[70000], body[8192];
	struct ike_hdr h;
	struct ike_wr w;
	size_t len = 0;

	hdr_of(&h, IKE_EXCH_INFORMATIONAL, 0, 2);
	for (unsigned int n = IKE_MSG_PAYLOADS_MAX; n <= IKE_MSG_PAYLOADS_MAX + 1; n++) {
		ike_wr_init(&w, b, sizeof(b), &h);
		for (unsigned int i = 0; i < n; i++)
			ike_wr_payload(&w, IKE_PL_VENDOR, false, NULL, 0);
		CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
		if (n == IKE_MSG_PAYLOADS_MAX) {
			CU_ASSERT_EQUAL(ike_msg_parse(&m, b, len), 0);
		} else {
			expect_bad("49 payloads", b, len, IKE_MSG_ERR_PL_TOO_MANY, IKE_PL_VENDOR);
		}
	}
	/* 33 proposals of one transform each */
	ike_wr_init(&w, b, sizeof(b), &h);
	ike_wr_sa_begin(&w);
	for (unsigned int i = 1; i <= IKE_MSG_PROPS_MAX + 1; i++) {
		ike_wr_prop(&w, (uint8_t)i, IKE_PROTO_IKE, NULL, 0);
		ike_wr_xform(&w, IKE_XF_ENCR, 20, 128);
	}
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	expect_bad("33 proposals", b, len, IKE_MSG_ERR_SA_TOO_MANY_PROPS, IKE_PL_SA);
	/* 129 transforms in two proposals */
	ike_wr_init(&w, b, sizeof(b), &h);
	ike_wr_sa_begin(&w);
	for (unsigned int i = 0; i <= IKE_MSG_XFORMS_MAX; i++) {
		if (i % 100 == 0)
			ike_wr_prop(&w, (uint8_t)(i / 100 + 1), IKE_PROTO_IKE, NULL, 0);
		ike_wr_xform(&w, IKE_XF_ENCR, (uint16_t)i, 0);
	}
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	expect_bad("129 transforms", b, len, IKE_MSG_ERR_SA_TOO_MANY_XFORMS, IKE_PL_SA);
	/* 33 CP attributes */
	memset(body, 0, 4 + 4 * 33);
	body[0] = IKE_CFG_REQUEST;
	for (unsigned int i = 0; i < 33; i++)
		body[4 + 4 * i + 1] = 1;
	len = one_payload(b, sizeof(b), IKE_PL_CP, body, 4 + 4 * 33);
	expect_bad("33 CP attributes", b, len, IKE_MSG_ERR_CP_TOO_MANY, IKE_PL_CP);
	len = one_payload(b, sizeof(b), IKE_PL_CP, body, 4 + 4 * 32);
	CU_ASSERT_EQUAL(ike_msg_parse(&m, b, len), 0);
	/* 17 + 16 selectors in TSi and TSr: 33 in all */
	const uint8_t a[4] = {10, 0, 0, 1};
	struct ike_ts ts[17];
	for (unsigned int i = 0; i < 17; i++)
		ts[i] = (struct ike_ts){IKE_TS_IPV4_ADDR_RANGE, 0, 0, 65535, a, a};
	ike_wr_init(&w, b, sizeof(b), &h);
	ike_wr_ts(&w, IKE_PL_TSI, ts, 17);
	ike_wr_ts(&w, IKE_PL_TSR, ts, 16);
	CU_ASSERT_EQUAL(ike_wr_finish(&w, &len), 0);
	expect_bad("33 selectors", b, len, IKE_MSG_ERR_TS_TOO_MANY, IKE_PL_TSR);
}

/* Inner chains: SK inside SK, trailing octets, an empty chain, a chain past the table. */
static void test_inner(void)
{
	uint8_t b[BUF_MAX], inner[64];
	size_t len = base_msg(b);

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_NONE, inner, 0),
			0); /* empty INFORMATIONAL */
	CU_ASSERT_EQUAL(m.n, 2);
	memcpy(inner, "\x00\x00\x00\x08\x01\x02\x03\x04", 8);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_SK, inner, 8), -EBADMSG);
	CU_ASSERT(m.err == IKE_MSG_ERR_SK_NESTED && m.err_type == IKE_PL_SK && m.err_off == 0);
	len = base_msg(b);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_SKF, inner, 8), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKE_MSG_ERR_SK_NESTED);
	len = base_msg(b);
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_VENDOR, inner, 8), 0);
	CU_ASSERT(m.n == 3 && m.n_outer == 2 && m.pl[2].inner && m.pl[2].off == 0);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_NONE, inner, 3), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKE_MSG_ERR_PL_TRAILING);
	CU_ASSERT_EQUAL(ike_msg_parse_inner(&m, IKE_PL_VENDOR, inner, 7), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKE_MSG_ERR_PL_PAST_END);
}

static void test_reasons(void)
{
	CU_ASSERT_STRING_EQUAL(ike_msg_err_name[IKE_MSG_ERR_NONE], "ok");
	for (unsigned int e = 1; e < IKE_MSG_ERR_MAX; e++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(ike_msg_err_name[e]);
		CU_ASSERT_PTR_NOT_NULL(ike_msg_err_desc[e]);
		CU_ASSERT(strncmp(ike_msg_err_name[e], "ike_", 4) == 0);
		for (unsigned int f = 0; f < e; f++)
			CU_ASSERT(strcmp(ike_msg_err_name[e], ike_msg_err_name[f]) != 0);
	}
}

/*
 * RFC 7296 3.3.1: a response carries the one proposal it accepted under that proposal's number;
 * a request's proposals count 1, 2, ... Built here, parsed with and without the R flag.
 */
static void test_answer_number(void)
{
	static const struct {
		uint8_t flags, num;
		int rc;
		uint16_t err;
	} rows[] = {
		{IKE_FLAG_R, 3, 0, IKE_MSG_ERR_NONE},		    /* accepted proposal 3 */
		{IKE_FLAG_R, 1, 0, IKE_MSG_ERR_NONE},		    /* accepted proposal 1 */
		{IKE_FLAG_R, 0, -EBADMSG, IKE_MSG_ERR_SA_PROP_NUM}, /* 0 is no proposal */
		{IKE_FLAG_I, 3, -EBADMSG, IKE_MSG_ERR_SA_PROP_NUM}, /* a request starts at 1 */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t b[256];
		size_t len = 0;
		struct ike_wr w;
		struct ike_hdr h = {.spi_i = {1},
				    .spi_r = {2},
				    .major = 2,
				    .exchange = IKE_EXCH_SA_INIT,
				    .flags = rows[i].flags};
		CU_ASSERT_EQUAL_FATAL(ike_wr_init(&w, b, sizeof(b), &h), 0);
		CU_ASSERT_EQUAL(ike_wr_sa_begin(&w), 0);
		CU_ASSERT_EQUAL(ike_wr_prop(&w, rows[i].num, IKE_PROTO_IKE, NULL, 0), 0);
		CU_ASSERT_EQUAL(ike_wr_xform(&w, IKE_XF_ENCR, 20, 128), 0);
		CU_ASSERT_EQUAL(ike_wr_xform(&w, IKE_XF_PRF, 5, 0), 0);
		CU_ASSERT_EQUAL(ike_wr_xform(&w, IKE_XF_KE, 31, 0), 0);
		CU_ASSERT_EQUAL(ike_wr_sa_end(&w), 0);
		CU_ASSERT_EQUAL_FATAL(ike_wr_finish(&w, &len), 0);
		CU_ASSERT_EQUAL(ike_msg_parse(&m, b, len), rows[i].rc);
		CU_ASSERT_EQUAL(m.err, rows[i].err);
		if (rows[i].rc == 0)
			CU_ASSERT_EQUAL(m.props[0].num, rows[i].num);
	}
}

/*
 * The debug trace (ctrlplane/ike/ike_trace.c): one line per payload of messages built above,
 * with the fields of 3.3, 3.4, 3.5, 3.10 and 3.13; key material only as a length.
 */
static void expect_line(unsigned int i, bool out, const char *want)
{
	char line[512];
	size_t n = ike_trace_line(&m, i, out, line, sizeof(line));

	CU_ASSERT_EQUAL(n, strlen(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, want));
	if (strstr(line, want) == NULL)
		fprintf(stderr, "\n  trace line %u: \"%s\", want \"%s\"\n", i, line, want);
}

static void test_trace_lines(void)
{
	uint8_t b[BUF_MAX], first = 0;
	char head[128];
	int rc = -1;
	size_t len = build_init(b, sizeof(b), &rc);

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	CU_ASSERT_EQUAL_FATAL(m.n, 6);
	snprintf(head, sizeof(head),
		 "in IKE_SA_INIT #0 request spi_i %02x%02x%02x%02x%02x%02x%02x%02x SA",
		 m.hdr.spi_i[0], m.hdr.spi_i[1], m.hdr.spi_i[2], m.hdr.spi_i[3], m.hdr.spi_i[4],
		 m.hdr.spi_i[5], m.hdr.spi_i[6], m.hdr.spi_i[7]);
	expect_line(0, false, head);
	expect_line(0, false,
		    " prop 1 ike [encr 20/256, prf 5, dh 19] prop 2 ike [encr 12/128, "
		    "prf 2, integ 2, dh 14]");
	expect_line(1, false, " KE len 72 dh 19 data 64");
	expect_line(2, false, " Ni/Nr len 36");
	expect_line(3, false, " N len 28 type 16388 NAT_DETECTION_SOURCE_IP data 20");
	expect_line(4, true, "out IKE_SA_INIT #0 request");
	expect_line(4, true, " N len 28 type 16389 NAT_DETECTION_DESTINATION_IP data 20");
	expect_line(5, false, " V len 15");

	/* inner payloads, as after opening an SK payload */
	len = build_auth_inner(b, sizeof(b), &first);
	memset(&m, 0, offsetof(struct ike_msg, pl));
	hdr_of(&m.hdr, IKE_EXCH_AUTH, IKE_FLAG_I | IKE_FLAG_R, 1);
	m.sk = -1;
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, first, b, len), 0);
	CU_ASSERT_EQUAL_FATAL(m.n, 5);
	expect_line(0, false, "in IKE_AUTH #1 response");
	expect_line(0, false, " inner IDi len 22 type ID_FQDN spoke1.example");
	expect_line(1, false, " inner AUTH len 40 method 2 data 32");
	expect_line(2, false, " inner SA len 36 prop 1 esp spi c0ffee01 [encr 20/128, esn 0]");
	expect_line(3, false, " inner TSi len 24 10.1.0.0-10.1.255.255 proto 0 port 0-65535");
	expect_line(4, false, " inner TSr len 48 fd00::-fd00::ffff proto 6 port 443-443");

	/* an identity with control bytes, and a payload type nobody knows */
	uint8_t id[] = {'a', 0x1b, '[', '2', 'J', 'b'};
	struct ike_wr w;
	ike_wr_init_inner(&w, b, sizeof(b));
	ike_wr_id(&w, IKE_PL_IDR, IKE_ID_RFC822_ADDR, id, sizeof(id));
	ike_wr_payload(&w, 250, false, "xy", 2);
	CU_ASSERT_EQUAL_FATAL(ike_wr_finish(&w, &len), 0);
	memset(&m, 0, offsetof(struct ike_msg, pl));
	m.sk = -1;
	CU_ASSERT_EQUAL_FATAL(ike_msg_parse_inner(&m, ike_wr_first(&w), b, len), 0);
	expect_line(0, false, " inner IDr len 14 type ID_RFC822_ADDR a?[2Jb");
	expect_line(1, false, " inner payload 250 len 6");
	/* a line cut at the buffer's end stays terminated */
	char small[16];
	CU_ASSERT_EQUAL(ike_trace_line(&m, 0, false, small, sizeof(small)), sizeof(small) - 1);
	CU_ASSERT_EQUAL(small[sizeof(small) - 1], '\0');
}

/* At DEBUG, one log line per payload; below it, none (and nothing is parsed). */
static void test_trace_levels(void)
{
	uint8_t b[BUF_MAX];
	char logbuf[8192];
	int rc = -1, level = rte_log_get_level(vh_logtype_ike);
	size_t len = build_init(b, sizeof(b), &rc);
	unsigned int lines[2];

	CU_ASSERT_EQUAL_FATAL(ike_msg_parse(&m, b, len), 0);
	for (int k = 0; k < 2; k++) {
		FILE *f;
		memset(logbuf, 0, sizeof(logbuf));
		f = fmemopen(logbuf, sizeof(logbuf) - 1, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		rte_openlog_stream(f);
		rte_log_set_level(vh_logtype_ike, k == 0 ? RTE_LOG_DEBUG : RTE_LOG_INFO);
		CU_ASSERT_EQUAL(ike_trace_on(), k == 0);
		ike_trace_msg(&m, false, false);
		ike_trace_wire(b, len, true);
		fflush(f);
		rte_openlog_stream(NULL);
		fclose(f);
		lines[k] = 0;
		for (const char *p = logbuf; (p = strchr(p, '\n')) != NULL; p++)
			lines[k]++;
	}
	rte_log_set_level(vh_logtype_ike, (uint32_t)level);
	CU_ASSERT_EQUAL(lines[0], 2 * 6);
	CU_ASSERT_EQUAL(lines[1], 0);
}

int test_ike_msg_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"scapy IKE_SA_INIT parsed", test_scapy_init},
		{"scapy IKE_SA_INIT rebuilt", test_build_init},
		{"scapy IKE_AUTH inner chain", test_scapy_auth_inner},
		{"sealed IKE_AUTH through ike_sk", test_sealed_auth},
		{"every payload type, round trip", test_round_trip},
		{"builder at every short capacity", test_builder_short},
		{"builder misuse", test_builder_misuse},
		{"malformed payload bodies", test_bad_bodies},
		{"well-formed edges", test_good_edges},
		{"malformed headers and chains", test_bad_messages},
		{"tolerated oddities", test_tolerated},
		{"table limits", test_limits},
		{"inner chains", test_inner},
		{"reason list", test_reasons},
		{"a response keeps its proposal's number", test_answer_number},
		{"debug trace lines", test_trace_lines},
		{"debug trace only at debug level", test_trace_levels},
	};
	CU_pSuite s = CU_add_suite("ike_msg", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
