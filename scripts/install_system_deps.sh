#!/usr/bin/env bash
# Installs the Debian packages the app and the tests need, once: chromium (kaleido image export,
# Playwright browser tests) and fonts with å, ä, ö. Idempotent: does nothing when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "chromium saknas och kan inte installeras utan root: apt-get install chromium fonts-dejavu-core" >&2
    exit 1
  fi
fi
echo "Installerar chromium (Debian) ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
