"""Data files shipped with newsarchive (the organisations gazetteer)."""
