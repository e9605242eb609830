#!/usr/bin/env python3
"""dump.py POOL INFO_JSON FOLLOW_JSONL — describe a pool file written by the reference.

Reads the file with its own small decoder (format v3, see docs/format.md), walks the live
frames from tail to head, and prints one JSON manifest on stdout. It asserts that what it
decoded agrees with the reference's `pool info` (INFO_JSON) and `follow --no-follow`
(FOLLOW_JSONL) output for the same file, so the manifest is checked twice.
"""
import json
import struct
import sys

HEADER = 4096
FRAME_HDR = 64


def align8(n):
    return (n + 7) & ~7


def main(pool_path, info_path, follow_path):
    b = open(pool_path, "rb").read()
    info = json.load(open(info_path))
    follow = [json.loads(line) for line in open(follow_path) if line.strip()]

    assert b[0:4] == b"PLSM"
    version, = struct.unpack_from("<I", b, 4)
    endian = b[8]
    file_size, index_offset, index_capacity = struct.unpack_from("<QQI", b, 16)
    ring_offset, ring_size, flags, head, tail, tail_next, oldest, newest = struct.unpack_from("<8Q", b, 40)
    reserved_zero = not any(b[9:16]) and not any(b[36:40]) and not any(b[104:HEADER])
    assert len(b) == file_size
    assert ring_offset == HEADER + 16 * index_capacity and ring_offset + ring_size == file_size

    header = dict(magic="PLSM", format_version=version, endianness=endian, file_size=file_size,
                  index_offset=index_offset, index_capacity=index_capacity, ring_offset=ring_offset,
                  ring_size=ring_size, flags=flags, head_off=head, tail_off=tail,
                  tail_next_off=tail_next, oldest_seq=oldest, newest_seq=newest,
                  reserved_bytes_zero=reserved_zero)

    ring = b[ring_offset:]
    messages, wraps = [], []
    if oldest:
        off, seq = tail, oldest
        while True:
            if ring_size - off < FRAME_HDR:
                wraps.append(dict(kind="gap", offset=off, length=ring_size - off))
                off = 0
                continue
            magic = ring[off:off + 4]
            state, fflags, hlen, fseq, ts, plen, plen_x, crc = struct.unpack_from("<IIIQQIII", ring, off + 4)
            assert magic == b"FRM1" and hlen == FRAME_HDR, (off, magic, hlen)
            if state == 3:
                assert fseq == 0 and ts == 0 and plen == 0 and plen_x == 0xFFFFFFFF
                wraps.append(dict(kind="marker", offset=off, length=ring_size - off))
                off = 0
                continue
            assert state == 2 and fseq == seq and plen ^ plen_x == 0xFFFFFFFF, (off, state, fseq, seq)
            assert fflags == 0 and crc == 0 and not any(ring[off + 44:off + 64])
            assert ring[off + 64 + plen:off + 72 + plen] == b"PLSMCMIT"
            messages.append(dict(seq=fseq, offset=off, frame_len=align8(FRAME_HDR + plen + 8),
                                 payload_len=plen, timestamp_ns=ts))
            off += align8(FRAME_HDR + plen + 8)
            if off == ring_size:
                off = 0
            if seq == newest:
                assert off == head, (off, head)
                break
            seq += 1

    index = []
    for slot in range(index_capacity):
        s, o = struct.unpack_from("<QQ", b, HEADER + 16 * slot)
        if s or o:
            assert s % index_capacity == slot
            index.append([slot, s, o])

    # Cross-check with the reference's own view of the same file.
    for k in ("file_size", "index_offset", "index_capacity", "ring_offset", "ring_size"):
        assert info[k] == header[k], k
    assert info["bounds"] == ({"oldest": oldest, "newest": newest} if oldest else {})
    assert len(follow) == len(messages)
    for m, f in zip(messages, follow):
        assert f["seq"] == m["seq"]
        m["time"] = f["time"]
        m["tags"] = f["meta"]["tags"]
        m["data"] = f["data"]
    metrics = info["metrics"]
    metrics["age"] = {k: v for k, v in metrics["age"].items() if not k.endswith("_age_ms")}

    out = dict(file=pool_path.rsplit("/", 1)[-1], header=header, messages=messages, wraps=wraps,
               index=index, ref_metrics=metrics)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
