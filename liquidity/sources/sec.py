"""SEC EDGAR XBRL facts (keyless, but every request must declare who is asking).

Steps: `validate_cik` / `validate_concept` → `fetch_companyfacts`, `fetch_companyconcept`,
`fetch_company_tickers` (parsed JSON; 403 = blocked, HTML and non-objects raise; they validate
their own arguments, which go into the URL) → `parse_facts` (one row per reported fact, for
companyconcept and companyfacts answers alike) and `parse_company_tickers`. Quarterization
lives elsewhere (SOURCES.md §1.7).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests

from liquidity.core.catalog import SEC_COLUMNS
from liquidity.core.errors import NotConfigured, RateLimited, SourceError
from liquidity.sources import http

SOURCE = "sec"
SEC_FACTS_URL = "https://data.sec.gov/api/xbrl/companyfacts/CIK{cik:010d}.json"
SEC_CONCEPT_URL = "https://data.sec.gov/api/xbrl/companyconcept/CIK{cik:010d}/{taxonomy}/{tag}.json"
SEC_TICKERS_URL = "https://www.sec.gov/files/company_tickers.json"
# The SEC allows 10 requests/s in total; staying below leaves room for a second process.
LIMITER = http.RateLimiter(per_second=8)
BLOCK_BACKOFF_SECONDS = 600.0  # the SEC lifts a block after about 10 minutes
# Tags and taxonomies go into the URL path, so only XBRL name characters are let through.
TAG_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,199}$")
TAXONOMY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
MAX_CIK = 9_999_999_999  # the URL carries ten digits

CIKS = {
    "MSFT": 789019,
    "GOOGL": 1652044,
    "AMZN": 1018724,
    "META": 1326801,
    "ORCL": 1341439,
}
FILING_INDEX_URL = "https://www.sec.gov/Archives/edgar/data/{cik}/{folder}/{accn}-index.htm"
USER_AGENT_HELP = (
    "the SEC requires a declared User-Agent with a name and e-mail, e.g. "
    "SEC_USER_AGENT='Jane Doe jane@example.com'. "
    "Set it in the environment or .streamlit/secrets.toml."
)


def filing_index_url(ticker: str, accn: str) -> str | None:
    """The EDGAR index page of one filing, for a big-five ticker and an accession number."""
    if not accn or ticker not in CIKS:
        return None
    return FILING_INDEX_URL.format(cik=CIKS[ticker], folder=accn.replace("-", ""), accn=accn)


def user_agent(environ: Mapping[str, str] = os.environ) -> str:
    value = (environ.get("SEC_USER_AGENT") or "").strip()
    if not value:
        raise NotConfigured(SOURCE, f"SEC_USER_AGENT is not set: {USER_AGENT_HELP}")
    if "@" not in value:
        raise NotConfigured(
            SOURCE, f"SEC_USER_AGENT {value!r} has no e-mail address: {USER_AGENT_HELP}"
        )
    return value


def validate_cik(cik: int) -> int:
    if isinstance(cik, bool) or not isinstance(cik, int) or not 0 < cik <= MAX_CIK:
        raise ValueError(f"invalid CIK {cik!r}: expected a positive integer of at most 10 digits")
    return cik


def validate_concept(tag: str, taxonomy: str = "us-gaap") -> tuple[str, str]:
    """(tag, taxonomy) of a companyconcept request; both go into the URL path."""
    if not TAG_PATTERN.match(tag):
        raise ValueError(f"invalid XBRL tag {tag!r}")
    if not TAXONOMY_PATTERN.match(taxonomy):
        raise ValueError(f"invalid XBRL taxonomy {taxonomy!r}")
    return tag, taxonomy


def fetch_companyfacts(session: requests.Session, cik: int, *, user_agent: str) -> dict:
    url = SEC_FACTS_URL.format(cik=validate_cik(cik))
    payload = _get_json(session, url, user_agent=user_agent)
    if payload is None:
        raise SourceError(SOURCE, f"no XBRL company facts for CIK {cik}")
    return payload


def fetch_companyconcept(
    session: requests.Session,
    cik: int,
    tag: str,
    *,
    user_agent: str,
    taxonomy: str = "us-gaap",
) -> dict | None:
    """One tag's facts, or None when the company never reported the tag (SEC answers 404)."""
    tag, taxonomy = validate_concept(tag, taxonomy)
    url = SEC_CONCEPT_URL.format(cik=validate_cik(cik), taxonomy=taxonomy, tag=tag)
    return _get_json(session, url, user_agent=user_agent)


def fetch_company_tickers(session: requests.Session, *, user_agent: str) -> dict:
    """company_tickers.json: an object keyed "0".."N" of {cik_str, ticker, title}."""
    payload = _get_json(session, SEC_TICKERS_URL, user_agent=user_agent)
    if payload is None:
        raise SourceError(SOURCE, "www.sec.gov has no company_tickers.json (HTTP 404)")
    return payload


def parse_company_tickers(payload: Mapping[str, Any]) -> dict[str, int]:
    """Ticker (upper case) → CIK (not zero-padded) from company_tickers.json."""
    try:
        return {str(row["ticker"]).upper(): int(row["cik_str"]) for row in payload.values()}
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            SOURCE, f"company_tickers.json has an unexpected shape ({exc!r})"
        ) from exc


def get_text(session: requests.Session, url: str, *, user_agent: str) -> str | None:
    """A text answer (an EDGAR document) through the same seam as the JSON ones: declared
    User-Agent, 403 = blocked, 404 = absent (None). Without a declared charset the body is read
    as UTF-8 (cp1252 if it is not UTF-8), not requests' ISO-8859-1 default for text/*."""
    response = _get(session, url, user_agent=user_agent)
    if response is None:
        return None
    if "charset" in response.headers.get("Content-Type", "").lower():
        return response.text
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return response.content.decode("cp1252", errors="replace")


def _get_json(session: requests.Session, url: str, *, user_agent: str) -> dict | None:
    """A JSON object from `_get`; HTML (a block page), unreadable JSON and non-objects raise."""
    response = _get(session, url, user_agent=user_agent)
    if response is None:
        return None
    server = urlsplit(url).hostname or url
    http.reject_html(response.text, source=SOURCE, server=server, expected="JSON")
    try:
        payload = response.json()
    except ValueError as exc:
        raise SourceError(SOURCE, f"unreadable JSON from {url}") from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, f"expected a JSON object from {url}")
    return payload


def _get(session: requests.Session, url: str, *, user_agent: str) -> requests.Response | None:
    """The SEC's one network seam: declared User-Agent, 403 = blocked, 404 = absent (None)."""
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
    response = http.get(
        session,
        url,
        source=SOURCE,
        limiter=LIMITER,
        headers=headers,
        expect=(200, 403, 404),
    )
    if response.status_code == 403:
        # No retry loop: retrying while blocked extends the block.
        raise RateLimited(
            SOURCE,
            "the SEC blocked the request (too many requests or an undeclared User-Agent); "
            "wait about 10 minutes before trying again",
            BLOCK_BACKOFF_SECONDS,
        )
    if response.status_code == 404:
        return None
    return response


def parse_facts(payload: Mapping[str, Any], tags: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per fact from a companyconcept or companyfacts payload; values stay whole USD."""
    wanted = set(tags) if tags is not None else None
    rows = [
        {"taxonomy": taxonomy, "tag": tag, "unit": unit, **fact}
        for taxonomy, tag, units in _concepts(payload)
        if wanted is None or tag in wanted
        for unit, facts in units.items()
        for fact in facts
    ]
    frame = pd.DataFrame(rows).reindex(columns=list(SEC_COLUMNS))
    for column in ("start", "end", "filed"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[us]")
    frame["val"] = frame["val"].astype("float64")
    frame["fy"] = frame["fy"].astype("Int64")
    for column in ("taxonomy", "tag", "unit", "accn", "fp", "form", "frame"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.sort_values(["tag", "end", "filed"], kind="stable", ignore_index=True)


def _concepts(payload: Mapping[str, Any]) -> Iterable[tuple[str, str, dict]]:
    """(taxonomy, tag, units) for both shapes: a companyfacts "facts" tree or one concept."""
    if "facts" in payload:
        for taxonomy, concepts in payload["facts"].items():
            for tag, concept in concepts.items():
                yield taxonomy, tag, concept.get("units", {})
    elif "units" in payload:
        yield payload["taxonomy"], payload["tag"], payload["units"]
    else:
        raise SourceError(SOURCE, "payload is neither companyfacts nor companyconcept")
