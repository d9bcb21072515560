'use strict'
// The journal scenarios of tests/conformance/journal/ (format: tests/conformance/README.md,
// section 10, "Journal scenarios"), played through the Node API against the stateful
// sandbox: a port of the reference runner core/tests/journal_scenarios.rs. Each scenario
// gets a fresh sandbox and one in-memory Journal shared by a journaled SmartGift and a
// journaled Spaaza admin client. Then a copy with its last expected state, kind or
// request path changed is played and must fail (the self-check: the runner compares
// what it claims to).
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { SmartGift, Spaaza, Journal, VoucherError } = require('voucherkit')
const { Sandbox } = require('voucherkit/testing')

const DIR = path.resolve(__dirname, '../../../tests/conformance/journal')

function scenarioFiles() {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(DIR, f))
}

function snake(camel) {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** A Node result (camelCase keys, Dates) as the scenarios name it: wire keys, RFC 3339 text. */
function wire(v) {
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(wire)
  if (v === null || typeof v !== 'object') return v
  const out = {}
  for (const [k, val] of Object.entries(v)) {
    // The provider's own JSON keeps its names (`raw`, `availableToRedeem`).
    out[snake(k)] = k === 'raw' || k === 'availableToRedeem' ? val : wire(val)
  }
  return out
}

/** A journal entry as the JSON every binding shows (top-level keys are the only camelCase ones). */
function wireEntry(e) {
  const out = {}
  for (const [k, v] of Object.entries(e)) out[snake(k)] = v instanceof Date ? v.toISOString() : v
  return out
}

/** Input keys → the Node call's options, per call (the keys the reference runner reads). */
const CALLS = {
  'smartgift.check': ['sg', 'check', ['voucher_no', 'site_id']],
  'smartgift.hold': ['sg', 'hold', ['voucher_no']],
  'smartgift.release': ['sg', 'release', ['voucher_no', 'hold_token']],
  'smartgift.redeem': ['sg', 'redeem', ['voucher_no', 'site_id', 'value', 'experiences', 'hold_token', 'reference']],
  'smartgift.reverse': ['sg', 'reverse', ['voucher_no', 'site_id', 'redemptions', 'reference']],
  'spaaza.redeem_voucher': ['sp', 'redeemVoucher', ['chain_id', 'voucher_key', 'voucher_id', 'user_id', 'amount', 'reference']],
  'spaaza.get_vouchers': ['sp', 'getVouchers', ['chain_id', 'voucher_id'], { showAllStatuses: true }],
}

function camel(s) {
  return s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
}

/** Deep subset match (README section 10): throws naming where it differs. */
function matches(expected, actual, at) {
  if (expected === '<any>') {
    if (actual === null || actual === undefined) throw new Error(`${at}: expected a value, got null`)
    return
  }
  if (expected === null) {
    if (actual !== null && actual !== undefined) throw new Error(`${at}: expected null, got ${JSON.stringify(actual)}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new Error(`${at}: expected an array, got ${JSON.stringify(actual)}`)
    if (expected.length !== actual.length) {
      throw new Error(`${at}: expected ${expected.length} item(s), got ${actual.length}: ${JSON.stringify(actual)}`)
    }
    expected.forEach((e, i) => matches(e, actual[i], `${at}[${i}]`))
    return
  }
  if (typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      throw new Error(`${at}: expected an object, got ${JSON.stringify(actual)}`)
    }
    for (const [k, v] of Object.entries(expected)) matches(v, actual[k] ?? null, `${at}.${k}`)
    return
  }
  if (expected !== actual) throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

class Run {
  static async start(config = {}) {
    const run = new Run()
    run.sandbox = await Sandbox.start()
    run.journal = new Journal(':memory:')
    const common = {
      timeoutMs: config.timeout_ms ?? 2000,
      maxRetries: config.max_retries ?? 0,
      journal: run.journal,
    }
    run.sg = new SmartGift({ apiKey: run.sandbox.smartgiftKey, baseUrl: run.sandbox.smartgiftUrl, ...common })
    run.sp = new Spaaza({
      sessionUserId: run.sandbox.spaazaSessionUserId,
      sessionKey: run.sandbox.spaazaSessionKey,
      baseUrl: run.sandbox.spaazaUrl,
      ...common,
    })
    run.vars = new Map()
    run.seen = 0
    return run
  }

  /** `"$name"` strings become the value saved under `name`, anywhere in `v`. */
  resolve(v) {
    if (typeof v === 'string' && v.startsWith('$')) {
      if (!this.vars.has(v.slice(1))) throw new Error(`${v} was never saved`)
      return this.vars.get(v.slice(1))
    }
    if (Array.isArray(v)) return v.map((x) => this.resolve(x))
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.resolve(x)]))
    }
    return v
  }

  async step(step) {
    if (step === null || typeof step !== 'object') throw new Error('a step must be an object')
    if ('fault' in step) return void this.sandbox.injectFault(step.fault)
    if ('clear_faults' in step) return this.sandbox.clearFaults()
    if ('advance_clock' in step) return this.sandbox.advanceClock(step.advance_clock)
    if ('call' in step) {
      const outcome = await this.call(step.call, this.resolve(step.input ?? {}))
      const actual = outcome.ok ? { result: outcome.value } : { error: outcome.value }
      matches(this.resolve(step.expect), actual, 'expect')
      for (const [name, field] of Object.entries(step.save ?? {})) {
        this.vars.set(name, outcome.value[field] ?? null)
      }
      return
    }
    if ('reconcile' in step) {
      const client = { smartgift: this.sg, spaaza: this.sp }[step.reconcile]
      if (client === undefined) throw new Error(`unknown provider ${step.reconcile}`)
      const entries = await client.reconcile()
      return matches(this.resolve(step.expect), entries.map(wireEntry), 'reconcile')
    }
    if ('entries' in step) {
      for (const k of Object.keys(step.entries)) {
        if (!['state', 'reference', 'provider', 'limit'].includes(k)) throw new Error(`unknown filter key ${k}`)
      }
      const entries = this.journal.entries(step.entries)
      return matches(this.resolve(step.expect), entries.map(wireEntry), 'entries')
    }
    if ('requests' in step) {
      const all = this.sandbox.requests()
      const fresh = all.slice(this.seen).map((r) => `${r.method} ${r.pathOnly}`)
      this.seen = all.length
      return matches(step.requests, fresh, 'requests')
    }
    throw new Error(`unknown step ${JSON.stringify(step)}`)
  }

  async call(name, input) {
    const spec = CALLS[name]
    if (spec === undefined) throw new Error(`unknown call ${name}`)
    const [which, method, keys, fixed = {}] = spec
    const options = { ...fixed }
    for (const k of keys) if (input[k] !== undefined) options[camel(k)] = input[k]
    try {
      return { ok: true, value: wire(await this[which][method](options)) }
    } catch (e) {
      if (!(e instanceof VoucherError)) throw e
      return { ok: false, value: e.toJSON() }
    }
  }

  async stop() {
    await this.sandbox.stop()
  }
}

/** Plays every step; throws `step N: …` at the first that does not match. */
async function play(scenario) {
  if (!Array.isArray(scenario.steps)) throw new Error('no steps')
  const run = await Run.start(scenario.config ?? {})
  try {
    for (const [i, step] of scenario.steps.entries()) {
      try {
        await run.step(step)
      } catch (e) {
        e.message = `step ${i}: ${e.message}`
        throw e
      }
    }
  } finally {
    await run.stop()
  }
}

/**
 * Changes the last expectation that names a state or an error kind (else the last
 * expected request path) into a wrong one; false when there is none (as the reference).
 */
function mutate(v) {
  if (Array.isArray(v)) return [...v].reverse().some(mutate)
  if (v === null || typeof v !== 'object') return false
  for (const key of ['state', 'kind']) {
    if (typeof v[key] === 'string') {
      v[key] = v[key] === 'applied' ? 'not_applied' : 'applied'
      return true
    }
  }
  if (Array.isArray(v.requests) && typeof v.requests[v.requests.length - 1] === 'string') {
    v.requests[v.requests.length - 1] += '-changed'
    return true
  }
  return Object.keys(v)
    .reverse()
    .some((k) => k !== 'fault' && k !== 'input' && mutate(v[k]))
}

const files = scenarioFiles()

test('journal scenarios: every file, then a changed copy of each that must fail', async (t) => {
  assert.ok(files.length > 0, `no scenarios in ${DIR}`)
  let played = 0
  for (const file of files) {
    const scenario = JSON.parse(fs.readFileSync(file, 'utf8'))
    await t.test(scenario.name ?? path.basename(file), async () => {
      await play(scenario)
      const changed = structuredClone(scenario)
      assert.ok(mutate(changed.steps), 'nothing to mutate')
      await assert.rejects(play(changed), /step \d+:/, 'a changed copy must fail')
      played += 1
    })
  }
  assert.equal(played, files.length, `${played} of ${files.length} scenarios played`)
})
