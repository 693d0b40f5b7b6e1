"""The integration tests' helper (esp.sh, ike.sh, ike-soak.sh; Debian's /usr/bin/python3):
sequence-numbered UDP streams, hub counters, hand-built frames, an ESP decoder, and the key
tables tshark decrypts IKEv2 and ESP with, made from a hub's debug log.

Usage: tool.py COMMAND ARGS... (COMMAND is a cmd_* function below, '-' for '_')."""
import ipaddress
import hashlib
import hmac
import json
import socket
import struct
import sys
import time

MAGIC = b"vhub"  # stream payload: 4-byte sequence number, MAGIC, then seq % 64 filler bytes


def payload(n):
    return struct.pack("!I", n) + MAGIC + bytes([0x5A]) * (n % 64)


# ---- the UDP stream ----

def cmd_rx(addr, port, count, ready):
    count = int(count)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE: root may pass rmem_max
    s.bind((addr, int(port)))
    open(ready, "w").close()
    seen = bytearray(count)
    got = dup = reord = bad = 0
    top = -1
    s.settimeout(30)  # until the first packet
    while True:
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        # After the last one, wait briefly for duplicates; otherwise stop after 2 s of silence.
        s.settimeout(0.5 if got - dup >= count else 2)
        if len(d) < 8 or d[4:8] != MAGIC:
            bad += 1
            continue
        n = struct.unpack("!I", d[:4])[0]
        if n >= count or d != payload(n):
            bad += 1
            continue
        got += 1
        if seen[n]:
            dup += 1
            continue
        seen[n] = 1
        if n < top:
            reord += 1
        top = max(top, n)
    print(f"received={got} missing={count - sum(seen)} duplicates={dup} "
          f"reordered={reord} bad={bad}")


def cmd_tx(addr, port, count, pps, burst, src=None):
    """COUNT datagrams to ADDR:PORT, PPS a second in bursts of BURST, from SRC if given."""
    count, pps, burst = int(count), int(pps), int(burst)
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.connect((addr, int(port)))
    step = burst / pps
    t = time.monotonic()
    for i in range(0, count, burst):
        for n in range(i, min(i + burst, count)):
            s.send(payload(n))
        t += step
        d = t - time.monotonic()
        if d > 0:
            time.sleep(d)
    print(f"sent={count}")


# ---- counters ----
#
# A snapshot is a hub's counters as {key: value}: drop_*/punt_* summed over lcores, IF.counter,
# sa.SPI.field, sa_telemetry (1 when /vpnhub/ipsec/sa answers). Files hold "key value" lines.
# The replies come from vpnhubctl raw; polling loops run here, in one process.

def docs(text):
    """The telemetry replies in text, one JSON document after the other, unwrapped."""
    dec, i, out = json.JSONDecoder(), 0, {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        d, i = dec.raw_decode(text, i)
        for k, v in d.items():
            out[k] = v


def snapshot(ctl, inst):
    import subprocess
    text = ""
    for cmd in ("/vpnhub/stats", "/vpnhub/interfaces", "/vpnhub/ipsec/sa"):
        r = subprocess.run([ctl, "--instance", inst, "raw", cmd], capture_output=True, text=True,
                           timeout=20)
        if r.returncode != 0:
            raise SystemExit(f"vpnhubctl --instance {inst} raw {cmd}: {r.stderr.strip()}")
        text += r.stdout + "\n"
    d, out = docs(text), {}
    for k, v in d["/vpnhub/stats"]["total"].items():
        if k.startswith(("drop_", "punt_")):
            out[k] = v
    for name, ifc in d["/vpnhub/interfaces"].items():
        for k in ("rx_packets", "tx_packets", "drops"):
            out[f"{name}.{k}"] = ifc[k]
    sas = d.get("/vpnhub/ipsec/sa")
    out["sa_telemetry"] = 1 if isinstance(sas, dict) else 0
    for e in (sas or {}).values():
        if isinstance(e, dict):
            for k, v in e.items():
                if k in ("pkts", "bytes", "seq") or k.startswith("err_"):
                    out[f"sa.{e['spi']}.{k}"] = v
    return out


def save(path, snap):
    with open(path, "w") as f:
        f.writelines(f"{k} {v}\n" for k, v in sorted(snap.items()))


def load(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.split() for line in f if line.strip())}


def cmd_snap(ctl, inst, out):
    save(out, snapshot(ctl, inst))


BACKGROUND = ("drop_mcast_unhandled",)  # what a host's own multicast may move at any time


def delta(b, a, specs, named):
    """(ok, text): every KEY=N of specs moved by exactly N from b to a, and unless named, every
    other drop_* and sa.*.err_* counter by 0 (BACKGROUND excepted). Without SA telemetry the
    sa.* specs are skipped (the callers also name the counters that stand in for them)."""
    want = {}
    for s in specs:
        k, n = s.split("=")
        if k.startswith("sa.") and not a.get("sa_telemetry"):
            continue
        want[k] = int(n)
    bad, shown = [], []
    for k, n in want.items():
        if k not in a or k not in b:
            bad.append(f"{k}: no such counter")
            continue
        got = a[k] - b[k]
        shown.append(f"{k} {got:+d}")
        if got != n:
            bad.append(f"{k}: moved by {got:+d}, want {n:+d} ({b[k]} -> {a[k]})")
    if not named:
        for k in sorted(a):
            if k in want or k not in b or k in BACKGROUND:
                continue
            if (k.startswith("drop_") or (k.startswith("sa.") and ".err_" in k)) and a[k] != b[k]:
                bad.append(f"{k}: moved by {a[k] - b[k]:+d}, want +0")
    return not bad, ", ".join(shown) if not bad else "\n".join(bad)


def cmd_await(ctl, inst, before, out, secs, *specs):
    """Snapshot the hub until the named counters moved as specs say (at most SECS seconds), then
    once more a moment later (into OUT), and judge that one with delta(). --named: only the named
    counters are judged."""
    named = "--named" in specs
    specs = [s for s in specs if s != "--named"]
    b = load(before)
    deadline = time.monotonic() + float(secs)
    while not delta(b, snapshot(ctl, inst), specs, True)[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.2)  # anything that moves late shows now
    a = snapshot(ctl, inst)
    save(out, a)
    ok, text = delta(b, a, specs, named)
    print(text)
    sys.exit(0 if ok else 1)


def cmd_settle(ctl, inst_a, inst_b, out_a, out_b):
    """Snapshot both hubs until their SA and vti1 counters stop moving (at most 5 s); the last
    snapshots go to OUT_A and OUT_B."""
    def tunnel(snap):
        return {k: v for k, v in snap.items() if k.startswith(("sa.", "vti1."))}
    a, b = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.3)
        a2, b2 = snapshot(ctl, inst_a), snapshot(ctl, inst_b)
        still = tunnel(a2) == tunnel(a) and tunnel(b2) == tunnel(b)
        a, b = a2, b2
        if still:
            break
    save(out_a, a)
    save(out_b, b)


def cmd_rxq():
    """stdin: DPDK's /ethdev/xstats reply. stdout: rx_q<N>_packets for N = 0, 1, ..."""
    d = next(iter(json.load(sys.stdin).values()))
    n = sorted(int(k[4:-8]) for k in d if k.startswith("rx_q") and k.endswith("_packets"))
    print(" ".join(str(d[f"rx_q{i}_packets"]) for i in n))


# ---- frames ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, body, ident=0x4242):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), ident, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + body


def udp(sport, dport, body):
    return struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body  # RFC 3948 2.1: 0 is ok


def pcap_frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file (dumpcap -P writes one)")
    if struct.unpack(e + "I", data[20:24])[0] != 1:
        raise SystemExit(f"{path}: link type is not Ethernet")
    off, out = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def outer_esp(frame):
    """(ESP bytes, True if in UDP from and to port 4500) of an Ethernet/IPv4 frame carrying ESP
    (or ESP in UDP to port 4500), else None."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    hl, tl, proto = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0], ip[9]
    l4 = ip[hl:tl]
    if proto == 50:
        return l4, False
    if proto == 17 and len(l4) >= 8 and struct.unpack("!H", l4[2:4])[0] == 4500:
        p = l4[8:]
        if len(p) >= 8 and p[:4] != b"\0\0\0\0":
            return p, struct.unpack("!H", l4[0:2])[0] == 4500  # in UDP 4500 -> 4500?
    return None


def cmd_frame_pcap(path, number, flip=None):
    """The IP packet of frame NUMBER (1-based) of a capture, as hex; flip=-1 inverts the low
    bit of its last byte (an ESP packet's ICV)."""
    f = bytearray(pcap_frames(path)[int(number) - 1][14:])
    f = f[:struct.unpack("!H", f[2:4])[0]]  # without Ethernet padding
    if flip is not None:
        f[int(flip)] ^= 1
    print(f.hex())


def cmd_frame_esp(src, dst, spi, nbytes):
    """An ESP packet NBYTES long after the IP header: SPI, sequence number 1, zeros (cut)."""
    esp = struct.pack("!II", int(spi, 0), 1) + bytes(64)
    print(ip4(src, dst, 50, esp[:int(nbytes)]).hex())


def cmd_frame_keepalive(src, dst):
    print(ip4(src, dst, 17, udp(4500, 4500, b"\xff")).hex())


def inner_echo_reply(src, dst):
    icmp = struct.pack("!BBHHH", 0, 0, 0, 0x7e57, 1) + b"vpnhub-esp"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    return ip4(src, dst, 1, icmp)


def esp_trailer(inner, align):
    pad = (align - (len(inner) + 2) % align) % align
    return inner + bytes(range(1, pad + 1)) + bytes([pad, 4])


def cmd_frame_gcm(src, dst, spi, seq, key, isrc, idst):
    """A well-formed AES-GCM ESP packet (tunnel mode, an ICMP echo reply ISRC -> IDST inside)
    with sequence number SEQ, sealed with KEY (key || 4-byte salt)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    k = bytes.fromhex(key.removeprefix("0x"))
    hdr = struct.pack("!II", int(spi, 0), int(seq))
    iv = struct.pack("!Q", 0x1122334455667788)
    ct = AESGCM(k[:-4]).encrypt(k[-4:] + iv, esp_trailer(inner_echo_reply(isrc, idst), 4), hdr)
    print(ip4(src, dst, 50, hdr + iv + ct).hex())


def cmd_frame_cbc(src, dst, spi, seq, ctlen, enc_key, auth_key, esn, isrc, idst):
    """ESP in UDP 4500 for an AES-CBC + HMAC-SHA-256-128 SA, its ICV right (over seq_hi = 0 when
    ESN is 1). CTLEN "good": an ICMP echo reply ISRC -> IDST, encrypted with ENC_KEY; a number:
    that many bytes of junk ciphertext (need not be whole blocks)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    iv = bytes(range(0xF0, 0x100))
    if ctlen == "good":
        e = Cipher(algorithms.AES(bytes.fromhex(enc_key.removeprefix("0x"))), modes.CBC(iv))
        c = e.encryptor()
        ct = c.update(esp_trailer(inner_echo_reply(isrc, idst), 16)) + c.finalize()
    else:
        ct = bytes([0x3C]) * int(ctlen)
    body = struct.pack("!II", int(spi, 0), int(seq)) + iv + ct
    k = bytes.fromhex(auth_key.removeprefix("0x"))
    icv = hmac.new(k, body + (b"\0\0\0\0" if esn == "1" else b""), hashlib.sha256).digest()
    print(ip4(src, dst, 17, udp(4500, 4500, body + icv[:16])).hex())


def cmd_inject(iface, src_mac, dst_mac, *packets):
    """Send each hex IP packet on IFACE in an Ethernet frame, bypassing the qdisc so that no
    other packet socket on IFACE (a hub's own) sees it as outgoing."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(263, 20, 1)  # SOL_PACKET, PACKET_QDISC_BYPASS
    s.bind((iface, 0))
    eth = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", ""))
    for p in packets:
        b = bytes.fromhex(p)
        s.send(eth + (b"\x86\xdd" if b[0] >> 4 == 6 else b"\x08\x00") + b)
        time.sleep(0.01)


# ---- decoding ESP: our own decoder and tshark's fields, checked the same way ----

def inner_of(pkt):
    """(family, src, dst, proto, icmp type, udp dport, stream seq) of a decrypted packet."""
    v = pkt[0] >> 4 if pkt else 0
    if v == 4 and len(pkt) >= 20:
        hl = (pkt[0] & 15) * 4
        fam, src, dst, proto, l4 = 4, socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(
            pkt[16:20]), pkt[9], pkt[hl:]
    elif v == 6 and len(pkt) >= 40:
        fam, proto, l4 = 6, pkt[6], pkt[40:]
        src = str(ipaddress.IPv6Address(pkt[8:24]))
        dst = str(ipaddress.IPv6Address(pkt[24:40]))
    else:
        return None
    itype = l4[0] if proto in (1, 58) and l4 else None
    dport = sseq = None
    if proto == 17 and len(l4) >= 8:
        dport = struct.unpack("!H", l4[2:4])[0]
        p = l4[8:]
        if len(p) >= 8 and p[4:8] == MAGIC and p == payload(struct.unpack("!I", p[:4])[0]):
            sseq = struct.unpack("!I", p[:4])[0]
    return fam, src, dst, proto, itype, dport, sseq


def open_esp(alg, key, auth_key, esn, esp):
    """(ICV ok, ICV ok if ESN were off, decrypted inner packet or None) of one ESP packet."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
    seq_hi = b"\0\0\0\0"  # the captures start at sequence number 1
    if alg in ("gcm", "chacha"):
        aead = AESGCM(key[:-4]) if alg == "gcm" else ChaCha20Poly1305(key[:-4])
        nonce, ct = key[-4:] + esp[8:16], esp[16:]
        aad = esp[:4] + seq_hi + esp[4:8] if esn else esp[:8]
        try:
            pt = aead.decrypt(nonce, ct, aad)
        except InvalidTag:
            return False, False, None
        ok_plain = True
    else:  # cbc: AES-CBC + HMAC-SHA-256-128
        icv, signed = esp[-16:], esp[:-16]
        mac = hmac.new(auth_key, signed + (seq_hi if esn else b""), hashlib.sha256).digest()
        plain = hmac.new(auth_key, signed, hashlib.sha256).digest()
        ok_plain = hmac.compare_digest(plain[:16], icv)
        if not hmac.compare_digest(mac[:16], icv):
            return False, ok_plain, None
        ct = esp[24:-16]
        if len(ct) % 16:
            return True, ok_plain, None
        d = Cipher(algorithms.AES(key), modes.CBC(esp[8:24])).decryptor()
        pt = d.update(ct) + d.finalize()
    padlen, nh = pt[-2], pt[-1]
    if padlen + 2 > len(pt) or pt[-2 - padlen:-2] != bytes(range(1, padlen + 1)) or nh not in (
            4, 41):
        return True, ok_plain, None
    return True, ok_plain, pt[:-2 - padlen]


def cmd_decode(path, alg, key, auth_key, esn, *checks):
    """Decode every ESP packet of a capture with our own decoder; see check()."""
    key = bytes.fromhex(key.removeprefix("0x"))
    auth_key = bytes.fromhex(auth_key.removeprefix("0x")) if auth_key != "-" else b""
    recs, extra = [], {"icv_ok_without_esn": 0}
    for frame in pcap_frames(path):
        o = outer_esp(frame)
        if o is None:
            continue
        esp, in_udp = o
        spi, seq = struct.unpack("!II", esp[:8])
        ok, ok_plain, inner = open_esp(alg, key, auth_key, esn == "1", esp)
        extra["icv_ok_without_esn"] += ok_plain and esn == "1"
        recs.append((spi, seq, ok, inner_of(inner) if inner else None, in_udp))
    check(recs, checks, extra)


def tshark_records(lines):
    """(frame number, record) of each line of tshark -T fields -e frame.number -e esp.spi
    -e esp.sequence -e esp.icv_good -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.proto
    -e ipv6.nxt -e icmp.type -e icmpv6.type -e udp.srcport -e udp.dstport -e data.data
    (tab-separated, occurrences joined by commas). A record is (spi, seq, ICV right, inner as
    inner_of() gives it or None, in UDP)."""
    for line in lines:
        f = line.rstrip("\n").split("\t")
        if len(f) < 15 or not f[1]:
            continue
        frame, f = int(f[0]), f[1:]
        spi, seq = int(f[0], 0), int(f[1])
        ok = f[2] == "1"
        ip_src, ip_dst = f[3].split(","), f[4].split(",")
        sports, ports = f[11].split(","), f[12].split(",") if f[12] else []
        in_udp = bool(ports) and ports[0] == "4500" and sports[0] == "4500"
        inner = None
        if f[5]:
            fam, src, dst, proto = 6, f[5], f[6], int(f[8].split(",")[-1] or -1)
        elif len(ip_src) >= 2:
            fam, src, dst, proto = 4, ip_src[-1], ip_dst[-1], int(f[7].split(",")[-1])
        else:
            fam = None
        if fam:
            t = f[9] if fam == 4 else f[10]
            itype = int(t.split(",")[0]) if t else None
            dport = sseq = None
            if proto == 17 and ports:
                dport = int(ports[-1])
                p = bytes.fromhex(f[13].split(",")[-1]) if f[13] else b""
                if len(p) >= 8 and p[4:8] == MAGIC and p == payload(struct.unpack("!I", p[:4])[0]):
                    sseq = struct.unpack("!I", p[:4])[0]
            inner = (fam, src, dst, proto, itype, dport, sseq)
        yield frame, (spi, seq, ok, inner, in_udp)


def cmd_tshark_sum(*checks):
    """stdin: tshark's fields (see tshark_records); the records are checked by check()."""
    check([r for _, r in tshark_records(sys.stdin)], checks, {})


def cmd_pick(*want):
    """stdin: tshark's fields (see tshark_records). Prints "frame seq" of each ESP packet whose
    inner packet matches every WANT: src=A dst=A proto=N type=N."""
    c = dict(x.split("=", 1) for x in want)
    for frame, (spi, seq, ok, inner, _) in tshark_records(sys.stdin):
        if inner is None:
            continue
        have = {"src": inner[1], "dst": inner[2], "proto": str(inner[3]), "type": str(inner[4])}
        if all(have[k] == v for k, v in c.items()):
            print(frame, seq)


def check(recs, checks, extra):
    """Checks (KEY=VALUE): spi=0x.. every packet's SPI; icv=1 every ICV right, 0: not judged;
    udp=0|1 every packet in UDP 4500; count=N exactly N packets; stream=N the inner UDP packets
    are the stream 0..N-1, each once (their order is noted, the receiver judges it); src=A,B /
    dst=A,B the inner addresses allowed; esn=1 no ICV verifies without the ESN high bits.
    Always: the sequence numbers are 1..count in capture order, every inner packet is an ICMP
    echo or a stream datagram. Prints a summary; exit 1 with the reasons when a check fails."""
    c = dict(x.split("=", 1) for x in checks)
    bad = []
    n = len(recs)
    if "count" in c and n != int(c["count"]):
        bad.append(f"{n} ESP packets, want {c['count']}")
    seqs = [r[1] for r in recs]
    if seqs != list(range(1, n + 1)):
        first = next((i for i, s in enumerate(seqs) if s != i + 1), None)
        bad.append(f"sequence numbers not 1..{n} in order: packet {first + 1} has "
                   f"{seqs[first]}" if first is not None else "no packets")
    spis = {r[0] for r in recs}
    if "spi" in c and spis - {int(c["spi"], 0)}:
        bad.append("SPIs " + ", ".join(hex(s) for s in sorted(spis)))
    if c.get("udp") in ("0", "1") and any(r[4] != (c["udp"] == "1") for r in recs):
        bad.append("not every packet is " + ("in UDP 4500" if c["udp"] == "1" else "plain ESP"))
    good_icv = sum(1 for r in recs if r[2])
    if c.get("icv", "1") == "1" and good_icv != n:
        bad.append(f"ICV right on {good_icv} of {n}")
    srcs = set(c["src"].split(",")) if "src" in c else None
    dsts = set(c["dst"].split(",")) if "dst" in c else None
    kinds = {}
    stream = []
    for spi, seq, ok, inner, _ in recs:
        if inner is None:
            kinds["undecrypted"] = kinds.get("undecrypted", 0) + 1
            continue
        fam, src, dst, proto, itype, dport, sseq = inner
        if (srcs and src not in srcs) or (dsts and dst not in dsts):
            kinds["unexpected-address"] = kinds.get("unexpected-address", 0) + 1
            continue
        if proto == 1 and itype in (0, 8):
            k = "icmp-echo-" + ("request" if itype == 8 else "reply")
        elif proto == 58 and itype in (128, 129):
            k = "icmp6-echo-" + ("request" if itype == 128 else "reply")
        elif proto == 17 and sseq is not None:
            k = "udp-stream"
            stream.append(sseq)
        else:
            k = f"other(v{fam} proto {proto} type {itype} port {dport})"
        kinds[k] = kinds.get(k, 0) + 1
    odd = {k: v for k, v in kinds.items() if not k.startswith(("icmp", "udp-stream"))}
    if odd:
        bad.append("inner packets not expected: " + ", ".join(f"{k} {v}" for k, v in odd.items()))
    want_stream = int(c.get("stream", 0))
    if sorted(stream) != list(range(want_stream)):
        bad.append(f"inner UDP stream: {len(stream)} packets ({len(set(stream))} distinct), "
                   f"want 0..{want_stream - 1} once each")
    if stream and stream != sorted(stream):  # the receiver's check judges the order
        kinds["udp-stream"] = f"{len(stream)} (not in order)"
    if "esn" in c and extra.get("icv_ok_without_esn"):
        bad.append(f"{extra['icv_ok_without_esn']} ICVs also verify without the ESN high bits")
    summary = (f"{n} ESP packets, SPI {', '.join(hex(s) for s in sorted(spis))}, "
               f"seq {seqs[0] if seqs else '-'}..{seqs[-1] if seqs else '-'}, "
               f"ICV right {good_icv}, inner: "
               + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(summary if not bad else summary + "\n" + "\n".join(bad))
    sys.exit(1 if bad else 0)


# ---- key tables for tshark, from a hub's debug log (ike.sh scenario tshark) ----
#
# At system.log_level debug the hub logs "keys of IKE SA: k=v ..." once per IKE SA (made or
# rekeyed) and "keys of Child SA: k=v ..." once per direction of each Child SA. keylog turns
# them into Wireshark's UAT files ikev2_decryption_table and esp_sa in a config directory
# (WIRESHARK_CONFIG_DIR); tshark_ike then decodes a capture with them.

IKE_ENCR = {"aes-gcm-16-128": "AES-GCM-128 with 16 octet ICV [RFC5282]",
            "aes-gcm-16-256": "AES-GCM-256 with 16 octet ICV [RFC5282]",
            "aes-cbc-128": "AES-CBC-128 [RFC3602]", "aes-cbc-192": "AES-CBC-192 [RFC3602]",
            "aes-cbc-256": "AES-CBC-256 [RFC3602]"}
IKE_INTEG = {"none": "NONE [RFC4306]", "hmac-sha1-96": "HMAC_SHA1_96 [RFC2404]",
             "hmac-sha2-256-128": "HMAC_SHA2_256_128 [RFC4868]",
             "hmac-sha2-384-192": "HMAC_SHA2_384_192 [RFC4868]",
             "hmac-sha2-512-256": "HMAC_SHA2_512_256 [RFC4868]"}
ESP_ENCR = {"aes-gcm-16-128": "AES-GCM with 16 octet ICV [RFC4106]",
            "aes-gcm-16-256": "AES-GCM with 16 octet ICV [RFC4106]",
            "aes-cbc-128": "AES-CBC [RFC3602]", "aes-cbc-192": "AES-CBC [RFC3602]",
            "aes-cbc-256": "AES-CBC [RFC3602]"}
ESP_INTEG = {"none": "NULL", "hmac-sha1-96": "HMAC-SHA-1-96 [RFC2404]",
             "hmac-sha2-256-128": "HMAC-SHA-256-128 [RFC4868]",
             "hmac-sha2-384-192": "HMAC-SHA-384-192 [RFC4868]",
             "hmac-sha2-512-256": "HMAC-SHA-512-256 [RFC4868]"}
EXCHANGES = {35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}


def key_lines(log, what):
    """The k=v words of each "keys of WHAT:" line of a hub log, as dicts."""
    tag = f"keys of {what}: "
    with open(log, errors="replace") as f:
        for line in f:
            if tag in line:
                yield dict(w.split("=", 1) for w in line.split(tag, 1)[1].split() if "=" in w)


def spoil(hexkey, flip):
    """The key with its first octet inverted when FLIP (a decoder given it must fail)."""
    if not flip or hexkey == "-":
        return hexkey
    return f"{int(hexkey[:2], 16) ^ 0xFF:02x}" + hexkey[2:]


def cmd_keylog(log, confdir, flip=""):
    """Write CONFDIR/ikev2_decryption_table and CONFDIR/esp_sa from the key lines of LOG (flip:
    every key spoiled, see spoil()). Prints how many SAs of each kind it found."""
    import os
    os.makedirs(confdir, exist_ok=True)
    ike, esp, bad = [], [], []
    for k in key_lines(log, "IKE SA"):
        if k.get("encr") not in IKE_ENCR or k.get("integ") not in IKE_INTEG:
            bad.append(f"IKE SA {k.get('spi_i')}: no tshark name for {k.get('encr')}/{k.get('integ')}")
            continue
        ai, ar = (spoil(k[x], flip) if k[x] != "-" else "" for x in ("sk_ai", "sk_ar"))
        ike.append(f'{k["spi_i"]},{k["spi_r"]},{spoil(k["sk_ei"], flip)},'
                   f'{spoil(k["sk_er"], flip)},"{IKE_ENCR[k["encr"]]}",{ai},{ar},'
                   f'"{IKE_INTEG[k["integ"]]}"\n')
    for k in key_lines(log, "Child SA"):
        if k.get("encr") not in ESP_ENCR or k.get("integ") not in ESP_INTEG:
            bad.append(f"Child SA {k.get('spi')}: no tshark name for {k.get('encr')}/{k.get('integ')}")
            continue
        akey = "0x" + spoil(k["akey"], flip) if k["akey"] != "-" else ""
        esp.append(f'"IPv4","{k["src"]}","{k["dst"]}","{k["spi"]}","{ESP_ENCR[k["encr"]]}",'
                   f'"0x{spoil(k["ekey"], flip)}","{ESP_INTEG[k["integ"]]}","{akey}"\n')
    with open(os.path.join(confdir, "ikev2_decryption_table"), "w") as f:
        f.writelines(ike)
    with open(os.path.join(confdir, "esp_sa"), "w") as f:
        f.writelines(esp)
    print(f"IKE SAs {len(ike)}, Child SA directions {len(esp)}")
    if bad:
        print("\n".join(bad))
        sys.exit(1)


def tshark_frames(pcap, confdir, dfilter, *fields):
    """tshark's fields (lists of values) of each frame of PCAP that DFILTER selects, decoded
    with the key tables of CONFDIR."""
    import os
    import subprocess
    cmd = ["tshark", "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
           "-o", "esp.enable_authentication_check:TRUE", "-Y", dfilter, "-T", "fields",
           "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, WIRESHARK_CONFIG_DIR=confdir))
    if r.returncode != 0:
        raise SystemExit(f"tshark: {r.stderr.strip()}")
    out = {}
    for line in r.stdout.splitlines():
        v = line.split("\t")
        out[int(v[0])] = [x.split(",") if x else [] for x in v[1:]]
    return out


def cmd_tshark_ike(pcap, confdir, *checks):
    """tshark decodes PCAP with the key tables of CONFDIR (see keylog). Checks: every IKE message
    of IKE_AUTH, CREATE_CHILD_SA and INFORMATIONAL is decrypted with its integrity check right,
    and IKE_AUTH shows its identities and AUTH inside; every ESP packet has a good ICV and an
    inner packet. KEY=N among CHECKS: at least N of that (IKE_AUTH, CREATE_CHILD_SA,
    INFORMATIONAL, esp, spis), KEY==N: exactly N. Prints a summary; exit 1 with the reasons
    when a check fails."""
    want = {}  # KEY: (N, exact)
    for c in checks:
        k, v = c.split("=", 1)
        want[k] = (int(v.lstrip("=")), v.startswith("="))
    enc = tshark_frames(pcap, confdir, "isakmp.exchangetype >= 35 && isakmp.exchangetype <= 37",
                        "isakmp.exchangetype", "isakmp.typepayload")
    dec = tshark_frames(pcap, confdir, "isakmp.enc.decrypted")
    icd_bad = tshark_frames(pcap, confdir, "isakmp.ikev2.integrity_checksum")
    esp = tshark_frames(pcap, confdir, "esp", "esp.spi", "esp.icv_good", "ip.proto")
    bad, per, ike_ok = [], {}, 0
    for n, (xt, pl) in enc.items():
        name = EXCHANGES.get(int(xt[0]), xt[0])
        per[name] = per.get(name, 0) + 1
        if n not in dec:
            bad.append(f"frame {n} ({name}): not decrypted")
        elif n in icd_bad:
            bad.append(f"frame {n} ({name}): integrity checksum incorrect")
        elif name == "IKE_AUTH" and not ({"35", "36"} & set(pl) and "39" in pl):
            bad.append(f"frame {n} (IKE_AUTH): no ID and AUTH payloads inside ({pl})")
        else:
            ike_ok += 1
    esp_ok, spis = 0, {}
    for n, (spi, icv, proto) in esp.items():
        spis[spi[0] if spi else "?"] = spis.get(spi[0] if spi else "?", 0) + 1
        if icv != ["1"]:
            bad.append(f"frame {n}: ESP SPI {spi} ICV not verified good ({icv})")
        elif len(proto) < 2:
            bad.append(f"frame {n}: ESP SPI {spi} has no inner packet")
        else:
            esp_ok += 1
    have = dict(per, esp=len(esp), spis=len(spis))
    for k, (n, exact) in want.items():
        if have.get(k, 0) < n or (exact and have.get(k, 0) != n):
            bad.append(f"{k}: {have.get(k, 0)}, want {'exactly' if exact else 'at least'} {n}")
    print(f"IKE {ike_ok}/{len(enc)} decrypted and verified ("
          + ", ".join(f"{k} {v}" for k, v in sorted(per.items()))
          + f"), ESP {esp_ok}/{len(esp)} with a good ICV on {len(spis)} SPIs")
    if bad:
        print("\n".join(bad[:20]))
        sys.exit(1)


if __name__ == "__main__":
    globals()["cmd_" + sys.argv[1].replace("-", "_")](*sys.argv[2:])
