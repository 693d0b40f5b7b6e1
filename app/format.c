/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format.c - the text tables of `vpnhubctl show`.
 *
 * A small table builder collects bounded cells (CELL_MAX bytes, cut at a UTF-8 boundary),
 * measures every column and prints them aligned, so widths follow the data. Every string taken
 * from a reply goes through clean() before it is printed: the hub's data is not trusted to be
 * free of terminal control sequences. Missing members print NA, members of a type that makes no
 * sense in their column print ODD; neither stops the table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app/format.h"

#define CELL_MAX      96
#define LINE_MAX_TEXT 512
#define COLS_MAX      12
#define GAP	      2
#define NA	      "-"
#define ODD	      "?"

/* Row 0 holds the header. */
struct table {
	size_t ncols;
	size_t nrows;
	size_t cap;
	char (*cell)[CELL_MAX];
};

static size_t lead_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 0;
}

/* Bytes of the character at s[0..len) (1 for a stray byte); *ok says whether it may be shown. */
static size_t char_len(const unsigned char *s, size_t len, bool *ok)
{
	size_t k = lead_len(s[0]);
	*ok = false;
	if (k == 0 || k > len)
		return 1;
	for (size_t i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	/* U+0080..U+009F are C1 controls; some terminals act on them like ESC sequences. */
	*ok = !(k == 1 && (s[0] < 0x20 || s[0] == 0x7f)) &&
	      !(k == 2 && s[0] == 0xc2 && s[1] < 0xa0);
	return k;
}

/* Copy src[0..len) into dst for display: a control becomes one '?', overlong text is cut. */
static void clean(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0, i = 0;
	while (i < len) {
		bool ok;
		size_t k = char_len(s + i, len - i, &ok);
		size_t w = ok ? k : 1;
		if (n + w >= size)
			break;
		if (ok)
			memcpy(dst + n, s + i, k);
		else
			dst[n] = '?';
		n += w;
		i += k;
	}
	dst[n] = '\0';
}

/* Terminal columns of clean UTF-8 text: one per character. */
static size_t width_of(const char *s)
{
	size_t w = 0;
	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static const char *number_text(const struct json *v, char *buf, size_t size)
{
	uint64_t u;
	int64_t i;
	double d;
	if (json_u64(v, &u) == 0)
		snprintf(buf, size, "%" PRIu64, u);
	else if (json_i64(v, &i) == 0)
		snprintf(buf, size, "%" PRId64, i);
	else if (json_double(v, &d) == 0)
		snprintf(buf, size, "%.6g", d);
	else
		return ODD;
	return buf;
}

/* Any scalar as text: NA when absent, null or empty, ODD for a container. Not yet cleaned. */
static const char *scalar_text(const struct json *v, char *buf, size_t size)
{
	bool b;
	switch (json_type(v)) {
	case JSON_NULL:
		return NA;
	case JSON_BOOL:
		json_bool(v, &b);
		return b ? "true" : "false";
	case JSON_INT:
	case JSON_UINT:
	case JSON_DOUBLE:
		return number_text(v, buf, size);
	case JSON_STRING:
		return json_str(v)[0] != '\0' ? json_str(v) : NA;
	default:
		return ODD;
	}
}

/* A counter as text: NA when absent or null, ODD when not a number. */
static const char *count_text(const struct json *v, char *buf, size_t size)
{
	if (json_type(v) == JSON_NULL)
		return NA;
	return number_text(v, buf, size);
}

/* Display text of obj[key], cleaned. */
static void member_text(char *dst, size_t size, const struct json *obj, const char *key)
{
	char num[32];
	const char *s = scalar_text(json_get(obj, key), num, sizeof(num));
	clean(dst, size, s, strlen(s));
}

/* Append an empty row; cells are then filled with table_put(). */
static int table_add(struct table *t)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap != 0 ? t->cap * 2 : 16;
		void *cell = reallocarray(t->cell, cap * t->ncols, sizeof(*t->cell));
		if (cell == NULL)
			return -ENOMEM;
		t->cell = cell;
		t->cap = cap;
	}
	memset(t->cell + t->nrows * t->ncols, 0, t->ncols * sizeof(*t->cell));
	t->nrows++;
	return 0;
}

/* Set a cell of the last row. */
static void table_putn(struct table *t, size_t col, const char *s, size_t len)
{
	clean(t->cell[(t->nrows - 1) * t->ncols + col], CELL_MAX, s, len);
}

static void table_put(struct table *t, size_t col, const char *s)
{
	table_putn(t, col, s, strlen(s));
}

static void put_member(struct table *t, size_t col, const struct json *obj, const char *key)
{
	char num[32];
	table_put(t, col, scalar_text(json_get(obj, key), num, sizeof(num)));
}

static void put_count(struct table *t, size_t col, const struct json *obj, const char *key)
{
	char num[32];
	table_put(t, col, count_text(json_get(obj, key), num, sizeof(num)));
}

static int table_print(FILE *out, const struct table *t)
{
	size_t w[COLS_MAX] = {0};
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = width_of(t->cell[r * t->ncols + c]);
			w[c] = cw > w[c] ? cw : w[c];
		}
	for (size_t r = 0; r < t->nrows; r++) {
		const char(*row)[CELL_MAX] = t->cell + r * t->ncols;
		size_t last = t->ncols;
		/* No trailing blanks on continuation rows. */
		while (last > 0 && row[last - 1][0] == '\0')
			last--;
		for (size_t c = 0; c < last; c++) {
			fputs(row[c], out);
			if (c + 1 < last)
				fprintf(out, "%*s", (int)(w[c] - width_of(row[c]) + GAP), "");
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

static void table_free(struct table *t)
{
	free(t->cell);
	t->cell = NULL;
}

/* Start a table whose first row is the header. */
static int table_open(struct table *t, const char *const *head, size_t ncols)
{
	*t = (struct table){.ncols = ncols};
	if (ncols == 0 || ncols > COLS_MAX)
		return -EINVAL;
	int rc = table_add(t);
	for (size_t c = 0; rc == 0 && c < ncols; c++)
		table_put(t, c, head[c]);
	return rc;
}

static int table_finish(FILE *out, struct table *t, int rc)
{
	if (rc == 0)
		rc = table_print(out, t);
	table_free(t);
	return rc;
}

static bool family_wanted(const char *addr, enum format_family af)
{
	if (af == FORMAT_AF_ANY)
		return true;
	if (addr == NULL)
		return false;
	bool v6 = strchr(addr, ':') != NULL;
	return af == FORMAT_AF_INET6 ? v6 : !v6;
}

/* Paged replies announce "total"; fewer entries means the table changed between pages. */
static void note_partial(FILE *out, const struct json *data)
{
	uint64_t total, n = 0;
	const struct json *m;
	if (json_u64(json_get(data, "total"), &total) != 0)
		return;
	for (m = json_first(data); m != NULL; m = json_next(m))
		n += json_type(m) == JSON_OBJECT;
	if (n < total)
		fprintf(out,
			"%% %" PRIu64 " of %" PRIu64 " entries received; the table changed while it"
			" was read\n",
			n, total);
}

static void kv_line(FILE *out, const char *label, const char *text)
{
	char buf[LINE_MAX_TEXT];
	clean(buf, sizeof(buf), text, strlen(text));
	fprintf(out, "%-10s %s\n", label, buf);
}

static void uptime_line(FILE *out, const struct json *v)
{
	char buf[64];
	uint64_t s;
	if (json_u64(v, &s) != 0) {
		kv_line(out, "Uptime:", scalar_text(v, buf, sizeof(buf)));
		return;
	}
	fprintf(out, "%-10s %" PRIu64 "d %02u:%02u:%02u\n", "Uptime:", s / 86400,
		(unsigned int)(s % 86400 / 3600), (unsigned int)(s % 3600 / 60),
		(unsigned int)(s % 60));
}

int format_version(FILE *out, const struct json *data)
{
	char mb[CELL_MAX], arch[CELL_MAX], both[2 * CELL_MAX + 4];
	char num[32];
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	kv_line(out, "Version:", scalar_text(json_get(data, "version"), num, sizeof(num)));
	kv_line(out, "Instance:", scalar_text(json_get(data, "instance"), num, sizeof(num)));
	kv_line(out, "DPDK:", scalar_text(json_get(data, "dpdk"), num, sizeof(num)));
	member_text(mb, sizeof(mb), data, "ipsec_mb");
	member_text(arch, sizeof(arch), data, "ipsec_mb_arch");
	if (strcmp(arch, NA) != 0)
		snprintf(both, sizeof(both), "%s (%s)", mb, arch);
	else
		snprintf(both, sizeof(both), "%s", mb);
	kv_line(out, "IPsec-MB:", both);
	kv_line(out, "Workers:", count_text(json_get(data, "workers"), num, sizeof(num)));
	uptime_line(out, json_get(data, "uptime_s"));
	return ferror(out) ? -EIO : 0;
}

enum {
	IF_NAME,
	IF_IDX,
	IF_KIND,
	IF_LINK,
	IF_MTU,
	IF_MAC,
	IF_ADDR,
	IF_RX,
	IF_TX,
	IF_DROPS,
	IF_COLS
};

static const char *const if_head[IF_COLS] = {
	"Interface", "Idx", "Kind", "Link", "MTU", "MAC", "Address", "RX pkts", "TX pkts", "Drops",
};

/* Each space-separated address of list in the address column; from the second on, a row each. */
static int put_addresses(struct table *t, const struct json *list, size_t *n)
{
	char num[32];
	const char *s = json_str(list);
	if (s == NULL)
		s = json_type(list) == JSON_NULL ? "" : scalar_text(list, num, sizeof(num));
	while (*s != '\0') {
		s += strspn(s, " ");
		size_t len = strcspn(s, " ");
		if (len == 0)
			break;
		if ((*n)++ > 0) {
			int rc = table_add(t);
			if (rc != 0)
				return rc;
		}
		table_putn(t, IF_ADDR, s, len);
		s += len;
	}
	return 0;
}

static int interface_rows(struct table *t, const char *name, const struct json *ifc)
{
	size_t naddr = 0;
	int rc = table_add(t);
	if (rc != 0)
		return rc;
	table_put(t, IF_NAME, name);
	put_member(t, IF_IDX, ifc, "ifindex");
	put_member(t, IF_KIND, ifc, "kind");
	put_member(t, IF_LINK, ifc, "link");
	put_member(t, IF_MTU, ifc, "mtu");
	put_member(t, IF_MAC, ifc, "mac");
	table_put(t, IF_ADDR, NA);
	put_count(t, IF_RX, ifc, "rx_packets");
	put_count(t, IF_TX, ifc, "tx_packets");
	put_count(t, IF_DROPS, ifc, "drops");
	rc = put_addresses(t, json_get(ifc, "ipv4"), &naddr);
	if (rc == 0)
		rc = put_addresses(t, json_get(ifc, "ipv6"), &naddr);
	return rc;
}

int format_interfaces(FILE *out, const struct json *data)
{
	struct table t;
	const struct json *m;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = table_open(&t, if_head, IF_COLS);
	for (m = json_first(data); m != NULL && rc == 0; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			rc = interface_rows(&t, json_key(m), m);
	return table_finish(out, &t, rc);
}

static const struct {
	const char *type;
	const char *code;
} route_codes[] = {
	{"connected", "C"},
	{"static", "S"},
	{"local", "L"},
};

static const char *route_code(const char *type)
{
	for (size_t i = 0; type != NULL && i < sizeof(route_codes) / sizeof(route_codes[0]); i++)
		if (strcmp(type, route_codes[i].type) == 0)
			return route_codes[i].code;
	return ODD;
}

/* The words after the prefix, Cisco style. */
static void route_desc(char *buf, size_t size, const struct json *r, const char *code)
{
	char via[CELL_MAX], ifn[CELL_MAX], dist[32], metric[32];
	member_text(via, sizeof(via), r, "via");
	member_text(ifn, sizeof(ifn), r, "interface");
	bool has_via = strcmp(via, NA) != 0;
	if (strcmp(code, "L") == 0) {
		snprintf(buf, size, "is local, %s", ifn);
	} else if (strcmp(code, "C") == 0 || (strcmp(code, "S") == 0 && !has_via)) {
		snprintf(buf, size, "is directly connected, %s", ifn);
	} else if (strcmp(code, "S") == 0) {
		/* The FIB keeps no distance; statics show Cisco's default [1/0] unless the hub
		 * reports "distance"/"metric", so readers of that format see the familiar shape. */
		member_text(dist, sizeof(dist), r, "distance");
		member_text(metric, sizeof(metric), r, "metric");
		snprintf(buf, size, "[%s/%s] via %s, %s", strcmp(dist, NA) != 0 ? dist : "1",
			 strcmp(metric, NA) != 0 ? metric : "0", via, ifn);
	} else if (has_via) {
		snprintf(buf, size, "via %s, %s", via, ifn);
	} else {
		snprintf(buf, size, "%s", ifn);
	}
}

static bool route_wanted(const struct json *r, enum format_family af)
{
	return json_type(r) == JSON_OBJECT && family_wanted(json_get_str(r, "prefix", NULL), af);
}

static void route_line(FILE *out, const struct json *r, size_t width)
{
	char prefix[CELL_MAX], desc[3 * CELL_MAX];
	const char *code = route_code(json_get_str(r, "type", NULL));
	member_text(prefix, sizeof(prefix), r, "prefix");
	route_desc(desc, sizeof(desc), r, code);
	fprintf(out, "%-4s%s%*s%s\n", code, prefix, (int)(width - width_of(prefix) + GAP), "",
		desc);
}

int format_routes(FILE *out, const struct json *data, enum format_family af)
{
	const struct json *m;
	size_t width = 0;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	for (m = json_first(data); m != NULL; m = json_next(m)) {
		char prefix[CELL_MAX];
		if (!route_wanted(m, af))
			continue;
		member_text(prefix, sizeof(prefix), m, "prefix");
		size_t w = width_of(prefix);
		width = w > width ? w : width;
	}
	fputs("Codes: C - connected, S - static, L - local, ? - unknown\n\n", out);
	for (m = json_first(data); m != NULL; m = json_next(m))
		if (route_wanted(m, af))
			route_line(out, m, width);
	note_partial(out, data);
	return ferror(out) ? -EIO : 0;
}

enum { NB_ADDR, NB_MAC, NB_IF, NB_STATE, NB_AGE, NB_QUEUED, NB_COLS };

static const char *const nb_head[NB_COLS] = {
	"Address", "MAC", "Interface", "State", "Age", "Queued",
};

static int neighbor_row(struct table *t, const struct json *n)
{
	char age[32];
	uint64_t s;
	int rc = table_add(t);
	if (rc != 0)
		return rc;
	put_member(t, NB_ADDR, n, "address");
	put_member(t, NB_MAC, n, "mac");
	put_member(t, NB_IF, n, "interface");
	put_member(t, NB_STATE, n, "state");
	if (json_u64(json_get(n, "age_s"), &s) == 0) {
		snprintf(age, sizeof(age), "%" PRIu64 "s", s);
		table_put(t, NB_AGE, age);
	} else {
		put_count(t, NB_AGE, n, "age_s");
	}
	put_count(t, NB_QUEUED, n, "queued");
	return 0;
}

int format_neighbors(FILE *out, const struct json *data, enum format_family af)
{
	struct table t;
	const struct json *m;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = table_open(&t, nb_head, NB_COLS);
	for (m = json_first(data); m != NULL; m = json_next(m)) {
		if (rc != 0)
			break;
		if (json_type(m) == JSON_OBJECT &&
		    family_wanted(json_get_str(m, "address", NULL), af))
			rc = neighbor_row(&t, m);
	}
	rc = table_finish(out, &t, rc);
	if (rc == 0)
		note_partial(out, data);
	return rc;
}

enum { ST_THREAD, ST_LCORE, ST_RX, ST_TX, ST_PUNT, ST_DROP, ST_BUSY, ST_CPP, ST_COLS };

static const char *const st_head[ST_COLS] = {
	"Thread", "Lcore", "RX pkts", "TX pkts", "Punted", "Dropped", "Busy %", "Cycles/pkt",
};

/* busy_cycles / total_cycles; NA before the first loop has been timed. */
static void put_busy(struct table *t, const struct json *s)
{
	const struct json *busy = json_get(s, "busy_cycles");
	const struct json *total = json_get(s, "total_cycles");
	uint64_t b, c;
	char buf[32];
	if (json_type(busy) == JSON_NULL || json_type(total) == JSON_NULL) {
		table_put(t, ST_BUSY, NA);
	} else if (json_u64(busy, &b) != 0 || json_u64(total, &c) != 0) {
		table_put(t, ST_BUSY, ODD);
	} else if (c == 0) {
		table_put(t, ST_BUSY, NA);
	} else {
		snprintf(buf, sizeof(buf), "%.1f%%", (double)b * 100.0 / (double)c);
		table_put(t, ST_BUSY, buf);
	}
}

static int lcore_row(struct table *t, const char *name, const struct json *s)
{
	int rc = table_add(t);
	if (rc != 0)
		return rc;
	table_put(t, ST_THREAD, name);
	put_count(t, ST_LCORE, s, "lcore");
	put_count(t, ST_RX, s, "rx_packets");
	put_count(t, ST_TX, s, "tx_packets");
	put_count(t, ST_PUNT, s, "punted");
	put_count(t, ST_DROP, s, "dropped");
	put_busy(t, s);
	put_count(t, ST_CPP, s, "cycles_per_packet");
	return 0;
}

enum { DR_REASON, DR_TOTAL, DR_THREAD, DR_LCORE, DR_COUNT, DR_COLS };

static const char *const dr_head[DR_COLS] = {
	"Reason", "Total", "Thread", "Lcore", "Count",
};

/* One reason: its total, then each thread that counted it, a row each after the first. */
static int drop_rows(struct table *t, const struct json *stats, const char *key, uint64_t sum)
{
	char num[32];
	size_t n = 0;
	const struct json *m;
	int rc = table_add(t);
	if (rc != 0)
		return rc;
	table_put(t, DR_REASON, key + strlen("drop_"));
	snprintf(num, sizeof(num), "%" PRIu64, sum);
	table_put(t, DR_TOTAL, num);
	for (m = json_first(stats); m != NULL; m = json_next(m)) {
		uint64_t c;
		if (strcmp(json_key(m), "total") == 0 || json_u64(json_get(m, key), &c) != 0 ||
		    c == 0)
			continue;
		if (n++ > 0 && (rc = table_add(t)) != 0)
			return rc;
		table_put(t, DR_THREAD, json_key(m));
		put_count(t, DR_LCORE, m, "lcore");
		snprintf(num, sizeof(num), "%" PRIu64, c);
		table_put(t, DR_COUNT, num);
	}
	return 0;
}

static int format_drops(FILE *out, const struct json *stats)
{
	const struct json *total = json_get(stats, "total");
	const struct json *m;
	struct table t;
	if (json_type(total) != JSON_OBJECT) {
		fputs("\nDrops by reason: no \"total\" in the reply\n", out);
		return ferror(out) ? -EIO : 0;
	}
	int rc = table_open(&t, dr_head, DR_COLS);
	for (m = json_first(total); m != NULL; m = json_next(m)) {
		uint64_t sum;
		if (rc != 0)
			break;
		if (strncmp(json_key(m), "drop_", strlen("drop_")) == 0 && json_u64(m, &sum) == 0 &&
		    sum != 0)
			rc = drop_rows(&t, stats, json_key(m), sum);
	}
	if (rc == 0 && t.nrows == 1) {
		table_free(&t);
		fputs("\nDrops by reason: none\n", out);
		return ferror(out) ? -EIO : 0;
	}
	fputs("\nDrops by reason:\n", out);
	return table_finish(out, &t, rc);
}

int format_stats(FILE *out, const struct json *data)
{
	struct table t;
	const struct json *m;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = table_open(&t, st_head, ST_COLS);
	for (m = json_first(data); m != NULL && rc == 0; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			rc = lcore_row(&t, json_key(m), m);
	rc = table_finish(out, &t, rc);
	if (rc == 0)
		rc = format_drops(out, data);
	return rc;
}

/* Config scalars as written: an empty string stays visible, null is spelt out. */
static void config_scalar(FILE *out, const struct json *v)
{
	char buf[LINE_MAX_TEXT], num[32];
	const char *s;
	if (json_type(v) == JSON_STRING && json_str(v)[0] == '\0')
		s = "\"\"";
	else if (json_type(v) == JSON_NULL)
		s = "null";
	else
		s = scalar_text(v, num, sizeof(num));
	clean(buf, sizeof(buf), s, strlen(s));
	fprintf(out, " %s\n", buf);
}

/* Recursion follows the tree, which the parser bounds to JSON_MAX_DEPTH. */
static void config_members(FILE *out, const struct json *c, unsigned int level)
{
	const struct json *m;
	for (m = json_first(c); m != NULL; m = json_next(m)) {
		char key[CELL_MAX];
		enum json_type type = json_type(m);
		fprintf(out, "%*s", (int)(2 * level), "");
		if (json_key(m) != NULL) {
			clean(key, sizeof(key), json_key(m), strlen(json_key(m)));
			fprintf(out, "%s:", key);
		} else {
			fputc('-', out);
		}
		if (type != JSON_OBJECT && type != JSON_ARRAY) {
			config_scalar(out, m);
		} else if (json_count(m) == 0) {
			fputs(type == JSON_OBJECT ? " {}\n" : " []\n", out);
		} else {
			fputc('\n', out);
			config_members(out, m, level + 1);
		}
	}
}

int format_config(FILE *out, const struct json *data)
{
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	config_members(out, data, 0);
	return ferror(out) ? -EIO : 0;
}

/*
 * IPsec SAs. Both views group the SAs by tunnel (interface and peer): the detail view prints a
 * tunnel's counters once, then its inbound and outbound SAs, as Cisco's "show crypto ipsec sa"
 * does; the summary keeps a tunnel's rows together. A filter selects whole tunnels, so that
 * "spi" shows the SA with its siblings and the tunnel's counters stay whole.
 */

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
		member_text(r[k].ifname, sizeof(r[k].ifname), m, "interface");
		member_text(r[k].peer, sizeof(r[k].peer), m, "remote");
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
	member_text(local, sizeof(local), o != NULL ? o : r->sa, "local");
	if (o != NULL && str_is(o, "encap", "udp")) {
		char p[CELL_MAX];
		member_text(p, sizeof(p), o, "udp_dport");
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
		clean(label + 1, sizeof(label) - 1, name, strlen(name));
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
	member_text(local, sizeof(local), o != NULL ? o : r->sa, "local");
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
	member_text(transform, sizeof(transform), sa, "transform");
	member_text(id, sizeof(id), sa, "id");
	member_text(owner, sizeof(owner), sa, "owner");
	member_text(ifname, sizeof(ifname), sa, "interface");
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
	member_text(seq, sizeof(seq), sa, "seq");
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
	note_partial(out, data);
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
	int rc = table_add(t);
	if (rc != 0)
		return rc;
	put_member(t, SS_ID, r->sa, "id");
	table_put(t, SS_SPI, spi_text(r->sa, false, buf, sizeof(buf)));
	put_member(t, SS_DIR, r->sa, "direction");
	table_put(t, SS_IF, r->ifname);
	table_put(t, SS_PEER, r->peer);
	put_member(t, SS_XFORM, r->sa, "transform");
	put_count(t, SS_PKTS, r->sa, "pkts");
	sum_errors(&errs, r->sa);
	table_put(t, SS_ERRS, sum_text(&errs, buf, sizeof(buf)));
	table_put(t, SS_STATE, state_short[sa_state(r->sa)]);
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
	rc = table_open(&t, ss_head, SS_COLS);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (r[i].keep)
			rc = summary_row(&t, &r[i]);
	free(r);
	if (rc == 0 && t.nrows == 1) {
		table_free(&t);
		no_sa_note(out, f);
	} else {
		rc = table_finish(out, &t, rc);
	}
	if (rc == 0)
		note_partial(out, data);
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
