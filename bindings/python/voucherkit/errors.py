"""The one error model of voucherkit (docs/errors.md), as Python exceptions.

Every failure is a :class:`VoucherError` with the same attributes in every voucherkit
language, and an instance of one subclass per ``kind``, so ``except`` can pick::

    try:
        sg.redeem(voucher_no=no, site_id=12, value=Decimal("10.00"))
    except voucherkit.VoucherExpiredError as e:
        tell_customer(e.message)
    except voucherkit.OutcomeUnknownError:
        sg.reconcile()     # it may have happened: settle it (needs journal=) first

The classes live here, in Python, so that they pickle and subclass normally; the native
module raises them.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AuthenticationError",
    "InternalError",
    "InvalidAmountError",
    "InvalidRequestError",
    "InvalidResponseError",
    "InvalidSiteError",
    "JournalError",
    "NetworkError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitedError",
    "VoucherAlreadyRedeemedError",
    "VoucherError",
    "VoucherExpiredError",
    "VoucherLockedError",
    "VoucherNotFoundError",
    "VoucherNotHeldError",
    "VoucherNotOwnedError",
    "error_class",
]


def _rebuild(cls: type[VoucherError], message: str, state: dict[str, Any]) -> VoucherError:
    return cls(message, **state)


class VoucherError(Exception):
    """A voucherkit failure, with everything a till needs to decide what to do next.

    Attributes:
        kind: one of the kind strings (``"voucher_not_found"``, ``"outcome_unknown"``, ...).
        message: the provider's first message, or voucherkit's own.
        field: the first offending field by its wire name (``"voucher_no"``), if any.
        field_errors: field -> messages, as the provider sent them.
        http_status: the HTTP status, if an answer came.
        provider: ``"smartgift"`` or ``"spaaza"``.
        provider_code: Spaaza's error name (or numeric code as a string).
        retryable: True only where trying the same call again is safe.
        retry_after: seconds the provider asked to wait (rate limits).
        journal_id: the journal entry of a journaled call that failed after its entry was
            written (above all ``outcome_unknown``: ``reconcile()`` settles it), else None.

    ``str(e)`` is the message; secrets never appear in any attribute.
    """

    KIND: ClassVar[str] = ""

    kind: str
    message: str
    field: str | None
    field_errors: dict[str, list[str]]
    http_status: int | None
    provider: str | None
    provider_code: str | None
    retryable: bool
    retry_after: int | None
    journal_id: str | None

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        field: str | None = None,
        field_errors: dict[str, list[str]] | None = None,
        http_status: int | None = None,
        provider: str | None = None,
        provider_code: str | None = None,
        retryable: bool = False,
        retry_after: int | None = None,
        journal_id: str | None = None,
    ) -> None:
        super().__init__(message)
        resolved = kind if kind is not None else type(self).KIND
        if not resolved:
            raise TypeError("VoucherError needs a kind (or use one of its subclasses)")
        if type(self).KIND and resolved != type(self).KIND:
            raise ValueError(f"{type(self).__name__} has kind {type(self).KIND!r}, not {kind!r}")
        self.kind = resolved
        self.message = message
        self.field = field
        self.field_errors = dict(field_errors or {})
        self.http_status = http_status
        self.provider = provider
        self.provider_code = provider_code
        self.retryable = retryable
        self.retry_after = retry_after
        self.journal_id = journal_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        shown = [f"kind={self.kind!r}", f"message={self.message!r}"]
        for name in (
            "field",
            "http_status",
            "provider",
            "provider_code",
            "retry_after",
            "journal_id",
        ):
            value = getattr(self, name)
            if value is not None:
                shown.append(f"{name}={value!r}")
        if self.retryable:
            shown.append("retryable=True")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __reduce__(self) -> tuple[Any, ...]:
        state = self.to_dict()
        message = state.pop("message")
        return (_rebuild, (type(self), message, state))

    def to_dict(self) -> dict[str, Any]:
        """The error as the JSON object every voucherkit language prints: ``kind``,
        ``message``, ``field``, ``field_errors``, ``http_status``, ``provider``,
        ``provider_code``, ``retryable``, ``retry_after``, ``journal_id``."""
        return {
            "kind": self.kind,
            "message": self.message,
            "field": self.field,
            "field_errors": {k: list(v) for k, v in self.field_errors.items()},
            "http_status": self.http_status,
            "provider": self.provider,
            "provider_code": self.provider_code,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "journal_id": self.journal_id,
        }


class InvalidRequestError(VoucherError):
    """Refused before sending: a parameter is missing or malformed (see ``field``)."""

    KIND = "invalid_request"


class AuthenticationError(VoucherError):
    """The key or session is missing, wrong or expired."""

    KIND = "authentication"


class PermissionDeniedError(VoucherError):
    """Authenticated, but not allowed to do this."""

    KIND = "permission_denied"


class VoucherNotFoundError(VoucherError):
    """The voucher does not exist."""

    KIND = "voucher_not_found"


class VoucherNotOwnedError(VoucherError):
    """The voucher belongs to another company or chain."""

    KIND = "voucher_not_owned"


class VoucherExpiredError(VoucherError):
    """The voucher is outside its validity window."""

    KIND = "voucher_expired"


class VoucherAlreadyRedeemedError(VoucherError):
    """The voucher has nothing left to redeem."""

    KIND = "voucher_already_redeemed"


class VoucherNotHeldError(VoucherError):
    """A release was asked for a voucher without a live hold."""

    KIND = "voucher_not_held"


class VoucherLockedError(VoucherError):
    """Another till or basket holds or locks the voucher."""

    KIND = "voucher_locked"


class InvalidSiteError(VoucherError):
    """The site number is not one of the company's."""

    KIND = "invalid_site"


class InvalidAmountError(VoucherError):
    """The provider refused the amount (exceeds the balance, etc.)."""

    KIND = "invalid_amount"


class RateLimitedError(VoucherError):
    """Too many requests; wait ``retry_after`` seconds when given."""

    KIND = "rate_limited"


class ProviderError(VoucherError):
    """Any other answer the provider gave as an error; its message is kept."""

    KIND = "provider_error"


class NetworkError(VoucherError):
    """No connection could be made (or a read failed): nothing changed, retrying is safe."""

    KIND = "network"


class OutcomeUnknownError(VoucherError):
    """A write was sent but no readable answer came: it may have happened. Check the
    voucher (``check`` / ``get_vouchers``) before trying again; with a journal,
    ``reconcile()`` does that and settles the entry ``journal_id``."""

    KIND = "outcome_unknown"


class InvalidResponseError(VoucherError):
    """An answer in no documented shape, where that proves nothing happened."""

    KIND = "invalid_response"


class InternalError(VoucherError):
    """A bug in voucherkit (a caught Rust panic). Never expected: please report it."""

    KIND = "internal"


class JournalError(VoucherError):
    """The journal could not record a journaled call (disk full, file gone read-only,
    locked too long), so nothing was sent; or ``reconcile()`` could not read or update
    it. Fix the journal before redeeming again."""

    KIND = "journal"


_CLASSES: dict[str, type[VoucherError]] = {
    cls.KIND: cls
    for cls in (
        InvalidRequestError,
        AuthenticationError,
        PermissionDeniedError,
        VoucherNotFoundError,
        VoucherNotOwnedError,
        VoucherExpiredError,
        VoucherAlreadyRedeemedError,
        VoucherNotHeldError,
        VoucherLockedError,
        InvalidSiteError,
        InvalidAmountError,
        RateLimitedError,
        ProviderError,
        NetworkError,
        OutcomeUnknownError,
        InvalidResponseError,
        InternalError,
        JournalError,
    )
}


def error_class(kind: str) -> type[VoucherError]:
    """The exception class for a kind string (``"voucher_expired"`` ->
    :class:`VoucherExpiredError`); ``KeyError`` for an unknown kind."""
    return _CLASSES[kind]
