/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_aaa.h - who may log in: the authentication hook that XAUTH (IKEv1 remote
 * access, ikev1_cfg.c) asks about a user name and password.
 *
 * The question is asynchronous by shape: ike_aaa_check() hands the request to a backend and
 * the answer comes through done(), now (the local users of ike.users answer at once) or later
 * (a RADIUS backend would send an Access-Request and call done() when the Access-Accept or
 * -Reject arrives, from the control loop). The caller identifies what waits by a cookie of its
 * own (the ISAKMP SA's SPI and the exchange), never by a pointer, so an SA deleted meanwhile
 * simply finds no one to hand the answer to. Passwords are wiped by the backend once used.
 *
 * Control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_AAA_H
#define VPNHUB_CTRLPLANE_IKE_IKE_AAA_H

#include <stddef.h>
#include <stdint.h>

struct ike;

enum ike_aaa_result {
	IKE_AAA_ACCEPT = 0,
	IKE_AAA_REJECT,	     /* unknown user or wrong password */
	IKE_AAA_UNAVAILABLE, /* the backend could not answer */
};

/* What waits for the answer: the ISAKMP SA (our SPI) and its exchange. */
struct ike_aaa_cookie {
	uint8_t spi[8];
	uint32_t msg_id;
};

typedef void (*ike_aaa_done)(struct ike *ike, const struct ike_aaa_cookie *c, enum ike_aaa_result r,
			     const char *reason);

struct ike_aaa_backend {
	const char *name;
	/* start checking user/password; done() is called exactly once, maybe before returning */
	void (*check)(struct ike *ike, const char *user, const uint8_t *password, size_t len,
		      const struct ike_aaa_cookie *c, ike_aaa_done done);
};

/* The local users of the config (ike.users): constant-time password comparison. */
extern const struct ike_aaa_backend ike_aaa_local;

/* Ask the configured backend (today: the local users). */
void ike_aaa_check(struct ike *ike, const char *user, const uint8_t *password, size_t len,
		   const struct ike_aaa_cookie *c, ike_aaa_done done);

#endif
