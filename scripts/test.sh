#!/usr/bin/env bash
# Runs the whole test suite: core unit tests, handler tests against ElasticMQ and a real HTTP provider,
# end-to-end tests through the local runtime, and the template checks (cfn-lint and what it misses).
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
errand_mvn verify "$@"
