"""AppTest for the liquidity balance page on the fixture pack and the real data pack."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from components.figures.liquidity import build_gauge_figure
from liquidity.analytics.drain_gauge import COMPONENTS
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
    ledger = chart_named(at, "Hyperscaler capex (demand)")
    assert [t["name"] for t in ledger["data"]] == [
        "Δ net liquidity (supply)",
        "Hyperscaler capex (demand)",
    ]
    assert decode(ledger["data"][1]["y"]) == pytest.approx([14.923, 15.804])
    # Too little history for the gauge: it says why instead of failing.
    assert [i.value for i in at.info] == [
        "No drain-gauge values in the selected range (each component needs 104 weekly values "
        "in its 156-week window before its first z-score)."
    ]
    assert at.selectbox(key="gauge").value == "included"  # the toggle is there all the same


def chart_named(at, trace_name: str) -> dict:
    """The chart that has a trace called `trace_name` (charts come and go with the data)."""
    return next(c for c in chart_specs(at) if trace_name in {t.get("name") for t in c["data"]})


# The variant selector's options: the daily TGA variant comes with the weekly/daily switch.
WEEKLY_VARIANTS = [v for v in VARIANTS if v != "daily_tga"]


@pytest.mark.parametrize("variant", WEEKLY_VARIANTS)
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
        "gauge": "excluded",
    }
    at = run(params)
    assert at.date_input(key="range").value == (dt.date(2024, 12, 15), dt.date(2025, 2, 28))
    assert at.selectbox(key="unit").value == "T"
    assert at.selectbox(key="smooth").value == "4w"
    assert at.multiselect(key="lines").value == ["DGS10", "BAMLH0A0HYM2"]
    assert at.selectbox(key="gauge").value == "excluded"
    tub = chart_specs(at)[0]
    money = chart_named(at, "10-year yield")
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
        "gauge=excluded",
    ):
        assert piece in share


def test_invalid_variant_falls_back_with_a_notice(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run({"variant": "monthly", "unit": "Q"})
    assert at.selectbox(key="variant").value == "wednesday"
    assert any("Ignored invalid link parameter" in c.value for c in at.caption)


@pytest.mark.pack
@pytest.mark.parametrize("variant", WEEKLY_VARIANTS)
def test_every_variant_on_the_real_pack(app_env, real_pack, variant):
    app_env(real_pack)
    at = run({"variant": variant, "cal_from": "2026-09-01"})
    assert not at.error and not at.info
    charts = chart_specs(at)
    # tub, waterfall, weekly flows, the daily TGA, the drain calendar, price of money, ledger,
    # gauge
    assert len(charts) == 8
    gauge = charts[-1]
    assert gauge["layout"]["yaxis"]["title"]["text"] == "standard deviations (z-score)"
    assert len(json.dumps(charts)) < 1_500_000  # the page's Plotly payload stays light


@pytest.mark.pack
def test_the_daily_switch_draws_the_treasury_daily_variant(app_env, real_pack):
    app_env(real_pack)
    at = run({"freq": "daily", "range": ["2026-08-01", "2026-08-31"], "cal_from": "2026-09-01"})
    assert not at.error and at.selectbox(key="freq").value == "daily"
    tub = chart_specs(at)[0]
    net = next(t for t in tub["data"] if t["name"] == "Net liquidity")
    # Every business day of August 2026 with a DTS row and an RRP print: more than the four
    # Wednesdays a weekly variant draws.
    assert len(decode(net["x"])) > 15
    calendar = chart_named(at, "Auction settlements (drain)")
    weeks = decode(calendar["data"][0]["x"])
    assert list(weeks) == ["Aug 31", "Sep 07", "Sep 14", "Sep 21", "Sep 28"]


def test_without_a_daily_tga_the_daily_switch_says_so(app_env, fixture_pack):
    app_env(fixture_pack)
    at = run({"freq": "daily"})
    assert not at.error
    assert any("Daily net liquidity is not available" in c.value for c in at.caption)


def gauge_frame() -> pd.DataFrame:
    """Three dates: complete; real yield stale; capex alone missing (uncovered quarter)."""
    dates = pd.DatetimeIndex(["2026-07-30", "2026-08-06", "2026-08-20"])
    frame = pd.DataFrame(index=dates)
    for column in COMPONENTS:
        frame[f"contrib_{column}"] = [0.1, 0.2, 0.3]
        frame[f"contrib_ex_capex_{column}"] = [0.1, 0.2, 0.3]
    frame["missing"] = ["", "real_yield_13w", "capex_yoy"]
    frame["partial"] = [False, True, True]
    frame["partial_ex_capex"] = [False, True, False]
    frame["gauge"] = [0.4, 0.5, 0.6]
    frame["gauge_ex_capex"] = [0.3, 0.4, 0.5]
    return frame


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_gauge_figure_greys_partial_dates_and_names_the_missing_component():
    fig = build_gauge_figure(gauge_frame())
    full, partial = trace(fig, "Drain gauge"), trace(fig, "Partial: a component is missing")
    assert np.isnan(full.y[1:].astype(float)).all() and full.y[0] == 0.4
    assert np.isnan(partial.y[0]) and list(partial.y[1:]) == [0.5, 0.6]
    assert list(partial.customdata) == [
        "",
        "13-week change in 10y real yield",
        "Hyperscaler capex growth YoY",
    ]
    bar = trace(fig, "+ Hyperscaler capex growth YoY")
    assert list(bar.marker.opacity) == [1.0, 0.3, 0.3]


def test_gauge_figure_without_capex_has_no_capex_and_its_own_partial_dates():
    fig = build_gauge_figure(gauge_frame(), with_capex=False)
    names = [t.name for t in fig.data]
    assert "+ Hyperscaler capex growth YoY" not in names
    line = trace(fig, "Drain gauge without capex")
    # The capex-only gap of 2026-08-20 is no gap here: that date is complete.
    assert line.y[0] == 0.3 and np.isnan(line.y[1]) and line.y[2] == 0.5
    partial = trace(fig, "Partial: a component is missing")
    assert np.isnan(partial.y[0]) and partial.y[1] == 0.4 and np.isnan(partial.y[2])
    assert list(partial.customdata) == ["", "13-week change in 10y real yield", ""]


@pytest.mark.pack
def test_gauge_toggle_and_partial_marking_on_the_real_pack(app_env, real_pack):
    app_env(real_pack)
    # The pack's DFII10 ends 2026-07-28, so from the Thursday 2026-08-06 (9 days later, more
    # than 7) the real-yield component is missing; its last reading is 2026-07-30. The capex
    # quarter public from 2026-08-14 is 2026Q2, which AMZN, META and ORCL report (SEC facts):
    # 32.2 + 16.5 + 9.1 = 57.8 of the five's 97.3 $B in 2025Q2 (the capex page's table), 59 %.
    at = run()
    gauge = chart_specs(at)[-1]
    names = [t["name"] for t in gauge["data"]]
    assert "+ Hyperscaler capex growth YoY" in names and "Drain gauge" in names
    partial = next(t for t in gauge["data"] if t["name"] == "Partial: a component is missing")
    assert partial["customdata"][-1] == (
        "13-week change in 10y real yield, Hyperscaler capex growth YoY"
    )
    headline = next(c.value for c in at.caption if c.value.startswith(":material/warning:"))
    assert "on 2026-08-27 is **partial**, from 2 of 4 components" in headline
    assert "no input print within 7 days; last reading 2026-07-30" in headline
    assert "2026Q2: AMZN, META, ORCL held 59% of the panel's capex a year earlier" in headline
    assert "Latest complete reading" in headline and "on 2026-07-30" in headline

    at = run({"gauge": "excluded"})
    assert at.selectbox(key="gauge").value == "excluded"
    gauge = chart_specs(at)[-1]
    names = [t["name"] for t in gauge["data"]]
    assert "+ Hyperscaler capex growth YoY" not in names and "Drain gauge without capex" in names
    headline = next(c.value for c in at.caption if c.value.startswith(":material/warning:"))
    assert "from 2 of 3 components" in headline and "capex" not in headline.lower()
    assert "gauge=excluded" in at.sidebar.code[0].value
