/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/ike_pair.h - IKE engines in one process, for the two-engine unit suite
 * (test/unit/test_ike_engine.c) and the control-core benchmark (perf/ike_bench.c).
 *
 * An engine is a real struct ctrl brought up by ctrl_init() from its own YAML, as app/hub.c
 * brings the hub up, over a data plane made here: one worker that is never launched, its
 * interface, FIB, neighbor and SA tables, and the config's interfaces published without a DPDK
 * port. IKE's 100 ms timer and the SA lifetime poll are stopped (the caller ticks ike_tick on
 * its own clock) and IKE's transport and clock hooks are the caller's. Messages go in through
 * ike_input() in the datagram ike_pair_datagram builds, as the punt path hands them over.
 */
#ifndef VPNHUB_TEST_IKE_PAIR_H
#define VPNHUB_TEST_IKE_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "conf/config.h"
#include "ctrlplane/ctrl.h"
#include "ctrlplane/ike/ike_int.h"

struct ike_pair_eng {
	char name[8];
	struct config *cfg;
	struct dp *dp;
	struct ctrl c;
	bool up;
};

typedef int (*ike_pair_xmit)(struct ike *ike, const struct ike_path *p, const uint8_t *msg,
			     size_t len);
typedef uint64_t (*ike_pair_clock)(const struct ike *ike);

/* Engine idx up from yaml with the given hooks (clock NULL: the TSC). 0, or -1 said on stderr. */
int ike_pair_up(struct ike_pair_eng *e, int idx, const char *yaml, ike_pair_xmit xmit,
		ike_pair_clock clock);
/* Down with n engines, IKE first on every one, then ipsec, then each control and data plane:
 * ctrl_fini finalizes the timer subsystem the others still hold. Engines not up are skipped. */
void ike_pair_down(struct ike_pair_eng *e, unsigned int n);
/* The IPv4 datagram of msg along p (the sender's view), L2 at 0, in an mbuf of pool; NULL. */
struct rte_mbuf *ike_pair_datagram(struct rte_mempool *pool, const struct ike_path *p,
				   const uint8_t *msg, size_t len);

#endif
