"""'More like this': the articles closest to one, by the key terms of its body."""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFound
from ..ingest.store import ArchiveStore
from .index import open_index, reads_index
from .query import Hit

KEY_TERMS = 15


@reads_index
def similar(archive: Path, article_id: str, limit: int = 10) -> list[Hit]:
    """Articles most like ``article_id``, best first (the article itself left out)."""
    ix = open_index(archive)
    store = ArchiveStore(archive, readonly=True)
    try:
        article = store.get(article_id)
        if article is None:
            raise NotFound(f"no article with id {article_id!r}")
        with ix.searcher() as searcher:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                raise NotFound(f"article {article_id!r} is not in the search index: run 'newsarchive reindex'")
            text = "\n".join(filter(None, [article.title, article.standfirst, article.body]))
            results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=KEY_TERMS)
            return [Hit.from_whoosh(rank, hit) for rank, hit in enumerate(results, start=1)]
    finally:
        store.close()
        ix.close()
