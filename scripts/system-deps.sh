#!/usr/bin/env bash
# Debian packages CQS uses beside Python: DejaVu fonts (Vietnamese PDFs), poppler-utils
# (PDF checks in tests), chromium (browser tests, only with --test). Installs what is missing
# when run as root; otherwise says what to install.
set -euo pipefail
need=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${1:-}" = "--test" ]; then
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  command -v softhsm2-util >/dev/null || need+=(softhsm2)  # PKCS#11 token for signing tests
  [ -x /usr/bin/chromium ] || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq >/dev/null
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Please install these Debian packages (as root): apt-get install ${need[*]}" >&2
  exit 1
fi
