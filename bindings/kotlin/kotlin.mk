# Kotlin/JVM package, all in bindings/kotlin: the uniffi crate (Cargo.toml, Rust sources in
# rust/) and the Maven project (pom.xml, src/main/kotlin, src/test/kotlin). The Kotlin source
# uniffi writes is committed (src/main/kotlin/voucherkit/voucherkit_kotlin.kt) like the C
# header: `make kotlin-generate` refreshes it, and `make test-kotlin` fails when it differs
# from what the built library generates.
#   make kotlin        build the library, regenerate the Kotlin source, mvn package
#   make test-kotlin   lint, build, freshness check, mvn test (the corpus among the tests)
#   make bench-kotlin  release library; redeem calls/s vs the Rust core; BENCHMARKS.md

TEST_TARGETS += test-kotlin

KT_DIR := bindings/kotlin
# The jar's linux-x86-64 library and the Android ABIs the README builds with cargo-ndk
# (checked by `make check-targets`).
PACKAGE_TARGETS += x86_64-unknown-linux-gnu aarch64-linux-android armv7-linux-androideabi \
	x86_64-linux-android
KT_PROFILE ?= debug
KT_PROFILE_FLAG := $(if $(filter release,$(KT_PROFILE)),--release,)
KT_LIB = $(CARGO_TARGET_DIR)/$(KT_PROFILE)/libvoucherkit_kotlin.so
KT_TESTING_LIB = $(CARGO_TARGET_DIR)/$(KT_PROFILE)/libvoucherkit_kotlin_testing.so
# uniffi-bindgen is a tool: always the dev build (it only reads the library's metadata).
KT_BINDGEN = $(CARGO_TARGET_DIR)/debug/uniffi-bindgen
KT_NATIVE = $(CARGO_TARGET_DIR)/kotlin/native
KT_GENERATED := $(KT_DIR)/src/main/kotlin/voucherkit/voucherkit_kotlin.kt
KT_TESTING_GENERATED := $(KT_DIR)/src/test/kotlin/voucherkit/testing/voucherkit_kotlin_testing.kt
KT_NATIVE_TESTING = $(CARGO_TARGET_DIR)/kotlin/native-testing
KT_FRESH = $(CARGO_TARGET_DIR)/kotlin/generated
MVN ?= mvn
MVN_FLAGS ?= -B -ntp -Dvoucherkit.native.dir=$(KT_NATIVE) \
	-Dvoucherkit.native.testing.dir=$(KT_NATIVE_TESTING)

.PHONY: kotlin test-kotlin lint-kotlin build-kotlin kotlin-bindgen kotlin-generate \
	check-kotlin-generated kotlin-native kotlin-tests kotlin-jar-smoke kotlin-rust-tests bench-kotlin

lint-kotlin:
	$(CARGO) fmt -p voucherkit-kotlin -p voucherkit-kotlin-testing -p voucherkit-kotlin-bindgen -- --check
	$(CARGO) clippy -p voucherkit-kotlin --all-targets -- -D warnings
	$(CARGO) clippy -p voucherkit-kotlin-testing --all-targets -- -D warnings
	$(CARGO) clippy -p voucherkit-kotlin-bindgen --all-targets -- -D warnings

# Built on their own: the shipped library never links uniffi's CLI half (nor the test tools).
build-kotlin:
	$(CARGO) build -p voucherkit-kotlin $(KT_PROFILE_FLAG)
	$(CARGO) build -p voucherkit-kotlin-testing $(KT_PROFILE_FLAG)

kotlin-bindgen:
	$(CARGO) build -p voucherkit-kotlin-bindgen

# Writes the Kotlin for both built libraries into $(1) (voucherkit/, voucherkit/testing/);
# close() of the two clients closes them in Rust (tools/close_clients.py says why).
define kt_generate
	rm -rf $(1) && mkdir -p $(1)
	$(KT_BINDGEN) generate --library $(KT_LIB) --language kotlin --no-format \
		--config $(KT_DIR)/bindgen/roots.toml --out-dir $(1) >/dev/null
	$(KT_BINDGEN) generate --library $(KT_TESTING_LIB) --language kotlin --no-format \
		--config $(KT_DIR)/bindgen/roots.toml --out-dir $(1) >/dev/null
	python3 $(KT_DIR)/tools/close_clients.py $(1)/voucherkit/voucherkit_kotlin.kt
endef

kotlin-generate: build-kotlin kotlin-bindgen
	$(call kt_generate,$(KT_FRESH))
	cp $(KT_FRESH)/voucherkit/voucherkit_kotlin.kt $(KT_GENERATED)
	mkdir -p $(dir $(KT_TESTING_GENERATED))
	cp $(KT_FRESH)/voucherkit/testing/voucherkit_kotlin_testing.kt $(KT_TESTING_GENERATED)
	@echo "$(KT_GENERATED) and $(KT_TESTING_GENERATED) refreshed"

check-kotlin-generated: build-kotlin kotlin-bindgen
	$(call kt_generate,$(KT_FRESH))
	@for pair in "$(KT_GENERATED) voucherkit/voucherkit_kotlin.kt" \
		"$(KT_TESTING_GENERATED) voucherkit/testing/voucherkit_kotlin_testing.kt"; do \
		set -- $$pair; \
		diff -u $$1 $(KT_FRESH)/$$2 >/dev/null || { diff -u $$1 $(KT_FRESH)/$$2 | head -40; \
			echo "$$1 is stale: run 'make kotlin-generate' and commit it" >&2; exit 1; }; \
		echo "$$1 is fresh"; done

# The library where JNA looks for it in the jar: linux-x86-64/libvoucherkit_kotlin.so; the
# test tools' library the same way, but among the test resources only.
kotlin-native: build-kotlin
	mkdir -p $(KT_NATIVE)/linux-x86-64 $(KT_NATIVE_TESTING)/linux-x86-64
	cp $(KT_LIB) $(KT_NATIVE)/linux-x86-64/libvoucherkit_kotlin.so
	cp $(KT_TESTING_LIB) $(KT_NATIVE_TESTING)/linux-x86-64/libvoucherkit_kotlin_testing.so

kotlin: kotlin-generate kotlin-native
	cd $(KT_DIR) && $(MVN) $(MVN_FLAGS) -q -DskipTests package
	@ls -l $(KT_DIR)/target/voucherkit-kotlin-*.jar

KT_JAR = $(KT_DIR)/target/voucherkit-kotlin-0.1.0.jar

# `mvn package` runs the JUnit 5 tests (Surefire prints `Tests run:`) and builds the jar.
kotlin-tests: kotlin-native
	cd $(KT_DIR) && $(MVN) $(MVN_FLAGS) package

# The jar alone is what a till needs: the README examples (compiled by the tests; the
# lost-answer one uses the journal) run with only the jar, JNA and the Kotlin stdlib on the
# class path, the native library coming out of the jar's linux-x86-64/ resource. The
# examples run against the sandbox, so its classes and library (the test tools, never in
# the jar) are added; the jar must not carry them.
kotlin-jar-smoke: kotlin-tests
	cd $(KT_DIR) && $(MVN) $(MVN_FLAGS) -q dependency:build-classpath -Dmdep.includeScope=runtime \
		-Dmdep.outputFile=target/runtime-classpath.txt
	jar tf $(KT_JAR) | grep -qx 'linux-x86-64/libvoucherkit_kotlin.so'
	! jar tf $(KT_JAR) | grep -E 'testing|Sandbox|Bench'
	rm -rf $(KT_DIR)/target/readme-only && mkdir -p $(KT_DIR)/target/readme-only/lostanswer \
		$(KT_DIR)/target/readme-only/voucherkit/testing $(KT_DIR)/target/readme-only/linux-x86-64
	cp $(KT_DIR)/target/test-classes/voucherkit/testing/*.class $(KT_DIR)/target/readme-only/voucherkit/testing/
	cp $(KT_TESTING_LIB) $(KT_DIR)/target/readme-only/linux-x86-64/libvoucherkit_kotlin_testing.so
	cp $(KT_DIR)/target/test-classes/ReadmeQuickStart*.class $(KT_DIR)/target/readme-only/
	cp $(KT_DIR)/target/test-classes/lostanswer/*.class $(KT_DIR)/target/readme-only/lostanswer/
	java -cp "$(KT_JAR):$$(cat $(KT_DIR)/target/runtime-classpath.txt):$(KT_DIR)/target/readme-only" ReadmeQuickStart
	java -cp "$(KT_JAR):$$(cat $(KT_DIR)/target/runtime-classpath.txt):$(KT_DIR)/target/readme-only" lostanswer.ReadmeLostAnswer

# The binding's Rust unit tests (kind mapping, error attributes, panics) and the test
# tools' (sandbox JSON, the core lists).
kotlin-rust-tests:
	$(CARGO) test -p voucherkit-kotlin -p voucherkit-kotlin-testing

test-kotlin: lint-kotlin kotlin-rust-tests check-kotlin-generated kotlin-tests kotlin-jar-smoke
	@echo "make test-kotlin: the Kotlin package passed"

# Release library; the bench compiled with the tests (-Pbench); figures into BENCHMARKS.md.
# A fixed, pre-touched heap, so RSS growth shows native memory, not the heap filling in.
bench-kotlin:
	$(MAKE) --no-print-directory KT_PROFILE=release kotlin-native
	# The bench runs against the test tools' library too (its responder, the core loop).
	cd $(KT_DIR) && $(MVN) $(MVN_FLAGS) -q -Pbench -DskipTests package
	cd $(KT_DIR) && $(MVN) $(MVN_FLAGS) -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
	java -Xms192m -Xmx192m -XX:+AlwaysPreTouch -cp "$(KT_DIR)/target/test-classes:$(KT_JAR):$$(cat $(KT_DIR)/target/classpath.txt)" \
		voucherkit.bench.BenchKt --write BENCHMARKS.md
