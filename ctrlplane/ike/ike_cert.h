/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_cert.h - certificate authentication in the IKEv2 exchanges (RFC 7296 1.2,
 * 2.15, 3.6-3.8; RFC 7427): what IKE_SA_INIT and IKE_AUTH carry for a peer with auth: pubkey,
 * on both sides of the exchange. ike_init.c and ike_auth.c call it; the X.509 and signature
 * work is crypto/ike_cert.h's. Control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_CERT_H
#define VPNHUB_CTRLPLANE_IKE_IKE_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "ctrlplane/ike/ike_int.h"

/*
 * IKE_SA_INIT, request or response: SIGNATURE_HASH_ALGORITHMS (RFC 7427 4) when the SA's peer,
 * or as responder any peer of this local address, authenticates with certificates; and in the
 * response a CERTREQ (3.7, 1.2) naming the CAs of those peers (IKE_AUTH's IDi will choose one),
 * so that the initiator sends its certificate.
 */
/* An identity (RFC 7296 3.5 / RFC 2407 4.6.2.1: the same types) for a log line: addresses
 * and DNs in text, names printable and bounded, other types by number. */
void ike_cert_id_str(uint8_t type, const uint8_t *data, size_t len, char *out, size_t cap);

int ike_cert_sa_init(const struct ike_sa *sa, struct ike_wr *w);

/* The hash algorithms the peer announced in its IKE_SA_INIT message m, into sa->sig_hashes. */
void ike_cert_peer_hashes(struct ike_sa *sa, const struct ike_msg *m);

/*
 * IKE_AUTH, our side (sa->peer has auth: pubkey): our CERT payloads (our certificate, then its
 * chain, 3.6), a CERTREQ when we are the initiator (3.7), and AUTH, our signature over our
 * signed octets (2.15) with the ID payload body id_body. 0; -EKEYEXPIRED when our certificate
 * is not valid now (logged and counted here: nothing is sent with it); another negative errno.
 */
int ike_cert_auth_write(struct ike_sa *sa, const uint8_t *id_body, size_t id_len, struct ike_wr *w);

/*
 * IKE_AUTH, the peer's side: its certificate (the first X.509 CERT payload, with the others as
 * intermediates) chains to a CA of sa->peer, vouches for its ID payload id (3.5), and its AUTH
 * verifies over its signed octets. -1 when all holds (logged); else the enum ike_drop reason,
 * and a line for the log naming what failed in why.
 */
int ike_cert_auth_check(const struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_payload *id, const struct ike_payload *auth, char *why,
			size_t why_len);

#endif
