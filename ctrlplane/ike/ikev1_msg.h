/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_msg.h - the IKEv1 message codec: ISAKMP (RFC 2408 section 3) with the
 * IPsec DOI (RFC 2407 4.6), IKE's exchanges (RFC 2409), NAT traversal (RFC 3947) and the
 * attribute payload of Mode Config and XAUTH (draft-dukes-ike-mode-cfg-02 3.2).
 *
 * Parser invariants, as for IKEv2's codec (ike_msg.h):
 * - Every length is distrusted: the ISAKMP Length, each Payload Length, the Proposal and
 *   Transform payloads nested in an SA (with their own Next Payload and length), SPI sizes,
 *   attribute lengths (TV or TLV, RFC 2408 3.3), counts. Each failure has its reason in
 *   IKEV1_MSG_ERRORS, which gives the enum, the counter name and the description.
 * - It does not allocate; the struct has bounded arrays and points into the caller's buffer.
 * - It decides structure, not policy: the exchanges refuse what they do not want.
 * - The Encryption bit (E) of the header hides every payload: ikev1_msg_parse then records
 *   where the ciphertext is (m->enc, m->enc_len) and parses nothing more; once the exchange has
 *   decrypted it, ikev1_msg_parse_plain reads the payload chain of the plaintext, whose last
 *   payload (Next Payload 0) may be followed by the cipher's padding (RFC 2409 5.3).
 * - Unknown payload types (ISAKMP has no critical bit) are recorded and skipped.
 *
 * Builder: struct ikev1_wr writes into the caller's buffer, never past cap; the first write that
 * does not fit leaves -ENOBUFS, after which every call returns it. Next Payload fields and the
 * lengths of payloads, proposals, transforms and the message are back-patched.
 *
 * Threads: any; no state outside the structures passed in.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKEV1_MSG_H
#define VPNHUB_CTRLPLANE_IKE_IKEV1_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKEV1_HDR_LEN	       28   /* RFC 2408 3.1 */
#define IKEV1_PL_HDR_LEN       4    /* generic payload header, 3.2 */
#define IKEV1_VERSION	       0x10 /* major 1, minor 0 */
#define IKEV1_DOI_IPSEC	       1    /* RFC 2407 4.2 */
#define IKEV1_MSG_PAYLOADS_MAX 32
#define IKEV1_MSG_PROPS_MAX    16
#define IKEV1_MSG_XFORMS_MAX   64
#define IKEV1_MSG_ATTRS_MAX    256
#define IKEV1_SPI_MAX	       16 /* an ISAKMP SA's SPI is its two cookies */

/* Header flags, 3.1 */
#define IKEV1_FLAG_E 0x01 /* payloads encrypted */
#define IKEV1_FLAG_C 0x02 /* commit */
#define IKEV1_FLAG_A 0x04 /* authentication only */

/* Exchange types: RFC 2408 3.1, RFC 2409 5 (Quick Mode, New Group), Mode Config's 6 */
enum ikev1_exchange {
	IKEV1_EXCH_BASE = 1,
	IKEV1_EXCH_MAIN = 2, /* Identity Protection */
	IKEV1_EXCH_AUTH_ONLY = 3,
	IKEV1_EXCH_AGGRESSIVE = 4,
	IKEV1_EXCH_INFO = 5,
	IKEV1_EXCH_TRANSACTION = 6, /* Mode Config and XAUTH */
	IKEV1_EXCH_QUICK = 32,
	IKEV1_EXCH_NEW_GROUP = 33,
};

/* Payload types: RFC 2408 3.1, Mode Config's attribute payload, RFC 3947 */
enum ikev1_pl_type {
	IKEV1_PL_NONE = 0,
	IKEV1_PL_SA = 1,
	IKEV1_PL_P = 2, /* proposal: only inside an SA */
	IKEV1_PL_T = 3, /* transform: only inside a proposal */
	IKEV1_PL_KE = 4,
	IKEV1_PL_ID = 5,
	IKEV1_PL_CERT = 6,
	IKEV1_PL_CR = 7,
	IKEV1_PL_HASH = 8,
	IKEV1_PL_SIG = 9,
	IKEV1_PL_NONCE = 10,
	IKEV1_PL_N = 11,
	IKEV1_PL_D = 12,
	IKEV1_PL_VID = 13,
	IKEV1_PL_ATTR = 14,
	IKEV1_PL_NAT_D = 20,
	IKEV1_PL_NAT_OA = 21,
	IKEV1_PL_NAT_D_DRAFT = 130, /* draft-ietf-ipsec-nat-t-ike-02/03, still sent */
	IKEV1_PL_NAT_OA_DRAFT = 131,
};

/* Protocol IDs, RFC 2407 4.4.1 */
enum ikev1_proto { IKEV1_PROTO_ISAKMP = 1, IKEV1_PROTO_AH = 2, IKEV1_PROTO_ESP = 3 };

/* One data attribute (RFC 2408 3.3): TV (AF set, 16-bit value) or TLV (value of len octets). */
struct ikev1_attr {
	uint16_t type; /* without the AF bit */
	bool tv;
	uint16_t len;	      /* TLV: octets at value; TV: 2 */
	uint32_t val;	      /* TV, or a TLV of 1..4 octets, as a number */
	const uint8_t *value; /* TLV: the octets; TV: NULL */
};

struct ikev1_xform {
	uint8_t num;
	uint8_t id;
	uint16_t first_attr; /* index into ikev1_msg.attrs */
	uint16_t n_attrs;
};

struct ikev1_prop {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t n_xforms;
	uint16_t first_xform; /* index into ikev1_msg.xforms */
	const uint8_t *spi;
};

struct ikev1_payload {
	uint8_t type;
	uint8_t next;
	bool known;
	const uint8_t *body; /* after the generic header */
	uint16_t len;	     /* body length */
	uint32_t off;	     /* of the generic header, in the buffer it came from */
	union {
		struct { /* SA: DOI, situation, its proposals */
			uint32_t doi, situation;
			uint16_t first_prop;
			uint8_t n_props;
		} sa;
		struct { /* N (3.14) */
			uint32_t doi;
			uint8_t proto, spi_size;
			uint16_t type;
			const uint8_t *spi, *data;
			uint16_t data_len;
		} n;
		struct { /* D (3.15) */
			uint32_t doi;
			uint8_t proto, spi_size;
			uint16_t n_spi;
			const uint8_t *spis;
		} d;
		struct { /* ID (RFC 2407 4.6.2) */
			uint8_t type, proto;
			uint16_t port;
			const uint8_t *data;
			uint16_t data_len;
		} id;
		struct {	      /* ATTR (Mode Config 3.2) */
			uint8_t type; /* request 1, reply 2, set 3, ack 4 */
			uint16_t identifier;
			uint16_t first_attr, n_attrs;
		} attr;
	} u;
};

#define IKEV1_MSG_ERRORS(X)                                                                       \
	X(NONE, "ok", "parsed")                                                                   \
	X(HDR_SHORT, "ikev1_hdr_short", "datagram shorter than the ISAKMP header (RFC 2408 3.1)") \
	X(HDR_VERSION, "ikev1_hdr_version", "major version other than 1 (3.1)")                   \
	X(HDR_LENGTH, "ikev1_hdr_length", "ISAKMP Length differs from the datagram's")            \
	X(HDR_COOKIE, "ikev1_hdr_cookie", "initiator cookie zero (3.1)")                          \
	X(HDR_EXCHANGE, "ikev1_hdr_exchange", "exchange type none of IKEv1's (3.1, RFC 2409)")    \
	X(PL_SHORT, "ikev1_pl_short", "payload header or body past the end of the message")       \
	X(PL_LENGTH, "ikev1_pl_length", "Payload Length below 4 or beyond the message (3.2)")     \
	X(PL_TOO_MANY, "ikev1_pl_too_many", "more payloads than the codec holds")                 \
	X(PL_NESTED, "ikev1_pl_nested", "a proposal or transform payload outside an SA")          \
	X(SA_SHORT, "ikev1_sa_short", "SA payload too short for DOI and situation (3.4)")         \
	X(SA_DOI, "ikev1_sa_doi", "SA payload of a DOI other than IPsec (RFC 2407 4.2)")          \
	X(PROP_LENGTH, "ikev1_prop_length", "proposal length wrong or past its SA (3.5)")         \
	X(PROP_SPI, "ikev1_prop_spi", "proposal SPI larger than the proposal or than 16 octets")  \
	X(PROP_COUNT, "ikev1_prop_count", "proposal transform count differs from its transforms") \
	X(PROP_NEXT, "ikev1_prop_next", "a payload other than a proposal inside an SA")           \
	X(PROP_TOO_MANY, "ikev1_prop_too_many", "more proposals than the codec holds")            \
	X(XF_LENGTH, "ikev1_xf_length", "transform length wrong or past its proposal (3.6)")      \
	X(XF_NEXT, "ikev1_xf_next", "a payload other than a transform inside a proposal")         \
	X(XF_TOO_MANY, "ikev1_xf_too_many", "more transforms than the codec holds")               \
	X(ATTR_SHORT, "ikev1_attr_short", "data attribute past the end of its payload (3.3)")     \
	X(ATTR_TOO_MANY, "ikev1_attr_too_many", "more data attributes than the codec holds")      \
	X(N_SHORT, "ikev1_n_short", "notification shorter than its fields and SPI (3.14)")        \
	X(D_SHORT, "ikev1_d_short", "delete shorter than its SPIs (3.15)")                        \
	X(ID_SHORT, "ikev1_id_short", "identification shorter than its fields (RFC 2407 4.6.2)")  \
	X(ATTRPL_SHORT, "ikev1_attrpl_short", "attribute payload shorter than its fields")        \
	X(ENC_EMPTY, "ikev1_enc_empty", "Encryption bit set and nothing to decrypt")

#define IKEV1_MSG_ERR_ENUM(e, n, d) IKEV1_MSG_ERR_##e,
enum ikev1_msg_err { IKEV1_MSG_ERRORS(IKEV1_MSG_ERR_ENUM) IKEV1_MSG_ERR_MAX };
#undef IKEV1_MSG_ERR_ENUM

extern const char *const ikev1_msg_err_name[IKEV1_MSG_ERR_MAX];

struct ikev1_hdr {
	uint8_t cky_i[8], cky_r[8];
	uint8_t next;
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

struct ikev1_msg {
	struct ikev1_hdr hdr;
	const uint8_t *buf;
	size_t len;
	const uint8_t *enc; /* E set: the ciphertext after the header */
	size_t enc_len;
	uint16_t n;
	uint16_t skipped; /* unknown payload types */
	uint8_t n_props;
	uint8_t n_xforms;
	uint16_t n_attrs;
	uint16_t err; /* enum ikev1_msg_err */
	uint32_t err_off;
	struct ikev1_payload pl[IKEV1_MSG_PAYLOADS_MAX];
	struct ikev1_prop props[IKEV1_MSG_PROPS_MAX];
	struct ikev1_xform xforms[IKEV1_MSG_XFORMS_MAX];
	struct ikev1_attr attrs[IKEV1_MSG_ATTRS_MAX];
};

/* Parse buf[0..len) into *m (see above for E). 0, or -EBADMSG with m->err and m->err_off. */
int ikev1_msg_parse(struct ikev1_msg *m, const uint8_t *buf, size_t len);
/*
 * The payload chain of decrypted plain[0..len), first payload type first (the header's Next
 * Payload), appended to *m. Octets after the last payload are the cipher's padding. 0 or
 * -EBADMSG as above; offsets are relative to plain.
 */
int ikev1_msg_parse_plain(struct ikev1_msg *m, uint8_t first, const uint8_t *plain, size_t len);
/* The first payload of type after prev (NULL: from the start), or NULL. */
const struct ikev1_payload *ikev1_msg_find(const struct ikev1_msg *m, uint8_t type,
					   const struct ikev1_payload *prev);
/* The attribute of type among the n at first, or NULL. */
const struct ikev1_attr *ikev1_attr_find(const struct ikev1_msg *m, uint16_t first, uint16_t n,
					 uint16_t type);

/* ---- builder ---- */

struct ikev1_wr {
	uint8_t *buf;
	size_t cap, len;
	int err;
	size_t next_at;	 /* offset of the Next Payload octet to patch for the next payload */
	size_t pl_start; /* open payload's header, or SIZE_MAX */
	size_t sa_start, prop_start, xf_start; /* open SA, proposal, transform, or SIZE_MAX */
	size_t prop_next_at, xf_next_at;       /* their Next Payload octets */
	size_t xf_count_at;		       /* the open proposal's transform count */
	uint8_t n_xf;
	bool has_hdr; /* an ISAKMP header at buf: its Length is patched */
};

/* Start a message with header h (length patched by finish); plain: a payload chain only. */
int ikev1_wr_init(struct ikev1_wr *w, uint8_t *buf, size_t cap, const struct ikev1_hdr *h);
int ikev1_wr_init_plain(struct ikev1_wr *w, uint8_t *buf, size_t cap);
int ikev1_wr_payload(struct ikev1_wr *w, uint8_t type, const void *body, size_t len);
int ikev1_wr_begin(struct ikev1_wr *w, uint8_t type);
int ikev1_wr_put(struct ikev1_wr *w, const void *p, size_t n);
int ikev1_wr_end(struct ikev1_wr *w);
/* SA (DOI IPsec, SIT_IDENTITY_ONLY), its proposals and transforms, and their attributes. */
int ikev1_wr_sa_begin(struct ikev1_wr *w);
int ikev1_wr_prop(struct ikev1_wr *w, uint8_t num, uint8_t proto, const uint8_t *spi,
		  uint8_t spi_size);
int ikev1_wr_xform(struct ikev1_wr *w, uint8_t num, uint8_t id);
/* A TV attribute when value fits 16 bits and tlv is false, else a TLV of len octets. */
int ikev1_wr_attr_tv(struct ikev1_wr *w, uint16_t type, uint16_t value);
int ikev1_wr_attr_tlv(struct ikev1_wr *w, uint16_t type, const void *value, uint16_t len);
int ikev1_wr_sa_end(struct ikev1_wr *w);
int ikev1_wr_notify(struct ikev1_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		    uint16_t type, const void *data, size_t len);
int ikev1_wr_delete(struct ikev1_wr *w, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		    uint16_t n);
int ikev1_wr_id(struct ikev1_wr *w, uint8_t type, uint8_t proto, uint16_t port, const void *data,
		size_t len);
/* The message's (or chain's) length into *len, the header's Length patched. */
int ikev1_wr_finish(struct ikev1_wr *w, size_t *len);

#endif
