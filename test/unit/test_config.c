/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/unit/test_config.c - the "config" suite: conf/config.c and conf/addr.c.
 *
 * Good inputs: the embedded default with its values, every file in conf/examples, defaults,
 * boundaries (64 interfaces, 4096 routes, a 4096-byte scalar, 16 levels, 262144 nodes).
 * Bad inputs: one table row per class of refusal listed in conf/README.md (the loader refuses,
 * reports file:line:col and returns nothing). Every row checks the exact position prefix, a
 * distinguishing part of the message, a negative return and *out == NULL.
 * The ike section has its own table (ike_bad_cases) and value tests; the algorithms it accepts
 * are checked against crypto/ike_*.h, which implement them.
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
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conf/config.h"
#include "crypto/ike_dh.h"
#include "crypto/ike_prf.h"
#include "crypto/ike_sk.h"
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

/* Example keys by length in bytes: 16, 20, 32. */
#define KEY16 "0x00112233445566778899aabbccddeeff"
#define KEY20 "0x00112233445566778899aabbccddeeff01020304"
#define KEY32 "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* Lines 6-7 after IFACE_V4: the head of the ipsec section. */
#define IPSEC "ipsec:\n  manual_sas:\n"
/*
 * Lines 8-12: the head of an SA as a block mapping (map at col 7; values: name col 13, spi 12,
 * direction 18, local 14, remote 15). SA_GCM adds enc (line 13, col 12) and enc_key (14, col 16);
 * keys after it start at col 7.
 */
#define SA_AT(name, spi, dir, local, remote)                                                      \
	"    - name: " name "\n      spi: " spi "\n      direction: " dir "\n      local: " local \
	"\n      remote: " remote "\n"
#define SA_HEAD(name, spi, dir) SA_AT(name, spi, dir, "10.0.0.1", "10.0.0.2")
#define SA_GCM(name, spi, dir) \
	SA_HEAD(name, spi, dir) "      enc: aes-gcm-128\n      enc_key: " KEY20 "\n"
/* One SA on one line, for sections about tunnels. */
#define SA_FLOW(name, spi, dir, extra)                                               \
	"    - {name: " name ", spi: " spi ", direction: " dir ", local: 10.0.0.1, " \
	"remote: 10.0.0.2, enc: aes-gcm-128, enc_key: " KEY20 extra "}\n"
/* Lines 6-9: SA o (out) and SA i (in) between 10.0.0.1 and 10.0.0.2. */
#define SAS IPSEC SA_FLOW("o", "0x1001", "out", "") SA_FLOW("i", "0x2001", "in", "")
/*
 * One tunnel in six lines (map at col 5; values: name col 11, type 11, local 12, remote 13,
 * sa_out 13, sa_in 12); after SAS and "tunnels:" (line 10) it fills lines 11-16.
 */
#define TUN(name, local, remote, out, in)                                              \
	"  - name: " name "\n    type: vti\n    local: " local "\n    remote: " remote \
	"\n    sa_out: " out "\n    sa_in: " in "\n"
#define TUN_OK	   TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "i")
#define TUNNELS(t) IFACE_V4 SAS "tunnels:\n" t
/* Lines 1-18: vti1 with 172.16.0.1/30 and the head of the routes section; routes from line 19. */
#define RT_TUN TUNNELS(TUN_OK) "    ipv4: 172.16.0.1/30\nroutes:\n"

/* Crypto maps. One SA on one line between wan0 (192.0.2.1) and its peer 192.0.2.2. */
#define CM_SA(name, spi, dir, extra)                                                  \
	"    - {name: " name ", spi: " spi ", direction: " dir ", local: 192.0.2.1, " \
	"remote: 192.0.2.2, enc: aes-gcm-128, enc_key: " KEY20 extra "}\n"
/* Lines 1-8: lan0 and wan0 (192.0.2.1/24). */
#define CM_IFS IFACE_V4 WAN("192.0.2.1/24")
/* Lines 1-13: CM_IFS, SA o (out) and SA i (in) of wan0, then "  crypto_maps:". */
#define CM_BASE                                                          \
	CM_IFS "ipsec:\n  manual_sas:\n" CM_SA("o", "0x1001", "out", "") \
		CM_SA("i", "0x2001", "in", "") "  crypto_maps:\n"
/* Three lines of a map head (map at col 7; values: name col 13, interface col 18). */
#define CM_HEAD(name, ifc)  "    - name: " name "\n      interface: " ifc "\n      entries:\n"
#define CM_EMPTY(name, ifc) "    - name: " name "\n      interface: " ifc "\n      entries: []\n"
/*
 * Three lines of an entry (map at col 11; values: seq col 16, action col 19, match col 18; in
 * a flow match written "{src: S, dst: D...}", src's value is at col 24).
 */
#define CM_ENTRY(seq, action, match) \
	"        - seq: " seq "\n          action: " action "\n          match: " match "\n"
/* Two more lines for protect (values: sa_out col 19, sa_in col 18). */
#define CM_SAS(out, in) "          sa_out: " out "\n          sa_in: " in "\n"
#define CM_NET		"{src: 10.0.0.0/24, dst: 10.9.0.0/24}"
/* Lines 14-21: map cm on wan0 with entry 10 (lines 17-21), protect through o and i. */
#define CM_OK CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "i")
/* A map cm on wan0 whose one entry (bypass) has match m, lines 17-19 (match at line 19). */
#define CM_MATCH(m) CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "bypass", m)

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
	/* ipsec section */
	{"unknown ipsec key", IFACE_V4 "ipsec:\n  bogus: 1\n",
	 "t.yaml:7:3: ", "unknown key 'bogus' in ipsec"},
	{"ipsec is a sequence", IFACE_V4 "ipsec: []\n",
	 "t.yaml:6:8: ", "expected a mapping in ipsec, not a sequence"},
	{"legacy not a bool", IFACE_V4 "ipsec:\n  legacy: yes\n",
	 "t.yaml:7:11: ", "'legacy' must be true or false"},
	{"default window not a power of two", IFACE_V4 "ipsec:\n  replay_window: 1000\n",
	 "t.yaml:7:18: ", "'replay_window' 1000 is not a power of two"},
	{"default window too large", IFACE_V4 "ipsec:\n  replay_window: 8192\n",
	 "t.yaml:7:18: ", "'replay_window' is out of range 64..4096"},
	{"SA table too small", IFACE_V4 "ipsec:\n  sa_max: 14\n",
	 "t.yaml:7:11: ", "'sa_max' is out of range 15..1048575"},
	{"SA table too large", IFACE_V4 "ipsec:\n  sa_max: 1048576\n",
	 "t.yaml:7:11: ", "'sa_max' is out of range 15..1048575"},
	{"manual_sas a mapping", IFACE_V4 "ipsec:\n  manual_sas: {}\n",
	 "t.yaml:7:15: ", "'manual_sas' must be a sequence, not a mapping"},
	{"SA a scalar", IFACE_V4 IPSEC "    - x\n",
	 "t.yaml:8:7: ", "expected a mapping in ipsec.manual_sas[0], not a scalar"},
	/* manual SAs: required keys, names, SPIs */
	{"SA without spi",
	 IFACE_V4 IPSEC "    - name: a\n      direction: out\n      local: 10.0.0.1\n"
			"      remote: 10.0.0.2\n      enc: aes-gcm-128\n      enc_key: " KEY20
			"\n",
	 "t.yaml:8:7: ", "missing required key 'spi' in ipsec.manual_sas[0]"},
	{"SA without enc", IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out"),
	 "t.yaml:8:7: ", "missing required key 'enc' in ipsec.manual_sas[0]"},
	{"duplicate SA name",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") SA_GCM("a", "0x1002", "out"),
	 "t.yaml:15:13: ", "SA name a is used twice"},
	{"SA name with dash", IFACE_V4 IPSEC SA_GCM("to-hubB", "0x1001", "out"),
	 "t.yaml:8:13: ", "'name' must be a letter then up to 30 of [A-Za-z0-9_/]"},
	{"spi not hex", IFACE_V4 IPSEC SA_GCM("a", "0x10g0", "out"),
	 "t.yaml:9:12: ", "'spi' must be a decimal or 0x-hex integer in 0..4294967295"},
	{"spi reserved (RFC 4303 2.1)", IFACE_V4 IPSEC SA_GCM("a", "255", "out"),
	 "t.yaml:9:12: ", "'spi' 255 is reserved: SPIs start at 0x100 (RFC 4303 2.1)"},
	{"spi zero", IFACE_V4 IPSEC SA_GCM("a", "0x0", "out"),
	 "t.yaml:9:12: ", "'spi' 0 is reserved"},
	{"spi above 32 bits", IFACE_V4 IPSEC SA_GCM("a", "0x100000000", "out"),
	 "t.yaml:9:12: ", "'spi' is out of range 0x0..0xffffffff"},
	{"spi quoted", IFACE_V4 IPSEC SA_GCM("a", "\"0x1001\"", "out"),
	 "t.yaml:9:12: ", "'spi' must be an integer, not a quoted string"},
	{"direction", IFACE_V4 IPSEC SA_GCM("a", "0x1001", "both"),
	 "t.yaml:10:18: ", "'direction' must be in or out"},
	{"mode", IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      mode: bus\n",
	 "t.yaml:15:13: ", "'mode' must be tunnel or transport"},
	/* manual SAs: addresses */
	{"SA local not a hub address",
	 IFACE_V4 IPSEC SA_AT("a", "0x1001", "out", "10.0.0.9", "10.0.0.2") "      enc: null\n",
	 "t.yaml:11:14: ", "'local' 10.0.0.9 is not an address of any interface"},
	{"SA local with prefix length",
	 IFACE_V4 IPSEC SA_AT("a", "0x1001", "out", "10.0.0.1/24", "10.0.0.2") "      enc: null\n",
	 "t.yaml:11:14: ", "'local' '10.0.0.1/24' is not an address"},
	{"SA local and remote families differ",
	 IFACE_V4 IPSEC SA_AT("a", "0x1001", "out", "10.0.0.1", "fd00::2") "      enc: null\n",
	 "t.yaml:12:15: ", "'remote' fd00::2 is not of the address family of 'local'"},
	{"SA remote multicast",
	 IFACE_V4 IPSEC SA_AT("a", "0x1001", "out", "10.0.0.1", "224.0.0.5") "      enc: null\n",
	 "t.yaml:12:15: ", "'remote' is a multicast address"},
	{"SA remote unspecified",
	 IFACE_V4 IPSEC SA_AT("a", "0x1001", "out", "10.0.0.1", "0.0.0.0") "      enc: null\n",
	 "t.yaml:12:15: ", "'remote' is the unspecified address"},
	{"duplicate inbound SPI and local (RFC 4301 4.1)",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "in") SA_GCM("b", "4097", "in"),
	 "t.yaml:16:12: ", "inbound SPI 0x1001 on 10.0.0.1 is already used by SA a"},
	/* manual SAs: algorithms */
	{"unknown enc", IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-ctr-128\n",
	 "t.yaml:13:12: ", "'enc' must be one of null, aes-cbc-128"},
	{"unknown auth", IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      auth: hmac-sha3\n",
	 "t.yaml:15:13: ", "'auth' must be one of none, hmac-sha1-96"},
	{"3des without ipsec.legacy",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001",
				"out") "      enc: 3des-cbc\n"
				       "      enc_key: " KEY16
				       "\n      auth: hmac-sha1-96\n      auth_key: " KEY20 "\n",
	 "t.yaml:13:12: ", "'enc' 3des-cbc is a legacy algorithm: set ipsec.legacy: true"},
	{"md5 without ipsec.legacy",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001",
				"out") "      enc: aes-cbc-128\n"
				       "      enc_key: " KEY16
				       "\n      auth: hmac-md5-96\n      auth_key: " KEY16 "\n",
	 "t.yaml:15:13: ", "'auth' hmac-md5-96 is a legacy algorithm: set ipsec.legacy: true"},
	{"AEAD with an auth",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      auth: hmac-sha256-128\n",
	 "t.yaml:15:13: ", "'auth' must be none with aes-gcm-128"},
	{"CBC without auth",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-cbc-128\n"
						      "      enc_key: " KEY16 "\n",
	 "t.yaml:13:12: ", "'enc' aes-cbc-128 needs an HMAC in 'auth'"},
	{"null with auth none",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: null\n      auth: none\n",
	 "t.yaml:14:13: ", "'enc' null needs an HMAC in 'auth': ESP without integrity"},
	/* manual SAs: keys */
	{"GCM-128 key without salt (RFC 4106 8.1)",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
						      "      enc_key: " KEY16 "\n",
	 "t.yaml:14:16: ", "'enc_key' must be 20 bytes (40 hex digits) for aes-gcm-128, not 16"},
	{"ChaCha20-Poly1305 key length (RFC 7634 2)",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: chacha20-poly1305\n"
						      "      enc_key: " KEY20 "\n",
	 "t.yaml:14:16: ", "must be 36 bytes (72 hex digits) for chacha20-poly1305, not 20"},
	{"HMAC-SHA-256 key length (RFC 4868)",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001",
				"out") "      enc: aes-cbc-128\n"
				       "      enc_key: " KEY16
				       "\n      auth: hmac-sha256-128\n      auth_key: " KEY20 "\n",
	 "t.yaml:16:17: ", "'auth_key' must be 32 bytes (64 hex digits) for hmac-sha256-128"},
	{"key with an odd number of digits",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
						      "      enc_key: 0x0011223344556677889\n",
	 "t.yaml:14:16: ", "'enc_key' has an odd number of hex digits (19)"},
	{"key not hex",
	 IFACE_V4 IPSEC SA_HEAD(
		 "a", "0x1001",
		 "out") "      enc: aes-gcm-128\n"
			"      enc_key: 0x0011zz33445566778899aabbccddeeff01020304\n",
	 "t.yaml:14:16: ", "'enc_key' is not hex: character 7 is not a hex digit"},
	{"enc_key and enc_key_file",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      enc_key_file: /tmp/k.hex\n",
	 "t.yaml:15:21: ", "'enc_key' and 'enc_key_file' exclude each other"},
	{"no enc_key", IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n",
	 "t.yaml:8:7: ", "missing required key 'enc_key' or 'enc_key_file' in ipsec.manual_sas[0]"},
	{"no auth_key",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: null\n      auth: hmac-sha1-96\n",
	 "t.yaml:8:7: ", "missing required key 'auth_key' or 'auth_key_file'"},
	{"null cipher with a key",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: null\n      auth: hmac-sha1-96\n"
						      "      auth_key: " KEY20
						      "\n      enc_key: " KEY20 "\n",
	 "t.yaml:16:16: ", "'enc_key' is refused: enc null takes no key"},
	{"AEAD with an auth_key",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      auth_key_file: /tmp/k.hex\n",
	 "t.yaml:15:22: ", "'auth_key_file' is refused: auth none takes no key"},
	{"key file missing",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
						      "      enc_key_file: /nonexistent/k.hex\n",
	 "t.yaml:14:21: ",
	 "'enc_key_file' '/nonexistent/k.hex' cannot be read: No such file or directory"},
	{"key file not a regular file",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
						      "      enc_key_file: /dev/null\n",
	 "t.yaml:14:21: ", "'enc_key_file' '/dev/null' is not a regular file"},
	{"relative key file without a config file",
	 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
						      "      enc_key_file: keys/k.hex\n",
	 "t.yaml:14:21: ", "'enc_key_file' 'keys/k.hex' is relative, but the config was not read"},
	/* manual SAs: NAT-T (RFC 3948), replay window, lifetimes */
	{"udp port without encap udp",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      udp_sport: 4500\n",
	 "t.yaml:15:18: ", "'udp_sport' needs 'encap: udp'"},
	{"udp port 0",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      encap: udp\n      udp_dport: 0\n",
	 "t.yaml:16:18: ", "'udp_dport' is out of range 1..65535"},
	{"encap esp", IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      encap: esp\n",
	 "t.yaml:15:14: ", "'encap' must be none or udp"},
	{"follow_peer outbound",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      encap: udp\n      follow_peer: true\n",
	 "t.yaml:16:20: ", "'follow_peer' applies to inbound SAs only"},
	{"follow_peer without udp",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "in") "      follow_peer: true\n",
	 "t.yaml:15:20: ", "'follow_peer' needs 'encap: udp'"},
	{"SA window not a power of two",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "in") "      replay_window: 100\n",
	 "t.yaml:15:22: ", "'replay_window' 100 is not a power of two"},
	{"SA window too small",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "in") "      replay_window: 32\n",
	 "t.yaml:15:22: ", "'replay_window' is out of range 64..4096"},
	{"SA window outbound",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      replay_window: 64\n",
	 "t.yaml:15:22: ", "'replay_window' applies to inbound SAs only"},
	{"soft bytes not below hard",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001",
			       "out") "      lifetime:\n"
				      "        soft_bytes: 100\n        hard_bytes: 100\n",
	 "t.yaml:16:21: ", "'soft_bytes' 100 must be below 'hard_bytes' 100"},
	{"soft seconds above hard",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001",
			       "out") "      lifetime:\n"
				      "        hard_seconds: 60\n        soft_seconds: 3600\n",
	 "t.yaml:17:23: ", "'soft_seconds' 3600 must be below 'hard_seconds' 60"},
	{"soft packets not below hard",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      lifetime: {soft_packets: 9, "
						     "hard_packets: 8}\n",
	 "t.yaml:15:32: ", "'soft_packets' 9 must be below 'hard_packets' 8"},
	{"unknown lifetime key",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      lifetime:\n        soft_time: 1\n",
	 "t.yaml:16:9: ", "unknown key 'soft_time' in ipsec.manual_sas[0].lifetime"},
	{"lifetime seconds above 32 bits",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      lifetime:\n"
						     "        hard_seconds: 4294967296\n",
	 "t.yaml:16:23: ", "'hard_seconds' is out of range 0..4294967295"},
	{"lifetime bytes above 64 bits",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      lifetime:\n"
						     "        hard_bytes: 18446744073709551616\n",
	 "t.yaml:16:21: ", "'hard_bytes' is out of range 0..18446744073709551615"},
	{"lifetime in hex",
	 IFACE_V4 IPSEC SA_GCM("a", "0x1001", "out") "      lifetime:\n"
						     "        hard_bytes: 0x100\n",
	 "t.yaml:16:21: ", "'hard_bytes' must be a decimal integer"},
	/* tunnels */
	{"tunnels a mapping", IFACE_V4 "tunnels: {}\n",
	 "t.yaml:6:10: ", "'tunnels' must be a sequence, not a mapping"},
	{"unknown tunnel key", TUNNELS(TUN_OK) "    key: 1\n",
	 "t.yaml:17:5: ", "unknown key 'key' in tunnels[0]"},
	{"tunnel without sa_in",
	 TUNNELS("  - name: vti1\n    type: vti\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
		 "    sa_out: o\n"),
	 "t.yaml:15:13: ", "'sa_out' and 'sa_in' go together"},
	{"tunnel type gre",
	 TUNNELS("  - name: vti1\n    type: gre\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
		 "    sa_out: o\n    sa_in: i\n"),
	 "t.yaml:12:11: ", "'type' must be vti"},
	{"tunnel named like an interface", TUNNELS(TUN("lan0", "10.0.0.1", "10.0.0.2", "o", "i")),
	 "t.yaml:11:11: ", "tunnel name lan0 is already an interface name"},
	{"duplicate tunnel name", TUNNELS(TUN_OK TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "i")),
	 "t.yaml:17:11: ", "tunnel name vti1 is used twice"},
	{"tunnel name with dash", TUNNELS(TUN("vti-1", "10.0.0.1", "10.0.0.2", "o", "i")),
	 "t.yaml:11:11: ", "'name' must be a letter"},
	{"tunnel local not a hub address", TUNNELS(TUN("vti1", "10.0.0.9", "10.0.0.2", "o", "i")),
	 "t.yaml:13:12: ", "'local' 10.0.0.9 is not an address of any interface"},
	{"tunnel local and remote families differ",
	 TUNNELS(TUN("vti1", "10.0.0.1", "fd00::2", "o", "i")),
	 "t.yaml:14:13: ", "'remote' fd00::2 is not of the address family of 'local'"},
	{"sa_out unknown", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "nope", "i")),
	 "t.yaml:15:13: ", "'sa_out' names unknown SA 'nope'"},
	{"sa_out inbound", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "i", "i")),
	 "t.yaml:15:13: ", "'sa_out' SA i has direction in, not out"},
	{"sa_in outbound", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "o")),
	 "t.yaml:16:12: ", "'sa_in' SA o has direction out, not in"},
	{"SA endpoints differ from the tunnel's",
	 TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.3", "o", "i")),
	 "t.yaml:15:13: ", "'sa_out' SA o runs between 10.0.0.1 and 10.0.0.2, not the tunnel's"},
	{"transport-mode SA on a VTI",
	 IFACE_V4 IPSEC SA_FLOW("o", "0x1001", "out", ", mode: transport")
		 SA_FLOW("i", "0x2001", "in", "") "tunnels:\n" TUN_OK,
	 "t.yaml:15:13: ", "'sa_out' SA o is in transport mode; a VTI needs tunnel mode"},
	{"SA bound to two tunnels", TUNNELS(TUN_OK TUN("vti2", "10.0.0.1", "10.0.0.2", "o", "i")),
	 "t.yaml:21:13: ", "SA o is already bound to tunnel vti1"},
	{"sa_in lists an SA twice", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "[i, i]")),
	 "t.yaml:16:16: ", "'sa_in' lists SA i twice"},
	{"five inbound SAs",
	 IFACE_V4 IPSEC SA_FLOW("o", "0x1001", "out", "") SA_FLOW("i1", "0x2001", "in", "")
		 SA_FLOW("i2", "0x2002", "in", "") SA_FLOW("i3", "0x2003", "in",
							   "") SA_FLOW("i4", "0x2004", "in", "")
			 SA_FLOW("i5", "0x2005", "in", "") "tunnels:\n" TUN(
				 "vti1", "10.0.0.1", "10.0.0.2", "o", "[i1, i2, i3, i4, i5]"),
	 "t.yaml:20:29: ", "'sa_in' lists more than 4 SAs"},
	{"sa_in empty", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "[]")),
	 "t.yaml:16:12: ", "'sa_in' needs at least one SA"},
	{"sa_in a mapping", TUNNELS(TUN("vti1", "10.0.0.1", "10.0.0.2", "o", "{a: b}")),
	 "t.yaml:16:12: ", "'sa_in' must be an SA name or a sequence of them, not a mapping"},
	{"tunnel subnet overlaps an interface's", TUNNELS(TUN_OK) "    ipv4: 10.0.0.5/30\n",
	 "t.yaml:17:11: ", "subnet 10.0.0.5/30 overlaps 10.0.0.1/24, the subnet of interface lan0"},
	{"tunnel subnets overlap",
	 IFACE_V4 IPSEC SA_FLOW("o", "0x1001", "out", "") SA_FLOW("i", "0x2001", "in", "")
		 SA_FLOW("o2", "0x1002", "out", "") SA_FLOW(
			 "i2", "0x2002", "in",
			 "") "tunnels:\n" TUN_OK
			     "    ipv4: 172.16.0.1/30\n" TUN("vti2", "10.0.0.1", "10.0.0.2", "o2",
							     "i2") "    ipv4: 172.16.0.2/29\n",
	 "t.yaml:26:11: ",
	 "subnet 172.16.0.2/29 overlaps 172.16.0.1/30, the subnet of tunnel vti1"},
	{"address twice on a tunnel", TUNNELS(TUN_OK) "    ipv4: [172.16.0.1/30, 172.16.0.1/29]\n",
	 "t.yaml:17:27: ", "address 172.16.0.1 is already on this tunnel"},
	{"tunnel network address", TUNNELS(TUN_OK) "    ipv4: 172.16.0.0/30\n",
	 "t.yaml:17:11: ", "network address of its subnet"},
	{"tunnel mtu 500", TUNNELS(TUN_OK) "    mtu: 500\n",
	 "t.yaml:17:10: ", "'mtu' must be 0 (derived) or 576..9000"},
	{"tunnel ipv6 with mtu 1000", TUNNELS(TUN_OK) "    ipv6: fd00:ff::1/64\n    mtu: 1000\n",
	 "t.yaml:18:10: ", "'mtu' 1000 is below 1280, the IPv6 minimum"},
	/* routes over tunnels */
	{"via outside the tunnel's subnet",
	 RT_TUN "  - prefix: 192.0.2.0/24\n    interface: vti1\n    via: 10.0.0.2\n",
	 "t.yaml:21:10: ", "'via' 10.0.0.2 is not inside a subnet of tunnel vti1"},
	{"via is the tunnel's address", RT_TUN "  - prefix: 192.0.2.0/24\n    via: 172.16.0.1\n",
	 "t.yaml:20:10: ", "'via' 172.16.0.1 is an address of tunnel vti1"},
	{"route equals a tunnel subnet", RT_TUN "  - prefix: 172.16.0.0/30\n    interface: vti1\n",
	 "t.yaml:19:13: ", "route 172.16.0.0/30 is the connected subnet of tunnel vti1"},
	/* ipsec.crypto_maps: maps */
	{"unknown ipsec key beside crypto_maps", CM_BASE "  crypto_maps_x: 1\n",
	 "t.yaml:14:3: ", "unknown key 'crypto_maps_x' in ipsec"},
	{"crypto_maps not a sequence", CM_IFS "ipsec:\n  crypto_maps: {}\n",
	 "t.yaml:10:16: ", "'crypto_maps' must be a sequence, not a mapping"},
	{"crypto_maps twice", CM_IFS "ipsec:\n  crypto_maps: []\n  crypto_maps: []\n",
	 "t.yaml:11:3: ", "duplicate key 'crypto_maps' in ipsec"},
	{"unknown crypto map key", CM_BASE CM_EMPTY("cm", "wan0") "      acl: 101\n",
	 "t.yaml:17:7: ", "unknown key 'acl' in ipsec.crypto_maps[0]"},
	{"crypto map without interface", CM_BASE "    - name: cm\n      entries: []\n",
	 "t.yaml:14:7: ", "missing required key 'interface' in ipsec.crypto_maps[0]"},
	{"crypto map without entries", CM_BASE "    - name: cm\n      interface: wan0\n",
	 "t.yaml:14:7: ", "missing required key 'entries' in ipsec.crypto_maps[0]"},
	{"crypto map name with dash", CM_BASE CM_EMPTY("c-m", "wan0"),
	 "t.yaml:14:13: ", "'name' must be a letter then up to 30 of [A-Za-z0-9_/]"},
	{"crypto map name twice", CM_BASE CM_EMPTY("cm", "wan0") CM_EMPTY("cm", "lan0"),
	 "t.yaml:17:13: ", "crypto map name cm is used twice"},
	{"crypto map on an unknown interface", CM_BASE CM_EMPTY("cm", "wan9"),
	 "t.yaml:15:18: ", "'interface' names unknown interface 'wan9'"},
	{"crypto map on a tunnel",
	 CM_IFS "ipsec:\n  manual_sas:\n" SA_FLOW("to", "0x3001", "out", "")
		 SA_FLOW("ti", "0x4001", "in", "") "  crypto_maps:\n" CM_EMPTY(
			 "cm", "vti1") "tunnels:\n" TUN("vti1", "10.0.0.1", "10.0.0.2", "to", "ti"),
	 "t.yaml:15:18: ", "'interface' vti1 is a tunnel; a crypto map binds to a physical"},
	{"two crypto maps on one interface", CM_BASE CM_EMPTY("a", "wan0") CM_EMPTY("b", "wan0"),
	 "t.yaml:18:18: ", "interface wan0 already has crypto map a"},
	{"entries a mapping", CM_BASE "    - name: cm\n      interface: wan0\n      entries: {}\n",
	 "t.yaml:16:16: ", "'entries' must be a sequence, not a mapping"},
	/* ipsec.crypto_maps: entries */
	{"unknown entry key", CM_MATCH(CM_NET) "          log: true\n",
	 "t.yaml:20:11: ", "unknown key 'log' in ipsec.crypto_maps[0].entries[0]"},
	{"entry without match",
	 CM_BASE CM_HEAD("cm", "wan0") "        - seq: 10\n          action: bypass\n",
	 "t.yaml:17:11: ", "missing required key 'match' in ipsec.crypto_maps[0].entries[0]"},
	{"seq 0", CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("0", "bypass", CM_NET),
	 "t.yaml:17:16: ", "'seq' is out of range 1..65535"},
	{"seq 65536", CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("65536", "bypass", CM_NET),
	 "t.yaml:17:16: ", "'seq' is out of range 1..65535"},
	{"seq twice",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "bypass", CM_NET)
		 CM_ENTRY("10", "discard", CM_NET),
	 "t.yaml:20:16: ", "seq 10 is used twice in crypto map cm (first at line 17)"},
	{"action permit", CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "permit", CM_NET),
	 "t.yaml:18:19: ", "'action' must be protect, bypass or discard"},
	/* ipsec.crypto_maps: match */
	{"unknown match key", CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, dport: 80}"),
	 "t.yaml:19:55: ", "unknown key 'dport' in ipsec.crypto_maps[0].entries[0].match"},
	{"match without dst", CM_MATCH("{src: 10.0.0.0/24}"),
	 "t.yaml:19:18: ", "missing required key 'dst' in ipsec.crypto_maps[0].entries[0].match"},
	{"src without length", CM_MATCH("{src: 10.0.0.0, dst: 10.9.0.0/24}"),
	 "t.yaml:19:24: ", "'src' '10.0.0.0' is not a prefix (address/length)"},
	{"src host bits", CM_MATCH("{src: 10.0.0.1/24, dst: 10.9.0.0/24}"),
	 "t.yaml:19:24: ", "host bits are set in 10.0.0.1/24; the prefix is 10.0.0.0/24"},
	{"dst host bits v6", CM_MATCH("{src: fd00::/64, dst: fd00:9::1/64}"),
	 "t.yaml:19:40: ", "host bits are set in fd00:9::1/64; the prefix is fd00:9::/64"},
	{"src and dst families differ", CM_MATCH("{src: 10.0.0.0/24, dst: \"fd00::/64\"}"),
	 "t.yaml:19:42: ", "'dst' fd00::/64 is not of the address family of 'src'"},
	{"unknown proto", CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: ospf}"),
	 "t.yaml:19:62: ", "'proto' must be any, tcp, udp, sctp, icmp, icmpv6, gre or a protocol"},
	{"proto 256", CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: 256}"),
	 "t.yaml:19:62: ", "'proto' is out of range 0..255"},
	{"ports without tcp, udp or sctp",
	 CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: gre, dst_port: 80}"),
	 "t.yaml:19:77: ", "'dst_port' needs 'proto' tcp, udp or sctp"},
	{"ports with proto any", CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, src_port: 80}"),
	 "t.yaml:19:65: ", "'src_port' needs 'proto' tcp, udp or sctp"},
	{"port range backwards",
	 CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: tcp, dst_port: 2000-1000}"),
	 "t.yaml:19:77: ", "'dst_port' range 2000-1000 runs backwards"},
	{"port above 65535",
	 CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: udp, src_port: 70000}"),
	 "t.yaml:19:77: ", "'src_port' '70000' must be a port 0..65535 or a range N-M"},
	{"port range open",
	 CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: udp, src_port: 1024-}"),
	 "t.yaml:19:77: ", "'src_port' '1024-' must be a port 0..65535 or a range N-M"},
	{"icmp in an IPv6 entry", CM_MATCH("{src: fd00::/64, dst: fd00:9::/64, proto: icmp}"),
	 "t.yaml:19:60: ", "'proto' icmp is IPv4's; IPv6 selectors take icmpv6"},
	{"icmpv6 in an IPv4 entry", CM_MATCH("{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: icmpv6}"),
	 "t.yaml:19:62: ", "'proto' icmpv6 is IPv6's; IPv4 selectors take icmp"},
	/* ipsec.crypto_maps: actions and SAs */
	{"protect without sa_in",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) "          sa_out: o\n",
	 "t.yaml:17:11: ",
	 "missing required key 'sa_in' for action protect in ipsec.crypto_maps[0].entries[0]"},
	{"bypass with an SA",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "bypass", CM_NET) "          sa_out: o\n",
	 "t.yaml:20:19: ", "'sa_out' applies to protect entries only"},
	{"discard with sa_in",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "discard", CM_NET) "          sa_in: i\n",
	 "t.yaml:20:18: ", "'sa_in' applies to protect entries only"},
	{"sa_out unknown",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("nope", "i"),
	 "t.yaml:20:19: ", "'sa_out' names unknown SA 'nope'"},
	{"sa_out inbound",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("i", "i"),
	 "t.yaml:20:19: ", "'sa_out' SA i has direction in, not out"},
	{"sa_in outbound",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "o"),
	 "t.yaml:21:18: ", "'sa_in' SA o has direction out, not in"},
	{"transport-mode SA for subnets (RFC 4303 3.1.1: its endpoints' traffic only)",
	 CM_IFS "ipsec:\n  manual_sas:\n" CM_SA("o", "0x1001", "out", ", mode: transport") CM_SA(
		 "i", "0x2001", "in", ", mode: transport") "  crypto_maps:\n" CM_HEAD("cm", "wan0")
		 CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "i"),
	 "t.yaml:20:19: ",
	 "'sa_out' SA o is in transport mode, which carries only traffic between its endpoints: "
	 "'match' must be src 192.0.2.1/32, dst 192.0.2.2/32"},
	{"transport-mode sa_out with a tunnel-mode sa_in",
	 CM_IFS "ipsec:\n  manual_sas:\n" CM_SA("o", "0x1001", "out", ", mode: transport")
		 CM_SA("i", "0x2001", "in", "") "  crypto_maps:\n" CM_HEAD("cm", "wan0")
			 CM_ENTRY("10", "protect", "{src: 192.0.2.1/32, dst: 192.0.2.2/32}")
				 CM_SAS("o", "i"),
	 "t.yaml:21:18: ", "'sa_in' SA i is in tunnel mode, sa_out o in transport mode"},
	{"SA local not on the map's interface",
	 CM_BASE CM_HEAD("cm", "lan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "i"),
	 "t.yaml:20:19: ", "'sa_out' SA o has local 192.0.2.1, not an address of interface lan0"},
	{"SA of a tunnel in a crypto map",
	 CM_IFS "ipsec:\n  manual_sas:\n" SA_FLOW("to", "0x3001", "out", "")
		 SA_FLOW("ti", "0x4001", "in", "") "  crypto_maps:\n" CM_HEAD("cm", "lan0")
			 CM_ENTRY("10", "protect", CM_NET) CM_SAS("to", "ti") "tunnels:\n" TUN(
				 "vti1", "10.0.0.1", "10.0.0.2", "to", "ti"),
	 "t.yaml:20:19: ", "SA to is already bound to tunnel vti1"},
	{"SA in two entries",
	 CM_OK CM_ENTRY("20", "protect", "{src: 10.0.1.0/24, dst: 10.9.0.0/24}") CM_SAS("o", "i"),
	 "t.yaml:25:19: ", "SA o is already used by crypto map cm entry seq 10"},
	{"sa_in lists an SA twice",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "[i, i]"),
	 "t.yaml:21:22: ", "'sa_in' lists SA i twice"},
	{"sa_in from another peer",
	 CM_IFS "ipsec:\n  manual_sas:\n" CM_SA(
		 "o", "0x1001", "out",
		 "") "    - {name: i, spi: 0x2001, direction: in, local: 192.0.2.1, remote: "
		     "192.0.2.3, "
		     "enc: aes-gcm-128, enc_key: " KEY20 "}\n  crypto_maps:\n" CM_HEAD("cm", "wan0")
			     CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "i"),
	 "t.yaml:21:18: ",
	 "'sa_in' SA i runs between 192.0.2.1 and 192.0.2.3, not the endpoints of sa_out o"},
	{"five inbound SAs in an entry",
	 CM_IFS "ipsec:\n  manual_sas:\n" CM_SA("o", "0x1001", "out", "") CM_SA(
		 "i1", "0x2001", "in", "") CM_SA("i2", "0x2002", "in", "")
		 CM_SA("i3", "0x2003", "in", "") CM_SA("i4", "0x2004", "in", "") CM_SA(
			 "i5", "0x2005", "in", "") "  crypto_maps:\n" CM_HEAD("cm", "wan0")
			 CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "[i1, i2, i3, i4, i5]"),
	 "t.yaml:25:35: ", "'sa_in' lists more than 4 SAs"},
	{"sa_in empty",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "[]"),
	 "t.yaml:21:18: ", "'sa_in' needs at least one SA"},
	{"sa_in a mapping",
	 CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY("10", "protect", CM_NET) CM_SAS("o", "{a: b}"),
	 "t.yaml:21:18: ", "'sa_in' must be an SA name or a sequence of them, not a mapping"},
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
	CU_ASSERT_EQUAL(rt->tunnel, -1);
}

/* A route over tunnel t: no interface, via "" when the route is point-to-point. */
static void check_tun_route(const struct cfg_route *rt, const char *prefix, const char *via, int t)
{
	char buf[INET6_ADDRSTRLEN];

	CU_ASSERT_STRING_EQUAL(prefix_str(&rt->prefix), prefix);
	CU_ASSERT_STRING_EQUAL(cfg_addr_str(&rt->via, buf, sizeof(buf)), via);
	CU_ASSERT_EQUAL(rt->iface, -1);
	CU_ASSERT_EQUAL(rt->tunnel, t);
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
	/* No ipsec section: the defaults. */
	CU_ASSERT_FALSE(cfg->ipsec_legacy);
	CU_ASSERT_FALSE(cfg->legacy_used);
	CU_ASSERT_EQUAL(cfg->replay_window, 1024);
	CU_ASSERT_EQUAL(cfg->sa_max, CFG_SA_TABLE_DEFAULT);
	CU_ASSERT_EQUAL(cfg->n_sas, 0);
	CU_ASSERT_PTR_NULL(cfg->sas);
	CU_ASSERT_EQUAL(cfg->n_tunnels, 0);
	CU_ASSERT_PTR_NULL(cfg->tunnels);
	CU_ASSERT_EQUAL(cfg_tunnel_find(cfg, "lan0"), -ENOENT);
	cfg_free(cfg);
}

static bool is_yaml(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

#define CERT_EXAMPLE "ike-cert-site-to-site.yaml"
static int load_with_pki(struct config **cfg, char *path, size_t size, char *err, size_t errlen);

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
		/* the certificate example reads PEM files: loaded beside a test PKI */
		int rc = strcmp(de->d_name, CERT_EXAMPLE) == 0
				 ? load_with_pki(&cfg, path, sizeof(path), err, sizeof(err))
				 : cfg_load_file(path, &cfg, err, sizeof(err));

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
	CU_ASSERT_EQUAL(cfg->routes[0].tunnel, -1);
	CU_ASSERT_EQUAL(cfg->routes[1].tunnel, -1);
	CU_ASSERT_STRING_EQUAL(cfg->file, "x.yaml");
	cfg_free(cfg);
}

/* ---- ipsec and tunnels ---- */

/* "0x" and n bytes first, first + 1, ... as hex; the loaded key must hold exactly these. */
static void put_key(struct text *t, unsigned int n, unsigned int first)
{
	put(t, "0x");
	for (unsigned int i = 0; i < n; i++)
		put(t, "%02x", (first + i) & 0xff);
}

static bool key_is(const uint8_t *key, unsigned int len, unsigned int n, unsigned int first)
{
	if (len != n)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		if (key[i] != ((first + i) & 0xff))
			return false;
	}
	return true;
}

/* Every key of an SA, hex SPIs, defaults from the section, legacy algorithms, routes over vti0. */
static void gen_ipsec(struct text *t)
{
	text_init(t);
	put(t, "interfaces:\n"
	       "  - {name: lan0, port: net_tap0, ipv4: 10.0.0.1/24}\n"
	       "  - {name: wan0, port: net_tap1, ipv4: 203.0.113.1/24, ipv6: 2001:db8::1/64}\n"
	       "ipsec:\n"
	       "  legacy: true\n"
	       "  replay_window: 256\n"
	       "  manual_sas:\n"
	       "    - name: out1\n" /* line 8 */
	       "      spi: 0xDEADbeef\n"
	       "      direction: out\n"
	       "      local: 203.0.113.1\n"
	       "      remote: 203.0.113.2\n"
	       "      encap: udp\n"
	       "      udp_sport: 4501\n"
	       "      enc: aes-cbc-256\n"
	       "      enc_key: ");
	put_key(t, 32, 0x00);
	put(t, "\n      auth: hmac-sha512-256\n      auth_key: ");
	put_key(t, 64, 0x40);
	put(t, "\n      esn: true\n"
	       "      lifetime:\n"
	       "        soft_bytes: 1000\n"
	       "        hard_bytes: 18446744073709551615\n"
	       "        soft_packets: 10\n"
	       "        hard_packets: 20\n"
	       "        soft_seconds: 3000\n"
	       "        hard_seconds: 4294967295\n"
	       "    - name: in1\n" /* line 27 */
	       "      spi: 4096\n"
	       "      direction: in\n"
	       "      mode: tunnel\n"
	       "      local: 203.0.113.1\n"
	       "      remote: 203.0.113.2\n"
	       "      encap: udp\n"
	       "      follow_peer: true\n"
	       "      enc: chacha20-poly1305\n"
	       "      auth: none\n"
	       "      esn: false\n"
	       "      enc_key: ");
	put_key(t, 36, 0x80);
	/* The outbound SPI again, inbound: only (SPI, local) of inbound SAs must be unique. */
	put(t,
	    "\n    - {name: in2, spi: 0xdeadbeef, direction: in, local: 203.0.113.1,\n"
	    "       remote: 203.0.113.2, enc: 3des-cbc, auth: hmac-md5-96, replay_window: 4096,\n"
	    "       enc_key: ");
	put_key(t, 24, 0xa0);
	put(t, ", auth_key: ");
	put_key(t, 16, 0xc0);
	put(t, "}\n    - {name: o_b, spi: 0x100, direction: out, local: 203.0.113.1, remote: "
	       "203.0.113.9,\n"
	       "       enc: aes-gcm-256, enc_key: ");
	put_key(t, 36, 0x10);
	put(t, "}\n    - {name: i_b, spi: 0x100, direction: in, local: 203.0.113.1, remote: "
	       "203.0.113.9,\n"
	       "       enc: aes-gcm-128, enc_key: ");
	put_key(t, 20, 0x20);
	put(t, "}\n    - {name: v6_out, spi: 257, direction: out, mode: transport, local: "
	       "2001:db8::1,\n"
	       "       remote: 2001:db8::2, enc: null, auth: hmac-sha1-96, auth_key: ");
	put_key(t, 20, 0xe0);
	put(t, "}\n"
	       "tunnels:\n"
	       "  - name: vti0\n" /* line 49 */
	       "    type: vti\n"
	       "    local: 203.0.113.1\n"
	       "    remote: 203.0.113.2\n"
	       "    sa_out: out1\n"
	       "    sa_in: [in1, in2]\n"
	       "    ipv4: 172.16.0.1/30\n"
	       "    ipv6: fd00:ff::1/64\n"
	       "    mtu: 1400\n"
	       "  - {name: vti_b, type: vti, local: 203.0.113.1, remote: 203.0.113.9,\n"
	       "     sa_out: o_b, sa_in: i_b}\n"
	       "routes:\n"
	       "  - {prefix: 192.0.2.0/24, interface: vti0}\n"
	       "  - {prefix: 198.51.100.0/24, via: 172.16.0.2}\n"
	       "  - {prefix: 'fd00:99::/64', interface: vti0, via: 'fd00:ff::2'}\n"
	       "  - {prefix: 0.0.0.0/0, via: 203.0.113.254}\n"
	       "  - {prefix: 192.0.3.0/24, interface: vti_b}\n");
}

static void check_addr(const struct cfg_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	CU_ASSERT_STRING_EQUAL(cfg_addr_str(a, buf, sizeof(buf)), want);
}

static void check_out1(const struct cfg_sa *sa)
{
	CU_ASSERT_STRING_EQUAL(sa->name, "out1");
	CU_ASSERT_EQUAL(sa->spi, 0xdeadbeef);
	CU_ASSERT_EQUAL(sa->dir, CFG_SA_OUT);
	CU_ASSERT_EQUAL(sa->mode, CFG_SA_TUNNEL);
	check_addr(&sa->local, "203.0.113.1");
	check_addr(&sa->remote, "203.0.113.2");
	CU_ASSERT_TRUE(sa->udp_encap);
	CU_ASSERT_EQUAL(sa->udp_sport, 4501);
	CU_ASSERT_EQUAL(sa->udp_dport, 4500); /* RFC 3948 default */
	CU_ASSERT_FALSE(sa->follow_peer);
	CU_ASSERT_EQUAL(sa->enc, CFG_ENC_AES_CBC_256);
	CU_ASSERT_TRUE(key_is(sa->enc_key, sa->enc_key_len, 32, 0x00));
	CU_ASSERT_EQUAL(sa->auth, CFG_AUTH_HMAC_SHA512_256);
	CU_ASSERT_TRUE(key_is(sa->auth_key, sa->auth_key_len, 64, 0x40));
	CU_ASSERT_TRUE(sa->esn);
	CU_ASSERT_EQUAL(sa->replay_window, 0); /* outbound: no window */
	CU_ASSERT_EQUAL(sa->life.soft_bytes, 1000);
	CU_ASSERT_EQUAL(sa->life.hard_bytes, UINT64_MAX);
	CU_ASSERT_EQUAL(sa->life.soft_packets, 10);
	CU_ASSERT_EQUAL(sa->life.hard_packets, 20);
	CU_ASSERT_EQUAL(sa->life.soft_seconds, 3000);
	CU_ASSERT_EQUAL(sa->life.hard_seconds, UINT32_MAX);
	CU_ASSERT_EQUAL(sa->line, 8);
}

static void check_inbound(const struct config *cfg)
{
	const struct cfg_sa *in1 = &cfg->sas[1], *in2 = &cfg->sas[2], *v6 = &cfg->sas[5];

	CU_ASSERT_STRING_EQUAL(in1->name, "in1");
	CU_ASSERT_EQUAL(in1->spi, 4096);
	CU_ASSERT_EQUAL(in1->dir, CFG_SA_IN);
	CU_ASSERT_TRUE(in1->udp_encap && in1->follow_peer);
	CU_ASSERT_EQUAL(in1->udp_sport, 4500);
	CU_ASSERT_EQUAL(in1->udp_dport, 4500);
	CU_ASSERT_EQUAL(in1->enc, CFG_ENC_CHACHA20_POLY1305);
	CU_ASSERT_TRUE(key_is(in1->enc_key, in1->enc_key_len, 36, 0x80)); /* RFC 7634 2 */
	CU_ASSERT_EQUAL(in1->auth, CFG_AUTH_NONE);
	CU_ASSERT_EQUAL(in1->auth_key_len, 0);
	CU_ASSERT_FALSE(in1->esn);
	CU_ASSERT_EQUAL(in1->replay_window, 256); /* ipsec.replay_window */
	CU_ASSERT_EQUAL(in1->life.hard_bytes, 0);
	CU_ASSERT_EQUAL(in1->line, 27);
	CU_ASSERT_EQUAL(in2->spi, 0xdeadbeef);
	CU_ASSERT_EQUAL(in2->enc, CFG_ENC_3DES_CBC);
	CU_ASSERT_TRUE(key_is(in2->enc_key, in2->enc_key_len, 24, 0xa0));
	CU_ASSERT_EQUAL(in2->auth, CFG_AUTH_HMAC_MD5_96);
	CU_ASSERT_TRUE(key_is(in2->auth_key, in2->auth_key_len, 16, 0xc0));
	CU_ASSERT_EQUAL(in2->replay_window, 4096);
	CU_ASSERT_FALSE(in2->udp_encap);
	CU_ASSERT_EQUAL(in2->udp_sport, 0);
	CU_ASSERT_TRUE(key_is(cfg->sas[3].enc_key, cfg->sas[3].enc_key_len, 36, 0x10));
	CU_ASSERT_TRUE(key_is(cfg->sas[4].enc_key, cfg->sas[4].enc_key_len, 20, 0x20));
	CU_ASSERT_STRING_EQUAL(v6->name, "v6_out");
	CU_ASSERT_EQUAL(v6->spi, 257);
	CU_ASSERT_EQUAL(v6->mode, CFG_SA_TRANSPORT);
	check_addr(&v6->remote, "2001:db8::2");
	CU_ASSERT_EQUAL(v6->enc, CFG_ENC_NULL);
	CU_ASSERT_EQUAL(v6->enc_key_len, 0);
	CU_ASSERT_TRUE(key_is(v6->auth_key, v6->auth_key_len, 20, 0xe0));
}

static void check_vti0(const struct cfg_tunnel *t)
{
	CU_ASSERT_STRING_EQUAL(t->name, "vti0");
	CU_ASSERT_EQUAL(t->type, CFG_TUN_VTI);
	check_addr(&t->local, "203.0.113.1");
	check_addr(&t->remote, "203.0.113.2");
	CU_ASSERT_EQUAL(t->sa_out, 0);
	CU_ASSERT_EQUAL_FATAL(t->n_sa_in, 2);
	CU_ASSERT_EQUAL(t->sa_in[0], 1);
	CU_ASSERT_EQUAL(t->sa_in[1], 2);
	CU_ASSERT_EQUAL(t->sa_in[2], -1);
	CU_ASSERT_EQUAL_FATAL(t->n_v4, 1);
	CU_ASSERT_STRING_EQUAL(prefix_str(&t->v4[0]), "172.16.0.1/30");
	CU_ASSERT_EQUAL_FATAL(t->n_v6, 1);
	CU_ASSERT_STRING_EQUAL(prefix_str(&t->v6[0]), "fd00:ff::1/64");
	CU_ASSERT_EQUAL(t->mtu, 1400);
	CU_ASSERT_EQUAL(t->line, 49);
}

static void test_ipsec_good(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	struct text t;
	int rc;

	gen_ipsec(&t);
	rc = load_text(&t, &cfg, err);
	free(t.s);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  ipsec: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(cfg->ipsec_legacy);
	CU_ASSERT_TRUE(cfg->legacy_used); /* in2: 3DES and HMAC-MD5 */
	CU_ASSERT_EQUAL(cfg->replay_window, 256);
	CU_ASSERT_EQUAL_FATAL(cfg->n_sas, 6);
	check_out1(&cfg->sas[0]);
	check_inbound(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_tunnels, 2);
	check_vti0(&cfg->tunnels[0]);
	CU_ASSERT_EQUAL(cfg->tunnels[1].n_sa_in, 1);
	CU_ASSERT_EQUAL(cfg->tunnels[1].sa_in[0], 4);
	CU_ASSERT_EQUAL(cfg->tunnels[1].sa_out, 3);
	CU_ASSERT_EQUAL(cfg->tunnels[1].mtu, 0);
	CU_ASSERT_EQUAL(cfg->tunnels[1].n_v4 + cfg->tunnels[1].n_v6, 0);
	CU_ASSERT_EQUAL(cfg_tunnel_find(cfg, "vti_b"), 1);
	CU_ASSERT_EQUAL(cfg_tunnel_find(cfg, "wan0"), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 5);
	check_tun_route(&cfg->routes[0], "192.0.2.0/24", "", 0);
	check_tun_route(&cfg->routes[1], "198.51.100.0/24", "172.16.0.2", 0); /* from via */
	check_tun_route(&cfg->routes[2], "fd00:99::/64", "fd00:ff::2", 0);
	check_route(&cfg->routes[3], "0.0.0.0/0", "203.0.113.254", 1);
	check_tun_route(&cfg->routes[4], "192.0.3.0/24", "", 1);
	cfg_free(cfg);
}

/* Without ipsec.legacy nothing is "used"; with it but no legacy algorithm, neither. */
static void test_ipsec_legacy_flag(void)
{
	static const char yaml[] =
		IFACE_V4 "ipsec:\n  legacy: true\n  manual_sas:\n"
			 "    - {name: a, spi: 0x1001, direction: out, local: 10.0.0.1,\n"
			 "       remote: 10.0.0.2, enc: aes-gcm-128, enc_key: " KEY20 "}\n";
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(cfg->ipsec_legacy);
	CU_ASSERT_FALSE(cfg->legacy_used);
	CU_ASSERT_EQUAL(cfg->n_sas, 1);
	CU_ASSERT_EQUAL(cfg->sas[0].mode, CFG_SA_TUNNEL); /* the default */
	CU_ASSERT_FALSE(cfg->sas[0].udp_encap);
	CU_ASSERT_EQUAL(cfg->sas[0].udp_sport, 0);
	cfg_free(cfg);
}

/* Key bytes never reach a message, whatever is wrong with them or around them. */
static void test_key_not_echoed(void)
{
	static const char *const keys[] = {
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff\n      auth: hmac-sha1-96",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0f",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffee",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0fg",
		"enc_key: \"0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff\\0\"",
		"enc_key: [0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff]",
		"enc_key: {0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff: 1}",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff\n      enc_key: 0xc0ffee",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff\n      enc_key_file: "
		"/dev/null",
		"enc_key: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff\n      auth_key: 0xc0ffee",
		"enc_kye: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff",
		"auth: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff",
	};
	char yaml[1024], err[CFG_ERR_MAX];
	struct config *cfg;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-gcm-128\n"
								      "      %s\n",
			 keys[i]);
		err[0] = '\0';
		CU_ASSERT(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)) <
			  0);
		CU_ASSERT(err[0] != '\0');
		CU_ASSERT_PTR_NULL(strcasestr(err, "c0ffee"));
		if (strcasestr(err, "c0ffee") != NULL)
			fprintf(stderr, "\n  key %zu echoed: %s\n", i, err);
	}
}

/* A scratch directory under /tmp with a config and its key files. */
struct keydir {
	char dir[64];
	char path[160];
};

static void write_file(const struct keydir *kd, const char *name, const char *text, size_t len)
{
	char path[192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", kd->dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void write_str(const struct keydir *kd, const char *name, const char *text)
{
	write_file(kd, name, text, strlen(text));
}

/* hub.yaml: one CBC SA whose keys are read from enc_file and auth_file. */
static void write_hub(struct keydir *kd, const char *enc_file, const char *auth_file)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 IFACE_V4 IPSEC SA_HEAD("a", "0x1001", "out") "      enc: aes-cbc-128\n"
							      "      enc_key_file: %s\n"
							      "      auth: hmac-sha256-128\n"
							      "      auth_key_file: %s\n",
		 enc_file, auth_file);
	write_str(kd, "hub.yaml", yaml);
	snprintf(kd->path, sizeof(kd->path), "%s/hub.yaml", kd->dir);
}

/* Loading kd's hub.yaml fails at line:col with msg. */
static void expect_file_error(const struct keydir *kd, unsigned int line, unsigned int col,
			      const char *msg)
{
	struct config *cfg = &sentinel;
	char err[CFG_ERR_MAX] = "", pos[200];

	snprintf(pos, sizeof(pos), "%s:%u:%u: ", kd->path, line, col);
	CU_ASSERT(cfg_load_file(kd->path, &cfg, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_NSTRING_EQUAL(err, pos, strlen(pos));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	if (strncmp(err, pos, strlen(pos)) != 0 || strstr(err, msg) == NULL)
		fprintf(stderr, "\n  got \"%s\", want \"%s...%s\"\n", err, pos, msg);
}

static void test_key_files(void)
{
	struct keydir kd = {.dir = "/tmp/vpnhub-keys-XXXXXX"};
	char err[CFG_ERR_MAX] = "", abs_auth[128], sub[96], big[1100];
	struct config *cfg = NULL;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(kd.dir));
	snprintf(sub, sizeof(sub), "%s/keys", kd.dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	/* Relative to the config's directory; blanks around the text and CRLF are trimmed. */
	write_str(&kd, "keys/enc.hex", "  0x000102030405060708090a0b0c0d0e0f\n\n");
	write_str(&kd, "auth.hex",
		  "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F\r\n");
	snprintf(abs_auth, sizeof(abs_auth), "%s/auth.hex", kd.dir);
	write_hub(&kd, "keys/enc.hex", abs_auth);
	rc = cfg_load_file(kd.path, &cfg, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  key files: %s\n", err);
	if (cfg != NULL) {
		CU_ASSERT_TRUE(key_is(cfg->sas[0].enc_key, cfg->sas[0].enc_key_len, 16, 0x00));
		CU_ASSERT_TRUE(key_is(cfg->sas[0].auth_key, cfg->sas[0].auth_key_len, 32, 0x40));
		cfg_free(cfg);
	}
	/* enc_key_file is on line 14 at col 21, auth_key_file on line 16 at col 22. */
	write_str(&kd, "keys/enc.hex", " \n\t\n");
	expect_file_error(&kd, 14, 21, "'enc_key_file' 'keys/enc.hex' is empty");
	memset(big, '0', sizeof(big));
	write_file(&kd, "keys/enc.hex", big, sizeof(big));
	expect_file_error(&kd, 14, 21, "'enc_key_file' 'keys/enc.hex' is longer than 1024 bytes");
	write_str(&kd, "keys/enc.hex", "000102030405060708090a0b0c0d0e0\n");
	expect_file_error(&kd, 14, 21, "'enc_key_file' 'keys/enc.hex' has an odd number");
	write_str(&kd, "keys/enc.hex", "000102030405060708090a0b0c0d0e0f10111213\n");
	expect_file_error(&kd, 14, 21, "must be 16 bytes (32 hex digits) for aes-cbc-128, not 20");
	write_str(&kd, "keys/enc.hex", "\n 0x0001 02030405060708090a0b0c0d0e0f\n");
	expect_file_error(&kd, 14, 21, "is not hex: character 9 is not a hex digit");
	write_str(&kd, "keys/enc.hex", "000102030405060708090a0b0c0d0e0f");
	write_hub(&kd, "keys/enc.hex", "auth-missing.hex");
	expect_file_error(&kd, 16, 22, "'auth_key_file' 'auth-missing.hex' cannot be read");
	write_hub(&kd, "keys", abs_auth);
	expect_file_error(&kd, 14, 21, "'enc_key_file' 'keys' is not a regular file");
	unlink(abs_auth);
	snprintf(big, sizeof(big), "%s/keys/enc.hex", kd.dir);
	unlink(big);
	unlink(kd.path);
	CU_ASSERT_EQUAL(rmdir(sub), 0);
	CU_ASSERT_EQUAL(rmdir(kd.dir), 0);
}

static void gen_sas(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, IFACE_V4 IPSEC);
	for (unsigned int i = 0; i < n; i++)
		put(t,
		    "    - {name: s%u, spi: %u, direction: in, local: 10.0.0.1, remote: 10.0.0.2, "
		    "enc: aes-gcm-128, enc_key: " KEY20 "}\n",
		    i, 256 + i);
}

static void test_many_sas(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	struct text t;

	gen_sas(&t, CFG_SAS_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_sas, CFG_SAS_MAX);
	CU_ASSERT_EQUAL(cfg->sas[4095].spi, 256 + 4095);
	CU_ASSERT_EQUAL(cfg->sas[4095].line, 8 + 4095);
	cfg_free(cfg);
	free(t.s);
	/* SA i is on line 8 + i; the 4097th is refused where it starts. */
	gen_sas(&t, CFG_SAS_MAX + 1);
	expect_error("4097 SAs", t.s, t.len, "t.yaml:4104:7: ", "more than 4096 manual SAs");
	free(t.s);
	/* ipsec.sa_max: the data plane's table must hold the manual SAs (after them, line 24) */
	gen_sas(&t, 16);
	put(&t, "  sa_max: 16\n");
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->sa_max, 16);
	cfg_free(cfg);
	free(t.s);
	gen_sas(&t, 16);
	put(&t, "  sa_max: 15\n");
	expect_error("sa_max below the SAs", t.s, t.len,
		     "t.yaml:24:11: ", "'sa_max' 15 is below the 16 manual SAs");
	free(t.s);
}

/* n tunnels, each with its own pair of SAs; SAs on lines 8..8+2n-1, tunnel i on 9 + 2n + i. */
static void gen_tunnels(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, IFACE_V4 IPSEC);
	for (unsigned int i = 0; i < 2 * n; i++)
		put(t,
		    "    - {name: s%u, spi: %u, direction: %s, local: 10.0.0.1, remote: 10.0.0.2, "
		    "enc: aes-gcm-128, enc_key: " KEY20 "}\n",
		    i, 256 + i, i % 2 == 0 ? "out" : "in");
	put(t, "tunnels:\n");
	for (unsigned int i = 0; i < n; i++)
		put(t,
		    "  - {name: t%u, type: vti, local: 10.0.0.1, remote: 10.0.0.2, sa_out: s%u, "
		    "sa_in: s%u}\n",
		    i, 2 * i, 2 * i + 1);
}

static void test_many_tunnels(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	struct text t;

	gen_tunnels(&t, CFG_TUNNELS_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_tunnels, CFG_TUNNELS_MAX);
	CU_ASSERT_EQUAL(cfg->tunnels[1023].sa_out, 2046);
	CU_ASSERT_EQUAL(cfg->tunnels[1023].sa_in[0], 2047);
	CU_ASSERT_EQUAL(cfg_tunnel_find(cfg, "t1023"), 1023);
	cfg_free(cfg);
	free(t.s);
	gen_tunnels(&t, CFG_TUNNELS_MAX + 1);
	expect_error("1025 tunnels", t.s, t.len, "t.yaml:3083:5: ", "more than 1024 tunnels");
	free(t.s);
}

/* The two IPsec examples, beyond loading. */
static void test_ipsec_examples(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;

	CU_ASSERT_EQUAL(cfg_load_file(EXAMPLES_DIR "/manual-sa-vti.yaml", &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_sas, 2);
	CU_ASSERT_EQUAL(cfg->sas[0].enc, CFG_ENC_AES_GCM_128);
	CU_ASSERT_EQUAL(cfg->sas[1].replay_window, 1024);
	CU_ASSERT_FALSE(cfg->legacy_used);
	CU_ASSERT_EQUAL_FATAL(cfg->n_tunnels, 1);
	CU_ASSERT_EQUAL(cfg->tunnels[0].sa_out, 0);
	CU_ASSERT_EQUAL(cfg->tunnels[0].sa_in[0], 1);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 1);
	check_tun_route(&cfg->routes[0], "10.20.0.0/16", "", 0);
	cfg_free(cfg);
	CU_ASSERT_EQUAL(
		cfg_load_file(EXAMPLES_DIR "/manual-sa-natt-cbc.yaml", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_sas, 2);
	CU_ASSERT_EQUAL(cfg->sas[0].enc, CFG_ENC_AES_CBC_256);
	CU_ASSERT_EQUAL(cfg->sas[0].auth, CFG_AUTH_HMAC_SHA256_128);
	CU_ASSERT_TRUE(cfg->sas[0].udp_encap && cfg->sas[0].esn);
	CU_ASSERT_TRUE(cfg->sas[1].follow_peer);
	CU_ASSERT_EQUAL(cfg->sas[1].udp_dport, 4500);
	CU_ASSERT_EQUAL(cfg->sas[1].replay_window, 4096);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 2);
	check_route(&cfg->routes[0], "0.0.0.0/0", "203.0.113.254", 1);
	check_tun_route(&cfg->routes[1], "10.30.0.0/16", "", 0);
	cfg_free(cfg);
}

/* Crypto maps: entries sorted by seq, defaults, protocols, ports, families, SA indexes. */
static void test_cmap_good(void)
{
	static const char yaml[] = CM_BASE CM_HEAD("cm", "wan0") CM_ENTRY(
		"30", "discard", "{src: fd00::/64, dst: \"fd00:9::/48\", proto: icmpv6}")
		CM_ENTRY("10", "protect",
			 "{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: udp, src_port: 500, "
			 "dst_port: 1000-2000}") CM_SAS("o", "[i]")
			CM_ENTRY("20", "bypass", "{src: 0.0.0.0/0, dst: 10.8.0.0/16, proto: 47}")
				CM_EMPTY("empty", "lan0");
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	const struct cfg_cmap_entry *e;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  crypto maps: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_cmaps, 2);
	CU_ASSERT_STRING_EQUAL(cfg->cmaps[0].name, "cm");
	CU_ASSERT_EQUAL(cfg->cmaps[0].iface, 1);
	CU_ASSERT_EQUAL(cfg->cmaps[0].line, 14);
	CU_ASSERT_EQUAL_FATAL(cfg->cmaps[0].n_entries, 3);
	e = &cfg->cmaps[0].entries[0];
	CU_ASSERT_TRUE(e->seq == 10 && e->action == CFG_CMAP_PROTECT && e->line == 20);
	CU_ASSERT_TRUE(!e->proto_any && e->proto == 17);
	CU_ASSERT_STRING_EQUAL(prefix_str(&e->src), "10.0.0.0/24");
	CU_ASSERT_STRING_EQUAL(prefix_str(&e->dst), "10.9.0.0/24");
	CU_ASSERT_TRUE(e->sport_lo == 500 && e->sport_hi == 500);
	CU_ASSERT_TRUE(e->dport_lo == 1000 && e->dport_hi == 2000);
	CU_ASSERT_TRUE(e->sa_out == 0 && e->n_sa_in == 1 && e->sa_in[0] == 1);
	e = &cfg->cmaps[0].entries[1];
	CU_ASSERT_TRUE(e->seq == 20 && e->action == CFG_CMAP_BYPASS && e->line == 25);
	CU_ASSERT_TRUE(!e->proto_any && e->proto == 47);
	CU_ASSERT_STRING_EQUAL(prefix_str(&e->src), "0.0.0.0/0");
	CU_ASSERT_TRUE(e->sport_lo == 0 && e->sport_hi == 65535);
	CU_ASSERT_TRUE(e->dport_lo == 0 && e->dport_hi == 65535);
	CU_ASSERT_TRUE(e->sa_out == -1 && e->n_sa_in == 0);
	e = &cfg->cmaps[0].entries[2];
	CU_ASSERT_TRUE(e->seq == 30 && e->action == CFG_CMAP_DISCARD && e->line == 17);
	CU_ASSERT_TRUE(!e->proto_any && e->proto == 58);
	CU_ASSERT_STRING_EQUAL(prefix_str(&e->dst), "fd00:9::/48");
	CU_ASSERT_STRING_EQUAL(cfg->cmaps[1].name, "empty");
	CU_ASSERT_EQUAL(cfg->cmaps[1].iface, 0);
	CU_ASSERT_EQUAL(cfg->cmaps[1].n_entries, 0);
	CU_ASSERT_PTR_NULL(cfg->cmaps[1].entries);
	cfg_free(cfg);
}

/* A map of n one-line bypass entries on wan0; entry k is on line 17 + k. */
static void gen_cmap(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, "%s", CM_BASE CM_HEAD("cm", "wan0"));
	for (unsigned int i = 0; i < n; i++)
		put(t,
		    "        - {seq: %u, action: bypass, match: {src: 10.0.0.0/24, "
		    "dst: 10.9.0.0/24}}\n",
		    i + 1);
}

static void test_cmap_limits(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	struct text t;

	gen_cmap(&t, CFG_CMAP_ENTRIES_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->cmaps[0].n_entries, CFG_CMAP_ENTRIES_MAX);
	CU_ASSERT_EQUAL(cfg->cmaps[0].entries[1023].seq, 1024);
	cfg_free(cfg);
	free(t.s);
	gen_cmap(&t, CFG_CMAP_ENTRIES_MAX + 1);
	expect_error("1025 entries", t.s, t.len,
		     "t.yaml:1041:11: ", "more than 1024 crypto map entries");
	free(t.s);
	text_init(&t);
	put(&t, "%s", CM_BASE);
	for (unsigned int i = 0; i <= CFG_IFACES_MAX; i++)
		put(&t, "    - {name: m%u, interface: lan0, entries: []}\n", i);
	expect_error("65 crypto maps", t.s, t.len,
		     "t.yaml:78:7: ", "more than 64 crypto maps (one per interface)");
	free(t.s);
}

static void test_cmap_example(void)
{
	char err[CFG_ERR_MAX];
	struct config *cfg;
	const struct cfg_crypto_map *cm;

	CU_ASSERT_EQUAL(cfg_load_file(EXAMPLES_DIR "/crypto-map.yaml", &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_cmaps, 1);
	cm = &cfg->cmaps[0];
	CU_ASSERT_STRING_EQUAL(cm->name, "to_hubB_map");
	CU_ASSERT_EQUAL(cm->iface, cfg_iface_find(cfg, "wan0"));
	CU_ASSERT_EQUAL_FATAL(cm->n_entries, 4);
	CU_ASSERT_EQUAL(cm->entries[0].action, CFG_CMAP_PROTECT);
	CU_ASSERT_EQUAL(cm->entries[0].sa_out, 0);
	CU_ASSERT_EQUAL(cm->entries[0].sa_in[0], 1);
	CU_ASSERT_EQUAL(cm->entries[1].action, CFG_CMAP_BYPASS);
	CU_ASSERT_EQUAL(cm->entries[2].action, CFG_CMAP_DISCARD);
	CU_ASSERT_TRUE(cm->entries[3].proto == 6 && cm->entries[3].dport_lo == 23 &&
		       cm->entries[3].dport_hi == 23 && cm->entries[3].src.plen == 0);
	CU_ASSERT_EQUAL(cfg->n_tunnels, 0);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 1);
	check_route(&cfg->routes[0], "10.2.0.0/16", "203.0.113.2", 1);
	cfg_free(cfg);
}

/* ---- the ike section (conf/config_ike.c, conf/config_ike_prop.c) ---- */

/* 16 bytes: the shortest pre-shared key accepted (RFC 7296 2.15). */
#define PSK16 "\"0123456789abcdef\""
/* Lines 6-7 after IFACE_V4: the head of ike.peers. */
#define IKE_PEERS IFACE_V4 "ike:\n  peers:\n"
/*
 * Four lines of a peer head (map at col 7; values: name col 13, local col 14, remote col 15,
 * psk col 12); more keys follow at col 7.
 */
#define PEER_AT(name, remote)                                                     \
	"    - name: " name "\n      local: 10.0.0.1\n      remote: " remote "\n" \
	"      psk: " PSK16 "\n"
#define PEER(name) PEER_AT(name, "10.0.0.2")
/* Two lines: "children:" and child c (map at col 11); the child's keys follow at col 11. */
#define CHILD_C "      children:\n        - name: c\n"
/* Lines 6-13: peer p (lines 8-11) with child c (line 13); child keys follow from line 14. */
#define IKE_OK IKE_PEERS PEER("p") CHILD_C
/*
 * Lines 6-11: pools ra (line 8), rb (line 9), both IPv4, and ra6 (fd99::/64, line 10), then
 * "  peers:"; peers start on line 12, so a peer's fifth line (pool) is line 16, value col 13.
 */
#define IKE_POOLS3                                                                         \
	IFACE_V4                                                                           \
	"ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24}\n"                         \
	"    - {name: rb, prefix: 10.98.0.0/24}\n    - {name: ra6, prefix: 'fd99::/64'}\n" \
	"  peers:\n"
/* Lines 6-9: pool ra (10.99.0.0/24, line 8) and "  peers:"; peers start on line 10. */
#define IKE_POOL IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24}\n  peers:\n"
/* Lines 6-7: vti1 between 10.0.0.1 and 10.0.0.2 without SAs (map at line 7, col 5). */
#define VTI_BARE "tunnels:\n  - {name: vti1, type: vti, local: 10.0.0.1, remote: 10.0.0.2}\n"
/* Lines 6-9 then 10-17: VTI_BARE, ike.peers and peer p (10-13) with child c (line 15). */
#define IKE_VTI IFACE_V4 VTI_BARE "ike:\n  peers:\n" PEER("p") CHILD_C
/* Line 14 after IKE_OK: the child's esp proposals; the value starts at col 16. */
#define ESP(p) IKE_OK "          esp: " p "\n"
/* Line 12 after IKE_PEERS PEER("p"): the peer's ike proposals (value at col 12), then c. */
#define IKE_P(p) IKE_PEERS PEER("p") "      ike: " p "\n" CHILD_C
/* A last section: the legacy algorithms allowed (3des and md5, IKEv1's legacy Phase 1). */
#define IPSEC_LEGACY "ipsec:\n  legacy: true\n"

/*
 * Crypto map entries keyed by IKE (config_cryptomap.c, cfgi_cmap_child): lines 1-16 are map cm
 * on wan0 with protect entry 10 (line 14, map at col 11) and no SAs; 17-24 peer p (local
 * 192.0.2.1, wan0's) with child c (line 24); c's keys follow at col 11 from line 25.
 */
#define CMI_MAP(action) \
	CM_IFS "ipsec:\n  crypto_maps:\n" CM_HEAD("cm", "wan0") CM_ENTRY("10", action, CM_NET)
#define CMI_PEER(local, remote)                                                             \
	"ike:\n  peers:\n    - name: p\n      local: " local "\n      remote: " remote "\n" \
	"      psk: " PSK16 "\n" CHILD_C
#define CMI_BASE  CMI_MAP("protect") CMI_PEER("192.0.2.1", "192.0.2.2")
#define CMI(m, s) "          crypto_map: " m "\n          seq: " s "\n"

static const struct bad_case cmi_bad_cases[] = {
	{"protect entry without SAs nor child", CMI_MAP("protect"), "t.yaml:14:11: ",
	 "protect entry seq 10 of crypto map cm has no SAs: give it sa_out and sa_in, or name it"},
	{"crypto_map without seq", CMI_BASE "          crypto_map: cm\n",
	 "t.yaml:25:23: ", "'crypto_map' and 'seq' go together"},
	{"seq without crypto_map", CMI_BASE "          seq: 10\n",
	 "t.yaml:25:16: ", "'crypto_map' and 'seq' go together"},
	{"unknown crypto map", CMI_BASE CMI("nope", "10"),
	 "t.yaml:25:23: ", "'crypto_map' names unknown crypto map 'nope'"},
	{"no such entry", CMI_BASE CMI("cm", "20"),
	 "t.yaml:26:16: ", "crypto map cm has no entry seq 20"},
	{"seq 0", CMI_BASE CMI("cm", "0"), "t.yaml:26:16: ", "'seq'"},
	{"selectors of its own", CMI_BASE "          local_ts: [10.0.0.0/24]\n" CMI("cm", "10"),
	 "t.yaml:26:23: ", "takes its selectors from the entry's match: no local_ts or remote_ts"},
	{"a bypass entry", CMI_MAP("bypass") CMI_PEER("192.0.2.1", "192.0.2.2") CMI("cm", "10"),
	 "t.yaml:26:16: ", "entry seq 10 of crypto map cm is not a protect entry without sa_out"},
	{"an entry with manual SAs",
	 CM_OK "ike:\n  peers:\n    - name: p\n      local: 192.0.2.1\n      remote: 192.0.2.2\n"
	       "      psk: " PSK16 "\n" CHILD_C CMI("cm", "10"),
	 "t.yaml:31:16: ", "entry seq 10 of crypto map cm is not a protect entry without sa_out"},
	{"local address off the map's interface",
	 CMI_MAP("protect") CMI_PEER("10.0.0.1", "192.0.2.2") CMI("cm", "10"), "t.yaml:26:16: ",
	 "peer p's local address 10.0.0.1 is not on wan0, the interface of crypto map cm"},
	{"two children for one entry",
	 CMI_BASE CMI("cm", "10") "        - name: d\n" CMI("cm", "10"),
	 "t.yaml:29:16: ", "entry seq 10 of crypto map cm is keyed by child c of peer p already"},
	{"transport mode for subnets", CMI_BASE "          mode: transport\n" CMI("cm", "10"),
	 "t.yaml:27:16: ",
	 "a transport-mode child carries only traffic between the peer's addresses"},
};

static void test_cmap_ike(void)
{
	static const char yaml[] = CM_IFS "ipsec:\n  crypto_maps:\n" CM_HEAD("cm", "wan0") CM_ENTRY(
		"20", "protect", "{src: 10.0.0.0/24, dst: 10.9.0.0/24, proto: udp, dst_port: 53}")
		CM_ENTRY("10", "protect", CM_NET) CMI_PEER("192.0.2.1", "192.0.2.2")
			CMI("cm", "20") "        - name: d\n" CMI("cm", "10");
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;

	for (size_t i = 0; i < sizeof(cmi_bad_cases) / sizeof(cmi_bad_cases[0]); i++)
		expect_error(cmi_bad_cases[i].what, cmi_bad_cases[i].yaml,
			     strlen(cmi_bad_cases[i].yaml), cmi_bad_cases[i].pos,
			     cmi_bad_cases[i].msg);
	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  crypto map keyed by IKE: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->cmaps[0].n_entries, 2);
	const struct cfg_cmap_entry *e10 = &cfg->cmaps[0].entries[0];
	const struct cfg_cmap_entry *e20 = &cfg->cmaps[0].entries[1];
	const struct cfg_ike_peer *p = &cfg->ike_peers[0];
	CU_ASSERT_TRUE(e10->seq == 10 && e10->sa_out == -1 && e10->n_sa_in == 0);
	CU_ASSERT_TRUE(e10->ike_peer == 0 && e10->ike_child == 1);
	CU_ASSERT_TRUE(e20->seq == 20 && e20->ike_peer == 0 && e20->ike_child == 0);
	CU_ASSERT_EQUAL_FATAL(p->n_children, 2);
	/* c keys entry 20: its selectors are the entry's, the protocol and ports with them */
	const struct cfg_ike_child *c = &p->children[0], *d = &p->children[1];
	CU_ASSERT_TRUE(c->cmap == 0 && c->cmap_entry == 1 && c->tunnel == -1);
	CU_ASSERT_TRUE(c->n_local_ts == 1 && c->n_remote_ts == 1);
	CU_ASSERT_STRING_EQUAL(prefix_str(&c->local_ts[0].prefix), "10.0.0.0/24");
	CU_ASSERT_STRING_EQUAL(prefix_str(&c->remote_ts[0].prefix), "10.9.0.0/24");
	CU_ASSERT_TRUE(c->local_ts[0].proto == 17 && c->remote_ts[0].proto == 17);
	CU_ASSERT_TRUE(c->local_ts[0].port_lo == 0 && c->local_ts[0].port_hi == 65535);
	CU_ASSERT_TRUE(c->remote_ts[0].port_lo == 53 && c->remote_ts[0].port_hi == 53);
	CU_ASSERT_TRUE(d->cmap == 0 && d->cmap_entry == 0);
	CU_ASSERT_TRUE(d->local_ts[0].proto == 0 && d->remote_ts[0].port_hi == 65535);
	cfg_free(cfg);
}

static const struct bad_case ike_bad_cases[] = {
	/* section and peer keys */
	{"ike a sequence", IFACE_V4 "ike: []\n",
	 "t.yaml:6:6: ", "expected a mapping in ike, not a sequence"},
	{"unknown ike key", IFACE_V4 "ike:\n  radius: []\n",
	 "t.yaml:7:3: ", "unknown key 'radius' in ike"},
	{"user twice",
	 IFACE_V4 "ike:\n  users:\n    - {name: al, password: x}\n"
		  "    - {name: al, password: y}\n",
	 "t.yaml:9:14: ", "user al is listed twice (line 8)"},
	{"user name with a blank", IFACE_V4 "ike:\n  users: [{name: 'a b', password: x}]\n",
	 "t.yaml:7:18: ", "'name' must be printable ASCII without blanks (character 2"},
	{"user without password", IFACE_V4 "ike:\n  users: [{name: al}]\n",
	 "t.yaml:7:11: ", "missing required key 'password' in ike.users[0]"},
	{"empty password", IFACE_V4 "ike:\n  users: [{name: al, password: ''}]\n",
	 "t.yaml:7:32: ", "'password' must be 1..128 octets (it is 0)"},
	{"unknown peer key", IKE_PEERS PEER("p") "      mobike: true\n" CHILD_C,
	 "t.yaml:12:7: ", "unknown key 'mobike' in ike.peers[0]"},
	{"peer without children", IKE_PEERS PEER("p"),
	 "t.yaml:8:7: ", "missing required key 'children' in ike.peers[0]"},
	{"children empty", IKE_PEERS PEER("p") "      children: []\n",
	 "t.yaml:12:17: ", "'children' needs at least one child"},
	{"duplicate peer name", IKE_OK PEER_AT("p", "10.0.0.3") CHILD_C,
	 "t.yaml:14:13: ", "peer name p is used twice"},
	{"peer name with a dash", IKE_PEERS PEER("p-1") CHILD_C,
	 "t.yaml:8:13: ", "'name' must be a letter then"},
	{"duplicate child name", IKE_OK "        - name: c\n",
	 "t.yaml:14:17: ", "child name c is used twice in peer p"},
	{"nine children",
	 IKE_PEERS PEER("p") "      children: [{name: a}, {name: b}, {name: c}, {name: d}, "
			     "{name: e}, {name: f}, {name: g}, {name: h}, {name: i}]\n",
	 "t.yaml:12:106: ", "more than 8 children"},
	{"local not a hub address",
	 IKE_PEERS "    - {name: p, local: 10.0.0.9, remote: 10.0.0.2, "
		   "psk: " PSK16 ", children: [{name: c}]}\n",
	 "t.yaml:8:24: ", "'local' 10.0.0.9 is not an address of any interface"},
	{"remote of another family", IKE_PEERS PEER_AT("p", "fd00::2") CHILD_C,
	 "t.yaml:10:15: ", "'remote' fd00::2 is not of the address family of 'local'"},
	{"remote multicast", IKE_PEERS PEER_AT("p", "224.0.0.5") CHILD_C,
	 "t.yaml:10:15: ", "'remote' is a multicast address"},
	{"initiate with remote any",
	 IKE_PEERS PEER_AT("p",
			   "any") "      remote_id: fqdn:a.example\n      initiate: true\n" CHILD_C,
	 "t.yaml:13:17: ", "'initiate' needs a remote address, not any"},
	{"aggressive with IKEv2", IKE_PEERS PEER("p") "      aggressive: true\n" CHILD_C,
	 "t.yaml:12:19: ", "'aggressive' is an IKEv1 mode: it needs 'version: 1'"},
	{"version 3", IKE_PEERS PEER("p") "      version: 3\n" CHILD_C,
	 "t.yaml:12:16: ", "'version' is out of range 1..2"},
	{"aggressive with auth pubkey",
	 IKE_PEERS PEER("p") "      version: 1\n      aggressive: true\n"
			     "      auth: pubkey\n" CHILD_C,
	 "t.yaml:13:19: ", "Aggressive Mode is implemented with a pre-shared key only"},
	{"banner with IKEv2", IKE_PEERS PEER("p") "      banner: hello\n" CHILD_C,
	 "t.yaml:12:15: ", "'banner' is IKEv1 remote access: it needs 'version: 1'"},
	{"xauth without users", IKE_PEERS PEER("p") "      version: 1\n      xauth: true\n" CHILD_C,
	 "t.yaml:13:14: ", "'xauth' with no ike.users: no one could log in"},
	{"mode_config neither pull nor push",
	 IKE_PEERS PEER("p") "      version: 1\n      mode_config: pushy\n" CHILD_C,
	 "t.yaml:13:20: ", "'mode_config' must be pull or push"},
	{"domain with a blank", IKE_PEERS PEER("p") "      version: 1\n      domain: a b\n" CHILD_C,
	 "t.yaml:13:15: ", "'domain' has a control character at 2"},
	{"remote any without remote_id", IKE_PEERS PEER_AT("p", "any") CHILD_C,
	 "t.yaml:8:7: ", "missing required key 'remote_id' in ike.peers[0]: with remote: any"},
	{"remote any with remote_id any",
	 IKE_PEERS PEER_AT("p", "any") "      remote_id: any\n" CHILD_C,
	 "t.yaml:12:18: ", "'remote_id' any needs a remote address"},
	{"local_id any", IKE_PEERS PEER("p") "      local_id: any\n" CHILD_C,
	 "t.yaml:12:17: ", "'local_id' cannot be any"},
	{"fqdn id with an empty label",
	 IKE_PEERS PEER("p") "      remote_id: fqdn:a..example\n" CHILD_C,
	 "t.yaml:12:18: ", "'remote_id' 'fqdn:a..example' is malformed"},
	{"email id without a user",
	 IKE_PEERS PEER("p") "      local_id: email:@example.com\n" CHILD_C,
	 "t.yaml:12:17: ", "'local_id' 'email:@example.com' is malformed"},
	{"keyid with an odd digit count", IKE_PEERS PEER("p") "      local_id: keyid:abc\n" CHILD_C,
	 "t.yaml:12:17: ", "is malformed"},
	{"id of no known form", IKE_PEERS PEER("p") "      remote_id: uri:x\n" CHILD_C,
	 "t.yaml:12:18: ", "'remote_id' 'uri:x' is not an identity"},
	{"auth pubkey with a psk", IKE_PEERS PEER("p") "      auth: pubkey\n" CHILD_C,
	 "t.yaml:11:12: ", "'psk' is not used with auth: pubkey"},
	{"auth eap", IKE_PEERS PEER("p") "      auth: eap\n" CHILD_C,
	 "t.yaml:12:13: ", "'auth' must be psk or pubkey"},
	{"psk and psk_file", IKE_PEERS PEER("p") "      psk_file: /tmp/psk\n" CHILD_C,
	 "t.yaml:12:17: ", "'psk' and 'psk_file' exclude each other"},
	{"neither psk nor psk_file",
	 IKE_PEERS "    - name: p\n      local: 10.0.0.1\n      remote: 10.0.0.2\n" CHILD_C,
	 "t.yaml:8:7: ", "missing required key 'psk' or 'psk_file' in ike.peers[0]"},
	{"psk of 15 bytes",
	 IKE_PEERS "    - {name: p, local: 10.0.0.1, remote: 10.0.0.2, psk: 0123456789abcde,\n"
		   "       children: [{name: c}]}\n",
	 "t.yaml:8:57: ", "'psk' is 15 bytes: a pre-shared key needs at least 16"},
	{"hex psk of 15 bytes",
	 IKE_PEERS "    - {name: p, local: 10.0.0.1, remote: 10.0.0.2, psk: "
		   "0x000102030405060708090a0b0c0d0e,\n       children: [{name: c}]}\n",
	 "t.yaml:8:57: ", "'psk' is 15 bytes"},
	{"hex psk with a bad digit",
	 IKE_PEERS "    - {name: p, local: 10.0.0.1, remote: 10.0.0.2, psk: "
		   "0x000102030405060708090a0b0c0d0e0g,\n       children: [{name: c}]}\n",
	 "t.yaml:8:57: ", "'psk' is not hex after 0x: character 34 is not a hex digit"},
	{"psk a sequence",
	 IKE_PEERS "    - {name: p, local: 10.0.0.1, remote: 10.0.0.2, psk: [a],\n"
		   "       children: [{name: c}]}\n",
	 "t.yaml:8:57: ", "'psk' must be a scalar, not a sequence"},
	{"jitter 51", IKE_PEERS PEER("p") "      jitter: 51\n" CHILD_C,
	 "t.yaml:12:15: ", "'jitter' is out of range 0..50"},
	{"dpd_delay a day and a second", IKE_PEERS PEER("p") "      dpd_delay: 86401\n" CHILD_C,
	 "t.yaml:12:18: ", "'dpd_delay' is out of range 0..86400"},
	{"pool absent", IKE_PEERS PEER("p") "      pool: ra\n" CHILD_C,
	 "t.yaml:12:13: ", "'pool' names unknown pool 'ra'"},
	{"two peers that cannot be told apart",
	 IKE_PEERS PEER_AT("a", "any") "      remote_id: fqdn:x.example\n" CHILD_C PEER_AT(
		 "b", "any") "      remote_id: fqdn:x.example\n" CHILD_C,
	 "t.yaml:15:7: ", "peer b has the local, remote and remote_id of peer a (line 8)"},
	/* pools */
	{"pool of 2 addresses too few",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/31}\n",
	 "t.yaml:8:26: ", "pool prefix 10.99.0.0/31 is too small: a pool needs a /30 or shorter"},
	{"IPv6 pool too small", IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 'fd99::/127'}\n",
	 "t.yaml:8:26: ", "pool prefix fd99::/127 is too small: a pool needs a /126 or shorter"},
	{"pool too large", IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.0.0.0/7}\n",
	 "t.yaml:8:26: ", "pool prefix 10.0.0.0/7 is too large: a pool is a /8 or longer"},
	{"pool host bits", IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.1/24}\n",
	 "t.yaml:8:26: ", "host bits are set in 10.99.0.1/24; the prefix is 10.99.0.0/24"},
	{"pool without a length", IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.1}\n",
	 "t.yaml:8:26: ", "'prefix' '10.99.0.1' is not a prefix"},
	{"peer not a mapping", IKE_POOL "    - x\n",
	 "t.yaml:10:7: ", "expected a mapping in ike.peers[0], not a scalar"},
	{"pool name used twice",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24}\n"
		  "    - {name: ra, prefix: 10.98.0.0/24}\n",
	 "t.yaml:9:14: ", "pool name ra is used twice"},
	{"overlapping pools",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24}\n"
		  "    - {name: rb, prefix: 10.99.0.128/25}\n",
	 "t.yaml:9:26: ", "pool prefix 10.99.0.128/25 overlaps pool ra"},
	{"pool inside an interface subnet",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.0.0.128/25}\n", "t.yaml:8:26: ",
	 "pool prefix 10.0.0.128/25 overlaps 10.0.0.1/24, the subnet of interface lan0"},
	{"pool containing a tunnel subnet",
	 IFACE_V4 "tunnels:\n  - {name: vti1, type: vti, local: 10.0.0.1, remote: 10.0.0.2,\n"
		  "     ipv4: 172.16.0.1/30}\nike:\n  pools:\n"
		  "    - {name: ra, prefix: 172.16.0.0/16}\n",
	 "t.yaml:11:26: ", "overlaps 172.16.0.1/30, the subnet of tunnel vti1"},
	{"pool dns multicast",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24, dns: 224.0.0.1}\n",
	 "t.yaml:8:45: ", "'dns' is a multicast address"},
	{"five dns servers",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24,\n"
		  "       dns: [10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9]}\n",
	 "t.yaml:9:54: ", "'dns' lists more than 4 items"},
	{"split with host bits",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24, split: [10.0.0.1/8]}\n",
	 "t.yaml:8:48: ", "host bits are set in 10.0.0.1/8"},
	{"unknown pool key",
	 IFACE_V4 "ike:\n  pools:\n    - {name: ra, prefix: 10.99.0.0/24, wins: x}\n",
	 "t.yaml:8:40: ", "unknown key 'wins' in ike.pools[0]"},
	/* children: traffic selectors (RFC 7296 3.13.1) */
	{"TS families differ",
	 IKE_OK "          local_ts: 10.1.0.0/16\n          remote_ts: 'fd00:2::/64'\n",
	 "t.yaml:15:22: ", "'local_ts' (IPv4) and 'remote_ts' (IPv6) must cover the same"},
	{"TS families differ, local last",
	 IKE_OK
	 "          remote_ts: [10.2.0.0/16, 'fd00:2::/64']\n          local_ts: 10.1.0.0/16\n",
	 "t.yaml:15:21: ", "'local_ts' (IPv4) and 'remote_ts' (IPv4 and IPv6)"},
	{"TS host bits", IKE_OK "          local_ts: 10.1.0.1/16\n",
	 "t.yaml:14:21: ", "host bits are set in 10.1.0.1/16; the prefix is 10.1.0.0/16"},
	{"TS ports with icmp", IKE_OK "          local_ts: '10.1.0.0/16[icmp/8]'\n",
	 "t.yaml:14:21: ", "'local_ts': ports need tcp, udp or sctp"},
	{"TS icmpv6 with IPv4", IKE_OK "          local_ts: '10.1.0.0/16[icmpv6]'\n",
	 "t.yaml:14:21: ", "icmpv6 does not go with an IPv4 prefix"},
	{"TS unknown protocol", IKE_OK "          local_ts: '10.1.0.0/16[ospf]'\n",
	 "t.yaml:14:21: ", "the protocol is any, icmp, tcp"},
	{"TS port range backwards", IKE_OK "          local_ts: '10.1.0.0/16[tcp/90-80]'\n",
	 "t.yaml:14:21: ", "ports are N or N-M with N <= M"},
	{"TS port 65536", IKE_OK "          local_ts: '10.1.0.0/16[udp/65536]'\n",
	 "t.yaml:14:21: ", "ports are N or N-M"},
	{"TS without ']'", IKE_OK "          local_ts: '10.1.0.0/16[udp/500'\n",
	 "t.yaml:14:21: ", "is not PREFIX[PROTO] or PREFIX[PROTO/PORT[-PORT]]"},
	{"TS not a prefix", IKE_OK "          remote_ts: [10.2.0.0/16, lan]\n",
	 "t.yaml:14:36: ", "'remote_ts' 'lan' is not a prefix"},
	{"nine TS",
	 IKE_OK "          local_ts: [10.1.0.0/24, 10.1.1.0/24, 10.1.2.0/24, 10.1.3.0/24, "
		"10.1.4.0/24, 10.1.5.0/24, 10.1.6.0/24, 10.1.7.0/24, 10.1.8.0/24]\n",
	 "t.yaml:14:126: ", "'local_ts' lists more than 8 items"},
	{"TS empty list", IKE_OK "          local_ts: []\n",
	 "t.yaml:14:21: ", "'local_ts' is empty: omit it"},
	{"dynamic without a pool", IKE_OK "          remote_ts: dynamic\n",
	 "t.yaml:14:22: ", "'remote_ts' dynamic needs a 'pool' on the peer"},
	{"dynamic local_ts", IKE_OK "          local_ts: dynamic\n",
	 "t.yaml:14:21: ", "'local_ts' cannot be dynamic"},
	{"dynamic not alone",
	 IKE_POOL PEER("p") "      pool: ra\n" CHILD_C
			    "          remote_ts: [dynamic, 10.2.0.0/16]\n",
	 "t.yaml:17:32: ", "'remote_ts': dynamic stands alone"},
	{"dynamic pool of the wrong family",
	 IKE_POOL PEER("p") "      pool: ra\n" CHILD_C
			    "          remote_ts: dynamic\n          local_ts: 'fd00:1::/64'\n",
	 "t.yaml:18:21: ", "'local_ts' (IPv6) and 'remote_ts' (IPv4, the pool's)"},
	/* a peer's pools: one per address family (RFC 7296 3.15.1) */
	{"two IPv4 pools", IKE_POOLS3 PEER("p") "      pool: [ra, rb]\n" CHILD_C,
	 "t.yaml:16:18: ", "'pool' names two IPv4 pools (ra and rb): one per address family"},
	{"the same IPv6 pool twice", IKE_POOLS3 PEER("p") "      pool: [ra6, ra6]\n" CHILD_C,
	 "t.yaml:16:19: ", "'pool' names two IPv6 pools (ra6 and ra6)"},
	{"three pools", IKE_POOLS3 PEER("p") "      pool: [ra, ra6, rb]\n" CHILD_C,
	 "t.yaml:16:23: ", "'pool' lists more than 2 items"},
	{"unknown pool in a list", IKE_POOLS3 PEER("p") "      pool: [ra, rc]\n" CHILD_C,
	 "t.yaml:16:18: ", "'pool' names unknown pool 'rc'"},
	{"pool list empty", IKE_POOLS3 PEER("p") "      pool: []\n" CHILD_C,
	 "t.yaml:16:13: ", "'pool' is empty: omit it instead"},
	{"pool a mapping", IKE_POOLS3 PEER("p") "      pool: {v4: ra}\n" CHILD_C,
	 "t.yaml:16:13: ", "'pool' must be a pool name or a sequence of them, not a mapping"},
	{"dual-stack dynamic with IPv4 selectors only",
	 IKE_POOLS3 PEER("p") "      pool: [ra6, ra]\n" CHILD_C
			      "          remote_ts: dynamic\n          local_ts: 10.5.0.0/16\n",
	 "t.yaml:20:21: ", "'local_ts' (IPv4) and 'remote_ts' (IPv4 and IPv6, the pools')"},
	/* children: everything else */
	{"unknown child key", IKE_OK "          pfs: true\n",
	 "t.yaml:14:11: ", "unknown key 'pfs' in ike.peers[0].children[0]"},
	{"child mode", IKE_OK "          mode: beet\n",
	 "t.yaml:14:17: ", "'mode' must be tunnel or transport"},
	{"life_time equal to rekey_time",
	 IKE_OK "          life_time: 3600\n          rekey_time: 3600\n",
	 "t.yaml:14:22: ", "'life_time' 3600 must exceed 'rekey_time' 3600"},
	{"life_time below the default rekey_time", IKE_OK "          life_time: 60\n",
	 "t.yaml:14:22: ", "'life_time' 60 must exceed 'rekey_time' 3600"},
	{"rekey_time above a year", IKE_OK "          rekey_time: 31536001\n",
	 "t.yaml:14:23: ", "'rekey_time' is out of range 0..31536000"},
	{"child window not a power of two", IKE_OK "          replay_window: 1000\n",
	 "t.yaml:14:26: ", "'replay_window' 1000 is not a power of two"},
	{"rekey_bytes negative", IKE_OK "          rekey_bytes: -1\n",
	 "t.yaml:14:24: ", "'rekey_bytes' must be a decimal integer"},
	/* children keying a static VTI */
	{"VTI without SAs and no child", IFACE_V4 VTI_BARE, "t.yaml:7:5: ",
	 "tunnel vti1 has no SAs: give it sa_out and sa_in, or name it in the 'tunnel' of an IKE"},
	{"VTI without SAs, child elsewhere", IKE_VTI, "t.yaml:7:5: ", "tunnel vti1 has no SAs"},
	{"child names an unknown tunnel", IKE_OK "          tunnel: vti9\n",
	 "t.yaml:14:19: ", "'tunnel' names unknown tunnel 'vti9'"},
	{"child names a VTI with manual SAs",
	 TUNNELS(TUN_OK) "ike:\n  peers:\n" PEER("p") CHILD_C "          tunnel: vti1\n",
	 "t.yaml:25:19: ", "'tunnel' vti1 has manual SAs (sa_out, sa_in)"},
	{"VTI keyed by two children",
	 IKE_VTI "          tunnel: vti1\n        - name: d\n          tunnel: vti1\n",
	 "t.yaml:18:19: ", "'tunnel' vti1 is already keyed by child c of peer p"},
	{"VTI keyed by children of two peers",
	 IKE_VTI "          tunnel: vti1\n" PEER_AT(
		 "q", "10.0.0.2") "      remote_id: fqdn:q.example\n" CHILD_C
				  "          tunnel: vti1\n",
	 "t.yaml:24:19: ", "'tunnel' vti1 is already keyed by child c of peer p"},
	{"VTI remote not the peer's",
	 IFACE_V4 VTI_BARE "ike:\n  peers:\n" PEER_AT("p", "10.0.0.3") CHILD_C
	 "          tunnel: vti1\n",
	 "t.yaml:16:19: ", "'tunnel' vti1 runs between 10.0.0.1 and 10.0.0.2, not the peer's"},
	{"transport child on a VTI", IKE_VTI "          tunnel: vti1\n          mode: transport\n",
	 "t.yaml:17:17: ", "'mode' must be tunnel: a VTI needs it"},
	{"tunnel with sa_out only",
	 TUNNELS("  - name: vti1\n    type: vti\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
		 "    sa_out: o\n"),
	 "t.yaml:15:13: ", "'sa_out' and 'sa_in' go together"},
	{"tunnel with sa_in only",
	 TUNNELS("  - name: vti1\n    type: vti\n    local: 10.0.0.1\n    remote: 10.0.0.2\n"
		 "    sa_in: i\n"),
	 "t.yaml:15:12: ", "'sa_out' and 'sa_in' go together"},
	/* proposals: strongSwan's grammar, what crypto/ implements */
	{"unknown algorithm, its column", ESP("[aes128gcm16, aes256-sha256-sha3]"),
	 "t.yaml:14:44: ", "'esp': unknown algorithm 'sha3'"},
	{"unknown algorithm in a quoted proposal", ESP("\"aes256-shaa256\""),
	 "t.yaml:14:24: ", "unknown algorithm 'shaa256'"},
	{"unknown algorithm is sanitised", ESP("\"aes256-sha\\t256\""),
	 "t.yaml:14:24: ", "unknown algorithm 'sha?256'"},
	{"AEAD and non-AEAD mixed", ESP("aes128gcm16-aes128-sha256"),
	 "t.yaml:14:28: ", "AEAD and non-AEAD ciphers cannot share a proposal"},
	{"AEAD with integrity", ESP("aes128gcm16-sha256"),
	 "t.yaml:14:28: ", "an AEAD cipher carries its own integrity"},
	{"non-AEAD without integrity", ESP("aes128-modp2048"),
	 "t.yaml:14:16: ", "a non-AEAD cipher needs an integrity algorithm"},
	{"no cipher", ESP("sha256"), "t.yaml:14:16: ", "the proposal has no encryption algorithm"},
	{"IKE proposal without DH", IKE_P("aes256-sha256"),
	 "t.yaml:12:12: ", "'ike': an IKE proposal needs a key exchange group"},
	{"AEAD IKE proposal without PRF", IKE_P("aes256gcm16-x25519"),
	 "t.yaml:12:12: ", "'ike': an AEAD IKE proposal needs a PRF"},
	{"esn in IKE", IKE_P("aes256-sha256-modp2048-esn"),
	 "t.yaml:12:35: ", "'ike': esn applies to ESP proposals only"},
	{"PRF in ESP", ESP("aes256-sha256-prfsha256"),
	 "t.yaml:14:30: ", "'esp': prfsha256 is a PRF: ESP proposals take none"},
	/* legacy IKE (IKEv1 Phase 1): ipsec.legacy and version: 1, whatever the order of keys */
	{"3DES in IKE without ipsec.legacy", IKE_P("3des-sha256-modp2048"), "t.yaml:12:12: ",
	 "'ike': 3des is a legacy algorithm: IKEv1 peers only, with ipsec.legacy: true"},
	{"MD5 in IKEv1 without ipsec.legacy", IKE_P("aes128-md5-modp2048\n      version: 1"),
	 "t.yaml:12:19: ",
	 "'ike': md5 is a legacy algorithm: IKEv1 peers only, with ipsec.legacy: true"},
	{"prfmd5 without ipsec.legacy", IKE_P("aes128gcm16-prfmd5-modp2048"), "t.yaml:12:24: ",
	 "'ike': prfmd5 is a legacy algorithm: IKEv1 peers only, with ipsec.legacy: true"},
	{"modp1536 in IKEv1 without ipsec.legacy", IKE_P("aes128-sha1-modp1536\n      version: 1"),
	 "t.yaml:12:24: ",
	 "'ike': modp1536 is a legacy algorithm: IKEv1 peers only, with ipsec.legacy: true"},
	{"legacy IKE, ipsec.legacy, IKEv2 by default", IKE_P("3des-md5-modp1024") IPSEC_LEGACY,
	 "t.yaml:12:12: ",
	 "'ike': 3des is a legacy algorithm: IKEv1 peers only (this peer is IKEv2"},
	{"legacy IKE, ipsec.legacy, version 2 after it, second proposal",
	 IKE_P("[aes128-sha256-modp2048, aes128-sha1-modp1536]\n      version: 2") IPSEC_LEGACY,
	 "t.yaml:12:49: ", "'ike': modp1536 is a legacy algorithm: IKEv1 peers only (this peer"},
	{"legacy group as PFS", ESP("3des-md5-modp1024") IPSEC_LEGACY,
	 "t.yaml:14:25: ", "'esp': modp1024 is a legacy group: IKEv1 Phase 1 only"},
	{"3DES in ESP without ipsec.legacy", ESP("3des-sha1"),
	 "t.yaml:14:16: ", "'esp': 3des is a legacy algorithm: set ipsec.legacy: true"},
	{"MD5 in ESP without ipsec.legacy", ESP("aes128-md5"),
	 "t.yaml:14:23: ", "'esp': md5 is a legacy algorithm"},
	{"modp1024 without ipsec.legacy", IKE_P("aes128-sha256-modp1024"), "t.yaml:12:26: ",
	 "'ike': modp1024 is a legacy algorithm: IKEv1 peers only, with ipsec.legacy: true"},
	{"modp768 (RFC 8247)", IKE_P("aes128-sha256-modp768"), "t.yaml:12:26: ",
	 "'ike': modp768 is not implemented: groups below 2048 bits are too weak"},
	{"algorithm listed twice", ESP("aes128-aes256-sha256-aes128"),
	 "t.yaml:14:37: ", "'esp': aes128 is listed twice"},
	{"two dashes", ESP("aes128--sha256"), "t.yaml:14:23: ", "'esp': empty algorithm name"},
	{"trailing dash", IKE_P("aes128-sha256-x25519-"), "t.yaml:12:33: ", "empty algorithm name"},
	{"curve25519 is x25519",
	 IKE_P("aes128-sha256-modp2048-modp3072-modp4096-ecp256-ecp384-ecp521-x25519-curve25519"),
	 "t.yaml:12:81: ", "'ike': curve25519 is listed twice"},
	{"nine proposals",
	 ESP("[aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16, aes128gcm16, "
	     "aes128gcm16, aes128gcm16, aes256gcm16]"),
	 "t.yaml:14:121: ", "more than 8 proposals"},
	{"proposals empty", ESP("[]"), "t.yaml:14:16: ", "'esp' needs at least one proposal"},
	{"proposals a mapping", ESP("{a: b}"),
	 "t.yaml:14:16: ", "'esp' must be a proposal or a sequence of them, not a mapping"},
};

static void test_ike_bad_table(void)
{
	for (size_t i = 0; i < sizeof(ike_bad_cases) / sizeof(ike_bad_cases[0]); i++) {
		const struct bad_case *c = &ike_bad_cases[i];

		expect_error(c->what, c->yaml, strlen(c->yaml), c->pos, c->msg);
	}
}

/* Every key of the section, in an order other than the loader's, and the values they give. */
static const char ike_full_yaml[] =
	"interfaces:\n"
	"  - {name: lan0, port: net_tap0, ipv4: 10.0.0.1/24, ipv6: 'fd00::1/64'}\n"
	"  - {name: wan0, port: net_tap1, ipv4: 203.0.113.1/24}\n"
	"ike:\n"
	"  peers:\n"
	"    - name: spoke1\n" /* line 6 */
	"      local: 203.0.113.1\n"
	"      remote: 198.51.100.2\n"
	"      local_id: fqdn:hub.example.com\n"
	"      remote_id: email:ops@spoke1.example.com\n"
	"      psk: 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	"      ike: [aes256-sha384-sha256-ecp384, aes128gcm16-prfsha512-x25519-modp3072]\n"
	"      initiate: true\n"
	"      encap: true\n"
	"      dpd_delay: 0\n"
	"      rekey_time: 0\n"
	"      reauth_time: 86400\n"
	"      jitter: 0\n"
	"      children:\n"
	"        - name: net\n" /* line 20 */
	"          tunnel: vti1\n"
	"          esp: 3des-md5-modp2048-esn-noesn\n"
	"          rekey_time: 0\n"
	"          life_time: 7200\n"
	"          rekey_bytes: 18446744073709551615\n"
	"          rekey_packets: 1000000\n"
	"          replay_window: 4096\n"
	"        - name: web\n" /* line 28 */
	"          mode: transport\n"
	"          local_ts: ['10.0.0.0/24[tcp/443]', 10.0.0.5]\n"
	"          remote_ts: '192.0.2.0/24[udp/1000-2000]'\n"
	"          esp: chacha20poly1305\n"
	"          rekey_time: 100\n"
	"    - name: road\n" /* line 34 */
	"      local: 'fd00::1'\n"
	"      remote: any\n"
	"      remote_id: keyid:0A0b\n"
	"      psk: \"a text key of twenty\"\n"
	"      pool: ra6\n"
	"      children: [{name: all, remote_ts: dynamic}]\n"
	"  pools:\n"
	"    - name: ra4\n" /* line 42 */
	"      prefix: 10.99.0.0/24\n"
	"      dns: 10.0.0.53\n"
	"      split: [10.0.0.0/24, 'fd00::/64']\n"
	"    - {name: ra6, prefix: 'fd99::/64', dns: ['fd00::53', 10.0.0.53]}\n"
	"tunnels:\n"
	"  - {name: vti1, type: vti, local: 203.0.113.1, remote: 198.51.100.2}\n"
	"ipsec:\n"
	"  legacy: true\n"
	"  replay_window: 256\n";

static bool alg_is(const struct cfg_ike_alg *a, uint16_t id, uint16_t keylen)
{
	return a->id == id && a->keylen == keylen;
}

static void check_ts(const struct cfg_ike_ts *ts, const char *prefix, uint8_t proto, uint16_t lo,
		     uint16_t hi)
{
	CU_ASSERT_STRING_EQUAL(prefix_str(&ts->prefix), prefix);
	CU_ASSERT_EQUAL(ts->proto, proto);
	CU_ASSERT_EQUAL(ts->port_lo, lo);
	CU_ASSERT_EQUAL(ts->port_hi, hi);
}

static void check_pools(const struct config *cfg)
{
	const struct cfg_ike_pool *p4 = &cfg->ike_pools[0], *p6 = &cfg->ike_pools[1];

	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_pools, 2);
	CU_ASSERT_STRING_EQUAL(p4->name, "ra4");
	CU_ASSERT_STRING_EQUAL(prefix_str(&p4->prefix), "10.99.0.0/24");
	CU_ASSERT_EQUAL_FATAL(p4->n_dns, 1);
	check_addr(&p4->dns[0], "10.0.0.53");
	CU_ASSERT_EQUAL_FATAL(p4->n_split, 2);
	CU_ASSERT_STRING_EQUAL(prefix_str(&p4->split[1]), "fd00::/64");
	CU_ASSERT_EQUAL(p4->line, 42);
	CU_ASSERT_STRING_EQUAL(prefix_str(&p6->prefix), "fd99::/64");
	CU_ASSERT_EQUAL(p6->n_dns, 2);
	CU_ASSERT_EQUAL(p6->n_split, 0);
}

/* RFC 7296 3.3.2 IDs: AES-CBC 12, SHA-384/256 integrity 13/12, their PRFs 6/5 (derived). */
static void check_spoke1(const struct cfg_ike_peer *p)
{
	const struct cfg_ike_proposal *a = &p->ike[0], *b = &p->ike[1];

	CU_ASSERT_STRING_EQUAL(p->name, "spoke1");
	check_addr(&p->local, "203.0.113.1");
	check_addr(&p->remote, "198.51.100.2");
	CU_ASSERT_TRUE(p->local_id.type == CFG_IKE_ID_FQDN && p->local_id.len == 15 &&
		       memcmp(p->local_id.data, "hub.example.com", 15) == 0);
	CU_ASSERT_TRUE(p->remote_id.type == CFG_IKE_ID_EMAIL && p->remote_id.len == 22);
	CU_ASSERT_EQUAL(p->auth, CFG_IKE_AUTH_PSK);
	CU_ASSERT_TRUE(key_is(p->psk, p->psk_len, 32, 0x00));
	CU_ASSERT_EQUAL_FATAL(p->n_ike, 2);
	CU_ASSERT_TRUE(a->n_encr == 1 && alg_is(&a->encr[0], 12, 256));
	CU_ASSERT_TRUE(a->n_integ == 2 && a->integ[0] == 13 && a->integ[1] == 12);
	CU_ASSERT_TRUE(a->n_prf == 2 && a->prf[0] == 6 && a->prf[1] == 5);
	CU_ASSERT_TRUE(a->n_dh == 1 && a->dh[0] == 20 && a->n_esn == 0);
	CU_ASSERT_EQUAL(a->line, 12);
	CU_ASSERT_TRUE(b->n_encr == 1 && alg_is(&b->encr[0], 20, 128) && b->n_integ == 0);
	CU_ASSERT_TRUE(b->n_prf == 1 && b->prf[0] == 7);
	CU_ASSERT_TRUE(b->n_dh == 2 && b->dh[0] == 31 && b->dh[1] == 15);
	CU_ASSERT_TRUE(p->initiate && p->encap);
	CU_ASSERT_TRUE(p->dpd_delay == 0 && p->rekey_time == 0 && p->reauth_time == 86400);
	CU_ASSERT_TRUE(p->jitter == 0 && p->pool == -1 && p->line == 6);
}

static void check_spoke1_children(const struct cfg_ike_peer *p)
{
	const struct cfg_ike_child *net = &p->children[0], *web = &p->children[1];
	const struct cfg_ike_proposal *e = &net->esp[0];

	CU_ASSERT_EQUAL_FATAL(p->n_children, 2);
	CU_ASSERT_STRING_EQUAL(net->name, "net");
	CU_ASSERT_TRUE(net->tunnel == 0 && net->mode == CFG_SA_TUNNEL && net->line == 20);
	CU_ASSERT_EQUAL_FATAL(net->n_esp, 1);
	/* ENCR_3DES 3, AUTH_HMAC_MD5_96 1 (ipsec.legacy), PFS with group 14, ESN then none. */
	CU_ASSERT_TRUE(e->n_encr == 1 && alg_is(&e->encr[0], 3, 0));
	CU_ASSERT_TRUE(e->n_integ == 1 && e->integ[0] == 1 && e->n_prf == 0);
	CU_ASSERT_TRUE(e->n_dh == 1 && e->dh[0] == 14);
	CU_ASSERT_TRUE(e->n_esn == 2 && e->esn[0] == 1 && e->esn[1] == 0);
	CU_ASSERT_TRUE(net->rekey_time == 0 && net->life_time == 7200);
	CU_ASSERT_TRUE(net->rekey_bytes == UINT64_MAX && net->rekey_packets == 1000000);
	CU_ASSERT_EQUAL(net->replay_window, 4096);
	/* No selectors with a VTI: any/any in both families. */
	CU_ASSERT_EQUAL_FATAL(net->n_local_ts, 2);
	check_ts(&net->local_ts[0], "0.0.0.0/0", 0, 0, 65535);
	check_ts(&net->local_ts[1], "::/0", 0, 0, 65535);
	CU_ASSERT_EQUAL_FATAL(net->n_remote_ts, 2);
	CU_ASSERT_FALSE(net->remote_dynamic);
	CU_ASSERT_TRUE(web->mode == CFG_SA_TRANSPORT && web->tunnel == -1 && web->line == 28);
	CU_ASSERT_EQUAL_FATAL(web->n_local_ts, 2);
	check_ts(&web->local_ts[0], "10.0.0.0/24", 6, 443, 443);
	check_ts(&web->local_ts[1], "10.0.0.5/32", 0, 0, 65535);
	CU_ASSERT_EQUAL_FATAL(web->n_remote_ts, 1);
	check_ts(&web->remote_ts[0], "192.0.2.0/24", 17, 1000, 2000);
	CU_ASSERT_TRUE(web->n_esp == 1 && alg_is(&web->esp[0].encr[0], 28, 0));
	CU_ASSERT_TRUE(web->esp[0].n_integ == 0 && web->esp[0].n_esn == 1 &&
		       web->esp[0].esn[0] == 0);
	CU_ASSERT_TRUE(web->rekey_time == 100 && web->life_time == 110);
	CU_ASSERT_EQUAL(web->replay_window, 256); /* ipsec.replay_window */
}

/* The built-in proposals (conf/README.md) and the defaults of a remote-access peer. */
static void check_road(const struct cfg_ike_peer *p)
{
	const struct cfg_ike_proposal *a = &p->ike[0], *b = &p->ike[1];
	const struct cfg_ike_child *all = &p->children[0];

	CU_ASSERT_STRING_EQUAL(p->name, "road");
	CU_ASSERT_EQUAL(p->remote.family, 0);
	CU_ASSERT_TRUE(p->remote_id.type == CFG_IKE_ID_KEY_ID && p->remote_id.len == 2 &&
		       p->remote_id.data[0] == 0x0a && p->remote_id.data[1] == 0x0b);
	CU_ASSERT_TRUE(p->local_id.type == CFG_IKE_ID_IPV6 && p->local_id.len == 16 &&
		       p->local_id.data[0] == 0xfd && p->local_id.data[15] == 1);
	CU_ASSERT_TRUE(p->psk_len == 20 && memcmp(p->psk, "a text key of twenty", 20) == 0);
	CU_ASSERT_TRUE(p->pool == -1 && p->pool6 == 1 && p->dpd_delay == 30);
	CU_ASSERT_EQUAL(p->rekey_time, 14400);
	CU_ASSERT_TRUE(p->jitter == 10 && p->reauth_time == 0 && !p->initiate && !p->encap);
	CU_ASSERT_EQUAL_FATAL(p->n_ike, 2);
	CU_ASSERT_TRUE(a->n_encr == 2 && alg_is(&a->encr[0], 20, 128) &&
		       alg_is(&a->encr[1], 20, 256) && a->n_integ == 0);
	CU_ASSERT_TRUE(a->n_prf == 1 && a->prf[0] == 5);
	CU_ASSERT_TRUE(a->n_dh == 3 && a->dh[0] == 31 && a->dh[1] == 19 && a->dh[2] == 14);
	CU_ASSERT_TRUE(b->n_encr == 2 && alg_is(&b->encr[0], 12, 128) &&
		       alg_is(&b->encr[1], 12, 256));
	CU_ASSERT_TRUE(b->n_integ == 2 && b->integ[0] == 12 && b->integ[1] == 2);
	CU_ASSERT_TRUE(b->n_prf == 2 && b->prf[0] == 5 && b->prf[1] == 2 && b->n_dh == 3);
	CU_ASSERT_EQUAL_FATAL(p->n_children, 1);
	CU_ASSERT_TRUE(all->remote_dynamic && all->n_remote_ts == 0);
	/* The pool is IPv6, so local_ts defaults to ::/0 alone. */
	CU_ASSERT_EQUAL_FATAL(all->n_local_ts, 1);
	check_ts(&all->local_ts[0], "::/0", 0, 0, 65535);
	CU_ASSERT_TRUE(all->rekey_time == 3600 && all->life_time == 3960);
	CU_ASSERT_EQUAL_FATAL(all->n_esp, 2);
	CU_ASSERT_TRUE(all->esp[0].n_encr == 2 && all->esp[0].n_esn == 1 &&
		       all->esp[0].esn[0] == 0 && all->esp[0].n_dh == 0);
	CU_ASSERT_TRUE(all->esp[1].n_integ == 2 && all->esp[1].integ[0] == 12 &&
		       all->esp[1].n_prf == 0);
}

/* A dual-stack remote-access peer: one pool of each family, dynamic remote side. */
static void test_ike_dual_stack_pools(void)
{
	static const char yaml[] = IKE_POOLS3 PEER("p") "      pool: [ra6, ra]\n" CHILD_C
							"          remote_ts: dynamic\n";
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	int rc = cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err));

	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  dual-stack pools: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 1);
	const struct cfg_ike_peer *p = &cfg->ike_peers[0];
	CU_ASSERT_TRUE(p->pool == 0 && p->pool6 == 2);
	CU_ASSERT_EQUAL(cfg->ike_pools[2].prefix.family, AF_INET6);
	CU_ASSERT_EQUAL(cfg->ike_pools[2].prefix.plen, 64);
	/* the pools' families: local_ts defaults to any address of both */
	CU_ASSERT_TRUE(p->children[0].remote_dynamic && p->children[0].n_remote_ts == 0);
	CU_ASSERT_EQUAL_FATAL(p->children[0].n_local_ts, 2);
	check_ts(&p->children[0].local_ts[0], "0.0.0.0/0", 0, 0, 65535);
	check_ts(&p->children[0].local_ts[1], "::/0", 0, 0, 65535);
	cfg_free(cfg);
}

static void test_ike_good(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	int rc = cfg_load_buffer("t.yaml", ike_full_yaml, strlen(ike_full_yaml), &cfg, err,
				 sizeof(err));

	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  ike: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(cfg->legacy_used); /* 3des and md5 in the ESP proposal of net */
	check_pools(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 2);
	check_spoke1(&cfg->ike_peers[0]);
	check_spoke1_children(&cfg->ike_peers[0]);
	check_road(&cfg->ike_peers[1]);
	CU_ASSERT_EQUAL_FATAL(cfg->n_tunnels, 1);
	CU_ASSERT_TRUE(cfg->tunnels[0].sa_out == -1 && cfg->tunnels[0].n_sa_in == 0);
	cfg_free(cfg);
}

/*
 * Every algorithm a proposal accepts is one crypto/ implements for IKE (ike_sk.h, ike_prf.h,
 * ike_dh.h): the loader does not link crypto/, so this is where the two lists meet.
 */
static void test_ike_algs_implemented(void)
{
	static const char yaml[] =
		IKE_PEERS PEER("p") "      ike:\n"
				    "        - aes128-aes256-sha1-sha256-sha384-sha512-prfsha1-"
				    "prfsha256-prfsha384-prfsha512-modp2048-modp3072-modp4096-"
				    "ecp256-ecp384-ecp521-x25519\n"
				    "        - aes128gcm16-aes256gcm16-chacha20poly1305-prfsha256-"
				    "curve25519\n" CHILD_C
				    "          esp: aes128-sha512-ecp521-modp4096\n";
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	const struct cfg_ike_proposal *q;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  ike algorithms: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->ike_peers[0].n_ike, 2);
	q = &cfg->ike_peers[0].ike[0];
	CU_ASSERT_TRUE(q->n_encr == 2 && q->n_integ == 4 && q->n_prf == 4 && q->n_dh == 7);
	CU_ASSERT_EQUAL(cfg->ike_peers[0].ike[1].n_encr, 3);
	for (unsigned int k = 0; k < 2; k++) {
		q = &cfg->ike_peers[0].ike[k];
		for (unsigned int i = 0; i < q->n_encr; i++)
			CU_ASSERT(ike_sk_encr_key_len(q->encr[i].id, q->encr[i].keylen) > 0);
		for (unsigned int i = 0; i < q->n_integ; i++)
			CU_ASSERT(ike_sk_integ_key_len(q->integ[i]) > 0);
		for (unsigned int i = 0; i < q->n_prf; i++)
			CU_ASSERT(ike_prf_len(q->prf[i]) > 0);
		for (unsigned int i = 0; i < q->n_dh; i++)
			CU_ASSERT_TRUE(ike_dh_supported(q->dh[i]));
	}
	q = &cfg->ike_peers[0].children[0].esp[0];
	CU_ASSERT_TRUE(q->n_dh == 2 && ike_dh_supported(q->dh[0]) && ike_dh_supported(q->dh[1]));
	cfg_free(cfg);
}

/*
 * A legacy IKEv1 Phase 1 (a Cisco spoke's "encr 3des, hash md5, group 2"): with ipsec.legacy and
 * version: 1 (written after the proposals) 3des, md5 (and its PRF), prfmd5, modp1024 and
 * modp1536 load as their IKEv2 IDs, crypto/ implements the PRF and the groups, and the warning
 * flag is set.
 */
static void test_ike_legacy_v1(void)
{
	static const char yaml[] =
		IKE_P("[3des-md5-modp1024, aes128-sha1-prfmd5-modp1536]\n      version: 1")
			IPSEC_LEGACY;
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	const struct cfg_ike_proposal *q;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  legacy IKEv1: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_TRUE(cfg->legacy_used);
	CU_ASSERT_EQUAL(cfg->ike_peers[0].version, 1);
	CU_ASSERT_EQUAL_FATAL(cfg->ike_peers[0].n_ike, 2);
	q = &cfg->ike_peers[0].ike[0]; /* ENCR_3DES, AUTH_HMAC_MD5_96 and PRF_HMAC_MD5, group 2 */
	CU_ASSERT_TRUE(q->n_encr == 1 && alg_is(&q->encr[0], 3, 0));
	CU_ASSERT_TRUE(q->n_integ == 1 && q->integ[0] == 1);
	CU_ASSERT_TRUE(q->n_prf == 1 && q->prf[0] == 1 && ike_prf_len(q->prf[0]) == 16);
	CU_ASSERT_TRUE(q->n_dh == 1 && q->dh[0] == 2 && ike_dh_supported(q->dh[0]));
	q = &cfg->ike_peers[0].ike[1];
	CU_ASSERT_TRUE(q->n_encr == 1 && alg_is(&q->encr[0], 12, 128));
	CU_ASSERT_TRUE(q->n_integ == 1 && q->integ[0] == 2);
	CU_ASSERT_TRUE(q->n_prf == 1 && q->prf[0] == 1); /* named: no PRF from sha1 */
	CU_ASSERT_TRUE(q->n_dh == 1 && q->dh[0] == 5 && ike_dh_supported(q->dh[0]));
	cfg_free(cfg);
}

/* The example: a static VTI keyed by IKE, a remote-access peer with a pool. */
static void test_ike_example(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	const struct cfg_ike_peer *p;

	CU_ASSERT_EQUAL(cfg_load_file(EXAMPLES_DIR "/ike-psk-vti.yaml", &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  ike example: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 2);
	CU_ASSERT_EQUAL_FATAL(cfg->n_tunnels, 1);
	CU_ASSERT_TRUE(cfg->tunnels[0].sa_out == -1 && cfg->tunnels[0].n_sa_in == 0);
	p = &cfg->ike_peers[0];
	CU_ASSERT_TRUE(p->initiate && p->remote_id.type == CFG_IKE_ID_FQDN);
	CU_ASSERT_TRUE(p->psk_len >= 16 && p->n_ike == 2);
	CU_ASSERT_TRUE(p->n_children == 1 && p->children[0].tunnel == 0);
	CU_ASSERT_TRUE(p->children[0].n_esp == 2 && p->children[0].esp[1].esn[0] == 1);
	CU_ASSERT_EQUAL(p->children[0].life_time, 3960);
	p = &cfg->ike_peers[1];
	CU_ASSERT_TRUE(p->remote.family == 0 && p->pool == 0 && p->psk_len >= 16);
	CU_ASSERT_TRUE(p->children[0].remote_dynamic && p->children[0].n_local_ts == 1);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_pools, 1);
	CU_ASSERT_TRUE(cfg->ike_pools[0].n_dns == 1 && cfg->ike_pools[0].n_split == 1);
	CU_ASSERT_EQUAL_FATAL(cfg->n_routes, 1);
	check_tun_route(&cfg->routes[0], "10.20.0.0/24", "", 0);
	CU_ASSERT_FALSE(cfg->legacy_used);
	cfg_free(cfg);
}

/*
 * A test PKI for the certificate example, as its header comment builds one: a self-signed
 * EC P-256 CA and a hub certificate it signs with subjectAltName DNS:hub.example.com.
 */
static X509 *pki_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *n = x != NULL ? X509_get_subject_name(x) : NULL;
	X509V3_CTX v3;
	bool ok =
		n != NULL && X509_set_version(x, 2) == 1 &&
		ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2) == 1 &&
		X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
		X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL &&
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Example",
					   -1, -1, 0) == 1 &&
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					   0) == 1 &&
		X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n) == 1 &&
		X509_set_pubkey(x, key) == 1;
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	const char *ext[][2] = {
		{"basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE"},
		{"keyUsage", ca ? "critical,keyCertSign,cRLSign" : "digitalSignature"},
		{"subjectAltName", ca ? NULL : "DNS:hub.example.com"}};
	for (size_t i = 0; ok && i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (ext[i][1] == NULL)
			continue;
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, ext[i][0], ext[i][1]);
		ok = e != NULL && X509_add_ext(x, e, -1) == 1;
		X509_EXTENSION_free(e);
	}
	if (ok && X509_sign(x, ikey, EVP_sha256()) > 0)
		return x;
	X509_free(x);
	return NULL;
}

static bool pki_write(const char *dir, const char *name, X509 *x, EVP_PKEY *k)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/pki/%s", dir, name);
	FILE *f = fopen(path, "w");
	bool ok = f != NULL &&
		  (x != NULL ? PEM_write_X509(f, x)
			     : PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)) == 1;
	if (f != NULL)
		ok = fclose(f) == 0 && ok;
	return ok;
}

/* The example copied into dir with pki/ca.pem, pki/hub.pem and pki/hub.key beside it. */
static bool pki_make(const char *dir, const char *example)
{
	char path[512];
	EVP_PKEY *cak = EVP_EC_gen("P-256"), *hubk = EVP_EC_gen("P-256");
	X509 *ca = cak != NULL ? pki_cert(cak, "Example VPN CA", NULL, cak, true) : NULL;
	X509 *hub = ca != NULL && hubk != NULL ? pki_cert(hubk, "hub.example.com", ca, cak, false)
					       : NULL;
	snprintf(path, sizeof(path), "%s/pki", dir);
	bool ok = hub != NULL && mkdir(path, 0700) == 0 && pki_write(dir, "ca.pem", ca, NULL) &&
		  pki_write(dir, "hub.pem", hub, NULL) && pki_write(dir, "hub.key", NULL, hubk);
	snprintf(path, sizeof(path), "%s/%s", dir, example);
	FILE *in = fopen(EXAMPLES_DIR "/" CERT_EXAMPLE, "r"), *out = fopen(path, "w");
	char buf[4096];
	size_t n;
	ok = ok && in != NULL && out != NULL;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		ok = fclose(out) == 0 && ok;
	X509_free(ca);
	X509_free(hub);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(hubk);
	return ok;
}

static void pki_remove(const char *dir, const char *example)
{
	static const char *const files[] = {"pki/ca.pem", "pki/hub.pem", "pki/hub.key", "pki", ""};
	/* "" last: the directory itself */
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, example);
	unlink(path);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		remove(path);
	}
}

/* The example loaded from a copy beside a fresh test PKI; path gets the copy's name. */
static int load_with_pki(struct config **cfg, char *path, size_t size, char *err, size_t errlen)
{
	char dir[] = "/tmp/vpnhub-cert-example-XXXXXX";
	int rc = -EIO;

	*cfg = NULL;
	if (mkdtemp(dir) == NULL)
		return -errno;
	snprintf(path, size, "%s/" CERT_EXAMPLE, dir);
	if (pki_make(dir, CERT_EXAMPLE))
		rc = cfg_load_file(path, cfg, err, errlen);
	else
		snprintf(err, errlen, "%s: test PKI not made", dir);
	pki_remove(dir, CERT_EXAMPLE);
	return rc;
}

/* The certificate example: two branches on static VTIs, auth: pubkey with the hub's cert. */
static void test_ike_cert_example(void)
{
	char path[512], err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	const struct cfg_ike_peer *p;
	int rc = load_with_pki(&cfg, path, sizeof(path), err, sizeof(err));

	CU_ASSERT_EQUAL(rc, 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  ike cert example: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 2);
	CU_ASSERT_EQUAL(cfg->n_tunnels, 2);
	p = &cfg->ike_peers[0];
	CU_ASSERT_TRUE(p->auth == CFG_IKE_AUTH_PUBKEY && p->initiate && p->psk_len == 0);
	CU_ASSERT_EQUAL(p->local_id.type, CFG_IKE_ID_DN); /* the certificate's subject */
	CU_ASSERT_TRUE(p->remote_id.type == CFG_IKE_ID_FQDN && p->remote_id.len == 19 &&
		       memcmp(p->remote_id.data, "branch1.example.com", 19) == 0);
	CU_ASSERT_TRUE(p->n_children == 1 && p->children[0].tunnel == 0);
	p = &cfg->ike_peers[1];
	CU_ASSERT_TRUE(p->auth == CFG_IKE_AUTH_PUBKEY && !p->initiate);
	CU_ASSERT_TRUE(p->local_id.type == CFG_IKE_ID_FQDN && p->local_id.len == 15);
	CU_ASSERT_TRUE(p->n_children == 1 && p->children[0].tunnel == 1);
	CU_ASSERT_EQUAL(cfg->n_routes, 2);
	cfg_free(cfg);
}

/* n remote-access peers told apart by their IDs; peer i on line 8 + i. */
static void gen_peers(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, IKE_PEERS);
	for (unsigned int i = 0; i < n; i++)
		put(t,
		    "    - {name: p%u, local: 10.0.0.1, remote: any, remote_id: "
		    "'fqdn:p%u.example', "
		    "psk: " PSK16 ", children: [{name: c}]}\n",
		    i, i);
}

/* n pools of a /24 each in 172.16.0.0/16; pool i on line 8 + i. */
static void gen_pools(struct text *t, unsigned int n)
{
	text_init(t);
	put(t, IFACE_V4 "ike:\n  pools:\n");
	for (unsigned int i = 0; i < n; i++)
		put(t, "    - {name: r%u, prefix: 172.16.%u.0/24}\n", i, i);
}

/*
 * ike.proposals and ike.templates (config_ike_tmpl.c): lines 1-5 are IFACE_V4 (lan0 with
 * 10.0.0.1), then the named lists (lines 8-9), template branch (11-18) and two peers (20-26).
 */
#define SHARED(tref, dpd, list2)                                                     \
	IFACE_V4 "ike:\n  proposals:\n"                                              \
		 "    modern: [aes256gcm16-prfsha384-ecp384, " list2 "]\n"           \
		 "    esp_modern: aes256gcm16\n"                                     \
		 "  templates:\n    - name: branch\n      local: 10.0.0.1\n"         \
		 "      psk: " PSK16 "\n      ike: modern\n      " dpd ": 7\n"       \
		 "      children:\n        - name: lan\n          esp: esp_modern\n" \
		 "  peers:\n    - name: b1\n      template: " tref "\n"              \
		 "      remote: 10.0.0.2\n    - name: b2\n      template: branch\n"  \
		 "      remote: 10.0.0.3\n      dpd_delay: 9\n"
#define SHARED_OK SHARED("branch", "dpd_delay", "aes128gcm16-prfsha256-x25519")

static void test_ike_shared(void)
{
	static const char ok[] = SHARED_OK;
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", ok, strlen(ok), &cfg, err, sizeof(err)), 0);
	if (cfg == NULL)
		fprintf(stderr, "\n  templates: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(cfg->n_ike_peers, 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct cfg_ike_peer *p = &cfg->ike_peers[i];
		CU_ASSERT_EQUAL(p->n_ike, 2); /* the named list */
		CU_ASSERT_EQUAL(p->ike[0].encr[0].keylen, 256);
		CU_ASSERT_EQUAL(p->ike[1].encr[0].keylen, 128);
		CU_ASSERT_EQUAL(p->psk_len, 16);
		CU_ASSERT_STRING_EQUAL(prefix_str(&p->local), "10.0.0.1/32");
		CU_ASSERT_EQUAL_FATAL(p->n_children, 1);
		CU_ASSERT_STRING_EQUAL(p->children[0].name, "lan");
		CU_ASSERT_EQUAL(p->children[0].n_esp, 1);
		CU_ASSERT_EQUAL(p->children[0].esp[0].encr[0].keylen, 256);
		CU_ASSERT_EQUAL(p->line, i == 0 ? 20 : 23);
	}
	CU_ASSERT_STRING_EQUAL(cfg->ike_peers[0].name, "b1");
	CU_ASSERT_STRING_EQUAL(prefix_str(&cfg->ike_peers[1].remote), "10.0.0.3/32");
	CU_ASSERT_EQUAL(cfg->ike_peers[0].dpd_delay, 7); /* the template's */
	CU_ASSERT_EQUAL(cfg->ike_peers[1].dpd_delay, 9); /* its own */
	cfg_free(cfg);
	static const struct bad_case bad[] = {
		{"unknown template", SHARED("nope", "dpd_delay", "aes128gcm16-prfsha256-x25519"),
		 "t.yaml:21:17: ", "'template' names unknown template 'nope'"},
		{"a key no peer takes", SHARED("branch", "colour", "aes128gcm16-prfsha256-x25519"),
		 "t.yaml:15:7: ", "unknown key 'colour' in template branch"},
		{"a template naming a template",
		 SHARED("branch", "template", "aes128gcm16-prfsha256-x25519"),
		 "t.yaml:15:7: ", "unknown key 'template' in template branch"},
		{"a bad proposal in a named list, where it is written",
		 SHARED("branch", "dpd_delay", "aes999-prfsha256-x25519"),
		 "t.yaml:8:44: ", "'ike': unknown algorithm 'aes999'"},
		{"a legacy proposal in a named list, an IKEv2 peer's",
		 SHARED("branch", "dpd_delay", "3des-md5-modp1024") IPSEC_LEGACY,
		 "t.yaml:8:44: ", "'ike': 3des is a legacy algorithm: IKEv1 peers only (this peer"},
		{"a template without a name",
		 IFACE_V4 "ike:\n  templates:\n    - {local: 10.0.0.1}\n",
		 "t.yaml:8:7: ", "missing required key 'name' in a template"},
		{"a template twice",
		 IFACE_V4 "ike:\n  templates:\n    - {name: t}\n    - {name: t}\n",
		 "t.yaml:9:14: ", "template t is defined twice"},
		{"proposals a sequence", IFACE_V4 "ike:\n  proposals: [aes128gcm16]\n",
		 "t.yaml:7:14: ", "'proposals' must be a mapping of names to proposal lists"},
		{"a key that is no scalar, in a peer with a template",
		 IFACE_V4 "ike:\n  templates:\n    - {name: t, local: 10.0.0.1}\n  peers:\n"
			  "    - name: p\n      template: t\n      ? [x]\n      : y\n",
		 "t.yaml:12:9: ", "keys must be scalars, not a sequence"},
		{"a proposal list name", IFACE_V4 "ike:\n  proposals: {9x: aes128gcm16}\n",
		 "t.yaml:7:15: ", "a proposal list's name must be a letter"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].what, bad[i].yaml, strlen(bad[i].yaml), bad[i].pos, bad[i].msg);
}

/* ike.limits (ike_guard.c): the caps on the IKE SAs peers open, their defaults and checks. */
static void test_ike_admission(void)
{
	static const char good[] = IFACE_V4 "ike:\n  limits: {half_open_max: 100, "
					    "cookie_threshold: 0, per_source_max: 3}\n";
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL(
		cfg_load_buffer("t.yaml", IFACE_V4, strlen(IFACE_V4), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ike_limits.sa_max, 16384);
	CU_ASSERT_EQUAL(cfg->ike_limits.half_open_max, 1024);
	CU_ASSERT_EQUAL(cfg->ike_limits.cookie_threshold, 64);
	CU_ASSERT_EQUAL(cfg->ike_limits.per_source_max, 256);
	CU_ASSERT_EQUAL(cfg->ike_limits.per_source_rate, 50);
	cfg_free(cfg);
	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", good, strlen(good), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ike_limits.half_open_max, 100);
	CU_ASSERT_EQUAL(cfg->ike_limits.cookie_threshold, 0);
	CU_ASSERT_EQUAL(cfg->ike_limits.per_source_max, 3);
	cfg_free(cfg);
	expect_error("cookies above the cap",
		     IFACE_V4 "ike:\n  limits: {half_open_max: 10, cookie_threshold: 20}\n",
		     strlen(IFACE_V4 "ike:\n  limits: {half_open_max: 10, cookie_threshold: 20}\n"),
		     "t.yaml:7:49: ", "'cookie_threshold' 20 is above 'half_open_max' 10");
	expect_error("no half-open SA at all", IFACE_V4 "ike:\n  limits: {half_open_max: 0}\n",
		     strlen(IFACE_V4 "ike:\n  limits: {half_open_max: 0}\n"),
		     "t.yaml:7:27: ", "'half_open_max'");
	expect_error("above the table", IFACE_V4 "ike:\n  limits: {per_source_max: 16385}\n",
		     strlen(IFACE_V4 "ike:\n  limits: {per_source_max: 16385}\n"),
		     "t.yaml:7:28: ", "'per_source_max'");
	expect_error("unknown limit", IFACE_V4 "ike:\n  limits: {sa_cap: 5}\n",
		     strlen(IFACE_V4 "ike:\n  limits: {sa_cap: 5}\n"),
		     "t.yaml:7:12: ", "unknown key 'sa_cap' in ike.limits");
}

/* Line 14 after IKE_OK: ike.redirect with mapping x, which starts at col 13. */
#define RD(x) IKE_OK "  redirect: " x "\n"

/* ike.redirect (RFC 5685, ike_redirect.c): its values, defaults and every refusal's position. */
static void test_ike_redirect(void)
{
	static const char v4[] = RD("{to: 192.0.2.9, when: load, load_threshold: 10, peers: [p]}");
	static const char v6[] = RD("{to: '2001:db8::9'}");
	static const uint8_t gw4[4] = {192, 0, 2, 9};
	static const uint8_t gw6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 9};
	static const struct {
		const char *what, *yaml, *pos, *msg;
	} bad[] = {
		{"an FQDN", RD("{to: gw.example.net}"), "t.yaml:14:18: ",
		 "'to' gw.example.net is a name: give the gateway's IPv4 or IPv6 address"},
		{"the hub itself", RD("{to: 10.0.0.1}"),
		 "t.yaml:14:18: ", "'to' 10.0.0.1 is an address of this hub"},
		{"a prefix", RD("{to: 192.0.2.9/24}"),
		 "t.yaml:14:18: ", "'to' '192.0.2.9/24' is not an address"},
		{"multicast", RD("{to: 224.0.0.5}"),
		 "t.yaml:14:18: ", "'to' is a multicast address"},
		{"no gateway", RD("{when: always}"),
		 "t.yaml:14:13: ", "missing required key 'to' in ike.redirect"},
		{"when what", RD("{to: 192.0.2.9, when: sometimes}"),
		 "t.yaml:14:35: ", "'when' must be always or load"},
		{"load without threshold", RD("{to: 192.0.2.9, when: load}"),
		 "t.yaml:14:35: ", "'when: load' needs a 'load_threshold'"},
		{"threshold without load", RD("{to: 192.0.2.9, load_threshold: 5}"),
		 "t.yaml:14:45: ", "'load_threshold' goes with 'when: load' only"},
		{"threshold 0", RD("{to: 192.0.2.9, when: load, load_threshold: 0}"),
		 "t.yaml:14:57: ", "'load_threshold'"},
		{"threshold above the table",
		 RD("{to: 192.0.2.9, when: load, load_threshold: 16385}"),
		 "t.yaml:14:57: ", "'load_threshold'"},
		{"unknown peer", RD("{to: 192.0.2.9, peers: [q]}"),
		 "t.yaml:14:37: ", "'peers' names unknown peer 'q'"},
		{"a peer twice", RD("{to: 192.0.2.9, peers: [p, p]}"),
		 "t.yaml:14:40: ", "'peers' lists peer p twice"},
		{"no peers", RD("{to: 192.0.2.9, peers: []}"),
		 "t.yaml:14:36: ", "'peers' is empty"},
		{"unknown key", RD("{to: 192.0.2.9, via: x}"),
		 "t.yaml:14:29: ", "unknown key 'via' in ike.redirect"},
		{"not a mapping", RD("[192.0.2.9]"),
		 "t.yaml:14:13: ", "expected a mapping in ike.redirect"},
	};
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", IKE_OK, strlen(IKE_OK), &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ike_redirect.when, CFG_IKE_REDIRECT_OFF);
	cfg_free(cfg);
	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", v4, strlen(v4), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ike_redirect.when, CFG_IKE_REDIRECT_LOAD);
	CU_ASSERT_EQUAL(cfg->ike_redirect.load_threshold, 10);
	CU_ASSERT_EQUAL(cfg->ike_redirect.to.family, AF_INET);
	CU_ASSERT_EQUAL(memcmp(cfg->ike_redirect.to.bytes, gw4, 4), 0);
	CU_ASSERT_FALSE(cfg->ike_redirect.all_peers);
	CU_ASSERT_TRUE(cfg_ike_redirect_peer(&cfg->ike_redirect, 0));
	CU_ASSERT_FALSE(cfg_ike_redirect_peer(&cfg->ike_redirect, 1));
	CU_ASSERT_EQUAL(cfg->ike_redirect.line, 14);
	cfg_free(cfg);
	CU_ASSERT_EQUAL(cfg_load_buffer("t.yaml", v6, strlen(v6), &cfg, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->ike_redirect.when, CFG_IKE_REDIRECT_ALWAYS);
	CU_ASSERT_EQUAL(cfg->ike_redirect.to.family, AF_INET6);
	CU_ASSERT_EQUAL(memcmp(cfg->ike_redirect.to.bytes, gw6, 16), 0);
	CU_ASSERT_TRUE(cfg->ike_redirect.all_peers);
	CU_ASSERT_TRUE(cfg_ike_redirect_peer(&cfg->ike_redirect, 0));
	cfg_free(cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i].what, bad[i].yaml, strlen(bad[i].yaml), bad[i].pos, bad[i].msg);
}

static void test_ike_limits(void)
{
	char err[CFG_ERR_MAX] = "";
	struct config *cfg = NULL;
	struct text t;

	gen_peers(&t, CFG_IKE_PEERS_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_ike_peers, CFG_IKE_PEERS_MAX);
	CU_ASSERT_EQUAL(cfg->ike_peers[1023].line, 8 + 1023);
	CU_ASSERT_EQUAL(cfg->ike_peers[1023].remote_id.len, strlen("p1023.example"));
	cfg_free(cfg);
	free(t.s);
	gen_peers(&t, CFG_IKE_PEERS_MAX + 1);
	expect_error("1025 peers", t.s, t.len, "t.yaml:1032:7: ", "more than 1024 peers");
	free(t.s);
	gen_pools(&t, CFG_IKE_POOLS_MAX);
	CU_ASSERT_EQUAL(load_text(&t, &cfg, err), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(cfg->n_ike_pools, CFG_IKE_POOLS_MAX);
	cfg_free(cfg);
	free(t.s);
	gen_pools(&t, CFG_IKE_POOLS_MAX + 1);
	expect_error("65 pools", t.s, t.len, "t.yaml:72:7: ", "more than 64 pools");
	free(t.s);
}

/* A pre-shared key never reaches a message, whatever is wrong with it or around it. */
static void test_psk_not_echoed(void)
{
	static const char *const lines[] = {
		"psk: c0ffeec0ffee\n",
		"psk: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeeZZ\n",
		"psk: 0xc0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec\n",
		"psk: [c0ffeec0ffeec0ffeec0ffee]\n",
		"psk: {c0ffeec0ffeec0ffeec0ffee: 1}\n",
		"psk: c0ffeec0ffeec0ffeec0ffee\n      psk: c0ffeec0ffeec0ffeec0ffee\n",
		"psk: c0ffeec0ffeec0ffeec0ffee\n      psk_file: /nonexistent\n",
		"psk: c0ffeec0ffeec0ffeec0ffee\n      auth: pubkey\n",
		"psk: c0ffeec0ffeec0ffeec0ffee\n      mobike: true\n",
		"psk: c0ffeec0ffeec0ffeec0ffee\n      jitter: 99\n",
		"auth: c0ffeec0ffeec0ffeec0ffee\n",
		"pks: c0ffeec0ffeec0ffeec0ffee\n",
	};
	char yaml[1024], err[CFG_ERR_MAX];
	struct config *cfg;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(yaml, sizeof(yaml),
			 IKE_PEERS "    - name: p\n      local: 10.0.0.1\n      remote: 10.0.0.2\n"
				   "      %s" CHILD_C,
			 lines[i]);
		err[0] = '\0';
		CU_ASSERT(cfg_load_buffer("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof(err)) <
			  0);
		CU_ASSERT(err[0] != '\0');
		CU_ASSERT_PTR_NULL(strcasestr(err, "c0ffee"));
		if (strcasestr(err, "c0ffee") != NULL)
			fprintf(stderr, "\n  psk %zu echoed: %s\n", i, err);
	}
}

/* hub.yaml: peer p whose key is read from file (line 11, col 17). */
static void write_psk_hub(struct keydir *kd, const char *file)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 IKE_PEERS "    - name: p\n      local: 10.0.0.1\n      remote: 10.0.0.2\n"
			   "      psk_file: %s\n" CHILD_C,
		 file);
	write_str(kd, "hub.yaml", yaml);
	snprintf(kd->path, sizeof(kd->path), "%s/hub.yaml", kd->dir);
}

static void test_psk_files(void)
{
	struct keydir kd = {.dir = "/tmp/vpnhub-psk-XXXXXX"};
	char err[CFG_ERR_MAX] = "", file[128];
	struct config *cfg = NULL;
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(kd.dir));
	/* Relative to the config's directory; blanks and the line end are trimmed; 0x is hex. */
	write_str(&kd, "p.psk",
		  "\n 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\r\n");
	write_psk_hub(&kd, "p.psk");
	rc = cfg_load_file(kd.path, &cfg, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "\n  psk file: %s\n", err);
	if (cfg != NULL) {
		CU_ASSERT_TRUE(key_is(cfg->ike_peers[0].psk, cfg->ike_peers[0].psk_len, 32, 0x00));
		cfg_free(cfg);
	}
	write_str(&kd, "p.psk", "a pass phrase of 24 byte\n");
	CU_ASSERT_EQUAL(cfg_load_file(kd.path, &cfg, err, sizeof(err)), 0);
	if (cfg != NULL) {
		CU_ASSERT_TRUE(cfg->ike_peers[0].psk_len == 24 &&
			       memcmp(cfg->ike_peers[0].psk, "a pass phrase of 24 byte", 24) == 0);
		cfg_free(cfg);
	}
	write_str(&kd, "p.psk", "\n\t \n");
	expect_file_error(&kd, 11, 17, "'psk_file' 'p.psk' is empty");
	write_str(&kd, "p.psk", "fifteen bytes!!\n");
	expect_file_error(&kd, 11, 17, "'psk_file' 'p.psk' is 15 bytes: a pre-shared key needs");
	write_str(&kd, "p.psk", "  0x0001020304050607080g0a0b0c0d0e0f\n");
	expect_file_error(&kd, 11, 17, "is not hex after 0x: character 24 is not a hex digit");
	write_psk_hub(&kd, "missing.psk");
	expect_file_error(&kd, 11, 17, "'psk_file' 'missing.psk' cannot be read");
	snprintf(file, sizeof(file), "%s/p.psk", kd.dir);
	unlink(file);
	unlink(kd.path);
	CU_ASSERT_EQUAL(rmdir(kd.dir), 0);
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
		{"ipsec and tunnels", test_ipsec_good},
		{"ipsec legacy flag", test_ipsec_legacy_flag},
		{"keys never echoed", test_key_not_echoed},
		{"key files", test_key_files},
		{"SA limit", test_many_sas},
		{"tunnel limit", test_many_tunnels},
		{"ipsec example values", test_ipsec_examples},
		{"crypto maps", test_cmap_good},
		{"crypto map limits", test_cmap_limits},
		{"crypto map example values", test_cmap_example},
		{"crypto maps keyed by IKE", test_cmap_ike},
		{"ike error table", test_ike_bad_table},
		{"ike dual-stack pools", test_ike_dual_stack_pools},
		{"ike values", test_ike_good},
		{"ike algorithms implemented", test_ike_algs_implemented},
		{"ike legacy IKEv1 proposals", test_ike_legacy_v1},
		{"ike example values", test_ike_example},
		{"ike certificate example", test_ike_cert_example},
		{"ike limits", test_ike_limits},
		{"ike admission limits", test_ike_admission},
		{"ike redirect", test_ike_redirect},
		{"ike templates and named proposals", test_ike_shared},
		{"pre-shared keys never echoed", test_psk_not_echoed},
		{"pre-shared key files", test_psk_files},
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
