/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_int.h - IKEv2 state shared by the files of ctrlplane/ike/ (RFC 7296).
 *
 * One struct ike per control lcore holds every IKE SA. An IKE SA is found by the SPI the hub
 * chose for it (the responder SPI when the peer initiated), in an rte_hash; a half-open SA is
 * also found by the initiator's SPI and address, so that a retransmitted IKE_SA_INIT gets the
 * same answer instead of a second SA (2.1). Child SAs hang off their IKE SA and own the data
 * plane SAs (dataplane/sa.h) they installed.
 *
 * Message IDs (2.2): as responder the SA remembers the last request it answered and the answer,
 * byte for byte, so a retransmitted request is answered again without being processed twice;
 * requests other than the next one are dropped (window of 1, what the hub advertises).
 *
 * Control lcore only; the telemetry thread reads under ctrl->lock.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_INT_H
#define VPNHUB_CTRLPLANE_IKE_IKE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_timer.h>

#include "conf/config.h"
#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/ike/ike_msg.h"

#define IKE_SA_MAX	    16384 /* IKE SAs, half-open included */
#define IKE_MSG_MAX	    8192  /* largest message built, or inner chain sealed */
#define IKE_CHILD_MAX	    8	  /* Child SAs per IKE SA */
#define IKE_NONCE_OURS	    32 /* octets of the nonces the hub makes (2.10: >= half the PRF key) */
#define IKE_HALF_OPEN_TTL   30 /* seconds a responder waits for IKE_AUTH */
#define IKE_PORT	    500
#define IKE_PORT_NATT	    4500
#define IKE_AUTH_SHARED_KEY 2 /* AUTH method, 3.8 */

/* Notify Message Types (3.10.1) the exchanges send beyond the codec's list. */
#define IKE_N_TS_UNACCEPTABLE	       38
#define IKE_N_INITIAL_CONTACT	       16384
#define IKE_N_USE_TRANSPORT_MODE       16391
#define IKE_N_INTERNAL_ADDRESS_FAILURE 36
#define IKE_N_TEMPORARY_FAILURE	       43 /* 2.25 */
#define IKE_N_CHILD_SA_NOT_FOUND       44 /* 2.25 */
#define IKE_N_REKEY_SA		       16393
/* Configuration attributes (3.15.1) */
#define IKE_CFG_INTERNAL_IP4_ADDRESS 1
#define IKE_CFG_INTERNAL_IP4_NETMASK 2
#define IKE_CFG_INTERNAL_IP4_DNS     3
#define IKE_CFG_INTERNAL_IP4_SUBNET  13
#define IKE_CFG_INTERNAL_IP6_ADDRESS 8 /* 16 octets and a prefix length (3.15.1) */
#define IKE_CFG_INTERNAL_IP6_DNS     10
#define IKE_CFG_INTERNAL_IP6_SUBNET  15
#define IKE_POOL6_MAX		     IKE_SA_MAX /* addresses an IPv6 pool hands out */

/* X(suffix, counter name, description): why an IKE message was dropped or refused. */
#define IKE_DROPS(X)                                                                               \
	X(PARSE, "ike_malformed", "message did not parse (see the codec's reasons)")               \
	X(NOT_IKEV2, "ike_not_v2", "IKEv1 or another major version")                               \
	X(NO_SA, "ike_no_sa", "no IKE SA with that SPI (2.21.4: answered at most rate-limited)")   \
	X(NO_PEER, "ike_no_peer", "no configured peer for these addresses")                        \
	X(NO_PROPOSAL, "ike_no_proposal", "no proposal acceptable (NO_PROPOSAL_CHOSEN sent)")      \
	X(BAD_KE, "ike_bad_ke", "KE missing, wrong group (INVALID_KE_PAYLOAD sent) or RFC 6989")   \
	X(RESPONSE, "ike_unexpected_response", "a response to nothing the hub asked")              \
	X(MSGID, "ike_msgid", "message ID neither the next request nor the last one")              \
	X(RETRANSMIT, "ike_retransmit", "retransmitted request: the cached response went again")   \
	X(STATE, "ike_wrong_state", "exchange not allowed in the IKE SA's state")                  \
	X(DECRYPT, "ike_decrypt", "Encrypted payload did not verify or decrypt")                   \
	X(AUTH, "ike_auth_failed", "peer ID unknown or AUTH wrong (AUTHENTICATION_FAILED sent)")   \
	X(CERT_UNTRUSTED, "ike_cert_untrusted", "peer certificate missing or not from its CAs")    \
	X(CERT_EXPIRED, "ike_cert_expired", "a certificate of the peer's chain out of validity")   \
	X(CERT_ID, "ike_cert_id", "the peer's ID is not in its certificate (3.5, RFC 4945)")       \
	X(CERT_OURS, "ike_cert_ours", "our certificate is not valid now: not sent")                \
	X(TS, "ike_ts_unacceptable", "traffic selectors outside the config (TS_UNACCEPTABLE)")     \
	X(CHILD, "ike_child_failed", "Child SA could not be installed")                            \
	X(FULL, "ike_table_full", "IKE SA table full")                                             \
	X(COLLISION, "ike_collision", "request refused for a while (TEMPORARY_FAILURE, 2.25)")     \
	X(NOMEM, "ike_no_memory", "out of memory or buffers")                                      \
	X(SOURCE_FULL, "ike_source_full", "IKE_SA_INIT from an address at its IKE SA cap")         \
	X(HALF_OPEN_FULL, "ike_half_open_full", "IKE_SA_INIT while half-open SAs are at the cap")  \
	X(COOKIE_SENT, "ike_cookie_sent", "IKE_SA_INIT without a cookie: COOKIE answered (2.6)")   \
	X(COOKIE_BAD, "ike_cookie_bad", "IKE_SA_INIT with a cookie not ours or stale: new COOKIE") \
	X(REDIRECT_BAD, "ike_redirect_bad", "REDIRECT not for our Ni, or not an address we use")   \
	X(REDIRECT_LOOP, "ike_redirect_loop", "REDIRECTs past IKE_REDIRECT_MAX (RFC 5685 6)")      \
	X(FRAG_UNEXPECTED, "ike_frag_unexpected",                                                  \
	  "Encrypted Fragment in IKE_SA_INIT or not negotiated (RFC 7383 2.3, 2.5)")               \
	X(FRAG_TOTAL, "ike_frag_total", "Total Fragments above IKE_FRAG_MAX (RFC 7383 2.5)")       \
	X(FRAG_DECRYPT, "ike_frag_decrypt", "Encrypted Fragment did not verify (RFC 7383 2.6.1)")  \
	X(FRAG_DUP, "ike_frag_duplicate", "a fragment already kept (RFC 7383 2.6.1)")              \
	X(FRAG_STALE, "ike_frag_stale", "Total Fragments below the message's kept (2.6.1)")        \
	X(FRAG_RESTART, "ike_frag_restart", "a higher total: kept fragments dropped (2.6.1)")      \
	X(FRAG_OVERSIZE, "ike_frag_oversize", "reassembled message past IKE_FRAG_REASM_MAX")       \
	X(FRAG_FULL, "ike_frag_full", "reassembly memory at its cap (IKE_FRAG_MEM_MAX)")           \
	X(FRAG_TIMEOUT, "ike_frag_timeout", "a partial message dropped after IKE_FRAG_TTL_S")      \
	X(SOURCE_RATE, "ike_source_rate", "IKE_SA_INIT from an address above per_source_rate")

#define IKE_DROP_ENUM(s, n, d) IKE_DROP_##s,
enum ike_drop { IKE_DROPS(IKE_DROP_ENUM) IKE_DROP_MAX };
#undef IKE_DROP_ENUM

extern const char *const ike_drop_name[IKE_DROP_MAX];

enum ike_sa_state {
	IKE_S_HALF_OPEN = 0, /* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_S_ESTABLISHED,
	IKE_S_DELETED, /* freed after the current message */
};

/* Where IKE messages of an SA come from and go to. */
struct ike_path {
	uint8_t family;
	uint8_t local[16];
	uint8_t remote[16];
	uint16_t lport, rport; /* host order; 4500 means the non-ESP marker is used */
};

/*
 * A Child SA's part in a rekey (2.8), as the responder sees it: the new one is installed with
 * its inbound SA live at once, and takes the VTI over when the old one is deleted (or traffic
 * arrives on the new one); the old one then keeps only its inbound SA, for the overlap.
 */
enum ike_child_state {
	IKE_CH_ACTIVE = 0,
	IKE_CH_NEW, /* a rekey's result: inbound live, outbound not yet bound to the VTI */
	IKE_CH_OLD, /* superseded: inbound only, until expire_tsc */
};

#define IKE_REKEY_OVERLAP_S 5 /* seconds an old inbound SA outlives its rekey */

/* A route the hub injected for a child (reverse route injection): a prefix via its VTI. */
struct ike_rri {
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16];
};

#define IKE_RRI_MAX 4

/* One Child SA (2.17) and the data plane SAs it installed. */
struct ike_child {
	const struct cfg_ike_child *cfg;
	uint8_t state;	     /* enum ike_child_state */
	uint32_t successor;  /* ACTIVE being rekeyed: the new child's spi_in, 0 = none */
	uint64_t expire_tsc; /* OLD: when its inbound SA goes */
	uint32_t spi_in;     /* ours, host order */
	uint32_t spi_out;    /* the peer's */
	uint32_t sa_in;	     /* data plane SA ids */
	uint32_t sa_out;
	uint16_t encr, encr_bits, integ;
	bool esn;
	bool transport;
	bool local_init; /* the hub initiated the exchange that made it: 2.17's key order */
	/* a new child whose static VTI another IKE SA's child still keys (the peer's
	 * reauthentication, 2.8.3): it takes the VTI once the peer sends on it or the old goes */
	bool bind_pending;
	uint64_t installed_tsc;
	/* a template's clone (dynamic VTI) and the routes injected for this child; the owner
	 * removes them, a rekey hands them to the successor */
	uint16_t va;
	bool va_owner;
	struct ike_rri rri[IKE_RRI_MAX];
	uint8_t n_rri;
	uint64_t retry_tsc; /* ACTIVE: the peer answered our rekey TEMPORARY_FAILURE; again then */
	uint32_t life_s;    /* IKEv1: the negotiated lifetime, when below the config's; 0 = it */
	uint32_t life_kb;   /* IKEv1: the negotiated lifetime in kilobytes; 0 = none */
};

/*
 * What the hub asks of a peer (2.1): one request at a time, each a task. The queue orders
 * them; ike_task.c sends the head's request, retransmits it with exponential backoff, and hands
 * the response to the task's initiator half. The responder halves run from ike_net.c.
 */
enum ike_task_type {
	IKE_T_INIT = 1,	    /* IKE_SA_INIT (ike_init.c) */
	IKE_T_AUTH,	    /* IKE_AUTH with the first child (ike_auth.c) */
	IKE_T_DPD,	    /* empty INFORMATIONAL: liveness (ike_info.c) */
	IKE_T_CHILD_REKEY,  /* CREATE_CHILD_SA with REKEY_SA, arg: the child's spi_in */
	IKE_T_DELETE_CHILD, /* INFORMATIONAL Delete, arg: our inbound SPI */
	IKE_T_DELETE_IKE,   /* INFORMATIONAL Delete of the IKE SA */
	IKE_T_CHILD_NEW,    /* CREATE_CHILD_SA, a new child, arg: its index in peer->children */
	IKE_T_IKE_REKEY,    /* CREATE_CHILD_SA rekeying the IKE SA (ike_create.c) */
};

#define IKE_TASKS_MAX 8

struct ike_task {
	uint8_t type; /* enum ike_task_type */
	uint32_t arg;
};

struct ike_sa {
	uint8_t spi_i[8];
	uint8_t spi_r[8];
	bool initiator; /* the hub is the original initiator (its SPI is spi_i, flag I, 2.2) */
	uint8_t state;	/* enum ike_sa_state */
	bool natt;	/* a NAT between us, or encapsulation forced: ESP in UDP 4500 */
	struct ike_path path;
	/* where IKE_SA_INIT came from: the half-open index key (2.1), as path moves on (2.23) */
	struct ike_path init_path;
	const struct cfg_ike_peer *peer; /* once IKE_AUTH identified it */
	unsigned int n_cand;		 /* peers the addresses allow (before IKE_AUTH) */
	/* negotiated (3.3) */
	uint16_t encr, encr_bits, integ, prf, dh;
	uint8_t sig_hashes; /* RFC 7427 4: bit n set when the peer announced hash n (ike_cert.c) */
	/* IKE_SA_INIT state kept for IKE_AUTH (2.15) */
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	uint16_t ni_len, nr_len;
	uint8_t *init_req; /* RealMessage1, as received */
	size_t init_req_len;
	uint8_t *init_resp; /* RealMessage2, as sent */
	size_t init_resp_len;
	struct ike_sa_keys keys;
	struct ike_sk sk_in, sk_out; /* from the peer / to the peer */
	/* responder side of the message ID window (2.3) */
	uint32_t recv_next; /* the next request's message ID */
	uint8_t *resp;	    /* the answer to request recv_next - 1, for retransmits */
	size_t resp_len;
	/* identities */
	struct cfg_ike_id peer_id;
	uint8_t vip[4];	  /* the inner address the peer was given (CP), when vip_pool >= 0 */
	int vip_pool;	  /* pool index, -1 = none */
	uint8_t vip6[16]; /* the IPv6 one (INTERNAL_IP6_ADDRESS), from peer->pool6 */
	bool vip6_set;
	bool nat_local, nat_remote; /* NAT detection (2.23): the hub, the peer behind a NAT */
	uint64_t established_tsc;   /* when IKE_AUTH (or the rekey that made it) completed */
	struct ike_child child[IKE_CHILD_MAX];
	unsigned int n_child;
	uint64_t created_tsc;
	uint64_t last_rx_tsc;
	struct rte_timer timer; /* half-open expiry */
	/* initiator side of the message ID window (2.3, ike_task.c) */
	uint32_t send_next;		     /* message ID of the next request */
	struct ike_task task[IKE_TASKS_MAX]; /* task[0] is outstanding when req != NULL */
	unsigned int n_task;
	uint8_t *req; /* the outstanding request, for retransmits */
	size_t req_len;
	uint32_t req_id;
	unsigned int tries;
	struct rte_timer rtx;
	/* initiator: the KE of IKE_SA_INIT and the child offered in IKE_AUTH */
	struct ike_dh *dh_priv;
	uint32_t offer_spi; /* our inbound SPI of the child being negotiated */
	uint8_t rekey_nonce[IKE_NONCE_OURS];
	uint64_t last_child_pkts; /* inbound ESP packets of the children at the last look (DPD) */
	uint64_t child_look_tsc;  /* when ike_child_traffic last looked */
	uint8_t init_child;	  /* initiator: the child of peer->children IKE_AUTH offers */
	bool src_counted;	  /* in its source address's count (ike_guard.c) */
	uint64_t keepalive_tsc;	  /* the hub behind a NAT: the last NAT-keepalive (ike_natt.c) */
	/* reauthentication (ike_reauth.c): when this SA is due; on the new SA, the old one's SPI
	 * (ours) until the old one is deleted, and when the new one was started */
	uint64_t reauth_tsc;
	uint8_t reauth_of[8];
	uint64_t reauth_start_tsc;
	uint8_t cookie[64]; /* initiator: the responder's COOKIE to send back (2.6) */
	uint8_t cookie_len;
	uint8_t cookie_tries;
	struct ike *ike;
	/* the outstanding request's retransmission deadline (ike_task.c), in ike_now() cycles */
	uint64_t rtx_tsc;
	/*
	 * Rekey collisions (2.8.1, 2.8.2, ike_create.c). coll_nonce: the lower nonce of the
	 * peer's rekey of the child we are rekeying too, answered while ours was outstanding.
	 * rekey_spi, coll_spi: the new IKE SAs of our IKE SA rekey and of the peer's colliding
	 * one, by our SPI (either may be gone when looked up). superseded: the children went
	 * to a new IKE SA; this one only waits for its Delete. rekey_tsc: our IKE SA rekey is due.
	 */
	uint8_t rekey_spi[8]; /* our SPI of the IKE SA our rekey request offers; zero: none */
	uint8_t coll_spi[8];  /* our SPI of the IKE SA the peer's colliding rekey made */
	uint8_t coll_nonce[IKE_NONCE_MAX];
	uint16_t coll_nonce_len;
	bool superseded;
	uint64_t rekey_tsc;
	/* RFC 7383 (ike_frag.c): both ends sent IKE_FRAGMENTATION_SUPPORTED in IKE_SA_INIT; the
	 * peer's requests [0] and responses [1] being reassembled (NULL: none) */
	bool frag;
	struct ike_frag_rx *frag_rx[2];
	/* initiator, RFC 5685: REDIRECTs followed in a row, and the gateway that sent the last */
	uint8_t redirects;
	uint8_t redirected_from_family; /* 0: not redirected */
	uint8_t redirected_from[16];
	struct ikev1_sa *v1; /* an ISAKMP SA (IKEv1, ikev1_int.h); NULL for IKEv2 */
};

struct ike_stats {
	uint64_t drop[IKE_DROP_MAX];
	/* crypto map acquires (ike_acquire.c): negotiations started, packets held, sent once
	 * keyed, dropped (hold full, entry down), negotiations that failed */
	uint64_t acquires, acquire_held, acquire_sent, acquire_dropped, acquire_failed;
	uint64_t cookies_sent, cookies_ok;    /* ike_guard.c */
	uint64_t peer_moves, keepalives_sent; /* ike_natt.c */
	uint64_t reauths_started, reauths;    /* ike_reauth.c */
	uint64_t rx, tx;
	uint64_t established, deleted, children_installed, child_rekeys, ike_rekeys;
	uint64_t initiated, retransmits, dpd_sent, peers_dead;
	/* ike_redirect.c (RFC 5685): initiators sent elsewhere, REDIRECTs the hub followed */
	uint64_t redirects, redirects_followed;
	/* ike_guard.c: unprotected error notifies sent, and those the rate limit held back */
	uint64_t error_notifies, error_notifies_limited;
	/* ike_frag.c: fragments sent, fragments kept, messages reassembled */
	uint64_t frags_tx, frags_rx, frags_reassembled;
	/* IKEv1 (ikev1*.c): drops by enum ikev1_drop, and what went right */
	uint64_t v1_drop[32];
	uint64_t v1_rx, v1_established, v1_quick_modes, v1_deletes;
	uint64_t v1_dpd_acks, v1_dpd_answered; /* ACKs to our R-U-THERE; the peer's answered */
};

struct ike {
	struct ctrl *c;
	const struct config *cfg;
	struct rte_hash *by_spi;  /* our SPI (8 octets) -> struct ike_sa * */
	struct rte_hash *by_init; /* struct ike_init_key -> struct ike_sa * (half-open) */
	unsigned int n_sa;
	struct ike_stats st;
	struct rte_timer tick;	 /* 100 ms: rekey flips and overlaps, DPD, (re)initiation */
	uint64_t *reinit_tsc;	 /* per peer with initiate: when to start it (again); 0 = no */
	struct ike_pool **pools; /* per config pool (ike_pool.c); NULL entries: not handed out */
	unsigned int va_next;	 /* number of the next template clone */
	struct ike_acq *acq;	 /* IKE-keyed crypto map entries (ike_acquire.c) */
	unsigned int n_acq;
	struct ike_guard *guard; /* admission: cookies and caps (ike_guard.c) */
	uint64_t refusal_tsc;	 /* refusals of unauthenticated peers logged in this second */
	unsigned int refusal_logs;
	/*
	 * A harness's transport and clock (test/unit/test_ike_engine.c runs two engines in one
	 * process). xmit NULL: ike_send builds the datagram and routes it (ctrl_ip_output);
	 * clock NULL: ike_now() is rte_get_timer_cycles().
	 */
	int (*xmit)(struct ike *ike, const struct ike_path *p, const uint8_t *msg, size_t len);
	void *xmit_arg;
	uint64_t (*clock)(const struct ike *ike);
	size_t frag_mem; /* octets of fragments kept for reassembly, over all SAs (ike_frag.c) */
};

/* IKE's time, in timer cycles (rte_get_timer_hz() per second). */
static inline uint64_t ike_now(const struct ike *ike)
{
	return likely(ike->clock == NULL) ? rte_get_timer_cycles() : ike->clock(ike);
}

/* ike.c: the 100 ms tick's work (rekey flips and overlaps, the tasks' timers, DPD). */
void ike_tick(struct ike *ike);

/* ike_pool.c */
struct ike_pool;
int ike_pools_create(struct ike *ike);
void ike_pools_free(struct ike *ike);
/* addr: 4 or 16 octets, after the pool's family (AF_INET, AF_INET6; 0 for no such pool) */
int ike_pool_take(struct ike *ike, int pool, uint8_t *addr);
void ike_pool_give(struct ike *ike, int pool, const uint8_t *addr);
unsigned int ike_pool_used(const struct ike *ike, int pool);
int ike_pool_family(const struct ike *ike, int pool);
unsigned int ike_pool_capacity(const struct ike *ike, int pool);

/* A half-open SA's identity as the initiator sees it. */
struct ike_init_key {
	uint8_t spi_i[8];
	uint8_t family;
	uint8_t pad[5];
	uint16_t rport;
	uint8_t remote[16];
};

/* ike_sa.c */
/* A new SA with a fresh SPI of ours; half_open: findable by the initiator's SPI, with a timeout. */
struct ike_sa *ike_sa_new(struct ike *ike, const uint8_t spi_i[8], const struct ike_path *p,
			  bool half_open);
struct ike_sa *ike_sa_by_spi(struct ike *ike, const uint8_t spi[8]);
struct ike_sa *ike_sa_half_open(struct ike *ike, const uint8_t spi_i[8], const struct ike_path *p);
void ike_sa_delete(struct ike_sa *sa); /* children's data plane SAs too; frees sa */
void ike_sa_established(struct ike_sa *sa);
/* Keep a copy of buf (a message, or all its fragments: ike_frag_seal) as what the SA last
 * answered to request msg_id. */
int ike_sa_cache_response(struct ike_sa *sa, uint32_t msg_id, const uint8_t *buf, size_t len);

/*
 * ike_sa.c: at the debug level of vpnhub.ike only, one log line with the SPIs, algorithms and
 * SK_ei/SK_er/SK_ai/SK_ar of sa (when it is established, or made by a rekey), and one per
 * direction of child ch with its SPI, outer addresses and the ESP keys it installed (el and al
 * octets). For decoders such as tshark; keys are logged at no other level.
 */
void ike_sa_log_keys(const struct ike_sa *sa);
void ike_sa_log_child_keys(const struct ike_sa *sa, const struct ike_child *ch, const uint8_t *in_e,
			   const uint8_t *in_a, const uint8_t *out_e, const uint8_t *out_a,
			   size_t el, size_t al);

/* ike_sa.c: an SA the hub starts towards peer (its SPI is spi_i). */
struct ike_sa *ike_sa_new_initiator(struct ike *ike, const struct cfg_ike_peer *peer,
				    const struct ike_path *p);
const uint8_t *ike_sa_our_spi(const struct ike_sa *sa);

/* ike_task.c */
void ike_task_queue(struct ike_sa *sa, uint8_t type, uint32_t arg);
/* A response to the outstanding request (m's message ID matched): run the task's half. */
void ike_task_response(struct ike_sa *sa, struct ike_msg *m, const struct ike_path *p);
bool ike_task_pending(const struct ike_sa *sa, uint8_t type, uint32_t arg);
/* Start every peer with `initiate` whose time has come; DPD and rekeys that are due. */
void ike_task_tick(struct ike *ike, uint64_t now);
/* Delete sa and the IKE SA its own rekey was making, if any. */
void ike_task_sa_gone(struct ike_sa *sa);
/* The queued (not outstanding) Child SA tasks of from go to to (an IKE SA rekey, 2.8). */
void ike_task_move(struct ike_sa *from, struct ike_sa *to);
/* The IKE SA whose SPI (ours) is spi, unless spi is zero. */
struct ike_sa *ike_sa_by_spi_nz(struct ike *ike, const uint8_t spi[8]);
/* Seal inner payloads into a request of sa with the next message ID (for the tasks). */
int ike_request(struct ike_sa *sa, uint8_t exchange, struct ike_wr *w);
/* Initiator halves */
int ike_init_request(struct ike_sa *sa, uint8_t *out, size_t cap, size_t *len);
int ike_init_response(struct ike_sa *sa, const struct ike_msg *m, const struct ike_path *p);
int ike_auth_request(struct ike_sa *sa, struct ike_wr *w);
int ike_auth_response(struct ike_sa *sa, const struct ike_msg *m);
int ike_rekey_request(struct ike_sa *sa, uint32_t spi_in, struct ike_wr *w);
int ike_rekey_response(struct ike_sa *sa, uint32_t spi_in, const struct ike_msg *m);
int ike_ike_rekey_request(struct ike_sa *sa, struct ike_wr *w);
int ike_ike_rekey_response(struct ike_sa *sa, const struct ike_msg *m);
/* The initiator's offer: every configured proposal, numbered from 1 (3.3). */
int ike_prop_offer(struct ike_wr *w, const struct cfg_ike_proposal *props, unsigned int n,
		   uint8_t proto, const uint8_t *spi, uint8_t spi_size, bool with_dh);
/* A soft lifetime reached in the data plane (ipsec_on_expiry): rekey the child of that SA. */
void ike_on_expiry(struct ctrl *c, uint32_t sa_id, bool hard);

/* ike_net.c */
void ike_count(struct ike *ike, enum ike_drop why);
/* Send an IKE message along path (adds the non-ESP marker on port 4500). */
int ike_send(struct ike *ike, const struct ike_path *p, const uint8_t *msg, size_t len);

/* ike_prop.c: choose from the peer's SA payload; 0 or -ENOENT (no proposal acceptable). */
struct ike_choice {
	uint8_t prop_num;
	uint16_t encr, encr_bits, integ, prf, dh;
	uint8_t esn;
	bool esn_set;
	uint8_t spi[8];
	uint8_t spi_size;
};
/* spi_size: 0 in IKE_SA_INIT, 8 when rekeying the IKE SA (CREATE_CHILD_SA, 1.3.2) */
int ike_prop_choose_ike(const struct ike_msg *m, const struct ike_payload *sa,
			const struct cfg_ike_proposal *mine, unsigned int n_mine, uint8_t spi_size,
			struct ike_choice *out);
/* pfs: CREATE_CHILD_SA, where a KE transform is negotiated; IKE_AUTH ignores them (1.2) */
int ike_prop_choose_esp(const struct ike_msg *m, const struct ike_payload *sa,
			const struct cfg_ike_proposal *mine, unsigned int n_mine, bool pfs,
			struct ike_choice *out);
/* The chosen proposal as a one-proposal SA payload. */
int ike_prop_write(struct ike_wr *w, const struct ike_choice *ch, uint8_t proto);

/* ike_init.c, ike_auth.c, ike_info.c: the responder halves of the exchanges */
void ike_init_respond(struct ike *ike, const struct ike_msg *m, const struct ike_path *p);
void ike_auth_respond(struct ike_sa *sa, struct ike_msg *m, uint8_t *plain, size_t plain_len);
void ike_info_respond(struct ike_sa *sa, struct ike_msg *m, uint8_t *plain, size_t plain_len);
void ike_create_respond(struct ike_sa *sa, struct ike_msg *m);

/* ike_child.c */
struct ike_ts_set;
/* bind: take the VTI over now (a new child); a rekey's result waits for ike_child_flip */
/*
 * keymat in the order of 2.17 (initiator-to-responder keys first); which half is inbound
 * follows sa->initiator. ch->spi_in, when set, is the SPI already offered.
 */
int ike_child_install(struct ike_sa *sa, struct ike_child *ch, const uint8_t *keymat, bool bind);
void ike_child_remove(struct ike_sa *sa, struct ike_child *ch);
size_t ike_child_keymat_len(const struct ike_child *ch);
/* ESP key octets of a transform (salt included for the AEADs; 3DES and MD5: legacy); 0 for
 * what the data plane cannot install. */
size_t ike_child_encr_len(uint16_t encr, uint16_t bits);
size_t ike_child_integ_len(uint16_t integ);
/* A random inbound SPI of 256 or more (RFC 4303 2.1). */
uint32_t ike_child_spi(void);
/* The child config whose selectors meet the request's TSi/TSr, narrowed into tsi and tsr. */
const struct cfg_ike_child *ike_child_select(const struct ike_sa *sa, const struct ike_msg *m,
					     const struct cfg_ike_child *only,
					     struct ike_ts_set *tsi, struct ike_ts_set *tsr);
/* A new child installed unbound (IKEv1's responder, until Quick Mode message 3) takes its VTI,
 * routes and crypto map entry now, and becomes ACTIVE. */
void ike_child_bind(struct ike_sa *sa, struct ike_child *ch);
/* Child i of sa was rekeyed: its successor takes the VTI, it keeps its inbound SA a while. */
void ike_child_flip(struct ike_sa *sa, unsigned int i);
/* The child whose outbound (peer's inbound) SPI is spi, or -1. */
int ike_child_by_spi_out(const struct ike_sa *sa, uint32_t spi);
int ike_child_by_spi_in(const struct ike_sa *sa, uint32_t spi);
/* Drop child i from the array (after ike_child_remove). */
void ike_child_forget(struct ike_sa *sa, unsigned int i);
/*
 * Inbound ESP on sa's children since the last look counts as hearing from the peer (2.4,
 * RFC 3706 5.1): sa->last_rx_tsc moves to now when there was any. It looks (reads the data
 * plane SAs' counters) at most once per `every` TSC cycles: a hub ticks 10 000 IKE SAs ten
 * times a second, and reading every child's counters each time was most of the tick's cost.
 */
void ike_child_traffic(struct ike_sa *sa, uint64_t now, uint64_t every);
/* Periodic: flips and overlaps that are due. */
void ike_child_tick(struct ike_sa *sa, uint64_t now);
/* Write SA (with our new inbound SPI), TSi, TSr and the transport notify of a new child. */
int ike_child_describe(struct ike_wr *w, const struct ike_child *c, struct ike_choice *ch,
		       const struct ike_ts_set *tsi, const struct ike_ts_set *tsr);

/*
 * ike_trace.c: the per-payload debug trace (one line per payload). Each function returns at
 * once unless vpnhub.ike logs at DEBUG (ike_trace_on).
 */
bool ike_trace_on(void);
/* The payloads of message msg as it travels (an SK payload as one line), in or out. */
void ike_trace_wire(const uint8_t *msg, size_t len, bool out);
/* The payloads of a parsed message: the outer chain, or (inner) those of its SK payload. */
void ike_trace_msg(const struct ike_msg *m, bool out, bool inner);
/* The inner payloads of a message about to be sealed under header h. */
void ike_trace_plain(const struct ike_hdr *h, uint8_t first, const uint8_t *plain, size_t len);
/* Payload i of m as one line into buf (for the trace and its tests); returns its length. */
size_t ike_trace_line(const struct ike_msg *m, unsigned int i, bool out, char *buf, size_t size);

/* ike_net.c: write an encrypted message (header h, inner chain plain) into out. */
int ike_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *plain, size_t plain_len,
	     uint8_t first, uint8_t *out, size_t cap, size_t *len);
/* Answer request m of sa with the inner payloads in w (built by ike_wr_init_inner). */
int ike_respond(struct ike_sa *sa, const struct ike_msg *m, struct ike_wr *w);

/* ike_acquire.c: crypto map entries keyed by IKE, and new children the hub asks for */
struct ike_acq;
int ike_acq_init(struct ike *ike); /* after the pools; 0 or -errno */
void ike_acq_fini(struct ike *ike);
void ike_acq_tick(struct ike *ike, uint64_t now);
/* ch's outbound SA keys its entry, if it has one (a new child, or a rekey's flip) */
void ike_acq_bind(struct ike_sa *sa, const struct ike_child *ch);
/* ch's outbound SA goes: its entry acquires again (before the SA is removed) */
void ike_acq_unbind(struct ike_sa *sa, const struct ike_child *ch);
/* sa is up: a new child for every entry of its peer still waiting */
void ike_acq_established(struct ike_sa *sa);
/* the peer refused cc: its entry is down for a while */
void ike_acq_refused(struct ike_sa *sa, const struct cfg_ike_child *cc);
/* SA (our new inbound SPI in sa->offer_spi), Ni (sa->rekey_nonce), [KEi], TSi, TSr of cc */
int ike_child_offer(struct ike_sa *sa, const struct cfg_ike_child *cc, bool transport,
		    struct ike_wr *w);
/*
 * The responder's answer to ike_child_offer: child c (state and transport set by the caller)
 * filled in, keyed (2.17) and installed (bound at once when ACTIVE); sa->n_child counts it.
 * 0, -ENOENT (nothing acceptable), -EPROTO (bad KE) or what the install returned.
 */
int ike_child_accept(struct ike_sa *sa, const struct cfg_ike_child *cc, const struct ike_msg *m,
		     struct ike_child *c);
int ike_child_new_request(struct ike_sa *sa, uint32_t child, struct ike_wr *w);
int ike_child_new_response(struct ike_sa *sa, uint32_t child, const struct ike_msg *m);
/* ike_task.c: initiate peer again after IKE_RESTART_S (a peer with `initiate` only) */
void ike_schedule_restart(struct ike *ike, const struct cfg_ike_peer *peer);
/* ike_task.c: start an IKE SA with peer whose IKE_AUTH offers peer->children[child] */
struct ike_sa *ike_initiate(struct ike *ike, const struct cfg_ike_peer *peer, unsigned int child);

/* ike_guard.c: cookies (2.6), the half-open cap and the cap per source address */
struct ike_guard;
int ike_guard_init(struct ike *ike);
void ike_guard_fini(struct ike *ike);
void ike_guard_tick(struct ike *ike, uint64_t now); /* rotates the cookie secret */
/* May an IKE_SA_INIT request go on? -1, or the drop reason (a COOKIE may have been sent). */
int ike_guard_admit(struct ike *ike, const struct ike_msg *m, const struct ike_path *p);
/* sa, opened by the peer, counts against its source address (init_path) until uncounted */
void ike_guard_count(struct ike_sa *sa);
void ike_guard_uncount(struct ike_sa *sa);

/* ike_natt.c: NAT traversal after IKE_SA_INIT (2.23, RFC 3948) */
/* A verified new message came along p: the IKE SA and its children's ESP follow the peer. */
void ike_sa_move(struct ike_sa *sa, const struct ike_path *p);
void ike_natt_tick(struct ike *ike, uint64_t now); /* NAT-keepalives of the hub behind a NAT */

/* ike_reauth.c: reauthentication (2.8.3) of the IKE SAs the hub can start */
void ike_reauth_tick(struct ike *ike, uint64_t now);
/* n, a reauthentication's new IKE SA, is up: the old one's other children are asked for */
void ike_reauth_established(struct ike_sa *n);

/*
 * ike_prop.c: a peer's SA payload and our proposals in the config's words
 * ("aes128gcm16-prfsha256-x25519, ..."), for the log line of a refusal. Return the length.
 */
size_t ike_prop_offered_str(const struct ike_msg *m, const struct ike_payload *sa, char *buf,
			    size_t size);
size_t ike_prop_config_str(const struct cfg_ike_proposal *props, unsigned int n, char *buf,
			   size_t size);

/* Log why child cc was refused a proposal: the peer's ESP offers and cc's (ike_prop.c). */
void ike_log_child_refused(const struct ike_sa *sa, const struct ike_msg *m,
			   const struct ike_payload *sap, const struct cfg_ike_child *cc);

/*
 * ike_frag.c: IKE fragmentation (RFC 7383). Limits of reassembly: fragments of one message,
 * its reassembled inner payloads, the memory of all partial messages, and how long one waits.
 */
#define IKE_FRAG_MAX	   32
#define IKE_FRAG_REASM_MAX (2 * IKE_MSG_MAX) /* strongSwan takes 10000 by default */
#define IKE_FRAG_MEM_MAX   (8u << 20)
#define IKE_FRAG_TTL_S	   30
#define IKE_FRAG_SET_MAX   (2 * IKE_MSG_MAX) /* a sealed message, or all its fragments */

struct ike_frag_rx;
/*
 * Seal the inner chain plain under header h (next = SK) into out: one message with an SK
 * payload, or, when sa->frag and its datagram would pass the peer's fragment_size, the
 * messages of its SKF fragments back to back (each one's IKE Length says where it ends).
 */
int ike_frag_seal(struct ike_sa *sa, const struct ike_hdr *h, const uint8_t *plain,
		  size_t plain_len, uint8_t first, uint8_t *out, size_t cap, size_t *len);
/* Send every message of a set written by ike_frag_seal (or a single message) along p. */
int ike_send_set(struct ike *ike, const struct ike_path *p, const uint8_t *set, size_t len);
/*
 * An SKF message m of sa (resp: a response) whose message ID the window accepted: verified,
 * kept, and once the message is whole its inner payloads are in *plain (freed by the caller
 * with ike_frag_free_plain) and first is the first inner type. 1: whole; 0: kept or dropped
 * (counted); the caller does nothing more with m either way.
 */
int ike_frag_input(struct ike_sa *sa, const struct ike_msg *m, bool resp, uint8_t **plain,
		   size_t *plain_len, uint8_t *first);
void ike_frag_free_plain(uint8_t *plain, size_t len);
/* Free sa's partial messages (sa goes) or those older than IKE_FRAG_TTL_S (the tick). */
void ike_frag_forget(struct ike_sa *sa);
void ike_frag_tick(struct ike_sa *sa, uint64_t now);

/*
 * ike_redirect.c: RFC 5685 in IKE_SA_INIT. Notify types 16406-16408 (RFC 5685 9) and
 * INVALID_IKE_SPI (RFC 7296 3.10.1), which ike_guard.c sends.
 */
#define IKE_N_INVALID_IKE_SPI	 4
#define IKE_N_REDIRECT_SUPPORTED 16406
#define IKE_N_REDIRECT		 16407
#define IKE_N_REDIRECTED_FROM	 16408
#define IKE_REDIRECT_MAX	 2 /* REDIRECTs an initiator follows in a row (RFC 5685 6) */
/* Responder: true when request m was answered with a REDIRECT (nothing else is to be done). */
bool ike_redirect_respond(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
			  const struct cfg_ike_peer *peer);
/* Initiator: REDIRECT_SUPPORTED, or REDIRECTED_FROM after a redirect, into IKE_SA_INIT. */
int ike_redirect_announce(const struct ike_sa *sa, struct ike_wr *w);
/*
 * Initiator: a response to our IKE_SA_INIT. One with a REDIRECT whose Nonce Data is not our Ni
 * (RFC 5685 3.1) is forged: false, counted, and it is dropped as if it never came (the request
 * stays outstanding). Otherwise true.
 */
bool ike_redirect_genuine(struct ike_sa *sa, const struct ike_msg *m);
/* IKE_SA_INIT again towards the gateway of m's REDIRECT; 0, or -ECONNRESET (given up). */
int ike_redirect_follow(struct ike_sa *sa, const struct ike_msg *m);

/*
 * ike_guard.c: an unprotected error answer to request m (RFC 7296 1.5, 2.21): its SPIs,
 * exchange and message ID copied, R set, one notify of type (and data). Never for a response;
 * at most IKE_ERR_RATE a second over all peers (2.21.4), the rest counted in
 * error_notifies_limited. Returns true when it was sent.
 */
#define IKE_ERR_RATE 20
bool ike_guard_error(struct ike *ike, const struct ike_msg *m, const struct ike_path *p,
		     uint16_t type, const uint8_t *data, size_t len);
/* Another log line about unauthenticated peers in this second (IKE_REFUSAL_LOGS of them)? */
bool ike_guard_log_ok(struct ike *ike);

#endif
