#!/usr/bin/python3
"""fuzz/make_corpus.py IKO — rebuild the seed corpora fuzz/corpus/<name>/.

Seeds are copies (never links) of the repository's own packs, layouts,
copybooks and plans, plus small dumps made by `IKO sample` (30 residents of
each vendor), each cut short so every corpus stays well under 1 MB.
Harness selector bytes (fuzz_codec: encoding + mode + cut; fuzz_records:
recfm + encoding + layout) are prepended where a harness wants them.
"""
import glob, io, os, shutil, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IKO = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(ROOT, "build", "iko")
C = os.path.join(ROOT, "fuzz", "corpus")


def put(name, fname, data):
    d = os.path.join(C, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def read(path, limit=None):
    with open(path, "rb") as f:
        return f.read() if limit is None else f.read(limit)


def slug(path):
    return os.path.relpath(path, ROOT).replace("/", "_")


tmp = tempfile.mkdtemp(prefix="iko-corpus.")
try:
    for n in ("copybook", "layout", "pack", "schedule", "codec", "records", "gaiji", "xlsx", "zip"):
        shutil.rmtree(os.path.join(C, n), ignore_errors=True)
    dumps = {}
    for v in "ABC":
        out = os.path.join(tmp, v)
        subprocess.run([IKO, "sample", "--vendor", v, "--lg-code", "435015", "--residents", "30",
                        "--seed", "7", "--inject", "1", "--out", out], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dumps[v] = out

    # copybooks: every pack's, plus the shapes tests/e2e/extract_copybook.sh uses
    for p in sorted(glob.glob(os.path.join(ROOT, "packs", "*", "*", "layouts", "*.cpy"))):
        put("copybook", slug(p), read(p))
    put("copybook", "types_redefines_occurs.cpy",
        "000100* three record types\n000200 01  HDR-REC.\n000300     05  REC-TYPE      PIC X VALUE 'H'.\n"
        "000400     05  RUN-DATE      PIC 9(8).\n000500     05  FILLER        PIC X(11).\n"
        "000600 01  DTL-REC.\n000700     05  REC-TYPE      PIC X.\n000800         88  IS-DETAIL VALUE 'D'.\n"
        "000900     05  ITEM-ID       PIC X(3).\n001000     05  ALT-ID REDEFINES ITEM-ID PIC 9(3).\n"
        "001100     05  QTY           PIC S9(3) SIGN IS LEADING SEPA\n001200-        RATE CHARACTER.\n"
        "001300     05  PRICES OCCURS 2 TIMES.\n001400         10  PRICE     PIC 9(3)V9.\n"
        "001500     05  BIG           PIC 9(2)PP.\n001600     05  FILLER        PIC XX.\n"
        "001700 01  TRL-REC.\n001800     05  REC-TYPE      PIC X VALUE 'T'.\n"
        "001900     05  REC-COUNT     PIC 9(5).\n002000     05  HASH-TOTAL    PIC S9(7)V99 COMP-3.\n"
        "002100     05  FILLER        PIC X(9).\n")
    put("copybook", "free.cpy", "01 REC.\n   05 A PIC X(2).\n   05 B PIC S9(3) COMP-3.\n")
    put("copybook", "binary.cpy",
        "       01  BIN-REC.\n           05  B2   PIC S9(4) COMP.\n           05  B4   PIC S9(9) BINARY.\n"
        "           05  B8   PIC S9(16)V99 COMP-5.\n           05  B16  PIC S9(36)V99 COMP.\n"
        "           05  U16  PIC 9(38) COMP.\n")

    # YAML layouts
    for p in sorted(glob.glob(os.path.join(ROOT, "packs", "*", "*", "layouts", "*.yaml")) +
                    glob.glob(os.path.join(ROOT, "examples", "layouts", "*.yaml"))):
        put("layout", slug(p), read(p))
    put("layout", "types.yaml",
        "encoding: IBM930\nrecfm: vb\nrecord_type: {offset: 0, length: 1}\nrecords:\n"
        "  - {name: H, when: \"1\", fields: [{name: T, length: 1}, {name: D, type: \"9\", length: 8}]}\n"
        "  - {name: D, when: \"2\", fields: [{name: T, length: 1}, {name: A, type: P, length: 4, scale: 2,"
        " occurs: 3}, {name: B, type: B, length: 4, signed: yes}]}\n")

    # packs (the overlay after a "#--overlay--" line)
    for p in sorted(glob.glob(os.path.join(ROOT, "packs", "*", "*", "pack.yaml"))):
        put("pack", slug(p), read(p))
    put("pack", "overlay.yaml",
        read(os.path.join(ROOT, "packs", "vendor-a", "jumin", "pack.yaml")) +
        b"\n#--overlay--\noverlay: \"435015\"\npack: vendor-a/jumin\nreason: \xe7\x8b\xac\xe8\x87\xaa\n"
        b"codes:\n  sex: {unmapped: keep, map: {U: \"0\"}}\n"
        b"tables:\n  resident:\n    columns:\n      name_kana: {from: KANA, steps: [zenkaku]}\n")
    put("pack", "lookup.yaml",
        "pack: t/lookup\nversion: \"1\"\nschema: jumin\ninputs:\n  - {name: JUMIN, file: J.DAT, layout: l.yaml}\n"
        "codes:\n  sex: {map: {\"1\": \"1\", \"2\": \"2\"}}\ntables:\n  resident:\n    columns:\n"
        "      sex: {from: SEX, steps: [{lookup: {file: lookup.csv, unmapped: warn}}]}\n"
        "      birth_date: {from: BD, steps: [{regex: {pattern: '^(\\d{4})(\\d\\d)(\\d\\d)$', replace: '$1-$2-$3'}}]}\n")

    # plans (the actuals after a "#--actuals--" line)
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "*", "plan.yaml"))):
        put("schedule", slug(p), read(p))
    put("schedule", "actuals.yaml",
        read(os.path.join(ROOT, "examples", "2012-miyazaki-kumamoto", "plan.yaml")) +
        b"\n#--actuals--\nas_of: 2012-02-08\nactuals:\n"
        b"  - {lg_code: \"435015\", status: done, cutover: 2012-02-03}\n"
        b"  - {lg_code: \"453617\", status: gate_failed, reason: x}\n"
        b"  - {lg_code: \"454061\", status: slipped, not_before: 2012-02-20, reason: y}\n")

    # gaiji tables
    for v in "ABC":
        put("gaiji", "GAIJI-%s.CSV" % v, read(os.path.join(dumps[v], "GAIJI.CSV")))
    put("gaiji", "ebcdic.csv", "code,unicode,mj,note\n6941,U+9AD9,MJ028902,\n7FFE,U+5409 U+20BB7,,\"a, b\"\n")

    # codecs: [encoding index, mode, cut] + field bytes (fuzz_codec.c's table)
    enc = {"CP932": 0, "IBM930": 2, "IBM939": 3, "JEF": 6, "KEIS": 7, "JIPSE": 8, "EUC-JP": 9}
    a = read(os.path.join(dumps["A"], "JUMIN.DAT"), 400)
    b = read(os.path.join(dumps["B"], "JUMIN.DAT"), 400)
    c = read(os.path.join(dumps["C"], "JUMIN.DAT"), 400)
    put("codec", "cp932", bytes([enc["CP932"], 0, 17]) + a)
    put("codec", "cp932-gaiji", bytes([enc["CP932"], 2, 3]) + b"\xf0\x40\x88\x9f\xf9\xfc\x82\xa0")
    put("codec", "ibm930", bytes([enc["IBM930"], 0, 30]) + b)
    put("codec", "ibm930-dbcs", bytes([enc["IBM930"], 1, 0]) + b"\x45\x41\x69\x41\x7f\xfe\x45\x42")
    put("codec", "ibm939-so-si", bytes([enc["IBM939"], 2, 5]) + b"\xc1\xc2\x0e\x45\x41\x69\x41\x0f\xc3")
    put("codec", "jef", bytes([enc["JEF"], 0, 11]) + c)
    put("codec", "jef-dbcs", bytes([enc["JEF"], 1, 0]) + b"\xb0\xa1\x80\xa1\xc6\xfc\xa0\xfe")
    put("codec", "keis", bytes([enc["KEIS"], 0, 0]) + b"\xc1\x0a\x42\xb0\xa1\x81\xa1\x0a\x41\xc2")
    put("codec", "jipse", bytes([enc["JIPSE"], 0, 0]) + b"\xc1\x3f\x75\x7b\xf0\x3f\x76\xc2")
    put("codec", "eucjp", bytes([enc["EUC-JP"], 0, 0]) + "東京都".encode("euc_jp"))

    # record readers: [recfm, encoding, layout|0x80 serial] + file (fuzz_records.c's tables)
    def rec24(key, name, age, amt, pk, bn):
        return key + name + age + amt + pk + bn + b"  "
    fixed = (rec24(b"0001", "\x82\xa0\x82\xa2\x82\xa4".encode("latin1"), b"042", b"123D", b"\x01\x23\x4c", b"\xff\xfe") +
             rec24(b"0002", b"      ", b"   ", b"0001", b"\x00\x00\x0d", b"\x00\x01"))
    put("records", "fixed-all", bytes([0, 0, 0]) + fixed)
    put("records", "fixed-all-serial", bytes([0, 0, 0x80]) + fixed + b"0003")
    put("records", "lines-all", bytes([1, 0, 0]) + fixed[:24] + b"\r\n" + fixed[24:] + b"\n")
    types = b"120120201" + b"2001002" + b"\x00" * 7 + b"\x05" + b"ABCD" + b"9" + b"\x00" * 7 + b"\x1c" + b"\xff" * 16
    put("records", "fixed-types", bytes([0, 0, 1]) + types)
    def rdw(r):
        return bytes([(len(r) + 4) >> 8, (len(r) + 4) & 255, 0, 0]) + r
    recs = rdw(b"120120201") + rdw(b"2001002\x00\x00\x00\x00\x00\x00\x00\x05AB") + rdw(b"9")
    put("records", "rdw-types", bytes([2, 0, 1]) + recs)
    put("records", "vb-types", bytes([3, 0, 0x81]) + rdw(recs))
    put("records", "vb-ibm930", bytes([3, 1, 0]) + rdw(rdw(b[:24]) + rdw(b[24:48])))
    put("records", "csv", bytes([4, 0, 2]) + b"CODE,NUM,KANJI\n0100001,-12.5,\x93\x8c\x8b\x9e\n\"a,b\",+3,\n")
    put("records", "csv-bad", bytes([4, 5, 0x82]) + b"h\n\"open,1\n")
    put("records", "vendor-a", bytes([1, 0, 0]) + read(os.path.join(dumps["A"], "JUMIN.DAT"), 2048))
    put("records", "vendor-b", bytes([0, 1, 1]) + read(os.path.join(dumps["B"], "JUMIN.DAT"), 2048))
    put("records", "vendor-c", bytes([3, 2, 1]) + read(os.path.join(dumps["C"], "JUMIN.DAT"), 2048))

    # xlsx: iko's own schedule workbook, and openpyxl's shapes (shared + inline strings)
    subprocess.run([IKO, "schedule", os.path.join(ROOT, "examples", "2012-miyazaki-kumamoto", "plan.yaml"),
                    "--out", os.path.join(tmp, "s")], check=True, stdout=subprocess.DEVNULL)
    put("xlsx", "schedule.xlsx", read(os.path.join(tmp, "s", "schedule.xlsx")))
    try:
        from openpyxl import Workbook
        wb = Workbook()
        ws = wb.active
        ws.title = "差異"
        ws.append(["団体コード", "件数", "確認", "日付"])
        ws.append(["435015", 12, True, 45678])
        ws["F9"] = "=A1"
        wb.create_sheet("理由").append(["x", 1.5])
        bio = io.BytesIO()
        wb.save(bio)
        put("xlsx", "openpyxl.xlsx", bio.getvalue())
    except ImportError:
        pass
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="S" r:id="rId1"/>'
                    '<sheet name="T" r:id="rId2"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/s.xml"/>'
                    '<Relationship Id="rId2" Target="/xl/worksheets/t.xml"/></Relationships>')
        zf.writestr("xl/sharedStrings.xml", '<sst><si><t>a</t></si><si><r><t>b</t></r><rPh><t>x</t></rPh></si></sst>')
        zf.writestr("xl/worksheets/s.xml", '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c>'
                    '<c t="inlineStr"><is><t>i</t></is></c><c r="AB3" t="b"><v>1</v></c></row><row>'
                    '<c t="str"><v>f</v></c><c><v>45678</v></c></row></sheetData></worksheet>')
        zf.writestr("xl/worksheets/t.xml", '<x:worksheet xmlns:x="x"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c>'
                    '</x:row></x:sheetData></x:worksheet>')
    put("xlsx", "minimal.xlsx", z.getvalue())

    # zip inputs
    def mkzip(members, method=zipfile.ZIP_DEFLATED):
        bio = io.BytesIO()
        with zipfile.ZipFile(bio, "w", method) as zf:
            for n, d in members:
                zf.writestr(n, d)
        return bio.getvalue()
    put("zip", "one.zip", mkzip([("JUMIN.DAT", read(os.path.join(dumps["A"], "JUMIN.DAT"), 1024))]))
    put("zip", "stored.zip", mkzip([("JUMIN.DAT", b"0123456789" * 10)], zipfile.ZIP_STORED))
    put("zip", "volumes.zip", mkzip([("dir/", b""), ("JUMIN2.DAT", b"second"), ("JUMIN1.DAT", b"first"),
                                     ("SETAI.DAT", b"x" * 300), ("README", b"r")]))
    put("zip", "empty.zip", mkzip([]))
finally:
    shutil.rmtree(tmp)
