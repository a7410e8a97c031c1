#!/usr/bin/env bash
# The demo starts a private redis-server when REDIS_URL is not set: install
# Debian's redis-server where it is missing (nothing else is downloaded).
set -euo pipefail
if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (no REDIS_URL given, and the demo starts a private one)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq --no-install-recommends redis-server </dev/null >/dev/null
fi
