#!/usr/bin/env bash
# Runs the benchmarks and prints their tables: batch concurrency (concurrent vs sequential), HTTP clients,
# cold start of each function jar, end to end through the local runtime, and TLS (HTTP/1.1 vs HTTP/2, with and
# without the bound on handshakes). Providers are HTTPS (a CA made by the run). Builds first when stale.
# The outage suite (a down provider with a backlog: fleet-wide target control against per-invocation
# protection, about 8 minutes, mostly waiting on its timers) runs only when named.
#   scripts/bench.sh                 every suite but outage (about 23 minutes on 2 cores)
#   scripts/bench.sh batch clients   some suites: batch, clients, cold, e2e, tls, outage
#   scripts/bench.sh outage          the outage suite alone
#   scripts/bench.sh --quick         tiny sizes, to check the harness
# Writes bench-results/results.json (read by scripts/cost-estimate), report.md and batch-wall-time.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
errand_find_jdk
if [ ! -f bench/target/errand-bench.jar ] || [ -n "$(find pom.xml functions local bench testkit emulators -newer bench/target/errand-bench.jar \
    \( -name '*.java' -o -name 'pom.xml' \) -not -path '*/target/*' 2>/dev/null | head -1)" ] || [ template.yaml -nt bench/target/errand-bench.jar ]; then
  echo "Building (mvn package, tests skipped)..."
  errand_mvn -q package -DskipTests
fi
exec java --sun-misc-unsafe-memory-access=allow -cp "bench/target/errand-bench.jar:bench/target/lib/*" dev.errand.bench.Bench "$@"
