#!/usr/bin/env bash
# Installs what the demo starts itself, where missing (Debian packages only):
# redis-server for its private Redis (no REDIS_URL given) and openssl for the
# in-process HTTPS simulator's self-signed certificate (no DEMO_SIMULATOR_URL).
set -euo pipefail
missing=()
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
if [ -z "${DEMO_SIMULATOR_URL:-}" ] && ! command -v openssl >/dev/null 2>&1; then missing+=(openssl); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing what the demo starts: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi
