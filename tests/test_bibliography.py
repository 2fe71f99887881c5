"""Every citation has a bibliography entry, and every entry is used: cited in a chapter, or named
as the source of a row in a data file (those show as tooltips and tables, and are listed on the
References page, which lists every entry)."""

import re

import pandas as pd

from site_tools import ROOT
from ttpbook import data

CITE = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")
ENTRY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)
KEY_COLUMNS = ("source_key", "source_keys")


def _cited() -> set[str]:
    keys = set()
    for path in (ROOT / "chapters").glob("*.md"):
        for group in CITE.findall(path.read_text()):
            keys.update(k.strip() for k in group.split(","))
    return keys


def _data_keys() -> set[str]:
    keys = set()
    for resource in data.read_descriptor()["resources"]:
        if resource.get("format") != "csv":
            continue
        frame = pd.read_csv(data.DATA_DIR / resource["path"], keep_default_na=False)
        for column in KEY_COLUMNS:
            if column in frame:
                for cell in frame[column]:
                    keys.update(k.strip() for k in re.split(r"[;,]", str(cell)) if k.strip())
    return keys


def _entries() -> list[str]:
    return ENTRY.findall((ROOT / "references.bib").read_text())


def test_every_citation_has_an_entry():
    assert _cited() - set(_entries()) == set()


def test_every_source_key_in_the_data_has_an_entry():
    assert _data_keys() - set(_entries()) == set()


def test_every_entry_is_used():
    assert set(_entries()) - _cited() - _data_keys() == set()


def test_no_duplicate_keys():
    entries = _entries()
    assert len(entries) == len(set(entries))


def test_references_page_lists_every_entry():
    assert ":all:" in (ROOT / "chapters" / "references.md").read_text()
