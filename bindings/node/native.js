'use strict'
// Loads the native addon built by `napi build --platform` (voucherkit.<platform>.node).
// VOUCHERKIT_NATIVE may name another build of it (the benchmarks load a release build).
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

function isMusl() {
  if (process.platform !== 'linux') return false
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    return !report?.header?.glibcVersionRuntime
  }
}

function platformTag() {
  const { platform, arch } = process
  switch (platform) {
    case 'linux':
      return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
    case 'win32':
      return `win32-${arch}-msvc`
    case 'darwin':
      return `darwin-${arch}`
    default:
      return `${platform}-${arch}`
  }
}

function load() {
  const override = process.env.VOUCHERKIT_NATIVE
  if (override) return require(override)
  const file = join(__dirname, `voucherkit.${platformTag()}.node`)
  if (!existsSync(file)) {
    throw new Error(
      `voucherkit: no native addon for ${platformTag()} at ${file}; ` +
        'build it with `npm run build` (needs a Rust toolchain)',
    )
  }
  return require(file)
}

module.exports = load()
