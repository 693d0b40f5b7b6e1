/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_json.c - suites "json" (app/json.c) and "format" (app/format.c).
 *
 * Parser cases follow RFC 8259 (sections 2-8) and RFC 3629 section 4 for UTF-8; every input is
 * copied into a buffer of exactly its length, so an over-read shows under ASan. Format cases feed
 * the canned replies of the telemetry contract (one per `show` table) and odd variants of them
 * into format_*() over open_memstream() and look for the exact rows an operator would see.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/format.h"
#include "app/json.h"
#include "tests.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parse from an exactly-sized, unterminated copy of text[0..len). */
static int parse_exact(const char *text, size_t len, struct json **out, struct json_error *e)
{
	char *copy = malloc(len != 0 ? len : 1);
	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, text, len);
	int rc = json_parse(copy, len, out, e);
	free(copy);
	return rc;
}

/* The compact serialisation of v, to be freed by the caller. */
static char *to_text(const struct json *v, unsigned int indent)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(json_write(f, v, indent) == 0);
	fclose(f);
	return buf;
}

static const struct {
	const char *in;
	const char *out; /* compact re-serialisation */
} valid_cases[] = {
	{"{\"a\":1}", "{\"a\":1}"},
	{" \t\r\n{ \"a\" : [ 1 , { \"b\" : null } , true , false , [ ] , { } ] } \n",
	 "{\"a\":[1,{\"b\":null},true,false,[],{}]}"},
	{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\""},
	{"\"\\u00e9\\u20AC\"", "\"\xc3\xa9\xe2\x82\xac\""},
	/* U+1F600 as a UTF-16 surrogate pair, RFC 8259 section 7. */
	{"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},
	{"\"\\u0001\"", "\"\\u0001\""},
	{"\"h\xc3\xa9llo \xf4\x8f\xbf\xbf\"", "\"h\xc3\xa9llo \xf4\x8f\xbf\xbf\""},
	{"18446744073709551615", "18446744073709551615"},
	{"-9223372036854775808", "-9223372036854775808"},
	{"-1", "-1"},
	{"0", "0"},
	{"-0", "0"},
	{"18446744073709551616", "1.8446744073709552e+19"},
	{"1.5", "1.5"},
	{"-0.25e2", "-25.0"}, /* a double stays a double when written */
	{"1E3", "1000.0"},
	{"2.5e-3", "0.0025"},
	{"0.1", "0.1"},
	{"[\"\", \"x\"]", "[\"\",\"x\"]"},
	{"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"},
};

static void test_valid(void)
{
	for (size_t i = 0; i < ARRAY_LEN(valid_cases); i++) {
		struct json *v = NULL;
		struct json_error e = {0};
		int rc = parse_exact(valid_cases[i].in, strlen(valid_cases[i].in), &v, &e);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "case %zu: %s at %zu\n", i, e.msg, e.offset);
			continue;
		}
		char *text = to_text(v, 0);
		CU_ASSERT_STRING_EQUAL(text, valid_cases[i].out);
		free(text);
		json_free(v);
	}
}

static const struct {
	const char *name;
	const char *in;
	int rc;
	size_t offset;
	const char *msg; /* when set, the reason given */
} invalid_cases[] = {
	{"empty", "", -EINVAL, 0, "empty input"},
	{"blank", " \n\t", -EINVAL, 3, "empty input"},
	{"truncated object", "{\"a\":1", -EINVAL, 6, "expected ',' or '}'"},
	{"truncated array", "[1,2", -EINVAL, 4, "expected ',' or ']'"},
	{"truncated member", "{\"a\":", -EINVAL, 5, "unexpected end of input"},
	{"truncated literal", "tru", -EINVAL, 0, "invalid literal"},
	{"trailing comma array", "[1,2,]", -EINVAL, 5, "trailing comma"},
	{"trailing comma object", "{\"a\":1,}", -EINVAL, 7, "trailing comma"},
	{"unterminated string", "\"abc", -EINVAL, 0, "unterminated string"},
	{"unterminated by escape", "\"abc\\\"", -EINVAL, 0, "unterminated string"},
	{"bad escape", "\"a\\x\"", -EINVAL, 2, "invalid escape"},
	{"bad hex", "\"\\u12G4\"", -EINVAL, 1, "invalid \\u escape"},
	{"short \\u", "\"\\u12\"", -EINVAL, 1, "invalid \\u escape"},
	{"lone high surrogate", "\"\\ud83d\"", -EINVAL, 1, "lone high surrogate"},
	{"high then not low", "\"\\ud83d\\u0041\"", -EINVAL, 1, "lone high surrogate"},
	{"lone low surrogate", "\"\\ude00\"", -EINVAL, 1, "lone low surrogate"},
	{"escaped NUL", "\"a\\u0000\"", -EINVAL, 2, "NUL in string"},
	{"raw tab in string", "\"a\tb\"", -EINVAL, 2, "control character in string"},
	{"raw newline in string", "\"a\nb\"", -EINVAL, 2, "control character in string"},
	{"raw 0x01 in string", "\"\x01\"", -EINVAL, 1, "control character in string"},
	{"invalid UTF-8", "\"\xc3\x28\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"overlong UTF-8, 2 bytes", "\"\xc0\xaf\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"overlong UTF-8, 3 bytes", "\"\xe0\x80\xaf\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"overlong UTF-8, 4 bytes", "\"\xf0\x80\x80\xaf\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"UTF-8 surrogate", "\"\xed\xa0\x80\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"beyond U+10FFFF", "\"\xf4\x90\x80\x80\"", -EINVAL, 1, "invalid UTF-8 in string"},
	{"trailing garbage", "{} x", -EINVAL, 3, "trailing characters after the value"},
	{"two values", "1 2", -EINVAL, 2, "trailing characters after the value"},
	{"leading zero", "01", -EINVAL, 0, "leading zero in number"},
	{"negative leading zero", "-01", -EINVAL, 1, "leading zero in number"},
	{"double zero", "00", -EINVAL, 0, "leading zero in number"},
	{"bare point", "1.", -EINVAL, 2, "digit expected after decimal point"},
	{"leading point", ".5", -EINVAL, 0, "unexpected character"},
	{"empty exponent", "1e", -EINVAL, 2, "digit expected in exponent"},
	{"plus sign", "+1", -EINVAL, 0, "unexpected character"},
	{"lone minus", "-", -EINVAL, 1, "invalid number"},
	{"NaN", "NaN", -EINVAL, 0, "unexpected character"},
	{"Infinity", "-Infinity", -EINVAL, 1, "invalid number"},
	{"huge exponent", "1e999", -EINVAL, 0, "number out of range"},
	{"duplicate key", "{\"a\":1,\"b\":2,\"a\":3}", -EINVAL, 19, "duplicate key"},
	{"non-string key", "{1:2}", -EINVAL, 1, "expected string key"},
	{"missing colon", "{\"a\" 1}", -EINVAL, 5, "expected ':'"},
	{"single quotes", "'a'", -EINVAL, 0, "unexpected character"},
	{"missing comma", "[1 2]", -EINVAL, 3, "expected ',' or ']'"},
	{"depth 33",
	 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	 -E2BIG, 32, "nested too deeply"},
};

static void test_invalid(void)
{
	for (size_t i = 0; i < ARRAY_LEN(invalid_cases); i++) {
		/* Any non-NULL value: a failed parse must reset it. */
		struct json *v = (struct json *)invalid_cases;
		struct json_error e = {0};
		int rc = parse_exact(invalid_cases[i].in, strlen(invalid_cases[i].in), &v, &e);
		CU_ASSERT_EQUAL(rc, invalid_cases[i].rc);
		CU_ASSERT_PTR_NULL(v);
		CU_ASSERT_PTR_NOT_NULL(e.msg);
		CU_ASSERT_EQUAL(e.offset, invalid_cases[i].offset);
		bool msg_ok = invalid_cases[i].msg == NULL ||
			      (e.msg != NULL && strcmp(e.msg, invalid_cases[i].msg) == 0);
		CU_ASSERT_TRUE(msg_ok);
		if (rc != invalid_cases[i].rc || e.offset != invalid_cases[i].offset || !msg_ok)
			fprintf(stderr, "case '%s': rc %d, '%s' at %zu\n", invalid_cases[i].name,
				rc, e.msg != NULL ? e.msg : "", e.offset);
	}
}

/* A NUL byte inside the stated length is a character like any other, and not a valid one. */
static void test_embedded_nul(void)
{
	static const char text[] = "[1,\0 2]";
	struct json *v;
	CU_ASSERT_EQUAL(parse_exact(text, sizeof(text) - 1, &v, NULL), -EINVAL);
	/* The length, not a terminator, ends the input. */
	CU_ASSERT_EQUAL(parse_exact("123456", 3, &v, NULL), 0);
	uint64_t u = 0;
	CU_ASSERT_EQUAL(json_u64(v, &u), 0);
	CU_ASSERT_EQUAL(u, 123);
	json_free(v);
}

/* Text of n array elements "[0,0,...]" or n nested arrays, caller frees. */
static char *repeat(const char *open, const char *unit, const char *sep, const char *close,
		    size_t n)
{
	size_t len = strlen(open) + n * (strlen(unit) + strlen(sep)) + strlen(close) + 1;
	char *s = malloc(len), *p = s;
	CU_ASSERT_FATAL(s != NULL);
	p = stpcpy(p, open);
	for (size_t i = 0; i < n; i++) {
		p = stpcpy(p, unit);
		if (i + 1 < n)
			p = stpcpy(p, sep);
	}
	stpcpy(p, close);
	return s;
}

static void test_limits(void)
{
	struct json *v;
	/* JSON_MAX_NODES counts the array itself. */
	char *ok = repeat("[", "0", ",", "]", JSON_MAX_NODES - 1);
	char *big = repeat("[", "0", ",", "]", JSON_MAX_NODES);
	CU_ASSERT_EQUAL(parse_exact(ok, strlen(ok), &v, NULL), 0);
	CU_ASSERT_EQUAL(json_count(v), JSON_MAX_NODES - 1);
	json_free(v);
	CU_ASSERT_EQUAL(parse_exact(big, strlen(big), &v, NULL), -E2BIG);
	free(ok);
	free(big);

	char *num = repeat("", "1", "", "", JSON_MAX_NUMBER);
	CU_ASSERT_EQUAL(parse_exact(num, strlen(num), &v, NULL), 0);
	CU_ASSERT_EQUAL(json_type(v), JSON_DOUBLE);
	json_free(v);
	free(num);
	num = repeat("", "1", "", "", JSON_MAX_NUMBER + 1);
	CU_ASSERT_EQUAL(parse_exact(num, strlen(num), &v, NULL), -E2BIG);
	free(num);

	char *huge = malloc(JSON_MAX_INPUT + 1);
	CU_ASSERT_FATAL(huge != NULL);
	memset(huge, ' ', JSON_MAX_INPUT + 1);
	huge[0] = '1';
	CU_ASSERT_EQUAL(json_parse(huge, JSON_MAX_INPUT, &v, NULL), 0);
	json_free(v);
	CU_ASSERT_EQUAL(json_parse(huge, JSON_MAX_INPUT + 1, &v, NULL), -E2BIG);
	free(huge);
}

static void test_access(void)
{
	static const char text[] = "{\"big\":18446744073709551615,\"neg\":-5,\"d\":2.5,\"s\":\"x\","
				   "\"t\":true,\"n\":null,\"o\":{\"k\":1},\"a\":[3,4]}";
	static const char *const order[] = {"big", "neg", "d", "s", "t", "n", "o", "a"};
	struct json *v;
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	CU_ASSERT_FATAL(parse_exact(text, strlen(text), &v, NULL) == 0);
	CU_ASSERT_EQUAL(json_u64(json_get(v, "big"), &u), 0);
	CU_ASSERT_EQUAL(u, UINT64_MAX);
	CU_ASSERT_EQUAL(json_i64(json_get(v, "big"), &i), -ERANGE);
	CU_ASSERT_EQUAL(json_u64(json_get(v, "neg"), &u), -ERANGE);
	CU_ASSERT_EQUAL(json_i64(json_get(v, "neg"), &i), 0);
	CU_ASSERT_EQUAL(i, -5);
	CU_ASSERT_EQUAL(json_double(json_get(v, "d"), &d), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 2.5, 1e-12);
	CU_ASSERT_EQUAL(json_u64(json_get(v, "d"), &u), -ERANGE);
	CU_ASSERT_EQUAL(json_u64(json_get(v, "s"), &u), -EINVAL);
	CU_ASSERT_EQUAL(json_u64(json_get(v, "missing"), &u), -EINVAL);
	CU_ASSERT_STRING_EQUAL(json_str(json_get(v, "s")), "x");
	CU_ASSERT_PTR_NULL(json_str(json_get(v, "t")));
	CU_ASSERT_EQUAL(json_bool(json_get(v, "t"), &b), 0);
	CU_ASSERT_TRUE(b);
	CU_ASSERT_EQUAL(json_type(json_get(v, "n")), JSON_NULL);
	CU_ASSERT_EQUAL(json_get_u64(json_get(v, "o"), "k", 9), 1);
	CU_ASSERT_EQUAL(json_get_u64(v, "s", 9), 9);
	CU_ASSERT_STRING_EQUAL(json_get_str(v, "neg", "dflt"), "dflt");
	CU_ASSERT_PTR_NULL(json_get(json_get(v, "a"), "0"));
	CU_ASSERT_EQUAL(json_count(json_get(v, "a")), 2);
	CU_ASSERT_EQUAL(json_count(json_get(v, "s")), 0);

	const struct json *m;
	size_t k = 0;
	for (m = json_first(v); m != NULL; m = json_next(m)) {
		CU_ASSERT_FATAL(k < ARRAY_LEN(order));
		CU_ASSERT_STRING_EQUAL(json_key(m), order[k]);
		k++;
	}
	CU_ASSERT_EQUAL(k, ARRAY_LEN(order));
	json_free(v);
}

static void test_build_and_write(void)
{
	struct json *page, *acc = json_new_object();
	CU_ASSERT_FATAL(acc != NULL);
	static const char text[] = "{\"total\":2,\"7\":\"x\",\"8\":[1,\"\\u0001\"]}";
	CU_ASSERT_FATAL(parse_exact(text, strlen(text), &page, NULL) == 0);
	struct json *m = json_take_first(page);
	CU_ASSERT_EQUAL(json_append(acc, m, NULL), 0);
	m = json_take_first(page);
	CU_ASSERT_EQUAL(json_append(acc, m, "0"), 0);
	m = json_take_first(page);
	CU_ASSERT_EQUAL(json_append(acc, m, "0"), -EEXIST);
	CU_ASSERT_EQUAL(json_append(acc, m, "1"), 0);
	CU_ASSERT_PTR_NULL(json_take_first(page));
	CU_ASSERT_EQUAL(json_count(page), 0);
	json_free(page);

	char *out = to_text(acc, 2);
	CU_ASSERT_STRING_EQUAL(out, "{\n  \"total\": 2,\n  \"0\": \"x\",\n  \"1\": [\n    1,\n"
				    "    \"\\u0001\"\n  ]\n}");
	free(out);
	json_free(acc);
	CU_ASSERT_EQUAL(json_append(NULL, NULL, "x"), -EINVAL);
	json_free(NULL);
}

/* The contract's canned replies (data members only), as the hub sends them. */
#define IFACES                                                                                   \
	"{\"lan0\":{\"ifindex\":1,\"kind\":\"ether\",\"port_id\":0,"                             \
	"\"port\":\"net_af_packet0,iface=vh-lan0\",\"mac\":\"02:00:00:00:00:01\",\"mtu\":1500,"  \
	"\"link\":\"up\",\"ipv4\":\"10.10.1.1/24\",\"ipv6\":\"fd00:10:1::1/64 fe80::1/64\","     \
	"\"rx_packets\":5,\"rx_bytes\":500,\"tx_packets\":5,\"tx_bytes\":500,\"drops\":0},"      \
	"\"wan0\":{\"ifindex\":2,\"kind\":\"ether\",\"mac\":\"02:00:00:00:01:01\",\"mtu\":9000," \
	"\"link\":\"down\",\"ipv4\":\"\",\"ipv6\":\"\",\"rx_packets\":123456,\"tx_packets\":0,"  \
	"\"drops\":2}}"

#define ROUTES                                                                                 \
	"{\"total\":5,\"0\":{\"prefix\":\"10.10.1.0/24\",\"type\":\"connected\",\"via\":\"\"," \
	"\"interface\":\"lan0\"},\"1\":{\"prefix\":\"198.51.100.0/24\",\"type\":\"static\","   \
	"\"via\":\"203.0.113.2\",\"interface\":\"wan0\"},\"2\":{\"prefix\":\"10.10.1.1/32\","  \
	"\"type\":\"local\",\"via\":\"\",\"interface\":\"lan0\"},\"3\":{\"prefix\":"           \
	"\"fd00:10:1::/64\",\"type\":\"connected\",\"via\":\"\",\"interface\":\"lan0\"},"      \
	"\"4\":{\"prefix\":\"2001:db8::/32\",\"type\":\"static\",\"via\":\"fe80::2\","         \
	"\"interface\":\"wan0\"}}"

#define NEIGHBORS                                                                      \
	"{\"total\":2,\"0\":{\"address\":\"10.10.1.2\",\"mac\":\"02:00:00:00:00:02\"," \
	"\"interface\":\"lan0\",\"state\":\"reachable\",\"age_s\":3,\"queued\":0},"    \
	"\"1\":{\"address\":\"fe80::2\",\"mac\":\"\",\"interface\":\"wan0\","          \
	"\"state\":\"incomplete\",\"age_s\":1,\"queued\":4}}"

#define STATS                                                                                    \
	"{\"worker0\":{\"lcore\":1,\"rx_packets\":1000,\"tx_packets\":990,\"punted\":3,"         \
	"\"dropped\":7,\"busy_cycles\":250,\"total_cycles\":1000,\"cycles_per_packet\":88,"      \
	"\"drop_eth_truncated\":0,\"drop_no_route\":7},"                                         \
	"\"worker1\":{\"lcore\":2,\"rx_packets\":10,\"tx_packets\":10,\"punted\":0,"             \
	"\"dropped\":4,\"busy_cycles\":0,\"total_cycles\":0,\"cycles_per_packet\":0,"            \
	"\"drop_eth_truncated\":1,\"drop_no_route\":3},"                                         \
	"\"control\":{\"lcore\":0,\"rx_packets\":5,\"tx_packets\":5,\"punted\":0,\"dropped\":0," \
	"\"busy_cycles\":1,\"total_cycles\":3,\"cycles_per_packet\":1200,"                       \
	"\"drop_eth_truncated\":0,\"drop_no_route\":0},"                                         \
	"\"total\":{\"rx_packets\":1015,\"tx_packets\":1005,\"punted\":3,\"dropped\":11,"        \
	"\"busy_cycles\":251,\"total_cycles\":1003,\"cycles_per_packet\":90,"                    \
	"\"drop_eth_truncated\":1,\"drop_no_route\":10,\"drop_tx_full\":0}}"

#define VERSION                                                                      \
	"{\"version\":\"0.1.0\",\"instance\":\"vpnhub\",\"dpdk\":\"DPDK 22.11.11\"," \
	"\"ipsec_mb\":\"1.3.0\",\"ipsec_mb_arch\":\"AVX512\",\"workers\":1,\"uptime_s\":93784}"

#define CONFIG                                                                              \
	"{\"file\":\"<embedded>\",\"system\":{\"workers\":1,\"name\":\"\",\"numa\":null},"  \
	"\"iface_lan0\":{\"address\":\"10.10.1.1/24\",\"list\":[1,{\"k\":true}],\"e\":{}}," \
	"\"routes\":2}"

enum fmt_table { T_VERSION, T_IFACES, T_ROUTES, T_NEIGH, T_STATS, T_CONFIG };

static const struct fmt_case {
	const char *name;
	enum fmt_table table;
	enum format_family af;
	const char *json;
	int rc;
	const char *want[8];	 /* substrings that must appear */
	const char *not_want[3]; /* substrings that must not */
} fmt_cases[] = {
	{.name = "interfaces",
	 .table = T_IFACES,
	 .json = IFACES,
	 .want = {"Interface  Idx  Kind   Link  MTU   MAC                Address          RX pkts  "
		  "TX pkts  Drops\n",
		  "\nlan0       1    ether  up    1500  02:00:00:00:00:01  10.10.1.1/24     5      "
		  "  "
		  "5        0\n",
		  "\n                                                      fd00:10:1::1/64\n",
		  "\n                                                      fe80::1/64\n",
		  "\nwan0       2    ether  down  9000  02:00:00:00:01:01  -                123456 "
		  "  "
		  "0        2\n"},
	 .not_want = {" \n"}},
	{.name = "ip route",
	 .table = T_ROUTES,
	 .af = FORMAT_AF_INET,
	 .json = ROUTES,
	 .want = {"Codes: C - connected, S - static, L - local",
		  "\nC   10.10.1.0/24     is directly connected, lan0\n",
		  "\nS   198.51.100.0/24  [1/0] via 203.0.113.2, wan0\n",
		  "\nL   10.10.1.1/32     is local, lan0\n"},
	 .not_want = {"fd00", "2001:db8", "entries received"}},
	{.name = "ipv6 route",
	 .table = T_ROUTES,
	 .af = FORMAT_AF_INET6,
	 .json = ROUTES,
	 .want = {"\nC   fd00:10:1::/64  is directly connected, lan0\n",
		  "\nS   2001:db8::/32   [1/0] via fe80::2, wan0\n"},
	 .not_want = {"10.10.1.0"}},
	{.name = "route both families",
	 .table = T_ROUTES,
	 .json = ROUTES,
	 .want = {"\nC   10.10.1.0/24     is", "\nS   2001:db8::/32    [1/0] via fe80::2, wan0\n"}},
	{.name = "route without type, number as interface",
	 .table = T_ROUTES,
	 .json = "{\"0\":{\"prefix\":\"10.0.0.0/8\",\"via\":\"192.0.2.1\",\"interface\":5},"
		 "\"1\":{\"prefix\":\"10.1.0.0/16\",\"type\":\"bgp\"},\"2\":\"junk\",\"3\":{}}",
	 .want = {"\n?   10.0.0.0/8   via 192.0.2.1, 5\n", "\n?   10.1.0.0/16  -\n",
		  "\n?   -            -\n"},
	 .not_want = {"junk"}},
	{.name = "routes partial",
	 .table = T_ROUTES,
	 .json = "{\"total\":9,\"0\":{\"prefix\":\"10.0.0.0/8\",\"type\":\"static\","
		 "\"interface\":\"wan0\"}}",
	 .want = {"\nS   10.0.0.0/8  is directly connected, wan0\n", "% 1 of 9 entries received"}},
	{.name = "arp",
	 .table = T_NEIGH,
	 .af = FORMAT_AF_INET,
	 .json = NEIGHBORS,
	 .want = {"Address    MAC                Interface  State      Age  Queued\n",
		  "\n10.10.1.2  02:00:00:00:00:02  lan0       reachable  3s   0\n"},
	 .not_want = {"fe80::2"}},
	{.name = "ipv6 neighbors",
	 .table = T_NEIGH,
	 .af = FORMAT_AF_INET6,
	 .json = NEIGHBORS,
	 .want = {"\nfe80::2  -    wan0       incomplete  1s   4\n"},
	 .not_want = {"10.10.1.2"}},
	{.name = "neighbors odd types",
	 .table = T_NEIGH,
	 .json = "{\"0\":{\"address\":\"10.0.0.9\",\"mac\":[1],\"age_s\":\"old\",\"queued\":-1}}",
	 .want = {"\n10.0.0.9  ?    -          -      ?    -1\n"}},
	{.name = "stats",
	 .table = T_STATS,
	 .json = STATS,
	 .want = {"Thread   Lcore  RX pkts  TX pkts  Punted  Dropped  Busy %  Cycles/pkt\n",
		  "\nworker0  1      1000     990      3       7        25.0%   88\n",
		  "\nworker1  2      10       10       0       4        -       0\n",
		  "\ncontrol  0      5        5        0       0        33.3%   1200\n",
		  "\ntotal    -      1015     1005     3       11       25.0%   90\n",
		  "Drops by reason:\nReason         Total  Thread   Lcore  Count\n"
		  "eth_truncated  1      worker1  2      1\n"
		  "no_route       10     worker0  1      7\n"
		  "                      worker1  2      3\n"},
	 .not_want = {"tx_full"}},
	{.name = "stats odd",
	 .table = T_STATS,
	 .json = "{\"worker0\":{\"lcore\":\"one\",\"busy_cycles\":\"x\",\"total_cycles\":5},\"n\":"
		 "7}",
	 .want = {"\nworker0  ?      -        -        -       -        ?       -\n",
		  "Drops by reason: no \"total\""},
	 .not_want = {"\nn "}},
	{.name = "stats no drops",
	 .table = T_STATS,
	 .json = "{\"total\":{\"lcore\":0,\"drop_no_route\":0,\"dropped\":0}}",
	 .want = {"Drops by reason: none\n"}},
	{.name = "version",
	 .table = T_VERSION,
	 .json = VERSION,
	 .want = {"Version:   0.1.0\n", "Instance:  vpnhub\n", "DPDK:      DPDK 22.11.11\n",
		  "IPsec-MB:  1.3.0 (AVX512)\n", "Workers:   1\n", "Uptime:    1d 02:03:04\n"}},
	{.name = "version odd",
	 .table = T_VERSION,
	 .json = "{\"version\":7,\"uptime_s\":\"long\"}",
	 .want = {"Version:   7\n", "Instance:  -\n", "IPsec-MB:  -\n", "Uptime:    long\n"}},
	{.name = "config",
	 .table = T_CONFIG,
	 .json = CONFIG,
	 .want = {"file: <embedded>\nsystem:\n  workers: 1\n  name: \"\"\n  numa: null\n",
		  "iface_lan0:\n  address: 10.10.1.1/24\n  list:\n    - 1\n    -\n      k: true\n"
		  "  e: {}\nroutes: 2\n"}},
	/* Terminal controls in hub data are masked, one '?' per character (ESC and C1 CSI). */
	{.name = "control characters",
	 .table = T_IFACES,
	 .json = "{\"lan0\\u001b[2J\":{\"kind\":\"\\u009bx\",\"link\":\"\\u00e9\"},"
		 "\"junk\":5}",
	 .want = {"\nlan0?[2J   -    ?x    \xc3\xa9     -"},
	 .not_want = {"\x1b", "\xc2\x9b", "junk"}},
	{.name = "interfaces null", .table = T_IFACES, .json = "null", .rc = -EINVAL},
	{.name = "routes array", .table = T_ROUTES, .json = "[1]", .rc = -EINVAL},
	{.name = "neighbors string", .table = T_NEIGH, .json = "\"x\"", .rc = -EINVAL},
	{.name = "stats number", .table = T_STATS, .json = "1", .rc = -EINVAL},
	{.name = "version null", .table = T_VERSION, .json = "null", .rc = -EINVAL},
	{.name = "config array", .table = T_CONFIG, .json = "[]", .rc = -EINVAL},
};

static int run_format(FILE *f, enum fmt_table table, enum format_family af, const struct json *v)
{
	switch (table) {
	case T_VERSION:
		return format_version(f, v);
	case T_IFACES:
		return format_interfaces(f, v);
	case T_ROUTES:
		return format_routes(f, v, af);
	case T_NEIGH:
		return format_neighbors(f, v, af);
	case T_STATS:
		return format_stats(f, v);
	case T_CONFIG:
		return format_config(f, v);
	}
	return -ENOSYS;
}

static void check_output(const struct fmt_case *c, const char *out)
{
	for (size_t k = 0; k < ARRAY_LEN(c->want) && c->want[k] != NULL; k++) {
		bool found = strstr(out, c->want[k]) != NULL;
		CU_ASSERT_TRUE(found);
		if (!found)
			fprintf(stderr, "case '%s': missing \"%s\" in:\n%s", c->name, c->want[k],
				out);
	}
	for (size_t k = 0; k < ARRAY_LEN(c->not_want) && c->not_want[k] != NULL; k++) {
		bool found = strstr(out, c->not_want[k]) != NULL;
		CU_ASSERT_FALSE(found);
		if (found)
			fprintf(stderr, "case '%s': unexpected \"%s\" in:\n%s", c->name,
				c->not_want[k], out);
	}
}

static void test_format_tables(void)
{
	for (size_t i = 0; i < ARRAY_LEN(fmt_cases); i++) {
		const struct fmt_case *c = &fmt_cases[i];
		struct json *v;
		char *out = NULL;
		size_t len = 0;
		CU_ASSERT_FATAL(json_parse(c->json, strlen(c->json), &v, NULL) == 0);
		FILE *f = open_memstream(&out, &len);
		CU_ASSERT_FATAL(f != NULL);
		int rc = run_format(f, c->table, c->af, v);
		fclose(f);
		CU_ASSERT_EQUAL(rc, c->rc);
		if (rc != c->rc)
			fprintf(stderr, "case '%s': rc %d\n", c->name, rc);
		if (c->rc != 0)
			CU_ASSERT_EQUAL(len, 0);
		check_output(c, out);
		free(out);
		json_free(v);
	}
}

/* A full output device must surface as -EIO, not as a silently short table. */
static void test_format_write_error(void)
{
	char buf[16];
	struct json *v;
	CU_ASSERT_FATAL(json_parse(IFACES, strlen(IFACES), &v, NULL) == 0);
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	CU_ASSERT_FATAL(f != NULL);
	setvbuf(f, NULL, _IONBF, 0);
	CU_ASSERT_EQUAL(format_interfaces(f, v), -EIO);
	fclose(f);
	json_free(v);
}

/* Cells are bounded: a 300-byte interface name is cut, not overflowed. */
static void test_format_long_cell(void)
{
	char json[400], *out = NULL;
	size_t len = 0;
	struct json *v;
	memset(json, 'a', sizeof(json));
	memcpy(json, "{\"", 2);
	memcpy(json + 302, "\":{}}", 6);
	CU_ASSERT_FATAL(json_parse(json, strlen(json), &v, NULL) == 0);
	FILE *f = open_memstream(&out, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(format_interfaces(f, v), 0);
	fclose(f);
	const char *row = strchr(out, '\n') + 1;
	CU_ASSERT_EQUAL(strspn(row, "a"), 95);
	free(out);
	json_free(v);
}

int test_json_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} json_tests[] =
		{
			{"valid documents", test_valid},
			{"invalid documents", test_invalid},
			{"embedded NUL and length", test_embedded_nul},
			{"size, node and number limits", test_limits},
			{"accessors and member order", test_access},
			{"build, merge and pretty write", test_build_and_write},
		},
	  fmt_tests[] = {
		  {"canned and odd replies", test_format_tables},
		  {"write error", test_format_write_error},
		  {"long cell", test_format_long_cell},
	  };
	CU_pSuite js = CU_add_suite("json", NULL, NULL);
	CU_pSuite fs = js != NULL ? CU_add_suite("format", NULL, NULL) : NULL;
	if (fs == NULL)
		return CU_get_error();
	for (size_t i = 0; i < ARRAY_LEN(json_tests); i++)
		if (CU_add_test(js, json_tests[i].name, json_tests[i].fn) == NULL)
			return CU_get_error();
	for (size_t i = 0; i < ARRAY_LEN(fmt_tests); i++)
		if (CU_add_test(fs, fmt_tests[i].name, fmt_tests[i].fn) == NULL)
			return CU_get_error();
	return CUE_SUCCESS;
}
