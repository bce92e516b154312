"""AppTest for the liquidity balance page on the fixture pack and the real data pack."""

import datetime as dt
import json

import pytest

from liquidity.analytics.net_liquidity import VARIANTS
from tests.apptest import chart_specs, decode, run_page

PAGE = "pages/2_liquidity.py"


def run(params=None):
    return run_page(PAGE, params)


def test_defaults_on_the_fixture_pack(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run()
    assert not at.error
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Net liquidity"] == "5,980 $B"
    assert tiles["10y yield"] == "4.60 %"
    assert tiles["10y real yield"] == "n/a"  # not in the fixture pack: said, not invented
    caption = next(c.value for c in at.caption if "observed" in c.value)
    assert "4W +110" in caption and "observed Wed 2025-02-05, known Thu 2025-02-06" in caption
    titles = [s["layout"]["yaxis"]["title"]["text"] for s in chart_specs(at)]
    assert titles[0] == "$ billions"  # the tub
    # The pack's MSFT capex quarters (2024Q3-Q4) predate its net liquidity: bars, no supply.
    ledger = chart_specs(at)[4]
    assert [t["name"] for t in ledger["data"]] == [
        "Δ net liquidity (supply)",
        "Hyperscaler capex (demand)",
    ]
    assert decode(ledger["data"][1]["y"]) == pytest.approx([14.923, 15.804])
    # Too little history for the gauge: it says why instead of failing.
    assert [i.value for i in at.info] == [
        "No drain-gauge values in the selected range (it needs 104 weeks of history per "
        "component before its first value)."
    ]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_renders(app_env, fixture_pack, variant):
    app_env(fixture_pack)
    at = run({"variant": variant, "range": ["2024-12-01", "2025-03-01"]})
    assert not at.error
    assert at.selectbox(key="variant").value == variant
    (tub, *_rest) = chart_specs(at)
    names = {t["name"] for t in tub["data"]}
    expected = "Reserve balances (WRESBAL)" if variant == "reserves" else "Net liquidity"
    assert expected in names


def test_a_link_with_every_filter_restores_the_view(app_env, fixture_pack):
    app_env(fixture_pack)
    params = {
        "range": ["2024-12-15", "2025-02-28"],
        "variant": "week_average",
        "unit": "T",
        "smooth": "4w",
        "lines": ["DGS10", "BAMLH0A0HYM2"],
    }
    at = run(params)
    assert at.date_input(key="range").value == (dt.date(2024, 12, 15), dt.date(2025, 2, 28))
    assert at.selectbox(key="unit").value == "T"
    assert at.selectbox(key="smooth").value == "4w"
    assert at.multiselect(key="lines").value == ["DGS10", "BAMLH0A0HYM2"]
    tub, waterfall, flows, money = chart_specs(at)[:4]
    assert tub["layout"]["yaxis"]["title"]["text"] == "$ trillions"
    assert "4-week average" in {t["name"] for t in tub["data"]}
    assert {t["name"] for t in money["data"]} == {"10-year yield", "High-yield OAS"}
    share = at.sidebar.code[0].value
    for piece in (
        "variant=week_average",
        "unit=T",
        "smooth=4w",
        "lines=DGS10",
        "lines=BAMLH0A0HYM2",
        "range=2024-12-15",
    ):
        assert piece in share


def test_invalid_variant_falls_back_with_a_notice(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run({"variant": "monthly", "unit": "Q"})
    assert at.selectbox(key="variant").value == "wednesday"
    assert any("Ignored invalid link parameter" in c.value for c in at.caption)


@pytest.mark.pack
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_on_the_real_pack(app_env, real_pack, variant):
    app_env(real_pack)
    at = run({"variant": variant})
    assert not at.error and not at.info
    charts = chart_specs(at)
    assert len(charts) == 6  # tub, waterfall, weekly flows, price of money, ledger, gauge
    gauge = charts[-1]
    assert gauge["layout"]["yaxis"]["title"]["text"] == "standard deviations (z-score)"
    assert len(json.dumps(charts)) < 1_500_000  # the page's Plotly payload stays light
