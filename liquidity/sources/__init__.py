"""Live data-source adapters (FRED, Yahoo Finance, SEC EDGAR).

Each adapter validates the request, fetches through one injected network seam, and shapes the
answer into a plain DataFrame or dict; none of them caches data or imports streamlit.
"""
