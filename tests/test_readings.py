"""The readings file (scholarly and institutional works the chapters engage) is complete: every row
names a bibliography entry, says what was read and what the work finds, and every work is cited in
at least one of the chapters the row names."""

import re

import pandas as pd
import pytest

from site_tools import ROOT
from ttpbook import data

REQUIRED = ("bib_key", "sourcetype", "authors", "year", "title", "venue_or_publisher", "locator",
            "what_was_read", "main_findings", "evidence_base", "chapters")
SCHOLARLY = {"peer-reviewed", "book", "official", "think-tank"}
CONTENT_CHAPTERS = ("background", "reading-the-op-ed", "talks-2021-22", "policy-coherence")
ENTRY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)
CITE = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    return data.load("readings")


def _bib_entries() -> dict[str, str]:
    text = (ROOT / "references.bib").read_text()
    starts = [(m.group(1), m.start()) for m in ENTRY.finditer(text)]
    ends = [s for _, s in starts[1:]] + [len(text)]
    return {key: text[start:end] for (key, start), end in zip(starts, ends)}


def _cited_in(chapter: str) -> set[str]:
    keys = set()
    for group in CITE.findall((ROOT / "chapters" / f"{chapter}.md").read_text()):
        keys.update(k.strip() for k in group.split(","))
    return keys


def test_required_columns_are_present_and_filled(readings):
    missing = [c for c in REQUIRED if c not in readings.columns]
    assert missing == []
    for column in REQUIRED:
        empty = readings.index[readings[column].astype(str).str.strip() == ""].tolist()
        assert empty == [], f"readings.csv: column {column!r} is empty in rows {empty}"


def test_at_least_25_scholarly_or_institutional_works(readings):
    assert len(readings) >= 25
    assert set(readings["sourcetype"]) <= SCHOLARLY


def test_every_reading_has_a_typed_bibliography_entry(readings):
    entries = _bib_entries()
    for row in readings.itertuples():
        assert row.bib_key in entries, f"readings.csv: {row.bib_key} has no entry in references.bib"
        match = re.search(r"sourcetype\s*=\s*\{([^}]*)\}", entries[row.bib_key])
        if match:  # entries that carry a type must agree that the work is scholarly or institutional
            assert match.group(1) in SCHOLARLY, f"references.bib: {row.bib_key} is typed {match.group(1)!r}"


def test_every_reading_is_cited_in_the_chapters_it_names(readings):
    for row in readings.itertuples():
        chapters = [c.strip() for c in row.chapters.split(";") if c.strip()]
        assert chapters, f"readings.csv: {row.bib_key} names no chapter"
        for chapter in chapters:
            assert chapter in CONTENT_CHAPTERS, f"readings.csv: {row.bib_key}: unknown chapter {chapter!r}"
            assert row.bib_key in _cited_in(chapter), f"{row.bib_key} is not cited in {chapter}.md"


def test_each_content_chapter_engages_at_least_five_works(readings):
    for chapter in CONTENT_CHAPTERS:
        cited = _cited_in(chapter) & set(readings["bib_key"])
        assert len(cited) >= 5, f"{chapter}.md cites only {len(cited)} of the readings"


def test_control_a_missing_key_is_caught(readings):
    """Failing control: the bibliography check would catch a key that is not in references.bib."""
    assert "no-such-work-1999" not in _bib_entries()
