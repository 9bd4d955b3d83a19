"""Text repair, boilerplate rules, decoding, dates and identity: the pure stages."""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.ingest.clean import fix_text, remove_boilerplate, text_lines, to_body, trim_teaser
from newsarchive.ingest.dates import date_from_url, iso_date, parse_datetime, to_iso
from newsarchive.ingest.decode import decode_bytes, guess_encoding
from newsarchive.ingest.errors import SourceError
from newsarchive.ingest.identity import canonical_url, fingerprint, shingles, similarity
from newsarchive.ingest.models import Article, Comment, Image, Part, Poll, PollOption, Source
from newsarchive.ingest.readers import parse_payload
from newsarchive.ingest.sources.common import SourceContext


def test_mojibake_is_repaired_and_typography_kept() -> None:
    assert fix_text("childrenâ€™s â€œearly adoptersâ€\x9d") == "children’s “early adopters”"
    assert fix_text("children’s “quoted”") == "children’s “quoted”"


def test_control_characters_and_escapes_removed() -> None:
    assert fix_text("a\x1b[31mred\x1b[0m b\x1b]0;title\x07c d\x00e\x08f") == "ared bc def"


@given(st.text())
def test_fix_text_is_idempotent(text: str) -> None:
    once = fix_text(text)
    assert fix_text(once) == once


@pytest.mark.parametrize(
    "line",
    [
        "]]>",
        "Loading ... Loading ...",
        ", , ,",
        ", , , , ,",
        "Comments are closed.",
        "Skip to main content",
        "Skip to main navigation",
        "Back to top",
        "Sorry, there are no polls available.",
        "Never miss the latest news by signing up to our newsletter today!",
        "Get The Times of Israel's Daily Edition by email and never miss our top stories Free Sign Up",
        "Sign up to our weekly newsletter",
        "We want to hear what you think about this article. Submit a letter to the editor or write to us.",
        "Submit your letter to the editor via this form. Read more Letters to the Editor.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    cleaned = remove_boilerplate(["First paragraph of the story.", "", line, "", "Last paragraph."])
    assert [x for x in cleaned.lines if x] == ["First paragraph of the story.", "Last paragraph."]
    assert cleaned.removed == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Get involved: councils must sign up to the scheme by March.",
        "Subscribers to the council's newsletter were told on Monday.",
        "Get a grip, the minister told councils.",
        "The charity said it would send its newsletter to every social worker by email from January, "
        "and that the first issue would cover the early career framework, the new assessment and the pay talks.",
    ],
)
def test_sentences_about_newsletters_and_signing_up_are_kept(line: str) -> None:
    cleaned = remove_boilerplate(["First paragraph of the story.", "", line])
    assert cleaned.lines[-1] == line and cleaned.removed == []


def test_credit_in_brackets_on_its_own_line() -> None:
    first = "A paragraph of the story, long enough to be one: it says what happened, where, and to whom it mattered."
    cleaned = remove_boilerplate([first, "", "(Credit: Clayton Aldern / Grist)", "", "More."])
    assert [x for x in cleaned.lines if x] == [first, "More."]
    assert [credit for _, credit in cleaned.credits] == ["Clayton Aldern / Grist"]


def test_credit_keeps_crosshead_but_drops_alt_text() -> None:
    lines = [
        "A long paragraph that ends the previous section of the story.",
        "",
        "Regional differences",
        "",
        "Map of England",
        "",
        "Photo: Daniel Smolcic/Adobe Stock",
        "",
        "Text goes on here.",
    ]
    cleaned = remove_boilerplate(lines)
    assert [x for x in cleaned.lines if x] == [lines[0], "Regional differences", "Text goes on here."]
    assert cleaned.credits == [("Map of England", "Daniel Smolcic/Adobe Stock")]


def test_caption_with_credit_in_brackets() -> None:
    lines = [
        "Paragraph one is a sentence.",
        "",
        "Claire Coutinho",
        "",
        "Claire Coutinho (photo: HM Government)",
        "",
        "Announcing the strategy, the minister said.",
    ]
    cleaned = remove_boilerplate(lines)
    assert [x for x in cleaned.lines if x] == [lines[0], lines[-1]]
    assert cleaned.credits == [("Claire Coutinho", "HM Government")]


def test_job_advert_blocks() -> None:
    lines = [
        "Story text.",
        "",
        "Latest jobs near you",
        "",
        "Senior Social Worker",
        "Employer: Kent County Council",
        "Salary: £40,000",
        "Location: Maidstone",
        "",
        "Team Manager",
        "Employer: Leeds City Council",
        "Salary: £50,000",
        "",
        "More story text.",
    ]
    assert [x for x in remove_boilerplate(lines).lines if x] == ["Story text.", "More story text."]


def test_body_paragraphs() -> None:
    assert to_body(["One line", "wrapped.", "", "Two.", "", "• a", "• b", "", "Three."]) == (
        "One line wrapped.\n\nTwo.\n\n• a\n\n• b\n\nThree."
    )
    assert to_body(["One.", "Two.", "Three."]) == "One.\n\nTwo.\n\nThree."
    assert text_lines("  • item  with   spaces ") == ["• item with spaces"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 21 Mar 2025 11:57:53 +0000", "2025-03-21T11:57:53+00:00"),
        ("2023-02-08T14:51:19Z", "2023-02-08T14:51:19+00:00"),
        ("11 May 2023", "2023-05-11T00:00:00+01:00"),
        ("February 9, 2023 at 8:36 am", "2023-02-09T08:36:00+00:00"),
        ("May 30, 2019 at 1:06 PM", "2019-05-30T13:06:00+01:00"),
        ("June 12, 2020 at 12:05 am", "2020-06-12T00:05:00+01:00"),
        ("Thursday 7 March 2024", "2024-03-07T00:00:00+00:00"),
        ("not a date", None),
        ("31 February 2023", None),
        ("", None),
    ],
)
def test_dates(text: str, expected: str | None) -> None:
    assert iso_date(text) == expected


def test_future_dates_are_refused() -> None:
    future = datetime.now(UTC) + timedelta(days=30)
    assert to_iso(future) is None
    assert iso_date(future.strftime("%d %B %Y")) is None


def test_date_from_url() -> None:
    assert date_from_url("https://x.org/2025/03/21/story/") == "2025-03-21T00:00:00+00:00"
    assert date_from_url("https://x.org/story/") is None


@given(st.text(max_size=80))
def test_date_parser_never_raises(text: str) -> None:
    parse_datetime(text)


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.communitycare.co.uk/2023/02/08/story",
        "https://communitycare.co.uk/2023/02/08/story/#comments",
        "https://www.communitycare.co.uk/2023/02/08/story/?utm_source=twitter&utm_medium=social",
        "https://WWW.COMMUNITYCARE.CO.UK/2023/02/08/story//",
        "https://www.communitycare.co.uk/2023/02/08/story/amp/",
    ],
)
def test_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == "https://communitycare.co.uk/2023/02/08/story"


def test_canonical_url_keeps_meaningful_query() -> None:
    assert canonical_url("https://www.communitycare.co.uk/?p=216528") == "https://communitycare.co.uk/?p=216528"
    assert canonical_url("not a url") is None


def test_fingerprint_ignores_layout_and_quotes() -> None:
    text = "The ECF would provide “high-quality support” to children’s social workers " * 3
    variant = text.replace("“", '"').replace("”", '"').replace("’", "'").replace(" ", "\n  ")
    assert fingerprint(text) == fingerprint(variant)
    assert fingerprint("too short") is None


def test_similarity_of_near_duplicates() -> None:
    words = [f"word{i}" for i in range(300)]
    full = " ".join(words)
    shorter = " ".join(words[:260])
    assert similarity(shingles(full), shingles(shorter)) == 1.0
    other = " ".join(f"other{i}" for i in range(300))
    assert similarity(shingles(full), shingles(other)) == 0.0


def test_decode_utf16_without_bom_and_bom_variants() -> None:
    text = "Children’s services, £50,000 and café"
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        assert decode_bytes(text.encode(encoding), "x") == text
        assert guess_encoding(text.encode(encoding)) == encoding
    assert decode_bytes(codecs.BOM_UTF8 + text.encode(), "x") == text
    assert decode_bytes(b'<?xml version="1.0" encoding="iso-8859-1"?><a>caf\xe9 \x93x\x94</a>', "x").endswith(
        "café “x”</a>"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty"), (b"  \n\t ", "empty"), (bytes(range(32)) * 50, "binary"), (b"\x00\x01\x02" * 100, "binary")],
)
def test_undecodable_inputs(data: bytes, reason: str) -> None:
    with pytest.raises(SourceError) as caught:
        decode_bytes(data, "some/file")
    assert caught.value.reason == reason
    assert str(caught.value).startswith("some/file: ")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_fail_cleanly(data: bytes) -> None:
    ctx = SourceContext("fuzz", "2026-01-01T00:00:00+00:00", "0" * 64)
    try:
        parts = parse_payload(data, ctx)
    except SourceError:
        return
    for part in parts:
        assert Part.from_dict(part.to_dict()) == part


def test_article_round_trips_through_dict() -> None:
    article = Article(
        id="abc",
        url="https://x.org/a",
        title="T",
        published="2023-01-01T00:00:00+00:00",
        image=Image("https://x.org/i.jpg", "Credit", "Caption"),
        comments=[Comment("c1", "A", None, "text"), Comment("c2", "B", None, "reply", "c1", 1)],
        polls=[Poll("Q?", [PollOption("yes", 50.0, 5)], 10)],
        sources=[Source("feed", "x", "2026-01-01T00:00:00+00:00", "0" * 64)],
        cleaning={"spam_removed": ["x"]},
    )
    assert Article.from_dict(article.to_dict()) == article


SAFE_LINE_CHARS = st.sampled_from([chr(c) for c in range(0x20, 0x7F) if chr(c) != "&"] + ["\t", *"‘’“”–—…\xa0£•"])


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=SAFE_LINE_CHARS, max_size=60))
def test_lines_we_do_not_give_ftfy_are_lines_ftfy_would_not_change(line: str) -> None:
    import ftfy

    from newsarchive.ingest.clean import NEEDS_FTFY

    if NEEDS_FTFY.search(line):  # "£" or "•" beside another non-ASCII character
        assert re.search("[^\\x00-\\x7f]{2}", line)
        return
    assert ftfy.fix_text(line, uncurl_quotes=False) == line
    assert fix_text(line) == line


@given(
    st.text(alphabet=st.sampled_from(" \tab*-"), max_size=30)
    | st.text(alphabet=st.sampled_from(" \t\u00a0\u2009\u3000\u0085\x0bab•*-é"), max_size=30)
)
def test_normalise_line_folds_as_the_regex_alone_did(line: str) -> None:
    """normalise_line skips its regex for plain ASCII lines: same result."""
    from newsarchive.ingest.clean import LEADING_BULLET, SPACES, normalise_line

    folded = SPACES.sub(" ", line).strip()
    expected = LEADING_BULLET.sub("• ", folded) if folded[:1] in "•·▪◦‣∙*-" else folded
    assert normalise_line(line) == expected


@pytest.mark.parametrize(
    ("text", "kept", "trimmed"),
    [
        (  # a theme's link after WordPress's ellipsis (lemire.me's feed)
            "One of the nicest C++ JSON libraries: JSON … Continue reading JSON parsing: simdjson vs. JSON",
            "One of the nicest C++ JSON libraries: JSON …",
            ["… Continue reading JSON parsing: simdjson vs. JSON"],
        ),
        ("A scheme to replace the ASYE [...] Read more", "A scheme to replace the ASYE …", ["[...] Read more"]),
        ("Short teaser (more…)", "Short teaser", ["(more…)"]),
        (
            "Councils are urged to act. The post Councils urged to test appeared first on Community Care.",
            "Councils are urged to act.",
            ["The post Councils urged to test appeared first on Community Care."],
        ),
        # the author's words stay: no ellipsis before "read more", no footer
        ("To find out more, read more of our coverage of the review.", None, []),
        ("A plain excerpt […]", None, []),
        ("The post appeared first in the Gazette in 1990, and was abolished.", None, []),
        ("Read why the post of chief social worker appeared first on a list of cuts.", None, []),
    ],
)
def test_trim_teaser(text: str, kept: str | None, trimmed: list[str]) -> None:
    assert trim_teaser(text) == (kept if kept is not None else text, trimmed)


def test_yoast_footer_line_is_boilerplate() -> None:
    lines = ["First paragraph.", "", "The post A title appeared first on Example News.", ""]
    cleaned = remove_boilerplate(lines)
    assert cleaned.lines == ["First paragraph.", "", ""]
    assert cleaned.removed == ["The post A title appeared first on Example News."]
