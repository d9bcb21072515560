# C library and C++ header (crate voucherkit-c, here in bindings/c): header freshness, C/C++
# tests, sanitizers, valgrind, install. `make test-c` runs it all; `make header` refreshes
# bindings/c/include/voucherkit.h;
# `make install PREFIX=…` installs the library; `make bench-c` measures C against Rust.

TEST_TARGETS += test-c

PREFIX ?= /usr/local
C_PROFILE ?= debug
C_PROFILE_FLAG := $(if $(filter release,$(C_PROFILE)),--release,)
C_LIBDIR = $(CARGO_TARGET_DIR)/$(C_PROFILE)
C_OUT := $(CARGO_TARGET_DIR)/c
C_DIR := bindings/c
C_SRC := $(C_DIR)/tests
C_INCLUDE := $(C_DIR)/include
C_NATIVE_LIBS := -lpthread -ldl -lm -lrt -lgcc_s
C_WARN := -Wall -Wextra -Werror -pedantic
C_CFLAGS := -std=c11 $(C_WARN) -g -O1 -I$(C_INCLUDE)
C_CXXFLAGS := -std=c++17 $(C_WARN) -g -O1 -I$(C_INCLUDE)
C_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
C_VALGRIND := valgrind --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
C_PROGRAMS := test_c test_cpp conformance journal_scenarios
C_CORPUS := tests/conformance
VERSION_STR = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The shared library's SONAME is libvoucherkit.so.<major> (build.rs sets it on Linux; see
# the comment there for what that means while the major is 0). It is installed as
# libvoucherkit.so.<version>, with libvoucherkit.so.<major> and the dev link
# libvoucherkit.so pointing at it, as Debian packages and rustls-ffi do.
SO_MAJOR = $(firstword $(subst ., ,$(VERSION_STR)))
SONAME = libvoucherkit.so.$(SO_MAJOR)
SO_REAL = libvoucherkit.so.$(VERSION_STR)

.PHONY: test-c lint-c build-c build-c-test header check-header c-tests c-asan c-valgrind \
	c-install-test install install-c install-c-files bench-c

test-c: lint-c check-header c-tests c-asan c-valgrind c-install-test
	@echo "make test-c: all C/C++ suites passed"

lint-c:
	$(CARGO) fmt -p voucherkit-c -- --check
	$(CARGO) clippy -p voucherkit-c --all-targets -- -D warnings
	$(CARGO) clippy -p voucherkit-c --all-targets --features test-panic -- -D warnings

# The in-tree tests link the staticlib; the SONAME link beside cargo's libvoucherkit.so is
# for programs linked against the build output with -L$(C_LIBDIR) -lvoucherkit, which look
# for libvoucherkit.so.$(SO_MAJOR) at run time.
build-c:
	$(CARGO) build -p voucherkit-c $(C_PROFILE_FLAG)
	ln -sfn libvoucherkit.so $(C_LIBDIR)/$(SONAME)

# The header cbindgen wrote into $OUT_DIR for this build (build.rs never writes include/).
C_GENERATED_HEADER = $(shell python3 $(C_DIR)/tools/generated_header.py $(C_PROFILE_FLAG))

header: build-c
	cp "$(C_GENERATED_HEADER)" $(C_INCLUDE)/voucherkit.h
	cp "$(dir $(C_GENERATED_HEADER))testing.h" $(C_INCLUDE)/voucherkit/testing.h
	@echo "$(C_INCLUDE)/voucherkit.h and $(C_INCLUDE)/voucherkit/testing.h refreshed"

# Fails when $(C_INCLUDE)/voucherkit.h differs from the generated one; also the binding's
# Rust unit tests (status codes equal the core's ErrorKind codes). Built without features:
# the header compared is the shipped one.
check-header:
	$(CARGO) test -p voucherkit-c

$(C_OUT):
	mkdir -p $@

C_STATIC = $(C_LIBDIR)/libvoucherkit.a
# voucherkit.hpp includes the C++ wrapper's parts from voucherkit/; voucherkit/testing.h
# (generated) and testing.hpp declare the sandbox for a till's tests.
C_HPP_PARTS := $(sort $(wildcard $(C_INCLUDE)/voucherkit/*.hpp) $(C_INCLUDE)/voucherkit/testing.h)
C_HEADERS := $(C_INCLUDE)/voucherkit.h $(C_INCLUDE)/voucherkit.hpp $(C_HPP_PARTS)

# The test programs link a staticlib built with the `test-panic` feature (it adds
# vk_debug_panic, which the tests declare themselves), copied aside: cargo writes both
# builds to the same libvoucherkit.a, so the shipped build is made again right after, and
# what build-c, install and the README test use never carries the symbol.
C_TEST_STATIC = $(C_OUT)/test-lib/libvoucherkit.a

build-c-test: | $(C_OUT)
	$(CARGO) build -p voucherkit-c $(C_PROFILE_FLAG) --features test-panic
	mkdir -p $(dir $(C_TEST_STATIC))
	cp $(C_STATIC) $(C_TEST_STATIC)
	$(CARGO) build -p voucherkit-c $(C_PROFILE_FLAG)

# test_c is one program from several sources (split by concern; test_c.c has main), built
# in one compiler call so each build stays a single link.
C_TEST_C_SRCS := $(addprefix $(C_SRC)/,test_c.c test_c_operations.c test_c_errors.c \
	test_c_callbacks.c test_c_sandbox.c test_c_misuse.c test_c_journal.c)
C_TEST_C_DEPS := $(C_TEST_C_SRCS) $(C_SRC)/test_c.h

# Plain builds (also what valgrind runs) and ASan+UBSan builds, all linking the test staticlib.
$(C_OUT)/test_c: $(C_TEST_C_DEPS) $(C_HEADERS) build-c-test | $(C_OUT)
	$(CC) $(C_CFLAGS) $(C_TEST_C_SRCS) $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/test_cpp: $(C_SRC)/test_cpp.cpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/conformance: $(C_SRC)/conformance.cpp $(C_SRC)/results_json.hpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/journal_scenarios: $(C_SRC)/journal_scenarios.cpp $(C_SRC)/results_json.hpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/asan_test_c: $(C_TEST_C_DEPS) $(C_HEADERS) build-c-test | $(C_OUT)
	$(CC) $(C_CFLAGS) $(C_SAN) $(C_TEST_C_SRCS) $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/asan_test_cpp: $(C_SRC)/test_cpp.cpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $(C_SAN) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/asan_conformance: $(C_SRC)/conformance.cpp $(C_SRC)/results_json.hpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $(C_SAN) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@
$(C_OUT)/asan_journal_scenarios: $(C_SRC)/journal_scenarios.cpp $(C_SRC)/results_json.hpp $(C_HEADERS) build-c-test | $(C_OUT)
	$(CXX) $(C_CXXFLAGS) $(C_SAN) $< $(C_TEST_STATIC) $(C_NATIVE_LIBS) -o $@

c-tests: $(addprefix $(C_OUT)/,$(C_PROGRAMS))
	$(C_OUT)/test_c $(C_CORPUS)
	$(C_OUT)/test_cpp $(C_CORPUS)
	$(C_OUT)/conformance $(C_CORPUS)
	$(C_OUT)/journal_scenarios $(C_CORPUS)
	bash $(C_SRC)/readme_test.sh $(C_STATIC) $(C_NATIVE_LIBS)

# LSan stays on: every handle the tests make is freed, so any leak is a failure.
c-asan: $(addprefix $(C_OUT)/asan_,$(C_PROGRAMS))
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(C_OUT)/asan_test_c $(C_CORPUS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(C_OUT)/asan_test_cpp $(C_CORPUS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(C_OUT)/asan_conformance $(C_CORPUS) --no-self-check
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(C_OUT)/asan_journal_scenarios $(C_CORPUS) --no-self-check

c-valgrind: $(addprefix $(C_OUT)/,$(C_PROGRAMS))
	$(C_VALGRIND) $(C_OUT)/test_c $(C_CORPUS)
	$(C_VALGRIND) $(C_OUT)/test_cpp $(C_CORPUS)
	$(C_VALGRIND) $(C_OUT)/conformance $(C_CORPUS) --no-self-check --valgrind
	$(C_VALGRIND) $(C_OUT)/journal_scenarios $(C_CORPUS) --no-self-check --timeout-scale 10

# What `make install` puts in place.
install: install-c
install-c: build-c
	$(MAKE) --no-print-directory install-c-files

# The files of an install from what build-c built (make dist-c builds them itself, with
# every dist crate in one cargo run, and calls this directly).
install-c-files:
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/lib/cmake/voucherkit
	install -m 644 $(C_LIBDIR)/libvoucherkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(C_LIBDIR)/libvoucherkit.so $(DESTDIR)$(PREFIX)/lib/$(SO_REAL)
	ln -sfn $(SO_REAL) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(PREFIX)/lib/libvoucherkit.so
	install -m 644 $(C_INCLUDE)/voucherkit.h $(C_INCLUDE)/voucherkit.hpp $(DESTDIR)$(PREFIX)/include/
	$(if $(C_HPP_PARTS),install -d $(DESTDIR)$(PREFIX)/include/voucherkit)
	$(if $(C_HPP_PARTS),install -m 644 $(C_HPP_PARTS) $(DESTDIR)$(PREFIX)/include/voucherkit/)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION_STR)|g' \
		-e 's|@LIBS_PRIVATE@|$(C_NATIVE_LIBS)|g' $(C_DIR)/voucherkit.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/voucherkit.pc
	sed -e 's|@VERSION@|$(VERSION_STR)|g' -e 's|@LIBS_PRIVATE@|$(C_NATIVE_LIBS)|g' \
		-e 's|@SO_REAL@|$(SO_REAL)|g' -e 's|@SONAME@|$(SONAME)|g' \
		$(C_DIR)/cmake/voucherkitConfig.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/voucherkit/voucherkitConfig.cmake
	sed -e 's|@VERSION@|$(VERSION_STR)|g' $(C_DIR)/cmake/voucherkitConfigVersion.cmake.in \
		> $(DESTDIR)$(PREFIX)/lib/cmake/voucherkit/voucherkitConfigVersion.cmake

# Installs into a temporary prefix, then builds tests/example.c with pkg-config
# (static and shared) and with CMake's find_package(voucherkit), and runs each build.
c-install-test:
	bash $(C_SRC)/install_test.sh "$(MAKE)" "$(C_PROFILE)"

# C redeem loop against the Rust core's and a plain libcurl + cJSON client's (the reference
# client of docs/performance.md), on the same keep-alive scripted server. libcurl and cJSON
# are installed here when missing (bench/install-deps.sh), not by CI: only this bench uses them. Their flags
# come from pkg-config in the shell, not make's shell function, which would run before the
# install step.
bench-c:
	bash $(C_DIR)/bench/install-deps.sh
	$(CARGO) build -p voucherkit-c --release --example bench_rust_redeem
	$(MAKE) --no-print-directory C_PROFILE=release build-c
	mkdir -p $(C_OUT)
	$(CC) -std=c11 $(C_WARN) -O2 -I$(C_INCLUDE) $(C_DIR)/bench/c_redeem.c $(CARGO_TARGET_DIR)/release/libvoucherkit.a \
		$(C_NATIVE_LIBS) -o $(C_OUT)/bench_c_redeem
	$(CC) -std=c11 $(C_WARN) -O2 -I$(C_INCLUDE) $$(pkg-config --cflags libcurl libcjson) $(C_DIR)/bench/curl_redeem.c \
		$(CARGO_TARGET_DIR)/release/libvoucherkit.a $$(pkg-config --libs libcurl libcjson) \
		$(C_NATIVE_LIBS) -o $(C_OUT)/bench_c_curl
	python3 $(C_DIR)/bench/run.py $(C_OUT)/bench_c_redeem $(CARGO_TARGET_DIR)/release/examples/bench_rust_redeem \
		$(C_OUT)/bench_c_curl
