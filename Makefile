# voucherkit — one Rust core, every binding. `make demo` and `make test` work on a
# fresh machine once `.ci/run`'s installs are done (they are idempotent: run it once).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
# One target dir for every crate and every binding build, so dependencies compile once.
export CARGO_TARGET_DIR ?= $(CURDIR)/target

RUST_PACKAGES := -p voucherkit-core -p voucherkit-sandbox -p voucherkit-cli -p voucherkit-bench

.PHONY: demo test lint check-targets corpus test-rust conformance bench-rust chaos dist test-dist check-versions \
	dist-native

# A whole till session against the embedded sandbox: no keys, no network.
demo:
	$(CARGO) run --quiet -p voucherkit-cli -- demo


# Each binding adds its own suite from bindings/<binding>/<binding>.mk (`TEST_TARGETS +=
# test-python`); fuzz/fuzz.mk adds fuzz-smoke where cargo-fuzz and nightly are installed.
TEST_TARGETS :=
# Release artifacts: each fragment adds its `dist-<lang>` (writes into dist/) and
# `test-dist-<lang>` (installs that artifact with no Rust toolchain and redeems with it).
DIST_TARGETS :=
TEST_DIST_TARGETS :=
# The crates whose libraries the artifacts ship (each fragment adds its own), built by one
# cargo run (dist-native): shared dependencies compile once with one feature set, and a
# later build of a subset would compile them again with another.
DIST_CRATES :=
DIST := $(CURDIR)/dist
# One version for every artifact: the workspace's (tests/dist/check_versions.py proves the
# header, the Python package, the npm packages and the jar agree).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The Rust targets the packages ship for (each fragment adds its own: PACKAGE_TARGETS += …);
# `make check-targets` checks the core for each of them.
PACKAGE_TARGETS :=
include $(sort $(wildcard bindings/*/*.mk)) fuzz/fuzz.mk sandbox/sandbox.mk

# Last, the release artifacts: built as they ship (dist-native is one LTO cargo run for every
# crate but the wheel's), installed without Rust and redeemed with (about 11 minutes cold on
# 2 cores).
test: lint corpus test-rust $(TEST_TARGETS) test-dist
	@echo "make test: all suites passed"

# dist/: what users install (profile `dist`: LTO, one codegen unit; debug info split into
# dist/debug/, which is kept for crash reports and never shipped).
dist: check-versions $(DIST_TARGETS)
	@ls -l $(DIST)

# Installs each artifact as a user does (a clean directory, no cargo or rustc on PATH) and
# redeems with it against the sandbox; fails when an artifact is over 6 MB.
test-dist: dist $(TEST_DIST_TARGETS)
	@echo "make test-dist: every artifact installed and redeemed without Rust"

check-versions:
	python3 tests/dist/check_versions.py

dist-native:
	$(CARGO) build --profile dist $(DIST_CRATES)

# Ships $(1) as $(2): the line tables go to dist/debug/<name>.debug, the shipped copy is
# stripped and names that file in .gnu_debuglink (gdb and eu-stack find it there).
define split_debug
	mkdir -p $(DIST)/debug
	objcopy --only-keep-debug $(1) $(DIST)/debug/$(notdir $(2)).debug
	objcopy --strip-all --add-gnu-debuglink=$(DIST)/debug/$(notdir $(2)).debug $(1) $(2)
endef

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy $(RUST_PACKAGES) --all-targets -- -D warnings
	$(MAKE) --no-print-directory check-targets

# `cargo check -p voucherkit-core --target T` for every target a package lists whose
# standard library is installed here (`rustup target list --installed`; without rustup,
# the host's); the others are named as skipped, never downloaded.
check-targets:
	@installed=$$(rustup target list --installed 2>/dev/null || rustc -vV | sed -n 's/^host: //p'); \
	checked=""; skipped=""; \
	for t in $(sort $(PACKAGE_TARGETS)); do \
	  if grep -qxF "$$t" <<<"$$installed"; then \
	    echo "check-targets: cargo check -p voucherkit-core --target $$t"; \
	    $(CARGO) check --quiet -p voucherkit-core --target "$$t"; \
	    checked="$$checked $$t"; \
	  else \
	    skipped="$$skipped $$t"; \
	  fi; \
	done; \
	echo "check-targets: checked:$${checked:- none}"; \
	echo "check-targets: skipped, their std is not installed here:$${skipped:- none}"

CHAOS_TEST = $(CARGO) test -p voucherkit-core --test chaos -- --ignored --exact chaos --nocapture

test-rust:
	$(CARGO) test $(RUST_PACKAGES)
	$(CHAOS_TEST)

# The corpus is data: check its format, and with SEEDS=DIR (the providers' pages saved as
# text, which are not part of this repository) that the seed bodies are verbatim excerpts
# of them (tests/conformance/README.md).
SEEDS ?=
corpus:
	python3 tests/conformance/check_corpus.py $(if $(SEEDS),--seeds $(SEEDS))

# The cross-language corpus through the Rust core alone (also part of test-rust).
conformance: corpus
	$(CARGO) test -p voucherkit-core --test conformance

# The journal under chaos at full size (a smaller run is part of test-rust): 2 000
# journaled redeems, random faults, at least 50 SIGKILLs of the till process.
chaos:
	VOUCHERKIT_CHAOS_REDEEMS=2000 VOUCHERKIT_CHAOS_KILLS=50 $(CHAOS_TEST)

# µs per redeem: raw TcpStream vs plain ureq vs the core (release build; targets in docs/performance.md).
bench-rust:
	$(CARGO) run --release --quiet -p voucherkit-bench --bin vk-bench-rust
	$(CARGO) run --release --quiet -p voucherkit-bench --bin vk-bench-journal
