#!/usr/bin/python3
"""sample_check.py — independent checker of an `iko sample` dump (used by
tests/e2e/sample_*.sh). It re-reads the files byte by byte per
docs/vendor-a.md, runs the BRIEF.md checks, recomputes TOUKEI.CSV and, when
injected.csv exists, requires that the problems found are exactly the
planted ones. Prints one summary line; exits 1 with the first problems."""
import collections, csv, datetime, io, os, sys

d = sys.argv[1]
errors = []
ERA = {1: datetime.date(1868, 1, 25), 2: datetime.date(1912, 7, 30), 3: datetime.date(1926, 12, 25),
       4: datetime.date(1989, 1, 8), 5: datetime.date(2019, 5, 1), 6: datetime.date(9999, 12, 31)}
REF = datetime.date(2025, 3, 31)

def era_date(s, allow_unknown_day=False):
    if len(s) != 7 or not s.isdigit() or not 1 <= int(s[0]) <= 5:
        return None
    g, yy, mm, dd = int(s[0]), int(s[1:3]), int(s[3:5]), int(s[5:7])
    unknown = allow_unknown_day and dd == 0
    try:
        dt = datetime.date(ERA[g].year + yy - 1, mm, 1 if unknown else dd)
    except ValueError:
        return None
    first = dt.replace(day=1) if unknown else dt
    last = dt.replace(day=28) if unknown else dt
    if yy < 1 or last < ERA[g] or first >= ERA[g + 1] and not unknown:
        return None
    return dt

def my_number_ok(s):
    if len(s) != 12 or not s.isdigit():
        return False
    w = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    r = sum(int(c) * x for c, x in zip(s[:11], w)) % 11
    return int(s[11]) == (0 if r <= 1 else 11 - r)

gaiji = {r['code'] for r in csv.DictReader(open(os.path.join(d, 'GAIJI.CSV'), encoding='utf-8'))}
assert 6 <= len(gaiji) <= 10, 'gaiji count'

setai = {}
raw = open(os.path.join(d, 'SETAI.DAT'), 'rb').read()
assert len(raw) % 42 == 0, 'SETAI length'
for i in range(0, len(raw), 42):
    r = raw[i:i + 42]
    assert r[40:] == b'\r\n' and r[0:1] == b'1' and r[31:40] == b' ' * 9
    setai[r[1:11].decode()] = (r[11:21].decode(), int(r[21:24]), r[24:31].decode())

raw = open(os.path.join(d, 'JUMIN.DAT'), 'rb').read()
if len(raw) % 282:
    sys.exit('JUMIN.DAT length %d is not a multiple of 282' % len(raw))
found = set()
atena_seen, kojin_seen = set(), set()
heads = collections.defaultdict(int)
cur_members = collections.Counter()
town_cnt = collections.defaultdict(lambda: [0, 0, 0])
removed = [0, 0, 0]
n_cur = n_rem = n_foreign = n_shien = n_unknown_day = n_gaiji_names = 0
ZOKU = {b'01', b'02', b'03', b'04', b'05', b'06', b'09'}
JIYU = {b'A1', b'A2', b'A3', b'B1', b'B2', b'B3', b'B4', b'C1', b'C2', b'C3'}
for n in range(len(raw) // 282):
    rec = raw[n * 282:(n + 1) * 282]
    recno = n + 1
    def bad(kind):
        found.add((recno, kind))
    assert rec[280:] == b'\r\n' and rec[0:1] == b'1' and rec[263:280] == b' ' * 17, recno
    atena, setai_no = rec[1:11].decode(), rec[11:21].decode()
    sbt, jotai, sex = rec[21:22], rec[22:23], rec[103:104]
    kana = rec[23:63].decode('cp932')
    assert all('\uff61' <= c <= '\uff9f' or c == ' ' for c in kana), (recno, 'kana')
    shimei = rec[63:103]
    codes = set()
    i = 0
    while i < 40:  # double-byte field: walk characters
        b = shimei[i]
        if b == 0x20:
            i += 1
            continue
        if 0xF0 <= b <= 0xF9:
            codes.add('%02X%02X' % (b, shimei[i + 1]))
        else:
            shimei[i:i + 2].decode('cp932')
        i += 2
    if codes:
        if codes - gaiji:
            bad('unmapped_gaiji')
        else:
            n_gaiji_names += 1
    for off, ln in ((113, 20), (163, 30), (193, 40)):
        rec[off:off + ln].decode('cp932')
    cur = jotai == b'0'
    birth = era_date(rec[104:111].decode(), True)
    if birth is None:
        bad('invalid_date')
    n_unknown_day += rec[109:111] == b'00'
    jumin, ido = era_date(rec[133:140].decode()), era_date(rec[140:147].decode())
    assert jumin and ido, recno
    if birth:
        assert jumin >= birth and ido >= jumin and ido <= REF, (recno, 'dates')
    zoku, jiyu = rec[111:113], rec[147:149]
    if zoku not in ZOKU or sex not in (b'M', b'F', b'U') or jiyu not in JIYU:
        bad('unknown_code')
    kojin = rec[245:257].decode()
    if not my_number_ok(kojin):
        bad('bad_my_number')
    assert kojin not in kojin_seen, (recno, 'kojin dup')
    kojin_seen.add(kojin)
    if atena in atena_seen:
        bad('duplicate_key')
    atena_seen.add(atena)
    assert rec[240:245] == sys.argv[2][:5].encode(), recno
    assert rec[156:163].isdigit() and rec[233:240].isdigit()
    if sbt == b'2':
        n_foreign += 1
        assert rec[257:260].isdigit() and rec[260:262].isdigit(), recno
    else:
        assert sbt == b'1' and rec[257:262] == b' ' * 5, recno
    n_shien += rec[262:263] == b'1'
    assert rec[262:263] in (b'0', b'1')
    if cur:
        n_cur += 1
        assert rec[149:156] == b'0000000' and jiyu[:1] != b'B', recno
        if setai_no not in setai:
            bad('orphan_member')
        else:
            cur_members[setai_no] += 1
            assert setai[setai_no][2] == rec[156:163].decode(), recno
        if zoku == b'01':
            heads[setai_no] += 1
            if heads[setai_no] > 1:
                bad('two_heads')
        t = town_cnt[rec[156:163].decode()]
        t[0] += sex == b'M'; t[1] += sex == b'F'; t[2] += 1
    else:
        n_rem += 1
        assert jotai in (b'1', b'2', b'9'), recno
        assert jiyu[:1] == b'B' and era_date(rec[149:156].decode()) == ido, recno
        assert (jotai == b'2') == (jiyu == b'B3'), recno
        assert setai_no in setai and zoku != b'01', recno
        removed[0] += sex == b'M'; removed[1] += sex == b'F'; removed[2] += 1

for s, (head, cnt, town) in setai.items():
    assert heads[s] >= 1, ('no head', s)
    # an orphan_member defect moves one member out without touching SETAI.DAT
    assert cnt == cur_members[s] or (found and cnt > cur_members[s]), ('count', s)

# TOUKEI.CSV: the old system's totals over what was written.
rows = list(csv.reader(io.StringIO(open(os.path.join(d, 'TOUKEI.CSV'), 'rb').read().decode('cp932'), newline='')))
assert rows[0] == ['集計区分', '町字コード', '町字名', '男', '女', '計'], rows[0]
r01 = {r[1]: [int(r[3]), int(r[4]), int(r[5])] for r in rows if r[0] == '01'}
r02 = {r[1]: int(r[5]) for r in rows if r[0] == '02'}
assert 20 <= len(r01) <= 60 and set(r01) == set(r02)
for code, v in r01.items():
    assert v == town_cnt.get(code, [0, 0, 0]), ('01', code)
hh = collections.Counter(t for _, _, t in setai.values())
assert all(r02[c] == hh.get(c, 0) for c in r02), '02'
(r03,) = [r for r in rows if r[0] == '03']
(r99,) = [r for r in rows if r[0] == '99']
assert [int(x) for x in r03[3:]] == removed, '03'
assert int(r99[5]) == n_cur and int(r99[3]) == sum(v[0] for v in r01.values()), '99'

inj_path = os.path.join(d, 'injected.csv')
planted = set()
if os.path.exists(inj_path):
    inj = list(csv.DictReader(open(inj_path, encoding='utf-8')))
    planted = {(int(r['record']), r['kind']) for r in inj}
    assert len(planted) == len(inj) and len({r['record'] for r in inj}) == len(inj), 'one defect per record'
    recs = [int(r['record']) for r in inj]
    assert recs == sorted(recs), 'sorted'
if found != planted:
    print('found but not planted:', sorted(found - planted)[:10])
    print('planted but not found:', sorted(planted - found)[:10])
    sys.exit(1)
print('ok current=%d removed=%d households=%d foreign=%d shien=%d unknown_day=%d gaiji_names=%d defects=%d'
      % (n_cur, n_rem, len(setai), n_foreign, n_shien, n_unknown_day, n_gaiji_names, len(found)))
