"""Units: names, display labels and conversion between dollar scales.

Series are stored in their native unit (as the source publishes them) and converted only here, so
a number on screen always says which unit it is in and a conversion is never done twice.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core.errors import LiquidityError

# Units that convert into one another, each family with its members' size in its base unit:
# dollars, and rate points (a percentage point is 100 basis points). Nothing crosses families.
USD_SCALE = {"USD": 1.0, "USD_M": 1e6, "USD_B": 1e9, "USD_T": 1e12}
RATE_SCALE = {"PCT": 1.0, "BPS": 0.01}
FAMILIES = (USD_SCALE, RATE_SCALE)

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
    """Convert between scales of one family: dollars (USD, USD_M, USD_B, USD_T) or rate
    points (PCT, BPS; for changes and spreads, 0.05 percentage points = 5 bp).

    Raises LiquidityError across families, so a percent can never become dollars.
    """
    if from_unit == to_unit:
        return values
    for scale in FAMILIES:
        if from_unit in scale and to_unit in scale:
            return values * (scale[from_unit] / scale[to_unit])
    raise LiquidityError(
        f"cannot convert {label(from_unit)} to {label(to_unit)}: only dollar amounts scale "
        "into dollars, and rate points into rate points"
    )


def amount(value: float, from_unit: str, to_unit: str, decimals: int = 1) -> str:
    """A dollar amount as short text in `to_unit` (USD_M, USD_B or USD_T): 12.34e9 USD in
    USD_B is "$12.3B"."""
    return f"${convert(value, from_unit, to_unit):,.{decimals}f}{SHORT_LABELS[to_unit][1:]}"
