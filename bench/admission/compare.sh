#!/usr/bin/env bash
# Two builds of the service (or one build with two sets of JVM flags) side by side: both run at
# once against one private etcd, and wrk measures them in turn, round after round, so that noise
# from other work on the machine falls on both alike. Prints the median requests/s at 32
# connections and p99 at 4 of each, and B's ratio to A. For trying a change before keeping it;
# not part of `make test` or `make bench`.
#
# usage: bench/admission/compare.sh [-d seconds] [-r rounds] [-e validate|dryrun|mutate]
#                                   APP_A APP_B
#   APP_A, APP_B: quarkus-app directories (e.g. a copy of target/quarkus-app from each build);
#   JAVA_OPTS_A, JAVA_OPTS_B: extra JVM flags for each.
set -euo pipefail
# shellcheck source=/dev/null # bench/lib.sh, checked on its own
source "$(dirname "$0")/../lib.sh"
duration=10
rounds=5
endpoint=dryrun
while getopts "d:r:e:" opt; do
  case "$opt" in
    d) duration=$OPTARG ;; r) rounds=$OPTARG ;; e) endpoint=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2; }
apps=("$(realpath "$1")" "$(realpath "$2")")
bench_init
need wrk:wrk etcd:etcd-server curl:curl python3:python3
work=$BENCH_WORK

review_for "$endpoint" "$work/review.json"
path=$REVIEW_PATH
wrk_post_script "$work/review.json" "$work/post.lua"

start_etcd
urls=()
for i in 0 1; do
  opts_var=$([ $i = 0 ] && echo JAVA_OPTS_A || echo JAVA_OPTS_B)
  SERVICE_APP=${apps[i]} SERVICE_JAVA_OPTS=${!opts_var:-} start_service
  urls+=("$SERVICE_URL/$path")
  echo "${apps[i]} ${!opts_var:-}: ready in $STARTUP_MS ms" >&2
done

echo "warming up both..." >&2
for i in 0 1 0 1; do
  wrk -t2 -c32 -d"${duration}s" -s "$work/post.lua" "${urls[i]}" >/dev/null
done
for round in $(seq 1 "$rounds"); do
  echo "round $round of $rounds..." >&2
  for i in 0 1; do
    wrk -t2 -c32 -d"${duration}s" -s "$work/post.lua" "${urls[i]}" >"$work/wrk.out"
    wrk_rps "$work/wrk.out" strict >>"$work/rps.$i"
    wrk -t2 -c4 -d"${duration}s" --latency -s "$work/post.lua" "${urls[i]}" >"$work/wrk.out"
    wrk_p99_ms "$work/wrk.out" >>"$work/p99.$i"
  done
done

printf '\n%-4s %12s %10s  %s\n' build 'requests/s' 'p99 ms' app
for i in 0 1; do
  printf '%-4s %12s %10s  %s\n' "$([ $i = 0 ] && echo A || echo B)" \
    "$(thousands "$(median <"$work/rps.$i")")" "$(median <"$work/p99.$i")" "${apps[i]}"
done
# the median of each round's B/A, so that a noisy round moves both sides of one ratio
per_round() { paste "$work/$1.0" "$work/$1.1" | awk '{ print $1 ? $2 / $1 : 0 }' | median; }
printf 'B/A: requests/s %.2f, p99 %.2f (median of per-round ratios; %s rounds of %ss, POST /%s %s, load average %s)\n' \
  "$(per_round rps)" "$(per_round p99)" \
  "$rounds" "$duration" "$path" "$endpoint" "$(cut -d' ' -f1-3 /proc/loadavg)"
