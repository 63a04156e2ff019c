# QOC - the two commands a user needs are `make run` and `make check` (see README.md).
# CMake does the building; this file only chains installing, configuring and running.

BUILD       ?= build
CHECK_BUILD ?= build/check
FUZZ_BUILD  ?= build/fuzz
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all build run check unit deps test-deps bench fuzz fuzz-build clean format

all: build

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQOC_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./scripts/run.sh $(BUILD)/qoc

check: test-deps
	cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DQOC_SANITIZE=ON -DQOC_WERROR=ON >/dev/null
	cmake --build $(CHECK_BUILD) -j $(JOBS)
	./scripts/check-banned.sh
	./scripts/check-layers.py --libs $(CHECK_BUILD)
	# detect_stack_use_after_return: a pointer into a returned function's frame (the bug
	# fixed in oauth/issue.c) is caught where it is read, not when the frame is reused.
	cd $(CHECK_BUILD) && ASAN_OPTIONS=detect_stack_use_after_return=1:$$ASAN_OPTIONS \
		ctest --output-on-failure -j $(JOBS)

# The unit tests alone, for the edit-compile-test loop: an optimised build without the
# sanitizers or the web app, every tests/unit/test_*.c in parallel (make check runs the
# same tests under ASan+UBSan). PostgreSQL's store tests skip without the cluster.
UNIT_BUILD ?= build/unit
unit: test-deps
	@cmake -S . -B $(UNIT_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQOC_WEB=OFF >/dev/null
	@cmake --build $(UNIT_BUILD) -j $(JOBS)
	@cd $(UNIT_BUILD) && ctest -L unit -E postgres --output-on-failure -j $(JOBS)

deps:
	@./scripts/deps.sh run

test-deps:
	@./scripts/deps.sh test
	@./scripts/npm-deps.sh

bench: build
	@./scripts/deps.sh bench
	@./bench/run.sh $(BUILD)
	@./bench/tls.sh $(BUILD)
	@./bench/log.sh $(BUILD)
	@./bench/micro.sh
	@BENCH_SKIP_QUERY=1 ./bench/analytics.sh
	@./bench/compare.sh $(BUILD)

fuzz-build:
	@./scripts/deps.sh fuzz
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DQOC_FUZZ=ON -DQOC_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Runs every fuzzer for FUZZ_SECONDS each on its seed corpus (not part of `make check`).
FUZZ_SECONDS ?= 30
fuzz: fuzz-build
	@./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'fuzz/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD)
