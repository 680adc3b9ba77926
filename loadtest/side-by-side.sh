#!/usr/bin/env bash
# toolgate side by side with what a user would deploy instead, in one run on this machine (docs/performance.md,
# "Side by side"). On loopback it starts a bare upstream in its own process (`hops upstream`: a deploy tool and an MCP
# server), an nginx proxy hop in front of it, toolgate with the embedded store and toolgate with Redis (a rate limit
# and two budgets matching every call), toolgate with tracing on (OTLP to a local Jaeger, built by .ci/prereqs.sh),
# `opa run --server` with the bundled policy, and OPA as a sidecar (`hops
# opa-proxy`: asks that OPA server for toolgate's decision over HTTP, then forwards). Each row is driven by vegeta, an
# open-model load generator, in three phases: a warm-up (16 workers sending as fast as answers come, so that a cold
# JVM compiles its hot paths without a queue building up), saturation (16 workers again: the throughput), and a fixed
# arrival rate (latency percentiles, and the CPU time per call of the processes between the generator and the
# upstream, from /proc, also taken at saturation). It prints one table and the ratios the performance targets name.
#
#   bash loadtest/side-by-side.sh             the measurement: about 6 minutes
#   bash loadtest/side-by-side.sh --smoke     CI's smoke: 1 s phases at 50 calls/s; fails unless every row ran and
#                                             every answer was 2xx
#   bash loadtest/side-by-side.sh --soak      the HTTP allow path at 1,000 calls/s for 5 minutes, with the heap
#                                             used after a full GC sampled every 30 s (HEAP_EVERY): does it grow?
#
# The last row is Envoy's external authorization of the same call (toolgate's Authorization/Check over gRPC), driven
# by ghz (pinned, go install) at EXT_AUTHZ_RATE (1,000 checks/s): the rate OPA-Envoy publishes its figures for.
# Environment: RATE (2000 calls/s), WARM (20 s), FIXED (15 s), SAT (10 s), WORKERS (16), PAUSE (3 s between rows)
# change the phases; ONLY (a comma-separated list of row names, e.g. ONLY=upstream,toolgate) runs only those rows;
# JAVA_OPTS adds JVM options to both toolgate JVMs, e.g. a profiler (docs/performance.md, "Profiling").
# Installs nginx (Debian) and vegeta (pinned, go install) when missing; builds toolgate and `hops` when needed.
# Needs the loopback ports 18101-18121 free. Results: loadtest/target/side-by-side/ (rows.jsonl, logs).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLGATE_NEEDS_JAEGER=1 source .ci/prereqs.sh
VEGETA_VERSION=v12.13.0
GHZ_VERSION=v0.120.0

SMOKE=0 SOAK=0
if [ "${1:-}" = --smoke ]; then SMOKE=1; fi
if [ "${1:-}" = --soak ]; then
  SOAK=1 ONLY=${ONLY:-toolgate} RATE=${RATE:-1000} FIXED=${FIXED:-300}
fi
if [ "$SMOKE" = 1 ]; then
  RATE=${RATE:-50} WARM=${WARM:-1} FIXED=${FIXED:-1} SAT=${SAT:-1} WORKERS=${WORKERS:-4} PAUSE=${PAUSE:-0}
  EXT_AUTHZ_RATE=${EXT_AUTHZ_RATE:-50}
else
  RATE=${RATE:-2000} WARM=${WARM:-20} FIXED=${FIXED:-15} SAT=${SAT:-10} WORKERS=${WORKERS:-16} PAUSE=${PAUSE:-3}
  EXT_AUTHZ_RATE=${EXT_AUTHZ_RATE:-1000}
fi

# --- prerequisites and builds -------------------------------------------------------------------------------------
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "side-by-side: installing nginx" >&2
  _sudo apt-get update -qq && _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# go install leaves `vegeta -version` empty; the binary's module version says which one it is
if ! go version -m "$(command -v vegeta 2>/dev/null || echo /nonexistent)" 2>/dev/null \
    | grep -qE "^\s+mod\s+github.com/tsenart/vegeta/v12\s+${VEGETA_VERSION}\s"; then
  echo "side-by-side: installing vegeta $VEGETA_VERSION" >&2
  GOFLAGS=-mod=mod go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
fi
if ! go version -m "$(command -v ghz 2>/dev/null || echo /nonexistent)" 2>/dev/null \
    | grep -qE "^\s+mod\s+github.com/bojand/ghz\s+${GHZ_VERSION}\s"; then
  echo "side-by-side: installing ghz $GHZ_VERSION" >&2
  GOFLAGS=-mod=mod go install "github.com/bojand/ghz/cmd/ghz@$GHZ_VERSION"
fi
if [ ! -f target/quarkus-app/quarkus-run.jar ] \
    || [ -n "$(find src policies proto pom.xml -newer target/quarkus-app/quarkus-run.jar -print -quit)" ]; then
  ./mvnw -B -ntp -q package -DskipTests
fi
OUT=loadtest/target/side-by-side
rm -rf "$OUT" && mkdir -p "$OUT/nginx"
(cd loadtest/hops && go build -o ../target/hops .)
HOPS=loadtest/target/hops

# --- the processes ------------------------------------------------------------------------------------------------
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# waits until URL answers (any status) or gives up after 60 s
await() {
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.5
  done
  echo "side-by-side: $1 did not come up; see $OUT/*.log" >&2
  exit 1
}

"$HOPS" upstream -listen 127.0.0.1:18101 > "$OUT/upstream.log" 2>&1 & UPSTREAM=$!; PIDS+=("$!")

cat > "$OUT/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $PWD/$OUT/nginx/body;
  proxy_temp_path $PWD/$OUT/nginx/proxy;
  upstream tool { server 127.0.0.1:18101; keepalive 64; }
  server {
    listen 127.0.0.1:18102;
    location / { proxy_pass http://tool; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
"$NGINX" -p "$PWD/$OUT/nginx" -c "$PWD/$OUT/nginx/nginx.conf" -g 'daemon off;' > "$OUT/nginx.log" 2>&1 & NGINX_PID=$!; PIDS+=("$!")

redis-server --port 18107 --bind 127.0.0.1 --save "" --appendonly no > "$OUT/redis.log" 2>&1 & REDIS=$!; PIDS+=("$!")

opa run --server --addr 127.0.0.1:18105 --log-level error policies/decision.rego > "$OUT/opa.log" 2>&1 & OPA=$!; PIDS+=("$!")
"$HOPS" opa-proxy -listen 127.0.0.1:18106 -opa http://127.0.0.1:18105 -upstream http://127.0.0.1:18101 \
    -key loadtest-key > "$OUT/opa-proxy.log" 2>&1 & OPA_PROXY=$!; PIDS+=("$!")

# toolgate NAME HTTP_PORT MANAGEMENT_PORT CONTRACT [extra -D...]: the gateway as a user runs it, audit log fsync'd.
# The /v1/check row never reports its checks, so each is held until its lease (5 minutes) runs out: the load test
# lets an agent hold more unreported checks than the default 10,000 (toolgate.limits.max-pending-checks).
toolgate() {
  local name=$1 port=$2 management=$3 contract=$4
  shift 4
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  java ${JAVA_OPTS:-} -Dquarkus.http.port="$port" -Dquarkus.management.port="$management" -Dtoolgate.contract="$contract" \
      -Dtoolgate.audit.path="$OUT/audit-$name.jsonl" -Dtoolgate.limits.max-pending-checks=10000000 "$@" \
      -jar target/quarkus-app/quarkus-run.jar \
      > "$OUT/toolgate-$name.log" 2>&1 &
}
toolgate embedded 18103 18113 loadtest/contract.yaml -Dquarkus.grpc.server.port=18115; TOOLGATE=$!; PIDS+=("$!")
# the same gateway with tracing on, exporting every span over OTLP to a real Jaeger (v2, in memory, loopback only)
cat > "$OUT/jaeger.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [jaeger_storage_exporter]}
  telemetry: {metrics: {level: none}}
extensions:
  jaeger_storage: {backends: {memstore: {memory: {max_traces: 100000}}}}
  jaeger_query:
    storage: {traces: memstore}
    enable_tracing: false
    http: {endpoint: "127.0.0.1:18118"}
    grpc: {endpoint: "127.0.0.1:0"}
receivers:
  otlp: {protocols: {http: {endpoint: "127.0.0.1:18117"}}}
processors:
  batch: {}
exporters:
  jaeger_storage_exporter: {trace_storage: memstore}
EOF
jaeger --config "$OUT/jaeger.yaml" > "$OUT/jaeger.log" 2>&1 & PIDS+=("$!")
toolgate traced 18119 18120 loadtest/contract.yaml -Dquarkus.grpc.server.port=18121 \
    -Dquarkus.otel.sdk.disabled=false -Dquarkus.otel.exporter.otlp.traces.endpoint=http://127.0.0.1:18117 \
    -Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf; TOOLGATE_TRACED=$!; PIDS+=("$!")
toolgate redis 18104 18114 loadtest/contract-redis.yaml -Dtoolgate.redis=redis://127.0.0.1:18107 \
    -Dquarkus.grpc.server.port=18116; TOOLGATE_REDIS=$!
PIDS+=("$!")
echo "$TOOLGATE" > "$OUT/toolgate-embedded.pid"
echo "$TOOLGATE_REDIS" > "$OUT/toolgate-redis.pid"
echo "$TOOLGATE_TRACED" > "$OUT/toolgate-traced.pid"

await http://127.0.0.1:18101/
await http://127.0.0.1:18102/
await http://127.0.0.1:18105/health
await http://127.0.0.1:18106/
await http://127.0.0.1:18113/q/health/ready
await http://127.0.0.1:18114/q/health/ready
await http://127.0.0.1:18120/q/health/ready
await http://127.0.0.1:18118/api/services
NGINX_WORKERS=$(pgrep -P "$NGINX_PID" | tr '\n' ' ')

# --- the calls ----------------------------------------------------------------------------------------------------
KEY='Authorization: Bearer loadtest-key'
RUN='Toolgate-Run-Id: load'
echo '{"service":"api","environment":"staging"}' > "$OUT/deploy.json"
echo '{"tool":"deploy","method":"POST","path":"/deployments","body":{"service":"api","environment":"staging"}}' \
    > "$OUT/check.json"
"$HOPS" opa-input > "$OUT/opa-input.json"
# Envoy's CheckRequest for the same call, as its ext_authz filter sends it (proto3 JSON for ghz)
cat > "$OUT/ext-authz.json" <<'EOF'
{"attributes": {"request": {"http": {"method": "POST", "path": "/tools/deploy/deployments", "host": "tools.local",
  "scheme": "http", "protocol": "HTTP/1.1",
  "headers": {"authorization": "Bearer loadtest-key", "toolgate-run-id": "load", "content-type": "application/json"},
  "body": "{\"service\":\"api\",\"environment\":\"staging\"}"}}}}
EOF
ACCEPT='Accept: application/json, text/event-stream'
VERSION='MCP-Protocol-Version: 2025-06-18'
echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_docs","arguments":{"query":"refund policy"},"_meta":{"dev.toolgate/run_id":"load"}}}' \
    > "$OUT/mcp-call.json"

# session URL [AUTH_HEADER]: opens an MCP session at URL and prints its id
session() {
  local id auth=(-H "${2:-X-None: 1}")
  id=$(curl -s -D - -o /dev/null "$1" -H 'Content-Type: application/json' -H "$ACCEPT" "${auth[@]}" \
      -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"vegeta","version":"1"}}}' \
      | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  [ -n "$id" ] || { echo "side-by-side: no MCP session at $1" >&2; exit 1; }
  curl -s -o /dev/null "$1" -H 'Content-Type: application/json' -H "$ACCEPT" -H "$VERSION" "${auth[@]}" \
      -H "Mcp-Session-Id: $id" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$id"
}
MCP_DIRECT=$(session http://127.0.0.1:18101/mcp)
MCP_GATED=$(session http://127.0.0.1:18103/mcp/docs "$KEY")

# target NAME METHOD URL BODY_FILE HEADER...: writes the vegeta target file $OUT/NAME.target
target() {
  local name=$1 method=$2 url=$3 body=$4
  shift 4
  {
    echo "$method $url"
    echo 'Content-Type: application/json'
    for header in "$@"; do echo "$header"; done
    echo "@$PWD/$body"
  } > "$OUT/$name.target"
}
target upstream POST http://127.0.0.1:18101/deployments "$OUT/deploy.json"
target nginx POST http://127.0.0.1:18102/deployments "$OUT/deploy.json"
target toolgate POST http://127.0.0.1:18103/tools/deploy/deployments "$OUT/deploy.json" "$KEY" "$RUN"
target toolgate-redis POST http://127.0.0.1:18104/tools/deploy/deployments "$OUT/deploy.json" "$KEY" "$RUN"
target toolgate-traced POST http://127.0.0.1:18119/tools/deploy/deployments "$OUT/deploy.json" "$KEY" "$RUN"
target mcp-upstream POST http://127.0.0.1:18101/mcp "$OUT/mcp-call.json" "$ACCEPT" "$VERSION" \
    "Mcp-Session-Id: $MCP_DIRECT"
target toolgate-mcp POST http://127.0.0.1:18103/mcp/docs "$OUT/mcp-call.json" "$ACCEPT" "$VERSION" "$KEY" \
    "Mcp-Session-Id: $MCP_GATED"
target opa-sidecar POST http://127.0.0.1:18106/tools/deploy/deployments "$OUT/deploy.json" "$KEY" "$RUN"
target toolgate-check POST http://127.0.0.1:18103/v1/check "$OUT/check.json" "$KEY" "$RUN"
target opa-server POST http://127.0.0.1:18105/v1/data/toolgate/decision "$OUT/opa-input.json"

# --- the measurement ----------------------------------------------------------------------------------------------
TICKS=$(getconf CLK_TCK)
# cpu PID...: the user and system CPU time of the processes, in clock ticks (fields 14 and 15 of /proc/PID/stat)
cpu() {
  local total=0 pid fields
  for pid in "$@"; do
    read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

# attack NAME PHASE SECONDS RATE [WORKERS]: one vegeta phase; results in $OUT/NAME.PHASE.bin
attack() {
  local workers=()
  if [ -n "${5:-}" ]; then workers=(-max-workers "$5" -workers "$5"); fi
  vegeta attack -targets "$OUT/$1.target" -duration "${3}s" -rate "$4" "${workers[@]}" -max-body 0 -timeout 10s \
      -name "$1" > "$OUT/$1.$2.bin"
}

# heap PID FILE: until killed, every HEAP_EVERY seconds, a full GC of the JVM, then the heap it left in use (KiB)
heap() {
  while true; do
    jcmd "$1" GC.run >/dev/null 2>&1 || true
    echo "$(date +%s) $(jcmd "$1" GC.heap_info 2>/dev/null | sed -n 's/.*heap.* used \([0-9]*\)K.*/\1/p' | head -1)" >> "$2"
    sleep "${HEAP_EVERY:-30}"
  done
}

# row NAME LABEL PID...: warm-up, saturation and fixed rate, with CPU; appends the row's figures to $OUT/rows.jsonl
row() {
  local name=$1 label=$2
  shift 2
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return 0; fi
  echo "side-by-side: $label" >&2
  attack "$name" warm "$WARM" 0 "$WORKERS"
  local sat_before before after
  sat_before=$(cpu "$@")
  attack "$name" sat "$SAT" 0 "$WORKERS"
  before=$(cpu "$@")
  local sampler=
  if [ "$SOAK" = 1 ]; then heap "$1" "$OUT/$name.heap" & sampler=$!; fi
  attack "$name" fixed "$FIXED" "$RATE"
  if [ -n "$sampler" ]; then kill "$sampler"; wait "$sampler" 2>/dev/null || true; fi
  after=$(cpu "$@")
  # an open model past a row's capacity leaves a queue behind: let it drain before the next row
  sleep "$PAUSE"
  python3 loadtest/side_by_side.py row "$name" "$label" "$OUT" "$((after - before))" "$((before - sat_before))" \
      "$TICKS" >> "$OUT/rows.jsonl"
}

# ghz_phase NAME PHASE SECONDS RATE CONCURRENCY: one ghz phase against toolgate's external authorization (RATE 0:
# as fast as the CONCURRENCY workers go); the report, with every call's latency and status, in $OUT/NAME.PHASE.json
ghz_phase() {
  local rate=()
  if [ "$4" != 0 ]; then rate=(--rps "$4"); fi
  ghz --insecure --call envoy.service.auth.v3.Authorization.Check -D "$OUT/ext-authz.json" -z "${3}s" \
      -c "$5" "${rate[@]}" --connections 2 -t 10s -O json -o "$OUT/$1.$2.json" 127.0.0.1:18115 2>> "$OUT/ghz.log"
}

# ext_authz_row NAME LABEL PID...: the row of Envoy's external authorization, driven by ghz at EXT_AUTHZ_RATE
ext_authz_row() {
  local name=$1 label=$2
  shift 2
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then return 0; fi
  echo "side-by-side: $label" >&2
  ghz_phase "$name" warm "$WARM" 0 "$WORKERS"
  local sat_before before after allowed_before
  sat_before=$(cpu "$@")
  ghz_phase "$name" sat "$SAT" 0 "$WORKERS"
  before=$(cpu "$@")
  allowed_before=$(grep -c '"status":"handed_to_envoy"' "$OUT/audit-embedded.jsonl" || true)
  # an open model needs workers to spare: a late answer must not hold the next call back
  ghz_phase "$name" fixed "$FIXED" "$EXT_AUTHZ_RATE" 256
  after=$(cpu "$@")
  sleep "$PAUSE"
  python3 loadtest/side_by_side.py ghz-row "$name" "$label" "$OUT" "$((after - before))" \
      "$((before - sat_before))" "$TICKS" \
      "$(( $(grep -c '"status":"handed_to_envoy"' "$OUT/audit-embedded.jsonl" || true) - allowed_before ))" \
      >> "$OUT/rows.jsonl"
}

echo "before: $(uptime)"
row upstream "the upstream, direct" "$UPSTREAM"
row nginx "an nginx proxy hop" "$NGINX_PID" $NGINX_WORKERS
row toolgate "toolgate HTTP, embedded store" "$TOOLGATE"
row toolgate-traced "toolgate HTTP, embedded store, tracing on (OTLP to Jaeger)" "$TOOLGATE_TRACED"
row toolgate-redis "toolgate HTTP, Redis (rate limit, 2 budgets)" "$TOOLGATE_REDIS" "$REDIS"
row opa-sidecar "OPA as a sidecar (proxy + opa run --server)" "$OPA_PROXY" "$OPA"
row mcp-upstream "the MCP server, direct (tools/call)" "$UPSTREAM"
row toolgate-mcp "toolgate MCP tools/call, embedded store" "$TOOLGATE"
row toolgate-check "toolgate /v1/check, embedded store" "$TOOLGATE"
row opa-server "opa run --server, the same decision" "$OPA"
ext_authz_row toolgate-ext-authz "toolgate Envoy ext_authz Check (ghz, ${EXT_AUTHZ_RATE}/s)" "$TOOLGATE"
echo "after: $(uptime)"

BLOCKED=$(cat "$OUT"/toolgate-*.log | grep -c 'has been blocked for' || true)
python3 loadtest/side_by_side.py table "$OUT" "$RATE" "$FIXED" "$SAT" "$WORKERS" "$BLOCKED" "$SMOKE"
if [ "$SOAK" = 1 ]; then python3 loadtest/side_by_side.py heap "$OUT"; fi
