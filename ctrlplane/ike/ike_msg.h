/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_msg.h - the IKEv2 message codec (RFC 7296 section 3, RFC 7383 2.5):
 * a parser from a datagram into struct ike_msg, and a builder that writes messages through a
 * length-checked cursor.
 *
 * Parser invariants:
 * - It reads nothing before checking that it is there: every length in the message (IKE
 *   Length, Payload Length, Proposal and Transform Length, attribute lengths, SPI sizes,
 *   selector lengths, counts) is distrusted and has its own reason in IKE_MSG_ERRORS, which
 *   gives the enum, the counter name and the description from one line each.
 * - It does not allocate: struct ike_msg has bounded arrays, and every pointer in it points into
 *   the caller's buffer (the datagram, or the decrypted inner payloads), which must outlive it.
 * - It decides structure, not policy: a message that parses may still carry a proposal nobody
 *   implements, a KE of the wrong size for its group or a payload the exchange does not allow.
 *   Those are the exchanges' (and crypto/ike_dh.c's) to refuse.
 * - Unknown payload types are recorded (known = 0), counted in skipped and otherwise ignored;
 *   with the critical bit set the message is refused with PL_CRITICAL and m->err_type says
 *   which type, for the UNSUPPORTED_CRITICAL_PAYLOAD notification (RFC 7296 2.5). Reserved
 *   bits and fields are ignored (3.1, 3.2).
 * - An Encrypted (SK, 3.14) or Encrypted Fragment (SKF, RFC 7383 2.5) payload must end the
 *   message; its Next Payload names the first inner payload (m->sk_next). The inner payloads
 *   are parsed by a second call, ike_msg_parse_inner, on the decrypted bytes; they are appended
 *   to the same payload table with inner = 1, and may not contain SK or SKF themselves.
 *
 * Builder invariants: struct ike_wr writes into the caller's buffer and never past cap; once a
 * write would not fit, the writer keeps the error (-ENOBUFS), writes nothing more and every call
 * returns it. Next Payload fields and the lengths of payloads, proposals, transforms and the
 * message are back-patched, so payloads are written in order without knowing their sizes.
 *
 * Threads: any thread; no state outside the structures passed in. vpnhub uses it on the
 * control lcore.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_MSG_H
#define VPNHUB_CTRLPLANE_IKE_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_HDR_LEN	      28 /* RFC 7296 3.1 */
#define IKE_PL_HDR_LEN	      4	 /* generic payload header, 3.2 */
#define IKE_VERSION_2	      0x20
#define IKE_MSG_PAYLOADS_MAX  48
#define IKE_MSG_PROPS_MAX     32
#define IKE_MSG_XFORMS_MAX    128
#define IKE_MSG_TS_MAX	      32
#define IKE_MSG_CP_ATTRS_MAX  32
#define IKE_NONCE_LEN_MIN     16 /* 3.9 */
#define IKE_NONCE_LEN_MAX     256
#define IKE_CERTREQ_HASH_LEN  20    /* SHA-1 of a CA's public key, 3.7 */
#define IKE_PORT_OPAQUE_START 65535 /* start > end only as OPAQUE ports, 3.13.1 */
#define IKE_PORT_OPAQUE_END   0

/* Header flags, 3.1 */
#define IKE_FLAG_I 0x08 /* sent by the original initiator */
#define IKE_FLAG_V 0x10 /* higher version supported */
#define IKE_FLAG_R 0x20 /* response */

/* Exchange types, 3.1 */
enum ike_exchange {
	IKE_EXCH_SA_INIT = 34,
	IKE_EXCH_AUTH = 35,
	IKE_EXCH_CREATE_CHILD_SA = 36,
	IKE_EXCH_INFORMATIONAL = 37,
};

/* Payload types, 3.2 and RFC 7383 2.5 */
enum ike_pl_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40,
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_SKF = 53,
};

/* Protocol IDs, 3.3.1 */
enum ike_proto { IKE_PROTO_IKE = 1, IKE_PROTO_AH = 2, IKE_PROTO_ESP = 3 };

/* Transform types, 3.3.2 */
enum ike_xf_type {
	IKE_XF_ENCR = 1,
	IKE_XF_PRF = 2,
	IKE_XF_INTEG = 3,
	IKE_XF_KE = 4, /* Diffie-Hellman group */
	IKE_XF_ESN = 5,
};

#define IKE_ATTR_KEY_LENGTH 14 /* the one transform attribute of IKEv2, 3.3.5 */

/* ID types, 3.5 */
enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
};

#define IKE_CERT_X509_SIG 4 /* certificate encoding, 3.6 */

/* Traffic selector types, 3.13.1 */
enum ike_ts_type { IKE_TS_IPV4_ADDR_RANGE = 7, IKE_TS_IPV6_ADDR_RANGE = 8 };

/* Configuration payload types, 3.15 */
enum ike_cfg_type { IKE_CFG_REQUEST = 1, IKE_CFG_REPLY = 2, IKE_CFG_SET = 3, IKE_CFG_ACK = 4 };

/* A few Notify Message Types (3.10.1) the codec's users answer with. */
enum ike_notify_type {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_FRAGMENTATION_SUPPORTED = 16430, /* RFC 7383 2.3 */
};

/* X(suffix, counter name, description) */
#define IKE_MSG_ERRORS(X)                                                                          \
	X(HDR_SHORT, "ike_hdr_short", "datagram shorter than the IKE header (3.1)")                \
	X(HDR_V1, "ike_hdr_ikev1", "IKEv1 message (major version 1) given to the IKEv2 parser")    \
	X(HDR_VERSION, "ike_hdr_version", "major version other than 2 (3.1)")                      \
	X(HDR_LENGTH, "ike_hdr_length", "IKE header Length differs from the datagram's")           \
	X(HDR_EXCHANGE, "ike_hdr_exchange", "exchange type not one of IKEv2's (3.1)")              \
	X(HDR_SPI_I_ZERO, "ike_hdr_spi_i_zero", "initiator SPI zero (3.1)")                        \
	X(HDR_SPI_R_ZERO, "ike_hdr_spi_r_zero", "responder SPI zero after IKE_SA_INIT (3.1)")      \
	X(HDR_MSGID, "ike_hdr_msgid", "IKE_SA_INIT with a message ID other than 0 (2.2)")          \
	X(PL_HDR_SHORT, "ike_pl_hdr_short", "fewer than 4 octets left for a payload header (3.2)") \
	X(PL_LEN_SHORT, "ike_pl_len_short", "Payload Length below the 4-octet header (3.2)")       \
	X(PL_PAST_END, "ike_pl_past_end", "Payload Length past the end of the message")            \
	X(PL_TRAILING, "ike_pl_trailing", "octets after the last payload of the chain")            \
	X(PL_TOO_MANY, "ike_pl_too_many", "more payloads than the parser holds")                   \
	X(PL_CRITICAL, "ike_pl_critical", "unknown payload with the critical bit set (2.5)")       \
	X(SA_EMPTY, "ike_sa_empty", "SA payload without proposals (3.3)")                          \
	X(SA_PROP_SHORT, "ike_sa_prop_short", "fewer than 8 octets left for a proposal (3.3.1)")   \
	X(SA_PROP_LEN, "ike_sa_prop_len", "Proposal Length short of its SPI or past the SA")       \
	X(SA_PROP_LAST, "ike_sa_prop_last", "proposal Last Substruc not 0/2 or not as it follows") \
	X(SA_PROP_NUM, "ike_sa_prop_num", "proposal numbers not 1, 2, 3, ... (3.3.1)")             \
	X(SA_PROTO, "ike_sa_proto", "proposal protocol not IKE, AH or ESP (3.3.1)")                \
	X(SA_SPI_SIZE, "ike_sa_spi_size", "SPI Size wrong for the protocol (3.3.1)")               \
	X(SA_NO_XFORM, "ike_sa_no_xform", "proposal with no transforms (3.3.1)")                   \
	X(SA_XF_COUNT, "ike_sa_xf_count", "transforms differ from the proposal's count")           \
	X(SA_TOO_MANY_PROPS, "ike_sa_too_many_props", "more proposals than the parser holds")      \
	X(SA_TOO_MANY_XFORMS, "ike_sa_too_many_xforms", "more transforms than the parser holds")   \
	X(XF_SHORT, "ike_xf_short", "fewer than 8 octets left for a transform (3.3.2)")            \
	X(XF_LEN, "ike_xf_len", "Transform Length below 8 or past the proposal")                   \
	X(XF_LAST, "ike_xf_last", "transform Last Substruc not 0/3 or not as it follows")          \
	X(ATTR_SHORT, "ike_attr_short", "fewer than 4 octets left for an attribute (3.3.5)")       \
	X(ATTR_LEN, "ike_attr_len", "attribute length past the transform")                         \
	X(ATTR_FORMAT, "ike_attr_format", "Key Length attribute not in TV format (3.3.5)")         \
	X(ATTR_DUP, "ike_attr_dup", "Key Length attribute twice in one transform")                 \
	X(KE_SHORT, "ike_ke_short", "KE payload shorter than its 4-octet header (3.4)")            \
	X(KE_EMPTY, "ike_ke_empty", "KE payload without key exchange data (3.4)")                  \
	X(ID_SHORT, "ike_id_short", "ID payload shorter than its 4-octet header (3.5)")            \
	X(ID_EMPTY, "ike_id_empty", "ID payload without identification data (3.5)")                \
	X(ID_ADDR_LEN, "ike_id_addr_len", "ID_IPV4_ADDR not 4 or ID_IPV6_ADDR not 16 octets")      \
	X(CERT_SHORT, "ike_cert_short", "CERT payload without encoding or data (3.6)")             \
	X(CERTREQ_SHORT, "ike_certreq_short", "CERTREQ payload without its encoding (3.7)")        \
	X(CERTREQ_LEN, "ike_certreq_len", "X.509 CERTREQ data not whole 20-octet hashes (3.7)")    \
	X(AUTH_SHORT, "ike_auth_short", "AUTH payload without method or data (3.8)")               \
	X(NONCE_LEN, "ike_nonce_len", "nonce shorter than 16 or longer than 256 octets (3.9)")     \
	X(N_SHORT, "ike_notify_short", "Notify payload shorter than its 4-octet header (3.10)")    \
	X(N_SPI_LEN, "ike_notify_spi_len", "Notify SPI Size past the payload (3.10)")              \
	X(D_SHORT, "ike_delete_short", "Delete payload shorter than its 4-octet header (3.11)")    \
	X(D_PROTO, "ike_delete_proto", "Delete protocol not IKE, AH or ESP (3.11)")                \
	X(D_SPI_SIZE, "ike_delete_spi_size", "Delete SPI Size wrong for the protocol (3.11)")      \
	X(D_COUNT, "ike_delete_count", "Delete of IKE with SPIs, or of AH/ESP without (3.11)")     \
	X(D_LEN, "ike_delete_len", "Delete SPIs do not fill the payload exactly (3.11)")           \
	X(TS_SHORT, "ike_ts_short", "TS payload shorter than its 4-octet header (3.13)")           \
	X(TS_COUNT_ZERO, "ike_ts_count_zero", "TS payload with a count of 0 (3.13)")               \
	X(TS_TOO_MANY, "ike_ts_too_many", "more traffic selectors than the parser holds")          \
	X(TS_HDR_SHORT, "ike_ts_hdr_short", "fewer than 8 octets left for a selector (3.13.1)")    \
	X(TS_PAST_END, "ike_ts_past_end", "Selector Length past the payload")                      \
	X(TS_TYPE, "ike_ts_type", "selector type not IPv4 or IPv6 address range (3.13.1)")         \
	X(TS_LEN, "ike_ts_len", "Selector Length not 16 (IPv4) or 40 (IPv6) (3.13.1)")             \
	X(TS_ADDR_RANGE, "ike_ts_addr_range", "selector start address above its end address")      \
	X(TS_PORT_RANGE, "ike_ts_port_range", "selector start port above its end port (3.13.1)")   \
	X(TS_TRAILING, "ike_ts_trailing", "octets after the counted selectors")                    \
	X(SK_NOT_LAST, "ike_sk_not_last", "Encrypted payload not the last one (3.14)")             \
	X(SK_NESTED, "ike_sk_nested", "Encrypted payload inside an Encrypted payload (3.14)")      \
	X(SKF_SHORT, "ike_skf_short", "Encrypted Fragment payload shorter than its fields")        \
	X(SKF_NUMBER_ZERO, "ike_skf_number_zero", "fragment number 0 (RFC 7383 2.5)")              \
	X(SKF_NUMBER_TOTAL, "ike_skf_number_total", "fragment number above the total (RFC 7383)")  \
	X(SKF_NEXT, "ike_skf_next", "Next Payload set in a fragment after the first (RFC 7383)")   \
	X(CP_SHORT, "ike_cp_short", "CP payload shorter than its 4-octet header (3.15)")           \
	X(CP_TYPE, "ike_cp_type", "CFG Type not request, reply, set or ack (3.15)")                \
	X(CP_ATTR_SHORT, "ike_cp_attr_short", "fewer than 4 octets left for a CP attribute")       \
	X(CP_ATTR_LEN, "ike_cp_attr_len", "CP attribute length past the payload (3.15.1)")         \
	X(CP_TOO_MANY, "ike_cp_too_many", "more CP attributes than the parser holds")              \
	X(EAP_SHORT, "ike_eap_short", "EAP payload shorter than an EAP header (3.16)")             \
	X(EAP_LEN, "ike_eap_len", "EAP Length differs from the payload (RFC 3748 4)")

#define IKE_MSG_ENUM(s, n, d) IKE_MSG_ERR_##s,
enum ike_msg_err { IKE_MSG_ERR_NONE, IKE_MSG_ERRORS(IKE_MSG_ENUM) IKE_MSG_ERR_MAX };
#undef IKE_MSG_ENUM

/* Indexed by enum ike_msg_err; [IKE_MSG_ERR_NONE] is "ok". */
extern const char *const ike_msg_err_name[IKE_MSG_ERR_MAX];
extern const char *const ike_msg_err_desc[IKE_MSG_ERR_MAX];

struct ike_hdr {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	uint8_t next; /* first payload */
	uint8_t major;
	uint8_t minor;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msg_id;
	uint32_t length;
};

struct ike_xform {
	uint8_t type;
	uint8_t has_key_len;
	uint8_t unknown_attrs; /* attributes other than Key Length (saturates at 255) */
	uint16_t id;
	uint16_t key_len; /* bits, when has_key_len */
};

struct ike_prop {
	uint8_t num;
	uint8_t proto;
	uint8_t spi_size;
	uint8_t n_xforms;
	uint16_t first_xform; /* index into ike_msg.xforms */
	const uint8_t *spi;
};

/* A traffic selector (3.13.1); start and end point at 4 or 16 octets. */
struct ike_ts {
	uint8_t type;
	uint8_t ip_proto;
	uint16_t start_port;
	uint16_t end_port;
	const uint8_t *start;
	const uint8_t *end;
};

/* A configuration attribute (3.15.1). */
struct ike_cp_attr {
	uint16_t type;
	uint16_t len;
	const uint8_t *value;
};

struct ike_payload {
	const uint8_t *body; /* after the generic header */
	uint32_t off;	     /* of the generic header, in the buffer it came from */
	uint16_t len;	     /* body length: Payload Length - 4 */
	uint8_t type;
	uint8_t next;
	uint8_t critical;
	uint8_t known;
	uint8_t inner; /* from ike_msg_parse_inner */
	union {
		struct {
			uint8_t n_props;
			uint8_t first_prop;
		} sa;
		struct {
			uint16_t group;
			uint16_t len;
			const uint8_t *data;
		} ke;
		struct {
			uint8_t type; /* ID type, CERT encoding or AUTH method */
			uint16_t len;
			const uint8_t *data;
		} typed; /* IDi, IDr, CERT, CERTREQ, AUTH */
		struct {
			uint8_t proto;
			uint8_t spi_size;
			uint16_t type;
			uint16_t len;
			const uint8_t *spi;
			const uint8_t *data;
		} notify;
		struct {
			uint8_t proto;
			uint8_t spi_size;
			uint16_t n_spi;
			const uint8_t *spis;
		} del;
		struct {
			uint8_t n_ts;
			uint8_t first_ts;
		} ts;
		struct {
			uint16_t number; /* SKF only; 0 for SK */
			uint16_t total;
			uint16_t len; /* IV, ciphertext and ICV */
			const uint8_t *data;
		} sk;
		struct {
			uint8_t type;
			uint8_t n_attrs;
			uint8_t first_attr;
		} cp;
		struct {
			uint8_t code;
			uint8_t id;
		} eap;
	} u;
};

struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *buf; /* the datagram */
	size_t len;
	uint16_t n;	  /* payloads in pl[] */
	uint16_t n_outer; /* of which in the datagram's own chain */
	int16_t sk;	  /* index of the SK or SKF payload, -1 if none */
	uint8_t sk_next;  /* its Next Payload: the first inner payload */
	uint16_t skipped; /* unknown payloads without the critical bit */
	uint8_t n_props;
	uint8_t n_ts;
	uint8_t n_cp;
	uint16_t n_xforms;
	/* why parsing failed (IKE_MSG_ERR_NONE if it did not), where, and in which payload type */
	uint16_t err;
	uint8_t err_type;
	uint32_t err_off;
	struct ike_payload pl[IKE_MSG_PAYLOADS_MAX];
	struct ike_prop props[IKE_MSG_PROPS_MAX];
	struct ike_xform xforms[IKE_MSG_XFORMS_MAX];
	struct ike_ts ts[IKE_MSG_TS_MAX];
	struct ike_cp_attr cp[IKE_MSG_CP_ATTRS_MAX];
};

/*
 * Parse the datagram buf[0..len) into *m: header, then the payload chain. 0, or -EBADMSG with
 * m->err, m->err_off and m->err_type set (for PL_CRITICAL, err_type is the unknown type).
 */
int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len);

/*
 * Parse decrypted inner payloads plain[0..len) whose first type is first (the SK payload's
 * Next Payload, or the first fragment's), appending them to *m, which ike_msg_parse filled.
 * Offsets of these payloads are relative to plain. 0 or -EBADMSG as above.
 */
int ike_msg_parse_inner(struct ike_msg *m, uint8_t first, const uint8_t *plain, size_t len);

/* The first payload of type after *prev (NULL: from the start), or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
				       const struct ike_payload *prev);
/* The first Notify of notify type ntype, or NULL. */
const struct ike_payload *ike_msg_notify(const struct ike_msg *m, uint16_t ntype);
unsigned int ike_msg_count(const struct ike_msg *m, uint8_t type);

/* The writer (see the top of this file). Opaque: use the functions below. */
struct ike_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t np;	   /* Next Payload field to set when the next payload begins */
	size_t open;	   /* header of the open payload */
	size_t prop;	   /* header of the open proposal */
	size_t xform;	   /* header of the last transform of the open proposal */
	uint8_t open_type; /* type of the open payload */
	uint8_t first;	   /* inner chains: the first payload's type */
	uint8_t n_xf;	   /* transforms in the open proposal */
	bool closed;	   /* an SK or SKF payload ends the message */
	bool has_hdr;
	int err;
};

/* Start a message with the header h (its next and length are filled in as it is written). */
int ike_wr_init(struct ike_wr *w, uint8_t *buf, size_t cap, const struct ike_hdr *h);
/* Start a chain of inner payloads (no header), to be sealed into an SK payload. */
int ike_wr_init_inner(struct ike_wr *w, uint8_t *buf, size_t cap);
/* The first payload type of an inner chain (IKE_PL_NONE if it is empty). */
uint8_t ike_wr_first(const struct ike_wr *w);

/* Open a payload of type (closing the one before); its body follows with ike_wr_put... */
int ike_wr_begin(struct ike_wr *w, uint8_t type, bool critical);
int ike_wr_put(struct ike_wr *w, const void *p, size_t n);
int ike_wr_u8(struct ike_wr *w, uint8_t v);
int ike_wr_u16(struct ike_wr *w, uint16_t v);
int ike_wr_u32(struct ike_wr *w, uint32_t v);
/* Close the open payload (sets its Payload Length; -E2BIG past 65535). */
int ike_wr_end(struct ike_wr *w);
/* Close everything and set the IKE header's Length; *len gets the octets written. */
int ike_wr_finish(struct ike_wr *w, size_t *len);

/* Whole payloads. */
int ike_wr_payload(struct ike_wr *w, uint8_t type, bool critical, const void *body, size_t len);
int ike_wr_ke(struct ike_wr *w, uint16_t group, const uint8_t *data, size_t len);
int ike_wr_nonce(struct ike_wr *w, const uint8_t *data, size_t len);
int ike_wr_id(struct ike_wr *w, uint8_t pl_type, uint8_t id_type, const uint8_t *data, size_t len);
int ike_wr_auth(struct ike_wr *w, uint8_t method, const uint8_t *data, size_t len);
int ike_wr_notify(struct ike_wr *w, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		  uint16_t type, const uint8_t *data, size_t len);
int ike_wr_delete(struct ike_wr *w, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		  uint16_t n_spi);
int ike_wr_ts(struct ike_wr *w, uint8_t pl_type, const struct ike_ts *ts, unsigned int n);
int ike_wr_cp(struct ike_wr *w, uint8_t cfg_type, const struct ike_cp_attr *a, unsigned int n);

/* SA payload: begin, then per proposal prop + its transforms, then end. */
int ike_wr_sa_begin(struct ike_wr *w);
int ike_wr_prop(struct ike_wr *w, uint8_t num, uint8_t proto, const uint8_t *spi, uint8_t spi_size);
int ike_wr_xform(struct ike_wr *w, uint8_t type, uint16_t id, uint16_t key_bits);
int ike_wr_sa_end(struct ike_wr *w);

/*
 * The Encrypted payload's header, with inner_first as its Next Payload; *off gets its offset
 * for ike_sk_protect (crypto/ike_sk.h), which writes the rest and sets the lengths. Nothing
 * may follow it. ike_wr_skf is the same for a fragment (RFC 7383 2.5).
 */
int ike_wr_sk(struct ike_wr *w, uint8_t inner_first, size_t *off);
int ike_wr_skf(struct ike_wr *w, uint8_t inner_first, uint16_t number, uint16_t total, size_t *off);

#endif
