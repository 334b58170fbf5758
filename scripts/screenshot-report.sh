#!/usr/bin/env bash
# Builds the example HTML report and the example diff page, and renders them with headless
# Chromium to PNGs for review:
#   target/report-desktop.png  1200 wide
#   target/report-phone.png    390 wide (a phone)
#   target/diff-desktop.png    the diff of examples/reports/2026-Q3.json and 2026-Q4.json,
#   target/diff-phone.png      with gates, one of which fails (to show how a failure looks)
# With --docs, also docs/report-html.png for the README: the top 1200x1600 of the example
# team's page compared with the quarter before (--baseline), three weakest items, compressed.
# Kept out of `cargo test` so CI needs no browser.
#
# Usage: scripts/screenshot-report.sh [--docs] [REPORT.html]   (default: the example report)
set -euo pipefail
cd "$(dirname "$0")/.."

docs=
if [ "${1:-}" = "--docs" ]; then
  docs=1
  shift
fi
report=${1:-}

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium (Debian package)…" >&2
  apt-get install -y chromium >&2 || { apt-get update >&2 && apt-get install -y chromium >&2; }
fi

cargo build --release
bin=target/release/selfaudit
"$bin" --checklists checklists report examples/responses/2026-Q4 --format html -o target/report.html
report=${report:-target/report.html}
# Exit 1 is the failed gate asked for; only 2 (unusable input) stops the script.
"$bin" diff examples/reports/2026-Q3.json examples/reports/2026-Q4.json --format html \
  --max-drop 5 --max-item-drop 20 --fail-on-new-critical -o target/diff.html \
  || [ $? -eq 1 ]

shoot() { # HTML OUT WIDTH HEIGHT
  local profile
  profile=$(mktemp -d)
  chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$2" --window-size="$3,$4" \
    "file://$(realpath "$1")" 2>/dev/null
  rm -rf "$profile"
  echo "$2"
}

shoot "$report" target/report-desktop.png 1200 3000
shoot "$report" target/report-phone.png 390 3000
shoot target/diff.html target/diff-desktop.png 1200 2400
shoot target/diff.html target/diff-phone.png 390 4200

if [ -n "$docs" ]; then
  "$bin" --checklists checklists report examples/responses/2026-Q3 --format json -o target/2026-Q3.json
  "$bin" --checklists checklists report examples/responses/2026-Q4 --format html --top 3 \
    --baseline target/2026-Q3.json -o target/report-docs.html
  mkdir -p docs
  shoot target/report-docs.html docs/report-html.png 1200 1600
  if command -v pngquant >/dev/null; then
    pngquant --force --skip-if-larger --quality 70-90 --output docs/report-html.png docs/report-html.png || true
  fi
  if command -v optipng >/dev/null; then
    optipng -quiet -o2 docs/report-html.png
  fi
  ls -l docs/report-html.png
fi
