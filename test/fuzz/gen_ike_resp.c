/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/gen_ike_resp.c - writes the seed corpus of fuzz_ike_resp (test/fuzz/corpus/ike_resp)
 * in that harness's input format (see the top of fuzz_ike_resp.c): up to 8 records of
 * flags (1 octet), length (2 octets, big-endian) and an IKE message, each message built with the
 * codec's writer (ctrlplane/ike/ike_msg.h) and, for IKE_SA_INIT, a real public value from
 * crypto/ike_dh.h. Messages the harness seals are written in clear (header, then the inner
 * payloads); their responder SPI, message ID and AUTH value are left for the harness to fill.
 *
 * The seeds walk the responder through every exchange (RFC 7296 1.2 to 1.4): IKE_SA_INIT with
 * each configured suite and an INVALID_KE_PAYLOAD case, IKE_AUTH with and without the right
 * key, over port 500 and 4500, IPv4 and IPv6, Child SA creation with PFS, Child SA and IKE SA
 * rekeys, deletes, liveness checks and retransmits; gen_ikev1_resp.c adds the IKEv1 seeds. The
 * committed corpus was made by this program; the public values differ at each run.
 *
 * Usage: gen_ike_resp DIR. Exit status 0, or 1 with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ike/ike_msg.h"
#include "fuzz_ike_resp.h"

#define MSG_MAX		     IKE_RESP_MSG_MAX
#define SEALED		     (IKE_RESP_F_SPI | IKE_RESP_F_MSGID | IKE_RESP_F_SEAL)

#define N_REKEY_SA	     16393 /* RFC 7296 3.10.1 */
#define N_INITIAL_CONTACT    16384
#define N_USE_TRANSPORT_MODE 16391
#define ESP_SPI_FIRST	     0xc0ffee01u
#define ESP_SPI_REKEY	     0xc0ffee02u
#define ESP_SPI_PFS	     0xc0ffee03u

/* The IKE_SA_INIT suites the seeds offer (the hub's config in fuzz_ike_resp.c takes each). */
enum suite { S_GCM_X25519, S_CBC_MODP2048, S_CHACHA_SHA512, S_INVALID_KE };

static const uint8_t spi_a[8] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
static const uint8_t spi_b[8] = {0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22};
static const uint8_t spi_c[8] = {0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33};

_Noreturn void gen_die(const char *what)
{
	fprintf(stderr, "gen_ike_resp: %s\n", what);
	exit(1);
}

void gen_add(struct ike_resp_seed *s, uint8_t flags, const uint8_t *msg, size_t len)
{
	if (s->n == IKE_RESP_DGRAMS_MAX || s->len + 3 + len > sizeof(s->buf))
		gen_die("seed too long");
	s->buf[s->len++] = flags;
	s->buf[s->len++] = (uint8_t)(len >> 8);
	s->buf[s->len++] = (uint8_t)len;
	memcpy(s->buf + s->len, msg, len);
	s->len += len;
	s->n++;
}

void gen_save(const struct ike_resp_seed *s, const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(s->buf, 1, s->len, f) != s->len || fclose(f) != 0)
		gen_die(path);
}

static void hdr(struct ike_hdr *h, const uint8_t spi_i[8], uint8_t exchange, uint32_t msg_id)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->spi_i, spi_i, 8);
	h->major = 2;
	h->exchange = exchange;
	h->flags = IKE_FLAG_I;
	h->msg_id = msg_id;
}

static size_t finish(struct ike_wr *w)
{
	size_t len = 0;
	if (ike_wr_finish(w, &len) != 0)
		gen_die("message does not fit");
	return len;
}

/* A fresh public value of group (RFC 7296 3.4) into ke; its length. */
size_t gen_public_value(uint16_t group, uint8_t *ke, size_t cap)
{
	struct ike_dh *dh = NULL;
	int n = ike_dh_new(group, &dh) == 0 ? ike_dh_public(dh, ke, cap) : -EIO;
	ike_dh_free(dh);
	if (n <= 0)
		gen_die("no public value");
	return (size_t)n;
}

static void nonce(struct ike_wr *w, uint8_t tag)
{
	uint8_t n[32];
	memset(n, tag, sizeof(n));
	ike_wr_nonce(w, n, sizeof(n));
}

/* The IKE proposal of suite s (3.3); its group. */
static uint16_t ike_prop(struct ike_wr *w, enum suite s, const uint8_t *spi, uint8_t spi_size)
{
	ike_wr_sa_begin(w);
	ike_wr_prop(w, 1, IKE_PROTO_IKE, spi, spi_size);
	if (s == S_CBC_MODP2048) {
		ike_wr_xform(w, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256);
		ike_wr_xform(w, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
		ike_wr_xform(w, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		ike_wr_xform(w, IKE_XF_KE, IKE_DH_MODP2048, 0);
	} else if (s == S_CHACHA_SHA512) {
		ike_wr_xform(w, IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
		ike_wr_xform(w, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0);
		ike_wr_xform(w, IKE_XF_KE, IKE_DH_CURVE25519, 0);
	} else {
		ike_wr_xform(w, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128);
		ike_wr_xform(w, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
		ike_wr_xform(w, IKE_XF_KE, IKE_DH_CURVE25519, 0);
		if (s == S_INVALID_KE)
			ike_wr_xform(w, IKE_XF_KE, IKE_DH_ECP256, 0);
	}
	ike_wr_sa_end(w);
	return s == S_CBC_MODP2048 ? IKE_DH_MODP2048 : IKE_DH_CURVE25519;
}

/*
 * IKE_SA_INIT request (1.2): SA, KE, Ni and, with natd, NAT detection hashes that match no
 * address (2.23), so that the hub sees a NAT. S_INVALID_KE sends an ECP-256 value while the
 * proposal's first group is Curve25519: the hub asks for that one (INVALID_KE_PAYLOAD).
 */
static size_t sa_init(uint8_t *out, const uint8_t spi_i[8], enum suite s, bool natd)
{
	uint8_t ke[IKE_DH_KE_MAX], h20[20];
	struct ike_hdr h;
	struct ike_wr w;
	hdr(&h, spi_i, IKE_EXCH_SA_INIT, 0);
	ike_wr_init(&w, out, MSG_MAX, &h);
	uint16_t g = ike_prop(&w, s, NULL, 0);
	if (s == S_INVALID_KE)
		g = IKE_DH_ECP256;
	size_t n = gen_public_value(g, ke, sizeof(ke));
	ike_wr_ke(&w, g, ke, n);
	nonce(&w, 0xa1);
	if (natd) {
		memset(h20, 0x5c, sizeof(h20));
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h20, sizeof(h20));
		ike_wr_notify(&w, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h20, sizeof(h20));
	}
	return finish(&w);
}

size_t gen_sa_init(uint8_t *out, const uint8_t spi_i[8])
{
	return sa_init(out, spi_i, S_GCM_X25519, false);
}

/* An ESP proposal (3.3): AES-GCM-128, or AES-CBC-256 with HMAC-SHA-256-128; group: PFS. */
static void esp_prop(struct ike_wr *w, uint32_t spi, bool cbc, uint16_t group)
{
	uint8_t s[4];
	ike_resp_put32(s, spi);
	ike_wr_sa_begin(w);
	ike_wr_prop(w, 1, IKE_PROTO_ESP, s, 4);
	if (cbc) {
		ike_wr_xform(w, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256);
		ike_wr_xform(w, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	} else {
		ike_wr_xform(w, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, group ? 256 : 128);
	}
	if (group)
		ike_wr_xform(w, IKE_XF_KE, group, 0);
	ike_wr_xform(w, IKE_XF_ESN, 0, 0);
	ike_wr_sa_end(w);
}

/* TSi and TSr (3.13): one range each, "start-end" text of one family. */
static void ts_pair(struct ike_wr *w, const char *i0, const char *i1, uint8_t proto, const char *r0,
		    const char *r1)
{
	uint8_t a[4][16];
	int af = strchr(i0, ':') != NULL ? AF_INET6 : AF_INET;
	uint8_t type = af == AF_INET ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	if (inet_pton(af, i0, a[0]) != 1 || inet_pton(af, i1, a[1]) != 1 ||
	    inet_pton(af, r0, a[2]) != 1 || inet_pton(af, r1, a[3]) != 1)
		gen_die("bad selector");
	struct ike_ts ti = {type, proto, 0, 65535, a[0], a[1]};
	struct ike_ts tr = {type, 0, 0, 65535, a[2], a[3]};
	ike_wr_ts(w, IKE_PL_TSI, &ti, 1);
	ike_wr_ts(w, IKE_PL_TSR, &tr, 1);
}

#define V4_ANY "0.0.0.0", "255.255.255.255"

/*
 * IKE_AUTH request in clear (1.2): IDi, AUTH (zeros, prf_len octets: the harness computes it),
 * SA, TSi, TSr and INITIAL_CONTACT, or the IPv6 transport-mode child of the road peer.
 */
static size_t auth(uint8_t *out, const uint8_t spi_i[8], size_t prf_len, bool cbc, bool road)
{
	static const uint8_t zeros[IKE_PRF_MAX];
	const char *id = road ? "road.example.net" : "spoke.example.net";
	struct ike_hdr h;
	struct ike_wr w;
	hdr(&h, spi_i, IKE_EXCH_AUTH, 1);
	ike_wr_init(&w, out, MSG_MAX, &h);
	ike_wr_id(&w, IKE_PL_IDI, IKE_ID_FQDN, (const uint8_t *)id, strlen(id));
	ike_wr_auth(&w, 2, zeros, prf_len); /* shared key MIC, 3.8 */
	esp_prop(&w, ESP_SPI_FIRST, cbc, 0);
	if (road) {
		ts_pair(&w, "fd00:60::", "fd00:60::ffff:ffff:ffff:ffff", 0,
			"fd00:10:1::", "fd00:10:1::ffff:ffff:ffff:ffff");
		ike_wr_notify(&w, 0, NULL, 0, N_USE_TRANSPORT_MODE, NULL, 0);
	} else {
		ts_pair(&w, V4_ANY, 0, V4_ANY);
		ike_wr_notify(&w, 0, NULL, 0, N_INITIAL_CONTACT, NULL, 0);
	}
	return finish(&w);
}

/* CREATE_CHILD_SA rekeying the first child (1.3.3): REKEY_SA, SA, Ni, TSi, TSr. */
static size_t rekey_child(uint8_t *out, uint32_t msg_id)
{
	uint8_t old[4];
	struct ike_hdr h;
	struct ike_wr w;
	ike_resp_put32(old, ESP_SPI_FIRST);
	hdr(&h, spi_a, IKE_EXCH_CREATE_CHILD_SA, msg_id);
	ike_wr_init(&w, out, MSG_MAX, &h);
	ike_wr_notify(&w, IKE_PROTO_ESP, old, 4, N_REKEY_SA, NULL, 0);
	esp_prop(&w, ESP_SPI_REKEY, false, 0);
	nonce(&w, 0xa2);
	ts_pair(&w, V4_ANY, 0, V4_ANY);
	return finish(&w);
}

/* CREATE_CHILD_SA for the IPv6 child, with PFS (1.3.1): SA with a group, Ni, KEi, TSi, TSr. */
static size_t pfs_child(uint8_t *out, uint32_t msg_id)
{
	uint8_t ke[IKE_DH_KE_MAX];
	struct ike_hdr h;
	struct ike_wr w;
	hdr(&h, spi_a, IKE_EXCH_CREATE_CHILD_SA, msg_id);
	ike_wr_init(&w, out, MSG_MAX, &h);
	esp_prop(&w, ESP_SPI_PFS, false, IKE_DH_CURVE25519);
	nonce(&w, 0xa3);
	ike_wr_ke(&w, IKE_DH_CURVE25519, ke, gen_public_value(IKE_DH_CURVE25519, ke, sizeof(ke)));
	ts_pair(&w, "fd00:50::", "fd00:50::ffff:ffff:ffff:ffff", 6,
		"fd00:10:1::", "fd00:10:1::ffff:ffff:ffff:ffff");
	return finish(&w);
}

/* CREATE_CHILD_SA rekeying the IKE SA (1.3.2): SA with the new SPI spi_b, Ni, KEi. */
static size_t rekey_ike(uint8_t *out, uint32_t msg_id)
{
	uint8_t ke[IKE_DH_KE_MAX];
	struct ike_hdr h;
	struct ike_wr w;
	hdr(&h, spi_a, IKE_EXCH_CREATE_CHILD_SA, msg_id);
	ike_wr_init(&w, out, MSG_MAX, &h);
	ike_prop(&w, S_GCM_X25519, spi_b, 8);
	nonce(&w, 0xa4);
	ike_wr_ke(&w, IKE_DH_CURVE25519, ke, gen_public_value(IKE_DH_CURVE25519, ke, sizeof(ke)));
	return finish(&w);
}

/* INFORMATIONAL (1.4): a Delete of proto (of the child with esp_spi for ESP), or empty (DPD). */
static size_t info_esp(uint8_t *out, const uint8_t spi_i[8], uint32_t msg_id, uint8_t proto,
		       uint32_t esp_spi)
{
	uint8_t spi[4];
	struct ike_hdr h;
	struct ike_wr w;
	ike_resp_put32(spi, esp_spi);
	hdr(&h, spi_i, IKE_EXCH_INFORMATIONAL, msg_id);
	ike_wr_init(&w, out, MSG_MAX, &h);
	if (proto == IKE_PROTO_ESP)
		ike_wr_delete(&w, IKE_PROTO_ESP, 4, spi, 1);
	else if (proto == IKE_PROTO_IKE)
		ike_wr_delete(&w, IKE_PROTO_IKE, 0, NULL, 0);
	return finish(&w);
}

static size_t info(uint8_t *out, const uint8_t spi_i[8], uint32_t msg_id, uint8_t proto)
{
	return info_esp(out, spi_i, msg_id, proto, ESP_SPI_FIRST);
}

/* The seeds that need only IKE_SA_INIT, one per suite, and a retransmit. */
static void seeds_init(const char *dir)
{
	static const struct {
		const char *name;
		enum suite s;
	} one[] = {
		{"init_gcm_x25519", S_GCM_X25519},
		{"init_cbc_modp2048", S_CBC_MODP2048},
		{"init_chacha_sha512", S_CHACHA_SHA512},
		{"init_invalid_ke", S_INVALID_KE},
	};
	static struct ike_resp_seed s;
	uint8_t m[MSG_MAX];
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		s = (struct ike_resp_seed){.len = 0};
		gen_add(&s, 0, m, sa_init(m, spi_a, one[i].s, false));
		gen_save(&s, dir, one[i].name);
	}
	s = (struct ike_resp_seed){.len = 0};
	size_t n = sa_init(m, spi_a, S_GCM_X25519, false);
	gen_add(&s, 0, m, n);
	gen_add(&s, 0, m, n); /* 2.1: the same request again */
	gen_save(&s, dir, "init_retransmit");
}

/* IKE_SA_INIT then IKE_AUTH: the suites, NAT-T on 4500, a wrong key, IPv6, a retransmit. */
static void seeds_auth(const char *dir)
{
	static struct ike_resp_seed s;
	uint8_t m[MSG_MAX], a[MSG_MAX];
	size_t na = auth(a, spi_a, 32, false, false);
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, a, na);
	gen_save(&s, dir, "auth_gcm");
	gen_add(&s, IKE_RESP_F_SPI | IKE_RESP_F_SEAL, a, na); /* message ID 1 again: 2.2 */
	gen_save(&s, dir, "auth_retransmit");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, true));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH | IKE_RESP_F_NATT, a, na);
	gen_save(&s, dir, "auth_natt_4500");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED, a, na); /* AUTH left zero: AUTHENTICATION_FAILED (2.21.2) */
	gen_save(&s, dir, "auth_wrong_psk");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_CBC_MODP2048, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, a, auth(a, spi_a, 32, true, false));
	gen_save(&s, dir, "auth_cbc");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_CHACHA_SHA512, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, a, auth(a, spi_a, 64, false, false));
	gen_save(&s, dir, "auth_chacha");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, IKE_RESP_F_V6, m, sa_init(m, spi_c, S_GCM_X25519, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH | IKE_RESP_F_V6, a, auth(a, spi_c, 32, false, true));
	gen_save(&s, dir, "auth_road_v6");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED, a, info(a, spi_a, 1, 0)); /* INFORMATIONAL before IKE_AUTH */
	gen_save(&s, dir, "info_half_open");
}

/* An IKE SA's life after IKE_AUTH: child rekey, delete, IKE rekey, delete, DPD, PFS child. */
static void seeds_life(const char *dir)
{
	static struct ike_resp_seed s;
	uint8_t m[MSG_MAX];
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, m, auth(m, spi_a, 32, false, false));
	gen_add(&s, SEALED, m, pfs_child(m, 2));
	gen_save(&s, dir, "child_pfs_v6");
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, m, auth(m, spi_a, 32, false, false));
	gen_add(&s, SEALED, m, rekey_child(m, 2));
	gen_add(&s, SEALED, m, info(m, spi_a, 3, IKE_PROTO_ESP));
	gen_add(&s, SEALED, m, rekey_ike(m, 4));
	gen_add(&s, SEALED, m, info(m, spi_a, 5, IKE_PROTO_IKE));
	size_t n = info(m, spi_b, 0, 0);
	gen_add(&s, SEALED, m, n);			     /* DPD on the new IKE SA */
	gen_add(&s, IKE_RESP_F_SPI | IKE_RESP_F_SEAL, m, n); /* and its retransmit */
	gen_save(&s, dir, "lifecycle");
	/* 2.8.1: after a rekey collision the peer deletes the child it made, then the old one */
	s = (struct ike_resp_seed){.len = 0};
	gen_add(&s, 0, m, sa_init(m, spi_a, S_GCM_X25519, false));
	gen_add(&s, SEALED | IKE_RESP_F_AUTH, m, auth(m, spi_a, 32, false, false));
	gen_add(&s, SEALED, m, rekey_child(m, 2));
	gen_add(&s, SEALED, m, info_esp(m, spi_a, 3, IKE_PROTO_ESP, ESP_SPI_REKEY));
	gen_add(&s, SEALED, m, info(m, spi_a, 4, IKE_PROTO_ESP));
	gen_save(&s, dir, "rekey_collision");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_ike_resp DIR\n");
		return 2;
	}
	seeds_init(argv[1]);
	seeds_auth(argv[1]);
	seeds_life(argv[1]);
	gen_ikev1_seeds(argv[1]);
	return 0;
}
