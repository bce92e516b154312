"""Integration on the real data pack (../shared/data or LIQUIDITY_DATA_PACK; required in CI).

Expected numbers are read straight from the pack's CSV text with the csv module, so they do not
depend on the parsing code under test.
"""

import csv

import pandas as pd
import pytest

from liquidity.analytics import capex, funding, xbrl
from liquidity.api import load_capex_versions, load_companies, load_net_liquidity
from liquidity.cli import main
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store

pytestmark = pytest.mark.pack


def raw(pack, relative):
    with open(pack / relative, newline="") as fh:
        return {row["date"]: row for row in csv.DictReader(fh)}


@pytest.fixture
def library(real_pack, tmp_path):
    return Library(Store(tmp_path / "home"), DataPack(real_pack))


def test_every_dataset_in_the_pack_validates(library):
    statuses = library.status()
    assert [s.dataset.key for s in statuses if s.error] == []
    present = {s.dataset.key for s in statuses if s.provenance}
    missing = {d.key for d in catalog.CATALOG} - present
    # The pack carries the five hyperscalers' XBRL facts (sec/, PROVENANCE.md §6) and the daily
    # TGA, the auctions and the NY Fed RRP (§7), but no KRW=X quotes, no NY Fed SOFR/EFFR files
    # (FRED's copies stand in) and no EDGAR filings index.
    assert missing == {
        "prices/KRW=X",
        "nyfed/SOFR",
        "nyfed/EFFR",
        *(f"filings/{t}" for t in catalog.HYPERSCALERS),
    }
    assert {catalog.TGA_DAILY, catalog.AUCTIONS, catalog.RRP_DAILY} <= present
    assert {f"sec/{t}" for t in catalog.HYPERSCALERS} <= present
    assert library.mode() == "data pack"


def test_cli_series_prints_walcl_in_billions(real_pack, library, capsys):
    code = main(
        ["series", "WALCL", "--start", "2025-12-01", "--end", "2025-12-31", "--unit", "B"],
        library=library,
    )
    out = capsys.readouterr().out.splitlines()
    rows = {
        d: float(r["value"]) / 1000
        for d, r in raw(real_pack, "fred/WALCL.csv").items()
        if "2025-12-01" <= d <= "2025-12-31"
    }
    assert code == 0 and out[0] == "date,value"
    got = {line.split(",")[0]: float(line.split(",")[1]) for line in out[1:]}
    assert got == pytest.approx(rows) and len(got) == 5


@pytest.mark.parametrize("wednesday", ["2025-12-17", "2026-03-04", "2026-08-26"])
def test_net_liquidity_on_known_wednesdays(real_pack, library, wednesday):
    walcl = float(raw(real_pack, "fred/WALCL.csv")[wednesday]["value"])
    tga = float(raw(real_pack, "fred/WDTGAL.csv")[wednesday]["value"])
    rrp_rows = raw(real_pack, "fred/RRPONTSYD.csv")
    rrp_day = max(d for d, r in rrp_rows.items() if d <= wednesday and r["value"])
    assert (pd.Timestamp(wednesday) - pd.Timestamp(rrp_day)).days <= 7
    expected = walcl / 1000 - tga / 1000 - float(rrp_rows[rrp_day]["value"])
    frame = load_net_liquidity("2025-06-01", library=library)
    assert frame.loc[wednesday, "net_liquidity_b"] == pytest.approx(expected, abs=1e-9)
    assert frame.loc["2026-08-26", "net_liquidity_b"] == pytest.approx(5_770.775)


def test_daily_returns_on_a_known_date(real_pack, library, capsys):
    main(
        ["prices", "ORCL", "NVDA", "--start", "2025-12-17", "--end", "2025-12-17", "--returns"],
        library=library,
    )
    out = capsys.readouterr().out.splitlines()
    expected = []
    for ticker in ("ORCL", "NVDA"):
        rows = raw(real_pack, f"prices/{ticker}.csv")
        prev = max(d for d in rows if d < "2025-12-17" and rows[d]["adj_close"])
        expected.append(
            100 * (float(rows["2025-12-17"]["adj_close"]) / float(rows[prev]["adj_close"]) - 1)
        )
    date, orcl, nvda = out[1].split(",")
    assert date == "2025-12-17"
    assert [float(orcl), float(nvda)] == pytest.approx(expected, abs=1e-6)
    assert float(orcl) < -5  # the AI-infrastructure selloff in events.csv


def test_import_and_export_reproduce_the_pack(real_pack, tmp_path):
    library = Library(Store(tmp_path / "home"))
    imported, rejected = library.import_pack(DataPack(real_pack))
    # 63 datasets before the pack gained sec/ (PROVENANCE.md §6), 68 with the five SEC files,
    # 71 with treasury/tga_daily, treasury/auctions and nyfed/rrp_daily (§7).
    assert rejected == {} and len(imported) == 71
    library.export_pack(tmp_path / "out")
    original, exported = DataPack(real_pack), DataPack(tmp_path / "out")
    for key in imported:
        dataset = catalog.get(key)
        pd.testing.assert_frame_equal(
            exported.read(dataset),
            original.read(dataset),
            check_index_type=False,
            check_dtype=False,
        )


def test_drain_gauge_and_ledger_on_the_pack(library, capsys):
    code = main(["drain", "--start", "2026-01-01"], library=library)
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and lines[0].startswith(
        "date,gauge,gauge_ex_capex,components,partial,missing,net_liquidity_13w,"
    )
    assert len(lines) > 30  # one row per H.4.1 Thursday
    from liquidity.api import load_ledger

    ledger = load_ledger(library=library)
    full = ledger[ledger["companies"] == 5]
    assert set(full.index.astype(str)) >= {"2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"}
    assert (full["capex_b"] > 50).all()  # five hyperscalers spend tens of billions a quarter


@pytest.mark.parametrize(("ticker", "metric"), [("META", "capex"), ("AMZN", "capex")])
def test_capex_as_of_each_filing_is_what_those_filings_said(library, ticker, metric):
    """On the pack's real facts (META restated ten quarters of capex, sixteen later values in
    all; AMZN's filings of 2019 bring comparatives no earlier filing had), the versions' view
    at every filing day equals quarterizing only the facts filed by then: the definition of
    point-in-time, evaluated the slow way."""
    facts = library.load(f"sec/{ticker}")[0]
    tags = funding.metric_tags(ticker, metric)
    versions = funding.versions(facts, None, ticker, metric)
    restated = versions["quarter"].duplicated().sum()
    assert restated == (16 if ticker == "META" else 0)
    for day in sorted(facts["filed"].unique()):
        truth = xbrl.quarterize(facts[facts["filed"] <= day], tags)["value_usd"]
        seen = capex.as_known(versions, day)
        view = seen[ticker].dropna() if not seen.empty else truth.iloc[:0]
        pd.testing.assert_series_equal(view, truth, check_names=False, obj=f"{day:%Y-%m-%d}")


def test_meta_capex_2021q2_as_first_filed_and_as_restated(library):
    """META's 2021Q2 capex, read off sec/META.csv by hand: the 10-Q filed 2021-07-29 gives
    6-month YTD 8,884M and Q1 4,272M, so Q2 = 4,612M; restated YTD/Q1 facts filed
    2022-04-28 and 2022-07-28 move it to 4,581M and then 4,641M."""
    versions = funding.versions(library.load("sec/META")[0], None, "META", "capex")
    q2 = versions[versions["quarter"] == pd.Period("2021Q2", "Q")]
    got = [(f"{r.known:%Y-%m-%d}", round(r.value_usd / 1e6)) for r in q2.itertuples()]
    assert got == [("2021-07-29", 4612), ("2022-04-28", 4581), ("2022-07-28", 4641)]


@pytest.mark.parametrize("metric", ["capex", "operating_cash_flow"])
def test_latest_versions_are_the_capex_pages_quarters(library, metric):
    """The Overview and the gauge read capex from its versions; the capex page builds every
    funding line per company. On the pack both give the same quarter × ticker table (the
    page's also has the quarters where only other lines exist: empty rows, left out here)."""
    from_versions = capex.as_known(load_capex_versions(metric, library), pd.Timestamp.max)
    page = funding.group(load_companies(catalog.HYPERSCALERS, library), metric)
    pd.testing.assert_frame_equal(from_versions, page.dropna(how="all"))
