#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ike.sh - IKEv2 between vpnhub (responder) and strongSwan (initiator): PSK
# authentication, the Child SA installed into the hub's static VTI, traffic both ways through
# it, and the refusals: a wrong PSK (AUTHENTICATION_FAILED), proposals the hub does not allow
# (NO_PROPOSAL_CHOSEN), a KE of another group (INVALID_KE_PAYLOAD, then success with the group
# the hub named), liveness checks answered, and deletes from the peer.
#
#   host-a -- hub (vpnhub) == WAN (a bridge), IKE + ESP in UDP 4500 == spoke (strongSwan charon)
#                                                                   `== spoke 2 (scenario 12)
#
# The topology, strongSwan's setup and the hub's config templates are shared with ike-soak.sh:
# see ike_lib.bash (its picture shows the namespaces, addresses and the WAN bridge).
#
# Scenarios (the hub restarts with a freshly generated config in between):
#   1  AES-GCM-128 / PRF-HMAC-SHA-256 / Curve25519, ESP AES-GCM-128: established on both sides,
#      the hub's VTI bound, pings both ways through the tunnel with exact SA counters, a
#      liveness check (swanctl DPD) answered, then the spoke deletes the Child SA and the IKE SA
#   2  the spoke offers ECP-256 first: INVALID_KE_PAYLOAD naming Curve25519, then established
#   3  wrong PSK: AUTHENTICATION_FAILED, no IKE SA left on the hub
#   4  proposals the hub does not allow: NO_PROPOSAL_CHOSEN, nothing kept
#   5  AES-CBC-256 / HMAC-SHA-256 / MODP-2048, ESP AES-CBC-256 + HMAC-SHA-256-128: pings
#   6  SIGTERM: the hub exits 0, log without ERROR or sanitizer report
#   8  certificates (auth: pubkey): the spoke (ECDSA P-256) initiates with its certificate and
#      the intermediate CA in two CERT payloads, the hub (RSA, root CA only) verifies the chain
#      and answers with an RSASSA-PSS AUTH (RFC 7427); pings both ways
#   9  certificates, the hub initiates; strongSwan verifies it; pings both ways
#   10 a spoke certificate from another CA: AUTHENTICATION_FAILED, ike_cert_untrusted +1
#   11 strongSwan without RFC 7427: AUTH methods 1 (RSA) and 9 (ECDSA P-256) both ways
#   The test PKI (root RSA-2048, intermediate ECDSA P-256) is made with openssl at run time.
#   12 two spokes at once (ike-spokes.yaml.in: vti1 and vti2, a peer each), each with its own
#      charon: both reach host-a and back, and spoke 1 pings spoke 2 across the hub (decrypted
#      from vti1, routed, encrypted into vti2), with exact counts on all four SAs and both VTIs
#   13 tshark as an independent decoder: the hub at log_level debug logs the keys of its IKE and
#      Child SAs; a capture of its WAN through IKE_AUTH, child rekeys with PFS, an IKE SA rekey,
#      liveness checks and deletes; tshark, given only those keys (ikev2_decryption_table and
#      esp_sa), decrypts every encrypted IKE message and every ESP packet with a good ICV; the
#      same keys spoiled decrypt nothing; no other hub logged a key
#   14 IKE fragmentation (RFC 7383) with certificates: IKE_AUTH both ways in Encrypted Fragments
#      (strongSwan with fragmentation = force and a 576-octet fragment size, the hub likewise)
#   Each scenario's time is printed; IKE_ONLY=NAME runs one (gcm, refusals, cbc, rekey,
#   initiator, dvti, cert, spokes, tshark, frag). Rekeys under a 3-minute load: ike-soak.sh.
#
# Output: "ok N - ..." lines, then "ike: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD. Needs strongSwan (strongswan-charon, strongswan-swanctl,
# libcharon-extra-plugins, libstrongswan-extra-plugins: scripts/bootstrap.sh installs them).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

# ---- scenarios ----

scenario_gcm() {
	local before in out n detail
	t_diag "scenario 1: AES-GCM-128 / Curve25519, PSK (at ${SECONDS} s)"
	hub_up aes128gcm16-prfsha256-x25519 aes128gcm16 gcm || return 0
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16 "$PSK_GOOD" 2
	charon_start
	before=$(ike_stat established)
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan: IKE SA and CHILD_SA net established with the hub"
	else
		t_not_ok "strongSwan: IKE SA and CHILD_SA net established with the hub" \
			"$(tail -n 15 "$TMP/initiate.out")" "$(tail -n 20 "$TMP/charon.log")"
	fi
	t_eq "hub: one IKE SA established (counter +1, listed as established)" \
		"$(($(ike_stat established) - before)) $(hub_sas)" "1 1"
	out=$(ctl "$P-h" show crypto ikev2 sa 2>&1)
	if grep -Eq "spoke +responder +established .*aes-gcm-128/sha256 +x25519 " <<<"$out"; then
		t_ok "vpnhubctl show crypto ikev2 sa: spoke, responder, established, AES-GCM/X25519"
	else
		t_not_ok "vpnhubctl show crypto ikev2 sa: spoke, responder, established, AES-GCM/X25519" \
			"$out"
	fi
	read -r in out <<<"$(swan_child_spis)"
	detail=$(ctl "$P-h" show crypto ikev2 sa detail 2>&1)
	if grep -q "Peer spoke, responder, established" <<<"$detail" &&
		grep -q "Encryption aes-gcm-128, PRF sha256, DH group x25519" <<<"$detail" &&
		grep -Eq "Child SA net \(active\): SPI in ${out:-none}, out ${in:-none}" <<<"$detail" &&
		grep -Eq "Packets in [0-9]+ out [0-9]+" <<<"$detail"; then
		t_ok "show crypto ikev2 sa detail: the SA, its algorithms, strongSwan's SPIs, counters"
	else
		t_not_ok "show crypto ikev2 sa detail: the SA, its algorithms, strongSwan's SPIs, counters" \
			"strongSwan in ${in:-?} out ${out:-?}" "$detail"
	fi
	t_eq "hub: children_installed 1, the VTI's SA is strongSwan's inbound SPI" \
		"$(ike_stat children_installed) $(sa_pkts "0x${in:-0}")" "1 0"
	if ip netns exec "$P-s" ping -c 3 -i 0.2 -W 2 -I "$SPOKE_NET4" "$HOST_A4" >/dev/null 2>&1; then
		t_ok "spoke 10.30.0.1 -> host-a $HOST_A4 through the tunnel"
	else
		t_not_ok "spoke 10.30.0.1 -> host-a $HOST_A4 through the tunnel" \
			"$(tail -n 10 "$TMP/charon.log")"
	fi
	if ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$SPOKE_NET4" >/dev/null 2>&1; then
		t_ok "host-a -> spoke $SPOKE_NET4 through vti1"
	else
		t_not_ok "host-a -> spoke $SPOKE_NET4 through vti1"
	fi
	t_eq "hub: SA in (strongSwan's out 0x$out) decrypted 6 packets, SA out 6" \
		"$(sa_pkts "0x${out:-0}") $(sa_pkts "0x${in:-0}")" "6 6"
	n=$(ike_stat rx)
	sleep 3 # strongSwan's dpd_delay is 2 s without traffic
	t_eq "hub answered strongSwan's liveness check (INFORMATIONAL in, IKE SA kept)" \
		"$(($(ike_stat rx) > n)) $(hub_sas)" "1 1"
	swan --terminate --ike hub --timeout 10 >"$TMP/terminate.out" 2>&1 || true
	sleep 0.5
	t_eq "spoke deleted the IKE SA: the hub lists none, its SAs are gone" \
		"$(hub_sas) $(sa_pkts "0x${in:-0}") $(ike_stat deleted)" "0 absent 1"
	charon_stop
	hub_down gcm
}

# 2-4: refusals, against a hub that allows only AES-GCM-128 / PRF-SHA-256 / Curve25519.
scenario_refusals() {
	local b
	t_diag "scenarios 2-4: INVALID_KE_PAYLOAD, wrong PSK, no proposal (at ${SECONDS} s)"
	hub_up aes128gcm16-prfsha256-x25519 aes128gcm16 refusals || return 0

	swan_conf aes128gcm16-prfsha256-ecp256-x25519 aes128gcm16 "$PSK_GOOD"
	charon_start
	b=$(ike_stat ike_bad_ke)
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out" &&
		grep -q "peer didn't accept DH group ECP_256, it requested CURVE_25519" "$TMP/charon.log"; then
		t_ok "KE of ECP-256: INVALID_KE_PAYLOAD names Curve25519, the retry is established"
	else
		t_not_ok "KE of ECP-256: INVALID_KE_PAYLOAD names Curve25519, the retry is established" \
			"$(tail -n 12 "$TMP/charon.log")"
	fi
	t_eq "hub: ike_bad_ke +1, one IKE SA established" \
		"$(($(ike_stat ike_bad_ke) - b)) $(hub_sas)" "1 1"
	charon_stop # charon deletes its IKE SA on the way out
	sleep 0.3

	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16 "$PSK_BAD"
	charon_start
	b=$(ike_stat ike_auth_failed)
	initiate || true
	if grep -q "received AUTHENTICATION_FAILED notify error" "$TMP/charon.log"; then
		t_ok "wrong PSK: the hub answers AUTHENTICATION_FAILED (RFC 7296 2.21.2)"
	else
		t_not_ok "wrong PSK: the hub answers AUTHENTICATION_FAILED (RFC 7296 2.21.2)" \
			"$(tail -n 12 "$TMP/charon.log")"
	fi
	t_eq "hub: ike_auth_failed +1, no IKE SA left (the refused one is gone)" \
		"$(($(ike_stat ike_auth_failed) - b)) $(ike_stat sas)" "1 0"
	charon_stop

	swan_conf aes256-sha512-modp4096 aes256-sha512 "$PSK_GOOD"
	charon_start
	b=$(ike_stat ike_no_proposal)
	initiate || true
	if grep -q "received NO_PROPOSAL_CHOSEN notify error" "$TMP/charon.log"; then
		t_ok "AES-CBC-256/SHA-512/MODP-4096 only: the hub answers NO_PROPOSAL_CHOSEN"
	else
		t_not_ok "AES-CBC-256/SHA-512/MODP-4096 only: the hub answers NO_PROPOSAL_CHOSEN" \
			"$(tail -n 12 "$TMP/charon.log")"
	fi
	t_eq "hub: ike_no_proposal +1, no state kept for it" \
		"$(($(ike_stat ike_no_proposal) - b)) $(ike_stat sas)" "1 0"
	t_eq "hub log names both offers: strongSwan's and the peer config's" \
		"$(grep -c "no proposal chosen: it offers aes256-sha512-prfsha512-modp4096; spoke takes aes128gcm16-prfsha256-x25519$" "${HUBS_LOG[h]}")" \
		"1" "$(grep "no proposal" "${HUBS_LOG[h]}")"
	charon_stop
	hub_down refusals
}

# 5: AES-CBC-256 + HMAC-SHA-256 / MODP-2048, ESP AES-CBC-256 + HMAC-SHA-256-128.
scenario_cbc() {
	local in out
	t_diag "scenario 5: AES-CBC-256 / HMAC-SHA-256 / MODP-2048 (at ${SECONDS} s)"
	hub_up aes256-sha256-modp2048 aes256-sha256 cbc || return 0
	swan_conf aes256-sha256-modp2048 aes256-sha256 "$PSK_GOOD"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan: established with AES-CBC-256/HMAC-SHA-256/MODP-2048"
	else
		t_not_ok "strongSwan: established with AES-CBC-256/HMAC-SHA-256/MODP-2048" \
			"$(tail -n 12 "$TMP/charon.log")"
	fi
	if ip netns exec "$P-s" ping -c 3 -i 0.2 -W 2 -I "$SPOKE_NET4" "$HOST_A4" >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$SPOKE_NET4" >/dev/null 2>&1; then
		t_ok "pings both ways through ESP AES-CBC-256 + HMAC-SHA-256-128"
	else
		t_not_ok "pings both ways through ESP AES-CBC-256 + HMAC-SHA-256-128"
	fi
	read -r in out <<<"$(swan_child_spis)"
	t_eq "hub: SA in 0x$out 6 packets, SA out 0x$in 6" \
		"$(sa_pkts "0x${out:-0}") $(sa_pkts "0x${in:-0}")" "6 6"
	charon_stop
	hub_down cbc
}

# 5b: rekeys under traffic: strongSwan rekeys the Child SA every 3 s (with PFS, Curve25519) and
# the IKE SA every 5 s while host-a pings the spoke 20 times a second; not one echo may be lost.
scenario_rekey() {
	local ping_out loss
	t_diag "scenario 5b: Child SA and IKE SA rekeys under traffic (at ${SECONDS} s)"
	hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 rekey || return 0
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD" 0 5 3
	charon_start
	if ! initiate; then
		t_not_ok "strongSwan: established (rekey scenario)" "$(tail -n 12 "$TMP/charon.log")"
		charon_stop
		hub_down rekey
		return 0
	fi
	ping_out=$(ip netns exec "$P-a" ping -c 240 -i 0.05 -W 1 "$SPOKE_NET4" 2>&1 | tail -n 2)
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$ping_out")
	t_eq "240 echoes over 12 s of rekeys: none lost" "$loss" "0"
	local cr ir
	cr=$(ike_stat child_rekeys) ir=$(ike_stat ike_rekeys)
	t_eq "hub: Child SA rekeys ($cr, >= 3) and IKE SA rekeys ($ir, >= 1) answered" \
		"$((cr >= 3)) $((ir >= 1))" "1 1"
	local drops
	drops=$(ctl_raw "$P-h" /vpnhub/stats | json_get total.drop_esp_sa_error 2>/dev/null ||
		echo absent)
	t_eq "hub: no ESP dropped by an SA (no replay, no auth failure) across the rekeys" \
		"$drops" "0"
	t_eq "hub: still one IKE SA (old ones deleted by the peer), strongSwan agrees" \
		"$(hub_sas) $(swan --list-sas 2>/dev/null | grep -c 'ESTABLISHED')" "1 1"
	charon_stop
	hub_down rekey
}

# 6: the hub initiates (initiate: true): established with strongSwan as the responder, traffic,
# a liveness check after 2 s of silence answered, child rekeys the hub starts at its soft
# lifetime (3 s, with PFS) while host-a pings, the old child deleted with the peer.
scenario_initiator() {
	local i ping_out loss cr
	t_diag "scenario 6: the hub as initiator: DPD, child rekeys it starts (at ${SECONDS} s)"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 "$PSK_GOOD"
	charon_start # the responder is up first: the hub's first IKE_SA_INIT is answered
	HUB_INITIATE=true HUB_DPD=2 HUB_CHILD_REKEY=5 HUB_RTX_TRIES=2 HUB_RTX_MS=500 \
		hub_up aes128gcm16-prfsha256-x25519 aes128gcm16-x25519 initiator || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(hub_sas) == 1 ]] && break
		sleep 0.2
	done
	t_eq "hub initiated: one IKE SA established (initiated 1)" \
		"$(hub_sas) $(ike_stat initiated)" "1 1"
	if swan --list-sas 2>/dev/null | grep -q "net: #.*INSTALLED"; then
		t_ok "strongSwan (responder) lists the child net INSTALLED"
	else
		t_not_ok "strongSwan (responder) lists the child net INSTALLED" \
			"$(swan --list-sas 2>&1 | head -n 20)" "$(tail -n 15 "$TMP/charon.log")"
	fi
	sleep 2.5 # no traffic: the hub asks for liveness after 2 s
	t_eq "hub sent a liveness check and strongSwan answered it (SA kept)" \
		"$(($(ike_stat dpd_sent) >= 1)) $(hub_sas)" "1 1"
	ping_out=$(ip netns exec "$P-a" ping -c 240 -i 0.05 -W 1 "$SPOKE_NET4" 2>&1 | tail -n 2)
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$ping_out")
	t_eq "240 echoes over 12 s while the hub rekeys its child: none lost" "$loss" "0" \
		"$(hub_drops)"
	cr=$(ike_stat child_rekeys)
	t_eq "hub started child rekeys ($cr, >= 2); strongSwan shows one child" \
		"$((cr >= 2)) $(swan --list-sas 2>/dev/null | grep -c 'net: #.*INSTALLED')" "1 1"
	# the spoke dies without a word: after 2 s of silence the hub asks, retransmits after
	# 0.5 and 1 s, gives up 2 s later (retransmit_tries 2): SAs and the VTI's binding go
	charon_stop KILL
	for ((i = 0; i < 40; i++)); do
		[[ $(ike_stat peers_dead) == 1 ]] && break
		sleep 0.25
	done
	t_eq "killed spoke detected by DPD: peer dead, no IKE SA, no data plane SA left" \
		"$(ike_stat peers_dead) $(ike_stat sas) $(ctl_raw "$P-h" /vpnhub/ipsec/sa |
			json_get total)" "1 0 0"
	cp "$TMP/hub.initiator.log" /tmp/ike-initiator-last.log 2>/dev/null || true
	hub_down initiator
}

# 7: remote access through a dynamic VTI: the spoke asks for an address (vips = 0.0.0.0), gets
# one from pool ra with the split network, the hub clones vt1 for it and routes the address
# there; pings both ways; when the spoke leaves, clone, route and address go.
scenario_dvti() {
	local vip out before
	t_diag "scenario 7: dynamic VTI, configuration payload, reverse route (at ${SECONDS} s)"
	sed -e "s|@NAME@|$P-h|g; s|@LAN_PORT@|$P-hl|g; s|@WAN_PORT@|$P-hw|g" \
		-e "s|@PSK@|$PSK_GOOD|g" "$HERE/ike-dvti.yaml.in" >"$TMP/hub.yaml"
	hubs_start h "$P-h" "$P-h" "$TMP/hub.dvti.log" -c "$TMP/hub.yaml"
	if ! hubs_wait_ready 30 h 2>"$TMP/ready.err"; then
		t_not_ok "hub started with template vt1 and pool ra" "$(cat "$TMP/ready.err")"
		return 0
	fi
	t_ok "hub started with template vt1 and pool ra"
	SWAN_VIPS=0.0.0.0 SWAN_LOCAL_TS=dynamic \
		swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16 "$PSK_GOOD"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan: established, asking for a virtual IP"
	else
		t_not_ok "strongSwan: established, asking for a virtual IP" \
			"$(tail -n 15 "$TMP/charon.log")"
	fi
	vip=$(sed -n 's/.*installing new virtual IP \([0-9.]*\).*/\1/p' "$TMP/charon.log" | tail -n 1)
	out=$(ctl_raw "$P-h" /vpnhub/ike/sa | json_get 0.virtual_ip 2>/dev/null || echo none)
	t_eq "spoke got 10.99.0.1 from pool ra; the hub's IKE SA shows the same" "$vip $out" \
		"10.99.0.1 10.99.0.1"
	out=$(ctl "$P-h" show interfaces 2>/dev/null | grep -c '^vt1_0 ' || true)
	t_eq "hub: the clone vt1_0 exists (the template itself is no interface)" \
		"$out $(ctl "$P-h" show interfaces 2>/dev/null | grep -c '^vt1 ' || true)" "1 0"
	out=$(ctl "$P-h" show ip route 2>/dev/null | grep -c '^I *10\.99\.0\.1/32 .*vt1_0' || true)
	t_eq "hub: route 10.99.0.1/32 injected via vt1_0" "$out" "1"
	if ip netns exec "$P-s" ping -c 3 -i 0.2 -W 2 -I "$vip" "$HOST_A4" >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$vip" >/dev/null 2>&1; then
		t_ok "pings both ways between the spoke's $vip and host-a through vt1_0"
	else
		t_not_ok "pings both ways between the spoke's $vip and host-a through vt1_0" \
			"$(hub_drops)" "$(tail -n 10 "$TMP/charon.log")"
	fi
	swan --terminate --ike hub --timeout 10 >/dev/null 2>&1 || true
	sleep 0.5
	out="$(ctl "$P-h" show interfaces 2>/dev/null | grep -c '^vt1_' || true)"
	out+=" $(ctl "$P-h" show ip route 2>/dev/null | grep -c '10\.99\.0\.' || true)"
	t_eq "spoke gone: no clone, no injected route left" "$out" "0 0"
	before=$vip
	initiate || true
	vip=$(sed -n 's/.*installing new virtual IP \([0-9.]*\).*/\1/p' "$TMP/charon.log" | tail -n 1)
	t_eq "back again: the address was released and is handed out again" "$vip" "$before"
	charon_stop
	hub_down dvti
}

# ---- 8-10: certificates (auth: pubkey, RFC 7296 3.6-3.8, RFC 7427) ----

# cert_make NAME ISSUER SAN SUBJECT rsa|ec [ca]: a key and a certificate in $TMP/pki, signed by
# ISSUER's key ("" = self-signed), with a dNSName SAN unless it is a CA. 30 days from now.
cert_make() {
	local d=$TMP/pki n=$1 iss=$2 san=$3 subj=$4 alg=$5 ca=${6:-}
	if [[ $alg == rsa ]]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$n.key" || return 1
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$n.key" ||
			return 1
	fi
	if [[ -n $ca ]]; then
		printf '%s\n' "basicConstraints=critical,CA:TRUE" \
			"keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash" >"$d/$n.ext"
	else
		printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=digitalSignature" \
			"subjectKeyIdentifier=hash" "subjectAltName=DNS:$san" >"$d/$n.ext"
	fi
	[[ -z $iss ]] || echo "authorityKeyIdentifier=keyid" >>"$d/$n.ext"
	openssl req -new -key "$d/$n.key" -subj "$subj" -out "$d/$n.csr" || return 1
	if [[ -z $iss ]]; then
		openssl x509 -req -sha256 -days 30 -in "$d/$n.csr" -signkey "$d/$n.key" \
			-extfile "$d/$n.ext" -out "$d/$n.pem"
	else
		openssl x509 -req -sha256 -days 30 -in "$d/$n.csr" -CA "$d/$iss.pem" \
			-CAkey "$d/$iss.key" -set_serial "$((RANDOM * 32768 + RANDOM))" \
			-extfile "$d/$n.ext" -out "$d/$n.pem"
	fi
}

# cert_pki: the test PKI, made now and gone with the scratch directory (no key is committed):
# root CA (RSA-2048) -> intermediate CA (ECDSA P-256) -> hub (RSA-2048, hub.example.net) and
# spoke (ECDSA P-256, spoke.example.net); root -> im2 (RSA) -> hub2 (hub.example.net too); and a
# rogue root with its own "spoke".
cert_pki() {
	local s="/C=CH/O=vpnhub test/CN="
	mkdir -p "$TMP/pki" && chmod 700 "$TMP/pki"
	{
		cert_make root "" "" "${s}vpnhub test root CA" rsa ca &&
			cert_make im root "" "${s}vpnhub test intermediate CA" ec ca &&
			cert_make hub im hub.example.net "${s}hub.example.net" rsa &&
			cert_make spoke im spoke.example.net "${s}spoke.example.net" ec &&
			cert_make im2 root "" "${s}vpnhub test hub CA" rsa ca &&
			cert_make hub2 im2 hub.example.net "${s}hub.example.net" rsa &&
			cert_make rogueca "" "" "/C=CH/O=elsewhere/CN=another root CA" ec ca &&
			cert_make rogue rogueca spoke.example.net "${s}spoke.example.net" ec
	} >"$TMP/pki/openssl.log" 2>&1
}

# cert_swan_conf SPOKE_CERT [legacy]: strongSwan with certificates (its swanctl dir in
# $TMP/swanctl, SWANCTL_DIR): the spoke's certificate and key, the root and intermediate as CAs
# (the rogue root too, so that strongSwan finds the chain of the rogue certificate it is given).
# legacy: without RFC 7427 (signature_authentication = no: no SIGNATURE_HASH_ALGORITHMS, the
# AUTH methods of RFC 7296 and RFC 4754).
cert_swan_conf() {
	local w=$TMP/swanctl
	rm -rf "$w" && mkdir -p "$w/x509" "$w/x509ca" "$w/private" && chmod 700 "$w/private"
	cp "$TMP/pki/$1.pem" "$w/x509/spoke.pem"
	cp "$TMP/pki/$1.key" "$w/private/spoke.key"
	cp "$TMP/pki/root.pem" "$TMP/pki/im.pem" "$TMP/pki/rogueca.pem" "$w/x509ca/"
	swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16 "$PSK_GOOD" # strongswan.conf
	sed -i "s/^\(\tload = .*\)/\1 pkcs8 constraints/" "$TMP/strongswan.conf"
	if [[ ${2:-} == legacy ]]; then
		sed -i "s/^charon {/&\n\tsignature_authentication = no/" "$TMP/strongswan.conf"
	fi
	cat >"$w/swanctl.conf" <<EOC
connections {
	hub {
		version = 2
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = aes128gcm16-prfsha256-x25519
		dpd_delay = 0s
		rekey_time = 0s
		rand_time = 0s
		local {
			auth = pubkey
			certs = spoke.pem
			id = spoke.example.net
		}
		remote {
			auth = pubkey
			id = hub.example.net
		}
		children {
			net {
				local_ts = 10.30.0.0/24
				remote_ts = 10.10.1.0/24
				esp_proposals = aes128gcm16
				rekey_time = 0s
				life_time = 60s
				rand_time = 0s
			}
		}
	}
}
EOC
}

# cert_hub_up TAG CA...: the hub of ike.yaml.in with auth: pubkey in place of its PSK: its
# certificate alone, its key, and the CA files of pki/ named.
# HUB_INITIATE as for hub_up; HUB_PEER_KEYS: more keys of the peer ('\n      key: value').
cert_hub_up() {
	local tag=$1 ca keys
	shift
	ca=$(printf 'pki/%s.pem, ' "$@")
	local cert=pki/hub.pem key=pki/hub.key
	if [[ -n ${HUB_CERT_CHAIN:-} ]]; then # hub2 and its issuer after it (3.6)
		cat "$TMP/pki/hub2.pem" "$TMP/pki/im2.pem" >"$TMP/pki/hub2-chain.pem"
		cert=pki/hub2-chain.pem key=pki/hub2.key
	fi
	keys="auth: pubkey\n      cert: $cert\n      key: $key\n      ca: [${ca%, }]${HUB_PEER_KEYS:-}"
	hub_conf aes128gcm16-prfsha256-x25519 aes128gcm16
	sed -i "s|^      psk: .*|      $keys|" "$TMP/hub.yaml"
	hub_start_conf "$tag" "IKE peer 'spoke', auth: pubkey"
}

# cert_count FILE TEXT: how many lines of FILE hold TEXT.
cert_count() {
	grep -cF -- "$2" "$1" || true
}

# cert_swan_auth SCHEME: strongSwan's line for the hub's AUTH it verified with SCHEME.
cert_swan_auth() {
	cert_count "$TMP/charon.log" "authentication of 'hub.example.net' with $1 successful"
}

# cert_pings: both ways through the tunnel, 3 echoes each.
cert_pings() {
	if ip netns exec "$P-s" ping -c 3 -i 0.2 -W 2 -I "$SPOKE_NET4" "$HOST_A4" >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 "$SPOKE_NET4" >/dev/null 2>&1; then
		t_ok "pings both ways through the tunnel ($1)"
	else
		t_not_ok "pings both ways through the tunnel ($1)" "$(hub_drops)"
	fi
}

# 8: the spoke (ECDSA P-256) initiates; the hub (RSA), which holds only the root CA, verifies the
# spoke's chain with the intermediate the spoke sends in a second CERT payload, and its ECDSA
# AUTH; it answers with its certificate and an RSASSA-PSS SHA-256 AUTH (RFC 7427).
scenario_cert_spoke() {
	local before c=$TMP/charon.log
	local hub_dn="C=CH, O=vpnhub test, CN=hub.example.net"
	local spoke_dn="C=CH, O=vpnhub test, CN=spoke.example.net"
	local alg="ECDSA SHA2-256 (AUTH method 14)"
	t_diag "scenario 8: certificates, the spoke initiates (at ${SECONDS} s)"
	cert_hub_up cert-spoke root || return 0
	cert_swan_conf spoke
	charon_start
	before=$(ike_stat established)
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan: IKE SA and CHILD_SA net established with certificates"
	else
		t_not_ok "strongSwan: IKE SA and CHILD_SA net established with certificates" \
			"$(cat "$TMP/load.out")" "$(tail -n 25 "$c")"
	fi
	t_eq "hub: one IKE SA established with the spoke's certificate" \
		"$(($(ike_stat established) - before)) $(hub_sas)" "1 1"
	t_eq "hub sent its certificate in a CERT payload; strongSwan received it" \
		"$(cert_count "$c" "received end entity cert \"$hub_dn\"")" "1"
	t_eq "hub's AUTH: RSASSA-PSS SHA-256 (RFC 7427), verified by strongSwan" \
		"$(cert_swan_auth RSA_EMSA_PSS_SHA2_256_SALT_32)" "1"
	t_eq "strongSwan sent the intermediate in a second CERT payload; the hub verified ECDSA" \
		"$(cert_count "$c" "sending issuer cert") $(cert_count "${HUBS_LOG[h]}" \
			"certificate \"$spoke_dn\" trusted, AUTH $alg")" "1 1"
	cert_pings spoke-initiated
	charon_stop
	hub_down cert-spoke
}

# 8b: the hub's certificate (hub2) comes from an intermediate strongSwan does not have (im2):
# the hub sends it in a second CERT payload. That IKE_AUTH response (about 2 KB) exceeds the
# 1500-byte MTU: the control lcore fragments it (RFC 791), the spoke's kernel reassembles it.
# The hub does not offer IKE fragmentation here (scenario 14 does), so this is the fallback.
scenario_cert_chain() {
	local c=$TMP/charon.log
	t_diag "scenario 8b: the hub sends its intermediate CA, fragmented (at ${SECONDS} s)"
	HUB_CERT_CHAIN=1 HUB_PEER_KEYS='\n      fragmentation: false' cert_hub_up cert-chain root ||
		return 0
	cert_swan_conf spoke
	charon_start
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan (without im2): established with the intermediate the hub sent"
	else
		t_not_ok "strongSwan (without im2): established with the intermediate the hub sent" \
			"$(tail -n 25 "$c")" "$(hub_drops)"
	fi
	t_eq "strongSwan received the hub's certificate and the intermediate (issuer) from it" \
		"$(cert_count "$c" "received end entity cert") $(cert_count "$c" "received issuer cert")" \
		"1 1"
	t_eq "hub: frag_needed drops none (its large IKE_AUTH was fragmented, not dropped)" \
		"$(ctl_raw "$P-h" /vpnhub/stats | json_get total.drop_frag_needed)" "0"
	t_eq "hub: no IKE fragment sent (not offered: IP fragments instead)" \
		"$(ike_stat frags_tx) $(cert_count "$c" "reassembled fragmented IKE message")" "0 0"
	cert_pings intermediate-sent
	charon_stop
	hub_down cert-chain
}

# 9: the hub initiates (initiate: true) against strongSwan as responder: CERTREQ in IKE_AUTH,
# strongSwan answers with its certificate.
scenario_cert_hub() {
	local i
	t_diag "scenario 9: certificates, the hub initiates (at ${SECONDS} s)"
	cert_swan_conf spoke
	charon_start
	HUB_INITIATE=true cert_hub_up cert-hub root im || return 0
	for ((i = 0; i < 50; i++)); do
		[[ $(hub_sas) == 1 ]] && break
		sleep 0.2
	done
	t_eq "hub initiated with its certificate: one IKE SA established" \
		"$(hub_sas) $(ike_stat initiated)" "1 1" "$(tail -n 20 "${HUBS_LOG[h]}")"
	t_eq "strongSwan (responder) verified the hub's RSASSA-PSS AUTH and lists child net" \
		"$(cert_swan_auth RSA_EMSA_PSS_SHA2_256_SALT_32) $(
			swan --list-sas 2>/dev/null | grep -c 'net: #.*INSTALLED')" "1 1"
	cert_pings hub-initiated
	charon_stop
	hub_down cert-hub
}

# 10: a spoke whose certificate another CA signed: AUTHENTICATION_FAILED, ike_cert_untrusted +1,
# nothing kept, the reason in the hub's log.
scenario_cert_rogue() {
	local b u a
	local why='refused: certificate "C=CH, O=vpnhub test, CN=spoke.example.net" is not trusted'
	t_diag "scenario 10: certificates, an untrusted spoke (at ${SECONDS} s)"
	cert_hub_up cert-rogue root im || return 0
	cert_swan_conf rogue
	charon_start
	b="$(ike_stat ike_cert_untrusted) $(ike_stat ike_auth_failed)"
	initiate || true
	if grep -q "received AUTHENTICATION_FAILED notify error" "$TMP/charon.log"; then
		t_ok "untrusted spoke certificate: the hub answers AUTHENTICATION_FAILED"
	else
		t_not_ok "untrusted spoke certificate: the hub answers AUTHENTICATION_FAILED" \
			"$(tail -n 15 "$TMP/charon.log")"
	fi
	read -r u a <<<"$b"
	t_eq "hub: ike_cert_untrusted +1, ike_auth_failed +0, no IKE SA left" \
		"$(($(ike_stat ike_cert_untrusted) - u)) $(($(ike_stat ike_auth_failed) - a)) $(
			ike_stat sas)" "1 0 0"
	t_eq "hub log names the reason (not trusted: unable to get local issuer certificate)" \
		"$(cert_count "${HUBS_LOG[h]}" "$why: unable to get local issuer certificate")" "1"
	charon_stop
	hub_down cert-rogue
}

# 11: strongSwan without RFC 7427: the hub, told no hash algorithms, signs with RSA PKCS#1 v1.5
# (method 1) and verifies the spoke's ECDSA P-256 of RFC 4754 (method 9).
scenario_cert_legacy() {
	local c=$TMP/charon.log
	t_diag "scenario 11: certificates without RFC 7427 (at ${SECONDS} s)"
	cert_hub_up cert-legacy root || return 0
	cert_swan_conf spoke legacy
	charon_start
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan without RFC 7427: established with certificates"
	else
		t_not_ok "strongSwan without RFC 7427: established with certificates" \
			"$(tail -n 25 "$c")"
	fi
	t_eq "hub signed with method 1 (RSA signature), verified ECDSA-256 of method 9" \
		"$(cert_swan_auth "RSA signature") $(
			cert_count "$c" "(myself) with ECDSA-256 signature successful") $(
			cert_count "${HUBS_LOG[h]}" "AUTH ECDSA SHA2-256 (AUTH method 9)")" "1 1 1"
	cert_pings legacy
	charon_stop
	hub_down cert-legacy
}

scenario_cert() {
	local -x SWANCTL_DIR=$TMP/swanctl
	if ! command -v openssl >/dev/null 2>&1 || ! cert_pki; then
		t_not_ok "openssl made the test PKI" \
			"$(tail -n 5 "$TMP/pki/openssl.log" 2>/dev/null || echo "no openssl command")"
		return 0
	fi
	scenario_cert_spoke
	scenario_cert_chain
	scenario_cert_hub
	scenario_cert_rogue
	scenario_cert_legacy
}

# ---- 12: two spokes at once, spoke to spoke through the hub ----

# spokes_pings N SRC DST DESC: N echoes from SRC's namespace (ping -I SRC) to DST, all answered.
spokes_ping() {
	if ip netns exec "$SNS" ping -c "$1" -i 0.2 -W 2 -I "$2" "$3" >/dev/null 2>&1; then
		t_ok "$4"
	else
		t_not_ok "$4" "$(hub_drops)" "$(tail -n 8 "$SW/charon.log")"
	fi
}

# 12: spoke 1 (10.30.0.0/24, vti1) and spoke 2 (10.40.0.0/24, vti2) connected at the same time,
# each with its own charon; both reach host-a and host-a reaches both; spoke 1 pings spoke 2:
# the hub decrypts the echo from vti1's SA, routes it to vti2 and encrypts it to spoke 2 (and the
# reply the other way). Exact packet counts on all four SAs.
scenario_spokes() {
	local n in1 out1 in2 out2
	t_diag "scenario 12: two spokes at once, spoke to spoke through the hub (at ${SECONDS} s)"
	if ! netns_exists "$P-t" && ! spoke_add 2; then
		t_not_ok "spoke 2's namespace $P-t comes up on the WAN bridge"
		return 0
	fi
	HUB_TEMPLATE=ike-spokes.yaml.in hub_up aes128gcm16-prfsha256-x25519 aes128gcm16 spokes ||
		return 0
	for n in 1 2; do
		spoke_use "$n"
		SWAN_REMOTE_TS="10.10.1.0/24, 10.$((50 - 10 * n)).0.0/24" \
			swan_conf aes128gcm16-prfsha256-x25519 aes128gcm16 "$PSK_GOOD"
		charon_start
		if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
			t_ok "spoke $n ($SPOKE_ID): IKE SA and CHILD_SA net established with the hub"
		else
			t_not_ok "spoke $n ($SPOKE_ID): IKE SA and CHILD_SA net established with the hub" \
				"$(tail -n 15 "$SW/initiate.out")" "$(tail -n 20 "$SW/charon.log")"
		fi
	done
	t_eq "hub: two IKE SAs established, two children installed" \
		"$(hub_sas) $(ike_stat established) $(ike_stat children_installed)" "2 2 2"
	n=$(ctl "$P-h" show crypto ikev2 sa 2>&1 | grep -cE "(^|[[:space:]])spoke2? +responder +established" ||
		true)
	t_eq "vpnhubctl show crypto ikev2 sa: spoke and spoke2 both established" "$n" "2"
	spoke_use 1
	read -r in1 out1 <<<"$(swan_child_spis)"
	spokes_ping 3 10.30.0.1 "$HOST_A4" "spoke 1 10.30.0.1 -> host-a through vti1"
	spoke_use 2
	read -r in2 out2 <<<"$(swan_child_spis)"
	spokes_ping 3 10.40.0.1 "$HOST_A4" "spoke 2 10.40.0.1 -> host-a through vti2"
	if ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 10.30.0.1 >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -c 3 -i 0.2 -W 2 10.40.0.1 >/dev/null 2>&1; then
		t_ok "host-a -> spoke 1 (vti1) and -> spoke 2 (vti2)"
	else
		t_not_ok "host-a -> spoke 1 (vti1) and -> spoke 2 (vti2)" "$(hub_drops)"
	fi
	t_eq "hub SAs before spoke to spoke: from/to spoke 1 6/6, from/to spoke 2 6/6" \
		"$(sa_pkts "0x${out1:-0}")/$(sa_pkts "0x${in1:-0}") $(sa_pkts "0x${out2:-0}")/$(
			sa_pkts "0x${in2:-0}")" "6/6 6/6"
	spoke_use 1
	spokes_ping 5 10.30.0.1 10.40.0.1 "spoke 1 10.30.0.1 -> spoke 2 10.40.0.1 across the hub"
	t_eq "hub SAs: 5 echoes in from spoke 1 and out to spoke 2, 5 replies the other way" \
		"$(sa_pkts "0x${out1:-0}")/$(sa_pkts "0x${in1:-0}") $(sa_pkts "0x${out2:-0}")/$(
			sa_pkts "0x${in2:-0}")" "11/11 11/11" "$(hub_drops)"
	t_eq "hub: vti1 and vti2 each received 11 and sent 11 packets" \
		"$(ctl_raw "$P-h" /vpnhub/interfaces | "$PY" -c '
import json, sys
d = next(iter(json.load(sys.stdin).values()))
print(" ".join(str(d[v]["rx_packets"]) + "/" + str(d[v]["tx_packets"]) for v in ("vti1", "vti2")))
' 2>&1)" "11/11 11/11"
	t_eq "hub: no drop of any kind while two spokes talk" "$(hub_drops)" ""
	for n in 2 1; do
		spoke_use "$n"
		charon_stop # charon deletes its IKE SA on the way out
	done
	sleep 0.5
	t_eq "both spokes gone: the hub lists no IKE SA, deleted 2" \
		"$(hub_sas) $(ike_stat deleted)" "0 2"
	hub_down spokes
}

# ---- 13: tshark as an independent decoder of IKE and ESP ----

# cap_start NS IFACE FILE: dumpcap on IFACE of NS into FILE (pcap), until cap_stop.
cap_start() {
	local i
	ip netns exec "$1" dumpcap -q -P -i "$2" -w "$3" >"$3.log" 2>&1 &
	CAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -qs "Capturing on" "$3.log" && return 0
		sleep 0.1
	done
	return 1
}

cap_stop() {
	[[ -n ${CAP_PID:-} ]] || return 0
	sleep 0.3 # the last frames reach the capture
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	CAP_PID=
}

# 13: the hub at system.log_level debug logs the keys of every IKE SA and Child SA; a capture of
# its WAN (the bridge port facing it: both directions) during an exchange with IKE_AUTH, liveness
# checks, Child SA rekeys with PFS, an IKE SA rekey and deletes; tshark, given only the keys
# from the hub's log, decrypts every encrypted IKE message and every ESP packet. The same keys,
# each spoiled in one octet, decrypt nothing (the check can fail). Two suites: AES-GCM-128 (keys
# with salt, no integrity keys) and AES-CBC-256 with HMAC-SHA-256 (SK_ai/SK_ar, ESP auth keys).
# Last, no hub at the default level logged a key.
scenario_tshark() {
	t_diag "scenario 13: tshark decrypts IKE and ESP with the keys the hub logged (at ${SECONDS} s)"
	if ! command -v tshark >/dev/null 2>&1; then
		t_not_ok "tshark is installed (scripts/bootstrap.sh installs it)"
		return 0
	fi
	tshark_round gcm aes128gcm16-prfsha256-x25519 aes128gcm16-x25519
	tshark_round cbc aes256-sha256-modp2048 aes256-sha256-modp2048
	local f n=0 logs=0
	for f in "$TMP"/hub.*.log; do
		[[ $f == */hub.tshark-* ]] && continue
		logs=$((logs + 1))
		n=$((n + $(grep -c 'sk_ei=\|ekey=\|keys of ' "$f" || true)))
	done
	t_eq "no key in the logs of the $logs hubs that ran at the default log level" "$n" "0"
}

# tshark_round TAG IKE_PROPOSALS ESP_PROPOSALS: one capture, decoded with the logged keys.
tshark_round() {
	local tag=tshark-$1 pcap=$TMP/tshark-$1.pcap ws=$TMP/wireshark-$1 out n f est
	if ! cap_start "$P-h" "$P-hb" "$pcap"; then
		t_not_ok "dumpcap captures the hub's WAN ($tag)" "$(cat "$pcap.log" 2>/dev/null)"
		cap_stop
		return 0
	fi
	HUB_LOG_LEVEL=debug hub_up "$2" "$3" "$tag" || {
		cap_stop
		return 0
	}
	spoke_use 1
	swan_conf "$2" "$3" "$PSK_GOOD" 1 5 3
	charon_start
	if initiate && grep -q "initiate completed successfully" "$SW/initiate.out"; then
		t_ok "strongSwan: established with the hub at log level debug ($2, $3)"
	else
		t_not_ok "strongSwan: established with the hub at log level debug ($2, $3)" \
			"$(tail -n 15 "$SW/charon.log")"
	fi
	if ip netns exec "$P-a" ping -c 40 -i 0.2 -W 1 "$SPOKE_NET4" >/dev/null 2>&1; then
		t_ok "40 echoes host-a -> spoke while strongSwan rekeys ($tag)"
	else
		t_not_ok "40 echoes host-a -> spoke while strongSwan rekeys ($tag)" "$(hub_drops)"
	fi
	sleep 1.5 # silence: liveness checks (dpd_delay 1 s)
	swan --terminate --ike hub --timeout 10 >/dev/null 2>&1 || true
	sleep 0.5
	cap_stop
	charon_stop
	n=$(ike_stat children_installed) est=$(ike_stat established)
	t_eq "hub: child rekeys (>= 2) and an IKE SA rekey (>= 1) during the capture ($tag)" \
		"$(($(ike_stat child_rekeys) >= 2)) $(($(ike_stat ike_rekeys) >= 1))" "1 1"
	hub_down "$tag"
	out=$("$PY" "$TOOL" keylog "${HUBS_LOG[h]}" "$ws" 2>&1) && f=0 || f=1
	t_eq "hub log at debug: a key line per IKE SA ($est), per Child SA ($n) and direction ($out)" \
		"$f $(grep -c 'keys of IKE SA: ' "${HUBS_LOG[h]}") $(
			grep -c 'keys of Child SA: .*dir=in' "${HUBS_LOG[h]}") $(
			grep -c 'keys of Child SA: .*dir=out' "${HUBS_LOG[h]}")" "0 $est $n $n"
	out=$("$PY" "$TOOL" tshark-ike "$pcap" "$ws" IKE_AUTH==2 CREATE_CHILD_SA=6 INFORMATIONAL=4 \
		esp==80 spis=4 2>&1) && f=0 || f=1
	if ((f == 0)); then
		t_ok "tshark decrypts with the hub's keys ($1): $out"
	else
		t_not_ok "tshark decrypts every encrypted IKE message and every ESP packet ($1)" "$out"
	fi
	"$PY" "$TOOL" keylog "${HUBS_LOG[h]}" "$ws.spoiled" flip >/dev/null 2>&1 || true
	out=$("$PY" "$TOOL" tshark-ike "$pcap" "$ws.spoiled" 2>&1) && f=passed || f=failed
	t_eq "the same keys, each with one octet spoiled: tshark decrypts nothing ($1)" \
		"$f $(head -n 1 <<<"$out" | sed -E 's/^IKE ([0-9]+)\/.*ESP ([0-9]+)\/.*/\1 \2/')" \
		"failed 0 0" "$(head -n 3 <<<"$out")"
}

# 14: IKE fragmentation (RFC 7383) with certificates: strongSwan (fragmentation = force,
# fragment_size 576) and the hub (fragment_size: 576) both offer IKE_FRAGMENTATION_SUPPORTED;
# the spoke's IKE_AUTH (its certificate and the intermediate) and the hub's answer (its own and
# im2) are each sent as Encrypted Fragments, which both ends put together; the SA is up and
# pings pass; the hub refused no fragment.
scenario_frag() {
	local c=$TMP/charon.log tx rx re bad s
	local -x SWANCTL_DIR=$TMP/swanctl
	t_diag "scenario 14: IKE fragmentation with certificates (at ${SECONDS} s)"
	if [[ ! -f $TMP/pki/hub2.pem ]] && ! { command -v openssl >/dev/null 2>&1 && cert_pki; }; then
		t_not_ok "openssl made the test PKI (frag)" \
			"$(tail -n 5 "$TMP/pki/openssl.log" 2>/dev/null || echo "no openssl command")"
		return 0
	fi
	HUB_CERT_CHAIN=1 HUB_PEER_KEYS='\n      fragmentation: true\n      fragment_size: 576' \
		cert_hub_up frag root || return 0
	cert_swan_conf spoke
	sed -i "s/^charon {/&\n\tfragment_size = 576/" "$TMP/strongswan.conf"
	sed -i "s/^\t\tencap = yes/&\n\t\tfragmentation = force/" "$TMP/swanctl/swanctl.conf"
	charon_start
	if initiate && grep -q "initiate completed successfully" "$TMP/initiate.out"; then
		t_ok "strongSwan: established with certificates over IKE fragments"
	else
		t_not_ok "strongSwan: established with certificates over IKE fragments" \
			"$(tail -n 25 "$c")" "$(hub_drops)"
	fi
	t_eq "strongSwan split its IKE_AUTH request and put the hub's response together" \
		"$(($(cert_count "$c" "splitting IKE message") >= 1)) $(
			cert_count "$c" "reassembled fragmented IKE message")" "1 1" "$(grep -i frag "$c")"
	t_eq "strongSwan sent IKE_AUTH as EF payloads and parsed the hub's EF answers" \
		"$(($(grep -c 'generating IKE_AUTH request 1 \[ EF(' "$c" || true) >= 2)) $(($(
			grep -c 'parsed IKE_AUTH response 1 \[ EF(' "$c" || true) >= 2))" "1 1"
	tx=$(ike_stat frags_tx) rx=$(ike_stat frags_rx) re=$(ike_stat frags_reassembled)
	t_eq "hub: fragments sent (>= 2), kept (>= 2), one message reassembled" \
		"$((tx >= 2)) $((rx >= 2)) $re $(hub_sas)" "1 1 1 1"
	bad=0
	for s in unexpected total decrypt duplicate stale restart oversize full timeout; do
		bad=$((bad + $(ike_stat "ike_frag_$s")))
	done
	t_eq "hub: no fragment refused (ike_frag_* all 0)" "$bad" "0"
	cert_pings fragmented
	charon_stop
	hub_down frag
}

main() {
	local t0 s
	ike_setup ike ik || {
		t_done
		return
	}
	if [[ -n ${IKE_ONLY:-} ]]; then # one scenario, e.g. IKE_ONLY=dvti, while working on it
		"scenario_$IKE_ONLY"
	else
		for s in gcm refusals cbc rekey initiator dvti cert spokes tshark frag; do
			t0=$SECONDS
			"scenario_$s"
			t_diag "scenario $s took $((SECONDS - t0)) s"
		done
	fi
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
