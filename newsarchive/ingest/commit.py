"""The one write path: a source's parts and its raw snapshot, stored together or not at all.

Files, fetched feeds, comment feeds and a rebuild from snapshots all end
here: the raw bytes are saved first (content-addressed, so a rolled-back
source leaves only a file that the next try reuses), then one transaction
folds each part into its article and records the snapshot with the options
it was read with, so that ``reindex --from-snapshots`` reads it again the
same way.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import snapshots
from .identity import remember_keys
from .matching import Ahead, apply_part
from .models import Part
from .snapshots import SnapshotOptions
from .sources.common import SourceContext
from .store import ArchiveStore


def commit_source(
    store: ArchiveStore,
    archive: Path,
    ctx: SourceContext,
    parts: list[Part],
    options: SnapshotOptions,
    data: bytes | None = None,
    ahead: Ahead | None = None,
) -> Counter[str]:
    """Store one source: its snapshot (``data``; None when the archive keeps it already,
    as in a rebuild) and each of its parts; return the parts' outcomes (added, updated,
    unchanged).  ``ahead``: what a parsing worker computed for these parts: its match
    keys join the memo ``identity.text_keys`` keeps (once for the source), its
    entities go to each part's merge."""
    if ahead is not None:
        remember_keys(ahead.keys)
    if data is not None:
        snapshots.save(archive, ctx.sha256, data)
    outcomes: Counter[str] = Counter()
    with store.transaction():
        for part in parts:
            outcomes[apply_part(store, part, ahead.entities if ahead else None).status] += 1
        store.add_snapshot(ctx.sha256, ctx.origin, ctx.fetched_at, options)
    return outcomes
