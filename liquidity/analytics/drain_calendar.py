"""The forward drain calendar: for the next N weeks (1–8) from an as-of date D, which known events
move bank reserves, by how much, and from which source.

Sign convention: `effect_busd` is the effect on bank reserves in $ billions; negative drains
reserves (cash goes into the Treasury General Account), positive adds them. `amount_busd` is the
event's gross size. Missing is not zero: an amount the data do not contain is NaN with the reason
in `note`, never 0. The window is (D, D + 7·N days]: an event on D itself is excluded, one on the
window's last day included.

Rules, one per event kind:

- settlement: every auction whose issue date (settlement) falls in the window takes cash from its
  buyers: effect −amount. Amount = the total accepted when the result is known (it includes the
  Fed's own add-on, which the Fed also redeems, so the SOMA part nets out against maturities
  measured the same way), else the announced offering, else NaN ("offering not yet announced").
  As of a past date only what was known by then counts: a row is known from its announcement
  date or, where the data have none, from its auction date (conservative: Treasury announces
  a few days to a week before the auction, so a replay sees an auction later than it could
  have); its amount is the total accepted only if the auction date is on or before D, else the
  offering.
- maturity: a security maturing in the window pays its holders: effect +amount. The maturity
  date is `maturity_date` where given; a bill (or CMB) without one matures exactly its term after
  issue (an N-week bill 7·N days, the 52-week bill 364 days, an N-day CMB N days); notes and bonds
  without a maturity date are not guessed. Amount = the total accepted summed over the issue's
  auctions held by D (its original auction and reopenings: one CUSIP); NaN when any of them has
  no result in the data; a reopening auctioned after D is left out (it shows as its own
  settlement once known). Known from the issue's first auction date. Securities issued before
  the first auction in the data are not in the data, so maturities of older notes and bonds
  (and, within a year of that date, of bills) are missing and the net overstates the drain; the
  coverage text (`maturity_gap`) names the date and says so. Treasury auctions bills every week,
  so when the data have weeks without any auction the date named is the first auction after the
  last such week (the data's first auction is named too).
- tax: the fixed federal tax dates that swell the TGA: individual estimated tax Jan 15, Apr 15,
  Jun 15, Sep 15; corporate estimated tax Apr 15, Jun 15, Sep 15, Dec 15; the Apr 15 filing
  deadline (IRC §§ 6072, 6654, 6655). Each moves to the next business day when it falls on a
  weekend or a US federal holiday (pandas' USFederalHolidayCalendar) or on DC Emancipation Day
  (Apr 16, observed on the nearest weekday), which IRC § 7503 also counts: that is why the Apr 15
  deadline was Apr 18 in 2022 and 2023. Amount NaN ("size not in the data"); always known
  (known_since NaT). As a reference, never a forecast and never summed,
  `ref_tga_change_busd` is the TGA change on the same tax date one year earlier (close that day
  − close on the previous federal business day), in $ billions (positive = the TGA rose, i.e.
  reserves were drained), when the TGA series has both days.
- fed: curated balance-sheet events (`liquidity/data/balance_sheet.csv`: QT cap changes, end of
  runoff, reserve-management bill purchases) whose effective date is in the window and which
  were announced on or before D. They change a monthly pace; a pace is not a dated flow, so
  amount and effect are NaN and the pace ($B/month, signed as the effect on reserves) is in the
  note; it never enters the weekly totals. A pace already in effect before the window is not
  repeated (the monthly amounts of reserve-management purchases after the first are not in the
  curated file, so no ongoing weekly amount is invented).
- bond: hyperscaler bond deals from EDGAR (424B2/424B5) filed on or before D whose settlement
  date is in the window. A filing that states no settlement date could only be dated by its
  filing date, which is on or before D, so it never falls in a forward window (the debt ledger
  lists it). Amount = principal in $ billions, NaN when not parsed (the note gives the reason).
  Buyers pay for the bonds from private deposits and the issuer's deposits rise: this moves
  deposits, not reserves, so effect_busd is NaN and the amount counts as duration supply (the
  thesis's channel: duration absorbed by the private sector), kept out of the reserves totals.
  A preliminary and a final supplement of one company within DEAL_DAYS stating the same
  principal are one deal.

Weekly totals (`weekly`): one row per Monday-started calendar week that overlaps the window (so a
window that does not start on a Monday has a partial first and last week: first_day and last_day
say which days). A sum is never 0 for lack of rows: Treasury settles bills every week and bills
mature every week, so a week with no settlement or maturity in the data is a week the data do
not reach (not yet announced, or a gap), and its sum is NaN while the count columns say 0. Sums
add the sized events only; the counts and `coverage` say how many were sized. The net cash
raised = settlements − maturities (positive = the Treasury raises cash = reserves drained), both
sized, up to a horizon: bills roll over every week, so a maturity netted against a settlement the
data do not size would read as a large injection that is only missing data. The net therefore
stops the day before the first unsized settlement in the window (or at the last known settlement
when all are sized; `net_through` says the day) and is NaN when no sized settlement precedes it;
a maturity on a day with no known settlement is not netted either (its rollover is not in the
data; the coverage counts it). Maturities missing from the data (see maturity above) make the net
overstate the drain, and the coverage says so. In a replay with no announcement dates, the
auction-date rule can leave the last day's settlements partly unknown, which understates it.
`net_cash_raised` gives the same net over the first N weeks as the tile value, with its coverage.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from pandas.tseries.holiday import Holiday, USFederalHolidayCalendar, nearest_workday
from pandas.tseries.offsets import CustomBusinessDay

from liquidity.analytics import debt_ledger
from liquidity.core import units
from liquidity.core.catalog import AUCTION_COLUMNS, AUCTION_OPTIONAL

MAX_WEEKS = 8
KINDS = ("settlement", "maturity", "tax", "fed", "bond")
CALENDAR_COLUMNS = [
    "date",
    "week",
    "kind",
    "label",
    "amount_busd",
    "effect_busd",
    "known_since",
    "source",
    "note",
    "ref_tga_change_busd",
]
WEEKLY_COLUMNS = [
    "week",
    "first_day",
    "last_day",
    "n_events",
    "n_unknown_amounts",
    "n_settlements",
    "n_settlements_sized",
    "settlements_busd",
    "n_maturities",
    "n_maturities_sized",
    "maturities_busd",
    "net_cash_raised_busd",
    "net_through",
    "tax_days",
    "fed_events",
    "n_bonds",
    "n_bonds_sized",
    "bond_supply_busd",
    "coverage",
]
BALANCE_SHEET_COLUMNS = (
    "announced",
    "effective",
    "label",
    "monthly_change_busd",
    "source_url",
    "detail",
)
FILING_INPUT_COLUMNS = (
    "ticker",
    "accn",
    "form",
    "filed",
    "principal_usd",
    "settlement_date",
    "url",
    "parse_note",
)
BILL_TYPES = ("BILL", "CMB")
BILL_WEEKS = re.compile(r"^(\d+)-Week$", re.IGNORECASE)
BILL_DAYS = re.compile(r"^(\d+)-Day$", re.IGNORECASE)
NOTE_TERM = re.compile(r"^(\d+)-Year(?:\s+(\d+)-Month)?$", re.IGNORECASE)
PROSPECTUS = ("424B2", "424B5")
BILL_MAX_DAYS = 364  # the longest bill, so older bills have all matured a year on
BOND_NOTE = (
    "duration supply: buyers pay from private deposits and the issuer's deposits rise, so it "
    "moves deposits, not reserves; not in the reserves total"
)
TAX_SOURCE = "IRC §§ 6072, 6654, 6655 (due dates), § 7503 (weekend and holiday rule)"
# (month, day) → what falls due; Jan 15 is the last estimated payment of the prior tax year.
TAX_DATES = {
    (1, 15): ["individual estimated tax (4th payment of the prior year)"],
    (4, 15): [
        "individual estimated tax (1st payment)",
        "corporate estimated tax (1st payment)",
        "individual income tax filing deadline",
    ],
    (6, 15): ["individual estimated tax (2nd payment)", "corporate estimated tax (2nd payment)"],
    (9, 15): ["individual estimated tax (3rd payment)", "corporate estimated tax (3rd payment)"],
    (12, 15): ["corporate estimated tax (4th payment)"],
}


class TaxHolidayCalendar(USFederalHolidayCalendar):
    """US federal holidays plus DC Emancipation Day (Apr 16, nearest weekday), the legal holiday
    in the District of Columbia that moves federal tax deadlines (IRC § 7503)."""

    rules = [
        *USFederalHolidayCalendar.rules,
        Holiday(
            "DC Emancipation Day",
            month=4,
            day=16,
            observance=nearest_workday,
            start_date=pd.Timestamp("2005-04-16"),
        ),
    ]


TAX_BUSINESS_DAY = CustomBusinessDay(calendar=TaxHolidayCalendar())
# The Daily Treasury Statement is published on federal business days.
FEDERAL_BUSINESS_DAY = CustomBusinessDay(calendar=USFederalHolidayCalendar())


# ---------------------------------------------------------------------------------------------
# Window and inputs


def check_weeks(weeks) -> int:
    """The number of weeks as an int in 1..MAX_WEEKS; ValueError otherwise."""
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)):
        raise ValueError(f"weeks must be an integer from 1 to {MAX_WEEKS}, not {weeks!r}")
    if not 1 <= int(weeks) <= MAX_WEEKS:
        raise ValueError(f"weeks must be from 1 to {MAX_WEEKS}, not {weeks}")
    return int(weeks)


def check_asof(asof) -> pd.Timestamp:
    """The as-of day (time of day dropped); ValueError for a missing or unreadable date."""
    try:
        ts = pd.Timestamp(asof)
    except (TypeError, ValueError):
        raise ValueError(f"asof must be a date, not {asof!r}") from None
    if pd.isna(ts):
        raise ValueError("asof must be a date, not NaT")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def window(asof, weeks) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(asof, last day): the window is the days after asof up to and including asof + 7·weeks."""
    asof = check_asof(asof)
    return asof, asof + pd.Timedelta(days=7 * check_weeks(weeks))


def _in_window(dates: pd.Series, asof: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return dates.notna() & (dates > asof) & (dates <= end)


def _dates(values) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _text(values) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def auction_frame(auctions: pd.DataFrame) -> pd.DataFrame:
    """The auctions with typed columns (AUCTION_COLUMNS; the optional date columns NaT when
    absent), one row per (cusip, auction date, issue date): where copies of a row repeat, the
    one with the most information (result, then offering) is kept."""
    missing = [c for c in AUCTION_COLUMNS if c not in AUCTION_OPTIONAL and c not in auctions]
    if missing:
        raise ValueError(f"auctions: missing column(s) {', '.join(missing)}")
    frame = auctions.reindex(columns=list(AUCTION_COLUMNS)).copy()
    for col in AUCTION_COLUMNS:
        if col.endswith("_date"):
            frame[col] = _dates(frame[col])
        elif col.endswith("_usd"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        else:
            frame[col] = _text(frame[col])
    # Copies of the upcoming list spell the status "upcoming(offering not yet announced)".
    frame["status"] = frame["status"].where(~frame["status"].str.startswith("upcoming"), "upcoming")
    rank = frame["total_accepted_usd"].notna() * 2 + frame["offering_amt_usd"].notna()
    ranked = frame.assign(_rank=rank).sort_values("_rank", kind="stable")
    repeated = ranked.duplicated(["cusip", "auction_date", "issue_date"], keep="last")
    repeated &= ranked["cusip"].ne("")
    return frame.drop(index=ranked.index[repeated.to_numpy()])


def known_since(auctions: pd.DataFrame) -> pd.Series:
    """When each auction row became known: its announcement date, else its auction date."""
    return auctions["announcement_date"].where(
        auctions["announcement_date"].notna(), auctions["auction_date"]
    )


def _busd(value_usd: float) -> float:
    return float(units.convert(value_usd, "USD", "USD_B"))


def _day(ts) -> str:
    return "unknown date" if pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _signed_b(value: float) -> str:
    """+$40.0B, -$25.0B: a signed amount in $ billions as text."""
    return f"{'-' if value < 0 else '+'}${abs(value):,.1f}B"


def _monday(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


# ---------------------------------------------------------------------------------------------
# Settlements and maturities


def settlement_events(auctions: pd.DataFrame, asof, end) -> list[dict]:
    """One event per auction known by asof whose issue date is in (asof, end]."""
    return _settlement_events(auction_frame(auctions), asof, end)


def _settlement_events(frame: pd.DataFrame, asof, end) -> list[dict]:
    known = known_since(frame)
    rows = frame[_in_window(frame["issue_date"], asof, end) & known.notna() & (known <= asof)]
    events = []
    for i, row in rows.iterrows():
        held = row["auction_date"] <= asof
        auction = _day(row["auction_date"])
        if held and not math.isnan(row["total_accepted_usd"]):
            amount = row["total_accepted_usd"]
            note = f"total accepted at the {auction} auction"
        elif not math.isnan(row["offering_amt_usd"]):
            amount = row["offering_amt_usd"]
            note = (
                f"offering; the {auction} auction's result is not in the data"
                if held
                else f"offering (auction {auction}, after the as-of date)"
            )
        else:
            amount = math.nan
            upcoming = row["status"] == "upcoming" or not held
            note = "offering not yet announced" if upcoming else "amount not in the data"
        amount_b = _busd(amount)
        events.append(
            {
                "date": row["issue_date"],
                "kind": "settlement",
                "label": f"{row['security_term']} {row['security_type']} {row['cusip']} settles",
                "amount_busd": amount_b,
                "effect_busd": -amount_b,
                "known_since": known[i],
                "source": row["source"],
                "note": note,
            }
        )
    return events


def maturity_dates(auctions: pd.DataFrame) -> pd.Series:
    """Each auction row's maturity date: `maturity_date` as given, else a bill's (or CMB's)
    exact term after its issue date; NaT for notes and bonds without one (not guessed)."""
    term = auctions["security_term"]
    days = term.str.extract(BILL_WEEKS, expand=False).astype("float64") * 7
    days = days.fillna(term.str.extract(BILL_DAYS, expand=False).astype("float64"))
    is_bill = auctions["security_type"].str.upper().isin(BILL_TYPES)
    by_term = auctions["issue_date"] + pd.to_timedelta(days.where(is_bill), unit="D")
    return auctions["maturity_date"].where(auctions["maturity_date"].notna(), by_term)


def maturity_events(auctions: pd.DataFrame, asof, end) -> list[dict]:
    """One event per security (CUSIP) auctioned by asof whose maturity is in (asof, end]."""
    return _maturity_events(auction_frame(auctions), asof, end)


def _maturity_events(frame: pd.DataFrame, asof, end) -> list[dict]:
    frame = frame.assign(matures=maturity_dates(frame), known=known_since(frame))
    frame = frame[frame["auction_date"].notna()]
    row_keys = pd.Series([f"row {i}" for i in frame.index], index=frame.index)
    frame["key"] = frame["cusip"].where(frame["cusip"].ne(""), row_keys)
    # Only the securities with an auction maturing in the window are looked at one by one: a
    # live history holds thousands of CUSIPs.
    in_window = (frame["matures"] > asof) & (frame["matures"] <= end)
    frame = frame[frame["key"].isin(frame.loc[in_window, "key"])]
    held = frame[frame["auction_date"] <= asof]
    events = []
    for key, issue in held.groupby("key", sort=False):
        issue = issue.sort_values("auction_date", kind="stable")
        dates = issue["matures"].dropna()
        if dates.empty:
            continue
        matures = dates.mode().max()  # every auction of one CUSIP gives the same date
        if not (asof < matures <= end):
            continue
        totals = issue["total_accepted_usd"]
        amount = totals.sum(min_count=len(totals))  # one missing result: unknown, not smaller
        auctions_text = ", ".join(_day(d) for d in issue["auction_date"])
        if totals.isna().any():
            lacking = ", ".join(_day(d) for d in issue.loc[totals.isna(), "auction_date"])
            note = f"total accepted not in the data for the {lacking} auction"
        elif len(issue) > 1:
            note = f"total accepted summed over the auctions of {auctions_text}"
        else:
            note = f"total accepted at the {auctions_text} auction"
        if dates.nunique() > 1:
            note += f"; the auctions give different maturity dates, {_day(matures)} used"
        later = frame[
            (frame["key"] == key)
            & (frame["auction_date"] > asof)
            & (frame["known"] <= asof)
            & (frame["issue_date"] < matures)
        ]
        if not later.empty:
            note += (
                f"; reopening auctioned {', '.join(_day(d) for d in later['auction_date'])} "
                "(after the as-of date) not included"
            )
        first = issue.iloc[0]
        amount_b = _busd(amount)
        events.append(
            {
                "date": matures,
                "kind": "maturity",
                "label": f"{first['security_term']} {first['security_type']} {key} matures",
                "amount_busd": amount_b,
                "effect_busd": amount_b,
                "known_since": first["auction_date"],
                "source": " ; ".join(dict.fromkeys(s for s in issue["source"] if s)),
                "note": note,
            }
        )
    return events


def _term_months(term: str) -> int | None:
    match = NOTE_TERM.match(term)
    if not match:
        return None
    return int(match.group(1)) * 12 + int(match.group(2) or 0)


def maturity_gap(auctions: pd.DataFrame, asof, end) -> str:
    """What the maturities in (asof, end] miss: issues before the data's first auction (or
    before the data hold an auction every week), and undated notes and bonds that could mature
    in the window. The text ends by saying the net overstates the drain."""
    return _maturity_gap(auction_frame(auctions), asof, end)


def _maturity_gap(frame: pd.DataFrame, asof, end) -> str:
    held = frame[frame["auction_date"].notna() & (frame["auction_date"] <= asof)]
    if held.empty:
        return "no auction in the data by the as-of date, so no maturity is in the data"
    first = held["auction_date"].min()
    # Treasury auctions bills every week: the data are complete at most from the first auction
    # after the last week without any.
    held_weeks = _monday(held["auction_date"])
    weeks = held_weeks.drop_duplicates().sort_values().reset_index(drop=True)
    after_gap = weeks[weeks.diff() > pd.Timedelta(days=7)]
    complete_from = first
    if not after_gap.empty:
        complete_from = held.loc[held_weeks >= after_gap.max(), "auction_date"].min()
    bills_too = end < complete_from + pd.Timedelta(days=BILL_MAX_DAYS)
    kinds = "bills, notes and bonds" if bills_too else "notes and bonds"
    text = f"maturities of {kinds} issued before {_day(complete_from)} are not in the data"
    if complete_from != first:
        text += f" (the data's first auction is {_day(first)}, with weeks missing until then)"
    dated = maturity_dates(held).notna()
    undated = held[~dated & held["issue_date"].notna()].drop_duplicates("cusip")
    could = 0
    for _, row in undated.iterrows():
        months = _term_months(row["security_term"])
        # A reopening's term is rounded to whole months: it matures at least a month short.
        if months is None or row["issue_date"] + pd.DateOffset(months=months - 1) <= end:
            could += 1
    if could:
        text += f"; {could} note/bond issue(s) without a maturity date could mature (not placed)"
    return text + ", so the net overstates the drain"


# ---------------------------------------------------------------------------------------------
# Tax dates


def tax_day(year: int, month: int, day: int) -> pd.Timestamp:
    """A nominal tax date moved to the next business day (weekends, federal holidays, DC
    Emancipation Day)."""
    return TAX_BUSINESS_DAY.rollforward(pd.Timestamp(year, month, day))


def tax_dates(start, end) -> pd.DataFrame:
    """Tax days in [start, end]: date (moved), nominal (the statutory date), label."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    rows = []
    for year in range(start.year - 1, end.year + 1):
        for (month, day), items in TAX_DATES.items():
            moved = tax_day(year, month, day)
            if start <= moved <= end:
                rows.append(
                    {
                        "date": moved,
                        "nominal": pd.Timestamp(year, month, day),
                        "label": "Tax date: " + "; ".join(items),
                    }
                )
    return pd.DataFrame(rows, columns=["date", "nominal", "label"])


def tga_reference(tga: pd.Series | None, nominal: pd.Timestamp) -> tuple[float, str]:
    """The TGA change on the same tax date one year earlier ($ billions) and its note."""
    ref = tax_day(nominal.year - 1, nominal.month, nominal.day)
    prev = ref - FEDERAL_BUSINESS_DAY
    if tga is None or len(tga) == 0:
        return math.nan, "no TGA reference (no TGA series given)"
    series = tga.dropna()
    series.index = pd.DatetimeIndex(series.index).normalize()
    if ref not in series.index or prev not in series.index:
        return math.nan, f"no TGA reference: the series lacks {_day(ref)} or {_day(prev)}"
    change = float(units.convert(float(series[ref]) - float(series[prev]), "USD_M", "USD_B"))
    return change, (
        f"reference, not a forecast: the TGA changed {_signed_b(change)} on {_day(ref)} "
        f"(close vs {_day(prev)})"
    )


def tax_events(asof, end, tga: pd.Series | None = None) -> list[dict]:
    events = []
    for _, row in tax_dates(asof + pd.Timedelta(days=1), end).iterrows():
        ref, ref_note = tga_reference(tga, row["nominal"])
        note = "size not in the data"
        if row["date"] != row["nominal"]:
            note += (
                f"; due {_day(row['nominal'])} ({row['nominal']:%A}), moved to the next business "
                f"day, {_day(row['date'])}"
            )
        events.append(
            {
                "date": row["date"],
                "kind": "tax",
                "label": row["label"],
                "amount_busd": math.nan,
                "effect_busd": math.nan,
                "known_since": pd.NaT,
                "source": TAX_SOURCE,
                "note": f"{note}; {ref_note}",
                "ref_tga_change_busd": ref,
            }
        )
    return events


# ---------------------------------------------------------------------------------------------
# Fed balance sheet and bond deals


def fed_events(balance_sheet: pd.DataFrame | None, asof, end) -> list[dict]:
    """Curated balance-sheet events effective in (asof, end] and announced by asof."""
    if balance_sheet is None or balance_sheet.empty:
        return []
    missing = [c for c in BALANCE_SHEET_COLUMNS if c not in balance_sheet]
    if missing:
        raise ValueError(f"balance_sheet: missing column(s) {', '.join(missing)}")
    frame = balance_sheet.assign(
        announced=_dates(balance_sheet["announced"]),
        effective=_dates(balance_sheet["effective"]),
        monthly_change_busd=pd.to_numeric(balance_sheet["monthly_change_busd"], errors="coerce"),
    )
    rows = frame[
        _in_window(frame["effective"], asof, end)
        & frame["announced"].notna()
        & (frame["announced"] <= asof)
    ]
    events = []
    for _, row in rows.iterrows():
        pace = row["monthly_change_busd"]
        if math.isnan(pace):
            note = "pace not in the curated file"
        else:
            note = f"pace {_signed_b(pace)}/month from {_day(row['effective'])}"
        note += "; a monthly pace, not a dated flow: not in the weekly totals"
        detail = "" if pd.isna(row["detail"]) else str(row["detail"]).strip()
        events.append(
            {
                "date": row["effective"],
                "kind": "fed",
                "label": str(row["label"]),
                "amount_busd": math.nan,
                "effect_busd": math.nan,
                "known_since": row["announced"],
                "source": str(row["source_url"]),
                "note": f"{note}; {detail}" if detail else note,
            }
        )
    return events


def bond_events(filings: pd.DataFrame | None, asof, end) -> list[dict]:
    """Hyperscaler bond deals (424B2/424B5) filed by asof that settle in (asof, end]."""
    if filings is None or filings.empty:
        return []
    missing = [c for c in FILING_INPUT_COLUMNS if c not in filings]
    if missing:
        raise ValueError(f"filings: missing column(s) {', '.join(missing)}")
    frame = pd.DataFrame(
        {
            "ticker": _text(filings["ticker"]),
            "accn": _text(filings["accn"]),
            "form": _text(filings["form"]).str.upper(),
            "filed": _dates(filings["filed"]),
            "principal_usd": pd.to_numeric(filings["principal_usd"], errors="coerce"),
            "settlement_date": _dates(filings["settlement_date"]),
            "url": _text(filings["url"]),
            "parse_note": _text(filings["parse_note"]),
        }
    ).astype({"principal_usd": "float64"})
    frame = frame[frame["form"].isin(PROSPECTUS) & frame["filed"].notna()]
    frame = frame[frame["filed"] <= asof]
    if frame.empty:
        return []
    # One deal counted once, by the ledger's rule (a second supplement is "same deal as").
    ledger = debt_ledger.ledger(frame)
    kept_of = ledger["note"].str.extract(r"same deal as (\S+)", expand=False)
    also = ledger["accn"].groupby(kept_of).agg(", ".join)
    deals = ledger[kept_of.isna()]
    deals = deals[_in_window(deals["settled"], asof, end)]
    events = []
    for _, row in deals.iterrows():
        note = BOND_NOTE
        if math.isnan(row["principal_b"]):
            reason = row["note"] or "principal not parsed"
            note += f"; amount not in the data ({reason})"
        if row["accn"] in also:
            note += f"; same deal as {also[row['accn']]}"
        events.append(
            {
                "date": row["settled"],
                "kind": "bond",
                "label": f"{row['ticker']} bond deal settles ({row['form']} {row['accn']})",
                "amount_busd": row["principal_b"],
                "effect_busd": math.nan,
                "known_since": row["filed"],
                "source": row["url"],
                "note": note,
            }
        )
    return events


# ---------------------------------------------------------------------------------------------
# The calendar, its weekly totals and the tile


def calendar(
    auctions: pd.DataFrame,
    *,
    asof,
    weeks: int,
    balance_sheet: pd.DataFrame | None,
    filings: pd.DataFrame | None = None,
    tga: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per known event in (asof, asof + 7·weeks] (CALENDAR_COLUMNS), sorted by date and
    kind. The frame carries no metadata: `weekly` and `net_cash_raised` take the as-of date and
    the maturity coverage text (`maturity_gap`) as arguments."""
    asof, end = window(asof, weeks)
    auctions = auction_frame(auctions)  # typed once for every step below
    events = [
        *_settlement_events(auctions, asof, end),
        *_maturity_events(auctions, asof, end),
        *tax_events(asof, end, tga),
        *fed_events(balance_sheet, asof, end),
        *bond_events(filings, asof, end),
    ]
    frame = pd.DataFrame(events, columns=CALENDAR_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["known_since"] = pd.to_datetime(frame["known_since"]).astype("datetime64[ns]")
    frame["week"] = _monday(frame["date"])
    for col in ("amount_busd", "effect_busd", "ref_tga_change_busd"):
        frame[col] = frame[col].astype("float64")
    for col in ("kind", "label", "source", "note"):
        frame[col] = frame[col].astype(object).fillna("").astype(str)
    return frame.sort_values(["date", "kind", "label"], kind="stable", ignore_index=True)


def _sized_sum(values: pd.Series) -> float:
    """The sum of the known values; NaN when none is known (never 0 for lack of rows)."""
    return float(values.sum(min_count=1))


def _count_text(n_sized: int, n: int, what: str, none: str) -> str:
    return none if n == 0 else f"{n_sized} of {n} {what} sized"


def net_horizon(calendar_frame: pd.DataFrame, asof, end) -> tuple[pd.Timestamp | None, str]:
    """The last day through which the net cash raised is computed (None: no net) and why.

    Bills roll over every week, so netting a maturity against a settlement that is not in the
    data (not yet announced, or unsized) would show a large injection that is only missing
    data. The net therefore stops the day before the first unsized settlement in the window, or
    at the last known settlement when all are sized; None when no sized settlement is left.
    """
    frame = calendar_frame[_in_window(calendar_frame["date"], asof, end)]
    settle = frame[frame["kind"] == "settlement"]
    if settle.empty:
        return None, "no settlement known yet"
    unsized = settle.loc[settle["amount_busd"].isna(), "date"]
    if unsized.empty:
        return settle["date"].max(), "the last known settlement"
    first = unsized.min()
    if not (settle["amount_busd"].notna() & (settle["date"] < first)).any():
        return None, f"the first settlement, {_day(first)}, is not sized"
    return first - pd.Timedelta(days=1), f"the settlement of {_day(first)} is not sized"


def _net(frame: pd.DataFrame, through: pd.Timestamp | None) -> tuple[float, pd.DataFrame, int]:
    """Sized settlements − sized maturities on or before `through`: (net, the maturities
    netted, the number of maturities left out because no settlement is known on their day)."""
    if through is None:
        return math.nan, frame.iloc[0:0], 0
    span = frame[frame["date"] <= through]
    settle = span[span["kind"] == "settlement"]
    mature = span[span["kind"] == "maturity"]
    # A maturity day without a known settlement: its rollover is not in the data.
    rolled = mature["date"].isin(settle["date"])
    netted = mature[rolled]
    if settle["amount_busd"].notna().sum() == 0:
        return math.nan, netted, int((~rolled).sum())
    value = float(settle["amount_busd"].sum() - netted["amount_busd"].sum())
    return value, netted, int((~rolled).sum())


def _left_out(n: int) -> str:
    return f"{n} maturity(ies) on days without a known settlement not netted" if n else ""


def weekly(calendar_frame: pd.DataFrame, *, asof, weeks: int, maturity_gap: str) -> pd.DataFrame:
    """One row per Monday-started week overlapping (asof, asof + 7·weeks] (WEEKLY_COLUMNS).

    `calendar_frame` is a `calendar()` frame (rows outside the window are ignored);
    `maturity_gap` is the coverage text of its maturities (`maturity_gap(auctions, asof, end)`),
    added to every week's `coverage`.

    Sums add the sized events only and are NaN when a week has none; counts say how many
    events there are and how many were sized; `coverage` says it in words. net_cash_raised_busd
    = sized settlements − sized maturities up to `net_through` (see `net_horizon`; positive =
    cash raised = reserves drained), NaN for a week with no sized settlement by then. Tax days,
    Fed events and bond supply are counted or summed apart, never netted.
    """
    asof, end = window(asof, weeks)
    frame = calendar_frame[_in_window(calendar_frame["date"], asof, end)]
    horizon, horizon_text = net_horizon(frame, asof, end)
    first_day = asof + pd.Timedelta(days=1)
    mondays = pd.date_range(_monday(pd.Series([first_day]))[0], end, freq="7D")
    rows = []
    for monday in mondays:
        lo, hi = max(monday, first_day), min(monday + pd.Timedelta(days=6), end)
        week = frame[(frame["date"] >= lo) & (frame["date"] <= hi)]
        by_kind = {kind: week[week["kind"] == kind] for kind in KINDS}
        settle, mature, bonds = by_kind["settlement"], by_kind["maturity"], by_kind["bond"]
        through = None if horizon is None or horizon < lo else min(horizon, hi)
        net, _, left_out = _net(week, through)
        n_settle_sized = int(settle["amount_busd"].notna().sum())
        n_mature_sized = int(mature["amount_busd"].notna().sum())
        n_bonds_sized = int(bonds["amount_busd"].notna().sum())
        parts = []
        if lo != monday or hi != monday + pd.Timedelta(days=6):
            parts.append(f"partial week: {_day(lo)} to {_day(hi)}")
        parts.append(
            _count_text(n_settle_sized, len(settle), "settlements", "no settlement known yet")
        )
        parts.append(
            _count_text(n_mature_sized, len(mature), "maturities", "no maturity in the data")
        )
        if horizon is None:
            parts.append(f"no net: {horizon_text}")
        elif through is None:
            parts.append(f"no net this week: the net stops at {_day(horizon)} ({horizon_text})")
        elif math.isnan(net):
            parts.append(f"no net this week: no sized settlement by {_day(through)}")
        elif through < hi:
            parts.append(f"net through {_day(through)} only ({horizon_text})")
        parts.append(_left_out(left_out))
        parts.append(maturity_gap)
        if len(by_kind["tax"]):
            parts.append(f"{len(by_kind['tax'])} tax day(s), size not in the data")
        if len(by_kind["fed"]):
            parts.append(f"{len(by_kind['fed'])} Fed event(s): a pace, not in the totals")
        if len(bonds):
            parts.append(
                f"{n_bonds_sized} of {len(bonds)} bond deals sized "
                "(duration supply, not in the reserves net)"
            )
        rows.append(
            {
                "week": monday,
                "first_day": lo,
                "last_day": hi,
                "n_events": len(week),
                "n_unknown_amounts": int(
                    week.loc[week["kind"] != "fed", "amount_busd"].isna().sum()
                ),
                "n_settlements": len(settle),
                "n_settlements_sized": n_settle_sized,
                "settlements_busd": _sized_sum(settle["amount_busd"]),
                "n_maturities": len(mature),
                "n_maturities_sized": n_mature_sized,
                "maturities_busd": _sized_sum(mature["amount_busd"]),
                "net_cash_raised_busd": net,
                "net_through": pd.NaT if math.isnan(net) else through,
                "tax_days": len(by_kind["tax"]),
                "fed_events": len(by_kind["fed"]),
                "n_bonds": len(bonds),
                "n_bonds_sized": n_bonds_sized,
                "bond_supply_busd": _sized_sum(bonds["amount_busd"]),
                "coverage": "; ".join(p for p in parts if p),
            }
        )
    out = pd.DataFrame(rows, columns=WEEKLY_COLUMNS)
    out["net_through"] = pd.to_datetime(out["net_through"])
    return out


def net_cash_raised(
    calendar_frame: pd.DataFrame, *, asof, weeks: int = 4, maturity_gap: str
) -> tuple[float, str]:
    """The "net Treasury cash raised, next N weeks" tile: (value in $ billions, coverage text).

    Value = sized settlements − sized maturities in (asof, asof + 7·weeks] of a `calendar()`
    frame, up to the net horizon (`net_horizon`); positive = the Treasury raises cash =
    reserves drained; NaN when no settlement is sized by then. The text says how many
    settlements and maturities were sized, where the net stops and, last, `maturity_gap`: which
    maturities the data miss over those weeks (`maturity_gap(auctions, asof, asof + 7·weeks)`).
    """
    asof, end = window(asof, weeks)
    frame = calendar_frame[_in_window(calendar_frame["date"], asof, end)]
    settle = frame.loc[frame["kind"] == "settlement", "amount_busd"]
    horizon, horizon_text = net_horizon(frame, asof, end)
    value, netted, left_out = _net(frame, horizon)
    parts = [
        _count_text(
            int(settle.notna().sum()), len(settle), "settlements", "no settlement known yet"
        )
    ]
    if horizon is None:
        parts.append(f"no net: {horizon_text}")
    else:
        later = ", later maturities not netted" if horizon < end else ""
        parts.append(f"net through {_day(horizon)} ({horizon_text}){later}")
        parts.append(
            _count_text(
                int(netted["amount_busd"].notna().sum()),
                len(netted),
                "maturities to then",
                "no maturity netted",
            )
        )
        parts.append(_left_out(left_out))
    parts.append(maturity_gap)
    return value, "; ".join(p for p in parts if p)
