/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format_int.h - the table builder and cell helpers that app/format.c lends to the other
 * format_*.c files. Private to them: vpnhubctl and the tests use app/format.h only.
 *
 * Invariants: a cell holds at most CELL_MAX - 1 bytes, cut at a UTF-8 boundary; every string put
 * into a cell or through fmt_clean() comes out free of C0 and C1 controls, so reply data can be
 * printed as it is. A missing member shows as NA, one of the wrong type as ODD.
 */
#ifndef VPNHUB_APP_FORMAT_INT_H
#define VPNHUB_APP_FORMAT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/json.h"

#define CELL_MAX 96
#define COLS_MAX 12
#define NA	 "-"
#define ODD	 "?"

/* Row 0 holds the header. */
struct table {
	size_t ncols;
	size_t nrows;
	size_t cap;
	char (*cell)[CELL_MAX];
};

/* Copy src[0..len) into dst for display: a control becomes one '?', overlong text is cut. */
void fmt_clean(char *dst, size_t size, const char *src, size_t len);
/* Display text of obj[key] (any scalar; NA when absent, null or empty), cleaned. */
void fmt_member_text(char *dst, size_t size, const struct json *obj, const char *key);

/* Start a table of ncols (1..COLS_MAX) columns whose first row is head. 0, -EINVAL or -ENOMEM;
 * either way *t is then given to fmt_table_finish() or fmt_table_free(). */
int fmt_table_open(struct table *t, const char *const *head, size_t ncols);
/* Append an empty row; cells are then filled with fmt_table_put(). 0 or -ENOMEM. */
int fmt_table_add(struct table *t);
/* Set a cell of the last row. */
void fmt_table_put(struct table *t, size_t col, const char *s);
/* The cell as fmt_member_text() would show obj[key]. */
void fmt_put_member(struct table *t, size_t col, const struct json *obj, const char *key);
/* A counter: NA when absent or null, ODD when not a number. */
void fmt_put_count(struct table *t, size_t col, const struct json *obj, const char *key);
/* Print the table aligned when rc is 0, then free it. rc, or -EIO on a write error. */
int fmt_table_finish(FILE *out, struct table *t, int rc);
void fmt_table_free(struct table *t);

/* A note when a paged reply holds fewer entries than its "total" announced. */
void fmt_note_partial(FILE *out, const struct json *data);

/* ---- IKE SAs (app/format_ike.c), for the IKEv2 and the ISAKMP tables ---- */

/* The IKEv2 transform registries (RFC 7296 3.3.2), in which the hub reports IKEv1 SAs too. */
enum fmt_ike_reg {
	FMT_IKE_ENCR,
	FMT_IKE_INTEG,
	FMT_IKE_PRF,
	FMT_IKE_DH,
};

/* The name of transform obj[key] of reg ("sha256"), else its number written into buf; NA when
 * obj[key] is absent or not a number. */
const char *fmt_ike_name(enum fmt_ike_reg reg, const struct json *obj, const char *key, char *buf,
			 size_t size);
/* obj's encryption with its key length ("aes-cbc-256"), and with with_integ its integrity
 * transform when it has one ("aes-cbc-256/sha256-128"). */
void fmt_ike_transform(char *out, size_t size, const struct json *obj, bool with_integ);
/* The IKE version of an SA entry: its "version", 2 when absent (hubs before IKEv1), -1 when odd. */
int fmt_ike_version(const struct json *sa);

#endif
