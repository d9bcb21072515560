# The npm release artifacts in napi-rs's layout: `make dist-node` writes
# dist/voucherkit-<v>.tgz (JS, types, CLI shim; optionalDependencies on the platform
# packages) and dist/voucherkit-linux-x64-gnu-<v>.tgz (the addon, built with the `dist`
# profile and stripped); `make test-dist-node` installs both into a fresh npm project.
# The other platforms' packages come from .github/workflows/release.yml.

DIST_TARGETS += dist-node
TEST_DIST_TARGETS += test-dist-node
DIST_CRATES += -p voucherkit-node

NODE_DIST_STAGE = $(CARGO_TARGET_DIR)/dist-stage/node
NODE_NAPI = $(CURDIR)/$(NODE_PKG)/node_modules/.bin/napi
# napi create-npm-dirs keeps the platform packages inside the main package's directory
# (its `files` leave them out of the main tarball).
NODE_PLATFORM_DIR = $(NODE_DIST_STAGE)/voucherkit/npm/linux-x64-gnu

.PHONY: dist-node test-dist-node

# The addon is cargo's libvoucherkit_node.so from dist-native under napi-rs's platform name
# (what `napi build --platform` does on linux, without a second cargo run of its own).
dist-node: node-deps dist-native
	rm -rf $(NODE_DIST_STAGE) $(DIST)/voucherkit-$(VERSION).tgz $(DIST)/voucherkit-*-$(VERSION).tgz
	mkdir -p $(DIST)
	node $(NODE_PKG)/tools/stage-dist.js $(NODE_DIST_STAGE) LICENSE-MIT LICENSE-APACHE
	$(NODE_NAPI) create-npm-dirs --cwd $(NODE_DIST_STAGE)/voucherkit --npm-dir npm >/dev/null
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/libvoucherkit_node.so,$(NODE_PLATFORM_DIR)/voucherkit.linux-x64-gnu.node)
	cp LICENSE-MIT LICENSE-APACHE $(NODE_PLATFORM_DIR)/
	cd $(NODE_DIST_STAGE)/voucherkit && npm pack --silent --pack-destination $(DIST) >/dev/null
	cd $(NODE_PLATFORM_DIR) && npm pack --silent --pack-destination $(DIST) >/dev/null
	@ls -l $(DIST)/voucherkit-$(VERSION).tgz $(DIST)/voucherkit-linux-x64-gnu-$(VERSION).tgz

test-dist-node:
	bash $(NODE_PKG)/tests/dist_test.sh $(DIST) $(VERSION)
