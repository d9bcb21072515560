# The Python package (bindings/python: the pyo3 crate, pyproject.toml, voucherkit/, tests/,
# bench/): `make test-python` builds the wheel from this clone, installs it into .venv,
# checks that `pip install ./bindings/python` works in a fresh venv, and runs ruff, mypy --strict, stubtest and pytest (the whole conformance corpus
# included) against the installed wheel.
PY_DIR := bindings/python
PY_VENV := $(CURDIR)/.venv
PY := $(PY_VENV)/bin/python
PY_WHEELS := $(CARGO_TARGET_DIR)/wheels/python
# The interpreter pyo3 builds for, the same for clippy and maturin (no needless rebuilds).
export PYO3_PYTHON := $(PY)

TEST_TARGETS += test-python

.PHONY: test-python lint-python wheel-python bench-python

$(PY):
	bash .ci/install-python.sh

lint-python: $(PY)
	$(CARGO) fmt -p voucherkit-python -- --check
	$(CARGO) clippy -p voucherkit-python --all-targets --all-features -- -D warnings
	$(PY) -m ruff check --output-format concise $(PY_DIR)
	$(PY) -m ruff format --check $(PY_DIR)

# A dev-profile wheel for the tests: the published build plus the `test-hooks` feature
# (`_panic_for_tests`); the fresh-venv install below checks that the published build has
# no test or bench helper. bench-python builds its own release wheel, with the bench ones.
wheel-python: $(PY)
	rm -rf $(PY_WHEELS)
	cd $(PY_DIR) && $(PY_VENV)/bin/maturin build --profile dev --features test-hooks --out $(PY_WHEELS)
	$(PY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		$(PY_WHEELS)/voucherkit-*.whl

# `pip install ./bindings/python` in a fresh venv, exactly as a user would: pip fetches
# maturin from PyPI into an isolated build environment and builds the wheel from this tree
# (PEP 517), then the package must import and work by itself, with nothing else installed.
# The Rust build shares CARGO_TARGET_DIR (exported by the Makefile) and, through
# MATURIN_PEP517_ARGS, the dev profile wheel-python just built, so it only relinks the
# extension instead of a release build from scratch. The venv is removed afterwards, also
# when a step fails.
define PY_SMOKE
import voucherkit
from voucherkit.testing import Sandbox
with Sandbox() as sb:
    sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)
    v = sg.check(voucher_no="1000000001", site_id=12)
    assert v.remaining_value is not None and v.remaining_value > 0, v
from voucherkit import _native
for helper in ("_panic_for_tests", "_BenchResponder", "_bench_core_redeem"):
    assert not hasattr(_native, helper), helper
print("fresh venv:", voucherkit.__file__, v)
endef
export PY_SMOKE

test-python: lint-python wheel-python
	start=$$SECONDS; fresh=$$(mktemp -d); trap 'rm -rf "$$fresh"' EXIT; \
	python3 -m venv "$$fresh/venv"; \
	MATURIN_PEP517_ARGS="--profile dev" "$$fresh/venv/bin/python" -m pip install \
		--disable-pip-version-check --progress-bar off ./$(PY_DIR); \
	(cd "$$fresh" && ./venv/bin/python -c "$$PY_SMOKE"); \
	echo "fresh venv: pip install ./$(PY_DIR), import and one call in $$((SECONDS - start)) s"
	cd $(PY_DIR) && $(PY) -m mypy --strict voucherkit tests
	$(PY) -m mypy.stubtest voucherkit --allowlist $(PY_DIR)/stubtest-allowlist.txt
	cd $(PY_DIR) && VOUCHERKIT_TEST_INSTALLED=1 $(PY_VENV)/bin/pytest -p no:cacheprovider -v

# Redeem calls/s through voucherkit, requests, httpx, http.client and the Rust core, and
# RSS growth over 100 000 calls; writes the `## Python` section of BENCHMARKS.md. The wheel
# has the `bench` feature: the responder and the core-only loop the bench compares with.
bench-python: $(PY)
	rm -rf $(PY_WHEELS)-release
	cd $(PY_DIR) && $(PY_VENV)/bin/maturin build --release --features bench --out $(PY_WHEELS)-release
	$(PY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		$(PY_WHEELS)-release/voucherkit-*.whl
	$(PY) $(PY_DIR)/bench/run.py --write BENCHMARKS.md
