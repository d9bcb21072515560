# The Kotlin release artifacts: `make dist-kotlin` builds both libraries with the `dist`
# profile (stripped; debug info in dist/debug/) and deploys, each with its pom and a sources
# jar, into the Maven repository dist/maven:
# - io.github.voucherkit:voucherkit-kotlin, the jar a till ships (with linux-x86-64/ inside);
# - io.github.voucherkit:voucherkit-kotlin-testing, the sandbox for a till's own tests
#   (package voucherkit.testing, the counterpart of Python's and Node's voucherkit.testing and
#   C's voucherkit/testing.h), built from testing/pom.xml against the first.
# `make test-dist-kotlin` builds a separate Maven project against that repository.

DIST_TARGETS += dist-kotlin
TEST_DIST_TARGETS += test-dist-kotlin
DIST_CRATES += -p voucherkit-kotlin -p voucherkit-kotlin-testing

KT_DIST_STAGE = $(CARGO_TARGET_DIR)/dist-stage/kotlin
KT_DIST_BUILD = $(KT_DIST_STAGE)/build
KT_DIST_MVN = $(MVN) -B -ntp -q -Dvoucherkit.native.dir=$(KT_DIST_STAGE)/native \
	-Dvoucherkit.native.testing.dir=$(KT_DIST_STAGE)/native-testing
KT_SOURCES_JAR = org.apache.maven.plugins:maven-source-plugin:3.3.1:jar-no-fork
# Absolute: Maven reads -DpomFile relative to the project it runs on.
KT_POM = $(CURDIR)/$(KT_DIR)/pom.xml
KT_TESTING_POM = $(CURDIR)/$(KT_DIR)/testing/pom.xml

# Deploys the jar $(1) (its sources jar beside it) with the pom $(2) into dist/maven.
define kt_deploy
	$(KT_DIST_MVN) -f $(2) org.apache.maven.plugins:maven-deploy-plugin:3.1.4:deploy-file \
		-Durl=file://$(DIST)/maven -DrepositoryId=voucherkit-dist -DpomFile=$(2) \
		-Dfile=$(1) -Dsources=$(1:.jar=-sources.jar)
endef

.PHONY: dist-kotlin test-dist-kotlin

dist-kotlin: dist-native
	rm -rf $(KT_DIST_STAGE) $(DIST)/maven
	mkdir -p $(KT_DIST_STAGE)/native/linux-x86-64 $(KT_DIST_STAGE)/native-testing/linux-x86-64
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/libvoucherkit_kotlin.so,$(KT_DIST_STAGE)/native/linux-x86-64/libvoucherkit_kotlin.so)
	$(call split_debug,$(CARGO_TARGET_DIR)/dist/libvoucherkit_kotlin_testing.so,$(KT_DIST_STAGE)/native-testing/linux-x86-64/libvoucherkit_kotlin_testing.so)
	$(KT_DIST_MVN) -f $(KT_POM) -Dvoucherkit.build.dir=$(KT_DIST_BUILD)/main \
		-Dmaven.test.skip=true package $(KT_SOURCES_JAR)
	$(call kt_deploy,$(KT_DIST_BUILD)/main/voucherkit-kotlin-$(VERSION).jar,$(KT_POM))
	# The testing jar compiles against the jar just built: Maven finds it in the local
	# repository (test-dist-kotlin removes it from there again before resolving from dist/).
	$(KT_DIST_MVN) org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -DpomFile=$(KT_POM) \
		-Dfile=$(KT_DIST_BUILD)/main/voucherkit-kotlin-$(VERSION).jar
	$(KT_DIST_MVN) -f $(KT_TESTING_POM) -Dvoucherkit.build.dir=$(KT_DIST_BUILD)/testing \
		package $(KT_SOURCES_JAR)
	$(call kt_deploy,$(KT_DIST_BUILD)/testing/voucherkit-kotlin-testing-$(VERSION).jar,$(KT_TESTING_POM))
	@find $(DIST)/maven -name '*.jar' -o -name '*.pom' | sort

test-dist-kotlin:
	bash $(KT_DIR)/dist-test/dist_test.sh $(DIST)/maven $(VERSION) $(MVN)
