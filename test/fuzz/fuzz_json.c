/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_json.c - libFuzzer harness for vpnhubctl's JSON parser and writer and for the
 * show tables drawn from what it parses.
 * A parsed document must print and re-parse to a document that prints the same. Every format_*()
 * table then runs on the document and on each object member of it (a telemetry reply arrives as
 * {"/vpnhub/...": data}). app/format.h promises that any reply prints: 0 for an object, -EINVAL
 * for anything else, and text that is UTF-8 without control characters but the newline.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/format.h"
#include "app/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum table { T_VERSION, T_IFACES, T_ROUTES, T_NEIGH, T_STATS, T_CONFIG, T_SA, T_SUMMARY, T_MAX };

#define FILTERS 4

static const enum format_family families[] = {FORMAT_AF_ANY, FORMAT_AF_INET, FORMAT_AF_INET6};

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

/* The code point of the UTF-8 sequence at s[0..len) and its length; 0 for a malformed one. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t k = 0; /* leading one bits: 0 for ASCII, 1 for a continuation byte */
	while (k < 5 && (s[0] & (0x80 >> k)) != 0)
		k++;
	if (k == 0)
		k = 1;
	else if (k == 1 || k > 4 || k > len)
		return 0;
	*cp = k == 1 ? s[0] : s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < least[k] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return k;
}

/* What a terminal may receive: well-formed UTF-8, no C0 or C1 control but '\n', no DEL. */
static bool printable(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0, k; i < len; i += k) {
		uint32_t cp;
		k = decode(s + i, len - i, &cp);
		if (k == 0 || (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
			return false;
	}
	return true;
}

static int draw(FILE *f, enum table t, const struct json *d, enum format_family af,
		const struct format_sa_filter *sa)
{
	switch (t) {
	case T_VERSION:
		return format_version(f, d);
	case T_IFACES:
		return format_interfaces(f, d);
	case T_ROUTES:
		return format_routes(f, d, af);
	case T_NEIGH:
		return format_neighbors(f, d, af);
	case T_STATS:
		return format_stats(f, d);
	case T_CONFIG:
		return format_config(f, d);
	case T_SA:
		return format_ipsec_sa(f, d, sa);
	default:
		return format_ipsec_sa_summary(f, d, sa);
	}
}

/* One table into a stream of its own; the return code and the text must keep format.h's word. */
static void show(enum table t, const struct json *d, enum format_family af,
		 const struct format_sa_filter *sa)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		abort();
	int rc = draw(f, t, d, af, sa);
	if (fclose(f) != 0)
		abort();
	if (rc != (json_type(d) == JSON_OBJECT ? 0 : -EINVAL) || !printable(buf, len))
		abort();
	free(buf);
}

/*
 * Filters to try on d: none, the peer and the SPI of its first SA (fixed ones when it has none
 * that parse) so that mutated replies still select something, and both at once.
 */
static void filters(const struct json *d, struct format_sa_filter f[FILTERS])
{
	const struct json *sa = json_first(d);
	while (sa != NULL && json_type(sa) != JSON_OBJECT)
		sa = json_next(sa);
	memset(f, 0, FILTERS * sizeof(*f));
	if (format_sa_filter_set(&f[1], "peer", json_get_str(sa, "remote", "")) != 0 &&
	    format_sa_filter_set(&f[1], "peer", "192.0.2.2") != 0)
		abort();
	if (format_sa_filter_set(&f[2], "spi", json_get_str(sa, "spi", "")) != 0 &&
	    format_sa_filter_set(&f[2], "spi", "0x1001") != 0)
		abort();
	f[3] = f[1];
	f[3].by_spi = true;
	f[3].spi = f[2].spi;
}

/* Every table of d: routes and neighbors for each family, the SA views with each filter and
 * with none (NULL). */
static void show_all(const struct json *d)
{
	struct format_sa_filter f[FILTERS];
	filters(d, f);
	for (enum table t = 0; t < T_MAX; t++) {
		size_t n = 1;
		if (t == T_ROUTES || t == T_NEIGH)
			n = 3;
		else if (t == T_SA || t == T_SUMMARY)
			n = FILTERS + 1;
		for (size_t i = 0; i < n; i++)
			show(t, d, families[i % 3], i < FILTERS ? &f[i] : NULL);
	}
}

/* Selection edits the tree, so it runs last: a second pass must keep every member the first one
 * kept, and what is left must still print. */
static void select_and_show(struct json *d)
{
	struct format_sa_filter f[FILTERS];
	int want = json_type(d) == JSON_OBJECT ? 0 : -EINVAL;
	filters(d, f);
	for (size_t i = 1; i < FILTERS; i++) {
		if (format_ipsec_sa_select(d, &f[i]) != want)
			abort();
		size_t count = json_count(d);
		if (format_ipsec_sa_select(d, &f[i]) != want || json_count(d) != count)
			abort();
		show(T_SA, d, FORMAT_AF_ANY, NULL);
		show(T_SUMMARY, d, FORMAT_AF_ANY, &f[i]);
	}
}

/* The document's members are taken off one by one, selected and put back (arrays drop them). */
static void select_members(struct json *v)
{
	size_t count = json_count(v);
	for (size_t i = 0; i < count; i++) {
		struct json *m = json_take_first(v);
		if (json_type(m) == JSON_OBJECT)
			select_and_show(m);
		if (json_append(v, m, NULL) != 0)
			json_free(m);
	}
	select_and_show(v);
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
	json_free(w);
	show_all(v);
	for (const struct json *m = json_first(v); m != NULL; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			show_all(m);
	select_members(v);
	json_free(v);
	return 0;
}
