#!/usr/bin/python3
# xlsx_check.py — canonical text dump of an .xlsx workbook for iko's tests.
#
# Used by tests/unit/reports (the workbook writer) and by the end-to-end tests
# of every stage that writes workbooks (reconciliation, schedule, ...): they
# compare this dump with an expected text exactly. Run with /usr/bin/python3
# (openpyxl is installed there).
#
# usage: xlsx_check.py FILE [--sheet NAME] [--max-rows N]
#
# Output (UTF-8, one item per line):
#   sheets: "表紙" "集計" ...                  every sheet, in order
#   == sheet "NAME"                            then, per sheet shown:
#   freeze: A2 | -                             top-left cell below/right of the panes
#   autofilter: A1:K4 | -
#   merged: 0                                  number of merged ranges
#   protection: on (autofilter allowed, sort allowed) | off
#   validation: F2:F4 list "未確認,確認済"      one line per data validation:
#                                              sqref, type, [operator], formula1 [formula2]
#   widths: A=12.71 B=20.71                    explicit column widths
#   A1 s:"text" [bold fill=DDEBF7]             every cell of the used range, row by row:
#                                              s: string (JSON-quoted), n: number,
#                                              d: date/datetime (ISO), b: boolean,
#                                              f: formula, - : empty;
#                                              flags: bold, fill=RRGGBB (solid fill),
#                                              fmt=<number format> (if not General),
#                                              unlocked (cell not locked)
# --sheet NAME limits the per-sheet part to that sheet; --max-rows N shows at
# most N rows per sheet (header included) and then "... (M more rows)".
# Exit status: 0 ok, 1 unreadable workbook or unknown sheet, 2 usage.
import argparse
import datetime
import json
import sys

try:
    import openpyxl
    from openpyxl.utils import get_column_letter
except ImportError:  # pragma: no cover
    sys.stderr.write("xlsx_check: openpyxl is not available; use /usr/bin/python3\n")
    sys.exit(1)


def q(s):
    return json.dumps(s, ensure_ascii=False)


def fmt_value(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "b:" + ("TRUE" if v else "FALSE")
    if isinstance(v, (int, float)):
        return "n:" + repr(v)
    if isinstance(v, datetime.datetime):
        if v.time() == datetime.time(0, 0):
            return "d:" + v.date().isoformat()
        return "d:" + v.isoformat()
    if isinstance(v, (datetime.date, datetime.time)):
        return "d:" + v.isoformat()
    s = str(v)
    if s.startswith("="):
        return "f:" + s
    return "s:" + q(s)


def rgb(color):
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return color.rgb[-6:].upper()


def cell_flags(c):
    flags = []
    if c.font is not None and c.font.b:
        flags.append("bold")
    if c.fill is not None and c.fill.fill_type == "solid":
        col = rgb(c.fill.fgColor) or rgb(c.fill.start_color)
        flags.append("fill=" + (col or "?"))
    if c.number_format and c.number_format != "General":
        flags.append("fmt=" + c.number_format)
    if c.protection is not None and c.protection.locked is False:
        flags.append("unlocked")
    return flags


def dump_validations(ws, out):
    for dv in ws.data_validations.dataValidation:
        parts = ["validation:", str(dv.sqref), dv.type or "any"]
        if dv.type not in (None, "list", "custom") and dv.operator:
            parts.append(dv.operator)
        elif dv.type not in (None, "list", "custom"):
            parts.append("between")
        if dv.formula1 is not None:
            parts.append(str(dv.formula1))
        if dv.formula2 is not None:
            parts.append(str(dv.formula2))
        out.append(" ".join(parts))


def dump_sheet(ws, max_rows, out):
    out.append("== sheet " + q(ws.title))
    out.append("freeze: " + (ws.freeze_panes or "-"))
    out.append("autofilter: " + (ws.auto_filter.ref or "-"))
    out.append("merged: %d" % len(ws.merged_cells.ranges))
    prot = ws.protection
    if prot.sheet:
        allowed = []
        if not prot.autoFilter:
            allowed.append("autofilter allowed")
        if not prot.sort:
            allowed.append("sort allowed")
        out.append("protection: on" + (" (" + ", ".join(allowed) + ")" if allowed else ""))
    else:
        out.append("protection: off")
    dump_validations(ws, out)
    widths = []
    for key in sorted(ws.column_dimensions.keys(),
                      key=lambda k: (len(k), k)):
        dim = ws.column_dimensions[key]
        if dim.customWidth and dim.width:
            widths.append("%s=%.2f" % (key, dim.width))
    out.append("widths: " + (" ".join(widths) if widths else "-"))
    nrows, ncols = ws.max_row, ws.max_column
    if nrows == 1 and ncols == 1 and ws["A1"].value is None:
        nrows = 0  # openpyxl reports an empty sheet as A1:A1
    shown = nrows if max_rows is None else min(nrows, max_rows)
    for r in range(1, shown + 1):
        for col in range(1, ncols + 1):
            c = ws.cell(row=r, column=col)
            line = "%s%d %s" % (get_column_letter(col), r, fmt_value(c.value))
            flags = cell_flags(c)
            if flags:
                line += " [" + " ".join(flags) + "]"
            out.append(line)
    if shown < nrows:
        out.append("... (%d more rows)" % (nrows - shown))


def main(argv):
    ap = argparse.ArgumentParser(prog="xlsx_check.py",
                                 description="canonical dump of an .xlsx workbook")
    ap.add_argument("file")
    ap.add_argument("--sheet")
    ap.add_argument("--max-rows", type=int)
    args = ap.parse_args(argv)
    if args.max_rows is not None and args.max_rows < 0:
        ap.error("--max-rows must be >= 0")
    try:
        wb = openpyxl.load_workbook(args.file)
    except Exception as e:  # noqa: BLE001 - report any reader failure
        sys.stderr.write("xlsx_check: cannot read %s: %s\n" % (args.file, e))
        return 1
    out = ["sheets: " + " ".join(q(n) for n in wb.sheetnames)]
    names = wb.sheetnames
    if args.sheet is not None:
        if args.sheet not in names:
            sys.stderr.write("xlsx_check: no sheet %s in %s\n" % (q(args.sheet), args.file))
            return 1
        names = [args.sheet]
    for name in names:
        dump_sheet(wb[name], args.max_rows, out)
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
