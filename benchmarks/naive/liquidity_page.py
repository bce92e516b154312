"""The Liquidity balance page built the way common peer dashboards build one (benchmark only).

Every run reads the data pack's CSV files with `pandas.read_csv` and recomputes every series:
no `st.cache_*`, no parsed-file memo, no validation, no store. To keep the comparison honest the
calculations and figures are the app's own (`liquidity.*`, `components.figures`), fed the same
inputs, with the real page's default filters, so this script draws the same six charts with the
same data and CSV downloads (benchmarks/naive_liquidity.py checks that). It leaves out what the
real page adds around them (menu, data-status strip, tiles, provenance captions, ledger table,
share box), so it does less work per run than the page it is compared with.

    LIQUIDITY_DATA_PACK=../shared/data streamlit run benchmarks/naive/liquidity_page.py
"""

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from components import charts, figures
from liquidity.analytics import capex, funding
from liquidity.analytics import price_of_money as money
from liquidity.analytics.drain_gauge import drain_gauge
from liquidity.analytics.net_liquidity import wednesday_net_liquidity, weekly_flows
from liquidity.analytics.supply_demand import supply_demand_ledger
from liquidity.core import catalog
from liquidity.core.calendar import H41_LAG
from liquidity.data.events import load_events

PACK = Path(os.environ["LIQUIDITY_DATA_PACK"])
# The defaults of pages/2_liquidity.py (variant "wednesday", $ billions, no smoothing).
START, END = pd.Timestamp("2020-01-01"), pd.Timestamp(dt.date.today())
UNIT = "USD_B"
LINES = ["DGS10", "DFII10", "BAMLH0A0HYM2", "SOFR_IORB", "M2SL_YOY"]


def fred(series_id: str) -> pd.Series:
    frame = pd.read_csv(PACK / "fred" / f"{series_id}.csv", parse_dates=["date"], index_col="date")
    return frame["value"].dropna()


st.set_page_config(page_title="Liquidity balance (naive)", layout="wide")
st.title("Liquidity balance")

history = wednesday_net_liquidity(fred("WALCL"), fred("WDTGAL"), fred("RRPONTSYD"))
window = history.loc[START:END]
capex_table = capex.group_table(
    {t: pd.read_csv(PACK / "capex" / f"{t}.csv") for t in catalog.HYPERSCALERS}
)
# The gauge reads the capex page's quarters: SEC facts first, the pack's capex rows otherwise.
companies = {
    t: funding.combine(
        funding.from_sec_facts(pd.read_csv(PACK / "sec" / f"{t}.csv"), t),
        funding.from_pack(pd.read_csv(PACK / "capex" / f"{t}.csv"), t),
    )
    for t in catalog.HYPERSCALERS
}

st.subheader("The tub: net liquidity and its parts")
fig = figures.liquidity.build_bathtub_figure(window, UNIT)
charts.add_events(fig, load_events(start=START.date().isoformat(), end=END.date().isoformat()))
charts.show_chart(fig, window, name="net_liquidity_wednesday", alt="Net liquidity and its parts")

st.subheader("Where the water went")
flows = weekly_flows(history).loc[START:END]
left, right = st.columns([2, 3])
with left:
    fig = figures.liquidity.build_waterfall_figure(window, UNIT)
    charts.show_chart(fig, window, name="waterfall_wednesday", alt="Change over the window")
with right:
    fig = figures.liquidity.build_flows_figure(flows.iloc[-104:], UNIT)
    charts.show_chart(fig, flows, name="weekly_flows_wednesday", alt="Weekly change")

st.subheader("The price of money")
prices = money.price_of_money({sid: fred(sid) for sid in money.INPUTS}).loc[START:END]
fig = figures.liquidity.build_price_of_money_figure(prices, LINES)
charts.show_chart(fig, prices[LINES], name="price_of_money", alt="Yields and spreads")

st.subheader("Demand vs supply, per quarter")
ledger = supply_demand_ledger(history["net_liquidity_b"], fred("M2SL"), capex_table)
quarters = ledger.loc[pd.Period(START, "Q") : pd.Period(END, "Q")].dropna(subset=["capex_b"])
fig = figures.liquidity.build_ledger_figure(quarters, len(catalog.HYPERSCALERS))
charts.show_chart(fig, quarters, name="ledger_wednesday", alt="Net liquidity vs capex")

st.subheader("Drain gauge")
growth = capex.panel_growth(funding.group(companies, "capex"))["growth_pct"]
# Each quarter's growth counts from the day its last company filed it, as on our page.
versions = pd.concat(
    funding.versions(
        pd.read_csv(PACK / "sec" / f"{t}.csv"),
        capex.quarterly(pd.read_csv(PACK / "capex" / f"{t}.csv"), "capex")["value_usd"],
        t,
        "capex",
    )
    for t in catalog.HYPERSCALERS
)
filed = capex.first_public(versions, pd.Timestamp.max).reindex(growth.index)
gauge = drain_gauge(
    history["net_liquidity_b"],
    fred("DFII10"),
    fred("BAMLH0A0HYM2"),
    capex.by_public_date(growth, filed),
)
shown = gauge.loc[START : END + H41_LAG].dropna(subset=["gauge"])
fig = figures.liquidity.build_gauge_figure(shown)
charts.show_chart(fig, shown, name="drain_gauge", alt="Drain gauge")
