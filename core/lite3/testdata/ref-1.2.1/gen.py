#!/usr/bin/env python3
"""Regenerate the 1.2.1 reference goldens in this directory.

For every case: feed `data` with `tags` into a fresh pool with the reference
CLI, then store what it wrote (fetch --format lite3-raw → NAME.lite3) and
what it prints (fetch --format json → NAME.out.json). cases.jsonl holds the
inputs: {"name", "data" (JSON text, fed verbatim), "tags"}.

usage: gen.py /path/to/plasmite [shared-vectors.jsonl]
"""
import json, os, random, subprocess, sys, tempfile

plasmite = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
cases = []

if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        v = json.loads(line)
        if 'error' in v or len(line) > 30000:  # big ones: covered by the shared vectors
            continue
        # the CLI rejects empty tags; keep the case without them
        cases.append({'name': 'vec-' + v['name'], 'data': json.dumps(v['data'], ensure_ascii=False),
                      'tags': [t for t in v['tags'] if t]})

floats = [0.1, 1.0, -1.0, 0.0, 1e15, 1e16, 123456789012345.6, 1e-5, 1e-6, 1.5e-7, 2.5e300, 5e-324,
          1.7976931348623157e308, 3.141592653589793, 100.0, 1e21, 1e22, 1e23, 0.000123, 12345678.9]
text_cases = {
    'floats-text': '{' + ','.join('"f%02d":%r' % (i, f) for i, f in enumerate(floats)) + '}',
    'numbers-text': '{"negzero":-0.0,"negzero_int":-0,"e2":1E2,"big":18446744073709551615,'
                    '"above":9223372036854775808,"below":-9223372036854775809,"huge":123456789012345678901234567890,'
                    '"min":-9223372036854775808,"max":9223372036854775807,"frac":0.30000000000000004,'
                    '"long":3.14159265358979323846264338327950288}',
    'styles': '{"s":"x\\u2028y","n":null,"b":true,"i":-3,"f":1.5,"e":{},"a":[],"o":{"k":[1,"z",false]}}',
    'dup-keys': '{"a":1,"b":2,"a":3,"c":{"x":1,"x":{"y":2}}}',
    'escapes': '{"s":"a\\u2028b\\u2029c\\u0000d\\u001f\\u007f/<>&\\"\\\\","k\\u00e9y":"\\ud83d\\ude42"}',
    'whitespace': ' \n\t{ "b" : [ 1 , 2 ] ,\r\n "a" : { } }  ',
    'array-2000': json.dumps({'arr': list(range(2000))}),
    'objects-deep-array': json.dumps({'a': [[[[[[1, [2, {"z": [3]}]]]]]]]}),
}
frnd = random.Random(7)
def rfloat():
    k = frnd.randrange(4)
    if k == 0: return frnd.random() * 10.0 ** frnd.randrange(-30, 30)
    if k == 1: return float(frnd.randrange(2**53, 2**64)) * frnd.choice([1, 10, 100, 1000])
    if k == 2: return frnd.uniform(-1, 1) * 10.0 ** frnd.randrange(-320, 308)
    return float(frnd.randrange(-10**6, 10**6)) / 10 ** frnd.randrange(0, 8)
text_cases['floats-random'] = json.dumps({'f': [rfloat() for _ in range(600)]})
odd = ['0.1000000000000000055511151231257827', '123456789012345678901234567890.5e-10', '1e-400', '-1e-400',
       '4.9e-324', '2.4703282292062328e-324', '1e308', '1.5E+300', '9007199254740993', '-9007199254740993.0',
       '18446744073709551616', '184467440737095516150', '1844674407370955161.6', '1844674407370955161.5',
       '0.000000000000000000000000000000000000000000001', '1e0', '1E-0', '100000000000000000000000',
       '7.2057594037927933e+16', '1.7976931348623157e308', '2.2250738585072011e-308', '0e999999999999',
       '-0e-5', '12345678901234567890123456789e-300', '3.0e-0000000000000000001']
text_cases['floats-odd'] = '{' + ','.join('"o%02d":%s' % (i, t) for i, t in enumerate(odd)) + '}'
for name, text in text_cases.items():
    cases.append({'name': name, 'data': text, 'tags': ['t']})

rnd = random.Random(121)
def rvalue(depth):
    k = rnd.randrange(9 if depth < 4 else 6)
    if k == 0: return None
    if k == 1: return rnd.random() < 0.5
    if k == 2: return rnd.randrange(-2**63, 2**63)
    if k == 3: return rnd.choice([rnd.uniform(-1e6, 1e6), rnd.random() * 10 ** rnd.randrange(-30, 30), float(rnd.randrange(-1000, 1000))])
    if k == 4 or k == 5: return ''.join(rnd.choice('ab\u00e9\u4e2d\U0001f642"\\\n ') for _ in range(rnd.randrange(12)))
    if k in (6, 7): return {rkey(): rvalue(depth + 1) for _ in range(rnd.randrange(12))}
    return [rvalue(depth + 1) for _ in range(rnd.randrange(12))]
def rkey():
    return ''.join(rnd.choice('abcxyz_\u00e9') for _ in range(rnd.randrange(1, 9)))
for i in range(40):
    d = {rkey(): rvalue(0) for _ in range(rnd.randrange(1, 30))}
    cases.append({'name': 'rand-%02d' % i, 'data': json.dumps(d, ensure_ascii=False),
                  'tags': ['r%d' % rnd.randrange(100) for _ in range(rnd.randrange(4))]})

with open(os.path.join(here, 'cases.jsonl'), 'w') as f:
    for c in cases:
        f.write(json.dumps(c, ensure_ascii=False) + '\n')

STYLED = {'styles', 'escapes', 'floats-text', 'vec-array-mixed', 'vec-empty-data'}
with tempfile.TemporaryDirectory() as tmp:
    for c in cases:
        pool = os.path.join(tmp, c['name'] + '.plasmite')
        subprocess.run([plasmite, 'pool', 'create', '--dir', tmp, '--size', '4M', c['name']],
                       check=True, stdout=subprocess.DEVNULL)
        args = [plasmite, 'feed', '--dir', tmp, c['name'], '--data', c['data']]
        for t in c['tags']:
            args += ['--tag', t]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        raw = subprocess.run([plasmite, 'fetch', '--dir', tmp, c['name'], '1', '--format', 'lite3-raw'],
                             check=True, stdout=subprocess.PIPE).stdout
        out = subprocess.run([plasmite, 'fetch', '--dir', tmp, c['name'], '1', '--format', 'json', '--color', 'never'],
                             check=True, stdout=subprocess.PIPE).stdout
        open(os.path.join(here, c['name'] + '.lite3'), 'wb').write(raw)
        open(os.path.join(here, c['name'] + '.out.json'), 'wb').write(out)
        if c['name'] in STYLED:
            for fmt, color, ext in (('pretty', 'never', '.pretty.txt'), ('pretty', 'always', '.color.txt')):
                txt = subprocess.run([plasmite, 'fetch', '--dir', tmp, c['name'], '1', '--format', fmt, '--color', color],
                                     check=True, stdout=subprocess.PIPE).stdout
                open(os.path.join(here, c['name'] + ext), 'wb').write(txt)
print(len(cases), 'cases')
