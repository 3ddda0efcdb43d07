#!/usr/bin/python3
"""Compare a rehearsal's rejects with the defects `iko sample --inject` planted.

usage: injected_check.py RUN_DIR INJECTED_CSV [PER_KIND]

1. every planted defect is found: a reject (or warning) with the expected
   reason code whose key is the defect's 宛名番号;
2. nothing else is rejected: every reject belongs to a planted record or to
   its household (a household whose head was rejected has no head, a
   duplicated 宛名番号 rejects both records) — so a clean record is never
   rejected;
3. every stage balances (in = out + rejected).
Works for every vendor: the 宛名番号 → 世帯番号 map comes from the
extracted detail records (the column whose name ends in ATENA_NO/ATENA-NO).
"""
import csv, glob, json, os, sys

EXPECTED = {
    "invalid_date": "era-date-invalid", "bad_my_number": "check-digit",
    "unknown_code": "unmapped-code", "orphan_member": "orphan-member",
    "two_heads": "many-household-heads", "duplicate_key": "duplicate-key",
    "unmapped_gaiji": "unmapped-gaiji",
}

def main():
    run, injected = sys.argv[1], sys.argv[2]
    per_kind = int(sys.argv[3]) if len(sys.argv) > 3 else None
    m = json.load(open(os.path.join(run, "manifest.json")))
    assert m["status"] == "completed" and m["balanced"] is True, m["counts"]
    for c in m["counts"]:
        assert c["in"] == c["out"] + c["rejected"], c
    rejects = []
    for f in glob.glob(os.path.join(run, "*", "*rejects.csv")):
        rejects += list(csv.DictReader(open(f, newline="", encoding="utf-8")))
    rows = list(csv.DictReader(open(injected, newline="", encoding="utf-8")))
    kinds = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    assert set(kinds) == set(EXPECTED), kinds
    if per_kind is not None:
        assert all(v == per_kind for v in kinds.values()), kinds
    missing = [(r["kind"], r["atena_no"]) for r in rows
               if not [x for x in rejects if x["reason"] == EXPECTED[r["kind"]] and x["key"] == r["atena_no"]]]
    assert not missing, ("defects not found", missing)
    # 宛名番号 → 世帯番号 of every extracted resident record
    setai = {}
    for f in glob.glob(os.path.join(run, "extract", "*.csv")):
        rd = csv.reader(open(f, newline="", encoding="utf-8"))
        hdr = next(rd, [])
        a = [i for i, h in enumerate(hdr) if h.replace("-", "_").endswith("ATENA_NO")]
        s = [i for i, h in enumerate(hdr) if h.replace("-", "_").endswith("SETAI_NO")]
        if not a or not s:
            continue
        for row in rd:
            setai.setdefault(row[a[0]].zfill(10), set()).add(row[s[0]].zfill(10))
    planted = {r["atena_no"] for r in rows}
    households = set()
    for k in planted:
        households |= setai.get(k, set())
    unexplained = [(x["stage"], x["key"], x["reason"]) for x in rejects
                   if x["key"] not in planted and not (setai.get(x["key"], set()) & households)]
    assert not unexplained, ("rejected without a planted defect", unexplained)
    assert all(x["reason"] and x["detail"] for x in rejects)
    print(f"{run}: {len(rows)} planted defects found, {len(rejects)} rejects all explained")

main()
