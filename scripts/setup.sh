#!/usr/bin/env bash
# Idempotent machine + project setup: Debian packages, a virtualenv at .venv, Python deps.
# Called by `make setup` (and so by `make run` and `make test`). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser tests (tests/web, Playwright) drive Debian's build, never a downloaded one.
# restic: backups (archive backup …) keep the database snapshots in encrypted restic repositories.
# tesseract-ocr-osd: orientation detection (--psm 0) turns pages scanned sideways (OCR review, issue 11).
DEB_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd fonts-noto-core fonts-dejavu-core fonts-texgyre fonts-liberation2 chromium restic)
missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last successful install.
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e '.[test]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
