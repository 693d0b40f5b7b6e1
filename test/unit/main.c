/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/main.c - the CUnit runner for every unit suite.
 * Usage: vpnhub-unit [SUITE-NAME-SUBSTRING]
 * EAL is brought up once, without hugepages or PCI, with a per-process file prefix, because the
 * FIB, neighbor and classify suites use rte_malloc-backed tables and mbufs.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_log.h>

#include "tests.h"

static int (*const registrars[])(void) = {
	test_config_register,	  test_json_register,	    test_fib_register,
	test_neigh_register,	  test_classify_register,   test_counters_register,
	test_eal_args_register,	  test_replay_register,	    test_esp_xform_register,
	test_esp_register,	  test_spd_register,	    test_frag_register,
	test_ike_dh_register,	  test_ike_prf_register,    test_ike_sk_register,
	test_ike_msg_register,	  test_ike_prop_register,   test_ike_ts_register,
	test_ike_cert_register,	  test_ike_engine_register, test_ikev1_engine_register,
	test_ike_pool_register,	  test_ikev1_msg_register,  test_ikev1_kdf_register,
	test_ikev1_prop_register,
};

static int eal_up(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=vhunit%d", (int)getpid());
	char *argv[] = {
		"vpnhub-unit", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
		"-m",	       "512",	    "-l",	"0",	       "--log-level",
		"lib.*:error", prefix,	    NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	return rte_eal_init(argc, argv) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (eal_up() < 0) {
		fprintf(stderr, "vpnhub-unit: EAL init failed\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof(registrars) / sizeof(registrars[0]); i++) {
		if (registrars[i]() != CUE_SUCCESS) {
			fprintf(stderr, "vpnhub-unit: suite registration failed: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		CU_pSuite s = CU_get_suite(argv[1]);
		if (s == NULL) {
			fprintf(stderr, "vpnhub-unit: no suite named %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		CU_basic_run_suite(s);
	} else {
		CU_basic_run_tests();
	}
	unsigned int failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned int run = CU_get_number_of_tests_run();
	unsigned int tfailed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	/* the per-process runtime directory would otherwise pile up under /var/run/dpdk */
	char rundir[PATH_MAX];
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
	printf("\nunit: %u passed, %u failed\n", run - tfailed, tfailed);
	return failed ? 1 : 0;
}
