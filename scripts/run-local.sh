#!/usr/bin/env bash
# Runs Errand on this machine: API on 127.0.0.1:3000, SQS (embedded ElasticMQ) on 127.0.0.1:9324, the
# consumer polling as Lambda's event source would, a demo provider on 127.0.0.1:3001. Ctrl-C stops it.
# Options: --parameter-overrides Key=Value ... (as sam), --api-port, --sqs-port, --demo-port, --no-demo,
# --localstack [URL] (use a running LocalStack, default http://localhost:4566, instead of ElasticMQ and moto).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
errand_find_jdk
errand_build_if_stale
exec java --sun-misc-unsafe-memory-access=allow -XX:TieredStopAtLevel=1 \
  -cp "local/target/errand-local.jar:local/target/lib/*" dev.errand.local.Main "$@"
