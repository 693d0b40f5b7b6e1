/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crypto/imb.c - intel-ipsec-mb manager lifecycle and code-path reporting (see imb.h).
 */
#include <stddef.h>

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

IMB_MGR *crypto_imb_mgr_create(void)
{
	IMB_ARCH arch = IMB_ARCH_NONE;
	IMB_MGR *mgr = alloc_mb_mgr(0);
	if (mgr == NULL)
		return NULL;
	init_mb_mgr_auto(mgr, &arch);
	if (arch == IMB_ARCH_NONE || imb_get_errno(mgr) != 0) {
		free_mb_mgr(mgr);
		return NULL;
	}
	return mgr;
}

void crypto_imb_mgr_free(IMB_MGR *mgr)
{
	if (mgr != NULL)
		free_mb_mgr(mgr);
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
