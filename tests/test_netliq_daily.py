"""The daily net-liquidity variant on the Treasury's daily TGA (NL-D, METHODS.md §1.2):
worked by hand on a few days, and checked against the weekly variant on the reference pack."""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest

from liquidity.analytics.net_liquidity import daily_tga_net_liquidity
from liquidity.api import load_net_liquidity
from liquidity.data.pack import DataPack
from liquidity.data.provenance import Library
from liquidity.data.store import Store


def series(values: dict) -> pd.Series:
    return pd.Series(values, dtype="float64").rename(index=pd.Timestamp)


WALCL_M = series({"2026-03-04": 6_600_000.0, "2026-03-11": 6_610_000.0})
TGA_DAILY_M = series(
    {
        "2026-03-04": 800_000.0,
        "2026-03-05": 810_000.0,
        "2026-03-06": 805_000.0,
        "2026-03-16": 900_000.0,  # a tax day; the 2026-03-11 WALCL is 5 days old
        "2026-03-23": 880_000.0,  # WALCL of 2026-03-11 is 12 days old: too old
    }
)
RRP_FRED_B = series({"2026-03-04": 2.0, "2026-03-05": 3.0, "2026-03-16": 1.0, "2026-03-23": 1.0})
RRP_NYFED_B = series({"2026-03-05": 3.5})


def test_daily_net_liquidity_worked_by_hand():
    frame = daily_tga_net_liquidity(WALCL_M, TGA_DAILY_M, RRP_FRED_B, RRP_NYFED_B)
    net = frame["net_liquidity_b"]
    # 2026-03-04: 6,600 − 800 − 2.0 (FRED) = 5,798.0 $B
    assert net["2026-03-04"] == pytest.approx(5_798.0)
    # 2026-03-05: 6,600 (Wednesday before) − 810 − 3.5 (NY Fed wins over FRED's 3.0) = 5,786.5
    assert net["2026-03-05"] == pytest.approx(5_786.5)
    assert frame.loc["2026-03-05", "rrp_source"] == "NY Fed"
    assert frame.loc["2026-03-04", "rrp_source"] == "FRED RRPONTSYD"
    # 2026-03-06 has no RRP print of its own: missing, not carried and not zero.
    assert math.isnan(net["2026-03-06"])
    # 2026-03-16: 6,610 (2026-03-11) − 900 − 1.0 = 5,709.0
    assert net["2026-03-16"] == pytest.approx(5_709.0)
    assert frame.loc["2026-03-16", "walcl_date"] == pd.Timestamp("2026-03-11")
    # 2026-03-23: the newest WALCL is 12 days old (> 10): missing.
    assert math.isnan(net["2026-03-23"])


def test_without_the_ny_fed_series_fred_rrp_stands_in():
    frame = daily_tga_net_liquidity(WALCL_M, TGA_DAILY_M, RRP_FRED_B)
    # 2026-03-05: 6,600 − 810 − 3.0 = 5,787.0
    assert frame.loc["2026-03-05", "net_liquidity_b"] == pytest.approx(5_787.0)


def _pack_column(path, column):
    with open(path, newline="") as fh:
        return {row["date"]: row[column] for row in csv.DictReader(fh)}


def test_daily_and_weekly_agree_on_every_wednesday_of_the_pack(real_pack, tmp_path):
    """On each Wednesday with WALCL, a DTS row and an RRP print, the daily variant equals the
    Wednesday one: the DTS close equals WDTGAL there (PROVENANCE.md §7)."""
    library = Library(Store(tmp_path / "home"), DataPack(real_pack))
    daily = load_net_liquidity(variant="daily_tga", library=library)["net_liquidity_b"]
    weekly = load_net_liquidity(variant="wednesday", library=library)["net_liquidity_b"]
    tga = _pack_column(real_pack / "treasury" / "tga_daily.csv", "close_balance_musd")
    rrp = _pack_column(real_pack / "fred" / "RRPONTSYD.csv", "value")
    walcl = _pack_column(real_pack / "fred" / "WALCL.csv", "value")
    wednesdays = [d for d in walcl if d in tga and rrp.get(d)]
    assert len(wednesdays) >= 200  # 2022-04-20 → 2026-08-26, less the days without a DTS row
    for day in wednesdays:
        assert daily[day] == pytest.approx(weekly[day], abs=0.001), day
    # One worked by hand from the files: 2026-08-26 (WALCL 6,730,912; DTS TGA; RRP 0.702).
    expected = 6_730_912 / 1000 - float(tga["2026-08-26"]) / 1000 - 0.702
    assert daily["2026-08-26"] == pytest.approx(expected, abs=1e-9)
