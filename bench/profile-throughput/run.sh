#!/usr/bin/env bash
# Profile programming, measured twice against etcd's ceiling on this machine in the same run:
#
# 1. idle worker (ProfileThroughputBench): the service's worker classes fed 20,000 pods at once
#    on a private etcd, against each put awaited in turn and against blind batched transactions.
# 2. programming lag: the packaged service (-Xmx256m, production profile, a private etcd; no
#    Kubernetes API, so admission feeds the worker) gets unique pods through POST /validate at full
#    speed for 10 s (wrk -t2 -c32, 3.6 KiB reviews like bench/admission/review.json, each with
#    its own pod name); measured: the profiles etcd holds when the load ends (profiles/s during
#    the load, against blind batched transactions of the same keys on the same etcd just before),
#    and the time from the end of the load until etcd holds every admitted pod's profile.
#
# Not part of `make test`; see bench/profile-throughput/README.md.
# usage: bench/profile-throughput/run.sh [-d load seconds] [-w warm-up seconds]
#        BENCH_ARGS="..." passes arguments to ProfileThroughputBench (see its Javadoc).
set -euo pipefail
# shellcheck source=/dev/null # bench/lib.sh, checked on its own
source "$(dirname "$0")/../lib.sh"
duration=10
warmup=60
while getopts "d:w:" opt; do
  case "$opt" in
    d) duration=$OPTARG ;; w) warmup=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
  esac
done
bench_init
need wrk:wrk etcd:etcd-server curl:curl python3:python3
work=$BENCH_WORK

# --- build: the service jar, and the benchmark classes next to the project's ------------------
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
[ target/bench.classpath -nt pom.xml ] ||
  ./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=runtime
classes=target/bench/profile-throughput
mkdir -p "$classes"
cp="target/classes:$(cat target/bench.classpath)"
javac -d "$classes" -cp "$cp" bench/Results.java bench/profile-throughput/*.java
cp="$classes:$cp"

# --- 1. the idle worker ----------------------------------------------------------------------
echo "idle worker against etcd's ceiling (ProfileThroughputBench ${BENCH_ARGS:-})..." >&2
# shellcheck disable=SC2086
java -cp "$cp" ProfileThroughputBench ${BENCH_ARGS:-}

# --- 2. the programming lag ------------------------------------------------------------------
# A wrk script that posts the review with a new pod name each time: PREFIX-THREAD-N.
python3 - bench/admission/review.json "$work/unique.lua" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
name = review["request"]["name"]
parts = json.dumps(review, separators=(",", ":")).split(name)
lua = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local parts = {%s}
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  prefix = args[1] .. "-" .. id .. "-"
  n = 0
end
function request()
  n = n + 1
  local name = prefix .. n
  return wrk.format(nil, nil, nil, table.concat(parts, name))
end
""" % ", ".join(json.dumps(p) for p in parts)
open(sys.argv[2], "w").write(lua)
PY

allowed() { # /validate answers that allowed a pod, from the service's own histogram
  curl -sf --cacert "$CERTS/ca.crt" "$MANAGEMENT_URL/q/metrics" |
    awk '/^calico_webhook_admission_seconds_count\{/ && /endpoint="validate"/ && /verdict="allowed"/ { printf "%.0f\n", $NF }'
}
# start_counter PREFIX FILE: EtcdKeyCounter appends "MILLISECONDS KEYS" under PREFIX to FILE every
# 20 ms, from a watch (counting in etcd would load the etcd being measured); returns once it counts.
start_counter() {
  java -Xmx128m -cp "$cp" EtcdKeyCounter "$ETCD_URL" "$1" "$2" 2>>"$work/counter.log" &
  COUNTER_PID=$!
  BENCH_PIDS+=("$COUNTER_PID")
  for _ in $(seq 1 300); do
    [ -s "$2" ] && return
    kill -0 "$COUNTER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "the etcd key counter did not start:" >&2
  tail -5 "$work/counter.log" >&2
  return 1
}
# keys under the counter's prefix by the last line of $counts
keys() { tail -1 "$counts" 2>/dev/null | awk '{ n = $2 } END { print n + 0 }'; }
# profiles_since BASE: profiles (rules and tags, two keys each) counted since the count was BASE
profiles_since() { echo $((($(keys) - $1) / 2)); }
# load NAME SECONDS: unique pods NAME-* through /validate, while the counter started below counts
# the keys of their profiles (rules and tags: two a profile) every 20 ms into $counts; waits until
# etcd holds every admitted pod's profile. Sets ADMITTED, AT_END (profiles in etcd when the load
# ended) and LAG_MS (from then until all).
load() {
  local before base start_ms end_ms
  before=$(allowed)
  base=$(keys)
  start_ms=$(now_ms)
  wrk -t2 -c32 -d"$2s" -s "$work/unique.lua" "$SERVICE_URL/validate" -- "$1" >"$work/wrk.out"
  end_ms=$(now_ms)
  wrk_rps "$work/wrk.out" >/dev/null # a slow answer is part of the figure, not an error
  sleep 0.2 # answers still in flight when wrk stopped
  ADMITTED=$(($(allowed) - before))
  for _ in $(seq 1 1200); do
    [ "$(profiles_since "$base")" -ge "$ADMITTED" ] && break
    kill -0 "$COUNTER_PID" 2>/dev/null || break
    sleep 0.1
  done
  read -r AT_END LAG_MS < <(awk -v start="$start_ms" -v end="$end_ms" -v base="$base" -v want="$ADMITTED" '
    $1 < start { next }
    { n = int(($2 - base) / 2) }
    $1 <= end { at_end = n }
    n >= want && !done { done = 1; lag = $1 > end ? $1 - end : 0 }
    END { print at_end + 0, (done ? lag : -1) }' "$counts")
  if [ "$LAG_MS" -lt 0 ]; then
    echo "etcd holds $(profiles_since "$base") of $ADMITTED profiles 2 minutes after the load" \
      "(or the counter stopped; its log: $(tail -3 "$work/counter.log"))" >&2
    return 1
  fi
}

echo "programming lag: private etcd, its ceiling, then the service..." >&2
start_etcd
ceiling=$(java -cp "$cp" EtcdCeiling "$ETCD_URL" 20000 8)
start_service
counts=$work/keys.count
start_counter /calico/v1/policy/profile/shop_ "$counts" # one counter, warmed up with the service
echo "warming up with ${warmup}s of unique pods..." >&2
load warm "$warmup"
echo "${duration}s of unique pods through /validate..." >&2
load lag "$duration"

rate=$(awk -v n="$AT_END" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
lag=$(awk -v ms="$LAG_MS" 'BEGIN { printf "%.2f", ms / 1000 }')
printf '\n%s unique pods admitted in %ss: all in etcd %s s after the load ended\n' "$(thousands "$ADMITTED")" "$duration" "$lag"
printf 'profiles programmed during the load: %s/s (%s when it ended); ceiling, blind batched txns: %s/s; ratio %s\n' \
  "$(thousands "$rate")" "$(thousands "$AT_END")" "$(thousands "$ceiling")" "$(ratio "$rate" "$ceiling")"

result "$(thousands "$ADMITTED") unique pods admitted in ${duration}s: all in etcd (goal < 1 s)" "$lag s after the load ended" "" ""
admitted=$(awk -v n="$ADMITTED" -v d="$duration" 'BEGIN { printf "%.0f", n / d }')
result "profiles/s programmed during that load (at most the $(thousands "$admitted") pods/s admitted)" \
  "$(thousands "$rate")" "raw batched etcd txns, same keys: $(thousands "$ceiling")" "$(ratio "$rate" "$ceiling")"
