#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test/integration/transport.sh - ESP in transport mode (RFC 4303 3.1.1) between vpnhub and a
# scapy-built peer, chosen by a crypto map: three entries, each protecting all traffic between
# one pair of the hub's and the peer's own addresses with manually keyed transport-mode SAs:
# IPv4 ESP (AES-GCM-128), IPv6 ESP (AES-GCM-128), IPv4 ESP in UDP 4500 (RFC 3948; AES-CBC-256 +
# HMAC-SHA-256-128). For each, the peer sends 1000 sequence-numbered ICMP echo requests in ESP
# and decrypts and verifies every echo reply with scapy's own SecurityAssociation (independent
# of vpnhub's code): zero loss, the outer IP header the hub's own address (no tunnel header),
# next header ICMP/ICMPv6 in the trailer, ESP sequence numbers 1..1000, exact SA and crypto map
# counters, no drop. The hub resolves the peer itself (ARP; ND, whose advertisements come to the
# hub's own address, inside entry 20, and must still pass: RFC 4861). Then: tshark decrypting
# both captures with the keys (every ICV good), clear-text echoes the map says must arrive
# protected (spd_cleartext exact), an ESP packet whose IP source is not the peer (the inbound
# SA's selector, err_selector +1), the same from the peer (accepted and answered), SIGTERM.
#
#  +---------------------------------------------------------------------------+
#  | hub: vpnhub <p>-h                             netns <p>-h                 |
#  |   <p>-w = net_af_packet0 = wan0   203.0.113.1/24 203.0.113.11/24          |
#  |                                   fd00:f::1/64                            |
#  |   crypto map tmap on wan0, protect, any protocol:                         |
#  |     10  203.0.113.1/32  <-> 203.0.113.2/32   SPI 0x7101 out, 0x7001 in    |
#  |     20  fd00:f::1/128   <-> fd00:f::2/128    SPI 0x7102 out, 0x7002 in    |
#  |     30  203.0.113.11/32 <-> 203.0.113.12/32  SPI 0x7103 out, 0x7003 in,   |
#  |                                              ESP in UDP 4500              |
#  +-------+-------------------------------------------------------------------+
#          |  veth: <p>-w (hub) <-> eth0 (peer): transport-mode ESP, ARP, ND
#  +-------+-------------------------------------------------------------------+
#  | peer: scapy                                   netns <p>-p                 |
#  |   eth0      203.0.113.2/24 203.0.113.12/24 fd00:f::2/64                   |
#  |   the helper injects frames with a packet socket (qdisc bypassed) and     |
#  |   reads the hub's; it holds raw ESP sockets and a UDP 4500 socket open    |
#  |   (and drained) so that the namespace's kernel, which has no ESP, never   |
#  |   answers the hub's ESP with an ICMP error; the kernel answers ARP and ND |
#  +---------------------------------------------------------------------------+
#
# The hub's namespace kernel stays silent (no addresses, IPv6 off). Both the af_packet PMD and the
# helper transmit with the qdisc bypassed, so a capture on <p>-w holds what the hub receives (the
# peer's requests) and one on the peer's eth0 what the peer receives (the hub's replies).
#
# Output: "ok N - ..." / "not ok N - ..." lines, then "transport: N passed, N failed"; exit
# status 1 if anything failed. Binaries from build/ or $VPNHUB_BUILD, as for basic.sh.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

HUB4=203.0.113.1
PEER4=203.0.113.2
HUB4N=203.0.113.11 # the NAT-T pair
PEER4N=203.0.113.12
HUB6=fd00:f::1
PEER6=fd00:f::2
ECHOES=1000 # echo requests per flow

# SPIs: 0x70xx peer -> hub (the hub's inbound SAs), 0x71xx hub -> peer.
SPI_IN4=0x00007001
SPI_OUT4=0x00007101
SPI_IN6=0x00007002
SPI_OUT6=0x00007102
SPI_INN=0x00007003
SPI_OUTN=0x00007103
# Keys: counting patterns, a different one per SA (example keys, never real ones).
KEY_IN4=0x000102030405060708090a0b0c0d0e0fa0a1a2a3 # AES-128 key, then the 4-byte salt
KEY_OUT4=0x101112131415161718191a1b1c1d1e1fb0b1b2b3
KEY_IN6=0x202122232425262728292a2b2c2d2e2fc0c1c2c3
KEY_OUT6=0x303132333435363738393a3b3c3d3e3fd0d1d2d3
KEY_INN=0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f # AES-256
KEY_OUTN=0x606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
AUTH_INN=0x808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f # HMAC-SHA-256
AUTH_OUTN=0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
GCM_NAME="AES-GCM with 16 octet ICV [RFC4106]"
CBC_NAME="AES-CBC [RFC3602]"
SHA256_NAME="HMAC-SHA-256-128 [RFC4868]"

P=   # namespace prefix; the hub's instance is <p>-h
TMP= # scratch directory: config, log, captures, the helper
TOOL=
CAPS=()
HUB_MAC=
PEER_MAC=

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	trap '' PIPE
	set +e
	if hub_alive; then
		hub_stop 5
	fi
	cap_stop
	local job
	for job in $(jobs -p); do
		kill "$job" 2>/dev/null
	done
	if [[ -n $P ]]; then
		topo_down
		[[ -d /var/run/dpdk/$P-h ]] && rm -rf "/var/run/dpdk/$P-h"
	fi
	[[ -n $TMP ]] && rm -rf "$TMP"
	exit "$rc"
}

die() {
	echo "transport: $*" >&2
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
		die "$PY lacks scapy or cryptography (apt-get install python3-scapy python3-cryptography)"
}

# A prefix no other run is using: tr<pid mod 1000>, counting up on a clash.
pick_prefix() {
	local n=$(($$ % 1000)) i ns
	for ((i = 0; i < 1000; i++)); do
		P=tr$(((n + i) % 1000))
		for ns in h p; do
			[[ -e /var/run/netns/$P-$ns ]] && continue 2
		done
		[[ -e /var/run/dpdk/$P-h ]] && continue
		return 0
	done
	echo "transport: no free trNNN prefix" >&2
	return 1
}

# ---- topology ----

topo_down() {
	local ns
	for ns in h p; do
		if [[ -e /var/run/netns/$P-$ns ]]; then
			ip netns del "$P-$ns" 2>/dev/null || echo "transport: could not delete $P-$ns" >&2
		fi
	done
}

topo_up() {
	local ns=$P-p
	ip netns add "$P-h" || return 1
	ip netns add "$ns" || return 1
	ip -n "$P-h" link add "$P-w" type veth peer name eth0 netns "$ns" || return 1
	# the hub's kernel: silent on the veth
	ip netns exec "$P-h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 "net.ipv6.conf.$P-w.disable_ipv6=1" || return 1
	ip -n "$P-h" link set lo up || return 1
	ip -n "$P-h" link set "$P-w" up || return 1
	# the peer's kernel: the addresses (it answers ARP and ND for them), no router discovery
	ip netns exec "$ns" sysctl -qw \
		net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.eth0.router_solicitations=0 net.ipv6.conf.eth0.accept_ra=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0 || return 1
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null || return 1
	ip -n "$ns" link set lo up || return 1
	ip -n "$ns" addr add "$PEER4/24" dev eth0 || return 1
	ip -n "$ns" addr add "$PEER4N/24" dev eth0 || return 1
	ip -n "$ns" addr add "$PEER6/64" dev eth0 nodad || return 1
	ip -n "$ns" link set eth0 up || return 1
}

# ---- the hub ----

make_config() {
	sed -e "s|@NAME@|$P-h|g; s|@WAN_PORT@|$P-w|g; s|@HUB4@|$HUB4|g; s|@PEER4@|$PEER4|g" \
		-e "s|@HUB4N@|$HUB4N|g; s|@PEER4N@|$PEER4N|g; s|@HUB6@|$HUB6|g; s|@PEER6@|$PEER6|g" \
		-e "s|@SPI_IN4@|$SPI_IN4|g; s|@SPI_OUT4@|$SPI_OUT4|g; s|@SPI_IN6@|$SPI_IN6|g" \
		-e "s|@SPI_OUT6@|$SPI_OUT6|g; s|@SPI_INN@|$SPI_INN|g; s|@SPI_OUTN@|$SPI_OUTN|g" \
		-e "s|@KEY_IN4@|$KEY_IN4|g; s|@KEY_OUT4@|$KEY_OUT4|g; s|@KEY_IN6@|$KEY_IN6|g" \
		-e "s|@KEY_OUT6@|$KEY_OUT6|g; s|@KEY_INN@|$KEY_INN|g; s|@KEY_OUTN@|$KEY_OUTN|g" \
		-e "s|@AUTH_INN@|$AUTH_INN|g; s|@AUTH_OUTN@|$AUTH_OUTN|g" \
		"$HERE/transport.yaml.in" >"$1"
}

hub_up() {
	local cfg=$TMP/hub.yaml out rc=0
	make_config "$cfg"
	out=$("$VPNHUB" --check -c "$cfg" 2>&1) || rc=$?
	if ((rc != 0)); then
		t_not_ok "vpnhub --check accepts transport-mode SAs in a crypto map" "exit $rc" "$out"
		return 1
	fi
	t_ok "vpnhub --check accepts transport-mode SAs in a crypto map"
	hub_start "$P-h" "$TMP/hub.log" -c "$cfg"
	if hub_wait_ready "$P-h" 30 2>"$TMP/ready.err"; then
		t_ok "the hub started with crypto map tmap (3 transport-mode entries), ready"
		return 0
	fi
	t_not_ok "the hub started with crypto map tmap, ready" "$(cat "$TMP/ready.err")"
	return 1
}

# hub_down: SIGTERM: exit 0 within 10 s, the log free of ERROR and sanitizer reports.
hub_down() {
	local rc=0 bad
	[[ -n $HUB_PID ]] || return 0
	hub_stop 10 || rc=$?
	bad=$(grep -nE 'ERROR|AddressSanitizer|LeakSanitizer|runtime error' "$HUB_LOG" || true)
	if ((rc == 0)) && [[ $HUB_STATUS == 0 && -z $bad ]]; then
		t_ok "SIGTERM: the hub exits 0, log without ERROR or sanitizer report"
	else
		t_not_ok "SIGTERM: the hub exits 0, log without ERROR or sanitizer report" \
			"exit status ${HUB_STATUS:-none}$( ((rc == 0)) || echo ', killed')" "${bad:-log clean}"
	fi
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
	sleep 0.3 # the last frames reach the capture
	kill -INT "${CAPS[@]}" 2>/dev/null || true
	wait "${CAPS[@]}" 2>/dev/null || true
	CAPS=()
}

# tshark_check DESC PCAP FAMILY SRC DST SPI ENC KEY AUTH AUTH_KEY ICMP_TYPE: tshark decrypts the
# capture's ESP of that SA: exactly ECHOES packets, sequence numbers 1..ECHOES, every ICV good,
# every one an ICMP(v6) message of ICMP_TYPE right behind ESP.
tshark_check() {
	local desc=$1 pcap=$2 sa out rc=0
	sa=$(printf '"IPv%s","%s","%s","%s","%s","%s","%s","%s"' "$3" "$4" "$5" "$6" "$7" "$8" \
		"$9" "${10}")
	out=$(tshark -n -r "$pcap" -Y esp -o esp.enable_encryption_decode:TRUE \
		-o esp.enable_authentication_check:TRUE -o "uat:esp_sa:$sa" \
		-T fields -e esp.spi -e esp.sequence -e esp.icv_good -e ip.proto -e ipv6.nxt \
		-e icmp.type -e icmpv6.type 2>"$TMP/tshark.err" |
		"$PY" "$TOOL" tshark-sum "$6" "$ECHOES" "${11}" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_ok "$desc: $out"
	else
		t_not_ok "$desc" "$out" "$(grep -v '^Running as user' "$TMP/tshark.err" || true)" \
			"$(grep -h dropped "$pcap.log" || true)"
	fi
}

# ---- the peer ----

# peer PHASE: run the helper's scapy peer in the peer's namespace; its "ok|not ok<TAB>desc<TAB>
# detail" lines become results.
peer() {
	local phase=$1 st desc detail rc=0
	ip netns exec "$P-p" "$PY" "$TOOL" peer "$phase" "$VPNHUBCTL" "$P-h" eth0 "$PEER_MAC" \
		"$HUB_MAC" "$ECHOES" "$HUB4" "$PEER4" "$HUB6" "$PEER6" "$HUB4N" "$PEER4N" \
		"$SPI_IN4:$KEY_IN4" "$SPI_OUT4:$KEY_OUT4" "$SPI_IN6:$KEY_IN6" "$SPI_OUT6:$KEY_OUT6" \
		"$SPI_INN:$KEY_INN:$AUTH_INN" "$SPI_OUTN:$KEY_OUTN:$AUTH_OUTN" \
		>"$TMP/peer-$phase.out" 2>"$TMP/peer-$phase.err" || rc=$?
	while IFS=$'\t' read -r st desc detail; do
		if [[ $st == ok ]]; then
			t_ok "$desc ($detail)"
		else
			t_not_ok "$desc" "$detail"
		fi
	done <"$TMP/peer-$phase.out"
	if ((rc != 0)); then
		t_not_ok "the scapy peer ($phase) ran to the end" "exit status $rc" \
			"$(tail -n 15 "$TMP/peer-$phase.err")"
	fi
}

# ---- the Python helper ----

write_tool() {
	cat >"$TOOL" <<'PYEOF'
"""transport.sh's helper: counters, the scapy peer, the tshark summary (/usr/bin/python3)."""
import json
import socket
import struct
import subprocess
import sys
import threading
import time

ICMP_ID = 0x7472


def data(seq):
    """The echo payload of sequence number seq: the number, a tag, then filler."""
    return struct.pack("!I", seq) + b"vpnhub-transport" + bytes([seq & 0xFF]) * (seq % 48)


# ---- counters ----
#
# A snapshot: drop_*/punt_* summed over lcores, sa.SPI.pkts/seq/err_*, and the crypto map's
# hits as spd.SEQ.hits_out / spd.SEQ.hits_in.

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
    for e in reply(ctl, inst, "/vpnhub/ipsec/sa").values():
        if isinstance(e, dict):
            for k, v in e.items():
                if k in ("pkts", "seq") or k.startswith("err_"):
                    out[f"sa.{e['spi']}.{k}"] = v
    for e in reply(ctl, inst, "/vpnhub/ipsec/spd").values():
        if isinstance(e, dict) and e.get("kind") == "entry":
            for k in ("hits_out", "hits_in"):
                out[f"spd.{e['seq']}.{k}"] = e[k]
    return out


# What a host's kernel may move at any time: its own multicast (MLD reports), and a neighbor
# solicitation for its own link-local address (duplicate address detection).
BACKGROUND = ("drop_mcast_unhandled", "drop_not_our_address")


def delta(b, a, want):
    """(ok, text): every counter of want moved by exactly its value from b to a, every other
    drop_* and sa.*.err_* counter by 0 (BACKGROUND excepted)."""
    bad, shown = [], []
    for k, n in want.items():
        if k not in a or k not in b:
            bad.append(f"{k}: no such counter")
            continue
        shown.append(f"{k} {a[k] - b[k]:+d}")
        if a[k] - b[k] != n:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want {n:+d} ({b[k]} -> {a[k]})")
    for k in sorted(a):
        if k in want or k not in b or k in BACKGROUND:
            continue
        if (k.startswith("drop_") or ".err_" in k) and a[k] != b[k]:
            bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want +0")
    return not bad, ", ".join(shown) if not bad else "; ".join(bad)


def await_delta(ctl, inst, b, secs, want):
    """Snapshot until want is met (at most secs), then once more a moment later; judge that."""
    deadline = time.monotonic() + secs
    while not delta(b, snapshot(ctl, inst), want)[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.3)
    a = snapshot(ctl, inst)
    return a, delta(b, a, want)


# ---- the peer ----

def spi_of(s):
    return f"{int(s, 0):#010x}"


class Flow:
    """One protected address pair: its SAs (scapy's) and how its packets look on the wire."""

    def __init__(self, name, fam, hub, peer, sa_in, sa_out, seq, natt=False):
        self.name, self.fam, self.hub, self.peer, self.seq = name, fam, hub, peer, seq
        self.natt = natt
        self.spi_in, self.spi_out = sa_in[0], sa_out[0]
        self.sa_in = self.sa(sa_in, peer, hub)    # what the peer encrypts with
        self.sa_out = self.sa(sa_out, hub, peer)  # what the peer decrypts the replies with
        self.next_seq = 1

    def sa(self, spec, src, dst):
        from scapy.layers.ipsec import ESP, SecurityAssociation
        spi, key = int(spec[0], 0), bytes.fromhex(spec[1][2:])
        if len(spec) == 2:
            return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM", crypt_key=key)
        return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-CBC", crypt_key=key,
                                   auth_algo="SHA2-256-128",
                                   auth_key=bytes.fromhex(spec[2][2:]))

    def echo(self, seq, src=None):
        """An echo request from the peer (or src) to the hub, in ESP with the next sequence
        number."""
        from scapy.layers.inet import IP, ICMP, UDP
        from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest
        from scapy.packet import Raw
        if self.fam == 4:
            p = IP(src=src or self.peer, dst=self.hub, ttl=64) / ICMP(
                type=8, id=ICMP_ID, seq=seq) / data(seq)
        else:
            p = IPv6(src=src or self.peer, dst=self.hub, hlim=64) / ICMPv6EchoRequest(
                id=ICMP_ID, seq=seq, data=data(seq))
        esp = self.sa_in.encrypt(p, seq_num=self.next_seq)
        self.next_seq += 1
        if self.natt:  # RFC 3948 2.1 (scapy's own nat_t_header leaves the UDP length at 8)
            esp = IP(src=esp.src, dst=esp.dst, ttl=64) / UDP(sport=4500, dport=4500,
                                                             chksum=0) / Raw(bytes(esp.payload))
        return esp

    def clear_echo(self, seq):
        from scapy.layers.inet import IP, ICMP
        from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest
        if self.fam == 4:
            return IP(src=self.peer, dst=self.hub) / ICMP(id=ICMP_ID, seq=seq) / data(seq)
        return IPv6(src=self.peer, dst=self.hub) / ICMPv6EchoRequest(id=ICMP_ID, seq=seq,
                                                                      data=data(seq))

    def open_reply(self, ip):
        """(problem or None, echo seq) of one IP packet from the hub: the hub's own addresses
        outside (no tunnel header), ESP (in UDP 4500 for NAT-T) of the outbound SA, ICV good,
        next header ICMP(v6) in the trailer, an echo reply to one of our requests."""
        from scapy.layers.inet import IP, ICMP, UDP
        from scapy.layers.inet6 import ICMPv6EchoReply, in6_chksum
        from scapy.layers.ipsec import ESP
        from scapy.utils import checksum
        if (ip.src, ip.dst) != (self.hub, self.peer):
            return f"outer {ip.src} -> {ip.dst}, not {self.hub} -> {self.peer}", None
        proto = ip.proto if self.fam == 4 else ip.nh
        if self.natt:
            if proto != 17 or not ip.haslayer(UDP) or (ip[UDP].sport, ip[UDP].dport) != (
                    4500, 4500):
                return f"outer protocol {proto}, not ESP in UDP 4500 -> 4500", None
        elif proto != 50:
            return f"outer next header {proto}, not ESP", None
        if not ip.haslayer(ESP) or ip[ESP].spi != self.sa_out.spi:
            return "not ESP of the outbound SA", None
        esp_seq = ip[ESP].seq
        try:
            if self.natt:  # the UDP header goes; its length must have been right
                if ip[UDP].len != len(ip[UDP]):
                    return f"ESP seq {esp_seq}: UDP length {ip[UDP].len}", None
                ip = IP(src=ip.src, dst=ip.dst, proto=50) / ESP(bytes(ip[ESP]))
            dec = self.sa_out.decrypt(ip.copy())
        except Exception as e:  # scapy's IPSecIntegrityError, or a malformed trailer
            return f"ESP seq {esp_seq}: {type(e).__name__} {e}", None
        nh = dec.proto if self.fam == 4 else dec.nh
        if nh != (1 if self.fam == 4 else 58):
            return f"ESP seq {esp_seq}: next header {nh} in the trailer", None
        if self.fam == 4:
            if not isinstance(dec.payload, ICMP) or dec[ICMP].type != 0:
                return f"ESP seq {esp_seq}: not an echo reply right behind ESP", None
            icmp = dec[ICMP]
            body = bytes(icmp.payload)
            ok_ck = checksum(bytes(icmp)) == 0
        else:
            if not isinstance(dec.payload, ICMPv6EchoReply):
                return f"ESP seq {esp_seq}: not an ICMPv6 echo reply right behind ESP", None
            icmp = dec[ICMPv6EchoReply]
            body = bytes(icmp.data)
            ok_ck = in6_chksum(58, dec, bytes(icmp)) == 0
        if icmp.id != ICMP_ID or body != data(icmp.seq):
            return f"ESP seq {esp_seq}: echo id {icmp.id:#x} seq {icmp.seq}, payload differs", None
        if not ok_ck:
            return f"ESP seq {esp_seq}: ICMP checksum wrong", None
        return None, (esp_seq, icmp.seq)


class Peer:
    def __init__(self, a):
        (self.ctl, self.inst, self.ifc, self.mac, self.hub_mac, n, hub4, peer4, hub6, peer6,
         hub4n, peer4n, in4, out4, in6, out6, inn, outn) = a
        self.n = int(n)
        sp = [s.split(":") for s in (in4, out4, in6, out6, inn, outn)]
        self.flows = {
            "v4": Flow("IPv4 ESP", 4, hub4, peer4, sp[0], sp[1], 10),
            "v6": Flow("IPv6 ESP", 6, hub6, peer6, sp[2], sp[3], 20),
            "natt": Flow("IPv4 ESP in UDP 4500", 4, hub4n, peer4n, sp[4], sp[5], 30, True),
        }
        self.snap = snapshot(self.ctl, self.inst)
        for f in self.flows.values():  # a second run of a phase continues the windows
            f.next_seq = self.snap.get(f"sa.{spi_of(f.spi_in)}.seq", 0) + 1
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.tx.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
        self.tx.bind((self.ifc, 0))
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        self.rx.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
        self.rx.bind((self.ifc, 0))
        self.rx.settimeout(0.1)
        # The kernel here has no ESP: without a listener it would answer the hub's ESP with
        # "protocol unreachable" and its UDP 4500 with "port unreachable", in clear.
        # A full receive queue counts as no listener: read() drains them.
        self.hold = [socket.socket(socket.AF_INET, socket.SOCK_RAW, 50),
                     socket.socket(socket.AF_INET6, socket.SOCK_RAW, 50),
                     socket.socket(socket.AF_INET, socket.SOCK_DGRAM)]
        self.hold[2].bind((peer4n, 4500))
        for h in self.hold:
            h.setblocking(False)
        self.frames, self.stop = [], threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        hub = bytes.fromhex(self.hub_mac.replace(":", ""))
        while not self.stop.is_set():
            for h in self.hold:
                try:
                    while h.recv(65536):
                        pass
                except BlockingIOError:
                    pass
            try:
                f = self.rx.recv(65536)
            except socket.timeout:
                continue
            if f[6:12] == hub and f[12:14] in (b"\x08\x00", b"\x86\xdd"):
                self.frames.append(f)

    def take(self):
        """The IP packets the hub sent since the last call (scapy objects), neighbor
        discovery (ICMPv6 133..137) left out."""
        from scapy.layers.inet import IP
        from scapy.layers.inet6 import IPv6
        got, self.frames = self.frames, []
        pkts = [IP(f[14:]) if f[12:14] == b"\x08\x00" else IPv6(f[14:]) for f in got]
        return [p for p in pkts if not (p.version == 6 and p.nh == 58 and
                                        133 <= bytes(p.payload)[0] <= 137)]

    def send(self, pkts):
        from scapy.layers.l2 import Ether
        for p in pkts:
            self.tx.send(bytes(Ether(src=self.mac, dst=self.hub_mac) / p))

    def result(self, ok, desc, detail):
        print(f"{'ok' if ok else 'not ok'}\t{desc}\t{detail}", flush=True)

    def check(self, desc, want, secs=5):
        self.snap, (ok, text) = await_delta(self.ctl, self.inst, self.snap, secs, want)
        self.result(ok, desc, text)

    def wait_replies(self, f, n, secs):
        """Packets from the hub until n ESP replies of flow f arrived (at most secs)."""
        pkts, deadline = [], time.monotonic() + secs
        while time.monotonic() < deadline:
            pkts += self.take()
            if sum(1 for p in pkts if p.src == f.hub and p.dst == f.peer) >= n:
                break
            time.sleep(0.05)
        time.sleep(0.2)  # anything sent late shows now
        return pkts + self.take()

    def flow(self, key):
        """ECHOES echo requests in ESP: the first alone (the hub resolves the peer's address
        meanwhile, ARP or ND, with at most 8 replies queued), then bursts of 10 every 10 ms."""
        f = self.flows[key]
        reqs = [f.echo(s) for s in range(1, self.n + 1)]
        self.take()
        self.send(reqs[:1])
        pkts = self.wait_replies(f, 1, 5)
        for i in range(1, self.n, 10):
            self.send(reqs[i:i + 10])
            time.sleep(0.01)
            pkts += self.take()
        pkts = pkts + self.wait_replies(f, self.n - sum(
            1 for p in pkts if p.src == f.hub and p.dst == f.peer), 10)
        mine = [p for p in pkts if p.src == f.hub and p.dst == f.peer]
        other = [p for p in pkts if (p.src, p.dst) != (f.hub, f.peer)]
        problems, esp_seqs, echo_seqs = [], [], []
        for p in mine:
            why, seqs = f.open_reply(p)
            if why:
                problems.append(why)
            else:
                esp_seqs.append(seqs[0])
                echo_seqs.append(seqs[1])
        bad = []
        if len(mine) != self.n:
            bad.append(f"{len(mine)} packets {f.hub} -> {f.peer}, want {self.n}")
        if problems:
            bad.append(f"{len(problems)} bad: " + "; ".join(problems[:3]))
        if esp_seqs != list(range(1, len(esp_seqs) + 1)):
            bad.append("ESP sequence numbers not 1..N in order")
        if sorted(echo_seqs) != list(range(1, self.n + 1)):
            bad.append(f"echo replies for {len(set(echo_seqs))} distinct requests of {self.n}")
        if other:
            bad.append(f"{len(other)} other IP packets from the hub, first "
                       f"{other[0].src} -> {other[0].dst}")
        what = (f"{len(esp_seqs)} of {self.n} replies decrypted by scapy, ICV good, outer "
                f"{f.hub} -> {f.peer} " + ("UDP 4500 " if f.natt else "") +
                f"ESP, next header {'ICMP' if f.fam == 4 else 'ICMPv6'}, ESP seq 1.."
                f"{esp_seqs[-1] if esp_seqs else 0}")
        self.result(not bad, f"{f.name}: {self.n} echo requests in transport-mode ESP, every "
                    "reply in transport-mode ESP", what + ("; " + "; ".join(bad) if bad else ""))
        i, o, s = spi_of(f.spi_in), spi_of(f.spi_out), f.seq
        want = {f"sa.{i}.pkts": self.n, f"sa.{o}.pkts": self.n, f"spd.{s}.hits_out": self.n,
                f"spd.{s}.hits_in": 0}
        self.check(f"{f.name}: SA {i} in and {o} out count {self.n} each, entry {s} "
                   f"{self.n} hits out, none in, no drop", want)

    def cleartext(self, key, count):
        f = self.flows[key]
        self.take()
        self.send([f.clear_echo(s) for s in range(1, count + 1)])
        self.check(f"{f.name} pair: {count} echo requests in clear dropped as spd_cleartext "
                   f"(entry {f.seq})", {"drop_spd_cleartext": count, f"spd.{f.seq}.hits_in": count,
                                        f"sa.{spi_of(f.spi_in)}.pkts": 0})
        time.sleep(0.5)
        back = [p for p in self.take() if p.src == f.hub and p.dst == f.peer]
        self.result(not back, f"{f.name} pair: no answer to the clear-text echoes",
                    f"{len(back)} packets back")

    def selector(self, key, spoof):
        f = self.flows[key]
        i, o = spi_of(f.spi_in), spi_of(f.spi_out)
        self.take()
        self.send([f.echo(self.n + 1, src=spoof)])
        self.check(f"{f.name}: transport ESP of SA {i} from {spoof}, not the peer, decrypts "
                   "and fails the SA's selector", {f"sa.{i}.err_selector": 1,
                                                   "drop_esp_sa_error": 1, f"sa.{i}.pkts": 0,
                                                   f"sa.{o}.pkts": 0})
        self.send([f.echo(self.n + 2)])
        self.check(f"{f.name}: the same from the peer {f.peer} is accepted and answered",
                   {f"sa.{i}.pkts": 1, f"sa.{o}.pkts": 1, f"sa.{i}.err_selector": 0})
        pkts = self.wait_replies(f, 1, 3)
        mine = [p for p in pkts if p.src == f.hub and p.dst == f.peer]
        why = [f.open_reply(p)[0] for p in mine]
        self.result(len(mine) == 1 and why == [None], f"{f.name}: that one reply decrypts",
                    f"{len(mine)} replies" + (f", {why[0]}" if why and why[0] else ""))

    def close(self):
        self.stop.set()
        self.thread.join()


def cmd_peer(phase, *a):
    p = Peer(a)
    try:
        if phase == "flows":
            for key in ("v4", "v6", "natt"):
                p.flow(key)
        else:
            p.cleartext("v4", 3)
            p.cleartext("v6", 2)
            p.cleartext("natt", 1)
            p.selector("v4", "203.0.113.99")
            p.selector("v6", "fd00:f::99")
    finally:
        p.close()


# ---- tshark ----

def cmd_tshark_sum(spi, count, icmp_type):
    """stdin: tshark -T fields -e esp.spi -e esp.sequence -e esp.icv_good -e ip.proto
    -e ipv6.nxt -e icmp.type -e icmpv6.type. The ESP of SPI: exactly COUNT packets, sequence
    numbers 1..COUNT in capture order, every ICV good, each decrypted to an ICMP(v6) message of
    ICMP_TYPE right behind ESP."""
    spi, count = int(spi, 0), int(count)
    seqs, good, typed = [], 0, 0
    for line in sys.stdin:
        f = line.rstrip("\n").split("\t") + [""] * 7
        if not f[0] or int(f[0].split(",")[0], 0) != spi:
            continue
        seqs.append(int(f[1]))
        good += f[2] == "1"
        protos = (f[3] or f[4]).split(",")  # one IP header: no tunnel inside
        types = (f[5] or f[6]).split(",")
        typed += len(protos) == 1 and types == [icmp_type]
    bad = []
    if len(seqs) != count:
        bad.append(f"{len(seqs)} ESP packets, want {count}")
    if seqs != list(range(1, len(seqs) + 1)):
        bad.append("sequence numbers not 1..N in capture order")
    if good != len(seqs):
        bad.append(f"ICV good on {good} of {len(seqs)}")
    if typed != len(seqs):
        bad.append(f"{typed} of {len(seqs)} decrypted to ICMP type {icmp_type} behind ESP")
    text = (f"{len(seqs)} ESP packets of SPI {spi:#x}, seq 1..{seqs[-1] if seqs else 0}, "
            f"ICV good {good}, ICMP type {icmp_type} inside {typed}")
    print(text if not bad else text + "; " + "; ".join(bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
PYEOF
}

# ---- scenarios ----

# The captures of the flows: what the hub received (the peer's requests), and what the peer
# received (the hub's replies), each decrypted by tshark with the SA that made it.
check_captures() {
	local req=$TMP/requests.pcap rep=$TMP/replies.pcap
	tshark_check "tshark, IPv4 requests" "$req" 4 "$PEER4" "$HUB4" "$SPI_IN4" "$GCM_NAME" \
		"$KEY_IN4" NULL "" 8
	tshark_check "tshark, IPv4 replies" "$rep" 4 "$HUB4" "$PEER4" "$SPI_OUT4" "$GCM_NAME" \
		"$KEY_OUT4" NULL "" 0
	tshark_check "tshark, IPv6 requests" "$req" 6 "$PEER6" "$HUB6" "$SPI_IN6" "$GCM_NAME" \
		"$KEY_IN6" NULL "" 128
	tshark_check "tshark, IPv6 replies" "$rep" 6 "$HUB6" "$PEER6" "$SPI_OUT6" "$GCM_NAME" \
		"$KEY_OUT6" NULL "" 129
	tshark_check "tshark, UDP 4500 requests" "$req" 4 "$PEER4N" "$HUB4N" "$SPI_INN" \
		"$CBC_NAME" "$KEY_INN" "$SHA256_NAME" "$AUTH_INN" 8
	tshark_check "tshark, UDP 4500 replies" "$rep" 4 "$HUB4N" "$PEER4N" "$SPI_OUTN" \
		"$CBC_NAME" "$KEY_OUTN" "$SHA256_NAME" "$AUTH_OUTN" 0
}

main() {
	t_init transport
	preflight
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	pick_prefix
	TMP=$(mktemp -d "/tmp/vpnhub-transport.$P.XXXXXX")
	TOOL=$TMP/trtool.py
	write_tool
	t_diag "prefix $P, instance $P-h, build $VH_BUILD, scratch $TMP"
	if ! topo_up; then
		t_not_ok "network namespaces $P-{h,p} come up"
		t_done
		return 1
	fi
	if ! hub_up; then
		t_done
		return 1
	fi
	HUB_MAC=$(ctl_raw "$P-h" /vpnhub/interfaces | json_get wan0.mac | tr 'A-F' 'a-f')
	PEER_MAC=$(ip -n "$P-p" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	if ! cap_start "$P-h" "$P-w" "$TMP/requests.pcap" 2>"$TMP/cap.err" ||
		! cap_start "$P-p" eth0 "$TMP/replies.pcap" 2>>"$TMP/cap.err"; then
		t_not_ok "dumpcap captures both ends of the veth" "$(cat "$TMP/cap.err")"
	fi
	t_diag "flows: $ECHOES echoes each over IPv4, IPv6, UDP 4500 (at ${SECONDS} s)"
	peer flows
	cap_stop
	t_diag "tshark on the captures (at ${SECONDS} s)"
	check_captures
	t_diag "clear text and selectors (at ${SECONDS} s)"
	peer bad
	hub_down
	t_diag "$SECONDS s"
	t_done
}

main "$@"
