# The Kotlin release artifacts: `make dist-kotlin` builds the library with the `dist` profile
# (stripped; debug info in dist/debug/), packages the jar (with linux-x86-64/ inside) and a
# sources jar, and deploys both with the pom into the Maven repository dist/maven;
# `make test-dist-kotlin` builds a separate Maven project against that repository.

DIST_TARGETS += dist-kotlin
TEST_DIST_TARGETS += test-dist-kotlin

KT_DIST_STAGE = $(CARGO_TARGET_DIR)/dist-stage/kotlin
KT_DIST_JAR = $(KT_DIST_STAGE)/build/voucherkit-kotlin-$(VERSION).jar
KT_DIST_MVN = $(MVN) -B -ntp -q -Dvoucherkit.native.dir=$(KT_DIST_STAGE)/native \
	-Dvoucherkit.build.dir=$(KT_DIST_STAGE)/build

.PHONY: dist-kotlin test-dist-kotlin

dist-kotlin:
	$(CARGO) build --profile dist -p voucherkit-kotlin
	rm -rf $(KT_DIST_STAGE) $(DIST)/maven && mkdir -p $(KT_DIST_STAGE)/native/linux-x86-64
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/libvoucherkit_kotlin.so,$(KT_DIST_STAGE)/native/linux-x86-64/libvoucherkit_kotlin.so)
	cd $(KT_DIR) && $(KT_DIST_MVN) -Dmaven.test.skip=true package \
		org.apache.maven.plugins:maven-source-plugin:3.3.1:jar-no-fork
	cd $(KT_DIR) && $(KT_DIST_MVN) org.apache.maven.plugins:maven-deploy-plugin:3.1.4:deploy-file \
		-Durl=file://$(DIST)/maven -DrepositoryId=voucherkit-dist -DpomFile=pom.xml \
		-Dfile=$(KT_DIST_JAR) -Dsources=$(KT_DIST_STAGE)/build/voucherkit-kotlin-$(VERSION)-sources.jar
	@find $(DIST)/maven -name '*.jar' -o -name '*.pom' | sort

test-dist-kotlin:
	bash $(KT_DIR)/dist-test/dist_test.sh $(DIST)/maven $(VERSION) $(MVN)
