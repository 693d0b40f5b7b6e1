#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ikev1-ra.sh - IKEv1 remote access, the hub as Easy VPN server, with
# strongSwan 5.9 as the client (swanctl, version = 1, xauth-generic and unity plugins): Main Mode
# with the group's pre-shared key and XAUTHInitPreShared, XAUTH against the hub's ike.users,
# Mode Config pull (an address from pool ra, its DNS server, the split network as Cisco Unity
# SPLIT_INCLUDE, banner and default domain), Quick Mode from that address into a clone of the
# dynamic VTI template, with the route to the address injected.
#
#   host-a 10.10.1.2 -- hub (vpnhub, group peer "group", remote: any) == WAN == client (charon)
#                                                                         vip 10.99.0.x
#   The topology is ike_lib.bash's (its picture); the hub's config is ikev1-ra.yaml.in.
#
# Scenarios (IKEV1_RA_ONLY=NAME runs one):
#   pull      alice logs in: XAUTH accepted, Mode Config hands out 10.99.0.1 with DNS, split,
#             banner and domain; clone vt1_0 and route 10.99.0.1/32; pings both ways from the
#             address; the client leaves: clone, route and address go
#   push      mode_config: push: the hub SETs address, netmask, DNS, split (both forms), banner
#             and domain after XAUTH; the client (pull = no) takes them; a ping from the address
#   refused   a wrong password: asked again until the third refusal (each logged with its
#             reason), XAUTH-STATUS 0, the ISAKMP SA deleted, no address taken; then an unknown
#             user likewise
#   each hub stop checks SIGTERM: exit 0, log without ERROR or sanitizer report
#
# Output: "ok N - ..." lines, then "ikev1-ra: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD. Needs strongSwan with libcharon-extauth-plugins (scripts/bootstrap.sh).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

# shellcheck disable=SC2034 # read by ike_lib.bash's hub_conf and swan_conf
HUB_TEMPLATE=ikev1-ra.yaml.in
# shellcheck disable=SC2034
SWAN_LOAD_EXTRA="xauth-generic unity resolve"
PH1=aes128-sha256-modp2048
PH2=aes128-sha256
RA_ID=ra.example.net

# ra_swan_conf USER PASSWORD: the client: ike_lib.bash's swan_v1_conf with the group key (PSK)
# then XAUTH as USER, asking for a virtual IP (RA_PULL=no: waiting for the hub to push it); its
# traffic selector is the split network the hub hands out. The resolve plugin writes DNS
# servers to its own file.
ra_swan_conf() {
	SPOKE_ID=$RA_ID SWAN_VIPS=0.0.0.0 SWAN_LOCAL_TS=dynamic SWAN_PULL=${RA_PULL:-yes} \
		SWAN_XAUTH_USER=$1 SWAN_XAUTH_PASS=$2 swan_v1_conf "$PH1" "$PH2" "$PSK_GOOD"
	sed -i "s|^\tplugins {|\tplugins {\n\t\tresolve {\n\t\t\tfile = $SW/resolv.conf\n\t\t}|" \
		"$SW/strongswan.conf"
}

ra_hub_up() { # TAG
	hub_up "$PH1" "$PH2" "$1"
}

# The address charon installed last, or "none".
ra_vip() {
	sed -n 's/.*installing new virtual IP \([0-9.]*\).*/\1/p' "$SW/charon.log" | tail -n 1 |
		grep . || echo none
}

scenario_pull() {
	local vip out
	t_diag "scenario pull: XAUTH and Mode Config (at ${SECONDS} s)"
	ra_hub_up pull || return 0
	ra_swan_conf alice "alice's test password"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_ok "client: Main Mode, XAUTH, Mode Config and Quick Mode completed"
	else
		t_not_ok "client: Main Mode, XAUTH, Mode Config and Quick Mode completed" \
			"$(tail -n 25 "$SW/charon.log")" "$(tail -n 10 "${HUBS_LOG[h]}")" \
			"$(ctl_raw "$P-h" /vpnhub/ike/stats | tr , "\n" | grep -v ": 0" | grep ikev1)"
	fi
	out=$(grep -c "XAUTH user alice accepted" "${HUBS_LOG[h]}" || true)
	t_eq "hub: XAUTH accepted alice once" "$out" "1"
	vip=$(ra_vip)
	out=$(ctl_raw "$P-h" /vpnhub/ike/sa | json_get 0.virtual_ip 2>/dev/null || echo none)
	t_eq "client got 10.99.0.1 from pool ra; the hub's ISAKMP SA shows the same" "$vip $out" \
		"10.99.0.1 10.99.0.1"
	# what the client asked for and got: address, DNS (resolve), split network (unity)
	out="$(grep -c 'installing DNS server 10\.10\.1\.53' "$SW/charon.log" || true)"
	out+=" $(grep -c '10\.10\.1\.53' "$SW/resolv.conf" 2>/dev/null || echo 0)"
	t_eq "client: DNS server 10.10.1.53 from pool ra, written by its resolver" "$out" "1 1"
	out="$(grep -c 'processing UNITY_SPLIT_INCLUDE attribute' "$SW/charon.log" || true)"
	t_eq "client: the split network came as Unity SPLIT_INCLUDE" "$out" "1"
	out=$(ctl "$P-h" show interfaces 2>/dev/null | grep -c '^vt1_0 ' || true)
	t_eq "hub: the clone vt1_0 of template vt1 exists" "$out" "1"
	sleep 0.5 # Quick Mode's third message, which strongSwan sends as it reports success
	out=$(ctl "$P-h" show ip route 2>/dev/null | grep -c '^I *10\.99\.0\.1/32 .*vt1_0' || true)
	t_eq "hub: route 10.99.0.1/32 injected via vt1_0" "$out" "1" \
		"$(ctl_raw "$P-h" /vpnhub/ike/stats | tr , '\n' | grep -v ': 0' | grep ikev1)" \
		"$(ctl "$P-h" show ip route 2>&1)"
	if [[ $vip != none ]] &&
		ip netns exec "$SNS" ping -c 3 -i 0.2 -W 2 -I "$vip" "$HOST_A4" >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$vip" >/dev/null 2>&1; then
		t_ok "pings both ways between the client's $vip and host-a through vt1_0"
	else
		t_not_ok "pings both ways between the client's $vip and host-a through vt1_0" \
			"$(hub_drops)" "$(tail -n 10 "$SW/charon.log")"
	fi
	out=$(ctl "$P-h" show crypto isakmp sa 2>/dev/null | grep -c 'QM_IDLE' || true)
	t_eq "vpnhubctl show crypto isakmp sa: one SA in QM_IDLE" "$out" "1"
	swan --terminate --ike hub --timeout 10 >/dev/null 2>&1 || true
	sleep 0.5
	out="$(ctl_raw "$P-h" /vpnhub/ike/stats | json_get sas 2>/dev/null || echo absent)"
	out+=" $(ctl "$P-h" show interfaces 2>/dev/null | grep -c '^vt1_' || true)"
	out+=" $(ctl "$P-h" show ip route 2>/dev/null | grep -c '10\.99\.0\.' || true)"
	t_eq "client gone: no ISAKMP SA, no clone, no injected route left" "$out" "0 0 0"
	charon_stop
	hub_down pull
}

# push: the hub sends the attributes itself (SET) once XAUTH is done, all of them: address,
# netmask, DNS, the split network (mode-cfg and Unity forms), banner and default domain.
scenario_push() {
	local vip out a
	t_diag "scenario push: XAUTH and Mode Config pushed (at ${SECONDS} s)"
	HUB_PEER_EXTRA="      mode_config: push" ra_hub_up push || return 0
	RA_PULL=no ra_swan_conf bob "bob's test password"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_ok "client (pull = no): XAUTH, Mode Config pushed, Quick Mode completed"
	else
		t_not_ok "client (pull = no): XAUTH, Mode Config pushed, Quick Mode completed" \
			"$(tail -n 25 "$SW/charon.log")" "$(tail -n 10 "${HUBS_LOG[h]}")"
	fi
	out=$(grep -c 'parsed TRANSACTION request .*CPS(ADDR MASK DNS SUBNET U_SPLITINC U_BANNER U_DEFDOM)' "$SW/charon.log" || true)
	t_eq "client: one Mode Config SET came from the hub" "$out" "1" \
		"$(grep TRANSACTION "$SW/charon.log")"
	for a in INTERNAL_IP4_ADDRESS INTERNAL_IP4_NETMASK INTERNAL_IP4_DNS INTERNAL_IP4_SUBNET \
		UNITY_SPLIT_INCLUDE UNITY_BANNER UNITY_DEF_DOMAIN; do
		out=$(grep -c "processing $a attribute" "$SW/charon.log" || true)
		t_eq "client: $a pushed" "$((out >= 1))" "1"
	done
	vip=$(ra_vip)
	if [[ $vip != none ]] &&
		ip netns exec "$SNS" ping -c 3 -i 0.2 -W 2 -I "$vip" "$HOST_A4" >/dev/null 2>&1; then
		t_ok "ping from the pushed address $vip to host-a"
	else
		t_not_ok "ping from the pushed address $vip to host-a" "$(hub_drops)"
	fi
	charon_stop
	hub_down push
}

# One refused login: USER with PASSWORD; the hub's log must say WHY three times.
refused_login() {
	local user=$1 pass=$2 why=$3 before out
	before=$(ike_stat ikev1_xauth_refused)
	ra_swan_conf "$user" "$pass"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_not_ok "$user ($why): the client's initiate fails"
	else
		t_ok "$user ($why): the client's initiate fails"
	fi
	sleep 1
	out=$(grep -c "XAUTH user $user refused: $why" "${HUBS_LOG[h]}" || true)
	t_eq "hub: $user refused 3 times, each logged with the reason ($why)" "$out" "3"
	t_eq "hub: ikev1_xauth_refused +3" "$(($(ike_stat ikev1_xauth_refused) - before))" "3"
	out="$(ctl_raw "$P-h" /vpnhub/ike/stats | json_get sas 2>/dev/null || echo absent)"
	out+=" $(ctl_raw "$P-h" /vpnhub/ipsec/sa | json_get total 2>/dev/null || echo absent)"
	t_eq "hub: no ISAKMP SA and no data plane SA left, no address taken" "$out" "0 0"
	charon_stop
}

scenario_refused() {
	t_diag "scenario refused: wrong password, unknown user (at ${SECONDS} s)"
	ra_hub_up refused || return 0
	refused_login alice "not alice's password" "wrong password"
	refused_login mallory "mallory's guess" "no such user"
	hub_down refused
}

main() {
	local s
	if [[ -n ${IKEV1_RA_ONLY:-} ]] && ! declare -F "scenario_$IKEV1_RA_ONLY" >/dev/null; then
		echo "Bail out! no scenario '$IKEV1_RA_ONLY' (pull push refused)"
		exit 1
	fi
	ike_setup ikev1-ra v1r || {
		t_done
		return
	}
	for s in ${IKEV1_RA_ONLY:-pull push refused}; do
		"scenario_$s"
	done
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
