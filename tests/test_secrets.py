"""Secrets stay on the server: with marker strings in every secret the project reads, a real
refresh sends them where they belong (and only there), and then no page, share link, log line,
printed line, cached HTTP record or store file contains them.

The settings (liquidity/core/settings.py, components/cache.environ_with_secrets):

- FRED_API_KEY, COINGLASS_API_KEY: credentials. Sent only to their API (FRED's in the query
  string, the only place its API takes it; CoinGlass's in the CG-API-KEY header) and nowhere
  else.
- SEC_USER_AGENT: not a credential (the SEC requires every request to declare it, in clear), but
  it is the operator's name and e-mail address: sent to the SEC as the User-Agent header, and
  held to the same rule everywhere else, the HTTP cache included.

The refresh is the Data page's own "Refresh now" button (the production path: secrets read by
`environ_with_secrets`, the cached session from `http.cached_session`), with every host sent to a
loopback server through `LoopbackServer.session`.
"""

from __future__ import annotations

import datetime
import json
import logging
import re

from liquidity.sources import coinglass, edgar, exchanges, fred, http, sec
from tests.alfred import Alfred
from tests.apptest import run_page
from tests.conftest import REPO
from tests.loopback import LoopbackServer, ok, status
from tests.test_faults import FAST_RETRY, LIMITERS, SEC_FACTS, recent
from tests.test_refresh import ExchangeServer, level

MARKERS = {
    "FRED_API_KEY": "fredmarker0a1b2c3d4e5f60718293a4b5",
    "COINGLASS_API_KEY": "cgmarker-6f1d0c9e7b2a",
    "SEC_USER_AGENT": "Marker Person marker.7d41@example.com",
}
PAGES = (
    "app.py",
    "pages/1_capex.py",
    "pages/2_liquidity.py",
    "pages/3_divergence.py",
    "pages/4_liquidations.py",
    "pages/5_data.py",
)
FRED_MISSING = (
    '<?xml version="1.0" encoding="utf-8" ?>\n'
    '<error code="400" message="Bad Request.  The series does not exist."/>'
)


def route_every_source(server: LoopbackServer) -> None:
    """Valid answers, plus one failure per source so error messages are rendered too."""
    # The two latest Wednesdays: weekly H.4.1 series are Wednesday levels, so every page can
    # compute net liquidity from them and renders in full.
    wednesday = datetime.date.today().weekday() - 2
    dates = [recent(wednesday % 7 + 7), recent(wednesday % 7)]
    # The latest values and the vintages (each published on its own date) through fredapi.
    alfred = Alfred([(day, day, None, float(i)) for i, day in enumerate(dates)], base=level)
    server.route(
        fred.FRED_OBSERVATIONS_URL,
        lambda seen: (
            status(400, FRED_MISSING) if seen.query["series_id"] == "DGS10" else alfred(seen)
        ),
    )
    server.route(fred.FRED_VINTAGE_DATES_URL, alfred)
    for ticker, cik in sec.CIKS.items():
        answer = status(500) if ticker == "GOOGL" else ok(json.dumps(SEC_FACTS))
        server.route(sec.SEC_FACTS_URL.format(cik=cik), answer)
        # Each filings index lists no debt filing: known to be none, so nothing else is asked.
        empty = {name: [] for name in edgar.ARRAYS}
        index = {"cik": str(cik), "filings": {"recent": empty, "files": []}}
        server.route(edgar.SUBMISSIONS_URL.format(cik=cik), ok(json.dumps(index)))
    venues = ExchangeServer()  # test_refresh's OKX and CoinGlass payloads, served over HTTP

    def exchange(seen):
        return ok(venues.get(seen.url, params=seen.query, headers=seen.headers).content)

    server.route(exchanges.OKX_LIQUIDATIONS_URL, exchange)
    server.route(coinglass.BASE_URL + coinglass.LIQUIDATION_PATH, exchange)
    server.route(coinglass.BASE_URL + coinglass.OPEN_INTEREST_PATH, exchange)
    server.route(coinglass.BASE_URL + coinglass.FUNDING_PATH, status(429, Retry_After="3600"))


def rendered(at) -> str:
    """Everything a browser would receive from this run: every element's protobuf, in text."""
    parts = [str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None]
    parts += [f"{k}={v}" for k in at.query_params for v in at.query_params.get_all(k)]
    return "\n".join(parts)


def test_secrets_reach_only_their_api(app_env, fixture_pack, monkeypatch, caplog, capfd):
    home = app_env(fixture_pack)
    for name, value in MARKERS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(http, "RETRY", FAST_RETRY)
    for module, name in LIMITERS:
        monkeypatch.setattr(module, name, http.RateLimiter(200))
    caplog.set_level(logging.DEBUG)  # urllib3 and requests-cache log every URL at DEBUG

    with LoopbackServer() as server:
        route_every_source(server)
        cached = http.cached_session
        monkeypatch.setattr(http, "cached_session", lambda path: server.session(cached(path)))
        at = run_page("pages/5_data.py")
        at.multiselect(key="refresh_sources").set_value(["fred", "sec", "liquidations"])
        next(b for b in at.button if b.label == "Refresh now").click().run()
        assert not at.exception
        pages = {"pages/5_data.py after Refresh now": rendered(at)}
        summaries = "\n".join(element.value for element in at.markdown)
        assert "fred: 28/29 datasets ok" in summaries  # 20 series and 9 vintage datasets
        assert "sec: 9/10 datasets ok" in summaries  # 5 XBRL facts and 5 filings indexes
        for script in PAGES:
            pages[script] = rendered(run_page(script))

    # The keys were really used, each on its own API only.
    fred_keys = {seen.query.get("api_key") for seen in server.seen if "stlouisfed" in seen.url}
    assert fred_keys == {MARKERS["FRED_API_KEY"]}
    for seen in server.seen:
        cg_header = seen.headers.get("CG-API-KEY")
        assert cg_header == (MARKERS["COINGLASS_API_KEY"] if "coinglass" in seen.url else None)
        sec_host = seen.url.startswith(("https://data.sec.gov/", "https://www.sec.gov/"))
        assert (seen.headers.get("User-Agent") == MARKERS["SEC_USER_AGENT"]) == sec_host
        if "stlouisfed" not in seen.url:
            assert MARKERS["FRED_API_KEY"] not in seen.raw_path
    cache = home / "http_cache.sqlite"
    assert cache.is_file() and cache.stat().st_size > 0  # the SEC and exchange answers are cached
    assert "Some datasets failed" in pages["pages/5_data.py after Refresh now"]
    assert "does not exist" in pages["pages/5_data.py"]  # FRED's error message is shown

    logged = "\n".join(
        f"{record.name}: {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "127.0.0.1" in logged  # DEBUG records of the requests were captured
    assert not [r.getMessage() for r in caplog.records if r.name == "liquidity.app"]
    printed = "".join(capfd.readouterr())
    stored = {
        path: path.read_bytes() for path in home.rglob("*") if path.is_file()
    }  # manifest, objects, events, HTTP cache (with its -wal/-shm files, if any)
    assert any(path.name == "events.sqlite" for path in stored)
    for name, marker in MARKERS.items():
        for script, text in pages.items():
            assert marker not in text, f"{name} is shown on {script}"
        assert marker not in logged, f"{name} is in a log record"
        assert marker not in printed, f"{name} was printed"
        for path, data in stored.items():
            assert marker.encode() not in data, f"{name} is in {path.relative_to(home)}"


def test_every_secret_setting_the_code_reads_has_a_marker_here():
    """A new key or token setting anywhere in the code must be added to MARKERS above."""
    setting = re.compile(r"[\"']([A-Z][A-Z0-9_]*_(?:KEY|TOKEN|SECRET|PASSWORD|USER_AGENT))[\"']")
    sources = [*REPO.glob("*.py"), *REPO.glob("liquidity/**/*.py"), *REPO.glob("components/*.py")]
    sources += REPO.glob("pages/*.py")
    found = {name for path in sources for name in setting.findall(path.read_text())}
    assert found == set(MARKERS)
