#!/usr/bin/env bash
# Admission throughput as a ratio to a baseline measured on the same server in the same run.
#
# Starts the packaged webhook (target/quarkus-app) on a free loopback port with throw-away
# certificates, then drives it with wrk over HTTPS, one endpoint after the other, same
# connections and duration:
#   baseline   GET  /q/health/live   (same TLS, HTTP and event loop; no admission work)
#   validate   POST /validate        a 4.5 KiB Pod CREATE review with a valid policy
#   denied     POST /validate        the same Pod with a policy that does not parse
#   mutate     POST /mutate          a Pod with the legacy key (JSON Patch answer)
# and prints requests/s and the ratio to the baseline. Not part of `make test`.
#
# usage: bench/admission/run.sh [-d seconds] [-c connections] [-t threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=10
connections=32
threads=2
while getopts "d:c:t:" opt; do
  case "$opt" in
    d) duration=$OPTARG ;; c) connections=$OPTARG ;; t) threads=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "installing wrk with apt-get" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
certs/generate.sh -o "$work" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

WEBHOOK_PORT=$port WEBHOOK_TLS_CERT=$work/tls.crt WEBHOOK_TLS_KEY=$work/tls.key \
  java -jar target/quarkus-app/quarkus-run.jar >"$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -sf --cacert "$work/ca.crt" "https://localhost:$port/q/health/live" >/dev/null && break
  sleep 0.5
done

fixtures=src/test/resources/admission
post_script() { # $1 = review file -> a wrk Lua script posting it
  python3 - "$1" "$2" <<'PY'
import json, sys
body = open(sys.argv[1]).read()
open(sys.argv[2], 'w').write(
    'wrk.method = "POST"\n'
    'wrk.headers["Content-Type"] = "application/json"\n'
    'wrk.body = ' + json.dumps(body) + '\n')
PY
}
post_script "$fixtures/validate/create-with-valid-policy/review.json" "$work/validate.lua"
post_script "$fixtures/validate/create-with-invalid-policy-is-denied/review.json" "$work/denied.lua"
post_script "$fixtures/mutate/legacy-key-is-rewritten/review.json" "$work/mutate.lua"

rps() { # $1 = path, $2 = optional script -> requests/s
  local args=(-t"$threads" -c"$connections" -d"${duration}s" --latency)
  [ -n "${2:-}" ] && args+=(-s "$2")
  wrk "${args[@]}" "https://localhost:$port$1" >"$work/wrk.out"
  if grep -q "Non-2xx" "$work/wrk.out"; then echo "non-2xx answers from $1" >&2; cat "$work/wrk.out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}

echo "warming up (${duration}s per endpoint)..." >&2
rps /validate "$work/validate.lua" >/dev/null
rps /mutate "$work/mutate.lua" >/dev/null
rps /q/health/live >/dev/null

base=$(rps /q/health/live)
validate=$(rps /validate "$work/validate.lua")
denied=$(rps /validate "$work/denied.lua")
mutate=$(rps /mutate "$work/mutate.lua")

printf '%-10s %12s %8s\n' endpoint 'requests/s' ratio
for row in "baseline $base" "validate $validate" "denied $denied" "mutate $mutate"; do
  # shellcheck disable=SC2086 # splits "name rate" into $1 and $2 on purpose
  set -- $row
  awk -v name="$1" -v r="$2" -v b="$base" 'BEGIN { printf "%-10s %12.0f %8.2f\n", name, r, r / b }'
done
echo "($threads threads, $connections connections, ${duration}s each, $(nproc) cores; baseline GET /q/health/live)"
