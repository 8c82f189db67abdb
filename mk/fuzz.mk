# Fuzzing the core with cargo-fuzz and libFuzzer (fuzz/, its own workspace). Running the fuzzers
# is not part of `make test`; checking that the targets compile and are lint-clean is (fuzz-check,
# about 15 s from scratch: no sanitizer, no libFuzzer link).
#
#   make fuzz              build, then run each target for FUZZ_SECONDS (default 60) seconds
#   make fuzz-check        fmt check and clippy of the fuzz crate, on the plain stable toolchain
#   make fuzz-build        build the targets only (a few minutes from scratch)
#   make fuzz-run-scan     one target: fuzz-run-parse_list, fuzz-run-load_set, fuzz-run-scan
#
# cargo-fuzz compiles with nightly-only flags (-Zsanitizer=address and the sancov passes). The
# stable toolchain accepts them under RUSTC_BOOTSTRAP=1, so no nightly toolchain is needed.
# Crashes land in fuzz/artifacts/TARGET/; replay one with
#   cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET artifacts/TARGET/crash-...
# New inputs accumulate in fuzz/corpus/TARGET/ (git-ignored) and seed the next run.
FUZZ_TARGETS := parse_list load_set scan
FUZZ_SECONDS ?= 60
FUZZ_ENV := RUSTC_BOOTSTRAP=1
CARGO_FUZZ_VERSION := 0.13.2
# Extra corpus directories, read but not written: the term lists we ship and hand-made seeds.
FUZZ_SEEDS_parse_list := seeds/parse_list ../lists
FUZZ_SEEDS_load_set :=
FUZZ_SEEDS_scan :=
# libFuzzer flags per target: the term-list dictionary, and for scan long inputs from the start
# (a short run otherwise spends its time on inputs of a few bytes).
FUZZ_FLAGS_parse_list := -dict=list.dict
FUZZ_FLAGS_load_set :=
FUZZ_FLAGS_scan := -dict=list.dict -max_len=512 -len_control=0

.PHONY: setup-fuzz fuzz-check fuzz-build $(addprefix fuzz-run-,$(FUZZ_TARGETS))

test: fuzz-check

fuzz-check:
	cd fuzz && cargo fmt -- --check && cargo clippy --all-targets -- -D warnings

setup-fuzz:
	@if [ "$$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $(CARGO_FUZZ_VERSION)" ]; then \
	  cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked; fi

fuzz-build: setup-fuzz
	cd fuzz && $(FUZZ_ENV) cargo fuzz build

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory fuzz-run-$$t; done

# A valid compiled set as a load_set seed: mode byte 0 (raw bytes) and the default list compiled.
fuzz/corpus/load_set/default-set: lists/default.txt $(wildcard src/*.rs)
	mkdir -p $(@D)
	cargo run -q --bin termgate -- compile -q lists/default.txt -o $@.tgs
	{ printf '\000'; cat $@.tgs; } > $@ && rm $@.tgs

fuzz-run-load_set: fuzz/corpus/load_set/default-set

$(addprefix fuzz-run-,$(FUZZ_TARGETS)): fuzz-run-%: setup-fuzz
	mkdir -p fuzz/corpus/$*
	cd fuzz && $(FUZZ_ENV) cargo fuzz run $* corpus/$* $(FUZZ_SEEDS_$*) -- \
	  -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS_$*)
