/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_config.c - the "config" suite: conf/config.c and conf/addr.c.
 *
 * Good inputs: the embedded default with its values, every file in conf/examples, defaults,
 * boundaries (64 interfaces, 4096 routes, a 4096-byte scalar, 16 levels, 262144 nodes).
 * Bad inputs: one table row per class of refusal listed in conf/README.md (the loader refuses,
 * reports file:line:col and returns nothing). Every row checks the exact position prefix, a
 * distinguishing part of the message, a negative return and *out == NULL.
 * Run under ASan/LSan: the error paths must not leak.
 * Examples are read from VPNHUB_SRCDIR/conf/examples when the build defines VPNHUB_SRCDIR,
 * else from conf/examples relative to the working directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <CUnit/CUnit.h>

#include "conf/config.h"
#include "tests.h"

#ifdef VPNHUB_SRCDIR
#define EXAMPLES_DIR VPNHUB_SRCDIR "/conf/examples"
#else
#define EXAMPLES_DIR "conf/examples"
#endif

/* Lines 1-3: the smallest valid config. */
#define IFACE_MIN "interfaces:\n  - name: lan0\n    port: net_tap0\n"
/* Lines 1-5: one interface with a v4 and a v6 subnet, for route and overlap cases. */
#define IFACE_V4 IFACE_MIN "    ipv4: 10.0.0.1/24\n    ipv6: fd00::1/64\n"
/* Lines 6-8 after IFACE_V4: a second interface. */
#define WAN(addr) "  - name: wan0\n    port: net_tap1\n    ipv4: " addr "\n"

struct bad_case {
	const char *what;
	const char *yaml;
	const char *pos; /* exact "t.yaml:L:C: " prefix */
	const char *msg; /* part of the message that names the reason */
};

static const struct bad_case bad_cases[] = {
	/* unknown keys */
	{"unknown top-level key", "bogus: 1\n" IFACE_MIN,
	 "t.yaml:1:1: ", "unknown key 'bogus' at top level"},
	{"unknown system key", "system:\n  nmae: x\n" IFACE_MIN,
	 "t.yaml:2:3: ", "unknown key 'nmae' in system"},
	{"unknown interface key", IFACE_MIN "    speed: 10\n",
	 "t.yaml:4:5: ", "unknown key 'speed' in interfaces[0]"},
	{"unknown route key",
	 IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.0.0.2\n    metric: 5\n",
	 "t.yaml:9:5: ", "unknown key 'metric' in routes[0]"},
	{"unknown key is sanitised", "\"a\\tb'c\": 1\n" IFACE_MIN,
	 "t.yaml:1:1: ", "unknown key 'a?b?c'"},
	/* duplicate keys: reported at the second occurrence */
	{"duplicate interface key", IFACE_MIN "    mtu: 1500\n    mtu: 1400\n",
	 "t.yaml:5:5: ", "duplicate key 'mtu' in interfaces[0]"},
	{"duplicate section", "system: {}\n" IFACE_MIN "system: {}\n",
	 "t.yaml:5:1: ", "duplicate key 'system' at top level"},
	/* wrong types */
	{"sequence for scalar", "system:\n  memory_mb: [512]\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'memory_mb' must be a scalar, not a sequence"},
	{"mapping for sequence", "interfaces:\n  name: lan0\n",
	 "t.yaml:2:3: ", "'interfaces' must be a sequence, not a mapping"},
	{"mapping for worker list", "system:\n  worker_cores: {a: 1}\n" IFACE_MIN,
	 "t.yaml:2:17: ", "must be a sequence of lcore ids, not a mapping"},
	{"scalar for section", "system: 1\n" IFACE_MIN,
	 "t.yaml:1:9: ", "expected a mapping in system, not a scalar"},
	{"empty section", "system:\n" IFACE_MIN, "t.yaml:1:8: ", "not an empty value"},
	{"mapping for address", IFACE_MIN "    ipv4: {a: b}\n",
	 "t.yaml:4:11: ", "'ipv4' must be an address or a sequence of them, not a mapping"},
	{"mapping for routes", IFACE_MIN "routes: {}\n",
	 "t.yaml:4:9: ", "'routes' must be a sequence, not a mapping"},
	{"key that is a sequence", "? [a]\n: 1\n", "t.yaml:1:3: ", "keys must be scalars"},
	{"empty required value", "interfaces:\n  - name:\n    port: net_tap0\n",
	 "t.yaml:2:10: ", "'name' has no value"},
	{"null value", IFACE_MIN "    mtu: ~\n", "t.yaml:4:10: ", "'mtu' has no value"},
	/* numbers: decimal only, in range */
	{"memory_mb 1", "system:\n  memory_mb: 1\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'memory_mb' is out of range 64..65536"},
	{"mtu 70000", IFACE_MIN "    mtu: 70000\n",
	 "t.yaml:4:10: ", "'mtu' is out of range 576..9000"},
	{"negative", "system:\n  control_core: -1\n" IFACE_MIN,
	 "t.yaml:2:17: ", "'control_core' must be a decimal integer in 0..1023"},
	{"plus sign", "system:\n  control_core: +1\n" IFACE_MIN,
	 "t.yaml:2:17: ", "must be a decimal integer"},
	{"overflow", "system:\n  mbufs: 99999999999999999999\n" IFACE_MIN,
	 "t.yaml:2:10: ", "'mbufs' is out of range 1023..1048575"},
	{"leading zero", "system:\n  memory_mb: 0512\n" IFACE_MIN,
	 "t.yaml:2:14: ", "without leading zeros"},
	{"hex", "system:\n  memory_mb: 0x200\n" IFACE_MIN,
	 "t.yaml:2:14: ", "must be a decimal integer"},
	{"garbage after digits", "system:\n  memory_mb: 512MB\n" IFACE_MIN,
	 "t.yaml:2:14: ", "must be a decimal integer"},
	{"quoted integer", "system:\n  memory_mb: \"512\"\n" IFACE_MIN,
	 "t.yaml:2:14: ", "not a quoted string"},
	{"idle_sleep_us too long", "system:\n  idle_sleep_us: 100001\n" IFACE_MIN,
	 "t.yaml:2:18: ", "out of range 0..100000"},
	/* other scalars */
	{"bool yes", "system:\n  telemetry: yes\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'telemetry' must be true or false"},
	{"bool True", "system:\n  telemetry: True\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'telemetry' must be true or false"},
	{"hugepages", "system:\n  hugepages: maybe\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'hugepages' must be auto, true or false"},
	{"log level", "system:\n  log_level: verbose\n" IFACE_MIN,
	 "t.yaml:2:14: ", "'log_level' must be one of"},
	{"instance name charset", "system:\n  name: vpn hub\n" IFACE_MIN,
	 "t.yaml:2:9: ", "'name' must be 1..31 characters"},
	{"instance name length", "system:\n  name: abcdefghijabcdefghijabcdefghij12\n" IFACE_MIN,
	 "t.yaml:2:9: ", "'name' must be 1..31 characters"},
	{"NUL in scalar", "system:\n  name: \"a\\0b\"\n" IFACE_MIN,
	 "t.yaml:2:9: ", "NUL character"},
	/* interface addresses */
	{"bad address", IFACE_MIN "    ipv4: 10.0.0.300/24\n",
	 "t.yaml:4:11: ", "'10.0.0.300/24' is not an address/prefix-length"},
	{"no prefix length", IFACE_MIN "    ipv4: 10.0.0.1\n",
	 "t.yaml:4:11: ", "needs a prefix length"},
	{"v6 in ipv4", IFACE_MIN "    ipv4: fd00::1/64\n",
	 "t.yaml:4:11: ", "'ipv4' takes IPv4 addresses"},
	{"v4 in ipv6", IFACE_MIN "    ipv6: 10.0.0.1/24\n",
	 "t.yaml:4:11: ", "'ipv6' takes IPv6 addresses"},
	{"prefix length 33", IFACE_MIN "    ipv4: 10.0.0.1/33\n",
	 "t.yaml:4:11: ", "is not an address/prefix-length"},
	{"prefix length 0", IFACE_MIN "    ipv4: 10.0.0.1/0\n",
	 "t.yaml:4:11: ", "prefix length must be 1..32"},
	{"network address", IFACE_MIN "    ipv4: 10.0.0.0/24\n",
	 "t.yaml:4:11: ", "network address of its subnet"},
	{"broadcast address", IFACE_MIN "    ipv4: [10.0.0.1/24, 10.0.1.255/23]\n",
	 "t.yaml:4:25: ", "broadcast address of its subnet"},
	{"v4 loopback", IFACE_MIN "    ipv4: 127.0.0.1/8\n", "t.yaml:4:11: ", "loopback"},
	{"v4 multicast", IFACE_MIN "    ipv4: 224.0.0.1/24\n", "t.yaml:4:11: ", "multicast"},
	{"v6 link-local", IFACE_MIN "    ipv6: fe80::1/64\n", "t.yaml:4:11: ", "link-local"},
	{"v6 multicast", IFACE_MIN "    ipv6: ff02::1/64\n", "t.yaml:4:11: ", "multicast"},
	{"v6 unspecified", IFACE_MIN "    ipv6: \"::/64\"\n",
	 "t.yaml:4:11: ", ":: is not a host address"},
	{"v6 loopback", IFACE_MIN "    ipv6: \"::1/128\"\n", "t.yaml:4:11: ", "loopback"},
	{"nine addresses",
	 IFACE_MIN "    ipv4: [10.0.1.1/24, 10.0.2.1/24, 10.0.3.1/24, 10.0.4.1/24, 10.0.5.1/24,\n"
		   "           10.0.6.1/24, 10.0.7.1/24, 10.0.8.1/24, 10.0.9.1/24]\n",
	 "t.yaml:5:51: ", "more than 8 addresses"},
	/* overlaps */
	{"overlapping subnets", IFACE_V4 WAN("10.0.0.129/25"), "t.yaml:8:11: ",
	 "subnet 10.0.0.129/25 overlaps 10.0.0.1/24, the subnet of interface lan0"},
	{"address inside another subnet", IFACE_V4 WAN("10.0.5.1/16"),
	 "t.yaml:8:11: ", "overlaps 10.0.0.1/24"},
	{"duplicate address across interfaces", IFACE_V4 WAN("10.0.0.1/30"),
	 "t.yaml:8:11: ", "address 10.0.0.1 is already on interface lan0"},
	{"duplicate address on one interface", IFACE_MIN "    ipv4: [10.0.0.1/24, 10.0.0.1/16]\n",
	 "t.yaml:4:25: ", "address 10.0.0.1 is already on this interface"},
	{"overlapping v6 subnets",
	 IFACE_V4 "  - name: wan0\n    port: net_tap1\n    ipv6: fd00::1:1/112\n",
	 "t.yaml:8:11: ", "overlaps fd00::1/64"},
	/* required keys: reported at the mapping that lacks them */
	{"missing interfaces", "system:\n  name: x\n",
	 "t.yaml:1:1: ", "missing required key 'interfaces' at top level"},
	{"missing name", "interfaces:\n  - port: net_tap0\n",
	 "t.yaml:2:5: ", "missing required key 'name' in interfaces[0]"},
	{"missing port", "interfaces:\n  - name: lan0\n",
	 "t.yaml:2:5: ", "missing required key 'port' in interfaces[0]"},
	{"missing prefix", IFACE_V4 "routes:\n  - via: 10.0.0.2\n",
	 "t.yaml:7:5: ", "missing required key 'prefix' in routes[0]"},
	{"no interfaces", "interfaces: []\n", "t.yaml:1:13: ", "needs at least one interface"},
	/* interfaces */
	{"duplicate interface name", IFACE_MIN "  - name: lan0\n    port: net_tap1\n",
	 "t.yaml:4:11: ", "interface name lan0 is used twice"},
	{"duplicate port", IFACE_MIN "  - name: wan0\n    port: net_tap0,iface=x\n",
	 "t.yaml:5:11: ", "port net_tap0 is already used by interface lan0"},
	{"duplicate PCI port spelled twice",
	 "interfaces:\n  - name: a\n    port: 3b:00.0\n  - name: b\n    port: 0000:3B:00.0\n",
	 "t.yaml:5:11: ", "port 0000:3b:00.0 is already used by interface a"},
	{"port not a device", IFACE_MIN "  - name: wan0\n    port: eth0\n",
	 "t.yaml:5:11: ", "'port' 'eth0' is neither a PCI address"},
	{"port with empty argument", "interfaces:\n  - name: a\n    port: net_tap0,\n",
	 "t.yaml:3:11: ", "neither a PCI address"},
	{"PCI device out of range", "interfaces:\n  - name: a\n    port: 0000:3b:20.0\n",
	 "t.yaml:3:11: ", "neither a PCI address"},
	{"interface name starts with digit", "interfaces:\n  - name: 0lan\n    port: net_tap0\n",
	 "t.yaml:2:11: ", "must be a letter"},
	{"interface name with dash", "interfaces:\n  - name: lan-0\n    port: net_tap0\n",
	 "t.yaml:2:11: ", "must be a letter"},
	{"ipv6 with mtu 1000", IFACE_MIN "    ipv6: fd00::1/64\n    mtu: 1000\n",
	 "t.yaml:5:10: ", "'mtu' 1000 is below 1280"},
	{"ipv6 after mtu 1000", IFACE_MIN "    mtu: 1000\n    ipv6: fd00::1/64\n",
	 "t.yaml:4:10: ", "below 1280"},
	{"tx_queues too small", "system:\n  worker_cores: [1, 2]\n" IFACE_MIN "    tx_queues: 2\n",
	 "t.yaml:6:16: ", "'tx_queues' 2 is fewer than workers + 1 (3)"},
	{"tx_queues checked against a later system",
	 IFACE_MIN "    tx_queues: 3\nsystem:\n  worker_cores: [1, 2, 3]\n",
	 "t.yaml:4:16: ", "fewer than workers + 1 (4)"},
	{"rx_queues above workers", IFACE_MIN "    rx_queues: 2\n",
	 "t.yaml:4:16: ", "'rx_queues' 2 is more than the 1 worker(s)"},
	{"tx_queues 18", IFACE_MIN "    tx_queues: 18\n", "t.yaml:4:16: ", "out of range 0..17"},
	/* system cores */
	{"worker is control core", "system:\n  control_core: 2\n  worker_cores: [1, 2]\n" IFACE_MIN,
	 "t.yaml:3:21: ", "lcore 2 is the control_core"},
	{"worker is default control core", "system:\n  worker_cores: [0]\n" IFACE_MIN,
	 "t.yaml:2:18: ", "lcore 0 is the control_core"},
	{"worker listed twice", "system:\n  worker_cores: [1, 1]\n" IFACE_MIN,
	 "t.yaml:2:21: ", "lcore 1 is listed twice"},
	{"no workers", "system:\n  worker_cores: []\n" IFACE_MIN,
	 "t.yaml:2:17: ", "needs at least one lcore"},
	{"17 workers",
	 "system:\n  worker_cores: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, "
	 "17]\n" IFACE_MIN,
	 "t.yaml:2:73: ", "more than 16 lcores"},
	{"lcore 1024", "system:\n  worker_cores: [1024]\n" IFACE_MIN,
	 "t.yaml:2:18: ", "out of range 0..1023"},
	/* routes */
	{"host bits in route", IFACE_V4 "routes:\n  - prefix: 198.51.100.1/24\n    via: 10.0.0.2\n",
	 "t.yaml:7:13: ", "host bits are set in 198.51.100.1/24; the prefix is 198.51.100.0/24"},
	{"host bits in v6 route", IFACE_V4 "routes:\n  - prefix: fd00:99::1/64\n    via: fd00::2\n",
	 "t.yaml:7:13: ", "the prefix is fd00:99::/64"},
	{"via unreachable", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.1.0.2\n",
	 "t.yaml:8:10: ", "'via' 10.1.0.2 is not inside any connected subnet"},
	{"via wrong family", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: fd00::2\n",
	 "t.yaml:8:10: ", "not of the prefix's address family"},
	{"unknown route interface",
	 IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    interface: nope\n",
	 "t.yaml:8:16: ", "unknown interface 'nope'"},
	{"via outside the named interface",
	 IFACE_V4 WAN("10.1.0.1/24") "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.0.0.2\n"
				     "    interface: wan0\n",
	 "t.yaml:11:10: ", "not inside a subnet of interface wan0"},
	{"route without via or interface", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n",
	 "t.yaml:7:5: ", "needs 'via', 'interface'"},
	{"duplicate route",
	 IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.0.0.2\n"
		  "  - prefix: 192.0.2.0/24\n    via: 10.0.0.3\n",
	 "t.yaml:9:13: ", "duplicate route 192.0.2.0/24 (first at line 7)"},
	{"route equals connected subnet",
	 IFACE_V4 "routes:\n  - prefix: 10.0.0.0/24\n    interface: lan0\n",
	 "t.yaml:7:13: ", "route 10.0.0.0/24 is the connected subnet of interface lan0"},
	{"multicast route", IFACE_V4 "routes:\n  - prefix: 224.0.0.0/4\n    via: 10.0.0.2\n",
	 "t.yaml:7:13: ", "route prefix 224.0.0.0/4 is multicast"},
	{"via is our address", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.0.0.1\n",
	 "t.yaml:8:10: ", "'via' 10.0.0.1 is an address of interface lan0"},
	{"via multicast", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 224.0.0.5\n",
	 "t.yaml:8:10: ", "multicast"},
	{"via unspecified", IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 0.0.0.0\n",
	 "t.yaml:8:10: ", "unspecified"},
	{"via with prefix length",
	 IFACE_V4 "routes:\n  - prefix: 192.0.2.0/24\n    via: 10.0.0.2/32\n",
	 "t.yaml:8:10: ", "is not an address"},
	/* YAML features the loader refuses */
	{"anchor", IFACE_MIN "    mtu: &m 1500\n", "t.yaml:4:10: ", "aliases are not supported"},
	{"alias", "a: *x\n", "t.yaml:1:4: ", "aliases are not supported"},
	{"anchor and alias", "system: &s {}\n" IFACE_MIN "x: *s\n",
	 "t.yaml:1:9: ", "aliases are not supported"},
	{"tag on a sequence", "interfaces: !!seq\n  - name: lan0\n    port: net_tap0\n",
	 "t.yaml:1:13: ", "explicit tags are not supported"},
	{"tag on a scalar", IFACE_MIN "    mtu: !!int 1500\n",
	 "t.yaml:4:10: ", "explicit tags are not supported"},
	{"two documents", IFACE_MIN "---\n" IFACE_MIN,
	 "t.yaml:4:1: ", "multiple documents are not supported"},
	{"comments only", "# nothing here\n", "t.yaml:1:1: ", "empty file"},
	{"top-level sequence", "- a\n- b\n",
	 "t.yaml:1:1: ", "the top level must be a mapping, not a sequence"},
	{"top-level scalar", "hello\n", "t.yaml:1:1: ", "the top level must be a mapping"},
	{"syntax error", "key: value: x\n",
	 "t.yaml:1:11: ", "mapping values are not allowed in this context"},
	{"unclosed flow sequence", "interfaces: [a, b\n",
	 "t.yaml:2:1: ", "did not find expected ',' or ']'"},
	{"invalid UTF-8", "a: \xff\n", "t.yaml:1:4: ", "invalid leading UTF-8 octet"},
};

/* Where *out starts on error paths: the loader must overwrite it with NULL. */
static struct config sentinel;

static void expect_error(const char *what, const char *yaml, size_t len, const char *pos,
			 const char *msg)
{
	struct config *cfg = &sentinel;
	char err[CFG_ERR_MAX] = "";
	int rc;

	rc = cfg_load_buffer("t.yaml", yaml, len, &cfg, err, sizeof(err));
	CU_ASSERT(rc < 0);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_NSTRING_EQUAL(err, pos, strlen(pos));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	if (rc >= 0 || strncmp(err, pos, strlen(pos)) != 0 || strstr(err, msg) == NULL)
		fprintf(stderr, "\n  case '%s': rc %d, got \"%s\", want \"%s...%s\"\n", what, rc,
			err, pos, msg);
	if (rc >= 0)
		cfg_free(cfg);
}

static void test_bad_table(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];

		expect_error(c->what, c->yaml, strlen(c->yaml), c->pos, c->msg);
	}
}

static void test_empty_input(void)
{
	struct config *cfg = NULL;
	char err[CFG_ERR_MAX];

	expect_error("empty", "", 0, "t.yaml:1:1: ", "empty file");
	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", NULL, 0, &cfg, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NULL(cfg);
}

/* A growable text buffer for generated inputs. */
struct text {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && t->len + (size_t)n < t->cap)
			break;
		t->cap = t->cap * 2 + (size_t)n + 64;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	t->len += (size_t)n;
}

static void text_init(struct text *t)
{
	t->cap = 256;
	t->len = 0;
	t->s = malloc(t->cap);
	if (t->s == NULL)
		abort();
	t->s[0] = '\0';
}

static int load_text(const struct text *t, struct config **cfg, char *err)
{
	return cfg_load_buffer("t.yaml", t->s, t->len, cfg, err, CFG_ERR_MAX);
}

static void gen_name(struct text *t, size_t n)
{
	text_init(t);
	put(t, "interfaces:\n  - name: ");
	for (size_t i = 0; i < n; i++)
		put(t, "a");
	put(t, "\n    port: net_tap0\n");
}

static void test_huge_scalar(void)
{
	struct text t;

	gen_name(&t, 5000);
	expect_error("5000-byte scalar", t.s, t.len, "t.yaml:2:11: ", "scalar longer than 4096");
	free(t.s);
	/* 4096 bytes pass the reader and are refused by the name rule instead. */
	gen_name(&t, 4096);
	expect_error("4096-byte name", t.s, t.len, "t.yaml:2:11: ", "'name' must be a letter");
	free(t.s);
}

static void gen_nest(struct text *t, unsigned int levels)
{
	text_init(t);
	put(t, "a: ");
	for (unsigned int i = 0; i < levels; i++)
		put(t, "[");
	for (unsigned int i = 0; i < levels; i++)
		put(t, "]");
	put(t, "\n");
}

static void test_deep_nesting(void)
{
	struct text t;

	/* The top-level mapping is level 1, so the 16th '[' (column 19) is level 17. */
	gen_nest(&t, 20);
	expect_error("20 levels", t.s, t.len, "t.yaml:1:19: ", "nesting deeper than 16 levels");
	free(t.s);
	gen_nest(&t, 15);
	expect_error("16 levels", t.s, t.len, "t.yaml:1:1: ", "unknown key 'a'");
	free(t.s);
}

static void test_many_nodes(void)
{
	struct text t;

	/* Nodes: the mapping, the key, the sequence, then the items; 262142 items make 262145. */
	text_init(&t);
	put(&t, "a: [");
	for (unsigned int i = 0; i < 262142; i++)
		put(&t, "1,");
	put(&t, "1]\n");
	expect_error("262145 nodes", t.s, t.len,
		     "t.yaml:1:524287: ", "more than 262144 YAML nodes");
	free(t.s);
}

static void gen_ifaces(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, "interfaces:\n");
	for (unsigned int i = 0; i < n; i++)
		put(t, "  - name: if%u\n    port: net_tap%u\n", i, i);
}

static void test_many_interfaces(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	struct text t;

	gen_ifaces(&t, CFG_IFACES_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_ifaces, CFG_IFACES_MAX);
	CU_ASSERT_STRING_EQUAL(cfg->ifaces[63].name, "if63");
	CU_ASSERT_EQUAL(cfg->ifaces[63].line, 128);
	cfg_free(cfg);
	free(t.s);
	/* Interface i starts on line 2 + 2i; the 65th is refused where it starts. */
	gen_ifaces(&t, CFG_IFACES_MAX + 1);
	expect_error("65 interfaces", t.s, t.len, "t.yaml:130:5: ", "more than 64 interfaces");
	free(t.s);
}

static void gen_routes(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, IFACE_MIN "routes:\n");
	for (unsigned int i = 0; i < n; i++)
		put(t, "  - {prefix: 10.%u.%u.0/24, interface: lan0}\n", i >> 8, i & 0xff);
}

static void test_many_routes(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	struct text t;

	gen_routes(&t, CFG_ROUTES_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_routes, CFG_ROUTES_MAX);
	CU_ASSERT_EQUAL(cfg->routes[4095].prefix.bytes[1], 15);
	CU_ASSERT_EQUAL(cfg->routes[4095].prefix.bytes[2], 255);
	CU_ASSERT_EQUAL(cfg->routes[4095].iface, 0);
	CU_ASSERT_EQUAL(cfg->routes[4095].via.family, 0);
	cfg_free(cfg);
	free(t.s);
	/* Route i is on line 5 + i. */
	gen_routes(&t, CFG_ROUTES_MAX + 1);
	expect_error("4097 routes", t.s, t.len, "t.yaml:4101:5: ", "more than 4096 routes");
	free(t.s);
}

static void test_oversized_buffer(void)
{
	size_t len = (1u << 20) + 1;
	char *buf = malloc(len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memset(buf, '#', len);
	expect_error("1 MiB + 1", buf, len, "t.yaml:1:1: ", "larger than 1048576 bytes");
	free(buf);
}

static void test_error_truncated(void)
{
	struct config *cfg;
	char err[8];

	memset(err, 'x', sizeof(err));
	CU_ASSERT(cfg_load_buffer("t.yaml", "- a\n", 4, &cfg, err, sizeof(err)) < 0);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:");
	CU_ASSERT(cfg_load_buffer("t.yaml", "- a\n", 4, &cfg, NULL, 0) < 0);
	CU_ASSERT_PTR_NULL(cfg);
}

/* "addr/plen" of a, for comparing with the text of the YAML. */
static const char *prefix_str(const struct cfg_addr *a)
{
	static char buf[INET6_ADDRSTRLEN + 4];
	char host[INET6_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "%s/%u", cfg_addr_str(a, host, sizeof(host)), a->plen);
	return buf;
}

static void check_default_iface(const struct cfg_iface *ifc, const char *name, const char *port,
				const char *v4, const char *v6)
{
	CU_ASSERT_STRING_EQUAL(ifc->name, name);
	CU_ASSERT_STRING_EQUAL(ifc->port, port);
	CU_ASSERT_FALSE(ifc->is_pci);
	CU_ASSERT_EQUAL(ifc->n_v4, 1);
	CU_ASSERT_STRING_EQUAL(prefix_str(&ifc->v4[0]), v4);
	CU_ASSERT_EQUAL(ifc->n_v6, 1);
	CU_ASSERT_STRING_EQUAL(prefix_str(&ifc->v6[0]), v6);
	CU_ASSERT_EQUAL(ifc->mtu, 1500);
	CU_ASSERT_EQUAL(ifc->rx_queues, 1);
	CU_ASSERT_EQUAL(ifc->tx_queues, 2);
}

static void check_route(const struct cfg_route *rt, const char *prefix, const char *via, int iface)
{
	char buf[INET6_ADDRSTRLEN];

	CU_ASSERT_STRING_EQUAL(prefix_str(&rt->prefix), prefix);
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&rt->via, buf, sizeof(buf)), via);
	CU_ASSERT_EQUAL(rt->iface, iface);
}

static void test_default(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	int rc;

	rc = cfg_load_buffer("<embedded>", cfg_default_yaml, cfg_default_yaml_len, &cfg, err,
			     sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  default: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->file, "<embedded>");
	CU_ASSERT_STRING_EQUAL(cfg->sys.name, "vpnhub");
	CU_ASSERT_EQUAL(cfg->sys.control_core, 0);
	CU_ASSERT_EQUAL(cfg->sys.n_workers, 1);
	CU_ASSERT_EQUAL(cfg->sys.worker_cores[0], 1);
	CU_ASSERT_EQUAL(cfg->sys.memory_mb, 512);
	CU_ASSERT_EQUAL(cfg->sys.hugepages, CFG_HUGE_AUTO);
	CU_ASSERT_TRUE(cfg->sys.telemetry);
	CU_ASSERT_EQUAL(cfg->sys.idle_sleep_us, 20);
	CU_ASSERT_EQUAL(cfg->sys.log_level, 7);
	CU_ASSERT_EQUAL(cfg->sys.mbufs, 16383);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ifaces, 2);
	check_default_iface(&cfg->ifaces[0], "lan0", "net_af_packet0,iface=vh-lan0", "10.10.1.1/24",
			    "fd00:10:1::1/64");
	check_default_iface(&cfg->ifaces[1], "wan0", "net_af_packet1,iface=vh-wan0",
			    "203.0.113.1/24", "fd00:10:2::1/64");
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 2);
	check_route(&cfg->routes[0], "198.51.100.0/24", "203.0.113.2", 1);
	check_route(&cfg->routes[1], "fd00:10:99::/64", "fd00:10:2::2", 1);
	CU_ASSERT_EQUAL(cfg_iface_find(cfg, "wan0"), 1);
	CU_ASSERT_EQUAL(cfg_iface_find(cfg, "lan0"), 0);
	CU_ASSERT_EQUAL(cfg_iface_find(cfg, "dmz0"), -ENOENT);
	cfg_free(cfg);
}

static bool is_yaml(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static void test_examples(void)
{
	char path[512], err[CFG_ERR_MAX];
	unsigned int loaded = 0;
	struct config *cfg;
	struct dirent *de;
	DIR *dir = opendir(EXAMPLES_DIR);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	while ((de = readdir(dir)) != NULL) {
		if (!is_yaml(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, de->d_name);
		int rc = cfg_load_file(path, &cfg, err, sizeof(err));

		CU_ASSERT_EQUAL(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "\n  example: %s\n", err);
			continue;
		}
		CU_ASSERT_STRING_EQUAL(cfg->file, path);
		CU_ASSERT(cfg->n_ifaces >= 1);
		loaded++;
		cfg_free(cfg);
	}
	closedir(dir);
	CU_ASSERT(loaded >= 3);
}

static void test_pci_example(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;

	CU_ASSERT_EQUAL(cfg_load_file(EXAMPLES_DIR "/pci-nic.yaml", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->sys.n_workers, 2);
	CU_ASSERT_EQUAL(cfg->sys.hugepages, CFG_HUGE_ON);
	CU_ASSERT_EQUAL(cfg->sys.idle_sleep_us, 0);
	CU_ASSERT_TRUE(cfg->ifaces[0].is_pci);
	CU_ASSERT_STRING_EQUAL(cfg->ifaces[0].port, "0000:3b:00.0");
	CU_ASSERT_STRING_EQUAL(cfg->ifaces[1].port, "0000:3b:00.1");
	CU_ASSERT_EQUAL(cfg->ifaces[0].tx_queues, 3);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 3);
	check_route(&cfg->routes[0], "0.0.0.0/0", "203.0.113.254", 1);
	check_route(&cfg->routes[1], "::/0", "2001:db8:2::fe", 1);
	check_route(&cfg->routes[2], "192.0.2.0/24", "10.10.1.254", 0);
	cfg_free(cfg);
}

static void test_missing_file(void)
{
	struct config *cfg = &sentinel;
	char err[CFG_ERR_MAX];

	CU_ASSERT_EQUAL(cfg_load_file("/nonexistent/vpnhub.yaml", &cfg, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/vpnhub.yaml:1:1: cannot read: "
				    "No such file or directory");
}

/* Defaults, order independence, PCI short form, interface-only routes, /31, ipv4 as scalar. */
static const char good_yaml[] = "interfaces:\n"
				"  - name: lan0\n"
				"    port: 3B:00.1\n"
				"    ipv4: [10.0.0.0/31, 192.0.2.1/24]\n"
				"    tx_queues: 4\n"
				"  - name: tun/x_1\n"
				"    port: \"net_tap1,iface=vh-tap\"\n"
				"    ipv6: [2001:db8::1/64]\n"
				"    mtu: 1280\n"
				"routes:\n"
				"  - prefix: 198.51.100.0/24\n"
				"    interface: tun/x_1\n"
				"  - prefix: 0.0.0.0/0\n"
				"    via: 10.0.0.1\n"
				"system:\n"
				"  worker_cores: [3, 2, 1]\n"
				"  control_core: 5\n"
				"  hugepages: false\n"
				"  telemetry: false\n"
				"  log_level: debug\n";

static void test_good(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg;
	int rc = cfg_load_buffer("x.yaml", good_yaml, strlen(good_yaml), &cfg, err, sizeof(err));

	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  good: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_STRING_EQUAL(cfg->sys.name, "vpnhub");
	CU_ASSERT_EQUAL(cfg->sys.n_workers, 3);
	CU_ASSERT_EQUAL(cfg->sys.worker_cores[2], 1);
	CU_ASSERT_EQUAL(cfg->sys.control_core, 5);
	CU_ASSERT_EQUAL(cfg->sys.memory_mb, 512);
	CU_ASSERT_EQUAL(cfg->sys.hugepages, CFG_HUGE_OFF);
	CU_ASSERT_FALSE(cfg->sys.telemetry);
	CU_ASSERT_EQUAL(cfg->sys.log_level, 8);
	CU_ASSERT_EQUAL(cfg->sys.mbufs, 16383);
	CU_ASSERT_TRUE(cfg->ifaces[0].is_pci);
	CU_ASSERT_STRING_EQUAL(cfg->ifaces[0].port, "0000:3b:00.1");
	CU_ASSERT_EQUAL(cfg->ifaces[0].n_v4, 2);
	CU_ASSERT_STRING_EQUAL(prefix_str(&cfg->ifaces[0].v4[0]), "10.0.0.0/31");
	CU_ASSERT_EQUAL(cfg->ifaces[0].rx_queues, 3);
	CU_ASSERT_EQUAL(cfg->ifaces[0].tx_queues, 4);
	CU_ASSERT_EQUAL(cfg->ifaces[0].line, 2);
	CU_ASSERT_STRING_EQUAL(cfg->ifaces[1].port, "net_tap1,iface=vh-tap");
	CU_ASSERT_EQUAL(cfg->ifaces[1].mtu, 1280);
	CU_ASSERT_EQUAL(cfg->ifaces[1].tx_queues, 4);
	CU_ASSERT_EQUAL(cfg->n_routes, 2);
	CU_ASSERT_EQUAL(cfg->routes[0].iface, 1);
	CU_ASSERT_EQUAL(cfg->routes[0].via.family, 0);
	CU_ASSERT_EQUAL(cfg->routes[0].line, 11);
	CU_ASSERT_EQUAL(cfg->routes[1].iface, 0);
	CU_ASSERT_STRING_EQUAL(cfg->file, "x.yaml");
	cfg_free(cfg);
}

struct addr_case {
	const char *text;
	bool allow_plen;
	int rc;
	int family;
	unsigned int plen;
};

static const struct addr_case addr_cases[] = {
	{"1.2.3.4", true, 0, AF_INET, 32},     {"1.2.3.4/24", true, 0, AF_INET, 24},
	{"0.0.0.0/0", true, 0, AF_INET, 0},    {"1.2.3.4", false, 0, AF_INET, 32},
	{"::1/128", true, 0, AF_INET6, 128},   {"fd00:10:1::1/64", true, 0, AF_INET6, 64},
	{"::/0", true, 0, AF_INET6, 0},	       {"::ffff:1.2.3.4", false, 0, AF_INET6, 128},
	{"1.2.3.4/33", true, -EINVAL, 0, 0},   {"1.2.3.4/", true, -EINVAL, 0, 0},
	{"::1/129", true, -EINVAL, 0, 0},      {"1.2.3", true, -EINVAL, 0, 0},
	{"1.2.3.4 ", true, -EINVAL, 0, 0},     {" 1.2.3.4", true, -EINVAL, 0, 0},
	{"1.2.3.4/24 ", true, -EINVAL, 0, 0},  {"", true, -EINVAL, 0, 0},
	{"/24", true, -EINVAL, 0, 0},	       {"1.2.3.4/024", true, -EINVAL, 0, 0},
	{"1.2.3.4/+4", true, -EINVAL, 0, 0},   {"1.2.3.4/-1", true, -EINVAL, 0, 0},
	{"1.2.3.4/24x", true, -EINVAL, 0, 0},  {"1.2.3.4/1000", true, -EINVAL, 0, 0},
	{"1.2.3.4/24", false, -EINVAL, 0, 0},  {"1.2.3.256", true, -EINVAL, 0, 0},
	{"fe80::1%eth0", true, -EINVAL, 0, 0}, {"1::2::3", true, -EINVAL, 0, 0},
	{"host.example", true, -EINVAL, 0, 0}, {"0x01020304", true, -EINVAL, 0, 0},
};

static void test_addr_parse(void)
{
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct cfg_addr a;
		int rc = cfg_addr_parse(c->text, c->allow_plen, &a);

		CU_ASSERT_EQUAL(rc, c->rc);
		if (rc != c->rc)
			fprintf(stderr, "\n  addr '%s': rc %d, want %d\n", c->text, rc, c->rc);
		if (rc != 0 || c->rc != 0)
			continue;
		CU_ASSERT_EQUAL(a.family, c->family);
		CU_ASSERT_EQUAL(a.plen, c->plen);
	}
	CU_ASSERT_EQUAL(cfg_addr_parse(NULL, true, &(struct cfg_addr){.family = 0}), -EINVAL);
}

static void test_addr_bytes(void)
{
	char buf[INET6_ADDRSTRLEN];
	struct cfg_addr a;

	CU_ASSERT_EQUAL_FATAL(cfg_addr_parse("10.10.1.1/24", true, &a), 0);
	CU_ASSERT_EQUAL(a.bytes[0], 10);
	CU_ASSERT_EQUAL(a.bytes[3], 1);
	CU_ASSERT_EQUAL(a.bytes[4], 0); /* the tail is zero, so memcmp compares addresses */
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&a, buf, sizeof(buf)), "10.10.1.1");
	CU_ASSERT_EQUAL_FATAL(cfg_addr_parse("FD00:10:1:0::1", false, &a), 0);
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&a, buf, sizeof(buf)), "fd00:10:1::1");
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&a, buf, 4), ""); /* too small: empty, not cut */
	a.family = 0;
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&a, buf, sizeof(buf)), "");
}

struct in_prefix_case {
	const char *addr, *prefix;
	bool in;
};

static const struct in_prefix_case in_prefix_cases[] = {
	{"10.1.2.3", "10.0.0.0/8", true},
	{"11.0.0.0", "10.0.0.0/8", false},
	{"10.1.3.3", "10.1.2.0/23", true},
	{"10.1.4.1", "10.1.2.0/23", false},
	{"10.1.2.3", "10.1.2.3/32", true},
	{"10.1.2.4", "10.1.2.3/32", false},
	{"203.0.113.9", "0.0.0.0/0", true},
	{"fd00:10:1::5", "fd00:10:1::/64", true},
	{"fd00:10:2::5", "fd00:10:1::/64", false},
	{"fd00:10:1::5", "fd00:10::/33", true},
	{"fd00:10:8000::5", "fd00:10::/33", false},
	{"::1", "::/0", true},
	{"10.0.0.1", "::/0", false}, /* families never match */
	{"::1", "0.0.0.0/0", false},
};

static void test_addr_in_prefix(void)
{
	for (size_t i = 0; i < sizeof(in_prefix_cases) / sizeof(in_prefix_cases[0]); i++) {
		const struct in_prefix_case *c = &in_prefix_cases[i];
		struct cfg_addr a, p;

		CU_ASSERT_EQUAL_FATAL(cfg_addr_parse(c->addr, false, &a), 0);
		CU_ASSERT_EQUAL_FATAL(cfg_addr_parse(c->prefix, true, &p), 0);
		CU_ASSERT_EQUAL(cfg_addr_in_prefix(&a, &p), c->in);
		if (cfg_addr_in_prefix(&a, &p) != c->in)
			fprintf(stderr, "\n  %s in %s: want %d\n", c->addr, c->prefix, c->in);
	}
	CU_ASSERT_FALSE(cfg_addr_in_prefix(NULL, NULL));
}

int test_config_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"embedded default", test_default},
		{"examples load", test_examples},
		{"pci example values", test_pci_example},
		{"defaults and order", test_good},
		{"error table", test_bad_table},
		{"empty input", test_empty_input},
		{"huge scalar", test_huge_scalar},
		{"deep nesting", test_deep_nesting},
		{"node limit", test_many_nodes},
		{"interface limit", test_many_interfaces},
		{"route limit", test_many_routes},
		{"oversized buffer", test_oversized_buffer},
		{"error truncated", test_error_truncated},
		{"missing file", test_missing_file},
		{"addr parse", test_addr_parse},
		{"addr bytes and str", test_addr_bytes},
		{"addr in prefix", test_addr_in_prefix},
	};
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return CU_get_error();
	}
	return CUE_SUCCESS;
}
