'use strict'
// The Node runner of the cross-language conformance corpus (tests/conformance/README.md),
// a port of the reference runner core/tests/conformance.rs: each case is played through
// the public API (`voucherkit`'s Promise methods) against the sandbox's scripted server,
// then the requests on the wire and the outcome are compared with the case.
//
// `node tests/conformance.js [filter…]` prints every case and `N passed, N failed`;
// conformance.test.js runs the same cases as one node:test subtest each.

const fs = require('node:fs')
const path = require('node:path')

const { SmartGift, Spaaza, VoucherError } = require('..')
const { ScriptedServer } = require('../testing')

const CORPUS = path.resolve(__dirname, '../../../tests/conformance')

function caseFiles() {
  const files = []
  for (const provider of ['smartgift', 'spaaza']) {
    const dir = path.join(CORPUS, 'cases', provider)
    for (const name of fs.readdirSync(dir)) {
      if (name.endsWith('.json')) files.push(path.join(dir, name))
    }
  }
  return files.sort()
}

function loadCases() {
  return caseFiles().map((file) => JSON.parse(fs.readFileSync(file, 'utf8')))
}

function camel(snake) {
  return snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/** Expected result keys are the corpus' snake_case names; Node results are camelCase. */
function camelExpected(v) {
  if (Array.isArray(v)) return v.map(camelExpected)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const [k, val] of Object.entries(v)) {
    out[camel(k)] = k === 'raw' || k === 'available_to_redeem' ? val : camelExpected(val)
  }
  return out
}

const CONFIG_KEYS = {
  api_key: 'apiKey',
  session_user_id: 'sessionUserId',
  session_key: 'sessionKey',
  api_version: 'apiVersion',
  auth: 'auth',
  app_hostname: 'appHostname',
  bearer_token: 'bearerToken',
  base_url: 'baseUrl',
  timeout_ms: 'timeoutMs',
  connect_timeout_ms: 'connectTimeoutMs',
  max_retries: 'maxRetries',
  allow_insecure_http: 'allowInsecureHttp',
  proxy: 'proxy',
}

/** `proxy: "scripted"`: the scripted server (at `url`) plays the client's CONNECT proxy. */
function proxyOption(cfg, url) {
  if (cfg.proxy === undefined) return undefined
  if (cfg.proxy !== 'scripted') throw new Error(`unknown proxy ${JSON.stringify(cfg.proxy)} (only "scripted")`)
  return url
}

function clientOptions(c, url) {
  const cfg = c.config ?? {}
  for (const k of Object.keys(cfg)) {
    if (!(k in CONFIG_KEYS)) throw new Error(`unknown config key ${JSON.stringify(k)}`)
  }
  const common = {
    baseUrl: cfg.base_url ?? url,
    timeoutMs: cfg.timeout_ms ?? 5000,
    connectTimeoutMs: cfg.connect_timeout_ms ?? 2000,
    maxRetries: cfg.max_retries ?? 2,
    allowInsecureHttp: cfg.allow_insecure_http ?? false,
  }
  const proxy = proxyOption(cfg, url)
  if (proxy !== undefined) common.proxy = proxy
  if (c.provider === 'smartgift') {
    return { apiKey: cfg.api_key ?? 'sk_test_conformance_0001', ...common }
  }
  const o = {
    auth: cfg.auth ?? 'admin',
    sessionUserId: cfg.session_user_id ?? 1,
    sessionKey: cfg.session_key ?? 'sess_conformance_0001',
    apiVersion: cfg.api_version ?? '1.6.3',
    ...common,
  }
  if (cfg.app_hostname !== undefined) o.appHostname = cfg.app_hostname
  if (cfg.bearer_token !== undefined) o.bearerToken = cfg.bearer_token
  return o
}

const OPERATIONS = {
  smartgift: { check: 'check', hold: 'hold', redeem: 'redeem', release: 'release', reverse: 'reverse' },
  spaaza: {
    redeem_voucher: 'redeemVoucher',
    unlock_voucher: 'unlockVoucher',
    unclaim_voucher: 'unclaimVoucher',
    lock_voucher: 'lockVoucher',
    claim_voucher: 'claimVoucher',
    get_vouchers: 'getVouchers',
  },
}

/** The case's input by the Node option names; values as given (money stays a string). */
function operationOptions(input) {
  const out = {}
  for (const [k, v] of Object.entries(input ?? {})) {
    if (v === null) continue
    out[camel(k)] = k === 'meta_conditions' ? v.map((m) => ({ ...m })) : v
  }
  return out
}

/** Plays the operation; resolves to {result} or {error} (a VoucherError). */
async function execute(c, url, { sync = false } = {}) {
  const Client = { smartgift: SmartGift, spaaza: Spaaza }[c.provider]
  if (!Client) throw new Error(`unknown provider ${c.provider}`)
  const method = OPERATIONS[c.provider][c.operation]
  if (!method) throw new Error(`unknown ${c.provider} operation ${c.operation}`)
  let client
  try {
    client = new Client(clientOptions(c, url))
  } catch (error) {
    return { error }
  }
  const options = operationOptions(c.input)
  try {
    const result = sync ? client[`${method}Sync`](options) : await client[method](options)
    return { result }
  } catch (error) {
    return { error }
  }
}

function show(v) {
  return JSON.stringify(v)
}

/** Deep subset comparison: missing actual keys count as null; numbers by value. */
function matches(want, got, at) {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    if (got !== null && typeof got === 'object' && !Array.isArray(got)) {
      for (const [k, wv] of Object.entries(want)) {
        matches(wv, got[k] === undefined ? null : got[k], `${at}.${k}`)
      }
      return
    }
    if (got === null && Object.keys(want).length === 0) return
  } else if (Array.isArray(want) && Array.isArray(got)) {
    if (want.length !== got.length) {
      throw new Error(`${at}: expected ${want.length} items, got ${got.length}: ${show(got)}`)
    }
    want.forEach((wv, n) => matches(wv, got[n], `${at}[${n}]`))
    return
  } else if (want === got || (want === null && got === undefined)) {
    return
  }
  throw new Error(`${at}: expected ${show(want)}, got ${show(got)}`)
}

/** Every key of `want` and `got` must match (objects with exact key sets). */
function exact(want, got, at) {
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
  if (isObj(want) && isObj(got)) {
    for (const k of Object.keys(got)) {
      if (!(k in want)) throw new Error(`${at}: unexpected key ${show(k)} in ${show(got)}`)
    }
    for (const [k, wv] of Object.entries(want)) {
      if (!(k in got)) throw new Error(`${at}: missing key ${show(k)} in ${show(got)}`)
      exact(wv, got[k], `${at}.${k}`)
    }
    return
  }
  if (Array.isArray(want) && Array.isArray(got) && want.length === got.length) {
    want.forEach((wv, n) => exact(wv, got[n], `${at}[${n}]`))
    return
  }
  matches(want, got, at)
}

function pairsToObject(pairs, at) {
  const out = {}
  for (const [k, v] of pairs) {
    if (Object.prototype.hasOwnProperty.call(out, k)) throw new Error(`${at}: field ${show(k)} sent twice`)
    out[k] = v
  }
  return out
}

function checkRequests(want, got) {
  if (!Array.isArray(want)) throw new Error('expect_requests must be an array')
  if (want.length !== got.length) {
    const seen = got.map((r) => `${r.method} ${r.path}`)
    throw new Error(`expected ${want.length} request(s) on the wire, got ${got.length}: ${show(seen)}`)
  }
  want.forEach((w, n) => {
    const r = got[n]
    const at = `request[${n}]`
    if (w.method !== undefined && w.method !== r.method) {
      throw new Error(`${at}: method ${r.method} instead of ${w.method}`)
    }
    const p = w.query !== undefined ? r.pathOnly : r.path
    if (w.path !== undefined && w.path !== p) throw new Error(`${at}: path ${p} instead of ${w.path}`)
    for (const [name, value] of Object.entries(w.headers ?? {})) {
      const sent = r.header(name)
      if (sent !== value) throw new Error(`${at}: header ${name} is ${show(sent)}, expected ${show(value)}`)
    }
    for (const name of w.absent_headers ?? []) {
      const sent = r.header(name)
      if (sent !== undefined) throw new Error(`${at}: header ${name} must be absent, was ${show(sent)}`)
    }
    if (w.json !== undefined) {
      let sent
      try {
        sent = r.json()
      } catch {
        throw new Error(`${at}: body is not JSON: ${show(r.bodyText)}`)
      }
      exact(w.json, sent, `${at}.json`)
    }
    if (w.body_text !== undefined && r.bodyText !== w.body_text) {
      throw new Error(`${at}: body ${show(r.bodyText)}, expected ${show(w.body_text)}`)
    }
    if (w.form !== undefined) exact(w.form, pairsToObject(r.form(), at), `${at}.form`)
    if (w.query !== undefined) exact(w.query, pairsToObject(r.query(), at), `${at}.query`)
  })
}

/** The error as the corpus names its attributes, read from the public properties. */
function errorParts(e) {
  return {
    kind: e.kind,
    message: e.message,
    field: e.field,
    field_errors: e.fieldErrors,
    http_status: e.httpStatus,
    provider: e.provider,
    provider_code: e.providerCode,
    retryable: e.retryable,
    retry_after: e.retryAfter,
  }
}

/** Plays one case; throws an Error naming the first difference. */
async function runCase(server, c, options) {
  server.reset()
  if (!Array.isArray(c.answers)) throw new Error('answers must be an array')
  if (c.answers.length) server.push(c.answers)
  const outcome = await execute(c, server.url, options)
  checkRequests(c.expect_requests, server.requests())
  const expect = c.expect ?? {}
  const wantResult = expect.result
  const wantError = expect.error
  if ((wantResult === undefined) === (wantError === undefined)) {
    throw new Error('expect must hold exactly one of result / error')
  }
  if (outcome.error !== undefined) {
    const e = outcome.error
    if (!(e instanceof VoucherError)) throw new Error(`not a VoucherError: ${e && e.stack}`)
    if (e.code !== e.kind) throw new Error(`code ${e.code} differs from kind ${e.kind}`)
    if (wantError === undefined) throw new Error(`expected a result, got error ${show(errorParts(e))}`)
    matches(wantError, errorParts(e), 'error')
  } else {
    if (wantResult === undefined) throw new Error(`expected an error, got result ${show(outcome.result)}`)
    matches(camelExpected(wantResult), outcome.result, 'result')
  }
}

/** One changed copy of `c` that a correct runner must reject (as the Rust runner's). */
function mutate(c, n) {
  const options = []
  const push = (what, f) => {
    const copy = structuredClone(c)
    f(copy)
    options.push([what, copy])
  }
  const expect = c.expect ?? {}
  const err = expect.error
  if (err && typeof err.kind === 'string') {
    const other = err.kind === 'provider_error' ? 'network' : 'provider_error'
    push('error kind', (x) => (x.expect.error.kind = other))
  }
  if (err && typeof err.message === 'string') push('error message', (x) => (x.expect.error.message += '!'))
  if (err && typeof err.field === 'string') push('error field', (x) => (x.expect.error.field = 'nope'))
  if (expect.result && typeof expect.result === 'object') {
    const hit = Object.entries(expect.result).find(([, v]) => v === null || typeof v !== 'object')
    if (hit) {
      const [key, value] = hit
      const changed =
        typeof value === 'string' ? `${value}!` : typeof value === 'boolean' ? !value : typeof value === 'number' ? 987654321 : 'x'
      push('result field', (x) => (x.expect.result[key] = changed))
    }
  }
  const reqs = c.expect_requests
  if (Array.isArray(reqs) && reqs.length === 0) {
    push('requests on the wire', (x) => (x.expect_requests = [{ method: 'POST', path: '/x' }]))
  } else if (Array.isArray(reqs)) {
    push('method', (x) => (x.expect_requests[0].method = 'PATCH'))
    for (const key of ['json', 'form', 'query']) {
      const body = reqs[0][key]
      if (body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length) {
        const field = Object.keys(body)[0]
        push(`${key} field ${field}`, (x) => (x.expect_requests[0][key][field] = 'changed!'))
      }
    }
    if (typeof reqs[0].body_text === 'string') push('body text', (x) => (x.expect_requests[0].body_text += ' '))
  }
  if (!options.length) return null
  return options[n % options.length]
}

async function startServer() {
  return ScriptedServer.start({ baseDir: CORPUS })
}

async function main(filters) {
  const server = await startServer()
  const cases = loadCases()
  let passed = 0
  let failed = 0
  const names = new Set()
  for (const c of cases) {
    if (filters.length && !filters.some((f) => c.name.includes(f))) continue
    try {
      if (names.has(c.name)) throw new Error('duplicate case name')
      names.add(c.name)
      await runCase(server, c)
      passed += 1
      console.log(`conformance ${c.name} ... ok`)
    } catch (e) {
      failed += 1
      console.log(`conformance ${c.name} ... FAILED\n    ${String(e.message).replace(/\n/g, '\n    ')}`)
    }
  }
  const uncaught = []
  let mutated = 0
  for (const [n, c] of cases.entries()) {
    if (filters.length && !filters.some((f) => c.name.includes(f))) continue
    const m = mutate(c, n)
    if (m) {
      try {
        await runCase(server, m[1])
        uncaught.push(`${c.name}: ${m[0]}`)
      } catch {
        // caught, as it must be
      }
    }
    mutated += 1
  }
  await server.stop()
  if (uncaught.length) {
    failed += uncaught.length
    console.log(`conformance self-check FAILED: changed cases still passed:\n    ${uncaught.join('\n    ')}`)
  } else {
    console.log(`conformance self-check: ${mutated} mutated cases, every one caught`)
  }
  console.log(`conformance: ${passed} passed, ${failed} failed`)
  return failed === 0 && passed > 0
}

module.exports = { loadCases, runCase, mutate, startServer, execute, matches, exact, CORPUS }

if (require.main === module) {
  main(process.argv.slice(2).filter((a) => !a.startsWith('-'))).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e)
      process.exit(1)
    },
  )
}
