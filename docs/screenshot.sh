#!/usr/bin/env bash
# README screenshots.
#   docs/screenshot.sh results/demo/report.html docs/images/report.png
#       renders a report in headless Chromium and saves a PNG;
#   docs/screenshot.sh --view
#       the browser view at 1366×768 and 1920×1080 on the baseline at day 30
#       (docs/images/view_1366.png, view_1920.png), taken by the view's browser test.
set -euo pipefail
if [[ "${1:-}" == "--view" ]]; then
  cd "$(dirname "$0")/.."
  python=${PYTHON:-.venv/bin/python}
  [[ -x "$python" ]] || python=python3
  SCRM_SIM_UPDATE_SCREENSHOTS=1 exec "$python" -m pytest -q -p no:cacheprovider \
    tests/test_view_browser.py -k fits_a_room
fi
report=$(realpath "$1"); out=$2
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,2200 \
  --screenshot="$(realpath -m "$out")" "file://$report"
rm -rf "$profile"
