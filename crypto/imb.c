/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/imb.c - intel-ipsec-mb manager lifecycle and code-path reporting (see imb.h).
 */
#include <stddef.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "crypto/imb.h"

static const char *arch_name(IMB_ARCH a)
{
	switch (a) {
	case IMB_ARCH_NOAESNI:
		return "NOAESNI";
	case IMB_ARCH_SSE:
		return "SSE";
	case IMB_ARCH_AVX:
		return "AVX";
	case IMB_ARCH_AVX2:
		return "AVX2";
	case IMB_ARCH_AVX512:
		return "AVX512";
	default:
		return "none";
	}
}

/*
 * The manager lives in DPDK memory (hugepage-backed, on the caller's socket) like the rest of a
 * worker's state; the library only lays its pointers out in it.
 */
IMB_MGR *crypto_imb_mgr_create(void)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	void *mem = rte_zmalloc("imb_mgr", imb_get_mb_mgr_size(), RTE_CACHE_LINE_SIZE);
	if (mem == NULL)
		return NULL;
	IMB_MGR *mgr = imb_set_pointers_mb_mgr(mem, 0, 1);
	init_mb_mgr_auto(mgr, &arch);
	if (arch == IMB_ARCH_NONE || imb_get_errno(mgr) != 0) {
		rte_free(mem);
		return NULL;
	}
	return mgr;
}

void crypto_imb_mgr_free(IMB_MGR *mgr)
{
	rte_free(mgr); /* the manager starts at the memory imb_set_pointers_mb_mgr was given */
}

const char *crypto_imb_arch(void)
{
	static const char *name;
	if (name == NULL) {
		IMB_ARCH arch = IMB_ARCH_NONE;
		IMB_MGR *mgr = alloc_mb_mgr(0);
		if (mgr == NULL)
			return "none";
		init_mb_mgr_auto(mgr, &arch);
		free_mb_mgr(mgr);
		name = arch_name(arch);
	}
	return name;
}

const char *crypto_imb_version(void)
{
	return imb_get_version_str();
}
