// ESM entry point of voucherkit/testing.
import testing from './testing.js'

export const { Sandbox, ScriptedServer, RecordedRequest } = testing
export default testing
