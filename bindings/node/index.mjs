// ESM entry point: the same classes as the CommonJS `index.js`.
import voucherkit from './index.js'

export const { SmartGift, Spaaza, Journal, VoucherError, ERROR_KINDS, coreVersion } = voucherkit
export default voucherkit
