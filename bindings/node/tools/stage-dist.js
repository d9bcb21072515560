'use strict'
// `make dist-node`, step 2: lays out the npm packages as napi-rs publishes them.
//   <stage>/voucherkit/            the main package: JS, types, CLI shim, no binary, and an
//                                  optionalDependency on every platform package
//   <stage>/voucherkit/npm/<platform>/  one package per napi target (`napi create-npm-dirs`,
//                                  outside the main package's `files`); the built addon is
//                                  copied into its own (`napi artifacts`)
// Usage: node tools/stage-dist.js <stage dir> <license files…>
const { cpSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs')
const { basename, join } = require('node:path')

const [stage, ...licenses] = process.argv.slice(2)
const here = join(__dirname, '..')
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
const out = join(stage, 'voucherkit')
mkdirSync(out, { recursive: true })

// napi-rs's platform names for its target triples (create-npm-dirs uses the same).
const platformOf = {
  'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
  'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
  'x86_64-apple-darwin': 'darwin-x64',
  'aarch64-apple-darwin': 'darwin-arm64',
  'x86_64-pc-windows-msvc': 'win32-x64-msvc',
}
const optionalDependencies = {}
for (const target of pkg.napi.targets) {
  const platform = platformOf[target]
  if (!platform) throw new Error(`stage-dist: no npm platform name for ${target}; add it here`)
  optionalDependencies[`${pkg.name}-${platform}`] = pkg.version
}

const files = pkg.files.filter((f) => !f.endsWith('.node'))
for (const f of files) cpSync(join(here, f), join(out, f), { recursive: true })
for (const f of licenses) cpSync(f, join(out, basename(f)))
const { devDependencies, scripts, ...published } = pkg
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ ...published, files, optionalDependencies }, null, 2)}\n`,
)
console.log(`stage-dist: ${out} (${files.length} entries; optional: ${Object.keys(optionalDependencies).join(', ')})`)
