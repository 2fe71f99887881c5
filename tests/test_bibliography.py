"""Every citation has a bibliography entry, and every entry is cited."""

import re

from site_tools import ROOT

CITE = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")
ENTRY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)


def _cited() -> set[str]:
    keys = set()
    for path in (ROOT / "chapters").glob("*.md"):
        for group in CITE.findall(path.read_text()):
            keys.update(k.strip() for k in group.split(","))
    return keys


def _entries() -> list[str]:
    return ENTRY.findall((ROOT / "references.bib").read_text())


def test_every_citation_has_an_entry():
    assert _cited() - set(_entries()) == set()


def test_every_entry_is_cited():
    assert set(_entries()) - _cited() == set()


def test_no_duplicate_keys():
    entries = _entries()
    assert len(entries) == len(set(entries))
