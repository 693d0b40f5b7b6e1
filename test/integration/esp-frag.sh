#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/esp-frag.sh - outer IP fragments of ESP between two vpnhub instances back to
# back: tunnels whose MTU (1500) exceeds the underlay's (wan0: 1400) minus the ESP overhead, so
# that a large inner packet becomes an outer packet the sending hub fragments after encryption
# (RFC 4303 3.3.4; IPv4 with DF clear, RFC 791; IPv6 by the hub as its source, RFC 8200 4.5) and
# the receiving side reassembles before decryption (RFC 4303 3.4.1). Then a scapy-built peer
# sends fragmented ESP to one hub: in order, out of order, repeated, overlapping, atomic, never
# completed, too many, past 65535, a first fragment too short.
#
#   host-a -- hub-a (vpnhub) == wan veth, MTU 1400 == hub-b (vpnhub) -- host-b
#
# The topology (<p> is a per-run prefix such as ef123; the hubs' instances are <p>-a and <p>-b):
#
#  +---------------------------------------------------------------------------+
#  | host-a                                        netns <p>-a                 |
#  |   eth0      10.10.1.2/24   fd00:a::2/64       default via hub-a           |
#  +-------+-------------------------------------------------------------------+
#          |  veth: host-a eth0 <-> <p>-al (hub-a)
#  +-------+-------------------------------------------------------------------+
#  | hub-a: vpnhub <p>-a                           netns <p>-ha                |
#  |   <p>-al = net_af_packet0 = lan0   10.10.1.1/24     fd00:a::1/64          |
#  |   <p>-aw = net_af_packet1 = wan0   203.0.113.1/24   fd00:f::1/64, MTU 1400|
#  |   vti1 (MTU 1500) over IPv4: 10.20.0.0/24         SPI 0x3101 out, 0x3201 in|
#  |   vti2 (MTU 1500) over IPv6: fd00:b::/64          SPI 0x3102 out, 0x3202 in|
#  |   injector (scapy peer): raw packet socket on <p>-aw, hub-a stopped       |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-aw (hub-a) <-> <p>-bw (hub-b): ESP and its fragments
#  +-------+-------------------------------------------------------------------+
#  | hub-b: vpnhub <p>-b                           netns <p>-hb                |
#  |   <p>-bw = net_af_packet1 = wan0   203.0.113.2/24   fd00:f::2/64, MTU 1400|
#  |   <p>-bl = net_af_packet0 = lan0   10.20.0.1/24     fd00:b::1/64          |
#  |   vti1, vti2: the mirror image of hub-a's                                 |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-bl (hub-b) <-> host-b eth0
#  +-------+-------------------------------------------------------------------+
#  | host-b                                        netns <p>-b                 |
#  |   eth0      10.20.0.2/24   fd00:b::2/64       default via hub-b           |
#  +---------------------------------------------------------------------------+
#
# Who reassembles: the af_packet PMD joins its sockets to a fanout group with
# PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles IPv4 fragments before a hub reads them
# (the hub counts one frame on wan0 per datagram); IPv6 fragments reach the hub as they are and
# its workers reassemble them (rte_ip_frag, dataplane/frag.c): wan0 counts every fragment, the
# tunnel one packet per datagram. The unit suite "frag" runs IPv4 reassembly through the worker.
# The hub namespaces' kernels stay silent (no addresses, IPv6 off); hosts' TX offloads are off.
#
# Scenarios:
#   1  pings of several sizes both ways through vti1 (IPv4 in IPv4) and vti2 (IPv6 in IPv6): every
#      echo answered, exact counters on both hubs (SA packets, frames sent and received on wan0 =
#      fragments per packet, tunnel packets, no drop), and the fragment counters of /vpnhub/stats:
#      packets fragmented and fragments made by the sender, fragments taken in and datagrams
#      reassembled by the receiver (IPv6 only: the kernel reassembles IPv4 for af_packet)
#   2  1400-byte-payload UDP streams host-a -> host-b through each tunnel: all delivered once, in
#      order; exact counters, the fragment counters too; a capture of the WAN holds exactly 2
#      fragments per datagram
#   3  SIGTERM hub-a; the scapy peer sends fragmented ESP (sealed with hub-a's keys) to hub-b,
#      every case with its exact counter deltas (frag_in and frag_reassembled included);
#      SIGTERM hub-b (exit 0, clean logs)
#
# Output: "ok N - ..." / "not ok N - ..." lines, then "esp-frag: N passed, N failed"; exit status 1
# if anything failed. Binaries from build/ or $VPNHUB_BUILD, as for basic.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

A_LAN4=10.10.1.1
A_LAN6=fd00:a::1
HOST_A4=10.10.1.2
HOST_A6=fd00:a::2
B_LAN4=10.20.0.1
B_LAN6=fd00:b::1
HOST_B4=10.20.0.2
HOST_B6=fd00:b::2
A_WAN4=203.0.113.1
B_WAN4=203.0.113.2
A_WAN6=fd00:f::1
B_WAN6=fd00:f::2
A_VTI4=172.16.0.1
B_VTI4=172.16.0.2
WAN_MTU=1400
PORT=9000
STREAM=1000 # datagrams per stream
PAYLOAD=1400

SPI_AB4=0x00003101
SPI_BA4=0x00003201
SPI_AB6=0x00003102
SPI_BA6=0x00003202
# AES-128 key, then the 4-byte salt: counting patterns, a different one per SA.
KEY_AB4=0x000102030405060708090a0b0c0d0e0fa0a1a2a3
KEY_BA4=0x101112131415161718191a1b1c1d1e1fb0b1b2b3
KEY_AB6=0x202122232425262728292a2b2c2d2e2fc0c1c2c3
KEY_BA6=0x303132333435363738393a3b3c3d3e3fd0d1d2d3

P=
TMP=
TOOL=
CAPS=()

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	trap '' PIPE
	set +e
	hubs_stop_all 5
	cap_stop
	local job
	for job in $(jobs -p); do
		kill "$job" 2>/dev/null
	done
	if [[ -n $P ]]; then
		topo_down
		local inst
		for inst in "$P-a" "$P-b"; do
			[[ -d /var/run/dpdk/$inst ]] && rm -rf "/var/run/dpdk/$inst"
		done
	fi
	[[ -n $TMP ]] && rm -rf "$TMP"
	exit "$rc"
}

die() {
	echo "esp-frag: $*" >&2
	exit 1
}

preflight() {
	local f
	((EUID == 0)) || die "must run as root (network namespaces)"
	for f in "$VPNHUB" "$VPNHUBCTL"; do
		[[ -x $f ]] || die "$f is not built (ninja -C ${VH_BUILD#"$VH_ROOT"/})"
	done
	for f in ethtool dumpcap; do
		command -v "$f" >/dev/null || die "$f is missing (scripts/bootstrap.sh installs it)"
	done
	"$PY" -c 'import cryptography, scapy.layers.ipsec' 2>/dev/null ||
		die "$PY lacks scapy or cryptography (apt-get install python3-scapy python3-cryptography)"
}

pick_prefix() {
	local n=$(($$ % 1000)) i ns
	for ((i = 0; i < 1000; i++)); do
		P=ef$(((n + i) % 1000))
		for ns in ha hb a b; do
			[[ -e /var/run/netns/$P-$ns ]] && continue 2
		done
		[[ -e /var/run/dpdk/$P-a || -e /var/run/dpdk/$P-b ]] && continue
		return 0
	done
	echo "esp-frag: no free efNNN prefix" >&2
	return 1
}

# ---- topology ----

topo_down() {
	local ns
	for ns in ha hb a b; do
		if [[ -e /var/run/netns/$P-$ns ]]; then
			ip netns del "$P-$ns" 2>/dev/null || echo "esp-frag: could not delete $P-$ns" >&2
		fi
	done
}

# hub_ns NS IFACE...: the hub's namespace: kernel silent on the veths.
hub_ns() {
	local ns=$1 ifc
	shift
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$ns" link set lo up || return 1
	for ifc in "$@"; do
		ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" || return 1
		ip -n "$ns" link set "$ifc" up || return 1
	done
}

# host_ns NS ADDR4 ADDR6 GW4 GW6
host_ns() {
	local ns=$1
	ip netns exec "$ns" sysctl -qw \
		net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.eth0.router_solicitations=0 net.ipv6.conf.eth0.accept_ra=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0 || return 1
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$2/24" dev eth0 || return 1
	ip -n "$ns" addr add "$3/64" dev eth0 nodad || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$ns" route add default via "$4" || return 1
	ip -n "$ns" -6 route add default via "$5" || return 1
}

topo_up() {
	local ns
	for ns in ha hb a b; do
		ip netns add "$P-$ns" || return 1
	done
	ip -n "$P-ha" link add "$P-al" type veth peer name eth0 netns "$P-a" || return 1
	ip -n "$P-ha" link add "$P-aw" type veth peer name "$P-bw" netns "$P-hb" || return 1
	ip -n "$P-hb" link add "$P-bl" type veth peer name eth0 netns "$P-b" || return 1
	hub_ns "$P-ha" "$P-al" "$P-aw" || return 1
	hub_ns "$P-hb" "$P-bl" "$P-bw" || return 1
	host_ns "$P-a" "$HOST_A4" "$HOST_A6" "$A_LAN4" "$A_LAN6" || return 1
	host_ns "$P-b" "$HOST_B4" "$HOST_B6" "$B_LAN4" "$B_LAN6" || return 1
}

# ---- configs and hubs ----

# make_config a|b OUT: esp-frag.yaml.in filled in for one hub.
make_config() {
	local side=$1 out=$2
	if [[ $side == a ]]; then
		set -- "$P-a" "$P-al" "$P-aw" "$A_LAN4" "$A_LAN6" "$A_WAN4" "$B_WAN4" "$A_WAN6" \
			"$B_WAN6" "$A_VTI4" 10.20.0.0/24 fd00:b::/64 "$SPI_AB4" "$SPI_BA4" "$SPI_AB6" \
			"$SPI_BA6" "$KEY_AB4" "$KEY_BA4" "$KEY_AB6" "$KEY_BA6"
	else
		set -- "$P-b" "$P-bl" "$P-bw" "$B_LAN4" "$B_LAN6" "$B_WAN4" "$A_WAN4" "$B_WAN6" \
			"$A_WAN6" "$B_VTI4" 10.10.1.0/24 fd00:a::/64 "$SPI_BA4" "$SPI_AB4" "$SPI_BA6" \
			"$SPI_AB6" "$KEY_BA4" "$KEY_AB4" "$KEY_BA6" "$KEY_AB6"
	fi
	sed -e "s|@NAME@|$1|g; s|@LAN_PORT@|$2|g; s|@WAN_PORT@|$3|g; s|@LAN4@|$4|g; s|@LAN6@|$5|g" \
		-e "s|@WAN4@|$6|g; s|@PEER4@|$7|g; s|@WAN6@|$8|g; s|@PEER6@|$9|g; s|@VTI4@|${10}|g" \
		-e "s|@FAR4@|${11}|g; s|@FAR6@|${12}|g; s|@SPI_OUT4@|${13}|g; s|@SPI_IN4@|${14}|g" \
		-e "s|@SPI_OUT6@|${15}|g; s|@SPI_IN6@|${16}|g; s|@KEY_OUT4@|${17}|g" \
		-e "s|@KEY_IN4@|${18}|g; s|@KEY_OUT6@|${19}|g; s|@KEY_IN6@|${20}|g" \
		"$HERE/esp-frag.yaml.in" >"$out"
}

# hub_up a|b...: start those hubs and wait until all are ready.
hub_up() {
	local side cfg out rc
	for side in "$@"; do
		cfg=$TMP/$side.yaml
		make_config "$side" "$cfg"
		rc=0
		out=$("$VPNHUB" --check -c "$cfg" 2>&1) || rc=$?
		if ((rc != 0)); then
			t_not_ok "vpnhub --check accepts hub-$side's config" "exit status $rc" "$out"
			return 1
		fi
	done
	for side in "$@"; do
		hubs_start "$side" "$P-$side" "$P-h$side" "$TMP/hub-$side.log" -c "$TMP/$side.yaml"
	done
	if hubs_wait_ready 30 "$@" 2>"$TMP/ready.err"; then
		t_ok "hub-$1${2:+ and hub-$2}: started (wan0 MTU $WAN_MTU, tunnels 1500), ready"
		return 0
	fi
	t_not_ok "hub-$1${2:+ and hub-$2}: started, ready" "$(cat "$TMP/ready.err")"
	return 1
}

# hub_down a|b: SIGTERM the hub: it must exit 0 within 10 s and leave a clean log.
hub_down() {
	local side=$1 rc=0 bad
	[[ -n ${HUBS_LOG[$side]:-} ]] || return 0
	hubs_stop 10 "$side" || rc=$?
	bad=$(grep -nE 'ERROR|AddressSanitizer|LeakSanitizer|runtime error' \
		"${HUBS_LOG[$side]}" || true)
	if ((rc == 0)) && [[ ${HUBS_STATUS[$side]} == 0 && -z $bad ]]; then
		t_ok "SIGTERM: hub-$side exits 0, log without ERROR or sanitizer report"
	else
		t_not_ok "SIGTERM: hub-$side exits 0, log without ERROR or sanitizer report" \
			"exit status ${HUBS_STATUS[$side]:-none}$( ((rc == 0)) || echo ', killed')" \
			"${bad:-log clean}"
	fi
	unset "HUBS_LOG[$side]"
}

# ---- counters ----

tool() {
	"$PY" "$TOOL" "$@"
}

# new_snap a|b: the hub's counters into a new file; prints its name.
new_snap() {
	local f
	f=$(mktemp "$TMP/snap.$1.XXXXXX")
	tool snap "$VPNHUBCTL" "${HUBS_INST[$1]}" "$f" || true
	echo "$f"
}

# check_delta DESC a|b BEFORE SPEC...: wait (up to 3 s) until the counters named in SPEC
# (KEY=N...) moved by exactly N, and every other drop and SA error counter by 0.
check_delta() {
	local desc=$1 side=$2 before=$3 out
	shift 3
	if out=$(tool await "$VPNHUBCTL" "${HUBS_INST[$side]}" "$before" 3 "$@" 2>&1); then
		t_ok "$desc ($out)"
	else
		t_not_ok "$desc" "$out"
	fi
}

# frames FAMILY INNER_LEN: how many frames one outer packet carrying an inner packet of
# INNER_LEN bytes is on wan0 (fragments when it exceeds the MTU).
frames() {
	tool frames "$1" "$2" "$WAN_MTU"
}

# ---- captures ----

cap_start() {
	local log=$3.log i
	ip netns exec "$1" dumpcap -q -P -p -B 16 -i "$2" -w "$3" >"$log" 2>&1 &
	CAPS+=("$!")
	for ((i = 0; i < 50; i++)); do
		grep -qs "Capturing on" "$log" && return 0
		sleep 0.1
	done
	echo "dumpcap on $2 did not start: $(cat "$log")" >&2
	return 1
}

cap_stop() {
	((${#CAPS[@]} > 0)) || return 0
	sleep 0.3
	kill -INT "${CAPS[@]}" 2>/dev/null || true
	wait "${CAPS[@]}" 2>/dev/null || true
	CAPS=()
}

# ---- scenario 1: pings ----

# frag_counts N RX: the fragment counters of a hub that sends 3 outer packets of N frames each
# and receives 3 of N frames, RX of which reach it per packet (1 when the kernel reassembles).
frag_counts() {
	local n=$1 rx=$2 cut=0 held=0 whole=0
	((n > 1)) && cut=3
	((rx > 1)) && held=$((3 * rx)) whole=3
	echo "frag_fragmented=$cut" "frag_out=$((cut * n))" "frag_in=$held" \
		"frag_reassembled=$whole"
}

# ping_size FAMILY SIZE: three echoes host-a -> host-b of SIZE data bytes through the tunnel of
# that family; requests and replies have the same size, so both hubs fragment alike.
ping_size() {
	local fam=$1 size=$2 dst spi_ab spi_ba vti inner n rx a0 b0 out rc=0 fc
	if [[ $fam == 4 ]]; then
		dst=$HOST_B4 spi_ab=$SPI_AB4 spi_ba=$SPI_BA4 vti=vti1 inner=$((size + 28))
	else
		dst=$HOST_B6 spi_ab=$SPI_AB6 spi_ba=$SPI_BA6 vti=vti2 inner=$((size + 48))
	fi
	n=$(frames "$fam" "$inner")
	rx=$n # what a hub's wan0 counts per packet: the kernel reassembles IPv4 for af_packet
	[[ $fam == 4 ]] && rx=1
	read -ra fc <<<"$(frag_counts "$n" "$rx")"
	a0=$(new_snap a)
	b0=$(new_snap b)
	out=$(ip netns exec "$P-a" ping -n -c3 -i0.2 -W2 -s "$size" "$dst" 2>&1) || rc=$?
	if ((rc == 0)) && [[ $out == *" 3 received"* ]]; then
		t_ok "IPv$fam ping -s $size host-a -> host-b: 3 of 3 answered ($n frame(s) per packet)"
	else
		t_not_ok "IPv$fam ping -s $size host-a -> host-b: 3 of 3 answered" "$out"
	fi
	check_delta "hub-a, IPv$fam ping -s $size: 3 out, $((3 * n)) frames sent, 3 back in $vti" \
		a "$a0" "sa.$spi_ab.pkts=3" "sa.$spi_ba.pkts=3" "wan0.tx_packets=$((3 * n))" \
		"wan0.rx_packets=$((3 * rx))" "$vti.rx_packets=3" "${fc[@]}"
	check_delta "hub-b, IPv$fam ping -s $size: $((3 * rx)) frames in, 3 out of $vti, 3 back" \
		b "$b0" "sa.$spi_ab.pkts=3" "sa.$spi_ba.pkts=3" "wan0.rx_packets=$((3 * rx))" \
		"wan0.tx_packets=$((3 * n))" "$vti.rx_packets=3" "${fc[@]}"
}

scenario_pings() {
	local s
	t_diag "scenario 1: pings of several sizes through both tunnels (at ${SECONDS} s)"
	# the first echoes resolve the hubs' neighbors on both sides; the counted ones start after
	t_check "warm-up: IPv4 ping host-a -> host-b" ping_ok "$P-a" "$HOST_B4"
	t_check "warm-up: IPv6 ping host-a -> host-b" ping_ok "$P-a" "$HOST_B6"
	for s in 56 1000 1300 1350 1472; do
		ping_size 4 "$s"
	done
	for s in 56 1000 1300 1452; do
		ping_size 6 "$s"
	done
}

# ---- scenario 2: streams ----

# stream FAMILY: STREAM datagrams of PAYLOAD bytes host-a -> host-b, 2500/s in bursts of 10;
# all must arrive once and in order, each as exactly 2 fragments on the WAN.
stream() {
	local fam=$1 dst vti spi_ab ready=$TMP/rx.ready rx=$TMP/rx.out tx=$TMP/tx.out rxpid i got
	local a0 b0 n rxn pcap=$TMP/stream$1.pcap
	if [[ $fam == 4 ]]; then
		dst=$HOST_B4 vti=vti1 spi_ab=$SPI_AB4 n=$(frames 4 $((PAYLOAD + 28)))
	else
		dst=$HOST_B6 vti=vti2 spi_ab=$SPI_AB6 n=$(frames 6 $((PAYLOAD + 48)))
	fi
	rxn=$n
	[[ $fam == 4 ]] && rxn=1
	if ! cap_start "$P-hb" "$P-bw" "$pcap" 2>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures hub-b's wan veth" "$(cat "$TMP/cap.err")"
		return 0
	fi
	a0=$(new_snap a)
	b0=$(new_snap b)
	rm -f "$ready"
	ip netns exec "$P-b" "$PY" "$TOOL" rx "$dst" "$PORT" "$STREAM" "$PAYLOAD" "$ready" \
		>"$rx" 2>&1 &
	rxpid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -e $ready ]] && break
		sleep 0.1
	done
	ip netns exec "$P-a" "$PY" "$TOOL" tx "$dst" "$PORT" "$STREAM" "$PAYLOAD" 2500 10 \
		>"$tx" 2>&1 || true
	wait "$rxpid" || true
	cap_stop
	got=$(tail -n 1 "$rx")
	if [[ $got == "received=$STREAM missing=0 duplicates=0 reordered=0 bad=0" ]]; then
		t_ok "IPv$fam UDP stream, $STREAM x $PAYLOAD bytes through $vti: all once, in order"
	else
		t_not_ok "IPv$fam UDP stream, $STREAM x $PAYLOAD bytes through $vti: all once, in order" \
			"receiver: $(cat "$rx")" "sender: $(cat "$tx")"
	fi
	check_delta "hub-a: SA $spi_ab out $STREAM, wan0 sent $((n * STREAM)) fragments" a "$a0" \
		"sa.$spi_ab.pkts=$STREAM" "wan0.tx_packets=$((n * STREAM))" \
		"frag_fragmented=$STREAM" "frag_out=$((n * STREAM))" frag_in=0 frag_reassembled=0
	# IPv4 arrives whole (the kernel reassembles for af_packet), IPv6 in fragments
	check_delta "hub-b: wan0 in $((rxn * STREAM)), SA $spi_ab in and $vti rx $STREAM" b "$b0" \
		"wan0.rx_packets=$((rxn * STREAM))" "sa.$spi_ab.pkts=$STREAM" \
		"$vti.rx_packets=$STREAM" frag_fragmented=0 frag_out=0 \
		"frag_in=$((rxn > 1 ? rxn * STREAM : 0))" \
		"frag_reassembled=$((rxn > 1 ? STREAM : 0))"
	local out rc=0
	out=$(tool count "$pcap" "$fam" "$spi_ab" "$n" "$STREAM" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_ok "capture of the WAN, IPv$fam: $out"
	else
		t_not_ok "capture of the WAN, IPv$fam: $n fragments per datagram, none whole" "$out"
	fi
}

scenario_streams() {
	t_diag "scenario 2: $PAYLOAD-byte UDP streams through both tunnels (at ${SECONDS} s)"
	stream 4
	stream 6
}

# ---- scenario 3: the scapy peer ----

scenario_peer() {
	local aw_mac bw_mac b0 st desc detail rc=0
	t_diag "scenario 3: a scapy peer sends fragmented ESP to hub-b (at ${SECONDS} s)"
	hub_down a
	aw_mac=$(ip -n "$P-ha" -o link show "$P-aw" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	bw_mac=$(ctl_raw "$P-b" /vpnhub/interfaces | json_get wan0.mac | tr 'A-F' 'a-f')
	b0=$(new_snap b)
	# one process for every case: scapy takes a second to import
	ip netns exec "$P-ha" "$PY" "$TOOL" peer "$VPNHUBCTL" "$P-b" "$b0" "$P-aw" "$aw_mac" \
		"$bw_mac" "$A_WAN4" "$B_WAN4" "$A_WAN6" "$B_WAN6" "$SPI_AB4" "$KEY_AB4" "$SPI_AB6" \
		"$KEY_AB6" "$HOST_A6" "$HOST_B6" "$HOST_A4" "$HOST_B4" >"$TMP/peer.out" \
		2>"$TMP/peer.err" || rc=$?
	while IFS=$'\t' read -r st desc detail; do
		if [[ $st == ok ]]; then
			t_ok "$desc ($detail)"
		else
			t_not_ok "$desc" "$detail"
		fi
	done <"$TMP/peer.out"
	if ((rc != 0)); then
		t_not_ok "the scapy peer ran to the end" "exit status $rc" "$(tail -n 15 "$TMP/peer.err")"
	fi
	hub_down b
}

# ---- the Python helper ----

write_tool() {
	cat >"$TOOL" <<'PYEOF'
"""esp-frag.sh's helper: streams, counters, captures and the scapy peer (/usr/bin/python3)."""
import json
import socket
import struct
import subprocess
import sys
import time

MAGIC = b"vfrg"


def payload(n, size):
    body = struct.pack("!I", n) + MAGIC
    return body + bytes([n & 0xFF]) * (size - len(body))


# ---- streams ----

def cmd_rx(addr, port, count, size, ready):
    count, size = int(count), int(size)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
    s.bind((addr, int(port)))
    open(ready, "w").close()
    seen = bytearray(count)
    got = dup = reord = bad = 0
    top = -1
    s.settimeout(30)
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        s.settimeout(0.5 if got - dup >= count else 2)
        n = struct.unpack("!I", d[:4])[0] if len(d) >= 8 and d[4:8] == MAGIC else count
        if n >= count or d != payload(n, size):
            bad += 1
            continue
        got += 1
        if seen[n]:
            dup += 1
            continue
        seen[n] = 1
        reord += n < top
        top = max(top, n)
    print(f"received={got} missing={count - sum(seen)} duplicates={dup} "
          f"reordered={reord} bad={bad}")


def cmd_tx(addr, port, count, size, pps, burst):
    count, size, pps, burst = int(count), int(size), int(pps), int(burst)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((addr, int(port)))
    t = time.monotonic()
    for i in range(0, count, burst):
        for n in range(i, min(i + burst, count)):
            s.send(payload(n, size))
        t += burst / pps
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
    print(f"sent={count}")


def cmd_frames(fam, inner, mtu):
    """Frames on the wire of one outer packet (AES-GCM: 8 + 8 + data padded to 4 + 2 + 16)."""
    hl, inner, mtu = (20 if fam == "4" else 40), int(inner), int(mtu)
    esp = 16 + (inner + 2 + 3) // 4 * 4 + 16
    if hl + esp <= mtu:
        print(1)
        return
    per = (mtu - hl - (0 if fam == "4" else 8)) // 8 * 8
    print(-(-esp // per))


# ---- counters ----

def docs(text):
    dec, i, out = json.JSONDecoder(), 0, {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        d, i = dec.raw_decode(text, i)
        out.update(d)


def snapshot(ctl, inst):
    text = ""
    for cmd in ("/vpnhub/stats", "/vpnhub/interfaces", "/vpnhub/ipsec/sa"):
        r = subprocess.run([ctl, "--instance", inst, "raw", cmd], capture_output=True, text=True,
                           timeout=20)
        if r.returncode != 0:
            raise SystemExit(f"vpnhubctl --instance {inst} raw {cmd}: {r.stderr.strip()}")
        text += r.stdout + "\n"
    d, out = docs(text), {}
    for k, v in d["/vpnhub/stats"]["total"].items():
        if k.startswith(("drop_", "punt_", "frag_")):
            out[k] = v
    for name, ifc in d["/vpnhub/interfaces"].items():
        for k in ("rx_packets", "tx_packets", "drops"):
            out[f"{name}.{k}"] = ifc[k]
    for e in (d.get("/vpnhub/ipsec/sa") or {}).values():
        if isinstance(e, dict):
            for k, v in e.items():
                if k in ("pkts", "seq") or k.startswith("err_"):
                    out[f"sa.{e['spi']}.{k}"] = v
    return out


def save(path, snap):
    with open(path, "w") as f:
        f.writelines(f"{k} {v}\n" for k, v in sorted(snap.items()))


def load(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.split() for line in f if line.strip())}


def cmd_snap(ctl, inst, out):
    save(out, snapshot(ctl, inst))


# What a host's kernel may move at any time on a LAN: its own multicast, and a neighbor
# solicitation for its own address (duplicate address detection of its link-local address).
BACKGROUND = ("drop_mcast_unhandled", "drop_not_our_address")


def delta(b, a, want):
    """(ok, text): every counter of want moved by exactly its value from b to a, every other
    drop_* and sa.*.err_* counter by 0 (BACKGROUND excepted)."""
    bad, shown = [], []
    for k, n in want.items():
        if k not in a or k not in b:
            bad.append(f"{k}: no such counter")
            continue
        shown.append(f"{k} {a[k] - b[k]:+d}")
        if a[k] - b[k] != n:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want {n:+d} ({b[k]} -> {a[k]})")
    for k in sorted(a):
        if k in want or k not in b or k in BACKGROUND:
            continue
        if (k.startswith("drop_") or ".err_" in k) and a[k] != b[k]:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want +0")
    return not bad, ", ".join(shown) if not bad else "; ".join(bad)


def await_delta(ctl, inst, b, secs, want):
    """Snapshot until want is met (at most secs), then once more a moment later; judge that."""
    deadline = time.monotonic() + secs
    while not delta(b, snapshot(ctl, inst), want)[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.2)
    a = snapshot(ctl, inst)
    return a, delta(b, a, want)


def specs(items):
    return {k: int(v) for k, v in (s.split("=") for s in items)}


def cmd_await(ctl, inst, before, secs, *items):
    _, (ok, text) = await_delta(ctl, inst, load(before), float(secs), specs(items))
    print(text)
    sys.exit(0 if ok else 1)


# ---- captures ----

def pcap_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def cmd_count(path, fam, spi, per, count):
    """The ESP of SA spi in a capture: every datagram in exactly per fragments (their first one
    shows the SPI; the Identification ties the others to it), none whole."""
    spi, per, count = int(spi, 0), int(per), int(count)
    frags, whole = {}, 0
    for fr in pcap_frames(path):
        if fam == "4" and fr[12:14] == b"\x08\x00" and fr[23] == 50:
            ip = fr[14:]
            hl, fo = (ip[0] & 15) * 4, struct.unpack("!H", ip[6:8])[0]
            key, first = (ip[12:20], ip[4:6]), (fo & 0x1FFF) == 0
            isfrag, data = bool(fo & 0x3FFF), ip[hl:]
        elif fam == "6" and fr[12:14] == b"\x86\xdd" and fr[20] in (44, 50):
            ip = fr[14:]
            isfrag = ip[6] == 44 and ip[40] == 50
            if ip[6] == 44 and not isfrag:
                continue
            key = (ip[8:40], ip[44:48]) if isfrag else None
            first = not isfrag or (struct.unpack("!H", ip[42:44])[0] & 0xFFF8) == 0
            data = ip[48:] if isfrag else ip[40:]
        else:
            continue
        if not isfrag:
            whole += struct.unpack("!I", data[:4])[0] == spi
            continue
        f = frags.setdefault(key, [0, None])
        f[0] += 1
        if first:
            f[1] = struct.unpack("!I", data[:4])[0]
    ours = [n for n, s in frags.values() if s == spi]
    sizes = sorted(set(ours))
    text = (f"{len(ours)} datagrams of SA {spi:#x} in fragments ({sum(ours)} fragments, "
            f"{'/'.join(map(str, sizes)) or '-'} each), {whole} whole")
    if len(ours) != count or sizes != [per] or whole:
        print(text + f"; want {count} datagrams of {per} fragments, none whole")
        sys.exit(1)
    print(text)


# ---- the scapy peer ----

class Peer:
    """Fragmented ESP to hub-b through the WAN veth, each case judged by hub-b's counters."""

    def __init__(self, a):
        from scapy.layers.ipsec import SecurityAssociation, ESP
        from scapy.layers.inet import IP
        from scapy.layers.inet6 import IPv6
        (self.ctl, self.inst, before, self.ifc, self.src_mac, self.dst_mac, self.a4, self.b4,
         self.a6, self.b6, spi4, key4, spi6, key6, self.ha6, self.hb6, self.ha4,
         self.hb4) = a
        self.snap = load(before)
        self.sa4 = SecurityAssociation(ESP, spi=int(spi4, 0), crypt_algo="AES-GCM",
                                       crypt_key=bytes.fromhex(key4[2:]),
                                       tunnel_header=IP(src=self.a4, dst=self.b4))
        self.sa6 = SecurityAssociation(ESP, spi=int(spi6, 0), crypt_algo="AES-GCM",
                                       crypt_key=bytes.fromhex(key6[2:]),
                                       tunnel_header=IPv6(src=self.a6, dst=self.b6))
        self.seq = {4: self.snap.get(f"sa.{int(spi4, 0):#010x}.seq", 0),
                    6: self.snap.get(f"sa.{int(spi6, 0):#010x}.seq", 0)}
        self.ident = 0x4000
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.sock.setsockopt(263, 20, 1)  # PACKET_QDISC_BYPASS: hub-a's sockets never see it
        self.sock.bind((self.ifc, 0))

    def esp(self, fam, size=1400):
        """A new ESP packet (its bytes after the IP header): an echo reply host-a -> host-b
        with size bytes of data, which host-b answers with nothing."""
        from scapy.layers.inet import IP, ICMP
        from scapy.layers.inet6 import IPv6, ICMPv6EchoReply
        from scapy.layers.ipsec import ESP
        self.seq[fam] += 1
        if fam == 6:
            inner = IPv6(src=self.ha6, dst=self.hb6) / ICMPv6EchoReply(id=7, seq=self.seq[6],
                                                                        data=b"f" * size)
            return bytes(self.sa6.encrypt(inner, seq_num=self.seq[6])[ESP])
        inner = IP(src=self.ha4, dst=self.hb4) / ICMP(type=0, id=7, seq=self.seq[4]) / (b"f" * size)
        return bytes(self.sa4.encrypt(inner, seq_num=self.seq[4])[ESP])

    def frames(self, fam, data, pieces, proto=50):
        """Ethernet frames of the fragments (ofs, len or None for the rest, more) of data."""
        from scapy.layers.l2 import Ether
        from scapy.layers.inet import IP
        from scapy.layers.inet6 import IPv6, IPv6ExtHdrFragment
        from scapy.packet import Raw
        self.ident += 1
        out = []
        for ofs, n, more in pieces:
            chunk = data[ofs:] if n is None else (data[ofs:ofs + n] + bytes(n))[:n]
            eth = Ether(src=self.src_mac, dst=self.dst_mac)
            if fam == 4:
                p = eth / IP(src=self.a4, dst=self.b4, id=self.ident, proto=proto,
                             flags="MF" if more else 0, frag=ofs // 8) / Raw(chunk)
            else:
                p = eth / IPv6(src=self.a6, dst=self.b6) / IPv6ExtHdrFragment(
                    nh=proto, offset=ofs // 8, m=int(more), id=self.ident) / Raw(chunk)
            out.append(bytes(p))
        return out

    def send(self, frames):
        for f in frames:
            self.sock.send(f)
            time.sleep(0.005)

    def case(self, desc, fam, pieces, want, data=None, proto=50, secs=3):
        data = self.esp(fam) if data is None else data
        self.send(self.frames(fam, data, pieces, proto))
        self.snap, (ok, text) = await_delta(self.ctl, self.inst, self.snap, secs, want)
        print(f"{'ok' if ok else 'not ok'}\t{desc}\t{text}", flush=True)


def cmd_peer(*a):
    p = Peer(a)
    rest = None
    half = [(0, 720, True), (720, rest, False)]
    third = [(960, rest, False), (480, 480, True), (0, 480, True)]
    one = {"wan0.rx_packets": 1, "vti2.rx_packets": 1, "lan0.tx_packets": 1}

    def got(frames, delivered=1):
        """IPv6: every fragment reaches hub-b's reassembly, each datagram made whole counts."""
        return {"wan0.rx_packets": frames, "vti2.rx_packets": delivered,
                "lan0.tx_packets": delivered, "frag_in": frames, "frag_reassembled": delivered}

    p.case("IPv6 ESP in 2 fragments, in order: reassembled by hub-b, delivered", 6, half,
           got(2))
    p.case("IPv6 ESP in 3 fragments, last first: reassembled, delivered", 6, third, got(3))
    p.case("IPv6 atomic fragment (offset 0, M clear; RFC 6946): delivered", 6,
           [(0, rest, False)], got(1), data=p.esp(6, 1000))
    p.case("IPv6: a repeated first fragment discards the datagram: frag_discarded +2", 6,
           [(0, 720, True), (0, 720, True)], dict(got(2, 0), drop_frag_discarded=2))
    p.case("IPv6: overlapping fragments discard the datagram (RFC 5722): frag_discarded +2", 6,
           [(0, 720, True), (712, rest, False)], dict(got(2, 0), drop_frag_discarded=2))
    p.case("IPv6 in 9 fragments, more than rte_ip_frag takes: frag_discarded +9", 6,
           [(1280, rest, False)] + [(i * 160, 160, True) for i in range(8)],
           dict(got(9, 0), drop_frag_discarded=9))
    p.case("IPv6 fragment ending past 65535 (RFC 8200 4.5): frag_too_big +1", 6,
           [(65528, 16, False)], dict(got(1, 0), drop_frag_too_big=1))
    p.case("IPv6 UDP first fragment of 8 bytes, no room for ESP: frag_malformed +1", 6,
           [(0, 8, True)], dict(got(1, 0), drop_frag_malformed=1), data=bytes(64), proto=17)
    p.case("IPv6 non-final fragment not a multiple of 8: frag_malformed +1", 6,
           [(0, 100, True)], dict(got(1, 0), drop_frag_malformed=1))
    p.case("IPv6: a repeat after completion is delivered once, the repeat times out after 1 s",
           6, half + [(720, rest, False)], dict(got(3), drop_frag_timeout=1))
    p.case("IPv6: a datagram that never completes times out after 1 s: frag_timeout +1", 6,
           [(0, 720, True)], dict(got(1, 0), drop_frag_timeout=1))
    p.case("IPv4 ESP, last fragment first and the first twice: the kernel reassembles "
           "(af_packet fanout defrag), hub-b gets one whole datagram", 4,
           [(720, rest, False), (0, 720, True), (0, 720, True)],
           {"wan0.rx_packets": 1, "vti1.rx_packets": 1, "lan0.tx_packets": 1, "frag_in": 0,
            "frag_reassembled": 0})


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1]](*sys.argv[2:])
PYEOF
}

main() {
	t_init esp-frag
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-esp-frag.$P.XXXXXX")
	TOOL=$TMP/fragtool.py
	write_tool
	t_diag "prefix $P, instances $P-a and $P-b, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{ha,hb,a,b} come up"
		t_done
		return 1
	fi
	if hub_up a b; then
		scenario_pings
		scenario_streams
		scenario_peer
	fi
	hub_down a
	hub_down b
	t_diag "$SECONDS s"
	t_done
}

main "$@"
