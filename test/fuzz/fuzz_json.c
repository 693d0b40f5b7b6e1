/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_json.c - libFuzzer harness for vpnhubctl's JSON parser and writer.
 * A parsed document must print and re-parse to a document that prints the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print(const struct json *v, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (f == NULL)
		abort();
	json_write(f, v, 0);
	fclose(f);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *v = NULL, *w = NULL;
	struct json_error e;
	size_t l1, l2;
	if (json_parse((const char *)data, size, &v, &e) != 0)
		return 0;
	char *a = print(v, &l1);
	if (json_parse(a, l1, &w, &e) != 0)
		abort(); /* our own output must parse */
	char *b = print(w, &l2);
	if (l1 != l2 || memcmp(a, b, l1) != 0)
		abort();
	free(a);
	free(b);
	json_free(v);
	json_free(w);
	return 0;
}
