"""Community Cloud readiness: the app starts from a clean checkout, offline, with no secrets.

What Streamlit Community Cloud does on deploy (STREAMLIT.md §6): install `requirements.txt` (the
first dependency file it finds), run `streamlit run app.py` from the repository root with the
secrets pasted in its settings, and serve the app from a fresh process on every wake.

- Every third-party import of the app's code is installed by `requirements.txt` (its pins and
  their dependencies), at the pinned versions, and no other dependency file would take its place.
- From a copy of the files git would commit (tracked and new, nothing ignored: no `.venv`, store,
  or `.streamlit/secrets.toml`), with an environment holding only PATH, LANG and an empty HOME (no
  secrets, no `LIQUIDITY_DATA_PACK`) and a fresh store, the server answers its health check and
  the Overview shows the empty-state guidance. Inside the server every connection to a
  non-loopback address is refused and recorded: there must be none.
- With a data pack deployed as the README says (a folder in the repository, named by the
  `LIQUIDITY_DATA_PACK` secret, which Streamlit copies into the environment), the Overview draws
  and the server's memory afterwards stays well under the platform's limit. STREAMLIT.md §6
  documents memory (690 MB on the smallest tier) and CPU (0.078–2 cores) but no start-up
  deadline. How long a wake takes depends on the machine, so it is printed here and measured in
  `benchmarks/` (load.py, browser timings), never asserted.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from components.page import EMPTY_HELP
from tests.appserver import (
    CHART,
    CHROMIUM,
    CHROMIUM_FLAGS,
    ERROR_ALERT,
    EXCEPTION,
    READY,
    RUNNING_ICON,
    VIEWPORT,
    Offline,
    app_env,
    process_tree,
    streamlit_server,
    usage,
)
from tests.conftest import REPO

APP_FOLDERS = ["pages", "components", "liquidity"]
LOCAL_PACKAGES = {"components", "liquidity"}
# Cloud uses the first of these it finds, before requirements.txt (STREAMLIT.md §6).
OTHER_DEPENDENCY_FILES = ["uv.lock", "Pipfile", "environment.yml", "pyproject.toml"]
SMALLEST_TIER_MB = 690.0

# Loaded by the server's interpreter at start-up (sitecustomize on PYTHONPATH): refuse and note
# every connection or name lookup that would leave the machine. Self-contained on purpose: the
# server must not import test-only packages (tests/conftest.py imports pytest).
NETWORK_GUARD = """
import ipaddress, os, socket

_LOG = os.environ["NETWORK_ATTEMPTS_LOG"]
with open(_LOG, "a") as log:
    log.write(f"guard active in process {os.getpid()}\\n")


def _loopback(host):
    if host in (None, "localhost") or isinstance(host, bytes):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(what):
    with open(_LOG, "a") as log:
        log.write(f"{what}\\n")
    raise ConnectionRefusedError(f"no network in this check: {what}")


def _guard(original):
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _refuse(f"connect {address!r}")
        return original(self, address)
    return connect


_getaddrinfo = socket.getaddrinfo


def _lookup(host, *args, **kwargs):
    if not _loopback(host if isinstance(host, str) else None):
        _refuse(f"resolve {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guard(socket.socket.connect)
socket.socket.connect_ex = _guard(socket.socket.connect_ex)
socket.getaddrinfo = _lookup
"""


# -- requirements --------------------------------------------------------------------------------


def requirements() -> list[Requirement]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return [Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip()]


def installed_by_requirements() -> set[str]:
    """Normalised names of the pinned distributions and everything they depend on."""
    seen: set[str] = set()
    todo = [(r.name, set(r.extras)) for r in requirements()]
    while todo:
        name, extras = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # not installed: its imports fail the check
            continue
        for text in requires:
            req = Requirement(text)
            wanted = not req.marker or any(
                req.marker.evaluate({"extra": extra}) for extra in extras | {""}
            )
            if wanted:
                todo.append((req.name, set(req.extras)))
    return seen


def third_party_imports() -> dict[str, list[str]]:
    """Top-level module -> files of the app's code that import it (stdlib and ours left out)."""
    found: dict[str, list[str]] = {}
    files = [REPO / "app.py", *(p for d in APP_FOLDERS for p in sorted((REPO / d).rglob("*.py")))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL_PACKAGES:
                    found.setdefault(top, []).append(str(path.relative_to(REPO)))
    return found


def test_every_import_of_the_app_is_installed_by_requirements_txt():
    provided = installed_by_requirements()
    owners = metadata.packages_distributions()
    imports = third_party_imports()
    assert {"streamlit", "pandas", "plotly"} <= set(imports)  # the scan sees the app's imports
    missing = {
        module: files
        for module, files in imports.items()
        if not any(d.lower().replace("_", "-") in provided for d in owners.get(module, []))
    }
    assert not missing, f"imported but not installed by requirements.txt: {missing}"


def test_requirements_are_exact_pins_installed_here_and_alone():
    for req in requirements():
        pins = [s for s in req.specifier if s.operator == "=="]
        assert len(pins) == 1, f"{req}: pin an exact version (Cloud may upgrade otherwise)"
        assert metadata.version(req.name) == pins[0].version, f"{req} is not what is installed"
    for name in OTHER_DEPENDENCY_FILES:
        assert not (REPO / name).exists(), f"{name} would replace requirements.txt on Cloud"


# -- a clean checkout, served -------------------------------------------------------------------


def clean_checkout(target: Path) -> Path:
    """The files git would commit now (tracked or new, not ignored), copied to `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not committed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def bare_env(workdir: Path, pack: Path | None) -> dict[str, str]:
    """What a fresh Cloud container gives the app: no secrets, an empty home, the network guard."""
    guard = workdir / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
    home = workdir / "user"
    home.mkdir()
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),  # no ~/.streamlit/secrets.toml or config.toml from this machine
        "PYTHONPATH": str(guard),
        "NETWORK_ATTEMPTS_LOG": str(workdir / "network.log"),
    }
    return app_env(pack, workdir / "store", base=base)


@pytest.fixture(scope="module")
def chromium(playwright_driver):
    """A headless Chromium of its own (a fresh browser, as a first visitor's)."""
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
    )
    try:
        yield browser
    finally:
        browser.close()


def open_finished(browser, url: str, *, chart: bool) -> tuple[object, float]:
    """A new tab on `url`, once the script finished (and a chart drew); when that was."""
    context = browser.new_context(viewport=VIEWPORT)
    context.route("**/*", Offline())
    tab = context.new_page()
    tab.goto(url, wait_until="domcontentloaded")
    tab.wait_for_selector(READY, timeout=60_000)
    tab.wait_for_selector(RUNNING_ICON, state="detached", timeout=60_000)
    if chart:
        tab.wait_for_selector(CHART, timeout=60_000)
    return tab, time.monotonic()


def assert_no_errors(tab) -> None:
    shown = tab.locator(EXCEPTION).all_inner_texts() + tab.locator(ERROR_ALERT).all_inner_texts()
    assert not shown, shown


def assert_no_network(workdir: Path) -> None:
    lines = (workdir / "network.log").read_text().splitlines()
    assert lines and lines[0].startswith("guard active"), "the network guard did not load"
    attempts = [line for line in lines if not line.startswith("guard active")]
    assert not attempts, f"the server tried to reach the network: {attempts[:5]}"


@pytest.mark.browser
def test_clean_checkout_starts_offline_and_explains_the_empty_state(chromium, tmp_path):
    checkout = clean_checkout(tmp_path / "checkout")
    assert (checkout / "app.py").is_file() and (checkout / "requirements.txt").is_file()
    assert not (checkout / ".streamlit" / "secrets.toml").exists()
    assert not (checkout / ".venv").exists() and not (checkout / ".liquidity").exists()
    env = bare_env(tmp_path, pack=None)
    assert not {"FRED_API_KEY", "SEC_USER_AGENT", "COINGLASS_API_KEY"} & set(env)

    with streamlit_server(None, tmp_path, cwd=checkout, env=env) as server:
        startup = server.healthy - server.started
        tab, _ = open_finished(chromium, f"{server.url}/", chart=False)
        main = tab.get_by_test_id("stMain").inner_text()
        assert_no_errors(tab)
    assert EMPTY_HELP.splitlines()[0] in main
    assert "python -m liquidity refresh" in main and "LIQUIDITY_DATA_PACK" in main
    assert_no_network(tmp_path)
    print(f"clean checkout: healthy {startup:.2f} s after start")


@pytest.mark.browser
def test_with_the_data_pack_the_first_view_draws_and_stays_small(chromium, real_pack, tmp_path):
    checkout = clean_checkout(tmp_path / "checkout")
    # As on Cloud: the pack is a folder of the repository, named in the secrets box.
    (checkout / "data-pack").symlink_to(real_pack, target_is_directory=True)
    (checkout / ".streamlit" / "secrets.toml").write_text('LIQUIDITY_DATA_PACK = "data-pack"\n')
    env = bare_env(tmp_path, pack=None)

    with streamlit_server(None, tmp_path, cwd=checkout, env=env) as server:
        asked = time.monotonic()
        tab, drawn = open_finished(chromium, f"{server.url}/", chart=True)
        assert_no_errors(tab)
        first_render = drawn - server.started
        rss_mb, _ = usage(process_tree(server.proc.pid))
        main = tab.get_by_test_id("stMain").inner_text()
    assert "Thesis scorecard" in main and "data pack" in main, main[:300]
    assert rss_mb < SMALLEST_TIER_MB / 2, f"server uses {rss_mb:.0f} MB after the first view"
    assert_no_network(tmp_path)
    print(
        f"with the pack: healthy {server.healthy - server.started:.2f} s, Overview drawn "
        f"{first_render:.2f} s after start ({drawn - asked:.2f} s after the browser asked), "
        f"server {rss_mb:.0f} MB"
    )
