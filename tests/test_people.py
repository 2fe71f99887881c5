"""The People and organisations page: built from data/people.csv, with mentions found in the chapters."""

import re

import pandas as pd
import pytest

from site_tools import ROOT
from ttpbook import data, people

REF = re.compile(r"\{ref\}`[^`<]*<person-([a-z0-9-]+)>`")


@pytest.fixture(scope="module")
def table():
    return data.load("people").fillna("")


def test_every_link_from_a_chapter_has_an_entry(table):
    linked = {m for path in (ROOT / "chapters").glob("*.md") for m in REF.findall(path.read_text())}
    assert linked, "no chapter links to the people page"
    assert linked - set(table["person_id"]) == set()


def test_every_entry_is_named_in_some_chapter(table):
    found = people.appearances(table)
    assert [pid for pid, docs in found.items() if not docs] == []


def test_mentions_match_whole_words_only():
    assert people.mentions("the TTP's leader Noor Wali Mehsud said", "Noor Wali")
    assert people.mentions("Asif said", "Imran;Asif")
    assert not people.mentions("Asifa said", "Asif")          # control: a longer word is not a mention
    assert not people.mentions("nothing here", "Noor Wali")


def test_appearances_follow_the_chapters(tmp_path):
    (tmp_path / "background.md").write_text("Noor Wali Mehsud led the TTP.")
    (tmp_path / "talks-2021-22.md").write_text("No names here.")
    frame = pd.DataFrame({"person_id": ["noor-wali-mehsud"], "search_terms": ["Noor Wali"]})
    assert people.appearances(frame, tmp_path) == {"noor-wali-mehsud": ["background"]}


def test_page_has_a_label_a_citation_and_the_chapters_for_each_entry(table):
    found = {"noor-wali-mehsud": ["background", "talks-2021-22"]}
    page = people.page_markdown(table[table["person_id"] == "noor-wali-mehsud"], found)
    assert "(person-noor-wali-mehsud)=" in page
    assert "{cite:p}`thenews2018noorwali," in page
    assert "{doc}`Background <background>`, {doc}`The 2021–22 talks <talks-2021-22>`" in page


def test_unknown_side_is_refused(table):
    bad = table.head(1).assign(side="nobody")
    with pytest.raises(ValueError, match="side not in"):
        people.page_markdown(bad, {})
