#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/basic.sh - vpnhub end to end: config check, IPv4/IPv6 forwarding, routes via a
# gateway, ICMP echo and time-exceeded from the hub, ARP/ND both ways, exact packet counters,
# vpnhubctl, telemetry socket permissions, clean SIGTERM shutdown.
#
# The topology (<p> is a per-run prefix such as vt123, also the instance name):
#
#  +---------------------------------------------------------------------------+
#  | lan-host                                      netns <p>-lan               |
#  |   eth0      10.10.1.2/24   fd00:10:1::2/64                                |
#  |   default   via 10.10.1.1, via fd00:10:1::1                               |
#  +-------+-------------------------------------------------------------------+
#          |
#          |  veth: lan-host eth0 <-> <p>-lan0 (hub)
#          |
#  +-------+-------------------------------------------------------------------+
#  | vpnhub                                        netns <p>-hub               |
#  |   <p>-lan0 = net_af_packet0 = lan0   10.10.1.1/24     fd00:10:1::1/64     |
#  |   <p>-wan0 = net_af_packet1 = wan0   203.0.113.1/24   fd00:10:2::1/64     |
#  |   routes    198.51.100.0/24 via 203.0.113.2                               |
#  |             fd00:10:99::/64 via fd00:10:2::2                              |
#  |   (the namespace's kernel: veths up, no addresses, IPv6 disabled)         |
#  +-------+-------------------------------------------------------------------+
#          |
#          |  veth: <p>-wan0 (hub) <-> wan-host eth0
#          |
#  +-------+-------------------------------------------------------------------+
#  | wan-host                                      netns <p>-wan               |
#  |   eth0      203.0.113.2/24   fd00:10:2::2/64                              |
#  |   lo        198.51.100.1/32  fd00:10:99::1/128                            |
#  |   routes    10.10.1.0/24 via 203.0.113.1, fd00:10:1::/64 via fd00:10:2::1 |
#  +---------------------------------------------------------------------------+
#
# The hub runs from build/ (or $VPNHUB_BUILD) with a config made from basic.yaml.in, worker on
# lcore 1, control on lcore 0. Output: "ok N - ..." / "not ok N - ..." lines, then
# "basic: N passed, N failed"; exit status 1 if anything failed.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

P=          # namespace prefix and instance name
TMP=        # scratch directory: configs, hub log, captures
CFG=
COUNT=20    # echoes sent while counters are compared

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	# Tear down even when a pipe reading our output is already gone.
	trap '' PIPE
	set +e
	if hub_alive; then
		hub_stop 5 || true
	fi
	if [[ -n $P ]]; then
		netns_down "$P"
		# Only this run's own instance directory, and only once its hub is gone.
		[[ -d /var/run/dpdk/$P ]] && rm -rf "/var/run/dpdk/$P"
	fi
	[[ -n $TMP ]] && rm -rf "$TMP"
	exit "$rc"
}

# A prefix no other run is using: vt<pid mod 1000>, counting up on a clash.
pick_prefix() {
	local n=$(($$ % 1000)) i
	for ((i = 0; i < 1000; i++)); do
		P=vt$(((n + i) % 1000))
		if ! netns_exists "$P" && [[ ! -e /var/run/dpdk/$P ]]; then
			return 0
		fi
	done
	echo "basic: no free vtNNN prefix" >&2
	return 1
}

die() {
	echo "basic: $*" >&2
	exit 1
}

preflight() {
	local f
	((EUID == 0)) || die "must run as root (network namespaces)"
	for f in "$VPNHUB" "$VPNHUBCTL"; do
		[[ -x $f ]] || die "$f is not built (ninja -C ${VH_BUILD#"$VH_ROOT"/})"
	done
	command -v ethtool >/dev/null || die "ethtool is missing (scripts/bootstrap.sh installs it)"
	command -v dumpcap >/dev/null || die "dumpcap is missing (scripts/bootstrap.sh installs tshark)"
}

# ---- the tests ----

test_check_config() {
	local out rc=0 broken=$TMP/broken.yaml err=$TMP/broken.err re

	out=$("$VPNHUB" --check -c "$CFG" 2>&1) || rc=$?
	if ((rc == 0)) && [[ $out == *"config ok"* ]]; then
		t_ok "vpnhub --check accepts the test config"
	else
		t_not_ok "vpnhub --check accepts the test config" "exit status $rc" "$out"
	fi

	# An unknown key on line 3, inside "system:".
	sed '3i\  no_such_key: 1' "$CFG" >"$broken"
	rc=0
	"$VPNHUB" --check -c "$broken" >/dev/null 2>"$err" || rc=$?
	re="^$(printf '%s' "$broken" | sed 's/[.[\*^$]/\\&/g'):3:[0-9]+: "
	if ((rc != 0)) && grep -qE "$re" "$err"; then
		t_ok "vpnhub --check refuses an unknown key with $(basename "$broken"):3:col (exit $rc)"
	else
		t_not_ok "vpnhub --check refuses an unknown key with file:3:col" \
			"exit status $rc (want non-zero), stderr (want a line matching $re):" \
			"$(cat "$err")"
	fi
}

test_start_hub() {
	hub_start "$P-hub" "$TMP/hub.log" -c "$CFG"
	if hub_wait_ready "$P" 30 2>"$TMP/ready.err"; then
		t_ok "vpnhub starts in $P-hub and reports ready"
		return 0
	fi
	t_not_ok "vpnhub starts in $P-hub and reports ready" "$(cat "$TMP/ready.err")"
	return 1
}

test_pings() {
	t_check "lan-host pings the hub's lan0 address 10.10.1.1" ping_ok "$P-lan" 10.10.1.1
	t_check "lan-host pings the hub's lan0 address fd00:10:1::1" ping_ok "$P-lan" fd00:10:1::1
	t_check "lan-host -> wan-host 203.0.113.2 (IPv4 forwarding)" ping_ok "$P-lan" 203.0.113.2
	t_check "lan-host -> wan-host fd00:10:2::2 (IPv6 forwarding)" ping_ok "$P-lan" fd00:10:2::2
	t_check "wan-host -> lan-host 10.10.1.2 (IPv4 forwarding)" ping_ok "$P-wan" 10.10.1.2
	t_check "wan-host -> lan-host fd00:10:1::2 (IPv6 forwarding)" ping_ok "$P-wan" fd00:10:1::2
	t_check "lan-host -> 198.51.100.1 (route via gateway 203.0.113.2)" \
		ping_ok "$P-lan" 198.51.100.1
	t_check "lan-host -> fd00:10:99::1 (route via gateway fd00:10:2::2)" \
		ping_ok "$P-lan" fd00:10:99::1
}

# host_neigh_mac NS ADDRESS: the MAC the host's kernel resolved ADDRESS to on eth0.
host_neigh_mac() {
	ip -n "$1" neigh show "$2" dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}

# check_host_neigh NS ADDRESS WANT_MAC IFNAME
check_host_neigh() {
	local got
	got=$(host_neigh_mac "$1" "$2")
	if [[ -n $got && $got == "$3" ]]; then
		t_ok "${1#"$P"-}-host resolved $2 to the hub's $4 MAC $3"
	else
		t_not_ok "${1#"$P"-}-host resolved $2 to the hub's $4 MAC" \
			"want $3, got '${got:-nothing}'" "$(ip -n "$1" neigh show dev eth0)"
	fi
}

# check_hub_neigh NEIGHBORS-JSON ADDRESS WANT_MAC IFNAME
check_hub_neigh() {
	local got
	got=$(json_neighbor "$2" <"$1" || true)
	if [[ $got == "reachable $3 $4" ]]; then
		t_ok "hub neighbor table: $2 reachable at $3 on $4"
	else
		t_not_ok "hub neighbor table: $2 reachable at $3 on $4" \
			"got '${got:-no entry}'" "$(cat "$1")"
	fi
}

test_neighbors() {
	local ifs=$TMP/interfaces.json nb=$TMP/neighbors.json lan_mac wan_mac lan0_mac wan0_mac

	lan_mac=$(netns_mac "$P" lan)
	wan_mac=$(netns_mac "$P" wan)
	if ! ctl_raw "$P" /vpnhub/interfaces >"$ifs" 2>&1 ||
		! lan0_mac=$(json_get lan0.mac <"$ifs" | tr 'A-F' 'a-f') ||
		! wan0_mac=$(json_get wan0.mac <"$ifs" | tr 'A-F' 'a-f'); then
		t_not_ok "/vpnhub/interfaces gives lan0.mac and wan0.mac" "$(cat "$ifs")"
		return 0
	fi
	t_ok "/vpnhub/interfaces gives lan0.mac $lan0_mac and wan0.mac $wan0_mac"

	check_host_neigh "$P-lan" 10.10.1.1 "$lan0_mac" lan0
	check_host_neigh "$P-lan" fd00:10:1::1 "$lan0_mac" lan0
	check_host_neigh "$P-wan" 203.0.113.1 "$wan0_mac" wan0
	check_host_neigh "$P-wan" fd00:10:2::1 "$wan0_mac" wan0

	# Fresh traffic both ways so no entry has aged out of "reachable" yet.
	ping_ok "$P-lan" 203.0.113.2 >/dev/null 2>&1 || true
	ping_ok "$P-lan" fd00:10:2::2 >/dev/null 2>&1 || true
	if ! ctl_raw "$P" /vpnhub/neighbors >"$nb" 2>&1; then
		t_not_ok "/vpnhub/neighbors answers" "$(cat "$nb")"
		return 0
	fi
	check_hub_neigh "$nb" 10.10.1.2 "$lan_mac" lan0
	check_hub_neigh "$nb" fd00:10:1::2 "$lan_mac" lan0
	check_hub_neigh "$nb" 203.0.113.2 "$wan_mac" wan0
	check_hub_neigh "$nb" fd00:10:2::2 "$wan_mac" wan0

	# Later steps count packets exactly: from now on the hosts need no ARP/ND for the hub.
	netns_pin_neighbors "$P" "$lan0_mac" "$wan0_mac"
}

test_time_exceeded() {
	local out
	out=$(ip netns exec "$P-lan" ping -n -c1 -t1 -W2 203.0.113.2 2>&1 || true)
	if grep -q "From 10.10.1.1 icmp_seq=1 Time to live exceeded" <<<"$out"; then
		t_ok "TTL 1 towards 203.0.113.2: time exceeded from 10.10.1.1"
	else
		t_not_ok "TTL 1 towards 203.0.113.2: time exceeded from 10.10.1.1" "$out"
	fi
	out=$(ip netns exec "$P-lan" ping -n -c1 -t1 -W2 fd00:10:2::2 2>&1 || true)
	if grep -q "icmp_seq=1 Time exceeded: Hop limit" <<<"$out"; then
		t_ok "hop limit 1 towards fd00:10:2::2: time exceeded ($(grep -o 'From [^ ]*' <<<"$out" |
			head -n1))"
	else
		t_not_ok "hop limit 1 towards fd00:10:2::2: time exceeded" "$out"
	fi
}

# read_counters FILE: "lan_rx lan_tx wan_rx wan_tx" from /vpnhub/interfaces.
read_counters() {
	ctl_raw "$P" /vpnhub/interfaces >"$1" || return 1
	"$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d = d.get("/vpnhub/interfaces", d)
print(*(int(d[i][k]) for i in ("lan0", "wan0") for k in ("rx_packets", "tx_packets")))
' "$1"
}

# capture_start NS: record the host's eth0 while packets are counted (diagnostics only).
capture_start() {
	ip netns exec "$1" dumpcap -q -p -i eth0 -w "$TMP/$1.pcapng" >"$TMP/$1.cap.log" 2>&1 &
	echo $!
}

capture_show() {
	[[ -s $TMP/$1.pcapng ]] || return 0
	echo "frames seen by $1 eth0 during the count:"
	tshark -n -r "$TMP/$1.pcapng" 2>/dev/null | head -n 60
}

test_counters() {
	local before after lan_rx lan_tx wan_rx wan_tx d out caps=() i c

	sleep 1 # let anything still in flight land before the first reading
	for c in "$P-lan" "$P-wan"; do
		caps+=("$(capture_start "$c")")
	done
	for ((i = 0; i < 50; i++)); do
		grep -qs "Capturing on" "$TMP/$P-lan.cap.log" &&
			grep -qs "Capturing on" "$TMP/$P-wan.cap.log" && break
		sleep 0.1
	done

	before=$(read_counters "$TMP/before.json") || {
		t_not_ok "interface counters readable" "$(cat "$TMP/before.json")"
		kill "${caps[@]}" 2>/dev/null || true
		return 0
	}
	out=$(ip netns exec "$P-lan" ping -n -q -c"$COUNT" -i0.01 -W1 203.0.113.2 2>&1) || true
	sleep 0.5
	after=$(read_counters "$TMP/after.json") || after="0 0 0 0"
	kill -INT "${caps[@]}" 2>/dev/null || true
	wait "${caps[@]}" 2>/dev/null || true

	read -r lan_rx lan_tx wan_rx wan_tx <<<"$before"
	read -r -a d <<<"$after"
	d=($((d[0] - lan_rx)) $((d[1] - lan_tx)) $((d[2] - wan_rx)) $((d[3] - wan_tx)))
	local desc="$COUNT echoes lan-host -> wan-host move counters by exactly $COUNT"
	desc+=" (lan0 rx/tx, wan0 rx/tx: ${d[*]})"
	if [[ $out == *"$COUNT packets transmitted, $COUNT received"* ]] &&
		((d[0] == COUNT && d[1] == COUNT && d[2] == COUNT && d[3] == COUNT)); then
		t_ok "$desc"
	else
		t_not_ok "$desc" "$out" "counters before: $before" "counters after:  $after" \
			"$(capture_show "$P-lan")" "$(capture_show "$P-wan")"
	fi
}

test_ctl() {
	local out rc=0
	out=$(ctl "$P" show interfaces 2>&1) || rc=$?
	if ((rc == 0)) && [[ $out == *lan0* && $out == *wan0* ]]; then
		t_ok "vpnhubctl show interfaces lists lan0 and wan0"
	else
		t_not_ok "vpnhubctl show interfaces lists lan0 and wan0" "exit status $rc" "$out"
	fi
	# DPDK's own client must keep working beside vpnhubctl.
	rc=0
	out=$(echo /vpnhub/version | dpdk-telemetry.py -f "$P" 2>&1) || rc=$?
	if ((rc == 0)) && [[ $out == *'"instance": "'"$P"'"'* ]]; then
		t_ok "dpdk-telemetry.py -f $P answers /vpnhub/version"
	else
		t_not_ok "dpdk-telemetry.py -f $P answers /vpnhub/version" "exit status $rc" "$out"
	fi
	rc=0
	out=$(ctl nosuch show version 2>&1) || rc=$?
	if ((rc != 0)); then
		t_ok "vpnhubctl --instance nosuch fails (exit $rc)"
	else
		t_not_ok "vpnhubctl --instance nosuch fails" "it exited 0:" "$out"
	fi
}

test_socket_mode() {
	local dir=/var/run/dpdk/$P sock mode f bad=()
	sock=$dir/dpdk_telemetry.v2
	if [[ ! -S $sock ]]; then
		t_not_ok "telemetry socket exists at $sock" "$(ls -la "$dir" 2>&1)"
		return 0
	fi
	for f in "$sock" "$dir"; do
		mode=$(stat -c %a "$f")
		(((8#$mode & 8#002) == 0)) || bad+=("$f is mode $mode")
	done
	if ((${#bad[@]} == 0)); then
		t_ok "telemetry socket and its directory are not world-writable" \
			"($(stat -c %a "$sock"), $(stat -c %a "$dir"))"
	else
		t_not_ok "telemetry socket and its directory are not world-writable" "${bad[@]}"
	fi
}

test_sigterm() {
	local bad
	if hub_stop 10 && [[ $HUB_STATUS == 0 ]]; then
		t_ok "SIGTERM: vpnhub exits with status 0 within 10 s"
	else
		t_not_ok "SIGTERM: vpnhub exits with status 0 within 10 s" \
			"exit status ${HUB_STATUS:-none} (killed if it did not exit)"
	fi
	bad=$(grep -nE 'ERROR|AddressSanitizer|LeakSanitizer|runtime error' "$HUB_LOG" || true)
	if [[ -z $bad ]]; then
		t_ok "hub log has no ERROR or sanitizer report"
	else
		t_not_ok "hub log has no ERROR or sanitizer report" "$bad"
	fi
}

main() {
	t_init basic
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-basic.$P.XXXXXX")
	CFG=$TMP/basic.yaml
	sed "s/@NAME@/$P/g; s/@PREFIX@/$P/g" "$(dirname "${BASH_SOURCE[0]}")/basic.yaml.in" >"$CFG"
	t_diag "prefix and instance $P, build $VH_BUILD, scratch $TMP"

	test_check_config
	if ! netns_up "$P"; then
		t_not_ok "network namespaces $P-{hub,lan,wan} come up"
		t_done
		return 1
	fi
	if test_start_hub; then
		test_pings
		test_neighbors
		test_time_exceeded
		test_counters
		test_ctl
		test_socket_mode
		test_sigterm
	fi
	t_done
}

main "$@"
