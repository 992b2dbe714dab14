# clbench: `make run` runs the built-in synthetic stream, `make test` runs
# every test. GOEXPERIMENT=simd compiles GoMLX's AVX2/AVX-512 kernels for
# the pure-Go backend (about 2.5x faster training; results differ from a
# plain build in the last bits, and every result records the build).

GO          ?= go
export GOEXPERIMENT ?= simd
# The commit, with -dirty when the tree has uncommitted or untracked
# source: results then say they did not come from that commit alone.
COMMIT      := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell \
	test -z "$$(git status --porcelain --untracked-files=normal -- '*.go' go.mod go.sum 2>/dev/null)" || echo -dirty)
LDFLAGS     := -X github.com/clbench/clbench/bench.Commit=$(COMMIT)
BIN         := bin/clbench
OUT         ?= out
# The datasets folder of test-real and smoke-real: DATA=..., else the
# CLBENCH_DATA the user exported, else this project's CI cache.
DATA        ?= $(or $(CLBENCH_DATA),$(abspath ../shared/datasets))

.PHONY: all build run test test-real bench fmt clean smoke-real leaderboard leaderboard-check

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/clbench

# The built-in synthetic stream with the lower and upper bounds.
run: build
	./$(BIN) run --stream synthetic --strategy finetune,joint --seeds 1 --out $(OUT)/synthetic

# -timeout 15m: the strategies package trains split MNIST's CI-sized
# ordering checks on the pure-Go backend (about 4 minutes on 2 cores, and
# past go test's 10-minute default on a loaded machine).
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

# The flagship stream on real data with its default caps must learn each
# task and forget SST-2 (about four minutes; needs the datasets folder).
test-real:
	CLBENCH_LONG=1 CLBENCH_DATA=$(DATA) $(GO) test -count=1 -v -run TestFlagship ./cmd/clbench/

# Go benchmarks of the training step.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 10x ./bench/

# GoMLX's XLA backend, which needs cgo. `make xla` fetches a PJRT CPU
# plugin through pip into $(XLA_CACHE) and prints the --backend flag to
# use; build-xla builds bin/clbench-xla with the backend; test-xla checks
# that the synthetic stream trains on XLA as on the pure-Go backend.
XLA_CACHE   ?= .cache/xla

.PHONY: xla build-xla test-xla bench-xla

xla:
	XLA_CACHE=$(XLA_CACHE) scripts/xla_plugin.sh

build-xla:
	CGO_ENABLED=1 $(GO) build -tags xla -ldflags "$(LDFLAGS)" -o bin/clbench-xla ./cmd/clbench

test-xla: xla
	CGO_ENABLED=1 CLBENCH_XLA_BACKEND=xla:$(abspath $(XLA_CACHE))/lib/pjrt_c_api_cpu_plugin.so \
		$(GO) test -tags xla -count=1 -v -run XLA ./bench/

# The Go benchmarks of the training and evaluation steps on XLA's CPU
# plugin, to set beside `make bench`.
bench-xla: xla
	CGO_ENABLED=1 CLBENCH_BACKEND=xla:$(abspath $(XLA_CACHE))/lib/pjrt_c_api_cpu_plugin.so \
		$(GO) test -tags xla -run '^$$' -bench . -benchtime 10x ./bench/

# A short run on the real flagship stream (needs the datasets folder).
smoke-real: build
	CLBENCH_DATA=$(DATA) ./$(BIN) run --stream sentiment-ner-domain --strategy finetune \
		--seeds 1 --max-train 400 --max-test 200 --epochs 1 --out $(OUT)/smoke-real

# LEADERBOARD.md and its figures, regenerated from the committed results.
# The report's header quotes this command; the same results give the same
# bytes, so leaderboard-check fails when the committed report is stale.
LEADERBOARD_CMD = leaderboard --report LEADERBOARD.md --images leaderboard/img --baseline finetune leaderboard/results

leaderboard: build
	./$(BIN) $(LEADERBOARD_CMD) -q > /dev/null

leaderboard-check: leaderboard
	git diff --exit-code -- LEADERBOARD.md leaderboard/img
	@test -z "$$(git status --porcelain -- leaderboard/img)" || \
		{ echo "leaderboard/img has figures that are not committed"; exit 1; }

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT)
