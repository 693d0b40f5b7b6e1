#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ike-soak.sh - Child SA rekeys under a steady load, between vpnhub and
# strongSwan: Child SAs that live 20 s, and for 3 minutes a sequence-numbered UDP stream in
# each direction between the spoke's subnet (10.30.0.1) and host-a (10.10.1.2). Every datagram
# must arrive exactly once (counted by sequence number, not by ping), the hub's VTI must count
# exactly the datagrams of each direction, and no drop counter of the hub may move (no replay,
# no authentication failure, no unknown SPI) across the make-before-break rekeys (DESIGN.md,
# RFC 7296 2.8). Two rounds: first the hub starts every rekey (its soft lifetime), then
# strongSwan does. Each round reports how many rekeys happened and who started them.
#
# The topology, strongSwan and the hub are ike.sh's (ike_lib.bash): host-a -- hub == spoke,
# one static VTI (vti1), PSK, AES-GCM-128 with PFS (Curve25519) on every rekey.
#
# Environment: SOAK_SECONDS (180) per round, SOAK_PPS (250) datagrams a second each way,
# SOAK_ROUNDS ("hub spoke"), VPNHUB_BUILD as for the other tests.
#
# Output: "ok N - ..." lines, then "ike-soak: N passed, N failed".
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

SOAK_SECONDS=${SOAK_SECONDS:-180}
SOAK_PPS=${SOAK_PPS:-250}
LIFE=20        # seconds a Child SA lives before its rekey
PORT_A=9000    # host-a receives here
PORT_S=9001    # the spoke receives here
MIN_REKEYS=$(((SOAK_SECONDS - 20) / LIFE)) # 8 in 180 s





# stream_tx NS DST PORT COUNT SRC TAG: in the background, COUNT datagrams from SRC in NS to
# DST:PORT, SOAK_PPS a second in bursts of 5.
stream_tx() {
	ip netns exec "$1" "$PY" "$TOOL" tx "$2" "$3" "$4" "$SOAK_PPS" 5 "$5" >"$TMP/tx.$6" 2>&1 &
	TX_PIDS+=("$!")
}


# rekeys_by WHO: CREATE_CHILD_SA requests with REKEY_SA that WHO (hub|spoke) started, from
# strongSwan's log (it generates its own requests and parses the hub's).
rekeys_by() {
	local verb=parsed
	[[ $1 == spoke ]] && verb=generating
	grep -cE "$verb CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\)" "$SW/charon.log" || true
}

# round hub|spoke: one soak, the hub or strongSwan starting every Child SA rekey.
round() {
	local by=$1 count=$((SOAK_SECONDS * SOAK_PPS)) t0=$SECONDS b a i n_hub n_spoke cr drops
	RX_PIDS=() TX_PIDS=()
	t_diag "round: the $by starts every rekey, Child SA lifetime $LIFE s, $SOAK_SECONDS s of $SOAK_PPS datagrams/s each way (at ${SECONDS} s)"
	if [[ $by == hub ]]; then
		HUB_CHILD_REKEY=$LIFE hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 \
			"soak-$by" || return 0
		swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD" 0 0 0
	else
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "soak-$by" || return 0
		swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD" 0 0 "$LIFE"
	fi
	charon_start
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_ok "strongSwan: established with the hub (rekeys by the $by)"
	else
		t_not_ok "strongSwan: established with the hub (rekeys by the $by)" \
			"$(tail -n 15 "$SW/charon.log")"
		charon_stop
		hub_down "soak-$by"
		return 0
	fi
	# the first datagrams must not wait for address resolution: a ping each way first
	ip netns exec "$SNS" ping -c 1 -W 2 -I "$SPOKE_NET4" "$HOST_A4" >/dev/null 2>&1 || true
	ip netns exec "$P-a" ping -c 1 -W 2 "$SPOKE_NET4" >/dev/null 2>&1 || true
	b=$TMP/snap.$by.before a=$TMP/snap.$by.after
	snap "$b"
	stream_rx "$P-a" "$HOST_A4" "$PORT_A" "$count" "a-$by"
	stream_rx "$SNS" "$SPOKE_NET4" "$PORT_S" "$count" "s-$by"
	for ((i = 0; i < 50; i++)); do
		[[ -e $TMP/rx.a-$by.ready && -e $TMP/rx.s-$by.ready ]] && break
		sleep 0.1
	done
	stream_tx "$SNS" "$HOST_A4" "$PORT_A" "$count" "$SPOKE_NET4" "a-$by"
	stream_tx "$P-a" "$SPOKE_NET4" "$PORT_S" "$count" "$HOST_A4" "s-$by"
	wait "${TX_PIDS[@]}" "${RX_PIDS[@]}" || true
	sleep 0.5
	snap "$a"
	stream_ok "spoke 10.30.0.1 -> host-a 10.10.1.2 across the rekeys" "a-$by" "$count"
	stream_ok "host-a 10.10.1.2 -> spoke 10.30.0.1 across the rekeys" "s-$by" "$count"
	t_eq "hub vti1: received and sent exactly $count datagrams each (rx tx)" \
		"$(($(get "$a" vti1.rx_packets) - $(get "$b" vti1.rx_packets))) $(($(get "$a" \
			vti1.tx_packets) - $(get "$b" vti1.tx_packets)))" "$count $count"
	drops=$(moved_drops "$b" "$a")
	t_eq "hub: no drop counter moved: drop_esp_sa_error (replay, ICV) +$(($(get "$a" \
		drop_esp_sa_error) - $(get "$b" drop_esp_sa_error))), drop_esp_no_sa +$(($(get "$a" \
		drop_esp_no_sa) - $(get "$b" drop_esp_no_sa)))" "${drops:-none}" "none" "$(hub_drops)"
	for ((i = 0; i < 5; i++)); do # a rekey that was under way when the stream ended completes
		n_hub=$(rekeys_by hub) n_spoke=$(rekeys_by spoke) cr=$(ike_stat child_rekeys)
		[[ $cr == $((n_hub + n_spoke)) ]] && break
		sleep 0.5
	done
	t_diag "rekeys in $((SECONDS - t0)) s: $cr (the hub's child_rekeys); started by the hub $n_hub, by strongSwan $n_spoke"
	if [[ $by == hub ]]; then
		t_eq "the hub started every rekey ($n_hub, >= $MIN_REKEYS), strongSwan none; counted" \
			"$((n_hub >= MIN_REKEYS)) $n_spoke $cr" "1 0 $n_hub"
	else
		t_eq "strongSwan started every rekey ($n_spoke, >= $MIN_REKEYS), the hub none; counted" \
			"$((n_spoke >= MIN_REKEYS)) $n_hub $cr" "1 0 $n_spoke"
	fi
	t_eq "after the rekeys: one IKE SA, one Child SA on each side" \
		"$(hub_sas) $(swan --list-sas 2>/dev/null | grep -c 'net: #.*INSTALLED')" "1 1"
	charon_stop
	hub_down "soak-$by"
	t_diag "round (rekeys by the $by) took $((SECONDS - t0)) s"
}

main() {
	local r
	ike_setup ike-soak iq || {
		t_done
		return
	}
	for r in ${SOAK_ROUNDS:-hub spoke}; do
		round "$r"
	done
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
