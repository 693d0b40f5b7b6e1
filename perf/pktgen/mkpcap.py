#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""perf/pktgen/mkpcap.py - pcaps for the pktgen scripts (standard library only).

  mkpcap.py --imix [--dst-mac MAC] [--src-mac MAC] [--prefixes N] OUT.pcap
      IPv4/UDP from 10.0.0.2 to one host in each of N /24s from 16.0.0.0 (as vpnhub-bench),
      frames of 64/570/1518 bytes (FCS included) interleaved 7:4:1, N * 12 frames.
  mkpcap.py --size BYTES [...] OUT.pcap
      the same with one frame size.
  mkpcap.py --reverse IN.pcap OUT.pcap
      swap Ethernet and IPv4/IPv6 source and destination of every frame (checksums are
      unchanged by the swap): turns a capture of the hub's output into input for the reverse
      direction (see perf/README.md, ESP reverse path).
"""
import argparse
import struct
import sys

IMIX = (64, 570, 64, 64, 1518, 64, 570, 64, 64, 570, 64, 570)  # as perf/paths.c
FCS = 4


def mac(s):
    b = bytes(int(x, 16) for x in s.split(":"))
    if len(b) != 6:
        raise argparse.ArgumentTypeError("MAC address expected: " + s)
    return b


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(dst_mac, src_mac, dst_ip, size):
    """One Ethernet/IPv4/UDP frame of size bytes on the wire (without its FCS)."""
    src_ip = bytes((10, 0, 0, 2))
    l3 = size - FCS - 14
    payload = bytes((k * 31 + 7) & 0xFF for k in range(42, size - FCS))
    udp = struct.pack("!HHHH", 5001, 5001, l3 - 20, 0) + payload
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17, len(udp))
    ucs = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", ucs) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, l3, 0, 0, 64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "IIII", data[off:off + 16])[2]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def swap(fr):
    out = bytearray(fr[6:12] + fr[0:6] + fr[12:])
    etype = struct.unpack("!H", fr[12:14])[0]
    if etype == 0x0800:
        out[26:30], out[30:34] = fr[30:34], fr[26:30]
    elif etype == 0x86DD:
        out[22:38], out[38:54] = fr[38:54], fr[22:38]
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--imix", action="store_true")
    ap.add_argument("--size", type=int)
    ap.add_argument("--reverse", metavar="IN")
    ap.add_argument("--dst-mac", type=mac, default=mac("02:00:00:00:01:01"))
    ap.add_argument("--src-mac", type=mac, default=mac("02:00:00:00:02:01"))
    ap.add_argument("--prefixes", type=int, default=1000)
    ap.add_argument("out")
    a = ap.parse_args()
    if a.reverse:
        write_pcap(a.out, [swap(fr) for fr in read_pcap(a.reverse)])
        return 0
    if a.imix == bool(a.size) or (a.size and not 64 <= a.size <= 1518):
        ap.error("give --imix, or --size between 64 and 1518")
    sizes = IMIX if a.imix else (a.size,)
    frames = []
    for i in range(a.prefixes):
        dst = 16 << 24 | i << 8 | 1
        for size in sizes:
            frames.append(frame(a.dst_mac, a.src_mac, struct.pack("!I", dst), size))
    write_pcap(a.out, frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
