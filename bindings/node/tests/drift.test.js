'use strict'
// Drift between the core and this package: the native module reports the core's error
// kinds (ErrorKind::ALL with code() and as_str()) and transport options
// (voucherkit_core::OPTIONS); each must be exposed by index.js, declared in index.d.ts
// and (options) accepted by both constructors under the core's name in errors. A kind or
// option added to the core and forgotten here fails this file.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { SmartGift, Spaaza, VoucherError, ERROR_KINDS } = require('voucherkit')
const native = require('../native.js')

const DTS = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')

/** The body of `export type NAME = …` or `export interface NAME {…}` in index.d.ts. */
function declaration(re, name) {
  const m = DTS.match(re)
  assert.ok(m, `index.d.ts declares ${name}`)
  return m[1]
}

const coreKinds = JSON.parse(native.coreErrorKinds())
const coreOptions = JSON.parse(native.coreOptions())

test('the native module reports the core lists', () => {
  assert.ok(coreKinds.length >= 18, JSON.stringify(coreKinds))
  assert.ok(coreOptions.length >= 9, JSON.stringify(coreOptions))
  // Codes are the stable 1-based numbers of docs/errors.md: distinct and increasing.
  const codes = coreKinds.map((k) => k.code)
  assert.deepEqual(codes, [...codes].sort((a, b) => a - b))
  assert.equal(new Set(codes).size, codes.length)
})

test('ERROR_KINDS is every core error kind, in code order', () => {
  const byCode = [...coreKinds].sort((a, b) => a.code - b.code).map((k) => k.name)
  assert.deepEqual([...ERROR_KINDS], byCode)
})

test('index.d.ts declares every core error kind in ErrorKind', () => {
  const body = declaration(/export type ErrorKind =([\s\S]*?)\n\n/, 'ErrorKind')
  const declared = [...body.matchAll(/\|\s*'([a-z_]+)'/g)].map((m) => m[1])
  assert.deepEqual(declared, coreKinds.map((k) => k.name))
})

test('a VoucherError keeps each core kind (and its code) as given', () => {
  for (const { name } of coreKinds) {
    const e = new VoucherError({ kind: name, message: 'm' })
    assert.equal(e.kind, name)
    assert.equal(e.code, name)
  }
})

// Each core option's JavaScript name. A core option missing here fails the first test
// below: expose it (constructor, index.d.ts, README) and add it.
const NODE_NAME = {
  connect_timeout: 'connectTimeoutMs',
  timeout: 'timeoutMs',
  max_retries: 'maxRetries',
  max_idle_age: 'maxIdleAgeMs',
  max_idle_connections: 'maxIdleConnections',
  ca_bundle: 'caBundle',
  proxy: 'proxy',
  allow_insecure_http: 'allowInsecureHttp',
  app_info: 'appInfo',
}

// A value each kind of option refuses, so a constructor proves it reads the option and
// names it as the core does.
const BAD = {
  Duration: -1,
  Count: -1,
  Text: 42,
  Flag: 'yes',
  AppInfo: { name: 'two words' },
}

// The constructor options that are not transport options of the core.
const NOT_TRANSPORT = ['base_url', 'on_request', 'on_warning', 'journal']

test('every core option has a Node name, and the constructors take exactly the core options', () => {
  for (const o of coreOptions) {
    assert.ok(o.name in NODE_NAME, `core option ${o.name} (${o.kind}) is not exposed by the Node package`)
  }
  const accepted = JSON.parse(native.clientOptionNames())
  const transport = accepted.filter(([, name]) => !NOT_TRANSPORT.includes(name))
  assert.deepEqual(
    transport.map(([, name]) => name).sort(),
    coreOptions.map((o) => o.name).sort(),
    'the constructors take every core option, and no transport option the core lacks',
  )
  for (const [js, name] of transport) assert.equal(js, NODE_NAME[name], `${name} is read as ${NODE_NAME[name]}`)
})

test('each core option is read by both constructors and refused under the core name', () => {
  const makers = {
    smartgift: (extra) => new SmartGift({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', ...extra }),
    spaaza: (extra) => new Spaaza({ sessionUserId: 1, sessionKey: 's', baseUrl: 'http://127.0.0.1:9', ...extra }),
  }
  for (const o of coreOptions) {
    assert.ok(o.kind in BAD, `no bad value known for option kind ${o.kind}`)
    for (const [provider, make] of Object.entries(makers)) {
      assert.throws(
        () => make({ [NODE_NAME[o.name]]: BAD[o.kind] }),
        (e) => {
          assert.ok(e instanceof VoucherError, String(e))
          assert.equal(e.kind, 'invalid_request')
          assert.equal(e.field, o.name, `${provider} ${NODE_NAME[o.name]}: ${e.message}`)
          assert.equal(e.provider, provider)
          return true
        },
      )
    }
  }
})

test('index.d.ts declares every core option in ClientOptions', () => {
  const body = declaration(/export interface ClientOptions \{([\s\S]*?)\n\}/, 'ClientOptions')
  for (const o of coreOptions) {
    assert.match(body, new RegExp(`\\n  ${NODE_NAME[o.name]}\\?:`), `ClientOptions declares ${NODE_NAME[o.name]}`)
  }
})
