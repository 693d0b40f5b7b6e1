#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/cryptomap.sh - policy-based IPsec: two vpnhub instances back to back, each with
# a crypto map on its WAN interface (manually keyed AES-GCM-128 SAs in tunnel mode) whose three
# entries protect, bypass and discard one pair of site subnets each. Checked with traffic: pings
# and a sequence-numbered UDP stream through the protect entry (zero loss, tshark decrypts the
# ESP on the WAN with the configured keys and finds every ICV good), pings in clear through the
# bypass entry (seen in clear on the WAN), pings into the discard entry (dropped, spd_discard
# exact), a ping of the far hub's own LAN address (its control lcore's reply goes through the
# map), clear text injected into hub-b that the protect entry covers (spd_cleartext exact, IKE
# to the hub exempt), a decrypted packet whose inner source is outside the SA's selectors (the
# SA's 'selector' error), the show command, and SIGTERM.
#
#   host-a -- hub-a (vpnhub) == wan veth: ESP, and clear text for the bypass entry == hub-b -- host-b
#
#  +---------------------------------------------------------------------------+
#  | host-a                                        netns <p>-a                 |
#  |   eth0      10.1.0.2/24  10.1.1.2/24  10.1.2.2/24   default via 10.1.0.1  |
#  +-------+-------------------------------------------------------------------+
#          |  veth: host-a eth0 <-> <p>-al (hub-a)
#  +-------+-------------------------------------------------------------------+
#  | hub-a: vpnhub <p>-a                           netns <p>-ha                |
#  |   <p>-al = lan0   10.1.0.1/24  10.1.1.1/24  10.1.2.1/24                   |
#  |   <p>-aw = wan0   203.0.113.1/24, crypto map cmap:                        |
#  |            10 protect 10.1.0.0/24 -> 10.2.0.0/24  (SPI 0x1001 out, 0x2001 in)|
#  |            20 bypass  10.1.1.0/24 -> 10.2.1.0/24                          |
#  |            30 discard 10.1.2.0/24 -> 10.2.2.0/24                          |
#  |   route    10.2.0.0/16 via 203.0.113.2                                    |
#  |   injector raw packet socket on <p>-aw (scapy-built frames for hub-b)     |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-aw (hub-a) <-> <p>-bw (hub-b): the WAN
#  +-------+-------------------------------------------------------------------+
#  | hub-b: vpnhub <p>-b                           netns <p>-hb                |
#  |   <p>-bw = wan0   203.0.113.2/24, crypto map cmap: the mirror image       |
#  |   <p>-bl = lan0   10.2.0.1/24  10.2.1.1/24  10.2.2.1/24                   |
#  |   route    10.1.0.0/16 via 203.0.113.1                                    |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-bl (hub-b) <-> host-b eth0
#  +-------+-------------------------------------------------------------------+
#  | host-b                                        netns <p>-b                 |
#  |   eth0      10.2.0.2/24  10.2.1.2/24  10.2.2.2/24   default via 10.2.0.1  |
#  +---------------------------------------------------------------------------+
#
# As in esp.sh: the hub namespaces' kernels stay silent, the hosts' TX checksum offload is off,
# the af_packet PMD and the injector bypass the qdisc, so a capture on <p>-bw holds exactly what
# hub-b receives from hub-a (a->b) and one on <p>-aw what hub-a receives (b->a).
#
# Output: "ok N - ..." / "not ok N - ..." lines, then "cryptomap: N passed, N failed"; exit status
# 1 if anything failed. Binaries from build/ or $VPNHUB_BUILD, as for basic.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

A_WAN4=203.0.113.1
B_WAN4=203.0.113.2
HOST_A=10.1.0.2 # protect
HOST_B=10.2.0.2
HOST_A_BYP=10.1.1.2 # bypass
HOST_B_BYP=10.2.1.2
HOST_A_DSC=10.1.2.2 # discard
HOST_B_DSC=10.2.2.2
B_LAN=10.2.0.1 # hub-b's own LAN address, inside the protect entry
SPI_AB=0x00001001
SPI_BA=0x00002001
KEY_AB=0x000102030405060708090a0b0c0d0e0fa0a1a2a3 # AES-128 key, then the 4-byte salt
KEY_BA=0x101112131415161718191a1b1c1d1e1fb0b1b2b3
GCM_NAME="AES-GCM with 16 octet ICV [RFC4106]"
PORT=9000    # the UDP stream's destination port
STREAM=2000  # its datagrams
INJECTED=5   # clear-text packets injected into hub-b

P=   # namespace prefix
TMP= # scratch directory: configs, logs, captures, the helper
TOOL=
CAPS=()
AW_MAC=
BW_MAC=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	trap '' PIPE
	set +e
	hubs_stop_all 5
	cap_stop
	local job
	for job in $(jobs -p); do
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
	echo "cryptomap: $*" >&2
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
	"$PY" -c 'import cryptography, scapy.layers.ipsec' 2>/dev/null ||
		die "$PY lacks cryptography or scapy (apt-get install python3-cryptography python3-scapy)"
}

# A prefix no other run is using: cm<pid mod 1000>, counting up on a clash.
pick_prefix() {
	local n=$(($$ % 1000)) i ns
	for ((i = 0; i < 1000; i++)); do
		P=cm$(((n + i) % 1000))
		for ns in ha hb a b; do
			[[ -e /var/run/netns/$P-$ns ]] && continue 2
		done
		[[ -e /var/run/dpdk/$P-a || -e /var/run/dpdk/$P-b ]] && continue
		return 0
	done
	echo "cryptomap: no free cmNNN prefix" >&2
	return 1
}

# ---- topology ----

topo_down() {
	local ns
	for ns in ha hb a b; do
		if [[ -e /var/run/netns/$P-$ns ]]; then
			ip netns del "$P-$ns" 2>/dev/null || echo "cryptomap: could not delete $P-$ns" >&2
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
		ip -n "$ns" link set "$ifc" up || return 1
	done
}

# host_ns NS NET: a host with NET.0.2, NET.1.2 and NET.2.2, default route via NET.0.1.
host_ns() {
	local ns=$1 net=$2 k
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || return 1
	ip -n "$ns" link set lo up || return 1
	for k in 0 1 2; do
		ip -n "$ns" addr add "$net.$k.2/24" dev eth0 || return 1
	done
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$ns" route add default via "$net.0.1" || return 1
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
	host_ns "$P-a" 10.1 || return 1
	host_ns "$P-b" 10.2 || return 1
}

# ---- configs and hubs ----

# make_config a|b OUT
make_config() {
	if [[ $1 == a ]]; then
		set -- "$P-a" "$P-al" "$P-aw" 10.1 10.2 "$A_WAN4" "$B_WAN4" "$SPI_AB" "$SPI_BA" \
			"$KEY_AB" "$KEY_BA" "$2"
	else
		set -- "$P-b" "$P-bl" "$P-bw" 10.2 10.1 "$B_WAN4" "$A_WAN4" "$SPI_BA" "$SPI_AB" \
			"$KEY_BA" "$KEY_AB" "$2"
	fi
	sed -e "s|@NAME@|$1|g; s|@LAN_PORT@|$2|g; s|@WAN_PORT@|$3|g; s|@LAN@|$4|g; s|@FAR@|$5|g" \
		-e "s|@WAN4@|$6|g; s|@PEER4@|$7|g; s|@SPI_OUT@|$8|g; s|@SPI_IN@|$9|g" \
		-e "s|@KEY_OUT@|${10}|g; s|@KEY_IN@|${11}|g" "$HERE/cryptomap.yaml.in" >"${12}"
}

hubs_up() {
	local side out rc
	for side in a b; do
		make_config "$side" "$TMP/$side.yaml"
		rc=0
		out=$("$VPNHUB" --check -c "$TMP/$side.yaml" 2>&1) || rc=$?
		if ((rc != 0)); then
			t_not_ok "vpnhub --check accepts hub-$side's crypto map config" "exit $rc" "$out"
			return 1
		fi
	done
	t_ok "vpnhub --check accepts both crypto map configs"
	for side in a b; do
		hubs_start "$side" "$P-$side" "$P-h$side" "$TMP/hub-$side.log" -c "$TMP/$side.yaml"
	done
	if hubs_wait_ready 30 a b 2>"$TMP/ready.err"; then
		t_ok "hub-a and hub-b started with their crypto maps, ready"
		return 0
	fi
	t_not_ok "hub-a and hub-b started with their crypto maps, ready" "$(cat "$TMP/ready.err")"
	return 1
}

# hub_down a|b: SIGTERM: exit 0 within 10 s, the log free of ERROR and sanitizer reports.
hub_down() {
	local side=$1 rc=0 bad
	[[ -n ${HUBS_LOG[$side]:-} ]] || return 0
	hubs_stop 10 "$side" || rc=$?
	bad=$(grep -nE 'ERROR|AddressSanitizer|LeakSanitizer|runtime error' "${HUBS_LOG[$side]}" ||
		true)
	if ((rc == 0)) && [[ ${HUBS_STATUS[$side]} == 0 && -z $bad ]]; then
		t_ok "SIGTERM: hub-$side exits 0, log without ERROR or sanitizer report"
	else
		t_not_ok "SIGTERM: hub-$side exits 0, log without ERROR or sanitizer report" \
			"exit status ${HUBS_STATUS[$side]:-none}" "${bad:-log clean}"
	fi
	unset "HUBS_LOG[$side]"
}

# ---- counters ----

tool() {
	"$PY" "$TOOL" "$@"
}

# new_snap a|b: the hub's counters into a new file; prints its name.
new_snap() {
	local f
	f=$(mktemp "$TMP/snap.$1.XXXXXX")
	tool snap "$VPNHUBCTL" "${HUBS_INST[$1]}" "$f" || true
	echo "$f"
}

# get FILE KEY: one counter of a snapshot, or "absent".
get() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v == "" ? "absent" : v }' "$1"
}

# check_delta DESC a|b BEFORE SPEC...: wait (up to 3 s) until the counters moved as SPEC
# (KEY=N...) says, then assert exactly that, every other drop and SA error counter unchanged
# (--named: only the named ones are judged).
check_delta() {
	local desc=$1 side=$2 before=$3 after out
	shift 3
	after=$(mktemp "$TMP/snap.$side.XXXXXX")
	if out=$(tool await "$VPNHUBCTL" "${HUBS_INST[$side]}" "$before" "$after" 3 "$@" 2>&1); then
		t_ok "$desc ($out)"
	else
		t_not_ok "$desc" "$out"
	fi
}

# settle: wait (up to 5 s) until the SA and crypto map counters of both hubs stop moving.
settle() {
	tool settle "$VPNHUBCTL" "$P-a" "$P-b" || true
}

# ---- captures ----

cap_start() { # NS IFACE FILE
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
	sleep 0.3
	kill -INT "${CAPS[@]}" 2>/dev/null || true
	wait "${CAPS[@]}" 2>/dev/null || true
	CAPS=()
}

# tshark_fields PCAP SRC DST SPI KEY: every frame of the capture, ESP decrypted with the SA given:
# frame, SPI, sequence number, ICV good, IP sources, destinations, protocols, ICMP types, UDP
# destination ports, payloads (tab-separated, occurrences comma-separated).
tshark_fields() {
	local sa
	sa=$(printf '"IPv4","%s","%s","%s","%s","%s","NULL",""' "$2" "$3" "$4" "$GCM_NAME" "$5")
	tshark -n -r "$1" -Y ip -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -o "uat:esp_sa:$sa" \
		-T fields -e frame.number -e esp.spi -e esp.sequence -e esp.icv_good -e ip.src \
		-e ip.dst -e ip.proto -e icmp.type -e udp.dstport -e data.data 2>"$TMP/tshark.err"
}

# ---- traffic ----

ping_check() { # DESC NS ADDR [PING-ARGS...]
	local desc=$1
	shift
	t_check "$desc" ping_ok "$@"
}

# stream: STREAM sequence-numbered UDP datagrams host-a -> host-b through the protect entry;
# all must arrive once and in order.
stream() {
	local ready=$TMP/rx.ready rx=$TMP/rx.out tx=$TMP/tx.out rxpid i want got
	rm -f "$ready"
	ip netns exec "$P-b" "$PY" "$TOOL" rx "$HOST_B" "$PORT" "$STREAM" "$ready" >"$rx" 2>&1 &
	rxpid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -e $ready ]] && break
		sleep 0.1
	done
	ip netns exec "$P-a" "$PY" "$TOOL" tx "$HOST_B" "$PORT" "$STREAM" 2500 10 >"$tx" 2>&1 || true
	wait "$rxpid" || true
	want="received=$STREAM missing=0 duplicates=0 reordered=0 bad=0"
	got=$(tail -n 1 "$rx")
	if [[ $got == "$want" ]]; then
		t_ok "UDP stream host-a -> host-b through entry 10: $STREAM datagrams, no loss, in order"
	else
		t_not_ok "UDP stream host-a -> host-b through entry 10: $STREAM datagrams, no loss" \
			"receiver: $(cat "$rx")" "sender: $(cat "$tx")"
	fi
}

# inject HEX...: Ethernet frames, from hub-a's WAN veth to hub-b's, past hub-a.
inject() {
	ip netns exec "$P-ha" "$PY" "$TOOL" inject "$P-aw" "$@"
}

# ---- the Python helper ----

write_tool() {
	cat >"$TOOL" <<'PYEOF'
"""cryptomap.sh's helper: counters, the UDP stream, scapy-built frames, the tshark check."""
import json
import socket
import struct
import subprocess
import sys
import time

MAGIC = b"vhcm"


def payload(n):
    return struct.pack("!I", n) + MAGIC + bytes([0x5A]) * (n % 64)


# ---- the UDP stream (as esp.sh's) ----

def cmd_rx(addr, port, count, ready):
    count = int(count)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
    s.bind((addr, int(port)))
    open(ready, "w").close()
    seen = bytearray(count)
    got = dup = reord = bad = 0
    top = -1
    s.settimeout(30)
    while True:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        s.settimeout(0.5 if got - dup >= count else 2)
        n = struct.unpack("!I", d[:4])[0] if len(d) >= 8 and d[4:8] == MAGIC else count
        if n >= count or d != payload(n):
            bad += 1
            continue
        got += 1
        if seen[n]:
            dup += 1
            continue
        seen[n] = 1
        reord += n < top
        top = max(top, n)
    print(f"received={got} missing={count - sum(seen)} duplicates={dup} "
          f"reordered={reord} bad={bad}")


def cmd_tx(addr, port, count, pps, burst):
    count, pps, burst = int(count), int(pps), int(burst)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((addr, int(port)))
    t = time.monotonic()
    for i in range(0, count, burst):
        for n in range(i, min(i + burst, count)):
            s.send(payload(n))
        t += burst / pps
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
    print(f"sent={count}")


# ---- counters ----
#
# A snapshot: drop_*/punt_* summed over lcores, IF.counter, sa.SPI.field, and the crypto map's
# hits as spd.SEQ.hits_out / spd.SEQ.hits_in (spd.none.*: no entry matched).

def reply(ctl, inst, cmd):
    r = subprocess.run([ctl, "--instance", inst, "raw", cmd], capture_output=True, text=True,
                       timeout=20)
    if r.returncode != 0:
        raise SystemExit(f"vpnhubctl --instance {inst} raw {cmd}: {r.stderr.strip()}")
    return next(iter(json.loads(r.stdout).values()))


def snapshot(ctl, inst):
    out = {}
    for k, v in reply(ctl, inst, "/vpnhub/stats")["total"].items():
        if k.startswith(("drop_", "punt_")):
            out[k] = v
    for name, ifc in reply(ctl, inst, "/vpnhub/interfaces").items():
        for k in ("rx_packets", "tx_packets", "drops"):
            out[f"{name}.{k}"] = ifc[k]
    for e in reply(ctl, inst, "/vpnhub/ipsec/sa").values():
        if isinstance(e, dict):
            for k, v in e.items():
                if k in ("pkts", "seq") or k.startswith("err_"):
                    out[f"sa.{e['spi']}.{k}"] = v
    for e in reply(ctl, inst, "/vpnhub/ipsec/spd").values():
        if isinstance(e, dict):
            seq = e["seq"] if e.get("kind") == "entry" else "none"
            for k in ("hits_out", "hits_in"):
                out[f"spd.{seq}.{k}"] = e[k]
    return out


def save(path, snap):
    with open(path, "w") as f:
        f.writelines(f"{k} {v}\n" for k, v in sorted(snap.items()))


def load(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.split() for line in f if line.strip())}


def cmd_snap(ctl, inst, out):
    save(out, snapshot(ctl, inst))


BACKGROUND = ("drop_mcast_unhandled",)


def delta(b, a, specs, named):
    want = {k: int(n) for k, n in (s.split("=") for s in specs)}
    bad, shown = [], []
    for k, n in want.items():
        if k not in a or k not in b:
            bad.append(f"{k}: no such counter")
            continue
        shown.append(f"{k} {a[k] - b[k]:+d}")
        if a[k] - b[k] != n:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want {n:+d} ({b[k]} -> {a[k]})")
    for k in sorted(a) if not named else ():
        if k in want or k not in b or k in BACKGROUND:
            continue
        if (k.startswith("drop_") or ".err_" in k) and a[k] != b[k]:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want +0")
    return not bad, ", ".join(shown) if not bad else "\n".join(bad)


def cmd_await(ctl, inst, before, out, secs, *specs):
    named = "--named" in specs
    specs = [s for s in specs if s != "--named"]
    b = load(before)
    deadline = time.monotonic() + float(secs)
    while not delta(b, snapshot(ctl, inst), specs, True)[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.2)
    a = snapshot(ctl, inst)
    save(out, a)
    ok, text = delta(b, a, specs, named)
    print(text)
    sys.exit(0 if ok else 1)


def cmd_settle(ctl, inst_a, inst_b):
    def moving(s):
        return {k: v for k, v in s.items() if k.startswith(("sa.", "spd."))}
    a, b = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.3)
        a2, b2 = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
        still = moving(a2) == moving(a) and moving(b2) == moving(b)
        a, b = a2, b2
        if still:
            break


# ---- frames, built with scapy ----

def ether(dst_mac, src_mac, ip):
    from scapy.all import Ether
    return (Ether(dst=dst_mac, src=src_mac) / ip).build().hex()


def cmd_frame_udp(dst_mac, src_mac, src, dst, sport, dport, what="data"):
    """A clear-text UDP datagram (its checksum right). what=ike: an IKE header's worth of bytes,
    behind the non-ESP marker on port 4500 (RFC 3948 2.2), as IKE would send it."""
    from scapy.all import IP, UDP, Raw
    body = b"clear"
    if what == "ike":
        body = (bytes(4) if int(dport) == 4500 else b"") + bytes(range(1, 29))
    ip = IP(src=src, dst=dst, ttl=64) / UDP(sport=int(sport), dport=int(dport)) / Raw(body)
    print(ether(dst_mac, src_mac, ip))


def cmd_frame_esp(dst_mac, src_mac, outer_src, outer_dst, spi, key, seq, isrc, idst):
    """ESP (AES-GCM-128, tunnel mode) sealed with KEY (key || salt), sequence number SEQ,
    carrying an ICMP echo request ISRC -> IDST."""
    from scapy.all import IP, ICMP, Raw
    from scapy.layers.ipsec import ESP, SecurityAssociation
    sa = SecurityAssociation(ESP, spi=int(spi, 0), crypt_algo="AES-GCM",
                             crypt_key=bytes.fromhex(key.removeprefix("0x")),
                             tunnel_header=IP(src=outer_src, dst=outer_dst))
    inner = IP(src=isrc, dst=idst, ttl=64) / ICMP(id=0x7e57, seq=1) / Raw(b"cryptomap")
    print(ether(dst_mac, src_mac, sa.encrypt(inner, seq_num=int(seq))))


def cmd_inject(iface, *frames):
    """Send each hex Ethernet frame on IFACE, bypassing the qdisc so that no other packet
    socket on IFACE (the hub's own) sees it as outgoing."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
    s.bind((iface, 0))
    for f in frames:
        s.send(bytes.fromhex(f))
        time.sleep(0.01)


# ---- the tshark check ----

def records(lines):
    """(frame, spi or None, seq, icv good, [src...], [dst...], [proto...], icmp type, udp dport,
    payload hex) of each line of tshark_fields."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        f += [""] * (10 - len(f))
        yield (int(f[0]), int(f[1], 0) if f[1] else None, int(f[2] or 0), f[3] == "1",
               f[4].split(","), f[5].split(","), f[6].split(","), f[7], f[8], f[9])


def cmd_esp_check(count, stream, *srcdst):
    """stdin: tshark_fields. Every ESP packet's ICV is good, the sequence numbers are 1..COUNT in
    order, every inner packet is between the protect entry's subnets (SRC,DST prefixes as
    "10.1.0." / "10.2.0."), and the inner UDP datagrams are the stream 0..STREAM-1 once each."""
    count, stream = int(count), int(stream)
    src, dst = srcdst
    esp = [r for r in records(sys.stdin) if r[1] is not None]
    bad = []
    if len(esp) != count:
        bad.append(f"{len(esp)} ESP packets, want {count}")
    if [r[2] for r in esp] != list(range(1, len(esp) + 1)):
        bad.append("sequence numbers not 1..N in order")
    good = sum(r[3] for r in esp)
    if good != len(esp):
        bad.append(f"ICV good on {good} of {len(esp)}")
    outside = [r[0] for r in esp if len(r[4]) < 2 or not r[4][-1].startswith(src)
               or not r[5][-1].startswith(dst)]
    if outside:
        bad.append(f"{len(outside)} inner packets outside {src}* -> {dst}* (frames {outside[:5]})")
    seqs = []
    for r in esp:
        p = bytes.fromhex(r[9].split(",")[-1]) if r[9] else b""
        if r[6][-1] == "17" and len(p) >= 8 and p[4:8] == MAGIC:
            seqs.append(struct.unpack("!I", p[:4])[0])
    if sorted(seqs) != list(range(stream)):
        bad.append(f"inner stream: {len(seqs)} datagrams ({len(set(seqs))} distinct), "
                   f"want 0..{stream - 1} once each")
    print(f"{len(esp)} ESP packets, ICV good {good}, inner stream {len(seqs)}" +
          ("" if not bad else "\n" + "\n".join(bad)))
    sys.exit(1 if bad else 0)


def cmd_clear_count(src, dst):
    """stdin: tshark_fields. Prints how many ICMP echo requests SRC -> DST were on the wire in
    clear, and how many ESP packets carried one."""
    clear = inside = 0
    for r in records(sys.stdin):
        echo = r[4][-1] == src and r[5][-1] == dst and r[6][-1] == "1" and r[7] == "8"
        if echo and r[1] is None and len(r[4]) == 1:
            clear += 1
        elif echo:
            inside += 1
    print(clear, inside)


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PYEOF
}

# ---- scenarios ----

# The show command, and the telemetry rows it is built from.
check_show() {
	local out
	out=$(ctl "$P-a" show crypto map 2>&1) || true
	if grep -q '^Crypto Map "cmap" on interface wan0: 3 entries' <<<"$out" &&
		grep -q '^Crypto Map "cmap" 10 ipsec-manual' <<<"$out" &&
		grep -q 'Peer = 203.0.113.2' <<<"$out" &&
		grep -q 'Match: ip 10.1.0.0/24 -> 10.2.0.0/24' <<<"$out" &&
		grep -q "Current outbound SPI: $SPI_AB" <<<"$out" &&
		grep -q "Inbound SPIs: $SPI_BA" <<<"$out" &&
		grep -q '^Crypto Map "cmap" 20 bypass' <<<"$out" &&
		grep -q '^Crypto Map "cmap" 30 discard' <<<"$out"; then
		t_ok "vpnhubctl show crypto map: map on wan0, entries 10/20/30 with match, peer and SPIs"
	else
		t_not_ok "vpnhubctl show crypto map: map on wan0, entries 10/20/30" "$out"
	fi
}

# Protect: pings both ways, the far hub's own address, the stream; then tshark on the captures.
scenario_protect() {
	local a0 b0 a1 b1 n_ab out
	t_diag "protect: 10.1.0.0/24 <-> 10.2.0.0/24 through ESP (at ${SECONDS} s)"
	ping_check "host-a -> host-b $HOST_B through entry 10 (protect)" "$P-a" "$HOST_B"
	ping_check "host-b -> host-a $HOST_A through entry 10 (protect)" "$P-b" "$HOST_A"
	a0=$(new_snap a)
	ping_check "host-a -> hub-b's $B_LAN: its control lcore replies through the map" \
		"$P-a" "$B_LAN"
	check_delta "hub-a: hub-b's replies arrived in ESP (none dropped as clear text)" a "$a0" \
		--named drop_spd_cleartext=0 "spd.10.hits_in=0"
	settle
	a0=$(new_snap a)
	b0=$(new_snap b)
	stream
	check_delta "hub-a: SA $SPI_AB out and entry 10's hits count the $STREAM datagrams" a "$a0" \
		"sa.$SPI_AB.pkts=$STREAM" "spd.10.hits_out=$STREAM" "sa.$SPI_BA.pkts=0" \
		drop_spd_discard=0 drop_spd_cleartext=0
	check_delta "hub-b: SA $SPI_AB in counts the $STREAM datagrams, nothing dropped" b "$b0" \
		"sa.$SPI_AB.pkts=$STREAM" "spd.10.hits_in=0" drop_spd_cleartext=0
	settle
	a1=$(new_snap a)
	b1=$(new_snap b)
	n_ab=$(get "$a1" "sa.$SPI_AB.pkts")
	if [[ $(get "$b1" "sa.$SPI_AB.pkts") == "$n_ab" && $n_ab != absent ]]; then
		t_ok "a->b: hub-a sent $n_ab ESP packets, hub-b decrypted all $n_ab"
	else
		t_not_ok "a->b: what hub-a encrypted hub-b decrypted" \
			"hub-a out $n_ab, hub-b in $(get "$b1" "sa.$SPI_AB.pkts")"
	fi
	N_AB=$n_ab
}

# Bypass and discard, pings from the hosts' second and third addresses.
scenario_bypass_discard() {
	local a0 b0
	t_diag "bypass 10.1.1.0/24 <-> 10.2.1.0/24, discard 10.1.2.0/24 <-> 10.2.2.0/24 (at ${SECONDS} s)"
	a0=$(new_snap a)
	ping_check "host-a $HOST_A_BYP -> host-b $HOST_B_BYP through entry 20 (bypass)" "$P-a" \
		"$HOST_B_BYP" -I "$HOST_A_BYP"
	check_delta "hub-a: the bypassed echo requests hit entry 20, no SA moved" a "$a0" --named \
		"sa.$SPI_AB.pkts=0" drop_spd_discard=0 drop_spd_cleartext=0
	A_BYP=$(delta_of "$a0" "$(new_snap a)" spd.20.hits_out)
	a0=$(new_snap a)
	b0=$(new_snap b)
	if ip netns exec "$P-a" ping -n -c3 -i0.2 -W1 -I "$HOST_A_DSC" "$HOST_B_DSC" >/dev/null 2>&1; then
		t_not_ok "host-a $HOST_A_DSC -> host-b $HOST_B_DSC (entry 30, discard) gets no answer"
	else
		t_ok "host-a $HOST_A_DSC -> host-b $HOST_B_DSC (entry 30, discard) gets no answer"
	fi
	check_delta "hub-a: the 3 echo requests are dropped as spd_discard, hits of entry 30" a "$a0" \
		drop_spd_discard=3 "spd.30.hits_out=3" "sa.$SPI_AB.pkts=0"
	check_delta "hub-b: none of them arrived" b "$b0" "spd.30.hits_in=0" drop_spd_discard=0
}

# delta_of BEFORE AFTER KEY
delta_of() {
	echo $(($(get "$2" "$3" | sed 's/absent/0/') - $(get "$1" "$3" | sed 's/absent/0/')))
}

# The captures of the protect and bypass scenarios, through tshark.
check_captures() {
	local out rc n
	out=$(tshark_fields "$TMP/a2b.pcap" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$KEY_AB" |
		tool esp-check "$N_AB" "$STREAM" 10.1.0. 10.2.0. 2>&1) && rc=0 || rc=$?
	if ((rc == 0)); then
		t_ok "tshark, ESP a->b on the WAN: decrypted with the configured key, $out"
	else
		t_not_ok "tshark, ESP a->b on the WAN: decrypted, every ICV good, the stream inside" \
			"$out" "$(grep -v '^Running as user' "$TMP/tshark.err" || true)"
	fi
	read -r n rc < <(tshark_fields "$TMP/a2b.pcap" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$KEY_AB" |
		tool clear-count "$HOST_A_BYP" "$HOST_B_BYP")
	if ((n >= 3 && n == A_BYP && rc == 0)); then
		t_ok "tshark: the $n bypassed echo requests crossed the WAN in clear, none in ESP"
	else
		t_not_ok "tshark: the bypassed echo requests crossed the WAN in clear" \
			"in clear $n, in ESP $rc, hub-a entry 20 hits $A_BYP"
	fi
	read -r n rc < <(tshark_fields "$TMP/a2b.pcap" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$KEY_AB" |
		tool clear-count "$HOST_A_DSC" "$HOST_B_DSC")
	if ((n == 0 && rc == 0)); then
		t_ok "tshark: nothing of the discarded echo requests on the WAN"
	else
		t_not_ok "tshark: nothing of the discarded echo requests on the WAN" \
			"in clear $n, in ESP $rc"
	fi
}

# Clear text into hub-b that entry 10 says must arrive in ESP; IKE to the hub is exempt.
scenario_cleartext() {
	local b0 frames=() i
	t_diag "clear text injected into hub-b (at ${SECONDS} s)"
	AW_MAC=$(ip -n "$P-ha" -o link show "$P-aw" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	BW_MAC=$(ctl_raw "$P-b" /vpnhub/interfaces | json_get wan0.mac | tr 'A-F' 'a-f')
	for ((i = 0; i < INJECTED; i++)); do
		frames+=("$(tool frame-udp "$BW_MAC" "$AW_MAC" "$HOST_A" "$HOST_B" $((40000 + i)) 9)")
	done
	b0=$(new_snap b)
	inject "${frames[@]}"
	check_delta "hub-b: $INJECTED clear-text datagrams $HOST_A -> $HOST_B dropped as spd_cleartext" \
		b "$b0" "drop_spd_cleartext=$INJECTED" "spd.10.hits_in=$INJECTED"
	b0=$(new_snap b)
	inject "$(tool frame-udp "$BW_MAC" "$AW_MAC" "$HOST_A" "$B_LAN" 500 500 ike)" \
		"$(tool frame-udp "$BW_MAC" "$AW_MAC" "$HOST_A" "$B_LAN" 4500 4500 ike)"
	# what the control lcore makes of them is IKE's business: here, that they reach it
	check_delta "hub-b: IKE from $HOST_A to its own $B_LAN (UDP 500, 4500) is punted, not looked up" \
		b "$b0" --named punt_local=2 drop_spd_cleartext=0 "spd.10.hits_in=0"
	b0=$(new_snap b)
	inject "$(tool frame-udp "$BW_MAC" "$AW_MAC" "$HOST_A" "$B_LAN" 40000 9)"
	check_delta "hub-b: the same to UDP 9 of $B_LAN is clear text: spd_cleartext" b "$b0" \
		drop_spd_cleartext=1 "spd.10.hits_in=1" punt_local=0
}

# A packet that decrypts, from outside the SA's selectors (RFC 4301 5.2).
scenario_selector() {
	local b0 seq
	t_diag "ESP with an inner source outside the SA's selectors (at ${SECONDS} s)"
	b0=$(new_snap b)
	seq=$(get "$b0" "sa.$SPI_AB.seq")
	[[ $seq == absent ]] && seq=$N_AB
	inject "$(tool frame-esp "$BW_MAC" "$AW_MAC" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$KEY_AB" \
		$((seq + 10)) 10.9.9.9 "$HOST_B")"
	check_delta "hub-b: inner 10.9.9.9 -> $HOST_B decrypts, is outside 10.1.0.0/24: selector +1" \
		b "$b0" "sa.$SPI_AB.err_selector=1" drop_esp_sa_error=1 "sa.$SPI_AB.pkts=0"
	b0=$(new_snap b)
	inject "$(tool frame-esp "$BW_MAC" "$AW_MAC" "$A_WAN4" "$B_WAN4" "$SPI_AB" "$KEY_AB" \
		$((seq + 11)) "$HOST_A" "$HOST_B")"
	check_delta "hub-b: the same built from $HOST_A is accepted and delivered" b "$b0" --named \
		"sa.$SPI_AB.pkts=1" "sa.$SPI_AB.err_selector=0" drop_esp_sa_error=0
}

main() {
	t_init cryptomap
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-cryptomap.$P.XXXXXX")
	TOOL=$TMP/cmtool.py
	write_tool
	t_diag "prefix $P, instances $P-a and $P-b, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{ha,hb,a,b} come up"
		t_done
		return 1
	fi
	if ! cap_start "$P-hb" "$P-bw" "$TMP/a2b.pcap" 2>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures the WAN" "$(cat "$TMP/cap.err")"
		t_done
		return 1
	fi
	if ! hubs_up; then
		t_done
		return 1
	fi
	check_show
	scenario_protect
	scenario_bypass_discard
	settle
	cap_stop
	check_captures
	scenario_cleartext
	scenario_selector
	hub_down a
	hub_down b
	t_diag "$SECONDS s"
	t_done
}

main "$@"
