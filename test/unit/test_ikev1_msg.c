/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_ikev1_msg.c - the "ikev1_msg" suite: the ISAKMP codec (ctrlplane/ike/
 * ikev1_msg.c, RFC 2408 section 3, RFC 2407 4.6, RFC 2409, draft-dukes-ike-mode-cfg-02 3.2).
 *
 * Messages are built with the codec's writer and parsed back field by field; the malformed
 * classes are made by changing one field of a good message (the offsets are those the layout of
 * RFC 2408 3.1-3.6 gives), and each must fail with its own reason at its own offset.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ctrlplane/ike/ikev1_msg.h"
#include "tests.h"

/* Main Mode message 1 (RFC 2409 5): SA with one ISAKMP proposal of two transforms, two VIDs. */
#define OFF_SA	  28 /* the SA payload's header */
#define OFF_PROP  40 /* after SA header (4), DOI (4), situation (4) */
#define OFF_XF1	  48 /* the proposal header (8), no SPI */
#define XF1_ATTRS 7  /* encryption, key length, hash, auth, group, life type, life duration */
#define XF_LEN	  40 /* header (8), six TV attributes (24), the TLV life duration (8) */

static const uint8_t vid_natt[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
				     0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
				    0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};

static size_t main1(uint8_t *buf, size_t cap)
{
	static const uint8_t life[4] = {0x00, 0x01, 0x51, 0x80}; /* 86400 s */
	struct ikev1_hdr h = {.cky_i = {1, 2, 3, 4, 5, 6, 7, 8}, .exchange = IKEV1_EXCH_MAIN};
	struct ikev1_wr w;
	size_t len = 0;
	CU_ASSERT_EQUAL_FATAL(ikev1_wr_init(&w, buf, cap, &h), 0);
	CU_ASSERT_EQUAL(ikev1_wr_sa_begin(&w), 0);
	CU_ASSERT_EQUAL(ikev1_wr_prop(&w, 1, IKEV1_PROTO_ISAKMP, NULL, 0), 0);
	for (uint8_t t = 1; t <= 2; t++) {
		CU_ASSERT_EQUAL(ikev1_wr_xform(&w, t, 1), 0); /* KEY_IKE */
		ikev1_wr_attr_tv(&w, 1, 7);		      /* AES-CBC (RFC 3602) */
		ikev1_wr_attr_tv(&w, 14, t == 1 ? 256 : 128); /* key length */
		ikev1_wr_attr_tv(&w, 2, 4);		      /* SHA2-256 */
		ikev1_wr_attr_tv(&w, 3, 1);		      /* pre-shared key */
		ikev1_wr_attr_tv(&w, 4, 14);		      /* MODP-2048 */
		ikev1_wr_attr_tv(&w, 11, 1);		      /* life type: seconds */
		ikev1_wr_attr_tlv(&w, 12, life, sizeof(life));
	}
	CU_ASSERT_EQUAL(ikev1_wr_sa_end(&w), 0);
	CU_ASSERT_EQUAL(ikev1_wr_payload(&w, IKEV1_PL_VID, vid_natt, sizeof(vid_natt)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_payload(&w, IKEV1_PL_VID, vid_dpd, sizeof(vid_dpd)), 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_wr_finish(&w, &len), 0);
	return len;
}

static void test_main_mode_1(void)
{
	static struct ikev1_msg m;
	uint8_t buf[512];
	size_t len = main1(buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(&m, buf, len), 0);
	CU_ASSERT_EQUAL(m.hdr.version, IKEV1_VERSION);
	CU_ASSERT_EQUAL(m.hdr.exchange, IKEV1_EXCH_MAIN);
	CU_ASSERT_EQUAL(m.hdr.next, IKEV1_PL_SA);
	CU_ASSERT_EQUAL(m.hdr.length, len);
	CU_ASSERT_EQUAL_FATAL(m.n, 3);
	const struct ikev1_payload *sa = ikev1_msg_find(&m, IKEV1_PL_SA, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_EQUAL(sa->off, OFF_SA);
	CU_ASSERT_EQUAL(sa->u.sa.doi, IKEV1_DOI_IPSEC);
	CU_ASSERT_EQUAL(sa->u.sa.situation, 1);
	CU_ASSERT_EQUAL_FATAL(sa->u.sa.n_props, 1);
	const struct ikev1_prop *p = &m.props[sa->u.sa.first_prop];
	CU_ASSERT_TRUE(p->num == 1 && p->proto == IKEV1_PROTO_ISAKMP && p->spi_size == 0);
	CU_ASSERT_EQUAL_FATAL(p->n_xforms, 2);
	for (unsigned int t = 0; t < 2; t++) {
		const struct ikev1_xform *x = &m.xforms[p->first_xform + t];
		CU_ASSERT_TRUE(x->num == t + 1 && x->id == 1 && x->n_attrs == XF1_ATTRS);
		const struct ikev1_attr *kl = ikev1_attr_find(&m, x->first_attr, x->n_attrs, 14);
		const struct ikev1_attr *ld = ikev1_attr_find(&m, x->first_attr, x->n_attrs, 12);
		CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ld);
		CU_ASSERT_TRUE(kl->tv && kl->val == (t == 0 ? 256u : 128u));
		CU_ASSERT_TRUE(!ld->tv && ld->len == 4 && ld->val == 86400);
		CU_ASSERT_PTR_NULL(ikev1_attr_find(&m, x->first_attr, x->n_attrs, 5));
	}
	const struct ikev1_payload *v = ikev1_msg_find(&m, IKEV1_PL_VID, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_TRUE(v->len == 16 && memcmp(v->body, vid_natt, 16) == 0);
	v = ikev1_msg_find(&m, IKEV1_PL_VID, v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_TRUE(v->len == 16 && memcmp(v->body, vid_dpd, 16) == 0);
	CU_ASSERT_PTR_NULL(ikev1_msg_find(&m, IKEV1_PL_VID, v));
}

/* Quick Mode's and Informational's payloads, encrypted: a chain with padding after it. */
static void test_plain_chain(void)
{
	static struct ikev1_msg m;
	static const uint8_t hash[20] = {0xaa}, spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t net[8] = {10, 1, 0, 0, 255, 255, 255, 0};
	uint8_t plain[256], msg[64];
	struct ikev1_wr w;
	size_t len = 0;
	CU_ASSERT_EQUAL(ikev1_wr_init_plain(&w, plain, sizeof(plain)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_payload(&w, IKEV1_PL_HASH, hash, sizeof(hash)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_id(&w, 4 /* ID_IPV4_ADDR_SUBNET */, 17, 500, net, sizeof(net)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_notify(&w, IKEV1_PROTO_ESP, spis, 4, 24576, NULL, 0), 0);
	CU_ASSERT_EQUAL(ikev1_wr_delete(&w, IKEV1_PROTO_ESP, 4, spis, 2), 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_wr_finish(&w, &len), 0);
	memset(plain + len, 0x07, 8); /* cipher padding (RFC 2409 5.3) */
	struct ikev1_hdr h = {.cky_i = {9},
			      .cky_r = {8},
			      .exchange = IKEV1_EXCH_QUICK,
			      .flags = IKEV1_FLAG_E,
			      .msg_id = 0x01020304};
	CU_ASSERT_EQUAL(ikev1_wr_init(&w, msg, sizeof(msg), &h), 0);
	msg[16] = IKEV1_PL_HASH;
	memset(msg + IKEV1_HDR_LEN, 0x55, 32); /* ciphertext stands in */
	w.len += 32;
	size_t ml = 0;
	CU_ASSERT_EQUAL_FATAL(ikev1_wr_finish(&w, &ml), 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse(&m, msg, ml), 0);
	CU_ASSERT_TRUE(m.enc == msg + IKEV1_HDR_LEN && m.enc_len == 32 && m.n == 0);
	CU_ASSERT_EQUAL(m.hdr.msg_id, 0x01020304);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(&m, m.hdr.next, plain, len + 8), 0);
	CU_ASSERT_EQUAL_FATAL(m.n, 4);
	CU_ASSERT_TRUE(m.pl[0].type == IKEV1_PL_HASH && m.pl[0].len == 20);
	CU_ASSERT_TRUE(m.pl[1].u.id.type == 4 && m.pl[1].u.id.proto == 17 &&
		       m.pl[1].u.id.port == 500 && m.pl[1].u.id.data_len == 8);
	CU_ASSERT_TRUE(m.pl[2].u.n.type == 24576 && m.pl[2].u.n.spi_size == 4 &&
		       m.pl[2].u.n.data_len == 0 && m.pl[2].u.n.doi == IKEV1_DOI_IPSEC);
	CU_ASSERT_TRUE(m.pl[3].u.d.n_spi == 2 && m.pl[3].u.d.spi_size == 4 &&
		       memcmp(m.pl[3].u.d.spis, spis, 8) == 0);
}

/* Mode Config's attribute payload: TV and TLV attributes, its identifier. */
static void test_mode_config(void)
{
	static struct ikev1_msg m;
	static const uint8_t addr[4] = {10, 99, 0, 7};
	uint8_t plain[128];
	struct ikev1_wr w;
	size_t len = 0;
	uint8_t head[4] = {2 /* REPLY */, 0, 0x12, 0x34};
	CU_ASSERT_EQUAL(ikev1_wr_init_plain(&w, plain, sizeof(plain)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_begin(&w, IKEV1_PL_ATTR), 0);
	CU_ASSERT_EQUAL(ikev1_wr_put(&w, head, sizeof(head)), 0);
	CU_ASSERT_EQUAL(ikev1_wr_attr_tlv(&w, 1 /* INTERNAL_IP4_ADDRESS */, addr, 4), 0);
	CU_ASSERT_EQUAL(ikev1_wr_attr_tv(&w, 16521 /* XAUTH_STATUS */, 1), 0);
	CU_ASSERT_EQUAL(ikev1_wr_attr_tlv(&w, 28673 /* UNITY_BANNER */, "hello", 5), 0);
	CU_ASSERT_EQUAL(ikev1_wr_end(&w), 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_wr_finish(&w, &len), 0);
	CU_ASSERT_EQUAL_FATAL(ikev1_msg_parse_plain(&m, IKEV1_PL_ATTR, plain, len), 0);
	const struct ikev1_payload *a = &m.pl[0];
	CU_ASSERT_TRUE(a->u.attr.type == 2 && a->u.attr.identifier == 0x1234);
	CU_ASSERT_EQUAL_FATAL(a->u.attr.n_attrs, 3);
	const struct ikev1_attr *ip = ikev1_attr_find(&m, a->u.attr.first_attr, 3, 1);
	const struct ikev1_attr *st = ikev1_attr_find(&m, a->u.attr.first_attr, 3, 16521);
	const struct ikev1_attr *bn = ikev1_attr_find(&m, a->u.attr.first_attr, 3, 28673);
	CU_ASSERT_TRUE(ip != NULL && !ip->tv && ip->len == 4 && memcmp(ip->value, addr, 4) == 0);
	CU_ASSERT_TRUE(st != NULL && st->tv && st->val == 1);
	CU_ASSERT_TRUE(bn != NULL && bn->len == 5 && memcmp(bn->value, "hello", 5) == 0);
}

/* One field of the good Main Mode message 1 changed, and what the parser must say. */
struct bad {
	const char *what;
	size_t off; /* SIZE_MAX: cut the message to len instead */
	int width;  /* 1, 2 or 4 octets at off */
	uint32_t val;
	size_t cut; /* with off == SIZE_MAX: the length to keep */
	enum ikev1_msg_err err;
	size_t err_off;
};

static const struct bad bad[] = {
	{"shorter than the header", SIZE_MAX, 0, 0, 27, IKEV1_MSG_ERR_HDR_SHORT, 0},
	{"major version 2", 17, 1, 0x20, 0, IKEV1_MSG_ERR_HDR_VERSION, 17},
	{"Length one more", 24, 4, 0, 0, IKEV1_MSG_ERR_HDR_LENGTH, 24}, /* val: len + 1 */
	{"exchange 34 (IKEv2's)", 18, 1, 34, 0, IKEV1_MSG_ERR_HDR_EXCHANGE, 18},
	{"payload length 3", OFF_SA + 2, 2, 3, 0, IKEV1_MSG_ERR_PL_LENGTH, OFF_SA},
	{"payload length past the end", OFF_SA + 2, 2, 0xffff, 0, IKEV1_MSG_ERR_PL_LENGTH, OFF_SA},
	{"SA of DOI 2", OFF_SA + 4, 4, 2, 0, IKEV1_MSG_ERR_SA_DOI, OFF_SA},
	{"proposal length past its SA", OFF_PROP + 2, 2, 0x400, 0, IKEV1_MSG_ERR_PROP_LENGTH,
	 OFF_PROP},
	{"proposal length 7", OFF_PROP + 2, 2, 7, 0, IKEV1_MSG_ERR_PROP_LENGTH, OFF_PROP},
	{"proposal SPI of 17 octets", OFF_PROP + 6, 1, 17, 0, IKEV1_MSG_ERR_PROP_SPI, OFF_PROP},
	{"three transforms counted, two there", OFF_PROP + 7, 1, 3, 0, IKEV1_MSG_ERR_XF_NEXT,
	 OFF_XF1 + 2 * XF_LEN},
	{"one transform counted, two there", OFF_PROP + 7, 1, 1, 0, IKEV1_MSG_ERR_PROP_COUNT,
	 OFF_XF1 + XF_LEN},
	{"a KE payload where a transform goes", OFF_XF1, 1, IKEV1_PL_KE, 0, IKEV1_MSG_ERR_XF_NEXT,
	 0},
	{"transform length past its proposal", OFF_XF1 + 2, 2, 0x300, 0, IKEV1_MSG_ERR_XF_LENGTH,
	 OFF_XF1},
	{"TLV life duration longer than its transform", OFF_XF1 + 8 + 6 * 4 + 2, 2, 64, 0,
	 IKEV1_MSG_ERR_ATTR_SHORT, OFF_XF1 + 8 + 6 * 4},
	{"a proposal payload at top level", 16, 1, IKEV1_PL_P, 0, IKEV1_MSG_ERR_PL_NESTED, OFF_SA},
	{"cut inside the first VID", SIZE_MAX, 0, 0, 0, IKEV1_MSG_ERR_HDR_LENGTH, 24},
};

static void put_be(uint8_t *p, int width, uint32_t v)
{
	for (int i = width - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void test_malformed(void)
{
	static struct ikev1_msg m;
	uint8_t good[512], buf[512];
	size_t len = main1(good, sizeof(good));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct bad *b = &bad[i];
		size_t l = len;
		memcpy(buf, good, len);
		if (b->off == SIZE_MAX) {
			l = b->cut != 0 ? b->cut : len - 10;
		} else {
			put_be(buf + b->off, b->width, b->off == 24 ? (uint32_t)len + 1 : b->val);
		}
		int rc = ikev1_msg_parse(&m, buf, l);
		CU_ASSERT_EQUAL(rc, -EBADMSG);
		CU_ASSERT_EQUAL(m.err, b->err);
		if (b->err_off != 0)
			CU_ASSERT_EQUAL(m.err_off, b->err_off);
		if (rc != -EBADMSG || m.err != b->err)
			fprintf(stderr, "\n  case '%s': rc %d err %s at %u\n", b->what, rc,
				m.err < IKEV1_MSG_ERR_MAX ? ikev1_msg_err_name[m.err] : "?",
				m.err_off);
	}
	/* the good one still parses: the cases changed copies */
	CU_ASSERT_EQUAL(ikev1_msg_parse(&m, good, len), 0);
}

/* Payload fields shorter than they say, and the caps of the codec. */
static void test_short_payloads(void)
{
	static struct ikev1_msg m;
	static const struct {
		uint8_t type;
		uint8_t body[12];
		uint8_t len;
		enum ikev1_msg_err err;
	} c[] = {
		{IKEV1_PL_SA, {0, 0, 0, 1}, 4, IKEV1_MSG_ERR_SA_SHORT},
		{IKEV1_PL_N, {0, 0, 0, 1, 3, 4, 0, 1}, 8, IKEV1_MSG_ERR_N_SHORT},
		{IKEV1_PL_D, {0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4}, 12, IKEV1_MSG_ERR_D_SHORT},
		{IKEV1_PL_ID, {1, 0, 0}, 3, IKEV1_MSG_ERR_ID_SHORT},
		{IKEV1_PL_ATTR, {1, 0, 0}, 3, IKEV1_MSG_ERR_ATTRPL_SHORT},
		{IKEV1_PL_ATTR, {1, 0, 0, 1, 0x80}, 5, IKEV1_MSG_ERR_ATTR_SHORT},
	};
	uint8_t plain[64];
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ikev1_wr w;
		size_t len = 0;
		ikev1_wr_init_plain(&w, plain, sizeof(plain));
		ikev1_wr_payload(&w, c[i].type, c[i].body, c[i].len);
		CU_ASSERT_EQUAL_FATAL(ikev1_wr_finish(&w, &len), 0);
		CU_ASSERT_EQUAL(ikev1_msg_parse_plain(&m, c[i].type, plain, len), -EBADMSG);
		CU_ASSERT_EQUAL(m.err, c[i].err);
	}
	/* 33 payloads: one more than the codec holds */
	uint8_t many[IKEV1_PL_HDR_LEN * 33];
	for (unsigned int i = 0; i < 33; i++) {
		uint8_t *p = many + i * IKEV1_PL_HDR_LEN;
		p[0] = i < 32 ? IKEV1_PL_VID : IKEV1_PL_NONE;
		p[1] = 0;
		p[2] = 0;
		p[3] = IKEV1_PL_HDR_LEN;
	}
	CU_ASSERT_EQUAL(ikev1_msg_parse_plain(&m, IKEV1_PL_VID, many, sizeof(many)), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKEV1_MSG_ERR_PL_TOO_MANY);
	/* the E bit with nothing after the header */
	uint8_t hdr[IKEV1_HDR_LEN] = {1, 0, 0, 0, 0, 0, 0, 0};
	hdr[17] = IKEV1_VERSION;
	hdr[18] = IKEV1_EXCH_INFO;
	hdr[19] = IKEV1_FLAG_E;
	hdr[27] = IKEV1_HDR_LEN;
	CU_ASSERT_EQUAL(ikev1_msg_parse(&m, hdr, sizeof(hdr)), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKEV1_MSG_ERR_ENC_EMPTY);
	hdr[0] = 0; /* and a zero initiator cookie */
	hdr[19] = 0;
	CU_ASSERT_EQUAL(ikev1_msg_parse(&m, hdr, sizeof(hdr)), -EBADMSG);
	CU_ASSERT_EQUAL(m.err, IKEV1_MSG_ERR_HDR_COOKIE);
}

/* The writer stops at cap, keeps its error, and refuses payloads left open. */
static void test_writer_limits(void)
{
	uint8_t buf[40];
	struct ikev1_hdr h = {.cky_i = {1}, .exchange = IKEV1_EXCH_MAIN};
	struct ikev1_wr w;
	size_t len = 0;
	CU_ASSERT_EQUAL(ikev1_wr_init(&w, buf, sizeof(buf), &h), 0);
	CU_ASSERT_EQUAL(ikev1_wr_payload(&w, IKEV1_PL_VID, vid_dpd, sizeof(vid_dpd)), -ENOBUFS);
	CU_ASSERT_EQUAL(ikev1_wr_payload(&w, IKEV1_PL_VID, vid_dpd, 1), -ENOBUFS);
	CU_ASSERT_EQUAL(ikev1_wr_finish(&w, &len), -ENOBUFS);
	CU_ASSERT_EQUAL(ikev1_wr_init(&w, buf, sizeof(buf), &h), 0);
	CU_ASSERT_EQUAL(ikev1_wr_begin(&w, IKEV1_PL_HASH), 0);
	CU_ASSERT_EQUAL(ikev1_wr_finish(&w, &len), -EINVAL); /* still open */
	CU_ASSERT_EQUAL(ikev1_wr_init(&w, buf, sizeof(buf), &h), 0);
	CU_ASSERT_EQUAL(ikev1_wr_xform(&w, 1, 1), -EINVAL); /* no proposal */
}

int test_ikev1_msg_register(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"Main Mode message 1 round trip", test_main_mode_1},
		{"encrypted: the plain chain and its padding", test_plain_chain},
		{"Mode Config attributes", test_mode_config},
		{"malformed messages (RFC 2408 3)", test_malformed},
		{"short payloads and caps", test_short_payloads},
		{"writer limits", test_writer_limits},
	};
	CU_pSuite s = CU_add_suite("ikev1_msg", NULL, NULL);
	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
