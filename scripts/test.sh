#!/usr/bin/env bash
# Runs the whole test suite: core unit tests, handler tests against ElasticMQ and a real HTTP provider,
# end-to-end tests through the local runtime, the template checks (cfn-lint and what it misses), and the
# console's browser tests (headless Chromium).
# Extra arguments go to Maven, e.g. scripts/test.sh -pl functions/core -am
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
errand_find_jdk
if ! command -v cfn-lint >/dev/null 2>&1; then
  echo "The template tests need cfn-lint: pip install cfn-lint" >&2
  exit 1
fi
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  echo "The tests need moto (the stand-in for SSM, Secrets Manager and DynamoDB): pip install \"moto[server]\"" >&2
  exit 1
fi
# playwright-core for the console's browser tests (Chromium itself: apt-get install chromium, or .ci/run)
if command -v npm >/dev/null 2>&1 && [ ! -d cli/src/test/browser/node_modules/playwright-core ]; then
  (cd cli/src/test/browser && npm ci --no-audit --no-fund --loglevel=error) || echo "npm ci failed: the browser tests will say what is missing" >&2
fi
started=$(date +%s)
errand_mvn verify "$@"
# A test that could not run here is reported, with why; it never counts as passed.
python3 - "$started" <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
reports = [r for r in glob.glob("**/target/*-reports/TEST-*.xml", recursive=True) if os.path.getmtime(r) >= int(sys.argv[1])]
for report in sorted(reports):
    suite = ET.parse(report).getroot()
    reasons = sorted({s.get("message", "") for s in suite.iter("skipped")})
    if reasons:
        print(f"NOT RUN {suite.get('name')} ({suite.get('skipped')} tests): {'; '.join(reasons)}")
PY
