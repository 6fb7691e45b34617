#!/usr/bin/env bash
# Makes the README's screenshots (docs/screenshots/*.png) from the real
# screens and the sandbox's wallet page, with headless Chromium:
#   bash scripts/screenshots.sh
# Needs chromium and fonts-noto-cjk (apt-get install -y chromium fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$PWD/docs/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shoot() { # shoot URL PNG WIDTH HEIGHT (headless Chromium crashes now and then: tried thrice)
  for _ in 1 2 3; do
    rm -f "$2"
    chromium --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars --force-device-scale-factor=1 \
      --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1 || true
    [ -s "$2" ] && return 0
  done
  echo "could not photograph $1" >&2
  return 1
}

QRTILL_SCREENSHOTS="$work" go test -count=1 -run TestScreenshots ./tui >/dev/null
for page in "$work"/*.html; do
  name=$(basename "$page" .html)
  case $name in
    orders) size="1232 832" ;;
    portrait) size="492 1312" ;;
    *) size="832 512" ;;
  esac
  shoot "file://$page" "$out/$name.png" $size
done

# The wallet page a phone opens when it scans the QR.
go build -o "$work/qrtill" ./cmd/qrtill
"$work/qrtill" sandbox --addr 127.0.0.1:0 --state "$work/sb" --data "$work" >"$work/sb.log" 2>&1 &
sb=$!
trap 'kill $sb 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -f "$work/sb/sandbox.json" ] && break; sleep 0.1; done
base=$(sed -n 's/.*"base_url": *"\([^"]*\)".*/\1/p' "$work/sb/sandbox.json" | head -1)
go run ./scripts/walletqr "$work/sb" > "$work/qr.txt"
shoot "$(cat "$work/qr.txt")" "$out/wallet.png" 390 780
echo "screenshots in $out"
