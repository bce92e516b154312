"""Real-browser tests: the app served by `streamlit run`, driven by Debian Chromium via Playwright.

What only a browser can check: rendered charts, deep links restoring bound widgets on a fresh
server, the share box matching the address bar, and page switches through the sidebar menu
(STREAMLIT.md §4). Playwright drives the system Chromium (`$CHROMIUM`, else /usr/bin/chromium);
`playwright install` is never needed. The tests skip without Chromium or the playwright module,
except with CI=true, where that is a failure.

Offline: the server reads the real data pack, and every browser request that is not to the
loopback server is aborted (Streamlit's frontend would otherwise fetch the material-icon favicon
from fonts.gstatic.com). Full-page screenshots land in screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from components.page import PAGES
from liquidity.analytics.scorecard import CLAIMS
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.store import Store
from tests import appserver
from tests.appserver import (
    CHART,
    CHROMIUM,
    CHROMIUM_FLAGS,
    ERROR_ALERT,
    EXCEPTION,
    READY,
    RUNNING_ICON,
    VIEWPORT,
)
from tests.conftest import REPO, real_pack_path, skip_or_fail

pytestmark = pytest.mark.browser

SHOTS = REPO / "screenshots"

# The Data page's default: every kind.
KINDS = [
    "fred",
    "fred_vintages",
    "prices",
    "capex",
    "sec",
    "filings",
    "treasury",
    "nyfed",
    "coinglass",
]

# -- prerequisites -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pack_dir() -> Path:
    """The real data pack, for the session-scoped server (same rule as conftest's real_pack)."""
    path = real_pack_path()
    if path is None:
        skip_or_fail("no data pack: set LIQUIDITY_DATA_PACK or put ../shared/data beside the repo")
    return path


# -- Streamlit server --------------------------------------------------------------------------


@contextlib.contextmanager
def streamlit_server(pack: Path, workdir: Path) -> Iterator[str]:
    """The app on a free loopback port for the duration of the block; yields its base URL."""
    try:
        with appserver.streamlit_server(pack, workdir) as server:
            yield server.url
    except appserver.ServerFailed as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def app_url(pack_dir, playwright_driver, tmp_path_factory) -> Iterator[str]:
    """One server shared by every test that does not need a fresh one."""
    with streamlit_server(pack_dir, tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture
def fresh_app_url(real_pack, playwright_driver, tmp_path) -> Iterator[str]:
    """A server started for one test: its first page request is the test's own."""
    with streamlit_server(real_pack, tmp_path) as url:
        yield url


# -- browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_context(playwright_driver, tmp_path_factory):
    """One headless Chromium (persistent context with a temporary profile) for the session."""
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport=VIEWPORT,
    )
    context.set_default_timeout(30_000)
    context.route("**/*", appserver.Offline())
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def tab(chromium_context):
    """A new page (tab); uncaught JavaScript errors fail the test."""
    page = chromium_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


# -- helpers -----------------------------------------------------------------------------------


def open_view(page, url: str, *, chart: bool = True) -> None:
    """Load `url` and wait until the script finished running (and a chart drew, if expected)."""
    page.goto(url, wait_until="domcontentloaded")
    wait_finished(page, chart=chart)


def wait_finished(page, *, chart: bool = True) -> None:
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_selector(RUNNING_ICON, state="detached", timeout=60_000)
    if chart:
        page.wait_for_selector(CHART, timeout=30_000)


def chart_count(page, expected: int) -> int:
    """How many Plotly charts drew, once `expected` of them have (each has several SVGs)."""
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length > 0 && "
        f"document.querySelectorAll('.js-plotly-plot').length >= {expected}"
    )
    return page.locator(".js-plotly-plot").count()


def assert_no_errors(page) -> None:
    exceptions = page.locator(EXCEPTION).all_inner_texts()
    assert not exceptions, f"exception shown on {page.url}: {exceptions}"
    alerts = page.locator(ERROR_ALERT).all_inner_texts()
    assert not alerts, f"error message shown on {page.url}: {alerts}"


def main_captions(page) -> str:
    return " | ".join(
        page.get_by_test_id("stMainBlockContainer")
        .get_by_test_id("stCaptionContainer")
        .all_inner_texts()
    )


def date_values(page) -> list[str]:
    """ISO values of the sidebar date-range input (hidden inputs, §4.4)."""
    return (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stDateInput")
        .locator('input[type="date"]')
        .evaluate_all("els => els.map(e => e.value)")
    )


def chips(page, label: str) -> list[str]:
    """The values selected in a sidebar multiselect, by its label (§4.4)."""
    widget = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text=label)
    return widget.locator("[data-tag]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )


def kind_chips(page) -> list[str]:
    return chips(page, "Dataset kinds")


def selectbox_value(page, label: str) -> str:
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def share_box(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_test_id("stCode").inner_text().strip()


def query_multiset(url: str) -> Counter:
    return Counter(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def assert_share_box_matches(page) -> None:
    """The share box names the page in the address bar: same origin and path (an empty http
    path is "/", RFC 3986 §6.2.3) and every parameter of the address bar. It may spell out more:
    filters left at their defaults, which the browser drops from its address bar but a shared
    link keeps, so the link means the same even if a default changes."""
    shared, here = urlsplit(share_box(page)), urlsplit(page.url)
    assert (shared.scheme, shared.netloc, shared.path or "/") == (
        here.scheme,
        here.netloc,
        here.path or "/",
    ), (shared.geturl(), page.url)
    missing = query_multiset(page.url) - query_multiset(shared.geturl())
    assert not missing, (shared.geturl(), page.url)


def screenshot(page, name: str) -> Path:
    """A full-page screenshot: the app scrolls inside stMain, so grow the viewport to fit it."""
    SHOTS.mkdir(exist_ok=True)
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
             ...[...document.querySelectorAll(
                 '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
               .map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, 900), 6000)})
    page.wait_for_timeout(400)  # Plotly and the data grid re-layout on resize
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


# -- tests -------------------------------------------------------------------------------------


def test_overview_renders(tab, app_url):
    open_view(tab, f"{app_url}/")
    assert_no_errors(tab)
    assert tab.locator(CHART).count() >= 1
    metric = tab.get_by_test_id("stMetric").filter(
        has=tab.get_by_test_id("stMetricLabel").get_by_text("Fed net liquidity", exact=True)
    )
    value = metric.get_by_test_id("stMetricValue").inner_text().strip()
    assert value.startswith("$") and value.endswith("T"), value
    screenshot(tab, "overview")


def test_data_renders(tab, app_url):
    open_view(tab, f"{app_url}/data")
    assert_no_errors(tab)
    assert tab.locator(CHART).count() >= 1
    assert kind_chips(tab) == KINDS
    assert selectbox_value(tab, "Dataset").startswith("fred/WALCL")
    screenshot(tab, "data")


def test_deep_link_to_data_on_fresh_server(tab, fresh_app_url):
    link = (
        f"{fresh_app_url}/data?kinds=fred&kinds=prices&dataset=prices%2FMU"
        "&range=2024-01-02&range=2024-06-28"
    )
    open_view(tab, link)
    screenshot(tab, "deep_link_data")
    assert_no_errors(tab)
    assert "Ignored invalid link parameter" not in main_captions(tab)
    assert date_values(tab) == ["2024-01-02", "2024-06-28"]
    assert kind_chips(tab) == ["fred", "prices"]
    assert selectbox_value(tab, "Dataset").startswith("prices/MU")
    assert tab.locator(CHART).count() >= 1
    assert query_multiset(tab.url) == query_multiset(link)  # nothing dropped from the address
    assert_share_box_matches(tab)


def test_deep_link_to_overview_on_fresh_server(tab, fresh_app_url):
    link = f"{fresh_app_url}/?range=2021-01-06&range=2021-02-10"
    open_view(tab, link)
    screenshot(tab, "deep_link_overview")
    assert_no_errors(tab)
    assert date_values(tab)[:2] == ["2021-01-06", "2021-02-10"]
    assert tab.locator(CHART).count() >= 1
    assert query_multiset(tab.url) == query_multiset(link)
    assert_share_box_matches(tab)


def test_scorecard_link_opens_the_evidence_window(tab, fresh_app_url):
    open_view(tab, f"{fresh_app_url}/?asof=2024-06-30")
    assert_no_errors(tab)
    main = tab.get_by_test_id("stMain")
    assert "Thesis scorecard, as of 2024-06-30" in main.inner_text()
    screenshot(tab, "overview_scorecard_2024")
    charts = tab.locator(CHART).count()
    main.get_by_test_id("stExpander").get_by_text("How the verdicts evolved").click()
    tab.wait_for_function(f"document.querySelectorAll({CHART!r}).length > {charts}")
    wait_finished(tab)
    assert_no_errors(tab)
    screenshot(tab, "overview_scorecard_history_2024")
    # Cards follow the claims' order: "Memory makers beat speculative assets" is the sixth.
    with tab.context.expect_page() as opened:  # the evidence opens in a new tab
        main.get_by_role("link", name="See the evidence").nth(
            list(CLAIMS).index("divergence")
        ).click()
    evidence = opened.value
    try:
        wait_finished(evidence)
        assert_no_errors(evidence)
        assert urlsplit(evidence.url).path == "/divergence"
        assert query_multiset(evidence.url) == query_multiset(
            "?range=2023-12-30&range=2024-06-30&base=2023-12-30"
        )
        assert date_values(evidence)[:3] == ["2023-12-30", "2024-06-30", "2023-12-30"]
        screenshot(evidence, "scorecard_evidence_divergence")
    finally:
        evidence.close()


def metric_value(page, label: str) -> str:
    tile = page.get_by_test_id("stMetric").filter(has_text=label)
    return tile.get_by_test_id("stMetricValue").inner_text().strip()


def test_overview_pinned_at_an_as_of_date_survives_a_data_revision(tab, fresh_app_url, tmp_path):
    open_view(tab, f"{fresh_app_url}/?asof=2026-06-30")
    main = tab.get_by_test_id("stMain")
    cards = main.get_by_test_id("stVerticalBlockBorderWrapper").all_inner_texts()
    before = metric_value(tab, "Fed net liquidity")
    tab.get_by_test_id("stSidebar").get_by_text("Pin data").click()
    tab.wait_for_url("**snap=*")
    wait_finished(tab)
    assert_no_errors(tab)
    assert "Pinned to data as of 2026-08-28" in main.inner_text()
    link = share_box(tab)
    assert query_multiset(link)["asof", "2026-06-30"] == 1 and "snap=" in link
    screenshot(tab, "overview_pinned")

    # A refresh revises WALCL up by $100 B (the series is in $ millions) on the same dates.
    walcl = catalog.fred("WALCL")
    old = DataPack(real_pack_path()).read(walcl)
    Store(tmp_path / "home").write(walcl, old.assign(value=old["value"] + 100_000), source="test")

    latest = f"{fresh_app_url}/?asof=2026-06-30"
    open_view(tab, latest)
    assert metric_value(tab, "Fed net liquidity") != before
    open_view(tab, link)  # the shared link, opened after the revision
    assert_no_errors(tab)
    assert metric_value(tab, "Fed net liquidity") == before
    pinned_cards = main.get_by_test_id("stVerticalBlockBorderWrapper").all_inner_texts()
    assert pinned_cards[1:] == cards  # the first bordered block is the banner
    main.get_by_role("button", name="Show latest").click()
    tab.wait_for_function("!location.search.includes('snap=')")
    wait_finished(tab)
    assert metric_value(tab, "Fed net liquidity") != before
    assert "snap=" not in share_box(tab)

    open_view(tab, f"{fresh_app_url}/?snap=0123456789ab", chart=False)
    assert_no_errors(tab)
    assert "0123456789ab is not on this server" in main.inner_text()
    screenshot(tab, "overview_pinned_unknown")


def test_liquidity_renders(tab, app_url):
    open_view(tab, f"{app_url}/liquidity")
    assert_no_errors(tab)
    # tub, waterfall, flows, the daily TGA, the drain calendar, price of money, ledger, gauge
    assert chart_count(tab, 8) == 8
    assert selectbox_value(tab, "Net-liquidity variant") == "wednesday"
    screenshot(tab, "liquidity")


def test_deep_link_to_liquidity_on_fresh_server(tab, fresh_app_url):
    link = (
        f"{fresh_app_url}/liquidity?variant=reserves&unit=T&smooth=13w"
        "&range=2022-01-05&range=2024-12-31&lines=DFII10&lines=EFFR_IORB"
    )
    open_view(tab, link)
    screenshot(tab, "deep_link_liquidity")
    assert_no_errors(tab)
    assert date_values(tab) == ["2022-01-05", "2024-12-31"]
    assert selectbox_value(tab, "Net-liquidity variant") == "reserves"
    assert selectbox_value(tab, "Unit") == "T"
    assert selectbox_value(tab, "Smoothing") == "13w"
    assert chart_count(tab, 8) == 8
    assert query_multiset(tab.url) == query_multiset(link)
    assert_share_box_matches(tab)


def test_capex_renders(tab, app_url):
    open_view(tab, f"{app_url}/capex")
    assert_no_errors(tab)
    # by company, growth, vs OCF, funding, debt raised, intensity, guidance
    assert chart_count(tab, 7) == 7
    assert chips(tab, "Companies") == ["MSFT", "GOOGL", "AMZN", "META", "ORCL"]
    screenshot(tab, "capex")


def test_deep_link_to_capex_on_fresh_server(tab, fresh_app_url):
    link = (
        f"{fresh_app_url}/capex?companies=AMZN&companies=MSFT&mode=ttm&basis=net"
        "&range=2023-01-01&range=2025-12-31"
    )
    open_view(tab, link)
    screenshot(tab, "deep_link_capex")
    assert_no_errors(tab)
    assert chips(tab, "Companies") == ["AMZN", "MSFT"]
    assert date_values(tab) == ["2023-01-01", "2025-12-31"]
    assert selectbox_value(tab, "Quarterly or trailing 12 months") == "ttm"
    assert selectbox_value(tab, "Capex basis") == "net"
    assert query_multiset(tab.url) == query_multiset(link)
    assert_share_box_matches(tab)


def test_divergence_renders(tab, app_url):
    open_view(tab, f"{app_url}/divergence")
    assert_no_errors(tab)
    assert chart_count(tab, 6) == 6
    screenshot(tab, "divergence")


def test_deep_link_to_divergence_on_fresh_server(tab, fresh_app_url):
    link = (
        f"{fresh_app_url}/divergence?spec=BTC-USD&spec=ETH-USD&memory=MU&memory=SNDK"
        "&relative=spread&window=26&range=2025-01-01&range=2026-08-21&base=2025-01-02"
    )
    open_view(tab, link)
    screenshot(tab, "deep_link_divergence")
    assert_no_errors(tab)
    assert chips(tab, "Speculative / long duration") == ["BTC-USD", "ETH-USD"]
    assert chips(tab, "Near cash flow / memory") == ["MU", "SNDK"]
    assert selectbox_value(tab, "Relative line") == "spread"
    assert date_values(tab)[:2] == ["2025-01-01", "2026-08-21"]
    assert query_multiset(tab.url) == query_multiset(link)
    assert_share_box_matches(tab)


def test_liquidations_renders(tab, app_url):
    open_view(tab, f"{app_url}/liquidations")
    assert_no_errors(tab)
    assert chart_count(tab, 3) == 3  # liquidations with price, venues, OI and funding
    screenshot(tab, "liquidations")


def test_deep_link_to_liquidations_on_fresh_server(tab, fresh_app_url):
    link = (
        f"{fresh_app_url}/liquidations?symbol=ETH&bucket=1D&move=5&multiple=2"
        "&range=2025-09-01&range=2025-11-14"
    )
    open_view(tab, link)
    screenshot(tab, "deep_link_liquidations")
    assert_no_errors(tab)
    assert selectbox_value(tab, "Coin") == "ETH"
    assert selectbox_value(tab, "Bucket") == "1D"
    assert date_values(tab) == ["2025-09-01", "2025-11-14"]
    assert query_multiset(tab.url) == query_multiset(link)
    assert_share_box_matches(tab)


def test_invalid_link_falls_back_to_defaults(tab, app_url):
    open_view(tab, f"{app_url}/data?range=not-a-date&dataset=nope&junk=1")
    screenshot(tab, "invalid_link")
    assert_no_errors(tab)
    tab.get_by_test_id("stMainBlockContainer").get_by_text(
        "Ignored invalid link parameter", exact=False
    ).wait_for()
    assert date_values(tab) == ["2015-01-01", dt.date.today().isoformat()]
    assert kind_chips(tab) == KINDS
    assert selectbox_value(tab, "Dataset").startswith("fred/WALCL")
    assert tab.locator(CHART).count() >= 1
    left = query_multiset(tab.url)
    for bad in (("range", "not-a-date"), ("dataset", "nope"), ("junk", "1")):
        assert bad not in left, f"{bad} still in {tab.url}"


def test_sidebar_menu_switches_page(tab, app_url):
    open_view(tab, f"{app_url}/")
    menu = tab.get_by_test_id("stSidebar")
    for label in [page[1] for page in PAGES]:  # every page of the menu, by its label
        link = menu.get_by_role("link", name=label, exact=True)
        # The menu can draw after the charts on a loaded machine (CI once counted 0): wait
        # for it, then count.
        link.first.wait_for()
        assert link.count() == 1, label
    menu.get_by_role("link", name="Data", exact=True).click()
    tab.wait_for_url(f"{app_url}/data")
    tab.get_by_test_id("stHeading").get_by_text("Data", exact=True).wait_for()
    tab.get_by_test_id("stMultiSelect").first.wait_for()
    wait_finished(tab)
    assert_no_errors(tab)
    assert urlsplit(tab.url).path == "/data"
    screenshot(tab, "menu_to_data")
