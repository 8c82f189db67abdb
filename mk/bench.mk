# Benchmarks against the peers (issue 4): termgate natively, as wasm in Node, workerd and Chromium,
# against the Rust crates and npm packages a social network would use instead.
#
#   make bench-peers   installs inputs and peers, builds, runs everything one process at a time
#                      (about 15 min on 2 cores), rewrites the results section of BENCHMARKS.md
#
# BENCH_SECONDS (measurement per peer and input, default 1), BENCH_TIMEOUT (per process, default 60),
# BENCH_SIZES and BENCH_PEERS narrow a run while developing; see benches/peers/run.mjs.
PEERS_DIR := benches/peers

.PHONY: bench-peers bench-peers-setup

$(PEERS_DIR)/node_modules/.package-lock.json: $(PEERS_DIR)/package.json $(PEERS_DIR)/package-lock.json
	cd $(PEERS_DIR) && npm ci --no-audit --no-fund
	@touch $@

bench-peers-setup: build-browser setup-wasm setup-npm setup-chromium $(PEERS_DIR)/node_modules/.package-lock.json
	benches/fetch-data.sh
	cargo build --release --manifest-path $(PEERS_DIR)/Cargo.toml
	cargo build --release --target wasm32-unknown-unknown --manifest-path $(PEERS_DIR)/wasm/Cargo.toml
	node $(PEERS_DIR)/prepare.mjs

bench-peers: bench-peers-setup
	node $(PEERS_DIR)/run.mjs
