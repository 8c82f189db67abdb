# The browser module (wasm/browser), the demo page (demo/page) and their tests (tests/browser).
#
#   make build-browser   cargo (wasm32, profile wasm-release) -> wasm-bindgen --target web -> wasm-opt
#                        -O3 into wasm/browser/pkg/, the npm package's build output
#   make test-browser    build, binding unit tests in Node and in headless Chromium, then the
#                        playwright-core end-to-end tests against the demo (worker in workerd + origin)
#   make bench-browser   per-keystroke check latency in Chromium, set load time, wasm size
#   make bench-browser-throughput   MB/s of Scanner.check over real posts (10k-term lists), in Node
#                        and Chromium, and the pause of the one-time build of Engine::Auto
#   make screenshots-browser   docs/screenshots/*.png from the running demo
BROWSER_CRATE := termgate-browser
BROWSER_PKG := wasm/browser/pkg
BROWSER_BG := $(BROWSER_PKG)/termgate_browser_bg.wasm
# Honours CARGO_TARGET_DIR, like cargo.
BROWSER_RAW := $(or $(CARGO_TARGET_DIR),target)/wasm32-unknown-unknown/wasm-release/termgate_browser.wasm
BROWSER_SOURCES := $(shell find src wasm/browser/src -name '*.rs' 2>/dev/null) \
	Cargo.toml Cargo.lock wasm/browser/Cargo.toml
WASM_OPT := node_modules/.bin/wasm-opt
# wasm-bindgen-test-runner drives Chromium through this when WASM_BINDGEN_USE_BROWSER=1.
BROWSER_TEST_ENV := CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: build-browser test-browser test-browser-unit test-browser-e2e bench-browser bench-browser-throughput \
	screenshots-browser

build-browser: $(BROWSER_BG)

# `--debug` makes the JS glue check each argument's type: without it a number where a string belongs
# reaches wasm-bindgen's string copy, which traps (RuntimeError: memory access out of bounds). The
# wasm is the same and the checks cost nothing measurable (docs/browser.md). The glue's UTF-8 encoder
# for non-ASCII text is ours (wasm/browser/js/encode-into.mjs): Chromium's own is slower. wasm-opt's
# -O3 made a smaller module than -Os (by 365 B gzip) and English 1.03-1.05x faster (docs/browser.md).
$(BROWSER_BG): $(BROWSER_SOURCES) mk/browser.mk $(wildcard wasm/browser/js/*.mjs) | setup-wasm setup-npm
	cargo build -p $(BROWSER_CRATE) --target wasm32-unknown-unknown --profile wasm-release
	rm -rf $(BROWSER_PKG)
	$(WASM_BINDGEN) --target web --debug --encode-into never --out-dir $(BROWSER_PKG) $(BROWSER_RAW)
	node wasm/browser/js/patch-glue.mjs $(BROWSER_PKG)/termgate_browser.js
	$(WASM_OPT) -O3 $(BROWSER_BG) -o $(BROWSER_BG)
	@printf 'termgate_browser_bg.wasm: %s bytes, %s gzip\n' \
	  "$$(wc -c < $(BROWSER_BG))" "$$(gzip -9 -c $(BROWSER_BG) | wc -c)"

test-browser: test-browser-unit test-browser-e2e

# `make dev` (mk/edge.mk) serves the demo page, which loads the module from wasm/browser/pkg.
dev: build-browser

# The binding's wasm-bindgen tests: Node first, then headless Chromium through chromedriver.
test-browser-unit: setup-wasm setup-chromium
	cargo clippy -p $(BROWSER_CRATE) --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo test -p $(BROWSER_CRATE) --target wasm32-unknown-unknown
	$(BROWSER_TEST_ENV) cargo test -p $(BROWSER_CRATE) --target wasm32-unknown-unknown

# The stack comes from the edge's test helper (tests/edge/harness.mjs): the built worker in workerd
# in front of demo/origin, on a free port. TERMGATE_DEMO_URL=http://127.0.0.1:8787 uses `make dev`'s.
test-browser-e2e: build-browser edge-build setup-npm setup-chromium
	node --test --test-concurrency=1 tests/browser/

# Not a test. This machine is shared and has 2 cores: with other builds running, preemption alone puts
# several milliseconds into the tail. As root, BENCH_RT="chrt -f 50" runs it under SCHED_FIFO.
BENCH_RT ?=
bench-browser: build-browser setup-npm setup-chromium
	$(BENCH_RT) node tests/browser/bench.mjs

# Not a test either: throughput on the benches' real posts (benches/data, benches/fetch-data.sh). Options
# in THROUGHPUT_ARGS (`--terms 100000`, `--rounds 9`, `--emoji " ❤️"` appended to every post,
# `--many 50` to check pages of 50 posts with `checkMany`, `--verdict` to time `verdict` instead of
# `check`, more package dirs to compare builds).
THROUGHPUT_ARGS ?=
bench-browser-throughput: build-browser bench-data setup-npm setup-chromium
	node tests/browser/throughput.mjs $(THROUGHPUT_ARGS)
	node tests/browser/throughput.mjs --chromium $(THROUGHPUT_ARGS)

# docs/screenshots/*.png, from the same stack the e2e tests use.
screenshots-browser: build-browser edge-build setup-npm setup-chromium
	node tests/browser/screenshots.mjs
