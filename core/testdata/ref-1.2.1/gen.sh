#!/usr/bin/env bash
# gen.sh — regenerate the reference-1.2.1 golden pool files and their manifests.
#
#   core/testdata/ref-1.2.1/gen.sh [REF_DIR]     (REF_DIR defaults to $PLASMITE_REF or .ref)
#
# Every .plasmite file here is written by the reference CLI (release 1.2.1) only; dump.py
# (ours) then reads each file and writes <name>.json describing every header field, frame,
# wrap marker and index slot, cross-checked against the reference's own `pool info` and
# `follow` output. Timestamps are wall-clock, so a rerun changes the files' bytes
# (not their structure).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ref=${1:-${PLASMITE_REF:-$here/../../../.ref}}
P="$ref/bin/plasmite"
[ -x "$P" ] || { echo "gen.sh: no reference CLI at $P" >&2; exit 1; }
[ "$("$P" --version)" = "plasmite 1.2.1" ] || { echo "gen.sh: $P is not 1.2.1" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pl() { "$P" --dir "$work" "$@"; }

# empty: 16 KiB, auto index (64 slots), never appended to.
pl pool create empty --size 16K >/dev/null

# messages: 16 KiB, auto index, five messages with tags, no wrap.
pl pool create messages --size 16K >/dev/null
pl feed messages --tag greeting '{"hello":"world"}' >/dev/null
pl feed messages --tag a --tag b '{"ok":true,"n":42}' >/dev/null
pl feed messages '{"nested":{"f":1.5,"arr":[1,2,3]}}' >/dev/null
pl feed messages --tag 'unicode-✓' '{"text":"héllo ✓"}' >/dev/null
pl feed messages --tag x '{"neg":-7,"big":9007199254740993,"nil":null}' >/dev/null

# wrapped: 16 KiB, auto index, 150 messages of growing size: the ring wraps several times,
# leaving a wrap marker before the newest frames and stale frames/index slots everywhere.
pl pool create wrapped --size 16K >/dev/null
for i in $(seq 1 150); do
	pad=$(printf '%*s' $((i % 40)) '' | tr ' ' 'x')
	printf '{"i":%d,"pad":"%s"}\n' "$i" "$pad"
done | pl feed wrapped --tag w >/dev/null

# marker: no index, ring = 2*504+64 = 1072 bytes, every frame 504 bytes. Three appends: seq 3
# does not fit after seq 2, so a wrap marker goes at ring offset 1008, seq 3 at 0 and seq 1
# is dropped; the ring is then full (head == tail == 504) with the marker inside the live range.
pl pool create marker --size $((4096 + 1072)) --index-capacity 0 >/dev/null
for i in 1 2 3; do pl feed marker --tag t1 "{\"i\":$i}" >/dev/null; done

# gap: as marker but ring = 2*504+56 = 1064 bytes: the 56 bytes left at the ring end cannot
# hold a frame header, so the writer wraps to 0 without writing anything (implicit wrap gap).
pl pool create gap --size $((4096 + 1064)) --index-capacity 0 >/dev/null
for i in 1 2 3; do pl feed gap --tag t1 "{\"i\":$i}" >/dev/null; done

for name in empty messages wrapped marker gap; do
	cp "$work/$name.plasmite" "$here/$name.plasmite"
	pl pool info "$name" >"$work/$name.info.json"
	pl follow "$name" --no-follow >"$work/$name.follow.jsonl"
	python3 "$here/dump.py" "$here/$name.plasmite" "$work/$name.info.json" "$work/$name.follow.jsonl" \
		>"$here/$name.json"
done

# Lite3 payload goldens for core/lite3.
python3 "$here/../../lite3/testdata/ref-1.2.1/hex/gen_cases.py" "$P" \
	>"$here/../../lite3/testdata/ref-1.2.1/hex/cases.jsonl"
echo "gen.sh: done" >&2
