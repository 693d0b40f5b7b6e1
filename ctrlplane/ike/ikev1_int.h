/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_int.h - IKEv1 (RFC 2409 over ISAKMP, RFC 2408) on the control lcore,
 * shared by the files of ctrlplane/ike/ikev1*.c.
 *
 * An ISAKMP SA is a struct ike_sa like an IKEv2 one, so that the tables, Child SAs, their
 * install into the data plane and their make-before-break flips, NAT-keepalives, pools and
 * telemetry are the same code: its cookies are the SPIs (CKY-I in spi_i, CKY-R in spi_r), it is
 * found by ours in ike->by_spi, and while half-open (the peer's Main Mode message 1 answered)
 * by the initiator's cookie and address in ike->by_init. What only IKEv1 has hangs off sa->v1.
 *
 * Exchanges. IKEv1 has no request/response window: each exchange (Phase 1 with message ID 0,
 * each Quick Mode, transaction and informational exchange with its own random message ID) is a
 * struct ikev1_x that remembers the CBC IV of its chain (RFC 2409 Appendix B), a digest of the
 * last message it received (a retransmission is answered with what the exchange last sent,
 * never with anything new, and at most once per received copy: no amplification) and what it
 * last sent. The side that waits for an answer retransmits on its own timer (peer->
 * retransmit_ms doubling, retransmit_tries times); the responder of a Quick Mode waits for its
 * third message the same way.
 *
 * Keys. SKEYID and its three children live in sa->v1 until the SA goes and are wiped then.
 * The IV of an encrypted message is committed only after the message verified (its HASH), so
 * a forged datagram cannot desynchronise the chain.
 *
 * Control lcore only; the telemetry thread reads under ctrl->lock.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKEV1_INT_H
#define VPNHUB_CTRLPLANE_IKE_IKEV1_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/ikev1_cbc.h"
#include "crypto/ikev1_kdf.h"
#include "ctrlplane/ike/ike_int.h"
#include "ctrlplane/ike/ikev1_msg.h"
#include "ctrlplane/ike/ikev1_prop.h"

#define IKEV1_X_MAX	 4  /* Quick Modes and informational exchanges in flight per SA */
#define IKEV1_X_LINGER_S 30 /* an exchange done on our side still answers retransmits */
#define IKEV1_P1_LIFE	 14400
#define IKEV1_NONCE	 32 /* octets of our nonces (RFC 2409 5: 8..256) */
#define IKEV1_DIGEST	 20 /* SHA-1 of a received message: retransmission detection */
#define IKEV1_DPD_TRIES	 5
/*
 * How long a Phase 2 SA the hub initiated waits for the peer to send on it before the hub
 * sends on it (a rekey's successor, ikev1_info.c; a crypto map entry's held packets,
 * ike_acquire.c): the time a responder takes to install the SAs once message 3 is in
 * (strongSwan installs only then).
 */
#define IKEV1_TAKEOVER_MS 200
#define IKEV1_RESEND_MS	  500 /* a copy of a message is answered at most this often */

/* Notify types (RFC 2408 3.14.1, RFC 2407 4.6.3, RFC 3706) */
#define IKEV1_N_INVALID_PAYLOAD_TYPE  1
#define IKEV1_N_INVALID_COOKIE	      4
#define IKEV1_N_NO_PROPOSAL_CHOSEN    14
#define IKEV1_N_PAYLOAD_MALFORMED     16
#define IKEV1_N_INVALID_KEY_INFO      17
#define IKEV1_N_INVALID_ID_INFO	      18
#define IKEV1_N_AUTHENTICATION_FAILED 24
#define IKEV1_N_INVALID_HASH_INFO     23
#define IKEV1_N_RESPONDER_LIFETIME    24576
#define IKEV1_N_INITIAL_CONTACT	      24578
#define IKEV1_N_R_U_THERE	      36136
#define IKEV1_N_R_U_THERE_ACK	      36137

/* ID types of RFC 2407 4.6.2.1 beyond the peer identities (which share IKEv2's numbers) */
#define IKEV1_ID_IPV4_ADDR	  1
#define IKEV1_ID_IPV4_ADDR_SUBNET 4
#define IKEV1_ID_IPV6_ADDR	  5
#define IKEV1_ID_IPV6_ADDR_SUBNET 6
#define IKEV1_ID_IPV4_ADDR_RANGE  7
#define IKEV1_ID_IPV6_ADDR_RANGE  8

/* X(suffix, counter name, description): why an IKEv1 message was dropped or refused. */
#define IKEV1_DROPS(X)                                                                             \
	X(PARSE, "ikev1_malformed", "message did not parse (see the codec's reasons)")             \
	X(NO_PEER, "ikev1_no_peer", "no IKEv1 peer configured for these addresses or this ID")     \
	X(NO_SA, "ikev1_no_sa", "no ISAKMP SA with these cookies")                                 \
	X(STATE, "ikev1_wrong_state", "exchange or payloads not allowed in the SA's state")        \
	X(RETRANSMIT, "ikev1_retransmit",                                                          \
	  "a copy of the last message: the last answer went again")                                \
	X(NO_PROPOSAL, "ikev1_no_proposal", "no Phase 1 transform acceptable")                     \
	X(NO_P2_PROPOSAL, "ikev1_no_p2_proposal", "no Phase 2 transform acceptable")               \
	X(BAD_KE, "ikev1_bad_ke", "KE missing, of the wrong size or invalid (RFC 6989)")           \
	X(DECRYPT, "ikev1_decrypt", "encrypted part not a whole number of blocks or unparsable")   \
	X(HASH, "ikev1_hash", "HASH payload missing or wrong: not from the peer, or garbled")      \
	X(AUTH, "ikev1_auth_failed", "HASH or SIG of Phase 1 wrong (a pre-shared key mismatch)")   \
	X(ID, "ikev1_id", "the peer's identity is not the configured one")                         \
	X(AGGRESSIVE, "ikev1_aggressive_off", "Aggressive Mode from a peer not allowed to use it") \
	X(TS, "ikev1_id_unacceptable", "Quick Mode identities outside every child's selectors")    \
	X(CHILD, "ikev1_child_failed", "Phase 2 SA could not be installed")                        \
	X(FULL, "ikev1_table_full", "ISAKMP SA table, or the SA's exchanges, full")                \
	X(NOMEM, "ikev1_no_memory", "out of memory or buffers")                                    \
	X(DPD_SEQ, "ikev1_dpd_seq", "R-U-THERE(-ACK) with a sequence number out of order")         \
	X(XAUTH, "ikev1_xauth_refused", "XAUTH user unknown or password wrong")                    \
	X(XAUTH_ATTR, "ikev1_xauth_attr", "XAUTH reply without a usable name and password")        \
	X(POOL, "ikev1_pool_empty", "Mode Config: the peer's pool has no address left")

#define IKEV1_DROP_ENUM(s, n, d) IKEV1_DROP_##s,
enum ikev1_drop { IKEV1_DROPS(IKEV1_DROP_ENUM) IKEV1_DROP_MAX };
#undef IKEV1_DROP_ENUM

extern const char *const ikev1_drop_name[IKEV1_DROP_MAX];

/* Phase 1 states, named as operators know them from `show crypto isakmp sa`. */
enum ikev1_p1_state {
	IKEV1_MM_NO_STATE = 0, /* Main Mode: message 1 sent (initiator) */
	IKEV1_MM_SA_SETUP,     /* the transform agreed: messages 1 and 2 exchanged */
	IKEV1_MM_KEY_EXCH,     /* keys exchanged: messages 3 and 4; authentication pending */
	IKEV1_AG_INIT_EXCH,    /* Aggressive Mode: message 1 or 2 sent */
	IKEV1_QM_IDLE,	       /* authenticated: Quick Modes may run */
};

extern const char *const ikev1_p1_state_name[];

/* What an exchange is doing on our side. */
enum ikev1_x_kind {
	IKEV1_X_FREE = 0,
	IKEV1_X_QM_I,	 /* our Quick Mode: message 1 sent, waiting for 2 */
	IKEV1_X_QM_R,	 /* the peer's Quick Mode: message 2 sent, waiting for 3 */
	IKEV1_X_DONE,	 /* finished: kept to answer retransmissions until expire_tsc */
	IKEV1_X_INFO_TX, /* an informational exchange we sent (nothing comes back) */
	IKEV1_X_TR_I,	 /* our transaction (XAUTH, Mode Config push) waiting for its answer */
};

/* XAUTH on the hub (ikev1_cfg.c): asked, being checked, accepted (SET sent, then ACKed). */
enum ikev1_xauth_state {
	IKEV1_XAUTH_NONE = 0,
	IKEV1_XAUTH_ASKED,
	IKEV1_XAUTH_CHECKING,
	IKEV1_XAUTH_OK_SET,
	IKEV1_XAUTH_OK,
	IKEV1_XAUTH_FAILED,
};

#define IKEV1_XAUTH_TRIES 3 /* wrong passwords before the SA goes */

struct ikev1_x {
	uint8_t kind; /* enum ikev1_x_kind */
	uint32_t msg_id;
	uint8_t iv[IKEV1_BLOCK_MAX];
	uint8_t rx_digest[IKEV1_DIGEST];
	bool rx_set;
	uint8_t *tx; /* the last message sent in it */
	size_t tx_len;
	uint64_t rtx_tsc; /* next retransmission (0: none) */
	uint64_t tx_tsc;  /* when tx last left: copies within IKEV1_RESEND_MS get no answer */
	uint8_t tries;
	uint64_t expire_tsc;
	/* Quick Mode */
	const struct cfg_ike_child *cc;
	uint32_t spi_in;   /* ours */
	uint32_t rekey_of; /* spi_in of the child it replaces, 0 = none */
	struct ikev1_p2_choice ch;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	uint16_t ni_len, nr_len;
	struct ike_dh *dh;	    /* PFS */
	uint8_t idci[64], idcr[64]; /* the identities (ID bodies) of our offer, as sent */
	uint8_t idci_len, idcr_len;
	struct ike_rri rri; /* responder: the peer's proxy as a route (a prefix), n_rri 0 or 1 */
	uint8_t n_rri;
	/* transaction */
	uint16_t ident; /* the attribute payload's identifier (mode-cfg 3.2) */
	uint8_t tr_type;
};

struct ikev1_sa {
	uint8_t p1;   /* enum ikev1_p1_state */
	uint8_t exch; /* IKEV1_EXCH_MAIN or IKEV1_EXCH_AGGRESSIVE */
	struct ikev1_p1_choice p1c;
	uint8_t *sai_b; /* the initiator's SA payload body (HASH_I/HASH_R) */
	size_t sai_len;
	uint8_t *gxi, *gxr; /* both KE data */
	uint16_t gxi_len, gxr_len;
	uint8_t *idr_b; /* Aggressive Mode responder: the initiator's ID body, for HASH_I */
	size_t idr_len;
	uint8_t skeyid[IKE_PRF_MAX], skeyid_d[IKE_PRF_MAX], skeyid_a[IKE_PRF_MAX];
	uint8_t skeyid_e[IKE_PRF_MAX];
	uint8_t key[IKEV1_ENC_KEY_MAX];
	uint8_t key_len, block, hash_len;
	uint8_t p1_iv[IKEV1_BLOCK_MAX]; /* the last CBC block of Phase 1 (derives Phase 2 IVs) */
	bool natt_rfc, natt_draft;	/* the peer announced RFC 3947, a draft of it */
	bool dpd;			/* the peer announced RFC 3706 */
	uint32_t dpd_seq_out, dpd_seq_in;
	bool dpd_seq_in_set;
	uint32_t dpd_outstanding; /* our R-U-THERE waiting for its ACK (its sequence), 0 = none */
	uint8_t dpd_tries;
	uint64_t expire_tsc; /* the ISAKMP SA's lifetime (p1c.life_s) */
	bool rekey_started;  /* initiator: the new Phase 1 that replaces it is under way */
	uint8_t replaces[8]; /* a rekey's new SA: the old one's SPI (ours), zero when done */
	struct ikev1_x p1x;  /* Phase 1 */
	struct ikev1_x x[IKEV1_X_MAX];
	bool initial_contact; /* the peer sent INITIAL-CONTACT in Phase 1 */
	/* remote access (ikev1_cfg.c) */
	uint8_t xauth; /* enum ikev1_xauth_state */
	uint8_t xauth_tries;
	char xauth_user[CFG_IKE_USER_MAX + 1];
	bool cfg_done; /* Mode Config answered or acknowledged */
};

/* ikev1.c */
void ikev1_count(struct ike *ike, enum ikev1_drop why);
/* An IKEv1 datagram along p (marker stripped). Control lcore. */
void ikev1_input(struct ike *ike, const uint8_t *buf, size_t len, const struct ike_path *p);
void ikev1_tick(struct ike_sa *sa, uint64_t now);
/* sa->v1 and what it holds; called by ike_sa_delete. */
void ikev1_sa_free(struct ike_sa *sa);
struct ikev1_sa *ikev1_sa_attach(struct ike_sa *sa);
/* Header of a message of sa: cookies, exchange, flags, msg_id, first payload. */
void ikev1_hdr(const struct ike_sa *sa, struct ikev1_hdr *h, uint8_t exch, uint32_t msg_id,
	       uint8_t first, bool enc);
/* Send msg and keep it as x's last message (retransmit: arm x's timer). */
int ikev1_send_keep(struct ike_sa *sa, struct ikev1_x *x, const uint8_t *msg, size_t len,
		    bool retransmit);
/*
 * Encrypt the payload chain plain[0..plain_len) (first payload type first) into a message of
 * exchange exch / msg_id with x's IV (which moves on), send it and keep it in x.
 */
int ikev1_seal_send(struct ike_sa *sa, struct ikev1_x *x, uint8_t exch, uint32_t msg_id,
		    uint8_t first, uint8_t *plain, size_t plain_len, bool retransmit);
/* The first IV of exchange msg_id (RFC 2409 Appendix B): hash(last Phase 1 block | M-ID). */
int ikev1_x_iv(const struct ike_sa *sa, uint32_t msg_id, uint8_t *iv);
struct ikev1_x *ikev1_x_find(struct ike_sa *sa, uint32_t msg_id);
struct ikev1_x *ikev1_x_new(struct ike_sa *sa, uint32_t msg_id);
/* The exchange the peer's first message msg_id opens (verified, its chain at iv_after), as
 * having received it; NULL when the SA has no room (counted). */
struct ikev1_x *ikev1_x_answer(struct ike_sa *sa, uint32_t msg_id, const uint8_t *iv_after);
void ikev1_x_done(struct ike_sa *sa, struct ikev1_x *x);
void ikev1_x_free(struct ikev1_x *x);
/* The message being handled is the last one x received (it was accepted). */
void ikev1_x_received(struct ikev1_x *x);
/* A random message ID no exchange of sa uses. */
uint32_t ikev1_msg_id(struct ike_sa *sa);
/*
 * prf(SKEYID_a, pre[0..] | the payloads after the HASH payload of m), compared with its HASH
 * (RFC 2409 5.5, 5.7): true when it verifies. plain: the decrypted chain m's offsets are in.
 */
bool ikev1_hash_check(const struct ike_sa *sa, const struct ikev1_msg *m, const uint8_t *plain,
		      size_t plain_len, const struct ike_chunk *pre, size_t n_pre);
/* Write a HASH payload of hash_len zero octets first in w; *at: where its value is. */
int ikev1_hash_begin(struct ikev1_wr *w, const struct ike_sa *sa, size_t *at);
/* Fill it: prf(SKEYID_a, pre | the chain after the HASH payload). */
int ikev1_hash_fill(const struct ike_sa *sa, uint8_t *chain, size_t chain_len, size_t at,
		    const struct ike_chunk *pre, size_t n_pre);
/* The notify / delete, protected (informational exchange with HASH(1)). */
int ikev1_info_send(struct ike_sa *sa, uint16_t type, uint8_t proto, const uint8_t *spi,
		    uint8_t spi_size, const uint8_t *data, size_t data_len);
int ikev1_delete_send(struct ike_sa *sa, uint8_t proto, const uint8_t *spis, uint8_t spi_size,
		      uint16_t n);
/* Our ID payload body for sa's peer (type, protocol 0, port 0, data) into buf; its length. */
size_t ikev1_id_body(const struct ike_sa *sa, uint8_t *buf, size_t cap);
bool ikev1_id_match(const struct cfg_ike_id *want, const struct ikev1_payload *id);
/* Log a refusal of an unauthenticated peer, rate-limited as IKEv2's are. */
bool ikev1_log_ok(struct ike *ike);
/* The configured IKEv1 peer for these addresses (exact remote before a wildcard), or NULL. */
const struct cfg_ike_peer *ikev1_peer_by_addr(const struct ike *ike, const struct ike_path *p);

/* ikev1_main.c: Main Mode (RFC 2409 5.4), both halves, and its start */
void ikev1_main_respond(struct ike *ike, const struct ikev1_msg *m, const struct ike_path *p);
/* A message of Phase 1 on sa (not message 1 of a responder) */
void ikev1_main_input(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p);
struct ike_sa *ikev1_initiate(struct ike *ike, const struct cfg_ike_peer *peer);
/* NAT-D hash of addr/port for sa (RFC 3947 3.2) into out; its length. */
int ikev1_natd(const struct ike_sa *sa, const uint8_t *addr, uint16_t port, uint8_t *out);

/* ikev1_main.c: the parts of Phase 1 both modes share */
/* The Phase 1 authentication methods the hub takes from peer; what it offers as initiator. */
const uint16_t *ikev1_p1_auths(const struct cfg_ike_peer *peer, unsigned int *n);
static inline uint16_t ikev1_p1_auth_of(const struct cfg_ike_peer *peer)
{
	unsigned int n;
	return ikev1_p1_auths(peer, &n)[0];
}
void ikev1_p1_read_vids(struct ikev1_sa *v, const struct ikev1_msg *m);
int ikev1_p1_write_vids(struct ikev1_wr *w, const struct ikev1_sa *v, bool first);
bool ikev1_p1_natt(const struct ikev1_sa *v); /* the peer speaks NAT-T (a flavour of it) */
int ikev1_p1_write_natd(struct ikev1_wr *w, const struct ike_sa *sa);
/* NAT detection from m's NAT-D payloads along p (sa->natt, nat_local, nat_remote). */
void ikev1_p1_read_natd(struct ike_sa *sa, const struct ikev1_msg *m, const struct ike_path *p);
uint32_t ikev1_p1_life(const struct cfg_ike_peer *peer);
/*
 * Responder, message 1 of Main or Aggressive Mode from peer: a transform chosen (or the refusal
 * counted, logged and answered), a half-open SA made with its choice, vendor IDs and SAi_b;
 * NULL when refused (counted).
 */
struct ike_sa *ikev1_p1_responder(struct ike *ike, const struct ikev1_msg *m,
				  const struct ike_path *p, const struct cfg_ike_peer *peer);
/* No transform of sap acceptable: counted, logged with both offers, NO-PROPOSAL-CHOSEN. */
void ikev1_p1_refuse(struct ike *ike, const struct ikev1_msg *m, const struct ikev1_payload *sap,
		     const struct cfg_ike_peer *peer, const struct ike_path *p);
int ikev1_keep_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len);
/* Our DH key and nonce (g^xi or g^xr kept); the peer's KE and nonce from m, checked. */
int ikev1_p1_make_ke(struct ike_sa *sa, uint8_t *pub, size_t cap, size_t *pub_len);
int ikev1_p1_take_ke(struct ike_sa *sa, const struct ikev1_msg *m);
/* SKEYID, SKEYID_d/a/e, the cipher key and the Phase 1 IV; the DH key goes. */
int ikev1_p1_derive(struct ike_sa *sa);
/* HASH_I (of_initiator) or HASH_R over the ID body id_b (RFC 2409 5). */
int ikev1_p1_auth_hash(const struct ike_sa *sa, bool of_initiator, const uint8_t *id_b,
		       size_t id_len, uint8_t *out);
/*
 * The peer's HASH in m (decrypted first when E is set) verified over the ID body id_b, or, when
 * id_b is NULL, over the ID payload of m, which must then be the peer's remote_id. 0, or
 * -EACCES (counted and logged: msg_no names the message). natd: the path m came along,
 * when its NAT-D payloads are to be read (they live in the decrypted copy only).
 */
int ikev1_p1_check_auth(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *id_b, size_t id_len,
			unsigned int msg_no, const struct ike_path *natd);
void ikev1_p1_auth_failed(struct ike_sa *sa, unsigned int msg_no, const char *why);
/* id is the peer's remote_id: kept as sa->peer_id (true); else counted and logged. */
bool ikev1_p1_peer_id(struct ike_sa *sa, const struct ikev1_payload *id);
bool ikev1_p1_others_up(const struct ike_sa *sa);
void ikev1_p1_established(struct ike_sa *sa);

/* ikev1_aggr.c: Aggressive Mode (RFC 2409 5.4), both halves */
void ikev1_aggr_respond(struct ike *ike, const struct ikev1_msg *m, const struct ike_path *p);
void ikev1_aggr_input(struct ike_sa *sa, struct ikev1_msg *m, const struct ike_path *p);
struct ike_sa *ikev1_aggr_initiate(struct ike *ike, const struct cfg_ike_peer *peer);

/* ikev1_quick.c: Quick Mode (RFC 2409 5.5) */
void ikev1_quick_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain,
		       size_t plain_len, const uint8_t *iv_after);
/* Start a Quick Mode for child cc (rekey_of: the spi_in it replaces, 0 = a new one). */
int ikev1_quick_start(struct ike_sa *sa, const struct cfg_ike_child *cc, uint32_t rekey_of);

/* ikev1_cfg.c: XAUTH and Mode Config, the hub as server */
void ikev1_cfg_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain, size_t plain_len,
		     const uint8_t *iv_after);
/* Phase 1 is up: XAUTH asked, or Mode Config pushed, as the peer's config says. */
void ikev1_cfg_established(struct ike_sa *sa);
/* May Quick Modes run (XAUTH done or not needed)? */
bool ikev1_cfg_ready(const struct ike_sa *sa);
/* Our transaction x went unanswered: true when the SA went with it (XAUTH never done). */
bool ikev1_cfg_gave_up(struct ike_sa *sa, const struct ikev1_x *x);

/* ikev1_rekey.c: a new ISAKMP SA at 9/10 of the lifetime, the old one deleted after it */
void ikev1_rekey_tick(struct ike_sa *sa, uint64_t now);

/* ikev1_info.c: informational exchanges (RFC 2408 4.8, 4.9; RFC 3706) */
void ikev1_info_input(struct ike_sa *sa, struct ikev1_msg *m, const uint8_t *plain,
		      size_t plain_len);
void ikev1_dpd_tick(struct ike_sa *sa, uint64_t now);
/* Child i of sa reached its soft (rekey: a Quick Mode) or hard lifetime (it goes). */
void ikev1_on_expiry(struct ike_sa *sa, unsigned int i, bool hard);
/* An old child of sa whose overlap ended is about to go: the peer is told (ike_child.c). */
void ikev1_child_retired(struct ike_sa *sa, const struct ike_child *ch);

#endif
