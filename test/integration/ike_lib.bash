# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/ike_lib.bash - what the IKEv2 end-to-end tests share (ike.sh and
# ike-soak.sh): the namespaces, strongSwan spokes (charon with kernel-libipsec, one private
# /run each), the hub from ike.yaml.in or another template, and queries of the hub's IKE and SA
# telemetry. Sourced after lib.sh; not a test itself (scripts/test.sh runs test/integration/*.sh).
#
#   host-a -- hub (vpnhub) -- wan veth -- bridge <p>-br (in the hub's namespace) -- spoke 1
#                                                                                 `- spoke 2
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
#  |   <p>-br    a Linux bridge, the WAN: ports <p>-hb (veth peer of <p>-hw),   |
#  |             <p>-w1 (to spoke 1) and <p>-w2 (to spoke 2, when it exists)   |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-w1 <-> eth0 (spoke 1)  [and <p>-w2 <-> eth0 (spoke 2)]
#  +-------+-------------------------------------------------------------------+
#  | spoke 1: strongSwan 5.9 charon, kernel-libipsec netns <p>-s, private /run |
#  |   eth0      203.0.113.2/24                                                |
#  |   lo        10.30.0.1/32 (the spoke's protected subnet 10.30.0.0/24)      |
#  |   ipsec0    libipsec's TUN: 10.10.1.0/24 routed into it (table 220)       |
#  +---------------------------------------------------------------------------+
#  | spoke 2 (spoke_add 2): netns <p>-t, 203.0.113.3/24, lo 10.40.0.1/32,      |
#  |   fqdn:spoke2.example.net, its own charon, /run and scratch dir $TMP/s2   |
#  +---------------------------------------------------------------------------+
#
# The hub's namespace has no addresses and IPv6 off: its kernel only bridges. strongSwan's
# kernel-libipsec always encapsulates ESP in UDP 4500, so the hub's Child SAs are
# UDP-encapsulated (encap = yes makes strongSwan fake a NAT, RFC 7296 2.23, and the hub follows
# it to port 4500). charon runs with its own /run (its pid file path is fixed) and a vici socket
# in its scratch directory, which swanctl reaches from outside the namespace.
#
# The functions that talk to "the spoke" use the one spoke_use chose (spoke 1 by default): SW
# (its scratch directory: strongswan.conf, swanctl/, charon.log, initiate.out), SNS (its
# namespace), SPOKE4, SPOKE_NET4, SPOKE_ID, SPOKE_NETS (its protected subnet).

# shellcheck disable=SC2034 # the variables below are used by the scripts that source this
IKE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HERE=$IKE_HERE
CHARON=/usr/lib/ipsec/charon
TOOL=$IKE_HERE/tool.py # streams, counters, tshark key tables (Debian's python3: $PY)
PSK_GOOD="vpnhub test key, not a real one"
PSK_BAD="a different key of the same size."
HUB4=203.0.113.1
HOST_A4=10.10.1.2

P=
TMP=
# the spoke in use (spoke_use)
SPOKE=1
SW=
SNS=
SPOKE4=203.0.113.2
SPOKE_NET4=10.30.0.1
SPOKE_NETS=10.30.0.0/24
SPOKE_ID=spoke.example.net
declare -A CHARON_PIDS=() # spoke number -> pid of its charon
CHARON_PID=               # the charon of the spoke in use, if running

# spoke_use 1|2: the spoke the functions below talk to.
spoke_use() {
	SPOKE=$1
	if [[ $1 == 1 ]]; then
		SW=$TMP SNS=$P-s SPOKE4=203.0.113.2 SPOKE_NET4=10.30.0.1 SPOKE_NETS=10.30.0.0/24
		SPOKE_ID=spoke.example.net
	else
		SW=$TMP/s$1 SNS=$P-t SPOKE4=203.0.113.$((1 + $1)) SPOKE_NET4=10.$((20 + 10 * $1)).0.1
		SPOKE_NETS=10.$((20 + 10 * $1)).0.0/24 SPOKE_ID=spoke$1.example.net
	fi
	CHARON_PID=${CHARON_PIDS[$1]:-}
}

ike_cleanup() {
	local ns s
	hubs_stop_all 5 >/dev/null 2>&1 || true
	for s in "${!CHARON_PIDS[@]}"; do
		spoke_use "$s"
		charon_stop
	done
	for ns in a h s t; do
		if [[ -n $P ]]; then ip netns del "$P-$ns" 2>/dev/null || true; fi
	done
	[[ -n $TMP && -d $TMP ]] && rm -rf "$TMP"
}

ike_preflight() {
	local x
	for x in "$CHARON" swanctl ip ping "$@"; do
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

# pick_prefix STEM: a namespace prefix STEM<nnn> no namespace uses yet (each script has its own
# stem, so that two different scripts never pick the same one).
pick_prefix() {
	local i
	for ((i = 0; i < 50; i++)); do
		P="$1$((RANDOM % 900 + 100))"
		netns_exists "$P-h" || netns_exists "$P-s" || return 0
	done
	echo "Bail out! no free namespace prefix" >&2
	exit 1
}

# spoke_ns NS ADDRESS NET: a spoke's namespace: eth0 ADDRESS/24, lo NET/32.
spoke_ns() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || return 1
	ip netns exec "$1" ethtool -K eth0 tx off >/dev/null || return 1
	ip -n "$1" link set lo up || return 1
	ip -n "$1" link set eth0 up || return 1
	ip -n "$1" addr add "$2/24" dev eth0 || return 1
	ip -n "$1" addr add "$3/32" dev lo
}

topo_up() {
	local ns
	for ns in a h s; do
		ip netns add "$P-$ns" || return 1
	done
	ip -n "$P-h" link add "$P-hl" type veth peer name eth0 netns "$P-a" || return 1
	ip -n "$P-h" link add "$P-hw" type veth peer name "$P-hb" || return 1
	ip -n "$P-h" link add "$P-w1" type veth peer name eth0 netns "$P-s" || return 1
	ip netns exec "$P-h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$P-h" link add "$P-br" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
	for ns in "$P-hb" "$P-w1"; do
		ip -n "$P-h" link set "$ns" master "$P-br" || return 1
	done
	for ns in "$P-hl" "$P-hw" "$P-hb" "$P-w1" "$P-br" lo; do
		ip -n "$P-h" link set "$ns" up || return 1
	done
	ip netns exec "$P-a" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || return 1
	ip netns exec "$P-a" ethtool -K eth0 tx off >/dev/null || return 1
	ip -n "$P-a" link set lo up || return 1
	ip -n "$P-a" link set eth0 up || return 1
	ip -n "$P-a" addr add "$HOST_A4/24" dev eth0 || return 1
	ip -n "$P-a" route add default via 10.10.1.1 || return 1
	spoke_use 1
	spoke_ns "$P-s" "$SPOKE4" "$SPOKE_NET4"
}

# spoke_add 2: the second spoke's namespace <p>-t on the WAN bridge, its scratch directory.
spoke_add() {
	spoke_use "$1"
	mkdir -p "$SW" || return 1
	ip netns add "$SNS" || return 1
	ip -n "$P-h" link add "$P-w$1" type veth peer name eth0 netns "$SNS" || return 1
	ip -n "$P-h" link set "$P-w$1" master "$P-br" || return 1
	ip -n "$P-h" link set "$P-w$1" up || return 1
	spoke_ns "$SNS" "$SPOKE4" "$SPOKE_NET4"
}

# ---- strongSwan ----

# swan_conf PROPOSALS ESP_PROPOSALS PSK [DPD [IKE_REKEY [CHILD_REKEY]]]: strongswan.conf and
# swanctl.conf for the spoke in use (times in seconds; 0 = never). SWAN_VIPS, SWAN_LOCAL_TS,
# SWAN_REMOTE_TS and SWAN_LIFE (the child's life_time, 60 s) change the connection; SWAN_LOAD_EXTRA
# names more plugins to load (xauth-generic unity for IKEv1 remote access).
swan_conf() {
	cat >"$SW/strongswan.conf" <<EOF
charon {
	load = random nonce aes sha1 sha2 hmac kdf gcm chapoly curve25519 openssl pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici${SWAN_LOAD_EXTRA:+ $SWAN_LOAD_EXTRA}
	install_routes = yes
	retransmit_tries = 2
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	plugins {
		vici {
			socket = unix://$SW/charon.vici
		}
	}
	filelog {
		log {
			path = $SW/charon.log
			default = 1
			ike = 2
			cfg = 2
			time_format = %T
			flush_line = yes
		}
	}
}
swanctl {
	socket = unix://$SW/charon.vici
}
EOF
	mkdir -p "$SW/swanctl"
	cat >"$SW/swanctl/swanctl.conf" <<EOF
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
			id = $SPOKE_ID
		}
		remote {
			auth = psk
			id = hub.example.net
		}
		children {
			net {
				local_ts = ${SWAN_LOCAL_TS:-$SPOKE_NETS}
				remote_ts = ${SWAN_REMOTE_TS:-10.10.1.0/24}
				esp_proposals = $2
				rekey_time = ${6:-0}s
				life_time = ${SWAN_LIFE:-60}s
				rand_time = 0s
			}
		}
	}
}
secrets {
	ike-hub {
		id-1 = $SPOKE_ID
		id-2 = hub.example.net
		secret = "$3"
	}
}
EOF
}

# swan_v1_conf PROPOSALS ESP_PROPOSALS PSK [DPD [CHILD_REKEY]]: strongswan.conf as swan_conf
# writes it and a swanctl.conf of an IKEv1 (RFC 2409) connection for the spoke in use: Main
# Mode, or Aggressive Mode with SWAN_AGGRESSIVE=yes; dpd_timeout 5 s (IKEv1 only: an R-U-THERE
# unanswered that long closes the SA). The phase 1 Life Duration strongSwan offers is
# reauth_time, else rekey_time, plus over_time: rekey_time is 1 h here (0 would offer the hub an
# ISAKMP SA of over_time). SWAN_LOCAL_TS, SWAN_REMOTE_TS, SWAN_LIFE (the child's life_time,
# 120 s) and SWAN_VIPS change the connection as for swan_conf; SWAN_PULL=no waits for Mode
# Config to be pushed; SWAN_XAUTH_USER and SWAN_XAUTH_PASS add an XAUTH round after the key.
swan_v1_conf() {
	local xauth="" xsecret=""
	swan_conf "$1" "$2" "$3" # its swanctl.conf (IKEv2) is replaced below
	if [[ -n ${SWAN_XAUTH_USER:-} ]]; then
		xauth=$(printf '\n\t\tlocal-2 {\n\t\t\tauth = xauth\n\t\t\txauth_id = %s\n\t\t}' \
			"$SWAN_XAUTH_USER")
		xsecret=$(printf '\n\txauth-user {\n\t\tid = %s\n\t\tsecret = "%s"\n\t}' \
			"$SWAN_XAUTH_USER" "${SWAN_XAUTH_PASS:-}")
	fi
	cat >"$SW/swanctl/swanctl.conf" <<EOF
connections {
	hub {
		version = 1
		aggressive = ${SWAN_AGGRESSIVE:-no}
		local_addrs = $SPOKE4
		remote_addrs = $HUB4
		encap = yes
		proposals = $1
		dpd_delay = ${4:-0}s
		dpd_timeout = 5s${SWAN_VIPS:+
		vips = $SWAN_VIPS
		pull = ${SWAN_PULL:-yes}}
		rekey_time = 1h
		reauth_time = 0s
		over_time = 5m
		rand_time = 0s
		local-1 {
			auth = psk
			id = $SPOKE_ID
		}$xauth
		remote {
			auth = psk
			id = hub.example.net
		}
		children {
			net {
				local_ts = ${SWAN_LOCAL_TS:-$SPOKE_NETS}
				remote_ts = ${SWAN_REMOTE_TS:-10.10.1.0/24}
				esp_proposals = $2
				rekey_time = ${5:-0}s
				life_time = ${SWAN_LIFE:-120}s
				rand_time = 0s
			}
		}
	}
}
secrets {
	ike-hub {
		id-1 = $SPOKE_ID
		id-2 = hub.example.net
		secret = "$3"
	}$xsecret
}
EOF
}

swan() {
	STRONGSWAN_CONF=$SW/strongswan.conf swanctl "$@"
}

# charon_start: the spoke's charon, in its namespace with a private /run; loads swanctl.conf.
# `ip netns exec`, `unshare -m` and `sh -c "... exec"` all exec: the pid is charon's.
charon_start() {
	: >"$SW/charon.log"
	ip netns exec "$SNS" unshare -m sh -c \
		"mount -t tmpfs tmpfs /run && mkdir -p /run/strongswan &&
		 STRONGSWAN_CONF=$SW/strongswan.conf exec $CHARON" >"$SW/charon.out" 2>&1 &
	CHARON_PID=$!
	CHARON_PIDS[$SPOKE]=$CHARON_PID
	local i
	for ((i = 0; i < 50; i++)); do
		swan --stats >/dev/null 2>&1 && break
		sleep 0.1
	done
	swan --load-all --file "$SW/swanctl/swanctl.conf" >"$SW/load.out" 2>&1
}

# shellcheck disable=SC2120 # most callers want the default
# charon_stop [KILL]: stop the spoke's charon (SIGTERM: it deletes its SAs first; KILL: it
# dies without a word).
charon_stop() {
	[[ -n $CHARON_PID ]] || return 0
	kill "-${1:-TERM}" "$CHARON_PID" 2>/dev/null || true
	local i
	for ((i = 0; i < 30; i++)); do
		kill -0 "$CHARON_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$CHARON_PID" 2>/dev/null || true
	wait "$CHARON_PID" 2>/dev/null || true
	CHARON_PID=
	unset "CHARON_PIDS[$SPOKE]"
}

# initiate: the spoke brings up child net (and the IKE SA); output in $SW/initiate.out.
initiate() {
	timeout 20 env STRONGSWAN_CONF="$SW/strongswan.conf" swanctl --initiate --child net \
		--timeout 15 >"$SW/initiate.out" 2>&1
}

# ---- the hub ----

# hub_conf IKE_PROPOSALS ESP_PROPOSALS: the hub's config, from HUB_TEMPLATE (ike.yaml.in);
# HUB_INITIATE, HUB_DPD and HUB_CHILD_REKEY (seconds) change the peer's initiate, dpd_delay and
# the child's rekey_time; HUB_LOG_LEVEL sets system.log_level; HUB_IKE_EXTRA is a line added
# under ike: (two spaces in, e.g. "  limits: {...}"), HUB_PEER_EXTRA one under the peer's
# initiate: (six spaces in, e.g. "      reauth_time: 6"), HUB_CHILD_EXTRA one under the child's
# rekey_time: (ten spaces in, e.g. "          rekey_packets: 40").
hub_conf() {
	sed -e "s|@NAME@|$P-h|g; s|@LAN_PORT@|$P-hl|g; s|@WAN_PORT@|$P-hw|g" \
		-e "s|@PSK@|$PSK_GOOD|g; s|@IKE_PROPOSALS@|$1|g; s|@ESP_PROPOSALS@|$2|g" \
		-e "s|@INITIATE@|${HUB_INITIATE:-false}|g; s|@DPD@|${HUB_DPD:-0}|g" \
		-e "s|@CHILD_REKEY@|${HUB_CHILD_REKEY:-0}|g; s|@RTX_TRIES@|${HUB_RTX_TRIES:-5}|g" \
		-e "s|@RTX_MS@|${HUB_RTX_MS:-1000}|g" \
		-e "${HUB_LOG_LEVEL:+/^system:/a\\  log_level: $HUB_LOG_LEVEL}" \
		-e "${HUB_IKE_EXTRA:+/^ike:/a\\$HUB_IKE_EXTRA}" \
		-e "${HUB_PEER_EXTRA:+/^      initiate:/a\\$HUB_PEER_EXTRA}" \
		-e "${HUB_CHILD_EXTRA:+/^          rekey_time:/a\\$HUB_CHILD_EXTRA}" \
		"$IKE_HERE/${HUB_TEMPLATE:-ike.yaml.in}" >"$TMP/hub.yaml"
}

# hub_start_conf TAG WHAT: the hub of $TMP/hub.yaml, once vpnhub --check accepts it, its log
# $TMP/hub.TAG.log; "ok/not ok - hub started with WHAT (TAG)". Fails when it did not start.
hub_start_conf() {
	local out rc=0
	out=$("$VPNHUB" --check -c "$TMP/hub.yaml" 2>&1) || rc=$?
	if ((rc != 0)); then
		t_not_ok "vpnhub --check accepts the hub config with $2 ($1)" "$out"
		return 1
	fi
	hubs_start h "$P-h" "$P-h" "$TMP/hub.$1.log" -c "$TMP/hub.yaml"
	if hubs_wait_ready 30 h 2>"$TMP/ready.err"; then
		t_ok "hub started with $2 ($1)"
		return 0
	fi
	t_not_ok "hub started with $2 ($1)" "$(cat "$TMP/ready.err")"
	return 1
}

hub_up() { # IKE_PROPOSALS ESP_PROPOSALS TAG
	hub_conf "$1" "$2"
	hub_start_conf "$3" "IKE peer 'spoke'"
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

# ---- counters and streams (the soak tests) ----

# snap FILE: the hub's counters (drop_*, IF.rx_packets/tx_packets, sa.SPI.*), "key value" lines.
snap() {
	"$PY" "$TOOL" snap "$VPNHUBCTL" "$P-h" "$1"
}

# get FILE KEY: one counter of a snapshot, or "absent".
get() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "absent" : v }' "$1"
}

# moved_drops BEFORE AFTER: the drop counters that moved, "name +N ...", but for the NAT-T
# keepalives strongSwan may send in a quiet moment (no data, no loss).
moved_drops() {
	awk 'NR == FNR { b[$1] = $2; next }
		$1 ~ /^drop_/ && $1 != "drop_natt_keepalive" && $2 != b[$1] {
			printf "%s +%d ", $1, $2 - b[$1] }' "$1" "$2"
}

# stream_rx NS ADDR PORT COUNT TAG: in the background, a receiver in NS on ADDR:PORT of COUNT
# datagrams (output in $TMP/rx.TAG).
stream_rx() {
	rm -f "$TMP/rx.$5.ready"
	ip netns exec "$1" "$PY" "$TOOL" rx "$2" "$3" "$4" "$TMP/rx.$5.ready" >"$TMP/rx.$5" 2>&1 &
	RX_PIDS+=("$!")
}

# stream_ok DESC TAG COUNT: the receiver TAG got every datagram 0..COUNT-1 exactly once.
stream_ok() {
	local got
	got=$(tail -n 1 "$TMP/rx.$2")
	if [[ $got =~ ^received=$3\ missing=0\ duplicates=0\ reordered=([0-9]+)\ bad=0$ ]]; then
		t_ok "$1: $3 datagrams, none lost, none twice (${BASH_REMATCH[1]} out of order)"
	else
		t_not_ok "$1: $3 datagrams, none lost, none twice" "receiver: $got" \
			"sender: $(cat "$TMP/tx.$2")" "$(hub_drops)"
	fi
}

# delta NOW BEFORE: NOW - BEFORE, or "?NOW" when either is not a number.
delta() {
	if [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]]; then
		echo "$(($1 - $2))"
	else
		echo "?$1"
	fi
}

# stat_delta KEY BEFORE: how much counter KEY of /vpnhub/ike/stats moved ("?VALUE" when either
# is not a number).
stat_delta() {
	delta "$(ike_stat "$1")" "$2"
}

# hub_drop REASON: the hub's data plane drop counter drop_REASON, all lcores.
hub_drop() {
	ctl_raw "$P-h" /vpnhub/stats 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(next(iter(d.values()))["total"].get("drop_" + sys.argv[1], "absent"))
' "$1" 2>/dev/null || echo "?"
}

# drop_delta REASON BEFORE: how much drop_REASON of /vpnhub/stats moved.
drop_delta() {
	delta "$(hub_drop "$1")" "$2"
}

# hub_log_count TEXT: lines of hub h's log holding TEXT.
hub_log_count() {
	local n
	n=$(grep -cF -- "$1" "${HUBS_LOG[h]:-/dev/null}" 2>/dev/null) || true
	echo "${n:-0}"
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

# swan_child_spis: "in out" SPIs (hex) of child net as the spoke's strongSwan lists them.
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
			"$(tail -n 12 "$SW/charon.log" 2>/dev/null)"
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

# ike_setup NAME STEM: the common start of an IKE test: tally name, preflight, traps, prefix,
# scratch directory, namespaces. Returns non-zero (after a failed assertion) if the namespaces
# did not come up.
ike_setup() {
	t_init "$1"
	ike_preflight "${@:3}"
	trap ike_cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix "$2"
	TMP=$(mktemp -d "/tmp/vpnhub-$1.$P.XXXXXX")
	spoke_use 1
	t_diag "prefix $P, instance $P-h, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{a,h,s} come up"
		return 1
	fi
}
