#!/usr/bin/env bash
# Kotlin/JVM package: a JDK (17+) and Maven, then every Maven artifact the build
# and the tests use (kotlin-maven-plugin, JNA, JUnit 5, Surefire's JUnit platform provider,
# Jackson), fetched once so `make test-kotlin` does not depend on the network mid-run.
# Idempotent: apt runs only for what is missing; a warm ~/.m2 makes the fetch a no-op.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-kotlin: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
java -version 2>&1 | sed -n 1p
mvn -v 2>/dev/null | sed -n 1p

# Compiles main and test sources and starts Surefire with no test selected: that resolves
# the plugins, the dependencies and the test provider without needing the native library.
cd bindings/kotlin
mvn -B -ntp -q test -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false
# The dependency plugin (class paths for the jar smoke test and the bench).
mvn -B -ntp -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
echo "install-kotlin: Maven dependencies present"
