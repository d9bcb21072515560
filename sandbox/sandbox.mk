# The sandbox dashboard in a browser (sandbox/tests/browser): headless Chromium from
# Debian's `chromium` package driven by Playwright for Python, against a sandbox started
# through the Python package and one started by the CLI (`voucherkit sandbox --journal`).
# Installs: .ci/install-dashboard.sh (run by .ci/run). Without /usr/bin/chromium the
# suite is skipped, saying so. Screenshots land in $(CARGO_TARGET_DIR)/dashboard/.
DASHBOARD_CHROMIUM := /usr/bin/chromium

TEST_TARGETS += test-dashboard

.PHONY: test-dashboard

ifeq ($(wildcard $(DASHBOARD_CHROMIUM)),)
test-dashboard:
	@echo "test-dashboard: SKIPPED — $(DASHBOARD_CHROMIUM) is not installed (run bash .ci/install-dashboard.sh)"
else
test-dashboard: wheel-python
	bash .ci/install-dashboard.sh >/dev/null
	$(CARGO) build --quiet -p voucherkit-cli
	VOUCHERKIT_BIN=$(CARGO_TARGET_DIR)/debug/voucherkit \
		$(PY_VENV)/bin/pytest -p no:cacheprovider -v sandbox/tests/browser
endif
