# The core crate and the CLI.
.PHONY: test-core bench bench-data bench-core-wasm
# Clippy and the tests twice: the workspace as built natively, then the core without default
# features, as the wasm crates build it (every target but those that need `cli`, see Cargo.toml,
# must build): the engines and the shortcut are checked against the reference without the
# automaton, natively, as well as through the browser module's tests.
test-core:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --no-default-features --all-targets -- -D warnings
	cargo test --workspace
	cargo test --no-default-features

# Benchmark inputs, installed from package registries (see benches/fetch-data.sh).
bench-data:
	benches/fetch-data.sh

bench: bench-data
	cargo bench --bench core
	cargo run --release --example bench-report

# The core alone as wasm in V8 (not a test): benches/wasi's plain loop over the benchmark's posts,
# natively and compiled for wasm32-wasip1 with the browser module's profile, run by Node's WASI.
# The gap to `make bench-browser-throughput` is what the module's JS boundary costs.
bench-core-wasm: bench-data
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	cargo build -p termgate-bench-wasi --target wasm32-wasip1 --profile wasm-release
	cargo run -p termgate-bench-wasi --release
	node --no-warnings benches/wasi/run.mjs \
	  $(or $(CARGO_TARGET_DIR),target)/wasm32-wasip1/wasm-release/termgate-bench-wasi.wasm
