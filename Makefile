# termgate: `make test` is everything CI runs; `make dev` starts the edge worker locally.
# Each part of the project keeps its own targets in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export WRANGLER_SEND_METRICS := false
export CARGO_TERM_COLOR ?= never

include mk/*.mk

.PHONY: help test bench
help:
	@echo "make dev     build and start the edge worker, demo origin and demo page on 127.0.0.1"
	@echo "make test    everything CI runs"
	@echo "make bench   criterion benchmarks of the core (results in target/criterion)"

test: test-core test-edge test-browser
