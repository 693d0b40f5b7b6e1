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
# use the decoder below (python3-cryptography), which also cross-checks AES-GCM.
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
TOOL= # the Python helper, written into TMP
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

# ---- the Python helper: traffic, counters, frames, ESP decoding ----

write_tool() {
	cat >"$TOOL" <<'PYEOF'
"""esp.sh's helper: traffic, counters, frames and an ESP decoder (Debian's /usr/bin/python3)."""
import ipaddress
import hashlib
import hmac
import json
import socket
import struct
import sys
import time

MAGIC = b"vhub"  # stream payload: 4-byte sequence number, MAGIC, then seq % 64 filler bytes


def payload(n):
    return struct.pack("!I", n) + MAGIC + bytes([0x5A]) * (n % 64)


# ---- the UDP stream ----

def cmd_rx(addr, port, count, ready):
    count = int(count)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: root may pass rmem_max
    s.bind((addr, int(port)))
    open(ready, "w").close()
    seen = bytearray(count)
    got = dup = reord = bad = 0
    top = -1
    s.settimeout(30)  # until the first packet
    while True:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        # After the last one, wait briefly for duplicates; otherwise stop after 2 s of silence.
        s.settimeout(0.5 if got - dup >= count else 2)
        if len(d) < 8 or d[4:8] != MAGIC:
            bad += 1
            continue
        n = struct.unpack("!I", d[:4])[0]
        if n >= count or d != payload(n):
            bad += 1
            continue
        got += 1
        if seen[n]:
            dup += 1
            continue
        seen[n] = 1
        if n < top:
            reord += 1
        top = max(top, n)
    print(f"received={got} missing={count - sum(seen)} duplicates={dup} "
          f"reordered={reord} bad={bad}")


def cmd_tx(addr, port, count, pps, burst):
    count, pps, burst = int(count), int(pps), int(burst)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((addr, int(port)))
    step = burst / pps
    t = time.monotonic()
    for i in range(0, count, burst):
        for n in range(i, min(i + burst, count)):
            s.send(payload(n))
        t += step
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
    print(f"sent={count}")


# ---- counters ----
#
# A snapshot is a hub's counters as {key: value}: drop_*/punt_* summed over lcores, IF.counter,
# sa.SPI.field, sa_telemetry (1 when /vpnhub/ipsec/sa answers). Files hold "key value" lines.
# The replies come from vpnhubctl raw; polling loops run here, in one process.

def docs(text):
    """The telemetry replies in text, one JSON document after the other, unwrapped."""
    dec, i, out = json.JSONDecoder(), 0, {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        d, i = dec.raw_decode(text, i)
        for k, v in d.items():
            out[k] = v


def snapshot(ctl, inst):
    import subprocess
    text = ""
    for cmd in ("/vpnhub/stats", "/vpnhub/interfaces", "/vpnhub/ipsec/sa"):
        r = subprocess.run([ctl, "--instance", inst, "raw", cmd], capture_output=True, text=True,
                           timeout=20)
        if r.returncode != 0:
            raise SystemExit(f"vpnhubctl --instance {inst} raw {cmd}: {r.stderr.strip()}")
        text += r.stdout + "\n"
    d, out = docs(text), {}
    for k, v in d["/vpnhub/stats"]["total"].items():
        if k.startswith(("drop_", "punt_")):
            out[k] = v
    for name, ifc in d["/vpnhub/interfaces"].items():
        for k in ("rx_packets", "tx_packets", "drops"):
            out[f"{name}.{k}"] = ifc[k]
    sas = d.get("/vpnhub/ipsec/sa")
    out["sa_telemetry"] = 1 if isinstance(sas, dict) else 0
    for e in (sas or {}).values():
        if isinstance(e, dict):
            for k, v in e.items():
                if k in ("pkts", "bytes", "seq") or k.startswith("err_"):
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


BACKGROUND = ("drop_mcast_unhandled",)  # what a host's own multicast may move at any time


def delta(b, a, specs, named):
    """(ok, text): every KEY=N of specs moved by exactly N from b to a, and unless named, every
    other drop_* and sa.*.err_* counter by 0 (BACKGROUND excepted). Without SA telemetry the
    sa.* specs are skipped (the callers also name the counters that stand in for them)."""
    want = {}
    for s in specs:
        k, n = s.split("=")
        if k.startswith("sa.") and not a.get("sa_telemetry"):
            continue
        want[k] = int(n)
    bad, shown = [], []
    for k, n in want.items():
        if k not in a or k not in b:
            bad.append(f"{k}: no such counter")
            continue
        got = a[k] - b[k]
        shown.append(f"{k} {got:+d}")
        if got != n:
            bad.append(f"{k}: moved by {got:+d}, want {n:+d} ({b[k]} -> {a[k]})")
    if not named:
        for k in sorted(a):
            if k in want or k not in b or k in BACKGROUND:
                continue
            if (k.startswith("drop_") or (k.startswith("sa.") and ".err_" in k)) and a[k] != b[k]:
                bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want +0")
    return not bad, ", ".join(shown) if not bad else "\n".join(bad)


def cmd_await(ctl, inst, before, out, secs, *specs):
    """Snapshot the hub until the named counters moved as specs say (at most SECS seconds), then
    once more a moment later (into OUT), and judge that one with delta(). --named: only the named
    counters are judged."""
    named = "--named" in specs
    specs = [s for s in specs if s != "--named"]
    b = load(before)
    deadline = time.monotonic() + float(secs)
    while not delta(b, snapshot(ctl, inst), specs, True)[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.2)  # anything that moves late shows now
    a = snapshot(ctl, inst)
    save(out, a)
    ok, text = delta(b, a, specs, named)
    print(text)
    sys.exit(0 if ok else 1)


def cmd_settle(ctl, inst_a, inst_b, out_a, out_b):
    """Snapshot both hubs until their SA and vti1 counters stop moving (at most 5 s); the last
    snapshots go to OUT_A and OUT_B."""
    def tunnel(snap):
        return {k: v for k, v in snap.items() if k.startswith(("sa.", "vti1."))}
    a, b = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.3)
        a2, b2 = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
        still = tunnel(a2) == tunnel(a) and tunnel(b2) == tunnel(b)
        a, b = a2, b2
        if still:
            break
    save(out_a, a)
    save(out_b, b)


def cmd_rxq():
    """stdin: DPDK's /ethdev/xstats reply. stdout: rx_q<N>_packets for N = 0, 1, ..."""
    d = next(iter(json.load(sys.stdin).values()))
    n = sorted(int(k[4:-8]) for k in d if k.startswith("rx_q") and k.endswith("_packets"))
    print(" ".join(str(d[f"rx_q{i}_packets"]) for i in n))


# ---- frames ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, body, ident=0x4242):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + body


def udp(sport, dport, body):
    return struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body  # RFC 3948 2.1: 0 is ok


def pcap_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file (dumpcap -P writes one)")
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: link type is not Ethernet")
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def outer_esp(frame):
    """(ESP bytes, True if in UDP from and to port 4500) of an Ethernet/IPv4 frame carrying ESP
    (or ESP in UDP to port 4500), else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    hl, tl, proto = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0], ip[9]
    l4 = ip[hl:tl]
    if proto == 50:
        return l4, False
    if proto == 17 and len(l4) >= 8 and struct.unpack("!H", l4[2:4])[0] == 4500:
        p = l4[8:]
        if len(p) >= 8 and p[:4] != b"\0\0\0\0":
            return p, struct.unpack("!H", l4[0:2])[0] == 4500  # in UDP 4500 -> 4500?
    return None


def cmd_frame_pcap(path, number, flip=None):
    """The IP packet of frame NUMBER (1-based) of a capture, as hex; flip=-1 inverts the low
    bit of its last byte (an ESP packet's ICV)."""
    f = bytearray(pcap_frames(path)[int(number) - 1][14:])
    f = f[:struct.unpack("!H", f[2:4])[0]]  # without Ethernet padding
    if flip is not None:
        f[int(flip)] ^= 1
    print(f.hex())


def cmd_frame_esp(src, dst, spi, nbytes):
    """An ESP packet NBYTES long after the IP header: SPI, sequence number 1, zeros (cut)."""
    esp = struct.pack("!II", int(spi, 0), 1) + bytes(64)
    print(ip4(src, dst, 50, esp[:int(nbytes)]).hex())


def cmd_frame_keepalive(src, dst):
    print(ip4(src, dst, 17, udp(4500, 4500, b"\xff")).hex())


def inner_echo_reply(src, dst):
    icmp = struct.pack("!BBHHH", 0, 0, 0, 0x7e57, 1) + b"vpnhub-esp"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    return ip4(src, dst, 1, icmp)


def esp_trailer(inner, align):
    pad = (align - (len(inner) + 2) % align) % align
    return inner + bytes(range(1, pad + 1)) + bytes([pad, 4])


def cmd_frame_gcm(src, dst, spi, seq, key, isrc, idst):
    """A well-formed AES-GCM ESP packet (tunnel mode, an ICMP echo reply ISRC -> IDST inside)
    with sequence number SEQ, sealed with KEY (key || 4-byte salt)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    k = bytes.fromhex(key.removeprefix("0x"))
    hdr = struct.pack("!II", int(spi, 0), int(seq))
    iv = struct.pack("!Q", 0x1122334455667788)
    ct = AESGCM(k[:-4]).encrypt(k[-4:] + iv, esp_trailer(inner_echo_reply(isrc, idst), 4), hdr)
    print(ip4(src, dst, 50, hdr + iv + ct).hex())


def cmd_frame_cbc(src, dst, spi, seq, ctlen, enc_key, auth_key, esn, isrc, idst):
    """ESP in UDP 4500 for an AES-CBC + HMAC-SHA-256-128 SA, its ICV right (over seq_hi = 0 when
    ESN is 1). CTLEN "good": an ICMP echo reply ISRC -> IDST, encrypted with ENC_KEY; a number:
    that many bytes of junk ciphertext (need not be whole blocks)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    iv = bytes(range(0xF0, 0x100))
    if ctlen == "good":
        e = Cipher(algorithms.AES(bytes.fromhex(enc_key.removeprefix("0x"))), modes.CBC(iv))
        c = e.encryptor()
        ct = c.update(esp_trailer(inner_echo_reply(isrc, idst), 16)) + c.finalize()
    else:
        ct = bytes([0x3C]) * int(ctlen)
    body = struct.pack("!II", int(spi, 0), int(seq)) + iv + ct
    k = bytes.fromhex(auth_key.removeprefix("0x"))
    icv = hmac.new(k, body + (b"\0\0\0\0" if esn == "1" else b""), hashlib.sha256).digest()
    print(ip4(src, dst, 17, udp(4500, 4500, body + icv[:16])).hex())


def cmd_inject(iface, src_mac, dst_mac, *packets):
    """Send each hex IP packet on IFACE in an Ethernet frame, bypassing the qdisc so that no
    other packet socket on IFACE (a hub's own) sees it as outgoing."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
    s.bind((iface, 0))
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    for p in packets:
        b = bytes.fromhex(p)
        s.send(eth + (b"\x86\xdd" if b[0] >> 4 == 6 else b"\x08\x00") + b)
        time.sleep(0.01)


# ---- decoding ESP: our own decoder and tshark's fields, checked the same way ----

def inner_of(pkt):
    """(family, src, dst, proto, icmp type, udp dport, stream seq) of a decrypted packet."""
    v = pkt[0] >> 4 if pkt else 0
    if v == 4 and len(pkt) >= 20:
        hl = (pkt[0] & 15) * 4
        fam, src, dst, proto, l4 = 4, socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(
            pkt[16:20]), pkt[9], pkt[hl:]
    elif v == 6 and len(pkt) >= 40:
        fam, proto, l4 = 6, pkt[6], pkt[40:]
        src = str(ipaddress.IPv6Address(pkt[8:24]))
        dst = str(ipaddress.IPv6Address(pkt[24:40]))
    else:
        return None
    itype = l4[0] if proto in (1, 58) and l4 else None
    dport = sseq = None
    if proto == 17 and len(l4) >= 8:
        dport = struct.unpack("!H", l4[2:4])[0]
        p = l4[8:]
        if len(p) >= 8 and p[4:8] == MAGIC and p == payload(struct.unpack("!I", p[:4])[0]):
            sseq = struct.unpack("!I", p[:4])[0]
    return fam, src, dst, proto, itype, dport, sseq


def open_esp(alg, key, auth_key, esn, esp):
    """(ICV ok, ICV ok if ESN were off, decrypted inner packet or None) of one ESP packet."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
    seq_hi = b"\0\0\0\0"  # the captures start at sequence number 1
    if alg in ("gcm", "chacha"):
        aead = AESGCM(key[:-4]) if alg == "gcm" else ChaCha20Poly1305(key[:-4])
        nonce, ct = key[-4:] + esp[8:16], esp[16:]
        aad = esp[:4] + seq_hi + esp[4:8] if esn else esp[:8]
        try:
            pt = aead.decrypt(nonce, ct, aad)
        except InvalidTag:
            return False, False, None
        ok_plain = True
    else:  # cbc: AES-CBC + HMAC-SHA-256-128
        icv, signed = esp[-16:], esp[:-16]
        mac = hmac.new(auth_key, signed + (seq_hi if esn else b""), hashlib.sha256).digest()
        plain = hmac.new(auth_key, signed, hashlib.sha256).digest()
        ok_plain = hmac.compare_digest(plain[:16], icv)
        if not hmac.compare_digest(mac[:16], icv):
            return False, ok_plain, None
        ct = esp[24:-16]
        if len(ct) % 16:
            return True, ok_plain, None
        d = Cipher(algorithms.AES(key), modes.CBC(esp[8:24])).decryptor()
        pt = d.update(ct) + d.finalize()
    padlen, nh = pt[-2], pt[-1]
    if padlen + 2 > len(pt) or pt[-2 - padlen:-2] != bytes(range(1, padlen + 1)) or nh not in (
            4, 41):
        return True, ok_plain, None
    return True, ok_plain, pt[:-2 - padlen]


def cmd_decode(path, alg, key, auth_key, esn, *checks):
    """Decode every ESP packet of a capture with our own decoder; see check()."""
    key = bytes.fromhex(key.removeprefix("0x"))
    auth_key = bytes.fromhex(auth_key.removeprefix("0x")) if auth_key != "-" else b""
    recs, extra = [], {"icv_ok_without_esn": 0}
    for frame in pcap_frames(path):
        o = outer_esp(frame)
        if o is None:
            continue
        esp, in_udp = o
        spi, seq = struct.unpack("!II", esp[:8])
        ok, ok_plain, inner = open_esp(alg, key, auth_key, esn == "1", esp)
        extra["icv_ok_without_esn"] += ok_plain and esn == "1"
        recs.append((spi, seq, ok, inner_of(inner) if inner else None, in_udp))
    check(recs, checks, extra)


def tshark_records(lines):
    """(frame number, record) of each line of tshark -T fields -e frame.number -e esp.spi
    -e esp.sequence -e esp.icv_good -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.proto
    -e ipv6.nxt -e icmp.type -e icmpv6.type -e udp.srcport -e udp.dstport -e data.data
    (tab-separated, occurrences joined by commas). A record is (spi, seq, ICV right, inner as
    inner_of() gives it or None, in UDP)."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 15 or not f[1]:
            continue
        frame, f = int(f[0]), f[1:]
        spi, seq = int(f[0], 0), int(f[1])
        ok = f[2] == "1"
        ip_src, ip_dst = f[3].split(","), f[4].split(",")
        sports, ports = f[11].split(","), f[12].split(",") if f[12] else []
        in_udp = bool(ports) and ports[0] == "4500" and sports[0] == "4500"
        inner = None
        if f[5]:
            fam, src, dst, proto = 6, f[5], f[6], int(f[8].split(",")[-1] or -1)
        elif len(ip_src) >= 2:
            fam, src, dst, proto = 4, ip_src[-1], ip_dst[-1], int(f[7].split(",")[-1])
        else:
            fam = None
        if fam:
            t = f[9] if fam == 4 else f[10]
            itype = int(t.split(",")[0]) if t else None
            dport = sseq = None
            if proto == 17 and ports:
                dport = int(ports[-1])
                p = bytes.fromhex(f[13].split(",")[-1]) if f[13] else b""
                if len(p) >= 8 and p[4:8] == MAGIC and p == payload(struct.unpack("!I", p[:4])[0]):
                    sseq = struct.unpack("!I", p[:4])[0]
            inner = (fam, src, dst, proto, itype, dport, sseq)
        yield frame, (spi, seq, ok, inner, in_udp)


def cmd_tshark_sum(*checks):
    """stdin: tshark's fields (see tshark_records); the records are checked by check()."""
    check([r for _, r in tshark_records(sys.stdin)], checks, {})


def cmd_pick(*want):
    """stdin: tshark's fields (see tshark_records). Prints "frame seq" of each ESP packet whose
    inner packet matches every WANT: src=A dst=A proto=N type=N."""
    c = dict(x.split("=", 1) for x in want)
    for frame, (spi, seq, ok, inner, _) in tshark_records(sys.stdin):
        if inner is None:
            continue
        have = {"src": inner[1], "dst": inner[2], "proto": str(inner[3]), "type": str(inner[4])}
        if all(have[k] == v for k, v in c.items()):
            print(frame, seq)


def check(recs, checks, extra):
    """Checks (KEY=VALUE): spi=0x.. every packet's SPI; icv=1 every ICV right, 0: not judged;
    udp=0|1 every packet in UDP 4500; count=N exactly N packets; stream=N the inner UDP packets
    are the stream 0..N-1, each once (their order is noted, the receiver judges it); src=A,B /
    dst=A,B the inner addresses allowed; esn=1 no ICV verifies without the ESN high bits.
    Always: the sequence numbers are 1..count in capture order, every inner packet is an ICMP
    echo or a stream datagram. Prints a summary; exit 1 with the reasons when a check fails."""
    c = dict(x.split("=", 1) for x in checks)
    bad = []
    n = len(recs)
    if "count" in c and n != int(c["count"]):
        bad.append(f"{n} ESP packets, want {c['count']}")
    seqs = [r[1] for r in recs]
    if seqs != list(range(1, n + 1)):
        first = next((i for i, s in enumerate(seqs) if s != i + 1), None)
        bad.append(f"sequence numbers not 1..{n} in order: packet {first + 1} has "
                   f"{seqs[first]}" if first is not None else "no packets")
    spis = {r[0] for r in recs}
    if "spi" in c and spis - {int(c["spi"], 0)}:
        bad.append("SPIs " + ", ".join(hex(s) for s in sorted(spis)))
    if c.get("udp") in ("0", "1") and any(r[4] != (c["udp"] == "1") for r in recs):
        bad.append("not every packet is " + ("in UDP 4500" if c["udp"] == "1" else "plain ESP"))
    good_icv = sum(1 for r in recs if r[2])
    if c.get("icv", "1") == "1" and good_icv != n:
        bad.append(f"ICV right on {good_icv} of {n}")
    srcs = set(c["src"].split(",")) if "src" in c else None
    dsts = set(c["dst"].split(",")) if "dst" in c else None
    kinds = {}
    stream = []
    for spi, seq, ok, inner, _ in recs:
        if inner is None:
            kinds["undecrypted"] = kinds.get("undecrypted", 0) + 1
            continue
        fam, src, dst, proto, itype, dport, sseq = inner
        if (srcs and src not in srcs) or (dsts and dst not in dsts):
            kinds["unexpected-address"] = kinds.get("unexpected-address", 0) + 1
            continue
        if proto == 1 and itype in (0, 8):
            k = "icmp-echo-" + ("request" if itype == 8 else "reply")
        elif proto == 58 and itype in (128, 129):
            k = "icmp6-echo-" + ("request" if itype == 128 else "reply")
        elif proto == 17 and sseq is not None:
            k = "udp-stream"
            stream.append(sseq)
        else:
            k = f"other(v{fam} proto {proto} type {itype} port {dport})"
        kinds[k] = kinds.get(k, 0) + 1
    odd = {k: v for k, v in kinds.items() if not k.startswith(("icmp", "udp-stream"))}
    if odd:
        bad.append("inner packets not expected: " + ", ".join(f"{k} {v}" for k, v in odd.items()))
    want_stream = int(c.get("stream", 0))
    if sorted(stream) != list(range(want_stream)):
        bad.append(f"inner UDP stream: {len(stream)} packets ({len(set(stream))} distinct), "
                   f"want 0..{want_stream - 1} once each")
    if stream and stream != sorted(stream):  # the receiver's check judges the order
        kinds["udp-stream"] = f"{len(stream)} (not in order)"
    if "esn" in c and extra.get("icv_ok_without_esn"):
        bad.append(f"{extra['icv_ok_without_esn']} ICVs also verify without the ESN high bits")
    summary = (f"{n} ESP packets, SPI {', '.join(hex(s) for s in sorted(spis))}, "
               f"seq {seqs[0] if seqs else '-'}..{seqs[-1] if seqs else '-'}, "
               f"ICV right {good_icv}, inner: "
               + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(summary if not bad else summary + "\n" + "\n".join(bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PYEOF
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
	TOOL=$TMP/esptool.py
	write_tool
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
