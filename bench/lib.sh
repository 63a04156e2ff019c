# bench/lib.sh - what the benchmark scripts share; sourced after they set $root.
#   bench_fixture    sets $fixture: $BENCH_FIXTURE, or qoc-fixture built in Release
#                    (the store fixture that makes accounts and applications for a bench)
#   free_port        a free TCP port on 127.0.0.1
#   json_get KEY     the top-level member KEY of the JSON on stdin

bench_fixture() {
  fixture=${BENCH_FIXTURE:-}
  if [ -z "$fixture" ]; then
    local fb=${FIXTURE_BUILD:-$root/build/bench-fixture}
    cmake -S "$root" -B "$fb" -DCMAKE_BUILD_TYPE=Release -DQOC_TESTS=ON >/dev/null
    cmake --build "$fb" --target qoc-fixture -j "$(nproc)" >/dev/null
    fixture=$fb/qoc-fixture
  fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_get() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }
