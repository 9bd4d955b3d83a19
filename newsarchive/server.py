"""``newsarchive serve``: the archive kept open, answering searches over HTTP.

A resident process pays for opening the index once, not per search, and its
searches run with the index's files already in memory.  It is read-only: it
never takes the archive lock, so the nightly ingest runs beside it, and it
picks up what that ingest wrote at the next request (``ResidentIndex``
notices a new commit or a new index generation) without a restart.

The JSON API, every answer in one stable shape:

* ``GET /api/search?q=…&limit=&page=&sort=&since=&until=&facet=…`` — a search
  (the query language of the CLI); ``index_lag`` says how far the index is
  behind the records;
* ``GET /api/articles/{id or URL}``, ``/api/similar/{id}?limit=``;
* ``GET /api/timeline?q=&by=month|year``, ``/api/stats``, ``/api/feeds`` (with the last runs);
* ``GET /api/export?q=&format=json|jsonl|csv`` — streamed, in constant memory.

Errors are ``{"error": "...", "code": N}`` with the CLI's exit code and an
HTTP status (400 a bad query, 404 not found, 503 no usable archive).

It binds 127.0.0.1 unless told otherwise; on any other address it requires
a token (``Authorization: Bearer TOKEN``), since what it serves may be a
newsroom's unpublished work.  Every answer carries a strict
Content-Security-Policy.  Uvicorn runs it with one worker process per core,
so two searches use both cores instead of sharing one under the GIL.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from .archive import Archive
from .errors import ArchiveError, NewsArchiveError, NotFound, QueryError
from .exitcodes import ExitCode

ENV_ARCHIVE = "NEWSARCHIVE_SERVE_ARCHIVE"  # how uvicorn's worker processes learn what to serve
ENV_TOKEN = "NEWSARCHIVE_SERVE_TOKEN"
SERVER_FILE = "server.json"  # where a running server says it listens (see client.py)
MAX_LIMIT = 200
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
}
EXPORT_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


class Service:
    """What the routes share: the archive and its index, kept open."""

    def __init__(self, archive: Path) -> None:
        from .search.index import ResidentIndex

        self.archive = Archive(archive)
        self.index = ResidentIndex(archive)

    def search(self, text: str, options: Any) -> dict[str, Any]:
        from .search.query import search

        result = search(self.archive.path, text, options, searcher=self.index.searcher())
        payload = result.to_dict()
        # the snippet with its raw markers too, for a client that highlights in its own way (the CLI)
        for shown, hit in zip(payload["hits"], result.hits, strict=True):
            shown["marked"] = hit.snippet
        payload["index_lag"] = self.lag()
        return payload

    def lag(self) -> int:
        with Archive.open(self.archive.path) as archive:
            return archive.index_lag()


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise QueryError(f"{name} must be a whole number, not {raw!r}") from exc
    if not low <= value <= high:
        raise QueryError(f"{name} must be from {low} to {high}, not {value}")
    return value


def search_options(request: Request, suggest: bool = True, default_limit: int = 10) -> tuple[str, Any]:
    """The query text and ``SearchOptions`` from a request's parameters (shared with the web pages)."""
    from .search.query import SearchOptions
    from .search.schema import FACETS as FACET_NAMES

    params = request.query_params
    limit = _int(request, "limit", default_limit, 1, MAX_LIMIT)
    page = _int(request, "page", 1, 1, 100_000)
    offset = _int(request, "offset", (page - 1) * limit, 0, 10_000_000)
    facets = tuple(f for f in params.getlist("facet") if f)
    unknown = [f for f in facets if f not in FACET_NAMES]
    if unknown:
        raise QueryError(f"unknown facet {unknown[0]!r}: use one of {', '.join(FACET_NAMES)}")
    options = SearchOptions(
        limit,
        offset,
        params.get("sort") or "relevance",
        params.get("since") or None,
        params.get("until") or None,
        facets=facets,
        suggest=suggest,
    )
    return params.get("q", ""), options


def _service(request: Request) -> Service:
    return request.app.state.service


def api_search(request: Request) -> Response:
    text, options = search_options(request)
    return JSONResponse(_service(request).search(text, options))


def api_article(request: Request) -> Response:
    return JSONResponse(_service(request).archive.resolve(request.path_params["ref"]).to_dict())


def api_similar(request: Request) -> Response:
    limit = _int(request, "limit", 5, 1, 100)
    hits = _service(request).archive.similar(request.path_params["ref"], limit)
    return JSONResponse({"hits": [hit.to_dict() for hit in hits]})


def api_timeline(request: Request) -> Response:
    by = request.query_params.get("by") or "month"
    if by not in ("month", "year"):
        raise QueryError(f"by must be month or year, not {by!r}")
    params = request.query_params
    periods = _service(request).archive.timeline(
        params.get("q", ""), by, params.get("since") or None, params.get("until") or None
    )
    return JSONResponse({"by": by, "periods": [{"period": p, "hits": n} for p, n in periods]})


def api_stats(request: Request) -> Response:
    with Archive.open(_service(request).archive.path) as archive:
        return JSONResponse(archive.stats())


def api_feeds(request: Request) -> Response:
    with Archive.open(_service(request).archive.path) as archive:
        return JSONResponse({"feeds": archive.feed_status(), "runs": archive.runs(10)})


def api_export(request: Request) -> Response:
    params = request.query_params
    fmt = params.get("format") or "json"
    if fmt not in EXPORT_TYPES:
        raise QueryError(f"format must be one of {', '.join(EXPORT_TYPES)}, not {fmt!r}")
    return export_response(_service(request).archive, params.get("q") or None, params, fmt)


def export_response(archive: Archive, text: str | None, params: Any, fmt: str) -> Response:
    """Matching records, streamed (CSV spreadsheet-safe); the archive is opened before the first
    byte, so an error comes whole."""
    from . import archive as api

    records = archive.export(text, params.get("since") or None, params.get("until") or None)
    chunks: Iterator[str] = api.serialise(records, fmt, api.record_columns())
    name = f"newsarchive-export.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(chunks, media_type=EXPORT_TYPES[fmt], headers=headers)


def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "archive": str(_service(request).archive.path)})


STATUS = {QueryError: 400, NotFound: 404, ArchiveError: 503}
CODES = {QueryError: ExitCode.QUERY_ERROR, NotFound: ExitCode.NOT_FOUND, ArchiveError: ExitCode.ARCHIVE_ERROR}


def _error(request: Request, exc: Exception) -> Response:
    if not request.url.path.startswith("/api/"):  # a page: the error as a page
        from .web import error_page

        return error_page(request, exc)
    kind = next((k for k in STATUS if isinstance(exc, k)), ArchiveError)
    return JSONResponse({"error": str(exc), "code": int(CODES[kind])}, status_code=STATUS[kind])


class Guard(BaseHTTPMiddleware):
    """A token where one is required, security headers on every answer, reading methods only."""

    def __init__(self, app: Any, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method not in ("GET", "HEAD"):
            response: Response = JSONResponse({"error": "this server only reads", "code": 2}, status_code=405)
        elif self.token and not self._authorised(request):
            response = JSONResponse({"error": "a token is required", "code": 2}, status_code=401)
            response.headers["WWW-Authenticate"] = "Bearer"
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        given = given or request.cookies.get("newsarchive_token", "")
        return bool(given) and hmac.compare_digest(given.encode(), (self.token or "").encode())


def create_app(archive: Path, token: str | None = None) -> Starlette:
    routes: list[BaseRoute] = [
        Route("/api/search", api_search),
        Route("/api/articles/{ref:path}", api_article),
        Route("/api/similar/{ref:path}", api_similar),
        Route("/api/timeline", api_timeline),
        Route("/api/stats", api_stats),
        Route("/api/feeds", api_feeds),
        Route("/api/export", api_export),
        Route("/healthz", health),
    ]
    from .web import routes as pages

    routes += pages()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token)],
        exception_handlers={NewsArchiveError: _error},
    )
    app.state.service = Service(archive)
    return app


def app_from_environment() -> Starlette:
    """What each uvicorn worker process builds (``--workers`` starts them by import string)."""
    return create_app(Path(os.environ[ENV_ARCHIVE]), os.environ.get(ENV_TOKEN) or None)


def record_listening(archive: Path, url: str) -> Path:
    """Tell the CLI where this server listens (ARCHIVE/server.json), for warm searches."""
    path = archive / SERVER_FILE
    partial = path.with_name(f".{SERVER_FILE}.partial")
    partial.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    os.replace(partial, path)
    return path
