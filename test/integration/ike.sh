#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ike.sh - IKEv2 between vpnhub (responder) and strongSwan (initiator): PSK
# authentication, the Child SA installed into the hub's static VTI, traffic both ways through
# it, and the refusals: a wrong PSK (AUTHENTICATION_FAILED), proposals the hub does not allow
# (NO_PROPOSAL_CHOSEN), a KE of another group (INVALID_KE_PAYLOAD, then success with the group
# the hub named), liveness checks answered, and deletes from the peer.
#
#   host-a -- hub (vpnhub) == wan veth, IKE + ESP in UDP 4500 == spoke (strongSwan charon)
#
#  +---------------------------------------------------------------------------+
#  | host-a                                        netns <p>-a                 |
#  |   eth0      10.10.1.2/24, default via 10.10.1.1                           |
#  +-------+-------------------------------------------------------------------+
#          |  veth: host-a eth0 <-> <p>-hl (hub)
#  +-------+-------------------------------------------------------------------+
#  | hub: vpnhub <p>-h                             netns <p>-h                 |
#  |   <p>-hl = net_af_packet0 = lan0   10.10.1.1/24                           |
#  |   <p>-hw = net_af_packet1 = wan0   203.0.113.1/24                         |
#  |   vti1      172.16.0.1/30, SAs from IKE; route 10.30.0.0/24 over vti1     |
#  |   IKE peer  spoke: PSK, fqdn:hub.example.net <-> fqdn:spoke.example.net   |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-hw (hub) <-> eth0 (spoke): the WAN
#  +-------+-------------------------------------------------------------------+
#  | spoke: strongSwan 5.9 charon, kernel-libipsec   netns <p>-s, private /run |
#  |   eth0      203.0.113.2/24                                                |
#  |   lo        10.30.0.1/32 (the spoke's protected subnet 10.30.0.0/24)      |
#  |   ipsec0    libipsec's TUN: 10.10.1.0/24 routed into it (table 220)       |
#  +---------------------------------------------------------------------------+
#
# strongSwan's kernel-libipsec always encapsulates ESP in UDP 4500, so the hub's Child SAs are
# UDP-encapsulated (encap = yes makes strongSwan fake a NAT, RFC 7296 2.23, and the hub follows
# it to port 4500). charon runs with its own /run (its pid file path is fixed) and a vici socket
# in the scratch directory, which swanctl reaches from outside the namespace.
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
#
# Output: "ok N - ..." lines, then "ike: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD. Needs strongSwan (strongswan-charon, strongswan-swanctl,
# libcharon-extra-plugins, libstrongswan-extra-plugins: scripts/bootstrap.sh installs them).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHARON=/usr/lib/ipsec/charon
PSK_GOOD="vpnhub test key, not a real one"
PSK_BAD="a different key of the same size."
HUB4=203.0.113.1
SPOKE4=203.0.113.2
HOST_A4=10.10.1.2
SPOKE_NET4=10.30.0.1

P=
TMP=
CHARON_PID=

cleanup() {
	local ns
	hubs_stop_all 5 >/dev/null 2>&1 || true
	charon_stop
	for ns in a h s; do
		if [[ -n $P ]]; then ip netns del "$P-$ns" 2>/dev/null || true; fi
	done
	[[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
}

preflight() {
	local x
	for x in "$CHARON" swanctl ip ping; do
		command -v "$x" >/dev/null 2>&1 || [[ -x $x ]] || {
			echo "Bail out! $x missing (scripts/bootstrap.sh installs strongSwan)"
			exit 1
		}
	done
	[[ -x $VPNHUB ]] || {
		echo "Bail out! $VPNHUB missing: build first"
		exit 1
	}
}

pick_prefix() {
	local i
	for ((i = 0; i < 50; i++)); do
		P="ik$((RANDOM % 900 + 100))"
		netns_exists "$P-h" || netns_exists "$P-s" || return 0
	done
	echo "Bail out! no free namespace prefix" >&2
	exit 1
}

topo_up() {
	local ns
	for ns in a h s; do
		ip netns add "$P-$ns" || return 1
	done
	ip -n "$P-h" link add "$P-hl" type veth peer name eth0 netns "$P-a" || return 1
	ip -n "$P-h" link add "$P-hw" type veth peer name eth0 netns "$P-s" || return 1
	ip netns exec "$P-h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	for ns in "$P-hl" "$P-hw" lo; do
		ip -n "$P-h" link set "$ns" up || return 1
	done
	for ns in a s; do
		ip netns exec "$P-$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || return 1
		ip netns exec "$P-$ns" ethtool -K eth0 tx off >/dev/null || return 1
		ip -n "$P-$ns" link set lo up || return 1
		ip -n "$P-$ns" link set eth0 up || return 1
	done
	ip -n "$P-a" addr add "$HOST_A4/24" dev eth0 || return 1
	ip -n "$P-a" route add default via 10.10.1.1 || return 1
	ip -n "$P-s" addr add "$SPOKE4/24" dev eth0 || return 1
	ip -n "$P-s" addr add "$SPOKE_NET4/32" dev lo || return 1
}

# ---- strongSwan ----

# swan_conf PROPOSALS ESP_PROPOSALS PSK [DPD [IKE_REKEY [CHILD_REKEY]]]: strongswan.conf and
# swanctl.conf for the spoke (times in seconds; 0 = never).
swan_conf() {
	cat >"$TMP/strongswan.conf" <<EOF
charon {
	load = random nonce aes sha1 sha2 hmac kdf gcm chapoly curve25519 openssl pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici
	install_routes = yes
	retransmit_tries = 2
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	plugins {
		vici {
			socket = unix://$TMP/charon.vici
		}
	}
	filelog {
		log {
			path = $TMP/charon.log
			default = 1
			ike = 2
			cfg = 2
			time_format = %T
			flush_line = yes
		}
	}
}
swanctl {
	socket = unix://$TMP/charon.vici
}
EOF
	mkdir -p "$TMP/swanctl"
	cat >"$TMP/swanctl/swanctl.conf" <<EOF
connections {
	hub {
		version = 2
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = $1
		dpd_delay = ${4:-0}s${SWAN_VIPS:+
		vips = $SWAN_VIPS}
		rekey_time = ${5:-0}s
		over_time = 2s
		rand_time = 0s
		local {
			auth = psk
			id = spoke.example.net
		}
		remote {
			auth = psk
			id = hub.example.net
		}
		children {
			net {
				local_ts = ${SWAN_LOCAL_TS:-10.30.0.0/24}
				remote_ts = 10.10.1.0/24
				esp_proposals = $2
				rekey_time = ${6:-0}s
				life_time = 60s
				rand_time = 0s
			}
		}
	}
}
secrets {
	ike-hub {
		id-1 = spoke.example.net
		id-2 = hub.example.net
		secret = "$3"
	}
}
EOF
}

swan() {
	STRONGSWAN_CONF=$TMP/strongswan.conf swanctl "$@"
}

charon_start() {
	: >"$TMP/charon.log"
	ip netns exec "$P-s" unshare -m sh -c \
		"mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan &&
		 STRONGSWAN_CONF=$TMP/strongswan.conf exec $CHARON" >"$TMP/charon.out" 2>&1 &
	CHARON_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		swan --stats >/dev/null 2>&1 && break
		sleep 0.1
	done
	swan --load-all --file "$TMP/swanctl/swanctl.conf" >"$TMP/load.out" 2>&1
}

charon_stop() {
	[[ -n $CHARON_PID ]] || return 0
	pkill -TERM -f "^$CHARON$" -P "$CHARON_PID" 2>/dev/null || true
	kill -TERM "$CHARON_PID" 2>/dev/null || true
	local i
	for ((i = 0; i < 30; i++)); do
		kill -0 "$CHARON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CHARON_PID" 2>/dev/null || true
	wait "$CHARON_PID" 2>/dev/null || true
	CHARON_PID=
}

# initiate: the spoke brings up child net (and the IKE SA); output in $TMP/initiate.out.
initiate() {
	timeout 20 env STRONGSWAN_CONF="$TMP/strongswan.conf" swanctl --initiate --child net \
		--timeout 15 >"$TMP/initiate.out" 2>&1
}

# ---- the hub ----

# hub_conf IKE_PROPOSALS ESP_PROPOSALS: the hub's config; HUB_INITIATE, HUB_DPD and
# HUB_CHILD_REKEY (seconds) change the peer's initiate, dpd_delay and the child's rekey_time.
hub_conf() {
	sed -e "s|@NAME@|$P-h|g; s|@LAN_PORT@|$P-hl|g; s|@WAN_PORT@|$P-hw|g" \
		-e "s|@PSK@|$PSK_GOOD|g; s|@IKE_PROPOSALS@|$1|g; s|@ESP_PROPOSALS@|$2|g" \
		-e "s|@INITIATE@|${HUB_INITIATE:-false}|g; s|@DPD@|${HUB_DPD:-0}|g" \
		-e "s|@CHILD_REKEY@|${HUB_CHILD_REKEY:-0}|g; s|@RTX_TRIES@|${HUB_RTX_TRIES:-5}|g" \
		-e "s|@RTX_MS@|${HUB_RTX_MS:-1000}|g" \
		"$HERE/ike.yaml.in" >"$TMP/hub.yaml"
}

hub_up() { # IKE_PROPOSALS ESP_PROPOSALS TAG
	local out rc=0
	hub_conf "$1" "$2"
	out=$("$VPNHUB" --check -c "$TMP/hub.yaml" 2>&1) || rc=$?
	if ((rc != 0)); then
		t_not_ok "vpnhub --check accepts the hub config ($3)" "$out"
		return 1
	fi
	hubs_start h "$P-h" "$P-h" "$TMP/hub.$3.log" -c "$TMP/hub.yaml"
	if hubs_wait_ready 30 h 2>"$TMP/ready.err"; then
		t_ok "hub started with IKE peer 'spoke' ($3)"
		return 0
	fi
	t_not_ok "hub started with IKE peer 'spoke' ($3)" "$(cat "$TMP/ready.err")"
	return 1
}

hub_down() {
	local rc=0 bad
	hubs_stop 10 h || rc=$?
	bad=$(grep -E "ERROR|AddressSanitizer|runtime error|LeakSanitizer" "${HUBS_LOG[h]}" || true)
	if ((rc == 0)) && [[ ${HUBS_STATUS[h]:-1} == 0 && -z $bad ]]; then
		t_ok "SIGTERM: hub exits 0, log without ERROR or sanitizer report ($1)"
	else
		t_not_ok "SIGTERM: hub exits 0, log without ERROR or sanitizer report ($1)" \
			"status ${HUBS_STATUS[h]:-?}" "$bad"
	fi
}

# ike_stat KEY: a counter of /vpnhub/ike/stats.
ike_stat() {
	ctl_raw "$P-h" /vpnhub/ike/stats 2>/dev/null | json_get "$1" 2>/dev/null || echo absent
}

# hub_sas: established IKE SAs the hub lists.
hub_sas() {
	ctl_raw "$P-h" /vpnhub/ike/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(sum(1 for v in (d or {}).values() if isinstance(v, dict) and v.get("state") == "established"))
' 2>/dev/null || echo "?"
}

# sa_pkts SPI: packets of the hub's data plane SA with that SPI (0x%08x).
sa_pkts() {
	ctl_raw "$P-h" /vpnhub/ipsec/sa 2>/dev/null | "$PY" -c '
import json, sys
spi = int(sys.argv[1], 16)
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
for v in (d or {}).values():
    if isinstance(v, dict) and int(str(v.get("spi", "0")), 0) == spi:
        print(v.get("pkts", v.get("packets", "?")))
        break
else:
    print("absent")
' "$1" 2>/dev/null || echo "?"
}

# swan_child_spis: "in out" SPIs (hex) of child net as strongSwan lists them.
swan_child_spis() {
	swan --list-sas --raw 2>/dev/null | tr ' ' '\n' | awk -F= '
		$1 == "spi-in" { i = $2 } $1 == "spi-out" { o = $2 } END { print i, o }'
}

# t_eq DESC GOT WANT [DETAIL]: ok when GOT is WANT.
t_eq() {
	if [[ $2 == "$3" ]]; then
		t_ok "$1"
	else
		t_not_ok "$1" "got: $2" "want: $3" "${4:-}" \
			"$(tail -n 12 "$TMP/charon.log" 2>/dev/null)"
	fi
}

# hub_drops: the hub's drop counters that are not zero, and its SAs' errors.
hub_drops() {
	ctl_raw "$P-h" /vpnhub/stats 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values()))
print(" ".join(f"{k}={v}" for k, v in d["total"].items() if k.startswith("drop_") and v))
' 2>/dev/null || true
	ctl_raw "$P-h" /vpnhub/ipsec/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values()))
for v in d.values():
    if isinstance(v, dict):
        e = {k: x for k, x in v.items() if k.startswith("err_") and x}
        if e:
            print(v.get("spi"), v.get("direction"), e)
' 2>/dev/null || true
}

# ---- scenarios ----

scenario_gcm() {
	local before in out n
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
	pkill -KILL -f "^$CHARON$" || true
	charon_stop
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
# HUB_INITIATE as for hub_up.
cert_hub_up() {
	local tag=$1 out rc=0 ca keys
	shift
	ca=$(printf 'pki/%s.pem, ' "$@")
	local cert=pki/hub.pem key=pki/hub.key
	if [[ -n ${HUB_CERT_CHAIN:-} ]]; then # hub2 and its issuer after it (3.6)
		cat "$TMP/pki/hub2.pem" "$TMP/pki/im2.pem" >"$TMP/pki/hub2-chain.pem"
		cert=pki/hub2-chain.pem key=pki/hub2.key
	fi
	keys="auth: pubkey\n      cert: $cert\n      key: $key\n      ca: [${ca%, }]"
	hub_conf aes128gcm16-prfsha256-x25519 aes128gcm16
	sed -i "s|^      psk: .*|      $keys|" "$TMP/hub.yaml"
	out=$("$VPNHUB" --check -c "$TMP/hub.yaml" 2>&1) || rc=$?
	if ((rc != 0)); then
		t_not_ok "vpnhub --check accepts the hub config with certificates ($tag)" "$out"
		return 1
	fi
	hubs_start h "$P-h" "$P-h" "$TMP/hub.$tag.log" -c "$TMP/hub.yaml"
	if hubs_wait_ready 30 h 2>"$TMP/ready.err"; then
		t_ok "hub started with IKE peer 'spoke', auth: pubkey ($tag)"
		return 0
	fi
	t_not_ok "hub started with IKE peer 'spoke', auth: pubkey ($tag)" "$(cat "$TMP/ready.err")"
	return 1
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
scenario_cert_chain() {
	local c=$TMP/charon.log
	t_diag "scenario 8b: the hub sends its intermediate CA, fragmented (at ${SECONDS} s)"
	HUB_CERT_CHAIN=1 cert_hub_up cert-chain root || return 0
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

main() {
	t_init ike
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-ike.$P.XXXXXX")
	t_diag "prefix $P, instance $P-h, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{a,h,s} come up"
		t_done
		return
	fi
	if [[ -n ${IKE_ONLY:-} ]]; then # one scenario, e.g. IKE_ONLY=dvti, while working on it
		"scenario_$IKE_ONLY"
	else
		scenario_gcm
		scenario_refusals
		scenario_cbc
		scenario_rekey
		scenario_initiator
		scenario_dvti
		scenario_cert
	fi
	t_done
}

main "$@"
