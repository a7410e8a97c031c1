#!/usr/bin/env bash
# Installs the system tools some tests drive, where missing: promtool (Debian's
# prometheus package) and Chromium (browser test of Bull Board). Never
# downloads a browser of its own: playwright-core drives /usr/bin/chromium.
# openssl makes the HTTPS fleet simulator's self-signed certificate.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing test tools: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  # The prometheus package starts a server on :9090 we do not need.
  (systemctl stop prometheus 2>/dev/null || pkill -x prometheus 2>/dev/null || true)
fi
