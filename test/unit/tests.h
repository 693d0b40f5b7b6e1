/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/tests.h - registration hooks of the CUnit suites.
 * Each test_<file>.c adds its suite(s) in test_<file>_register() and returns 0 or a CUnit error.
 * main.c has already initialised EAL (--no-huge, --no-pci, in-memory) when these run.
 */
#ifndef VPNHUB_TEST_UNIT_TESTS_H
#define VPNHUB_TEST_UNIT_TESTS_H

#include <CUnit/CUnit.h>

int test_config_register(void);
int test_json_register(void);
int test_fib_register(void);
int test_neigh_register(void);
int test_classify_register(void);
int test_counters_register(void);
int test_eal_args_register(void);
int test_replay_register(void);
int test_esp_xform_register(void);
int test_ike_dh_register(void);
int test_ike_prf_register(void);
int test_ike_sk_register(void);
int test_ike_msg_register(void);
int test_ike_prop_register(void);
int test_ike_ts_register(void);
int test_ike_cert_register(void);
int test_ike_engine_register(void);
int test_ikev1_engine_register(void);
int test_ike_pool_register(void);
int test_ikev1_msg_register(void);
int test_ikev1_prop_register(void);
int test_ikev1_kdf_register(void);
int test_esp_register(void);
int test_spd_register(void);
int test_frag_register(void);

#endif
