"""asyncio clients: ``AsyncSmartGift`` and ``AsyncSpaaza``.

Every operation is a coroutine that runs the synchronous client's call on voucherkit's own
worker threads (never the event loop's default executor), where the Rust core waits for
the network with the GIL released: the loop keeps running meanwhile. Cancelling the task
that awaits a call does not cut the call short once it has started: a journaled redeem
still finishes and resolves its journal entry; a call still queued for a worker is
dropped before anything is sent.

The methods, their parameters and results are those of :class:`voucherkit.SmartGift` and
:class:`voucherkit.Spaaza`; ``workers`` (default 8) is how many calls of one client run
at once, the rest wait their turn.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from voucherkit import _native
from voucherkit._native import (
    Hold,
    Journal,
    JournalEntry,
    Redemption,
    Released,
    Reversed,
    SmartGiftVoucher,
    SpaazaVoucher,
    VoucherList,
)
from voucherkit.errors import InvalidRequestError

if TYPE_CHECKING:
    # Only for annotations: typing_extensions is no runtime dependency.
    from typing_extensions import Self

    from voucherkit._native import _AppInfo, _MetaCondition, _Money, _Path, _SiteId

__all__ = ["AsyncSmartGift", "AsyncSpaaza"]

# More threads add little for a till and make them fight the loop for the GIL.
DEFAULT_WORKERS = 8
T = TypeVar("T")
_END = object()


class _Workers:
    """voucherkit's own worker threads, started with the client so that a call from the
    loop only queues a job (starting a thread on the loop would stall it)."""

    def __init__(self, count: int) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._count = count
        for n in range(count):
            # Daemon threads: a till that never closes its client can still exit.
            threading.Thread(target=self._work, name=f"voucherkit-{n}", daemon=True).start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()

    def submit(self, call: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def job() -> None:
            # Dropped, nothing sent, when the awaiting task was cancelled before a worker
            # got to it; once started, the call runs to its end whatever happens to the
            # task (a journaled write resolves its entry).
            if future.cancelled():
                return
            try:
                result = call()
            except BaseException as e:  # handed to the awaiting task, like any result
                loop.call_soon_threadsafe(_fail, future, e)
            else:
                loop.call_soon_threadsafe(_succeed, future, result)

        self._jobs.put(job)
        return future

    def stop(self) -> None:
        """The threads end once the jobs queued before have run."""
        for _ in range(self._count):
            self._jobs.put(None)


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.cancelled():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.cancelled():
        future.set_exception(error)


class _AsyncClient:
    """The worker threads and the ``close``/``async with`` of both clients."""

    _client: _native.SmartGift | _native.Spaaza
    _workers: _Workers

    def _start(self, workers: int) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            self._client.close()
            provider = "smartgift" if isinstance(self._client, _native.SmartGift) else "spaaza"
            raise InvalidRequestError(
                f"workers must be a positive int, got {workers!r}",
                field="workers",
                provider=provider,
            )
        self._workers = _Workers(workers)

    async def _run(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        if self._client.closed:
            # The client's own refusal (invalid_request naming "client"), nothing queued.
            return call(*args, **kwargs)
        return await self._workers.submit(functools.partial(call, *args, **kwargs))

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._client.base_url

    @property
    def user_agent(self) -> str:
        """The User-Agent every request carries."""
        return self._client.user_agent

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._client.closed

    async def close(self) -> None:
        """Ends the client: every later call raises ``InvalidRequestError`` (field
        ``client``). Calls already running finish (a journaled write resolves its entry);
        the worker threads end after them."""
        self._client.close()
        self._workers.stop()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"Async{self._client!r}"


class AsyncSmartGift(_AsyncClient):
    """A Smart Gift client for asyncio. Share one per till process."""

    _client: _native.SmartGift

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        connect_timeout: float | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_idle_connections: int | None = None,
        max_idle_age: float | None = None,
        ca_bundle: _Path | None = None,
        proxy: str | None = None,
        allow_insecure_http: bool | None = None,
        app_info: _AppInfo | None = None,
        journal: Journal | None = None,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        # None is "not given" everywhere in the synchronous API: only what was given is
        # passed on, so every default stays the core's.
        args = dict(locals())
        given = {k: v for k, v in args.items() if k not in ("self", "workers") and v is not None}
        self._client = _native.SmartGift(**given)
        self._start(workers)

    async def check(
        self,
        *,
        voucher_no: str,
        site_id: _SiteId,
        classifications: Sequence[str] | None = None,
        meta_conditions: Sequence[_MetaCondition] | None = None,
    ) -> SmartGiftVoucher:
        return await self._run(
            self._client.check,
            voucher_no=voucher_no,
            site_id=site_id,
            classifications=classifications,
            meta_conditions=meta_conditions,
        )

    async def hold(
        self,
        *,
        voucher_no: str,
    ) -> Hold:
        return await self._run(self._client.hold, voucher_no=voucher_no)

    async def redeem(
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
        return await self._run(
            self._client.redeem,
            voucher_no=voucher_no,
            site_id=site_id,
            value=value,
            experiences=experiences,
            hold_token=hold_token,
            reference=reference,
        )

    async def release(
        self,
        *,
        voucher_no: str,
        hold_token: str,
    ) -> Released:
        return await self._run(self._client.release, voucher_no=voucher_no, hold_token=hold_token)

    async def reverse(
        self,
        *,
        voucher_no: str,
        site_id: _SiteId,
        redemptions: Sequence[int],
        reference: str | None = None,
    ) -> Reversed:
        return await self._run(
            self._client.reverse,
            voucher_no=voucher_no,
            site_id=site_id,
            redemptions=redemptions,
            reference=reference,
        )

    async def reconcile(
        self,
    ) -> list[JournalEntry]:
        """Settles the journal's open entries (``unknown``, and ``pending`` ones whose
        process died) by reading each voucher again; returns the entries examined, as they
        stand afterwards. Needs ``journal=``."""
        return await self._run(self._client.reconcile)


class AsyncSpaaza(_AsyncClient):
    """A Spaaza client for asyncio. Share one per till process."""

    _client: _native.Spaaza

    @property
    def auth(self) -> str:
        """``"admin"``, ``"user"`` or ``"privileged"``."""
        return self._client.auth

    def __init__(
        self,
        *,
        session_user_id: int | None = None,
        session_key: str | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        auth: Literal["admin", "user", "privileged"] | None = None,
        app_hostname: str | None = None,
        bearer_token: str | None = None,
        connect_timeout: float | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_idle_connections: int | None = None,
        max_idle_age: float | None = None,
        ca_bundle: _Path | None = None,
        proxy: str | None = None,
        allow_insecure_http: bool | None = None,
        app_info: _AppInfo | None = None,
        journal: Journal | None = None,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        # None is "not given" everywhere in the synchronous API: only what was given is
        # passed on, so every default stays the core's.
        args = dict(locals())
        given = {k: v for k, v in args.items() if k not in ("self", "workers") and v is not None}
        self._client = _native.Spaaza(**given)
        self._start(workers)

    async def redeem_voucher(
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
        return await self._run(
            self._client.redeem_voucher,
            chain_id=chain_id,
            voucher_key=voucher_key,
            voucher_id=voucher_id,
            user_id=user_id,
            amount=amount,
            reference=reference,
        )

    async def unlock_voucher(
        self,
        *,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
    ) -> SpaazaVoucher:
        return await self._run(
            self._client.unlock_voucher, voucher_key=voucher_key, voucher_id=voucher_id
        )

    async def unclaim_voucher(
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
    ) -> SpaazaVoucher:
        return await self._run(
            self._client.unclaim_voucher,
            chain_id=chain_id,
            voucher_key=voucher_key,
            voucher_id=voucher_id,
            third_party_id=third_party_id,
            user_id=user_id,
            member_number=member_number,
            username=username,
            authentication_point_identifier=authentication_point_identifier,
            auxiliary_identifier=auxiliary_identifier,
        )

    async def claim_voucher(
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
    ) -> SpaazaVoucher:
        return await self._run(
            self._client.claim_voucher,
            chain_id=chain_id,
            voucher_key=voucher_key,
            voucher_id=voucher_id,
            third_party_id=third_party_id,
            user_id=user_id,
            member_number=member_number,
            username=username,
            authentication_point_identifier=authentication_point_identifier,
            auxiliary_identifier=auxiliary_identifier,
        )

    async def lock_voucher(
        self,
        *,
        retailer_basket_code: str,
        voucher_key: str | None = None,
        voucher_id: int | None = None,
        voucher_lock_period: int = 300,
        voucher_locking_code: str | None = None,
    ) -> SpaazaVoucher:
        return await self._run(
            self._client.lock_voucher,
            retailer_basket_code=retailer_basket_code,
            voucher_key=voucher_key,
            voucher_id=voucher_id,
            voucher_lock_period=voucher_lock_period,
            voucher_locking_code=voucher_locking_code,
        )

    async def get_vouchers(
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
    ) -> VoucherList:
        return await self._run(
            self._client.get_vouchers,
            chain_id=chain_id,
            voucher_id=voucher_id,
            user_id=user_id,
            username=username,
            member_number=member_number,
            authentication_point_identifier=authentication_point_identifier,
            campaign_id=campaign_id,
            show_all_statuses=show_all_statuses,
            show_redeemed=show_redeemed,
            show_expired=show_expired,
            exclude_regenerated=exclude_regenerated,
            number_results=number_results,
            results_offset=results_offset,
            min_created_datetime=min_created_datetime,
            max_created_datetime=max_created_datetime,
            min_expiry_datetime=min_expiry_datetime,
            max_expiry_datetime=max_expiry_datetime,
            min_redeemed_datetime=min_redeemed_datetime,
            max_redeemed_datetime=max_redeemed_datetime,
        )

    async def reconcile(
        self,
    ) -> list[JournalEntry]:
        """Settles the journal's open entries (``unknown``, and ``pending`` ones whose
        process died) by reading each voucher again; returns the entries examined, as they
        stand afterwards. Needs ``journal=``."""
        return await self._run(self._client.reconcile)

    async def iter_vouchers(
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
    ) -> AsyncIterator[SpaazaVoucher]:
        """Every voucher the filters select, page after page, each page read on a worker
        thread when the loop reaches it (``async for v in sp.iter_vouchers(...)``)."""
        pages = await self._run(
            self._client.iter_vouchers,
            chain_id=chain_id,
            voucher_id=voucher_id,
            user_id=user_id,
            username=username,
            member_number=member_number,
            authentication_point_identifier=authentication_point_identifier,
            campaign_id=campaign_id,
            show_all_statuses=show_all_statuses,
            show_redeemed=show_redeemed,
            show_expired=show_expired,
            exclude_regenerated=exclude_regenerated,
            number_results=number_results,
            results_offset=results_offset,
            min_created_datetime=min_created_datetime,
            max_created_datetime=max_created_datetime,
            min_expiry_datetime=min_expiry_datetime,
            max_expiry_datetime=max_expiry_datetime,
            min_redeemed_datetime=min_redeemed_datetime,
            max_redeemed_datetime=max_redeemed_datetime,
            max=max,
        )
        while True:
            item = await self._run(next, pages, _END)
            if not isinstance(item, SpaazaVoucher):
                return
            yield item
