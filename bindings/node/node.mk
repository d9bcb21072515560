# Node package: the napi-rs addon and the `voucherkit` npm package, both in bindings/node
# (Cargo.toml and src/ beside package.json, tests/, bench/). `make test-node` installs the
# npm tools when node_modules is missing, builds the addon from source (debug, with the
# `test-hooks` feature the tests need), type-checks
# index.d.ts with `tsc --strict` and runs `node --test` (the conformance corpus among them).
# `make bench-node` builds a release addon and writes BENCHMARKS.md's Node sections (free, and pinned to one CPU).

TEST_TARGETS += test-node

NODE_PKG := bindings/node
# The targets package.json's napi.targets lists (checked by `make check-targets`).
PACKAGE_TARGETS += $(shell python3 -c 'import json, sys; print(*json.load(open(sys.argv[1]))["napi"]["targets"])' \
	$(NODE_PKG)/package.json)

.PHONY: test-node lint-node build-node node-deps node-types node-tests bench-node

$(NODE_PKG)/node_modules/.package-lock.json: $(NODE_PKG)/package-lock.json
	cd $(NODE_PKG) && npm ci --no-audit --no-fund

node-deps: $(NODE_PKG)/node_modules/.package-lock.json

lint-node:
	$(CARGO) fmt -p voucherkit-node -- --check
	$(CARGO) clippy -p voucherkit-node --all-targets -- -D warnings
	$(CARGO) clippy -p voucherkit-node --all-targets --features test-hooks -- -D warnings

build-node: node-deps
	cd $(NODE_PKG) && npm run --silent build:test

node-types: node-deps
	cd $(NODE_PKG) && npx tsc -p tests/tsconfig.json

node-tests: build-node
	cd $(NODE_PKG) && node --test --test-concurrency=1 tests/

test-node: lint-node build-node node-types node-tests
	@echo "make test-node: the Node package passed"

bench-node: node-deps
	cd $(NODE_PKG) && npx napi build --platform --release --manifest-path Cargo.toml \
		--output-dir bench/.build --no-js --dts native.d.ts --features test-hooks
	VOUCHERKIT_NATIVE=$(CURDIR)/$(NODE_PKG)/bench/.build/voucherkit.linux-x64-gnu.node \
		node $(NODE_PKG)/bench/run.js --write BENCHMARKS.md
	VOUCHERKIT_NATIVE=$(CURDIR)/$(NODE_PKG)/bench/.build/voucherkit.linux-x64-gnu.node \
		taskset -c 0 node $(NODE_PKG)/bench/run.js --pinned --write BENCHMARKS.md
