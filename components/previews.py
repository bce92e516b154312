"""How one dataset of any kind is drawn on the Data page: what to plot and in which unit."""

from __future__ import annotations

import pandas as pd

from liquidity.core import units
from liquidity.core.catalog import CAPEX, FRED, PRICES, RRP_DAILY, TGA_DAILY, Dataset
from liquidity.data.frames import is_dated


def plot_frame(dataset: Dataset, frame: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """(columns to plot over time, y-axis title with unit), or None for tables-only datasets."""
    if dataset.kind == FRED:
        values = frame[["value"]].dropna().rename(columns={"value": dataset.name})
        if dataset.native_unit in units.USD_SCALE:
            values = units.convert(values, dataset.native_unit, dataset.display_unit)
            return values, f"{dataset.name} ({units.label(dataset.display_unit)})"
        return values, f"{dataset.name} ({units.label(dataset.native_unit)})"
    if dataset.kind == PRICES:
        column = "adj_close" if frame["adj_close"].notna().any() else "close"
        label = "adjusted close" if column == "adj_close" else "close"
        return (
            frame[[column]].dropna().rename(columns={column: f"{dataset.name} {label}"}),
            f"{units.label(dataset.native_unit)} per share/unit",
        )
    if dataset.kind == CAPEX:
        # Calendar-year rows (fiscal_period "CY2024") are 12-month totals; quarters only here.
        quarters = frame[~frame["fiscal_period"].str.fullmatch(r"CY\d{4}")]
        table = quarters.pivot(index="period_end", columns="concept", values="value_usd")
        return units.convert(table, "USD", "USD_B"), "$ billions per quarter"
    if dataset.key == TGA_DAILY:
        values = units.convert(frame[["close_balance_musd"]].dropna(), "USD_M", "USD_B")
        return values.rename(columns={"close_balance_musd": "TGA close"}), "$ billions"
    if dataset.key == RRP_DAILY:
        values = frame[["total_accepted_busd"]].rename(columns={"total_accepted_busd": "ON RRP"})
        return values, "$ billions"
    if is_dated(dataset):
        frame = frame.select_dtypes("number")
        unit = units.label(dataset.native_unit)
        return frame, f"{dataset.label} ({unit})"
    return None
