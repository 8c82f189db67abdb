# The core crate and the CLI.
.PHONY: test-core bench bench-data
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
