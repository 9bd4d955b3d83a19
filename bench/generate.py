"""Realistic archives of N articles, built from the corpus's own patterns.

Deterministic for a seed.  Articles take their paragraphs from the corpus
(so the text, the entities and the boilerplate are the real kinds), dates
spread over twenty years, one in ten carries a poll, one in five a comment
thread, and a share arrive twice in another format (as a page dump and, a
few, as an HTML page), to be merged.  Feed items come 50 to a feed file, as
a WordPress feed serves them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ITEMS_PER_FEED = 50
START = datetime(2006, 1, 1, tzinfo=UTC)
YEARS = 20


@dataclass
class Synthetic:
    n: int
    title: str
    url: str
    published: datetime
    paragraphs: list[str]
    poll: bool
    comments: list[tuple[str, str]] = field(default_factory=list)


def _pool() -> tuple[list[str], list[str]]:
    lines = [line.strip() for f in sorted(CORPUS.glob("*.txt")) for line in f.read_text("utf-8").splitlines()]
    paragraphs = [
        x
        for x in lines
        if len(x.split()) >= 15 and not x.startswith(("http", "]]>", "•")) and not re.match(r"^\d+ Responses? to ", x)
    ]  # a comment-section heading would end the body
    words = [w for x in lines if 4 <= len(x.split()) <= 14 for w in x.split() if w.isalpha()]
    return paragraphs, words


def articles(count: int, seed: int = 1) -> list[Synthetic]:
    rng = random.Random(seed)
    paragraphs, words = _pool()
    out = []
    for n in range(count):
        title = " ".join(rng.sample(words, rng.randint(6, 12))).capitalize() + f" {n}"
        published = START + timedelta(seconds=rng.randint(0, YEARS * 365 * 86400))
        slug = "-".join(title.lower().split()[:6]) + f"-{n}"
        url = f"https://bench.example.org/{published:%Y/%m/%d}/{slug}/"
        body = rng.sample(paragraphs, rng.randint(6, 24))
        body.insert(0, f"Story {n}: " + body[0])  # every text its own
        comments = (
            [
                (rng.choice(["Ann", "Bob", "Cat", "Dev", "Eve"]), rng.choice(paragraphs)[:300])
                for _ in range(rng.randint(1, 6))
            ]
            if rng.random() < 0.2
            else []
        )
        out.append(Synthetic(n, title, url, published, body, rng.random() < 0.1, comments))
    return out


def _item(a: Synthetic) -> str:
    html = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    poll = (
        "<p>Note: There is a poll embedded within this post, please visit the site to participate.</p>"
        if a.poll
        else ""
    )
    return (
        f"<item><title>{escape(a.title)}</title><link>{a.url}</link><comments>{a.url}#comments</comments>"
        f"<pubDate>{format_datetime(a.published)}</pubDate><dc:creator>Bench Writer</dc:creator>"
        f'<guid isPermaLink="false">{a.url}?p={a.n}</guid><description>{escape(a.paragraphs[0][:200])}…'
        f"</description><content:encoded><![CDATA[{poll}{html}]]></content:encoded>"
        f"<slash:comments>{len(a.comments)}</slash:comments></item>"
    )


def feed(items: list[Synthetic]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>Bench News</title>'
        "<link>https://bench.example.org/</link><language>en-GB</language>"
        + "".join(_item(a) for a in items)
        + "</channel></rss>"
    )


def page_dump(a: Synthetic) -> str:
    """The article page saved as text: title, poll results, body, comment thread."""
    out = [a.title, ""]
    if a.poll:
        out += [
            "What do you think?",
            "",
            "  • Agree (60%, 30 Votes)",
            "  • Disagree (40%, 20 Votes)",
            "",
            "Total Voters: 50",
            "",
            "Loading ... Loading ...",
            "",
        ]
    out += [p + "\n" for p in a.paragraphs]
    out += [", , ,", "", "Comments are closed." if not a.comments else f"{len(a.comments)} Responses to {a.title}"]
    for i, (author, text) in enumerate(a.comments, start=1):
        stamp = (
            (a.published + timedelta(hours=i))
            .strftime("%B %-d, %Y at %-I:%M %p")
            .replace("AM", "am")
            .replace("PM", "pm")
        )
        out += ["", f"  {i}. {author} {stamp} #", "", f"    {text}"]
    return "\n".join(out) + "\n"


def html_page(a: Synthetic) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><title>{escape(a.title)} | Bench News</title>'
        f'<link rel="canonical" href="{a.url}"><meta property="article:published_time" '
        f'content="{a.published.isoformat()}"></head><body><nav><a href="/">Home</a></nav><article>'
        f"<h1>{escape(a.title)}</h1>{body}</article><footer>Back to top</footer></body></html>"
    )


def write_archive_inputs(folder: Path, count: int, seed: int = 1, start: int = 0) -> dict[str, int]:
    """Write the inputs for ``count`` articles under ``folder``; return what was written."""
    made = articles(start + count, seed)[start:]
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    (folder / "html").mkdir(exist_ok=True)
    rng = random.Random(seed + start)
    counts = {"articles": len(made), "feed_files": 0, "page_dumps": 0, "html_pages": 0}
    for i in range(0, len(made), ITEMS_PER_FEED):
        (folder / "feeds" / f"feed-{start + i:06d}.xml").write_text(feed(made[i : i + ITEMS_PER_FEED]), "utf-8")
        counts["feed_files"] += 1
    for a in made:
        roll = rng.random()
        if roll < 0.2:  # the same article again, as its page saved as text
            (folder / "pages" / f"page-{a.n:06d}.txt").write_text(page_dump(a), "utf-8")
            counts["page_dumps"] += 1
        elif roll < 0.25:
            (folder / "html" / f"page-{a.n:06d}.html").write_text(html_page(a), "utf-8")
            counts["html_pages"] += 1
    return counts
