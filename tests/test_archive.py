"""End to end on the real corpus: the archive holds one clean record per article."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import (
    CORPUS,
    CORPUS_FILES,
    FEED_DUMP,
    LETTER_DUMP,
    PAY_SCALES_DUMP,
    PAY_SCALES_URL,
    UNTITLED_DUMP,
    Runner,
    copy_corpus,
    records,
)

# (title, URL path, published) of the ten feed items, read off the feed dump.
FEED_ITEMS = [
    (
        "DfE proposes two-year support scheme for children’s social workers to replace ASYE",
        "2025/03/21/dfe-proposes-two-year-support-scheme-for-childrens-social-workers-to-replace-asye/",
        "2025-03-21T11:57:53+00:00",
    ),
    (
        "DfE to give update on early career support for children’s social workers",
        "2025/02/11/dfe-to-give-update-on-early-career-support-for-childrens-social-workers/",
        "2025-02-11T15:46:50+00:00",
    ),
    (
        "Regulator calls for consistency of support for NQSWs as DfE develops children’s early career framework",
        "2024/03/27/regulator-calls-for-consistency-of-support-for-nqsws-as-dfe-develops-childrens-early-career-framework/",
        "2024-03-27T15:14:39+00:00",
    ),
    (
        "‘Massive’ cut in care population is key success measure for DfE reforms, says chief social worker",
        "2024/03/18/massive-cut-in-care-population-is-key-success-measure-for-dfe-reforms-says-chief-social-worker/",
        "2024-03-18T22:27:07+00:00",
    ),
    (
        "Councils urged to test social work early career framework",
        "2024/03/07/councils-urged-to-test-social-work-early-career-framework/",
        "2024-03-07T22:00:08+00:00",
    ),
    (
        "Supporting early career social workers: lessons from Wales",
        "2024/02/05/supporting-early-career-social-workers-lessons-from-wales/",
        "2024-02-05T12:26:59+00:00",
    ),
    (
        "Employers chosen to design and test social work early career framework",
        "2023/09/21/employers-chosen-to-design-and-test-social-work-early-career-framework/",
        "2023-09-21T20:48:04+00:00",
    ),
    (
        "Quarter of those who quit register last year had been on it for less than a year, reveals Social Work England",
        "2023/03/16/quarter-of-those-who-quit-register-last-year-had-been-on-it-for-less-than-a-year-reveals-social-work-england/",
        "2023-03-16T22:45:15+00:00",
    ),
    (
        "DfE backs early career framework but rejects national pay scales for children’s social workers",
        "2023/02/08/dfe-backs-early-career-framework-but-rejects-national-pay-scales-for-childrens-social-workers/",
        "2023-02-08T14:51:19+00:00",
    ),
    (
        "Specialist child protection social workers to be piloted in DfE care review response",
        "2023/02/02/specialist-child-protection-social-workers-pledged/",
        "2023-02-02T00:01:13+00:00",
    ),
]
LETTER_TITLE = "Response to Department for Education Children's Social Care Framework consultation"
PAY_SCALES_COMMENTERS = [
    "Christine",
    "Andrew S",
    "Tahin",
    "Andy",
    "Beth",
    "J",
    "Yoda",
    "June",
    "Sandra",
    "Eddie O'Hara BEM",
]


def mojibake(text: str) -> str:
    """UTF-8 read as Windows-1252, the way a browser or an old CMS reads it."""
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)

    return text.encode("utf-8").decode("sloppy-windows-1252")


def comparable(recs: list[dict]) -> list[dict]:
    """Records without the moments of fetching and seeing, which differ between runs."""
    out = []
    for rec in sorted(recs, key=lambda r: r["id"]):
        rec = json.loads(json.dumps(rec))
        for source in rec["sources"]:
            source.pop("fetched_at")
        for key in ("first_seen", "last_seen", "changes"):
            rec.pop(key)
        out.append(rec)
    return out


def by_url(recs: list[dict]) -> dict[str, dict]:
    return {r["url"]: r for r in recs if r["url"]}


def test_corpus_gives_eleven_records(corpus_run: Runner) -> None:
    recs = records(corpus_run)
    assert len(recs) == 11
    urls = by_url(recs)
    assert len(urls) == 10
    untitled = [r for r in recs if not r["url"]]
    assert [r["title"] for r in untitled] == [LETTER_TITLE]
    assert untitled[0]["published"] == "2023-05-11T00:00:00+01:00"
    assert untitled[0]["date_source"] == "dateline"


def test_feed_items_exact(corpus_run: Runner) -> None:
    urls = by_url(records(corpus_run))
    for title, path, published in FEED_ITEMS:
        rec = urls["https://www.communitycare.co.uk/" + path]
        assert (rec["title"], rec["published"]) == (title, published)
        assert rec["date_source"] == "feed"
        assert rec["site"] == "Community Care"


def test_no_title_carries_spam(corpus_run: Runner) -> None:
    for rec in records(corpus_run):
        assert "极速" not in rec["title"] and "开奖" not in rec["title"], rec["title"]
        assert rec["title"] == rec["title"].strip()
    feed_records = [r for r in records(corpus_run) if r["url"]]
    assert all(r["cleaning"]["spam_removed"] == ["极速赛车168最新开奖号码"] for r in feed_records)


def test_page_dumps_merge_into_their_feed_items(corpus_run: Runner) -> None:
    recs = records(corpus_run)
    by_origin: dict[str, list[str]] = {}
    for rec in recs:
        for source in rec["sources"]:
            by_origin.setdefault(Path(source["origin"]).name, []).append(rec["url"])
    base = "https://www.communitycare.co.uk/"
    assert by_origin[UNTITLED_DUMP.name] == [base + FEED_ITEMS[1][1]]
    assert by_origin["001-page-dump-councils-urged-to-test-early-career-framework.txt"] == [base + FEED_ITEMS[4][1]]
    assert by_origin[PAY_SCALES_DUMP.name] == [PAY_SCALES_URL]
    assert by_origin[LETTER_DUMP.name] == [None]
    assert len(by_origin[FEED_DUMP.name]) == 10


def test_pay_scales_article_has_poll_and_threaded_comments(corpus_run: Runner) -> None:
    rec = by_url(records(corpus_run))[PAY_SCALES_URL]
    assert rec["polls"] == [
        {
            "question": "The proposed five-year early career framework for social workers is most likely to:",
            "options": [
                {
                    "label": "Make little difference to current levels of support and stress",
                    "percent": 49.0,
                    "votes": 73,
                },
                {"label": "Increase pressures on early career social workers", "percent": 37.0, "votes": 56},
                {
                    "label": "Improve support and development for early career social workers",
                    "percent": 14.0,
                    "votes": 21,
                },
            ],
            "total_voters": 150,
            "results_available": True,
        }
    ]
    assert rec["comment_count"] == 10
    comments = rec["comments"]
    assert [c["author"] for c in comments] == PAY_SCALES_COMMENTERS
    ids = {c["author"]: c["id"] for c in comments}
    parents = {c["author"]: c["parent"] for c in comments}
    assert parents == {
        "Christine": None,
        "Andrew S": None,
        "Tahin": None,
        "Andy": None,
        "Beth": ids["Andy"],
        "J": ids["Beth"],
        "Yoda": ids["Andy"],
        "June": None,
        "Sandra": ids["June"],
        "Eddie O'Hara BEM": None,
    }
    assert [c["depth"] for c in comments] == [0, 0, 0, 0, 1, 2, 1, 0, 1, 0]
    assert comments[0]["published"] == "2023-02-09T08:36:00+00:00"
    assert comments[0]["text"].startswith("I could not read talk of this")
    assert comments[5]["text"] == "White men!"
    # the feed gives URL, date and count; the page gives standfirst, poll, comments, caption
    assert rec["standfirst"].startswith("Council children's practitioners will get two years")
    assert rec["image"] == {
        "url": "https://markallenassets.blob.core.windows.net/communitycare/2021/03/AdobeStock_groupmeeting.jpg",
        "credit": "Monkey Business/Adobe Stock",
        "caption": "Group meeting",
    }


def test_bodies_are_clean(corpus_run: Runner) -> None:
    debris = [
        "]]>",
        "Loading ...",
        "Note: There is a poll",
        "Comments are closed",
        ", , ,",
        "Skip to main",
        "Back to top",
        "Employer:",
        "Salary:",
        "Job opportunities in Wales",
        "Photo:",
        "Credit:",
        "Photo;",
        "Total Voters",
        "Responses to",
        "Annual registration renewal",
    ]
    for rec in records(corpus_run):
        for text in debris:
            assert text not in rec["body"], (rec["title"], text)
        assert "\n\n\n" not in rec["body"]
        assert rec["body"] == rec["body"].strip()


def test_wales_article_loses_its_job_adverts_only(corpus_run: Runner) -> None:
    rec = next(r for r in records(corpus_run) if r["title"] == FEED_ITEMS[5][0])
    assert "Bridgend County Borough Council" not in rec["body"]
    assert "Head of Adult Services" not in rec["body"]
    assert "take a look at the latest vacancies" not in rec["body"]
    assert "Sources of funding" in rec["body"]  # the crosshead after the adverts stays
    assert rec["body"].endswith("*Name changed")


def test_inline_captions_and_credits_leave_crossheads(corpus_run: Runner) -> None:
    rec = next(r for r in records(corpus_run) if r["title"].startswith("Quarter of those"))
    body = rec["body"]
    for crosshead in [
        "Concerns over early-career departures from profession",
        "Regional differences",
        "Diversity of social work",
        "Understanding inequalities in the profession",
    ]:
        assert f"\n\n{crosshead}\n\n" in body
    for caption in ["Map of England", "No Racism sign being held", "Diversity Equality Inclusion", "Supakrit"]:
        assert caption not in body


def test_captions_repeated_as_alt_text_are_dropped(corpus_run: Runner) -> None:
    rec = next(r for r in records(corpus_run) if r["title"].startswith("Specialist child protection"))
    assert "Claire Coutinho\n" not in rec["body"] and "ADCS president Steve Crocker\n" not in rec["body"]
    assert "children’s minister Claire Coutinho said" in rec["body"]


def test_untitled_dump_adds_nothing_but_a_source(corpus_run: Runner) -> None:
    rec = next(r for r in records(corpus_run) if r["title"] == FEED_ITEMS[1][0])
    assert rec["image"]["credit"] == "Monster Ztudio/Adobe Stock"
    assert rec["comment_count"] == 2
    assert sorted(s["kind"] for s in rec["sources"]) == ["feed-dump", "text-page"]


def test_ingesting_twice_adds_nothing(run: Runner) -> None:
    first = run("ingest", str(CORPUS))
    assert first.stderr.strip().splitlines()[-1] == "added 11, updated 3, unchanged 0, not-modified 0, failed 0"
    before = records(run)
    second = run("ingest", str(CORPUS))
    assert second.stderr.strip().splitlines()[-1] == "added 0, updated 0, unchanged 14, not-modified 0, failed 0"
    assert comparable(records(run)) == comparable(before)


def test_reverse_order_gives_same_records(run: Runner, tmp_path: Path) -> None:
    run("ingest", *map(str, CORPUS_FILES))
    forward = comparable(records(run))
    other = tmp_path / "reverse"
    from conftest import make_runner

    reverse_run = make_runner(other)
    reverse_run("ingest", *map(str, reversed(CORPUS_FILES)))
    assert comparable(records(reverse_run)) == forward
    # one file at a time, in a shuffled order, too
    third = make_runner(tmp_path / "shuffled")
    for index in (3, 0, 4, 2, 1):
        third("ingest", str(CORPUS_FILES[index]))
    assert comparable(records(third)) == forward


def test_variant_copies_merge_into_existing_records(run: Runner, tmp_path: Path) -> None:
    run("ingest", str(CORPUS))
    before = records(run)
    variants = tmp_path / "variants"
    variants.mkdir()
    text = PAY_SCALES_DUMP.read_text(encoding="utf-8")
    (variants / "mojibake.txt").write_bytes(mojibake(text).encode("utf-8"))
    (variants / "cp1252.txt").write_bytes(UNTITLED_DUMP.read_text(encoding="utf-8").encode("cp1252"))
    feed = FEED_DUMP.read_text(encoding="utf-8").replace("极速赛车168最新开奖号码", "카지노 사이트 추천 777")
    (variants / "other-spam.txt").write_text(feed, encoding="utf-8")
    result = run("ingest", str(variants))
    assert "added 0" in result.stderr
    after = records(run)
    assert len(after) == 11
    titles = sorted(r["title"] for r in after)
    assert titles == sorted(r["title"] for r in before)
    merged = by_url(after)[PAY_SCALES_URL]
    assert {Path(s["origin"]).name for s in merged["sources"]} >= {"mojibake.txt", "other-spam.txt"}
    assert "â€" not in merged["body"] and "children’s" in merged["body"]
    spam = by_url(after)[PAY_SCALES_URL]["cleaning"]["spam_removed"]
    assert "카지노 사이트 추천 777" in spam


def test_mojibake_copy_alone_comes_out_clean(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "mojibake.txt"
    text = PAY_SCALES_DUMP.read_text(encoding="utf-8")
    source.write_bytes(mojibake(text).encode("utf-8"))
    assert "childrenâ€™s" in source.read_text(encoding="utf-8")
    run("ingest", str(source))
    (rec,) = records(run)
    assert rec["title"] == FEED_ITEMS[8][0]
    assert "â€" not in json.dumps(rec, ensure_ascii=False)


def test_bad_inputs_are_skipped_with_one_line_each(run: Runner, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    copy_corpus(batch)
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.bin").write_bytes(bytes(range(256)) * 40)
    truncated = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title><item><title>Cut off'
    (batch / "truncated.xml").write_bytes(truncated)
    result = run("ingest", str(batch), expect=1)
    errors = [line for line in result.stderr.splitlines() if line.startswith("newsarchive: skipped")]
    assert len(errors) == 3
    assert any("empty.txt: empty input" in e for e in errors)
    assert any("binary.bin: binary data" in e for e in errors)
    assert any("truncated.xml: feed is cut off" in e for e in errors)
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "added 11, updated 3, unchanged 0, not-modified 0, failed 3 (binary: 1, empty: 1, truncated-feed: 1)"
    )
    assert len(records(run)) == 11


def test_missing_file_is_reported_and_others_ingested(run: Runner, tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "nope.xml"), str(LETTER_DUMP), expect=1)
    assert "nope.xml: no such file or directory" in result.stderr
    assert len(records(run)) == 1


def test_stdin_is_a_source(run: Runner) -> None:
    run("ingest", "-", input=LETTER_DUMP.read_bytes())
    (rec,) = records(run)
    assert rec["title"] == LETTER_TITLE
    assert rec["sources"][0]["origin"] == "-"
    result = run("ingest", "-", input=b"", expect=1)
    assert "-: empty input" in result.stderr


def test_directory_walk_skips_readme_and_hidden_files(run: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    nested = folder / "nested"
    nested.mkdir(parents=True)
    shutil.copy(LETTER_DUMP, nested / LETTER_DUMP.name)
    (folder / "README.md").write_text("# About these files\n\nSome notes that are not news at all.\n")
    (folder / ".hidden").write_text("not news")
    result = run("ingest", str(folder))
    assert result.stderr.strip() == "added 1, updated 0, unchanged 0, not-modified 0, failed 0"
