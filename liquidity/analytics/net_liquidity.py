"""Fed net liquidity: the water in the tub, in four documented variants (METHODS.md §1.2).

    wednesday     WALCL − WDTGAL − RRPONTSYD, Wednesday levels (default; NL-B)
    week_average  WALCL − WTREGEN − RRPONTSYD: mixes a Wednesday level with a week average
    reserves      WRESBAL, reserve balances (week average); TGA and RRP are already netted out
    daily         the latest Wednesday WALCL and WDTGAL (at most 10 days old) with daily RRP
    daily_tga     the latest Wednesday WALCL (at most 10 days old) with the Treasury's daily TGA
                  (Daily Treasury Statement) and the daily RRP (NY Fed, else FRED's copy): NL-D

Alignment (METHODS.md §2): WALCL and the TGA need an exact Wednesday observation; RRP is the last
daily value on or before the Wednesday, at most 7 days old; nothing is interpolated. Inputs come
in their native units (WALCL, WDTGAL, WTREGEN, WRESBAL in $ millions; RRPONTSYD in $ billions);
results are in $ billions and checked against a plausible range, so a unit slip fails loudly.
The H.4.1 for a Wednesday is published the next day: `known_at` moves values to that date for
any statistic that pairs liquidity with market prices.
"""

from __future__ import annotations

import pandas as pd

from liquidity.core import units
from liquidity.core.calendar import latest_on_or_before, observed_on_or_before, wednesdays
from liquidity.core.errors import LiquidityError

# Non-FRED inputs of the daily_tga variant: the Daily Treasury Statement's TGA close ($ millions)
# and the NY Fed's overnight RRP ($ billions), which FRED copies as RRPONTSYD a day or so later.
TGA_DTS = "TGA_DTS"
RRP_NYFED = "RRP_NYFED"

VARIANTS = {
    "wednesday": "Wednesday levels: WALCL − WDTGAL − RRP",
    "week_average": "WALCL − WTREGEN (week average) − RRP: mixes a level with an average",
    "reserves": "Reserve balances (WRESBAL, week average): TGA and RRP already netted out",
    "daily": "Daily: latest Wednesday WALCL and WDTGAL (≤ 10 days old) with daily RRP",
    "daily_tga": "Daily: latest Wednesday WALCL (≤ 10 days old) − daily TGA (DTS) − daily RRP",
}
INPUTS = {
    "wednesday": ("WALCL", "WDTGAL", "RRPONTSYD"),
    "week_average": ("WALCL", "WTREGEN", "RRPONTSYD"),
    "reserves": ("WRESBAL",),
    "daily": ("WALCL", "WDTGAL", "RRPONTSYD"),
    "daily_tga": ("WALCL", TGA_DTS, "RRPONTSYD"),
}
# Inputs a variant uses when they are there and does without otherwise.
OPTIONAL_INPUTS = {"daily_tga": (RRP_NYFED,)}
RRP_MAX_AGE = pd.Timedelta(days=7)
WEEKLY_MAX_AGE = pd.Timedelta(days=10)  # METHODS.md R5: never carry a weekly value further
# Net liquidity has stayed within these bounds since 2008; outside them a unit is wrong.
PLAUSIBLE_B = (500.0, 10_000.0)
PLAUSIBLE_SINCE = pd.Timestamp("2008-01-01")
# Reserves were tens of billions until the 2008 crisis and above $600B since 2009.
RESERVES_PLAUSIBLE_SINCE = pd.Timestamp("2009-01-01")


def wednesday_net_liquidity(walcl_m: pd.Series, tga_m: pd.Series, rrp_b: pd.Series) -> pd.DataFrame:
    """Weekly net liquidity and its parts in $ billions: walcl_b, tga_b, rrp_b, net_liquidity_b.

    Indexed by the Wednesdays on which WALCL was observed. The TGA series may be the Wednesday
    level (WDTGAL) or the week average stamped on the Wednesday ending its week (WTREGEN).
    """
    weds = wednesdays(walcl_m)
    frame = pd.DataFrame(
        {
            "walcl_b": units.convert(walcl_m.reindex(weds), "USD_M", "USD_B"),
            "tga_b": units.convert(tga_m.reindex(weds), "USD_M", "USD_B"),
            "rrp_b": latest_on_or_before(rrp_b, weds, RRP_MAX_AGE),
        },
        index=weds,
    )
    frame["net_liquidity_b"] = frame["walcl_b"] - frame["tga_b"] - frame["rrp_b"]
    check_plausible(frame["net_liquidity_b"])
    return frame


def reserves_net_liquidity(wresbal_m: pd.Series) -> pd.DataFrame:
    """Reserve balances as the measure of liquidity: reserves_b and net_liquidity_b (equal).

    Reserves already reflect the TGA and RRP, so subtracting them again would double count.
    """
    weds = wednesdays(wresbal_m)
    reserves = units.convert(wresbal_m.reindex(weds), "USD_M", "USD_B")
    frame = pd.DataFrame({"reserves_b": reserves, "net_liquidity_b": reserves}, index=weds)
    check_plausible(frame["net_liquidity_b"], since=RESERVES_PLAUSIBLE_SINCE)
    return frame


def daily_net_liquidity(walcl_m: pd.Series, tga_m: pd.Series, rrp_b: pd.Series) -> pd.DataFrame:
    """Net liquidity on every day with an RRP print, using the latest Wednesday balance sheet.

    WALCL and WDTGAL are carried forward from their Wednesday observation at most 10 days (the
    column walcl_date shows which Wednesday); only RRP moves daily. Days without a fresh
    Wednesday value are missing, not filled.
    """
    days = pd.DatetimeIndex(rrp_b.dropna().index, name="date")
    walcl, walcl_date = observed_on_or_before(walcl_m, days, WEEKLY_MAX_AGE)
    tga, _ = observed_on_or_before(tga_m.reindex(wednesdays(tga_m)), days, WEEKLY_MAX_AGE)
    frame = pd.DataFrame(
        {
            "walcl_b": units.convert(walcl, "USD_M", "USD_B"),
            "tga_b": units.convert(tga, "USD_M", "USD_B"),
            "rrp_b": rrp_b.dropna().reindex(days),
            "walcl_date": walcl_date,
        },
        index=days,
    )
    frame["net_liquidity_b"] = frame["walcl_b"] - frame["tga_b"] - frame["rrp_b"]
    check_plausible(frame["net_liquidity_b"])
    return frame


def daily_tga_net_liquidity(
    walcl_m: pd.Series,
    tga_daily_m: pd.Series,
    rrp_b: pd.Series,
    rrp_nyfed_b: pd.Series | None = None,
) -> pd.DataFrame:
    """Net liquidity on every day of the Daily Treasury Statement (NL-D, METHODS.md §1.2).

    WALCL is carried from its Wednesday at most 10 days (walcl_date says which); the TGA is the
    statement's closing balance of the day; RRP is the NY Fed's figure of the same day where
    there is one, else FRED's RRPONTSYD of that day (rrp_source says which). A day without an
    RRP print of its own is missing, not filled. On a Wednesday the DTS close equals WDTGAL,
    so the result equals the Wednesday variant there.
    """
    days = pd.DatetimeIndex(tga_daily_m.dropna().index, name="date")
    walcl, walcl_date = observed_on_or_before(walcl_m, days, WEEKLY_MAX_AGE)
    fred_rrp = rrp_b.dropna().reindex(days)
    nyfed = (
        rrp_nyfed_b.dropna().reindex(days)
        if rrp_nyfed_b is not None
        else pd.Series(float("nan"), index=days)
    )
    rrp = nyfed.where(nyfed.notna(), fred_rrp)
    source = pd.Series(None, index=days, dtype=object)
    source[fred_rrp.notna()] = "FRED RRPONTSYD"
    source[nyfed.notna()] = "NY Fed"
    frame = pd.DataFrame(
        {
            "walcl_b": units.convert(walcl, "USD_M", "USD_B"),
            "tga_b": units.convert(tga_daily_m.dropna().reindex(days), "USD_M", "USD_B"),
            "rrp_b": rrp,
            "walcl_date": walcl_date,
            "rrp_source": source,
        },
        index=days,
    )
    frame["net_liquidity_b"] = frame["walcl_b"] - frame["tga_b"] - frame["rrp_b"]
    check_plausible(frame["net_liquidity_b"])
    return frame


def net_liquidity(variant: str, series: dict[str, pd.Series]) -> pd.DataFrame:
    """Net liquidity for `variant` from native-unit FRED series keyed by id (see INPUTS)."""
    check_variant(variant)
    missing = [s for s in INPUTS[variant] if s not in series]
    if missing:
        raise LiquidityError(f"the {variant} variant needs {', '.join(missing)}")
    if variant == "reserves":
        return reserves_net_liquidity(series["WRESBAL"])
    if variant == "daily_tga":
        return daily_tga_net_liquidity(
            series["WALCL"], series[TGA_DTS], series["RRPONTSYD"], series.get(RRP_NYFED)
        )
    tga = series["WTREGEN" if variant == "week_average" else "WDTGAL"]
    if variant == "daily":
        return daily_net_liquidity(series["WALCL"], tga, series["RRPONTSYD"])
    return wednesday_net_liquidity(series["WALCL"], tga, series["RRPONTSYD"])


def check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise LiquidityError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")


def check_plausible(net_b: pd.Series, since: pd.Timestamp = PLAUSIBLE_SINCE) -> None:
    recent = net_b.loc[since:].dropna()
    lo, hi = PLAUSIBLE_B
    bad = recent[(recent < lo) | (recent > hi)]
    if not bad.empty:
        raise LiquidityError(
            f"net liquidity {bad.iloc[0]:,.0f} $B on {bad.index[0].date()} is outside "
            f"[{lo:,.0f}, {hi:,.0f}] $B: an input is in the wrong unit"
        )


def weekly_flows(frame: pd.DataFrame) -> pd.DataFrame:
    """Week-on-week changes in $ billions whose parts sum to the change in net liquidity.

    For the balance-sheet variants: d_walcl_b + neg_d_tga_b + neg_d_rrp_b = d_net_liquidity_b
    (a TGA or RRP that rises drains the tub, hence the sign). For reserves: d_reserves_b. A week
    whose previous Wednesday is missing has no change (no gap is bridged).
    """
    weekly = frame.drop(columns=["walcl_date", "rrp_source"], errors="ignore")
    previous = weekly.reindex(weekly.index - pd.Timedelta(weeks=1))
    previous.index = weekly.index
    change = weekly - previous
    if "reserves_b" in weekly:
        return pd.DataFrame(
            {"d_reserves_b": change["reserves_b"], "d_net_liquidity_b": change["net_liquidity_b"]}
        )
    return pd.DataFrame(
        {
            "d_walcl_b": change["walcl_b"],
            "neg_d_tga_b": -change["tga_b"],
            "neg_d_rrp_b": -change["rrp_b"],
            "d_net_liquidity_b": change["net_liquidity_b"],
        }
    )
