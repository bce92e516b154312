import pandas as pd
import pytest

from liquidity.core import catalog, units
from liquidity.core.errors import LiquidityError, UnknownDataset


def test_keys_are_unique_and_match_kind_and_name():
    keys = [d.key for d in catalog.CATALOG]
    assert len(keys) == len(set(keys))
    for d in catalog.CATALOG:
        assert d.key == f"{d.kind}/{d.name}"
        assert d.kind in catalog.KINDS
        assert d.native_unit in units.LABELS and d.display_unit in units.LABELS
        lo, hi = d.bounds
        assert lo < hi
        if d.latest_bounds:
            assert lo <= d.latest_bounds[0] < d.latest_bounds[1] <= hi


def test_catalog_covers_the_data_pack_layout():
    fred = {d.name for d in catalog.of_kind(catalog.FRED)}
    assert {
        "WALCL",
        "WDTGAL",
        "WTREGEN",
        "RRPONTSYD",
        "WRESBAL",
        "DGS10",
        "DFII10",
        "BAMLH0A0HYM2",
        "SOFR",
        "IORB",
        "M2SL",
    } <= fred
    tickers = {d.name for d in catalog.of_kind(catalog.PRICES)}
    assert {"MU", "SNDK", "000660.KS", "005930.KS", "BTC-USD", "^GSPC", "IGV"} <= tickers
    assert {d.name for d in catalog.of_kind(catalog.CAPEX)} == set(catalog.HYPERSCALERS)


def test_lookups_are_case_insensitive_and_unknown_ids_say_what_exists():
    assert catalog.fred("walcl").key == "fred/WALCL"
    assert catalog.price("btc-usd").key == "prices/BTC-USD"
    with pytest.raises(UnknownDataset, match="known: WALCL"):
        catalog.fred("NOPE")
    assert catalog.price("zzzz").key == "prices/ZZZZ"  # any symbol can be fetched and stored
    assert catalog.get("prices/NVDA").label == "Nvidia"
    with pytest.raises(UnknownDataset, match="not a ticker"):
        catalog.price("<b>x</b>")
    with pytest.raises(UnknownDataset):
        catalog.get("fred/NOPE")


def test_walcl_bounds_reject_a_billions_slip():
    walcl = catalog.fred("WALCL")
    lo, hi = walcl.bounds
    assert lo <= 6_730_912 <= hi  # $ millions, as FRED publishes it
    assert not lo <= 6_730.912  # the same value read as $ billions


def test_convert_scales_dollars():
    s = pd.Series([6_730_912.0])
    assert units.convert(s, "USD_M", "USD_B").iloc[0] == pytest.approx(6_730.912)
    assert units.convert(s, "USD_M", "USD_T").iloc[0] == pytest.approx(6.730912)
    assert units.convert(0.702, "USD_B", "USD_M") == pytest.approx(702.0)
    assert units.convert(5.0, "USD_B", "USD_B") == 5.0


def test_convert_refuses_non_dollar_units():
    with pytest.raises(LiquidityError, match="only dollar amounts scale"):
        units.convert(4.5, "PCT", "USD_B")
    assert units.label("USD_B") == "$ billions"


def test_convert_scales_rate_points():
    # A 0.05 percentage-point change is 5 basis points (1 pp = 100 bp), and back.
    assert units.convert(0.05, "PCT", "BPS") == pytest.approx(5.0)
    assert units.convert(32.0, "BPS", "PCT") == pytest.approx(0.32)
    with pytest.raises(LiquidityError):
        units.convert(5.0, "BPS", "USD_M")


def test_amount_writes_short_dollar_text():
    # 12,345,678,901 USD = 12.35 $B, one decimal → "$12.3B"; 702 $M in $B = 0.702 → "$0.70B".
    assert units.amount(12_345_678_901, "USD", "USD_B") == "$12.3B"
    assert units.amount(702.0, "USD_M", "USD_B", decimals=2) == "$0.70B"
    assert units.amount(1_250_000, "USD", "USD_M", decimals=2) == "$1.25M"
    assert units.amount(5_980, "USD_B", "USD_T", decimals=2) == "$5.98T"


def test_vintages_are_built_on_demand_from_the_series_own_entry():
    assert set(catalog.VINTAGE_SERIES) <= {d.name for d in catalog.FRED_SERIES}
    assert catalog.KINDS.index(catalog.FRED_VINTAGES) == catalog.KINDS.index(catalog.FRED) + 1
    walcl, vintages = catalog.fred("WALCL"), catalog.vintages("walcl")
    assert (vintages.key, vintages.kind, vintages.name) == (
        "fred_vintages/WALCL",
        "fred_vintages",
        "WALCL",
    )
    assert (vintages.bounds, vintages.latest_bounds) == (walcl.bounds, walcl.latest_bounds)
    assert vintages.native_unit == walcl.native_unit == "USD_M" and vintages.live
    assert catalog.get("fred_vintages/WALCL") == vintages
    # Not catalogued: a pack or store without vintages lists none.
    assert vintages.key not in catalog.KEYS and catalog.of_kind(catalog.FRED_VINTAGES) == ()
    with pytest.raises(UnknownDataset, match="known: WALCL"):
        catalog.vintages("NOPE")
    with pytest.raises(UnknownDataset):
        catalog.get("fred_vintages/NOPE")
