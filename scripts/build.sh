#!/usr/bin/env bash
# Builds the deployable jars (functions/*/target/*.jar, which template.yaml's CodeUri names) and the local runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
errand_find_jdk
errand_mvn -q package -DskipTests "$@"
ls -l functions/submit-job/target/submit-job.jar functions/process-jobs/target/process-jobs.jar
