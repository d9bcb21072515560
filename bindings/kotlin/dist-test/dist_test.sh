#!/usr/bin/env bash
# `make test-dist-kotlin`: the Maven repository in dist/maven as a JVM till developer uses
# it, with no Rust toolchain on PATH: a separate Maven project (pom.xml beside this script)
# depends on io.github.voucherkit:voucherkit-kotlin (and voucherkit-kotlin-testing, the
# sandbox) from that repository only, compiles the README's Kotlin quick start and runs it
# with the jars' own native libraries.
# Usage: dist_test.sh <dist/maven> <version> [mvn]
set -euo pipefail
repo=$(realpath "$1")
version=$2
mvn=${3:-mvn}
here=$(cd "$(dirname "$0")" && pwd)
readme=$(realpath "$here/../../../README.md")
jar="$repo/io/github/voucherkit/voucherkit-kotlin/$version/voucherkit-kotlin-$version.jar"
testing_jar="$repo/io/github/voucherkit/voucherkit-kotlin-testing/$version/voucherkit-kotlin-testing-$version.jar"
for j in "$jar" "$testing_jar"; do
  for f in "$j" "${j%.jar}.pom" "${j%.jar}-sources.jar"; do
    [ -f "$f" ] || { echo "test-dist-kotlin: $f is not in the repository" >&2; exit 1; }
  done
done
# shellcheck source=../../../tests/dist/no_rust.sh
source "$here/../../../tests/dist/no_rust.sh"

jar tf "$jar" | grep -qx 'linux-x86-64/libvoucherkit_kotlin.so' \
  || { echo "test-dist-kotlin: the jar has no linux-x86-64/libvoucherkit_kotlin.so" >&2; exit 1; }
grep -q '<artifactId>jna</artifactId>' "${jar%.jar}.pom" \
  || { echo "test-dist-kotlin: the pom does not depend on JNA" >&2; exit 1; }
if jar tf "$jar" | grep -E 'testing|Sandbox|Bench'; then
  echo "test-dist-kotlin: the till's jar carries test tools" >&2; exit 1
fi
jar tf "$testing_jar" | grep -qx 'linux-x86-64/libvoucherkit_kotlin_testing.so' \
  || { echo "test-dist-kotlin: the testing jar has no linux-x86-64/libvoucherkit_kotlin_testing.so" >&2; exit 1; }
# The local Maven cache must not answer for voucherkit: only dist/maven may.
rm -rf "$HOME/.m2/repository/io/github/voucherkit"

cp "$here/pom.xml" pom.xml
python3 "$here/../tools/readme_quickstart.py" "$readme" src/main/kotlin
rm src/main/kotlin/ReadmeLostAnswer.kt
$mvn -B -ntp -q -Dvoucherkit.repo="file://$repo" -Dvoucherkit.version="$version" package \
  dependency:build-classpath -Dmdep.outputFile=classpath.txt -Dmdep.includeScope=runtime
resolved="$HOME/.m2/repository/io/github/voucherkit/voucherkit-kotlin/$version/voucherkit-kotlin-$version.jar"
cmp -s "$resolved" "$jar" || { echo "test-dist-kotlin: Maven did not resolve the dist jar" >&2; exit 1; }
out=$(java -cp "target/classes:$(cat classpath.txt)" ReadmeQuickStart)
echo "$out" | sed 's/^/  quick start: /'
grep -q "^remaining: " <<<"$out" && grep -q "^redeemed 10.00 as " <<<"$out" \
  || { echo "test-dist-kotlin: the quick start did not redeem as the README says" >&2; exit 1; }
check_size "$jar"
print_size "$testing_jar"
echo "test-dist-kotlin: 1 passed, 0 failed"
