#!/bin/bash
# docs/images/render.sh — render the workbook pictures in docs/ from a real
# run: `iko demo` (3,000 residents, injected defects), then LibreOffice
# headless prints the 集計照合 and チェックデジット誤り sheets (first rows,
# landscape, fit to width) to PDF and pdftoppm crops them to PNG.
# Needs (not part of the build or the tests): libreoffice-calc-nogui,
# fonts-ipafont-gothic, poppler-utils, python3-openpyxl.
set -euo pipefail
cd "$(dirname "$0")/../.."
IKO=${IKO:-./build/iko}
W=$(mktemp -d /tmp/iko-render.XXXXXX)
chmod 755 "$W"
trap '"$IKO" db stop --dir "$W/demo/.iko/pg" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT
"$IKO" demo --dir "$W/demo" --residents 3000 --inject 2 >/dev/null || [ $? -eq 3 ]
/usr/bin/python3 - "$W/demo/runs/435015/R001/reports/discrepancies.xlsx" "$W" <<'PY'
import sys
from openpyxl import load_workbook
from openpyxl.worksheet.properties import PageSetupProperties
src, w = sys.argv[1:3]
for keep, out in (("集計照合", "summary"), ("チェックデジット誤り", "exception")):
    wb = load_workbook(src)
    for n in list(wb.sheetnames):
        if n != keep:
            del wb[n]
    ws = wb[keep]
    if ws.max_row > 14:
        ws.delete_rows(15, ws.max_row - 14)
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.gridLines = True
    wb.save(f"{w}/{out}.xlsx")
PY
soffice --headless --convert-to pdf --outdir "$W" "$W/summary.xlsx" "$W/exception.xlsx" >/dev/null
pdftoppm -png -r 260 -f 1 -l 1 -x 170 -y 180 -W 2460 -H 290 -singlefile "$W/summary.pdf" docs/images/workbook-summary
pdftoppm -png -r 260 -f 1 -l 1 -x 170 -y 185 -W 2500 -H 80 -singlefile "$W/exception.pdf" docs/images/workbook-exception
echo "docs/images/workbook-summary.png docs/images/workbook-exception.png"
