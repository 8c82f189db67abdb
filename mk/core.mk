# The core crate and the CLI.
.PHONY: test-core bench fuzz
test-core:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

bench:
	cargo bench --bench core
