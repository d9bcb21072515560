'use strict'
// voucherkit/testing: the voucherkit sandbox for your own tests. Both servers are real
// HTTP servers on 127.0.0.1 running on their own Rust threads, so a blocking `…Sync`
// call against them from Node's main thread cannot deadlock.

const util = require('node:util')
const native = require('./native.js')

/** One request as the server received it. */
class RecordedRequest {
  constructor(w) {
    /** Which connection it came on (requests on one kept-alive connection share it). */
    this.connectionId = w.connection_id
    this.method = w.method
    /** The path with its query string. */
    this.path = w.path
    /** `[name, value]` pairs as sent. */
    this.headers = w.headers
    /** The body as text. */
    this.bodyText = w.body_text
  }

  /** The path without its query string. */
  get pathOnly() {
    const q = this.path.indexOf('?')
    return q < 0 ? this.path : this.path.slice(0, q)
  }

  /** The first value of a header, by case-insensitive name, or `undefined`. */
  header(name) {
    const lower = name.toLowerCase()
    const hit = this.headers.find(([n]) => n.toLowerCase() === lower)
    return hit ? hit[1] : undefined
  }

  /** The body parsed as JSON (throws when it is not JSON). */
  json() {
    return JSON.parse(this.bodyText)
  }

  /** The form body's fields as `[name, value]` pairs, in order. */
  form() {
    return [...new URLSearchParams(this.bodyText)]
  }

  /** The query string's fields as `[name, value]` pairs, in order. */
  query() {
    const q = this.path.indexOf('?')
    return q < 0 ? [] : [...new URLSearchParams(this.path.slice(q + 1))]
  }
}

function parseRequests(text) {
  return JSON.parse(text).map((w) => new RecordedRequest(w))
}

/**
 * The stateful emulator of Smart Gift and Spaaza, with the demo data set (or yours):
 * balances go down, holds block other tills, a redeemed voucher stays redeemed.
 */
class Sandbox {
  #native
  #stopped = false

  constructor(nativeSandbox) {
    if (!(nativeSandbox instanceof native.Sandbox)) {
      throw new TypeError('use `await Sandbox.start()` to start a sandbox')
    }
    this.#native = nativeSandbox
  }

  /**
   * Starts a sandbox on 127.0.0.1. Options: `port` (0 = a free one), `data` (a data set
   * object or its JSON text; default the demo data), `startTime` (a Date or seconds
   * since the epoch; default the real time), `baseDir` (where fault rules' `body_file`s
   * are read; default the current directory).
   */
  static async start(options = {}) {
    const { port = 0, data, startTime, baseDir = process.cwd() } = options
    const dataJson = data === undefined || data === null ? '' : typeof data === 'string' ? data : JSON.stringify(data)
    const startUnix =
      startTime === undefined || startTime === null
        ? -1
        : startTime instanceof Date
          ? startTime.getTime() / 1000
          : Number(startTime)
    return new Sandbox(native.Sandbox.start(port, dataJson, startUnix, baseDir))
  }

  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  get url() {
    return this.#native.url
  }

  get port() {
    return this.#native.port
  }

  /** A Smart Gift client's `baseUrl`. */
  get smartgiftUrl() {
    return this.#native.smartgiftUrl
  }

  /** A Spaaza client's `baseUrl`. */
  get spaazaUrl() {
    return this.#native.spaazaUrl
  }

  /** The demo Smart Gift company's API key. */
  get smartgiftKey() {
    return this.#native.smartgiftKey
  }

  /** The demo Spaaza admin's session user id. */
  get spaazaSessionUserId() {
    return this.#native.spaazaSessionUserId
  }

  /** The demo Spaaza admin's session key. */
  get spaazaSessionKey() {
    return this.#native.spaazaSessionKey
  }

  /** The data set it started with (the sandbox data file format: snake_case keys). */
  get data() {
    return JSON.parse(this.#native.dataJson())
  }

  /** The live state, in the same format. */
  state() {
    return JSON.parse(this.#native.stateJson())
  }

  /** The emulated time. */
  now() {
    return new Date(this.#native.nowUnix() * 1000)
  }

  /** Moves the emulated clock forward: holds, locks and vouchers expire. */
  advanceClock(seconds) {
    this.#native.advanceClock(seconds)
  }

  /**
   * Makes a provider path misbehave: one rule or several, each
   * `{path, answer, times?, process?}` (see the sandbox's fault rules), e.g.
   * `{path: '/smartgift/redeem', process: true, times: 1, answer: {fault: {kind: 'stall'}}}`.
   * Returns how many rules were added.
   */
  injectFault(...rules) {
    return this.#native.injectFaults(JSON.stringify(rules.flat()))
  }

  /** Removes every fault rule. */
  clearFaults() {
    this.#native.clearFaults()
  }

  /** Every provider request received so far, in arrival order. */
  requests() {
    return parseRequests(this.#native.requests())
  }

  /** Back to the initial data and clock, no fault rules, an empty log. */
  reset() {
    this.#native.reset()
  }

  /** Stops the server and closes every connection. */
  async stop() {
    if (!this.#stopped) {
      this.#stopped = true
      this.#native.stop()
    }
  }

  [util.inspect.custom]() {
    return `Sandbox { url: '${this.url}' }`
  }
}

/**
 * A scripted server: answers requests with the answers you queue, in order, and
 * records every request (what the conformance corpus runs against).
 */
class ScriptedServer {
  #native
  #stopped = false

  constructor(nativeServer) {
    if (!(nativeServer instanceof native.ScriptedServer)) {
      throw new TypeError('use `await ScriptedServer.start()` to start a scripted server')
    }
    this.#native = nativeServer
  }

  /** Starts on 127.0.0.1; `body_file`s are read from `baseDir` (default: the current directory). */
  static async start(options = {}) {
    return new ScriptedServer(native.ScriptedServer.start(options.baseDir ?? process.cwd()))
  }

  get url() {
    return this.#native.url
  }

  get port() {
    return this.#native.port
  }

  /**
   * Queues answers (objects in the corpus' answer shape: `{status, headers, body |
   * body_text | body_file, content_type, fault}`), served in order. Returns how many.
   */
  push(...answers) {
    return this.#native.push(JSON.stringify(answers.flat()))
  }

  /** Every request received so far, in arrival order. */
  requests() {
    return parseRequests(this.#native.requests())
  }

  /** How many queued answers have not been served yet. */
  pending() {
    return this.#native.pending()
  }

  /** Forgets the queued answers and the recorded requests. */
  reset() {
    this.#native.reset()
  }

  async stop() {
    if (!this.#stopped) {
      this.#stopped = true
      this.#native.stop()
    }
  }

  [util.inspect.custom]() {
    return `ScriptedServer { url: '${this.url}' }`
  }
}

module.exports = { Sandbox, ScriptedServer, RecordedRequest }
