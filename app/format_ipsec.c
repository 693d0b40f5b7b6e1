/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format_ipsec.c - the IPsec SA views of `vpnhubctl show crypto ipsec sa` and its filters,
 * and the crypto map view of `show crypto map`.
 *
 * Both views group the SAs by tunnel (interface and peer): the detail view prints a tunnel's
 * counters once, then its inbound and outbound SAs, as Cisco's "show crypto ipsec sa" does; the
 * summary keeps a tunnel's rows together. A filter selects whole tunnels, so that "spi" shows the
 * SA with its siblings and the tunnel's counters stay whole. Reply text reaches the output only
 * through the cleaning helpers of app/format_int.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app/format.h"
#include "app/format_int.h"

/* An SA as displayed; ifname and peer are cleaned display text, the grouping key. */
struct sa_row {
	const struct json *sa;
	size_t order; /* position among the SAs of the reply */
	bool keep;
	char ifname[CELL_MAX];
	char peer[CELL_MAX];
};

/* A counter summed over SAs: NA once an SA lacks it, ODD once one holds anything else. */
struct sum {
	uint64_t n;
	const char *bad;
};

enum sa_state { SA_ACTIVE, SA_SOFT, SA_EXPIRED, SA_STATE_NA, SA_STATE_ODD };

static const char *const state_long[] = {"ACTIVE", "ACTIVE (soft lifetime expired)", "EXPIRED", NA,
					 ODD};
static const char *const state_short[] = {"active", "soft-expired", "expired", NA, ODD};

/* Errors the detail view names, as Cisco's counters line does; any other err_* follows it. */
static const struct {
	const char *key;
	const char *label;
} named_errors[] = {
	{"err_replay", "#replay drops"},     {"err_auth_failed", "#auth failures"},
	{"err_bad_padding", "#pad errors"},  {"err_selector", "#selector drops"},
	{"err_lifetime", "#lifetime drops"},
};

#define ERR_PREFIX    "err_"
#define OTHER_ERR_MAX 16

/* A 32-bit number, decimal or hexadecimal after "0x". 0 or -EINVAL. */
static int spi_parse(const char *s, uint32_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	size_t len = strlen(digits);
	if (len == 0 || len > 10 ||
	    strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789") != len)
		return -EINVAL;
	unsigned long long v = strtoull(digits, NULL, hex ? 16 : 10);
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int format_sa_filter_set(struct format_sa_filter *f, const char *what, const char *arg)
{
	uint8_t a[16] = {0};
	uint32_t spi;
	if (f == NULL || what == NULL || arg == NULL)
		return -EINVAL;
	if (strcmp(what, "spi") == 0) {
		if (spi_parse(arg, &spi) != 0)
			return -EINVAL;
		f->by_spi = true;
		f->spi = spi;
		return 0;
	}
	int family = strchr(arg, ':') != NULL ? AF_INET6 : AF_INET;
	if (strcmp(what, "peer") != 0 || inet_pton(family, arg, a) != 1)
		return -EINVAL;
	f->peer_family = family;
	memcpy(f->peer, a, sizeof(f->peer));
	return 0;
}

/* The SA's SPI: 0, -ENOENT when absent or empty, -EINVAL when not a 32-bit number. */
static int sa_spi(const struct json *sa, uint32_t *spi)
{
	const struct json *v = json_get(sa, "spi");
	const char *s = json_str(v);
	uint64_t u;
	if (json_type(v) == JSON_NULL || (s != NULL && s[0] == '\0'))
		return -ENOENT;
	if (s != NULL)
		return spi_parse(s, spi);
	if (json_u64(v, &u) != 0 || u > UINT32_MAX)
		return -EINVAL;
	*spi = (uint32_t)u;
	return 0;
}

/* "0x1001(4097)" for the detail view, "0x00001001" for the summary. */
static const char *spi_text(const struct json *sa, bool detail, char *buf, size_t size)
{
	uint32_t spi;
	int rc = sa_spi(sa, &spi);
	if (rc != 0)
		return rc == -ENOENT ? NA : ODD;
	if (detail)
		snprintf(buf, size, "0x%" PRIX32 "(%" PRIu32 ")", spi, spi);
	else
		snprintf(buf, size, "0x%08" PRIx32, spi);
	return buf;
}

/* A boolean sent as "true"/"false" (or as a JSON bool): 1, 0, or -1 absent, -2 anything else. */
static int flag_of(const struct json *sa, const char *key)
{
	const struct json *v = json_get(sa, key);
	const char *s = json_str(v);
	bool b;
	if (json_bool(v, &b) == 0)
		return b;
	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0))
		return s[0] == 't';
	return json_type(v) == JSON_NULL ? -1 : -2;
}

static enum sa_state sa_state(const struct json *sa)
{
	int hard = flag_of(sa, "hard_expired");
	if (hard == 1)
		return SA_EXPIRED;
	if (hard < 0)
		return hard == -1 ? SA_STATE_NA : SA_STATE_ODD;
	return flag_of(sa, "soft_expired") == 1 ? SA_SOFT : SA_ACTIVE;
}

static bool str_is(const struct json *sa, const char *key, const char *want)
{
	const char *s = json_get_str(sa, key, NULL);
	return s != NULL && strcmp(s, want) == 0;
}

static void sum_add(struct sum *s, const struct json *v)
{
	uint64_t u;
	if (json_type(v) == JSON_NULL) {
		if (s->bad == NULL)
			s->bad = NA;
	} else if (json_u64(v, &u) != 0 || __builtin_add_overflow(s->n, u, &s->n)) {
		s->bad = ODD;
	}
}

/* Every err_* counter of one SA; an SA without any counts as absent. */
static void sum_errors(struct sum *s, const struct json *sa)
{
	bool any = false;
	for (const struct json *m = json_first(sa); m != NULL; m = json_next(m)) {
		if (strncmp(json_key(m), ERR_PREFIX, strlen(ERR_PREFIX)) == 0) {
			sum_add(s, m);
			any = true;
		}
	}
	if (!any)
		sum_add(s, NULL);
}

static const char *sum_text(const struct sum *s, char *buf, size_t size)
{
	if (s->bad != NULL)
		return s->bad;
	snprintf(buf, size, "%" PRIu64, s->n);
	return buf;
}

static bool sa_matches(const struct json *sa, const struct format_sa_filter *f)
{
	uint8_t a[16] = {0};
	uint32_t spi;
	const char *peer = json_get_str(sa, "remote", NULL);
	if (f == NULL)
		return true;
	if (f->peer_family != 0 && (peer == NULL || inet_pton(f->peer_family, peer, a) != 1 ||
				    memcmp(a, f->peer, f->peer_family == AF_INET ? 4 : 16) != 0))
		return false;
	return !f->by_spi || (sa_spi(sa, &spi) == 0 && spi == f->spi);
}

static bool filtering(const struct format_sa_filter *f)
{
	return f != NULL && (f->peer_family != 0 || f->by_spi);
}

static int row_cmp(const void *a, const void *b)
{
	const struct sa_row *x = a, *y = b;
	int c = strcmp(x->ifname, y->ifname);
	if (c == 0)
		c = strcmp(x->peer, y->peer);
	if (c == 0)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

static int order_cmp(const void *a, const void *b)
{
	const struct sa_row *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool same_tunnel(const struct sa_row *a, const struct sa_row *b)
{
	return strcmp(a->ifname, b->ifname) == 0 && strcmp(a->peer, b->peer) == 0;
}

/* The SAs (object members) of data sorted by tunnel; keep marks the tunnels f selects. */
static int sa_rows(const struct json *data, const struct format_sa_filter *f, struct sa_row **rows,
		   size_t *n)
{
	size_t k = 0, cap = json_count(data);
	struct sa_row *r = calloc(cap != 0 ? cap : 1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	for (const struct json *m = json_first(data); m != NULL; m = json_next(m)) {
		if (json_type(m) != JSON_OBJECT)
			continue;
		r[k].sa = m;
		r[k].order = k;
		fmt_member_text(r[k].ifname, sizeof(r[k].ifname), m, "interface");
		fmt_member_text(r[k].peer, sizeof(r[k].peer), m, "remote");
		k++;
	}
	qsort(r, k, sizeof(*r), row_cmp);
	for (size_t i = 0, j; i < k; i = j) {
		bool any = false;
		for (j = i; j < k && same_tunnel(&r[i], &r[j]); j++)
			any = any || sa_matches(r[j].sa, f);
		for (size_t x = i; x < j; x++)
			r[x].keep = any;
	}
	*rows = r;
	*n = k;
	return 0;
}

/* The tunnel's last outbound SA (the one in use after a rekey), or NULL. */
static const struct json *current_out(const struct sa_row *r, size_t n)
{
	const struct json *out = NULL;
	for (size_t i = 0; i < n; i++)
		if (str_is(r[i].sa, "direction", "out"))
			out = r[i].sa;
	return out;
}

static void tunnel_head(FILE *out, const struct sa_row *r, size_t n)
{
	const struct json *o = current_out(r, n);
	const char *any = strchr(r->peer, ':') != NULL ? "(::/0/0/0)" : "(0.0.0.0/0.0.0.0/0/0)";
	char local[CELL_MAX], port[CELL_MAX + 8] = "";
	fmt_member_text(local, sizeof(local), o != NULL ? o : r->sa, "local");
	if (o != NULL && str_is(o, "encap", "udp")) {
		char p[CELL_MAX];
		fmt_member_text(p, sizeof(p), o, "udp_dport");
		snprintf(port, sizeof(port), " port %s", p);
	}
	fprintf(out, "interface: %s\n    Crypto map tag: %s, local addr %s\n\n", r->ifname,
		r->ifname, local);
	/* The hub installs no traffic selectors: a route-based tunnel carries any to any. */
	fprintf(out, "   local  ident (addr/mask/prot/port): %s\n", any);
	fprintf(out, "   remote ident (addr/mask/prot/port): %s\n", any);
	fprintf(out, "   current_peer %s%s\n", r->peer, port);
}

/* Encrypted and decrypted packets, errors per direction, then per reason. */
static void tunnel_counters(FILE *out, const struct sa_row *r, size_t n)
{
	struct sum enc = {0}, dec = {0}, send = {0}, recv = {0};
	char a[32], b[32];
	for (size_t i = 0; i < n; i++) {
		bool is_out = str_is(r[i].sa, "direction", "out");
		bool is_in = str_is(r[i].sa, "direction", "in");
		if (is_out || is_in) {
			sum_add(is_out ? &enc : &dec, json_get(r[i].sa, "pkts"));
			sum_errors(is_out ? &send : &recv, r[i].sa);
		}
	}
	const char *e = sum_text(&enc, a, sizeof(a)), *d = sum_text(&dec, b, sizeof(b));
	fprintf(out, "     #pkts encaps: %s, #pkts encrypt: %s, #pkts digest: %s\n", e, e, e);
	fprintf(out, "     #pkts decaps: %s, #pkts decrypt: %s, #pkts verify: %s\n", d, d, d);
	fprintf(out, "     #send errors %s, #recv errors %s\n", sum_text(&send, a, sizeof(a)),
		sum_text(&recv, b, sizeof(b)));
}

static bool named_error(const char *key)
{
	for (size_t i = 0; i < sizeof(named_errors) / sizeof(named_errors[0]); i++)
		if (strcmp(key, named_errors[i].key) == 0)
			return true;
	return false;
}

/* One "#label N" item of an error line: the sum of key over the tunnel's SAs. */
static void error_item(FILE *out, const struct sa_row *r, size_t n, const char *key,
		       const char *label, bool first)
{
	struct sum s = {0};
	char num[32];
	for (size_t i = 0; i < n; i++)
		sum_add(&s, json_get(r[i].sa, key));
	fprintf(out, "%s%s %s", first ? "     " : ", ", label, sum_text(&s, num, sizeof(num)));
}

/* The err_* names beyond the named ones, in order of first appearance (at most max). */
static size_t other_errors(const struct sa_row *r, size_t n, const char **keys, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		for (const struct json *m = json_first(r[i].sa); m != NULL; m = json_next(m)) {
			const char *key = json_key(m);
			size_t j = 0;
			if (strncmp(key, ERR_PREFIX, strlen(ERR_PREFIX)) != 0 || named_error(key))
				continue;
			while (j < k && strcmp(keys[j], key) != 0)
				j++;
			if (j == k && k < max)
				keys[k++] = key;
		}
	}
	return k;
}

static void tunnel_errors(FILE *out, const struct sa_row *r, size_t n)
{
	const char *keys[OTHER_ERR_MAX];
	size_t k = other_errors(r, n, keys, OTHER_ERR_MAX);
	for (size_t i = 0; i < sizeof(named_errors) / sizeof(named_errors[0]); i++)
		error_item(out, r, n, named_errors[i].key, named_errors[i].label, i == 0);
	fputc('\n', out);
	for (size_t i = 0; i < k; i++) {
		char label[CELL_MAX];
		const char *name = keys[i] + strlen(ERR_PREFIX);
		label[0] = '#';
		fmt_clean(label + 1, sizeof(label) - 1, name, strlen(name));
		for (char *p = label; *p != '\0'; p++)
			*p = *p == '_' ? ' ' : *p;
		error_item(out, r, n, keys[i], label, i == 0);
	}
	if (k != 0)
		fputc('\n', out);
}

static void tunnel_endpoints(FILE *out, const struct sa_row *r, size_t n)
{
	const struct json *o = current_out(r, n);
	char local[CELL_MAX], spi[32];
	fmt_member_text(local, sizeof(local), o != NULL ? o : r->sa, "local");
	fprintf(out, "\n     local crypto endpt.: %s, remote crypto endpt.: %s\n", local, r->peer);
	fprintf(out, "     current outbound spi: %s\n\n",
		o != NULL ? spi_text(o, true, spi, sizeof(spi)) : "0x0(0)");
}

/* Remaining kilobytes (rounded up) or seconds: "none" for 0, the hub's "no limit". */
static const char *life_text(const struct json *sa, const char *key, uint64_t unit, char *buf,
			     size_t size)
{
	const struct json *v = json_get(sa, key);
	uint64_t u;
	if (json_type(v) == JSON_NULL)
		return NA;
	if (json_u64(v, &u) != 0)
		return ODD;
	if (u == 0)
		return "none";
	snprintf(buf, size, "%" PRIu64, u / unit + (u % unit != 0));
	return buf;
}

static const char *mode_text(const struct json *sa)
{
	if (str_is(sa, "mode", "tunnel"))
		return "Tunnel";
	if (str_is(sa, "mode", "transport"))
		return "Transport";
	return json_type(json_get(sa, "mode")) == JSON_NULL ? NA : ODD;
}

static void sa_settings(FILE *out, const struct json *sa)
{
	const char *mode = mode_text(sa);
	char transform[CELL_MAX], id[CELL_MAX], owner[CELL_MAX], ifname[CELL_MAX];
	fmt_member_text(transform, sizeof(transform), sa, "transform");
	fmt_member_text(id, sizeof(id), sa, "id");
	fmt_member_text(owner, sizeof(owner), sa, "owner");
	fmt_member_text(ifname, sizeof(ifname), sa, "interface");
	fprintf(out, "        transform: %s ,\n", transform);
	fprintf(out, "        in use settings ={%s%s, %s}\n", mode,
		str_is(sa, "encap", "udp") ? " UDP-Encaps" : "",
		flag_of(sa, "esn") == 1 ? "ESN, " : "");
	fprintf(out, "        conn id: %s, worker: %s, crypto map: %s\n", id, owner, ifname);
}

static void sa_timing(FILE *out, const struct json *sa)
{
	char k[32], s[32], p[32];
	const struct json *pkts = json_get(sa, "lifetime_remaining_pkts");
	uint64_t u;
	if (sa_state(sa) == SA_EXPIRED) {
		fputs("        sa timing: remaining key lifetime (k/sec): (expired)\n", out);
		return;
	}
	fprintf(out, "        sa timing: remaining key lifetime (k/sec): (%s/%s)\n",
		life_text(sa, "lifetime_remaining_bytes", 1024, k, sizeof(k)),
		life_text(sa, "lifetime_remaining_s", 1, s, sizeof(s)));
	if (pkts != NULL && (json_u64(pkts, &u) != 0 || u != 0))
		fprintf(out, "        remaining packet lifetime: %s\n",
			life_text(sa, "lifetime_remaining_pkts", 1, p, sizeof(p)));
}

/* "Y, window 1024" for a replay window, "N" without one. */
static const char *replay_text(const struct json *sa, char *buf, size_t size)
{
	const struct json *w = json_get(sa, "window");
	uint64_t u;
	if (json_type(w) == JSON_NULL)
		return NA;
	if (json_u64(w, &u) != 0)
		return ODD;
	if (u == 0)
		return "N";
	snprintf(buf, size, "Y, window %" PRIu64, u);
	return buf;
}

/* Inbound: the replay window and its top; outbound: the last sequence number sent. */
static void sa_sequence(FILE *out, const struct json *sa, bool in)
{
	char seq[CELL_MAX], win[48];
	fmt_member_text(seq, sizeof(seq), sa, "seq");
	if (in)
		fprintf(out, "        replay detection support: %s, highest seq %s\n",
			replay_text(sa, win, sizeof(win)), seq);
	else
		fprintf(out, "        sequence number: %s\n", seq);
}

static void sa_block(FILE *out, const struct json *sa, bool in)
{
	char spi[32];
	fprintf(out, "      spi: %s\n", spi_text(sa, true, spi, sizeof(spi)));
	sa_settings(out, sa);
	sa_timing(out, sa);
	sa_sequence(out, sa, in);
	fprintf(out, "        Status: %s\n\n", state_long[sa_state(sa)]);
}

/* "inbound esp sas:" and its SAs; dir NULL: SAs of neither direction (only when there are). */
static void sa_section(FILE *out, const struct sa_row *r, size_t n, const char *dir)
{
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		bool in = str_is(r[i].sa, "direction", "in");
		bool match = dir != NULL ? str_is(r[i].sa, "direction", dir)
					 : !in && !str_is(r[i].sa, "direction", "out");
		if (!match)
			continue;
		if (shown++ == 0 && dir == NULL)
			fputs("     esp sas of unknown direction:\n", out);
		sa_block(out, r[i].sa, in);
	}
	if (shown == 0 && dir != NULL)
		fputc('\n', out);
}

static void tunnel_print(FILE *out, const struct sa_row *r, size_t n)
{
	tunnel_head(out, r, n);
	tunnel_counters(out, r, n);
	tunnel_errors(out, r, n);
	tunnel_endpoints(out, r, n);
	fputs("     inbound esp sas:\n", out);
	sa_section(out, r, n, "in");
	fputs("     outbound esp sas:\n", out);
	sa_section(out, r, n, "out");
	sa_section(out, r, n, NULL);
}

static void no_sa_note(FILE *out, const struct format_sa_filter *f)
{
	fputs(filtering(f) ? "% no IPsec SA matches\n" : "% no IPsec SAs\n", out);
}

int format_ipsec_sa(FILE *out, const struct json *data, const struct format_sa_filter *f)
{
	struct sa_row *r;
	size_t n, shown = 0;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = sa_rows(data, f, &r, &n);
	if (rc != 0)
		return rc;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && same_tunnel(&r[i], &r[j]); j++)
			;
		if (r[i].keep) {
			tunnel_print(out, &r[i], j - i);
			shown++;
		}
	}
	free(r);
	if (shown == 0)
		no_sa_note(out, f);
	fmt_note_partial(out, data);
	return ferror(out) ? -EIO : 0;
}

enum { SS_ID, SS_SPI, SS_DIR, SS_IF, SS_PEER, SS_XFORM, SS_PKTS, SS_ERRS, SS_STATE, SS_COLS };

static const char *const ss_head[SS_COLS] = {
	"Id", "SPI", "Dir", "Interface", "Peer", "Transform", "Pkts", "Errors", "Status",
};

static int summary_row(struct table *t, const struct sa_row *r)
{
	struct sum errs = {0};
	char buf[32];
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_put_member(t, SS_ID, r->sa, "id");
	fmt_table_put(t, SS_SPI, spi_text(r->sa, false, buf, sizeof(buf)));
	fmt_put_member(t, SS_DIR, r->sa, "direction");
	fmt_table_put(t, SS_IF, r->ifname);
	fmt_table_put(t, SS_PEER, r->peer);
	fmt_put_member(t, SS_XFORM, r->sa, "transform");
	fmt_put_count(t, SS_PKTS, r->sa, "pkts");
	sum_errors(&errs, r->sa);
	fmt_table_put(t, SS_ERRS, sum_text(&errs, buf, sizeof(buf)));
	fmt_table_put(t, SS_STATE, state_short[sa_state(r->sa)]);
	return 0;
}

int format_ipsec_sa_summary(FILE *out, const struct json *data, const struct format_sa_filter *f)
{
	struct table t;
	struct sa_row *r;
	size_t n;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = sa_rows(data, f, &r, &n);
	if (rc != 0)
		return rc;
	rc = fmt_table_open(&t, ss_head, SS_COLS);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (r[i].keep)
			rc = summary_row(&t, &r[i]);
	free(r);
	if (rc == 0 && t.nrows == 1) {
		fmt_table_free(&t);
		no_sa_note(out, f);
	} else {
		rc = fmt_table_finish(out, &t, rc);
	}
	if (rc == 0)
		fmt_note_partial(out, data);
	return rc != 0 ? rc : ferror(out) ? -EIO : 0;
}

int format_ipsec_sa_select(struct json *data, const struct format_sa_filter *f)
{
	struct sa_row *r;
	size_t n, k = 0, count = json_count(data);
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	if (!filtering(f))
		return 0;
	int rc = sa_rows(data, f, &r, &n);
	if (rc != 0)
		return rc;
	qsort(r, n, sizeof(*r), order_cmp);
	/* Members go round once: each is taken from the head and, if kept, appended again. */
	for (size_t i = 0; i < count; i++) {
		struct json *m = json_take_first(data);
		bool keep = json_type(m) != JSON_OBJECT || (k < n && r[k++].keep);
		if (!keep || json_append(data, m, NULL) != 0)
			json_free(m);
	}
	free(r);
	return 0;
}

/* ---- crypto maps: /vpnhub/ipsec/spd, "map" rows each followed by their "entry" rows ---- */

#define CMAP_INDENT "        "

static void cmap_head(FILE *out, const struct json *r)
{
	char map[CELL_MAX], ifc[CELL_MAX], n[CELL_MAX], ho[CELL_MAX], hi[CELL_MAX];
	fmt_member_text(map, sizeof(map), r, "map");
	fmt_member_text(ifc, sizeof(ifc), r, "interface");
	fmt_member_text(n, sizeof(n), r, "entries");
	fmt_member_text(ho, sizeof(ho), r, "hits_out");
	fmt_member_text(hi, sizeof(hi), r, "hits_in");
	fprintf(out, "Crypto Map \"%s\" on interface %s: %s entries\n", map, ifc, n);
	fprintf(out, CMAP_INDENT "No entry matched: bypass, hits %s out, %s in\n\n", ho, hi);
}

/*
 * "Match: udp 10.1.0.0/24 port 500 -> 10.2.0.0/24"; protocol any reads "ip" (or "ipv6"), as in
 * an access list.
 */
static void cmap_match(FILE *out, const struct json *r)
{
	char proto[CELL_MAX], src[CELL_MAX], dst[CELL_MAX], sp[CELL_MAX], dp[CELL_MAX];
	fmt_member_text(proto, sizeof(proto), r, "proto");
	fmt_member_text(src, sizeof(src), r, "src");
	fmt_member_text(dst, sizeof(dst), r, "dst");
	fmt_member_text(sp, sizeof(sp), r, "src_port");
	fmt_member_text(dp, sizeof(dp), r, "dst_port");
	const char *any = str_is(r, "family", "ipv6") ? "ipv6" : "ip";
	fprintf(out, CMAP_INDENT "Match: %s %s", str_is(r, "proto", "any") ? any : proto, src);
	if (!str_is(r, "src_port", "any"))
		fprintf(out, " port %s", sp);
	fprintf(out, " -> %s", dst);
	if (!str_is(r, "dst_port", "any"))
		fprintf(out, " port %s", dp);
	fputc('\n', out);
}

static void cmap_entry(FILE *out, const struct json *r)
{
	char map[CELL_MAX], seq[CELL_MAX], act[CELL_MAX], peer[CELL_MAX], so[CELL_MAX],
		si[CELL_MAX], ho[CELL_MAX], hi[CELL_MAX];
	bool protect = str_is(r, "action", "protect");
	fmt_member_text(map, sizeof(map), r, "map");
	fmt_member_text(seq, sizeof(seq), r, "seq");
	fmt_member_text(act, sizeof(act), r, "action");
	fmt_member_text(peer, sizeof(peer), r, "peer");
	fmt_member_text(so, sizeof(so), r, "sa_out");
	fmt_member_text(si, sizeof(si), r, "sa_in");
	fmt_member_text(ho, sizeof(ho), r, "hits_out");
	fmt_member_text(hi, sizeof(hi), r, "hits_in");
	fprintf(out, "Crypto Map \"%s\" %s %s\n", map, seq,
		!protect			? act
		: str_is(r, "keying", "manual") ? "ipsec-manual"
						: "ipsec-isakmp");
	if (protect)
		fprintf(out, CMAP_INDENT "Peer = %s\n", peer);
	cmap_match(out, r);
	fprintf(out, CMAP_INDENT "Action: %s\n", act);
	if (protect)
		fprintf(out,
			CMAP_INDENT "Current outbound SPI: %s\n" CMAP_INDENT "Inbound SPIs: %s\n",
			so, si);
	fprintf(out, CMAP_INDENT "Hits: %s out, %s in\n\n", ho, hi);
}

static bool cmap_family(const struct json *r, enum format_family af)
{
	if (af == FORMAT_AF_ANY)
		return true;
	return str_is(r, "family", af == FORMAT_AF_INET ? "ipv4" : "ipv6");
}

int format_crypto_map(FILE *out, const struct json *data, enum format_family af)
{
	size_t maps = 0;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	for (const struct json *m = json_first(data); m != NULL; m = json_next(m)) {
		if (json_type(m) != JSON_OBJECT)
			continue;
		if (str_is(m, "kind", "map")) {
			cmap_head(out, m);
			maps++;
		} else if (str_is(m, "kind", "entry") && cmap_family(m, af)) {
			cmap_entry(out, m);
		}
	}
	if (maps == 0)
		fputs("% no crypto maps\n", out);
	fmt_note_partial(out, data);
	return ferror(out) ? -EIO : 0;
}
