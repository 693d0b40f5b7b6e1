/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ike_resp.h - the input format of fuzz_ike_resp, shared with the program that
 * writes its seeds (gen_ike_resp.c, gen_ikev1_resp.c), and the helpers those files share.
 *
 * An input is up to IKE_RESP_DGRAMS_MAX records, each: flags (1 octet), length (2 octets,
 * big-endian; cut to what is left of the input) and that many octets of IKE message. The flags
 * say how the harness sends the message and what it fills in from the hub's state before
 * sending, so that inputs reach past IKE_SA_INIT (IKEv2) or past message 2 of Phase 1 (IKEv1)
 * although the hub picks its SPIs, cookies, nonces and keys at random (fuzz_ike_resp.c and
 * fuzz_ikev1_fill.c describe each).
 *
 * The transport flags (NATT, V6, SPORT) mean the same for both versions. With IKE_RESP_F_V1
 * the record is an ISAKMP message (RFC 2408) and the other four flags take their IKEv1 sense:
 * SPI fills CKY-R, MSGID the message ID of the exchange the hub started and waits on (XAUTH,
 * Mode Config push), AUTH fills the leading HASH payload (HASH_I in Phase 1, HASH(3) for the
 * third Quick Mode message, else prf(SKEYID_a, M-ID | the rest)) and SEAL encrypts the payload
 * chain with the IV the hub expects (RFC 2409 5.3, Appendix B).
 */
#ifndef VPNHUB_TEST_FUZZ_IKE_RESP_H
#define VPNHUB_TEST_FUZZ_IKE_RESP_H

#include <stddef.h>
#include <stdint.h>

#define IKE_RESP_DGRAMS_MAX 8

#define IKE_RESP_F_NATT	    0x01 /* to port 4500, behind the non-ESP marker (RFC 3948 2.2) */
#define IKE_RESP_F_V6	    0x02 /* from the IPv6 peer to the hub's IPv6 address */
#define IKE_RESP_F_SPI	    0x04 /* responder SPI := the hub's SPI of this initiator SPI */
#define IKE_RESP_F_MSGID    0x08 /* message ID := the next one that SA expects (2.3) */
#define IKE_RESP_F_SEAL	    0x10 /* the octets after the header are the inner payloads: seal them */
#define IKE_RESP_F_AUTH	    0x20 /* with SEAL: AUTH := what the peer's key gives (2.15) */
#define IKE_RESP_F_SPORT    0x40 /* from another source port (a NAT rebinding, 2.23) */
#define IKE_RESP_F_V1	    0x80 /* an IKEv1 record: the four flags above in their IKEv1 sense */

static inline uint32_t ike_resp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void ike_resp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * fuzz_ikev1_fill.c: a payload chain as far as its lengths hold, for the fill-in of both
 * versions (the generic payload header is the same: RFC 7296 3.2, RFC 2408 3.2): each
 * payload's type, body offset and body length, and where the last one ends.
 */
#define IKE_RESP_CHAIN_MAX 48

struct ike_resp_chain {
	struct {
		uint8_t type;
		size_t at, len;
	} pl[IKE_RESP_CHAIN_MAX];
	unsigned int n;
	size_t end;
};

/* The payloads of c[0..n), the first of type first. */
void ike_resp_walk(uint8_t first, const uint8_t *c, size_t n, struct ike_resp_chain *ch);
/* The index of the first payload of type in ch, or ch->n. */
unsigned int ike_resp_find(const struct ike_resp_chain *ch, uint8_t type);

/* fuzz_ikev1_fill.c: an IKEv1 record's fill-in from sa (the ISAKMP SA of its CKY-I); the new
 * length of msg, at most cap. */
struct ike_sa;
size_t fuzz_ikev1_fill(struct ike_sa *sa, uint8_t flags, uint8_t *msg, size_t len, size_t cap);

/* gen_ike_resp.c: a seed file being assembled, for gen_ikev1_resp.c too */
#define IKE_RESP_MSG_MAX  2048
#define IKE_RESP_SEED_MAX (IKE_RESP_DGRAMS_MAX * (3 + IKE_RESP_MSG_MAX))

struct ike_resp_seed {
	uint8_t buf[IKE_RESP_SEED_MAX];
	size_t len;
	unsigned int n;
};

_Noreturn void gen_die(const char *what);
void gen_add(struct ike_resp_seed *s, uint8_t flags, const uint8_t *msg, size_t len);
void gen_save(const struct ike_resp_seed *s, const char *dir, const char *name);
/* A fresh public value of group into ke; its length. */
size_t gen_public_value(uint16_t group, uint8_t *ke, size_t cap);
/* An IKE_SA_INIT request (AES-GCM, Curve25519) of initiator SPI spi_i into out; its length. */
size_t gen_sa_init(uint8_t *out, const uint8_t spi_i[8]);
/* gen_ikev1_resp.c: the IKEv1 seeds. */
void gen_ikev1_seeds(const char *dir);

#endif
