# The edge worker (wasm/edge): build, end-to-end tests in workerd, local dev server, benchmark.
#
#   make edge-build   wasm/edge/build/index.js + index_bg.wasm (what wrangler.toml's `main` points at)
#   make test-edge    build, then the end-to-end tests (tests/edge/*.test.mjs) in real workerd
#   make dev          worker on 127.0.0.1:8787 in front of the demo origin on 127.0.0.1:8788
#   make bench-edge   CPU time per request and worker size (docs/edge.md has the results)

EDGE_DIR := wasm/edge
EDGE_BUILD := $(EDGE_DIR)/build
# Honours CARGO_TARGET_DIR, like cargo.
EDGE_WASM := $(or $(CARGO_TARGET_DIR),target)/wasm32-unknown-unknown/release/termgate_edge.wasm
WASM_OPT := node_modules/.bin/wasm-opt
ESBUILD := node_modules/.bin/esbuild
# The features rustc's wasm32 target enables; wasm-opt must be told which it may use.
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue
EDGE_SOURCES := $(shell find $(EDGE_DIR)/src src -name '*.rs' 2>/dev/null) $(EDGE_DIR)/Cargo.toml \
  $(EDGE_DIR)/build.rs $(EDGE_DIR)/js/shim.mjs lists/default.txt Cargo.toml Cargo.lock
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
DEV_WORKER_PORT ?= 8787
DEV_ORIGIN_PORT ?= 8788

.PHONY: edge-build test-edge dev bench-edge

edge-build: $(EDGE_BUILD)/index.js

$(EDGE_BUILD)/index.js: $(EDGE_SOURCES) | setup-wasm setup-npm
	cargo build --target wasm32-unknown-unknown --release -p termgate-edge
	rm -rf $(EDGE_BUILD) && mkdir -p $(EDGE_BUILD)
	$(WASM_BINDGEN) --target web --no-typescript --out-dir $(EDGE_BUILD)/bindgen --out-name index $(EDGE_WASM)
	$(WASM_OPT) -O3 $(WASM_FEATURES) --strip-debug $(EDGE_BUILD)/bindgen/index_bg.wasm -o $(EDGE_BUILD)/index_bg.wasm
	$(ESBUILD) $(EDGE_DIR)/js/shim.mjs --bundle --format=esm --log-level=warning \
	  --external:./index_bg.wasm --outfile=$(EDGE_BUILD)/index.js
	@echo "worker: $$(wc -c < $(EDGE_BUILD)/index_bg.wasm) bytes wasm, $$(gzip -9c $(EDGE_BUILD)/index_bg.wasm | wc -c) gzip"

# test-core lints the workspace natively; the Workers glue only exists on wasm32, so lint it there.
test-edge: edge-build
	cargo clippy -p termgate-edge --target wasm32-unknown-unknown -- -D warnings
	node --test --test-concurrency=1 tests/edge/

dev: edge-build
	DEV_WORKER_PORT=$(DEV_WORKER_PORT) DEV_ORIGIN_PORT=$(DEV_ORIGIN_PORT) node demo/origin/dev.mjs

bench-edge: edge-build bench-data
	node tests/edge/bench.mjs
