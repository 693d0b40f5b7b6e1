#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ike-policy.sh - IKEv2 beyond the VTI, with strongSwan 5.9 (ike_lib.bash's
# topology: host-a -- hub == spoke):
#   1  policy-based IPsec keyed by IKE (conf/README.md, crypto maps): a crypto map entry
#      without SAs, keyed by the hub's child net. LAN traffic to the spoke's network starts the
#      exchange (an acquire, RFC 4301 5.1); of 20 datagrams sent at once the hub holds 8 and
#      drops 12 (spd_acquire), then sends the 8 through the new SA; pings both ways; the hub's
#      child rekeys move the entry to each new SA without loss; when the spoke deletes the IKE
#      SA the entry acquires again and traffic brings the SA back
#   2  cookies (RFC 7296 2.6): the hub asks for a cookie from the first half-open SA on
#      (cookie_threshold: 0); strongSwan retries IKE_SA_INIT with it and gets in; with
#      per_source_max: 1, a second IKE SA from the same address is refused without an answer
#   3  reauthentication (RFC 7296 2.8.3): the hub, initiator with reauth_time 5 s, builds a new
#      IKE SA from scratch every 5 s (less up to 10 %) while host-a pings; the new child takes
#      the VTI over before the old IKE SA is deleted: no echo lost, one IKE SA left on each side
#   4  IKE SA rekeys the hub starts (2.8, rekey_time 4 s): the child moves to each new IKE SA,
#      strongSwan keeps one IKE SA, no echo lost, and a child rekey afterwards still works
#   5  volume lifetimes: a child with rekey_packets 40 is rekeyed by the hub as traffic crosses
#      it (the data plane's soft limit, not a timer): 100 echoes, at least 2 rekeys, none lost
#   6  redirect (RFC 5685): with ike.redirect {to: 203.0.113.20, when: always} the hub answers
#      strongSwan's IKE_SA_INIT (which announces REDIRECT_SUPPORTED) with a REDIRECT alone and
#      keeps nothing; strongSwan logs the redirect and tries the new gateway (which does not
#      exist); the hub counts one redirect and logs it
#
# Output: "ok N - ..." lines, then "ike-policy: N passed, N failed".
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

# spd_keying: how /vpnhub/ipsec/spd shows entry 10 of map cm (manual, acquiring or ike).
spd_keying() {
	ctl_raw "$P-h" /vpnhub/ipsec/spd 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
for v in (d or {}).values():
    if isinstance(v, dict) and v.get("kind") == "entry" and v.get("seq") == 10:
        print(v.get("keying"))
        break
else:
    print("absent")
' 2>/dev/null || echo "?"
}

# ping_loss COUNT INTERVAL WAIT: the % of COUNT echoes host-a -> the spoke's subnet lost.
ping_loss() {
	ip netns exec "$P-a" ping -c "$1" -i "$2" -W "$3" "$SPOKE_NET4" 2>&1 |
		sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
}

scenario_cmap() {
	local i
	t_diag "scenario 1: crypto map keyed by IKE, acquire (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_TEMPLATE=ike-cmap.yaml.in HUB_CHILD_REKEY=4 hub_up - - cmap || return 0
	t_eq "no traffic yet: no IKE SA, entry 10 acquiring" \
		"$(hub_sas) $(ike_stat acquires) $(spd_keying)" "0 0 acquiring"
	ip netns exec "$P-a" bash -c \
		"for i in \$(seq 20); do echo acquire >/dev/udp/$SPOKE_NET4/9; done" || true
	for ((i = 0; i < 50; i++)); do
		[[ $(ike_stat acquire_sent) == 8 ]] && break
		sleep 0.2
	done
	t_eq "20 datagrams: one acquire, 8 held and sent through the new SA, 12 dropped" \
		"$(ike_stat acquires) $(ike_stat acquire_held) $(ike_stat acquire_sent) $(
			hub_drop spd_acquire)" "1 8 8 12" "$(tail -n 5 "${HUBS_LOG[h]}")"
	t_eq "the hub initiated: one IKE SA, entry 10 keyed by IKE" \
		"$(hub_sas) $(ike_stat initiated) $(spd_keying)" "1 1 ike"
	if swan --list-sas 2>/dev/null | grep -q "net: #.*INSTALLED"; then
		t_ok "strongSwan (responder) lists the child net INSTALLED"
	else
		t_not_ok "strongSwan (responder) lists the child net INSTALLED" \
			"$(swan --list-sas 2>&1 | head -n 20)" "$(tail -n 15 "$SW/charon.log")"
	fi
	t_eq "200 echoes over 10 s while the hub rekeys child net every 4 s: none lost" \
		"$(ping_loss 200 0.05 1)" "0" "$(hub_drops)"
	t_eq "child rekeys (>= 2) kept entry 10 keyed; still one acquire" \
		"$(($(ike_stat child_rekeys) >= 2)) $(spd_keying) $(ike_stat acquires)" "1 ike 1"
	swan --terminate --ike hub --timeout 5 >/dev/null 2>&1 || true
	for ((i = 0; i < 25; i++)); do
		[[ $(hub_sas) == 0 ]] && break
		sleep 0.2
	done
	t_eq "the spoke deleted the IKE SA: entry 10 acquires again" \
		"$(hub_sas) $(spd_keying)" "0 acquiring"
	t_eq "traffic brings the SA back: second acquire, 5 echoes answered" \
		"$(ping_loss 5 0.5 3) $(ike_stat acquires) $(hub_sas)" "0 2 1" "$(hub_drops)"
	charon_stop
	hub_down cmap
}

scenario_cookies() {
	t_diag "scenario 2: cookies and the cap per source address (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_IKE_EXTRA="  limits: {cookie_threshold: 0, per_source_max: 1}" \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 cookies || return 0
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_ok "strongSwan initiated through a COOKIE round trip"
	else
		t_not_ok "strongSwan initiated through a COOKIE round trip" \
			"$(tail -n 20 "$SW/charon.log")"
	fi
	t_eq "one COOKIE sent, one returned and good, one IKE SA" \
		"$(ike_stat cookies_sent) $(ike_stat ike_cookie_sent) $(ike_stat cookies_ok) $(hub_sas)" \
		"1 1 1 1"
	t_eq "pings both ways through the tunnel" \
		"$(ping_loss 3 0.2 2)" "0"
	# a second IKE SA from the same address (another connection of the spoke): no answer
	cat >"$SW/hub2.conf" <<EOC
connections {
	hub2 {
		version = 2
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = aes128gcm16-prfsha256-x25519
		local {
			auth = psk
			id = second.example.net
		}
		remote {
			auth = psk
			id = hub.example.net
		}
	}
}
EOC
	swan --load-conns --file "$SW/hub2.conf" >"$SW/hub2.out" 2>&1 || true
	swan --initiate --ike hub2 --timeout 4 >>"$SW/hub2.out" 2>&1 || true
	t_eq "a second IKE SA from the spoke's address: refused (ike_source_full), the first kept" \
		"$(($(ike_stat ike_source_full) >= 1)) $(hub_sas)" "1 1" \
		"$(tail -n 10 "$SW/charon.log")"
	charon_stop
	hub_down cookies
}

scenario_reauth() {
	local i n loss
	t_diag "scenario 3: reauthentication (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_INITIATE=true HUB_PEER_EXTRA="      reauth_time: 5" \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 reauth || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(hub_sas) == 1 ]] && break
		sleep 0.2
	done
	loss=$(ping_loss 70 0.2 2)
	n=$(ike_stat reauths)
	t_eq "70 echoes over 14 s across reauthentications (${n}, >= 2): none lost" \
		"$loss $((n >= 2))" "0 1" "$(hub_drops)"
	sleep 1
	t_eq "one IKE SA left on the hub and on strongSwan, its child installed" \
		"$(hub_sas) $(swan --list-sas 2>/dev/null | grep -c '^hub: #') $(
			swan --list-sas 2>/dev/null | grep -c 'net: #.*INSTALLED')" "1 1 1" \
		"$(ctl_raw "$P-h" /vpnhub/ike/stats)"
	charon_stop
	hub_down reauth
}

scenario_ike_rekey() {
	local i n loss
	t_diag "scenario 4: IKE SA rekeys started by the hub (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_INITIATE=true HUB_CHILD_REKEY=0 HUB_PEER_EXTRA="      rekey_time: 4" \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 ike-rekey || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(hub_sas) == 1 ]] && break
		sleep 0.2
	done
	loss=$(ping_loss 60 0.2 2)
	n=$(ike_stat ike_rekeys)
	t_eq "60 echoes over 12 s across IKE SA rekeys by the hub (${n}, >= 2): none lost" \
		"$loss $((n >= 2))" "0 1" "$(hub_drops)"
	sleep 1
	t_eq "one IKE SA on the hub and on strongSwan, the child installed" \
		"$(hub_sas) $(swan --list-sas 2>/dev/null | grep -c '^hub: #') $(
			swan --list-sas 2>/dev/null | grep -c 'net: #.*INSTALLED')" "1 1 1" \
		"$(swan --list-sas 2>&1 | head -n 20)"
	swan --rekey --child net >/dev/null 2>&1 || true
	sleep 1
	t_eq "a child rekey (strongSwan) on the rekeyed IKE SA; pings still answered" \
		"$(ike_stat child_rekeys) $(ping_loss 3 0.2 2)" "1 0" "$(hub_drops)"
	charon_stop
	hub_down ike-rekey
}

scenario_volume() {
	local i loss
	t_diag "scenario 5: rekeys on packet counts (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_INITIATE=true HUB_CHILD_EXTRA="          rekey_packets: 40" \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 volume || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(hub_sas) == 1 ]] && break
		sleep 0.2
	done
	loss=$(ping_loss 100 0.05 2)
	t_eq "100 echoes through a child of rekey_packets 40: rekeyed (>= 2) by the hub, none lost" \
		"$loss $(($(ike_stat child_rekeys) >= 2))" "0 1" "$(hub_drops)"
	charon_stop
	hub_down volume
}

scenario_redirect() {
	local gw=203.0.113.20
	t_diag "scenario 6: redirect (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start
	HUB_IKE_EXTRA="  redirect: {to: $gw, when: always}" \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 redirect || return 0
	timeout 10 env STRONGSWAN_CONF="$SW/strongswan.conf" swanctl --initiate --child net \
		--timeout 6 >"$SW/initiate.out" 2>&1 || true
	t_eq "one IKE_SA_INIT redirected, no IKE SA, nothing half-open, no error notify" \
		"$(ike_stat redirects) $(hub_sas) $(ike_stat half_open) $(ike_stat error_notifies)" \
		"1 0 0 0" "$(ctl_raw "$P-h" /vpnhub/ike/stats)"
	if grep -q "IKE_SA_INIT from $SPOKE4 (peer spoke) redirected to $gw" "${HUBS_LOG[h]}"; then
		t_ok "the hub logs the redirect of $SPOKE4 to $gw"
	else
		t_not_ok "the hub logs the redirect of $SPOKE4 to $gw" \
			"$(tail -n 10 "${HUBS_LOG[h]}")"
	fi
	if grep -q "redirected to $gw" "$SW/charon.log" &&
		grep -q "initiating IKE_SA hub\[[0-9]*\] to $gw" "$SW/charon.log"; then
		t_ok "strongSwan was redirected to $gw and tried it"
	else
		t_not_ok "strongSwan was redirected to $gw and tried it" \
			"$(grep -i -E "redirect|initiating" "$SW/charon.log" | tail -n 10)"
	fi
	charon_stop
	hub_down redirect
}

main() {
	ike_setup ike-policy ip || {
		t_done
		return
	}
	if [[ -n ${IKE_ONLY:-} ]]; then
		"scenario_$IKE_ONLY"
	else
		scenario_cmap
		scenario_cookies
		scenario_reauth
		scenario_ike_rekey
		scenario_volume
		scenario_redirect
	fi
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
