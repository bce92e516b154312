"""Live data-source adapters: FRED, Yahoo Finance, SEC EDGAR, CoinGlass, exchange REST APIs.

Every source names its three steps alike: `validate_<what>` (pure request checks, ValueError),
`fetch_<what>` (one call through the injected session or download function, returning the raw
payload: text, JSON, yfinance's frame; status, HTML and error-envelope answers raise SourceError)
and `parse_<what>` (pure: payload → frame or records; a malformed payload raises SourceError or
ValueError). `get_<what>` runs the three where a caller wants one call.
tests/test_source_payloads.py runs every parse step over recorded payloads. None of the modules
caches data or imports streamlit.
"""
