#!/usr/bin/env bash
# shellcheck disable=SC2034 # STARTUP_MS, REVIEW_PATH, ...: set here, read by the scripts that source this file
# Shared by the benchmark scripts (sourced, not run): tools, free ports, a private etcd, the
# packaged service, and the results file that `make bench` turns into one table.
#
# Everything started here is registered with `on_exit` and stopped by the EXIT trap that
# `bench_init` sets, whether the benchmark finishes, fails or is interrupted.

bench_init() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." || return 1
  BENCH_WORK=$(mktemp -d)
  BENCH_PIDS=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Stops what was started, the last first (a load before the service before its etcd).
bench_cleanup() {
  local i
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${BENCH_PIDS[i]}"
  done
  rm -rf "$BENCH_WORK"
}

# Stops one process started by this script: TERM, then KILL after 15 s.
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait_gone "$1"
}

wait_gone() {
  local _
  for _ in $(seq 1 150); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null || true
}

# apt-get installs each Debian package whose command is missing: need COMMAND:PACKAGE...
need() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "missing ${missing[*]}: install them with your package manager" >&2
    exit 1
  fi
  echo "installing ${missing[*]} with apt-get" >&2
  local sudo
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged nginx (and etcd) as services where systemd runs: the benchmarks
  # start their own, so services this install just started are stopped and disabled again.
  local unit
  for unit in nginx etcd; do
    if [[ " ${missing[*]} " == *" $unit"* ]] && command -v systemctl >/dev/null &&
      systemctl is-active --quiet "$unit" 2>/dev/null; then
      $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
}

# A free TCP port on loopback (bound and released; the benchmark binds it right after).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Polls `curl ARGS...` every 20 ms for up to 60 s; fails if it never answers 2xx.
wait_for() {
  local _
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "$@" && return 0
    sleep 0.02
  done
  echo "no answer from $*" >&2
  return 1
}

now_ms() { date +%s%3N; }

# Starts a private etcd on free loopback ports with a data directory under BENCH_WORK; sets
# ETCD_URL.
start_etcd() {
  local client peer
  client=$(free_port)
  peer=$(free_port)
  ETCD_URL=http://127.0.0.1:$client
  etcd --name=bench --data-dir="$BENCH_WORK/etcd" \
    --listen-client-urls="$ETCD_URL" --advertise-client-urls="$ETCD_URL" \
    --listen-peer-urls="http://127.0.0.1:$peer" --initial-advertise-peer-urls="http://127.0.0.1:$peer" \
    --initial-cluster="bench=http://127.0.0.1:$peer" --log-level=warn --logger=zap \
    >"$BENCH_WORK/etcd.log" 2>&1 &
  BENCH_PIDS+=($!)
  wait_for "$ETCD_URL/health"
}

# Throw-away CA and serving certificate for localhost in BENCH_WORK/certs.
make_certs() {
  [ -f "$BENCH_WORK/certs/tls.crt" ] || certs/generate.sh -o "$BENCH_WORK/certs" >/dev/null 2>&1
  CERTS=$BENCH_WORK/certs
}

# The packaged service at -Xmx256m, as in production (prod profile) against ETCD_URL, on a free
# loopback port, health and metrics on another (the management interface). Sets SERVICE_PID,
# SERVICE_URL, MANAGEMENT_URL and STARTUP_MS (launch to /q/health/ready).
# SERVICE_APP names another build's quarkus-app directory (to compare two builds);
# SERVICE_JAVA_OPTS adds JVM flags.
start_service() {
  local port management start app=${SERVICE_APP:-target/quarkus-app}
  [ -f "$app/quarkus-run.jar" ] || ./mvnw -B -q package -DskipTests
  make_certs
  port=$(free_port)
  management=$(free_port)
  while [ "$management" = "$port" ]; do management=$(free_port); done
  SERVICE_URL=https://localhost:$port
  MANAGEMENT_URL=https://localhost:$management
  start=$(now_ms)
  # shellcheck disable=SC2086 # SERVICE_JAVA_OPTS holds several options on purpose
  WEBHOOK_PORT=$port WEBHOOK_MANAGEMENT_PORT=$management WEBHOOK_TLS_CERT=$CERTS/tls.crt WEBHOOK_TLS_KEY=$CERTS/tls.key \
    ETCD_ENDPOINTS=$ETCD_URL \
    java -Xmx256m ${SERVICE_JAVA_OPTS:-} -jar "$app/quarkus-run.jar" \
    >>"$BENCH_WORK/service.log" 2>&1 &
  SERVICE_PID=$!
  BENCH_PIDS+=("$SERVICE_PID")
  wait_for --cacert "$CERTS/ca.crt" "$MANAGEMENT_URL/q/health/ready" || {
    tail -20 "$BENCH_WORK/service.log" >&2
    return 1
  }
  STARTUP_MS=$(($(now_ms) - start))
}

# wrk_post_script JSON LUA: a wrk script posting JSON (compacted, as the apiserver sends it) as
# application/json.
wrk_post_script() {
  python3 - "$1" "$2" <<'PY'
import json, sys
body = json.dumps(json.load(open(sys.argv[1])), separators=(",", ":"))
open(sys.argv[2], "w").write(
    'wrk.method = "POST"\n'
    'wrk.headers["Content-Type"] = "application/json"\n'
    f"wrk.body = {json.dumps(body)}\n")
PY
}

# review_for validate|dryrun|mutate OUT: bench/admission/review.json as that endpoint's request
# (dryrun: request.dryRun; mutate: the legacy key, so that there is a patch to write); sets
# REVIEW_PATH to the endpoint's path.
review_for() {
  python3 - bench/admission/review.json "$2" "$1" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
if sys.argv[3] == "mutate":
    annotations = review["request"]["object"]["metadata"]["annotations"]
    annotations["policy"] = annotations.pop("projectcalico.org/policy")
review["request"]["dryRun"] = sys.argv[3] == "dryrun"
json.dump(review, open(sys.argv[2], "w"))
PY
  REVIEW_PATH=$([ "$1" = mutate ] && echo mutate || echo validate)
}

# Resident memory of a process in MiB.
rss_mib() {
  awk '/^VmRSS/ { printf "%.0f\n", $2 / 1024 }' "/proc/$1/status"
}

# wrk's output -> requests/s; fails on any non-2xx answer, or any socket error too with "strict".
wrk_rps() {
  if grep -qE "Non-2xx${2:+|Socket errors}" "$1"; then
    echo "errors in a wrk run:" >&2
    cat "$1" >&2
    return 1
  fi
  awk '/Requests\/sec/ { printf "%.0f\n", $2 }' "$1"
}

# wrk --latency output -> p99 in milliseconds.
wrk_p99_ms() {
  awk '$1 == "99%" {
    v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
    printf "%.2f\n", v * (unit == "us" ? 0.001 : unit == "s" ? 1000 : unit == "m" ? 60000 : 1)
  }' "$1"
}

# The median of numbers, one per line on stdin.
median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# ratio A B -> A/B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", b ? a / b : 0 }'; }

# 12345.6 -> 12,346
thousands() {
  awk -v n="$1" 'BEGIN {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    print s out
  }'
}

# One row of `make bench`'s table: result WHAT VALUE BASELINE RATIO (empty fields allowed). Appended
# to BENCH_RESULTS when `make bench` sets it.
result() {
  [ -n "${BENCH_RESULTS:-}" ] && printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$BENCH_RESULTS"
  return 0
}
