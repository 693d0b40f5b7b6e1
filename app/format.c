/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app/format.c - the text tables of `vpnhubctl show`: the table builder shared through
 * app/format_int.h and the base tables; the IPsec SA views live in app/format_ipsec.c.
 *
 * A small table builder collects bounded cells (CELL_MAX bytes, cut at a UTF-8 boundary),
 * measures every column and prints them aligned, so widths follow the data. Every string taken
 * from a reply goes through fmt_clean() before it is printed: the hub's data is not trusted to be
 * free of terminal control sequences. Missing members print NA, members of a type that makes no
 * sense in their column print ODD; neither stops the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/format.h"
#include "app/format_int.h"

#define LINE_MAX_TEXT 512
#define GAP	      2

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
void fmt_clean(char *dst, size_t size, const char *src, size_t len)
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
void fmt_member_text(char *dst, size_t size, const struct json *obj, const char *key)
{
	char num[32];
	const char *s = scalar_text(json_get(obj, key), num, sizeof(num));
	fmt_clean(dst, size, s, strlen(s));
}

/* Append an empty row; cells are then filled with fmt_table_put(). */
int fmt_table_add(struct table *t)
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
	fmt_clean(t->cell[(t->nrows - 1) * t->ncols + col], CELL_MAX, s, len);
}

void fmt_table_put(struct table *t, size_t col, const char *s)
{
	table_putn(t, col, s, strlen(s));
}

void fmt_put_member(struct table *t, size_t col, const struct json *obj, const char *key)
{
	char num[32];
	fmt_table_put(t, col, scalar_text(json_get(obj, key), num, sizeof(num)));
}

void fmt_put_count(struct table *t, size_t col, const struct json *obj, const char *key)
{
	char num[32];
	fmt_table_put(t, col, count_text(json_get(obj, key), num, sizeof(num)));
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

void fmt_table_free(struct table *t)
{
	free(t->cell);
	t->cell = NULL;
}

/* Start a table whose first row is the header. */
int fmt_table_open(struct table *t, const char *const *head, size_t ncols)
{
	*t = (struct table){.ncols = ncols};
	if (ncols == 0 || ncols > COLS_MAX)
		return -EINVAL;
	int rc = fmt_table_add(t);
	for (size_t c = 0; rc == 0 && c < ncols; c++)
		fmt_table_put(t, c, head[c]);
	return rc;
}

int fmt_table_finish(FILE *out, struct table *t, int rc)
{
	if (rc == 0)
		rc = table_print(out, t);
	fmt_table_free(t);
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
void fmt_note_partial(FILE *out, const struct json *data)
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
	fmt_clean(buf, sizeof(buf), text, strlen(text));
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
	fmt_member_text(mb, sizeof(mb), data, "ipsec_mb");
	fmt_member_text(arch, sizeof(arch), data, "ipsec_mb_arch");
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
			int rc = fmt_table_add(t);
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
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_table_put(t, IF_NAME, name);
	fmt_put_member(t, IF_IDX, ifc, "ifindex");
	fmt_put_member(t, IF_KIND, ifc, "kind");
	fmt_put_member(t, IF_LINK, ifc, "link");
	fmt_put_member(t, IF_MTU, ifc, "mtu");
	fmt_put_member(t, IF_MAC, ifc, "mac");
	fmt_table_put(t, IF_ADDR, NA);
	fmt_put_count(t, IF_RX, ifc, "rx_packets");
	fmt_put_count(t, IF_TX, ifc, "tx_packets");
	fmt_put_count(t, IF_DROPS, ifc, "drops");
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
	int rc = fmt_table_open(&t, if_head, IF_COLS);
	for (m = json_first(data); m != NULL && rc == 0; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			rc = interface_rows(&t, json_key(m), m);
	return fmt_table_finish(out, &t, rc);
}

static const struct {
	const char *type;
	const char *code;
} route_codes[] = {
	{"connected", "C"},
	{"ike", "I"},
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
	fmt_member_text(via, sizeof(via), r, "via");
	fmt_member_text(ifn, sizeof(ifn), r, "interface");
	bool has_via = strcmp(via, NA) != 0;
	if (strcmp(code, "L") == 0) {
		snprintf(buf, size, "is local, %s", ifn);
	} else if (strcmp(code, "C") == 0 || (strcmp(code, "S") == 0 && !has_via)) {
		snprintf(buf, size, "is directly connected, %s", ifn);
	} else if (strcmp(code, "S") == 0) {
		/* The FIB keeps no distance; statics show Cisco's default [1/0] unless the hub
		 * reports "distance"/"metric", so readers of that format see the familiar shape. */
		fmt_member_text(dist, sizeof(dist), r, "distance");
		fmt_member_text(metric, sizeof(metric), r, "metric");
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
	fmt_member_text(prefix, sizeof(prefix), r, "prefix");
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
		fmt_member_text(prefix, sizeof(prefix), m, "prefix");
		size_t w = width_of(prefix);
		width = w > width ? w : width;
	}
	fputs("Codes: C - connected, S - static, L - local, I - IKE (reverse route), ? - "
	      "unknown\n\n",
	      out);
	for (m = json_first(data); m != NULL; m = json_next(m))
		if (route_wanted(m, af))
			route_line(out, m, width);
	fmt_note_partial(out, data);
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
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_put_member(t, NB_ADDR, n, "address");
	fmt_put_member(t, NB_MAC, n, "mac");
	fmt_put_member(t, NB_IF, n, "interface");
	fmt_put_member(t, NB_STATE, n, "state");
	if (json_u64(json_get(n, "age_s"), &s) == 0) {
		snprintf(age, sizeof(age), "%" PRIu64 "s", s);
		fmt_table_put(t, NB_AGE, age);
	} else {
		fmt_put_count(t, NB_AGE, n, "age_s");
	}
	fmt_put_count(t, NB_QUEUED, n, "queued");
	return 0;
}

int format_neighbors(FILE *out, const struct json *data, enum format_family af)
{
	struct table t;
	const struct json *m;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = fmt_table_open(&t, nb_head, NB_COLS);
	for (m = json_first(data); m != NULL; m = json_next(m)) {
		if (rc != 0)
			break;
		if (json_type(m) == JSON_OBJECT &&
		    family_wanted(json_get_str(m, "address", NULL), af))
			rc = neighbor_row(&t, m);
	}
	rc = fmt_table_finish(out, &t, rc);
	if (rc == 0)
		fmt_note_partial(out, data);
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
		fmt_table_put(t, ST_BUSY, NA);
	} else if (json_u64(busy, &b) != 0 || json_u64(total, &c) != 0) {
		fmt_table_put(t, ST_BUSY, ODD);
	} else if (c == 0) {
		fmt_table_put(t, ST_BUSY, NA);
	} else {
		snprintf(buf, sizeof(buf), "%.1f%%", (double)b * 100.0 / (double)c);
		fmt_table_put(t, ST_BUSY, buf);
	}
}

static int lcore_row(struct table *t, const char *name, const struct json *s)
{
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_table_put(t, ST_THREAD, name);
	fmt_put_count(t, ST_LCORE, s, "lcore");
	fmt_put_count(t, ST_RX, s, "rx_packets");
	fmt_put_count(t, ST_TX, s, "tx_packets");
	fmt_put_count(t, ST_PUNT, s, "punted");
	fmt_put_count(t, ST_DROP, s, "dropped");
	put_busy(t, s);
	fmt_put_count(t, ST_CPP, s, "cycles_per_packet");
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
	int rc = fmt_table_add(t);
	if (rc != 0)
		return rc;
	fmt_table_put(t, DR_REASON, key + strlen("drop_"));
	snprintf(num, sizeof(num), "%" PRIu64, sum);
	fmt_table_put(t, DR_TOTAL, num);
	for (m = json_first(stats); m != NULL; m = json_next(m)) {
		uint64_t c;
		if (strcmp(json_key(m), "total") == 0 || json_u64(json_get(m, key), &c) != 0 ||
		    c == 0)
			continue;
		if (n++ > 0 && (rc = fmt_table_add(t)) != 0)
			return rc;
		fmt_table_put(t, DR_THREAD, json_key(m));
		fmt_put_count(t, DR_LCORE, m, "lcore");
		snprintf(num, sizeof(num), "%" PRIu64, c);
		fmt_table_put(t, DR_COUNT, num);
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
	int rc = fmt_table_open(&t, dr_head, DR_COLS);
	for (m = json_first(total); m != NULL; m = json_next(m)) {
		uint64_t sum;
		if (rc != 0)
			break;
		if (strncmp(json_key(m), "drop_", strlen("drop_")) == 0 && json_u64(m, &sum) == 0 &&
		    sum != 0)
			rc = drop_rows(&t, stats, json_key(m), sum);
	}
	if (rc == 0 && t.nrows == 1) {
		fmt_table_free(&t);
		fputs("\nDrops by reason: none\n", out);
		return ferror(out) ? -EIO : 0;
	}
	fputs("\nDrops by reason:\n", out);
	return fmt_table_finish(out, &t, rc);
}

int format_stats(FILE *out, const struct json *data)
{
	struct table t;
	const struct json *m;
	if (json_type(data) != JSON_OBJECT)
		return -EINVAL;
	int rc = fmt_table_open(&t, st_head, ST_COLS);
	for (m = json_first(data); m != NULL && rc == 0; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			rc = lcore_row(&t, json_key(m), m);
	rc = fmt_table_finish(out, &t, rc);
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
	fmt_clean(buf, sizeof(buf), s, strlen(s));
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
			fmt_clean(key, sizeof(key), json_key(m), strlen(json_key(m)));
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
