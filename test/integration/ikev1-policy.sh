#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ikev1-policy.sh - policy-based IPsec keyed by IKEv1 (conf/README.md, crypto
# maps and "IKEv1 peers"), with strongSwan 5.9 (swanctl, version = 1) as the branch office. The
# hub's crypto map cm (ikev1-cmap.yaml.in) has two protect entries without SAs for the one peer:
#
#   seq 10  10.10.1.0/24 (host-a)     <-> 10.30.0.0/24 (the spoke's lo 10.30.0.1)  child net
#   seq 20  10.10.2.0/24 (host-a too) <-> 10.31.0.0/24 (the spoke's lo 10.31.0.1)  child net2
#
# ike_lib.bash's topology, with more LAN addresses on host-a (10.10.2.2/24 and 10.10.1.3/24 on
# eth0; the hub's lan0 has 10.10.2.1/24 too) and a second subnet on the spoke (10.31.0.1/32 on
# lo). Once the hub is up, host-a pings its two LAN addresses from 10.10.1.2 and 10.10.2.2 (the
# hub answers, so it resolves them); 10.10.1.3 the hub has not seen until scenario two asks.
#
#   host-a 10.10.1.2, 10.10.2.2, 10.10.1.3 -- lan0 hub wan0 203.0.113.1 == bridge == spoke
#                                                          (crypto map cm)     203.0.113.2
#
# Scenarios (the hub and charon start afresh for each; IKEV1_POLICY_ONLY=NAME runs one):
#   two      strongSwan initiates Main Mode and then a Quick Mode for each of its children net
#            and net2 in the same ISAKMP SA, each with the entry's selectors as IDci/IDcr (RFC
#            2409 5.5): both establish, the hub keys entries 10 and 20 with them and lists the
#            entry's selectors on each child's inbound SA; pings of each pair go through its own
#            SA (exact packet counts of all four SAs after each pair); clear text from the WAN
#            that either entry covers is dropped (spd_cleartext exact) and touches no SA; echoes
#            from the spoke to 10.10.1.3 wait for the hub's ARP like any forwarded packet; and
#            (the hub logs its keys at log_level debug) ESP forged in net's SA with an inner
#            source of net2's subnet is dropped as the SA's selector error (RFC 4301 5.2), one
#            from net's subnet is taken
#   acquire  strongSwan is the responder (start_action = none). No SA at first; host-a sends 20
#            datagrams at once to the spoke: one acquire (RFC 4301 5.1), the hub runs Main Mode
#            and the Quick Modes, 8 datagrams are held and arrive at the spoke through the new
#            SA, 12 are dropped (spd_acquire); later pings of both pairs pass without another
#            acquire (the Quick Modes after Main Mode key every child). Then strongSwan deletes
#            child net alone: entry 10 acquires again, and with the ISAKMP SA up the hub starts
#            a Quick Mode by itself, no second Main Mode, and no echo is lost (strongSwan, the
#            responder, installs on message 3: the hub must not send on the SA at once)
#   ids      strongSwan proposes child bad, 10.32.0.0/24 <-> 10.10.1.0/24, which no entry
#            holds: the hub answers INVALID-ID-INFORMATION (ikev1_id_unacceptable +1, nothing
#            installed), strongSwan's initiate of it fails, child net keeps working
#   SIGTERM  after each, the hub exits 0 without ERROR or a sanitizer report in its log
#
# Output: "ok N - ..." lines, then "ikev1-policy: N passed, N failed". Binaries from build/ or
# $VPNHUB_BUILD. Needs strongSwan as ike.sh does.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=ike_lib.bash disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/ike_lib.bash"

# shellcheck disable=SC2034 # read by ike_lib.bash's hub_conf
HUB_TEMPLATE=ikev1-cmap.yaml.in
PH1=aes128-sha256-modp2048 # phase 1, both ends
ESP=aes128-sha256          # phase 2, both ends
HOST_A2=10.10.2.2          # host-a's second LAN address (entry 20)
HOST_A3=10.10.1.3          # host-a's third: the hub resolves it only when a packet needs it
SPOKE_NET2=10.31.0.1       # the spoke's second subnet (entry 20)
RX_PID=                    # the spoke's UDP receiver (scenario acquire), while it runs
SCENARIOS=(two acquire ids)

# ---- set-up ----

# pol_topo: the second pair's addresses on host-a and the spoke, and host-a's third address.
pol_topo() {
	ip -n "$P-a" addr add "$HOST_A2/24" dev eth0 &&
		ip -n "$P-a" addr add "$HOST_A3/24" dev eth0 &&
		ip -n "$P-s" addr add "$SPOKE_NET2/32" dev lo
}

# pol_prime: host-a pings the hub's two LAN addresses, so that the hub resolves HOST_A4 and
# HOST_A2 (its echo replies need their MACs) before any decrypted packet goes to them; a packet
# that has to wait for ARP is scenario two's HOST_A3 check alone.
pol_prime() {
	ip netns exec "$P-a" ping -n -c 1 -W 2 -I "$HOST_A4" 10.10.1.1 >/dev/null 2>&1 &&
		ip netns exec "$P-a" ping -n -c 1 -W 2 -I "$HOST_A2" 10.10.2.1 >/dev/null 2>&1
}

# pol_swan_child NAME: a child of the spoke's connection (net, net2 or bad).
pol_swan_child() {
	local l r
	case $1 in
	net) l=10.30.0.0/24 r=10.10.1.0/24 ;;
	net2) l=10.31.0.0/24 r=10.10.2.0/24 ;;
	*) l=10.32.0.0/24 r=10.10.1.0/24 ;; # bad: no entry of the hub holds it
	esac
	cat <<EOF
			$1 {
				local_ts = $l
				remote_ts = $r
				esp_proposals = $ESP
				start_action = none
				rekey_time = 0s
				life_time = 120s
				rand_time = 0s
			}
EOF
}

# pol_swan_conf CHILD...: strongswan.conf as ike_lib.bash's swan_conf writes it, and swanctl.conf
# with IKEv1 connection hub (Main Mode, PSK) and the children named.
pol_swan_conf() {
	local c
	swan_conf "$PH1" "$ESP" "$PSK_GOOD" # its swanctl.conf (IKEv2) is replaced below
	{
		cat <<EOF
connections {
	hub {
		version = 1
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = $PH1
		dpd_delay = 0s
		rekey_time = 1h
		reauth_time = 0s
		over_time = 5m
		rand_time = 0s
		local {
			auth = psk
			id = $SPOKE_ID
		}
		remote {
			auth = psk
			id = hub.example.net
		}
		children {
EOF
		for c in "$@"; do
			pol_swan_child "$c"
		done
		cat <<EOF
		}
	}
}
secrets {
	ike-hub {
		id-1 = $SPOKE_ID
		id-2 = hub.example.net
		secret = "$PSK_GOOD"
	}
}
EOF
	} >"$SW/swanctl/swanctl.conf"
}

# pol_charon_start: charon_start, and a failed assertion if swanctl did not load connection hub.
pol_charon_start() {
	charon_start || true
	if ! grep -q "loaded connection 'hub'" "$SW/load.out" 2>/dev/null; then
		t_not_ok "strongSwan loaded the IKEv1 connection" "$(cat "$SW/load.out" 2>/dev/null)"
	fi
}

# swan_up CHILD [TIMEOUT]: strongSwan initiates CHILD (Main Mode first if no ISAKMP SA is up);
# true when it completed. Output in $SW/initiate.CHILD.out.
swan_up() {
	timeout $((${2:-15} + 5)) env STRONGSWAN_CONF="$SW/strongswan.conf" swanctl --initiate \
		--child "$1" --timeout "${2:-15}" >"$SW/initiate.$1.out" 2>&1 &&
		grep -q "initiate completed successfully" "$SW/initiate.$1.out"
}

# ---- queries ----

# swan_ikes: IKE SAs strongSwan lists; swan_children: its children INSTALLED, "name name...".
swan_ikes() {
	local n
	n=$(swan --list-sas 2>/dev/null | grep -cE '^hub: #[0-9]+, ESTABLISHED, IKEv1') || true
	echo "${n:-0}"
}

swan_children() {
	swan --list-sas 2>/dev/null |
		sed -n 's/^ *\([a-z0-9]*\): #[0-9]*, reqid [0-9]*, INSTALLED,.*/\1/p' | sort | xargs
}

# swan_child CHILD: "SPI_IN SPI_OUT LOCAL_TS REMOTE_TS" (hex SPIs) of child CHILD as strongSwan
# lists it, or "- - - -".
swan_child() {
	swan --list-sas --raw 2>/dev/null | tr ' ' '\n' | tr -d '{}' | awk -F= -v c="$1" '
		$1 == "name" { n = $2 }
		n == c && $1 == "spi-in" { i = $2 }
		n == c && $1 == "spi-out" { o = $2 }
		n == c && $1 == "local-ts" { l = $2 }
		n == c && $1 == "remote-ts" { r = $2 }
		END { gsub(/[][]/, "", l); gsub(/[][]/, "", r)
		      print (i ? i : "-"), (o ? o : "-"), (l ? l : "-"), (r ? r : "-") }'
}

# spd_keying SEQ: the keying of entry SEQ of map cm (manual, acquiring or ike), or "absent".
spd_keying() {
	ctl_raw "$P-h" /vpnhub/ipsec/spd 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
for v in (d or {}).values():
    if isinstance(v, dict) and v.get("kind") == "entry" and v.get("seq") == int(sys.argv[1]):
        print(v.get("keying"))
        break
else:
    print("absent")
' "$1" 2>/dev/null || echo "?"
}

# hub_ikes: IKEv1 SAs the hub lists as established.
hub_ikes() {
	ctl_raw "$P-h" /vpnhub/ike/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(sum(1 for v in (d or {}).values()
          if isinstance(v, dict) and v.get("state") == "established" and v.get("version") == 1))
' 2>/dev/null || echo "?"
}

# hub_children: the active children of the hub's first IKE SA, "name:LOCAL_TS<->REMOTE_TS"
# sorted by name (from /vpnhub/ike/sa,<id>: the selectors of each inbound SA).
hub_children() {
	local id
	id=$(ctl_raw "$P-h" /vpnhub/ike/sa 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(next((v["id"] for v in (d or {}).values() if isinstance(v, dict)), ""))
' 2>/dev/null) || true
	[[ -n $id ]] || {
		echo "none"
		return 0
	}
	ctl_raw "$P-h" "/vpnhub/ike/sa,$id" 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
ch = sorted((c for k, c in d.items() if k.startswith("child_") and isinstance(c, dict)
             and c.get("state") == "active"), key=lambda c: c.get("name"))
print(" ".join("%s:%s<->%s" % (c.get("name"), c.get("local_ts"), c.get("remote_ts")) for c in ch))
' 2>/dev/null || echo "?"
}

# pair_pkts: packets of the hub's four SAs, "net_in net_out net2_in net2_out" (the hub's inbound
# SA is strongSwan's outbound one).
pair_pkts() {
	local c i o out=""
	for c in net net2; do
		read -r i o _ <<<"$(swan_child "$c")"
		out+="$(sa_pkts "0x${o/-/0}") $(sa_pkts "0x${i/-/0}") "
	done
	echo "${out% }"
}

# swan_count TEXT: lines of charon.log holding TEXT.
swan_count() {
	local n
	n=$(grep -cF -- "$1" "$SW/charon.log" 2>/dev/null) || true
	echo "${n:-0}"
}

# sa_field SPI FIELD: that field of the hub's data plane SA with hex SPI (no 0x), or "absent".
sa_field() {
	ctl_raw "$P-h" /vpnhub/ipsec/sa 2>/dev/null | "$PY" -c '
import json, sys
spi = int(sys.argv[1], 16)
d = json.load(sys.stdin)
d = next(iter(d.values())) if isinstance(d, dict) and len(d) == 1 else d
print(next((v.get(sys.argv[2], "-") for v in (d or {}).values()
            if isinstance(v, dict) and int(str(v.get("spi", "0")), 0) == spi), "absent"))
' "$1" "$2" 2>/dev/null || echo "?"
}

# child_in_keys CHILD: "SPI EKEY AKEY" (hex) of the hub's inbound SA of CHILD, from the keys its
# debug log shows (system.log_level debug, a test setting).
child_in_keys() {
	sed -n "s/.*keys of Child SA: child=$1 .* spi=0x\([0-9a-f]*\) dir=in .* ekey=\([0-9a-f]*\) .* akey=\([0-9a-f]*\).*/\1 \2 \3/p" \
		"${HUBS_LOG[h]}" | tail -n 1
}

# ---- traffic ----

# pair_pings N HOST SPOKE_ADDR: 3 echoes spoke SPOKE_ADDR -> host-a HOST, then 3 host-a HOST ->
# SPOKE_ADDR, each an assertion.
pair_pings() {
	if ip netns exec "$SNS" ping -n -c 3 -i 0.2 -W 2 -I "$3" "$2" >/dev/null 2>&1; then
		t_ok "pair $1: spoke $3 -> host-a $2, 3 echoes answered"
	else
		t_not_ok "pair $1: spoke $3 -> host-a $2, 3 echoes answered" "$(hub_drops)"
	fi
	if ip netns exec "$P-a" ping -n -c 3 -i 0.2 -W 2 -I "$2" "$3" >/dev/null 2>&1; then
		t_ok "pair $1: host-a $2 -> spoke $3, 3 echoes answered"
	else
		t_not_ok "pair $1: host-a $2 -> spoke $3, 3 echoes answered" "$(hub_drops)"
	fi
}

# ping_loss COUNT FROM TO: the % of COUNT echoes host-a FROM -> TO lost (0.3 s apart).
ping_loss() {
	ip netns exec "$P-a" ping -n -c "$1" -i 0.3 -W 3 -I "$2" "$3" 2>&1 |
		sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p'
}

# inject_clear N SRC DST: N clear-text UDP datagrams SRC -> DST (port 9) from the spoke's eth0 to
# the hub's WAN port, as the WAN would carry them without IPsec.
inject_clear() {
	local pkts
	pkts=$("$PY" -c '
import sys
sys.path.insert(0, sys.argv[1])
import tool
n, src, dst = int(sys.argv[2]), sys.argv[3], sys.argv[4]
print(" ".join(tool.ip4(src, dst, 17, tool.udp(40000 + i, 9, b"clear text"), 0x5000 + i).hex()
               for i in range(n)))
' "$IKE_HERE" "$1" "$2" "$3") || return 1
	# shellcheck disable=SC2086 # one argument per packet
	inject_hex $pkts
}

# inject_hex HEX...: IP packets, each in a frame from the spoke's eth0 to the hub's WAN port.
inject_hex() {
	local hub_mac spoke_mac
	hub_mac=$(ip -n "$P-h" -br link show "$P-hw" | awk '{print $3}')
	spoke_mac=$(ip -n "$SNS" -br link show eth0 | awk '{print $3}')
	ip netns exec "$SNS" "$PY" "$TOOL" inject eth0 "$spoke_mac" "$hub_mac" "$@"
}

# ---- scenarios ----

# two: two Quick Modes in one ISAKMP SA, one per entry; traffic of each pair in its own SA.
scenario_two() {
	local qm ch d0 before
	t_diag "scenario two: two children, one ISAKMP SA, one SA pair each (at ${SECONDS} s)"
	HUB_LOG_LEVEL=debug hub_up "$PH1" "$ESP" two || return 0
	pol_prime || t_diag "host-a could not ping the hub's LAN addresses"
	pol_swan_conf net net2
	pol_charon_start
	qm=$(ike_stat v1_quick_modes) ch=$(ike_stat children_installed)
	t_eq "before any traffic: entries 10 and 20 acquiring" \
		"$(spd_keying 10) $(spd_keying 20)" "acquiring acquiring"
	if swan_up net; then
		t_ok "strongSwan: Main Mode and Quick Mode for child net completed"
	else
		t_not_ok "strongSwan: Main Mode and Quick Mode for child net completed" \
			"$(cat "$SW/initiate.net.out")" "$(tail -n 20 "$SW/charon.log")"
	fi
	if swan_up net2; then
		t_ok "strongSwan: a second Quick Mode, child net2, in the same ISAKMP SA"
	else
		t_not_ok "strongSwan: a second Quick Mode, child net2, in the same ISAKMP SA" \
			"$(cat "$SW/initiate.net2.out")" "$(tail -n 20 "$SW/charon.log")"
	fi
	t_eq "one ISAKMP SA on each side, 2 Quick Modes answered, 2 children installed" \
		"$(hub_ikes) $(swan_ikes) $(stat_delta v1_quick_modes "$qm") $(
			stat_delta children_installed "$ch") $(swan_children)" "1 1 2 2 net net2" \
		"$(swan --list-sas 2>&1)"
	t_eq "strongSwan's IDci/IDcr: net 10.30.0.0/24 <-> 10.10.1.0/24, net2 10.31.0.0/24 <-> 10.10.2.0/24" \
		"$(swan_child net | cut -d' ' -f3-) $(swan_child net2 | cut -d' ' -f3-)" \
		"10.30.0.0/24 10.10.1.0/24 10.31.0.0/24 10.10.2.0/24"
	t_eq "hub: each child with its entry's selectors; entries 10 and 20 keyed by IKE" \
		"$(hub_children) $(spd_keying 10) $(spd_keying 20)" \
		"net:10.10.1.0/24<->10.30.0.0/24 net2:10.10.2.0/24<->10.31.0.0/24 ike ike"
	pair_pings 1 "$HOST_A4" "$SPOKE_NET4"
	t_eq "pair 1's 12 packets in net's SAs only: net in/out 6/6, net2 0/0" \
		"$(pair_pkts)" "6 6 0 0" "$(hub_drops)"
	pair_pings 2 "$HOST_A2" "$SPOKE_NET2"
	t_eq "pair 2's 12 packets in net2's SAs only: net 6/6, net2 in/out 6/6" \
		"$(pair_pkts)" "6 6 6 6" "$(hub_drops)"
	d0=$(hub_drop spd_cleartext) before=$(pair_pkts)
	if inject_clear 3 "$SPOKE_NET4" "$HOST_A4" && inject_clear 3 "$SPOKE_NET2" "$HOST_A2"; then
		sleep 0.5
		t_eq "6 clear-text datagrams from the WAN that entries 10 and 20 cover: spd_cleartext +6, no SA counted them" \
			"$(drop_delta spd_cleartext "$d0") $(pair_pkts)" "6 $before" "$(hub_drops)"
	else
		t_not_ok "clear-text datagrams injected from the spoke's eth0"
	fi
	scenario_two_unresolved
	scenario_two_selector
	charon_stop
	hub_down two
}

# Decrypted packets to a LAN address the hub has not resolved yet wait for ARP like any other
# (they go to the control lcore as a neighbor miss, from the SA's interface).
scenario_two_unresolved() {
	local nr
	nr=$(hub_drop no_route)
	if ip netns exec "$SNS" ping -n -c 3 -i 0.2 -W 2 -I "$SPOKE_NET4" "$HOST_A3" >/dev/null 2>&1; then
		t_ok "spoke -> host-a $HOST_A3, unresolved by the hub: 3 echoes answered (it ARPs first)"
	else
		t_not_ok "spoke -> host-a $HOST_A3, unresolved by the hub: 3 echoes answered (it ARPs first)" \
			"drop_no_route +$(drop_delta no_route "$nr")" "$(hub_drops)"
	fi
}

# RFC 4301 5.2: what net's SA decrypts must match entry 10's mirror; a packet from net2's subnet
# in net's SA is dropped (the SA's selector error). Last: it moves net's replay window ahead.
scenario_two_selector() {
	local spi ek ak e0 p0 bad good
	read -r spi ek ak <<<"$(child_in_keys net)"
	if [[ -z ${ak:-} ]]; then
		t_not_ok "the hub's debug log shows the keys of child net's inbound SA" \
			"$(grep -F "keys of Child SA" "${HUBS_LOG[h]}" | sed 's/key=[0-9a-f]*/key=.../g')"
		return 0
	fi
	e0=$(sa_field "$spi" err_selector) p0=$(sa_field "$spi" pkts)
	bad=$("$PY" "$TOOL" frame-cbc "$SPOKE4" "$HUB4" "0x$spi" 100000 good "$ek" "$ak" 0 \
		"$SPOKE_NET2" "$HOST_A4")
	good=$("$PY" "$TOOL" frame-cbc "$SPOKE4" "$HUB4" "0x$spi" 100001 good "$ek" "$ak" 0 \
		"$SPOKE_NET4" "$HOST_A4")
	inject_hex "$bad" "$good"
	sleep 0.5
	t_eq "net's SA: inner $SPOKE_NET2 -> $HOST_A4 (entry 20's) dropped as selector, $SPOKE_NET4 taken" \
		"$(delta "$(sa_field "$spi" err_selector)" "$e0") $(delta "$(sa_field "$spi" pkts)" "$p0")" \
		"1 1" \
		"$(hub_drops)"
}

# acquire: the hub starts Main Mode for traffic, then a Quick Mode alone for a missing child.
scenario_acquire() {
	local i sa0 ready=$TMP/rx.ready
	t_diag "scenario acquire: the hub initiates for traffic (at ${SECONDS} s)"
	pol_swan_conf net net2
	pol_charon_start
	hub_up "$PH1" "$ESP" acquire || return 0
	pol_prime || t_diag "host-a could not ping the hub's LAN addresses"
	sa0=$(hub_drop spd_acquire)
	t_eq "no traffic yet: no ISAKMP SA, no acquire, entries 10 and 20 acquiring" \
		"$(hub_ikes) $(ike_stat acquires) $(spd_keying 10) $(spd_keying 20)" \
		"0 0 acquiring acquiring"
	rm -f "$ready"
	ip netns exec "$SNS" "$PY" "$TOOL" rx "$SPOKE_NET4" 9 20 "$ready" >"$TMP/rx.out" 2>&1 &
	RX_PID=$!
	for ((i = 0; i < 50; i++)); do
		[[ -e $ready ]] && break
		sleep 0.1
	done
	ip netns exec "$P-a" "$PY" "$TOOL" tx "$SPOKE_NET4" 9 20 100000 20 >/dev/null 2>&1 || true
	for ((i = 0; i < 75; i++)); do
		[[ $(ike_stat acquire_sent) == 8 ]] && break
		sleep 0.2
	done
	t_eq "20 datagrams at once: one acquire, 8 held and sent through the new SA, 12 dropped" \
		"$(ike_stat acquires) $(ike_stat acquire_held) $(ike_stat acquire_sent) $(
			drop_delta spd_acquire "$sa0")" "1 8 8 12" "$(ctl_raw "$P-h" /vpnhub/ike/stats)"
	wait "$RX_PID" 2>/dev/null || true
	RX_PID=
	t_eq "the spoke received the 8 held datagrams, in order" "$(cat "$TMP/rx.out")" \
		"received=8 missing=12 duplicates=0 reordered=0 bad=0"
	for ((i = 0; i < 25; i++)); do
		[[ $(swan_children) == "net net2" ]] && break
		sleep 0.2
	done
	t_eq "the hub initiated: 1 ISAKMP SA (Main Mode), Quick Modes for net and net2, both keyed" \
		"$(hub_ikes) $(ike_stat initiated) $(swan_ikes) $(swan_children) $(
			spd_keying 10) $(spd_keying 20)" "1 1 1 net net2 ike ike" \
		"$(tail -n 15 "${HUBS_LOG[h]}")"
	t_eq "strongSwan, the responder, accepted both (INSTALLED as responder)" \
		"$(swan_count "IKE_SA hub[1] established between") $(
			swan_count "CHILD_SA net{") $(swan_count "CHILD_SA net2{")" "1 1 1" \
		"$(grep -E 'CHILD_SA|established' "$SW/charon.log")"
	t_eq "later: 5 echoes of each pair answered, still one acquire" \
		"$(ping_loss 5 "$HOST_A4" "$SPOKE_NET4") $(ping_loss 5 "$HOST_A2" "$SPOKE_NET2") $(
			ike_stat acquires)" "0 0 1" "$(hub_drops)"
	# strongSwan deletes child net alone: entry 10 acquires again over the ISAKMP SA that is up
	swan --terminate --child net --timeout 5 >/dev/null 2>&1 || true
	for ((i = 0; i < 25; i++)); do
		[[ $(spd_keying 10) == acquiring ]] && break
		sleep 0.2
	done
	t_eq "strongSwan deleted child net: entry 10 acquiring, entry 20 still keyed" \
		"$(spd_keying 10) $(spd_keying 20) $(hub_ikes)" "acquiring ike 1"
	t_eq "traffic: a second acquire, a Quick Mode on the same ISAKMP SA, 5 echoes answered" \
		"$(ping_loss 5 "$HOST_A4" "$SPOKE_NET4") $(ike_stat acquires) $(ike_stat initiated) $(
			hub_ikes) $(swan_ikes) $(spd_keying 10) $(swan_children)" \
		"0 2 1 1 1 ike net net2" "$(tail -n 10 "${HUBS_LOG[h]}")"
	charon_stop
	hub_down acquire
}

# ids: identities no entry holds get INVALID-ID-INFORMATION; the other child carries on.
scenario_ids() {
	local u ch
	t_diag "scenario ids: Quick Mode identities outside every entry (at ${SECONDS} s)"
	hub_up "$PH1" "$ESP" ids || return 0
	pol_prime || t_diag "host-a could not ping the hub's LAN addresses"
	pol_swan_conf net bad
	pol_charon_start
	if swan_up net; then
		t_ok "strongSwan: Main Mode and Quick Mode for child net completed"
	else
		t_not_ok "strongSwan: Main Mode and Quick Mode for child net completed" \
			"$(cat "$SW/initiate.net.out")" "$(tail -n 20 "$SW/charon.log")"
	fi
	u=$(ike_stat ikev1_id_unacceptable) ch=$(ike_stat children_installed)
	if ! swan_up bad 8; then
		t_ok "strongSwan's initiate of child bad (10.32.0.0/24 <-> 10.10.1.0/24) fails"
	else
		t_not_ok "strongSwan's initiate of child bad (10.32.0.0/24 <-> 10.10.1.0/24) fails"
	fi
	t_eq "hub: ikev1_id_unacceptable +1, logged, nothing installed, entry 10 still keyed" \
		"$(stat_delta ikev1_id_unacceptable "$u") $(hub_log_count \
			"Quick Mode identities fit no child's selectors") $(
			stat_delta children_installed "$ch") $(spd_keying 10)" "1 1 0 ike" \
		"$(ctl_raw "$P-h" /vpnhub/ike/stats)"
	t_eq "strongSwan: INVALID_ID_INFORMATION received once, child net alone installed" \
		"$(swan_count "received INVALID_ID_INFORMATION error notify") $(swan_children) $(
			swan_ikes)" "1 net 1" "$(grep -E 'INVALID_ID|QUICK_MODE' "$SW/charon.log")"
	pair_pings 1 "$HOST_A4" "$SPOKE_NET4"
	t_eq "pair 1's 12 packets through net's SAs" "$(pair_pkts | cut -d' ' -f1-2)" "6 6" \
		"$(hub_drops)"
	charon_stop
	hub_down ids
}

# ---- main ----

pol_cleanup() {
	if [[ -n $RX_PID ]]; then
		kill "$RX_PID" 2>/dev/null || true
		wait "$RX_PID" 2>/dev/null || true
	fi
	ike_cleanup
}

main() {
	local s t0
	if [[ -n ${IKEV1_POLICY_ONLY:-} ]] && ! declare -F "scenario_$IKEV1_POLICY_ONLY" >/dev/null; then
		echo "Bail out! no scenario '$IKEV1_POLICY_ONLY' (${SCENARIOS[*]})"
		exit 1
	fi
	ike_setup ikev1-policy v1p || {
		t_done
		return
	}
	trap pol_cleanup EXIT
	if ! pol_topo; then
		t_not_ok "second addresses on host-a ($HOST_A2) and the spoke ($SPOKE_NET2)"
		t_done
		return
	fi
	for s in "${SCENARIOS[@]}"; do
		[[ -z ${IKEV1_POLICY_ONLY:-} || $IKEV1_POLICY_ONLY == "$s" ]] || continue
		t0=$SECONDS
		"scenario_$s"
		t_diag "scenario $s took $((SECONDS - t0)) s"
	done
	t_diag "$SECONDS s in all"
	t_done
}

main "$@"
