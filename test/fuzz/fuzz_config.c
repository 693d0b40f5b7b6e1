/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_config.c - libFuzzer harness for the YAML config loader.
 * Any input must load or be refused with a file:line:col message; never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	char err[CFG_ERR_MAX];
	int rc = cfg_load_buffer("fuzz.yaml", (const char *)data, size, &cfg, err, sizeof(err));
	if (rc == 0) {
		cfg_free(cfg);
	} else if (cfg != NULL || strncmp(err, "fuzz.yaml:", 10) != 0) {
		abort(); /* a refusal must leave nothing behind and say where */
	}
	return 0;
}
