"""Test helpers: a local HTTP stand-in for both providers, for your own till's tests.

``ScriptedServer`` serves the answers you queue and records what reached it::

    from voucherkit.testing import ScriptedServer

    with ScriptedServer() as server:
        server.push({"status": 422, "body": {"message": "The given data was invalid."}})
        sg = voucherkit.SmartGift(api_key="sk_test_x", base_url=server.url)
        ...
        assert server.requests()[0].json()["voucher_no"] == "1234567890"

Both run on their own Rust threads on 127.0.0.1, never on the calling thread, so a
blocking voucherkit call against them cannot deadlock.
"""

from voucherkit._native import RecordedRequest, Sandbox, ScriptedServer

__all__ = ["RecordedRequest", "Sandbox", "ScriptedServer"]
