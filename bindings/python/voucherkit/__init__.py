"""voucherkit: redeem gift vouchers with Smart Gift and Spaaza from a Python till.

Money is ``decimal.Decimal`` (``int`` and ``str`` are accepted; ``float`` is refused,
since 0.1 is not 0.1). Every failure raises a :class:`VoucherError` subclass named after
its kind. Every call blocks with the GIL released, and a client may be shared by threads.
:class:`AsyncSmartGift` and :class:`AsyncSpaaza` are the same clients for asyncio: every
operation a coroutine run on voucherkit's own worker threads.

    >>> import voucherkit
    >>> with voucherkit.testing.Sandbox() as sb:                     # doctest: +SKIP
    ...     sg = voucherkit.SmartGift(api_key=sb.smartgift_key, base_url=sb.smartgift_url)

Requests are logged to the ``logging`` logger ``"voucherkit"`` (method, path, status,
duration; never a body or a secret) at DEBUG, and attempts that got no answer at WARNING.
Each record also carries ``voucherkit_rate_limit_remaining`` / ``voucherkit_rate_limit_limit``
(the provider's X-RateLimit headers, ``None`` when absent).
Calls that succeed with a caveat (Spaaza answered a redeem "ok" but the voucher is not
``redeemed``) log it to the same logger at WARNING.

Neither provider can say whether a redeem whose answer was lost happened. Give the client
a :class:`Journal` (``SmartGift(..., journal=voucherkit.Journal(path))``): it reads the
voucher, records each redeem and reverse on disk before sending it, and ``reconcile()``
later settles every call that ended in :class:`OutcomeUnknownError`.
"""

from voucherkit import testing
from voucherkit._aio import AsyncSmartGift, AsyncSpaaza
from voucherkit._native import (
    Experience,
    Hold,
    Journal,
    JournalEntry,
    Redemption,
    Released,
    Reversed,
    SmartGift,
    SmartGiftVoucher,
    Spaaza,
    SpaazaVoucher,
    SpaazaWarning,
    VoucherList,
    VoucherPages,
    __version__,
)
from voucherkit.errors import (
    AuthenticationError,
    InternalError,
    InvalidAmountError,
    InvalidRequestError,
    InvalidResponseError,
    InvalidSiteError,
    JournalError,
    NetworkError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
    VoucherAlreadyRedeemedError,
    VoucherError,
    VoucherExpiredError,
    VoucherLockedError,
    VoucherNotFoundError,
    VoucherNotHeldError,
    VoucherNotOwnedError,
    error_class,
)

__all__ = [
    "AsyncSmartGift",
    "AsyncSpaaza",
    "AuthenticationError",
    "Experience",
    "Hold",
    "InternalError",
    "InvalidAmountError",
    "InvalidRequestError",
    "InvalidResponseError",
    "InvalidSiteError",
    "Journal",
    "JournalEntry",
    "JournalError",
    "NetworkError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitedError",
    "Redemption",
    "Released",
    "Reversed",
    "SmartGift",
    "SmartGiftVoucher",
    "Spaaza",
    "SpaazaVoucher",
    "SpaazaWarning",
    "VoucherAlreadyRedeemedError",
    "VoucherError",
    "VoucherExpiredError",
    "VoucherList",
    "VoucherLockedError",
    "VoucherNotFoundError",
    "VoucherNotHeldError",
    "VoucherNotOwnedError",
    "VoucherPages",
    "__version__",
    "error_class",
    "testing",
]
