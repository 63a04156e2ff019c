#!/usr/bin/env bash
# make bench (part 2): the micro-benchmarks under bench/*.c, built Release with QOC_BENCH=ON
# into build/bench, each run for a few seconds and printing its own figures:
#   bench_sign_bench   ID tokens / JWT access tokens / bare JWS per second, per algorithm
#   bench_store_tokens durable token inserts per second with and without group commit
#   bench_list_apps    time per page listing 10,000 applications (target p99 < 5 ms)
#   bench_analytics_query  the 30-day hourly analytics query over 10 M events (< 50 ms);
#                      bench/analytics.sh adds the capture overhead on the token endpoint
#   bench_password_verify  argon2id verify of a wrong password vs the unknown-account dummy
#                      (SECURITY.md "Passwords": same time; the ratio should be ~1.0)
#   bench_metrics_cost ns of metrics counting per request, alone and with 2 threads
#                      contending (docs/decisions/metrics.md "Cost")
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/build/bench"
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DQOC_BENCH=ON -DQOC_TESTS=OFF >/dev/null
cmake --build "$dir" -j "$(nproc)" --target bench_sign_bench bench_store_tokens bench_list_apps bench_analytics_query bench_password_verify bench_metrics_cost >/dev/null
echo; echo "== signing (2 threads, 2 s per workload)"; "$dir/bench_sign_bench" 2 2
echo; echo "== durable token inserts (synchronous=FULL, 64 threads, 3 s per phase)"; "$dir/bench_store_tokens" 3 64
echo; echo "== listing 10,000 applications, pages of 20"; "$dir/bench_list_apps" 10000 20
echo; echo "== analytics: 30-day hourly query over 10 M events"; "$dir/bench_analytics_query" 10000000 30 30
echo; echo "== password verify: wrong password vs unknown account (20 rounds each)"; "$dir/bench_password_verify" 20
echo; echo "== metrics: what counting one introspection costs (1 and 2 threads)"; "$dir/bench_metrics_cost" 2 2000000
