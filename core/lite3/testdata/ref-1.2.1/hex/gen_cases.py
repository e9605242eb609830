#!/usr/bin/env python3
"""gen_cases.py PLASMITE_BIN — print cases.jsonl: the Lite3 payloads release 1.2.1 writes.

For every case below the reference CLI appends the message to a scratch 1 MiB pool
(`feed POOL DATA --tag T...`), then the exact payload bytes are read back with
`fetch POOL SEQ --format lite3-raw` (which prints the frame's payload unchanged) and the
reference's JSON rendering with `fetch POOL SEQ --format json`.

Output line: {"name":…,"data":<input JSON text, verbatim>,"tags":[…],
              "lite3_hex":"…","ref_message":<the reference's `fetch --format json` line, verbatim>}
"data" is the text that was fed, embedded verbatim (so number spellings survive).
"""
import json
import os
import subprocess
import sys
import tempfile

many_keys = "{" + ",".join('"k%02d":%d' % (i, i) for i in range(40)) + "}"
long_array = "{\"a\":[" + ",".join(str(i * i) for i in range(30)) + "]}"
deep = "{\"d\":" + "{\"x\":" * 12 + "1" + "}" * 12 + "}"
long_key = "{\"" + "k" * 70 + "\":\"long key\",\"" + "q" * 300 + "\":1}"

CASES = [
    ("empty-object", "{}", []),
    ("simple", '{"hello":"world"}', ["greeting"]),
    ("scalars", '{"t":true,"f":false,"n":null,"i":-17,"z":0}', ["a", "b", "c"]),
    ("floats", '{"half":0.5,"pi":3.141592653589793,"neg":-2.25,"exp":1e20,"tiny":5e-324,"whole":3.0,"negzero":-0.0}', []),
    ("big-ints", '{"i64max":9223372036854775807,"i64min":-9223372036854775808,"u64max":18446744073709551615,"beyond":18446744073709551616,"js":9007199254740993}', ["ints"]),
    ("unicode", '{"fr":"héllo","cjk":"漢字","emoji":"😀🎉","rtl":"שלום","esc":"tab\\there \\"q\\" back\\\\slash\\nnl","ctl":"\\u0001\\u001f"}', ["ünï", "😀"]),
    ("unicode-keys", '{"ключ":1,"键":2,"🔑":3,"":"empty key"}', []),
    ("nested", '{"user":{"name":"ann","roles":["admin","dev"],"prefs":{"theme":"dark","size":12}},"ok":true}', ["nested"]),
    ("arrays", '{"mixed":[1,"two",3.5,null,true,{"k":"v"},[]],"empty":[],"nested":[[1,2],[3,[4,[5]]]]}', []),
    ("many-keys", many_keys, ["split"]),
    ("long-array", long_array, []),
    ("deep", deep, []),
    ("long-keys", long_key, []),
    ("objects-in-array", '{"items":[{"id":1,"tags":["x"]},{"id":2,"tags":[]},{"id":3,"meta":{"a":{"b":{}}}}]}', ["a", "a"]),
    ("many-tags", '{"v":1}', ["t%d" % i for i in range(12)]),
    ("long-string", '{"s":"' + "abcdefghij" * 60 + '"}', []),
]


def run(bin_, *args):
    return subprocess.run([bin_, *args], check=True, capture_output=True).stdout


def main(bin_):
    with tempfile.TemporaryDirectory() as d:
        run(bin_, "--dir", d, "pool", "create", "cases", "--size", "1M")
        for seq, (name, text, tags) in enumerate(CASES, start=1):
            json.loads(text)  # the input must be valid JSON
            args = ["--dir", d, "feed", "cases", text]
            for t in tags:
                args += ["--tag", t]
            receipt = json.loads(run(bin_, *args))
            assert receipt["seq"] == seq, receipt
            raw = run(bin_, "--dir", d, "fetch", "cases", str(seq), "--format", "lite3-raw")
            ref_text = run(bin_, "--dir", d, "fetch", "cases", str(seq), "--format", "json").decode().strip()
            ref = json.loads(ref_text)
            assert ref["meta"]["tags"] == tags and ref["seq"] == seq, (ref, tags)
            line = '{"name":%s,"data":%s,"tags":%s,"lite3_hex":"%s","ref_message":%s}' % (
                json.dumps(name), text, json.dumps(tags, ensure_ascii=False, separators=(",", ":")), raw.hex(), ref_text)
            json.loads(line)
            print(line)


if __name__ == "__main__":
    main(sys.argv[1])
