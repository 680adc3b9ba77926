#!/usr/bin/env bash
# Profiles toolgate under the side-by-side load (docs/performance.md, "Profiling"): fetches async-profiler and its JFR
# converter from Maven Central, runs loadtest/side-by-side.sh for one row with the profiler loaded into both toolgate
# JVMs (CPU samples every millisecond, Java and kernel frames), then cuts the fixed-rate phase out of the recording
# and prints where the CPU time went: by thread, and by the code each sample was in (a sample in the kernel is charged
# to the call that entered it, e.g. fdatasync or epoll_wait).
#
#   bash loadtest/profile.sh                    the HTTP allow path (row toolgate) at 1,000 calls/s
#   ROW=toolgate-mcp RATE=2000 bash loadtest/profile.sh
#
# Results in loadtest/target/profile/: the recordings (.jfr), fixed.collapsed (folded stacks per thread, for any
# flame graph tool) and fixed.html (async-profiler's flame graph). Needs perf events (kernel.perf_event_paranoid <= 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/prereqs.sh
ASYNC_PROFILER_VERSION=4.2
ROW=${ROW:-toolgate}
export RATE=${RATE:-1000}
TOOLS=loadtest/target/profiler
OUT=loadtest/target/profile
rm -rf "$OUT" && mkdir -p "$OUT" "$TOOLS"
for artifact in async-profiler jfr-converter; do
  [ -f "$TOOLS/$artifact-$ASYNC_PROFILER_VERSION.jar" ] || ./mvnw -B -ntp -q dependency:copy \
      -Dartifact="tools.profiler:$artifact:$ASYNC_PROFILER_VERSION" -DoutputDirectory="$TOOLS"
done
(cd "$TOOLS" && unzip -o -q "async-profiler-$ASYNC_PROFILER_VERSION.jar" linux-x64/libasyncProfiler.so)

AGENT="$PWD/$TOOLS/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,file=$PWD/$OUT/toolgate-%p.jfr"
ONLY=$ROW JAVA_OPTS="-agentpath:$AGENT" bash loadtest/side-by-side.sh
PID=$(cat loadtest/target/side-by-side/toolgate-"$([ "$ROW" = toolgate-redis ] && echo redis || echo embedded)".pid)

# the fixed-rate phase: how many calls, from the first to the last vegeta sent (milliseconds since the epoch)
read -r CALLS FROM TO < <(vegeta encode --to csv "loadtest/target/side-by-side/$ROW.fixed.bin" \
    | awk -F, 'NR == 1 { first = $1 } { last = $1 } END { printf "%d %.0f %.0f\n", NR, first / 1e6, last / 1e6 }')
CONVERT=(java -jar "$TOOLS/jfr-converter-$ASYNC_PROFILER_VERSION.jar" --cpu --norm --from "$FROM" --to "$TO")
"${CONVERT[@]}" -o collapsed -t "$OUT/toolgate-$PID.jfr" "$OUT/fixed.collapsed" >/dev/null
"${CONVERT[@]}" -o html "$OUT/toolgate-$PID.jfr" "$OUT/fixed.html" >/dev/null
python3 loadtest/profile_summary.py "$OUT/fixed.collapsed" "$CALLS"
