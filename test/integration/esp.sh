#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/esp.sh - two vpnhub instances back to back over manually keyed ESP: route-based
# IPsec (vti1) with AES-GCM-128; AES-CBC-256 + HMAC-SHA-256-128 with ESN in UDP 4500 (NAT-T);
# ChaCha20-Poly1305. Pings both ways (IPv4 and IPv6 inside IPv4 ESP), ping of the far hub's
# vti address, sequence-numbered UDP streams with zero loss, exact SA and drop counters, tshark
# and a second, independent decoder over captures of the WAN, hand-built bad ESP (unknown SPI,
# bad ICV, replay, truncated, CBC ciphertext not whole blocks), a NAT-T keepalive, SIGTERM.
#
#   host-a -- hub-a (vpnhub) == wan veth, ESP == hub-b (vpnhub) -- host-b
#
# The topology (<p> is a per-run prefix such as es123; the hubs' instances are <p>-a and <p>-b):
#
#  +---------------------------------------------------------------------------+
#  | host-a                                        netns <p>-a                 |
#  |   eth0      10.10.1.2/24   fd00:a::2/64                                   |
#  |   default   via 10.10.1.1, via fd00:a::1                                  |
#  +-------+-------------------------------------------------------------------+
#          |  veth: host-a eth0 <-> <p>-al (hub-a)
#  +-------+-------------------------------------------------------------------+
#  | hub-a: vpnhub <p>-a                           netns <p>-ha                |
#  |   <p>-al = net_af_packet0 = lan0   10.10.1.1/24     fd00:a::1/64          |
#  |   <p>-aw = net_af_packet1 = wan0   203.0.113.1/24                         |
#  |   vti1      172.16.0.1/30   SA out to hub-b, SA in from hub-b             |
#  |   routes    10.20.0.0/24, fd00:b::/64 over vti1                           |
#  |   injector  raw packet socket on <p>-aw (bad input, NAT-T keepalive)      |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-aw (hub-a) <-> <p>-bw (hub-b): the WAN, ESP or ESP in UDP 4500
#          |  route-based IPsec: vti1 172.16.0.1/30 <======> vti1 172.16.0.2/30
#  +-------+-------------------------------------------------------------------+
#  | hub-b: vpnhub <p>-b                           netns <p>-hb                |
#  |   <p>-bw = net_af_packet1 = wan0   203.0.113.2/24                         |
#  |   <p>-bl = net_af_packet0 = lan0   10.20.0.1/24     fd00:b::1/64          |
#  |   vti1      172.16.0.2/30   SA out to hub-a, SA in from hub-a             |
#  |   routes    10.10.1.0/24, fd00:a::/64 over vti1                           |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-bl (hub-b) <-> host-b eth0
#  +-------+-------------------------------------------------------------------+
#  | host-b                                        netns <p>-b                 |
#  |   eth0      10.20.0.2/24   fd00:b::2/64                                   |
#  |   default   via 10.20.0.1, via fd00:b::1                                  |
#  +---------------------------------------------------------------------------+
#
# The hub namespaces' kernels stay silent: veths up, no addresses, IPv6 disabled. The hosts' TX
# checksum offload is off (af_packet hands frames over verbatim). The af_packet PMD transmits
# with the qdisc bypassed, so a capture on a hub's veth sees what that hub receives: ESP a->b is
# captured on <p>-bw, b->a on <p>-aw. The injector bypasses the qdisc too, so hub-a never sees
# the frames it sends.
#
# Scenarios (the hubs restart with freshly generated configs, from esp-*.yaml.in, in between):
#   1  AES-GCM-128 (SPI 0x1001 a->b, 0x2001 b->a): pings, vti ping, 10000-packet UDP stream,
#      exact SA counters
#   2  tshark decrypts the captures of scenario 1: every ICV correct, sequence numbers 1..N
#   5  bad input into a fresh hub-b (scenario 1's config, hub-a stopped): unknown SPI, bad ICV
#      (the window does not move), replays, sequence 0, truncated ESP
#   3  AES-CBC-256 + HMAC-SHA-256-128, ESN, ESP in UDP 4500 (SPI 0x3001, 0x4001): pings, 2000-packet
#      stream, tshark decrypts, ICVs checked with the ESN high bits, NAT-T keepalive; then (5e)
#      a CBC ciphertext that is not whole blocks
#   4  ChaCha20-Poly1305 (SPI 0x5001, 0x6001), two workers per hub (lcores 1 and 2 on however
#      many CPUs): pings, 1000-packet stream, captures decoded, both workers of each hub busy
#   6  SIGTERM: every hub exits 0 with no ERROR or sanitizer report in its log (checked at every
#      stop, the last one of scenario 4 included)
# tshark 4.0 (Debian 12) neither knows ChaCha20-Poly1305 nor checks ESN ICVs, so those two checks
# use the decoder of tool.py (python3-cryptography), which also cross-checks AES-GCM.
#
# Output: "ok N - ..." / "not ok N - ..." lines, then "esp: N passed, N failed"; exit status 1 if
# anything failed. Binaries from build/ or $VPNHUB_BUILD, as for basic.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Addresses of the topology above.
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
A_VTI4=172.16.0.1
B_VTI4=172.16.0.2
PORT=9000 # the UDP streams' destination port

# Keys: counting patterns (example keys, never real ones). Every byte differs, so a key or salt
# taken from the wrong place or in the wrong order cannot go unnoticed by the decoders.
GCM_AB=0x000102030405060708090a0b0c0d0e0fa0a1a2a3 # AES-128 key, then the 4-byte salt
GCM_BA=0x101112131415161718191a1b1c1d1e1fb0b1b2b3
CBC_AB=0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f # AES-256
CBC_AUTH_AB=0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f
CBC_BA=0x606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
CBC_AUTH_BA=0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f
CHACHA_AB=0xc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3
CHACHA_BA=0x00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0e4e5e6e7

P=    # namespace prefix
TMP=  # scratch directory: configs, logs, captures
TOOL=$HERE/tool.py # the Python helper: traffic, counters, frames, ESP decoding
CAPS=()
SNAP_A= # counters of both hubs at the moment settle found them still
SNAP_B=
# The suite in use (set by suite_*): template, SPIs, keys ("-" = none).
TEMPLATE=
SUITE=
SUITE_TAG=
SPI_AB=
SPI_BA=
KEY_AB=
KEY_BA=
AUTH_AB=-
AUTH_BA=-

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	trap '' PIPE
	set +e
	hubs_stop_all 5
	cap_stop
	local job
	for job in $(jobs -p); do # a stream receiver, if interrupted
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
	echo "esp: $*" >&2
	exit 1
}

preflight() {
	local f
	((EUID == 0)) || die "must run as root (network namespaces)"
	for f in "$VPNHUB" "$VPNHUBCTL"; do
		[[ -x $f ]] || die "$f is not built (ninja -C ${VH_BUILD#"$VH_ROOT"/})"
	done
	for f in ethtool dumpcap tshark; do
		command -v "$f" >/dev/null || die "$f is missing (scripts/bootstrap.sh installs it)"
	done
	"$PY" -c 'import cryptography' 2>/dev/null ||
		die "$PY has no cryptography module (apt-get install python3-cryptography)"
}

# A prefix no other run is using: es<pid mod 1000>, counting up on a clash.
pick_prefix() {
	local n=$(($$ % 1000)) i ns
	for ((i = 0; i < 1000; i++)); do
		P=es$(((n + i) % 1000))
		for ns in ha hb a b; do
			[[ -e /var/run/netns/$P-$ns ]] && continue 2
		done
		[[ -e /var/run/dpdk/$P-a || -e /var/run/dpdk/$P-b ]] && continue
		return 0
	done
	echo "esp: no free esNNN prefix" >&2
	return 1
}

# ---- topology ----

topo_down() {
	local ns
	for ns in ha hb a b; do
		if [[ -e /var/run/netns/$P-$ns ]]; then
			ip netns del "$P-$ns" 2>/dev/null || echo "esp: could not delete $P-$ns" >&2
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
		net.ipv6.conf.eth0.router_solicitations=0 net.ipv6.conf.eth0.accept_ra=0 || return 1
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

suite_gcm() {
	SUITE="AES-GCM-128" SUITE_TAG=gcm TEMPLATE=esp-gcm.yaml.in
	SPI_AB=0x00001001 SPI_BA=0x00002001
	KEY_AB=$GCM_AB KEY_BA=$GCM_BA AUTH_AB=- AUTH_BA=-
}

suite_cbc() {
	SUITE="AES-CBC-256/HMAC-SHA-256-128, ESN, UDP 4500" SUITE_TAG=cbc
	TEMPLATE=esp-cbc-natt.yaml.in
	SPI_AB=0x00003001 SPI_BA=0x00004001
	KEY_AB=$CBC_AB KEY_BA=$CBC_BA AUTH_AB=$CBC_AUTH_AB AUTH_BA=$CBC_AUTH_BA
}

suite_chacha() {
	SUITE="ChaCha20-Poly1305" SUITE_TAG=chacha TEMPLATE=esp-chacha.yaml.in
	SPI_AB=0x00005001 SPI_BA=0x00006001
	KEY_AB=$CHACHA_AB KEY_BA=$CHACHA_BA AUTH_AB=- AUTH_BA=-
}

# make_config a|b OUT: the current suite's template filled in for one hub.
make_config() {
	local side=$1 out=$2
	if [[ $side == a ]]; then
		set -- "$P-a" "$P-al" "$P-aw" "$A_LAN4" "$A_LAN6" "$A_WAN4" "$B_WAN4" "$A_VTI4" \
			10.20.0.0/24 fd00:b::/64 "$SPI_AB" "$SPI_BA" "$KEY_AB" "$KEY_BA" "$AUTH_AB" "$AUTH_BA"
	else
		set -- "$P-b" "$P-bl" "$P-bw" "$B_LAN4" "$B_LAN6" "$B_WAN4" "$A_WAN4" "$B_VTI4" \
			10.10.1.0/24 fd00:a::/64 "$SPI_BA" "$SPI_AB" "$KEY_BA" "$KEY_AB" "$AUTH_BA" "$AUTH_AB"
	fi
	sed -e "s|@NAME@|$1|g; s|@LAN_PORT@|$2|g; s|@WAN_PORT@|$3|g; s|@LAN4@|$4|g; s|@LAN6@|$5|g" \
		-e "s|@WAN4@|$6|g; s|@PEER4@|$7|g; s|@VTI4@|$8|g; s|@FAR4@|$9|g; s|@FAR6@|${10}|g" \
		-e "s|@SPI_OUT@|${11}|g; s|@SPI_IN@|${12}|g; s|@KEY_OUT@|${13}|g; s|@KEY_IN@|${14}|g" \
		-e "s|@AUTH_KEY_OUT@|${15}|g; s|@AUTH_KEY_IN@|${16}|g" "$HERE/$TEMPLATE" >"$out"
}

hub_names() { # a b -> "hub-a and hub-b"
	local n="hub-$1"
	[[ $# -gt 1 ]] && n+=" and hub-$2"
	echo "$n"
}

# hub_up a|b...: start those hubs with the current suite and wait until all are ready.
hub_up() {
	local side cfg out rc
	for side in "$@"; do
		cfg=$TMP/$side.yaml
		make_config "$side" "$cfg"
		rc=0
		out=$("$VPNHUB" --check -c "$cfg" 2>&1) || rc=$?
		if ((rc != 0)); then
			t_not_ok "vpnhub --check accepts hub-$side's $SUITE config" "exit status $rc" "$out"
			return 1
		fi
	done
	for side in "$@"; do
		hubs_start "$side" "$P-$side" "$P-h$side" "$TMP/hub-$side.$SUITE_TAG.log" \
			-c "$TMP/$side.yaml"
	done
	if hubs_wait_ready 30 "$@" 2>"$TMP/ready.err"; then
		t_ok "$(hub_names "$@"): started with the $SUITE config, ready"
		return 0
	fi
	t_not_ok "$(hub_names "$@"): started with the $SUITE config, ready" \
		"$(cat "$TMP/ready.err")"
	return 1
}

# hub_down a|b...: SIGTERM those hubs: each must exit 0 within 10 s and leave a clean log.
hub_down() {
	local side rc bad
	for side in "$@"; do
		[[ -n ${HUBS_LOG[$side]:-} ]] || continue
		rc=0
		hubs_stop 10 "$side" || rc=$?
		bad=$(grep -nE 'ERROR|AddressSanitizer|LeakSanitizer|runtime error' \
			"${HUBS_LOG[$side]}" || true)
		if ((rc == 0)) && [[ ${HUBS_STATUS[$side]} == 0 && -z $bad ]]; then
			t_ok "SIGTERM: hub-$side ($SUITE) exits 0, log without ERROR or sanitizer report"
		else
			t_not_ok "SIGTERM: hub-$side ($SUITE) exits 0, log without ERROR or sanitizer report" \
				"exit status ${HUBS_STATUS[$side]:-none}$( ((rc == 0)) || echo ', killed')" \
				"${bad:-log clean}"
		fi
		unset "HUBS_LOG[$side]"
	done
}

# ---- counters ----

# snap a|b FILE: the hub's counters as "key value" lines (see the tool's snapshot).
snap() {
	"$PY" "$TOOL" snap "$VPNHUBCTL" "${HUBS_INST[$1]}" "$2"
}

# new_snap a|b: snap into a new file and print its name (fine in a command substitution).
new_snap() {
	local f
	f=$(mktemp "$TMP/snap.$1.XXXXXX")
	snap "$1" "$f" || true
	echo "$f"
}

# get FILE KEY: one counter of a snapshot, or "absent".
get() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "absent" : v }' "$1"
}

# check_delta DESC a|b BEFORE SPEC...: wait (up to 3 s) until the named counters of the hub
# moved as SPEC (KEY=N...) says, then assert exactly that, with every other drop and SA error
# counter unchanged.
check_delta() {
	local desc=$1 side=$2 before=$3 after out
	shift 3
	after=$(mktemp "$TMP/snap.$side.XXXXXX")
	if out=$("$PY" "$TOOL" await "$VPNHUBCTL" "${HUBS_INST[$side]}" "$before" "$after" 3 \
		"$@" 2>&1); then
		t_ok "$desc ($out)"
	else
		t_not_ok "$desc" "$out"
	fi
}

# ---- traffic ----

ping_check() {
	t_check "$1" ping_ok "$2" "$3"
}

# pings LABEL: IPv4 and IPv6 through the tunnel both ways.
pings() {
	ping_check "host-a -> host-b $HOST_B4 through vti1 ($1)" "$P-a" "$HOST_B4"
	ping_check "host-a -> host-b $HOST_B6 through vti1 (IPv6 in IPv4 $1)" "$P-a" "$HOST_B6"
	ping_check "host-b -> host-a $HOST_A4 through vti1 ($1)" "$P-b" "$HOST_A4"
	ping_check "host-b -> host-a $HOST_A6 through vti1 (IPv6 in IPv4 $1)" "$P-b" "$HOST_A6"
}

# stream COUNT A0 B0: COUNT sequence-numbered UDP datagrams host-a -> host-b, 2500/s in bursts
# of 10; asserts that all arrive once and in order. A0 and B0 are the hubs' counters from before,
# to say where datagrams went missing.
#
# The pace keeps the af_packet rings far from full. The kernel spreads a port's frames over its
# sockets (one per queue) by flow hash, but once a socket's ring is 3/4 full it rolls a big flow
# over to the next socket, and then the hub, reading queue after queue, reorders that flow. At
# 2500/s the 4096-frame rings of esp-*.yaml.in allow a hub 1.2 s off the CPU before that.
stream() {
	local count=$1 ready=$TMP/rx.ready rx=$TMP/rx.out tx=$TMP/tx.out rxpid i want got a1 b1 q0 q1
	q0=$(rx_queues a lan0)
	rm -f "$ready"
	ip netns exec "$P-b" "$PY" "$TOOL" rx "$HOST_B4" "$PORT" "$count" "$ready" >"$rx" 2>&1 &
	rxpid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -e $ready ]] && break
		sleep 0.1
	done
	ip netns exec "$P-a" "$PY" "$TOOL" tx "$HOST_B4" "$PORT" "$count" 2500 10 >"$tx" 2>&1 || true
	wait "$rxpid" || true
	want="received=$count missing=0 duplicates=0 reordered=0 bad=0"
	got=$(tail -n 1 "$rx")
	if [[ $got == "$want" ]]; then
		t_ok "UDP stream host-a -> host-b: $count datagrams, no loss, no duplicate, in order"
	else
		a1=$(new_snap a)
		b1=$(new_snap b)
		q1=$(rx_queues a lan0)
		t_not_ok "UDP stream host-a -> host-b: $count datagrams, no loss, no duplicate, in order" \
			"receiver: $(cat "$rx")" "sender: $(cat "$tx")" \
			"hub-a lan0 rx $(delta_of "$2" "$a1" lan0.rx_packets)," \
			"hub-a SA $SPI_AB out $(delta_of "$2" "$a1" "sa.$SPI_AB.pkts")," \
			"hub-a wan0 tx $(delta_of "$2" "$a1" wan0.tx_packets)," \
			"hub-b wan0 rx $(delta_of "$3" "$b1" wan0.rx_packets)," \
			"hub-b SA $SPI_AB in $(delta_of "$3" "$b1" "sa.$SPI_AB.pkts")," \
			"hub-b lan0 tx $(delta_of "$3" "$b1" lan0.tx_packets)" \
			"drops: hub-a $(moved_drops "$2" "$a1"), hub-b $(moved_drops "$3" "$b1")" \
			"hub-a lan0 rx per af_packet queue: $q0 before, $q1 after (one flow on several" \
			"queues: a ring ran 3/4 full, the hub was off the CPU; load $(cut -d' ' -f1-3 \
			/proc/loadavg))"
	fi
}

# rx_queues a|b IFACE: packets received per queue of the interface's DPDK port ("12 0").
rx_queues() {
	local inst=${HUBS_INST[$1]} port
	port=$(ctl_raw "$inst" /vpnhub/interfaces 2>/dev/null | json_get "$2.port_id" 2>/dev/null) &&
		ctl_raw "$inst" "/ethdev/xstats,$port" 2>/dev/null | "$PY" "$TOOL" rxq 2>/dev/null ||
		echo "?"
}

# delta_of BEFORE AFTER KEY: how far KEY moved.
delta_of() {
	echo $(($(get "$2" "$3" | sed 's/absent/0/') - $(get "$1" "$3" | sed 's/absent/0/')))
}

# moved_drops BEFORE AFTER: the drop counters that moved, "name +N ...".
moved_drops() {
	awk 'NR == FNR { b[$1] = $2; next }
		$1 ~ /^drop_/ && $2 != b[$1] { printf "%s +%d ", $1, $2 - b[$1] }' "$1" "$2"
}

# settle: wait (up to 5 s) until no packet moves through either hub's tunnel any more (a ping
# may still have an echo in flight), then leave the counters of that moment in SNAP_A and SNAP_B.
settle() {
	SNAP_A=$(mktemp "$TMP/snap.a.XXXXXX")
	SNAP_B=$(mktemp "$TMP/snap.b.XXXXXX")
	"$PY" "$TOOL" settle "$VPNHUBCTL" "$P-a" "$P-b" "$SNAP_A" "$SNAP_B" || true
}

# stream_counted COUNT: the stream, with each hub's counters checked around it: exactly COUNT
# through the SA a->b, nothing through b->a, no drop of any kind.
stream_counted() {
	local count=$1 a0 b0
	settle
	a0=$SNAP_A b0=$SNAP_B
	stream "$count" "$a0" "$b0"
	check_delta "hub-a: SA $SPI_AB out counts the $count datagrams exactly, no drop" a "$a0" \
		"sa.$SPI_AB.pkts=$count" "sa.$SPI_BA.pkts=0" drop_esp_sa_error=0 vti1.rx_packets=0
	check_delta "hub-b: SA $SPI_AB in and vti1 rx count the $count datagrams exactly, no drop" \
		b "$b0" "sa.$SPI_AB.pkts=$count" "sa.$SPI_BA.pkts=0" "vti1.rx_packets=$count" \
		drop_esp_sa_error=0
	check_delta "hub-a: vti1 tx_packets counts the $count datagrams it sent" a "$a0" --named \
		"vti1.tx_packets=$count"
}

# ---- captures ----

# cap_start NS IFACE FILE: capture the frames the hub on IFACE receives.
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
	sleep 0.3 # the last frames reach the capture
	kill -INT "${CAPS[@]}" 2>/dev/null || true
	wait "${CAPS[@]}" 2>/dev/null || true
	CAPS=()
}

caps_start() {
	cap_start "$P-hb" "$P-bw" "$TMP/$SUITE_TAG-a2b.pcap" &&
		cap_start "$P-ha" "$P-aw" "$TMP/$SUITE_TAG-b2a.pcap"
}

# tshark_fields PCAP SRC DST SPI ENC KEY AUTH AUTH_KEY: the fields tshark_sum reads, of every
# ESP frame, decrypted with the SA given (names as in Wireshark's ESP SA table). A capture is
# only ever decoded with its one SA, so tshark's output is kept beside it for the next caller.
tshark_fields() {
	local sa
	if [[ ! -s $1.fields ]]; then
		sa=$(printf '"IPv4","%s","%s","%s","%s","%s","%s","%s"' "$2" "$3" "$4" "$5" "$6" "$7" \
			"$8")
		tshark -n -r "$1" -Y esp -o esp.enable_encryption_decode:TRUE \
			-o esp.enable_authentication_check:TRUE -o "uat:esp_sa:$sa" \
			-T fields -e frame.number -e esp.spi -e esp.sequence -e esp.icv_good -e ip.src \
			-e ip.dst -e ipv6.src -e ipv6.dst -e ip.proto -e ipv6.nxt -e icmp.type \
			-e icmpv6.type -e udp.srcport -e udp.dstport -e data.data \
			>"$1.fields" 2>"$TMP/tshark.err" || true
	fi
	cat "$1.fields"
}

# decoded_check DESC CMD...: CMD prints the decoder's summary and fails on a mismatch.
decoded_check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_ok "$desc: $out"
	else
		t_not_ok "$desc" "$out"
	fi
}

# tshark_check DESC PCAP SRC DST SPI ENC KEY AUTH AUTH_KEY CHECK...
tshark_check() {
	local desc=$1 pcap=$2
	shift 2
	decoded_check "$desc" tshark_summary "$pcap" "$@"
}

# tshark_summary PCAP SRC DST SPI ENC KEY AUTH AUTH_KEY CHECK...: on a mismatch, tshark's own
# complaints and dumpcap's drop count follow the decoder's reasons.
tshark_summary() {
	local pcap=$1 rc=0
	tshark_fields "$pcap" "${@:2:7}" | "$PY" "$TOOL" tshark-sum "${@:9}" || rc=$?
	if ((rc != 0)); then
		grep -v '^Running as user' "$TMP/tshark.err" | sed 's/^/tshark: /'
		grep -h 'dropped' "$pcap.log" | sed 's/^/dumpcap: /'
	fi
	return "$rc"
}

# totals_check: after the traffic of a scenario, what each hub sent through its SA out was
# received through the peer's SA in and entered its vti1, and the captures hold exactly that many
# ESP packets; no SA error and no ESP drop anywhere. Sets N_AB and N_BA.
totals_check() {
	local a b bad=() in_ab in_ba vti_ab vti_ba
	a=$(new_snap a)
	b=$(new_snap b)
	N_AB=$(get "$a" "sa.$SPI_AB.pkts") in_ab=$(get "$b" "sa.$SPI_AB.pkts")
	N_BA=$(get "$b" "sa.$SPI_BA.pkts") in_ba=$(get "$a" "sa.$SPI_BA.pkts")
	vti_ab=$(get "$b" vti1.rx_packets) vti_ba=$(get "$a" vti1.rx_packets)
	if [[ $N_AB == absent ]]; then # no SA telemetry: vti1 rx and the captures must agree
		N_AB=$vti_ab N_BA=$vti_ba
	else
		[[ $in_ab == "$N_AB" && $vti_ab == "$N_AB" ]] ||
			bad+=("a->b: hub-a SA out $N_AB, hub-b SA in $in_ab, hub-b vti1 rx $vti_ab")
		[[ $in_ba == "$N_BA" && $vti_ba == "$N_BA" ]] ||
			bad+=("b->a: hub-b SA out $N_BA, hub-a SA in $in_ba, hub-a vti1 rx $vti_ba")
	fi
	mapfile -t -O "${#bad[@]}" bad < <(awk -v h=hub-a \
		'($1 ~ /^drop_esp_/ || $1 ~ /\.err_/) && $2 != 0 { print h, $1 "=" $2 }' "$a")
	mapfile -t -O "${#bad[@]}" bad < <(awk -v h=hub-b \
		'($1 ~ /^drop_esp_/ || $1 ~ /\.err_/) && $2 != 0 { print h, $1 "=" $2 }' "$b")
	if ((${#bad[@]} == 0)); then
		t_ok "$SUITE totals: a->b $N_AB sent = received = hub-b vti1 rx," \
			"b->a $N_BA likewise; no SA error, no ESP drop on either hub"
	else
		t_not_ok "$SUITE totals: sent = received = vti1 rx both ways; no SA error, no ESP drop" \
			"${bad[@]}"
	fi
}

# ---- frames ----

mac_of() { # NS IFACE
	ip -n "$1" -o link show "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# inject HEX...: IP packets, each in a frame from hub-a's wan veth to hub-b's.
inject() {
	ip netns exec "$P-ha" "$PY" "$TOOL" inject "$P-aw" "$AW_MAC" "$BW_MAC" "$@"
}

tool() {
	"$PY" "$TOOL" "$@"
}

# ---- scenarios ----

A2B_SRC=$HOST_A4,$HOST_A6
A2B_DST=$HOST_B4,$HOST_B6,$B_VTI4

GCM_NAME="AES-GCM with 16 octet ICV [RFC4106]"
CBC_NAME="AES-CBC [RFC3602]"
SHA256_NAME="HMAC-SHA-256-128 [RFC4868]"

# 1: AES-GCM-128 in tunnel mode; 2: tshark decrypts what was captured meanwhile.
scenario_gcm() {
	local a2b b2a n
	suite_gcm
	t_diag "scenario 1: $SUITE, tunnel mode (at ${SECONDS} s)"
	a2b=$TMP/$SUITE_TAG-a2b.pcap b2a=$TMP/$SUITE_TAG-b2a.pcap
	if ! caps_start 2>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures both wan veths" "$(cat "$TMP/cap.err")"
		return 0
	fi
	if ! hub_up a b; then
		hub_down a b
		cap_stop
		return 0
	fi
	if [[ $(get "$(new_snap b)" sa_telemetry) != 1 ]]; then
		t_diag "no /vpnhub/ipsec/sa: vti1 rx and drop_esp_sa_error stand in for SA counters"
	fi
	pings "$SUITE"
	ping_check "host-a -> $B_VTI4, hub-b's vti1 (its control core answers through the tunnel)" \
		"$P-a" "$B_VTI4"
	stream_counted 10000
	ping_check "host-b -> host-a $HOST_A4 after the stream" "$P-b" "$HOST_A4"
	settle
	cap_stop
	totals_check

	t_diag "scenario 2: tshark decrypts the captures of scenario 1 (at ${SECONDS} s)"
	tshark_check "tshark, ESP a->b (captured at hub-b): decrypted, ICVs correct, seq 1..$N_AB" \
		"$a2b" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$GCM_NAME" "$KEY_AB" NULL "" \
		"spi=$SPI_AB" "count=$N_AB" stream=10000 udp=0 "src=$A2B_SRC" "dst=$A2B_DST"
	tshark_check "tshark, ESP b->a (captured at hub-a): decrypted, ICVs correct, seq 1..$N_BA" \
		"$b2a" "$B_WAN4" "$A_WAN4" "$SPI_BA" "$GCM_NAME" "$KEY_BA" NULL "" \
		"spi=$SPI_BA" "count=$N_BA" stream=0 udp=0 "src=$A2B_DST" "dst=$A2B_SRC"
	n=$(tshark_fields "$b2a" "$B_WAN4" "$A_WAN4" "$SPI_BA" "$GCM_NAME" "$KEY_BA" NULL "" |
		tool pick "src=$B_VTI4" "dst=$HOST_A4" proto=1 type=0 | wc -l)
	if ((n >= 3)); then
		t_ok "the echo replies of hub-b's vti1 ($B_VTI4) travel b->a in the tunnel ($n)"
	else
		t_not_ok "the echo replies of hub-b's vti1 ($B_VTI4) travel b->a in the tunnel" \
			"$n decrypted in the b->a capture, want at least 3"
	fi
	decoded_check "second decoder agrees on a->b" tool decode "$a2b" gcm "$KEY_AB" - 0 \
		"spi=$SPI_AB" "count=$N_AB" stream=10000 udp=0 "src=$A2B_SRC" "dst=$A2B_DST"
	hub_down a b
}

# 5: bad ESP into a fresh hub-b (a-d), frames taken from scenario 1's a->b capture or built here.
scenario_bad_input() {
	local pcap b0 frames=() e1 e2 e3 late s1 s3 slate f
	suite_gcm
	t_diag "scenario 5: bad ESP into a fresh hub-b ($SUITE config, hub-a stopped) (at ${SECONDS} s)"
	pcap=$TMP/$SUITE_TAG-a2b.pcap
	# Echo replies host-a -> host-b: once delivered, host-b answers nothing.
	[[ -s $pcap ]] && mapfile -t frames < <(tshark_fields "$pcap" "$A_WAN4" "$B_WAN4" "$SPI_AB" \
		"$GCM_NAME" "$KEY_AB" NULL "" | tool pick "dst=$HOST_B4" proto=1 type=0)
	if ((${#frames[@]} < 4)); then
		t_not_ok "scenario 1's capture holds 4 echo replies to host-b" "${frames[@]}"
		return 0
	fi
	read -r e1 s1 <<<"${frames[0]}"
	read -r e2 _ <<<"${frames[1]}"
	read -r e3 s3 <<<"${frames[2]}"
	read -r late slate <<<"${frames[-1]}"
	if ((slate - s3 < 1024)); then
		t_not_ok "scenario 1's capture holds echo replies 1024 sequence numbers apart" \
			"${frames[@]}"
		return 0
	fi
	if ! hub_up b; then
		hub_down b
		return 0
	fi
	AW_MAC=$(mac_of "$P-ha" "$P-aw")
	BW_MAC=$(ctl_raw "$P-b" /vpnhub/interfaces | json_get wan0.mac | tr 'A-F' 'a-f')

	b0=$(new_snap b)
	inject "$(tool frame-esp "$A_WAN4" "$B_WAN4" 0xdead0001 48)"
	check_delta "(a) ESP with unknown SPI 0xdead0001: drop_esp_no_sa +1" b "$b0" \
		drop_esp_no_sa=1 vti1.rx_packets=0 "sa.$SPI_AB.pkts=0"

	b0=$(new_snap b)
	inject "$(tool frame-pcap "$pcap" "$e1" -1)"
	check_delta "(b) captured seq $s1 with its ICV's last bit flipped: auth_failed +1" b "$b0" \
		"sa.$SPI_AB.err_auth_failed=1" drop_esp_sa_error=1 "sa.$SPI_AB.pkts=0" vti1.rx_packets=0
	b0=$(new_snap b)
	inject "$(tool frame-pcap "$pcap" "$e1")"
	check_delta "(b) then the intact seq $s1 is accepted: the bad ICV left the window alone" b \
		"$b0" "sa.$SPI_AB.pkts=1" vti1.rx_packets=1 drop_esp_sa_error=0

	b0=$(new_snap b)
	f=$(tool frame-pcap "$pcap" "$e2")
	inject "$f" "$f"
	check_delta "(c) a captured packet sent twice: accepted once, then a replay" b "$b0" \
		"sa.$SPI_AB.pkts=1" vti1.rx_packets=1 "sa.$SPI_AB.err_replay=1" drop_esp_sa_error=1

	b0=$(new_snap b)
	inject "$(tool frame-pcap "$pcap" "$late")" "$(tool frame-pcap "$pcap" "$e3")"
	check_delta "(c) seq $slate accepted, then seq $s3 (left of the 1024 window) is a replay" b \
		"$b0" "sa.$SPI_AB.pkts=1" vti1.rx_packets=1 "sa.$SPI_AB.err_replay=1" drop_esp_sa_error=1

	b0=$(new_snap b)
	inject "$(tool frame-gcm "$A_WAN4" "$B_WAN4" "$SPI_AB" 0 "$KEY_AB" "$HOST_A4" "$HOST_B4")"
	check_delta "(c) sequence number 0, sealed with the right key, is refused as a replay" b \
		"$b0" "sa.$SPI_AB.err_replay=1" drop_esp_sa_error=1 "sa.$SPI_AB.pkts=0"

	b0=$(new_snap b)
	inject "$(tool frame-esp "$A_WAN4" "$B_WAN4" "$SPI_AB" 8)"
	check_delta "(d) ESP of 8 bytes (SPI and seq only) for SA $SPI_AB: malformed +1" b "$b0" \
		"sa.$SPI_AB.err_malformed=1" drop_esp_sa_error=1 "sa.$SPI_AB.pkts=0"
	b0=$(new_snap b)
	inject "$(tool frame-esp "$A_WAN4" "$B_WAN4" "$SPI_AB" 3)"
	check_delta "(d) ESP of 3 bytes (not even an SPI): drop_esp_truncated +1" b "$b0" \
		drop_esp_truncated=1 "sa.$SPI_AB.pkts=0"
	hub_down b
}

# 3: AES-CBC-256 + HMAC-SHA-256-128 with ESN in UDP 4500; then (5e) CBC ciphertext not whole blocks.
scenario_cbc() {
	local a2b b2a b0 seq
	suite_cbc
	t_diag "scenario 3: $SUITE (at ${SECONDS} s)"
	a2b=$TMP/$SUITE_TAG-a2b.pcap b2a=$TMP/$SUITE_TAG-b2a.pcap
	if ! caps_start 2>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures both wan veths" "$(cat "$TMP/cap.err")"
		return 0
	fi
	if ! hub_up a b; then
		hub_down a b
		cap_stop
		return 0
	fi
	pings "$SUITE"
	stream_counted 2000
	settle
	cap_stop
	totals_check
	# tshark 4.0 has no ESN: it decrypts, but computes the ICVs without the high bits (icv=0).
	tshark_check "tshark, ESP-in-UDP a->b decrypted, seq 1..$N_AB (ICVs: next check)" \
		"$a2b" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$CBC_NAME" "$KEY_AB" "$SHA256_NAME" "$AUTH_AB" \
		"spi=$SPI_AB" "count=$N_AB" stream=2000 udp=1 icv=0 "src=$A2B_SRC" "dst=$A2B_DST"
	tshark_check "tshark, ESP-in-UDP b->a decrypted, seq 1..$N_BA (ICVs: next check)" \
		"$b2a" "$B_WAN4" "$A_WAN4" "$SPI_BA" "$CBC_NAME" "$KEY_BA" "$SHA256_NAME" "$AUTH_BA" \
		"spi=$SPI_BA" "count=$N_BA" stream=0 udp=1 icv=0 "src=$A2B_DST" "dst=$A2B_SRC"
	decoded_check "a->b ICVs right with the ESN high bits (and only with them)" \
		tool decode "$a2b" cbc "$KEY_AB" "$AUTH_AB" 1 "spi=$SPI_AB" "count=$N_AB" \
		stream=2000 udp=1 esn=1 "src=$A2B_SRC" "dst=$A2B_DST"
	decoded_check "b->a ICVs right with the ESN high bits (and only with them)" \
		tool decode "$b2a" cbc "$KEY_BA" "$AUTH_BA" 1 "spi=$SPI_BA" "count=$N_BA" \
		stream=0 udp=1 esn=1 "src=$A2B_DST" "dst=$A2B_SRC"

	AW_MAC=$(mac_of "$P-ha" "$P-aw")
	BW_MAC=$(ctl_raw "$P-b" /vpnhub/interfaces | json_get wan0.mac | tr 'A-F' 'a-f')
	b0=$(new_snap b)
	inject "$(tool frame-keepalive "$A_WAN4" "$B_WAN4")"
	check_delta "NAT-T keepalive (one 0xff byte to UDP 4500): drop_natt_keepalive +1" b "$b0" \
		drop_natt_keepalive=1 vti1.rx_packets=0 "sa.$SPI_AB.pkts=0"
	hub_down a

	t_diag "scenario 5e: CBC ciphertext that is not whole blocks (hub-a stopped) (at ${SECONDS} s)"
	b0=$(new_snap b)
	seq=$(get "$b0" "sa.$SPI_AB.seq")
	[[ $seq == absent ]] && seq=$N_AB
	seq=$((seq + 5))
	inject "$(tool frame-cbc "$A_WAN4" "$B_WAN4" "$SPI_AB" "$seq" 17 "$KEY_AB" "$AUTH_AB" 1 \
		"$HOST_A4" "$HOST_B4")"
	check_delta "(e) seq $seq, right ICV, 17 bytes of CBC ciphertext: malformed +1" b "$b0" \
		"sa.$SPI_AB.err_malformed=1" drop_esp_sa_error=1 "sa.$SPI_AB.pkts=0" vti1.rx_packets=0
	b0=$(new_snap b)
	inject "$(tool frame-cbc "$A_WAN4" "$B_WAN4" "$SPI_AB" "$seq" good "$KEY_AB" "$AUTH_AB" 1 \
		"$HOST_A4" "$HOST_B4")"
	check_delta "(e) then a well-formed seq $seq is accepted: the window did not move" b "$b0" \
		"sa.$SPI_AB.pkts=1" vti1.rx_packets=1 drop_esp_sa_error=0
	hub_down b
}

# workers_check a|b: the hub runs two workers, and how many packets each received (which worker an
# af_packet flow lands on is the kernel's hash; the SA owner gets the rest by hand-off, and the
# stream's zero loss and order above are what that must preserve).
workers_check() {
	local inst=${HUBS_INST[$1]} st w0 w1
	st=$(ctl_raw "$inst" /vpnhub/stats 2>/dev/null) || st='{}'
	w0=$(json_get worker0.rx_packets <<<"$st" 2>/dev/null) || w0=absent
	w1=$(json_get worker1.rx_packets <<<"$st" 2>/dev/null) || w1=absent
	if [[ $w0 =~ ^[0-9]+$ && $w1 =~ ^[0-9]+$ ]] && ((w0 + w1 > 0)); then
		t_ok "hub-$1 runs two workers (rx: worker0 $w0, worker1 $w1)"
	else
		t_not_ok "hub-$1 runs two workers" "worker0 rx $w0, worker1 rx $w1"
	fi
}

# 4: ChaCha20-Poly1305 with two workers; 6: the final SIGTERM.
scenario_chacha() {
	local a2b b2a
	suite_chacha
	t_diag "scenario 4: $SUITE (at ${SECONDS} s)"
	a2b=$TMP/$SUITE_TAG-a2b.pcap b2a=$TMP/$SUITE_TAG-b2a.pcap
	if ! caps_start 2>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures both wan veths" "$(cat "$TMP/cap.err")"
		return 0
	fi
	if ! hub_up a b; then
		hub_down a b
		cap_stop
		return 0
	fi
	pings "$SUITE"
	stream_counted 1000
	settle
	cap_stop
	totals_check
	workers_check a
	workers_check b
	decoded_check "ESP a->b decrypted (RFC 7634), tags right, seq 1..$N_AB" \
		tool decode "$a2b" chacha "$KEY_AB" - 0 "spi=$SPI_AB" "count=$N_AB" stream=1000 \
		udp=0 "src=$A2B_SRC" "dst=$A2B_DST"
	decoded_check "ESP b->a decrypted (RFC 7634), tags right, seq 1..$N_BA" \
		tool decode "$b2a" chacha "$KEY_BA" - 0 "spi=$SPI_BA" "count=$N_BA" stream=0 \
		udp=0 "src=$A2B_DST" "dst=$A2B_SRC"
	t_diag "scenario 6: SIGTERM (at ${SECONDS} s)"
	hub_down a b
}

main() {
	t_init esp
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-esp.$P.XXXXXX")
	t_diag "prefix $P, instances $P-a and $P-b, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{ha,hb,a,b} come up"
		t_done
		return 1
	fi
	scenario_gcm
	scenario_bad_input
	scenario_cbc
	scenario_chacha
	t_diag "$SECONDS s"
	t_done
}

main "$@"
