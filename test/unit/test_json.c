/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_json.c - suites "json" (app/json.c) and "format" (app/format.c).
 *
 * Parser cases follow RFC 8259 (sections 2-8) and RFC 3629 section 4 for UTF-8; every input is
 * copied into a buffer of exactly its length, so an over-read shows under ASan. Format cases feed
 * the canned replies of the telemetry contract (one per `show` table) and odd variants of them
 * into format_*() over open_memstream() and look for the exact rows an operator would see.
 * The IKE SA cases mix IKEv1 and IKEv2 entries of one /vpnhub/ike/sa reply: `show crypto
 * isakmp sa` lists the first only, in the IOS layout (dst is the responder, conn-id from 1001),
 * and `show crypto ikev2 sa` the second only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

/* One /vpnhub/ipsec/sa entry as the hub sends it: every member, flags as "true"/"false". */
#define SA_ENTRY(id, spi, dir, ifn, local, remote, udp, port, esn, xform, pkts, seq, win, replay, \
		 auth, room, life_s, life_p, life_b, soft, hard)                                  \
	"{\"id\":" #id ",\"spi\":\"" spi "\",\"direction\":\"" dir "\",\"mode\":\"tunnel\","      \
	"\"interface\":\"" ifn "\",\"local\":\"" local "\",\"remote\":\"" remote "\","            \
	"\"encap\":\"" udp "\",\"udp_sport\":" #port ",\"udp_dport\":" #port ",\"esn\":\"" esn    \
	"\",\"transform\":\"" xform "\",\"owner\":0,\"pkts\":" #pkts ",\"bytes\":1680,"           \
	"\"seq\":" #seq ",\"window\":" #win ",\"err_replay\":" #replay                            \
	",\"err_auth_failed\":" #auth ",\"err_bad_padding\":0,\"err_selector\":0,"                \
	"\"err_lifetime\":0,\"err_malformed\":0,\"err_seq_exhausted\":0,\"err_no_room\":" #room   \
	",\"err_handoff_full\":0,\"err_inner_proto\":0,\"lifetime_remaining_s\":" #life_s         \
	",\"lifetime_remaining_pkts\":" #life_p ",\"lifetime_remaining_bytes\":" #life_b          \
	",\"soft_expired\":\"" soft "\",\"hard_expired\":\"" hard "\"}"

#define GCM  "esp-aes-gcm-16 (aes-gcm-128)"
#define CBC  "esp-aes-cbc esp-hmac-sha2-256-128 (aes-cbc-256)"
#define V4_L "203.0.113.1"
#define V4_R "203.0.113.2"
#define V6_L "fd00:10:2::1"
#define V6_R "fd00:10:2::2"

/* Pages merged by vpnhubctl: vti2 (IPv6, NAT-T, ESN, lifetimes) comes first, vti1 after. */
#define IPSEC_SA                                                                                  \
	"{\"total\":4,\"0\":" SA_ENTRY(                                                           \
		3, "0x9f3e1a2b", "out", "vti2", V6_L, V6_R, "udp", 4500, "true", CBC, 7, 7, 0, 0, \
		0, 0, 3571, 1000, 4718593, "true",                                                \
		"false") ","                                                                      \
			 "\"1\":" SA_ENTRY(                                                       \
				 4, "0x0000beef", "in", "vti2", V6_L, V6_R, "udp", 4500, "true",  \
				 CBC, 5, 9, 64, 0, 0, 0, 0, 0, 0, "true",                         \
				 "true") ","                                                      \
					 "\"2\":" SA_ENTRY(                                       \
						 1, "0x00001001", "out", "vti1", V4_L, V4_R,      \
						 "none", 0, "false", GCM, 20, 20, 0, 0, 0, 1, 0,  \
						 0, 0, "false",                                   \
						 "false") ","                                     \
							  "\"3\":" SA_ENTRY(                      \
								  2, "0x00002001", "in", "vti1",  \
								  V4_L, V4_R, "none", 0, "false", \
								  GCM, 18, 18, 1024, 3, 2, 0, 0,  \
								  0, 0, "false", "false") "}"

/* The vti1 tunnel, whole, as "show crypto ipsec sa" prints it. */
#define VTI1_TEXT                                                                              \
	"interface: vti1\n"                                                                    \
	"    Crypto map tag: vti1, local addr 203.0.113.1\n"                                   \
	"\n"                                                                                   \
	"   local  ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)\n"                       \
	"   remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)\n"                       \
	"   current_peer 203.0.113.2\n"                                                        \
	"     #pkts encaps: 20, #pkts encrypt: 20, #pkts digest: 20\n"                         \
	"     #pkts decaps: 18, #pkts decrypt: 18, #pkts verify: 18\n"                         \
	"     #send errors 1, #recv errors 5\n"                                                \
	"     #replay drops 3, #auth failures 2, #pad errors 0, #selector drops 0, #lifetime " \
	"drops 0\n"                                                                            \
	"     #malformed 0, #seq exhausted 0, #no room 1, #handoff full 0, #inner proto 0\n"   \
	"\n"                                                                                   \
	"     local crypto endpt.: 203.0.113.1, remote crypto endpt.: 203.0.113.2\n"           \
	"     current outbound spi: 0x1001(4097)\n"                                            \
	"\n"                                                                                   \
	"     inbound esp sas:\n"                                                              \
	"      spi: 0x2001(8193)\n"                                                            \
	"        transform: esp-aes-gcm-16 (aes-gcm-128) ,\n"                                  \
	"        in use settings ={Tunnel, }\n"                                                \
	"        conn id: 2, worker: 0, crypto map: vti1\n"                                    \
	"        sa timing: remaining key lifetime (k/sec): (none/none)\n"                     \
	"        replay detection support: Y, window 1024, highest seq 18\n"                   \
	"        Status: ACTIVE\n"                                                             \
	"\n"                                                                                   \
	"     outbound esp sas:\n"                                                             \
	"      spi: 0x1001(4097)\n"                                                            \
	"        transform: esp-aes-gcm-16 (aes-gcm-128) ,\n"                                  \
	"        in use settings ={Tunnel, }\n"                                                \
	"        conn id: 1, worker: 0, crypto map: vti1\n"                                    \
	"        sa timing: remaining key lifetime (k/sec): (none/none)\n"                     \
	"        sequence number: 20\n"                                                        \
	"        Status: ACTIVE\n"                                                             \
	"\n"

/* /vpnhub/ike/sa: an IKEv1 SA the hub initiated, an IKEv2 SA, an IKEv1 SA the hub responded to
 * (legacy algorithms, NAT-T, still in Main Mode). */
#define IKE_MIXED                                                                                 \
	"{\"0\":{\"id\":\"a1a2a3a4a5a6a7a8\",\"spi_i\":\"a1a2a3a4a5a6a7a8\","                     \
	"\"spi_r\":\"b1b2b3b4b5b6b7b8\",\"state\":\"established\",\"version\":1,"                 \
	"\"isakmp_state\":\"QM_IDLE\",\"role\":\"initiator\",\"peer\":\"branch1\","               \
	"\"local\":\"203.0.113.1:500\",\"remote\":\"198.51.100.2:500\",\"encr\":12,"              \
	"\"encr_bits\":256,\"prf\":5,\"dh\":14,\"nat_t\":\"no\",\"age_s\":60,\"children\":\"\"}," \
	"\"1\":{\"id\":\"c1c2c3c4c5c6c7c8\",\"spi_i\":\"0102030405060708\","                      \
	"\"spi_r\":\"c1c2c3c4c5c6c7c8\",\"state\":\"established\",\"version\":2,"                 \
	"\"isakmp_state\":\"\",\"role\":\"responder\",\"peer\":\"spoke\","                        \
	"\"local\":\"203.0.113.1:4500\",\"remote\":\"192.0.2.9:4500\",\"encr\":20,"               \
	"\"encr_bits\":128,\"prf\":5,\"dh\":31,\"nat_t\":\"yes\",\"age_s\":5,"                    \
	"\"children\":\"net:c1a2b3c4/0a0b0c0d\"},"                                                \
	"\"2\":{\"id\":\"d1d2d3d4d5d6d7d8\",\"spi_i\":\"1112131415161718\","                      \
	"\"spi_r\":\"d1d2d3d4d5d6d7d8\",\"state\":\"half-open\",\"version\":1,"                   \
	"\"isakmp_state\":\"MM_KEY_EXCH\",\"role\":\"responder\",\"peer\":\"branch2\","           \
	"\"local\":\"203.0.113.1:4500\",\"remote\":\"198.51.100.7:4500\",\"encr\":3,"             \
	"\"encr_bits\":0,\"prf\":1,\"dh\":2,\"nat_t\":\"yes\",\"age_s\":1,\"children\":\"\"},"    \
	"\"total\":3}"

#define ISAKMP_HEAD                                                                                \
	"dst           src           state        conn-id  status  peer     encr         hash    " \
	"dh  "                                                                                     \
	"      nat-t\n"

/* An IKEv1 SA over IPv4 the hub initiated and a deleted one over IPv6 it responded to. */
#define ISAKMP_FAMILIES                                                                       \
	"{\"0\":{\"version\":1,\"state\":\"established\",\"isakmp_state\":\"QM_IDLE\","       \
	"\"role\":\"initiator\",\"peer\":\"branch1\",\"local\":\"203.0.113.1:500\","          \
	"\"remote\":\"198.51.100.2:500\",\"encr\":12,\"encr_bits\":256,\"prf\":5,\"dh\":14,"  \
	"\"nat_t\":\"no\"},"                                                                  \
	"\"1\":{\"version\":1,\"state\":\"deleted\",\"isakmp_state\":\"MM_NO_STATE\","        \
	"\"role\":\"responder\",\"peer\":\"v6spoke\",\"local\":\"2001:db8:1::1:500\","        \
	"\"remote\":\"2001:db8:2::2:500\",\"encr\":12,\"encr_bits\":128,\"prf\":2,\"dh\":19," \
	"\"nat_t\":\"no\"}}"

#define ISAKMP_V4                                                                                  \
	"dst           src          state    conn-id  status  peer     encr         hash    dh   " \
	"   "                                                                                      \
	"  nat-t\n"                                                                                \
	"198.51.100.2  203.0.113.1  QM_IDLE  1001     ACTIVE  branch1  aes-cbc-256  sha256  "      \
	"modp2048"                                                                                 \
	"  no\n"

#define ISAKMP_V6                                                                               \
	"dst            src            state        conn-id  status     peer     encr         " \
	"hash  "                                                                                \
	"dh      nat-t\n"                                                                       \
	"2001:db8:1::1  2001:db8:2::2  MM_NO_STATE  1002     (deleted)  v6spoke  aes-cbc-128  " \
	"sha1  "                                                                                \
	"ecp256  no\n"

enum fmt_table {
	T_VERSION,
	T_IFACES,
	T_ROUTES,
	T_NEIGH,
	T_STATS,
	T_CONFIG,
	T_IKE_SA,
	T_IKE_SA_DETAIL,
	T_ISAKMP_SA,
	T_IPSEC_SA,
	T_IPSEC_SUMMARY,
};

static const struct fmt_case {
	const char *name;
	enum fmt_table table;
	enum format_family af;
	const char *json;
	int rc;
	const char *filter[2];	 /* IPsec SA tables: "peer"/"spi" and its argument */
	const char *want[12];	 /* substrings that must appear */
	const char *not_want[3]; /* substrings that must not */
	const char *exact;	 /* the whole output, when given */
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
	/* Tunnels sorted by interface, each whole: vti1's text ends where vti2's begins. */
	{.name = "ipsec sa",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .want = {VTI1_TEXT "interface: vti2\n",
		  "\n   local  ident (addr/mask/prot/port): (::/0/0/0)\n",
		  "\n   current_peer fd00:10:2::2 port 4500\n"
		  "     #pkts encaps: 7, #pkts encrypt: 7, #pkts digest: 7\n"
		  "     #pkts decaps: 5, #pkts decrypt: 5, #pkts verify: 5\n",
		  "\n     current outbound spi: 0x9F3E1A2B(2671647275)\n",
		  "\n     inbound esp sas:\n      spi: 0xBEEF(48879)\n",
		  "\n        sa timing: remaining key lifetime (k/sec): (expired)\n"
		  "        replay detection support: Y, window 64, highest seq 9\n"
		  "        Status: EXPIRED\n",
		  "\n     outbound esp sas:\n      spi: 0x9F3E1A2B(2671647275)\n"
		  "        transform: esp-aes-cbc esp-hmac-sha2-256-128 (aes-cbc-256) ,\n"
		  "        in use settings ={Tunnel UDP-Encaps, ESN, }\n"
		  "        conn id: 3, worker: 0, crypto map: vti2\n"
		  "        sa timing: remaining key lifetime (k/sec): (4609/3571)\n"
		  "        remaining packet lifetime: 1000\n"
		  "        sequence number: 7\n"
		  "        Status: ACTIVE (soft lifetime expired)\n"},
	 .not_want = {"entries received", "unknown direction", "% no"}},
	{.name = "ipsec sa peer",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .filter = {"peer", "203.0.113.2"},
	 .want = {VTI1_TEXT},
	 .not_want = {"vti2", "fd00", "% no"}},
	/* Addresses compare as addresses, not as text. */
	{.name = "ipsec sa peer v6",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .filter = {"peer", "FD00:10:2:0:0:0:0:2"},
	 .want = {"interface: vti2\n", "spi: 0xBEEF(48879)\n", "spi: 0x9F3E1A2B(2671647275)\n"},
	 .not_want = {"vti1", "203.0.113"}},
	/* An SPI selects its tunnel, siblings and counters included. */
	{.name = "ipsec sa spi hex",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .filter = {"spi", "0x2001"},
	 .want = {VTI1_TEXT},
	 .not_want = {"vti2"}},
	{.name = "ipsec sa spi decimal",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .filter = {"spi", "48879"},
	 .want = {"interface: vti2\n"},
	 .not_want = {"vti1"}},
	{.name = "ipsec sa no match",
	 .table = T_IPSEC_SA,
	 .json = IPSEC_SA,
	 .filter = {"peer", "192.0.2.9"},
	 .want = {"% no IPsec SA matches\n"},
	 .not_want = {"interface:"}},
	{.name = "ipsec sa none",
	 .table = T_IPSEC_SA,
	 .json = "{\"total\":0,\"start\":0}",
	 .want = {"% no IPsec SAs\n"},
	 .not_want = {"interface:", "entries received"}},
	{.name = "ipsec sa partial",
	 .table = T_IPSEC_SA,
	 .json = "{\"total\":9,\"0\":" SA_ENTRY(1, "0x00001001", "out", "vti1", V4_L, V4_R, "none",
						0, "false", GCM, 20, 20, 0, 0, 0, 0, 0, 0, 0,
						"false", "false") "}",
	 .want = {"current outbound spi: 0x1001(4097)\n\n     inbound esp sas:\n\n"
		  "     outbound esp sas:\n      spi: 0x1001(4097)\n",
		  "% 1 of 9 entries received"}},
	/* Nothing but a direction: every field a placeholder, nothing summed from nothing. */
	{.name = "ipsec sa missing fields",
	 .table = T_IPSEC_SA,
	 .json = "{\"0\":{\"direction\":\"in\"}}",
	 .want = {"interface: -\n    Crypto map tag: -, local addr -\n",
		  "   current_peer -\n     #pkts encaps: 0, #pkts encrypt: 0, #pkts digest: 0\n"
		  "     #pkts decaps: -, #pkts decrypt: -, #pkts verify: -\n"
		  "     #send errors 0, #recv errors -\n"
		  "     #replay drops -, #auth failures -, #pad errors -, #selector drops -, "
		  "#lifetime drops -\n\n",
		  "     current outbound spi: 0x0(0)\n",
		  "      spi: -\n        transform: - ,\n        in use settings ={-, }\n"
		  "        conn id: -, worker: -, crypto map: -\n"
		  "        sa timing: remaining key lifetime (k/sec): (-/-)\n"
		  "        replay detection support: -, highest seq -\n        Status: -\n"},
	 .not_want = {"remaining packet lifetime", "#malformed"}},
	/* Wrong types print "?", never a number they do not hold; a control byte is masked. */
	{.name = "ipsec sa odd fields",
	 .table = T_IPSEC_SA,
	 .json = "{\"0\":{\"id\":[1],\"spi\":\"zz\",\"direction\":\"sideways\",\"interface\":7,"
		 "\"remote\":null,\"mode\":1,\"pkts\":\"many\",\"seq\":-1,\"transform\":"
		 "\"x\\u001b[2J\",\"hard_expired\":\"maybe\",\"lifetime_remaining_pkts\":\"lots\"},"
		 "\"1\":{\"direction\":\"in\",\"interface\":\"vti9\",\"spi\":4096,\"pkts\":-5,"
		 "\"window\":\"big\",\"err_replay\":1.5,\"err_x\\u009b\":2,\"hard_expired\":false,"
		 "\"soft_expired\":true},\"2\":5,\"3\":[]}",
	 .want = {"interface: 7\n",
		  "     esp sas of unknown direction:\n      spi: ?\n"
		  "        transform: x?[2J ,\n        in use settings ={?, }\n"
		  "        conn id: ?, worker: -, crypto map: 7\n",
		  "        remaining packet lifetime: ?\n        sequence number: -1\n"
		  "        Status: ?\n",
		  "interface: vti9\n",
		  "     #pkts decaps: ?, #pkts decrypt: ?, #pkts verify: ?\n"
		  "     #send errors 0, #recv errors ?\n"
		  "     #replay drops ?, #auth failures -,",
		  "     #x? 2\n", "      spi: 0x1000(4096)\n",
		  "        replay detection support: ?, highest seq -\n"
		  "        Status: ACTIVE (soft lifetime expired)\n"},
	 .not_want = {"\x1b", "\xc2\x9b"}},
	{.name = "ipsec sa summary",
	 .table = T_IPSEC_SUMMARY,
	 .json = IPSEC_SA,
	 .want = {"Id  SPI         Dir  Interface  Peer          Transform                         "
		  "               Pkts  Errors  Status\n"
		  "1   0x00001001  out  vti1       203.0.113.2   esp-aes-gcm-16 (aes-gcm-128)      "
		  "               20    1       active\n"
		  "2   0x00002001  in   vti1       203.0.113.2   esp-aes-gcm-16 (aes-gcm-128)      "
		  "               18    5       active\n"
		  "3   0x9f3e1a2b  out  vti2       fd00:10:2::2  esp-aes-cbc esp-hmac-sha2-256-128 "
		  "(aes-cbc-256)  7     0       soft-expired\n"
		  "4   0x0000beef  in   vti2       fd00:10:2::2  esp-aes-cbc esp-hmac-sha2-256-128 "
		  "(aes-cbc-256)  5     0       expired\n"}},
	{.name = "ipsec sa summary spi",
	 .table = T_IPSEC_SUMMARY,
	 .json = IPSEC_SA,
	 .filter = {"spi", "0X9F3E1A2B"},
	 .want = {"\n3   0x9f3e1a2b  out", "\n4   0x0000beef  in "},
	 .not_want = {"vti1"}},
	{.name = "ipsec sa summary none",
	 .table = T_IPSEC_SUMMARY,
	 .json = IPSEC_SA,
	 .filter = {"spi", "1"},
	 .want = {"% no IPsec SA matches\n"},
	 .not_want = {"Id  "}},
	{.name = "ipsec sa string", .table = T_IPSEC_SA, .json = "\"x\"", .rc = -EINVAL},
	{.name = "ipsec summary array", .table = T_IPSEC_SUMMARY, .json = "[{}]", .rc = -EINVAL},
	{.name = "interfaces null", .table = T_IFACES, .json = "null", .rc = -EINVAL},
	{.name = "routes array", .table = T_ROUTES, .json = "[1]", .rc = -EINVAL},
	{.name = "neighbors string", .table = T_NEIGH, .json = "\"x\"", .rc = -EINVAL},
	{.name = "stats number", .table = T_STATS, .json = "1", .rc = -EINVAL},
	{.name = "version null", .table = T_VERSION, .json = "null", .rc = -EINVAL},
	{.name = "config array", .table = T_CONFIG, .json = "[]", .rc = -EINVAL},
	{.name = "ikev2 sa",
	 .table = T_IKE_SA,
	 .json = "{\"0\":{\"spi_i\":\"0102030405060708\",\"state\":\"established\","
		 "\"role\":\"responder\",\"peer\":\"spoke\",\"remote\":\"203.0.113.2:4500\","
		 "\"local\":\"203.0.113.1:4500\",\"encr\":20,\"encr_bits\":128,\"prf\":5,"
		 "\"dh\":31,\"virtual_ip\":\"10.99.0.1\",\"age_s\":3725,"
		 "\"children\":\"net:c1a2b3c4/0a0b0c0d\"},"
		 "\"1\":{\"state\":\"half-open\",\"encr\":99,\"dh\":2}}",
	 .want = {"Id  Peer   Role       State        Local             Remote",
		  "aes-gcm-128/sha256", "x25519", "10.99.0.1", "1h02m05s", "net:c1a2b3c4/0a0b0c0d",
		  "half-open", "99/-"}},
	{.name = "ikev2 sa none", .table = T_IKE_SA, .json = "{}", .want = {"% no IKEv2 SAs\n"}},
	{.name = "ikev2 sa mixed versions",
	 .table = T_IKE_SA,
	 .json = IKE_MIXED,
	 .want = {"\n1   spoke  responder  established  203.0.113.1:4500  192.0.2.9:4500  "
		  "aes-gcm-128/sha256  x25519"},
	 .not_want = {"branch", "\n0 ", "\n2 "}},
	{.name = "ikev2 sa only v1",
	 .table = T_IKE_SA,
	 .json = "{\"0\":{\"version\":1,\"peer\":\"branch1\"},\"total\":1}",
	 .exact = "% no IKEv2 SAs\n"},
	{.name = "ikev2 sa array", .table = T_IKE_SA, .json = "[]", .rc = -EINVAL},
	{.name = "ikev2 sa detail",
	 .table = T_IKE_SA_DETAIL,
	 .json = "{\"0\":{\"id\":\"1112131415161718\",\"spi_i\":\"0102030405060708\","
		 "\"spi_r\":\"1112131415161718\",\"state\":\"established\",\"role\":\"responder\","
		 "\"peer\":\"road\",\"local\":\"203.0.113.1:4500\",\"remote\":\"198.51.100.7:"
		 "4500\","
		 "\"local_id\":\"fqdn:hub.example.com\",\"remote_id\":\"email:a@b\\u0007c\","
		 "\"encr\":12,\"encr_bits\":256,\"integ\":12,\"prf\":5,\"dh\":19,"
		 "\"established_s\":3725,\"rekey_in_s\":60,\"nat_local\":\"no\","
		 "\"nat_remote\":\"yes\",\"nat_forced\":\"no\",\"udp_4500\":\"yes\","
		 "\"dpd\":\"idle\",\"dpd_delay_s\":30,\"idle_s\":4,\"msgid_send_next\":2,"
		 "\"msgid_recv_next\":3,\"virtual_ip6\":\"2001:db8:99::1\","
		 "\"child_0\":{\"name\":\"all\",\"state\":\"active\",\"spi_in\":\"c1a2b3c4\","
		 "\"spi_out\":\"0a0b0c0d\",\"encr\":20,\"encr_bits\":128,\"integ\":0,"
		 "\"esn\":\"no\",\"mode\":\"tunnel\",\"local_ts\":\"0.0.0.0/0 ::/0\","
		 "\"remote_ts\":\"2001:db8:99::1/128\",\"rekey_in_s\":3540,\"pkts_in\":7,"
		 "\"pkts_out\":9}}}",
	 .want = {"IKE SA 0, id 1112131415161718\n  Peer road, responder, established\n",
		  "  Local  203.0.113.1:4500, ID fqdn:hub.example.com\n",
		  "  Remote 198.51.100.7:4500, ID email:a@b?c\n",
		  "  Encryption aes-cbc-256/sha256-128, PRF sha256, DH group ecp256\n",
		  "  Established 1h02m05s ago, rekey in 0h01m00s, reauthentication in -\n",
		  "hub behind NAT no, peer behind NAT yes, forced no, port 4500 yes\n",
		  "  DPD idle (after 30 s of silence), idle 0h00m04s\n",
		  "next request 2, next expected 3\n  Virtual IP -, IPv6 2001:db8:99::1\n",
		  "  Child SA all (active): SPI in c1a2b3c4, out 0a0b0c0d\n"
		  "    Transform aes-gcm-128, ESN no, mode tunnel\n",
		  "    Local selectors  0.0.0.0/0 ::/0\n    Remote selectors 2001:db8:99::1/128\n",
		  "rekey in 0h59m00s, expires in -\n    Packets in 7 out 9, bytes in - out -\n"},
	 .not_want = {"\a"}},
	{.name = "ikev2 sa detail none",
	 .table = T_IKE_SA_DETAIL,
	 .json = "{\"total\":0}",
	 .want = {"% no IKEv2 SAs\n"}},
	/* An entry without "version" comes from a hub before IKEv1: IKEv2. */
	{.name = "ikev2 sa detail mixed versions",
	 .table = T_IKE_SA_DETAIL,
	 .json = "{\"0\":{\"id\":\"a1a2a3a4a5a6a7a8\",\"version\":1,\"peer\":\"branch1\"},"
		 "\"1\":{\"id\":\"c1c2c3c4c5c6c7c8\",\"version\":2,\"peer\":\"spoke\"},"
		 "\"2\":{\"id\":\"e1e2e3e4e5e6e7e8\",\"peer\":\"old\"}}",
	 .want = {"IKE SA 1, id c1c2c3c4c5c6c7c8\n  Peer spoke,",
		  "\n\nIKE SA 2, id e1e2e3e4e5e6e7e8\n  Peer old,"},
	 .not_want = {"IKE SA 0", "branch1"}},
	{.name = "ikev2 sa detail only v1",
	 .table = T_IKE_SA_DETAIL,
	 .json = "{\"0\":{\"id\":\"a1a2a3a4a5a6a7a8\",\"version\":1}}",
	 .exact = "% no IKEv2 SAs\n"},
	{.name = "ikev2 sa detail array", .table = T_IKE_SA_DETAIL, .json = "[]", .rc = -EINVAL},
	/* IOS `show crypto isakmp sa`: dst is the responder, so the peer for an SA we initiated. */
	{.name = "isakmp sa mixed versions",
	 .table = T_ISAKMP_SA,
	 .json = IKE_MIXED,
	 .exact = "IPv4 Crypto ISAKMP SA\n" ISAKMP_HEAD
		  "198.51.100.2  203.0.113.1   QM_IDLE      1001     ACTIVE  branch1  aes-cbc-256  "
		  "sha256  modp2048  no\n"
		  "203.0.113.1   198.51.100.7  MM_KEY_EXCH  1003             branch2  3des         "
		  "md5     modp1024  yes\n"},
	{.name = "isakmp sa families",
	 .table = T_ISAKMP_SA,
	 .json = ISAKMP_FAMILIES,
	 .exact = "IPv4 Crypto ISAKMP SA\n" ISAKMP_V4 "\nIPv6 Crypto ISAKMP SA\n" ISAKMP_V6},
	{.name = "isakmp sa ipv6 only",
	 .table = T_ISAKMP_SA,
	 .af = FORMAT_AF_INET6,
	 .json = ISAKMP_FAMILIES,
	 .exact = "IPv6 Crypto ISAKMP SA\n" ISAKMP_V6},
	{.name = "isakmp sa ipv4 only",
	 .table = T_ISAKMP_SA,
	 .af = FORMAT_AF_INET,
	 .json = ISAKMP_FAMILIES,
	 .exact = "IPv4 Crypto ISAKMP SA\n" ISAKMP_V4},
	/* Missing members print "-", a control byte is masked, a key that is no index has no
	 * conn-id; a "version" that is not the number 1 is no IKEv1 SA. */
	{.name = "isakmp sa odd fields",
	 .table = T_ISAKMP_SA,
	 .json = "{\"7\":{\"version\":1,\"peer\":\"a\\u001bb\",\"local\":\"10.0.0.1:500\"},"
		 "\"x\":{\"version\":1,\"isakmp_state\":\"MM_SA_SETUP\",\"encr\":12,\"prf\":7,"
		 "\"dh\":14000},\"5\":{\"version\":\"1\",\"peer\":\"strv\"},"
		 "\"6\":{\"version\":3,\"peer\":\"v3\"},\"8\":{\"peer\":\"v2\"},\"9\":5}",
	 .exact = "IPv4 Crypto ISAKMP SA\n"
		  "dst       src  state        conn-id  status  peer  encr     hash    dh     "
		  "nat-t\n"
		  "10.0.0.1  -    -            1008             a?b   -        -       -      -\n"
		  "-         -    MM_SA_SETUP  -                -     aes-cbc  sha512  14000  -\n"},
	{.name = "isakmp sa none",
	 .table = T_ISAKMP_SA,
	 .json = "{}",
	 .exact = "% no ISAKMP SAs\n"},
	{.name = "isakmp sa only v2",
	 .table = T_ISAKMP_SA,
	 .json = "{\"0\":{\"version\":2,\"state\":\"established\"},\"1\":{\"peer\":\"old\"},"
		 "\"total\":2}",
	 .exact = "% no ISAKMP SAs\n"},
	{.name = "isakmp sa array", .table = T_ISAKMP_SA, .json = "[]", .rc = -EINVAL},
};

static int run_format(FILE *f, const struct fmt_case *c, const struct json *v)
{
	struct format_sa_filter sa = {0};
	if (c->filter[0] != NULL)
		CU_ASSERT_FATAL(format_sa_filter_set(&sa, c->filter[0], c->filter[1]) == 0);
	enum format_family af = c->af;
	switch (c->table) {
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
	case T_IKE_SA:
		return format_ike_sa(f, v, af);
	case T_IKE_SA_DETAIL:
		return format_ike_sa_detail(f, v);
	case T_ISAKMP_SA:
		return format_isakmp_sa(f, v, af);
	case T_IPSEC_SA:
		return format_ipsec_sa(f, v, &sa);
	case T_IPSEC_SUMMARY:
		return format_ipsec_sa_summary(f, v, &sa);
	}
	return -ENOSYS;
}

static void check_output(const struct fmt_case *c, const char *out)
{
	if (c->exact != NULL) {
		bool same = strcmp(out, c->exact) == 0;
		CU_ASSERT_TRUE(same);
		if (!same)
			fprintf(stderr, "case '%s': want:\n%sgot:\n%s", c->name, c->exact, out);
	}
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
		int rc = run_format(f, c, v);
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

/* CLI filter words: RFC 4303 2.1 SPIs are 32 bits; peers are IPv4 or IPv6 addresses. */
static const struct {
	const char *what, *arg;
	int rc;
	int family;	 /* peer: expected family */
	uint32_t spi;	 /* spi: expected value */
	uint8_t peer[4]; /* IPv4 peer: expected bytes */
} filter_cases[] = {
	{"spi", "4097", 0, 0, 4097, {0}},
	{"spi", "0x1001", 0, 0, 4097, {0}},
	{"spi", "0X9F3E1A2B", 0, 0, 0x9f3e1a2bu, {0}},
	{"spi", "4294967295", 0, 0, UINT32_MAX, {0}},
	{"spi", "010", 0, 0, 10, {0}}, /* decimal, not octal */
	{"spi", "4294967296", -EINVAL, 0, 0, {0}},
	{"spi", "0x100000000", -EINVAL, 0, 0, {0}},
	{"spi", "0x", -EINVAL, 0, 0, {0}},
	{"spi", "", -EINVAL, 0, 0, {0}},
	{"spi", "-1", -EINVAL, 0, 0, {0}},
	{"spi", "+1", -EINVAL, 0, 0, {0}},
	{"spi", " 1", -EINVAL, 0, 0, {0}},
	{"spi", "1 ", -EINVAL, 0, 0, {0}},
	{"spi", "0x1g", -EINVAL, 0, 0, {0}},
	{"peer", "203.0.113.2", 0, AF_INET, 0, {203, 0, 113, 2}},
	{"peer", "2001:DB8::1", 0, AF_INET6, 0, {0x20, 0x01, 0x0d, 0xb8}},
	{"peer", "203.0.113", -EINVAL, 0, 0, {0}},
	{"peer", "203.0.113.256", -EINVAL, 0, 0, {0}},
	{"peer", "fe80::1%eth0", -EINVAL, 0, 0, {0}},
	{"peer", "", -EINVAL, 0, 0, {0}},
	{"port", "500", -EINVAL, 0, 0, {0}},
	{"spi", NULL, -EINVAL, 0, 0, {0}},
};

static void test_format_sa_filter(void)
{
	for (size_t i = 0; i < ARRAY_LEN(filter_cases); i++) {
		struct format_sa_filter f = {0};
		int rc = format_sa_filter_set(&f, filter_cases[i].what, filter_cases[i].arg);
		CU_ASSERT_EQUAL(rc, filter_cases[i].rc);
		if (rc != filter_cases[i].rc)
			fprintf(stderr, "filter case %zu (%s %s): rc %d\n", i, filter_cases[i].what,
				filter_cases[i].arg ? filter_cases[i].arg : "(null)", rc);
		CU_ASSERT_EQUAL(f.peer_family, filter_cases[i].family);
		CU_ASSERT_EQUAL(f.by_spi, rc == 0 && filter_cases[i].family == 0);
		CU_ASSERT_EQUAL(f.spi, filter_cases[i].spi);
		CU_ASSERT(memcmp(f.peer, filter_cases[i].peer, 4) == 0);
	}
}

/* The ids of the SAs left in data, in order ("1,2"). */
static void sa_ids(const struct json *data, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (const struct json *m = json_first(data); m != NULL && n < size; m = json_next(m))
		if (json_type(m) == JSON_OBJECT)
			n += (size_t)snprintf(buf + n, size - n, "%s%" PRIu64, n ? "," : "",
					      json_get_u64(m, "id", 0));
}

/* --json keeps what the table would show: whole tunnels, members other than SAs untouched. */
static void test_format_sa_select(void)
{
	static const struct {
		const char *what, *arg;
		const char *ids;
	} cases[] = {
		{NULL, NULL, "3,4,1,2"},
		{"peer", "203.0.113.2", "1,2"},
		{"spi", "0xbeef", "3,4"},
		{"spi", "7", ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct format_sa_filter f = {0};
		struct json *v;
		char ids[64];
		if (cases[i].what != NULL)
			CU_ASSERT_FATAL(format_sa_filter_set(&f, cases[i].what, cases[i].arg) == 0);
		CU_ASSERT_FATAL(json_parse(IPSEC_SA, strlen(IPSEC_SA), &v, NULL) == 0);
		CU_ASSERT_EQUAL(format_ipsec_sa_select(v, &f), 0);
		sa_ids(v, ids, sizeof(ids));
		CU_ASSERT_STRING_EQUAL(ids, cases[i].ids);
		CU_ASSERT_STRING_EQUAL(json_key(json_first(v)), "total");
		json_free(v);
	}
	CU_ASSERT_EQUAL(format_ipsec_sa_select(NULL, NULL), -EINVAL);
}

/* The keys of the members left in data, in order ("0,2,total"). */
static void member_keys(const struct json *data, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (const struct json *m = json_first(data); m != NULL && n < size; m = json_next(m))
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", json_key(m));
}

/* --json and the detail questions of `show crypto {isakmp|ikev2} sa` keep one IKE version. */
static void test_format_ike_sa_select(void)
{
	static const struct {
		const char *json;
		int version;
		const char *keys;
	} cases[] = {
		{IKE_MIXED, 1, "0,2,total"},
		{IKE_MIXED, 2, "1,total"},
		/* no "version": a hub before IKEv1, so IKEv2 */
		{"{\"0\":{\"peer\":\"a\"},\"1\":{\"version\":1}}", 2, "0"},
		{"{\"0\":{\"version\":\"1\"},\"1\":{\"version\":3}}", 1, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct json *v;
		char keys[64];
		CU_ASSERT_FATAL(json_parse(cases[i].json, strlen(cases[i].json), &v, NULL) == 0);
		CU_ASSERT_EQUAL(format_ike_sa_select(v, cases[i].version), 0);
		member_keys(v, keys, sizeof(keys));
		CU_ASSERT_STRING_EQUAL(keys, cases[i].keys);
		json_free(v);
	}
	CU_ASSERT_EQUAL(format_ike_sa_select(NULL, 1), -EINVAL);
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
		  {"IPsec SA filter words", test_format_sa_filter},
		  {"IPsec SA selection for JSON", test_format_sa_select},
		  {"IKE SA selection by version", test_format_ike_sa_select},
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
