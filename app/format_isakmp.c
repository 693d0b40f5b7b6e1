/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format_isakmp.c - `show crypto isakmp sa`: the IKEv1 (ISAKMP, RFC 2408/2409) SAs of
 * /vpnhub/ike/sa in the layout of IOS `show crypto isakmp sa`: a table per address family with
 * dst, src, the Phase 1 state, conn-id and status, then the configured peer, the Phase 1
 * encryption, hash and DH group (names from app/format_ike.c) and whether NAT-T is in use.
 *
 * Invariants: IKEv2 SAs are never listed (an entry without "version" is IKEv2). As in IOS, dst is
 * the responder: the peer for an SA the hub initiated, the hub itself otherwise. conn-id is 1001
 * plus the entry's index in the merged reply, so it numbers the rows of one listing and may name
 * another SA in the next.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/format.h"
#include "app/format_int.h"

/* IOS numbers ISAKMP connections from 1001. */
#define CONN_ID_BASE 1001

enum { C_DST, C_SRC, C_STATE, C_CONN, C_STATUS, C_PEER, C_ENCR, C_HASH, C_DH, C_NATT, C_COLS };

static const char *const head[C_COLS] = {
	"dst", "src", "state", "conn-id", "status", "peer", "encr", "hash", "dh", "nat-t",
};

/* obj[key] without its ":port". The hub writes "addr:port" with IPv6 unbracketed, so the port is
 * what follows the last ':'. */
static void addr(char *buf, size_t size, const struct json *obj, const char *key)
{
	fmt_member_text(buf, size, obj, key);
	char *colon = strrchr(buf, ':');
	if (colon != NULL && colon != buf && colon[1] != '\0' &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1))
		*colon = '\0';
}

/* CONN_ID_BASE + the member's index; NA for a key that is not an index. */
static void conn_id(char *buf, size_t size, const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n > 9 || strspn(key, "0123456789") != n)
		snprintf(buf, size, "%s", NA);
	else
		snprintf(buf, size, "%lu", CONN_ID_BASE + strtoul(key, NULL, 10));
}

static const char *status(const struct json *sa)
{
	const char *s = json_get_str(sa, "state", "");
	if (strcmp(s, "established") == 0)
		return "ACTIVE";
	return strcmp(s, "deleted") == 0 ? "(deleted)" : "";
}

static int row(struct table *t, const char *key, const struct json *sa, const char *local,
	       const char *remote)
{
	char buf[CELL_MAX];
	bool initiator = strcmp(json_get_str(sa, "role", ""), "initiator") == 0;
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_table_put(t, C_DST, initiator ? remote : local);
	fmt_table_put(t, C_SRC, initiator ? local : remote);
	fmt_put_member(t, C_STATE, sa, "isakmp_state");
	conn_id(buf, sizeof(buf), key);
	fmt_table_put(t, C_CONN, buf);
	fmt_table_put(t, C_STATUS, status(sa));
	fmt_put_member(t, C_PEER, sa, "peer");
	fmt_ike_transform(buf, sizeof(buf), sa, false);
	fmt_table_put(t, C_ENCR, buf);
	fmt_table_put(t, C_HASH, fmt_ike_name(FMT_IKE_PRF, sa, "prf", buf, sizeof(buf)));
	fmt_table_put(t, C_DH, fmt_ike_name(FMT_IKE_DH, sa, "dh", buf, sizeof(buf)));
	fmt_put_member(t, C_NATT, sa, "nat_t");
	return 0;
}

/* The table of the IKEv1 SAs of one family, under its IOS title; nothing when there are none.
 * *shown counts the rows printed so far. */
static int family_table(FILE *out, const struct json *data, bool v6, size_t *shown)
{
	char local[CELL_MAX], remote[CELL_MAX];
	struct table t;
	int rc = fmt_table_open(&t, head, C_COLS);
	for (const struct json *m = json_first(data); m != NULL && rc == 0; m = json_next(m)) {
		if (json_type(m) != JSON_OBJECT || fmt_ike_version(m) != 1)
			continue;
		addr(local, sizeof(local), m, "local");
		addr(remote, sizeof(remote), m, "remote");
		if ((strchr(local, ':') != NULL) == v6)
			rc = row(&t, json_key(m), m, local, remote);
	}
	if (rc == 0 && t.nrows == 1) {
		fmt_table_free(&t);
		return 0;
	}
	if (rc == 0) {
		fprintf(out, "%sIPv%c Crypto ISAKMP SA\n", *shown != 0 ? "\n" : "", v6 ? '6' : '4');
		*shown += t.nrows - 1;
	}
	return fmt_table_finish(out, &t, rc);
}

int format_isakmp_sa(FILE *out, const struct json *data, enum format_family af)
{
	size_t shown = 0;
	int rc = 0;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	if (af != FORMAT_AF_INET6)
		rc = family_table(out, data, false, &shown);
	if (rc == 0 && af != FORMAT_AF_INET)
		rc = family_table(out, data, true, &shown);
	if (rc == 0 && shown == 0) {
		fputs("% no ISAKMP SAs\n", out);
		rc = ferror(out) ? -EIO : 0;
	}
	return rc;
}
