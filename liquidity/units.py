"""Units: names, display labels and conversion between dollar scales.

Series are stored in their native unit (as the source publishes them) and converted only here, so
a number on screen always says which unit it is in and a conversion is never done twice.
"""

from __future__ import annotations

import pandas as pd

from liquidity.errors import LiquidityError

# Dollar units and their size in dollars; other units cannot be converted.
USD_SCALE = {"USD": 1.0, "USD_M": 1e6, "USD_B": 1e9, "USD_T": 1e12}

LABELS = {
    "USD": "US dollars",
    "USD_M": "$ millions",
    "USD_B": "$ billions",
    "USD_T": "$ trillions",
    "KRW": "Korean won",
    "LOCAL": "local currency",
    "PCT": "percent",
    "BPS": "basis points",
    "INDEX": "index",
}

SHORT_LABELS = {"USD_M": "$M", "USD_B": "$B", "USD_T": "$T"}

# What the CLI's --unit letters mean.
SHORT = {"M": "USD_M", "B": "USD_B", "T": "USD_T"}


def label(unit: str) -> str:
    """Human label for a unit code, e.g. "$ billions"."""
    return LABELS.get(unit, unit)


def convert(values: pd.Series | pd.DataFrame | float, from_unit: str, to_unit: str):
    """Convert dollar amounts between scales (USD, USD_M, USD_B, USD_T).

    Raises LiquidityError for a non-dollar unit so a percent series can never be "converted".
    """
    if from_unit == to_unit:
        return values
    if from_unit not in USD_SCALE or to_unit not in USD_SCALE:
        raise LiquidityError(
            f"cannot convert {label(from_unit)} to {label(to_unit)}: only dollar amounts scale"
        )
    return values * (USD_SCALE[from_unit] / USD_SCALE[to_unit])
