package voucherkit

/**
 * An API key, session key or bearer token (`SmartGiftConfig.apiKey`, `SpaazaConfig.sessionKey`,
 * `SpaazaConfig.bearerToken`). Printing it, or a config holding it, shows only its redacted
 * form (`…abcd`, as the core prints secrets), so a logged config never gives a key away.
 */
class Secret(private val value: String) {
    /** The secret itself, for the one place that must send it. */
    fun reveal(): String = value

    override fun toString(): String = "Secret(${redactedSecret(value)})"

    override fun equals(other: Any?): Boolean = other is Secret && other.value == value

    override fun hashCode(): Int = value.hashCode()
}
