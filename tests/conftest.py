"""Test-wide guards and fixtures.

No test may reach the network: every socket connection to a non-loopback address fails at once
with NetworkBlocked (an OSError, so clients report it as "could not reach ..."). Subprocesses the
tests start (the Streamlit server, Chromium) are local and get their own offline settings.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE_PACK = REPO / "tests" / "fixtures" / "pack"
IN_CI = os.environ.get("CI", "").lower() == "true"


class NetworkBlocked(ConnectionRefusedError):
    """Raised instead of opening a connection that would leave this machine."""


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: resolving it would already be network traffic
        return False


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if not _is_loopback(address):
        raise NetworkBlocked(f"tests may not open network connections (to {address!r})")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_loopback(address):
        raise NetworkBlocked(f"tests may not open network connections (to {address!r})")
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _is_loopback((host,)):
        raise NetworkBlocked(f"tests may not resolve host names ({host!r})")
    return _getaddrinfo(host, *args, **kwargs)


_getaddrinfo = socket.getaddrinfo


@pytest.fixture(autouse=True, scope="session")
def block_network():
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo
    yield
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.getaddrinfo = _getaddrinfo


@pytest.fixture
def fixture_pack() -> Path:
    """The hand-written data pack in tests/fixtures/pack (values checkable on paper)."""
    return FIXTURE_PACK


def real_pack_path() -> Path | None:
    value = os.environ.get("LIQUIDITY_DATA_PACK", "").strip()
    path = Path(value) if value else REPO.parent / "shared" / "data"
    return path if path.is_dir() else None


@pytest.fixture(scope="session", autouse=True)
def scan_components_once():
    """Every AppTest scans all installed packages for Streamlit components, over half of a
    warm run's time; the installed packages do not change while the tests run."""
    from streamlit.components.v2 import manifest_scanner

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            manifest_scanner,
            "scan_component_manifests",
            functools.cache(manifest_scanner.scan_component_manifests),
        )
        yield


def skip_or_fail(reason: str) -> None:
    """Skip a test whose prerequisite is missing; with CI=true that is a failure instead."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_driver():
    """The session's one Playwright driver (its sync API allows one at a time in a process).

    Skips without the playwright module or Chromium (fails instead when CI=true).
    """
    from tests.appserver import CHROMIUM

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright module is missing: pip install -r requirements-dev.txt")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        skip_or_fail(
            f"no Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver, "
            "or set CHROMIUM"
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def real_pack() -> Path:
    """The real data pack (LIQUIDITY_DATA_PACK, else ../shared/data); required when CI=true."""
    path = real_pack_path()
    if path is None:
        if IN_CI:
            pytest.fail(
                "CI=true but no data pack: set LIQUIDITY_DATA_PACK or put shared/ beside "
                "the checkout"
            )
        pytest.skip("no data pack: set LIQUIDITY_DATA_PACK or put ../shared/data beside the repo")
    return path


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Point the app at a fresh store (and optionally a pack) for one test.

    Returns a function: app_env(pack_path_or_None) -> store home.
    """
    from liquidity import api

    def configure(pack: Path | None) -> Path:
        home = tmp_path / "home"
        monkeypatch.setenv("LIQUIDITY_HOME", str(home))
        if pack is None:
            monkeypatch.delenv("LIQUIDITY_DATA_PACK", raising=False)
        else:
            monkeypatch.setenv("LIQUIDITY_DATA_PACK", str(pack))
        for name in ("FRED_API_KEY", "SEC_USER_AGENT", "COINGLASS_API_KEY"):
            monkeypatch.delenv(name, raising=False)
        return home

    yield configure
    api._library_for.cache_clear()
