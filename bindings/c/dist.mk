# The C release tarball (dist/voucherkit-<version>-linux-x86_64.tar.gz) and its install
# check: `make dist-c`, `make test-dist-c`. Built with the `dist` profile through the same
# install rule as `make install`, then stripped (debug info in dist/debug/).

DIST_TARGETS += dist-c
TEST_DIST_TARGETS += test-dist-c
DIST_CRATES += -p voucherkit-c -p voucherkit-cli

C_DIST_NAME = voucherkit-$(VERSION)-linux-x86_64
C_DIST_STAGE = $(CARGO_TARGET_DIR)/dist-stage/$(C_DIST_NAME)
C_DIST_TARBALL = $(DIST)/$(C_DIST_NAME).tar.gz

.PHONY: dist-c test-dist-c

dist-c: dist-native
	rm -rf $(C_DIST_STAGE) && mkdir -p $(C_DIST_STAGE)/bin $(DIST)
	$(MAKE) --no-print-directory install-c-files C_PROFILE=dist C_PROFILE_FLAG="--profile dist" \
		PREFIX=/ DESTDIR=$(C_DIST_STAGE) >/dev/null
	# The .pc file names its prefix relative to itself, so the tree can be extracted anywhere
	# (the CMake config already finds its prefix from its own location).
	sed -i 's|^prefix=.*|prefix=$${pcfiledir}/../..|' $(C_DIST_STAGE)/lib/pkgconfig/voucherkit.pc
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/libvoucherkit.so,$(C_DIST_STAGE)/lib/libvoucherkit.so.$(VERSION))
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/voucherkit,$(C_DIST_STAGE)/bin/voucherkit)
	# The static library keeps its symbols (a linker needs them) and loses only debug info.
	objcopy --strip-debug $(C_DIST_STAGE)/lib/libvoucherkit.a
	install -m 644 LICENSE-MIT LICENSE-APACHE $(C_DIST_STAGE)/
	sed 's/VERSION/$(VERSION)/; s/MAJOR/$(firstword $(subst ., ,$(VERSION)))/' \
		$(C_DIR)/tarball-README.md > $(C_DIST_STAGE)/README.md
	tar -C $(dir $(C_DIST_STAGE)) --owner=0 --group=0 --numeric-owner --sort=name \
		-czf $(C_DIST_TARBALL) $(C_DIST_NAME)
	@ls -l $(C_DIST_TARBALL)

test-dist-c:
	bash $(C_DIR)/tests/dist_test.sh $(C_DIST_TARBALL) $(VERSION)
