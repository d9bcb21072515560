'use strict'
// Loads the native addon (voucherkit.<platform>.node, built by `napi build --platform`).
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

// napi-rs's layout: the published `voucherkit` package carries no binary; npm installs the
// one platform package (`voucherkit-<platform>`, an optional dependency) whose os/cpu/libc
// match. A build from this folder (`npm run build`) puts the addon beside this file instead.
function load() {
  const override = process.env.VOUCHERKIT_NATIVE
  if (override) return require(override)
  const tag = platformTag()
  const local = join(__dirname, `voucherkit.${tag}.node`)
  if (existsSync(local)) return require(local)
  const pkg = `voucherkit-${tag}`
  try {
    return require(pkg)
  } catch (e) {
    if (e?.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(pkg)) throw e
    const supported = Object.keys(require('./package.json').optionalDependencies ?? {})
    throw new Error(
      `voucherkit: no native addon for this platform (${tag}): the package ${pkg} is not installed. ` +
        (supported.includes(pkg)
          ? `Reinstall voucherkit without --no-optional/--omit=optional so npm adds ${pkg}.`
          : `voucherkit is published for: ${supported.join(', ') || '(none listed)'}; ` +
            'elsewhere build it from source with `npm run build` (needs a Rust toolchain).'),
    )
  }
}

module.exports = load()
