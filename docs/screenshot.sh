#!/usr/bin/env bash
# Render a report in headless Chromium and save a PNG screenshot (used for the README).
# Usage: docs/screenshot.sh results/demo/report.html docs/images/report.png
set -euo pipefail
report=$(realpath "$1"); out=$2
profile=$(mktemp -d)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1200,2200 \
  --screenshot="$(realpath -m "$out")" "file://$report"
rm -rf "$profile"
