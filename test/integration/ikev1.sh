#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ikev1.sh - IKEv1 (RFC 2409) between vpnhub (responder) and strongSwan 5.9
# (initiator, swanctl with version = 1): Main Mode with a pre-shared key, Quick Mode installing
# the Child SA into the hub's static VTI, traffic both ways through it, PFS, the refusals (wrong
# PSK, phase 1 and phase 2 proposals the hub does not allow, Aggressive Mode not allowed), Dead
# Peer Detection (RFC 3706) answered, deletes from the peer, and tshark dissecting every ISAKMP
# message on the wire.
#
#   host-a -- hub (vpnhub) == WAN (a bridge), ISAKMP on 500 then 4500, ESP in UDP 4500 == spoke
#
# The namespaces, strongSwan's setup and the hub's telemetry queries are ike_lib.bash's (its
# picture shows the addresses and the WAN bridge); the hub's config is ikev1.yaml.in, an IKEv2
# peer of ike.yaml.in turned into an IKEv1 one by "version: 1". strongSwan's encap = yes fakes a
# NAT in its NAT-D payloads (RFC 3947 3.2), so that both ends float to port 4500 after Main
# Mode's third and fourth messages and encapsulate ESP in UDP (kernel-libipsec only does that).
#
# Scenarios (the hub starts with a freshly generated config for each; IKEV1_ONLY=NAME runs one):
#   1 main      Main Mode, PSK, AES-CBC-128 / HMAC-SHA-256 / MODP-2048; Quick Mode ESP AES-CBC-128
#               + HMAC-SHA-256-128 without PFS: strongSwan lists the IKEv1 SA ESTABLISHED and the
#               child INSTALLED in UDP; the hub lists one IKE SA, established, version 1, QM_IDLE,
#               and the Child SA on vti1 in UDP; pings both ways with exact SA packet counts
#   2 pfs       Quick Mode with PFS (ESP AES-CBC-256 + HMAC-SHA-256-128, MODP-2048): the hub's
#               answer carries a KE, pings both ways with exact counts
#   3-5 refusals  a wrong PSK ("pre-shared key mismatch likely" in the hub's log, no IKE SA
#               kept), phase 1 proposals the hub does not allow ("no IKE proposal chosen", nothing
#               kept), phase 2 proposals it does not allow ("phase 2 proposal not acceptable", no
#               Child SA installed)
#   6 dpd       strongSwan sends R-U-THERE every 2 s of silence (dpd_timeout 5 s): the hub
#               acknowledges each, refuses none, the SA stays up on both sides for 7 s; then the
#               hub asks (dpd_delay: 2), strongSwan acknowledges, v1_dpd_acks follows dpd_sent
#   7 delete    swanctl --terminate --ike: the hub drops the ISAKMP SA and its Child SAs (no IKE
#               SA listed, no data plane SA), and vti1, unbound, drops host-a's echoes (no_tunnel)
#   10 aggressive  Aggressive Mode refused by a peer without "aggressive: true" (counted, nothing
#               kept), then established with it, pings both ways. (conf/README.md: the hub does
#               not answer Aggressive Mode yet; this half fails until it does.)
#   11 cert     Main Mode with certificates (RFC 2409 5.1; the test PKI made with openssl now:
#               root CA RSA-2048 -> intermediate ECDSA P-256 -> hub and spoke): ECDSA P-256
#               (method 9), each end sending its intermediate in a second CERT payload (the hub
#               holds the root only); RSA-2048 (method 3); the hub initiating; each with
#               strongSwan's "authentication of 'hub.example.net' with ECDSA_WITH_NULL /
#               RSA_EMSA_PKCS1_NULL successful" (its names for a signature of HASH_R as it
#               is), the hub's "trusted, SIG (...) verified" and pings both ways; then a spoke
#               certificate from another CA: refused, ike_cert_untrusted +1, nothing kept
#   8 tshark    every ISAKMP message of the run, captured on the hub's WAN port of the bridge,
#               dissected by tshark without a malformed packet or an expert error; the hub sent
#               every exchange type strongSwan sent; its plaintext SA payloads hold one proposal
#               with one transform (RFC 2409 5: the responder picks one)
#   9 SIGTERM   after each of the above, the hub exits 0, its log without ERROR or sanitizer report
#
# Output: "ok N - ..." lines, then "ikev1: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD. Needs strongSwan (as ike.sh), openssl for scenario 11 and tshark/dumpcap for
# scenario 8.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

# shellcheck disable=SC2034 # read by ike_lib.bash's hub_conf
HUB_TEMPLATE=ikev1.yaml.in
PH1=aes128-sha256-modp2048 # the hub's phase 1 proposal in every scenario
CAP_PID=                   # dumpcap of the hub's WAN, while it runs
CAP_FILE=                  # its capture file
CAP_WHOLE=                 # started before the first scenario (1), or failed to (failed)
RAN=()                     # scenarios run, in order (scenario_tshark names them)

# ---- strongSwan as an IKEv1 initiator ----

# v1_charon_start: charon_start, and a failed assertion if swanctl did not load the connection
# (a config strongSwan refuses would otherwise look like a hub that does not answer).
v1_charon_start() {
	charon_start || true
	if ! grep -q "loaded connection 'hub'" "$SW/load.out" 2>/dev/null; then
		t_not_ok "strongSwan loaded the IKEv1 connection" "$(cat "$SW/load.out" 2>/dev/null)"
	fi
}

# v1_established: strongSwan's initiate completed (Main or Aggressive Mode, then Quick Mode).
v1_established() {
	initiate && grep -q "initiate completed successfully" "$SW/initiate.out"
}

# swan_ike_line / swan_child_line: strongSwan's list-sas lines of the IKE SA and of child net
# ("hub: #1, ESTABLISHED, IKEv1, ..." and "net: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:...").
swan_ike_line() {
	swan --list-sas 2>/dev/null | grep -E '^hub: #[0-9]+, ' | head -n 1 || true
}

swan_child_line() {
	swan --list-sas 2>/dev/null | grep -E '^ +net: #[0-9]+, ' | head -n 1 | sed 's/^ *//' || true
}

# swan_installed: how many children strongSwan lists INSTALLED.
swan_installed() {
	swan --list-sas 2>/dev/null | grep -cE '^ +net: #[0-9]+, reqid [0-9]+, INSTALLED' || true
}

# swan_count REGEX: lines of charon.log matching the extended REGEX.
swan_count() {
	local n
	n=$(grep -cE -- "$1" "$SW/charon.log" 2>/dev/null) || true
	echo "${n:-0}"
}

# ---- the hub ----

# hub_ike_list: "PEER/STATE/vVERSION" of every IKE SA the hub lists, in any state,
# space-separated (nothing when it lists none; "?" when telemetry does not answer).
hub_ike_list() {
	ctl_raw "$P-h" /vpnhub/ike/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(" ".join("%s/%s/v%s" % (v.get("peer", "?"), v.get("state", "?"), v.get("version", "?"))
               for v in (d or {}).values() if isinstance(v, dict)))
' 2>/dev/null || echo "?"
}

# hub_ike_field FIELD: that field of each IKE SA the hub lists ("-" where it has none).
hub_ike_field() {
	ctl_raw "$P-h" /vpnhub/ike/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(" ".join(str(v.get(sys.argv[1], "-")) for v in (d or {}).values() if isinstance(v, dict)))
' "$1" 2>/dev/null || echo "?"
}

# hub_ike_none SECONDS: true once the hub lists no IKE SA at all, within SECONDS.
hub_ike_none() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		[[ -z $(hub_ike_list) ]] && return 0
		sleep 0.2
	done
	return 1
}

# hub_ike_left SECONDS: "none" once the hub lists no IKE SA (within SECONDS), else its list.
hub_ike_left() {
	if hub_ike_none "$1"; then
		echo none
	else
		hub_ike_list
	fi
}

# hub_dp_sas: "TOTAL ON_VTI1" of the hub's data plane SAs: all of them, and the inbound ones that
# deliver into vti1 (an outbound SA has no interface: vti1 points at it, /vpnhub/ipsec/sa does
# not say so).
hub_dp_sas() {
	ctl_raw "$P-h" /vpnhub/ipsec/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
sas = [v for v in d.values() if isinstance(v, dict)]
print(d.get("total", len(sas)), sum(1 for v in sas if v.get("interface") == "vti1"))
' 2>/dev/null || echo "? ?"
}

# hub_sa_field SPI FIELD...: the fields of the hub's data plane SA with that SPI (0x%08x),
# space-separated ("absent": no such SA).
hub_sa_field() {
	ctl_raw "$P-h" /vpnhub/ipsec/sa 2>/dev/null | "$PY" -c '
import json, sys
spi = int(sys.argv[1], 16)
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
for v in d.values():
    if isinstance(v, dict) and int(str(v.get("spi", "0")), 0) == spi:
        print(" ".join(str(v.get(k, "-")) or "-" for k in sys.argv[2:]))
        break
else:
    print("absent")
' "$@" 2>/dev/null || echo "?"
}

# at_least N VALUE: 1 if VALUE is a number >= N, else 0 (VALUE may be "?absent" or empty).
at_least() {
	if [[ $2 =~ ^[0-9]+$ ]] && (($2 >= $1)); then echo 1; else echo 0; fi
}

# hub_ike_counts: the hub's IKE counters that are not zero ("rx=4 tx=4 ike_not_v2=1 ..."), for the
# details of a failed establishment.
hub_ike_counts() {
	ctl_raw "$P-h" /vpnhub/ike/stats 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print("hub IKE counters: " + " ".join("%s=%s" % (k, v) for k, v in d.items() if v))
' 2>/dev/null || true
}

# ---- traffic ----

# v1_pings TAG: 3 echoes spoke -> host-a, 3 host-a -> spoke, then the hub's SA counters: 6 in
# (strongSwan's outbound SPI), 6 out (its inbound SPI).
v1_pings() {
	local in out
	read -r in out <<<"$(swan_child_spis)"
	if ip netns exec "$SNS" ping -c 3 -i 0.2 -W 2 -I "$SPOKE_NET4" "$HOST_A4" >/dev/null 2>&1; then
		t_ok "spoke $SPOKE_NET4 -> host-a $HOST_A4 through the tunnel ($1)"
	else
		t_not_ok "spoke $SPOKE_NET4 -> host-a $HOST_A4 through the tunnel ($1)" \
			"$(hub_drops)" "$(tail -n 10 "$SW/charon.log")"
	fi
	if ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$SPOKE_NET4" >/dev/null 2>&1; then
		t_ok "host-a -> spoke $SPOKE_NET4 through vti1 ($1)"
	else
		t_not_ok "host-a -> spoke $SPOKE_NET4 through vti1 ($1)" "$(hub_drops)"
	fi
	t_eq "hub: SA in (strongSwan's out 0x${out:-?}) 6 packets, SA out (0x${in:-?}) 6 ($1)" \
		"$(sa_pkts "0x${out:-0}") $(sa_pkts "0x${in:-0}")" "6 6" "$(hub_drops)"
}

# ---- scenarios ----

# 1: Main Mode, Quick Mode without PFS, traffic.
scenario_main() {
	local est ch in out
	t_diag "scenario 1: Main Mode PSK, Quick Mode without PFS (at ${SECONDS} s)"
	hub_up "$PH1" aes128-sha256 main || return 0
	swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD"
	v1_charon_start
	est=$(ike_stat established) ch=$(ike_stat children_installed)
	if v1_established; then
		t_ok "strongSwan: Main Mode and Quick Mode with the hub completed"
	else
		t_not_ok "strongSwan: Main Mode and Quick Mode with the hub completed" \
			"$(hub_ike_counts)" "$(tail -n 20 "$SW/charon.log")"
	fi
	t_eq "strongSwan: the IKE SA ESTABLISHED, IKEv1, in Main Mode" \
		"$(swan_ike_line | grep -Eo '^hub: #[0-9]+, ESTABLISHED, IKEv1,' | sed 's/#[0-9]*/#n/') $(
			swan_count 'generating ID_PROT request 0 \[ SA V')" \
		"hub: #n, ESTABLISHED, IKEv1, 1"
	t_eq "strongSwan: child net INSTALLED, ESP in UDP, AES-CBC-128/HMAC-SHA-256-128, no PFS" \
		"$(swan_child_line | sed -E 's/#[0-9]+/#n/; s/reqid [0-9]+/reqid n/')" \
		"net: #n, reqid n, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-128/HMAC_SHA2_256_128"
	t_eq "hub: one IKE SA: spoke, established, IKEv1 in QM_IDLE (established +1, children +1)" \
		"$(hub_ike_list) $(hub_ike_field isakmp_state) $(stat_delta established "$est") $(
			stat_delta children_installed "$ch")" "spoke/established/v1 QM_IDLE 1 1"
	read -r in out <<<"$(swan_child_spis)"
	t_eq "hub: SA in 0x${out:-?} delivers into vti1, in UDP; SA out 0x${in:-?} in UDP to 4500" \
		"$(hub_sa_field "0x${out:-0}" direction interface encap) $(
			hub_sa_field "0x${in:-0}" direction encap udp_dport)" "in vti1 udp out udp 4500"
	v1_pings main
	charon_stop
	hub_down main
}

# 2: Quick Mode with PFS: a KE (MODP-2048) in both Quick Mode messages.
scenario_pfs() {
	t_diag "scenario 2: Quick Mode with PFS (at ${SECONDS} s)"
	hub_up "$PH1" aes256-sha256-modp2048 pfs || return 0
	swan_v1_conf "$PH1" aes256-sha256-modp2048 "$PSK_GOOD"
	v1_charon_start
	if v1_established; then
		t_ok "strongSwan: established, Quick Mode with PFS"
	else
		t_not_ok "strongSwan: established, Quick Mode with PFS" \
			"$(hub_ike_counts)" "$(tail -n 20 "$SW/charon.log")"
	fi
	t_eq "strongSwan: child net INSTALLED with AES-CBC-256/HMAC-SHA-256-128/MODP-2048" \
		"$(swan_child_line | grep -Eo 'INSTALLED, TUNNEL-in-UDP, ESP:[^ ]*')" \
		"INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128/MODP_2048"
	t_eq "the hub's Quick Mode answer carries a KE (strongSwan parsed it)" \
		"$(swan_count 'parsed QUICK_MODE response [0-9]+ \[ .*KE ')" "1" \
		"$(grep -E 'QUICK_MODE' "$SW/charon.log")"
	v1_pings pfs
	charon_stop
	hub_down pfs
}

# 3-5: refusals, against a hub that allows only aes128-sha256-modp2048 and ESP aes128-sha256.
scenario_refusals() {
	local ch
	t_diag "scenarios 3-5: wrong PSK, phase 1 and phase 2 proposals refused (at ${SECONDS} s)"
	hub_up "$PH1" aes128-sha256 refusals || return 0

	swan_v1_conf "$PH1" aes128-sha256 "$PSK_BAD"
	v1_charon_start
	if ! v1_established; then
		t_ok "wrong PSK: strongSwan's initiate fails"
	else
		t_not_ok "wrong PSK: strongSwan's initiate fails" "$(tail -n 15 "$SW/charon.log")"
	fi
	t_eq "wrong PSK: the hub logs 'pre-shared key mismatch likely', keeps no IKE SA" \
		"$(at_least 1 "$(hub_log_count "pre-shared key mismatch likely")") $(
			hub_ike_left 3)" "1 none"
	charon_stop

	swan_v1_conf aes256-sha512-modp4096 aes128-sha256 "$PSK_GOOD"
	v1_charon_start
	if ! v1_established; then
		t_ok "phase 1 aes256-sha512-modp4096 only: strongSwan's initiate fails"
	else
		t_not_ok "phase 1 aes256-sha512-modp4096 only: strongSwan's initiate fails"
	fi
	t_eq "phase 1 refused: the hub logs 'no IKE proposal chosen', keeps no IKE SA" \
		"$(at_least 1 "$(hub_log_count "no IKE proposal chosen")") $(
			hub_ike_left 3)" "1 none" \
		"$(grep -E 'NO_PROP|error notify' "$SW/charon.log")"
	charon_stop

	swan_v1_conf "$PH1" aes128-sha1 "$PSK_GOOD"
	v1_charon_start
	ch=$(ike_stat children_installed)
	if ! v1_established; then
		t_ok "phase 2 aes128-sha1 only: strongSwan's initiate fails"
	else
		t_not_ok "phase 2 aes128-sha1 only: strongSwan's initiate fails"
	fi
	t_eq "phase 2 refused: the hub logs 'phase 2 proposal not acceptable', installs no Child SA" \
		"$(at_least 1 "$(hub_log_count "phase 2 proposal not acceptable")") $(
			stat_delta children_installed "$ch") $(hub_dp_sas) $(swan_installed)" "1 0 0 0 0" \
		"$(grep -E 'QUICK_MODE|NO_PROP|error notify' "$SW/charon.log")"
	charon_stop
	hub_down refusals
}

# 6: Dead Peer Detection (RFC 3706), both ways. First strongSwan asks (dpd_delay 2 s) and the
# hub answers; then the hub asks (dpd_delay: 2) and strongSwan answers. strongSwan announces DPD
# in its vendor IDs, which the hub wants before it sends R-U-THERE.
scenario_dpd() {
	local rx seq hash sent acks min=1
	t_diag "scenario 6: DPD, R-U-THERE answered and asked (at ${SECONDS} s)"
	hub_up "$PH1" aes128-sha256 dpd || return 0
	swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD" 2
	v1_charon_start
	if ! v1_established; then
		t_not_ok "strongSwan: established (DPD scenario)" "$(hub_ike_counts)" \
			"$(tail -n 15 "$SW/charon.log")"
		charon_stop
		hub_down dpd
		return 0
	fi
	rx=$(ike_stat v1_rx) seq=$(ike_stat ikev1_dpd_seq) hash=$(ike_stat ikev1_hash)
	# R-U-THERE at about 2, 4 and 6 s; one left unanswered closes the SA 5 s after it was sent.
	# Read at 7 s, between two of them, so that the hub's count and strongSwan's log agree.
	sleep 7
	sent=$(swan_count 'generating INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(DPD\) \]')
	acks=$(swan_count 'parsed INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(DPD_ACK\) \]')
	t_eq "strongSwan sent R-U-THERE ($sent) and parsed an R-U-THERE-ACK for each (>= 2)" \
		"$((acks >= 2 && acks >= sent - 1))" "1" "$(grep -E 'DPD' "$SW/charon.log")"
	t_eq "after 7 s of DPD the IKE SA is still up: strongSwan ESTABLISHED, the hub established" \
		"$(swan_ike_line | grep -Eo 'ESTABLISHED, IKEv1') $(hub_ike_list)" \
		"ESTABLISHED, IKEv1 spoke/established/v1"
	# the hub counts no answer it sends (v1_dpd_acks counts the ACKs it receives): what it
	# received and refused instead
	t_eq "hub: took every R-U-THERE (v1_rx +>= $sent), refused none (ikev1_dpd_seq, ikev1_hash +0)" \
		"$(at_least "$sent" "$(stat_delta v1_rx "$rx")") $(stat_delta ikev1_dpd_seq "$seq") $(
			stat_delta ikev1_hash "$hash")" "1 0 0" "$(hub_ike_counts)"
	charon_stop
	hub_down dpd

	HUB_DPD=2 hub_up "$PH1" aes128-sha256 dpd-hub || return 0
	swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD" 0
	v1_charon_start
	if ! v1_established; then
		t_not_ok "strongSwan: established (the hub's DPD)" "$(tail -n 15 "$SW/charon.log")"
		charon_stop
		hub_down dpd-hub
		return 0
	fi
	sent=$(ike_stat dpd_sent) acks=$(ike_stat v1_dpd_acks)
	sleep 7 # the hub asks after 2 s of silence: about 2, 4 and 6 s
	sent=$(stat_delta dpd_sent "$sent") acks=$(stat_delta v1_dpd_acks "$acks")
	[[ $sent =~ ^[0-9]+$ ]] && min=$((sent - 1)) # the last one may be on its way back
	t_eq "hub sent R-U-THERE ($sent, >= 2), each answered (v1_dpd_acks +$acks)" \
		"$(at_least 2 "$sent") $(at_least "$min" "$acks")" "1 1" "$(hub_ike_counts)"
	t_eq "strongSwan parsed the hub's R-U-THEREs and answered each ($sent)" \
		"$(swan_count 'parsed INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(DPD\) \]') $(
			swan_count 'generating INFORMATIONAL_V1 request [0-9]+ \[ HASH N\(DPD_ACK\) \]')" \
		"$sent $sent" "$(grep -E 'DPD' "$SW/charon.log")"
	t_eq "after 7 s of the hub's DPD the SA is still up on both sides" \
		"$(swan_ike_line | grep -Eo 'ESTABLISHED, IKEv1') $(hub_ike_list) $(ike_stat peers_dead)" \
		"ESTABLISHED, IKEv1 spoke/established/v1 0"
	charon_stop
	hub_down dpd-hub
}

# 7: the spoke deletes the ISAKMP SA (and, first, its Quick Mode SAs): the hub keeps nothing.
scenario_delete() {
	local del nt
	t_diag "scenario 7: Delete from the spoke (at ${SECONDS} s)"
	hub_up "$PH1" aes128-sha256 delete || return 0
	swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD"
	v1_charon_start
	if ! v1_established; then
		t_not_ok "strongSwan: established (delete scenario)" "$(hub_ike_counts)" \
			"$(tail -n 15 "$SW/charon.log")"
		charon_stop
		hub_down delete
		return 0
	fi
	t_eq "before the delete: one IKE SA on the hub, two data plane SAs (the inbound one on vti1)" \
		"$(hub_ike_list) $(hub_dp_sas)" "spoke/established/v1 2 1"
	del=$(ike_stat deleted)
	swan --terminate --ike hub --timeout 10 >"$SW/terminate.out" 2>&1 || true
	hub_ike_none 3 || true
	t_eq "strongSwan sent Delete payloads (ESP SAs, then the ISAKMP SA)" \
		"$(($(swan_count 'generating INFORMATIONAL_V1 request [0-9]+ \[ HASH D \]') >= 2))" "1" \
		"$(grep -E 'INFORMATIONAL_V1' "$SW/charon.log")"
	t_eq "hub: no IKE SA listed, no data plane SA (deleted +$(stat_delta deleted "$del"))" \
		"$(hub_ike_list)/$(hub_dp_sas)" "/0 0"
	nt=$(hub_drop no_tunnel)
	ip netns exec "$P-a" ping -c 2 -i 0.2 -W 1 "$SPOKE_NET4" >/dev/null 2>&1 || true
	t_eq "vti1 unbound: host-a's echoes to the spoke dropped as no_tunnel (+2)" \
		"$(drop_delta no_tunnel "$nt")" "2" "$(hub_drops)"
	charon_stop
	hub_down delete
}

# 10: Aggressive Mode: refused by a peer without aggressive: true, established with it.
scenario_aggressive() {
	local off
	t_diag "scenario 10: Aggressive Mode, refused then allowed (at ${SECONDS} s)"
	hub_up "$PH1" aes128-sha256 aggressive-off || return 0
	SWAN_AGGRESSIVE=yes swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD"
	v1_charon_start
	off=$(ike_stat ikev1_aggressive_off)
	if ! v1_established; then
		t_ok "Aggressive Mode to a peer without 'aggressive: true': strongSwan's initiate fails"
	else
		t_not_ok "Aggressive Mode to a peer without 'aggressive: true': strongSwan's initiate fails"
	fi
	t_eq "Aggressive Mode refused: ikev1_aggressive_off +>= 1, no IKE SA, no data plane SA" \
		"$(at_least 1 "$(stat_delta ikev1_aggressive_off "$off")") $(hub_ike_left 3) $(
			hub_dp_sas)" "1 none 0 0"
	charon_stop
	hub_down aggressive-off

	HUB_PEER_EXTRA="      aggressive: true" hub_up "$PH1" aes128-sha256 aggressive || return 0
	SWAN_AGGRESSIVE=yes swan_v1_conf "$PH1" aes128-sha256 "$PSK_GOOD"
	v1_charon_start
	if v1_established; then
		t_ok "strongSwan: Aggressive Mode and Quick Mode with the hub completed"
	else
		t_not_ok "strongSwan: Aggressive Mode and Quick Mode with the hub completed" \
			"$(hub_ike_counts)" "$(tail -n 20 "$SW/charon.log")"
	fi
	t_eq "strongSwan used Aggressive Mode; the hub lists the SA established" \
		"$(at_least 1 "$(swan_count 'generating AGGRESSIVE request 0 \[ SA KE No ID')") $(
			hub_ike_list)" "1 spoke/established/v1"
	v1_pings aggressive
	charon_stop
	hub_down aggressive
}

# ---- 11: Main Mode with certificates (RFC 2409 5.1, RFC 4754) ----

# v1_cert_make NAME ISSUER CN ec|rsa [ca]: a key and a certificate in $TMP/pki, signed by
# ISSUER's key ("" = self-signed): C=CH, O=vpnhub test (or O=elsewhere under the rogue root),
# CN and, for an end entity, a dNSName of CN. Valid from a day ago for 30 days.
v1_cert_make() {
	local d=$TMP/pki n=$1 iss=$2 cn=$3 alg=$4 ca=${5:-} org="vpnhub test"
	[[ $iss == rogueca || $n == rogueca ]] && org=elsewhere
	if [[ $alg == rsa ]]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$n.key" || return 1
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$n.key" ||
			return 1
	fi
	{
		if [[ -n $ca ]]; then
			echo "basicConstraints=critical,CA:TRUE"
			echo "keyUsage=critical,keyCertSign,cRLSign"
		else
			echo "basicConstraints=CA:FALSE"
			echo "keyUsage=digitalSignature"
			echo "subjectAltName=DNS:$cn"
		fi
		echo "subjectKeyIdentifier=hash"
		[[ -z $iss ]] || echo "authorityKeyIdentifier=keyid"
	} >"$d/$n.ext"
	openssl req -new -key "$d/$n.key" -subj "/C=CH/O=$org/CN=$cn" -out "$d/$n.csr" || return 1
	if [[ -z $iss ]]; then
		openssl x509 -req -sha256 -days 30 -in "$d/$n.csr" -signkey "$d/$n.key" \
			-extfile "$d/$n.ext" -out "$d/$n.pem"
	else
		openssl x509 -req -sha256 -days 30 -in "$d/$n.csr" -CA "$d/$iss.pem" \
			-CAkey "$d/$iss.key" -set_serial "$((RANDOM * 32768 + RANDOM))" \
			-extfile "$d/$n.ext" -out "$d/$n.pem"
	fi
}

# v1_pki: made now, gone with the scratch directory (no key is committed). Root CA (RSA-2048)
# -> intermediate CA (ECDSA P-256) -> hub-ec and spoke-ec (P-256); root -> hub-rsa and
# spoke-rsa (RSA-2048); another root (rogueca, P-256) -> rogue, a spoke.example.net of its own.
# hub-ec-chain.pem: hub-ec then the intermediate, which the hub sends in a second CERT payload.
v1_pki() {
	mkdir -p "$TMP/pki" && chmod 700 "$TMP/pki"
	{
		v1_cert_make root "" "vpnhub test root CA" rsa ca &&
			v1_cert_make im root "vpnhub test intermediate CA" ec ca &&
			v1_cert_make hub-ec im hub.example.net ec &&
			v1_cert_make spoke-ec im spoke.example.net ec &&
			v1_cert_make hub-rsa root hub.example.net rsa &&
			v1_cert_make spoke-rsa root spoke.example.net rsa &&
			v1_cert_make rogueca "" "another root CA" ec ca &&
			v1_cert_make rogue rogueca spoke.example.net ec &&
			cat "$TMP/pki/hub-ec.pem" "$TMP/pki/im.pem" >"$TMP/pki/hub-ec-chain.pem"
	} >"$TMP/pki/openssl.log" 2>&1
}

# v1_cert_swan SPOKE_CERT: strongSwan (IKEv1, Main Mode) with the spoke's certificate and key,
# Phase 1 proposal V1_PH1 (default: PH1),
# authenticating the hub by certificate: swanctl dir $SW/swanctl (SWANCTL_DIR) with the root,
# the intermediate and the rogue root as CAs (the rogue one so that strongSwan can use the rogue
# certificate it is given). The hub's CERTREQ makes it send its certificate and intermediate.
v1_cert_swan() {
	local w=$SW/swanctl
	swan_conf "$PH1" aes128-sha256 "$PSK_GOOD" # strongswan.conf; swanctl.conf is replaced
	sed -i "s/^\(\tload = .*\)/\1 pkcs8 constraints/" "$SW/strongswan.conf"
	rm -rf "$w/x509" "$w/x509ca" "$w/private"
	mkdir -p "$w/x509" "$w/x509ca" "$w/private" && chmod 700 "$w/private"
	cp "$TMP/pki/$1.pem" "$w/x509/spoke.pem"
	cp "$TMP/pki/$1.key" "$w/private/spoke.key"
	cp "$TMP/pki/root.pem" "$TMP/pki/im.pem" "$TMP/pki/rogueca.pem" "$w/x509ca/"
	cat >"$w/swanctl.conf" <<EOC
connections {
	hub {
		version = 1
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = ${V1_PH1:-$PH1}
		dpd_delay = 0s
		rekey_time = 1h
		reauth_time = 0s
		over_time = 5m
		rand_time = 0s
		local {
			auth = pubkey
			certs = spoke.pem
			id = $SPOKE_ID
		}
		remote {
			auth = pubkey
			id = hub.example.net
		}
		children {
			net {
				local_ts = $SPOKE_NETS
				remote_ts = 10.10.1.0/24
				esp_proposals = aes128-sha256
				rekey_time = 0s
				life_time = 120s
				rand_time = 0s
			}
		}
	}
}
EOC
}

# v1_cert_hub TAG CERT KEY: the hub of ikev1.yaml.in with auth: pubkey in place of its PSK, its
# certificate file CERT and key KEY of pki/, the root as its one CA (the spoke's intermediate
# comes in a CERT payload). HUB_INITIATE as for hub_up; V1_PH1 as for v1_cert_swan.
v1_cert_hub() {
	local keys="auth: pubkey\n      cert: pki/$2.pem\n      key: pki/$3.key"
	hub_conf "${V1_PH1:-$PH1}" aes128-sha256
	sed -i "s|^      psk: .*|      $keys\n      ca: pki/root.pem|" "$TMP/hub.yaml"
	hub_start_conf "$1" "IKEv1 peer 'spoke', auth: pubkey"
}

# v1_cert_up TAG SPOKE_CERT HUB_CERT HUB_KEY SCHEME METHOD: the spoke initiates Main Mode with
# certificates; strongSwan verifies the hub's SIG with SCHEME (its name for the signature of a
# hash as it is), the hub the spoke's with METHOD ("ECDSA P-256, method 9"); pings both ways.
v1_cert_up() {
	local tag=$1 est spoke_dn="C=CH, O=vpnhub test, CN=spoke.example.net"
	v1_cert_hub "$tag" "$3" "$4" || return 0
	v1_cert_swan "$2"
	v1_charon_start
	est=$(ike_stat established)
	if v1_established; then
		t_ok "strongSwan: Main Mode with certificates and Quick Mode completed ($tag)"
	else
		t_not_ok "strongSwan: Main Mode with certificates and Quick Mode completed ($tag)" \
			"$(hub_ike_counts)" "$(tail -n 25 "$SW/charon.log")"
	fi
	t_eq "hub: IKEv1 SA established ($tag): spoke/established/v1 QM_IDLE, established +1" \
		"$(hub_ike_list) $(hub_ike_field isakmp_state) $(stat_delta established "$est")" \
		"spoke/established/v1 QM_IDLE 1"
	t_eq "strongSwan verified the hub's SIG_R, $5, with the certificate it sent ($tag)" \
		"$(swan_count "authentication of 'hub.example.net' with $5 successful") $(
			swan_count 'received end entity cert "C=CH, O=vpnhub test, CN=hub.example.net"')" \
		"1 1" "$(grep -E 'cert|authentication' "$SW/charon.log")"
	t_eq "hub verified the spoke's certificate chain and SIG_I, $6 ($tag)" \
		"$(hub_log_count "certificate \"$spoke_dn\" trusted, SIG ($6) verified")" "1" \
		"$(grep -F 'IKEv1' "${HUBS_LOG[h]}" | tail -n 5)"
	v1_pings "$tag"
	charon_stop
	hub_down "$tag"
}

# 11: certificates. ECDSA P-256 (method 9) with the spoke's and the hub's intermediate sent in
# CERT payloads; RSA (method 3); the hub initiating; a spoke certificate from another CA refused.
scenario_cert() {
	local -x SWANCTL_DIR=$SW/swanctl
	local u a i why
	t_diag "scenario 11: Main Mode with certificates (at ${SECONDS} s)"
	if ! command -v openssl >/dev/null 2>&1 || ! v1_pki; then
		t_not_ok "openssl made the test PKI" \
			"$(tail -n 5 "$TMP/pki/openssl.log" 2>/dev/null || echo "no openssl command")"
		return 0
	fi
	# Phase 1 with SHA2-384: HASH_I/HASH_R of ECDSA-256 are HMAC-SHA-256 all the same (RFC 4754)
	V1_PH1=aes128-sha384-modp2048 v1_cert_up cert-ecdsa spoke-ec hub-ec-chain hub-ec \
		ECDSA_WITH_NULL "ECDSA P-256, method 9"
	t_eq "strongSwan sent the intermediate in a second CERT payload, got the hub's too" \
		"$(swan_count 'sending issuer cert') $(swan_count 'received issuer cert')" "1 1" \
		"$(grep -E 'cert' "$SW/charon.log")"
	# Phase 1 with SHA-1: RSA signs HASH_R of the negotiated prf, 20 octets
	V1_PH1=aes128-sha1-modp2048 v1_cert_up cert-rsa spoke-rsa hub-rsa hub-rsa \
		RSA_EMSA_PKCS1_NULL "RSA PKCS#1 v1.5, method 3"
	t_eq "Phase 1 hashes: SHA2-384 with ECDSA-256, SHA-1 with RSA (the hub's logs)" \
		"$(grep -c 'Main Mode, prf-hmac-sha2-384' "$TMP/hub.cert-ecdsa.log") $(
			grep -c 'Main Mode, prf-hmac-sha1,' "$TMP/hub.cert-rsa.log")" "1 1"

	# the hub initiates (initiate: true) towards strongSwan, the responder
	v1_cert_swan spoke-ec
	v1_charon_start
	HUB_INITIATE=true v1_cert_hub cert-initiator hub-ec-chain hub-ec || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(swan_installed) == 1 ]] && break
		sleep 0.2
	done
	t_eq "hub initiated Main Mode with certificates: strongSwan verified it, child INSTALLED" \
		"$(swan_count "authentication of 'hub.example.net' with ECDSA_WITH_NULL successful") $(
			swan_installed) $(hub_ike_list)" "1 1 spoke/established/v1" \
		"$(tail -n 20 "${HUBS_LOG[h]}")"
	v1_pings cert-initiator
	charon_stop
	hub_down cert-initiator

	# a spoke certificate from another CA: refused at message 5, counted once, nothing kept
	why='authentication failed — certificate "C=CH, O=elsewhere, CN=spoke.example.net"'
	why+=' is not trusted'
	v1_cert_hub cert-rogue hub-ec-chain hub-ec || return 0
	v1_cert_swan rogue
	v1_charon_start
	read -r u a <<<"$(ike_stat ike_cert_untrusted) $(ike_stat ikev1_auth_failed)"
	if ! v1_established; then
		t_ok "spoke certificate from another CA: strongSwan's initiate fails"
	else
		t_not_ok "spoke certificate from another CA: strongSwan's initiate fails"
	fi
	t_eq "hub: ike_cert_untrusted +1, ikev1_auth_failed +0, no IKE SA, no data plane SA" \
		"$(stat_delta ike_cert_untrusted "$u") $(stat_delta ikev1_auth_failed "$a") $(
			hub_ike_left 3) $(hub_dp_sas)" "1 0 none 0 0" "$(hub_ike_counts)"
	t_eq "hub log names the reason (not trusted: unable to get local issuer certificate)" \
		"$(hub_log_count "$why: unable to get local issuer certificate")" "1" \
		"$(grep -F 'IKEv1' "${HUBS_LOG[h]}" | tail -n 5)"
	charon_stop
	hub_down cert-rogue
}

# ---- 12: legacy Phase 1 (ipsec.legacy: true) ----

# 12: an old spoke's Phase 1, as a Cisco "crypto isakmp policy" with encr 3des, hash md5,
# authentication pre-share, group 2 sends it (strongSwan: 3des-md5-modp1024), and ESP
# 3DES/HMAC-MD5-96, against the hub of ikev1.yaml.in with "ipsec: {legacy: true}" appended:
# vpnhub --check warns, Main Mode and Quick Mode complete with those algorithms on both sides,
# pings go both ways, and the running hub's log carries the warning.
scenario_legacy() {
	local out rc=0 est ph1 warn="warning: $TMP/hub.yaml uses legacy"
	t_diag "scenario 12: legacy Phase 1 3DES/MD5/MODP-1024, ESP 3DES/HMAC-MD5 (at ${SECONDS} s)"
	hub_conf 3des-md5-modp1024 3des-md5
	printf 'ipsec:\n  legacy: true\n' >>"$TMP/hub.yaml"
	out=$("$VPNHUB" --check -c "$TMP/hub.yaml" 2>&1) || rc=$?
	t_eq "vpnhub --check accepts the legacy IKEv1 hub config, with the legacy warning" \
		"$rc $(grep -cF -- "$warn" <<<"$out")" "0 1" "$out"
	((rc == 0)) || return 0
	hubs_start h "$P-h" "$P-h" "$TMP/hub.legacy.log" -c "$TMP/hub.yaml"
	if ! hubs_wait_ready 30 h 2>"$TMP/ready.err"; then
		t_not_ok "hub started with IKEv1 peer 'spoke', ipsec.legacy (legacy)" \
			"$(cat "$TMP/ready.err")"
		hub_down legacy
		return 0
	fi
	t_ok "hub started with IKEv1 peer 'spoke', ipsec.legacy (legacy)"
	swan_v1_conf 3des-md5-modp1024 3des-md5 "$PSK_GOOD"
	v1_charon_start
	est=$(ike_stat established)
	if v1_established; then
		t_ok "strongSwan: Main Mode (3DES/MD5/MODP-1024) and Quick Mode completed"
	else
		t_not_ok "strongSwan: Main Mode (3DES/MD5/MODP-1024) and Quick Mode completed" \
			"$(hub_ike_counts)" "$(tail -n 20 "$SW/charon.log")"
	fi
	ph1=3DES_CBC/HMAC_MD5_96/PRF_HMAC_MD5/MODP_1024
	t_eq "strongSwan: IKE SA $ph1, child ESP:3DES_CBC/HMAC_MD5_96" \
		"$(swan --list-sas 2>/dev/null | grep -cE -- "^ +$ph1\$") $(
			swan_child_line | grep -Eo 'INSTALLED, TUNNEL-in-UDP, ESP:[^ ]*')" \
		"1 INSTALLED, TUNNEL-in-UDP, ESP:3DES_CBC/HMAC_MD5_96" "$(swan --list-sas 2>&1)"
	t_eq "hub: spoke/established/v1 QM_IDLE, encr 3 prf 1 dh 2 (IKEv2 IDs), established +1" \
		"$(hub_ike_list) $(hub_ike_field isakmp_state) $(hub_ike_field encr) $(
			hub_ike_field prf) $(hub_ike_field dh) $(stat_delta established "$est")" \
		"spoke/established/v1 QM_IDLE 3 1 2 1"
	t_eq "hub log: ISAKMP SA established (Main Mode, prf-hmac-md5, ...)" \
		"$(hub_log_count 'ISAKMP SA established (Main Mode, prf-hmac-md5,')" "1" \
		"$(grep -F 'IKEv1' "${HUBS_LOG[h]}" | tail -n 5)"
	v1_pings legacy
	t_eq "the running hub's log has the legacy warning" "$(hub_log_count "$warn")" "1" \
		"$(head -n 5 "${HUBS_LOG[h]}")"
	charon_stop
	hub_down legacy
}

# ---- 8: tshark dissects the ISAKMP on the wire ----

# cap_begin FILE: dumpcap on the bridge port facing the hub (both directions of its WAN).
cap_begin() {
	local i
	CAP_FILE=$1
	ip netns exec "$P-h" dumpcap -q -P -i "$P-hb" -f udp -w "$CAP_FILE" >"$CAP_FILE.log" 2>&1 &
	CAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -qs "Capturing on" "$CAP_FILE.log" && return 0
		sleep 0.1
	done
	return 1
}

cap_end() {
	[[ -n $CAP_PID ]] || return 0
	sleep 0.3 # the last frames reach the capture
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=
}

# isakmp_fields FILTER FIELD...: one tab-separated line per ISAKMP frame of the capture that
# matches FILTER too; fails when tshark does (an unknown field or filter, an unreadable file).
isakmp_fields() {
	local filter=$1 f args=()
	shift
	for f in "$@"; do
		args+=(-e "$f")
	done
	tshark -r "$CAP_FILE" -Y "isakmp && ($filter)" -T fields -E occurrence=a -E aggregator=, \
		"${args[@]}" 2>/dev/null
}

# exch_types FILTER: the ISAKMP exchange types of the frames matching FILTER, sorted, unique.
exch_types() {
	{ isakmp_fields "$1" isakmp.exchangetype || true; } | tr ',' '\n' | sort -nu | tr '\n' ' ' |
		sed 's/ $//'
}

# 8: the capture of the whole run (or, alone, of scenarios 1, 6 and 3-5) through tshark.
scenario_tshark() {
	local all hub bad st ht missing t sa n one
	t_diag "scenario 8: tshark dissects every ISAKMP message (at ${SECONDS} s)"
	if ! command -v tshark >/dev/null 2>&1 || ! command -v dumpcap >/dev/null 2>&1; then
		t_not_ok "tshark and dumpcap are installed (scripts/bootstrap.sh installs them)"
		return 0
	fi
	if [[ $CAP_WHOLE == failed ]]; then
		t_not_ok "dumpcap captures the hub's WAN" "$(cat "$TMP/ikev1.pcap.log")"
		return 0
	fi
	if [[ -z $CAP_WHOLE ]]; then
		if ! cap_begin "$TMP/ikev1.pcap"; then
			t_not_ok "dumpcap captures the hub's WAN" "$(cat "$TMP/ikev1.pcap.log")"
			cap_end
			return 0
		fi
		scenario_main
		scenario_dpd
		scenario_refusals
		RAN+=(main dpd refusals)
	fi
	cap_end
	all=$(isakmp_fields frame frame.number | grep -c . || true)
	hub=$(isakmp_fields "ip.src == $HUB4" frame.number | grep -c . || true)
	t_eq "the capture of ${RAN[*]} holds ISAKMP from strongSwan ($((all - hub))) and the hub ($hub)" \
		"$((all - hub > 0)) $((hub > 0))" "1 1"
	bad=$(isakmp_fields "_ws.malformed || _ws.expert.severity >= 0x00800000" \
		frame.number ip.src isakmp.exchangetype _ws.expert.message) || bad="(tshark failed)"
	t_eq "tshark: no ISAKMP frame malformed or with an expert error (of $all)" "$bad" "" \
		"$(tshark -r "$CAP_FILE" -Y isakmp 2>/dev/null | tail -n 20)"
	st=$(exch_types "ip.src == $SPOKE4") ht=$(exch_types "ip.src == $HUB4") missing=
	for t in $st; do
		[[ " $ht " == *" $t "* ]] || missing+=" $t"
	done
	if [[ -n $st && -z $missing ]]; then
		t_ok "the hub answered in every exchange type strongSwan used ($st)"
	else
		t_not_ok "the hub answered in every exchange type strongSwan used (${st:-none})" \
			"the hub sent types: ${ht:-none}; none of:${missing:- ?}"
	fi
	# SA payloads in the clear (Main and Aggressive Mode's first answers): one proposal, whose
	# transform count is 1 (RFC 2409 5: the responder returns the one transform it accepted)
	sa=$(isakmp_fields "ip.src == $HUB4 && isakmp.sa.doi" frame.number isakmp.prop.transforms ||
		true)
	n=$(grep -c . <<<"$sa" || true)
	one=$(awk -F'\t' '$2 != "1"' <<<"$sa")
	if ((n > 0)) && [[ -z $one ]]; then
		t_ok "the hub's SA payloads in the clear ($n): one proposal with one transform each"
	else
		t_not_ok "the hub's SA payloads in the clear ($n): one proposal with one transform each" \
			"frame, transforms per proposal:" "$sa"
	fi
}

# ---- main ----

v1_cleanup() {
	cap_end
	ike_cleanup
}

main() {
	local t0 s
	if [[ -n ${IKEV1_ONLY:-} ]] && ! declare -F "scenario_$IKEV1_ONLY" >/dev/null; then
		echo "Bail out! no scenario '$IKEV1_ONLY' (main pfs refusals dpd delete aggressive cert legacy tshark)"
		exit 1
	fi
	ike_setup ikev1 v1 || {
		t_done
		return
	}
	trap v1_cleanup EXIT
	if [[ -n ${IKEV1_ONLY:-} ]]; then # one scenario, e.g. IKEV1_ONLY=dpd, while working on it
		"scenario_$IKEV1_ONLY"
	else
		if command -v dumpcap >/dev/null 2>&1; then
			CAP_WHOLE=failed
			if cap_begin "$TMP/ikev1.pcap"; then
				CAP_WHOLE=1
			fi
		fi
		for s in main pfs refusals dpd delete aggressive cert legacy; do
			t0=$SECONDS
			"scenario_$s"
			RAN+=("$s")
			t_diag "scenario $s took $((SECONDS - t0)) s"
		done
		scenario_tshark
	fi
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
