#!/usr/bin/env bash
# Validates the operator artefacts shipped in ops/:
#   - Prometheus alert rules (promtool check rules)
#   - their unit tests (promtool test rules)
#   - the Grafana dashboard JSON (parses, has the fixed uid)
# Installs promtool from Debian's `prometheus` package when it is missing
# (needs root or passwordless sudo; non-interactive).
# Exits non-zero on the first failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RULES=ops/prometheus/adaptive-polling-rules.yml
RULE_TESTS=ops/prometheus/adaptive-polling-rules.test.yml
DASHBOARD=ops/grafana/adaptive-polling-dashboard.json
CATALOGUE=ops/metric-catalogue.json

log() { printf '==> %s\n' "$*"; }

install_promtool() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo -n)
    else
      echo "promtool is missing and this is not root (no sudo): install Debian's 'prometheus' package" >&2
      return 1
    fi
  fi
  log "promtool not found: installing Debian's prometheus package"
  local out
  out="$(mktemp)"
  if ! { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             --no-install-recommends -o Dpkg::Options::=--force-confdef \
             -o Dpkg::Options::=--force-confold prometheus; } </dev/null >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    echo "failed to install promtool" >&2
    return 1
  fi
  rm -f "$out"
}

export DEBIAN_FRONTEND=noninteractive
if ! command -v promtool >/dev/null 2>&1; then
  install_promtool
fi
command -v promtool >/dev/null 2>&1 || { echo "promtool still not on PATH" >&2; exit 1; }
log "$(promtool --version 2>&1 | head -n 1)"

log "promtool check rules $RULES"
promtool check rules "$RULES"

log "promtool test rules $RULE_TESTS"
promtool test rules "$RULE_TESTS"

log "validating $DASHBOARD and $CATALOGUE"
node -e '
  const fs = require("node:fs");
  const [dashboardPath, cataloguePath] = process.argv.slice(1);
  const dashboard = JSON.parse(fs.readFileSync(dashboardPath, "utf8"));
  const catalogue = JSON.parse(fs.readFileSync(cataloguePath, "utf8"));
  const fail = (msg) => { console.error(msg); process.exit(1); };
  if (dashboard.uid !== "adaptive-polling") fail(`dashboard uid is ${dashboard.uid}, expected adaptive-polling`);
  if (!Array.isArray(dashboard.panels) || dashboard.panels.length === 0) fail("dashboard has no panels");
  if (!Array.isArray(catalogue) || catalogue.length === 0) fail("metric catalogue is not a non-empty array");
  const panels = dashboard.panels.filter((p) => p.type !== "row");
  console.log(`  dashboard OK: ${panels.length} panels, uid ${dashboard.uid}; catalogue OK: ${catalogue.length} metrics`);
' "$DASHBOARD" "$CATALOGUE"

log "promtool check rules on the dashboard's PromQL (as recording rules)"
tmpdir="$(mktemp -d)"
trap 'rm -rf "$tmpdir"' EXIT
node -e '
  const fs = require("node:fs");
  const [dashboardPath, outPath] = process.argv.slice(1);
  const dashboard = JSON.parse(fs.readFileSync(dashboardPath, "utf8"));
  // Grafana variables replaced by values Prometheus accepts.
  const substitute = (expr) => expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, "5m")
    .replace(/\$\{?instance_type\}?/g, ".*");
  const rules = [];
  const walk = (panels) => {
    for (const panel of panels ?? []) {
      walk(panel.panels);
      for (const target of panel.targets ?? []) {
        if (!target.expr) continue;
        rules.push({ record: `dashboard:panel_${panel.id}:${target.refId.toLowerCase()}`, expr: substitute(target.expr) });
      }
    }
  };
  walk(dashboard.panels);
  if (rules.length === 0) { console.error("no PromQL found in the dashboard"); process.exit(1); }
  // JSON is YAML: promtool reads it as a rule file.
  fs.writeFileSync(outPath, JSON.stringify({ groups: [{ name: "dashboard-queries", rules }] }, null, 2));
' "$DASHBOARD" "$tmpdir/dashboard-queries.yml"
promtool check rules "$tmpdir/dashboard-queries.yml"

log "all ops checks passed"
