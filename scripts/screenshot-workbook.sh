#!/usr/bin/env bash
# Renders the example team's workbook in LibreOffice (headless) and crops the Items sheet
# into docs/spreadsheet-items.png, the picture in docs/spreadsheets.md.
#   needs: apt-get install -y libreoffice-calc-nogui poppler-utils
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet --bin selfaudit
SOURCE_DATE_EPOCH=1764547200 target/debug/selfaudit report examples/responses/2026-Q4 \
  --format xlsx -o "$work/report.xlsx"
(cd "$work" && soffice --headless --convert-to pdf report.xlsx >/dev/null)
# Page 1 is the Summary, page 2 the Items sheet (printed landscape, one page wide).
pdftoppm -png -r 250 -f 2 -l 2 -x 165 -y 180 -W 1500 -H 430 "$work/report.pdf" "$work/items"
cp "$work"/items-*.png docs/spreadsheet-items.png
echo "wrote docs/spreadsheet-items.png"
