"""HTML article pages: metadata from the markup, main text by trafilatura.

Finding the article text among navigation, share bars, related links and
adverts is trafilatura's whole job, and it does it better than a few rules of
ours would; we read the metadata ourselves because we want the publisher's
own statements (``article:published_time``, JSON-LD) in a fixed order of
trust, and we run the result through the same cleaning as every other kind.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from ..clean import fix_line, normalise_line
from ..dates import MONTH, date_from_url, iso_date
from ..models import Image, Kind, Part
from ..polls import extract_polls
from ..spam import clean_titles
from .common import SourceContext, build_body, cleaning_notes, split_authors
from .html_comments import parse_comments, reported_count

KIND = Kind.HTML_PAGE
HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype html|html|head|body)\b", re.I | re.S)
TITLE_SUFFIX = re.compile(r"\s+[-–|—:»]\s+[^-–|—:»]{2,60}$")
SEPARATOR = r"\s+[-–|—:»·]\s+"
DANGLING = re.compile(r"^\s*[-–|—:»·]\s+|\s+[-–|—:»·]\s*$")
# Bounds on what is looked at, each walk of which goes up or down the tree: a
# hostile page can nest thousands of them.
BYLINE_CANDIDATES = 30
HEADINGS = 10
# A comment or the comment area, by class or id: not "comments-open" on <body>
COMMENT_CLASS = re.compile(
    r"^(?:comments?|commentlist|comments?[-_](?:area|list|section|wrap|wrapper|container|thread)"
    r"|comment[-_](?:body|content|author|meta|text|item))$",
    re.I,
)
COMMENT_ID = re.compile(r"^(?:comments|respond|(?:li-|div-)?comment-\d+)$", re.I)
BYLINE = re.compile(r"^\s*by\s+(.+)$", re.I)
# trafilatura sometimes takes its author from comment markup ("Jo Bloggs says:",
# "On August 3"): a commenter's name or a date, never the article's author.
# Not "said": Said is a surname.
COMMENTER = re.compile(r"\s(?:says:?|wrote:)$", re.I)
DATE_WORDS = re.compile(r"^(?:on\s+)?(?:\w+\s+)?" + MONTH + r"\s+\d", re.I)


def looks_like(text: str) -> bool:
    head = text[:5000].lstrip("\ufeff")
    return bool(HTML_START.match(head)) or len(re.findall(r"</?(?:p|div|a|span|br)\b", text[:20000], re.I)) >= 5


def _soup(text: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        # XHTML pages parse fine as HTML; bs4's hint about an XML parser is noise here.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(text, "lxml")


def read(text: str, data: bytes, ctx: SourceContext) -> list[Part]:
    """The reader interface (``ingest.readers.Reader``): this kind is read from the decoded text."""
    return parse(text, ctx)


def parse(text: str, ctx: SourceContext) -> list[Part]:
    soup = _soup(text)
    meta = _metadata(soup)
    lines, found = _extract(text)
    meta["title"] = _headline(soup, _without_site(found.get("title") or meta["title"], soup, meta["site"]))
    meta["authors"] = split_authors(meta["authors"] or found.get("authors", []))
    poll_lines = _poll_lines(soup)
    polls, _ = extract_polls(poll_lines) if poll_lines else ([], [])
    body = build_body(lines)
    comments = parse_comments(soup, ctx.timezone)
    comment_count = reported_count(soup)
    title = meta["title"]
    spam_removed: list[str] = []
    if title:
        ((title, spam_removed),) = clean_titles([title], ctx.spam_filter(meta["language"]), body.text)
    url = meta["url"]
    published, date_source = meta["published"], meta["date_source"]
    if not published and (published := date_from_url(url, ctx.timezone)):
        date_source = "url"
    if not published and (published := iso_date(found.get("date"), ctx.timezone)):
        date_source = "dateline"  # as trafilatura (htmldate) reads it from the markup, not from the text
    return [
        ctx.part(
            KIND,
            url=url,
            title=title or None,
            standfirst=meta["description"],
            published=published,
            date_source=date_source,
            updated=meta["updated"] if meta["updated"] != published else None,
            authors=meta["authors"],
            tags=meta["tags"],
            body=body.text,
            image=Image(url=meta["image"]) if meta["image"] else None,
            polls=polls or body.polls,
            comments=comments,
            comment_count=comment_count if comment_count is not None else (len(comments) or None),
            site=meta["site"],
            language=meta["language"],
            cleaning=cleaning_notes(body, spam_removed),
        )
    ]


SHORT_TEXT = 400  # characters: below this, trafilatura's default cut may have dropped the article itself


def _extract(html: str) -> tuple[list[str], dict[str, Any]]:
    """Main text lines, and trafilatura's title and authors (its title is the cleaner).

    trafilatura's default balance first, its ``favor_recall`` mode only as a
    fallback when the default kept almost nothing.  Measured on the 68
    article pages of ../shared/realworld (``python bench/realworld.py
    --modes``): recall mode for every page scored body F1 0.934, the
    defaults 0.937, recall mode dragging headline, byline, "Updated" lines
    and captions into the body of some news pages; the fallback keeps the
    defaults' precision and recall mode's rescue of pages the defaults
    empty.
    """
    doc = _bare_extraction(html, favor_recall=False)
    text = (doc.text or "") if doc is not None else ""
    if len(text.strip()) < SHORT_TEXT:
        fallback = _bare_extraction(html, favor_recall=True)
        if fallback is not None and len((fallback.text or "").strip()) > len(text.strip()):
            doc, text = fallback, fallback.text or ""
    if doc is None:
        return [], {}
    lines = [normalise_line(fix_line(line)) if line.strip() else "" for line in text.split("\n")]
    authors = [fix_line(a) for a in (doc.author or "").split(";")]
    authors = [a for a in authors if plausible_author(a)]
    return lines, {"title": fix_line(doc.title) if doc.title else None, "authors": authors, "date": doc.date}


def _bare_extraction(html: str, favor_recall: bool) -> Any:
    """trafilatura's ``Document`` for a page (None when it finds nothing), in one of its two balances."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        include_comments=False,
        include_tables=True,
        favor_recall=favor_recall,
        with_metadata=True,
        # the date from markup only (meta, <time>, scripts, date elements), never
        # a date the text mentions: a deadline is not when the article appeared
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    assert not isinstance(doc, dict)  # a Document: as_dict was not asked for
    return doc


def plausible_author(name: str) -> bool:
    """False for what trafilatura reports as an author but is comment markup."""
    return bool(name) and not COMMENTER.search(name) and not DATE_WORDS.match(name)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _without_site(title: str | None, soup: BeautifulSoup, site: str | None) -> str | None:
    """The title without the site's name: "Headline - Site" or "Site | Headline"
    with ``og:site_name``, and for a title that is only the blog's name (its
    ``<h1>`` on every page), the rest of ``<title>`` "Headline | Blog name"."""
    if not title:
        return title
    title = DANGLING.sub("", title) or title  # "National Rail Enquiries -": an emptied "Site - Title"
    if site:
        name = re.escape(site)
        trimmed = re.sub(rf"(?:{SEPARATOR}{name}$|^{name}{SEPARATOR})", "", title, flags=re.I)
        if trimmed.strip():
            title = trimmed
    page_title = fix_line(soup.title.get_text(" ")) if soup.title else ""
    pieces = list(re.finditer(SEPARATOR, page_title))
    if pieces and title.casefold() == page_title[pieces[-1].end() :].casefold() and _is_site_title(soup, title):
        return page_title[: pieces[-1].start()] or title
    return title


def _is_site_title(soup: BeautifulSoup, text: str) -> bool:
    """An ``<h1>`` of ``text`` that links to the home page: the blog's name in its
    header (on a "Site | Headline" page the headline's ``<h1>`` links nowhere)."""
    for h1 in soup.find_all("h1", limit=HEADINGS):
        link = h1.find("a", href=True)
        if link is not None and fix_line(h1.get_text(" ")).casefold() == text.casefold():
            if urlsplit(str(link["href"])).path in ("", "/"):
                return True
    return False


def _headline(soup: BeautifulSoup, fallback: str | None) -> str | None:
    """The page's own <h1> that best matches its metadata title, else that title.

    og:title and <title> often carry a site name or an SEO variant; the
    headline printed on the page is what a reader knows the article by.
    """
    h1s = soup.find_all("h1", limit=HEADINGS)
    headings = [fix_line(h.get_text(" ")) for h in h1s]
    headings = [h for h in headings if 2 <= len(h.split()) <= 40]
    if not headings:
        return fallback
    if not fallback:
        return headings[0]
    if any(fix_line(tag.get_text(" ")) == fallback for h1 in h1s for tag in h1.find_all(True, limit=HEADINGS)):
        return fallback  # an element of the <h1> holds the title, another a kicker ("Open Progress")
    target = _words(fallback)
    best = max(headings, key=lambda h: len(_words(h) & target) / max(len(_words(h) | target), 1))
    return best if _words(best) & target else fallback


def _poll_lines(soup: BeautifulSoup) -> list[str]:
    """WP-Polls results: the question and one "label (41%, 212 Votes)" line per option."""
    lines: list[str] = []
    for ul in soup.select("ul.wp-polls-ul"):
        if _beside_the_article(ul):
            continue  # a sidebar widget's poll is the site's, on every page of it, not this article's
        question = ul.find_previous(["strong", "p", "h3", "h4"])
        if question:
            lines += [fix_line(question.get_text(" ")), ""]
        lines += ["• " + fix_line(li.get_text(" ")) for li in ul.find_all("li")]
        total = ul.find_next(string=re.compile(r"Total Voters", re.I))
        if total:
            lines.append(fix_line(total.parent.get_text(" ") if total.parent else str(total)))
        lines.append("")
    return lines


SIDE_CONTAINERS = {"aside", "nav", "footer"}
SIDE_WORDS = re.compile(r"sidebar|widget|secondary", re.I)


def _beside_the_article(element: Any) -> bool:
    """Whether an element sits in a page's sidebar, navigation or footer rather than its article."""
    for parent in element.parents:
        if parent.name in SIDE_CONTAINERS:
            return True
        names = " ".join([*(parent.get("class") or []), str(parent.get("id") or "")])
        if names and SIDE_WORDS.search(names):
            return True
    return False


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return fix_line(str(tag["content"]))
    return None


def _itemprop(soup: BeautifulSoup, name: str) -> str | None:
    """A schema.org microdata value: ``<meta itemprop=… content>`` or ``<time itemprop=… datetime>``."""
    tag = soup.find(["meta", "time"], attrs={"itemprop": name})
    value = tag.get("content") or tag.get("datetime") if tag else None
    return str(value) if value else None


def _json_ld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
    return objects


def _article_ld(soup: BeautifulSoup) -> dict[str, Any]:
    for item in _json_ld(soup):
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(str(k).endswith(("Article", "BlogPosting", "Report")) for k in kinds):
            return item
    return {}


def _people(author: Any, site: str | None, publisher: Any) -> Any:
    """JSON-LD authors without the site itself: many CMSs name the publishing
    organisation as every article's author, and the real byline is elsewhere."""
    if not isinstance(author, list):
        author = [author] if author else []
    own = {n.casefold() for n in [site or "", *_names(publisher)] if n}
    return [
        a
        for a in author
        if not (isinstance(a, dict) and _is_organisation(a) and str(a.get("name", "")).casefold() in own)
    ]


def _is_organisation(item: dict[str, Any]) -> bool:
    kind = item.get("@type")
    return any(str(k).endswith("Organization") for k in (kind if isinstance(kind, list) else [kind]))


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return [fix_line(str(value))] if value and not str(value).startswith("http") else []


def _in_other_content(tag: Tag) -> bool:
    """Inside a comment, a link to another post (a teaser card), the page's
    footer, a sidebar or navigation: an author named there did not write this
    page.  An article's own ``<footer>`` and a link to an author page are fine."""
    for parent in tag.parents:
        if parent.name in ("aside", "nav"):
            return True
        if parent.name == "footer" and parent.find_parent("article") is None:
            return True
        if parent.name == "a" and "author" not in str(parent.get("href", "")) + str(parent.get("rel", "")):
            return True
        classes: list[str] | str = parent.get("class") or []
        if any(COMMENT_CLASS.match(c) for c in classes) or COMMENT_ID.match(str(parent.get("id", ""))):
            return True
    return False


def _byline(soup: BeautifulSoup) -> Tag | None:
    """The first byline-looking element that belongs to the article itself."""
    candidates = soup.select(".byline, .author, [rel=author]", limit=BYLINE_CANDIDATES)
    return next((t for t in candidates if not _in_other_content(t)), None)


def _metadata(soup: BeautifulSoup) -> dict[str, Any]:
    ld = _article_ld(soup)
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or _meta(soup, "og:url")
    title = _meta(soup, "og:title") or (fix_line(ld["headline"]) if ld.get("headline") else None)
    if not title and (h1 := soup.find("h1")):
        title = fix_line(h1.get_text(" "))
    if not title and soup.title:
        title = TITLE_SUFFIX.sub("", fix_line(soup.title.get_text(" ")))
    published, date_source = _published(soup, ld)
    site = _meta(soup, "og:site_name")
    authors = _names(_people(ld.get("author"), site, ld.get("publisher"))) or _names(
        _meta(soup, "author", "dc.creator", "DC.creator")
    )
    authors = [fix_line(a) for a in authors]
    if not authors and (byline := _byline(soup)):
        name = fix_line(byline.get_text(" "))
        authors = [BYLINE.sub(r"\1", name)] if 0 < len(name.split()) <= 6 else []
    tags = [
        fix_line(str(t["content"]))
        for t in soup.find_all("meta", attrs={"property": "article:tag"})
        if t.get("content")
    ]
    html = soup.find("html")
    return {
        "url": str(url) if url else None,
        "title": title,
        "published": published,
        "date_source": date_source,
        "updated": iso_date(_meta(soup, "article:modified_time") or ld.get("dateModified")),
        "authors": list(dict.fromkeys(a for a in authors if a)),
        "tags": list(dict.fromkeys(tags)),
        "description": _meta(soup, "og:description", "description"),
        "image": _meta(soup, "og:image"),
        "site": site,
        "language": str(html.get("lang")) if html and html.get("lang") else None,
    }


def _published(soup: BeautifulSoup, ld: dict[str, Any]) -> tuple[str | None, str | None]:
    candidates = [
        (_meta(soup, "article:published_time"), "meta"),
        (ld.get("datePublished"), "json-ld"),
        (_meta(soup, "datePublished", "pubdate", "publishdate", "date", "dc.date", "DC.date.issued"), "meta"),
        (_itemprop(soup, "datePublished"), "meta"),
    ]
    time_tag = soup.find("time", attrs={"datetime": True})
    candidates.append((str(time_tag["datetime"]) if time_tag else None, "time"))
    for value, source in candidates:
        if value and (published := iso_date(str(value))):
            return published, source
    return None, None
