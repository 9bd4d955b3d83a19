"""Reading, cleaning, extracting and merging articles.

Kept free of heavy imports: the search path imports ``ingest.store`` and
``ingest.models`` and must not pay for bs4, feedparser or ftfy.
"""
