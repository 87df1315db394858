#!/usr/bin/env bash
# Where the service's CPU goes while it answers /validate (or /mutate) at full speed: the packaged
# service (-Xmx256m, private etcd) is warmed up with wrk, then async-profiler (from Maven Central,
# loaded into the running JVM with jcmd) samples every thread for the measured seconds, and
# split.py sorts the samples into TLS, socket I/O, HTTP codec, RESTEasy, JSON reading, the
# decision, Jackson writing, metrics, GC and JIT. Prints that table and keeps the collapsed stacks
# (flame-graph input) in target/bench/profile-ENDPOINT.collapsed. Not part of `make test`.
#
# usage: bench/admission/profile.sh [-d seconds] [-w warm-up seconds] [-e validate|dryrun|mutate]
#   dryrun: /validate with request.dryRun, so no pod is handed to the etcd worker
set -euo pipefail
# shellcheck source=/dev/null # bench/lib.sh, checked on its own
source "$(dirname "$0")/../lib.sh"
duration=20
warmup=40
endpoint=validate
while getopts "d:w:e:" opt; do
  case "$opt" in
    d) duration=$OPTARG ;; w) warmup=$OPTARG ;; e) endpoint=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
  esac
done
bench_init
need wrk:wrk etcd:etcd-server curl:curl python3:python3
work=$BENCH_WORK

profiler=target/bench/async-profiler/linux-x64/libasyncProfiler.so
if [ ! -f "$profiler" ]; then
  ./mvnw -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.0 -DoutputDirectory=target/bench
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    target/bench/async-profiler-4.0.jar target/bench/async-profiler
fi
profiler=$PWD/$profiler

review_for "$endpoint" "$work/review.json"
path=$REVIEW_PATH
wrk_post_script "$work/review.json" "$work/post.lua"

start_etcd
set -m # job control: otherwise the JVM starts with SIGQUIT ignored and jcmd cannot attach to it
start_service
echo "warming up for ${warmup}s..." >&2
wrk -t2 -c32 -d"${warmup}s" -s "$work/post.lua" "$SERVICE_URL/$path" >/dev/null

out=$PWD/target/bench/profile-$endpoint.collapsed
mkdir -p target/bench
# jcmd would split a bare a=b argument: async-profiler's options go in quotes
jcmd "$SERVICE_PID" JVMTI.agent_load "$profiler" '"start,event=itimer,interval=1ms,threads"' >/dev/null
wrk -t2 -c32 -d"${duration}s" -s "$work/post.lua" "$SERVICE_URL/$path" >"$work/wrk.out"
jcmd "$SERVICE_PID" JVMTI.agent_load "$profiler" "\"stop,collapsed,file=$out\"" >/dev/null
rps=$(wrk_rps "$work/wrk.out" strict)

echo "POST /$path ($endpoint): $(thousands "$rps") requests/s while profiled (wrk -t2 -c32, ${duration}s); stacks in $out"
python3 bench/admission/split.py "$out"
