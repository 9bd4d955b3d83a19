"""The newsroom's web pages, served by ``newsarchive serve`` beside its JSON API.

Server-rendered HTML from Jinja2 templates (``templates/``), with no
JavaScript at all: every page works in any browser, prints, and reads on a
phone.  The whole state of a search (query, dates, sort, page) lives in the
URL, so a link sent to an editor opens the same results; a facet is a link
that adds its field to the query (``council:"Kent"``), in the query language
the CLI speaks.

Everything shown came from the open web, so Jinja2 escapes every field
(titles, bodies, comments, names), snippets are escaped before their match
markers become ``<mark>``, and a URL becomes a link only when it is http(s)
(``javascript:``, ``data:`` and the rest are shown as text).  The server's
Content-Security-Policy forbids inline script and style besides.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .archive import Archive
from .errors import NewsArchiveError, NotFound, QueryError
from .results import MARK_END, MARK_START, query_from_args

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 20
FACET_FIELDS = {
    "year": "date",
    "month": "date",
    "author": "author",
    "tag": "tag",
    "person": "person",
    "org": "org",
    "council": "council",
}
FACET_TITLES = {
    "year": "Year",
    "month": "Month",
    "author": "Author",
    "tag": "Tag",
    "person": "People",
    "org": "Organisations",
    "council": "Councils",
}
QUERY_HELP = [
    ('"early adopter"', "a phrase: also finds early adopters, early-adopter"),
    ("framework -wales", "leave out articles with a word"),
    ("social AND (funding OR pay)", "AND, OR, NOT and brackets"),
    ("adopt*", "words that start so"),
    ('title:"pay scales"', "in the headline only (also standfirst:, body:, comments:)"),
    ('author:"Alex Turner"', "by an author (also tag:, site:)"),
    ('person:Trowler  org:Ofsted  council:"East Sussex"', "who and what is named"),
    ("has:poll  has:comments", "articles with a poll, with comments"),
    ("date:2024-01..2024-03  date:30d", "published in a period"),
]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["marked"] = marked
    env.filters["link"] = safe_link
    env.filters["day"] = lambda value: (value or "")[:10] or "undated"
    env.globals["url_with"] = url_with
    return env


def marked(snippet: str) -> Markup:
    """A snippet escaped, then its match markers as ``<mark>``: nothing in the text becomes markup."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def safe_link(url: str | None) -> str | None:
    """The URL if it may be a link (http or https), else None: a feed's ``javascript:`` stays text."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def url_with(path: str, params: dict[str, Any], **changes: Any) -> str:
    """``path`` with the search's parameters, some changed (None removes one)."""
    merged = {**params, **changes}
    kept = [(k, v) for k, v in merged.items() if v not in (None, "", [])]
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _environment().get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


def _state(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {k: params.get(k, "") for k in ("q", "since", "until", "sort")} | {"page": params.get("page", "")}


def _archive(request: Request) -> Archive:
    archive: Archive = request.app.state.service.archive
    return archive


def search_page(request: Request) -> Response:
    from .server import search_options

    state = _state(request)
    context: dict[str, Any] = {"state": state, "help": QUERY_HELP, "facet_titles": FACET_TITLES}
    if not state["q"] and not state["since"] and not state["until"]:
        return _render(request, "search.html", **context)
    text, options = search_options(request, default_limit=PAGE_SIZE)
    text = query_from_args([text])  # a pasted headline or URL, as in the CLI
    options.facets = tuple(FACET_FIELDS)
    try:
        result = request.app.state.service.search(text, options)
    except QueryError as exc:
        return _render(request, "search.html", status=400, error=str(exc), **context)
    pages = max(1, math.ceil(result["total"] / options.limit))
    facets = {
        name: [(f["value"], f["count"], _narrowed(state, name, f["value"])) for f in counts[:12]]
        for name, counts in result["facets"].items()
        if counts
    }
    return _render(
        request,
        "search.html",
        result=result,
        facets=facets,
        page=options.offset // options.limit + 1,
        pages=pages,
        **context,
    )


def _narrowed(state: dict[str, Any], facet: str, value: str) -> str:
    """The search's URL with one more clause: the facet's value, in the query language."""
    field = FACET_FIELDS[facet]
    clause = f"{field}:{value}" if field == "date" else f'{field}:"{value.replace(chr(34), "")}"'
    query = f"{state['q']} {clause}".strip()
    return url_with("/", state, q=query, page=None)


def article_page(request: Request) -> Response:
    archive = _archive(request)
    try:
        article = archive.resolve(request.path_params["ref"])
    except NotFound as exc:
        return _render(request, "error.html", status=404, message=str(exc))
    try:
        similar = archive.similar(article.id, 5)
    except NewsArchiveError:
        similar = []
    paragraphs = [p for p in article.body.split("\n") if p.strip()]
    return _render(request, "article.html", article=article, paragraphs=paragraphs, similar=similar)


def timeline_page(request: Request) -> Response:
    state = _state(request)
    by = request.query_params.get("by") or "month"
    if by not in ("month", "year"):
        by = "month"
    try:
        periods = _archive(request).timeline(state["q"], by, state["since"] or None, state["until"] or None)
    except QueryError as exc:
        return _render(request, "timeline.html", status=400, error=str(exc), state=state, by=by, bars=[])
    return _render(
        request, "timeline.html", state=state, by=by, bars=_bars(periods, state), total=sum(n for _, n in periods)
    )


def _bars(periods: list[tuple[str, int]], state: dict[str, Any]) -> list[dict[str, Any]]:
    """Each period as an SVG bar: position, height, label and the link to its hits."""
    top = max((n for _, n in periods), default=0) or 1
    width = max(4.0, min(40.0, 900 / max(len(periods), 1)))
    bars = []
    for i, (period, hits) in enumerate(periods):
        height = 200 * hits / top
        query = f"{state['q']} date:{period}".strip()
        bars.append(
            {
                "x": round(i * width, 1),
                "y": round(220 - height, 1),
                "width": round(width * 0.85, 1),
                "height": round(height, 1),
                "period": period,
                "hits": hits,
                "href": url_with("/", state, q=query, page=None),
            }
        )
    return bars


def export_download(request: Request) -> Response:
    from .server import EXPORT_TYPES, export_response

    params = request.query_params
    fmt = params.get("format") or "csv"
    if fmt not in EXPORT_TYPES:
        return _render(request, "error.html", status=400, message=f"unknown format {fmt!r}")
    return export_response(_archive(request), params.get("q") or None, params, fmt)


def feeds_page(request: Request) -> Response:
    with Archive.open(_archive(request).path) as archive:
        feeds, runs = archive.feed_status(), archive.runs(10)
    return _render(request, "feeds.html", feeds=feeds, runs=runs)


def routes() -> list[Route | Mount]:
    return [
        Route("/", search_page),
        Route("/article/{ref:path}", article_page),
        Route("/timeline", timeline_page),
        Route("/export", export_download),
        Route("/feeds", feeds_page),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def error_page(request: Request, exc: Exception) -> Response:
    """An archive error on a page, as a page (the API answers JSON)."""
    status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, QueryError) else 503
    if not isinstance(exc, NewsArchiveError):
        status = 500
    return _render(request, "error.html", status=status, message=str(exc))
