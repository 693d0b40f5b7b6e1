/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctrlplane/ipsec.h - manually keyed SAs and route-based tunnel interfaces (VTI) from the
 * config, installed through the same SA API that IKE uses. Main/control lcore only.
 */
#ifndef VPNHUB_CTRLPLANE_IPSEC_H
#define VPNHUB_CTRLPLANE_IPSEC_H

#include "crypto/esp_xform.h"
#include "ctrlplane/ctrl.h"

/*
 * Install every SA of cfg and publish every tunnel interface (after the physical interfaces,
 * before the routes). Returns 0, or a negative errno with err filled in.
 */
int ipsec_load(struct ctrl *c, const struct config *cfg, char *err, size_t errlen);

/* Map the config's algorithm names onto the transforms'. */
int ipsec_xform_conf(const struct cfg_sa *s, struct esp_xform_conf *x);

#endif
