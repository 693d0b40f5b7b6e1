/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format_ike.c - `show crypto ikev2 sa`: the IKEv2 SAs of /vpnhub/ike/sa as one table, in the
 * spirit of IOS `show crypto ikev2 sa` (local and remote endpoints, state, algorithms, age) plus
 * what a hub operator asks next: which configured peer, which role, the inner address handed
 * out, and the Child SAs' SPIs. Transform IDs (RFC 7296 3.3.2) are shown by name; the names are
 * lent to app/format_isakmp.c, as the hub reports IKEv1 SAs in IKEv2's numbers too.
 *
 * `show crypto ikev2 sa detail`: the replies of /vpnhub/ike/sa,<id>, one block per IKEv2 SA in
 * the spirit of IOS `show crypto ikev2 sa detailed`: endpoints and identities, role, algorithms,
 * times, NAT detection (2.23), DPD (2.4), message IDs (2.2), then each Child SA with its SPIs,
 * transform, mode, traffic selectors, lifetimes and counters. Never keys: the hub sends none.
 *
 * Invariant: both list IKEv2 SAs only; an entry without "version" is one (hubs before IKEv1).
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

/*
 * IKEv2 Transform IDs (IANA ikev2-parameters, RFC 7296 3.3.2). 3des, md5, null and MODP groups 2
 * and 5 only reach here through legacy IKEv1 proposals, which the hub maps to these numbers.
 */
static const struct name_id encrs[] = {
	{3, "3des"}, {11, "null"}, {12, "aes-cbc"}, {20, "aes-gcm"}, {28, "chacha20-poly1305"}};
static const struct name_id integs[] = {{0, "none"},	    {1, "md5-96"},	{2, "sha1-96"},
					{12, "sha256-128"}, {13, "sha384-192"}, {14, "sha512-256"}};
static const struct name_id prfs[] = {
	{1, "md5"}, {2, "sha1"}, {5, "sha256"}, {6, "sha384"}, {7, "sha512"}};
static const struct name_id groups[] = {{2, "modp1024"},  {5, "modp1536"},  {14, "modp2048"},
					{15, "modp3072"}, {16, "modp4096"}, {19, "ecp256"},
					{20, "ecp384"},	  {21, "ecp521"},   {31, "x25519"}};

#define DIM(tab) (sizeof(tab) / sizeof((tab)[0]))

static const struct {
	const struct name_id *ids;
	size_t n;
} regs[] = {
	[FMT_IKE_ENCR] = {encrs, DIM(encrs)},
	[FMT_IKE_INTEG] = {integs, DIM(integs)},
	[FMT_IKE_PRF] = {prfs, DIM(prfs)},
	[FMT_IKE_DH] = {groups, DIM(groups)},
};

/* obj[key] as a number, or -1 when absent or not a number. */
static long num(const struct json *obj, const char *key)
{
	uint64_t v = json_get_u64(obj, key, UINT64_MAX);
	return v == UINT64_MAX || v > 0x7fffffff ? -1 : (long)v;
}

const char *fmt_ike_name(enum fmt_ike_reg reg, const struct json *obj, const char *key, char *buf,
			 size_t size)
{
	long v = num(obj, key);
	for (size_t i = 0; i < regs[reg].n; i++)
		if (regs[reg].ids[i].id == v)
			return regs[reg].ids[i].name;
	if (v < 0)
		return NA;
	snprintf(buf, size, "%ld", v);
	return buf;
}

void fmt_ike_transform(char *out, size_t size, const struct json *obj, bool with_integ)
{
	char a[16], b[16];
	long bits = num(obj, "encr_bits");
	const char *e = fmt_ike_name(FMT_IKE_ENCR, obj, "encr", a, sizeof(a));
	int n = bits > 0 ? snprintf(out, size, "%s-%ld", e, bits) : snprintf(out, size, "%s", e);
	if (with_integ && num(obj, "integ") > 0 && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, "/%s",
			 fmt_ike_name(FMT_IKE_INTEG, obj, "integ", b, sizeof(b)));
}

int fmt_ike_version(const struct json *sa)
{
	const struct json *v = json_get(sa, "version");
	uint64_t n;
	if (v == NULL)
		return 2;
	return json_u64(v, &n) == 0 && n <= 0x7fffffff ? (int)n : -1;
}

int format_ike_sa_select(struct json *data, int version)
{
	size_t count = json_count(data);
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	/* Members go round once: each is taken from the head and, if kept, appended again. */
	for (size_t i = 0; i < count; i++) {
		struct json *m = json_take_first(data);
		bool keep = json_type(m) != JSON_OBJECT || fmt_ike_version(m) == version;
		if (!keep || json_append(data, m, NULL) != 0)
			json_free(m);
	}
	return 0;
}

static void cipher_cell(struct table *t, const struct json *sa)
{
	char e[48], b[16], cell[64];
	fmt_ike_transform(e, sizeof(e), sa, false);
	snprintf(cell, sizeof(cell), "%s/%s", e,
		 fmt_ike_name(FMT_IKE_PRF, sa, "prf", b, sizeof(b)));
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
	fmt_table_put(t, K_DH, fmt_ike_name(FMT_IKE_DH, sa, "dh", buf, sizeof(buf)));
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
		if (json_type(m) == JSON_OBJECT && fmt_ike_version(m) == 2)
			rc = row(&t, json_key(m), m);
	if (rc == 0 && t.nrows == 1) {
		fmt_table_free(&t);
		fputs("% no IKEv2 SAs\n", out);
		return ferror(out) ? -EIO : 0;
	}
	return fmt_table_finish(out, &t, rc);
}

/* ---- detail ---- */

/* obj[key] as a display string (NA when absent), cleaned of control bytes. */
static const char *text(const struct json *obj, const char *key, char *buf, size_t size)
{
	fmt_member_text(buf, size, obj, key);
	return buf;
}

/* Seconds as 1h02m05s; NA when absent (no such deadline). */
static const char *dur(const struct json *obj, const char *key, char *buf, size_t size)
{
	long s = num(obj, key);
	if (s < 0)
		return NA;
	snprintf(buf, size, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
	return buf;
}

static void child_block(FILE *out, const struct json *ch)
{
	char a[128], b[128], c[64], d[32], e[32];
	fmt_ike_transform(c, sizeof(c), ch, true);
	fprintf(out, "  Child SA %s (%s): SPI in %s, out %s\n", text(ch, "name", a, sizeof(a)),
		text(ch, "state", b, sizeof(b)), text(ch, "spi_in", d, sizeof(d)),
		text(ch, "spi_out", e, sizeof(e)));
	fprintf(out, "    Transform %s, ESN %s, mode %s\n", c, text(ch, "esn", a, sizeof(a)),
		text(ch, "mode", b, sizeof(b)));
	fprintf(out, "    Local selectors  %s\n", text(ch, "local_ts", a, sizeof(a)));
	fprintf(out, "    Remote selectors %s\n", text(ch, "remote_ts", a, sizeof(a)));
	fprintf(out, "    Age %s, rekey in %s, expires in %s\n", dur(ch, "age_s", a, sizeof(a)),
		dur(ch, "rekey_in_s", b, sizeof(b)), dur(ch, "expire_in_s", c, sizeof(c)));
	fprintf(out, "    Packets in %s out %s, bytes in %s out %s\n",
		text(ch, "pkts_in", a, sizeof(a)), text(ch, "pkts_out", b, sizeof(b)),
		text(ch, "bytes_in", c, sizeof(c)), text(ch, "bytes_out", d, sizeof(d)));
}

static void sa_block(FILE *out, const char *idx, const struct json *sa)
{
	char a[128], b[128], c[64], d[32];
	char idx_clean[32];
	fmt_clean(idx_clean, sizeof(idx_clean), idx, strlen(idx));
	fprintf(out, "IKE SA %s, id %s\n", idx_clean, text(sa, "id", a, sizeof(a)));
	fprintf(out, "  Peer %s, %s, %s\n", text(sa, "peer", a, sizeof(a)),
		text(sa, "role", b, sizeof(b)), text(sa, "state", c, sizeof(c)));
	fprintf(out, "  SPIs initiator %s responder %s\n", text(sa, "spi_i", a, sizeof(a)),
		text(sa, "spi_r", b, sizeof(b)));
	fprintf(out, "  Local  %s, ID %s\n", text(sa, "local", a, sizeof(a)),
		text(sa, "local_id", b, sizeof(b)));
	fprintf(out, "  Remote %s, ID %s\n", text(sa, "remote", a, sizeof(a)),
		text(sa, "remote_id", b, sizeof(b)));
	fmt_ike_transform(c, sizeof(c), sa, true);
	fprintf(out, "  Encryption %s, PRF %s, DH group %s\n", c,
		fmt_ike_name(FMT_IKE_PRF, sa, "prf", a, sizeof(a)),
		fmt_ike_name(FMT_IKE_DH, sa, "dh", d, sizeof(d)));
	fprintf(out, "  Established %s ago, rekey in %s, reauthentication in %s\n",
		dur(sa, "established_s", a, sizeof(a)), dur(sa, "rekey_in_s", b, sizeof(b)),
		dur(sa, "reauth_in_s", c, sizeof(c)));
	fprintf(out, "  NAT: hub behind NAT %s, peer behind NAT %s, forced %s, port 4500 %s\n",
		text(sa, "nat_local", a, sizeof(a)), text(sa, "nat_remote", b, sizeof(b)),
		text(sa, "nat_forced", c, sizeof(c)), text(sa, "udp_4500", d, sizeof(d)));
	fprintf(out, "  DPD %s (after %s s of silence), idle %s\n", text(sa, "dpd", a, sizeof(a)),
		text(sa, "dpd_delay_s", b, sizeof(b)), dur(sa, "idle_s", c, sizeof(c)));
	fprintf(out, "  Message IDs: next request %s, next expected %s\n",
		text(sa, "msgid_send_next", a, sizeof(a)),
		text(sa, "msgid_recv_next", b, sizeof(b)));
	fprintf(out, "  Virtual IP %s, IPv6 %s\n", text(sa, "virtual_ip", a, sizeof(a)),
		text(sa, "virtual_ip6", b, sizeof(b)));
	for (const struct json *m = json_first(sa); m != NULL; m = json_next(m))
		if (json_type(m) == JSON_OBJECT && strncmp(json_key(m), "child_", 6) == 0)
			child_block(out, m);
}

int format_ike_sa_detail(FILE *out, const struct json *data)
{
	unsigned int n = 0;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	for (const struct json *m = json_first(data); m != NULL; m = json_next(m)) {
		if (json_type(m) != JSON_OBJECT || fmt_ike_version(m) != 2)
			continue;
		if (n++ > 0)
			fputc('\n', out);
		sa_block(out, json_key(m), m);
	}
	if (n == 0)
		fputs("% no IKEv2 SAs\n", out);
	return ferror(out) ? -EIO : 0;
}
