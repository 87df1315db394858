#!/usr/bin/env bash
# `make bench`: every benchmark, one after the other, then ONE table of every figure with its
# baseline from the same run and the ratio, headed by the machine it ran on. The table is also
# written to target/bench/latest.md, ready for bench/README.md. A benchmark that fails or misses
# its goal is reported after the table and makes the exit status non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
export BENCH_RESULTS=$PWD/target/bench/results.tsv
: >"$BENCH_RESULTS"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

failed=()
for bench in policy-parse admission profile-throughput; do
  echo "=== bench/$bench" >&2
  "bench/$bench/run.sh" >&2 || failed+=("$bench")
done
echo "=== bench/reconciler" >&2
make -s bench-reconciler >&2 || failed+=(reconciler)
echo "=== bench/scale" >&2
make -s bench-scale >&2 || failed+=(scale)

machine() {
  local cpu mem jdk etcd nginx
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  jdk=$(java -version 2>&1 | awk -F'"' 'NR == 1 { print $2 }')
  etcd=$(etcd --version | awk 'NR == 1 { print $3 }')
  nginx=$(nginx -v 2>&1 | sed 's|.*nginx/||')
  echo "$(nproc) cores ($cpu), $mem memory, JDK $jdk, etcd $etcd, nginx $nginx;" \
    "load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
}

{
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine)."
  echo
  echo "| what | this service | baseline in the same run | ratio |"
  echo "| --- | --- | --- | --- |"
  awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$BENCH_RESULTS"
} | tee target/bench/latest.md

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed or missed a goal: ${failed[*]} (output above)" >&2
  exit 1
fi
