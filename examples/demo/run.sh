#!/usr/bin/env bash
# The README's run command: builds toolgate when needed and starts the demo (gateway on :8080, sample tools on
# :9101 and :9102, sample MCP server on :9103, demo contract, bundled policy, embedded store, audit log in
# ./demo-audit.jsonl).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/prereqs.sh
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src policies proto pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  ./mvnw -B -ntp -q package -DskipTests
fi
exec java -Dtoolgate.audit.path=demo-audit.jsonl -jar target/quarkus-app/quarkus-run.jar demo "$@"
