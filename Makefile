# termgate: `make test` is everything CI runs; `make dev` starts the edge worker locally.
# Each part of the project keeps its own targets in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export WRANGLER_SEND_METRICS := false
export CARGO_TERM_COLOR ?= never

include mk/*.mk

.PHONY: help test bench
help:
	@echo "make dev            build and start the edge worker, demo origin and demo page on 127.0.0.1"
	@echo "make test           everything CI runs"
	@echo "make bench          criterion benchmarks of the core, then the README's table"
	@echo "make bench-edge     the worker in workerd: CPU per request, size"
	@echo "make bench-browser  the browser module in Chromium: keystroke latency, size"
	@echo "make bench-peers    termgate against the alternatives (BENCHMARKS.md)"
	@echo "make fuzz           each fuzz target for FUZZ_SECONDS (default 60)"

test: test-core test-edge test-browser
