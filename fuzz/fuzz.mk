# Fuzzing (cargo-fuzz on the nightly toolchain; crate in fuzz/, outside the workspace).
# `make fuzz` runs every target for FUZZ_TIME seconds on its corpus, then minimises each
# corpus (commit the result); `make fuzz-smoke` runs each for FUZZ_SMOKE_TIME seconds
# on a scratch copy, leaving the committed corpus alone; `make fuzz-seed` reseeds the
# corpora from tests/conformance. `make test` runs the smoke only where cargo-fuzz and a
# nightly toolchain are installed (.ci/install-fuzz.sh brings cargo-fuzz, never nightly).

FUZZ_TARGETS := amount smartgift_answers spaaza_answers requests c_strings
FUZZ_TIME ?= 600
FUZZ_SMOKE_TIME ?= 30
# A single input slower than this is a finding (quadratic parsing, a loop).
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048
FUZZ_TOOLCHAIN ?= nightly
# Minimise to one input per new edge, not per hit-count bucket: the same edges in about a
# tenth of the files (~300 KB in all), small enough to commit.
FUZZ_CMIN_FLAGS ?= -use_counters=0
# cargo-fuzz builds with sanitizer flags into fuzz/target: never into the shared target.
CARGO_FUZZ = env -u CARGO_TARGET_DIR $(CARGO) +$(FUZZ_TOOLCHAIN) fuzz
FUZZ_SCRATCH := fuzz/target/smoke-corpus

# The toolchain is looked up, not run: `cargo +nightly` could try to download it.
HAVE_FUZZ := $(shell $(CARGO) fuzz --version >/dev/null 2>&1 && \
	rustup toolchain list 2>/dev/null | grep -q '^$(FUZZ_TOOLCHAIN)' && echo yes)
ifeq ($(HAVE_FUZZ),yes)
TEST_TARGETS += fuzz-smoke
else
TEST_TARGETS += fuzz-skip
endif

.PHONY: fuzz fuzz-smoke fuzz-skip fuzz-build fuzz-seed fuzz-lint

fuzz-skip:
	@echo "fuzz-smoke: SKIPPED (needs cargo-fuzz and the $(FUZZ_TOOLCHAIN) toolchain; run .ci/install-fuzz.sh, rustup toolchain install $(FUZZ_TOOLCHAIN))"

fuzz-build:
	$(CARGO_FUZZ) build

fuzz-seed:
	python3 fuzz/seed_corpus.py

# Style of the fuzz crate (outside the workspace, so `make lint` does not reach it).
fuzz-lint:
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml -- --check
	env -u CARGO_TARGET_DIR $(CARGO) +$(FUZZ_TOOLCHAIN) clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  echo "=== fuzz $$t: $(FUZZ_TIME) s"; \
	  $(CARGO_FUZZ) run $$t fuzz/corpus/$$t -- -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $(FUZZ_FLAGS) || exit 1; \
	done
	@for t in $(FUZZ_TARGETS); do \
	  echo "=== cmin $$t"; \
	  $(CARGO_FUZZ) cmin $$t fuzz/corpus/$$t -- $(FUZZ_CMIN_FLAGS) || exit 1; \
	done
	@du -sh --apparent-size fuzz/corpus/*

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  rm -rf $(FUZZ_SCRATCH)/$$t && mkdir -p $(FUZZ_SCRATCH)/$$t; \
	  echo "=== fuzz-smoke $$t: $(FUZZ_SMOKE_TIME) s"; \
	  if $(CARGO_FUZZ) run $$t $(FUZZ_SCRATCH)/$$t fuzz/corpus/$$t -- \
	      -max_total_time=$(FUZZ_SMOKE_TIME) -print_final_stats=1 $(FUZZ_FLAGS) \
	      >$(FUZZ_SCRATCH)/$$t.log 2>&1; then \
	    grep -E '^(Done|stat::average_exec_per_sec)' $(FUZZ_SCRATCH)/$$t.log || true; \
	  else \
	    tail -n 60 $(FUZZ_SCRATCH)/$$t.log; \
	    echo "fuzz-smoke $$t: FAILED (the input is in fuzz/artifacts/$$t)"; exit 1; \
	  fi; \
	done
	@echo "fuzz-smoke: $(words $(FUZZ_TARGETS)) passed, 0 failed"
