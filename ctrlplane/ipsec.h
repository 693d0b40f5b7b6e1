/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ipsec.h - manually keyed SAs, route-based tunnel interfaces (VTI) and policy-based
 * crypto maps (SPDs, dataplane/spd.h) from the config, installed through the same SA API that IKE
 * uses. Main/control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IPSEC_H
#define VPNHUB_CTRLPLANE_IPSEC_H

#include "crypto/esp_xform.h"
#include "ctrlplane/ctrl.h"
#include "dataplane/sa.h"

/*
 * Install every SA of cfg, publish every tunnel interface, then build and publish the SPD of
 * every crypto map on its interface, one log line per map (after the physical interfaces,
 * before the routes). Returns 0, or a negative errno with err filled in.
 */
int ipsec_load(struct ctrl *c, const struct config *cfg, char *err, size_t errlen);

/* Stop the lifetime poll and free what ipsec_load allocated, the SPDs too (workers stopped). */
void ipsec_fini(struct ctrl *c);

/*
 * Called once per SA when it reaches its soft lifetime (hard == false: time to rekey, RFC 4301
 * 4.4.2.1) and once when it reaches its hard lifetime (it no longer carries traffic). The key
 * exchange registers here; without one the events are only logged. Control lcore.
 */
typedef void (*ipsec_expiry_fn)(struct ctrl *c, uint32_t sa_id, bool hard);
void ipsec_on_expiry(ipsec_expiry_fn fn);

/* Raise the lifetime events due now (also run by a 100 ms timer). Control lcore. */
void ipsec_lifetime_poll(struct ctrl *c);

/* Re-point outbound SAs whose peer moved behind a NAT (also run by the 100 ms timer). */
void ipsec_peer_poll(struct ctrl *c);

/* Worst-case bytes ESP adds around an inner packet of sa (RFC 4303 2, RFC 3948 2.1). */
struct sa;
unsigned int ipsec_sa_overhead(const struct sa *sa);

/* Map the config's algorithm names onto the transforms'. */
int ipsec_xform_conf(const struct cfg_sa *s, struct esp_xform_conf *x);

/*
 * An inbound SA's one selector (RFC 4301 4.4.1.1, 5.2 step 4): the peer's prefix and ports are
 * the source, ours the destination; proto 0 is any. Family from ours. Sets sc->n_sel to 1.
 */
void ipsec_sel_inbound(struct sa_conf *sc, uint8_t proto, const struct cfg_addr *peer,
		       uint16_t peer_lo, uint16_t peer_hi, const struct cfg_addr *ours,
		       uint16_t our_lo, uint16_t our_hi);

#endif
