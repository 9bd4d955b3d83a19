"""Feeds over HTTP: conditional fetches, per-feed state, backoff, backfill,
and the comment feeds of posts whose comments we have not all captured.

Per feed the store keeps the ETag and Last-Modified last served, the hash of
the last body, and the record of successes and failures.  A 304 or a
byte-identical body costs no parsing and no index write.  A feed that keeps
failing is tried less and less often (1 h, 2 h, 4 h, ... up to a week) until
it answers again; ``--force`` ignores that.

A post's comment feed is fetched only while the post reports more comments
than the archive holds, and only once per comment count: WordPress's comment
feeds list the latest ten, so the count is often never reached, and many
sites turn comment feeds off.  A comment feed that fails is a warning, not
a failed run, and is backed off like a feed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .decode import content_type_charset
from .errors import SourceError
from .http_fetch import FetchOptions, fetch
from .identity import canonical_url
from .models import Article, Comment, Kind, Part
from .pipeline import Ingestor, Payload, Summary, now_iso
from .snapshots import SnapshotOptions
from .sources.common import SourceContext

MAX_BACKOFF = timedelta(days=7)
COMMENT_FEEDS_PER_RUN = 50  # bounds the requests a night spends on comments


def backoff_delay(failures: int) -> timedelta:
    return min(timedelta(hours=2 ** max(failures - 1, 0)), MAX_BACKOFF)


class FeedFetcher:
    """Fetch feed URLs into an ``Ingestor``, keeping each feed's state."""

    def __init__(self, ingestor: Ingestor, options: FetchOptions | None = None, force: bool = False) -> None:
        self.ingestor = ingestor  # records go through its commit(); feed state shares its store
        self.store = ingestor.store
        self.options = options or FetchOptions()
        self.force = force
        self.comment_feeds_left = COMMENT_FEEDS_PER_RUN
        self.private = False  # the last feed fetched was at a private address (an intranet, a test)

    def _deferred(self, url: str) -> bool:
        next_try = self.store.feed_state(url).get("next_try")
        return bool(next_try) and not self.force and str(next_try) > now_iso()

    def fetch_payload(
        self,
        url: str,
        spam_patterns: list[str] | None = None,
        conditional: bool = True,
        allow_private: bool | None = None,
    ) -> Payload:
        """The feed's new bytes, a not-modified payload, or the error, with state recorded.

        ``allow_private`` as for ``http_fetch.fetch``; whether this fetch began at a
        private address is kept in ``self.private`` for the URLs the feed names.
        """
        state = self.store.feed_state(url)
        attempt = now_iso()
        try:
            fetched = fetch(
                url,
                state.get("etag") if conditional else None,
                state.get("last_modified") if conditional else None,
                self.options,
                allow_private,
            )
        except SourceError as exc:
            self._failed(url, attempt, str(exc))
            return Payload(url, error=exc)
        self.private = fetched.local
        with self.store.transaction():
            if fetched.not_modified:
                self.store.set_feed_state(
                    url, last_attempt=attempt, last_success=attempt, failures=0, next_try=None, last_error=None
                )
                return Payload(url, not_modified=True)
            sha = hashlib.sha256(fetched.body).hexdigest()
            unchanged = conditional and sha == state.get("body_sha")
            self.store.set_feed_state(
                url,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                last_attempt=attempt,
                **(
                    {"last_success": attempt, "failures": 0, "next_try": None, "last_error": None, "body_sha": sha}
                    if unchanged
                    else {}
                ),
            )
        if unchanged:
            return Payload(url, not_modified=True)
        return Payload(
            url,
            data=fetched.body,
            fetched_at=attempt,
            final_url=fetched.url if fetched.url != url else None,
            expect_feed=True,
            spam_patterns=list(spam_patterns or []),
            charset=content_type_charset(fetched.headers.get("content-type")),
        )

    def _failed(self, url: str, attempt: str, message: str) -> None:
        failures = int(self.store.feed_state(url).get("failures") or 0) + 1
        next_try = datetime.fromisoformat(attempt) + backoff_delay(failures)
        with self.store.transaction():
            self.store.set_feed_state(
                url,
                last_attempt=attempt,
                last_error=message,
                failures=failures,
                next_try=next_try.astimezone(UTC).isoformat(),
            )

    def _succeeded(self, url: str, payload: Payload) -> None:
        assert payload.data is not None and payload.fetched_at
        with self.store.transaction():
            self.store.set_feed_state(
                url,
                last_success=payload.fetched_at,
                failures=0,
                next_try=None,
                last_error=None,
                body_sha=payload.sha256,
            )

    def ingest_feed(
        self,
        url: str,
        summary: Summary,
        report: Callable[[str], None],
        spam_patterns: list[str] | None = None,
        notice: Callable[[str], None] = lambda message: None,
    ) -> list[Part]:
        """One feed, end to end: fetch, parse, store, then its comment feeds.

        ``report`` gets the problems of this run (each counted as failed),
        ``notice`` what is worth knowing but not a failure: a feed still
        backed off after failing before (its failure was reported then), a
        comment feed that could not be had.
        """
        summary.sources += 1
        if self._deferred(url):
            summary.outcomes["deferred"] += 1
            state = self.store.feed_state(url)
            notice(f"{url}: failed {state.get('failures')} times in a row, next try after {state.get('next_try')}")
            return []
        payload = self.fetch_payload(url, spam_patterns)
        try:
            parts = self.ingestor.ingest_one(payload, summary)
        except SourceError as exc:
            if payload.data is not None:  # fetched, but not usable: it counts as a failure of the feed
                self._failed(url, payload.fetched_at or now_iso(), str(exc))
            summary.failed[exc.reason] += 1
            report(str(exc))
            return []
        if payload.data is not None:
            self._succeeded(url, payload)
        self._comment_feeds(parts, summary, notice)
        return parts

    # -- comment feeds -------------------------------------------------------

    def _comment_feeds(self, parts: list[Part], summary: Summary, notice: Callable[[str], None]) -> None:
        feed_private = self.private
        for part in parts:
            feed = part.comments_feed
            if not feed or not part.comment_count or self.comment_feeds_left <= 0:
                continue
            article = self._article_for(part)
            if article is not None and len(article.comments) >= part.comment_count:
                continue
            seen = self.store.comments_seen(feed)
            if (seen is not None and part.comment_count <= seen) or self._deferred(feed):
                continue  # it gave all it could at this count, or it is backed off after failing
            self.comment_feeds_left -= 1
            # Held to the standing of the feed that named it: a public feed may not send us to the LAN.
            payload = self.fetch_payload(feed, allow_private=feed_private)
            problem = payload.error
            if payload.data is not None:
                try:
                    self._ingest_comments(payload, part)
                except SourceError as exc:
                    self._failed(feed, payload.fetched_at or now_iso(), str(exc))
                    problem = exc
            if problem is not None:
                summary.warnings[f"comment-feed-{problem.reason}"] += 1
                notice(f"comments of {part.url or part.title}: {problem} (a warning: the post itself is kept)")
                continue
            with self.store.transaction():
                self.store.set_comments_seen(feed, part.comment_count)

    def _article_for(self, part: Part) -> Article | None:
        ids = self.store.find_by_key(f"url:{canonical_url(part.url)}") if part.url else set()
        return self.store.get(sorted(ids)[0]) if ids else None

    def _ingest_comments(self, payload: Payload, post: Part) -> None:
        """A post's comment feed becomes a part carrying only comments, joined by URL."""
        ctx, entries = self.ingestor.parse(
            Payload(payload.origin, data=payload.data, fetched_at=payload.fetched_at, charset=payload.charset)
        )
        part = comment_feed_part(ctx, entries, post.url, post.comment_count)
        options = SnapshotOptions(
            comment_feed_of=post.url, comment_count=post.comment_count, charset=ctx.charset, timezone=ctx.timezone
        )
        self.ingestor.commit(ctx, [part], options, payload.data)

    # -- backfill ------------------------------------------------------------

    def backfill(
        self,
        url: str,
        max_pages: int,
        summary: Summary,
        report: Callable[[str], None],
        progress: Callable[[str], None] = lambda origin: None,
        notice: Callable[[str], None] = lambda message: None,
    ) -> int:
        """Walk a WordPress feed's pages (?paged=2, 3, ...) until one is empty or missing."""
        pages = 0
        for page_url in page_urls(url, max_pages):
            progress(page_url)
            summary.sources += 1
            payload = self.fetch_payload(page_url, conditional=False)
            if payload.error and payload.error.reason in ("http-404", "http-410") and pages:
                break  # past the last page
            try:
                parts = self.ingestor.ingest_one(payload, summary)
            except SourceError as exc:
                if exc.reason == "no-article" and pages:
                    break  # an empty page: the end
                summary.failed[exc.reason] += 1
                report(str(exc))
                break
            pages += 1
            self._comment_feeds(parts, summary, notice)
        return pages


def comment_feed_part(ctx: SourceContext, entries: list[Part], post_url: str | None, comment_count: int | None) -> Part:
    """The comments of a post's comment feed as a part of that post (oldest first)."""
    comments = []
    for entry in reversed(entries):  # feeds list the newest first
        author = entry.authors[0] if entry.authors else None
        if entry.body:
            comments.append(Comment.create(author, entry.published, entry.body))
    return ctx.part(Kind.COMMENT_FEED, key=post_url or "", url=post_url, comments=comments, comment_count=comment_count)


def page_urls(url: str, max_pages: int) -> Iterator[str]:
    """The feed itself, then ?paged=2, ?paged=3, ... up to ``max_pages`` pages."""
    yield url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "paged"]
    for n in range(2, max_pages + 1):
        yield urlunsplit(parts._replace(query=urlencode([*query, ("paged", str(n))])))
