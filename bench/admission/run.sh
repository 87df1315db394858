#!/usr/bin/env bash
# shellcheck disable=SC2016 # backquotes in single quotes are Markdown for the results table
# Admission speed of the packaged service against nginx serving HTTPS on the same machine, in the
# same run: nginx answers every request with a fixed AdmissionReview, over TLS with the same
# certificate, so its figures are what TLS plus HTTP cost here with no Java and no admission work.
# A bare Vert.x server (BareVertx.java, on the service's own jars: the same BoringSSL and epoll)
# answers the same way: what the JVM and Vert.x cost, without Quarkus and without admission work.
#
# Starts a private etcd, the service jar (-Xmx256m, production profile) and nginx, each on a free
# loopback port, then measures with wrk, round after round, interleaved so that noise from other
# work on the machine hits every target alike:
#   requests/s at 32 connections (wrk -t2 -c32) and p99 at 4 connections (wrk -t2 -c4) of
#   nginx          POST /              the review below, answered with a fixed review
#   vertx          POST /              the same, to the bare Vert.x server
#   validate       POST /validate      a 3.6 KiB Pod CREATE review (review.json), allowed; in local
#                                      mode (no Kubernetes API) the pod goes to the etcd worker,
#                                      which finds its profile unchanged in etcd
#   dryrun         POST /validate      the same as a dry run: the admission alone, no hand-off
#   denied         POST /validate      the same Pod with a policy that does not parse
#   mutate         POST /mutate        the same Pod with the legacy key (JSON Patch answer)
#   health         GET  /q/health/live on the management port
# and prints the median of the rounds with the ratio to nginx; also the service's resident memory
# under that load and its start-up time to ready (median of several starts). Not part of
# `make test`; see bench/admission/README.md.
#
# usage: bench/admission/run.sh [-d seconds per measurement] [-r rounds] [-s starts]
set -euo pipefail
# shellcheck source=/dev/null # bench/lib.sh, checked on its own
source "$(dirname "$0")/../lib.sh"
duration=10
rounds=3
starts=3
while getopts "d:r:s:" opt; do
  case "$opt" in
    d) duration=$OPTARG ;; r) rounds=$OPTARG ;; s) starts=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
  esac
done
bench_init
need wrk:wrk nginx:nginx etcd:etcd-server curl:curl python3:python3
work=$BENCH_WORK
make_certs

# --- the requests ------------------------------------------------------------------------------
python3 - bench/admission/review.json "$work" <<'PY'
import json, sys
review = json.load(open(sys.argv[1]))
out = sys.argv[2]
annotations = review["request"]["object"]["metadata"]["annotations"]
policy = annotations["projectcalico.org/policy"]
write = lambda name: json.dump(review, open(f"{out}/{name}.json", "w"), separators=(",", ":"))
write("validate")
write("nginx")
write("vertx")
review["request"]["dryRun"] = True
write("dryrun")
review["request"]["dryRun"] = False
annotations["projectcalico.org/policy"] = "allow tcp to ports 80,Y; deny from label role=lb"
write("denied")
annotations["policy"] = policy
del annotations["projectcalico.org/policy"]
write("mutate")
answer = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
          "response": {"uid": review["request"]["uid"], "allowed": True}}
json.dump(answer, open(f"{out}/answer.json", "w"), separators=(",", ":"))
PY
for target in nginx vertx validate dryrun denied mutate; do
  wrk_post_script "$work/$target.json" "$work/$target.lua"
done

# --- nginx: same certificate, TLS 1.2/1.3, asks for a client certificate like the service -----
start_nginx() {
  local port
  port=$(free_port)
  NGINX_URL=https://localhost:$port
  mkdir -p "$work/nginx"
  cat >"$work/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 1000000;
  client_max_body_size 4m;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $CERTS/tls.crt;
    ssl_certificate_key $CERTS/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;
    location / {
      default_type application/json;
      return 200 '$(cat "$work/answer.json")';
    }
  }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' &
  BENCH_PIDS+=($!)
  wait_for --cacert "$CERTS/ca.crt" -X POST "$NGINX_URL/"
}

# --- bare Vert.x: the service's jars, no Quarkus, a fixed answer ---------------------------------
start_vertx() {
  local port classpath
  port=$(free_port)
  VERTX_URL=https://localhost:$port
  classpath=$(find target/quarkus-app/lib/main -name '*.jar' | sort | tr '\n' ':')
  java -Xmx256m -cp "$classpath" bench/admission/BareVertx.java "$port" "$CERTS" "$work/answer.json" \
    >"$work/vertx.log" 2>&1 &
  BENCH_PIDS+=($!)
  wait_for --cacert "$CERTS/ca.crt" -X POST "$VERTX_URL/" || { cat "$work/vertx.log" >&2; return 1; }
  grep "^bare Vert.x on" "$work/vertx.log" >&2 || true
}

# --- one measurement ---------------------------------------------------------------------------
url_of() {
  case "$1" in
    nginx) echo "$NGINX_URL/" ;; vertx) echo "$VERTX_URL/" ;; health) echo "$MANAGEMENT_URL/q/health/live" ;;
    validate | dryrun | denied) echo "$SERVICE_URL/validate" ;; mutate) echo "$SERVICE_URL/mutate" ;;
  esac
}

# run_wrk TARGET CONNECTIONS SECONDS -> wrk's output in $work/wrk.out; samples the service's RSS.
run_wrk() {
  local args=(-t2 -c"$2" -d"$3s" --latency)
  [ "$1" != health ] && args+=(-s "$work/$1.lua")
  wrk "${args[@]}" "$(url_of "$1")" >"$work/wrk.out" &
  local wrk_pid=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    if [ "$1" != nginx ] && [ "$1" != vertx ]; then rss_mib "$SERVICE_PID" >>"$work/rss"; fi
    sleep 0.5
  done
  wait "$wrk_pid"
}

# Each body once, to check that every target answers what this benchmark claims to measure.
check_answers() {
  post() { curl -sS --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' --data-binary "@$work/$1.json" "$(url_of "$1")"; }
  post nginx | grep -q '"allowed":true' || { echo "nginx: unexpected answer" >&2; exit 1; }
  post vertx | grep -q '"allowed":true' || { echo "bare Vert.x: unexpected answer" >&2; exit 1; }
  post validate | grep -q '"allowed":true' || { echo "/validate: review not allowed" >&2; exit 1; }
  post dryrun | grep -q '"allowed":true' || { echo "/validate: dry run not allowed" >&2; exit 1; }
  post denied | grep -q '"allowed":false' || { echo "/validate: broken policy not denied" >&2; exit 1; }
  post mutate | grep -q '"patchType":"JSONPatch"' || { echo "/mutate: no patch" >&2; exit 1; }
}

targets=(nginx vertx validate dryrun denied mutate health)
start_etcd
start_nginx

echo "start-up to ready, $starts starts..." >&2
for i in $(seq 1 "$starts"); do
  start_service
  # shellcheck disable=SC2153 # STARTUP_MS is set by start_service in bench/lib.sh
  echo "$STARTUP_MS" >>"$work/startup"
  if [ "$i" -lt "$starts" ]; then stop_pid "$SERVICE_PID"; fi
done
start_vertx # after the service's start-up, which it would slow down; on the jars built for it
check_answers

echo "warming up, ${duration}s per target..." >&2
for target in "${targets[@]}"; do
  run_wrk "$target" 32 "$duration"
done
: >"$work/rss"

for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds..." >&2
  for target in "${targets[@]}"; do
    run_wrk "$target" 32 "$duration"
    wrk_rps "$work/wrk.out" strict >>"$work/rps.$target"
    run_wrk "$target" 4 "$duration"
    wrk_rps "$work/wrk.out" strict >/dev/null
    wrk_p99_ms "$work/wrk.out" >>"$work/p99.$target"
  done
done

# --- the figures ---------------------------------------------------------------------------------
declare -A rps p99
for target in "${targets[@]}"; do
  rps[$target]=$(median <"$work/rps.$target")
  p99[$target]=$(median <"$work/p99.$target")
done
rss=$(sort -n "$work/rss" | tail -1)
startup_ms=$(median <"$work/startup")

printf '\n%-26s %12s %8s %12s %8s\n' target 'requests/s' ratio 'p99 ms' ratio
for target in "${targets[@]}"; do
  printf '%-26s %12s %8s %12s %8s\n' "$target" "$(thousands "${rps[$target]}")" \
    "$(ratio "${rps[$target]}" "${rps[nginx]}")" "${p99[$target]}" "$(ratio "${p99[$target]}" "${p99[nginx]}")"
done
printf 'RSS under load: %s MiB (-Xmx256m); start-up to ready: %s ms (median of %s)\n' "$rss" "$startup_ms" "$starts"
printf '(median of %s rounds of %ss; requests/s at 32 connections, p99 at 4; wrk -t2; %s cores; %s)\n' \
  "$rounds" "$duration" "$(nproc)" "$(nginx -v 2>&1 | sed 's/.*: //')"

nginx_rps="nginx over TLS answering a fixed review: $(thousands "${rps[nginx]}")"
result 'bare Vert.x over TLS answering a fixed review (the same jars, no Quarkus), requests/s' "$(thousands "${rps[vertx]}")" "$nginx_rps" "$(ratio "${rps[vertx]}" "${rps[nginx]}")"
result '`/validate` requests/s, 32 connections' "$(thousands "${rps[validate]}")" "$nginx_rps" "$(ratio "${rps[validate]}" "${rps[nginx]}")"
result '`/validate` dry run (no hand-off to the etcd worker), requests/s' "$(thousands "${rps[dryrun]}")" "$nginx_rps" "$(ratio "${rps[dryrun]}" "${rps[nginx]}")"
result '`/validate` denied, requests/s' "$(thousands "${rps[denied]}")" "$nginx_rps" "$(ratio "${rps[denied]}" "${rps[nginx]}")"
result '`/mutate` requests/s' "$(thousands "${rps[mutate]}")" "$nginx_rps" "$(ratio "${rps[mutate]}" "${rps[nginx]}")"
result '`/q/health/live` requests/s' "$(thousands "${rps[health]}")" "$nginx_rps" "$(ratio "${rps[health]}" "${rps[nginx]}")"
result '`/validate` p99 at 4 connections (goal <= 2)' "${p99[validate]} ms" "nginx: ${p99[nginx]} ms" "$(ratio "${p99[validate]}" "${p99[nginx]}")"
result '`/validate` dry run p99 at 4 connections' "${p99[dryrun]} ms" "nginx: ${p99[nginx]} ms" "$(ratio "${p99[dryrun]}" "${p99[nginx]}")"
result '`/mutate` p99 at 4 connections' "${p99[mutate]} ms" "nginx: ${p99[nginx]} ms" "$(ratio "${p99[mutate]}" "${p99[nginx]}")"
result 'RSS under load, -Xmx256m (goal < 512 MiB)' "$rss MiB" "" ""
result 'start-up to ready, JVM (goal < 2 s)' "$(awk -v m="$startup_ms" 'BEGIN { printf "%.2f s", m / 1000 }')" "" ""
