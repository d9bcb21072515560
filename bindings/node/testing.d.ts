// Type declarations of `voucherkit/testing` (hand-written).

/** One request as a sandbox server received it. */
export declare class RecordedRequest {
  private constructor()
  /** Which connection it came on. */
  readonly connectionId: number
  readonly method: string
  /** The path with its query string. */
  readonly path: string
  /** `[name, value]` pairs as sent. */
  readonly headers: [string, string][]
  readonly bodyText: string
  /** The path without its query string. */
  readonly pathOnly: string
  /** The first value of a header (case-insensitive name), or undefined. */
  header(name: string): string | undefined
  /** The body parsed as JSON. */
  json(): unknown
  /** The form body's fields, in order. */
  form(): [string, string][]
  /** The query string's fields, in order. */
  query(): [string, string][]
}

/** An answer in the conformance corpus' shape. */
export interface ScriptedAnswer {
  status?: number
  headers?: Record<string, string> | [string, string][]
  body?: unknown
  body_text?: string
  body_file?: string
  content_type?: string
  fault?:
    | { kind: 'delay'; ms: number }
    /** `duplicate`: the answer, then 30 ms later a stale copy on the same keep-alive connection. */
    | { kind: 'stall' | 'reset' | 'truncate' | 'close' | 'duplicate' }
    | { kind: 'oversize'; bytes: number }
}

/**
 * A fault rule of the stateful sandbox. An `answer` with no status and no body stands for
 * the sandbox's real answer (with the fault acted out on it); `process: true` carries the
 * request out first (the state changes, then the answer is lost or spoiled).
 */
export interface FaultRule {
  /** The exact provider path, e.g. `/smartgift/redeem` or `/spaaza/auth/redeem-voucher`. */
  path: string
  answer: ScriptedAnswer
  /** How many requests it applies to; default until cleared. */
  times?: number
  process?: boolean
}

export interface SandboxStartOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** A data set (the sandbox's JSON data format) or its text; default the demo data. */
  data?: object | string
  /** The emulated time at start (default the real time). */
  startTime?: Date | number
  /** Where fault rules' `body_file`s are read from (default the current directory). */
  baseDir?: string
}

/** The stateful emulator of Smart Gift and Spaaza on 127.0.0.1. */
export declare class Sandbox {
  private constructor()
  static start(options?: SandboxStartOptions): Promise<Sandbox>
  readonly url: string
  readonly port: number
  /** A Smart Gift client's `baseUrl`. */
  readonly smartgiftUrl: string
  /** A Spaaza client's `baseUrl`. */
  readonly spaazaUrl: string
  /** The demo Smart Gift company's API key. */
  readonly smartgiftKey: string
  /** The demo Spaaza admin session. */
  readonly spaazaSessionUserId: number
  readonly spaazaSessionKey: string
  /** The data set it started with (snake_case keys, the data file format). */
  readonly data: SandboxData
  /** The live state, in the same format. */
  state(): SandboxData
  /** The emulated time. */
  now(): Date
  /** Moves the emulated clock forward: holds, locks and vouchers expire. */
  advanceClock(seconds: number): void
  /** Adds fault rules; returns how many. */
  injectFault(...rules: (FaultRule | FaultRule[])[]): number
  clearFaults(): void
  /** Every provider request received, in arrival order. */
  requests(): RecordedRequest[]
  /** Back to the initial data and clock, no fault rules, an empty log. */
  reset(): void
  stop(): Promise<void>
}

/** The sandbox's data set (see sandbox/DATA.md); the keys most tests read are typed. */
export interface SandboxData {
  smartgift: {
    companies: { id: number; name: string; api_keys: string[]; sites: string[] }[]
    vouchers: {
      id?: number
      voucher_no: string
      company_id: number
      type?: string
      name: string
      value?: string | null
      [key: string]: unknown
    }[]
    [key: string]: unknown
  }
  spaaza: {
    chains: { id: number; admins: { user_id: number; session_key: string }[]; [key: string]: unknown }[]
    vouchers: {
      voucher_id: number
      voucher_key: string
      chain_id: number
      status: string
      amount: string
      [key: string]: unknown
    }[]
    [key: string]: unknown
  }
}

/** Serves queued answers in order and records every request. */
export declare class ScriptedServer {
  private constructor()
  static start(options?: { baseDir?: string }): Promise<ScriptedServer>
  readonly url: string
  readonly port: number
  /** Queues answers; returns how many. */
  push(...answers: (ScriptedAnswer | ScriptedAnswer[])[]): number
  requests(): RecordedRequest[]
  /** Queued answers not served yet. */
  pending(): number
  /** Forgets the queued answers and the recorded requests. */
  reset(): void
  stop(): Promise<void>
}
