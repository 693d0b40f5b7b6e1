/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ikev1_sig.h - IKEv1 Main Mode authenticated with digital signatures (RFC 2409
 * 5.1) for a peer with auth: pubkey: the method of our key's type (RSA signature 3, ECDSA 9 or
 * 10 of RFC 4754), CR payloads in messages 3 and 4, our CERT payloads and SIG in message 5 or 6,
 * and the peer's certificate chain, identity and SIG checked there. ikev1_main.c calls it; the
 * X.509 and signature work is crypto/ike_cert.h's and crypto/ike_sig.h's. Aggressive Mode stays
 * with pre-shared keys. Control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKEV1_SIG_H
#define VPNHUB_CTRLPLANE_IKE_IKEV1_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrlplane/ike/ikev1_int.h"

/* auth (enum ikev1_auth) is one of the signature methods: SKEYID, HASH and SIG are theirs. */
bool ikev1_sig_method(uint16_t auth);

/*
 * The Phase 1 method of a peer with auth: pubkey, by the type of its key: RSA signature (3),
 * ECDSA-256 (9) or ECDSA-384 (10); a one-entry list (*n = 1) holding 0, which no transform
 * carries, when the key is none of those.
 */
const uint16_t *ikev1_sig_auths(const struct cfg_ike_peer *peer, unsigned int *n);

/*
 * Message 3 or 4: one CR (certificate request, RFC 2408 3.10) per CA of sa's peer, X.509
 * Signature, naming the CA's subject, so that the peer sends its certificate; nothing when the
 * peer says send_certreq: false.
 */
int ikev1_sig_write_cr(const struct ike_sa *sa, struct ikev1_wr *w);

/*
 * Message 5 or 6, after our ID payload (body id_b): our certificate and the chain its file
 * holds after it, each in a CERT payload, then SIG_I or SIG_R over HASH_I or HASH_R.
 * -EKEYEXPIRED when our certificate is not valid now (logged and counted, ike_cert_ours).
 */
int ikev1_sig_write(struct ike_sa *sa, struct ikev1_wr *w, const uint8_t *id_b, size_t id_len);

/*
 * Message 5 or 6 (msg_no), decrypted into m: the peer's ID is its remote_id, its certificate
 * (the first X.509 CERT, the others intermediates) chains to a CA of the peer at the current
 * time and vouches for that ID, and its SIG verifies over HASH_I or HASH_R. 0 with sa->peer_id
 * kept; else -EACCES, counted once (ikev1_id, ike_cert_untrusted, ike_cert_expired,
 * ike_cert_id or ikev1_auth_failed) and logged with the reason.
 */
int ikev1_sig_check(struct ike_sa *sa, const struct ikev1_msg *m, unsigned int msg_no);

#endif
