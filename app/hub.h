/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/hub.h - a hub instance: config, data plane and control state, built after EAL init.
 * Used by the vpnhub program and by in-process harnesses (fuzzing, tests). Main lcore only.
 */
#ifndef VPNHUB_APP_HUB_H
#define VPNHUB_APP_HUB_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/config.h"
#include "ctrlplane/ctrl.h"
#include "dataplane/dp.h"

struct hub {
	struct config *cfg; /* owned by the caller */
	struct dp *dp;
	struct ctrl ctrl;
	bool ctrl_up;
};

/*
 * Build everything for h->cfg: ports are started, tables published, telemetry registered when
 * configured; worker lcores are launched when launch is true (a harness may drive
 * dp_input/ctrl_poll itself instead). Returns 0, or a negative errno with err filled in; call
 * hub_stop either way.
 */
int hub_start(struct hub *h, bool launch, char *err, size_t errlen);
/* Stop the workers, then free everything hub_start built (not h->cfg). */
void hub_stop(struct hub *h);

#endif
