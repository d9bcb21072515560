"""The Python package against the core it wraps: every error kind and every transport
option the core has (as the native module reports them at run time) must be exposed here,
so one added in the core and forgotten in Python fails this file."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import voucherkit
from voucherkit import _native
from voucherkit.errors import _CLASSES

STUBS = Path(voucherkit.__file__).with_name("_native.pyi")
if not STUBS.exists():  # the installed wheel may leave the stubs beside the sources only
    STUBS = Path(__file__).resolve().parents[1] / "voucherkit" / "_native.pyi"


def stub_keywords(cls: str) -> list[str]:
    """The keyword-only parameters of ``cls.__new__`` in the .pyi."""
    tree = ast.parse(STUBS.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__new__":
                    return [a.arg for a in item.args.kwonlyargs]
    raise AssertionError(f"{cls}.__new__ not in {STUBS}")


def signature_keywords(cls: type) -> list[str]:
    sig = inspect.signature(cls)
    return [p.name for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY]


def test_the_core_reports_its_lists() -> None:
    kinds = _native._core_error_kinds()
    assert "outcome_unknown" in dict(kinds)
    assert len({k for k, _ in kinds}) == len(kinds)
    assert len({c for _, c in kinds}) == len(kinds)
    names = [name for name, _, _ in _native._core_options()]
    assert "timeout" in names and "app_info" in names
    assert len(set(names)) == len(names)


def test_every_core_error_kind_has_its_exception_class() -> None:
    core = {name for name, _ in _native._core_error_kinds()}
    missing = sorted(core - set(_CLASSES))
    assert missing == [], f"no exception class for the core's kinds {missing}"
    extra = sorted(set(_CLASSES) - core)
    assert extra == [], f"exception classes for kinds the core does not have: {extra}"
    for kind in core:
        cls = voucherkit.error_class(kind)
        assert cls.KIND == kind
        assert issubclass(cls, voucherkit.VoucherError)
        assert cls.__name__ in voucherkit.__all__, cls.__name__
        assert getattr(voucherkit, cls.__name__) is cls


@pytest.mark.parametrize("cls", [voucherkit.SmartGift, voucherkit.Spaaza], ids=lambda c: c.__name__)
def test_every_core_option_is_a_keyword_of_the_client(cls: type) -> None:
    core = [name for name, _, _ in _native._core_options()]
    for where, keywords in (
        ("the signature", signature_keywords(cls)),
        ("the .pyi", stub_keywords(cls.__name__)),
    ):
        missing = [name for name in core if name not in keywords]
        assert missing == [], f"{cls.__name__}: {where} lacks the core options {missing}"


def test_the_stub_and_the_signature_agree() -> None:
    for cls in (voucherkit.SmartGift, voucherkit.Spaaza):
        assert signature_keywords(cls) == stub_keywords(cls.__name__)


def test_nothing_test_only_is_published() -> None:
    """The bench helpers are only in the bench's own wheel (cargo feature ``bench``), and
    the sandbox and scripted server only reachable through ``voucherkit.testing``. (That
    the published build lacks ``_panic_for_tests`` too, which this test wheel has, is
    checked by make test-python's fresh-venv install.)"""
    assert not hasattr(_native, "_BenchResponder")
    assert not hasattr(_native, "_bench_core_redeem")
    for name in ("Sandbox", "ScriptedServer", "RecordedRequest"):
        assert not hasattr(voucherkit, name)
        assert name not in voucherkit.__all__
        assert name in voucherkit.testing.__all__
