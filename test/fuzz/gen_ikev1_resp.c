/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/gen_ikev1_resp.c - the IKEv1 seeds of fuzz_ike_resp (test/fuzz/corpus/ike_resp,
 * files v1_*), written by gen_ike_resp with its IKEv2 ones. Messages are built with the ISAKMP
 * codec's writer (ctrlplane/ike/ikev1_msg.h), KE data with real public values (crypto/ike_dh.h).
 * What the harness fills in (fuzz_ikev1_fill.c) is left zero: CKY-R, the message ID of an
 * answer to the hub's transaction, HASH values (of the negotiated PRF's length); messages the
 * harness encrypts are written in clear.
 *
 * The peers are those of the harness's config: branch (203.0.113.2, Main and Aggressive Mode,
 * its child on vti2 with PFS group 14) and group (IPv6, XAUTHInitPreShared, XAUTH user alice,
 * Mode Config pull from pool ra, whose first address is 10.99.0.1).
 *
 * Seeds that complete exchanges (RFC 2409 5.4, 5.5, 5.7; RFC 3706; xauth-02; mode-cfg-02;
 * RFC 3947): Main Mode + Quick Mode with PFS + R-U-THERE + Deletes, Main Mode with NAT-T
 * floating to 4500, Aggressive Mode with message 3 encrypted and in clear, XAUTH + Mode Config +
 * Quick Mode in Main and Aggressive Mode, a wrong password three times. Seeds of the IKEv1
 * classes of ROBUSTNESS.md: XAUTH and Mode Config before Phase 1 completes (and before XAUTH
 * did), duplicate DELETEs, IKEv1 payloads in IKEv2 and the reverse (also on the other version's
 * SA), SPI 0 (cookie, ESP SPI, Delete and Notify SPIs), reserved bits set and version bumps,
 * payload and message lengths, retransmits, KE data empty, short and 1, a zero-size key, an
 * auth method the peer does not take, wrong HASHes, XAUTH attributes missing or too long.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "crypto/ike_dh.h"
#include "ctrlplane/ike/ikev1_msg.h"
#include "ctrlplane/ike/ikev1_prop.h"
#include "fuzz_ike_resp.h"

#define V1	  IKE_RESP_F_V1
#define V1_SPI	  (IKE_RESP_F_V1 | IKE_RESP_F_SPI)
#define V1_PROT	  (V1_SPI | IKE_RESP_F_AUTH | IKE_RESP_F_SEAL) /* HASH filled, encrypted */
#define V1_ANSWER (V1_PROT | IKE_RESP_F_MSGID)		       /* to the hub's transaction */
#define V6	  IKE_RESP_F_V6
#define MSG_MAX	  IKE_RESP_MSG_MAX

/* Wire values (RFC 2409 Appendix A, RFC 2407 4.4.1, 4.5, 4.6.2.1, RFC 3706, mode-cfg, xauth) */
#define KEY_IKE		  1
#define ENCR_AES_CBC	  7
#define HASH_SHA1	  2
#define HASH_SHA256	  4
#define ESP_AES		  12
#define ESP_AES_GCM_16	  20
#define AUTH_HMAC_SHA1	  2
#define AUTH_HMAC_SHA256  5
#define ID_IPV4_ADDR	  1
#define ID_FQDN		  2
#define ID_IPV4_SUBNET	  4
#define N_INITIAL_CONTACT 24578
#define N_R_U_THERE	  36136
#define CFG_REQUEST	  1
#define CFG_REPLY	  2
#define CFG_ACK		  4
#define A_XAUTH_TYPE	  16520
#define A_XAUTH_USER	  16521
#define A_XAUTH_PASSWORD  16522
#define A_XAUTH_STATUS	  16527
#define ESP_SPI_A	  0xc1c1c101u
#define ESP_SPI_B	  0xc1c1c102u
#define ESP_SPI_C	  0xc1c1c103u

/* A Phase 1 transform: cipher key bits, hash, group; the HASH length its PRF gives. */
struct p1 {
	uint16_t bits, hash, group;
	size_t hash_len;
};

/* A Phase 2 transform: ESP ID, key bits, HMAC (0: none, AEAD), PFS group (0: none), mode. */
struct p2 {
	uint8_t id;
	uint16_t bits, auth, pfs, encap;
	uint32_t spi;
};

static const struct p1 branch_mm = {256, HASH_SHA256, IKE_DH_MODP2048, 32};
static const struct p1 branch_ecp = {256, HASH_SHA256, IKE_DH_ECP256, 32};
static const struct p1 branch_sha1 = {128, HASH_SHA1, IKE_DH_MODP2048, 20};
static const struct p1 group_mm = {128, HASH_SHA256, IKE_DH_MODP2048, 32};
static const struct p2 esp_pfs = {
	ESP_AES, 256, AUTH_HMAC_SHA256, IKE_DH_MODP2048, IKEV1_ENCAP_TUNNEL, ESP_SPI_A};
static const struct p2 esp_pfs_b = {
	ESP_AES, 256, AUTH_HMAC_SHA256, IKE_DH_MODP2048, IKEV1_ENCAP_TUNNEL, ESP_SPI_B};
static const struct p2 esp_sha1 = {ESP_AES, 128, AUTH_HMAC_SHA1, 0, IKEV1_ENCAP_TUNNEL, ESP_SPI_A};
static const struct p2 esp_natt = {ESP_AES,  128, AUTH_HMAC_SHA1, 0, IKEV1_ENCAP_UDP_TUNNEL,
				   ESP_SPI_A};
static const struct p2 esp_ra = {ESP_AES, 128, AUTH_HMAC_SHA256, 0, IKEV1_ENCAP_TUNNEL, ESP_SPI_B};
static const struct p2 esp_gcm = {ESP_AES_GCM_16, 256, 0, 0, IKEV1_ENCAP_TUNNEL, ESP_SPI_C};
static const struct p2 esp_spi0 = {ESP_AES, 128, AUTH_HMAC_SHA1, 0, IKEV1_ENCAP_TUNNEL, 0};

static const uint8_t cky_a[8] = {0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1};
static const uint8_t cky_b[8] = {0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2, 0xb2};
static const uint8_t cky_zero[8];

static const char branch_id[] = "branch.example.net";
static const char group_id[] = "group.example.net";
static const char user[] = "alice";
static const char password[] = "fuzz password of alice";

static struct ike_resp_seed s;

static void begin(void)
{
	s = (struct ike_resp_seed){.len = 0};
}

static void start(struct ikev1_wr *w, uint8_t *out, const uint8_t cky[8], uint8_t exch,
		  uint32_t msg_id)
{
	struct ikev1_hdr h = {.exchange = exch, .msg_id = msg_id};
	memcpy(h.cky_i, cky, 8);
	ikev1_wr_init(w, out, MSG_MAX, &h);
}

static size_t finish(struct ikev1_wr *w)
{
	size_t len = 0;
	if (ikev1_wr_finish(w, &len) != 0)
		gen_die("IKEv1 message does not fit");
	return len;
}

/* A HASH payload of len zero octets: the harness computes it. */
static void hash(struct ikev1_wr *w, size_t len)
{
	static const uint8_t zero[64];
	ikev1_wr_payload(w, IKEV1_PL_HASH, zero, len);
}

static void nonce(struct ikev1_wr *w, uint8_t tag)
{
	uint8_t n[32];
	memset(n, tag, sizeof(n));
	ikev1_wr_payload(w, IKEV1_PL_NONCE, n, sizeof(n));
}

static void ke(struct ikev1_wr *w, uint16_t group)
{
	uint8_t pub[IKE_DH_KE_MAX];
	ikev1_wr_payload(w, IKEV1_PL_KE, pub, gen_public_value(group, pub, sizeof(pub)));
}

/* The Phase 1 SA (RFC 2409 Appendix A): one ISAKMP proposal, one transform of t. */
static void p1_sa(struct ikev1_wr *w, const struct p1 *t, uint16_t auth)
{
	ikev1_wr_sa_begin(w);
	ikev1_wr_prop(w, 1, IKEV1_PROTO_ISAKMP, NULL, 0);
	ikev1_wr_xform(w, 1, KEY_IKE);
	ikev1_wr_attr_tv(w, IKEV1_A_ENCR, ENCR_AES_CBC);
	ikev1_wr_attr_tv(w, IKEV1_A_KEYLEN, t->bits);
	ikev1_wr_attr_tv(w, IKEV1_A_HASH, t->hash);
	ikev1_wr_attr_tv(w, IKEV1_A_AUTH, auth);
	ikev1_wr_attr_tv(w, IKEV1_A_GROUP, t->group);
	ikev1_wr_attr_tv(w, IKEV1_A_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	ikev1_wr_attr_tv(w, IKEV1_A_LIFE_DUR, 28800);
	ikev1_wr_sa_end(w);
}

/* The NAT-T (RFC 3947) and DPD (RFC 3706) vendor IDs. */
static void vids(struct ikev1_wr *w, bool natt)
{
	static const uint8_t rfc3947[16] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
					    0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
	static const uint8_t dpd[16] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
					0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
	if (natt)
		ikev1_wr_payload(w, IKEV1_PL_VID, rfc3947, sizeof(rfc3947));
	ikev1_wr_payload(w, IKEV1_PL_VID, dpd, sizeof(dpd));
}

static void id_fqdn(struct ikev1_wr *w, const char *name)
{
	ikev1_wr_id(w, ID_FQDN, 0, 0, name, strlen(name));
}

/* Main Mode message 1: SA, vendor IDs. */
static size_t mm1(uint8_t *out, const uint8_t cky[8], const struct p1 *t, uint16_t auth, bool natt)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_MAIN, 0);
	p1_sa(&w, t, auth);
	vids(&w, natt);
	return finish(&w);
}

/* Main Mode message 3: KE, Ni and, with natt, NAT-D hashes that match nothing (a NAT). */
static size_t mm3(uint8_t *out, const uint8_t cky[8], const struct p1 *t, bool natt)
{
	uint8_t natd[32];
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_MAIN, 0);
	ke(&w, t->group);
	nonce(&w, 0x31);
	memset(natd, 0x5c, sizeof(natd));
	if (natt) {
		ikev1_wr_payload(&w, IKEV1_PL_NAT_D, natd, t->hash_len);
		ikev1_wr_payload(&w, IKEV1_PL_NAT_D, natd, t->hash_len);
	}
	return finish(&w);
}

/* Main Mode message 3 with the KE data given (RFC 6989 classes: empty, short, 1). */
static size_t mm3_ke(uint8_t *out, const uint8_t cky[8], const uint8_t *ke_data, size_t len)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_MAIN, 0);
	ikev1_wr_payload(&w, IKEV1_PL_KE, ke_data, len);
	nonce(&w, 0x32);
	return finish(&w);
}

/* Main Mode message 5 in clear: IDii, HASH_I [, N(INITIAL-CONTACT)]. */
static size_t mm5(uint8_t *out, const uint8_t cky[8], const char *id, size_t hash_len)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_MAIN, 0);
	id_fqdn(&w, id);
	hash(&w, hash_len);
	ikev1_wr_notify(&w, IKEV1_PROTO_ISAKMP, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	return finish(&w);
}

/* Aggressive Mode message 1: SA, KE, Ni, IDii, vendor IDs. */
static size_t am1(uint8_t *out, const uint8_t cky[8], const struct p1 *t, uint16_t auth,
		  const char *id)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_AGGRESSIVE, 0);
	p1_sa(&w, t, auth);
	ke(&w, t->group);
	nonce(&w, 0x41);
	id_fqdn(&w, id);
	vids(&w, false);
	return finish(&w);
}

/* Aggressive Mode message 3: HASH_I. */
static size_t am3(uint8_t *out, const uint8_t cky[8], size_t hash_len)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_AGGRESSIVE, 0);
	hash(&w, hash_len);
	return finish(&w);
}

/* An IPv4 proxy identity (RFC 2407 4.6.2): a subnet (plen < 32) or an address. */
static void id_v4(struct ikev1_wr *w, const uint8_t a[4], unsigned int plen)
{
	uint8_t b[8];
	memcpy(b, a, 4);
	ike_resp_put32(b + 4, plen == 0 ? 0 : ~0u << (32 - plen));
	if (plen == 32)
		ikev1_wr_id(w, ID_IPV4_ADDR, 0, 0, b, 4);
	else
		ikev1_wr_id(w, ID_IPV4_SUBNET, 0, 0, b, 8);
}

/* The Phase 2 SA (RFC 2407 4.5): one ESP proposal, one transform of t. */
static void p2_sa(struct ikev1_wr *w, const struct p2 *t)
{
	uint8_t spi[4];
	ike_resp_put32(spi, t->spi);
	ikev1_wr_sa_begin(w);
	ikev1_wr_prop(w, 1, IKEV1_PROTO_ESP, spi, 4);
	ikev1_wr_xform(w, 1, t->id);
	ikev1_wr_attr_tv(w, IKEV1_A2_LIFE_TYPE, IKEV1_LIFE_SECONDS);
	ikev1_wr_attr_tv(w, IKEV1_A2_LIFE_DUR, 3600);
	ikev1_wr_attr_tv(w, IKEV1_A2_ENCAP, t->encap);
	if (t->auth != 0)
		ikev1_wr_attr_tv(w, IKEV1_A2_AUTH, t->auth);
	ikev1_wr_attr_tv(w, IKEV1_A2_KEYLEN, t->bits);
	if (t->pfs != 0)
		ikev1_wr_attr_tv(w, IKEV1_A2_GROUP, t->pfs);
	ikev1_wr_sa_end(w);
}

/* Quick Mode message 1 (5.5): HASH(1), SA, Ni [, KE], IDci, IDcr. */
static size_t qm1(uint8_t *out, const uint8_t cky[8], uint32_t msg_id, const struct p2 *t,
		  const uint8_t ci[4], unsigned int ci_plen, const uint8_t cr[4],
		  unsigned int cr_plen)
{
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_QUICK, msg_id);
	hash(&w, 32);
	p2_sa(&w, t);
	nonce(&w, 0x51);
	if (t->pfs != 0)
		ke(&w, t->pfs);
	id_v4(&w, ci, ci_plen);
	id_v4(&w, cr, cr_plen);
	return finish(&w);
}

static const uint8_t v4_any[4];
static const uint8_t v4_vip[4] = {10, 99, 0, 1};
static const uint8_t v4_lan[4] = {10, 10, 1, 0};

/* Quick Mode message 1 of the branch's child on vti2 (0.0.0.0/0 both ways). */
static size_t qm1_branch(uint8_t *out, const uint8_t cky[8], uint32_t msg_id, const struct p2 *t)
{
	return qm1(out, cky, msg_id, t, v4_any, 0, v4_any, 0);
}

/* A message of a protected exchange with only HASH: Quick Mode's third (HASH(3)). */
static size_t hash_only(uint8_t *out, const uint8_t cky[8], uint8_t exch, uint32_t msg_id,
			size_t hash_len)
{
	struct ikev1_wr w;
	start(&w, out, cky, exch, msg_id);
	hash(&w, hash_len);
	return finish(&w);
}

/* Informational (5.7): HASH(1), Delete of one ESP SPI or (spi_size 16) of the ISAKMP SA. */
static size_t del(uint8_t *out, const uint8_t cky[8], uint32_t msg_id, uint8_t spi_size,
		  uint32_t esp_spi, size_t hash_len)
{
	uint8_t spi[16] = {0};
	struct ikev1_wr w;
	memcpy(spi, cky, 8); /* ISAKMP: CKY-I | CKY-R, the harness fills CKY-R */
	if (spi_size == 4)
		ike_resp_put32(spi, esp_spi);
	start(&w, out, cky, IKEV1_EXCH_INFO, msg_id);
	hash(&w, hash_len);
	ikev1_wr_delete(&w, spi_size == 4 ? IKEV1_PROTO_ESP : IKEV1_PROTO_ISAKMP, spi_size, spi, 1);
	return finish(&w);
}

/* Informational: HASH(1), N(R-U-THERE, seq) with the ISAKMP SPI of spi_size octets. */
static size_t dpd(uint8_t *out, const uint8_t cky[8], uint32_t msg_id, uint32_t seq,
		  uint8_t spi_size, size_t hash_len)
{
	uint8_t spi[16] = {0}, d[4];
	struct ikev1_wr w;
	memcpy(spi, cky, 8);
	ike_resp_put32(d, seq);
	start(&w, out, cky, IKEV1_EXCH_INFO, msg_id);
	hash(&w, hash_len);
	ikev1_wr_notify(&w, IKEV1_PROTO_ISAKMP, spi, spi_size, N_R_U_THERE, d, 4);
	return finish(&w);
}

/* A transaction (mode-cfg 3.2): HASH, ATTR of type with what add writes. */
static size_t attrs(uint8_t *out, const uint8_t cky[8], uint32_t msg_id, uint8_t type,
		    void (*add)(struct ikev1_wr *w, const void *arg), const void *arg)
{
	uint8_t h[4] = {type, 0, 0x12, 0x34};
	struct ikev1_wr w;
	start(&w, out, cky, IKEV1_EXCH_TRANSACTION, msg_id);
	hash(&w, 32);
	ikev1_wr_begin(&w, IKEV1_PL_ATTR);
	ikev1_wr_put(&w, h, sizeof(h));
	add(&w, arg);
	ikev1_wr_end(&w);
	return finish(&w);
}

/* XAUTH REPLY (xauth-02 6.2): the type, the name and arg's password. */
static void add_login(struct ikev1_wr *w, const void *arg)
{
	const char *pw = arg;
	ikev1_wr_attr_tv(w, A_XAUTH_TYPE, 0);
	ikev1_wr_attr_tlv(w, A_XAUTH_USER, user, sizeof(user) - 1);
	ikev1_wr_attr_tlv(w, A_XAUTH_PASSWORD, pw, (uint16_t)strlen(pw));
}

static void add_status_ok(struct ikev1_wr *w, const void *arg)
{
	(void)arg;
	ikev1_wr_attr_tv(w, A_XAUTH_STATUS, 1);
}

/* Mode Config REQUEST: address, mask, DNS, split networks, Unity's, the version; empty. */
static void add_cfg_request(struct ikev1_wr *w, const void *arg)
{
	static const uint16_t want[] = {1, 2, 3, 13, 7, 28672, 28673, 28674, 28676, 28679};
	(void)arg;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ikev1_wr_attr_tlv(w, want[i], NULL, 0);
}

/* XAUTH REPLYs without a usable name and password (xauth-02 6.2): arg picks which. */
static void add_bad_login(struct ikev1_wr *w, const void *arg)
{
	static const char big[200] = "x";
	switch (*(const int *)arg) {
	case 0: /* an empty name */
		ikev1_wr_attr_tlv(w, A_XAUTH_USER, NULL, 0);
		ikev1_wr_attr_tlv(w, A_XAUTH_PASSWORD, password, sizeof(password) - 1);
		break;
	case 1: /* a name as TV, no password */
		ikev1_wr_attr_tv(w, A_XAUTH_USER, 0x6162);
		break;
	default: /* a name and a password past the hub's bounds */
		ikev1_wr_attr_tlv(w, A_XAUTH_USER, big, sizeof(big));
		ikev1_wr_attr_tlv(w, A_XAUTH_PASSWORD, big, sizeof(big));
	}
}

static size_t xauth_reply(uint8_t *out, const uint8_t cky[8], const char *pw)
{
	return attrs(out, cky, 0, CFG_REPLY, add_login, pw);
}

static size_t xauth_ack(uint8_t *out, const uint8_t cky[8])
{
	return attrs(out, cky, 0, CFG_ACK, add_status_ok, NULL);
}

static size_t cfg_request(uint8_t *out, const uint8_t cky[8], uint32_t msg_id)
{
	return attrs(out, cky, msg_id, CFG_REQUEST, add_cfg_request, NULL);
}

/* Main Mode to QM_IDLE (messages 1, 3, 5) with flags extra on each record. */
static void main_mode(const uint8_t cky[8], const struct p1 *t, uint16_t auth, const char *id,
		      uint8_t extra)
{
	uint8_t m[MSG_MAX];
	gen_add(&s, V1 | extra, m, mm1(m, cky, t, auth, false));
	gen_add(&s, V1_SPI | extra, m, mm3(m, cky, t, false));
	gen_add(&s, V1_PROT | extra, m, mm5(m, cky, id, t->hash_len));
}

/* Main Mode, Quick Mode with PFS, R-U-THERE, Deletes; NAT-T; Aggressive Mode. */
static void seeds_site(const char *dir)
{
	uint8_t m[MSG_MAX];
	begin();
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x1001, &esp_pfs));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x1001, 32));
	gen_add(&s, V1_PROT, m, dpd(m, cky_a, 0x1002, 7, 16, 32));
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x1003, 4, ESP_SPI_A, 32));
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x1004, 16, 0, 32));
	gen_save(&s, dir, "v1_main_quick_pfs");

	begin(); /* the peer's Phase 2 rekey: a second Quick Mode of the child, the old deleted */
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x1101, &esp_sha1));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x1101, 32));
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x1102, &esp_pfs_b));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x1102, 32));
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x1103, 4, ESP_SPI_A, 32));
	gen_save(&s, dir, "v1_quick_rekey");

	begin();
	gen_add(&s, V1, m, mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, true));
	gen_add(&s, V1_SPI, m, mm3(m, cky_a, &branch_mm, true));
	gen_add(&s, V1_PROT | IKE_RESP_F_NATT, m, mm5(m, cky_a, branch_id, 32));
	gen_add(&s, V1_PROT | IKE_RESP_F_NATT, m, qm1_branch(m, cky_a, 0x2001, &esp_natt));
	gen_add(&s, V1_PROT | IKE_RESP_F_NATT, m,
		hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x2001, 32));
	gen_save(&s, dir, "v1_main_natt");

	begin();
	gen_add(&s, V1, m, am1(m, cky_b, &branch_ecp, IKEV1_AUTH_PSK, branch_id));
	gen_add(&s, V1_PROT, m, am3(m, cky_b, 32));
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_b, 0x3001, &esp_sha1));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_b, IKEV1_EXCH_QUICK, 0x3001, 32));
	gen_save(&s, dir, "v1_aggressive");

	begin(); /* RFC 2409 5.4 lets message 3 come in clear */
	gen_add(&s, V1, m, am1(m, cky_b, &branch_sha1, IKEV1_AUTH_PSK, branch_id));
	gen_add(&s, V1_SPI | IKE_RESP_F_AUTH, m, am3(m, cky_b, 20));
	gen_add(&s, V1_PROT, m, dpd(m, cky_b, 0x3101, 1, 16, 20));
	gen_save(&s, dir, "v1_aggressive_clear3");
}

/* Liveness and deletes: R-U-THERE, its sequence again, retransmits, duplicate DELETEs. */
static void seeds_info(const char *dir)
{
	uint8_t m[MSG_MAX];
	begin();
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	size_t n = dpd(m, cky_a, 0x4001, 5, 16, 32);
	gen_add(&s, V1_PROT, m, n);
	gen_add(&s, V1_PROT, m, n); /* the same message: retransmit */
	gen_add(&s, V1_PROT, m, dpd(m, cky_a, 0x4002, 5, 16, 32)); /* sequence not moving */
	gen_add(&s, V1_PROT, m, dpd(m, cky_a, 0x4003, 6, 16, 32));
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x4004, 16, 0, 32));
	gen_save(&s, dir, "v1_info_dpd");

	begin();
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x5001, &esp_sha1));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x5001, 32));
	n = del(m, cky_a, 0x5002, 4, ESP_SPI_A, 32);
	gen_add(&s, V1_PROT, m, n);
	gen_add(&s, V1_PROT, m, n);					  /* retransmitted */
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x5003, 4, ESP_SPI_A, 32)); /* a duplicate */
	gen_save(&s, dir, "v1_delete_duplicate");

	begin();
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x5001, &esp_sha1));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x5001, 32));
	n = del(m, cky_a, 0x5004, 16, 0, 32);
	gen_add(&s, V1_PROT, m, n);
	gen_add(&s, V1_PROT, m, n); /* the SA is gone: no keys to fill in, nothing to find */
	gen_save(&s, dir, "v1_delete_isakmp_twice");
}

/* Remote access: XAUTH, Mode Config pull, the Quick Mode of the address it gave. */
static void seeds_ra(const char *dir)
{
	uint8_t m[MSG_MAX];
	begin();
	main_mode(cky_a, &group_mm, IKEV1_AUTH_XAUTH_INIT_PSK, group_id, V6);
	gen_add(&s, V1_ANSWER | V6, m, xauth_reply(m, cky_a, password));
	gen_add(&s, V1_ANSWER | V6, m, xauth_ack(m, cky_a));
	gen_add(&s, V1_PROT | V6, m, cfg_request(m, cky_a, 0x6001));
	gen_add(&s, V1_PROT | V6, m, qm1(m, cky_a, 0x6002, &esp_ra, v4_vip, 32, v4_lan, 24));
	gen_add(&s, V1_PROT | V6, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0x6002, 32));
	gen_save(&s, dir, "v1_xauth_modecfg_quick");

	begin();
	main_mode(cky_a, &group_mm, IKEV1_AUTH_XAUTH_INIT_PSK, group_id, V6);
	size_t n = xauth_reply(m, cky_a, "not the password");
	gen_add(&s, V1_ANSWER | V6, m, n);
	gen_add(&s, V1_ANSWER | V6, m, n);
	gen_add(&s, V1_ANSWER | V6, m, n);
	gen_add(&s, V1_ANSWER | V6, m, xauth_ack(m, cky_a)); /* of XAUTH-STATUS 0: the SA goes */
	gen_save(&s, dir, "v1_xauth_wrong_password");

	begin();
	gen_add(&s, V1 | V6, m, am1(m, cky_b, &group_mm, IKEV1_AUTH_XAUTH_INIT_PSK, group_id));
	gen_add(&s, V1_PROT | V6, m, am3(m, cky_b, 32));
	gen_add(&s, V1_ANSWER | V6, m, xauth_reply(m, cky_b, password));
	gen_add(&s, V1_ANSWER | V6, m, xauth_ack(m, cky_b));
	gen_add(&s, V1_PROT | V6, m, cfg_request(m, cky_b, 0x6101));
	gen_add(&s, V1_PROT | V6, m, qm1(m, cky_b, 0x6102, &esp_gcm, v4_vip, 32, v4_lan, 24));
	gen_add(&s, V1_PROT | V6, m, hash_only(m, cky_b, IKEV1_EXCH_QUICK, 0x6102, 32));
	gen_save(&s, dir, "v1_xauth_aggressive");

	begin();
	main_mode(cky_a, &group_mm, IKEV1_AUTH_XAUTH_INIT_PSK, group_id, V6);
	for (int k = 0; k < 3; k++)
		gen_add(&s, V1_ANSWER | V6, m, attrs(m, cky_a, 0, CFG_REPLY, add_bad_login, &k));
	gen_add(&s, V1_ANSWER | V6, m, xauth_reply(m, cky_a, password)); /* nothing asks now */
	gen_save(&s, dir, "v1_xauth_attributes");

	/* ROBUSTNESS.md: XAUTH and Mode Config before Phase 1 completes, then before XAUTH */
	begin();
	gen_add(&s, V1 | V6, m, mm1(m, cky_a, &group_mm, IKEV1_AUTH_XAUTH_INIT_PSK, false));
	gen_add(&s, V1_SPI | V6, m, mm3(m, cky_a, &group_mm, false));
	gen_add(&s, V1_PROT | V6, m, xauth_reply(m, cky_a, password)); /* its own message ID 0 */
	gen_add(&s, V1_PROT | V6, m, cfg_request(m, cky_a, 0x6201));
	gen_add(&s, V1_PROT | V6, m, mm5(m, cky_a, group_id, 32));
	gen_add(&s, V1_PROT | V6, m, cfg_request(m, cky_a, 0x6202));
	gen_add(&s, V1_PROT | V6, m, qm1(m, cky_a, 0x6203, &esp_ra, v4_vip, 32, v4_lan, 24));
	gen_add(&s, V1_ANSWER | V6, m, xauth_ack(m, cky_a)); /* an ACK of nothing it SET */
	gen_save(&s, dir, "v1_cfg_before_phase1");
}

/* IKEv1 payload types in an IKEv2 message, IKEv2 ones in an ISAKMP message, on each's SA. */
static void seeds_cross(const char *dir)
{
	static const uint8_t v2_sa[] = {0, 0, 0, 8, 1, 1, 0, 0}; /* an IKEv2 proposal header */
	uint8_t m[MSG_MAX];
	struct ikev1_wr w;
	begin();
	size_t n = mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false);
	m[17] = 0x20; /* IKEv2 header (major 2, IKE_SA_INIT, Initiator) over IKEv1's SA, VIDs */
	m[18] = 34;
	m[19] = 0x08;
	gen_add(&s, 0, m, n);
	start(&w, m, cky_b, IKEV1_EXCH_MAIN, 0); /* ISAKMP header over IKEv2's SA, Nonce, SK */
	ikev1_wr_payload(&w, 33, v2_sa, sizeof(v2_sa));
	ikev1_wr_payload(&w, 40, v2_sa, sizeof(v2_sa));
	ikev1_wr_payload(&w, 46, v2_sa, sizeof(v2_sa));
	gen_add(&s, V1, m, finish(&w));
	gen_save(&s, dir, "v1_cross_versions");

	begin(); /* on an ISAKMP SA: IKEv2 payloads encrypted, then an IKEv2 header on its SPIs */
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	start(&w, m, cky_a, IKEV1_EXCH_INFO, 0x7001);
	hash(&w, 32);
	ikev1_wr_payload(&w, 42, v2_sa, 4); /* IKEv2 Delete of the IKE SA */
	ikev1_wr_payload(&w, 41, v2_sa, sizeof(v2_sa));
	gen_add(&s, V1_PROT, m, finish(&w));
	n = hash_only(m, cky_a, IKEV1_EXCH_INFO, 0, 4);
	/* INFORMATIONAL, Initiator, message ID 0, a payload of type 8 (none in IKEv2); with an
	 * Encrypted payload it reaches ike_sk_unprotect with the ISAKMP SA's unset IKEv2 keys */
	m[17] = 0x20;
	m[18] = 37;
	m[19] = 0x08;
	gen_add(&s, V1_SPI, m, n);
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x7002, 16, 0, 32));
	gen_save(&s, dir, "v1_ikev2_on_isakmp_sa");

	begin(); /* an IKEv2 SA's SPI as an ISAKMP cookie: message 1, then as if established */
	gen_add(&s, 0, m, gen_sa_init(m, cky_a));
	gen_add(&s, V1, m, mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false));
	gen_add(&s, IKE_RESP_F_SPI, m, dpd(m, cky_a, 0x7101, 1, 16, 32));
	gen_save(&s, dir, "v1_isakmp_on_ikev2_sa");
}

/* KE data of RFC 6989's classes, a zero-size key, wrong HASHes (ROBUSTNESS.md IKE). */
static void seeds_keys(const char *dir)
{
	static const struct p1 keylen0 = {0, HASH_SHA256, IKE_DH_MODP2048, 32};
	uint8_t m[MSG_MAX], one[256] = {0};
	one[255] = 1;
	begin();
	gen_add(&s, V1, m, mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false));
	gen_add(&s, V1_SPI, m, mm3_ke(m, cky_a, one, 0));
	gen_add(&s, V1_SPI, m, mm3_ke(m, cky_a, one, 255));
	gen_add(&s, V1_SPI, m, mm3_ke(m, cky_a, one, 256));
	gen_add(&s, V1_SPI, m, mm3(m, cky_a, &branch_mm, false)); /* a good one after them */
	gen_add(&s, V1_PROT, m, mm5(m, cky_a, branch_id, 32));
	gen_add(&s, V1, m, mm1(m, cky_b, &keylen0, IKEV1_AUTH_PSK, false));
	gen_add(&s, V1, m, mm1(m, cky_b, &branch_mm, IKEV1_AUTH_XAUTH_INIT_PSK, false));
	gen_save(&s, dir, "v1_bad_ke_proposal");

	begin(); /* HASH_I not filled in: a key mismatch, as the hub sees it */
	gen_add(&s, V1, m, mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false));
	gen_add(&s, V1_SPI, m, mm3(m, cky_a, &branch_mm, false));
	gen_add(&s, V1_SPI | IKE_RESP_F_SEAL, m, mm5(m, cky_a, branch_id, 32));
	gen_add(&s, V1, m, am1(m, cky_b, &branch_mm, IKEV1_AUTH_PSK, branch_id));
	gen_add(&s, V1_SPI | IKE_RESP_F_SEAL, m, am3(m, cky_b, 32));
	gen_add(&s, V1, m, am1(m, cky_b, &branch_mm, IKEV1_AUTH_PSK, branch_id));
	gen_add(&s, V1_PROT, m, am3(m, cky_b, 20)); /* HASH of the wrong length */
	gen_save(&s, dir, "v1_auth_failed");
}

/* SPI 0, reserved bits and version bumps, lengths, retransmits (ROBUSTNESS.md IKE). */
static void seeds_malformed(const char *dir)
{
	uint8_t m[MSG_MAX];
	begin();
	gen_add(&s, V1, m, mm1(m, cky_zero, &branch_mm, IKEV1_AUTH_PSK, false)); /* CKY-I 0 */
	main_mode(cky_a, &branch_mm, IKEV1_AUTH_PSK, branch_id, 0);
	gen_add(&s, V1_PROT, m, qm1_branch(m, cky_a, 0x8001, &esp_spi0));
	gen_add(&s, V1_PROT, m, del(m, cky_a, 0x8002, 4, 0, 32));
	gen_add(&s, V1_PROT, m, dpd(m, cky_a, 0x8003, 1, 0, 32));
	gen_add(&s, V1_PROT, m, hash_only(m, cky_a, IKEV1_EXCH_QUICK, 0, 32)); /* M-ID 0 QM */
	gen_save(&s, dir, "v1_spi_zero");

	begin();
	size_t n = mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false);
	m[19] = 0xf8;		     /* reserved flag bits */
	m[IKEV1_HDR_LEN + 1] = 0xff; /* the SA payload's reserved octet */
	gen_add(&s, V1, m, n);
	n = mm3(m, cky_a, &branch_mm, false);
	m[IKEV1_HDR_LEN + 1] = 0x80; /* the KE payload's: IKEv2's critical bit */
	gen_add(&s, V1_SPI, m, n);
	gen_add(&s, V1_PROT, m, mm5(m, cky_a, branch_id, 32));
	n = mm1(m, cky_b, &branch_mm, IKEV1_AUTH_PSK, false);
	m[17] = 0x11; /* minor version 1 */
	gen_add(&s, V1, m, n);
	m[17] = 0x30; /* major 3 */
	gen_add(&s, V1, m, n);
	gen_save(&s, dir, "v1_reserved_version");

	begin();
	n = mm1(m, cky_a, &branch_mm, IKEV1_AUTH_PSK, false);
	gen_add(&s, V1, m, n);
	gen_add(&s, V1, m, n);	  /* message 1 again: message 2 again, at most every 500 ms */
	m[IKEV1_HDR_LEN + 3] = 3; /* payload length below 4 */
	gen_add(&s, V1, m, n);
	m[IKEV1_HDR_LEN + 2] = 0xff; /* past the end */
	gen_add(&s, V1, m, n);
	m[IKEV1_HDR_LEN + 2] = m[IKEV1_HDR_LEN + 3] = 0; /* zero */
	gen_add(&s, V1, m, n);
	n = mm1(m, cky_b, &branch_mm, IKEV1_AUTH_PSK, false);
	gen_add(&s, V1, m, n - 1); /* ISAKMP Length past the datagram */
	gen_add(&s, V1, m, am1(m, cky_b, &branch_mm, IKEV1_AUTH_PSK, "nobody.example.net"));
	gen_add(&s, V1_SPI, m, mm3(m, cky_a, &branch_mm, false));
	gen_save(&s, dir, "v1_lengths_retransmit");
}

void gen_ikev1_seeds(const char *dir)
{
	seeds_site(dir);
	seeds_info(dir);
	seeds_ra(dir);
	seeds_cross(dir);
	seeds_keys(dir);
	seeds_malformed(dir);
}
