#!/usr/bin/env bash
# What toolgate adds to an MCP tool call: `tools/call search_docs` on the demo's sample MCP server, straight to the
# server (127.0.0.1:9103/mcp) and through toolgate (/mcp/docs: identity, session check, contract and server schemas,
# policy, limits, audit intent and outcome with fsync, settlement), each with `hey`, one session each; and, for
# reference, an HTTP tool call through toolgate (POST /tools/deploy/deployments, the same stages).
#
#   bash loadtest/mcp-overhead.sh [requests] [concurrency]     (defaults 20000 and 16)
#
# Needs the demo's ports 9101-9103 and 18080 free. Installs hey (Debian) when missing; builds toolgate when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/prereqs.sh
N=${1:-20000}
C=${2:-16}
if ! command -v hey >/dev/null 2>&1; then
  _sudo apt-get update -qq && _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey >/dev/null
fi
if [ ! -f target/quarkus-app/quarkus-run.jar ] || [ -n "$(find src policies proto pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  ./mvnw -B -ntp -q package -DskipTests
fi

mkdir -p target/loadtest
rm -f target/loadtest/mcp-audit.jsonl
java -Dquarkus.http.port=18080 -Dquarkus.management.port=19001 -Dquarkus.grpc.server.port=18082 -Dtoolgate.audit.path=target/loadtest/mcp-audit.jsonl \
  -jar target/quarkus-app/quarkus-run.jar demo > target/loadtest/mcp-gateway.log 2>&1 &
GATEWAY=$!
trap 'kill $GATEWAY 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf localhost:19001/q/health >/dev/null && break; sleep 1; done

ACCEPT='Accept: application/json, text/event-stream'
VERSION='MCP-Protocol-Version: 2025-06-18'
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"hey","version":"1"}}}'
CALL='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_docs","arguments":{"query":"refund policy"},"_meta":{"dev.toolgate/run_id":"load"}}}'

# opens a session at URL and prints its id
session() {
  local id
  id=$(curl -s -D - -o /dev/null "$1" -H 'Content-Type: application/json' -H "$ACCEPT" \
        -H 'Authorization: Bearer demo-support-key' -d "$INIT" | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  curl -s -o /dev/null "$1" -H 'Content-Type: application/json' -H "$ACCEPT" -H "$VERSION" \
    -H 'Authorization: Bearer demo-support-key' -H "Mcp-Session-Id: $id" \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$id"
}

SUMMARY='Requests/sec|^  \[[0-9]{3}\]|  (50|90|99)% in'

# mcp URL SESSION COUNT: COUNT tools/calls in the session
mcp() {
  hey -n "$3" -c "$C" -m POST -T application/json -H "$ACCEPT" -H "$VERSION" \
    -H 'Authorization: Bearer demo-support-key' -H "Mcp-Session-Id: $2" -d "$CALL" "$1"
}

# http COUNT: COUNT deployments to staging through toolgate
http() {
  hey -n "$1" -c "$C" -m POST -T application/json -H 'Authorization: Bearer demo-deploy-key' \
    -d '{"service":"api","environment":"staging"}' http://127.0.0.1:18080/tools/deploy/deployments
}

DIRECT=$(session http://127.0.0.1:9103/mcp)
GATED=$(session http://127.0.0.1:18080/mcp/docs)
# warm-up, not counted: the JIT compiles both paths before anything is measured
mcp http://127.0.0.1:18080/mcp/docs "$GATED" 5000 >/dev/null
http 5000 >/dev/null

echo "== direct: http://127.0.0.1:9103/mcp ($N calls, $C at once)"
mcp http://127.0.0.1:9103/mcp "$DIRECT" "$N" | grep -E "$SUMMARY"
echo "== through toolgate: http://127.0.0.1:18080/mcp/docs ($N calls, $C at once)"
mcp http://127.0.0.1:18080/mcp/docs "$GATED" "$N" | grep -E "$SUMMARY"
echo "== for reference, HTTP through toolgate: POST /tools/deploy/deployments ($N calls, $C at once)"
http "$N" | grep -E "$SUMMARY"
echo "audit records written: $(wc -l < target/loadtest/mcp-audit.jsonl)"
