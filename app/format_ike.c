/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format_ike.c - `show crypto ikev2 sa`: the IKE SAs of /vpnhub/ike/sa as one table, in the
 * spirit of IOS `show crypto ikev2 sa` (local and remote endpoints, state, algorithms, age) plus
 * what a hub operator asks next: which configured peer, which role, the inner address handed
 * out, and the Child SAs' SPIs. Transform IDs (RFC 7296 3.3.2) are shown by name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "app/format.h"
#include "app/format_int.h"

enum {
	K_ID,
	K_PEER,
	K_ROLE,
	K_STATE,
	K_LOCAL,
	K_REMOTE,
	K_CIPHER,
	K_DH,
	K_VIP,
	K_AGE,
	K_CHILD,
	K_COLS
};

static const char *const head[K_COLS] = {
	"Id",
	"Peer",
	"Role",
	"State",
	"Local",
	"Remote",
	"Encr/PRF",
	"DH",
	"Virtual IP",
	"Age",
	"Child SAs (in/out SPI)",
};

struct name_id {
	long id;
	const char *name;
};

static const struct name_id encrs[] = {{12, "aes-cbc"}, {20, "aes-gcm"}, {28, "chacha20-poly1305"}};
static const struct name_id prfs[] = {{2, "sha1"}, {5, "sha256"}, {6, "sha384"}, {7, "sha512"}};
static const struct name_id groups[] = {{14, "modp2048"}, {15, "modp3072"}, {16, "modp4096"},
					{19, "ecp256"},	  {20, "ecp384"},   {21, "ecp521"},
					{31, "x25519"}};

/* obj[key] as a number, or -1 when absent or not a number. */
static long num(const struct json *obj, const char *key)
{
	uint64_t v = json_get_u64(obj, key, UINT64_MAX);
	return v == UINT64_MAX || v > 0x7fffffff ? -1 : (long)v;
}

/* The name of v in tab, or v as a number (NA when absent). */
static const char *name_of(const struct name_id *tab, size_t n, long v, char *buf, size_t size)
{
	for (size_t i = 0; i < n; i++)
		if (tab[i].id == v)
			return tab[i].name;
	if (v < 0)
		return NA;
	snprintf(buf, size, "%ld", v);
	return buf;
}

#define NAME_OF(tab, v, buf) name_of(tab, sizeof(tab) / sizeof(tab[0]), v, buf, sizeof(buf))

static void cipher_cell(struct table *t, const struct json *sa)
{
	char a[16], b[16], cell[64];
	long bits = num(sa, "encr_bits");
	const char *e = NAME_OF(encrs, num(sa, "encr"), a);
	const char *p = NAME_OF(prfs, num(sa, "prf"), b);
	if (bits > 0)
		snprintf(cell, sizeof(cell), "%s-%ld/%s", e, bits, p);
	else
		snprintf(cell, sizeof(cell), "%s/%s", e, p);
	fmt_table_put(t, K_CIPHER, cell);
}

static int row(struct table *t, const char *id, const struct json *sa)
{
	char buf[16], age[32];
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_table_put(t, K_ID, id);
	fmt_put_member(t, K_PEER, sa, "peer");
	fmt_put_member(t, K_ROLE, sa, "role");
	fmt_put_member(t, K_STATE, sa, "state");
	fmt_put_member(t, K_LOCAL, sa, "local");
	fmt_put_member(t, K_REMOTE, sa, "remote");
	cipher_cell(t, sa);
	fmt_table_put(t, K_DH, NAME_OF(groups, num(sa, "dh"), buf));
	fmt_put_member(t, K_VIP, sa, "virtual_ip");
	long s = num(sa, "age_s");
	if (s >= 0)
		snprintf(age, sizeof(age), "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
	fmt_table_put(t, K_AGE, s >= 0 ? age : NA);
	fmt_put_member(t, K_CHILD, sa, "children");
	return 0;
}

int format_ike_sa(FILE *out, const struct json *data, enum format_family af)
{
	struct table t;
	(void)af;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = fmt_table_open(&t, head, K_COLS);
	for (const struct json *m = json_first(data); m != NULL && rc == 0; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			rc = row(&t, json_key(m), m);
	if (rc == 0 && t.nrows == 1) {
		fmt_table_free(&t);
		fputs("% no IKE SAs\n", out);
		return ferror(out) ? -EIO : 0;
	}
	return fmt_table_finish(out, &t, rc);
}
