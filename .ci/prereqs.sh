#!/usr/bin/env bash
# Installs what toolgate's build and tests need when it is missing, idempotently, and exports JAVA_HOME and PATH.
# Source it: `source .ci/prereqs.sh`. Pinned versions live here.
OPA_VERSION=v1.22.2
JAEGER_VERSION=v1.75.0

_sudo() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# A JDK >= 21 from /usr/lib/jvm (the newest one), unless JAVA_HOME already is one.
_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(_java_major "$JAVA_HOME" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  best=; best_major=0
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/javac" ] || continue
    major=$(_java_major "$dir" 2>/dev/null)
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$dir; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "prereqs: no JDK >= 21 under /usr/lib/jvm; install one (e.g. Temurin 21 or 25) and re-run" >&2
    return 1 2>/dev/null || exit 1
  fi
  export JAVA_HOME=$best
fi
export PATH="$JAVA_HOME/bin:$PATH"

# opa, pinned, from the Go module proxy.
GOBIN_DIR=$(go env GOPATH 2>/dev/null)/bin
export PATH="$GOBIN_DIR:$PATH"
if ! opa version 2>/dev/null | grep -q "^Version: ${OPA_VERSION#v}$"; then
  echo "prereqs: installing opa $OPA_VERSION" >&2
  GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION" || { echo "prereqs: opa install failed" >&2; return 1 2>/dev/null || exit 1; }
fi

# jaeger, pinned, for the tracing end-to-end test (JaegerTraceIT) and the load test's traced row: only when the
# sourcing script says it needs it (TOOLGATE_NEEDS_JAEGER=1: .ci/test, loadtest/side-by-side.sh), so that the demo
# does not wait for it. Its module has a replace directive, so
# `go install pkg@version` refuses it: it is built in a module of its own that repeats the replace (about 12 minutes
# of a 2-core machine the first time; the build cache makes a rebuild take seconds). A marker names the version built.
if [ "${TOOLGATE_NEEDS_JAEGER:-0}" = 1 ] \
    && { [ ! -x "$GOBIN_DIR/jaeger" ] || [ ! -f "$GOBIN_DIR/.jaeger-$JAEGER_VERSION" ]; }; then
  echo "prereqs: building jaeger $JAEGER_VERSION" >&2
  _jaeger_mod=$(go env GOPATH)/toolgate-jaeger
  rm -rf "$_jaeger_mod" && mkdir -p "$_jaeger_mod" && (cd "$_jaeger_mod" \
    && go mod init toolgate.local/jaeger >/dev/null 2>&1 \
    && go mod edit -replace github.com/Shopify/sarama=github.com/Shopify/sarama@v1.33.0 \
    && go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" \
    && go build -o "$GOBIN_DIR/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) \
    && touch "$GOBIN_DIR/.jaeger-$JAEGER_VERSION" \
    || { echo "prereqs: jaeger build failed" >&2; return 1 2>/dev/null || exit 1; }
fi

# redis-server from Debian (tests start their own on a free port).
if ! command -v redis-server >/dev/null 2>&1; then
  echo "prereqs: installing redis-server" >&2
  _sudo apt-get update -qq && _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
    || { echo "prereqs: redis-server install failed" >&2; return 1 2>/dev/null || exit 1; }
fi
# openssl from Debian: the tests make keys with it, as the README tells users to (checkpoint and bundle-signing keys).
if ! command -v openssl >/dev/null 2>&1; then
  echo "prereqs: installing openssl" >&2
  _sudo apt-get update -qq && _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null \
    || { echo "prereqs: openssl install failed" >&2; return 1 2>/dev/null || exit 1; }
fi
# node >= 18 and npm from Debian, for the MCP interop tests' TypeScript-SDK client in src/test/node/mcp-interop
# (NodeMcpClient runs `npm ci` there on first use, so that Maven alone also works).
_node_major() { node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p'; }
_node_ok() { node_major=$(_node_major); [ -n "$node_major" ] && [ "$node_major" -ge 18 ] && command -v npm >/dev/null 2>&1; }
if ! _node_ok; then
  echo "prereqs: installing nodejs and npm" >&2
  _sudo apt-get update -qq && _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
    || { echo "prereqs: nodejs/npm install failed" >&2; return 1 2>/dev/null || exit 1; }
  _node_ok || { echo "prereqs: need node >= 18 and npm on the PATH; have node $(node --version 2>/dev/null || echo none), npm $(npm --version 2>/dev/null || echo none)" >&2; return 1 2>/dev/null || exit 1; }
fi
echo "prereqs: java $(_java_major "$JAVA_HOME") at $JAVA_HOME, $(opa version | head -1), $(redis-server --version | cut -d' ' -f1-3), node $(node --version), npm $(npm --version 2>/dev/null)" >&2
