/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/imb.h - intel-ipsec-mb manager per lcore.
 *
 * Each lcore that runs ESP transforms owns one IMB_MGR (the manager is not thread-safe); the
 * library picks the widest code path the CPU supports (SSE/AVX/AVX2/AVX512) at init.
 */
#ifndef VPNHUB_CRYPTO_IMB_H
#define VPNHUB_CRYPTO_IMB_H

#include <intel-ipsec-mb.h>

/* Allocate (DPDK memory, so after EAL init) and initialise a manager; NULL on failure. */
IMB_MGR *crypto_imb_mgr_create(void);
void crypto_imb_mgr_free(IMB_MGR *mgr);

/* Name of the code path the library selects on this CPU ("AVX512", "AVX2", ...). */
const char *crypto_imb_arch(void);
/* Library version string ("1.3.0"). */
const char *crypto_imb_version(void);

#endif
