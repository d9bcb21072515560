# The Python release artifacts: `make dist-python` writes a manylinux2014 (glibc 2.17) abi3
# wheel, one wheel for CPython ≥ 3.9, and the sdist into dist/; `make test-dist-python`
# installs each like a user. This machine's glibc is newer than any manylinux tag allows
# (maturin refused manylinux_2_28 for GLIBC_2.29–2.34 symbols), so the wheel is linked by
# zig (the ziglang package from PyPI) against glibc 2.17's symbols.

DIST_TARGETS += dist-python
TEST_DIST_TARGETS += test-dist-python

PY_DIST_STAGE = $(CARGO_TARGET_DIR)/dist-stage/python

.PHONY: dist-python test-dist-python

dist-python: $(PY)
	rm -rf $(PY_DIST_STAGE) $(DIST)/voucherkit-*.whl $(DIST)/voucherkit-$(VERSION).tar.gz
	mkdir -p $(PY_DIST_STAGE) $(DIST)
	cd $(PY_DIR) && PATH=$(PY_VENV)/bin:$$PATH $(PY_VENV)/bin/maturin build --profile dist --zig \
		--compatibility manylinux2014 --target x86_64-unknown-linux-gnu --out $(PY_DIST_STAGE)/built
	cd $(PY_DIR) && $(PY_VENV)/bin/maturin sdist --out $(DIST)
	# Debug info out of the wheel's library (into dist/debug/), then the wheel re-packed
	# with its RECORD rewritten.
	$(PY) -m wheel unpack -d $(PY_DIST_STAGE)/unpacked $(PY_DIST_STAGE)/built/voucherkit-*.whl
	so=$$(find $(PY_DIST_STAGE)/unpacked -name '_native*.so'); \
		mkdir -p $(DIST)/debug; \
		objcopy --only-keep-debug "$$so" $(DIST)/debug/$$(basename "$$so").debug; \
		objcopy --strip-all --add-gnu-debuglink=$(DIST)/debug/$$(basename "$$so").debug "$$so"
	$(PY) -m wheel pack -d $(DIST) $(PY_DIST_STAGE)/unpacked/voucherkit-*
	$(PY_VENV)/bin/auditwheel show $(DIST)/voucherkit-*.whl
	@ls -l $(DIST)/voucherkit-*.whl $(DIST)/voucherkit-*.tar.gz

test-dist-python:
	bash $(PY_DIR)/tests/dist_test.sh $(DIST) $(VERSION)
