"""AppTest for the hyperscaler capex page on the fixture pack and the real data pack."""

import datetime as dt

import pytest

from liquidity.analytics import capex
from liquidity.core import catalog
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from tests.apptest import chart_specs, decode, run_page

PAGE = "pages/1_capex.py"


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
    assert len(chart_specs(at)) == 6  # by company, growth, vs OCF, funding, intensity, guidance
    library = Library(None, DataPack(real_pack))
    frames = {t: library.load(f"capex/{t}")[0] for t in catalog.HYPERSCALERS}
    q1 = capex.group_table(frames).loc["2026Q1"].sum()
    assert {m.label: m.value for m in at.metric}["Capex 2026Q1"] == f"${q1 / 1e9:,.1f}B"
    latest = at.dataframe[-1].value
    assert set(latest["ticker"]) == set(catalog.HYPERSCALERS)
