"""Type stubs of the native module. Import from ``voucherkit`` (and ``voucherkit.testing``),
not from here."""

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, ClassVar, Literal, TypedDict, final

from typing_extensions import NotRequired, Self, TypeAlias

__all__ = [
    "Experience",
    "Hold",
    "Journal",
    "JournalEntry",
    "RecordedRequest",
    "Redemption",
    "Released",
    "Reversed",
    "Sandbox",
    "ScriptedServer",
    "SmartGift",
    "SmartGiftVoucher",
    "Spaaza",
    "SpaazaVoucher",
    "SpaazaWarning",
    "VoucherList",
    "VoucherPages",
    "__version__",
    "_core_error_kinds",
    "_core_options",
    "run_cli",
]

__version__: str

_Money: TypeAlias = Decimal | int | str
_SiteId: TypeAlias = int | str
_Json: TypeAlias = Any
_Path: TypeAlias = str | os.PathLike[str]
_EntryState: TypeAlias = Literal["pending", "applied", "not_applied", "unknown"]
_Provider: TypeAlias = Literal["smartgift", "spaaza"]

class _AppInfo(TypedDict):
    """The till software, appended to the User-Agent: ``name/version (url)``."""

    name: str
    version: NotRequired[str | None]
    url: NotRequired[str | None]

class _EntityCard(TypedDict):
    card_type: str | None
    code: str | None

class _MetaCondition(TypedDict):
    key: str
    operator: str
    value: list[str]

@final
class SmartGift:
    """A Smart Gift client. Thread-safe: share one per till process."""

    def __new__(
        cls,
        *,
        api_key: str,
        base_url: str | None = None,
        connect_timeout: float = 5.0,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_idle_connections: int = 32,
        max_idle_age: float = 30.0,
        ca_bundle: _Path | None = None,
        proxy: str | None = None,
        allow_insecure_http: bool = False,
        app_info: _AppInfo | None = None,
        journal: Journal | None = None,
    ) -> Self: ...
    @property
    def base_url(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    def close(self) -> None:
        """Ends the client: its idle connections close and every later call raises
        ``InvalidRequestError`` (field ``client``). Calls in flight finish first."""
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...
    def check(
        self,
        *,
        voucher_no: str,
        site_id: _SiteId,
        classifications: Sequence[str] | None = None,
        meta_conditions: Sequence[_MetaCondition] | None = None,
    ) -> SmartGiftVoucher: ...
    def hold(self, *, voucher_no: str) -> Hold: ...
    def redeem(
        self,
        *,
        voucher_no: str,
        site_id: _SiteId,
        value: _Money | None = None,
        experiences: Sequence[int] | None = None,
        hold_token: str | None = None,
        reference: str | None = None,
    ) -> Redemption:
        """Redeems money (``value``) or experiences. With a journal, ``reference`` (the
        sale's id) is stored on the entry, never sent."""
    def release(self, *, voucher_no: str, hold_token: str) -> Released: ...
    def reverse(
        self,
        *,
        voucher_no: str,
        site_id: _SiteId,
        redemptions: Sequence[int],
        reference: str | None = None,
    ) -> Reversed: ...
    def reconcile(self) -> list[JournalEntry]:
        """Settles the journal's open entries (``unknown``, and ``pending`` ones whose
        process died) by reading each voucher again; returns the entries examined, as they
        stand afterwards. Needs ``journal=``."""

@final
class SmartGiftVoucher:
    """The answer to ``SmartGift.check``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def voucher_no(self) -> str | None: ...
    @property
    def remaining_value(self) -> Decimal | None: ...
    @property
    def voucher_type(self) -> str | None: ...
    @property
    def sold_out(self) -> bool | None: ...
    @property
    def experiences(self) -> list[Experience]: ...
    @property
    def available_to_redeem(self) -> _Json | None: ...
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class Experience:
    """One experience of an experience voucher."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def bit_value(self) -> int | None: ...
    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def raw(self) -> _Json: ...

@final
class Hold:
    """The answer to ``SmartGift.hold``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def hold_token(self) -> str: ...
    @property
    def received_at(self) -> float: ...
    @property
    def expires_at(self) -> datetime:
        """When the hold lapses (about five minutes after ``received_at``), in UTC."""
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class Redemption:
    """The answer to ``SmartGift.redeem``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def redemptions(self) -> list[int]: ...
    @property
    def journal_id(self) -> str | None: ...
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class Released:
    """The answer to ``SmartGift.release``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class Reversed:
    """The answer to ``SmartGift.reverse``."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def message(self) -> str: ...
    @property
    def journal_id(self) -> str | None: ...
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class Spaaza:
    """A Spaaza client. Thread-safe: share one per till process."""

    def __new__(
        cls,
        *,
        session_user_id: int | None = None,
        session_key: str | None = None,
        base_url: str | None = None,
        api_version: str = ...,
        auth: Literal["admin", "user", "privileged"] = ...,
        app_hostname: str | None = None,
        bearer_token: str | None = None,
        connect_timeout: float = 5.0,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_idle_connections: int = 32,
        max_idle_age: float = 30.0,
        ca_bundle: _Path | None = None,
        proxy: str | None = None,
        allow_insecure_http: bool = False,
        app_info: _AppInfo | None = None,
        journal: Journal | None = None,
    ) -> Self: ...
    @property
    def base_url(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    def close(self) -> None:
        """Ends the client: its idle connections close and every later call raises
        ``InvalidRequestError`` (field ``client``). Calls in flight finish first."""
    @property
    def closed(self) -> bool: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...
    @property
    def auth(self) -> str: ...
    def redeem_voucher(
        self,
        *,
        chain_id: int,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
        user_id: int | None = None,
        amount: _Money | None = None,
        reference: str | None = None,
    ) -> SpaazaVoucher:
        """Redeems a voucher: all of it, or ``amount``. With a journal it needs
        ``voucher_id``, and ``reference`` (the basket's id) is stored on the entry."""
    def unlock_voucher(
        self, *, voucher_key: str | None = None, voucher_id: int | None = None
    ) -> SpaazaVoucher: ...
    def unclaim_voucher(
        self,
        *,
        chain_id: int | None = None,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
        third_party_id: int | None = None,
        user_id: int | None = None,
        member_number: str | None = None,
        username: str | None = None,
        authentication_point_identifier: str | None = None,
        auxiliary_identifier: str | None = None,
    ) -> SpaazaVoucher: ...
    def claim_voucher(
        self,
        *,
        chain_id: int | None = None,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
        third_party_id: int | None = None,
        user_id: int | None = None,
        member_number: str | None = None,
        username: str | None = None,
        authentication_point_identifier: str | None = None,
        auxiliary_identifier: str | None = None,
    ) -> SpaazaVoucher: ...
    def lock_voucher(
        self,
        *,
        retailer_basket_code: str,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
        voucher_lock_period: int = 300,
        voucher_locking_code: str | None = None,
    ) -> SpaazaVoucher: ...
    def get_vouchers(
        self,
        *,
        chain_id: int,
        voucher_id: int | None = None,
        user_id: int | None = None,
        username: str | None = None,
        member_number: str | None = None,
        authentication_point_identifier: str | None = None,
        campaign_id: int | None = None,
        show_all_statuses: bool = False,
        show_redeemed: bool = False,
        show_expired: bool = False,
        exclude_regenerated: bool = False,
        number_results: int | None = None,
        results_offset: int | None = None,
        min_created_datetime: str | None = None,
        max_created_datetime: str | None = None,
        min_expiry_datetime: str | None = None,
        max_expiry_datetime: str | None = None,
        min_redeemed_datetime: str | None = None,
        max_redeemed_datetime: str | None = None,
    ) -> VoucherList: ...
    def iter_vouchers(
        self,
        *,
        chain_id: int,
        voucher_id: int | None = None,
        user_id: int | None = None,
        username: str | None = None,
        member_number: str | None = None,
        authentication_point_identifier: str | None = None,
        campaign_id: int | None = None,
        show_all_statuses: bool = False,
        show_redeemed: bool = False,
        show_expired: bool = False,
        exclude_regenerated: bool = False,
        number_results: int | None = None,
        results_offset: int | None = None,
        min_created_datetime: str | None = None,
        max_created_datetime: str | None = None,
        min_expiry_datetime: str | None = None,
        max_expiry_datetime: str | None = None,
        min_redeemed_datetime: str | None = None,
        max_redeemed_datetime: str | None = None,
        max: int | None = None,
    ) -> VoucherPages:
        """Every voucher the filters select, page after page (``number_results`` a page,
        50 when not given), each page fetched when the loop reaches it, until the last
        page or ``max`` vouchers. A failed page raises where the loop reached it."""
    def reconcile(self) -> list[JournalEntry]:
        """Settles the journal's open entries (``unknown``, and ``pending`` ones whose
        process died) by reading each voucher again; returns the entries examined, as they
        stand afterwards. Needs ``journal=``."""

@final
class SpaazaVoucher:
    """A Spaaza voucher, as every voucher operation returns it."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def voucher_key(self) -> str | None: ...
    @property
    def voucher_id(self) -> int | None: ...
    @property
    def voucher_status(self) -> str | None: ...
    @property
    def voucher_type(self) -> str | None: ...
    @property
    def voucher_locked(self) -> bool | None: ...
    @property
    def voucher_locked_until(self) -> str | None: ...
    @property
    def voucher_locking_code(self) -> str | None: ...
    @property
    def voucher_retailer_basket_code_exclusive(self) -> str | None: ...
    @property
    def voucher_amount_original(self) -> Decimal | None: ...
    @property
    def voucher_amount_redeemed(self) -> Decimal | None: ...
    @property
    def voucher_amount(self) -> Decimal | None: ...
    @property
    def voucher_currency_id(self) -> int | None: ...
    @property
    def voucher_currency_symbol(self) -> str | None: ...
    @property
    def voucher_expiry_datetime_utc(self) -> str | None: ...
    @property
    def voucher_redeemed_datetime(self) -> str | None: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def voucher_third_party_id(self) -> int | None: ...
    @property
    def campaign_id(self) -> int | None: ...
    @property
    def journal_id(self) -> str | None: ...
    @property
    def campaign_title(self) -> str | None: ...
    @property
    def campaign_type(self) -> str | None: ...
    @property
    def voucher_expiry_seconds_remaining(self) -> int | None: ...
    @property
    def user_entity_card(self) -> _EntityCard | None: ...
    @property
    def parent_voucher(self) -> SpaazaVoucher | None: ...
    @property
    def regenerated_voucher(self) -> SpaazaVoucher | None: ...
    @property
    def warnings(self) -> list[SpaazaWarning]: ...
    @property
    def raw(self) -> dict[str, _Json]: ...

@final
class SpaazaWarning:
    """A warning riding on an ok Spaaza answer."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def code(self) -> int | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...

@final
class VoucherList:
    """The answer to ``Spaaza.get_vouchers``; iterable over its vouchers."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def results_count_total(self) -> int | None: ...
    @property
    def vouchers(self) -> list[SpaazaVoucher]: ...
    @property
    def warnings(self) -> list[SpaazaWarning]: ...
    @property
    def raw(self) -> dict[str, _Json]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[SpaazaVoucher]: ...
    def __getitem__(self, index: int, /) -> SpaazaVoucher: ...

@final
class VoucherPages:
    """The iterator ``Spaaza.iter_vouchers`` returns."""

    def __iter__(self) -> Self: ...
    def __next__(self) -> SpaazaVoucher: ...

@final
class Journal:
    """A journal file on the till (SQLite) recording every redeem and reverse made through
    a client built with ``journal=``, so a lost answer can be settled by ``reconcile()``."""

    def __new__(cls, path: _Path) -> Self: ...
    @property
    def path(self) -> str: ...
    def entries(
        self,
        *,
        state: _EntryState | None = None,
        reference: str | None = None,
        provider: _Provider | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """The entries matching every filter given, newest first (``since``: an aware
        datetime)."""
    def entry(self, id: str) -> JournalEntry | None: ...

@final
class JournalEntry:
    """One journaled call and where it stands. Immutable and hashable."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    @property
    def id(self) -> str: ...
    @property
    def reference(self) -> str | None: ...
    @property
    def provider(self) -> _Provider: ...
    @property
    def operation(self) -> Literal["redeem", "reverse", "redeem_voucher"]: ...
    @property
    def request(self) -> dict[str, _Json]: ...
    @property
    def before(self) -> dict[str, _Json] | None: ...
    @property
    def state(self) -> _EntryState: ...
    @property
    def result(self) -> dict[str, _Json] | None: ...
    @property
    def error(self) -> dict[str, _Json] | None: ...
    @property
    def certain(self) -> bool: ...
    @property
    def note(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...
    @property
    def reconcile_attempts(self) -> int: ...

@final
class RecordedRequest:
    """One request as it reached the sandbox."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __eq__(self, other: object, /) -> bool: ...
    @property
    def connection_id(self) -> int: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def path_only(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def body_text(self) -> str: ...
    def header(self, name: str) -> str | None: ...
    def json(self) -> _Json | None: ...
    def form(self) -> list[tuple[str, str]]: ...
    def query(self) -> list[tuple[str, str]]: ...

@final
class ScriptedServer:
    """Serves the answers you queue, in order, and records every request."""

    def __new__(cls, *, base_dir: _Path | None = None) -> Self: ...
    @classmethod
    def start(cls, *, base_dir: _Path | None = None) -> ScriptedServer: ...
    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def pending(self) -> int: ...
    def push(self, answer: Mapping[str, _Json]) -> None: ...
    def push_all(self, answers: Sequence[Mapping[str, _Json]]) -> None: ...
    def requests(self) -> list[RecordedRequest]: ...
    def reset(self) -> None: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> bool: ...

@final
class Sandbox:
    """The stateful emulator of both providers on 127.0.0.1."""

    def __new__(
        cls,
        *,
        port: int = 0,
        data: Mapping[str, _Json] | _Path | None = None,
        start_time: datetime | float | None = None,
    ) -> Self: ...
    @classmethod
    def start(
        cls,
        *,
        port: int = 0,
        data: Mapping[str, _Json] | _Path | None = None,
        start_time: datetime | float | None = None,
    ) -> Sandbox: ...
    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def smartgift_url(self) -> str: ...
    @property
    def spaaza_url(self) -> str: ...
    @property
    def smartgift_key(self) -> str: ...
    @property
    def spaaza_session_user_id(self) -> int: ...
    @property
    def spaaza_session_key(self) -> str: ...
    @property
    def data(self) -> dict[str, _Json]: ...
    @property
    def now(self) -> float: ...
    def state(self) -> dict[str, _Json]: ...
    def advance_clock(self, seconds: float) -> None: ...
    def inject_fault(
        self,
        path: str,
        answer: Mapping[str, _Json] | None = None,
        *,
        fault: str | Mapping[str, _Json] | None = None,
        times: int | None = None,
        process: bool = False,
    ) -> None: ...
    def clear_faults(self) -> None: ...
    def requests(self) -> list[RecordedRequest]: ...
    def reset(self) -> None: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *_exc: object) -> bool: ...

def _core_error_kinds() -> list[tuple[str, int]]:
    """The core's error kinds as ``(name, code)``."""

def _core_options() -> list[tuple[str, str, str]]:
    """The core's transport options as ``(name, kind, default)``."""

def run_cli(args: Sequence[str]) -> int:
    """Runs the ``voucherkit`` command line (``["demo"]``, ``["sandbox"]``, ...) and
    returns its exit code."""
