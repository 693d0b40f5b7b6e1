#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/pcap.sh - conf/examples/pcap-replay.yaml as users run it: vpnhub on two
# net_pcap ports reads captures built here with scapy and writes what it sends to capture
# files, with no network and no namespace. The hub must start (net_pcap's own mbuf field leaves
# 24 bytes for vpnhub's), answer the ARP requests in the captures on the control lcore's TX
# queue (the second tx_pcap of each port), and exit 0 on SIGINT.
#
# Output: "ok N - ..." lines, then "pcap: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TMP=$(mktemp -d /tmp/vpnhub-pcap.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

main() {
	t_init pcap
	# the example's paths, moved into the scratch directory; its own instance name
	sed -e "s|/var/tmp/vpnhub/|$TMP/|g" -e "s|name: vpnhub-pcap|name: vhpcap$$|" \
		"$VH_ROOT/conf/examples/pcap-replay.yaml" >"$TMP/hub.yaml"
	"$PY" - "$TMP" <<'PY'
import sys
from scapy.all import ARP, Ether, ICMP, IP, wrpcap
d = sys.argv[1]
host = "02:00:00:00:00:07"
wrpcap(f"{d}/lan0-in.pcap", [
    Ether(src=host, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=host, psrc="10.10.1.2", pdst="10.10.1.1"),
])
wrpcap(f"{d}/wan0-in.pcap", [
    Ether(src="02:00:00:00:00:08", dst="ff:ff:ff:ff:ff:ff")
    / ARP(hwsrc="02:00:00:00:00:08", psrc="203.0.113.2", pdst="203.0.113.1"),
])
PY
	local rc=0 out
	out=$(timeout --preserve-status -s INT 6 "$VPNHUB" -c "$TMP/hub.yaml" 2>&1) || rc=$?
	if grep -q "ready" <<<"$out"; then
		t_ok "vpnhub starts on two net_pcap ports (the example's config)"
	else
		t_not_ok "vpnhub starts on two net_pcap ports (the example's config)" "$out"
	fi
	t_check "SIGINT: exit status 0" test "$rc" -eq 0
	local got
	got=$("$PY" - "$TMP" <<'PY'
import sys
from scapy.all import ARP, rdpcap
d = sys.argv[1]
for side, addr in (("lan0", "10.10.1.1"), ("wan0", "203.0.113.1")):
    replies = [p for p in rdpcap(f"{d}/{side}-ctrl.pcap")
               if ARP in p and p[ARP].op == 2 and p[ARP].psrc == addr]
    print(len(replies), end=" ")
PY
)
	t_check "one ARP reply on each port's control queue (lan0 10.10.1.1, wan0 203.0.113.1)" \
		test "$got" = "1 1 "
	t_done
}

main "$@"
