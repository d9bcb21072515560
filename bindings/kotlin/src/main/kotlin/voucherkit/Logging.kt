// Lambdas as loggers. uniffi writes RequestLogger and WarningLogger as plain interfaces
// (no SAM conversion), so these build one from a function:
//
//   SmartGiftConfig(apiKey = key, logger = RequestLogger { println("${it.method} ${it.path} ${it.status}") })
@file:JvmName("Logging")

package voucherkit

/** A [RequestLogger] calling [block] with every HTTP attempt. */
fun RequestLogger(block: (RequestLog) -> Unit): RequestLogger =
    object : RequestLogger {
        override fun log(entry: RequestLog) = block(entry)
    }

/** A [WarningLogger] calling [block] with every warning. */
fun WarningLogger(block: (Warning) -> Unit): WarningLogger =
    object : WarningLogger {
        override fun warn(warning: Warning) = block(warning)
    }
