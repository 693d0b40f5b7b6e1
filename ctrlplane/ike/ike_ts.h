/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ike/ike_ts.h - traffic selector narrowing (RFC 7296 2.9) and the data plane
 * selectors of a Child SA. Control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IKE_IKE_TS_H
#define VPNHUB_CTRLPLANE_IKE_IKE_TS_H

#include "conf/config.h"
#include "ctrlplane/ike/ike_msg.h"
#include "dataplane/sa.h"

/* Selectors the hub writes: the ike_ts entries point into addr. */
struct ike_ts_set {
	struct ike_ts ts[IKE_MSG_TS_MAX];
	uint8_t addr[IKE_MSG_TS_MAX][2][16];
	unsigned int n;
};

/* out = the TS payload pl of m narrowed to cfg[0..n_cfg); returns out->n (0: unacceptable). */
unsigned int ike_ts_narrow(const struct ike_msg *m, const struct ike_payload *pl,
			   const struct cfg_ike_ts *cfg, unsigned int n_cfg,
			   struct ike_ts_set *out);

/* Add the intersection of proposed selector a and configured c to out, if not empty. */
void ike_ts_meet(const struct ike_ts *a, const struct cfg_ike_ts *c, struct ike_ts_set *out);

struct ike_rri;
/* The ranges of set that are prefixes, as routes to inject (at most max); returns how many. */
unsigned int ike_ts_rri(const struct ike_ts_set *set, struct ike_rri *out, unsigned int max);

struct ike_sa;
/*
 * remote_ts: dynamic (3.15): the peer's side is the inner addresses its pools gave it, each a
 * host prefix (/32, /128), any protocol and port. Fills out[0..2); returns how many (0: none).
 */
unsigned int ike_ts_vip(const struct ike_sa *sa, struct cfg_ike_ts out[2]);

/* The configured selectors as the hub proposes them (n == 0: any IPv4 and any IPv6). */
void ike_ts_from_cfg(const struct cfg_ike_ts *cfg, unsigned int n, struct ike_ts_set *out);

/*
 * Data plane selectors (dataplane/sa.h) for packets from src to dst: one per pair of the same
 * family. Returns how many, or -1 when a range is not a prefix or more than cap are needed.
 */
int ike_ts_to_sel(const struct ike_ts_set *src, const struct ike_ts_set *dst, struct sa_sel *sel,
		  unsigned int cap);

#endif
