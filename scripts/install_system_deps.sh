#!/usr/bin/env bash
# Installs the Debian packages the app and the tests need, once: chromium (kaleido image export,
# Playwright browser tests), fonts with å, ä, ö, and haproxy (the reverse proxy of `make serve`
# and of the load tests). Idempotent: does nothing when all are present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "${missing[*]} saknas och kan inte installeras utan root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installerar ${missing[*]} (Debian) ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]
