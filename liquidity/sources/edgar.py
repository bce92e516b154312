"""SEC EDGAR filings index (keyless, declared User-Agent): the hyperscalers' debt filings.

Steps: `fetch_submissions` (data.sec.gov/submissions/CIK##########.json: the newest ~1,000
filings as parallel arrays under `filings.recent`, older ones in the pages `filings.files`
names) → `older_pages_needed` / `fetch_submission_pages` (a page only when `since` reaches back
before the recent block's oldest filing, and only the pages that end on or after `since`) →
`parse_debt_filings` (the filings kept: 424B2 and 424B5 prospectus supplements, 8-K and 8-K/A
whose items include 2.03; one row per filing, `catalog.FILING_COLUMNS`) → `fetch_document` and
`parse_principal` (the principal stated on the document, its settlement date and a note).
`get_debt_filings` runs them for one ticker, downloading only documents not already in `known`.

Every request goes through `sec`'s seam (`sec._get_json`, `sec.get_text`): the same declared
User-Agent, the same 8/s limiter (the SEC allows 10 requests/s in total, shared with the XBRL
source) and the same rule that a 403 is a block that is not retried.

`parse_principal` never guesses: a cover whose amount is blank (a preliminary supplement),
stated in another currency, contradicted elsewhere on the cover, or offering shares instead of
debt yields NaN and a note starting "amount not parsed: ".
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import requests

from liquidity.core.catalog import FILING_COLUMNS
from liquidity.core.errors import RateLimited, SourceError, SourceUnavailable
from liquidity.sources import http, sec

SOURCE = sec.SOURCE
SUBMISSIONS_URL = "https://data.sec.gov/submissions/CIK{cik:010d}.json"
SUBMISSIONS_PAGE_URL = "https://data.sec.gov/submissions/{name}"
DOCUMENT_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{folder}/{document}"

PROSPECTUS_FORMS = ("424B2", "424B5")
CURRENT_REPORT_FORMS = ("8-K", "8-K/A")
DEBT_ITEM = "2.03"  # Creation of a Direct Financial Obligation
# The parallel arrays a filings block must carry (the recent block and every older page).
ARRAYS = ("accessionNumber", "filingDate", "reportDate", "form", "items", "primaryDocument")

NOT_PARSED = "amount not parsed: "
NOT_FETCHED_YET = NOT_PARSED + "document not fetched yet"
NOT_FETCHED = NOT_PARSED + "document could not be fetched"

# Names that go into URLs are checked against EDGAR's own spelling of them.
ACCESSION_PATTERN = re.compile(r"^\d{10}-\d{2}-\d{6}$")
DOCUMENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
PAGE_PATTERN = re.compile(r"^CIK\d{10}-submissions-\d{3}\.json$")
DOCUMENT_URL_PATTERN = re.compile(
    r"^https://www\.sec\.gov/Archives/edgar/data/\d{1,10}/\d{18}/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"
)
# What www.sec.gov serves instead of a document when it blocks a client.
BLOCK_PAGE_MARKERS = ("Undeclared Automated Tool", "Request Rate Threshold Exceeded")

# The cover of a prospectus supplement: its first page, well inside this many characters of
# text. Reading further would pick up the amounts of the description and risk sections.
COVER_CHARS = 10_000


# --- the filings index -----------------------------------------------------------------------


def fetch_submissions(session: requests.Session, cik: int, *, user_agent: str) -> dict:
    """The submissions JSON of one filer (its recent block and the list of older pages)."""
    url = SUBMISSIONS_URL.format(cik=sec.validate_cik(cik))
    payload = sec._get_json(session, url, user_agent=user_agent)
    if payload is None:
        raise SourceError(SOURCE, f"EDGAR has no filings index for CIK {cik} (HTTP 404)")
    return payload


def older_pages_needed(
    submissions: Mapping[str, Any], since: datetime.date | None = None
) -> list[str]:
    """Names of the older pages that hold filings on or after `since` (all of them for None).

    Empty when the recent block already starts before `since`: a page holds only filings older
    than the block's oldest one, and a page that ends before `since` is not needed either.
    """
    since = http.validate_start(since)
    filings = _filings(submissions)
    dates = _block(filings["recent"], "filings.recent")["filingDate"]
    if since is not None and dates and since > _day(min(dates), "filingDate"):
        return []
    files = filings.get("files", [])
    if not isinstance(files, list):
        raise SourceError(SOURCE, "filings.files is not a list in the submissions JSON")
    names = []
    for entry in files:
        try:
            name, filing_to = entry["name"], entry.get("filingTo")
        except (KeyError, TypeError) as exc:
            raise SourceError(SOURCE, f"filings.files has an unreadable entry {entry!r}") from exc
        if not isinstance(name, str) or not PAGE_PATTERN.match(name):
            raise SourceError(SOURCE, f"filings.files names an unexpected page {name!r}")
        if since is not None and filing_to and _day(filing_to, "filingTo") < since:
            continue
        names.append(name)
    return names


def fetch_submission_pages(
    session: requests.Session,
    submissions: Mapping[str, Any],
    *,
    user_agent: str,
    since: datetime.date | None = None,
) -> list[dict]:
    """The older pages `older_pages_needed` names, in the index's order."""
    pages = []
    for name in older_pages_needed(submissions, since):
        url = SUBMISSIONS_PAGE_URL.format(name=name)
        page = sec._get_json(session, url, user_agent=user_agent)
        if page is None:
            raise SourceError(SOURCE, f"EDGAR lists {name} but has no such page (HTTP 404)")
        pages.append(page)
    return pages


def parse_debt_filings(
    payload_or_pages: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    *,
    cik: int,
    since: datetime.date | None = None,
) -> pd.DataFrame:
    """The debt filings of a submissions JSON and/or its older pages (`FILING_COLUMNS`).

    Kept: 424B2 and 424B5, and 8-K / 8-K/A whose items include 2.03; filed on or after `since`
    when given. One row per accession number, sorted by (filed, accn). Principal and settlement
    date are empty until `parse_principal` has read the document.
    """
    cik = sec.validate_cik(cik)
    since = http.validate_start(since)
    parts = [payload_or_pages] if isinstance(payload_or_pages, Mapping) else payload_or_pages
    rows = []
    for part in parts:
        if not isinstance(part, Mapping):
            raise SourceError(SOURCE, f"expected a submissions JSON object, got {part!r:.60}")
        if "accessionNumber" in part:  # an older page: the parallel arrays at the top level
            block = _block(part, "older submissions page")
        else:
            _check_cik(part, cik)
            block = _block(_filings(part).get("recent"), "filings.recent")
        rows += _debt_rows(block, cik)
    frame = pd.DataFrame(rows, columns=list(FILING_COLUMNS))
    for column in ("filed", "report_date", "settlement_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    frame["principal_usd"] = frame["principal_usd"].astype("float64")
    for column in ("accn", "form", "items", "document", "url", "parse_note"):
        frame[column] = frame[column].astype("str")  # as `frames.read_csv` types a pack file
    if since is not None:
        frame = frame[frame["filed"] >= pd.Timestamp(since)]
    frame = frame.drop_duplicates("accn", keep="first")
    return frame.sort_values(["filed", "accn"], kind="stable", ignore_index=True)


def is_debt_filing(form: str, items: str) -> bool:
    """424B2/424B5, or an 8-K (or its amendment) that reports item 2.03."""
    if form in PROSPECTUS_FORMS:
        return True
    return form in CURRENT_REPORT_FORMS and DEBT_ITEM in _items(items)


def document_url(cik: int, accn: str, document: str) -> str:
    """The Archives URL of a filing's primary document."""
    if not ACCESSION_PATTERN.match(accn):
        raise ValueError(f"invalid accession number {accn!r}")
    if not DOCUMENT_PATTERN.match(document):
        raise ValueError(f"invalid document name {document!r}")
    return DOCUMENT_URL.format(
        cik=sec.validate_cik(cik), folder=accn.replace("-", ""), document=document
    )


def _filings(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    filings = payload.get("filings")
    if not isinstance(filings, Mapping) or "recent" not in filings:
        raise SourceError(SOURCE, "the submissions JSON has no filings.recent block")
    return filings


def _check_cik(payload: Mapping[str, Any], cik: int) -> None:
    stated = payload.get("cik")
    if stated is None:
        return
    try:
        same = int(str(stated)) == cik
    except ValueError:
        same = False
    if not same:
        raise SourceError(SOURCE, f"the submissions JSON is for CIK {stated!r}, not {cik}")


def _block(block: Any, where: str) -> dict[str, list]:
    """The parallel arrays of a filings block, checked: present, lists, of one length."""
    if not isinstance(block, Mapping):
        raise SourceError(SOURCE, f"{where} is not an object of parallel arrays")
    missing = [key for key in ARRAYS if key not in block]
    if missing:
        raise SourceError(SOURCE, f"{where} lacks the array(s) {', '.join(missing)}")
    arrays = {key: value for key, value in block.items() if isinstance(value, list)}
    not_lists = [key for key in ARRAYS if key not in arrays]
    if not_lists:
        raise SourceError(SOURCE, f"{where}: {', '.join(not_lists)} is not an array")
    lengths = {key: len(value) for key, value in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{key} {n}" for key, n in lengths.items())
        raise SourceError(SOURCE, f"{where} has arrays of different lengths ({shown})")
    return arrays


def _debt_rows(block: Mapping[str, list], cik: int) -> list[dict]:
    rows = []
    for i, form in enumerate(block["form"]):
        items = block["items"][i] or ""
        if not isinstance(form, str) or not is_debt_filing(form, str(items)):
            continue
        accn = block["accessionNumber"][i]
        if not isinstance(accn, str) or not ACCESSION_PATTERN.match(accn):
            raise SourceError(SOURCE, f"malformed accession number {accn!r} in the filings index")
        document = block["primaryDocument"][i] or ""
        url, note = "", NOT_FETCHED_YET
        if isinstance(document, str) and DOCUMENT_PATTERN.match(document):
            url = document_url(cik, accn, document)
        else:
            document, note = str(document), NOT_PARSED + "the filings index names no document"
        rows.append(
            {
                "accn": accn,
                "form": form,
                "filed": _day(block["filingDate"][i], "filingDate"),
                "report_date": _day(block["reportDate"][i], "reportDate", optional=True),
                "items": ",".join(_items(str(items))),
                "document": document,
                "url": url,
                "principal_usd": math.nan,
                "settlement_date": pd.NaT,
                "parse_note": note,
            }
        )
    return rows


def _items(items: str) -> list[str]:
    return [item.strip() for item in items.split(",") if item.strip()]


def _day(value: Any, field: str, *, optional: bool = False) -> datetime.date | None:
    if optional and value in ("", None):
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise SourceError(SOURCE, f"malformed {field} {value!r} in the filings index") from exc


# --- documents -------------------------------------------------------------------------------


def fetch_document(session: requests.Session, url: str, *, user_agent: str) -> str:
    """The text (HTML) of one filed document; only www.sec.gov/Archives document URLs."""
    if not isinstance(url, str) or not DOCUMENT_URL_PATTERN.match(url):
        raise ValueError(f"not an EDGAR Archives document URL: {url!r}")
    text = sec.get_text(session, url, user_agent=user_agent)
    if text is None:
        raise SourceError(SOURCE, f"www.sec.gov has no document at {url} (HTTP 404)")
    head = text[:5000]
    if any(marker in head for marker in BLOCK_PAGE_MARKERS):
        raise RateLimited(
            SOURCE,
            "www.sec.gov answered with its block page instead of the document; "
            "wait about 10 minutes before trying again",
            sec.BLOCK_BACKOFF_SECONDS,
        )
    return text


def get_debt_filings(
    session: requests.Session,
    ticker: str,
    *,
    user_agent: str,
    since: datetime.date | None = None,
    known: pd.DataFrame | None = None,
    ciks: Mapping[str, int] | None = None,
) -> tuple[pd.DataFrame, int]:
    """(debt filings of `ticker` with their parsed principal, requests made).

    `ciks` maps tickers to CIKs (default `sec.CIKS`). Documents of filings in `known` (by
    accession number) are not downloaded again: their parsed columns are carried over, unless
    the document could not be fetched last time. A document that fails to download keeps its
    row, with the reason in `parse_note`; a block (403, 429) or being offline stops the run.
    """
    table = sec.CIKS if ciks is None else ciks
    if not isinstance(ticker, str) or ticker not in table:
        raise ValueError(
            f"unknown ticker {ticker!r}: EDGAR debt filings are fetched for "
            f"{', '.join(sorted(table))} (or pass ciks=)"
        )
    cik = sec.validate_cik(table[ticker])
    since = http.validate_start(since)
    submissions = fetch_submissions(session, cik, user_agent=user_agent)
    pages = fetch_submission_pages(session, submissions, user_agent=user_agent, since=since)
    requests_made = 1 + len(pages)
    frame = parse_debt_filings([submissions, *pages], cik=cik, since=since)
    done = _parsed_before(known)
    for i, row in frame.iterrows():
        if row["accn"] in done:
            before = done[row["accn"]]
            for column in ("principal_usd", "settlement_date", "parse_note"):
                frame.at[i, column] = before[column]
            continue
        if not row["url"]:
            continue
        requests_made += 1
        try:
            text = fetch_document(session, row["url"], user_agent=user_agent)
        except (RateLimited, SourceUnavailable):
            raise
        except SourceError as exc:
            frame.at[i, "parse_note"] = f"{NOT_FETCHED} ({exc.message})"
            continue
        principal, settled, note = parse_principal(text)
        frame.at[i, "principal_usd"] = principal
        frame.at[i, "settlement_date"] = settled
        frame.at[i, "parse_note"] = note
    return frame, requests_made


def _parsed_before(known: pd.DataFrame | None) -> dict[str, Mapping[str, Any]]:
    """Rows of `known` by accession number whose document was read (or found unreadable)."""
    if known is None or known.empty:
        return {}
    notes = known["parse_note"].fillna("").astype(str)
    fetched = ~notes.str.startswith(NOT_FETCHED) & (notes != NOT_FETCHED_YET)
    rows = known.loc[fetched, ["accn", "principal_usd", "settlement_date", "parse_note"]]
    return {row["accn"]: row for _, row in rows.iterrows()}


# --- reading the principal -------------------------------------------------------------------

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DATE = rf"(?P<date>{_MONTH}\s+\d{{1,2}},\s+\d{{4}})"
_AMOUNT = r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?\s*(?i:billion|million)\b)"
# US dollars only as "$", "US$" or "U.S.$"; C$, A$, €, £, ¥ and ISO codes are other currencies.
_CURRENCY = r"(?P<cur>(?<![A-Za-z$])(?:U\.S\.\s?\$|US\$|C\$|A\$|\$)|€|£|¥|\b(?:EUR|GBP|CHF|JPY)\s?)"
_RATE = r"(?P<rate>\d{1,2}(?:\.\d{1,4})?\s?%|[Ff]loating[ -][Rr]ate)"
_DEBT = r"(?:[Nn]otes|NOTES|[Bb]onds|BONDS|[Dd]ebentures|DEBENTURES)"
_CONNECTOR = (
    r"\s+(?:(?:in\s+)?(?i:aggregate\s+principal\s+amount)\s+)?"
    r"(?:of\s+)?(?:(?:our|its|the|their)\s+)?"
)
# "$1,500,000,000 4.500% Notes due 2035", "$2.0 billion aggregate principal amount of its 4.800%
# Notes due 2032", "$1,500,000,000 of our 4.600% senior notes due 2028".
TRANCHE = re.compile(
    _CURRENCY
    + r"\s?"
    + _AMOUNT
    + _CONNECTOR
    + _RATE
    + r"\s+(?:[A-Za-z][A-Za-z\-–/]*\s+){0,8}?"
    + _DEBT
    + rf"\s+due\s+(?:{_MONTH}\s+(?:\d{{1,2}},\s+)?)?(?P<year>\d{{4}})\b"
)
# "$3.0 billion aggregate principal amount of senior notes": a total without a rate.
TOTAL = re.compile(
    _CURRENCY
    + r"\s?"
    + _AMOUNT
    + r"\s+(?:in\s+)?(?i:aggregate\s+principal\s+amount)\s+of\s+(?:(?:our|its|the|their)\s+)?"
    + r"(?:[A-Za-z][A-Za-z\-–/]*\s+){0,4}?(?:"
    + _DEBT
    + r"|(?i:debt\s+securities))\b"
)
STANDALONE = re.compile(r"(?<![A-Za-z$])\$\s?" + _AMOUNT)
# "$ aggregate principal amount", "$ % Notes due 20", "$ 6.750% First Mortgage Bonds", "$----".
BLANK = re.compile(
    r"(?<![A-Za-z$])\$(?:\s*[-_–]{2,}|\s*(?=(?:in\s+)?aggregate\s+principal\s+amount\b"
    r"|(?:\d{1,2}(?:\.\d+)?\s?)?%|of\s+(?:our|its)\b))"
)
SHARES = re.compile(
    r"\b(?:common\s+stock|ordinary\s+shares|preferred\s+stock|depositary\s+shares|shares)\b",
    re.IGNORECASE,
)
DEBT_WORDS = re.compile(r"\b(?:notes?|bonds?|debentures?|debt\s+securities)\b", re.IGNORECASE)
# Where the cover stops describing what is offered and starts telling it in sentences.
HEADLINE_END = re.compile(
    r"\bWe\s+(?:are|will\s+be)\s+(?:offering|selling)\b|\bThis\s+prospectus\s+supplement\s+"
    r"(?:relates|and\s+the\s+accompanying\s+prospectus\s+relate)\b",
    re.IGNORECASE,
)
# A mention of debt that is not being offered: what it ranks with, repays or reopens.
NOT_OFFERED_BEFORE = re.compile(
    r"\b(?:existing|outstanding|previously\s+(?:issued|sold|offered)|identical\s+to|rank\s+equally|"
    r"repay|repaid|redeem|redemption|repurchase|tender|retire|refinanc\w*|up\s+to)\b",
    re.IGNORECASE,
)
NOT_OFFERED_AFTER = re.compile(
    r"^[^.;]{0,80}?\b(?:outstanding|offered\s+and\s+sold|previously\s+issued|already\s+issued)\b",
    re.IGNORECASE,
)
# Within one sentence: a period that ends one is followed by a space and a capital letter
# ("Clearstream Banking S.A. and Euroclear" stays one sentence).
_SAME_SENTENCE = r"(?:[^.]|\.(?!\s+[A-Z]))"
SETTLEMENT = (
    re.compile(rf"\bdeliver\w*\b{_SAME_SENTENCE}{{0,300}}?\bon\s+or\s+about\s+{_DATE}", re.I),
    re.compile(rf"\bsettlement\s+date\b{_SAME_SENTENCE}{{0,60}}?{_DATE}", re.IGNORECASE),
)
CLOSING = re.compile(
    rf"\bOn\s+{_DATE},\s+{_SAME_SENTENCE}{{0,250}}?\b(?:completed|consummated|closed|issued|sold)\b"
)
EIGHT_K = re.compile(r"\bFORM\s+8-K(?:/A)?\b[\s\S]{0,400}?\bCURRENT\s+REPORT\b", re.IGNORECASE)
ITEM = re.compile(r"\bItem\s+\d\.\d\d\b", re.IGNORECASE)
SIGNATURE = re.compile(r"\bSIGNATURES?\b")


def parse_principal(text: str) -> tuple[float, pd.Timestamp, str]:
    """(principal in dollars, settlement date or NaT, note) stated on a debt document.

    A 424B2/424B5 is read on its cover, an 8-K in its items. Tranches ("$1,500,000,000 4.500%
    Notes due 2035", "$3.0 billion aggregate principal amount of its 5.125% Senior Notes due
    2036") are added up, a tranche repeated on the page counted once; a stated total must agree
    with that sum. Debt mentioned as existing, outstanding, reopened or repaid is not counted.
    Anything unreadable or ambiguous gives NaN and a note starting "amount not parsed: ".
    """
    plain = html_to_text(text)
    report = bool(EIGHT_K.search(plain[:5000])) and bool(ITEM.search(plain))
    scope = _report_body(plain) if report else plain[:COVER_CHARS]
    where = "in the 8-K" if report else "on the cover"
    settled = _settlement(scope, report)
    principal, note = _principal(scope, report, where)
    return principal, settled, note


def _principal(scope: str, report: bool, where: str) -> tuple[float, str]:
    if not report:
        headline = scope[: _headline_end(scope)]
        if SHARES.search(headline) and not DEBT_WORDS.search(headline):
            shares = SHARES.search(headline).group(0).lower()
            return math.nan, NOT_PARSED + f"the cover offers {shares}, not debt securities"
    if BLANK.search(scope):
        return math.nan, NOT_PARSED + (
            f"the amount is left blank {where} (a preliminary supplement; the final one states it)"
        )
    tranches = [m for m in TRANCHE.finditer(scope) if _offered(scope, m)]
    totals = [m for m in TOTAL.finditer(scope) if _offered(scope, m)]
    foreign = sorted({_currency(m) for m in tranches + totals} - {"USD"})
    if foreign:
        mixed = "US dollar and " if any(_currency(m) == "USD" for m in tranches + totals) else ""
        return math.nan, NOT_PARSED + f"{where} the amounts are in {mixed}{', '.join(foreign)}"
    by_key: dict[tuple[str, str], float] = {}
    labels: dict[tuple[str, str], str] = {}
    for m in tranches:
        key, amount = _tranche_key(m), _dollars(m.group("amount"))
        if key in by_key and by_key[key] != amount:
            return math.nan, NOT_PARSED + (
                f"{where} the {labels[key]} notes are stated as both ${by_key[key]:,.0f} "
                f"and ${amount:,.0f}"
            )
        by_key[key] = amount
        labels[key] = f"{m.group('rate').replace(' ', '')} due {m.group('year')}"
    stated = {_dollars(m.group("amount")) for m in totals}
    if not report and tranches:
        headline_total = _headline_total(scope, tranches[0].start())
        if headline_total is not None:
            stated.add(headline_total)
    if by_key:
        total = sum(by_key.values())
        other = sorted(stated - {total})
        if other:
            return math.nan, NOT_PARSED + (
                f"the tranches {where} add up to ${total:,.0f} but ${other[0]:,.0f} is also "
                "stated as the total"
            )
        parts = " + ".join(f"${by_key[k]:,.0f} {labels[k]}" for k in by_key)
        count = f"{len(by_key)} tranche" + ("s" if len(by_key) > 1 else "")
        agrees = "; equals the stated total" if stated else ""
        return total, f"{count} {where}: {parts}{agrees}"
    if len(stated) == 1:
        (total,) = stated
        return total, f"total {where} (no breakdown by tranche): ${total:,.0f}"
    if len(stated) > 1:
        shown = " and ".join(f"${v:,.0f}" for v in sorted(stated))
        return math.nan, NOT_PARSED + f"{where} several totals are stated ({shown})"
    if report:
        return math.nan, NOT_PARSED + (
            "no principal amount of notes, bonds or debentures in the 8-K "
            "(the obligation may be a loan or credit facility)"
        )
    return math.nan, NOT_PARSED + "no principal amount of notes, bonds or debentures on the cover"


def _offered(scope: str, match: re.Match) -> bool:
    """False when the sentence around the amount presents the debt as not being offered."""
    start = match.start()
    sentence_start = max(scope.rfind(". ", 0, start), scope.rfind("\n", 0, start), start - 250)
    before = scope[sentence_start:start]
    if NOT_OFFERED_BEFORE.search(before):
        return False
    return not NOT_OFFERED_AFTER.search(scope[match.end() : match.end() + 120])


def _headline_end(scope: str) -> int:
    found = HEADLINE_END.search(scope)
    return found.start() if found else min(len(scope), 2500)


def _headline_total(scope: str, first_tranche: int) -> float | None:
    """The amount standing alone above the tranche lines ("$8,500,000,000"), if any."""
    candidates = [
        m
        for m in STANDALONE.finditer(scope, 0, first_tranche)
        if _dollars(m.group("amount")) >= 1e8
        and not re.search(r"\bup\s+to\s*$", scope[max(0, m.start() - 12) : m.start()], re.I)
    ]
    if not candidates or first_tranche - candidates[-1].end() > 300:
        return None
    return _dollars(candidates[-1].group("amount"))


def _tranche_key(match: re.Match) -> tuple[str, str]:
    rate = match.group("rate").replace(" ", "").lower()
    if rate.endswith("%"):
        rate = f"{float(rate[:-1]):.4f}%"
    else:
        rate = "floating"
    return rate, match.group("year")


def _currency(match: re.Match) -> str:
    cur = match.group("cur").strip()
    if cur in ("$", "US$") or cur.replace(" ", "") == "U.S.$":
        return "USD"
    return {"€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD", "A$": "AUD"}.get(cur, cur)


def _dollars(amount: str) -> float:
    text = amount.replace(",", "").strip().lower()
    for word, scale in (("billion", 1e9), ("million", 1e6)):
        if text.endswith(word):
            return round(float(text[: -len(word)].strip()) * scale, 2)
    return float(text)


def _settlement(scope: str, report: bool) -> pd.Timestamp:
    patterns = SETTLEMENT + ((CLOSING,) if report else ())
    for pattern in patterns:
        days = {_parse_date(m.group("date")) for m in pattern.finditer(scope)}
        if len(days) == 1:
            return days.pop()
        if len(days) > 1:
            return pd.NaT  # several dates: not stated unambiguously
    return pd.NaT


def _parse_date(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.datetime.strptime(" ".join(text.split()), "%B %d, %Y"))


def _report_body(plain: str) -> str:
    """An 8-K's items: from the first "Item N.NN" heading to the signature."""
    first = ITEM.search(plain)
    start = first.start() if first else 0
    end = SIGNATURE.search(plain, start)
    return plain[start : end.start() if end else len(plain)]


# --- HTML to text ----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address blockquote br center dd div dl dt h1 h2 h3 h4 h5 h6 hr li ol p pre table tbody td "
    "tfoot th thead title tr ul document type sequence filename description text page".split()
)
_SKIPPED_TAGS = frozenset(("script", "style", "ix:header"))
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))  # a line break in the source is a space


def html_to_text(text: str) -> str:
    """The visible text of an HTML (or EDGAR SGML-wrapped) document: one block per line,
    entities decoded, runs of spaces (non-breaking ones included) made one space."""
    parser = _TextParser()
    parser.feed(text)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
