# Sourced by each `make test-dist-<lang>` script: from here on the shell is a user's machine
# without Rust. Every PATH entry holding cargo, rustc or rustup is dropped, cargo's and
# rustup's variables are unset, and the work happens in a fresh directory outside the clone
# (so nothing can reach target/). Defines: $work (removed on exit), check_size FILE.
_kept=
IFS=: read -r -a _dirs <<<"$PATH"
for _d in "${_dirs[@]}"; do
  [ -n "$_d" ] || continue
  if [ -e "$_d/cargo" ] || [ -e "$_d/rustc" ] || [ -e "$_d/rustup" ]; then continue; fi
  _kept=${_kept:+$_kept:}$_d
done
export PATH=$_kept
unset CARGO CARGO_HOME CARGO_TARGET_DIR RUSTUP_HOME RUSTUP_TOOLCHAIN RUSTC RUSTFLAGS \
  VIRTUAL_ENV VOUCHERKIT_NATIVE MATURIN_PEP517_ARGS
for _tool in cargo rustc rustup; do
  if command -v "$_tool" >/dev/null 2>&1; then
    echo "test-dist: $_tool is still on PATH ($(command -v "$_tool"))" >&2
    exit 1
  fi
done
work=$(mktemp -d "${TMPDIR:-/tmp}/voucherkit-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "test-dist: no cargo, rustc or rustup on PATH; working in $work"

# Every artifact's size is printed; the shipped binaries (the wheel, the Node platform
# package, libvoucherkit.so, the jar) must stay within 6 MB (6 000 000 bytes).
print_size() {
  local size
  size=$(stat -c %s "$1")
  printf 'test-dist: size %s %s bytes (%s MB)\n' "$(basename "$1")" "$size" \
    "$(awk "BEGIN { printf \"%.2f\", $size / 1000000 }")"
}
check_size() {
  print_size "$1"
  if [ "$(stat -c %s "$1")" -gt 6000000 ]; then
    echo "test-dist: $(basename "$1") is over the 6 MB limit" >&2
    exit 1
  fi
}
