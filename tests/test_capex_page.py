"""AppTest for the hyperscaler capex page on the fixture pack and the real data pack."""

import datetime as dt
import math
import shutil

import pandas as pd
import pytest

from components.figures.capex import build_funding_figure
from liquidity.analytics import capex
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from tests.apptest import chart_specs, decode, run_page

PAGE = "pages/1_capex.py"
NAN = float("nan")


def funding_chart(at) -> dict:
    """The funding chart: the one drawing operating cash flow as a bar (the capex-vs-OCF
    panels draw it as a line)."""
    return next(
        spec
        for spec in chart_specs(at)
        if any(t["type"] == "bar" and t["name"] == "Operating cash flow" for t in spec["data"])
    )


def traces(spec: dict) -> dict[str, dict]:
    return {t["name"]: t for t in spec["data"]}


def test_the_funding_figure_leaves_a_missing_line_a_gap():
    quarters = pd.PeriodIndex(["2025Q1", "2025Q2"], freq="Q", name="quarter")
    # $ billions. Q2 lacks dividends, hence also other and the internal share; commercial
    # paper is missing in both quarters; Q2 has one of the two companies' capex.
    frame = pd.DataFrame(
        {
            "operating_cash_flow": [20.0, 21.0],
            "debt_issued": [4.0, 0.0],
            "debt_repaid": [-1.0, -1.0],
            "commercial_paper": [NAN, NAN],
            "cash_drawdown": [5.0, 0.0],
            "buybacks": [-6.0, -6.0],
            "dividends": [-2.0, NAN],
            "finance_leases": [-1.0, -1.0],
            "capex": [-10.0, -12.0],
            "other": [-9.0, NAN],
            "internal_share_pct": [100.0, NAN],
            "companies": [2, 1],
            "panel": [2, 2],
            "coverage": ["2/2 companies", "1/2 companies"],
        },
        index=quarters,
    )
    fig = build_funding_figure(frame)
    by_name = {t.name: t for t in fig.data}
    assert "Commercial paper, net" not in by_name  # missing throughout: no trace, no zeros
    dividends = list(by_name["Dividends"].y)
    assert dividends[0] == -2.0 and math.isnan(dividends[1])  # a gap, not a 0 bar
    assert math.isnan(list(by_name["Other (not tracked)"].y)[1])
    assert math.isnan(list(by_name["Capex paid from internal cash (%)"].y)[1])
    assert list(by_name["Capex"].customdata) == ["2/2 companies", "1/2 companies"]
    assert [(a.x, a.text) for a in fig.layout.annotations] == [("2025Q2", "1/2")]


def hand_pack(fixture_pack, tmp_path):
    """The fixture pack plus sec/MSFT.csv: capex, operating cash flow and buybacks for
    2024Q4 and 2025Q1, dividends for 2025Q1 only (whole USD, as the SEC files them)."""
    root = tmp_path / "pack"
    shutil.copytree(fixture_pack, root)
    rows = [
        ("PaymentsToAcquirePropertyPlantAndEquipment", "2024-10-01", "2024-12-31", 15804),
        ("PaymentsToAcquirePropertyPlantAndEquipment", "2025-01-01", "2025-03-31", 16745),
        ("NetCashProvidedByUsedInOperatingActivities", "2024-10-01", "2024-12-31", 22291),
        ("NetCashProvidedByUsedInOperatingActivities", "2025-01-01", "2025-03-31", 37044),
        ("PaymentsForRepurchaseOfCommonStock", "2024-10-01", "2024-12-31", 4990),
        ("PaymentsForRepurchaseOfCommonStock", "2025-01-01", "2025-03-31", 4780),
        ("PaymentsOfDividendsCommonStock", "2025-01-01", "2025-03-31", 6170),
    ]
    lines = ["taxonomy,tag,unit,start,end,val,accn,fy,fp,form,filed,frame"]
    for tag, start, end, millions in rows:
        lines.append(
            f"us-gaap,{tag},USD,{start},{end},{millions * 1_000_000},0000950170-25-061046,"
            "2025,Q3,10-Q,2025-04-30,"
        )
    (root / "sec").mkdir()
    (root / "sec" / "MSFT.csv").write_text("\n".join(lines) + "\n")
    return root


def test_a_missing_funding_line_is_a_gap_on_the_page_and_named(app_env, fixture_pack, tmp_path):
    app_env(hand_pack(fixture_pack, tmp_path))
    at = run_page(PAGE, {"companies": ["MSFT"], "range": ["2024-07-01", "2025-06-30"]})
    assert not at.error
    spec = funding_chart(at)
    assert spec["data"][0]["x"] == ["2024Q3", "2024Q4", "2025Q1"]
    bars = traces(spec)
    # 2024Q3 is the fixture pack's capex alone; 2024Q4 has no dividends in sec/MSFT.csv.
    assert decode(bars["Capex"]["y"]) == pytest.approx([-14.923, -15.804, -16.745])
    dividends = decode(bars["Dividends"]["y"])
    assert math.isnan(dividends[0]) and math.isnan(dividends[1])
    assert dividends[2] == pytest.approx(-6.17)
    ocf = decode(bars["Operating cash flow"]["y"])
    assert math.isnan(ocf[0]) and ocf[1:] == pytest.approx([22.291, 37.044])
    # Lines absent in every quarter get no trace; "other" needs every line, so it has none.
    assert not {"Debt issued", "Debt repaid", "Other (not tracked)"} & set(bars)
    # Internal share only where operating cash flow, buybacks, dividends and capex all are:
    # 2025Q1, (37.044 − 4.78 − 6.17) / 16.745 > 1, capped at 100 %.
    share = decode(bars["Capex paid from internal cash (%)"]["y"])
    assert math.isnan(share[0]) and math.isnan(share[1]) and share[2] == pytest.approx(100.0)
    named = " ".join(c.value for c in at.caption)
    assert "MSFT: operating cash flow, buybacks (2024Q3)" in named
    assert "dividends (2024Q3–2024Q4)" in named
    table = next(d.value for d in at.dataframe if "dividends_usd_b" in d.value.columns)
    row = table.set_index("quarter").loc["2024Q4"]
    assert math.isnan(row["dividends_usd_b"]) and math.isnan(row["other_usd_b"])
    assert row["buybacks_usd_b"] == pytest.approx(-4.99)


def test_fixture_pack_capex_and_missing_companies(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run_page(PAGE, {"companies": ["MSFT"], "range": ["2024-01-01", "2025-06-30"]})
    assert not at.error
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Capex 2024Q4"] == "$15.8B"
    bars = chart_specs(at)[0]
    assert decode(bars["data"][0]["y"]) == pytest.approx([14.923, 15.804])
    assert bars["layout"]["yaxis"]["title"]["text"] == "Capex (gross), $ billions"


def test_a_company_without_data_is_left_out_with_a_reason(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run_page(PAGE, {"companies": ["MSFT", "NVDA", "<script>x</script>"]})
    notices = " ".join(c.value for c in at.caption)
    assert "`<script>x</script>`" in notices  # shown verbatim as code, never as HTML
    assert "`NVDA` left out" in notices and "SEC_USER_AGENT" in notices
    assert at.sidebar.code[0].value.count("companies=") == 2  # MSFT and NVDA, as typed


def test_a_link_with_every_filter_restores_the_view(app_env, fixture_pack):
    app_env(fixture_pack)
    params = {
        "companies": ["MSFT"],
        "metric": "capex",
        "mode": "ttm",
        "basis": "net",
        "range": ["2023-01-01", "2025-12-31"],
    }
    at = run_page(PAGE, params)
    assert at.selectbox(key="mode").value == "ttm" and at.selectbox(key="basis").value == "net"
    assert at.date_input(key="range").value == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    # Two quarters cannot make a trailing twelve months: the chart says so instead.
    assert any("No capex net of asset-sale proceeds" in i.value for i in at.info)
    share = at.sidebar.code[0].value
    for piece in ("companies=MSFT", "mode=ttm", "basis=net", "range=2023-01-01"):
        assert piece in share


@pytest.mark.pack
def test_the_real_pack_renders_every_section(app_env, real_pack):
    app_env(real_pack)
    at = run_page(PAGE)
    assert not at.error and not at.info
    # by company, growth, vs OCF, funding, debt raised, intensity, guidance
    assert len(chart_specs(at)) == 7
    library = Library(None, DataPack(real_pack))
    frames = {t: library.load(f"capex/{t}")[0] for t in catalog.HYPERSCALERS}
    q1 = capex.group_table(frames).loc["2026Q1"].sum()
    assert {m.label: m.value for m in at.metric}["Capex 2026Q1"] == f"${q1 / 1e9:,.1f}B"
    latest = at.dataframe[-1].value
    assert set(latest["ticker"]) == set(catalog.HYPERSCALERS)
    funding = funding_chart(at)
    bars = traces(funding)
    # Amazon pays no dividends and files no dividend line, Meta files no repayments, Oracle
    # no lease principal: the group has none of those lines, and so no "other" either.
    assert not {"Dividends", "Debt repaid", "Finance-lease principal"} & set(bars)
    assert "Other (not tracked)" not in bars
    # 2026Q2: capex from AMZN, META and ORCL only (MSFT's and GOOGL's data end in 2026Q1).
    assert [(a["x"], a["text"]) for a in funding["layout"]["annotations"]] == [("2026Q2", "3/5")]
    x = funding["data"][0]["x"]
    assert math.isnan(decode(bars["Operating cash flow"]["y"])[x.index("2026Q2")])
    named = " ".join(c.value for c in at.caption)
    assert "AMZN: " in named and "dividends" in named.split("AMZN: ")[1].split("  \n")[0]
